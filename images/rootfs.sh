#!/usr/bin/env bash
# Builds the Debian bookworm base layer of jinit's images without a registry:
#   debootstrap --variant=minbase --include=PKGS bookworm DIR MIRROR
# then `docker import`s DIR as $JINIT_ROOTFS_IMAGE (default
# jinit/debian-rootfs:bookworm).
#
# Usage: images/rootfs.sh [--force]
#   --force   rebuild even when the image or the cached tarball exists
#
# Cache, in this order:
#   1. the image tag exists and its label io.jinit.rootfs.key matches the
#      package list below -> nothing to do;
#   2. $JINIT_CACHE_DIR/debian-rootfs-bookworm-<key>.tar exists (written by
#      `docker save` after a build; default dir /var/cache/jinit) -> `docker load`;
#   3. otherwise debootstrap (1-3 min), import, and save the tarball.
# The key is a hash of suite + package list, so changing PACKAGES below
# rebuilds instead of reusing a stale layer.
#
# Images built FROM this layer are built with --network=none and cannot
# apt-get: whatever jinit/base and the tests need at run time must be listed
# here. jinit/baseimage's own packages (syslog-ng, cron, logrotate,
# openssh-server) are not: they are downloaded for this layer by
# images/baseimage/fetch-debs.sh and installed from a local repository, so
# jinit/base does not carry them.
#
# Environment:
#   JINIT_DEBIAN_MIRROR  mirror URL (default: the first non-security `URIs:`
#                        of /etc/apt/sources.list.d/*.sources, else the first
#                        `deb` line of /etc/apt/sources.list, else
#                        http://deb.debian.org/debian)
#   JINIT_ROOTFS_IMAGE   image tag (default jinit/debian-rootfs:bookworm)
#   JINIT_CACHE_DIR      tarball cache dir (default /var/cache/jinit; set it
#                        to the empty string to disable the tarball cache)
#   TMPDIR               where the debootstrap tree is built (default /var/tmp)
set -euo pipefail

suite=bookworm
image=${JINIT_ROOTFS_IMAGE:-jinit/debian-rootfs:bookworm}
cache_dir=${JINIT_CACHE_DIR-/var/cache/jinit}

# What jinit/base and the tests that run on it need at run time (minbase
# already has bash, coreutils, grep, sed, findutils, util-linux, dpkg, apt):
#   runit            runsvdir, runsv, sv: the service supervisor my_init starts
#   procps           ps, pkill, pgrep (tests look at the process tree)
#   tini, dumb-init  alternative PID 1s (`docker run --init`, comparisons)
# Nothing else: jinit/base stays minimal. The services of a phusion-like image
# (syslog-ng, cron, logrotate, sshd) are jinit/baseimage's, installed from the
# local repository of images/baseimage/fetch-debs.sh.
PACKAGES=(runit procps bash tini dumb-init)

say() { echo "rootfs: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

force=0
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done

include=$(IFS=,; echo "${PACKAGES[*]}")
key=$(printf '%s\n' "$suite" "$include" "minbase" | sha256sum | cut -c1-12)
tarball=${cache_dir:+$cache_dir/debian-rootfs-$suite-$key.tar}

docker info >/dev/null 2>&1 || die "no Docker daemon answers (run images/docker-up.sh)"

image_key() { docker image inspect --format '{{ index .Config.Labels "io.jinit.rootfs.key" }}' "$image" 2>/dev/null || true; }

if [ "$force" -eq 0 ]; then
  have=$(image_key)
  if [ "$have" = "$key" ]; then
    say "$image exists (key $key): reusing it"
    exit 0
  elif [ -n "$have" ]; then
    say "$image exists with key $have, package list now has key $key: rebuilding"
  fi
  if [ -n "$tarball" ] && [ -s "$tarball" ]; then
    say "loading $tarball"
    docker load -i "$tarball" >&2
    if [ "$(image_key)" = "$key" ]; then
      say "$image loaded from the cache (key $key)"
      exit 0
    fi
    say "the cached tarball did not give $image with key $key: rebuilding"
  fi
fi

[ "$(id -u)" -eq 0 ] || die "debootstrap needs root"
if ! command -v debootstrap >/dev/null; then
  "$(dirname "$0")/apt-install.sh" "building the Debian layer" debootstrap
  command -v debootstrap >/dev/null || die "debootstrap is installed but not on PATH"
fi

mirror_from_host() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    # first URIs: line that is not the security archive
    uri=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  if [ -r /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($i !~ /security/) print $i; break } }' /etc/apt/sources.list | head -n1)
    [ -n "$uri" ] && { echo "$uri"; return; }
  fi
  echo http://deb.debian.org/debian
}
mirror=${JINIT_DEBIAN_MIRROR:-$(mirror_from_host)}

work=$(mktemp -d "${TMPDIR:-/var/tmp}/jinit-rootfs.XXXXXX")
root=$work/root
cleanup() {
  # debootstrap mounts proc/sys (and more) in the target; never rm -rf across them
  local m
  for m in $(awk -v r="$work" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

start=$SECONDS
say "debootstrap --variant=minbase --include=$include $suite $root $mirror"
if ! debootstrap --variant=minbase --include="$include" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
  tail -n 40 "$work/debootstrap.log" >&2
  [ -f "$root/debootstrap/debootstrap.log" ] && tail -n 40 "$root/debootstrap/debootstrap.log" >&2
  die "debootstrap failed (mirror $mirror)"
fi
boot_time=$((SECONDS - start))
say "debootstrap done in ${boot_time}s ($(du -sh --one-file-system "$root" | cut -f1))"

# --- slim the tree down; nothing below may change what a package does ---
r=$root
rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb \
       "$r"/var/cache/apt/archives/partial/* "$r"/var/cache/debconf/*-old \
       "$r"/var/lib/dpkg/*-old "$r"/var/cache/ldconfig/aux-cache "$r"/debootstrap
# documentation: keep the copyright files, as debian:bookworm-slim does
find "$r"/usr/share/doc -mindepth 1 -not -type d -not -name copyright -delete
find "$r"/usr/share/doc -mindepth 1 -type d -empty -delete
rm -rf "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/usr/share/lintian "$r"/usr/share/linda
find "$r"/usr/share/locale -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
# the same exclusions for anything installed later (as in debian:bookworm-slim)
cat > "$r"/etc/dpkg/dpkg.cfg.d/jinit-slim <<'CFG'
# jinit base layer: no documentation (copyright files are kept)
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
CFG
# logs of the install, host identity, per-machine secrets: none in an image
find "$r"/var/log -type f -delete
: > "$r"/etc/machine-id
: > "$r"/etc/resolv.conf        # docker bind-mounts its own
echo localhost > "$r"/etc/hostname
# sshd host keys made by a postinst would be shared by every container: remove
# them (none while PACKAGES has no openssh-server; jinit/baseimage's install.sh
# removes its own, and its startup script makes them per container)
rm -f "$r"/etc/ssh/ssh_host_*
# apt: no recommends in images built on this layer (when they have a network)
cat > "$r"/etc/apt/apt.conf.d/90jinit <<'CFG'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
CFG
say "slimmed to $(du -sh --one-file-system "$root" | cut -f1)"

created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
say "docker import -> $image"
tar --numeric-owner --xattrs --one-file-system -C "$root" -cf - . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV DEBIAN_FRONTEND=noninteractive' \
  --change 'CMD ["/bin/bash"]' \
  --change "LABEL io.jinit.rootfs.key=$key" \
  --change "LABEL io.jinit.rootfs.suite=$suite" \
  --change "LABEL io.jinit.rootfs.packages=$include" \
  --change "LABEL io.jinit.rootfs.mirror=$mirror" \
  --change "LABEL org.opencontainers.image.created=$created" \
  --message "debootstrap --variant=minbase --include=$include $suite" \
  - "$image" >&2

if [ -n "$tarball" ]; then
  mkdir -p "$cache_dir"
  say "docker save -> $tarball"
  rm -f "$cache_dir"/debian-rootfs-"$suite"-*.tar
  docker save -o "$tarball.tmp" "$image" && mv -f "$tarball.tmp" "$tarball"
fi
total=$((SECONDS - start))
say "$image built in ${total}s (debootstrap ${boot_time}s), size $(docker image inspect --format '{{.Size}}' "$image" | numfmt --to=iec)"
