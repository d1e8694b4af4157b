#!/usr/bin/env bash
# Installs what vpcemu needs on a fresh Debian/Ubuntu machine (run as root), then the npm
# dependencies. Idempotent: installs only what is missing. Used by README's commands and .ci/run.
#   bash scripts/setup.sh            system packages + npm ci
#   bash scripts/setup.sh --all      also the Docker tier: a Docker engine (started when none
#                                    answers) and the vpcemu:local image built with no registry
#   bash scripts/setup.sh --no-npm   system packages only
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "setup.sh: run as root (vpcemu creates network namespaces and TUN devices)" >&2
  exit 1
fi

# command -> Debian package
declare -A want=(
  [ip]=iproute2 [ping]=iputils-ping [iperf3]=iperf3 [nft]=nftables
  [dockerd]=docker.io [docker-compose]=docker-compose [tshark]=tshark
)
missing=()
for cmd in "${!want[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${want[$cmd]}")
done
# The aws CLI test wants Debian's awscli unless an aws CLI is already on PATH.
command -v aws >/dev/null 2>&1 || missing+=(awscli)
# Capture filters load libpcap (vpcemu capture, node-agent/capture/bpf-filter.ts); tshark reads
# the captures in the tests and brings it too.
ldconfig -p | grep -q 'libpcap\.so\.0\.8' || missing+=(libpcap0.8)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -e /dev/net/tun ] || { mkdir -p /dev/net && mknod /dev/net/tun c 10 200 && chmod 0666 /dev/net/tun; }

if [ "${1:-}" != "--no-npm" ]; then
  npm ci --no-audit --no-fund
fi

# The Docker tier's provisioning lives in scripts/ci/ (engine, image), run in order.
if [ "${1:-}" = "--all" ]; then
  for step in scripts/ci/*.sh; do
    echo "== setup.sh: $step"
    bash "$step"
  done
fi
