# vpcemu: controller and node agent in one image (`vpcemu controller ...`, `vpcemu agent ...`).
#
# BASE_IMAGE defaults to the public node:20-bookworm-slim for users with a registry. In this
# project's CI no registry is reachable: `npm run image` (scripts/build-image.sh) imports
# vpcemu-base:node20-local from the machine's own Node runtime and builds with
#   --build-arg BASE_IMAGE=vpcemu-base:node20-local --pull=false
# The base must carry the same Node ABI and glibc as the node_modules copied in (better-sqlite3
# and koffi are native), which holds when it is the build machine's own runtime or the matching
# official node:20 image.
ARG BASE_IMAGE=node:20-bookworm-slim

# Production node_modules, pruned offline from the development copy (no npm, no registry).
FROM ${BASE_IMAGE} AS deps
WORKDIR /opt/vpcemu
COPY package.json package-lock.json ./
COPY scripts/docker/prune-node-modules.mjs ./scripts/docker/
COPY node_modules ./node_modules
RUN node scripts/docker/prune-node-modules.mjs /opt/vpcemu

FROM ${BASE_IMAGE}
WORKDIR /opt/vpcemu
ENV NODE_ENV=production \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# The agent configures its TUN with iproute2; the local base already has `ip`, the public
# node:20-bookworm-slim does not.
# libpcap: agents compile `vpcemu capture --filter` expressions with it (the local base has it).
# The local base has no ldconfig or apt: look for the file itself.
RUN pcap=; for f in /usr/lib/*/libpcap.so.0.8 /lib/*/libpcap.so.0.8; do [ -e "$f" ] && pcap=1; done; \
    if ! command -v ip >/dev/null || [ -z "$pcap" ]; then apt-get update && \
      apt-get install -y --no-install-recommends iproute2 libpcap0.8 && rm -rf /var/lib/apt/lists/*; fi
COPY --from=deps /opt/vpcemu/node_modules ./node_modules
# The compiled package (scripts/build.mjs; `npm run image` builds it first): bin/vpcemu.js runs
# dist/ because no TypeScript sources are copied, so neither tsx nor TypeScript is in the image.
COPY package.json ./
COPY bin ./bin
COPY dist ./dist
COPY cli/runtime/probe.mjs ./cli/runtime/probe.mjs
COPY scripts/docker ./scripts/docker
LABEL org.opencontainers.image.title="vpcemu" \
      org.opencontainers.image.description="Emulator of AWS VPC security groups and network ACLs on real traffic" \
      org.opencontainers.image.licenses="Apache-2.0"
# EC2 Query API + JSON API + agent WebSocket (controller); Geneve underlay (agent).
EXPOSE 4566 6081/udp
ENTRYPOINT ["node", "/opt/vpcemu/bin/vpcemu.js"]
CMD ["--help"]
