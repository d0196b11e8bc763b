/* checkpoint.h - where the daemon resumes: the end of the last transaction
 * whose every message Kafka acknowledged.
 *
 * One small JSON file, replaced atomically (written to FILE.tmp, fsync'ed,
 * renamed over FILE, directory fsync'ed), so after a crash at any moment
 * the file holds either the old or the new checkpoint, never a mix:
 *
 *   {"binlogd_checkpoint":1,"server":"mariadb server_id=1",
 *    "file":"binlog.000042","pos":1234,"gtid":"0-1-977","commit_us":...,
 *    "written":"2026-11-27T17:48:14Z"}
 *
 * server is the identity of the source (server_uuid on MySQL, server_id
 * on MariaDB): a checkpoint is refused against another server.  gtid is
 * the GTID set (MySQL) or position (MariaDB) at file:pos when known, ""
 * otherwise; it is what a failover to another server resumes from.
 * "snapshot" (only while there are snapshot requests) is their progress
 * as of file:pos (docs/snapshot.md).
 *
 * Ownership: plain value type, no pointers.
 */
#ifndef BINLOGD_CHECKPOINT_H
#define BINLOGD_CHECKPOINT_H

#include <stdint.h>

#include "binlogd/buf.h"
#include "binlogd/error.h"

#define BD_CKPT_FILE_MAX 512
#define BD_CKPT_GTID_MAX 65536
#define BD_CKPT_SNAP_MAX 262144

typedef struct bd_checkpoint {
    char server[128];
    char file[BD_CKPT_FILE_MAX];
    uint64_t pos;
    char gtid[BD_CKPT_GTID_MAX];
    uint64_t commit_us; /* commit time of the transaction it ends after, µs; 0 unknown */
    /* the snapshots' progress at this position (snapshot.h), a JSON object
     * as text; "" none */
    char snapshot[BD_CKPT_SNAP_MAX];
} bd_checkpoint;

/* 0 read, 1 no checkpoint yet (the file does not exist), -1 a file that is
 * not a checkpoint (err names the path and what is wrong). */
int bd_checkpoint_read(const char *path, bd_checkpoint *c, bd_err *err);

/* The checkpoint as JSON text (one line, as in the file), appended to b. */
void bd_checkpoint_json(const bd_checkpoint *c, bd_buf *b);
/* A checkpoint from its JSON text (n bytes); where names it in err.  0, or
 * -1 (BD_ERR_CORRUPT). */
int bd_checkpoint_parse(const char *text, size_t n, const char *where, bd_checkpoint *c,
                        bd_err *err);

/* Replace the checkpoint at path atomically and durably. */
int bd_checkpoint_write(const char *path, const bd_checkpoint *c, bd_err *err);

#endif
