/* preflight.h - read-only checks of a source server's settings and grants
 * (docs/source.md, "Pre-flight checks").
 *
 * bd_preflight_run() asks a connected server for the variables and grants
 * binlogd depends on (SHOW GLOBAL VARIABLES, SHOW GRANTS FOR CURRENT_USER();
 * nothing is changed) and fills a report with one finding per item: its
 * severity, the variable and its value, what is wrong, why it matters and
 * the SQL and my.cnf line that fix it.  Variables that the flavour or
 * version does not have are skipped.  The same call serves `binlogd
 * check-config` and the source's start-up (lib/source/source_server.c).
 *
 * Severities: ERROR - binlogd cannot work with this server (stream refused
 * or stops); WARNING - it works, degraded or at risk; INFO - worth knowing;
 * OK - as recommended.
 *
 * Threads: no globals; one MYSQL handle is used by one thread at a time.
 * Ownership: the report is the caller's (fixed size, nothing to free); the
 * MYSQL handle stays the caller's.
 */
#ifndef BINLOGD_PREFLIGHT_H
#define BINLOGD_PREFLIGHT_H

#include <stddef.h>

#include "binlogd/config.h"
#include "binlogd/connection.h"
#include "binlogd/error.h"
#include "binlogd/event.h"

struct st_mysql; /* MYSQL of libmariadb */

enum bd_pf_severity { BD_PF_OK = 0, BD_PF_INFO, BD_PF_WARNING, BD_PF_ERROR };

/* "OK", "INFO", "WARNING", "ERROR" */
const char *bd_pf_severity_name(enum bd_pf_severity s);

typedef struct bd_pf_finding {
    enum bd_pf_severity severity;
    char variable[64]; /* "binlog_format", or "grant:REPLICATION SLAVE" */
    char value[128];   /* as the server reports it */
    char problem[384]; /* what is wrong (or, for OK/INFO, what it means) */
    char why[512];     /* why it matters to binlogd; may be "" */
    char fix[512];     /* the SQL and my.cnf line that fix it; "" if none needed */
} bd_pf_finding;

#define BD_PF_MAX 32

typedef struct bd_preflight_report {
    size_t n;
    bd_pf_finding f[BD_PF_MAX];
    unsigned errors, warnings, infos, oks;
} bd_preflight_report;

typedef struct bd_preflight_opts {
    /* binlog retention below this is a warning; 0: 86400 (one day) */
    unsigned long min_retention_s;
    /* skip SHOW GRANTS (e.g. when the caller already knows) */
    int skip_grants;
} bd_preflight_opts;

/* Run every check on m (connected; flavour and version_num as detected,
 * major*10000 + minor*100 + patch; o may be NULL).  0 with the report
 * filled (look at r->errors), -1 with err set if the server could not be
 * asked at all (the report is then incomplete). */
int bd_preflight_run(struct st_mysql *m, enum bd_flavor flavor, unsigned version_num,
                     const bd_preflight_opts *o, bd_preflight_report *r, bd_err *err);

/* Most parts of a key (MariaDB allows 32, MySQL 16). */
#define BD_PF_KEY_MAX 32

/* A published table without a primary key (bd_preflight_keyless). */
typedef struct bd_pf_table {
    char db[65], table[65];
    const bd_key_rule *rule; /* the [keys] rule that matches it, or NULL */
    char missing[65];        /* a column the rule names that the table lacks; "" if none
                              * (not looked at when ukey is set: the rule is not used) */
    /* The unique key that stands in for the missing primary key, as the
     * server and the daemon's schema source take it (lib/source/source_server.c,
     * ukey_eligible): the first UNIQUE key, in the order STATISTICS lists
     * them, whose parts are all whole NOT NULL columns (and, on MariaDB,
     * not a long unique: INDEX_TYPE HASH outside MEMORY).  The table is
     * then keyed by it and rule, if any, is not used.  NULL: no such key,
     * the table is keyed by rule or has a null key.  The strings live in
     * the same allocation as the array. */
    const char *ukey;
    const char *ukey_cols[BD_PF_KEY_MAX]; /* its columns, in key order */
    size_t nukey_cols;
} bd_pf_table;

/* The base tables that c publishes (its [filter]) and that have no
 * primary key, with the [keys] rule of each and the unique key that keys
 * it in its place, if any (system schemas are left out).  A rule's
 * columns are compared with the table's exactly (bytes, as the daemon
 * compares them with the binlog's names).  0 with *out (n of them, one
 * allocation: the caller free()s it), or -1 with err. */
int bd_preflight_keyless(struct st_mysql *m, const bd_config *c, bd_pf_table **out, size_t *n,
                         bd_err *err);

/* What one [columns] rule does on the server (bd_preflight_columns). */
typedef struct bd_pf_colrule {
    const bd_col_rule *rule;
    char *matches; /* "db.table.column, ..." of the published columns it is the
                      first match of (malloc'ed), NULL: none */
    size_t nmatch;
} bd_pf_colrule;

/* The [columns] rules of c against the server's published tables (its
 * [filter]; system schemas left out): the columns each rule is the first
 * match of (*out: one per rule, c->columns.n of them, in the rules'
 * order), and the tables whose key a rule excludes or masks with no
 * [keys] line to stand in (the daemon stops at their first change), one
 * "`db`.`table`: what and the fix" per line in *problems (malloc'ed, NULL:
 * none; nproblems of them).  The key is the primary key, else the unique
 * key of keyless[0..nk) (bd_preflight_keyless), else none.  (*keys_used)[j]
 * is set when [keys] rule j keys a table in place of a primary key that a
 * rule hides (c->nkeys of them, malloc'ed).  0, or -1 with err; free with
 * bd_preflight_columns_free(). */
int bd_preflight_columns(struct st_mysql *m, const bd_config *c, const bd_pf_table *keyless,
                         size_t nk, bd_pf_colrule **out, char **problems, size_t *nproblems,
                         unsigned char **keys_used, bd_err *err);
void bd_preflight_columns_free(bd_pf_colrule *cr, size_t n, char *problems,
                               unsigned char *keys_used);

/* Connect with the connection fields of o (host, port, user, password,
 * connect_timeout_s, ssl_*; the others are ignored) as bd_server_connect()
 * does (connection.h) and detect the server: flavour, VERSION() into
 * version (vlen bytes) and version_num.  0 ok with *out the caller's
 * (mysql_close() it); -1 with err saying what failed and what to do. */
int bd_preflight_connect(const bd_server_opts *o, struct st_mysql **out, enum bd_flavor *flavor,
                         char *version, size_t vlen, unsigned *version_num, bd_err *err);

#endif
