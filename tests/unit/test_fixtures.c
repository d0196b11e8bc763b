/* test_fixtures.c - every shared binlog fixture through the library, checked
 * against what the fixtures' ORIGINS say (never against our own earlier output).
 *
 * Each file is decoded with bd_decoder + bd_source_file_run; a recording
 * callback keeps every event and row change (values as bd_encode_value
 * writes them) and forwards them to bd_sink_stdout writing into an
 * open_memstream FILE, whose JSON lines are then parsed with jansson (that is
 * where "last" and "xid" come from).
 *
 * The expectations come from, per fixture folder:
 *  - positive.txt / negative.tsv / PROVENANCE.md: which files must decode and
 *    how the others must fail;
 *  - MANIFEST.md: the event histogram of every file (top level and inside
 *    TRANSACTION_PAYLOAD), the server version and checksum mode of the FDEs,
 *    and the percona-binlog-server statements summary;
 *  - mysqlbinlog text output shipped next to a binlog (mysql-cdc-rs dump.txt,
 *    mysql_binlog_utils *-result, percona-toolkit relay-binlog001-at-1708.txt):
 *    positions, end_log_pos, server ids, type bytes, timestamps, flags, xids,
 *    GTIDs, GTID sets, rotate targets, INTVAR/RAND values, commit timestamps
 *    and the "### INSERT/UPDATE/DELETE" row images;
 *  - SHOW BINLOG EVENTS transcripts (mysql-cdc-rs 8.0 show.txt, UTF-16LE);
 *  - rust_mysql_common/EXPECTED.md (values asserted by that crate's tests);
 *  - mysql-binlog-connector-java/mysql-bin.compressed.expected.txt;
 *  - mysql-cdc-rs' own tests (5.7/31_update_rows_v2 values, 8.0 int_table)
 *    and its 8.0 sql.sql transcripts (UTF-16LE);
 *  - rust_mysql_common/binlog_old_versions.result (MySQL's own test result);
 *  - the Sakila sample database's documented row counts, for the gzipped
 *    Sakila load.
 * Where an origin's representation of a value differs from docs/format.md
 * (text formats, base64 vs bytes), docs/format.md decides; each such place
 * says so in a comment.
 */
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "binlogd/buf.h"
#include "binlogd/decoder.h"
#include "binlogd/encode.h"
#include "binlogd/error.h"
#include "binlogd/event.h"
#include "binlogd/sink_stdout.h"
#include "binlogd/source_file.h"
#include "testutil.h"

#define BIN FIXTURES "/binlog/"
#define UTF8_TIMES "\xc3\x97" /* U+00D7, used in MANIFEST.md histograms */

/* ======================================================================
 * small helpers
 * ====================================================================== */

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) abort();
    return q;
}
static char *xstrndup(const char *p, size_t n)
{
    char *s = xrealloc(NULL, n + 1);
    memcpy(s, p, n);
    s[n] = 0;
    return s;
}
static char *xstrdup(const char *p) { return xstrndup(p, strlen(p)); }
static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Whole file, NUL-terminated; NULL if it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *p = xrealloc(NULL, cap);
    for (;;) {
        if (cap - n < 4096) p = xrealloc(p, cap *= 2);
        size_t k = fread(p + n, 1, cap - n - 1, f);
        if (k == 0) break;
        n += k;
    }
    fclose(f);
    p[n] = 0;
    if (len) *len = n;
    return p;
}

/* A companion text file as UTF-8 without CRs: the mysql-cdc-rs 8.0 ones are
 * UTF-16LE with a BOM and CRLF line ends (MANIFEST.md). */
static char *load_text(const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, BIN "%s", rel);
    size_t n;
    unsigned char *p = (unsigned char *)slurp(path, &n);
    ck_assert_msg(p != NULL, "companion file missing: %s", path);
    char *o = xrealloc(NULL, n * 2 + 1);
    size_t k = 0;
    if (n >= 2 && p[0] == 0xff && p[1] == 0xfe) {
        for (size_t i = 2; i + 1 < n; i += 2) {
            uint32_t c = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
            if (c >= 0xd800 && c < 0xdc00 && i + 3 < n) {
                uint32_t lo = (uint32_t)p[i + 2] | (uint32_t)p[i + 3] << 8;
                if (lo >= 0xdc00 && lo < 0xe000) {
                    c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                    i += 2;
                }
            }
            if (c == '\r') continue;
            if (c < 0x80) {
                o[k++] = (char)c;
            } else if (c < 0x800) {
                o[k++] = (char)(0xc0 | c >> 6);
                o[k++] = (char)(0x80 | (c & 0x3f));
            } else if (c < 0x10000) {
                o[k++] = (char)(0xe0 | c >> 12);
                o[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
                o[k++] = (char)(0x80 | (c & 0x3f));
            } else {
                o[k++] = (char)(0xf0 | c >> 18);
                o[k++] = (char)(0x80 | ((c >> 12) & 0x3f));
                o[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
                o[k++] = (char)(0x80 | (c & 0x3f));
            }
        }
    } else {
        for (size_t i = 0; i < n; i++)
            if (p[i] != '\r') o[k++] = (char)p[i];
    }
    o[k] = 0;
    free(p);
    return o;
}

/* Split text into lines in place; returns an array of n line pointers. */
static char **split_lines(char *t, size_t *n)
{
    size_t cap = 256, k = 0;
    char **v = xrealloc(NULL, cap * sizeof *v);
    char *p = t;
    while (*p) {
        if (k == cap) v = xrealloc(v, (cap *= 2) * sizeof *v);
        v[k++] = p;
        char *nl = strchr(p, '\n');
        if (!nl) break;
        *nl = 0;
        p = nl + 1;
    }
    *n = k;
    return v;
}

/* MySQL's event type numbers by the names used in MANIFEST.md (written from
 * MySQL's binlog_event.h / MariaDB's log_event.h, not from our headers). */
static const struct {
    const char *name;
    int type;
} type_names[] = {
    {"START_V3", 1},
    {"QUERY", 2},
    {"STOP", 3},
    {"ROTATE", 4},
    {"INTVAR", 5},
    {"LOAD", 6},
    {"SLAVE", 7},
    {"CREATE_FILE", 8},
    {"APPEND_BLOCK", 9},
    {"EXEC_LOAD", 10},
    {"DELETE_FILE", 11},
    {"NEW_LOAD", 12},
    {"RAND", 13},
    {"USER_VAR", 14},
    {"FORMAT_DESCRIPTION", 15},
    {"XID", 16},
    {"BEGIN_LOAD_QUERY", 17},
    {"EXECUTE_LOAD_QUERY", 18},
    {"TABLE_MAP", 19},
    {"PRE_GA_WRITE_ROWS", 20},
    {"PRE_GA_UPDATE_ROWS", 21},
    {"PRE_GA_DELETE_ROWS", 22},
    {"WRITE_ROWS_V1", 23},
    {"UPDATE_ROWS_V1", 24},
    {"DELETE_ROWS_V1", 25},
    {"INCIDENT", 26},
    {"HEARTBEAT", 27},
    {"IGNORABLE", 28},
    {"ROWS_QUERY", 29},
    {"WRITE_ROWS_V2", 30},
    {"UPDATE_ROWS_V2", 31},
    {"DELETE_ROWS_V2", 32},
    {"GTID", 33},
    {"ANONYMOUS_GTID", 34},
    {"PREVIOUS_GTIDS", 35},
    {"TRANSACTION_CONTEXT", 36},
    {"VIEW_CHANGE", 37},
    {"XA_PREPARE", 38},
    {"PARTIAL_UPDATE_ROWS", 39},
    {"TRANSACTION_PAYLOAD", 40},
    {"HEARTBEAT_V2", 41},
    {"GTID_TAGGED", 42},
    {"MARIA_ANNOTATE_ROWS", 160},
    {"MARIA_BINLOG_CHECKPOINT", 161},
    {"MARIA_GTID", 162},
    {"MARIA_GTID_LIST", 163},
    {"MARIA_START_ENCRYPTION", 164},
};

static int type_by_name(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (strlen(type_names[i].name) == n && memcmp(type_names[i].name, name, n) == 0)
            return type_names[i].type;
    if (n > 5 && memcmp(name, "TYPE_", 5) == 0) return atoi(name + 5);
    return -1;
}

/* ======================================================================
 * recording harness
 * ====================================================================== */

typedef struct rev {
    uint8_t type;
    uint64_t pos;
    uint32_t inner;
    uint32_t size, log_pos, server_id, ts;
    uint16_t flags;
    size_t raw_len;
    int has_xid;
    uint64_t xid;
    int begins, ends;
    int is_rotate;
    char *next_file;
    uint64_t next_pos;
    json_t *detail; /* the decoded fields, as an object; NULL if not JSON */
} rev;

typedef struct rrow {
    char op;
    char *db, *table;
    uint64_t pos;
    uint32_t inner, row_index;
    uint32_t ncols;
    json_t **bv, **av; /* per column, NULL = absent; the arrays NULL for no image */
    char **btx, **atx; /* the same values as bd_encode_value wrote them */
    json_t *tdesc;     /* what the TABLE_MAP told, see table_desc() */
    json_t *line;      /* the sink's JSON line for this row */
} rrow;

/* what to keep / check beyond the events and the row list */
enum { KEEP_VALUES = 1, KEEP_TABLES = 2, CHECK_FORMAT = 4 };

typedef struct run {
    char name[256];
    enum bd_file_result rc;
    bd_err err;
    int keep;
    rev *ev;
    size_t nev, cev;
    rrow *rows;
    size_t nrows, crows;
    bd_sink_stdout sink;
    FILE *mem;
    char *out;
    size_t outlen;
    int sink_fail;
    /* problems found while recording (asserted by the tests, not in callbacks) */
    size_t bad_values, bad_details, bad_lines, dup_lines, undoc_lines;
    char *bad_msg, *dup_msg, *undoc_msg;
    size_t row_lines, event_lines;
} run;

/* Runs are freed by the fixture teardown, so a failing assertion (which
 * longjmps out of the test under CK_FORK=no) does not leak them. */
#define MAX_RUNS 16
static run *g_runs[MAX_RUNS];
static size_t g_nruns;

static void note_first(char **slot, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_first(char **slot, const char *fmt, ...)
{
    if (*slot) return;
    char b[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    *slot = xstrdup(b);
}

static json_t *parse_any(const char *s, size_t n)
{
    json_error_t je;
    json_t *v = json_loadb(s, n, JSON_DECODE_ANY, &je);
    /* jansson's integers are long long: BIGINT UNSIGNED above 2^63 is still
     * valid JSON, so read it as a real to check the syntax */
    if (!v) v = json_loadb(s, n, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &je);
    return v;
}

static json_t *table_desc(const bd_table *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "table_id", json_integer((json_int_t)t->table_id));
    json_object_set_new(o, "flags", json_integer(t->flags));
    json_t *pk = json_array();
    for (uint32_t i = 0; i < t->npk; i++)
        json_array_append_new(pk, json_integer(t->pk[i]));
    json_object_set_new(o, "pk", pk);
    json_t *cols = json_array();
    for (uint32_t i = 0; i < t->ncols; i++) {
        const bd_column *c = &t->cols[i];
        json_t *cj = json_object();
        json_object_set_new(cj, "type", json_integer(c->type));
        json_object_set_new(cj, "real_type", json_integer(c->real_type));
        json_object_set_new(cj, "meta", json_integer(c->meta));
        json_object_set_new(cj, "unsigned", json_integer(c->is_unsigned));
        json_object_set_new(cj, "is_pk", json_integer(c->is_pk));
        json_object_set_new(cj, "collation", json_integer(c->collation));
        json_object_set_new(cj, "vector_dim", json_integer(c->vector_dim));
        json_object_set_new(cj, "nullable", json_integer(c->nullable));
        if (c->name.p) json_object_set_new(cj, "name", json_stringn(c->name.p, c->name.n));
        json_t *m = json_array();
        for (uint32_t k = 0; k < c->n_enum; k++)
            json_array_append_new(m, json_stringn(c->enum_vals[k].p, c->enum_vals[k].n));
        json_object_set_new(cj, "members", m);
        json_array_append_new(cols, cj);
    }
    json_object_set_new(o, "cols", cols);
    return o;
}

static int rec_on_event(void *ctx, const bd_event *e)
{
    run *r = ctx;
    if (r->nev == r->cev)
        r->ev = xrealloc(r->ev, (r->cev = r->cev ? r->cev * 2 : 256) * sizeof *r->ev);
    rev *x = &r->ev[r->nev++];
    memset(x, 0, sizeof *x);
    x->type = e->header->type;
    x->pos = e->pos.pos;
    x->inner = e->pos.inner;
    x->size = e->header->event_size;
    x->log_pos = e->header->log_pos;
    x->server_id = e->header->server_id;
    x->ts = e->header->timestamp;
    x->flags = e->header->flags;
    x->raw_len = e->raw_len;
    x->has_xid = e->has_xid;
    x->xid = e->xid;
    x->begins = e->begins_txn;
    x->ends = e->ends_txn;
    x->is_rotate = e->is_rotate;
    if (e->is_rotate) x->next_file = xstrndup(e->next_file.p ? e->next_file.p : "", e->next_file.n);
    x->next_pos = e->next_pos;
    size_t dn = e->detail ? e->detail_len : 0;
    char *t = xrealloc(NULL, dn + 3);
    t[0] = '{';
    if (dn) memcpy(t + 1, e->detail, dn);
    t[dn + 1] = '}';
    t[dn + 2] = 0;
    x->detail = parse_any(t, dn + 2);
    if (!x->detail || !json_is_object(x->detail)) {
        r->bad_details++;
        note_first(&r->bad_msg, "event at %llu: detail is not a JSON object body: %.300s",
                   (unsigned long long)x->pos, t);
    }
    free(t);
    return bd_sink_stdout_on_event(&r->sink, e);
}

static json_t **image_values(run *r, const bd_row *row, const bd_value *vals, char ***texts)
{
    *texts = NULL;
    if (!vals) return NULL;
    uint32_t n = row->table->ncols;
    json_t **v = xrealloc(NULL, (n ? n : 1) * sizeof *v);
    char **tx = xrealloc(NULL, (n ? n : 1) * sizeof *tx);
    *texts = tx;
    bd_buf b = BD_BUF_INIT;
    for (uint32_t i = 0; i < n; i++) {
        v[i] = NULL;
        tx[i] = NULL;
        if (vals[i].kind == BD_V_ABSENT) continue;
        bd_buf_reset(&b);
        bd_encode_value(&b, &vals[i]);
        tx[i] = xstrndup(b.ptr, b.len);
        v[i] = parse_any(b.ptr, b.len);
        if (!v[i]) {
            r->bad_values++;
            note_first(&r->bad_msg, "row at %llu column %u: value is not JSON: %.300s",
                       (unsigned long long)row->pos.pos, i + 1, b.ptr);
            v[i] = json_string("<invalid JSON>");
        }
    }
    bd_buf_release(&b);
    return v;
}

static int rec_on_row(void *ctx, const bd_row *row)
{
    run *r = ctx;
    if (r->nrows == r->crows)
        r->rows = xrealloc(r->rows, (r->crows = r->crows ? r->crows * 2 : 256) * sizeof *r->rows);
    rrow *w = &r->rows[r->nrows++];
    memset(w, 0, sizeof *w);
    const bd_table *t = row->table;
    w->op = row->op;
    w->db = xstrndup(t->db.p ? t->db.p : "", t->db.n);
    w->table = xstrndup(t->name.p ? t->name.p : "", t->name.n);
    w->pos = row->pos.pos;
    w->inner = row->pos.inner;
    w->row_index = row->row_index;
    w->ncols = t->ncols;
    if (r->keep & KEEP_VALUES) {
        w->bv = image_values(r, row, row->before, &w->btx);
        w->av = image_values(r, row, row->after, &w->atx);
    }
    if (r->keep & KEEP_TABLES) w->tdesc = table_desc(t);
    return bd_sink_stdout_on_row(&r->sink, row);
}

/* docs/format.md: the table of top-level keys, plus "signedness_unknown"
 * from its "Unknown character sets" paragraph */
static const char *const top_keys[] = {
    "op", "db", "table", "before", "after", "positional", "signedness_unknown", "source", NULL};
static const char *const source_keys[] = {"flavor", "server_id", "file", "pos",  "inner", "row",
                                          "gtid",   "ts_us",     "xid",  "last", NULL};
static int key_in(const char *k, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(k, *set) == 0) return 1;
    return 0;
}

/* The types docs/format.md gives the fields of a row message; NULL if the
 * message has them, else what is wrong. */
static const char *row_shape(const json_t *o)
{
    const char *op = json_string_value(json_object_get(o, "op"));
    const json_t *b = json_object_get(o, "before"), *a = json_object_get(o, "after");
    if (!op || strlen(op) != 1 || !strchr("cud", op[0])) return "op is not c, u or d";
    if (!json_is_string(json_object_get(o, "db")) || !json_is_string(json_object_get(o, "table")))
        return "db/table not strings";
    if (op[0] == 'c' && !(json_is_null(b) && json_is_object(a))) return "insert images";
    if (op[0] == 'u' && !(json_is_object(b) && json_is_object(a))) return "update images";
    if (op[0] == 'd' && !(json_is_object(b) && json_is_null(a))) return "delete images";
    const json_t *pz = json_object_get(o, "positional");
    if (pz && !json_is_true(pz)) return "positional present but not true";
    const json_t *su = json_object_get(o, "signedness_unknown");
    if (su && !json_is_true(su)) return "signedness_unknown present but not true";
    for (int k = 0; k < 2; k++) {
        const json_t *img = k ? a : b;
        const char *key;
        json_t *v;
        if (!json_is_object(img)) continue;
        json_object_foreach((json_t *)img, key, v)
        {
            if (pz && key[0] != '@') return "positional image with a named key";
        }
    }
    const json_t *s = json_object_get(o, "source");
    const char *fl = json_string_value(json_object_get(s, "flavor"));
    if (!fl || (strcmp(fl, "mysql") && strcmp(fl, "mariadb"))) return "source.flavor";
    if (!json_is_integer(json_object_get(s, "server_id")) ||
        !json_is_integer(json_object_get(s, "pos")) ||
        !json_is_integer(json_object_get(s, "row")) ||
        !json_is_integer(json_object_get(s, "ts_us")))
        return "source server_id/pos/row/ts_us not integers";
    if (!json_is_string(json_object_get(s, "file"))) return "source.file";
    const json_t *g = json_object_get(s, "gtid"), *x = json_object_get(s, "xid"),
                 *l = json_object_get(s, "last"), *in = json_object_get(s, "inner");
    if (!(json_is_string(g) || json_is_null(g))) return "source.gtid neither string nor null";
    if (!(json_is_integer(x) || json_is_null(x))) return "source.xid neither integer nor null";
    if (!json_is_boolean(l)) return "source.last not a boolean";
    if (json_is_integer(x) && !json_is_true(l)) return "an xid on a row that is not last";
    if (in && !(json_is_integer(in) && json_integer_value(in) >= 1)) return "source.inner not >= 1";
    return NULL;
}

static void parse_lines(run *r)
{
    const char *p = r->out, *end = r->out + r->outlen;
    size_t k = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        json_error_t je;
        json_t *o = json_loadb(p, n, 0, &je);
        if (!o) o = json_loadb(p, n, JSON_DECODE_INT_AS_REAL, &je);
        if (!o) {
            r->bad_lines++;
            note_first(&r->bad_msg, "output line is not JSON (%s): %.*s", je.text,
                       (int)(n < 600 ? n : 600), p);
        } else {
            if (r->keep & CHECK_FORMAT) {
                json_t *d = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &je);
                if (!d) {
                    r->dup_lines++;
                    note_first(&r->dup_msg, "%s in: %.*s", je.text, (int)(n < 300 ? n : 300), p);
                }
                json_decref(d);
            }
            if (json_object_get(o, "op") && (r->keep & CHECK_FORMAT)) {
                const char *key;
                json_t *val;
                json_object_foreach(o, key, val)
                {
                    if (!key_in(key, top_keys)) {
                        r->undoc_lines++;
                        note_first(&r->undoc_msg, "row key \"%s\" in: %.*s", key,
                                   (int)(n < 300 ? n : 300), p);
                    }
                }
                json_t *src = json_object_get(o, "source");
                json_object_foreach(src, key, val)
                {
                    if (!key_in(key, source_keys)) {
                        r->undoc_lines++;
                        note_first(&r->undoc_msg, "source key \"%s\" in: %.*s", key,
                                   (int)(n < 300 ? n : 300), p);
                    }
                }
                const char *why = row_shape(o);
                if (why) {
                    r->undoc_lines++;
                    note_first(&r->undoc_msg, "%s in: %.*s", why, (int)(n < 300 ? n : 300), p);
                }
            }
            if (json_object_get(o, "op")) {
                if (k < r->nrows && (r->keep & KEEP_VALUES)) {
                    r->rows[k].line = o;
                    o = NULL;
                }
                k++;
            } else if (json_object_get(o, "event")) {
                r->event_lines++;
            } else {
                r->bad_lines++;
                note_first(&r->bad_msg, "line with neither op nor event: %.*s",
                           (int)(n < 300 ? n : 300), p);
            }
            json_decref(o);
        }
        p += n + 1;
    }
    r->row_lines = k;
}

static void run_free(run *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->nev; i++) {
        free(r->ev[i].next_file);
        json_decref(r->ev[i].detail);
    }
    free(r->ev);
    for (size_t i = 0; i < r->nrows; i++) {
        rrow *w = &r->rows[i];
        free(w->db);
        free(w->table);
        for (uint32_t c = 0; c < w->ncols; c++) {
            if (w->bv) json_decref(w->bv[c]);
            if (w->av) json_decref(w->av[c]);
            if (w->btx) free(w->btx[c]);
            if (w->atx) free(w->atx[c]);
        }
        free(w->bv);
        free(w->av);
        free(w->btx);
        free(w->atx);
        json_decref(w->tdesc);
        json_decref(w->line);
    }
    free(r->rows);
    free(r->out);
    free(r->bad_msg);
    free(r->dup_msg);
    free(r->undoc_msg);
    free(r);
}

static void teardown_all(void)
{
    for (size_t i = 0; i < g_nruns; i++)
        run_free(g_runs[i]);
    g_nruns = 0;
}

/* Decode one file (absolute path) as 'name'. */
static void quiet(void *ctx, const char *msg) { (void)ctx, (void)msg; }

static run *run_path(const char *path, const char *name, int keep)
{
    ck_assert(g_nruns < MAX_RUNS);
    run *r = xrealloc(NULL, sizeof *r);
    memset(r, 0, sizeof *r);
    g_runs[g_nruns++] = r;
    snprintf(r->name, sizeof r->name, "%s", name);
    r->keep = keep;
    r->mem = open_memstream(&r->out, &r->outlen);
    ck_assert(r->mem != NULL);
    ck_assert_int_eq(bd_sink_stdout_init(&r->sink, r->mem, 1), 0);
    /* these tests are about decoding: statement-logged changes (old
     * files) are counted and passed over, as dump --on-statement skip */
    bd_sink_stdout_skip_statements(&r->sink, 1);
    r->sink.warn = quiet;
    bd_callbacks cb = {r, rec_on_event, rec_on_row};
    bd_decoder *d = bd_decoder_new(&cb);
    ck_assert(d != NULL);
    bd_decoder_set_detail(d, 1);
    r->rc = bd_source_file_run(d, path, name, &r->err);
    if (bd_sink_stdout_finish(&r->sink) < 0) r->sink_fail = 1;
    bd_sink_stdout_release(&r->sink);
    bd_decoder_free(d);
    fclose(r->mem);
    r->mem = NULL;
    parse_lines(r);
    return r;
}

/* Decode tests/fixtures/binlog/<rel> under its basename. */
static run *run_rel(const char *rel, int keep)
{
    char path[4096];
    snprintf(path, sizeof path, BIN "%s", rel);
    const char *base = strrchr(rel, '/');
    return run_path(path, base ? base + 1 : rel, keep);
}

static const char *rc_name(enum bd_file_result rc)
{
    return rc == BD_FILE_OK ? "OK" : rc == BD_FILE_INCOMPLETE ? "INCOMPLETE" : "ERROR";
}

/* The file decoded, and everything the library produced is well-formed. */
static void assert_ok(const run *r)
{
    ck_assert_msg(r->rc == BD_FILE_OK, "%s: expected BD_FILE_OK, got %s: %s", r->name,
                  rc_name(r->rc), r->err.msg);
    ck_assert_msg(!r->sink_fail, "%s: the stdout sink reported a write failure", r->name);
    ck_assert_msg(r->bad_values == 0 && r->bad_details == 0 && r->bad_lines == 0,
                  "%s: %zu bad values, %zu bad details, %zu bad lines; first: %s", r->name,
                  r->bad_values, r->bad_details, r->bad_lines, r->bad_msg ? r->bad_msg : "");
    ck_assert_msg(r->row_lines == r->nrows, "%s: %zu on_row calls but %zu row lines", r->name,
                  r->nrows, r->row_lines);
    ck_assert_msg(r->event_lines == r->nev, "%s: %zu on_event calls but %zu event lines", r->name,
                  r->nev, r->event_lines);
}

static const rev *ev_at(const run *r, uint64_t pos)
{
    for (size_t i = 0; i < r->nev; i++)
        if (r->ev[i].pos == pos && r->ev[i].inner == 0) return &r->ev[i];
    return NULL;
}

static size_t count_top(const run *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nev; i++)
        n += r->ev[i].inner == 0;
    return n;
}

/* ---- comparing JSON values -------------------------------------------- */

/* Equal as JSON values; numbers compare by value (1 == 1.0), since
 * docs/format.md fixes the value, not whether an integral FLOAT prints a
 * ".0". */
static int jeq(const json_t *a, const json_t *b)
{
    if (!a || !b) return a == b;
    if (json_is_number(a) && json_is_number(b)) {
        if (json_is_integer(a) && json_is_integer(b))
            return json_integer_value(a) == json_integer_value(b);
        return json_number_value(a) == json_number_value(b);
    }
    if (json_typeof(a) != json_typeof(b)) return 0;
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b)) return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!jeq(json_array_get(a, i), json_array_get(b, i))) return 0;
        return 1;
    }
    if (json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b)) return 0;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)a, k, v)
        {
            if (!jeq(v, json_object_get(b, k))) return 0;
        }
        return 1;
    }
    return json_equal((json_t *)a, (json_t *)b);
}

static const char *jtext(const json_t *v, char *buf, size_t n)
{
    if (!v) return "(absent)";
    size_t k = json_dumpb(v, buf, n - 1, JSON_ENCODE_ANY | JSON_COMPACT);
    if (k >= n - 1) k = n - 1;
    buf[k] = 0;
    return buf;
}

static void expect_json(const json_t *actual, const char *expected, const char *what)
{
    json_error_t je;
    json_t *e = json_loads(expected, JSON_DECODE_ANY, &je);
    ck_assert_msg(e != NULL, "bad expectation text for %s: %s", what, expected);
    int ok = jeq(actual, e);
    json_decref(e);
    char b[2048];
    ck_assert_msg(ok, "%s: expected %s, got %s", what, expected, jtext(actual, b, sizeof b));
}

/* A whole image against a JSON array of the expected values by column
 * position ("absent" written as the bare word ABSENT is not needed here). */
static void expect_image(const run *r, size_t i, int after, const char *expected)
{
    ck_assert_msg(i < r->nrows, "%s: no row %zu (only %zu)", r->name, i, r->nrows);
    const rrow *w = &r->rows[i];
    json_t **v = after ? w->av : w->bv;
    char what[512];
    snprintf(what, sizeof what, "%s row %zu (%c at %llu) %s image", r->name, i, w->op,
             (unsigned long long)w->pos, after ? "after" : "before");
    ck_assert_msg(v != NULL, "%s: missing", what);
    json_error_t je;
    json_t *e = json_loads(expected, 0, &je);
    ck_assert_msg(e && json_is_array(e), "bad expectation for %s", what);
    size_t n = json_array_size(e);
    char b1[2048], b2[2048];
    if (n != w->ncols) {
        json_decref(e);
        ck_assert_msg(0, "%s: %u columns, expected %zu", what, w->ncols, n);
    }
    for (size_t c = 0; c < n; c++) {
        int ok = jeq(v[c], json_array_get(e, c));
        if (!ok) {
            char **tx = after ? w->atx : w->btx;
            jtext(json_array_get(e, c), b1, sizeof b1);
            snprintf(b2, sizeof b2, "%s", tx && tx[c] ? tx[c] : "(absent)");
            json_decref(e);
            ck_assert_msg(0, "%s column %zu: expected %s, got %s", what, c + 1, b1, b2);
        }
    }
    json_decref(e);
}

static const json_t *src_field(const run *r, size_t i, const char *k)
{
    ck_assert_msg(i < r->nrows && r->rows[i].line, "%s: no line for row %zu", r->name, i);
    return json_object_get(json_object_get(r->rows[i].line, "source"), k);
}

static int row_last(const run *r, size_t i) { return json_is_true(src_field(r, i, "last")); }

static const char *detail_str(const rev *x, const char *k)
{
    const json_t *v = json_object_get(x->detail, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int detail_int(const rev *x, const char *k, long long *out)
{
    const json_t *v = json_object_get(x->detail, k);
    if (!json_is_integer(v)) return 0;
    *out = json_integer_value(v);
    return 1;
}

static const json_t *tcol(const rrow *w, unsigned i)
{
    return json_array_get(json_object_get(w->tdesc, "cols"), i);
}
static long long tcol_int(const rrow *w, unsigned i, const char *k)
{
    return json_integer_value(json_object_get(tcol(w, i), k));
}
static const char *tcol_name(const rrow *w, unsigned i)
{
    const json_t *n = json_object_get(tcol(w, i), "name");
    return n ? json_string_value(n) : NULL;
}

/* ======================================================================
 * MANIFEST.md: per-file histograms, server version, checksum mode
 * ====================================================================== */

typedef struct mf_row {
    char path[512];
    char server[300];
    char checksum[200];
    char hist[2000];
    char inner[600];
} mf_row;

static mf_row *g_mf;
static size_t g_nmf;

static void trim_cell(char *dst, size_t cap, const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '`'))
        p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '`'))
        n--;
    if (n >= cap) n = cap - 1;
    memcpy(dst, p, n);
    dst[n] = 0;
}

static void load_manifest(void)
{
    if (g_mf) return;
    size_t n;
    char *t = slurp(BIN "MANIFEST.md", &n);
    ck_assert_msg(t != NULL, "MANIFEST.md missing");
    size_t nl;
    char **lines = split_lines(t, &nl);
    char folder[200] = "";
    size_t cap = 0;
    for (size_t i = 0; i < nl; i++) {
        char *L = lines[i];
        if (starts(L, "## ")) {
            size_t k = strlen(L);
            if (k > 4 && L[k - 1] == '/')
                snprintf(folder, sizeof folder, "%.*s", (int)(k - 3), L + 3);
            else
                folder[0] = 0;
            continue;
        }
        if (!folder[0] || !starts(L, "| `")) continue;
        /* cells: 1 file, 6 server, 7 checksum, 8 histogram, 9 inside payload */
        const char *cell[16];
        size_t clen[16];
        int nc = 0;
        const char *p = L + 1;
        while (nc < 16) {
            const char *bar = strchr(p, '|');
            if (!bar) break;
            cell[nc] = p;
            clen[nc] = (size_t)(bar - p);
            nc++;
            p = bar + 1;
        }
        if (nc < 10) continue;
        if (g_nmf == cap) g_mf = xrealloc(g_mf, (cap = cap ? cap * 2 : 128) * sizeof *g_mf);
        mf_row *m = &g_mf[g_nmf++];
        char file[250];
        trim_cell(file, sizeof file, cell[0], clen[0]);
        snprintf(m->path, sizeof m->path, "%s%s", folder, file);
        trim_cell(m->server, sizeof m->server, cell[5], clen[5]);
        trim_cell(m->checksum, sizeof m->checksum, cell[6], clen[6]);
        trim_cell(m->hist, sizeof m->hist, cell[7], clen[7]);
        trim_cell(m->inner, sizeof m->inner, cell[8], clen[8]);
    }
    free(lines);
    free(t);
}

static const mf_row *manifest_row(const char *rel)
{
    load_manifest();
    for (size_t i = 0; i < g_nmf; i++)
        if (strcmp(g_mf[i].path, rel) == 0) return &g_mf[i];
    return NULL;
}

/* "QUERY×5, GTID×3" into counts by type (index 0..255). */
static void parse_hist(const char *h, long counts[256], const char *where)
{
    memset(counts, 0, 256 * sizeof counts[0]);
    if (strcmp(h, "\xe2\x80\x94") == 0 || !*h) return; /* "—" */
    const char *p = h;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p) break;
        const char *x = strstr(p, UTF8_TIMES);
        ck_assert_msg(x != NULL, "%s: cannot read histogram \"%s\"", where, h);
        int t = type_by_name(p, (size_t)(x - p));
        ck_assert_msg(t >= 0 && t < 256, "%s: unknown event name in \"%s\"", where, h);
        counts[t] = strtol(x + strlen(UTF8_TIMES), (char **)&p, 10);
    }
}

static void check_manifest(const run *r, const char *rel)
{
    const mf_row *m = manifest_row(rel);
    ck_assert_msg(m != NULL, "%s is not in MANIFEST.md", rel);
    long want[256], want_in[256], got[256] = {0}, got_in[256] = {0};
    parse_hist(m->hist, want, rel);
    parse_hist(m->inner, want_in, rel);
    for (size_t i = 0; i < r->nev; i++) {
        if (r->ev[i].inner)
            got_in[r->ev[i].type]++;
        else
            got[r->ev[i].type]++;
    }
    for (int t = 0; t < 256; t++) {
        ck_assert_msg(got[t] == want[t],
                      "%s: MANIFEST.md histogram says %ld events of type %d, on_event saw %ld", rel,
                      want[t], t, got[t]);
        ck_assert_msg(got_in[t] == want_in[t],
                      "%s: MANIFEST.md says %ld events of type %d inside TRANSACTION_PAYLOAD, "
                      "on_event saw %ld",
                      rel, want_in[t], t, got_in[t]);
    }
    /* server version(s): every FDE's version is listed, every listed one seen */
    const char *sv = m->server;
    if (starts(sv, "MariaDB ")) sv += 8;
    if (isdigit((unsigned char)sv[0])) {
        int seen_listed = 0;
        for (size_t i = 0; i < r->nev; i++) {
            if (r->ev[i].type != 15) continue;
            const char *v = detail_str(&r->ev[i], "server_version");
            ck_assert_msg(v != NULL, "%s: FDE at %llu without server_version", rel,
                          (unsigned long long)r->ev[i].pos);
            const char *hit = strstr(sv, v);
            ck_assert_msg(hit && (hit == sv || hit[-1] == ' ') &&
                              (hit[strlen(v)] == 0 || hit[strlen(v)] == ','),
                          "%s: FDE says server \"%s\", MANIFEST.md says \"%s\"", rel, v, m->server);
            seen_listed++;
        }
        ck_assert_msg(seen_listed > 0, "%s: no FDE seen", rel);
    }
    /* checksum mode */
    const char *want_ck = starts(m->checksum, "CRC32")  ? "CRC32"
                          : starts(m->checksum, "none") ? "NONE"
                                                        : NULL;
    if (want_ck) {
        for (size_t i = 0; i < r->nev; i++) {
            if (r->ev[i].type != 15) continue;
            const char *c = detail_str(&r->ev[i], "checksum");
            ck_assert_msg(c && strcmp(c, want_ck) == 0,
                          "%s: FDE at %llu checksum \"%s\", MANIFEST.md says \"%s\"", rel,
                          (unsigned long long)r->ev[i].pos, c ? c : "(none)", m->checksum);
        }
    }
}

/* ======================================================================
 * positive.txt / negative.tsv
 * ====================================================================== */

static char **g_pos;
static size_t g_npos;
typedef struct neg {
    char path[300], kind[40], reason[600];
} neg;
static neg *g_neg;
static size_t g_nneg;

static void load_lists(void)
{
    size_t n;
    char *t = slurp(BIN "positive.txt", &n);
    if (!t) {
        fprintf(stderr, "positive.txt missing\n");
        exit(1);
    }
    size_t nl;
    char **lines = split_lines(t, &nl);
    g_pos = xrealloc(NULL, (nl ? nl : 1) * sizeof *g_pos);
    for (size_t i = 0; i < nl; i++)
        if (lines[i][0]) g_pos[g_npos++] = xstrdup(lines[i]);
    free(lines);
    free(t);

    t = slurp(BIN "negative.tsv", &n);
    if (!t) {
        /* PROVENANCE.md's table, if the list is not there (yet) */
        static const char *fallback[][2] = {
            {"rust_mysql_common/binlog_truncated_event.000001", "truncated-tail"},
            {"rust_mysql_common/binlog_truncated_prev_gtid_event.000001", "truncated-tail"},
            {"rust_mysql_common/corrupt-relay-bin.000624", "corrupt"},
            {"rust_mysql_common/ver_5_1-wl2325_r.001", "corrupt"},
            {"rust_mysql_common/ver_5_1-wl2325_s.001", "corrupt"},
            {"mysql-binlog-connector-rust/non-binlog", "text"},
            {"canal/parse/binlog/tsdb/mysql-bin.000001", "corrupt"},
            {"MyFlash/haha.000005", "text"},
            {"MyFlash/haha.000007", "text"},
        };
        g_nneg = sizeof fallback / sizeof fallback[0];
        g_neg = xrealloc(NULL, g_nneg * sizeof *g_neg);
        for (size_t i = 0; i < g_nneg; i++) {
            snprintf(g_neg[i].path, sizeof g_neg[i].path, "%s", fallback[i][0]);
            snprintf(g_neg[i].kind, sizeof g_neg[i].kind, "%s", fallback[i][1]);
            g_neg[i].reason[0] = 0;
        }
        return;
    }
    lines = split_lines(t, &nl);
    g_neg = xrealloc(NULL, (nl ? nl : 1) * sizeof *g_neg);
    for (size_t i = 0; i < nl; i++) {
        char *a = lines[i], *b = strchr(a, '\t');
        if (!b) continue;
        *b++ = 0;
        char *c = strchr(b, '\t');
        if (c) *c++ = 0;
        neg *g = &g_neg[g_nneg++];
        snprintf(g->path, sizeof g->path, "%s", a);
        snprintf(g->kind, sizeof g->kind, "%s", b);
        snprintf(g->reason, sizeof g->reason, "%s", c ? c : "");
    }
    free(lines);
    free(t);
}

/* positive.txt lists json.binlog.000001, but its one PARTIAL_UPDATE_ROWS
 * event (at 3750) was logged with binlog_row_image=MINIMAL: the before image
 * holds only the primary key, so the JSON diff has no document to apply to.
 * docs/format.md ("Partial JSON updates") says the dump then stops with an
 * error that says so; docs/format.md decides.  Everything before it must
 * have been delivered: the 6 inserted and 6 updated rows. */
static int partial_json_minimal(const char *rel)
{
    return strcmp(rel, "rust_mysql_common/json.binlog.000001") == 0;
}

static void check_partial_json_minimal(const run *r)
{
    ck_assert_msg(r->rc == BD_FILE_ERROR, "%s: expected the documented error, got %s: %s", r->name,
                  rc_name(r->rc), r->err.msg);
    ck_assert_msg(strstr(r->err.msg, "json.binlog.000001:3750") &&
                      strstr(r->err.msg, "PARTIAL_UPDATE_ROWS") &&
                      strstr(r->err.msg, "binlog_row_value_options"),
                  "%s: message should name 3750, PARTIAL_UPDATE_ROWS and the server setting: %s",
                  r->name, r->err.msg);
    ck_assert_uint_eq(r->nrows, 12);
    ck_assert(r->nev > 0 && r->ev[r->nev - 1].type == 39 && r->ev[r->nev - 1].pos == 3750);
    ck_assert_msg(r->bad_lines == 0, "%s", r->bad_msg ? r->bad_msg : "");
}

START_TEST(json_partial_minimal)
{
    run *r = run_rel("rust_mysql_common/json.binlog.000001", 0);
    check_partial_json_minimal(r);
}
END_TEST

/* decodes with BD_FILE_OK, every output line is JSON, and on_event saw
 * exactly the events MANIFEST.md counted */
START_TEST(positive_decodes)
{
    const char *rel = g_pos[_i];
    run *r = run_rel(rel, 0);
    if (partial_json_minimal(rel)) {
        check_partial_json_minimal(r);
        return;
    }
    assert_ok(r);
    check_manifest(r, rel);
}
END_TEST

/* docs/format.md lists the keys of a row message; every line must be JSON
 * with unique keys (a consumer that builds a map would lose one of two). */
START_TEST(positive_lines_conform)
{
    const char *rel = g_pos[_i];
    run *r = run_rel(rel, CHECK_FORMAT);
    ck_assert_msg(r->rc == BD_FILE_OK || partial_json_minimal(rel), "%s: %s", rel, r->err.msg);
    ck_assert_msg(r->undoc_lines == 0,
                  "%s: %zu row lines with keys docs/format.md does not list; first: %s", rel,
                  r->undoc_lines, r->undoc_msg);
    ck_assert_msg(r->dup_lines == 0, "%s: %zu lines with a duplicated key; first: %s", rel,
                  r->dup_lines, r->dup_msg);
}
END_TEST

/* The expected failure of each negative fixture (PROVENANCE.md's table,
 * MANIFEST.md notes, rust_mysql_common's EXPECTED.md): where it must stop
 * and a word of why. */
static void neg_expect(const char *path, const char **pos, const char **word)
{
    static const struct {
        const char *path, *pos, *word;
    } t[] = {
        {"rust_mysql_common/binlog_truncated_event.000001", ":4", "incomplete event"},
        {"rust_mysql_common/binlog_truncated_prev_gtid_event.000001", ":120", "incomplete event"},
        /* the QUERY at 91204 holds a status-vars length of 16949 > the event */
        {"rust_mysql_common/corrupt-relay-bin.000624", ":91204", "QUERY"},
        /* upstream (rust_mysql_common): "contains a broken XID event (size
         * 0x26)"; the first such XID is at 428. An XID body is exactly the
         * 8-byte xid (no checksums in this 5.2 file), so 19 bytes of body
         * cannot be an XID: fail closed there. */
        {"rust_mysql_common/ver_5_1-wl2325_r.001", ":428", "XID"},
        /* type 20 with an 8-byte body at 411 */
        {"rust_mysql_common/ver_5_1-wl2325_s.001", ":411", "PRE_GA_WRITE_ROWS"},
        {"mysql-binlog-connector-rust/non-binlog", ":0", "bad magic"},
        {"canal/parse/binlog/tsdb/mysql-bin.000001", ":0", "bad magic"},
        {"MyFlash/haha.000005", ":0", "bad magic"},
        {"MyFlash/haha.000007", ":0", "bad magic"},
        /* if it moves here from positive.txt: see partial_json_minimal() */
        {"rust_mysql_common/json.binlog.000001", ":3750", "PARTIAL_UPDATE_ROWS"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(t[i].path, path) == 0) {
            *pos = t[i].pos;
            *word = t[i].word;
            return;
        }
    *pos = NULL;
    *word = NULL;
}

START_TEST(negative_fails)
{
    const neg *g = &g_neg[_i];
    run *r = run_rel(g->path, 0);
    enum bd_file_result want =
        strcmp(g->kind, "truncated-tail") == 0 ? BD_FILE_INCOMPLETE : BD_FILE_ERROR;
    ck_assert_msg(strcmp(g->kind, "truncated-tail") == 0 || strcmp(g->kind, "corrupt") == 0 ||
                      strcmp(g->kind, "text") == 0,
                  "%s: unknown kind %s in negative.tsv", g->path, g->kind);
    ck_assert_msg(r->rc == want, "%s (%s): expected %s, got %s: %s", g->path, g->kind,
                  rc_name(want), rc_name(r->rc), r->err.msg);
    const char *base = strrchr(g->path, '/') + 1;
    char fp[400];
    const char *pos, *word;
    neg_expect(g->path, &pos, &word);
    ck_assert_msg(pos != NULL, "%s: no expected failure written down for it", g->path);
    snprintf(fp, sizeof fp, "%s%s", base, pos);
    ck_assert_msg(strstr(r->err.msg, fp) != NULL, "%s: message should name \"%s\": %s", g->path, fp,
                  r->err.msg);
    ck_assert_msg(strstr(r->err.msg, word) != NULL, "%s: message should say \"%s\": %s", g->path,
                  word, r->err.msg);
    /* nothing may be printed past the failure: the output must still be
     * whole JSON lines */
    ck_assert_msg(r->bad_lines == 0, "%s: %s", g->path, r->bad_msg ? r->bad_msg : "");
}
END_TEST

/* ---- derived negatives: a flipped byte, a cut file -------------------- */

/* Independent walker: start offsets of the events of a v4 file. */
static size_t walk_events(const uint8_t *p, size_t n, uint64_t *starts_out, size_t cap)
{
    size_t k = 0, off = 4;
    while (off + 19 <= n && k < cap) {
        uint32_t sz = (uint32_t)p[off + 9] | (uint32_t)p[off + 10] << 8 |
                      (uint32_t)p[off + 11] << 16 | (uint32_t)p[off + 12] << 24;
        if (sz < 19 || sz > n - off) break;
        starts_out[k++] = off;
        off += sz;
    }
    return k;
}

/* Decode bytes made up by a test: through a temporary file that is gone
 * again before any assertion can fail. */
static run *run_bytes(const uint8_t *p, size_t n, const char *name, int keep)
{
    const char *dir = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/binlogd-test-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(tmpl);
    ck_assert_msg(fd >= 0, "mkstemp failed");
    ssize_t w = write(fd, p, n);
    close(fd);
    run *r = (size_t)w == n ? run_path(tmpl, name, keep) : NULL;
    unlink(tmpl);
    ck_assert_msg(r != NULL, "writing %s failed", tmpl);
    return r;
}

START_TEST(crc_mismatch_is_refused)
{
    size_t n;
    uint8_t *p = tu_read_fixture("binlog/percona-binlog-server/data_80045_gtid/binlog.000002", &n);
    uint64_t st[64];
    size_t ne = walk_events(p, n, st, 64);
    ck_assert(ne >= 5);
    /* flip a byte in the middle of the 4th event (CRC32 is on in this file) */
    uint64_t at = st[3], size = st[4] - st[3];
    p[at + size / 2] ^= 0xff;
    run *r = run_bytes(p, n, "crc-flip.000002", 0);
    free(p);
    ck_assert_msg(r->rc == BD_FILE_ERROR, "got %s: %s", rc_name(r->rc), r->err.msg);
    char want[64];
    snprintf(want, sizeof want, "crc-flip.000002:%llu", (unsigned long long)at);
    ck_assert_msg(strstr(r->err.msg, want), "message should name %s: %s", want, r->err.msg);
    ck_assert_msg(strstr(r->err.msg, "CRC32 mismatch"), "message: %s", r->err.msg);
    /* the events before it were all delivered, none after */
    ck_assert_uint_eq(count_top(r), 3);
}
END_TEST

START_TEST(cut_file_is_incomplete)
{
    size_t n;
    uint8_t *p = tu_read_fixture("binlog/percona-binlog-server/data_80045_gtid/binlog.000001", &n);
    uint64_t st[64];
    size_t ne = walk_events(p, n, st, 64);
    ck_assert(ne >= 10);
    /* cut inside the body of the 8th event, then inside the header of the 9th */
    run *runs[2];
    size_t cuts[2];
    for (int pass = 0; pass < 2; pass++) {
        size_t ei = pass == 0 ? 7 : 8;
        cuts[pass] = pass == 0 ? (size_t)st[ei] + 25 : (size_t)st[ei] + 7;
        runs[pass] = run_bytes(p, cuts[pass], "cut.000001", 0);
    }
    free(p);
    for (int pass = 0; pass < 2; pass++) {
        size_t ei = pass == 0 ? 7 : 8, cut = cuts[pass];
        const run *r = runs[pass];
        ck_assert_msg(r->rc == BD_FILE_INCOMPLETE, "cut at %zu: got %s: %s", cut, rc_name(r->rc),
                      r->err.msg);
        char want[64];
        snprintf(want, sizeof want, "cut.000001:%llu", (unsigned long long)st[ei]);
        ck_assert_msg(strstr(r->err.msg, want), "message should name %s: %s", want, r->err.msg);
        ck_assert_msg(strstr(r->err.msg, "incomplete event"), "message: %s", r->err.msg);
        ck_assert_uint_eq(count_top(r), ei);
        ck_assert_msg(r->bad_lines == 0, "%s", r->bad_msg ? r->bad_msg : "");
    }
}
END_TEST

/* ======================================================================
 * mysqlbinlog text output and SHOW BINLOG EVENTS
 * ====================================================================== */

#define MB_MAXC 64
typedef struct mb_row {
    char op;
    char db[128], table[128];
    int nb, na;
    char *bv[MB_MAXC], *bt[MB_MAXC], *av[MB_MAXC], *at[MB_MAXC];
} mb_row;

typedef struct mb_ev {
    long long at;
    unsigned long long end;
    unsigned server_id;
    int hex;
    unsigned long long hpos;
    unsigned ts, htype, hsize, hlog, hflags;
    char desc[600];
    int in_use_warning;
    int has_gtid_next;
    char gtid_next[200];
    int in_prev, has_prev;
    char prev[4000];
    int has_rand;
    unsigned long long seed1, seed2;
    int has_intvar;
    char ivname[40];
    unsigned long long ivval;
} mb_ev;

typedef struct mb_log {
    mb_ev *ev;
    size_t n, cap;
    mb_row *rows;
    size_t nrows, crows;
} mb_log;

static void mb_free(mb_log *m)
{
    for (size_t i = 0; i < m->nrows; i++)
        for (int c = 0; c < MB_MAXC; c++) {
            free(m->rows[i].bv[c]);
            free(m->rows[i].bt[c]);
            free(m->rows[i].av[c]);
            free(m->rows[i].at[c]);
        }
    free(m->rows);
    free(m->ev);
}

static void copy_between(char *dst, size_t cap, const char *s, char open, char close)
{
    dst[0] = 0;
    const char *a = strchr(s, open);
    if (!a) return;
    const char *b = strchr(a + 1, close);
    if (!b) return;
    snprintf(dst, cap, "%.*s", (int)(b - a - 1), a + 1);
}

static void mb_parse(mb_log *m, char *text)
{
    memset(m, 0, sizeof *m);
    size_t nl;
    char **L = split_lines(text, &nl);
    long long pending_at = -1;
    int expect_hex = 0, section = 0;
    mb_ev *cur = NULL;
    mb_row *row = NULL;
    for (size_t i = 0; i < nl; i++) {
        const char *s = L[i];
        long long at;
        if (starts(s, "# at ") && sscanf(s, "# at %lld", &at) == 1) {
            pending_at = at;
            continue;
        }
        unsigned d, hh, mi, ss, sid;
        unsigned long long end;
        if (s[0] == '#' && isdigit((unsigned char)s[1]) &&
            sscanf(s, "#%u %u:%u:%u server id %u end_log_pos %llu", &d, &hh, &mi, &ss, &sid,
                   &end) == 6) {
            if (m->n == m->cap)
                m->ev = xrealloc(m->ev, (m->cap = m->cap ? m->cap * 2 : 64) * sizeof *m->ev);
            cur = &m->ev[m->n++];
            memset(cur, 0, sizeof *cur);
            cur->at = pending_at;
            pending_at = -1;
            cur->end = end;
            cur->server_id = sid;
            const char *tab = strchr(s, '\t');
            if (tab) snprintf(cur->desc, sizeof cur->desc, "%s", tab + 1);
            if (starts(cur->desc, "Previous-GTIDs")) cur->in_prev = cur->has_prev = 1;
            expect_hex = 0;
            row = NULL;
            continue;
        }
        if (!cur) continue;
        if (starts(s, "# Position")) {
            expect_hex = 1;
            continue;
        }
        if (expect_hex) {
            expect_hex = 0;
            /* "#   pos  ts(4)  type  server(4)  size(4)  log_pos(4)  flags(2)" */
            unsigned long v[20];
            int k = 0;
            const char *p = s + 1;
            char *e;
            while (k < 20) {
                unsigned long x = strtoul(p, &e, 16);
                if (e == p) break;
                v[k++] = x;
                p = e;
            }
            if (k == 20) {
                cur->hex = 1;
                cur->hpos = v[0];
                cur->ts = (unsigned)(v[1] | v[2] << 8 | v[3] << 16 | v[4] << 24);
                cur->htype = (unsigned)v[5];
                cur->hsize = (unsigned)(v[10] | v[11] << 8 | v[12] << 16 | v[13] << 24);
                cur->hlog = (unsigned)(v[14] | v[15] << 8 | v[16] << 16 | v[17] << 24);
                cur->hflags = (unsigned)(v[18] | v[19] << 8);
            }
            continue;
        }
        if (starts(s, "# \t")) {
            snprintf(cur->desc, sizeof cur->desc, "%s", s + 3);
            if (starts(cur->desc, "Previous-GTIDs")) cur->in_prev = cur->has_prev = 1;
            continue;
        }
        if (cur->in_prev) {
            if (starts(s, "# [empty]")) {
                cur->in_prev = 0;
                continue;
            }
            if (starts(s, "# ") && strlen(s) > 11 && isxdigit((unsigned char)s[2]) &&
                s[10] == '-') {
                size_t k = strlen(s + 2);
                while (k && s[2 + k - 1] == ',')
                    k--;
                size_t have = strlen(cur->prev);
                snprintf(cur->prev + have, sizeof cur->prev - have, "%s%.*s", have ? "," : "",
                         (int)k, s + 2);
                continue;
            }
            cur->in_prev = 0;
        }
        if (starts(s, "# Warning: this binlog is either in use")) {
            cur->in_use_warning = 1;
            continue;
        }
        if (starts(s, "SET @@SESSION.GTID_NEXT= '") && !cur->has_gtid_next &&
            (starts(cur->desc, "GTID") || starts(cur->desc, "Anonymous_GTID"))) {
            copy_between(cur->gtid_next, sizeof cur->gtid_next, s, '\'', '\'');
            cur->has_gtid_next = 1;
            continue;
        }
        unsigned long long a, b;
        if (sscanf(s, "SET INSERT_ID=%llu", &a) == 1) {
            cur->has_intvar = 1;
            snprintf(cur->ivname, sizeof cur->ivname, "INSERT_ID");
            cur->ivval = a;
            continue;
        }
        if (sscanf(s, "SET LAST_INSERT_ID=%llu", &a) == 1) {
            cur->has_intvar = 1;
            snprintf(cur->ivname, sizeof cur->ivname, "LAST_INSERT_ID");
            cur->ivval = a;
            continue;
        }
        if (sscanf(s, "SET @@RAND_SEED1=%llu, @@RAND_SEED2=%llu", &a, &b) == 2) {
            cur->has_rand = 1;
            cur->seed1 = a;
            cur->seed2 = b;
            continue;
        }
        if (!starts(s, "### ")) continue;
        char op = starts(s, "### INSERT INTO ")   ? 'c'
                  : starts(s, "### UPDATE ")      ? 'u'
                  : starts(s, "### DELETE FROM ") ? 'd'
                                                  : 0;
        if (op) {
            if (m->nrows == m->crows)
                m->rows =
                    xrealloc(m->rows, (m->crows = m->crows ? m->crows * 2 : 16) * sizeof *m->rows);
            row = &m->rows[m->nrows++];
            memset(row, 0, sizeof *row);
            row->op = op;
            const char *q = strchr(s, '`');
            copy_between(row->db, sizeof row->db, q ? q : s, '`', '`');
            q = q ? strchr(q + 1, '`') : NULL;
            q = q ? strchr(q + 1, '`') : NULL;
            copy_between(row->table, sizeof row->table, q ? q : s, '`', '`');
            section = op == 'c' ? 2 : 1;
            continue;
        }
        if (!row) continue;
        if (starts(s, "### WHERE")) {
            section = 1;
            continue;
        }
        if (starts(s, "### SET")) {
            section = 2;
            continue;
        }
        int col;
        int off = 0;
        if (sscanf(s, "###   @%d=%n", &col, &off) == 1 && off > 0 && col >= 1 && col <= MB_MAXC) {
            const char *v = s + off;
            const char *cm = NULL, *x = v;
            while ((x = strstr(x, " /* ")) != NULL)
                cm = x++;
            size_t vn = cm ? (size_t)(cm - v) : strlen(v);
            char *type = xstrdup(cm ? cm + 4 : "");
            char *sp = strchr(type, ' ');
            if (sp) *sp = 0;
            if (section == 1) {
                row->bv[col - 1] = xstrndup(v, vn);
                row->bt[col - 1] = type;
                if (col > row->nb) row->nb = col;
            } else {
                row->av[col - 1] = xstrndup(v, vn);
                row->at[col - 1] = type;
                if (col > row->na) row->na = col;
            }
        }
    }
    free(L);
}

/* type from a mysqlbinlog description word, for output without -H */
static int mb_type_from_desc(const char *d)
{
    static const struct {
        const char *w;
        int t;
    } m[] = {
        {"Start: binlog", 15},
        {"Query", 2},
        {"Xid", 16},
        {"Previous-GTIDs", 35},
        {"Rotate to", 4},
        {"Stop", 3},
        {"Anonymous_GTID", 34},
        {"GTID", 33},
        {"Table_map:", 19},
        {"Intvar", 5},
        {"User_var", 14},
        {"Rand", 13},
        {"Rows_query", 29},
        {"Execute_load_query", 18},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (starts(d, m[i].w)) return m[i].t;
    return -1;
}

/* value of key=... in a tab-separated description ("GTID\tlast_committed=0...") */
static int desc_kv(const char *desc, const char *key, unsigned long long *v)
{
    char pat[80];
    snprintf(pat, sizeof pat, "\t%s=", key);
    const char *p = strstr(desc, pat);
    if (!p) return 0;
    *v = strtoull(p + strlen(pat), NULL, 10);
    return 1;
}

static void expect_detail_u(const rev *x, const char *key, unsigned long long want,
                            const char *label)
{
    long long got;
    ck_assert_msg(detail_int(x, key, &got), "%s: event at %llu has no \"%s\" in its detail", label,
                  (unsigned long long)x->pos, key);
    ck_assert_msg((unsigned long long)got == want,
                  "%s: event at %llu \"%s\": mysqlbinlog says %llu, decoder %lld", label,
                  (unsigned long long)x->pos, key, want, got);
}

/* mysqlbinlog quotes strings with \-escapes */
static char *mb_unquote(const char *v)
{
    size_t n = strlen(v);
    char *o = xrealloc(NULL, n + 1);
    size_t k = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (v[i] == '\\' && i + 2 < n) {
            i++;
            switch (v[i]) {
            case 'n': o[k++] = '\n'; break;
            case 't': o[k++] = '\t'; break;
            case 'r': o[k++] = '\r'; break;
            case '0': o[k++] = 0; break;
            default: o[k++] = v[i]; break;
            }
        } else {
            o[k++] = v[i];
        }
    }
    o[k] = 0;
    return o;
}

static void mb_value_check(const char *label, size_t ri, int col, const char *mv, const char *mt,
                           const json_t *got)
{
    char b[2048];
    if (strcmp(mv, "NULL") == 0) {
        ck_assert_msg(json_is_null(got), "%s row %zu @%d: mysqlbinlog NULL, decoder %s", label, ri,
                      col, jtext(got, b, sizeof b));
        return;
    }
    if (mv[0] == '\'') {
        char *s = mb_unquote(mv);
        int ok = json_is_string(got) && strcmp(json_string_value(got), s) == 0;
        free(s);
        ck_assert_msg(ok, "%s row %zu @%d: mysqlbinlog %s, decoder %s", label, ri, col, mv,
                      jtext(got, b, sizeof b));
        return;
    }
    /* numbers; "(unsigned)" alternatives follow a space */
    char num[128];
    snprintf(num, sizeof num, "%s", mv);
    char *sp = strchr(num, ' ');
    if (sp) *sp = 0;
    if (starts(mt, "DECIMAL")) {
        /* docs/format.md: DECIMAL as a string with the column's scale */
        ck_assert_msg(json_is_string(got) && strcmp(json_string_value(got), num) == 0,
                      "%s row %zu @%d: mysqlbinlog %s, decoder %s", label, ri, col, mv,
                      jtext(got, b, sizeof b));
        return;
    }
    ck_assert_msg(json_is_integer(got) && json_integer_value(got) == strtoll(num, NULL, 10),
                  "%s row %zu @%d: mysqlbinlog %s (%s), decoder %s", label, ri, col, mv, mt,
                  jtext(got, b, sizeof b));
}

static void check_mysqlbinlog(const run *r, char *text, int complete, const char *label)
{
    mb_log m;
    mb_parse(&m, text);
    ck_assert_msg(m.n > 0, "%s: no events parsed from the mysqlbinlog output", label);
    for (size_t i = 0; i < m.n; i++) {
        const mb_ev *e = &m.ev[i];
        long long pos = e->hex ? (long long)e->hpos : e->at;
        ck_assert_msg(pos >= 0, "%s: mysqlbinlog event %zu has no position", label, i);
        const rev *x = ev_at(r, (uint64_t)pos);
        ck_assert_msg(x != NULL,
                      "%s: mysqlbinlog shows an event at %lld (%s); the decoder reported none",
                      label, pos, e->desc);
        ck_assert_msg(x->log_pos == e->end, "%s: event at %lld: end_log_pos %llu, decoder %u",
                      label, pos, e->end, x->log_pos);
        ck_assert_msg(x->server_id == e->server_id, "%s: event at %lld: server id %u, decoder %u",
                      label, pos, e->server_id, x->server_id);
        int t = e->hex ? (int)e->htype : mb_type_from_desc(e->desc);
        if (t >= 0)
            ck_assert_msg(x->type == t, "%s: event at %lld: type %d, decoder %u", label, pos, t,
                          x->type);
        if (e->hex) {
            ck_assert_msg(x->ts == e->ts, "%s: event at %lld: timestamp %u, decoder %u", label, pos,
                          e->ts, x->ts);
            ck_assert_msg(x->size == e->hsize, "%s: event at %lld: size %u, decoder %u", label, pos,
                          e->hsize, x->size);
            ck_assert_msg(x->flags == e->hflags, "%s: event at %lld: flags %#x, decoder %#x", label,
                          pos, e->hflags, x->flags);
        }
        const char *xs = strstr(e->desc, "Xid = ");
        if (xs) {
            unsigned long long xid = strtoull(xs + 6, NULL, 10);
            ck_assert_msg(x->has_xid && x->xid == xid,
                          "%s: event at %lld: Xid = %llu, decoder %s %llu", label, pos, xid,
                          x->has_xid ? "has" : "has no xid", (unsigned long long)x->xid);
        }
        unsigned long long v;
        if (x->type == 2) {
            if (desc_kv(e->desc, "thread_id", &v)) expect_detail_u(x, "thread_id", v, label);
            if (desc_kv(e->desc, "exec_time", &v)) expect_detail_u(x, "exec_time", v, label);
            if (desc_kv(e->desc, "error_code", &v)) expect_detail_u(x, "error_code", v, label);
        }
        if (x->type == 33 || x->type == 34) {
            if (desc_kv(e->desc, "last_committed", &v))
                expect_detail_u(x, "last_committed", v, label);
            if (desc_kv(e->desc, "sequence_number", &v))
                expect_detail_u(x, "sequence_number", v, label);
            if (desc_kv(e->desc, "immediate_commit_timestamp", &v))
                expect_detail_u(x, "immediate_commit_us", v, label);
            if (desc_kv(e->desc, "original_committed_timestamp", &v))
                expect_detail_u(x, "original_commit_us", v, label);
            if (desc_kv(e->desc, "transaction_length", &v))
                expect_detail_u(x, "transaction_length", v, label);
            if (e->has_gtid_next) {
                const char *g = detail_str(x, "gtid");
                if (strcmp(e->gtid_next, "ANONYMOUS") == 0)
                    ck_assert_msg(x->type == 34 && !g,
                                  "%s: event at %lld: anonymous, decoder gtid %s", label, pos,
                                  g ? g : "(none)");
                else
                    ck_assert_msg(g && strcmp(g, e->gtid_next) == 0,
                                  "%s: event at %lld: GTID_NEXT '%s', decoder %s", label, pos,
                                  e->gtid_next, g ? g : "(none)");
            }
        }
        if (e->has_prev) {
            const char *g = detail_str(x, "gtid_set");
            ck_assert_msg(g && strcmp(g, e->prev) == 0,
                          "%s: PREVIOUS_GTIDS at %lld: '%s', decoder '%s'", label, pos, e->prev,
                          g ? g : "(none)");
        }
        if (starts(e->desc, "Rotate to ")) {
            char f[256];
            unsigned long long np;
            ck_assert(sscanf(e->desc, "Rotate to %255s pos: %llu", f, &np) == 2);
            ck_assert_msg(x->is_rotate && x->next_file && strcmp(x->next_file, f) == 0 &&
                              x->next_pos == np,
                          "%s: ROTATE at %lld: to %s:%llu, decoder %s:%llu", label, pos, f, np,
                          x->next_file ? x->next_file : "(none)", (unsigned long long)x->next_pos);
        }
        if (e->in_use_warning) {
            const json_t *iu = json_object_get(x->detail, "in_use");
            ck_assert_msg(
                x->type == 15 && json_is_true(iu),
                "%s: mysqlbinlog warns the log was in use (FDE at %lld); decoder in_use=%s", label,
                pos, json_is_true(iu) ? "true" : "false");
        }
        if (e->has_rand) {
            expect_detail_u(x, "seed1", e->seed1, label);
            expect_detail_u(x, "seed2", e->seed2, label);
        }
        if (e->has_intvar) {
            const char *vn = detail_str(x, "var");
            ck_assert_msg(vn && strcmp(vn, e->ivname) == 0, "%s: INTVAR at %lld: %s, decoder %s",
                          label, pos, e->ivname, vn ? vn : "(none)");
            expect_detail_u(x, "value", e->ivval, label);
        }
    }
    if (complete)
        ck_assert_msg(count_top(r) == m.n, "%s: mysqlbinlog shows %zu events, decoder %zu", label,
                      m.n, count_top(r));
    /* transaction fields of the row messages (docs/format.md "source"):
     * gtid from the GTID_NEXT before the row, ts_us from that GTID event's
     * immediate_commit_timestamp when it has one, and the XID that follows
     * on the transaction's last row, which alone is "last" */
    for (size_t k = 0; k < r->nrows; k++) {
        const rrow *o = &r->rows[k];
        if (!o->line) continue;
        const mb_ev *g = NULL;
        for (size_t i = 0; i < m.n; i++) {
            const mb_ev *e = &m.ev[i];
            long long pos = e->hex ? (long long)e->hpos : e->at;
            if (pos < 0 || (uint64_t)pos >= o->pos) continue;
            if (e->has_gtid_next && (!g || pos > (g->hex ? (long long)g->hpos : g->at))) g = e;
        }
        if (!g) continue;
        char what[300];
        snprintf(what, sizeof what, "%s row %zu source.gtid", label, k);
        const json_t *gt = src_field(r, k, "gtid");
        if (strcmp(g->gtid_next, "ANONYMOUS") == 0)
            ck_assert_msg(json_is_null(gt), "%s: anonymous transaction, got a GTID", what);
        else
            ck_assert_msg(json_is_string(gt) && strcmp(json_string_value(gt), g->gtid_next) == 0,
                          "%s: expected %s", what, g->gtid_next);
        unsigned long long ict;
        if (desc_kv(g->desc, "immediate_commit_timestamp", &ict)) {
            const json_t *ts = src_field(r, k, "ts_us");
            ck_assert_msg(json_is_integer(ts) && (unsigned long long)json_integer_value(ts) == ict,
                          "%s row %zu: ts_us should be immediate_commit_timestamp %llu, got %lld",
                          label, k, ict, (long long)json_integer_value(ts));
        }
    }
    for (size_t i = 0; i < m.n; i++) {
        const mb_ev *e = &m.ev[i];
        const char *xs = strstr(e->desc, "Xid = ");
        long long xpos = e->hex ? (long long)e->hpos : e->at;
        if (!xs || xpos < 0) continue;
        unsigned long long xid = strtoull(xs + 6, NULL, 10);
        /* the transaction starts at the GTID event before this XID (logs
         * without GTIDs are left out: where their transactions start is
         * not in mysqlbinlog's header lines) */
        long long start = -1;
        for (size_t j = 0; j < i; j++) {
            const mb_ev *b = &m.ev[j];
            if (b->has_gtid_next) start = b->hex ? (long long)b->hpos : b->at;
        }
        if (start < 0) continue;
        size_t last = SIZE_MAX;
        for (size_t k = 0; k < r->nrows; k++)
            if (r->rows[k].line && r->rows[k].inner == 0 && (long long)r->rows[k].pos < xpos &&
                (long long)r->rows[k].pos > start)
                last = k;
        if (last == SIZE_MAX) continue;
        ck_assert_msg(row_last(r, last), "%s row %zu: last row before Xid = %llu is not \"last\"",
                      label, last, xid);
        const json_t *jx = src_field(r, last, "xid");
        ck_assert_msg(json_is_integer(jx) && (unsigned long long)json_integer_value(jx) == xid,
                      "%s row %zu: xid should be %llu", label, last, xid);
    }
    /* rows only where mysqlbinlog ran with -v (it printed "###" images) */
    if (m.nrows) {
        ck_assert_msg(r->nrows == m.nrows, "%s: mysqlbinlog shows %zu row changes, decoder %zu",
                      label, m.nrows, r->nrows);
        for (size_t i = 0; i < m.nrows; i++) {
            const mb_row *w = &m.rows[i];
            const rrow *o = &r->rows[i];
            ck_assert_msg(o->op == w->op && strcmp(o->db, w->db) == 0 &&
                              strcmp(o->table, w->table) == 0,
                          "%s row %zu: mysqlbinlog %c `%s`.`%s`, decoder %c `%s`.`%s`", label, i,
                          w->op, w->db, w->table, o->op, o->db, o->table);
            for (int c = 0; c < w->nb; c++) {
                ck_assert_msg(o->bv && c < (int)o->ncols, "%s row %zu: no before image", label, i);
                if (w->bv[c]) mb_value_check(label, i, c + 1, w->bv[c], w->bt[c], o->bv[c]);
            }
            for (int c = 0; c < w->na; c++) {
                ck_assert_msg(o->av && c < (int)o->ncols, "%s row %zu: no after image", label, i);
                if (w->av[c]) mb_value_check(label, i, c + 1, w->av[c], w->at[c], o->av[c]);
            }
        }
    }
    mb_free(&m);
}

static const struct {
    const char *bin, *text;
    int complete;
} mb_cases[] = {
    {"mysql-cdc-rs/5.7/02_query/log.bin", "mysql-cdc-rs/5.7/02_query/dump.txt", 1},
    {"mysql-cdc-rs/5.7/03_stop/log.bin", "mysql-cdc-rs/5.7/03_stop/dump.txt", 1},
    {"mysql-cdc-rs/5.7/04_rotate/log.bin", "mysql-cdc-rs/5.7/04_rotate/dump.txt", 1},
    {"mysql-cdc-rs/5.7/05_intvar/log.bin", "mysql-cdc-rs/5.7/05_intvar/dump.txt", 1},
    {"mysql-cdc-rs/5.7/13_rand/log.bin", "mysql-cdc-rs/5.7/13_rand/dump.txt", 1},
    {"mysql-cdc-rs/5.7/14_user_var/log.bin", "mysql-cdc-rs/5.7/14_user_var/dump.txt", 1},
    {"mysql-cdc-rs/5.7/15_format_desc/log.bin", "mysql-cdc-rs/5.7/15_format_desc/dump.txt", 1},
    {"mysql-cdc-rs/5.7/16_xid/log.bin", "mysql-cdc-rs/5.7/16_xid/dump.txt", 1},
    {"mysql-cdc-rs/5.7/17_18_load/log.bin", "mysql-cdc-rs/5.7/17_18_load/dump.txt", 1},
    {"mysql-cdc-rs/5.7/19_table_map/log.bin", "mysql-cdc-rs/5.7/19_table_map/dump.txt", 1},
    {"mysql-cdc-rs/5.7/29_row_query/log.bin", "mysql-cdc-rs/5.7/29_row_query/dump.txt", 1},
    {"mysql-cdc-rs/5.7/30_write_rows_v2/log.bin", "mysql-cdc-rs/5.7/30_write_rows_v2/dump.txt", 1},
    {"mysql-cdc-rs/5.7/31_update_rows_v2/log.bin", "mysql-cdc-rs/5.7/31_update_rows_v2/dump.txt",
     0},
    {"mysql-cdc-rs/5.7/32_delete_rows_v2/log.bin", "mysql-cdc-rs/5.7/32_delete_rows_v2/dump.txt",
     1},
    {"mysql-cdc-rs/5.7/33_35_gtid_prev_gtid/log.bin",
     "mysql-cdc-rs/5.7/33_35_gtid_prev_gtid/dump.txt", 1},
    {"mysql-cdc-rs/5.7/34_anonymous_gtid/log.bin", "mysql-cdc-rs/5.7/34_anonymous_gtid/dump.txt",
     1},
    {"mysql-cdc-rs/8.0/02_query/binlog.000001", "mysql-cdc-rs/8.0/02_query/dump.txt", 1},
    {"mysql-cdc-rs/8.0/19_30_Table_map_event_Write_rows_log_event/binlog.000018",
     "mysql-cdc-rs/8.0/19_30_Table_map_event_Write_rows_log_event/dump.txt", 1},
    {"mysql-cdc-rs/8.0/31_update_rows_v2/binlog.000001",
     "mysql-cdc-rs/8.0/31_update_rows_v2/dump.txt", 1},
    {"mysql_binlog_utils/mysql-bin56.000001", "mysql_binlog_utils/mysql-bin56-result.000001", 1},
    {"mysql_binlog_utils/mysql-bin56.000002", "mysql_binlog_utils/mysql-bin56-result.000002", 1},
    {"mysql_binlog_utils/only-header-mysql-bin", "mysql_binlog_utils/only-header-mysql-bin-result",
     1},
    /* the result covers the file up to 26399 of 34094 bytes */
    {"mysql_binlog_utils/test-mysql-bin", "mysql_binlog_utils/test-mysql-bin-result", 0},
    /* mysqlbinlog --start-position=1708 of a relay log: master positions */
    {"percona-toolkit/relay-binlog001", "percona-toolkit/relay-binlog001-at-1708.txt", 0},
};

START_TEST(mysqlbinlog_output)
{
    run *r = run_rel(mb_cases[_i].bin, KEEP_VALUES);
    assert_ok(r);
    char *t = load_text(mb_cases[_i].text);
    check_mysqlbinlog(r, t, mb_cases[_i].complete, mb_cases[_i].text);
    free(t);
}
END_TEST

/* SHOW BINLOG EVENTS (mysql-cdc-rs 8.0 show.txt) */
static int show_type(const char *n)
{
    static const struct {
        const char *n;
        int t;
    } m[] = {
        {"Format_desc", 15}, {"Previous_gtids", 35}, {"Anonymous_Gtid", 34},
        {"Gtid", 33},        {"Query", 2},           {"Table_map", 19},
        {"Write_rows", 30},  {"Update_rows", 31},    {"Delete_rows", 32},
        {"Xid", 16},         {"Rotate", 4},          {"Stop", 3},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(m[i].n, n) == 0) return m[i].t;
    return -1;
}

static const char *const show_cases[][2] = {
    {"mysql-cdc-rs/8.0/02_query/binlog.000001", "mysql-cdc-rs/8.0/02_query/show.txt"},
    {"mysql-cdc-rs/8.0/02_query_bigger/binlog.000733", "mysql-cdc-rs/8.0/02_query_bigger/show.txt"},
    {"mysql-cdc-rs/8.0/19_30_Table_map_event_Write_rows_log_event/binlog.000018",
     "mysql-cdc-rs/8.0/19_30_Table_map_event_Write_rows_log_event/show.txt"},
    {"mysql-cdc-rs/8.0/31_update_rows_v2/binlog.000001",
     "mysql-cdc-rs/8.0/31_update_rows_v2/show.txt"},
};

START_TEST(show_binlog_events)
{
    const char *label = show_cases[_i][1];
    run *r = run_rel(show_cases[_i][0], 0);
    assert_ok(r);
    char *t = load_text(label);
    size_t nl;
    char **L = split_lines(t, &nl);
    size_t seen = 0;
    char bpath[4096];
    snprintf(bpath, sizeof bpath, BIN "%s", show_cases[_i][0]);
    size_t fsize = 0;
    free(slurp(bpath, &fsize));
    for (size_t i = 0; i < nl; i++) {
        if (!starts(L[i], "| binlog.")) continue;
        char *f[8];
        int nf = 0;
        char *p = L[i] + 1;
        while (nf < 7) {
            char *bar = strchr(p, '|');
            f[nf++] = p;
            if (!bar) break;
            *bar = 0;
            p = bar + 1;
        }
        ck_assert_msg(nf >= 6, "%s: cannot read %s", label, L[i]);
        unsigned long long pos = strtoull(f[1], NULL, 10), end = strtoull(f[4], NULL, 10);
        unsigned sid = (unsigned)strtoul(f[3], NULL, 10);
        char tn[64];
        ck_assert(sscanf(f[2], "%63s", tn) == 1);
        int ty = show_type(tn);
        ck_assert_msg(ty >= 0, "%s: unknown Event_type %s", label, tn);
        /* the server went on writing after the fixture was copied (its FDE
         * still has the in-use flag): events past the copy are not in it */
        if (pos >= fsize) continue;
        const rev *x = ev_at(r, pos);
        ck_assert_msg(x, "%s: SHOW BINLOG EVENTS lists %s at %llu; decoder reported none", label,
                      tn, pos);
        ck_assert_msg(x->type == ty, "%s: at %llu: %s, decoder type %u", label, pos, tn, x->type);
        ck_assert_msg(x->log_pos == end, "%s: at %llu: End_log_pos %llu, decoder %u", label, pos,
                      end, x->log_pos);
        ck_assert_msg(x->server_id == sid, "%s: at %llu: Server_id %u, decoder %u", label, pos, sid,
                      x->server_id);
        const char *xs = nf >= 6 ? strstr(f[5], "xid=") : NULL;
        if (xs) {
            unsigned long long xid = strtoull(xs + 4, NULL, 10);
            ck_assert_msg(x->has_xid && x->xid == xid, "%s: at %llu: xid=%llu, decoder %llu", label,
                          pos, xid, (unsigned long long)x->xid);
        }
        unsigned long long tid;
        char dbt[200];
        if (ty == 19 && sscanf(f[5], " table_id: %llu (%199[^)])", &tid, dbt) == 2) {
            long long got;
            ck_assert(detail_int(x, "table_id", &got));
            ck_assert_msg((unsigned long long)got == tid,
                          "%s: at %llu: table_id %llu, decoder %lld", label, pos, tid, got);
            char both[400];
            snprintf(both, sizeof both, "%s.%s", detail_str(x, "db"), detail_str(x, "table"));
            ck_assert_msg(strcmp(both, dbt) == 0, "%s: at %llu: %s, decoder %s", label, pos, dbt,
                          both);
        }
        seen++;
    }
    ck_assert_msg(seen == count_top(r), "%s: %zu events listed, decoder %zu", label, seen,
                  count_top(r));
    free(L);
    free(t);
}
END_TEST

/* ======================================================================
 * values written down by the fixtures' origins
 * ====================================================================== */

/* rust_mysql_common/EXPECTED.md, mariadb-bin.000001 */
START_TEST(mariadb_outbox)
{
    run *r = run_rel("rust_mysql_common/mariadb-bin.000001", KEEP_VALUES | KEEP_TABLES);
    assert_ok(r);
    ck_assert_uint_eq(r->nrows, 2);
    static const char *names[] = {"id", "topic", "event_type", "event", "created"};
    static const long long coll[] = {0, 45, 45, 63, 0};
    for (size_t i = 0; i < 2; i++) {
        const rrow *w = &r->rows[i];
        ck_assert_str_eq(w->db, "toddy_test");
        ck_assert_str_eq(w->table, "outbox");
        ck_assert_uint_eq(w->ncols, 5);
        for (unsigned c = 0; c < 5; c++) {
            const char *n = tcol_name(w, c);
            ck_assert_msg(n && strcmp(n, names[c]) == 0, "column %u named %s, expected %s", c + 1,
                          n ? n : "(unknown)", names[c]);
            ck_assert_msg(tcol_int(w, c, "is_pk") == (c == 0), "column %s pk flag", names[c]);
            ck_assert_msg(tcol_int(w, c, "collation") == coll[c],
                          "column %s collation %lld, expected %lld", names[c],
                          tcol_int(w, c, "collation"), coll[c]);
        }
        expect_json(json_object_get(w->tdesc, "pk"), "[0]", "primary key columns");
        /* the values from the ANNOTATE_ROWS statement upstream logged:
         * insert into outbox (topic, event_type, event) values ('foo', 'JSON', '{"foo":1}')
         * event is a binary BLOB (charset 63): base64 per docs/format.md;
         * event_type is an ENUM whose members the TABLE_MAP carries: the member */
        expect_json(w->av[1], "\"foo\"", "topic");
        expect_json(w->av[2], "\"JSON\"", "event_type");
        expect_json(w->av[3], "\"eyJmb28iOjF9\"", "event (base64 of {\"foo\":1})");
        ck_assert_msg(json_is_string(w->av[4]), "created is a TIMESTAMP string");
        ck_assert(w->op == 'c' && w->bv == NULL);
        expect_json(json_object_get(json_object_get(w->line, "source"), "flavor"), "\"mariadb\"",
                    "flavor");
    }
}
END_TEST

/* EXPECTED.md's L: the line "L = ..." */
static char *expected_md_L(void)
{
    char *t = slurp(BIN "rust_mysql_common/EXPECTED.md", NULL);
    ck_assert(t != NULL);
    const char *p = strstr(t, "\nL = ");
    ck_assert(p != NULL);
    p += 5;
    size_t n = strcspn(p, "\n");
    char *l = xstrndup(p, n);
    free(t);
    ck_assert_uint_eq(strlen(l), 298);
    return l;
}

/* rust_mysql_common/EXPECTED.md, mysql-enum-string-set.000001.  The member
 * lists are those of the CREATE TABLE the log itself holds; docs/format.md:
 * ENUM as its member, SET as members joined with ",". */
START_TEST(mysql_enum_string_set)
{
    run *r = run_rel("rust_mysql_common/mysql-enum-string-set.000001", KEEP_VALUES | KEEP_TABLES);
    assert_ok(r);
    ck_assert_uint_eq(r->nrows, 3);
    char *L = expected_md_L();
    char s100[101];
    for (int i = 0; i < 100; i++)
        s100[i] = (char)('0' + i % 10);
    s100[100] = 0;
    char *e1 = xrealloc(NULL, 1024), *e2 = xrealloc(NULL, 1024);
    snprintf(e1, 1024, "[\"%s\",\"%s\",\"var1\",\"one,three\",\"0123456789\"]", s100, L);
    snprintf(e2, 1024, "[\"field1\",\"field_2\",\"variant2\",\"two,four\",\"%s\"]", L);
    ck_assert(r->rows[0].op == 'c' && r->rows[1].op == 'u' && r->rows[2].op == 'd');
    expect_image(r, 0, 1, e1);
    expect_image(r, 1, 0, e1);
    expect_image(r, 1, 1, e2);
    expect_image(r, 2, 0, e2);
    free(e1);
    free(e2);
    free(L);
    const rrow *w = &r->rows[0];
    static const char *names[] = {"f1", "f2", "f3", "f4", "f5"};
    for (unsigned c = 0; c < 5; c++) {
        const char *n = tcol_name(w, c);
        ck_assert_msg(n && strcmp(n, names[c]) == 0, "column %u named %s", c + 1,
                      n ? n : "(unknown)");
    }
    ck_assert_int_eq(tcol_int(w, 2, "real_type"), 247); /* ENUM */
    ck_assert_int_eq(tcol_int(w, 3, "real_type"), 248); /* SET */
    expect_json(json_object_get(tcol(w, 2), "members"), "[\"var1\",\"variant2\",\"foo\"]",
                "f3 members");
    expect_json(json_object_get(tcol(w, 3), "members"), "[\"one\",\"two\",\"three\",\"four\"]",
                "f4 members");
    for (size_t i = 0; i < 3; i++)
        ck_assert_msg(row_last(r, i), "row %zu is its transaction's last", i);
}
END_TEST

static float f32le(const uint8_t *p)
{
    float f;
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    memcpy(&f, &u, 4);
    return f;
}

/* rust_mysql_common/EXPECTED.md, vector.binlog */
START_TEST(vector_binlog)
{
    run *r = run_rel("rust_mysql_common/vector.binlog", KEEP_VALUES | KEEP_TABLES);
    assert_ok(r);
    /* the 12th event of the file (FDE = 1) is the rows event */
    ck_assert(r->nev >= 12);
    const rev *x = &r->ev[11];
    ck_assert_msg(x->type == 30, "12th event type %u", x->type);
    size_t first = r->nrows;
    for (size_t i = 0; i < r->nrows; i++)
        if (r->rows[i].pos == x->pos) {
            first = i;
            break;
        }
    ck_assert_msg(first + 1 < r->nrows && r->rows[first + 1].pos == x->pos,
                  "two rows from the event at %llu", (unsigned long long)x->pos);
    static const uint8_t vb[2][12] = {
        {0xcd, 0xcc, 0x8c, 0x3f, 0xcd, 0xcc, 0x0c, 0x40, 0x33, 0x33, 0x53, 0x40},
        {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x80, 0xbf, 0x00, 0x00, 0x00, 0x00},
    };
    /* docs/format.md: float32 elements as the shortest text that reads back
     * to the same float32 */
    static const char *text[2] = {"[1.1,2.2,3.3]", "[1,-1,0]"};
    for (int k = 0; k < 2; k++) {
        const rrow *w = &r->rows[first + k];
        ck_assert_str_eq(w->table, "foo");
        expect_json(w->av[0], k ? "2" : "1", "id");
        const json_t *a = w->av[1];
        ck_assert_msg(json_is_array(a) && json_array_size(a) == 3, "vector of 3");
        for (int e = 0; e < 3; e++) {
            float want = f32le(vb[k] + 4 * e);
            ck_assert_msg((float)json_number_value(json_array_get(a, (size_t)e)) == want,
                          "row %d element %d: want %g", k + 1, e, (double)want);
        }
        ck_assert_str_eq(w->atx[1], text[k]);
        ck_assert_int_eq(tcol_int(w, 1, "vector_dim"), 3);
    }
    /* bar: VECTOR_DIMENSIONALITY [2, 4] over its two VECTOR columns */
    int seen_bar = 0;
    for (size_t i = 0; i < r->nrows; i++) {
        const rrow *w = &r->rows[i];
        if (strcmp(w->table, "bar") != 0) continue;
        seen_bar = 1;
        ck_assert_int_eq(tcol_int(w, 1, "vector_dim"), 2);
        ck_assert_int_eq(tcol_int(w, 3, "vector_dim"), 4);
    }
    ck_assert(seen_bar);
}
END_TEST

/* rust_mysql_common/EXPECTED.md, time_issue.000001 */
START_TEST(time_issue)
{
    run *r = run_rel("rust_mysql_common/time_issue.000001", KEEP_VALUES);
    assert_ok(r);
    ck_assert_uint_eq(r->nrows, 1);
    expect_image(r, 0, 1, "[\"-507:48:27\"]");
}
END_TEST

/* rust_mysql_common/EXPECTED.md, tagged and untagged PREVIOUS_GTIDS and
 * GTID_TAGGED.  Text forms are MySQL's: uuid:1-13:tag:1-2, uuid:tag:gno. */
START_TEST(gtid_tagged)
{
    run *r = run_rel("rust_mysql_common/binlog_transaction_with_GTID_TAG.000001", KEEP_VALUES);
    assert_ok(r);
    int seen_prev = 0, seen_tagged = 0;
    for (size_t i = 0; i < r->nev; i++) {
        const rev *x = &r->ev[i];
        if (x->type == 35) {
            seen_prev++;
            const char *g = detail_str(x, "gtid_set");
            ck_assert_msg(g &&
                              strcmp(g, "55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2") == 0,
                          "gtid_set %s", g ? g : "(none)");
        }
        if (x->type == 42) {
            seen_tagged++;
            const char *g = detail_str(x, "gtid");
            ck_assert_msg(g && strcmp(g, "55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3") == 0,
                          "gtid %s", g ? g : "(none)");
        }
    }
    ck_assert_int_eq(seen_prev, 1);
    ck_assert_int_eq(seen_tagged, 1);
    ck_assert_uint_eq(r->nrows, 1);
    expect_json(src_field(r, 0, "gtid"), "\"55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3\"",
                "row gtid");

    run *u = run_rel("rust_mysql_common/binlog_transaction_previous_GTID_no_tag.000001", 0);
    assert_ok(u);
    seen_prev = 0;
    for (size_t i = 0; i < u->nev; i++)
        if (u->ev[i].type == 35) {
            seen_prev++;
            const char *g = detail_str(&u->ev[i], "gtid_set");
            ck_assert_msg(g && strcmp(g, "b9b88c66-0755-11f1-9899-4a9da94c4d71:1-2") == 0,
                          "gtid_set %s", g ? g : "(none)");
        }
    ck_assert_int_eq(seen_prev, 1);
}
END_TEST

/* rust_mysql_common/EXPECTED.md, transaction_compression.000001: the
 * payload holds QUERY, TABLE_MAP, WRITE_ROWS_V2, XID and nothing else;
 * docs/format.md: inner events carry the payload's pos and a 1-based inner */
START_TEST(transaction_compression)
{
    run *r = run_rel("rust_mysql_common/transaction_compression.000001", KEEP_VALUES);
    assert_ok(r);
    size_t pi = r->nev;
    for (size_t i = 0; i < r->nev; i++)
        if (r->ev[i].type == 40) pi = i;
    ck_assert_msg(pi < r->nev, "no TRANSACTION_PAYLOAD event");
    static const uint8_t want[] = {2, 19, 30, 16};
    for (size_t k = 0; k < 4; k++) {
        ck_assert(pi + 1 + k < r->nev);
        const rev *x = &r->ev[pi + 1 + k];
        ck_assert_msg(x->type == want[k] && x->inner == k + 1 && x->pos == r->ev[pi].pos,
                      "inner event %zu: type %u inner %u pos %llu", k + 1, x->type, x->inner,
                      (unsigned long long)x->pos);
        ck_assert_uint_eq(x->log_pos, 0);
    }
    ck_assert_msg(pi + 5 >= r->nev || r->ev[pi + 5].inner == 0, "a 5th inner event");
    ck_assert_uint_eq(r->nrows, 1);
    ck_assert_uint_eq(r->rows[0].inner, 3);
    ck_assert_uint_eq(r->rows[0].pos, r->ev[pi].pos);
    expect_json(src_field(r, 0, "inner"), "3", "source.inner");
    ck_assert(row_last(r, 0));
    ck_assert_msg(json_is_integer(src_field(r, 0, "xid")), "xid from the inner XID");
    ck_assert_int_eq(json_integer_value(src_field(r, 0, "xid")), (json_int_t)r->ev[pi + 4].xid);
}
END_TEST

/* mysql-binlog-connector-java/mysql-bin.compressed.expected.txt */
START_TEST(connector_java_compressed)
{
    run *r = run_rel("mysql-binlog-connector-java/mysql-bin.compressed", KEEP_VALUES | KEEP_TABLES);
    assert_ok(r);
    ck_assert_uint_eq(count_top(r), 5);
    static const uint8_t top[] = {15, 35, 34, 40, 4};
    size_t ti = 0;
    size_t pi = r->nev;
    for (size_t i = 0; i < r->nev; i++) {
        if (r->ev[i].inner) continue;
        ck_assert_msg(r->ev[i].type == top[ti], "top-level event %zu: type %u", ti + 1,
                      r->ev[i].type);
        if (r->ev[i].type == 40) pi = i;
        ti++;
    }
    const rev *p = &r->ev[pi];
    ck_assert_uint_eq(p->pos, 236);
    ck_assert_uint_eq(p->log_pos, 724);
    /* 4 inner events, no CRC, log_pos 0; data_len = size - 19 */
    static const struct {
        uint8_t type;
        uint32_t data_len;
        uint16_t flags;
    } in[] = {{2, 57, 0x0008}, {19, 63, 0}, {31, 756, 0}, {16, 8, 0}};
    size_t total = 0;
    for (size_t k = 0; k < 4; k++) {
        const rev *x = &r->ev[pi + 1 + k];
        ck_assert_msg(x->inner == k + 1 && x->type == in[k].type, "inner %zu type %u", k + 1,
                      x->type);
        ck_assert_uint_eq(x->ts, 1646406641);
        ck_assert_uint_eq(x->server_id, 223344);
        ck_assert_uint_eq(x->log_pos, 0);
        ck_assert_msg(x->size == in[k].data_len + 19, "inner %zu size %u, data_len %u", k + 1,
                      x->size, in[k].data_len);
        if (k < 3) ck_assert_msg(x->flags == in[k].flags, "inner %zu flags %#x", k + 1, x->flags);
        total += x->size;
    }
    /* uncompressed_size=960: the inner events fill it exactly */
    ck_assert_uint_eq(total, 960);
    const rev *q = &r->ev[pi + 1];
    expect_detail_u(q, "thread_id", 12, "QUERY");
    expect_detail_u(q, "exec_time", 0, "QUERY");
    expect_detail_u(q, "error_code", 0, "QUERY");
    ck_assert_str_eq(detail_str(q, "db"), "");
    ck_assert_str_eq(detail_str(q, "query"), "BEGIN");
    const rev *tm = &r->ev[pi + 2];
    expect_detail_u(tm, "table_id", 84, "TABLE_MAP");
    ck_assert_str_eq(detail_str(tm, "db"), "demo");
    ck_assert_str_eq(detail_str(tm, "table"), "movies");
    ck_assert(r->ev[pi + 4].has_xid && r->ev[pi + 4].xid == 31);

    ck_assert_uint_eq(r->nrows, 1);
    const rrow *w = &r->rows[0];
    ck_assert(w->op == 'u');
    ck_assert_str_eq(w->db, "demo");
    ck_assert_str_eq(w->table, "movies");
    ck_assert_uint_eq(w->ncols, 11);
    expect_json(json_object_get(w->tdesc, "table_id"), "84", "table_id");
    static const int types[] = {3, 15, 3, 15, 15, 15, 15, 15, 15, 15, 15};
    static const int meta[] = {0, 1024, 0, 1024, 1024, 4096, 2048, 1024, 1024, 1024, 1024};
    for (unsigned c = 0; c < 11; c++) {
        ck_assert_int_eq(tcol_int(w, c, "type"), types[c]);
        ck_assert_int_eq(tcol_int(w, c, "meta"), meta[c]);
        /* SIGNEDNESS: all signed; DEFAULT_CHARSET 255 for the character columns */
        if (types[c] == 3) ck_assert_int_eq(tcol_int(w, c, "unsigned"), 0);
        if (types[c] == 15) ck_assert_int_eq(tcol_int(w, c, "collation"), 255);
    }
    static const char *cast =
        "Claudia Cardinale|Charles Bronson|Henry Fonda|Gabriele Ferzetti|Frank Wolff|Al Mulock|"
        "Jason Robards|Woody Strode|Jack Elam|Lionel Stander|Paolo Stoppa|Keenan Wynn|Aldo "
        "Sambrell";
    char e[2048];
    snprintf(e, sizeof e,
             "[1,\"Once Upon a Time in the West\",1968,\"Italy\",\"%s\",\"%s\",\"Sergio Leone\","
             "\"Ennio Morricone\",\"Sergio Leone|Sergio Donati|Dario Argento|Bernardo Bertolucci\","
             "\"Tonino Delli Colli\",\"Paramount Pictures\"]",
             "Western", cast);
    expect_image(r, 0, 0, e);
    snprintf(e, sizeof e,
             "[1,\"Once Upon a Time in the West\",1968,\"Italy\",\"%s\",\"%s\",\"Sergio Leone\","
             "\"Ennio Morricone\",\"Sergio Leone|Sergio Donati|Dario Argento|Bernardo Bertolucci\","
             "\"Tonino Delli Colli\",\"Paramount Pictures\"]",
             "Western|Action", cast);
    expect_image(r, 0, 1, e);
    ck_assert(row_last(r, 0));
    expect_json(src_field(r, 0, "xid"), "31", "xid");
    expect_json(src_field(r, 0, "pos"), "236", "pos");
    expect_json(src_field(r, 0, "inner"), "3", "inner");
}
END_TEST

/* MANIFEST.md's percona-binlog-server summary: t1(id SERIAL) gets ids 1..6
 * (two autocommit INSERTs, then one transaction of four), FLUSH, then
 * UPDATE id = id + 100 WHERE id <= 3 and DELETE WHERE id < 100. */
START_TEST(percona_80045)
{
    run *a =
        run_rel("percona-binlog-server/data_80045_gtid/binlog.000001", KEEP_VALUES | KEEP_TABLES);
    assert_ok(a);
    ck_assert_uint_eq(a->nrows, 6);
    for (size_t i = 0; i < 6; i++) {
        const rrow *w = &a->rows[i];
        ck_assert(w->op == 'c');
        ck_assert_str_eq(w->table, "t1");
        char e[16];
        snprintf(e, sizeof e, "[%zu]", i + 1);
        expect_image(a, i, 1, e);
        /* SERIAL = BIGINT UNSIGNED NOT NULL AUTO_INCREMENT */
        ck_assert_int_eq(tcol_int(w, 0, "type"), 8);
        ck_assert_int_eq(tcol_int(w, 0, "unsigned"), 1);
    }
    /* rows 0 and 1 are transactions of their own; rows 2..5 one transaction
     * with exactly one last row, its final one, which alone has the xid */
    ck_assert(row_last(a, 0) && row_last(a, 1));
    ck_assert(json_is_integer(src_field(a, 0, "xid")) && json_is_integer(src_field(a, 1, "xid")));
    int nlast = 0;
    for (size_t i = 2; i < 6; i++) {
        nlast += row_last(a, i);
        ck_assert_msg(json_is_integer(src_field(a, i, "xid")) == (i == 5),
                      "xid only on the last row");
        ck_assert_msg(jeq(src_field(a, i, "gtid"), src_field(a, 2, "gtid")),
                      "one GTID for the transaction");
    }
    ck_assert_int_eq(nlast, 1);
    ck_assert(row_last(a, 5));
    ck_assert_msg(!jeq(src_field(a, 0, "gtid"), src_field(a, 1, "gtid")) &&
                      !jeq(src_field(a, 1, "gtid"), src_field(a, 2, "gtid")),
                  "three transactions, three GTIDs");

    run *b = run_rel("percona-binlog-server/data_80045_gtid/binlog.000002", KEEP_VALUES);
    assert_ok(b);
    ck_assert_uint_eq(b->nrows, 6);
    for (size_t i = 0; i < 3; i++) {
        char e1[16], e2[16];
        ck_assert(b->rows[i].op == 'u');
        snprintf(e1, sizeof e1, "[%zu]", i + 1);
        snprintf(e2, sizeof e2, "[%zu]", i + 101);
        expect_image(b, i, 0, e1);
        expect_image(b, i, 1, e2);
        ck_assert(b->rows[i].av != NULL);
        ck_assert_msg(row_last(b, i) == (i == 2), "update row %zu last flag", i);
    }
    for (size_t i = 3; i < 6; i++) {
        char e1[16];
        ck_assert(b->rows[i].op == 'd' && b->rows[i].av == NULL);
        snprintf(e1, sizeof e1, "[%zu]", i + 1);
        expect_image(b, i, 0, e1);
        ck_assert_msg(row_last(b, i) == (i == 5), "delete row %zu last flag", i);
    }
    ck_assert(!jeq(src_field(b, 0, "gtid"), src_field(b, 3, "gtid")));
}
END_TEST

/* mysql-cdc-rs' test_update_rows_v2 (its tests/, same commit as the
 * fixture): before [1,"abc","abc",blob abc x3, 1.0, 2.0, 3.0000], after
 * [1,"xd","xd",blob xd x3, 4.0, 4.0, 4.0000], table id 208.  The 5.7 log
 * has no column charsets, so whether columns 4-6 are BLOB or TEXT is not
 * in it: docs/format.md ("Unknown character sets") prints valid UTF-8 as a
 * string, so they read "abc" / "xd" where upstream shows bytes. */
START_TEST(cdc57_update_rows)
{
    run *r = run_rel("mysql-cdc-rs/5.7/31_update_rows_v2/log.bin", KEEP_VALUES | KEEP_TABLES);
    assert_ok(r);
    ck_assert_uint_eq(r->nrows, 1);
    ck_assert(r->rows[0].op == 'u');
    ck_assert_str_eq(r->rows[0].db, "default");
    ck_assert_str_eq(r->rows[0].table, "boxercrab");
    expect_json(json_object_get(r->rows[0].tdesc, "table_id"), "208", "table_id");
    expect_image(r, 0, 0, "[1,\"abc\",\"abc\",\"abc\",\"abc\",\"abc\",1.0,2.0,\"3.0000\"]");
    expect_image(r, 0, 1, "[1,\"xd\",\"xd\",\"xd\",\"xd\",\"xd\",4.0,4.0,\"4.0000\"]");
    /* mysqlbinlog: Xid = 1226, GTID e3e2a4ee-b6dc-11ea-8bcf-0242ac150002:1 */
    expect_json(src_field(r, 0, "xid"), "1226", "xid");
    expect_json(src_field(r, 0, "gtid"), "\"e3e2a4ee-b6dc-11ea-8bcf-0242ac150002:1\"", "gtid");
    ck_assert(row_last(r, 0));
}
END_TEST

/* mysql-cdc-rs' 8.0 tests and sql.sql: int_table (1,11,111,1111,11111,true)
 * then col2=22, col3=222; TABLE_MAP table_id 90 / 91, flags 1 */
START_TEST(cdc80_int_table)
{
    run *w = run_rel("mysql-cdc-rs/8.0/19_30_Table_map_event_Write_rows_log_event/binlog.000018",
                     KEEP_VALUES | KEEP_TABLES);
    assert_ok(w);
    ck_assert_uint_eq(w->nrows, 1);
    expect_image(w, 0, 1, "[1,11,111,1111,11111,1]");
    expect_json(json_object_get(w->rows[0].tdesc, "table_id"), "90", "table_id");
    expect_json(json_object_get(w->rows[0].tdesc, "flags"), "1", "table map flags");
    ck_assert_str_eq(w->rows[0].table, "int_table");

    run *u = run_rel("mysql-cdc-rs/8.0/31_update_rows_v2/binlog.000001", KEEP_VALUES | KEEP_TABLES);
    assert_ok(u);
    ck_assert_uint_eq(u->nrows, 2);
    expect_image(u, 0, 1, "[1,11,111,1111,11111,1]");
    ck_assert(u->rows[1].op == 'u');
    expect_image(u, 1, 0, "[1,11,111,1111,11111,1]");
    expect_image(u, 1, 1, "[1,22,222,1111,11111,1]");
    expect_json(json_object_get(u->rows[1].tdesc, "table_id"), "91", "table_id");
    expect_json(json_object_get(u->rows[1].tdesc, "flags"), "1", "table map flags");
    /* SHOW BINLOG EVENTS: COMMIT xid=12 and xid=14 */
    expect_json(src_field(u, 0, "xid"), "12", "xid");
    expect_json(src_field(u, 1, "xid"), "14", "xid");
}
END_TEST

/* the comment of the third row of the five-row INSERT in sql.sql */
static char *query_bigger_comment(void)
{
    char *t = load_text("mysql-cdc-rs/8.0/02_query_bigger/sql.sql");
    const char *p = strstr(t, "(12345678909878, 12356791");
    ck_assert(p != NULL);
    p = strstr(p, "'test', '");
    ck_assert(p != NULL);
    p += 9;
    const char *e = strstr(p, "')");
    ck_assert(e != NULL);
    char *s = xstrndup(p, (size_t)(e - p));
    free(t);
    return s;
}

/* mysql-cdc-rs 8.0/02_query_bigger: sql.sql's statements.  DECIMAL as
 * strings with the column's scale, DATE as YYYY-MM-DD (the inserted
 * '1990-08-01 12:13:16' is truncated to the date by the DATE column). */
START_TEST(cdc80_query_bigger)
{
    run *r = run_rel("mysql-cdc-rs/8.0/02_query_bigger/binlog.000733", KEEP_VALUES);
    assert_ok(r);
    char *zh = query_bigger_comment();
    const char *D = "\"1990-08-01\",\"1990-06-01\",\"1990-01-01\",\"test@test.com\",\"test\"";
    char e[4096];
    struct {
        char op;
        const char *table;
        const char *head; /* up to and incl. L_LINESTATUS */
        const char *comment;
    } rows[] = {
        {'c', "LINEITEM",
         "1234567890111,1235111,13711,888878711,\"99.911\",\"76.11\",\"888.1\",\"109.1\",\"code\","
         "\"Y\"",
         "\"com\""},
        {'c', "LINEITEM",
         "12345678909876,12356789,13789,888878787,\"99.998\",\"76.77\",\"888.7\",\"109.7\","
         "\"code\",\"Y\"",
         "\"com\""},
        {'c', "LINEITEM",
         "12345678909877,12356790,13789,888878788,\"99.997\",\"76.88\",\"888.1\",\"109.8\","
         "\"code\",\"Y\"",
         "\"com\""},
        {'c', "LINEITEM",
         "12345678909878,12356791,13790,888878789,\"99.999\",\"76.99\",\"888.5\",\"109.9\","
         "\"code\",\"Y\"",
         NULL},
        {'c', "LINEITEM",
         "12345678909879,12356792,13791,888878790,\"99.995\",\"76.01\",\"888.3\",\"109.1\","
         "\"code\",\"Y\"",
         "\"com\""},
        {'c', "LINEITEM",
         "12345678909880,12356792,13791,888878791,\"99.999\",\"76.22\",\"888.8\",\"109.0\","
         "\"code\",\"Y\"",
         "\"com\""},
        /* update L_QUANTITY = 88.880, L_RETURNFLAG = 'update L_RETURNFLAG ' */
        {'u', "LINEITEM",
         "12345678909877,12356790,13789,888878788,\"88.880\",\"76.88\",\"888.1\",\"109.8\","
         "\"update L_RETURNFLAG \",\"Y\"",
         "\"com\""},
        /* delete > ...879, then >= ...879 */
        {'d', "LINEITEM",
         "12345678909880,12356792,13791,888878791,\"99.999\",\"76.22\",\"888.8\",\"109.0\","
         "\"code\",\"Y\"",
         "\"com\""},
        {'d', "LINEITEM",
         "12345678909879,12356792,13791,888878790,\"99.995\",\"76.01\",\"888.3\",\"109.1\","
         "\"code\",\"Y\"",
         "\"com\""},
        /* Demo: L_LINESTATUS NULL in rows 1 and 3, L_COMMENT not given: NULL */
        {'c', "Demo",
         "12345678909876,12356789,13789,888878787,\"99.998\",\"76.77\",\"888.7\",\"109.7\","
         "\"code\",null",
         "null"},
        {'c', "Demo",
         "12345678909877,12356790,13789,888878788,\"99.997\",\"76.88\",\"888.1\",\"109.8\","
         "\"code\",\"Y\"",
         "null"},
        {'c', "Demo",
         "12345678909878,12356791,13790,888878789,\"99.999\",\"76.99\",\"888.5\",\"109.9\","
         "\"code\",null",
         "null"},
        {'c', "Demo",
         "12345678909879,12356792,13791,888878790,\"99.995\",\"76.01\",\"888.3\",\"109.1\","
         "\"code\",\"Y\"",
         "null"},
        {'c', "Demo",
         "12345678909880,12356792,13791,888878791,\"99.999\",\"76.22\",\"888.8\",\"109.0\","
         "\"code\",\"Y\"",
         "null"},
    };
    size_t n = sizeof rows / sizeof rows[0];
    ck_assert_uint_eq(r->nrows, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(r->rows[i].op == rows[i].op, "row %zu op %c, expected %c", i, r->rows[i].op,
                      rows[i].op);
        ck_assert_str_eq(r->rows[i].table, rows[i].table);
        ck_assert_str_eq(r->rows[i].db, "test");
        if (rows[i].comment)
            snprintf(e, sizeof e, "[%s,%s,%s]", rows[i].head, D, rows[i].comment);
        else
            snprintf(e, sizeof e, "[%s,%s,\"%s\"]", rows[i].head, D, zh);
        expect_image(r, i, rows[i].op == 'd' ? 0 : 1, e);
    }
    /* the update's before image is row 2 of the five-row insert */
    snprintf(e, sizeof e, "[%s,%s,\"com\"]", rows[2].head, D);
    expect_image(r, 6, 0, e);
    free(zh);
}
END_TEST

/* MySQL's binlog_old_versions test (binlog_old_versions.result) replays
 * these logs: row-based INSERT (0,'one'),(1,'two') into t1, UPDATE a=a+1,
 * DELETE a=2, then statement-based parts (t2 transaction with an XID,
 * @x=4, RAND(), LAST_INSERT_ID(), LOAD DATA). */
static double mysql_rnd(unsigned long long s1, unsigned long long s2)
{
    /* MySQL's my_rnd() with max_value 0x3FFFFFFF: one step */
    const unsigned long long max = 0x3FFFFFFFull;
    s1 = (s1 * 3 + s2) % max;
    return (double)s1 / (double)max;
}

static void old_version_rows(const run *r)
{
    ck_assert_uint_eq(r->nrows, 5);
    const char *ops = "ccuud";
    for (size_t i = 0; i < 5; i++) {
        ck_assert_msg(r->rows[i].op == ops[i], "%s row %zu op %c", r->name, i, r->rows[i].op);
        ck_assert_str_eq(r->rows[i].table, "t1");
    }
    /* b is CHAR(50): MySQL gives CHAR values back without trailing spaces */
    expect_image(r, 0, 1, "[0,\"one\"]");
    expect_image(r, 1, 1, "[1,\"two\"]");
    expect_image(r, 2, 0, "[0,\"one\"]");
    expect_image(r, 2, 1, "[1,\"one\"]");
    expect_image(r, 3, 0, "[1,\"two\"]");
    expect_image(r, 3, 1, "[2,\"two\"]");
    expect_image(r, 4, 0, "[2,\"two\"]");
    /* each statement is its own transaction: its last row is "last" */
    static const int last[] = {0, 1, 0, 1, 1};
    for (size_t i = 0; i < 5; i++)
        ck_assert_msg(row_last(r, i) == last[i], "%s row %zu: \"last\" should be %s", r->name, i,
                      last[i] ? "true" : "false");
}

START_TEST(old_versions_5_1_23)
{
    run *r = run_rel("rust_mysql_common/ver_5_1_23.001", KEEP_VALUES);
    assert_ok(r);
    /* statement-based part, checked against the table contents the result
     * file shows for "modern binlog (version 5.1.23)":  4 four, 0
     * last_insert_id, 674568 random */
    int seen_rand = 0, seen_var = 0, seen_iv = 0;
    for (size_t i = 0; i < r->nev; i++) {
        const rev *x = &r->ev[i];
        long long s1, s2, v;
        if (x->type == 13) {
            ck_assert(detail_int(x, "seed1", &s1) && detail_int(x, "seed2", &s2));
            double rnd = mysql_rnd((unsigned long long)s1, (unsigned long long)s2);
            ck_assert_msg(llround(rnd * 1000000.0) == 674568, "RAND()*1000000 from the seeds: %f",
                          rnd * 1000000.0);
            seen_rand++;
        }
        if (x->type == 14) {
            const char *name = detail_str(x, "name"), *hex = detail_str(x, "value_hex");
            ck_assert(name && strcmp(name, "x") == 0);
            ck_assert(detail_int(x, "value_type", &v) && v == 2); /* INT_RESULT */
            ck_assert_msg(hex && strcmp(hex, "0400000000000000") == 0, "@x = 4: %s",
                          hex ? hex : "");
            seen_var++;
        }
        if (x->type == 5) {
            const char *name = detail_str(x, "var");
            ck_assert(name && strcmp(name, "LAST_INSERT_ID") == 0);
            ck_assert(detail_int(x, "value", &v) && v == 0);
            seen_iv++;
        }
    }
    ck_assert(seen_rand == 1 && seen_var == 1 && seen_iv == 1);
    old_version_rows(r);
}
END_TEST

START_TEST(old_versions_trunk_row_v2)
{
    run *r = run_rel("rust_mysql_common/ver_trunk_row_v2.001", KEEP_VALUES);
    assert_ok(r);
    old_version_rows(r);
}
END_TEST

/* Sakila sample database (MySQL documentation, "Sakila Sample Database",
 * table row counts) loaded on 5.5.27: every row is one WRITE_ROWS_V1 row. */
START_TEST(sakila_gz)
{
    gzFile gz = gzopen(BIN "mysql-binlog-connector-java/mysql-bin.sakila.gz", "rb");
    ck_assert_msg(gz != NULL, "cannot open the gzip fixture");
    size_t cap = 1 << 20, n = 0;
    uint8_t *p = xrealloc(NULL, cap);
    for (;;) {
        if (cap - n < (1 << 16)) p = xrealloc(p, cap *= 2);
        int k = gzread(gz, p + n, (unsigned)(cap - n));
        ck_assert(k >= 0);
        if (k == 0) break;
        n += (size_t)k;
    }
    gzclose(gz);
    run *r = run_bytes(p, n, "mysql-bin.sakila", 0);
    free(p);
    assert_ok(r);
    check_manifest(r, "mysql-binlog-connector-java/mysql-bin.sakila.gz");
    static const struct {
        const char *table;
        size_t rows;
    } want[] = {
        {"actor", 200},          {"address", 603},    {"category", 16},    {"city", 600},
        {"country", 109},        {"customer", 599},   {"film", 1000},      {"film_actor", 5462},
        {"film_category", 1000}, {"film_text", 1000}, {"inventory", 4581}, {"language", 6},
        {"payment", 16049},      {"rental", 16044},   {"staff", 2},        {"store", 2},
    };
    size_t total = 0;
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        size_t c = 0;
        for (size_t i = 0; i < r->nrows; i++)
            if (strcmp(r->rows[i].db, "sakila") == 0 &&
                strcmp(r->rows[i].table, want[k].table) == 0) {
                ck_assert(r->rows[i].op == 'c');
                c++;
            }
        ck_assert_msg(c == want[k].rows, "sakila.%s: %zu rows, expected %zu", want[k].table, c,
                      want[k].rows);
        total += c;
    }
    ck_assert_uint_eq(total, r->nrows);
}
END_TEST

/* MANIFEST.md's histogram for the big real-world 8.0.31 log, spelled out:
 * 502 UPDATE_ROWS_V2, 22 WRITE_ROWS_V2, 524 TABLE_MAP, 523 XID, 663
 * ANONYMOUS_GTID and QUERY, 2900 events in all */
START_TEST(folder_000693_counts)
{
    run *r = run_rel("mysql-cdc-rs/8.0/folder/binlog.000693", 0);
    assert_ok(r);
    size_t c[256] = {0};
    for (size_t i = 0; i < r->nev; i++)
        c[r->ev[i].type]++;
    ck_assert_uint_eq(c[31], 502);
    ck_assert_uint_eq(c[30], 22);
    ck_assert_uint_eq(c[19], 524);
    ck_assert_uint_eq(c[16], 523);
    ck_assert_uint_eq(c[34], 663);
    ck_assert_uint_eq(c[2], 663);
    ck_assert_uint_eq(r->nev, 2900);
    /* every UPDATE/WRITE event carries at least one row */
    ck_assert(r->nrows >= 524);
}
END_TEST

/* wal-g's binlog_test.go: the first event's timestamp */
START_TEST(walg_first_timestamp)
{
    run *r = run_rel("wal-g/binlog_small_test", 0);
    assert_ok(r);
    ck_assert(r->nev > 0);
    ck_assert_uint_eq(r->ev[0].ts, 1566047760);
}
END_TEST

/* ======================================================================
 * suite
 * ====================================================================== */

int main(void)
{
    load_lists();
    Suite *s = suite_create("fixtures");

    TCase *tc = tcase_create("lists");
    tcase_set_timeout(tc, 1200);
    tcase_add_checked_fixture(tc, NULL, teardown_all);
    tcase_add_loop_test(tc, positive_decodes, 0, (int)g_npos);
    tcase_add_loop_test(tc, negative_fails, 0, (int)g_nneg);
    tcase_add_test(tc, crc_mismatch_is_refused);
    tcase_add_test(tc, json_partial_minimal);
    tcase_add_test(tc, cut_file_is_incomplete);
    suite_add_tcase(s, tc);

    tc = tcase_create("manifest");
    tcase_set_timeout(tc, 1200);
    tcase_add_checked_fixture(tc, NULL, teardown_all);
    tcase_add_test(tc, sakila_gz);
    tcase_add_test(tc, folder_000693_counts);
    suite_add_tcase(s, tc);

    tc = tcase_create("text-outputs");
    tcase_set_timeout(tc, 1200);
    tcase_add_checked_fixture(tc, NULL, teardown_all);
    tcase_add_loop_test(tc, mysqlbinlog_output, 0, (int)(sizeof mb_cases / sizeof mb_cases[0]));
    tcase_add_loop_test(tc, show_binlog_events, 0, (int)(sizeof show_cases / sizeof show_cases[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("values");
    tcase_set_timeout(tc, 1200);
    tcase_add_checked_fixture(tc, NULL, teardown_all);
    tcase_add_test(tc, mariadb_outbox);
    tcase_add_test(tc, mysql_enum_string_set);
    tcase_add_test(tc, vector_binlog);
    tcase_add_test(tc, time_issue);
    tcase_add_test(tc, gtid_tagged);
    tcase_add_test(tc, transaction_compression);
    tcase_add_test(tc, connector_java_compressed);
    tcase_add_test(tc, percona_80045);
    tcase_add_test(tc, cdc57_update_rows);
    tcase_add_test(tc, cdc80_int_table);
    tcase_add_test(tc, cdc80_query_bigger);
    tcase_add_test(tc, old_versions_5_1_23);
    tcase_add_test(tc, old_versions_trunk_row_v2);
    tcase_add_test(tc, walg_first_timestamp);
    suite_add_tcase(s, tc);

    tc = tcase_create("format");
    tcase_set_timeout(tc, 1200);
    tcase_add_checked_fixture(tc, NULL, teardown_all);
    tcase_add_loop_test(tc, positive_lines_conform, 0, (int)g_npos);
    suite_add_tcase(s, tc);

    int nf = tu_run(s);
    for (size_t i = 0; i < g_npos; i++)
        free(g_pos[i]);
    free(g_pos);
    free(g_neg);
    free(g_mf);
    return nf ? 1 : 0;
}
