/* test_charset.c - collation ids and text conversion (lib/binlog/charset.c).
 *
 * Expected values come from:
 *  - collation ids and charset names: MySQL 8.0.30's collation list and a
 *    MariaDB 10.11 server's information_schema (SHOW CHARACTER SET for
 *    Maxlen);
 *  - conversions: what the server returns for
 *    HEX(CONVERT(CONVERT(x'..' USING cs) USING utf8mb4)) on MariaDB 10.11,
 *    where the server and glibc's iconv disagree (latin1 0x81, sjis 0x815F,
 *    big5 0xC6A1, greek 0xA1, ...) the server's answer is the expected one;
 *  - text samples in well-known encodings (gbk "你好", koi8-r "Привет", ...).
 */
#include "testutil.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "binlogd/charset.h"

/* ---- ids ---- */

START_TEST(test_names)
{
    static const struct {
        unsigned id;
        const char *name;
        enum bd_cs_kind kind;
        unsigned maxlen;
    } t[] = {
        {1, "big5", BD_CS_CONVERT, 2},
        {8, "latin1", BD_CS_CONVERT, 1},
        {10, "swe7", BD_CS_CONVERT, 1},
        {11, "ascii", BD_CS_ASCII, 1},
        {12, "ujis", BD_CS_CONVERT, 3},
        {13, "sjis", BD_CS_CONVERT, 2},
        {16, "hebrew", BD_CS_CONVERT, 1},
        {18, "tis620", BD_CS_CONVERT, 1},
        {19, "euckr", BD_CS_CONVERT, 2},
        {25, "greek", BD_CS_CONVERT, 1},
        {28, "gbk", BD_CS_CONVERT, 2},
        {33, "utf8mb3", BD_CS_UTF8, 3},
        {35, "ucs2", BD_CS_CONVERT, 2},
        {45, "utf8mb4", BD_CS_UTF8, 4},
        {46, "utf8mb4", BD_CS_UTF8, 4},
        {47, "latin1", BD_CS_CONVERT, 1},
        {51, "cp1251", BD_CS_CONVERT, 1},
        {54, "utf16", BD_CS_CONVERT, 4},
        {56, "utf16le", BD_CS_CONVERT, 4},
        {60, "utf32", BD_CS_CONVERT, 4},
        {63, "binary", BD_CS_BINARY, 1},
        {65, "ascii", BD_CS_ASCII, 1},
        {76, "utf8mb3", BD_CS_UTF8, 3},
        {83, "utf8mb3", BD_CS_UTF8, 3},
        {95, "cp932", BD_CS_CONVERT, 2},
        {97, "eucjpms", BD_CS_CONVERT, 3},
        {159, "ucs2", BD_CS_CONVERT, 2},
        {192, "utf8mb3", BD_CS_UTF8, 3},
        {223, "utf8mb3", BD_CS_UTF8, 3},
        {224, "utf8mb4", BD_CS_UTF8, 4},
        {247, "utf8mb4", BD_CS_UTF8, 4},
        {248, "gb18030", BD_CS_CONVERT, 4},
        {250, "gb18030", BD_CS_CONVERT, 4},
        {255, "utf8mb4", BD_CS_UTF8, 4},
        {278, "utf8mb4", BD_CS_UTF8, 4},
        {305, "utf8mb4", BD_CS_UTF8, 4},
        {309, "utf8mb4", BD_CS_UTF8, 4},
        {323, "utf8mb4", BD_CS_UTF8, 4},
        /* MariaDB only */
        {576, "utf8mb3", BD_CS_UTF8, 3},
        {608, "utf8mb4", BD_CS_UTF8, 4},
        {640, "ucs2", BD_CS_CONVERT, 2},
        {738, "utf32", BD_CS_CONVERT, 4},
        {1025, "big5", BD_CS_CONVERT, 2},
        {1032, "latin1", BD_CS_CONVERT, 1},
        {1057, "utf8mb3", BD_CS_UTF8, 3},
        {1069, "utf8mb4", BD_CS_UTF8, 4},
        {1117, "geostd8", BD_CS_CONVERT, 1},
        {1270, "utf8mb4", BD_CS_UTF8, 4},
        {2048, "utf8mb3", BD_CS_UTF8, 3},
        {2304, "utf8mb4", BD_CS_UTF8, 4},
        {2503, "utf8mb4", BD_CS_UTF8, 4},
        {2560, "ucs2", BD_CS_CONVERT, 2},
        {2816, "utf16", BD_CS_CONVERT, 4},
        {3072, "utf32", BD_CS_CONVERT, 4},
        {3271, "utf32", BD_CS_CONVERT, 4},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *n = bd_charset_name(t[i].id);
        ck_assert_msg(n && strcmp(n, t[i].name) == 0, "id %u: %s", t[i].id, n ? n : "NULL");
        ck_assert_int_eq(bd_charset_kind(t[i].id), t[i].kind);
        ck_assert_uint_eq(bd_charset_mbmaxlen(t[i].id), t[i].maxlen);
    }
}
END_TEST

START_TEST(test_unknown_ids)
{
    /* gaps in both servers' numbering */
    static const unsigned t[] = {0,    17,   100,  125,  152,  184,   216,   251,     254,  272,
                                 276,  295,  299,  301,  302,  324,   575,   579,     1024, 1026,
                                 2216, 2231, 2248, 3272, 4095, 65535, 70000, UINT_MAX};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        ck_assert_msg(bd_charset_name(t[i]) == NULL, "id %u", t[i]);
        ck_assert_int_eq(bd_charset_kind(t[i]), BD_CS_UNKNOWN);
        ck_assert_uint_eq(bd_charset_mbmaxlen(t[i]), 0);
    }
}
END_TEST

START_TEST(test_ids_consistent)
{
    /* name, kind and mbmaxlen agree on every id; counts match the servers'
     * lists: MySQL 8.0.30 has 286 ids (all < 324), MariaDB 10.11 has 1242,
     * 1309 in their union */
    unsigned known = 0;
    for (unsigned id = 0; id < 70000; id++) {
        const char *n = bd_charset_name(id);
        enum bd_cs_kind k = bd_charset_kind(id);
        unsigned m = bd_charset_mbmaxlen(id);
        ck_assert_msg((n != NULL) == (k != BD_CS_UNKNOWN), "id %u", id);
        ck_assert_msg(n ? m >= 1 && m <= 4 : m == 0, "id %u maxlen %u", id, m);
        known += n != NULL;
    }
    ck_assert_uint_eq(known, 1309);
}
END_TEST

/* ---- conversion helpers ---- */

/* Converts hex input; returns malloc'd UTF-8 text, or NULL with err set. */
static char *conv_hex(bd_conv *cv, unsigned coll, const char *hex, bd_err *err)
{
    size_t n;
    uint8_t *p = tu_unhex(hex, &n);
    bd_buf b = BD_BUF_INIT;
    int r = bd_conv_to_utf8(cv, coll, p, n, &b, err);
    free(p);
    if (r < 0) {
        ck_assert_uint_eq(b.len, 0); /* nothing half-written on failure */
        bd_buf_release(&b);
        return NULL;
    }
    ck_assert_int_eq(r, 0);
    ck_assert(bd_utf8_valid((const uint8_t *)b.ptr, b.len));
    return bd_buf_detach(&b, NULL);
}

static void expect(bd_conv *cv, unsigned coll, const char *hex, const char *want)
{
    bd_err err = {0};
    char *got = conv_hex(cv, coll, hex, &err);
    ck_assert_msg(got != NULL, "collation %u, %s: %s", coll, hex, err.msg);
    ck_assert_msg(strcmp(got, want) == 0, "collation %u, %s: got \"%s\", want \"%s\"", coll, hex,
                  got, want);
    free(got);
}

/* Conversion must fail, with a message holding each of the given fragments. */
static void expect_fail(bd_conv *cv, unsigned coll, const char *hex, enum bd_errcode code,
                        const char *frag1, const char *frag2)
{
    bd_err err = {0};
    char *got = conv_hex(cv, coll, hex, &err);
    ck_assert_msg(got == NULL, "collation %u, %s: converted to \"%s\"", coll, hex, got ? got : "");
    ck_assert_int_eq(err.code, code);
    ck_assert_msg(!frag1 || strstr(err.msg, frag1), "'%s' lacks '%s'", err.msg, frag1);
    ck_assert_msg(!frag2 || strstr(err.msg, frag2), "'%s' lacks '%s'", err.msg, frag2);
}

/* ---- UTF-8, ASCII, binary, unknown ---- */

START_TEST(test_utf8)
{
    bd_conv *cv = bd_conv_new();
    ck_assert_ptr_nonnull(cv);
    expect(cv, 45, "", "");
    expect(cv, 255, "636166c3a9", "caf\xc3\xa9");
    expect(cv, 45, "f09f9880", "\xf0\x9f\x98\x80");
    expect(cv, 33, "e4b8ad", "\xe4\xb8\xad");
    expect_fail(cv, 46, "61c328", BD_ERR_CORRUPT, "utf8mb4", "offset 1");
    expect_fail(cv, 255, "6162eda080", BD_ERR_CORRUPT, "offset 2", NULL); /* surrogate */
    expect_fail(cv, 255, "c0af", BD_ERR_CORRUPT, "offset 0", NULL);       /* overlong */
    expect_fail(cv, 255, "41f09f98", BD_ERR_CORRUPT, "offset 1", NULL);   /* cut short */
    expect_fail(cv, 255, "41ff", BD_ERR_CORRUPT, "offset 1", NULL);
    /* utf8mb3 cannot hold a 4-byte character */
    expect_fail(cv, 33, "61f09f9880", BD_ERR_CORRUPT, "utf8mb3", "offset 1");
    expect_fail(cv, 2048, "e4b8adf09f9880", BD_ERR_CORRUPT, "collation 2048", "offset 3");
    bd_conv_free(cv);
}
END_TEST

START_TEST(test_ascii_binary_unknown)
{
    bd_conv *cv = bd_conv_new();
    expect(cv, 11, "48656c6c6f7f00", "Hello\x7f");
    expect_fail(cv, 11, "616280", BD_ERR_CORRUPT, "ascii", "offset 2");
    expect_fail(cv, 65, "e9", BD_ERR_CORRUPT, "offset 0", NULL);
    expect_fail(cv, 63, "414243", BD_ERR_UNSUPPORTED, "binary", NULL);
    expect_fail(cv, 17, "41", BD_ERR_UNSUPPORTED, "collation 17", NULL);
    expect_fail(cv, 4000, "", BD_ERR_UNSUPPORTED, "4000", NULL);
    bd_conv_free(cv);
}
END_TEST

/* ---- 8-bit charsets ---- */

START_TEST(test_latin1)
{
    bd_conv *cv = bd_conv_new();
    expect(cv, 8, "636166e9", "caf\xc3\xa9");
    expect(cv, 8, "80", "\xe2\x82\xac"); /* cp1252 euro */
    expect(cv, 47, "9f", "\xc5\xb8");
    /* undefined in cp1252, C1 controls in MySQL's latin1 */
    expect(cv, 8, "818d8f909d", "\xc2\x81\xc2\x8d\xc2\x8f\xc2\x90\xc2\x9d");
    /* every byte is text in latin1: 256 bytes in, 256 characters out */
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    bd_buf b = BD_BUF_INIT;
    bd_err err = {0};
    for (unsigned id = 0; id < 3000; id++) {
        const char *n = bd_charset_name(id);
        if (!n || strcmp(n, "latin1") != 0) continue;
        bd_buf_reset(&b);
        ck_assert_int_eq(bd_conv_to_utf8(cv, id, all, sizeof all, &b, &err), 0);
        ck_assert(bd_utf8_valid((const uint8_t *)b.ptr, b.len));
        size_t chars = 0;
        for (size_t i = 0; i < b.len; i++)
            chars += ((uint8_t)b.ptr[i] & 0xc0) != 0x80;
        ck_assert_uint_eq(chars, 256);
    }
    bd_buf_release(&b);
    bd_conv_free(cv);
}
END_TEST

START_TEST(test_single_byte)
{
    bd_conv *cv = bd_conv_new();
    /* koi8r / cp1251 / cp866 "Привет" */
    const char *privet = "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82";
    expect(cv, 7, "f0d2c9d7c5d4", privet);
    expect(cv, 51, "cff0e8e2e5f2", privet);
    expect(cv, 36, "8fe0a8a2a5e2", privet);
    expect_fail(cv, 51, "4142 98", BD_ERR_CORRUPT, "cp1251", "offset 2");
    /* greek: MySQL keeps the 1987 table at 0xA1/0xA2 */
    expect(cv, 25, "e1", "\xce\xb1");
    expect(cv, 25, "a1a2", "\xca\xbd\xca\xbc");
    expect_fail(cv, 25, "ff", BD_ERR_CORRUPT, "greek", "offset 0");
    /* hebrew: 0xAF is OVERLINE in MySQL */
    expect(cv, 16, "e0af", "\xd7\x90\xe2\x80\xbe");
    expect_fail(cv, 16, "c0", BD_ERR_CORRUPT, "hebrew", NULL);
    /* tis620: C1 controls pass, U+FFFD slots are errors */
    expect(cv, 18, "a180", "\xe0\xb8\x81\xc2\x80");
    expect_fail(cv, 18, "41a0", BD_ERR_CORRUPT, "tis620", "offset 1");
    /* swe7: letters in place of ASCII punctuation, nothing above 0x7E */
    expect(cv, 10, "405b5c5d5e607b7c7d7e41",
           "\xc3\x89\xc3\x84\xc3\x96\xc3\x85\xc3\x9c\xc3\xa9\xc3\xa4\xc3\xb6\xc3\xa5\xc3\xbc"
           "A");
    expect_fail(cv, 82, "4180", BD_ERR_CORRUPT, "swe7", "offset 1");
    expect_fail(cv, 10, "7f", BD_ERR_CORRUPT, "swe7", NULL);
    /* koi8u 0x95 is BULLET; cp866 0xFC is SUPERSCRIPT N; macroman 0xF0 is Apple's logo */
    expect(cv, 22, "95", "\xe2\x80\xa2");
    expect(cv, 36, "fc", "\xe2\x81\xbf");
    expect(cv, 39, "f0", "\xef\xa3\xbf");
    expect(cv, 37, "80", "\xc4\x8c");       /* keybcs2, absent from glibc */
    expect(cv, 32, "b3ff", "\xd5\xa1\x27"); /* armscii8 */
    expect(cv, 92, "c0", "\xe1\x83\x90");   /* geostd8 */
    expect(cv, 3, "d7", "\xc5\x92");        /* dec8 */
    expect(cv, 9, "b9", "\xc5\xa1");        /* latin2 */
    expect(cv, 30, "fd", "\xc4\xb1");       /* latin5 */
    expect(cv, 41, "e8", "\xc4\x8d");       /* latin7 */
    expect(cv, 26, "8a", "\xc5\xa0");       /* cp1250 */
    expect(cv, 57, "c7", "\xd8\xa7");       /* cp1256 */
    expect(cv, 59, "e0", "\xc4\x85");       /* cp1257 */
    expect(cv, 4, "82", "\xc3\xa9");        /* cp850 */
    expect(cv, 40, "a5", "\xc4\x85");       /* cp852 */
    expect(cv, 38, "80", "\xc3\x84");       /* macce */
    expect(cv, 6, "c8", "\xc3\xa0");        /* hp8 */
    bd_conv_free(cv);
}
END_TEST

/* ---- multi-byte charsets ---- */

START_TEST(test_chinese_korean)
{
    bd_conv *cv = bd_conv_new();
    const char *nihao = "\xe4\xbd\xa0\xe5\xa5\xbd";
    expect(cv, 28, "c4e3bac3", nihao);
    expect(cv, 24, "c4e3bac3", nihao);
    expect(cv, 248, "c4e3bac3", nihao);
    expect(cv, 248, "90308130", "\xf0\x90\x80\x80"); /* four-byte form: U+10000 */
    expect(cv, 248, "81308130", "\xc2\x80");
    expect_fail(cv, 28, "41c4", BD_ERR_CORRUPT, "gbk", "offset 1");
    expect_fail(cv, 24, "4141ff41", BD_ERR_CORRUPT, "gb2312", "offset 2");
    /* big5: "中文", the ETEN kana row and the server's own A1xx choices */
    expect(cv, 1, "a4a4a4e5", "\xe4\xb8\xad\xe6\x96\x87");
    expect(cv, 84, "c6a1c6a5c7b3", "\xe3\x83\xbe\xe3\x81\x81\xd0\x81");
    expect(cv, 1, "41a14541",
           "A\xe2\x80\xa2"
           "A");
    expect_fail(cv, 1, "4142a15a", BD_ERR_CORRUPT, "big5", "offset 2"); /* U+FFFD in MySQL */
    expect_fail(cv, 1, "a4a4a4", BD_ERR_CORRUPT, "truncated", "offset 2");
    /* euckr is CP949: the UHC extension rows are valid */
    expect(cv, 19, "c7d1b1b9", "\xed\x95\x9c\xea\xb5\xad");
    expect(cv, 85, "8141", "\xea\xb0\x82");
    bd_conv_free(cv);
}
END_TEST

START_TEST(test_japanese)
{
    bd_conv *cv = bd_conv_new();
    /* sjis: 0x5C and 0x7E stay ASCII; 0x815F..0x81CA are the JIS, not the Windows, code points */
    expect(cv, 13, "5c7e82a0b1", "\\~\xe3\x81\x82\xef\xbd\xb1");
    expect(cv, 13, "815f816081618191", "\\\xe3\x80\x9c\xe2\x80\x96\xc2\xa2");
    expect(cv, 88, "817c819281ca", "\xe2\x88\x92\xc2\xa3\xc2\xac");
    /* cp932 maps the same codes the Windows way */
    expect(cv, 95, "815f8160", "\xef\xbc\xbc\xef\xbd\x9e");
    expect(cv, 95, "8740", "\xe2\x91\xa0");
    expect_fail(cv, 13, "815f82", BD_ERR_CORRUPT, "sjis", "offset 2");
    expect_fail(cv, 13, "82a08160 82", BD_ERR_CORRUPT, "truncated", "offset 4");
    /* ujis */
    expect(cv, 12, "a4a2a1c08fa2b78eb1", "\xe3\x81\x82\\~\xef\xbd\xb1");
    expect(cv, 12, "a1c1a1f1a2cc8fa2c3", "\xe3\x80\x9c\xc2\xa2\xc2\xac\xc2\xa6");
    expect(cv, 12, "8ff5a1", "\xee\x8e\xac"); /* user-defined area */
    expect_fail(cv, 12, "a4a2a4", BD_ERR_CORRUPT, "ujis", "offset 2");
    /* eucjpms keeps the Microsoft choices */
    expect(cv, 97, "a1c0", "\xef\xbc\xbc");
    bd_conv_free(cv);
}
END_TEST

START_TEST(test_unicode)
{
    bd_conv *cv = bd_conv_new();
    const char *a_grin = "A\xf0\x9f\x98\x80";
    expect(cv, 54, "0041d83dde00", a_grin);
    expect(cv, 56, "41003dd800de", a_grin);
    expect(cv, 60, "000000410001f600", a_grin);
    expect(cv, 35, "00e9", "\xc3\xa9");
    expect(cv, 35, "feff0041",
           "\xef\xbb\xbf"
           "A"); /* no BOM handling: a character */
    expect(cv, 54, "feff", "\xef\xbb\xbf");
    expect_fail(cv, 54, "0041d800", BD_ERR_CORRUPT, "utf16", NULL);
    expect_fail(cv, 54, "004100", BD_ERR_CORRUPT, "truncated", "offset 2");
    expect_fail(cv, 56, "410000dc", BD_ERR_CORRUPT, "utf16le", "offset 2");
    expect_fail(cv, 60, "00110000", BD_ERR_CORRUPT, "utf32", "offset 0");
    expect_fail(cv, 60, "0000d800", BD_ERR_CORRUPT, "utf32", NULL);
    expect_fail(cv, 35, "0041d800", BD_ERR_CORRUPT, "ucs2", "offset 2");
    bd_conv_free(cv);
}
END_TEST

/* Every charset converts plain ASCII (the 16/32-bit ones in their own form),
 * which also proves this system's iconv has each converter we name. */
START_TEST(test_every_charset)
{
    bd_conv *cv = bd_conv_new();
    bd_buf b = BD_BUF_INIT;
    bd_err err = {0};
    const uint8_t txt[] = "Hello, 123";
    size_t n = sizeof txt - 1;
    uint8_t wide[4 * sizeof txt];
    for (unsigned id = 0; id < 4000; id++) {
        const char *name = bd_charset_name(id);
        if (!name || bd_charset_kind(id) == BD_CS_BINARY) continue;
        const uint8_t *p = txt;
        size_t len = n;
        unsigned w = 0;
        int le = 0;
        if (!strcmp(name, "ucs2") || !strcmp(name, "utf16")) w = 2;
        if (!strcmp(name, "utf16le")) w = 2, le = 1;
        if (!strcmp(name, "utf32")) w = 4;
        if (w) {
            memset(wide, 0, sizeof wide);
            for (size_t i = 0; i < n; i++)
                wide[i * w + (le ? 0 : w - 1)] = txt[i];
            p = wide;
            len = n * w;
        }
        bd_buf_reset(&b);
        bd_buf_adds(&b, "<");
        ck_assert_msg(bd_conv_to_utf8(cv, id, p, len, &b, &err) == 0, "id %u (%s): %s", id, name,
                      err.msg);
        ck_assert_str_eq(b.ptr, "<Hello, 123"); /* appends to what is there */
    }
    /* a failure leaves the buffer as it was */
    bd_buf_reset(&b);
    bd_buf_adds(&b, "keep");
    ck_assert_int_eq(bd_conv_to_utf8(cv, 13, (const uint8_t *)"ab\x81", 3, &b, &err), -1);
    ck_assert_str_eq(b.ptr, "keep");
    ck_assert_int_eq(bd_conv_to_utf8(cv, 8, (const uint8_t *)"", 0, &b, &err), 0);
    ck_assert_str_eq(b.ptr, "keep");
    bd_buf_release(&b);
    bd_conv_free(cv);
    bd_conv_free(NULL);
}
END_TEST

/* A long value forces the output buffer to grow mid-conversion. */
START_TEST(test_long_values)
{
    bd_conv *cv = bd_conv_new();
    bd_buf b = BD_BUF_INIT;
    bd_err err = {0};
    enum { N = 100000 };
    uint8_t *p = malloc(2 * N);
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < N; i++)
        p[2 * i] = 0xb1, p[2 * i + 1] = 0x41; /* sjis "ｱA" */
    ck_assert_int_eq(bd_conv_to_utf8(cv, 13, p, 2 * N, &b, &err), 0);
    ck_assert_uint_eq(b.len, 4 * (size_t)N);
    ck_assert(memcmp(b.ptr + b.len - 4,
                     "\xef\xbd\xb1"
                     "A",
                     4) == 0);
    for (size_t i = 0; i < 2 * N; i++)
        p[i] = 0xe9; /* latin1 */
    bd_buf_reset(&b);
    ck_assert_int_eq(bd_conv_to_utf8(cv, 8, p, 2 * N, &b, &err), 0);
    ck_assert_uint_eq(b.len, 4 * (size_t)N);
    p[2 * N - 1] = 0x81; /* sjis lead byte at the very end */
    for (size_t i = 0; i < 2 * N - 1; i++)
        p[i] = 'x';
    bd_buf_reset(&b);
    ck_assert_int_eq(bd_conv_to_utf8(cv, 13, p, 2 * N, &b, &err), -1);
    ck_assert_msg(strstr(err.msg, "offset 199999") != NULL, "%s", err.msg);
    free(p);
    bd_buf_release(&b);
    bd_conv_free(cv);
}
END_TEST

/* Arbitrary bytes in any charset: either valid UTF-8 comes out, or an error
 * and the output untouched; never anything in between. */
START_TEST(test_random_bytes)
{
    bd_conv *cv = bd_conv_new();
    bd_buf b = BD_BUF_INIT;
    bd_err err = {0};
    uint32_t x = 12345;
    uint8_t p[64];
    for (unsigned id = 1; id < 400; id++) {
        if (!bd_charset_name(id) || bd_charset_kind(id) == BD_CS_BINARY) continue;
        for (int round = 0; round < 200; round++) {
            size_t n = 0;
            x = x * 1103515245u + 12345u;
            size_t len = (x >> 16) % sizeof p;
            while (n < len) {
                x = x * 1103515245u + 12345u;
                /* mostly high bytes, where the charsets differ */
                p[n++] = (uint8_t)((x >> 24) & 1 ? (x >> 16) | 0x80 : (x >> 16));
            }
            bd_buf_reset(&b);
            bd_buf_adds(&b, "x");
            if (bd_conv_to_utf8(cv, id, p, n, &b, &err) == 0) {
                ck_assert(bd_utf8_valid((const uint8_t *)b.ptr, b.len));
            } else {
                ck_assert_str_eq(b.ptr, "x");
                ck_assert(strstr(err.msg, "offset") != NULL);
            }
        }
    }
    bd_buf_release(&b);
    bd_conv_free(cv);
}
END_TEST

static Suite *charset_suite(void)
{
    Suite *s = suite_create("charset");
    TCase *tc = tcase_create("ids");
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_unknown_ids);
    tcase_add_test(tc, test_ids_consistent);
    suite_add_tcase(s, tc);
    tc = tcase_create("convert");
    tcase_add_test(tc, test_utf8);
    tcase_add_test(tc, test_ascii_binary_unknown);
    tcase_add_test(tc, test_latin1);
    tcase_add_test(tc, test_single_byte);
    tcase_add_test(tc, test_chinese_korean);
    tcase_add_test(tc, test_japanese);
    tcase_add_test(tc, test_unicode);
    tcase_add_test(tc, test_every_charset);
    tcase_add_test(tc, test_long_values);
    tcase_add_test(tc, test_random_bytes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    Suite *s = charset_suite();
    return tu_run(s) ? 1 : 0;
}
