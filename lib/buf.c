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

int bd_buf_grow(bd_buf *b, size_t extra)
{
    if (b->failed) return -1;
    if (extra > SIZE_MAX - b->len - 1) goto fail;
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
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

void bd_buf_add(bd_buf *b, const void *p, size_t n)
{
    if (!n || bd_buf_grow(b, n) < 0) return;
    memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

void bd_buf_adds(bd_buf *b, const char *s) { bd_buf_add(b, s, strlen(s)); }

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

void bd_buf_add_u64(bd_buf *b, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    bd_buf_add(b, tmp + i, sizeof tmp - i);
}

void bd_buf_add_i64(bd_buf *b, int64_t v)
{
    if (v < 0) {
        bd_buf_addc(b, '-');
        /* negate in unsigned arithmetic so INT64_MIN is exact */
        bd_buf_add_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        bd_buf_add_u64(b, (uint64_t)v);
    }
}

void bd_buf_add_u64_pad(bd_buf *b, uint64_t v, unsigned n)
{
    char tmp[20];
    if (n > sizeof tmp) n = sizeof tmp;
    for (unsigned i = n; i-- > 0;) {
        tmp[i] = (char)('0' + v % 10);
        v /= 10;
    }
    bd_buf_add(b, tmp, n);
}

void bd_buf_add_hex(bd_buf *b, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    if (bd_buf_grow(b, n * 2) < 0) return;
    char *o = b->ptr + b->len;
    for (size_t i = 0; i < n; i++) {
        *o++ = hx[p[i] >> 4];
        *o++ = hx[p[i] & 15];
    }
    b->len += n * 2;
    b->ptr[b->len] = '\0';
}

void bd_buf_add_base64(bd_buf *b, const uint8_t *p, size_t n)
{
    static const char tb[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t outn = (n + 2) / 3 * 4;
    if (bd_buf_grow(b, outn) < 0) return;
    char *o = b->ptr + b->len;
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
    b->len += outn;
    b->ptr[b->len] = '\0';
}

/* Length of the well-formed UTF-8 sequence at p (1..4), or 0 if malformed. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    if (c < 0x80) return 1;
    if (c < 0xc2) return 0;
    if (c < 0xe0) return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c < 0xf0) {
        if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80) return 0;
        if (c == 0xe0 && p[1] < 0xa0) return 0; /* overlong */
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
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_seq(p + i, n - i);
        if (!k) return 0;
        i += k;
    }
    return 1;
}

void bd_buf_add_json_str(bd_buf *b, const char *s, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    const uint8_t *p = (const uint8_t *)s;
    /* worst case: every byte becomes \u00XX (6) plus quotes */
    if (bd_buf_grow(b, n * 6 + 2) < 0) return;
    char *o = b->ptr + b->len;
    *o++ = '"';
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *o++ = (char)c;
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t k = utf8_seq(p + i, n - i);
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
    b->len = (size_t)(o - b->ptr);
    b->ptr[b->len] = '\0';
}
