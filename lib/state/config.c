/* config.c - see include/binlogd/config.h. */
#include "binlogd/config.h"
#include "binlogd/gtid_set.h"
#include "binlogd/kafka.h"
#include "binlogd/parse.h"
#include "binlogd/position.h"
#include "binlogd/tz.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fnmatch.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

enum opt_type {
    T_STR,   /* char * */
    T_UINT,  /* unsigned (or uint32_t / uint64_t by size) */
    T_BOOL,  /* int */
    T_SECS,  /* double, seconds with a fraction */
    T_MS,    /* unsigned, from "500ms", "2s", "1m" */
    T_WSECS, /* unsigned whole seconds, from "15s", "2m", "30" */
    T_SIZE,  /* uint64_t, from "64M", "1G", bytes */
    T_ENUM,  /* int, one of choices */
};

typedef struct opt {
    const char *section, *name;
    enum opt_type type;
    size_t off, size;
    const char *def; /* as it would be written in the file; NULL: none */
    double min, max;
    const char *choices; /* T_ENUM: "fail|skip"; index = value */
    const int *values;   /* T_ENUM: values of the choices (NULL: 0, 1, ...) */
    int reloadable;
    int required;
    const char *help;
} opt;

#define F(field) offsetof(bd_config, field), sizeof(((bd_config *)0)->field)

static const int log_values[] = {BD_LOG_ERROR, BD_LOG_WARNING, BD_LOG_INFO, BD_LOG_DEBUG};

/* THE table.  Order: as documented. */
static const opt opts[] = {
    {"source", "name", T_STR, F(source_name), NULL, 0, 0, NULL, NULL, 0, 0,
     "name of this source in topic names ({source}) and transactional ids (no '#'); default: "
     "the host"},
    {"source", "host", T_STR, F(host), NULL, 0, 0, NULL, NULL, 0, 1,
     "MySQL or MariaDB server to read the binlog of, as a replica"},
    {"source", "port", T_UINT, F(port), "3306", 1, 65535, NULL, NULL, 0, 0, "TCP port"},
    {"source", "user", T_STR, F(user), "binlogd", 0, 0, NULL, NULL, 0, 0,
     "account with REPLICATION SLAVE, BINLOG MONITOR (MySQL: REPLICATION CLIENT) and SELECT"},
    {"source", "password_file", T_STR, F(password_file), NULL, 0, 0, NULL, NULL, 0, 0,
     "file whose first line is the password (else password_env)"},
    {"source", "password_env", T_STR, F(password_env), "BINLOGD_PASSWORD", 0, 0, NULL, NULL, 0, 0,
     "environment variable holding the password when there is no password_file"},
    {"source", "server_id", T_UINT, F(server_id), NULL, 1, 4294967295.0, NULL, NULL, 0, 1,
     "replica id to register with; unique among the server's replicas and readers (dump --host "
     "uses 424240, replay this + 1)"},
    {"source", "ssl_mode", T_STR, F(ssl_mode), "PREFERRED", 0, 0, NULL, NULL, 0, 0,
     "DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY"},
    {"source", "ssl_ca", T_STR, F(ssl_ca), NULL, 0, 0, NULL, NULL, 0, 0,
     "CA certificate file (VERIFY_CA, VERIFY_IDENTITY)"},
    {"source", "ssl_capath", T_STR, F(ssl_capath), NULL, 0, 0, NULL, NULL, 0, 0,
     "directory of CA certificates"},
    {"source", "ssl_cert", T_STR, F(ssl_cert), NULL, 0, 0, NULL, NULL, 0, 0,
     "client certificate file"},
    {"source", "ssl_key", T_STR, F(ssl_key), NULL, 0, 0, NULL, NULL, 0, 0, "client key file"},
    {"source", "heartbeat", T_SECS, F(heartbeat_s), "5", 0.001, 4294967.0, NULL, NULL, 0, 0,
     "seconds of silence after which the server sends a heartbeat"},
    {"source", "batch_wait", T_MS, F(batch_wait_ms), "1ms", 0, 50, NULL, NULL, 0, 0,
     "while changes trickle in, how long the reader and the decoding thread wait to take "
     "together what arrives meanwhile (one read and one wake-up for a batch instead of one "
     "per transaction: less CPU at a steady rate); adds up to twice this to the latency, "
     "nothing to a catch-up; 0: wake for each transaction"},
    {"source", "read_timeout", T_WSECS, F(read_timeout_s), "0", 0, 86400, NULL, NULL, 0, 0,
     "whole seconds after which a silent connection is dead; 0: 3 x heartbeat"},
    {"source", "connect_timeout", T_WSECS, F(connect_timeout_s), "10s", 1, 3600, NULL, NULL, 0, 0,
     "whole seconds a connection attempt may take"},
    {"source", "start", T_STR, F(start), NULL, 0, 0, NULL, NULL, 0, 0,
     "where to start when there is no position (no checkpoint, nothing in the state topic): "
     "oldest (the oldest binlog on the server), head, FILE[:POS] (POS an event's start, 4 or "
     "more; default 4), or gtid:SET; no default: without a position the daemon starts only "
     "where it is told (this, or run --start)"},
    {"source", "allow_server_change", T_BOOL, F(allow_server_change), "false", 0, 0, NULL, NULL, 0,
     0,
     "resume from a checkpoint of another server (after a failover; GTID checkpoints only). "
     "Set it for one start, then remove it"},
    {"source", "on_statement", T_ENUM, F(on_statement), "fail", 0, 0, "fail|skip", NULL, 1, 0,
     "a row change the server logged as a statement (binlog_format=STATEMENT or MIXED in a "
     "session, LOAD DATA) on a published table: fail (stop before it, exit 65) or skip "
     "(publish nothing for it; count, log and alert each one)"},
    {"source", "ddl_ahead", T_ENUM, F(ddl_ahead), "fail", 0, 0, "fail|trust", NULL, 0, 0,
     "without binlog_row_metadata=FULL and a schema history covering the rows, a table's "
     "columns come from information_schema, and a DDL further on in the binlog may have "
     "changed them since: fail (stop before the rows, exit 65) or trust (take today's "
     "columns with a warning: names, ENUM members and keys may be today's)"},

    {"kafka", "topic", T_STR, F(topic), "{source}.{db}.{table}", 0, 0, NULL, NULL, 0, 0,
     "topic of each table: {source}, {db} and {table} are replaced (characters Kafka does not "
     "allow become _)"},
    {"kafka", "oversize", T_ENUM, F(oversize), "fail", 0, 0, "fail|skip", NULL, 1, 0,
     "a row change bigger than Kafka accepts: fail (stop, nothing lost) or skip (publish "
     "nothing for it, raise an alert and count it)"},
    {"kafka", "tombstones", T_BOOL, F(tombstones), "false", 0, 0, NULL, NULL, 0, 0,
     "after each delete, a message with the same key and a null value, so that a compacted "
     "topic forgets the row"},
    {"kafka", "exactly_once", T_BOOL, F(exactly_once), "false", 0, 0, NULL, NULL, 0, 0,
     "publish each database transaction in a Kafka transaction together with its checkpoint "
     "record (read_committed consumers see it exactly once; the position lives in "
     "state_topic, so any host resumes); false: at least once"},
    {"kafka", "state_topic", T_STR, F(state_topic), "binlogd.state", 0, 0, NULL, NULL, 0, 0,
     "compacted topic of the position (created with one partition and cleanup.policy=compact "
     "when missing); with exactly_once the position is read from it at start"},
    {"kafka", "transaction_max", T_MS, F(txn_max_ms), "1s", 1, 600000, NULL, NULL, 0, 0,
     "exactly_once: a Kafka transaction commits when the source has nothing more to read, or at "
     "the first transaction boundary after this long"},
    {"kafka", "standby", T_BOOL, F(standby), "false", 0, 0, NULL, NULL, 0, 0,
     "several instances of one source (the same [source] name, on other hosts): each joins the "
     "consumer group binlogd.{source} on state_topic; the one holding its partition publishes, "
     "the others wait and take over when it dies (needs exactly_once: its transactional id "
     "fences the old one)"},
    {"kafka", "standby_timeout", T_MS, F(standby_timeout_ms), "10s", 6000, 300000, NULL, NULL, 0, 0,
     "standby: how long after the active instance's last heartbeat the group gives its "
     "partition to a standby (Kafka's session.timeout.ms; the broker allows 6s..30m by "
     "default)"},
    {"kafka", "allow_unsafe", T_BOOL, F(allow_unsafe), "false", 0, 0, NULL, NULL, 0, 0,
     "accept librdkafka settings that can lose messages (acks other than all, "
     "enable.idempotence=false)"},

    {"filter", "include", T_STR, F(include), "", 0, 0, NULL, NULL, 1, 0,
     "tables to publish: comma-separated db.table patterns with * and ?; empty: all"},
    {"filter", "exclude", T_STR, F(exclude), "", 0, 0, NULL, NULL, 1, 0,
     "tables not to publish, even when included"},

    {"state", "dir", T_STR, F(state_dir), "/var/lib/binlogd", 0, 0, NULL, NULL, 0, 0,
     "directory of the checkpoint and the schema history"},
    {"state", "checkpoint_interval", T_MS, F(checkpoint_interval_ms), "1s", 10, 3600000, NULL, NULL,
     1, 0, "how often the checkpoint is written when it moved (and always at shutdown)"},

    {"daemon", "log_level", T_ENUM, F(log_level), "info", 0, 0, "error|warning|info|debug",
     log_values, 1, 0, "messages at this level and above go to stderr (the journal)"},
    {"daemon", "max_in_flight", T_UINT, F(max_in_flight), "20000", 1, 10000000, NULL, NULL, 0, 0,
     "row changes sent to Kafka and not yet acknowledged before reading pauses"},
    {"daemon", "max_in_flight_bytes", T_SIZE, F(max_in_flight_bytes), "16M", 65536, 17179869184.0,
     NULL, NULL, 0, 0,
     "bytes of messages sent and not yet acknowledged before reading pauses (K, M, G)"},

    {"lag", "head_poll", T_MS, F(head_poll_ms), "1s", 100, 600000, NULL, NULL, 0, 0,
     "how often the control connection asks the source for its head position (lag is 0 only "
     "when a poll this recent confirms the head)"},
    {"lag", "alert_lag", T_SECS, F(alert_lag_s), "5m", 0, 31536000, NULL, NULL, 1, 0,
     "raise the lag alert when the alert_stage lag exceeds this; 0: never"},
    {"lag", "alert_stage", T_ENUM, F(alert_stage), "durable", 0, 0, "read|acked|durable", NULL, 1,
     0, "the stage whose lag the lag alert watches"},
    {"lag", "retention_alert", T_SECS, F(retention_alert_s), "1h", 0, 31536000, NULL, NULL, 1, 0,
     "raise an alert when the binlog the checkpoint needs may be purged within this; 0: never"},
    {"lag", "kafka_stall_alert", T_SECS, F(kafka_stall_alert_s), "1m", 0, 86400, NULL, NULL, 1, 0,
     "raise an alert when messages wait and Kafka acknowledged none for this long; 0: never"},
    {"lag", "disconnect_alert", T_SECS, F(disconnect_alert_s), "30s", 0, 86400, NULL, NULL, 1, 0,
     "raise an alert when the source stays disconnected this long; 0: never"},
    {"lag", "heartbeat_table", T_STR, F(heartbeat_table), "", 0, 0, NULL, NULL, 0, 0,
     "db.table the end-to-end probe writes the source's NOW(6) to (created if missing; needs "
     "CREATE, INSERT); empty: no probe"},
    {"lag", "heartbeat_interval", T_MS, F(heartbeat_interval_ms), "1s", 10, 3600000, NULL, NULL, 0,
     0, "how often the probe writes its row"},
    {"lag", "consumer_poll", T_MS, F(consumer_poll_ms), "1s", 100, 600000, NULL, NULL, 0, 0,
     "how often the gates' consumer groups' committed offsets are read from Kafka"},

    {"http", "listen", T_STR, F(http_listen), "127.0.0.1:9175", 0, 0, NULL, NULL, 0, 0,
     "IPV4:PORT or [IPV6]:PORT (numeric: names are not resolved) of /metrics, /status, "
     "/gates/NAME and /lag (loopback unless told); empty: off"},
    {"http", "tls_cert", T_STR, F(http_tls_cert), NULL, 0, 0, NULL, NULL, 0, 0,
     "PEM certificate (chain) file: the endpoint speaks HTTPS only (with tls_key; cred:NAME "
     "allowed)"},
    {"http", "tls_key", T_STR, F(http_tls_key), NULL, 0, 0, NULL, NULL, 0, 0,
     "PEM private key file of tls_cert (cred:NAME allowed)"},
    {"http", "auth_user", T_STR, F(http_auth_user), NULL, 0, 0, NULL, NULL, 0, 0,
     "basic authentication: the user every request must give (with auth_password_hash)"},
    {"http", "auth_password_hash", T_STR, F(http_auth_hash), NULL, 0, 0, NULL, NULL, 0, 0,
     "its password as a crypt(3) hash, bcrypt as Prometheus' web config takes it "
     "(htpasswd -nBC 10 USER | cut -d: -f2)"},

    {"snapshot", "signal_table", T_STR, F(snap_signal_table), "binlogd.snapshot_signal", 0, 0, NULL,
     NULL, 0, 0,
     "db.table the daemon writes a snapshot's watermarks to, a row inserted and deleted "
     "around each chunk (created if missing; needs INSERT, DELETE, and CREATE to create it; "
     "the database must exist)"},
    {"snapshot", "tables", T_STR, F(snap_tables), "", 0, 0, NULL, NULL, 0, 0,
     "db.table patterns (comma-separated, * and ?) to snapshot at start, once: a restart does "
     "not load them again unless this value changes; empty: none (request with binlogd "
     "snapshot)"},
    {"snapshot", "where", T_STR, F(snap_where), "", 0, 0, NULL, NULL, 0, 0,
     "an SQL condition the rows of tables must meet (added to each chunk's SELECT); empty: "
     "every row"},
    {"snapshot", "max_lag", T_SECS, F(snap_max_lag_s), "5s", 0.1, 86400, NULL, NULL, 1, 0,
     "chunks pause while the stream's acknowledged lag is above this, and resume when it "
     "recovers: a snapshot never holds the stream back"},
    {"snapshot", "chunk_time", T_SECS, F(snap_chunk_time_s), "0.5s", 0.01, 60, NULL, NULL, 1, 0,
     "the time a chunk's SELECT aims at: the chunk size halves above it and doubles below half "
     "of it"},
    {"snapshot", "chunk_min", T_UINT, F(snap_chunk_min), "256", 1, 1000000, NULL, NULL, 1, 0,
     "the fewest rows a chunk reads (also its first size)"},
    {"snapshot", "chunk_max", T_UINT, F(snap_chunk_max), "50000", 1, 1000000, NULL, NULL, 1, 0,
     "the most rows a chunk reads (held in memory until its window closes)"},
    {"snapshot", "window_timeout", T_SECS, F(snap_window_timeout_s), "5m", 1, 86400, NULL, NULL, 1,
     0, "a chunk whose high watermark the stream has not reached by then is read again"},

    {"alert", "webhook", T_STR, F(webhook), "", 0, 0, NULL, NULL, 0, 0,
     "URL alerts are POSTed to in Alertmanager's API format (http://HOST:9093/api/v2/alerts); "
     "empty: alerts are only logged and exported"},
    {"alert", "webhook_timeout", T_MS, F(webhook_timeout_ms), "5s", 100, 600000, NULL, NULL, 0, 0,
     "time allowed for one POST"},
    {"alert", "webhook_retries", T_UINT, F(webhook_retries), "5", 0, 100, NULL, NULL, 0, 0,
     "retries of a failed POST (0.5 s, doubling)"},
    {"alert", "repeat", T_SECS, F(alert_repeat_s), "1m", 1, 86400, NULL, NULL, 0, 0,
     "firing alerts are sent again this often (Alertmanager forgets silent ones)"},
};

#define G(field) offsetof(bd_gate_config, field), sizeof(((bd_gate_config *)0)->field)
static const int gate_stage_values[] = {BD_STAGE_OPT_ACKED, BD_STAGE_OPT_DURABLE};

/* The options of each [gate NAME] section. */
static const opt gate_opts[] = {
    {"gate NAME", "tables", T_STR, G(tables), NULL, 0, 0, NULL, NULL, 0, 1,
     "the tables the job reads, comma-separated db.table"},
    {"gate NAME", "cutoff", T_STR, G(cutoff), NULL, 0, 0, NULL, NULL, 0, 1,
     "HH:MM[:SS] every day: the job needs every change committed before it"},
    {"gate NAME", "timezone", T_STR, G(timezone), "UTC", 0, 0, NULL, NULL, 0, 0,
     "time zone of cutoff and job_start: an IANA name (Asia/Shanghai), UTC or +HH:MM"},
    {"gate NAME", "consumer_group", T_STR, G(consumer_group), NULL, 0, 0, NULL, NULL, 0, 0,
     "Kafka consumer group that must have consumed the changes (the job's copy); empty: the "
     "stage below is enough"},
    {"gate NAME", "stage", T_ENUM, G(stage), "durable", 0, 0, "acked|durable", gate_stage_values, 0,
     0, "without consumer_group: the stage the changes must have passed"},
    {"gate NAME", "job_start", T_STR, G(job_start), NULL, 0, 0, NULL, NULL, 0, 0,
     "HH:MM[:SS] the job starts (the first such time at or after the cut-off); default: the "
     "cut-off"},
    {"gate NAME", "margin", T_SECS, G(margin_s), "30m", 0, 86400, NULL, NULL, 0, 0,
     "the gate is at risk from this long before job_start while a table is behind the cut-off"},
    {"gate NAME", "max_skew", T_SECS, G(max_skew_s), "0", 0, 86400, NULL, NULL, 0, 0,
     "the gate is skewed when its tables' watermarks differ by more than this; 0: not checked"},
};
#define NGATE_OPTS (sizeof gate_opts / sizeof gate_opts[0])
#define NOPTS (sizeof opts / sizeof opts[0])

/* ---- values ------------------------------------------------------------- */

static void put_uint(void *base, const opt *o, unsigned long long v)
{
    char *p = (char *)base + o->off;
    if (o->size == sizeof(uint64_t)) {
        uint64_t x = v;
        memcpy(p, &x, sizeof x);
    } else {
        unsigned x = (unsigned)v; /* unsigned and uint32_t share the size here */
        memcpy(p, &x, sizeof x);
    }
}

/* Set one option from its text; NULL or a static message. */
static const char *set_value(void *c, const opt *o, const char *v, char *msg, size_t n)
{
    char *p = (char *)c + o->off;
    switch (o->type) {
    case T_STR: {
        char *s = strdup(v);
        if (!s) return "out of memory";
        char **slot = (char **)(void *)p;
        free(*slot);
        *slot = s;
        return NULL;
    }
    case T_UINT: {
        unsigned long long x;
        if (bd_parse_uint(v, (unsigned long long)o->max, &x) < 0 || (double)x < o->min) {
            snprintf(msg, n, "wants a whole number in %.0f..%.0f, not '%s'", o->min, o->max, v);
            return msg;
        }
        put_uint(c, o, x);
        return NULL;
    }
    case T_BOOL: {
        int b;
        if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") ||
            !strcmp(v, "1"))
            b = 1;
        else if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off") ||
                 !strcmp(v, "0"))
            b = 0;
        else {
            snprintf(msg, n, "wants true or false, not '%s'", v);
            return msg;
        }
        memcpy(p, &b, sizeof b);
        return NULL;
    }
    case T_SECS:
    case T_MS: {
        double d;
        if (bd_parse_secs(v, &d) < 0 || d < (o->type == T_MS ? o->min / 1000 : o->min) ||
            d > (o->type == T_MS ? o->max / 1000 : o->max)) {
            if (o->type == T_MS)
                snprintf(msg, n, "wants a duration in %gs..%gs (e.g. 500ms, 2s, 1m), not '%s'",
                         o->min / 1000, o->max / 1000, v);
            else
                snprintf(msg, n, "wants seconds in %g..%g (e.g. 0.5, 2s, 1m), not '%s'", o->min,
                         o->max, v);
            return msg;
        }
        if (o->type == T_SECS)
            memcpy(p, &d, sizeof d);
        else
            put_uint(c, o, (unsigned long long)llround(d * 1000));
        return NULL;
    }
    case T_WSECS: {
        double d;
        if (bd_parse_secs(v, &d) < 0 || d != floor(d) || d < o->min || d > o->max) {
            snprintf(msg, n, "wants whole seconds in %gs..%gs (e.g. 15s, 2m, 30), not '%s'", o->min,
                     o->max, v);
            return msg;
        }
        put_uint(c, o, (unsigned long long)d);
        return NULL;
    }
    case T_SIZE: {
        uint64_t d;
        if (bd_parse_size(v, &d) < 0 || (double)d < o->min || (double)d > o->max) {
            snprintf(msg, n, "wants a size in %.0f..%.0f bytes (K, M, G allowed), not '%s'", o->min,
                     o->max, v);
            return msg;
        }
        put_uint(c, o, (unsigned long long)d);
        return NULL;
    }
    case T_ENUM: {
        const char *ch = o->choices;
        for (int i = 0; *ch; i++) {
            size_t l = strcspn(ch, "|");
            if (strlen(v) == l && !strncasecmp(v, ch, l)) {
                int x = o->values ? o->values[i] : i;
                memcpy(p, &x, sizeof x);
                return NULL;
            }
            ch += l + (ch[l] == '|');
        }
        snprintf(msg, n, "wants one of %s, not '%s'", o->choices, v);
        return msg;
    }
    }
    return "unknown option type";
}

static const opt *find_opt(const char *section, const char *name)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (!strcmp(opts[i].section, section) && !strcmp(opts[i].name, name)) return &opts[i];
    return NULL;
}

/* ---- reading the file --------------------------------------------------- */

typedef struct reader {
    FILE *f;
    unsigned line;
    int too_long;
    bd_config *c;
    bd_err *err;
    int failed;
    unsigned char seen[sizeof opts / sizeof opts[0]];
    unsigned *gate_seen; /* per gate, a bit per gate option */
    int gate_only;       /* bd_config_load_gates: secrets left unread */
    int hash_keys;       /* bd_config_load_columns: but the [hash_key ID] secrets read */
    unsigned *hk_seen;   /* per [hash_key ID], a bit per option: 1 secret, 2 encoding */
} reader;

static int fail_at(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* fgets that counts lines, so the handler knows where it is, and refuses a
 * NUL byte (fgets would keep it, and the value would end there unseen). */
static char *read_line(char *str, int num, void *stream)
{
    reader *r = stream;
    int n = 0, ch = 0, nul = 0;
    while (n < num - 1 && (ch = getc(r->f)) != EOF) {
        nul |= ch == '\0';
        str[n++] = (char)ch;
        if (ch == '\n') break;
    }
    if (n == 0) return NULL;
    str[n] = '\0';
    char *s = str;
    r->line++;
    if (nul) {
        fail_at(r, "a NUL byte: a config file is text");
        return NULL;
    }
    /* A section line is "[name]" and nothing after it but a comment: inih
     * would drop "host = h" of "[source] host = h" without a word, and take
     * "[source" for no section at all (the error then lands on a later
     * line, about something else). */
    const char *b = s + strspn(s, " \t");
    if (*b == '[') {
        const char *e = strchr(b, ']');
        const char *rest = e ? e + 1 + strspn(e + 1, " \t\r\n") : NULL;
        if (!e) {
            fail_at(r, "'[' without ']': a section line is [name]");
            return NULL;
        }
        if (*rest && *rest != ';' && *rest != '#') {
            fail_at(r, "text after %.*s: a section line holds only [name]", (int)(e - b + 1), b);
            return NULL;
        }
        /* inih keeps 49 characters of a section name and drops the rest */
        if (e - b - 1 > 49) {
            fail_at(r, "%.*s: a section name is at most 49 characters (a gate's name 44)",
                    (int)(e - b + 1), b);
            return NULL;
        }
    }
    size_t l = (size_t)n;
    if (l == (size_t)num - 1 && s[l - 1] != '\n' && !feof(r->f)) {
        r->too_long = 1;
        /* skip the rest of the line; it is reported by the handler-less path */
        while ((ch = fgetc(r->f)) != EOF && ch != '\n')
            ;
    }
    return s;
}

static int fail_at(reader *r, const char *fmt, ...)
{
    if (r->failed) return 0; /* the first error is the one reported */
    char m[BD_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    bd_err_set(r->err, BD_ERR_IO, "%s:%u: %s", r->c->path, r->line, m);
    r->failed = 1;
    return 0;
}

static int kafka_put(bd_config *c, const char *name, const char *value)
{
    for (size_t i = 0; i < c->nkafka; i++) {
        if (!strcmp(c->kafka[2 * i], name)) {
            char *v = strdup(value);
            if (!v) return -1;
            free(c->kafka[2 * i + 1]);
            c->kafka[2 * i + 1] = v;
            return 0;
        }
    }
    char **k = realloc(c->kafka, (c->nkafka + 1) * 2 * sizeof *k);
    if (!k) return -1;
    c->kafka = k;
    k[2 * c->nkafka] = strdup(name);
    k[2 * c->nkafka + 1] = strdup(value);
    if (!k[2 * c->nkafka] || !k[2 * c->nkafka + 1]) {
        free(k[2 * c->nkafka]);
        free(k[2 * c->nkafka + 1]);
        return -1;
    }
    c->nkafka++;
    return 0;
}

/* "cred:NAME", a systemd credential (LoadCredential=NAME:...), as the
 * path of its file, $CREDENTIALS_DIRECTORY/NAME, into a fresh string;
 * NULL with msg. */
static char *cred_path(const char *v, char *msg, size_t n)
{
    const char *name = v + 5, *dir = getenv("CREDENTIALS_DIRECTORY");
    if (!*name || strchr(name, '/')) {
        snprintf(msg, n, "%s: a credential is cred:NAME, NAME as in LoadCredential=NAME:PATH", v);
        return NULL;
    }
    if (!dir || !*dir) {
        snprintf(msg, n,
                 "%s: no systemd credentials here ($CREDENTIALS_DIRECTORY is not set: give the "
                 "unit LoadCredential=%s:PATH)",
                 v, name);
        return NULL;
    }
    size_t l = strlen(dir) + strlen(name) + 2;
    char *p = malloc(l);
    if (p)
        snprintf(p, l, "%s/%s", dir, name);
    else
        snprintf(msg, n, "out of memory");
    return p;
}

/* "file:PATH" (first line), "cred:NAME" (the first line of a systemd
 * credential) or "env:NAME" into a fresh string. */
static char *resolve_secret(const char *v, char *msg, size_t n)
{
    if (!strncmp(v, "env:", 4)) {
        const char *e = getenv(v + 4);
        if (!e) {
            snprintf(msg, n, "the environment variable %s is not set", v + 4);
            return NULL;
        }
        return strdup(e);
    }
    if (!strncmp(v, "file:", 5) || !strncmp(v, "cred:", 5)) {
        char *cp = v[0] == 'c' ? cred_path(v, msg, n) : NULL;
        if (v[0] == 'c' && !cp) return NULL;
        const char *path = cp ? cp : v + 5;
        FILE *f = fopen(path, "r");
        if (!f) {
            snprintf(msg, n, "cannot read %s: %s", path, strerror(errno));
            free(cp);
            return NULL;
        }
        setvbuf(f, NULL, _IONBF, 0); /* no copy of the secret in stdio's buffer */
        free(cp);
        char line[4096];
        if (!fgets(line, sizeof line, f)) line[0] = '\0';
        fclose(f);
        line[strcspn(line, "\r\n")] = '\0';
        char *s = strdup(line);
        explicit_bzero(line, sizeof line); /* not optimised away */
        return s;
    }
    snprintf(msg, n, "is a secret: give it as file:PATH, cred:NAME or env:NAME, not in the file");
    return NULL;
}

/* One option of a [gate NAME] section. */
static int gate_option(reader *r, const char *gname, const char *name, const char *value)
{
    bd_config *c = r->c;
    char msg[256];
    if (!*gname || strlen(gname) > 44 ||
        strspn(gname, "abcdefghijklmnopqrstuvwxyz"
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != strlen(gname))
        return fail_at(r, "[gate %s]: a gate name is 1 to 44 letters, digits, '_', '-' or '.'",
                       gname);
    size_t gi = 0;
    while (gi < c->ngates && strcmp(c->gates[gi].name, gname))
        gi++;
    if (gi == c->ngates) {
        bd_gate_config *g = realloc(c->gates, (c->ngates + 1) * sizeof *g);
        if (!g) return fail_at(r, "out of memory");
        c->gates = g;
        unsigned *seen = realloc(r->gate_seen, (c->ngates + 1) * sizeof *seen);
        if (!seen) return fail_at(r, "out of memory");
        r->gate_seen = seen;
        seen[gi] = 0;
        memset(&g[gi], 0, sizeof g[gi]);
        c->ngates++;
        g[gi].name = strdup(gname);
        if (!g[gi].name) return fail_at(r, "out of memory");
        for (size_t i = 0; i < NGATE_OPTS; i++) {
            if (!gate_opts[i].def) continue;
            const char *e = set_value(&g[gi], &gate_opts[i], gate_opts[i].def, msg, sizeof msg);
            if (e) return fail_at(r, "default of [gate] %s: %s", gate_opts[i].name, e);
        }
    }
    for (size_t i = 0; i < NGATE_OPTS; i++) {
        if (strcmp(gate_opts[i].name, name)) continue;
        if (r->gate_seen[gi] & (1u << i))
            return fail_at(r, "[gate %s] %s given twice", gname, name);
        r->gate_seen[gi] |= 1u << i;
        const char *e = set_value(&c->gates[gi], &gate_opts[i], value, msg, sizeof msg);
        if (e) return fail_at(r, "[gate %s] %s %s", gname, name, e);
        return 1;
    }
    const char *names[NGATE_OPTS];
    for (size_t i = 0; i < NGATE_OPTS; i++)
        names[i] = gate_opts[i].name;
    const char *near = bd_closest(name, names, NGATE_OPTS);
    if (near)
        return fail_at(r, "unknown option '%s' in [gate %s] (did you mean '%s'?)", name, gname,
                       near);
    return fail_at(r, "unknown option '%s' in [gate %s] (binlogd run --help lists them)", name,
                   gname);
}

/* One line of [keys]: "db.table = col1, col2" (patterns allowed). */
static int key_rule(reader *r, const char *pattern, const char *value)
{
    bd_config *c = r->c;
    const char *dot = strchr(pattern, '.');
    if (!dot || dot == pattern || !dot[1] || strlen(pattern) > 200)
        return fail_at(r, "[keys] '%s': a key is db.table (* and ? allowed) = column, ...",
                       pattern);
    for (size_t i = 0; i < c->nkeys; i++)
        if (!strcmp(c->keys[i].pattern, pattern))
            return fail_at(r, "[keys] %s given twice", pattern);
    bd_key_rule *k = realloc(c->keys, (c->nkeys + 1) * sizeof *k);
    if (!k) return fail_at(r, "out of memory");
    c->keys = k;
    bd_key_rule *kr = &k[c->nkeys++];
    memset(kr, 0, sizeof *kr);
    if (!(kr->pattern = strdup(pattern))) return fail_at(r, "out of memory");
    for (const char *p = value; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t l = strcspn(p, ","), e = l;
        while (e && (p[e - 1] == ' ' || p[e - 1] == '\t'))
            e--;
        if (e) {
            if (e > 64 || memchr(p, '`', e))
                return fail_at(r,
                               "[keys] %s: '%.*s' is not a column name (64 bytes at most, no "
                               "quotes)",
                               pattern, (int)(e > 80 ? 80 : e), p);
            for (size_t i = 0; i < kr->ncols; i++)
                if (strlen(kr->cols[i]) == e && !memcmp(kr->cols[i], p, e))
                    return fail_at(r, "[keys] %s: column %.*s named twice", pattern, (int)e, p);
            char **cols = realloc(kr->cols, (kr->ncols + 1) * sizeof *cols);
            if (!cols) return fail_at(r, "out of memory");
            kr->cols = cols;
            if (!(cols[kr->ncols] = strndup(p, e))) return fail_at(r, "out of memory");
            kr->ncols++;
        }
        p += l;
    }
    if (!kr->ncols) return fail_at(r, "[keys] %s names no column", pattern);
    return 1;
}

/* One line of [columns]: "db.table.column = action" (patterns allowed). */
static int column_rule(reader *r, const char *pattern, const char *action)
{
    bd_col_rules *rs = &r->c->columns;
    char why[400];
    for (size_t i = 0; i < rs->n; i++)
        if (!strcmp(rs->rules[i].pattern, pattern))
            return fail_at(r, "[columns] %s given twice", pattern);
    bd_col_rule *v = realloc(rs->rules, (rs->n + 1) * sizeof *v);
    if (!v) return fail_at(r, "out of memory");
    rs->rules = v;
    bd_col_rule *cr = &v[rs->n++];
    memset(cr, 0, sizeof *cr);
    cr->line = r->line;
    if (bd_col_pattern_set(cr, pattern, why, sizeof why) ||
        bd_col_action_parse(cr, action, why, sizeof why))
        return fail_at(r, "[columns] %s", why);
    return 1;
}

/* One option of a [hash_key ID] section: secret (file:, cred:, env:; at
 * least 16 bytes) or encoding (hex, base64). */
static int hash_key_option(reader *r, const char *id, const char *name, const char *value)
{
    bd_col_rules *rs = &r->c->columns;
    size_t l = strlen(id);
    if (l == 0 || l > 32 ||
        strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != l)
        return fail_at(r, "[hash_key %s]: a key id is 1 to 32 letters, digits, '_', '-' or '.'",
                       id);
    size_t k = 0;
    while (k < rs->nkeys && strcmp(rs->keys[k].id, id))
        k++;
    if (k == rs->nkeys) {
        bd_hash_key *v = realloc(rs->keys, (k + 1) * sizeof *v);
        if (!v) return fail_at(r, "out of memory");
        rs->keys = v;
        unsigned *seen = realloc(r->hk_seen, (k + 1) * sizeof *seen);
        if (!seen) return fail_at(r, "out of memory");
        r->hk_seen = seen;
        seen[k] = 0;
        memset(&v[k], 0, sizeof v[k]);
        rs->nkeys++;
        if (!(v[k].id = strdup(id))) return fail_at(r, "out of memory");
    }
    bd_hash_key *hk = &rs->keys[k];
    unsigned bit = !strcmp(name, "secret") ? 1 : !strcmp(name, "encoding") ? 2 : 0;
    if (!bit)
        return fail_at(r, "unknown option '%s' in [hash_key %s] (secret, encoding)", name, id);
    if (r->hk_seen[k] & bit) return fail_at(r, "[hash_key %s] %s given twice", id, name);
    r->hk_seen[k] |= bit;
    if (bit == 2) {
        if (strcmp(value, "hex") && strcmp(value, "base64"))
            return fail_at(r, "[hash_key %s] encoding wants hex or base64", id);
        hk->base64 = !strcmp(value, "base64");
        return 1;
    }
    if (strncmp(value, "file:", 5) && strncmp(value, "cred:", 5) && strncmp(value, "env:", 4))
        return fail_at(r,
                       "[hash_key %s] secret is a secret: give it as file:PATH, cred:NAME or "
                       "env:NAME, not in the file",
                       id);
    if (!(hk->source = strdup(value))) return fail_at(r, "out of memory");
    if (r->gate_only && !r->hash_keys) return 1; /* not needed, maybe not readable */
    char msg[256];
    char *sec = resolve_secret(value, msg, sizeof msg);
    if (!sec) return fail_at(r, "[hash_key %s] secret %s", id, msg);
    size_t sl = strlen(sec);
    int rc = sl < 16 ? -3 : bd_hash_key_set_secret(hk, (const unsigned char *)sec, sl);
    explicit_bzero(sec, sl);
    free(sec);
    if (rc == -3)
        return fail_at(r,
                       "[hash_key %s] secret: %zu bytes; a key needs at least 16 (32 random "
                       "bytes as hex: openssl rand -hex 32)",
                       id, sl);
    if (rc == -2)
        return fail_at(r, "[hash_key %s]: the HMAC does not agree with OpenSSL's HMAC(): not used",
                       id);
    return rc < 0 ? fail_at(r, "out of memory") : 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    reader *r = user;
    bd_config *c = r->c;
    char msg[256];
    if (r->too_long) return fail_at(r, "line too long");
    if (!*section) return fail_at(r, "'%s' is outside any [section]", name);
    if (!strncmp(section, "gate", 4) && (section[4] == ' ' || section[4] == '\0')) {
        const char *g = section + 4;
        while (*g == ' ')
            g++;
        return gate_option(r, g, name, value);
    }
    if (!strcmp(section, "keys")) return key_rule(r, name, value);
    if (!strcmp(section, "columns")) return column_rule(r, name, value);
    if (!strncmp(section, "hash_key", 8) && (section[8] == ' ' || section[8] == '\0')) {
        const char *k = section + 8;
        while (*k == ' ')
            k++;
        return hash_key_option(r, k, name, value);
    }
    const opt *o = find_opt(section, name);
    if (!o && !strcmp(section, "kafka")) {
        /* gate needs no secret, and its user may not be able to read one */
        if (r->gate_only && bd_kafka_secret_property(name)) return 1;
        if (!bd_kafka_secret_property(name)) {
            /* a file librdkafka reads (ssl.ca.location, ...) may be a
             * systemd credential */
            char *cp = NULL;
            if (!strncmp(value, "cred:", 5) && !r->gate_only &&
                !(cp = cred_path(value, msg, sizeof msg)))
                return fail_at(r, "[kafka] %s %s", name, msg);
            const char *v = cp ? cp : value;
            int rc = bd_kafka_property_check(name, v, msg, sizeof msg);
            if (rc == 0) rc = kafka_put(c, name, v) < 0 ? -2 : 0;
            free(cp);
            if (rc == -1) return fail_at(r, "[kafka] %s = %s: %s", name, value, msg);
            if (rc == -2) return fail_at(r, "out of memory");
            return 1;
        }
        char *s = resolve_secret(value, msg, sizeof msg);
        if (!s) return fail_at(r, "[kafka] %s %s", name, msg);
        if (bd_kafka_property_check(name, s, msg, sizeof msg) < 0) {
            explicit_bzero(s, strlen(s));
            free(s);
            return fail_at(r, "[kafka] %s: %s", name, msg);
        }
        int rc = kafka_put(c, name, s);
        explicit_bzero(s, strlen(s));
        free(s);
        return rc < 0 ? fail_at(r, "out of memory") : 1;
    }
    if (!o) {
        int known_section = 0;
        const char *names[NOPTS];
        size_t n = 0;
        for (size_t i = 0; i < NOPTS; i++)
            if (!strcmp(opts[i].section, section)) names[n++] = opts[i].name;
        known_section = n > 0;
        if (!known_section) {
            static const char *const sections[] = {
                "source", "kafka", "filter", "keys",    "state",    "daemon",  "lag",
                "http",   "alert", "gate",   "columns", "hash_key", "snapshot"};
            const char *near = bd_closest(section, sections, sizeof sections / sizeof *sections);
            if (near) return fail_at(r, "unknown section [%s] (did you mean [%s]?)", section, near);
            return fail_at(r,
                           "unknown section [%s] (sections: source, kafka, filter, keys, "
                           "state, daemon, lag, http, alert, gate NAME, columns, hash_key ID)",
                           section);
        }
        const char *near = bd_closest(name, names, n);
        if (near)
            return fail_at(r, "unknown option '%s' in [%s] (did you mean '%s'?)", name, section,
                           near);
        return fail_at(r, "unknown option '%s' in [%s] (binlogd run --help lists them)", name,
                       section);
    }
    size_t idx = (size_t)(o - opts);
    if (r->seen[idx]) return fail_at(r, "[%s] %s given twice", section, name);
    r->seen[idx] = 1;
    /* the source's files may be systemd credentials (cred:NAME) */
    char *cp = NULL;
    static const char *const files[] = {
        "source.password_file", "source.ssl_ca", "source.ssl_capath", "source.ssl_cert",
        "source.ssl_key",       "http.tls_cert", "http.tls_key"};
    char full[64];
    snprintf(full, sizeof full, "%s.%s", section, name);
    for (size_t i = 0; i < sizeof files / sizeof files[0] && !r->gate_only; i++)
        if (!strcmp(full, files[i]) && !strncmp(value, "cred:", 5) &&
            !(cp = cred_path(value, msg, sizeof msg)))
            return fail_at(r, "[%s] %s %s", section, name, msg);
    const char *e = set_value(c, o, cp ? cp : value, msg, sizeof msg);
    free(cp);
    if (e) return fail_at(r, "[%s] %s %s", section, name, e);
    return 1;
}

void bd_config_release(bd_config *c)
{
    for (size_t i = 0; i < NOPTS; i++) {
        if (opts[i].type != T_STR) continue;
        char **slot = (char **)(void *)((char *)c + opts[i].off);
        free(*slot);
    }
    for (size_t i = 0; i < c->nkafka; i++) {
        char *name = c->kafka[2 * i], *value = c->kafka[2 * i + 1];
        if (bd_kafka_secret_property(name)) memset(value, 0, strlen(value));
        free(name);
        free(value);
    }
    free(c->kafka);
    for (size_t g = 0; g < c->ngates; g++) {
        bd_gate_config *gc = &c->gates[g];
        for (size_t i = 0; i < NGATE_OPTS; i++) {
            if (gate_opts[i].type != T_STR) continue;
            free(*(char **)(void *)((char *)gc + gate_opts[i].off));
        }
        for (size_t i = 0; i < gc->ntables; i++)
            free(gc->table_list[i]);
        free(gc->table_list);
        free(gc->name);
    }
    free(c->gates);
    for (size_t i = 0; i < c->nkeys; i++) {
        for (size_t k = 0; k < c->keys[i].ncols; k++)
            free(c->keys[i].cols[k]);
        free(c->keys[i].cols);
        free(c->keys[i].pattern);
    }
    free(c->keys);
    bd_col_rules_release(&c->columns);
    free(c->path);
    memset(c, 0, sizeof *c);
}

static int ssl_mode_ok(const char *m)
{
    static const char *const modes[] = {"DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA",
                                        "VERIFY_IDENTITY"};
    for (size_t i = 0; i < 5; i++)
        if (!strcasecmp(m, modes[i])) return 1;
    return 0;
}

/* "HH:MM" or "HH:MM:SS" into seconds after midnight, -1 if malformed. */
static int clock_secs(const char *s)
{
    unsigned h, m, sec = 0;
    int n = 0;
    if (strlen(s) == 5 && sscanf(s, "%2u:%2u%n", &h, &m, &n) == 2 && n == 5) {
    } else if (strlen(s) == 8 && sscanf(s, "%2u:%2u:%2u%n", &h, &m, &sec, &n) == 3 && n == 8) {
    } else {
        return -1;
    }
    if (!isdigit((unsigned char)s[0]) || h > 23 || m > 59 || sec > 59) return -1;
    return (int)(h * 3600 + m * 60 + sec);
}

/* Split a gate's tables, parse its times; -1 with err naming the gate. */
static int check_gates(bd_config *c, const unsigned *seen, bd_err *err)
{
    for (size_t g = 0; g < c->ngates; g++) {
        bd_gate_config *gc = &c->gates[g];
        for (size_t i = 0; i < NGATE_OPTS; i++)
            if (gate_opts[i].required && !(seen[g] & (1u << i)))
                return bd_err_set(err, BD_ERR_IO, "%s: [gate %s] %s is required (%s)", c->path,
                                  gc->name, gate_opts[i].name, gate_opts[i].help);
        gc->cutoff_s = clock_secs(gc->cutoff);
        if (gc->cutoff_s < 0)
            return bd_err_set(err, BD_ERR_IO,
                              "%s: [gate %s] cutoff wants a time of day HH:MM[:SS], not '%s'",
                              c->path, gc->name, gc->cutoff);
        gc->job_start_s = gc->job_start ? clock_secs(gc->job_start) : gc->cutoff_s;
        if (gc->job_start_s < 0)
            return bd_err_set(err, BD_ERR_IO,
                              "%s: [gate %s] job_start wants a time of day HH:MM[:SS], not '%s'",
                              c->path, gc->name, gc->job_start);
        bd_err te = {0};
        bd_tz *tz = bd_tz_load(gc->timezone, &te);
        if (!tz)
            return bd_err_set(err, BD_ERR_IO, "%s: [gate %s] timezone: %s", c->path, gc->name,
                              te.msg);
        bd_tz_free(tz);
        if (gc->consumer_group && !*gc->consumer_group) {
            free(gc->consumer_group);
            gc->consumer_group = NULL;
        }
        const char *p = gc->tables;
        while (*p) {
            while (*p == ' ' || *p == ',' || *p == '\t')
                p++;
            size_t l = strcspn(p, ","), e = l;
            while (e && (p[e - 1] == ' ' || p[e - 1] == '\t'))
                e--;
            if (e) {
                const char *dot = memchr(p, '.', e);
                if (!dot || dot == p || dot == p + e - 1 || e > 129 || memchr(p, '*', e) ||
                    memchr(p, '?', e))
                    return bd_err_set(err, BD_ERR_IO,
                                      "%s: [gate %s] tables: '%.*s' is not db.table (one table, "
                                      "no patterns)",
                                      c->path, gc->name, (int)e, p);
                char **tl = realloc(gc->table_list, (gc->ntables + 1) * sizeof *tl);
                if (!tl) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
                gc->table_list = tl;
                tl[gc->ntables] = strndup(p, e);
                if (!tl[gc->ntables]) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
                gc->ntables++;
            }
            p += l;
        }
        if (!gc->ntables)
            return bd_err_set(err, BD_ERR_IO, "%s: [gate %s] tables is empty", c->path, gc->name);
    }
    return 0;
}

const bd_gate_config *bd_config_gate(const bd_config *c, const char *name)
{
    for (size_t g = 0; g < c->ngates; g++)
        if (!strcmp(c->gates[g].name, name)) return &c->gates[g];
    return NULL;
}

const char *bd_config_start_check(const char *what, const char *s, char *why, size_t n)
{
    /* oldest | head | FILE[:POS] | gtid:SET */
    if (!strncmp(s, "gtid:", 5)) {
        bd_gtid_set g = BD_GTID_SET_INIT;
        bd_err e = {0};
        int bad = bd_gtid_set_parse(&g, BD_FLAVOR_UNKNOWN, s + 5, strlen(s + 5), &e) < 0;
        bd_gtid_set_release(&g);
        if (bad) {
            snprintf(why, n, "%s = %.200s: %.200s", what, s, e.msg);
            return why;
        }
    } else if (strcmp(s, "oldest") && strcmp(s, "head")) {
        bd_binpos p;
        if (bd_binpos_parse(s, &p) < 0) {
            snprintf(why, n,
                     "%s = %.200s: wants oldest, head, FILE[:POS] (a binlog name as SHOW BINARY "
                     "LOGS lists it, POS 4..4294967295) or gtid:SET",
                     what, s);
            return why;
        }
    }
    return NULL;
}

/* Values that the option types let through but that cannot work: found
 * here, by check-config and at every start, rather than when the daemon
 * first uses them.  NULL, or why (in why, n bytes). */
static const char *check_values(const bd_config *c, char *why, size_t n)
{
    if (c->start && bd_config_start_check("[source] start", c->start, why, n)) return why;
    if (!c->host || !c->host[0]) return "[source] host must not be empty";
    /* exactly once's second transactional id is binlogd.NAME#1: a name
     * with '#' could be another source's */
    if (c->source_name && strchr(c->source_name, '#')) return "[source] name must not contain '#'";
    if (c->standby && !c->exactly_once)
        return "[kafka] standby = true needs exactly_once = true (its transactional id fences an "
               "instance that lost its turn)";
    for (size_t i = 0; i < c->nkafka; i++)
        if (!strcmp(c->kafka[2 * i], "bootstrap.servers") && !c->kafka[2 * i + 1][0])
            return "[kafka] bootstrap.servers must not be empty";
    /* [kafka] topic: only the three placeholders */
    for (const char *t = strchr(c->topic, '{'); t; t = strchr(t + 1, '{')) {
        if (strncmp(t, "{source}", 8) && strncmp(t, "{db}", 4) && strncmp(t, "{table}", 7)) {
            snprintf(why, n,
                     "[kafka] topic = %.200s: unknown placeholder at '%.20s' (there are {source}, "
                     "{db} and {table})",
                     c->topic, t);
            return why;
        }
    }
    /* [lag] heartbeat_table: db.table */
    const char *hb = c->heartbeat_table;
    if (hb && *hb) {
        const char *dot = strchr(hb, '.');
        if (!dot || dot == hb || !dot[1] || strchr(dot + 1, '.') || dot - hb > 64 ||
            strlen(dot + 1) > 64) {
            snprintf(why, n, "[lag] heartbeat_table wants db.table, not '%.200s'", hb);
            return why;
        }
    }
    /* [http] listen: IPV4:PORT or [IPV6]:PORT (port 0: any free one).  A
     * name is refused here rather than when the daemon starts listening:
     * the HTTP server resolves none (it would need DNS on its loop), so
     * check-config must not call such a file valid. */
    const char *l = c->http_listen;
    if (l && *l) {
        char host[128];
        unsigned port;
        int rc = bd_parse_hostport(l, host, sizeof host, &port, 0,
                                   BD_HOSTPORT_NEED_PORT | BD_HOSTPORT_ANY_PORT);
        if (rc < 0) {
            snprintf(why, n, "[http] listen = %.200s: wants HOST:PORT or [IPV6]:PORT (%s)", l,
                     rc == BD_HOSTPORT_BAD_PORT ? "the port is not a number in 0..65535"
                                                : bd_hostport_strerror(rc));
            return why;
        }
        /* as the HTTP server reads it: AI_NUMERICHOST never asks DNS */
        struct addrinfo hints, *ai = NULL;
        memset(&hints, 0, sizeof hints);
        hints.ai_flags = AI_NUMERICHOST;
        hints.ai_family = strchr(host, ':') ? AF_INET6 : AF_INET;
        hints.ai_socktype = SOCK_STREAM;
        int bad = getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai;
        if (ai) freeaddrinfo(ai);
        if (bad) {
            snprintf(why, n,
                     "[http] listen = %.200s: wants HOST:PORT or [IPV6]:PORT with a numeric "
                     "address (names are not resolved): 127.0.0.1:9175, [::1]:9175",
                     l);
            return why;
        }
    }
    /* [alert] webhook: an http(s) URL */
    const char *w = c->webhook;
    if (w && *w && strncmp(w, "http://", 7) && strncmp(w, "https://", 8)) {
        snprintf(why, n,
                 "[alert] webhook = %.200s: wants an http:// or https:// URL "
                 "(http://HOST:9093/api/v2/alerts)",
                 w);
        return why;
    }
    return NULL;
}

/* Every [hash_key ID] has its secret, every hash rule its key: -1 with err. */
static int check_columns(bd_config *c, const unsigned *hk_seen, bd_err *err)
{
    bd_col_rules *rs = &c->columns;
    for (size_t k = 0; k < rs->nkeys; k++)
        if (!(hk_seen[k] & 1))
            return bd_err_set(err, BD_ERR_IO,
                              "%s: [hash_key %s] secret is required (file:PATH, cred:NAME or "
                              "env:NAME)",
                              c->path, rs->keys[k].id);
    char why[400];
    if (bd_col_rules_resolve(rs, why, sizeof why) < 0)
        return bd_err_set(err, BD_ERR_IO, "%s: %s", c->path, why);
    return 0;
}

static int load(bd_config *c, const char *path, int gate_only, int hash_keys, bd_err *err)
{
    memset(c, 0, sizeof *c);
    char msg[256];
    c->path = strdup(path);
    if (!c->path) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < NOPTS; i++) {
        if (!opts[i].def) continue;
        const char *e = set_value(c, &opts[i], opts[i].def, msg, sizeof msg);
        if (e) { /* a defect in the table, not in the user's file */
            bd_err_set(err, BD_ERR_IO, "default of [%s] %s: %s", opts[i].section, opts[i].name, e);
            bd_config_release(c);
            return -1;
        }
    }
    reader r = {0};
    r.c = c;
    r.err = err;
    r.gate_only = gate_only;
    r.hash_keys = hash_keys;
    r.f = fopen(path, "r");
    if (!r.f) {
        bd_err_set(err, BD_ERR_IO, "%s: %s", path, strerror(errno));
        bd_config_release(c);
        return -1;
    }
    int rc = ini_parse_stream(read_line, &r, handler, &r);
    fclose(r.f);
    if (rc != 0 && !r.failed) {
        /* inih's own complaint: a line that is neither [section] nor key = value */
        r.line = rc > 0 ? (unsigned)rc : r.line;
        r.failed = 0;
        fail_at(&r, rc > 0 ? "not a [section] or a key = value line" : "cannot read the file");
    }
    int gates_bad = r.failed ? 0 : check_gates(c, r.gate_seen, err);
    if (!r.failed && !gates_bad) gates_bad = check_columns(c, r.hk_seen, err);
    free(r.gate_seen);
    free(r.hk_seen);
    if (r.failed || gates_bad) {
        bd_config_release(c);
        return -1;
    }
    if (gate_only) return 0;
    /* what the file must say, and what only makes sense together */
    for (size_t i = 0; i < NOPTS; i++) {
        if (!opts[i].required || r.seen[i]) continue;
        bd_err_set(err, BD_ERR_IO, "%s: [%s] %s is required (%s)", path, opts[i].section,
                   opts[i].name, opts[i].help);
        bd_config_release(c);
        return -1;
    }
    const char *bad = NULL;
    int have_bootstrap = 0;
    for (size_t i = 0; i < c->nkafka; i++)
        have_bootstrap |= !strcmp(c->kafka[2 * i], "bootstrap.servers");
    if (!have_bootstrap)
        bad = "[kafka] bootstrap.servers is required (the brokers, host:port,...)";
    else if (!ssl_mode_ok(c->ssl_mode))
        bad = "[source] ssl_mode wants DISABLED, PREFERRED, REQUIRED, VERIFY_CA or "
              "VERIFY_IDENTITY";
    else if ((!strcasecmp(c->ssl_mode, "VERIFY_CA") ||
              !strcasecmp(c->ssl_mode, "VERIFY_IDENTITY")) &&
             !c->ssl_ca && !c->ssl_capath)
        bad = "[source] ssl_mode VERIFY_CA and VERIFY_IDENTITY need ssl_ca or ssl_capath";
    else if (c->read_timeout_s && (double)c->read_timeout_s <= c->heartbeat_s)
        bad = "[source] read_timeout must be longer than heartbeat (3 x is a good choice)";
    else if (!strstr(c->topic, "{table}"))
        bad = "[kafka] topic must contain {table}: each table needs its own topic";
    else if (!c->state_dir[0])
        bad = "[state] dir must not be empty";
    else if (!c->http_tls_cert != !c->http_tls_key)
        bad = "[http] tls_cert and tls_key go together (HTTPS needs both)";
    else if (!c->http_auth_user != !c->http_auth_hash)
        bad = "[http] auth_user and auth_password_hash go together";
    else if (c->http_auth_hash && c->http_auth_hash[0] != '$')
        bad = "[http] auth_password_hash wants a crypt(3) hash ($2b$..., as htpasswd -nBC 10 "
              "USER | cut -d: -f2 prints), never the password";
    char why[600];
    if (!bad) bad = check_values(c, why, sizeof why);
    if (bad) {
        bd_err_set(err, BD_ERR_IO, "%s: %s", path, bad);
        bd_config_release(c);
        return -1;
    }
    if (!c->source_name) c->source_name = strdup(c->host);
    if (!c->source_name) {
        bd_config_release(c);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    return 0;
}

int bd_config_load(bd_config *c, const char *path, bd_err *err) { return load(c, path, 0, 1, err); }

int bd_config_load_gates(bd_config *c, const char *path, bd_err *err)
{
    return load(c, path, 1, 0, err);
}

int bd_config_load_columns(bd_config *c, const char *path, bd_err *err)
{
    return load(c, path, 1, 1, err);
}

int bd_config_source_password(const bd_config *c, char *buf, size_t n, bd_err *err)
{
    buf[0] = '\0';
    if (c->password_file) {
        FILE *f = fopen(c->password_file, "r");
        if (!f)
            return bd_err_set(err, BD_ERR_IO, "[source] password_file %s: %s", c->password_file,
                              strerror(errno));
        if (!fgets(buf, (int)n, f)) buf[0] = '\0';
        fclose(f);
        buf[strcspn(buf, "\r\n")] = '\0';
        return 0;
    }
    const char *e = c->password_env && *c->password_env ? getenv(c->password_env) : NULL;
    if (e) snprintf(buf, n, "%s", e);
    return 0;
}

/* ---- comparing, printing ------------------------------------------------ */

static int same_value(const bd_config *a, const bd_config *b, const opt *o)
{
    const char *pa = (const char *)a + o->off, *pb = (const char *)b + o->off;
    if (o->type == T_STR) {
        const char *sa = *(char *const *)(const void *)pa, *sb = *(char *const *)(const void *)pb;
        return (!sa && !sb) || (sa && sb && !strcmp(sa, sb));
    }
    return memcmp(pa, pb, o->size) == 0;
}

static int same_kafka(const bd_config *a, const bd_config *b)
{
    if (a->nkafka != b->nkafka) return 0;
    for (size_t i = 0; i < 2 * a->nkafka; i++)
        if (strcmp(a->kafka[i], b->kafka[i])) return 0;
    return 1;
}

void bd_config_unreloadable(const bd_config *a, const bd_config *b, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < NOPTS; i++) {
        if (opts[i].reloadable || same_value(a, b, &opts[i])) continue;
        len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s.%s", len ? ", " : "",
                                opts[i].section, opts[i].name);
        if (len >= n) return;
    }
    int same_gates = a->ngates == b->ngates;
    for (size_t g = 0; same_gates && g < a->ngates; g++) {
        same_gates = !strcmp(a->gates[g].name, b->gates[g].name);
        for (size_t i = 0; same_gates && i < NGATE_OPTS; i++)
            same_gates = same_value((const bd_config *)(const void *)&a->gates[g],
                                    (const bd_config *)(const void *)&b->gates[g], &gate_opts[i]);
    }
    if (!same_gates) {
        len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%sgates", len ? ", " : "");
        if (len >= n) return;
    }
    int same_keys = a->nkeys == b->nkeys;
    for (size_t i = 0; same_keys && i < a->nkeys; i++) {
        same_keys =
            !strcmp(a->keys[i].pattern, b->keys[i].pattern) && a->keys[i].ncols == b->keys[i].ncols;
        for (size_t k = 0; same_keys && k < a->keys[i].ncols; k++)
            same_keys = !strcmp(a->keys[i].cols[k], b->keys[i].cols[k]);
    }
    if (!same_keys) {
        len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%skeys", len ? ", " : "");
        if (len >= n) return;
    }
    if (!same_kafka(a, b))
        snprintf(buf + len, len < n ? n - len : 0, "%slibrdkafka properties", len ? ", " : "");
}

/* ms as the largest whole unit: 1h, 5m, 30s, 500ms; 0 as 0. */
static void print_duration(FILE *out, unsigned long long ms)
{
    if (!ms)
        fputs("0", out);
    else if (ms % 3600000 == 0)
        fprintf(out, "%lluh", ms / 3600000);
    else if (ms % 60000 == 0)
        fprintf(out, "%llum", ms / 60000);
    else if (ms % 1000 == 0)
        fprintf(out, "%llus", ms / 1000);
    else
        fprintf(out, "%llums", ms);
}

static void print_value(const bd_config *c, const opt *o, FILE *out)
{
    const char *p = (const char *)c + o->off;
    switch (o->type) {
    case T_STR: {
        const char *s = *(char *const *)(const void *)p;
        fputs(s ? s : "", out);
        break;
    }
    case T_UINT:
    case T_MS:
    case T_WSECS:
    case T_SIZE: {
        unsigned long long v;
        if (o->size == sizeof(uint64_t)) {
            uint64_t x;
            memcpy(&x, p, sizeof x);
            v = x;
        } else {
            unsigned x;
            memcpy(&x, p, sizeof x);
            v = x;
        }
        /* as the file would say it: 1s not 1000ms, 16M not 16777216 */
        if (o->type == T_MS || o->type == T_WSECS)
            print_duration(out, o->type == T_MS ? v : v * 1000);
        else if (o->type == T_SIZE && v && v % (1ULL << 30) == 0)
            fprintf(out, "%lluG", v >> 30);
        else if (o->type == T_SIZE && v && v % (1ULL << 20) == 0)
            fprintf(out, "%lluM", v >> 20);
        else if (o->type == T_SIZE && v && v % (1ULL << 10) == 0)
            fprintf(out, "%lluK", v >> 10);
        else
            fprintf(out, "%llu", v);
        break;
    }
    case T_BOOL: {
        int b;
        memcpy(&b, p, sizeof b);
        fputs(b ? "true" : "false", out);
        break;
    }
    case T_SECS: {
        double d;
        memcpy(&d, p, sizeof d);
        if (d >= 0.001 && d < 1e12 && fabs(d * 1000 - llround(d * 1000)) < 1e-6)
            print_duration(out, (unsigned long long)llround(d * 1000));
        else
            fprintf(out, "%g", d);
        break;
    }
    case T_ENUM: {
        int x;
        memcpy(&x, p, sizeof x);
        const char *ch = o->choices;
        for (int i = 0; *ch; i++) {
            size_t l = strcspn(ch, "|");
            if ((o->values ? o->values[i] : i) == x) {
                fprintf(out, "%.*s", (int)l, ch);
                break;
            }
            ch += l + (ch[l] == '|');
        }
        break;
    }
    }
}

void bd_config_print(const bd_config *c, FILE *out)
{
    const char *sec = "";
    for (size_t i = 0; i < NOPTS; i++) {
        const opt *o = &opts[i];
        if (strcmp(sec, o->section)) {
            fprintf(out, "%s[%s]\n", *sec ? "\n" : "", o->section);
            sec = o->section;
        }
        fprintf(out, "%s = ", o->name);
        print_value(c, o, out);
        fputc('\n', out);
        if (!strcmp(o->section, "kafka") &&
            (i + 1 == NOPTS || strcmp(opts[i + 1].section, "kafka"))) {
            for (size_t k = 0; k < c->nkafka; k++)
                fprintf(out, "%s = %s\n", c->kafka[2 * k],
                        bd_kafka_secret_property(c->kafka[2 * k]) ? "(secret)"
                                                                  : c->kafka[2 * k + 1]);
        }
    }
    if (c->nkeys) fprintf(out, "\n[keys]\n");
    for (size_t i = 0; i < c->nkeys; i++) {
        fprintf(out, "%s =", c->keys[i].pattern);
        for (size_t k = 0; k < c->keys[i].ncols; k++)
            fprintf(out, "%s %s", k ? "," : "", c->keys[i].cols[k]);
        fputc('\n', out);
    }
    for (size_t g = 0; g < c->ngates; g++) {
        fprintf(out, "\n[gate %s]\n", c->gates[g].name);
        for (size_t i = 0; i < NGATE_OPTS; i++) {
            fprintf(out, "%s = ", gate_opts[i].name);
            print_value((const bd_config *)(const void *)&c->gates[g], &gate_opts[i], out);
            fputc('\n', out);
        }
    }
    const bd_col_rules *rs = &c->columns;
    if (rs->n) fprintf(out, "\n[columns]\n");
    for (size_t i = 0; i < rs->n; i++)
        fprintf(out, "%s = %s\n", rs->rules[i].pattern, rs->rules[i].action);
    /* where the key comes from, never the key */
    for (size_t k = 0; k < rs->nkeys; k++)
        fprintf(out, "\n[hash_key %s]\nsecret = %s\nencoding = %s\n", rs->keys[k].id,
                rs->keys[k].source, rs->keys[k].base64 ? "base64" : "hex");
}

static const char *type_word(const opt *o)
{
    switch (o->type) {
    case T_STR: return "text";
    case T_UINT: return "number";
    case T_BOOL: return "true/false";
    case T_SECS: return "seconds";
    case T_MS: return "duration";
    case T_WSECS: return "duration";
    case T_SIZE: return "size";
    case T_ENUM: return o->choices;
    }
    return "";
}

/* One option in --help. */
static void help_line(FILE *out, const opt *o)
{
    fprintf(out, "  %-20s %s%s%s%s%s\n", o->name, o->help, o->def && *o->def ? " (default " : "",
            o->def && *o->def ? o->def : "", o->def && *o->def ? ")" : "",
            o->required ? " (required)" : "");
}

/* One option as a row of docs/config.md (with the reload column or not). */
static void doc_line(FILE *out, const opt *o, int reload_column)
{
    fprintf(out, "| `%s` | %s | %s%s%s |%s %s |\n", o->name, type_word(o),
            o->required ? "required" : (o->def && *o->def ? "`" : "—"),
            o->required ? "" : (o->def && *o->def ? o->def : ""),
            !o->required && o->def && *o->def ? "`" : "",
            reload_column ? (o->reloadable ? " yes |" : " no |") : "", o->help);
}

void bd_config_help(FILE *out)
{
    const char *sec = "";
    for (size_t i = 0; i < NOPTS; i++) {
        const opt *o = &opts[i];
        if (strcmp(sec, o->section)) {
            fprintf(out, "\n[%s]\n", o->section);
            sec = o->section;
        }
        help_line(out, o);
        if (!strcmp(o->section, "kafka") &&
            (i + 1 == NOPTS || strcmp(opts[i + 1].section, "kafka")))
            fprintf(out, "  %-20s %s\n", "(any other key)",
                    "passed to librdkafka, e.g. bootstrap.servers (required), "
                    "security.protocol; secrets as file:PATH, cred:NAME or env:NAME");
    }
    fprintf(out, "\n[keys]  (tables without a primary key)\n");
    fprintf(out, "  %-20s %s\n", "db.table = c1, c2",
            "the Kafka key of the tables the pattern (* and ?) matches; the first matching "
            "line counts. A table with neither a primary key nor a line here: null key, one "
            "partition per table");
    fprintf(out, "\n[gate NAME]  (one section per downstream job; any number)\n");
    for (size_t i = 0; i < NGATE_OPTS; i++) {
        const opt *o = &gate_opts[i];
        help_line(out, o);
    }
}

void bd_config_doc(FILE *out)
{
    fputs("# Configuration\n\n"
          "<!-- generated by `binlogd config-doc` from the option table in lib/state/config.c; "
          "do not edit -->\n\n"
          "`binlogd run -c FILE` and `binlogd check-config -c FILE` read a file of `key = value`\n"
          "lines in `[sections]`, like `my.cnf` (`;` or `#` start a comment line; ` ;` ends a\n"
          "value with a comment). Errors name `FILE:LINE`. An example:\n"
          "`deploy/binlogd.conf.example`.\n\n"
          "*Reload*: options marked yes take effect on SIGHUP (`systemctl reload binlogd`); a\n"
          "reload that changes any other option is refused (logged) and the running\n"
          "configuration stays.\n\n"
          "Secrets never sit in the file: the source password comes from `password_file` or the\n"
          "environment variable named by `password_env`; librdkafka's secret properties\n"
          "(`sasl.password`, `ssl.key.password`, ...) take `file:PATH` or `env:NAME`.\n"
          "Under systemd, `cred:NAME` names a credential of the unit (`LoadCredential=NAME:PATH`,\n"
          "read from `$CREDENTIALS_DIRECTORY`, readable by the service's dynamic user whatever\n"
          "the file's owner): as a secret's value, or as `password_file`, `ssl_ca`, `ssl_capath`,\n"
          "`ssl_cert`, `ssl_key` and librdkafka's file locations (`ssl.ca.location`, ...).\n\n"
          "Values: a *number* is decimal digits only; a *duration* or *seconds* a number\n"
          "(a fraction allowed) with an optional unit `s`, `ms`, `m` or `h` (`500ms`, `2m`;\n"
          "none: seconds); a *size* a number with an optional `K`, `M` or `G` (powers of\n"
          "1024) and `B` (`16M`, `64KB`). A sign, hexadecimal (`0x10`), `inf`, `nan` or\n"
          "anything after the value is refused, never read as far as it goes.\n",
          out);
    const char *sec = "";
    for (size_t i = 0; i < NOPTS; i++) {
        const opt *o = &opts[i];
        if (strcmp(sec, o->section)) {
            fprintf(out,
                    "\n## [%s]\n\n| option | type | default | reload | meaning |\n"
                    "|---|---|---|---|---|\n",
                    o->section);
            sec = o->section;
        }
        doc_line(out, o, 1);
        if (!strcmp(o->section, "kafka") &&
            (i + 1 == NOPTS || strcmp(opts[i + 1].section, "kafka")))
            fputs("| *any other key* | | | no | a librdkafka property, passed as is "
                  "(`bootstrap.servers` is required). binlogd's defaults: "
                  "`enable.idempotence=true`, `acks=all`, `compression.type=lz4`, "
                  "`partitioner=murmur2_random` (the Java client's partitioner) |\n",
                  out);
    }
    fputs("\n## [keys]\n\n"
          "The Kafka key of tables that have no primary key: one line per table pattern,\n"
          "`db.table = column, column` (`*` and `?` allowed in the pattern; the first line\n"
          "that matches counts), e.g. `pay.audit_* = account_id, seq`. A table with a primary\n"
          "key is always keyed by it. A table with neither gets a null key, and all its\n"
          "messages go to one partition, chosen by its name (`db.table`, murmur2 as the\n"
          "Java client), so its changes keep their order. `binlogd check-config` lists the\n"
          "published tables that have no key. Keys change with a restart, not a reload.\n",
          out);
    fputs("\n## [gate NAME]\n\n"
          "One section per downstream job (`[gate statement]`), any number; see docs/lag.md.\n"
          "Gates change with a restart, not a reload.\n\n"
          "| option | type | default | meaning |\n|---|---|---|---|\n",
          out);
    for (size_t i = 0; i < NGATE_OPTS; i++) {
        const opt *o = &gate_opts[i];
        doc_line(out, o, 0);
    }
    fputs("\n## [columns]\n\n"
          "Sensitive columns, left out, masked or hashed before a row change becomes a message\n"
          "(run, replay and `dump -c` alike; see docs/format.md). One line per column pattern,\n"
          "`db.table.column = action`: `*` and `?` allowed; the column is what follows the\n"
          "last dot and is compared without case, as the server compares column names; the\n"
          "first line that matches a column counts.\n\n"
          "| action | the column in `before` and `after` |\n|---|---|\n"
          "| `exclude` | absent (never part of a key: a table whose primary key it is needs a "
          "`[keys]` line without it) |\n"
          "| `mask:null` | `null` |\n"
          "| `mask:keep-last-N` | the last N characters as they are, each earlier one `*`; "
          "numbers (integers, DECIMAL, FLOAT, DOUBLE, YEAR, BIT) count and star digits only and "
          "become strings "
          "keeping sign, point and scale (`\"***45.67\"`); binary columns stay base64 of "
          "the starred bytes |\n"
          "| `mask:fixed=TEXT` | the string TEXT |\n"
          "| `hash:ID` (or `hash` with one key) | HMAC-SHA-256 of the value's text under "
          "`[hash_key ID]`, hex or base64: the same value gives the same token in every "
          "table, so joins still work; `source.hashed` names the key of each hashed column |\n"
          "\nNULL stays `null` and a column an image lacks stays absent, whatever the action\n"
          "but `exclude` (which always leaves the column out).\n"
          "A masked key column collapses keys, so it is refused like an excluded one. Rules\n"
          "change with a reload (SIGHUP), at the next transaction boundary. `binlogd\n"
          "check-config` lists the columns each rule matches on the server and warns about\n"
          "rules that match none.\n",
          out);
    fputs("\n## [hash_key ID]\n\n"
          "One section per key that `hash:ID` rules name (`[hash_key k2026]`); the id goes into\n"
          "the messages, the key never: not in logs, `/status` or `check-config --print`.\n\n"
          "| option | type | default | meaning |\n|---|---|---|---|\n"
          "| `secret` | text | (required) | where the key is: `file:PATH` or `cred:NAME` (the "
          "first line of the file or systemd credential) or `env:NAME`; the key is that text's "
          "bytes as they are (64 hex digits are 64 bytes of key, not 32 decoded ones), at least "
          "16 (`openssl rand -hex 32`). A new key gets a new id: the same id with other key "
          "material would change its tokens under the same name |\n"
          "| `encoding` | hex\\|base64 | `hex` | the tokens' form: 64 hex digits or 44 base64 "
          "characters |\n",
          out);
}

/* ---- filters and topics ------------------------------------------------- */

/* Does "db.table" match one of the comma-separated patterns? */
/* The next item of a comma-separated list at *p (spaces around it cut):
 * its start, *n its length (0 at the end); *p moves past it. */
static const char *list_next(const char **p, size_t *n)
{
    const char *q = *p;
    while (*q == ' ' || *q == ',' || *q == '\t')
        q++;
    size_t l = strcspn(q, ",");
    size_t e = l;
    while (e && (q[e - 1] == ' ' || q[e - 1] == '\t'))
        e--;
    *p = q + l;
    *n = e;
    return q;
}

static int match_list(const char *list, const char *name)
{
    const char *p = list;
    while (*p) {
        size_t e;
        const char *it = list_next(&p, &e);
        if (e) {
            char pat[512];
            snprintf(pat, sizeof pat, "%.*s", (int)e, it);
            /* a pattern without a dot means a whole database */
            if (!strchr(pat, '.') && strlen(pat) + 2 < sizeof pat) strcat(pat, ".*");
            if (fnmatch(pat, name, 0) == 0) return 1;
        }
    }
    return 0;
}

int bd_config_table_wanted(const bd_config *c, const char *db, size_t dbn, const char *table,
                           size_t tn)
{
    char name[300];
    snprintf(name, sizeof name, "%.*s.%.*s", (int)dbn, db, (int)tn, table);
    if (c->include && *c->include && !match_list(c->include, name)) return 0;
    if (c->exclude && *c->exclude && match_list(c->exclude, name)) return 0;
    return 1;
}

const bd_key_rule *bd_key_rule_match(const bd_key_rule *rules, size_t n, const char *db, size_t dbn,
                                     const char *table, size_t tn)
{
    if (!n) return NULL;
    char name[300];
    snprintf(name, sizeof name, "%.*s.%.*s", (int)dbn, db, (int)tn, table);
    for (size_t i = 0; i < n; i++)
        if (fnmatch(rules[i].pattern, name, 0) == 0) return &rules[i];
    return NULL;
}

const bd_key_rule *bd_config_key_rule(const bd_config *c, const char *db, size_t dbn,
                                      const char *table, size_t tn)
{
    return bd_key_rule_match(c->keys, c->nkeys, db, dbn, table, tn);
}

/* The topic of db.table, or (glob) the fnmatch pattern of the topics of
 * the tables db.table match as patterns: their characters kept as they
 * are. */
static int topic_expand(const bd_config *c, const char *db, size_t dbn, const char *table,
                        size_t tn, int glob, char *out, size_t n)
{
    size_t o = 0;
    for (const char *t = c->topic; *t; t++) {
        const char *v = NULL;
        size_t vl = 0;
        int raw = 0;
        if (!strncmp(t, "{source}", 8)) {
            v = c->source_name, vl = strlen(c->source_name), t += 7;
        } else if (!strncmp(t, "{db}", 4)) {
            v = db, vl = dbn, raw = glob, t += 3;
        } else if (!strncmp(t, "{table}", 7)) {
            v = table, vl = tn, raw = glob, t += 6;
        } else {
            v = t, vl = 1;
        }
        for (size_t i = 0; i < vl; i++) {
            char ch = v[i];
            /* Kafka topic names: [a-zA-Z0-9._-], at most 249 */
            if (!raw && !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                          (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
                ch = '_';
            if (o + 1 >= n || o >= 249) return -1;
            out[o++] = ch;
        }
    }
    out[o] = '\0';
    return o ? 0 : -1;
}

int bd_config_topic(const bd_config *c, const char *db, size_t dbn, const char *table, size_t tn,
                    char *out, size_t n)
{
    return topic_expand(c, db, dbn, table, tn, 0, out, n);
}

int bd_config_topic_of_source(const bd_config *c, const char *topic)
{
    const char *p = c->include && *c->include ? c->include : "*.*";
    while (*p) {
        size_t e;
        const char *it = list_next(&p, &e);
        if (!e) continue;
        /* "db.table", or "db" for a whole database */
        const char *dot = memchr(it, '.', e);
        size_t dbn = dot ? (size_t)(dot - it) : e;
        const char *tb = dot ? dot + 1 : "*";
        size_t tn = dot ? e - dbn - 1 : 1;
        char glob[600];
        if (topic_expand(c, it, dbn, tb, tn, 1, glob, sizeof glob) == 0 &&
            fnmatch(glob, topic, 0) == 0)
            return 1;
    }
    return 0;
}
