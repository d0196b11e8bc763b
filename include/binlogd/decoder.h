/* decoder.h - the pure binlog decoder: whole events in, typed events and
 * row changes out through callbacks.
 *
 * The decoder does no I/O.  A source (a local file, later a server stream)
 * frames events and feeds them one at a time with bd_decoder_feed(); the
 * decoder keeps the state that spans events (format description, table
 * maps, current transaction) and calls back:
 *   on_event  for every event, including the inner events of a MySQL
 *             TRANSACTION_PAYLOAD and the rows events themselves;
 *   on_row    for every row change, in order.
 * All pointers handed to callbacks are valid only during the call.
 *
 * Fail closed: anything that cannot be decoded exactly makes feed() return
 * -1 with a message naming file:pos, the event type and what was wrong;
 * the caller must stop there (the decoder's state is then undefined).
 *
 * Allocation: table maps are cached per table id (an allocation per new
 * TABLE_MAP), and scratch buffers grow to the largest row seen; decoding a
 * row allocates nothing once warm.
 *
 * Ownership: bd_decoder_new() returns a decoder the caller frees with
 * bd_decoder_free().
 */
#ifndef BINLOGD_DECODER_H
#define BINLOGD_DECODER_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/buf.h"
#include "binlogd/error.h"
#include "binlogd/event.h"

/* MySQL column types as they appear in TABLE_MAP. */
enum bd_coltype {
    BD_T_DECIMAL = 0,
    BD_T_TINY = 1,
    BD_T_SHORT = 2,
    BD_T_LONG = 3,
    BD_T_FLOAT = 4,
    BD_T_DOUBLE = 5,
    BD_T_NULL = 6,
    BD_T_TIMESTAMP = 7,
    BD_T_LONGLONG = 8,
    BD_T_INT24 = 9,
    BD_T_DATE = 10,
    BD_T_TIME = 11,
    BD_T_DATETIME = 12,
    BD_T_YEAR = 13,
    BD_T_NEWDATE = 14,
    BD_T_VARCHAR = 15,
    BD_T_BIT = 16,
    BD_T_TIMESTAMP2 = 17,
    BD_T_DATETIME2 = 18,
    BD_T_TIME2 = 19,
    BD_T_TYPED_ARRAY = 20,
    BD_T_VECTOR = 242,
    BD_T_INVALID = 243,
    BD_T_BOOL = 244,
    BD_T_JSON = 245,
    BD_T_NEWDECIMAL = 246,
    BD_T_ENUM = 247,
    BD_T_SET = 248,
    BD_T_TINY_BLOB = 249,
    BD_T_MEDIUM_BLOB = 250,
    BD_T_LONG_BLOB = 251,
    BD_T_BLOB = 252,
    BD_T_VAR_STRING = 253,
    BD_T_STRING = 254,
    BD_T_GEOMETRY = 255,
};
const char *bd_coltype_name(unsigned t);

/* One column of a table map, with what the optional metadata told. */
typedef struct bd_column {
    uint8_t type;      /* as in TABLE_MAP */
    uint8_t real_type; /* STRING columns: ENUM/SET/STRING from the metadata */
    uint16_t meta;     /* raw metadata (0..2 bytes, little-endian) */
    uint32_t length;   /* STRING: max bytes; VARCHAR: max bytes; BLOB: length-prefix bytes */
    uint8_t nullable;
    int8_t is_unsigned; /* 1, 0, or -1 when the TABLE_MAP did not say */
    uint8_t visible;    /* 1 unless COLUMN_VISIBILITY said invisible */
    uint8_t is_pk;
    uint32_t collation; /* 0 when unknown; 63 is binary */
    uint32_t geometry_type;
    uint32_t vector_dim;
    bd_str name;     /* .p NULL when unknown */
    uint32_t n_enum; /* ENUM/SET members, when known */
    bd_str *enum_vals;
    /* The members are UTF-8 whatever the column's charset: they came from a
     * schema source (information_schema speaks utf8mb4), not from the map,
     * whose members are in the column's charset.  Never set for the binary
     * collation (63), whose members are the same bytes either way. */
    uint8_t members_utf8;
    /* ENUM members already as JSON strings (quoted, escaped) when they are
     * UTF-8: member k is enum_json[enum_json_off[k] .. enum_json_off[k+1]).
     * NULL otherwise. */
    const char *enum_json;
    uint32_t *enum_json_off;
    char *owned_name;    /* a name given by a schema source (bd_table_set_name) */
    char *owned_members; /* member bytes given by a schema source (bd_table_set_members);
                            a map's own members point into its raw body */
} bd_column;

typedef struct bd_table {
    uint64_t table_id;
    /* a number the decoder gives each map it parses, never reused by it:
     * a consumer that remembers a map by address can tell a new map at the
     * same address (0: not given) */
    uint64_t serial;
    uint16_t flags;
    bd_str db, name;
    uint32_t ncols;
    bd_column *cols;
    int has_names;          /* every column has a name */
    int signedness_unknown; /* integer columns whose signedness the map did not give */
    int has_json;           /* a MySQL JSON column (partial updates need its before image) */
    /* the schema source (on_table) left this map without names for now:
     * it is asked again at the next identical map */
    int schema_deferred;
    uint32_t npk;
    uint32_t *pk; /* primary key column indexes in key order, npk of them (from
                     SIMPLE_PRIMARY_KEY / PRIMARY_KEY_WITH_PREFIX, or from a
                     schema source through bd_table_set_pk) */
    /* Pre-encoded JSON pieces, built once per map so the encoder does not
     * escape names for every row: keys holds '"name":' (or '"@N":') for
     * each column at key_off[i] .. key_off[i+1]; dbtable holds
     * '"db":"...","table":"..."'. */
    bd_buf keys;
    uint32_t *key_off;
    bd_buf dbtable;
    bd_buf enum_json; /* storage of every column's enum_json */
    /* private: the raw body this map was parsed from, to reuse it when the
     * same map is seen again */
    uint8_t *raw;
    size_t raw_len;
} bd_table;

/* A decoded column value.  Text/bytes point into the event or into the
 * decoder's scratch buffer; valid during the on_row callback only. */
enum bd_vkind {
    BD_V_ABSENT = 0, /* not in this image (MINIMAL/NOBLOB) */
    BD_V_NULL,
    BD_V_INT,    /* i */
    BD_V_UINT,   /* u */
    BD_V_DOUBLE, /* d: text in s (shortest round-trip form) */
    BD_V_NUMBER, /* s: a JSON number as text (YEAR, BIT, ENUM index, SET mask) */
    BD_V_STRING, /* s: UTF-8 text, to be quoted and escaped (char types, ENUM/SET) */
    BD_V_ASCII,  /* s: text that needs quotes but no escapes (DECIMAL, temporal) */
    BD_V_BYTES,  /* s: raw bytes, printed as base64 */
    BD_V_JSON,   /* s: JSON text, embedded as is */
};

typedef struct bd_value {
    uint8_t kind;
    union {
        int64_t i;
        uint64_t u;
    };
    const char *s;
    size_t n;
} bd_value;

/* BD_OP_READ: a snapshot's read of an existing row (never the decoder's) */
enum bd_op { BD_OP_INSERT = 'c', BD_OP_UPDATE = 'u', BD_OP_DELETE = 'd', BD_OP_READ = 'r' };

/* Where an event sits.  For events inside a TRANSACTION_PAYLOAD, pos is the
 * payload's position and inner is the 1-based index inside it (0 outside). */
typedef struct bd_pos {
    const char *file;
    const char *file_json; /* the file name as a JSON string (quoted, escaped) */
    size_t file_json_len;
    uint64_t pos;
    uint32_t inner;
    /* changes when the file name does (a number per bd_decoder_begin_file
     * of one decoder), so a consumer can tell cheaply that the name it
     * copied is still the one; 0 when not known */
    uint32_t file_serial;
} bd_pos;

/* Transaction context, maintained by the decoder across events. */
typedef struct bd_txn {
    int in_txn;
    int explicit_begin; /* BEGIN query, or a MariaDB GTID that is not standalone */
    int has_gtid;
    char gtid[160];     /* text form, "" when none */
    uint64_t commit_us; /* best commit timestamp known, µs */
    int commit_exact;   /* commit_us has µs (MySQL's commit timestamps), not the
                           header's whole second (the lag monitor refines those) */
    uint64_t rows;      /* row changes so far in this transaction */
} bd_txn;

typedef struct bd_row {
    char op;
    const bd_table *table;
    const bd_value *before; /* table->ncols values, NULL for an insert */
    const bd_value *after;  /* NULL for a delete */
    uint32_t row_index;     /* inside its rows event */
    int ends_txn;           /* last row of a statement that commits on its own (a rows event
                               with STMT_END_F outside BEGIN, e.g. MyISAM before GTIDs) */
    bd_pos pos;
    const bd_header *header;
    const bd_format *format;
    const bd_txn *txn;
} bd_row;

/* One event as seen by on_event.  'detail' is a JSON object body (without
 * braces, possibly empty) with the decoded fields of this event type, for
 * `dump --events` and debugging. */
typedef struct bd_event {
    const bd_header *header;
    bd_pos pos;
    const bd_format *format;
    const bd_txn *txn;
    const uint8_t *raw; /* the whole event */
    size_t raw_len;
    const char *detail;
    size_t detail_len;
    /* transaction boundaries, for sinks that group rows */
    int begins_txn; /* BEGIN query, GTID event */
    int ends_txn;   /* XID, COMMIT/ROLLBACK query, XA PREPARE, DDL */
    int has_xid;
    uint64_t xid;
    /* QUERY: the statement and its default database (valid during the
     * callback); is_ddl for a statement outside BEGIN that commits on its
     * own (DDL, or anything else that may change a table's columns) */
    bd_str query, db;
    int is_ddl;
    uint64_t sql_mode;       /* QUERY: the statement's sql_mode (Q_SQL_MODE), 0 when not logged */
    uint16_t charset_client; /* QUERY: the client's collation id (Q_CHARSET_CODE), 0 unknown */
    /* PREVIOUS_GTIDS (MySQL set text) and GTID_LIST (MariaDB list text):
     * what came before this file; NULL for other events.  Valid during
     * the callback. */
    const char *gtid_set;
    size_t gtid_set_len;
    /* ROTATE (real or artificial): the next file and position */
    int is_rotate;
    bd_str next_file;
    uint64_t next_pos;
} bd_event;

typedef struct bd_callbacks {
    void *ctx;
    /* return 0 to go on, non-zero to stop (feed returns -1, BD_ERR_CALLBACK) */
    int (*on_event)(void *ctx, const bd_event *ev);
    int (*on_row)(void *ctx, const bd_row *row);
    /* optional: a schema source.  Called once for each new TABLE_MAP,
     * before any row of it is decoded; it may fill in what the map did not
     * carry (names with bd_table_set_name, the primary key with
     * bd_table_set_pk, ENUM/SET members with bd_table_set_members,
     * is_unsigned, collation) and must refuse (return -1 with err set) a
     * map that disagrees with the schema it has.  The decoder then rebuilds
     * what follows from the columns (pre-encoded names and members). */
    int (*on_table)(void *ctx, bd_table *t, bd_err *err);
} bd_callbacks;

/* A table described by a caller rather than parsed from a TABLE_MAP (a
 * snapshot's rows, read with SELECT): db.name with ncols zeroed columns
 * (visible, signedness known: 0).  The caller sets each column's type,
 * is_unsigned, collation and nullable, names them (bd_table_set_name),
 * gives the key (bd_table_set_pk), sets serial (a number no decoder
 * gives: the publish stage tells maps apart by it) and then calls
 * bd_table_finish().  NULL when out of memory.  Freed with
 * bd_table_destroy(). */
bd_table *bd_table_new(const char *db, size_t dbn, const char *name, size_t nn, uint32_t ncols);
/* Rebuild what follows from the columns (flags, pre-encoded names):
 * after the caller filled them in.  -1 when out of memory. */
int bd_table_finish(bd_table *t);
/* Free a table from bd_table_new() (NULL: nothing). */
void bd_table_destroy(bd_table *t);

/* Give column col the name name[0..n) (copied; the table owns it).  0, or
 * -1 for a column out of range or no memory. */
int bd_table_set_name(bd_table *t, uint32_t col, const char *name, size_t n);

/* Make cols[0..n) (column indexes, in key order) the primary key of t,
 * replacing what it had (n == 0: none).  Copied.  -1 (nothing changed) for
 * an index out of range, a column given twice, or no memory. */
int bd_table_set_pk(bd_table *t, const uint32_t *cols, uint32_t n);

/* Give the ENUM or SET column col the members m[0..n) (copied into memory
 * the table owns; the map's own members, if any, are replaced).  utf8: the
 * members are UTF-8 text whatever the column's charset (a schema source),
 * 0: they are in the column's charset, as the map would carry them.  -1
 * (nothing changed) for a column that is not ENUM/SET, n == 0, or no
 * memory. */
int bd_table_set_members(bd_table *t, uint32_t col, const bd_str *m, uint32_t n, int utf8);

typedef struct bd_decoder bd_decoder;

bd_decoder *bd_decoder_new(const bd_callbacks *cb);
void bd_decoder_free(bd_decoder *d);

/* Options */
void bd_decoder_set_detail(bd_decoder *d, int on); /* build bd_event.detail (costs time) */
/* Skip CRC verification (only for sources that verified already). */
void bd_decoder_set_verify(bd_decoder *d, int on);

/* Start of a new file: resets the format to defaults until its FDE.  The
 * name is copied. */
int bd_decoder_begin_file(bd_decoder *d, const char *file, bd_err *err);

/* Feed one whole event (header included) that starts at file position pos. */
int bd_decoder_feed(bd_decoder *d, const uint8_t *ev, size_t len, uint64_t pos, bd_err *err);

/* The current format (after the file's FDE). */
const bd_format *bd_decoder_format(const bd_decoder *d);

#endif
