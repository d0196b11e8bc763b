/* test_stmt.c - classifying the text of QUERY events: each statement form,
 * the lexing rules (comments, executable comments, strings, quoted names,
 * ANSI_QUOTES, NO_BACKSLASH_ESCAPES), name limits, texts cut short, and a
 * property test on random bytes.  Every text is classified from a heap
 * copy of exactly its length, so valgrind and ASan see any read past n. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binlogd/stmt.h"
#include "testutil.h"

#define O BD_STMT_OTHER
#define D BD_STMT_DML
#define TR BD_STMT_TRUNCATE
#define ANSI BD_STMT_ANSI_QUOTES
#define NBE BD_STMT_NO_BACKSLASH_ESCAPES

typedef struct tcase {
    const char *q;
    enum bd_stmt_kind kind;
    const char *verb;
    int unknown;
    const char *t[6][2]; /* expected (db, table), in order; ends at a NULL db */
    unsigned flags;
    const char *db; /* default database; NULL means "d" */
    int temporary;
} tcase;

/* Every table name NUL-terminated and at most 64 bytes, OTHER all zero. */
static void check_invariants(const bd_stmt *s)
{
    ck_assert_int_le(s->ntables, BD_STMT_MAX_TABLES);
    ck_assert(s->kind == O || s->kind == D || s->kind == TR);
    ck_assert((s->kind == O) == (s->verb == NULL));
    if (s->kind == O) ck_assert(!s->ntables && !s->tables_unknown && !s->temporary);
    for (size_t i = 0; i < s->ntables; i++) {
        ck_assert(memchr(s->tables[i].db, '\0', 65) != NULL);
        ck_assert(memchr(s->tables[i].table, '\0', 65) != NULL);
        ck_assert_int_gt(strlen(s->tables[i].table), 0);
    }
}

/* Classify a heap copy of exactly n bytes (and of the database name). */
static void classify_n(bd_stmt *s, const char *q, size_t n, const char *db, unsigned flags)
{
    char *b = malloc(n ? n : 1);
    size_t dbn = strlen(db);
    char *d = malloc(dbn ? dbn : 1);
    memcpy(b, q, n);
    memcpy(d, db, dbn);
    bd_stmt_classify(s, b, n, d, dbn, flags);
    free(b);
    free(d);
    check_invariants(s);
}

static void check_case(const tcase *c)
{
    bd_stmt s;
    const char *db = c->db ? c->db : "d";
    size_t n = strlen(c->q), want = 0;
    classify_n(&s, c->q, n, db, c->flags);
    ck_assert_msg(s.kind == c->kind, "%s: kind %d, want %d", c->q, s.kind, c->kind);
    ck_assert_msg(c->verb ? s.verb && !strcmp(s.verb, c->verb) : !s.verb, "%s: verb %s, want %s",
                  c->q, s.verb ? s.verb : "NULL", c->verb ? c->verb : "NULL");
    ck_assert_msg(s.tables_unknown == c->unknown, "%s: tables_unknown %d", c->q, s.tables_unknown);
    ck_assert_msg(s.temporary == c->temporary, "%s: temporary %d", c->q, s.temporary);
    while (want < 6 && c->t[want][0])
        want++;
    for (size_t i = 0; i < s.ntables || i < want; i++) {
        ck_assert_msg(i < s.ntables, "%s: only %zu tables", c->q, s.ntables);
        ck_assert_msg(i < want, "%s: extra table %s.%s", c->q, s.tables[i].db, s.tables[i].table);
        ck_assert_msg(!strcmp(s.tables[i].db, c->t[i][0]) && !strcmp(s.tables[i].table, c->t[i][1]),
                      "%s: table %zu is '%s'.'%s', want '%s'.'%s'", c->q, i, s.tables[i].db,
                      s.tables[i].table, c->t[i][0], c->t[i][1]);
    }
    /* every prefix: a text cut anywhere is read within its bounds */
    for (size_t k = 0; k < n; k++)
        classify_n(&s, c->q, k, db, c->flags);
}

static void run_cases(const tcase *cs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        check_case(&cs[i]);
}

#define RUN(cs) run_cases(cs, sizeof cs / sizeof cs[0])

START_TEST(stmt_insert_replace)
{
    static const tcase cs[] = {
        {"INSERT INTO t VALUES (1)", D, "INSERT", 0, {{"d", "t"}}},
        {"insert into T values (1)", D, "INSERT", 0, {{"d", "T"}}},
        {"InSeRt LOW_PRIORITY IGNORE INTO db1.t1 (a,b) VALUES (1,2)",
         D,
         "INSERT",
         0,
         {{"db1", "t1"}}},
        {"INSERT DELAYED t SET a=1", D, "INSERT", 0, {{"d", "t"}}},
        {"INSERT HIGH_PRIORITY INTO `db`.`t` SELECT * FROM u JOIN v ON u.a = v.a",
         D,
         "INSERT",
         0,
         {{"db", "t"}}},
        {"INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a) + 1",
         D,
         "INSERT",
         0,
         {{"d", "t"}}},
        {"INSERT INTO t VALUES (1) AS new ON DUPLICATE KEY UPDATE a = new.a",
         D,
         "INSERT",
         0,
         {{"d", "t"}}},
        {"INSERT INTO t PARTITION (p0, p1) VALUES (1)", D, "INSERT", 0, {{"d", "t"}}},
        {"INSERT INTO t VALUES (1) RETURNING a", D, "INSERT", 0, {{"d", "t"}}},
        {"INSERT INTO t VALUES ('UPDATE x SET'), (\"DELETE FROM y\")",
         D,
         "INSERT",
         0,
         {{"d", "t"}}},
        {"INSERT INTO db . t VALUES (1)", D, "INSERT", 0, {{"db", "t"}}},
        {"INSERT INTO db.`t`(a) VALUES (1)", D, "INSERT", 0, {{"db", "t"}}},
        {"INSERT INTO .t VALUES (1)", D, "INSERT", 0, {{"d", "t"}}},
        {"INSERT INTO t SELECT 1.5, x.y FROM db2.u AS x", D, "INSERT", 0, {{"d", "t"}}},
        {"REPLACE INTO t VALUES (1)", D, "REPLACE", 0, {{"d", "t"}}},
        {"replace low_priority db.t select 1", D, "REPLACE", 0, {{"db", "t"}}},
        {"REPLACE DELAYED INTO `t` SET a = REPLACE(b, 'x', 'y')", D, "REPLACE", 0, {{"d", "t"}}},
        /* a qualified function call is a stored function: its changes are unknown */
        {"INSERT INTO t VALUES (db.f(1))", D, "INSERT", 1, {{"d", "t"}}},
        {"INSERT INTO t VALUES (`db` . `f` (1))", D, "INSERT", 1, {{"d", "t"}}},
        {"INSERT INTO", D, "INSERT", 1, {{NULL}}},
        {"INSERT INTO (a) VALUES (1)", D, "INSERT", 1, {{NULL}}},
    };
    RUN(cs);
}
END_TEST

START_TEST(stmt_comments)
{
    static const tcase cs[] = {
        {"  \n\t-- c\n# c2\nINSERT/*x*/INTO/*y*/t/*z*/VALUES(1)", D, "INSERT", 0, {{"d", "t"}}},
        {"/* DELETE FROM y */ CREATE TABLE z (a int)", O, NULL, 0, {{NULL}}},
        {"-- DELETE FROM y\nCREATE TABLE z (a int)", O, NULL, 0, {{NULL}}},
        {"# DELETE FROM y\r\nDROP TABLE z", O, NULL, 0, {{NULL}}},
        {"--\tx\nDELETE FROM t", D, "DELETE", 0, {{"d", "t"}}},
        {"DELETE FROM t --", D, "DELETE", 0, {{"d", "t"}}},
        {"DELETE FROM t -- x", D, "DELETE", 0, {{"d", "t"}}},
        {"DELETE FROM t WHERE a = 1--1", D, "DELETE", 0, {{"d", "t"}}},
        {"DELETE FROM t # x", D, "DELETE", 0, {{"d", "t"}}},
        {"/* a */ /* b */ INSERT /* INTO u */ INTO t VALUES (1) /* c */",
         D,
         "INSERT",
         0,
         {{"d", "t"}}},
        {"INSERT /*+ SET_VAR(x=1) */ INTO t VALUES (1)", D, "INSERT", 0, {{"d", "t"}}},
        /* executable comments are code, version digits skipped */
        {"INSERT /*! IGNORE */ INTO t VALUES (1)", D, "INSERT", 0, {{"d", "t"}}},
        {"INSERT /*!50100 IGNORE */ INTO t VALUES (1)", D, "INSERT", 0, {{"d", "t"}}},
        {"/*!40000 ALTER TABLE `t` DISABLE KEYS */", O, NULL, 0, {{NULL}}},
        {"/*!50001 INSERT INTO t VALUES (1) */", D, "INSERT", 0, {{"d", "t"}}},
        {"/*!INSERT INTO t1 VALUES (1)*/", D, "INSERT", 0, {{"d", "t1"}}},
        {"/*M!100100 TRUNCATE TABLE t */", TR, "TRUNCATE", 0, {{"d", "t"}}},
        {"/*M! DELETE FROM t */", D, "DELETE", 0, {{"d", "t"}}},
        {"/*!123456DELETE FROM t */", D, "DELETE", 0, {{"d", "t"}}},
        {"/*!12345DELETE FROM t */", D, "DELETE", 0, {{"d", "t"}}},
        {"/*!1234 DELETE FROM t */", O, NULL, 0, {{NULL}}}, /* 1234 is code, not a version */
        {"/*!50100*/ DELETE FROM t", D, "DELETE", 0, {{"d", "t"}}},
        /* MySQL 8.0.21+ logs an atomic CREATE ... SELECT without the query */
        {"CREATE TABLE `t` (`a` int) START TRANSACTION", O, NULL, 0, {{NULL}}},
        {"DELETE FROM /*!50100 db. */ t", D, "DELETE", 0, {{"db", "t"}}},
        {"CREATE TABLE t2 (a int) /*!50100 SELECT 1 */",
         D,
         "CREATE TABLE ... SELECT",
         0,
         {{"d", "t2"}}},
        {"/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50001 VIEW v AS SELECT 1 */",
         O,
         NULL,
         0,
         {{NULL}}},
        {"/*! /* inner */ INSERT INTO t VALUES (1) */", D, "INSERT", 0, {{"d", "t"}}},
        /* only comments, or nothing */
        {"", O, NULL, 0, {{NULL}}},
        {"   \n", O, NULL, 0, {{NULL}}},
        {"/* only a comment */", O, NULL, 0, {{NULL}}},
        {"/* unterminated INSERT INTO t", O, NULL, 0, {{NULL}}},
        {"# INSERT INTO t", O, NULL, 0, {{NULL}}},
        /* a text cut short: unterminated comment, string, name, executable comment */
        {"INSERT INTO t VALUES (1) /* x", D, "INSERT", 1, {{"d", "t"}}},
        {"INSERT INTO t VALUES ('abc", D, "INSERT", 1, {{"d", "t"}}},
        {"INSERT INTO t VALUES (\"abc", D, "INSERT", 1, {{"d", "t"}}},
        {"INSERT INTO `t", D, "INSERT", 1, {{NULL}}},
        {"INSERT INTO t VALUES (`a", D, "INSERT", 1, {{"d", "t"}}},
        {"/*!50001 INSERT INTO t VALUES (1)", D, "INSERT", 1, {{"d", "t"}}},
        {"UPDATE t SET a = 'x", D, "UPDATE", 1, {{"d", "t"}}},
        {"INSERT INTO t VALUES ('a\\", D, "INSERT", 1, {{"d", "t"}}},
    };
    RUN(cs);
}
END_TEST

START_TEST(stmt_strings_modes)
{
    static const tcase cs[] = {
        {"INSERT INTO t VALUES ('it''s', 'a\\'b', \"q\"\"q\", \"x\\\"y\")",
         D,
         "INSERT",
         0,
         {{"d", "t"}}},
        /* introducers, national, hex and bit literals */
        {"INSERT INTO t VALUES (_utf8mb4'SET', N'x', X'41', B'01', _binary 'y')",
         D,
         "INSERT",
         0,
         {{"d", "t"}}},
        {"UPDATE t SET a = _utf8mb4'SET' COLLATE utf8mb4_bin WHERE b = N'WHERE'",
         D,
         "UPDATE",
         0,
         {{"d", "t"}}},
        /* 'x\' ends the string only under NO_BACKSLASH_ESCAPES; otherwise
         * the string runs to the last quote and hides the SELECT */
        {"CREATE TABLE t (a varchar(9) DEFAULT 'x\\') SELECT 1 AS b -- ')", O, NULL, 0, {{NULL}}},
        {"CREATE TABLE t (a varchar(9) DEFAULT 'x\\') SELECT 1 AS b -- ')",
         D,
         "CREATE TABLE ... SELECT",
         0,
         {{"d", "t"}},
         NBE},
        {"INSERT INTO t VALUES ('a\\')", D, "INSERT", 1, {{"d", "t"}}},
        {"INSERT INTO t VALUES ('a\\')", D, "INSERT", 0, {{"d", "t"}}, NBE},
        {"INSERT INTO t VALUES ('a\\'', 1)", D, "INSERT", 0, {{"d", "t"}}},
        /* ANSI_QUOTES: "x" is a name */
        {"INSERT INTO \"db\".\"t\" VALUES (1)", D, "INSERT", 0, {{"db", "t"}}, ANSI},
        {"INSERT INTO \"db\".\"t\" VALUES (1)", D, "INSERT", 1, {{NULL}}},
        {"INSERT INTO \"a\"\"b\" VALUES (1)", D, "INSERT", 0, {{"d", "a\"b"}}, ANSI},
        {"INSERT INTO \"a\\\" VALUES (1)", D, "INSERT", 0, {{"d", "a\\"}}, ANSI},
        {"INSERT INTO \"a\\\" VALUES (1)", D, "INSERT", 1, {{NULL}}},
        {"UPDATE \"t1\" JOIN `t2` ON \"t1\".a = `t2`.a SET \"t1\".b = 'SET'",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}, {"d", "t2"}},
         ANSI},
        {"CREATE TABLE t (\"SELECT\" int)", O, NULL, 0, {{NULL}}, ANSI},
        {"CREATE TABLE t (a int) COMMENT \"SELECT\"", O, NULL, 0, {{NULL}}},
        {"DELETE FROM t WHERE a = \"x\" -- \"", D, "DELETE", 0, {{"d", "t"}}, ANSI | NBE},
    };
    RUN(cs);
}
END_TEST

START_TEST(stmt_names)
{
    static const tcase cs[] = {
        {"INSERT INTO `my db`.`t.a b` VALUES (1)", D, "INSERT", 0, {{"my db", "t.a b"}}},
        {"INSERT INTO `a``b` VALUES (1)", D, "INSERT", 0, {{"d", "a`b"}}},
        {"INSERT INTO `select` VALUES (1)", D, "INSERT", 0, {{"d", "select"}}},
        {"INSERT INTO $t_1 VALUES (1)", D, "INSERT", 0, {{"d", "$t_1"}}},
        {"INSERT INTO 1t VALUES (1)", D, "INSERT", 0, {{"d", "1t"}}},
        /* UTF-8 names, unquoted and quoted */
        {"INSERT INTO данные.таблица VALUES (1)", D, "INSERT", 0, {{"данные", "таблица"}}},
        {"UPDATE `données`.tëst SET a = 1", D, "UPDATE", 0, {{"données", "tëst"}}},
        {"TRUNCATE 表", TR, "TRUNCATE", 0, {{"d", "表"}}},
        /* default database empty: the caller decides */
        {"INSERT INTO t VALUES (1)", D, "INSERT", 0, {{"", "t"}}, 0, ""},
        {"INSERT INTO x.t VALUES (1)", D, "INSERT", 0, {{"x", "t"}}, 0, ""},
        {"UPDATE t1, x.t2 SET a = 1", D, "UPDATE", 0, {{"", "t1"}, {"x", "t2"}}, 0, ""},
        /* empty names */
        {"INSERT INTO `` VALUES (1)", D, "INSERT", 1, {{NULL}}},
        {"INSERT INTO ``.t VALUES (1)", D, "INSERT", 1, {{NULL}}},
    };
    RUN(cs);
}
END_TEST

/* Names of 64 bytes fit; 65 (or a default database of 65) are unknown. */
START_TEST(stmt_name_limits)
{
    char n64[65], n65[66], q[300];
    bd_stmt s;
    memset(n64, 'a', 64);
    n64[64] = 0;
    memset(n65, 'b', 65);
    n65[65] = 0;

    snprintf(q, sizeof q, "INSERT INTO %s.%s VALUES (1)", n64, n64);
    classify_n(&s, q, strlen(q), "d", 0);
    ck_assert_int_eq(s.ntables, 1);
    ck_assert_int_eq(s.tables_unknown, 0);
    ck_assert_str_eq(s.tables[0].db, n64);
    ck_assert_str_eq(s.tables[0].table, n64);

    snprintf(q, sizeof q, "INSERT INTO %s VALUES (1)", n65);
    classify_n(&s, q, strlen(q), "d", 0);
    ck_assert(s.kind == D && s.tables_unknown && s.ntables == 0);
    snprintf(q, sizeof q, "INSERT INTO `%s`.t VALUES (1)", n65);
    classify_n(&s, q, strlen(q), "d", 0);
    ck_assert(s.kind == D && s.tables_unknown && s.ntables == 0);

    /* 65 bytes written, 64 after undoubling the backtick */
    snprintf(q, sizeof q, "UPDATE `%.62s``` SET a = 1", n64);
    classify_n(&s, q, strlen(q), "d", 0);
    ck_assert(s.ntables == 1 && !s.tables_unknown && strlen(s.tables[0].table) == 63);
    snprintf(q, sizeof q, "UPDATE `%.63s``` SET a = 1", n64);
    classify_n(&s, q, strlen(q), "d", 0);
    ck_assert(s.ntables == 1 && !s.tables_unknown && strlen(s.tables[0].table) == 64);
    snprintf(q, sizeof q, "UPDATE `%s``` SET a = 1", n64);
    classify_n(&s, q, strlen(q), "d", 0);
    ck_assert(s.ntables == 0 && s.tables_unknown);

    /* one long name among good ones: the good ones are listed */
    snprintf(q, sizeof q, "UPDATE t1, %s, t2 SET a = 1", n65);
    classify_n(&s, q, strlen(q), "d", 0);
    ck_assert(s.ntables == 2 && s.tables_unknown);
    ck_assert_str_eq(s.tables[1].table, "t2");

    /* default database: 64 fits, 65 makes unqualified names unknown */
    classify_n(&s, "INSERT INTO t VALUES (1)", 24, n64, 0);
    ck_assert(s.ntables == 1 && !s.tables_unknown && !strcmp(s.tables[0].db, n64));
    classify_n(&s, "INSERT INTO t VALUES (1)", 24, n65, 0);
    ck_assert(s.ntables == 0 && s.tables_unknown);
    classify_n(&s, "INSERT INTO x.t VALUES (1)", 26, n65, 0);
    ck_assert(s.ntables == 1 && !s.tables_unknown);

    /* a NUL byte in a name cannot be passed on as a C string */
    static const char nul[] = "INSERT INTO `a\0b` VALUES (1)";
    classify_n(&s, nul, sizeof nul - 1, "d", 0);
    ck_assert(s.kind == D && s.ntables == 0 && s.tables_unknown);
    classify_n(&s, "INSERT INTO t VALUES (1)", 24, "", 0);
    ck_assert(s.ntables == 1 && s.tables[0].db[0] == 0);
    bd_stmt_classify(&s, "INSERT INTO t VALUES (1)", 24, "d\0x", 3, 0);
    ck_assert(s.ntables == 0 && s.tables_unknown);
    bd_stmt_classify(&s, "INSERT INTO t VALUES (1)", 24, NULL, 0, 0);
    ck_assert(s.ntables == 1 && !s.tables_unknown && s.tables[0].db[0] == 0);
    bd_stmt_classify(&s, NULL, 0, "d", 1, 0);
    ck_assert(s.kind == O);
}
END_TEST

START_TEST(stmt_update)
{
    static const tcase cs[] = {
        {"UPDATE t SET a=1", D, "UPDATE", 0, {{"d", "t"}}},
        {"update LOW_PRIORITY ignore db.t AS x set x.a=1 WHERE x.b=2",
         D,
         "UPDATE",
         0,
         {{"db", "t"}}},
        {"UPDATE t x SET x.a = 1", D, "UPDATE", 0, {{"d", "t"}}},
        {"UPDATE t1, t2 SET t1.a=t2.a WHERE t1.id=t2.id",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}, {"d", "t2"}}},
        {"UPDATE t1 INNER JOIN t2 ON t1.id = t2.id LEFT OUTER JOIN db3.t3 AS c USING (id) "
         "SET t1.a = 1",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}, {"d", "t2"}, {"db3", "t3"}}},
        {"UPDATE t1 a STRAIGHT_JOIN t2 b ON a.x=b.x CROSS JOIN t3 NATURAL JOIN t4 RIGHT JOIN t5 "
         "ON LEFT(a.s, 2) = RIGHT(b.s, 2) SET a.v=1",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}, {"d", "t2"}, {"d", "t3"}, {"d", "t4"}, {"d", "t5"}}},
        {"UPDATE t1 NATURAL LEFT OUTER JOIN t2 SET t1.a = 1",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}, {"d", "t2"}}},
        {"UPDATE (t1 JOIN t2 ON t1.a=t2.a) SET t1.b=1", D, "UPDATE", 0, {{"d", "t1"}, {"d", "t2"}}},
        {"UPDATE t0, ((t1 JOIN t2 ON (t1.a=t2.a)) LEFT JOIN t3 ON 1) SET t0.b=1",
         D,
         "UPDATE",
         0,
         {{"d", "t0"}, {"d", "t1"}, {"d", "t2"}, {"d", "t3"}}},
        {"UPDATE t1 JOIN t2 JOIN t3 ON t2.a = t3.a ON t1.a = t2.a SET t1.b = 1",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}, {"d", "t2"}, {"d", "t3"}}},
        /* a derived table is not a target */
        {"UPDATE t1 JOIN (SELECT id FROM t9 WHERE x IN (SELECT y FROM t8)) AS d ON d.id=t1.id "
         "SET t1.a=1",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}}},
        {"UPDATE t1, (SELECT 1 AS id) dt (i) SET t1.a = dt.i", D, "UPDATE", 0, {{"d", "t1"}}},
        {"UPDATE t1 JOIN LATERAL (SELECT t1.a) AS l ON 1 SET t1.a = 2",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}}},
        {"UPDATE t1 JOIN JSON_TABLE(t1.j, '$[*]' COLUMNS (x INT PATH '$')) AS jt ON 1 "
         "SET t1.a = jt.x",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}}},
        /* index hints, with FOR JOIN inside */
        {"UPDATE t1 USE INDEX (i1) JOIN t2 FORCE INDEX FOR JOIN (i2) ON t1.a = t2.a SET t1.b = 1",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}, {"d", "t2"}}},
        {"UPDATE t1 AS x IGNORE KEY FOR ORDER BY (k) USE INDEX FOR GROUP BY () SET a=1",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}}},
        {"UPDATE t1 PARTITION (p0) AS x SET a = 1", D, "UPDATE", 0, {{"d", "t1"}}},
        /* keywords in ON and after a dot are not clause starts */
        {"UPDATE t1 JOIN t2 ON t1.a = (SELECT MAX(x) FROM t7 JOIN t6 ON 1 WHERE 1) SET t1.b = 2",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}, {"d", "t2"}}},
        {"UPDATE t1 JOIN t2 ON t1.set = t2.join AND t2.`where` = 'SET' SET t1.a = 1",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}, {"d", "t2"}}},
        {"UPDATE { OJ t1 LEFT OUTER JOIN t2 ON t1.a = t2.a } SET t1.b = 1",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}, {"d", "t2"}}},
        /* duplicates once */
        {"UPDATE t1, t1 AS x, d.t1, `t1` SET t1.a = 1", D, "UPDATE", 0, {{"d", "t1"}}},
        /* CTE names are not tables; a qualified name is */
        {"WITH c AS (SELECT id FROM t9) UPDATE t1 JOIN c ON c.id = t1.id SET t1.a = 1",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}}},
        {"WITH RECURSIVE c (n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c WHERE n<5), `e` AS "
         "(SELECT 2) UPDATE t1, c, e, db.c SET t1.a=c.n",
         D,
         "UPDATE",
         0,
         {{"d", "t1"}, {"db", "c"}}},
        /* not understood: fail closed */
        {"UPDATE t1 FOR PORTION OF p FROM 1 TO 2 SET a = 1", D, "UPDATE", 1, {{"d", "t1"}}},
        {"UPDATE", D, "UPDATE", 1, {{NULL}}},
        {"UPDATE t1 WHERE a = 1", D, "UPDATE", 1, {{"d", "t1"}}},
        {"UPDATE t1 JOIN , t2 SET a = 1", D, "UPDATE", 1, {{"d", "t1"}}},
        {"UPDATE t1 LEFT t2 SET a = 1", D, "UPDATE", 1, {{"d", "t1"}}},
        {"UPDATE t1 JOIN t2 ON (a = 1 SET a = 1", D, "UPDATE", 1, {{"d", "t1"}, {"d", "t2"}}},
        {"UPDATE t SET a = db.f(1)", D, "UPDATE", 1, {{"d", "t"}}},
        {"UPDATE t SET a = f(1), b = t.c, c = 1.5 WHERE x.y IN (1)", D, "UPDATE", 0, {{"d", "t"}}},
    };
    RUN(cs);
}
END_TEST

START_TEST(stmt_delete)
{
    static const tcase cs[] = {
        {"DELETE FROM t WHERE a=1", D, "DELETE", 0, {{"d", "t"}}},
        {"delete low_priority quick ignore from db.t AS x PARTITION (p1) WHERE x.a=1 ORDER BY a "
         "LIMIT 5",
         D,
         "DELETE",
         0,
         {{"db", "t"}}},
        {"DELETE FROM t x WHERE x.a = 1", D, "DELETE", 0, {{"d", "t"}}},
        {"DELETE FROM t RETURNING *", D, "DELETE", 0, {{"d", "t"}}},
        {"DELETE HISTORY FROM t BEFORE SYSTEM_TIME '2020-01-01'", D, "DELETE", 0, {{"d", "t"}}},
        /* multi-table: the targets, through the aliases of the references */
        {"DELETE t1, t2 FROM t1 INNER JOIN t2 INNER JOIN t3 WHERE t1.id=t2.id AND t2.id=t3.id",
         D,
         "DELETE",
         0,
         {{"d", "t1"}, {"d", "t2"}}},
        {"DELETE FROM t1, t2 USING t1 INNER JOIN t2 INNER JOIN t3 WHERE t1.id=t2.id",
         D,
         "DELETE",
         0,
         {{"d", "t1"}, {"d", "t2"}}},
        {"DELETE a, b.* FROM db1.t1 AS a JOIN t2 b ON a.x = b.x",
         D,
         "DELETE",
         0,
         {{"db1", "t1"}, {"d", "t2"}}},
        {"DELETE FROM a.* USING t1 a, t2", D, "DELETE", 0, {{"d", "t1"}}},
        {"DELETE FROM t1.*, t2.* USING t1, t2, t3 WHERE 1",
         D,
         "DELETE",
         0,
         {{"d", "t1"}, {"d", "t2"}}},
        {"DELETE db1.t1 FROM db1.t1 JOIN t2", D, "DELETE", 0, {{"db1", "t1"}}},
        {"DELETE db1.t1.* FROM db1.t1 JOIN t2", D, "DELETE", 0, {{"db1", "t1"}}},
        {"DELETE T1 FROM t1 JOIN t2 ON 1", D, "DELETE", 0, {{"d", "t1"}}},
        {"DELETE t1 FROM t1 LEFT JOIN t2 ON t1.id=t2.id WHERE t2.id IS NULL",
         D,
         "DELETE",
         0,
         {{"d", "t1"}}},
        {"DELETE t1 FROM t1 JOIN (SELECT id FROM t5) AS t5 ON t5.id = t1.id",
         D,
         "DELETE",
         0,
         {{"d", "t1"}}},
        /* an alias that names no reference: every reference */
        {"DELETE x FROM t1 JOIN db2.t2", D, "DELETE", 0, {{"d", "t1"}, {"db2", "t2"}}},
        {"WITH c AS (SELECT 1 AS id) DELETE t1 FROM t1 JOIN c ON c.id = t1.id",
         D,
         "DELETE",
         0,
         {{"d", "t1"}}},
        /* not understood */
        {"DELETE", D, "DELETE", 1, {{NULL}}},
        {"DELETE FROM", D, "DELETE", 1, {{NULL}}},
        {"DELETE FROM t1, t2 WHERE 1", D, "DELETE", 1, {{"d", "t1"}, {"d", "t2"}}},
        {"DELETE t1 FROM", D, "DELETE", 1, {{"d", "t1"}}},
        {"DELETE t1 WHERE 1", D, "DELETE", 1, {{"d", "t1"}}},
        {"DELETE t1.x FROM t1", D, "DELETE", 0, {{"t1", "x"}}},
        {"DELETE t1.+ FROM t1", D, "DELETE", 1, {{"d", "t1"}}},
        {"DELETE FROM t WHERE a = db.f(1)", D, "DELETE", 1, {{"d", "t"}}},
    };
    RUN(cs);
}
END_TEST

START_TEST(stmt_load)
{
    static const tcase cs[] = {
        {"LOAD DATA INFILE '/tmp/x INTO TABLE y' INTO TABLE t FIELDS TERMINATED BY ','",
         D,
         "LOAD DATA",
         0,
         {{"d", "t"}}},
        {"LOAD DATA LOW_PRIORITY LOCAL INFILE 'f' REPLACE INTO TABLE db.t CHARACTER SET utf8 "
         "(a, @b) SET c = @b",
         D,
         "LOAD DATA",
         0,
         {{"db", "t"}}},
        {"load data concurrent infile 'f' ignore into table `t`", D, "LOAD DATA", 0, {{"d", "t"}}},
        {"LOAD XML LOCAL INFILE 'f.xml' INTO TABLE t ROWS IDENTIFIED BY '<row>'",
         D,
         "LOAD XML",
         0,
         {{"d", "t"}}},
        {"LOAD DATA INFILE 'f' INTO INTO TABLE t", D, "LOAD DATA", 0, {{"d", "t"}}},
        {"LOAD INDEX INTO CACHE t1", O, NULL, 0, {{NULL}}},
        {"LOAD DATA INFILE 'f'", D, "LOAD DATA", 1, {{NULL}}},
        {"LOAD DATA INFILE 'f' INTO TABLE", D, "LOAD DATA", 1, {{NULL}}},
        {"LOAD", D, "LOAD DATA", 1, {{NULL}}},
    };
    RUN(cs);
}
END_TEST

START_TEST(stmt_create)
{
    static const tcase cs[] = {
        {"CREATE TABLE t2 SELECT * FROM t1", D, "CREATE TABLE ... SELECT", 0, {{"d", "t2"}}},
        {"CREATE TABLE t2 (a int, KEY(a)) ENGINE=InnoDB SELECT b FROM t1",
         D,
         "CREATE TABLE ... SELECT",
         0,
         {{"d", "t2"}}},
        {"create table if not exists db.t2 as select 1",
         D,
         "CREATE TABLE ... SELECT",
         0,
         {{"db", "t2"}}},
        {"CREATE TABLE t2 AS (SELECT 1)", D, "CREATE TABLE ... SELECT", 0, {{"d", "t2"}}},
        {"CREATE TABLE t2 (SELECT 1)", D, "CREATE TABLE ... SELECT", 0, {{"d", "t2"}}},
        {"CREATE TABLE t2 AS WITH c AS (SELECT 1) SELECT * FROM c",
         D,
         "CREATE TABLE ... SELECT",
         0,
         {{"d", "t2"}}},
        {"CREATE TABLE t2 VALUES ROW(1)", D, "CREATE TABLE ... SELECT", 0, {{"d", "t2"}}},
        {"CREATE TABLE t2 (TABLE t1)", D, "CREATE TABLE ... SELECT", 0, {{"d", "t2"}}},
        {"CREATE TABLE t2 AS TABLE t1", D, "CREATE TABLE ... SELECT", 0, {{"d", "t2"}}},
        {"CREATE OR REPLACE TEMPORARY TABLE t2 ENGINE=InnoDB IGNORE SELECT 1",
         D,
         "CREATE TABLE ... SELECT",
         0,
         {{"d", "t2"}},
         0,
         NULL,
         1},
        {"CREATE TABLE t2 LIKE t1", O, NULL, 0, {{NULL}}},
        {"CREATE TABLE t2 (LIKE t1)", O, NULL, 0, {{NULL}}},
        {"CREATE TEMPORARY TABLE t (a int)", O, NULL, 0, {{NULL}}},
        {"CREATE TABLE t2 (a int COMMENT 'SELECT', `select` int) /* SELECT */ -- SELECT\n",
         O,
         NULL,
         0,
         {{NULL}}},
        {"CREATE TABLE t2 (a int) PARTITION BY LIST (a) (PARTITION p0 VALUES IN (1,2))",
         O,
         NULL,
         0,
         {{NULL}}},
        {"CREATE TABLE t2 (a int) PARTITION BY RANGE (a) (PARTITION p0 VALUES LESS THAN (10))",
         O,
         NULL,
         0,
         {{NULL}}},
        {"CREATE TABLE t (a int) WITH SYSTEM VERSIONING", O, NULL, 0, {{NULL}}},
        {"CREATE VIEW v AS SELECT * FROM t", O, NULL, 0, {{NULL}}},
        {"CREATE OR REPLACE VIEW v AS SELECT * FROM t", O, NULL, 0, {{NULL}}},
        {"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = (SELECT 1)",
         O,
         NULL,
         0,
         {{NULL}}},
        {"CREATE PROCEDURE p() BEGIN DELETE FROM t; END", O, NULL, 0, {{NULL}}},
        {"CREATE FUNCTION f() RETURNS int RETURN (SELECT 1)", O, NULL, 0, {{NULL}}},
        {"CREATE DATABASE d", O, NULL, 0, {{NULL}}},
        {"CREATE INDEX i ON t (a)", O, NULL, 0, {{NULL}}},
        /* cut short: a query may have followed */
        {"CREATE TABLE t (a int) SELECT x FROM u WHERE y = 'SELECT",
         D,
         "CREATE TABLE ... SELECT",
         1,
         {{"d", "t"}}},
        {"CREATE TABLE t (a varchar(3) DEFAULT 'ab", D, "CREATE TABLE ... SELECT", 1, {{"d", "t"}}},
        {"CREATE TABLE t (a int", D, "CREATE TABLE ... SELECT", 1, {{"d", "t"}}},
        {"CREATE TABLE (a int) SELECT 1", D, "CREATE TABLE ... SELECT", 1, {{NULL}}},
    };
    RUN(cs);
}
END_TEST

START_TEST(stmt_truncate_alter)
{
    static const tcase cs[] = {
        {"TRUNCATE TABLE t", TR, "TRUNCATE", 0, {{"d", "t"}}},
        {"truncate db.t", TR, "TRUNCATE", 0, {{"db", "t"}}},
        {"TRUNCATE TABLE `t` WAIT 5", TR, "TRUNCATE", 0, {{"d", "t"}}},
        {"Truncate t NOWAIT", TR, "TRUNCATE", 0, {{"d", "t"}}},
        {"TRUNCATE", TR, "TRUNCATE", 1, {{NULL}}},
        {"TRUNCATE TABLE", TR, "TRUNCATE", 1, {{NULL}}},
        {"ALTER TABLE t DROP PARTITION p0, p1",
         D,
         "ALTER TABLE ... DROP PARTITION",
         0,
         {{"d", "t"}}},
        {"alter table db.t truncate partition all",
         D,
         "ALTER TABLE ... TRUNCATE PARTITION",
         0,
         {{"db", "t"}}},
        {"ALTER ONLINE IGNORE TABLE IF EXISTS t ALGORITHM=INPLACE, DROP PARTITION IF EXISTS p0",
         D,
         "ALTER TABLE ... DROP PARTITION",
         0,
         {{"d", "t"}}},
        {"ALTER TABLE t EXCHANGE PARTITION p0 WITH TABLE db2.t2 WITHOUT VALIDATION",
         D,
         "ALTER TABLE ... EXCHANGE PARTITION",
         0,
         {{"d", "t"}, {"db2", "t2"}}},
        {"ALTER TABLE t CONVERT PARTITION p0 TO TABLE t2",
         D,
         "ALTER TABLE ... CONVERT PARTITION",
         0,
         {{"d", "t"}, {"d", "t2"}}},
        {"ALTER TABLE t CONVERT TABLE t2 TO PARTITION p1 VALUES LESS THAN (10)",
         D,
         "ALTER TABLE ... CONVERT TABLE",
         0,
         {{"d", "t"}, {"d", "t2"}}},
        {"ALTER TABLE t EXCHANGE PARTITION p0 WITH",
         D,
         "ALTER TABLE ... EXCHANGE PARTITION",
         1,
         {{"d", "t"}}},
        {"ALTER TABLE t EXCHANGE PARTITION",
         D,
         "ALTER TABLE ... EXCHANGE PARTITION",
         1,
         {{"d", "t"}}},
        {"ALTER TABLE t ADD COLUMN c int COMMENT 'DROP PARTITION p'", O, NULL, 0, {{NULL}}},
        {"ALTER TABLE t ADD PARTITION (PARTITION p3 VALUES LESS THAN (30))", O, NULL, 0, {{NULL}}},
        {"ALTER TABLE t REORGANIZE PARTITION p0 INTO (PARTITION a VALUES LESS THAN (1), "
         "PARTITION b VALUES LESS THAN (2))",
         O,
         NULL,
         0,
         {{NULL}}},
        {"ALTER TABLE t PARTITION BY HASH (a) PARTITIONS 4", O, NULL, 0, {{NULL}}},
        {"ALTER TABLE t REMOVE PARTITIONING", O, NULL, 0, {{NULL}}},
        {"ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4", O, NULL, 0, {{NULL}}},
        {"ALTER TABLE t DROP COLUMN c, DROP INDEX i", O, NULL, 0, {{NULL}}},
        {"ALTER TABLE t ADD COLUMN exchange int, DROP COLUMN x.partition", O, NULL, 0, {{NULL}}},
        {"ALTER DATABASE d CHARACTER SET utf8", O, NULL, 0, {{NULL}}},
        {"ALTER VIEW v AS SELECT 1", O, NULL, 0, {{NULL}}},
        {"ALTER TABLE t COMMENT 'abc", D, "ALTER TABLE", 1, {{"d", "t"}}},
        {"ALTER TABLE t ADD COLUMN (a int", D, "ALTER TABLE", 1, {{"d", "t"}}},
    };
    RUN(cs);
}
END_TEST

START_TEST(stmt_routines_and_prefixes)
{
    static const tcase cs[] = {
        {"SELECT f(1)", D, "SELECT", 1, {{NULL}}},
        {"select `db`.`f`(1)", D, "SELECT", 1, {{NULL}}},
        {"(SELECT f(1)) UNION (SELECT g(2))", D, "SELECT", 1, {{NULL}}},
        {"(", D, "SELECT", 1, {{NULL}}}, /* only a query expression starts with '(' */
        {"WITH c AS (SELECT 1) SELECT f(n) FROM c", D, "SELECT", 1, {{NULL}}},
        {"WITH c AS (SELECT 1) (SELECT f(n) FROM c)", D, "SELECT", 1, {{NULL}}},
        {"DO f(1)", D, "DO", 1, {{NULL}}},
        {"CALL p(1)", D, "CALL", 1, {{NULL}}},
        {"call db.p()", D, "CALL", 1, {{NULL}}},
        {"WITH c AS (SELECT 1)", D, "WITH", 1, {{NULL}}},
        {"WITH c AS (SELECT 1) CREATE TABLE x (a int)", D, "WITH", 1, {{NULL}}},
        {"WITH", D, "WITH", 1, {{NULL}}},
        {"WITH c (SELECT 1) UPDATE t SET a = 1", D, "WITH", 1, {{NULL}}},
        /* MariaDB SET STATEMENT ... FOR and ANALYZE run the statement */
        {"SET STATEMENT max_statement_time=60 FOR DELETE FROM t", D, "DELETE", 0, {{"d", "t"}}},
        {"SET STATEMENT sql_mode=CONCAT('FOR', 'b'), x=(1) FOR UPDATE t SET a=1",
         D,
         "UPDATE",
         0,
         {{"d", "t"}}},
        {"SET STATEMENT x=1 FOR SET STATEMENT y=2 FOR INSERT INTO t VALUES (1)",
         D,
         "INSERT",
         0,
         {{"d", "t"}}},
        {"SET STATEMENT x=1", O, NULL, 0, {{NULL}}},
        {"ANALYZE FORMAT=JSON DELETE FROM t", D, "DELETE", 0, {{"d", "t"}}},
        {"ANALYZE UPDATE t SET a = 1", D, "UPDATE", 0, {{"d", "t"}}},
        {"ANALYZE TABLE t", O, NULL, 0, {{NULL}}},
        {"ANALYZE NO_WRITE_TO_BINLOG TABLE t", O, NULL, 0, {{NULL}}},
    };
    RUN(cs);
}
END_TEST

START_TEST(stmt_other)
{
    static const char *const qs[] = {
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT s",
        "ROLLBACK TO SAVEPOINT s",
        "XA START 'x'",
        "XA END 'x'",
        "XA PREPARE 'x'",
        "XA COMMIT 'x'",
        "GRANT SELECT ON *.* TO u",
        "REVOKE ALL ON db.* FROM u",
        "FLUSH TABLES",
        "OPTIMIZE TABLE t",
        "REPAIR TABLE t",
        "DROP TABLE t",
        "DROP TABLE IF EXISTS t1, t2",
        "RENAME TABLE a TO b",
        "DROP DATABASE d",
        "DROP TRIGGER tr",
        "SET @a = 1",
        "SET NAMES utf8mb4",
        "SET sql_mode = 'ANSI'",
        "SET @x = (SELECT 1)",
        "USE d",
        "CREATE USER u",
        "INSTALL PLUGIN p SONAME 'p.so'",
        "-",
        ")",
        ";",
        "'",
        "EXPLAIN SELECT 1",
        "HANDLER t READ FIRST",
        "BINLOG 'AAAA'",
    };
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        tcase c = {qs[i], O, NULL, 0, {{NULL}}, 0, NULL, 0};
        check_case(&c);
    }
}
END_TEST

/* More targets than BD_STMT_MAX_TABLES: the first 16 and tables_unknown. */
START_TEST(stmt_many_tables)
{
    char q[4096];
    size_t o = 0;
    bd_stmt s;
    o += (size_t)snprintf(q + o, sizeof q - o, "UPDATE t0");
    for (int i = 1; i < 17; i++)
        o += (size_t)snprintf(q + o, sizeof q - o, ", t%d", i);
    snprintf(q + o, sizeof q - o, " SET t0.a = 1");
    classify_n(&s, q, strlen(q), "d", 0);
    ck_assert_int_eq(s.ntables, 16);
    ck_assert_int_eq(s.tables_unknown, 1);
    ck_assert_str_eq(s.tables[15].table, "t15");

    /* exactly 16 fit */
    o = (size_t)snprintf(q, sizeof q, "DELETE t0");
    for (int i = 1; i < 16; i++)
        o += (size_t)snprintf(q + o, sizeof q - o, ", t%d", i);
    o += (size_t)snprintf(q + o, sizeof q - o, " FROM t0");
    for (int i = 1; i < 16; i++)
        o += (size_t)snprintf(q + o, sizeof q - o, " JOIN t%d ON 1", i);
    classify_n(&s, q, strlen(q), "d", 0);
    ck_assert_int_eq(s.ntables, 16);
    ck_assert_int_eq(s.tables_unknown, 0);

    /* more references than the parser keeps (32) */
    o = (size_t)snprintf(q, sizeof q, "DELETE t0 FROM t0");
    for (int i = 1; i < 40; i++)
        o += (size_t)snprintf(q + o, sizeof q - o, ", t%d", i);
    classify_n(&s, q, strlen(q), "d", 0);
    ck_assert_int_eq(s.tables_unknown, 1);
    ck_assert_int_ge(s.ntables, 1);
    ck_assert_str_eq(s.tables[0].table, "t0");
}
END_TEST

/* Deep nesting and huge texts: no stack growth with depth, linear time. */
START_TEST(stmt_deep_and_huge)
{
    size_t n = 200000;
    char *q = malloc(n + 64);
    bd_stmt s;
    strcpy(q, "UPDATE ");
    memset(q + 7, '(', n);
    strcpy(q + 7 + n, "t SET a = 1");
    classify_n(&s, q, strlen(q), "d", 0);
    ck_assert(s.kind == D && s.tables_unknown);

    /* 40 levels of parenthesised joins: over the depth limit, fail closed */
    size_t o = (size_t)sprintf(q, "UPDATE ");
    for (int i = 0; i < 40; i++)
        o += (size_t)sprintf(q + o, "(");
    o += (size_t)sprintf(q + o, "t1");
    for (int i = 0; i < 40; i++)
        o += (size_t)sprintf(q + o, ")");
    sprintf(q + o, " SET a = 1");
    classify_n(&s, q, strlen(q), "d", 0);
    ck_assert(s.kind == D && s.tables_unknown);
    /* 10 levels are read */
    o = (size_t)sprintf(q, "UPDATE ");
    for (int i = 0; i < 10; i++)
        o += (size_t)sprintf(q + o, "(");
    o += (size_t)sprintf(q + o, "t1");
    for (int i = 0; i < 10; i++)
        o += (size_t)sprintf(q + o, ")");
    sprintf(q + o, " SET a = 1");
    classify_n(&s, q, strlen(q), "d", 0);
    ck_assert(s.kind == D && !s.tables_unknown && s.ntables == 1);

    /* a big INSERT: read to the end once */
    free(q);
    n = 4 << 20;
    q = malloc(n);
    o = (size_t)sprintf(q, "INSERT INTO t VALUES ");
    while (o + 32 < n)
        o += (size_t)sprintf(q + o, "(1,'a\\'b',\"c\"),");
    q[o - 1] = ' ';
    classify_n(&s, q, o, "d", 0);
    ck_assert(s.kind == D && !s.tables_unknown && s.ntables == 1);
    memset(q, '(', n);
    classify_n(&s, q, n, "d", 0);
    ck_assert(s.kind == D && s.tables_unknown);
    free(q);
}
END_TEST

START_TEST(stmt_sql_mode_flags)
{
    ck_assert_uint_eq(bd_stmt_flags_from_sql_mode(0), 0);
    ck_assert_uint_eq(bd_stmt_flags_from_sql_mode(4), BD_STMT_ANSI_QUOTES);
    ck_assert_uint_eq(bd_stmt_flags_from_sql_mode(0x100000), BD_STMT_NO_BACKSLASH_ESCAPES);
    ck_assert_uint_eq(bd_stmt_flags_from_sql_mode(0x100004), ANSI | NBE);
    /* MySQL 8's default mode (ONLY_FULL_GROUP_BY, STRICT_TRANS_TABLES,
     * NO_ZERO_IN_DATE, NO_ZERO_DATE, ERROR_FOR_DIVISION_BY_ZERO,
     * NO_ENGINE_SUBSTITUTION) changes no lexing */
    ck_assert_uint_eq(bd_stmt_flags_from_sql_mode(0x20 | 0x200000 | 0x800000 | 0x1000000 |
                                                  0x4000000 | 0x40000000),
                      0);
    /* sql_mode=ANSI as the server keeps it: expanded, ANSI_QUOTES included */
    ck_assert_uint_eq(bd_stmt_flags_from_sql_mode(0x1 | 0x2 | 0x4 | 0x8 | 0x20 | 0x40000), ANSI);
    ck_assert_uint_eq(bd_stmt_flags_from_sql_mode(~0ULL), ANSI | NBE);
}
END_TEST

/* Charsets whose second byte may be a backslash or backtick. */
START_TEST(stmt_charsets)
{
#define SJIS BD_STMT_CS_SJIS
#define GBK BD_STMT_CS_GBK
    static const tcase cs[] = {
        /* sjis 0x83 0x5C ends in a backslash: without the flag the string
         * runs on, the text looks cut and the ALTER fails closed */
        {"ALTER TABLE t COMMENT '\x83\x5c'", O, NULL, 0, {{NULL}}, SJIS},
        {"ALTER TABLE t COMMENT '\x83\x5c'", D, "ALTER TABLE", 1, {{"d", "t"}}},
        {"CREATE TABLE t (a int COMMENT '\x95\x5c') SELECT 1 -- ')",
         D,
         "CREATE TABLE ... SELECT",
         0,
         {{"d", "t"}},
         SJIS},
        {"CREATE TABLE t (a int COMMENT '\x95\x5c') SELECT 1 -- ')", O, NULL, 0, {{NULL}}},
        /* half-width katakana are single bytes in sjis */
        {"ALTER TABLE t COMMENT '\xb1'", O, NULL, 0, {{NULL}}, SJIS},
        {"INSERT INTO \x95\x5c VALUES (1)", D, "INSERT", 0, {{"d", "\x95\x5c"}}, SJIS},
        {"INSERT INTO `\x81\x60` VALUES (1)", D, "INSERT", 0, {{"d", "\x81\x60"}}, GBK},
        /* read byte by byte, 0x60 0x60 is a doubled backtick: the name runs on */
        {"INSERT INTO `\x81\x60` VALUES (1)", D, "INSERT", 1, {{NULL}}},
        {"UPDATE t SET a = '\x81\x5c' WHERE b = 'x'", D, "UPDATE", 0, {{"d", "t"}}, GBK},
        {"UPDATE t SET a = '\x81\x5c' WHERE b = 'x'", D, "UPDATE", 1, {{"d", "t"}}},
        /* gb18030 four-byte characters are two pairs */
        {"INSERT INTO t\x81\x30\x81\x30 VALUES ('\x81\x30\x81\x30')",
         D,
         "INSERT",
         0,
         {{"d", "t\x81\x30\x81\x30"}},
         GBK},
        /* a lead byte last */
        {"INSERT INTO t\x81", D, "INSERT", 0, {{"d", "t\x81"}}, GBK},
        {"INSERT INTO t VALUES ('\x81'", D, "INSERT", 1, {{"d", "t"}}, GBK},
    };
    RUN(cs);
    ck_assert_uint_eq(bd_stmt_flags_from_charset(NULL), 0);
    ck_assert_uint_eq(bd_stmt_flags_from_charset("utf8mb4"), 0);
    ck_assert_uint_eq(bd_stmt_flags_from_charset("latin1"), 0);
    ck_assert_uint_eq(bd_stmt_flags_from_charset("ujis"), 0);
    ck_assert_uint_eq(bd_stmt_flags_from_charset("sjis"), SJIS);
    ck_assert_uint_eq(bd_stmt_flags_from_charset("cp932"), SJIS);
    ck_assert_uint_eq(bd_stmt_flags_from_charset("gbk"), GBK);
    ck_assert_uint_eq(bd_stmt_flags_from_charset("big5"), GBK);
    ck_assert_uint_eq(bd_stmt_flags_from_charset("gb18030"), GBK);
}
END_TEST

static uint32_t rnd(uint32_t *x)
{
    *x = *x * 1103515245u + 12345u;
    return *x >> 8;
}

/* Random bytes, and random soups of SQL fragments that reach deeper into
 * the parsers: classify never crashes or reads past n, and what it returns
 * keeps the invariants. */
START_TEST(stmt_property_random)
{
    static const char alpha[] = "'\"`\\/*!-#M0123456789(),.;= \n\tabtSELECTfromFROM\x80\xff";
    static const char *const frag[] = {
        "INSERT ", "INTO ",  "UPDATE ",    "DELETE ",    "FROM ",     "USING ",     "SET ",
        "JOIN ",   "LEFT ",  "ON ",        "WITH ",      "AS ",       "SELECT ",    "TABLE ",
        "CREATE ", "ALTER ", "TRUNCATE ",  "PARTITION ", "EXCHANGE ", "CONVERT ",   "DROP ",
        "LOAD ",   "DATA ",  "STATEMENT ", "FOR ",       "ANALYZE ",  "INDEX ",     "USE ",
        "t1 ",     "db.",    "`a``b`",     "\"x\"",      "'s'",       "'",          "\"",
        "`",       "(",      ")",          ",",          ".",         "*",          "{",
        "}",       "OJ ",    "/*",         "*/",         "/*!",       "/*M!100000", "-- ",
        "#",       "\n",     "\\",         "LATERAL ",   "x ",        "f(",         "`",
        "\x00"};
    uint32_t seed = 20240611u;
    char buf[512];
    bd_stmt s;
    for (int it = 0; it < 20000; it++) {
        size_t n = rnd(&seed) % 200;
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)(rnd(&seed) & 1 ? (int)(rnd(&seed) & 0xff)
                                           : alpha[rnd(&seed) % (sizeof alpha - 1)]);
        classify_n(&s, buf, n, it & 1 ? "d" : "", rnd(&seed) & 15);
    }
    for (int it = 0; it < 30000; it++) {
        size_t n = 0, k = rnd(&seed) % 30;
        for (size_t i = 0; i < k; i++) {
            const char *f = frag[rnd(&seed) % (sizeof frag / sizeof frag[0])];
            size_t fl = f[0] ? strlen(f) : 1; /* the "\x00" fragment is one NUL byte */
            if (n + fl > sizeof buf) break;
            memcpy(buf + n, f, fl);
            n += fl;
        }
        classify_n(&s, buf, n, "d", rnd(&seed) & 15);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stmt");
    TCase *tc = tcase_create("stmt");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, stmt_insert_replace);
    tcase_add_test(tc, stmt_comments);
    tcase_add_test(tc, stmt_strings_modes);
    tcase_add_test(tc, stmt_names);
    tcase_add_test(tc, stmt_name_limits);
    tcase_add_test(tc, stmt_update);
    tcase_add_test(tc, stmt_delete);
    tcase_add_test(tc, stmt_load);
    tcase_add_test(tc, stmt_create);
    tcase_add_test(tc, stmt_truncate_alter);
    tcase_add_test(tc, stmt_routines_and_prefixes);
    tcase_add_test(tc, stmt_other);
    tcase_add_test(tc, stmt_many_tables);
    tcase_add_test(tc, stmt_deep_and_huge);
    tcase_add_test(tc, stmt_sql_mode_flags);
    tcase_add_test(tc, stmt_charsets);
    tcase_add_test(tc, stmt_property_random);
    suite_add_tcase(s, tc);
    return tu_run(s) ? 1 : 0;
}
