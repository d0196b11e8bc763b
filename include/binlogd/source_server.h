/* source_server.h - stream the binlog of a live MySQL or MariaDB server as
 * a replica (libmariadb's mariadb_rpl API) and feed its events to a decoder.
 *
 * The source connects, detects the flavour and version, checks that the
 * server writes a ROW binlog, sets the replication session up (checksum,
 * MariaDB GTID capability, heartbeat period), opens the dump at file:pos,
 * after a GTID set (MariaDB: by the server; MySQL: at the newest binlog
 * whose Previous_gtids is inside the set, skipping the set's transactions,
 * see gtid_set.h) or at the server's current head, and feeds
 * every event's raw bytes to its own decoder with the event's start
 * position.  Artificial events (the ROTATE at the start of each file, the
 * FORMAT_DESCRIPTION re-sent when a dump starts mid-file, MariaDB's fake
 * GTID_LIST) and heartbeats are not passed on as data: a ROTATE switches
 * the current file, the re-sent FORMAT_DESCRIPTION is decoded silently so
 * checksums and post-header lengths are known, a heartbeat updates the
 * position reached and shows the connection is alive.
 *
 * Without 'follow' the dump asks the server to stop at its head
 * (BINLOG_DUMP_NON_BLOCK) and run() returns BD_SERVER_END there.  With
 * 'follow' it waits for new events forever; a lost connection (server
 * restart, network drop, read timeout) is retried with exponential backoff
 * and jitter, resuming at the start of the first transaction not yet
 * complete.  Callbacks already made for that transaction are not made a
 * second time: the source counts them and skips as many when the server
 * sends the transaction again, after checking that the last skipped one
 * is at the same position (fail closed otherwise).
 *
 * Tables whose map carries no column names get them, with the signedness,
 * collations, primary key (in key order) and ENUM/SET members the map
 * lacks, from the schema history (o.schema_history, see schema_history.h)
 * or, failing that, from information_schema through a second (control)
 * connection, so that the rows come out as with binlog_row_metadata=FULL;
 * a map that does not fit them stops the stream.  The control connection
 * is opened again after every reconnect of the stream, and a schema query
 * that loses it is a lost connection like the stream's (retried with
 * 'follow', an error naming the position without).
 *
 * Errors are fatal and say what to do: purged or missing start position
 * (1236, with the oldest binlog still on the server), another replica with
 * the same server id (4052), missing grants (with the GRANT statement),
 * binary log disabled or not ROW, a server whose identity changed across
 * a reconnect.
 *
 * Threads: one source is used by one thread; callbacks run on it.  While
 * run() streams, the source receives on a reader thread of its own (so
 * network reads overlap decoding), handing events over in a ring of four
 * 1 MiB chunks; it ends with each connection.  bd_source_server_interrupt()
 * may be called from a signal handler.
 *
 * Ownership: bd_source_server_new() copies what it needs from the options
 * (strings included) and the callbacks; bd_source_server_free() frees
 * everything, the connection included.
 */
#ifndef BINLOGD_SOURCE_SERVER_H
#define BINLOGD_SOURCE_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/connection.h" /* bd_server_opts, bd_server_connect() */
#include "binlogd/decoder.h"
#include "binlogd/error.h"

enum bd_server_result {
    BD_SERVER_ERROR = -1,  /* err says what and where */
    BD_SERVER_END = 0,     /* the server's head was reached (no follow) */
    BD_SERVER_STOPPED = 1, /* bd_source_server_interrupt() was called */
};

typedef struct bd_source_server bd_source_server;

/* Check the options and set up (no connection yet).  NULL with err set
 * when they do not make sense or memory ran out. */
bd_source_server *bd_source_server_new(const bd_server_opts *o, const bd_callbacks *cb,
                                       bd_err *err);
void bd_source_server_free(bd_source_server *s);

/* Connect, set up and stream until the head (no follow), a stop, or a fatal
 * error.  Callbacks run from inside this call. */
enum bd_server_result bd_source_server_run(bd_source_server *s, bd_err *err);

/* Ask run() to return BD_SERVER_STOPPED soon: at once if it is waiting on
 * the server (the socket is shut down), else after the current event.
 * Async-signal-safe. */
void bd_source_server_interrupt(bd_source_server *s);

/* Record in the schema history that everything before the resume position
 * was read whole (a "seen_to" line; also done by free): before a final
 * commit, so that the line goes with it.  Once per position; on the
 * source's thread. */
void bd_source_server_seen_to(bd_source_server *s);

/* Where the stream is.  'reached': the end of the last event received (or
 * the position a heartbeat reported); 'resume': where a reconnect starts,
 * the end of the last complete transaction.  file is "" before the first
 * ROTATE; the pointers stay valid until the next run() or free(). */
typedef struct bd_server_position {
    const char *reached_file;
    uint64_t reached_pos;
    const char *resume_file;
    uint64_t resume_pos;
    uint64_t events, bytes, reconnects, heartbeats;
    /* The GTID set (MySQL) or position (MariaDB) of everything before the
     * start of the stream, when known: the start's own GTID set, MariaDB's
     * BINLOG_GTID_POS() of a file position, MySQL's Previous_gtids of a
     * start at a file's beginning; NULL otherwise (a MySQL start inside a
     * file or at the head). */
    const char *start_gtid;
} bd_server_position;
void bd_source_server_position(const bd_source_server *s, bd_server_position *p);

/* The server as detected at the last connection: flavour, VERSION(),
 * @@server_id and (MySQL) @@server_uuid ("" for MariaDB). */
typedef struct bd_server_identity {
    enum bd_flavor flavor;
    const char *version;
    unsigned version_num; /* major*10000 + minor*100 + patch */
    uint32_t server_id;
    const char *server_uuid;
    /* lower_case_table_names is 1 or 2: the binlog's table maps name
     * tables in lower case, statements as they were typed */
    int lower_case_names;
} bd_server_identity;
void bd_source_server_identity(const bd_source_server *s, bd_server_identity *id);

/* The identity text of a server, as checkpoints and schema histories
 * record it: "mysql uuid=UUID" or "mariadb server_id=N". */
void bd_server_ident(char *buf, size_t n, enum bd_flavor flavor, uint32_t server_id,
                     const char *uuid);

#endif
