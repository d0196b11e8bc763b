/* test_gtid_set.c - MySQL GTID sets and MariaDB GTID positions: parsing,
 * canonical text, membership, coverage of a file's PREVIOUS_GTIDS /
 * GTID_LIST, the choice of a start file, and the transaction filter. */
#include <stdlib.h>
#include <string.h>

#include "binlogd/gtid_set.h"
#include "testutil.h"

#define U1 "396e294c-1ca4-11f1-9ae7-00155da79c6b"
#define U2 "55778904-0299-11f1-b1b8-4ef0c4956feb"

static void parse_ok(bd_gtid_set *s, enum bd_flavor fl, const char *text)
{
    bd_err err = {0};
    int r = bd_gtid_set_parse(s, fl, text, strlen(text), &err);
    ck_assert_msg(r == 0, "parse '%s': %s", text, err.msg);
}

static void text_is(const bd_gtid_set *s, const char *want)
{
    bd_buf b = BD_BUF_INIT;
    bd_gtid_set_text(s, &b);
    ck_assert_str_eq(b.ptr, want);
    bd_buf_release(&b);
}

static void canon(const char *in, const char *want)
{
    bd_gtid_set s = BD_GTID_SET_INIT;
    parse_ok(&s, BD_FLAVOR_UNKNOWN, in);
    text_is(&s, want);
    bd_gtid_set_release(&s);
}

START_TEST(gtid_set_parse_canonical)
{
    canon("", "");
    canon(" \n ", "");
    canon(U1 ":1-5", U1 ":1-5");
    /* merging: overlapping, adjacent, out of order, single numbers */
    canon(U1 ":7:1-3:4-5:9-12:10", U1 ":1-5:7:9-12");
    canon(U1 ":3,\n" U1 ":1-2", U1 ":1-3");
    /* upper case uuid and tag are folded; uuids sorted */
    canon("55778904-0299-11F1-B1B8-4EF0C4956FEB:1-13:MyTag:1-2,\n " U1 ":1-4",
          U1 ":1-4," U2 ":1-13:mytag:1-2");
    /* tags after the untagged intervals, sorted; a uuid with only tags */
    canon(U2 ":1-2:zeta:5:alpha:1", U2 ":1-2:alpha:1:zeta:5");
    /* intervals after a tag are that tag's */
    canon(U2 ":zeta:5:1-2:alpha:1", U2 ":alpha:1:zeta:1-2:5");
    canon(U2 ":t1:1-3", U2 ":t1:1-3");
    /* MariaDB: one entry per domain, sorted */
    canon("1-2-7, 0-1-100", "0-1-100,1-2-7");
}
END_TEST

static void parse_bad(enum bd_flavor fl, const char *text, const char *msg_has)
{
    bd_gtid_set s = BD_GTID_SET_INIT;
    bd_err err = {0};
    ck_assert_msg(bd_gtid_set_parse(&s, fl, text, strlen(text), &err) == -1, "'%s' accepted", text);
    ck_assert_msg(strstr(err.msg, msg_has) != NULL, "'%s': message '%s' lacks '%s'", text, err.msg,
                  msg_has);
    bd_gtid_set_release(&s);
}

START_TEST(gtid_set_parse_errors)
{
    parse_bad(BD_FLAVOR_MYSQL, "396e294c:1-5", "server uuid");
    parse_bad(BD_FLAVOR_MYSQL, U1, "no transaction numbers");
    parse_bad(BD_FLAVOR_MYSQL, U1 ":tag", "no transaction numbers");
    parse_bad(BD_FLAVOR_MYSQL, U1 ":0-3", "starts at 0");
    parse_bad(BD_FLAVOR_MYSQL, U1 ":5-3", "empty");
    parse_bad(BD_FLAVOR_MYSQL, U1 ":1-", "bad interval");
    parse_bad(BD_FLAVOR_MYSQL, U1 ":1-x", "bad interval");
    parse_bad(BD_FLAVOR_MYSQL, U1 ":-", "bad interval");
    parse_bad(BD_FLAVOR_MYSQL, U1 ":12345678901234567890", "bad interval");
    parse_bad(BD_FLAVOR_MYSQL, U1 ":a-b:1", "bad tag");
    parse_bad(BD_FLAVOR_MYSQL, U1 ":abcdefghijabcdefghijabcdefghijabc:1", "bad tag");
    parse_bad(BD_FLAVOR_MARIADB, "0-1", "domain-server-seq");
    parse_bad(BD_FLAVOR_MARIADB, "0-1-2-3", "domain-server-seq");
    parse_bad(BD_FLAVOR_MARIADB, "4294967296-1-2", "domain-server-seq");
    parse_bad(BD_FLAVOR_MARIADB, "0-1-5,0-2-7", "twice");
    /* the flavour is told by the first element */
    parse_bad(BD_FLAVOR_UNKNOWN, "0-1-5," U1 ":1", "domain-server-seq");
}
END_TEST

START_TEST(gtid_set_has_add_mysql)
{
    bd_gtid_set s = BD_GTID_SET_INIT;
    parse_ok(&s, BD_FLAVOR_MYSQL, U1 ":1-3:7," U2 ":tg:2");
    ck_assert_int_eq(bd_gtid_set_has(&s, U1 ":1"), 1);
    ck_assert_int_eq(bd_gtid_set_has(&s, U1 ":3"), 1);
    ck_assert_int_eq(bd_gtid_set_has(&s, U1 ":4"), 0);
    ck_assert_int_eq(bd_gtid_set_has(&s, U1 ":7"), 1);
    ck_assert_int_eq(bd_gtid_set_has(&s, U1 ":8"), 0);
    ck_assert_int_eq(bd_gtid_set_has(&s, U2 ":2"), 0); /* untagged is another sid */
    ck_assert_int_eq(bd_gtid_set_has(&s, U2 ":tg:2"), 1);
    ck_assert_int_eq(bd_gtid_set_has(&s, U2 ":TG:2"), 1);
    ck_assert_int_eq(bd_gtid_set_has(&s, "0-1-2"), -1);
    ck_assert_int_eq(bd_gtid_set_has(&s, U1 ":0"), -1);
    bd_err err = {0};
    ck_assert_int_eq(bd_gtid_set_add(&s, U1 ":5", &err), 0);
    text_is(&s, U1 ":1-3:5:7," U2 ":tg:2");
    ck_assert_int_eq(bd_gtid_set_add(&s, U1 ":4", &err), 0);
    ck_assert_int_eq(bd_gtid_set_add(&s, U1 ":6", &err), 0);
    text_is(&s, U1 ":1-7," U2 ":tg:2");
    ck_assert_int_eq(bd_gtid_set_add(&s, U2 ":1", &err), 0);
    text_is(&s, U1 ":1-7," U2 ":1:tg:2");
    ck_assert_int_eq(bd_gtid_set_add(&s, "nonsense", &err), -1);
    ck_assert(strstr(err.msg, "not a MySQL GTID") != NULL);
    bd_gtid_set_release(&s);
    /* an empty set takes its flavour from the first GTID added */
    ck_assert_int_eq(bd_gtid_set_add(&s, U2 ":9", &err), 0);
    ck_assert_int_eq(s.flavor, BD_FLAVOR_MYSQL);
    text_is(&s, U2 ":9");
    bd_gtid_set_release(&s);
}
END_TEST

START_TEST(gtid_set_has_add_mariadb)
{
    bd_gtid_set s = BD_GTID_SET_INIT;
    parse_ok(&s, BD_FLAVOR_UNKNOWN, "0-1-100,2-5-7");
    ck_assert_int_eq(s.flavor, BD_FLAVOR_MARIADB);
    ck_assert_int_eq(bd_gtid_set_has(&s, "0-1-100"), 1);
    ck_assert_int_eq(bd_gtid_set_has(&s, "0-9-3"), 1); /* position: the whole domain so far */
    ck_assert_int_eq(bd_gtid_set_has(&s, "0-1-101"), 0);
    ck_assert_int_eq(bd_gtid_set_has(&s, "1-1-1"), 0);
    ck_assert_int_eq(bd_gtid_set_has(&s, "2-5-8"), 0);
    ck_assert_int_eq(bd_gtid_set_has(&s, U1 ":1"), -1);
    bd_err err = {0};
    ck_assert_int_eq(bd_gtid_set_add(&s, "0-3-101", &err), 0);
    ck_assert_int_eq(bd_gtid_set_add(&s, "1-1-1", &err), 0);
    text_is(&s, "0-3-101,1-1-1,2-5-7");
    bd_gtid_set_release(&s);
}
END_TEST

static int covers(const char *s_text, const char *before_text)
{
    bd_gtid_set s = BD_GTID_SET_INIT, b = BD_GTID_SET_INIT;
    parse_ok(&s, BD_FLAVOR_UNKNOWN, s_text);
    bd_err err = {0};
    ck_assert_msg(bd_gtid_set_parse_before(&b, BD_FLAVOR_UNKNOWN, before_text, strlen(before_text),
                                           &err) == 0,
                  "%s", err.msg);
    int r = bd_gtid_set_covers(&s, &b);
    bd_gtid_set_release(&s);
    bd_gtid_set_release(&b);
    return r;
}

START_TEST(gtid_set_covers_cases)
{
    ck_assert_int_eq(covers("", ""), 1);
    ck_assert_int_eq(covers(U1 ":1-4", ""), 1);
    ck_assert_int_eq(covers("", U1 ":1-4"), 0);
    ck_assert_int_eq(covers(U1 ":1-4", U1 ":1-4"), 1);
    ck_assert_int_eq(covers(U1 ":1-5", U1 ":1-4"), 1);
    ck_assert_int_eq(covers(U1 ":1-3", U1 ":1-4"), 0);
    ck_assert_int_eq(covers(U1 ":1-3:5-9", U1 ":1-2:6-8"), 1);
    ck_assert_int_eq(covers(U1 ":1-3:5-9", U1 ":1-6"), 0); /* 4 is missing */
    ck_assert_int_eq(covers(U1 ":1-9", U1 ":1-4," U2 ":1"), 0);
    ck_assert_int_eq(covers(U1 ":1-9," U2 ":1-2", U1 ":1-4," U2 ":1"), 1);
    ck_assert_int_eq(covers(U2 ":1-13", U2 ":1-13:mytag:1-2"), 0);
    ck_assert_int_eq(covers(U2 ":1-13:mytag:1-3", U2 ":1-13:mytag:1-2"), 1);
    /* MariaDB: per domain, the position must be at least the list's */
    ck_assert_int_eq(covers("0-1-10", "0-1-10"), 1);
    ck_assert_int_eq(covers("0-1-10", "0-1-9,0-2-10"), 1);
    ck_assert_int_eq(covers("0-1-10", "0-1-11"), 0);
    ck_assert_int_eq(covers("0-1-10", "0-1-5,1-1-1"), 0);
    /* flavours never cover each other */
    ck_assert_int_eq(covers("0-1-10", U1 ":1"), 0);
}
END_TEST

START_TEST(gtid_set_pick)
{
    bd_gtid_set before[3] = {BD_GTID_SET_INIT, BD_GTID_SET_INIT, BD_GTID_SET_INIT};
    const char *names[3] = {"binlog.000007", "binlog.000008", "binlog.000009"};
    parse_ok(&before[0], BD_FLAVOR_MYSQL, U1 ":1-10");
    parse_ok(&before[1], BD_FLAVOR_MYSQL, U1 ":1-20");
    parse_ok(&before[2], BD_FLAVOR_MYSQL, U1 ":1-30," U2 ":1");
    bd_gtid_set s = BD_GTID_SET_INIT;
    bd_err err = {0};
    parse_ok(&s, BD_FLAVOR_MYSQL, U1 ":1-25");
    ck_assert_int_eq(bd_gtid_pick_file(&s, before, 3, names, &err), 1);
    parse_ok(&s, BD_FLAVOR_MYSQL, U1 ":1-30," U2 ":1-4");
    ck_assert_int_eq(bd_gtid_pick_file(&s, before, 3, names, &err), 2);
    parse_ok(&s, BD_FLAVOR_MYSQL, U1 ":1-10");
    ck_assert_int_eq(bd_gtid_pick_file(&s, before, 3, names, &err), 0);
    /* a hole before the oldest file: purged, refused with the first missing GTID */
    parse_ok(&s, BD_FLAVOR_MYSQL, U1 ":1-4:6-12");
    ck_assert_int_eq(bd_gtid_pick_file(&s, before, 3, names, &err), -1);
    ck_assert_msg(strstr(err.msg, "binlog.000007") && strstr(err.msg, U1 ":5") &&
                      strstr(err.msg, "purged"),
                  "%s", err.msg);
    parse_ok(&s, BD_FLAVOR_MYSQL, "");
    ck_assert_int_eq(bd_gtid_pick_file(&s, before, 3, names, &err), -1);
    ck_assert_msg(strstr(err.msg, U1 ":1") != NULL, "%s", err.msg);
    ck_assert_int_eq(bd_gtid_pick_file(&s, before, 0, names, &err), -1);
    for (int i = 0; i < 3; i++)
        bd_gtid_set_release(&before[i]);
    bd_gtid_set_release(&s);
}
END_TEST

START_TEST(gtid_set_skip_filter)
{
    bd_gtid_set s = BD_GTID_SET_INIT;
    parse_ok(&s, BD_FLAVOR_MYSQL, U1 ":1-2");
    bd_gtid_skip k = {&s, 0, 0};
    /* txn 1: GTID, BEGIN, TABLE_MAP, ROWS, XID — all dropped */
    ck_assert_int_eq(bd_gtid_skip_event(&k, 1, U1 ":1", 0), 1);
    ck_assert_int_eq(bd_gtid_skip_event(&k, 1, NULL, 0), 1); /* BEGIN query */
    ck_assert_int_eq(bd_gtid_skip_event(&k, 0, NULL, 0), 1);
    ck_assert_int_eq(k.skipping, 1); /* rows are dropped while skipping */
    ck_assert_int_eq(bd_gtid_skip_event(&k, 0, NULL, 1), 1);
    ck_assert_int_eq(k.skipping, 0);
    /* between transactions: passed */
    ck_assert_int_eq(bd_gtid_skip_event(&k, 0, NULL, 0), 0);
    /* txn 3: passed whole */
    ck_assert_int_eq(bd_gtid_skip_event(&k, 1, U1 ":3", 0), 0);
    ck_assert_int_eq(bd_gtid_skip_event(&k, 1, NULL, 0), 0);
    ck_assert_int_eq(bd_gtid_skip_event(&k, 0, NULL, 1), 0);
    /* a DDL: GTID then the self-committing query */
    ck_assert_int_eq(bd_gtid_skip_event(&k, 1, U1 ":2", 0), 1);
    ck_assert_int_eq(bd_gtid_skip_event(&k, 0, NULL, 1), 1);
    ck_assert_int_eq(bd_gtid_skip_event(&k, 1, U1 ":4", 0), 0);
    ck_assert_uint_eq(k.skipped, 2);
    bd_gtid_set_release(&s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("gtid_set");
    TCase *t = tcase_create("gtid_set");
    tcase_add_test(t, gtid_set_parse_canonical);
    tcase_add_test(t, gtid_set_parse_errors);
    tcase_add_test(t, gtid_set_has_add_mysql);
    tcase_add_test(t, gtid_set_has_add_mariadb);
    tcase_add_test(t, gtid_set_covers_cases);
    tcase_add_test(t, gtid_set_pick);
    tcase_add_test(t, gtid_set_skip_filter);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return tu_run(suite()) ? 1 : 0; }
