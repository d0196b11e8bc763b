/* test_buf.c - the growable buffer and its JSON, base64 and number forms.
 * Expected texts are written from RFC 8259 / RFC 4648, not from the code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binlogd/buf.h"
#include "testutil.h"

static void both_json(const char *in, size_t n, const char *want)
{
    /* the checking and the trusted escaper must agree on valid UTF-8, and
     * neither may read past n (inputs are exact-size heap copies) */
    char *copy = malloc(n ? n : 1);
    memcpy(copy, in, n);
    bd_buf a = BD_BUF_INIT, b = BD_BUF_INIT;
    bd_buf_add_json_str(&a, copy, n);
    bd_buf_add_json_utf8(&b, copy, n);
    ck_assert_str_eq(a.ptr, want);
    ck_assert_str_eq(b.ptr, want);
    ck_assert_uint_eq(a.len, strlen(want));
    bd_buf_release(&a);
    bd_buf_release(&b);
    free(copy);
}

START_TEST(test_json_escapes)
{
    both_json("", 0, "\"\"");
    both_json("a", 1, "\"a\"");
    /* exactly 8 and 16 bytes: the word-at-a-time path must stop at the end */
    both_json("12:34:56", 8, "\"12:34:56\"");
    both_json("0123456789abcdef", 16, "\"0123456789abcdef\"");
    both_json("01234567\"", 9, "\"01234567\\\"\"");
    both_json("a\"b\\c\n\r\t\b\f", 10, "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\"");
    both_json("\x01\x1f", 2, "\"\\u0001\\u001f\"");
    both_json("x\0y", 3, "\"x\\u0000y\"");
    both_json("\xe5\x88\x86\xe8\xb4\xa6 ok", 9, "\"\xe5\x88\x86\xe8\xb4\xa6 ok\"");
    both_json("\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 12,
              "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"");
    both_json("abcdefg\x7f", 8, "\"abcdefg\x7f\"");
    /* quotes and backslashes inside long runs (JSON stored as text) */
    both_json("{\"channel\": \"alipay\", \"batch\": 0}", 33,
              "\"{\\\"channel\\\": \\\"alipay\\\", \\\"batch\\\": 0}\"");
    both_json("\"\"\"\"\"\"\"\"\"\\\\abcdefgh", 19,
              "\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\\\\\\abcdefgh\"");
    both_json("abcdefgh\x01ijklmnop\"", 18, "\"abcdefgh\\u0001ijklmnop\\\"\"");
}
END_TEST

START_TEST(test_json_invalid_utf8)
{
    bd_buf a = BD_BUF_INIT;
    bd_buf_add_json_str(&a,
                        "a\xff"
                        "b\xc3",
                        4);
    ck_assert_str_eq(a.ptr, "\"a\xef\xbf\xbd"
                            "b\xef\xbf\xbd\"");
    bd_buf_release(&a);
    ck_assert(!bd_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3)); /* surrogate */
    ck_assert(!bd_utf8_valid((const uint8_t *)"\xc0\x80", 2));     /* overlong */
    ck_assert(!bd_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4));
    ck_assert(!bd_utf8_valid((const uint8_t *)"abcdefgh\x80", 9));
    ck_assert(bd_utf8_valid((const uint8_t *)"abcdefghij\xc3\xa9", 12));
    /* the 3-byte fast path: e1..ec and ee..ef leads, never ed (surrogates) or e0 (overlong) */
    ck_assert(bd_utf8_valid((const uint8_t *)"\xe1\x80\x80\xef\xbf\xbf\xe0\xa0\x80", 9));
    ck_assert(!bd_utf8_valid((const uint8_t *)"\xe1\x80", 2));
    ck_assert(!bd_utf8_valid((const uint8_t *)"\xe1\xc0\x80", 3));
    ck_assert(!bd_utf8_valid((const uint8_t *)"\xe0\x80\x80", 3));
    ck_assert(!bd_utf8_valid((const uint8_t *)"\xef\xbf", 2));
}
END_TEST

START_TEST(test_base64)
{
    /* RFC 4648 section 10 */
    static const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        bd_buf b = BD_BUF_INIT;
        bd_buf_add_base64(&b, (const uint8_t *)in[i], strlen(in[i]));
        ck_assert_str_eq(b.ptr, out[i]);
        bd_buf_release(&b);
    }
}
END_TEST

START_TEST(test_numbers)
{
    bd_buf b = BD_BUF_INIT;
    bd_buf_add_u64(&b, 0);
    bd_buf_addc(&b, ' ');
    bd_buf_add_u64(&b, 18446744073709551615ULL);
    bd_buf_addc(&b, ' ');
    bd_buf_add_i64(&b, INT64_MIN);
    bd_buf_addc(&b, ' ');
    bd_buf_add_i64(&b, -7);
    bd_buf_addc(&b, ' ');
    bd_buf_add_u64(&b, 10);
    bd_buf_addc(&b, ' ');
    bd_buf_add_u64_pad(&b, 7, 4);
    bd_buf_addc(&b, ' ');
    bd_buf_add_u64_pad(&b, 123, 3);
    ck_assert_str_eq(b.ptr, "0 18446744073709551615 -9223372036854775808 -7 10 0007 123");
    bd_buf_release(&b);
}
END_TEST

/* Every digit-count boundary, against the C library's own printing. */
START_TEST(test_u64_boundaries)
{
    uint64_t p = 1;
    for (int k = 0; k < 20; k++) {
        uint64_t vs[3] = {p - 1, p, p + 1};
        for (int j = 0; j < 3; j++) {
            char want[32], got[32];
            snprintf(want, sizeof want, "%llu", (unsigned long long)vs[j]);
            *bd_raw_u64(got, vs[j]) = '\0';
            ck_assert_str_eq(got, want);
            snprintf(want, sizeof want, "%lld", -(long long)(vs[j] >> 1));
            *bd_raw_i64(got, -(int64_t)(vs[j] >> 1)) = '\0';
            ck_assert_str_eq(got, want);
        }
        if (k < 19) p *= 10;
    }
    char got[32];
    *bd_raw_u64(got, UINT64_MAX) = '\0';
    ck_assert_str_eq(got, "18446744073709551615");
}
END_TEST

START_TEST(test_growth_and_detach)
{
    bd_buf b = BD_BUF_INIT;
    ck_assert_str_eq(b.ptr, "");
    for (int i = 0; i < 10000; i++)
        bd_buf_addf(&b, "%d,", i % 10);
    ck_assert_uint_eq(b.len, 20000);
    ck_assert(!bd_buf_failed(&b));
    size_t n;
    char *p = bd_buf_detach(&b, &n);
    ck_assert_uint_eq(n, 20000);
    ck_assert_int_eq(p[19998], '9');
    ck_assert_uint_eq(b.len, 0);
    free(p);
    bd_buf_truncate(&b, 5); /* no-op on an empty buffer */
    bd_buf_release(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("buf");
    TCase *tc = tcase_create("buf");
    tcase_add_test(tc, test_json_escapes);
    tcase_add_test(tc, test_json_invalid_utf8);
    tcase_add_test(tc, test_base64);
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_u64_boundaries);
    tcase_add_test(tc, test_growth_and_detach);
    suite_add_tcase(s, tc);
    return tu_run(s) ? 1 : 0;
}
