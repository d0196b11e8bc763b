/* test_publish.c - the publish stage (lib/publish/publish.c): one message per row
 * change with the primary key as the Kafka key, the held last message of a
 * transaction, key changes as a delete and a create, tombstones, tables
 * without a primary key ([keys] rules, or one partition per table),
 * TRUNCATE, statement-logged row changes, the route cache (a map freed and
 * its memory reused for another table too), failing callbacks, transaction
 * framing (ops.begin and ops.end, recorded in order by a fake sink) and the
 * order of what goes out.  Tables come from hand-written TABLE_MAP bodies;
 * rows and events are built by hand; callbacks record every message. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/binlog/internal.h" /* bd_table_parse: maps built by hand below */
#include "binlogd/buf.h"
#include "binlogd/publish.h"
#include "testutil.h"

/* ---- tables ---------------------------------------------------------------- */

static void put_le(bd_buf *b, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        bd_buf_addc(b, (char)(uint8_t)(v >> (8 * i)));
}

/* An optional metadata field: type, length, value (all short here). */
static void put_field(bd_buf *b, uint8_t type, const bd_buf *f)
{
    ck_assert_int_lt(f->len, 251);
    put_le(b, type, 1);
    put_le(b, f->len, 1);
    bd_buf_add(b, f->ptr, f->len);
}

/* A TABLE_MAP body (post-header length 8) of db.tb whose columns are given
 * by type letters: 'L' INT, 'V' VARCHAR(255).  names: comma-separated
 * column names (COLUMN_NAME and SIGNEDNESS fields), or NULL for a map
 * without optional metadata; pk[0..npk): SIMPLE_PRIMARY_KEY. */
static bd_table *mk_table(uint64_t id, const char *db, const char *tb, const char *types,
                          const char *names, const uint32_t *pk, uint32_t npk)
{
    bd_buf b = BD_BUF_INIT, f = BD_BUF_INIT;
    size_t n = strlen(types), nnum = 0;
    put_le(&b, id, 6);
    put_le(&b, 1, 2); /* flags */
    put_le(&b, strlen(db), 1);
    bd_buf_adds(&b, db);
    put_le(&b, 0, 1);
    put_le(&b, strlen(tb), 1);
    bd_buf_adds(&b, tb);
    put_le(&b, 0, 1);
    put_le(&b, n, 1);
    for (size_t i = 0; i < n; i++) {
        put_le(&b, types[i] == 'L' ? BD_T_LONG : BD_T_VARCHAR, 1);
        if (types[i] == 'L') nnum++;
    }
    size_t nv = n - nnum;
    put_le(&b, nv * 2, 1); /* metadata: 2 bytes per VARCHAR */
    for (size_t i = 0; i < nv; i++)
        put_le(&b, 255, 2);
    for (size_t i = 0; i < (n + 7) / 8; i++)
        put_le(&b, 0xff, 1); /* every column nullable */
    if (names) {
        if (nnum) {
            for (size_t i = 0; i < (nnum + 7) / 8; i++)
                put_le(&f, 0, 1); /* every number signed */
            put_field(&b, 1, &f);
            bd_buf_reset(&f);
        }
        const char *p = names;
        for (size_t i = 0; i < n; i++) {
            const char *e = strchr(p, ',');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            put_le(&f, l, 1);
            bd_buf_add(&f, p, l);
            p = e ? e + 1 : p + l;
        }
        put_field(&b, 4, &f);
        bd_buf_reset(&f);
    }
    if (npk) {
        for (uint32_t k = 0; k < npk; k++)
            put_le(&f, pk[k], 1);
        put_field(&b, 8, &f);
    }
    bd_buf_release(&f);
    ck_assert(!bd_buf_failed(&b));
    bd_table *t = NULL;
    bd_err err = {0};
    ck_assert_msg(bd_table_parse(&t, (const uint8_t *)b.ptr, b.len, 8, BD_FLAVOR_MARIADB, &err) ==
                      0,
                  "%s", err.msg);
    bd_buf_release(&b);
    ck_assert_uint_eq(t->ncols, n);
    ck_assert_uint_eq(t->npk, npk);
    ck_assert_int_eq(t->has_names, names != NULL);
    return t;
}

static const uint32_t PK0[] = {0};

/* pay.flow (id INT PRIMARY KEY, amount VARCHAR, memo VARCHAR) */
static bd_table *flow_table(void)
{
    return mk_table(70, "pay", "flow", "LVV", "id,amount,memo", PK0, 1);
}

/* ---- values, rows, events ------------------------------------------------ */

static bd_value VI(int64_t i)
{
    bd_value v = {.kind = BD_V_INT};
    v.i = i;
    return v;
}
static bd_value VS(const char *s)
{
    bd_value v = {.kind = BD_V_STRING, .s = s, .n = strlen(s)};
    return v;
}
static bd_value VA(void)
{
    bd_value v = {.kind = BD_V_ABSENT};
    return v;
}
static bd_value VN(void)
{
    bd_value v = {.kind = BD_V_NULL};
    return v;
}

static const char FILE1[] = "binlog.000001";
static const char FILE1_JSON[] = "\"binlog.000001\"";

static bd_header g_hdr = {.timestamp = 1700000000, .type = BD_EV_WRITE_ROWS_V2, .server_id = 1};
static bd_format g_fmt = {.binlog_version = 4, .header_len = 19, .flavor = BD_FLAVOR_MARIADB};
static bd_txn g_txn = {.in_txn = 1, .explicit_begin = 1, .has_gtid = 1, .gtid = "0-1-42"};

static bd_pos mk_pos(uint64_t pos)
{
    bd_pos p = {FILE1, FILE1_JSON, sizeof FILE1_JSON - 1, pos, 0};
    return p;
}

static bd_row mk_row(char op, const bd_table *t, const bd_value *before, const bd_value *after,
                     uint64_t pos, uint32_t row_index)
{
    bd_row r = {0};
    r.op = op;
    r.table = t;
    r.before = before;
    r.after = after;
    r.row_index = row_index;
    r.pos = mk_pos(pos);
    r.header = &g_hdr;
    r.format = &g_fmt;
    r.txn = &g_txn;
    return r;
}

/* An event with its own header (the type lives there). */
typedef struct tev {
    bd_header h;
    bd_event ev;
} tev;

static void mk_event(tev *e, uint8_t type, uint64_t pos)
{
    memset(e, 0, sizeof *e);
    e->h = g_hdr;
    e->h.type = type;
    e->ev.header = &e->h;
    e->ev.pos = mk_pos(pos);
    e->ev.format = &g_fmt;
    e->ev.txn = &g_txn;
}

static void mk_xid(tev *e, uint64_t pos, uint64_t xid)
{
    mk_event(e, BD_EV_XID, pos);
    e->ev.ends_txn = 1;
    e->ev.has_xid = 1;
    e->ev.xid = xid;
}

/* A QUERY event (or another type carrying SQL) with default database db. */
static void mk_query(tev *e, uint8_t type, const char *q, const char *db, uint64_t pos)
{
    mk_event(e, type, pos);
    e->ev.query.p = q;
    e->ev.query.n = strlen(q);
    e->ev.db.p = db;
    e->ev.db.n = strlen(db);
}

/* A DDL-like QUERY that commits on its own (TRUNCATE is logged so). */
static void mk_ddl(tev *e, const char *q, const char *db, uint64_t pos)
{
    mk_query(e, BD_EV_QUERY, q, db, pos);
    e->ev.ends_txn = 1;
    e->ev.is_ddl = 1;
}

/* ---- the recording callbacks --------------------------------------------- */

#define MAXMSG 2048

typedef struct rmsg {
    char topic[256];
    enum bd_pub_part part;
    char table[160];
    char *key; /* NULL: none */
    size_t key_len;
    char *value; /* NULL: a tombstone */
    size_t value_len;
    char op;
    int last;
    char file[64];
    uint64_t pos;
    uint32_t row;
    void *user;
} rmsg;

typedef struct rec {
    rmsg m[MAXMSG];
    size_t n;
    /* route: the dbs whose name starts with `pay` are published, to
     * topic db.table; db `skip` is not, nor is any table named "noise" */
    int route_calls;
    int route_fail;        /* the route callback fails */
    int route_all;         /* every table is published (to topic db.table) */
    char topic_suffix[16]; /* appended to every topic the route gives */
    char last_routed[160];
    int user_tag;
    long emit_fail_at; /* the emit of message number emit_fail_at fails; -1 never */
    int emit_calls;
    /* on_statement */
    int stmt_answer;
    int stmt_calls;
    char s_verb[64], s_db[80], s_table[80], s_file[64], s_query[600];
    uint64_t s_pos;
    int s_has_query;
} rec;

static int route_cb(void *ctx, const char *db, size_t dbn, const char *table, size_t tn,
                    bd_pub_route *r, bd_err *err)
{
    rec *R = ctx;
    R->route_calls++;
    snprintf(R->last_routed, sizeof R->last_routed, "%.*s.%.*s", (int)dbn, db, (int)tn, table);
    if (R->route_fail)
        return bd_err_set(err, BD_ERR_CALLBACK, "route refused %.*s.%.*s", (int)dbn, db, (int)tn,
                          table);
    r->wanted = R->route_all ||
                (dbn >= 3 && !memcmp(db, "pay", 3) && !(tn == 5 && !memcmp(table, "noise", 5)));
    if (r->wanted)
        snprintf(r->topic, sizeof r->topic, "%.*s.%.*s%s", (int)dbn, db, (int)tn, table,
                 R->topic_suffix);
    r->user = &R->user_tag;
    return 0;
}

static char *dupn(const char *p, size_t n)
{
    char *c = malloc(n + 1);
    ck_assert(c != NULL);
    memcpy(c, p, n);
    c[n] = '\0';
    return c;
}

static int emit_cb(void *ctx, const bd_pub_msg *m, bd_err *err)
{
    rec *R = ctx;
    if (R->emit_fail_at >= 0 && R->emit_calls++ == R->emit_fail_at)
        return bd_err_set(err, BD_ERR_CALLBACK, "emit stopped at %s", m->table);
    ck_assert_uint_lt(R->n, MAXMSG);
    rmsg *x = &R->m[R->n++];
    ck_assert(m->topic != NULL && m->table != NULL && m->file != NULL);
    snprintf(x->topic, sizeof x->topic, "%s", m->topic);
    x->part = m->part;
    ck_assert_uint_lt(m->table_len, sizeof x->table);
    memcpy(x->table, m->table, m->table_len);
    x->table[m->table_len] = '\0';
    x->key = m->key ? dupn(m->key, m->key_len) : NULL;
    x->key_len = m->key_len;
    x->value = m->value ? dupn(m->value, m->value_len) : NULL;
    x->value_len = m->value_len;
    x->op = m->op;
    x->last = m->last;
    snprintf(x->file, sizeof x->file, "%s", m->file);
    x->pos = m->pos;
    x->row = m->row;
    x->user = m->user;
    return 0;
}

static int stmt_cb(void *ctx, const bd_pub_statement *s)
{
    rec *R = ctx;
    R->stmt_calls++;
    snprintf(R->s_verb, sizeof R->s_verb, "%s", s->verb);
    snprintf(R->s_db, sizeof R->s_db, "%s", s->db);
    snprintf(R->s_table, sizeof R->s_table, "%s", s->table);
    snprintf(R->s_file, sizeof R->s_file, "%s", s->file);
    R->s_pos = s->pos;
    R->s_has_query = s->query != NULL;
    snprintf(R->s_query, sizeof R->s_query, "%.*s", s->query ? (int)s->query_len : 0,
             s->query ? s->query : "");
    return R->stmt_answer;
}

static rec *rec_new(void)
{
    rec *R = calloc(1, sizeof *R);
    ck_assert(R != NULL);
    R->emit_fail_at = -1;
    return R;
}

static void rec_clear(rec *R)
{
    for (size_t i = 0; i < R->n; i++) {
        free(R->m[i].key);
        free(R->m[i].value);
    }
    R->n = 0;
}

static void rec_free(rec *R)
{
    rec_clear(R);
    free(R);
}

/* A stage with the recording callbacks; with_stmt: on_statement set. */
static bd_pub *pub_new(rec *R, const bd_key_rule *keys, size_t nkeys, int tombstones, int with_stmt)
{
    bd_pub_opts o = {keys, nkeys, tombstones};
    bd_pub_ops ops = {R, route_cb, emit_cb, with_stmt ? stmt_cb : NULL};
    bd_pub *p = bd_pub_new(&o, &ops);
    ck_assert(p != NULL);
    return p;
}

/* ---- checks ---------------------------------------------------------------- */

/* The "source" block of the rows built here, closed. */
#define SRC(pos, row, xid, last)                                                                   \
    "\"source\":{\"flavor\":\"mariadb\",\"server_id\":1,\"file\":\"binlog.000001\",\"pos\":" #pos  \
    ",\"gtid\":\"0-1-42\",\"ts_us\":1700000000000000,\"row\":" #row ",\"xid\":" #xid               \
    ",\"last\":" #last "}}"

static void check_msg(int line, const rec *R, size_t i, char op, const char *topic, int part,
                      const char *table, const char *key, const char *value, int last, uint64_t pos,
                      uint32_t row)
{
    ck_assert_msg(i < R->n, "line %d: message %zu of %zu", line, i, R->n);
    const rmsg *m = &R->m[i];
    ck_assert_msg(m->op == op, "line %d: message %zu op '%c' (%d), want '%c' (%d)", line, i,
                  m->op ? m->op : '0', m->op, op ? op : '0', op);
    ck_assert_msg(!strcmp(m->topic, topic), "line %d: message %zu topic %s, want %s", line, i,
                  m->topic, topic);
    ck_assert_msg((int)m->part == part, "line %d: message %zu part %d, want %d", line, i,
                  (int)m->part, part);
    ck_assert_msg(!strcmp(m->table, table), "line %d: message %zu table %s, want %s", line, i,
                  m->table, table);
    if (!key)
        ck_assert_msg(m->key == NULL && m->key_len == 0, "line %d: message %zu key %s, want none",
                      line, i, m->key);
    else
        ck_assert_msg(m->key && m->key_len == strlen(key) && !strcmp(m->key, key),
                      "line %d: message %zu key %s, want %s", line, i, m->key ? m->key : "(none)",
                      key);
    if (!value)
        ck_assert_msg(m->value == NULL && m->value_len == 0,
                      "line %d: message %zu value %s, want null", line, i, m->value);
    else
        ck_assert_msg(m->value && m->value_len == strlen(value) && !strcmp(m->value, value),
                      "line %d: message %zu value\n  %s\nwant\n  %s", line, i,
                      m->value ? m->value : "(null)", value);
    ck_assert_msg(m->last == last, "line %d: message %zu last %d, want %d", line, i, m->last, last);
    ck_assert_msg(!strcmp(m->file, FILE1), "line %d: message %zu file %s", line, i, m->file);
    ck_assert_msg(m->pos == pos, "line %d: message %zu pos %llu, want %llu", line, i,
                  (unsigned long long)m->pos, (unsigned long long)pos);
    ck_assert_msg(m->row == row, "line %d: message %zu row %u, want %u", line, i, m->row, row);
    ck_assert_msg(m->user == &R->user_tag, "line %d: message %zu user not the route's", line, i);
}
#define CHECK_MSG(R, i, ...) check_msg(__LINE__, R, i, __VA_ARGS__)

static void check_counts(int line, const bd_pub *p, uint64_t rows, uint64_t filtered,
                         uint64_t key_changes, uint64_t truncates, uint64_t statements,
                         uint64_t messages)
{
    bd_pub_counts c;
    memset(&c, 0xab, sizeof c);
    bd_pub_counts_get(p, &c);
    ck_assert_msg(c.rows == rows && c.filtered == filtered && c.key_changes == key_changes &&
                      c.truncates == truncates && c.statements == statements &&
                      c.messages == messages,
                  "line %d: counts rows %llu filtered %llu key_changes %llu truncates %llu "
                  "statements %llu messages %llu; want %llu %llu %llu %llu %llu %llu",
                  line, (unsigned long long)c.rows, (unsigned long long)c.filtered,
                  (unsigned long long)c.key_changes, (unsigned long long)c.truncates,
                  (unsigned long long)c.statements, (unsigned long long)c.messages,
                  (unsigned long long)rows, (unsigned long long)filtered,
                  (unsigned long long)key_changes, (unsigned long long)truncates,
                  (unsigned long long)statements, (unsigned long long)messages);
}
#define CHECK_COUNTS(p, ...) check_counts(__LINE__, p, __VA_ARGS__)

static json_t *parse_value(const rmsg *m)
{
    ck_assert(m->value != NULL);
    json_error_t je;
    json_t *j = json_loadb(m->value, m->value_len, 0, &je);
    ck_assert_msg(j != NULL && json_is_object(j), "value does not parse: %s: %s", je.text,
                  m->value);
    return j;
}

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    ck_assert_msg(json_is_string(v), "\"%s\" not a string", k);
    return json_string_value(v);
}

static json_int_t jint(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    ck_assert_msg(json_is_integer(v), "\"%s\" not an integer", k);
    return json_integer_value(v);
}

#define ROW_OK(p, r) ck_assert_int_eq(bd_pub_row(p, r, &err), 1)
#define EV_OK(p, e) ck_assert_msg(bd_pub_event(p, &(e)->ev, &err) == 0, "%s", err.msg)

/* ---- 1. plain row changes, transaction boundaries ------------------------- */

START_TEST(pub_plain_ops)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_table *t = flow_table();
    bd_err err = {0};
    bd_value a1[3] = {VI(7), VS("12.50"), VS("分账")};
    bd_value a2[3] = {VI(7), VS("13.00"), VS("分账")};

    ck_assert_int_eq(bd_pub_holding(p), 0);
    bd_row r = mk_row(BD_OP_INSERT, t, NULL, a1, 400, 0);
    ROW_OK(p, &r);
    /* the insert is held: it may be the last of its transaction */
    ck_assert_uint_eq(R->n, 0);
    ck_assert_int_eq(bd_pub_holding(p), 1);

    r = mk_row(BD_OP_UPDATE, t, a1, a2, 500, 0);
    ROW_OK(p, &r);
    ck_assert_uint_eq(R->n, 1);
    CHECK_MSG(
        R, 0, 'c', "pay.flow", BD_PUB_BY_KEY, "pay.flow", "{\"id\":7}",
        "{\"op\":\"c\",\"db\":\"pay\",\"table\":\"flow\",\"before\":null,"
        "\"after\":{\"id\":7,\"amount\":\"12.50\",\"memo\":\"分账\"}," SRC(400, 0, null, false),
        0, 400, 0);

    r = mk_row(BD_OP_DELETE, t, a2, NULL, 600, 1);
    ROW_OK(p, &r);
    ck_assert_uint_eq(R->n, 2);
    CHECK_MSG(
        R, 1, 'u', "pay.flow", BD_PUB_BY_KEY, "pay.flow", "{\"id\":7}",
        "{\"op\":\"u\",\"db\":\"pay\",\"table\":\"flow\","
        "\"before\":{\"id\":7,\"amount\":\"12.50\",\"memo\":\"分账\"},"
        "\"after\":{\"id\":7,\"amount\":\"13.00\",\"memo\":\"分账\"}," SRC(500, 0, null, false),
        0, 500, 0);

    /* an event that is no boundary changes nothing */
    tev e;
    mk_event(&e, BD_EV_TABLE_MAP, 650);
    EV_OK(p, &e);
    ck_assert_uint_eq(R->n, 2);
    ck_assert_int_eq(bd_pub_holding(p), 1);

    mk_xid(&e, 700, 88);
    EV_OK(p, &e);
    ck_assert_uint_eq(R->n, 3);
    ck_assert_int_eq(bd_pub_holding(p), 0);
    CHECK_MSG(R, 2, 'd', "pay.flow", BD_PUB_BY_KEY, "pay.flow", "{\"id\":7}",
              "{\"op\":\"d\",\"db\":\"pay\",\"table\":\"flow\","
              "\"before\":{\"id\":7,\"amount\":\"13.00\",\"memo\":\"分账\"},"
              "\"after\":null," SRC(600, 1, 88, true),
              1, 600, 1);
    /* a second XID with nothing held sends nothing */
    mk_xid(&e, 800, 89);
    EV_OK(p, &e);
    ck_assert_uint_eq(R->n, 3);
    CHECK_COUNTS(p, 3, 0, 0, 0, 0, 3);

    bd_pub_free(p);
    bd_table_free(t);
    rec_free(R);
}
END_TEST

START_TEST(pub_finish)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_table *t = flow_table();
    bd_err err = {0};
    bd_value a[3] = {VI(5), VS("1"), VN()};

    /* nothing held: nothing sent */
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_int_eq(bd_pub_finish(p, 0, &err), 0);
    ck_assert_uint_eq(R->n, 0);

    bd_row r = mk_row(BD_OP_INSERT, t, NULL, a, 400, 3);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 0, &err), 0);
    ck_assert_int_eq(bd_pub_holding(p), 0);
    CHECK_MSG(R, 0, 'c', "pay.flow", BD_PUB_BY_KEY, "pay.flow", "{\"id\":5}",
              "{\"op\":\"c\",\"db\":\"pay\",\"table\":\"flow\",\"before\":null,"
              "\"after\":{\"id\":5,\"amount\":\"1\",\"memo\":null}," SRC(400, 3, null, false),
              0, 400, 3);

    r = mk_row(BD_OP_INSERT, t, NULL, a, 500, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    CHECK_MSG(R, 1, 'c', "pay.flow", BD_PUB_BY_KEY, "pay.flow", "{\"id\":5}",
              "{\"op\":\"c\",\"db\":\"pay\",\"table\":\"flow\",\"before\":null,"
              "\"after\":{\"id\":5,\"amount\":\"1\",\"memo\":null}," SRC(500, 0, null, true),
              1, 500, 0);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 2);
    CHECK_COUNTS(p, 2, 0, 0, 0, 0, 2);

    bd_pub_free(p);
    bd_table_free(t);
    rec_free(R);
}
END_TEST

/* The other boundaries: a transaction that begins (the one before ended
 * unseen), a row that commits on its own, a COMMIT query. */
START_TEST(pub_txn_boundaries)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_table *t = flow_table();
    bd_err err = {0};
    bd_value a[3] = {VI(1), VS("x"), VS("y")};
    tev e;

    bd_row r = mk_row(BD_OP_INSERT, t, NULL, a, 400, 0);
    ROW_OK(p, &r);
    mk_query(&e, BD_EV_QUERY, "BEGIN", "pay", 450);
    e.ev.begins_txn = 1;
    EV_OK(p, &e);
    ck_assert_uint_eq(R->n, 1);
    ck_assert_int_eq(R->m[0].last, 0);
    ck_assert_ptr_nonnull(strstr(R->m[0].value, SRC(400, 0, null, false)));

    mk_event(&e, BD_EV_GTID, 460);
    e.ev.begins_txn = 1;
    EV_OK(p, &e); /* nothing held */
    ck_assert_uint_eq(R->n, 1);

    /* MyISAM: the row commits on its own */
    r = mk_row(BD_OP_INSERT, t, NULL, a, 500, 0);
    r.ends_txn = 1;
    ROW_OK(p, &r);
    ck_assert_uint_eq(R->n, 2);
    ck_assert_int_eq(bd_pub_holding(p), 0);
    CHECK_MSG(R, 1, 'c', "pay.flow", BD_PUB_BY_KEY, "pay.flow", "{\"id\":1}",
              "{\"op\":\"c\",\"db\":\"pay\",\"table\":\"flow\",\"before\":null,"
              "\"after\":{\"id\":1,\"amount\":\"x\",\"memo\":\"y\"}," SRC(500, 0, null, true),
              1, 500, 0);

    /* a transaction that ends with a COMMIT query: no xid */
    r = mk_row(BD_OP_DELETE, t, a, NULL, 600, 0);
    ROW_OK(p, &r);
    mk_query(&e, BD_EV_QUERY, "COMMIT", "pay", 650);
    e.ev.ends_txn = 1;
    EV_OK(p, &e);
    ck_assert_uint_eq(R->n, 3);
    CHECK_MSG(R, 2, 'd', "pay.flow", BD_PUB_BY_KEY, "pay.flow", "{\"id\":1}",
              "{\"op\":\"d\",\"db\":\"pay\",\"table\":\"flow\","
              "\"before\":{\"id\":1,\"amount\":\"x\",\"memo\":\"y\"},\"after\":null," SRC(
                  600, 0, null, true),
              1, 600, 0);

    /* a row of an unpublished table that commits on its own releases what
     * is held, as the last */
    bd_table *u = mk_table(80, "skip", "flow", "L", "id", PK0, 1);
    bd_value b[1] = {VI(2)};
    r = mk_row(BD_OP_INSERT, t, NULL, a, 700, 0);
    ROW_OK(p, &r);
    r = mk_row(BD_OP_INSERT, u, NULL, b, 800, 0);
    r.ends_txn = 1;
    ck_assert_int_eq(bd_pub_row(p, &r, &err), 0);
    ck_assert_uint_eq(R->n, 4);
    ck_assert_int_eq(R->m[3].last, 1);
    ck_assert_uint_eq(R->m[3].pos, 700);
    CHECK_COUNTS(p, 4, 1, 0, 0, 0, 4);

    bd_pub_free(p);
    bd_table_free(t);
    bd_table_free(u);
    rec_free(R);
}
END_TEST

/* ---- 2. updates that change the key --------------------------------------- */

START_TEST(pub_key_change)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_table *t = flow_table();
    bd_err err = {0};
    bd_value b[3] = {VI(7), VS("1.00"), VN()};
    bd_value a[3] = {VI(8), VS("1.00"), VN()};

    bd_row r = mk_row(BD_OP_UPDATE, t, b, a, 700, 2);
    ROW_OK(p, &r);
    /* the delete went out (not last: the create follows), the create is held */
    ck_assert_uint_eq(R->n, 1);
    ck_assert_int_eq(bd_pub_holding(p), 1);
    CHECK_MSG(R, 0, 'd', "pay.flow", BD_PUB_BY_KEY, "pay.flow", "{\"id\":7}",
              "{\"op\":\"d\",\"db\":\"pay\",\"table\":\"flow\","
              "\"before\":{\"id\":7,\"amount\":\"1.00\",\"memo\":null},"
              "\"after\":null," SRC(700, 2, null, false),
              0, 700, 2);
    tev e;
    mk_xid(&e, 900, 12);
    EV_OK(p, &e);
    ck_assert_uint_eq(R->n, 2);
    CHECK_MSG(R, 1, 'c', "pay.flow", BD_PUB_BY_KEY, "pay.flow", "{\"id\":8}",
              "{\"op\":\"c\",\"db\":\"pay\",\"table\":\"flow\",\"before\":null,"
              "\"after\":{\"id\":8,\"amount\":\"1.00\",\"memo\":null}," SRC(700, 2, 12, true),
              1, 700, 2);
    CHECK_COUNTS(p, 1, 0, 1, 0, 0, 2);

    /* followed by another row: the create goes out not last */
    r = mk_row(BD_OP_UPDATE, t, a, b, 1000, 0);
    ROW_OK(p, &r);
    r = mk_row(BD_OP_DELETE, t, b, NULL, 1100, 0);
    ROW_OK(p, &r);
    ck_assert_uint_eq(R->n, 4);
    CHECK_MSG(R, 2, 'd', "pay.flow", BD_PUB_BY_KEY, "pay.flow", "{\"id\":8}",
              "{\"op\":\"d\",\"db\":\"pay\",\"table\":\"flow\","
              "\"before\":{\"id\":8,\"amount\":\"1.00\",\"memo\":null},"
              "\"after\":null," SRC(1000, 0, null, false),
              0, 1000, 0);
    CHECK_MSG(R, 3, 'c', "pay.flow", BD_PUB_BY_KEY, "pay.flow", "{\"id\":7}",
              "{\"op\":\"c\",\"db\":\"pay\",\"table\":\"flow\",\"before\":null,"
              "\"after\":{\"id\":7,\"amount\":\"1.00\",\"memo\":null}," SRC(1000, 0, null, false),
              0, 1000, 0);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 5);
    ck_assert_int_eq(R->m[4].op, 'd');
    ck_assert_int_eq(R->m[4].last, 1);
    CHECK_COUNTS(p, 3, 0, 2, 0, 0, 5);

    bd_pub_free(p);
    bd_table_free(t);
    rec_free(R);
}
END_TEST

/* A composite key (b, a) in key order different from the column order:
 * only one of its columns changes. */
START_TEST(pub_key_change_composite)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    static const uint32_t pk[] = {2, 0};
    bd_table *t = mk_table(71, "pay", "split", "LVL", "a,note,b", pk, 2);
    bd_err err = {0};
    bd_value b[3] = {VI(1), VS("n"), VI(10)};
    bd_value a[3] = {VI(2), VS("n"), VI(10)};

    bd_row r = mk_row(BD_OP_UPDATE, t, b, a, 700, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 2);
    CHECK_MSG(R, 0, 'd', "pay.split", BD_PUB_BY_KEY, "pay.split", "{\"b\":10,\"a\":1}",
              "{\"op\":\"d\",\"db\":\"pay\",\"table\":\"split\","
              "\"before\":{\"a\":1,\"note\":\"n\",\"b\":10},"
              "\"after\":null," SRC(700, 0, null, false),
              0, 700, 0);
    CHECK_MSG(R, 1, 'c', "pay.split", BD_PUB_BY_KEY, "pay.split", "{\"b\":10,\"a\":2}",
              "{\"op\":\"c\",\"db\":\"pay\",\"table\":\"split\",\"before\":null,"
              "\"after\":{\"a\":2,\"note\":\"n\",\"b\":10}," SRC(700, 0, null, true),
              1, 700, 0);
    rec_clear(R);

    /* binlog_row_image=MINIMAL: the after image lacks b (unchanged); the
     * new key takes it from the before image, and so does the create's
     * after image: a create carries its whole key */
    bd_value bm[3] = {VI(2), VA(), VI(10)};
    bd_value am[3] = {VI(3), VA(), VA()};
    r = mk_row(BD_OP_UPDATE, t, bm, am, 800, 1);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 2);
    CHECK_MSG(R, 0, 'd', "pay.split", BD_PUB_BY_KEY, "pay.split", "{\"b\":10,\"a\":2}",
              "{\"op\":\"d\",\"db\":\"pay\",\"table\":\"split\","
              "\"before\":{\"a\":2,\"b\":10},\"after\":null," SRC(800, 1, null, false),
              0, 800, 1);
    CHECK_MSG(R, 1, 'c', "pay.split", BD_PUB_BY_KEY, "pay.split", "{\"b\":10,\"a\":3}",
              "{\"op\":\"c\",\"db\":\"pay\",\"table\":\"split\",\"before\":null,"
              "\"after\":{\"a\":3,\"b\":10}," SRC(800, 1, null, true),
              1, 800, 1);
    CHECK_COUNTS(p, 2, 0, 2, 0, 0, 4);

    bd_pub_free(p);
    bd_table_free(t);
    rec_free(R);
}
END_TEST

/* Updates that keep the key: one "u" message. */
START_TEST(pub_update_same_key)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 1, 0); /* tombstones on: none for updates */
    static const uint32_t pk[] = {2, 0};
    bd_table *t = mk_table(71, "pay", "split", "LVL", "a,note,b", pk, 2);
    bd_err err = {0};

    /* FULL image, a non-key column changes */
    bd_value b1[3] = {VI(1), VS("x"), VI(10)};
    bd_value a1[3] = {VI(1), VS("y"), VI(10)};
    bd_row r = mk_row(BD_OP_UPDATE, t, b1, a1, 100, 0);
    ROW_OK(p, &r);
    /* MINIMAL: the after image lacks every key column */
    bd_value b2[3] = {VI(1), VA(), VI(10)};
    bd_value a2[3] = {VA(), VS("z"), VA()};
    r = mk_row(BD_OP_UPDATE, t, b2, a2, 200, 4);
    ROW_OK(p, &r);
    /* MINIMAL: the after image holds one key column, unchanged */
    bd_value a3[3] = {VA(), VS("w"), VI(10)};
    r = mk_row(BD_OP_UPDATE, t, b2, a3, 300, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 3);
    CHECK_MSG(R, 0, 'u', "pay.split", BD_PUB_BY_KEY, "pay.split", "{\"b\":10,\"a\":1}",
              "{\"op\":\"u\",\"db\":\"pay\",\"table\":\"split\","
              "\"before\":{\"a\":1,\"note\":\"x\",\"b\":10},"
              "\"after\":{\"a\":1,\"note\":\"y\",\"b\":10}," SRC(100, 0, null, false),
              0, 100, 0);
    CHECK_MSG(R, 1, 'u', "pay.split", BD_PUB_BY_KEY, "pay.split", "{\"b\":10,\"a\":1}",
              "{\"op\":\"u\",\"db\":\"pay\",\"table\":\"split\","
              "\"before\":{\"a\":1,\"b\":10},"
              "\"after\":{\"note\":\"z\"}," SRC(200, 4, null, false),
              0, 200, 4);
    CHECK_MSG(R, 2, 'u', "pay.split", BD_PUB_BY_KEY, "pay.split", "{\"b\":10,\"a\":1}",
              "{\"op\":\"u\",\"db\":\"pay\",\"table\":\"split\","
              "\"before\":{\"a\":1,\"b\":10},"
              "\"after\":{\"note\":\"w\",\"b\":10}," SRC(300, 0, null, true),
              1, 300, 0);
    CHECK_COUNTS(p, 3, 0, 0, 0, 0, 3);

    bd_pub_free(p);
    bd_table_free(t);
    rec_free(R);
}
END_TEST

/* ---- 3. tombstones ----------------------------------------------------------- */

START_TEST(pub_tombstones)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 1, 0);
    bd_table *t = flow_table();
    bd_err err = {0};
    bd_value v1[3] = {VI(1), VS("a"), VN()};
    bd_value v1b[3] = {VI(1), VS("b"), VN()};
    bd_value v2[3] = {VI(2), VS("b"), VN()};

    bd_row r = mk_row(BD_OP_INSERT, t, NULL, v1, 100, 0);
    ROW_OK(p, &r);
    r = mk_row(BD_OP_UPDATE, t, v1, v1b, 200, 0);
    ROW_OK(p, &r);
    r = mk_row(BD_OP_UPDATE, t, v1b, v2, 300, 0); /* the key changes */
    ROW_OK(p, &r);
    r = mk_row(BD_OP_DELETE, t, v2, NULL, 400, 1);
    ROW_OK(p, &r);
    tev e;
    mk_xid(&e, 500, 77);
    EV_OK(p, &e);
    ck_assert_uint_eq(R->n, 7);
    static const char ops[] = {'c', 'u', 'd', 0, 'c', 'd', 0};
    static const char *const keys[] = {"{\"id\":1}", "{\"id\":1}", "{\"id\":1}", "{\"id\":1}",
                                       "{\"id\":2}", "{\"id\":2}", "{\"id\":2}"};
    static const uint64_t pos[] = {100, 200, 300, 300, 300, 400, 400};
    static const uint32_t rows[] = {0, 0, 0, 0, 0, 1, 1};
    for (size_t i = 0; i < 7; i++) {
        const rmsg *m = &R->m[i];
        ck_assert_msg(m->op == ops[i], "message %zu op %d", i, m->op);
        ck_assert_str_eq(m->key, keys[i]);
        ck_assert_uint_eq(m->pos, pos[i]);
        ck_assert_uint_eq(m->row, rows[i]);
        ck_assert_str_eq(m->topic, "pay.flow");
        ck_assert_str_eq(m->table, "pay.flow");
        ck_assert_int_eq(m->part, BD_PUB_BY_KEY);
        ck_assert_int_eq(m->last, i >= 5); /* a tombstone has its delete's last */
        ck_assert_ptr_eq(m->user, &R->user_tag);
        if (ops[i]) {
            ck_assert_ptr_nonnull(m->value);
        } else {
            ck_assert_ptr_null(m->value);
            ck_assert_uint_eq(m->value_len, 0);
        }
    }
    ck_assert_ptr_nonnull(strstr(R->m[5].value, SRC(400, 1, 77, true)));
    CHECK_COUNTS(p, 4, 0, 1, 0, 0, 7);
    rec_clear(R);

    /* a table without a key: no tombstone */
    bd_table *n = mk_table(72, "pay", "log", "LV", "seq,txt", NULL, 0);
    bd_value lv[2] = {VI(1), VS("t")};
    r = mk_row(BD_OP_DELETE, n, lv, NULL, 600, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 1);
    CHECK_MSG(R, 0, 'd', "pay.log", BD_PUB_BY_TABLE, "pay.log", NULL,
              "{\"op\":\"d\",\"db\":\"pay\",\"table\":\"log\","
              "\"before\":{\"seq\":1,\"txt\":\"t\"},\"after\":null," SRC(600, 0, null, true),
              1, 600, 0);

    bd_pub_free(p);
    bd_table_free(t);
    bd_table_free(n);
    rec_free(R);
}
END_TEST

/* Without the option: no tombstones at all. */
START_TEST(pub_no_tombstones)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_table *t = flow_table();
    bd_err err = {0};
    bd_value v1[3] = {VI(1), VS("a"), VN()};
    bd_value v2[3] = {VI(2), VS("a"), VN()};
    bd_row r = mk_row(BD_OP_UPDATE, t, v1, v2, 300, 0);
    ROW_OK(p, &r);
    r = mk_row(BD_OP_DELETE, t, v2, NULL, 400, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 0, &err), 0);
    ck_assert_uint_eq(R->n, 3);
    for (size_t i = 0; i < 3; i++)
        ck_assert_ptr_nonnull(R->m[i].value);
    CHECK_COUNTS(p, 2, 0, 1, 0, 0, 3);
    bd_pub_free(p);
    bd_table_free(t);
    rec_free(R);
}
END_TEST

/* ---- 4. tables without a primary key ---------------------------------------- */

START_TEST(pub_no_pk_no_rule)
{
    rec *R = rec_new();
    /* a rule that matches another table only */
    char *cols[] = {(char *)"seq"};
    bd_key_rule rule = {(char *)"pay.audit_*", cols, 1};
    bd_pub *p = pub_new(R, &rule, 1, 0, 0);
    bd_table *t = mk_table(73, "pay", "ledger", "LV", "seq,txt", NULL, 0);
    bd_err err = {0};
    bd_value v[2] = {VI(9), VS("x")};
    bd_row r = mk_row(BD_OP_INSERT, t, NULL, v, 100, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 1);
    CHECK_MSG(R, 0, 'c', "pay.ledger", BD_PUB_BY_TABLE, "pay.ledger", NULL,
              "{\"op\":\"c\",\"db\":\"pay\",\"table\":\"ledger\",\"before\":null,"
              "\"after\":{\"seq\":9,\"txt\":\"x\"}," SRC(100, 0, null, true),
              1, 100, 0);
    bd_pub_free(p);
    bd_table_free(t);
    rec_free(R);
}
END_TEST

START_TEST(pub_keys_rule)
{
    rec *R = rec_new();
    char *cols[] = {(char *)"seq", (char *)"account_id"};
    char *cols2[] = {(char *)"txt"};
    bd_key_rule rules[] = {{(char *)"pay.audit_*", cols, 2}, {(char *)"pay.*", cols2, 1}};
    bd_pub *p = pub_new(R, rules, 2, 1, 0);
    bd_table *t = mk_table(74, "pay", "audit_2024", "LVL", "account_id,note,seq", NULL, 0);
    bd_err err = {0};
    bd_value v[3] = {VI(42), VS("n"), VI(3)};
    bd_value v2[3] = {VI(42), VS("m"), VI(4)};

    bd_row r = mk_row(BD_OP_INSERT, t, NULL, v, 100, 0);
    ROW_OK(p, &r);
    /* the rule's columns change: a key change, like a primary key's */
    r = mk_row(BD_OP_UPDATE, t, v, v2, 200, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 4);
    CHECK_MSG(R, 0, 'c', "pay.audit_2024", BD_PUB_BY_KEY, "pay.audit_2024",
              "{\"seq\":3,\"account_id\":42}",
              "{\"op\":\"c\",\"db\":\"pay\",\"table\":\"audit_2024\",\"before\":null,"
              "\"after\":{\"account_id\":42,\"note\":\"n\",\"seq\":3}," SRC(100, 0, null, false),
              0, 100, 0);
    CHECK_MSG(R, 1, 'd', "pay.audit_2024", BD_PUB_BY_KEY, "pay.audit_2024",
              "{\"seq\":3,\"account_id\":42}",
              "{\"op\":\"d\",\"db\":\"pay\",\"table\":\"audit_2024\","
              "\"before\":{\"account_id\":42,\"note\":\"n\",\"seq\":3},"
              "\"after\":null," SRC(200, 0, null, false),
              0, 200, 0);
    /* tombstones apply to keys from a rule too */
    CHECK_MSG(R, 2, 0, "pay.audit_2024", BD_PUB_BY_KEY, "pay.audit_2024",
              "{\"seq\":3,\"account_id\":42}", NULL, 0, 200, 0);
    CHECK_MSG(R, 3, 'c', "pay.audit_2024", BD_PUB_BY_KEY, "pay.audit_2024",
              "{\"seq\":4,\"account_id\":42}",
              "{\"op\":\"c\",\"db\":\"pay\",\"table\":\"audit_2024\",\"before\":null,"
              "\"after\":{\"account_id\":42,\"note\":\"m\",\"seq\":4}," SRC(200, 0, null, true),
              1, 200, 0);
    CHECK_COUNTS(p, 2, 0, 1, 0, 0, 4);
    rec_clear(R);

    /* the second rule, for another table (the first match counts) */
    bd_table *u = mk_table(75, "pay", "notes", "LV", "id,txt", NULL, 0);
    bd_value w[2] = {VI(1), VS("hello")};
    r = mk_row(BD_OP_DELETE, u, w, NULL, 300, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 2);
    CHECK_MSG(R, 0, 'd', "pay.notes", BD_PUB_BY_KEY, "pay.notes", "{\"txt\":\"hello\"}",
              "{\"op\":\"d\",\"db\":\"pay\",\"table\":\"notes\","
              "\"before\":{\"id\":1,\"txt\":\"hello\"},\"after\":null," SRC(300, 0, null, true),
              1, 300, 0);
    CHECK_MSG(R, 1, 0, "pay.notes", BD_PUB_BY_KEY, "pay.notes", "{\"txt\":\"hello\"}", NULL, 1, 300,
              0);

    bd_pub_free(p);
    bd_table_free(t);
    bd_table_free(u);
    rec_free(R);
}
END_TEST

START_TEST(pub_keys_rule_missing_column)
{
    rec *R = rec_new();
    char *cols[] = {(char *)"seq", (char *)"nope"};
    bd_key_rule rule = {(char *)"pay.audit_*", cols, 2};
    bd_pub *p = pub_new(R, &rule, 1, 0, 0);
    bd_table *t = mk_table(74, "pay", "audit_x", "LVL", "account_id,note,seq", NULL, 0);
    bd_err err = {0};
    bd_value v[3] = {VI(42), VS("n"), VI(3)};
    bd_row r = mk_row(BD_OP_INSERT, t, NULL, v, 100, 0);
    ck_assert_int_eq(bd_pub_row(p, &r, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_SCHEMA);
    ck_assert_msg(strstr(err.msg, "no column nope") && strstr(err.msg, "`pay`.`audit_x`") &&
                      strstr(err.msg, "pay.audit_*"),
                  "%s", err.msg);
    /* again: still refused (not cached as resolved) */
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(bd_pub_row(p, &r, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_SCHEMA);
    ck_assert_uint_eq(R->n, 0);
    ck_assert_int_eq(bd_pub_holding(p), 0);
    bd_pub_free(p);
    bd_table_free(t);
    rec_free(R);
}
END_TEST

/* ---- [columns] ---------------------------------------------------------------- */

/* A rule set as the config reader builds it: rules "pattern=action;..."
 * and one key k1. */
static void col_rules(bd_col_rules *rs, const char *spec)
{
    char why[400], buf[512];
    memset(rs, 0, sizeof *rs);
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *save = NULL, *item = strtok_r(buf, ";", &save); item;
         item = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(item, '=');
        ck_assert(eq != NULL);
        *eq = '\0';
        rs->rules = realloc(rs->rules, (rs->n + 1) * sizeof *rs->rules);
        ck_assert(rs->rules != NULL);
        bd_col_rule *r = &rs->rules[rs->n++];
        memset(r, 0, sizeof *r);
        ck_assert_msg(bd_col_pattern_set(r, item, why, sizeof why) == NULL, "%s", why);
        ck_assert_msg(bd_col_action_parse(r, eq + 1, why, sizeof why) == NULL, "%s", why);
    }
    rs->keys = calloc(1, sizeof *rs->keys);
    ck_assert(rs->keys != NULL);
    rs->nkeys = 1;
    rs->keys[0].id = strdup("k1");
    rs->keys[0].source = strdup("env:K");
    const char *key = "0123456789abcdef";
    ck_assert_int_eq(bd_hash_key_set_secret(&rs->keys[0], (const unsigned char *)key, 16), 0);
    ck_assert_msg(bd_col_rules_resolve(rs, why, sizeof why) == 0, "%s", why);
}

/* The token of text under k1, quoted. */
static const char *tok(const bd_col_rules *rs, const char *text, char out[70])
{
    out[0] = '"';
    size_t n = bd_hash_token(&rs->keys[0], text, strlen(text), out + 1);
    out[n + 1] = '"';
    out[n + 2] = '\0';
    return out;
}

/* Excluded, masked and hashed columns in both images and in the key; a
 * hashed primary key keys by its token, and a key change is one still. */
START_TEST(pub_columns)
{
    rec *R = rec_new();
    bd_col_rules rs;
    col_rules(&rs, "pay.flow.id=hash:k1;pay.flow.amount=exclude;pay.*.memo=mask:keep-last-2");
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_pub_set_columns(p, &rs);
    bd_table *t = flow_table();
    bd_err err = {0};
    char k1[70], k2[70];
    tok(&rs, "1", k1);
    tok(&rs, "2", k2);
    bd_value a[3] = {VI(1), VS("100.00"), VS("分账流水")};
    bd_value b[3] = {VI(2), VS("100.00"), VN()};
    bd_row r = mk_row(BD_OP_UPDATE, t, a, b, 100, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 2);
    char key[100], val[600];
    snprintf(key, sizeof key, "{\"id\":%s}", k1);
    snprintf(val, sizeof val,
             "{\"op\":\"d\",\"db\":\"pay\",\"table\":\"flow\",\"before\":{\"id\":%s,"
             "\"memo\":\"**流水\"},\"after\":null,\"source\":{\"flavor\":\"mariadb\","
             "\"server_id\":1,\"file\":\"binlog.000001\",\"pos\":100,\"gtid\":\"0-1-42\","
             "\"ts_us\":1700000000000000,\"row\":0,\"hashed\":{\"id\":\"k1\"},\"xid\":null,"
             "\"last\":false}}",
             k1);
    CHECK_MSG(R, 0, 'd', "pay.flow", BD_PUB_BY_KEY, "pay.flow", key, val, 0, 100, 0);
    snprintf(key, sizeof key, "{\"id\":%s}", k2);
    snprintf(val, sizeof val,
             "{\"op\":\"c\",\"db\":\"pay\",\"table\":\"flow\",\"before\":null,\"after\":{\"id\":%s,"
             "\"memo\":null},\"source\":{\"flavor\":\"mariadb\","
             "\"server_id\":1,\"file\":\"binlog.000001\",\"pos\":100,\"gtid\":\"0-1-42\","
             "\"ts_us\":1700000000000000,\"row\":0,\"hashed\":{\"id\":\"k1\"},\"xid\":null,"
             "\"last\":true}}",
             k2);
    CHECK_MSG(R, 1, 'c', "pay.flow", BD_PUB_BY_KEY, "pay.flow", key, val, 1, 100, 0);
    /* the excluded column is nowhere */
    for (size_t i = 0; i < R->n; i++)
        ck_assert(!strstr(R->m[i].value, "amount") && !strstr(R->m[i].value, "100.00"));
    CHECK_COUNTS(p, 1, 0, 1, 0, 0, 2);
    bd_pub_free(p);
    bd_table_free(t);
    bd_col_rules_release(&rs);
    rec_free(R);
}
END_TEST

/* A rule that excludes or masks a key column: refused, unless a [keys]
 * line of columns no rule hides keys the table. */
START_TEST(pub_columns_key_hidden)
{
    rec *R = rec_new();
    bd_col_rules rs;
    col_rules(&rs, "pay.flow.id=exclude;pay.flow.memo=mask:null");
    bd_table *t = flow_table();
    bd_err err = {0};
    bd_value a[3] = {VI(1), VS("100.00"), VS("x")};
    bd_row r = mk_row(BD_OP_INSERT, t, NULL, a, 100, 0);

    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_pub_set_columns(p, &rs);
    ck_assert_int_eq(bd_pub_row(p, &r, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_COLUMNS);
    ck_assert_msg(strstr(err.msg, "[columns] pay.flow.id = exclude excludes `pay`.`flow`.`id`") &&
                      strstr(err.msg, "primary key") && strstr(err.msg, "[keys]"),
                  "%s", err.msg);
    ck_assert_uint_eq(R->n, 0);
    bd_pub_free(p);

    /* a [keys] line naming a masked column is refused the same way */
    char *memo[] = {(char *)"memo"};
    bd_key_rule km = {(char *)"pay.flow", memo, 1};
    p = pub_new(R, &km, 1, 0, 0);
    bd_pub_set_columns(p, &rs);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(bd_pub_row(p, &r, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_COLUMNS);
    ck_assert_msg(strstr(err.msg, "masks `pay`.`flow`.`memo`") && strstr(err.msg, "[keys] key"),
                  "%s", err.msg);
    bd_pub_free(p);

    /* one of columns left alone keys it */
    char *amount[] = {(char *)"amount"};
    bd_key_rule ka = {(char *)"pay.*", amount, 1};
    p = pub_new(R, &ka, 1, 0, 0);
    bd_pub_set_columns(p, &rs);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 1);
    CHECK_MSG(R, 0, 'c', "pay.flow", BD_PUB_BY_KEY, "pay.flow", "{\"amount\":\"100.00\"}",
              "{\"op\":\"c\",\"db\":\"pay\",\"table\":\"flow\",\"before\":null,"
              "\"after\":{\"amount\":\"100.00\",\"memo\":null}," SRC(100, 0, null, true),
              1, 100, 0);
    bd_pub_free(p);
    bd_table_free(t);
    bd_col_rules_release(&rs);
    rec_free(R);
}
END_TEST

/* New rules between transactions: the transactions before in clear, the
 * ones after under the rules, none of them half and half; no rules for a
 * table without names: published positional as before, while rules that
 * match it stop the stage rather than publish it in clear. */
START_TEST(pub_columns_switch)
{
    rec *R = rec_new();
    bd_col_rules rs;
    col_rules(&rs, "pay.flow.memo=mask:fixed=***");
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_table *t = flow_table();
    bd_err err = {0};
    bd_value a[3] = {VI(1), VS("1"), VS("clear")};
    tev x;
    bd_row r = mk_row(BD_OP_INSERT, t, NULL, a, 100, 0);
    ROW_OK(p, &r);
    mk_xid(&x, 150, 9);
    ck_assert_int_eq(bd_pub_event(p, &x.ev, &err), 0);
    bd_pub_set_columns(p, &rs); /* between transactions */
    r = mk_row(BD_OP_INSERT, t, NULL, a, 200, 0);
    ROW_OK(p, &r);
    mk_xid(&x, 250, 10);
    ck_assert_int_eq(bd_pub_event(p, &x.ev, &err), 0);
    bd_pub_set_columns(p, NULL); /* and off again */
    r = mk_row(BD_OP_INSERT, t, NULL, a, 300, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 3);
    ck_assert(strstr(R->m[0].value, "\"memo\":\"clear\""));
    ck_assert(strstr(R->m[1].value, "\"memo\":\"***\""));
    ck_assert(strstr(R->m[2].value, "\"memo\":\"clear\""));

    bd_table *u = mk_table(76, "pay", "flow", "LVV", NULL, PK0, 1);
    bd_pub_set_columns(p, &rs);
    r = mk_row(BD_OP_INSERT, u, NULL, a, 400, 0);
    ck_assert_int_eq(bd_pub_row(p, &r, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_COLUMNS);
    ck_assert_uint_eq(R->n, 3);
    bd_pub_free(p);
    bd_table_free(t);
    bd_table_free(u);
    bd_col_rules_release(&rs);
    rec_free(R);
}
END_TEST

/* A statement-logged change of a table the rules touch: reported without
 * its SQL, which may hold the values they hide. */
START_TEST(pub_columns_statement)
{
    rec *R = rec_new();
    bd_col_rules rs;
    col_rules(&rs, "pay.flow.memo=mask:null");
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_pub_set_columns(p, &rs);
    bd_err err = {0};
    tev e;
    mk_query(&e, BD_EV_QUERY, "UPDATE flow SET memo = 'secret-value'", "pay", 1234);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_STATEMENT);
    ck_assert_msg(strstr(err.msg, "UPDATE of `pay`.`flow` logged as a statement at "
                                  "binlog.000001:1234") != NULL &&
                      !strstr(err.msg, "secret-value"),
                  "%s", err.msg);
    /* a table no rule touches keeps its SQL in the message */
    mk_query(&e, BD_EV_QUERY, "UPDATE cp SET name = 'n1'", "pay", 1300);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_msg(strstr(err.msg, "\"UPDATE cp SET name = 'n1'\"") != NULL, "%s", err.msg);
    bd_pub_free(p);
    bd_col_rules_release(&rs);
    rec_free(R);
}
END_TEST

START_TEST(pub_keys_rule_no_names)
{
    rec *R = rec_new();
    char *cols[] = {(char *)"seq"};
    bd_key_rule rule = {(char *)"pay.audit_*", cols, 1};
    bd_pub *p = pub_new(R, &rule, 1, 0, 0);
    bd_table *t = mk_table(74, "pay", "audit_x", "LVL", NULL, NULL, 0);
    bd_err err = {0};
    bd_value v[3] = {VI(42), VS("n"), VI(3)};
    bd_row r = mk_row(BD_OP_INSERT, t, NULL, v, 100, 0);
    ck_assert_int_eq(bd_pub_row(p, &r, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_SCHEMA);
    ck_assert_msg(strstr(err.msg, "`pay`.`audit_x`") && strstr(err.msg, "no column names"), "%s",
                  err.msg);
    ck_assert_uint_eq(R->n, 0);

    /* the same map without a rule: positional, by table */
    bd_pub *q = pub_new(R, NULL, 0, 0, 0);
    ROW_OK(q, &r);
    ck_assert_int_eq(bd_pub_finish(q, 1, &err), 0);
    ck_assert_uint_eq(R->n, 1);
    CHECK_MSG(R, 0, 'c', "pay.audit_x", BD_PUB_BY_TABLE, "pay.audit_x", NULL,
              "{\"op\":\"c\",\"db\":\"pay\",\"table\":\"audit_x\",\"before\":null,"
              "\"after\":{\"@1\":42,\"@2\":\"n\",\"@3\":3},\"positional\":true,"
              "\"signedness_unknown\":true," SRC(100, 0, null, true),
              1, 100, 0);
    bd_pub_free(q);
    bd_pub_free(p);
    bd_table_free(t);
    rec_free(R);
}
END_TEST

/* A table with a primary key ignores the rules. */
START_TEST(pub_keys_rule_pk_wins)
{
    rec *R = rec_new();
    char *cols[] = {(char *)"memo"};
    bd_key_rule rule = {(char *)"pay.*", cols, 1};
    bd_pub *p = pub_new(R, &rule, 1, 0, 0);
    bd_table *t = flow_table();
    bd_err err = {0};
    bd_value v[3] = {VI(3), VS("a"), VS("m")};
    bd_row r = mk_row(BD_OP_INSERT, t, NULL, v, 100, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 1);
    ck_assert_str_eq(R->m[0].key, "{\"id\":3}");
    ck_assert_int_eq(R->m[0].part, BD_PUB_BY_KEY);

    /* even a rule naming a column the table lacks */
    char *bad[] = {(char *)"nope"};
    bd_key_rule rule2 = {(char *)"pay.*", bad, 1};
    bd_pub *q = pub_new(R, &rule2, 1, 0, 0);
    ROW_OK(q, &r);
    ck_assert_int_eq(bd_pub_finish(q, 1, &err), 0);
    ck_assert_uint_eq(R->n, 2);
    ck_assert_str_eq(R->m[1].key, "{\"id\":3}");
    bd_pub_free(q);
    bd_pub_free(p);
    bd_table_free(t);
    rec_free(R);
}
END_TEST

/* The same table name, mapped again after a DDL reordered its columns. */
START_TEST(pub_keys_rule_remap)
{
    rec *R = rec_new();
    char *cols[] = {(char *)"account_id", (char *)"seq"};
    bd_key_rule rule = {(char *)"pay.audit_*", cols, 2};
    bd_pub *p = pub_new(R, &rule, 1, 0, 0);
    bd_err err = {0};
    bd_table *t1 = mk_table(74, "pay", "audit_x", "LVL", "account_id,note,seq", NULL, 0);
    bd_table *t2 = mk_table(75, "pay", "audit_x", "LLV", "seq,account_id,note", NULL, 0);
    bd_table *t3 = mk_table(76, "pay", "audit_x", "VLL", "note,seq,account_id", NULL, 0);

    /* different addresses */
    bd_value v1[3] = {VI(42), VS("n"), VI(3)};
    bd_row r = mk_row(BD_OP_INSERT, t1, NULL, v1, 100, 0);
    ROW_OK(p, &r);
    bd_value v2[3] = {VI(4), VI(43), VS("n")};
    r = mk_row(BD_OP_INSERT, t2, NULL, v2, 200, 0);
    ROW_OK(p, &r);
    /* the old map again */
    r = mk_row(BD_OP_INSERT, t1, NULL, v1, 300, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 3);
    ck_assert_str_eq(R->m[0].key, "{\"account_id\":42,\"seq\":3}");
    ck_assert_str_eq(R->m[1].key, "{\"account_id\":43,\"seq\":4}");
    ck_assert_str_eq(R->m[2].key, "{\"account_id\":42,\"seq\":3}");
    rec_clear(R);

    /* the same address: the decoder replaced the map in place */
    bd_table slot = *t1;
    r = mk_row(BD_OP_INSERT, &slot, NULL, v1, 400, 0);
    ROW_OK(p, &r);
    slot = *t3;
    bd_value v3[3] = {VS("n"), VI(5), VI(44)};
    r = mk_row(BD_OP_INSERT, &slot, NULL, v3, 500, 0);
    ROW_OK(p, &r);
    slot = *t2;
    r = mk_row(BD_OP_INSERT, &slot, NULL, v2, 600, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 3);
    ck_assert_str_eq(R->m[0].key, "{\"account_id\":42,\"seq\":3}");
    ck_assert_str_eq(R->m[1].key, "{\"account_id\":44,\"seq\":5}");
    ck_assert_str_eq(R->m[2].key, "{\"account_id\":43,\"seq\":4}");
    for (size_t i = 0; i < 3; i++)
        ck_assert_int_eq(R->m[i].part, BD_PUB_BY_KEY);
    rec_clear(R);

    /* a map that drops a key column: refused, then a good map works again */
    bd_table *t4 = mk_table(77, "pay", "audit_x", "LV", "account_id,note", NULL, 0);
    bd_value v4[2] = {VI(1), VS("q")};
    r = mk_row(BD_OP_INSERT, t4, NULL, v4, 700, 0);
    ck_assert_int_eq(bd_pub_row(p, &r, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_SCHEMA);
    ck_assert_msg(strstr(err.msg, "no column seq") != NULL, "%s", err.msg);
    r = mk_row(BD_OP_INSERT, t1, NULL, v1, 800, 0);
    ROW_OK(p, &r);
    /* a map that gained a primary key: the rule no longer applies */
    static const uint32_t pk[] = {1};
    bd_table *t5 = mk_table(78, "pay", "audit_x", "LVL", "account_id,note,seq", pk, 1);
    r = mk_row(BD_OP_INSERT, t5, NULL, v1, 900, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 2);
    ck_assert_str_eq(R->m[0].key, "{\"account_id\":42,\"seq\":3}");
    ck_assert_str_eq(R->m[1].key, "{\"note\":\"n\"}");
    /* one route for every map of the name */
    ck_assert_int_eq(R->route_calls, 1);

    bd_pub_free(p);
    bd_table_free(t1);
    bd_table_free(t2);
    bd_table_free(t3);
    bd_table_free(t4);
    bd_table_free(t5);
    rec_free(R);
}
END_TEST

/* ---- 5. TRUNCATE -------------------------------------------------------------- */

#define TRUNC_VALUE(db, tb, pos)                                                                   \
    "{\"op\":\"t\",\"db\":\"" db "\",\"table\":\"" tb                                              \
    "\",\"before\":null,\"after\":null," SRC(pos, 0, null, true)

START_TEST(pub_truncate)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 1, 0);
    bd_err err = {0};
    tev e;
    mk_ddl(&e, "TRUNCATE TABLE flow", "pay", 900);
    EV_OK(p, &e);
    ck_assert_uint_eq(R->n, 1);
    CHECK_MSG(R, 0, 't', "pay.flow", BD_PUB_ALL, "pay.flow", NULL, TRUNC_VALUE("pay", "flow", 900),
              1, 900, 0);
    json_t *j = parse_value(&R->m[0]);
    ck_assert_str_eq(jstr(j, "op"), "t");
    ck_assert_str_eq(jstr(j, "db"), "pay");
    ck_assert_str_eq(jstr(j, "table"), "flow");
    ck_assert(json_is_null(json_object_get(j, "before")));
    ck_assert(json_is_null(json_object_get(j, "after")));
    json_t *s = json_object_get(j, "source");
    ck_assert(json_is_object(s));
    ck_assert_str_eq(jstr(s, "flavor"), "mariadb");
    ck_assert_str_eq(jstr(s, "file"), "binlog.000001");
    ck_assert_int_eq(jint(s, "pos"), 900);
    ck_assert_int_eq(jint(s, "server_id"), 1);
    ck_assert_str_eq(jstr(s, "gtid"), "0-1-42");
    ck_assert_int_eq(jint(s, "row"), 0);
    ck_assert(json_is_null(json_object_get(s, "xid")));
    ck_assert(json_is_true(json_object_get(s, "last")));
    json_decref(j);
    CHECK_COUNTS(p, 0, 0, 0, 1, 0, 1);
    ck_assert_int_eq(bd_pub_holding(p), 0);
    bd_pub_free(p);
    rec_free(R);
}
END_TEST

START_TEST(pub_truncate_variants)
{
    static const struct {
        const char *q, *db, *table;
    } cases[] = {
        {"truncate `pay`.`flow`", "other", "flow"},
        {"TRUNCATE pay.flow", "", "flow"},
        {"Truncate Table flow", "pay", "flow"},
        {"/* cleanup */ TRUNCATE TABLE `flow`", "pay", "flow"},
        {"-- daily\nTRUNCATE TABLE pay.`flow` NOWAIT", "x", "flow"},
        {"/*!40000 TRUNCATE TABLE */ flow", "pay", "flow"},
        {"TRUNCATE\n\tTABLE\n pay . flow WAIT 5", "x", "flow"},
        {"TRUNCATE TABLE `a``b`", "pay", "a`b"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rec *R = rec_new();
        bd_pub *p = pub_new(R, NULL, 0, 0, 0);
        bd_err err = {0};
        tev e;
        mk_ddl(&e, cases[i].q, cases[i].db, 1000 + i);
        ck_assert_msg(bd_pub_event(p, &e.ev, &err) == 0, "%s: %s", cases[i].q, err.msg);
        ck_assert_msg(R->n == 1, "%s: %zu messages", cases[i].q, R->n);
        char tb[80];
        snprintf(tb, sizeof tb, "pay.%s", cases[i].table);
        ck_assert_str_eq(R->m[0].table, tb);
        ck_assert_str_eq(R->m[0].topic, tb);
        ck_assert_int_eq(R->m[0].part, BD_PUB_ALL);
        ck_assert_int_eq(R->m[0].op, 't');
        ck_assert_int_eq(R->m[0].last, 1);
        ck_assert_ptr_null(R->m[0].key);
        ck_assert_uint_eq(R->m[0].pos, 1000 + i);
        json_t *j = parse_value(&R->m[0]);
        ck_assert_str_eq(jstr(j, "db"), "pay");
        ck_assert_str_eq(jstr(j, "table"), cases[i].table);
        ck_assert_int_eq(jint(json_object_get(j, "source"), "pos"), (json_int_t)(1000 + i));
        json_decref(j);
        CHECK_COUNTS(p, 0, 0, 0, 1, 0, 1);
        bd_pub_free(p);
        rec_free(R);
    }
}
END_TEST

START_TEST(pub_truncate_unpublished)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_err err = {0};
    tev e;
    mk_ddl(&e, "TRUNCATE TABLE flow", "skip", 900);
    EV_OK(p, &e);
    mk_ddl(&e, "TRUNCATE TABLE pay.noise", "skip", 950);
    EV_OK(p, &e);
    ck_assert_uint_eq(R->n, 0);
    ck_assert_int_eq(R->route_calls, 2);

    /* a row held before a TRUNCATE of an unpublished table: released as
     * the last (the TRUNCATE commits) */
    bd_table *t = flow_table();
    bd_value v[3] = {VI(1), VS("a"), VN()};
    bd_row r = mk_row(BD_OP_INSERT, t, NULL, v, 1000, 0);
    ROW_OK(p, &r);
    mk_ddl(&e, "TRUNCATE TABLE flow", "skip", 1100);
    EV_OK(p, &e);
    ck_assert_uint_eq(R->n, 1);
    ck_assert_int_eq(R->m[0].op, 'c');
    ck_assert_int_eq(R->m[0].last, 1);
    CHECK_COUNTS(p, 1, 0, 0, 0, 0, 1);
    bd_pub_free(p);
    bd_table_free(t);
    rec_free(R);
}
END_TEST

START_TEST(pub_truncate_after_row)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 1, 0);
    bd_table *t = flow_table();
    bd_err err = {0};
    bd_value v[3] = {VI(1), VS("a"), VN()};
    bd_row r = mk_row(BD_OP_DELETE, t, v, NULL, 800, 0);
    ROW_OK(p, &r);
    tev e;
    mk_ddl(&e, "TRUNCATE TABLE flow", "pay", 900);
    EV_OK(p, &e);
    ck_assert_uint_eq(R->n, 3);
    CHECK_MSG(R, 0, 'd', "pay.flow", BD_PUB_BY_KEY, "pay.flow", "{\"id\":1}",
              "{\"op\":\"d\",\"db\":\"pay\",\"table\":\"flow\","
              "\"before\":{\"id\":1,\"amount\":\"a\",\"memo\":null},\"after\":null," SRC(
                  800, 0, null, true),
              1, 800, 0);
    CHECK_MSG(R, 1, 0, "pay.flow", BD_PUB_BY_KEY, "pay.flow", "{\"id\":1}", NULL, 1, 800, 0);
    CHECK_MSG(R, 2, 't', "pay.flow", BD_PUB_ALL, "pay.flow", NULL, TRUNC_VALUE("pay", "flow", 900),
              1, 900, 0);
    /* and rows after it */
    r = mk_row(BD_OP_INSERT, t, NULL, v, 1000, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 4);
    ck_assert_int_eq(R->m[3].op, 'c');
    CHECK_COUNTS(p, 2, 0, 0, 1, 0, 4);
    bd_pub_free(p);
    bd_table_free(t);
    rec_free(R);
}
END_TEST

/* A TRUNCATE whose table the classifier cannot name (tables_unknown, no
 * table listed).  stmt.h: "The caller must treat the statement as
 * changing every table."  A name of 30 CJK characters is a valid MariaDB
 * table name (64 characters at most) but 90 bytes, over the classifier's
 * 64-byte limit. */
START_TEST(pub_truncate_tables_unknown)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 1);
    bd_err err = {0};
    char q[300] = "TRUNCATE TABLE pay.`";
    for (int i = 0; i < 30; i++)
        strcat(q, "账");
    strcat(q, "`");
    tev e;
    mk_ddl(&e, q, "pay", 900);
    int rc = bd_pub_event(p, &e.ev, &err);
    /* as for any statement on tables it cannot name: on_statement is
     * asked (this recorder says stop), never passed over in silence */
    int calls = R->stmt_calls;
    size_t n = R->n;
    bd_pub_free(p); /* before the checks: no leak under CK_FORK=no */
    rec_free(R);
    ck_assert_int_eq(rc, -1);
    ck_assert_int_eq(err.code, BD_ERR_STATEMENT);
    ck_assert_int_eq(calls, 1);
    ck_assert_msg(rc == -1 || calls == 1 || n > 0,
                  "TRUNCATE of an unnamed table passed over silently: rc %d, %d on_statement "
                  "calls, %zu messages",
                  rc, calls, n);
}
END_TEST

/* ---- 6. statement-logged row changes --------------------------------------- */

START_TEST(pub_statement_stop)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 0); /* no on_statement: stop */
    bd_err err = {0};
    tev e;
    mk_query(&e, BD_EV_QUERY, "INSERT INTO flow VALUES (1)", "pay", 1234);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_STATEMENT);
    ck_assert_msg(strstr(err.msg, "INSERT of `pay`.`flow` logged as a statement at "
                                  "binlog.000001:1234: \"INSERT INTO flow VALUES (1)\"") != NULL,
                  "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "binlog_format=ROW") != NULL, "%s", err.msg);
    ck_assert_uint_eq(R->n, 0);

    /* on_statement that says stop */
    bd_pub *q = pub_new(R, NULL, 0, 0, 1);
    R->stmt_answer = 0;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(bd_pub_event(q, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_STATEMENT);
    ck_assert_int_eq(R->stmt_calls, 1);
    ck_assert_msg(strstr(err.msg, "`pay`.`flow`") && strstr(err.msg, "binlog.000001:1234"), "%s",
                  err.msg);
    CHECK_COUNTS(q, 0, 0, 0, 0, 0, 0);

    bd_pub_free(q);
    bd_pub_free(p);
    rec_free(R);
}
END_TEST

START_TEST(pub_statement_skip)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 1);
    R->stmt_answer = 1;
    bd_err err = {0};
    bd_table *t = flow_table();
    bd_value v[3] = {VI(1), VS("a"), VN()};
    bd_row r = mk_row(BD_OP_INSERT, t, NULL, v, 1000, 0);
    ROW_OK(p, &r);
    tev e;
    mk_query(&e, BD_EV_QUERY, "INSERT INTO flow VALUES (1)", "pay", 1234);
    EV_OK(p, &e);
    ck_assert_int_eq(R->stmt_calls, 1);
    ck_assert_str_eq(R->s_verb, "INSERT");
    ck_assert_str_eq(R->s_db, "pay");
    ck_assert_str_eq(R->s_table, "flow");
    ck_assert_str_eq(R->s_file, "binlog.000001");
    ck_assert_uint_eq(R->s_pos, 1234);
    ck_assert_int_eq(R->s_has_query, 1);
    ck_assert_str_eq(R->s_query, "INSERT INTO flow VALUES (1)");
    /* nothing emitted; the held row is still held */
    ck_assert_uint_eq(R->n, 0);
    ck_assert_int_eq(bd_pub_holding(p), 1);
    CHECK_COUNTS(p, 1, 0, 0, 0, 1, 0);
    mk_query(&e, BD_EV_QUERY, "DELETE FROM pay.flow WHERE id = 3", "", 1300);
    EV_OK(p, &e);
    ck_assert_int_eq(R->stmt_calls, 2);
    ck_assert_str_eq(R->s_verb, "DELETE");
    CHECK_COUNTS(p, 1, 0, 0, 0, 2, 0);
    bd_pub_free(p);
    bd_table_free(t);
    rec_free(R);
}
END_TEST

START_TEST(pub_statement_unpublished)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 1);
    R->stmt_answer = 0;
    bd_err err = {0};
    tev e;
    mk_query(&e, BD_EV_QUERY, "INSERT INTO flow VALUES (1)", "skip", 1234);
    EV_OK(p, &e);
    mk_query(&e, BD_EV_QUERY, "UPDATE noise SET a = 1", "pay", 1300);
    EV_OK(p, &e);
    /* statements that change no rows */
    mk_query(&e, BD_EV_QUERY, "CREATE TABLE flow2 (id INT PRIMARY KEY)", "pay", 1400);
    EV_OK(p, &e);
    mk_query(&e, BD_EV_QUERY, "ALTER TABLE flow ADD COLUMN x INT", "pay", 1500);
    EV_OK(p, &e);
    ck_assert_int_eq(R->stmt_calls, 0);
    ck_assert_uint_eq(R->n, 0);
    CHECK_COUNTS(p, 0, 0, 0, 0, 0, 0);
    bd_pub_free(p);
    rec_free(R);
}
END_TEST

/* lower_case_table_names: the maps name tables in lower case, statements
 * as typed; with fold_case they are routed by their lower-case names */
START_TEST(pub_statement_fold_case)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 1);
    R->stmt_answer = 0;
    bd_err err = {0};
    tev e;
    mk_query(&e, BD_EV_QUERY, "UPDATE PAY.FLOW SET amount = 0", "shop", 2050);
    /* as typed, PAY is not a published database */
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), 0);
    ck_assert_int_eq(R->stmt_calls, 0);
    bd_pub_set_fold_case(p, 1);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_STATEMENT);
    ck_assert_str_eq(R->s_db, "pay");
    ck_assert_str_eq(R->s_table, "flow");
    /* a TRUNCATE goes to the table's own topic */
    R->stmt_answer = 1;
    mk_query(&e, BD_EV_QUERY, "TRUNCATE TABLE Flow", "PAY", 2060);
    e.ev.ends_txn = 1;
    e.ev.is_ddl = 1;
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), 0);
    ck_assert_uint_eq(R->n, 1);
    ck_assert_str_eq(R->m[0].topic, "pay.flow");
    bd_pub_free(p);
    rec_free(R);
}
END_TEST

START_TEST(pub_statement_join)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 1);
    R->stmt_answer = 0;
    bd_err err = {0};
    tev e;
    mk_query(&e, BD_EV_QUERY, "UPDATE a JOIN pay.flow f ON f.id = a.id SET f.amount = a.x", "shop",
             2000);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_STATEMENT);
    ck_assert_int_eq(R->stmt_calls, 1);
    ck_assert_str_eq(R->s_verb, "UPDATE");
    ck_assert_str_eq(R->s_db, "pay");
    ck_assert_str_eq(R->s_table, "flow");
    ck_assert_msg(strstr(err.msg, "UPDATE of `pay`.`flow` logged as a statement at "
                                  "binlog.000001:2000") != NULL,
                  "%s", err.msg);
    bd_pub_free(p);
    rec_free(R);
}
END_TEST

START_TEST(pub_statement_unknown_tables)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 1);
    R->stmt_answer = 0;
    bd_err err = {0};
    tev e;
    mk_query(&e, BD_EV_QUERY, "SELECT f()", "skip", 2100);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_STATEMENT);
    ck_assert_int_eq(R->stmt_calls, 1);
    ck_assert_str_eq(R->s_verb, "SELECT");
    ck_assert_str_eq(R->s_db, "");
    ck_assert_str_eq(R->s_table, "");
    ck_assert_str_eq(R->s_query, "SELECT f()");
    ck_assert_msg(strstr(err.msg, "SELECT logged as a statement at binlog.000001:2100, changing "
                                  "tables that cannot be named from it: \"SELECT f()\"") != NULL,
                  "%s", err.msg);
    /* skipped when on_statement says so */
    R->stmt_answer = 1;
    mk_query(&e, BD_EV_QUERY, "CALL p()", "skip", 2200);
    EV_OK(p, &e);
    ck_assert_int_eq(R->stmt_calls, 2);
    ck_assert_str_eq(R->s_verb, "CALL");
    CHECK_COUNTS(p, 0, 0, 0, 0, 1, 0);
    bd_pub_free(p);
    rec_free(R);
}
END_TEST

START_TEST(pub_statement_load)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 1);
    R->stmt_answer = 0;
    bd_err err = {0};
    tev e;
    const char *q = "LOAD DATA INFILE '/tmp/SQL_LOAD-1-2-3.data' INTO TABLE `flow` FIELDS "
                    "TERMINATED BY ','";
    mk_query(&e, BD_EV_EXECUTE_LOAD_QUERY, q, "pay", 2300);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_STATEMENT);
    ck_assert_str_eq(R->s_verb, "LOAD DATA");
    ck_assert_str_eq(R->s_db, "pay");
    ck_assert_str_eq(R->s_table, "flow");
    ck_assert_str_eq(R->s_query, q);
    ck_assert_uint_eq(R->s_pos, 2300);
    /* of an unpublished table */
    mk_query(&e, BD_EV_EXECUTE_LOAD_QUERY, q, "skip", 2400);
    EV_OK(p, &e);
    ck_assert_int_eq(R->stmt_calls, 1);
    /* a MariaDB compressed QUERY (the decoder hands it uncompressed) */
    mk_query(&e, BD_EV_MARIA_QUERY_COMPRESSED, "REPLACE INTO flow VALUES (2)", "pay", 2500);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_STATEMENT);
    ck_assert_str_eq(R->s_verb, "REPLACE");
    ck_assert_int_eq(R->stmt_calls, 2);
    /* ALTER TABLE ... TRUNCATE PARTITION removes rows */
    mk_ddl(&e, "ALTER TABLE flow TRUNCATE PARTITION p0", "pay", 2600);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_STATEMENT);
    ck_assert_str_eq(R->s_verb, "ALTER TABLE ... TRUNCATE PARTITION");
    ck_assert_str_eq(R->s_table, "flow");
    ck_assert_uint_eq(R->n, 0);
    bd_pub_free(p);
    rec_free(R);
}
END_TEST

/* The statement's sql_mode decides how it is lexed: with ANSI_QUOTES,
 * "flow" is a name. */
START_TEST(pub_statement_sql_mode)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 1);
    R->stmt_answer = 0;
    bd_err err = {0};
    tev e;
    mk_ddl(&e, "TRUNCATE TABLE \"flow\"", "pay", 100);
    e.ev.sql_mode = 0x4; /* MODE_ANSI_QUOTES */
    EV_OK(p, &e);
    ck_assert_uint_eq(R->n, 1);
    CHECK_MSG(R, 0, 't', "pay.flow", BD_PUB_ALL, "pay.flow", NULL, TRUNC_VALUE("pay", "flow", 100),
              1, 100, 0);
    mk_query(&e, BD_EV_QUERY, "UPDATE \"flow\" SET a = 1", "pay", 200);
    e.ev.sql_mode = 0x4;
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_STATEMENT);
    ck_assert_str_eq(R->s_db, "pay");
    ck_assert_str_eq(R->s_table, "flow");
    /* NO_BACKSLASH_ESCAPES: the string ends at the second quote; the
     * published table after it is seen */
    mk_query(&e, BD_EV_QUERY,
             "INSERT INTO skip.x SELECT 'a\\', f.id FROM pay.flow f WHERE 'b' = 'b'", "skip", 300);
    e.ev.sql_mode = 0x100000;
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), 0); /* INSERT ... SELECT changes skip.x only */
    ck_assert_int_eq(R->stmt_calls, 1);
    /* without the mode the backslash escapes the quote: the text ends
     * inside a string, the tables are unknown, and it stops */
    e.ev.sql_mode = 0;
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_STATEMENT);
    ck_assert_int_eq(R->stmt_calls, 2);
    ck_assert_str_eq(R->s_table, "");
    bd_pub_free(p);
    rec_free(R);
}
END_TEST

/* The client's charset decides how strings are lexed: in GBK, 0x95 0x5C
 * is one character, its second byte no backslash. */
START_TEST(pub_statement_charset)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 1);
    R->stmt_answer = 0;
    bd_err err = {0};
    tev e;
    mk_query(&e, BD_EV_QUERY,
             "INSERT INTO skip.x SELECT '\x95\x5c', f.id FROM pay.flow f WHERE 'b' = 'b'", "skip",
             100);
    e.ev.charset_client = 28; /* gbk_chinese_ci */
    EV_OK(p, &e);             /* INSERT ... SELECT changes skip.x only */
    ck_assert_int_eq(R->stmt_calls, 0);
    /* charset unknown: the backslash escapes the quote, the text ends
     * inside a string, the tables are unknown: stop */
    e.ev.charset_client = 0;
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_STATEMENT);
    ck_assert_int_eq(R->stmt_calls, 1);
    /* utf8mb4: the same */
    e.ev.charset_client = 45;
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(R->stmt_calls, 2);
    bd_pub_free(p);
    rec_free(R);
}
END_TEST

/* LOAD DATA as the oldest servers logged it: the tables are not named. */
START_TEST(pub_statement_old_load)
{
    static const uint8_t types[] = {BD_EV_LOAD, BD_EV_NEW_LOAD, BD_EV_EXEC_LOAD};
    for (size_t i = 0; i < 3; i++) {
        rec *R = rec_new();
        bd_pub *p = pub_new(R, NULL, 0, 0, 1);
        R->stmt_answer = 0;
        bd_err err = {0};
        tev e;
        mk_event(&e, types[i], 3000 + i);
        ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
        ck_assert_int_eq(err.code, BD_ERR_STATEMENT);
        ck_assert_int_eq(R->stmt_calls, 1);
        ck_assert_str_eq(R->s_verb, "LOAD DATA");
        ck_assert_str_eq(R->s_db, "");
        ck_assert_str_eq(R->s_table, "");
        ck_assert_int_eq(R->s_has_query, 0);
        ck_assert_uint_eq(R->s_pos, 3000 + i);
        char want[128];
        snprintf(want, sizeof want,
                 "LOAD DATA logged as a statement at binlog.000001:%zu, changing tables that "
                 "cannot be named from it",
                 3000 + i);
        ck_assert_msg(strstr(err.msg, want) != NULL, "%s", err.msg);
        /* skipped */
        R->stmt_answer = 1;
        EV_OK(p, &e);
        CHECK_COUNTS(p, 0, 0, 0, 0, 1, 0);
        ck_assert_uint_eq(R->n, 0);
        bd_pub_free(p);
        rec_free(R);
    }
    /* CREATE_FILE (the data of an old LOAD) and other events: nothing */
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_err err = {0};
    tev e;
    mk_event(&e, BD_EV_CREATE_FILE, 3100);
    EV_OK(p, &e);
    mk_event(&e, BD_EV_QUERY, 3200); /* a QUERY without text */
    EV_OK(p, &e);
    ck_assert_int_eq(R->route_calls, 0);
    bd_pub_free(p);
    rec_free(R);
}
END_TEST

START_TEST(pub_statement_text)
{
    char buf[600];
    bd_pub_statement s = {"UPDATE", "pay", "flow", "binlog.000003", 1234, "UPDATE flow\n\tSET a=1",
                          20};
    bd_pub_statement_text(&s, buf, sizeof buf);
    ck_assert_str_eq(buf, "UPDATE of `pay`.`flow` logged as a statement at binlog.000003:1234: "
                          "\"UPDATE flow  SET a=1\"");
    /* no query */
    s.query = NULL;
    s.query_len = 0;
    bd_pub_statement_text(&s, buf, sizeof buf);
    ck_assert_str_eq(buf, "UPDATE of `pay`.`flow` logged as a statement at binlog.000003:1234");
    /* cut to 200 bytes, not inside a UTF-8 sequence */
    char q[400];
    memset(q, 'x', 199);
    memcpy(q + 199, "账", 3); /* bytes 199..201 */
    memset(q + 202, 'y', 50);
    s.query = q;
    s.query_len = 252;
    bd_pub_statement_text(&s, buf, sizeof buf);
    char want[600];
    snprintf(want, sizeof want,
             "UPDATE of `pay`.`flow` logged as a statement at binlog.000003:1234: \"%.*s...\"", 199,
             q);
    ck_assert_str_eq(buf, want);
    /* exactly 200 bytes: not cut */
    s.query_len = 200;
    memset(q, 'z', 200);
    bd_pub_statement_text(&s, buf, sizeof buf);
    snprintf(want, sizeof want,
             "UPDATE of `pay`.`flow` logged as a statement at binlog.000003:1234: \"%.*s\"", 200,
             q);
    ck_assert_str_eq(buf, want);
    /* unnamed tables */
    bd_pub_statement u = {"CALL", "", "", "binlog.000003", 99, "CALL p()", 8};
    bd_pub_statement_text(&u, buf, sizeof buf);
    ck_assert_str_eq(buf, "CALL logged as a statement at binlog.000003:99, changing tables that "
                          "cannot be named from it: \"CALL p()\"");
    /* a small buffer: cut, terminated */
    bd_pub_statement_text(&u, buf, 10);
    ck_assert_str_eq(buf, "CALL logg");
}
END_TEST

/* The longest statement message: a database and a table name of 64
 * bytes each (valid names), a statement cut to 200 bytes.  The error must
 * still name the statement, the table, file:pos and the fix. */
START_TEST(pub_statement_message_long)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_err err = {0};
    char db[65], tb[65];
    memset(db, 'd', 64);
    memcpy(db, "pay", 3); /* published */
    db[64] = '\0';
    memset(tb, 't', 64);
    tb[64] = '\0';
    char q[400];
    snprintf(q, sizeof q, "INSERT INTO %s.%s VALUES ", db, tb);
    size_t l = strlen(q);
    memset(q + l, '1', sizeof q - l - 1);
    q[sizeof q - 1] = '\0';
    tev e;
    mk_query(&e, BD_EV_QUERY, q, "", 123456789);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_STATEMENT);
    /* the fix comes first, the statement (cut) last: nothing that matters
     * is lost to the 512-byte message */
    const char *fix = "row change logged as a statement, without its rows: stopped before it "
                      "(fix: binlog_format=ROW for every session): ";
    ck_assert_msg(strstr(err.msg, fix) == err.msg, "%s", err.msg);
    char head[200];
    snprintf(head, sizeof head,
             "INSERT of `%s`.`%s` logged as a statement at binlog.000001:123456789", db, tb);
    ck_assert_msg(strstr(err.msg, head) == err.msg + strlen(fix), "%s", err.msg);
    bd_pub_free(p);
    rec_free(R);
    /* the statement itself follows, as much of it as fits */
    ck_assert_msg(strstr(err.msg, ": \"INSERT INTO pay") != NULL, "%s", err.msg);
}
END_TEST

/* ---- 7. routing --------------------------------------------------------------- */

START_TEST(pub_route_once)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_err err = {0};
    bd_table *flow = flow_table();
    bd_table *acct = mk_table(81, "pay", "acct", "L", "id", PK0, 1);
    bd_table *other = mk_table(82, "skip", "flow", "L", "id", PK0, 1);
    bd_value v3[3] = {VI(1), VS("a"), VN()};
    bd_value v1[1] = {VI(2)};
    bd_row rf = mk_row(BD_OP_INSERT, flow, NULL, v3, 100, 0);
    bd_row ra = mk_row(BD_OP_INSERT, acct, NULL, v1, 200, 0);
    bd_row ro = mk_row(BD_OP_INSERT, other, NULL, v1, 300, 0);
    for (int i = 0; i < 3; i++) {
        ROW_OK(p, &rf);
        ROW_OK(p, &ra);
        ck_assert_int_eq(bd_pub_row(p, &ro, &err), 0);
    }
    ck_assert_int_eq(R->route_calls, 3);
    const bd_pub_route *rt = bd_pub_route_of(p, flow, &err);
    ck_assert_ptr_nonnull(rt);
    ck_assert_int_eq(rt->wanted, 1);
    ck_assert_str_eq(rt->topic, "pay.flow");
    ck_assert_ptr_eq(rt->user, &R->user_tag);
    rt = bd_pub_route_of(p, other, &err);
    ck_assert_ptr_nonnull(rt);
    ck_assert_int_eq(rt->wanted, 0);
    ck_assert_int_eq(R->route_calls, 3);
    /* statements and TRUNCATE use the same cache */
    tev e;
    mk_ddl(&e, "TRUNCATE TABLE acct", "pay", 400);
    EV_OK(p, &e);
    ck_assert_int_eq(R->route_calls, 3);

    bd_pub_reroute(p);
    ROW_OK(p, &rf);
    ROW_OK(p, &rf);
    ck_assert_int_eq(R->route_calls, 4);
    ck_assert_str_eq(R->last_routed, "pay.flow");
    ck_assert_int_eq(bd_pub_row(p, &ro, &err), 0);
    ck_assert_int_eq(R->route_calls, 5);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    /* 8 published rows + the TRUNCATE */
    ck_assert_uint_eq(R->n, 9);
    CHECK_COUNTS(p, 8, 4, 0, 1, 0, 9);
    bd_pub_free(p);
    bd_table_free(flow);
    bd_table_free(acct);
    bd_table_free(other);
    rec_free(R);
}
END_TEST

/* More tables than the cache has slots, interleaved, published or not. */
START_TEST(pub_route_many)
{
    enum { NT = 150 };
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_err err = {0};
    bd_table *t[NT];
    for (int i = 0; i < NT; i++) {
        char name[16];
        snprintf(name, sizeof name, "t%d", i);
        /* every third table in db skip: not published */
        t[i] = mk_table(1000 + (uint64_t)i, i % 3 == 2 ? "skip" : "pay", name, "L", "id", PK0, 1);
    }
    size_t published = 0, filtered = 0;
    for (int round = 0; round < 4; round++)
        for (int k = 0; k < NT; k++) {
            int i = (k * 7 + round * 13) % NT; /* interleaved */
            bd_value v[1] = {VI(i)};
            bd_row r = mk_row(BD_OP_INSERT, t[i], NULL, v, 100 + (uint64_t)i, (uint32_t)round);
            size_t before = R->n;
            int rc = bd_pub_row(p, &r, &err);
            ck_assert_int_eq(rc, i % 3 == 2 ? 0 : 1);
            if (rc) {
                published++;
                ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
                ck_assert_uint_eq(R->n, before + 1);
                char want[32];
                snprintf(want, sizeof want, "pay.t%d", i);
                ck_assert_str_eq(R->m[before].topic, want);
                ck_assert_str_eq(R->m[before].table, want);
                char key[32];
                snprintf(key, sizeof key, "{\"id\":%d}", i);
                ck_assert_str_eq(R->m[before].key, key);
                ck_assert_uint_eq(R->m[before].pos, 100 + (uint64_t)i);
            } else {
                filtered++;
                ck_assert_uint_eq(R->n, before);
            }
            const bd_pub_route *rt = bd_pub_route_of(p, t[i], &err);
            ck_assert_ptr_nonnull(rt);
            ck_assert_int_eq(rt->wanted, i % 3 != 2);
        }
    /* every name routed at least once, and the cache kept some */
    ck_assert_int_ge(R->route_calls, NT);
    ck_assert_int_lt(R->route_calls, 4 * NT);
    CHECK_COUNTS(p, published, filtered, 0, 0, 0, published);
    ck_assert_uint_eq(published, 4 * 100);
    for (int i = 0; i < NT; i++)
        bd_table_free(t[i]);
    bd_pub_free(p);
    rec_free(R);
}
END_TEST

START_TEST(pub_route_fail)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 1);
    bd_err err = {0};
    bd_table *t = flow_table();
    bd_value v[3] = {VI(1), VS("a"), VN()};
    R->route_fail = 1;
    bd_row r = mk_row(BD_OP_INSERT, t, NULL, v, 100, 0);
    ck_assert_int_eq(bd_pub_row(p, &r, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    ck_assert_str_eq(err.msg, "route refused pay.flow");
    ck_assert_ptr_null(bd_pub_route_of(p, t, &err));
    tev e;
    mk_ddl(&e, "TRUNCATE TABLE flow", "pay", 200);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    mk_query(&e, BD_EV_QUERY, "INSERT INTO flow VALUES (1)", "pay", 300);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    ck_assert_int_eq(R->stmt_calls, 0);
    /* a failed route is not cached: asked again, then fine */
    int calls = R->route_calls;
    R->route_fail = 0;
    ROW_OK(p, &r);
    ck_assert_int_eq(R->route_calls, calls + 1);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 1);
    bd_pub_free(p);
    bd_table_free(t);
    rec_free(R);
}
END_TEST

/* ---- 8. emit failing ---------------------------------------------------------- */

START_TEST(pub_emit_fail)
{
    bd_table *t = flow_table();
    bd_value v1[3] = {VI(1), VS("a"), VN()};
    bd_value v2[3] = {VI(2), VS("a"), VN()};
    tev e;

    /* the held row released by the next row */
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 1, 0);
    bd_err err = {0};
    R->emit_fail_at = 0;
    bd_row r = mk_row(BD_OP_INSERT, t, NULL, v1, 100, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_row(p, &r, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    ck_assert_str_eq(err.msg, "emit stopped at pay.flow");
    bd_pub_free(p);
    rec_free(R);

    /* the held row released by an XID */
    R = rec_new();
    p = pub_new(R, NULL, 0, 1, 0);
    memset(&err, 0, sizeof err);
    R->emit_fail_at = 0;
    ROW_OK(p, &r);
    mk_xid(&e, 200, 5);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    bd_pub_free(p);
    rec_free(R);

    /* the delete of a key change */
    R = rec_new();
    p = pub_new(R, NULL, 0, 0, 0);
    memset(&err, 0, sizeof err);
    R->emit_fail_at = 0;
    r = mk_row(BD_OP_UPDATE, t, v1, v2, 300, 0);
    ck_assert_int_eq(bd_pub_row(p, &r, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    bd_pub_free(p);
    rec_free(R);

    /* the tombstone after a delete */
    R = rec_new();
    p = pub_new(R, NULL, 0, 1, 0);
    memset(&err, 0, sizeof err);
    R->emit_fail_at = 1;
    r = mk_row(BD_OP_DELETE, t, v1, NULL, 400, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    ck_assert_uint_eq(R->n, 1);
    bd_pub_free(p);
    rec_free(R);

    /* a TRUNCATE; and a row before it */
    R = rec_new();
    p = pub_new(R, NULL, 0, 0, 0);
    memset(&err, 0, sizeof err);
    R->emit_fail_at = 0;
    mk_ddl(&e, "TRUNCATE TABLE flow", "pay", 500);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    R->emit_fail_at = 1;
    R->emit_calls = 0;
    r = mk_row(BD_OP_INSERT, t, NULL, v1, 600, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    ck_assert_uint_eq(R->n, 1);
    ck_assert_int_eq(R->m[0].op, 'c');
    bd_pub_free(p);
    rec_free(R);

    /* finish; and a transaction that begins */
    R = rec_new();
    p = pub_new(R, NULL, 0, 0, 0);
    memset(&err, 0, sizeof err);
    R->emit_fail_at = 0;
    r = mk_row(BD_OP_INSERT, t, NULL, v1, 700, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 0, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    R->emit_fail_at = 0;
    R->emit_calls = 0;
    ROW_OK(p, &r);
    mk_event(&e, BD_EV_GTID, 800);
    e.ev.begins_txn = 1;
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    /* a row that commits on its own */
    R->emit_fail_at = 0;
    R->emit_calls = 0;
    r.ends_txn = 1;
    ck_assert_int_eq(bd_pub_row(p, &r, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    ck_assert_uint_eq(R->n, 0);
    bd_pub_free(p);
    rec_free(R);

    bd_table_free(t);
}
END_TEST

/* Names over 64 bytes: refused with a message, not cut. */
START_TEST(pub_route_long_name)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_err err = {0};
    char tb[70];
    memset(tb, 'n', 65);
    tb[65] = '\0';
    bd_table *t = mk_table(90, "pay", tb, "L", "id", PK0, 1);
    bd_value v[1] = {VI(1)};
    bd_row r = mk_row(BD_OP_INSERT, t, NULL, v, 100, 0);
    ck_assert_int_eq(bd_pub_row(p, &r, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_SCHEMA);
    ck_assert_msg(strstr(err.msg, "longer than 64 bytes") != NULL, "%s", err.msg);
    ck_assert_int_eq(R->route_calls, 0);
    /* 64 bytes: fine */
    tb[64] = '\0';
    bd_table *u = mk_table(91, "pay", tb, "L", "id", PK0, 1);
    r = mk_row(BD_OP_INSERT, u, NULL, v, 200, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 1);
    char want[80];
    snprintf(want, sizeof want, "pay.%s", tb);
    ck_assert_str_eq(R->m[0].table, want);
    ck_assert_str_eq(R->m[0].topic, want);
    bd_pub_free(p);
    bd_table_free(t);
    bd_table_free(u);
    rec_free(R);
}
END_TEST

/* A transaction of many rows over two tables with every kind of change;
 * the counts add up, and only the very last message is last. */
START_TEST(pub_counts)
{
    rec *R = rec_new();
    bd_pub *p = pub_new(R, NULL, 0, 1, 1);
    R->stmt_answer = 1;
    bd_err err = {0};
    bd_table *t = flow_table();
    bd_table *s = mk_table(83, "skip", "x", "L", "id", PK0, 1);
    bd_value a[3] = {VI(1), VS("a"), VN()}, b[3] = {VI(2), VS("a"), VN()},
             c[3] = {VI(2), VS("b"), VN()};
    bd_value sv[1] = {VI(1)};
    bd_row rows[] = {
        mk_row(BD_OP_INSERT, t, NULL, a, 100, 0), mk_row(BD_OP_INSERT, s, NULL, sv, 150, 0),
        mk_row(BD_OP_UPDATE, t, a, b, 200, 0),    mk_row(BD_OP_UPDATE, t, b, c, 200, 1),
        mk_row(BD_OP_DELETE, t, c, NULL, 300, 0), mk_row(BD_OP_DELETE, s, sv, NULL, 350, 0),
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        ck_assert_int_eq(bd_pub_row(p, &rows[i], &err), rows[i].table == t);
    tev e;
    mk_query(&e, BD_EV_QUERY, "UPDATE flow SET memo = 'x'", "pay", 360);
    EV_OK(p, &e);
    mk_xid(&e, 400, 99);
    EV_OK(p, &e);
    /* c, d(1), tomb, c(2), u, d(2), tomb */
    ck_assert_uint_eq(R->n, 7);
    static const char ops[] = {'c', 'd', 0, 'c', 'u', 'd', 0};
    for (size_t i = 0; i < 7; i++) {
        ck_assert_int_eq(R->m[i].op, ops[i]);
        ck_assert_int_eq(R->m[i].last, i >= 5);
    }
    ck_assert_ptr_nonnull(strstr(R->m[5].value, SRC(300, 0, 99, true)));
    mk_ddl(&e, "TRUNCATE flow", "pay", 500);
    EV_OK(p, &e);
    CHECK_COUNTS(p, 4, 2, 1, 1, 1, 8);
    bd_pub_free(p);
    bd_table_free(t);
    bd_table_free(s);
    rec_free(R);
}
END_TEST

/* ---- 9. transaction framing (ops.begin, ops.end) with a fake sink ---------- */

/* What the fake sink saw, in order: begins, messages and ends. */
typedef struct tr_item {
    char kind; /* 'B' begin, 'M' message, 'E' end */
    char file[64];
    uint64_t pos; /* B: where it begins; E: the position after it; M: its row event's */
    uint64_t no;  /* B, E */
    int skipped;  /* E */
    char gtid[160];
    size_t msg; /* M: its index in R->m */
} tr_item;

#define MAXTR 512

typedef struct fsink {
    rec *R;
    tr_item t[MAXTR];
    size_t n;
    int answer[64]; /* begin's answer for the transaction numbered no; -1: stop */
} fsink;

static tr_item *fs_next(fsink *F, char kind)
{
    ck_assert_uint_lt(F->n, MAXTR);
    tr_item *x = &F->t[F->n++];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    return x;
}

static void fs_txn(tr_item *x, const bd_pub_txn *t)
{
    ck_assert(t->file != NULL);
    snprintf(x->file, sizeof x->file, "%s", t->file);
    x->pos = t->pos;
    x->no = t->no;
    snprintf(x->gtid, sizeof x->gtid, "%s", t->txn && t->txn->has_gtid ? t->txn->gtid : "");
}

static int fs_route(void *ctx, const char *db, size_t dbn, const char *table, size_t tn,
                    bd_pub_route *r, bd_err *err)
{
    return route_cb(((fsink *)ctx)->R, db, dbn, table, tn, r, err);
}

static int fs_emit(void *ctx, const bd_pub_msg *m, bd_err *err)
{
    fsink *F = ctx;
    size_t i = F->R->n;
    if (emit_cb(F->R, m, err) < 0) return -1;
    tr_item *x = fs_next(F, 'M');
    x->msg = i;
    x->pos = m->pos;
    return 0;
}

static int fs_stmt(void *ctx, const bd_pub_statement *s) { return stmt_cb(((fsink *)ctx)->R, s); }

static int fs_begin(void *ctx, const bd_pub_txn *t, bd_err *err)
{
    fsink *F = ctx;
    fs_txn(fs_next(F, 'B'), t);
    int a = t->no < 64 ? F->answer[t->no] : 0;
    if (a < 0)
        return bd_err_set(err, BD_ERR_CALLBACK, "begin refused transaction %llu",
                          (unsigned long long)t->no);
    return a;
}

static int fs_end(void *ctx, const bd_pub_txn *t, int skipped, bd_err *err)
{
    (void)err;
    fsink *F = ctx;
    tr_item *x = fs_next(F, 'E');
    fs_txn(x, t);
    x->skipped = skipped;
    return 0;
}

static fsink *fs_new(void)
{
    fsink *F = calloc(1, sizeof *F);
    ck_assert(F != NULL);
    F->R = rec_new();
    return F;
}

static void fs_free(fsink *F)
{
    rec_free(F->R);
    free(F);
}

static bd_pub *fs_pub(fsink *F, int tombstones)
{
    bd_pub_opts o = {NULL, 0, tombstones};
    bd_pub_ops ops = {F, fs_route, fs_emit, fs_stmt, fs_begin, fs_end};
    bd_pub *p = bd_pub_new(&o, &ops);
    ck_assert(p != NULL);
    return p;
}

static void check_tr(int line, const fsink *F, size_t i, char kind, uint64_t pos)
{
    ck_assert_msg(i < F->n, "line %d: item %zu of %zu", line, i, F->n);
    const tr_item *x = &F->t[i];
    ck_assert_msg(x->kind == kind, "line %d: item %zu is '%c', want '%c'", line, i, x->kind, kind);
    ck_assert_msg(x->pos == pos, "line %d: item %zu ('%c') pos %llu, want %llu", line, i, kind,
                  (unsigned long long)x->pos, (unsigned long long)pos);
}

/* A begin at pos, of transaction no */
static void check_b(int line, const fsink *F, size_t i, uint64_t pos, uint64_t no)
{
    check_tr(line, F, i, 'B', pos);
    const tr_item *x = &F->t[i];
    ck_assert_msg(x->no == no, "line %d: begin %zu no %llu, want %llu", line, i,
                  (unsigned long long)x->no, (unsigned long long)no);
    ck_assert_msg(!strcmp(x->file, FILE1), "line %d: begin %zu file %s", line, i, x->file);
    ck_assert_msg(!strcmp(x->gtid, "0-1-42"), "line %d: begin %zu gtid %s", line, i, x->gtid);
}

/* An end with the position after the transaction */
static void check_e(int line, const fsink *F, size_t i, uint64_t pos, uint64_t no, int skipped)
{
    check_tr(line, F, i, 'E', pos);
    const tr_item *x = &F->t[i];
    ck_assert_msg(x->no == no, "line %d: end %zu no %llu, want %llu", line, i,
                  (unsigned long long)x->no, (unsigned long long)no);
    ck_assert_msg(x->skipped == skipped, "line %d: end %zu skipped %d, want %d", line, i,
                  x->skipped, skipped);
    ck_assert_msg(!strcmp(x->file, FILE1), "line %d: end %zu file %s", line, i, x->file);
    ck_assert_msg(!strcmp(x->gtid, "0-1-42"), "line %d: end %zu gtid %s", line, i, x->gtid);
}

/* A message of op at pos, last or not */
static void check_m(int line, const fsink *F, size_t i, uint64_t pos, char op, int last)
{
    check_tr(line, F, i, 'M', pos);
    const rmsg *m = &F->R->m[F->t[i].msg];
    ck_assert_msg(m->op == op, "line %d: item %zu op '%c', want '%c'", line, i, m->op ? m->op : '0',
                  op ? op : '0');
    ck_assert_msg(m->last == last, "line %d: item %zu last %d, want %d", line, i, m->last, last);
}
#define CHECK_B(F, i, ...) check_b(__LINE__, F, i, __VA_ARGS__)
#define CHECK_E(F, i, ...) check_e(__LINE__, F, i, __VA_ARGS__)
#define CHECK_M(F, i, ...) check_m(__LINE__, F, i, __VA_ARGS__)

/* The position after an event: its header's log_pos, but inside a
 * TRANSACTION_PAYLOAD (inner > 0) the payload's own position. */
START_TEST(pub_pos_after)
{
    bd_header h = g_hdr;
    bd_pos pos = mk_pos(400);
    h.log_pos = 431;
    ck_assert_uint_eq(bd_pub_pos_after(&pos, &h), 431);
    pos.inner = 3; /* whatever log_pos says */
    ck_assert_uint_eq(bd_pub_pos_after(&pos, &h), 400);
    h.log_pos = 0;
    ck_assert_uint_eq(bd_pub_pos_after(&pos, &h), 400);
    /* no log_pos (an artificial event), or one that is not after it */
    pos.inner = 0;
    ck_assert_uint_eq(bd_pub_pos_after(&pos, &h), 400);
    h.log_pos = 400;
    ck_assert_uint_eq(bd_pub_pos_after(&pos, &h), 400);
    h.log_pos = 120;
    ck_assert_uint_eq(bd_pub_pos_after(&pos, &h), 400);
}
END_TEST

START_TEST(pub_framing)
{
    fsink *F = fs_new();
    rec *R = F->R;
    bd_pub *p = fs_pub(F, 0);
    bd_table *t = flow_table();
    bd_table *acct = mk_table(81, "pay", "acct", "L", "id", PK0, 1);
    bd_err err = {0};
    bd_value v1[3] = {VI(1), VS("a"), VN()};
    bd_value v2[3] = {VI(2), VS("b"), VN()};
    bd_value va[1] = {VI(9)};
    bd_header h = g_hdr;
    tev e;
    bd_row r;

    ck_assert_int_eq(bd_pub_in_txn(p), 0);
    ck_assert_int_eq(bd_pub_skipping(p), 0);

    /* 1. GTID, two rows, XID: begins at the GTID, ends after the XID */
    mk_event(&e, BD_EV_GTID, 100);
    e.h.log_pos = 160;
    e.ev.begins_txn = 1;
    EV_OK(p, &e);
    ck_assert_int_eq(bd_pub_in_txn(p), 1);
    ck_assert_int_eq(bd_pub_skipping(p), 0);
    ck_assert_uint_eq(F->n, 1);
    CHECK_B(F, 0, 100, 1);
    h.log_pos = 300;
    r = mk_row(BD_OP_INSERT, t, NULL, v1, 200, 0);
    r.header = &h;
    ROW_OK(p, &r);
    r = mk_row(BD_OP_INSERT, t, NULL, v2, 200, 1);
    r.header = &h;
    ROW_OK(p, &r);
    ck_assert_uint_eq(F->n, 2); /* the second row is held */
    CHECK_M(F, 1, 200, 'c', 0);
    mk_xid(&e, 300, 41);
    e.h.log_pos = 331;
    EV_OK(p, &e);
    ck_assert_int_eq(bd_pub_in_txn(p), 0);
    ck_assert_uint_eq(F->n, 4);
    /* the last message, then the end */
    CHECK_M(F, 2, 200, 'c', 1);
    ck_assert_str_eq(R->m[F->t[2].msg].key, "{\"id\":2}");
    CHECK_E(F, 3, 331, 1, 0);

    /* 2. inside a TRANSACTION_PAYLOAD at 460 (MySQL): its events have
     * inner > 0 and no log_pos; the end is the payload's own position */
    mk_event(&e, BD_EV_GTID, 400);
    e.h.log_pos = 460;
    e.ev.begins_txn = 1;
    EV_OK(p, &e);
    mk_query(&e, BD_EV_QUERY, "BEGIN", "pay", 460);
    e.ev.pos.inner = 1;
    e.ev.begins_txn = 1;
    EV_OK(p, &e); /* no second begin: one transaction */
    h.log_pos = 0;
    r = mk_row(BD_OP_DELETE, t, v1, NULL, 460, 0);
    r.pos.inner = 3;
    r.header = &h;
    ROW_OK(p, &r);
    mk_xid(&e, 460, 42);
    e.ev.pos.inner = 4;
    EV_OK(p, &e);
    ck_assert_uint_eq(F->n, 7);
    CHECK_B(F, 4, 400, 2);
    CHECK_M(F, 5, 460, 'd', 1);
    CHECK_E(F, 6, 460, 2, 0);
    /* the XID of a payload whose header has a log_pos after all: still
     * the payload's position */
    mk_event(&e, BD_EV_GTID, 500);
    e.h.log_pos = 560;
    e.ev.begins_txn = 1;
    EV_OK(p, &e);
    mk_xid(&e, 560, 43);
    e.ev.pos.inner = 2;
    e.h.log_pos = 900;
    EV_OK(p, &e);
    ck_assert_uint_eq(F->n, 9);
    CHECK_B(F, 7, 500, 3);
    CHECK_E(F, 8, 560, 3, 0);

    /* 3. a row that commits on its own (no BEGIN) begins and ends one */
    h.log_pos = 1100;
    r = mk_row(BD_OP_INSERT, t, NULL, v1, 1000, 0);
    r.header = &h;
    r.ends_txn = 1;
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_in_txn(p), 0);
    ck_assert_int_eq(bd_pub_holding(p), 0);
    ck_assert_uint_eq(F->n, 12);
    CHECK_B(F, 9, 1000, 4);
    CHECK_M(F, 10, 1000, 'c', 1);
    CHECK_E(F, 11, 1100, 4, 0);

    /* 4. a DDL outside a transaction: one of its own, no message */
    mk_ddl(&e, "ALTER TABLE flow ADD COLUMN x INT", "pay", 1200);
    e.h.log_pos = 1290;
    EV_OK(p, &e);
    ck_assert_int_eq(bd_pub_in_txn(p), 0);
    ck_assert_uint_eq(F->n, 14);
    CHECK_B(F, 12, 1200, 5);
    CHECK_E(F, 13, 1290, 5, 0);

    /* 5. a TRUNCATE: its message (last), then its end */
    mk_ddl(&e, "TRUNCATE TABLE flow", "pay", 1300);
    e.h.log_pos = 1400;
    EV_OK(p, &e);
    ck_assert_uint_eq(F->n, 17);
    CHECK_B(F, 14, 1300, 6);
    CHECK_M(F, 15, 1300, 't', 1);
    CHECK_E(F, 16, 1400, 6, 0);
    CHECK_COUNTS(p, 4, 0, 0, 1, 0, 5);
    ck_assert_uint_eq(R->n, 5);

    /* 6. begin says pass over: rows, statements, nothing published, not
     * even routed; the end says skipped */
    int routes = R->route_calls;
    F->answer[7] = 1;
    mk_event(&e, BD_EV_GTID, 1500);
    e.h.log_pos = 1560;
    e.ev.begins_txn = 1;
    EV_OK(p, &e);
    ck_assert_int_eq(bd_pub_in_txn(p), 1);
    ck_assert_int_eq(bd_pub_skipping(p), 1);
    r = mk_row(BD_OP_INSERT, acct, NULL, va, 1600, 0);
    ck_assert_int_eq(bd_pub_row(p, &r, &err), 0);
    r = mk_row(BD_OP_INSERT, t, NULL, v2, 1610, 0);
    ck_assert_int_eq(bd_pub_row(p, &r, &err), 0);
    ck_assert_int_eq(bd_pub_holding(p), 0);
    /* a statement on a published table: no stop inside a skipped one */
    mk_query(&e, BD_EV_QUERY, "INSERT INTO flow VALUES (3)", "pay", 1650);
    EV_OK(p, &e);
    ck_assert_int_eq(R->stmt_calls, 0);
    ck_assert_int_eq(bd_pub_skipping(p), 1);
    mk_xid(&e, 1700, 44);
    e.h.log_pos = 1731;
    EV_OK(p, &e);
    ck_assert_int_eq(bd_pub_in_txn(p), 0);
    ck_assert_int_eq(bd_pub_skipping(p), 0);
    ck_assert_uint_eq(F->n, 19);
    CHECK_B(F, 17, 1500, 7);
    CHECK_E(F, 18, 1731, 7, 1);
    ck_assert_int_eq(R->route_calls, routes);
    /* a row that commits on its own, passed over */
    F->answer[8] = 1;
    h.log_pos = 1850;
    r = mk_row(BD_OP_INSERT, t, NULL, v1, 1800, 0);
    r.header = &h;
    r.ends_txn = 1;
    ck_assert_int_eq(bd_pub_row(p, &r, &err), 0);
    ck_assert_int_eq(bd_pub_in_txn(p), 0);
    ck_assert_int_eq(bd_pub_skipping(p), 0);
    /* a TRUNCATE, passed over */
    F->answer[9] = 1;
    mk_ddl(&e, "TRUNCATE TABLE flow", "pay", 1900);
    e.h.log_pos = 1950;
    EV_OK(p, &e);
    ck_assert_uint_eq(F->n, 23);
    CHECK_B(F, 19, 1800, 8);
    CHECK_E(F, 20, 1850, 8, 1);
    CHECK_B(F, 21, 1900, 9);
    CHECK_E(F, 22, 1950, 9, 1);
    /* nothing of them published nor counted */
    ck_assert_uint_eq(R->n, 5);
    CHECK_COUNTS(p, 4, 0, 0, 1, 0, 5);

    /* 7. begin says stop (BD_ERR_CALLBACK): -1, nothing emitted, no end */
    F->answer[10] = -1;
    mk_event(&e, BD_EV_GTID, 2000);
    e.h.log_pos = 2060;
    e.ev.begins_txn = 1;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    ck_assert_str_eq(err.msg, "begin refused transaction 10");
    ck_assert_int_eq(bd_pub_in_txn(p), 0);
    ck_assert_uint_eq(F->n, 24);
    CHECK_B(F, 23, 2000, 10);
    /* the same from a row that would begin one (and commit on its own) */
    F->answer[11] = -1;
    r = mk_row(BD_OP_INSERT, t, NULL, v1, 2100, 0);
    r.ends_txn = 1;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(bd_pub_row(p, &r, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    ck_assert_str_eq(err.msg, "begin refused transaction 11");
    ck_assert_int_eq(bd_pub_holding(p), 0);
    /* and from a DDL or TRUNCATE */
    F->answer[12] = -1;
    mk_ddl(&e, "TRUNCATE TABLE flow", "pay", 2200);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(bd_pub_event(p, &e.ev, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    ck_assert_uint_eq(F->n, 26);
    ck_assert_int_eq(F->t[24].kind, 'B');
    ck_assert_int_eq(F->t[25].kind, 'B');
    ck_assert_uint_eq(R->n, 5);
    CHECK_COUNTS(p, 4, 0, 0, 1, 0, 5);

    /* then a transaction begin lets through is published as ever */
    mk_event(&e, BD_EV_GTID, 2300);
    e.h.log_pos = 2360;
    e.ev.begins_txn = 1;
    EV_OK(p, &e);
    r = mk_row(BD_OP_INSERT, t, NULL, v2, 2400, 0);
    ROW_OK(p, &r);
    mk_xid(&e, 2500, 45);
    e.h.log_pos = 2531;
    EV_OK(p, &e);
    ck_assert_uint_eq(F->n, 29);
    CHECK_B(F, 26, 2300, 13);
    CHECK_M(F, 27, 2400, 'c', 1);
    CHECK_E(F, 28, 2531, 13, 0);

    /* the whole trace: begins and ends pair up, numbers grow, messages
     * only inside a published transaction, only its last one last */
    int inside = 0;
    uint64_t no = 0;
    for (size_t i = 0; i < F->n; i++) {
        const tr_item *x = &F->t[i];
        if (x->kind == 'B') {
            ck_assert_msg(!inside || F->answer[no] < 0, "item %zu: begin inside %llu", i,
                          (unsigned long long)no);
            ck_assert_uint_gt(x->no, no);
            no = x->no;
            inside = 1;
        } else if (x->kind == 'E') {
            ck_assert_msg(inside && x->no == no, "item %zu: end of %llu", i,
                          (unsigned long long)x->no);
            inside = 0;
        } else {
            ck_assert_msg(inside && F->answer[no] == 0, "item %zu: message outside", i);
            const tr_item *nx = i + 1 < F->n ? &F->t[i + 1] : NULL;
            int before_end = nx && nx->kind == 'E';
            ck_assert_msg(R->m[x->msg].last == before_end, "item %zu: last %d", i,
                          R->m[x->msg].last);
        }
    }
    ck_assert_int_eq(inside, 0);

    bd_pub_free(p);
    bd_table_free(t);
    bd_table_free(acct);
    fs_free(F);
}
END_TEST

/* With tombstones: the delete and its tombstone both go out as the last,
 * before the end. */
START_TEST(pub_framing_tombstone)
{
    fsink *F = fs_new();
    bd_pub *p = fs_pub(F, 1);
    bd_table *t = flow_table();
    bd_err err = {0};
    bd_value v1[3] = {VI(1), VS("a"), VN()};
    tev e;
    mk_query(&e, BD_EV_QUERY, "BEGIN", "pay", 100);
    e.ev.begins_txn = 1;
    e.h.log_pos = 150;
    EV_OK(p, &e);
    bd_row r = mk_row(BD_OP_DELETE, t, v1, NULL, 200, 0);
    ROW_OK(p, &r);
    mk_query(&e, BD_EV_QUERY, "COMMIT", "pay", 300);
    e.ev.ends_txn = 1;
    e.h.log_pos = 340;
    EV_OK(p, &e);
    ck_assert_uint_eq(F->n, 4);
    CHECK_B(F, 0, 100, 1);
    CHECK_M(F, 1, 200, 'd', 1);
    CHECK_M(F, 2, 200, 0, 1);
    ck_assert_ptr_null(F->R->m[F->t[2].msg].value);
    ck_assert_str_eq(F->R->m[F->t[2].msg].key, "{\"id\":1}");
    CHECK_E(F, 3, 340, 1, 0);
    bd_pub_free(p);
    bd_table_free(t);
    fs_free(F);
}
END_TEST

/* A transaction cut unseen (a file cut inside it): the next one's begin
 * releases the held message, not as the last, and the cut one goes on to
 * the next end: no second begin. */
START_TEST(pub_framing_cut)
{
    fsink *F = fs_new();
    bd_pub *p = fs_pub(F, 0);
    bd_table *t = flow_table();
    bd_err err = {0};
    bd_value v1[3] = {VI(1), VS("a"), VN()};
    bd_value v2[3] = {VI(2), VS("b"), VN()};
    tev e;
    mk_event(&e, BD_EV_GTID, 100);
    e.ev.begins_txn = 1;
    EV_OK(p, &e);
    bd_row r = mk_row(BD_OP_INSERT, t, NULL, v1, 200, 0);
    ROW_OK(p, &r);
    mk_event(&e, BD_EV_GTID, 300);
    e.ev.begins_txn = 1;
    EV_OK(p, &e);
    ck_assert_int_eq(bd_pub_in_txn(p), 1);
    r = mk_row(BD_OP_INSERT, t, NULL, v2, 400, 0);
    ROW_OK(p, &r);
    mk_xid(&e, 500, 7);
    e.h.log_pos = 531;
    EV_OK(p, &e);
    ck_assert_uint_eq(F->n, 4);
    CHECK_B(F, 0, 100, 1);
    CHECK_M(F, 1, 200, 'c', 0);
    CHECK_M(F, 2, 400, 'c', 1);
    CHECK_E(F, 3, 531, 1, 0);
    bd_pub_free(p);
    bd_table_free(t);
    fs_free(F);
}
END_TEST

/* ---- 10. a map freed and its memory reused for another table ------------- */

/* A replay crossing a file rotation or a DDL frees the table maps, and the
 * allocator gives the same memory to the next map, of another table: the
 * stage must not take it for the table it saw there before. */
START_TEST(pub_route_reused_map)
{
    static const uint32_t pk1[] = {1};
    rec *R = rec_new();
    R->route_all = 1;
    bd_pub *p = pub_new(R, NULL, 0, 0, 0);
    bd_err err = {0};
    bd_table *ta = mk_table(90, "db1", "t_a", "L", "id", PK0, 1);
    bd_table *tb = mk_table(91, "db1", "t_b", "VL", "name,id", pk1, 1);
    bd_value va[1] = {VI(1)};
    bd_value vb[2] = {VS("bee"), VI(2)};
    bd_table map; /* the decoder's map: one address throughout */
    tev e;

    map = *ta;
    map.serial = 11;
    bd_row r = mk_row(BD_OP_INSERT, &map, NULL, va, 100, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(R->route_calls, 1);
    ck_assert_str_eq(R->last_routed, "db1.t_a");
    /* freed and parsed again for B at the same address (a new serial),
     * while A's row is still held */
    map = *tb;
    map.serial = 12;
    r = mk_row(BD_OP_INSERT, &map, NULL, vb, 200, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(R->route_calls, 2);
    ck_assert_str_eq(R->last_routed, "db1.t_b");
    mk_xid(&e, 300, 1);
    EV_OK(p, &e);
    ck_assert_uint_eq(R->n, 2);
    CHECK_MSG(R, 0, 'c', "db1.t_a", BD_PUB_BY_KEY, "db1.t_a", "{\"id\":1}",
              "{\"op\":\"c\",\"db\":\"db1\",\"table\":\"t_a\",\"before\":null,"
              "\"after\":{\"id\":1}," SRC(100, 0, null, false),
              0, 100, 0);
    CHECK_MSG(R, 1, 'c', "db1.t_b", BD_PUB_BY_KEY, "db1.t_b", "{\"id\":2}",
              "{\"op\":\"c\",\"db\":\"db1\",\"table\":\"t_b\",\"before\":null,"
              "\"after\":{\"name\":\"bee\",\"id\":2}," SRC(200, 0, 1, true),
              1, 200, 0);
    rec_clear(R);

    /* back: A's names at B's address; A is still known by name (t_a and
     * t_b take different slots of the cache) */
    map = *ta;
    map.serial = 13;
    r = mk_row(BD_OP_INSERT, &map, NULL, va, 400, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 1);
    CHECK_MSG(R, 0, 'c', "db1.t_a", BD_PUB_BY_KEY, "db1.t_a", "{\"id\":1}",
              "{\"op\":\"c\",\"db\":\"db1\",\"table\":\"t_a\",\"before\":null,"
              "\"after\":{\"id\":1}," SRC(400, 0, null, true),
              1, 400, 0);
    ck_assert_int_eq(R->route_calls, 2);
    rec_clear(R);

    /* swapped back and forth, each row of its own table, whether the
     * decoder numbers its maps (serials) or not (0: names compared) */
    uint64_t serial = 20;
    for (int i = 0; i < 20; i++) {
        int b = i % 2;
        int numbered = (i / 2) % 2;
        map = b ? *tb : *ta;
        map.serial = numbered ? serial++ : 0;
        r = mk_row(BD_OP_INSERT, &map, NULL, b ? vb : va, 500 + (uint64_t)i, 0);
        ROW_OK(p, &r);
        const bd_pub_route *rt = bd_pub_route_of(p, &map, &err);
        ck_assert_ptr_nonnull(rt);
        ck_assert_str_eq(rt->topic, b ? "db1.t_b" : "db1.t_a");
    }
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 20);
    for (size_t i = 0; i < 20; i++) {
        const char *want = i % 2 ? "db1.t_b" : "db1.t_a";
        ck_assert_msg(!strcmp(R->m[i].topic, want), "message %zu topic %s, want %s", i,
                      R->m[i].topic, want);
        ck_assert_str_eq(R->m[i].table, want);
        ck_assert_str_eq(R->m[i].key, i % 2 ? "{\"id\":2}" : "{\"id\":1}");
        ck_assert_uint_eq(R->m[i].pos, 500 + i);
        ck_assert_ptr_nonnull(
            strstr(R->m[i].value, i % 2 ? "\"table\":\"t_b\"" : "\"table\":\"t_a\""));
    }
    ck_assert_int_eq(R->route_calls, 2);
    rec_clear(R);

    /* reroute: the answer the route callback gives changed */
    snprintf(R->topic_suffix, sizeof R->topic_suffix, ".v2");
    map = *ta;
    map.serial = 99;
    r = mk_row(BD_OP_INSERT, &map, NULL, va, 600, 0);
    ROW_OK(p, &r); /* cached: the old answer */
    ck_assert_int_eq(R->route_calls, 2);
    bd_pub_reroute(p);
    /* the same map, the same serial: asked again; the held row keeps the
     * topic it was routed to */
    r = mk_row(BD_OP_INSERT, &map, NULL, va, 700, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(R->route_calls, 3);
    ck_assert_str_eq(R->last_routed, "db1.t_a");
    r = mk_row(BD_OP_INSERT, &map, NULL, va, 800, 0);
    ROW_OK(p, &r);
    ck_assert_int_eq(R->route_calls, 3);
    ck_assert_int_eq(bd_pub_finish(p, 1, &err), 0);
    ck_assert_uint_eq(R->n, 3);
    ck_assert_str_eq(R->m[0].topic, "db1.t_a");
    ck_assert_str_eq(R->m[1].topic, "db1.t_a.v2");
    ck_assert_str_eq(R->m[2].topic, "db1.t_a.v2");
    /* bd_pub_route_of asks again too, after a reroute */
    map = *tb;
    map.serial = 100;
    bd_pub_reroute(p);
    const bd_pub_route *rt = bd_pub_route_of(p, &map, &err);
    ck_assert_ptr_nonnull(rt);
    ck_assert_int_eq(R->route_calls, 4);
    ck_assert_str_eq(R->last_routed, "db1.t_b");
    ck_assert_int_eq(rt->wanted, 1);
    ck_assert_str_eq(rt->topic, "db1.t_b.v2");
    ck_assert_ptr_eq(rt->user, &R->user_tag);
    snprintf(R->topic_suffix, sizeof R->topic_suffix, ".v3");
    bd_pub_reroute(p);
    map = *ta;
    map.serial = 101;
    rt = bd_pub_route_of(p, &map, &err);
    ck_assert_ptr_nonnull(rt);
    ck_assert_int_eq(R->route_calls, 5);
    ck_assert_str_eq(rt->topic, "db1.t_a.v3");

    bd_pub_free(p);
    bd_table_free(ta);
    bd_table_free(tb);
    rec_free(R);
}
END_TEST

/* ---- 11. order: what comes in goes out in that order --------------------- */

typedef struct want_msg {
    char op;
    const char *topic;
    int part;
    const char *key; /* NULL: none */
    uint64_t pos;
    uint32_t row;
    int last;
} want_msg;

START_TEST(pub_order)
{
    fsink *F = fs_new();
    rec *R = F->R;
    bd_pub *p = fs_pub(F, 0);
    bd_err err = {0};
    static const uint32_t pk_ba[] = {2, 0};
    bd_table *flow = flow_table();
    bd_table *pair = mk_table(72, "pay", "pair", "LVL", "a,note,b", pk_ba, 2);
    bd_table *log = mk_table(73, "pay", "log", "LV", "n,msg", NULL, 0); /* no key */
    bd_table *skip = mk_table(74, "skip", "flow", "L", "id", PK0, 1);
    bd_value f1[3] = {VI(1), VS("1.00"), VN()};
    bd_value f1b[3] = {VI(1), VS("2.00"), VN()};
    bd_value f2[3] = {VI(2), VS("5.00"), VS("x")};
    bd_value f3[3] = {VI(3), VS("5.00"), VS("x")};
    bd_value p1[3] = {VI(1), VS("n"), VI(10)};
    bd_value p2[3] = {VI(2), VS("n"), VI(10)};
    bd_value l1[2] = {VI(1), VS("hello")};
    bd_value s1[1] = {VI(5)};
    tev e;
    bd_row r;

    /* txn 1 */
    mk_event(&e, BD_EV_GTID, 100);
    e.ev.begins_txn = 1;
    EV_OK(p, &e);
    r = mk_row(BD_OP_INSERT, flow, NULL, f1, 200, 0);
    ROW_OK(p, &r);
    r = mk_row(BD_OP_INSERT, flow, NULL, f2, 200, 1);
    ROW_OK(p, &r);
    r = mk_row(BD_OP_INSERT, pair, NULL, p1, 300, 0);
    ROW_OK(p, &r);
    r = mk_row(BD_OP_INSERT, skip, NULL, s1, 350, 0);
    ck_assert_int_eq(bd_pub_row(p, &r, &err), 0);
    r = mk_row(BD_OP_UPDATE, flow, f1, f1b, 400, 0); /* the key stays */
    ROW_OK(p, &r);
    r = mk_row(BD_OP_INSERT, log, NULL, l1, 500, 0);
    ROW_OK(p, &r);
    mk_xid(&e, 600, 1);
    EV_OK(p, &e);
    /* txn 2 */
    mk_query(&e, BD_EV_QUERY, "BEGIN", "pay", 700);
    e.ev.begins_txn = 1;
    EV_OK(p, &e);
    r = mk_row(BD_OP_UPDATE, flow, f2, f3, 800, 0); /* id 2 -> 3 */
    ROW_OK(p, &r);
    r = mk_row(BD_OP_DELETE, flow, f1b, NULL, 900, 0);
    ROW_OK(p, &r);
    r = mk_row(BD_OP_UPDATE, pair, p1, p2, 1000, 0); /* (b 10, a 1) -> (b 10, a 2) */
    ROW_OK(p, &r);
    mk_xid(&e, 1100, 2);
    EV_OK(p, &e);
    /* txn 3: one row on its own */
    r = mk_row(BD_OP_INSERT, flow, NULL, f2, 1200, 0);
    r.ends_txn = 1;
    ROW_OK(p, &r);

    static const want_msg want[] = {
        {'c', "pay.flow", BD_PUB_BY_KEY, "{\"id\":1}", 200, 0, 0},
        {'c', "pay.flow", BD_PUB_BY_KEY, "{\"id\":2}", 200, 1, 0},
        {'c', "pay.pair", BD_PUB_BY_KEY, "{\"b\":10,\"a\":1}", 300, 0, 0},
        {'u', "pay.flow", BD_PUB_BY_KEY, "{\"id\":1}", 400, 0, 0},
        {'c', "pay.log", BD_PUB_BY_TABLE, NULL, 500, 0, 1},
        {'d', "pay.flow", BD_PUB_BY_KEY, "{\"id\":2}", 800, 0, 0},
        {'c', "pay.flow", BD_PUB_BY_KEY, "{\"id\":3}", 800, 0, 0},
        {'d', "pay.flow", BD_PUB_BY_KEY, "{\"id\":1}", 900, 0, 0},
        {'d', "pay.pair", BD_PUB_BY_KEY, "{\"b\":10,\"a\":1}", 1000, 0, 0},
        {'c', "pay.pair", BD_PUB_BY_KEY, "{\"b\":10,\"a\":2}", 1000, 0, 1},
        {'c', "pay.flow", BD_PUB_BY_KEY, "{\"id\":2}", 1200, 0, 1},
    };
    size_t nw = sizeof want / sizeof want[0];
    ck_assert_uint_eq(R->n, nw);
    for (size_t i = 0; i < nw; i++) {
        const rmsg *m = &R->m[i];
        const want_msg *w = &want[i];
        ck_assert_msg(m->op == w->op && !strcmp(m->topic, w->topic) && (int)m->part == w->part &&
                          m->pos == w->pos && m->row == w->row && m->last == w->last,
                      "message %zu: %c %s part %d pos %llu row %u last %d", i, m->op, m->topic,
                      (int)m->part, (unsigned long long)m->pos, m->row, m->last);
        if (w->key)
            ck_assert_msg(m->key && !strcmp(m->key, w->key), "message %zu key %s, want %s", i,
                          m->key ? m->key : "(none)", w->key);
        else
            ck_assert_ptr_null(m->key);
        /* the value says the same: op, and the row's key columns */
        json_t *j = parse_value(m);
        char op[2] = {w->op, 0};
        ck_assert_str_eq(jstr(j, "op"), op);
        json_t *img = json_object_get(j, w->op == 'd' ? "before" : "after");
        ck_assert(json_is_object(img));
        if (!strcmp(w->topic, "pay.flow")) {
            int id = 0;
            ck_assert(sscanf(w->key, "{\"id\":%d}", &id) == 1);
            ck_assert_int_eq(jint(img, "id"), id);
        }
        json_decref(j);
    }
    /* the create of a key change carries the new row whole */
    json_t *j = parse_value(&R->m[6]);
    json_t *after = json_object_get(j, "after");
    ck_assert_int_eq(jint(after, "id"), 3);
    ck_assert_str_eq(jstr(after, "amount"), "5.00");
    ck_assert_str_eq(jstr(after, "memo"), "x");
    ck_assert(json_is_null(json_object_get(j, "before")));
    json_decref(j);
    /* three transactions, each begun and ended around its messages */
    size_t nb = 0, ne = 0;
    for (size_t i = 0; i < F->n; i++) {
        nb += F->t[i].kind == 'B';
        ne += F->t[i].kind == 'E';
    }
    ck_assert_uint_eq(nb, 3);
    ck_assert_uint_eq(ne, 3);
    ck_assert_int_eq(F->t[0].kind, 'B');
    ck_assert_int_eq(F->t[6].kind, 'E'); /* B, 5 messages, E */
    ck_assert_int_eq(F->t[7].kind, 'B');
    ck_assert_int_eq(F->t[13].kind, 'E');
    CHECK_COUNTS(p, 9, 1, 2, 0, 0, 11);

    bd_pub_free(p);
    bd_table_free(flow);
    bd_table_free(pair);
    bd_table_free(log);
    bd_table_free(skip);
    fs_free(F);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("publish");
    TCase *tc = tcase_create("publish");
    tcase_add_test(tc, pub_plain_ops);
    tcase_add_test(tc, pub_finish);
    tcase_add_test(tc, pub_txn_boundaries);
    tcase_add_test(tc, pub_key_change);
    tcase_add_test(tc, pub_key_change_composite);
    tcase_add_test(tc, pub_update_same_key);
    tcase_add_test(tc, pub_tombstones);
    tcase_add_test(tc, pub_no_tombstones);
    tcase_add_test(tc, pub_no_pk_no_rule);
    tcase_add_test(tc, pub_keys_rule);
    tcase_add_test(tc, pub_keys_rule_missing_column);
    tcase_add_test(tc, pub_keys_rule_no_names);
    tcase_add_test(tc, pub_columns);
    tcase_add_test(tc, pub_columns_key_hidden);
    tcase_add_test(tc, pub_columns_switch);
    tcase_add_test(tc, pub_columns_statement);
    tcase_add_test(tc, pub_keys_rule_pk_wins);
    tcase_add_test(tc, pub_keys_rule_remap);
    tcase_add_test(tc, pub_truncate);
    tcase_add_test(tc, pub_truncate_variants);
    tcase_add_test(tc, pub_truncate_unpublished);
    tcase_add_test(tc, pub_truncate_after_row);
    tcase_add_test(tc, pub_truncate_tables_unknown);
    tcase_add_test(tc, pub_statement_stop);
    tcase_add_test(tc, pub_statement_skip);
    tcase_add_test(tc, pub_statement_unpublished);
    tcase_add_test(tc, pub_statement_fold_case);
    tcase_add_test(tc, pub_statement_join);
    tcase_add_test(tc, pub_statement_unknown_tables);
    tcase_add_test(tc, pub_statement_load);
    tcase_add_test(tc, pub_statement_sql_mode);
    tcase_add_test(tc, pub_statement_charset);
    tcase_add_test(tc, pub_statement_old_load);
    tcase_add_test(tc, pub_statement_text);
    tcase_add_test(tc, pub_statement_message_long);
    tcase_add_test(tc, pub_route_once);
    tcase_add_test(tc, pub_route_many);
    tcase_add_test(tc, pub_route_fail);
    tcase_add_test(tc, pub_route_long_name);
    tcase_add_test(tc, pub_emit_fail);
    tcase_add_test(tc, pub_counts);
    tcase_add_test(tc, pub_pos_after);
    tcase_add_test(tc, pub_framing);
    tcase_add_test(tc, pub_framing_tombstone);
    tcase_add_test(tc, pub_framing_cut);
    tcase_add_test(tc, pub_route_reused_map);
    tcase_add_test(tc, pub_order);
    suite_add_tcase(s, tc);
    return tu_run(s) ? 1 : 0;
}
