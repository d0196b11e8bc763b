#!/bin/sh
# A throw-away MariaDB for the demo and the real-server tests.
#
#   mariadb.sh start  DIR PORT [--option=value ...]   create (if new) and start
#   mariadb.sh stop   DIR                             shut down cleanly
#   mariadb.sh status DIR                             exit 0 if running
#   mariadb.sh sql    DIR [mariadb client args ...]   run the client as root
#
# Everything lives under DIR: my.cnf, db/ (datadir, binlog.NNNNNN), the
# socket, the pid file and error.log.  The server listens on 127.0.0.1 only.
# Extra options (binlog_row_image=MINIMAL, binlog_row_metadata=FULL,
# log_bin_compress=ON, ...) are written into my.cnf after the defaults, so
# they override them and the file records how the server was run.
#
# Accounts: root over the socket without password (the `sql` command),
# root@127.0.0.1 without password (tests over TCP), and
# repl@127.0.0.1 / replpw with REPLICATION SLAVE, BINLOG MONITOR, SELECT.
# Database: binlogd (or $MARIADB_DATABASE).
#
# Environment: MARIADB_START_TIMEOUT (seconds, default 30),
# MARIADB_STOP_TIMEOUT (seconds, default 30), MARIADB_DATABASE.
# Exit status: 0 ok, 1 failure, 2 usage.
set -eu

PROG=mariadb.sh
DBNAME=${MARIADB_DATABASE:-binlogd}
START_TIMEOUT=${MARIADB_START_TIMEOUT:-30}
STOP_TIMEOUT=${MARIADB_STOP_TIMEOUT:-30}

say() { printf '%s: %s\n' "$PROG" "$*"; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
usage() {
    cat >&2 <<EOF
usage: $PROG start DIR PORT [--option=value ...]
       $PROG stop DIR
       $PROG status DIR
       $PROG sql DIR [mariadb client arguments ...]
EOF
    exit 2
}

need() {
    command -v "$1" >/dev/null 2>&1 ||
        die "$1 not found (install mariadb-server and mariadb-client: make deps)"
}

# absdir DIR: print DIR as an absolute path (DIR must exist).
absdir() { (cd "$1" && pwd -P); }

# Sets D (absolute DIR) and CNF for an existing server directory.
setdir() {
    [ -d "$1" ] || die "no such directory: $1"
    D=$(absdir "$1")
    CNF=$D/my.cnf
}

# pid of the running server in $D, or nothing.
server_pid() {
    for f in "$D/mysqld.pid" "$D/mariadbd.launch.pid"; do
        [ -s "$f" ] || continue
        p=$(cat "$f" 2>/dev/null || true)
        case "$p" in '' | *[!0-9]*) continue ;; esac
        if kill -0 "$p" 2>/dev/null; then
            # Only ours: the process must have been started with this my.cnf.
            if [ -r "/proc/$p/cmdline" ] &&
                tr '\0' ' ' <"/proc/$p/cmdline" | grep -F -- "--defaults-file=$CNF" >/dev/null; then
                echo "$p"
                return 0
            fi
        fi
    done
    return 0
}

ping_server() {
    mariadb-admin --defaults-file="$CNF" --connect-timeout=2 ping >/dev/null 2>&1
}

show_log_tail() {
    if [ -s "$D/error.log" ]; then
        echo "---- last lines of $D/error.log ----" >&2
        tail -n 25 "$D/error.log" >&2
        echo "------------------------------------" >&2
    fi
    if [ -s "$D/stdout.log" ]; then
        echo "---- last lines of $D/stdout.log ----" >&2
        tail -n 10 "$D/stdout.log" >&2
        echo "-------------------------------------" >&2
    fi
}

port_in_use() {
    if command -v ss >/dev/null 2>&1; then
        ss -Htln "sport = :$1" 2>/dev/null | grep -q . && return 0
        return 1
    fi
    if command -v netstat >/dev/null 2>&1; then
        netstat -tln 2>/dev/null | awk -v p=":$1" '$4 ~ p"$" { f = 1 } END { exit !f }' && return 0
        return 1
    fi
    # Neither tool: let mariadbd find out (its error log says so).
    return 1
}

write_cnf() {
    port=$1
    shift
    tmp=$CNF.tmp.$$
    {
        echo "# written by deploy/dev/mariadb.sh; rewritten at every start"
        echo "[mariadbd]"
        echo "datadir=$D/db"
        echo "socket=$D/mysqld.sock"
        echo "pid-file=$D/mysqld.pid"
        echo "log_error=$D/error.log"
        echo "port=$port"
        echo "bind-address=127.0.0.1"
        echo "skip-name-resolve"
        echo "log_bin=$D/db/binlog"
        echo "binlog_format=ROW"
        echo "server_id=1"
        echo "sync_binlog=0"
        echo "innodb_flush_log_at_trx_commit=2"
        echo "innodb_buffer_pool_size=64M"
        echo "innodb_log_file_size=48M"
        echo "max_allowed_packet=256M"
        echo "character-set-server=utf8mb4"
        echo "collation-server=utf8mb4_general_ci"
        echo "tmpdir=$D/tmp"
        echo "secure_file_priv=$D/tmp"
        if [ $# -gt 0 ]; then
            echo "# extra options from the command line"
            for o in "$@"; do
                echo "${o#--}"
            done
        fi
        echo
        echo "[client]"
        echo "socket=$D/mysqld.sock"
        echo "port=$port"
        echo "user=root"
        echo "default-character-set=utf8mb4"
        echo
        echo "[mariadb-client]"
        echo "max_allowed_packet=256M"
    } >"$tmp"
    mv "$tmp" "$CNF"
}

cmd_start() {
    [ $# -ge 2 ] || usage
    dir=$1
    port=$2
    shift 2
    case "$port" in '' | *[!0-9]*) die "PORT must be a number, got '$port'" ;; esac
    [ "$port" -ge 1024 ] && [ "$port" -le 65535 ] || die "PORT must be in 1024..65535, got $port"
    for o in "$@"; do
        case "$o" in
        --?*) ;;
        *) die "extra server options must look like --name[=value], got '$o'" ;;
        esac
    done
    need mariadbd
    need mariadb-install-db
    need mariadb-admin
    need mariadb

    mkdir -p "$dir"
    D=$(absdir "$dir")
    CNF=$D/my.cnf
    # The unix socket path must fit in sun_path (108 bytes).
    [ ${#D} -le 90 ] || die "directory path too long for a unix socket: $D"

    pid=$(server_pid)
    if [ -n "$pid" ]; then
        if ping_server; then
            # Idempotent only for the same request: same port, same options.
            oldport=$(sed -n 's/^port=//p' "$CNF" | head -n 1)
            oldopts=$(sed -n '/^# extra options/,/^$/p' "$CNF" | sed '1d;/^$/d' | tr '\n' ' ')
            newopts=""
            for o in "$@"; do newopts="$newopts${o#--} "; done
            if [ "$oldport" != "$port" ] || [ "$oldopts" != "$newopts" ]; then
                die "already running in $D on port $oldport with options '${oldopts% }'; stop it first to change them"
            fi
            say "already running in $D (pid $pid, port $port)"
            return 0
        fi
        die "a server (pid $pid) runs in $D but does not answer; run: $PROG stop $dir"
    fi

    if port_in_use "$port"; then
        die "port 127.0.0.1:$port is already in use (another server or program listens there); pick another port"
    fi

    mkdir -p "$D/tmp"
    write_cnf "$port" "$@"

    userflag=""
    [ "$(id -u)" -eq 0 ] && userflag="--user=root"

    if [ ! -d "$D/db/mysql" ]; then
        say "creating a new datadir in $D/db"
        rm -rf "$D/db"
        mkdir -p "$D/db"
        # shellcheck disable=SC2086
        if ! mariadb-install-db --defaults-file="$CNF" $userflag \
            --auth-root-authentication-method=normal --skip-test-db \
            >"$D/install.log" 2>&1; then
            echo "---- $D/install.log ----" >&2
            tail -n 30 "$D/install.log" >&2
            die "mariadb-install-db failed"
        fi
        # Bootstrap may leave binlog files behind; the tests want a binlog
        # that starts with what they write.
        rm -f "$D/db"/binlog.[0-9]* "$D/db/binlog.index" "$D/db/binlog.state"
        fresh=1
    else
        fresh=0
    fi

    rm -f "$D/mysqld.pid" "$D/mariadbd.launch.pid"
    : >>"$D/error.log"
    errlines=$(wc -l <"$D/error.log")
    say "starting mariadbd on 127.0.0.1:$port in $D${1:+ with $*}"
    t0=$(date +%s)
    # shellcheck disable=SC2086
    nohup mariadbd --defaults-file="$CNF" $userflag </dev/null >>"$D/stdout.log" 2>&1 &
    echo $! >"$D/mariadbd.launch.pid"
    launch=$!

    while :; do
        if ping_server; then
            break
        fi
        if ! kill -0 "$launch" 2>/dev/null; then
            echo "$PROG: mariadbd exited during start-up; new lines of the error log:" >&2
            tail -n +"$((errlines + 1))" "$D/error.log" | tail -n 25 >&2
            rm -f "$D/mariadbd.launch.pid"
            die "mariadbd failed to start in $D (see $D/error.log)"
        fi
        now=$(date +%s)
        if [ $((now - t0)) -ge "$START_TIMEOUT" ]; then
            show_log_tail
            kill "$launch" 2>/dev/null || true
            die "mariadbd did not answer within ${START_TIMEOUT}s (pid $launch killed)"
        fi
        sleep 0.05
    done

    # Accounts and the database are set up without writing to the binlog,
    # so the binlog holds only what the caller writes.
    if ! mariadb --defaults-file="$CNF" <<EOF; then
SET sql_log_bin=0;
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS 'repl'@'127.0.0.1' IDENTIFIED BY 'replpw';
GRANT REPLICATION SLAVE, BINLOG MONITOR, SELECT ON *.* TO 'repl'@'127.0.0.1';
CREATE DATABASE IF NOT EXISTS \`$DBNAME\`;
EOF
        show_log_tail
        die "could not create the accounts in $D"
    fi
    ver=$(mariadb --defaults-file="$CNF" -N -B -e 'SELECT VERSION()' 2>/dev/null || echo '?')
    if [ "$fresh" -eq 1 ]; then state="new datadir"; else state="existing datadir"; fi
    say "MariaDB $ver ready on 127.0.0.1:$port (pid $(server_pid), $state, binlog $D/db/binlog.*)"
}

cmd_stop() {
    [ $# -eq 1 ] || usage
    if [ ! -d "$1" ]; then
        say "nothing to stop: no directory $1"
        return 0
    fi
    setdir "$1"
    pid=$(server_pid)
    if [ -z "$pid" ]; then
        say "not running in $D"
        rm -f "$D/mariadbd.launch.pid"
        return 0
    fi
    say "stopping mariadbd (pid $pid) in $D"
    # n counts tenths of a second; SIGTERM (also a clean shutdown) at
    # STOP_TIMEOUT, SIGKILL 10 s later.
    n=0
    if ! timeout "$STOP_TIMEOUT" mariadb-admin --defaults-file="$CNF" --connect-timeout=5 \
        shutdown >"$D/shutdown.log" 2>&1; then
        say "mariadb-admin shutdown failed ($(head -n 1 "$D/shutdown.log")); sending SIGTERM"
        kill -TERM "$pid" 2>/dev/null || true
        n=$((STOP_TIMEOUT * 10))
    fi
    while kill -0 "$pid" 2>/dev/null; do
        n=$((n + 1))
        if [ "$n" -eq $((STOP_TIMEOUT * 10)) ]; then
            say "shutdown did not finish in ${STOP_TIMEOUT}s; sending SIGTERM"
            kill -TERM "$pid" 2>/dev/null || true
        elif [ "$n" -ge $((STOP_TIMEOUT * 10 + 100)) ]; then
            say "still alive 10s after SIGTERM; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.2
            break
        fi
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        die "could not stop pid $pid"
    fi
    rm -f "$D/mariadbd.launch.pid"
    say "stopped"
}

cmd_status() {
    [ $# -eq 1 ] || usage
    [ -d "$1" ] || { say "not running (no directory $1)"; exit 1; }
    setdir "$1"
    pid=$(server_pid)
    if [ -n "$pid" ] && ping_server; then
        say "running in $D (pid $pid, port $(sed -n 's/^port=//p' "$CNF" | head -n 1))"
        return 0
    fi
    say "not running in $D"
    exit 1
}

cmd_sql() {
    [ $# -ge 1 ] || usage
    setdir "$1"
    shift
    [ -f "$CNF" ] || die "no $CNF: start the server first"
    exec mariadb --defaults-file="$CNF" "$@"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case "$cmd" in
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
status) cmd_status "$@" ;;
sql) cmd_sql "$@" ;;
-h | --help | help) usage ;;
*) echo "$PROG: unknown command '$cmd'" >&2; usage ;;
esac
