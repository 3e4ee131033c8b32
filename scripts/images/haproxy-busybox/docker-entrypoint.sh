#!/bin/sh
# Entrypoint of tugboat-test/haproxy:2.6-busybox: the official image's behaviour (options
# alone run haproxy with them; haproxy runs master-worker in the foreground), in busybox sh.
set -e

case "${1:-}" in
    -*) set -- haproxy "$@" ;;
esac

if [ "${1:-}" = haproxy ]; then
    shift
    set -- haproxy -W -db "$@"
fi

exec "$@"
