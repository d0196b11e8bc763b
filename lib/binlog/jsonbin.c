/* jsonbin.c - MySQL binary JSON to text and partial-update diffs; see
 * include/binlogd/jsonbin.h.
 *
 * Format facts (MySQL sql-common/json_binary.h):
 *   doc       := type value
 *   object    := count size key-entry* value-entry* key* value*
 *   array     := count size value-entry* value*
 *   count, size and every offset are 2 bytes (small) or 4 bytes (large),
 *   offsets count from the first byte of count.
 *   key-entry := key-offset key-length(2 bytes)
 *   value-entry := type (inline-value | value-offset)
 *   string    := var-length bytes      opaque := field-type var-length bytes
 * A var-length is 1..5 bytes of 7 bits each, low bits first.
 */
#include "binlogd/jsonbin.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binlogd/cursor.h"
#include "binlogd/value.h"

enum {
    JB_SMALL_OBJ = 0x00,
    JB_LARGE_OBJ = 0x01,
    JB_SMALL_ARR = 0x02,
    JB_LARGE_ARR = 0x03,
    JB_LITERAL = 0x04,
    JB_INT16 = 0x05,
    JB_UINT16 = 0x06,
    JB_INT32 = 0x07,
    JB_UINT32 = 0x08,
    JB_INT64 = 0x09,
    JB_UINT64 = 0x0a,
    JB_DOUBLE = 0x0b,
    JB_STRING = 0x0c,
    JB_OPAQUE = 0x0f,
};

/* MySQL field types that change how an OPAQUE value prints. */
enum {
    FT_TIMESTAMP = 7,
    FT_DATE = 10,
    FT_TIME = 11,
    FT_DATETIME = 12,
    FT_NEWDECIMAL = 246,
    FT_VAR_STRING = 253,
};

/* Where a value's bytes came from, so that messages give an offset the
 * reader can find in the bytes the caller passed. */
typedef struct jb_src {
    const uint8_t *base;
    const char *name;
} jb_src;

typedef struct jb_ctx {
    const jb_src *src;
    /* Bytes that may still be visited.  A well-formed document never uses a
     * byte for two values, so visiting more bytes than the input holds means
     * entries share data: the only way a small input could make output (and
     * time) grow exponentially. */
    size_t budget;
    bd_err *err;
} jb_ctx;

/* A value not decoded yet.  For inline values p is the entry's slot; for
 * the others p runs from the value to the end of its enclosing container,
 * which is all MySQL lets a value use. */
typedef struct jb_val {
    uint8_t type;
    const uint8_t *p;
    size_t len;
    int inl;
} jb_val;

typedef struct jb_cont {
    const uint8_t *p;
    size_t size;
    size_t count;
    size_t header;
    unsigned osz;
    int is_obj;
} jb_cont;

static int jb_fail(jb_ctx *c, const uint8_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int jb_fail(jb_ctx *c, const uint8_t *at, const char *fmt, ...)
{
    char what[BD_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return bd_err_set(c->err, BD_ERR_CORRUPT, "%s: offset %zu: %s", c->src->name,
                      (size_t)(at - c->src->base), what);
}

static int jb_spend(jb_ctx *c, const uint8_t *at, size_t n)
{
    if (n > c->budget) return jb_fail(c, at, "values share bytes (overlapping offsets)");
    c->budget -= n;
    return 0;
}

static int jb_is_container(uint8_t t) { return t <= JB_LARGE_ARR; }

static int jb_is_inline(uint8_t t, int large)
{
    if (t == JB_LITERAL || t == JB_INT16 || t == JB_UINT16) return 1;
    return large && (t == JB_INT32 || t == JB_UINT32);
}

static int64_t jb_signed(uint64_t v, unsigned bits)
{
    if (bits < 64 && ((v >> (bits - 1)) & 1)) v |= ~(uint64_t)0 << bits;
    return v <= INT64_MAX ? (int64_t)v : -(int64_t)~v - 1;
}

/* MySQL caps var-lengths at 5 bytes and 32 bits; non-minimal encodings are
 * accepted as the server accepts them. */
static int jb_varlen(const uint8_t *p, size_t avail, size_t *n, size_t *used)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 5 && i < avail; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            if (v > UINT32_MAX) return -1;
            *n = (size_t)v;
            *used = i + 1;
            return 0;
        }
    }
    return -1;
}

static int jb_open(jb_ctx *c, const jb_val *v, jb_cont *k)
{
    k->osz = (v->type == JB_LARGE_OBJ || v->type == JB_LARGE_ARR) ? 4 : 2;
    k->is_obj = v->type == JB_SMALL_OBJ || v->type == JB_LARGE_OBJ;
    k->p = v->p;
    if (v->len < 2u * k->osz)
        return jb_fail(c, v->p, "container header needs %u bytes, %zu left", 2 * k->osz, v->len);
    k->count = (size_t)bd_le(v->p, k->osz);
    k->size = (size_t)bd_le(v->p + k->osz, k->osz);
    if (k->size > v->len)
        return jb_fail(c, v->p, "container size %zu exceeds the %zu bytes available", k->size,
                       v->len);
    size_t entry = (k->is_obj ? k->osz + 2u : 0u) + 1u + k->osz;
    /* every element has an entry inside size, so count is bounded first and
     * the product below cannot overflow */
    if (k->count > k->size / entry)
        return jb_fail(c, v->p, "element count %zu does not fit in container size %zu", k->count,
                       k->size);
    k->header = 2u * k->osz + k->count * entry;
    if (k->header > k->size)
        return jb_fail(c, v->p, "container header (%zu bytes) exceeds its size %zu", k->header,
                       k->size);
    return jb_spend(c, v->p, k->header);
}

static int jb_key(jb_ctx *c, const jb_cont *k, size_t i, const uint8_t **key, size_t *klen)
{
    const uint8_t *e = k->p + 2u * k->osz + i * (k->osz + 2u);
    size_t off = (size_t)bd_le(e, k->osz);
    size_t n = (size_t)bd_le(e + k->osz, 2);
    if (off < k->header || off > k->size || n > k->size - off)
        return jb_fail(c, e, "key %zu (offset %zu, length %zu) outside its object (%zu..%zu)", i,
                       off, n, k->header, k->size);
    if (!bd_utf8_valid(k->p + off, n)) return jb_fail(c, k->p + off, "key %zu is not UTF-8", i);
    *key = k->p + off;
    *klen = n;
    return jb_spend(c, e, n);
}

static int jb_elem(jb_ctx *c, const jb_cont *k, size_t i, jb_val *out)
{
    size_t ents = k->is_obj ? k->count * (k->osz + 2u) : 0;
    const uint8_t *e = k->p + 2u * k->osz + ents + i * (1u + k->osz);
    out->type = e[0];
    if (jb_is_inline(e[0], k->osz == 4)) {
        out->p = e + 1;
        out->len = k->osz;
        out->inl = 1;
        return 0;
    }
    size_t off = (size_t)bd_le(e + 1, k->osz);
    /* values live after the header: this also rules out a container
     * pointing at itself or at an ancestor's header */
    if (off < k->header || off >= k->size)
        return jb_fail(c, e, "value %zu offset %zu outside its container (%zu..%zu)", i, off,
                       k->header, k->size);
    out->p = k->p + off;
    out->len = k->size - off;
    out->inl = 0;
    return 0;
}

/* Temporal OPAQUE payloads hold MySQL's in-memory "packed" longlong
 * (my_time.cc TIME_to_longlong_*_packed), not the column encodings: the
 * fraction is the low 24 bits, above it for DATETIME
 * ((year*13+month)<<5|day)<<17 | hour<<12|minute<<6|second, for TIME
 * hour<<12|minute<<6|second, the whole negated for a negative TIME.
 * MySQL prints them with my_TIME_to_str(.., 6): six fraction digits always,
 * none for a DATE. */
static int jb_temporal(jb_ctx *c, bd_buf *out, unsigned ft, const uint8_t *d, size_t n)
{
    if (n != 8) return jb_fail(c, d, "temporal value (type %u) has %zu bytes, not 8", ft, n);
    int64_t packed = jb_signed(bd_le(d, 8), 64);
    if (ft == FT_TIME) {
        int neg = packed < 0;
        uint64_t t = neg ? (uint64_t)0 - (uint64_t)packed : (uint64_t)packed;
        uint64_t frac = t & 0xffffff, hms = t >> 24;
        uint64_t hour = hms >> 12;
        unsigned minute = (unsigned)(hms >> 6) & 63, second = (unsigned)hms & 63;
        if (hour > 838 || minute > 59 || second > 59 || frac > 999999)
            return jb_fail(c, d, "TIME value out of range");
        bd_buf_addc(out, '"');
        bd_fmt_temporal(out, 0, 0, 0, 0, 1, neg, (unsigned)hour, minute, second, (uint32_t)frac, 6);
        bd_buf_addc(out, '"');
        return 0;
    }
    if (packed < 0) return jb_fail(c, d, "negative DATE/DATETIME value");
    uint64_t t = (uint64_t)packed;
    uint64_t frac = t & 0xffffff, ymdhms = t >> 24;
    uint64_t ymd = ymdhms >> 17, ym = ymd >> 5, hms = ymdhms & 0x1ffff;
    unsigned day = (unsigned)(ymd & 31), month = (unsigned)(ym % 13);
    uint64_t year = ym / 13;
    unsigned hour = (unsigned)(hms >> 12), minute = (unsigned)(hms >> 6) & 63;
    unsigned second = (unsigned)hms & 63;
    if (year > 9999 || hour > 23 || minute > 59 || second > 59 || frac > 999999)
        return jb_fail(c, d, "DATE/DATETIME value out of range");
    bd_buf_addc(out, '"');
    bd_fmt_temporal(out, 1, (unsigned)year, month, day, ft != FT_DATE, 0, hour, minute, second,
                    (uint32_t)frac, 6);
    bd_buf_addc(out, '"');
    return 0;
}

static int jb_opaque(jb_ctx *c, bd_buf *out, unsigned ft, const uint8_t *d, size_t n)
{
    switch (ft) {
    case FT_NEWDECIMAL: {
        /* payload: precision, scale, then the NEWDECIMAL bytes, exactly */
        if (n < 2) return jb_fail(c, d, "DECIMAL value has %zu bytes, needs at least 2", n);
        unsigned prec = d[0], scale = d[1];
        size_t want = bd_newdecimal_size(prec, scale);
        if (!want || want != n - 2)
            return jb_fail(c, d, "DECIMAL(%u,%u) needs %zu bytes, value has %zu", prec, scale, want,
                           n - 2);
        size_t used = 0;
        if (bd_fmt_newdecimal(out, d + 2, n - 2, prec, scale, &used, c->err) < 0)
            return bd_err_prefix(c->err, "%s: offset %zu: ", c->src->name,
                                 (size_t)(d - c->src->base));
        return 0;
    }
    case FT_DATE:
    case FT_TIME:
    case FT_DATETIME:
    case FT_TIMESTAMP: return jb_temporal(c, out, ft, d, n);
    case FT_VAR_STRING:
        /* json_dom.cc prints an opaque VAR_STRING as a plain string */
        if (!bd_utf8_valid(d, n)) return jb_fail(c, d, "opaque string is not UTF-8");
        bd_buf_add_json_str(out, (const char *)d, n);
        return 0;
    default:
        bd_buf_adds(out, "\"base64:type");
        bd_buf_add_u64(out, ft);
        bd_buf_addc(out, ':');
        bd_buf_add_base64(out, d, n);
        bd_buf_addc(out, '"');
        return 0;
    }
}

static int jb_double(jb_ctx *c, bd_buf *out, const uint8_t *p)
{
    uint64_t bits = bd_le(p, 8);
    double d;
    memcpy(&d, &bits, sizeof d);
    if (!isfinite(d)) return jb_fail(c, p, "double is not finite");
    size_t start = out->len;
    bd_fmt_double(out, d);
    if (bd_buf_failed(out)) return 0;
    /* MySQL keeps a double looking like a double: 1.0, not 1 */
    for (size_t i = start; i < out->len; i++)
        if (out->ptr[i] == '.' || out->ptr[i] == 'e' || out->ptr[i] == 'E') return 0;
    bd_buf_adds(out, ".0");
    return 0;
}

static int jb_scalar(jb_ctx *c, bd_buf *out, const jb_val *v)
{
    static const unsigned width[] = {
        [JB_INT16] = 2, [JB_UINT16] = 2, [JB_INT32] = 4,  [JB_UINT32] = 4,
        [JB_INT64] = 8, [JB_UINT64] = 8, [JB_DOUBLE] = 8,
    };
    size_t n, used;
    switch (v->type) {
    case JB_LITERAL:
        if (v->len < 1) return jb_fail(c, v->p, "literal truncated");
        switch (v->p[0]) {
        case 0: bd_buf_adds(out, "null"); return 0;
        case 1: bd_buf_adds(out, "true"); return 0;
        case 2: bd_buf_adds(out, "false"); return 0;
        default: return jb_fail(c, v->p, "bad literal 0x%02x", v->p[0]);
        }
    case JB_INT16:
    case JB_UINT16:
    case JB_INT32:
    case JB_UINT32:
    case JB_INT64:
    case JB_UINT64:
    case JB_DOUBLE: {
        unsigned w = width[v->type];
        if (v->len < w) return jb_fail(c, v->p, "number needs %u bytes, %zu left", w, v->len);
        if (!v->inl && jb_spend(c, v->p, w) < 0) return -1;
        uint64_t u = bd_le(v->p, w);
        if (v->type == JB_DOUBLE) return jb_double(c, out, v->p);
        if (v->type == JB_UINT16 || v->type == JB_UINT32 || v->type == JB_UINT64)
            bd_buf_add_u64(out, u);
        else
            bd_buf_add_i64(out, jb_signed(u, w * 8));
        return 0;
    }
    case JB_STRING:
        if (jb_varlen(v->p, v->len, &n, &used) < 0) return jb_fail(c, v->p, "bad string length");
        if (n > v->len - used)
            return jb_fail(c, v->p, "string of %zu bytes overruns its container (%zu left)", n,
                           v->len - used);
        if (jb_spend(c, v->p, used + n) < 0) return -1;
        if (!bd_utf8_valid(v->p + used, n)) return jb_fail(c, v->p, "string is not UTF-8");
        bd_buf_add_json_str(out, (const char *)v->p + used, n);
        return 0;
    case JB_OPAQUE:
        if (v->len < 1 || jb_varlen(v->p + 1, v->len - 1, &n, &used) < 0)
            return jb_fail(c, v->p, "bad opaque header");
        if (n > v->len - 1 - used)
            return jb_fail(c, v->p, "opaque value of %zu bytes overruns its container", n);
        if (jb_spend(c, v->p, 1 + used + n) < 0) return -1;
        return jb_opaque(c, out, v->p[0], v->p + 1 + used, n);
    default: return jb_fail(c, v->p, "bad value type 0x%02x", v->type);
    }
}

/* depth: containers around v. */
static int jb_print(jb_ctx *c, bd_buf *out, const jb_val *v, unsigned depth)
{
    if (!jb_is_container(v->type)) return jb_scalar(c, out, v);
    if (depth + 1 > BD_JSONBIN_MAX_DEPTH)
        return jb_fail(c, v->p, "nested deeper than %d", BD_JSONBIN_MAX_DEPTH);
    jb_cont k;
    if (jb_open(c, v, &k) < 0) return -1;
    bd_buf_addc(out, k.is_obj ? '{' : '[');
    for (size_t i = 0; i < k.count; i++) {
        if (i) bd_buf_addc(out, ',');
        if (k.is_obj) {
            const uint8_t *key;
            size_t klen;
            if (jb_key(c, &k, i, &key, &klen) < 0) return -1;
            bd_buf_add_json_str(out, (const char *)key, klen);
            bd_buf_addc(out, ':');
        }
        jb_val e;
        if (jb_elem(c, &k, i, &e) < 0 || jb_print(c, out, &e, depth + 1) < 0) return -1;
    }
    bd_buf_addc(out, k.is_obj ? '}' : ']');
    return 0;
}

/* Print one whole document (type byte + value) with its own byte budget. */
static int jb_doc(bd_buf *out, const jb_src *src, const uint8_t *p, size_t len, bd_err *err)
{
    jb_ctx c = {src, len, err};
    if (len == 0) {
        bd_buf_adds(out, "null");
        return 0;
    }
    jb_val v = {p[0], p + 1, len - 1, 0};
    return jb_print(&c, out, &v, 0);
}

static int jb_finish(bd_buf *out, size_t start, int rc, bd_err *err)
{
    if (rc == 0 && bd_buf_failed(out))
        rc = bd_err_set(err, BD_ERR_NOMEM, "JSON: out of memory printing the document");
    /* callers must never see half a document */
    if (rc < 0 && !bd_buf_failed(out)) bd_buf_truncate(out, start);
    return rc;
}

int bd_jsonbin_to_text(bd_buf *out, const uint8_t *p, size_t len, bd_err *err)
{
    static const char name[] = "JSON document";
    jb_src src = {p, name};
    size_t start = out->len;
    return jb_finish(out, start, jb_doc(out, &src, p, len, err), err);
}

/* ---- partial updates ------------------------------------------------------
 *
 * The before document becomes a DOM lazily: only containers on a diff's path
 * are expanded; every other subtree stays a reference to its binary bytes
 * and prints straight from them.  Everything lives in one arena freed at the
 * end. */

typedef struct ar_blk {
    struct ar_blk *next;
    size_t used, cap;
    max_align_t data[];
} ar_blk;

typedef struct arena {
    ar_blk *head;
} arena;

static void *ar_alloc(arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!n) n = sizeof(max_align_t);
    ar_blk *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 16384 ? n : 16384;
        b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    void *r = (char *)b->data + b->used;
    b->used += n;
    return r;
}

static void ar_free(arena *a)
{
    while (a->head) {
        ar_blk *n = a->head->next;
        free(a->head);
        a->head = n;
    }
}

typedef struct jnode jnode;

typedef struct jkid {
    const uint8_t *key; /* objects only */
    size_t klen;
    jnode *node;
} jkid;

struct jnode {
    int expanded; /* 0: raw holds a binary value; 1: an object/array in kids */
    int is_obj;
    jb_val raw;
    const jb_src *src;
    jkid *kids;
    size_t n, cap;
};

enum { OP_REPLACE = 0, OP_INSERT = 1, OP_REMOVE = 2 };

typedef struct leg {
    int member;   /* 1: .name, 0: [index] */
    int from_end; /* [last-N] */
    const uint8_t *key;
    size_t klen;
    uint64_t index;
} leg;

typedef struct dctx {
    arena ar;
    jb_ctx jc;
    bd_err *err;
    /* current diff, for messages */
    size_t diff_no;
    const char *op_name;
    const uint8_t *path;
    size_t path_len;
    size_t diff_off;
} dctx;

static int d_fail(dctx *d, enum bd_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int d_fail(dctx *d, enum bd_errcode code, const char *fmt, ...)
{
    char what[BD_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int plen = d->path_len > 120 ? 120 : (int)d->path_len;
    return bd_err_set(d->err, code, "JSON diff: offset %zu: diff #%zu (%s '%.*s'): %s", d->diff_off,
                      d->diff_no, d->op_name ? d->op_name : "?", plen,
                      d->path ? (const char *)d->path : "", what);
}

static int d_oom(dctx *d) { return d_fail(d, BD_ERR_NOMEM, "out of memory"); }

static jnode *d_raw(dctx *d, const jb_val *v, const jb_src *src)
{
    jnode *n = ar_alloc(&d->ar, sizeof *n);
    if (!n) return NULL;
    memset(n, 0, sizeof *n);
    n->raw = *v;
    n->src = src;
    return n;
}

/* Turn a raw container into kids; a raw scalar is left alone (returns 0 and
 * the caller sees it is not a container). */
static int d_expand(dctx *d, jnode *n)
{
    if (n->expanded || !jb_is_container(n->raw.type)) return 0;
    jb_ctx *c = &d->jc;
    c->src = n->src;
    jb_cont k;
    if (jb_open(c, &n->raw, &k) < 0) return -1;
    jkid *kids = k.count ? ar_alloc(&d->ar, k.count * sizeof *kids) : NULL;
    if (k.count && !kids) return d_oom(d);
    for (size_t i = 0; i < k.count; i++) {
        kids[i].key = NULL;
        kids[i].klen = 0;
        if (k.is_obj && jb_key(c, &k, i, &kids[i].key, &kids[i].klen) < 0) return -1;
        jb_val e;
        if (jb_elem(c, &k, i, &e) < 0) return -1;
        if (!(kids[i].node = d_raw(d, &e, n->src))) return d_oom(d);
    }
    n->expanded = 1;
    n->is_obj = k.is_obj;
    n->kids = kids;
    n->n = n->cap = k.count;
    return 0;
}

/* MySQL keeps object members in a map ordered by key length, then bytes
 * (json_dom.cc Json_key_comparator); binary objects are written in that
 * order, so a new member goes where MySQL would put it. */
static int key_less(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    if (an != bn) return an < bn;
    return memcmp(a, b, an) < 0;
}

static long d_find(const jnode *n, const uint8_t *key, size_t klen)
{
    for (size_t i = 0; i < n->n; i++)
        if (n->kids[i].klen == klen && !memcmp(n->kids[i].key, key, klen)) return (long)i;
    return -1;
}

/* Position an index leg names in an array of n elements, as MySQL's
 * Json_array_index does: a start index is clamped to n, last-N counts back
 * from the end and clamps to 0; within tells if it names an element. */
static size_t leg_pos(const leg *l, size_t n, int *within)
{
    *within = l->index < n;
    if (l->from_end) return l->index < n ? n - 1 - (size_t)l->index : 0;
    return l->index < n ? (size_t)l->index : n;
}

static int d_insert_kid(dctx *d, jnode *p, size_t at, const jkid *kid)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4;
        jkid *k = ar_alloc(&d->ar, cap * sizeof *k);
        if (!k) return d_oom(d);
        if (p->n) memcpy(k, p->kids, p->n * sizeof *k);
        p->kids = k;
        p->cap = cap;
    }
    memmove(p->kids + at + 1, p->kids + at, (p->n - at) * sizeof *p->kids);
    p->kids[at] = *kid;
    p->n++;
    return 0;
}

/* Follow legs from n; *out is NULL when the path does not exist. */
static int d_walk(dctx *d, jnode *n, const leg *legs, size_t nlegs, jnode **out)
{
    *out = NULL;
    for (size_t i = 0; i < nlegs; i++) {
        if (d_expand(d, n) < 0) return -1;
        if (!n->expanded) return 0;
        if (legs[i].member) {
            if (!n->is_obj) return 0;
            long at = d_find(n, legs[i].key, legs[i].klen);
            if (at < 0) return 0;
            n = n->kids[at].node;
        } else {
            if (n->is_obj) return 0;
            int within;
            size_t at = leg_pos(&legs[i], n->n, &within);
            if (!within) return 0;
            n = n->kids[at].node;
        }
    }
    *out = n;
    return 0;
}

static int hexv(int ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static int rd_u4(const uint8_t *p, size_t n, size_t i, unsigned *cp)
{
    if (n - i < 4) return -1;
    unsigned v = 0;
    for (size_t j = 0; j < 4; j++) {
        int h = hexv(p[i + j]);
        if (h < 0) return -1;
        v = v << 4 | (unsigned)h;
    }
    *cp = v;
    return 0;
}

/* A quoted member name: JSON string syntax, as Json_path::to_string writes
 * names that are not ECMAScript identifiers.  *i is just past the quote. */
static int path_qname(dctx *d, const uint8_t *p, size_t n, size_t *i, leg *l)
{
    /* unescaping never lengthens the text */
    uint8_t *o = ar_alloc(&d->ar, n - *i + 1);
    if (!o) return d_oom(d);
    size_t len = 0, j = *i;
    for (;;) {
        if (j >= n) return d_fail(d, BD_ERR_CORRUPT, "unterminated quoted member name");
        uint8_t ch = p[j++];
        if (ch == '"') break;
        if (ch < 0x20) return d_fail(d, BD_ERR_CORRUPT, "control character in member name");
        if (ch != '\\') {
            o[len++] = ch;
            continue;
        }
        if (j >= n) return d_fail(d, BD_ERR_CORRUPT, "unterminated escape in member name");
        ch = p[j++];
        switch (ch) {
        case '"':
        case '\\':
        case '/': o[len++] = ch; break;
        case 'b': o[len++] = '\b'; break;
        case 'f': o[len++] = '\f'; break;
        case 'n': o[len++] = '\n'; break;
        case 'r': o[len++] = '\r'; break;
        case 't': o[len++] = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (rd_u4(p, n, j, &cp) < 0) return d_fail(d, BD_ERR_CORRUPT, "bad \\u escape");
            j += 4;
            if (cp >= 0xdc00 && cp <= 0xdfff)
                return d_fail(d, BD_ERR_CORRUPT, "lone low surrogate in member name");
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (n - j < 6 || p[j] != '\\' || p[j + 1] != 'u' || rd_u4(p, n, j + 2, &lo) < 0 ||
                    lo < 0xdc00 || lo > 0xdfff)
                    return d_fail(d, BD_ERR_CORRUPT, "lone high surrogate in member name");
                j += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            /* \uXXXX (6 bytes) -> at most 3, a pair (12) -> 4 */
            len = (size_t)((uint8_t *)bd_raw_utf8((char *)o + len, cp) - o);
            break;
        }
        default: return d_fail(d, BD_ERR_CORRUPT, "bad escape \\%c in member name", ch);
        }
    }
    if (!bd_utf8_valid(o, len)) return d_fail(d, BD_ERR_CORRUPT, "member name is not UTF-8");
    *i = j;
    l->key = o;
    l->klen = len;
    return 0;
}

static int is_ws(uint8_t ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

static int path_index(dctx *d, const uint8_t *p, size_t n, size_t *i, uint64_t *v)
{
    size_t j = *i;
    uint64_t x = 0;
    if (j >= n || p[j] < '0' || p[j] > '9')
        return d_fail(d, BD_ERR_UNSUPPORTED, "array index is not a number");
    while (j < n && p[j] >= '0' && p[j] <= '9') {
        unsigned dg = (unsigned)(p[j++] - '0');
        if (x > (UINT64_MAX - dg) / 10) return d_fail(d, BD_ERR_CORRUPT, "array index too big");
        x = x * 10 + dg;
    }
    *i = j;
    *v = x;
    return 0;
}

/* Paths in diffs come from Json_path::to_string: "$", then ".name",
 * ".\"quoted\"", "[N]", "[last]" or "[last-N]" legs.  Wildcards, ranges
 * and "**" name no single place and are refused. */
static int path_parse(dctx *d, const uint8_t *p, size_t n, leg **legs_out, size_t *nlegs)
{
    size_t i = 0, cnt = 0, cap = 0;
    leg *legs = NULL;
    while (i < n && is_ws(p[i]))
        i++;
    if (i >= n || p[i] != '$') return d_fail(d, BD_ERR_CORRUPT, "path does not start with $");
    i++;
    for (;;) {
        while (i < n && is_ws(p[i]))
            i++;
        if (i >= n) break;
        leg l = {0, 0, NULL, 0, 0};
        if (p[i] == '.') {
            i++;
            while (i < n && is_ws(p[i]))
                i++;
            if (i >= n) return d_fail(d, BD_ERR_CORRUPT, "path ends after '.'");
            l.member = 1;
            if (p[i] == '"') {
                i++;
                if (path_qname(d, p, n, &i, &l) < 0) return -1;
            } else if (p[i] == '*') {
                return d_fail(d, BD_ERR_UNSUPPORTED, "wildcard member in path");
            } else {
                size_t s = i;
                while (i < n && !is_ws(p[i]) && p[i] != '.' && p[i] != '[' && p[i] != '"' &&
                       p[i] != '*')
                    i++;
                if (i == s) return d_fail(d, BD_ERR_CORRUPT, "empty member name in path");
                if (!bd_utf8_valid(p + s, i - s))
                    return d_fail(d, BD_ERR_CORRUPT, "member name is not UTF-8");
                l.key = p + s;
                l.klen = i - s;
            }
        } else if (p[i] == '[') {
            i++;
            while (i < n && is_ws(p[i]))
                i++;
            if (i < n && p[i] == '*')
                return d_fail(d, BD_ERR_UNSUPPORTED, "wildcard index in path");
            if (n - i >= 4 && !memcmp(p + i, "last", 4)) {
                l.from_end = 1;
                i += 4;
                while (i < n && is_ws(p[i]))
                    i++;
                if (i < n && p[i] == '-') {
                    i++;
                    while (i < n && is_ws(p[i]))
                        i++;
                    if (path_index(d, p, n, &i, &l.index) < 0) return -1;
                }
            } else if (path_index(d, p, n, &i, &l.index) < 0) {
                return -1;
            }
            while (i < n && is_ws(p[i]))
                i++;
            if (i >= n || p[i] != ']')
                return d_fail(d, BD_ERR_UNSUPPORTED, "array leg is not a single index");
            i++;
        } else if (p[i] == '*') {
            return d_fail(d, BD_ERR_UNSUPPORTED, "'**' in path");
        } else {
            return d_fail(d, BD_ERR_CORRUPT, "unexpected '%c' in path", p[i]);
        }
        if (cnt == cap) {
            size_t nc = cap ? cap * 2 : 8;
            leg *nl = ar_alloc(&d->ar, nc * sizeof *nl);
            if (!nl) return d_oom(d);
            if (cnt) memcpy(nl, legs, cnt * sizeof *nl);
            legs = nl;
            cap = nc;
        }
        legs[cnt++] = l;
        if (cnt > BD_JSONBIN_MAX_DEPTH)
            return d_fail(d, BD_ERR_CORRUPT, "path deeper than %d", BD_JSONBIN_MAX_DEPTH);
    }
    *legs_out = legs;
    *nlegs = cnt;
    return 0;
}

/* Semantics of json_diff.cc apply_json_diffs(): REPLACE needs the path to
 * exist; INSERT needs the parent to exist and, in an object, the member to
 * be new; REMOVE needs the path to exist.  The root itself cannot be the
 * target of any of them. */
static int d_apply(dctx *d, jnode *root, int op, const leg *legs, size_t nlegs, jnode *val)
{
    if (nlegs == 0) return d_fail(d, BD_ERR_CORRUPT, "diff targets the document root");
    jnode *parent;
    if (d_walk(d, root, legs, nlegs - 1, &parent) < 0) return -1;
    if (!parent) return d_fail(d, BD_ERR_CORRUPT, "parent path not found in the before image");
    if (d_expand(d, parent) < 0) return -1;
    if (!parent->expanded)
        return d_fail(d, BD_ERR_CORRUPT, "parent is a scalar, not an object or array");
    const leg *l = &legs[nlegs - 1];
    if (parent->is_obj != l->member)
        return d_fail(d, BD_ERR_CORRUPT, "%s leg applied to an %s", l->member ? "member" : "index",
                      parent->is_obj ? "object" : "array");
    if (l->member) {
        long at = d_find(parent, l->key, l->klen);
        if (op == OP_INSERT) {
            if (at >= 0) return d_fail(d, BD_ERR_CORRUPT, "member to insert already exists");
            size_t pos = 0;
            while (pos < parent->n &&
                   !key_less(l->key, l->klen, parent->kids[pos].key, parent->kids[pos].klen))
                pos++;
            jkid kid = {l->key, l->klen, val};
            return d_insert_kid(d, parent, pos, &kid);
        }
        if (at < 0) return d_fail(d, BD_ERR_CORRUPT, "member not found in the before image");
        if (op == OP_REPLACE) {
            parent->kids[at].node = val;
        } else {
            memmove(parent->kids + at, parent->kids + at + 1,
                    (parent->n - (size_t)at - 1) * sizeof *parent->kids);
            parent->n--;
        }
        return 0;
    }
    int within;
    size_t pos = leg_pos(l, parent->n, &within);
    if (op == OP_INSERT) {
        jkid kid = {NULL, 0, val};
        return d_insert_kid(d, parent, pos, &kid);
    }
    if (!within) return d_fail(d, BD_ERR_CORRUPT, "array index out of range");
    if (op == OP_REPLACE) {
        parent->kids[pos].node = val;
    } else {
        memmove(parent->kids + pos, parent->kids + pos + 1,
                (parent->n - pos - 1) * sizeof *parent->kids);
        parent->n--;
    }
    return 0;
}

static int d_print(dctx *d, bd_buf *out, const jnode *n, unsigned depth)
{
    if (!n->expanded) {
        d->jc.src = n->src;
        return jb_print(&d->jc, out, &n->raw, depth);
    }
    if (depth + 1 > BD_JSONBIN_MAX_DEPTH)
        return bd_err_set(d->err, BD_ERR_CORRUPT, "JSON diff: result nested deeper than %d",
                          BD_JSONBIN_MAX_DEPTH);
    bd_buf_addc(out, n->is_obj ? '{' : '[');
    for (size_t i = 0; i < n->n; i++) {
        if (i) bd_buf_addc(out, ',');
        if (n->is_obj) {
            bd_buf_add_json_str(out, (const char *)n->kids[i].key, n->kids[i].klen);
            bd_buf_addc(out, ':');
        }
        if (d_print(d, out, n->kids[i].node, depth + 1) < 0) return -1;
    }
    bd_buf_addc(out, n->is_obj ? '}' : ']');
    return 0;
}

static int d_run(dctx *d, bd_buf *out, const uint8_t *before, size_t before_len,
                 const uint8_t *diff, size_t diff_len)
{
    static const char *const ops[] = {"REPLACE", "INSERT", "REMOVE"};
    static const char bname[] = "JSON before image", vname[] = "JSON diff";
    const jb_src bsrc = {before, bname}, vsrc = {diff, vname};
    bd_buf scratch = BD_BUF_INIT;
    int rc = -1;

    /* MySQL turns the whole before image into a DOM before applying
     * anything, so a corrupt part fails the event even if a diff would
     * replace it; the same holds for every diff value. */
    if (jb_doc(&scratch, &bsrc, before, before_len, d->err) < 0) goto done;

    uint8_t null_doc[2] = {JB_LITERAL, 0};
    jb_val rv = before_len ? (jb_val){before[0], before + 1, before_len - 1, 0}
                           : (jb_val){null_doc[0], null_doc + 1, 1, 0};
    jnode *root = d_raw(d, &rv, &bsrc);
    if (!root) {
        d_oom(d);
        goto done;
    }

    bd_cur cur = bd_cur_make(diff, diff_len);
    while (bd_cur_left(&cur)) {
        d->diff_no++;
        d->diff_off = cur.off;
        d->op_name = NULL;
        d->path = NULL;
        d->path_len = 0;
        uint8_t op = bd_cur_u8(&cur);
        if (op > OP_REMOVE) {
            d_fail(d, BD_ERR_CORRUPT, "unknown operation %u", op);
            goto done;
        }
        d->op_name = ops[op];
        size_t plen = bd_cur_packed_len(&cur);
        const uint8_t *path = bd_cur_bytes(&cur, plen);
        if (cur.err) {
            d_fail(d, BD_ERR_TRUNCATED, "path length or path runs past the diff");
            goto done;
        }
        d->path = path;
        d->path_len = plen;
        leg *legs = NULL;
        size_t nlegs = 0;
        if (path_parse(d, path, plen, &legs, &nlegs) < 0) goto done;
        jnode *val = NULL;
        if (op != OP_REMOVE) {
            size_t vlen = bd_cur_packed_len(&cur);
            const uint8_t *v = bd_cur_bytes(&cur, vlen);
            if (cur.err) {
                d_fail(d, BD_ERR_TRUNCATED, "value length or value runs past the diff");
                goto done;
            }
            if (vlen == 0) {
                d_fail(d, BD_ERR_CORRUPT, "empty value");
                goto done;
            }
            bd_buf_reset(&scratch);
            if (jb_doc(&scratch, &vsrc, v, vlen, d->err) < 0) {
                bd_err_prefix(d->err, "diff #%zu (%s): ", d->diff_no, d->op_name);
                goto done;
            }
            jb_val vv = {v[0], v + 1, vlen - 1, 0};
            if (!(val = d_raw(d, &vv, &vsrc))) {
                d_oom(d);
                goto done;
            }
        }
        if (d_apply(d, root, op, legs, nlegs, val) < 0) goto done;
    }
    rc = d_print(d, out, root, 0);
done:
    bd_buf_release(&scratch);
    return rc;
}

int bd_jsonbin_apply_diff(bd_buf *out, const uint8_t *before, size_t before_len,
                          const uint8_t *diff, size_t diff_len, bd_err *err)
{
    dctx d;
    memset(&d, 0, sizeof d);
    d.err = err;
    d.jc.err = err;
    /* every byte of both inputs may be printed once, none twice */
    d.jc.budget = before_len + diff_len;
    size_t start = out->len;
    int rc = d_run(&d, out, before, before_len, diff, diff_len);
    ar_free(&d.ar);
    return jb_finish(out, start, rc, err);
}
