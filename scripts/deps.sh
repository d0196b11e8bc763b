#!/bin/sh
# Install the Debian packages that a purpose needs, if any are missing.
# Idempotent and quiet when everything is there.
#
#   scripts/deps.sh build   compiling binlogd, its man pages and its package
#                           (make deps; what a build host needs, no servers)
#   scripts/deps.sh demo    build + the demo's MariaDB, Kafka (a JRE, mvn) and
#                           tools (make demo)
#   scripts/deps.sh test    demo + what the tests use: Check, valgrind,
#                           sanitizers, clang-format, promtool, socat, ...
#                           (make check)
# A replication host that runs the package needs none of these: `apt
# install ./binlogd_*.deb` brings the runtime libraries.
set -eu
BUILD_PKGS="gcc make pkg-config libmariadb-dev librdkafka-dev libev-dev libjansson-dev
libsystemd-dev libzstd-dev zlib1g-dev libmicrohttpd-dev libinih-dev libcurl4-openssl-dev
libcrypt-dev libssl-dev debhelper dpkg-dev"
DEMO_PKGS="mariadb-server mariadb-client default-jre-headless default-jdk-headless maven kcat
procps bc util-linux openssl gawk jq tzdata curl"
TEST_PKGS="default-libmysqlclient-dev check libsubunit-dev valgrind clang-14 libclang-rt-14-dev
xxd clang-format-14 socat systemd prometheus man-db"
case "${1:-build}" in
build) PKGS=$BUILD_PKGS ;;
demo) PKGS="$BUILD_PKGS $DEMO_PKGS" ;;
test) PKGS="$BUILD_PKGS $DEMO_PKGS $TEST_PKGS" ;;
*)
    echo "usage: scripts/deps.sh build|demo|test" >&2
    exit 2
    ;;
esac
missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# A policy-rc.d that denies starts keeps the packaged services (mariadb,
# prometheus: only its promtool is used) from starting: the tests and the
# demo run their own servers on loopback.
made_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
fi
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
[ -n "$made_policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d
case " $missing " in
*" prometheus "*) $SUDO systemctl disable prometheus >/dev/null 2>&1 || true ;;
esac
