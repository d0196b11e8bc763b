/* replay.h - re-publishing an exact binlog range, whole transactions,
 * without touching the daemon's checkpoint or schema history: the engine
 * behind `binlogd replay` (the command holds its arguments, wiring and
 * summary).
 *
 * The range is read from the live server (as a replica with its own
 * server id) or from archived files.  A start inside a transaction is
 * widened to that transaction's start: a first pass reads the start file
 * up to the position and notes where the transaction around it began; the
 * second pass streams from there.  A transaction is replayed when it
 * starts before the end (so the end is widened to the end of the
 * transaction that holds it).  Bounds: a position, a GTID set (after one,
 * up to one), commit times, or exactly the transactions of a GTID set
 * (--gtid).
 *
 * Rows go through the daemon's publish stage (publish.h: the same values,
 * keys, partitions and topics) to its Kafka sink (sink_kafka.h, with the
 * headers binlogd.replay.id and binlogd.replay.pos, [kafka] oversize as the
 * daemon's), to stdout as JSON lines, or nowhere (a dry run, counting).
 *
 * Threads: one.  Delivery reports are served while the sink waits for
 * room, and at the end.  A signal handler may set *stop and call
 * bd_source_server_interrupt(r->source) (when not NULL).
 *
 * Ownership: the caller fills the options part of bd_replay (strings it
 * keeps alive) and frees with bd_replay_release(); everything the engine
 * allocates is released there.
 */
#ifndef BINLOGD_REPLAY_H
#define BINLOGD_REPLAY_H

#include <signal.h>
#include <stdint.h>

#include "binlogd/buf.h"
#include "binlogd/config.h"
#include "binlogd/gtid_set.h"
#include "binlogd/publish.h"
#include "binlogd/schema_history.h"
#include "binlogd/sink_kafka.h"
#include "binlogd/source_server.h"

/* Row changes replayed per table, for the summary and --dry-run. */
typedef struct bd_replay_table {
    char name[131];
    uint64_t rows;
} bd_replay_table;

/* One stretch of --gtid: the transactions lo..hi of a MySQL uuid[:tag] or
 * of a MariaDB domain (whose sequence numbers count along the domain, so
 * the server id in "D-S-N" does not take part in matching). */
typedef struct bd_gtid_span {
    char key[100];   /* "uuid", "uuid:tag" or the domain's digits */
    char server[24]; /* MariaDB: S of the element, for the start position */
    uint64_t lo, hi;
    uint64_t seen_from, seen_to; /* the first and last replayed (0: none); they come in order */
} bd_gtid_span;

typedef struct bd_replay {
    /* ---- options: set by the caller before bd_replay_run ---- */
    bd_config cfg;
    const char *tables; /* --tables: comma-separated db.table patterns; NULL: [filter] */
    const char *topic_suffix;
    const char *topic_template; /* --topic: instead of [kafka] topic */
    int to_stdout, dry_run;
    char id[64];
    volatile sig_atomic_t *stop; /* set by a signal: stop now (exit 130) */
    /* the range */
    char from_file[256], to_file[256];
    uint64_t from_pos, to_pos;
    int has_to, has_from_pos;
    /* GTID bounds: after the set 'after', up to and with the set 'upto' */
    bd_gtid_set after, upto;
    int has_after, has_upto;
    /* datetime bounds, µs: commits at or after start_us and before stop_us */
    int64_t start_us, stop_us;
    int has_start_us, has_stop_us; /* given (the epoch, 0, is a time too) */
    /* --gtid: only these transactions (bd_replay_parse_gtid) */
    bd_gtid_span *only;
    size_t nonly;
    int only_mysql;
    uint64_t only_total, only_seen; /* transactions in the set, and replayed */
    /* progress after each transaction, and once at the end (final) */
    void (*progress)(struct bd_replay *r, const char *file, uint64_t pos, int final);
    void *progress_ctx;

    /* ---- results ---- */
    char err[BD_ERRLEN]; /* why it stopped, when it failed */
    int statement_stop;  /* stopped at a row change logged as a statement (exit 65) */
    int schema_stop;     /* stopped at rows of a table whose columns are not known (exit 65) */
    uint64_t txns, rows, statements_skipped;
    char first_file[256], last_file[256]; /* covered: first txn start .. last txn end */
    uint64_t first_pos, last_pos;
    int any_txn;
    char next_file[256]; /* where the next transaction starts (to continue) */
    uint64_t next_pos;
    /* where the second pass starts: the transaction around --from, or the
     * file a datetime or --gtid starts in (bd_replay_locate) */
    char start_file[256];
    uint64_t start_pos;
    bd_replay_table *counts;
    size_t ncounts;
    /* progress: the binlog files with their sizes, and the range's size */
    struct bd_replay_fsize {
        char name[256];
        uint64_t size;
    } * sizes;
    size_t nsizes;
    uint64_t total_bytes;

    /* ---- the engine's ---- */
    bd_source_server *volatile source; /* the stream being read (signals interrupt it) */
    bd_schema_history *hist;           /* --files: where maps without names get them */
    char hist_name[300];
    char hist_tmp[4200];        /* the private copy of the history (removed at release) */
    enum bd_flavor file_flavor; /* --files: the server that wrote the file being read */
    uint32_t file_server_id;
    int pass1, p1_in_txn, p1_found;
    int range_done; /* the stage stopped at the end of the range */
    char p1_txn_file[256];
    uint64_t p1_txn_pos;
    char txn_file[256]; /* the transaction being read */
    uint64_t txn_pos;
    bd_gtid_span *only_pend; /* the one being replayed */
    uint64_t only_pend_seq;
    int64_t oldest_us;      /* the first event time of the oldest binlog, when after start_us */
    char before_gtids[256]; /* the GTID set of a binlog that comes after some of --gtid */
    bd_pub *pub;
    bd_err pub_err;
    bd_ksink *sink;
    uint64_t printed; /* --stdout: messages written */
} bd_replay;

/* Before the options are set.  -1 when out of memory. */
int bd_replay_init(bd_replay *r);
void bd_replay_release(bd_replay *r);

/* --gtid TEXT: a MySQL GTID set ("uuid:1-5:7,uuid2:tag:3") or MariaDB
 * GTIDs and stretches of one domain ("0-1-5,0-1-9..12").  -1 with msg. */
int bd_replay_parse_gtid(bd_replay *r, const char *text, char *msg, size_t msgn);
/* The part of --gtid not replayed yet, in --gtid's syntax (to continue,
 * or to name what the binlog lacks), appended to out. */
void bd_replay_gtid_rest(const bd_replay *r, bd_buf *out);

/* --files: each one a readable binlog file, in binlog order and none
 * twice, checked before anything is read.  -1 with msg. */
int bd_replay_files_check(char **files, int n, char *msg, size_t msgn);
/* --from/--to FILE with --files: one of them (a path counts by its name,
 * which file becomes).  -1 with msg naming opt. */
int bd_replay_among_files(char *file, char **files, int nfiles, const char *opt, char *msg,
                          size_t msgn);

/* The schema history for binlogs without column names: hist is the
 * --schema-history argument (NULL: the daemon's in [state] dir when there;
 * "none": none).  A private copy is read, never the daemon's file.  With
 * files the history is the only source of names (opened here); from a
 * server, so->schema_history is set to the copy.  0, or -1 with r->err
 * (1 for a usage error: a given file that does not exist). */
int bd_replay_schema_history(bd_replay *r, const char *hist, int files, bd_server_opts *so);

/* Where the second pass starts (r->start_file, r->start_pos): the file a
 * start datetime or --gtid falls in (a binary search over the files'
 * first events), else --from's position (widened by the first pass).  so:
 * the server's options (unused with files).  0, or -1 with r->err. */
int bd_replay_locate(bd_replay *r, const bd_server_opts *so, char **files, int nfiles);
/* The binlog files' sizes (stat, or SHOW BINARY LOGS) and the range's
 * size, for the progress's ETA only: a failure leaves them unknown. */
void bd_replay_load_sizes(bd_replay *r, const bd_server_opts *so, char **files, int nfiles);
/* Stream the server's binlog from file:pos (file NULL: after base->gtid)
 * to its head, or until a callback stops: 0, or -1 with r->err. */
int bd_replay_stream_server(bd_replay *r, const bd_server_opts *base, const char *file,
                            uint64_t pos, bd_callbacks *cb);

/* The publish stage and its sink (Kafka, stdout or none).  0, or -1 with
 * r->err (1: the producer refused the configuration, a usage error). */
int bd_replay_open(bd_replay *r);

/* Replay the range: the first pass (the transaction around --from), the
 * second.  so: the server's options, or NULL with files.  0 done (or
 * stopped by *stop), -1 with r->err. */
int bd_replay_run(bd_replay *r, bd_server_opts *so, char **files, int nfiles);

/* Messages sent and acknowledged (stdout: written, both). */
void bd_replay_delivery(bd_replay *r, uint64_t *sent, uint64_t *acked, uint64_t *failed);

#endif
