#!/usr/bin/env bash
# Downloads the Debian packages that jinit/baseimage adds to jinit/base, with all their
# dependencies, into a local flat apt repository (the .deb files and a Packages index):
#   $JINIT_CACHE_DIR/baseimage-debs-<key>/
# The baseimage's Dockerfile COPYs that directory and apt-installs from it with no network,
# so jinit/base stays minimal and `docker build --network=none` works.
#
# How: the file system of the Debian layer ($JINIT_ROOTFS_IMAGE, built by images/rootfs.sh)
# is exported into a temporary directory, and its own apt, in a chroot, resolves
#   apt-get install --download-only --no-install-recommends syslog-ng-core cron logrotate openssh-server
# against exactly the packages that layer has, from the mirror the layer was built from
# (its label io.jinit.rootfs.mirror). So the repository holds what is missing in the layer,
# nothing more, in versions that fit it.
#
# Cache: <key> is a hash of the layer's key (io.jinit.rootfs.key) and the package list: an
# existing, complete directory (its Packages index is written last) is reused at once. A new
# layer or a new list gives a new key and a new download (about 20 s); older
# baseimage-debs-* directories are removed then.
#
# Usage: images/baseimage/fetch-debs.sh [--force]
#   --force   download again even when the directory exists
# Prints the directory on stdout (messages go to stderr).
# Environment:
#   JINIT_ROOTFS_IMAGE   the Debian layer (default jinit/debian-rootfs:bookworm)
#   JINIT_CACHE_DIR      cache dir (default /var/cache/jinit; the empty string: a directory
#                        under ${TMPDIR:-/var/tmp} that is not reused by a later run)
#   JINIT_DEBIAN_MIRROR  mirror URL (default: the layer's io.jinit.rootfs.mirror label)
#   JINIT_DEBS_PACKAGES  other packages than the baseimage's (space-separated; the benchmark's
#                        Python image uses it for python3), cached under JINIT_DEBS_NAME
#   JINIT_DEBS_NAME      the cache directory's prefix (default baseimage-debs)
set -euo pipefail

# The packages the baseimage installs (their dependencies come along):
#   syslog-ng-core   the syslog daemon (phusion's choice), a runit service
#   cron             `cron -f` as a runit service
#   logrotate        run daily by cron, rotates the syslog files
#   openssh-server   sshd, a runit service disabled by a `down` file
PACKAGES=(syslog-ng-core cron logrotate openssh-server)
if [ -n "${JINIT_DEBS_PACKAGES:-}" ]; then read -r -a PACKAGES <<< "$JINIT_DEBS_PACKAGES"; fi
name=${JINIT_DEBS_NAME:-baseimage-debs}
case $name in ''|*[!A-Za-z0-9._-]*) echo "fetch-debs: JINIT_DEBS_NAME='$name': letters, digits, . _ - only" >&2; exit 2 ;; esac

rootfs_image=${JINIT_ROOTFS_IMAGE:-jinit/debian-rootfs:bookworm}
cache_dir=${JINIT_CACHE_DIR-/var/cache/jinit}

say() { echo "fetch-debs: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

force=0
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done

label() { docker image inspect --format "{{ index .Config.Labels \"$1\" }}" "$rootfs_image" 2>/dev/null || true; }
rootfs_key=$(label io.jinit.rootfs.key)
[ -n "$rootfs_key" ] || die "$rootfs_image does not exist or has no io.jinit.rootfs.key label: run images/rootfs.sh first"
suite=$(label io.jinit.rootfs.suite)
suite=${suite:-bookworm}
mirror=${JINIT_DEBIAN_MIRROR:-$(label io.jinit.rootfs.mirror)}
mirror=${mirror:-http://deb.debian.org/debian}

key=$(printf '%s\n' "$rootfs_key" "${PACKAGES[*]}" | sha256sum | cut -c1-12)
if [ -n "$cache_dir" ]; then
  dir=$cache_dir/$name-$key
else
  dir=${TMPDIR:-/var/tmp}/jinit-$name-$key-$$
fi

if [ "$force" -eq 0 ] && [ -s "$dir/Packages" ]; then
  say "reusing $dir ($(ls "$dir"/*.deb 2>/dev/null | wc -l) packages, key $key)"
  echo "$dir"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "downloading the packages needs root (chroot)"
rm -rf "$dir"   # forced, or left incomplete: only a complete one is ever moved into place
start=$SECONDS
work=$(mktemp -d "${TMPDIR:-/var/tmp}/jinit-debs.XXXXXX")
root=$work/root
cid=
cleanup() {
  local m
  [ -z "$cid" ] || docker rm -f "$cid" >/dev/null 2>&1 || true
  # never rm -rf across the bind mounts of the chroot
  for m in $(awk -v r="$work" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

say "exporting the file system of $rootfs_image (key $rootfs_key)"
mkdir -p "$root"
cid=$(docker create --network none "$rootfs_image" /bin/true)
docker export "$cid" | tar -x --numeric-owner -C "$root"
docker rm "$cid" >/dev/null
cid=

# the chroot's apt: the layer's mirror, the host's name resolution, /dev and /proc
printf 'deb %s %s main\n' "$mirror" "$suite" > "$root/etc/apt/sources.list"
rm -f "$root"/etc/apt/sources.list.d/*
rm -f "$root/etc/resolv.conf"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/dev" "$root/proc"
mount --bind /dev "$root/dev"
mount -t proc proc "$root/proc"

log=$work/apt.log
say "apt-get update ($mirror $suite main)"
if ! chroot "$root" apt-get -q update >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  die "apt-get update failed in the chroot of $rootfs_image (mirror $mirror)"
fi
say "apt-get install --download-only --no-install-recommends ${PACKAGES[*]}"
if ! chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -q -y install --download-only \
    --no-install-recommends "${PACKAGES[@]}" >>"$log" 2>&1; then
  tail -n 30 "$log" >&2
  die "downloading ${PACKAGES[*]} failed (mirror $mirror)"
fi

# a flat repository: the .debs and a Packages index (`deb [trusted=yes] file:DIR ./`)
tmp=$dir.tmp.$$
rm -rf "$tmp"
mkdir -p "$tmp"
shopt -s nullglob
debs=("$root"/var/cache/apt/archives/*.deb)
for deb in "${debs[@]}"; do
  # an epoch is written %3a in the file name; apt would decode it in a file: URI
  name=${deb##*/}
  cp "$deb" "$tmp/${name//%3a/_}"
done
{
  for deb in "$tmp"/*.deb; do
    dpkg-deb -f "$deb"
    printf 'Filename: ./%s\nSize: %s\nSHA256: %s\n\n' "${deb##*/}" "$(stat -c %s "$deb")" \
      "$(sha256sum "$deb" | cut -d' ' -f1)"
  done
} > "$tmp/Packages.new"
# what apt would do with them on the layer (removals included), for the record
chroot "$root" apt-get -s -q -y install --no-install-recommends "${PACKAGES[@]}" 2>/dev/null \
  | grep -E '^(Inst|Remv) ' > "$tmp/plan.txt" || true
printf '%s\n' "rootfs_image=$rootfs_image" "rootfs_key=$rootfs_key" "mirror=$mirror" "suite=$suite" \
  "packages=${PACKAGES[*]}" "key=$key" > "$tmp/SOURCE"
mv "$tmp/Packages.new" "$tmp/Packages"

if [ -n "$cache_dir" ]; then
  for old in "$cache_dir/$name"-*; do
    case $old in "$dir"|*.tmp.*) continue ;; esac
    [ ! -d "$old" ] || { say "removing the stale $old"; rm -rf "$old"; }
  done
fi
# atomic: a concurrent build that finished first keeps its (identical) directory
if ! mv -T "$tmp" "$dir" 2>/dev/null; then
  say "$dir was made meanwhile by another build: using it"
  rm -rf "$tmp"
fi
say "$dir: ${#debs[@]} packages, $(du -sh "$dir" | cut -f1), in $((SECONDS - start))s"
echo "$dir"
