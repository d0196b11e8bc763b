#!/bin/sh
# binlogd check-config -c and config-doc from the command line: a config
# error names FILE:LINE and exits 2; docs/config.md is what config-doc
# prints.  Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=${BINLOGD:-build/binlogd}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh

printf '[source]\nhost = 127.0.0.1\nport = 1\nserver_id = 7\nconnect_timeout = 1\n[kafka]\nbootstrap.servers = 127.0.0.1:1\n[state]\ndir = %s/state\n' "$T" >"$T/good.conf"
printf '[source]\nhost = 127.0.0.1\nprot = 1\n[kafka]\nbootstrap.servers = x\n' >"$T/bad.conf"

"$B" check-config -c "$T/bad.conf" >"$T/out" 2>"$T/err"
check "bad config: exit 2 ($?)" [ $? -eq 2 ]
check "bad config: FILE:LINE and the option ($(cat "$T/err"))" has "$T/bad.conf:3: unknown option 'prot' in \[source\]" "$T/err"

# a valid config whose server is unreachable: the config is reported valid,
# then the connection error (exit 2)
"$B" check-config -c "$T/good.conf" --print >"$T/out" 2>"$T/err"
rc=$?
check "good config, no server: exit 2 ($rc)" [ "$rc" -eq 2 ]
check "good config: reported valid" has "OK config $T/good.conf: valid" "$T/out"
check "good config: --print shows the effective port" has "^port = 1$" "$T/out"
check "good config: names the server it could not reach ($(head -c 200 "$T/err"))" has "127.0.0.1:1" "$T/err"

# a slip of the pen: "did you mean"
printf '[http]\nlisen = 127.0.0.1:9175\n' >"$T/slip.conf"
"$B" check-config -c "$T/slip.conf" >/dev/null 2>"$T/err"
check "a mistyped key: exit 2 and did you mean ($(cat "$T/err"))" has "slip.conf:2: unknown option 'lisen' in \[http\] (did you mean 'listen'?)" "$T/err"
printf '[sorce]\nhost = x\n' >"$T/slip.conf"
"$B" check-config -c "$T/slip.conf" >/dev/null 2>"$T/err"
check "a mistyped section: did you mean ($(cat "$T/err"))" has "slip.conf:2: unknown section \[sorce\] (did you mean \[source\]?)" "$T/err"
# a mistyped command-line option: one line, "binlogd CMD:", did you mean, where to look
for cmd in run dump replay gate check-config; do
    "$B" $cmd --bogus >"$T/out" 2>"$T/err"
    rc=$?
    check "$cmd --bogus: exit 2, one line naming the command and --help ($rc: $(cat "$T/err"))" \
        sh -c "[ $rc -eq 2 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q \"^binlogd $cmd: unknown option '--bogus'; see binlogd $cmd --help\\\$\" '$T/err' && [ ! -s '$T/out' ]"
done
"$B" dupm >/dev/null 2>"$T/err"
check "a mistyped command: exit 2 and did you mean ($?: $(cat "$T/err"))" has "^binlogd: unknown command 'dupm' (did you mean 'dump'?); see binlogd --help$" "$T/err"
"$B" replay --form x >/dev/null 2>"$T/err"
check "replay --form: did you mean --from ($(cat "$T/err"))" has "^binlogd replay: unknown option '--form' (did you mean '--from'?); see binlogd replay --help$" "$T/err"
"$B" gate --wait >/dev/null 2>"$T/err"
check "gate --wait without a value: says so ($(cat "$T/err"))" has "^binlogd gate: option '--wait' needs a value; see binlogd gate --help$" "$T/err"

# --offline: the configuration only, no server asked (systemd's ExecStartPre)
"$B" check-config -c "$T/good.conf" --offline >"$T/out" 2>"$T/err"
rc=$?
check "--offline, server unreachable: exit 0 ($rc; $(cat "$T/err"))" [ "$rc" -eq 0 ]
check "--offline: says what it checked and that no server was asked" has "valid, Kafka settings accepted, secrets readable, state directory .* writable (offline: no server asked)" "$T/out"
"$B" check-config -c "$T/good.conf" --offline --json >"$T/out" 2>"$T/err"
check "--offline --json: one object" has '^{"config":".*good.conf","valid":true,"offline":true}$' "$T/out"
sed 's|^connect_timeout = 1$|connect_timeout = 1\npassword_file = /nonexistent/binlogd-pw|' "$T/good.conf" >"$T/pw.conf"
"$B" check-config -c "$T/pw.conf" --offline >"$T/out" 2>"$T/err"
rc=$?
check "--offline, a password file that cannot be read: exit 2 ($rc)" [ "$rc" -eq 2 ]
check "--offline: names the password file ($(cat "$T/err"))" has "password_file /nonexistent/binlogd-pw" "$T/err"
"$B" check-config -c "$T/bad.conf" --offline >/dev/null 2>"$T/err"
check "--offline, bad config: exit 2 ($?)" [ $? -eq 2 ]
"$B" check-config --host 127.0.0.1 --offline >/dev/null 2>"$T/err"
check "--offline without -c: exit 2 ($?)" [ $? -eq 2 ]

printf '[state]\ndir = /proc/nope/state\n' >>"$T/good.conf"
"$B" check-config -c "$T/good.conf" >"$T/out" 2>"$T/err"
check "state dir twice: FILE:LINE ($(cat "$T/err"))" has "good.conf:11: \[state\] dir given twice" "$T/err"

# librdkafka's settings, checked without a broker: what run would refuse
kafka_conf() { # LINE: a good config whose [kafka] also has LINE
    printf '[source]\nhost = 127.0.0.1\nport = 1\nserver_id = 7\nconnect_timeout = 1\n[kafka]\nbootstrap.servers = 127.0.0.1:1\n%s\n[state]\ndir = %s/state\n' \
        "$1" "$T" >"$T/k.conf"
    "$B" check-config -c "$T/k.conf" >"$T/out" 2>"$T/err"
    RC=$?
}
kafka_conf "no.such.property = 1"
check "an unknown librdkafka property: exit 2 ($RC)" [ "$RC" -eq 2 ]
check "... named at FILE:LINE, as librdkafka says ($(cat "$T/err"))" has "k.conf:8: \[kafka\] no.such.property = 1: No such configuration property" "$T/err"
kafka_conf "linger.ms = soon"
check "a bad librdkafka value at FILE:LINE ($(cat "$T/err"))" has "k.conf:8: \[kafka\] linger.ms = soon: Invalid value" "$T/err"
check "... before the server is asked" [ ! -s "$T/out" ]
kafka_conf "acks = 1"
check "acks = 1 refused ($(cat "$T/err"))" has "kafka.acks=1: refused: messages could be lost" "$T/err"
kafka_conf "linger.ms = 5"
check "a good librdkafka property: accepted, then the server ($(head -c 200 "$T/err"))" \
    has "OK config $T/k.conf: valid, Kafka settings accepted" "$T/out"

"$B" check-config -c "$T/good.conf" --host x >/dev/null 2>&1
check "-c with --host: usage error" [ $? -eq 2 ]

# gates: checked at load, each error naming the gate and the option
gate() { # LINES...: a config with a [gate statement] of these lines
    printf '[source]\nhost = 127.0.0.1\nserver_id = 7\n[kafka]\nbootstrap.servers = 127.0.0.1:1\n[gate statement]\n' >"$T/gate.conf"
    for l in "$@"; do printf '%s\n' "$l" >>"$T/gate.conf"; done
    "$B" check-config -c "$T/gate.conf" --print >"$T/out" 2>"$T/err"
}
gate "tables = pay.flow" "cutoff = 00:00" "timezone = Asia/Shanghia"
check "gate: unknown time zone, exit 2 ($?)" [ $? -eq 2 ]
check "gate: names the zone ($(cat "$T/err"))" has "\[gate statement\] timezone: time zone 'Asia/Shanghia'" "$T/err"
gate "tables = pay.flow" "cutoff = 24:00"
check "gate: bad cut-off ($(cat "$T/err"))" has "\[gate statement\] cutoff wants a time of day HH:MM\[:SS\], not '24:00'" "$T/err"
gate "tables = pay.*" "cutoff = 00:00"
check "gate: a pattern is not a table ($(cat "$T/err"))" has "tables: 'pay.\*' is not db.table" "$T/err"
gate "cutoff = 00:00"
check "gate: tables required ($(cat "$T/err"))" has "\[gate statement\] tables is required" "$T/err"
gate "tables = pay.flow, pay.cp" "cutoff = 00:00" "timezone = Asia/Shanghai" "max_skew = 1m" "bogus = 1"
check "gate: unknown option at FILE:LINE ($(cat "$T/err"))" has "gate.conf:11: unknown option 'bogus' in \[gate statement\]" "$T/err"
gate "tables = pay.flow, pay.cp" "cutoff = 00:00" "timezone = Asia/Shanghai" "max_skew = 1m"
check "gate: a valid gate printed" has "^max_skew = 1m$" "$T/out"

"$B" config-doc >"$T/config.md"
check "docs/config.md is what config-doc prints (run: build/binlogd config-doc > docs/config.md)" \
    cmp -s "$T/config.md" docs/config.md

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
