/* replay.c - see include/binlogd/replay.h: the bounds, the two passes and
 * the sources of a replay (replay_locate.c finds where a start is). */
#include "binlogd/replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binlogd/decoder.h"
#include "binlogd/parse.h"
#include "binlogd/source_file.h"

#define MAX_TABLES 4096
#define FLUSH_TIMEOUT_MS 60000
#define RING_TXNS 65536

static int stopped(const bd_replay *r) { return r->stop && *r->stop; }

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static int before(const char *fa, uint64_t pa, const char *fb, uint64_t pb)
{
    return bd_binlog_pos_cmp(fa, pa, fb, pb) < 0;
}

/* ---- --gtid: exactly the transactions of a set --------------------------- */

static int add_span(bd_replay *r, const char *key, size_t kn, const char *server, size_t sn,
                    uint64_t lo, uint64_t hi)
{
    if (kn == 0 || kn >= sizeof r->only[0].key || sn >= sizeof r->only[0].server || lo == 0 ||
        hi < lo)
        return -1;
    bd_gtid_span *v = realloc(r->only, (r->nonly + 1) * sizeof *v);
    if (!v) return -1;
    r->only = v;
    bd_gtid_span *s = &v[r->nonly++];
    memcpy(s->key, key, kn);
    s->key[kn] = '\0';
    memcpy(s->server, server, sn);
    s->server[sn] = '\0';
    s->lo = lo;
    s->hi = hi;
    s->seen_from = s->seen_to = 0;
    r->only_total += hi - lo + 1;
    return 0;
}

/* "N" or "N-M" (MySQL) / "N..M" (MariaDB) at s (n bytes) into lo, hi. */
static int parse_interval(const char *s, size_t n, const char *dash, uint64_t *lo, uint64_t *hi)
{
    char buf[48];
    if (!n || n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *sep = strstr(buf, dash);
    unsigned long long a, b;
    if (sep) *sep = '\0';
    if (bd_parse_uint(buf, UINT64_MAX, &a) < 0) return -1;
    b = a;
    if (sep && bd_parse_uint(sep + strlen(dash), UINT64_MAX, &b) < 0) return -1;
    *lo = a;
    *hi = b;
    return 0;
}

static int span_cmp(const void *a, const void *b)
{
    const bd_gtid_span *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c) return c;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort the stretches and merge those of one key that overlap or touch
 * ("uuid:1-5:3-8" is 1-8), so that each transaction counts once. */
static void spans_normalise(bd_replay *r)
{
    if (r->nonly < 2) return;
    qsort(r->only, r->nonly, sizeof *r->only, span_cmp);
    size_t w = 0;
    for (size_t i = 1; i < r->nonly; i++) {
        bd_gtid_span *cur = &r->only[w], *nx = &r->only[i];
        if (!strcmp(cur->key, nx->key) && nx->lo - 1 <= cur->hi) {
            if (nx->hi > cur->hi) cur->hi = nx->hi;
        } else {
            r->only[++w] = *nx;
        }
    }
    r->nonly = w + 1;
    r->only_total = 0;
    for (size_t i = 0; i < r->nonly; i++)
        r->only_total += r->only[i].hi - r->only[i].lo + 1;
}

/* --gtid TEXT: a MySQL GTID set ("uuid:1-5:7,uuid2:tag:3") or MariaDB
 * GTIDs and stretches of one domain ("0-1-5,0-1-9..12").  The MySQL text
 * is checked by the set parser first, so that both readings agree. */
int bd_replay_parse_gtid(bd_replay *r, const char *text, char *msg, size_t msgn)
{
    bd_gtid_set probe = BD_GTID_SET_INIT;
    bd_err err = {0};
    int mysql = strchr(text, ':') != NULL;
    if (mysql && bd_gtid_set_parse(&probe, BD_FLAVOR_MYSQL, text, strlen(text), &err) < 0) {
        snprintf(msg, msgn, "%s", err.msg);
        return -1;
    }
    bd_gtid_set_release(&probe);
    r->only_mysql = mysql;
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, ",");
        char el[256];
        if (n >= sizeof el) goto bad;
        memcpy(el, p, n);
        el[n] = '\0';
        p += n + (p[n] == ',');
        char *e = el + strspn(el, " \t\n"); /* @@gtid_executed has newlines */
        for (char *t = e + strlen(e); t > e && strchr(" \t\n", t[-1]); t--)
            t[-1] = '\0';
        if (!*e) continue;
        if (mysql) {
            /* uuid, then intervals; a word that does not start with a digit is a tag */
            char key[100];
            size_t un = strcspn(e, ":");
            if (un >= sizeof key || !e[un]) goto bad;
            for (size_t k = 0; k < un; k++) /* the decoder writes uuids in lower case */
                key[k] = (char)(e[k] >= 'A' && e[k] <= 'Z' ? e[k] - 'A' + 'a' : e[k]);
            key[un] = '\0';
            const char *q = e + un + 1;
            while (*q) {
                size_t m = strcspn(q, ":");
                if (*q >= '0' && *q <= '9') {
                    uint64_t lo, hi;
                    if (parse_interval(q, m, "-", &lo, &hi) < 0 ||
                        add_span(r, key, strlen(key), "", 0, lo, hi) < 0)
                        goto bad;
                } else if (un + 1 + m < sizeof key) {
                    snprintf(key + un, sizeof key - un, ":%.*s", (int)m, q);
                } else {
                    goto bad;
                }
                q += m + (q[m] == ':');
            }
        } else {
            /* D-S-N or D-S-N..M */
            size_t dn = strspn(e, "0123456789");
            if (!dn || e[dn] != '-') goto bad;
            size_t sn = strspn(e + dn + 1, "0123456789");
            if (!sn || e[dn + 1 + sn] != '-') goto bad;
            const char *seq = e + dn + 1 + sn + 1;
            uint64_t lo, hi;
            if (parse_interval(seq, strlen(seq), "..", &lo, &hi) < 0 ||
                add_span(r, e, dn, e + dn + 1, sn, lo, hi) < 0)
                goto bad;
        }
    }
    if (!r->nonly) goto bad;
    spans_normalise(r);
    return 0;
bad:
    snprintf(msg, msgn,
             "--gtid wants a MySQL GTID set (uuid:1-5:7,uuid2:3) or MariaDB GTIDs with "
             "optional stretches (0-1-5,0-1-9..12), not '%s'",
             text);
    return -1;
}

/* Is the transaction gtid (as the decoder writes it: "uuid:N",
 * "uuid:tag:N" or "D-S-N") one of --gtid's?  1 (it counts as replayed once
 * its end is: only_done), or 0. */
static int only_take(bd_replay *r, const char *gtid)
{
    char key[100];
    unsigned long long seq;
    if (r->only_mysql) {
        const char *c = strrchr(gtid, ':');
        if (!c || (size_t)(c - gtid) >= sizeof key) return 0;
        memcpy(key, gtid, (size_t)(c - gtid));
        key[c - gtid] = '\0';
        if (bd_parse_uint(c + 1, UINT64_MAX, &seq) < 0) return 0;
    } else {
        size_t dn = strspn(gtid, "0123456789");
        const char *c = strrchr(gtid, '-');
        if (!dn || gtid[dn] != '-' || !c || dn >= sizeof key) return 0;
        memcpy(key, gtid, dn);
        key[dn] = '\0';
        if (bd_parse_uint(c + 1, UINT64_MAX, &seq) < 0) return 0;
    }
    for (size_t i = 0; i < r->nonly; i++)
        if (!strcmp(r->only[i].key, key) && seq >= r->only[i].lo && seq <= r->only[i].hi) {
            r->only_pend = &r->only[i];
            r->only_pend_seq = seq;
            return 1;
        }
    return 0;
}

/* The transaction only_take let through is replayed whole. */
static void only_done(bd_replay *r)
{
    bd_gtid_span *s = r->only_pend;
    if (!s) return;
    if (!s->seen_from || r->only_pend_seq < s->seen_from) s->seen_from = r->only_pend_seq;
    if (r->only_pend_seq > s->seen_to) s->seen_to = r->only_pend_seq;
    r->only_seen++;
    r->only_pend = NULL;
}

/* The part of --gtid not replayed yet, in --gtid's syntax (to continue,
 * or to name what the binlog lacks). */
static void rest_add(const bd_replay *r, const bd_gtid_span *s, uint64_t lo, uint64_t hi,
                     bd_buf *out)
{
    if (lo > hi) return;
    if (out->len) bd_buf_adds(out, ",");
    if (r->only_mysql)
        bd_buf_addf(out, "%s:%llu", s->key, (unsigned long long)lo);
    else
        bd_buf_addf(out, "%s-%s-%llu", s->key, s->server, (unsigned long long)lo);
    if (hi > lo) bd_buf_addf(out, r->only_mysql ? "-%llu" : "..%llu", (unsigned long long)hi);
}

void bd_replay_gtid_rest(const bd_replay *r, bd_buf *out)
{
    for (size_t i = 0; i < r->nonly; i++) {
        const bd_gtid_span *s = &r->only[i];
        if (!s->seen_to) {
            rest_add(r, s, s->lo, s->hi, out);
            continue;
        }
        /* before the first seen (the binlog lacked them), after the last */
        rest_add(r, s, s->lo, s->seen_from - 1, out);
        rest_add(r, s, s->seen_to + 1, s->hi, out);
    }
}

/* ---- pass 1: the start of the transaction around --from ------------------ */

static int p1_event(void *ctx, const bd_event *ev)
{
    bd_replay *r = ctx;
    if (stopped(r)) return 1;
    const char *f = ev->pos.file ? ev->pos.file : "";
    if (!before(f, ev->pos.pos, r->from_file, r->from_pos)) {
        /* the first event at or after --from */
        if (r->p1_in_txn) {
            snprintf(r->start_file, sizeof r->start_file, "%s", r->p1_txn_file);
            r->start_pos = r->p1_txn_pos;
        } else {
            snprintf(r->start_file, sizeof r->start_file, "%s", f);
            r->start_pos = ev->pos.pos;
        }
        r->p1_found = 1;
        return 1;
    }
    if (ev->begins_txn && !r->p1_in_txn) {
        r->p1_in_txn = 1;
        snprintf(r->p1_txn_file, sizeof r->p1_txn_file, "%s", f);
        r->p1_txn_pos = ev->pos.pos;
    }
    if (ev->ends_txn) r->p1_in_txn = 0;
    return 0;
}

static int p1_row(void *ctx, const bd_row *row)
{
    bd_replay *r = ctx;
    bd_event ev;
    memset(&ev, 0, sizeof ev);
    ev.pos = row->pos;
    ev.header = row->header;
    /* a row at or after --from inside a transaction: the transaction holds it */
    if (p1_event(ctx, &ev)) return 1;
    if (row->ends_txn) r->p1_in_txn = 0;
    return 0;
}

static bd_replay_table *count_of(bd_replay *r, const char *db, size_t dbn, const char *tb,
                                 size_t tn)
{
    char name[131];
    snprintf(name, sizeof name, "%.*s.%.*s", (int)dbn, db, (int)tn, tb);
    for (size_t i = 0; i < r->ncounts; i++)
        if (!strcmp(r->counts[i].name, name)) return &r->counts[i];
    if (r->ncounts == MAX_TABLES) return NULL;
    bd_replay_table *c = &r->counts[r->ncounts++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->rows = 0;
    return c;
}

/* A row change logged as a statement on a replayed table: [source]
 * on_statement of the config says stop or skip (with a warning). */
static int stage_statement(void *ctx, const bd_pub_statement *st)
{
    bd_replay *r = ctx;
    if (r->cfg.on_statement != BD_ON_STATEMENT_SKIP) return 0;
    char what[400];
    bd_pub_statement_text(st, what, sizeof what);
    r->statements_skipped++;
    fprintf(stderr,
            "binlogd replay: warning: %s: skipped, as [source] on_statement = skip says: its "
            "row changes are not in the binlog\n",
            what);
    return 1;
}

/* The stage stopped: its reason becomes the replay's. */
static int stage_failed(bd_replay *r)
{
    if (r->pub_err.code == BD_ERR_CALLBACK && (stopped(r) || r->err[0] || r->range_done)) return 1;
    if (r->pub_err.code == BD_ERR_STATEMENT) {
        r->statement_stop = 1;
        snprintf(r->err, sizeof r->err, "%s", r->pub_err.msg);
    } else {
        r->schema_stop |= r->pub_err.code == BD_ERR_COLUMNS; /* exit 65 */
        snprintf(r->err, sizeof r->err, "%s", r->pub_err.msg);
    }
    return 1;
}

/* The stage's begin: is the transaction in the range?  It ends the
 * replay (the range is done), is passed over, or is published. */
static int stage_begin(void *ctx, const bd_pub_txn *t, bd_err *err)
{
    bd_replay *r = ctx;
    snprintf(r->next_file, sizeof r->next_file, "%s", t->file);
    r->next_pos = t->pos;
    const bd_txn *x = t->txn;
    int64_t commit = x ? (int64_t)x->commit_us : 0;
    if ((r->has_to && !before(t->file, t->pos, r->to_file, r->to_pos)) ||
        (r->has_stop_us && commit >= r->stop_us) ||
        (r->nonly && r->only_seen == r->only_total)) { /* every one of --gtid seen */
        r->range_done = 1;
        return bd_err_set(err, BD_ERR_CALLBACK, "the end of the range");
    }
    snprintf(r->txn_file, sizeof r->txn_file, "%s", t->file);
    r->txn_pos = t->pos;
    int has_gtid = x && x->has_gtid && x->gtid[0];
    if ((r->has_from_pos && before(t->file, t->pos, r->start_file, r->start_pos)) ||
        (r->has_start_us && commit < r->start_us) ||
        (r->has_after && has_gtid && bd_gtid_set_has(&r->after, x->gtid)) ||
        (r->has_upto && (!has_gtid || !bd_gtid_set_has(&r->upto, x->gtid))) ||
        (r->nonly && (!has_gtid || !only_take(r, x->gtid))))
        return 1;
    if (!r->any_txn) {
        r->any_txn = 1;
        snprintf(r->first_file, sizeof r->first_file, "%s", t->file);
        r->first_pos = t->pos;
    }
    return r->sink ? bd_ksink_begin(r->sink, (uint64_t)commit, err) : 0;
}

/* The stage's end: t->file:t->pos is after the transaction. */
static int stage_end(void *ctx, const bd_pub_txn *t, int skipped, bd_err *err)
{
    bd_replay *r = ctx;
    if (skipped) return 0;
    r->txns++;
    only_done(r);
    snprintf(r->last_file, sizeof r->last_file, "%s", t->file);
    r->last_pos = t->pos;
    snprintf(r->next_file, sizeof r->next_file, "%s", t->file);
    r->next_pos = t->pos;
    if (r->progress) r->progress(r, t->file, t->pos, 0);
    return r->sink ? bd_ksink_end(r->sink, t->file, t->pos, t->txn, err) : 0;
}

/* The stage's emit: Kafka (the daemon's sink), a line on stdout, or
 * nothing (a dry run). */
static int stage_emit(void *ctx, const bd_pub_msg *m, bd_err *err)
{
    bd_replay *r = ctx;
    if (r->sink) return bd_ksink_emit(r->sink, m, err);
    if (r->dry_run || !m->value) return 0; /* a tombstone is Kafka's business */
    fwrite(m->value, 1, m->value_len, stdout);
    fputc('\n', stdout);
    r->printed++;
    return ferror(stdout) ? bd_err_set(err, BD_ERR_IO, "writing to stdout failed") : 0;
}

static int p2_event(void *ctx, const bd_event *ev)
{
    bd_replay *r = ctx;
    if (stopped(r)) return 1;
    if (ev->header->type == BD_EV_FORMAT_DESCRIPTION && ev->format) {
        r->file_flavor = ev->format->flavor;
        r->file_server_id = ev->header->server_id;
    }
    return bd_pub_event(r->pub, ev, &r->pub_err) < 0 ? stage_failed(r) : 0;
}

/* Does --tables (or else [filter]) take db.table? */
static int wants(const bd_replay *r, const char *db, size_t dbn, const char *tb, size_t tn)
{
    if (!r->tables) return bd_config_table_wanted(&r->cfg, db, dbn, tb, tn);
    bd_config tmp = r->cfg;
    tmp.include = (char *)r->tables;
    tmp.exclude = NULL;
    return bd_config_table_wanted(&tmp, db, dbn, tb, tn);
}

/* The source asks whether a map without column names needs them now:
 * not for a table the replay drops or inside a transaction it skips, so
 * that a table changed since (binlog_row_metadata below FULL) stops the
 * replay only where its rows are published. */
static int want_schema(void *ctx, const bd_table *t)
{
    const bd_replay *r = ctx;
    if (r->pass1) return 0; /* positions only */
    if (bd_pub_skipping(r->pub)) return 0;
    return wants(r, t->db.p, t->db.n, t->name.p, t->name.n);
}

/* --files: does the history belong to the server that wrote the files?  A
 * history's positions mean nothing in another server's binlog, and a
 * snapshot found there could match the map's column count and types while
 * its names are another table's.  A MariaDB file names its server_id in
 * its FORMAT_DESCRIPTION; a MySQL file does not name its server's uuid, so
 * there only the flavor is checked. */
static int history_fits_files(const bd_replay *r, const char *db, const char *tb, bd_err *err)
{
    const char *hs = bd_schema_history_server(r->hist);
    if (!hs) return 0; /* an empty history has no snapshot to give */
    char id[128];
    int fits;
    if (r->file_flavor == BD_FLAVOR_MYSQL) {
        snprintf(id, sizeof id, "a MySQL server");
        fits = !strncmp(hs, "mysql ", 6);
    } else {
        bd_server_ident(id, sizeof id, BD_FLAVOR_MARIADB, r->file_server_id, NULL);
        fits = !strcmp(hs, id);
    }
    if (fits) return 0;
    return bd_err_set(err, BD_ERR_SCHEMA,
                      "`%s`.`%s` in %s: %s belongs to %s, but the file was written by %s: its "
                      "positions mean nothing for these files; give the history of the server "
                      "that wrote them (--schema-history FILE), or --schema-history none with "
                      "--stdout",
                      db, tb, r->txn_file, r->hist_name, hs, id);
}

/* --files: a map without names gets them from the schema history, at the
 * start of its transaction (the same stretch between DDLs as the map). */
static int files_on_table(void *ctx, bd_table *t, bd_err *err)
{
    bd_replay *r = ctx;
    if (t->has_names && !t->signedness_unknown) return 0; /* FULL metadata */
    t->schema_deferred = !want_schema(r, t);
    if (t->schema_deferred) return 0;
    char db[65], tb[65];
    if (bd_schema_names(t, db, tb, err) < 0) return -1;
    const bd_schema_col *cols;
    size_t n;
    int later;
    if (r->hist && history_fits_files(r, db, tb, err) < 0) return -1;
    if (r->hist &&
        bd_schema_history_find(r->hist, r->txn_file, r->txn_pos, db, tb, &cols, &n, &later))
        return bd_schema_apply(t, db, tb, cols, n, r->hist_name, err);
    /* positional values may be printed (as dump does), never published */
    if (r->to_stdout || r->dry_run) return 0;
    return bd_err_set(err, BD_ERR_SCHEMA,
                      "`%s`.`%s` has no column names in this binlog (binlog_row_metadata below "
                      "FULL) and %s: its rows would be published without names; give the "
                      "daemon's schema history (--schema-history FILE), replay from the "
                      "server, or use --stdout",
                      db, tb,
                      r->hist ? "the schema history has no snapshot of it there"
                              : "there is no schema history");
}

/* The stage's route: --tables (or [filter]), the topic as the daemon's
 * (or --topic) with --topic-suffix, and the table's counter. */
static int stage_route(void *ctx, const char *db, size_t dbn, const char *tb, size_t tn,
                       bd_pub_route *rt, bd_err *err)
{
    bd_replay *r = ctx;
    rt->wanted = wants(r, db, dbn, tb, tn);
    rt->user = NULL;
    if (!rt->wanted) return 0;
    rt->user = count_of(r, db, dbn, tb, tn);
    char base[256];
    bd_config tc = r->cfg;
    if (r->topic_template) tc.topic = (char *)r->topic_template;
    if (bd_config_topic(&tc, db, dbn, tb, tn, base, sizeof base) < 0 ||
        (size_t)snprintf(rt->topic, sizeof rt->topic, "%s%s", base,
                         r->topic_suffix ? r->topic_suffix : "") >= sizeof rt->topic)
        return bd_err_set(err, BD_ERR_SCHEMA,
                          "the topic name of `%.*s`.`%.*s` is empty or too long", (int)dbn, db,
                          (int)tn, tb);
    return 0;
}

static int p2_row(void *ctx, const bd_row *row)
{
    bd_replay *r = ctx;
    if (stopped(r)) return 1;
    int w = bd_pub_row(r->pub, row, &r->pub_err);
    if (w < 0) return stage_failed(r);
    if (w) {
        const bd_pub_route *rt = bd_pub_route_of(r->pub, row->table, &r->pub_err);
        bd_replay_table *c = rt ? rt->user : NULL;
        if (c) c->rows++;
        r->rows++;
    }
    return 0;
}

/* ---- sources -------------------------------------------------------------- */

static void server_log(void *ctx, enum bd_server_level level, const char *msg)
{
    (void)ctx;
    if (level == BD_SERVER_WARN) fprintf(stderr, "binlogd replay: warning: %s\n", msg);
}

/* Connected: the server's table name case is known. */
static void server_connected(void *ctx)
{
    bd_replay *r = ctx;
    bd_server_identity id;
    bd_source_server_identity(r->source, &id);
    if (r->pub) bd_pub_set_fold_case(r->pub, id.lower_case_names);
}

/* Stream from file:pos to the head (or until a callback stops); 0 done or
 * stopped by a callback, -1 with r->err. */
int bd_replay_stream_server(bd_replay *r, const bd_server_opts *base, const char *file,
                            uint64_t pos, bd_callbacks *cb)
{
    bd_server_opts o = *base;
    o.file = file;
    o.pos = pos;
    if (!file) o.pos = 0; /* base.gtid: after that set */
    o.follow = 0;
    o.want_schema = want_schema;
    o.log = server_log;
    o.on_connected = server_connected;
    o.ctx = r;
    bd_err err = {0};
    bd_source_server *s = bd_source_server_new(&o, cb, &err);
    if (!s) {
        snprintf(r->err, sizeof r->err, "%s", err.msg);
        return -1;
    }
    r->source = s;
    enum bd_server_result res = bd_source_server_run(s, &err);
    r->source = NULL;
    bd_source_server_free(s);
    if (res == BD_SERVER_ERROR && err.code != BD_ERR_CALLBACK) {
        snprintf(r->err, sizeof r->err, "%s", err.msg);
        r->schema_stop = err.code == BD_ERR_UNKNOWN_SCHEMA; /* exit 65 */
        return -1;
    }
    return 0;
}

/* Decode the files from the one named file on; 0 or -1 with r->err. */
static int stream_files(bd_replay *r, char **files, int nfiles, const char *file, bd_callbacks *cb)
{
    int i = 0;
    while (i < nfiles && strcmp(base_name(files[i]), file))
        i++;
    if (i == nfiles) {
        snprintf(r->err, sizeof r->err, "%s is not among the --files given", file);
        return -1;
    }
    bd_decoder *d = bd_decoder_new(cb);
    if (!d) {
        snprintf(r->err, sizeof r->err, "out of memory");
        return -1;
    }
    int rc = 0;
    for (; i < nfiles && rc == 0; i++) {
        bd_err err = {0};
        enum bd_file_result fr = bd_source_file_run(d, files[i], base_name(files[i]), &err);
        if (fr == BD_FILE_ERROR && err.code == BD_ERR_CALLBACK) break; /* range done */
        if (fr != BD_FILE_OK) {
            snprintf(r->err, sizeof r->err, "%s", err.msg);
            rc = -1;
        }
    }
    bd_decoder_free(d);
    return rc;
}

/* --files: each one a readable binlog file, in binlog order and none twice,
 * checked before anything is read: a file found wanting half way would
 * leave the range published in part, and one out of order would be passed
 * over (the stream goes from the start file onwards). */
int bd_replay_files_check(char **files, int n, char *msg, size_t msgn)
{
    for (int i = 0; i < n; i++) {
        const char *f = files[i];
        struct stat st;
        unsigned char m[4];
        FILE *fp = NULL;
        size_t got = 0;
        if (stat(f, &st) < 0 || (S_ISREG(st.st_mode) && !(fp = fopen(f, "rb")))) {
            snprintf(msg, msgn, "--files %s: %s", f, strerror(errno));
            return -1;
        }
        if (!S_ISREG(st.st_mode)) {
            snprintf(msg, msgn, "--files %s: not a regular file", f);
            return -1;
        }
        got = fread(m, 1, sizeof m, fp);
        fclose(fp);
        if (got < sizeof m || memcmp(m, BD_BINLOG_MAGIC, sizeof m)) {
            snprintf(msg, msgn, "--files %s: not a binlog file (no binlog magic at its start)", f);
            return -1;
        }
        if (i == 0) continue;
        const char *a = base_name(files[i - 1]), *b = base_name(f);
        if (!strcmp(a, b)) {
            snprintf(msg, msgn, "--files: %s is given twice (%s and %s)", b, files[i - 1], f);
            return -1;
        }
        if (!before(a, 0, b, 0)) {
            snprintf(msg, msgn,
                     "--files: %s is given after %s: give the files in binlog order (as ls "
                     "sorts them)",
                     f, files[i - 1]);
            return -1;
        }
    }
    return 0;
}

/* --from/--to FILE with --files: one of them (a path given there counts by
 * its name); else the range would start or end somewhere not read. */
int bd_replay_among_files(char *file, char **files, int nfiles, const char *opt, char *msg,
                          size_t msgn)
{
    const char *base = base_name(file);
    if (base != file) memmove(file, base, strlen(base) + 1);
    for (int i = 0; i < nfiles; i++)
        if (!strcmp(base_name(files[i]), file)) return 0;
    snprintf(msg, msgn, "%s %s: no such file among the --files given", opt, file);
    return -1;
}

/* ---- the schema history ------------------------------------------------------ */

/* A private copy of the daemon's schema history (schema_history.h) at
 * tmp: the columns each table had before a DDL in the range, which a
 * binlog without column names (binlog_row_metadata below FULL) cannot
 * tell.  A copy, because the reader appends what it learns, and the
 * daemon's file is the daemon's.  0 copied, 1 src does not exist, -1 with
 * msg. */
static int history_copy(const char *src, char *tmp, size_t tmpn, char *msg, size_t msgn)
{
    FILE *in = fopen(src, "rb");
    if (!in) {
        if (errno == ENOENT) return 1;
        snprintf(msg, msgn, "schema history %.300s: %s", src, strerror(errno));
        return -1;
    }
    const char *dir = getenv("TMPDIR");
    snprintf(tmp, tmpn, "%s/binlogd-replay-history-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(tmp);
    FILE *out = fd < 0 ? NULL : fdopen(fd, "wb");
    if (!out) {
        snprintf(msg, msgn, "a copy of the schema history in %.300s: %s", tmp, strerror(errno));
        if (fd >= 0) close(fd);
        fclose(in);
        tmp[0] = '\0';
        return -1;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) break;
    int bad = ferror(in) || ferror(out);
    fclose(in);
    if (fclose(out) != 0) bad = 1;
    if (bad) {
        snprintf(msg, msgn, "copying the schema history %.200s to %.200s failed: %s", src, tmp,
                 strerror(errno ? errno : EIO));
        unlink(tmp);
        tmp[0] = '\0';
        return -1;
    }
    return 0;
}

int bd_replay_schema_history(bd_replay *r, const char *hist, int files, bd_server_opts *so)
{
    /* the daemon's schema history, unless told otherwise (or there is none) */
    char src[4200], msg[BD_ERRLEN];
    int given = hist && strcmp(hist, "none");
    if (given)
        snprintf(src, sizeof src, "%s", hist);
    else
        snprintf(src, sizeof src, "%s/schema-history.jsonl",
                 r->cfg.state_dir ? r->cfg.state_dir : ".");
    int hc = (hist && !given) || (!given && !r->cfg.state_dir)
                 ? 1
                 : history_copy(src, r->hist_tmp, sizeof r->hist_tmp, msg, sizeof msg);
    if (hc < 0 || (hc == 1 && given)) {
        if (hc == 1) snprintf(msg, sizeof msg, "--schema-history %.300s: no such file", src);
        snprintf(r->err, sizeof r->err, "%s", msg);
        return hc == 1 ? 1 : -1;
    }
    if (hc == 0 && !files) so->schema_history = r->hist_tmp;
    if (hc == 0 && files) {
        /* no server to ask: the history is the only source of names */
        bd_err he = {0};
        r->hist = bd_schema_history_open(r->hist_tmp, &he);
        if (!r->hist) {
            /* the message names the private copy: name the user's file */
            const char *at = strstr(he.msg, r->hist_tmp);
            if (at)
                snprintf(r->err, sizeof r->err, "%.*s%.300s%.150s", (int)(at - he.msg), he.msg, src,
                         at + strlen(r->hist_tmp));
            else
                snprintf(r->err, sizeof r->err, "%s", he.msg);
            return -1;
        }
        snprintf(r->hist_name, sizeof r->hist_name, "the schema history %.200s",
                 given ? src : "of the daemon");
    }
    return 0;
}

/* ---- the replay ------------------------------------------------------------ */

int bd_replay_init(bd_replay *r)
{
    memset(r, 0, sizeof *r);
    r->counts = calloc(MAX_TABLES, sizeof *r->counts);
    return r->counts ? 0 : -1;
}

void bd_replay_release(bd_replay *r)
{
    bd_pub_free(r->pub);
    bd_ksink_free(r->sink);
    free(r->counts);
    free(r->sizes);
    bd_gtid_set_release(&r->after);
    bd_gtid_set_release(&r->upto);
    free(r->only);
    bd_schema_history_close(r->hist);
    if (r->hist_tmp[0]) unlink(r->hist_tmp);
    bd_config_release(&r->cfg);
    memset(r, 0, sizeof *r);
}

static void sink_log(void *ctx, int level, const char *msg)
{
    (void)ctx;
    if (level <= BD_LOG_WARNING)
        fprintf(stderr, "binlogd replay: %s%s\n", level == BD_LOG_WARNING ? "warning: " : "", msg);
}

static int sink_stopping(void *ctx) { return stopped(ctx); }

int bd_replay_open(bd_replay *r)
{
    bd_pub_opts po = {r->cfg.keys, r->cfg.nkeys, r->cfg.tombstones};
    po.columns = &r->cfg.columns;
    bd_pub_ops pops = {r, stage_route, stage_emit, stage_statement, stage_begin, stage_end};
    r->pub = bd_pub_new(&po, &pops);
    if (!r->pub) {
        snprintf(r->err, sizeof r->err, "out of memory");
        return -1;
    }
    if (r->to_stdout || r->dry_run) return 0;
    /* the daemon's sink: its window ([daemon] max_in_flight and
     * max_in_flight_bytes: a bounded queue keeps the messages in cache),
     * its oversize policy, and the replay's headers */
    bd_ksink_opts ko = {0};
    ko.ring = RING_TXNS;
    ko.replay_id = r->id;
    ko.log = sink_log;
    ko.stopping = sink_stopping;
    ko.ctx = r;
    bd_err err = {0};
    r->sink = bd_ksink_new(&r->cfg, &ko, &err);
    if (!r->sink) {
        snprintf(r->err, sizeof r->err, "%.200s: %.300s", r->cfg.path, err.msg);
        return 1;
    }
    return 0;
}

int bd_replay_run(bd_replay *r, bd_server_opts *so, char **files, int nfiles)
{
    int rc = 0;
    if (r->has_from_pos && r->from_pos > 4) {
        /* pass 1: where does the transaction around --from begin? */
        bd_callbacks cb1 = {r, p1_event, p1_row, NULL};
        r->pass1 = 1;
        rc = files ? stream_files(r, files, nfiles, r->from_file, &cb1)
                   : bd_replay_stream_server(r, so, r->from_file, 4, &cb1);
        r->pass1 = 0;
    }
    /* the range's size, for the progress bar's ETA */
    bd_replay_load_sizes(r, so, files, nfiles);
    if (rc == 0 && !stopped(r)) {
        bd_callbacks cb2 = {r, p2_event, p2_row, files ? files_on_table : NULL};
        rc = files ? stream_files(r, files, nfiles, r->start_file, &cb2)
                   : bd_replay_stream_server(r, so, so->gtid ? NULL : r->start_file, r->start_pos,
                                             &cb2);
    }
    /* a transaction cut by the end of the range: its last row was read */
    if (rc == 0 && !r->err[0] && !stopped(r) && bd_pub_finish(r->pub, 1, &r->pub_err) < 0)
        stage_failed(r);
    if (rc == 0 && !r->err[0] && !stopped(r) && r->only_seen < r->only_total) {
        /* replayed what there was, but the binlog lacks some of --gtid */
        bd_buf rest;
        bd_buf_init(&rest);
        bd_replay_gtid_rest(r, &rest);
        snprintf(r->err, sizeof r->err,
                 "%llu of the %llu transactions of --gtid are not in the binlog up to its end "
                 "(purged, not committed yet, or not of this server): %.300s",
                 (unsigned long long)(r->only_total - r->only_seen),
                 (unsigned long long)r->only_total, rest.ptr);
        bd_buf_release(&rest);
    }
    if (r->sink) {
        bd_err err = {0};
        if (bd_ksink_flush(r->sink, FLUSH_TIMEOUT_MS, &err) < 0 && !r->err[0])
            snprintf(r->err, sizeof r->err, "%s", err.msg);
        char why[BD_ERRLEN];
        bd_ksink_first_failure(r->sink, why, sizeof why);
        if (why[0] && !r->err[0]) snprintf(r->err, sizeof r->err, "%s", why);
    }
    fflush(stdout);
    return rc < 0 || r->err[0] ? -1 : 0;
}

void bd_replay_delivery(bd_replay *r, uint64_t *sent, uint64_t *acked, uint64_t *failed)
{
    if (!r->sink) {
        *sent = *acked = r->printed;
        *failed = 0;
        return;
    }
    bd_acks_pos p;
    char f[8];
    uint64_t pos;
    bd_acks_position(bd_ksink_acks(r->sink), &p, f, sizeof f, &pos, NULL);
    *sent = p.delivered + p.failed + p.in_flight;
    *acked = p.delivered;
    *failed = p.failed;
}
