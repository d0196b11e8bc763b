/* cmd_replay.c - `binlogd replay -c FILE --from FILE:POS [--to FILE:POS]`:
 * re-publish an exact binlog range, whole transactions, without touching
 * the daemon's checkpoint or schema history.
 *
 * The range is read from the live server (as a replica with its own server
 * id) or from archived files (--files).  A start inside a transaction is
 * widened to that transaction's start: a first pass reads the start file
 * up to the position and notes where the transaction around it began; the
 * second pass streams from there.  A transaction is replayed when it starts
 * before --to (so the end is widened to the end of the transaction that
 * holds it).  Rows are encoded as the daemon encodes them (the same value,
 * key and topic), and each Kafka message carries two headers,
 * binlogd.replay.id and binlogd.replay.pos, so consumers can tell a replay
 * and deduplicate.
 *
 * One thread: the source's callbacks produce, and delivery reports are
 * served from the same thread (bd_kafka_poll) between rows and at the end.
 */
#include <errno.h>
#include <getopt.h>
#include <mysql.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "binlogd/config.h"
#include "binlogd/decoder.h"
#include "binlogd/encode.h"
#include "binlogd/gtid_set.h"
#include "binlogd/kafka.h"
#include "binlogd/publish.h"
#include "binlogd/schema_history.h"
#include "binlogd/source_file.h"
#include "binlogd/source_server.h"
#include "binlogd/tz.h"
#include "cli.h"
#include "commands.h"

enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1,
    EXIT_USAGE = 2,
    EXIT_NOT_EXACT = CLI_EXIT_NOT_EXACT,
    EXIT_STOPPED = 130
};
#define FLUSH_TIMEOUT_MS 60000
#define MAX_TABLES 4096

/* Per-table counts for the summary and --dry-run. */
typedef struct tcount {
    char name[131];
    uint64_t rows;
} tcount;

typedef struct replay {
    bd_config cfg;
    const char *tables; /* --tables: comma-separated db.table patterns; NULL: [filter] */
    const char *topic_suffix;
    const char *topic_template; /* --topic: instead of [kafka] topic */
    int to_stdout, dry_run;
    char id[64];
    /* the range */
    char from_file[256], to_file[256];
    uint64_t from_pos, to_pos;
    int has_to, has_from_pos;
    /* GTID bounds: after the set 'after', up to and with the set 'upto' */
    bd_gtid_set after, upto;
    int has_after, has_upto;
    /* --gtid: only these transactions; the replay ends once all were seen */
    struct gtid_span *only;
    size_t nonly;
    int only_mysql;
    uint64_t only_total, only_seen; /* transactions in the set, and replayed */
    struct gtid_span *only_pend;    /* the one being replayed */
    uint64_t only_pend_seq;
    /* datetime bounds, µs: commits at or after start_us and before stop_us */
    int64_t start_us, stop_us;
    int has_start_us, has_stop_us; /* given (the epoch, 0, is a time too) */
    int64_t oldest_us;       /* the first event time of the oldest binlog, when after start_us */
    char before_gtids[256];  /* the GTID set of a binlog that comes after some of --gtid */
    bd_schema_history *hist; /* --files: where maps without names get them */
    char hist_name[300];
    /* --files: the server that wrote the file being read (its
     * FORMAT_DESCRIPTION), which the history must belong to */
    enum bd_flavor file_flavor;
    uint32_t file_server_id;
    /* pass 1: where the transaction holding from_pos began */
    int pass1;
    int p1_in_txn;
    char p1_txn_file[256], p1_start_file[256];
    uint64_t p1_txn_pos, p1_start_pos;
    int p1_found;
    /* pass 2 */
    int in_txn, skip_txn;
    char txn_file[256];
    uint64_t txn_pos;
    char first_file[256], last_file[256]; /* covered: first txn start .. last txn end */
    uint64_t first_pos, last_pos;
    int any_txn;
    char next_file[256]; /* where the next transaction starts (to continue) */
    uint64_t next_pos;
    uint64_t txns, rows, produced, delivered, failed;
    uint64_t unacked_bytes; /* key + value bytes produced and not reported yet */
    tcount *counts;
    size_t ncounts;
    /* the publish stage: routes, keys, the held row (publish.h) */
    bd_pub *pub;
    bd_err pub_err;
    int statement_stop; /* stopped at a row change logged as a statement */
    int schema_stop;    /* stopped at rows of a table whose columns are not known */
    uint64_t statements_skipped;
    char hpos[300]; /* the binlogd.replay.pos header: file:pos */
    bd_kafka *k;
    char err[BD_ERRLEN];
    int failed_hard;
    struct timespec t0, last_progress;
    /* progress: the binlog files with their sizes, and the range's size */
    struct fsize {
        char name[256];
        uint64_t size;
    } * sizes;
    size_t nsizes;
    uint64_t total_bytes;
    int tty;
} replay;

static volatile sig_atomic_t g_stop;
static bd_source_server *volatile g_source;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
    bd_source_server *s = g_source;
    if (s) bd_source_server_interrupt(s);
}

static double elapsed(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/* "FILE:POS" or "FILE" (pos 4) into file and pos; -1 if malformed. */
static int parse_position(const char *s, char *file, size_t n, uint64_t *pos)
{
    const char *colon = strrchr(s, ':');
    unsigned long long p = 4;
    size_t fl = strlen(s);
    if (colon) {
        /* FILE:POS; a binlog name has no ':' */
        if (cli_parse_uint(colon + 1, (1ULL << 62), &p) < 0) return -1;
        fl = (size_t)(colon - s);
    }
    if (!fl || fl >= n) return -1;
    memcpy(file, s, fl);
    file[fl] = '\0';
    *pos = p < 4 ? 4 : p;
    return 0;
}

static int before(const char *fa, uint64_t pa, const char *fb, uint64_t pb)
{
    return bd_binlog_pos_cmp(fa, pa, fb, pb) < 0;
}

/* ---- --gtid: exactly the transactions of a set --------------------------- */

/* One stretch of --gtid: the transactions lo..hi of a MySQL uuid[:tag] or
 * of a MariaDB domain (whose sequence numbers count along the domain, so
 * the server id in "D-S-N" does not take part in matching). */
typedef struct gtid_span {
    char key[100];   /* "uuid", "uuid:tag" or the domain's digits */
    char server[24]; /* MariaDB: S of the element, for the start position */
    uint64_t lo, hi;
    uint64_t seen_from, seen_to; /* the first and last replayed (0: none); they come in order */
} gtid_span;

static int add_span(replay *r, const char *key, size_t kn, const char *server, size_t sn,
                    uint64_t lo, uint64_t hi)
{
    if (kn == 0 || kn >= sizeof r->only[0].key || sn >= sizeof r->only[0].server || lo == 0 ||
        hi < lo)
        return -1;
    gtid_span *v = realloc(r->only, (r->nonly + 1) * sizeof *v);
    if (!v) return -1;
    r->only = v;
    gtid_span *s = &v[r->nonly++];
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
    if (cli_parse_uint(buf, UINT64_MAX, &a) < 0) return -1;
    b = a;
    if (sep && cli_parse_uint(sep + strlen(dash), UINT64_MAX, &b) < 0) return -1;
    *lo = a;
    *hi = b;
    return 0;
}

static int span_cmp(const void *a, const void *b)
{
    const gtid_span *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c) return c;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort the stretches and merge those of one key that overlap or touch
 * ("uuid:1-5:3-8" is 1-8), so that each transaction counts once. */
static void spans_normalise(replay *r)
{
    if (r->nonly < 2) return;
    qsort(r->only, r->nonly, sizeof *r->only, span_cmp);
    size_t w = 0;
    for (size_t i = 1; i < r->nonly; i++) {
        gtid_span *cur = &r->only[w], *nx = &r->only[i];
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
static int parse_only(replay *r, const char *text, char *msg, size_t msgn)
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
static int only_take(replay *r, const char *gtid)
{
    char key[100];
    unsigned long long seq;
    if (r->only_mysql) {
        const char *c = strrchr(gtid, ':');
        if (!c || (size_t)(c - gtid) >= sizeof key) return 0;
        memcpy(key, gtid, (size_t)(c - gtid));
        key[c - gtid] = '\0';
        if (cli_parse_uint(c + 1, UINT64_MAX, &seq) < 0) return 0;
    } else {
        size_t dn = strspn(gtid, "0123456789");
        const char *c = strrchr(gtid, '-');
        if (!dn || gtid[dn] != '-' || !c || dn >= sizeof key) return 0;
        memcpy(key, gtid, dn);
        key[dn] = '\0';
        if (cli_parse_uint(c + 1, UINT64_MAX, &seq) < 0) return 0;
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
static void only_done(replay *r)
{
    gtid_span *s = r->only_pend;
    if (!s) return;
    if (!s->seen_from || r->only_pend_seq < s->seen_from) s->seen_from = r->only_pend_seq;
    if (r->only_pend_seq > s->seen_to) s->seen_to = r->only_pend_seq;
    r->only_seen++;
    r->only_pend = NULL;
}

/* The part of --gtid not replayed yet, in --gtid's syntax (to continue,
 * or to name what the binlog lacks). */
static void rest_add(const replay *r, const gtid_span *s, uint64_t lo, uint64_t hi, bd_buf *out)
{
    if (lo > hi) return;
    if (out->len) bd_buf_adds(out, ",");
    if (r->only_mysql)
        bd_buf_addf(out, "%s:%llu", s->key, (unsigned long long)lo);
    else
        bd_buf_addf(out, "%s-%s-%llu", s->key, s->server, (unsigned long long)lo);
    if (hi > lo) bd_buf_addf(out, r->only_mysql ? "-%llu" : "..%llu", (unsigned long long)hi);
}

static void only_rest(const replay *r, bd_buf *out)
{
    for (size_t i = 0; i < r->nonly; i++) {
        const gtid_span *s = &r->only[i];
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
    replay *r = ctx;
    if (g_stop) return 1;
    const char *f = ev->pos.file ? ev->pos.file : "";
    if (!before(f, ev->pos.pos, r->from_file, r->from_pos)) {
        /* the first event at or after --from */
        if (r->p1_in_txn) {
            snprintf(r->p1_start_file, sizeof r->p1_start_file, "%s", r->p1_txn_file);
            r->p1_start_pos = r->p1_txn_pos;
        } else {
            snprintf(r->p1_start_file, sizeof r->p1_start_file, "%s", f);
            r->p1_start_pos = ev->pos.pos;
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
    replay *r = ctx;
    bd_event ev;
    memset(&ev, 0, sizeof ev);
    ev.pos = row->pos;
    ev.header = row->header;
    /* a row at or after --from inside a transaction: the transaction holds it */
    if (p1_event(ctx, &ev)) return 1;
    if (row->ends_txn) r->p1_in_txn = 0;
    return 0;
}

/* ---- pass 2: publish ----------------------------------------------------- */

static void on_delivery(void *ctx, const bd_kafka_report *rep)
{
    replay *r = ctx;
    r->unacked_bytes -= rep->len;
    if (rep->err == 0) {
        r->delivered++;
    } else {
        if (!r->failed++)
            snprintf(r->err, sizeof r->err, "Kafka did not take a message for %s: %s",
                     rep->topic ? rep->topic : "?", rep->errstr ? rep->errstr : "failed");
    }
}

static void kafka_log(void *ctx, int level, const char *msg)
{
    (void)ctx;
    if (level <= 4) fprintf(stderr, "binlogd replay: %s\n", msg);
}

static tcount *count_of(replay *r, const char *db, size_t dbn, const char *tb, size_t tn)
{
    char name[131];
    snprintf(name, sizeof name, "%.*s.%.*s", (int)dbn, db, (int)tn, tb);
    for (size_t i = 0; i < r->ncounts; i++)
        if (!strcmp(r->counts[i].name, name)) return &r->counts[i];
    if (r->ncounts == MAX_TABLES) return NULL;
    tcount *c = &r->counts[r->ncounts++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->rows = 0;
    return c;
}

/* Produce one message to a partition (BD_KAFKA_BY_KEY: its key's),
 * waiting while too much is in flight.  0, or -1 with err. */
static int produce(replay *r, const bd_pub_msg *m, int32_t partition, bd_err *err)
{
    /* Backpressure, as the daemon's ([daemon] max_in_flight and
     * max_in_flight_bytes): a bounded queue keeps the messages in cache;
     * librdkafka's own bound (100,000 messages) holds a hundred megabytes
     * in the heap, and allocating and freeing them costs more than
     * waiting for acknowledgements. */
    while (r->produced - r->delivered - r->failed >= r->cfg.max_in_flight ||
           r->unacked_bytes >= r->cfg.max_in_flight_bytes) {
        struct pollfd p = {bd_kafka_fd(r->k), POLLIN, 0};
        poll(&p, 1, 100); /* until reports wait, then serve them */
        bd_kafka_poll(r->k);
        if (g_stop) return bd_err_set(err, BD_ERR_CALLBACK, "stopped");
    }
    /* the position per message, the file name only when it changes */
    size_t fl = strlen(m->file);
    if (strncmp(r->hpos, m->file, fl) || r->hpos[fl] != ':') {
        if (fl > sizeof r->hpos - 22) fl = sizeof r->hpos - 22;
        memcpy(r->hpos, m->file, fl);
        r->hpos[fl] = ':';
    }
    *bd_raw_u64(r->hpos + fl + 1, m->pos) = '\0';
    bd_kafka_header h[2] = {{"binlogd.replay.id", r->id, strlen(r->id)},
                            {"binlogd.replay.pos", r->hpos, strlen(r->hpos)}};
    bd_kafka_msg km = {m->topic, partition, m->key, m->key_len, m->value, m->value_len, h, 2, NULL};
    for (;;) {
        bd_err pe = {0};
        enum bd_kafka_produce_result pr = bd_kafka_send(r->k, &km, &pe);
        if (pr == BD_KAFKA_QUEUED) break;
        if (pr == BD_KAFKA_FULL) {
            /* the local queue is full: serve reports, then again */
            bd_kafka_poll(r->k);
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
            if (g_stop) return bd_err_set(err, BD_ERR_CALLBACK, "stopped");
            continue;
        }
        r->failed_hard = 1;
        return bd_err_set(err, BD_ERR_IO, "%.200s at %.200s: %.100s", m->topic, r->hpos,
                          pr == BD_KAFKA_TOO_LARGE ? "bigger than Kafka accepts (message.max.bytes)"
                                                   : pe.msg);
    }
    r->produced++;
    r->unacked_bytes += m->key_len + m->value_len;
    if ((r->produced & 1023) == 0) bd_kafka_poll(r->k);
    return 0;
}

/* One message of the stage: a line on stdout, nothing (--dry-run), or a
 * Kafka message by its key, by its table's name (no key) or to every
 * partition (TRUNCATE), as the daemon sends it. */
static int stage_emit(void *ctx, const bd_pub_msg *m, bd_err *err)
{
    replay *r = ctx;
    if (r->dry_run) return 0;
    if (r->to_stdout) {
        if (!m->value) return 0; /* a tombstone is Kafka's business */
        fwrite(m->value, 1, m->value_len, stdout);
        fputc('\n', stdout);
        r->produced++;
        r->delivered++;
        return ferror(stdout) ? bd_err_set(err, BD_ERR_IO, "writing to stdout failed") : 0;
    }
    if (m->part == BD_PUB_BY_KEY) return produce(r, m, BD_KAFKA_BY_KEY, err);
    int32_t n = bd_kafka_partitions(
        r->k, m->topic, m->part == BD_PUB_ALL ? BD_KAFKA_PARTS_NOW : BD_KAFKA_PARTS_FIRST,
        FLUSH_TIMEOUT_MS, err);
    if (n < 0) return -1;
    if (m->part == BD_PUB_BY_TABLE)
        return produce(r, m, bd_kafka_partition_of(m->table, m->table_len, n), err);
    for (int32_t i = 0; i < n; i++)
        if (produce(r, m, i, err) < 0) return -1;
    return 0;
}

/* A row change logged as a statement on a replayed table: [source]
 * on_statement of the config says stop or skip (with a warning). */
static int stage_statement(void *ctx, const bd_pub_statement *st)
{
    replay *r = ctx;
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
static int stage_failed(replay *r)
{
    if (r->pub_err.code == BD_ERR_CALLBACK && (g_stop || r->err[0])) return 1;
    if (r->pub_err.code == BD_ERR_STATEMENT) {
        r->statement_stop = 1;
        snprintf(r->err, sizeof r->err, "%s", r->pub_err.msg);
    } else {
        snprintf(r->err, sizeof r->err, "%s", r->pub_err.msg);
    }
    return 1;
}

static void progress(replay *r, const char *file, uint64_t pos, int final)
{
    if (!r->tty && !final) {
        if (elapsed(&r->last_progress) < 10) return;
    } else if (!final && elapsed(&r->last_progress) < 0.2) {
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &r->last_progress);
    double t = elapsed(&r->t0);
    double rate = t > 0 ? (double)r->rows / t : 0;
    /* bytes from the start to file:pos, from the files' sizes */
    uint64_t done = 0;
    for (size_t i = 0; i < r->nsizes; i++) {
        if (!before(r->sizes[i].name, 0, r->p1_start_file, 0) &&
            before(r->sizes[i].name, 0, file, 0))
            done += r->sizes[i].size;
    }
    done += pos;
    done = done > r->p1_start_pos ? done - r->p1_start_pos : 0;
    char eta[32] = "";
    if (r->total_bytes && done > 0 && t > 0.5 && done < r->total_bytes)
        snprintf(eta, sizeof eta, ", ETA %.0f s",
                 (double)(r->total_bytes - done) * t / (double)done);
    if (r->tty) {
        int width = 30, fill = r->total_bytes ? (int)(done * (uint64_t)width / r->total_bytes) : 0;
        if (fill > width) fill = width;
        fprintf(stderr, "\r[%.*s%*s] %s:%llu  %llu rows  %.0f rows/s%s   ", fill,
                "##############################", width - fill, "", file, (unsigned long long)pos,
                (unsigned long long)r->rows, rate, eta);
        if (final) fputc('\n', stderr);
    } else {
        fprintf(stderr, "binlogd replay: at %s:%llu, %llu row changes, %.0f rows/s%s\n", file,
                (unsigned long long)pos, (unsigned long long)r->rows, rate, eta);
    }
}

static int p2_event(void *ctx, const bd_event *ev)
{
    replay *r = ctx;
    if (g_stop) return 1;
    const char *f = ev->pos.file ? ev->pos.file : "";
    if (ev->is_ddl && !ev->begins_txn && !r->in_txn) {
        /* a statement that commits on its own without a GTID before it
         * (servers without GTIDs): a transaction of its own */
        bd_event b = *ev;
        b.begins_txn = 1;
        b.ends_txn = 0;
        b.is_ddl = 0;
        b.query.p = NULL;
        if (p2_event(ctx, &b)) return 1;
    }
    if (ev->header->type == BD_EV_FORMAT_DESCRIPTION && ev->format) {
        r->file_flavor = ev->format->flavor;
        r->file_server_id = ev->header->server_id;
    }
    if (ev->begins_txn && !r->in_txn) {
        snprintf(r->next_file, sizeof r->next_file, "%s", f);
        r->next_pos = ev->pos.pos;
        if (r->has_to && !before(f, ev->pos.pos, r->to_file, r->to_pos)) return 1; /* done */
        const bd_txn *t = ev->txn;
        int64_t commit = t ? (int64_t)t->commit_us : 0;
        if (r->has_stop_us && commit >= r->stop_us) return 1;    /* done */
        if (r->nonly && r->only_seen == r->only_total) return 1; /* every one of --gtid seen */
        r->in_txn = 1;
        r->skip_txn = r->has_from_pos && before(f, ev->pos.pos, r->p1_start_file, r->p1_start_pos);
        if (r->has_start_us && commit < r->start_us) r->skip_txn = 1;
        int has_gtid = t && t->has_gtid && t->gtid[0];
        if (r->has_after && has_gtid && bd_gtid_set_has(&r->after, t->gtid)) r->skip_txn = 1;
        if (r->has_upto && (!has_gtid || !bd_gtid_set_has(&r->upto, t->gtid))) r->skip_txn = 1;
        if (r->nonly && !r->skip_txn) {
            if (!has_gtid || !only_take(r, t->gtid)) r->skip_txn = 1;
        }
        snprintf(r->txn_file, sizeof r->txn_file, "%s", f);
        r->txn_pos = ev->pos.pos;
        if (!r->skip_txn && !r->any_txn) {
            r->any_txn = 1;
            snprintf(r->first_file, sizeof r->first_file, "%s", f);
            r->first_pos = ev->pos.pos;
        }
    }
    if (r->in_txn && !r->skip_txn && bd_pub_event(r->pub, ev, &r->pub_err) < 0)
        return stage_failed(r);
    if (ev->ends_txn && r->in_txn) {
        r->in_txn = 0;
        if (!r->skip_txn) {
            r->txns++;
            only_done(r);
            uint64_t end = ev->pos.inner == 0 && ev->header->log_pos > ev->pos.pos
                               ? ev->header->log_pos
                               : ev->pos.pos;
            snprintf(r->last_file, sizeof r->last_file, "%s", f);
            r->last_pos = end;
            snprintf(r->next_file, sizeof r->next_file, "%s", f);
            r->next_pos = end;
            progress(r, f, end, 0);
        }
    }
    return 0;
}

/* Does --tables (or else [filter]) take db.table? */
static int wants(const replay *r, const char *db, size_t dbn, const char *tb, size_t tn)
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
    const replay *r = ctx;
    if (r->pass1) return 0; /* positions only */
    if (r->in_txn && r->skip_txn) return 0;
    return wants(r, t->db.p, t->db.n, t->name.p, t->name.n);
}

/* --files: does the history belong to the server that wrote the files?  A
 * history's positions mean nothing in another server's binlog, and a
 * snapshot found there could match the map's column count and types while
 * its names are another table's.  A MariaDB file names its server_id in
 * its FORMAT_DESCRIPTION; a MySQL file does not name its server's uuid, so
 * there only the flavor is checked. */
static int history_fits_files(const replay *r, const char *db, const char *tb, bd_err *err)
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
    replay *r = ctx;
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
    replay *r = ctx;
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
    replay *r = ctx;
    if (g_stop) return 1;
    const char *f = row->pos.file ? row->pos.file : "";
    if (!r->in_txn) {
        /* a statement that commits on its own, without BEGIN */
        bd_event ev;
        memset(&ev, 0, sizeof ev);
        ev.pos = row->pos;
        ev.header = row->header;
        ev.txn = row->txn;
        ev.begins_txn = 1;
        if (p2_event(ctx, &ev)) return 1;
    }
    if (r->skip_txn) goto end;
    const bd_pub_route *rt = bd_pub_route_of(r->pub, row->table, &r->pub_err);
    if (!rt) return stage_failed(r);
    if (rt->wanted && row->table->schema_deferred) {
        /* want_schema said 1 for every map of a published row: never */
        snprintf(r->err, sizeof r->err, "%s:%llu: a row without its column names", f,
                 (unsigned long long)row->pos.pos);
        return 1;
    }
    int w = bd_pub_row(r->pub, row, &r->pub_err);
    if (w < 0) return stage_failed(r);
    if (w) {
        tcount *c = rt->user;
        if (c) c->rows++;
        r->rows++;
    }
end:
    if (row->ends_txn) {
        bd_event ev;
        memset(&ev, 0, sizeof ev);
        ev.pos = row->pos;
        ev.header = row->header;
        ev.ends_txn = 1;
        return p2_event(ctx, &ev);
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
    replay *r = ctx;
    bd_server_identity id;
    bd_source_server_identity(g_source, &id);
    if (r->pub) bd_pub_set_fold_case(r->pub, id.lower_case_names);
}

/* Stream from file:pos to the head (or until a callback stops); 0 done or
 * stopped by a callback, -1 with r->err. */
static int stream_server(replay *r, const bd_server_opts *base, const char *file, uint64_t pos,
                         bd_callbacks *cb)
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
    g_source = s;
    enum bd_server_result res = bd_source_server_run(s, &err);
    g_source = NULL;
    bd_source_server_free(s);
    if (res == BD_SERVER_ERROR && err.code != BD_ERR_CALLBACK) {
        snprintf(r->err, sizeof r->err, "%s", err.msg);
        r->schema_stop = err.code == BD_ERR_UNKNOWN_SCHEMA; /* exit 65 */
        return -1;
    }
    return 0;
}

/* Decode the files from the one named file on; 0 or -1 with r->err. */
static int stream_files(replay *r, char **files, int nfiles, const char *file, bd_callbacks *cb)
{
    int i = 0;
    while (i < nfiles && strcmp(cli_base_name(files[i]), file))
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
        enum bd_file_result fr = bd_source_file_run(d, files[i], cli_base_name(files[i]), &err);
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
static int files_check(char **files, int n, char *msg, size_t msgn)
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
        const char *a = cli_base_name(files[i - 1]), *b = cli_base_name(f);
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
static int among_files(char *file, char **files, int nfiles, const char *opt, char *msg,
                       size_t msgn)
{
    const char *base = cli_base_name(file);
    if (base != file) memmove(file, base, strlen(base) + 1);
    for (int i = 0; i < nfiles; i++)
        if (!strcmp(cli_base_name(files[i]), file)) return 0;
    snprintf(msg, msgn, "%s %s: no such file among the --files given", opt, file);
    return -1;
}

/* ---- where a datetime starts ------------------------------------------------- */

/* The time of a file's first event (its FORMAT_DESCRIPTION), µs. */
static int file_first_time(const char *path, int64_t *us)
{
    unsigned char b[8];
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    if (n != sizeof b) return -1;
    *us = (int64_t)((uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 |
                    (uint32_t)b[7] << 24) *
          1000000;
    return 0;
}

typedef struct first_ev {
    int64_t us;
    int got;
} first_ev;

static int first_event(void *ctx, const bd_event *ev)
{
    first_ev *fe = ctx;
    fe->us = (int64_t)ev->header->timestamp * 1000000;
    fe->got = 1;
    return 1;
}

static int first_row(void *ctx, const bd_row *row)
{
    (void)ctx;
    (void)row;
    return 1;
}

/* The time of a server binlog's first event: a stream opened at FILE:4 for
 * one event. */
static int server_first_time(replay *r, const bd_server_opts *so, const char *file, int64_t *us)
{
    first_ev fe = {0, 0};
    bd_callbacks cb = {&fe, first_event, first_row, NULL};
    if (stream_server(r, so, file, 4, &cb) < 0) return -1;
    if (!fe.got) {
        snprintf(r->err, sizeof r->err, "%s holds no event", file);
        return -1;
    }
    *us = fe.us;
    return 0;
}

/* The binlog files of the server, oldest first: n names in *names. */
static int server_files(replay *r, const bd_server_opts *so, char ***names, size_t *n)
{
    struct st_mysql *my = NULL;
    bd_err err = {0};
    if (bd_server_connect(so, &my, &err) != 0) {
        snprintf(r->err, sizeof r->err, "%s", err.msg);
        return -1;
    }
    int rc = -1;
    *names = NULL;
    *n = 0;
    if (mysql_query(my, "SHOW BINARY LOGS") == 0) {
        MYSQL_RES *res = mysql_store_result(my);
        MYSQL_ROW row;
        while (res && (row = mysql_fetch_row(res))) {
            char **v = realloc(*names, (*n + 1) * sizeof *v);
            if (!v) break;
            *names = v;
            v[*n] = strdup(row[0] ? row[0] : "");
            if (v[*n]) (*n)++;
        }
        if (res) mysql_free_result(res);
        rc = *n ? 0 : -1;
    }
    if (rc < 0)
        snprintf(r->err, sizeof r->err, "SHOW BINARY LOGS on %s:%u: %s", so->host, so->port,
                 mysql_error(my));
    mysql_close(my);
    return rc;
}

/* Does binlog file 'name' (a path for --files) fit a start?  1 yes, 0 no,
 * -1 with r->err. */
typedef int (*file_fits)(replay *r, const bd_server_opts *so, const char *name, int is_path);

/* The newest binlog that fits, into out, when whether one fits only
 * changes once along the files (fits, ..., fits, no, ..., no): a binary
 * search opens log2(n) files, reading only their first events.  1 found,
 * 0 when not even the oldest fits (its name in out), -1 with r->err. */
static int newest_fitting(replay *r, const bd_server_opts *so, char **files, int nfiles,
                          file_fits fits, char *out, size_t outn)
{
    char **names = NULL;
    size_t n = 0;
    if (files) {
        names = files;
        n = (size_t)nfiles;
    } else if (server_files(r, so, &names, &n) < 0) {
        return -1;
    }
    int rc = fits(r, so, names[0], files != NULL);
    size_t lo = 0, hi = n; /* the answer is in [lo, hi) once the oldest fits */
    while (rc == 1 && hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        int f = fits(r, so, names[mid], files != NULL);
        if (f < 0) rc = -1;
        if (f == 1)
            lo = mid;
        else
            hi = mid;
    }
    if (rc >= 0) snprintf(out, outn, "%s", files ? cli_base_name(names[lo]) : names[lo]);
    if (!files) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
    }
    return rc;
}

static int first_time_fits(replay *r, const bd_server_opts *so, const char *name, int is_path)
{
    int64_t t;
    if ((is_path ? file_first_time(name, &t) : server_first_time(r, so, name, &t)) < 0) {
        if (!r->err[0]) snprintf(r->err, sizeof r->err, "cannot read %s", name);
        return -1;
    }
    if (t > r->start_us && !r->oldest_us) r->oldest_us = t; /* for the message */
    return t <= r->start_us;
}

/* The file a --start-datetime falls in.  A start before the oldest file is
 * refused when older files were purged (its number is not 1). */
static int datetime_start(replay *r, const bd_server_opts *so, char **files, int nfiles, char *out,
                          size_t outn)
{
    int rc = newest_fitting(r, so, files, nfiles, first_time_fits, out, outn);
    if (rc != 0) return rc < 0 ? -1 : 0;
    const char *dot = strrchr(out, '.');
    if (dot && strtoull(dot + 1, NULL, 10) > 1) {
        char when[40];
        bd_time_format(when, r->oldest_us);
        snprintf(r->err, sizeof r->err,
                 "--start-datetime is before the oldest binlog %.100s (it begins %s): the "
                 "changes before were purged; start at %.100s:4 or later%s",
                 out, when, out,
                 files ? ", or give the older archived files too"
                       : ", or replay archived files (--files)");
        return -1;
    }
    return 0; /* the first binlog ever: nothing came before it */
}

/* The 'before' set of a server's binlog: a stream of it from 4 stopped at
 * its PREVIOUS_GTIDS or GTID_LIST. */
typedef struct before_ev {
    bd_buf *text;
    enum bd_flavor flavor;
    int got;
} before_ev;

static int before_event(void *ctx, const bd_event *ev)
{
    before_ev *b = ctx;
    if (ev->gtid_set) {
        bd_buf_add(b->text, ev->gtid_set, ev->gtid_set_len);
        b->flavor = ev->header->type == BD_EV_PREVIOUS_GTIDS ? BD_FLAVOR_MYSQL : BD_FLAVOR_MARIADB;
        b->got = 1;
        return 1;
    }
    return ev->begins_txn; /* a transaction first: the file has no such event */
}

/* Does a binlog come after none of --gtid's transactions?  (Its 'before'
 * set holds neither end of any stretch.) */
static int gtid_fits(replay *r, const bd_server_opts *so, const char *name, int is_path)
{
    bd_buf text;
    bd_buf_init(&text);
    bd_gtid_set before = BD_GTID_SET_INIT;
    bd_err err = {0};
    before_ev b = {&text, BD_FLAVOR_UNKNOWN, 0};
    int rc = -1;
    if (is_path) {
        if (bd_source_file_before(name, cli_base_name(name), &text, &b.flavor, &err) < 0) {
            snprintf(r->err, sizeof r->err, "--gtid: %.400s", err.msg);
            goto out;
        }
    } else {
        bd_callbacks cb = {&b, before_event, first_row, NULL};
        if (stream_server(r, so, name, 4, &cb) < 0) goto out;
        if (!b.got) {
            snprintf(r->err, sizeof r->err,
                     "--gtid: %s has no PREVIOUS_GTIDS or GTID_LIST event (written without "
                     "GTIDs?)",
                     name);
            goto out;
        }
    }
    if (bd_gtid_set_parse_before(&before, b.flavor, text.ptr, text.len, &err) < 0) {
        snprintf(r->err, sizeof r->err, "--gtid: %.100s: %.380s",
                 is_path ? cli_base_name(name) : name, err.msg);
        goto out;
    }
    rc = 1;
    for (size_t i = 0; i < r->nonly && rc == 1; i++) {
        const gtid_span *sp = &r->only[i];
        for (int end = 0; end < 2 && rc == 1; end++) {
            char g[160];
            uint64_t seq = end ? sp->hi : sp->lo;
            if (r->only_mysql)
                snprintf(g, sizeof g, "%s:%llu", sp->key, (unsigned long long)seq);
            else
                snprintf(g, sizeof g, "%s-%s-%llu", sp->key, sp->server[0] ? sp->server : "0",
                         (unsigned long long)seq);
            int h = bd_gtid_set_has(&before, g);
            if (h < 0) {
                snprintf(r->err, sizeof r->err, "--gtid is a %s set but %s was written by %s",
                         r->only_mysql ? "MySQL" : "MariaDB", name,
                         r->only_mysql ? "MariaDB" : "MySQL");
                rc = -1;
            } else if (h) {
                rc = 0;
                snprintf(r->before_gtids, sizeof r->before_gtids, "%.*s", (int)text.len, text.ptr);
            }
        }
    }
out:
    bd_gtid_set_release(&before);
    bd_buf_release(&text);
    return rc;
}

/* The file --gtid starts at; -1 with r->err naming the oldest binlog when
 * some of the set comes before it (purged, or never in this server). */
static int gtid_start(replay *r, const bd_server_opts *so, char **files, int nfiles, char *out,
                      size_t outn)
{
    int rc = newest_fitting(r, so, files, nfiles, gtid_fits, out, outn);
    if (rc != 0) return rc < 0 ? -1 : 0;
    snprintf(r->err, sizeof r->err,
             "--gtid: some of the set comes before the oldest binlog %.100s, which follows "
             "%.200s: those transactions were purged%s",
             out, r->before_gtids, files ? "" : "; replay archived files (--files) for them");
    return -1;
}

/* The binlog files' sizes (stat, or SHOW BINARY LOGS) and the range's
 * size from the start to --to or the last file's end: for the ETA only,
 * so a failure leaves them unknown. */
static void load_sizes(replay *r, const bd_server_opts *so, char **files, int nfiles)
{
    size_t cap = files ? (size_t)nfiles : 0;
    struct st_mysql *my = NULL;
    MYSQL_RES *res = NULL;
    if (!files) {
        bd_err err = {0};
        if (bd_server_connect(so, &my, &err) != 0) return;
        if (mysql_query(my, "SHOW BINARY LOGS") == 0) res = mysql_store_result(my);
        cap = res ? (size_t)mysql_num_rows(res) : 0;
    }
    r->sizes = cap ? calloc(cap, sizeof *r->sizes) : NULL;
    for (size_t i = 0; r->sizes && i < cap; i++) {
        struct fsize *f = &r->sizes[r->nsizes];
        if (files) {
            struct stat st;
            if (stat(files[i], &st) < 0) continue;
            snprintf(f->name, sizeof f->name, "%s", cli_base_name(files[i]));
            f->size = (uint64_t)st.st_size;
        } else {
            MYSQL_ROW row = mysql_fetch_row(res);
            if (!row || !row[0]) break;
            snprintf(f->name, sizeof f->name, "%s", row[0]);
            f->size = row[1] ? strtoull(row[1], NULL, 10) : 0;
        }
        r->nsizes++;
    }
    if (res) mysql_free_result(res);
    if (my) mysql_close(my);
    uint64_t total = 0;
    for (size_t i = 0; i < r->nsizes; i++) {
        const struct fsize *f = &r->sizes[i];
        if (before(f->name, 0, r->p1_start_file, 0)) continue;
        if (r->has_to && !strcmp(f->name, r->to_file)) {
            total += r->to_pos;
            break;
        }
        if (r->has_to && before(r->to_file, 0, f->name, 0)) break;
        total += f->size;
    }
    r->total_bytes = total > r->p1_start_pos ? total - r->p1_start_pos : 0;
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

/* ---- the command ------------------------------------------------------------ */

static void replay_usage(FILE *f)
{
    fputs("usage: binlogd replay -c FILE START [END] [--tables T,...]\n"
          "                      [--topic-suffix S | --topic TEMPLATE | --stdout] [--dry-run]\n"
          "                      [--id ID] [--server-id N] [--schema-history FILE|none]\n"
          "                      [--files BINLOG...]\n"
          "\n"
          "Re-publish the row changes of a binlog range to Kafka (the daemon's topics, or\n"
          "others), or print them (--stdout), whole transactions only: a start inside a\n"
          "transaction replays that transaction from its beginning, and every transaction\n"
          "that starts before the end is replayed whole.  The daemon's checkpoint and\n"
          "schema history are never touched.  Each message carries the headers\n"
          "binlogd.replay.id and binlogd.replay.pos (FILE:POS of its row event).\n"
          "\n"
          "  -c, --config FILE     the daemon's configuration: source, [kafka], [filter],\n"
          "                        [daemon] max_in_flight and max_in_flight_bytes\n"
          "START (one of):\n"
          "      --from FILE[:POS] a binlog position (POS 4 when omitted)\n"
          "      --from gtid:SET   after the transactions of a GTID set (MySQL\n"
          "                        uuid:1-100) or MariaDB position (0-1-100)\n"
          "      --start-datetime T  transactions committed at or after T: RFC 3339, or\n"
          "                        YYYY-MM-DD HH:MM[:SS] in --timezone (default UTC); the\n"
          "                        start file is found from the files' first event times\n"
          "      --gtid SET        exactly the transactions of SET (both ends): a MySQL\n"
          "                        GTID set (uuid:1-5:7,uuid2:3) or MariaDB GTIDs with\n"
          "                        optional stretches (0-1-5,0-1-9..12); exit 1 when the\n"
          "                        binlog lacks some of them (they are named)\n"
          "END (default: the server's head, or the end of the last file):\n"
          "      --to FILE[:POS]   transactions that start before it (FILE alone: before\n"
          "                        that file's start)\n"
          "      --to gtid:SET     up to and with the transactions of the set\n"
          "      --stop-datetime T transactions committed before T\n"
          "      --timezone ZONE   of the datetimes (IANA name, UTC or +HH:MM)\n"
          "Options:\n"
          "      --tables T,...    only these tables (db.table patterns with * and ?);\n"
          "                        default: the config's [filter]\n"
          "      --topic-suffix S  publish to the daemon's topic names + S\n"
          "      --topic TEMPLATE  publish to other topics: {source}, {db}, {table}\n"
          "      --stdout          print JSON lines (as binlogd dump) instead of publishing\n"
          "      --dry-run         publish nothing; print \"table DB.TABLE ROWS\" lines\n"
          "      --id ID           the replay id in the headers (default: generated)\n"
          "      --server-id N     replica id on the live server (default: the config's\n"
          "                        server_id + 1; two readers must not share one)\n"
          "      --schema-history FILE  the columns of tables before a DDL in the range,\n"
          "                        for binlogs without column names (binlog_row_metadata\n"
          "                        below FULL); default: the daemon's, in [state] dir, if\n"
          "                        there (a copy is read: the daemon's file is not\n"
          "                        touched); none: no history (the server's columns of\n"
          "                        today; with --files, none at all).  With --files,\n"
          "                        a history of another server is refused (MySQL files\n"
          "                        do not name their server: there only one of a\n"
          "                        MariaDB server)\n"
          "      --files BINLOG... read these archived binlog files instead of the server:\n"
          "                        every remaining argument is a file, in binlog order,\n"
          "                        each once (all are checked before anything is read)\n"
          "  -h, --help            this help\n"
          "\n"
          "Exit status: 0 every message acknowledged (a re-run is safe: consumers see\n"
          "duplicates, marked); 1 an error or a message Kafka did not take; 2 usage;\n"
          "65 a row change in the range is logged as a statement (its rows are not in the\n"
          "binlog; [source] on_statement = skip replays without it), or a table's columns\n"
          "at a position are not known ([source] ddl_ahead); 130 interrupted\n"
          "(SIGINT/SIGTERM): the summary says how far it got and the command that\n"
          "continues.\n",
          f);
}

/* A return before the replay began: what the arguments allocated. */
static int early_exit(replay *r, bd_buf *after_text, int rc)
{
    bd_buf_release(after_text);
    bd_gtid_set_release(&r->after);
    bd_gtid_set_release(&r->upto);
    free(r->only);
    free(r);
    return rc;
}

static int usage_error(const char *what)
{
    fprintf(stderr, "binlogd replay: %s (binlogd replay --help)\n", what);
    return EXIT_USAGE;
}

/* One word of a command to paste into a shell: quoted when it needs it. */
static void put_word(const char *w)
{
    if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                        "_./:=,+-@%") == strlen(w)) {
        fprintf(stderr, " %s", w);
        return;
    }
    fputs(" '", stderr);
    for (; *w; w++)
        if (*w == '\'')
            fputs("'\\''", stderr);
        else
            fputc(*w, stderr);
    fputc('\'', stderr);
}

static void summary(replay *r, int argc, char **argv, int stopped)
{
    double t = elapsed(&r->t0);
    if (r->any_txn && !r->last_file[0])
        fprintf(stderr, "replay %s: no transaction ended; the first began at %s:%llu\n", r->id,
                r->first_file, (unsigned long long)r->first_pos);
    else if (r->any_txn)
        fprintf(stderr, "replay %s: covered %s:%llu .. %s:%llu (whole transactions%s)\n", r->id,
                r->first_file, (unsigned long long)r->first_pos, r->last_file,
                (unsigned long long)r->last_pos,
                r->has_from_pos && before(r->first_file, r->first_pos, r->from_file, r->from_pos)
                    ? "; the start was widened back to its transaction's start"
                    : "");
    else
        fprintf(stderr, "replay %s: no transaction in the range\n", r->id);
    fprintf(stderr, "replay %s: %llu transactions, %llu row changes in %.2f s (%.0f rows/s)\n",
            r->id, (unsigned long long)r->txns, (unsigned long long)r->rows, t,
            t > 0 ? (double)r->rows / t : 0.0);
    for (size_t i = 0; i < r->ncounts; i++)
        fprintf(stderr, "replay %s:   %s %llu\n", r->id, r->counts[i].name,
                (unsigned long long)r->counts[i].rows);
    if (!r->dry_run)
        fprintf(stderr, "replay %s: acknowledged %llu of %llu\n", r->id,
                (unsigned long long)r->delivered, (unsigned long long)r->produced);
    if (stopped && r->next_file[0]) {
        /* the same command with the start moved on: --gtid to what is left,
         * any other start to --from the next transaction (first, because
         * every argument after --files is a file) */
        bd_buf rest;
        bd_buf_init(&rest);
        if (r->nonly) only_rest(r, &rest);
        fprintf(stderr,
                "replay %s: stopped; the next transaction starts at %s:%llu. Continue with:\n  "
                "binlogd replay",
                r->id, r->next_file, (unsigned long long)r->next_pos);
        if (!r->nonly)
            fprintf(stderr, " --from %s:%llu", r->next_file, (unsigned long long)r->next_pos);
        for (int i = 1; i < argc; i++) {
            static const char *const starts[] = {"--from", "--start-datetime", "--gtid"};
            size_t k = 0, n = 0;
            for (; k < 3; k++) {
                n = strlen(starts[k]);
                if (!strncmp(argv[i], starts[k], n) && (!argv[i][n] || argv[i][n] == '=')) break;
            }
            if (k == 3) {
                put_word(argv[i]);
                continue;
            }
            if (!argv[i][n]) i++; /* its value is the next argument */
            if (k == 2) {
                fputs(" --gtid", stderr);
                put_word(rest.ptr);
            }
        }
        fputc('\n', stderr);
        bd_buf_release(&rest);
    }
}

int cmd_replay(int argc, char **argv)
{
    enum {
        O_FROM = 0x100,
        O_TO,
        O_TABLES,
        O_SUFFIX,
        O_STDOUT,
        O_DRY,
        O_ID,
        O_SID,
        O_FILES,
        O_START_DT,
        O_STOP_DT,
        O_TZ,
        O_TOPIC,
        O_GTID,
        O_HIST
    };
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"from", required_argument, NULL, O_FROM},
        {"to", required_argument, NULL, O_TO},
        {"tables", required_argument, NULL, O_TABLES},
        {"topic-suffix", required_argument, NULL, O_SUFFIX},
        {"stdout", no_argument, NULL, O_STDOUT},
        {"dry-run", no_argument, NULL, O_DRY},
        {"id", required_argument, NULL, O_ID},
        {"server-id", required_argument, NULL, O_SID},
        {"files", no_argument, NULL, O_FILES},
        {"start-datetime", required_argument, NULL, O_START_DT},
        {"stop-datetime", required_argument, NULL, O_STOP_DT},
        {"timezone", required_argument, NULL, O_TZ},
        {"topic", required_argument, NULL, O_TOPIC},
        {"gtid", required_argument, NULL, O_GTID},
        {"schema-history", required_argument, NULL, O_HIST},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    replay *r = calloc(1, sizeof *r);
    if (!r) return EXIT_FAILED;
    const char *path = NULL, *from = NULL, *to = NULL, *id = NULL;
    const char *start_dt = NULL, *stop_dt = NULL, *zone = "UTC", *only = NULL, *hist = NULL;
    unsigned long long sid = 0;
    int files = 0, c, rc = EXIT_FAILED;
    optind = 1;
    while (!files && (c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': path = optarg; break;
        case O_FROM: from = optarg; break;
        case O_TO: to = optarg; break;
        case O_TABLES: r->tables = optarg; break;
        case O_SUFFIX: r->topic_suffix = optarg; break;
        case O_STDOUT: r->to_stdout = 1; break;
        case O_DRY: r->dry_run = 1; break;
        case O_ID: id = optarg; break;
        case O_SID:
            if (cli_parse_uint(optarg, 4294967295ULL, &sid) < 0 || !sid) {
                free(r);
                return usage_error("--server-id wants a number 1..4294967295");
            }
            break;
        case O_FILES: files = 1; break;
        case O_START_DT: start_dt = optarg; break;
        case O_STOP_DT: stop_dt = optarg; break;
        case O_TZ: zone = optarg; break;
        case O_TOPIC: r->topic_template = optarg; break;
        case O_GTID: only = optarg; break;
        case O_HIST: hist = optarg; break;
        case 'h':
            replay_usage(stdout);
            free(r);
            return EXIT_OK;
        default: free(r); return usage_error("unknown option");
        }
    }
    int nfiles = files ? argc - optind : 0;
    char **fileargs = argv + optind;
    if (!files && optind < argc) {
        free(r);
        return usage_error("unexpected argument (archived files follow --files)");
    }
    if (files && nfiles == 0) {
        free(r);
        return usage_error("--files wants at least one binlog file");
    }
    if (only && (from || start_dt || to || stop_dt)) {
        free(r);
        return usage_error("--gtid gives both ends: no --from, --to or datetimes with it");
    }
    if (!path || (!only && !from == !start_dt)) {
        free(r);
        return usage_error(!path ? "-c FILE is required"
                                 : "give one start: --from FILE[:POS], --from gtid:SET, "
                                   "--start-datetime T or --gtid SET");
    }
    if (to && stop_dt) {
        free(r);
        return usage_error("give one end: --to or --stop-datetime");
    }
    bd_err perr = {0};
    bd_buf after_text; /* --from gtid:'s set, or where --gtid starts */
    bd_buf_init(&after_text);
    if (only) {
        char msg[BD_ERRLEN];
        if (parse_only(r, only, msg, sizeof msg) < 0) {
            fprintf(stderr, "binlogd replay: %s\n", msg);
            return early_exit(r, &after_text, EXIT_USAGE);
        }
    }
    if (from && !strncmp(from, "gtid:", 5)) {
        bd_buf_adds(&after_text, from + 5);
        if (bd_gtid_set_parse(&r->after, BD_FLAVOR_UNKNOWN, from + 5, strlen(from + 5), &perr) <
            0) {
            fprintf(stderr, "binlogd replay: --from %s: %s\n", from, perr.msg);
            return early_exit(r, &after_text, EXIT_USAGE);
        }
        r->has_after = 1;
    } else if (from) {
        if (parse_position(from, r->from_file, sizeof r->from_file, &r->from_pos) < 0) {
            return early_exit(r, &after_text, usage_error("--from wants FILE[:POS] or gtid:SET"));
        }
        r->has_from_pos = 1;
    }
    if (to && !strncmp(to, "gtid:", 5)) {
        if (bd_gtid_set_parse(&r->upto, BD_FLAVOR_UNKNOWN, to + 5, strlen(to + 5), &perr) < 0) {
            fprintf(stderr, "binlogd replay: --to %s: %s\n", to, perr.msg);
            return early_exit(r, &after_text, EXIT_USAGE);
        }
        r->has_upto = 1;
    } else if (to) {
        if (parse_position(to, r->to_file, sizeof r->to_file, &r->to_pos) < 0) {
            return early_exit(r, &after_text, usage_error("--to wants FILE[:POS] or gtid:SET"));
        }
        r->has_to = 1;
    }
    if (start_dt || stop_dt) {
        bd_err te = {0};
        bd_tz *tz = bd_tz_load(zone, &te);
        int64_t now = (int64_t)time(NULL) * 1000000;
        int bad = !tz;
        if (!bad && start_dt && bd_time_parse(start_dt, tz, now, &r->start_us) < 0) bad = 2;
        if (!bad && stop_dt && bd_time_parse(stop_dt, tz, now, &r->stop_us) < 0) bad = 3;
        r->has_start_us = start_dt != NULL;
        r->has_stop_us = stop_dt != NULL;
        bd_tz_free(tz);
        if (bad) {
            if (bad == 1)
                fprintf(stderr, "binlogd replay: --timezone: %s\n", te.msg);
            else
                fprintf(stderr,
                        "binlogd replay: --%s-datetime wants RFC 3339 or YYYY-MM-DD "
                        "HH:MM[:SS] (in --timezone), not '%s'\n",
                        bad == 2 ? "start" : "stop", bad == 2 ? start_dt : stop_dt);
            return early_exit(r, &after_text, EXIT_USAGE);
        }
        if (r->has_start_us && r->has_stop_us && r->stop_us <= r->start_us) {
            return early_exit(r, &after_text,
                              usage_error("--stop-datetime is not after --start-datetime"));
        }
    }
    if (files) {
        char msg[BD_ERRLEN];
        if (files_check(fileargs, nfiles, msg, sizeof msg) < 0 ||
            (r->has_from_pos &&
             among_files(r->from_file, fileargs, nfiles, "--from", msg, sizeof msg) < 0) ||
            (r->has_to && among_files(r->to_file, fileargs, nfiles, "--to", msg, sizeof msg) < 0)) {
            fprintf(stderr, "binlogd replay: %s\n", msg);
            return early_exit(r, &after_text, EXIT_USAGE);
        }
    }
    if (r->tables && !r->tables[strspn(r->tables, ", \t")])
        return early_exit(r, &after_text,
                          usage_error("--tables wants db.table patterns; without --tables the "
                                      "config's [filter] decides"));
    if (files && r->has_from_pos) {
        /* a start past the file's end would replay nothing and say so only
         * as "no transaction in the range" */
        for (int i = 0; i < nfiles; i++) {
            struct stat st;
            if (strcmp(cli_base_name(fileargs[i]), r->from_file) || stat(fileargs[i], &st) < 0)
                continue;
            if (r->from_pos > (uint64_t)st.st_size) {
                fprintf(stderr,
                        "binlogd replay: --from %s:%llu is past the end of %s (%lld bytes)\n",
                        r->from_file, (unsigned long long)r->from_pos, fileargs[i],
                        (long long)st.st_size);
                return early_exit(r, &after_text, EXIT_USAGE);
            }
        }
    }
    if (r->has_from_pos && r->has_to && before(r->to_file, r->to_pos, r->from_file, r->from_pos))
        return early_exit(r, &after_text, usage_error("--to is before --from"));
    if (r->to_stdout && (r->topic_suffix || r->topic_template)) {
        return early_exit(r, &after_text,
                          usage_error("--stdout and --topic-suffix / --topic exclude each other"));
    }
    if (r->topic_template && !strstr(r->topic_template, "{table}")) {
        return early_exit(
            r, &after_text,
            usage_error("--topic must contain {table}: each table needs its own topic"));
    }
    bd_err err = {0};
    if (bd_config_load(&r->cfg, path, &err) < 0) {
        fprintf(stderr, "binlogd replay: %s\n", err.msg);
        return early_exit(r, &after_text, EXIT_USAGE);
    }
    if (id)
        snprintf(r->id, sizeof r->id, "%s", id);
    else
        snprintf(r->id, sizeof r->id, "r%lld-%d", (long long)time(NULL), (int)getpid());
    r->tty = isatty(2);
    {
        bd_pub_opts po = {r->cfg.keys, r->cfg.nkeys, r->cfg.tombstones};
        bd_pub_ops pops = {r, stage_route, stage_emit, stage_statement};
        r->pub = bd_pub_new(&po, &pops);
        if (!r->pub) {
            fprintf(stderr, "binlogd replay: out of memory\n");
            goto out;
        }
    }
    r->counts = calloc(MAX_TABLES, sizeof *r->counts);
    bd_server_opts so;
    char pw[1024], msg[BD_ERRLEN + 64], hist_tmp[4200] = "";
    memset(&so, 0, sizeof so);
    if (!r->counts) goto out;
    if (!files) {
        if (cli_server_opts(&r->cfg, &so, pw, sizeof pw, msg, sizeof msg) < 0) {
            fprintf(stderr, "binlogd replay: %s\n", msg);
            rc = EXIT_USAGE;
            goto out;
        }
        /* a reader of its own, never the daemon's id */
        so.server_id = sid ? (uint32_t)sid : r->cfg.server_id + 1;
    }
    {
        /* the daemon's schema history, unless told otherwise (or there is none) */
        char src[4200];
        int given = hist && strcmp(hist, "none");
        if (given)
            snprintf(src, sizeof src, "%s", hist);
        else
            snprintf(src, sizeof src, "%s/schema-history.jsonl",
                     r->cfg.state_dir ? r->cfg.state_dir : ".");
        int hc = (hist && !given) || (!given && !r->cfg.state_dir)
                     ? 1
                     : history_copy(src, hist_tmp, sizeof hist_tmp, msg, sizeof msg);
        if (hc < 0 || (hc == 1 && given)) {
            if (hc == 1) snprintf(msg, sizeof msg, "--schema-history %.300s: no such file", src);
            fprintf(stderr, "binlogd replay: %s\n", msg);
            rc = hc == 1 ? EXIT_USAGE : EXIT_FAILED;
            goto out;
        }
        if (hc == 0 && !files) so.schema_history = hist_tmp;
        if (hc == 0 && files) {
            /* no server to ask: the history is the only source of names */
            bd_err he = {0};
            r->hist = bd_schema_history_open(hist_tmp, &he);
            if (!r->hist) {
                /* the message names the private copy: name the user's file */
                const char *at = strstr(he.msg, hist_tmp);
                if (at)
                    fprintf(stderr, "binlogd replay: %.*s%s%s\n", (int)(at - he.msg), he.msg, src,
                            at + strlen(hist_tmp));
                else
                    fprintf(stderr, "binlogd replay: %s\n", he.msg);
                goto out;
            }
            snprintf(r->hist_name, sizeof r->hist_name, "the schema history %.200s",
                     given ? src : "of the daemon");
        }
    }
    if (!r->to_stdout && !r->dry_run) {
        bd_kafka_opts ko = {0};
        ko.conf = (const char *const *)r->cfg.kafka;
        ko.nconf = r->cfg.nkafka;
        ko.allow_unsafe = r->cfg.allow_unsafe;
        ko.on_delivery = on_delivery;
        ko.log = kafka_log;
        ko.ctx = r;
        r->k = bd_kafka_new(&ko, &err);
        if (!r->k) {
            fprintf(stderr, "binlogd replay: %s: %s\n", path, err.msg);
            rc = EXIT_USAGE;
            goto out;
        }
    }

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    r->last_progress = r->t0;

    /* pass 1: where does the transaction around --from begin? */
    snprintf(r->p1_start_file, sizeof r->p1_start_file, "%s", r->from_file);
    r->p1_start_pos = r->from_pos;
    int srcrc = 0;
    if (r->has_start_us) {
        /* a datetime: the file it falls in, from its start */
        srcrc = datetime_start(r, &so, files ? fileargs : NULL, nfiles, r->p1_start_file,
                               sizeof r->p1_start_file);
        r->p1_start_pos = 4;
    } else if (only) {
        /* the newest file that no transaction of the set comes before */
        srcrc = gtid_start(r, &so, files ? fileargs : NULL, nfiles, r->p1_start_file,
                           sizeof r->p1_start_file);
        r->p1_start_pos = 4;
    } else if (r->has_after && files) {
        int i = cli_gtid_start_file("binlogd replay", &r->after, nfiles, fileargs, 0);
        if (i < 0) {
            rc = EXIT_FAILED;
            goto out;
        }
        snprintf(r->p1_start_file, sizeof r->p1_start_file, "%s", cli_base_name(fileargs[i]));
        r->p1_start_pos = 4;
    } else if (r->has_after) {
        so.gtid = after_text.ptr; /* the server starts after the set */
    }
    if (r->has_from_pos && r->from_pos > 4) {
        bd_callbacks cb1 = {r, p1_event, p1_row, NULL};
        r->pass1 = 1;
        srcrc = files ? stream_files(r, fileargs, nfiles, r->from_file, &cb1)
                      : stream_server(r, &so, r->from_file, 4, &cb1);
        r->pass1 = 0;
    }
    /* the range's size, for the progress bar's ETA */
    load_sizes(r, &so, files ? fileargs : NULL, nfiles);
    /* pass 2 */
    if (srcrc == 0 && !g_stop) {
        bd_callbacks cb2 = {r, p2_event, p2_row, files ? files_on_table : NULL};
        srcrc =
            files ? stream_files(r, fileargs, nfiles, r->p1_start_file, &cb2)
                  : stream_server(r, &so, so.gtid ? NULL : r->p1_start_file, r->p1_start_pos, &cb2);
    }
    /* a transaction cut by the end of the range: its last row was read */
    if (srcrc == 0 && !r->err[0] && !g_stop && bd_pub_finish(r->pub, 1, &r->pub_err) < 0)
        stage_failed(r);
    if (srcrc == 0 && !r->err[0] && !g_stop && r->only_seen < r->only_total) {
        /* replayed what there was, but the binlog lacks some of --gtid */
        bd_buf rest;
        bd_buf_init(&rest);
        only_rest(r, &rest);
        snprintf(r->err, sizeof r->err,
                 "%llu of the %llu transactions of --gtid are not in the binlog up to its end "
                 "(purged, not committed yet, or not of this server): %.300s",
                 (unsigned long long)(r->only_total - r->only_seen),
                 (unsigned long long)r->only_total, rest.ptr);
        bd_buf_release(&rest);
    }
    memset(pw, 0, sizeof pw);
    if (r->k) {
        if (bd_kafka_flush(r->k, FLUSH_TIMEOUT_MS, &err) < 0 && !r->err[0])
            snprintf(r->err, sizeof r->err, "%s", err.msg);
        bd_kafka_poll(r->k);
    }
    fflush(stdout);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (r->last_file[0] || r->tty) progress(r, r->last_file, r->last_pos, 1);
    if (r->dry_run)
        for (size_t i = 0; i < r->ncounts; i++)
            printf("table %s %llu\n", r->counts[i].name, (unsigned long long)r->counts[i].rows);
    summary(r, argc, argv, g_stop);
    if (srcrc < 0 || r->err[0]) {
        fprintf(stderr, "binlogd replay: %s\n", r->err);
        if (r->statement_stop)
            fprintf(stderr, "binlogd replay: to replay the range without its rows: [source] "
                            "on_statement = skip in the config\n");
        rc = r->statement_stop || r->schema_stop ? EXIT_NOT_EXACT : EXIT_FAILED;
    } else if (g_stop) {
        rc = EXIT_STOPPED;
    } else if (r->failed || r->delivered != r->produced) {
        fprintf(stderr, "binlogd replay: %llu messages not acknowledged\n",
                (unsigned long long)(r->produced - r->delivered));
        rc = EXIT_FAILED;
    } else {
        rc = EXIT_OK;
    }
out:
    bd_pub_free(r->pub);
    bd_kafka_free(r->k);
    free(r->counts);
    free(r->sizes);
    bd_gtid_set_release(&r->after);
    bd_gtid_set_release(&r->upto);
    bd_buf_release(&after_text);
    free(r->only);
    bd_schema_history_close(r->hist);
    if (hist_tmp[0]) unlink(hist_tmp);
    bd_config_release(&r->cfg);
    free(r);
    g_stop = 0;
    return rc;
}
