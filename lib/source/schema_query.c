/* schema_query.c - see include/binlogd/schema_query.h.
 *
 * Four queries, each only when the ones before it succeeded (a failed
 * query may have lost the connection, which the caller then closes):
 * TABLES (MariaDB: versioning, engine), STATISTICS (the unique keys),
 * COLUMNS (names, types, collation ids, nullability), then the key is
 * chosen from what they said.
 */
#include "binlogd/schema_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mysql.h>

/* Longest database or table name: 64 characters of up to 4 bytes. */
#define NAME_BYTES 256

/* A part of a unique key, as information_schema.STATISTICS lists it. */
typedef struct ukey_part {
    char *index, *col; /* col NULL for a MySQL functional key part */
    unsigned long seq;
    int prefix, nullable, hash;
} ukey_part;

static void ukey_free(ukey_part *u, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(u[i].index);
        free(u[i].col);
    }
    free(u);
}

/* Can unique key 'name' (its parts in u[0..n)) serve as the primary key? As
 * the server decides when a table has no PRIMARY KEY: every part a whole
 * NOT NULL column, and not a MariaDB long unique (a hash of the columns
 * kept in a hidden column). */
static int ukey_eligible(const ukey_part *u, size_t n, const char *name, int long_hash)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(u[i].index, name) != 0) continue;
        if (!u[i].col || u[i].prefix || u[i].nullable || (u[i].hash && long_hash)) return 0;
    }
    return 1;
}

/* What bd_schema_query learns of one table, query by query; u and c are
 * freed by bd_schema_query whatever step failed. */
typedef struct schema_read {
    MYSQL *m;
    bd_schema_info *info;
    char edb[2 * NAME_BYTES + 1], etb[2 * NAME_BYTES + 1]; /* db and tb escaped */
    int maria;
    unsigned version_num;
    int implicit_period; /* WITH SYSTEM VERSIONING without naming row_start/row_end */
    int long_hash;       /* a HASH index is a long unique (not a MEMORY table) */
    ukey_part *u;        /* the unique keys' parts */
    size_t nu;
    bd_schema_col *c; /* the listed columns, then the hidden ones */
    size_t n, listed;
} schema_read;

/* Run q: its result, or NULL with err set and the failure noted in info
 * (the caller decides what a failed query means for the connection). */
static MYSQL_RES *sq_query(schema_read *t, const char *q, const char *what, bd_err *err)
{
    MYSQL_RES *res = NULL;
    if (mysql_query(t->m, q) == 0 && (res = mysql_store_result(t->m)) != NULL) return res;
    unsigned e = mysql_errno(t->m);
    bd_err_set(err, BD_ERR_SCHEMA, "information_schema.%s: %u: %s", what, e,
               e ? mysql_error(t->m) : "no result");
    t->info->query_failed = 1;
    t->info->server_errno = e;
    return NULL;
}

/* MariaDB: whether the table has the implicit period's hidden columns and
 * whether its HASH keys are long uniques (a hidden column each).  0, or -1
 * with err. */
static int schema_hidden_kinds(schema_read *t, bd_err *err)
{
    char q[2048];
    MYSQL_RES *res;
    MYSQL_ROW row;
    int versioned = 0;
    if (!t->maria) return 0;
    snprintf(q, sizeof q,
             "SELECT TABLE_TYPE, ENGINE FROM information_schema.TABLES "
             "WHERE TABLE_SCHEMA = '%s' AND TABLE_NAME = '%s'",
             t->edb, t->etb);
    if (!(res = sq_query(t, q, "TABLES", err))) return -1;
    if ((row = mysql_fetch_row(res)) != NULL) {
        versioned = row[0] && !strcmp(row[0], "SYSTEM VERSIONED");
        /* MEMORY has real hash indexes; elsewhere HASH is a long unique */
        t->long_hash = !row[1] || strcasecmp(row[1], "MEMORY") != 0;
    }
    mysql_free_result(res);
    if (!versioned) return 0;
    /* columns named in PERIOD FOR SYSTEM_TIME are listed; the implicit
     * row_start and row_end are not */
    snprintf(q, sizeof q,
             "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '%s' AND "
             "TABLE_NAME = '%s' AND GENERATION_EXPRESSION = 'ROW START'",
             t->edb, t->etb);
    if (!(res = sq_query(t, q, "COLUMNS", err))) return -1;
    row = mysql_fetch_row(res);
    t->implicit_period = row && row[0] && !strcmp(row[0], "0");
    mysql_free_result(res);
    return 0;
}

/* The unique keys' parts into t->u, in the server's key order (PRIMARY
 * first, then the others as it sorted them: that order decides which one
 * stands in for a missing PRIMARY KEY).  0, or -1 with err. */
static int schema_unique_keys(schema_read *t, bd_err *err)
{
    char q[2048];
    MYSQL_RES *res;
    MYSQL_ROW row;
    snprintf(q, sizeof q,
             "SELECT INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART, NULLABLE, INDEX_TYPE "
             "FROM information_schema.STATISTICS "
             "WHERE TABLE_SCHEMA = '%s' AND TABLE_NAME = '%s' AND NON_UNIQUE = 0",
             t->edb, t->etb);
    if (!(res = sq_query(t, q, "STATISTICS", err))) return -1;
    size_t nu = (size_t)mysql_num_rows(res), iu = 0;
    ukey_part *u = calloc(nu ? nu : 1, sizeof *u);
    int oom = !u;
    while (!oom && iu < nu && (row = mysql_fetch_row(res)) != NULL) {
        ukey_part *p = &u[iu++];
        p->index = strdup(row[0] ? row[0] : "");
        p->seq = row[1] ? strtoul(row[1], NULL, 10) : 0;
        p->col = row[2] ? strdup(row[2]) : NULL;
        p->prefix = row[3] != NULL;
        p->nullable = row[4] && row[4][0];
        p->hash = t->maria && row[5] && !strcmp(row[5], "HASH");
        if (!p->index || (row[2] && !p->col)) oom = 1;
    }
    mysql_free_result(res);
    t->u = u;
    t->nu = iu;
    return oom ? bd_err_set(err, BD_ERR_NOMEM, "out of memory") : 0;
}

/* The listed columns into t->c in their order, then the hidden ones as the
 * binlog has them: the period's two, then one per long unique key.  0, or
 * -1 with err. */
static int schema_columns(schema_read *t, bd_err *err)
{
    char q[2048];
    MYSQL_RES *res;
    MYSQL_ROW row;
    /* MariaDB 10.10+ names its UCA 14 collations apart from their charset
     * in COLLATIONS ("uca1400_ai_ci", no id); the id of the column's full
     * name ("utf8mb4_uca1400_ai_ci", 2304) is in the applicability table */
    int full_names = t->maria && t->version_num >= 101000;
    snprintf(q, sizeof q,
             "SELECT c.COLUMN_NAME, c.COLUMN_TYPE, IFNULL(l.ID, 0), c.IS_NULLABLE "
             "FROM information_schema.COLUMNS c LEFT JOIN information_schema.%s l "
             "ON l.%s = c.COLLATION_NAME "
             "WHERE c.TABLE_SCHEMA = '%s' AND c.TABLE_NAME = '%s' ORDER BY c.ORDINAL_POSITION",
             full_names ? "COLLATION_CHARACTER_SET_APPLICABILITY" : "COLLATIONS",
             full_names ? "FULL_COLLATION_NAME" : "COLLATION_NAME", t->edb, t->etb);
    if (!(res = sq_query(t, q, "COLUMNS", err))) return -1;
    size_t listed = (size_t)mysql_num_rows(res);
    size_t nhash = 0;
    for (size_t k = 0; t->long_hash && k < t->nu; k++) {
        if (!t->u[k].hash) continue;
        size_t j = 0;
        while (j < k && strcmp(t->u[j].index, t->u[k].index) != 0)
            j++;
        if (j == k) nhash++;
    }
    int period = t->implicit_period, oom = 0;
    size_t n = listed + (period ? 2 : 0) + nhash, i = 0;
    bd_schema_col *c = calloc(n ? n : 1, sizeof *c);
    uint8_t *nullable = calloc(n ? n : 1, 1);
    while (c && nullable && i < listed && (row = mysql_fetch_row(res)) != NULL) {
        c[i].name = strdup(row[0] ? row[0] : "");
        c[i].type = strdup(row[1] ? row[1] : "");
        c[i].collation = row[2] ? (uint32_t)strtoul(row[2], NULL, 10) : 0;
        nullable[i] = row[3] && !strcmp(row[3], "YES");
        if (!c[i].name || !c[i].type) break;
        i++;
    }
    mysql_free_result(res);
    for (size_t h = 0; c && i == listed && h < n - listed; h++) {
        char nm[32];
        if (period && h < 2)
            snprintf(nm, sizeof nm, "%s", h ? "row_end" : "row_start");
        else
            snprintf(nm, sizeof nm, "DB_ROW_HASH_%zu", h - (period ? 2 : 0) + 1);
        c[listed + h].name = strdup(nm);
        c[listed + h].type = strdup(period && h < 2 ? "timestamp(6)" : "bigint(20) unsigned");
        if (!c[listed + h].name || !c[listed + h].type) oom = 1;
    }
    t->c = c;
    t->n = n;
    t->listed = listed;
    t->info->nullable = nullable;
    t->info->listed = listed;
    t->info->implicit_period = period;
    t->info->long_uniques = nhash;
    if (!c || !nullable || i != listed || oom)
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    return 0;
}

/* Mark the key's columns (pk = place in the key): PRIMARY, or else the
 * first unique key eligible to stand in for it.  0, or -1 with err when
 * the key names a column that is not listed. */
static int schema_primary_key(schema_read *t, const char *db, const char *tb, bd_err *err)
{
    const ukey_part *u = t->u;
    size_t nu = t->nu, n = t->n;
    bd_schema_col *c = t->c;
    const char *key = NULL;
    for (size_t k = 0; k < nu && !key; k++)
        if (!strcmp(u[k].index, "PRIMARY")) key = "PRIMARY";
    for (size_t k = 0; k < nu && !key; k++)
        if (ukey_eligible(u, nu, u[k].index, t->long_hash)) key = u[k].index;
    if (!key) return 0;
    snprintf(t->info->key, sizeof t->info->key, "%s", key);
    uint32_t pos = 0;
    /* parts by SEQ_IN_INDEX, whatever order the rows came in */
    for (unsigned long seq = 1;; seq++) {
        size_t k = 0;
        while (k < nu && (strcmp(u[k].index, key) != 0 || u[k].seq != seq))
            k++;
        if (k == nu) break;
        size_t j = 0;
        while (u[k].col && j < n && strcmp(c[j].name, u[k].col) != 0)
            j++;
        if (!u[k].col || j == n || c[j].pk)
            return bd_err_set(err, BD_ERR_SCHEMA,
                              "information_schema.STATISTICS: key %s of `%s`.`%s` names a column "
                              "that information_schema.COLUMNS does not list",
                              key, db, tb);
        c[j].pk = ++pos;
    }
    /* the implicit row_end ends every unique key of a versioned table */
    if (t->implicit_period) c[t->listed + 1].pk = ++pos;
    return 0;
}

int bd_schema_query(MYSQL *ctl, int mariadb, unsigned version_num, const char *db, const char *tb,
                    bd_schema_col **out, size_t *nout, bd_schema_info *info, bd_err *err)
{
    memset(info, 0, sizeof *info);
    *out = NULL;
    *nout = 0;
    size_t dn = strlen(db), tn = strlen(tb);
    if (dn > NAME_BYTES || tn > NAME_BYTES)
        return bd_err_set(err, BD_ERR_SCHEMA, "`%.64s`.`%.64s`: a name longer than MySQL allows",
                          db, tb);
    schema_read t = {.m = ctl, .info = info, .maria = mariadb, .version_num = version_num};
    mysql_real_escape_string(ctl, t.edb, db, (unsigned long)dn);
    mysql_real_escape_string(ctl, t.etb, tb, (unsigned long)tn);
    int rc = schema_hidden_kinds(&t, err);
    if (rc == 0) rc = schema_unique_keys(&t, err);
    if (rc == 0) rc = schema_columns(&t, err);
    if (rc == 0) rc = schema_primary_key(&t, db, tb, err);
    ukey_free(t.u, t.nu);
    if (rc < 0) {
        if (t.c) bd_schema_cols_free(t.c, t.n);
        return -1;
    }
    *out = t.c;
    *nout = t.n;
    return 0;
}

void bd_schema_info_release(bd_schema_info *info)
{
    free(info->nullable);
    memset(info, 0, sizeof *info);
}
