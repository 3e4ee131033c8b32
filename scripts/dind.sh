#!/usr/bin/env bash
# Docker-in-Docker test hosts (TESTBED.md §4).
#
#   scripts/dind.sh start NAME ADDR IMAGE [NETWORK [LABEL]]
#       Runs IMAGE (tugboat-test/dind:bookworm or :trixie) as container NAME, its engine's
#       API published on tcp://ADDR:2375 (ADDR a loopback address such as 127.0.0.2),
#       waits until that API answers (60 s at most) and loads tugboat-test/busybox:latest
#       into it. A container already named NAME is removed first. With NETWORK it joins
#       that existing user network of the outer engine (so hosts can reach each other, as
#       a swarm needs: scripts/swarm.sh); LABEL is its io.tugboat.test value (default dind).
#       The inner engine's /var/lib/docker is an anonymous volume, off the container's own
#       overlay: there it can pick overlay2 instead of vfs, which copied every image layer
#       in full (a swarm node's images took ~4 GB instead of ~1 GB, and a CI disk filled).
#   scripts/dind.sh stop NAME
#       Removes container NAME (and its anonymous volumes); fine if it does not exist.
#
# Progress and errors go to stderr; exit status is non-zero on failure.
# Needs the images from scripts/testbed.sh.
set -euo pipefail

BUSYBOX_IMAGE=tugboat-test/busybox:latest
WAIT_SECONDS=60

log() { printf 'dind: %s\n' "$*" >&2; }
die() { printf 'dind: ERROR: %s\n' "$*" >&2; exit 1; }
usage() { die "usage: $0 start NAME ADDR IMAGE [NETWORK [LABEL]] | $0 stop NAME"; }

remove() {
  if docker container inspect "$1" >/dev/null 2>&1; then
    docker rm -f -v "$1" >/dev/null || die "docker rm -f $1 failed"
  fi
}

start() {
  local name=$1 addr=$2 image=$3 network=${4:-} label=${5:-dind}
  local on_network=()
  [ -z "$network" ] || on_network=(--network "$network")
  docker image inspect "$image" >/dev/null 2>&1 || die "image $image is missing (run scripts/testbed.sh)"
  docker image inspect "$BUSYBOX_IMAGE" >/dev/null 2>&1 || die "image $BUSYBOX_IMAGE is missing (run scripts/testbed.sh)"
  remove "$name"

  log "starting $name ($image) on tcp://$addr:2375"
  local t0=$SECONDS
  docker run -d --name "$name" --hostname "$name" \
    --label "io.tugboat.test=$label" "${on_network[@]}" \
    --cap-add=ALL --cap-drop=SYS_RESOURCE \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
    -v /var/lib/docker \
    -e DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1 \
    -p "$addr:2375:2375" \
    "$image" dockerd -H tcp://0.0.0.0:2375 -H unix:///var/run/docker.sock --tls=false \
    >/dev/null || die "docker run $name failed"

  local deadline=$((SECONDS + WAIT_SECONDS)) state
  until DOCKER_HOST="tcp://$addr:2375" docker info >/dev/null 2>&1; do
    state=$(docker container inspect -f '{{.State.Status}}' "$name" 2>/dev/null || echo gone)
    if [ "$state" != running ] || [ "$SECONDS" -ge "$deadline" ]; then
      docker logs --tail 20 "$name" >&2 2>&1 || true
      die "the engine in $name did not answer on tcp://$addr:2375 (container $state, after $((SECONDS - t0)) s)"
    fi
    sleep 0.3
  done
  local version
  version=$(DOCKER_HOST="tcp://$addr:2375" docker version --format '{{.Server.Version}}' 2>/dev/null || true)
  log "$name: engine $version up after $((SECONDS - t0)) s; loading $BUSYBOX_IMAGE"

  docker save "$BUSYBOX_IMAGE" | DOCKER_HOST="tcp://$addr:2375" docker load >/dev/null ||
    die "loading $BUSYBOX_IMAGE into $name failed"
  log "$name ready after $((SECONDS - t0)) s"
}

[ $# -ge 1 ] || usage
case $1 in
  start) [ $# -ge 4 ] && [ $# -le 6 ] || usage; start "${@:2}" ;;
  stop) [ $# -eq 2 ] || usage; remove "$2"; log "$2 removed" ;;
  *) usage ;;
esac
