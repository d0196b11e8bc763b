/* rows.c - row images of WRITE/UPDATE/DELETE/PARTIAL_UPDATE rows events.
 *
 * Values whose text we must compute (DECIMAL, temporals, floats, converted
 * text, JSON) are written to the decoder's scratch buffer; because that
 * buffer may move while it grows, such values first record their offset
 * (s == NULL, u == offset) and get their pointer once the whole row is
 * decoded.  Text that is already UTF-8 points straight into the event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binlogd/cursor.h"
#include "binlogd/jsonbin.h"
#include "binlogd/value.h"
#include "internal.h"

static int is_update(unsigned type)
{
    return type == BD_EV_UPDATE_ROWS_V1 || type == BD_EV_UPDATE_ROWS_V2 ||
           type == BD_EV_PRE_GA_UPDATE_ROWS || type == BD_EV_PARTIAL_UPDATE_ROWS ||
           type == BD_EV_MARIA_UPDATE_ROWS_COMPRESSED_V1 ||
           type == BD_EV_MARIA_UPDATE_ROWS_COMPRESSED;
}
static int is_delete(unsigned type)
{
    return type == BD_EV_DELETE_ROWS_V1 || type == BD_EV_DELETE_ROWS_V2 ||
           type == BD_EV_PRE_GA_DELETE_ROWS || type == BD_EV_MARIA_DELETE_ROWS_COMPRESSED_V1 ||
           type == BD_EV_MARIA_DELETE_ROWS_COMPRESSED;
}
static int has_extra(unsigned type)
{
    return (type >= BD_EV_WRITE_ROWS_V2 && type <= BD_EV_DELETE_ROWS_V2) ||
           type == BD_EV_PARTIAL_UPDATE_ROWS || type >= BD_EV_MARIA_WRITE_ROWS_COMPRESSED;
}

static int bit_lsb(const uint8_t *p, size_t i) { return (p[i / 8] >> (i % 8)) & 1; }

/* Start a scratch-backed value; the caller appends its text then calls end. */
static size_t scratch_begin(bd_decoder *d) { return d->scratch.len; }
static void scratch_end(bd_decoder *d, bd_value *v, uint8_t kind, size_t start)
{
    v->kind = kind;
    v->s = NULL;
    v->u = start;
    v->n = d->scratch.len - start;
}

typedef struct colctx {
    bd_decoder *d;
    const bd_table *t;
    const bd_column *col;
    uint32_t idx;
    bd_err *err;
} colctx;

static int col_fail(colctx *x, const char *what)
{
    char w[BD_ERRLEN];
    /* 'what' may be the error's own message: copy before overwriting it */
    snprintf(w, sizeof w, "%s", what);
    what = w;
    return bd_err_set(x->err, BD_ERR_CORRUPT, "column %u (%.*s, %s): %s", x->idx + 1,
                      x->col->name.p ? (int)x->col->name.n : 1,
                      x->col->name.p ? x->col->name.p : "?", bd_coltype_name(x->col->type), what);
}

/* Text in a column's charset becomes UTF-8, binary strings stay bytes. */
static int text_value(colctx *x, uint32_t collation, const uint8_t *p, size_t n, bd_value *v)
{
    bd_decoder *d = x->d;
    if (collation == 63) {
        v->kind = BD_V_BYTES;
        v->s = (const char *)p;
        v->n = n;
        return 0;
    }
    enum bd_cs_kind k = collation ? bd_charset_kind(collation) : BD_CS_UNKNOWN;
    if (k == BD_CS_UTF8 || k == BD_CS_ASCII || (k == BD_CS_UNKNOWN && collation == 0)) {
        if (bd_utf8_valid(p, n)) {
            v->kind = BD_V_STRING;
            v->s = (const char *)p;
            v->n = n;
            return 0;
        }
        if (collation == 0) {
            /* Charset unknown (no TABLE_MAP metadata) and not UTF-8: keep the
             * bytes exactly, marked so nobody mistakes them for text. */
            size_t st = scratch_begin(d);
            bd_buf_adds(&d->scratch, "base64:");
            bd_buf_add_base64(&d->scratch, p, n);
            scratch_end(d, v, BD_V_STRING, st);
            return 0;
        }
        return col_fail(x, "text is not valid in the column's character set");
    }
    size_t st = scratch_begin(d);
    if (bd_conv_to_utf8(d->conv, collation, p, n, &d->scratch, x->err) < 0) {
        bd_err_prefix(x->err, "column %u: ", x->idx + 1);
        return -1;
    }
    scratch_end(d, v, BD_V_STRING, st);
    return 0;
}

static int enum_value(colctx *x, uint64_t idx, bd_value *v)
{
    const bd_column *col = x->col;
    if (!col->n_enum) {
        v->kind = BD_V_UINT;
        v->u = idx;
        return 0;
    }
    if (idx == 0) { /* the empty "error" member of a bad INSERT in non-strict mode */
        v->kind = BD_V_STRING;
        v->s = "";
        v->n = 0;
        return 0;
    }
    if (idx > col->n_enum) return col_fail(x, "ENUM index beyond its members");
    if (col->enum_json) {
        v->kind = BD_V_JSON;
        v->s = col->enum_json + col->enum_json_off[idx - 1];
        v->n = col->enum_json_off[idx] - col->enum_json_off[idx - 1];
        return 0;
    }
    const bd_str *m = &col->enum_vals[idx - 1];
    if (col->members_utf8) {
        /* members from a schema source are UTF-8 already, whatever the
         * column's charset (build_keys escaped them unless one is not) */
        if (!bd_utf8_valid((const uint8_t *)m->p, m->n))
            return col_fail(x, "ENUM member is not valid UTF-8");
        v->kind = BD_V_STRING;
        v->s = m->p;
        v->n = m->n;
        return 0;
    }
    return text_value(x, col->collation, (const uint8_t *)m->p, m->n, v);
}

static int set_value(colctx *x, uint64_t bits, bd_value *v)
{
    const bd_column *col = x->col;
    if (!col->n_enum) {
        v->kind = BD_V_UINT;
        v->u = bits;
        return 0;
    }
    if (col->n_enum < 64 && (bits >> col->n_enum))
        return col_fail(x, "SET bits beyond its members");
    bd_decoder *d = x->d;
    /* A SET of the binary charset has byte strings for members: the
     * members joined with ',' are bytes too (base64, as for a binary
     * ENUM), never text to convert. */
    int binary = col->collation == 63 && !col->members_utf8;
    /* members are converted one by one into a second region, then joined */
    size_t st = scratch_begin(d);
    int first = 1;
    for (uint32_t i = 0; i < col->n_enum && i < 64; i++) {
        if (!((bits >> i) & 1)) continue;
        if (!first) bd_buf_addc(&d->scratch, ',');
        first = 0;
        const bd_str *m = &col->enum_vals[i];
        enum bd_cs_kind k = bd_charset_kind(col->collation);
        if (binary) {
            bd_buf_add(&d->scratch, m->p, m->n);
        } else if (col->members_utf8 || col->collation == 0 || k == BD_CS_UTF8 ||
                   k == BD_CS_ASCII) {
            if (!bd_utf8_valid((const uint8_t *)m->p, m->n))
                return col_fail(x, "SET member is not valid UTF-8");
            bd_buf_add(&d->scratch, m->p, m->n);
        } else if (bd_conv_to_utf8(d->conv, col->collation, (const uint8_t *)m->p, m->n,
                                   &d->scratch, x->err) < 0) {
            return -1;
        }
    }
    scratch_end(d, v, binary ? BD_V_BYTES : BD_V_STRING, st);
    return 0;
}

static int64_t sext(uint64_t v, unsigned bits)
{
    uint64_t m = 1ULL << (bits - 1);
    return (int64_t)((v ^ m) - m);
}

static int int_value(colctx *x, bd_cur *c, unsigned n, bd_value *v)
{
    uint64_t raw = bd_cur_le(c, n);
    if (c->err) return col_fail(x, "row image ends inside the value");
    if (x->col->is_unsigned == 1) {
        v->kind = BD_V_UINT;
        v->u = raw;
    } else {
        v->kind = BD_V_INT;
        v->i = n == 8 ? (int64_t)raw : sext(raw, n * 8);
    }
    return 0;
}

/* A length-prefixed value: the prefix is lb bytes little-endian. */
static const uint8_t *prefixed(bd_cur *c, unsigned lb, size_t *n)
{
    if (lb < 1 || lb > 4) {
        c->err = 1;
        return NULL;
    }
    uint64_t l = bd_cur_le(c, lb);
    *n = (size_t)l;
    return bd_cur_bytes(c, (size_t)l);
}

/* The decoders of one type family each, for decode_value: 0, -1 with err
 * set, or VALUE_SHORT when the row image ends inside the value (decode_value
 * says so, for all of them). */
#define VALUE_SHORT 1

/* FLOAT (n = 4) and DOUBLE (n = 8) */
static int float_value(colctx *x, bd_cur *c, unsigned n, bd_value *v)
{
    bd_decoder *d = x->d;
    const uint8_t *p = bd_cur_bytes(c, n);
    if (!p) return VALUE_SHORT;
    size_t st = scratch_begin(d);
    if (n == 4) {
        uint32_t b = (uint32_t)bd_le(p, 4);
        float f;
        memcpy(&f, &b, 4);
        bd_fmt_float(&d->scratch, f);
    } else {
        uint64_t b = bd_le(p, 8);
        double f;
        memcpy(&f, &b, 8);
        bd_fmt_double(&d->scratch, f);
    }
    scratch_end(d, v, BD_V_DOUBLE, st);
    return 0;
}

/* DATE, TIME, DATETIME and TIMESTAMP as before MySQL 5.6: fixed widths */
static int temporal_value(colctx *x, bd_cur *c, bd_value *v)
{
    bd_decoder *d = x->d;
    unsigned type = x->col->type;
    unsigned n = type == BD_T_DATETIME ? 8 : type == BD_T_TIMESTAMP ? 4 : 3;
    const uint8_t *p = bd_cur_bytes(c, n);
    if (!p) return VALUE_SHORT;
    size_t st = scratch_begin(d);
    int r;
    if (type == BD_T_TIME)
        r = bd_fmt_time(&d->scratch, (int32_t)sext(bd_le(p, 3), 24), x->err);
    else if (type == BD_T_DATETIME)
        r = bd_fmt_datetime(&d->scratch, bd_le(p, 8), x->err);
    else if (type == BD_T_TIMESTAMP)
        r = bd_fmt_timestamp(&d->scratch, (uint32_t)bd_le(p, 4), x->err);
    else /* DATE, NEWDATE */
        r = bd_fmt_date(&d->scratch, (uint32_t)bd_le(p, 3), x->err);
    if (r < 0) return col_fail(x, x->err->msg);
    scratch_end(d, v, BD_V_ASCII, st);
    return 0;
}

/* NEWDECIMAL, and TIME2, DATETIME2, TIMESTAMP2 (MySQL 5.6+): their width
 * follows from the precision in the metadata; the formatter says how many
 * bytes it read */
static int sized_value(colctx *x, bd_cur *c, bd_value *v)
{
    bd_decoder *d = x->d;
    const bd_column *col = x->col;
    const uint8_t *p = c->p + c->off;
    size_t left = bd_cur_left(c), used = 0, st = scratch_begin(d);
    int r;
    if (col->type == BD_T_NEWDECIMAL)
        r = bd_fmt_newdecimal(&d->scratch, p, left, col->meta & 0xff, col->meta >> 8, &used,
                              x->err);
    else if (col->type == BD_T_TIME2)
        r = bd_fmt_time2(&d->scratch, p, left, col->meta, &used, x->err);
    else if (col->type == BD_T_DATETIME2)
        r = bd_fmt_datetime2(&d->scratch, p, left, col->meta, &used, x->err);
    else
        r = bd_fmt_timestamp2(&d->scratch, p, left, col->meta, &used, x->err);
    if (r < 0) return col_fail(x, x->err->msg);
    bd_cur_skip(c, used);
    scratch_end(d, v, BD_V_ASCII, st);
    return 0;
}

/* CHAR and BINARY, and ENUM and SET (logged as STRING, told apart by their
 * real type) */
static int string_value(colctx *x, bd_cur *c, bd_value *v)
{
    bd_decoder *d = x->d;
    const bd_column *col = x->col;
    size_t n = 0;
    if (col->real_type == BD_T_ENUM) {
        if (col->length != 1 && col->length != 2) return col_fail(x, "ENUM pack length not 1 or 2");
        uint64_t idx = bd_cur_le(c, col->length);
        if (c->err) return VALUE_SHORT;
        return enum_value(x, idx, v);
    }
    if (col->real_type == BD_T_SET) {
        if (col->length < 1 || col->length > 8) return col_fail(x, "SET pack length not 1..8");
        uint64_t bits = bd_cur_le(c, col->length);
        if (c->err) return VALUE_SHORT;
        return set_value(x, bits, v);
    }
    const uint8_t *p = prefixed(c, col->length < 256 ? 1 : 2, &n);
    if (!p) return VALUE_SHORT;
    if (col->collation == 63 && n < col->length) {
        /* BINARY(n) is logged without its trailing zero bytes; the
         * column's value has them (SELECT returns all n bytes). */
        if (n > col->length) return col_fail(x, "BINARY value longer than the column");
        size_t st = scratch_begin(d);
        bd_buf_add(&d->scratch, p, n);
        if (bd_buf_grow(&d->scratch, col->length - n) == 0) {
            memset(d->scratch.ptr + d->scratch.len, 0, col->length - n);
            d->scratch.len += col->length - n;
            d->scratch.ptr[d->scratch.len] = '\0';
        }
        scratch_end(d, v, BD_V_BYTES, st);
        return 0;
    }
    return text_value(x, col->collation, p, n, v);
}

static int json_value(colctx *x, bd_cur *c, bd_value *v, bd_str *jraw)
{
    bd_decoder *d = x->d;
    size_t n = 0;
    const uint8_t *p = prefixed(c, x->col->length, &n);
    if (!p) return VALUE_SHORT;
    if (jraw) {
        jraw->p = (const char *)p;
        jraw->n = n;
    }
    size_t st = scratch_begin(d);
    if (bd_jsonbin_to_text(&d->scratch, p, n, x->err) < 0) return col_fail(x, x->err->msg);
    scratch_end(d, v, BD_V_JSON, st);
    return 0;
}

/* VECTOR: little-endian floats, as a JSON array */
static int vector_value(colctx *x, bd_cur *c, bd_value *v)
{
    bd_decoder *d = x->d;
    size_t n = 0;
    const uint8_t *p = prefixed(c, x->col->length, &n);
    if (!p) return VALUE_SHORT;
    if (n % 4) return col_fail(x, "VECTOR length is not a multiple of 4");
    size_t st = scratch_begin(d);
    bd_buf_addc(&d->scratch, '[');
    for (size_t i = 0; i < n; i += 4) {
        uint32_t b = (uint32_t)bd_le(p + i, 4);
        float f;
        memcpy(&f, &b, 4);
        if (i) bd_buf_addc(&d->scratch, ',');
        bd_fmt_float(&d->scratch, f);
    }
    bd_buf_addc(&d->scratch, ']');
    scratch_end(d, v, BD_V_JSON, st);
    return 0;
}

static int decode_value(colctx *x, bd_cur *c, bd_value *v, bd_str *jraw)
{
    const bd_column *col = x->col;
    size_t n = 0;
    const uint8_t *p;
    int r = VALUE_SHORT;
    switch (col->type) {
    case BD_T_TINY: return int_value(x, c, 1, v);
    case BD_T_SHORT: return int_value(x, c, 2, v);
    case BD_T_INT24: return int_value(x, c, 3, v);
    case BD_T_LONG: return int_value(x, c, 4, v);
    case BD_T_LONGLONG: return int_value(x, c, 8, v);
    case BD_T_FLOAT: r = float_value(x, c, 4, v); break;
    case BD_T_DOUBLE: r = float_value(x, c, 8, v); break;
    case BD_T_NEWDECIMAL:
    case BD_T_TIME2:
    case BD_T_DATETIME2:
    case BD_T_TIMESTAMP2: return sized_value(x, c, v);
    case BD_T_YEAR:
        p = bd_cur_bytes(c, 1);
        if (!p) break;
        v->kind = BD_V_UINT;
        v->u = bd_year_value(p[0]);
        return 0;
    case BD_T_DATE:
    case BD_T_NEWDATE:
    case BD_T_TIME:
    case BD_T_DATETIME:
    case BD_T_TIMESTAMP: r = temporal_value(x, c, v); break;
    case BD_T_VARCHAR:
    case BD_T_VAR_STRING:
        p = prefixed(c, col->length < 256 ? 1 : 2, &n);
        if (!p) break;
        return text_value(x, col->collation, p, n, v);
    case BD_T_STRING:
    case BD_T_ENUM:
    case BD_T_SET: r = string_value(x, c, v); break;
    case BD_T_BIT: {
        unsigned nbytes = (col->meta >> 8) + ((col->meta & 0xff) ? 1 : 0);
        if (nbytes > 8) return col_fail(x, "BIT wider than 64 bits");
        p = bd_cur_bytes(c, nbytes);
        if (!p) break;
        v->kind = BD_V_UINT;
        v->u = bd_be(p, nbytes);
        return 0;
    }
    case BD_T_BLOB:
    case BD_T_TINY_BLOB:
    case BD_T_MEDIUM_BLOB:
    case BD_T_LONG_BLOB:
        p = prefixed(c, col->length, &n);
        if (!p) break;
        return text_value(x, col->collation, p, n, v);
    case BD_T_GEOMETRY:
        p = prefixed(c, col->length, &n);
        if (!p) break;
        v->kind = BD_V_BYTES;
        v->s = (const char *)p;
        v->n = n;
        return 0;
    case BD_T_JSON: r = json_value(x, c, v, jraw); break;
    case BD_T_VECTOR: r = vector_value(x, c, v); break;
    case BD_T_NULL: v->kind = BD_V_NULL; return 0;
    case BD_T_DECIMAL:
        return bd_err_set(x->err, BD_ERR_UNSUPPORTED,
                          "column %u: pre-5.0 DECIMAL in a row event: its length is not in "
                          "the TABLE_MAP, so the row cannot be read exactly",
                          x->idx + 1);
    default:
        return bd_err_set(x->err, BD_ERR_UNSUPPORTED, "column %u: type %u cannot be decoded",
                          x->idx + 1, col->type);
    }
    if (r != VALUE_SHORT) return r;
    return col_fail(x, "row image ends inside the value");
}

/* Partial JSON column in an after image: the diff applies to the before
 * image's binary document; the result is the full document. */
static int partial_json(colctx *x, bd_cur *c, bd_value *v, const bd_str *before)
{
    bd_decoder *d = x->d;
    size_t n;
    const uint8_t *p = prefixed(c, x->col->length, &n);
    if (!p) return col_fail(x, "row image ends inside the JSON diff");
    if (!before || !before->p)
        return bd_err_set(x->err, BD_ERR_UNSUPPORTED,
                          "column %u: partial JSON update, but the before image lacks the "
                          "column (binlog_row_image=MINIMAL/NOBLOB), so the full document cannot "
                          "be rebuilt; on the server set binlog_row_value_options='' or "
                          "binlog_row_image=FULL",
                          x->idx + 1);
    size_t st = scratch_begin(d);
    if (bd_jsonbin_apply_diff(&d->scratch, (const uint8_t *)before->p, before->n, p, n, x->err) < 0)
        return col_fail(x, x->err->msg);
    scratch_end(d, v, BD_V_JSON, st);
    return 0;
}

/* One row image: null bitmap over the present columns, then the values. */
/* One row image: null bitmap over the present columns, then the values.
 * npresent is the number of bits set in present (the same for every row
 * of the event). */
static int decode_image(bd_decoder *d, const bd_table *t, const uint8_t *present, uint32_t npresent,
                        bd_cur *c, bd_value *vals, bd_str *jraw, const uint8_t *partial,
                        bd_err *err)
{
    const uint8_t *nulls = bd_cur_bytes(c, (npresent + 7) / 8);
    if (!nulls) return bd_err_set(err, BD_ERR_CORRUPT, "row image ends inside its NULL bitmap");
    uint32_t k = 0, jk = 0;
    colctx x = {d, t, NULL, 0, err};
    /* JSON bookkeeping (before documents, partial bits) only where needed */
    int json = t->has_json && (jraw || partial);
    for (uint32_t i = 0; i < t->ncols; i++) {
        bd_value *v = &vals[i];
        v->s = NULL;
        v->n = 0;
        int is_partial = 0;
        if (json) {
            if (jraw) jraw[i].p = NULL, jraw[i].n = 0;
            /* partial bits count every JSON column of the table, present or not */
            if (t->cols[i].type == BD_T_JSON) {
                if (partial) is_partial = bit_lsb(partial, jk);
                jk++;
            }
        }
        if (!bit_lsb(present, i)) {
            v->kind = BD_V_ABSENT;
            continue;
        }
        if (bit_lsb(nulls, k++)) {
            v->kind = BD_V_NULL;
            continue;
        }
        x.col = &t->cols[i];
        x.idx = i;
        int r = is_partial ? partial_json(&x, c, v, &d->jraw[i])
                           : decode_value(&x, c, v, json && jraw ? &jraw[i] : NULL);
        if (r < 0) return -1;
    }
    return 0;
}

static uint32_t count_bits(const uint8_t *bm, uint32_t n)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n / 8; i++)
        k += (uint32_t)__builtin_popcount(bm[i]);
    if (n % 8) k += (uint32_t)__builtin_popcount(bm[n / 8] & ((1u << (n % 8)) - 1));
    return k;
}

static void fix_pointers(bd_decoder *d, bd_value *vals, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (vals[i].kind >= BD_V_DOUBLE && vals[i].s == NULL)
            vals[i].s = d->scratch.ptr + vals[i].u;
}

static int ensure_vals(bd_decoder *d, uint32_t ncols, bd_err *err)
{
    if (ncols <= d->vals_cap) return 0;
    size_t cap = ncols < 64 ? 64 : ncols;
    bd_value *v = realloc(d->vals, 2 * cap * sizeof *v);
    if (!v) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    d->vals = v;
    bd_str *j = realloc(d->jraw, cap * sizeof *j);
    if (!j) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    d->jraw = j;
    d->vals_cap = cap;
    return 0;
}

int bd_rows_decode(bd_decoder *d, const bd_header *h, const uint8_t *body, size_t blen,
                   const bd_pos *pos, bd_err *err)
{
    unsigned type = h->type;
    unsigned post = d->fmt.post_header_len[type];
    if (!post) post = has_extra(type) ? 10 : 8;
    bd_cur c = bd_cur_make(body, blen);
    uint64_t table_id = post == 6 ? bd_cur_u32(&c) : bd_cur_u48(&c);
    uint16_t flags = bd_cur_u16(&c);
    if (has_extra(type)) {
        /* v2: extra row info (NDB, partition), length includes itself */
        uint16_t xl = bd_cur_u16(&c);
        if (!c.err && xl < 2)
            return bd_err_set(err, BD_ERR_CORRUPT, "extra data length %u < 2", xl);
        bd_cur_skip(&c, xl - 2u);
    } else if (post > 8) {
        bd_cur_skip(&c, post - 8);
    }
    uint64_t ncols = bd_cur_packed(&c);
    if (c.err) return bd_err_set(err, BD_ERR_CORRUPT, "rows event header truncated at %zu", c.off);
    bd_table *t = bd_tables_get(&d->tables, table_id);
    if (!t)
        return bd_err_set(err, BD_ERR_SCHEMA, "rows event for table id %llu without its TABLE_MAP",
                          (unsigned long long)table_id);
    if (ncols != t->ncols)
        return bd_err_set(
            err, BD_ERR_SCHEMA, "rows event for `%.*s`.`%.*s` has %llu columns, its TABLE_MAP %u",
            (int)t->db.n, t->db.p, (int)t->name.n, t->name.p, (unsigned long long)ncols, t->ncols);
    size_t bm = (t->ncols + 7) / 8;
    const uint8_t *present1 = bd_cur_bytes(&c, bm);
    const uint8_t *present2 = is_update(type) ? bd_cur_bytes(&c, bm) : NULL;
    if (c.err) return bd_err_set(err, BD_ERR_CORRUPT, "rows event column bitmaps truncated");
    if (ensure_vals(d, t->ncols, err) < 0) return -1;
    uint32_t np1 = count_bits(present1, t->ncols),
             np2 = present2 ? count_bits(present2, t->ncols) : 0;
    bd_value *v1 = d->vals, *v2 = d->vals + d->vals_cap;
    char op = is_update(type) ? BD_OP_UPDATE : is_delete(type) ? BD_OP_DELETE : BD_OP_INSERT;
    uint32_t njson = 0;
    if (type == BD_EV_PARTIAL_UPDATE_ROWS)
        for (uint32_t i = 0; i < t->ncols; i++)
            if (t->cols[i].type == BD_T_JSON) njson++;
    bd_row row;
    memset(&row, 0, sizeof row);
    row.op = op;
    row.table = t;
    row.pos = *pos;
    row.header = h;
    row.format = &d->fmt;
    row.txn = &d->txn;
    for (uint32_t r = 0; bd_cur_left(&c); r++) {
        size_t at = c.off;
        bd_buf_reset(&d->scratch);
        if (decode_image(d, t, present1, np1, &c, v1, op == BD_OP_UPDATE ? d->jraw : NULL, NULL,
                         err) < 0)
            goto fail;
        const uint8_t *partial = NULL;
        if (op == BD_OP_UPDATE) {
            if (type == BD_EV_PARTIAL_UPDATE_ROWS) {
                uint64_t opts = bd_cur_packed(&c);
                if (opts & 1) partial = bd_cur_bytes(&c, (njson + 7) / 8);
                if (c.err) {
                    bd_err_set(err, BD_ERR_CORRUPT, "partial update options truncated");
                    goto fail;
                }
            }
            if (decode_image(d, t, present2, np2, &c, v2, NULL, partial, err) < 0) goto fail;
        }
        if (c.off == at) {
            /* no present column: nothing would ever be consumed */
            bd_err_set(err, BD_ERR_CORRUPT, "row image of zero bytes");
            goto fail;
        }
        if (bd_buf_failed(&d->scratch)) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        fix_pointers(d, v1, t->ncols);
        if (op == BD_OP_UPDATE) fix_pointers(d, v2, t->ncols);
        row.before = op == BD_OP_INSERT ? NULL : v1;
        row.after = op == BD_OP_DELETE ? NULL : op == BD_OP_INSERT ? v1 : v2;
        row.row_index = r;
        /* STMT_END_F (1) outside BEGIN: this statement was its own transaction */
        row.ends_txn = !bd_cur_left(&c) && (flags & 1) && !d->txn.explicit_begin;
        d->txn.rows++;
        if (d->cb.on_row && d->cb.on_row(d->cb.ctx, &row))
            return bd_err_set(err, BD_ERR_CALLBACK, "stopped by the row consumer");
        if (row.ends_txn) d->txn.in_txn = 0;
        continue;
    fail:
        return bd_err_prefix(err, "`%.*s`.`%.*s` row %u (body offset %zu): ", (int)t->db.n, t->db.p,
                             (int)t->name.n, t->name.p, r, at);
    }
    return 0;
}
