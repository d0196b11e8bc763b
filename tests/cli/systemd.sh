#!/bin/sh
# deploy/systemd/binlogd.service: `systemd-analyze verify` accepts it (with
# the binary path pointed at this build), its hardening scores "OK" or
# better in `systemd-analyze security`, and it runs what the README says.
# Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=$(pwd)/${BINLOGD:-build/binlogd}
U=deploy/systemd/binlogd.service
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh
if ! command -v systemd-analyze >/dev/null 2>&1; then
    bad "systemd-analyze is not installed (systemd package)"
    echo "$pass passed, $fail failed"
    exit 1
fi
sed "s|/usr/local/bin/binlogd|$B|g" "$U" >"$T/binlogd.service"
systemd-analyze verify "$T/binlogd.service" >"$T/out" 2>&1
rc=$?
check "systemd-analyze verify: exit 0 ($rc: $(head -c 300 "$T/out"))" [ "$rc" -eq 0 ]
check "systemd-analyze verify: no complaints" [ ! -s "$T/out" ]
systemd-analyze security --offline=yes "$T/binlogd.service" >"$T/sec" 2>&1
score=$(sed -n 's/.*Overall exposure level for binlogd.service: \([0-9.]*\).*/\1/p' "$T/sec")
check "hardening: exposure level ${score:-?} <= 2.0" sh -c "[ -n '$score' ] && [ \"\$(echo '$score <= 2.0' | bc)\" = 1 ]"
check "Type=notify" grep -q '^Type=notify$' "$U"
check "WatchdogSec set" grep -q '^WatchdogSec=' "$U"
check "runs binlogd run -c" grep -q '^ExecStart=/usr/local/bin/binlogd run -c /etc/binlogd/binlogd.conf$' "$U"
check "ExecStartPre checks the configuration only" grep -q '^ExecStartPre=/usr/local/bin/binlogd check-config --offline -c /etc/binlogd/binlogd.conf$' "$U"
check "no restart after a configuration error (2) or a statement stop (65)" grep -q '^RestartPreventExitStatus=2 65$' "$U"
check "a start limit" sh -c "grep -q '^StartLimitIntervalSec=' '$U' && grep -q '^StartLimitBurst=' '$U'"
# the unit with its credentials in use (the files present): verify accepts it
mkdir -p "$T/cred"
sed -e 's|^#LoadCredential=|LoadCredential=|' "$T/binlogd.service" >"$T/cred/binlogd.service"
check "credentials for the secrets and key files are shown (LoadCredential)" grep -q '^#LoadCredential=db-password:/etc/binlogd/db-password$' "$U"
systemd-analyze verify "$T/cred/binlogd.service" >"$T/cred.out" 2>&1
check "with LoadCredential= uncommented: systemd-analyze verify exit 0 ($?: $(head -c 300 "$T/cred.out"))" [ ! -s "$T/cred.out" ]
check "reload is SIGHUP" grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$U"
check "its own user and state directory" sh -c "grep -q '^DynamicUser=yes' '$U' && grep -q '^StateDirectory=binlogd' '$U'"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
