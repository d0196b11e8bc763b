/* stmt.h - which tables a statement-logged QUERY event changes.
 *
 * A server logs row changes as SQL text instead of row events when the
 * session ran with binlog_format=STATEMENT or MIXED, for LOAD DATA, in old
 * binlogs, and always for TRUNCATE TABLE and the partition operations of
 * ALTER TABLE.  The rows are then not in the binlog, so the daemon must
 * notice such a statement and name the tables it changes: to stop (or
 * skip with an alert) when one of them is published, and to pass over
 * statements on tables outside its filter.
 *
 * bd_stmt_classify() reads the text of one QUERY event: any bytes, not
 * NUL-terminated, possibly huge.  It lexes like the server (comments,
 * executable comments, strings, quoted names, the sql_mode bits that
 * change lexing) and reads only as far as it needs to name the tables.
 * It fails closed: a statement that starts like one that changes rows but
 * whose tables cannot all be read exactly is BD_STMT_DML with
 * tables_unknown set, never BD_STMT_OTHER.
 *
 * Ownership: pure functions; no I/O, no allocation, no state.  The caller
 * owns out and the query text; out holds copies of the names, and verb
 * points at static text.
 */
#ifndef BINLOGD_STMT_H
#define BINLOGD_STMT_H

#include <stddef.h>
#include <stdint.h>

enum bd_stmt_kind {
    BD_STMT_OTHER = 0, /* changes no rows by itself: DDL, SET, BEGIN/COMMIT/XA, GRANT, ... */
    BD_STMT_DML, /* changes rows of tables: logged as a statement, the rows are not in the binlog */
    BD_STMT_TRUNCATE, /* TRUNCATE [TABLE] t: every row of t removed */
};

#define BD_STMT_MAX_TABLES 16

/* Names as written (quotes removed, doubled quotes undone), NUL-terminated,
 * at most 64 bytes.  A table named without a database gets the event's
 * default database, which may be empty (db[0] == 0: the caller decides). */
typedef struct bd_stmt_table {
    char db[65], table[65];
} bd_stmt_table;

typedef struct bd_stmt {
    enum bd_stmt_kind kind;
    /* Static text for messages: "INSERT", "REPLACE", "UPDATE", "DELETE",
     * "LOAD DATA", "LOAD XML", "CREATE TABLE ... SELECT", "TRUNCATE",
     * "ALTER TABLE ... DROP PARTITION" (TRUNCATE, EXCHANGE, CONVERT
     * PARTITION, CONVERT TABLE), "ALTER TABLE" (text cut short), "SELECT",
     * "DO", "CALL", "WITH"; NULL for OTHER. */
    const char *verb;
    size_t ntables; /* distinct (db, table) pairs, in the order first named */
    bd_stmt_table tables[BD_STMT_MAX_TABLES];
    /* The tables could not all be read exactly: syntax not understood, more
     * than BD_STMT_MAX_TABLES, a name over 64 bytes or with a NUL byte, an
     * unterminated string/comment/name (text cut short), a stored function
     * or procedure (SELECT/DO/CALL, or a db.func( call).  The caller must
     * treat the statement as changing every table.  tables[] still lists
     * what was read. */
    int tables_unknown;
    int temporary; /* CREATE TEMPORARY TABLE ... SELECT (DML only) */
} bd_stmt;

/* Lexing flags for bd_stmt_classify(). */
#define BD_STMT_ANSI_QUOTES 1u          /* "x" is a name, not a string */
#define BD_STMT_NO_BACKSLASH_ESCAPES 2u /* backslash is an ordinary byte in strings */
/* The text is in a charset whose two-byte characters may end in a
 * backslash or backtick (0x5C, 0x60): read byte by byte, a string holding
 * sjis 0x83 0x5C (a katakana) would not end at its quote. */
#define BD_STMT_CS_SJIS 4u /* sjis, cp932: lead bytes 0x81-0x9F, 0xE0-0xFC */
#define BD_STMT_CS_GBK 8u  /* gbk, big5, gb18030: lead bytes 0x81-0xFE */

/* The flags from the QUERY event's Q_SQL_MODE status variable (MySQL and
 * MariaDB use the same bits for these two modes).  Without Q_SQL_MODE, pass 0. */
unsigned bd_stmt_flags_from_sql_mode(uint64_t sql_mode);
/* The flags for the charset the text is in: the name of the Q_CHARSET_CODE
 * character_set_client collation (bd_charset_name()); 0 for NULL and for
 * every charset whose multi-byte characters are all bytes >= 0x80
 * (utf8mb4, latin1, ujis, euckr, ...). */
unsigned bd_stmt_flags_from_charset(const char *name);

/* Classify query[0..n) into *out (always fully written).  db[0..dbn) is the
 * event's default database (db may be NULL when dbn is 0); flags are
 * BD_STMT_* from above.  Reads no byte outside query[0..n) or db[0..dbn). */
void bd_stmt_classify(bd_stmt *out, const char *query, size_t n, const char *db, size_t dbn,
                      unsigned flags);

#endif
