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
 * bd_stmt_ddl() reads the same text for another question: which tables'
 * definitions (columns, types, ENUM/SET members, primary and unique keys)
 * the statement may change, so that the daemon can tell whether a DDL
 * further on in the binlog may have changed a table since an earlier
 * position.  It fails closed the same way, with BD_STMT_DDL.
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
    BD_STMT_DDL,      /* bd_stmt_ddl() only: may change the definition of tables */
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
     * "DO", "CALL", "WITH"; NULL for OTHER.  bd_stmt_ddl(): see there. */
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
    /* CREATE TEMPORARY TABLE ... SELECT (bd_stmt_classify, DML); CREATE or
     * DROP TEMPORARY TABLE/SEQUENCE (bd_stmt_ddl): the tables listed are a
     * session's temporary tables, which shadow base tables of the same
     * name in that session only. */
    int temporary;
    /* bd_stmt_ddl() only: some tables[] entry has table[0] == 0, meaning
     * every table of the database tables[].db (DROP DATABASE, MariaDB's
     * CREATE OR REPLACE DATABASE).  Always 0 from bd_stmt_classify(). */
    int whole_db;
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

/* The tables whose definition the statement query[0..n) may change in a
 * way that matters for decoding rows: column names, order and types,
 * ENUM/SET members, the primary key and unique keys (not NULL-ability,
 * defaults, other indexes or table options).  Arguments and lexing as for
 * bd_stmt_classify(); reads no byte outside query[0..n) or db[0..dbn).
 * *out is always fully written: all zero when returning 0.
 *
 * Returns 1 with out->kind BD_STMT_DDL for (each also inside executable
 * comments, after MariaDB's SET STATEMENT ... FOR):
 *   ALTER [ONLINE|OFFLINE] [IGNORE] TABLE [IF EXISTS] t ...   "ALTER TABLE"
 *       t, unless every specification is one of those listed below as not
 *       counted: one that is not (ADD/DROP/MODIFY/CHANGE/RENAME COLUMN,
 *       ADD [COLUMN] c, ADD UNIQUE, ADD PRIMARY KEY, ADD CONSTRAINT s
 *       UNIQUE/PRIMARY KEY, DROP PRIMARY KEY, DROP {INDEX|KEY} (it may
 *       drop a unique key standing in for a primary key), DROP
 *       CONSTRAINT (it may be a unique key), CONVERT TO CHARACTER SET
 *       (it changes the columns' charsets), ADD/DROP SYSTEM VERSIONING,
 *       DISCARD/IMPORT TABLESPACE, TRUNCATE/DROP/EXCHANGE/CONVERT
 *       PARTITION, RENAME TO, an index with a functional key part (MySQL
 *       adds a hidden generated column), every word not understood, no
 *       specification at all) counts the whole statement; with RENAME
 *       [TO|AS] t2 also t2 (RENAME COLUMN/INDEX/KEY are not); with
 *       EXCHANGE PARTITION p WITH TABLE t2, CONVERT PARTITION p TO TABLE
 *       t2 or CONVERT TABLE t2 TO PARTITION p also t2 (created or dropped
 *       by CONVERT; listed for EXCHANGE too, an over-approximation)
 *   RENAME {TABLE|TABLES} [IF EXISTS] a [WAIT n|NOWAIT] TO b [, c TO d] ...
 *       "RENAME TABLE": both names of every pair
 *   CREATE [OR REPLACE] [TEMPORARY] TABLE [IF NOT EXISTS] t ...
 *       "CREATE TABLE": t, in any form (columns, LIKE, ... SELECT): a
 *       table dropped and created again has a new definition
 *   CREATE [OR REPLACE] [TEMPORARY] SEQUENCE [IF NOT EXISTS] s,
 *   ALTER SEQUENCE [IF EXISTS] s, DROP [TEMPORARY] SEQUENCE [IF EXISTS]
 *       s [, s2] ...   "CREATE SEQUENCE", "ALTER SEQUENCE", "DROP
 *       SEQUENCE": MariaDB's sequences are tables
 *   CREATE [OR REPLACE] [ONLINE|OFFLINE] UNIQUE INDEX [IF NOT EXISTS] i
 *       [USING|TYPE type] ON t ..., and CREATE OR REPLACE [FULLTEXT|
 *       SPATIAL] INDEX (it may replace a unique index) and CREATE INDEX
 *       with a functional key part   "CREATE INDEX": t
 *   DROP [ONLINE|OFFLINE] INDEX [IF EXISTS] i ON t ...   "DROP INDEX": t
 *       (it may drop a unique key standing in for a primary key)
 *   DROP [TEMPORARY] {TABLE|TABLES} [IF EXISTS] a [, b] ... [WAIT n|NOWAIT]
 *       [RESTRICT|CASCADE]   "DROP TABLE": every name
 *   DROP {DATABASE|SCHEMA} [IF EXISTS] d   "DROP DATABASE", and MariaDB's
 *   CREATE OR REPLACE {DATABASE|SCHEMA} d   "CREATE OR REPLACE DATABASE":
 *       one entry {d, ""} and whole_db = 1: every table of d
 *   IMPORT TABLE FROM ...   "IMPORT TABLE": tables_unknown (the names
 *       are in the files)
 *   ALTER {DATABASE|SCHEMA} ... UPGRADE DATA DIRECTORY NAME
 *       "ALTER DATABASE ... UPGRADE": tables_unknown (every table of the
 *       database moves to another database name)
 * Names are read as by bd_stmt_classify(): qualified, or in the default
 * database db (possibly empty: the caller decides); duplicates once.
 *
 * Fails closed, tables_unknown = 1 with what was read in tables[]: a
 * statement starting with ALTER, CREATE, DROP or RENAME whose object is
 * not known to be something other than a table (verb "ALTER", "CREATE",
 * "DROP", "RENAME"), a name that is missing, unusable (over 64 bytes, a
 * NUL byte, an empty quoted name, the default database unusable) or
 * followed by something not understood in the name lists of DROP and
 * RENAME, more than BD_STMT_MAX_TABLES tables, and a text cut short (an
 * unterminated string, quoted name, comment, executable comment or
 * parenthesis), including one cut before its first word or inside SET
 * STATEMENT (verbs "(text cut short)", "SET STATEMENT").
 *
 * Not counted (0), read exactly to the end of a whole text:
 *   ALTER TABLE t [WAIT n|NOWAIT] spec [, spec] ..., every spec one of
 *       ADD {INDEX|KEY} [IF NOT EXISTS] [i] [USING type] (key parts)
 *           [index options]; ADD {FULLTEXT|SPATIAL} [INDEX|KEY] ...: a
 *           key that is neither unique nor primary
 *       ADD [CONSTRAINT [s]] FOREIGN KEY ... REFERENCES ..., ADD
 *           [CONSTRAINT [s]] CHECK (...) [[NOT] ENFORCED], DROP FOREIGN
 *           KEY s, DROP CHECK s, ALTER {CHECK|CONSTRAINT} s [NOT]
 *           ENFORCED: constraints decoding does not use
 *       RENAME {INDEX|KEY} a TO b (key names are not in messages), ALTER
 *           {INDEX|KEY} i {VISIBLE|INVISIBLE|IGNORED|NOT IGNORED}
 *       ALTER [COLUMN] c {SET DEFAULT v|DROP DEFAULT|SET VISIBLE|SET
 *           INVISIBLE}: a MySQL 8 invisible column stays in the row
 *           images and in information_schema.COLUMNS, in its place
 *       table options: AUTO_INCREMENT, COMMENT, ENGINE (the columns are
 *           kept), ROW_FORMAT, KEY_BLOCK_SIZE, STATS_AUTO_RECALC,
 *           STATS_PERSISTENT, STATS_SAMPLE_PAGES, [TABLE_]CHECKSUM,
 *           PACK_KEYS, DELAY_KEY_WRITE, MAX_ROWS, MIN_ROWS,
 *           AVG_ROW_LENGTH, ENCRYPTION, ENCRYPTION_KEY_ID, ENCRYPTED,
 *           PAGE_CHECKSUM, PAGE_COMPRESSED, PAGE_COMPRESSION_LEVEL,
 *           TRANSACTIONAL, COMPRESSION, INSERT_METHOD, AUTOEXTEND_SIZE,
 *           TABLESPACE, STORAGE, [SECONDARY_]ENGINE_ATTRIBUTE,
 *           {DATA|INDEX} DIRECTORY, and [DEFAULT]
 *           CHARACTER SET/CHARSET/COLLATE (the table's default for
 *           columns added later; not CONVERT TO CHARACTER SET)
 *       ALGORITHM, LOCK, FORCE, ORDER BY ..., ENABLE/DISABLE KEYS,
 *           WITH/WITHOUT VALIDATION
 *       partition operations that keep every row and column: ANALYZE,
 *           CHECK, OPTIMIZE, REBUILD, REPAIR, COALESCE, REORGANIZE and
 *           ADD PARTITION, REMOVE PARTITIONING, PARTITION BY ...
 *   CREATE [ONLINE|OFFLINE] [FULLTEXT|SPATIAL] INDEX i ... ON t (key
 *       parts) [index options, ALGORITHM, LOCK, WAIT n|NOWAIT]
 * Such a statement still counts when its text is cut short, when a ';'
 * is followed by more, and when an executable comment with a version (or
 * MariaDB's M!) opens inside it, after ALTER TABLE [IF EXISTS] or after
 * CREATE's FULLTEXT/SPATIAL/INDEX (one around the whole statement, as
 * mysqldump writes, is fine): the server may have skipped code that is
 * read here, and without it a counted specification may read as safe.
 *
 * Returns 0 for every statement that changes no table definition: DML
 * (INSERT, UPDATE, DELETE, LOAD DATA, SELECT, CALL, ...), TRUNCATE (it
 * keeps the definition), BEGIN/COMMIT/XA, SET, GRANT/REVOKE, FLUSH,
 * ANALYZE/OPTIMIZE/REPAIR/CHECK TABLE, CREATE DATABASE (without OR
 * REPLACE), ALTER DATABASE (without UPGRADE), CREATE/ALTER/DROP of
 * VIEW, TRIGGER, PROCEDURE, FUNCTION, EVENT, USER, ROLE, SERVER,
 * TABLESPACE, LOGFILE GROUP, RESOURCE GROUP, SPATIAL REFERENCE SYSTEM,
 * PACKAGE (also after ALGORITHM=, DEFINER=, SQL SECURITY), RENAME USER,
 * and every other verb. */
int bd_stmt_ddl(bd_stmt *out, const char *query, size_t n, const char *db, size_t dbn,
                unsigned flags);

/* Split what SHOW BINLOG EVENTS shows as a Query event's Info into the
 * default database and the statement text.  MySQL and MariaDB prefix the
 * text with "use <db>; " when the event has a default database, the name
 * quoted as the session running SHOW BINLOG EVENTS quotes names: `db`
 * (a backtick in it doubled), "db" under ANSI_QUOTES (a double quote in it
 * doubled), or unquoted with sql_quote_show_create=0.  MariaDB then adds
 * "set <flag>, <flag>; " for some session flags (foreign_key_checks=1,
 * sql_auto_is_null, unique_checks=1, check_constraint_checks=1,
 * @@sql_if_exists=1, @@system_versioning_insert_history=1): that list is
 * split off too, with or without a use prefix, so that *q is the
 * statement as logged.
 *
 * *q, *qn: the statement (all of info when there is no prefix).  *db,
 * *dbn: the name inside the quotes, pointing into info (NULL, 0 without
 * a use prefix).  Returns 0 without a use prefix; 1 with one; 2 with one
 * whose name holds its quote character, doubled as written in *db (the
 * quote is (*db)[-1]): the caller must undo the doubling before passing
 * the name on.  info may be NULL when n is 0. */
int bd_stmt_split_use(const char *info, size_t n, const char **db, size_t *dbn, const char **q,
                      size_t *qn);

#endif
