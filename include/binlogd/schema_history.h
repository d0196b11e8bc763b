/* schema_history.h - the columns of each table as they were at each binlog
 * position, kept in a local file so that a restart or a replay of an old
 * range decodes rows with the columns of their time.
 *
 * Needed only when the binlog carries no column names (binlog_row_metadata
 * below FULL): the names, the primary key and the ENUM/SET members then
 * come from information_schema, which knows only today's table.  The
 * history records
 *   - a snapshot of a table (name, COLUMN_TYPE, collation id per column,
 *     as information_schema gave them, COLUMN_TYPE holding the ENUM/SET
 *     members; and the primary key, by column names in key order, [] for a
 *     table without one) at the position of the TABLE_MAP where the reader
 *     first needed it, and
 *   - the position of every DDL the reader passed (any statement outside a
 *     transaction: the history does not parse SQL, so every such statement
 *     ends the validity of every snapshot).
 * A snapshot taken at X is valid for every position between the DDL before
 * X and the DDL after X, as far as readers read the binlog whole: the
 * history knows only the DDLs of what was read, so each line says where
 * the reader that wrote it started ("seen_from"), and a snapshot serves P
 * only when X and P lie in stretches read whole that join.  Looking a
 * table up at P gives the snapshot valid at P, if any; a reader that has
 * none asks information_schema (checking the DDLs after P) and adds the
 * answer at P.
 *
 * The file: JSON lines, appended and fsync'ed one at a time (DDL and first
 * sightings are rare).  The first line names the server the positions
 * belong to; a history is refused for another server.  A last line cut
 * short by a crash is dropped when the file is opened.
 *
 *   {"binlogd_schema_history":1,"server":"mariadb server_id=1"}
 *   {"ddl":{"file":"binlog.000002","pos":1234},"seen_from":{"file":"binlog.000001",
 *    "pos":4},"db":"app","query":"ALTER ..."}
 *   {"table":{"file":"binlog.000002","pos":1400},"seen_from":{...},"db":"app","name":"t",
 *    "columns":[{"name":"id","type":"bigint(20) unsigned","collation":0},
 *               {"name":"k2","type":"enum('a','it''s')","collation":45},...],
 *    "primary_key":["k2","id"]}
 *
 * A table line without "primary_key" (written by a binlogd before it kept
 * keys) is passed over when the file is loaded, as if that snapshot were
 * absent: the reader asks information_schema again and appends a complete
 * line, rather than decode as if the table had no key.  The names of
 * "primary_key" must be columns of the line, each once.
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
    char *type; /* information_schema COLUMN_TYPE, e.g. "varchar(32)",
                   "enum('new','it''s')" (as UTF-8: the control connection's charset) */
    uint32_t collation;
    uint32_t pk; /* 1-based position of the column in the primary key; 0: not in it */
} bd_schema_col;

/* Free an array of n columns and their strings (NULL is fine). */
void bd_schema_cols_free(bd_schema_col *c, size_t n);

typedef struct bd_schema_history bd_schema_history;

/* Open path, creating it when missing, and load it.  NULL with err naming
 * path:line for a line that is not what this file holds. */
bd_schema_history *bd_schema_history_open(const char *path, bd_err *err);
void bd_schema_history_close(bd_schema_history *h);

/* Call tee with each line appended from now on (without its newline),
 * once it is durable: the daemon copies them to its state topic. */
void bd_schema_history_set_tee(bd_schema_history *h,
                               void (*tee)(void *ctx, const char *line, size_t n), void *ctx);

/* Add to the file at path (created when missing) the lines (n of them,
 * lens[i] bytes each, no newline) it does not hold yet, as copied from
 * another history (the state topic's): the server's line first in a new
 * file, and not again in a file that has one; none at all when the file
 * names another server than the lines do.  server ("mariadb server_id=1";
 * NULL: unknown) names a new file when the lines lack their server's line
 * (without either, nothing is added).  *added counts them.  0, or
 * -1 with err. */
int bd_schema_history_merge(const char *path, const char *server, const char *const *lines,
                            const size_t *lens, size_t n, size_t *added, bd_err *err);

/* Tie the history to a server ("mariadb server_id=1", "mysql uuid=...").
 * A new file records it; a file of another server is refused. */
int bd_schema_history_bind(bd_schema_history *h, const char *server, bd_err *err);

/* The server the history belongs to (its first line), or NULL for a new,
 * empty history.  Owned by the history. */
const char *bd_schema_history_server(const bd_schema_history *h);

/* The reader that uses the history starts at file:pos and records every
 * DDL it passes from there (the first call counts; later ones are no-ops).
 * Its lines then say so ("seen_from"), and its snapshots may serve any
 * position it has read.  Without it, lines say nothing of what was read
 * and add no stretch that snapshots may be trusted over. */
int bd_schema_history_session(bd_schema_history *h, const char *file, uint64_t pos, bd_err *err);

/* The reader stops, having read everything before file:pos (the end of
 * its last whole transaction): a line {"seen_to":...,"seen_from":...}
 * says so, so that a later reader may trust the snapshots over it.  No-op
 * without a session. */
int bd_schema_history_seen_to(bd_schema_history *h, const char *file, uint64_t pos, bd_err *err);

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
 * from the one at pos).  A snapshot taken at X serves pos only when no
 * DDL is known between them and every event between them was read by
 * some reader that recorded its DDLs (this one since its start, or those
 * whose lines say "seen_from"): the history does not stretch a snapshot
 * over binlog it never read. */
int bd_schema_history_find(const bd_schema_history *h, const char *file, uint64_t pos,
                           const char *db, const char *table, const bd_schema_col **cols, size_t *n,
                           int *ddl_after);

/* The map's database and table names as C strings, for the lookups
 * above; -1 with err if one is longer than MySQL allows (64 bytes). */
int bd_schema_names(const bd_table *t, char db[65], char tb[65], bd_err *err);

/* Put the names, signedness and collations of cols (n of them) on the map
 * t of db.tb, after checking that they fit it: the same column count, and
 * each COLUMN_TYPE of the binlog type's family.  Where the map has none of
 * its own, also the primary key (the columns with pk > 0, in pk order:
 * positions 1..k each once) and the ENUM/SET members (parsed from
 * COLUMN_TYPE, owned by the map and marked UTF-8 unless the column's
 * collation is binary; their count must give the map's pack length).  -1
 * with err (BD_ERR_SCHEMA, saying the table changed since that position,
 * cols coming from 'whence') when they do not fit, before anything is
 * changed: values are never put under names that may not be theirs. */
int bd_schema_apply(bd_table *t, const char *db, const char *tb, const bd_schema_col *cols,
                    size_t n, const char *whence, bd_err *err);

/* The members of an ENUM or SET COLUMN_TYPE as information_schema writes
 * it: "enum('a','it''s')", "set('x','y')".  Inside the quotes a quote is
 * doubled (MariaDB) or \' (MySQL), a backslash is \\, and \0 \n \r \Z
 * \t \b stand for NUL, LF, CR, 0x1A, TAB and backspace; other bytes (TAB
 * and 0x1A on MariaDB, multi-byte characters) are themselves.  out->m[k]
 * points into memory out owns (out->bytes); release it with
 * bd_schema_members_release().  -1 with err (BD_ERR_SCHEMA, naming the
 * offset) for anything else, or more than 65535 members. */
typedef struct bd_schema_members {
    int is_set; /* set(...) rather than enum(...) */
    uint32_t n;
    bd_str *m;
    char *bytes;
} bd_schema_members;
int bd_schema_parse_members(const char *column_type, bd_schema_members *out, bd_err *err);
void bd_schema_members_release(bd_schema_members *m);

/* Counts, for tests and logs. */
size_t bd_schema_history_ddls(const bd_schema_history *h);
size_t bd_schema_history_tables(const bd_schema_history *h);

/* Order of two binlog positions: by the file's sequence number (the digits
 * after the last '.', so binlog.999999 < binlog.1000000), then pos. */
int bd_binlog_pos_cmp(const char *fa, uint64_t pa, const char *fb, uint64_t pb);

#endif
