#!/bin/sh
# Install the Debian packages that building, testing and the demo need, if
# any are missing.  Idempotent and quiet when everything is there.
set -eu
PKGS="gcc make pkg-config libmariadb-dev default-libmysqlclient-dev mariadb-server mariadb-client
librdkafka-dev libev-dev libjansson-dev check libsubunit-dev libsystemd-dev libzstd-dev zlib1g-dev
libmicrohttpd-dev libinih-dev libcurl4-openssl-dev valgrind clang-14 libclang-rt-14-dev kcat
xxd procps bc util-linux clang-format-14 default-jre-headless default-jdk-headless maven socat openssl systemd gawk
jq prometheus tzdata"
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
