#!/bin/sh
# Entrypoint of tugboat-test/haproxy, with the official `haproxy` image's behaviour:
# options alone run haproxy with them, and haproxy runs in master-worker mode (-W) in the
# foreground (-db), so the master reloads on SIGHUP/SIGUSR2 and stays PID 1.
set -e

case "${1:-}" in
    -*) set -- haproxy "$@" ;;
esac

if [ "${1:-}" = haproxy ]; then
    shift
    set -- haproxy -W -db "$@"
fi

exec "$@"
