/* test_parse.c - the parsers of what a person writes (parse.h, position.h):
 * the forms each takes with the value they give, and the forms strtoull
 * and strtod would have let through (a sign, spaces, hexadecimal, inf,
 * nan, trailing text, overflow), each refused with the output untouched. */
#include <stdio.h>
#include <string.h>

#include "binlogd/parse.h"
#include "binlogd/position.h"
#include "testutil.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(parse_uint)
{
    static const struct {
        const char *in;
        unsigned long long max, want;
    } ok[] = {
        {"0", 10, 0},
        {"7", 10, 7},
        {"10", 10, 10},
        {"007", 10, 7}, /* leading zeros are decimal, not octal */
        {"65535", 65535, 65535},
        {"4294967295", 4294967295ULL, 4294967295ULL},
        {"18446744073709551615", ~0ULL, 18446744073709551615ULL},
    };
    for (size_t i = 0; i < N(ok); i++) {
        unsigned long long v = 12345;
        ck_assert_msg(bd_parse_uint(ok[i].in, ok[i].max, &v) == 0, "%s refused", ok[i].in);
        ck_assert_msg(v == ok[i].want, "%s: %llu, want %llu", ok[i].in, v, ok[i].want);
    }
    static const struct {
        const char *in;
        unsigned long long max;
    } bad[] = {
        {"", ~0ULL},
        {"-1", ~0ULL},
        {"+5", ~0ULL},
        {" 5", ~0ULL},
        {"5 ", ~0ULL},
        {"0x10", ~0ULL},
        {"1e3", ~0ULL},
        {"1.0", ~0ULL},
        {"5x", ~0ULL},
        {"18446744073709551616", ~0ULL}, /* 2^64 */
        {"99999999999999999999999", ~0ULL},
        {"11", 10},
        {"65536", 65535},
        {"4294967296", 4294967295ULL},
    };
    for (size_t i = 0; i < N(bad); i++) {
        unsigned long long v = 12345;
        ck_assert_msg(bd_parse_uint(bad[i].in, bad[i].max, &v) == -1, "'%s' accepted as %llu",
                      bad[i].in, v);
        ck_assert_msg(v == 12345, "'%s' refused but wrote %llu", bad[i].in, v);
    }
    unsigned long long v = 1;
    ck_assert_int_eq(bd_parse_uint(NULL, 10, &v), -1);
}
END_TEST

START_TEST(parse_secs)
{
    static const struct {
        const char *in;
        double want;
    } ok[] = {{"1.5", 1.5}, {"2s", 2}, {"500ms", 0.5}, {"2m", 120},   {"1h", 3600},
              {".5s", 0.5}, {"0", 0},  {"5.", 5},      {"1e3", 1000}, {"007", 7}};
    for (size_t i = 0; i < N(ok); i++) {
        double d = -1;
        ck_assert_msg(bd_parse_secs(ok[i].in, &d) == 0, "%s refused", ok[i].in);
        ck_assert_msg(d == ok[i].want, "%s: %g, want %g", ok[i].in, d, ok[i].want);
    }
    static const char *const bad[] = {"",       "-1",     " 5",   "+5",  "5 ", "0x10",
                                      "inf",    "nan",    "5d",   "5 s", "s",  "1e309",
                                      "1e308h", "1e308m", "5ms ", "5S",  ".",  "1e-400"};
    for (size_t i = 0; i < N(bad); i++) {
        double d = 42;
        ck_assert_msg(bd_parse_secs(bad[i], &d) == -1, "'%s' accepted as %g", bad[i], d);
        ck_assert_msg(d == 42, "'%s' refused but wrote %g", bad[i], d);
    }
    double d = 42;
    ck_assert_int_eq(bd_parse_secs(NULL, &d), -1);
}
END_TEST

START_TEST(parse_size)
{
    static const struct {
        const char *in;
        uint64_t want;
    } ok[] = {
        {"0", 0},
        {"4096", 4096},
        {"5B", 5},
        {"64K", 64 << 10},
        {"64k", 64 << 10},
        {"64KB", 64 << 10},
        {"64kb", 64 << 10},
        {"16M", 16 << 20},
        {"16m", 16 << 20},
        {"1G", 1ULL << 30},
        {"16G", 16ULL << 30},
        {"1.5K", 1536},
        {"0.5", 0}, /* a fraction of a byte is dropped */
        {"1e3", 1000},
        {"18446744073709549568", 18446744073709549568ULL}, /* the last double below 2^64 */
    };
    for (size_t i = 0; i < N(ok); i++) {
        uint64_t v = 12345;
        ck_assert_msg(bd_parse_size(ok[i].in, &v) == 0, "%s refused", ok[i].in);
        ck_assert_msg(v == ok[i].want, "%s: %llu, want %llu", ok[i].in, (unsigned long long)v,
                      (unsigned long long)ok[i].want);
    }
    static const char *const bad[] = {
        "",
        " 5M",
        "+5M",
        "-5M",
        "0x10000",
        "0X10",
        "inf",
        "nan",
        "infM",
        "5M ",
        "5 M",
        "5T",
        "5MBB",
        "5BM",
        "M",
        "B",
        "KB",
        "5Mi",
        "1e30G",
        "1e400",
        "18446744073709551616",
        "17179869184G",
        "5,5M",
        "12X",
    };
    for (size_t i = 0; i < N(bad); i++) {
        uint64_t v = 12345;
        ck_assert_msg(bd_parse_size(bad[i], &v) == -1, "'%s' accepted as %llu", bad[i],
                      (unsigned long long)v);
        ck_assert_msg(v == 12345, "'%s' refused but wrote %llu", bad[i], (unsigned long long)v);
    }
}
END_TEST

START_TEST(parse_hostport)
{
    static const struct {
        const char *in;
        unsigned flags;
        const char *host;
        unsigned port;
    } ok[] = {
        {"db1:3307", 0, "db1", 3307},
        {"db1", 0, "db1", 3306}, /* the default port */
        {"127.0.0.1:9175", BD_HOSTPORT_NEED_PORT, "127.0.0.1", 9175},
        {"127.0.0.1:1", BD_HOSTPORT_NEED_PORT, "127.0.0.1", 1},
        {"127.0.0.1:65535", BD_HOSTPORT_NEED_PORT, "127.0.0.1", 65535},
        {"127.0.0.1:0", BD_HOSTPORT_NEED_PORT | BD_HOSTPORT_ANY_PORT, "127.0.0.1", 0},
        {"[::1]:9000", 0, "::1", 9000},
        {"[::1]", 0, "::1", 3306},
        {"[::]:0", BD_HOSTPORT_ANY_PORT, "::", 0},
        {"[fe80::1%eth0]:9000", 0, "fe80::1%eth0", 9000},
        {"[::ffff:192.0.2.1]:80", 0, "::ffff:192.0.2.1", 80},
        {"kafka-1.example.com:9092", 0, "kafka-1.example.com", 9092},
        {"broker_1:9092", 0, "broker_1", 9092},
        {"::1", BD_HOSTPORT_BARE_V6, "::1", 3306},
        {"fe80::1:9092", BD_HOSTPORT_BARE_V6, "fe80::1:9092", 3306}, /* no port: as librdkafka */
    };
    for (size_t i = 0; i < N(ok); i++) {
        char host[64] = "x";
        unsigned port = 1;
        int rc = bd_parse_hostport(ok[i].in, host, sizeof host, &port, 3306, ok[i].flags);
        ck_assert_msg(rc == 0, "%s refused: %s", ok[i].in, bd_hostport_strerror(rc));
        ck_assert_str_eq(host, ok[i].host);
        ck_assert_uint_eq(port, ok[i].port);
    }
    static const struct {
        const char *in;
        unsigned flags;
        int want;
    } bad[] = {
        {"host:0", 0, BD_HOSTPORT_BAD_PORT},
        {"host:65536", 0, BD_HOSTPORT_BAD_PORT},
        {"host:65536", BD_HOSTPORT_ANY_PORT, BD_HOSTPORT_BAD_PORT},
        {"host:", 0, BD_HOSTPORT_BAD_PORT},
        {"host:+80", 0, BD_HOSTPORT_BAD_PORT},
        {"host: 80", 0, BD_HOSTPORT_BAD_PORT},
        {"host:80 ", 0, BD_HOSTPORT_BAD_PORT},
        {"host:0x50", 0, BD_HOSTPORT_BAD_PORT},
        {"host:-1", 0, BD_HOSTPORT_BAD_PORT},
        {"host:12a", 0, BD_HOSTPORT_BAD_PORT},
        {"host:18446744073709551616", 0, BD_HOSTPORT_BAD_PORT},
        {"[::1]:", 0, BD_HOSTPORT_BAD_PORT},
        {":9000", 0, BD_HOSTPORT_BAD_HOST},
        {"", 0, BD_HOSTPORT_BAD_HOST},
        {":", 0, BD_HOSTPORT_BAD_HOST},
        {" host:80", 0, BD_HOSTPORT_BAD_HOST},
        {"host :80", 0, BD_HOSTPORT_BAD_HOST},
        {"-h:80", 0, BD_HOSTPORT_BAD_HOST},
        {"a/b:80", 0, BD_HOSTPORT_BAD_HOST},
        {"[]:9000", 0, BD_HOSTPORT_BAD_HOST},
        {"[127.0.0.1]:9000", 0, BD_HOSTPORT_BAD_HOST}, /* brackets are for IPv6 */
        {"[::g]:9000", 0, BD_HOSTPORT_BAD_HOST},
        {"[fe80::1%]:9000", 0, BD_HOSTPORT_BAD_HOST},
        {"host", BD_HOSTPORT_NEED_PORT, BD_HOSTPORT_NO_PORT},
        {"[::1]", BD_HOSTPORT_NEED_PORT, BD_HOSTPORT_NO_PORT},
        {"::1", 0, BD_HOSTPORT_MALFORMED},
        {"::1:9000", 0, BD_HOSTPORT_MALFORMED},
        {"[::1:9000", 0, BD_HOSTPORT_MALFORMED},
        {"[::1]9000", 0, BD_HOSTPORT_MALFORMED},
        {"[::1]:9000]", 0, BD_HOSTPORT_BAD_PORT},
        {"foo:bar:baz", BD_HOSTPORT_BARE_V6, BD_HOSTPORT_BAD_HOST},
    };
    for (size_t i = 0; i < N(bad); i++) {
        char host[64] = "untouched";
        unsigned port = 7;
        int rc = bd_parse_hostport(bad[i].in, host, sizeof host, &port, 3306, bad[i].flags);
        ck_assert_msg(rc == bad[i].want, "'%s': %d (%s), want %d", bad[i].in, rc,
                      bd_hostport_strerror(rc), bad[i].want);
        ck_assert_str_eq(host, "untouched");
        ck_assert_uint_eq(port, 7);
    }
    /* a host that does not fit the caller's buffer is refused, not cut */
    char small[4] = "abc";
    unsigned port = 7;
    ck_assert_int_eq(bd_parse_hostport("abcd:80", small, sizeof small, &port, 0, 0),
                     BD_HOSTPORT_BAD_HOST);
    ck_assert_int_eq(bd_parse_hostport("abc:80", small, sizeof small, &port, 0, 0), 0);
    ck_assert_str_eq(small, "abc");
    ck_assert_int_eq(bd_parse_hostport(NULL, small, sizeof small, &port, 0, 0),
                     BD_HOSTPORT_BAD_HOST);
    ck_assert_str_eq(bd_hostport_strerror(BD_HOSTPORT_NO_PORT), "no port (write HOST:PORT)");
}
END_TEST

START_TEST(binpos_parse)
{
    static const struct {
        const char *in, *file;
        uint64_t pos;
    } ok[] = {
        {"binlog.000003:12", "binlog.000003", 12},
        {"binlog.000003", "binlog.000003", 4}, /* FILE alone: its first event */
        {"binlog.000003:4", "binlog.000003", 4},
        {"mysql-bin.000001:4294967295", "mysql-bin.000001", 4294967295ULL},
        {"binlog.000003:0004", "binlog.000003", 4},
        {"haha.000041", "haha.000041", 4},
    };
    for (size_t i = 0; i < N(ok); i++) {
        bd_binpos p;
        memset(&p, 0xff, sizeof p);
        ck_assert_msg(bd_binpos_parse(ok[i].in, &p) == 0, "%s refused", ok[i].in);
        ck_assert_str_eq(p.file, ok[i].file);
        ck_assert_uint_eq(p.pos, ok[i].pos);
        ck_assert_uint_eq(p.inner, 0);
    }
    char name255[300], name256[300];
    memset(name255, 'a', 255);
    name255[255] = '\0';
    memset(name256, 'a', 256);
    name256[256] = '\0';
    bd_binpos p;
    ck_assert_int_eq(bd_binpos_parse(name255, &p), 0);
    ck_assert_uint_eq(strlen(p.file), 255);
    const char *const bad[] = {
        "",
        ":4",
        "binlog.000003:",
        "binlog.000003:12x",
        "binlog.000003:x12",
        "binlog.000003:+12",
        "binlog.000003:-12",
        "binlog.000003: 12",
        "binlog.000003:12 ",
        "binlog.000003:0x10",
        "binlog.000003:0",
        "binlog.000003:3", /* inside the magic bytes: refused, not rounded up */
        "binlog.000003:4294967296",
        "binlog.000003:18446744073709551616",
        "binlog.000003:4:5",
        "dir/binlog.000003:4",
        "/var/lib/mysql/binlog.000003",
        " binlog.000003",
        "binlog.000003 ",
        "bin log.000003",
        "binlog.000003\t:4",
        "file:abc",
        name256,
    };
    for (size_t i = 0; i < N(bad); i++) {
        memset(&p, 0x5a, sizeof p);
        ck_assert_msg(bd_binpos_parse(bad[i], &p) == -1, "'%s' accepted as %s:%llu", bad[i], p.file,
                      (unsigned long long)p.pos);
        ck_assert_msg(p.pos == 0x5a5a5a5a5a5a5a5aULL, "'%s' refused but wrote", bad[i]);
    }
    ck_assert_int_eq(bd_binpos_parse(NULL, &p), -1);
    ck_assert_int_eq(bd_binlog_name_ok("binlog.000001"), 1);
    ck_assert_int_eq(bd_binlog_name_ok("a:b"), 0);
    ck_assert_int_eq(bd_binlog_name_ok(""), 0);
    ck_assert_int_eq(bd_binlog_name_ok(NULL), 0);
}
END_TEST

START_TEST(binpos_format_cmp)
{
    bd_binpos p;
    char buf[300];
    ck_assert_int_eq(bd_binpos_parse("binlog.000003:1234", &p), 0);
    ck_assert_int_eq(bd_binpos_format(&p, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "binlog.000003:1234");
    /* what format writes, parse reads back: inner is not written */
    p.inner = 3;
    ck_assert_int_eq(bd_binpos_format(&p, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "binlog.000003:1234");
    bd_binpos q;
    ck_assert_int_eq(bd_binpos_parse(buf, &q), 0);
    ck_assert_str_eq(q.file, p.file);
    ck_assert_uint_eq(q.pos, p.pos);
    /* too small: -1 and an empty string, never a cut position */
    ck_assert_int_eq(bd_binpos_format(&p, buf, 18), -1);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(bd_binpos_format(&p, buf, 19), 0);
    ck_assert_str_eq(buf, "binlog.000003:1234");

    bd_binpos a, b;
    ck_assert_int_eq(bd_binpos_parse("binlog.000001:900", &a), 0);
    ck_assert_int_eq(bd_binpos_parse("binlog.000002", &b), 0);
    ck_assert_int_eq(bd_binpos_cmp(&a, &b), -1);
    ck_assert_int_eq(bd_binpos_cmp(&b, &a), 1);
    ck_assert_int_eq(bd_binpos_cmp(&a, &a), 0);
    /* by the number, not the text */
    ck_assert_int_eq(bd_binpos_parse("binlog.999999:4", &a), 0);
    ck_assert_int_eq(bd_binpos_parse("binlog.1000000:4", &b), 0);
    ck_assert_int_eq(bd_binpos_cmp(&a, &b), -1);
    /* the same event: inner decides */
    ck_assert_int_eq(bd_binpos_parse("binlog.000002:500", &a), 0);
    b = a;
    b.inner = 2;
    ck_assert_int_eq(bd_binpos_cmp(&a, &b), -1);
    a.inner = 2;
    ck_assert_int_eq(bd_binpos_cmp(&a, &b), 0);
}
END_TEST

START_TEST(closest)
{
    static const char *const opts[] = {"listen", "cutoff", "wait", "interval", NULL, "quiet"};
    size_t n = sizeof opts / sizeof opts[0];
    ck_assert_str_eq(bd_closest("lisen", opts, n), "listen");  /* a letter left out */
    ck_assert_str_eq(bd_closest("lsiten", opts, n), "listen"); /* two swapped */
    ck_assert_str_eq(bd_closest("Listen", opts, n), "listen"); /* case */
    ck_assert_str_eq(bd_closest("cutof", opts, n), "cutoff");
    ck_assert_str_eq(bd_closest("intervall", opts, n), "interval");
    ck_assert_str_eq(bd_closest("wiat", opts, n), "wait");
    ck_assert_ptr_null(bd_closest("listen", opts, n)); /* itself: nothing to suggest */
    ck_assert_ptr_null(bd_closest("port", opts, n));   /* nothing near */
    ck_assert_ptr_null(bd_closest("w", opts, n));
    ck_assert_ptr_null(bd_closest("", opts, n));
    ck_assert_ptr_null(bd_closest("quite_different_word", opts, n));
    ck_assert_ptr_null(bd_closest("x", opts, 0));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("parse");
    TCase *t = tcase_create("parse");
    tcase_add_test(t, parse_uint);
    tcase_add_test(t, parse_secs);
    tcase_add_test(t, parse_size);
    tcase_add_test(t, parse_hostport);
    tcase_add_test(t, binpos_parse);
    tcase_add_test(t, binpos_format_cmp);
    tcase_add_test(t, closest);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return tu_run(suite()) ? 1 : 0; }
