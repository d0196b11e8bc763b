/* preflight.c - see include/binlogd/preflight.h. */
#include "binlogd/preflight.h"
#include "binlogd/connection.h"
#include "binlogd/event.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mysql.h>

const char *bd_pf_severity_name(enum bd_pf_severity s)
{
    switch (s) {
    case BD_PF_OK: return "OK";
    case BD_PF_INFO: return "INFO";
    case BD_PF_WARNING: return "WARNING";
    case BD_PF_ERROR: return "ERROR";
    }
    return "?";
}

/* ---- the variables ----------------------------------------------------- */

static const char *const var_names[] = {
    "log_bin",
    "binlog_format",
    "binlog_row_image",
    "binlog_row_metadata",
    "binlog_row_value_options",
    "binlog_transaction_compression",
    "log_bin_compress",
    "binlog_checksum",
    "gtid_mode",
    "gtid_strict_mode",
    "binlog_expire_logs_seconds",
    "expire_logs_days",
    "binlog_expire_logs_auto_purge",
};
#define NVARS (sizeof var_names / sizeof var_names[0])

typedef struct pf_ctx {
    enum bd_flavor flavor;
    unsigned version_num;
    const char *cnf; /* "[mariadbd]" or "[mysqld]" */
    int have[NVARS];
    char val[NVARS][128];
    bd_preflight_report *r;
} pf_ctx;

static int var_index(const char *name)
{
    for (size_t i = 0; i < NVARS; i++)
        if (!strcasecmp(name, var_names[i])) return (int)i;
    return -1;
}

/* The value of a variable, or NULL if the server does not have it. */
static const char *var(const pf_ctx *c, const char *name)
{
    int i = var_index(name);
    return i >= 0 && c->have[i] ? c->val[i] : NULL;
}

static int is_on(const char *v) { return v && (!strcasecmp(v, "ON") || !strcmp(v, "1")); }

/* One query for all of them: SHOW GLOBAL VARIABLES lists only those the
 * server has, so a variable of another flavour/version is simply absent. */
static int load_vars_show(MYSQL *m, pf_ctx *c)
{
    char q[1024];
    size_t n = (size_t)snprintf(q, sizeof q, "SHOW GLOBAL VARIABLES WHERE Variable_name IN (");
    for (size_t i = 0; i < NVARS; i++)
        n += (size_t)snprintf(q + n, sizeof q - n, "%s'%s'", i ? "," : "", var_names[i]);
    snprintf(q + n, sizeof q - n, ")");
    if (mysql_query(m, q)) return -1;
    MYSQL_RES *res = mysql_store_result(m);
    if (!res) return -1;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res))) {
        if (!row[0]) continue;
        int i = var_index(row[0]);
        if (i < 0) continue;
        c->have[i] = 1;
        snprintf(c->val[i], sizeof c->val[i], "%s", row[1] ? row[1] : "");
    }
    mysql_free_result(res);
    return 0;
}

/* Fallback, one SELECT @@global.x each; "Unknown system variable" means
 * absent.  -1 (with err) on any other error. */
static int load_vars_select(MYSQL *m, pf_ctx *c, bd_err *err)
{
    for (size_t i = 0; i < NVARS; i++) {
        char q[128];
        snprintf(q, sizeof q, "SELECT @@global.%s", var_names[i]);
        if (mysql_query(m, q)) {
            if (mysql_errno(m) == BD_ER_UNKNOWN_SYSTEM_VARIABLE) continue;
            return bd_err_set(err, BD_ERR_IO, "reading server settings: %s: %u: %s", q,
                              mysql_errno(m), mysql_error(m));
        }
        MYSQL_RES *res = mysql_store_result(m);
        MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
        if (row) {
            c->have[i] = 1;
            snprintf(c->val[i], sizeof c->val[i], "%s", row[0] ? row[0] : "");
        }
        if (res) mysql_free_result(res);
    }
    return 0;
}

/* ---- findings ------------------------------------------------------------ */

static void add(pf_ctx *c, enum bd_pf_severity sev, const char *variable, const char *value,
                const char *why, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
static void add(pf_ctx *c, enum bd_pf_severity sev, const char *variable, const char *value,
                const char *why, const char *fix, const char *fmt, ...)
{
    bd_preflight_report *r = c->r;
    if (r->n >= BD_PF_MAX) return;
    bd_pf_finding *f = &r->f[r->n++];
    memset(f, 0, sizeof *f);
    f->severity = sev;
    snprintf(f->variable, sizeof f->variable, "%s", variable);
    snprintf(f->value, sizeof f->value, "%s", value ? value : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->problem, sizeof f->problem, fmt, ap);
    va_end(ap);
    snprintf(f->why, sizeof f->why, "%s", why ? why : "");
    snprintf(f->fix, sizeof f->fix, "%s", fix ? fix : "");
    switch (sev) {
    case BD_PF_OK: r->oks++; break;
    case BD_PF_INFO: r->infos++; break;
    case BD_PF_WARNING: r->warnings++; break;
    case BD_PF_ERROR: r->errors++; break;
    }
}

/* "SET GLOBAL name='value'; and name=value in the [mysqld] section of my.cnf" */
static const char *set_fix(const pf_ctx *c, char *buf, size_t n, const char *name,
                           const char *value)
{
    snprintf(buf, n,
             "SET GLOBAL %s='%s'; and %s=%s in the %s section of my.cnf (SET GLOBAL applies to "
             "new sessions; my.cnf makes it survive a restart)",
             name, value, name, value, c->cnf);
    return buf;
}

static void human_secs(double s, char *buf, size_t n)
{
    if (s >= 86400 * 2)
        snprintf(buf, n, "%.1f days", s / 86400);
    else if (s >= 7200)
        snprintf(buf, n, "%.1f hours", s / 3600);
    else if (s >= 120)
        snprintf(buf, n, "%.0f minutes", s / 60);
    else
        snprintf(buf, n, "%.0f seconds", s);
}

static void check_log_bin(pf_ctx *c)
{
    const char *v = var(c, "log_bin");
    char fix[512];
    if (!v) return;
    if (is_on(v)) {
        add(c, BD_PF_OK, "log_bin", v, NULL, NULL, "the server writes a binary log");
        return;
    }
    snprintf(fix, sizeof fix,
             "add log_bin=binlog, binlog_format=ROW and server_id=N to the %s section of my.cnf "
             "and restart the server (log_bin cannot be changed while it runs)",
             c->cnf);
    add(c, BD_PF_ERROR, "log_bin", v,
        "binlogd reads the binary log as a replica; without it there is nothing to read", fix,
        "the server does not write a binary log");
}

static void check_format(pf_ctx *c)
{
    const char *v = var(c, "binlog_format");
    char fix[512];
    if (!v) return;
    if (!strcasecmp(v, "ROW")) {
        add(c, BD_PF_OK, "binlog_format", v, NULL, NULL, "row images are logged");
        return;
    }
    add(c, BD_PF_ERROR, "binlog_format", v,
        "binlogd publishes row changes and needs row images; STATEMENT/MIXED log SQL text "
        "instead, so the stream is refused",
        set_fix(c, fix, sizeof fix, "binlog_format", "ROW"), "binlog_format is %s, not ROW: %s", v,
        strcasecmp(v, "MIXED") ? "statements, not rows, are logged"
                               : "most changes are logged as statements, not rows");
}

static void check_row_image(pf_ctx *c)
{
    const char *v = var(c, "binlog_row_image");
    char fix[512];
    if (!v) return;
    if (!strcasecmp(v, "FULL")) {
        add(c, BD_PF_OK, "binlog_row_image", v, NULL, NULL, "before and after images are complete");
        return;
    }
    add(c, BD_PF_WARNING, "binlog_row_image", v,
        "row images leave columns out (MINIMAL: all but the key and the changed columns; "
        "NOBLOB: unchanged BLOB/TEXT; FULL_NODUP: unchanged columns of the after image), so "
        "'before'/'after' lack those columns and consumers cannot rebuild whole rows",
        set_fix(c, fix, sizeof fix, "binlog_row_image", "FULL"),
        "row images are not complete (FULL recommended)");
}

static void check_row_metadata(pf_ctx *c)
{
    const char *v = var(c, "binlog_row_metadata");
    char fix[512];
    if (!v) return;
    if (!strcasecmp(v, "FULL")) {
        add(c, BD_PF_OK, "binlog_row_metadata", v, NULL, NULL,
            "TABLE_MAP events carry column names, signedness and keys");
        return;
    }
    set_fix(c, fix, sizeof fix, "binlog_row_metadata", "FULL");
    /* Not a warning: the schema source fills in what the map lacks, and
     * messages are the same as with FULL (docs/format.md).  FULL still
     * spares the lookups and covers the one case the history cannot. */
    add(c, BD_PF_INFO, "binlog_row_metadata", v,
        "binlogd reads column names, primary keys, ENUM/SET members (and, without MINIMAL, "
        "signedness and charsets) from information_schema at first sight of each table and "
        "keeps them in its schema history, so messages are the same as with FULL; it needs "
        "SELECT, and a backlog that crosses a DDL made before binlogd first saw the table "
        "stops rather than guess. `binlogd dump FILE` of these files prints positional "
        "columns",
        fix,
        !strcasecmp(v, "MINIMAL")
            ? "TABLE_MAP events carry signedness and charsets, no column names, keys or "
              "ENUM/SET members"
            : "TABLE_MAP events carry no column names, keys, members, signedness or charsets");
}

static void check_value_options(pf_ctx *c)
{
    const char *v = var(c, "binlog_row_value_options");
    const char *img = var(c, "binlog_row_image");
    char fix[512];
    if (!v) return;
    if (!strcasestr(v, "PARTIAL_JSON")) {
        add(c, BD_PF_OK, "binlog_row_value_options", v[0] ? v : "''", NULL, NULL,
            "JSON columns are logged whole");
        return;
    }
    if (img && !strcasecmp(img, "FULL")) {
        add(c, BD_PF_OK, "binlog_row_value_options", v, NULL, NULL,
            "PARTIAL_JSON has no effect while binlog_row_image=FULL (it would with MINIMAL or "
            "NOBLOB)");
        return;
    }
    snprintf(fix, sizeof fix,
             "SET GLOBAL binlog_row_value_options=''; and binlog_row_value_options= (empty) in "
             "the %s section of my.cnf; or set binlog_row_image=FULL",
             c->cnf);
    add(c, BD_PF_ERROR, "binlog_row_value_options", v,
        "JSON updates are logged as diffs against a before image the binlog does not hold "
        "(binlog_row_image is not FULL): binlogd cannot rebuild the value and stops at the "
        "first such update (fail closed)",
        fix, "partial JSON updates with binlog_row_image=%s", img ? img : "?");
}

static void check_compression(pf_ctx *c)
{
    const char *v = var(c, "binlog_transaction_compression");
    if (v)
        add(c, BD_PF_OK, "binlog_transaction_compression", v, NULL, NULL,
            is_on(v) ? "compressed transactions (TRANSACTION_PAYLOAD) are decoded"
                     : "transactions are not compressed");
    v = var(c, "log_bin_compress");
    if (v)
        add(c, BD_PF_OK, "log_bin_compress", v, NULL, NULL,
            is_on(v) ? "compressed events are decoded" : "events are not compressed");
}

static void check_checksum(pf_ctx *c)
{
    const char *v = var(c, "binlog_checksum");
    char fix[512];
    if (!v) return;
    if (!strcasecmp(v, "CRC32")) {
        add(c, BD_PF_OK, "binlog_checksum", v, NULL, NULL, "every event is verified");
        return;
    }
    add(c, BD_PF_WARNING, "binlog_checksum", v,
        "without checksums a corrupted event on disk or in transit is decoded as if it were "
        "good; with CRC32 binlogd verifies each event and stops at a mismatch",
        set_fix(c, fix, sizeof fix, "binlog_checksum", "CRC32"),
        "events carry no checksum (CRC32 recommended)");
}

static void check_gtid(pf_ctx *c)
{
    char fix[512];
    const char *v = var(c, "gtid_mode");
    if (c->flavor == BD_FLAVOR_MYSQL && v) {
        if (!strcasecmp(v, "ON")) {
            add(c, BD_PF_OK, "gtid_mode", v, NULL, NULL, "transactions carry GTIDs");
            return;
        }
        snprintf(fix, sizeof fix,
                 "step gtid_mode up one value at a time (OFF -> OFF_PERMISSIVE -> ON_PERMISSIVE "
                 "-> ON, with enforce_gtid_consistency=ON first) with SET GLOBAL gtid_mode=...; "
                 "then gtid_mode=ON and enforce_gtid_consistency=ON in the %s section of my.cnf",
                 c->cnf);
        add(c, BD_PF_WARNING, "gtid_mode", v,
            "positions are binlog file:pos only, which mean nothing on another server: after a "
            "failover the position must be mapped by hand",
            fix, "transactions do not all carry GTIDs");
        return;
    }
    v = var(c, "gtid_strict_mode");
    if (c->flavor == BD_FLAVOR_MARIADB && v) {
        if (is_on(v)) {
            add(c, BD_PF_OK, "gtid_strict_mode", v, NULL, NULL,
                "GTIDs are strictly increasing per domain");
            return;
        }
        add(c, BD_PF_INFO, "gtid_strict_mode", v,
            "MariaDB GTID positions work; without strict mode the server accepts out-of-order "
            "GTIDs, which can make a GTID position ambiguous after a failover",
            set_fix(c, fix, sizeof fix, "gtid_strict_mode", "ON"), "GTID order is not enforced");
    }
}

static void check_retention(pf_ctx *c, unsigned long min_s)
{
    const char *secs = var(c, "binlog_expire_logs_seconds");
    const char *days = var(c, "expire_logs_days");
    const char *autop = var(c, "binlog_expire_logs_auto_purge");
    char fix[512], h[64], val[128];
    if (!secs && !days) return;
    double s = secs ? strtod(secs, NULL) : 0;
    const char *name = "binlog_expire_logs_seconds";
    if (s <= 0 && days && strtod(days, NULL) > 0) {
        s = strtod(days, NULL) * 86400;
        name = "expire_logs_days";
    } else if (!secs) {
        name = "expire_logs_days";
    }
    snprintf(val, sizeof val, "%s", name[0] == 'b' ? (secs ? secs : "0") : days);
    if (autop && !is_on(autop)) {
        add(c, BD_PF_OK, "binlog_expire_logs_auto_purge", autop, NULL, NULL,
            "binlogs are never purged automatically (watch the disk)");
        return;
    }
    if (s <= 0) {
        add(c, BD_PF_OK, name, val, NULL, NULL,
            "binlogs are never purged automatically (watch the disk)");
        return;
    }
    human_secs(s, h, sizeof h);
    if (s >= (double)min_s) {
        add(c, BD_PF_OK, name, val, NULL, NULL,
            "binlogs are kept %s: binlogd can be down about that long and resume", h);
        return;
    }
    snprintf(fix, sizeof fix,
             "SET GLOBAL binlog_expire_logs_seconds=604800; and binlog_expire_logs_seconds=604800 "
             "(7 days) in the %s section of my.cnf",
             c->cnf);
    if (c->flavor == BD_FLAVOR_MYSQL && c->version_num < 80000)
        snprintf(fix, sizeof fix,
                 "SET GLOBAL expire_logs_days=7; and expire_logs_days=7 in the %s section of "
                 "my.cnf",
                 c->cnf);
    else if (c->flavor == BD_FLAVOR_MARIADB && c->version_num < 100601)
        snprintf(fix, sizeof fix,
                 "SET GLOBAL expire_logs_days=7; and expire_logs_days=7 in the %s section of "
                 "my.cnf",
                 c->cnf);
    char why[512];
    snprintf(why, sizeof why,
             "a binlogd outage (or a lag) longer than about %s loses its position: the binlog it "
             "needs is purged, the stream stops with 'purged' and the tables need a new "
             "snapshot",
             h);
    add(c, BD_PF_WARNING, name, val, why, fix, "binlogs are purged after only %s", h);
}

/* ---- grants ---------------------------------------------------------------- */

typedef struct grants {
    int all, repl_slave, repl_client, select_global, select_some, roles, super;
} grants;

/* One SHOW GRANTS line: "GRANT p1, p2 (cols), ... ON obj TO ..." */
static void parse_grant(const char *line, grants *g)
{
    if (strncasecmp(line, "GRANT ", 6) != 0) return;
    const char *p = line + 6;
    const char *on = strcasestr(p, " ON ");
    const char *to = strcasestr(p, " TO ");
    if (!on || (to && to < on)) {
        g->roles = 1; /* GRANT role TO user */
        return;
    }
    const char *obj = on + 4;
    int global = !strncmp(obj, "*.* ", 4);
    /* privileges, split at commas outside parentheses */
    char priv[128];
    size_t n = 0;
    int depth = 0;
    for (const char *q = p;; q++) {
        int end = q == on;
        if (!end && *q == '(') depth++;
        if (!end && *q == ')' && depth) depth--;
        if (end || (*q == ',' && !depth)) {
            priv[n] = '\0';
            char *s = priv;
            while (*s == ' ')
                s++;
            char *paren = strchr(s, '(');
            if (paren) *paren = '\0';
            size_t l = strlen(s);
            while (l && s[l - 1] == ' ')
                s[--l] = '\0';
            if (!strcasecmp(s, "ALL PRIVILEGES") || !strcasecmp(s, "ALL")) {
                if (global) g->all = 1;
                g->select_some = 1;
            } else if (!strcasecmp(s, "SELECT")) {
                if (global) g->select_global = 1;
                g->select_some = 1;
            } else if (global && !strcasecmp(s, "REPLICATION SLAVE")) {
                g->repl_slave = 1;
            } else if (global &&
                       (!strcasecmp(s, "REPLICATION CLIENT") || !strcasecmp(s, "BINLOG MONITOR"))) {
                g->repl_client = 1;
            } else if (global && !strcasecmp(s, "SUPER")) {
                g->super = 1;
            }
            n = 0;
            if (end) break;
            continue;
        }
        if (n < sizeof priv - 1) priv[n++] = *q;
    }
}

static void check_grants(MYSQL *m, pf_ctx *c)
{
    char acct[300] = "", who[320], fix[512];
    if (!mysql_query(m, "SELECT CURRENT_USER()")) {
        MYSQL_RES *res = mysql_store_result(m);
        MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
        if (row && row[0]) snprintf(acct, sizeof acct, "%s", row[0]);
        if (res) mysql_free_result(res);
    }
    const char *at = strrchr(acct, '@');
    if (at)
        snprintf(who, sizeof who, "'%.*s'@'%s'", (int)(at - acct), acct, at + 1);
    else
        snprintf(who, sizeof who, "'%s'", acct[0] ? acct : "<user>");

    if (mysql_query(m, "SHOW GRANTS FOR CURRENT_USER()")) {
        add(c, BD_PF_WARNING, "grants", acct, "the needed grants could not be checked", NULL,
            "SHOW GRANTS failed: %u: %s", mysql_errno(m), mysql_error(m));
        return;
    }
    MYSQL_RES *res = mysql_store_result(m);
    grants g;
    memset(&g, 0, sizeof g);
    MYSQL_ROW row;
    while (res && (row = mysql_fetch_row(res)))
        if (row[0]) parse_grant(row[0], &g);
    if (res) mysql_free_result(res);

    /* privileges a role grants are not in this list: missing ones are then
     * only a warning */
    enum bd_pf_severity miss = g.roles ? BD_PF_WARNING : BD_PF_ERROR;
    const char *role_note = g.roles ? " (unless an active role grants it)" : "";
    int mariadb = c->flavor == BD_FLAVOR_MARIADB;
    /* MariaDB before 10.5 (and MySQL) call it REPLICATION CLIENT */
    const char *client =
        mariadb && c->version_num >= 100502 ? "BINLOG MONITOR" : "REPLICATION CLIENT";
    char var_name[64];

    snprintf(var_name, sizeof var_name, "grant:REPLICATION SLAVE");
    if (g.all || g.repl_slave) {
        add(c, BD_PF_OK, var_name, acct, NULL, NULL, "%s may read the binlog", acct);
    } else {
        snprintf(fix, sizeof fix, "GRANT REPLICATION SLAVE ON *.* TO %s;", who);
        add(c, miss, var_name, acct,
            "the server refuses to send its binlog (COM_BINLOG_DUMP) without it", fix,
            "%s lacks REPLICATION SLAVE%s", acct, role_note);
    }
    snprintf(var_name, sizeof var_name, "grant:%s", client);
    /* SUPER implied it before MariaDB 10.5.2 */
    if (g.all || g.repl_client || (g.super && !(mariadb && c->version_num >= 100502))) {
        add(c, BD_PF_OK, var_name, acct, NULL, NULL, "%s may list binlogs and the head", acct);
    } else {
        snprintf(fix, sizeof fix, "GRANT %s ON *.* TO %s;", client, who);
        add(c, miss, var_name, acct,
            "SHOW BINARY LOGS / SHOW MASTER STATUS need it: the default start (oldest binlog), "
            "--from-head, lag and retention headroom cannot be measured",
            fix, "%s lacks %s%s", acct, client, role_note);
    }
    snprintf(var_name, sizeof var_name, "grant:SELECT");
    if (g.all || g.select_global) {
        add(c, BD_PF_OK, var_name, acct, NULL, NULL,
            "%s can read table definitions from information_schema", acct);
    } else {
        snprintf(fix, sizeof fix,
                 "GRANT SELECT ON *.* TO %s; (or GRANT SELECT ON db.* for each replicated "
                 "database)",
                 who);
        add(c, BD_PF_WARNING, var_name, acct,
            "information_schema shows only tables the account has privileges on: without "
            "SELECT binlogd cannot name columns the binlog does not name (binlog_row_metadata "
            "not FULL)",
            fix, "%s has no global SELECT%s", acct,
            g.select_some ? " (only on some databases)" : "");
    }
}

/* ---- entry points --------------------------------------------------------- */

int bd_preflight_run(struct st_mysql *m, enum bd_flavor flavor, unsigned version_num,
                     const bd_preflight_opts *o, bd_preflight_report *r, bd_err *err)
{
    static const bd_preflight_opts defaults = {0};
    if (!o) o = &defaults;
    memset(r, 0, sizeof *r);
    pf_ctx *c = calloc(1, sizeof *c);
    if (!c) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    c->flavor = flavor;
    c->version_num = version_num;
    c->cnf = flavor == BD_FLAVOR_MARIADB ? "[mariadbd]" : "[mysqld]";
    c->r = r;
    if (load_vars_show(m, c) < 0) {
        memset(c->have, 0, sizeof c->have);
        if (load_vars_select(m, c, err) < 0) {
            free(c);
            return -1;
        }
    }
    check_log_bin(c);
    check_format(c);
    check_row_image(c);
    check_row_metadata(c);
    check_value_options(c);
    check_compression(c);
    check_checksum(c);
    check_gtid(c);
    check_retention(c, o->min_retention_s ? o->min_retention_s : 86400);
    if (!o->skip_grants) check_grants(m, c);
    free(c);
    return 0;
}

/* ---- the published tables without a primary key --------------------------- */

/* Strings of the tables, kept apart while the array is built and then
 * copied after it into one allocation (the caller frees one block). */
typedef struct pf_arena {
    char *p;
    size_t n, cap;
} pf_arena;

/* Append s (with its NUL): its offset, or (size_t)-1 out of memory. */
static size_t arena_add(pf_arena *a, const char *s)
{
    size_t l = strlen(s) + 1;
    if (a->n + l > a->cap) {
        size_t cap = a->cap ? a->cap : 1024;
        while (cap < a->n + l)
            cap *= 2;
        char *p = realloc(a->p, cap);
        if (!p) return (size_t)-1;
        a->p = p;
        a->cap = cap;
    }
    memcpy(a->p + a->n, s, l);
    a->n += l;
    return a->n - l;
}

/* A table's unique key as offsets into the arena (ncols 0: none). */
typedef struct pf_ukey {
    size_t name, col[BD_PF_KEY_MAX], ncols;
} pf_ukey;

static void escape_names(MYSQL *m, const char *db, const char *tb, char edb[2 * 64 + 1],
                         char etb[2 * 64 + 1])
{
    mysql_real_escape_string(m, edb, db, (unsigned long)strlen(db));
    mysql_real_escape_string(m, etb, tb, (unsigned long)strlen(tb));
}

/* Rows of information_schema.STATISTICS for the unique keys: INDEX_NAME,
 * SEQ_IN_INDEX, COLUMN_NAME, SUB_PART, NULLABLE, INDEX_TYPE. */
enum { UK_INDEX, UK_SEQ, UK_COL, UK_SUB, UK_NULLABLE, UK_TYPE };

/* Can unique key 'name' stand in for the primary key?  As ukey_eligible in
 * lib/source/source_server.c (the daemon's schema source) and the server decide:
 * every part a whole NOT NULL column (a MySQL functional part has no
 * column), and not a MariaDB long unique (HASH outside MEMORY tables). */
static int ukey_ok(MYSQL_ROW *u, size_t n, const char *name, int maria, int long_hash)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(u[i][UK_INDEX] ? u[i][UK_INDEX] : "", name) != 0) continue;
        int hash = maria && u[i][UK_TYPE] && !strcmp(u[i][UK_TYPE], "HASH");
        if (!u[i][UK_COL] || u[i][UK_SUB] || (u[i][UK_NULLABLE] && u[i][UK_NULLABLE][0]) ||
            (hash && long_hash))
            return 0;
    }
    return 1;
}

/* The unique key that keys db.tb in place of a primary key, into *k
 * (k->ncols 0: none).  0, or -1 with err. */
static int table_ukey(MYSQL *m, const char *db, const char *tb, int maria, int long_hash,
                      pf_arena *a, pf_ukey *k, bd_err *err)
{
    char edb[2 * 64 + 1], etb[2 * 64 + 1], q[1024];
    escape_names(m, db, tb, edb, etb);
    k->ncols = 0;
    /* the query of schema_query: the same rows in the same order (the
     * server's order of keys decides which one stands in) */
    snprintf(q, sizeof q,
             "SELECT INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART, NULLABLE, INDEX_TYPE "
             "FROM information_schema.STATISTICS "
             "WHERE TABLE_SCHEMA = '%s' AND TABLE_NAME = '%s' AND NON_UNIQUE = 0",
             edb, etb);
    MYSQL_RES *res = mysql_query(m, q) ? NULL : mysql_store_result(m);
    if (!res)
        return bd_err_set(err, BD_ERR_IO, "information_schema.STATISTICS: %u: %s", mysql_errno(m),
                          mysql_error(m));
    size_t nu = (size_t)mysql_num_rows(res), iu = 0;
    MYSQL_ROW *u = calloc(nu ? nu : 1, sizeof *u), row;
    if (!u) {
        mysql_free_result(res);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    while (iu < nu && (row = mysql_fetch_row(res)) != NULL)
        u[iu++] = row;
    nu = iu;
    const char *key = NULL;
    for (size_t i = 0; i < nu && !key; i++)
        if (ukey_ok(u, nu, u[i][UK_INDEX] ? u[i][UK_INDEX] : "", maria, long_hash))
            key = u[i][UK_INDEX] ? u[i][UK_INDEX] : "";
    int oom = 0;
    if (key && (k->name = arena_add(a, key)) == (size_t)-1) oom = 1;
    /* its parts by SEQ_IN_INDEX, whatever order the rows came in */
    for (unsigned long seq = 1; key && !oom && k->ncols < BD_PF_KEY_MAX; seq++) {
        size_t i = 0;
        while (i < nu && (strcmp(u[i][UK_INDEX] ? u[i][UK_INDEX] : "", key) != 0 || !u[i][UK_SEQ] ||
                          strtoul(u[i][UK_SEQ], NULL, 10) != seq))
            i++;
        if (i == nu) break;
        if ((k->col[k->ncols++] = arena_add(a, u[i][UK_COL])) == (size_t)-1) oom = 1;
    }
    free(u);
    mysql_free_result(res);
    return oom ? bd_err_set(err, BD_ERR_NOMEM, "out of memory") : 0;
}

/* The first of the rule's columns that db.tb lacks, into missing ("" if
 * it has them all).  Names are compared exactly, byte for byte, as the
 * daemon compares them with the binlog's column names (lib/publish/publish.c
 * key_of), not with information_schema's case-insensitive collation.  0,
 * or -1 with err. */
static int rule_missing(MYSQL *m, const char *db, const char *tb, const bd_key_rule *r,
                        char *missing, size_t mlen, bd_err *err)
{
    char edb[2 * 64 + 1], etb[2 * 64 + 1], q[1024];
    escape_names(m, db, tb, edb, etb);
    missing[0] = 0;
    snprintf(q, sizeof q,
             "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '%s' AND "
             "TABLE_NAME = '%s'",
             edb, etb);
    MYSQL_RES *res = mysql_query(m, q) ? NULL : mysql_store_result(m);
    if (!res)
        return bd_err_set(err, BD_ERR_IO, "information_schema.COLUMNS: %u: %s", mysql_errno(m),
                          mysql_error(m));
    for (size_t j = 0; j < r->ncols && !missing[0]; j++) {
        int has = 0;
        MYSQL_ROW row;
        mysql_data_seek(res, 0);
        while (!has && (row = mysql_fetch_row(res)) != NULL)
            has = row[0] && !strcmp(row[0], r->cols[j]);
        if (!has) snprintf(missing, mlen, "%s", r->cols[j]);
    }
    mysql_free_result(res);
    return 0;
}

int bd_preflight_keyless(struct st_mysql *m, const bd_config *c, bd_pf_table **out, size_t *n,
                         bd_err *err)
{
    *out = NULL;
    *n = 0;
    /* STATISTICS, not TABLE_CONSTRAINTS: MariaDB 10.11 shows an account
     * with SELECT ON *.* no constraints at all */
    if (mysql_query(m, "SELECT t.TABLE_SCHEMA, t.TABLE_NAME, t.ENGINE "
                       "FROM information_schema.TABLES t "
                       "WHERE t.TABLE_TYPE = 'BASE TABLE' AND t.TABLE_SCHEMA NOT IN "
                       "('mysql', 'information_schema', 'performance_schema', 'sys') AND NOT "
                       "EXISTS (SELECT 1 FROM information_schema.STATISTICS k WHERE "
                       "k.TABLE_SCHEMA = t.TABLE_SCHEMA AND k.TABLE_NAME = t.TABLE_NAME AND "
                       "k.INDEX_NAME = 'PRIMARY') ORDER BY 1, 2"))
        return bd_err_set(err, BD_ERR_IO, "information_schema.TABLES: %u: %s", mysql_errno(m),
                          mysql_error(m));
    MYSQL_RES *res = mysql_store_result(m);
    if (!res)
        return bd_err_set(err, BD_ERR_IO, "information_schema.TABLES: %u: %s", mysql_errno(m),
                          mysql_error(m));
    const char *info = mysql_get_server_info(m);
    int maria = info && strstr(info, "MariaDB") != NULL;
    size_t cap = (size_t)mysql_num_rows(res);
    bd_pf_table *t = calloc(cap ? cap : 1, sizeof *t);
    pf_ukey *uk = calloc(cap ? cap : 1, sizeof *uk);
    int *long_hash = calloc(cap ? cap : 1, sizeof *long_hash);
    if (!t || !uk || !long_hash) {
        free(t);
        free(uk);
        free(long_hash);
        mysql_free_result(res);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    size_t k = 0;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) != NULL && k < cap) {
        const char *db = row[0] ? row[0] : "", *tb = row[1] ? row[1] : "";
        if (strlen(db) > 64 || strlen(tb) > 64 ||
            !bd_config_table_wanted(c, db, strlen(db), tb, strlen(tb)))
            continue;
        snprintf(t[k].db, sizeof t[k].db, "%s", db);
        snprintf(t[k].table, sizeof t[k].table, "%s", tb);
        t[k].rule = bd_config_key_rule(c, db, strlen(db), tb, strlen(tb));
        /* MEMORY has real hash indexes; elsewhere HASH is a long unique */
        long_hash[k] = !row[2] || strcasecmp(row[2], "MEMORY") != 0;
        k++;
    }
    mysql_free_result(res);
    pf_arena a = {0};
    int rc = 0;
    for (size_t i = 0; i < k && rc == 0; i++) {
        rc = table_ukey(m, t[i].db, t[i].table, maria, long_hash[i], &a, &uk[i], err);
        /* a rule's columns must be the table's: the daemon stops otherwise
         * (a table keyed by a unique key does not use its rule) */
        if (rc == 0 && !uk[i].ncols && t[i].rule)
            rc = rule_missing(m, t[i].db, t[i].table, t[i].rule, t[i].missing, sizeof t[i].missing,
                              err);
    }
    bd_pf_table *o = NULL;
    if (rc == 0) {
        o = malloc((k ? k * sizeof *o : 1) + a.n);
        if (!o) rc = bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    if (o) {
        /* the strings after the array, in the same block */
        char *s = (char *)(o + k);
        if (a.n) memcpy(s, a.p, a.n);
        if (k) memcpy(o, t, k * sizeof *o);
        for (size_t i = 0; i < k; i++) {
            if (!uk[i].ncols) continue;
            o[i].ukey = s + uk[i].name;
            o[i].nukey_cols = uk[i].ncols;
            for (size_t j = 0; j < uk[i].ncols; j++)
                o[i].ukey_cols[j] = s + uk[i].col[j];
        }
        *out = o;
        *n = k;
    }
    free(a.p);
    free(t);
    free(uk);
    free(long_hash);
    return rc;
}

int bd_preflight_connect(const bd_server_opts *o, struct st_mysql **out, enum bd_flavor *flavor,
                         char *version, size_t vlen, unsigned *version_num, bd_err *err)
{
    *out = NULL;
    MYSQL *m = NULL;
    /* one connection code for the reader and the checks (TLS, messages) */
    if (bd_server_connect(o, &m, err) != 0) return -1;
    if (mysql_query(m, "SELECT VERSION()")) {
        char w[300];
        bd_err_set(err, BD_ERR_IO, "SELECT VERSION() on %s: %u: %s",
                   bd_server_where(o, w, sizeof w), mysql_errno(m), mysql_error(m));
        mysql_close(m);
        return -1;
    }
    MYSQL_RES *res = mysql_store_result(m);
    MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
    snprintf(version, vlen, "%s", row && row[0] ? row[0] : "");
    if (res) mysql_free_result(res);
    *flavor = strstr(version, "MariaDB") ? BD_FLAVOR_MARIADB : BD_FLAVOR_MYSQL;
    *version_num = bd_version_number(version);
    *out = m;
    return 0;
}

/* ---- [columns] ------------------------------------------------------------- */

/* Append text to a malloc'ed list (", " between items): 0 or -1. */
static int text_list_add(char **list, const char *sep, const char *text)
{
    size_t l = *list ? strlen(*list) : 0, sl = *list ? strlen(sep) : 0, tl = strlen(text);
    char *n = realloc(*list, l + sl + tl + 1);
    if (!n) return -1;
    memcpy(n + l, sep, sl);
    memcpy(n + l + sl, text, tl + 1);
    *list = n;
    return 0;
}

/* One table's columns (names, primary-key flags; n of them): credit each
 * column to its first rule, and check that the table keeps a key. */
static int table_columns(const bd_config *c, const char *db, const char *tb, char **names,
                         const int *pk, size_t n, const bd_pf_table *keyless, size_t nk,
                         bd_pf_colrule *cr, char **problems, size_t *np, unsigned char *keys_used)
{
    const bd_col_rules *rs = &c->columns;
    size_t dbn = strlen(db), tbn = strlen(tb);
    const bd_col_rule **rule = calloc(n ? n : 1, sizeof *rule);
    if (!rule) return -1;
    for (size_t i = 0; i < n; i++) {
        rule[i] = bd_col_rules_match(rs, db, dbn, tb, tbn, names[i], strlen(names[i]));
        if (!rule[i]) continue;
        cr[rule[i] - rs->rules].nmatch++;
        char full[1024]; /* three names of up to 256 bytes */
        snprintf(full, sizeof full, "%s.%s.%s", db, tb, names[i]);
        if (text_list_add(&cr[rule[i] - rs->rules].matches, ", ", full) < 0) goto nomem;
    }
    /* the key: the primary key, else the unique key standing in for it,
     * else the table's [keys] line (then it has no other way out) */
    const char *key[BD_PF_KEY_MAX];
    size_t nkey = 0;
    int by_rule = 0;
    for (size_t i = 0; i < n && nkey < BD_PF_KEY_MAX; i++)
        if (pk[i]) key[nkey++] = names[i];
    for (size_t k = 0; !nkey && k < nk; k++)
        if (!strcmp(keyless[k].db, db) && !strcmp(keyless[k].table, tb) && keyless[k].ukey)
            for (size_t j = 0; j < keyless[k].nukey_cols; j++)
                key[nkey++] = keyless[k].ukey_cols[j];
    const bd_key_rule *kr0 = nkey ? NULL : bd_config_key_rule(c, db, dbn, tb, tbn);
    for (size_t k = 0; kr0 && k < kr0->ncols && nkey < BD_PF_KEY_MAX; k++) {
        key[nkey++] = kr0->cols[k];
        by_rule = 1;
    }
    /* hidden: excluded or masked (a hashed key still tells rows apart) */
    const bd_col_rule *hidden = NULL;
    const char *hcol = NULL;
    for (size_t k = 0; k < nkey && !hidden; k++)
        for (size_t i = 0; i < n; i++)
            if (!strcmp(names[i], key[k]) && rule[i] && rule[i]->act != BD_COL_HASH) {
                hidden = rule[i];
                hcol = names[i];
                break;
            }
    if (hidden) {
        /* a [keys] line of columns the table has and no rule hides stands in */
        const bd_key_rule *kr = by_rule ? NULL : bd_config_key_rule(c, db, dbn, tb, tbn);
        int ok = kr != NULL;
        for (size_t k = 0; ok && k < kr->ncols; k++) {
            size_t i = 0;
            while (i < n && strcmp(names[i], kr->cols[k]))
                i++;
            ok = i < n && (!rule[i] || rule[i]->act == BD_COL_HASH);
        }
        if (ok) keys_used[kr - c->keys] = 1;
        if (!ok) {
            char line[3072]; /* names of up to 256 bytes each */
            snprintf(line, sizeof line,
                     "`%s`.`%s`: [columns] %s = %s %s `%s`, a column of its key, and no [keys] "
                     "line of other columns keys the table: binlogd stops at its first change "
                     "(exit 65). Fix: [keys] %s.%s = columns that identify a row, or hash the "
                     "column instead",
                     db, tb, hidden->pattern, hidden->action,
                     hidden->act == BD_COL_EXCLUDE ? "excludes" : "masks", hcol, db, tb);
            if (text_list_add(problems, "\n", line) < 0) goto nomem;
            (*np)++;
        }
    }
    free(rule);
    return 0;
nomem:
    free(rule);
    return -1;
}

int bd_preflight_columns(struct st_mysql *m, const bd_config *c, const bd_pf_table *keyless,
                         size_t nk, bd_pf_colrule **out, char **problems, size_t *nproblems,
                         unsigned char **keys_used, bd_err *err)
{
    *out = NULL;
    *problems = NULL;
    *nproblems = 0;
    *keys_used = NULL;
    const bd_col_rules *rs = &c->columns;
    if (!rs->n) return 0;
    bd_pf_colrule *cr = calloc(rs->n, sizeof *cr);
    unsigned char *used = calloc(c->nkeys ? c->nkeys : 1, 1);
    if (!cr || !used) {
        free(cr);
        free(used);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < rs->n; i++)
        cr[i].rule = &rs->rules[i];
    if (mysql_query(m, "SELECT c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME, EXISTS (SELECT 1 "
                       "FROM information_schema.STATISTICS k WHERE k.TABLE_SCHEMA = "
                       "c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME AND k.INDEX_NAME = "
                       "'PRIMARY' AND k.COLUMN_NAME = c.COLUMN_NAME) "
                       "FROM information_schema.COLUMNS c JOIN information_schema.TABLES t ON "
                       "t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME "
                       "WHERE t.TABLE_TYPE = 'BASE TABLE' AND c.TABLE_SCHEMA NOT IN ('mysql', "
                       "'information_schema', 'performance_schema', 'sys') "
                       "ORDER BY BINARY c.TABLE_SCHEMA, BINARY c.TABLE_NAME, c.ORDINAL_POSITION")) {
        free(cr);
        free(used);
        return bd_err_set(err, BD_ERR_IO, "information_schema.COLUMNS: %u: %s", mysql_errno(m),
                          mysql_error(m));
    }
    MYSQL_RES *res = mysql_store_result(m);
    if (!res) {
        free(cr);
        free(used);
        return bd_err_set(err, BD_ERR_IO, "information_schema.COLUMNS: %u: %s", mysql_errno(m),
                          mysql_error(m));
    }
    size_t rows = (size_t)mysql_num_rows(res), n = 0;
    char **names = calloc(rows ? rows : 1, sizeof *names);
    int *pk = calloc(rows ? rows : 1, sizeof *pk);
    char db[257] = "", tb[257] = ""; /* 64 characters of up to 4 bytes */
    int rc = names && pk ? 0 : -1;
    MYSQL_ROW row;
    /* rows come table by table: each table is looked at when the next begins */
    while (rc == 0) {
        row = mysql_fetch_row(res);
        const char *rdb = row && row[0] ? row[0] : "", *rtb = row && row[1] ? row[1] : "";
        if (!row || strcmp(rdb, db) || strcmp(rtb, tb)) {
            if (n && bd_config_table_wanted(c, db, strlen(db), tb, strlen(tb)))
                rc = table_columns(c, db, tb, names, pk, n, keyless, nk, cr, problems, nproblems,
                                   used);
            n = 0;
            if (!row) break;
            snprintf(db, sizeof db, "%s", rdb);
            snprintf(tb, sizeof tb, "%s", rtb);
        }
        names[n] = row[2] ? row[2] : (char *)"";
        pk[n] = row[3] && row[3][0] == '1';
        n++;
    }
    free(names);
    free(pk);
    mysql_free_result(res);
    if (rc < 0) {
        bd_preflight_columns_free(cr, rs->n, *problems, used);
        *problems = NULL;
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    *out = cr;
    *keys_used = used;
    return 0;
}

void bd_preflight_columns_free(bd_pf_colrule *cr, size_t n, char *problems,
                               unsigned char *keys_used)
{
    for (size_t i = 0; cr && i < n; i++)
        free(cr[i].matches);
    free(cr);
    free(problems);
    free(keys_used);
}
