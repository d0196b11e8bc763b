/* kafka.h - the Kafka producer of the daemon: librdkafka set up for no data
 * loss, delivery reports handed to an event loop through a file descriptor.
 *
 * Defaults (each may be overridden by the caller's configuration, which is
 * passed to librdkafka as is): enable.idempotence=true (so acks=all and
 * ordered, duplicate-free retries per partition), acks=all,
 * compression.type=lz4, partitioner=murmur2_random (the Java client's
 * partitioner: the same key lands on the same partition as from a Java
 * producer).  Settings that would allow loss (acks other than all,
 * enable.idempotence=false) are refused by bd_kafka_new unless
 * allow_unsafe is set.
 *
 * Threads: bd_kafka_produce() may be called from one thread (the data
 * path) while bd_kafka_poll() runs on another (the event loop); delivery
 * callbacks run inside bd_kafka_poll(), bd_kafka_flush() and the
 * transactional calls, on the calling thread, never on two threads at
 * once: a poll finds the queue taken by a flush or a commit on another
 * thread and returns (that call wakes the fd when it is done).
 *
 * librdkafka's log lines and error callbacks are served the same way (its
 * log.queue is always set), so opts.log also runs on the polling thread.
 *
 * Ownership: bd_kafka_new() copies the configuration; payloads are copied
 * at produce time (the caller's buffers may be reused at once);
 * bd_kafka_free() destroys the producer without waiting (call
 * bd_kafka_flush() first for a clean stop) and runs no callback: messages
 * not yet reported are dropped without a report, so the caller must not
 * expect one for each opaque after a failed flush.
 */
#ifndef BINLOGD_KAFKA_H
#define BINLOGD_KAFKA_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/error.h"

typedef struct bd_kafka bd_kafka;

/* One delivery report: the opaque given to produce, and the outcome.
 * err is 0 (delivered: partition/offset set) or librdkafka's error code
 * (rd_kafka_resp_err_t) for a message librdkafka gave up on; too_large is
 * set when the broker or the client refused it for its size.  errstr and
 * topic are valid during the callback only; offset is -1 when err != 0. */
typedef struct bd_kafka_report {
    void *opaque;
    int err;
    const char *errstr;
    int too_large;
    const char *topic;
    int32_t partition;
    int64_t offset;
    size_t len; /* key + value bytes */
    int purged; /* not sent: purged by an abort of its transaction (or at the end) */
    int fenced; /* refused because a newer producer of the transactional.id took over */
} bd_kafka_report;

typedef struct bd_kafka_opts {
    /* librdkafka properties as name/value pairs (the config's kafka.* keys
     * without the prefix): conf[2*i] is a name and conf[2*i+1] its value,
     * for i < nconf (nconf counts pairs).  Applied in order after the
     * defaults; bootstrap.servers is required. */
    const char *const *conf;
    size_t nconf;
    int allow_unsafe; /* accept acks != all / enable.idempotence=false */
    /* Kafka transactions (exactly once): the producer's transactional.id,
     * which fences any older producer with the same id; NULL: none */
    const char *transactional_id;
    void (*on_delivery)(void *ctx, const bd_kafka_report *r);
    /* librdkafka's log lines and errors (level: syslog levels 0..7) */
    void (*log)(void *ctx, int level, const char *msg);
    void *ctx;
} bd_kafka_opts;

/* 1 for a librdkafka property whose value is a secret (passwords, keys,
 * OAuth configuration): never logged, never in an error message. */
int bd_kafka_secret_property(const char *name);

/* Does librdkafka take name = value (a property it knows, a value it
 * accepts)?  0, or -1 with its reason in msg (a secret's value never
 * quoted).  For errors at the config file's line, before any client. */
int bd_kafka_property_check(const char *name, const char *value, char *msg, size_t n);

/* The caller's last setting of name or of its alias among nconf name/value
 * pairs (librdkafka keeps the last one), or NULL; *spelling is set to the
 * name as the caller wrote it, so that a refusal quotes the config file. */
const char *bd_kafka_user_setting(const char *const *conf, size_t nconf, const char *name,
                                  const char *alias, const char **spelling);

/* Cut the newline and spaces that librdkafka's messages sometimes end in. */
void bd_kafka_chomp(char *s);

/* NULL with err naming the property that librdkafka refused
 * ("kafka.NAME=VALUE: <librdkafka's reason>"; the value of a password or
 * secret is never shown), or the unsafe setting. */
bd_kafka *bd_kafka_new(const bd_kafka_opts *o, bd_err *err);
void bd_kafka_free(bd_kafka *k);

/* The settings bd_kafka_new() would refuse, found without creating a
 * client (no thread, no connection): 0, or -1 with the same err.  For
 * check-config.  Only o->conf, o->nconf and o->allow_unsafe are read. */
int bd_kafka_check_settings(const bd_kafka_opts *o, bd_err *err);

/* A file descriptor that becomes readable when delivery reports or other
 * events wait; the loop then calls bd_kafka_poll().  Non-blocking. */
int bd_kafka_fd(const bd_kafka *k);

/* Drain the fd and serve waiting events (delivery, log and error
 * callbacks run here).  Returns the number of events served; one event may
 * carry the reports of a whole batch of messages. */
int bd_kafka_poll(bd_kafka *k);

typedef struct bd_kafka_header {
    const char *name;
    const void *value;
    size_t len;
} bd_kafka_header;

enum bd_kafka_produce_result {
    BD_KAFKA_QUEUED = 0,    /* a delivery report will follow */
    BD_KAFKA_FULL = 1,      /* the local queue is full: wait for reports, retry */
    BD_KAFKA_TOO_LARGE = 2, /* bigger than message.max.bytes: no report follows */
    BD_KAFKA_FAILED = -1,   /* err says why (e.g. a fatal producer error); no report */
};

/* One message to queue. */
#define BD_KAFKA_BY_KEY (-1)
typedef struct bd_kafka_msg {
    const char *topic;
    /* BD_KAFKA_BY_KEY: Java's murmur2 of the key bytes (an empty key too;
     * no key: a random partition); otherwise this partition */
    int32_t partition;
    const void *key; /* NULL: no key */
    size_t key_len;
    const void *value; /* NULL: a null value (a tombstone) */
    size_t value_len;
    const bd_kafka_header *headers; /* a header with value NULL is a null header */
    size_t nheaders;
    void *opaque; /* handed back in the delivery report */
    /* 1 from a thread other than the producing one (the loop's checkpoint
     * mirror): the topic by its name, not through the producing thread's
     * handle cache */
    int any_thread;
} bd_kafka_msg;
enum bd_kafka_produce_result bd_kafka_send(bd_kafka *k, const bd_kafka_msg *m, bd_err *err);

/* The same, by the key's partition.  key NULL: no key (a random
 * partition); otherwise the partition is Java's murmur2 of the key bytes
 * (an empty key too).  A header with value NULL is a null header. */
enum bd_kafka_produce_result bd_kafka_produce(bd_kafka *k, const char *topic, const void *key,
                                              size_t key_len, const void *value, size_t value_len,
                                              const bd_kafka_header *headers, size_t nheaders,
                                              void *opaque, bd_err *err);

/* The partition of key[0..len) among partitions, as the Java client's
 * (and librdkafka's murmur2) partitioner computes it. */
int32_t bd_kafka_partition_of(const void *key, size_t len, int32_t partitions);
/* 1 when the producer's partitioner places a key as bd_kafka_partition_of
 * does (murmur2, murmur2_random: binlogd's default); 0 for another
 * [kafka] partitioner. */
int bd_kafka_keys_murmur2(const bd_kafka *k);

/* The number of partitions of a topic, in two answers:
 *
 * BD_KAFKA_PARTS_FIRST: the count this producer first read for the topic
 * (by either kind), kept for the life of the producer: the partition of a
 * table without a key (bd_kafka_partition_of of its name) stays the same
 * through the run although partitions are added to the topic meanwhile; it
 * moves at the next start (docs/format.md).  Asks the cluster only the first
 * time.
 *
 * BD_KAFKA_PARTS_NOW: the count in the cluster's metadata now, asked for at
 * every call: a TRUNCATE goes to every partition that exists, the added
 * ones too.  It does not change the kept count (it becomes the kept one
 * when none was read before).
 *
 * Every topic's count is kept, however many topics there are (not only
 * those of the producer's topic handles).  A topic deleted and created
 * again with fewer partitions under a running producer keeps its first
 * count: messages for a partition that no longer exists fail in their
 * delivery report, until the next start.
 *
 * A topic that does not exist may be created by the request, as producing
 * would.  Returns > 0, or -1 with err after timeout_ms (the metadata did
 * not come, the broker refused it, librdkafka refused the topic name, out
 * of memory).  Blocks; the producing thread's. */
enum bd_kafka_parts {
    BD_KAFKA_PARTS_FIRST = 0,
    BD_KAFKA_PARTS_NOW = 1,
};
int32_t bd_kafka_partitions(bd_kafka *k, const char *topic, enum bd_kafka_parts which,
                            int timeout_ms, bd_err *err);

/* Messages produced and not yet reported. */
size_t bd_kafka_in_flight(const bd_kafka *k);

/* Wait up to timeout_ms for every report (callbacks run here).  0 when
 * nothing is left in flight, -1 with err otherwise. */
int bd_kafka_flush(bd_kafka *k, int timeout_ms, bd_err *err);

/* A fatal producer error (e.g. the idempotent producer lost its sequence
 * with a broker, or was refused a producer id): 1 with err set, else 0.
 * Nothing more can be produced after one; messages that were waiting are
 * reported as failed. */
int bd_kafka_fatal(bd_kafka *k, bd_err *err);

/* 1 when the producer stopped for good because a newer producer with its
 * transactional.id fenced it (its fatal error says so).  Any thread. */
int bd_kafka_fenced(bd_kafka *k);

/* Kafka transactions (a producer made with opts.transactional_id).  Each
 * call retries what librdkafka calls retriable (a timeout: the call
 * resumes) for up to timeout_ms in all, and returns:
 *   BD_KAFKA_TXN_OK         done
 *   BD_KAFKA_TXN_ABORTABLE  this transaction cannot commit (a message was
 *                           refused, the broker aborted it): abort it; its
 *                           messages stay invisible to read_committed
 *                           consumers, the producer stays usable
 *   BD_KAFKA_TXN_FENCED     another producer with the same transactional.id
 *                           took over (it fenced this one): nothing more
 *                           can be produced, free the producer
 *   BD_KAFKA_TXN_FATAL      anything else (err says what), as fatal
 * err is set for every result but OK.  Delivery reports are served on the
 * calling thread while commit waits (it flushes first); a bd_kafka_poll on
 * another thread meanwhile serves nothing. */
enum bd_kafka_txn_result {
    BD_KAFKA_TXN_OK = 0,
    BD_KAFKA_TXN_ABORTABLE = 1,
    BD_KAFKA_TXN_FENCED = 2,
    BD_KAFKA_TXN_FATAL = -1,
};
/* Once, before the first transaction: registers the transactional.id with
 * its coordinator, aborts the open transaction of an earlier producer with
 * the same id (or waits for it to complete) and fences that producer. */
enum bd_kafka_txn_result bd_kafka_txn_init(bd_kafka *k, int timeout_ms, bd_err *err);
enum bd_kafka_txn_result bd_kafka_txn_begin(bd_kafka *k, bd_err *err);
enum bd_kafka_txn_result bd_kafka_txn_commit(bd_kafka *k, int timeout_ms, bd_err *err);
enum bd_kafka_txn_result bd_kafka_txn_abort(bd_kafka *k, int timeout_ms, bd_err *err);

#endif
