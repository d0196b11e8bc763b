/* schema_query.h - a table's columns and key as information_schema shows
 * them today, for the readers that need them: the live source (a TABLE_MAP
 * without names, source_server.c) and a snapshot's shape
 * (snapshot_read.c).  One lookup, so both take the same key for a table.
 *
 * The key is the PRIMARY KEY, or else the unique key the server itself
 * takes for one when a table has none: the first, in the server's key
 * order, whose every part is a whole NOT NULL column and which is not a
 * MariaDB long unique (a hash of the columns kept in a hidden column).
 *
 * MariaDB also writes hidden columns to the binlog that information_schema
 * does not list; they are added after the listed ones, as the binlog has
 * them: the row_start and row_end of a table WITH SYSTEM VERSIONING that
 * does not name them (row_end then ends every unique key), then one
 * DB_ROW_HASH_<n> per long unique key (UNIQUE over a BLOB/TEXT or USING
 * HASH: index type HASH outside MEMORY tables).
 *
 * Threads: none of its own; the connection is the caller's.
 * Ownership: the columns returned are the caller's (bd_schema_cols_free),
 * and so is what info holds (bd_schema_info_release).
 */
#ifndef BINLOGD_SCHEMA_QUERY_H
#define BINLOGD_SCHEMA_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/error.h"
#include "binlogd/schema_history.h" /* bd_schema_col */

struct st_mysql; /* MYSQL of libmariadb */

/* What a lookup learnt beside the columns, and how it failed. */
typedef struct bd_schema_info {
    size_t listed;       /* columns information_schema lists (the first ones); 0: no table */
    int implicit_period; /* hidden row_start and row_end follow the listed columns */
    size_t long_uniques; /* hidden DB_ROW_HASH_<n> columns, after those */
    char key[257];       /* the key the pk marks come from: "PRIMARY", a unique index's
                             name, "" none */
    uint8_t *nullable;   /* per listed column, 1 when it allows NULL (malloc'd) */
    /* a query failed, so the connection may be gone: its error number
     * (0 when the client gave none), for bd_server_retryable() */
    int query_failed;
    unsigned server_errno;
} bd_schema_info;

/* The columns of db.tb (mariadb: the server is MariaDB; version_num as
 * bd_version_number() gives it) into *out, *n: the listed ones in table
 * order, then the hidden ones, each with the 1-based place in the key of
 * the key's columns (bd_schema_col.pk).  A table that does not exist (or
 * that the account cannot see) has no columns: 0 with *n = 0.  -1 with err
 * (BD_ERR_SCHEMA naming the information_schema table, or BD_ERR_NOMEM) and
 * info->query_failed when a query failed; *out is then NULL.  info is
 * filled either way: release it. */
int bd_schema_query(struct st_mysql *ctl, int mariadb, unsigned version_num, const char *db,
                    const char *tb, bd_schema_col **out, size_t *n, bd_schema_info *info,
                    bd_err *err);
void bd_schema_info_release(bd_schema_info *info);

#endif
