/* buf.c - growable buffer; see include/binlogd/buf.h. */
#include "binlogd/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char bd_buf_empty[1];

void bd_buf_init(bd_buf *b)
{
    b->ptr = (char *)bd_buf_empty;
    b->len = b->cap = 0;
    b->failed = 0;
}

void bd_buf_release(bd_buf *b)
{
    if (b->cap) free(b->ptr);
    bd_buf_init(b);
}

char *bd_buf_detach(bd_buf *b, size_t *len)
{
    char *r;
    if (b->failed) {
        bd_buf_release(b);
        return NULL;
    }
    if (!b->cap) {
        r = malloc(1);
        if (r) r[0] = '\0';
    } else {
        r = b->ptr;
    }
    if (len) *len = b->len;
    bd_buf_init(b);
    return r;
}

int bd_buf_grow_slow(bd_buf *b, size_t extra)
{
    if (b->failed) return -1;
    if (extra > SIZE_MAX - b->len - 1) goto fail;
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->cap ? b->ptr : NULL, cap);
    if (!p) goto fail;
    if (!b->cap) p[0] = '\0';
    b->ptr = p;
    b->cap = cap;
    return 0;
fail:
    b->failed = 1;
    return -1;
}

void bd_buf_truncate(bd_buf *b, size_t len)
{
    if (len >= b->len) return;
    b->len = len;
    b->ptr[len] = '\0';
}

void bd_buf_vaddf(bd_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(b->cap ? b->ptr + b->len : NULL, b->cap ? b->cap - b->len : 0, fmt, cp);
    va_end(cp);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (b->cap && (size_t)n < b->cap - b->len) {
        b->len += (size_t)n;
        return;
    }
    if (bd_buf_grow(b, (size_t)n) < 0) return;
    vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
    b->len += (size_t)n;
}

void bd_buf_addf(bd_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bd_buf_vaddf(b, fmt, ap);
    va_end(ap);
}

static const char digits2[201] = "00010203040506070809101112131415161718192021222324"
                                 "25262728293031323334353637383940414243444546474849"
                                 "50515253545556575859606162636465666768697071727374"
                                 "75767778798081828384858687888990919293949596979899";

char *bd_raw_u64(char *o, uint64_t v)
{
    /* count the digits first, then write two per division from the end */
    static const uint64_t pow10[20] = {1ULL,
                                       10ULL,
                                       100ULL,
                                       1000ULL,
                                       10000ULL,
                                       100000ULL,
                                       1000000ULL,
                                       10000000ULL,
                                       100000000ULL,
                                       1000000000ULL,
                                       10000000000ULL,
                                       100000000000ULL,
                                       1000000000000ULL,
                                       10000000000000ULL,
                                       100000000000000ULL,
                                       1000000000000000ULL,
                                       10000000000000000ULL,
                                       100000000000000000ULL,
                                       1000000000000000000ULL,
                                       10000000000000000000ULL};
    /* digits from the bit length: log10(2) ~ 1233/4096, then one correction */
    unsigned bits = 64 - (unsigned)__builtin_clzll(v | 1);
    unsigned n = (bits * 1233) >> 12;
    n += n < 20 && v >= pow10[n];
    if (n == 0) n = 1;
    char *e = o + n;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100) * 2;
        v /= 100;
        *--e = digits2[r + 1];
        *--e = digits2[r];
    }
    if (v >= 10) {
        unsigned r = (unsigned)v * 2;
        *--e = digits2[r + 1];
        *--e = digits2[r];
    } else {
        *--e = (char)('0' + v);
    }
    return o + n;
}

char *bd_raw_i64(char *o, int64_t v)
{
    if (v >= 0) return bd_raw_u64(o, (uint64_t)v);
    *o++ = '-';
    /* negate in unsigned arithmetic so INT64_MIN is exact */
    return bd_raw_u64(o, (uint64_t)0 - (uint64_t)v);
}

void bd_buf_add_u64(bd_buf *b, uint64_t v)
{
    if (bd_buf_grow(b, 20) < 0) return;
    b->len = (size_t)(bd_raw_u64(b->ptr + b->len, v) - b->ptr);
    b->ptr[b->len] = '\0';
}

void bd_buf_add_i64(bd_buf *b, int64_t v)
{
    if (bd_buf_grow(b, 21) < 0) return;
    b->len = (size_t)(bd_raw_i64(b->ptr + b->len, v) - b->ptr);
    b->ptr[b->len] = '\0';
}

void bd_buf_add_u64_pad(bd_buf *b, uint64_t v, unsigned n)
{
    if (n > 20) n = 20;
    if (bd_buf_grow(b, n) < 0) return;
    char *o = b->ptr + b->len + n;
    unsigned k = n;
    /* temporal text is mostly 2-digit fields: two digits per step */
    while (k >= 2) {
        unsigned r = (unsigned)(v % 100) * 2;
        v /= 100;
        *--o = digits2[r + 1];
        *--o = digits2[r];
        k -= 2;
    }
    if (k) *--o = (char)('0' + v % 10);
    b->len += n;
    b->ptr[b->len] = '\0';
}

char *bd_raw_hex(char *o, const uint8_t *p, size_t n)
{
    /* the two digits of every byte: one copy per byte (a hashed column
     * writes 32 bytes of it per value) */
    static const char pairs[513] =
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
        "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
        "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
        "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
        "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
        "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
        "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
        "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
    for (size_t i = 0; i < n; i++, o += 2)
        memcpy(o, pairs + 2 * p[i], 2);
    return o;
}

void bd_buf_add_hex(bd_buf *b, const uint8_t *p, size_t n)
{
    if (bd_buf_grow(b, n * 2) < 0) return;
    bd_raw_hex(b->ptr + b->len, p, n);
    b->len += n * 2;
    b->ptr[b->len] = '\0';
}

char *bd_raw_base64(char *o, const uint8_t *p, size_t n)
{
    static const char tb[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = tb[v >> 18];
        *o++ = tb[(v >> 12) & 63];
        *o++ = tb[(v >> 6) & 63];
        *o++ = tb[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        *o++ = tb[v >> 18];
        *o++ = tb[(v >> 12) & 63];
        *o++ = i + 1 < n ? tb[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    return o;
}

void bd_buf_add_base64(bd_buf *b, const uint8_t *p, size_t n)
{
    if (bd_buf_grow(b, (n + 2) / 3 * 4) < 0) return;
    b->len = (size_t)(bd_raw_base64(b->ptr + b->len, p, n) - b->ptr);
    b->ptr[b->len] = '\0';
}

/* Length of the well-formed UTF-8 sequence at p (1..4), or 0 if malformed. */
static inline size_t utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    if (c < 0x80) return 1;
    if (c < 0xc2) return 0;
    if (c < 0xe0) return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c < 0xf0) {
        if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80) return 0;
        if (c == 0xe0 && p[1] < 0xa0) return 0;  /* overlong */
        if (c == 0xed && p[1] >= 0xa0) return 0; /* surrogate */
        return 3;
    }
    if (c < 0xf5) {
        if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
            return 0;
        if (c == 0xf0 && p[1] < 0x90) return 0;
        if (c == 0xf4 && p[1] >= 0x90) return 0;
        return 4;
    }
    return 0;
}

int bd_utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII runs eight bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= n) break;
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* the common 3-byte case (CJK and most of the BMP) without the
         * general checks: lead e1..ec or ee..ef has no overlong/surrogate
         * exceptions */
        if (c >= 0xe1 && c != 0xed && c <= 0xef && n - i >= 3 && (p[i + 1] & 0xc0) == 0x80 &&
            (p[i + 2] & 0xc0) == 0x80) {
            i += 3;
            continue;
        }
        size_t k = utf8_seq(p + i, n - i);
        if (!k) return 0;
        i += k;
    }
    return 1;
}

/* 0: copied as is; 1: escaped; 2: start of a multi-byte UTF-8 sequence */
static const uint8_t json_class[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

char *bd_raw_json_str(char *o, const char *s, size_t n, int trusted)
{
    static const char hx[] = "0123456789abcdef";
    const uint8_t *p = (const uint8_t *)s;
    *o++ = '"';
    /* for trusted UTF-8, multi-byte sequences are copied like ASCII */
    uint8_t stop = trusted ? 1 : 3;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        {
            /* Eight bytes at a time while none needs attention: a byte
             * below 0x20, a quote, a backslash, or (unless trusted) a byte
             * >= 0x80 that must be validated.  The lowest flagged byte is
             * exact (borrows only run upwards), so the safe bytes before
             * it are copied too. */
            const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
            while (j + 8 <= n) {
                uint64_t w;
                memcpy(&w, p + j, 8);
                uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
                uint64_t bad = ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((bs - ones) & ~bs);
                if (!trusted) bad |= w;
                bad &= high;
                memcpy(o + (j - i), &w, 8);
                if (bad) {
                    j += (size_t)__builtin_ctzll(bad) / 8;
                    /* quotes and backslashes (common in JSON held as text)
                     * are escaped here without leaving the fast loop */
                    if (p[j] == '"' || p[j] == '\\') {
                        o += j - i;
                        *o++ = '\\';
                        *o++ = (char)p[j];
                        i = ++j;
                        continue;
                    }
                    break;
                }
                j += 8;
            }
            o += j - i;
            i = j;
            if (i == n) break;
        }
#endif
        while (j < n && !(json_class[p[j]] & stop))
            j++;
        if (j > i) {
            memcpy(o, p + i, j - i);
            o += j - i;
            i = j;
            if (i == n) break;
        }
        uint8_t c = p[i];
        if (c >= 0x80) {
            size_t k = trusted ? 1 : utf8_seq(p + i, n - i);
            if (!k) {
                /* U+FFFD; never reached by callers that validated first */
                *o++ = (char)0xef, *o++ = (char)0xbf, *o++ = (char)0xbd;
                i++;
                continue;
            }
            memcpy(o, p + i, k);
            o += k;
            i += k;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        default:
            *o++ = 'u', *o++ = '0', *o++ = '0';
            *o++ = hx[c >> 4];
            *o++ = hx[c & 15];
        }
        i++;
    }
    *o++ = '"';
    return o;
}

static void json_str(bd_buf *b, const char *s, size_t n, int trusted)
{
    /* worst case: every byte becomes \u00XX (6) plus quotes */
    if (bd_buf_grow(b, n * 6 + 2) < 0) return;
    char *o = bd_raw_json_str(b->ptr + b->len, s, n, trusted);
    b->len = (size_t)(o - b->ptr);
    b->ptr[b->len] = '\0';
}

void bd_buf_add_json_str(bd_buf *b, const char *s, size_t n) { json_str(b, s, n, 0); }
void bd_buf_add_json_utf8(bd_buf *b, const char *s, size_t n) { json_str(b, s, n, 1); }
