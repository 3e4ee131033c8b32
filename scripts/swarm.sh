#!/usr/bin/env bash
# A swarm of three Docker engines for tests (TESTBED.md §3 and §4).
#
#   scripts/swarm.sh up [--managers 1|3] PREFIX
#       Starts three Docker-in-Docker hosts (tugboat-test/dind:trixie, Engine 26) named
#       PREFIX-1, PREFIX-2, PREFIX-3 on one user network of the outer engine, PREFIX-net,
#       each engine's API on tcp://127.0.0.5N:2375: .51-.53 with one manager (PREFIX-1)
#       and two workers, .54-.56 with three managers, so both variants can run at once.
#       The swarm is made on PREFIX-1 (advertised on its address on PREFIX-net), the
#       others join it; tugboat-test/busybox:latest is loaded into every host
#       (scripts/dind.sh). Returns once every node is ready. Leftovers of PREFIX go first.
#   scripts/swarm.sh down PREFIX
#       Removes the three hosts and the network; fine if they do not exist.
#
# Everything made is labelled io.tugboat.test=swarm. Progress and times go to stderr.
set -euo pipefail

IMAGE=tugboat-test/dind:trixie
LABEL=swarm
READY_SECONDS=60
DIND="$(dirname "$0")/dind.sh"

log() { printf 'swarm: %s\n' "$*" >&2; }
die() { printf 'swarm: ERROR: %s\n' "$*" >&2; exit 1; }
usage() { die "usage: $0 up [--managers 1|3] PREFIX | $0 down PREFIX"; }

# The loopback address of host I (1-3) of a swarm with MANAGERS managers.
addr() {
  local managers=$1 i=$2
  if [ "$managers" -eq 1 ]; then echo "127.0.0.$((50 + i))"; else echo "127.0.0.$((53 + i))"; fi
}

on() { local a=$1; shift; DOCKER_HOST="tcp://$a:2375" docker "$@"; }

down() {
  local prefix=$1 i
  for i in 1 2 3; do
    if docker container inspect "$prefix-$i" >/dev/null 2>&1; then
      docker rm -f -v "$prefix-$i" >/dev/null || die "docker rm -f $prefix-$i failed"
    fi
  done
  if docker network inspect "$prefix-net" >/dev/null 2>&1; then
    docker network rm "$prefix-net" >/dev/null || die "docker network rm $prefix-net failed"
  fi
}

# Starts the three hosts at once (each engine takes seconds to come up); fails
# when any did not, with that host's own messages above.
start_hosts() {
  local prefix=$1 managers=$2 i pids=() failed=0
  for i in 1 2 3; do
    "$DIND" start "$prefix-$i" "$(addr "$managers" "$i")" "$IMAGE" "$prefix-net" "$LABEL" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || failed=1; done
  [ "$failed" -eq 0 ] || die "a host of $prefix did not start"
}

# Waits until the manager at $1 lists $2 nodes ready (and, for managers, reachable).
wait_ready() {
  local a=$1 want=$2 deadline=$((SECONDS + READY_SECONDS)) ready
  while :; do
    ready=$(on "$a" node ls --format '{{.Status}} {{.ManagerStatus}}' 2>/dev/null |
      grep -c '^Ready \(\|Leader\|Reachable\)$' || true)
    [ "$ready" -eq "$want" ] && return 0
    [ "$SECONDS" -lt "$deadline" ] || {
      on "$a" node ls >&2 || true
      die "only $ready of $want nodes ready after ${READY_SECONDS}s"
    }
    sleep 0.3
  done
}

up() {
  local prefix=$1 managers=$2 t0=$SECONDS i first ip token role
  log "removing leftovers of $prefix"
  down "$prefix"
  docker network create --label "io.tugboat.test=$LABEL" "$prefix-net" >/dev/null ||
    die "docker network create $prefix-net failed"
  log "starting $prefix-1..3 on $prefix-net ($managers manager(s))"
  start_hosts "$prefix" "$managers"
  log "hosts up after $((SECONDS - t0)) s"

  first=$(addr "$managers" 1)
  net_ip() { docker inspect -f "{{(index .NetworkSettings.Networks \"$prefix-net\").IPAddress}}" "$1"; }
  ip=$(net_ip "$prefix-1")
  on "$first" swarm init --advertise-addr "$ip" >/dev/null || die "swarm init on $prefix-1 failed"
  role=worker
  [ "$managers" -eq 1 ] || role=manager
  token=$(on "$first" swarm join-token -q "$role") || die "no $role join token"
  # One at a time: the managers' raft adds one member at a time.
  for i in 2 3; do
    on "$(addr "$managers" "$i")" swarm join --token "$token" \
      --advertise-addr "$(net_ip "$prefix-$i")" "$ip:2377" >/dev/null ||
      die "$prefix-$i could not join as $role"
  done
  wait_ready "$first" 3
  log "swarm $prefix up in $((SECONDS - t0)) s: $prefix-1 manager at $ip, $prefix-2 and $prefix-3 ${role}s; APIs on tcp://$(addr "$managers" 1):2375 .. tcp://$(addr "$managers" 3):2375"
}

[ $# -ge 2 ] || usage
case $1 in
  up)
    managers=1
    if [ "$2" = --managers ]; then
      [ $# -eq 4 ] || usage
      managers=$3
      shift 2
    fi
    [ $# -eq 2 ] || usage
    case $managers in 1 | 3) ;; *) die "--managers is 1 or 3, not $managers" ;; esac
    up "$2" "$managers"
    ;;
  down)
    [ $# -eq 2 ] || usage
    t0=$SECONDS
    down "$2"
    log "swarm $2 removed in $((SECONDS - t0)) s"
    ;;
  *) usage ;;
esac
