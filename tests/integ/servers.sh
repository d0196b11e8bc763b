# tests/integ/servers.sh - sourced (not run) by the integration scripts that
# start a MariaDB and a Kafka broker of their own on loopback (run.sh,
# lag.sh, replay.sh), after tests/lib.sh.  Wants DIR (build/integ/NAME),
# DBPORT, KPORT and ONLY set.  Gives:
#   MSH, KSH, BS    the dev scripts, and Kafka's bootstrap address
#   want N          group N was asked for (ONLY empty: every group)
#   section WHAT    a "== WHAT (+N s)" line
#   now_ms          the time in milliseconds
#   alive PID       exists and is not a zombie; gone PID: not alive
#   grep_count PATTERN FILE   matching lines (0 when the file is missing)
#   forget VAR PID  drop PID from the list of pids in VAR (once reaped)
#   finish          "== done", the summary line, exit 0 or 1
#   on_interrupt    traps INT, TERM and HUP: a FAIL, the summary line, exit
#   servers_start SRVOPTS [KOPTS]  a fresh DIR with W (DIR/work) and AW (its
#                   absolute path); MariaDB (mysqld options SRVOPTS) and Kafka
#                   (server.properties overrides KOPTS) started; a failure is
#                   a FAIL and finishes
#   servers_stop    stop both (for the script's EXIT trap)
MSH=deploy/dev/mariadb.sh
KSH=deploy/dev/kafka.sh
BS=127.0.0.1:$KPORT

want() { case " $ONLY " in "  ") return 0 ;; *" $1 "*) return 0 ;; esac; return 1; }
T0=$(date +%s)
section() { echo "== $* (+$(($(date +%s) - T0)) s)"; }
now_ms() { t=$(date +%s%N); echo $((t / 1000000)); }
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    [ "$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
gone() { ! alive "$1"; }
grep_count() { grep -c -- "$1" "$2" 2>/dev/null || true; }
forget() { # VAR PID
    eval "_l=\$$1"
    _l=$(echo " $_l " | sed "s/ $2 / /g")
    eval "$1=\"\$_l\""
}

finish() {
    section "done"
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}

# an interrupt is a failure (the EXIT trap then keeps DIR), with the summary
# line that tests/run.sh reads
interrupted() {
    bad "interrupted by SIG$1"
    echo "$pass passed, $fail failed"
    exit "$2"
}
on_interrupt() {
    trap 'interrupted INT 130' INT
    trap 'interrupted TERM 143' TERM
    trap 'interrupted HUP 129' HUP
}

servers_stop() {
    [ -d "$DIR/kafka" ] && sh "$KSH" stop "$DIR/kafka" >/dev/null 2>&1
    [ -f "$DIR/db/my.cnf" ] && sh "$MSH" stop "$DIR/db" >/dev/null 2>&1
    return 0
}

servers_start() { # SRVOPTS [KOPTS]
    # what an earlier run that was killed may have left
    sh "$KSH" stop "$DIR/kafka" >/dev/null 2>&1
    sh "$MSH" stop "$DIR/db" >/dev/null 2>&1
    rm -rf "$DIR"
    mkdir -p "$DIR/work"
    W=$DIR/work
    AW=$(cd "$W" && pwd -P)
    section "servers: MariaDB on 127.0.0.1:$DBPORT, Kafka on $BS"
    # the broker starts beside MariaDB: both take a few seconds
    # shellcheck disable=SC2086 # the options are words
    sh "$KSH" start "$DIR/kafka" "$KPORT" ${2:-} >"$W/kafka.start.log" 2>&1 &
    _ks=$!
    # shellcheck disable=SC2086
    if ! sh "$MSH" start "$DIR/db" "$DBPORT" $1 >"$W/db.start.log" 2>&1; then
        cat "$W/db.start.log"
        bad "MariaDB did not start"
        wait "$_ks"
        finish
    fi
    if ! wait "$_ks"; then
        cat "$W/kafka.start.log"
        bad "Kafka did not start"
        finish
    fi
}
