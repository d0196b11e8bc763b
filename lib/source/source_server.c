/* source_server.c - see include/binlogd/source_server.h.
 *
 * libmariadb 3.3 traps handled here (../shared/research/probe.md §3, §6):
 * - ROTATE is mis-parsed by the library after a FORMAT_DESCRIPTION: every
 *   ROTATE is parsed from the raw bytes here.
 * - the library does not negotiate the checksum, the MariaDB GTID
 *   capability or the heartbeat: the session variables are set here.
 * - errors of the stream are in mysql_errno(), library ones in
 *   mariadb_rpl_errno(); a NULL fetch with both 0 is the NON_BLOCK EOF.
 * - a failed fetch frees the event passed for reuse.
 * - mariadb_rpl_open() succeeds for a missing file: the 1236 arrives with
 *   the first fetch.
 */
#include "binlogd/source_server.h"
#include "binlogd/connection.h"
#include "binlogd/event.h"
#include "binlogd/preflight.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>
/* must follow mysql.h */
#include <mariadb_rpl.h>

#include "binlogd/cursor.h"
#include "binlogd/gtid_set.h"
#include "binlogd/parse.h"
#include "binlogd/schema_history.h"
#include "binlogd/schema_query.h"
#include "binlogd/stmt.h"

#define NAME_MAX_LEN 512
#define ARTIFICIAL_F 0x20
#define NO_ROW UINT32_MAX

typedef struct cb_key {
    char file[NAME_MAX_LEN];
    uint64_t pos;
    uint32_t inner;
    uint32_t row; /* NO_ROW for an event */
    uint8_t type;
} cb_key;

struct bd_source_server {
    bd_server_opts o; /* string fields point at the copies below */
    char *host, *user, *password, *file, *gtid, *ssl_ca, *ssl_capath, *ssl_cert, *ssl_key,
        *hist_path, *expect_copy, *failover;
    bd_schema_history *hist;      /* opened at the first connection */
    char seen_file[NAME_MAX_LEN]; /* the last "seen_to" written */
    uint64_t seen_pos;
    char *start_gtid; /* bd_server_position.start_gtid */
    bd_callbacks ucb; /* the caller's callbacks (behind gfilter after a mapped GTID start) */
    bd_gtid_set gset; /* the GTID start, parsed */
    bd_gtid_filter gfilter;
    bd_decoder *d;

    /* connection */
    MYSQL *m;
    MARIADB_RPL *rpl;
    MYSQL *ctl;      /* control connection for information_schema, opened on need and
                        closed at every reconnect of the stream */
    int schema_lost; /* the last schema query failed because ctl's connection is gone */
    /* the DDLs between a position and the server's head (ddl_ahead_*):
     * the binlog was read from ahead_from to ahead_to */
    struct ddl_ahead *ahead;
    size_t nahead, cahead;
    int ahead_valid;
    char ahead_ident[128]; /* the server the positions are of */
    char ahead_from_file[NAME_MAX_LEN], ahead_to_file[NAME_MAX_LEN];
    uint64_t ahead_from_pos, ahead_to_pos;
    volatile sig_atomic_t stop;
    volatile int fd;
    unsigned nap_us; /* o.batch_wait_ms, in µs: the ring's naps (rq_next, io_wait) */

    /* the server, as detected */
    int have_identity;
    enum bd_flavor flavor;
    char version[128];
    unsigned version_num;
    uint32_t server_id;
    char uuid[64];
    int lower_case_names; /* @@lower_case_table_names is 1 or 2 */
    char account[256];    /* CURRENT_USER() */
    int crc;              /* checksums negotiated */

    /* positions */
    char cur_file[NAME_MAX_LEN];
    uint64_t cur_end;
    char rs_file[NAME_MAX_LEN]; /* resume here after a lost connection */
    uint64_t rs_pos;
    int established;              /* rs_file/rs_pos valid (else: the GTID start again) */
    char open_file[NAME_MAX_LEN]; /* the current dump was asked to start here */
    uint64_t open_pos;
    char open_desc[NAME_MAX_LEN + 64]; /* "binlog.000001:4" or "GTID 0-1-5", for messages */

    /* set by the callbacks while one event is fed */
    int quiet, boundary, ev_in_txn;
    uint64_t feed_pos; /* the position of the event being fed */

    /* callbacks made since the last transaction boundary, and how many of
     * them to skip after a reconnect */
    uint64_t seq, skip, new_fwd;
    cb_key last, expect;
    int cb_failed;
    char cb_msg[BD_ERRLEN];

    uint64_t events, bytes, reconnects, heartbeats;
    uint64_t since_connect;
    /* fault injection for tests: BINLOGD_FAULT_DROP_EVERY=N drops the
     * connection once N to 2N-1 new callbacks were made on it (and makes
     * the first retry delay 20 ms) */
    uint64_t drop_every, drop_at;
    uint32_t rnd;
};

/* ---- small helpers ------------------------------------------------------ */

static char *dup_or_null(const char *s, int *fail)
{
    if (!s) return NULL;
    char *r = strdup(s);
    if (!r) *fail = 1;
    return r;
}

static void copy_name(char *dst, const char *src, size_t n)
{
    if (n >= NAME_MAX_LEN) n = NAME_MAX_LEN - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void slog(bd_source_server *s, enum bd_server_level lv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void slog(bd_source_server *s, enum bd_server_level lv, const char *fmt, ...)
{
    if (!s->o.log) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->o.log(s->o.ctx, lv, msg);
}

static uint32_t rnd_next(bd_source_server *s)
{
    uint32_t x = s->rnd ? s->rnd : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s->rnd = x;
    return x;
}

/* Sleep ms milliseconds in short steps; 1 if interrupted. */
static int nap(bd_source_server *s, unsigned ms)
{
    while (ms && !s->stop) {
        unsigned step = ms < 50 ? ms : 50;
        struct timespec ts = {0, (long)step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return s->stop ? 1 : 0;
}

/* ---- options ------------------------------------------------------------ */

bd_source_server *bd_source_server_new(const bd_server_opts *o, const bd_callbacks *cb, bd_err *err)
{
    if (!o->host || !*o->host) {
        bd_err_set(err, BD_ERR_IO, "no server host given");
        return NULL;
    }
    int starts = (o->file != NULL) + (o->gtid != NULL) + (o->from_head != 0);
    if (starts > 1) {
        bd_err_set(err, BD_ERR_IO, "give only one of a file position, a GTID position or the head");
        return NULL;
    }
    if (o->file && (!*o->file || strlen(o->file) >= NAME_MAX_LEN || strchr(o->file, '/'))) {
        bd_err_set(err, BD_ERR_IO,
                   "'%s' is not a binlog file name (a name as SHOW BINARY LOGS lists it, "
                   "e.g. binlog.000001)",
                   o->file);
        return NULL;
    }
    if (o->file && ((o->pos > 0 && o->pos < 4) || o->pos > UINT32_MAX)) {
        bd_err_set(err, BD_ERR_IO, "binlog position %llu is out of range (4 .. 4294967295)",
                   (unsigned long long)o->pos);
        return NULL;
    }
    bd_gtid_set gs = BD_GTID_SET_INIT;
    if (o->gtid && bd_gtid_set_parse(&gs, BD_FLAVOR_UNKNOWN, o->gtid, strlen(o->gtid), err) < 0) {
        bd_err_prefix(err,
                      "not a GTID set (MySQL uuid:1-5,..., or MariaDB domain-server-seq,...): ");
        return NULL;
    }
    if ((o->ssl_mode == BD_SSL_VERIFY_CA || o->ssl_mode == BD_SSL_VERIFY_IDENTITY) && !o->ssl_ca &&
        !o->ssl_capath) {
        bd_err_set(err, BD_ERR_IO,
                   "--ssl-mode=%s needs --ssl-ca (the CA that signed the "
                   "server's certificate)",
                   bd_ssl_mode_name(o->ssl_mode));
        return NULL;
    }
    double hb = o->heartbeat_s > 0 ? o->heartbeat_s : 5.0;
    if (hb < 0.001 || hb > 4294967.0) {
        bd_err_set(err, BD_ERR_IO, "heartbeat period %g s is out of range (0.001 .. 4294967)", hb);
        return NULL;
    }
    unsigned rt = o->read_timeout_s;
    if (!rt) {
        double r3 = hb * 3;
        rt = (unsigned)r3;
        if ((double)rt < r3) rt++;
        if (rt < 1) rt = 1;
    }
    if ((double)rt <= hb) {
        bd_err_set(err, BD_ERR_IO,
                   "read timeout %u s must be longer than the heartbeat period %g s (3 x is "
                   "a good choice), or a quiet server looks dead",
                   rt, hb);
        return NULL;
    }

    bd_source_server *s = calloc(1, sizeof *s);
    if (!s) {
        bd_gtid_set_release(&gs);
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->gset = gs;
    s->o = *o;
    s->o.heartbeat_s = hb;
    s->o.read_timeout_s = rt;
    if (!s->o.port) s->o.port = 3306;
    if (!s->o.server_id) s->o.server_id = BD_SERVER_DEFAULT_REPLICA_ID;
    if (!s->o.connect_timeout_s) s->o.connect_timeout_s = 10;
    if (!s->o.backoff_first_ms) s->o.backoff_first_ms = 500;
    if (!s->o.backoff_max_ms) s->o.backoff_max_ms = 30000;
    if (s->o.file && !s->o.pos) s->o.pos = 4;
    int fail = 0;
    s->o.host = s->host = dup_or_null(o->host, &fail);
    s->o.user = s->user = dup_or_null(o->user, &fail);
    s->o.password = s->password = dup_or_null(o->password, &fail);
    s->o.file = s->file = dup_or_null(o->file, &fail);
    s->o.gtid = s->gtid = dup_or_null(o->gtid, &fail);
    s->o.ssl_ca = s->ssl_ca = dup_or_null(o->ssl_ca, &fail);
    s->o.ssl_capath = s->ssl_capath = dup_or_null(o->ssl_capath, &fail);
    s->o.ssl_cert = s->ssl_cert = dup_or_null(o->ssl_cert, &fail);
    s->o.ssl_key = s->ssl_key = dup_or_null(o->ssl_key, &fail);
    s->o.schema_history = s->hist_path = dup_or_null(o->schema_history, &fail);
    s->o.expect_server = s->expect_copy = dup_or_null(o->expect_server, &fail);
    s->o.failover_gtid = s->failover = dup_or_null(o->failover_gtid, &fail);
    s->fd = -1;
    s->ucb = *cb;
    s->rnd = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
    /* a test hook, never set in production: a value that is not a whole
     * number is ignored (no drops) rather than read as a different one */
    const char *de = getenv("BINLOGD_FAULT_DROP_EVERY");
    unsigned long long every;
    if (de && bd_parse_uint(de, UINT64_MAX, &every) == 0) s->drop_every = every;
    if (s->drop_every && !o->backoff_first_ms) s->o.backoff_first_ms = 20;
    s->nap_us = o->batch_wait_ms > 50 ? 50000 : o->batch_wait_ms * 1000;
    if (fail) {
        bd_source_server_free(s);
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return s;
}

static void disconnect(bd_source_server *s)
{
    s->fd = -1;
    if (s->rpl) mariadb_rpl_close(s->rpl);
    s->rpl = NULL;
    if (s->m) mysql_close(s->m);
    s->m = NULL;
}

void bd_source_server_free(bd_source_server *s)
{
    if (!s) return;
    disconnect(s);
    if (s->ctl) mysql_close(s->ctl);
    bd_decoder_free(s->d);
    if (s->password) {
        /* do not leave the secret in freed memory */
        volatile char *p = s->password;
        while (*p)
            *p++ = 0;
    }
    free(s->host);
    free(s->user);
    free(s->password);
    free(s->file);
    free(s->gtid);
    bd_gtid_set_release(&s->gset);
    free(s->ssl_ca);
    free(s->ssl_capath);
    free(s->ssl_cert);
    free(s->ssl_key);
    free(s->hist_path);
    free(s->start_gtid);
    free(s->expect_copy);
    free(s->failover);
    bd_source_server_seen_to(s);
    bd_schema_history_close(s->hist);
    free(s->ahead);
    free(s);
}

void bd_source_server_interrupt(bd_source_server *s)
{
    s->stop = 1;
    int fd = s->fd;
    if (fd >= 0) shutdown(fd, SHUT_RDWR);
}

void bd_source_server_position(const bd_source_server *s, bd_server_position *p)
{
    p->reached_file = s->cur_file;
    p->reached_pos = s->cur_end;
    p->resume_file = s->established ? s->rs_file : "";
    p->resume_pos = s->established ? s->rs_pos : 0;
    p->events = s->events;
    p->bytes = s->bytes;
    p->reconnects = s->reconnects;
    p->heartbeats = s->heartbeats;
    p->start_gtid = s->start_gtid;
}

void bd_source_server_identity(const bd_source_server *s, bd_server_identity *id)
{
    id->flavor = s->flavor;
    id->version = s->version;
    id->version_num = s->version_num;
    id->server_id = s->server_id;
    id->server_uuid = s->uuid;
    id->lower_case_names = s->lower_case_names;
}

/* ---- error classification ----------------------------------------------- */

static const char *where(bd_source_server *s, char *buf, size_t n)
{
    return bd_server_where(&s->o, buf, n);
}

static const char *grant_privs(bd_source_server *s)
{
    return s->flavor == BD_FLAVOR_MYSQL ? "REPLICATION SLAVE, REPLICATION CLIENT, SELECT"
                                        : "REPLICATION SLAVE, BINLOG MONITOR, SELECT";
}

/* The message for missing grants: what is needed and the statement. */
static int grants_error(bd_source_server *s, bd_err *err, const char *doing, unsigned e,
                        const char *msg)
{
    char w[300];
    const char *acct = s->account[0] ? s->account : NULL;
    char q[300];
    if (acct) {
        /* CURRENT_USER() is user@host; the GRANT wants 'user'@'host' */
        const char *at = strrchr(acct, '@');
        if (at)
            snprintf(q, sizeof q, "'%.*s'@'%s'", (int)(at - acct), acct, at + 1);
        else
            snprintf(q, sizeof q, "'%s'", acct);
    } else {
        snprintf(q, sizeof q, "'%s'@'<host>'", s->o.user ? s->o.user : "<user>");
    }
    return bd_err_set(err, BD_ERR_IO,
                      "%s on %s: insufficient privileges (%u: %s). The account needs %s; as an "
                      "administrator run: GRANT %s ON *.* TO %s;",
                      doing, where(s, w, sizeof w), e, msg, grant_privs(s), grant_privs(s), q);
}

/* ---- connection --------------------------------------------------------- */

static int open_conn(bd_source_server *s, MYSQL **out, bd_err *err)
{
    return bd_server_connect(&s->o, out, err);
}

/* Run a query that returns at most one row; copy up to ncol columns into
 * the buffers (NULL columns become "").  Returns 0, 1 with no row, -1 on
 * error (errno in *e, message in msg). */
static int query_row(MYSQL *m, const char *q, int ncol, char **vals, size_t vlen, unsigned *e,
                     char *msg, size_t msglen)
{
    *e = 0;
    if (mysql_query(m, q)) {
        *e = mysql_errno(m);
        snprintf(msg, msglen, "%s", mysql_error(m));
        return -1;
    }
    MYSQL_RES *r = mysql_store_result(m);
    if (!r) {
        if (mysql_field_count(m) == 0) return 1;
        *e = mysql_errno(m);
        snprintf(msg, msglen, "%s", mysql_error(m));
        return -1;
    }
    MYSQL_ROW row = mysql_fetch_row(r);
    int rc = 1;
    if (row) {
        unsigned nf = mysql_num_fields(r);
        for (int i = 0; i < ncol; i++)
            snprintf(vals[i], vlen, "%s", (unsigned)i < nf && row[i] ? row[i] : "");
        rc = 0;
    }
    mysql_free_result(r);
    return rc;
}

static int exec(MYSQL *m, const char *q, unsigned *e, char *msg, size_t msglen)
{
    if (mysql_query(m, q)) {
        *e = mysql_errno(m);
        snprintf(msg, msglen, "%s", mysql_error(m));
        return -1;
    }
    MYSQL_RES *r = mysql_store_result(m);
    if (r) mysql_free_result(r);
    return 0;
}

/* The first and last binlog the server still has, for messages. */
static void binlog_range(bd_source_server *s, char *out, size_t n)
{
    MYSQL *m;
    bd_err e2;
    if (open_conn(s, &m, &e2) != 0) {
        snprintf(out, n, "(could not list the server's binlogs: %s)", e2.msg);
        return;
    }
    if (mysql_query(m, "SHOW BINARY LOGS")) {
        snprintf(out, n, "(could not list the server's binlogs: SHOW BINARY LOGS: %u: %s)",
                 mysql_errno(m), mysql_error(m));
        mysql_close(m);
        return;
    }
    MYSQL_RES *r = mysql_store_result(m);
    char first[NAME_MAX_LEN] = "", last[NAME_MAX_LEN] = "";
    unsigned long cnt = 0;
    MYSQL_ROW row;
    while (r && (row = mysql_fetch_row(r))) {
        if (!row[0]) continue;
        if (!cnt++) snprintf(first, sizeof first, "%s", row[0]);
        snprintf(last, sizeof last, "%s", row[0]);
    }
    if (r) mysql_free_result(r);
    mysql_close(m);
    if (!cnt)
        snprintf(out, n, "the server lists no binlogs");
    else
        snprintf(out, n, "the oldest binlog on the server is %s (%lu files, up to %s)", first, cnt,
                 last);
}

void bd_server_ident(char *buf, size_t n, enum bd_flavor flavor, uint32_t server_id,
                     const char *uuid)
{
    if (flavor == BD_FLAVOR_MYSQL)
        snprintf(buf, n, "mysql uuid=%s", uuid ? uuid : "");
    else
        snprintf(buf, n, "mariadb server_id=%u", server_id);
}

/* Run q and append the first column of its first row to out; 0, 1 no row,
 * -1 error (errno in *e, message in msg). */
static int query_text(MYSQL *m, const char *q, bd_buf *out, unsigned *e, char *msg, size_t msglen)
{
    *e = 0;
    if (mysql_query(m, q)) {
        *e = mysql_errno(m);
        snprintf(msg, msglen, "%s", mysql_error(m));
        return -1;
    }
    MYSQL_RES *r = mysql_store_result(m);
    if (!r) {
        *e = mysql_errno(m);
        snprintf(msg, msglen, "%s", *e ? mysql_error(m) : "no result");
        return *e ? -1 : 1;
    }
    MYSQL_ROW row = mysql_fetch_row(r);
    int rc = 1;
    if (row && mysql_num_fields(r) > 0) {
        unsigned long *len = mysql_fetch_lengths(r);
        if (row[0]) bd_buf_add(out, row[0], len[0]);
        rc = 0;
    }
    mysql_free_result(r);
    return rc;
}

/* The 'before' set of binlog file name: the Info of its Previous_gtids
 * (MySQL) or Gtid_list (MariaDB, "[0-1-5,...]") event, through SHOW BINLOG
 * EVENTS, which reads only the file's first events.  0, or -1/1 with err. */
static int file_before(bd_source_server *s, const char *name, bd_gtid_set *before, bd_err *err)
{
    char w[300], q[NAME_MAX_LEN * 2 + 64], esc[NAME_MAX_LEN * 2 + 1];
    mysql_real_escape_string(s->m, esc, name, (unsigned long)strlen(name));
    snprintf(q, sizeof q, "SHOW BINLOG EVENTS IN '%s' LIMIT 6", esc);
    if (mysql_query(s->m, q)) {
        unsigned e = mysql_errno(s->m);
        if (e == BD_ER_SPECIFIC_ACCESS_DENIED || e == BD_ER_DBACCESS_DENIED)
            return grants_error(s, err, "SHOW BINLOG EVENTS", e, mysql_error(s->m));
        bd_err_set(err, BD_ERR_IO, "reading the GTIDs before %s on %s: %u: %s", name,
                   where(s, w, sizeof w), e, mysql_error(s->m));
        return bd_server_retryable(e) ? 1 : -1;
    }
    MYSQL_RES *r = mysql_store_result(s->m);
    MYSQL_ROW row;
    int found = 0, rc = 0;
    /* columns: Log_name, Pos, Event_type, Server_id, End_log_pos, Info */
    while (r && mysql_num_fields(r) >= 6 && (row = mysql_fetch_row(r))) {
        if (!row[2] || (strcasecmp(row[2], "Previous_gtids") && strcasecmp(row[2], "Gtid_list")))
            continue;
        const char *info = row[5] ? row[5] : "";
        size_t n = strlen(info);
        if (n >= 2 && info[0] == '[' && info[n - 1] == ']') {
            info++;
            n -= 2;
        }
        enum bd_flavor fl =
            strcasecmp(row[2], "Gtid_list") == 0 ? BD_FLAVOR_MARIADB : BD_FLAVOR_MYSQL;
        if (bd_gtid_set_parse_before(before, fl, info, n, err) < 0) {
            bd_err_prefix(err, "the GTIDs before %s on %s: ", name, where(s, w, sizeof w));
            rc = -1;
        }
        found = 1;
        break;
    }
    if (r) mysql_free_result(r);
    if (!found)
        return bd_err_set(err, BD_ERR_IO,
                          "%s on %s has no Previous_gtids / Gtid_list event (written without "
                          "GTIDs): a GTID start cannot be placed; use --from FILE:POS",
                          name, where(s, w, sizeof w));
    return rc;
}

/* A GTID start without COM_BINLOG_DUMP_GTID (MySQL; MariaDB too when
 * BINLOGD_TEST_GTID_MAP is set, so the tests run this code): check that the
 * server has every transaction of the set, find the newest binlog whose
 * 'before' set is inside it, start there at 4 and let the filter drop the
 * transactions of the set that follow.  0, 1 retryable, -1 fatal. */
static int gtid_map(bd_source_server *s, bd_err *err)
{
    char w[300], msg[MYSQL_ERRMSG_SIZE + 1];
    unsigned e;
    bd_buf t = BD_BUF_INIT;
    bd_gtid_set have = BD_GTID_SET_INIT, before = BD_GTID_SET_INIT;
    char **names = NULL;
    size_t n = 0;
    int rc = -1;
    const char *q = s->flavor == BD_FLAVOR_MYSQL ? "SELECT @@GLOBAL.gtid_executed"
                                                 : "SELECT @@GLOBAL.gtid_binlog_pos";
    int r = query_text(s->m, q, &t, &e, msg, sizeof msg);
    if (r) {
        bd_err_set(err, BD_ERR_IO, "%s on %s: %u: %s", q, where(s, w, sizeof w), e, msg);
        rc = r < 0 && bd_server_retryable(e) ? 1 : -1;
        goto out;
    }
    if (bd_gtid_set_parse_before(&have, s->flavor, t.ptr, t.len, err) < 0) {
        bd_err_prefix(err, "%s on %s: ", q, where(s, w, sizeof w));
        goto out;
    }
    if (!bd_gtid_set_covers(&have, &s->gset)) {
        bd_buf_reset(&t);
        bd_gtid_set_missing(&have, &s->gset, &t);
        bd_err_set(err, BD_ERR_IO,
                   "--gtid has transactions that %s never wrote (e.g. %.200s): the set comes "
                   "from another server or a history this one does not share; give a set of "
                   "this server (%s)",
                   where(s, w, sizeof w), t.ptr, q);
        goto out;
    }
    if (mysql_query(s->m, "SHOW BINARY LOGS")) {
        e = mysql_errno(s->m);
        if (e == BD_ER_SPECIFIC_ACCESS_DENIED || e == BD_ER_DBACCESS_DENIED) {
            grants_error(s, err, "SHOW BINARY LOGS", e, mysql_error(s->m));
            goto out;
        }
        bd_err_set(err, BD_ERR_IO, "SHOW BINARY LOGS on %s: %u: %s", where(s, w, sizeof w), e,
                   mysql_error(s->m));
        rc = bd_server_retryable(e) ? 1 : -1;
        goto out;
    }
    MYSQL_RES *res = mysql_store_result(s->m);
    MYSQL_ROW row;
    while (res && (row = mysql_fetch_row(res))) {
        if (!row[0] || strlen(row[0]) >= NAME_MAX_LEN) continue;
        char **nn = realloc(names, (n + 1) * sizeof *names);
        if (!nn || !(nn[n] = strdup(row[0]))) {
            names = nn ? nn : names;
            mysql_free_result(res);
            bd_err_set(err, BD_ERR_NOMEM, "out of memory");
            goto out;
        }
        names = nn;
        n++;
    }
    if (res) mysql_free_result(res);
    if (!n) {
        bd_err_set(err, BD_ERR_IO, "%s lists no binlog files", where(s, w, sizeof w));
        goto out;
    }
    /* newest first: usually the set is recent and one or two files are read */
    for (size_t i = n; i-- > 0;) {
        r = file_before(s, names[i], &before, err);
        if (r) {
            rc = r;
            goto out;
        }
        if (bd_gtid_set_covers(&s->gset, &before)) {
            snprintf(s->rs_file, sizeof s->rs_file, "%s", names[i]);
            s->rs_pos = 4;
            s->established = 1;
            s->ucb = bd_gtid_filter_wrap(&s->gfilter, &s->gset, &s->ucb);
            slog(s, BD_SERVER_INFO,
                 "GTID start: %s is the newest binlog that follows only transactions of the "
                 "set; reading from %s:4 and skipping the set's transactions there",
                 names[i], names[i]);
            rc = 0;
            goto out;
        }
        if (i == 0) {
            bd_buf_reset(&t);
            bd_gtid_set_missing(&s->gset, &before, &t);
            bd_err_set(err, BD_ERR_IO,
                       "GTID start on %s: transactions outside the set (e.g. %.200s) are "
                       "before the oldest binlog %s: they were purged (1236), so starting "
                       "there would lose them; take a new snapshot or give a set that "
                       "contains them",
                       where(s, w, sizeof w), t.ptr, names[0]);
        }
    }
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    bd_buf_release(&t);
    bd_gtid_set_release(&have);
    bd_gtid_set_release(&before);
    return rc;
}

/* What came before the start file:pos, as a GTID set, when the server can
 * tell (bd_server_position.start_gtid).  Failure leaves it unknown. */
static void find_start_gtid(bd_source_server *s, const char *file, uint64_t pos)
{
    bd_buf t = BD_BUF_INIT;
    if (s->o.gtid) {
        bd_gtid_set_text(&s->gset, &t);
    } else if (s->flavor == BD_FLAVOR_MARIADB) {
        char q[NAME_MAX_LEN * 2 + 64], esc[NAME_MAX_LEN * 2 + 1], msg[MYSQL_ERRMSG_SIZE + 1];
        unsigned e;
        mysql_real_escape_string(s->m, esc, file, (unsigned long)strlen(file));
        snprintf(q, sizeof q, "SELECT BINLOG_GTID_POS('%s', %llu)", esc, (unsigned long long)pos);
        if (query_text(s->m, q, &t, &e, msg, sizeof msg) != 0) bd_buf_reset(&t);
    } else if (pos <= 4) {
        bd_gtid_set before = BD_GTID_SET_INIT;
        bd_err e;
        if (file_before(s, file, &before, &e) == 0) bd_gtid_set_text(&before, &t);
        bd_gtid_set_release(&before);
    } else {
        bd_buf_release(&t);
        return;
    }
    free(s->start_gtid);
    s->start_gtid = bd_buf_failed(&t) ? NULL : bd_buf_detach(&t, NULL);
    if (s->start_gtid && !s->start_gtid[0] && s->flavor == BD_FLAVOR_MARIADB && pos > 4) {
        /* NULL from BINLOG_GTID_POS (a position it cannot map) reads as "" */
        free(s->start_gtid);
        s->start_gtid = NULL;
    }
    bd_buf_release(&t);
}

/* The settings read at every connection, as query_row fills them; fl,
 * server_id and uuid are the server's identity. */
typedef struct server_settings {
    /* one size for all: query_row fills each up to that size */
    char ver[256], sid[256], logbin[256], fmt[256], ck[256], acct[256], lctn[256];
    char uuid[64];
    enum bd_flavor fl;
    uint32_t server_id;
} server_settings;

/* Read the settings: one query for all, and @@server_uuid on MySQL (the
 * identity of a MySQL server).  0, 1 retryable, -1 fatal. */
static int read_settings(bd_source_server *s, server_settings *st, bd_err *err)
{
    char w[300], msg[MYSQL_ERRMSG_SIZE + 1];
    unsigned e;
    char *vals[] = {st->ver, st->sid, st->logbin, st->fmt, st->ck, st->acct, st->lctn};
    int r = query_row(s->m,
                      "SELECT VERSION(), @@server_id, @@global.log_bin, @@global.binlog_format, "
                      "@@global.binlog_checksum, CURRENT_USER(), @@lower_case_table_names",
                      7, vals, sizeof st->ver, &e, msg, sizeof msg);
    if (r) {
        bd_err_set(err, BD_ERR_IO, "reading the settings of %s: %u: %s", where(s, w, sizeof w), e,
                   r < 0 ? msg : "no row");
        return bd_server_retryable(e) ? 1 : -1;
    }
    st->fl = strstr(st->ver, "MariaDB") ? BD_FLAVOR_MARIADB : BD_FLAVOR_MYSQL;
    st->server_id = (uint32_t)strtoul(st->sid, NULL, 10);
    st->uuid[0] = '\0';
    if (st->fl == BD_FLAVOR_MYSQL) {
        char *uv[] = {st->uuid};
        r = query_row(s->m, "SELECT @@server_uuid", 1, uv, sizeof st->uuid, &e, msg, sizeof msg);
        if (r < 0) {
            bd_err_set(err, BD_ERR_IO, "reading @@server_uuid of %s: %u: %s", where(s, w, sizeof w),
                       e, msg);
            return bd_server_retryable(e) ? 1 : -1;
        }
    }
    return 0;
}

/* Take the settings as the server's identity.  0, or -1 with err when a
 * reconnect found another server. */
static int adopt_identity(bd_source_server *s, const server_settings *st, bd_err *err)
{
    char w[300];
    if (s->have_identity) {
        /* a reconnect: positions are only meaningful on the same server */
        if (st->fl != s->flavor || st->server_id != s->server_id || strcmp(st->uuid, s->uuid) != 0)
            return bd_err_set(
                err, BD_ERR_IO,
                "%s is no longer the server this stream started on (was %s "
                "server_id %u%s%s, now %s server_id %u%s%s, e.g. after a "
                "failover): its binlog positions mean something else, so the "
                "stream stops at %s:%llu; restart from a position of the new "
                "server",
                where(s, w, sizeof w), s->flavor == BD_FLAVOR_MARIADB ? "MariaDB" : "MySQL",
                s->server_id, s->uuid[0] ? " uuid " : "", s->uuid,
                st->fl == BD_FLAVOR_MARIADB ? "MariaDB" : "MySQL", st->server_id,
                st->uuid[0] ? " uuid " : "", st->uuid, s->rs_file, (unsigned long long)s->rs_pos);
    }
    s->flavor = st->fl;
    s->lower_case_names = atoi(st->lctn) != 0;
    snprintf(s->version, sizeof s->version, "%.127s", st->ver);
    s->version_num = bd_version_number(st->ver);
    s->server_id = st->server_id;
    snprintf(s->uuid, sizeof s->uuid, "%s", st->uuid);
    snprintf(s->account, sizeof s->account, "%s", st->acct);
    s->have_identity = 1;
    return 0;
}

/* The first connection when resuming from a checkpoint: its position
 * means something only on the server it was written against (ident is
 * this one).  With allow_server_change (failover_gtid) the checkpoint's
 * GTID set takes the place of the position.  0, or -1 with err. */
static int check_checkpoint_server(bd_source_server *s, const char *ident, bd_err *err)
{
    char w[300];
    if (!s->o.expect_server || strcmp(ident, s->o.expect_server) == 0) return 0;
    if (!s->o.failover_gtid)
        return bd_err_set(err, BD_ERR_IO,
                          "%s is %s, but the checkpoint was written against %s: its "
                          "position %s:%llu means nothing on this server. After a "
                          "failover, set allow_server_change to resume from the "
                          "checkpoint's GTID set (when it has one), or remove the "
                          "checkpoint to start over",
                          where(s, w, sizeof w), ident, s->o.expect_server,
                          s->o.file ? s->o.file : "?", (unsigned long long)s->o.pos);
    bd_gtid_set_release(&s->gset);
    if (bd_gtid_set_parse(&s->gset, BD_FLAVOR_UNKNOWN, s->o.failover_gtid,
                          strlen(s->o.failover_gtid), err) < 0) {
        bd_err_prefix(err, "the checkpoint's GTID set: ");
        return -1;
    }
    char *g = strdup(s->o.failover_gtid);
    if (!g) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    free(s->gtid);
    s->o.gtid = s->gtid = g;
    s->o.file = NULL;
    s->established = 0;
    slog(s, BD_SERVER_WARN,
         "%s is %s, not %s of the checkpoint: resuming after the checkpoint's GTID set "
         "(allow_server_change)",
         where(s, w, sizeof w), ident, s->o.expect_server);
    return 0;
}

/* What a reader cannot work without, refused with the fix: a binary log,
 * row images, a GTID set of the server's kind and a server id of its own.
 * 0, or -1 with err. */
static int check_settings(bd_source_server *s, const server_settings *st, bd_err *err)
{
    char w[300];
    enum bd_flavor fl = st->fl;
    const char *cnf = fl == BD_FLAVOR_MARIADB ? "[mariadbd]" : "[mysqld]";
    if (strcmp(st->logbin, "1") != 0 && strcasecmp(st->logbin, "ON") != 0)
        return bd_err_set(err, BD_ERR_IO,
                          "%s does not write a binary log (log_bin=OFF): add log_bin=binlog, "
                          "binlog_format=ROW and a server_id to the %s section of my.cnf and "
                          "restart the server (log_bin cannot be changed while it runs)",
                          where(s, w, sizeof w), cnf);
    if (strcasecmp(st->fmt, "ROW") != 0)
        return bd_err_set(err, BD_ERR_IO,
                          "%s logs with binlog_format=%s, which does not carry row images: run "
                          "SET GLOBAL binlog_format='ROW' (applies to new sessions) and add "
                          "binlog_format=ROW to the %s section of my.cnf so it survives a "
                          "restart",
                          where(s, w, sizeof w), st->fmt, cnf);
    if (s->o.gtid && s->gset.flavor != BD_FLAVOR_UNKNOWN && s->gset.flavor != fl)
        return bd_err_set(err, BD_ERR_IO,
                          "--gtid '%.200s' is a %s but %s is %s: give a GTID set of this "
                          "server's kind (%s)",
                          s->o.gtid,
                          s->gset.flavor == BD_FLAVOR_MYSQL ? "MySQL GTID set"
                                                            : "MariaDB GTID position",
                          where(s, w, sizeof w), fl == BD_FLAVOR_MYSQL ? "MySQL" : "MariaDB",
                          fl == BD_FLAVOR_MYSQL ? "uuid:1-100,..." : "domain-server-seq,...");
    if (st->server_id == s->o.server_id)
        return bd_err_set(err, BD_ERR_IO,
                          "--server-id %u is the server_id of %s itself: give this reader an "
                          "id no server or replica in the topology uses",
                          s->o.server_id, where(s, w, sizeof w));
    return 0;
}

/* The checks of `binlogd check-config`, at the first connection: errors
 * the checks above did not cover stop here, warnings are logged once.
 * 0, or -1 with err. */
static int preflight(bd_source_server *s, bd_err *err)
{
    char w[300];
    bd_preflight_report *pr = malloc(sizeof *pr);
    bd_preflight_opts po = {0};
    bd_err pe = {0};
    /* missing grants are reported where they bite, with the statement
     * that was refused (grants_error) */
    po.skip_grants = 1;
    if (pr && bd_preflight_run(s->m, s->flavor, s->version_num, &po, pr, &pe) == 0) {
        for (size_t i = 0; i < pr->n; i++) {
            const bd_pf_finding *f = &pr->f[i];
            if (f->severity == BD_PF_ERROR) {
                bd_err_set(err, BD_ERR_IO, "%s: %s=%s: %s. Fix: %s", where(s, w, sizeof w),
                           f->variable, f->value, f->problem, f->fix);
                free(pr);
                return -1;
            }
            if (f->severity == BD_PF_WARNING)
                slog(s, BD_SERVER_WARN, "%s=%s: %s. Fix: %s", f->variable, f->value, f->problem,
                     f->fix);
        }
    }
    free(pr);
    return 0;
}

/* Neither a file nor a GTID given: start at the head (--from-head) or at
 * the oldest binlog the server has.  0, 1 retryable, -1 fatal. */
static int find_default_start(bd_source_server *s, bd_err *err)
{
    char w[300], msg[MYSQL_ERRMSG_SIZE + 1];
    unsigned e;
    char f[NAME_MAX_LEN], p[32];
    char *fv[] = {f, p};
    const char *q, *what;
    if (s->o.from_head) {
        q = (s->flavor == BD_FLAVOR_MYSQL && s->version_num >= 80200) ? "SHOW BINARY LOG STATUS"
                                                                      : "SHOW MASTER STATUS";
        what = "the head";
    } else {
        q = "SHOW BINARY LOGS";
        what = "the oldest binlog";
    }
    int r = query_row(s->m, q, 2, fv, sizeof f, &e, msg, sizeof msg);
    if (r < 0 && (e == BD_ER_SPECIFIC_ACCESS_DENIED || e == BD_ER_DBACCESS_DENIED))
        return grants_error(s, err, q, e, msg);
    if (r < 0) {
        bd_err_set(err, BD_ERR_IO, "finding %s of %s: %s: %u: %s", what, where(s, w, sizeof w), q,
                   e, msg);
        return bd_server_retryable(e) ? 1 : -1;
    }
    if (r > 0 || !f[0])
        return bd_err_set(err, BD_ERR_IO, "finding %s of %s: %s returned nothing", what,
                          where(s, w, sizeof w), q);
    snprintf(s->rs_file, sizeof s->rs_file, "%s", f);
    s->rs_pos = s->o.from_head ? strtoull(p, NULL, 10) : 4;
    if (s->rs_pos < 4) s->rs_pos = 4;
    s->established = 1;
    return 0;
}

/* The start position, resolved once at the first connection: a GTID set
 * placed in a file where the server cannot start at one (gtid_map), else
 * the head or the oldest binlog when no start was given; then what came
 * before the start, as a GTID set.  0, 1 retryable, -1 fatal. */
static int resolve_start(bd_source_server *s, bd_err *err)
{
    int r;
    if (s->o.gtid && (s->flavor == BD_FLAVOR_MYSQL || getenv("BINLOGD_TEST_GTID_MAP"))) {
        r = gtid_map(s, err);
        if (r) return r;
    }
    if (!s->o.gtid && !s->o.file) {
        r = find_default_start(s, err);
        if (r) return r;
    }
    if (s->established)
        find_start_gtid(s, s->rs_file, s->rs_pos);
    else if (s->o.file)
        find_start_gtid(s, s->o.file, s->o.pos ? s->o.pos : 4);
    else if (s->o.gtid)
        find_start_gtid(s, "", 0);
    return 0;
}

/* The replication session's variables, which libmariadb does not set (see
 * the top): the checksum, MariaDB's GTID capability, the heartbeat and a
 * MariaDB GTID start.  0, 1 retryable, -1 fatal. */
static int set_session(bd_source_server *s, bd_err *err)
{
    /* e and msg start empty for the too-long GTID start, which no query
     * reported (they used to be left over from the settings query) */
    char w[300], msg[MYSQL_ERRMSG_SIZE + 1] = "", q[512];
    unsigned e = 0;
    enum bd_flavor fl = s->flavor;
    if (exec(s->m, "SET @master_binlog_checksum = @@global.binlog_checksum", &e, msg, sizeof msg) ||
        (fl == BD_FLAVOR_MYSQL &&
         exec(s->m, "SET @source_binlog_checksum = @@global.binlog_checksum", &e, msg,
              sizeof msg)) ||
        (fl == BD_FLAVOR_MARIADB &&
         exec(s->m, "SET @mariadb_slave_capability = 4", &e, msg, sizeof msg))) {
        bd_err_set(err, BD_ERR_IO, "setting up replication on %s: %u: %s", where(s, w, sizeof w), e,
                   msg);
        return bd_server_retryable(e) ? 1 : -1;
    }
    unsigned long long hb_ns = (unsigned long long)(s->o.heartbeat_s * 1e9 + 0.5);
    snprintf(q, sizeof q, "SET @master_heartbeat_period = %llu", hb_ns);
    if (exec(s->m, q, &e, msg, sizeof msg)) {
        bd_err_set(err, BD_ERR_IO, "setting the heartbeat on %s: %u: %s", where(s, w, sizeof w), e,
                   msg);
        return bd_server_retryable(e) ? 1 : -1;
    }
    if (fl == BD_FLAVOR_MYSQL) {
        snprintf(q, sizeof q, "SET @source_heartbeat_period = %llu", hb_ns);
        if (exec(s->m, q, &e, msg, sizeof msg)) {
            bd_err_set(err, BD_ERR_IO, "setting the heartbeat on %s: %u: %s", where(s, w, sizeof w),
                       e, msg);
            return bd_server_retryable(e) ? 1 : -1;
        }
    }
    if (!s->established && s->o.gtid) {
        /* the canonical text: digits, '-' and ',' only */
        bd_buf t = BD_BUF_INIT;
        bd_gtid_set_text(&s->gset, &t);
        snprintf(q, sizeof q, "SET @slave_connect_state = '%s'", t.ptr);
        int too_long = t.len > sizeof q - 40;
        bd_buf_release(&t);
        if (too_long || exec(s->m, q, &e, msg, sizeof msg)) {
            bd_err_set(err, BD_ERR_IO, "setting the GTID start on %s: %u: %s",
                       where(s, w, sizeof w), e, msg);
            return bd_server_retryable(e) ? 1 : -1;
        }
    }
    return 0;
}

/* Connect, detect, check and set up the session; first: resolve the start.
 * 0 ok, 1 retryable, -1 fatal.  The steps run in this order because each
 * needs what the one before learnt (the flavor, the identity, a start the
 * checkpoint may have changed); a failure leaves the connection to the
 * caller, which drops it. */
static int setup(bd_source_server *s, int first, bd_err *err)
{
    int r = open_conn(s, &s->m, err);
    if (r) return r;
    s->fd = (int)mysql_get_socket(s->m);

    server_settings st;
    r = read_settings(s, &st, err);
    if (r) return r;
    if (adopt_identity(s, &st, err) < 0) return -1;
    char ident[128];
    bd_server_ident(ident, sizeof ident, st.fl, st.server_id, st.uuid);
    if (first && check_checkpoint_server(s, ident, err) < 0) return -1;
    if (s->hist_path && !s->hist) {
        s->hist = bd_schema_history_open(s->hist_path, err);
        if (s->hist && s->o.on_history_line)
            bd_schema_history_set_tee(s->hist, s->o.on_history_line, s->o.ctx);
        if (!s->hist || bd_schema_history_bind(s->hist, ident, err) < 0) return -1;
    }
    if (check_settings(s, &st, err) < 0) return -1;
    s->crc = strcasecmp(st.ck, "NONE") != 0;

    if (first) {
        if (preflight(s, err) < 0) return -1;
        r = resolve_start(s, err);
        if (r) return r;
    }
    return set_session(s, err);
}

/* Open the dump at the resume point (or the GTID start). */
static int open_dump(bd_source_server *s, bd_err *err)
{
    char w[300];
    if (!s->established && !s->o.gtid) {
        snprintf(s->rs_file, sizeof s->rs_file, "%s", s->o.file);
        s->rs_pos = s->o.pos;
        s->established = 1;
    }
    s->rpl = mariadb_rpl_init(s->m);
    if (!s->rpl) return bd_err_set(err, BD_ERR_NOMEM, "mariadb_rpl_init: %s", mysql_error(s->m));
    unsigned flags = s->o.follow ? 0 : MARIADB_RPL_BINLOG_DUMP_NON_BLOCK;
    /* ANNOTATE_ROWS as a file has them (MariaDB only: MySQL uses bit 2 for
     * something else) */
    if (s->flavor == BD_FLAVOR_MARIADB) flags |= MARIADB_RPL_BINLOG_SEND_ANNOTATE_ROWS;
    if (s->established) {
        mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_FILENAME, s->rs_file, strlen(s->rs_file));
        mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_START, (unsigned long)s->rs_pos);
        snprintf(s->open_file, sizeof s->open_file, "%s", s->rs_file);
        s->open_pos = s->rs_pos;
        snprintf(s->open_desc, sizeof s->open_desc, "%s:%llu", s->rs_file,
                 (unsigned long long)s->rs_pos);
    } else {
        mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_FILENAME, "", (size_t)0);
        mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_START, 4UL);
        s->open_file[0] = '\0';
        s->open_pos = 4;
        snprintf(s->open_desc, sizeof s->open_desc, "GTID position '%.400s'", s->o.gtid);
    }
    mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_SERVER_ID, (unsigned)s->o.server_id);
    mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_FLAGS, flags);
    if (mariadb_rpl_open(s->rpl)) {
        unsigned e = mysql_errno(s->m);
        bd_err_set(err, BD_ERR_IO, "starting the binlog dump on %s at %s: %u: %s",
                   where(s, w, sizeof w), s->open_desc, e, mysql_error(s->m));
        return bd_server_retryable(e) ? 1 : -1;
    }
    s->since_connect = 0;
    return 0;
}

/* Explain an error of the stream.  1 retryable, -1 fatal. */
static int stream_error(bd_source_server *s, bd_err *err)
{
    char w[300];
    unsigned e = mysql_errno(s->m);
    char msg[MYSQL_ERRMSG_SIZE + 1];
    if (e) {
        snprintf(msg, sizeof msg, "%s", mysql_error(s->m));
    } else {
        e = mariadb_rpl_errno(s->rpl);
        snprintf(msg, sizeof msg, "%s", mariadb_rpl_error(s->rpl));
    }
    const char *reached = s->cur_file[0] ? s->cur_file : s->open_desc;
    if (e == BD_ER_SLAVE_SAME_ID || strstr(msg, "same server_uuid/server_id") ||
        strstr(msg, "same server_id"))
        return bd_err_set(err, BD_ERR_IO,
                          "another replica connected to %s with server id %u, and the server "
                          "dropped this one (%u: %s); every reader needs its own id: pick "
                          "another --server-id (stopped at %s:%llu)",
                          where(s, w, sizeof w), s->o.server_id, e, msg, reached,
                          (unsigned long long)s->cur_end);
    if (e == BD_ER_SPECIFIC_ACCESS_DENIED || e == BD_ER_DBACCESS_DENIED || e == BD_ER_ACCESS_DENIED)
        return grants_error(s, err, "reading the binlog", e, msg);
    if (e == BD_ER_MASTER_FATAL_READING_BINLOG) {
        char range[NAME_MAX_LEN * 2 + 100];
        binlog_range(s, range, sizeof range);
        if (strstr(msg, "Could not find first log file"))
            return bd_err_set(err, BD_ERR_IO,
                              "%s is gone from %s: that binlog file was purged or never "
                              "existed (%u: %s); %s. Start from there (--from FILE:4) and "
                              "accept the gap, or take a new snapshot",
                              s->open_desc, where(s, w, sizeof w), e, msg, range);
        if (strstr(msg, "Could not find GTID state") || strstr(msg, "purged"))
            return bd_err_set(err, BD_ERR_IO,
                              "%s is gone from %s: the binlogs that hold it were purged (%u: "
                              "%s); %s. Start at a newer position and accept the gap, or take a "
                              "new snapshot",
                              s->open_desc, where(s, w, sizeof w), e, msg, range);
        if (strstr(msg, "GTID"))
            return bd_err_set(err, BD_ERR_IO,
                              "%s is not in the binlog of %s (%u: %s): a GTID this server has "
                              "not written (yet), or one of another server; check "
                              "@@gtid_binlog_pos on the server",
                              s->open_desc, where(s, w, sizeof w), e, msg);
        return bd_err_set(err, BD_ERR_IO,
                          "%s refused to send its binlog from %s (%u: %s); a start position "
                          "must be the start of an event (a 'pos' of an earlier dump, or 4); %s",
                          where(s, w, sizeof w), s->open_desc, e, msg, range);
    }
    bd_err_set(err, BD_ERR_IO, "reading the binlog of %s at %s:%llu: %u: %s", where(s, w, sizeof w),
               reached, (unsigned long long)s->cur_end, e, msg);
    /* on an established stream a TLS error is the connection breaking */
    return bd_server_retryable(e) || e == BD_CR_SSL_CONN_ERR ? 1 : -1;
}

/* ---- decoder callbacks -------------------------------------------------- */

static void key_make(cb_key *k, const bd_pos *p, uint8_t type, uint32_t row)
{
    snprintf(k->file, sizeof k->file, "%s", p->file ? p->file : "");
    k->pos = p->pos;
    k->inner = p->inner;
    k->row = row;
    k->type = type;
}

static void key_text(const cb_key *k, char *out, size_t n)
{
    const char *tn = bd_event_type_name(k->type);
    if (k->row == NO_ROW)
        snprintf(out, n, "%s:%llu%s %s", k->file, (unsigned long long)k->pos,
                 k->inner ? " (inner)" : "", tn ? tn : "?");
    else
        snprintf(out, n, "%s:%llu row %u", k->file, (unsigned long long)k->pos, k->row);
}

/* 1 forward, 0 skip (already made before a reconnect), -1 mismatch */
static int pass(bd_source_server *s, const bd_pos *p, uint8_t type, uint32_t row)
{
    s->seq++;
    if (s->seq > s->skip) {
        /* the common case, once per event and row: update the last key in
         * place (copying the file name only when it changes) */
        const char *f = p->file ? p->file : "";
        if (strcmp(s->last.file, f) != 0) snprintf(s->last.file, sizeof s->last.file, "%s", f);
        s->last.pos = p->pos;
        s->last.inner = p->inner;
        s->last.row = row;
        s->last.type = type;
        s->new_fwd++;
        return 1;
    }
    cb_key k;
    key_make(&k, p, type, row);
    {
        if (s->seq == s->skip &&
            (strcmp(k.file, s->expect.file) || k.pos != s->expect.pos ||
             k.inner != s->expect.inner || k.row != s->expect.row || k.type != s->expect.type)) {
            char a[NAME_MAX_LEN + 64], b[NAME_MAX_LEN + 64];
            key_text(&s->expect, a, sizeof a);
            key_text(&k, b, sizeof b);
            snprintf(s->cb_msg, sizeof s->cb_msg,
                     "after reconnecting, the server sent a different transaction: the last "
                     "change passed on before the connection was lost was %.150s, the same "
                     "place in the stream now holds %.150s",
                     a, b);
            s->cb_failed = 1;
            return -1;
        }
        return 0;
    }
}

/* ---- schema from information_schema ------------------------------------
 * A TABLE_MAP without column names (binlog_row_metadata below FULL) gets
 * them, and the signedness, collations, primary key and ENUM/SET members it
 * lacks, from the server's information_schema at first sight, through a
 * second connection (the first one is streaming).  The schema read is
 * today's: a column count or type that disagrees with the map stops the
 * reader rather than put values under the wrong names (the schema history
 * covers backlogs that cross a DDL).
 *
 * The control connection is opened on need and closed at every reconnect
 * of the stream (a server restart kills both).  A query that fails because
 * the connection is gone (the stream's retryable errors) sets
 * schema_lost: the stream is then handled as a lost connection (retried
 * with --follow) instead of a fatal error. */

/* Run q on the control connection: its result, or NULL with err set (and
 * the connection closed, to be opened again next time). */
static MYSQL_RES *ctl_query(bd_source_server *s, const char *q, const char *what, bd_err *err)
{
    MYSQL_RES *res = NULL;
    if (mysql_query(s->ctl, q) == 0 && (res = mysql_store_result(s->ctl)) != NULL) return res;
    unsigned e = mysql_errno(s->ctl);
    bd_err_set(err, BD_ERR_SCHEMA, "information_schema.%s: %u: %s", what, e,
               e ? mysql_error(s->ctl) : "no result");
    if (bd_server_retryable(e)) s->schema_lost = 1;
    mysql_close(s->ctl);
    s->ctl = NULL;
    return NULL;
}

/* Today's columns of db.tb from information_schema (control connection),
 * with the primary key: the PRIMARY KEY, or else the unique key the server
 * itself takes for it, and MariaDB's hidden columns after the listed ones,
 * as the binlog has them (bd_schema_query, schema_query.h).  A query that
 * failed closes the control connection, as ctl_query does. */
static int schema_query(bd_source_server *s, const char *db, const char *tb, bd_schema_col **out,
                        size_t *nout, bd_err *err)
{
    if (!s->ctl) {
        int r = bd_server_connect(&s->o, &s->ctl, err);
        if (r) {
            if (r > 0) s->schema_lost = 1;
            return -1;
        }
    }
    bd_schema_info info;
    int rc = bd_schema_query(s->ctl, s->flavor == BD_FLAVOR_MARIADB, s->version_num, db, tb, out,
                             nout, &info, err);
    if (rc < 0 && info.query_failed) {
        if (bd_server_retryable(info.server_errno)) s->schema_lost = 1;
        mysql_close(s->ctl);
        s->ctl = NULL;
    }
    bd_schema_info_release(&info);
    return rc;
}

/* ---- DDLs ahead of the reader --------------------------------------------
 * information_schema shows a table as it is now.  For a map at P that the
 * schema history does not cover, that is the table as it was at P only if
 * no DDL changed it between P and now: a reader behind the head (catching
 * up, or a replay) may meet rows written before an ALTER that it has not
 * read yet, and an ALTER that reorders ENUM members or renames columns
 * leaves the column count and types as they were, so the map alone cannot
 * tell.  So before taking a table's columns from information_schema, the
 * DDLs between P and the server's head (read after the columns) are looked
 * at: SHOW BINLOG EVENTS, page by page, read once and kept as the reader
 * moves on.  One that may have changed the table stops the reader (fail
 * closed); the schema history, binlog_row_metadata=FULL or a start after
 * the DDL are the ways on. */

#define AHEAD_PAGE 5000

typedef struct ddl_ahead {
    char file[NAME_MAX_LEN];
    uint64_t pos;
    int unknown; /* the tables could not be read from it: every table */
    size_t n;
    char db[BD_STMT_MAX_TABLES][65], table[BD_STMT_MAX_TABLES][65]; /* table "": all of db */
    char text[120];                                                 /* for the message */
} ddl_ahead;

/* The server's head (SHOW MASTER STATUS) into file, *pos. */
static int ctl_head(bd_source_server *s, char *file, size_t fn, uint64_t *pos, bd_err *err)
{
    const char *q = s->flavor == BD_FLAVOR_MYSQL && s->version_num >= 80200
                        ? "SHOW BINARY LOG STATUS"
                        : "SHOW MASTER STATUS";
    MYSQL_RES *res = ctl_query(s, q, "(SHOW MASTER STATUS)", err);
    if (!res) return -1;
    MYSQL_ROW row = mysql_fetch_row(res);
    int ok = row && row[0] && row[1] && strlen(row[0]) < fn;
    if (ok) {
        snprintf(file, fn, "%s", row[0]);
        *pos = strtoull(row[1], NULL, 10);
    }
    mysql_free_result(res);
    if (!ok) return bd_err_set(err, BD_ERR_IO, "%s returned no position (binary log off?)", q);
    return 0;
}

/* The binlog file after f on the server, into next ("" when f is the last). */
static int ctl_next_file(bd_source_server *s, const char *f, char *next, size_t nn, bd_err *err)
{
    MYSQL_RES *res = ctl_query(s, "SHOW BINARY LOGS", "(SHOW BINARY LOGS)", err);
    if (!res) return -1;
    MYSQL_ROW row;
    next[0] = '\0';
    while ((row = mysql_fetch_row(res)) != NULL)
        if (row[0] && bd_binlog_pos_cmp(row[0], 0, f, 0) > 0 && strlen(row[0]) < nn &&
            (!next[0] || bd_binlog_pos_cmp(row[0], 0, next, 0) < 0))
            snprintf(next, nn, "%s", row[0]);
    mysql_free_result(res);
    return 0;
}

/* Note one Query event of SHOW BINLOG EVENTS if it may change a table's
 * definition. */
static int ahead_note(bd_source_server *s, const char *file, uint64_t pos, const char *info,
                      size_t n)
{
    const char *db = NULL, *q = info;
    size_t dbn = 0, qn = n;
    char undoubled[65];
    if (bd_stmt_split_use(info, n, &db, &dbn, &q, &qn) == 2) {
        /* a name with its own quote character in it, doubled: undone */
        char quote = db[-1];
        size_t k = 0;
        for (size_t i = 0; i < dbn && k < sizeof undoubled - 1; i++) {
            undoubled[k++] = db[i];
            if (db[i] == quote && i + 1 < dbn && db[i + 1] == quote) i++;
        }
        db = undoubled;
        dbn = k;
    }
    bd_stmt st;
    if (!bd_stmt_ddl(&st, q, qn, db, dbn, 0)) return 0;
    if (s->nahead == s->cahead) {
        size_t c = s->cahead ? 2 * s->cahead : 16;
        ddl_ahead *a = realloc(s->ahead, c * sizeof *a);
        if (!a) return -1;
        s->ahead = a;
        s->cahead = c;
    }
    ddl_ahead *d = &s->ahead[s->nahead++];
    memset(d, 0, sizeof *d);
    snprintf(d->file, sizeof d->file, "%s", file);
    d->pos = pos;
    d->unknown = st.tables_unknown;
    d->n = st.ntables;
    for (size_t i = 0; i < st.ntables; i++) {
        memcpy(d->db[i], st.tables[i].db, sizeof d->db[i]);
        memcpy(d->table[i], st.tables[i].table, sizeof d->table[i]);
    }
    size_t l = qn < sizeof d->text - 1 ? qn : sizeof d->text - 1;
    for (size_t i = 0; i < l; i++)
        d->text[i] = q[i] == '\n' || q[i] == '\r' || q[i] == '\t' ? ' ' : q[i];
    return 0;
}

/* Read the binlog's DDLs from file:pos to to_file:to_pos (what is known
 * already is kept: the reader only moves on).  0, or -1 with err. */
/* Read the DDLs of the binlog from file:pos up to to_file:to_pos into
 * s->ahead (in no particular order).  0, or -1 with err. */
static int ahead_read(bd_source_server *s, const char *file, uint64_t pos, const char *to_file,
                      uint64_t to_pos, bd_err *err)
{
    char f[NAME_MAX_LEN];
    uint64_t p = pos;
    snprintf(f, sizeof f, "%s", file);
    char esc[2 * NAME_MAX_LEN + 1], q[2 * NAME_MAX_LEN + 128];
    while (f[0] && bd_binlog_pos_cmp(f, p, to_file, to_pos) < 0) {
        mysql_real_escape_string(s->ctl, esc, f, (unsigned long)strlen(f));
        snprintf(q, sizeof q, "SHOW BINLOG EVENTS IN '%s' FROM %llu LIMIT %d", esc,
                 (unsigned long long)p, AHEAD_PAGE);
        /* row by row: the Info of an ANNOTATE_ROWS or a big statement may
         * be megabytes, and only the Query events are kept */
        MYSQL_RES *res = NULL;
        if (mysql_query(s->ctl, q) || !(res = mysql_use_result(s->ctl))) {
            unsigned e = mysql_errno(s->ctl);
            bd_err_set(err, BD_ERR_SCHEMA, "%s: %u: %s", q, e,
                       e ? mysql_error(s->ctl) : "no result");
            if (bd_server_retryable(e)) s->schema_lost = 1;
            mysql_close(s->ctl);
            s->ctl = NULL;
            return -1;
        }
        /* Log_name, Pos, Event_type, Server_id, End_log_pos, Info */
        MYSQL_ROW row;
        size_t rows = 0;
        int past = 0, oom = 0;
        while ((row = mysql_fetch_row(res)) != NULL) {
            unsigned long *len = mysql_fetch_lengths(res);
            rows++;
            if (past) continue; /* the rest of the page is read and dropped */
            uint64_t at = row[1] ? strtoull(row[1], NULL, 10) : 0;
            if (bd_binlog_pos_cmp(f, at, to_file, to_pos) >= 0) {
                past = 1;
                continue;
            }
            uint64_t end = row[4] ? strtoull(row[4], NULL, 10) : 0;
            if (end > p) p = end;
            if (row[2] && row[5] && !strncasecmp(row[2], "Query", 5) &&
                ahead_note(s, f, at, row[5], len ? len[5] : strlen(row[5])) < 0)
                oom = 1;
        }
        unsigned fe = mysql_errno(s->ctl);
        mysql_free_result(res);
        if (fe) {
            bd_err_set(err, BD_ERR_SCHEMA, "%s: %u: %s", q, fe, mysql_error(s->ctl));
            if (bd_server_retryable(fe)) s->schema_lost = 1;
            mysql_close(s->ctl);
            s->ctl = NULL;
            return -1;
        }
        if (oom) {
            return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        }
        if (past) break;
        if (rows < AHEAD_PAGE) { /* the end of this file: the next one */
            char next[NAME_MAX_LEN];
            if (ctl_next_file(s, f, next, sizeof next, err) < 0) {
                return -1;
            }
            if (!next[0]) break;
            snprintf(f, sizeof f, "%s", next);
            p = 4;
        }
    }
    return 0;
}

/* The DDLs between file:pos (the reader) and to_file:to_pos (the head) in
 * s->ahead: what was read before is kept, and only the stretches not read
 * yet are read (a reconnect resumes a little behind the reader, which
 * must not read everything again: a long look that made the server give
 * up on the stream would then never end). */
static int ahead_scan(bd_source_server *s, const char *file, uint64_t pos, const char *to_file,
                      uint64_t to_pos, bd_err *err)
{
    /* what was read ahead belongs to one server: another (a failover)
     * has other positions */
    char ident[sizeof s->ahead_ident];
    bd_server_ident(ident, sizeof ident, s->flavor, s->server_id, s->uuid);
    if (!s->ahead_valid || strcmp(ident, s->ahead_ident) != 0) {
        s->nahead = 0;
        s->ahead_valid = 1;
        snprintf(s->ahead_ident, sizeof s->ahead_ident, "%s", ident);
        snprintf(s->ahead_from_file, sizeof s->ahead_from_file, "%s", file);
        s->ahead_from_pos = pos;
        snprintf(s->ahead_to_file, sizeof s->ahead_to_file, "%s", file);
        s->ahead_to_pos = pos;
    }
    if (bd_binlog_pos_cmp(file, pos, s->ahead_from_file, s->ahead_from_pos) < 0) {
        /* behind what was read (a reconnect): read the stretch before it */
        if (ahead_read(s, file, pos, s->ahead_from_file, s->ahead_from_pos, err) < 0) {
            s->ahead_valid = 0;
            return -1;
        }
    } else {
        /* the reader moved on: what lies behind it is asked about no more */
        size_t k = 0;
        for (size_t i = 0; i < s->nahead; i++)
            if (bd_binlog_pos_cmp(s->ahead[i].file, s->ahead[i].pos, file, pos) > 0)
                s->ahead[k++] = s->ahead[i];
        s->nahead = k;
    }
    snprintf(s->ahead_from_file, sizeof s->ahead_from_file, "%s", file);
    s->ahead_from_pos = pos;
    /* on from where the reading stopped, or from the reader if it is past
     * that (the files in between may be purged by now) */
    if (bd_binlog_pos_cmp(file, pos, s->ahead_to_file, s->ahead_to_pos) > 0) {
        snprintf(s->ahead_to_file, sizeof s->ahead_to_file, "%s", file);
        s->ahead_to_pos = pos;
    }
    if (bd_binlog_pos_cmp(s->ahead_to_file, s->ahead_to_pos, to_file, to_pos) < 0) {
        if (ahead_read(s, s->ahead_to_file, s->ahead_to_pos, to_file, to_pos, err) < 0) {
            s->ahead_valid = 0;
            return -1;
        }
        snprintf(s->ahead_to_file, sizeof s->ahead_to_file, "%s", to_file);
        s->ahead_to_pos = to_pos;
    }
    return 0;
}

/* A DDL after file:pos that may have changed db.tb, or NULL.  Names are
 * compared without case: a server with lower_case_table_names logs them as
 * they were typed. */
static const ddl_ahead *ahead_hit(const bd_source_server *s, const char *file, uint64_t pos,
                                  const char *db, const char *tb)
{
    for (size_t i = 0; i < s->nahead; i++) {
        const ddl_ahead *d = &s->ahead[i];
        if (bd_binlog_pos_cmp(d->file, d->pos, file, pos) <= 0) continue;
        if (d->unknown) return d;
        for (size_t k = 0; k < d->n; k++)
            if (!strcasecmp(d->db[k], db) && (!d->table[k][0] || !strcasecmp(d->table[k], tb)))
                return d;
    }
    return NULL;
}

/* The columns just read from information_schema for db.tb are those of
 * the map at the reader's position only if no DDL after it may have
 * changed the table: 0, or -1 with err (stop). */
static int columns_are_current(bd_source_server *s, const char *db, const char *tb, bd_err *err)
{
    char hf[NAME_MAX_LEN];
    uint64_t hp = 0;
    /* the head after the columns were read: every DDL they may show is
     * before it */
    if (ctl_head(s, hf, sizeof hf, &hp, err) < 0) return -1;
    if (bd_binlog_pos_cmp(s->cur_file, s->feed_pos, hf, hp) >= 0) return 0;
    if (ahead_scan(s, s->cur_file, s->feed_pos, hf, hp, err) < 0) {
        bd_err_prefix(err, "looking for DDL on `%s`.`%s` between %s:%llu and the head: ", db, tb,
                      s->cur_file, (unsigned long long)s->feed_pos);
        return -1;
    }
    const ddl_ahead *d = ahead_hit(s, s->cur_file, s->feed_pos, db, tb);
    if (!d) return 0;
    if (s->o.trust_ddl_ahead) {
        slog(s, BD_SERVER_WARN,
             "`%s`.`%s` at %s:%llu: columns taken from information_schema as they are now, "
             "although a DDL not read yet (%s:%llu \"%.80s\") may have changed them since "
             "(ddl_ahead = trust): names, ENUM members and keys of these rows may be today's",
             db, tb, s->cur_file, (unsigned long long)s->feed_pos, d->file,
             (unsigned long long)d->pos, d->text);
        return 0;
    }
    return bd_err_set(err, BD_ERR_UNKNOWN_SCHEMA,
                      "`%s`.`%s` at %s:%llu: the binlog carries no column names here and a DDL "
                      "not read yet (%s:%llu \"%.80s\") may have changed the table since: "
                      "information_schema shows it as it is now, not as it was. Ways on: a "
                      "schema history that covers this position, or ddl_ahead = trust "
                      "(today's columns for these rows; docs/operations.md)",
                      db, tb, s->cur_file, (unsigned long long)s->feed_pos, d->file,
                      (unsigned long long)d->pos, d->text);
}

static int w_on_table(void *ctx, bd_table *t, bd_err *err)
{
    bd_source_server *s = ctx;
    if (t->has_names && !t->signedness_unknown) return 0; /* FULL metadata */
    t->schema_deferred = s->o.want_schema && !s->o.want_schema(s->o.ctx, t);
    if (t->schema_deferred) return 0;
    char db[65], tb[65];
    if (bd_schema_names(t, db, tb, err) < 0) return -1;
    const bd_schema_col *cols;
    size_t n;
    int later = 0;
    if (s->hist &&
        bd_schema_history_find(s->hist, s->cur_file, s->feed_pos, db, tb, &cols, &n, &later)) {
        char whence[NAME_MAX_LEN + 64];
        snprintf(whence, sizeof whence, "the schema history (%s)", s->hist_path);
        return bd_schema_apply(t, db, tb, cols, n, whence, err);
    }
    bd_schema_col *fresh = NULL;
    if (schema_query(s, db, tb, &fresh, &n, err) < 0) {
        /* a map kept from before (put off) must ask again next time */
        if (s->schema_lost) t->schema_deferred = 1;
        bd_err_prefix(err, "schema of `%s`.`%s`: ", db, tb);
        return -1;
    }
    /* today's columns are those of this position only if no DDL since
     * may have changed the table (the history's DDLs after it, if any,
     * are among them) */
    (void)later;
    if (columns_are_current(s, db, tb, err) < 0) {
        if (s->schema_lost) t->schema_deferred = 1;
        bd_schema_cols_free(fresh, n);
        return -1;
    }
    int r = bd_schema_apply(t, db, tb, fresh, n, "the table now", err);
    if (r == 0 && s->hist)
        r = bd_schema_history_add_table(s->hist, s->cur_file, s->feed_pos, db, tb, fresh, n, err);
    bd_schema_cols_free(fresh, n);
    return r;
}

static int w_on_event(void *ctx, const bd_event *ev)
{
    bd_source_server *s = ctx;
    if (ev->is_ddl && s->hist) {
        bd_err e = {0};
        if (bd_schema_history_add_ddl(s->hist, s->cur_file, ev->pos.pos, ev->db.p, ev->db.n,
                                      ev->query.p, ev->query.n, &e) < 0) {
            snprintf(s->cb_msg, sizeof s->cb_msg, "%s", e.msg);
            s->cb_failed = 1;
            return 1;
        }
    }
    if (ev->ends_txn) s->boundary = 1;
    s->ev_in_txn = ev->txn ? ev->txn->in_txn : 0;
    if (s->quiet) return 0;
    int r = pass(s, &ev->pos, ev->header->type, NO_ROW);
    if (r < 0) return 1;
    if (r == 0 || !s->ucb.on_event) return 0;
    return s->ucb.on_event(s->ucb.ctx, ev);
}

static int w_on_row(void *ctx, const bd_row *row)
{
    bd_source_server *s = ctx;
    if (row->ends_txn) s->boundary = 1;
    int r = pass(s, &row->pos, row->header->type, row->row_index);
    if (r < 0) return 1;
    if (r == 0 || !s->ucb.on_row) return 0;
    return s->ucb.on_row(s->ucb.ctx, row);
}

/* ---- events ------------------------------------------------------------- */

static int feed(bd_source_server *s, const uint8_t *ev, size_t len, uint64_t pos, bd_err *err)
{
    /* from its first event on, this reader records every DDL it passes:
     * the history may trust its snapshots over what it read (a reconnect
     * resumes inside what was read) */
    if (s->hist && s->cur_file[0] && bd_schema_history_session(s->hist, s->cur_file, pos, err) < 0)
        return -1;
    s->feed_pos = pos;
    s->boundary = 0;
    s->ev_in_txn = 1;
    s->cb_failed = 0;
    s->schema_lost = 0;
    if (bd_decoder_feed(s->d, ev, len, pos, err) < 0) {
        if (err->code == BD_ERR_CALLBACK && s->cb_failed)
            bd_err_set(err, BD_ERR_CORRUPT, "%s:%llu: %s", s->cur_file, (unsigned long long)pos,
                       s->cb_msg);
        return -1;
    }
    return 0;
}

static void set_resume(bd_source_server *s, const char *file, uint64_t pos)
{
    if (file != s->rs_file) snprintf(s->rs_file, sizeof s->rs_file, "%s", file);
    s->rs_pos = pos;
    s->established = 1;
    s->seq = 0;
    s->skip = 0;
}

/* Types that stand between transactions: the position after one of them,
 * outside a transaction, is a place to resume from. */
static int between_txns(unsigned t)
{
    return t == BD_EV_FORMAT_DESCRIPTION || t == BD_EV_STOP || t == BD_EV_PREVIOUS_GTIDS ||
           t == BD_EV_MARIA_GTID_LIST || t == BD_EV_MARIA_BINLOG_CHECKPOINT;
}

static int bad_name(const uint8_t *p, size_t n)
{
    if (!n || n >= NAME_MAX_LEN) return 1;
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] == '/' || p[i] == 0x7f) return 1;
    return 0;
}

/* ---- the reader thread ---------------------------------------------------
 * Receiving a backlog costs the decoding thread about an eighth of its time
 * when it does it itself: the kernel's copy out of the socket, libmariadb's
 * parsing and its copy of every rows event.  A reader thread does the
 * fetching instead and passes the raw events on through a ring of a few
 * large chunks, so receiving overlaps with decoding on the other core; the
 * decoder and every callback stay on the thread that called run().
 *
 * The reader fills chunk 'wr' with records (an 8-byte length, then the
 * event, padded to 8 bytes) and publishes each record as soon as it is
 * complete, so a lone transaction is not held back until a chunk fills;
 * the decoding thread takes every record published so far in one go, and
 * hands a chunk back once it has read it and the reader has moved on.  When
 * all chunks are in use the reader waits, the data stays on the socket and
 * the server is slowed down: memory stays bounded.  The connection belongs
 * to the reader until it has ended; the decoding thread looks at its
 * errors only after joining it. */

#define RQ_CHUNKS 4
#define RQ_CHUNK_SIZE ((size_t)1 << 20)
#define RQ_REC_HDR 8 /* the record's length; keeps events 8-byte aligned */

enum rq_end {
    RQ_RUNNING = 0,
    RQ_FETCH_ENDED, /* mariadb_rpl_fetch() returned NULL: EOF or an error, in the handles */
    RQ_MALFORMED,   /* the library returned an event whose offset is past its end */
    RQ_NOMEM,
    RQ_QUIT, /* the decoding thread asked it to stop */
};

typedef struct rq_chunk {
    uint8_t *buf; /* the reader's while the chunk is free or used == 0 */
    size_t cap;
    size_t used; /* bytes of complete records; under mu */
    int sealed;  /* the reader has moved on to the next chunk; under mu */
} rq_chunk;

typedef struct rq {
    bd_source_server *s;
    pthread_t thread;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t readable, writable;
    /* under mu */
    rq_chunk ch[RQ_CHUNKS];
    unsigned rd, wr;    /* chunk being read, chunk being filled */
    uint64_t published; /* records, against 'taken' for "is anything waiting" */
    int waiting;        /* the decoding thread sleeps on 'readable' */
    int quit;
    enum rq_end end;
    /* the decoding thread's own: what it may read of chunk rd without the
     * lock, and how many records it took */
    const uint8_t *rbuf;
    size_t rpos, ravail;
    uint64_t taken;
    unsigned nap_us;      /* how long either nap: on an empty ring, an empty socket */
    uint64_t rnap_seen;   /* the reader's: 'published' at its last nap */
    int read_timeout_ms;  /* the connection's (bd_server_connect) */
    atomic_int sock_wait; /* the reader waits for the socket (found it empty) */
    int napped;           /* it has napped since it last took a record */
    int idled;            /* on_idle has run since it last slept */
} rq;

static size_t rq_rec_size(size_t n) { return RQ_REC_HDR + ((n + 7) & ~(size_t)7); }

/* Move the reader to a free chunk big enough for a record of 'need' bytes.
 * 0, or the reason to stop. */
static enum rq_end rq_next_chunk(rq *q, rq_chunk **cp, size_t *used, size_t need)
{
    rq_chunk *c = *cp;
    if (*used) {
        /* Seal only together with moving on: a chunk sealed while 'wr'
         * still names it could be read to its end and handed back, and the
         * decoding thread would then pass the reader in the ring. */
        pthread_mutex_lock(&q->mu);
        unsigned next = (q->wr + 1) % RQ_CHUNKS;
        while (next == q->rd && !q->quit)
            pthread_cond_wait(&q->writable, &q->mu);
        int quit = q->quit;
        if (!quit) {
            c->sealed = 1;
            q->wr = next;
            if (q->waiting) pthread_cond_signal(&q->readable);
        }
        pthread_mutex_unlock(&q->mu);
        if (quit) return RQ_QUIT;
        c = *cp = &q->ch[next];
        *used = 0;
    }
    /* grow the chunk for a big event, and give the memory back after it;
     * the decoding thread does not look at buf while used is 0 */
    size_t want = need > RQ_CHUNK_SIZE ? need : RQ_CHUNK_SIZE;
    if (c->cap < need || c->cap > want) {
        uint8_t *nb = realloc(c->buf, want);
        if (!nb) return RQ_NOMEM;
        c->buf = nb;
        c->cap = want;
    }
    return RQ_RUNNING;
}

static void ring_nap(unsigned us)
{
    struct timespec ts = {0, (long)us * 1000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int socket_empty(const bd_source_server *s)
{
    struct pollfd pf = {s->fd, POLLIN, 0};
    return s->fd >= 0 && poll(&pf, 1, 0) == 0;
}

/* The ring of the reader thread that runs here, for io_wait: libmariadb's
 * wait hook is given no context of its own.  Thread-local, set only on a
 * reader thread while it reads. */
static _Thread_local rq *reader_ring;

/* poll as libmariadb would, the timeout in ms (0: none) */
static int wait_fd(my_socket fd, my_bool is_read, int timeout)
{
    struct pollfd pf = {fd, is_read ? POLLIN : POLLOUT, 0};
    struct timespec t0, t1;
    int left = timeout > 0 ? timeout : -1;
    if (timeout > 0) clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int rc = poll(&pf, 1, left);
        if (rc >= 0 || errno != EINTR) {
            if (rc == 0) errno = ETIMEDOUT;
            return rc;
        }
        if (timeout > 0) {
            clock_gettime(CLOCK_MONOTONIC, &t1);
            long long ms = (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
            if (ms >= timeout) {
                errno = ETIMEDOUT;
                return 0;
            }
            left = timeout - (int)ms;
        }
    }
}

/* libmariadb's wait for its socket (MARIADB_OPT_IO_WAIT), called only once
 * a read found the socket empty (EAGAIN) or a write found it full.  On the
 * reader thread, when records went to the ring since its last nap, the
 * source is streaming: nap instead of waiting, so that what arrives
 * meanwhile comes in one recv instead of a poll and a recv per
 * transaction, then say "readable" (if nothing came, the recv says EAGAIN
 * again and this waits for real).  Otherwise poll as libmariadb would.
 * 'sock_wait' tells the decoding thread meanwhile that nothing more is on
 * the socket: the moment for on_idle, without a syscall to look. */
static int io_wait(my_socket fd, my_bool is_read, int timeout)
{
    rq *q = reader_ring;
    if (q && is_read) {
        int rc;
        atomic_store(&q->sock_wait, 1);
        if (q->nap_us && q->published != q->rnap_seen) {
            q->rnap_seen = q->published; /* written by this thread only */
            ring_nap(q->nap_us);
            rc = 1;
        } else {
            /* the connection's own timeout: on TLS reads libmariadb passes
             * its option in seconds where the socket's are milliseconds */
            rc = wait_fd(fd, is_read, q->read_timeout_ms);
        }
        atomic_store(&q->sock_wait, 0);
        return rc;
    }
    return wait_fd(fd, is_read, timeout);
}

static void *rq_reader(void *arg)
{
    rq *q = arg;
    reader_ring = q;
    MARIADB_RPL_EVENT *ev = NULL;
    enum rq_end end = RQ_RUNNING;
    rq_chunk *c = &q->ch[0];
    size_t used = 0;
    while (end == RQ_RUNNING) {
        ev = mariadb_rpl_fetch(q->s->rpl, ev); /* frees ev when it fails */
        if (!ev) {
            end = RQ_FETCH_ENDED;
            break;
        }
        if (ev->raw_data_ofs > ev->raw_data_size) {
            end = RQ_MALFORMED;
            break;
        }
        size_t n = ev->raw_data_size - ev->raw_data_ofs, need = rq_rec_size(n);
        if (used + need > c->cap && (end = rq_next_chunk(q, &c, &used, need)) != RQ_RUNNING) break;
        uint64_t len = n;
        memcpy(c->buf + used, &len, sizeof len);
        memcpy(c->buf + used + RQ_REC_HDR, ev->raw_data + ev->raw_data_ofs, n);
        used += need;
        pthread_mutex_lock(&q->mu);
        c->used = used;
        q->published++;
        if (q->waiting) pthread_cond_signal(&q->readable);
        if (q->quit) end = RQ_QUIT;
        pthread_mutex_unlock(&q->mu);
    }
    if (ev) mariadb_free_rpl_event(ev);
    reader_ring = NULL;
    pthread_mutex_lock(&q->mu);
    q->end = end;
    pthread_cond_signal(&q->readable);
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

static int rq_start(rq *q, bd_source_server *s, bd_err *err)
{
    memset(q, 0, sizeof *q);
    q->s = s;
    q->nap_us = s->nap_us;
    q->read_timeout_ms = (int)s->o.read_timeout_s * 1000; /* always set: bd_source_server_new */
    mysql_optionsv(s->m, MARIADB_OPT_IO_WAIT, io_wait);
    /* with TLS libmariadb leaves the socket blocking, and OpenSSL's reads
     * would wait in the kernel, past io_wait: non-blocking, a read that
     * finds nothing comes to io_wait too (SSL_ERROR_WANT_READ) */
    if (q->nap_us && s->fd >= 0 && mysql_get_ssl_cipher(s->m)) {
        int fl = fcntl(s->fd, F_GETFL);
        if (fl >= 0) fcntl(s->fd, F_SETFL, fl | O_NONBLOCK);
    }
    if (pthread_mutex_init(&q->mu, NULL)) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    if (pthread_cond_init(&q->readable, NULL)) {
        pthread_mutex_destroy(&q->mu);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    if (pthread_cond_init(&q->writable, NULL)) {
        pthread_cond_destroy(&q->readable);
        pthread_mutex_destroy(&q->mu);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    /* signals stay with the caller's threads, as before there was a
     * reader thread (the stop handler interrupts a blocked read through
     * the socket); faults must still reach their handlers */
    sigset_t all, old;
    sigfillset(&all);
    int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
        sigdelset(&all, faults[i]);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int e = pthread_create(&q->thread, NULL, rq_reader, q);
    if (!e) pthread_setname_np(q->thread, "bd-reader"); /* top -H, perf, /proc/PID/task */
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e) {
        pthread_cond_destroy(&q->writable);
        pthread_cond_destroy(&q->readable);
        pthread_mutex_destroy(&q->mu);
        return bd_err_set(err, BD_ERR_NOMEM, "cannot start the reader thread: %s", strerror(e));
    }
    q->started = 1;
    return 0;
}

/* The next event: 1 with *ev and *len (valid until the next call), 0 when
 * the reader has ended and everything it read was taken, -1 when on_idle
 * asked to stop.
 *
 * On an empty ring the decoding thread first naps (nap_us) with 'waiting'
 * clear, so the reader queues what arrives meanwhile without waking it:
 * at a steady trickle of transactions it then takes them a nap's worth at
 * a time, one nanosleep for the lot instead of a wake-up (futex) for each,
 * and so does everything downstream (produce, delivery reports).  Only a
 * nap that found nothing leads to the real sleep, which the reader ends
 * at once with the next event: after a quiet spell the first transaction
 * is not delayed.  'idle' (at a transaction boundary): call on_idle once
 * before that sleep: nothing more came within the nap, or the reader found
 * the socket empty (no syscall to look). */
static int rq_next(rq *q, const uint8_t **ev, size_t *len, int idle)
{
    if (q->rpos >= q->ravail) {
        pthread_mutex_lock(&q->mu);
        for (;;) {
            rq_chunk *c = &q->ch[q->rd];
            if (q->rpos < c->used) {
                q->rbuf = c->buf;
                q->ravail = c->used;
                q->napped = q->idled = 0;
                break;
            }
            if (c->sealed) {
                /* read to its end: give it back to the reader */
                c->used = 0;
                c->sealed = 0;
                q->rd = (q->rd + 1) % RQ_CHUNKS;
                q->rpos = q->ravail = 0;
                pthread_cond_signal(&q->writable);
                continue;
            }
            if (q->end) {
                pthread_mutex_unlock(&q->mu);
                return 0;
            }
            /* idle, once until more comes: when the reader too found the
             * socket empty, or after a nap in which nothing came; without
             * naps, when a look at the socket finds it empty */
            if (idle && !q->idled &&
                (q->napped || atomic_load(&q->sock_wait) || (!q->nap_us && socket_empty(q->s)))) {
                q->idled = 1;
                pthread_mutex_unlock(&q->mu);
                if (q->s->o.on_idle(q->s->o.ctx)) return -1;
                pthread_mutex_lock(&q->mu);
                continue;
            }
            if (q->nap_us && !q->napped) {
                q->napped = 1;
                pthread_mutex_unlock(&q->mu);
                ring_nap(q->nap_us);
                pthread_mutex_lock(&q->mu);
                continue;
            }
            q->waiting = 1;
            pthread_cond_wait(&q->readable, &q->mu);
            q->waiting = 0;
            q->idled = 0;
        }
        pthread_mutex_unlock(&q->mu);
    }
    uint64_t n;
    memcpy(&n, q->rbuf + q->rpos, sizeof n);
    *ev = q->rbuf + q->rpos + RQ_REC_HDR;
    *len = (size_t)n;
    q->rpos += rq_rec_size((size_t)n);
    q->taken++;
    return 1;
}

/* Wait for the reader to end (after rq_next() returned 0 it has) and say why. */
static enum rq_end rq_join(rq *q)
{
    if (q->started) pthread_join(q->thread, NULL);
    q->started = 0;
    return q->end;
}

/* Stop the reader if it still runs, join it and free the queue. */
static void rq_finish(rq *q)
{
    if (q->started) {
        pthread_mutex_lock(&q->mu);
        int running = q->end == RQ_RUNNING;
        q->quit = 1;
        pthread_cond_signal(&q->writable);
        pthread_mutex_unlock(&q->mu);
        /* a reader waiting for the server wakes up when the socket is shut
         * down; the connection is closed after this anyway */
        int fd = q->s->fd;
        if (running && fd >= 0) shutdown(fd, SHUT_RDWR);
        rq_join(q);
    }
    for (unsigned i = 0; i < RQ_CHUNKS; i++)
        free(q->ch[i].buf);
    pthread_cond_destroy(&q->writable);
    pthread_cond_destroy(&q->readable);
    pthread_mutex_destroy(&q->mu);
}

static int handle_event(bd_source_server *s, const uint8_t *ev, size_t len, bd_err *err)
{
    if (len < BD_EVENT_HEADER_LEN)
        return bd_err_set(err, BD_ERR_CORRUPT,
                          "%s:%llu: the server sent a %zu-byte packet, shorter than an event "
                          "header",
                          s->cur_file, (unsigned long long)s->cur_end, len);
    unsigned type = ev[4];
    uint32_t size = (uint32_t)bd_le(ev + 9, 4);
    uint32_t log_pos = (uint32_t)bd_le(ev + 13, 4);
    uint16_t flags = (uint16_t)bd_le(ev + 17, 2);
    const char *tn = bd_event_type_name(type);
    if (size != len)
        return bd_err_set(err, BD_ERR_CORRUPT,
                          "%s:%llu (%s): event says %u bytes, the packet holds %zu", s->cur_file,
                          (unsigned long long)s->cur_end, tn ? tn : "UNKNOWN", size, len);
    s->events++;
    s->bytes += len;
    s->since_connect++;

    if (type == BD_EV_HEARTBEAT || type == BD_EV_HEARTBEAT_V2) {
        s->heartbeats++;
        if (type == BD_EV_HEARTBEAT) {
            size_t nl = len - BD_EVENT_HEADER_LEN;
            if (s->crc && nl >= 4) nl -= 4;
            if (!bad_name(ev + BD_EVENT_HEADER_LEN, nl) && log_pos >= 4) {
                copy_name(s->cur_file, (const char *)ev + BD_EVENT_HEADER_LEN, nl);
                s->cur_end = log_pos;
            }
        }
        if (s->o.on_idle && s->o.on_idle(s->o.ctx))
            return bd_err_set(err, BD_ERR_CALLBACK, "stopped by the output");
        return 0;
    }

    if (type == BD_EV_ROTATE) {
        int artificial = (flags & ARTIFICIAL_F) || log_pos == 0;
        /* the artificial one follows the negotiated checksum, a real one
         * its file's */
        int crc = artificial ? s->crc : bd_decoder_format(s->d)->checksum == BD_CHECKSUM_CRC32;
        size_t body = len - BD_EVENT_HEADER_LEN;
        if (body < 8 + (crc ? 4u : 0u))
            return bd_err_set(err, BD_ERR_CORRUPT, "%s:%llu (ROTATE): %zu-byte body too short",
                              s->cur_file, (unsigned long long)s->cur_end, body);
        uint64_t npos = bd_le(ev + BD_EVENT_HEADER_LEN, 8);
        const uint8_t *name = ev + BD_EVENT_HEADER_LEN + 8;
        size_t nl = body - 8 - (crc ? 4 : 0);
        if (bad_name(name, nl))
            return bd_err_set(err, BD_ERR_CORRUPT,
                              "%s:%llu (ROTATE): the next file name is not a binlog name "
                              "(%zu bytes)",
                              s->cur_file, (unsigned long long)s->cur_end, nl);
        char next[NAME_MAX_LEN];
        copy_name(next, (const char *)name, nl);
        if (!artificial) {
            if (log_pos < size)
                return bd_err_set(err, BD_ERR_CORRUPT, "%s: ROTATE ends at %u but is %u bytes",
                                  s->cur_file, log_pos, size);
            if (feed(s, ev, len, log_pos - size, err) < 0) return -1;
        }
        if (bd_decoder_begin_file(s->d, next, err) < 0) return -1;
        int at_boundary = !artificial && s->established && !s->ev_in_txn;
        snprintf(s->cur_file, sizeof s->cur_file, "%s", next);
        s->cur_end = npos;
        if (at_boundary) set_resume(s, next, npos);
        return 0;
    }

    if (type == BD_EV_FORMAT_DESCRIPTION &&
        (log_pos == 0 || (flags & ARTIFICIAL_F) ||
         (s->open_file[0] && !strcmp(s->cur_file, s->open_file) && log_pos <= s->open_pos &&
          s->open_pos > 4))) {
        /* re-sent because the dump started inside the file: decode it for
         * the format, do not pass it on */
        s->quiet = 1;
        int r = feed(s, ev, len, 4, err);
        s->quiet = 0;
        return r;
    }
    if (flags & ARTIFICIAL_F) return 0; /* MariaDB's fake GTID_LIST and the like */
    if (log_pos == 0)
        return bd_err_set(err, BD_ERR_UNSUPPORTED,
                          "%s:%llu: the server sent a %s event without a position; refusing to "
                          "guess where it belongs",
                          s->cur_file, (unsigned long long)s->cur_end, tn ? tn : "UNKNOWN");
    if (log_pos < size)
        return bd_err_set(err, BD_ERR_CORRUPT, "%s:%llu (%s): event ends at %u but is %u bytes",
                          s->cur_file, (unsigned long long)s->cur_end, tn ? tn : "UNKNOWN", log_pos,
                          size);
    uint64_t pos = log_pos - size;
    if (feed(s, ev, len, pos, err) < 0) return -1;
    s->cur_end = log_pos;
    if (s->boundary) {
        if (s->skip > s->seq) {
            char a[NAME_MAX_LEN + 64];
            key_text(&s->expect, a, sizeof a);
            return bd_err_set(err, BD_ERR_CORRUPT,
                              "%s:%llu (%s): after reconnecting, the server sent a different "
                              "transaction: it ended here, before the last change passed on "
                              "earlier (%s)",
                              s->cur_file, (unsigned long long)pos, tn ? tn : "UNKNOWN", a);
        }
        set_resume(s, s->cur_file, log_pos);
    } else if (s->established && !s->ev_in_txn && between_txns(type)) {
        set_resume(s, s->cur_file, log_pos);
    }
    return 0;
}

/* Read events until EOF (0), a lost connection (1), a stop (2) or a fatal
 * error (-1). */
static int stream(bd_source_server *s, bd_err *err)
{
    rq q;
    if (rq_start(&q, s, err) < 0) return -1;
    int rc;
    for (;;) {
        if (s->stop) {
            rc = 2;
            break;
        }
        const uint8_t *ev;
        size_t len;
        /* idle: between transactions (after the last one, or after the
         * events that follow it, such as a new file's FORMAT_DESCRIPTION),
         * with nothing more received (rq_next) */
        int idle = (s->boundary || !s->ev_in_txn) && s->o.follow && s->o.on_idle;
        int got = rq_next(&q, &ev, &len, idle);
        if (got < 0) {
            rc = bd_err_set(err, BD_ERR_CALLBACK, "stopped by the output");
            break;
        }
        if (!got) {
            /* the reader has ended: the connection is this thread's again */
            enum rq_end end = rq_join(&q);
            if (s->stop) {
                rc = 2;
                break;
            }
            if (end == RQ_MALFORMED) {
                rc = bd_err_set(err, BD_ERR_CORRUPT, "library returned a malformed event");
                break;
            }
            if (end == RQ_NOMEM) {
                rc = bd_err_set(err, BD_ERR_NOMEM, "out of memory (receiving events)");
                break;
            }
            if (!mysql_errno(s->m) && !mariadb_rpl_errno(s->rpl)) {
                if (!s->o.follow) {
                    rc = 0;
                    break;
                }
                char w[300];
                bd_err_set(err, BD_ERR_IO, "%s ended the binlog dump at %s:%llu",
                           where(s, w, sizeof w), s->cur_file, (unsigned long long)s->cur_end);
                rc = 1;
                break;
            }
            rc = stream_error(s, err);
            break;
        }
        if (handle_event(s, ev, len, err) < 0) {
            /* a schema query that lost its connection is a lost connection:
             * the event is read again after the reconnect */
            rc = s->schema_lost ? 1 : -1;
            break;
        }
        if (s->drop_every && s->new_fwd >= s->drop_at) {
            /* test fault: as if the connection broke after this event */
            bd_err_set(err, BD_ERR_IO, "connection dropped at %s:%llu (BINLOGD_FAULT_DROP_EVERY)",
                       s->cur_file, (unsigned long long)s->cur_end);
            rc = 1;
            break;
        }
    }
    rq_finish(&q);
    return rc;
}

/* ---- the loop ----------------------------------------------------------- */

void bd_source_server_seen_to(bd_source_server *s)
{
    if (!s->hist || !s->rs_file[0]) return;
    /* what was read whole (up to the last transaction ended), for the next
     * reader; a crash leaves it unsaid, which only costs lookups.  Once per
     * position. */
    if (!strcmp(s->seen_file, s->rs_file) && s->seen_pos == s->rs_pos) return;
    snprintf(s->seen_file, sizeof s->seen_file, "%s", s->rs_file);
    s->seen_pos = s->rs_pos;
    bd_err e = {0};
    bd_schema_history_seen_to(s->hist, s->rs_file, s->rs_pos, &e);
}

enum bd_server_result bd_source_server_run(bd_source_server *s, bd_err *err)
{
    char w[300];
    if (!s->d) {
        bd_callbacks cb = {s, w_on_event, w_on_row, w_on_table};
        s->d = bd_decoder_new(&cb);
        if (!s->d) {
            bd_err_set(err, BD_ERR_NOMEM, "out of memory");
            return BD_SERVER_ERROR;
        }
        bd_decoder_set_detail(s->d, s->o.detail);
        bd_decoder_set_verify(s->d, s->o.verify);
    }
    int first = 1;
    unsigned attempt = 0;
    for (;;) {
        /* connect and open */
        int r = setup(s, first, err);
        if (r == 0) r = open_dump(s, err);
        if (r != 0) {
            disconnect(s);
            if (s->stop) return BD_SERVER_STOPPED;
            /* the first connection fails fast (a wrong host or password
             * is better reported than retried), unless the caller is a
             * daemon that must ride out a source down at its start */
            if (r < 0 || (first && !s->o.retry_first) || !s->o.follow) return BD_SERVER_ERROR;
        } else {
            if (!first) {
                s->reconnects++;
                slog(s, BD_SERVER_INFO, "reconnected to %s (%s), resuming at %s",
                     where(s, w, sizeof w), s->version, s->open_desc);
            }
            first = 0;
            s->new_fwd = 0;
            if (s->o.on_connected) s->o.on_connected(s->o.ctx);
            if (s->drop_every) s->drop_at = s->drop_every + rnd_next(s) % s->drop_every;
            r = stream(s, err);
            disconnect(s);
            /* the control connection shares the stream's fate (a restarted
             * server killed both): a fresh one after the reconnect */
            if (s->ctl) mysql_close(s->ctl);
            s->ctl = NULL;
            /* (the DDLs read ahead are kept: a long look ahead that made the
             * server give up on the stream must not start over each time;
             * ahead_scan drops them if the server is another one) */
            if (r == 0) return BD_SERVER_END;
            if (r == 2) return BD_SERVER_STOPPED;
            if (r < 0) return BD_SERVER_ERROR;
            if (!s->o.follow) {
                bd_err_prefix(err, "connection lost (without --follow it is not retried): ");
                return BD_SERVER_ERROR;
            }
            if (s->since_connect > 0) attempt = 0;
            /* what to skip when the unfinished transaction comes again */
            if (s->skip <= s->seq) {
                s->skip = s->seq;
                s->expect = s->last;
            }
            s->seq = 0;
        }
        if (s->o.on_disconnected) s->o.on_disconnected(s->o.ctx);
        /* back off: first * 2^attempt, capped, with jitter in [d/2, d] */
        unsigned long long d = s->o.backoff_first_ms;
        for (unsigned i = 0; i < attempt && d < s->o.backoff_max_ms; i++)
            d *= 2;
        if (d > s->o.backoff_max_ms) d = s->o.backoff_max_ms;
        unsigned ms = (unsigned)(d / 2 + rnd_next(s) % (d / 2 + 1));
        attempt++;
        char at[NAME_MAX_LEN + 64];
        if (s->established)
            snprintf(at, sizeof at, "%s:%llu", s->rs_file, (unsigned long long)s->rs_pos);
        else if (s->open_desc[0])
            snprintf(at, sizeof at, "%s", s->open_desc);
        else
            snprintf(at, sizeof at, "%s", "the start position (not connected yet)");
        slog(s, BD_SERVER_WARN, "%s; retrying in %u.%03u s (attempt %u), to resume at %s", err->msg,
             ms / 1000, ms % 1000, attempt, at);
        if (nap(s, ms)) return BD_SERVER_STOPPED;
    }
}
