/* buf.h - a growable byte buffer that is never NULL and latches its first error.
 *
 * An encoder is a straight run of appends with one check at the end: every
 * append after an allocation failure is a no-op and bd_buf_failed() reports
 * it.  ptr always points at a NUL-terminated string (possibly the shared
 * empty string), so a buffer can be printed without checks.
 *
 * Ownership: the buffer owns ptr.  bd_buf_release() frees it and leaves the
 * buffer empty and reusable.  bd_buf_detach() hands ptr to the caller.
 */
#ifndef BINLOGD_BUF_H
#define BINLOGD_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct bd_buf {
    char *ptr;  /* never NULL; NUL-terminated at ptr[len] */
    size_t len; /* bytes used, not counting the terminator */
    size_t cap; /* bytes allocated, 0 while ptr is the shared empty string */
    int failed; /* latched: an allocation failed, later appends are no-ops */
} bd_buf;

#define BD_BUF_INIT                                                                                \
    {                                                                                              \
        (char *)bd_buf_empty, 0, 0, 0                                                              \
    }
extern const char bd_buf_empty[1];

void bd_buf_init(bd_buf *b);
void bd_buf_release(bd_buf *b);
/* Caller owns the returned pointer (malloc'd, NUL-terminated); b is reset. NULL if failed. */
char *bd_buf_detach(bd_buf *b, size_t *len);
static inline void bd_buf_reset(bd_buf *b)
{
    b->len = 0;
    if (b->cap) b->ptr[0] = '\0';
}
static inline int bd_buf_failed(const bd_buf *b) { return b->failed; }

/* Make room for extra more bytes (plus terminator). Returns 0, or -1 (latched). */
int bd_buf_grow_slow(bd_buf *b, size_t extra);
static inline int bd_buf_grow(bd_buf *b, size_t extra)
{
    if (extra < b->cap - b->len) return b->failed ? -1 : 0; /* cap > len always when cap != 0 */
    return bd_buf_grow_slow(b, extra);
}
/* Shrink to len (<= current len). */
void bd_buf_truncate(bd_buf *b, size_t len);

/* Copy n bytes without a library call when n is small: the encoder
 * copies many keys and values of a few bytes each. */
static inline void bd_copy(char *o, const void *src, size_t n)
{
    const char *s = src;
    if (n >= 8 && n <= 16) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(o, &a, 8);
        memcpy(o + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(o, &a, 4);
        memcpy(o + n - 4, &b, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            o[i] = s[i];
    } else {
        memcpy(o, s, n);
    }
}

static inline void bd_buf_add(bd_buf *b, const void *p, size_t n)
{
    if (!n || bd_buf_grow(b, n) < 0) return;
    bd_copy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}
static inline void bd_buf_adds(bd_buf *b, const char *s) { bd_buf_add(b, s, strlen(s)); }
void bd_buf_addf(bd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bd_buf_vaddf(bd_buf *b, const char *fmt, va_list ap);
static inline void bd_buf_addc(bd_buf *b, char c)
{
    if (b->len + 1 >= b->cap && bd_buf_grow(b, 1) < 0) return;
    b->ptr[b->len++] = c;
    b->ptr[b->len] = '\0';
}
void bd_buf_add_u64(bd_buf *b, uint64_t v);
void bd_buf_add_i64(bd_buf *b, int64_t v);
/* Append n unsigned decimal digits of v, zero padded (n <= 20). */
void bd_buf_add_u64_pad(bd_buf *b, uint64_t v, unsigned n);
void bd_buf_add_hex(bd_buf *b, const uint8_t *p, size_t n);
void bd_buf_add_base64(bd_buf *b, const uint8_t *p, size_t n);
/* Append p[0..n) as a quoted JSON string.  p must be valid UTF-8; invalid
 * sequences are written as U+FFFD (callers that must fail closed validate
 * first with bd_utf8_valid()). */
void bd_buf_add_json_str(bd_buf *b, const char *p, size_t n);
/* The same for text already known to be valid UTF-8 (validated or
 * produced by a converter): multi-byte sequences are copied unchecked. */
void bd_buf_add_json_utf8(bd_buf *b, const char *p, size_t n);
/* Raw writers for hot paths: they write at o, which must have room (the
 * caller reserved it with bd_buf_grow), and return the end.  Room needed:
 * u64 20, i64 21, base64 (n+2)/3*4, JSON string n*6+2. */
char *bd_raw_u64(char *o, uint64_t v);
char *bd_raw_i64(char *o, int64_t v);
char *bd_raw_base64(char *o, const uint8_t *p, size_t n);
char *bd_raw_hex(char *o, const uint8_t *p, size_t n); /* lower case, 2n characters */
/* Code point cp (below 0x110000, not a surrogate) as UTF-8, 1 to 4 bytes. */
static inline char *bd_raw_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | cp >> 12);
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | cp >> 18);
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    return o;
}
char *bd_raw_json_str(char *o, const char *s, size_t n, int trusted);
/* 1 if p[0..n) is well-formed UTF-8 (up to 4-byte sequences, no surrogates). */
int bd_utf8_valid(const uint8_t *p, size_t n);

#endif
