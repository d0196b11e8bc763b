/* acks.c - see include/binlogd/acks.h. */
#include "binlogd/acks.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binlogd/gtid_set.h"

struct bd_acks_txn {
    const char *file; /* interned: one copy per binlog file name */
    uint64_t pos;
    char gtid[128];
    /* set at open, read by the delivery thread for each report (unlocked:
     * written before the first message of the record is produced) */
    uint64_t commit_us;
    uint64_t end_commit_us; /* set at close, under the lock: the checkpoint's */
    uint64_t outstanding;
    int closed, failed, used;
    /* bd_acks_close_base: the GTID set before a binlog file (malloc'd) */
    char *base;
    size_t base_len;
    enum bd_flavor base_flavor;
};

struct bd_acks {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* room in the ring, or fewer in flight, or stop */
    bd_acks_txn *ring;
    size_t cap, head, count; /* records head .. head+count-1 (mod cap) */
    char **names;            /* interned file names, freed at the end */
    size_t nnames;
    /* the acknowledged position */
    const char *file;
    uint64_t pos, commit_us, seq;
    uint64_t retired; /* records retired since the start */
    uint64_t opened;  /* records opened since the start */
    /* exactly once: only the first 'committed' records opened may retire
     * (their Kafka transaction committed); UINT64_MAX otherwise */
    uint64_t committed;
    bd_gtid_set gtids;
    int gtid_known; /* gtids is every transaction up to file:pos, not just those seen */
    /* flight */
    uint64_t in_flight, in_flight_bytes, delivered, failed;
    int stopped, held;
};

static const char *intern(bd_acks *a, const char *name)
{
    /* names change once per binlog file: the last one is nearly always it */
    for (size_t i = a->nnames; i-- > 0;)
        if (!strcmp(a->names[i], name)) return a->names[i];
    char **n = realloc(a->names, (a->nnames + 1) * sizeof *n);
    if (!n) return NULL;
    a->names = n;
    if (!(n[a->nnames] = strdup(name))) return NULL;
    return n[a->nnames++];
}

bd_acks *bd_acks_new(size_t capacity, const char *file, uint64_t pos, enum bd_flavor flavor,
                     const char *gtid, bd_err *err)
{
    bd_acks *a = calloc(1, sizeof *a);
    if (!a || !(a->ring = calloc(capacity ? capacity : 1, sizeof *a->ring))) {
        free(a);
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    a->cap = capacity ? capacity : 1;
    a->committed = UINT64_MAX;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    a->gtids.flavor = BD_FLAVOR_UNKNOWN;
    a->file = intern(a, file ? file : "");
    a->pos = pos;
    if (!a->file || (gtid && *gtid &&
                     bd_gtid_set_parse_before(&a->gtids, flavor, gtid, strlen(gtid), err) < 0)) {
        if (a->file)
            bd_err_prefix(err, "the checkpoint's GTID set: ");
        else
            bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        bd_acks_free(a);
        return NULL;
    }
    if (a->gtids.flavor == BD_FLAVOR_UNKNOWN) a->gtids.flavor = flavor;
    a->gtid_known = gtid && *gtid;
    return a;
}

void bd_acks_free(bd_acks *a)
{
    if (!a) return;
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cv);
    for (size_t i = 0; i < a->nnames; i++)
        free(a->names[i]);
    free(a->names);
    bd_gtid_set_release(&a->gtids);
    for (size_t i = 0; i < a->cap; i++)
        free(a->ring[i].base);
    free(a->ring);
    free(a);
}

/* The position after record t: file:pos, commit time and GTID set move
 * as its retirement moves them (retire() and bd_acks_prospect()). */
static void apply(const bd_acks_txn *t, const char **file, uint64_t *pos, uint64_t *commit_us,
                  bd_gtid_set *gtids, int *known)
{
    *file = t->file;
    *pos = t->pos;
    if (t->end_commit_us) *commit_us = t->end_commit_us;
    /* a GTID the set does not take (another flavour) leaves it as is:
     * file:pos stays exact, the set is best effort */
    if (t->gtid[0]) {
        bd_err e;
        (void)bd_gtid_set_add(gtids, t->gtid, &e);
    }
    if (t->base && !*known) {
        /* the first file start after a start without a GTID set: from
         * here on the set is complete */
        bd_gtid_set b = BD_GTID_SET_INIT;
        bd_err e;
        if (bd_gtid_set_parse_before(&b, t->base_flavor, t->base, t->base_len, &e) == 0) {
            bd_gtid_set_release(gtids);
            *gtids = b;
            *known = 1;
        } else {
            bd_gtid_set_release(&b);
        }
    }
}

/* Retire done records at the head.  Called with the lock held. */
static void retire(bd_acks *a)
{
    int moved = 0;
    while (a->count && a->retired < a->committed) {
        bd_acks_txn *t = &a->ring[a->head];
        if (!t->closed || t->outstanding || t->failed) break;
        a->retired++;
        apply(t, &a->file, &a->pos, &a->commit_us, &a->gtids, &a->gtid_known);
        free(t->base);
        t->base = NULL;
        t->used = 0;
        a->head = (a->head + 1) % a->cap;
        a->count--;
        moved = 1;
    }
    if (moved) {
        a->seq++;
        pthread_cond_broadcast(&a->cv);
    }
}

void bd_acks_set_transactional(bd_acks *a)
{
    pthread_mutex_lock(&a->mu);
    a->committed = a->opened;
    pthread_mutex_unlock(&a->mu);
}

int bd_acks_prospect(bd_acks *a, uint64_t *mark, char *file, size_t n, uint64_t *pos,
                     uint64_t *commit_us, bd_buf *gtid, bd_err *err)
{
    pthread_mutex_lock(&a->mu);
    const char *f = a->file;
    uint64_t p = a->pos, cu = a->commit_us;
    int known = a->gtid_known;
    bd_gtid_set g = BD_GTID_SET_INIT;
    int rc = 0;
    if (a->gtid_known) {
        /* a copy of the set: the text of it, parsed again */
        bd_buf t = BD_BUF_INIT;
        bd_gtid_set_text(&a->gtids, &t);
        rc = bd_buf_failed(&t)
                 ? bd_err_set(err, BD_ERR_NOMEM, "out of memory")
                 : bd_gtid_set_parse_before(&g, a->gtids.flavor, t.ptr ? t.ptr : "", t.len, err);
        bd_buf_release(&t);
    }
    if (g.flavor == BD_FLAVOR_UNKNOWN) g.flavor = a->gtids.flavor;
    for (size_t i = 0; rc == 0 && i < a->count; i++) {
        const bd_acks_txn *t = &a->ring[(a->head + i) % a->cap];
        if (!t->closed || t->failed) {
            rc = bd_err_set(err, BD_ERR_CALLBACK,
                            t->failed ? "a message was not delivered" : "a transaction is open");
            break;
        }
        apply(t, &f, &p, &cu, &g, &known);
    }
    if (rc == 0) {
        *mark = a->opened;
        snprintf(file, n, "%s", f);
        *pos = p;
        *commit_us = cu;
        if (gtid && known) bd_gtid_set_text(&g, gtid);
    }
    bd_gtid_set_release(&g);
    pthread_mutex_unlock(&a->mu);
    return rc;
}

void bd_acks_commit_through(bd_acks *a, uint64_t mark)
{
    pthread_mutex_lock(&a->mu);
    /* not transactional (UINT64_MAX): every record may retire already */
    if (a->committed != UINT64_MAX && mark > a->committed) a->committed = mark;
    retire(a);
    pthread_mutex_unlock(&a->mu);
}

uint64_t bd_acks_pending(bd_acks *a)
{
    pthread_mutex_lock(&a->mu);
    uint64_t n = a->count;
    pthread_mutex_unlock(&a->mu);
    return n;
}

void bd_acks_set_start(bd_acks *a, const char *file, uint64_t pos, enum bd_flavor flavor,
                       const char *gtid)
{
    pthread_mutex_lock(&a->mu);
    if (!a->file[0] && a->seq == 0 && a->count == 0) {
        const char *f = intern(a, file);
        if (f) {
            a->file = f;
            a->pos = pos;
            a->seq++;
        }
        bd_gtid_set g = BD_GTID_SET_INIT;
        bd_err e;
        if (f && gtid && !a->gtid_known &&
            bd_gtid_set_parse_before(&g, flavor, gtid, strlen(gtid), &e) == 0) {
            bd_gtid_set_release(&a->gtids);
            a->gtids = g;
            if (a->gtids.flavor == BD_FLAVOR_UNKNOWN) a->gtids.flavor = flavor;
            a->gtid_known = 1;
        } else {
            bd_gtid_set_release(&g);
        }
    }
    pthread_mutex_unlock(&a->mu);
}

void bd_acks_restart_at(bd_acks *a, const char *file, uint64_t pos)
{
    pthread_mutex_lock(&a->mu);
    const char *f = intern(a, file);
    if (f && a->count == 0) {
        a->file = f;
        a->pos = pos;
        a->seq++;
    }
    pthread_mutex_unlock(&a->mu);
}

bd_acks_txn *bd_acks_open(bd_acks *a)
{
    pthread_mutex_lock(&a->mu);
    while ((a->count == a->cap || a->held) && !a->stopped)
        pthread_cond_wait(&a->cv, &a->mu);
    bd_acks_txn *t = NULL;
    if (!a->stopped) {
        t = &a->ring[(a->head + a->count) % a->cap];
        memset(t, 0, sizeof *t);
        t->used = 1;
        a->count++;
        a->opened++;
    }
    pthread_mutex_unlock(&a->mu);
    return t;
}

void bd_acks_add(bd_acks *a, bd_acks_txn *t, size_t len)
{
    pthread_mutex_lock(&a->mu);
    t->outstanding++;
    a->in_flight++;
    a->in_flight_bytes += len;
    pthread_mutex_unlock(&a->mu);
}

void bd_acks_unadd(bd_acks *a, bd_acks_txn *t, size_t len)
{
    pthread_mutex_lock(&a->mu);
    t->outstanding--;
    a->in_flight--;
    a->in_flight_bytes -= len;
    retire(a);
    pthread_mutex_unlock(&a->mu);
}

int bd_acks_close(bd_acks *a, bd_acks_txn *t, const char *file, uint64_t pos, const char *gtid,
                  uint64_t commit_us, bd_err *err)
{
    pthread_mutex_lock(&a->mu);
    const char *f = intern(a, file);
    if (f) {
        t->file = f;
        t->pos = pos;
        snprintf(t->gtid, sizeof t->gtid, "%s", gtid ? gtid : "");
        /* not commit_us: reports of its messages may be reading that now */
        t->end_commit_us = commit_us;
        t->closed = 1;
        retire(a);
    }
    pthread_mutex_unlock(&a->mu);
    return f ? 0 : bd_err_set(err, BD_ERR_NOMEM, "out of memory");
}

/* Wait, lock held, while too much is in flight; 1 when stopped. */
static int wait_locked(bd_acks *a, uint64_t max_msgs, uint64_t max_bytes)
{
    while (!a->stopped && (a->in_flight >= max_msgs || a->in_flight_bytes >= max_bytes))
        pthread_cond_wait(&a->cv, &a->mu);
    return a->stopped;
}

int bd_acks_close_base(bd_acks *a, bd_acks_txn *t, const char *file, uint64_t pos,
                       enum bd_flavor flavor, const char *set, size_t n, bd_err *err)
{
    char *copy = malloc(n + 1);
    if (!copy) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    memcpy(copy, set, n);
    copy[n] = '\0';
    pthread_mutex_lock(&a->mu);
    t->base = copy;
    t->base_len = n;
    t->base_flavor = flavor;
    pthread_mutex_unlock(&a->mu);
    return bd_acks_close(a, t, file, pos, NULL, 0, err);
}

int bd_acks_wait(bd_acks *a, uint64_t max_msgs, uint64_t max_bytes)
{
    pthread_mutex_lock(&a->mu);
    int stopped = wait_locked(a, max_msgs, max_bytes);
    pthread_mutex_unlock(&a->mu);
    return stopped;
}

int bd_acks_wait_add(bd_acks *a, bd_acks_txn *t, size_t len, uint64_t max_msgs, uint64_t max_bytes)
{
    pthread_mutex_lock(&a->mu);
    int stopped = wait_locked(a, max_msgs, max_bytes);
    if (!stopped) {
        t->outstanding++;
        a->in_flight++;
        a->in_flight_bytes += len;
    }
    pthread_mutex_unlock(&a->mu);
    return stopped;
}

int bd_acks_try_add(bd_acks *a, bd_acks_txn *t, size_t len, uint64_t max_msgs, uint64_t max_bytes)
{
    pthread_mutex_lock(&a->mu);
    int r = a->stopped ? 2 : a->in_flight >= max_msgs || a->in_flight_bytes >= max_bytes ? 1 : 0;
    if (r == 0) {
        t->outstanding++;
        a->in_flight++;
        a->in_flight_bytes += len;
    }
    pthread_mutex_unlock(&a->mu);
    return r;
}

int bd_acks_busy(bd_acks *a, uint64_t max_msgs, uint64_t max_bytes)
{
    pthread_mutex_lock(&a->mu);
    int busy =
        !a->stopped && (max_msgs ? a->in_flight >= max_msgs || a->in_flight_bytes >= max_bytes
                                 : a->count == a->cap || a->held);
    pthread_mutex_unlock(&a->mu);
    return busy;
}

void bd_acks_delivered(bd_acks *a, bd_acks_txn *t, size_t len, int ok)
{
    pthread_mutex_lock(&a->mu);
    t->outstanding--;
    a->in_flight--;
    a->in_flight_bytes -= len;
    if (ok) {
        a->delivered++;
    } else {
        a->failed++;
        t->failed = 1;
    }
    retire(a);
    /* fewer in flight: a data thread waiting in bd_acks_wait may go on */
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

void bd_acks_hold(bd_acks *a, int on)
{
    pthread_mutex_lock(&a->mu);
    a->held = on;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

void bd_acks_stop(bd_acks *a)
{
    pthread_mutex_lock(&a->mu);
    a->stopped = 1;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

void bd_acks_position(bd_acks *a, bd_acks_pos *p, char *file, size_t n, uint64_t *pos, bd_buf *gtid)
{
    pthread_mutex_lock(&a->mu);
    memset(p, 0, sizeof *p);
    p->seq = a->seq;
    p->retired = a->retired;
    p->in_flight = a->in_flight;
    p->in_flight_bytes = a->in_flight_bytes;
    p->open_txns = a->count;
    p->delivered = a->delivered;
    p->failed = a->failed;
    p->commit_us = a->commit_us;
    p->stuck = a->count && a->ring[a->head].failed;
    snprintf(file, n, "%s", a->file);
    *pos = a->pos;
    if (gtid && a->gtid_known) bd_gtid_set_text(&a->gtids, gtid);
    pthread_mutex_unlock(&a->mu);
}

void bd_acks_txn_set_commit(bd_acks_txn *t, uint64_t commit_us) { t->commit_us = commit_us; }
uint64_t bd_acks_txn_commit(const bd_acks_txn *t) { return t->commit_us; }
