/* acks.h - which transactions Kafka has acknowledged whole: the position the
 * checkpoint may move to.
 *
 * A ring of transaction records in binlog order.  The data path opens a
 * record when a transaction begins, counts one message per row change it
 * produces, and closes the record at the transaction's end with the
 * position after it.  Delivery reports count messages down.  A record
 * whose transaction ended and whose every message was delivered, with all
 * records before it done too, is retired: the acknowledged position moves
 * to its end.  A message that Kafka did not take (a delivery failure that
 * librdkafka gave up on) marks its record failed: nothing after it is ever
 * retired, so the checkpoint never passes a lost message.
 *
 * The ring also bounds memory: opening a record waits while the ring is
 * full, and bd_acks_wait() waits while too many messages or bytes are in
 * flight (backpressure: the source stops being read while Kafka is slow
 * or down, and goes on by itself).
 *
 * Threads: one data thread (open, add, close, wait) and one other thread
 * (delivered, position, stop) — a mutex and a condition variable inside.
 *
 * Ownership: the tracker owns its records and copies of the file names
 * and GTIDs given to it.
 */
#ifndef BINLOGD_ACKS_H
#define BINLOGD_ACKS_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/buf.h"
#include "binlogd/error.h"
#include "binlogd/event.h"

typedef struct bd_acks bd_acks;
typedef struct bd_acks_txn bd_acks_txn; /* a record; the opaque of its messages */

/* capacity: transactions in flight at most.  The acknowledged position
 * starts at file:pos with the GTID set gtid ("" unknown). */
bd_acks *bd_acks_new(size_t capacity, const char *file, uint64_t pos, enum bd_flavor flavor,
                     const char *gtid, bd_err *err);
void bd_acks_free(bd_acks *a);

/* A fresh start (no checkpoint): the position the stream starts at, once
 * known, so a checkpoint can be written before the first transaction (a
 * restart then resumes there, not at a later head), and the GTID set of
 * everything before it when the source knows it (NULL: unknown until a
 * file start, bd_acks_close_base).  Ignored once the position was set or
 * moved. */
void bd_acks_set_start(bd_acks *a, const char *file, uint64_t pos, enum bd_flavor flavor,
                       const char *gtid);

/* After a failover to another server: the old position means nothing
 * there.  Move to file:pos of the new server ("" when not known yet: no
 * checkpoint is written until a transaction ends); only with nothing in
 * flight. */
void bd_acks_restart_at(bd_acks *a, const char *file, uint64_t pos);

/* Data thread.  open: NULL when bd_acks_stop() was called while waiting
 * for room. */
bd_acks_txn *bd_acks_open(bd_acks *a);
/* The source commit time of t's transaction (µs), set by the data thread
 * before its first message, read by the delivery callback of a message of
 * t (the producer's queue orders the two). */
void bd_acks_txn_set_commit(bd_acks_txn *t, uint64_t commit_us);
uint64_t bd_acks_txn_commit(const bd_acks_txn *t);
/* One message of t is about to be produced, of len bytes. */
void bd_acks_add(bd_acks *a, bd_acks_txn *t, size_t len);
/* bd_acks_wait() then bd_acks_add() under one lock (the per-message path):
 * 0 added, 1 stopped (nothing added). */
int bd_acks_wait_add(bd_acks *a, bd_acks_txn *t, size_t len, uint64_t max_msgs, uint64_t max_bytes);
/* The message just added was not produced after all (refused by the
 * client before sending, e.g. too large and skipped). */
void bd_acks_unadd(bd_acks *a, bd_acks_txn *t, size_t len);
/* t ended; the stream's position after it is file:pos; gtid ("" or NULL
 * when none) and commit time for the checkpoint. */
int bd_acks_close(bd_acks *a, bd_acks_txn *t, const char *file, uint64_t pos, const char *gtid,
                  uint64_t commit_us, bd_err *err);
/* Close t, a record that holds no transaction but the start of a binlog
 * file: set (n bytes) is the text of its PREVIOUS_GTIDS (MySQL) or
 * GTID_LIST (MariaDB).  When the tracker was started without a GTID set,
 * the position's set becomes complete there: before it, the set of a
 * start at a file position or the head is unknown and reported as "". */
int bd_acks_close_base(bd_acks *a, bd_acks_txn *t, const char *file, uint64_t pos,
                       enum bd_flavor flavor, const char *set, size_t n, bd_err *err);
/* Wait while max_msgs or more messages, or max_bytes or more bytes, are
 * in flight (both at least 1).  0, or 1 when stopped. */
int bd_acks_wait(bd_acks *a, uint64_t max_msgs, uint64_t max_bytes);

/* bd_acks_wait_add() without waiting, for a single thread that serves
 * its own delivery reports: 0 added, 1 no room (nothing added), 2
 * stopped. */
int bd_acks_try_add(bd_acks *a, bd_acks_txn *t, size_t len, uint64_t max_msgs, uint64_t max_bytes);

/* Would waiting block now?  1 while the ring is full or held (max_msgs
 * 0), or max_msgs or more messages or max_bytes or more bytes are in
 * flight; 0 when there is room or the tracker was stopped.  For a single
 * thread that serves its own delivery reports instead of waiting. */
int bd_acks_busy(bd_acks *a, uint64_t max_msgs, uint64_t max_bytes);

/* Delivery thread: one message of t was delivered (ok) or given up on. */
void bd_acks_delivered(bd_acks *a, bd_acks_txn *t, size_t len, int ok);
/* Hold (on) or release new transactions: while held, bd_acks_open()
 * waits, so the source stops being read (used while the checkpoint cannot
 * be written: reading on would only pile up what a crash must redo). */
void bd_acks_hold(bd_acks *a, int on);
/* Wake every waiter; open and wait return at once from now on. */
void bd_acks_stop(bd_acks *a);

/* Exactly once (Kafka transactions): from now on a record retires only
 * when it is also inside a Kafka transaction that committed
 * (bd_acks_commit_through); delivered is not enough, since an aborted
 * transaction's messages were delivered too. */
void bd_acks_set_transactional(bd_acks *a);
/* The position the acknowledged one becomes when every record opened so
 * far retires: file (n bytes), pos, the commit time and the GTID set
 * (appended to gtid when known; may be NULL), and in *mark what
 * bd_acks_commit_through() takes to retire them.  For the checkpoint
 * record that goes into the Kafka transaction that holds them.  -1 with
 * err while a record is open or failed, or out of memory. */
int bd_acks_prospect(bd_acks *a, uint64_t *mark, char *file, size_t n, uint64_t *pos,
                     uint64_t *commit_us, bd_buf *gtid, bd_err *err);
/* The Kafka transaction of the records up to mark committed: they retire
 * (once delivered, which a commit implies). */
void bd_acks_commit_through(bd_acks *a, uint64_t mark);
/* Records opened and not yet retired. */
uint64_t bd_acks_pending(bd_acks *a);

/* The acknowledged position: the end of the last retired transaction. */
typedef struct bd_acks_pos {
    uint64_t seq;       /* grows whenever the position moves */
    uint64_t retired;   /* records retired since the start: the first 'retired'
                           records opened (in open order) are acknowledged */
    uint64_t in_flight; /* messages */
    uint64_t in_flight_bytes;
    uint64_t open_txns; /* records not yet retired */
    uint64_t delivered, failed;
    uint64_t commit_us;
    int stuck; /* a failed record holds the position */
} bd_acks_pos;
/* Fill p; file (n bytes) and the GTID set text (appended to gtid, which
 * may be NULL; nothing while the set is not known to be complete) of the
 * position. */
void bd_acks_position(bd_acks *a, bd_acks_pos *p, char *file, size_t n, uint64_t *pos,
                      bd_buf *gtid);

#endif
