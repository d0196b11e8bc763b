/* snapshot_read.c - see include/binlogd/snapshot_read.h.
 *
 * Each value is made the way lib/binlog/rows.c makes it from a row image,
 * so the encoder cannot tell a SELECT's row from the binlog's:
 *
 *   integers        INT / UINT by the column's signedness
 *   YEAR, BIT       UINT (YEAR 0 stays 0; BIT's bytes big-endian)
 *   FLOAT, DOUBLE   DOUBLE, text of bd_fmt_float / bd_fmt_double of the
 *                   exact binary value (the binary protocol sends it)
 *   DECIMAL         ASCII, the server's text (canonical, as bd_fmt_newdecimal)
 *   temporal        ASCII, bd_fmt_temporal of the parts (MYSQL_TIME) with
 *                   the column's fsp; TIMESTAMP in the session's UTC
 *   text            STRING, UTF-8 (the server converts, as the decoder's
 *                   tables do; character_set_results is utf8mb4)
 *   binary (63)     BYTES; BINARY(n) has its n bytes, as the decoder pads
 *   ENUM, SET       STRING with the members' text (BYTES when binary)
 *   GEOMETRY        BYTES, the server's internal form (SRID + WKB)
 *   JSON            MySQL: JSON, the text without its spaces
 *                   (bd_snap_json_compact); MariaDB's is LONGTEXT: STRING
 *   INET4/6, UUID   BYTES of CAST(c AS BINARY(n)), the record's bytes
 *   VECTOR          MySQL: JSON array of bd_fmt_float
 *
 * Rows are fetched unbuffered with one bound buffer per column; a value
 * longer than its buffer is fetched again whole (mysql_stmt_fetch_column)
 * straight into the chunk's arena.  Text values are kept in the arena by
 * offset while it grows and get their pointers once the chunk is complete.
 */
#include "binlogd/snapshot_read.h"

#include <fnmatch.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <mysql.h>

#include "binlogd/charset.h"
#include "binlogd/preflight.h"
#include "binlogd/schema_query.h"
#include "binlogd/value.h"

/* Server error numbers this file tells apart (mysqld_error.h). */
enum {
    ER_DBACCESS_DENIED = 1044,
    ER_BAD_DB = 1049,
    ER_BAD_FIELD = 1054,
    ER_TABLEACCESS_DENIED = 1142,
    ER_COLUMNACCESS_DENIED = 1143,
    ER_NO_SUCH_TABLE = 1146,
    ER_SPECIFIC_ACCESS_DENIED = 1227,
};

/* A chunk query may scan far (a selective where): a read timeout below
 * this would turn a slow chunk into a lost connection. */
#define READ_TIMEOUT_MIN_S 300u
/* Bytes bound per variable-length column; longer values are fetched again. */
#define SLOT_BYTES 256
/* The longest watermark id: the signal table's id is VARCHAR(64). */
#define SIGNAL_ID_MAX 64

enum { AS_COLUMN = 0, AS_BINARY = 1 };

struct bd_snap_reader {
    MYSQL *m;
    int mariadb;
    unsigned version_num;
    char where[300];   /* host:port, for messages */
    char account[300]; /* CURRENT_USER(), for the GRANT statements of messages */
    /* the last shape serial given: starts at the monotonic clock's
     * nanoseconds at open, so a reader opened again (after a lost
     * connection) never repeats an earlier one's serials, which the
     * publish stage takes with the address for a map's identity */
    uint64_t shapes;
    unsigned last_errno;
    /* the signal table whose layout is known, and whether it has the column at */
    char sig_db[65], sig_tb[65];
    int sig_at;
};

/* ---- small helpers ------------------------------------------------------ */

/* The error of the last statement on r's connection into err: "what: N:
 * message", code BD_ERR_SCHEMA for the errors a DDL since the shape was
 * loaded gives, else BD_ERR_IO. */
static int server_fail(bd_snap_reader *r, unsigned e, const char *msg, bd_err *err, const char *fmt,
                       ...) __attribute__((format(printf, 5, 6)));
static int server_fail(bd_snap_reader *r, unsigned e, const char *msg, bd_err *err, const char *fmt,
                       ...)
{
    char what[BD_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    r->last_errno = e;
    int schema = e == ER_BAD_FIELD || e == ER_NO_SUCH_TABLE;
    return bd_err_set(err, schema ? BD_ERR_SCHEMA : BD_ERR_IO, "%s on %s: %u: %s%s", what, r->where,
                      e, e ? msg : "no answer",
                      schema ? " (the table changed since its shape was loaded, or is gone: load "
                               "it again; or the condition names a column the table lacks)"
                             : "");
}

static int query_fail(bd_snap_reader *r, bd_err *err, const char *what)
{
    return server_fail(r, mysql_errno(r->m), mysql_error(r->m), err, "%s", what);
}

/* `name` with a backtick inside doubled. */
static void add_ident(bd_buf *b, const char *p, size_t n)
{
    bd_buf_addc(b, '`');
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '`') bd_buf_addc(b, '`');
        bd_buf_addc(b, p[i]);
    }
    bd_buf_addc(b, '`');
}

static void add_table(bd_buf *b, const char *db, const char *tb)
{
    add_ident(b, db, strlen(db));
    bd_buf_addc(b, '.');
    add_ident(b, tb, strlen(tb));
}

/* p[0..n) quoted and escaped as mysql_real_escape_string() does: safe for
 * utf8mb4, whose multi-byte characters never hold a quote or backslash
 * byte. */
static void add_quoted(bd_buf *b, const char *p, size_t n)
{
    bd_buf_addc(b, '\'');
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        const char *esc;
        switch (p[i]) {
        case '\0': esc = "\\0"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\\': esc = "\\\\"; break;
        case '\'': esc = "\\'"; break;
        case '"': esc = "\\\""; break;
        case '\032': esc = "\\Z"; break;
        default: continue;
        }
        bd_buf_add(b, p + from, i - from);
        bd_buf_adds(b, esc);
        from = i + 1;
    }
    bd_buf_add(b, p + from, n - from);
    bd_buf_addc(b, '\'');
}

/* Run q and take its whole result: NULL with err. */
static MYSQL_RES *run_query(bd_snap_reader *r, const char *q, const char *what, bd_err *err)
{
    MYSQL_RES *res = NULL;
    if (mysql_query(r->m, q) == 0 && (res = mysql_store_result(r->m)) != NULL) return res;
    query_fail(r, err, what);
    return NULL;
}

static int name_ok(const char *db, const char *tb, bd_err *err)
{
    if (!db || !tb || !*db || !*tb || strlen(db) > 64 || strlen(tb) > 64)
        return bd_err_set(err, BD_ERR_SCHEMA, "`%.64s`.`%.64s`: not a table name (1 to 64 bytes)",
                          db ? db : "", tb ? tb : "");
    return 0;
}

/* ---- the reader --------------------------------------------------------- */

bd_snap_reader *bd_snap_reader_open(const bd_server_opts *o, bd_err *err)
{
    bd_snap_reader *r = calloc(1, sizeof *r);
    if (!r) {
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    bd_server_where(o, r->where, sizeof r->where);
    bd_server_opts co = *o;
    if (co.read_timeout_s < READ_TIMEOUT_MIN_S) co.read_timeout_s = READ_TIMEOUT_MIN_S;
    enum bd_flavor fl;
    char ver[128];
    if (bd_preflight_connect(&co, &r->m, &fl, ver, sizeof ver, &r->version_num, err) < 0) {
        free(r);
        return NULL;
    }
    r->mariadb = fl == BD_FLAVOR_MARIADB;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    r->shapes = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    static const char *const setup[] = {
        "SET NAMES utf8mb4",
        /* TIMESTAMP values as the binlog holds them: UTC */
        "SET time_zone = '+00:00'",
        /* the cursors' text literals escape with backslashes */
        "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), "
        "',NO_BACKSLASH_ESCAPES,', ','))",
        /* each chunk its own consistent read, each watermark its own commit */
        "SET autocommit = 1",
    };
    for (size_t i = 0; i < sizeof setup / sizeof setup[0]; i++) {
        if (mysql_query(r->m, setup[i]) != 0) {
            char what[200];
            snprintf(what, sizeof what, "setting the session up (%.150s)", setup[i]);
            query_fail(r, err, what);
            bd_snap_reader_close(r);
            return NULL;
        }
    }
    MYSQL_RES *res = run_query(r, "SELECT CURRENT_USER()", "SELECT CURRENT_USER()", err);
    if (!res) {
        bd_snap_reader_close(r);
        return NULL;
    }
    MYSQL_ROW row = mysql_fetch_row(res);
    /* 'user'@'host' as GRANT takes it */
    const char *cu = row && row[0] ? row[0] : "";
    const char *at = strrchr(cu, '@');
    if (at)
        snprintf(r->account, sizeof r->account, "'%.*s'@'%.100s'",
                 (int)(at - cu > 100 ? 100 : at - cu), cu, at + 1);
    else
        snprintf(r->account, sizeof r->account, "'%.100s'", cu);
    mysql_free_result(res);
    return r;
}

void bd_snap_reader_close(bd_snap_reader *r)
{
    if (!r) return;
    if (r->m) mysql_close(r->m);
    free(r);
}

unsigned bd_snap_reader_errno(const bd_snap_reader *r) { return r ? r->last_errno : 0; }

/* ---- tables ------------------------------------------------------------- */

typedef struct tname {
    char *db, *tb;
} tname;

static int tname_cmp(const void *a, const void *b)
{
    const tname *x = a, *y = b;
    int c = strcmp(x->db, y->db);
    return c ? c : strcmp(x->tb, y->tb);
}

/* Does "db.tb" match one of the comma-separated patterns? */
static int matches(const char *patterns, const char *name)
{
    const char *p = patterns;
    while (*p) {
        size_t n = strcspn(p, ",");
        size_t a = 0, z = n;
        while (a < z && (p[a] == ' ' || p[a] == '\t'))
            a++;
        while (z > a && (p[z - 1] == ' ' || p[z - 1] == '\t'))
            z--;
        if (z > a && z - a < 512) {
            char pat[512];
            memcpy(pat, p + a, z - a);
            pat[z - a] = '\0';
            if (fnmatch(pat, name, 0) == 0) return 1;
        }
        p += n;
        if (*p) p++;
    }
    return 0;
}

int bd_snap_list_tables(bd_snap_reader *r, const char *patterns, bd_buf *out, bd_err *err)
{
    r->last_errno = 0;
    /* MariaDB's system-versioned tables are base tables with history */
    MYSQL_RES *res = run_query(r,
                               "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES "
                               "WHERE TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') AND "
                               "TABLE_SCHEMA NOT IN ('mysql', 'information_schema', "
                               "'performance_schema', 'sys')",
                               "listing the tables (information_schema.TABLES)", err);
    if (!res) return -1;
    size_t cap = (size_t)mysql_num_rows(res), n = 0;
    tname *t = calloc(cap ? cap : 1, sizeof *t);
    bd_buf name = BD_BUF_INIT;
    MYSQL_ROW row;
    int oom = !t;
    while (!oom && n < cap && (row = mysql_fetch_row(res)) != NULL) {
        if (!row[0] || !row[1]) continue;
        bd_buf_reset(&name);
        bd_buf_adds(&name, row[0]);
        bd_buf_addc(&name, '.');
        bd_buf_adds(&name, row[1]);
        if (bd_buf_failed(&name)) {
            oom = 1;
            break;
        }
        if (!matches(patterns ? patterns : "", name.ptr)) continue;
        t[n].db = strdup(row[0]);
        t[n].tb = strdup(row[1]);
        n++;
        if (!t[n - 1].db || !t[n - 1].tb) oom = 1;
    }
    mysql_free_result(res);
    bd_buf_release(&name);
    /* in byte order, whatever the server's collation of names */
    if (!oom) qsort(t, n, sizeof *t, tname_cmp);
    for (size_t i = 0; !oom && i < n; i++) {
        bd_buf_adds(out, t[i].db);
        bd_buf_addc(out, '.');
        bd_buf_adds(out, t[i].tb);
        bd_buf_addc(out, '\n');
    }
    for (size_t i = 0; t && i < n; i++) {
        free(t[i].db);
        free(t[i].tb);
    }
    free(t);
    if (oom || bd_buf_failed(out)) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    return (int)n;
}

/* ---- shapes ------------------------------------------------------------- */

/* The number in parentheses of a COLUMN_TYPE ("varchar(32)" -> 32, the
 * first of "decimal(10,2)"; which 1: the second), or dflt without one. */
static unsigned type_arg(const char *ct, int which, unsigned dflt)
{
    const char *p = strchr(ct, '(');
    if (!p) return dflt;
    p++;
    if (which) {
        p = strchr(p, ',');
        if (!p) return dflt;
        p++;
    }
    if (*p < '0' || *p > '9') return dflt;
    unsigned long v = strtoul(p, NULL, 10);
    return v > 0xffffffffUL ? dflt : (unsigned)v;
}

/* Bytes of an ENUM (1 or 2) or SET (1..4 or 8) value: its member count is
 * the number of quoted members in COLUMN_TYPE. */
static uint32_t members_length(const char *ct, int is_set)
{
    bd_schema_members m;
    bd_err e;
    uint32_t n = 1;
    if (bd_schema_parse_members(ct, &m, &e) == 0) {
        n = m.n;
        bd_schema_members_release(&m);
    }
    if (!is_set) return n < 256 ? 1 : 2;
    uint32_t len = (n + 7) / 8;
    return len > 4 ? 8 : len ? len : 1;
}

/* Column c (cleared, named) as a TABLE_MAP would describe it, from its
 * COLUMN_TYPE ct and collation id; *as how the SELECT reads it.  0, or -1
 * for a type a snapshot cannot read as the binlog gives it (why). */
static int column_from_type(bd_column *c, const char *ct, uint32_t collation, int mariadb,
                            uint8_t *as, const char **why)
{
    size_t fam = strcspn(ct, "( ");
    char f[32];
    if (fam >= sizeof f) fam = sizeof f - 1;
    for (size_t i = 0; i < fam; i++)
        f[i] = (char)(ct[i] >= 'A' && ct[i] <= 'Z' ? ct[i] + 32 : ct[i]);
    f[fam] = '\0';
    int uns = strstr(ct, "unsigned") != NULL;
    unsigned mb = collation ? bd_charset_mbmaxlen(collation) : 0;
    if (!mb) mb = 4;
    *as = AS_COLUMN;
    c->collation = collation;
    c->is_unsigned = 0;
    static const struct {
        const char *name;
        uint8_t type;
    } ints[] = {{"tinyint", BD_T_TINY}, {"smallint", BD_T_SHORT}, {"mediumint", BD_T_INT24},
                {"int", BD_T_LONG},     {"integer", BD_T_LONG},   {"bigint", BD_T_LONGLONG}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (!strcmp(f, ints[i].name)) {
            c->type = ints[i].type;
            c->is_unsigned = (int8_t)uns;
            return 0;
        }
    if (!strcmp(f, "decimal") || !strcmp(f, "numeric")) {
        unsigned p = type_arg(ct, 0, 10), s = type_arg(ct, 1, 0);
        c->type = BD_T_NEWDECIMAL;
        c->meta = (uint16_t)((p & 0xff) | (s & 0xff) << 8);
        c->is_unsigned = (int8_t)uns;
        return 0;
    }
    if (!strcmp(f, "float") || !strcmp(f, "double") || !strcmp(f, "real")) {
        c->type = f[0] == 'f' ? BD_T_FLOAT : BD_T_DOUBLE;
        c->meta = f[0] == 'f' ? 4 : 8;
        c->is_unsigned = (int8_t)uns;
        return 0;
    }
    if (!strcmp(f, "bit")) {
        unsigned bits = type_arg(ct, 0, 1);
        c->type = BD_T_BIT;
        c->meta = (uint16_t)((bits / 8) << 8 | bits % 8);
        return 0;
    }
    if (!strcmp(f, "year")) {
        c->type = BD_T_YEAR;
        return 0;
    }
    if (!strcmp(f, "date")) {
        c->type = BD_T_DATE;
        return 0;
    }
    if (!strcmp(f, "time") || !strcmp(f, "datetime") || !strcmp(f, "timestamp")) {
        c->type = f[1] == 'i' && f[4] == '\0' ? BD_T_TIME2
                  : f[4] == 's'               ? BD_T_TIMESTAMP2
                                              : BD_T_DATETIME2;
        c->meta = (uint16_t)type_arg(ct, 0, 0);
        if (c->meta > 6) return *why = "a fractional precision above 6", -1;
        return 0;
    }
    if (!strcmp(f, "enum") || !strcmp(f, "set")) {
        c->type = BD_T_STRING;
        c->real_type = f[0] == 'e' ? BD_T_ENUM : BD_T_SET;
        c->length = members_length(ct, f[0] == 's');
        return 0;
    }
    if (!strcmp(f, "char") || !strcmp(f, "binary")) {
        c->type = c->real_type = BD_T_STRING;
        if (f[0] == 'b') c->collation = 63;
        c->length = type_arg(ct, 0, 1) * (c->collation == 63 ? 1 : mb);
        return 0;
    }
    if (!strcmp(f, "varchar") || !strcmp(f, "varbinary")) {
        c->type = BD_T_VARCHAR;
        if (f[3] == 'b') c->collation = 63;
        c->length = type_arg(ct, 0, 1) * (c->collation == 63 ? 1 : mb);
        return 0;
    }
    if (fam >= 4 && (!strcmp(f + fam - 4, "blob") || !strcmp(f + fam - 4, "text"))) {
        c->type = BD_T_BLOB;
        /* the length prefix's bytes, as in a TABLE_MAP */
        c->length = f[0] == 't' && f[1] == 'i' ? 1 : f[0] == 'm' ? 3 : f[0] == 'l' ? 4 : 2;
        if (!strcmp(f + fam - 4, "blob")) c->collation = 63;
        return 0;
    }
    if (!strcmp(f, "json")) {
        c->type = BD_T_JSON;
        c->length = 4;
        return 0;
    }
    static const char *const geo[] = {
        "geometry",        "point",        "linestring",         "polygon",       "multipoint",
        "multilinestring", "multipolygon", "geometrycollection", "geomcollection"};
    for (size_t i = 0; i < sizeof geo / sizeof geo[0]; i++)
        if (!strcmp(f, geo[i])) {
            c->type = BD_T_GEOMETRY;
            c->length = 4;
            c->collation = 63;
            return 0;
        }
    if (mariadb && (!strcmp(f, "inet4") || !strcmp(f, "inet6") || !strcmp(f, "uuid"))) {
        /* the binlog holds the record's bytes, which CAST(c AS BINARY(n))
         * gives; SELECT c gives their text */
        c->type = c->real_type = BD_T_STRING;
        c->collation = 63;
        c->length = f[4] == '4' ? 4 : 16;
        *as = AS_BINARY;
        return 0;
    }
    if (!mariadb && !strcmp(f, "vector")) {
        c->type = BD_T_VECTOR;
        c->length = 4;
        c->vector_dim = type_arg(ct, 0, 0);
        c->collation = 63;
        return 0;
    }
    /* MariaDB's VECTOR, and whatever comes next: never a guess */
    *why = "a type whose binlog form this reader does not know";
    return -1;
}

/* The column named name (n bytes) among the first n listed: its index, or
 * -1.  Names compare without case, as the server does. */
static long find_col(const bd_schema_col *c, size_t listed, const char *name)
{
    for (size_t i = 0; i < listed; i++)
        if (!strcasecmp(c[i].name, name)) return (long)i;
    return -1;
}

int bd_snap_shape_load(bd_snap_reader *r, const char *db, const char *tb,
                       const char *const *keycols, size_t nkey, bd_snap_shape *s, bd_err *err)
{
    memset(s, 0, sizeof *s);
    r->last_errno = 0;
    if (name_ok(db, tb, err) < 0) return -1;
    snprintf(s->db, sizeof s->db, "%s", db);
    snprintf(s->table, sizeof s->table, "%s", tb);
    bd_schema_col *cols = NULL;
    size_t n = 0;
    bd_schema_info info;
    if (bd_schema_query(r->m, r->mariadb, r->version_num, db, tb, &cols, &n, &info, err) < 0) {
        r->last_errno = info.server_errno;
        bd_schema_info_release(&info);
        return bd_err_prefix(err, "the columns of `%s`.`%s` on %s: ", db, tb, r->where);
    }
    int rc = -1;
    uint32_t key[BD_SNAP_KEY_MAX], nk = 0;
    if (!info.listed) {
        bd_err_set(err, BD_ERR_SCHEMA,
                   "table `%s`.`%s` does not exist on %s (or %s cannot see it: GRANT SELECT ON "
                   "`%s`.`%s` TO %s)",
                   db, tb, r->where, r->account, db, tb, r->account);
        goto out;
    }
    if (n > info.listed) {
        bd_err_set(err, BD_ERR_SCHEMA,
                   "`%s`.`%s`: its binlog rows hold hidden columns that no SELECT can read (%s): "
                   "a snapshot of it could not match its stream; leave it out of the snapshot",
                   db, tb,
                   info.implicit_period
                       ? "WITH SYSTEM VERSIONING without named row_start and row_end columns"
                       : "a long UNIQUE key over BLOB/TEXT or USING HASH, DB_ROW_HASH_n");
        goto out;
    }
    /* the key: the table's own, else the [keys] rule's columns */
    if (info.key[0]) {
        for (size_t i = 0; i < n; i++)
            if (cols[i].pk && cols[i].pk <= BD_SNAP_KEY_MAX) key[cols[i].pk - 1] = (uint32_t)i;
        for (size_t i = 0; i < n; i++)
            if (cols[i].pk > nk) nk = cols[i].pk;
        if (nk > BD_SNAP_KEY_MAX) {
            bd_err_set(err, BD_ERR_SCHEMA, "`%s`.`%s`: key %s has more than %d columns", db, tb,
                       info.key, BD_SNAP_KEY_MAX);
            goto out;
        }
        /* a name of more than 64 bytes is cut at a character's start */
        size_t kl = strlen(info.key);
        if (kl >= sizeof s->key_name) {
            kl = sizeof s->key_name - 1;
            while (kl && ((unsigned char)info.key[kl] & 0xc0) == 0x80)
                kl--;
        }
        memcpy(s->key_name, info.key, kl);
        s->key_name[kl] = '\0';
    } else if (nkey) {
        if (nkey > BD_SNAP_KEY_MAX) {
            bd_err_set(err, BD_ERR_SCHEMA, "`%s`.`%s`: [keys] names more than %d columns", db, tb,
                       BD_SNAP_KEY_MAX);
            goto out;
        }
        for (size_t k = 0; k < nkey; k++) {
            long i = find_col(cols, info.listed, keycols[k]);
            const char *bad = i < 0              ? "is not a column of the table"
                              : info.nullable[i] ? "allows NULL, which no key order places"
                              : cols[i].pk       ? "is named twice"
                                                 : NULL;
            if (bad) {
                bd_err_set(err, BD_ERR_SCHEMA,
                           "`%s`.`%s` has no primary key and its [keys] column `%.64s` %s: "
                           "name NOT NULL columns that identify a row",
                           db, tb, keycols[k], bad);
                goto out;
            }
            cols[i].pk = (uint32_t)k + 1;
            key[nk++] = (uint32_t)i;
        }
        snprintf(s->key_name, sizeof s->key_name, "[keys]");
    } else {
        bd_err_set(err, BD_ERR_SCHEMA,
                   "`%s`.`%s` has no primary key and no unique key over whole NOT NULL columns, "
                   "so its rows cannot be read in an order that resumes: give it a primary key, "
                   "or name its key columns in a [keys] rule",
                   db, tb);
        goto out;
    }

    s->t = bd_table_new(db, strlen(db), tb, strlen(tb), (uint32_t)n);
    s->read_as = calloc(n ? n : 1, 1);
    if (!s->t || !s->read_as) {
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        bd_column *c = &s->t->cols[i];
        const char *why = NULL;
        if (column_from_type(c, cols[i].type, cols[i].collation, r->mariadb, &s->read_as[i], &why) <
            0) {
            bd_err_set(err, BD_ERR_SCHEMA, "`%s`.`%s` column `%s` is %.100s: %s", db, tb,
                       cols[i].name, cols[i].type, why);
            goto out;
        }
        c->nullable = info.nullable[i];
        if (bd_table_set_name(s->t, (uint32_t)i, cols[i].name, strlen(cols[i].name)) < 0) {
            bd_err_set(err, BD_ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    for (uint32_t k = 0; k < nk; k++) {
        const bd_column *c = &s->t->cols[key[k]];
        /* ENUM and SET sort by their numbers but compare with a string as
         * that string: a cursor's "after" would skip or repeat rows */
        if (c->real_type == BD_T_ENUM || c->real_type == BD_T_SET) {
            bd_err_set(err, BD_ERR_SCHEMA,
                       "`%s`.`%s`: key column `%s` is %s, whose order (by member number) is "
                       "not the order a comparison with a value follows, so chunks could not "
                       "resume after a row; name other key columns in a [keys] rule",
                       db, tb, cols[key[k]].name, c->real_type == BD_T_ENUM ? "an ENUM" : "a SET");
            goto out;
        }
        if (c->type == BD_T_JSON || c->type == BD_T_GEOMETRY || c->type == BD_T_VECTOR) {
            bd_err_set(err, BD_ERR_SCHEMA,
                       "`%s`.`%s`: key column `%s` (%s) has no order to chunk by", db, tb,
                       cols[key[k]].name, cols[key[k]].type);
            goto out;
        }
    }
    if (bd_table_set_pk(s->t, key, nk) < 0) {
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* the top bit: a number no decoder gives a map */
    s->t->serial = (1ULL << 63) | (++r->shapes & ~(1ULL << 63));
    if (bd_table_finish(s->t) < 0) {
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    bd_schema_cols_free(cols, n);
    bd_schema_info_release(&info);
    if (rc < 0) bd_snap_shape_release(s);
    return rc;
}

void bd_snap_shape_release(bd_snap_shape *s)
{
    bd_table_destroy(s->t);
    free(s->read_as);
    memset(s, 0, sizeof *s);
}

/* ---- literals and cursors ------------------------------------------------- */

int bd_snap_literal(bd_buf *out, const bd_column *col, const bd_value *v)
{
    switch (v->kind) {
    case BD_V_INT: bd_buf_add_i64(out, v->i); return 0;
    case BD_V_UINT: bd_buf_add_u64(out, v->u); return 0;
    case BD_V_DOUBLE: {
        /* the shortest text reads back to the column's value; printed with
         * 17 digits and an exponent it is a DOUBLE literal of exactly that
         * value (a FLOAT widened), so = and > compare exactly */
        char t[64];
        if (!v->s || v->n >= sizeof t) return -1;
        memcpy(t, v->s, v->n);
        t[v->n] = '\0';
        double d = col->type == BD_T_FLOAT ? (double)strtof(t, NULL) : strtod(t, NULL);
        if (!isfinite(d)) return -1;
        snprintf(t, sizeof t, "%.17e", d);
        bd_buf_adds(out, t);
        return 0;
    }
    case BD_V_NUMBER: bd_buf_add(out, v->s, v->n); return 0;
    case BD_V_ASCII:
        if (col->type == BD_T_NEWDECIMAL || col->type == BD_T_DECIMAL)
            bd_buf_add(out, v->s, v->n);
        else
            add_quoted(out, v->s, v->n);
        return 0;
    case BD_V_STRING: add_quoted(out, v->s, v->n); return 0;
    case BD_V_BYTES:
        bd_buf_adds(out, "X'");
        bd_buf_add_hex(out, (const uint8_t *)v->s, v->n);
        bd_buf_addc(out, '\'');
        return 0;
    default: return -1;
    }
}

/* Is p[0..n) a literal of the forms bd_snap_literal writes?  A cursor is
 * pasted into SQL: anything else (a damaged checkpoint) is refused rather
 * than run. */
static int literal_ok(const char *p, size_t n)
{
    if (n == 0 || memchr(p, '\0', n)) return 0;
    if (n >= 3 && (p[0] == 'X' || p[0] == 'x') && p[1] == '\'' && p[n - 1] == '\'') {
        if ((n - 3) % 2) return 0;
        for (size_t i = 2; i < n - 1; i++)
            if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
                  (p[i] >= 'A' && p[i] <= 'F')))
                return 0;
        return 1;
    }
    if (p[0] == '\'') {
        size_t i = 1;
        while (i < n) {
            if (p[i] == '\\') {
                if (i + 2 >= n) return 0; /* an escape needs its byte and the closing quote */
                i += 2;
            } else if (p[i] == '\'') {
                if (i + 1 < n && p[i + 1] == '\'') {
                    i += 2;
                    continue;
                }
                return i == n - 1;
            } else {
                i++;
            }
        }
        return 0;
    }
    /* a number: [-+]digits[.digits][e[-+]digits] */
    size_t i = 0;
    if (p[i] == '-' || p[i] == '+') i++;
    size_t d0 = i;
    while (i < n && p[i] >= '0' && p[i] <= '9')
        i++;
    if (i == d0) return 0;
    if (i < n && p[i] == '.') {
        size_t f0 = ++i;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
        if (i == f0) return 0;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '-' || p[i] == '+')) i++;
        size_t e0 = i;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
        if (i == e0) return 0;
    }
    return i == n;
}

/* A cursor (JSON array of the key's literals) parsed: *arr holds them
 * (json_decref it) and lit/len point into it.  0, 1 when there is none
 * (NULL or ""), -1 with err. */
static int cursor_parse(const bd_snap_shape *s, const char *cur, const char *what, json_t **arr,
                        const char **lit, size_t *len, bd_err *err)
{
    *arr = NULL;
    if (!cur || !*cur) return 1;
    json_error_t je;
    json_t *a = json_loads(cur, 0, &je);
    uint32_t npk = s->t->npk;
    if (!a || !json_is_array(a) || json_array_size(a) != npk) {
        json_decref(a);
        return bd_err_set(err, BD_ERR_CORRUPT,
                          "`%s`.`%s`: the %s cursor %.200s is not a JSON array of %u SQL "
                          "literals (one per key column)",
                          s->db, s->table, what, cur, npk);
    }
    for (uint32_t k = 0; k < npk; k++) {
        json_t *e = json_array_get(a, k);
        if (!json_is_string(e) || !literal_ok(json_string_value(e), json_string_length(e))) {
            json_decref(a);
            return bd_err_set(err, BD_ERR_CORRUPT,
                              "`%s`.`%s`: the %s cursor %.200s: element %u is not an SQL "
                              "literal of a key value",
                              s->db, s->table, what, cur, k + 1);
        }
        lit[k] = json_string_value(e);
        len[k] = json_string_length(e);
    }
    *arr = a;
    return 0;
}

/* (k1 OP a) OR (k1 = a AND k2 OP b) OR ...; upto: < and the last <= */
static void add_bound(bd_buf *b, const bd_snap_shape *s, const char *const *lit, const size_t *len,
                      int upto)
{
    const bd_table *t = s->t;
    bd_buf_addc(b, '(');
    for (uint32_t k = 0; k < t->npk; k++) {
        if (k) bd_buf_adds(b, " OR ");
        bd_buf_addc(b, '(');
        for (uint32_t j = 0; j <= k; j++) {
            const bd_column *c = &t->cols[t->pk[j]];
            add_ident(b, c->name.p, c->name.n);
            bd_buf_adds(b, j < k ? " = " : !upto ? " > " : k + 1 < t->npk ? " < " : " <= ");
            bd_buf_add(b, lit[j], len[j]);
            if (j < k) bd_buf_adds(b, " AND ");
        }
        bd_buf_addc(b, ')');
    }
    bd_buf_addc(b, ')');
}

static int read_as(const bd_snap_shape *s, uint32_t col)
{
    return s->read_as ? s->read_as[col] : AS_COLUMN;
}

/* One select item: the column, or what read_as says. */
static void add_item(bd_buf *b, const bd_snap_shape *s, uint32_t col)
{
    const bd_column *c = &s->t->cols[col];
    if (read_as(s, col) == AS_BINARY) {
        bd_buf_adds(b, "CAST(");
        add_ident(b, c->name.p, c->name.n);
        bd_buf_addf(b, " AS BINARY(%u))", (unsigned)c->length);
    } else {
        add_ident(b, c->name.p, c->name.n);
    }
}

/* The SELECT of a chunk (keys_only 0: every column, in key order) or of
 * the greatest key (keys_only 1: the key columns, descending). */
static int build_select(bd_buf *out, const bd_snap_shape *s, int keys_only, const char *where,
                        const char *after, const char *upto, size_t limit, bd_err *err)
{
    const bd_table *t = s->t;
    if (!t || !t->npk || t->npk > BD_SNAP_KEY_MAX)
        return bd_err_set(err, BD_ERR_SCHEMA, "`%s`.`%s`: a shape without a key", s->db, s->table);
    if (!limit) return bd_err_set(err, BD_ERR_UNSUPPORTED, "a chunk of 0 rows");
    const char *alit[BD_SNAP_KEY_MAX], *ulit[BD_SNAP_KEY_MAX];
    size_t alen[BD_SNAP_KEY_MAX], ulen[BD_SNAP_KEY_MAX];
    json_t *aj = NULL, *uj = NULL;
    int ra = cursor_parse(s, after, "after", &aj, alit, alen, err);
    if (ra < 0) return -1;
    int ru = cursor_parse(s, upto, "upto", &uj, ulit, ulen, err);
    if (ru < 0) {
        json_decref(aj);
        return -1;
    }
    bd_buf_adds(out, "SELECT ");
    uint32_t nitems = keys_only ? t->npk : t->ncols;
    for (uint32_t i = 0; i < nitems; i++) {
        if (i) bd_buf_adds(out, ", ");
        add_item(out, s, keys_only ? t->pk[i] : i);
    }
    /* a key column read as bytes is also read as its text, for the cursor:
     * its comparisons take text (MariaDB's UUID orders its bytes otherwise) */
    for (uint32_t k = 0; k < t->npk; k++) {
        if (read_as(s, t->pk[k]) != AS_BINARY) continue;
        bd_buf_adds(out, ", ");
        add_ident(out, t->cols[t->pk[k]].name.p, t->cols[t->pk[k]].name.n);
    }
    bd_buf_adds(out, " FROM ");
    add_table(out, s->db, s->table);
    int conds = 0;
    if (ra == 0) {
        bd_buf_adds(out, " WHERE ");
        add_bound(out, s, alit, alen, 0);
        conds++;
    }
    if (ru == 0) {
        bd_buf_adds(out, conds++ ? " AND " : " WHERE ");
        add_bound(out, s, ulit, ulen, 1);
    }
    if (where && *where) {
        bd_buf_adds(out, conds++ ? " AND (" : " WHERE (");
        bd_buf_adds(out, where);
        bd_buf_addc(out, ')');
    }
    bd_buf_adds(out, " ORDER BY ");
    for (uint32_t k = 0; k < t->npk; k++) {
        if (k) bd_buf_adds(out, ", ");
        add_ident(out, t->cols[t->pk[k]].name.p, t->cols[t->pk[k]].name.n);
        if (keys_only) bd_buf_adds(out, " DESC");
    }
    bd_buf_addf(out, " LIMIT %zu", limit);
    json_decref(aj);
    json_decref(uj);
    if (bd_buf_failed(out)) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    return 0;
}

int bd_snap_chunk_sql(bd_buf *out, const bd_snap_shape *s, const char *where, const char *after,
                      const char *upto, size_t limit, bd_err *err)
{
    return build_select(out, s, 0, where, after, upto, limit, err);
}

/* ---- MySQL's JSON ----------------------------------------------------------- */

int bd_snap_json_compact(bd_buf *out, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        char ch = p[i];
        if (ch == '"') {
            size_t j = i + 1;
            while (j < n && p[j] != '"')
                j += p[j] == '\\' ? 2 : 1;
            if (j >= n) return -1;
            bd_buf_add(out, p + i, j + 1 - i);
            i = j + 1;
        } else if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            i++;
        } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
            size_t j = i, e = 0;
            while (j < n && (p[j] == '-' || p[j] == '+' || p[j] == '.' || p[j] == 'e' ||
                             p[j] == 'E' || (p[j] >= '0' && p[j] <= '9'))) {
                if (p[j] == 'e' || p[j] == 'E') e = 1;
                j++;
            }
            char t[64];
            if (e && j - i < sizeof t) {
                /* only a double has an exponent: written as jsonbin writes
                 * one (bd_fmt_double, ".0" when it would look whole) */
                memcpy(t, p + i, j - i);
                t[j - i] = '\0';
                size_t at = out->len;
                bd_fmt_double(out, strtod(t, NULL));
                if (!bd_buf_failed(out) && !memchr(out->ptr + at, '.', out->len - at) &&
                    !memchr(out->ptr + at, 'e', out->len - at) &&
                    !memchr(out->ptr + at, 'E', out->len - at))
                    bd_buf_adds(out, ".0");
            } else {
                bd_buf_add(out, p + i, j - i);
            }
            i = j;
        } else {
            bd_buf_addc(out, ch);
            i++;
        }
    }
    return bd_buf_failed(out) ? -1 : 0;
}

/* ---- chunks ------------------------------------------------------------------ */

void bd_snap_chunk_init(bd_snap_chunk *c)
{
    memset(c, 0, sizeof *c);
    bd_buf_init(&c->last);
    bd_buf_init(&c->arena);
}

size_t bd_snap_chunk_bytes(const bd_snap_chunk *c)
{
    return c->cap * sizeof *c->vals + c->arena.len;
}

void bd_snap_chunk_release(bd_snap_chunk *c)
{
    free(c->vals);
    bd_buf_release(&c->last);
    bd_buf_release(&c->arena);
    bd_snap_chunk_init(c);
}

/* How a select item is read and what value it makes. */
enum rk {
    RK_INT,
    RK_YEAR,
    RK_FLOAT,
    RK_DOUBLE,
    RK_DECIMAL,
    RK_BIT,
    RK_DATE,
    RK_TIME,
    RK_DATETIME,
    RK_TEXT,
    RK_BYTES,
    RK_JSON,
    RK_VECTOR,
    RK_KEYTEXT, /* the text of a key column read as bytes: for the cursor only */
};

static int read_kind(const bd_snap_shape *s, uint32_t col)
{
    const bd_column *c = &s->t->cols[col];
    if (read_as(s, col) == AS_BINARY) return RK_BYTES;
    switch (c->type) {
    case BD_T_TINY:
    case BD_T_SHORT:
    case BD_T_INT24:
    case BD_T_LONG:
    case BD_T_LONGLONG: return RK_INT;
    case BD_T_YEAR: return RK_YEAR;
    case BD_T_FLOAT: return RK_FLOAT;
    case BD_T_DOUBLE: return RK_DOUBLE;
    case BD_T_NEWDECIMAL:
    case BD_T_DECIMAL: return RK_DECIMAL;
    case BD_T_BIT: return RK_BIT;
    case BD_T_DATE:
    case BD_T_NEWDATE: return RK_DATE;
    case BD_T_TIME:
    case BD_T_TIME2: return RK_TIME;
    case BD_T_DATETIME:
    case BD_T_DATETIME2:
    case BD_T_TIMESTAMP:
    case BD_T_TIMESTAMP2: return RK_DATETIME;
    case BD_T_JSON: return RK_JSON;
    case BD_T_VECTOR: return RK_VECTOR;
    case BD_T_GEOMETRY: return RK_BYTES;
    default: return c->collation == 63 ? RK_BYTES : RK_TEXT;
    }
}

static int is_string_field(enum enum_field_types t)
{
    return t == MYSQL_TYPE_STRING || t == MYSQL_TYPE_VAR_STRING || t == MYSQL_TYPE_VARCHAR ||
           t == MYSQL_TYPE_BLOB || t == MYSQL_TYPE_TINY_BLOB || t == MYSQL_TYPE_MEDIUM_BLOB ||
           t == MYSQL_TYPE_LONG_BLOB;
}

/* Does the server's description of a result column still fit the shape's
 * column (else a DDL changed it since the shape was loaded)? */
static int field_fits(int rk, const bd_column *c, const MYSQL_FIELD *f)
{
    unsigned fsp = c->meta;
    switch (rk) {
    case RK_INT:
        return (unsigned)f->type == c->type &&
               !!(f->flags & UNSIGNED_FLAG) == (c->is_unsigned == 1);
    case RK_YEAR: return f->type == MYSQL_TYPE_YEAR;
    case RK_FLOAT: return f->type == MYSQL_TYPE_FLOAT;
    case RK_DOUBLE: return f->type == MYSQL_TYPE_DOUBLE;
    case RK_DECIMAL:
        return (f->type == MYSQL_TYPE_NEWDECIMAL || f->type == MYSQL_TYPE_DECIMAL) &&
               f->decimals == (unsigned)(c->meta >> 8);
    case RK_BIT: return f->type == MYSQL_TYPE_BIT;
    case RK_DATE: return f->type == MYSQL_TYPE_DATE || f->type == MYSQL_TYPE_NEWDATE;
    case RK_TIME: return f->type == MYSQL_TYPE_TIME && f->decimals == fsp;
    case RK_DATETIME:
        return (c->type == BD_T_TIMESTAMP || c->type == BD_T_TIMESTAMP2
                    ? f->type == MYSQL_TYPE_TIMESTAMP
                    : f->type == MYSQL_TYPE_DATETIME) &&
               f->decimals == fsp;
    case RK_JSON: return (unsigned)f->type == BD_T_JSON;
    case RK_VECTOR: return (unsigned)f->type == BD_T_VECTOR;
    case RK_KEYTEXT: return is_string_field(f->type) && f->charsetnr != 63;
    case RK_BYTES:
        if (c->type == BD_T_GEOMETRY) return f->type == MYSQL_TYPE_GEOMETRY;
        /* fall through */
    default: /* RK_TEXT */
        if (!is_string_field(f->type) || (f->charsetnr == 63) != (rk == RK_BYTES)) return 0;
        return !!(f->flags & ENUM_FLAG) == (c->real_type == BD_T_ENUM) &&
               !!(f->flags & SET_FLAG) == (c->real_type == BD_T_SET);
    }
}

/* One select item's bound buffer. */
typedef struct slot {
    int rk;
    uint32_t col;
    union {
        int8_t i8;
        int16_t i16;
        int32_t i32;
        int64_t i64;
        float f;
        double d;
    } num;
    MYSQL_TIME tm;
    unsigned long len;
    my_bool null, error;
    char buf[SLOT_BYTES];
} slot;

static void bind_slot(MYSQL_BIND *b, slot *sl, const MYSQL_FIELD *f)
{
    memset(b, 0, sizeof *b);
    b->is_null = &sl->null;
    b->length = &sl->len;
    b->error = &sl->error;
    b->is_unsigned = (f->flags & UNSIGNED_FLAG) ? 1 : 0;
    switch (sl->rk) {
    case RK_INT:
        /* the column's own width: no conversion in the client library */
        b->buffer_type = f->type == MYSQL_TYPE_INT24 ? MYSQL_TYPE_LONG : f->type;
        b->buffer = &sl->num;
        b->buffer_length = sizeof sl->num;
        break;
    case RK_YEAR:
        b->buffer_type = MYSQL_TYPE_SHORT;
        b->buffer = &sl->num;
        b->buffer_length = sizeof sl->num;
        break;
    case RK_FLOAT:
    case RK_DOUBLE:
        b->buffer_type = sl->rk == RK_FLOAT ? MYSQL_TYPE_FLOAT : MYSQL_TYPE_DOUBLE;
        b->buffer = &sl->num;
        b->buffer_length = sizeof sl->num;
        break;
    case RK_DATE:
    case RK_TIME:
    case RK_DATETIME:
        b->buffer_type = f->type;
        b->buffer = &sl->tm;
        b->buffer_length = sizeof sl->tm;
        break;
    default:
        b->buffer_type = MYSQL_TYPE_BLOB;
        b->buffer = sl->buf;
        b->buffer_length = sizeof sl->buf;
        break;
    }
}

/* What a fetch keeps besides the values: the text of key columns read as
 * bytes, for the last row's cursor. */
typedef struct keytext {
    size_t off[BD_SNAP_KEY_MAX], len[BD_SNAP_KEY_MAX];
} keytext;

/* The whole bytes of item k of the row just fetched: in its slot, or
 * fetched again into the arena (at *at; the arena then ends with them).
 * *p is valid until the arena grows. */
static int item_bytes(bd_snap_reader *r, MYSQL_STMT *st, slot *sl, unsigned k, bd_buf *arena,
                      const char **p, size_t *n, size_t *at, bd_err *err)
{
    *at = SIZE_MAX;
    if (sl->len <= sizeof sl->buf) {
        *p = sl->buf;
        *n = sl->len;
        return 0;
    }
    if (bd_buf_grow(arena, sl->len) < 0) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    MYSQL_BIND b;
    unsigned long got = 0;
    my_bool isnull = 0, trunc = 0;
    memset(&b, 0, sizeof b);
    b.buffer_type = MYSQL_TYPE_BLOB;
    b.buffer = arena->ptr + arena->len;
    b.buffer_length = sl->len;
    b.length = &got;
    b.is_null = &isnull;
    b.error = &trunc;
    if (mysql_stmt_fetch_column(st, &b, k, 0) != 0 || got != sl->len)
        return server_fail(r, mysql_stmt_errno(st), mysql_stmt_error(st), err,
                           "fetching a value of %lu bytes", sl->len);
    *at = arena->len;
    arena->len += sl->len;
    arena->ptr[arena->len] = '\0';
    *p = arena->ptr + *at;
    *n = sl->len;
    return 0;
}

/* Value v of item k from its slot: numbers in place, text in the arena
 * (v->u its offset until the chunk is complete). */
static int item_value(bd_snap_reader *r, MYSQL_STMT *st, const bd_snap_shape *s, slot *sl,
                      unsigned k, bd_buf *arena, bd_value *v, keytext *kt, uint32_t kti,
                      bd_err *err)
{
    const bd_column *c = &s->t->cols[sl->col];
    memset(v, 0, sizeof *v);
    if (sl->null) {
        if (sl->rk == RK_KEYTEXT)
            return bd_err_set(err, BD_ERR_SCHEMA, "key column `%.*s` is NULL", (int)c->name.n,
                              c->name.p);
        v->kind = BD_V_NULL;
        return 0;
    }
    size_t start = arena->len;
    uint8_t kind = BD_V_ASCII;
    switch (sl->rk) {
    case RK_INT:
        if (c->is_unsigned == 1) {
            v->kind = BD_V_UINT;
            v->u = c->type == BD_T_TINY       ? (uint8_t)sl->num.i8
                   : c->type == BD_T_SHORT    ? (uint16_t)sl->num.i16
                   : c->type == BD_T_LONGLONG ? (uint64_t)sl->num.i64
                                              : (uint32_t)sl->num.i32;
        } else {
            v->kind = BD_V_INT;
            v->i = c->type == BD_T_TINY       ? sl->num.i8
                   : c->type == BD_T_SHORT    ? sl->num.i16
                   : c->type == BD_T_LONGLONG ? sl->num.i64
                                              : sl->num.i32;
        }
        return 0;
    case RK_YEAR:
        v->kind = BD_V_UINT;
        v->u = (uint16_t)sl->num.i16;
        return 0;
    case RK_FLOAT:
    case RK_DOUBLE:
        if (sl->rk == RK_FLOAT)
            bd_fmt_float(arena, sl->num.f);
        else
            bd_fmt_double(arena, sl->num.d);
        kind = BD_V_DOUBLE;
        break;
    case RK_DATE:
    case RK_TIME:
    case RK_DATETIME: {
        const MYSQL_TIME *t = &sl->tm;
        /* a TIME's days are hours beyond 24 (the protocol may send them apart) */
        unsigned h = sl->rk == RK_TIME ? t->day * 24 + t->hour : t->hour;
        bd_fmt_temporal(arena, sl->rk != RK_TIME, t->year, t->month, t->day, sl->rk != RK_DATE,
                        sl->rk == RK_TIME && t->neg, h, t->minute, t->second,
                        (uint32_t)(t->second_part % 1000000), c->meta);
        break;
    }
    default: {
        const char *p = NULL;
        size_t n = 0, at = SIZE_MAX;
        if (item_bytes(r, st, sl, k, arena, &p, &n, &at, err) < 0) return -1;
        int copy = at == SIZE_MAX; /* bytes in the slot: copy them */
        switch (sl->rk) {
        case RK_BIT: {
            if (n > 8) return bd_err_set(err, BD_ERR_CORRUPT, "a BIT value of %zu bytes", n);
            uint64_t u = 0;
            for (size_t i = 0; i < n; i++)
                u = u << 8 | (uint8_t)p[i];
            v->kind = BD_V_UINT;
            v->u = u;
            return 0;
        }
        case RK_DECIMAL:
            for (size_t i = 0; i < n; i++)
                if (!((p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '.'))
                    return bd_err_set(err, BD_ERR_CORRUPT, "DECIMAL text \"%.*s\" is not a number",
                                      (int)(n > 80 ? 80 : n), p);
            kind = BD_V_ASCII;
            break;
        case RK_TEXT:
        case RK_KEYTEXT:
            /* the encoder copies STRING bytes as UTF-8 unchecked */
            if (!bd_utf8_valid((const uint8_t *)p, n))
                return bd_err_set(err, BD_ERR_CORRUPT, "text that is not UTF-8");
            kind = BD_V_STRING;
            break;
        case RK_BYTES: kind = BD_V_BYTES; break;
        case RK_JSON:
        case RK_VECTOR: {
            /* made from a copy of the raw bytes (the arena they may sit in
             * grows while the text is written), then put where they were */
            char *raw = malloc(n ? n : 1);
            if (!raw) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
            memcpy(raw, p, n);
            if (!copy) bd_buf_truncate(arena, at);
            start = arena->len;
            int rc = 0;
            if (sl->rk == RK_JSON) {
                rc = bd_snap_json_compact(arena, raw, n);
            } else if (n % 4) {
                rc = -2;
            } else {
                bd_buf_addc(arena, '[');
                for (size_t i = 0; i < n; i += 4) {
                    const uint8_t *q = (const uint8_t *)raw + i;
                    uint32_t bits = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
                                    (uint32_t)q[3] << 24;
                    float fv;
                    memcpy(&fv, &bits, 4);
                    if (i) bd_buf_addc(arena, ',');
                    bd_fmt_float(arena, fv);
                }
                bd_buf_addc(arena, ']');
            }
            free(raw);
            if (bd_buf_failed(arena)) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
            if (rc == -2) return bd_err_set(err, BD_ERR_CORRUPT, "a VECTOR of %zu bytes", n);
            if (rc < 0)
                return bd_err_set(err, BD_ERR_CORRUPT, "JSON text that ends inside a string");
            v->kind = BD_V_JSON;
            v->s = NULL;
            v->u = start;
            v->n = arena->len - start;
            return 0;
        }
        default: break;
        }
        if (copy)
            bd_buf_add(arena, p, n);
        else
            start = at;
        if (sl->rk == RK_KEYTEXT) {
            kt->off[kti] = start;
            kt->len[kti] = arena->len - start;
            return 0;
        }
        break;
    }
    }
    if (bd_buf_failed(arena)) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    v->kind = kind;
    v->s = NULL;
    v->u = start;
    v->n = arena->len - start;
    return 0;
}

/* Run sql (a SELECT of items: nv values for the columns cols[0..nv), then
 * a text item for each key column k with textof[k] >= 0) into c, and the
 * cursor of its last row: key column k is value keyval[k], or text item
 * textof[k]. */
static int run_select(bd_snap_reader *r, const bd_snap_shape *s, const bd_buf *sql,
                      const uint32_t *cols, uint32_t nv, const int *textof, const uint32_t *keyval,
                      bd_snap_chunk *c, bd_err *err)
{
    const bd_table *t = s->t;
    uint32_t nt = 0;
    for (uint32_t k = 0; k < t->npk; k++)
        if (textof[k] >= 0) nt++;
    uint32_t ni = nv + nt;
    c->ncols = nv;
    c->nrows = 0;
    bd_buf_reset(&c->last);
    bd_buf_reset(&c->arena);
    slot *sl = calloc(ni, sizeof *sl);
    MYSQL_BIND *b = calloc(ni, sizeof *b);
    MYSQL_STMT *st = mysql_stmt_init(r->m);
    MYSQL_RES *meta = NULL;
    keytext kt;
    int rc = -1;
    memset(&kt, 0, sizeof kt);
    if (!sl || !b || !st) {
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (uint32_t i = 0; i < nv; i++) {
        sl[i].col = cols[i];
        sl[i].rk = read_kind(s, cols[i]);
    }
    for (uint32_t k = 0, j = nv; k < t->npk; k++)
        if (textof[k] >= 0) {
            sl[j].col = t->pk[k];
            sl[j++].rk = RK_KEYTEXT;
        }
    if (mysql_stmt_prepare(st, sql->ptr, sql->len) != 0) {
        server_fail(r, mysql_stmt_errno(st), mysql_stmt_error(st), err, "`%s`.`%s`: %.300s", s->db,
                    s->table, sql->ptr);
        goto out;
    }
    /* a '?' of the where condition outside quotes would be a parameter */
    if (mysql_stmt_param_count(st) != 0) {
        bd_err_set(err, BD_ERR_UNSUPPORTED,
                   "`%s`.`%s`: the condition has a ? placeholder outside a string", s->db,
                   s->table);
        goto out;
    }
    meta = mysql_stmt_result_metadata(st);
    if (!meta || mysql_num_fields(meta) != ni) {
        bd_err_set(err, BD_ERR_SCHEMA,
                   "`%s`.`%s`: the server describes %u result columns for %u selected", s->db,
                   s->table, meta ? mysql_num_fields(meta) : 0, ni);
        goto out;
    }
    const MYSQL_FIELD *f = mysql_fetch_fields(meta);
    for (uint32_t i = 0; i < ni; i++) {
        const bd_column *col = &t->cols[sl[i].col];
        /* CAST items have no column name of their own */
        int named = f[i].org_name && f[i].org_name[0];
        if (!field_fits(sl[i].rk, col, &f[i]) ||
            (named && (strlen(f[i].org_name) != col->name.n ||
                       strncasecmp(f[i].org_name, col->name.p, col->name.n) != 0))) {
            bd_err_set(err, BD_ERR_SCHEMA,
                       "`%s`.`%s` column %u `%.*s` is now %s `%.64s` (type %u, %u decimals, "
                       "flags 0x%x, charset %u), not what its shape was loaded with (%s): the "
                       "table changed (a DDL): load its shape again",
                       s->db, s->table, sl[i].col + 1, (int)col->name.n, col->name.p,
                       named ? "column" : "item", named ? f[i].org_name : f[i].name,
                       (unsigned)f[i].type, f[i].decimals, f[i].flags, f[i].charsetnr,
                       bd_coltype_name(col->real_type ? col->real_type : col->type));
            goto out;
        }
        bind_slot(&b[i], &sl[i], &f[i]);
    }
    if (mysql_stmt_execute(st) != 0 || mysql_stmt_bind_result(st, b) != 0) {
        server_fail(r, mysql_stmt_errno(st), mysql_stmt_error(st), err, "`%s`.`%s`: reading rows",
                    s->db, s->table);
        goto out;
    }
    for (;;) {
        int fr = mysql_stmt_fetch(st);
        if (fr == MYSQL_NO_DATA) break;
        if (fr != 0 && fr != MYSQL_DATA_TRUNCATED) {
            server_fail(r, mysql_stmt_errno(st), mysql_stmt_error(st), err,
                        "`%s`.`%s`: reading rows", s->db, s->table);
            goto out;
        }
        if ((c->nrows + 1) * nv > c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 64 * (size_t)(nv ? nv : 1);
            while (cap < (c->nrows + 1) * nv)
                cap *= 2;
            bd_value *nvals = realloc(c->vals, cap * sizeof *nvals);
            if (!nvals) {
                bd_err_set(err, BD_ERR_NOMEM, "out of memory");
                goto out;
            }
            c->vals = nvals;
            c->cap = cap;
        }
        bd_value *row = c->vals + c->nrows * nv;
        bd_value scratch;
        for (uint32_t i = 0, kti = 0; i < ni; i++) {
            int text = sl[i].rk == RK_KEYTEXT;
            if (text)
                while (kti < t->npk && textof[kti] != (int)(i - nv))
                    kti++;
            if (item_value(r, st, s, &sl[i], i, &c->arena, text ? &scratch : &row[i], &kt, kti,
                           err) < 0) {
                bd_err_prefix(err, "`%s`.`%s` row %zu column `%.*s`: ", s->db, s->table,
                              c->nrows + 1, (int)t->cols[sl[i].col].name.n,
                              t->cols[sl[i].col].name.p);
                goto out;
            }
        }
        c->nrows++;
    }
    /* the values' text once the arena no longer moves */
    for (size_t i = 0; i < c->nrows * nv; i++)
        if (c->vals[i].kind >= BD_V_DOUBLE) c->vals[i].s = c->arena.ptr + c->vals[i].u;
    if (c->nrows) {
        const bd_value *last = c->vals + (c->nrows - 1) * nv;
        bd_buf lit = BD_BUF_INIT;
        bd_buf_addc(&c->last, '[');
        for (uint32_t k = 0; k < t->npk; k++) {
            bd_buf_reset(&lit);
            if (textof[k] >= 0) {
                add_quoted(&lit, c->arena.ptr + kt.off[k], kt.len[k]);
            } else if (bd_snap_literal(&lit, &t->cols[t->pk[k]], &last[keyval[k]]) < 0) {
                bd_buf_release(&lit);
                bd_err_set(err, BD_ERR_SCHEMA, "`%s`.`%s`: key column `%.*s` has no literal", s->db,
                           s->table, (int)t->cols[t->pk[k]].name.n, t->cols[t->pk[k]].name.p);
                goto out;
            }
            if (k) bd_buf_addc(&c->last, ',');
            bd_buf_add_json_str(&c->last, lit.ptr, lit.len);
        }
        bd_buf_addc(&c->last, ']');
        bd_buf_release(&lit);
    }
    if (bd_buf_failed(&c->arena) || bd_buf_failed(&c->last)) {
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    if (meta) mysql_free_result(meta);
    if (st) {
        /* reads what is left of an unbuffered result */
        mysql_stmt_free_result(st);
        mysql_stmt_close(st);
    }
    free(sl);
    free(b);
    if (rc < 0) {
        c->nrows = 0;
        bd_buf_reset(&c->last);
    }
    return rc;
}

int bd_snap_read_chunk(bd_snap_reader *r, const bd_snap_shape *s, const char *where,
                       const char *after, const char *upto, size_t limit, bd_snap_chunk *c,
                       bd_err *err)
{
    r->last_errno = 0;
    c->nrows = 0;
    bd_buf_reset(&c->last);
    bd_buf sql = BD_BUF_INIT;
    if (bd_snap_chunk_sql(&sql, s, where, after, upto, limit, err) < 0) {
        bd_buf_release(&sql);
        return -1;
    }
    const bd_table *t = s->t;
    uint32_t *cols = calloc(t->ncols ? t->ncols : 1, sizeof *cols);
    if (!cols) {
        bd_buf_release(&sql);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < t->ncols; i++)
        cols[i] = i;
    int textof[BD_SNAP_KEY_MAX];
    uint32_t keyval[BD_SNAP_KEY_MAX];
    for (uint32_t k = 0, j = 0; k < t->npk; k++) {
        textof[k] = read_as(s, t->pk[k]) == AS_BINARY ? (int)j++ : -1;
        keyval[k] = t->pk[k];
    }
    int rc = run_select(r, s, &sql, cols, t->ncols, textof, keyval, c, err);
    free(cols);
    bd_buf_release(&sql);
    return rc;
}

int bd_snap_max_key(bd_snap_reader *r, const bd_snap_shape *s, const char *where, bd_buf *out,
                    bd_err *err)
{
    r->last_errno = 0;
    bd_buf_reset(out);
    bd_buf sql = BD_BUF_INIT;
    if (build_select(&sql, s, 1, where, NULL, NULL, 1, err) < 0) {
        bd_buf_release(&sql);
        return -1;
    }
    const bd_table *t = s->t;
    int textof[BD_SNAP_KEY_MAX];
    uint32_t keyval[BD_SNAP_KEY_MAX];
    for (uint32_t k = 0, j = 0; k < t->npk; k++) {
        textof[k] = read_as(s, t->pk[k]) == AS_BINARY ? (int)j++ : -1;
        keyval[k] = k;
    }
    bd_snap_chunk c;
    bd_snap_chunk_init(&c);
    int rc = run_select(r, s, &sql, t->pk, t->npk, textof, keyval, &c, err);
    if (rc == 0 && c.nrows) {
        bd_buf_add(out, c.last.ptr, c.last.len);
        rc = bd_buf_failed(out) ? bd_err_set(err, BD_ERR_NOMEM, "out of memory") : 1;
    }
    bd_snap_chunk_release(&c);
    bd_buf_release(&sql);
    return rc;
}

/* ---- the signal table ------------------------------------------------------ */

/* The CREATE TABLE of the signal table db.tb into b. */
static void signal_ddl(bd_buf *b, const char *db, const char *tb)
{
    bd_buf_adds(b, "CREATE TABLE IF NOT EXISTS ");
    add_table(b, db, tb);
    bd_buf_adds(b, " (id VARCHAR(64) NOT NULL PRIMARY KEY, type VARCHAR(16) NOT NULL, "
                   "at DATETIME(6) NOT NULL) ENGINE=InnoDB");
}

/* What information_schema says of the signal table: 0 missing, 1 there
 * and fit (*has_at), -1 with err (unfit, or the query failed). */
static int signal_check(bd_snap_reader *r, const char *db, const char *tb, int *has_at, bd_err *err)
{
    bd_buf q = BD_BUF_INIT;
    bd_buf_adds(&q, "SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH FROM "
                    "information_schema.COLUMNS WHERE TABLE_SCHEMA = ");
    add_quoted(&q, db, strlen(db));
    bd_buf_adds(&q, " AND TABLE_NAME = ");
    add_quoted(&q, tb, strlen(tb));
    if (bd_buf_failed(&q)) {
        bd_buf_release(&q);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    MYSQL_RES *res = run_query(r, q.ptr, "reading the signal table's columns", err);
    bd_buf_release(&q);
    if (!res) return -1;
    int ncol = 0, id = 0, type = 0;
    *has_at = 0;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) != NULL) {
        ncol++;
        if (!row[0] || !row[1]) continue;
        int text = !strcasecmp(row[1], "varchar") || !strcasecmp(row[1], "char") ||
                   (strlen(row[1]) >= 4 && !strcasecmp(row[1] + strlen(row[1]) - 4, "text"));
        unsigned long len = row[2] ? strtoul(row[2], NULL, 10) : 0;
        if (!strcasecmp(row[0], "id")) id = text && len >= SIGNAL_ID_MAX;
        if (!strcasecmp(row[0], "type")) type = text && len >= 3;
        if (!strcasecmp(row[0], "at")) *has_at = 1;
    }
    mysql_free_result(res);
    if (!ncol) return 0;
    if (id && type) return 1;
    bd_buf ddl = BD_BUF_INIT;
    signal_ddl(&ddl, db, tb);
    bd_err_set(err, BD_ERR_SCHEMA,
               "the signal table `%s`.`%s` exists but has no column %s: drop it and let binlogd "
               "create it, or create it as %.300s",
               db, tb,
               id ? "type of text (3 characters or more)" : "id of text (64 characters or more)",
               ddl.ptr);
    bd_buf_release(&ddl);
    return -1;
}

int bd_snap_signal_prepare(bd_snap_reader *r, const char *db, const char *tb, bd_err *err)
{
    r->last_errno = 0;
    if (name_ok(db, tb, err) < 0) return -1;
    int has_at = 1;
    int rc = signal_check(r, db, tb, &has_at, err);
    if (rc == 0) {
        /* created only when missing: a DDL in the binlog only the first time */
        bd_buf q = BD_BUF_INIT;
        signal_ddl(&q, db, tb);
        if (bd_buf_failed(&q)) {
            bd_buf_release(&q);
            return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        }
        if (mysql_query(r->m, q.ptr) != 0) {
            unsigned e = mysql_errno(r->m);
            r->last_errno = e;
            if (e == ER_BAD_DB)
                bd_err_set(err, BD_ERR_SCHEMA,
                           "the database of the signal table does not exist on %s: CREATE "
                           "DATABASE `%s` (binlogd creates the table in it)",
                           r->where, db);
            else if (e == ER_TABLEACCESS_DENIED || e == ER_DBACCESS_DENIED ||
                     e == ER_SPECIFIC_ACCESS_DENIED)
                bd_err_set(err, BD_ERR_SCHEMA,
                           "cannot create the signal table on %s (%u: %s): GRANT CREATE ON `%s`.* "
                           "TO %s, or create it as %.250s; binlogd also needs GRANT INSERT, "
                           "DELETE ON `%s`.`%s` TO %s",
                           r->where, e, mysql_error(r->m), db, r->account, q.ptr, db, tb,
                           r->account);
            else
                query_fail(r, err, "creating the signal table");
            bd_buf_release(&q);
            return -1;
        }
        bd_buf_release(&q);
        /* someone else's table may have been there first (IF NOT EXISTS) */
        rc = signal_check(r, db, tb, &has_at, err);
        if (rc == 0)
            return bd_err_set(err, BD_ERR_SCHEMA,
                              "the signal table `%s`.`%s` was created on %s but %s cannot see "
                              "it: GRANT SELECT, INSERT, DELETE ON `%s`.`%s` TO %s",
                              db, tb, r->where, r->account, db, tb, r->account);
    }
    if (rc < 0) return -1;
    snprintf(r->sig_db, sizeof r->sig_db, "%s", db);
    snprintf(r->sig_tb, sizeof r->sig_tb, "%s", tb);
    r->sig_at = has_at;
    return 0;
}

int bd_snap_watermark(bd_snap_reader *r, const char *db, const char *tb, const char *id, int high,
                      bd_err *err)
{
    r->last_errno = 0;
    if (name_ok(db, tb, err) < 0) return -1;
    size_t idn = strlen(id);
    if (!idn || idn > SIGNAL_ID_MAX)
        return bd_err_set(err, BD_ERR_UNSUPPORTED, "a watermark id of %zu bytes (1 to %d)", idn,
                          SIGNAL_ID_MAX);
    /* the table's layout (with the column at or without: someone else's),
     * learnt once per reader */
    if (strcmp(r->sig_db, db) != 0 || strcmp(r->sig_tb, tb) != 0) {
        int has_at = 0, fit = signal_check(r, db, tb, &has_at, err);
        if (fit < 0) return -1;
        if (fit == 0)
            return bd_err_set(err, BD_ERR_IO,
                              "the signal table `%s`.`%s` is missing on %s (or %s cannot see it)",
                              db, tb, r->where, r->account);
        snprintf(r->sig_db, sizeof r->sig_db, "%s", db);
        snprintf(r->sig_tb, sizeof r->sig_tb, "%s", tb);
        r->sig_at = has_at;
    }
    int with_at = r->sig_at;
    bd_buf q = BD_BUF_INIT;
    if (!high) {
        bd_buf_adds(&q, "INSERT INTO ");
        add_table(&q, db, tb);
        bd_buf_adds(&q, with_at ? " (id, type, at) VALUES (" : " (id, type) VALUES (");
        add_quoted(&q, id, idn);
        bd_buf_adds(&q, with_at ? ", 'low', NOW(6))" : ", 'low')");
    } else {
        bd_buf_adds(&q, "DELETE FROM ");
        add_table(&q, db, tb);
        bd_buf_adds(&q, " WHERE id = ");
        add_quoted(&q, id, idn);
    }
    if (bd_buf_failed(&q)) {
        bd_buf_release(&q);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    const char *what = high ? "the high watermark" : "the low watermark";
    int rc = 0;
    if (mysql_real_query(r->m, q.ptr, q.len) != 0) {
        unsigned e = mysql_errno(r->m);
        r->last_errno = e;
        if (e == ER_TABLEACCESS_DENIED || e == ER_COLUMNACCESS_DENIED || e == ER_DBACCESS_DENIED) {
            rc = bd_err_set(err, BD_ERR_IO,
                            "%s in `%s`.`%s` on %s (%u: %s): GRANT INSERT, DELETE ON `%s`.`%s` "
                            "TO %s",
                            what, db, tb, r->where, e, mysql_error(r->m), db, tb, r->account);
        } else if (e == ER_NO_SUCH_TABLE) {
            r->sig_db[0] = '\0'; /* its layout is to be learnt again */
            rc = bd_err_set(err, BD_ERR_IO,
                            "%s: the signal table `%s`.`%s` is gone from %s (%u: %s): it is "
                            "created again at the next start",
                            what, db, tb, r->where, e, mysql_error(r->m));
        } else {
            rc = bd_err_set(err, BD_ERR_IO, "%s in `%s`.`%s` on %s: %u: %s", what, db, tb, r->where,
                            e, mysql_error(r->m));
        }
    } else if (high && mysql_affected_rows(r->m) != 1) {
        /* no delete in the binlog: the window would never close */
        rc = bd_err_set(err, BD_ERR_IO,
                        "the high watermark found no row '%s' in `%s`.`%s` on %s (deleted by "
                        "someone else?)",
                        id, db, tb, r->where);
    }
    bd_buf_release(&q);
    return rc;
}
