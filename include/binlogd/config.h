/* config.h - the daemon's configuration: a file of `key = value` lines in
 * [sections], like my.cnf, read with libinih.
 *
 * Every option is defined once, in the table in lib/state/config.c (section,
 * name, type, default, bounds, whether SIGHUP may change it, help).  The
 * table drives parsing, `binlogd run --help`, `binlogd check-config` and
 * docs/config.md (`binlogd config-doc`), so they cannot disagree.
 *
 * Keys of [kafka] that are not binlogd's own go to librdkafka as they are
 * (bootstrap.servers, linger.ms, security.protocol, ...).  Secrets are
 * never written in the file: source.password_file / source.password_env,
 * and for librdkafka's secret properties a value "file:PATH", "cred:NAME"
 * (a systemd credential) or "env:NAME" (any other value of a secret
 * property is refused); file options may name a credential too.  Secret
 * values are never printed by bd_config_print().
 *
 * Errors cite FILE:LINE.  Ownership: a bd_config owns every string in it;
 * bd_config_release() frees them.  No globals: a config is a value, so a
 * reload builds a new one beside the running one.
 */
#ifndef BINLOGD_CONFIG_H
#define BINLOGD_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "binlogd/columns.h"
#include "binlogd/error.h"
/* bd_parse_secs and the other value parsers the options are read with;
 * included so that the callers of bd_parse_secs, declared here before
 * parse.h existed, need no change */
#include "binlogd/parse.h"

enum bd_oversize { BD_OVERSIZE_FAIL = 0, BD_OVERSIZE_SKIP = 1 };
/* [source] on_statement: a row change logged as a statement on a published table */
enum bd_on_statement { BD_ON_STATEMENT_FAIL = 0, BD_ON_STATEMENT_SKIP = 1 };
/* [source] ddl_ahead: today's columns of a table that a DDL not read yet may
 * have changed (source_server.h) */
enum bd_ddl_ahead { BD_DDL_AHEAD_FAIL = 0, BD_DDL_AHEAD_TRUST = 1 };

/* [keys]: the key columns of the tables a pattern matches, for tables
 * without a primary key. */
typedef struct bd_key_rule {
    char *pattern; /* db.table with * and ? */
    char **cols;   /* column names, in key order */
    size_t ncols;
} bd_key_rule;
/* the stages a change passes on its way (lag.h) */
enum bd_stage_opt { BD_STAGE_OPT_READ = 0, BD_STAGE_OPT_ACKED = 1, BD_STAGE_OPT_DURABLE = 2 };

/* [gate NAME]: a downstream job's needs (see docs/lag.md).  Times of day
 * are seconds after local midnight in the gate's time zone. */
typedef struct bd_gate_config {
    char *name;
    char *tables;      /* comma-separated db.table, as written */
    char **table_list; /* the same split: "db.table" each, ntables of them */
    size_t ntables;
    char *cutoff;         /* "HH:MM[:SS]": every day the tables must be complete to */
    int cutoff_s;         /* parsed */
    char *timezone;       /* IANA name, UTC or +HH:MM; default UTC */
    char *consumer_group; /* NULL: the stage below must be passed instead */
    char *job_start;      /* "HH:MM[:SS]" the job starts (after the cut-off); NULL: the cut-off */
    int job_start_s;
    double margin_s;   /* at risk from this long before the job's start */
    double max_skew_s; /* 0: skew not checked */
    int stage;         /* enum bd_stage_opt, when no consumer group */
} bd_gate_config;
enum bd_log_level { BD_LOG_ERROR = 3, BD_LOG_WARNING = 4, BD_LOG_INFO = 6, BD_LOG_DEBUG = 7 };

typedef struct bd_config {
    char *path; /* the file read, for messages */

    /* [source] */
    char *source_name; /* {source} in topic names; default: host */
    char *host;
    unsigned port;
    char *user;
    char *password_file;
    char *password_env;
    uint32_t server_id;
    char *ssl_mode; /* as --ssl-mode */
    char *ssl_ca, *ssl_capath, *ssl_cert, *ssl_key;
    double heartbeat_s;
    unsigned batch_wait_ms;  /* [source] batch_wait */
    unsigned read_timeout_s; /* 0: 3 x heartbeat */
    unsigned connect_timeout_s;
    char *start; /* without a checkpoint: oldest | head | FILE[:POS] | gtid:SET */
    int allow_server_change;
    int on_statement; /* enum bd_on_statement */
    int ddl_ahead;    /* enum bd_ddl_ahead */

    /* [kafka] */
    char *topic;    /* template: {source}, {db}, {table} */
    int oversize;   /* enum bd_oversize */
    int tombstones; /* a null-value message after each delete (compacted topics) */
    int allow_unsafe;
    int exactly_once;            /* Kafka transactions with the checkpoint record in them */
    char *state_topic;           /* the compacted topic of the position */
    unsigned txn_max_ms;         /* a Kafka transaction commits at the next boundary after this */
    int standby;                 /* join the group of the source on the state topic */
    unsigned standby_timeout_ms; /* the member's session timeout */
    char **kafka;                /* librdkafka properties, name/value pairs (secrets resolved) */
    size_t nkafka;

    /* [filter] */
    char *include; /* comma-separated db.table patterns with * and ? */
    char *exclude;

    /* [state] */
    char *state_dir;
    unsigned checkpoint_interval_ms;

    /* [daemon] */
    int log_level;          /* enum bd_log_level */
    uint64_t max_in_flight; /* messages produced and not acknowledged */
    uint64_t max_in_flight_bytes;

    /* [lag] */
    unsigned head_poll_ms;      /* control connection: head position, expiry */
    double alert_lag_s;         /* 0: no lag alert */
    int alert_stage;            /* enum bd_stage_opt of the lag alert */
    double retention_alert_s;   /* retention headroom alert; 0: none */
    double kafka_stall_alert_s; /* in flight with no acknowledgement this long */
    double disconnect_alert_s;  /* source disconnected this long */
    char *heartbeat_table;      /* "db.table" of the heartbeat probe; "" off */
    unsigned heartbeat_interval_ms;
    unsigned consumer_poll_ms; /* consumer groups' committed offsets */

    /* [http] */
    char *http_listen;                     /* host:port of /metrics etc.; "" off */
    char *http_tls_cert, *http_tls_key;    /* PEM files: HTTPS; NULL: plain HTTP */
    char *http_auth_user, *http_auth_hash; /* basic authentication; NULL: none */

    /* [alert] */
    char *webhook; /* Alertmanager API v2 URL (.../api/v2/alerts); "" off */
    unsigned webhook_timeout_ms;
    unsigned webhook_retries;
    double alert_repeat_s; /* firing alerts are sent again this often */

    /* [snapshot] (docs/snapshot.md) */
    char *snap_signal_table;  /* "db.table" of the watermarks */
    char *snap_tables;        /* patterns requested at start; "" none */
    char *snap_where;         /* their condition; "" none */
    double snap_max_lag_s;    /* chunks pause while the acked lag is above this */
    double snap_chunk_time_s; /* a chunk's read aims at this */
    unsigned snap_chunk_min, snap_chunk_max;
    double snap_window_timeout_s; /* a window not closed by then is read again */

    /* [keys] */
    bd_key_rule *keys;
    size_t nkeys;

    /* [gate NAME] sections */
    bd_gate_config *gates;
    size_t ngates;
    /* [columns] rules and the [hash_key ID] sections they hash with
     * (columns.h); reloadable */
    bd_col_rules columns;
} bd_config;

/* Defaults, then the file.  -1 with err "FILE:LINE: what" for anything the
 * file gets wrong, or a missing required option. */
int bd_config_load(bd_config *c, const char *path, bd_err *err);
/* What `binlogd gate` needs of the same file: every line is read and
 * checked as above ([gate NAME] sections in full), but nothing is
 * required (a file of only [http] and [gate NAME] will do) and secrets
 * are not read (a scheduler's user may not be able to): [kafka] secret
 * properties are left out of c, password files are not opened. */
int bd_config_load_gates(bd_config *c, const char *path, bd_err *err);
/* What `dump -c` needs: as bd_config_load_gates (nothing required,
 * [kafka] secrets and password files not read), but the [hash_key ID]
 * secrets are read, so that [columns] rules apply. */
int bd_config_load_columns(bd_config *c, const char *path, bd_err *err);
void bd_config_release(bd_config *c);

/* The gate called name, or NULL. */
const bd_gate_config *bd_config_gate(const bd_config *c, const char *name);

/* The password of the source (from password_file or password_env) into
 * buf; 0, or -1 with err naming the file. */
int bd_config_source_password(const bd_config *c, char *buf, size_t n, bd_err *err);

/* Options that differ between a and b and that SIGHUP cannot change, as a
 * comma-separated list into buf ("" when a reload may proceed). */
void bd_config_unreloadable(const bd_config *a, const bd_config *b, char *buf, size_t n);

/* The effective configuration as a config file (secrets as "(secret)"). */
void bd_config_print(const bd_config *c, FILE *out);
/* The options with their defaults and help: for --help. */
void bd_config_help(FILE *out);
/* docs/config.md. */
void bd_config_doc(FILE *out);

/* Does db.table pass the include/exclude filters? */
int bd_config_table_wanted(const bd_config *c, const char *db, size_t dbn, const char *table,
                           size_t tn);

/* The first of the n rules whose pattern matches db.table, or NULL.  The
 * publish stage holds the rules without the config they came from. */
const bd_key_rule *bd_key_rule_match(const bd_key_rule *rules, size_t n, const char *db, size_t dbn,
                                     const char *table, size_t tn);

/* The first [keys] rule of c whose pattern matches db.table, or NULL. */
const bd_key_rule *bd_config_key_rule(const bd_config *c, const char *db, size_t dbn,
                                      const char *table, size_t tn);

/* The topic of db.table from the template. */
int bd_config_topic(const bd_config *c, const char *db, size_t dbn, const char *table, size_t tn,
                    char *out, size_t n);
/* A start position as [source] start and run --start take it (oldest,
 * head, FILE[:POS], gtid:SET): NULL when good, else why (in why, n bytes;
 * what names the setting). */
const char *bd_config_start_check(const char *what, const char *s, char *why, size_t n);

/* Could topic be the topic of a table this source publishes: made by
 * [kafka] topic from a db.table that [filter] include names (any, when
 * empty)?  1 or 0.  For a start without a position: do this source's
 * topics hold messages already? */
int bd_config_topic_of_source(const bd_config *c, const char *topic);

#endif
