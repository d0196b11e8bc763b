/* test_crc32.c - the slicing-by-8 CRC against the standard check value and
 * against zlib's crc32() on many lengths and alignments. */
#include <stdlib.h>
#include <zlib.h>

#include "binlogd/crc32.h"
#include "testutil.h"

START_TEST(test_check_value)
{
    bd_crc32 *c = malloc(sizeof *c);
    bd_crc32_init(c);
    /* the CRC-32 check value of "123456789" (catalogue of CRC algorithms) */
    ck_assert_uint_eq(bd_crc32_update(c, 0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
    ck_assert_uint_eq(bd_crc32_update(c, 0, (const uint8_t *)"", 0), 0u);
    free(c);
}
END_TEST

START_TEST(test_against_zlib)
{
    bd_crc32 *c = malloc(sizeof *c);
    bd_crc32_init(c);
    uint8_t buf[1100];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t off = 0; off < 9; off++)
        for (size_t n = 0; n + off <= sizeof buf; n += 37) {
            uint32_t z = (uint32_t)crc32(0L, buf + off, (uInt)n);
            ck_assert_uint_eq(bd_crc32_update(c, 0, buf + off, n), z);
            /* continuing across a split gives the same result */
            uint32_t a = bd_crc32_update(c, 0, buf + off, n / 3);
            ck_assert_uint_eq(bd_crc32_update(c, a, buf + off + n / 3, n - n / 3), z);
        }
    free(c);
}
END_TEST

/* Both paths (folding with carry-less multiply where the CPU has it, and
 * the tables) on long inputs of every length modulo 64. */
START_TEST(test_both_paths_long)
{
    bd_crc32 *c = malloc(sizeof *c);
    bd_crc32_init(c);
    int has_clmul = c->clmul;
    size_t big = 70000;
    uint8_t *buf = malloc(big);
    uint32_t x = 777;
    for (size_t i = 0; i < big; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t n = 0; n <= big; n = n < 300 ? n + 1 : n * 2 + 13) {
        if (n > big) break;
        uint32_t z = (uint32_t)crc32(0L, buf, (uInt)n);
        c->clmul = 0;
        ck_assert_uint_eq(bd_crc32_update(c, 0, buf, n), z);
        c->clmul = has_clmul;
        ck_assert_uint_eq(bd_crc32_update(c, 0, buf, n), z);
    }
    free(buf);
    free(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("crc32");
    TCase *tc = tcase_create("crc32");
    tcase_add_test(tc, test_check_value);
    tcase_add_test(tc, test_against_zlib);
    tcase_add_test(tc, test_both_paths_long);
    suite_add_tcase(s, tc);
    return tu_run(s) ? 1 : 0;
}
