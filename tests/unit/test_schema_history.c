/* test_schema_history.c - the schema history file: which snapshot is valid
 * at which position, persistence across a reopen, torn and broken lines,
 * another server's file, and the order of binlog positions; the primary
 * key it keeps (and old lines without one); the ENUM/SET members parsed
 * from COLUMN_TYPE; and bd_schema_apply, which must turn a map without
 * metadata into the map a FULL server writes (names, key order, members). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/binlog/internal.h" /* bd_table_parse: maps built by hand below */
#include "binlogd/charset.h"
#include "binlogd/schema_history.h"
#include "testutil.h"

static char path[64];

static void fresh_path(void)
{
    snprintf(path, sizeof path, "/tmp/bd_hist_XXXXXX");
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    close(fd);
    unlink(path);
}

static bd_schema_history *open_ok(void)
{
    bd_err err = {0};
    bd_schema_history *h = bd_schema_history_open(path, &err);
    ck_assert_msg(h != NULL, "%s", err.msg);
    ck_assert_msg(bd_schema_history_bind(h, "mariadb server_id=1", &err) == 0, "%s", err.msg);
    return h;
}

static void add_table(bd_schema_history *h, const char *f, uint64_t p, const char *first_col)
{
    bd_schema_col c[2] = {{(char *)first_col, (char *)"int(11)", 0},
                          {(char *)"s", (char *)"varchar(5)", 45}};
    bd_err err = {0};
    ck_assert_msg(bd_schema_history_add_table(h, f, p, "db", "t", c, 2, &err) == 0, "%s", err.msg);
}

/* The reader that writes starts at f:p (its lines say so). */
static void session(bd_schema_history *h, const char *f, uint64_t p)
{
    bd_err err = {0};
    ck_assert_msg(bd_schema_history_session(h, f, p, &err) == 0, "%s", err.msg);
}

static void add_ddl(bd_schema_history *h, const char *f, uint64_t p)
{
    bd_err err = {0};
    const char *q = "ALTER TABLE t RENAME COLUMN a TO b";
    ck_assert_msg(bd_schema_history_add_ddl(h, f, p, "db", 2, q, strlen(q), &err) == 0, "%s",
                  err.msg);
}

/* The first column's name valid at f:p, or "" when none; *later as found. */
static const char *first_at(const bd_schema_history *h, const char *f, uint64_t p, int *later)
{
    const bd_schema_col *c;
    size_t n;
    int l = -1;
    int r = bd_schema_history_find(h, f, p, "db", "t", &c, &n, &l);
    if (later) *later = l;
    if (!r) return "";
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(c[1].type, "varchar(5)");
    ck_assert_uint_eq(c[1].collation, 45);
    return c[0].name;
}

/* binlog.000002: table seen at 500 as 'a'; DDL at 1000; seen at 1500 as 'b';
 * binlog.000003: DDL at 200; nothing seen after it. */
static void fill(bd_schema_history *h)
{
    session(h, "binlog.000001", 4);
    add_table(h, "binlog.000002", 500, "a");
    add_ddl(h, "binlog.000002", 1000);
    add_table(h, "binlog.000002", 1500, "b");
    add_ddl(h, "binlog.000003", 200);
}

static void check_filled(const bd_schema_history *h)
{
    int later;
    ck_assert_str_eq(first_at(h, "binlog.000002", 500, &later), "a");
    ck_assert_int_eq(later, 1);
    /* before the first sighting, in the same stretch: still 'a' */
    ck_assert_str_eq(first_at(h, "binlog.000001", 4, NULL), "a");
    ck_assert_str_eq(first_at(h, "binlog.000002", 999, NULL), "a");
    ck_assert_str_eq(first_at(h, "binlog.000002", 1001, NULL), "b");
    ck_assert_str_eq(first_at(h, "binlog.000003", 100, NULL), "b");
    /* after the last DDL nothing is known, and nothing later either */
    ck_assert_str_eq(first_at(h, "binlog.000003", 300, &later), "");
    ck_assert_int_eq(later, 0);
    ck_assert_uint_eq(bd_schema_history_ddls(h), 2);
    ck_assert_uint_eq(bd_schema_history_tables(h), 2);
}

START_TEST(history_stretches_and_reopen)
{
    fresh_path();
    bd_schema_history *h = open_ok();
    fill(h);
    check_filled(h);
    /* the same DDL again (a reconnect) is not recorded twice */
    add_ddl(h, "binlog.000002", 1000);
    ck_assert_uint_eq(bd_schema_history_ddls(h), 2);
    /* another table is its own */
    const bd_schema_col *c;
    size_t n;
    int later;
    ck_assert_int_eq(bd_schema_history_find(h, "binlog.000002", 500, "db", "u", &c, &n, &later), 0);
    bd_schema_history_close(h);

    h = open_ok();
    check_filled(h);
    bd_schema_history_close(h);
    unlink(path);
}
END_TEST

static void append_raw(const char *text)
{
    FILE *f = fopen(path, "a");
    ck_assert(f != NULL);
    fputs(text, f);
    fclose(f);
}

START_TEST(history_torn_and_broken)
{
    fresh_path();
    bd_schema_history *h = open_ok();
    fill(h);
    bd_schema_history_close(h);
    FILE *f = fopen(path, "r");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    /* a torn last line is dropped and cut off */
    append_raw("{\"table\":{\"file\":\"binlog.0000");
    h = open_ok();
    check_filled(h);
    bd_schema_history_close(h);
    f = fopen(path, "r");
    fseek(f, 0, SEEK_END);
    ck_assert_int_eq(ftell(f), size);
    fclose(f);
    /* a whole line that is not a record: refused with path:line */
    append_raw("{\"table\":{\"file\":\"binlog.000004\",\"pos\":4},\"db\":\"db\"}\n");
    bd_err err = {0};
    ck_assert(bd_schema_history_open(path, &err) == NULL);
    char want[96];
    snprintf(want, sizeof want, "%s:6: ", path);
    ck_assert_msg(strstr(err.msg, want) != NULL, "%s", err.msg);
    unlink(path);
    /* not JSON at all */
    append_raw("{\"binlogd_schema_history\":1,\"server\":\"x\"}\nnot json\n");
    ck_assert(bd_schema_history_open(path, &err) == NULL);
    snprintf(want, sizeof want, "%s:2: ", path);
    ck_assert_msg(strstr(err.msg, want) != NULL, "%s", err.msg);
    unlink(path);
    /* a file that does not start with its header */
    append_raw("{\"ddl\":{\"file\":\"binlog.000001\",\"pos\":400},\"db\":\"\",\"query\":\"\"}\n");
    ck_assert(bd_schema_history_open(path, &err) == NULL);
    ck_assert_msg(strstr(err.msg, ":1: the first line must name the server") != NULL, "%s",
                  err.msg);
    unlink(path);
}
END_TEST

/* A snapshot serves only where readers read the binlog whole: the history
 * knows the DDLs of what was read, not of what nobody read.  (The two
 * cases a review found: a history written from Y used at X < Y across a
 * DDL it never saw, and one written up to X used at Y > X after a gap.) */
START_TEST(history_not_stretched_over_unread)
{
    fresh_path();
    bd_schema_history *h = open_ok();
    session(h, "binlog.000002", 800); /* read from 000002:800 on */
    add_table(h, "binlog.000002", 900, "b");
    bd_schema_history_close(h);
    h = open_ok(); /* a reader without a session: only what the lines say */
    int later;
    /* inside what was read: found */
    ck_assert_str_eq(first_at(h, "binlog.000002", 850, &later), "b");
    /* before it: unread binlog (an ALTER may be there): not found */
    ck_assert_str_eq(first_at(h, "binlog.000002", 500, &later), "");
    ck_assert_str_eq(first_at(h, "binlog.000001", 4, &later), "");
    /* after the last line: not read as far as the lines say */
    ck_assert_str_eq(first_at(h, "binlog.000003", 4, &later), "");
    bd_schema_history_close(h);

    /* a reader that starts later reads from there: the gap stays unread */
    h = open_ok();
    session(h, "binlog.000004", 4);
    ck_assert_str_eq(first_at(h, "binlog.000004", 100, &later), "");
    /* a reader that starts inside what was read and goes on joins it */
    bd_schema_history_close(h);
    h = open_ok();
    session(h, "binlog.000002", 850);
    ck_assert_str_eq(first_at(h, "binlog.000005", 100, &later), "b");
    bd_schema_history_close(h);

    /* stretches that overlap join: 000002:800..900 and 000002:880..000003:50 */
    h = open_ok();
    session(h, "binlog.000002", 880);
    add_ddl(h, "binlog.000003", 50);
    bd_schema_history_close(h);
    h = open_ok();
    ck_assert_str_eq(first_at(h, "binlog.000002", 999, &later), "b");
    ck_assert_str_eq(first_at(h, "binlog.000003", 40, &later), "b");
    ck_assert_str_eq(first_at(h, "binlog.000003", 60, &later), ""); /* after the DDL */
    bd_schema_history_close(h);

    /* a reader that stops says how far it read whole: 000002:880..000004:10 */
    h = open_ok();
    session(h, "binlog.000002", 880);
    bd_err serr = {0};
    ck_assert(bd_schema_history_seen_to(h, "binlog.000004", 10, &serr) == 0);
    bd_schema_history_close(h);
    h = open_ok();
    ck_assert_str_eq(first_at(h, "binlog.000003", 40, &later), "b");
    ck_assert_str_eq(first_at(h, "binlog.000004", 10, &later), ""); /* after the DDL at 3:50 */
    bd_schema_history_close(h);

    /* a line from an older binlogd says nothing of what was read */
    unlink(path);
    append_raw("{\"binlogd_schema_history\":1,\"server\":\"mariadb server_id=1\"}\n"
               "{\"table\":{\"file\":\"binlog.000001\",\"pos\":400},\"db\":\"db\",\"name\":\"t\","
               "\"columns\":[{\"name\":\"a\",\"type\":\"int(11)\",\"collation\":0},"
               "{\"name\":\"s\",\"type\":\"varchar(5)\",\"collation\":45}],\"primary_key\":[]}\n");
    h = open_ok();
    ck_assert_uint_eq(bd_schema_history_tables(h), 1);
    ck_assert_str_eq(first_at(h, "binlog.000001", 400, &later), "");
    bd_schema_history_close(h);
    /* a seen_from after its line is not a stretch: refused */
    unlink(path);
    append_raw("{\"binlogd_schema_history\":1,\"server\":\"mariadb server_id=1\"}\n"
               "{\"ddl\":{\"file\":\"binlog.000001\",\"pos\":400},\"seen_from\":{\"file\":"
               "\"binlog.000002\",\"pos\":4},\"db\":\"\",\"query\":\"\"}\n");
    bd_err err = {0};
    ck_assert(bd_schema_history_open(path, &err) == NULL);
    ck_assert_msg(strstr(err.msg, ":2: ") != NULL, "%s", err.msg);
    unlink(path);
}
END_TEST

START_TEST(history_other_server)
{
    fresh_path();
    bd_schema_history *h = open_ok();
    bd_schema_history_close(h);
    bd_err err = {0};
    h = bd_schema_history_open(path, &err);
    ck_assert(h != NULL);
    ck_assert_int_eq(bd_schema_history_bind(h, "mysql uuid=abc", &err), -1);
    ck_assert_msg(strstr(err.msg, "belongs to mariadb server_id=1") != NULL, "%s", err.msg);
    bd_schema_history_close(h);
    /* an unwritable place is an error naming it */
    ck_assert(bd_schema_history_open("/nonexistent-dir/h.jsonl", &err) == NULL);
    ck_assert_msg(strstr(err.msg, "/nonexistent-dir/h.jsonl") != NULL, "%s", err.msg);
    unlink(path);
}
END_TEST

START_TEST(history_pos_order)
{
    ck_assert_int_eq(bd_binlog_pos_cmp("binlog.000001", 900, "binlog.000002", 4), -1);
    ck_assert_int_eq(bd_binlog_pos_cmp("binlog.000002", 4, "binlog.000002", 4), 0);
    ck_assert_int_eq(bd_binlog_pos_cmp("binlog.000002", 5, "binlog.000002", 4), 1);
    /* past six digits the name grows: numbers, not strings, decide */
    ck_assert_int_eq(bd_binlog_pos_cmp("binlog.999999", 4, "binlog.1000000", 4), -1);
    ck_assert_int_eq(bd_binlog_pos_cmp("binlog.1000000", 4, "binlog.999999", 4), 1);
    /* names without a number: by name */
    ck_assert_int_eq(bd_binlog_pos_cmp("a.log", 4, "b.log", 4), -1);
}
END_TEST

/* ---- the primary key in the file ---------------------------------------- */

/* The first line of the file holding s, or "" (a copy). */
static char *line_with(const char *s)
{
    FILE *f = fopen(path, "r");
    ck_assert(f != NULL);
    char buf[4096];
    char *r = NULL;
    while (!r && fgets(buf, sizeof buf, f))
        if (strstr(buf, s)) r = strdup(buf);
    fclose(f);
    return r ? r : strdup("");
}

START_TEST(history_primary_key)
{
    fresh_path();
    bd_schema_history *h = open_ok();
    session(h, "binlog.000001", 4);
    /* PRIMARY KEY (k2, id): the key order is not the column order */
    bd_schema_col c[3] = {{(char *)"id", (char *)"int(11)", 0, 2},
                          {(char *)"name", (char *)"varchar(10)", 45, 0},
                          {(char *)"k2", (char *)"enum('a','it''s')", 45, 1}};
    bd_err err = {0};
    ck_assert_msg(bd_schema_history_add_table(h, "binlog.000001", 400, "db", "t", c, 3, &err) == 0,
                  "%s", err.msg);
    /* a table without a key says so: [] */
    bd_schema_col u[1] = {{(char *)"a", (char *)"int(11)", 0, 0}};
    ck_assert(bd_schema_history_add_table(h, "binlog.000001", 500, "db", "nokey", u, 1, &err) == 0);
    /* positions that are not 1..N once each are refused, not written */
    bd_schema_col twice[2] = {{(char *)"a", (char *)"int(11)", 0, 1},
                              {(char *)"b", (char *)"int(11)", 0, 1}};
    ck_assert_int_eq(
        bd_schema_history_add_table(h, "binlog.000001", 600, "db", "x", twice, 2, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_SCHEMA);
    bd_schema_col gap[2] = {{(char *)"a", (char *)"int(11)", 0, 1},
                            {(char *)"b", (char *)"int(11)", 0, 3}};
    ck_assert_int_eq(bd_schema_history_add_table(h, "binlog.000001", 600, "db", "x", gap, 2, &err),
                     -1);
    ck_assert_uint_eq(bd_schema_history_tables(h), 2);
    bd_schema_history_close(h);

    char *l = line_with("\"name\":\"t\"");
    ck_assert_msg(strstr(l, ",\"primary_key\":[\"k2\",\"id\"]}") != NULL, "%s", l);
    free(l);
    l = line_with("\"name\":\"nokey\"");
    ck_assert_msg(strstr(l, ",\"primary_key\":[]}") != NULL, "%s", l);
    free(l);

    for (int round = 0; round < 2; round++) {
        h = open_ok(); /* the second round reads what the first one loaded */
        const bd_schema_col *got;
        size_t n;
        int later;
        ck_assert_int_eq(
            bd_schema_history_find(h, "binlog.000001", 450, "db", "t", &got, &n, &later), 1);
        ck_assert_uint_eq(n, 3);
        ck_assert_uint_eq(got[0].pk, 2);
        ck_assert_uint_eq(got[1].pk, 0);
        ck_assert_uint_eq(got[2].pk, 1);
        ck_assert_str_eq(got[2].type, "enum('a','it''s')");
        ck_assert_int_eq(
            bd_schema_history_find(h, "binlog.000001", 450, "db", "nokey", &got, &n, &later), 1);
        ck_assert_uint_eq(got[0].pk, 0);
        bd_schema_history_close(h);
    }
    unlink(path);
}
END_TEST

/* A table line written before binlogd kept keys has no "primary_key": it
 * must not pass for a table without a key.  It is passed over (absent), so
 * the reader asks information_schema and appends a complete line. */
START_TEST(history_old_line_without_key)
{
    fresh_path();
    append_raw(
        "{\"binlogd_schema_history\":1,\"server\":\"mariadb server_id=1\"}\n"
        "{\"table\":{\"file\":\"binlog.000001\",\"pos\":400},\"db\":\"db\",\"name\":\"t\","
        "\"columns\":[{\"name\":\"id\",\"type\":\"int(11)\",\"collation\":0}]}\n"
        "{\"ddl\":{\"file\":\"binlog.000001\",\"pos\":900},\"db\":\"db\",\"query\":\"ALTER\"}\n");
    bd_schema_history *h = open_ok();
    ck_assert_uint_eq(bd_schema_history_tables(h), 0);
    ck_assert_uint_eq(bd_schema_history_ddls(h), 1);
    const bd_schema_col *got;
    size_t n;
    int later = 0;
    ck_assert_int_eq(bd_schema_history_find(h, "binlog.000001", 400, "db", "t", &got, &n, &later),
                     0);
    /* the DDL after it is still known: the reader warns as before */
    ck_assert_int_eq(later, 1);
    /* the complete line the reader then appends is the one found */
    bd_schema_col c[1] = {{(char *)"id", (char *)"int(11)", 0, 1}};
    bd_err err = {0};
    session(h, "binlog.000001", 300);
    ck_assert(bd_schema_history_add_table(h, "binlog.000001", 400, "db", "t", c, 1, &err) == 0);
    bd_schema_history_close(h);
    h = open_ok();
    ck_assert_int_eq(bd_schema_history_find(h, "binlog.000001", 400, "db", "t", &got, &n, &later),
                     1);
    ck_assert_uint_eq(got[0].pk, 1);
    bd_schema_history_close(h);
    unlink(path);
}
END_TEST

/* A "primary_key" that does not name columns of its line is refused with
 * path:line, like any line the file cannot hold. */
START_TEST(history_bad_primary_key)
{
    static const char *bad[] = {
        "[\"nope\"]",      /* not a column */
        "[\"id\",\"id\"]", /* a column twice */
        "[1]",             /* not a name */
        "\"id\"",          /* not an array */
        "[\"id\",\"s\",\"x\"]",
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        fresh_path();
        char line[512];
        snprintf(line, sizeof line,
                 "{\"binlogd_schema_history\":1,\"server\":\"mariadb server_id=1\"}\n"
                 "{\"table\":{\"file\":\"binlog.000001\",\"pos\":400},\"db\":\"db\",\"name\":\"t\","
                 "\"columns\":[{\"name\":\"id\",\"type\":\"int(11)\",\"collation\":0},"
                 "{\"name\":\"s\",\"type\":\"int(11)\",\"collation\":0}],\"primary_key\":%s}\n",
                 bad[k]);
        append_raw(line);
        bd_err err = {0};
        ck_assert_msg(bd_schema_history_open(path, &err) == NULL, "accepted %s", bad[k]);
        char want[96];
        snprintf(want, sizeof want, "%s:2: ", path);
        ck_assert_msg(strstr(err.msg, want) != NULL, "%s: %s", bad[k], err.msg);
        unlink(path);
    }
}
END_TEST

/* ---- ENUM and SET members from COLUMN_TYPE -------------------------------- */

/* Parse ct and check its members against want[] (n of them, lengths given
 * because of NUL). */
static void members_are(const char *ct, int is_set, size_t n, const char *const *want,
                        const size_t *len)
{
    bd_schema_members m;
    bd_err err = {0};
    ck_assert_msg(bd_schema_parse_members(ct, &m, &err) == 0, "%s: %s", ct, err.msg);
    ck_assert_int_eq(m.is_set, is_set);
    ck_assert_msg(m.n == n, "%s: %u members, want %zu", ct, m.n, n);
    for (size_t k = 0; k < n; k++) {
        size_t l = len ? len[k] : strlen(want[k]);
        ck_assert_msg(m.m[k].n == l && !memcmp(m.m[k].p, want[k], l), "%s: member %zu is '%.*s'",
                      ct, k, (int)m.m[k].n, m.m[k].p);
    }
    bd_schema_members_release(&m);
}

START_TEST(members_parse)
{
    /* MariaDB 10.11: a quote doubled, a backslash doubled, LF/CR/NUL
     * escaped, TAB and 0x1A raw, multi-byte UTF-8 as is */
    static const char *const w1[] = {"new", "settled", "it's", "a\\b", "分账"};
    members_are("enum('new','settled','it''s','a\\\\b','分账')", 0, 5, w1, NULL);
    static const char *const w2[] = {"l\nf", "c\rr", "i\0j", "t\tb", "z\032z", " sp", "a b"};
    static const size_t l2[] = {3, 3, 3, 3, 3, 3, 3};
    members_are("enum('l\\nf','c\\rr','i\\0j','t\tb','z\032z',' sp','a b')", 0, 7, w2, l2);
    /* MySQL: \' and \Z */
    static const char *const w3[] = {"it's", "z\032z", "q\"q"};
    members_are("enum('it\\'s','z\\Zz','q\\\"q')", 0, 3, w3, NULL);
    /* an empty member, a quote at either end */
    static const char *const w4[] = {"", "'", "''x"};
    members_are("enum('','''','''''x')", 0, 3, w4, NULL);
    /* SET, upper case as some clients show it */
    static const char *const w5[] = {"a", "b,c", "甲"};
    members_are("set('a','b,c','甲')", 1, 3, w5, NULL);
    members_are("SET('a')", 1, 1, w5, NULL);

    static const char *const bad[] = {
        "int(11)",      "enum()",     "enum(a)",        "enum('a'", "enum('a',)",
        "enum('a\\q')", "enum('a')x", "enum('a' ,'b')", "enum('a",  "set",
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        bd_schema_members m;
        bd_err err = {0};
        ck_assert_msg(bd_schema_parse_members(bad[k], &m, &err) < 0, "accepted %s", bad[k]);
        ck_assert_int_eq(err.code, BD_ERR_SCHEMA);
        ck_assert_msg(strstr(err.msg, "COLUMN_TYPE") != NULL, "%s", err.msg);
        ck_assert(m.m == NULL && m.bytes == NULL);
    }
}
END_TEST

/* ---- applying a schema to a map ----------------------------------------- */

static void put_le(bd_buf *b, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        bd_buf_addc(b, (char)(uint8_t)(v >> (8 * i)));
}

static void put_lstr(bd_buf *b, const char *s, size_t n)
{
    put_le(b, n, 1); /* all short here: a one-byte packed length */
    bd_buf_add(b, s, n);
}

/* One optional metadata field: type, length, value. */
static void put_field(bd_buf *b, uint8_t type, const bd_buf *v)
{
    put_le(b, type, 1);
    put_le(b, v->len, 1);
    bd_buf_add(b, v->ptr, v->len);
}

/* The table pay.flow as a MariaDB server maps it, with FULL metadata
 * (full) or none (NO_LOG):
 *   id INT, name VARCHAR(10) utf8mb4, k2 ENUM('new','settled','it''s','a\\b','分账'),
 *   eg ENUM('甲','乙') gbk, s SET('a','b','c'), eb ENUM('x','y') binary,
 *   amount BIGINT UNSIGNED, PRIMARY KEY (k2, id) */
static bd_table *flow_map(int full)
{
    static const uint8_t types[] = {BD_T_LONG,   BD_T_VARCHAR, BD_T_STRING,  BD_T_STRING,
                                    BD_T_STRING, BD_T_STRING,  BD_T_LONGLONG};
    bd_buf b = BD_BUF_INIT, f = BD_BUF_INIT;
    put_le(&b, 42, 6);
    put_le(&b, 1, 2);
    put_lstr(&b, "pay", 3);
    bd_buf_addc(&b, 0);
    put_lstr(&b, "flow", 4);
    bd_buf_addc(&b, 0);
    put_le(&b, 7, 1);
    bd_buf_add(&b, types, 7);
    /* metadata: VARCHAR max bytes 40; ENUM/SET real type then pack length */
    static const uint8_t meta[] = {40, 0, 0xf7, 1, 0xf7, 1, 0xf8, 1, 0xf7, 1};
    put_le(&b, sizeof meta, 1);
    bd_buf_add(&b, meta, sizeof meta);
    put_le(&b, 0x7e, 1); /* all nullable but id */
    if (full) {
        put_le(&f, 0x40, 1); /* SIGNEDNESS, numeric columns: id, amount (unsigned) */
        put_field(&b, 1, &f);
        bd_buf_reset(&f);
        put_le(&f, 45, 1); /* COLUMN_CHARSET: name */
        put_field(&b, 3, &f);
        bd_buf_reset(&f);
        static const char *names[] = {"id", "name", "k2", "eg", "s", "eb", "amount"};
        for (int i = 0; i < 7; i++)
            put_lstr(&f, names[i], strlen(names[i]));
        put_field(&b, 4, &f);
        bd_buf_reset(&f);
        put_le(&f, 3, 1); /* SET_STR_VALUE */
        put_lstr(&f, "a", 1);
        put_lstr(&f, "b", 1);
        put_lstr(&f, "c", 1);
        put_field(&b, 5, &f);
        bd_buf_reset(&f);
        put_le(&f, 5, 1); /* ENUM_STR_VALUE: k2, eg (in GBK), eb */
        put_lstr(&f, "new", 3);
        put_lstr(&f, "settled", 7);
        put_lstr(&f, "it's", 4);
        put_lstr(&f, "a\\b", 3);
        put_lstr(&f, "分账", strlen("分账"));
        put_le(&f, 2, 1);
        put_lstr(&f, "\xbc\xd7", 2);
        put_lstr(&f, "\xd2\xd2", 2);
        put_le(&f, 2, 1);
        put_lstr(&f, "x", 1);
        put_lstr(&f, "y", 1);
        put_field(&b, 6, &f);
        bd_buf_reset(&f);
        put_le(&f, 2, 1); /* SIMPLE_PRIMARY_KEY: k2, id */
        put_le(&f, 0, 1);
        put_field(&b, 8, &f);
        bd_buf_reset(&f);
        put_le(&f, 45, 1); /* ENUM_AND_SET_COLUMN_CHARSET: k2, eg, s, eb */
        put_le(&f, 28, 1);
        put_le(&f, 45, 1);
        put_le(&f, 63, 1);
        put_field(&b, 11, &f);
    }
    bd_buf_release(&f);
    ck_assert(!bd_buf_failed(&b));
    bd_table *t = NULL;
    bd_err err = {0};
    ck_assert_msg(bd_table_parse(&t, (const uint8_t *)b.ptr, b.len, 8, BD_FLAVOR_MARIADB, &err) ==
                      0,
                  "%s", err.msg);
    bd_buf_release(&b);
    return t;
}

/* What information_schema says of pay.flow (schema_query's answer). */
static void flow_schema(bd_schema_col c[7])
{
    static const bd_schema_col cols[7] = {
        {(char *)"id", (char *)"int(11)", 0, 2},
        {(char *)"name", (char *)"varchar(10)", 45, 0},
        {(char *)"k2", (char *)"enum('new','settled','it''s','a\\\\b','分账')", 45, 1},
        {(char *)"eg", (char *)"enum('甲','乙')", 28, 0},
        {(char *)"s", (char *)"set('a','b','c')", 45, 0},
        {(char *)"eb", (char *)"enum('x','y')", 63, 0},
        {(char *)"amount", (char *)"bigint(20) unsigned", 0, 0},
    };
    memcpy(c, cols, sizeof cols);
}

/* Member k of column col as the JSON text the row would carry. */
static char *member_json(const bd_column *c, uint32_t k)
{
    bd_buf b = BD_BUF_INIT;
    if (c->enum_json) {
        bd_buf_add(&b, c->enum_json + c->enum_json_off[k],
                   c->enum_json_off[k + 1] - c->enum_json_off[k]);
    } else if (c->collation == 63) {
        bd_buf_addc(&b, '"');
        bd_buf_add_base64(&b, (const uint8_t *)c->enum_vals[k].p, c->enum_vals[k].n);
        bd_buf_addc(&b, '"');
    } else if (c->members_utf8 || bd_charset_kind(c->collation) == BD_CS_UTF8) {
        /* SET members, which are not pre-escaped */
        bd_buf_add_json_str(&b, c->enum_vals[k].p, c->enum_vals[k].n);
    } else {
        /* converted row by row, as rows.c does */
        bd_conv *cv = bd_conv_new();
        bd_buf u = BD_BUF_INIT;
        bd_err err = {0};
        ck_assert(bd_conv_to_utf8(cv, c->collation, (const uint8_t *)c->enum_vals[k].p,
                                  c->enum_vals[k].n, &u, &err) == 0);
        bd_buf_add_json_str(&b, u.ptr, u.len);
        bd_buf_release(&u);
        bd_conv_free(cv);
    }
    ck_assert(!bd_buf_failed(&b));
    return bd_buf_detach(&b, NULL);
}

START_TEST(apply_matches_full)
{
    bd_table *full = flow_map(1), *bare = flow_map(0);
    ck_assert_uint_eq(full->npk, 2);
    ck_assert_uint_eq(bare->npk, 0);
    ck_assert(!bare->has_names && bare->signedness_unknown);
    bd_schema_col c[7];
    flow_schema(c);
    bd_err err = {0};
    ck_assert_msg(bd_schema_apply(bare, "pay", "flow", c, 7, "the table now", &err) == 0, "%s",
                  err.msg);
    ck_assert_int_eq(bd_table_finish(bare), 0);
    /* no flags left, the same pre-encoded names */
    ck_assert(bare->has_names && !bare->signedness_unknown);
    ck_assert_uint_eq(bare->keys.len, full->keys.len);
    ck_assert(!memcmp(bare->keys.ptr, full->keys.ptr, full->keys.len));
    /* the key in key order: k2 then id */
    ck_assert_uint_eq(bare->npk, 2);
    ck_assert_uint_eq(bare->pk[0], 2);
    ck_assert_uint_eq(bare->pk[1], 0);
    ck_assert_uint_eq(bare->pk[0], full->pk[0]);
    ck_assert_uint_eq(bare->pk[1], full->pk[1]);
    for (uint32_t i = 0; i < 7; i++) {
        const bd_column *a = &bare->cols[i], *f = &full->cols[i];
        ck_assert_uint_eq(a->is_pk, f->is_pk);
        ck_assert_int_eq(a->is_unsigned == 1, f->is_unsigned == 1);
        ck_assert_uint_eq(a->collation, f->collation);
        ck_assert_uint_eq(a->n_enum, f->n_enum);
        for (uint32_t k = 0; k < a->n_enum; k++) {
            char *ja = member_json(a, k), *jf = member_json(f, k);
            ck_assert_msg(!strcmp(ja, jf), "column %u member %u: %s, FULL %s", i, k, ja, jf);
            free(ja);
            free(jf);
        }
    }
    /* members from the schema are the map's own memory, and UTF-8 but for
     * the binary column (bytes either way) */
    ck_assert(bare->cols[2].owned_members != NULL && bare->cols[2].members_utf8);
    ck_assert(bare->cols[3].members_utf8 && bare->cols[3].enum_json != NULL);
    ck_assert(!bare->cols[5].members_utf8);
    ck_assert(full->cols[3].enum_json == NULL); /* GBK: converted per row */
    char *yi = member_json(bare->cols + 3, 1);
    ck_assert_str_eq(yi, "\"乙\"");
    free(yi);
    bd_table_free(full);
    bd_table_free(bare);
}
END_TEST

/* Members or a key that do not fit the map are refused before the map is
 * changed. */
START_TEST(apply_refuses)
{
    bd_schema_col c[7];
    bd_err err;
    bd_table *t;
    /* 256 members do not fit a 1-byte ENUM */
    bd_buf big = BD_BUF_INIT;
    bd_buf_adds(&big, "enum(");
    for (int k = 0; k < 256; k++)
        bd_buf_addf(&big, k ? ",'m%d'" : "'m%d'", k);
    bd_buf_adds(&big, ")");
    flow_schema(c);
    c[2].type = big.ptr;
    t = flow_map(0);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(bd_schema_apply(t, "pay", "flow", c, 7, "the table now", &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_SCHEMA);
    ck_assert_msg(strstr(err.msg, "ENUM of 1 byte") && strstr(err.msg, "256 members"), "%s",
                  err.msg);
    ck_assert(t->cols[0].name.p == NULL && t->npk == 0); /* untouched */
    bd_table_free(t);
    bd_buf_release(&big);
    /* a SET of 9 members needs 2 bytes */
    flow_schema(c);
    c[4].type = (char *)"set('1','2','3','4','5','6','7','8','9')";
    t = flow_map(0);
    ck_assert_int_eq(bd_schema_apply(t, "pay", "flow", c, 7, "the table now", &err), -1);
    ck_assert_msg(strstr(err.msg, "SET of 1 byte") && strstr(err.msg, "changed since"), "%s",
                  err.msg);
    bd_table_free(t);
    /* an ENUM where the map has a SET */
    flow_schema(c);
    c[4].type = (char *)"enum('a','b','c')";
    t = flow_map(0);
    ck_assert_int_eq(bd_schema_apply(t, "pay", "flow", c, 7, "the table now", &err), -1);
    bd_table_free(t);
    /* members that cannot be read */
    flow_schema(c);
    c[2].type = (char *)"enum('a";
    t = flow_map(0);
    ck_assert_int_eq(bd_schema_apply(t, "pay", "flow", c, 7, "the table now", &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_SCHEMA);
    ck_assert_msg(strstr(err.msg, "column 3 (k2)") != NULL, "%s", err.msg);
    bd_table_free(t);
    /* members that are not UTF-8 where text is expected */
    flow_schema(c);
    c[3].type = (char *)"enum('\xbc\xd7','b')";
    t = flow_map(0);
    ck_assert_int_eq(bd_schema_apply(t, "pay", "flow", c, 7, "the table now", &err), -1);
    ck_assert_msg(strstr(err.msg, "not UTF-8") != NULL, "%s", err.msg);
    bd_table_free(t);
    /* ... but bytes are fine for the binary column */
    flow_schema(c);
    c[5].type = (char *)"enum('\xff','y')";
    t = flow_map(0);
    ck_assert_msg(bd_schema_apply(t, "pay", "flow", c, 7, "the table now", &err) == 0, "%s",
                  err.msg);
    ck_assert_uint_eq((uint8_t)t->cols[5].enum_vals[0].p[0], 0xff);
    bd_table_free(t);
    /* key positions with a gap */
    flow_schema(c);
    c[0].pk = 3;
    t = flow_map(0);
    ck_assert_int_eq(bd_schema_apply(t, "pay", "flow", c, 7, "the table now", &err), -1);
    ck_assert_msg(strstr(err.msg, "primary key") != NULL, "%s", err.msg);
    bd_table_free(t);
    /* a map with a key of its own keeps it; with members of its own too */
    flow_schema(c);
    c[0].pk = 1;
    c[2].pk = 0;
    t = flow_map(1);
    for (uint32_t i = 0; i < t->ncols; i++) /* as if the names were missing */
        t->cols[i].name.p = NULL;
    ck_assert_int_eq(bd_schema_apply(t, "pay", "flow", c, 7, "the table now", &err), 0);
    ck_assert_uint_eq(t->npk, 2);
    ck_assert_uint_eq(t->pk[0], 2);
    ck_assert(t->cols[3].owned_members == NULL && !t->cols[3].members_utf8);
    bd_table_free(t);
    /* information_schema shows a character beyond the BMP as '?': in a
     * utf8mb4 ENUM such members are not used (the values stay numbers);
     * in GBK, which has no such characters, a '?' is a '?' */
    flow_schema(c);
    c[2].type = (char *)"enum('new','settled','it''s','why?','x')";
    c[3].type = (char *)"enum('?','乙')";
    t = flow_map(0);
    ck_assert_int_eq(bd_schema_apply(t, "pay", "flow", c, 7, "the table now", &err), 0);
    ck_assert_uint_eq(t->cols[2].n_enum, 0);
    ck_assert_uint_eq(t->cols[3].n_enum, 2);
    ck_assert_uint_eq(t->cols[4].n_enum, 3);
    bd_table_free(t);
    /* a table without a key gets none */
    flow_schema(c);
    c[0].pk = c[2].pk = 0;
    t = flow_map(0);
    ck_assert_int_eq(bd_schema_apply(t, "pay", "flow", c, 7, "the table now", &err), 0);
    ck_assert_uint_eq(t->npk, 0);
    bd_table_free(t);
}
END_TEST

/* Lines copied from another host's history (the state topic): merged into
 * a file, a new one named for the server even when the copy lacks the
 * server's line (its first copy was lost), none into a file of another
 * server, none when whose they are is not known. */
START_TEST(history_merge)
{
    static const char *const tl =
        "{\"table\":{\"file\":\"binlog.000001\",\"pos\":400},\"seen_from\":{\"file\":"
        "\"binlog.000001\",\"pos\":4},\"db\":\"app\",\"name\":\"t\",\"columns\":[{\"name\":"
        "\"id\",\"type\":\"int(11)\",\"collation\":0}],\"primary_key\":[\"id\"]}";
    const char *lines[] = {tl};
    size_t lens[] = {strlen(tl)}, added = 9;
    bd_err err = {0};
    /* a new file, no server's line among the lines: named for server */
    fresh_path();
    ck_assert_int_eq(
        bd_schema_history_merge(path, "mariadb server_id=1", lines, lens, 1, &added, &err), 0);
    ck_assert_uint_eq(added, 1);
    bd_schema_history *h = open_ok(); /* the first line names the server */
    const bd_schema_col *cols = NULL;
    size_t n = 0;
    int later = 0;
    ck_assert_int_eq(bd_schema_history_find(h, "binlog.000001", 400, "app", "t", &cols, &n, &later),
                     1);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(cols[0].name, "id");
    bd_schema_history_close(h);
    /* again: nothing new */
    ck_assert_int_eq(
        bd_schema_history_merge(path, "mariadb server_id=1", lines, lens, 1, &added, &err), 0);
    ck_assert_uint_eq(added, 0);
    /* a file of another server takes none of another's lines */
    static const char *const hdr2 =
        "{\"binlogd_schema_history\":1,\"server\":\"mariadb server_id=2\"}";
    const char *lines2[] = {hdr2, tl};
    size_t lens2[] = {strlen(hdr2), strlen(tl)};
    ck_assert_int_eq(bd_schema_history_merge(path, NULL, lines2, lens2, 2, &added, &err), 0);
    ck_assert_uint_eq(added, 0);
    unlink(path);
    /* a new file and no server known: nothing */
    fresh_path();
    ck_assert_int_eq(bd_schema_history_merge(path, NULL, lines, lens, 1, &added, &err), 0);
    ck_assert_uint_eq(added, 0);
    unlink(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("schema_history");
    TCase *t = tcase_create("schema_history");
    tcase_add_test(t, history_stretches_and_reopen);
    tcase_add_test(t, history_torn_and_broken);
    tcase_add_test(t, history_not_stretched_over_unread);
    tcase_add_test(t, history_other_server);
    tcase_add_test(t, history_pos_order);
    tcase_add_test(t, history_primary_key);
    tcase_add_test(t, history_old_line_without_key);
    tcase_add_test(t, history_bad_primary_key);
    tcase_add_test(t, members_parse);
    tcase_add_test(t, apply_matches_full);
    tcase_add_test(t, apply_refuses);
    tcase_add_test(t, history_merge);
    suite_add_tcase(s, t);
    return s;
}


int main(void) { return tu_run(suite()) ? 1 : 0; }
