/* kafka_admin.h - what the daemon asks Kafka about its consumers: a
 * consumer group's committed offsets, partitions' high watermarks, and
 * the source commit time of the message at an offset.
 *
 * Blocking calls on a client handle of its own (not the producer's), for
 * the daemon's monitor thread; each waits at most timeout_ms.
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
 * nconf pairs; producer-only properties are left out here). */
bd_kafka_admin *bd_kafka_admin_new(const char *const *conf, size_t nconf, bd_err *err);
void bd_kafka_admin_free(bd_kafka_admin *k);

typedef struct bd_group_offset {
    char topic[256];
    int32_t partition;
    int64_t committed; /* next offset the group will read; -1: none committed */
} bd_group_offset;

/* The group's committed offsets for every partition of the given topics
 * (ntopics names; partitions the group never committed come back with
 * committed = -1).  Returns the number filled (at most max), -1 with err. */
int bd_kafka_admin_group_offsets(bd_kafka_admin *k, const char *group, const char *const *topics,
                                 size_t ntopics, bd_group_offset *out, size_t max,
                                 int timeout_ms, bd_err *err);

/* The number of partitions of topic (0 when it does not exist yet), -1
 * with err. */
int bd_kafka_admin_partitions(bd_kafka_admin *k, const char *topic, int timeout_ms, bd_err *err);

/* Low and high watermark offsets of a partition. 0, or -1 with err. */
int bd_kafka_admin_watermarks(bd_kafka_admin *k, const char *topic, int32_t partition,
                              int64_t *low, int64_t *high, int timeout_ms, bd_err *err);

/* The source commit time (µs, the "ts_us" of the message's "source"
 * block, docs/format.md) of the message at offset: 0 with *commit_us set,
 * 1 when there is no message there (yet), -1 with err. */
int bd_kafka_admin_commit_time(bd_kafka_admin *k, const char *topic, int32_t partition,
                               int64_t offset, uint64_t *commit_us, int timeout_ms, bd_err *err);

#endif
