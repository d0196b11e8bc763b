/* test_schema_history.c - the schema history file: which snapshot is valid
 * at which position, persistence across a reopen, torn and broken lines,
 * another server's file, and the order of binlog positions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static Suite *suite(void)
{
    Suite *s = suite_create("schema_history");
    TCase *t = tcase_create("schema_history");
    tcase_add_test(t, history_stretches_and_reopen);
    tcase_add_test(t, history_torn_and_broken);
    tcase_add_test(t, history_other_server);
    tcase_add_test(t, history_pos_order);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return tu_run(suite()) ? 1 : 0; }
