/* lag.h - watermarks and lag, per source and per table, for each stage a
 * change passes: read from the source, acknowledged by Kafka, durable in
 * the checkpoint, and consumed by a named consumer group; and the gates
 * that downstream jobs wait on.  docs/lag.md explains every figure.
 *
 * A stage's watermark is the source commit time before which every change
 * has passed the stage; its lag is the age of the oldest change that has
 * not: now - watermark, or 0 when the stage is at the source's head.
 *
 *  - read: the reader has read up to the head when a head poll (or a
 *    server heartbeat) says so; "at head" is believed for 'fresh' µs after
 *    it was confirmed.  Otherwise the oldest unread change is younger than
 *    both the last confirmation and the last transaction read, so the
 *    watermark is the later of the two.  A table's read watermark is the
 *    source's (an unread change may belong to any table).
 *  - acked, durable: every transaction read is numbered; the tracker keeps
 *    (number, commit time) of the transactions not yet durable, per source
 *    and per table (runs of commit times within 1 ms merged: the older
 *    time is kept, so lag is never understated).  Acked and durable
 *    progress arrive as "every transaction up to number N".
 *  - consumed: the commit time of the message at a group's committed
 *    offset, from (offset, commit time) pairs learnt from delivery reports
 *    (per table and partition), or given by the caller when it had to
 *    read the message (after a restart); capped by the acked watermark.
 *
 * Commit times: MySQL gives µs.  MariaDB's binlog has whole seconds; for
 * those the reader's own clock at reading refines the time inside its
 * second (bd_lag_commit_estimate), which is exact to the network delay
 * while the reader keeps up.
 *
 * Pure: no I/O, no clock: every time is passed in, µs on the source's
 * clock (the caller adds the measured clock offset to its own clock).
 * Threads: one mutex inside; every function may be called from any thread.
 * Ownership: strings are copied; tables live as long as the tracker.
 */
#ifndef BINLOGD_LAG_H
#define BINLOGD_LAG_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/buf.h"
#include "binlogd/config.h"
#include "binlogd/tz.h"

enum bd_stage { BD_STAGE_READ = 0, BD_STAGE_ACKED, BD_STAGE_DURABLE, BD_NSTAGES };
const char *bd_stage_name(enum bd_stage s); /* "read", "acked", "durable" */

typedef struct bd_lag bd_lag;
typedef struct bd_lag_table bd_lag_table;

/* start_us: the commit time of the checkpoint (where reading resumes; 0:
 * unknown, the first poll decides).  fresh_us: how long a confirmation of
 * the head counts (e.g. two head polls and a second). */
bd_lag *bd_lag_new(int64_t start_us, int64_t fresh_us);
void bd_lag_free(bd_lag *l);

/* A MariaDB commit second refined by when it was read: within
 * [commit_us, commit_us + 1 s), at most now_us. */
static inline int64_t bd_lag_commit_estimate(int64_t commit_us, int exact, int64_t now_us)
{
    if (exact || now_us < commit_us) return commit_us;
    return now_us < commit_us + 999999 ? now_us : commit_us + 999999;
}

/* The table db.table (created on first use; topic: its Kafka topic, NULL
 * when it is not published).  NULL only when memory ran out. */
bd_lag_table *bd_lag_table_get(bd_lag *l, const char *db, const char *table, const char *topic);

/* The table published to topic, or NULL. */
bd_lag_table *bd_lag_table_by_topic(bd_lag *l, const char *topic);
/* Its Kafka topic (NULL when not published); valid as long as l. */
const char *bd_lag_table_topic(const bd_lag_table *t);

/* ---- read stage (the data thread) ---- */
/* Transaction number no (counting from 1, increasing) was read, committed
 * at commit_us. */
void bd_lag_read_txn(bd_lag *l, uint64_t no, int64_t commit_us);
/* It holds a change to t (call once per table and transaction). */
void bd_lag_read_table(bd_lag *l, bd_lag_table *t, uint64_t no, int64_t commit_us);
/* The reader's position: the end of the last event read.  file_ts_us: the
 * time of the last event read in that file (for retention). */
void bd_lag_read_pos(bd_lag *l, const char *file, uint64_t pos, int64_t event_us);
/* A new binlog file began at start_us (its FORMAT_DESCRIPTION's time). */
void bd_lag_file_start(bd_lag *l, const char *file, int64_t start_us);
/* The server sent a heartbeat at now_us: the reader is at its head. */
void bd_lag_heartbeat(bd_lag *l, int64_t now_us);
void bd_lag_connected(bd_lag *l, int on, int64_t now_us);

/* ---- the source's head (control connection) ---- */
typedef struct bd_binlog_file {
    char name[256];
    uint64_t size;
} bd_binlog_file;
/* A head poll taken at polled_us: the head file:pos, the binlog files on
 * the server (oldest first, with sizes; n may be 0) and the expiry in
 * seconds (0: never purged by age). */
void bd_lag_head(bd_lag *l, const char *file, uint64_t pos, const bd_binlog_file *files, size_t n,
                 double expire_s, int64_t polled_us);

/* ---- acked and durable ---- */
/* Every transaction up to no was acknowledged; the acked position. */
void bd_lag_acked(bd_lag *l, uint64_t no, const char *file, uint64_t pos);
/* The checkpoint now holds every transaction up to no, at file:pos. */
void bd_lag_durable(bd_lag *l, uint64_t no, const char *file, uint64_t pos);

/* ---- consumed ---- */
/* Kafka acknowledged a message of t at partition:offset, committed at
 * commit_us. */
void bd_lag_delivered(bd_lag *l, bd_lag_table *t, int32_t partition, int64_t offset,
                      int64_t commit_us);
/* The commit time of the message at offset, from what was delivered: 0
 * with *commit_us, -1 when not known (read the message instead). */
int bd_lag_offset_time(bd_lag *l, bd_lag_table *t, int32_t partition, int64_t offset,
                       int64_t *commit_us);
/* A consumer group's position on a partition of t's topic: committed is
 * the next offset it reads (the partition's low watermark when it never
 * committed), high the partition's high watermark, commit_us the commit
 * time of the message at committed (0: nothing there or unknown).
 * Partition -1 says the group was polled for t at all (a topic with no
 * partition yet has nothing to consume). */
void bd_lag_consumer(bd_lag *l, const char *group, bd_lag_table *t, int32_t partition,
                     int64_t committed, int64_t high, int64_t commit_us, int64_t polled_us);

/* ---- reports ---- */
typedef struct bd_lag_stage_report {
    int64_t watermark_us; /* 0: not known yet */
    double lag_s;         /* NaN while the watermark is not known */
} bd_lag_stage_report;

typedef struct bd_lag_table_report {
    char db[65], table[65];
    bd_lag_stage_report stage[BD_NSTAGES];
} bd_lag_table_report;

typedef struct bd_lag_report {
    int64_t now_us;
    bd_lag_stage_report stage[BD_NSTAGES];
    double distance_bytes[BD_NSTAGES], distance_files[BD_NSTAGES]; /* -1: unknown */
    double retention_headroom_s;                                   /* +Inf: never purged */
    double head_poll_age_s;                                        /* +Inf: never polled */
    int connected;
    /* the tables, in the order first seen */
    bd_lag_table_report *tables;
    size_t ntables;
} bd_lag_report;

/* Fill r (the tables array is allocated; bd_lag_report_release frees it). */
void bd_lag_report_make(bd_lag *l, int64_t now_us, bd_lag_report *r);
void bd_lag_report_release(bd_lag_report *r);

/* The consumed watermark of every table on the consumer group's topics
 * (only tables the group was polled for), each call fills db, table and
 * the watermark/lag: returns the count (at most max). */
typedef struct bd_lag_consumer_report {
    char db[65], table[65];
    bd_lag_stage_report consumed;
} bd_lag_consumer_report;
size_t bd_lag_consumer_report_make(bd_lag *l, const char *group, int64_t now_us,
                                   bd_lag_consumer_report *out, size_t max);

/* ---- gates ---- */
typedef struct bd_gate_table_report {
    char name[131]; /* db.table */
    int64_t watermark_us;
    double lag_s;
    int complete; /* watermark >= cut-off, and not loading */
    int loading;  /* a snapshot of it is not finished (bd_lag_set_loading) */
} bd_gate_table_report;

typedef struct bd_gate_report {
    int ready, at_risk, skewed;
    int unknown;       /* the consumer group was not polled yet: not ready, no alert */
    const char *state; /* "ready", "not_ready", "at_risk" or "skewed" (most urgent first:
                          at_risk, skewed, not_ready) */
    int64_t cutoff_us, job_us;
    double skew_s;
    bd_gate_table_report *tables; /* g->ntables of them, allocated */
} bd_gate_report;

/* Tables that are not complete for any gate whatever their watermark:
 * loading(ctx, db, table) says 1 while a snapshot loads the table's
 * existing rows (NULL: none).  Called by bd_lag_gate, without the
 * tracker's lock held. */
void bd_lag_set_loading(bd_lag *l, int (*loading)(void *ctx, const char *db, const char *table),
                        void *ctx);

/* Evaluate gate g at now (tz: the gate's zone).  cutoff_us: the cut-off
 * asked for, or 0 for the gate's current one (the latest daily cut-off at
 * or before now).  Release with bd_gate_report_release. */
int bd_lag_gate(bd_lag *l, const bd_gate_config *g, const bd_tz *tz, int64_t cutoff_us,
                int64_t now_us, bd_gate_report *r);
void bd_gate_report_release(bd_gate_report *r);

#endif
