/* test_tz.c - time zones: offsets from the system's TZif files (Shanghai,
 * New York across both 2026 DST changes and after 2037 from the footer's
 * rule, London), daily times across a skipped and a repeated hour, fixed
 * offsets, TZif files written here (v1, v2 footer-only, v3, broken ones),
 * zone names refused, and the time syntaxes users give.
 *
 * Every expected instant was computed independently with GNU date while
 * writing the test (e.g. `TZ=America/New_York date -d '2026-03-08 03:00'
 * +%s`) and is written here as a number. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binlogd/tz.h"
#include "testutil.h"

#define H 3600L

static bd_tz *load(const char *name)
{
    bd_err err = {0};
    bd_tz *tz = bd_tz_load(name, &err);
    ck_assert_msg(tz != NULL, "load %s: %s", name, err.msg);
    return tz;
}

/* Loading name fails with a message containing want. */
static void load_fails(const char *name, const char *want)
{
    bd_err err = {0};
    bd_tz *tz = bd_tz_load(name, &err);
    ck_assert_msg(tz == NULL, "'%s' loaded", name);
    ck_assert_msg(strstr(err.msg, want) != NULL, "'%s': message '%s' lacks '%s'", name, err.msg,
                  want);
}

START_TEST(tz_shanghai)
{
    bd_tz *tz = load("Asia/Shanghai");
    ck_assert_int_eq(bd_tz_offset(tz, 1795773600), 8 * H); /* 2026-11-27T10:00:00Z */
    ck_assert_int_eq(bd_tz_offset(tz, 1782864000), 8 * H); /* 2026-07-01: no DST now */
    ck_assert_int_eq(bd_tz_offset(tz, 678326400), 9 * H);  /* 1991-07-01: DST then */
    bd_tz_free(tz);
}
END_TEST

START_TEST(tz_new_york)
{
    bd_tz *tz = load("America/New_York");
    /* 2026-03-08 02:00 EST -> 03:00 EDT at 07:00Z */
    ck_assert_int_eq(bd_tz_offset(tz, 1772953199), -5 * H);
    ck_assert_int_eq(bd_tz_offset(tz, 1772953200), -4 * H);
    /* 2026-11-01 02:00 EDT -> 01:00 EST at 06:00Z */
    ck_assert_int_eq(bd_tz_offset(tz, 1793512799), -4 * H);
    ck_assert_int_eq(bd_tz_offset(tz, 1793512800), -5 * H);
    /* 2040: past the file's transitions (2037), from its footer's
     * rule "EST5EDT,M3.2.0,M11.1.0" */
    ck_assert_int_eq(bd_tz_offset(tz, 2215061999), -5 * H);
    ck_assert_int_eq(bd_tz_offset(tz, 2215062000), -4 * H);
    ck_assert_int_eq(bd_tz_offset(tz, 2235621599), -4 * H);
    ck_assert_int_eq(bd_tz_offset(tz, 2235621600), -5 * H);
    bd_tz_free(tz);
}
END_TEST

START_TEST(tz_london)
{
    bd_tz *tz = load("Europe/London");
    ck_assert_int_eq(bd_tz_offset(tz, 1774745999), 0); /* 2026-03-29T00:59:59Z */
    ck_assert_int_eq(bd_tz_offset(tz, 1774746000), H);
    ck_assert_int_eq(bd_tz_offset(tz, 1792889999), H); /* 2026-10-25T00:59:59Z */
    ck_assert_int_eq(bd_tz_offset(tz, 1792890000), 0);
    bd_tz_free(tz);
}
END_TEST

START_TEST(tz_daily_shanghai)
{
    bd_tz *tz = load("Asia/Shanghai");
    /* at 2026-11-27T10:00:00Z (18:00 in Shanghai): the latest midnight is
     * 2026-11-26T16:00:00Z, the next 2026-11-27T16:00:00Z */
    ck_assert_int_eq(bd_tz_daily_before(tz, 0, 1795773600), 1795708800);
    ck_assert_int_eq(bd_tz_daily_after(tz, 0, 1795773600), 1795795200);
    /* at the very instant both are that instant */
    ck_assert_int_eq(bd_tz_daily_before(tz, 0, 1795708800), 1795708800);
    ck_assert_int_eq(bd_tz_daily_after(tz, 0, 1795708800), 1795708800);
    ck_assert_int_eq(bd_tz_daily_before(tz, 0, 1795708799), 1795708800 - 86400);
    /* 02:30 Shanghai = 18:30Z the day before */
    ck_assert_int_eq(bd_tz_daily_before(tz, 2 * H + 1800, 1795773600), 1795717800);
    bd_tz_free(tz);
}
END_TEST

START_TEST(tz_daily_gap)
{
    bd_tz *tz = load("America/New_York");
    int t0230 = 2 * H + 1800;
    /* 2026-03-08 02:30 never shows: it counts at the jump, 07:00Z */
    ck_assert_int_eq(bd_tz_daily_after(tz, t0230, 1772946000), 1772953200);
    ck_assert_int_eq(bd_tz_daily_before(tz, t0230, 1772953200), 1772953200);
    ck_assert_int_eq(bd_tz_daily_before(tz, t0230, 1772953199), 1772868600); /* 03-07 02:30 */
    ck_assert_int_eq(bd_tz_daily_after(tz, t0230, 1772953201), 1773037800);  /* 03-09 02:30 */
    /* 2026-11-01 01:30 shows twice: its first time (EDT) counts */
    int t0130 = H + 1800;
    ck_assert_int_eq(bd_tz_daily_before(tz, t0130, 1793514600), 1793511000);
    ck_assert_int_eq(bd_tz_daily_after(tz, t0130, 1793424601), 1793511000);
    ck_assert_int_eq(bd_tz_daily_after(tz, t0130, 1793511001), 1793601000);  /* 11-02 01:30 */
    ck_assert_int_eq(bd_tz_daily_before(tz, t0130, 1793510999), 1793424600); /* 10-31 01:30 */
    bd_tz_free(tz);
}
END_TEST

START_TEST(tz_fixed)
{
    static const struct {
        const char *name;
        long off;
    } ok[] = {
        {"+08:00", 8 * H}, {"-0530", -5 * H - 1800},
        {"+0800", 8 * H},  {"-05:30", -5 * H - 1800},
        {"+05", 5 * H},    {"UTC", 0},
        {"utc", 0},        {"Z", 0},
        {"-00:00", 0},     {"+23:59", 23 * H + 3540},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        bd_tz *tz = load(ok[i].name);
        ck_assert_msg(bd_tz_offset(tz, 1795773600) == ok[i].off, "%s", ok[i].name);
        ck_assert_msg(bd_tz_offset(tz, -5000000000) == ok[i].off, "%s", ok[i].name);
        bd_tz_free(tz);
    }
    /* +08:00 meets Shanghai's midnight */
    bd_tz *tz = load("+08:00");
    ck_assert_int_eq(bd_tz_daily_before(tz, 0, 1795773600), 1795708800);
    bd_tz_free(tz);
    static const char *bad[] = {"+8:00",  "+24:00", "+08:60", "+08:0", "+",
                                "+0800x", "+08:",   "-5",     "+123",  "+08:00:00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        load_fails(bad[i], "not an offset (give +HH:MM, +HHMM or +HH");
    load_fails("08:00", "not a zone name");
}
END_TEST

START_TEST(tz_names)
{
    unsetenv("TZDIR"); /* the messages name the default directory */
    bd_err err = {0};
    ck_assert_ptr_null(bd_tz_load("Mars/Olympus_Mons", &err));
    ck_assert_str_eq(err.msg, "time zone 'Mars/Olympus_Mons': unknown (no file "
                              "/usr/share/zoneinfo/Mars/Olympus_Mons)");
    load_fails("../../../etc/passwd", "not a zone name");
    load_fails("Asia/../Asia/Shanghai", "not a zone name");
    load_fails("/usr/share/zoneinfo/Asia/Shanghai", "not a zone name");
    load_fails("", "not a zone name");
    load_fails("Asia/Shang hai", "not a zone name");
    load_fails("Asia", "time zone 'Asia': cannot read /usr/share/zoneinfo/Asia");
    load_fails("zone1970.tab", "not a TZif file");
}
END_TEST

/* ---- TZif files written here, read through TZDIR ---- */

static char tzdir[64];

static void tzdir_make(void)
{
    snprintf(tzdir, sizeof tzdir, "/tmp/bd_tz_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tzdir));
    ck_assert_int_eq(setenv("TZDIR", tzdir, 1), 0);
}

static void put32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    ck_assert_uint_eq(fwrite(b, 1, 4, f), 4);
}

struct tzif {
    int version; /* 0, '2', '3' */
    size_t ntrans;
    const int64_t *trans;
    const uint8_t *idx;
    size_t ntypes;
    const int32_t *offs;
    uint32_t leapcnt;
    const char *footer;
    long cut; /* write only this many bytes (0: all) */
};

static void header(FILE *f, int version, const struct tzif *z)
{
    ck_assert_uint_eq(fwrite("TZif", 1, 4, f), 4);
    fputc(version, f);
    for (int i = 0; i < 15; i++)
        fputc(0, f);
    put32(f, 0);                   /* isutcnt */
    put32(f, 0);                   /* isstdcnt */
    put32(f, z->leapcnt);          /* leapcnt */
    put32(f, (uint32_t)z->ntrans); /* timecnt */
    put32(f, (uint32_t)z->ntypes); /* typecnt */
    put32(f, 4);                   /* charcnt: "ZZZ\0" */
}

static void block(FILE *f, int tsize, const struct tzif *z)
{
    for (size_t i = 0; i < z->ntrans; i++) {
        if (tsize == 8) put32(f, (uint32_t)((uint64_t)z->trans[i] >> 32));
        put32(f, (uint32_t)z->trans[i]);
    }
    for (size_t i = 0; i < z->ntrans; i++)
        fputc(z->idx[i], f);
    for (size_t i = 0; i < z->ntypes; i++) {
        put32(f, (uint32_t)z->offs[i]);
        fputc(i > 0, f); /* isdst */
        fputc(0, f);     /* desigidx */
    }
    ck_assert_uint_eq(fwrite("ZZZ", 1, 4, f), 4);
    for (uint32_t i = 0; i < z->leapcnt; i++) {
        if (tsize == 8) put32(f, 0);
        put32(f, 78796800 + i);
        put32(f, i + 1);
    }
}

static void write_tzif(const char *name, const struct tzif *z)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tzdir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    header(f, z->version, z);
    block(f, 4, z);
    if (z->version) {
        header(f, z->version, z);
        block(f, 8, z);
        fprintf(f, "\n%s\n", z->footer ? z->footer : "");
    }
    ck_assert_int_eq(fclose(f), 0);
    if (z->cut) ck_assert_int_eq(truncate(path, z->cut), 0);
}

static void tzdir_clean(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tzdir);
    ck_assert_int_eq(system(cmd), 0);
    unsetenv("TZDIR");
}

START_TEST(tz_tzif_written)
{
    tzdir_make();
    static const int32_t ny_offs[] = {-18000, -14400};
    /* v2 with no transitions: every instant from the footer */
    struct tzif footer_only = {'2', 0, NULL, NULL, 1, ny_offs, 0, "EST5EDT,M3.2.0,M11.1.0", 0};
    write_tzif("NY", &footer_only);
    bd_tz *tz = load("NY");
    ck_assert_int_eq(bd_tz_offset(tz, 1772953199), -5 * H);
    ck_assert_int_eq(bd_tz_offset(tz, 1772953200), -4 * H);
    ck_assert_int_eq(bd_tz_offset(tz, 1793512799), -4 * H);
    ck_assert_int_eq(bd_tz_offset(tz, 1793512800), -5 * H);
    ck_assert_int_eq(bd_tz_daily_after(tz, 2 * H + 1800, 1772946000), 1772953200);
    bd_tz_free(tz);

    /* v1: 32-bit transitions, no footer; the last type holds after them */
    static const int64_t tr[] = {1772953200, 1793512800};
    static const uint8_t ix[] = {1, 0};
    struct tzif v1 = {0, 2, tr, ix, 2, ny_offs, 0, NULL, 0};
    write_tzif("V1", &v1);
    tz = load("V1");
    ck_assert_int_eq(bd_tz_offset(tz, 1772953199), -5 * H); /* type 0 before the first */
    ck_assert_int_eq(bd_tz_offset(tz, 1772953200), -4 * H);
    ck_assert_int_eq(bd_tz_offset(tz, 1793512800), -5 * H);
    ck_assert_int_eq(bd_tz_offset(tz, 2215062000), -5 * H); /* no footer: stays */
    bd_tz_free(tz);

    /* v3, southern hemisphere (DST across the new year), rule times in
     * standard time, after transitions: Australia/Sydney's rule; 2026-04-05
     * 03:00 AEDT -> 02:00 AEST at 16:00Z on 04-04, 10-04 02:00 AEST -> 03:00
     * AEDT at 16:00Z on 10-03 */
    static const int32_t syd_offs[] = {36000, 39600};
    static const int64_t str[] = {1000000000};
    static const uint8_t six[] = {0};
    struct tzif v3 = {'3', 1, str, six, 2, syd_offs, 0, "AEST-10AEDT,M10.1.0,M4.1.0/3", 0};
    write_tzif("Syd", &v3);
    tz = load("Syd");
    ck_assert_int_eq(bd_tz_offset(tz, 1775318399), 11 * H);
    ck_assert_int_eq(bd_tz_offset(tz, 1775318400), 10 * H);
    ck_assert_int_eq(bd_tz_offset(tz, 1791043199), 10 * H);
    ck_assert_int_eq(bd_tz_offset(tz, 1791043200), 11 * H);
    ck_assert_int_eq(bd_tz_offset(tz, 1795773600), 11 * H); /* November: summer */
    bd_tz_free(tz);

    /* a quoted name and a fixed footer */
    struct tzif q = {'2', 0, NULL, NULL, 1, syd_offs, 0, "<+0530>-5:30", 0};
    write_tzif("Q", &q);
    tz = load("Q");
    ck_assert_int_eq(bd_tz_offset(tz, 1795773600), 5 * H + 1800);
    bd_tz_free(tz);

    /* refused, each naming the file and why */
    struct tzif j = {'2', 0, NULL, NULL, 1, ny_offs, 0, "EST5EDT,J60,J300", 0};
    write_tzif("J", &j);
    load_fails("J", "time zone 'J': ");
    load_fails("J", "/J: its DST rule 'J60,J300' counts days of the year");
    struct tzif n = {'2', 0, NULL, NULL, 1, ny_offs, 0, "EST5EDT,60,300", 0};
    write_tzif("N", &n);
    load_fails("N", "counts days of the year");
    struct tzif norule = {'2', 0, NULL, NULL, 1, ny_offs, 0, "EST5EDT", 0};
    write_tzif("NoRule", &norule);
    load_fails("NoRule", "has DST but no rules");
    struct tzif badstr = {'2', 0, NULL, NULL, 1, ny_offs, 0, "EST5EDT,M13.1.0,M11.1.0", 0};
    write_tzif("BadRule", &badstr);
    load_fails("BadRule", "malformed DST rule");
    struct tzif badname = {'2', 0, NULL, NULL, 1, ny_offs, 0, "E5", 0};
    write_tzif("BadName", &badname);
    load_fails("BadName", "malformed TZ string 'E5'");
    struct tzif cut = footer_only;
    cut.cut = 50;
    write_tzif("Cut", &cut);
    load_fails("Cut", "truncated TZif file (50 bytes)");
    cut.cut = 60; /* the first block whole, the second header cut */
    write_tzif("Cut2", &cut);
    load_fails("Cut2", "no second TZif header at byte 54");
    cut.cut = 44 + 10 + 44 + 10; /* both blocks, no footer */
    write_tzif("NoFooter", &cut);
    load_fails("NoFooter", "no footer");
    struct tzif leap = footer_only;
    leap.leapcnt = 1;
    write_tzif("Leap", &leap);
    load_fails("Leap", "leap seconds");
    static const int64_t down[] = {1793512800, 1772953200};
    struct tzif order = {'2', 2, down, ix, 2, ny_offs, 0, "EST5", 0};
    write_tzif("Order", &order);
    load_fails("Order", "transition 1 is not after the one before it");
    static const uint8_t bad_ix[] = {1, 2};
    struct tzif badidx = {'2', 2, tr, bad_ix, 2, ny_offs, 0, "EST5", 0};
    write_tzif("BadIdx", &badidx);
    load_fails("BadIdx", "transition 1 names time type 2 of 2");
    static const int32_t huge[] = {30 * 3600};
    struct tzif big = {'2', 0, NULL, NULL, 1, huge, 0, "", 0};
    write_tzif("Big", &big);
    load_fails("Big", "more than 26 h");
    struct tzif nottypes = {'2', 0, NULL, NULL, 0, ny_offs, 0, "", 0};
    write_tzif("NoTypes", &nottypes);
    load_fails("NoTypes", "malformed TZif header");
    struct tzif v9 = {'1', 0, NULL, NULL, 1, ny_offs, 0, "", 0};
    write_tzif("V9", &v9);
    load_fails("V9", "unknown TZif version");
    char p[128];
    snprintf(p, sizeof p, "%s/Empty", tzdir);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    load_fails("Empty", "not a TZif file");
    bd_err err = {0};
    ck_assert_ptr_null(bd_tz_load("Missing", &err));
    ck_assert_msg(strstr(err.msg, tzdir) != NULL, "'%s' does not name TZDIR %s", err.msg, tzdir);
    tzdir_clean();
}
END_TEST

START_TEST(tz_clock_parse)
{
    ck_assert_int_eq(bd_clock_parse("00:00"), 0);
    ck_assert_int_eq(bd_clock_parse("23:59:59"), 86399);
    ck_assert_int_eq(bd_clock_parse("09:05"), 9 * 3600 + 300);
    ck_assert_int_eq(bd_clock_parse("9:05"), 9 * 3600 + 300);
    ck_assert_int_eq(bd_clock_parse("12:00:30"), 12 * 3600 + 30);
    static const char *bad[] = {"24:00",  "12:60",  "12:00:60", "12",    "12:0",
                                "",       "12:00 ", " 12:00",   "aa:bb", "123:00",
                                "12:00:", "-1:00",  "12:00:0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(bd_clock_parse(bad[i]) == -1, "'%s' accepted", bad[i]);
}
END_TEST

/* s parses to want µs (in tz, at now). */
static void parses(const char *s, const bd_tz *tz, int64_t now_us, int64_t want)
{
    int64_t got = -2;
    ck_assert_msg(bd_time_parse(s, tz, now_us, &got) == 0, "'%s' refused", s);
    ck_assert_msg(got == want, "'%s': %lld, want %lld", s, (long long)got, (long long)want);
}

START_TEST(tz_time_parse)
{
    bd_tz *sh = load("Asia/Shanghai"), *ny = load("America/New_York");
    const int64_t M = 1000000, now = 1795773600 * M; /* 2026-11-27T10:00:00Z */
    parses("2026-11-27T00:00:00Z", sh, now, 1795737600 * M);
    parses("2026-11-27t00:00:00z", sh, now, 1795737600 * M);
    parses("2026-11-27 00:00:00Z", sh, now, 1795737600 * M);
    parses("2026-11-27T00:00:00.5+08:00", sh, now, 1795708800 * M + 500000);
    parses("2026-11-27T00:00:00-05:30", sh, now, 1795737600 * M + 19800 * M);
    parses("2026-11-27T00:00:00.123456789Z", sh, now, 1795737600 * M + 123456);
    parses("2026-11-27T00:00:00.000001Z", sh, now, 1795737600 * M + 1);
    parses("2028-02-29T00:00:00Z", sh, now, 1835395200 * M);
    parses("1970-01-01T00:00:00Z", sh, now, 0);
    /* without an offset: in the zone */
    parses("2026-11-27 00:00", sh, now, 1795708800 * M);
    parses("2026-11-27 00:00:00", sh, now, 1795708800 * M);
    parses("2026-11-27T00:00:00.25", sh, now, 1795708800 * M + 250000);
    parses("2026-11-27 00:00", NULL, now, 1795737600 * M); /* no zone: UTC */
    parses("2026-03-08 02:30", ny, now, 1772953200 * M);   /* skipped: the jump */
    parses("2026-11-01 01:30", ny, now, 1793511000 * M);   /* twice: the first */
    /* a time of day: the latest one <= now */
    parses("00:00", sh, now, 1795708800 * M);
    parses("18:00", sh, now, 1795773600 * M);
    parses("18:00:01", sh, now, (1795773600 - 86400 + 1) * M);
    parses("02:30", sh, now, 1795717800 * M);
    parses("00:00", NULL, now, 1795737600 * M);
    parses("@1795708800", sh, now, 1795708800 * M);
    parses("@1795708800.25", sh, now, 1795708800 * M + 250000);
    parses("@0", sh, now, 0);
    static const char *bad[] = {
        "",
        "yesterday",
        "2026-02-29T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-11-31T00:00:00Z",
        "2026-11-27T24:00:00Z",
        "2026-11-27T00:60:00Z",
        "2026-11-27T00:00:60Z",
        "2026-11-27",
        "2026-11-27T",
        "2026-11-27T0:00:00Z",
        "2026-11-27X00:00:00Z",
        "2026-11-27T00:00:00.Z",
        "2026-11-27T00:00:00.1234567890Z",
        "2026-11-27T00:00:00Z ",
        "2026-11-27T00:00:00+0800",
        "2026-11-27T00:00:00+08",
        "2026-11-27T00:00:00+24:00",
        "26-11-27T00:00:00Z",
        "2026-1-27T00:00:00Z",
        "24:00",
        "@",
        "@-5",
        "@1.",
        "@1x",
        "@99999999999999999999",
        "@253402300800",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 77;
        ck_assert_msg(bd_time_parse(bad[i], sh, now, &v) == -1, "'%s' accepted", bad[i]);
        ck_assert_msg(v == 77, "'%s' wrote its result", bad[i]);
    }
    bd_tz_free(sh);
    bd_tz_free(ny);
}
END_TEST

START_TEST(tz_time_format)
{
    char b[32];
    bd_time_format(b, 0);
    ck_assert_str_eq(b, "1970-01-01T00:00:00.000000Z");
    bd_time_format(b, 1795708800500000);
    ck_assert_str_eq(b, "2026-11-26T16:00:00.500000Z");
    bd_time_format(b, -1);
    ck_assert_str_eq(b, "1969-12-31T23:59:59.999999Z");
    bd_time_format(b, 1835395200 * (int64_t)1000000 + 7);
    ck_assert_str_eq(b, "2028-02-29T00:00:00.000007Z");
    bd_time_format(b, 253402300799999999);
    ck_assert_str_eq(b, "9999-12-31T23:59:59.999999Z");
    /* round trip, 1900 to 2286 */
    for (int64_t us = -2208988800LL * 1000000; us < 10000000000LL * 1000000;
         us += 86399123457LL * 37) {
        int64_t back;
        bd_time_format(b, us);
        ck_assert_msg(bd_time_parse(b, NULL, 0, &back) == 0, "%s refused", b);
        ck_assert_msg(back == us, "%s: %lld != %lld", b, (long long)back, (long long)us);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("tz");
    TCase *tc = tcase_create("tz");
    tcase_add_test(tc, tz_shanghai);
    tcase_add_test(tc, tz_new_york);
    tcase_add_test(tc, tz_london);
    tcase_add_test(tc, tz_daily_shanghai);
    tcase_add_test(tc, tz_daily_gap);
    tcase_add_test(tc, tz_fixed);
    tcase_add_test(tc, tz_names);
    tcase_add_test(tc, tz_tzif_written);
    tcase_add_test(tc, tz_clock_parse);
    tcase_add_test(tc, tz_time_parse);
    tcase_add_test(tc, tz_time_format);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(suite()) ? 1 : 0; }
