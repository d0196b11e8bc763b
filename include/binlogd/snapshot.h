/* snapshot.h - a snapshot's requests, progress and windows: existing rows
 * of tables published as op "r" messages beside the live stream, chunk by
 * chunk, with the watermark algorithm of Netflix's DBLog (docs/snapshot.md).
 *
 * Two threads meet here.  The snapshot thread (the daemon's) takes work
 * (bd_snap_next), reads a chunk between two watermarks it writes to the
 * source's signal table, and hands the chunk over (bd_snap_arm before the
 * low watermark, bd_snap_fill before the high one).  The data thread, which
 * reads the binlog, opens the window at the low watermark (bd_snap_low),
 * notes the key of every message of the table it publishes while the window
 * is open (bd_snap_note), and at the high watermark takes the chunk
 * (bd_snap_high): rows whose key the stream changed inside the window are
 * dropped (the stream's message is newer), the others are published as
 * reads in the high watermark's transaction, and bd_snap_published says so
 * (or bd_snap_window_failed).  The chunk is durable once that transaction's
 * ack record retires (bd_snap_acked), which is what the checkpoint records
 * (bd_snap_progress_json) and a restart resumes from (bd_snap_restore):
 * chunks after it are read again, never skipped.
 *
 * Threads: every function locks inside, except that the window's key set
 * belongs to the data thread between bd_snap_low and bd_snap_high.
 * Ownership: as each function says.
 */
#ifndef BINLOGD_SNAPSHOT_H
#define BINLOGD_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/buf.h"
#include "binlogd/error.h"
#include "binlogd/snapshot_read.h"

typedef struct bd_snap bd_snap;

enum bd_snap_state {
    BD_SNAP_PENDING = 0, /* a request not resolved yet; a table not started */
    BD_SNAP_RUNNING,
    BD_SNAP_DONE,
    BD_SNAP_FAILED,
    BD_SNAP_CANCELLED,
};
const char *bd_snap_state_name(int state); /* "pending", ... */

/* nonce: this process's own (watermark ids carry it, so a restarted
 * daemon, or another one on the same source, ignores the others'). */
bd_snap *bd_snap_new(const char *nonce);
void bd_snap_free(bd_snap *s);

/* ---- requests (any thread) ---------------------------------------------- */

/* The longest tables and where a request takes (with the NUL). */
#define BD_SNAP_PATTERNS_MAX 4096
#define BD_SNAP_WHERE_MAX 2048

/* Why a where condition is refused (NULL: taken): it must stay one
 * condition inside the parentheses it is put in: quotes closed,
 * parentheses balanced, no ';' and no comment outside quotes. */
const char *bd_snap_where_check(const char *where);

/* A request for the tables matching patterns (comma-separated fnmatch
 * patterns of db.table) with an optional SQL condition (where; NULL or ""
 * none).  Its id (decimal) into id.  0, or -1 with err (empty patterns). */
int bd_snap_request(bd_snap *s, const char *patterns, const char *where, int64_t now_us, char *id,
                    size_t idn, bd_err *err);
/* The same for the [snapshot] tables of a start: only when these patterns
 * and where differ from the last ones requested so (the checkpoint keeps
 * them, whatever became of their request): 1 requested (id), 0 already
 * were, -1 with err. */
int bd_snap_start_request(bd_snap *s, const char *patterns, const char *where, int64_t now_us,
                          char *id, size_t idn, bd_err *err);
/* Cancel request id: 0 done, 1 it had ended already, -1 no such id. */
int bd_snap_cancel(bd_snap *s, const char *id, int64_t now_us);
/* The status of request id (NULL: every request, as {"snapshots":[...]})
 * as JSON appended to out (docs/snapshot.md).  0, or -1 no such id. */
int bd_snap_status_json(bd_snap *s, const char *id, bd_buf *out);

/* Counts for /metrics. */
typedef struct bd_snap_counts {
    uint64_t requests, tables_running, tables_done, tables_failed;
    uint64_t chunks, rows, rows_acked, rows_dropped, windows_failed, restarts;
    int paused;
} bd_snap_counts;
void bd_snap_counts_get(bd_snap *s, bd_snap_counts *c);

/* Tables not complete for gates: whether db.table has a snapshot accepted
 * and not yet acknowledged to its last chunk. */
int bd_snap_loading(bd_snap *s, const char *db, const char *table);

/* ---- the snapshot thread -------------------------------------------------- */

/* Anything to do: a request to resolve or a table to read. */
int bd_snap_pending(bd_snap *s);
/* A request to resolve: 1 with its id and patterns copied out (then
 * bd_snap_resolved), 0 none. */
int bd_snap_next_request(bd_snap *s, char *id, size_t idn, char *patterns, size_t pn);
/* Its tables, "db.table\n" lines (keys: a line for each, "NAME\tcol,col\n"
 * or "col,col\n": the chunking key's name and columns, for the status), or
 * the reason it failed (err non-NULL: the request fails, no table is
 * loaded). */
void bd_snap_resolved(bd_snap *s, const char *id, const char *tables, const char *keys,
                      const char *err, int64_t now_us);

/* The next table chunk to read. */
typedef struct bd_snap_work {
    char id[24];     /* its request */
    char table[132]; /* db.table */
    char db[65], tb[65];
    char where[BD_SNAP_WHERE_MAX];
    bd_buf after;   /* the cursor the chunk starts after ("": the first) */
    bd_buf max;     /* the last key to read ("": not known yet: bd_snap_set_max) */
    uint64_t chunk; /* its number (1 for the first) */
    size_t size;    /* rows to read (chunk_min first, then bd_snap_chunk_time) */
    int have_max;   /* max is known (empty and known: the table has no rows) */
    int reload;     /* the table's columns may have changed (a DDL): load its shape again */
    uint64_t gen;   /* the table's restarts: a DDL since voids this work */
} bd_snap_work;
void bd_snap_work_init(bd_snap_work *w);
void bd_snap_work_release(bd_snap_work *w);
/* 1 with the next chunk's work (the oldest request first), 0 nothing to do
 * now (or paused: bd_snap_pause). */
int bd_snap_next(bd_snap *s, bd_snap_work *w);
/* The end of the key range of table, read once (empty: no rows: the
 * table is done at once); passed over when a DDL restarted the table since
 * the work was taken (gen: bd_snap_work.gen). */
void bd_snap_set_max(bd_snap *s, const char *id, const char *table, uint64_t gen, const char *max,
                     int empty, int64_t now_us);
/* A table cannot be loaded (its request goes on with the others). */
void bd_snap_table_failed(bd_snap *s, const char *id, const char *table, const char *why,
                          int64_t now_us);
/* The [snapshot] settings in force: max_lag (for the status) and the
 * chunk sizes (the first chunk of a table reads min rows; none reads more
 * than max).  Until called: 1,024 rows. */
void bd_snap_settings(bd_snap *s, double max_lag_s, size_t min, size_t max);
/* Paused (1, with the reason) or resumed (0) by the stream's health. */
void bd_snap_pause(bd_snap *s, int on, const char *why);
/* The time a chunk of n rows took to read: the next size aims at target_s
 * (halved when above it, doubled below half of it, within [min, max]). */
void bd_snap_chunk_time(bd_snap *s, const char *id, const char *table, size_t n, double took_s,
                        double target_s, size_t min, size_t max);

/* A window: the watermark id the snapshot thread writes (its nonce and a
 * number) into wid.  The data thread opens it at the low watermark. */
void bd_snap_arm(bd_snap *s, const bd_snap_work *w, char *wid, size_t n);
/* The chunk read inside the window: handed to the data thread (the
 * pointers must stay valid until bd_snap_wait returns).  last: the chunk
 * reaches the table's max (its rows are the table's last). */
void bd_snap_fill(bd_snap *s, const bd_snap_shape *shape, const bd_snap_chunk *c, int last);
/* The window ended (the data thread published the chunk, or dropped it),
 * or the timeout (seconds) ran out, or bd_snap_stop: 1 published, 0 to be
 * read again (a DDL in the window, a failure), -1 timed out or stopping.
 * A chunk the data thread took is waited for whatever the timeout (it
 * always ends the window).  The window is disarmed either way: a timeout
 * of 0 only disarms it (after a failed watermark). */
int bd_snap_wait(bd_snap *s, double timeout_s);
/* Whether the window ended, waiting up to timeout_s for it (a stop cuts
 * the wait short); it stays armed either way: bd_snap_wait ends it. */
int bd_snap_ended(bd_snap *s, double timeout_s);
/* Wait for work (a request, a cancel, a stop) up to timeout_s. */
void bd_snap_idle(bd_snap *s, double timeout_s);
/* Stop: the waits return. */
void bd_snap_stop(bd_snap *s);

/* ---- the data thread ------------------------------------------------------ */

/* A row of the signal table: id (n bytes) was inserted (the low watermark)
 * or deleted (high).  Returns for the high one, when it ends this process's
 * armed window, the window (else NULL): publish its rows, then call
 * bd_snap_published (or bd_snap_window_failed). */
typedef struct bd_snap_window {
    const bd_snap_shape *shape;
    const bd_snap_chunk *chunk;
    int last;        /* the table's last chunk */
    int all_dropped; /* a TRUNCATE in the window: every row of the chunk goes */
    /* ,"snapshot":{...} for the rows' source block */
    char block[512];
    size_t block_len;
} bd_snap_window;
void bd_snap_low(bd_snap *s, const char *id, size_t n);
const bd_snap_window *bd_snap_high(bd_snap *s, const char *id, size_t n);
/* A message published for table (db.table, tn bytes): while a window is
 * open on it, its key (kn bytes; op 't': a TRUNCATE) drops the chunk's
 * row of that key.  Cheap when no window is open. */
void bd_snap_note(bd_snap *s, const char *table, size_t tn, const char *key, size_t kn, char op);
/* A DDL on db.table ("" for either: any): the table's snapshot starts
 * over from its first chunk with its columns loaded again (an open window
 * on it fails).  The number of tables restarted. */
int bd_snap_ddl(bd_snap *s, const char *db, const char *table);
/* Whether the window's row of this key is dropped (the stream changed it). */
int bd_snap_dropped(const bd_snap *s, const char *key, size_t kn);
/* The window's chunk went out in ack record txn_no: published rows of it
 * (the others dropped). */
void bd_snap_published(bd_snap *s, uint64_t txn_no, size_t published);
void bd_snap_window_failed(bd_snap *s, const char *why);

/* ---- progress and the checkpoint (the loop) -------------------------------- */

/* The first 'retired' ack records are acknowledged: chunks published in
 * them are done for the checkpoint (and the gates). */
void bd_snap_acked(bd_snap *s, uint64_t retired);
/* The progress acknowledged, as the checkpoint's "snapshot" object
 * (appended to out; nothing when there is no request). */
void bd_snap_progress_json(bd_snap *s, bd_buf *out);
/* Grows whenever the progress to checkpoint changes. */
uint64_t bd_snap_gen(bd_snap *s);
/* The progress of a checkpoint (JSON text): unfinished requests go on
 * from their last acknowledged chunk.  0, or -1 with err (a checkpoint
 * whose "snapshot" is not what this writes). */
int bd_snap_restore(bd_snap *s, const char *json, size_t n, bd_err *err);

#endif
