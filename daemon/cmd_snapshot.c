/* cmd_snapshot.c - `binlogd snapshot -c FILE ...` or `binlogd snapshot
 * --url URL ...`: ask the running daemon to snapshot tables (publish their
 * existing rows to Kafka beside the live stream), follow one, list them,
 * cancel one, over its HTTP endpoint:
 *
 *   POST /snapshot?tables=PATTERNS[&where=COND]   202 the snapshot,
 *                                                 400 / 503 {"error":...}
 *   GET  /snapshot                                200 {"snapshots":[...],...}
 *   GET  /snapshot/ID                             200 the snapshot, 404
 *   POST /snapshot/ID/cancel                      200 the snapshot, 404, 409
 *
 * A snapshot: {"id","state","requested","where","error","created",
 * "finished","tables":[{"table","state","key","chunks","rows",
 * "rows_acked","chunk_size","error"},...]}; "pending" with no tables: the
 * daemon has not resolved the patterns yet.  The config is read as `binlogd
 * gate` reads it (bd_config_load_gates: [http], no secrets); the HTTP
 * client is client.c's. */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "binlogd/buf.h"
#include "binlogd/config.h"
#include "cli.h"
#include "client.h"
#include "commands.h"

/* The exit statuses; --help lists them.  A daemon that cannot be asked is
 * EXIT_FAILED, as `binlogd gate` has it. */
enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_RUNNING = 3 };

/* --timeout's default: one answer, and the wait for the tables of a
 * request to be resolved. */
#define TIMEOUT_S 5.0
/* Between two questions: while the tables are being resolved, and while
 * following a snapshot with --wait; progress lines at most this often. */
#define RESOLVE_POLL_S 0.2
#define WAIT_POLL_S 0.5
#define PROGRESS_EVERY_S 1.0

static void snapshot_usage(FILE *f)
{
    fputs("usage: binlogd snapshot -c FILE --tables PATTERNS [--where COND] [--wait [DURATION]]\n"
          "       binlogd snapshot -c FILE --status [ID] [--json]\n"
          "       binlogd snapshot -c FILE --cancel ID\n"
          "       binlogd snapshot --url http://HOST:PORT [options as above]\n"
          "\n"
          "Ask the running daemon to snapshot tables: to publish their existing rows to\n"
          "Kafka (op \"r\"), chunk by chunk in key order, beside the live stream; list the\n"
          "snapshots and their progress; cancel one.  The daemon is asked at FILE's\n"
          "[http] listen address (POST /snapshot, GET /snapshot[/ID], POST\n"
          "/snapshot/ID/cancel; 0.0.0.0 and [::] are asked at 127.0.0.1 and [::1]), or\n"
          "at URL.  FILE needs only [http]; its secrets are not read.\n"
          "\n"
          "A request waits (at most --timeout) for the daemon to resolve its patterns,\n"
          "then prints a line per table (\"shop.orders: snapshot 3 accepted, chunked by\n"
          "PRIMARY (id)\"), or why the snapshot failed.\n"
          "\n"
          "  -c, --config FILE   the daemon's config file (or a copy of its [http]\n"
          "                      section)\n",
          f);
    fputs(CLIENT_URL_HELP, f);
    fputs("      --tables PATTERNS  request a snapshot of the published tables whose\n"
          "                      db.table matches one of the comma-separated fnmatch\n"
          "                      patterns (shop.orders,shop.*,*.audit_?)\n"
          "      --where COND    with --tables: only the rows where the SQL condition\n"
          "                      COND holds ('created >= \"2026-01-01\"'), in each table\n"
          "      --wait [D]      with --tables: follow the snapshot until it is done,\n"
          "                      failed or cancelled, for at most D (30s, 5m, 1h; no D:\n"
          "                      as long as it takes), printing each table's progress\n"
          "                      (chunks, rows read, rows acknowledged by Kafka) at most\n"
          "                      once a second when it changes; an unreachable daemon is\n"
          "                      asked again\n"
          "      --status [ID]   the snapshots the daemon knows (or snapshot ID): state,\n"
          "                      tables, key, chunks, rows read and acknowledged\n"
          "      --json          with --status: the daemon's JSON answer as it is\n"
          "      --cancel ID     cancel snapshot ID (what it published stays published)\n"
          "      --timeout D     how long one answer of the daemon may take, and how\n"
          "                      long a request waits for its tables to be resolved (5s)\n",
          f);
    fputs(CLIENT_ACCESS_HELP, f);
    fputs("  -h, --help          show this help\n"
          "\n"
          "Exit status:\n"
          "  0  the snapshot was accepted (with --wait: it is done); --status answered;\n"
          "     --cancel: it is cancelled\n"
          "  1  the snapshot failed or was cancelled, the daemon refused the request\n"
          "     (a bad pattern or condition, snapshots not configured, a standby\n"
          "     instance) or the cancel (an unknown ID, a snapshot that already ended),\n"
          "     or, as for binlogd gate, the daemon could not be asked or gave an\n"
          "     unexpected answer (with --wait: the last question, at the end of the\n"
          "     wait, failed so)\n"
          "  2  usage error: bad arguments, config file, or no [http] listen address in\n"
          "     FILE (nor --url)\n"
          "  3  --wait ran out while the snapshot was still pending or running\n",
          f);
}

/* One line, as cli_getopt's; the exit status. */
static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "binlogd snapshot: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "; see binlogd snapshot --help\n");
    va_end(ap);
    return EXIT_USAGE;
}

/* ---- reading the daemon's JSON ------------------------------------------ */

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* A count of a table ("rows"), or -1 when missing. */
static long long jcount(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v)) return (long long)json_integer_value(v);
    if (json_is_real(v)) return (long long)json_real_value(v);
    return -1;
}

/* A snapshot's id as text (the daemon writes a string; a number will do). */
static const char *snap_id(const json_t *s, char *buf, size_t n)
{
    json_t *v = json_object_get(s, "id");
    if (json_is_string(v)) return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    return NULL;
}

static int is_state(const json_t *s, const char *st)
{
    const char *v = jstr(s, "state");
    return v && !strcmp(v, st);
}

static int ended(const json_t *s)
{
    return is_state(s, "done") || is_state(s, "failed") || is_state(s, "cancelled");
}

/* Resolved: the daemon has matched the patterns to tables (or given up). */
static int resolved(const json_t *s)
{
    return json_array_size(json_object_get(s, "tables")) > 0 || !is_state(s, "pending");
}

/* What the daemon said was wrong: the "error" of its JSON, else the first
 * line of its answer. */
static void why(const client_answer *a, bd_buf *out)
{
    const char *e = a->json ? jstr(a->json, "error") : NULL;
    if (e) {
        bd_buf_adds(out, e);
    } else {
        int l;
        const char *line = client_answer_line(a, &l);
        bd_buf_add(out, line, (size_t)l);
    }
}

/* "binlogd snapshot: URL: the daemon answered HTTP N: WHY", as gate says it. */
static void unexpected(const char *url, const client_answer *a, const char *hint)
{
    bd_buf w = BD_BUF_INIT;
    why(a, &w);
    fprintf(stderr, "binlogd snapshot: %s: the daemon answered HTTP %ld%s%s%s\n", url, a->status,
            w.len ? ": " : "", w.ptr, hint ? hint : "");
    bd_buf_release(&w);
}

/* A 404 or 405 of a daemon that predates snapshots. */
static const char *old_daemon_hint(long status)
{
    return status == 404 || status == 405
               ? " (does the running daemon take snapshots? one older than this command does not)"
               : NULL;
}

/* ---- lines -------------------------------------------------------------- */

/* "id" or "a, b": a table's key columns. */
static void key_text(const json_t *t, const char *sep, bd_buf *out)
{
    json_t *k = json_object_get(t, "key"), *c;
    size_t i;
    json_array_foreach(k, i, c)
    {
        const char *name = json_string_value(c);
        bd_buf_addf(out, "%s%s", i ? sep : "", name ? name : "?");
    }
}

static void add_count(bd_buf *b, long long n, const char *one, const char *many)
{
    if (n < 0)
        bd_buf_addf(b, "? %s", many);
    else
        bd_buf_addf(b, "%lld %s", n, n == 1 ? one : many);
}

/* "shop.orders: running, 12 chunks, 120000 rows read, 110000 acknowledged"
 * (and ": ERROR" when the table has one). */
static void progress_line(const json_t *t, bd_buf *out)
{
    const char *tn = jstr(t, "table"), *st = jstr(t, "state"), *err = jstr(t, "error");
    bd_buf_reset(out);
    bd_buf_addf(out, "%s: %s, ", tn ? tn : "?", st ? st : "?");
    add_count(out, jcount(t, "chunks"), "chunk", "chunks");
    bd_buf_adds(out, ", ");
    add_count(out, jcount(t, "rows"), "row read", "rows read");
    long long acked = jcount(t, "rows_acked");
    if (acked < 0)
        bd_buf_adds(out, ", ? acknowledged");
    else
        bd_buf_addf(out, ", %lld acknowledged", acked);
    if (err) bd_buf_addf(out, ": %s", err);
}

/* What a request got, a line per table: "shop.orders: snapshot 3 accepted,
 * chunked by PRIMARY (id)" ("key (id)" when the daemon does not name the
 * index), or the table's own failure. */
static void print_accepted(const json_t *s, const char *id)
{
    json_t *tables = json_object_get(s, "tables"), *t;
    size_t i;
    bd_buf k = BD_BUF_INIT;
    json_array_foreach(tables, i, t)
    {
        const char *tn = jstr(t, "table"), *err = jstr(t, "error");
        if (is_state(t, "failed")) {
            printf("%s: snapshot %s failed%s%s\n", tn ? tn : "?", id, err ? ": " : "",
                   err ? err : "");
            continue;
        }
        bd_buf_reset(&k);
        key_text(t, ", ", &k);
        const char *kn = jstr(t, "key_name");
        printf("%s: snapshot %s accepted", tn ? tn : "?", id);
        if (k.len) printf(", chunked by %s (%s)", kn && kn[0] ? kn : "key", k.ptr);
        printf("\n");
    }
    bd_buf_release(&k);
}

/* The progress lines printed last, per table, so that only changes print. */
typedef struct seen {
    size_t n, cap;
    char **table, **line;
} seen;

static void seen_release(seen *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->table[i]);
        free(p->line[i]);
    }
    free(p->table);
    free(p->line);
    memset(p, 0, sizeof *p);
}

/* The slot of table tn (added when new), or -1 out of memory. */
static long seen_slot(seen *p, const char *tn)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->table[i], tn)) return (long)i;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        char **t = realloc(p->table, cap * sizeof *t);
        if (!t) return -1;
        p->table = t;
        char **l = realloc(p->line, cap * sizeof *l);
        if (!l) return -1;
        p->line = l;
        p->cap = cap;
    }
    char *name = strdup(tn), *line = strdup("");
    if (!name || !line) {
        free(name);
        free(line);
        return -1;
    }
    p->table[p->n] = name;
    p->line[p->n] = line;
    return (long)p->n++;
}

/* Each table's progress line: printed when it differs from the one last
 * printed (print 0: only remembered, as the baseline).  How many printed. */
static int progress(const json_t *s, seen *p, int print)
{
    json_t *tables = json_object_get(s, "tables"), *t;
    size_t i;
    int printed = 0;
    bd_buf line = BD_BUF_INIT;
    json_array_foreach(tables, i, t)
    {
        const char *tn = jstr(t, "table");
        long slot = seen_slot(p, tn ? tn : "?");
        progress_line(t, &line);
        if (slot < 0 || bd_buf_failed(&line)) continue; /* out of memory: no line */
        if (!strcmp(p->line[slot], line.ptr)) continue;
        char *copy = strdup(line.ptr);
        if (!copy) continue;
        free(p->line[slot]);
        p->line[slot] = copy;
        if (print) {
            printf("%s\n", line.ptr);
            printed++;
        }
    }
    bd_buf_release(&line);
    if (printed) fflush(stdout);
    return printed;
}

/* The rows acknowledged in all tables of s. */
static long long total_acked(const json_t *s, size_t *ntables)
{
    json_t *tables = json_object_get(s, "tables"), *t;
    size_t i;
    long long sum = 0;
    *ntables = json_array_size(tables);
    json_array_foreach(tables, i, t)
    {
        long long a = jcount(t, "rows_acked");
        if (a > 0) sum += a;
    }
    return sum;
}

/* ---- a request ---------------------------------------------------------- */

typedef struct req_opts {
    const char *tables, *where;
    int waiting;    /* --wait */
    double wait_s;  /* its duration; 0: as long as it takes */
    double timeout; /* --timeout, seconds */
} req_opts;

/* A question's time limit: --timeout, but not much past deadline. */
static long ask_ms(double timeout, double deadline)
{
    double left = deadline - client_now(), t = timeout;
    if (left < t) t = left < 0.2 ? 0.2 : left;
    return (long)(t * 1000);
}

/* The end of a request: s ended (done, failed, cancelled); following: its
 * progress lines were printed (the last ones are, then), else the tables'
 * errors are told here.  The exit status. */
static int report_end(const json_t *s, const char *id, seen *p, int following)
{
    const char *err = jstr(s, "error");
    if (following) {
        progress(s, p, 1);
    } else if (is_state(s, "failed")) {
        /* failed before it was accepted: the tables' own errors */
        json_t *tables = json_object_get(s, "tables"), *t;
        size_t i;
        json_array_foreach(tables, i, t)
        {
            const char *te = jstr(t, "error"), *tn = jstr(t, "table");
            if (te) fprintf(stderr, "binlogd snapshot: %s: %s\n", tn ? tn : "?", te);
        }
    }
    if (is_state(s, "done")) {
        size_t nt;
        long long acked = total_acked(s, &nt);
        printf("snapshot %s done: %lld rows acknowledged in %zu table%s\n", id, acked, nt,
               nt == 1 ? "" : "s");
        return EXIT_OK;
    }
    if (is_state(s, "failed")) {
        fprintf(stderr, "binlogd snapshot: snapshot %s failed%s%s\n", id, err ? ": " : "",
                err ? err : "");
        return EXIT_FAILED;
    }
    fprintf(stderr, "binlogd snapshot: snapshot %s was cancelled%s%s\n", id, err ? ": " : "",
            err ? err : "");
    return EXIT_FAILED;
}

/* Ask for the snapshot, wait for its tables, and with --wait follow it to
 * its end.  The exit status. */
static int run_request(client *cl, const char *base, const req_opts *o)
{
    char url[8192], id_buf[32];
    char *tesc = curl_easy_escape(cl->e, o->tables, 0);
    char *wesc = o->where ? curl_easy_escape(cl->e, o->where, 0) : NULL;
    if (!tesc || (o->where && !wesc)) {
        curl_free(tesc);
        curl_free(wesc);
        fprintf(stderr, "binlogd snapshot: out of memory\n");
        return EXIT_FAILED;
    }
    int n = snprintf(url, sizeof url, "%s/snapshot?tables=%s%s%s", base, tesc,
                     wesc ? "&where=" : "", wesc ? wesc : "");
    curl_free(tesc);
    curl_free(wesc);
    if (n < 0 || (size_t)n >= sizeof url) {
        fprintf(stderr,
                "binlogd snapshot: --tables and --where make a URL longer than %zu "
                "bytes\n",
                sizeof url - 1);
        return EXIT_USAGE;
    }

    client_answer a = CLIENT_ANSWER_INIT;
    bd_buf w = BD_BUF_INIT;
    seen p = {0};
    json_t *s = NULL;
    int rc = EXIT_FAILED;
    double t0 = client_now();
    client_ask(cl, "POST", url, ask_ms(o->timeout, t0 + o->timeout), &a);
    if (!a.reached) {
        fprintf(stderr, "binlogd snapshot: %s\n", a.err);
        goto out;
    }
    if (a.status == 400 || a.status == 503) {
        why(&a, &w);
        fprintf(stderr, "binlogd snapshot: %s (HTTP %ld): %s\n",
                a.status == 400 ? "the daemon refused the request"
                                : "the daemon cannot take snapshots now",
                a.status, w.ptr);
        goto out;
    }
    if (a.status / 100 != 2) {
        unexpected(url, &a, old_daemon_hint(a.status));
        goto out;
    }
    const char *id = a.json ? snap_id(a.json, id_buf, sizeof id_buf) : NULL;
    if (!id || !id[0] || strlen(id) > 64) {
        fprintf(stderr, "binlogd snapshot: %s: the daemon's answer (HTTP %ld) names no snapshot\n",
                url, a.status);
        goto out;
    }
    char id_copy[72];
    snprintf(id_copy, sizeof id_copy, "%s", id);
    id = id_copy;
    s = json_incref(a.json);

    char *iesc = curl_easy_escape(cl->e, id, 0);
    if (!iesc) {
        fprintf(stderr, "binlogd snapshot: out of memory\n");
        goto out;
    }
    snprintf(url, sizeof url, "%s/snapshot/%s", base, iesc);
    curl_free(iesc);

    /* Follow it: until its tables are resolved (at most --timeout), or with
     * --wait until it ends (at most D).  A question that fails is asked
     * again; the last one decides. */
    double resolve_end = t0 + o->timeout, wait_end = !o->waiting     ? 0
                                                     : o->wait_s > 0 ? t0 + o->wait_s
                                                                     : INFINITY;
    int accepted = 0, told = 0, failing = 0;
    double printed_at = -INFINITY;
    for (;;) {
        if (!failing) {
            if (!accepted && resolved(s) && !is_state(s, "failed")) {
                print_accepted(s, id);
                progress(s, &p, 0);
                fflush(stdout);
                accepted = 1;
            }
            if (ended(s)) {
                rc = report_end(s, id, &p, o->waiting && accepted);
                goto out;
            }
            if (accepted && !o->waiting) {
                rc = EXIT_OK;
                goto out;
            }
            if (accepted && client_now() - printed_at >= PROGRESS_EVERY_S && progress(s, &p, 1))
                printed_at = client_now();
        }
        double end = o->waiting ? wait_end : resolve_end, now = client_now();
        if (now >= end) break;
        double pause = accepted ? WAIT_POLL_S : RESOLVE_POLL_S;
        client_sleep(end - now < pause ? end - now : pause);
        client_ask(cl, "GET", url, ask_ms(o->timeout, end), &a);
        failing = !a.reached || (a.status != 200 && a.status != 404) || !a.json;
        if (a.reached && a.status == 404) {
            bd_buf_reset(&w);
            why(&a, &w);
            fprintf(stderr,
                    "binlogd snapshot: snapshot %s is gone from the daemon (HTTP 404: %s); "
                    "did it restart?\n",
                    id, w.ptr);
            goto out;
        }
        if (failing) {
            bd_buf_reset(&w);
            if (!a.reached) {
                bd_buf_adds(&w, a.err);
            } else if (a.status == 200) {
                bd_buf_addf(&w, "%s: the daemon's answer is not JSON", url);
            } else {
                bd_buf_addf(&w, "%s: the daemon answered HTTP %ld: ", url, a.status);
                why(&a, &w);
            }
            if (!told) {
                fprintf(stderr, "binlogd snapshot: %s; asking again\n", w.ptr);
                told = 1;
            }
            continue;
        }
        told = 0;
        json_decref(s);
        s = json_incref(a.json);
    }

    /* the time ran out */
    if (failing) {
        fprintf(stderr,
                "binlogd snapshot: snapshot %s was accepted, but then: %s (the last "
                "question, at the end of the %s)\n",
                id, w.ptr, o->waiting ? "wait" : "timeout");
        rc = EXIT_FAILED;
    } else if (!o->waiting) {
        printf("snapshot %s accepted; the daemon has not resolved its tables yet (binlogd "
               "snapshot --status %s tells more later)\n",
               id, id);
        rc = EXIT_OK;
    } else {
        progress(s, &p, 1);
        const char *st = jstr(s, "state");
        fprintf(stderr,
                "binlogd snapshot: snapshot %s still %s at the end of the wait (it goes on; "
                "binlogd snapshot --cancel %s stops it)\n",
                id, st ? st : "running", id);
        rc = EXIT_RUNNING;
    }
out:
    json_decref(s);
    client_answer_release(&a);
    bd_buf_release(&w);
    seen_release(&p);
    return rc;
}

/* ---- --status, --cancel ------------------------------------------------- */

/* Its tables as a table: a line per table, columns padded (numbers to
 * the right), the error column only when a table has one. */
#define NCOLS 7
static void print_tables(const json_t *s)
{
    static const char *const head[NCOLS] = {"TABLE", "STATE", "KEY",  "CHUNKS",
                                            "ROWS",  "ACKED", "ERROR"};
    static const int right[NCOLS] = {0, 0, 0, 1, 1, 1, 0};
    static const char *const counts[3] = {"chunks", "rows", "rows_acked"};
    json_t *tables = json_object_get(s, "tables"), *t;
    size_t nt = json_array_size(tables), i;
    if (!nt) {
        printf("  (%s)\n",
               is_state(s, "pending") ? "its tables are not resolved yet" : "no tables");
        return;
    }
    bd_buf *cells = calloc((nt + 1) * NCOLS, sizeof *cells);
    if (!cells) return;
    for (i = 0; i < (nt + 1) * NCOLS; i++)
        bd_buf_init(&cells[i]);
    size_t width[NCOLS] = {0};
    int ncols = NCOLS - 1;
    for (int c = 0; c < NCOLS; c++)
        bd_buf_adds(&cells[c], head[c]);
    json_array_foreach(tables, i, t)
    {
        bd_buf *row = &cells[(i + 1) * NCOLS];
        const char *tn = jstr(t, "table"), *st = jstr(t, "state"), *err = jstr(t, "error");
        bd_buf_adds(&row[0], tn ? tn : "?");
        bd_buf_adds(&row[1], st ? st : "?");
        key_text(t, ",", &row[2]);
        if (!row[2].len) bd_buf_adds(&row[2], "-");
        for (int c = 0; c < 3; c++) {
            long long v = jcount(t, counts[c]);
            if (v < 0)
                bd_buf_adds(&row[3 + c], "-");
            else
                bd_buf_addf(&row[3 + c], "%lld", v);
        }
        if (err) {
            bd_buf_adds(&row[6], err);
            ncols = NCOLS;
        }
    }
    for (i = 0; i <= nt; i++)
        for (int c = 0; c < ncols; c++)
            if (cells[i * NCOLS + c].len > width[c]) width[c] = cells[i * NCOLS + c].len;
    for (i = 0; i <= nt; i++) {
        for (int c = 0; c < ncols; c++) {
            const char *v = cells[i * NCOLS + c].ptr;
            if (right[c])
                printf("  %*s", (int)width[c], v);
            else if (c == ncols - 1)
                printf("%s%s", v[0] ? "  " : "", v); /* nothing after it to line up */
            else
                printf("  %-*s", (int)width[c], v);
        }
        printf("\n");
    }
    for (i = 0; i < (nt + 1) * NCOLS; i++)
        bd_buf_release(&cells[i]);
    free(cells);
}

/* "snapshot 3: running; tables shop.*; where ...; created ...; finished
 * ...", its error, its tables. */
static void print_snapshot(const json_t *s)
{
    char id_buf[32];
    const char *id = snap_id(s, id_buf, sizeof id_buf), *st = jstr(s, "state"),
               *req = jstr(s, "requested"), *where = jstr(s, "where"),
               *created = jstr(s, "created"), *fin = jstr(s, "finished"), *err = jstr(s, "error");
    printf("snapshot %s: %s", id ? id : "?", st ? st : "?");
    if (req) printf("; tables %s", req);
    if (where) printf("; where %s", where);
    if (created) printf("; created %s", created);
    if (fin) printf("; finished %s", fin);
    printf("\n");
    if (err) printf("  error: %s\n", err);
    print_tables(s);
}

static int print_status(const client_answer *a, const char *id)
{
    if (id) {
        print_snapshot(a->json);
        return EXIT_OK;
    }
    json_t *list = json_object_get(a->json, "snapshots"), *s;
    json_t *paused = json_object_get(a->json, "paused"),
           *lag = json_object_get(a->json, "max_lag_s");
    const char *reason = jstr(a->json, "pause_reason");
    /* "paused: yes (REASON); chunks pause while the lag is above 5.0 s" */
    if (json_is_boolean(paused) || json_is_number(lag)) {
        if (json_is_boolean(paused))
            printf("paused: %s%s%s%s", json_is_true(paused) ? "yes" : "no", reason ? " (" : "",
                   reason ? reason : "", reason ? ")" : "");
        if (json_is_number(lag))
            printf("%schunks pause while the lag is above %.1f s",
                   json_is_boolean(paused) ? "; " : "", json_number_value(lag));
        printf("\n");
    }
    if (!json_is_array(list)) {
        fprintf(stderr, "binlogd snapshot: the daemon's answer has no list of snapshots\n");
        return EXIT_FAILED;
    }
    if (!json_array_size(list)) printf("no snapshots\n");
    size_t i;
    json_array_foreach(list, i, s) print_snapshot(s);
    return EXIT_OK;
}

/* --status [ID] [--json], or --cancel ID.  The exit status. */
static int run_ask(client *cl, const char *base, const char *status_id, const char *cancel_id,
                   int as_json, double timeout)
{
    const char *id = cancel_id ? cancel_id : status_id;
    char url[1024];
    char *iesc = id ? curl_easy_escape(cl->e, id, 0) : NULL;
    if (id && !iesc) {
        fprintf(stderr, "binlogd snapshot: out of memory\n");
        return EXIT_FAILED;
    }
    snprintf(url, sizeof url, "%s/snapshot%s%s%s", base, id ? "/" : "", id ? iesc : "",
             cancel_id ? "/cancel" : "");
    curl_free(iesc);
    client_answer a = CLIENT_ANSWER_INIT;
    bd_buf w = BD_BUF_INIT;
    int rc = EXIT_FAILED;
    client_ask(cl, cancel_id ? "POST" : "GET", url, (long)(timeout * 1000), &a);
    if (!a.reached) {
        fprintf(stderr, "binlogd snapshot: %s\n", a.err);
        goto out;
    }
    if (id && (a.status == 404 || (cancel_id && a.status == 409))) {
        why(&a, &w);
        if (a.status == 404)
            fprintf(stderr, "binlogd snapshot: no snapshot %s (HTTP 404: %s)\n", id, w.ptr);
        else
            fprintf(stderr, "binlogd snapshot: snapshot %s has already ended (HTTP 409: %s)\n", id,
                    w.ptr);
        goto out;
    }
    if (a.status != 200) {
        unexpected(url, &a, id ? NULL : old_daemon_hint(a.status));
        goto out;
    }
    if (!a.json) {
        fprintf(stderr, "binlogd snapshot: %s: the daemon's answer is not JSON\n", url);
        goto out;
    }
    if (as_json) {
        fwrite(a.body.ptr, 1, a.body.len, stdout);
        if (!a.body.len || a.body.ptr[a.body.len - 1] != '\n') putchar('\n');
        rc = EXIT_OK;
    } else if (cancel_id) {
        seen p = {0};
        char id_buf[32];
        const char *sid = snap_id(a.json, id_buf, sizeof id_buf);
        const char *st = jstr(a.json, "state");
        printf("snapshot %s %s\n", sid ? sid : cancel_id,
               st && strcmp(st, "cancelled") ? st : "cancelled");
        progress(a.json, &p, 1);
        seen_release(&p);
        rc = EXIT_OK;
    } else {
        rc = print_status(&a, status_id);
    }
out:
    client_answer_release(&a);
    bd_buf_release(&w);
    return rc;
}

/* ---- arguments ---------------------------------------------------------- */

enum { O_TABLES = 0x100, O_WHERE, O_WAIT, O_STATUS, O_JSON, O_CANCEL, O_TIMEOUT };

/* A snapshot id as --status lists them: letters, digits, '-', '_', '.'. */
static int good_id(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= 64 &&
           strspn(s, "0123456789abcdefghijklmnopqrstuvwxyz"
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.") == n;
}

/* The value of an option whose value is optional (--wait [D], --status
 * [ID]): after '=', or the next argument when it is not an option. */
static const char *optional_value(int argc, char **argv)
{
    if (optarg) return optarg;
    if (optind < argc && argv[optind][0] != '-') return argv[optind++];
    return NULL;
}

int cmd_snapshot(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"config", required_argument, NULL, 'c'},
        {"tables", required_argument, NULL, O_TABLES},
        {"where", required_argument, NULL, O_WHERE},
        {"wait", optional_argument, NULL, O_WAIT},
        {"status", optional_argument, NULL, O_STATUS},
        {"json", no_argument, NULL, O_JSON},
        {"cancel", required_argument, NULL, O_CANCEL},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        CLIENT_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    const char *cfg_path = NULL, *v;
    client_args ca = {0};
    req_opts ro = {NULL, NULL, 0, 0, TIMEOUT_S};
    const char *status_id = NULL, *cancel_id = NULL;
    int status = 0, as_json = 0, c;
    optind = 1;
    /* '+': no argument is an operand, so none is moved; an optional value
     * may then be the next argument */
    while ((c = cli_getopt("snapshot", argc, argv, "+hc:", opts)) != -1) {
        if (client_option(&ca, c, optarg)) continue;
        switch (c) {
        case 'h': snapshot_usage(stdout); return EXIT_OK;
        case 'c': cfg_path = optarg; break;
        case O_TABLES:
            if (!optarg[0] || optarg[strspn(optarg, ", ")] == '\0')
                return usage_error("--tables wants comma-separated db.table patterns "
                                   "(shop.orders,shop.*), not '%s'",
                                   optarg);
            ro.tables = optarg;
            break;
        case O_WHERE:
            if (!optarg[0]) return usage_error("--where wants an SQL condition");
            ro.where = optarg;
            break;
        case O_WAIT:
            ro.waiting = 1;
            if ((v = optional_value(argc, argv)) &&
                (client_parse_duration(v, &ro.wait_s) < 0 || ro.wait_s <= 0))
                return usage_error("--wait wants a duration such as 30s, 5m, 1h or 500ms (up to "
                                   "a week), or none, not '%s'",
                                   v);
            break;
        case O_STATUS:
            status = 1;
            if ((v = optional_value(argc, argv)) && !good_id(v))
                return usage_error("--status wants a snapshot's id (as --status lists them), "
                                   "not '%s'",
                                   v);
            status_id = v;
            break;
        case O_JSON: as_json = 1; break;
        case O_CANCEL:
            if (!good_id(optarg))
                return usage_error("--cancel wants a snapshot's id (as --status lists them), "
                                   "not '%s'",
                                   optarg);
            cancel_id = optarg;
            break;
        case O_TIMEOUT:
            if (client_parse_duration(optarg, &ro.timeout) < 0 || ro.timeout < 0.01)
                return usage_error("--timeout wants a duration such as 5s, 1m or 500ms (10ms or "
                                   "more), not '%s'",
                                   optarg);
            break;
        default: return EXIT_USAGE; /* cli_getopt said why */
        }
    }
    if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
    if (ro.tables && status) return usage_error("--tables and --status do not go together");
    if (ro.tables && cancel_id) return usage_error("--tables and --cancel do not go together");
    if (status && cancel_id) return usage_error("--status and --cancel do not go together");
    if (!ro.tables && !status && !cancel_id)
        return usage_error("give --tables PATTERNS to request a snapshot, --status to list them "
                           "or --cancel ID");
    if (!ro.tables && ro.where) return usage_error("--where goes with --tables");
    if (!ro.tables && ro.waiting) return usage_error("--wait goes with --tables");
    if (!status && as_json) return usage_error("--json goes with --status");
    if (!cfg_path && !ca.url)
        return usage_error("give the daemon's config file with -c FILE, or its address with "
                           "--url http://HOST:PORT");
    char base[192];
    if (ca.url && client_url_base(ca.url, base, sizeof base) < 0)
        return usage_error("--url wants the daemon's address, http://HOST:PORT (as its [http] "
                           "listen says), not '%s'",
                           ca.url);

    bd_config cfg;
    memset(&cfg, 0, sizeof cfg);
    bd_err err = {0};
    if (cfg_path && bd_config_load_gates(&cfg, cfg_path, &err) < 0) {
        fprintf(stderr, "binlogd snapshot: %s\n", err.msg);
        return EXIT_USAGE;
    }
    int rc = EXIT_USAGE;
    client cl;
    memset(&cl, 0, sizeof cl);
    if (!ca.url &&
        client_listen_base("snapshot", cfg_path, &cfg, "snapshot requests", base, sizeof base) < 0)
        goto out;
    rc = EXIT_FAILED;
    if (client_init(&cl, "snapshot") < 0) goto out;
    rc = EXIT_USAGE;
    if (client_access(&cl, &ca, &cfg) < 0) goto out;
    rc = EXIT_FAILED;
    if (client_open(&cl, "binlogd-snapshot") < 0) goto out;
    if (ro.tables)
        rc = run_request(&cl, base, &ro);
    else
        rc = run_ask(&cl, base, status_id, cancel_id, as_json, ro.timeout);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "binlogd snapshot: writing to stdout failed\n");
        rc = EXIT_FAILED;
    }
out:
    client_release(&cl);
    bd_config_release(&cfg);
    return rc;
}
