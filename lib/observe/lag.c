/* lag.c - see include/binlogd/lag.h. */
#include "binlogd/lag.h"
#include "binlogd/schema_history.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Runs of commit times closer than this share one entry (the older time). */
#define MERGE_US 1000
/* Entries kept per run list; beyond, new ones merge into the last. */
#define RUNS_MAX 65536
/* Delivery samples kept per partition (the oldest halved beyond). */
#define SAMPLES_MAX 4096
/* Head polls waiting for the reader to pass their position. */
#define PENDING_MAX 8

/* Transactions not yet durable, in number order: [head, n) of a ring. */
typedef struct run {
    uint64_t no;
    int64_t commit_us;
} run;

typedef struct runs {
    run *v;
    size_t cap, head, n; /* ring: entries head .. head+n-1 (mod cap) */
} runs;

typedef struct sample {
    int64_t offset, commit_us;
} sample;

typedef struct partition {
    int32_t id;
    sample *s;
    size_t n, cap;
    int64_t delivered_end; /* last delivered offset + 1 */
} partition;

/* One group's view of one partition. */
typedef struct cpos {
    char *group;
    int32_t partition;
    int64_t committed, high, commit_us;
} cpos;

struct bd_lag_table {
    char db[65], table[65];
    char *topic;
    runs r;
    partition *parts;
    size_t nparts;
    cpos *cp;
    size_t ncp;
};

typedef struct poll {
    char file[256];
    uint64_t pos;
    int64_t at;
} poll;

struct bd_lag {
    pthread_mutex_t mu;
    int (*loading)(void *ctx, const char *db, const char *table); /* set before use */
    void *loading_ctx;
    int64_t fresh_us, start_us;
    /* read */
    int64_t last_read_commit, confirmed_at;
    char read_file[256];
    uint64_t read_pos;
    int64_t read_event_us;
    poll pending[PENDING_MAX];
    size_t npending;
    int64_t last_poll;
    int connected;
    /* head */
    char head_file[256];
    uint64_t head_pos;
    bd_binlog_file *files;
    size_t nfiles;
    double expire_s;
    /* the start time of each file seen (name, time), newest last */
    bd_binlog_file *starts; /* .size holds the time in µs */
    size_t nstarts;
    /* acked, durable */
    uint64_t acked_no, durable_no;
    char acked_file[256], durable_file[256];
    uint64_t acked_pos, durable_pos;
    runs all; /* every transaction */
    bd_lag_table **tables;
    size_t ntables;
};

static const char *const stage_names[BD_NSTAGES] = {"read", "acked", "durable"};
const char *bd_stage_name(enum bd_stage s) { return s < BD_NSTAGES ? stage_names[s] : "?"; }

static void copy_name(char *dst, size_t n, const char *src)
{
    size_t l = strlen(src);
    if (l >= n) l = n - 1;
    memcpy(dst, src, l);
    dst[l] = '\0';
}

/* ---- runs --------------------------------------------------------------- */

static run *run_at(runs *r, size_t i) { return &r->v[(r->head + i) % r->cap]; }

static void runs_add(runs *r, uint64_t no, int64_t commit_us)
{
    if (r->n) {
        run *last = run_at(r, r->n - 1);
        if (commit_us <= last->commit_us + MERGE_US || r->n >= RUNS_MAX) {
            /* the older time stays: a merged run is never younger than its
             * oldest transaction */
            last->no = no;
            if (commit_us < last->commit_us) last->commit_us = commit_us;
            return;
        }
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        run *v = malloc(cap * sizeof *v);
        if (!v) { /* out of memory: merge instead (lag may only be overstated) */
            if (r->n) run_at(r, r->n - 1)->no = no;
            return;
        }
        for (size_t i = 0; i < r->n; i++)
            v[i] = *run_at(r, i);
        free(r->v);
        r->v = v;
        r->cap = cap;
        r->head = 0;
    }
    run *e = &r->v[(r->head + r->n) % r->cap];
    e->no = no;
    e->commit_us = commit_us;
    r->n++;
}

/* Drop the runs wholly at or before no. */
static void runs_drop(runs *r, uint64_t no)
{
    while (r->n && r->v[r->head].no <= no) {
        r->head = (r->head + 1) % r->cap;
        r->n--;
    }
}

/* The commit time of the oldest transaction after no, or 0 when none. */
static int64_t runs_oldest_after(runs *r, uint64_t no)
{
    /* runs before 'acked' are few (at most a checkpoint interval's worth) */
    for (size_t i = 0; i < r->n; i++) {
        run *e = run_at(r, i);
        if (e->no > no) return e->commit_us;
    }
    return 0;
}

/* ---- life ---------------------------------------------------------------- */

bd_lag *bd_lag_new(int64_t start_us, int64_t fresh_us)
{
    bd_lag *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    pthread_mutex_init(&l->mu, NULL);
    l->fresh_us = fresh_us;
    l->last_read_commit = start_us;
    l->start_us = start_us;
    l->expire_s = 0;
    return l;
}

static void table_free(bd_lag_table *t)
{
    free(t->topic);
    free(t->r.v);
    for (size_t i = 0; i < t->nparts; i++)
        free(t->parts[i].s);
    free(t->parts);
    for (size_t i = 0; i < t->ncp; i++)
        free(t->cp[i].group);
    free(t->cp);
    free(t);
}

void bd_lag_free(bd_lag *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->ntables; i++)
        table_free(l->tables[i]);
    free(l->tables);
    free(l->all.v);
    free(l->files);
    free(l->starts);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

bd_lag_table *bd_lag_table_get(bd_lag *l, const char *db, const char *table, const char *topic)
{
    pthread_mutex_lock(&l->mu);
    bd_lag_table *t = NULL;
    for (size_t i = 0; i < l->ntables; i++)
        if (!strcmp(l->tables[i]->db, db) && !strcmp(l->tables[i]->table, table)) {
            t = l->tables[i];
            break;
        }
    if (!t) {
        bd_lag_table **v = realloc(l->tables, (l->ntables + 1) * sizeof *v);
        t = v ? calloc(1, sizeof *t) : NULL;
        if (v) l->tables = v;
        if (t) {
            copy_name(t->db, sizeof t->db, db);
            copy_name(t->table, sizeof t->table, table);
            l->tables[l->ntables++] = t;
        }
    }
    if (t && topic && !t->topic) t->topic = strdup(topic);
    pthread_mutex_unlock(&l->mu);
    return t;
}

bd_lag_table *bd_lag_table_by_topic(bd_lag *l, const char *topic)
{
    bd_lag_table *t = NULL;
    pthread_mutex_lock(&l->mu);
    for (size_t i = 0; i < l->ntables && !t; i++)
        if (l->tables[i]->topic && !strcmp(l->tables[i]->topic, topic)) t = l->tables[i];
    pthread_mutex_unlock(&l->mu);
    return t;
}

const char *bd_lag_table_topic(const bd_lag_table *t) { return t->topic; }

/* ---- read ---------------------------------------------------------------- */

/* The reader passed the positions of waiting polls: each confirms the
 * head as of its time. */
static void check_pending(bd_lag *l)
{
    size_t k = 0;
    for (size_t i = 0; i < l->npending; i++) {
        poll *p = &l->pending[i];
        if (l->read_file[0] && bd_binlog_pos_cmp(l->read_file, l->read_pos, p->file, p->pos) >= 0) {
            if (p->at > l->confirmed_at) l->confirmed_at = p->at;
        } else {
            l->pending[k++] = *p;
        }
    }
    l->npending = k;
}

void bd_lag_read_txn(bd_lag *l, uint64_t no, int64_t commit_us)
{
    pthread_mutex_lock(&l->mu);
    if (commit_us > l->last_read_commit) l->last_read_commit = commit_us;
    runs_add(&l->all, no, commit_us);
    pthread_mutex_unlock(&l->mu);
}

void bd_lag_read_table(bd_lag *l, bd_lag_table *t, uint64_t no, int64_t commit_us)
{
    pthread_mutex_lock(&l->mu);
    runs_add(&t->r, no, commit_us);
    pthread_mutex_unlock(&l->mu);
}

void bd_lag_read_pos(bd_lag *l, const char *file, uint64_t pos, int64_t event_us)
{
    pthread_mutex_lock(&l->mu);
    copy_name(l->read_file, sizeof l->read_file, file);
    l->read_pos = pos;
    if (event_us) l->read_event_us = event_us;
    check_pending(l);
    pthread_mutex_unlock(&l->mu);
}

void bd_lag_file_start(bd_lag *l, const char *file, int64_t start_us)
{
    pthread_mutex_lock(&l->mu);
    if (!l->nstarts || strcmp(l->starts[l->nstarts - 1].name, file)) {
        /* a few hundred files back are plenty: retention needs the next
         * file after the checkpoint's */
        if (l->nstarts == 512) {
            memmove(l->starts, l->starts + 256, 256 * sizeof *l->starts);
            l->nstarts = 256;
        }
        bd_binlog_file *v = realloc(l->starts, (l->nstarts + 1) * sizeof *v);
        if (v) {
            l->starts = v;
            copy_name(v[l->nstarts].name, sizeof v[l->nstarts].name, file);
            v[l->nstarts].size = (uint64_t)start_us;
            l->nstarts++;
        }
    }
    pthread_mutex_unlock(&l->mu);
}

void bd_lag_heartbeat(bd_lag *l, int64_t now_us)
{
    pthread_mutex_lock(&l->mu);
    if (now_us > l->confirmed_at) l->confirmed_at = now_us;
    l->npending = 0; /* the server says nothing more is waiting */
    pthread_mutex_unlock(&l->mu);
}

void bd_lag_connected(bd_lag *l, int on, int64_t now_us)
{
    (void)now_us;
    pthread_mutex_lock(&l->mu);
    l->connected = on;
    pthread_mutex_unlock(&l->mu);
}

void bd_lag_head(bd_lag *l, const char *file, uint64_t pos, const bd_binlog_file *files, size_t n,
                 double expire_s, int64_t polled_us)
{
    pthread_mutex_lock(&l->mu);
    copy_name(l->head_file, sizeof l->head_file, file);
    l->head_pos = pos;
    l->last_poll = polled_us;
    l->expire_s = expire_s;
    if (n) {
        bd_binlog_file *v = realloc(l->files, n * sizeof *v);
        if (v) {
            memcpy(v, files, n * sizeof *v);
            l->files = v;
            l->nfiles = n;
        }
    }
    if (l->npending == PENDING_MAX) {
        memmove(l->pending, l->pending + 1, (PENDING_MAX - 1) * sizeof *l->pending);
        l->npending--;
    }
    poll *p = &l->pending[l->npending++];
    copy_name(p->file, sizeof p->file, file);
    p->pos = pos;
    p->at = polled_us;
    check_pending(l);
    pthread_mutex_unlock(&l->mu);
}

/* ---- acked, durable ---------------------------------------------------- */

void bd_lag_acked(bd_lag *l, uint64_t no, const char *file, uint64_t pos)
{
    pthread_mutex_lock(&l->mu);
    if (no > l->acked_no) l->acked_no = no;
    if (file && *file) copy_name(l->acked_file, sizeof l->acked_file, file), l->acked_pos = pos;
    pthread_mutex_unlock(&l->mu);
}

void bd_lag_durable(bd_lag *l, uint64_t no, const char *file, uint64_t pos)
{
    pthread_mutex_lock(&l->mu);
    if (no > l->durable_no) l->durable_no = no;
    if (file && *file)
        copy_name(l->durable_file, sizeof l->durable_file, file), l->durable_pos = pos;
    runs_drop(&l->all, l->durable_no);
    for (size_t i = 0; i < l->ntables; i++)
        runs_drop(&l->tables[i]->r, l->durable_no);
    pthread_mutex_unlock(&l->mu);
}

/* ---- consumed ---------------------------------------------------------- */

static partition *part_get(bd_lag_table *t, int32_t id)
{
    for (size_t i = 0; i < t->nparts; i++)
        if (t->parts[i].id == id) return &t->parts[i];
    partition *v = realloc(t->parts, (t->nparts + 1) * sizeof *v);
    if (!v) return NULL;
    t->parts = v;
    memset(&v[t->nparts], 0, sizeof v[t->nparts]);
    v[t->nparts].id = id;
    return &v[t->nparts++];
}

void bd_lag_delivered(bd_lag *l, bd_lag_table *t, int32_t partition_id, int64_t offset,
                      int64_t commit_us)
{
    pthread_mutex_lock(&l->mu);
    partition *p = part_get(t, partition_id);
    if (p) {
        if (offset + 1 > p->delivered_end) p->delivered_end = offset + 1;
        /* a sample marks where a younger commit time begins; messages of
         * one partition arrive in offset order */
        if (!p->n ||
            (offset > p->s[p->n - 1].offset && commit_us > p->s[p->n - 1].commit_us + MERGE_US)) {
            if (p->n == SAMPLES_MAX) {
                /* keep every second one of the older half: coarser, and
                 * still never younger than the truth */
                size_t k = 0;
                for (size_t i = 0; i < SAMPLES_MAX / 2; i += 2)
                    p->s[k++] = p->s[i];
                memmove(p->s + k, p->s + SAMPLES_MAX / 2, SAMPLES_MAX / 2 * sizeof *p->s);
                p->n = k + SAMPLES_MAX / 2;
            }
            if (p->n == p->cap) {
                size_t cap = p->cap ? p->cap * 2 : 16;
                sample *s = realloc(p->s, cap * sizeof *s);
                if (s) p->s = s, p->cap = cap;
            }
            if (p->n < p->cap) p->s[p->n++] = (sample){offset, commit_us};
        }
    }
    pthread_mutex_unlock(&l->mu);
}

/* The commit time at offset from the samples: the last sample at or
 * before it (the message is at least that old... and no older than the
 * run it belongs to).  -1 when the samples start after it. */
static int offset_time(partition *p, int64_t offset, int64_t *out)
{
    if (!p || !p->n || offset < p->s[0].offset) return -1;
    size_t lo = 0, hi = p->n; /* the last s[i].offset <= offset */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (p->s[mid].offset <= offset)
            lo = mid;
        else
            hi = mid;
    }
    *out = p->s[lo].commit_us;
    return 0;
}

int bd_lag_offset_time(bd_lag *l, bd_lag_table *t, int32_t partition_id, int64_t offset,
                       int64_t *commit_us)
{
    pthread_mutex_lock(&l->mu);
    partition *p = NULL;
    for (size_t i = 0; i < t->nparts; i++)
        if (t->parts[i].id == partition_id) p = &t->parts[i];
    int r = offset_time(p, offset, commit_us);
    pthread_mutex_unlock(&l->mu);
    return r;
}

void bd_lag_consumer(bd_lag *l, const char *group, bd_lag_table *t, int32_t partition_id,
                     int64_t committed, int64_t high, int64_t commit_us, int64_t polled_us)
{
    (void)polled_us;
    pthread_mutex_lock(&l->mu);
    cpos *c = NULL;
    for (size_t i = 0; i < t->ncp; i++)
        if (t->cp[i].partition == partition_id && !strcmp(t->cp[i].group, group)) c = &t->cp[i];
    if (!c) {
        cpos *v = realloc(t->cp, (t->ncp + 1) * sizeof *v);
        char *g = v ? strdup(group) : NULL;
        if (v) t->cp = v;
        if (g) {
            c = &v[t->ncp++];
            c->group = g;
            c->partition = partition_id;
        }
    }
    if (c) {
        c->committed = committed;
        c->high = high;
        c->commit_us = commit_us;
    }
    pthread_mutex_unlock(&l->mu);
}

/* ---- reports ------------------------------------------------------------ */

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

static void stage_set(bd_lag_stage_report *s, int64_t wm, int64_t now)
{
    if (wm > now) wm = now;
    s->watermark_us = wm;
    /* 0: nothing known yet (a start without a checkpoint, before the
     * first head poll or transaction): no figure rather than a false one */
    s->lag_s = wm > 0 ? (double)(now - wm) / 1e6 : NAN;
}

/* The read watermark: now when the head was confirmed lately and no later
 * poll saw the head beyond the reader. */
static int64_t read_watermark(const bd_lag *l, int64_t now)
{
    if (l->confirmed_at && now - l->confirmed_at <= l->fresh_us) {
        int behind = 0;
        for (size_t i = 0; i < l->npending; i++)
            behind |= l->pending[i].at > l->confirmed_at;
        if (!behind) return now;
    }
    return l->last_read_commit > l->confirmed_at ? l->last_read_commit : l->confirmed_at;
}

/* Watermarks of a run list under the read watermark. */
static void runs_stages(runs *r, const bd_lag *l, int64_t rw, int64_t now, bd_lag_stage_report *out)
{
    stage_set(&out[BD_STAGE_READ], rw, now);
    int64_t a = runs_oldest_after(r, l->acked_no);
    int64_t aw = a ? min64(rw, a) : rw;
    stage_set(&out[BD_STAGE_ACKED], aw, now);
    int64_t d = runs_oldest_after(r, l->durable_no);
    stage_set(&out[BD_STAGE_DURABLE], d ? min64(aw, d) : aw, now);
}

static long file_index(const bd_lag *l, const char *name)
{
    for (size_t i = 0; i < l->nfiles; i++)
        if (!strcmp(l->files[i].name, name)) return (long)i;
    return -1;
}

static void distance(const bd_lag *l, const char *file, uint64_t pos, double *bytes, double *files)
{
    *bytes = *files = -1;
    if (!file[0] || !l->head_file[0]) return;
    if (bd_binlog_pos_cmp(file, pos, l->head_file, l->head_pos) >= 0) {
        *bytes = *files = 0;
        return;
    }
    long a = file_index(l, file), b = file_index(l, l->head_file);
    if (!strcmp(file, l->head_file)) {
        *bytes = (double)(l->head_pos - pos);
        *files = 0;
        return;
    }
    if (a < 0 || b < 0 || a > b) return;
    double sum = (double)l->files[a].size - (double)pos;
    for (long i = a + 1; i < b; i++)
        sum += (double)l->files[i].size;
    sum += (double)l->head_pos;
    *bytes = sum > 0 ? sum : 0;
    *files = (double)(b - a);
}

/* Seconds until the file the checkpoint needs may be purged: the server
 * purges a file by age (its last write) once it is not the current one. */
static double headroom(const bd_lag *l, int64_t now)
{
    if (l->expire_s <= 0) return INFINITY;
    const char *f = l->durable_file[0] ? l->durable_file : l->read_file;
    if (!f[0]) return INFINITY;
    if (l->head_file[0] && !strcmp(f, l->head_file)) return l->expire_s; /* not closed yet */
    /* its end: when the next file began; else no earlier than the last
     * event read in it (the reader is still inside it) */
    int64_t end = 0;
    for (size_t i = 0; i + 1 < l->nstarts; i++)
        if (!strcmp(l->starts[i].name, f)) end = (int64_t)l->starts[i + 1].size;
    if (!end) {
        for (size_t i = 0; i < l->nstarts; i++)
            if (bd_binlog_pos_cmp(l->starts[i].name, 0, f, 0) > 0) {
                end = (int64_t)l->starts[i].size;
                break;
            }
    }
    if (!end) end = l->read_event_us ? l->read_event_us : l->last_read_commit;
    if (!end) return l->expire_s;
    return (double)(end - now) / 1e6 + l->expire_s;
}

void bd_lag_report_make(bd_lag *l, int64_t now, bd_lag_report *r)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_lock(&l->mu);
    r->now_us = now;
    int64_t rw = read_watermark(l, now);
    runs_stages(&l->all, l, rw, now, r->stage);
    distance(l, l->read_file, l->read_pos, &r->distance_bytes[BD_STAGE_READ],
             &r->distance_files[BD_STAGE_READ]);
    distance(l, l->acked_file, l->acked_pos, &r->distance_bytes[BD_STAGE_ACKED],
             &r->distance_files[BD_STAGE_ACKED]);
    distance(l, l->durable_file, l->durable_pos, &r->distance_bytes[BD_STAGE_DURABLE],
             &r->distance_files[BD_STAGE_DURABLE]);
    r->retention_headroom_s = headroom(l, now);
    r->head_poll_age_s = l->last_poll ? (double)(now - l->last_poll) / 1e6 : INFINITY;
    r->connected = l->connected;
    r->tables = l->ntables ? calloc(l->ntables, sizeof *r->tables) : NULL;
    if (r->tables) {
        r->ntables = l->ntables;
        for (size_t i = 0; i < l->ntables; i++) {
            bd_lag_table *t = l->tables[i];
            memcpy(r->tables[i].db, t->db, sizeof t->db);
            memcpy(r->tables[i].table, t->table, sizeof t->table);
            runs_stages(&t->r, l, rw, now, r->tables[i].stage);
        }
    }
    pthread_mutex_unlock(&l->mu);
}

void bd_lag_report_release(bd_lag_report *r)
{
    free(r->tables);
    r->tables = NULL;
    r->ntables = 0;
}

/* The consumed watermark of t for group (lock held); 0 when the group was
 * never polled for t. */
static int consumed_watermark(bd_lag *l, bd_lag_table *t, const char *group, int64_t rw,
                              int64_t now, int64_t *out)
{
    bd_lag_stage_report st[BD_NSTAGES];
    runs_stages(&t->r, l, rw, now, st);
    int64_t wm = st[BD_STAGE_ACKED].watermark_us;
    int seen = 0;
    for (size_t i = 0; i < t->ncp; i++) {
        cpos *c = &t->cp[i];
        if (strcmp(c->group, group)) continue;
        seen = 1;
        partition *p = NULL;
        for (size_t k = 0; k < t->nparts; k++)
            if (t->parts[k].id == c->partition) p = &t->parts[k];
        int64_t end = c->high;
        if (p && p->delivered_end > end) end = p->delivered_end;
        if (c->committed >= end) continue; /* consumed all there is */
        int64_t at;
        if (offset_time(p, c->committed, &at) < 0) {
            /* older than anything delivered here (published before a
             * restart): the time the caller read from the message, else
             * no younger than the start's checkpoint nor the first sample */
            at = c->commit_us ? c->commit_us : l->start_us;
            if (!c->commit_us && p && p->n) at = min64(at, p->s[0].commit_us);
        }
        wm = min64(wm, at);
    }
    *out = wm;
    return seen;
}

size_t bd_lag_consumer_report_make(bd_lag *l, const char *group, int64_t now,
                                   bd_lag_consumer_report *out, size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&l->mu);
    int64_t rw = read_watermark(l, now);
    for (size_t i = 0; i < l->ntables && n < max; i++) {
        int64_t wm;
        if (!consumed_watermark(l, l->tables[i], group, rw, now, &wm)) continue;
        memcpy(out[n].db, l->tables[i]->db, sizeof out[n].db);
        memcpy(out[n].table, l->tables[i]->table, sizeof out[n].table);
        stage_set(&out[n].consumed, wm, now);
        n++;
    }
    pthread_mutex_unlock(&l->mu);
    return n;
}

void bd_lag_set_loading(bd_lag *l, int (*loading)(void *ctx, const char *db, const char *table),
                        void *ctx)
{
    l->loading = loading;
    l->loading_ctx = ctx;
}

int bd_lag_gate(bd_lag *l, const bd_gate_config *g, const bd_tz *tz, int64_t cutoff_us, int64_t now,
                bd_gate_report *r)
{
    memset(r, 0, sizeof *r);
    r->tables = calloc(g->ntables ? g->ntables : 1, sizeof *r->tables);
    if (!r->tables) return -1;
    int64_t now_s = now / 1000000;
    if (!cutoff_us) cutoff_us = bd_tz_daily_before(tz, g->cutoff_s, now_s) * 1000000;
    r->cutoff_us = cutoff_us;
    r->job_us = bd_tz_daily_after(tz, g->job_start_s, cutoff_us / 1000000) * 1000000;

    pthread_mutex_lock(&l->mu);
    int64_t rw = read_watermark(l, now);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    int ready = 1;
    for (size_t i = 0; i < g->ntables; i++) {
        bd_gate_table_report *tr = &r->tables[i];
        copy_name(tr->name, sizeof tr->name, g->table_list[i]);
        const char *dot = strchr(g->table_list[i], '.');
        bd_lag_table *t = NULL;
        for (size_t k = 0; dot && k < l->ntables; k++)
            if (strlen(l->tables[k]->db) == (size_t)(dot - g->table_list[i]) &&
                !strncmp(l->tables[k]->db, g->table_list[i], (size_t)(dot - g->table_list[i])) &&
                !strcmp(l->tables[k]->table, dot + 1))
                t = l->tables[k];
        int64_t wm = rw;
        if (t) {
            bd_lag_stage_report st[BD_NSTAGES];
            runs_stages(&t->r, l, rw, now, st);
            wm =
                st[g->stage == BD_STAGE_OPT_ACKED ? BD_STAGE_ACKED : BD_STAGE_DURABLE].watermark_us;
            if (g->consumer_group) {
                int64_t cw;
                if (consumed_watermark(l, t, g->consumer_group, rw, now, &cw))
                    wm = cw;
                else /* not polled yet: nothing is known consumed */
                    wm = 0, r->unknown = 1;
            }
        } else if (g->consumer_group) {
            wm = 0, r->unknown = 1;
        }
        if (wm > now) wm = now;
        tr->watermark_us = wm;
        tr->lag_s = wm > 0 ? (double)(now - wm) / 1e6 : NAN;
        tr->complete = wm >= cutoff_us;
        ready &= tr->complete;
        if (wm < lo) lo = wm;
        if (wm > hi) hi = wm;
    }
    pthread_mutex_unlock(&l->mu);
    /* a table whose existing rows are still being loaded is not complete,
     * however recent its changes are */
    for (size_t i = 0; l->loading && i < g->ntables; i++) {
        bd_gate_table_report *tr = &r->tables[i];
        const char *dot = strchr(g->table_list[i], '.');
        if (!dot || (size_t)(dot - g->table_list[i]) > 64) continue;
        char db[65];
        snprintf(db, sizeof db, "%.*s", (int)(dot - g->table_list[i]), g->table_list[i]);
        if (!l->loading(l->loading_ctx, db, dot + 1)) continue;
        tr->loading = 1;
        tr->complete = 0;
        ready = 0;
    }
    r->skew_s = g->ntables ? (double)(hi - lo) / 1e6 : 0;
    r->ready = ready;
    r->skewed = !r->unknown && g->max_skew_s > 0 && r->skew_s > g->max_skew_s;
    /* at risk: the job is about to start (or has started, for this
     * cut-off) and a table is still behind the cut-off */
    r->at_risk = !r->unknown && !ready && now >= r->job_us - (int64_t)(g->margin_s * 1e6);
    r->state = r->at_risk ? "at_risk" : r->skewed ? "skewed" : ready ? "ready" : "not_ready";
    return 0;
}

void bd_gate_report_release(bd_gate_report *r)
{
    free(r->tables);
    r->tables = NULL;
}
