/* testutil.c - see testutil.h. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t *tu_read_fixture(const char *rel, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", FIXTURES, rel);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "fixture missing: %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)n + 1);
    ck_assert(p != NULL);
    ck_assert_int_eq(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

uint8_t *tu_unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    uint8_t *p = malloc(n / 2 + 1);
    size_t o = 0;
    int hi = -1;
    ck_assert(p != NULL);
    for (size_t i = 0; i < n; i++) {
        int v = hexval((unsigned char)hex[i]);
        if (v < 0) continue;
        if (hi < 0) {
            hi = v;
        } else {
            p[o++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    *len = o;
    return p;
}

int tu_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf;
}
