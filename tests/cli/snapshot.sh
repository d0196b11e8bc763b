#!/bin/sh
# binlogd snapshot against a fake daemon: socat on 127.0.0.1 answering
# each request by its method and path from a queue of answers the test
# sets (the last one of a queue is given again).  A request accepted, its
# tables then resolved (the printed lines, exit 0); the query's tables and
# where URL-encoded (the exact request line); a snapshot that fails, a
# request refused (400, 503), an old daemon (405); --wait to the end with
# progress lines at most once a second, and running out (3); the tables
# never resolved within --timeout; --status as text and as JSON, one and
# all; --cancel done, unknown (404), already ended (409); an unreachable
# daemon (1, as binlogd gate); basic authentication; option errors.
# Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=${BINLOGD:-build/binlogd}
T=$(mktemp -d)
SOCAT=""
trap '[ -n "$SOCAT" ] && kill "$SOCAT" 2>/dev/null; rm -rf "$T"' EXIT
. tests/lib.sh

# ---- what needs no daemon
"$B" snapshot >"$T/out" 2>"$T/err"
check "no arguments: exit 2 ($?)" [ $? -eq 2 ]
check "no arguments: says what to give ($(cat "$T/err"))" has "give --tables PATTERNS to request a snapshot, --status to list them or --cancel ID; see binlogd snapshot --help" "$T/err"
"$B" snapshot --help >"$T/out" 2>&1
check "--help: exit 0" [ $? -eq 0 ]
check "--help lists the exit statuses" has "^  3  --wait ran out while the snapshot was still pending or running$" "$T/out"
check "--help: the usage lines" has "^usage: binlogd snapshot -c FILE --tables PATTERNS \[--where COND\] \[--wait \[DURATION\]\]$" "$T/out"
"$B" --help >"$T/out" 2>&1
check "binlogd --help lists snapshot" has "^  snapshot " "$T/out"
"$B" snapshot -c /dev/null --tabels 'shop.*' >"$T/out" 2>"$T/err"
rc=$?
check "--tabels: exit 2 ($rc)" [ "$rc" -eq 2 ]
printf "%s\n" "binlogd snapshot: unknown option '--tabels' (did you mean '--tables'?); see binlogd snapshot --help" >"$T/want"
check "--tabels: one line, the near option ($(cat "$T/err"))" cmp -s "$T/want" "$T/err"
"$B" snapshot -c /dev/null --cancel >/dev/null 2>"$T/err"
check "--cancel without ID: exit 2 ($?)" [ $? -eq 2 ]
check "--cancel without ID: needs a value ($(cat "$T/err"))" has "^binlogd snapshot: option '--cancel' needs a value; see binlogd snapshot --help$" "$T/err"
usage() { # NAME EXPECTED-STDERR ARGS...: exit 2 and that one line
    _n=$1 _e=$2
    shift 2
    "$B" snapshot "$@" >"$T/out" 2>"$T/err"
    _rc=$?
    check "$_n: exit 2 ($_rc)" [ "$_rc" -eq 2 ]
    printf 'binlogd snapshot: %s; see binlogd snapshot --help\n' "$_e" >"$T/want"
    check "$_n: says '$_e' ($(cat "$T/err"))" cmp -s "$T/want" "$T/err"
    check "$_n: prints nothing on stdout" [ ! -s "$T/out" ]
}
usage "--tables with --status" "--tables and --status do not go together" -c /dev/null --tables 'shop.*' --status
usage "--tables with --cancel" "--tables and --cancel do not go together" -c /dev/null --cancel 3 --tables 'shop.*'
usage "--status with --cancel" "--status and --cancel do not go together" -c /dev/null --status --cancel 3
usage "--where without --tables" "--where goes with --tables" -c /dev/null --status --where 'a = 1'
usage "--wait without --tables" "--wait goes with --tables" -c /dev/null --cancel 3 --wait
usage "--json without --status" "--json goes with --status" -c /dev/null --cancel 3 --json
usage "--wait 5x" "--wait wants a duration such as 30s, 5m, 1h or 500ms (up to a week), or none, not '5x'" -c /dev/null --tables 'shop.*' --wait 5x
usage "--timeout 0" "--timeout wants a duration such as 5s, 1m or 500ms (10ms or more), not '0'" -c /dev/null --status --timeout 0
usage "--cancel a/b" "--cancel wants a snapshot's id (as --status lists them), not 'a/b'" -c /dev/null --cancel a/b
usage "--status a/b" "--status wants a snapshot's id (as --status lists them), not 'a/b'" -c /dev/null --status a/b
usage "empty --tables" "--tables wants comma-separated db.table patterns (shop.orders,shop.*), not ','" -c /dev/null --tables ,
usage "an operand" "unexpected argument 'extra'" -c /dev/null --status 3 extra
usage "no -c nor --url" "give the daemon's config file with -c FILE, or its address with --url http://HOST:PORT" --status
usage "--url ftp://" "--url wants the daemon's address, http://HOST:PORT (as its [http] listen says), not 'ftp://127.0.0.1:1'" --url ftp://127.0.0.1:1 --status

# the config: [http] listen is what it needs, secrets unread
printf '[source]\nhost = 127.0.0.1\n[kafka]\nbootstrap.servers = 127.0.0.1:1\n[http]\nlisten =\n' >"$T/nohttp.conf"
"$B" snapshot -c "$T/nohttp.conf" --status >"$T/out" 2>"$T/err"
check "empty [http] listen: exit 2 ($?)" [ $? -eq 2 ]
check "empty [http] listen: says so ($(cat "$T/err"))" has "$T/nohttp.conf: \[http\] listen is not set: the daemon serves no snapshot requests$" "$T/err"
"$B" snapshot -c "$T/missing.conf" --status >"$T/out" 2>"$T/err"
check "a missing config: exit 2 ($?)" [ $? -eq 2 ]

# ---- the fake daemon
cat >"$T/respond.sh" <<'EOF'
#!/bin/sh
# one request: log its first line, skip its headers, answer with the first
# answer queued for its method and path ($1/q/METHOD_PATH/1, 2, ...; the
# last one stays), or 404
IFS= read -r line
line=$(printf '%s' "$line" | tr -d '\r')
printf '%s\n' "$line" >>"$1/requests"
while IFS= read -r h; do
    h=$(printf '%s' "$h" | tr -d '\r')
    [ -z "$h" ] && break
    case $h in Authorization:*) printf '%s\n' "$h" >>"$1/auth" ;; esac
done
set -- "$1" $line
path=${3%%\?*}
q="$1/q/$(printf '%s_%s' "$2" "$path" | tr -c 'A-Za-z0-9_\n' '_')"
first=$(ls "$q" 2>/dev/null | sort -n | head -1)
if [ -z "$first" ]; then
    printf 'HTTP/1.1 404 Not Found\r\nContent-Length: 22\r\nConnection: close\r\n\r\n{"error":"not found"}\n'
    exit 0
fi
cat "$q/$first"
[ "$(ls "$q" | wc -l)" -gt 1 ] && rm -f "$q/$first"
exit 0
EOF
# answer METHOD PATH STATUS BODY [STATUS BODY ...]: the answers to that
# method and path from now on, in this order (the last one repeated)
answer() {
    _q="$T/q/$(printf '%s_%s' "$1" "$2" | tr -c 'A-Za-z0-9_\n' '_')"
    shift 2
    rm -rf "$_q.new"
    mkdir -p "$_q.new"
    _i=1
    while [ $# -ge 2 ]; do
        _len=$(printf '%s' "$2" | wc -c)
        printf 'HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
            "$1" "$_len" "$2" >"$_q.new/$_i"
        _i=$((_i + 1))
        shift 2
    done
    rm -rf "$_q"
    mv "$_q.new" "$_q"
}
# snap ID STATE REQUESTED TABLES [ERROR [WHERE]]: a snapshot object
snap() {
    _e=null _w=null _f=null
    [ -n "${5:-}" ] && _e="\"$5\""
    [ -n "${6:-}" ] && _w="\"$6\""
    case $2 in done | failed | cancelled) _f='"2026-12-07T18:05:00Z"' ;; esac
    printf '{"id":"%s","state":"%s","requested":"%s","where":%s,"error":%s,"created":"2026-12-07T18:00:00Z","finished":%s,"tables":[%s]}' \
        "$1" "$2" "$3" "$_w" "$_e" "$_f" "$4"
}
# tab TABLE STATE KEY CHUNKS ROWS ACKED [ERROR [KEY_NAME]]: a table of one
tab() {
    _e=null _k=""
    [ -n "${7:-}" ] && _e="\"$7\""
    [ -n "${8:-}" ] && _k=",\"key_name\":\"$8\""
    printf '{"table":"%s","state":"%s","key":%s,"chunks":%s,"rows":%s,"rows_acked":%s,"chunk_size":10000,"error":%s%s}' \
        "$1" "$2" "$3" "$4" "$5" "$6" "$_e" "$_k"
}

P=$((20000 + ($$ + 7919) % 20000))
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
printf '[http]\nlisten = 127.0.0.1:%s\n' "$P" >"$T/snap.conf"
: >"$T/requests"

# ---- a request accepted, then resolved: a line per table
answer POST /snapshot "202 Accepted" "$(snap 3 pending 'shop.orders,shop.items' '')"
answer GET /snapshot/3 \
    "200 OK" "$(snap 3 pending 'shop.orders,shop.items' '')" \
    "200 OK" "$(snap 3 running 'shop.orders,shop.items' "$(tab shop.orders running '["id"]' 0 0 0 '' PRIMARY),$(tab shop.items pending '["order_id","line"]' 0 0 0)")"
"$B" snapshot -c "$T/snap.conf" --tables shop.orders,shop.items >"$T/out" 2>"$T/err"
rc=$?
check "accepted: exit 0 ($rc; $(cat "$T/err"))" [ "$rc" -eq 0 ]
check "accepted: the request line ($(head -1 "$T/requests"))" sh -c "head -1 '$T/requests' | grep -qx 'POST /snapshot?tables=shop.orders%2Cshop.items HTTP/1.1'"
check "accepted: then asked GET /snapshot/3 until resolved ($(tail -1 "$T/requests"))" sh -c "[ \$(grep -cx 'GET /snapshot/3 HTTP/1.1' '$T/requests') -eq 2 ]"
check "accepted: the first table's line ($(head -1 "$T/out"))" sh -c "head -1 '$T/out' | grep -qx 'shop.orders: snapshot 3 accepted, chunked by PRIMARY (id)'"
check "accepted: the second, no index named: by key ($(sed -n 2p "$T/out"))" sh -c "sed -n 2p '$T/out' | grep -qx 'shop.items: snapshot 3 accepted, chunked by key (order_id, line)'"
check "accepted: two lines, nothing on stderr" sh -c "[ \$(wc -l <'$T/out') -eq 2 ] && [ ! -s '$T/err' ]"

# resolved in the POST's own answer: no GET needed
: >"$T/requests"
answer POST /snapshot "202 Accepted" "$(snap 8 running 'shop.orders' "$(tab shop.orders running '["id"]' 0 0 0 '' PRIMARY)")"
"$B" snapshot -c "$T/snap.conf" --tables shop.orders >"$T/out" 2>"$T/err"
check "resolved at once: exit 0 ($?)" [ $? -eq 0 ]
check "resolved at once: one request ($(cat "$T/requests" | tr '\n' ' '))" sh -c "[ \$(wc -l <'$T/requests') -eq 1 ]"
check "resolved at once: the line" sh -c "grep -qx 'shop.orders: snapshot 8 accepted, chunked by PRIMARY (id)' '$T/out'"

# --where: URL-encoded beside the patterns (wildcards, spaces, quotes, &, =)
: >"$T/requests"
"$B" snapshot -c "$T/snap.conf" --tables 'shop.*' --where "created >= '2026-01-01' AND note = 'a&b'" >"$T/out" 2>"$T/err"
check "--where: exit 0 ($?; $(cat "$T/err"))" [ $? -eq 0 ]
check "--where: the exact request line ($(head -1 "$T/requests"))" sh -c "head -1 '$T/requests' | grep -qxF 'POST /snapshot?tables=shop.%2A&where=created%20%3E%3D%20%272026-01-01%27%20AND%20note%20%3D%20%27a%26b%27 HTTP/1.1'"

# ---- a snapshot that fails: 1 and the daemon's error
answer POST /snapshot "202 Accepted" "$(snap 4 pending 'nope.*' '')"
answer GET /snapshot/4 "200 OK" "$(snap 4 failed 'nope.*' '' "no published table matches 'nope.*'")"
"$B" snapshot -c "$T/snap.conf" --tables 'nope.*' >"$T/out" 2>"$T/err"
rc=$?
check "failed: exit 1 ($rc)" [ "$rc" -eq 1 ]
check "failed: the daemon's error ($(cat "$T/err"))" sh -c "grep -qxF \"binlogd snapshot: snapshot 4 failed: no published table matches 'nope.*'\" '$T/err'"
check "failed: nothing accepted on stdout" [ ! -s "$T/out" ]
# a table's own failure beside the snapshot's
answer POST /snapshot "202 Accepted" "$(snap 5 failed 'shop.nokey' "$(tab shop.nokey failed '[]' 0 0 0 'shop.nokey has no primary key, no unique NOT NULL key and no [keys] rule')" 'a table cannot be snapshotted')"
"$B" snapshot -c "$T/snap.conf" --tables 'shop.nokey' >"$T/out" 2>"$T/err"
check "failed table: exit 1 ($?)" [ $? -eq 1 ]
check "failed table: the table's error ($(head -1 "$T/err"))" sh -c "grep -qxF 'binlogd snapshot: shop.nokey: shop.nokey has no primary key, no unique NOT NULL key and no [keys] rule' '$T/err'"
check "failed table: the snapshot's error" sh -c "grep -qxF 'binlogd snapshot: snapshot 5 failed: a table cannot be snapshotted' '$T/err'"

# refused: 400 and 503 with the daemon's error; an old daemon (405)
answer POST /snapshot "400 Bad Request" '{"error":"where: not a condition: unbalanced quote"}'
"$B" snapshot -c "$T/snap.conf" --tables 'shop.*' --where "a = 'x" >"$T/out" 2>"$T/err"
check "400: exit 1 ($?)" [ $? -eq 1 ]
check "400: the daemon's error ($(cat "$T/err"))" sh -c "grep -qxF 'binlogd snapshot: the daemon refused the request (HTTP 400): where: not a condition: unbalanced quote' '$T/err'"
answer POST /snapshot "503 Service Unavailable" '{"error":"this instance is a standby: ask the active one"}'
"$B" snapshot -c "$T/snap.conf" --tables 'shop.*' >"$T/out" 2>"$T/err"
check "503: exit 1 ($?)" [ $? -eq 1 ]
check "503: the daemon's error ($(cat "$T/err"))" sh -c "grep -qxF 'binlogd snapshot: the daemon cannot take snapshots now (HTTP 503): this instance is a standby: ask the active one' '$T/err'"
answer POST /snapshot "405 Method Not Allowed" 'method not allowed: only GET and HEAD'
"$B" snapshot -c "$T/snap.conf" --tables 'shop.*' >"$T/out" 2>"$T/err"
check "405: exit 1 ($?)" [ $? -eq 1 ]
check "405: an older daemon, said so ($(cat "$T/err"))" has "answered HTTP 405: method not allowed: only GET and HEAD (does the running daemon take snapshots?" "$T/err"

# the tables not resolved within --timeout: accepted all the same (0)
answer POST /snapshot "202 Accepted" "$(snap 6 pending 'shop.*' '')"
answer GET /snapshot/6 "200 OK" "$(snap 6 pending 'shop.*' '')"
start=$(date +%s)
"$B" snapshot -c "$T/snap.conf" --tables 'shop.*' --timeout 1s >"$T/out" 2>"$T/err"
rc=$?
took=$(($(date +%s) - start))
check "not resolved: exit 0 ($rc; $(cat "$T/err"))" [ "$rc" -eq 0 ]
check "not resolved: gave up after --timeout (${took}s)" [ "$took" -le 3 ]
check "not resolved: says so ($(cat "$T/out"))" sh -c "grep -qxF 'snapshot 6 accepted; the daemon has not resolved its tables yet (binlogd snapshot --status 6 tells more later)' '$T/out'"

# ---- --wait until done: progress lines, at most one a second
ORD() { tab shop.orders "$1" '["id"]' "$2" "$3" "$4" '' PRIMARY; }
answer POST /snapshot "202 Accepted" "$(snap 7 pending 'shop.orders' '')"
answer GET /snapshot/7 \
    "200 OK" "$(snap 7 running 'shop.orders' "$(ORD running 1 10000 5000)")" \
    "200 OK" "$(snap 7 running 'shop.orders' "$(ORD running 2 20000 15000)")" \
    "200 OK" "$(snap 7 running 'shop.orders' "$(ORD running 3 30000 25000)")" \
    "200 OK" "$(snap 7 running 'shop.orders' "$(ORD running 4 40000 35000)")" \
    "200 OK" "$(snap 7 running 'shop.orders' "$(ORD running 5 50000 45000)")" \
    "200 OK" "$(snap 7 running 'shop.orders' "$(ORD running 6 60000 55000)")" \
    "200 OK" "$(snap 7 done 'shop.orders' "$(ORD done 6 60000 60000)")"
: >"$T/requests"
"$B" snapshot -c "$T/snap.conf" --tables shop.orders --wait >"$T/out" 2>"$T/err"
rc=$?
check "--wait, done: exit 0 ($rc; $(cat "$T/err"))" [ "$rc" -eq 0 ]
check "--wait: the accepted line first ($(head -1 "$T/out"))" sh -c "head -1 '$T/out' | grep -qx 'shop.orders: snapshot 7 accepted, chunked by PRIMARY (id)'"
check "--wait: a progress line ($(sed -n 2p "$T/out"))" sh -c "sed -n 2p '$T/out' | grep -qx 'shop.orders: running, 2 chunks, 20000 rows read, 15000 acknowledged'"
check "--wait: the last state of the table" sh -c "grep -qx 'shop.orders: done, 6 chunks, 60000 rows read, 60000 acknowledged' '$T/out'"
check "--wait: the end ($(tail -1 "$T/out"))" sh -c "tail -1 '$T/out' | grep -qx 'snapshot 7 done: 60000 rows acknowledged in 1 table'"
check "--wait: asked until done ($(grep -c 'GET /snapshot/7' "$T/requests") questions)" sh -c "[ \$(grep -c 'GET /snapshot/7' '$T/requests') -eq 7 ]"
nrun=$(grep -c ': running, ' "$T/out")
check "--wait: 5 changes in about 2.5 s, at most one line a second ($nrun lines)" sh -c "[ $nrun -ge 1 ] && [ $nrun -le 4 ]"

# --wait D running out while still running: 3
answer POST /snapshot "202 Accepted" "$(snap 9 running 'shop.orders' "$(ORD running 1 10000 5000)")"
answer GET /snapshot/9 "200 OK" "$(snap 9 running 'shop.orders' "$(ORD running 1 10000 5000)")"
start=$(date +%s)
"$B" snapshot -c "$T/snap.conf" --tables shop.orders --wait 1s >"$T/out" 2>"$T/err"
rc=$?
took=$(($(date +%s) - start))
check "--wait 1s, still running: exit 3 ($rc; $(cat "$T/err"))" [ "$rc" -eq 3 ]
check "--wait 1s: about a second (${took}s)" [ "$took" -le 3 ]
check "--wait 1s: says so ($(cat "$T/err"))" sh -c "grep -qxF 'binlogd snapshot: snapshot 9 still running at the end of the wait (it goes on; binlogd snapshot --cancel 9 stops it)' '$T/err'"
check "--wait 1s: it was accepted" sh -c "grep -qx 'shop.orders: snapshot 9 accepted, chunked by PRIMARY (id)' '$T/out'"
# --wait=D and --wait D, before another option
"$B" snapshot -c "$T/snap.conf" --wait=1s --tables shop.orders >/dev/null 2>&1
check "--wait=1s: exit 3 ($?)" [ $? -eq 3 ]
"$B" snapshot --wait 1s -c "$T/snap.conf" --tables shop.orders >/dev/null 2>&1
check "--wait 1s before -c: exit 3 ($?)" [ $? -eq 3 ]
# cancelled while waited for: 1
answer GET /snapshot/9 "200 OK" "$(snap 9 cancelled 'shop.orders' "$(ORD cancelled 1 10000 10000)" 'cancelled by request')"
"$B" snapshot -c "$T/snap.conf" --tables shop.orders --wait 5s >"$T/out" 2>"$T/err"
check "--wait, cancelled: exit 1 ($?)" [ $? -eq 1 ]
check "--wait, cancelled: says so ($(cat "$T/err"))" sh -c "grep -qxF 'binlogd snapshot: snapshot 9 was cancelled: cancelled by request' '$T/err'"
check "--wait, cancelled: the table's last line" sh -c "grep -qx 'shop.orders: cancelled, 1 chunk, 10000 rows read, 10000 acknowledged' '$T/out'"

# a question failing meanwhile (a failover: 503) is asked again; failing to
# the end of the wait: 1, with what the last question got
answer POST /snapshot "202 Accepted" "$(snap 10 running 'shop.orders' "$(ORD running 1 10000 5000)")"
answer GET /snapshot/10 \
    "503 Service Unavailable" '{"error":"this instance is a standby"}' \
    "503 Service Unavailable" '{"error":"this instance is a standby"}' \
    "200 OK" "$(snap 10 done 'shop.orders' "$(ORD done 2 20000 20000)")"
"$B" snapshot -c "$T/snap.conf" --tables shop.orders --wait 20s >"$T/out" 2>"$T/err"
rc=$?
check "--wait through two 503s: exit 0 ($rc; $(cat "$T/err"))" [ "$rc" -eq 0 ]
check "--wait through two 503s: told once ($(cat "$T/err"))" sh -c "[ \$(grep -c 'asking again' '$T/err') -eq 1 ] && grep -q 'answered HTTP 503: this instance is a standby; asking again' '$T/err'"
check "--wait through two 503s: done" sh -c "tail -1 '$T/out' | grep -qx 'snapshot 10 done: 20000 rows acknowledged in 1 table'"
answer GET /snapshot/10 "503 Service Unavailable" '{"error":"this instance is a standby"}'
"$B" snapshot -c "$T/snap.conf" --tables shop.orders --wait 1s >"$T/out" 2>"$T/err"
rc=$?
check "--wait, 503 to the end: exit 1 ($rc)" [ "$rc" -eq 1 ]
check "--wait, 503 to the end: says what the last question got ($(tail -1 "$T/err"))" sh -c "tail -1 '$T/err' | grep -q '^binlogd snapshot: snapshot 10 was accepted, but then: .*answered HTTP 503: this instance is a standby (the last question, at the end of the wait)\$'"
# a snapshot the daemon no longer knows: 1 at once
answer GET /snapshot/10 "404 Not Found" '{"error":"no snapshot 10"}'
"$B" snapshot -c "$T/snap.conf" --tables shop.orders --wait 20s >"$T/out" 2>"$T/err"
check "--wait, 404: exit 1 ($?)" [ $? -eq 1 ]
check "--wait, 404: says so ($(cat "$T/err"))" sh -c "grep -qxF 'binlogd snapshot: snapshot 10 is gone from the daemon (HTTP 404: no snapshot 10); did it restart?' '$T/err'"

# ---- --status: all, one, as JSON
S3=$(snap 3 running 'shop.*' "$(ORD running 12 120000 110000),$(tab shop.items failed '["order_id","line"]' 1 500 500 'Lost connection to server during query')" '' "amount > 0")
S2=$(snap 2 done 'acct.flow' "$(tab acct.flow done '["id"]' 3 25000 25000)")
LIST="{\"snapshots\":[$S3,$S2],\"paused\":true,\"pause_reason\":\"the stream lags 7.5 s\",\"max_lag_s\":5.0}"
answer GET /snapshot "200 OK" "$LIST"
answer GET /snapshot/2 "200 OK" "$S2"
"$B" snapshot -c "$T/snap.conf" --status >"$T/out" 2>"$T/err"
rc=$?
check "--status: exit 0 ($rc; $(cat "$T/err"))" [ "$rc" -eq 0 ]
cat >"$T/want" <<'EOF'
paused: yes (the stream lags 7.5 s); chunks pause while the lag is above 5.0 s
snapshot 3: running; tables shop.*; where amount > 0; created 2026-12-07T18:00:00Z
  TABLE        STATE    KEY            CHUNKS    ROWS   ACKED  ERROR
  shop.orders  running  id                 12  120000  110000
  shop.items   failed   order_id,line       1     500     500  Lost connection to server during query
snapshot 2: done; tables acct.flow; created 2026-12-07T18:00:00Z; finished 2026-12-07T18:05:00Z
  TABLE      STATE  KEY  CHUNKS   ROWS  ACKED
  acct.flow  done   id        3  25000  25000
EOF
check "--status: the table ($(diff "$T/want" "$T/out" | tr '\n' '|'))" cmp -s "$T/want" "$T/out"
"$B" snapshot -c "$T/snap.conf" --status 2 >"$T/out" 2>"$T/err"
check "--status 2: exit 0 ($?)" [ $? -eq 0 ]
check "--status 2: asked GET /snapshot/2" sh -c "tail -1 '$T/requests' | grep -qx 'GET /snapshot/2 HTTP/1.1'"
tail -3 "$T/want" >"$T/want2"
check "--status 2: that one ($(head -1 "$T/out"))" cmp -s "$T/want2" "$T/out"
"$B" snapshot -c "$T/snap.conf" --status --json >"$T/out" 2>"$T/err"
check "--status --json: exit 0 ($?)" [ $? -eq 0 ]
printf '%s\n' "$LIST" >"$T/want"
check "--status --json: the daemon's JSON as it is" cmp -s "$T/want" "$T/out"
"$B" snapshot -c "$T/snap.conf" --status=2 --json >"$T/out" 2>"$T/err"
printf '%s\n' "$S2" >"$T/want"
check "--status=2 --json: that snapshot's JSON" cmp -s "$T/want" "$T/out"
answer GET /snapshot "200 OK" '{"snapshots":[],"paused":false,"pause_reason":null,"max_lag_s":5.0}'
"$B" snapshot -c "$T/snap.conf" --status >"$T/out" 2>"$T/err"
check "--status, none: exit 0 ($?)" [ $? -eq 0 ]
printf 'paused: no; chunks pause while the lag is above 5.0 s\nno snapshots\n' >"$T/want"
check "--status, none: says so ($(tr '\n' '|' <"$T/out"))" cmp -s "$T/want" "$T/out"
"$B" snapshot -c "$T/snap.conf" --status 41 >"$T/out" 2>"$T/err"
check "--status 41, unknown: exit 1 ($?)" [ $? -eq 1 ]
check "--status 41: says so ($(cat "$T/err"))" sh -c "grep -qxF 'binlogd snapshot: no snapshot 41 (HTTP 404: not found)' '$T/err'"

# ---- --cancel: done, unknown, already ended
answer POST /snapshot/3/cancel "200 OK" "$(snap 3 cancelled 'shop.*' "$(ORD cancelled 12 120000 110000)")"
answer POST /snapshot/41/cancel "404 Not Found" '{"error":"no snapshot 41"}'
answer POST /snapshot/2/cancel "409 Conflict" '{"error":"snapshot 2 is done"}'
"$B" snapshot -c "$T/snap.conf" --cancel 3 >"$T/out" 2>"$T/err"
rc=$?
check "--cancel 3: exit 0 ($rc; $(cat "$T/err"))" [ "$rc" -eq 0 ]
check "--cancel 3: POST /snapshot/3/cancel ($(tail -1 "$T/requests"))" sh -c "tail -1 '$T/requests' | grep -qx 'POST /snapshot/3/cancel HTTP/1.1'"
printf 'snapshot 3 cancelled\nshop.orders: cancelled, 12 chunks, 120000 rows read, 110000 acknowledged\n' >"$T/want"
check "--cancel 3: says so ($(tr '\n' '|' <"$T/out"))" cmp -s "$T/want" "$T/out"
"$B" snapshot -c "$T/snap.conf" --cancel 41 >"$T/out" 2>"$T/err"
check "--cancel 41, unknown: exit 1 ($?)" [ $? -eq 1 ]
check "--cancel 41: says so ($(cat "$T/err"))" sh -c "grep -qxF 'binlogd snapshot: no snapshot 41 (HTTP 404: no snapshot 41)' '$T/err'"
"$B" snapshot -c "$T/snap.conf" --cancel 2 >"$T/out" 2>"$T/err"
check "--cancel 2, ended: exit 1 ($?)" [ $? -eq 1 ]
check "--cancel 2: says so ($(cat "$T/err"))" sh -c "grep -qxF 'binlogd snapshot: snapshot 2 has already ended (HTTP 409: snapshot 2 is done)' '$T/err'"

# ---- --url, a wildcard listen, basic authentication
: >"$T/requests"
"$B" snapshot --url "http://127.0.0.1:$P/" --cancel 3 >"$T/out" 2>"$T/err"
check "--url: exit 0 ($?; $(cat "$T/err"))" [ $? -eq 0 ]
check "--url: the trailing / dropped ($(tail -1 "$T/requests"))" sh -c "tail -1 '$T/requests' | grep -qx 'POST /snapshot/3/cancel HTTP/1.1'"
printf '[http]\nlisten = 0.0.0.0:%s\n' "$P" >"$T/any.conf"
"$B" snapshot -c "$T/any.conf" --cancel 3 >/dev/null 2>"$T/err"
check "listen 0.0.0.0: asked at 127.0.0.1 ($?; $(cat "$T/err"))" [ $? -eq 0 ]
printf '[http]\nlisten = 127.0.0.1:%s\nauth_user = ops\nauth_password_hash = $2b$10$abcdefghijklmnopqrstuuO2cYFaWbJ0ZQXK2o6m3d.TLnN3rz9Cm\n' "$P" >"$T/auth.conf"
"$B" snapshot -c "$T/auth.conf" --cancel 3 >/dev/null 2>"$T/err"
check "auth without a password: exit 2 ($?)" [ $? -eq 2 ]
check "auth without a password: says how to give it ($(cat "$T/err"))" has "give it with --password-file F or \$BINLOGD_HTTP_PASSWORD" "$T/err"
: >"$T/auth"
printf 's3cret\n' >"$T/pw"
"$B" snapshot -c "$T/auth.conf" --password-file "$T/pw" --cancel 3 >/dev/null 2>"$T/err"
check "auth: exit 0 ($?; $(cat "$T/err"))" [ $? -eq 0 ]
check "auth: the user and password went along ($(cat "$T/auth"))" \
    grep -q "^Authorization: Basic $(printf 'ops:s3cret' | base64)$" "$T/auth"

# ---- unreachable: 1 naming the URL, as binlogd gate
printf '[http]\nlisten = 127.0.0.1:1\n' >"$T/down.conf"
"$B" snapshot -c "$T/down.conf" --tables 'shop.*' >"$T/out" 2>"$T/err"
rc=$?
check "unreachable: exit 1 ($rc)" [ "$rc" -eq 1 ]
check "unreachable: names the URL ($(cat "$T/err"))" has "^binlogd snapshot: cannot ask the daemon at http://127.0.0.1:1/snapshot?tables=shop.%2A: " "$T/err"
"$B" snapshot -c "$T/down.conf" --status >"$T/out" 2>"$T/err"
check "unreachable --status: exit 1 ($?)" [ $? -eq 1 ]
"$B" gate --url http://127.0.0.1:1 x >/dev/null 2>&1
check "binlogd gate gives the same status for it ($?)" [ $? -eq 1 ]

# ---- the man page has the command
if sh scripts/man.sh "$B" "$T/man" 2>"$T/err"; then
    check "man page: a section for snapshot" has '^\.SH "COMMAND: SNAPSHOT"$' "$T/man/binlogd.8"
    check "man page: its exit statuses" has "^  3  --wait ran out while the snapshot was still pending or running$" "$T/man/binlogd.8"
else
    bad "scripts/man.sh failed: $(cat "$T/err")"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
