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

printf '[source]\nhost = 127.0.0.1\nport = 1\nconnect_timeout = 1\n[kafka]\nbootstrap.servers = 127.0.0.1:1\n[state]\ndir = %s/state\n' "$T" >"$T/good.conf"
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

printf '[state]\ndir = /proc/nope/state\n' >>"$T/good.conf"
"$B" check-config -c "$T/good.conf" >"$T/out" 2>"$T/err"
check "state dir twice: FILE:LINE ($(cat "$T/err"))" has "good.conf:10: \[state\] dir given twice" "$T/err"

"$B" check-config -c "$T/good.conf" --host x >/dev/null 2>&1
check "-c with --host: usage error" [ $? -eq 2 ]

"$B" config-doc >"$T/config.md"
check "docs/config.md is what config-doc prints (run: build/binlogd config-doc > docs/config.md)" \
    cmp -s "$T/config.md" docs/config.md

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
