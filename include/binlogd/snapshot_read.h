/* snapshot_read.h - reading a table's existing rows in key order, one chunk
 * at a time, on an ordinary SQL connection to the source, for a snapshot
 * (docs/snapshot.md); and the watermark rows that frame each chunk in the
 * binlog.
 *
 * The rows come back as the decoder gives a row image (decoder.h's
 * bd_value, the kinds and texts of docs/format.md), so a row read here and
 * the same row read from the binlog encode to the same JSON, byte for byte:
 * values are fetched with the binary protocol (prepared statements: FLOAT
 * and DOUBLE exact, temporal values as parts), in a session with
 * time_zone '+00:00' (TIMESTAMP as the binlog gives it, in UTC) and
 * character set utf8mb4 (text converted by the server to UTF-8).
 *
 * A position in the key order (a "cursor") is the key values of one row as
 * a JSON array of SQL literals, one per key column, each ready to compare
 * with that column in a query on this connection ("[42,\"'abc'\"]" is not
 * the form: it is ["42","'abc'"]; binary columns as X'hex', text quoted and
 * escaped for utf8mb4, so the column's collation decides the order, as
 * ORDER BY does).  It is kept in the checkpoint as is, so a restart goes on
 * after the last chunk published.
 *
 * Chunk queries use the expanded form for composite keys:
 *   (k1 > a) OR (k1 = a AND k2 > b) OR ...
 * never ROW(k1,k2) > ROW(a,b) (MariaDB and MySQL plan the row form as a full
 * index scan) nor k1 >= a AND k2 >= b (which skips rows).
 *
 * Threads: a reader is used by one thread.  Ownership: as each function
 * says; a shape's table and a chunk's values are the caller's until
 * released.
 */
#ifndef BINLOGD_SNAPSHOT_READ_H
#define BINLOGD_SNAPSHOT_READ_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/buf.h"
#include "binlogd/connection.h"
#include "binlogd/decoder.h"
#include "binlogd/error.h"

#define BD_SNAP_KEY_MAX 16

/* A table as a snapshot reads it. */
typedef struct bd_snap_shape {
    char db[65], table[65];
    /* Its columns in table order (names, types, signedness, collation as
     * information_schema gives them), the chunking key as its primary key
     * (t->pk, t->npk), t->serial set to a number no decoder gives (the
     * publish stage tells maps apart by address and serial).  The caller
     * frees it with bd_snap_shape_release(). */
    bd_table *t;
    char key_name[65]; /* "PRIMARY", the unique index's name, or "[keys]" */
    /* private: per column, how the SELECT reads it (NULL or 0: the column
     * itself; 1: MariaDB's INET4, INET6 and UUID as the bytes the binlog
     * holds, CAST(c AS BINARY(n)), a key column also as its text, for the
     * cursor) */
    uint8_t *read_as;
} bd_snap_shape;

typedef struct bd_snap_reader bd_snap_reader;

/* Connect with o's connection fields (bd_server_connect) and set the
 * session up (utf8mb4, time_zone '+00:00', sql_mode without
 * NO_BACKSLASH_ESCAPES, autocommit; a read timeout of o's but at least
 * 300 s, so a chunk whose where condition scans far is not taken for a
 * lost connection).  NULL with err (the server's message, host:port
 * named). */
bd_snap_reader *bd_snap_reader_open(const bd_server_opts *o, bd_err *err);
/* Close (NULL: nothing). */
void bd_snap_reader_close(bd_snap_reader *r);

/* The base tables of the source (MariaDB's system-versioned ones too)
 * whose "db.table" matches one of the comma-separated fnmatch patterns
 * (spaces around them ignored; case as the server names them; the system
 * schemas never), appended to out as "db.table\n" lines in byte order of
 * the names.  The number found, or -1 with err. */
int bd_snap_list_tables(bd_snap_reader *r, const char *patterns, bd_buf *out, bd_err *err);

/* The columns of db.tb (every column the binlog's row images carry, in
 * table order, MySQL's invisible ones included, with the names, types,
 * signedness and collations of information_schema) and the key to chunk
 * by, which is the key its messages carry: the primary key, else the
 * unique key the server itself takes for one (every part a whole NOT NULL
 * column, not a MariaDB long unique: as the live source's schema lookup
 * decides), else keycols[0..nkey) when given (a [keys] rule's columns,
 * names compared without case: they must exist and be NOT NULL, and their
 * values are taken to identify a row: rows sharing them are only all read
 * when they fall in one chunk).  Refused (-1, BD_ERR_SCHEMA, naming the
 * table and what to do): a missing table, a table with no such key, a key
 * of more than BD_SNAP_KEY_MAX columns, a key column whose comparison does
 * not follow ORDER BY (ENUM, SET) or that has no order (JSON, GEOMETRY,
 * VECTOR), a column of a type whose binlog form this reader does not know
 * (MariaDB's VECTOR, types to come), a table whose binlog images hold
 * columns a SELECT cannot read (MariaDB's hidden columns: WITH SYSTEM
 * VERSIONING without named period columns, long UNIQUE keys).  0 with s
 * filled.  A key name of more than 64 bytes is cut in key_name. */
int bd_snap_shape_load(bd_snap_reader *r, const char *db, const char *tb,
                       const char *const *keycols, size_t nkey, bd_snap_shape *s, bd_err *err);
void bd_snap_shape_release(bd_snap_shape *s);

/* The greatest key of the rows (those where holds, when where is not NULL
 * or ""): where the snapshot of the table ends (rows inserted later come
 * through the stream).  1 with the cursor in out (reset first), 0 the table
 * has no such row, -1 with err. */
int bd_snap_max_key(bd_snap_reader *r, const bd_snap_shape *s, const char *where, bd_buf *out,
                    bd_err *err);

/* One chunk of rows. */
typedef struct bd_snap_chunk {
    uint32_t ncols;
    size_t nrows;
    /* nrows * ncols values, row after row, in the shape's column order; a
     * NULL column is BD_V_NULL, none is BD_V_ABSENT.  Their bytes live in
     * the chunk (valid until the next read into it or its release). */
    bd_value *vals;
    bd_buf last; /* the cursor of the last row (empty when nrows is 0) */
    /* private */
    size_t cap;
    bd_buf arena;
} bd_snap_chunk;
void bd_snap_chunk_init(bd_snap_chunk *c);
void bd_snap_chunk_release(bd_snap_chunk *c);
/* The memory the chunk's rows take (values and their bytes). */
size_t bd_snap_chunk_bytes(const bd_snap_chunk *c);

/* The rows whose key is after the cursor after (NULL or "": from the
 * first) and at most upto (NULL or "": no bound), and where holds (NULL or
 * ""), in key order, limit at most; into c (its previous rows dropped).
 * One plain SELECT in autocommit: no lock beyond what InnoDB's consistent
 * read takes.  0, or -1 with err (the server's message, the table named;
 * BD_ERR_SCHEMA when the table's columns no longer match the shape: a DDL
 * since it was loaded renamed, dropped or retyped a column, or dropped the
 * table.  A column added since is not seen here, since the SELECT names
 * the shape's columns: the stream's DDL, which the window meets, is what
 * reloads the shape then). */
int bd_snap_read_chunk(bd_snap_reader *r, const bd_snap_shape *s, const char *where,
                       const char *after, const char *upto, size_t limit, bd_snap_chunk *c,
                       bd_err *err);

/* The SELECT that bd_snap_read_chunk runs (a pure function, for tests):
 * appended to out.  -1 with err (nothing appended) for a cursor that is
 * not a JSON array of the key's length of strings, each a literal of the
 * forms bd_snap_literal writes (a cursor is pasted into the SQL: anything
 * else is refused, never run), for limit 0 and for a shape without a key. */
int bd_snap_chunk_sql(bd_buf *out, const bd_snap_shape *s, const char *where, const char *after,
                      const char *upto, size_t limit, bd_err *err);

/* The SQL literal of value v of column col as a cursor holds it (a pure
 * function, for tests): integers as digits, FLOAT and DOUBLE as the exact
 * double in exponent form (a DOUBLE literal, so the comparison is exact),
 * DECIMAL as its text, binary strings as X'hex', other text and temporal
 * values quoted, escaped as mysql_real_escape_string() does for utf8mb4
 * (the reader's session never has NO_BACKSLASH_ESCAPES).  Appended to out;
 * -1 (nothing appended) for a value that has no literal (NULL, absent,
 * JSON). */
int bd_snap_literal(bd_buf *out, const bd_column *col, const bd_value *v);

/* MySQL's JSON column text as the decoder writes the binary document
 * (jsonbin.c), appended to out (a pure function, for tests): no whitespace
 * outside strings ({"a": [1, 2]} becomes {"a":[1,2]}), and a number in
 * exponent form, which only a double has, written as the decoder writes a
 * double.  -1 for text that ends inside a string. */
int bd_snap_json_compact(bd_buf *out, const char *p, size_t n);

/* The signal table db.tb: created when missing (CREATE TABLE IF NOT
 * EXISTS, InnoDB: id VARCHAR(64) PRIMARY KEY, type VARCHAR(16), at
 * DATETIME(6)), checked otherwise (id text of 64 characters or more, type
 * text of 3 or more; a table without the column at, as another tool may
 * have made it, is written without it).  The database is never created.
 * -1 with err saying which grant or statement is missing (CREATE DATABASE,
 * GRANT CREATE, or the CREATE TABLE to run; docs/snapshot.md). */
int bd_snap_signal_prepare(bd_snap_reader *r, const char *db, const char *tb, bd_err *err);

/* A watermark in the binlog: the low one inserts the row (id, "low",
 * NOW(6)), the high one deletes it (so the table stays empty), each
 * committed on its own (autocommit).  The table's layout is learnt once per
 * reader (bd_snap_signal_prepare need not have run on it).  -1 with err: a
 * missing grant names the GRANT; a high watermark that deletes no row is an
 * error (nothing would reach the binlog to end the window); an id is 1 to
 * 64 bytes. */
int bd_snap_watermark(bd_snap_reader *r, const char *db, const char *tb, const char *id, int high,
                      bd_err *err);

/* The connection's last server error number (0: none): whether a failure
 * may pass (bd_server_retryable). */
unsigned bd_snap_reader_errno(const bd_snap_reader *r);

#endif
