/* schema_history.h - the columns of each table as they were at each binlog
 * position, kept in a local file so that a restart or a replay of an old
 * range decodes rows with the columns of their time.
 *
 * Needed only when the binlog carries no column names (binlog_row_metadata
 * below FULL): the names then come from information_schema, which knows
 * only today's table.  The history records
 *   - a snapshot of a table (name, COLUMN_TYPE, collation id per column,
 *     as information_schema gave them) at the position of the TABLE_MAP
 *     where the reader first needed it, and
 *   - the position of every DDL the reader passed (any statement outside a
 *     transaction: the history does not parse SQL, so every such statement
 *     ends the validity of every snapshot).
 * A snapshot taken at X is valid for every position between the DDL before
 * X and the DDL after X.  Looking a table up at P gives the snapshot valid
 * at P, if any; a reader that has none asks information_schema and adds
 * the answer at P.
 *
 * The file: JSON lines, appended and fsync'ed one at a time (DDL and first
 * sightings are rare).  The first line names the server the positions
 * belong to; a history is refused for another server.  A last line cut
 * short by a crash is dropped when the file is opened.
 *
 *   {"binlogd_schema_history":1,"server":"mariadb server_id=1"}
 *   {"ddl":{"file":"binlog.000002","pos":1234},"db":"app","query":"ALTER ..."}
 *   {"table":{"file":"binlog.000002","pos":1400},"db":"app","name":"t",
 *    "columns":[{"name":"id","type":"bigint(20) unsigned","collation":0},...]}
 *
 * Ownership: the history owns everything it returns; pointers stay valid
 * until the next add or close.  One thread.
 */
#ifndef BINLOGD_SCHEMA_HISTORY_H
#define BINLOGD_SCHEMA_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/decoder.h"
#include "binlogd/error.h"

typedef struct bd_schema_col {
    char *name;
    char *type; /* information_schema COLUMN_TYPE, e.g. "varchar(32)" */
    uint32_t collation;
} bd_schema_col;

/* Free an array of n columns and their strings (NULL is fine). */
void bd_schema_cols_free(bd_schema_col *c, size_t n);

typedef struct bd_schema_history bd_schema_history;

/* Open path, creating it when missing, and load it.  NULL with err naming
 * path:line for a line that is not what this file holds. */
bd_schema_history *bd_schema_history_open(const char *path, bd_err *err);
void bd_schema_history_close(bd_schema_history *h);

/* Tie the history to a server ("mariadb server_id=1", "mysql uuid=...").
 * A new file records it; a file of another server is refused. */
int bd_schema_history_bind(bd_schema_history *h, const char *server, bd_err *err);

/* The server the history belongs to (its first line), or NULL for a new,
 * empty history.  Owned by the history. */
const char *bd_schema_history_server(const bd_schema_history *h);

/* Record a DDL at file:pos (once: a second call for the same position is a
 * no-op, as after a reconnect). */
int bd_schema_history_add_ddl(bd_schema_history *h, const char *file, uint64_t pos, const char *db,
                              size_t dbn, const char *query, size_t qn, bd_err *err);

/* Record the columns of db.table seen at file:pos. */
int bd_schema_history_add_table(bd_schema_history *h, const char *file, uint64_t pos,
                                const char *db, const char *table, const bd_schema_col *cols,
                                size_t n, bd_err *err);

/* The columns of db.table valid at file:pos: 1 with *cols, *n set, or 0
 * when the history has none for that stretch; then *ddl_after says
 * whether the history knows a DDL after pos (today's table may differ
 * from the one at pos). */
int bd_schema_history_find(const bd_schema_history *h, const char *file, uint64_t pos,
                           const char *db, const char *table, const bd_schema_col **cols, size_t *n,
                           int *ddl_after);

/* The map's database and table names as C strings, for the lookups
 * above; -1 with err if one is longer than MySQL allows (64 bytes). */
int bd_schema_names(const bd_table *t, char db[65], char tb[65], bd_err *err);

/* Put the names, signedness and collations of cols (n of them) on the map
 * t of db.tb, after checking that they fit it: the same column count, and
 * each COLUMN_TYPE of the binlog type's family.  -1 with err (saying the
 * table changed since that position, cols coming from 'whence') when they
 * do not: values are never put under names that may not be theirs. */
int bd_schema_apply(bd_table *t, const char *db, const char *tb, const bd_schema_col *cols,
                    size_t n, const char *whence, bd_err *err);

/* Counts, for tests and logs. */
size_t bd_schema_history_ddls(const bd_schema_history *h);
size_t bd_schema_history_tables(const bd_schema_history *h);

/* Order of two binlog positions: by the file's sequence number (the digits
 * after the last '.', so binlog.999999 < binlog.1000000), then pos. */
int bd_binlog_pos_cmp(const char *fa, uint64_t pa, const char *fb, uint64_t pb);

#endif
