#!/bin/sh
# Run every test of the project and end with one summary line
# "N passed, N failed".  Called by `make check` after building the plain,
# the ASan+UBSan and the ThreadSanitizer trees.  Each step's own output goes
# to $BUILD/test-logs/.
#
#   tests/run.sh                  everything
#   tests/run.sh PATTERN...       only the steps whose name matches one of the
#   ONLY=PATTERN tests/run.sh     PATTERNs (grep -E, anywhere in the name).
#                                 Step names: "unit test_acks", "valgrind
#                                 test_acks", "asan test_acks", "tsan
#                                 test_acks", "cli config", "integ lag",
#                                 "fuzz", ... e.g. tests/run.sh test_acks
#                                 (all four runs of that suite), tests/run.sh
#                                 '^unit ' 'test_kafka$', ONLY='^cli ' tests/run.sh
#   SKIP_INTEG=1 tests/run.sh     no real-server tests
#   SKIP_FUZZ=1 tests/run.sh      no fuzzing pass
#   BUILD=build/x tests/run.sh    the unit suites of build/x/tests, the
#                                 sanitizer ones of build/x/asan and
#                                 build/x/tsan, the CLI tests on build/x/binlogd
#                                 (default BUILD=build; the real-server tests
#                                 and the fuzz pass keep their own paths)
#
# For one suite while working on it, `make test T=test_acks` is quicker.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
# the shell tests take the binary from BINLOGD (default build/binlogd)
BINLOGD=${BINLOGD:-$BUILD/binlogd}
export BINLOGD
LOGS=$BUILD/test-logs
mkdir -p "$LOGS"
PASS=0
FAIL=0
FAILED=""
# the step filter: ONLY and the arguments, one extended regex each
PATTERNS=${ONLY:-}
for a in "$@"; do
    PATTERNS="$PATTERNS
$a"
done
RAN=0
SECTION=""
# section TITLE: its "== TITLE" line is printed before its first step that runs
section() { SECTION=$1; }

# add the counts of a log whose last summary line is "N passed, N failed"
# or Check's "Checks: N, Failures: F, Errors: E"
count() { # name log rc
    name=$1 log=$2 rc=$3
    p=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | sed -E 's/.* ([0-9]+) failed.*/\1/')
    if [ -z "$p" ]; then
        line=$(grep -E 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -1)
        if [ -n "$line" ]; then
            n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
            fl=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
            er=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
            f=$((fl + er))
            p=$((n - f))
        fi
    fi
    if [ -z "$p" ]; then p=0; f=0; fi
    # a non-zero exit with no failure counted (crash, leak, sanitizer) is a failure
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    PASS=$((PASS + p))
    FAIL=$((FAIL + f))
    if [ "$f" -ne 0 ]; then
        FAILED="$FAILED $name"
        echo "FAIL $name ($p passed, $f failed; exit $rc) - see $log"
        tail -n 15 "$log" | sed 's/^/    /'
    else
        echo "ok   $name ($p passed)"
    fi
}

# wanted NAME: true when no filter is given or NAME matches one of its patterns
wanted() {
    [ -z "$PATTERNS" ] && return 0
    while IFS= read -r pat; do
        [ -n "$pat" ] || continue
        printf '%s\n' "$1" | grep -Eq -- "$pat" && return 0
    done <<EOF
$PATTERNS
EOF
    return 1
}

run() { # name cmd...
    name=$1
    shift
    wanted "$name" || return 0
    if [ -n "$SECTION" ]; then
        echo "== $SECTION"
        SECTION=""
    fi
    RAN=$((RAN + 1))
    log="$LOGS/$(echo "$name" | tr ' /' '__').log"
    "$@" >"$log" 2>&1
    count "$name" "$log" $?
}

section "unit suites (plain)"
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    run "unit $(basename "$t")" "$t"
done

section "unit suites under valgrind"
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    # CK_FORK=no keeps the tests in one process so valgrind sees them
    run "valgrind $(basename "$t")" env CK_FORK=no valgrind -q --error-exitcode=99 --suppressions=tests/valgrind.supp \
        --leak-check=full --errors-for-leak-kinds=definite "$t"
done

section "unit suites under ASan+UBSan"
for t in "$BUILD"/asan/tests/test_*; do
    [ -x "$t" ] || continue
    run "asan $(basename "$t")" env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$t"
done

section "unit suites under ThreadSanitizer"
for t in "$BUILD"/tsan/tests/test_*; do
    [ -x "$t" ] || continue
    case $(basename "$t") in
    # librdkafka 2.0.2 (Debian 12) starts its threads with C11 thrd_create,
    # which gcc 12's TSan does not intercept: the first allocation on such
    # a thread crashes inside TSan's allocator (a thread it never set up),
    # so the suites that start a producer or a consumer cannot run here.
    test_kafka | test_kafka_admin | test_sink_kafka) continue ;;
    esac
    run "tsan $(basename "$t")" env TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" "$t"
done

section "command-line tests"
for t in tests/cli/*.sh; do
    [ -f "$t" ] || continue
    run "cli $(basename "$t" .sh)" sh "$t"
done

if [ "${SKIP_INTEG:-0}" != 1 ]; then
    section "real-server tests (MariaDB and Kafka on 127.0.0.1)"
    for t in tests/integ/*.sh; do
        [ -f "$t" ] || continue
        # servers.sh is sourced by the others, not a test
        [ "$(basename "$t")" = servers.sh ] && continue
        run "integ $(basename "$t" .sh)" sh "$t"
    done
    # the daemon's data path again on MariaDB's default metadata (names,
    # keys and ENUM members from information_schema, not the binlog)
    run "integ run (binlog_row_metadata=NO_LOG)" env RUN_METADATA=NO_LOG sh tests/integ/run.sh
fi

if [ "${SKIP_FUZZ:-0}" != 1 ] && [ -f tests/fuzz/run.sh ]; then
    section "fuzzing (short pass and crash-corpus replay)"
    run "fuzz" sh tests/fuzz/run.sh --check
fi

echo
if [ -n "$PATTERNS" ] && [ "$RAN" -eq 0 ]; then
    # a filter that matches nothing is a mistake, not a pass
    echo "no step matches:$(printf '%s\n' "$PATTERNS" | sed '/^$/d; s/^/ /' | tr -d '\n')"
    FAIL=$((FAIL + 1))
fi
[ -n "$FAILED" ] && echo "failed:$FAILED"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
