/* sink_kafka.h - the publish stage's Kafka sink, shared by `run` and
 * `replay`: a producer set up from the configuration, the partition of
 * each message, the flow-control window, the oversize policy and the
 * delivery accounting of each transaction (acks.h).
 *
 * The stage (publish.h) frames transactions and emits messages; the
 * commands forward them here:
 *   ops.begin -> bd_ksink_begin   opens the transaction's ack record
 *                                 (waits while the ring is full or held)
 *   ops.emit  -> bd_ksink_emit    one message: by its key's partition
 *                                 (murmur2, the Java client's), by its
 *                                 table's name (no key), or to every
 *                                 partition (TRUNCATE); waits while the
 *                                 window ([daemon] max_in_flight,
 *                                 max_in_flight_bytes) is full
 *   ops.end   -> bd_ksink_end     closes the record with the position
 *                                 after the transaction
 * Delivery reports count the records down; the acknowledged position
 * (bd_acks_position on bd_ksink_acks) moves over each transaction whose
 * every message Kafka took, and never past one it did not take.
 *
 * A message bigger than Kafka takes (the client's message.max.bytes, or
 * the broker's refusal in a delivery report) stops the stream, or with
 * [kafka] oversize = skip is counted, logged and passed over.  Any other
 * delivery Kafka did not take holds the acknowledged position for good;
 * with threads = 0 it also stops the stream at the next message or
 * transaction (the caller reads why in the error), since its record
 * would otherwise fill the ring.
 *
 * Exactly once (opts.transactional_id set): the messages go in Kafka
 * transactions, each holding whole database transactions.  The first
 * bd_ksink_begin after a commit opens one; bd_ksink_commit, called
 * between database transactions, adds the checkpoint record (the position
 * after the last of them, state_topic.h) and commits.  A record of the ack
 * tracker then retires only once its Kafka transaction committed, so the
 * acknowledged position is what a read_committed consumer sees.  Either
 * threading mode: a commit serves the reports on its own thread meanwhile
 * (kafka.h).  Two transactional producers take turns, one Kafka
 * transaction each: transactional_id and transactional_id#1 (why: the
 * commit in sink_kafka.c); both are initialised, so both fence.
 *
 * Threads: two ways to serve delivery reports.  threads = 1 (the daemon):
 * the data thread calls begin/emit/end and waits on the ack tracker's
 * condition variable, while another thread serves the producer's queue
 * (bd_ksink_poll, when a producer's fd wakes).  threads = 0 (replay): one thread does
 * everything, and waiting for room serves the reports itself.
 *
 * Ownership: the sink owns its producer and ack tracker; the opts'
 * strings are copied; the config is read in bd_ksink_new only.
 */
#ifndef BINLOGD_SINK_KAFKA_H
#define BINLOGD_SINK_KAFKA_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/acks.h"
#include "binlogd/checkpoint.h"
#include "binlogd/config.h"
#include "binlogd/error.h"
#include "binlogd/kafka.h"
#include "binlogd/publish.h"

typedef struct bd_ksink bd_ksink;

typedef struct bd_ksink_opts {
    int threads; /* see above */
    size_t ring; /* transactions in flight at most */
    /* the acknowledged position to start from (a checkpoint; "" none) */
    const char *start_file;
    uint64_t start_pos;
    const char *start_gtid;
    /* each message carries the headers binlogd.replay.id (this) and
     * binlogd.replay.pos (FILE:POS of its row event); NULL: no headers */
    const char *replay_id;
    /* exactly once: the producer's transactional.id (NULL: at least
     * once); the state topic and the source's name (its checkpoint's key,
     * both modes) */
    const char *transactional_id;
    const char *state_topic;
    const char *source;
    /* each delivery report, before it is counted against its transaction
     * (so r->opaque, the record, is still that transaction's and
     * bd_acks_txn_commit reads its commit time): ok says whether it counts
     * as taken (a broker's oversize refusal skipped counts as taken).
     * Runs on the thread that polls the producer.  May be NULL. */
    void (*on_report)(void *ctx, const bd_kafka_report *r, int ok);
    /* librdkafka's lines and the sink's warnings (syslog levels) */
    void (*log)(void *ctx, int level, const char *msg);
    /* 1 to stop waiting now: asked while serving reports (threads = 0)
     * and while librdkafka's own queue is full (both); with threads = 1
     * bd_ksink_stop wakes the waiters on the ack tracker */
    int (*stopping)(void *ctx);
    void *ctx;
} bd_ksink_opts;

/* The producer's settings from a configuration: its kafka.* pairs and
 * allow_unsafe (callbacks left unset).  For check-config, which creates no
 * sink. */
void bd_ksink_kafka_opts(const bd_config *c, bd_kafka_opts *ko);

/* NULL with err: the producer refused a setting (err names it), or out
 * of memory. */
bd_ksink *bd_ksink_new(const bd_config *c, const bd_ksink_opts *o, bd_err *err);
/* Destroys the producer without waiting (bd_ksink_flush first). */
void bd_ksink_free(bd_ksink *s);

/* The first producer (at least once, the only one): its metadata sets
 * the partitions of messages without a key. */
bd_kafka *bd_ksink_kafka(bd_ksink *s);
/* The producers whose reports must be served (their fds, bd_kafka_fd),
 * into k[2]: 1, or 2 with exactly once. */
size_t bd_ksink_producers(bd_ksink *s, bd_kafka **k);
/* Exactly once: producer i's transactional.id (i < bd_ksink_producers);
 * NULL past them or at least once.  Owned by the sink. */
const char *bd_ksink_txn_id(const bd_ksink *s, size_t i);
/* Serve every producer's queue (threads = 1: the polling thread). */
void bd_ksink_poll(bd_ksink *s);
bd_acks *bd_ksink_acks(bd_ksink *s);

/* [kafka] oversize: 1 skip, 0 stop.  Any thread, at any time (a reload):
 * each message and report reads it once. */
void bd_ksink_set_oversize_skip(bd_ksink *s, int skip);

/* A transaction begins; its source commit time (µs) goes with its
 * messages' reports.  0, or -1 with err (BD_ERR_CALLBACK) when stopped
 * while waiting for room. */
int bd_ksink_begin(bd_ksink *s, uint64_t commit_us, bd_err *err);
/* The stage's emit (ctx = the sink).  0, or -1 with err: BD_ERR_CALLBACK
 * when stopped while waiting; BD_ERR_IO when the producer refused it, or
 * it is bigger than Kafka takes and oversize says stop (err names the
 * table, file:pos and the fix). */
int bd_ksink_emit(void *ctx, const bd_pub_msg *m, bd_err *err);
/* The transaction ended; file:pos after it, its GTID and commit time. */
int bd_ksink_end(bd_ksink *s, const char *file, uint64_t pos, const bd_txn *t, bd_err *err);
/* The record of the current transaction (NULL outside one). */
bd_acks_txn *bd_ksink_txn(const bd_ksink *s);

/* Exactly once, before anything is read: init_transactions (fencing an
 * older producer of the same transactional.id and ending its open
 * transaction), so that the state topic then shows its last commit.
 * 0, or -1 with err (BD_ERR_FENCED: fenced meanwhile). */
int bd_ksink_txn_init(bd_ksink *s, int timeout_ms, bd_err *err);
/* Exactly once: 1 when a newer producer of the transactional.id fenced this
 * one (it produces nothing more).  Any thread. */
int bd_ksink_fenced(bd_ksink *s);
/* The acknowledged position starts here instead (nothing opened yet). */
int bd_ksink_set_start(bd_ksink *s, const char *file, uint64_t pos, const char *gtid, bd_err *err);
/* Exactly once: should bd_ksink_commit run now?  Between transactions:
 * when something waits to be committed and either the source has nothing
 * more to read now (idle) or the open Kafka transaction is older than
 * max_ms. */
int bd_ksink_commit_due(bd_ksink *s, int idle, uint64_t max_ms);
/* Exactly once, between transactions: the checkpoint record of the
 * position after the last closed transaction (server: the source's
 * identity text) into the open Kafka transaction, which then commits (its
 * records retire).  Nothing to do: 0.  -1 with err: BD_ERR_FENCED when
 * another instance took over, BD_ERR_IO when the transaction failed (it
 * was aborted: nothing of it is visible to read_committed consumers, and
 * the acknowledged position stays before it). */
int bd_ksink_commit(bd_ksink *s, const char *server, bd_err *err);
/* Exactly once: abort the open Kafka transaction, if any (a stop inside a
 * database transaction, or after a failure): none of its messages become
 * visible to read_committed consumers, and the acknowledged position stays
 * before them.  Failures are logged.  The sink then begins and commits no
 * more (its records of the aborted transaction must not retire): the
 * caller stops, and a new sink resumes from the committed position. */
void bd_ksink_abort(bd_ksink *s);
/* A schema history line (n bytes) to the state topic: exactly once, in
 * the open Kafka transaction (one begins if none is open); at least once,
 * produced at once.  The producing thread.  0, or -1 with err. */
int bd_ksink_state_line(bd_ksink *s, const char *line, size_t n, bd_err *err);
/* At least once: the checkpoint c (the acknowledged position, just
 * written to disk) mirrored to the state topic, so another host can resume
 * near it.  Any thread; its delivery is not waited for (a lost record only
 * means a resume further back).  Exactly once: nothing (commits carry it).
 * 0, or -1 with err. */
int bd_ksink_mirror(bd_ksink *s, const bd_checkpoint *c, bd_err *err);
/* Seconds spent waiting in commits so far (all of them, failed ones too). */
double bd_ksink_commit_seconds(const bd_ksink *s);
/* Kafka transactions committed so far. */
uint64_t bd_ksink_commits(const bd_ksink *s);

/* Wake every waiter; begin and emit stop at once from now on. */
void bd_ksink_stop(bd_ksink *s);

/* Wait up to timeout_ms for every delivery report (callbacks run here).
 * 0 when nothing is left in flight, -1 with err. */
int bd_ksink_flush(bd_ksink *s, int timeout_ms, bd_err *err);

typedef struct bd_ksink_counts {
    uint64_t oversize_skipped; /* messages passed over as too large */
    uint64_t errors;           /* delivery reports of failure (skipped refusals too) */
} bd_ksink_counts;
/* Any thread. */
void bd_ksink_counts_get(const bd_ksink *s, bd_ksink_counts *c);
/* The first delivery Kafka did not take: "Kafka did not take a message for
 * TOPIC: REASON", or "" (any thread). */
void bd_ksink_first_failure(bd_ksink *s, char *buf, size_t n);

#endif
