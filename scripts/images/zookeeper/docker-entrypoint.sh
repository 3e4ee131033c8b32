#!/bin/bash
# Entrypoint of tugboat-test/zookeeper: the environment interface of the official
# `zookeeper` image, on Debian's ZooKeeper package.
set -euo pipefail

conf_dir=${ZOO_CONF_DIR:-/conf}
data_dir=${ZOO_DATA_DIR:-/data}
datalog_dir=${ZOO_DATA_LOG_DIR:-/datalog}
log_dir=${ZOO_LOG_DIR:-/logs}

# Started as root to run the server: hand the state directories to the zookeeper user
# and start again as that user (`docker run --user` skips this).
if [ "${1:-}" = zkServer.sh ] && [ "$(id -u)" = 0 ]; then
    mkdir -p "$data_dir" "$datalog_dir" "$log_dir"
    chown -R zookeeper:zookeeper "$data_dir" "$datalog_dir" "$log_dir"
    [ -e "$conf_dir/zoo.cfg" ] || chown zookeeper:zookeeper "$conf_dir" 2>/dev/null || true
    exec setpriv --reuid=zookeeper --regid=zookeeper --init-groups "$0" "$@"
fi

# zoo.cfg: written once, from the environment, unless one was mounted.
cfg="$conf_dir/zoo.cfg"
if [ ! -f "$cfg" ]; then
    set -f   # entries such as 4lw.commands.whitelist=* are words, not globs
    servers=${ZOO_SERVERS:-"server.1=localhost:2888:3888;2181"}
    {
        printf 'dataDir=%s\n' "$data_dir"
        printf 'dataLogDir=%s\n' "$datalog_dir"
        printf 'tickTime=%s\n' "${ZOO_TICK_TIME:-2000}"
        printf 'initLimit=%s\n' "${ZOO_INIT_LIMIT:-5}"
        printf 'syncLimit=%s\n' "${ZOO_SYNC_LIMIT:-2}"
        printf 'autopurge.snapRetainCount=%s\n' "${ZOO_AUTOPURGE_SNAPRETAINCOUNT:-3}"
        printf 'autopurge.purgeInterval=%s\n' "${ZOO_AUTOPURGE_PURGEINTERVAL:-0}"
        printf 'maxClientCnxns=%s\n' "${ZOO_MAX_CLIENT_CNXNS:-60}"
        printf 'standaloneEnabled=%s\n' "${ZOO_STANDALONE_ENABLED:-true}"
        printf 'admin.enableServer=%s\n' "${ZOO_ADMINSERVER_ENABLED:-true}"
        # One "server.N=host:quorum:election;client" entry per word.
        for entry in $servers; do
            printf '%s\n' "$entry"
        done
        # Unset: ZooKeeper's own default applies (only srvr is allowed).
        if [ -n "${ZOO_4LW_COMMANDS_WHITELIST:-}" ]; then
            printf '4lw.commands.whitelist=%s\n' "$ZOO_4LW_COMMANDS_WHITELIST"
        fi
        for entry in ${ZOO_CFG_EXTRA:-}; do
            printf '%s\n' "$entry"
        done
    } >"$cfg"
    set +f
fi

# The server id, kept once written (a restarted member keeps its identity).
if [ ! -f "$data_dir/myid" ]; then
    printf '%s\n' "${ZOO_MY_ID:-1}" >"$data_dir/myid"
fi

exec "$@"
