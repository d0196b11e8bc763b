/* crc32.c - see include/binlogd/crc32.h.  zlib's crc32() measured at about
 * four instructions per byte here; verifying every event is on the hot
 * path of decoding, so this processes eight bytes per table round. */
#include "binlogd/crc32.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_CLMUL_PATH 1
#endif

void bd_crc32_init(bd_crc32 *c)
{
#ifdef HAVE_CLMUL_PATH
    __builtin_cpu_init();
    c->clmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
#else
    c->clmul = 0;
#endif
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t r = i;
        for (int k = 0; k < 8; k++)
            r = (r >> 1) ^ (0xEDB88320u & (0u - (r & 1)));
        c->t[0][i] = r;
    }
    /* t[k][i]: the CRC of byte i followed by k zero bytes */
    for (uint32_t i = 0; i < 256; i++)
        for (int k = 1; k < 8; k++)
            c->t[k][i] = (c->t[k - 1][i] >> 8) ^ c->t[0][c->t[k - 1][i] & 0xff];
}

#ifdef HAVE_CLMUL_PATH
/* Carry-less multiplication folding (the method of Intel's "Fast CRC
 * Computation for Generic Polynomials Using PCLMULQDQ"), for the reflected
 * CRC-32 polynomial: 64 bytes per round, then 16, then a Barrett
 * reduction.  Takes and returns the inverted CRC; n >= 64, n % 16 == 0. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t crc_clmul(uint32_t crc, const uint8_t *p,
                                                                   size_t n)
{
    const __m128i k1k2 = _mm_set_epi64x(0x1c6e41596LL, 0x154442bd4LL);
    const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009eLL, 0x1751997d0LL);
    const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124LL);
    const __m128i pu = _mm_set_epi64x(0x1f7011641LL, 0x1db710641LL);
    const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
    __m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i x2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
    __m128i x4 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
    x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
    p += 64;
    n -= 64;
    while (n >= 64) {
        __m128i h1 = _mm_clmulepi64_si128(x1, k1k2, 0x11),
                h2 = _mm_clmulepi64_si128(x2, k1k2, 0x11);
        __m128i h3 = _mm_clmulepi64_si128(x3, k1k2, 0x11),
                h4 = _mm_clmulepi64_si128(x4, k1k2, 0x11);
        x1 = _mm_clmulepi64_si128(x1, k1k2, 0x00);
        x2 = _mm_clmulepi64_si128(x2, k1k2, 0x00);
        x3 = _mm_clmulepi64_si128(x3, k1k2, 0x00);
        x4 = _mm_clmulepi64_si128(x4, k1k2, 0x00);
        x1 =
            _mm_xor_si128(_mm_xor_si128(x1, h1), _mm_loadu_si128((const __m128i *)(const void *)p));
        x2 = _mm_xor_si128(_mm_xor_si128(x2, h2),
                           _mm_loadu_si128((const __m128i *)(const void *)(p + 16)));
        x3 = _mm_xor_si128(_mm_xor_si128(x3, h3),
                           _mm_loadu_si128((const __m128i *)(const void *)(p + 32)));
        x4 = _mm_xor_si128(_mm_xor_si128(x4, h4),
                           _mm_loadu_si128((const __m128i *)(const void *)(p + 48)));
        p += 64;
        n -= 64;
    }
    /* four lanes into one */
    __m128i lanes[3] = {x2, x3, x4};
    for (int i = 0; i < 3; i++) {
        __m128i h = _mm_clmulepi64_si128(x1, k3k4, 0x11);
        x1 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
        x1 = _mm_xor_si128(_mm_xor_si128(x1, h), lanes[i]);
    }
    while (n >= 16) {
        __m128i h = _mm_clmulepi64_si128(x1, k3k4, 0x11);
        x1 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
        x1 = _mm_xor_si128(_mm_xor_si128(x1, h), _mm_loadu_si128((const __m128i *)(const void *)p));
        p += 16;
        n -= 16;
    }
    /* 128 bits to 64 */
    __m128i t = _mm_clmulepi64_si128(x1, k3k4, 0x10);
    x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), t);
    /* 64 bits to 32 */
    t = _mm_srli_si128(x1, 4);
    x1 = _mm_and_si128(x1, mask32);
    x1 = _mm_clmulepi64_si128(x1, k5, 0x00);
    x1 = _mm_xor_si128(x1, t);
    /* Barrett reduction */
    t = x1;
    x1 = _mm_and_si128(x1, mask32);
    x1 = _mm_clmulepi64_si128(x1, pu, 0x10);
    x1 = _mm_and_si128(x1, mask32);
    x1 = _mm_clmulepi64_si128(x1, pu, 0x00);
    x1 = _mm_xor_si128(x1, t);
    return (uint32_t)_mm_extract_epi32(x1, 1);
}
#endif

uint32_t bd_crc32_update(const bd_crc32 *c, uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
#ifdef HAVE_CLMUL_PATH
    if (c->clmul && n >= 64) {
        size_t m = n & ~(size_t)15;
        crc = crc_clmul(crc, p, m);
        p += m;
        n -= m;
    }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (n >= 8) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + 4, 4);
        a ^= crc;
        crc = c->t[7][a & 0xff] ^ c->t[6][(a >> 8) & 0xff] ^ c->t[5][(a >> 16) & 0xff] ^
              c->t[4][a >> 24] ^ c->t[3][b & 0xff] ^ c->t[2][(b >> 8) & 0xff] ^
              c->t[1][(b >> 16) & 0xff] ^ c->t[0][b >> 24];
        p += 8;
        n -= 8;
    }
#endif
    while (n--)
        crc = (crc >> 8) ^ c->t[0][(crc ^ *p++) & 0xff];
    return ~crc;
}
