#!/bin/sh
# binlogd gate against a fake daemon: socat on 127.0.0.1 answering every
# request with the HTTP response in $T/response (which the test swaps).
# Exit statuses 0 ready, 3 not ready, 4 --wait ran out, 1 daemon
# unreachable or an unexpected answer, 2 usage; --wait returning 0 once the
# fake turns from 503 to 200; an unknown gate named with the defined ones;
# the printed state and tables; --cutoff resolved in the gate's zone;
# --url without a config (the cut-off sent as given, then pinned to the
# daemon's answer), with one; a config of only [http] and [gate NAME],
# and one whose secret file cannot be read: gate reads neither.
# Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=${BINLOGD:-build/binlogd}
T=$(mktemp -d)
SOCAT=""
trap '[ -n "$SOCAT" ] && kill "$SOCAT" 2>/dev/null; rm -rf "$T"' EXIT
. tests/lib.sh

# ---- what needs no config and no daemon
"$B" gate >"$T/out" 2>"$T/err"
check "no -c: exit 2 ($?)" [ $? -eq 2 ]
check "no -c: says so" has "give the daemon's config file with -c FILE" "$T/err"
"$B" gate --help >"$T/out" 2>&1
check "--help: exit 0" [ $? -eq 0 ]
check "--help lists the exit statuses" has "^  4  --wait ran out" "$T/out"
"$B" gate -c /dev/null x --wait 5x >/dev/null 2>"$T/err"
check "--wait 5x: exit 2 ($?)" [ $? -eq 2 ]
check "--wait 5x: names the value" has "not '5x'" "$T/err"
"$B" gate -c /dev/null x --interval 0 >/dev/null 2>&1
check "--interval 0: exit 2" [ $? -eq 2 ]
"$B" gate -c /dev/null x y >/dev/null 2>&1
check "two names: exit 2" [ $? -eq 2 ]

# ---- the gate's config: parsing of [http] and [gate NAME] may not be
# there yet; then the rest is skipped (it runs once the config has them)
conf() { # FILE LISTEN [EXTRA]
    printf '[source]\nhost = 127.0.0.1\nport = 1\nconnect_timeout = 1\n[kafka]\nbootstrap.servers = 127.0.0.1:1\n[state]\ndir = %s/state\n[http]\nlisten = %s\n[gate statement]\ntables = acct.flow, acct.counterparty\ncutoff = 00:00\n[gate warehouse]\ntables = acct.flow\ncutoff = 01:00\n%s' \
        "$T" "$2" "${3:-}" >"$1"
}
conf "$T/probe.conf" 127.0.0.1:1
"$B" check-config -c "$T/probe.conf" >/dev/null 2>"$T/err"
if grep -q "unknown section \[" "$T/err"; then
    echo "note: the config does not read [http]/[gate NAME] yet ($(cat "$T/err")): the daemon tests are skipped"
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
fi

# ---- the fake daemon
cat >"$T/respond.sh" <<'EOF'
#!/bin/sh
# one request: log its first line, skip its headers, answer with $1/response
IFS= read -r line
printf '%s\n' "$line" | tr -d '\r' >>"$1/requests"
while IFS= read -r h; do
    h=$(printf '%s' "$h" | tr -d '\r')
    [ -z "$h" ] && break
    case $h in Authorization:*) printf '%s\n' "$h" >>"$1/auth" ;; esac
done
cat "$1/response"
EOF
respond() { # STATUS-LINE BODY: the fake's next answers
    _len=$(printf '%s' "$2" | wc -c)
    printf 'HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
        "$1" "$_len" "$2" >"$T/response.new"
    mv "$T/response.new" "$T/response"
}
READY='{"gate":"statement","state":"ready","ready":true,"at_risk":false,"skewed":false,"cutoff":"2026-11-26T16:00:00.000000Z","cutoff_us":1795708800000000,"stage":"acked","consumer_group":null,"skew_s":0.5,"tables":[{"table":"acct.flow","watermark":"2026-11-26T16:00:02.000000Z","watermark_us":1795708802000000,"lag_s":0.25,"complete":true},{"table":"acct.counterparty","watermark":"2026-11-26T16:00:01.500000Z","watermark_us":1795708801500000,"lag_s":0.75,"complete":true}]}'
NOTREADY='{"gate":"statement","state":"at_risk","ready":false,"at_risk":true,"skewed":false,"cutoff":"2026-11-26T16:00:00.000000Z","cutoff_us":1795708800000000,"stage":"acked","consumer_group":"statements","skew_s":3600.0,"tables":[{"table":"acct.flow","watermark":"2026-11-26T16:00:02.000000Z","watermark_us":1795708802000000,"lag_s":0.25,"complete":true},{"table":"acct.counterparty","watermark":"2026-11-26T15:00:00.000000Z","watermark_us":1795705200000000,"lag_s":3725.5,"complete":false}]}'
respond "503 Service Unavailable" "$NOTREADY"

# a free port: socat exits at once when its port is taken
P=$((20000 + $$ % 20000))
for _try in 1 2 3 4 5 6 7 8 9 10; do
    socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork" "SYSTEM:sh $T/respond.sh $T" 2>/dev/null &
    SOCAT=$!
    sleep 0.3
    kill -0 "$SOCAT" 2>/dev/null && break
    SOCAT=""
    P=$((P + 1))
done
if [ -z "$SOCAT" ]; then
    bad "could not start the fake daemon (socat) on 127.0.0.1"
    echo "$pass passed, $fail failed"
    exit 1
fi
conf "$T/gate.conf" "127.0.0.1:$P"
: >"$T/requests"
URL="http://127.0.0.1:$P/gates/statement"

# not ready: 3, the state, the cut-off and every table
"$B" gate -c "$T/gate.conf" statement >"$T/out" 2>"$T/err"
rc=$?
check "503: exit 3 ($rc; $(cat "$T/err"))" [ "$rc" -eq 3 ]
check "503: the state line ($(head -1 "$T/out"))" has "^gate statement: at_risk (at risk)$" "$T/out"
check "503: the cut-off" has "^cutoff: 2026-11-26T16:00:00.000000Z$" "$T/out"
check "503: the stage and consumer group" has "^consumer_group: statements$" "$T/out"
check "503: the behind table" has "^table acct.counterparty: watermark 2026-11-26T15:00:00.000000Z, lag 3725.500 s, incomplete$" "$T/out"
check "503: the complete table" has "^table acct.flow: watermark 2026-11-26T16:00:02.000000Z, lag 0.250 s, complete$" "$T/out"
check "asked GET /gates/statement ($(tail -1 "$T/requests"))" has "^GET /gates/statement HTTP/1.1$" "$T/requests"

# a wildcard listen address is asked on loopback
conf "$T/any.conf" "0.0.0.0:$P"
"$B" gate -c "$T/any.conf" statement >/dev/null 2>"$T/err"
check "listen 0.0.0.0: asked at 127.0.0.1 ($?; $(cat "$T/err"))" [ $? -eq 3 ]

# --quiet: the same status, nothing printed
"$B" gate -c "$T/gate.conf" statement --quiet >"$T/out" 2>"$T/err"
rc=$?
check "--quiet 503: exit 3 ($rc)" [ "$rc" -eq 3 ]
check "--quiet: prints nothing" sh -c "[ ! -s '$T/out' ] && [ ! -s '$T/err' ]"

# ready: 0
respond "200 OK" "$READY"
"$B" gate -c "$T/gate.conf" statement >"$T/out" 2>"$T/err"
rc=$?
check "200: exit 0 ($rc; $(cat "$T/err"))" [ "$rc" -eq 0 ]
check "200: the state line" has "^gate statement: ready$" "$T/out"
check "200: the tables" has "^table acct.counterparty: watermark 2026-11-26T16:00:01.500000Z, lag 0.750 s, complete$" "$T/out"
check "200: no consumer group line for null" sh -c "! grep -q consumer_group '$T/out'"

# --cutoff: sent resolved to UTC; "2026-11-27 00:00" in the gate's zone (UTC here)
"$B" gate -c "$T/gate.conf" statement --cutoff "2026-11-27 00:00" >/dev/null 2>&1
check "--cutoff: exit 0" [ $? -eq 0 ]
check "--cutoff: asked with it ($(tail -1 "$T/requests"))" has "^GET /gates/statement?cutoff=2026-11-27T00:00:00.000000Z HTTP/1.1$" "$T/requests"
"$B" gate -c "$T/gate.conf" statement --cutoff "2026-11-27T00:00:00+08:00" >/dev/null 2>&1
check "--cutoff with an offset" has "^GET /gates/statement?cutoff=2026-11-26T16:00:00.000000Z HTTP/1.1$" "$T/requests"
"$B" gate -c "$T/gate.conf" statement --cutoff tomorrow >/dev/null 2>"$T/err"
check "--cutoff tomorrow: exit 2 ($?)" [ $? -eq 2 ]
check "--cutoff tomorrow: says what is accepted" has "'tomorrow' is not a time (RFC 3339" "$T/err"
# the gate's own zone
conf "$T/tz.conf" "127.0.0.1:$P" '[gate shanghai]
tables = acct.flow
cutoff = 00:00
timezone = Asia/Shanghai
'
"$B" gate -c "$T/tz.conf" shanghai --cutoff "2026-11-27 00:00" >/dev/null 2>"$T/err"
check "--cutoff in Asia/Shanghai: exit 0 ($(cat "$T/err"))" [ $? -eq 0 ]
check "--cutoff in Asia/Shanghai: 16:00Z the day before" has "^GET /gates/shanghai?cutoff=2026-11-26T16:00:00.000000Z HTTP/1.1$" "$T/requests"

# --url: no config at all
respond "503 Service Unavailable" "$NOTREADY"
: >"$T/requests"
"$B" gate --url "http://127.0.0.1:$P/" statement >"$T/out" 2>"$T/err"
rc=$?
check "--url, no -c, 503: exit 3 ($rc; $(cat "$T/err"))" [ "$rc" -eq 3 ]
check "--url: asked GET /gates/statement ($(tail -1 "$T/requests"))" has "^GET /gates/statement HTTP/1.1$" "$T/requests"
check "--url: prints the state" has "^gate statement: at_risk" "$T/out"
"$B" gate --url "ftp://127.0.0.1:$P" statement >/dev/null 2>"$T/err"
check "--url ftp://...: exit 2 ($?)" [ $? -eq 2 ]
check "--url ftp://...: says what it wants" has "--url wants the daemon's address, http://HOST:PORT" "$T/err"
# a cut-off without a config: sent as given, then pinned to the instant
# the daemon resolved it to, for the rest of a --wait
: >"$T/requests"
"$B" gate --url "http://127.0.0.1:$P" statement --cutoff "2026-11-27 00:00" --wait 20s --interval 200ms >"$T/out" 2>"$T/err" &
gp=$!
sleep 1.2
respond "200 OK" "$READY"
wait "$gp"
rc=$?
check "--url --cutoff --wait, 503 then 200: exit 0 ($rc; $(cat "$T/err"))" [ "$rc" -eq 0 ]
check "--url --cutoff: the first question carries it as given ($(head -1 "$T/requests"))" \
    sh -c "head -1 '$T/requests' | grep -q '^GET /gates/statement?cutoff=2026-11-27%2000%3A00 HTTP/1.1\$'"
check "--url --cutoff: the next ones the daemon's instant ($(sed -n 2p "$T/requests"))" \
    sh -c "sed -n 2p '$T/requests' | grep -q '^GET /gates/statement?cutoff=2026-11-26T16%3A00%3A00.000000Z HTTP/1.1\$'"
# --url with -c: the config's gate and zone, the URL's address
respond "503 Service Unavailable" "$NOTREADY"
conf "$T/far.conf" 127.0.0.1:1
"$B" gate -c "$T/far.conf" --url "http://127.0.0.1:$P" statement --cutoff "2026-11-27 00:00" >/dev/null 2>"$T/err"
check "--url with -c: asked at the URL, exit 3 ($?; $(cat "$T/err"))" [ $? -eq 3 ]
check "--url with -c: the cut-off resolved by the config's zone" has "^GET /gates/statement?cutoff=2026-11-27T00:00:00.000000Z HTTP/1.1$" "$T/requests"
# a config of only [http] and [gate NAME], and one whose secrets this
# user cannot read: gate needs neither the rest nor the secrets
printf '[http]\nlisten = 127.0.0.1:%s\n[gate statement]\ntables = acct.flow\ncutoff = 00:00\n' "$P" >"$T/gateonly.conf"
"$B" gate -c "$T/gateonly.conf" statement >/dev/null 2>"$T/err"
check "only [http] and [gate]: exit 3 ($?; $(cat "$T/err"))" [ $? -eq 3 ]
conf "$T/secret.conf" "127.0.0.1:$P" '[kafka]
sasl.password = file:/nonexistent/binlogd/kafka-password
'
"$B" check-config -c "$T/secret.conf" --offline >/dev/null 2>"$T/cerr" || "$B" check-config -c "$T/secret.conf" >/dev/null 2>"$T/cerr"
check "a secret file nobody can read: the daemon's config load refuses it ($(head -1 "$T/cerr"))" has "kafka-password" "$T/cerr"
"$B" gate -c "$T/secret.conf" statement >/dev/null 2>"$T/err"
check "... and gate does not read it: exit 3 ($?; $(cat "$T/err"))" [ $? -eq 3 ]

# --wait: ready after the fake turns from 503 to 200
respond "503 Service Unavailable" "$NOTREADY"
: >"$T/requests"
start=$(date +%s)
"$B" gate -c "$T/gate.conf" statement --wait 20s --interval 200ms >"$T/out" 2>"$T/err" &
gp=$!
sleep 1.2
respond "200 OK" "$READY"
wait "$gp"
rc=$?
took=$(($(date +%s) - start))
check "--wait, 503 then 200: exit 0 ($rc; $(cat "$T/err"))" [ "$rc" -eq 0 ]
check "--wait: returned soon after the switch (${took}s)" [ "$took" -lt 10 ]
check "--wait: asked again every 200ms ($(wc -l <"$T/requests") requests)" [ "$(wc -l <"$T/requests")" -ge 4 ]
check "--wait: prints the ready state" has "^gate statement: ready$" "$T/out"
check "--wait: said it was waiting" has "statement: at_risk; waiting" "$T/err"

# --wait running out while not ready: 4 and the last state
respond "503 Service Unavailable" "$NOTREADY"
start=$(date +%s)
"$B" gate -c "$T/gate.conf" statement --wait 1s --interval 300ms >"$T/out" 2>"$T/err"
rc=$?
took=$(($(date +%s) - start))
check "--wait 1s, never ready: exit 4 ($rc)" [ "$rc" -eq 4 ]
check "--wait 1s: took about a second (${took}s)" [ "$took" -le 3 ]
check "--wait 1s: the last state" has "^gate statement: at_risk" "$T/out"
check "--wait 1s: the last tables" has "^table acct.counterparty: .*incomplete$" "$T/out"
check "--wait 1s: says so" has "still not ready at the end of the wait" "$T/err"

# another status: 1, naming the URL and the status
respond "500 Internal Server Error" "lag monitor not started"
"$B" gate -c "$T/gate.conf" statement >"$T/out" 2>"$T/err"
rc=$?
check "500: exit 1 ($rc)" [ "$rc" -eq 1 ]
check "500: names the URL and the answer ($(cat "$T/err"))" has "$URL: the daemon answered HTTP 500: lag monitor not started" "$T/err"
respond "404 Not Found" "no gate statement"
"$B" gate -c "$T/gate.conf" statement >"$T/out" 2>"$T/err"
check "404: exit 1 ($?)" [ $? -eq 1 ]
check "404: suggests a reload" has "define \[gate statement\]? reload it" "$T/err"

# unreachable: 1 naming the URL; with --wait, retried to the end, then 1
conf "$T/down.conf" 127.0.0.1:1
"$B" gate -c "$T/down.conf" statement >"$T/out" 2>"$T/err"
rc=$?
check "unreachable: exit 1 ($rc)" [ "$rc" -eq 1 ]
check "unreachable: names the URL ($(cat "$T/err"))" has "cannot ask the daemon at http://127.0.0.1:1/gates/statement" "$T/err"
start=$(date +%s)
"$B" gate -c "$T/down.conf" statement --wait 1s --interval 200ms >"$T/out" 2>"$T/err"
rc=$?
took=$(($(date +%s) - start))
check "unreachable, --wait 1s: exit 1 ($rc)" [ "$rc" -eq 1 ]
check "unreachable, --wait 1s: kept trying for the second (${took}s)" sh -c "[ $took -ge 1 ] && [ $took -le 3 ]"
check "unreachable, --wait 1s: reported at the end" has "at the end of the wait" "$T/err"

# the daemon coming up during a --wait
respond "200 OK" "$READY"
conf "$T/late.conf" "127.0.0.1:$((P + 100))"
"$B" gate -c "$T/late.conf" statement --wait 20s --interval 200ms >"$T/out" 2>"$T/err" &
gp=$!
sleep 1
socat "TCP-LISTEN:$((P + 100)),bind=127.0.0.1,reuseaddr,fork" "SYSTEM:sh $T/respond.sh $T" 2>/dev/null &
late=$!
wait "$gp"
rc=$?
kill "$late" 2>/dev/null
check "daemon up during --wait: exit 0 ($rc; $(cat "$T/err"))" [ "$rc" -eq 0 ]

# a daemon behind HTTPS and basic authentication ([http] tls_cert and
# auth_user): gate asks over HTTPS, verifies the daemon by the config's
# certificate, and gives the user and the password from the environment
if openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1; then
    TP=$((P + 200))
    socat "OPENSSL-LISTEN:$TP,bind=127.0.0.1,reuseaddr,fork,cert=$T/cert.pem,key=$T/key.pem,verify=0" \
        "SYSTEM:sh $T/respond.sh $T" 2>/dev/null &
    tls=$!
    sleep 0.5
    respond "503 Service Unavailable" "$NOTREADY"
    conf "$T/tls.conf" "127.0.0.1:$TP" "[http]
tls_cert = $T/cert.pem
tls_key = $T/key.pem
auth_user = prometheus
auth_password_hash = \$2b\$10\$abcdefghijklmnopqrstuuO2cYFaWbJ0ZQXK2o6m3d.TLnN3rz9Cm
"
    : >"$T/auth"
    "$B" gate -c "$T/tls.conf" statement >"$T/out" 2>"$T/err"
    rc=$?
    check "TLS + auth, no password given: exit 2 ($rc)" [ "$rc" -eq 2 ]
    check "... says how to give it ($(cat "$T/err"))" has "give it with --password-file F or \$BINLOGD_HTTP_PASSWORD" "$T/err"
    BINLOGD_HTTP_PASSWORD=s3cret "$B" gate -c "$T/tls.conf" statement >"$T/out" 2>"$T/err"
    rc=$?
    check "TLS + auth: asked over HTTPS, exit 3 as for plain HTTP ($rc: $(cat "$T/err"))" [ "$rc" -eq 3 ]
    check "TLS + auth: the user and password went along ($(cat "$T/auth"))" \
        grep -q "^Authorization: Basic $(printf 'prometheus:s3cret' | base64)$" "$T/auth"
    printf 's3cret\n' >"$T/pw"
    "$B" gate --url "https://127.0.0.1:$TP" --cacert "$T/cert.pem" --user prometheus --password-file "$T/pw" statement >/dev/null 2>"$T/err"
    check "TLS + auth with --url, --cacert, --user, --password-file: exit 3 ($?: $(cat "$T/err"))" [ $? -eq 3 ]
    "$B" gate --url "https://127.0.0.1:$TP" statement >/dev/null 2>"$T/err"
    check "HTTPS without the CA: exit 1, the certificate named ($?: $(cat "$T/err"))" has "certificate" "$T/err"
    kill "$tls" 2>/dev/null
else
    bad "openssl could not make a test certificate"
fi

# usage errors that need the config: 2
"$B" gate -c "$T/gate.conf" nope >"$T/out" 2>"$T/err"
check "unknown gate: exit 2 ($?)" [ $? -eq 2 ]
check "unknown gate: lists the gates ($(cat "$T/err"))" has "no gate 'nope' (gates: statement, warehouse)" "$T/err"
printf '[source]\nhost = 127.0.0.1\n[kafka]\nbootstrap.servers = 127.0.0.1:1\n[http]\nlisten =\n[gate statement]\ntables = acct.flow\ncutoff = 00:00\n' >"$T/nohttp.conf"
"$B" gate -c "$T/nohttp.conf" statement >"$T/out" 2>"$T/err"
check "empty [http] listen: exit 2 ($?)" [ $? -eq 2 ]
check "empty [http] listen: says the daemon serves no gates" has "\[http\] listen is not set: the daemon serves no gates" "$T/err"
printf '[source]\nhost = 127.0.0.1\n[kafka]\nbootstrap.servers = 127.0.0.1:1\n[http]\nlisten = 127.0.0.1:9175\n' >"$T/nogates.conf"
"$B" gate -c "$T/nogates.conf" statement >"$T/out" 2>"$T/err"
check "no gates at all: exit 2 ($?)" [ $? -eq 2 ]
check "no gates at all: says so" has "defines no \[gate NAME\] sections" "$T/err"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
