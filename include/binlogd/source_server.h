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

#include "binlogd/decoder.h"
#include "binlogd/error.h"

/* The replica server id used when none is given.  Two readers with the
 * same id kick each other off the server (4052): give each its own. */
#define BD_SERVER_DEFAULT_REPLICA_ID 424242u

enum bd_ssl_mode {
    BD_SSL_PREFERRED = 0, /* TLS when the server offers it (the default) */
    BD_SSL_DISABLED,
    BD_SSL_REQUIRED,        /* TLS or fail; the certificate is not checked without a CA */
    BD_SSL_VERIFY_CA,       /* TLS, certificate signed by ssl_ca */
    BD_SSL_VERIFY_IDENTITY, /* and issued for the host name */
};
/* "DISABLED" etc. (case-insensitive) to a mode; -1 if unknown. */
int bd_ssl_mode_parse(const char *s);

enum bd_server_level { BD_SERVER_INFO = 0, BD_SERVER_WARN = 1 };

typedef struct bd_server_opts {
    const char *host;
    unsigned port;        /* 0: 3306 */
    const char *user;     /* NULL: the library's default */
    const char *password; /* NULL: none; never logged */
    uint32_t server_id;   /* our replica id; 0: BD_SERVER_DEFAULT_REPLICA_ID */
    /* start: exactly one of file (with pos, 0 meaning 4), gtid (MariaDB
     * domain-server-seq list or MySQL uuid:intervals set) or from_head; none = the oldest binlog on the
     * server */
    const char *file;
    uint64_t pos;
    const char *gtid;
    int from_head;
    int follow;
    double heartbeat_s;         /* server heartbeat period; 0: 5 s */
    unsigned read_timeout_s;    /* 0: 3 x heartbeat, rounded up */
    unsigned connect_timeout_s; /* 0: 10 s */
    enum bd_ssl_mode ssl_mode;
    const char *ssl_ca, *ssl_capath, *ssl_cert, *ssl_key;
    /* decoder options */
    int detail; /* build bd_event.detail (dump --events) */
    int verify; /* verify CRC32 checksums */
    /* Resuming from a checkpoint: the identity it was written against
     * (bd_server_ident text).  Another server is refused, unless
     * failover_gtid is set: then the stream starts after that GTID set on
     * the new server instead of at file:pos. */
    const char *expect_server;
    const char *failover_gtid;
    /* A table whose columns must come from information_schema while a DDL
     * further on in the binlog, not read yet, may have changed them:
     * 0 stops (BD_ERR_UNKNOWN_SCHEMA), 1 takes them with a warning. */
    int trust_ddl_ahead;
    /* Schema history file (schema_history.h), used when the binlog carries
     * no column names; NULL: information_schema only, today's columns. */
    const char *schema_history;
    /* Optional (ctx): whether a map without column names needs them now.
     * 0 puts the lookup off: the map's rows come without names
     * (positional) until an identical map for which it says 1.  For a
     * reader that drops those rows anyway (a filtered table, a skipped
     * transaction), so a table that changed since does not stop it. */
    int (*want_schema)(void *ctx, const bd_table *t);
    /* reconnect backoff (--follow): first delay and cap, ms; 0: 500 and 30000 */
    unsigned backoff_first_ms, backoff_max_ms;
    /* Messages about reconnects and other non-fatal events; NULL: silent. */
    void (*log)(void *ctx, enum bd_server_level level, const char *msg);
    /* Called when the stream is at a transaction boundary and nothing more
     * is waiting on the socket, and on heartbeats: the moment for a sink to
     * write out what it buffered.  Return non-zero to stop with an error. */
    int (*on_idle)(void *ctx);
    /* Called once the dump is open on a connection (every reconnect). */
    void (*on_connected)(void *ctx);
    /* Called when a connection was lost or could not be made, before the
     * wait for the next attempt (--follow). */
    void (*on_disconnected)(void *ctx);
    void *ctx; /* for log, on_idle, on_connected and on_disconnected */
} bd_server_opts;

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

struct st_mysql; /* MYSQL of libmariadb */
/* Connect to the server of o (host, port, user, password, timeouts and TLS
 * as the reader does; zero fields take the documented defaults).  Returns
 * 0 with *out a connection the caller closes with mysql_close(), 1 for an
 * error worth retrying (connection refused, lost), -1 for a final one
 * (login refused, TLS), with err naming host:port and what to do. */
int bd_server_connect(const bd_server_opts *o, struct st_mysql **out, bd_err *err);

#endif
