/* cursor.h - bounds-checked little-endian reads from a byte range.
 *
 * Every read from the wire goes through a cursor.  A read past the end sets
 * the latched error flag, returns 0 (or NULL) and leaves the offset where
 * the failing field began, so the caller can name the field offset in its
 * message.  Parse functions read a run of fields and check once.
 *
 * Ownership: the cursor borrows the bytes; it never frees them.
 */
#ifndef BINLOGD_CURSOR_H
#define BINLOGD_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct bd_cur {
    const uint8_t *p;
    size_t len;
    size_t off;
    int err; /* latched: a read went past the end, or a value was out of range */
} bd_cur;

static inline bd_cur bd_cur_make(const uint8_t *p, size_t len)
{
    bd_cur c = {p, len, 0, 0};
    return c;
}
static inline size_t bd_cur_left(const bd_cur *c) { return c->err ? 0 : c->len - c->off; }
static inline int bd_cur_need(bd_cur *c, size_t n)
{
    if (c->err || n > c->len - c->off) {
        c->err = 1;
        return 0;
    }
    return 1;
}
/* Pointer to the next n bytes, advancing past them; NULL (and err) if short. */
static inline const uint8_t *bd_cur_bytes(bd_cur *c, size_t n)
{
    if (!bd_cur_need(c, n)) return NULL;
    const uint8_t *r = c->p + c->off;
    c->off += n;
    return r;
}
static inline void bd_cur_skip(bd_cur *c, size_t n) { (void)bd_cur_bytes(c, n); }
/* Fixed-width loads for the common sizes: these run for every field of
 * every row, and a byte loop with a run-time count costs several times more. */
static inline uint64_t bd_le(const uint8_t *p, unsigned n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    switch (n) {
    case 1: return p[0];
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    case 8: {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    default: break;
    }
#endif
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}
static inline uint64_t bd_be(const uint8_t *p, unsigned n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    switch (n) {
    case 1: return p[0];
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return __builtin_bswap16(v);
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return __builtin_bswap32(v);
    }
    case 8: {
        uint64_t v;
        memcpy(&v, p, 8);
        return __builtin_bswap64(v);
    }
    default: break;
    }
#endif
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}
/* Little-endian unsigned integer of n bytes (1..8). */
static inline uint64_t bd_cur_le(bd_cur *c, unsigned n)
{
    const uint8_t *p = bd_cur_bytes(c, n);
    return p ? bd_le(p, n) : 0;
}
static inline uint8_t bd_cur_u8(bd_cur *c) { return (uint8_t)bd_cur_le(c, 1); }
static inline uint16_t bd_cur_u16(bd_cur *c) { return (uint16_t)bd_cur_le(c, 2); }
static inline uint32_t bd_cur_u24(bd_cur *c) { return (uint32_t)bd_cur_le(c, 3); }
static inline uint32_t bd_cur_u32(bd_cur *c) { return (uint32_t)bd_cur_le(c, 4); }
static inline uint64_t bd_cur_u48(bd_cur *c) { return bd_cur_le(c, 6); }
static inline uint64_t bd_cur_u64(bd_cur *c) { return bd_cur_le(c, 8); }
/* MySQL length-encoded ("packed") integer.  0xfb (NULL marker) and 0xff are
 * errors here: binlog bodies never use them for lengths. */
static inline uint64_t bd_cur_packed(bd_cur *c)
{
    uint8_t b = bd_cur_u8(c);
    if (b < 0xfb) return b;
    if (b == 0xfc) return bd_cur_le(c, 2);
    if (b == 0xfd) return bd_cur_le(c, 3);
    if (b == 0xfe) return bd_cur_le(c, 8);
    c->err = 1;
    return 0;
}
/* A packed length that must fit in what is left of the cursor. */
static inline size_t bd_cur_packed_len(bd_cur *c)
{
    uint64_t n = bd_cur_packed(c);
    if (!c->err && n > c->len - c->off) c->err = 1;
    return c->err ? 0 : (size_t)n;
}

#endif
