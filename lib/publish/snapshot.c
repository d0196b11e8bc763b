/* snapshot.c - see include/binlogd/snapshot.h and docs/snapshot.md. */
#include "binlogd/snapshot.h"

#include <errno.h>
#include <stdatomic.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Ended requests kept for /snapshot and the checkpoint, the newest. */
#define ENDED_KEPT 16

typedef struct snap_table {
    char name[132], db[65], tb[65];
    int state;
    char error[512];
    char key[256];     /* the chunking key's columns, "a,b" */
    char key_name[80]; /* "PRIMARY", a unique key's name, "[keys]" */
    /* what the snapshot thread read and the data thread published */
    bd_buf after, max;
    int have_max;
    uint64_t chunks, rows;
    size_t size;
    int reload; /* a DDL: load the columns again and start over */
    uint64_t restarts;
    /* what Kafka acknowledged: where a restart goes on */
    bd_buf acked_after;
    uint64_t acked_chunks, acked_rows;
    int acked_done;
    int64_t finished_us;
} snap_table;

typedef struct snap_req {
    char id[24];
    char *patterns, *where;
    int state;
    char error[512];
    int resolved;
    snap_table *tables;
    size_t ntables;
    int64_t created_us, finished_us;
} snap_req;

/* A chunk published, waiting for its ack record to retire. */
typedef struct pending {
    uint64_t txn_no;
    char id[24];
    char table[132];
    uint64_t gen; /* the table's restarts then: a restart voids it */
    bd_buf after;
    uint64_t rows;
    int last;
} pending;

/* The keys the stream published inside the window: open addressing over
 * offsets into an arena (0: empty slot). */
typedef struct keyset {
    uint32_t *slot; /* 1 + offset of a key's length prefix */
    size_t cap, n;
    bd_buf arena;
} keyset;

struct bd_snap {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char nonce[64];
    snap_req *reqs;
    size_t nreqs, cap;
    uint64_t next_id, gen;
    int paused, stopping;
    char pause_why[256];
    double max_lag_s;
    char *start_tables;        /* the [snapshot] tables (and where) last requested at a start */
    size_t size_min, size_max; /* chunk sizes ([snapshot] chunk_min, chunk_max) */
    bd_snap_counts counts;
    /* the window (the snapshot thread arms and fills; the data thread
     * opens and ends it) */
    uint64_t wseq;
    char wid[96];
    int armed, filled, result; /* result: 0 waiting, 1 published, 2 again */
    int taken;                 /* the data thread took the chunk: it ends the window */
    /* the low watermark was seen: set and cleared under mu, read without
     * it by bd_snap_note for every message */
    atomic_int open;
    char wreq[24], wtable[132];
    size_t wtable_len;
    uint64_t wchunk_no;
    uint64_t wgen; /* the table's restarts when its work was taken */
    const bd_snap_shape *wshape;
    const bd_snap_chunk *wchunk;
    int wlast, wddl;
    bd_buf wafter; /* the chunk's last cursor */
    bd_snap_window win;
    /* the data thread's while the window is open: the table (copied at the
     * low watermark), the keys the stream published, a TRUNCATE seen */
    char dtable[132];
    size_t dtable_len;
    int wtrunc;
    keyset ks;
    pending *pend;
    size_t npend, pcap;
};

const char *bd_snap_state_name(int state)
{
    static const char *const names[] = {"pending", "running", "done", "failed", "cancelled"};
    return state >= 0 && state <= BD_SNAP_CANCELLED ? names[state] : "unknown";
}

/* ---- keys ------------------------------------------------------------------ */

static uint64_t key_hash(const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)k[i]) * 1099511628211ULL;
    return h;
}

static const char *key_at(const keyset *s, uint32_t slot, uint32_t *n)
{
    const char *p = s->arena.ptr + slot - 1;
    memcpy(n, p, sizeof *n);
    return p + sizeof *n;
}

static int keyset_has(const keyset *s, const char *k, size_t n)
{
    if (!s->cap) return 0;
    for (size_t i = key_hash(k, n) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->slot[i]) return 0;
        uint32_t l;
        const char *p = key_at(s, s->slot[i], &l);
        if (l == n && !memcmp(p, k, n)) return 1;
    }
}

static int keyset_grow(keyset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!slot) return -1;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slot[i]) continue;
        uint32_t l;
        const char *p = key_at(s, s->slot[i], &l);
        size_t j = key_hash(p, l) & (cap - 1);
        while (slot[j])
            j = (j + 1) & (cap - 1);
        slot[j] = s->slot[i];
    }
    free(s->slot);
    s->slot = slot;
    s->cap = cap;
    return 0;
}

/* -1 when out of memory (the window then fails: read again). */
static int keyset_add(keyset *s, const char *k, size_t n)
{
    if (keyset_has(s, k, n)) return 0;
    if ((s->n + 1) * 2 > s->cap && keyset_grow(s) < 0) return -1;
    if (s->arena.len + n + sizeof(uint32_t) + 1 >= UINT32_MAX) return -1;
    uint32_t at = (uint32_t)s->arena.len + 1, l = (uint32_t)n;
    bd_buf_add(&s->arena, (const char *)&l, sizeof l);
    bd_buf_add(&s->arena, k, n);
    if (bd_buf_failed(&s->arena)) return -1;
    size_t i = key_hash(k, n) & (s->cap - 1);
    while (s->slot[i])
        i = (i + 1) & (s->cap - 1);
    s->slot[i] = at;
    s->n++;
    return 0;
}

static void keyset_clear(keyset *s)
{
    if (s->cap) memset(s->slot, 0, s->cap * sizeof *s->slot);
    s->n = 0;
    bd_buf_reset(&s->arena);
}

/* ---- life ------------------------------------------------------------------ */

bd_snap *bd_snap_new(const char *nonce)
{
    bd_snap *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);
    snprintf(s->nonce, sizeof s->nonce, "%s", nonce);
    s->next_id = 1;
    bd_buf_init(&s->ks.arena);
    bd_buf_init(&s->wafter);
    return s;
}

static void table_release(snap_table *t)
{
    bd_buf_release(&t->after);
    bd_buf_release(&t->max);
    bd_buf_release(&t->acked_after);
}

static void req_release(snap_req *r)
{
    for (size_t i = 0; i < r->ntables; i++)
        table_release(&r->tables[i]);
    free(r->tables);
    free(r->patterns);
    free(r->where);
}

void bd_snap_free(bd_snap *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->nreqs; i++)
        req_release(&s->reqs[i]);
    free(s->reqs);
    for (size_t i = 0; i < s->npend; i++)
        bd_buf_release(&s->pend[i].after);
    free(s->pend);
    free(s->ks.slot);
    bd_buf_release(&s->ks.arena);
    bd_buf_release(&s->wafter);
    free(s->start_tables);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* ---- requests -------------------------------------------------------------- */

static snap_req *req_find(bd_snap *s, const char *id)
{
    for (size_t i = 0; i < s->nreqs; i++)
        if (!strcmp(s->reqs[i].id, id)) return &s->reqs[i];
    return NULL;
}

static snap_table *table_find(snap_req *r, const char *name)
{
    for (size_t i = 0; r && i < r->ntables; i++)
        if (!strcmp(r->tables[i].name, name)) return &r->tables[i];
    return NULL;
}

static int ended(int state) { return state >= BD_SNAP_DONE; }

/* Forget the requests that ended first, beyond ENDED_KEPT ended ones. */
static void req_trim(bd_snap *s)
{
    for (;;) {
        size_t nended = 0, first = SIZE_MAX;
        for (size_t i = 0; i < s->nreqs; i++) {
            if (!ended(s->reqs[i].state)) continue;
            nended++;
            if (first == SIZE_MAX || s->reqs[i].finished_us < s->reqs[first].finished_us) first = i;
        }
        if (nended <= ENDED_KEPT) return;
        req_release(&s->reqs[first]);
        memmove(&s->reqs[first], &s->reqs[first + 1], (s->nreqs - first - 1) * sizeof *s->reqs);
        s->nreqs--;
    }
}

static snap_req *req_add(bd_snap *s)
{
    if (s->nreqs == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        snap_req *r = realloc(s->reqs, cap * sizeof *r);
        if (!r) return NULL;
        s->reqs = r;
        s->cap = cap;
    }
    snap_req *r = &s->reqs[s->nreqs++];
    memset(r, 0, sizeof *r);
    return r;
}

const char *bd_snap_where_check(const char *w)
{
    int depth = 0;
    char q = 0;
    for (const char *p = w; *p; p++) {
        if (q) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == q)
                q = 0;
            continue;
        }
        if (*p == '\'' || *p == '"' || *p == '`')
            q = *p;
        else if (*p == '(')
            depth++;
        else if (*p == ')' && --depth < 0)
            return "a ')' closes more than it opened: the condition must stay inside its "
                   "parentheses";
        else if (*p == ';')
            return "one condition, no ';'";
        else if ((*p == '-' && p[1] == '-') || *p == '#' || (*p == '/' && p[1] == '*'))
            return "no comments";
    }
    if (q) return "a quote is not closed";
    if (depth) return "a '(' is not closed";
    return NULL;
}

int bd_snap_request(bd_snap *s, const char *patterns, const char *where, int64_t now_us, char *id,
                    size_t idn, bd_err *err)
{
    if (!patterns || !*patterns)
        return bd_err_set(err, BD_ERR_UNSUPPORTED, "no tables: give db.table patterns");
    /* what the checkpoint keeps must read back as it was written (JSON
     * text is UTF-8), and what the snapshot thread copies must fit */
    size_t pn = strlen(patterns), wn = where ? strlen(where) : 0;
    if (pn >= BD_SNAP_PATTERNS_MAX || wn >= BD_SNAP_WHERE_MAX)
        return bd_err_set(err, BD_ERR_UNSUPPORTED,
                          "tables (%zu bytes) or where (%zu bytes) too long: at most %d and %d", pn,
                          wn, BD_SNAP_PATTERNS_MAX - 1, BD_SNAP_WHERE_MAX - 1);
    if (!bd_utf8_valid((const uint8_t *)patterns, pn) ||
        (where && !bd_utf8_valid((const uint8_t *)where, wn)))
        return bd_err_set(err, BD_ERR_UNSUPPORTED, "tables and where must be UTF-8 text");
    const char *why = where ? bd_snap_where_check(where) : NULL;
    if (why) return bd_err_set(err, BD_ERR_UNSUPPORTED, "where: %s", why);
    pthread_mutex_lock(&s->mu);
    snap_req *r = req_add(s);
    if (r) {
        r->patterns = strdup(patterns);
        r->where = where && *where ? strdup(where) : NULL;
        if (!r->patterns || (where && *where && !r->where)) {
            req_release(r);
            s->nreqs--;
            r = NULL;
        }
    }
    if (!r) {
        pthread_mutex_unlock(&s->mu);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    snprintf(r->id, sizeof r->id, "%" PRIu64, s->next_id++);
    r->created_us = now_us;
    snprintf(id, idn, "%s", r->id);
    s->counts.requests++;
    s->gen++;
    req_trim(s);
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

int bd_snap_start_request(bd_snap *s, const char *patterns, const char *where, int64_t now_us,
                          char *id, size_t idn, bd_err *err)
{
    char key[BD_SNAP_PATTERNS_MAX + BD_SNAP_WHERE_MAX + 2];
    snprintf(key, sizeof key, "%s\t%s", patterns, where ? where : "");
    pthread_mutex_lock(&s->mu);
    int same = s->start_tables && !strcmp(s->start_tables, key);
    pthread_mutex_unlock(&s->mu);
    if (same) return 0;
    if (bd_snap_request(s, patterns, where, now_us, id, idn, err) < 0) return -1;
    pthread_mutex_lock(&s->mu);
    free(s->start_tables);
    s->start_tables = strdup(key);
    s->gen++;
    pthread_mutex_unlock(&s->mu);
    return 1;
}

/* A request ends when each of its tables has: failed if one failed. */
static void req_settle(snap_req *r, int64_t now_us)
{
    if (ended(r->state) || !r->resolved) return;
    int failed = 0;
    for (size_t i = 0; i < r->ntables; i++) {
        if (!ended(r->tables[i].state) || !r->tables[i].acked_done) {
            if (r->tables[i].state != BD_SNAP_FAILED) return;
        }
        failed |= r->tables[i].state == BD_SNAP_FAILED;
    }
    r->state = failed ? BD_SNAP_FAILED : BD_SNAP_DONE;
    if (failed && !r->error[0]) snprintf(r->error, sizeof r->error, "%s", "a table failed");
    r->finished_us = now_us;
}

int bd_snap_cancel(bd_snap *s, const char *id, int64_t now_us)
{
    pthread_mutex_lock(&s->mu);
    snap_req *r = req_find(s, id);
    int rc = -1;
    if (r && ended(r->state)) {
        rc = 1;
    } else if (r) {
        r->state = BD_SNAP_CANCELLED;
        r->finished_us = now_us;
        for (size_t i = 0; i < r->ntables; i++)
            if (!ended(r->tables[i].state)) {
                r->tables[i].state = BD_SNAP_CANCELLED;
                r->tables[i].finished_us = now_us;
            }
        s->gen++;
        pthread_cond_broadcast(&s->cv);
        rc = 0;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static json_t *jstr_or_null(const char *v) { return v && *v ? json_string(v) : json_null(); }

static json_t *time_json(int64_t us)
{
    if (!us) return json_null();
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    char b[32];
    gmtime_r(&t, &tm);
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(b);
}

/* The cursor text (a JSON array) as JSON, or null. */
static json_t *cursor_json(const bd_buf *b)
{
    if (!b->len) return json_null();
    json_t *j = json_loadb(b->ptr, b->len, 0, NULL);
    return j ? j : json_null();
}

static json_t *key_json(const char *key)
{
    json_t *a = json_array();
    const char *p = key;
    while (p && *p) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        json_array_append_new(a, json_stringn(p, n));
        p = c ? c + 1 : NULL;
    }
    return a;
}

static json_t *req_json(const snap_req *r)
{
    json_t *o = json_object(), *ts = json_array();
    json_object_set_new(o, "id", json_string(r->id));
    json_object_set_new(o, "state", json_string(bd_snap_state_name(r->state)));
    json_object_set_new(o, "requested", json_string(r->patterns));
    json_object_set_new(o, "where", jstr_or_null(r->where));
    json_object_set_new(o, "error", jstr_or_null(r->error));
    json_object_set_new(o, "created", time_json(r->created_us));
    json_object_set_new(o, "finished", time_json(r->finished_us));
    for (size_t i = 0; i < r->ntables; i++) {
        const snap_table *t = &r->tables[i];
        json_t *j = json_object();
        int st = t->state;
        /* published to its end, not all acknowledged yet: still running */
        if (st == BD_SNAP_DONE && !t->acked_done) st = BD_SNAP_RUNNING;
        json_object_set_new(j, "table", json_string(t->name));
        json_object_set_new(j, "state", json_string(bd_snap_state_name(st)));
        json_object_set_new(j, "key", key_json(t->key));
        json_object_set_new(j, "key_name", jstr_or_null(t->key_name));
        json_object_set_new(j, "chunks", json_integer((json_int_t)t->chunks));
        json_object_set_new(j, "rows", json_integer((json_int_t)t->rows));
        json_object_set_new(j, "rows_acked", json_integer((json_int_t)t->acked_rows));
        json_object_set_new(j, "chunks_acked", json_integer((json_int_t)t->acked_chunks));
        json_object_set_new(j, "chunk_size", json_integer((json_int_t)t->size));
        json_object_set_new(j, "restarts", json_integer((json_int_t)t->restarts));
        json_object_set_new(j, "error", jstr_or_null(t->error));
        json_array_append_new(ts, j);
    }
    json_object_set_new(o, "tables", ts);
    return o;
}

static void dump_into(json_t *j, bd_buf *out)
{
    char *t = json_dumps(j, JSON_COMPACT);
    if (t) bd_buf_adds(out, t);
    free(t);
    json_decref(j);
}

int bd_snap_status_json(bd_snap *s, const char *id, bd_buf *out)
{
    pthread_mutex_lock(&s->mu);
    int rc = 0;
    if (id) {
        snap_req *r = req_find(s, id);
        if (r)
            dump_into(req_json(r), out);
        else
            rc = -1;
    } else {
        json_t *o = json_object(), *a = json_array();
        for (size_t i = 0; i < s->nreqs; i++)
            json_array_append_new(a, req_json(&s->reqs[i]));
        json_object_set_new(o, "snapshots", a);
        json_object_set_new(o, "paused", json_boolean(s->paused));
        json_object_set_new(o, "pause_reason", s->paused ? json_string(s->pause_why) : json_null());
        json_object_set_new(o, "max_lag_s", json_real(s->max_lag_s));
        dump_into(o, out);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void bd_snap_counts_get(bd_snap *s, bd_snap_counts *c)
{
    pthread_mutex_lock(&s->mu);
    *c = s->counts;
    c->paused = s->paused;
    c->tables_running = 0;
    for (size_t i = 0; i < s->nreqs; i++)
        for (size_t k = 0; k < s->reqs[i].ntables; k++) {
            const snap_table *t = &s->reqs[i].tables[k];
            c->tables_running += t->state == BD_SNAP_RUNNING || t->state == BD_SNAP_PENDING ||
                                 (t->state == BD_SNAP_DONE && !t->acked_done);
        }
    pthread_mutex_unlock(&s->mu);
}

int bd_snap_loading(bd_snap *s, const char *db, const char *table)
{
    pthread_mutex_lock(&s->mu);
    int on = 0;
    for (size_t i = 0; i < s->nreqs && !on; i++) {
        const snap_req *r = &s->reqs[i];
        if (r->state == BD_SNAP_CANCELLED || r->state == BD_SNAP_FAILED) continue;
        for (size_t k = 0; k < r->ntables && !on; k++) {
            const snap_table *t = &r->tables[k];
            /* a failed or cancelled table loads nothing any more */
            on = !t->acked_done && t->state != BD_SNAP_CANCELLED && t->state != BD_SNAP_FAILED &&
                 !strcmp(t->db, db) && !strcmp(t->tb, table);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return on;
}

/* ---- the snapshot thread ---------------------------------------------------- */

int bd_snap_next_request(bd_snap *s, char *id, size_t idn, char *patterns, size_t pn)
{
    pthread_mutex_lock(&s->mu);
    int found = 0;
    for (size_t i = 0; i < s->nreqs && !found; i++) {
        snap_req *r = &s->reqs[i];
        if (r->resolved || ended(r->state)) continue;
        snprintf(id, idn, "%s", r->id);
        snprintf(patterns, pn, "%s", r->patterns);
        found = 1;
    }
    pthread_mutex_unlock(&s->mu);
    return found;
}

static void split_name(snap_table *t)
{
    const char *dot = strchr(t->name, '.');
    size_t dn = dot ? (size_t)(dot - t->name) : 0;
    snprintf(t->db, sizeof t->db, "%.*s", (int)(dn < 64 ? dn : 64), t->name);
    snprintf(t->tb, sizeof t->tb, "%.64s", dot ? dot + 1 : t->name);
}

void bd_snap_resolved(bd_snap *s, const char *id, const char *tables, const char *keys,
                      const char *err, int64_t now_us)
{
    pthread_mutex_lock(&s->mu);
    snap_req *r = req_find(s, id);
    if (!r || r->resolved || ended(r->state)) goto out;
    r->resolved = 1;
    if (err) {
        r->state = BD_SNAP_FAILED;
        snprintf(r->error, sizeof r->error, "%s", err);
        r->finished_us = now_us;
        s->gen++;
        goto out;
    }
    size_t n = 0;
    for (const char *p = tables; *p; p++)
        n += *p == '\n';
    for (size_t i = 0; i < r->ntables; i++) /* a restored request's, unresolved */
        table_release(&r->tables[i]);
    free(r->tables);
    r->ntables = 0;
    r->tables = calloc(n ? n : 1, sizeof *r->tables);
    if (!r->tables) {
        r->state = BD_SNAP_FAILED;
        snprintf(r->error, sizeof r->error, "out of memory");
        goto out;
    }
    const char *p = tables, *k = keys;
    for (size_t i = 0; i < n; i++) {
        snap_table *t = &r->tables[i];
        const char *e = strchr(p, '\n');
        snprintf(t->name, sizeof t->name, "%.*s", (int)(e - p), p);
        p = e + 1;
        const char *ke = k ? strchr(k, '\n') : NULL;
        if (ke) {
            /* "NAME\tcol,col" or "col,col" */
            const char *tab = memchr(k, '\t', (size_t)(ke - k));
            if (tab) {
                snprintf(t->key_name, sizeof t->key_name, "%.*s", (int)(tab - k), k);
                k = tab + 1;
            }
            snprintf(t->key, sizeof t->key, "%.*s", (int)(ke - k), k);
            k = ke + 1;
        }
        split_name(t);
        bd_buf_init(&t->after);
        bd_buf_init(&t->max);
        bd_buf_init(&t->acked_after);
        t->state = BD_SNAP_PENDING;
    }
    r->ntables = n;
    r->state = BD_SNAP_RUNNING;
    s->gen++;
out:
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

int bd_snap_pending(bd_snap *s)
{
    pthread_mutex_lock(&s->mu);
    int any = 0;
    for (size_t i = 0; i < s->nreqs && !any; i++) {
        const snap_req *r = &s->reqs[i];
        if (ended(r->state)) continue;
        any = !r->resolved;
        for (size_t k = 0; k < r->ntables && !any; k++)
            any = r->tables[k].state == BD_SNAP_PENDING || r->tables[k].state == BD_SNAP_RUNNING;
    }
    pthread_mutex_unlock(&s->mu);
    return any;
}

void bd_snap_work_init(bd_snap_work *w)
{
    memset(w, 0, sizeof *w);
    bd_buf_init(&w->after);
    bd_buf_init(&w->max);
}

void bd_snap_work_release(bd_snap_work *w)
{
    bd_buf_release(&w->after);
    bd_buf_release(&w->max);
}

/* Start a table over from its first chunk (a DDL changed it). */
static void table_restart(bd_snap *s, snap_table *t)
{
    bd_buf_reset(&t->after);
    bd_buf_reset(&t->max);
    t->have_max = 0;
    t->reload = 1;
    /* from its first chunk, the progress too: a checkpoint that kept the
     * old cursor would let a restart skip rows read only under the old
     * columns (chunks published before and acknowledged later are passed
     * over by bd_snap_acked: their restarts number is older) */
    t->chunks = t->rows = 0;
    bd_buf_reset(&t->acked_after);
    t->acked_chunks = t->acked_rows = 0;
    t->restarts++;
    s->counts.restarts++;
    if (t->state == BD_SNAP_DONE) t->state = BD_SNAP_RUNNING;
    t->acked_done = 0;
}

int bd_snap_next(bd_snap *s, bd_snap_work *w)
{
    pthread_mutex_lock(&s->mu);
    int found = 0;
    for (size_t i = 0; i < s->nreqs && !found && !s->paused; i++) {
        snap_req *r = &s->reqs[i];
        if (!r->resolved || ended(r->state)) continue;
        for (size_t k = 0; k < r->ntables && !found; k++) {
            snap_table *t = &r->tables[k];
            if (t->state != BD_SNAP_PENDING && t->state != BD_SNAP_RUNNING) continue;
            if (t->state == BD_SNAP_PENDING) {
                t->state = BD_SNAP_RUNNING;
                s->gen++;
            }
            /* the first chunk at the smallest size; a reload may have
             * moved the bounds since */
            if (!t->size) t->size = s->size_min ? s->size_min : 1024;
            if (s->size_max)
                t->size = t->size < s->size_min   ? s->size_min
                          : t->size > s->size_max ? s->size_max
                                                  : t->size;
            snprintf(w->id, sizeof w->id, "%s", r->id);
            snprintf(w->table, sizeof w->table, "%s", t->name);
            snprintf(w->db, sizeof w->db, "%s", t->db);
            snprintf(w->tb, sizeof w->tb, "%s", t->tb);
            snprintf(w->where, sizeof w->where, "%s", r->where ? r->where : "");
            bd_buf_reset(&w->after);
            bd_buf_add(&w->after, t->after.ptr ? t->after.ptr : "", t->after.len);
            bd_buf_reset(&w->max);
            bd_buf_add(&w->max, t->max.ptr ? t->max.ptr : "", t->max.len);
            w->have_max = t->have_max;
            w->chunk = t->chunks + 1;
            w->size = t->size;
            w->reload = t->reload;
            w->gen = t->restarts;
            t->reload = 0;
            found = 1;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return found;
}

void bd_snap_set_max(bd_snap *s, const char *id, const char *table, uint64_t gen, const char *max,
                     int empty, int64_t now_us)
{
    pthread_mutex_lock(&s->mu);
    snap_req *r = req_find(s, id);
    snap_table *t = table_find(r, table);
    /* read before a DDL that restarted the table: read again */
    if (t && t->state == BD_SNAP_RUNNING && t->restarts == gen) {
        bd_buf_reset(&t->max);
        if (!empty) bd_buf_adds(&t->max, max);
        t->have_max = 1;
        if (empty) {
            /* nothing to read: done, acknowledged as such at once */
            t->state = BD_SNAP_DONE;
            t->acked_done = 1;
            t->finished_us = now_us;
            s->counts.tables_done++;
            req_settle(r, now_us);
        }
        s->gen++;
    }
    pthread_mutex_unlock(&s->mu);
}

void bd_snap_table_failed(bd_snap *s, const char *id, const char *table, const char *why,
                          int64_t now_us)
{
    pthread_mutex_lock(&s->mu);
    snap_req *r = req_find(s, id);
    snap_table *t = table_find(r, table);
    if (t && !ended(t->state)) {
        t->state = BD_SNAP_FAILED;
        snprintf(t->error, sizeof t->error, "%s", why);
        t->finished_us = now_us;
        s->counts.tables_failed++;
        req_settle(r, now_us);
        s->gen++;
    }
    pthread_mutex_unlock(&s->mu);
}

void bd_snap_settings(bd_snap *s, double max_lag_s, size_t min, size_t max)
{
    pthread_mutex_lock(&s->mu);
    s->max_lag_s = max_lag_s;
    s->size_min = min ? min : 1;
    s->size_max = max < s->size_min ? s->size_min : max;
    pthread_mutex_unlock(&s->mu);
}

void bd_snap_pause(bd_snap *s, int on, const char *why)
{
    pthread_mutex_lock(&s->mu);
    s->paused = on;
    snprintf(s->pause_why, sizeof s->pause_why, "%s", on && why ? why : "");
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void bd_snap_chunk_time(bd_snap *s, const char *id, const char *table, size_t n, double took_s,
                        double target_s, size_t min, size_t max)
{
    pthread_mutex_lock(&s->mu);
    snap_table *t = table_find(req_find(s, id), table);
    /* a short chunk (the table's end) says nothing about the size */
    if (t && n >= t->size) {
        size_t sz = t->size;
        if (took_s > target_s)
            sz /= 2;
        else if (took_s < target_s / 2)
            sz *= 2;
        t->size = sz < min ? min : sz > max ? max : sz;
    }
    pthread_mutex_unlock(&s->mu);
}

void bd_snap_arm(bd_snap *s, const bd_snap_work *w, char *wid, size_t n)
{
    pthread_mutex_lock(&s->mu);
    s->wseq++;
    snprintf(s->wid, sizeof s->wid, "%s-%" PRIu64, s->nonce, s->wseq);
    snprintf(wid, n, "%s", s->wid);
    snprintf(s->wreq, sizeof s->wreq, "%s", w->id);
    snprintf(s->wtable, sizeof s->wtable, "%s", w->table);
    s->wtable_len = strlen(s->wtable);
    s->wchunk_no = w->chunk;
    s->wgen = w->gen;
    s->armed = 1;
    s->filled = s->result = s->taken = 0;
    atomic_store(&s->open, 0);
    s->wddl = 0;
    s->wshape = NULL;
    s->wchunk = NULL;
    pthread_mutex_unlock(&s->mu);
}

void bd_snap_fill(bd_snap *s, const bd_snap_shape *shape, const bd_snap_chunk *c, int last)
{
    pthread_mutex_lock(&s->mu);
    s->wshape = shape;
    s->wchunk = c;
    s->wlast = last;
    bd_buf_reset(&s->wafter);
    bd_buf_add(&s->wafter, c->last.ptr ? c->last.ptr : "", c->last.len);
    s->filled = 1;
    pthread_mutex_unlock(&s->mu);
}

static void deadline(struct timespec *ts, double secs)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    double whole = floor(secs);
    ts->tv_sec += (time_t)whole;
    ts->tv_nsec += (long)((secs - whole) * 1e9);
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

int bd_snap_wait(bd_snap *s, double timeout_s)
{
    struct timespec ts;
    deadline(&ts, timeout_s);
    pthread_mutex_lock(&s->mu);
    int rc = -1;
    /* a chunk the data thread took is its own until it ends the window,
     * whatever the timeout: it reads the chunk's rows */
    while (!s->result && (s->taken || !s->stopping)) {
        if (s->taken)
            pthread_cond_wait(&s->cv, &s->mu); /* window_end broadcasts */
        else if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT && !s->taken)
            break;
    }
    if (s->result == 1)
        rc = 1;
    else if (s->result == 2)
        rc = 0;
    /* disarmed: a watermark seen later is a stranger's */
    s->armed = s->filled = s->taken = 0;
    atomic_store(&s->open, 0);
    s->wshape = NULL;
    s->wchunk = NULL;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int bd_snap_ended(bd_snap *s, double timeout_s)
{
    struct timespec ts;
    deadline(&ts, timeout_s);
    pthread_mutex_lock(&s->mu);
    while (!s->result && !s->stopping)
        if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT) break;
    int r = s->result != 0;
    pthread_mutex_unlock(&s->mu);
    return r;
}

void bd_snap_idle(bd_snap *s, double timeout_s)
{
    struct timespec ts;
    deadline(&ts, timeout_s);
    pthread_mutex_lock(&s->mu);
    if (!s->stopping) pthread_cond_timedwait(&s->cv, &s->mu, &ts);
    pthread_mutex_unlock(&s->mu);
}

void bd_snap_stop(bd_snap *s)
{
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ---- the data thread -------------------------------------------------------- */

static int is_wid(const bd_snap *s, const char *id, size_t n)
{
    return s->armed && strlen(s->wid) == n && !memcmp(s->wid, id, n);
}

void bd_snap_low(bd_snap *s, const char *id, size_t n)
{
    pthread_mutex_lock(&s->mu);
    if (is_wid(s, id, n) && !atomic_load(&s->open)) {
        keyset_clear(&s->ks);
        s->wtrunc = 0;
        memcpy(s->dtable, s->wtable, sizeof s->dtable);
        s->dtable_len = s->wtable_len;
        atomic_store(&s->open, 1);
    }
    pthread_mutex_unlock(&s->mu);
}

/* The window's end (lock held): result 1 published, 2 read again. */
static void window_end(bd_snap *s, int result)
{
    s->result = result;
    atomic_store(&s->open, 0);
    pthread_cond_broadcast(&s->cv);
}

const bd_snap_window *bd_snap_high(bd_snap *s, const char *id, size_t n)
{
    pthread_mutex_lock(&s->mu);
    const bd_snap_window *w = NULL;
    if (is_wid(s, id, n) && !s->result) {
        snap_req *r = req_find(s, s->wreq);
        snap_table *t = table_find(r, s->wtable);
        /* a DDL since the work was taken (wgen) voids it, even one that
         * came before the window was armed */
        if (!atomic_load(&s->open) || !s->filled || s->wddl || !t || t->state != BD_SNAP_RUNNING ||
            t->restarts != s->wgen || (r && r->state == BD_SNAP_CANCELLED)) {
            /* no low watermark seen, no chunk, a DDL, or cancelled meanwhile */
            if (atomic_load(&s->open) || s->filled) s->counts.windows_failed += !s->wddl;
            window_end(s, 2);
        } else {
            bd_snap_window *x = &s->win;
            x->shape = s->wshape;
            x->chunk = s->wchunk;
            x->last = s->wlast;
            x->all_dropped = s->wtrunc;
            json_t *b = json_object();
            json_object_set_new(b, "id", json_string(s->wreq));
            json_object_set_new(b, "table", json_string(s->wtable));
            json_object_set_new(b, "chunk", json_integer((json_int_t)s->wchunk_no));
            json_object_set_new(b, "last", json_boolean(s->wlast));
            char *txt = json_dumps(b, JSON_COMPACT | JSON_PRESERVE_ORDER);
            json_decref(b);
            x->block_len = 0;
            if (txt && strlen(txt) + 13 < sizeof x->block)
                x->block_len = (size_t)snprintf(x->block, sizeof x->block, ",\"snapshot\":%s", txt);
            free(txt);
            if (x->block_len) {
                w = x;
                s->taken = 1;
            } else
                window_end(s, 2);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return w;
}

void bd_snap_note(bd_snap *s, const char *table, size_t tn, const char *key, size_t kn, char op)
{
    /* dtable is this thread's copy, made when it opened the window */
    if (!atomic_load_explicit(&s->open, memory_order_acquire) || tn != s->dtable_len ||
        memcmp(table, s->dtable, tn) != 0)
        return;
    if (op == 't') {
        s->wtrunc = 1;
        return;
    }
    /* no key (the stream keys the table otherwise than the chunk: never
     * expected), or no memory: drop every row rather than guess */
    if (!key || keyset_add(&s->ks, key, kn) < 0) s->wtrunc = 1;
}

int bd_snap_ddl(bd_snap *s, const char *db, const char *table)
{
    int n = 0;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->nreqs; i++) {
        snap_req *r = &s->reqs[i];
        if (ended(r->state)) continue;
        for (size_t k = 0; k < r->ntables; k++) {
            snap_table *t = &r->tables[k];
            if ((t->state != BD_SNAP_RUNNING && t->state != BD_SNAP_DONE) || t->acked_done)
                continue;
            /* "" matches any: a DDL whose tables could not be read names
             * none, a DROP DATABASE no table, a name without a database no
             * database; case as the server may fold it (a restart too many
             * costs a re-read, one too few a stale copy) */
            if ((db[0] && strcasecmp(t->db, db) != 0) ||
                (table[0] && strcasecmp(t->tb, table) != 0))
                continue;
            if (s->armed && !strcmp(s->wtable, t->name)) s->wddl = 1;
            table_restart(s, t);
            s->gen++;
            n++;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return n;
}

int bd_snap_dropped(const bd_snap *s, const char *key, size_t kn)
{
    return s->wtrunc || keyset_has(&s->ks, key, kn);
}

void bd_snap_published(bd_snap *s, uint64_t txn_no, size_t published)
{
    pthread_mutex_lock(&s->mu);
    snap_req *r = req_find(s, s->wreq);
    snap_table *t = table_find(r, s->wtable);
    size_t nrows = s->wchunk ? s->wchunk->nrows : 0;
    if (t && t->state == BD_SNAP_RUNNING && t->restarts == s->wgen) {
        t->chunks++;
        t->rows += published;
        bd_buf_reset(&t->after);
        bd_buf_add(&t->after, s->wafter.ptr ? s->wafter.ptr : "", s->wafter.len);
        s->counts.chunks++;
        s->counts.rows += published;
        s->counts.rows_dropped += nrows - published;
        if (s->wlast) t->state = BD_SNAP_DONE;
        if (s->npend == s->pcap) {
            size_t cap = s->pcap ? s->pcap * 2 : 16;
            pending *p = realloc(s->pend, cap * sizeof *p);
            if (p) {
                s->pend = p;
                s->pcap = cap;
            }
        }
        if (s->npend < s->pcap) {
            pending *p = &s->pend[s->npend++];
            memset(p, 0, sizeof *p);
            p->txn_no = txn_no;
            snprintf(p->id, sizeof p->id, "%s", s->wreq);
            snprintf(p->table, sizeof p->table, "%s", s->wtable);
            p->gen = t->restarts;
            bd_buf_init(&p->after);
            bd_buf_add(&p->after, t->after.ptr ? t->after.ptr : "", t->after.len);
            p->rows = published;
            p->last = s->wlast;
        }
    }
    window_end(s, 1);
    pthread_mutex_unlock(&s->mu);
}

void bd_snap_window_failed(bd_snap *s, const char *why)
{
    (void)why;
    pthread_mutex_lock(&s->mu);
    s->counts.windows_failed++;
    window_end(s, 2);
    pthread_mutex_unlock(&s->mu);
}

/* ---- progress ---------------------------------------------------------------- */

void bd_snap_acked(bd_snap *s, uint64_t retired)
{
    pthread_mutex_lock(&s->mu);
    size_t k = 0;
    int64_t now = 0;
    while (k < s->npend && s->pend[k].txn_no <= retired) {
        pending *p = &s->pend[k++];
        snap_req *r = req_find(s, p->id);
        snap_table *t = table_find(r, p->table);
        if (t && t->restarts == p->gen && t->state != BD_SNAP_CANCELLED &&
            t->state != BD_SNAP_FAILED) {
            bd_buf_reset(&t->acked_after);
            bd_buf_add(&t->acked_after, p->after.ptr ? p->after.ptr : "", p->after.len);
            t->acked_chunks++;
            t->acked_rows += p->rows;
            s->counts.rows_acked += p->rows;
            if (p->last) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
                t->acked_done = 1;
                t->finished_us = now;
                s->counts.tables_done++;
                req_settle(r, now);
            }
            s->gen++;
        }
        bd_buf_release(&p->after);
    }
    if (k) {
        memmove(s->pend, s->pend + k, (s->npend - k) * sizeof *s->pend);
        s->npend -= k;
    }
    if (now) req_trim(s);
    pthread_mutex_unlock(&s->mu);
}

uint64_t bd_snap_gen(bd_snap *s)
{
    pthread_mutex_lock(&s->mu);
    uint64_t g = s->gen;
    pthread_mutex_unlock(&s->mu);
    return g;
}

void bd_snap_progress_json(bd_snap *s, bd_buf *out)
{
    pthread_mutex_lock(&s->mu);
    if (!s->nreqs && !s->start_tables) {
        pthread_mutex_unlock(&s->mu);
        return;
    }
    json_t *o = json_object(), *a = json_array();
    json_object_set_new(o, "next_id", json_integer((json_int_t)s->next_id));
    if (s->start_tables) json_object_set_new(o, "start_request", json_string(s->start_tables));
    for (size_t i = 0; i < s->nreqs; i++) {
        const snap_req *r = &s->reqs[i];
        json_t *j = json_object(), *ts = json_array();
        json_object_set_new(j, "id", json_string(r->id));
        json_object_set_new(j, "requested", json_string(r->patterns));
        json_object_set_new(j, "where", jstr_or_null(r->where));
        json_object_set_new(j, "state", json_string(bd_snap_state_name(r->state)));
        json_object_set_new(j, "error", jstr_or_null(r->error));
        json_object_set_new(j, "resolved", json_boolean(r->resolved));
        json_object_set_new(j, "created_us", json_integer(r->created_us));
        json_object_set_new(j, "finished_us", json_integer(r->finished_us));
        /* an ended request keeps its outcome, not its tables: the
         * checkpoint stays small whatever they were */
        for (size_t k = 0; !ended(r->state) && k < r->ntables; k++) {
            const snap_table *t = &r->tables[k];
            json_t *x = json_object();
            /* what is acknowledged, not what was published: a restart reads
             * the chunks after it again */
            int st = t->state;
            if (st == BD_SNAP_DONE && !t->acked_done) st = BD_SNAP_RUNNING;
            json_object_set_new(x, "table", json_string(t->name));
            json_object_set_new(x, "state", json_string(bd_snap_state_name(st)));
            json_object_set_new(x, "key", json_string(t->key));
            json_object_set_new(x, "key_name", json_string(t->key_name));
            json_object_set_new(x, "after", cursor_json(&t->acked_after));
            json_object_set_new(x, "chunks", json_integer((json_int_t)t->acked_chunks));
            json_object_set_new(x, "rows", json_integer((json_int_t)t->acked_rows));
            json_object_set_new(x, "restarts", json_integer((json_int_t)t->restarts));
            json_object_set_new(x, "error", jstr_or_null(t->error));
            json_object_set_new(x, "finished_us", json_integer(t->finished_us));
            json_array_append_new(ts, x);
        }
        json_object_set_new(j, "tables", ts);
        json_array_append_new(a, j);
    }
    json_object_set_new(o, "requests", a);
    pthread_mutex_unlock(&s->mu);
    char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (t) bd_buf_adds(out, t);
    free(t);
}

static int state_of(const char *name)
{
    for (int i = 0; i <= BD_SNAP_CANCELLED; i++)
        if (name && !strcmp(name, bd_snap_state_name(i))) return i;
    return -1;
}

static const char *str_or(json_t *o, const char *k, const char *dflt)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : dflt;
}

int bd_snap_restore(bd_snap *s, const char *text, size_t n, bd_err *err)
{
    json_t *o = json_loadb(text, n, 0, NULL), *a = o ? json_object_get(o, "requests") : NULL;
    if (!json_is_array(a)) {
        json_decref(o);
        return bd_err_set(err, BD_ERR_CORRUPT, "the checkpoint's \"snapshot\" is not binlogd's");
    }
    pthread_mutex_lock(&s->mu);
    json_t *nid = json_object_get(o, "next_id"), *sr = json_object_get(o, "start_request");
    if (json_is_string(sr)) {
        free(s->start_tables);
        s->start_tables = strdup(json_string_value(sr));
    }
    if (json_is_integer(nid) && (uint64_t)json_integer_value(nid) > s->next_id)
        s->next_id = (uint64_t)json_integer_value(nid);
    int rc = 0;
    size_t i;
    json_t *j;
    json_array_foreach(a, i, j)
    {
        const char *id = str_or(j, "id", NULL), *pat = str_or(j, "requested", NULL);
        int st = state_of(str_or(j, "state", NULL));
        json_t *ts = json_object_get(j, "tables");
        if (!id || !pat || st < 0 || !json_is_array(ts)) {
            rc = bd_err_set(err, BD_ERR_CORRUPT,
                            "the checkpoint's \"snapshot\" request %zu is not binlogd's", i);
            break;
        }
        snap_req *r = req_add(s);
        if (!r) {
            rc = bd_err_set(err, BD_ERR_NOMEM, "out of memory");
            break;
        }
        snprintf(r->id, sizeof r->id, "%s", id);
        r->patterns = strdup(pat);
        const char *w = str_or(j, "where", NULL);
        r->where = w ? strdup(w) : NULL;
        r->state = st;
        snprintf(r->error, sizeof r->error, "%s", str_or(j, "error", ""));
        r->resolved = json_is_true(json_object_get(j, "resolved"));
        r->created_us = json_integer_value(json_object_get(j, "created_us"));
        r->finished_us = json_integer_value(json_object_get(j, "finished_us"));
        r->tables = calloc(json_array_size(ts) + 1, sizeof *r->tables);
        if (!r->patterns || !r->tables) {
            rc = bd_err_set(err, BD_ERR_NOMEM, "out of memory");
            break;
        }
        size_t k;
        json_t *x;
        json_array_foreach(ts, k, x)
        {
            snap_table *t = &r->tables[r->ntables++];
            bd_buf_init(&t->after);
            bd_buf_init(&t->max);
            bd_buf_init(&t->acked_after);
            snprintf(t->name, sizeof t->name, "%s", str_or(x, "table", ""));
            split_name(t);
            snprintf(t->key, sizeof t->key, "%s", str_or(x, "key", ""));
            snprintf(t->key_name, sizeof t->key_name, "%s", str_or(x, "key_name", ""));
            snprintf(t->error, sizeof t->error, "%s", str_or(x, "error", ""));
            int ts_ = state_of(str_or(x, "state", NULL));
            json_t *after = json_object_get(x, "after");
            if (ts_ < 0 || !t->name[0] || !(json_is_null(after) || json_is_array(after))) {
                rc = bd_err_set(err, BD_ERR_CORRUPT,
                                "the checkpoint's \"snapshot\" request %s: a table is not "
                                "binlogd's",
                                r->id);
                break;
            }
            if (json_is_array(after)) {
                char *c = json_dumps(after, JSON_COMPACT);
                if (c) {
                    bd_buf_adds(&t->after, c);
                    bd_buf_adds(&t->acked_after, c);
                }
                free(c);
            }
            t->chunks = t->acked_chunks =
                (uint64_t)json_integer_value(json_object_get(x, "chunks"));
            t->rows = t->acked_rows = (uint64_t)json_integer_value(json_object_get(x, "rows"));
            t->restarts = (uint64_t)json_integer_value(json_object_get(x, "restarts"));
            t->finished_us = json_integer_value(json_object_get(x, "finished_us"));
            t->state = ts_;
            t->acked_done = ts_ == BD_SNAP_DONE;
            /* the columns are loaded again, and the end read again: rows
             * inserted since come through the stream, and a key past the
             * old end is read once either way */
            if (ts_ == BD_SNAP_RUNNING) t->reload = 1;
        }
        if (rc < 0) break;
    }
    s->gen++;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    json_decref(o);
    return rc;
}
