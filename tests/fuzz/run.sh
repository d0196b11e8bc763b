#!/bin/sh
# Build and run the libFuzzer harnesses (tests/fuzz/fuzz_*.c).
#
#   sh tests/fuzz/run.sh [SECONDS]   fuzz each harness SECONDS (default 60),
#                                    then replay the saved crashes and seeds
#   sh tests/fuzz/run.sh --check     the `make check` pass: about 20 s per
#                                    harness, then the same replay
#
# The harnesses run side by side.  Every input in tests/fuzz/crashes/<h>/
# (inputs that once crashed: kept forever as regressions) and in the seed
# corpus tests/fuzz/corpus/<h>/ is replayed once.  A crash, leak, UB report,
# timeout or failed harness check is a failure.  Prints one line per harness
# ("fuzz_decoder: ok (N runs, M replayed)") and ends with "N passed, N failed";
# exits non-zero when anything failed.
#
# Built with clang-14 (libFuzzer + ASan + UBSan) from lib/*.c directly, not
# from build/libbinlogd.a (gcc-built, uninstrumented); the instrumented
# objects go into build/fuzz/libbinlogd-fuzz.a, from which each harness links
# only what it uses.  Everything generated goes to build/fuzz/: binaries,
# objects, the growing working corpus (build/fuzz/corpus/<h>/, seeded from the
# committed one, never written back), logs (build/fuzz/logs/) and new crash
# inputs (build/fuzz/artifacts/<h>/) - copy a new crash input to
# tests/fuzz/crashes/<h>/ to keep it (see tests/fuzz/crashes/README.md).
#
# Environment: CLANG (default clang-14), FUZZ_JOBS (harnesses at once,
# default 3), FUZZ_ONLY="fuzz_value ..." (a subset), FUZZ_LIB (the library
# sources, default lib: point it at a patched copy to fuzz past a known bug)
# and FUZZ_OUT (default build/fuzz).
set -u
cd "$(dirname "$0")/../.."

SECS=60
case "${1:-}" in
--check) SECS=20 ;;
"") ;;
*[!0-9]*) echo "usage: $0 [SECONDS | --check]" >&2; exit 2 ;;
*) SECS=$1 ;;
esac
[ "$SECS" -ge 1 ] 2>/dev/null || SECS=1

CLANG=${CLANG:-clang-14}
OUT=${FUZZ_OUT:-build/fuzz}
LIBDIR=${FUZZ_LIB:-lib}
LOGS=$OUT/logs
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-std=c11 -D_GNU_SOURCE -Iinclude -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter"
LIBS="-lzstd -lz -lm"

HARNESSES=${FUZZ_ONLY:-$(for f in tests/fuzz/fuzz_*.c; do basename "$f" .c; done)}

if ! command -v "$CLANG" >/dev/null 2>&1; then
    echo "fuzz: $CLANG not found (apt-get install clang-14 libclang-rt-14-dev): not run"
    echo "0 passed, 1 failed"
    exit 1
fi
mkdir -p "$OUT/obj" "$LOGS"
# one run at a time per output folder: two would mix their logs and corpora
if command -v flock >/dev/null 2>&1; then
    exec 9>"$OUT/.lock"
    flock 9
fi

# ---- build ---------------------------------------------------------------
# An object is rebuilt when its source or any header is newer.
HDRS="include/binlogd/*.h $LIBDIR/*/*.h tests/fuzz/*.h"
newer_than() { # target sources... : true if target is missing or older
    t=$1
    shift
    [ -f "$t" ] || return 0
    for s in "$@"; do [ "$s" -nt "$t" ] && return 0; done
    return 1
}
BUILD_LOG=$LOGS/build.log
: >"$BUILD_LOG"
build_fail() {
    echo "fuzz: build failed (see $BUILD_LOG):"
    tail -n 20 "$BUILD_LOG" | sed 's/^/    /'
    n=0
    for h in $HARNESSES; do n=$((n + 1)); done
    echo "0 passed, $n failed"
    exit 1
}
# Every lib/*/*.c is compiled (with the headers of the libraries lib/ uses,
# e.g. mysql.h) into an archive, so that a harness links only the objects it
# needs: the server source and the preflight checks, which need libmariadb,
# are network I/O around the decoder and stay out.  A file that does not
# compile here (a library's headers missing) is left out too; should a
# harness need it, its link fails and says so.
PKG_CFLAGS=$(pkg-config --cflags libmariadb libzstd zlib 2>/dev/null || true)
LIB_OBJS=""
for src in "$LIBDIR"/*/*.c; do
    obj=$OUT/obj/$(basename "$src" .c).o
    # shellcheck disable=SC2086
    if newer_than "$obj" "$src" $HDRS; then
        if ! $CLANG $CFLAGS $PKG_CFLAGS -fsanitize=fuzzer-no-link $SAN -c "$src" -o "$obj" \
            >>"$BUILD_LOG" 2>&1; then
            echo "($src left out of the harnesses: it does not compile here)" >>"$BUILD_LOG"
            rm -f "$obj"
            continue
        fi
    fi
    LIB_OBJS="$LIB_OBJS $obj"
done
# objects of lib files that no longer exist must not be linked
for obj in "$OUT"/obj/*.o; do
    ls "$LIBDIR"/*/"$(basename "$obj" .o).c" >/dev/null 2>&1 || rm -f "$obj"
done
ARCHIVE=$OUT/libbinlogd-fuzz.a
# shellcheck disable=SC2086
if newer_than "$ARCHIVE" $LIB_OBJS ||
    [ "$(ar t "$ARCHIVE" 2>/dev/null | wc -l)" -ne "$(echo $LIB_OBJS | wc -w)" ]; then
    rm -f "$ARCHIVE"
    ar rcs "$ARCHIVE" $LIB_OBJS >>"$BUILD_LOG" 2>&1 || build_fail
fi
for h in $HARNESSES; do
    # shellcheck disable=SC2086
    if newer_than "$OUT/$h" "tests/fuzz/$h.c" "$ARCHIVE" $HDRS; then
        $CLANG $CFLAGS $PKG_CFLAGS -fsanitize=fuzzer $SAN -o "$OUT/$h" "tests/fuzz/$h.c" \
            "$ARCHIVE" $LIBS >>"$BUILD_LOG" 2>&1 || build_fail
    fi
done

# ---- fuzz, then replay -----------------------------------------------------
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:symbolize=1:allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

fuzz_one() { # harness
    h=$1
    mkdir -p "$OUT/corpus/$h" "$OUT/artifacts/$h" "tests/fuzz/corpus/$h"
    maxlen=16384
    [ "$h" = fuzz_decoder ] && maxlen=65536
    dict=""
    [ -f "tests/fuzz/$h.dict" ] && dict="-dict=tests/fuzz/$h.dict"
    # the working corpus comes first: libFuzzer adds what it finds there
    # shellcheck disable=SC2086
    "$OUT/$h" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2560 -max_len=$maxlen \
        -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$h/" $dict \
        "$OUT/corpus/$h" "tests/fuzz/corpus/$h" >"$LOGS/$h.fuzz.log" 2>&1
    echo $? >"$LOGS/$h.fuzz.rc"
}

replay_one() { # harness: every saved crash and every seed, once each
    h=$1
    list=$LOGS/$h.replay.list
    : >"$list"
    for d in "tests/fuzz/crashes/$h" "tests/fuzz/corpus/$h"; do
        [ -d "$d" ] && find "$d" -type f ! -name 'README*' ! -name '.*' | sort >>"$list"
    done
    n=$(wc -l <"$list" | tr -d ' ')
    echo "$n" >"$LOGS/$h.replay.n"
    if [ "$n" -eq 0 ]; then
        : >"$LOGS/$h.replay.log"
        echo 0 >"$LOGS/$h.replay.rc"
        return
    fi
    # all in one process; if that fails, one process per input so that the
    # log names every failing input
    rc=0
    : >"$LOGS/$h.replay.log"
    # shellcheck disable=SC2046
    if ! "$OUT/$h" -timeout=5 -rss_limit_mb=2560 -runs=1 $(cat "$list") \
        >"$LOGS/$h.replay.batch" 2>&1; then
        rc=1
        { echo "=== the batch run:"; tail -n 60 "$LOGS/$h.replay.batch"; } >>"$LOGS/$h.replay.log"
        while IFS= read -r f; do
            if ! "$OUT/$h" -timeout=5 -rss_limit_mb=2560 -runs=1 "$f" >"$LOGS/$h.replay.one" 2>&1
            then
                { echo "=== FAILED: $f"; cat "$LOGS/$h.replay.one"; } >>"$LOGS/$h.replay.log"
                echo "$f" >>"$LOGS/$h.replay.failed"
            fi
        done <"$list"
    fi
    echo "$rc" >"$LOGS/$h.replay.rc"
}

JOBS=${FUZZ_JOBS:-3}
for h in $HARNESSES; do rm -f "$LOGS/$h".*; done
running=0
for h in $HARNESSES; do
    (fuzz_one "$h"; replay_one "$h") &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait
        running=0
    fi
done
wait

PASS=0
FAIL=0
for h in $HARNESSES; do
    frc=$(cat "$LOGS/$h.fuzz.rc" 2>/dev/null || echo 99)
    rrc=$(cat "$LOGS/$h.replay.rc" 2>/dev/null || echo 99)
    nrep=$(cat "$LOGS/$h.replay.n" 2>/dev/null || echo 0)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOGS/$h.fuzz.log" | tail -1)
    [ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$LOGS/$h.fuzz.log" | tail -1)
    [ -n "$runs" ] || runs="?"
    if [ "$frc" -eq 0 ] && [ "$rrc" -eq 0 ]; then
        echo "$h: ok ($runs runs, $nrep replayed)"
        PASS=$((PASS + 1))
        continue
    fi
    FAIL=$((FAIL + 1))
    why=""
    if [ "$frc" -ne 0 ]; then
        art=$(ls -t "$OUT/artifacts/$h/" 2>/dev/null | head -1)
        why="fuzzing failed (exit $frc)${art:+, input $OUT/artifacts/$h/$art}; log $LOGS/$h.fuzz.log"
    fi
    if [ "$rrc" -ne 0 ]; then
        nf=$(wc -l <"$LOGS/$h.replay.failed" 2>/dev/null | tr -d ' ')
        why="${why:+$why; }${nf:-?} of $nrep replayed inputs fail; log $LOGS/$h.replay.log"
    fi
    echo "$h: FAILED ($runs runs: $why)"
    # the first report of each failing log, briefly
    for lg in "$LOGS/$h.fuzz.log" "$LOGS/$h.replay.log"; do
        [ -s "$lg" ] || continue
        grep -E '^(==[0-9]+==ERROR|SUMMARY|\*\*\* fuzz check failed|.*runtime error|=== FAILED)' "$lg" |
            head -n 6 | sed 's/^/    /'
    done
done
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
