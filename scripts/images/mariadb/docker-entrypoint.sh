#!/bin/bash
# Entrypoint of tugboat-test/mariadb: the environment interface of the official `mariadb`
# image (root password, database, user, replication primary/replica), on Debian's MariaDB.
#
#   docker run IMAGE                        runs mariadbd
#   docker run IMAGE --server-id=2 ...      runs mariadbd with those options
#   docker run IMAGE some-command           runs that command, no initialisation
#
# An empty datadir is initialised once: system tables, root@localhost and root@'%' with
# MARIADB_ROOT_PASSWORD, MARIADB_DATABASE, MARIADB_USER/MARIADB_PASSWORD; with
# MARIADB_REPLICATION_USER/PASSWORD a replication user (primary) or, with
# MARIADB_MASTER_HOST, a replica of that host (CHANGE MASTER TO ... MASTER_USE_GTID=slave_pos).
set -eo pipefail
shopt -s nullglob

log() { printf '%s [%s] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$1" "$2"; }
note() { log Note "$*"; }
warn() { log Warn "$*" >&2; }
fail() { log ERROR "$*" >&2; exit 1; }

# VAR, or the contents of the file named by VAR_FILE (Docker secrets); exported.
from_env_or_file() {
    local var=$1 file_var=${1}_FILE default=${2:-}
    if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
        fail "both $var and $file_var are set; they exclude each other"
    fi
    local value=$default
    if [ -n "${!var:-}" ]; then
        value=${!var}
    elif [ -n "${!file_var:-}" ]; then
        value=$(<"${!file_var}")
    fi
    export "$var=$value"
    unset "$file_var"
}

# MARIADB_X, falling back to MYSQL_X (the names the mysql image uses); both end up equal.
maria_or_mysql() {
    local suffix=$1 default=${2:-}
    from_env_or_file "MYSQL_$suffix" "$default"
    local mysql_var=MYSQL_$suffix
    from_env_or_file "MARIADB_$suffix" "${!mysql_var}"
    local maria_var=MARIADB_$suffix
    export "MYSQL_$suffix=${!maria_var}"
}

# A value as the body of a single-quoted SQL string literal.
sql_string() {
    local s=${1//\\/\\\\}
    s=${s//$'\n'/\\n}
    printf '%s' "${s//\'/\\\'}"
}

# A value as the body of a backquoted SQL identifier.
sql_ident() { printf '%s' "${1//\`/\`\`}"; }

# The value mariadbd would use for one option, from the `--verbose --help` listing of its
# config files and arguments (in SERVER_HELP).
server_option() {
    awk -v name="$1" '$1 == name && /^[^ \t]/ { sub(/^[^ \t]+[ \t]+/, ""); print; exit }' <<<"$SERVER_HELP"
}

wants_no_server() {
    local arg
    for arg; do
        case "$arg" in
            -'?'|--help|--print-defaults|-V|--version) return 0 ;;
        esac
    done
    return 1
}

random_password() {
    local p
    p=$(tr -dc 'A-Za-z0-9,.:;!?%^&*()_+-' </dev/urandom | head -c 32) || true
    printf '%s' "$p"
}

load_env() {
    local errors
    errors=$(mktemp)
    SERVER_HELP=$("$@" --verbose --help 2>"$errors") ||
        fail "mariadbd rejects its configuration ($*): $(tail -n 5 "$errors")"
    rm -f "$errors"
    DATADIR=$(server_option datadir)
    SOCKET=$(server_option socket)
    PORT=$(server_option port)
    if [ -z "$DATADIR" ] || [ -z "$SOCKET" ]; then
        fail "cannot read datadir/socket from mariadbd --verbose --help"
    fi

    maria_or_mysql ROOT_HOST '%'
    maria_or_mysql DATABASE
    maria_or_mysql USER
    maria_or_mysql PASSWORD
    maria_or_mysql ROOT_PASSWORD
    maria_or_mysql ALLOW_EMPTY_ROOT_PASSWORD
    maria_or_mysql RANDOM_ROOT_PASSWORD
    maria_or_mysql INITDB_SKIP_TZINFO
    # The mysql image's name for "empty root password".
    if [ -z "$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" ] && [ -n "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" ]; then
        export MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=$MYSQL_ALLOW_EMPTY_PASSWORD
    fi
    from_env_or_file MARIADB_REPLICATION_USER
    from_env_or_file MARIADB_REPLICATION_PASSWORD
    from_env_or_file MARIADB_MASTER_HOST
    from_env_or_file MARIADB_MASTER_PORT 3306
    from_env_or_file MARIADB_HEALTHCHECK_GRANTS USAGE
}

check_env() {
    if [ -z "$MARIADB_ROOT_PASSWORD" ] && [ -z "$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" ] \
        && [ -z "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
        fail $'Database is uninitialized and password option is not specified\n\tYou need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD'
    fi
    if [ -n "$MARIADB_MASTER_HOST" ]; then
        if [ -z "$MARIADB_REPLICATION_USER" ] || [ -z "$MARIADB_REPLICATION_PASSWORD" ]; then
            fail "a replica (MARIADB_MASTER_HOST) needs MARIADB_REPLICATION_USER and MARIADB_REPLICATION_PASSWORD"
        fi
    elif [ -n "$MARIADB_REPLICATION_USER" ] && [ -z "$MARIADB_REPLICATION_PASSWORD" ]; then
        fail "MARIADB_REPLICATION_USER needs MARIADB_REPLICATION_PASSWORD"
    fi
}

# Runs SQL from stdin as root over the socket of the (temporary) server.
run_sql() {
    local password=$MARIADB_ROOT_PASSWORD
    if [ "${1:-}" = --no-password ]; then
        password=; shift
    fi
    MYSQL_PWD=$password mariadb --protocol=socket --socket="$SOCKET" -uroot -hlocalhost "$@"
}

start_temp_server() {
    # No TCP while initialising: clients see the port only once the data is ready.
    "$@" --skip-networking --socket="$SOCKET" --default-time-zone=SYSTEM --wsrep_on=OFF \
        --expire-logs-days=0 --loose-innodb_buffer_pool_load_at_startup=0 &
    TEMP_PID=$!
    note "Waiting for the temporary server"
    local _
    for _ in $(seq 60); do
        if run_sql --no-password --database=mysql <<<'SELECT 1' >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$TEMP_PID" 2>/dev/null || fail "the temporary server exited during startup"
        sleep 0.5
    done
    fail "the temporary server did not answer within 30 s"
}

stop_temp_server() {
    kill "$TEMP_PID"
    wait "$TEMP_PID" || true
}

# Users only this server should have; written with binary logging off for the session, so
# neither replicas of this server nor its own GTID position see them.
local_users_sql() {
    local root_pw host_pw hc_pw host
    root_pw=$(sql_string "$MARIADB_ROOT_PASSWORD")
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    echo "SET @@SESSION.SQL_MODE=REPLACE(@@SESSION.SQL_MODE, 'NO_BACKSLASH_ESCAPES', '');"
    echo "DROP USER IF EXISTS root@'127.0.0.1', root@'::1';"
    echo "EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\\'', @@hostname, '\\'');"
    echo "SET PASSWORD FOR root@localhost = PASSWORD('$root_pw');"
    if [ -n "$MARIADB_ROOT_HOST" ] && [ "$MARIADB_ROOT_HOST" != localhost ]; then
        host_pw=$(sql_string "$MARIADB_ROOT_HOST")
        echo "CREATE USER root@'$host_pw' IDENTIFIED BY '$root_pw';"
        echo "GRANT ALL ON *.* TO root@'$host_pw' WITH GRANT OPTION;"
        echo "GRANT PROXY ON ''@'%' TO root@'$host_pw' WITH GRANT OPTION;"
    fi
    # For healthcheck.sh: its own account, password kept in the datadir.
    hc_pw=$(random_password)
    for host in localhost 127.0.0.1 ::1; do
        echo "CREATE USER IF NOT EXISTS healthcheck@'$host' IDENTIFIED BY '$(sql_string "$hc_pw")';"
        echo "GRANT $MARIADB_HEALTHCHECK_GRANTS ON *.* TO healthcheck@'$host';"
    done
    (umask 077; printf '[mariadb-client]\nport=%s\nsocket=%s\nuser=healthcheck\npassword=%s\nprotocol=tcp\n' \
        "$PORT" "$SOCKET" "$hc_pw" >"$DATADIR/.my-healthcheck.cnf")
    echo "SET @@SESSION.SQL_LOG_BIN=1;"
}

# Everything else is logged as usual, so a replica of this server gets it too. (Notes go to
# stderr here: stdout is the SQL.)
shared_objects_sql() {
    if [ -n "$MARIADB_DATABASE" ]; then
        note "Creating database $MARIADB_DATABASE" >&2
        echo "CREATE DATABASE IF NOT EXISTS \`$(sql_ident "$MARIADB_DATABASE")\`;"
    fi
    if [ -n "$MARIADB_USER" ] && [ -n "$MARIADB_PASSWORD" ]; then
        note "Creating user $MARIADB_USER" >&2
        local user; user=$(sql_string "$MARIADB_USER")
        echo "CREATE USER '$user'@'%' IDENTIFIED BY '$(sql_string "$MARIADB_PASSWORD")';"
        if [ -n "$MARIADB_DATABASE" ]; then
            local db; db=$(sql_ident "$MARIADB_DATABASE")
            echo "GRANT ALL ON \`${db//_/\\_}\`.* TO '$user'@'%';"
        fi
    fi
    if [ -n "$MARIADB_REPLICATION_USER" ]; then
        local ruser rpw
        ruser=$(sql_string "$MARIADB_REPLICATION_USER")
        rpw=$(sql_string "$MARIADB_REPLICATION_PASSWORD")
        if [ -z "$MARIADB_MASTER_HOST" ]; then
            note "Creating replication user $MARIADB_REPLICATION_USER" >&2
            echo "CREATE USER '$ruser'@'%' IDENTIFIED BY '$rpw';"
            echo "GRANT REPLICATION SLAVE ON *.* TO '$ruser'@'%';"
        else
            note "Replicating from $MARIADB_MASTER_HOST:$MARIADB_MASTER_PORT" >&2
            echo "CHANGE MASTER TO MASTER_HOST='$(sql_string "$MARIADB_MASTER_HOST")'," \
                "MASTER_PORT=$MARIADB_MASTER_PORT, MASTER_USER='$ruser', MASTER_PASSWORD='$rpw'," \
                "MASTER_CONNECT_RETRY=10, MASTER_USE_GTID=slave_pos;"
            echo "START SLAVE;"
        fi
    fi
}

run_init_files() {
    local f
    for f in /docker-entrypoint-initdb.d/*; do
        case "$f" in
            *.sh)
                # shellcheck disable=SC1090  # the user's init scripts
                if [ -x "$f" ]; then note "running $f"; "$f"; else note "sourcing $f"; . "$f"; fi ;;
            *.sql) note "running $f"; run_sql <"$f" ;;
            *.sql.gz) note "running $f"; gunzip -c "$f" | run_sql ;;
            *.sql.xz) note "running $f"; xzcat "$f" | run_sql ;;
            *) warn "ignoring $f" ;;
        esac
    done
}

initialise() {
    check_env
    note "Initializing database files"
    # Server options from the command line apply here too; the system tables are never
    # binary-logged, so a primary's binlog starts with what follows.
    mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal \
        --skip-test-db --default-time-zone=SYSTEM --enforce-storage-engine= \
        "${@:2}" --skip-log-bin --expire-logs-days=0 \
        --loose-innodb_buffer_pool_load_at_startup=0 --loose-innodb_buffer_pool_dump_at_shutdown=0 \
        >/dev/null || fail "mariadb-install-db failed"
    note "Database files initialized"

    note "Starting temporary server"
    start_temp_server "$@"
    note "Temporary server started."

    if [ -z "$MARIADB_INITDB_SKIP_TZINFO" ] && [ -d /usr/share/zoneinfo ]; then
        mariadb-tzinfo-to-sql --skip-write-binlog /usr/share/zoneinfo 2>/dev/null |
            run_sql --no-password --database=mysql
    fi
    if [ -n "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
        MARIADB_ROOT_PASSWORD=$(random_password)
        export MARIADB_ROOT_PASSWORD MYSQL_ROOT_PASSWORD=$MARIADB_ROOT_PASSWORD
        note "GENERATED ROOT PASSWORD: $MARIADB_ROOT_PASSWORD"
    fi

    note "Securing system users"
    { local_users_sql; shared_objects_sql; } | run_sql --no-password --database=mysql --binary-mode
    run_init_files

    note "Stopping temporary server"
    stop_temp_server
    note "Temporary server stopped"
    echo
    note "MariaDB init process done. Ready for start up."
    echo
}

main() {
    # Options alone: they are mariadbd's.
    if [ "${1:0:1}" = - ]; then
        set -- mariadbd "$@"
    fi
    if { [ "$1" = mariadbd ] || [ "$1" = mysqld ]; } && ! wants_no_server "$@"; then
        note "Entrypoint script for MariaDB Server $(dpkg-query -W -f='${Version}' mariadb-server 2>/dev/null) started."
        load_env "$@"
        if [ "$(id -u)" = 0 ]; then
            mkdir -p "$DATADIR" "${SOCKET%/*}"
            find "$DATADIR" "${SOCKET%/*}" \! -user mysql -exec chown mysql:mysql '{}' +
            note "Switching to dedicated user 'mysql'"
            exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@"
        fi
        if [ ! -d "$DATADIR/mysql" ]; then
            initialise "$@"
        fi
    fi
    exec "$@"
}

main "$@"
