/* connection.h - the options of a source server and a client connection
 * made with them: host, port, account, timeouts, character set and TLS,
 * the same for the live reader (source_server.h), the pre-flight checks
 * (preflight.h) and every other caller that asks the server something.
 *
 * The options are those of the whole reader (bd_server_opts, filled from
 * the configuration or the command line); a connection reads only its
 * connection fields (host through ssl_key) and ignores the others.
 *
 * The error numbers of the server and of the client library that binlogd
 * tells apart are here too, with the rule of which ones mean a lost
 * connection that a new one may cure (bd_server_retryable).
 *
 * Threads: no globals; a MYSQL handle is used by one thread at a time.
 * Ownership: the options stay the caller's (nothing is copied); a
 * connection returned is the caller's, closed with mysql_close().
 */
#ifndef BINLOGD_CONNECTION_H
#define BINLOGD_CONNECTION_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/error.h"

struct bd_table; /* decoder.h */
struct st_mysql; /* MYSQL of libmariadb */

/* The replica server id used when none is given.  Two readers with the
 * same id kick each other off the server (4052): give each its own. */
#define BD_SERVER_DEFAULT_REPLICA_ID 424242u
/* `binlogd dump --host`'s: not the daemon's default (424242) nor a
 * replay's next to it (the daemon's + 1), since a second reader with a
 * replica's id makes the server drop the first */
#define BD_DUMP_DEFAULT_REPLICA_ID 424240u

enum bd_ssl_mode {
    BD_SSL_PREFERRED = 0, /* TLS when the server offers it (the default) */
    BD_SSL_DISABLED,
    BD_SSL_REQUIRED,        /* TLS or fail; the certificate is not checked without a CA */
    BD_SSL_VERIFY_CA,       /* TLS, certificate signed by ssl_ca */
    BD_SSL_VERIFY_IDENTITY, /* and issued for the host name */
};
/* "DISABLED" etc. (case-insensitive) to a mode; -1 if unknown. */
int bd_ssl_mode_parse(const char *s);
/* The mode's name as bd_ssl_mode_parse() reads it ("VERIFY_CA"). */
const char *bd_ssl_mode_name(enum bd_ssl_mode m);

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
    /* with follow: a first connection that fails for a reason that may
     * pass (refused, lost, a host name not resolved) is retried with the
     * backoff of later ones instead of failing (the daemon: a database or
     * DNS down at boot) */
    int retry_first;
    double heartbeat_s;      /* server heartbeat period; 0: 5 s */
    unsigned read_timeout_s; /* 0: 3 x heartbeat, rounded up */
    /* At a steady trickle, how long the reader waits on an empty socket,
     * and the caller's thread on an empty queue, to take what arrives
     * meanwhile together (source_server.c, rq_next); 0: wake for each */
    unsigned batch_wait_ms;
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
    int (*want_schema)(void *ctx, const struct bd_table *t);
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
    /* Each line appended to the schema history, once durable (without its
     * newline): a copy for elsewhere (the daemon's state topic).  On the
     * thread that runs the source.  May be NULL. */
    void (*on_history_line)(void *ctx, const char *line, size_t n);
    void *ctx; /* for log, on_idle, on_connected, on_disconnected, on_history_line */
} bd_server_opts;

/* Error numbers of the server (mysqld_error.h) and of the client library
 * (errmsg.h) that binlogd tells apart. */
enum bd_server_errno {
    BD_ER_CON_COUNT = 1040,
    BD_ER_DBACCESS_DENIED = 1044,
    BD_ER_ACCESS_DENIED = 1045,
    BD_ER_SERVER_SHUTDOWN = 1053,
    BD_ER_NET_READ_ERROR = 1158,
    BD_ER_NET_READ_INTERRUPTED = 1159,
    BD_ER_UNKNOWN_SYSTEM_VARIABLE = 1193,
    BD_ER_SPECIFIC_ACCESS_DENIED = 1227,
    BD_ER_MASTER_FATAL_READING_BINLOG = 1236,
    BD_ER_QUERY_INTERRUPTED = 1317,
    BD_ER_CONNECTION_KILLED = 1927,
    BD_ER_SLAVE_SAME_ID = 4052,
    BD_CR_CONNECTION_ERR = 2002,
    BD_CR_CONN_HOST_ERR = 2003,
    BD_CR_UNKNOWN_HOST = 2005,
    BD_CR_SERVER_GONE = 2006,
    BD_CR_SERVER_LOST = 2013,
    BD_CR_SSL_CONN_ERR = 2026,
    BD_CR_SERVER_LOST_EXT = 2055,
};

/* 1 if error number e (mysql_errno()) means the connection is gone and a
 * new one may work (refused, lost, server shutting down, killed, the host
 * name not resolved now), else 0. */
int bd_server_retryable(unsigned e);

/* "host:port" of o for messages, with the defaults of bd_server_connect()
 * (localhost, 3306), into buf (n bytes); returns buf. */
const char *bd_server_where(const bd_server_opts *o, char *buf, size_t n);

/* Connect to the server of o (host, port, user, password, timeouts and TLS
 * as the reader does; zero fields take the documented defaults, but a read
 * timeout of 0 is 30 s here; character set utf8mb4).
 * Returns 0 with *out a connection the caller closes with mysql_close(), 1
 * for an error worth retrying (connection refused, lost), -1 for a final
 * one (login refused, TLS), with err naming host:port and what to do. */
int bd_server_connect(const bd_server_opts *o, struct st_mysql **out, bd_err *err);

#endif
