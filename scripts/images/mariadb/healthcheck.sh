#!/bin/bash
# healthcheck.sh for tugboat-test/mariadb: a subset of the official image's script.
#   healthcheck.sh --connect               a TCP connection and a query work
#   healthcheck.sh --innodb_initialized    InnoDB is up
#   healthcheck.sh --replication           both replication threads run (needs the healthcheck
#                                          user to have REPLICA MONITOR: MARIADB_HEALTHCHECK_GRANTS)
#   healthcheck.sh --replication_io | --replication_sql
#   healthcheck.sh --replication_seconds_behind_master=N
# Several checks may be given; all must pass. Uses $DATADIR/.my-healthcheck.cnf, which the
# entrypoint writes at initialisation.
set -uo pipefail

datadir=${DATADIR:-/var/lib/mysql}
client=(mariadb --defaults-extra-file="$datadir/.my-healthcheck.cnf")
fail() { printf 'healthcheck %s failed\n' "$1" >&2; exit 1; }

query() { "${client[@]}" --batch --skip-column-names -e "$1" 2>/dev/null; }

slave_field() {
    "${client[@]}" --vertical -e 'SHOW SLAVE STATUS' 2>/dev/null |
        awk -v f="$1" -F': ' '{ gsub(/^ +/, "", $1) } $1 == f { print $2; exit }'
}

[ $# -gt 0 ] || set -- --connect
for arg; do
    case "$arg" in
        --connect)
            [ "$(query 'SELECT 1')" = 1 ] || fail connect ;;
        --innodb_initialized)
            [ "$(query "SELECT 1 FROM information_schema.ENGINES WHERE engine='InnoDB' AND support IN ('YES','DEFAULT','ENABLED')")" = 1 ] ||
                fail innodb_initialized ;;
        --replication_io)
            [ "$(slave_field Slave_IO_Running)" = Yes ] || fail replication_io ;;
        --replication_sql)
            [ "$(slave_field Slave_SQL_Running)" = Yes ] || fail replication_sql ;;
        --replication)
            [ "$(slave_field Slave_IO_Running)" = Yes ] && [ "$(slave_field Slave_SQL_Running)" = Yes ] ||
                fail replication ;;
        --replication_seconds_behind_master=*)
            behind=$(slave_field Seconds_Behind_Master)
            [[ "$behind" =~ ^[0-9]+$ ]] && [ "$behind" -le "${arg#*=}" ] || fail "$arg" ;;
        --su-mysql|--no-defaults|--defaults-file=*|--defaults-extra-file=*) ;;
        *) printf 'healthcheck.sh: unknown option %s\n' "$arg" >&2; exit 2 ;;
    esac
done
exit 0
