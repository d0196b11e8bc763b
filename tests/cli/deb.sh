#!/bin/sh
# The Debian package (make deb) on this machine, as an operator would meet
# it: a build host without a -dev package is told which; it builds from this checkout, `dpkg -i` installs it with only the
# runtime libraries it depends on, `binlogd --help` and the man pages
# (binlogd(8), binlogd.conf(5)) work, the installed unit passes
# `systemd-analyze verify` and is neither enabled nor started, the
# package's Depends were computed (the shared libraries), and a purge
# removes everything it installed but leaves the state directory.
# Needs root (it installs and purges the package); refuses to touch a
# binlogd package installed before it.  Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
T=$(mktemp -d)
STATE=/var/lib/private/binlogd
made_state=""
cleanup() {
    [ -n "$made_state" ] && rm -rf "$STATE"
    rm -rf "$T"
}
trap cleanup EXIT
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
}
if [ "$(id -u)" -ne 0 ]; then
    bad "the package test installs a package: run it as root (CI does)"
    finish
fi
if dpkg-query -W -f='${Status}' binlogd 2>/dev/null | grep -q "install ok installed"; then
    bad "a binlogd package is installed already: this test installs and purges its own; remove that one first"
    finish
fi

# a build host without the -dev packages: make names them (pkg-config
# pointed at nothing stands in for their absence)
PKG_CONFIG_LIBDIR=/nonexistent PKG_CONFIG_PATH= make -s pkgcheck >"$T/pc.out" 2>"$T/pc.err"
rc=$?
check "missing -dev packages: make fails naming them ($rc: $(cat "$T/pc.err"))" \
    sh -c "[ $rc -ne 0 ] && grep -q 'missing build dependencies: apt-get install libmariadb-dev libjansson-dev .*librdkafka-dev' '$T/pc.err'"

make -s deb >"$T/build.log" 2>&1
rc=$?
DEB=$(ls build/deb-out/binlogd_*_amd64.deb 2>/dev/null | head -1)
check "make deb: exit 0, a package ($rc: $(tail -3 "$T/build.log" | tr '\n' '|'))" sh -c "[ $rc -eq 0 ] && [ -n '$DEB' ]"
[ -n "$DEB" ] || finish
dpkg-deb -f "$DEB" Depends >"$T/depends"
check "Depends computed from the libraries ($(cat "$T/depends"))" \
    sh -c "grep -q 'librdkafka1' '$T/depends' && grep -q 'libmariadb3' '$T/depends' && grep -q 'libc6' '$T/depends'"
check "the build tools are not runtime dependencies" sh -c "! grep -qE 'gcc|-dev|mariadb-server|default-jre' '$T/depends'"

dpkg -i "$DEB" >"$T/install.log" 2>&1
rc=$?
check "dpkg -i: exit 0 ($rc: $(tail -3 "$T/install.log" | tr '\n' '|'))" [ "$rc" -eq 0 ]
/usr/bin/binlogd --help >"$T/help" 2>&1
check "binlogd --help from the package: exit 0, the commands" sh -c "[ $? -eq 0 ] && grep -q '^  gate ' '$T/help'"
check "man -w binlogd: binlogd(8) ($(man -w binlogd 2>&1))" sh -c "man -w binlogd | grep -q '/usr/share/man/man8/binlogd.8'"
check "man -w 5 binlogd.conf: binlogd.conf(5) ($(man -w 5 binlogd.conf 2>&1))" sh -c "man -w 5 binlogd.conf | grep -q '/usr/share/man/man5/binlogd.conf.5'"
man -P cat binlogd 2>/dev/null >"$T/man8"
check "binlogd(8) holds each command's help and exit statuses" \
    sh -c "grep -q 'COMMAND: GATE' '$T/man8' && grep -q 'COMMAND: REPLAY' '$T/man8' && grep -q -- '--wait ran out' '$T/man8'"
man -P cat 5 binlogd.conf 2>/dev/null >"$T/man5"
check "binlogd.conf(5) holds the options ([source] host, [kafka] exactly_once)" \
    sh -c "grep -q '^ *host ' '$T/man5' && grep -q 'exactly_once' '$T/man5'"
UNIT=/lib/systemd/system/binlogd.service
check "the unit is installed ($UNIT)" test -f "$UNIT"
check "the unit runs the packaged binary" grep -q '^ExecStart=/usr/bin/binlogd run -c /etc/binlogd/binlogd.conf$' "$UNIT"
systemd-analyze verify "$UNIT" >"$T/verify" 2>&1
rc=$?
check "systemd-analyze verify on the installed unit: exit 0, no complaint ($rc: $(head -c 300 "$T/verify"))" \
    sh -c "[ $rc -eq 0 ] && [ ! -s '$T/verify' ]"
check "not enabled by the install (configure first)" \
    sh -c "! ls /etc/systemd/system/*.wants/binlogd.service >/dev/null 2>&1"
check "the example config and the docs are there" \
    sh -c "[ -f /usr/share/doc/binlogd/binlogd.conf.example ] && [ -f /usr/share/doc/binlogd/operations.md ]"

# a state directory as a run would leave it (DynamicUser: /var/lib/private)
if [ ! -e "$STATE" ]; then
    mkdir -p "$STATE"
    echo '{"binlogd_checkpoint":1}' >"$STATE/checkpoint.json"
    made_state=1
fi
dpkg --purge binlogd >"$T/purge.log" 2>&1
rc=$?
check "dpkg --purge: exit 0 ($rc: $(tail -2 "$T/purge.log" | tr '\n' '|'))" [ "$rc" -eq 0 ]
left=""
for f in /usr/bin/binlogd "$UNIT" /usr/share/man/man8/binlogd.8.gz /usr/share/man/man5/binlogd.conf.5.gz \
    /usr/share/doc/binlogd; do
    [ -e "$f" ] && left="$left $f"
done
check "purge removed everything it installed (left:${left:- nothing})" [ -z "$left" ]
check "purge kept the state directory ($STATE)" test -f "$STATE/checkpoint.json"
finish
