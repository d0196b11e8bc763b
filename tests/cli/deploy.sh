#!/bin/sh
# deploy/prometheus and deploy/grafana: promtool accepts the rules and their
# unit tests pass; every alert is tested; the dashboard is valid JSON with
# a uid, a title, panels and a data source variable; every binlogd_* name
# in the rules and the dashboard is a metric of include/binlogd/metrics.h,
# every metric there is drawn by some panel, and every panel's query
# parses as PromQL.  Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
R=deploy/prometheus/alerts.yml
RT=deploy/prometheus/alerts.test.yml
D=deploy/grafana/binlogd.json
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh
for tool in promtool jq; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        bad "$tool is not installed (scripts/deps.sh installs it)"
        echo "$pass passed, $fail failed"
        exit 1
    fi
done

# ---- Prometheus rules
# rc first: shells differ on $? after a command substitution
promtool check rules "$R" >"$T/out" 2>&1
rc=$?
check "promtool check rules $R ($(tail -c 300 "$T/out"))" [ "$rc" -eq 0 ]
promtool test rules "$RT" >"$T/out" 2>&1
rc=$?
check "promtool test rules $RT ($(tail -c 600 "$T/out"))" [ "$rc" -eq 0 ]
for a in BinlogdDown BinlogdLagHigh BinlogdRetentionHeadroomLow BinlogdGateAtRisk \
    BinlogdGateSkewed BinlogdSourceDisconnected BinlogdKafkaNotAcknowledging BinlogdIncidentEvent \
    BinlogdStatementSkipped BinlogdOversizeSkipped BinlogdKafkaErrors BinlogdHeadPollFailing \
    BinlogdRestarting; do
    check "$R defines $a" grep -q "^ *- alert: $a\$" "$R"
done
# every rule the file defines has a promtool test
for a in $(sed -n 's/^ *- alert: \([A-Za-z]*\)$/\1/p' "$R"); do
    check "$RT tests $a" grep -q "alertname: $a\$" "$RT"
done
check "every alert has a severity" [ "$(grep -c '^ *- alert:' "$R")" -eq "$(grep -c '^ *severity: ' "$R")" ]
check "every alert has a summary" [ "$(grep -c '^ *- alert:' "$R")" -eq "$(grep -c '^ *summary: ' "$R")" ]
check "every alert has a description" [ "$(grep -c '^ *- alert:' "$R")" -eq "$(grep -c '^ *description: ' "$R")" ]

# ---- the metric names: the quoted names of metrics.h's table
grep -o '"binlogd_[a-z_]*"' include/binlogd/metrics.h | tr -d '"' | sort -u >"$T/known"
check "metrics.h: the table's names found ($(wc -l <"$T/known"))" [ "$(wc -l <"$T/known")" -ge 30 ]
# known_only WHAT FILE: every binlogd_* token of FILE is a known metric
known_only() {
    grep -o 'binlogd_[a-z_]*' "$2" | sort -u >"$T/used"
    unknown=$(comm -23 "$T/used" "$T/known" | tr '\n' ' ')
    check "$1: no metric missing from metrics.h (${unknown:-none})" [ -z "$unknown" ]
}
known_only "$R" "$R"
known_only "$RT" "$RT"

# ---- Grafana dashboard
if ! jq empty "$D" 2>"$T/err"; then
    bad "$D is not JSON: $(cat "$T/err")"
    echo "$pass passed, $fail failed"
    exit 1
fi
ok
check "$D: a uid" jq -e '.uid | type == "string" and length > 0' "$D" >/dev/null
check "$D: a title" jq -e '.title | type == "string" and length > 0' "$D" >/dev/null
check "$D: panels" jq -e '[.panels[] | select(.type != "row")] | length >= 10' "$D" >/dev/null
check "$D: schemaVersion" jq -e '.schemaVersion | type == "number" and . >= 30' "$D" >/dev/null
check "$D: a Prometheus data source variable" \
    jq -e '[.templating.list[] | select(.type == "datasource" and .query == "prometheus")] | length == 1' "$D" >/dev/null
# every panel and query asks the variable, none a data source of one site
bad_ds=$(jq -r '[.. | objects | select(has("datasource")) | .datasource
                 | select(type != "object" or (.uid != "${datasource}" and .uid != "-- Grafana --"))]
                | length' "$D")
check "$D: every data source is \${datasource} ($bad_ds others)" [ "$bad_ds" = 0 ]
check "$D: unique panel ids" jq -e '[.. | objects | select(has("gridPos")) | .id] | length == (unique | length)' "$D" >/dev/null
check "$D: every panel has a query" \
    jq -e '[.. | objects | select(has("gridPos") and .type != "row") | select((.targets // []) | length == 0)] | length == 0' "$D" >/dev/null
# the panels' queries, and the variables' queries
jq -r '.. | objects | select(has("targets")) | .targets[] | .expr' "$D" >"$T/exprs"
jq -r '.templating.list[] | .definition? // empty' "$D" >"$T/vars"
check "$D: queries found ($(wc -l <"$T/exprs"))" [ -s "$T/exprs" ]
known_only "$D's queries" "$T/exprs"
known_only "$D's variables" "$T/vars"
known_only "$D (descriptions and all)" "$D"
grep -o 'binlogd_[a-z_]*' "$T/exprs" | sort -u >"$T/drawn"
missing=$(comm -23 "$T/known" "$T/drawn" | tr '\n' ' ')
check "$D: every metric of metrics.h in some panel (missing: ${missing:-none})" [ -z "$missing" ]
# every query parses: as recording rules, Grafana's variables given values
jq '{groups: [{name: "dashboard", rules: [[.. | objects | select(has("targets")) | .targets[] | .expr]
     | to_entries[] | {record: "dashboard_query_\(.key)",
       expr: (.value | gsub("\\$__rate_interval"; "5m") | gsub("\\$[a-z_]+"; ".*"))}]}]}' \
    "$D" >"$T/queries.yml"
promtool check rules "$T/queries.yml" >"$T/out" 2>&1
rc=$?
check "$D: every query parses as PromQL ($(tail -c 400 "$T/out"))" [ "$rc" -eq 0 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
