#!/usr/bin/env bash
# Writes a minimal root filesystem built from THIS machine's own Node runtime to a tarball, for
# `docker import` (no registry involved). Holds: node, /bin/sh, iproute2's `ip` (the agent
# configures its TUN with it), mknod/mkdir (the agent creates /dev/net/tun when missing), a few
# coreutils for debugging, ping when installed, the shared libraries all of them and the app's
# native modules need (found with ldd), and a small /etc.
# libpcap (loaded by koffi for capture filters) is copied too.
#   bash scripts/docker/make-base-rootfs.sh OUT.tar [NATIVE_MODULE.node ...]
# Prints the content hash of what went in (the image label that lets build-image.sh skip
# re-importing an unchanged base) on stdout's last line.
set -euo pipefail

out=${1:?usage: make-base-rootfs.sh OUT.tar [native .node files...]}
shift
natives=("$@")

die() { echo "make-base-rootfs: ERROR: $*" >&2; exit 1; }

root=$(mktemp -d "${TMPDIR:-/tmp}/vpcemu-rootfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
chmod 0755 "$root"

# Mirror the host's merged-/usr layout (Debian 12: /bin -> usr/bin, /lib -> usr/lib, ...), so
# paths ldd prints resolve the same way inside the image.
mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib"
for d in bin sbin lib lib64; do
  if [ -L "/$d" ]; then
    ln -s "$(readlink "/$d")" "$root/$d"
  else
    mkdir -p "$root/$d"
  fi
done

# copy_into_root PATH: copies PATH's content (symlinks followed) to the same place in the
# rootfs, with the directory resolved as on the host.
copy_into_root() {
  local p=$1 dir
  dir=$(readlink -f "$(dirname "$p")")
  mkdir -p "$root$dir"
  [ -e "$root$dir/$(basename "$p")" ] || cp -L --preserve=mode "$p" "$root$dir/$(basename "$p")"
}

# copy_libs FILE: every shared library ldd reports for FILE, plus the dynamic loader.
copy_libs() {
  local f=$1 lib
  # ldd lines: "libx.so => /path (0x..)", "/lib64/ld-linux-x86-64.so.2 (0x..)", "linux-vdso.so.1 (0x..)"
  while read -r lib; do
    [ -n "$lib" ] && copy_into_root "$lib"
  done < <(ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
  if ldd "$f" 2>&1 | grep -q 'not found'; then
    die "ldd $f reports missing libraries: $(ldd "$f" | grep 'not found' | tr -d '\t')"
  fi
}

required=(node sh ip mknod mkdir)
optional=(cat ls sleep env rm chmod ln true ping)
bins=()
for c in "${required[@]}"; do
  p=$(type -P "$c" 2>/dev/null) || die "'$c' is not installed on this machine (needed in the image)"
  bins+=("$p")
done
for c in "${optional[@]}"; do
  p=$(type -P "$c" 2>/dev/null) && bins+=("$p") || true
done

for b in "${bins[@]}"; do
  real=$(readlink -f "$b")
  copy_into_root "$b"
  copy_libs "$real"
done
for n in "${natives[@]}"; do
  [ -f "$n" ] || die "native module $n not found"
  copy_libs "$n"
done
# Debian 12's /bin/sh is dash under the name sh; the copy above already made usr/bin/sh a file.

# Libraries the app loads itself (koffi.load) that no ldd above lists: libpcap, with which agents
# compile capture filters (node-agent/capture/bpf-filter.ts). Required: setup.sh installs
# libpcap0.8, and an image without it would refuse `vpcemu capture --filter` on its agents.
dlopened=(libpcap.so.0.8)
for so in "${dlopened[@]}"; do
  p=$(ldconfig -p | awk -v so="$so" '$1 == so && $NF ~ /^\// {print $NF; exit}')
  [ -n "$p" ] || die "$so is not installed on this machine (Debian: apt-get install libpcap0.8)"
  copy_into_root "$p"
  copy_libs "$(readlink -f "$p")"
done

# glibc resolves names itself (nss files/dns are built into libc since 2.34).
mkdir -p "$root/etc" "$root/tmp" "$root/root" "$root/dev" "$root/proc" "$root/sys" "$root/run" "$root/var/tmp"
chmod 1777 "$root/tmp" "$root/var/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
[ -d /etc/iproute2 ] && cp -r /etc/iproute2 "$root/etc/iproute2"
[ -d /usr/share/iproute2 ] && mkdir -p "$root/usr/share" && cp -r /usr/share/iproute2 "$root/usr/share/iproute2"

# Content hash: the sorted list of files with their sizes and checksums.
hash=$(cd "$root" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
tar --numeric-owner -C "$root" -cf "$out" .
echo "make-base-rootfs: $(du -sh "$out" | cut -f1) rootfs with: $(for b in "${bins[@]}"; do basename "$b"; done | tr '\n' ' ')" >&2
echo "$hash"
