#!/usr/bin/env bash
# Writes DIR/build-info.properties for `my_init --version`: the git commit the build was made
# from (with -dirty when the work tree has changes; "unknown" outside a git checkout) and the
# build time in UTC.
# Usage: build-info.sh DIR REPOSITORY
set -euo pipefail
dir=$1 repo=$2
commit=$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && ! git -C "$repo" diff --quiet HEAD -- 2>/dev/null; then
  commit="$commit-dirty"
fi
mkdir -p "$dir"
printf 'commit=%s\ndate=%s\n' "$commit" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$dir/build-info.properties"
