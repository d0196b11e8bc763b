/* publish.h - the one path from decoded row changes to messages, shared by
 * `run` (Kafka), `replay` (Kafka or stdout) and `dump` (stdout).
 *
 * The commands feed it the decoder's rows and events; it calls back with
 * messages, each already encoded (docs/format.md):
 *   - routing: whether a table is published and its topic come from the
 *     caller (bd_pub_ops.route), asked once per table and cached by name
 *     until bd_pub_reroute();
 *   - the key: the table's primary key (from the TABLE_MAP, or filled in
 *     by the schema source), else the columns a [keys] rule names, else no
 *     key: then every message of the table goes to one partition chosen by
 *     the table's name (BD_PUB_BY_TABLE), so its changes keep their order;
 *   - one message per row change, except an UPDATE whose key changes: a
 *     delete under the old key, then a create under the new one (per key,
 *     messages then stay in commit order on one partition); optionally a
 *     tombstone (null value) after each delete, for compacted topics;
 *   - [columns] rules (columns.h): columns left out, masked or hashed in
 *     both images and in the key, before anything is encoded; a table
 *     whose key column a rule excludes or masks is keyed by its [keys]
 *     rule when that avoids such columns, else it stops the stage;
 *   - the last message of a transaction is held until the transaction's
 *     end says it is the last ("xid", "last":true);
 *   - TRUNCATE of a published table: one op "t" message for every
 *     partition of its topic (BD_PUB_ALL), between the rows before and
 *     after it;
 *   - transaction framing: the stage says when a transaction begins
 *     (ops.begin, which may pass over it) and ends (ops.end, with the
 *     position after it, where a resume starts: bd_pub_pos_after);
 *   - a row change the server logged as a statement on a published table
 *     (or on tables it cannot name): the caller's on_statement says skip,
 *     or the stage stops with BD_ERR_STATEMENT and a message naming the
 *     statement, its table, file:pos and the fix.  Statements on tables
 *     the caller does not publish are passed over.
 *
 * Threads: one stage is used by one thread (the data path), fed by one
 * decoder at a time (it knows a map it saw by address and serial).
 * Ownership: bd_pub_new() copies the options' pointers only: the key
 * and column rules (a config's) must outlive the stage, or be replaced
 * with bd_pub_set_columns() before they go.  Everything handed to the
 * callbacks is valid during the call only.
 */
#ifndef BINLOGD_PUBLISH_H
#define BINLOGD_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/columns.h"
#include "binlogd/config.h"
#include "binlogd/decoder.h"
#include "binlogd/error.h"

enum bd_pub_part {
    BD_PUB_BY_KEY = 0, /* the key's partition (murmur2, as the Java client) */
    BD_PUB_BY_TABLE,   /* no key: the partition of the table's name "db.table" */
    BD_PUB_ALL,        /* every partition of the topic (TRUNCATE) */
};

/* One message. */
typedef struct bd_pub_msg {
    const char *topic;
    enum bd_pub_part part;
    const char *table; /* "db.table" (BD_PUB_BY_TABLE hashes it; messages name it) */
    size_t table_len;
    const char *key; /* NULL: no key */
    size_t key_len;
    const char *value; /* NULL: a tombstone (null value) */
    size_t value_len;
    char op;  /* 'c', 'u', 'd', 't'; 0 for a tombstone */
    int last; /* the last message of its transaction (tombstones: that of their delete) */
    /* where the change is, for messages about it */
    const char *file;
    uint64_t pos;
    uint32_t row;
    void *user; /* the route's (bd_pub_route.user) */
    int direct; /* the value (and a newline) is already at the end of opts.direct */
} bd_pub_msg;

/* What the caller says about a table.  Asked when the table is not in
 * the stage's cache (64 entries by name): once per table as long as it
 * stays there, so the answer must not change between calls until the
 * caller's filters do (then bd_pub_reroute()). */
typedef struct bd_pub_route {
    int wanted;
    char topic[256]; /* when wanted */
    void *user;      /* the caller's, handed back with each message */
} bd_pub_route;

/* A row change logged as a statement, on a published table. */
typedef struct bd_pub_statement {
    const char *verb;  /* "UPDATE", "LOAD DATA", ... */
    const char *db;    /* a published table it changes; "" when it could not be named */
    const char *table; /* (then the statement counts as changing every table) */
    const char *file;
    uint64_t pos;
    const char *query; /* the statement (not NUL-terminated), or NULL */
    size_t query_len;
} bd_pub_statement;

/* "UPDATE of `pay`.`flow` logged as a statement at binlog.000003:1234:
 * \"UPDATE flow SET ...\"" (the statement last, cut to 200 bytes) into buf. */
void bd_pub_statement_text(const bd_pub_statement *s, char *buf, size_t n);

/* A transaction, as ops.begin and ops.end see it. */
typedef struct bd_pub_txn {
    const char *file; /* begin: where its first event is; end: the position after it */
    uint64_t pos;
    const bd_txn *txn; /* GTID, commit time (NULL when the decoder gave none) */
    uint64_t no;       /* 1 for the first transaction the stage saw, and so on */
} bd_pub_txn;

typedef struct bd_pub_ops {
    void *ctx;
    /* Route db.table, not in the cache (above): set r->wanted (and then
     * r->topic) and r->user.  0, or -1 with err set to stop. */
    int (*route)(void *ctx, const char *db, size_t dbn, const char *table, size_t tn,
                 bd_pub_route *r, bd_err *err);
    /* Send one message.  0, or -1 with err set to stop (BD_ERR_CALLBACK
     * when the caller only wants to stop, e.g. on a signal). */
    int (*emit)(void *ctx, const bd_pub_msg *m, bd_err *err);
    /* A row change logged as a statement on a published table: 1 to skip
     * it (the caller counts, logs and alerts), 0 to stop.  NULL: stop. */
    int (*on_statement)(void *ctx, const bd_pub_statement *s);
    /* A transaction begins: at an event that begins one, or at the first
     * row or transaction-ending statement (DDL, TRUNCATE) seen outside
     * one.  0 to publish it; 1 to pass over it (its rows and statements
     * are neither published nor counted, e.g. outside a replay's range);
     * -1 with err to stop before it (BD_ERR_CALLBACK: a stop asked for,
     * here at a transaction boundary).  NULL: every one is published. */
    int (*begin)(void *ctx, const bd_pub_txn *t, bd_err *err);
    /* It ended (its last message emitted): t->file:t->pos is the position
     * after it; skipped as begin said.  0, or -1 with err to stop.  NULL:
     * nothing to do. */
    int (*end)(void *ctx, const bd_pub_txn *t, int skipped, bd_err *err);
    /* A row of a transaction not passed over, routed (r->wanted: it will
     * be published), before its messages: for the caller's own accounting
     * (lag per table, probes, counts).  0, or -1 with err to stop.  NULL:
     * nothing. */
    int (*row)(void *ctx, const bd_row *row, const bd_pub_route *r, bd_err *err);
} bd_pub_ops;

typedef struct bd_pub_opts {
    const bd_key_rule *keys; /* [keys] rules, for tables without a primary key */
    size_t nkeys;
    int tombstones; /* a null-value message after each delete (keyed tables) */
    int no_keys;    /* the sink prints values only: keys are not encoded (bd_pub_msg.key
                       is then NULL), though key changes are still split */
    /* A sink of JSON lines (dump): rows are encoded straight into this
     * buffer, the held one at its end until it goes out with its tail and
     * a newline (bd_pub_msg.direct); the caller must not write out the
     * buffer's end while bd_pub_holding().  Implies no_keys; the messages
     * of rows then carry only value, op, last and direct (a TRUNCATE's
     * carries everything).  NULL: the stage's own buffers. */
    bd_buf *direct;
    const bd_col_rules *columns; /* [columns] rules; NULL or none: every column as is */
} bd_pub_opts;

typedef struct bd_pub bd_pub;

/* NULL when out of memory. */
bd_pub *bd_pub_new(const bd_pub_opts *o, const bd_pub_ops *ops);
void bd_pub_free(bd_pub *p);

/* Forget every route (the filters changed): tables are routed again. */
void bd_pub_reroute(bd_pub *p);

/* Apply these column rules from the next row on (a reload; call it between
 * transactions, so that no transaction is half one rule set, half the
 * other).  rs must outlive the stage or the next call. */
void bd_pub_set_columns(bd_pub *p, const bd_col_rules *rs);

/* The same for the [keys] rules (dump -c, whose stage is made before its
 * config is known); keys must outlive the stage. */
void bd_pub_set_keys(bd_pub *p, const bd_key_rule *keys, size_t nkeys);

/* The server names tables in lower case (lower_case_table_names 1 or 2):
 * the tables a statement or TRUNCATE names, typed in any case, are routed
 * by their lower-case names, as the table maps name them.  Off by default
 * (files, whose server is not known: as typed). */
void bd_pub_set_fold_case(bd_pub *p, int fold);

/* The route of a row's table (asking ops.route when it is not known).
 * NULL with err when the route callback failed. */
const bd_pub_route *bd_pub_route_of(bd_pub *p, const bd_table *t, bd_err *err);

/* One row change: its messages, or none when its table is not published
 * or its transaction is passed over; a row that commits on its own (no
 * BEGIN, e.g. MyISAM) begins and ends its transaction here.  1 published,
 * 0 not published, -1 with err (BD_ERR_SCHEMA: a [keys] rule names a
 * column the table lacks; begin's and end's own errors). */
int bd_pub_row(bd_pub *p, const bd_row *row, bd_err *err);

/* One event (call it for every event): transactions begin and end
 * (ops.begin, ops.end), their boundaries release the held message,
 * TRUNCATE publishes, statements are checked.  0, or -1 with err
 * (BD_ERR_STATEMENT for a statement on a published table; begin's and
 * end's own errors). */
int bd_pub_event(bd_pub *p, const bd_event *ev, bd_err *err);

/* A snapshot's read of one row, published in the transaction being read
 * (the high watermark's: bd_pub_in_txn() must be true): row->op
 * BD_OP_READ, row->after only, row->table a table the caller described
 * (bd_table_new) whose key is the one its changes carry; pos, header,
 * format and txn those of the event it is published at.  Routed, keyed
 * and masked as a create would be, its message carries block (e.g.
 * ",\"snapshot\":{...}") at the end of its source.  Not published when
 * dropped says the stream changed its key (the encoded key, as the
 * message would carry it) since it was read. */
typedef struct bd_pub_read {
    const char *block;
    size_t block_len;
    int (*dropped)(void *ctx, const char *key, size_t n); /* NULL: none */
    void *ctx;
} bd_pub_read;
/* 1 published, 0 not (not published, or dropped), -1 with err. */
int bd_pub_read_row(bd_pub *p, const bd_row *row, const bd_pub_read *rd, bd_err *err);

/* The end of the input: a held message goes out, as the last of its
 * transaction when last is set (the caller knows the input ended with
 * it), else not known to be.  0 or -1 with err. */
int bd_pub_finish(bd_pub *p, int last, bd_err *err);

/* Inside a transaction (begun and not ended); inside one that ops.begin
 * said to pass over. */
int bd_pub_in_txn(const bd_pub *p);
int bd_pub_skipping(const bd_pub *p);

/* The binlog position after an event: where a reader resumes to read
 * what follows it.  Inside a TRANSACTION_PAYLOAD (pos->inner > 0) only the
 * payload's own position is known: resuming there repeats the payload's
 * transaction rather than skip any of it. */
uint64_t bd_pub_pos_after(const bd_pos *pos, const bd_header *h);

/* A message is held back, waiting to learn whether it is the last of its
 * transaction. */
int bd_pub_holding(const bd_pub *p);

/* Forget the held message (the caller stops and will not send it); with
 * opts.direct it is cut from the end of that buffer. */
void bd_pub_drop_held(bd_pub *p);

/* Counts since the start. */
typedef struct bd_pub_counts {
    uint64_t rows;        /* row changes published */
    uint64_t filtered;    /* row changes of tables not published */
    uint64_t key_changes; /* updates published as a delete and a create */
    uint64_t truncates;   /* TRUNCATEs published */
    uint64_t statements;  /* statements skipped (on_statement said so) */
    uint64_t reads;       /* snapshot reads published (bd_pub_read_row) */
    uint64_t messages;    /* messages emitted (tombstones and every partition's TRUNCATE
                               counted as one each per emit) */
} bd_pub_counts;
void bd_pub_counts_get(const bd_pub *p, bd_pub_counts *c);

#endif
