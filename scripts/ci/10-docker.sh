#!/usr/bin/env bash
# CI step: make sure a Docker engine answers on the default socket (DOCKER_HOST unset ->
# unix:///var/run/docker.sock). Idempotent: does nothing when `docker info` already answers.
#   - installs Debian's docker.io + docker-compose when dockerd is missing (needs root, apt);
#   - starts dockerd in the background (log: $VPCEMU_DOCKERD_LOG, default /var/log/vpcemu-dockerd.log)
#     with a storage driver that works on this machine: overlay2 when an overlay mount succeeds
#     on the Docker root's filesystem, else fuse-overlayfs when installed, else vfs
#     (override with VPCEMU_DOCKER_STORAGE_DRIVER);
#   - waits until `docker info` answers, or fails loudly with the tail of the dockerd log.
# No registry is contacted: images are built locally by scripts/build-image.sh.
set -euo pipefail

log=${VPCEMU_DOCKERD_LOG:-/var/log/vpcemu-dockerd.log}
data_root=${VPCEMU_DOCKER_DATA_ROOT:-/var/lib/docker}
wait_s=${VPCEMU_DOCKERD_WAIT_S:-90}

say() { echo "10-docker: $*"; }
die() { echo "10-docker: ERROR: $*" >&2; exit 1; }

if docker info >/dev/null 2>&1; then
  say "Docker engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null)); nothing to do"
  exit 0
fi
if [ -n "${DOCKER_HOST:-}" ]; then
  die "DOCKER_HOST=$DOCKER_HOST is set but does not answer; unset it to use a local dockerd"
fi
[ "$(id -u)" = 0 ] || die "no Docker engine answers and starting one needs root"

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
    die "apt-get install ${need[*]} failed"
fi
command -v docker >/dev/null 2>&1 || die "no docker client on PATH after installing docker.io"

# A previous dockerd that died leaves a pid file behind; one that still runs but does not answer
# is not ours to kill: report it.
pidfile=/var/run/docker.pid
if [ -f "$pidfile" ]; then
  oldpid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -n "$oldpid" ] && kill -0 "$oldpid" 2>/dev/null; then
    say "dockerd (pid $oldpid) is running but not answering yet; waiting for it"
  else
    rm -f "$pidfile"
  fi
fi

pick_driver() {
  if [ -n "${VPCEMU_DOCKER_STORAGE_DRIVER:-}" ]; then echo "$VPCEMU_DOCKER_STORAGE_DRIVER"; return; fi
  mkdir -p "$data_root"
  local probe
  probe=$(mktemp -d "$data_root/.overlay-probe.XXXXXX")
  mkdir -p "$probe/l" "$probe/u" "$probe/w" "$probe/m"
  if grep -qw overlay /proc/filesystems &&
    mount -t overlay overlay -o "lowerdir=$probe/l,upperdir=$probe/u,workdir=$probe/w" "$probe/m" 2>/dev/null; then
    umount "$probe/m"
    rm -rf "$probe"
    echo overlay2
    return
  fi
  rm -rf "$probe"
  if command -v fuse-overlayfs >/dev/null 2>&1 && [ -e /dev/fuse ]; then echo fuse-overlayfs; else echo vfs; fi
}

if ! { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
  driver=$(pick_driver)
  say "starting dockerd (storage driver $driver, data root $data_root, log $log)"
  mkdir -p "$(dirname "$log")"
  # setsid + nohup: dockerd outlives this script and the CI step's process group.
  setsid nohup dockerd --host unix:///var/run/docker.sock --storage-driver "$driver" \
    --data-root "$data_root" >>"$log" 2>&1 </dev/null &
fi

for ((i = 0; i < wait_s * 2; i++)); do
  if docker info >/dev/null 2>&1; then
    say "Docker engine up after ~$((i / 2)) s: $(docker info --format 'server {{.ServerVersion}}, storage {{.Driver}}, cgroup {{.CgroupVersion}}' 2>/dev/null)"
    exit 0
  fi
  sleep 0.5
done
echo "10-docker: ERROR: dockerd did not answer within ${wait_s} s; last lines of $log:" >&2
tail -n 40 "$log" >&2 || true
exit 1
