/* test_snapshot_read.c - the pure parts of lib/source/snapshot_read.c: the
 * chunk SELECT for keys of one, two and three columns (after only, upto
 * only, both, a where condition, quoting of odd identifiers, MariaDB's
 * INET6/UUID read as bytes), cursors refused when they are not what the
 * reader writes (not JSON, the wrong length, not literals, an injection),
 * the SQL literals of every kind of key value (quotes, backslashes, NUL,
 * control characters, binary as X'..', exact FLOAT/DOUBLE), and MySQL's
 * JSON text made compact.  The server side is tests/integ/snapshot_read.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binlogd/snapshot_read.h"
#include "binlogd/value.h"
#include "testutil.h"

/* ---- shapes built by hand ----------------------------------------------- */

typedef struct col_def {
    const char *name;
    uint8_t type;
} col_def;

/* db.tb with the columns c[0..n) and the key columns pk[0..npk). */
static void mk_shape(bd_snap_shape *s, const char *db, const char *tb, const col_def *c, uint32_t n,
                     const uint32_t *pk, uint32_t npk)
{
    memset(s, 0, sizeof *s);
    snprintf(s->db, sizeof s->db, "%s", db);
    snprintf(s->table, sizeof s->table, "%s", tb);
    s->t = bd_table_new(db, strlen(db), tb, strlen(tb), n);
    ck_assert(s->t != NULL);
    for (uint32_t i = 0; i < n; i++) {
        s->t->cols[i].type = c[i].type;
        ck_assert_int_eq(bd_table_set_name(s->t, i, c[i].name, strlen(c[i].name)), 0);
    }
    ck_assert_int_eq(bd_table_set_pk(s->t, pk, npk), 0);
    s->t->serial = (1ULL << 63) | 1;
    ck_assert_int_eq(bd_table_finish(s->t), 0);
    snprintf(s->key_name, sizeof s->key_name, "PRIMARY");
}

static const col_def cols3[] = {
    {"a", BD_T_LONG}, {"b", BD_T_VARCHAR}, {"c", BD_T_DATETIME2}, {"v", BD_T_LONG}};

/* The SQL of a chunk, or "ERR: message". */
static char *sql_of(const bd_snap_shape *s, const char *where, const char *after, const char *upto,
                    size_t limit)
{
    bd_buf b = BD_BUF_INIT;
    bd_err e = {0};
    if (bd_snap_chunk_sql(&b, s, where, after, upto, limit, &e) < 0) {
        ck_assert_uint_eq(b.len, 0); /* nothing written on a refusal */
        bd_buf_release(&b);
        size_t n = strlen(e.msg) + 6;
        char *r = malloc(n);
        ck_assert(r != NULL);
        snprintf(r, n, "ERR: %s", e.msg);
        return r;
    }
    ck_assert(!bd_buf_failed(&b));
    return bd_buf_detach(&b, NULL);
}

#define SQL_EQ(s, where, after, upto, limit, want)                                                 \
    do {                                                                                           \
        char *got_ = sql_of(s, where, after, upto, limit);                                         \
        ck_assert_str_eq(got_, want);                                                              \
        free(got_);                                                                                \
    } while (0)

/* ---- the chunk SELECT ------------------------------------------------------ */

START_TEST(sql_one_column_key)
{
    bd_snap_shape s;
    uint32_t pk[] = {0};
    mk_shape(&s, "shop", "orders", cols3, 4, pk, 1);
    SQL_EQ(&s, NULL, NULL, NULL, 100,
           "SELECT `a`, `b`, `c`, `v` FROM `shop`.`orders` ORDER BY `a` LIMIT 100");
    SQL_EQ(&s, "", "", "", 7,
           "SELECT `a`, `b`, `c`, `v` FROM `shop`.`orders` ORDER BY `a` LIMIT 7");
    SQL_EQ(&s, NULL, "[\"42\"]", NULL, 10,
           "SELECT `a`, `b`, `c`, `v` FROM `shop`.`orders` WHERE ((`a` > 42)) ORDER BY `a` "
           "LIMIT 10");
    SQL_EQ(&s, NULL, NULL, "[\"-9\"]", 10,
           "SELECT `a`, `b`, `c`, `v` FROM `shop`.`orders` WHERE ((`a` <= -9)) ORDER BY `a` "
           "LIMIT 10");
    SQL_EQ(&s, NULL, "[\"1\"]", "[\"9\"]", 10,
           "SELECT `a`, `b`, `c`, `v` FROM `shop`.`orders` WHERE ((`a` > 1)) AND ((`a` <= 9)) "
           "ORDER BY `a` LIMIT 10");
    SQL_EQ(&s, "v > 1 OR v IS NULL", "[\"1\"]", "[\"9\"]", 10,
           "SELECT `a`, `b`, `c`, `v` FROM `shop`.`orders` WHERE ((`a` > 1)) AND ((`a` <= 9)) "
           "AND (v > 1 OR v IS NULL) ORDER BY `a` LIMIT 10");
    SQL_EQ(&s, "v = 'x'", NULL, NULL, 10,
           "SELECT `a`, `b`, `c`, `v` FROM `shop`.`orders` WHERE (v = 'x') ORDER BY `a` LIMIT 10");
    SQL_EQ(&s, "v = 'x'", NULL, "[\"3\"]", 10,
           "SELECT `a`, `b`, `c`, `v` FROM `shop`.`orders` WHERE ((`a` <= 3)) AND (v = 'x') "
           "ORDER BY `a` LIMIT 10");
    bd_snap_shape_release(&s);
    ck_assert(s.t == NULL);
}
END_TEST

START_TEST(sql_two_column_key)
{
    bd_snap_shape s;
    /* declared in another order than the columns: the key's order counts */
    uint32_t pk[] = {1, 0};
    mk_shape(&s, "d", "t", cols3, 4, pk, 2);
    const char *after = "[\"'x'\",\"5\"]", *upto = "[\"'z'\",\"7\"]";
    SQL_EQ(&s, NULL, after, NULL, 3,
           "SELECT `a`, `b`, `c`, `v` FROM `d`.`t` WHERE ((`b` > 'x') OR (`b` = 'x' AND `a` > 5)) "
           "ORDER BY `b`, `a` LIMIT 3");
    SQL_EQ(&s, NULL, NULL, upto, 3,
           "SELECT `a`, `b`, `c`, `v` FROM `d`.`t` WHERE ((`b` < 'z') OR (`b` = 'z' AND `a` <= 7)) "
           "ORDER BY `b`, `a` LIMIT 3");
    SQL_EQ(
        &s, "`v` <> 0", after, upto, 3,
        "SELECT `a`, `b`, `c`, `v` FROM `d`.`t` WHERE ((`b` > 'x') OR (`b` = 'x' AND `a` > 5)) "
        "AND ((`b` < 'z') OR (`b` = 'z' AND `a` <= 7)) AND (`v` <> 0) ORDER BY `b`, `a` LIMIT 3");
    bd_snap_shape_release(&s);
}
END_TEST

START_TEST(sql_three_column_key)
{
    bd_snap_shape s;
    uint32_t pk[] = {0, 1, 2};
    mk_shape(&s, "d", "t", cols3, 4, pk, 3);
    const char *after = "[\"1\",\"'a'\",\"'2024-01-01 00:00:00.500000'\"]";
    const char *upto = "[\"2\",\"''\",\"'0000-00-00 00:00:00.000000'\"]";
    SQL_EQ(&s, NULL, after, upto, 1000,
           "SELECT `a`, `b`, `c`, `v` FROM `d`.`t` WHERE ((`a` > 1) OR (`a` = 1 AND `b` > 'a') OR "
           "(`a` = 1 AND `b` = 'a' AND `c` > '2024-01-01 00:00:00.500000')) AND ((`a` < 2) OR "
           "(`a` = 2 AND `b` < '') OR (`a` = 2 AND `b` = '' AND `c` <= '0000-00-00 "
           "00:00:00.000000')) ORDER BY `a`, `b`, `c` LIMIT 1000");
    bd_snap_shape_release(&s);
}
END_TEST

START_TEST(sql_odd_identifiers)
{
    bd_snap_shape s;
    static const col_def c[] = {{"we`ird col", BD_T_LONG}, {"``", BD_T_LONG}, {"日本", BD_T_LONG}};
    uint32_t pk[] = {0, 2};
    mk_shape(&s, "my`db", "t`1 x", c, 3, pk, 2);
    SQL_EQ(&s, NULL, "[\"1\",\"2\"]", NULL, 5,
           "SELECT `we``ird col`, ``````, `日本` FROM `my``db`.`t``1 x` WHERE ((`we``ird col` > 1) "
           "OR (`we``ird col` = 1 AND `日本` > 2)) ORDER BY `we``ird col`, `日本` LIMIT 5");
    bd_snap_shape_release(&s);
}
END_TEST

START_TEST(sql_read_as_bytes)
{
    /* MariaDB's UUID and INET4: the bytes, and a key column's text too */
    bd_snap_shape s;
    static const col_def c[] = {{"u", BD_T_STRING}, {"i4", BD_T_STRING}, {"v", BD_T_LONG}};
    uint32_t pk[] = {0};
    mk_shape(&s, "d", "t", c, 3, pk, 1);
    s.t->cols[0].length = 16;
    s.t->cols[1].length = 4;
    s.read_as = calloc(3, 1);
    ck_assert(s.read_as != NULL);
    s.read_as[0] = s.read_as[1] = 1;
    SQL_EQ(&s, NULL, "[\"'00000000-0000-4000-8000-000000000001'\"]", NULL, 2,
           "SELECT CAST(`u` AS BINARY(16)), CAST(`i4` AS BINARY(4)), `v`, `u` FROM `d`.`t` WHERE "
           "((`u` > '00000000-0000-4000-8000-000000000001')) ORDER BY `u` LIMIT 2");
    bd_snap_shape_release(&s);
    ck_assert(s.read_as == NULL);
}
END_TEST

START_TEST(sql_cursor_refused)
{
    bd_snap_shape s;
    uint32_t pk[] = {0, 1};
    mk_shape(&s, "d", "t", cols3, 4, pk, 2);
    static const char *const bad[] = {
        "42",                          /* not an array */
        "[\"1\",",                     /* not JSON */
        "[\"1\"]",                     /* one of two */
        "[\"1\",\"2\",\"3\"]",         /* three of two */
        "[1,\"2\"]",                   /* a number, not a literal's text */
        "[\"1\",null]",                /* null */
        "[\"1\",\"\"]",                /* empty */
        "[\"1\",\"2; DROP TABLE t\"]", /* SQL after a number */
        "[\"1) OR (1=1\",\"2\"]",      /* ... and around it */
        "[\"1\",\"'a' OR 'b'\"]",      /* two strings */
        "[\"1\",\"'a''\"]",            /* unterminated (the quote doubled) */
        "[\"1\",\"'a\\\\'\"]",         /* unterminated (the quote escaped) */
        "[\"1\",\"'a\"]",              /* unterminated */
        "[\"1\",\"X'1'\"]",            /* odd hex digits */
        "[\"1\",\"X'zz'\"]",           /* not hex */
        "[\"1\",\"x'00' \"]",          /* trailing space */
        "[\"1e\",\"2\"]",              /* no exponent digits */
        "[\"--1\",\"2\"]",             /* a comment */
        "[\".5\",\"2\"]",              /* not the reader's form */
        "[\"1\",\"'a\\u0000b'\"]",     /* a NUL byte */
        "[\"1\",\"0x41\"]",            /* not the reader's form */
        "[\"1\",\"'a'/*\"]",           /* a comment after a string */
        "[\"NULL\",\"2\"]",            /* key values are never NULL */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *a = sql_of(&s, NULL, bad[i], NULL, 5);
        ck_assert_msg(!strncmp(a, "ERR: ", 5), "after %s accepted: %s", bad[i], a);
        free(a);
        char *u = sql_of(&s, NULL, NULL, bad[i], 5);
        ck_assert_msg(!strncmp(u, "ERR: ", 5), "upto %s accepted: %s", bad[i], u);
        free(u);
    }
    /* the error says what the cursor should be */
    char *m = sql_of(&s, NULL, "[\"1\"]", NULL, 5);
    ck_assert_msg(strstr(m, "not a JSON array of 2") != NULL, "%s", m);
    free(m);
    /* the forms the reader writes are taken */
    static const char *const good[] = {
        "[\"-1\",\"2\"]",
        "[\"1.5\",\"-0.001\"]",
        "[\"-1.00000001490116119e-01\",\"1.79769313486231571e+308\"]",
        "[\"X''\",\"x'00fFaA'\"]",
        "[\"''\",\"'it''s'\"]",
        "[\"'a\\\\'b'\",\"'\\\\\\\\'\"]",
        "[\"'\\\\0\\\\n\\\\Z'\",\"'分账 😀'\"]",
        "[\"18446744073709551615\",\"'-838:59:59.000'\"]",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char *a = sql_of(&s, NULL, good[i], good[i], 5);
        ck_assert_msg(strncmp(a, "ERR: ", 5) != 0, "%s refused: %s", good[i], a);
        free(a);
    }
    /* no chunk of zero rows (it would look like the table's end) */
    char *z = sql_of(&s, NULL, NULL, NULL, 0);
    ck_assert(!strncmp(z, "ERR: ", 5));
    free(z);
    bd_snap_shape_release(&s);

    /* a shape without a key */
    mk_shape(&s, "d", "t", cols3, 4, pk, 0);
    char *k = sql_of(&s, NULL, NULL, NULL, 5);
    ck_assert(!strncmp(k, "ERR: ", 5));
    free(k);
    bd_snap_shape_release(&s);
}
END_TEST

/* ---- literals ---------------------------------------------------------------- */

/* The literal of v (a column of type 'type'), or "-" when there is none. */
static char *lit_of(uint8_t type, uint8_t kind, const char *s, size_t n)
{
    bd_column col;
    memset(&col, 0, sizeof col);
    col.type = type;
    bd_value v = {.kind = kind, .s = s, .n = n};
    bd_buf b = BD_BUF_INIT;
    if (bd_snap_literal(&b, &col, &v) < 0) {
        ck_assert_uint_eq(b.len, 0);
        bd_buf_adds(&b, "-");
    }
    ck_assert(!bd_buf_failed(&b));
    return bd_buf_detach(&b, NULL);
}

/* a string literal and its length (NUL bytes inside count) */
#define S(x) x, sizeof(x) - 1

#define LIT_EQ(type, kind, str, want)                                                              \
    do {                                                                                           \
        char *got_ = lit_of(type, kind, str, sizeof(str) - 1);                                     \
        ck_assert_str_eq(got_, want);                                                              \
        free(got_);                                                                                \
    } while (0)

START_TEST(literal_text_escaping)
{
    LIT_EQ(BD_T_VARCHAR, BD_V_STRING, "abc", "'abc'");
    LIT_EQ(BD_T_VARCHAR, BD_V_STRING, "", "''");
    LIT_EQ(BD_T_VARCHAR, BD_V_STRING, "it's", "'it\\'s'");
    LIT_EQ(BD_T_VARCHAR, BD_V_STRING, "a\\b", "'a\\\\b'");
    LIT_EQ(BD_T_VARCHAR, BD_V_STRING, "say \"hi\"", "'say \\\"hi\\\"'");
    LIT_EQ(BD_T_VARCHAR, BD_V_STRING, "nul\0x", "'nul\\0x'");
    LIT_EQ(BD_T_VARCHAR, BD_V_STRING, "l\nf\rc\032z\t", "'l\\nf\\rc\\Zz\t'");
    LIT_EQ(BD_T_VARCHAR, BD_V_STRING, "\\'", "'\\\\\\''");
    LIT_EQ(BD_T_STRING, BD_V_STRING, "分账😀", "'分账😀'");
    /* temporal text is quoted, DECIMAL is not */
    LIT_EQ(BD_T_DATETIME2, BD_V_ASCII, "0000-00-00 00:00:00", "'0000-00-00 00:00:00'");
    LIT_EQ(BD_T_TIME2, BD_V_ASCII, "-838:59:59.000", "'-838:59:59.000'");
    LIT_EQ(BD_T_NEWDECIMAL, BD_V_ASCII, "-1234.500", "-1234.500");
}
END_TEST

START_TEST(literal_binary_and_numbers)
{
    LIT_EQ(BD_T_VARCHAR, BD_V_BYTES, "\x00\xff\x27\x5c", "X'00ff275c'");
    LIT_EQ(BD_T_STRING, BD_V_BYTES, "", "X''");
    bd_column col;
    memset(&col, 0, sizeof col);
    col.type = BD_T_LONGLONG;
    bd_buf b = BD_BUF_INIT;
    bd_value v = {.kind = BD_V_INT, .i = INT64_MIN};
    ck_assert_int_eq(bd_snap_literal(&b, &col, &v), 0);
    ck_assert_str_eq(b.ptr, "-9223372036854775808");
    bd_buf_reset(&b);
    v.kind = BD_V_UINT;
    v.u = UINT64_MAX;
    ck_assert_int_eq(bd_snap_literal(&b, &col, &v), 0);
    ck_assert_str_eq(b.ptr, "18446744073709551615");
    bd_buf_release(&b);
    /* FLOAT and DOUBLE: the exact value as a DOUBLE literal, never the
     * shortest text (0.1 > FLOAT 0.1 widened, so "> 0.1" would repeat the row) */
    LIT_EQ(BD_T_FLOAT, BD_V_DOUBLE, "0.1", "1.00000001490116119e-01");
    LIT_EQ(BD_T_DOUBLE, BD_V_DOUBLE, "0.1", "1.00000000000000006e-01");
    LIT_EQ(BD_T_DOUBLE, BD_V_DOUBLE, "-0", "-0.00000000000000000e+00");
    LIT_EQ(BD_T_DOUBLE, BD_V_DOUBLE, "1e+300", "1.00000000000000005e+300");
    LIT_EQ(BD_T_FLOAT, BD_V_DOUBLE, "16777216", "1.67772160000000000e+07");
    /* no literal: NULL, absent, JSON */
    LIT_EQ(BD_T_LONG, BD_V_NULL, "", "-");
    LIT_EQ(BD_T_LONG, BD_V_ABSENT, "", "-");
    LIT_EQ(BD_T_JSON, BD_V_JSON, "{}", "-");
}
END_TEST

/* Every literal the reader writes goes back through a cursor unchanged. */
START_TEST(literal_roundtrip_through_cursor)
{
    static const struct {
        uint8_t type, kind;
        const char *s;
        size_t n;
    } v[] = {
        {BD_T_VARCHAR, BD_V_STRING, S("it's \\ \"q\" \n\r\032\0 😀")},
        {BD_T_VARCHAR, BD_V_BYTES, S("\x00\x27\x5c\xff")},
        {BD_T_FLOAT, BD_V_DOUBLE, S("-3.4028235e+38")},
        {BD_T_NEWDECIMAL, BD_V_ASCII, S("-0.001")},
        {BD_T_TIME2, BD_V_ASCII, S("-838:59:59.000000")},
        {BD_T_VARCHAR, BD_V_STRING, S("'")},
        {BD_T_VARCHAR, BD_V_STRING, S("\\")},
    };
    bd_snap_shape s;
    static const col_def c[] = {{"k", BD_T_VARCHAR}};
    uint32_t pk[] = {0};
    mk_shape(&s, "d", "t", c, 1, pk, 1);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char *lit = lit_of(v[i].type, v[i].kind, v[i].s, v[i].n);
        bd_buf cur = BD_BUF_INIT;
        bd_buf_addc(&cur, '[');
        bd_buf_add_json_str(&cur, lit, strlen(lit));
        bd_buf_addc(&cur, ']');
        char *sql = sql_of(&s, NULL, cur.ptr, NULL, 1);
        bd_buf want = BD_BUF_INIT;
        bd_buf_addf(&want, "SELECT `k` FROM `d`.`t` WHERE ((`k` > %s)) ORDER BY `k` LIMIT 1", lit);
        ck_assert_str_eq(sql, want.ptr);
        free(sql);
        free(lit);
        bd_buf_release(&cur);
        bd_buf_release(&want);
    }
    bd_snap_shape_release(&s);
}
END_TEST

/* ---- MySQL's JSON ------------------------------------------------------------- */

static char *compact(const char *in)
{
    bd_buf b = BD_BUF_INIT;
    if (bd_snap_json_compact(&b, in, strlen(in)) < 0) {
        bd_buf_release(&b);
        return strdup("-");
    }
    return bd_buf_detach(&b, NULL);
}

#define COMPACT_EQ(in, want)                                                                       \
    do {                                                                                           \
        char *got_ = compact(in);                                                                  \
        ck_assert_str_eq(got_, want);                                                              \
        free(got_);                                                                                \
    } while (0)

START_TEST(json_compact)
{
    COMPACT_EQ("{\"a\": [1, 2, \"x y\"], \"b\" : {\"c\": null}}",
               "{\"a\":[1,2,\"x y\"],\"b\":{\"c\":null}}");
    COMPACT_EQ(" [ ] ", "[]");
    COMPACT_EQ("\"a \\\" b\\\\\"", "\"a \\\" b\\\\\"");
    COMPACT_EQ("{\"k\\\": 1\": \"v,  w\"}", "{\"k\\\": 1\":\"v,  w\"}");
    COMPACT_EQ("[true,\n\tfalse,\r null]", "[true,false,null]");
    /* integers and DECIMALs as they are; a double with an exponent as the
     * decoder writes doubles */
    COMPACT_EQ("[-7, 18446744073709551615, 1.50, -0.001]", "[-7,18446744073709551615,1.50,-0.001]");
    COMPACT_EQ("[1E2, -2.5e-3]", "[100.0,-0.0025]");
    bd_buf want = BD_BUF_INIT;
    bd_buf_addc(&want, '[');
    bd_fmt_double(&want, 1e300);
    bd_buf_addc(&want, ',');
    bd_fmt_double(&want, -1.5e-300);
    bd_buf_addc(&want, ']');
    char *got = compact("[1e300, -1.5e-300]");
    ck_assert_str_eq(got, want.ptr);
    free(got);
    bd_buf_release(&want);
    COMPACT_EQ("\"unterminated", "-");
    COMPACT_EQ("[\"a\\", "-");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("snapshot_read");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, sql_one_column_key);
    tcase_add_test(tc, sql_two_column_key);
    tcase_add_test(tc, sql_three_column_key);
    tcase_add_test(tc, sql_odd_identifiers);
    tcase_add_test(tc, sql_read_as_bytes);
    tcase_add_test(tc, sql_cursor_refused);
    tcase_add_test(tc, literal_text_escaping);
    tcase_add_test(tc, literal_binary_and_numbers);
    tcase_add_test(tc, literal_roundtrip_through_cursor);
    tcase_add_test(tc, json_compact);
    suite_add_tcase(s, tc);
    return tu_run(s) ? 1 : 0;
}
