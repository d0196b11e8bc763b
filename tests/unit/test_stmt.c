/* test_stmt.c - classifying the text of QUERY events: each statement form,
 * the lexing rules (comments, executable comments, strings, quoted names,
 * ANSI_QUOTES, NO_BACKSLASH_ESCAPES), name limits, texts cut short, and a
 * property test on random bytes.  Then bd_stmt_ddl(), the tables whose
 * definition a DDL may change, on every form it reads and on statements
 * that are not DDL, and bd_stmt_split_use() on SHOW BINLOG EVENTS' Info.
 * Every text is classified from a heap copy of exactly its length, so
 * valgrind and ASan see any read past n. */
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
#define DDL BD_STMT_DDL

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

/* bd_stmt_ddl(): 1 exactly when DDL, all zero on 0, names NUL-terminated
 * and at most 64 bytes, an empty table only in a whole-database entry. */
static void check_ddl_invariants(const bd_stmt *s, int rc)
{
    static const bd_stmt zero;
    ck_assert(rc == 0 || rc == 1);
    ck_assert((rc == 1) == (s->kind == DDL));
    if (!rc) ck_assert(!memcmp(s, &zero, sizeof zero));
    if (rc) ck_assert(s->verb != NULL);
    ck_assert_int_le(s->ntables, BD_STMT_MAX_TABLES);
    int empty = 0;
    for (size_t i = 0; i < s->ntables; i++) {
        ck_assert(memchr(s->tables[i].db, '\0', 65) != NULL);
        ck_assert(memchr(s->tables[i].table, '\0', 65) != NULL);
        if (!s->tables[i].table[0]) {
            empty = 1;
            ck_assert_int_gt(strlen(s->tables[i].db), 0);
        }
    }
    ck_assert_int_eq(empty, s->whole_db);
}

/* bd_stmt_ddl() on a heap copy of exactly n bytes (and of the database name). */
static int ddl_n(bd_stmt *s, const char *q, size_t n, const char *db, unsigned flags)
{
    char *b = malloc(n ? n : 1);
    size_t dbn = strlen(db);
    char *d = malloc(dbn ? dbn : 1);
    memcpy(b, q, n);
    memcpy(d, db, dbn);
    int rc = bd_stmt_ddl(s, b, n, d, dbn, flags);
    free(b);
    free(d);
    check_ddl_invariants(s, rc);
    return rc;
}

/* Classify a heap copy of exactly n bytes (and of the database name); the
 * same bytes through bd_stmt_ddl() keep its invariants too. */
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
    bd_stmt x;
    ddl_n(&x, q, n, db, flags);
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

/* ---- bd_stmt_ddl -------------------------------------------------------- */

typedef struct dcase {
    const char *q;
    int ddl; /* the return value */
    const char *verb;
    int unknown;
    const char *t[8][2]; /* expected (db, table), in order; ends at a NULL db */
    unsigned flags;
    const char *db; /* default database; NULL means "d" */
    int temporary;
    int whole_db;
} dcase;

static void check_dcase(const dcase *c)
{
    bd_stmt s;
    const char *db = c->db ? c->db : "d";
    size_t n = strlen(c->q), want = 0;
    int rc = ddl_n(&s, c->q, n, db, c->flags);
    ck_assert_msg(rc == c->ddl, "%s: returned %d, want %d", c->q, rc, c->ddl);
    ck_assert_msg(c->verb ? s.verb && !strcmp(s.verb, c->verb) : !s.verb, "%s: verb %s, want %s",
                  c->q, s.verb ? s.verb : "NULL", c->verb ? c->verb : "NULL");
    ck_assert_msg(s.tables_unknown == c->unknown, "%s: tables_unknown %d", c->q, s.tables_unknown);
    ck_assert_msg(s.temporary == c->temporary, "%s: temporary %d", c->q, s.temporary);
    ck_assert_msg(s.whole_db == c->whole_db, "%s: whole_db %d", c->q, s.whole_db);
    while (want < 8 && c->t[want][0])
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
        ddl_n(&s, c->q, k, db, c->flags);
}

static void run_dcases(const dcase *cs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        check_dcase(&cs[i]);
}

#define RUND(cs) run_dcases(cs, sizeof cs / sizeof cs[0])
#define AT "ALTER TABLE"

START_TEST(ddl_alter)
{
    static const dcase cs[] = {
        {"ALTER TABLE t ADD COLUMN c int", 1, AT, 0, {{"d", "t"}}},
        {"alter table db.t modify c enum('a','b','c') not null", 1, AT, 0, {{"db", "t"}}},
        {"ALTER ONLINE IGNORE TABLE IF EXISTS `t` ADD UNIQUE KEY (a)", 1, AT, 0, {{"d", "t"}}},
        {"ALTER OFFLINE TABLE t DROP PRIMARY KEY", 1, AT, 0, {{"d", "t"}}},
        {"ALTER TABLE t ADD SYSTEM VERSIONING", 1, AT, 0, {{"d", "t"}}},
        {"ALTER TABLE t DROP SYSTEM VERSIONING", 1, AT, 0, {{"d", "t"}}},
        {"ALTER TABLE t WAIT 5 ADD c int", 1, AT, 0, {{"d", "t"}}},
        {"ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4", 1, AT, 0, {{"d", "t"}}},
        {"ALTER TABLE t DROP PARTITION p0", 1, AT, 0, {{"d", "t"}}},
        {"ALTER TABLE t COMMENT 'RENAME TO x', ADD c int", 1, AT, 0, {{"d", "t"}}},
        {"/*!40000 ALTER TABLE `t` DROP KEY k */", 1, AT, 0, {{"d", "t"}}},
        {"/*M!100300 ALTER TABLE t ADD c int */", 1, AT, 0, {{"d", "t"}}},
        {"  -- c\n/* x */ AlTeR /* y */ TaBlE # z\n T ADD c int", 1, AT, 0, {{"d", "T"}}},
        /* RENAME [TO|AS]: both names */
        {"ALTER TABLE t RENAME TO t2", 1, AT, 0, {{"d", "t"}, {"d", "t2"}}},
        {"ALTER TABLE t RENAME AS db2.t2", 1, AT, 0, {{"d", "t"}, {"db2", "t2"}}},
        {"ALTER TABLE db1.t RENAME t2", 1, AT, 0, {{"db1", "t"}, {"d", "t2"}}},
        {"ALTER TABLE t ADD c int, RENAME TO `new t`, ALGORITHM=COPY",
         1,
         AT,
         0,
         {{"d", "t"}, {"d", "new t"}}},
        {"ALTER TABLE t ADD COLUMN (a int, b int), RENAME TO u",
         1,
         AT,
         0,
         {{"d", "t"}, {"d", "u"}}},
        {"ALTER TABLE t RENAME `column`", 1, AT, 0, {{"d", "t"}, {"d", "column"}}},
        {"ALTER TABLE t /*!50100 RENAME TO u */", 1, AT, 0, {{"d", "t"}, {"d", "u"}}},
        /* RENAME COLUMN/INDEX/KEY rename no table */
        {"ALTER TABLE t RENAME COLUMN a TO b", 1, AT, 0, {{"d", "t"}}},
        {"ALTER TABLE t RENAME INDEX i TO j, RENAME KEY k TO l, DROP c", 1, AT, 0, {{"d", "t"}}},
        /* the other table of EXCHANGE and CONVERT */
        {"ALTER TABLE t EXCHANGE PARTITION p0 WITH TABLE db2.t2 WITHOUT VALIDATION",
         1,
         AT,
         0,
         {{"d", "t"}, {"db2", "t2"}}},
        {"ALTER TABLE t CONVERT PARTITION p0 TO TABLE t2", 1, AT, 0, {{"d", "t"}, {"d", "t2"}}},
        {"ALTER TABLE t CONVERT TABLE t2 TO PARTITION p1 VALUES LESS THAN (10)",
         1,
         AT,
         0,
         {{"d", "t"}, {"d", "t2"}}},
        /* sequences */
        {"ALTER SEQUENCE s RESTART 100", 1, "ALTER SEQUENCE", 0, {{"d", "s"}}},
        {"alter sequence if exists db.s increment by 2", 1, "ALTER SEQUENCE", 0, {{"db", "s"}}},
        /* cut short or not understood: fail closed */
        {"ALTER TABLE t RENAME", 1, AT, 1, {{"d", "t"}}},
        {"ALTER TABLE t RENAME TO", 1, AT, 1, {{"d", "t"}}},
        {"ALTER TABLE", 1, AT, 1, {{NULL}}},
        {"ALTER TABLE IF t ADD c int", 1, AT, 1, {{NULL}}},
        {"ALTER TABLE t COMMENT 'abc", 1, AT, 1, {{"d", "t"}}},
        {"ALTER TABLE t ADD COLUMN (a int", 1, AT, 1, {{"d", "t"}}},
        {"ALTER TABLE t ADD c int /* x", 1, AT, 1, {{"d", "t"}}},
        {"/*!40000 ALTER TABLE t DISABLE KEYS", 1, AT, 1, {{"d", "t"}}},
        {"/*!40000 ALTER TABLE t DROP KEY k", 1, AT, 1, {{"d", "t"}}},
        {"ALTER TABLE t EXCHANGE PARTITION p0 WITH", 1, AT, 1, {{"d", "t"}}},
        {"ALTER TABLE t EXCHANGE PARTITION", 1, AT, 1, {{"d", "t"}}},
        {"ALTER TABLE t CONVERT PARTITION p0 INTO t2", 1, AT, 1, {{"d", "t"}}},
        {"ALTER SEQUENCE", 1, "ALTER SEQUENCE", 1, {{NULL}}},
        {"ALTER", 1, "ALTER", 1, {{NULL}}},
        {"ALTER WIDGET w", 1, "ALTER", 1, {{NULL}}},
        {"ALTER TABLE_X t", 1, "ALTER", 1, {{NULL}}},
        {"ALTER ONLINE SEQUENCE s", 1, "ALTER", 1, {{NULL}}},
        {"ALTER IGNORE VIEW v AS SELECT 1", 1, "ALTER", 1, {{NULL}}},
        /* #mysql50# names: every table moves */
        {"ALTER DATABASE `#mysql50#a-b` UPGRADE DATA DIRECTORY NAME",
         1,
         "ALTER DATABASE ... UPGRADE",
         1,
         {{NULL}}},
        {"ALTER DATABASE d COMMENT 'x", 1, "ALTER DATABASE ... UPGRADE", 1, {{NULL}}},
        /* change no table definition */
        {"ALTER DATABASE d CHARACTER SET utf8mb4", 0, NULL, 0, {{NULL}}},
        {"ALTER SCHEMA DEFAULT COLLATE utf8mb4_bin", 0, NULL, 0, {{NULL}}},
        {"ALTER VIEW v AS SELECT * FROM t", 0, NULL, 0, {{NULL}}},
        {"ALTER ALGORITHM=MERGE VIEW v AS SELECT 1", 0, NULL, 0, {{NULL}}},
        {"ALTER DEFINER=`u`@`%` SQL SECURITY INVOKER VIEW v AS SELECT 1", 0, NULL, 0, {{NULL}}},
        {"ALTER DEFINER=root@localhost EVENT e ENABLE", 0, NULL, 0, {{NULL}}},
        {"ALTER EVENT e DISABLE", 0, NULL, 0, {{NULL}}},
        {"ALTER FUNCTION f COMMENT 'x'", 0, NULL, 0, {{NULL}}},
        {"ALTER PROCEDURE p SQL SECURITY INVOKER", 0, NULL, 0, {{NULL}}},
        {"ALTER USER u IDENTIFIED BY 'x'", 0, NULL, 0, {{NULL}}},
        {"ALTER SERVER s OPTIONS (HOST 'h')", 0, NULL, 0, {{NULL}}},
        {"ALTER TABLESPACE ts ADD DATAFILE 'f.ibd'", 0, NULL, 0, {{NULL}}},
        {"ALTER UNDO TABLESPACE u SET INACTIVE", 0, NULL, 0, {{NULL}}},
        {"ALTER LOGFILE GROUP lg ADD UNDOFILE 'u' ENGINE=NDB", 0, NULL, 0, {{NULL}}},
        {"ALTER INSTANCE ROTATE INNODB MASTER KEY", 0, NULL, 0, {{NULL}}},
        {"ALTER RESOURCE GROUP g VCPU = 1", 0, NULL, 0, {{NULL}}},
    };
    RUND(cs);
}
END_TEST

/* ALTER TABLE whose every specification keeps what decoding rows depends
 * on (column names, order, types, ENUM/SET members, primary and unique
 * keys): no DDL. */
#define SAFE(q)                                                                                    \
    {                                                                                              \
        q, 0, NULL, 0,                                                                             \
        {                                                                                          \
            {                                                                                      \
                NULL                                                                               \
            }                                                                                      \
        }                                                                                          \
    }
START_TEST(ddl_alter_safe)
{
    static const dcase cs[] = {
        /* indexes that are neither unique nor primary */
        SAFE("ALTER TABLE zz ADD INDEX iv(v)"),
        SAFE("ALTER TABLE t ADD KEY (a)"),
        SAFE("ALTER TABLE t ADD INDEX i (a, b(10) DESC, c ASC)"),
        SAFE("ALTER TABLE t ADD INDEX USING BTREE (a)"),
        SAFE("ALTER TABLE t ADD INDEX i TYPE HASH (a)"),
        SAFE("ALTER TABLE t ADD INDEX IF NOT EXISTS i (a) USING HASH"),
        SAFE("ALTER TABLE t ADD KEY `select` (a) KEY_BLOCK_SIZE = 8 COMMENT 'x' INVISIBLE"),
        SAFE("ALTER TABLE t ADD INDEX i (a) VISIBLE, ADD INDEX j (b) IGNORED"),
        SAFE("ALTER TABLE t ADD INDEX i (a) NOT IGNORED ENGINE_ATTRIBUTE='{}'"),
        SAFE("ALTER TABLE t ADD FULLTEXT (body)"),
        SAFE("ALTER TABLE t ADD FULLTEXT INDEX ft (body) WITH PARSER ngram"),
        SAFE("ALTER TABLE t ADD FULLTEXT KEY ft (a, b)"),
        SAFE("ALTER TABLE t ADD SPATIAL sp (g)"),
        SAFE("ALTER TABLE t ADD SPATIAL INDEX sp (g)"),
        /* foreign keys and check constraints */
        SAFE("ALTER TABLE t ADD FOREIGN KEY (p) REFERENCES p (id)"),
        SAFE("ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY fi (p, q) REFERENCES db2.p (a, b) "
             "MATCH FULL ON DELETE SET NULL ON UPDATE NO ACTION"),
        SAFE("ALTER TABLE t ADD CONSTRAINT FOREIGN KEY IF NOT EXISTS (p) REFERENCES p (id) "
             "ON DELETE CASCADE ON UPDATE SET DEFAULT"),
        SAFE("ALTER TABLE t ADD CONSTRAINT `u` FOREIGN KEY (p) REFERENCES `p` (`id`) ON DELETE "
             "RESTRICT"),
        SAFE("ALTER TABLE t ADD CHECK (a > 0)"),
        SAFE("ALTER TABLE t ADD CONSTRAINT c CHECK (a IN (1, 2)) NOT ENFORCED"),
        SAFE("ALTER TABLE t ADD CONSTRAINT CHECK (a > 0) ENFORCED"),
        SAFE("ALTER TABLE t DROP FOREIGN KEY fk"),
        SAFE("ALTER TABLE t DROP FOREIGN KEY IF EXISTS `fk`, DROP CHECK c"),
        SAFE("ALTER TABLE t ALTER CHECK c NOT ENFORCED, ALTER CONSTRAINT d ENFORCED"),
        /* names and visibility of keys */
        SAFE("ALTER TABLE t RENAME INDEX a TO b"),
        SAFE("ALTER TABLE t RENAME KEY `a` TO `b`, RENAME INDEX c TO d"),
        SAFE("ALTER TABLE t ALTER INDEX i INVISIBLE"),
        SAFE("ALTER TABLE t ALTER INDEX i VISIBLE, ALTER KEY k IGNORED, ALTER KEY l NOT IGNORED"),
        /* defaults and visibility of columns */
        SAFE("ALTER TABLE t ALTER COLUMN c SET DEFAULT 5"),
        SAFE("ALTER TABLE t ALTER c SET DEFAULT -1.5, ALTER COLUMN d DROP DEFAULT"),
        SAFE("ALTER TABLE t ALTER c SET DEFAULT 'x' 'y', ALTER d SET DEFAULT NULL"),
        SAFE("ALTER TABLE t ALTER c SET DEFAULT _utf8mb4'x', ALTER d SET DEFAULT X'0a'"),
        SAFE("ALTER TABLE t ALTER c SET DEFAULT (now() + INTERVAL 1 DAY)"),
        SAFE("ALTER TABLE t ALTER c SET DEFAULT CURRENT_TIMESTAMP(6)"),
        SAFE("ALTER TABLE t ALTER c SET DEFAULT DATE '2024-01-01'"),
        SAFE("ALTER TABLE t ALTER COLUMN c SET INVISIBLE, ALTER d SET VISIBLE"),
        SAFE("ALTER TABLE t ALTER COLUMN `a``b` SET DEFAULT +1"),
        /* table options */
        SAFE("ALTER TABLE t AUTO_INCREMENT = 100"),
        SAFE("ALTER TABLE t AUTO_INCREMENT 100"),
        SAFE("ALTER TABLE t COMMENT 'RENAME TO x'"),
        SAFE("ALTER TABLE t COMMENT = 'x', ENGINE = InnoDB"),
        SAFE("ALTER TABLE t COMMENT _utf8mb4'x' 'y', ENGINE 'InnoDB'"),
        SAFE("ALTER TABLE t COMMENT N'x' ENGINE_ATTRIBUTE = '{}' SECONDARY_ENGINE_ATTRIBUTE '{}'"),
        SAFE("ALTER TABLE t ENGINE=MyISAM ROW_FORMAT=DYNAMIC KEY_BLOCK_SIZE 8 CHECKSUM=1"),
        SAFE("ALTER TABLE t STATS_PERSISTENT=0, STATS_AUTO_RECALC=DEFAULT, STATS_SAMPLE_PAGES=25"),
        SAFE("ALTER TABLE t PACK_KEYS=1 DELAY_KEY_WRITE=1 MAX_ROWS=10 MIN_ROWS=1 "
             "AVG_ROW_LENGTH=100"),
        SAFE("ALTER TABLE t ENCRYPTION='Y', ENCRYPTION_KEY_ID=2, PAGE_CHECKSUM=1, TRANSACTIONAL=0"),
        SAFE("ALTER TABLE t ENCRYPTED=YES PAGE_COMPRESSED=1 PAGE_COMPRESSION_LEVEL=9"),
        SAFE("ALTER TABLE t COMPRESSION='zlib', INSERT_METHOD=LAST, TABLE_CHECKSUM=0"),
        SAFE("ALTER TABLE t DATA DIRECTORY = '/x' INDEX DIRECTORY '/y'"),
        SAFE("ALTER TABLE t TABLESPACE ts STORAGE DISK"),
        SAFE("ALTER TABLE t TABLESPACE = innodb_system, AUTOEXTEND_SIZE = 4M"),
        SAFE("ALTER TABLE t DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"),
        SAFE("ALTER TABLE t CHARACTER SET = latin1"),
        SAFE("ALTER TABLE t DEFAULT CHARSET=utf8, DEFAULT COLLATE = 'utf8_bin'"),
        SAFE("ALTER TABLE t CHARSET latin1 COLLATE latin1_bin"),
        /* how, not what */
        SAFE("ALTER TABLE t FORCE"),
        SAFE("ALTER TABLE t ALGORITHM=COPY, FORCE"),
        SAFE("ALTER TABLE t ADD INDEX (a), ALGORITHM = INPLACE, LOCK = NONE"),
        SAFE("ALTER TABLE t LOCK SHARED, ALGORITHM DEFAULT"),
        SAFE("ALTER TABLE t ORDER BY a"),
        SAFE("ALTER TABLE t ORDER BY a, b DESC, t.c ASC, `modify`"),
        SAFE("ALTER TABLE t ORDER BY a, ADD INDEX (b)"),
        SAFE("ALTER TABLE t ENABLE KEYS"),
        SAFE("ALTER TABLE t DISABLE KEYS"),
        SAFE("/*!40000 ALTER TABLE `t` DISABLE KEYS */"),
        SAFE("/*!40000 ALTER TABLE `t` ENABLE KEYS */;"),
        SAFE("ALTER TABLE t WAIT 5 ADD INDEX (a)"),
        SAFE("ALTER TABLE t NOWAIT FORCE"),
        SAFE("ALTER TABLE t WITHOUT VALIDATION, ENGINE=InnoDB"),
        SAFE("ALTER ONLINE IGNORE TABLE IF EXISTS t ADD INDEX (a)"),
        /* partition operations that keep the rows and the columns */
        SAFE("ALTER TABLE t ANALYZE PARTITION p0"),
        SAFE("ALTER TABLE t ANALYZE PARTITION p0, p1"),
        SAFE("ALTER TABLE t CHECK PARTITION ALL FOR UPGRADE"),
        SAFE("ALTER TABLE t CHECK PARTITION p0 QUICK EXTENDED"),
        SAFE("ALTER TABLE t REPAIR PARTITION p0, `p1` QUICK USE_FRM"),
        SAFE("ALTER TABLE t OPTIMIZE LOCAL PARTITION p0"),
        SAFE("ALTER TABLE t OPTIMIZE PARTITION NO_WRITE_TO_BINLOG ALL"),
        SAFE("ALTER TABLE t REBUILD PARTITION p0, p1"),
        SAFE("ALTER TABLE t COALESCE PARTITION 2"),
        SAFE("ALTER TABLE t REORGANIZE PARTITION"),
        SAFE("ALTER TABLE t REORGANIZE PARTITION p0, p1 INTO (PARTITION p2 VALUES LESS THAN "
             "(10), PARTITION p3 VALUES LESS THAN (20))"),
        SAFE("ALTER TABLE t ADD PARTITION (PARTITION p3 VALUES LESS THAN (100))"),
        SAFE("ALTER TABLE t ADD PARTITION IF NOT EXISTS (PARTITION p3 VALUES IN (1, 2))"),
        SAFE("ALTER TABLE t ADD PARTITION PARTITIONS 4"),
        SAFE("ALTER TABLE t REMOVE PARTITIONING"),
        SAFE("ALTER TABLE t ENGINE=InnoDB REMOVE PARTITIONING"),
        SAFE("ALTER TABLE t PARTITION BY HASH(a) PARTITIONS 4"),
        SAFE("ALTER TABLE t PARTITION BY RANGE COLUMNS (a, b) (PARTITION p0 VALUES LESS THAN "
             "(10, 20), PARTITION p1 VALUES LESS THAN (MAXVALUE, MAXVALUE))"),
        SAFE("ALTER TABLE t ADD INDEX (a) PARTITION BY KEY ALGORITHM=2 (a) PARTITIONS 2"),
        /* several at once, case, comments, quoting, prefixes */
        SAFE("ALTER TABLE t ADD INDEX i (a), DROP FOREIGN KEY f, RENAME KEY j TO k, "
             "ALTER c SET DEFAULT 0, COMMENT 'c', ALGORITHM=INPLACE"),
        SAFE("alter table T add index I (a) /* c */ -- x"),
        SAFE("AlTeR /* x */ TaBlE db.`t` # y\n AdD kEy (a)"),
        SAFE("ALTER TABLE t /*! ADD INDEX i (a) */"),
        SAFE("ALTER TABLE t ADD INDEX (a);"),
        SAFE("SET STATEMENT max_statement_time=10 FOR ALTER TABLE t ADD INDEX (a)"),
        SAFE("/*!50100 ALTER TABLE t ANALYZE PARTITION p0 */"),
        SAFE("/*M!100100 ALTER TABLE t ENGINE=Aria */"),
        {"ALTER TABLE \"t\" ADD INDEX (\"a\") COMMENT 'x'", 0, NULL, 0, {{NULL}}, ANSI},
        {"ALTER TABLE t ADD INDEX i (a) COMMENT 'x\\'", 0, NULL, 0, {{NULL}}, NBE},
        /* no DDL even when the table's name is unusable */
        {"ALTER TABLE t ADD INDEX (a)", 0, NULL, 0, {{NULL}}, 0, ""},
        SAFE("ALTER TABLE ``.t ADD INDEX (a)"),
    };
    RUND(cs);
}
END_TEST

/* The look-alikes that may change what decoding depends on: t counted,
 * with the other tables of the statement as before. */
#define CNT(q)                                                                                     \
    {                                                                                              \
        q, 1, AT, 0,                                                                               \
        {                                                                                          \
            {                                                                                      \
                "d", "t"                                                                           \
            }                                                                                      \
        }                                                                                          \
    }
START_TEST(ddl_alter_counted)
{
    static const dcase cs[] = {
        /* unique and primary keys */
        CNT("ALTER TABLE t ADD UNIQUE (a)"),
        CNT("ALTER TABLE t ADD UNIQUE INDEX u (a)"),
        CNT("ALTER TABLE t ADD UNIQUE KEY u (a)"),
        CNT("ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)"),
        CNT("ALTER TABLE t ADD CONSTRAINT UNIQUE KEY (a)"),
        CNT("ALTER TABLE t ADD CONSTRAINT `u` UNIQUE INDEX (a)"),
        CNT("ALTER TABLE t ADD PRIMARY KEY (a)"),
        CNT("ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY (a)"),
        CNT("ALTER TABLE t ADD CONSTRAINT PRIMARY KEY (a)"),
        CNT("ALTER TABLE t DROP PRIMARY KEY"),
        CNT("ALTER TABLE t DROP INDEX i"),
        CNT("ALTER TABLE t DROP KEY `i`"),
        CNT("ALTER TABLE t DROP INDEX IF EXISTS i"),
        CNT("ALTER TABLE t DROP CONSTRAINT c"),
        CNT("ALTER TABLE t DROP CONSTRAINT IF EXISTS c"),
        CNT("ALTER TABLE t DROP INDEX i, ADD INDEX i (a, b)"),
        /* functional key parts: a hidden generated column */
        CNT("ALTER TABLE t ADD INDEX ((a + 1))"),
        CNT("ALTER TABLE t ADD INDEX i (a, (b * 2))"),
        /* columns */
        CNT("ALTER TABLE t ADD c int"),
        CNT("ALTER TABLE t ADD COLUMN c int"),
        CNT("ALTER TABLE t ADD COLUMN (a int, b int)"),
        CNT("ALTER TABLE t ADD IF NOT EXISTS c int"),
        CNT("ALTER TABLE t ADD `index` int"),
        CNT("ALTER TABLE t DROP c"),
        CNT("ALTER TABLE t DROP COLUMN c"),
        CNT("ALTER TABLE t MODIFY c bigint"),
        CNT("ALTER TABLE t MODIFY COLUMN c int NULL"),
        CNT("ALTER TABLE t CHANGE c d int"),
        CNT("ALTER TABLE t RENAME COLUMN c TO d"),
        CNT("ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4"),
        CNT("ALTER TABLE t CONVERT TO CHARSET latin1 COLLATE latin1_bin"),
        CNT("ALTER TABLE t ADD SYSTEM VERSIONING"),
        CNT("ALTER TABLE t DROP SYSTEM VERSIONING"),
        CNT("ALTER TABLE t ADD PERIOD FOR p (a, b)"),
        CNT("ALTER TABLE t DISCARD TABLESPACE"),
        CNT("ALTER TABLE t IMPORT TABLESPACE"),
        CNT("ALTER TABLE t WITH SYSTEM VERSIONING"),
        CNT("ALTER TABLE t UNION = (a, b)"),
        /* partitions that lose or exchange rows, as before */
        CNT("ALTER TABLE t TRUNCATE PARTITION p0"),
        CNT("ALTER TABLE t DROP PARTITION p0"),
        CNT("ALTER TABLE t ANALYZE PARTITION p0, DROP PARTITION p1"),
        {"ALTER TABLE t EXCHANGE PARTITION p0 WITH TABLE t2", 1, AT, 0, {{"d", "t"}, {"d", "t2"}}},
        {"ALTER TABLE t CONVERT PARTITION p0 TO TABLE t2", 1, AT, 0, {{"d", "t"}, {"d", "t2"}}},
        /* a safe specification with a counted one, in either order */
        CNT("ALTER TABLE t ADD INDEX (a), ADD COLUMN c int"),
        CNT("ALTER TABLE t ADD COLUMN c int, ADD INDEX (a)"),
        CNT("ALTER TABLE t COMMENT 'x', MODIFY c int"),
        CNT("ALTER TABLE t ENGINE=InnoDB, ADD UNIQUE (a)"),
        CNT("ALTER TABLE t RENAME INDEX a TO b, RENAME COLUMN c TO d"),
        CNT("ALTER TABLE t ALGORITHM=INPLACE, DROP INDEX i"),
        CNT("ALTER TABLE t DEFAULT CHARSET utf8mb4, CONVERT TO CHARACTER SET utf8mb4"),
        {"ALTER TABLE t ADD INDEX (a), RENAME TO u", 1, AT, 0, {{"d", "t"}, {"d", "u"}}},
        {"alter table T add key (a), rename to U", 1, AT, 0, {{"d", "T"}, {"d", "U"}}},
        /* a column or partition named as a specification starts counts */
        CNT("ALTER TABLE t ORDER BY a, modify"),
        CNT("ALTER TABLE t ORDER BY a, MODIFY engine int"),
        CNT("ALTER TABLE t ANALYZE PARTITION p0, add"),
        /* defaults not understood */
        CNT("ALTER TABLE t ALTER c SET DEFAULT a + 1"),
        CNT("ALTER TABLE t ALTER c SET DEFAULT"),
        CNT("ALTER TABLE t ALTER c SET"),
        CNT("ALTER TABLE t ALTER c"),
        /* nothing, or more than one statement */
        CNT("ALTER TABLE t"),
        CNT("ALTER TABLE t;"),
        CNT("ALTER TABLE t WAIT 5"),
        CNT("ALTER TABLE t ADD INDEX (a),"),
        CNT("ALTER TABLE t ADD INDEX (a),, FORCE"),
        CNT("ALTER TABLE t ADD INDEX (a); DROP TABLE x"),
        CNT("ALTER TABLE t ADD INDEX (a) ; ;"),
        CNT("ALTER TABLE t FORCE x"),
        CNT("ALTER TABLE t COMMENT"),
        CNT("ALTER TABLE t ENGINE ="),
        CNT("ALTER TABLE t ENGINE = `InnoDB` 'x'"),
        CNT("ALTER TABLE t COMMENT 'x' (a)"),
        CNT("ALTER TABLE t ADD INDEX i"),
        CNT("ALTER TABLE t ADD INDEX i a"),
        CNT("ALTER TABLE t ADD INDEX TYPE BTREE (a)"),
        CNT("ALTER TABLE t ADD FOREIGN KEY (p) REFERENCES"),
        CNT("ALTER TABLE t ADD FOREIGN KEY (p) REFERENCES p (id) ON DELETE SET"),
        CNT("ALTER TABLE t ADD CHECK a > 0"),
        CNT("ALTER TABLE t DROP FOREIGN fk"),
        CNT("ALTER TABLE t RENAME INDEX a b"),
        CNT("ALTER TABLE t PARTITION BY HASH(a), ADD c int"),
        CNT("ALTER TABLE t COALESCE PARTITION"),
        CNT("ALTER TABLE t REORGANIZE PARTITION p0 INTO"),
        CNT("ALTER TABLE t ) ADD INDEX (a)"),
        /* code a server may skip (a version, MariaDB's M!) inside the
         * statement: what it hides cannot be told */
        CNT("ALTER TABLE t /*!99999 ADD INDEX i */ (c int)"),
        CNT("ALTER TABLE t ADD INDEX i (a) /*!80000 INVISIBLE */"),
        CNT("ALTER TABLE t /*M! ADD INDEX i (a) */"),
        CNT("ALTER TABLE t /*M!100500 FORCE */"),
        /* cut short */
        {"ALTER TABLE t ADD INDEX i (a", 1, AT, 1, {{"d", "t"}}},
        {"ALTER TABLE t COMMENT 'abc", 1, AT, 1, {{"d", "t"}}},
        {"ALTER TABLE t ADD INDEX (a) /* x", 1, AT, 1, {{"d", "t"}}},
        {"/*!40000 ALTER TABLE t ENABLE KEYS", 1, AT, 1, {{"d", "t"}}},
        {"ALTER TABLE t PARTITION BY RANGE (a) (PARTITION p0 VALUES LESS THAN (10)",
         1,
         AT,
         1,
         {{"d", "t"}}},
        {"SET STATEMENT x=1 FOR ALTER TABLE t ADD INDEX (a), ADD c int", 1, AT, 0, {{"d", "t"}}},
    };
    RUND(cs);
}
END_TEST

/* CREATE INDEX: no DDL unless UNIQUE, OR REPLACE or functional. */
START_TEST(ddl_create_index)
{
    static const dcase cs[] = {
        SAFE("CREATE INDEX i ON t (a)"),
        SAFE("create index i on db.t (a, b(10) desc)"),
        SAFE("CREATE FULLTEXT INDEX ft ON t (body) WITH PARSER ngram"),
        SAFE("CREATE SPATIAL INDEX sp ON t (g)"),
        SAFE("CREATE ONLINE INDEX i ON t (a)"),
        SAFE("CREATE INDEX IF NOT EXISTS i ON t (a)"),
        SAFE("CREATE INDEX i USING BTREE ON t (a)"),
        SAFE("CREATE INDEX i TYPE HASH ON t (a) USING HASH"),
        SAFE("CREATE INDEX `on` ON `t` (a) ALGORITHM=INPLACE"),
        SAFE("CREATE INDEX i ON t (a) ALGORITHM = INPLACE LOCK = NONE"),
        SAFE("CREATE INDEX i ON t (a) WAIT 5 COMMENT 'x' INVISIBLE"),
        SAFE("CREATE INDEX i ON t (a) NOWAIT KEY_BLOCK_SIZE=8"),
        SAFE("CREATE INDEX i ON t (a);"),
        SAFE("/*!50100 CREATE INDEX i ON t (a) */"),
        {"CREATE INDEX i ON t (a)", 0, NULL, 0, {{NULL}}, 0, ""},
        {"CREATE UNIQUE INDEX u ON t (a)", 1, "CREATE INDEX", 0, {{"d", "t"}}},
        {"create unique index u on db.t (a)", 1, "CREATE INDEX", 0, {{"db", "t"}}},
        {"CREATE OR REPLACE INDEX i ON t (a)", 1, "CREATE INDEX", 0, {{"d", "t"}}},
        {"CREATE INDEX i ON t ((a + 1))", 1, "CREATE INDEX", 0, {{"d", "t"}}},
        {"CREATE INDEX i ON t (a, (lower(b)))", 1, "CREATE INDEX", 0, {{"d", "t"}}},
        {"CREATE INDEX i ON t (a); DROP TABLE u", 1, "CREATE INDEX", 0, {{"d", "t"}}},
        {"CREATE INDEX i ON t (a) FORCE", 1, "CREATE INDEX", 0, {{"d", "t"}}},
        {"CREATE INDEX i ON t", 1, "CREATE INDEX", 0, {{"d", "t"}}},
        {"CREATE INDEX i ON t (a) /*!80000 INVISIBLE */", 1, "CREATE INDEX", 0, {{"d", "t"}}},
        {"CREATE INDEX i ON t (a", 1, "CREATE INDEX", 1, {{"d", "t"}}},
        {"CREATE INDEX i ON t ((a + 1)", 1, "CREATE INDEX", 1, {{"d", "t"}}},
        {"CREATE INDEX i ON t (a) COMMENT 'x", 1, "CREATE INDEX", 1, {{"d", "t"}}},
        /* DROP INDEX may drop a unique key standing in for a primary key */
        {"DROP INDEX i ON t", 1, "DROP INDEX", 0, {{"d", "t"}}},
    };
    RUND(cs);
}
END_TEST

START_TEST(ddl_create)
{
    static const dcase cs[] = {
        {"CREATE TABLE t (a int)", 1, "CREATE TABLE", 0, {{"d", "t"}}},
        {"create table if not exists db.t (a int primary key, b set('x','y'))",
         1,
         "CREATE TABLE",
         0,
         {{"db", "t"}}},
        {"CREATE OR REPLACE TABLE t (a int)", 1, "CREATE TABLE", 0, {{"d", "t"}}},
        {"CREATE TEMPORARY TABLE t (a int)", 1, "CREATE TABLE", 0, {{"d", "t"}}, 0, NULL, 1},
        {"CREATE OR REPLACE TEMPORARY TABLE IF NOT EXISTS `t` LIKE u",
         1,
         "CREATE TABLE",
         0,
         {{"d", "t"}},
         0,
         NULL,
         1},
        {"CREATE TABLE t2 LIKE t1", 1, "CREATE TABLE", 0, {{"d", "t2"}}},
        {"CREATE TABLE t2 (LIKE db.t1)", 1, "CREATE TABLE", 0, {{"d", "t2"}}},
        /* the CREATE ... SELECT form (DML for bd_stmt_classify) */
        {"CREATE TABLE t2 SELECT * FROM t1", 1, "CREATE TABLE", 0, {{"d", "t2"}}},
        {"CREATE TABLE t2 AS SELECT 1", 1, "CREATE TABLE", 0, {{"d", "t2"}}},
        {"CREATE TABLE t2 (a int) /*!50100 SELECT 1 */", 1, "CREATE TABLE", 0, {{"d", "t2"}}},
        {"/*!40101 CREATE TABLE t (a int) */", 1, "CREATE TABLE", 0, {{"d", "t"}}},
        {"CREATE /*M!100400 OR REPLACE */ TABLE t (a int)", 1, "CREATE TABLE", 0, {{"d", "t"}}},
        {"CREATE TABLE `t` (`a` int) START TRANSACTION", 1, "CREATE TABLE", 0, {{"d", "t"}}},
        {"CREATE TABLE t (a int) WITH SYSTEM VERSIONING", 1, "CREATE TABLE", 0, {{"d", "t"}}},
        {"CREATE TABLE t (a int) PARTITION BY RANGE (a) (PARTITION p0 VALUES LESS THAN (10))",
         1,
         "CREATE TABLE",
         0,
         {{"d", "t"}}},
        /* the parent of a foreign key keeps its definition */
        {"CREATE TABLE c (id int, FOREIGN KEY (id) REFERENCES p (id))",
         1,
         "CREATE TABLE",
         0,
         {{"d", "c"}}},
        /* sequences are tables */
        {"CREATE SEQUENCE s", 1, "CREATE SEQUENCE", 0, {{"d", "s"}}},
        {"CREATE OR REPLACE SEQUENCE db.s START WITH 1 INCREMENT BY 1",
         1,
         "CREATE SEQUENCE",
         0,
         {{"db", "s"}}},
        {"CREATE SEQUENCE IF NOT EXISTS s", 1, "CREATE SEQUENCE", 0, {{"d", "s"}}},
        {"CREATE TEMPORARY SEQUENCE s", 1, "CREATE SEQUENCE", 0, {{"d", "s"}}, 0, NULL, 1},
        /* indexes */
        /* indexes: UNIQUE, OR REPLACE (it may replace a unique index) and
         * functional key parts count; see ddl_create_index for the rest */
        {"CREATE UNIQUE INDEX i ON t (a)", 1, "CREATE INDEX", 0, {{"d", "t"}}},
        {"CREATE UNIQUE INDEX i USING BTREE ON db.t (a, b)", 1, "CREATE INDEX", 0, {{"db", "t"}}},
        {"create or replace fulltext index ft on t (body)", 1, "CREATE INDEX", 0, {{"d", "t"}}},
        {"CREATE OR REPLACE SPATIAL INDEX sp ON t (g)", 1, "CREATE INDEX", 0, {{"d", "t"}}},
        {"CREATE OR REPLACE UNIQUE INDEX IF NOT EXISTS i ON t (a) WAIT 5",
         1,
         "CREATE INDEX",
         0,
         {{"d", "t"}}},
        {"CREATE OR REPLACE INDEX i ON t (a)", 1, "CREATE INDEX", 0, {{"d", "t"}}},
        {"CREATE ONLINE UNIQUE INDEX i ON t (a)", 1, "CREATE INDEX", 0, {{"d", "t"}}},
        {"CREATE UNIQUE INDEX i TYPE HASH ON t (a)", 1, "CREATE INDEX", 0, {{"d", "t"}}},
        {"CREATE UNIQUE INDEX `on` ON `t` (a) ALGORITHM=INPLACE",
         1,
         "CREATE INDEX",
         0,
         {{"d", "t"}}},
        {"CREATE INDEX i ON t ((a + 1))", 1, "CREATE INDEX", 0, {{"d", "t"}}},
        /* MariaDB's CREATE OR REPLACE DATABASE drops every table of d */
        {"CREATE OR REPLACE DATABASE d2",
         1,
         "CREATE OR REPLACE DATABASE",
         0,
         {{"d2", ""}},
         0,
         NULL,
         0,
         1},
        {"CREATE OR REPLACE SCHEMA `x y` CHARACTER SET utf8",
         1,
         "CREATE OR REPLACE DATABASE",
         0,
         {{"x y", ""}},
         0,
         NULL,
         0,
         1},
        /* cut short or not understood */
        {"CREATE TABLE", 1, "CREATE TABLE", 1, {{NULL}}},
        {"CREATE TABLE IF EXISTS t (a int)", 1, "CREATE TABLE", 1, {{NULL}}},
        {"CREATE TABLE (a int)", 1, "CREATE TABLE", 1, {{NULL}}},
        {"CREATE TABLE t (a int", 1, "CREATE TABLE", 1, {{"d", "t"}}},
        {"CREATE TABLE t (a varchar(3) DEFAULT 'ab", 1, "CREATE TABLE", 1, {{"d", "t"}}},
        {"CREATE INDEX i (a)", 1, "CREATE INDEX", 1, {{NULL}}},
        {"CREATE INDEX i ON", 1, "CREATE INDEX", 1, {{NULL}}},
        {"CREATE UNIQUE", 1, "CREATE INDEX", 1, {{NULL}}},
        {"CREATE OR REPLACE DATABASE", 1, "CREATE OR REPLACE DATABASE", 1, {{NULL}}},
        {"CREATE TEMPORARY VIEW v AS SELECT 1", 1, "CREATE", 1, {{NULL}}},
        {"CREATE ONLINE TABLE t (a int)", 1, "CREATE", 1, {{NULL}}},
        {"CREATE WIDGET w", 1, "CREATE", 1, {{NULL}}},
        {"CREATE OR t", 1, "CREATE", 1, {{NULL}}},
        {"CREATE", 1, "CREATE", 1, {{NULL}}},
        /* change no table definition */
        {"CREATE VIEW v AS SELECT * FROM t", 0, NULL, 0, {{NULL}}},
        {"CREATE OR REPLACE VIEW v AS SELECT * FROM t", 0, NULL, 0, {{NULL}}},
        {"CREATE ALGORITHM=MERGE DEFINER=`u`@`%` SQL SECURITY INVOKER VIEW v AS SELECT 1",
         0,
         NULL,
         0,
         {{NULL}}},
        {"/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50001 VIEW v AS SELECT 1 */",
         0,
         NULL,
         0,
         {{NULL}}},
        {"CREATE DEFINER=root@localhost TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1",
         0,
         NULL,
         0,
         {{NULL}}},
        {"CREATE TRIGGER tr AFTER DELETE ON t FOR EACH ROW DROP TABLE x", 0, NULL, 0, {{NULL}}},
        /* as mysqldump writes triggers and events */
        {"/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER tr BEFORE "
         "INSERT ON t FOR EACH ROW SET NEW.a = 1 */",
         0,
         NULL,
         0,
         {{NULL}}},
        {"/*!50106 CREATE*/ /*!50117 DEFINER=`root`@`%`*/ /*!50106 EVENT e ON SCHEDULE EVERY 1 "
         "DAY DO DELETE FROM t */",
         0,
         NULL,
         0,
         {{NULL}}},
        {"CREATE PROCEDURE p() BEGIN ALTER TABLE t ADD c int; END", 0, NULL, 0, {{NULL}}},
        {"CREATE FUNCTION f() RETURNS int RETURN 1", 0, NULL, 0, {{NULL}}},
        {"CREATE AGGREGATE FUNCTION f RETURNS STRING SONAME 'f.so'", 0, NULL, 0, {{NULL}}},
        {"CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM t", 0, NULL, 0, {{NULL}}},
        {"CREATE USER u IDENTIFIED BY 'x'", 0, NULL, 0, {{NULL}}},
        {"CREATE ROLE r", 0, NULL, 0, {{NULL}}},
        {"CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (HOST 'h')", 0, NULL, 0, {{NULL}}},
        {"CREATE DATABASE d2", 0, NULL, 0, {{NULL}}},
        {"CREATE SCHEMA IF NOT EXISTS d2", 0, NULL, 0, {{NULL}}},
        {"CREATE SPATIAL REFERENCE SYSTEM 4120 NAME 'x' DEFINITION 'y'", 0, NULL, 0, {{NULL}}},
        {"CREATE TABLESPACE ts ADD DATAFILE 'f.ibd'", 0, NULL, 0, {{NULL}}},
        {"CREATE LOGFILE GROUP lg ADD UNDOFILE 'u' ENGINE=NDB", 0, NULL, 0, {{NULL}}},
        {"CREATE RESOURCE GROUP g TYPE = USER", 0, NULL, 0, {{NULL}}},
        {"CREATE PACKAGE p AS FUNCTION f RETURN INT; END", 0, NULL, 0, {{NULL}}},
    };
    RUND(cs);
}
END_TEST

START_TEST(ddl_drop)
{
    static const dcase cs[] = {
        {"DROP TABLE t", 1, "DROP TABLE", 0, {{"d", "t"}}},
        {"drop table if exists t1, db2.t2, `t 3`",
         1,
         "DROP TABLE",
         0,
         {{"d", "t1"}, {"db2", "t2"}, {"d", "t 3"}}},
        {"DROP TEMPORARY TABLE IF EXISTS `t` /* generated by server */",
         1,
         "DROP TABLE",
         0,
         {{"d", "t"}},
         0,
         NULL,
         1},
        {"DROP TABLES t1, t2 RESTRICT", 1, "DROP TABLE", 0, {{"d", "t1"}, {"d", "t2"}}},
        {"DROP TABLE t1 CASCADE", 1, "DROP TABLE", 0, {{"d", "t1"}}},
        {"DROP TABLE t1, t2 WAIT 10", 1, "DROP TABLE", 0, {{"d", "t1"}, {"d", "t2"}}},
        {"DROP TABLE t1 NOWAIT", 1, "DROP TABLE", 0, {{"d", "t1"}}},
        {"DROP TABLE t1, t2;", 1, "DROP TABLE", 0, {{"d", "t1"}, {"d", "t2"}}},
        {"DROP TABLE t1; DROP TABLE t2", 1, "DROP TABLE", 1, {{"d", "t1"}}},
        /* MySQL at the end of a session with temporary tables */
        {"DROP /*!40005 TEMPORARY */ TABLE IF EXISTS `t1`,`db`.`t2`",
         1,
         "DROP TABLE",
         0,
         {{"d", "t1"}, {"db", "t2"}},
         0,
         NULL,
         1},
        {"DROP TABLE IF EXISTS /* COMMENT TO SAVE */ t1", 1, "DROP TABLE", 0, {{"d", "t1"}}},
        {"DROP TABLE t, t, d.t, `t`", 1, "DROP TABLE", 0, {{"d", "t"}}},
        {"DROP TABLE /*!50100 db. */ t", 1, "DROP TABLE", 0, {{"db", "t"}}},
        {"DROP TABLE `a``b`, `select`", 1, "DROP TABLE", 0, {{"d", "a`b"}, {"d", "select"}}},
        {"DrOp TaBlE T1", 1, "DROP TABLE", 0, {{"d", "T1"}}},
        {"DROP/*x*/TABLE/*y*/t", 1, "DROP TABLE", 0, {{"d", "t"}}},
        {"DROP -- c\nTABLE # c\n t", 1, "DROP TABLE", 0, {{"d", "t"}}},
        {"DROP SEQUENCE s1, db.s2", 1, "DROP SEQUENCE", 0, {{"d", "s1"}, {"db", "s2"}}},
        {"/*M!100300 DROP SEQUENCE s */", 1, "DROP SEQUENCE", 0, {{"d", "s"}}},
        {"DROP TEMPORARY SEQUENCE IF EXISTS s", 1, "DROP SEQUENCE", 0, {{"d", "s"}}, 0, NULL, 1},
        {"DROP INDEX i ON t", 1, "DROP INDEX", 0, {{"d", "t"}}},
        {"DROP INDEX `PRIMARY` ON db.t ALGORITHM=INPLACE LOCK=NONE",
         1,
         "DROP INDEX",
         0,
         {{"db", "t"}}},
        {"DROP INDEX IF EXISTS i ON t WAIT 3", 1, "DROP INDEX", 0, {{"d", "t"}}},
        {"DROP ONLINE INDEX i ON t", 1, "DROP INDEX", 0, {{"d", "t"}}},
        /* every table of a database: {d, ""} and whole_db */
        {"DROP DATABASE d", 1, "DROP DATABASE", 0, {{"d", ""}}, 0, NULL, 0, 1},
        {"drop schema if exists `my db`", 1, "DROP DATABASE", 0, {{"my db", ""}}, 0, NULL, 0, 1},
        {"DROP DATABASE `a``b`", 1, "DROP DATABASE", 0, {{"a`b", ""}}, 0, NULL, 0, 1},
        {"DROP DATABASE x", 1, "DROP DATABASE", 0, {{"x", ""}}, 0, "", 0, 1},
        {"DROP DATABASE x ;", 1, "DROP DATABASE", 0, {{"x", ""}}, 0, NULL, 0, 1},
        /* cut short or not understood */
        {"DROP TABLE", 1, "DROP TABLE", 1, {{NULL}}},
        {"DROP TABLE t1,", 1, "DROP TABLE", 1, {{"d", "t1"}}},
        {"DROP TABLE t1 t2", 1, "DROP TABLE", 1, {{"d", "t1"}}},
        {"DROP TABLE IF t", 1, "DROP TABLE", 1, {{NULL}}},
        {"DROP TABLE t1, `t2", 1, "DROP TABLE", 1, {{"d", "t1"}}},
        {"DROP TABLE t1 /* x", 1, "DROP TABLE", 1, {{"d", "t1"}}},
        {"DROP TABLE \"t\"", 1, "DROP TABLE", 1, {{NULL}}}, /* a string, not a name */
        {"DROP INDEX i", 1, "DROP INDEX", 1, {{NULL}}},
        {"DROP INDEX i ON", 1, "DROP INDEX", 1, {{NULL}}},
        {"DROP DATABASE", 1, "DROP DATABASE", 1, {{NULL}}},
        {"DROP DATABASE d x", 1, "DROP DATABASE", 1, {{"d", ""}}, 0, NULL, 0, 1},
        {"DROP TEMPORARY VIEW v", 1, "DROP", 1, {{NULL}}},
        {"DROP TEMPORARY INDEX i ON t", 1, "DROP", 1, {{NULL}}},
        {"DROP ONLINE TABLE t", 1, "DROP", 1, {{NULL}}},
        {"DROP WIDGET w", 1, "DROP", 1, {{NULL}}},
        {"DROP", 1, "DROP", 1, {{NULL}}},
        /* change no table definition */
        {"DROP VIEW v", 0, NULL, 0, {{NULL}}},
        {"DROP VIEW IF EXISTS v1, v2", 0, NULL, 0, {{NULL}}},
        {"DROP TRIGGER tr", 0, NULL, 0, {{NULL}}},
        {"DROP PROCEDURE IF EXISTS p", 0, NULL, 0, {{NULL}}},
        {"DROP FUNCTION f", 0, NULL, 0, {{NULL}}},
        {"DROP EVENT e", 0, NULL, 0, {{NULL}}},
        {"DROP USER u", 0, NULL, 0, {{NULL}}},
        {"DROP ROLE r", 0, NULL, 0, {{NULL}}},
        {"DROP SERVER s", 0, NULL, 0, {{NULL}}},
        {"DROP TABLESPACE ts", 0, NULL, 0, {{NULL}}},
        {"DROP UNDO TABLESPACE u", 0, NULL, 0, {{NULL}}},
        {"DROP LOGFILE GROUP lg ENGINE=NDB", 0, NULL, 0, {{NULL}}},
        {"DROP RESOURCE GROUP g", 0, NULL, 0, {{NULL}}},
        {"DROP SPATIAL REFERENCE SYSTEM 4120", 0, NULL, 0, {{NULL}}},
        {"DROP PACKAGE p", 0, NULL, 0, {{NULL}}},
        {"DROP PREPARE s", 0, NULL, 0, {{NULL}}},
    };
    RUND(cs);
}
END_TEST

START_TEST(ddl_rename)
{
    static const dcase cs[] = {
        {"RENAME TABLE a TO b", 1, "RENAME TABLE", 0, {{"d", "a"}, {"d", "b"}}},
        {"rename table db1.a to db2.b, c to d, `e f` TO db3.`g`",
         1,
         "RENAME TABLE",
         0,
         {{"db1", "a"}, {"db2", "b"}, {"d", "c"}, {"d", "d"}, {"d", "e f"}, {"db3", "g"}}},
        {"RENAME TABLES a TO b", 1, "RENAME TABLE", 0, {{"d", "a"}, {"d", "b"}}},
        {"RENAME TABLE IF EXISTS a WAIT 5 TO b, c NOWAIT TO d",
         1,
         "RENAME TABLE",
         0,
         {{"d", "a"}, {"d", "b"}, {"d", "c"}, {"d", "d"}}},
        /* swaps: each name once */
        {"RENAME TABLE a TO b, b TO a", 1, "RENAME TABLE", 0, {{"d", "a"}, {"d", "b"}}},
        {"RENAME TABLE a TO tmp, b TO a, tmp TO b",
         1,
         "RENAME TABLE",
         0,
         {{"d", "a"}, {"d", "tmp"}, {"d", "b"}}},
        {"RENAME TABLE a TO x.b", 1, "RENAME TABLE", 0, {{"", "a"}, {"x", "b"}}, 0, ""},
        {"/*!50100 RENAME TABLE a TO b */", 1, "RENAME TABLE", 0, {{"d", "a"}, {"d", "b"}}},
        {"RENAME TABLE a TO b;", 1, "RENAME TABLE", 0, {{"d", "a"}, {"d", "b"}}},
        /* cut short or not understood */
        {"RENAME TABLE a", 1, "RENAME TABLE", 1, {{"d", "a"}}},
        {"RENAME TABLE a TO", 1, "RENAME TABLE", 1, {{"d", "a"}}},
        {"RENAME TABLE a TO b,", 1, "RENAME TABLE", 1, {{"d", "a"}, {"d", "b"}}},
        {"RENAME TABLE a TO b c", 1, "RENAME TABLE", 1, {{"d", "a"}, {"d", "b"}}},
        {"RENAME TABLE a b", 1, "RENAME TABLE", 1, {{"d", "a"}}},
        {"RENAME TABLE a TO `b", 1, "RENAME TABLE", 1, {{"d", "a"}}},
        {"RENAME TABLE", 1, "RENAME TABLE", 1, {{NULL}}},
        {"RENAME DATABASE a TO b", 1, "RENAME", 1, {{NULL}}}, /* MySQL 5.1 */
        {"RENAME", 1, "RENAME", 1, {{NULL}}},
        {"RENAME USER a TO b", 0, NULL, 0, {{NULL}}},
    };
    RUND(cs);
}
END_TEST

/* Prefixes, lexing modes, names and texts cut before their first word. */
START_TEST(ddl_prefixes_modes_names)
{
    static const dcase cs[] = {
        /* MariaDB's SET STATEMENT ... FOR */
        {"SET STATEMENT lock_wait_timeout=1 FOR ALTER TABLE t ADD c int", 1, AT, 0, {{"d", "t"}}},
        {"SET STATEMENT x=1 FOR SET STATEMENT y=(2) FOR DROP TABLE t",
         1,
         "DROP TABLE",
         0,
         {{"d", "t"}}},
        {"SET STATEMENT x=1 FOR INSERT INTO t VALUES (1)", 0, NULL, 0, {{NULL}}},
        {"SET STATEMENT x=1", 0, NULL, 0, {{NULL}}},
        {"SET STATEMENT x='abc", 1, "SET STATEMENT", 1, {{NULL}}},
        {"SET STATEMENT x=(1", 1, "SET STATEMENT", 1, {{NULL}}},
        /* cut before the first word */
        {"/* unterminated", 1, "(text cut short)", 1, {{NULL}}},
        {"'abc", 1, "(text cut short)", 1, {{NULL}}},
        {"/*!50001", 1, "(text cut short)", 1, {{NULL}}},
        /* a 4-digit version is code: "1234" is the verb */
        {"/*!1234 DROP TABLE t */", 0, NULL, 0, {{NULL}}},
        /* MySQL's IMPORT TABLE: the names are in the files */
        {"IMPORT TABLE FROM '/tmp/t1.sdi', '/tmp/t2.sdi'", 1, "IMPORT TABLE", 1, {{NULL}}},
        /* ANSI_QUOTES: "x" is a name */
        {"DROP TABLE \"a\", \"db\".\"b\"", 1, "DROP TABLE", 0, {{"d", "a"}, {"db", "b"}}, ANSI},
        {"RENAME TABLE \"a\"\"b\" TO c", 1, "RENAME TABLE", 0, {{"d", "a\"b"}, {"d", "c"}}, ANSI},
        /* NO_BACKSLASH_ESCAPES: 'x\' ends, and the RENAME is seen (without,
         * the string runs on to the last quote: only a COMMENT, no DDL) */
        {"ALTER TABLE t COMMENT 'x\\', RENAME TO u -- '", 0, NULL, 0, {{NULL}}},
        {"ALTER TABLE t COMMENT 'x\\', RENAME TO u -- '", 1, AT, 0, {{"d", "t"}, {"d", "u"}}, NBE},
        /* sjis 0x83 0x5C ends in a backslash */
        {"ALTER TABLE t COMMENT '\x83\x5c', RENAME TO u",
         1,
         AT,
         0,
         {{"d", "t"}, {"d", "u"}},
         BD_STMT_CS_SJIS},
        {"ALTER TABLE t COMMENT '\x83\x5c', RENAME TO u", 1, AT, 1, {{"d", "t"}}},
        {"DROP TABLE `\x81\x60`", 1, "DROP TABLE", 0, {{"d", "\x81\x60"}}, BD_STMT_CS_GBK},
        /* names */
        {"DROP TABLE данные.таблица, `données`.tëst",
         1,
         "DROP TABLE",
         0,
         {{"данные", "таблица"}, {"données", "tëst"}}},
        {"DROP TABLE t, x.u", 1, "DROP TABLE", 0, {{"", "t"}, {"x", "u"}}, 0, ""},
        {"ALTER TABLE t RENAME TO u", 1, AT, 0, {{"", "t"}, {"", "u"}}, 0, ""},
        {"CREATE UNIQUE INDEX i ON t (a)", 1, "CREATE INDEX", 0, {{"", "t"}}, 0, ""},
        {"CREATE INDEX i ON t (a)", 0, NULL, 0, {{NULL}}, 0, ""},
        {"DROP TABLE ``", 1, "DROP TABLE", 1, {{NULL}}},
        {"DROP TABLE ``.t, u", 1, "DROP TABLE", 1, {{"d", "u"}}},
        {"DROP DATABASE ``", 1, "DROP DATABASE", 1, {{NULL}}},
    };
    RUND(cs);

    /* names over 64 bytes, a NUL byte, a default database that is unusable */
    char n64[65], n65[66], q[300];
    bd_stmt s;
    memset(n64, 'a', 64);
    n64[64] = 0;
    memset(n65, 'b', 65);
    n65[65] = 0;
    snprintf(q, sizeof q, "RENAME TABLE %s.%s TO %s", n64, n64, n65);
    ck_assert_int_eq(ddl_n(&s, q, strlen(q), "d", 0), 1);
    ck_assert(s.tables_unknown && s.ntables == 1 && !strcmp(s.tables[0].table, n64));
    snprintf(q, sizeof q, "DROP DATABASE %s", n65);
    ck_assert_int_eq(ddl_n(&s, q, strlen(q), "d", 0), 1);
    ck_assert(s.tables_unknown && s.ntables == 0 && !s.whole_db);
    snprintf(q, sizeof q, "DROP DATABASE %s", n64);
    ck_assert_int_eq(ddl_n(&s, q, strlen(q), "d", 0), 1);
    ck_assert(!s.tables_unknown && s.ntables == 1 && s.whole_db && !strcmp(s.tables[0].db, n64));
    ck_assert_int_eq(ddl_n(&s, "DROP TABLE t, x.u", 17, n65, 0), 1);
    ck_assert(s.tables_unknown && s.ntables == 1 && !strcmp(s.tables[0].db, "x"));
    static const char nul[] = "DROP TABLE `a\0b`, c";
    ck_assert_int_eq(ddl_n(&s, nul, sizeof nul - 1, "d", 0), 1);
    ck_assert(s.tables_unknown && s.ntables == 1 && !strcmp(s.tables[0].table, "c"));
    ck_assert_int_eq(bd_stmt_ddl(&s, "DROP TABLE t", 12, "d\0x", 3, 0), 1);
    ck_assert(s.tables_unknown && s.ntables == 0);
    ck_assert_int_eq(bd_stmt_ddl(&s, "DROP TABLE t", 12, NULL, 0, 0), 1);
    ck_assert(!s.tables_unknown && s.ntables == 1 && s.tables[0].db[0] == 0);
    ck_assert_int_eq(bd_stmt_ddl(&s, NULL, 0, "d", 1, 0), 0);
    ck_assert(s.kind == O && !s.verb);
}
END_TEST

/* Statements that change no table definition: 0 and out all zero. */
START_TEST(ddl_not)
{
    static const char *const qs[] = {
        "INSERT INTO t VALUES (1)",
        "REPLACE INTO t SELECT * FROM u",
        "UPDATE t SET a = 1",
        "DELETE FROM t",
        "SELECT f(1)",
        "SELECT * FROM t",
        "WITH c AS (SELECT 1) SELECT * FROM c",
        "(SELECT 1)",
        "LOAD DATA INFILE 'f' INTO TABLE t",
        "TRUNCATE TABLE t",
        "TRUNCATE t",
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT s",
        "XA START 'x'",
        "XA COMMIT 'x'",
        "SET @a = 1",
        "SET NAMES utf8mb4",
        "SET sql_mode = 'ANSI'",
        "GRANT SELECT ON *.* TO u",
        "GRANT ALTER, DROP ON db.* TO u",
        "REVOKE ALL ON db.* FROM u",
        "ANALYZE TABLE t",
        "ANALYZE NO_WRITE_TO_BINLOG TABLE t1, t2",
        "OPTIMIZE TABLE t",
        "OPTIMIZE LOCAL TABLE t",
        "REPAIR TABLE t USE_FRM",
        "CHECK TABLE t",
        "FLUSH TABLES",
        "FLUSH TABLES t WITH READ LOCK",
        "LOCK TABLES t WRITE",
        "UNLOCK TABLES",
        "USE d",
        "CALL p(1)",
        "DO 1",
        "HANDLER t READ FIRST",
        "INSTALL PLUGIN p SONAME 'p.so'",
        "CHANGE MASTER TO MASTER_HOST='h'",
        "BINLOG 'AAAA'",
        "EXPLAIN SELECT 1",
        "SHOW TABLES",
        "KILL 5",
        "CACHE INDEX t IN c",
        "LOAD INDEX INTO CACHE t",
        "",
        "   \n",
        "/* only a comment */",
        "-- x",
        "# DROP TABLE t",
        "/* DROP TABLE t */ INSERT INTO t VALUES (1)",
        "-",
        ")",
        ";",
        "`t`",
    };
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        dcase c = {qs[i], 0, NULL, 0, {{NULL}}, 0, NULL, 0, 0};
        check_dcase(&c);
    }
}
END_TEST

/* More tables than BD_STMT_MAX_TABLES: the first 16 and tables_unknown. */
START_TEST(ddl_many_tables)
{
    char q[4096];
    size_t o;
    bd_stmt s;
    o = (size_t)snprintf(q, sizeof q, "DROP TABLE IF EXISTS t0");
    for (int i = 1; i < 17; i++)
        o += (size_t)snprintf(q + o, sizeof q - o, ", t%d", i);
    ck_assert_int_eq(ddl_n(&s, q, o, "d", 0), 1);
    ck_assert_int_eq(s.ntables, 16);
    ck_assert_int_eq(s.tables_unknown, 1);
    ck_assert_str_eq(s.tables[15].table, "t15");

    /* exactly 16 fit */
    o = (size_t)snprintf(q, sizeof q, "DROP TABLE t0");
    for (int i = 1; i < 16; i++)
        o += (size_t)snprintf(q + o, sizeof q - o, ", t%d", i);
    ck_assert_int_eq(ddl_n(&s, q, o, "d", 0), 1);
    ck_assert_int_eq(s.ntables, 16);
    ck_assert_int_eq(s.tables_unknown, 0);

    /* RENAME of 8 pairs fits, 9 do not */
    o = (size_t)snprintf(q, sizeof q, "RENAME TABLE a0 TO b0");
    for (int i = 1; i < 8; i++)
        o += (size_t)snprintf(q + o, sizeof q - o, ", a%d TO b%d", i, i);
    ck_assert_int_eq(ddl_n(&s, q, o, "d", 0), 1);
    ck_assert(s.ntables == 16 && !s.tables_unknown);
    ck_assert_str_eq(s.tables[15].table, "b7");
    o += (size_t)snprintf(q + o, sizeof q - o, ", a8 TO b8");
    ck_assert_int_eq(ddl_n(&s, q, o, "d", 0), 1);
    ck_assert(s.ntables == 16 && s.tables_unknown);

    /* a huge ALTER is read to its end once; a million '(' is cut short */
    size_t n = 4 << 20;
    char *b = malloc(n);
    o = (size_t)sprintf(b, "ALTER TABLE t ");
    while (o + 40 < n)
        o += (size_t)sprintf(b + o, "ADD c%zu ENUM('a','b\\'c'), ", o);
    o += (size_t)sprintf(b + o, "RENAME TO u");
    ck_assert_int_eq(ddl_n(&s, b, o, "d", 0), 1);
    ck_assert(s.ntables == 2 && !s.tables_unknown && !strcmp(s.tables[1].table, "u"));
    o = (size_t)sprintf(b, "ALTER TABLE t ADD ");
    memset(b + o, '(', n - o);
    ck_assert_int_eq(ddl_n(&s, b, n, "d", 0), 1);
    ck_assert(s.ntables == 1 && s.tables_unknown);
    o = (size_t)sprintf(b, "ALTER TABLE t PARTITION BY ");
    memset(b + o, '(', n - o);
    ck_assert_int_eq(ddl_n(&s, b, n, "d", 0), 1);
    ck_assert(s.ntables == 1 && s.tables_unknown);
    /* a huge ALTER of safe specifications is no DDL; a counted one at its
     * end counts, and the name it adds is read */
    o = (size_t)sprintf(b, "ALTER TABLE t ");
    while (o + 60 < n)
        o += (size_t)sprintf(b + o, "ADD INDEX i%zu (c, d(5)) COMMENT 'x,y', ", o);
    size_t tail = o;
    o += (size_t)sprintf(b + o, "FORCE");
    ck_assert_int_eq(ddl_n(&s, b, o, "d", 0), 0);
    o = tail + (size_t)sprintf(b + tail, "RENAME TO u");
    ck_assert_int_eq(ddl_n(&s, b, o, "d", 0), 1);
    ck_assert(s.ntables == 2 && !s.tables_unknown && !strcmp(s.tables[1].table, "u"));
    free(b);
}
END_TEST

/* ---- bd_stmt_split_use -------------------------------------------------- */

typedef struct ucase {
    const char *info;
    int rc;
    const char *db; /* NULL: none */
    const char *q;
} ucase;

/* Split a heap copy of exactly n bytes: the pointers land inside it. */
static int split_n(const char *info, size_t n, const char **db, size_t *dbn, const char **q,
                   size_t *qn, char **copy)
{
    char *b = malloc(n ? n : 1);
    memcpy(b, info, n);
    *copy = b;
    int rc = bd_stmt_split_use(b, n, db, dbn, q, qn);
    ck_assert(rc >= 0 && rc <= 2);
    ck_assert(*q >= b && *q + *qn == b + n);
    ck_assert(rc ? *db && *db > b && *db + *dbn < *q : !*db && !*dbn);
    return rc;
}

START_TEST(split_use)
{
    static const ucase cs[] = {
        {"use `d`; INSERT INTO t VALUES (1)", 1, "d", "INSERT INTO t VALUES (1)"},
        {"use `my db`; DROP TABLE t", 1, "my db", "DROP TABLE t"},
        {"use `a``b`; DROP TABLE t", 2, "a``b", "DROP TABLE t"},
        {"use `x```; DROP TABLE t", 2, "x``", "DROP TABLE t"},
        {"use `a;b`; DROP TABLE t", 1, "a;b", "DROP TABLE t"},
        {"use \"d\"; DROP TABLE t", 1, "d", "DROP TABLE t"},
        {"use \"a\"\"b\"; DROP TABLE t", 2, "a\"\"b", "DROP TABLE t"},
        {"use d; DROP TABLE t", 1, "d", "DROP TABLE t"},
        {"use `данные`; DROP TABLE t", 1, "данные", "DROP TABLE t"},
        {"use `d`; ", 1, "d", ""},
        {"use ``; x", 1, "", "x"},
        /* MariaDB's flags list, with or without a database */
        {"use `d`; set foreign_key_checks=1, unique_checks=1; ALTER TABLE t ADD c int", 1, "d",
         "ALTER TABLE t ADD c int"},
        {"use `d`; set foreign_key_checks=1, sql_auto_is_null, unique_checks=1, "
         "check_constraint_checks=1, @@sql_if_exists=1, @@system_versioning_insert_history=1; "
         "DROP TABLE t",
         1, "d", "DROP TABLE t"},
        {"set @@sql_if_exists=1; DROP TABLE t", 0, NULL, "DROP TABLE t"},
        {"use `d`; set foreign_key_checks=1; ", 1, "d", ""},
        /* not the flags list: a statement */
        {"set foreign_key_checks=0; X", 0, NULL, "set foreign_key_checks=0; X"},
        {"use `d`; set a=1; x", 1, "d", "set a=1; x"},
        {"use `d`; set foreign_key_checks=1, x", 1, "d", "set foreign_key_checks=1, x"},
        {"use `d`; set foreign_key_checks=1;x", 1, "d", "set foreign_key_checks=1;x"},
        /* no prefix */
        {"BEGIN", 0, NULL, "BEGIN"},
        {"DROP TABLE t", 0, NULL, "DROP TABLE t"},
        {"USE `d`; x", 0, NULL, "USE `d`; x"},
        {"use `d`;x", 0, NULL, "use `d`;x"},
        {"use `d` x", 0, NULL, "use `d` x"},
        {"use `d", 0, NULL, "use `d"},
        {"use ; x", 0, NULL, "use ; x"},
        {"use d.e; x", 0, NULL, "use d.e; x"},
        {"use ", 0, NULL, "use "},
        {"", 0, NULL, ""},
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        const ucase *c = &cs[i];
        const char *db, *q;
        size_t dbn, qn, n = strlen(c->info);
        char *b;
        int rc = split_n(c->info, n, &db, &dbn, &q, &qn, &b);
        ck_assert_msg(rc == c->rc, "%s: returned %d, want %d", c->info, rc, c->rc);
        if (c->db)
            ck_assert_msg(dbn == strlen(c->db) && !memcmp(db, c->db, dbn), "%s: db '%.*s'", c->info,
                          (int)dbn, db);
        if (rc == 2) ck_assert(db[-1] == '`' || db[-1] == '"');
        ck_assert_msg(qn == strlen(c->q) && !memcmp(q, c->q, qn), "%s: q '%.*s'", c->info, (int)qn,
                      q);
        free(b);
        for (size_t k = 0; k < n; k++) { /* every prefix, within bounds */
            split_n(c->info, k, &db, &dbn, &q, &qn, &b);
            free(b);
        }
    }
    const char *db = "x", *q = "x";
    size_t dbn = 9, qn = 9;
    ck_assert_int_eq(bd_stmt_split_use(NULL, 0, &db, &dbn, &q, &qn), 0);
    ck_assert(!db && !dbn && !q && !qn);

    /* end to end: the Info column of a RENAME */
    static const char info[] = "use `shop`; RENAME TABLE a TO b";
    bd_stmt s;
    ck_assert_int_eq(bd_stmt_split_use(info, sizeof info - 1, &db, &dbn, &q, &qn), 1);
    ck_assert_int_eq(bd_stmt_ddl(&s, q, qn, db, dbn, 0), 1);
    ck_assert(s.ntables == 2 && !s.tables_unknown);
    ck_assert(!strcmp(s.tables[0].db, "shop") && !strcmp(s.tables[0].table, "a"));
    ck_assert(!strcmp(s.tables[1].db, "shop") && !strcmp(s.tables[1].table, "b"));
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
    static const char *const frag[] = {"INSERT ",
                                       "INTO ",
                                       "UPDATE ",
                                       "DELETE ",
                                       "FROM ",
                                       "USING ",
                                       "SET ",
                                       "JOIN ",
                                       "LEFT ",
                                       "ON ",
                                       "WITH ",
                                       "AS ",
                                       "SELECT ",
                                       "TABLE ",
                                       "CREATE ",
                                       "ALTER ",
                                       "TRUNCATE ",
                                       "PARTITION ",
                                       "EXCHANGE ",
                                       "CONVERT ",
                                       "DROP ",
                                       "LOAD ",
                                       "DATA ",
                                       "STATEMENT ",
                                       "FOR ",
                                       "ANALYZE ",
                                       "INDEX ",
                                       "USE ",
                                       "t1 ",
                                       "db.",
                                       "`a``b`",
                                       "\"x\"",
                                       "'s'",
                                       "'",
                                       "\"",
                                       "`",
                                       "(",
                                       ")",
                                       ",",
                                       ".",
                                       "*",
                                       "{",
                                       "}",
                                       "OJ ",
                                       "/*",
                                       "*/",
                                       "/*!",
                                       "/*M!100000",
                                       "-- ",
                                       "#",
                                       "\n",
                                       "\\",
                                       "LATERAL ",
                                       "x ",
                                       "f(",
                                       "`",
                                       "\x00",
                                       "RENAME ",
                                       "TO ",
                                       "IF ",
                                       "EXISTS ",
                                       "SEQUENCE ",
                                       "DATABASE ",
                                       "ON ",
                                       "WITH ",
                                       "TEMPORARY ",
                                       "OR ",
                                       "REPLACE ",
                                       "UPGRADE ",
                                       "WAIT ",
                                       "NOWAIT ",
                                       "ADD ",
                                       "KEY ",
                                       "UNIQUE ",
                                       "CONSTRAINT ",
                                       "FOREIGN ",
                                       "CHECK ",
                                       "COMMENT ",
                                       "SET DEFAULT ",
                                       "ORDER BY ",
                                       "ALL ",
                                       "= ",
                                       ";",
                                       "-",
                                       "/*!99999 ",
                                       "use `d`; ",
                                       "set foreign_key_checks=1; "};
    uint32_t seed = 20240611u;
    char buf[512];
    bd_stmt s;
    for (int it = 0; it < 20000; it++) {
        size_t n = rnd(&seed) % 200;
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)(rnd(&seed) & 1 ? (int)(rnd(&seed) & 0xff)
                                           : alpha[rnd(&seed) % (sizeof alpha - 1)]);
        classify_n(&s, buf, n, it & 1 ? "d" : "", rnd(&seed) & 15);
        const char *db, *q;
        size_t dbn, qn;
        char *b;
        split_n(buf, n, &db, &dbn, &q, &qn, &b);
        free(b);
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
        const char *db, *q;
        size_t dbn, qn;
        char *b;
        split_n(buf, n, &db, &dbn, &q, &qn, &b);
        free(b);
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
    tcase_add_test(tc, ddl_alter);
    tcase_add_test(tc, ddl_alter_safe);
    tcase_add_test(tc, ddl_alter_counted);
    tcase_add_test(tc, ddl_create_index);
    tcase_add_test(tc, ddl_create);
    tcase_add_test(tc, ddl_drop);
    tcase_add_test(tc, ddl_rename);
    tcase_add_test(tc, ddl_prefixes_modes_names);
    tcase_add_test(tc, ddl_not);
    tcase_add_test(tc, ddl_many_tables);
    tcase_add_test(tc, split_use);
    tcase_add_test(tc, stmt_property_random);
    suite_add_tcase(s, tc);
    return tu_run(s) ? 1 : 0;
}
