# tests/bench/section.sh - sourced by the benchmarks, not run.
#
#   section TITLE <BODY
#
# Writes the section "## TITLE" of docs/performance.md: its old text (up to
# the next "## " heading) is replaced in place by the body read from stdin,
# so the sections written by hand around it (e.g. "## Replay: where the
# time goes" after "## Replay") stay where they are and are kept.  The
# title must match a whole heading line; a new section goes at the end.
section() {
    _out=docs/performance.md
    [ -f $_out ] || printf '# Performance\n\nEvery figure here comes from a benchmark in tests/bench/, run on the machine named with it.\n' >$_out
    _body=$(mktemp)
    # the body without its leading and trailing blank lines
    sed -e '/./,$!d' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$_body"
    awk -v t="## $1" -v b="$_body" '
        function put() {
            print t; print ""
            while ((getline l < b) > 0) print l
            close(b); done = 1
        }
        $0 == t { put(); print ""; skip = 1; next }
        skip && /^## / { skip = 0 }
        !skip { print; last = $0 }
        END { if (!done) { if (last != "") print ""; put() } }' $_out >$_out.tmp
    # no blank lines at the end of the file
    sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' $_out.tmp
    mv $_out.tmp $_out
    rm -f "$_body"
}
