/* state_topic.h - the daemon's position kept in Kafka: a compacted topic
 * (default binlogd.state, [kafka] state_topic) that any host can resume
 * from.
 *
 * Records, all in partition 0 (one partition: a source's records stay in
 * order, and a consumer group on it chooses one active instance):
 *   key   {"source":"NAME","kind":"checkpoint"}
 *   value the checkpoint's JSON (checkpoint.h), the position after the
 *         last database transaction of the Kafka transaction it was
 *         written in (exactly once), or the acknowledged position
 *         (at least once)
 *   key   {"source":"NAME","kind":"schema","id":"HEX"}
 *   value one line of the schema history (schema_history.h); id is a
 *         64-bit FNV-1a hash of the line, so a line written twice (by two
 *         hosts, or after a restart) is one record
 * Compaction keeps the last record of each key.  Read as a read_committed
 * consumer reads it, so a checkpoint of an aborted transaction never
 * counts.
 *
 * Ownership: plain functions over the caller's admin handle and buffers.
 */
#ifndef BINLOGD_STATE_TOPIC_H
#define BINLOGD_STATE_TOPIC_H

#include <stddef.h>

#include "binlogd/buf.h"
#include "binlogd/checkpoint.h"
#include "binlogd/error.h"
#include "binlogd/kafka_admin.h"

#define BD_STATE_PARTITION 0

/* The checkpoint record's key of source, appended to b. */
void bd_state_checkpoint_key(const char *source, bd_buf *b);

/* The key of a schema history line (n bytes) of source, appended to b. */
void bd_state_schema_key(const char *source, const char *line, size_t n, bd_buf *b);

/* Schema history lines read from the topic, in the order written. */
typedef struct bd_state_lines {
    char **line;
    size_t *len;
    size_t n;
} bd_state_lines;
void bd_state_lines_release(bd_state_lines *l);

/* Create the state topic (one partition, cleanup.policy=compact) unless it
 * exists.  0 (created: *created set to 1, or there already), -1 with err
 * naming the topic and the fix (create it by hand, or grant CREATE). */
int bd_state_topic_ensure(bd_kafka_admin *k, const char *topic, int *created, int timeout_ms,
                          bd_err *err);

/* The last checkpoint of source in the topic: 0 read into c, 1 none (an
 * empty or missing topic, or no record of this source), -1 with err (Kafka
 * unreachable within timeout_ms, or a record that is not a checkpoint).
 * lines (may be NULL): the source's schema history lines too (the caller
 * releases them, also after an error). */
int bd_state_read(bd_kafka_admin *k, const char *topic, const char *source, bd_checkpoint *c,
                  bd_state_lines *lines, int timeout_ms, bd_err *err);
/* bd_state_read without the lines. */
int bd_state_read_checkpoint(bd_kafka_admin *k, const char *topic, const char *source,
                             bd_checkpoint *c, int timeout_ms, bd_err *err);

/* Follow source's checkpoint: read the topic from offset *next (negative:
 * its start) to its end, or for budget_ms (0: no limit), as
 * bd_kafka_admin_read_partition_from.  0 when a record of source came (c
 * holds the last one; a tombstone clears c), 1 when none did (c
 * untouched), -1 with err. */
int bd_state_follow(bd_kafka_admin *k, const char *topic, const char *source, int64_t *next,
                    bd_checkpoint *c, int timeout_ms, int budget_ms, bd_err *err);

#endif
