#!/usr/bin/env bash
# Builds the service images of tugboat's test bed from Debian bookworm packages, on the
# base image tugboat-test/debian:bookworm (made by scripts/testbed.sh):
#   tugboat-test/zookeeper:3.8    scripts/images/zookeeper/   ZooKeeper 3.8.0, OpenJDK 17 (headless)
#   tugboat-test/haproxy:2.6      scripts/images/haproxy/     HAProxy 2.6 as user haproxy, bash, no socat
#   tugboat-test/haproxy:2.6-busybox scripts/images/haproxy-busybox/  the same HAProxy with busybox only
#   tugboat-test/haproxy:2.6-socat scripts/images/haproxy-socat/  the same HAProxy with socat
#   tugboat-test/mariadb:10.11    scripts/images/mariadb/     MariaDB 10.11 server + client
#   tugboat-test/nginx:1.22       scripts/images/nginx/       nginx 1.22 (light) + curl
# Each follows the interface of the official image of the same name (see the Dockerfiles).
#
# Usage: scripts/images/build.sh [zookeeper|haproxy|mariadb ...]    (default: all six)
#
# Idempotent: an image is built only when `docker image inspect` finds it missing, or when
# its tugboat.context label (a hash of its folder here) differs from the folder's current
# hash, i.e. its Dockerfile or scripts changed since it was built. The images build side by
# side (they mostly wait on the mirror and dpkg). Progress goes to stderr; a failed build
# shows the end of its log and makes the script exit 1.
# Environment:
#   TUGBOAT_TESTBED_REBUILD=1   rebuild even when the images exist and are current
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BASE_IMAGE=tugboat-test/debian:bookworm
ALL=(zookeeper haproxy haproxy-busybox haproxy-socat mariadb nginx)
declare -A TAGS=(
  [zookeeper]=tugboat-test/zookeeper:3.8
  [haproxy]=tugboat-test/haproxy:2.6
  [haproxy-busybox]=tugboat-test/haproxy:2.6-busybox
  [haproxy-socat]=tugboat-test/haproxy:2.6-socat
  [mariadb]=tugboat-test/mariadb:10.11
  [nginx]=tugboat-test/nginx:1.22
)

# Images built FROM another test image: after it, and stale when it is.
declare -A BASES=(
  [haproxy-socat]=haproxy
)

# The legacy builder needs no buildx plugin and works with every CLI/engine pair here.
export DOCKER_BUILDKIT=0

START=$SECONDS
log() { printf 'images: %s\n' "$*" >&2; }
die() { printf 'images: ERROR: %s\n' "$*" >&2; exit 1; }

# A hash of the build context (file names and contents; the Dockerfiles set the modes),
# to find stale images.
context_hash() {
  (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}

# The context's hash, and its base image's for one built FROM another.
image_hash() {
  local h base=${BASES[$1]:-}
  h=$(context_hash "$HERE/$1")
  [ -z "$base" ] || h=$(printf '%s%s' "$h" "$(image_hash "$base")" | sha256sum | cut -c1-16)
  echo "$h"
}

needs_build() {
  local name=$1 tag=${TAGS[$1]} want have
  [ "${TUGBOAT_TESTBED_REBUILD:-0}" = 1 ] && return 0
  docker image inspect "$tag" >/dev/null 2>&1 || return 0
  want=$(image_hash "$name")
  have=$(docker image inspect -f '{{index .Config.Labels "tugboat.context"}}' "$tag" 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    log "$tag is older than scripts/images/$name; rebuilding"
    return 0
  fi
  return 1
}

build_one() {
  local name=$1 tag=${TAGS[$1]} t0=$SECONDS logf old new
  local opts=(--force-rm --label "tugboat.context=$(image_hash "$name")" -t "$tag")
  # --force-rm: a failed step leaves no container behind. A forced rebuild fetches the
  # packages again (security updates) instead of reusing cached layers.
  [ "${TUGBOAT_TESTBED_REBUILD:-0}" = 1 ] && opts+=(--no-cache)
  old=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  logf=$(mktemp "${TMPDIR:-/tmp}/tugboat-image-$name.XXXXXX")
  log "building $tag (scripts/images/$name)"
  if ! docker build "${opts[@]}" "$HERE/$name" >"$logf" 2>&1; then
    tail -n 30 "$logf" >&2
    rm -f "$logf"
    log "docker build $tag failed"
    return 1
  fi
  rm -f "$logf"
  # The replaced image, untagged now, goes unless a container still uses it.
  new=$(docker image inspect -f '{{.Id}}' "$tag")
  if [ -n "$old" ] && [ "$old" != "$new" ]; then
    docker image rm "$old" >/dev/null 2>&1 || true
  fi
  log "built $tag in $((SECONDS - t0)) s ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{ printf "%d MB", $1 / 1000000 }'))"
}

main() {
  local names=("$@") name
  [ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")
  for name in "${names[@]}"; do
    [ -n "${TAGS[$name]:-}" ] || die "unknown image '$name' (known: ${ALL[*]})"
    [ -f "$HERE/$name/Dockerfile" ] || die "missing $HERE/$name/Dockerfile"
  done
  docker info >/dev/null 2>&1 || die "no Docker engine answers 'docker info' (run scripts/testbed.sh first)"

  local todo=()
  for name in "${names[@]}"; do
    needs_build "$name" && todo+=("$name")
  done
  if [ ${#todo[@]} -eq 0 ]; then
    return 0
  fi
  docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 ||
    die "base image $BASE_IMAGE is missing (scripts/testbed.sh builds it)"

  # Side by side, those built FROM another test image in a second wave.
  local wave first=() second=()
  for name in "${todo[@]}"; do
    if [ -n "${BASES[$name]:-}" ]; then second+=("$name"); else first+=("$name"); fi
  done
  for wave in first second; do
    local -n names_of=$wave
    declare -A pids=()
    for name in "${names_of[@]}"; do
      build_one "$name" &
      pids[$name]=$!
    done
    local failed=()
    for name in "${names_of[@]}"; do
      wait "${pids[$name]}" || failed+=("${TAGS[$name]}")
    done
    [ ${#failed[@]} -eq 0 ] || die "failed to build: ${failed[*]} (see above)"
    unset -n names_of
    unset pids
  done
  log "images ready in $((SECONDS - START)) s"
}

main "$@"
