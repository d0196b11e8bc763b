#!/bin/sh
# Man pages from what the program itself says, so that they cannot drift
# from it: binlogd(8) from `binlogd --help` and each command's --help (its
# options and exit statuses), binlogd.conf(5) from `binlogd config-doc`
# (the option table that docs/config.md comes from).
#
#   scripts/man.sh BINARY OUTDIR      writes OUTDIR/binlogd.8, OUTDIR/binlogd.conf.5
set -eu
B=$1
OUT=$2
mkdir -p "$OUT"
VERSION=$("$B" --version | sed 's/^binlogd //')
DATE=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)

# roff-safe text: backslashes doubled, a leading . or ' escaped
esc() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }

{
    printf '.TH BINLOGD 8 "%s" "binlogd %s" "System Administration"\n' "$DATE" "$VERSION"
    printf '.SH NAME\nbinlogd \\- publish a MySQL/MariaDB binlog to Kafka, with lag, gates and replay\n'
    printf '.SH SYNOPSIS\n.B binlogd\n.I command\n[options]\n'
    printf '.SH DESCRIPTION\n'
    printf 'binlogd reads the binary log of a MySQL or MariaDB server as a replica and publishes every\n'
    printf 'row change to Kafka, says how far behind each table is, raises alerts, answers gates that\n'
    printf 'hold downstream jobs back, and replays binlog ranges on demand.\n'
    printf 'The commands:\n.PP\n.nf\n'
    "$B" --help | sed -n '/^commands:/,/^$/p' | sed '1d;/^$/d' | esc
    printf '.fi\n'
    for c in $("$B" --help | sed -n '/^commands:/,/^$/p' | sed '1d;/^$/d' | awk '{print $1}'); do
        case $c in config-doc | metrics-doc) continue ;; esac
        printf '.SH "COMMAND: %s"\n.nf\n' "$(printf '%s' "$c" | tr a-z A-Z)"
        "$B" "$c" --help | esc
        printf '.fi\n'
    done
    printf '.SH FILES\n.TP\n.I /etc/binlogd/binlogd.conf\nthe configuration, see\n.BR binlogd.conf (5)\n'
    printf '.TP\n.I /var/lib/binlogd\nthe state directory: checkpoint.json, schema-history.jsonl\n'
    printf '.SH SEE ALSO\n.BR binlogd.conf (5),\n.BR systemctl (1)\n'
} >"$OUT/binlogd.8"

# binlogd.conf(5): the markdown of config-doc, its tables as tagged paragraphs
"$B" config-doc | awk -v date="$DATE" -v version="$VERSION" '
function text(s) {
    gsub(/\\/, "\\e", s)
    gsub(/`/, "", s)
    sub(/^[.'"'"']/, "\\\\\\&&", s)
    return s
}
BEGIN {
    printf ".TH BINLOGD.CONF 5 \"%s\" \"binlogd %s\" \"File Formats\"\n", date, version
    print ".SH NAME\nbinlogd.conf \\- configuration of binlogd"
    print ".SH DESCRIPTION"
}
/^<!--/ || /^# / { next }
/^## / { sub(/^## /, ""); printf ".SH \"%s\"\n", text($0); next }
/^\|---/ { next }
/^\|/ && head == 0 {
    # a table header: | option | type | default | reload | meaning |
    nh = split($0, h, /\|/)
    for (i = 2; i < nh; i++) { gsub(/^ +| +$/, "", h[i]) }
    head = 1
    next
}
/^\|/ {
    n = split($0, f, /\|/)
    for (i = 2; i < n; i++) { gsub(/^ +| +$/, "", f[i]) }
    printf ".TP\n.B %s\n", text(f[2])
    line = ""
    for (i = 3; i < n - 1; i++) line = line (line == "" ? "" : ", ") h[i] " " text(f[i])
    if (line != "") printf "(%s)\n", line
    printf "%s\n", text(f[n - 1])
    next
}
!/^\|/ { head = 0 }
/^$/ { print ".PP"; next }
{ print text($0) }
' >"$OUT/binlogd.conf.5"
