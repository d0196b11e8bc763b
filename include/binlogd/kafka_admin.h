/* kafka_admin.h - what the daemon asks Kafka about its consumers: a
 * consumer group's committed offsets, partitions' high watermarks, and
 * the source commit time of the message at an offset.
 *
 * Blocking calls on a client handle of its own (not the producer's), for
 * the daemon's monitor thread; each waits at most timeout_ms.  One thread
 * at a time per handle (commit time assigns and unassigns a partition).
 * Failures name the bootstrap servers ("kafka HOST:PORT: ...") and, when
 * librdkafka logged an error recently, quote it (a refused connection, a
 * TLS or SASL failure).  librdkafka writes nothing to stderr.
 *
 * Ownership: bd_kafka_admin_new() copies the configuration; results are
 * written to caller-owned arrays.
 */
#ifndef BINLOGD_KAFKA_ADMIN_H
#define BINLOGD_KAFKA_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/error.h"

typedef struct bd_kafka_admin bd_kafka_admin;

/* conf: librdkafka properties as in bd_kafka_opts (name/value pairs,
 * nconf pairs; producer-only properties are left out here, and so are
 * properties librdkafka does not know: the producer refuses those).
 * NULL with err "kafka.NAME=VALUE: reason" (a secret's value shown as
 * "(secret)") for a value librdkafka refuses, a bootstrap.servers that
 * cannot work (no broker, a bad port, a protocol other than
 * security.protocol) or TLS/SASL settings it cannot start with. */
bd_kafka_admin *bd_kafka_admin_new(const char *const *conf, size_t nconf, bd_err *err);
/* The same for reading whole partitions (bd_kafka_admin_read_partition of
 * the state topic): librdkafka's prefetch rather than the one message at
 * a time that commit-time questions want (which reads a long partition at
 * about one fetch a second). */
bd_kafka_admin *bd_kafka_admin_new_reader(const char *const *conf, size_t nconf, bd_err *err);
/* A member of the consumer group group on topic (the state topic), whose
 * session ends session_ms after its last heartbeat (librdkafka heartbeats
 * from its own thread): the member that holds partition 0 is the active
 * instance of its source.  It reads nothing.  NULL with err. */
bd_kafka_admin *bd_kafka_admin_member(const char *const *conf, size_t nconf, const char *group,
                                      const char *topic, unsigned session_ms, bd_err *err);
/* Serve the member's rebalances (call it often: every 100 ms): 1 while it
 * holds partition 0, else 0 (not yet, or revoked, or lost after its
 * session ended).  One thread. */
int bd_kafka_admin_member_poll(bd_kafka_admin *k);
/* A member leaves its group first. */
void bd_kafka_admin_free(bd_kafka_admin *k);

typedef struct bd_group_offset {
    char topic[256];
    int32_t partition;
    int64_t committed; /* next offset the group will read; -1: none committed */
} bd_group_offset;

/* The group's committed offsets for every partition of the given topics
 * (ntopics names; partitions the group never committed come back with
 * committed = -1, a topic that does not exist has none, a name given twice
 * counts once), in the order of topics, then partitions.  Returns the
 * number filled (at most max), -1 with err: also when the topics have more
 * than max partitions, and for the first partition the answer has an
 * error for (err names topic and partition). */
int bd_kafka_admin_group_offsets(bd_kafka_admin *k, const char *group, const char *const *topics,
                                 size_t ntopics, bd_group_offset *out, size_t max, int timeout_ms,
                                 bd_err *err);

/* The number of partitions of topic (0 when it does not exist yet), -1
 * with err. */
int bd_kafka_admin_partitions(bd_kafka_admin *k, const char *topic, int timeout_ms, bd_err *err);

/* Low and high watermark offsets of a partition. 0, or -1 with err. */
int bd_kafka_admin_watermarks(bd_kafka_admin *k, const char *topic, int32_t partition, int64_t *low,
                              int64_t *high, int timeout_ms, bd_err *err);

/* The source commit time (µs, the "ts_us" of the message's "source"
 * block, docs/format.md) of the message at offset: 0 with *commit_us set,
 * 1 when there is no message there (yet), -1 with err.  Where offset holds
 * no message (a transaction marker, a record removed by compaction), the
 * next message is read: the oldest one at or after offset, which is what
 * a consumer whose committed offset this is has not read yet.  "No
 * message" is the end of the partition, or an offset out of range (beyond
 * it, or removed by retention).  A value that is not JSON or has no
 * source.ts_us is an error; so is, after timeout_ms, a partition that
 * does not exist (librdkafka does not tell). */
int bd_kafka_admin_commit_time(bd_kafka_admin *k, const char *topic, int32_t partition,
                               int64_t offset, uint64_t *commit_us, int timeout_ms, bd_err *err);

/* One message of a partition: key and value (either NULL when null) and
 * its offset.  0 to go on, -1 with err to stop the read with that error. */
typedef int (*bd_kafka_admin_record_cb)(void *ctx, const void *key, size_t key_len,
                                        const void *value, size_t value_len, int64_t offset,
                                        bd_err *err);
/* Every message of a partition, from its start to its end as a
 * read_committed consumer sees it: aborted transactions left out, and the
 * end is the last stable offset (before a transaction still open; a new
 * producer's init_transactions ends an earlier one's first).  A topic or
 * partition that does not exist reads as empty.  0, or -1 with err (after
 * timeout_ms, or as cb said). */
int bd_kafka_admin_read_partition(bd_kafka_admin *k, const char *topic, int32_t partition,
                                  bd_kafka_admin_record_cb cb, void *ctx, int timeout_ms,
                                  bd_err *err);
/* The same from offset *next (negative: the partition's start) to its
 * end; *next is left after the last message read (as it was when there
 * was none), so that the next call reads only what came since.  A
 * partition written all the time may never show its end to a
 * read_committed reader (the end moves on with every commit): budget_ms >
 * 0 ends the read after that long with what came (0, once something was
 * read at all). */
int bd_kafka_admin_read_partition_from(bd_kafka_admin *k, const char *topic, int32_t partition,
                                       int64_t *next, bd_kafka_admin_record_cb cb, void *ctx,
                                       int timeout_ms, int budget_ms, bd_err *err);

/* How many topics for which want(ctx, name) says 1 hold at least one
 * message (a partition whose high watermark is above its low one), and the
 * name of the first such in first (n bytes).  -1 with err. */
int bd_kafka_admin_used_topics(bd_kafka_admin *k, int (*want)(void *ctx, const char *topic),
                               void *ctx, char *first, size_t n, int timeout_ms, bd_err *err);

/* Create a topic of partitions partitions (the broker's default replication
 * factor) with the topic configuration conf (nconf name/value pairs): 0
 * created, 1 it existed already (its configuration untouched), -1 with err
 * (e.g. the client may not create topics: the broker's words). */
int bd_kafka_admin_create_topic(bd_kafka_admin *k, const char *topic, int partitions,
                                const char *const *conf, size_t nconf, int timeout_ms, bd_err *err);

#endif
