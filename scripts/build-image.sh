#!/usr/bin/env sh
# `npm run image`: builds vpcemu:local (and vpcemu:<version>) with NO registry access.
#   1. vpcemu-base:node<major>-local: `docker import` of a minimal root filesystem made from this
#      machine's own Node runtime (scripts/docker/make-base-rootfs.sh: node, sh, ip, mknod, the
#      shared libraries from ldd). Re-imported only when its content hash changes.
#   2. dist/ (scripts/build.mjs), then vpcemu:local from ./Dockerfile with --build-arg BASE_IMAGE=<that base> --pull=false, using
#      the legacy builder (DOCKER_BUILDKIT=0) so nothing tries to resolve the base remotely.
#   3. A smoke check: node, better-sqlite3 and koffi load inside the image; `vpcemu --help` runs.
# Environment: VPCEMU_IMAGE (default vpcemu:local), VPCEMU_BASE_IMAGE (skip step 1 and use this
# local image instead), VPCEMU_IMAGE_SKIP_SMOKE=1.
set -eu
cd "$(dirname "$0")/.."

say() { echo "build-image: $*"; }
die() { echo "build-image: ERROR: $*" >&2; exit 1; }
t0=$(date +%s)

command -v docker >/dev/null 2>&1 || die "no docker client on PATH (run scripts/ci/10-docker.sh, or install docker.io)"
docker info >/dev/null 2>&1 || die "no Docker engine answers (run: bash scripts/ci/10-docker.sh)"
[ -d node_modules ] || die "node_modules/ missing: run 'npm ci' first (the image copies it, no registry)"
[ -f node_modules/better-sqlite3/build/Release/better_sqlite3.node ] ||
  die "better-sqlite3 is not built in node_modules (npm ci with its install script)"

image=${VPCEMU_IMAGE:-vpcemu:local}
version=$(node -p 'require("./package.json").version')
node_major=$(node -p 'process.versions.node.split(".")[0]')
arch=$(node -p 'process.platform + "_" + process.arch')

base=${VPCEMU_BASE_IMAGE:-}
if [ -z "$base" ]; then
  base="vpcemu-base:node${node_major}-local"
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/vpcemu-base.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  say "making the base root filesystem from this machine's Node $(node --version)"
  hash=$(bash scripts/docker/make-base-rootfs.sh "$tmp/rootfs.tar" \
    node_modules/better-sqlite3/build/Release/better_sqlite3.node \
    "node_modules/koffi/build/koffi/$arch/koffi.node" | tail -n 1) ||
    die "could not make the base root filesystem"
  # Why: sh has no pipefail; a failing make-base-rootfs.sh shows as an empty hash.
  [ -n "$hash" ] && [ -s "$tmp/rootfs.tar" ] || die "could not make the base root filesystem (see above)"
  have=$(docker image inspect -f '{{index .Config.Labels "vpcemu.base.hash"}}' "$base" 2>/dev/null || true)
  if [ "$have" = "$hash" ]; then
    say "$base is up to date (hash $hash)"
  else
    say "importing $base (hash $hash)"
    docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change "LABEL vpcemu.base.hash=$hash vpcemu.base.node=$(node --version)" \
      --change 'WORKDIR /' \
      --change 'CMD ["node"]' \
      "$tmp/rootfs.tar" "$base" >/dev/null || die "docker import of $base failed"
  fi
else
  docker image inspect "$base" >/dev/null 2>&1 || die "VPCEMU_BASE_IMAGE=$base is not a local image"
fi

# The image carries the compiled package (Dockerfile), never the TypeScript sources.
say "building dist/ (npm run build)"
node scripts/build.mjs || die "npm run build failed (see above)"

say "building $image from Dockerfile on $base (legacy builder, --pull=false)"
DOCKER_BUILDKIT=0 docker build --pull=false \
  --build-arg "BASE_IMAGE=$base" \
  --label "org.opencontainers.image.version=$version" \
  -t "$image" -t "vpcemu:$version" . ||
  die "docker build failed (see above)"

if [ "${VPCEMU_IMAGE_SKIP_SMOKE:-}" != 1 ]; then
  say "smoke check: node, better-sqlite3, koffi, libpcap, ip inside $image"
  docker run --rm --network none --entrypoint node "$image" -e '
    const { createRequire } = require("node:module");
    const r = createRequire("/opt/vpcemu/package.json");
    const Database = r("better-sqlite3");
    const db = new Database(":memory:");
    const v = db.prepare("select sqlite_version() as v").get().v;
    const koffi = r("koffi");
    const getpid = koffi.load("libc.so.6").func("int getpid(void)");
    const pcapVersion = koffi.load("libpcap.so.0.8").func("const char *pcap_lib_version(void)");
    console.log(`node ${process.version}, sqlite ${v}, koffi ${koffi.version}, getpid() ${getpid()}, ${pcapVersion()}`);
  ' || die "native modules (or libpcap for capture filters) do not load inside $image"
  docker run --rm --network none --entrypoint ip "$image" -V >/dev/null || die "iproute2 'ip' does not run inside $image"
  docker run --rm --network none "$image" --help >/dev/null ||
    die "'vpcemu --help' does not run inside $image"
fi

size=$(docker image inspect -f '{{.Size}}' "$image")
say "done in $(($(date +%s) - t0)) s: $image and vpcemu:$version ($((size / 1000000)) MB)"
