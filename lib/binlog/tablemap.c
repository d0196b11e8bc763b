/* tablemap.c - TABLE_MAP events, with every optional metadata field.
 *
 * A parsed map holds the bd_table, its columns, the enum strings and a
 * copy of the raw body that names and members point into; what a schema
 * source fills in (names, ENUM/SET members, the key) the map owns apart,
 * so it lives exactly as long as the map.  The decoder keeps maps by table
 * id and reuses one when the same body comes again (every transaction
 * repeats its maps), with what the schema source gave it.
 */
#include "tablemap.h"

#include <stdlib.h>
#include <string.h>

#include "binlogd/charset.h"
#include "binlogd/cursor.h"
#include "binlogd/decoder.h"

const char *bd_coltype_name(unsigned t)
{
    switch (t) {
    case BD_T_DECIMAL: return "DECIMAL";
    case BD_T_TINY: return "TINY";
    case BD_T_SHORT: return "SHORT";
    case BD_T_LONG: return "LONG";
    case BD_T_FLOAT: return "FLOAT";
    case BD_T_DOUBLE: return "DOUBLE";
    case BD_T_NULL: return "NULL";
    case BD_T_TIMESTAMP: return "TIMESTAMP";
    case BD_T_LONGLONG: return "LONGLONG";
    case BD_T_INT24: return "INT24";
    case BD_T_DATE: return "DATE";
    case BD_T_TIME: return "TIME";
    case BD_T_DATETIME: return "DATETIME";
    case BD_T_YEAR: return "YEAR";
    case BD_T_NEWDATE: return "NEWDATE";
    case BD_T_VARCHAR: return "VARCHAR";
    case BD_T_BIT: return "BIT";
    case BD_T_TIMESTAMP2: return "TIMESTAMP2";
    case BD_T_DATETIME2: return "DATETIME2";
    case BD_T_TIME2: return "TIME2";
    case BD_T_TYPED_ARRAY: return "TYPED_ARRAY";
    case BD_T_VECTOR: return "VECTOR";
    case BD_T_JSON: return "JSON";
    case BD_T_NEWDECIMAL: return "NEWDECIMAL";
    case BD_T_ENUM: return "ENUM";
    case BD_T_SET: return "SET";
    case BD_T_TINY_BLOB: return "TINY_BLOB";
    case BD_T_MEDIUM_BLOB: return "MEDIUM_BLOB";
    case BD_T_LONG_BLOB: return "LONG_BLOB";
    case BD_T_BLOB: return "BLOB";
    case BD_T_VAR_STRING: return "VAR_STRING";
    case BD_T_STRING: return "STRING";
    case BD_T_GEOMETRY: return "GEOMETRY";
    default: return "UNKNOWN";
    }
}

/* Bytes of TABLE_MAP metadata per column type. */
static int meta_len(unsigned t)
{
    switch (t) {
    case BD_T_FLOAT:
    case BD_T_DOUBLE:
    case BD_T_BLOB:
    case BD_T_TINY_BLOB:
    case BD_T_MEDIUM_BLOB:
    case BD_T_LONG_BLOB:
    case BD_T_GEOMETRY:
    case BD_T_JSON:
    case BD_T_VECTOR:
    case BD_T_TIMESTAMP2:
    case BD_T_DATETIME2:
    case BD_T_TIME2: return 1;
    case BD_T_VARCHAR:
    case BD_T_VAR_STRING:
    case BD_T_BIT:
    case BD_T_NEWDECIMAL:
    case BD_T_STRING:
    case BD_T_ENUM:
    case BD_T_SET: return 2;
    case BD_T_TYPED_ARRAY: return -1; /* only in MySQL's internal multi-valued index images */
    default: return 0;
    }
}

static int is_numeric(unsigned t)
{
    switch (t) {
    case BD_T_TINY:
    case BD_T_SHORT:
    case BD_T_INT24:
    case BD_T_LONG:
    case BD_T_LONGLONG:
    case BD_T_FLOAT:
    case BD_T_DOUBLE:
    case BD_T_NEWDECIMAL:
    case BD_T_DECIMAL: return 1;
    default: return 0;
    }
}

/* Character columns, in the sense of the charset metadata fields: string
 * types that are neither ENUM nor SET (binary strings included).  MariaDB
 * also lists GEOMETRY columns (with the binary collation); MySQL does not. */
static int is_character(const bd_column *c, enum bd_flavor flavor)
{
    switch (c->type) {
    case BD_T_GEOMETRY: return flavor == BD_FLAVOR_MARIADB;
    case BD_T_VARCHAR:
    case BD_T_VAR_STRING:
    case BD_T_BLOB:
    case BD_T_TINY_BLOB:
    case BD_T_MEDIUM_BLOB:
    case BD_T_LONG_BLOB:
    case BD_T_VECTOR: /* MySQL 9 stores vectors as binary strings and lists their charset */
        return 1;
    case BD_T_STRING: return c->real_type != BD_T_ENUM && c->real_type != BD_T_SET;
    default: return 0;
    }
}

static int is_enum_or_set(const bd_column *c)
{
    return c->real_type == BD_T_ENUM || c->real_type == BD_T_SET;
}

void bd_table_free(bd_table *t)
{
    if (!t) return;
    free(t->raw);
    free(t->pk);
    free(t->key_off);
    bd_buf_release(&t->keys);
    bd_buf_release(&t->dbtable);
    bd_buf_release(&t->enum_json);
    if (t->cols)
        for (uint32_t i = 0; i < t->ncols; i++) {
            free(t->cols[i].enum_vals);
            free(t->cols[i].enum_json_off);
            free(t->cols[i].owned_name);
            free(t->cols[i].owned_members);
        }
    free(t->cols);
    free(t);
}

bd_table *bd_table_new(const char *db, size_t dbn, const char *name, size_t nn, uint32_t ncols)
{
    bd_table *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    /* the names live where a parsed map keeps its body */
    t->raw = malloc(dbn + nn + 2);
    t->cols = calloc(ncols ? ncols : 1, sizeof *t->cols);
    if (!t->raw || !t->cols) {
        bd_table_free(t);
        return NULL;
    }
    memcpy(t->raw, db, dbn);
    t->raw[dbn] = 0;
    memcpy(t->raw + dbn + 1, name, nn);
    t->raw[dbn + 1 + nn] = 0;
    t->raw_len = dbn + nn + 2;
    t->db = (bd_str){(const char *)t->raw, dbn};
    t->name = (bd_str){(const char *)t->raw + dbn + 1, nn};
    t->ncols = ncols;
    for (uint32_t i = 0; i < ncols; i++)
        t->cols[i].visible = 1;
    return t;
}

void bd_table_destroy(bd_table *t) { bd_table_free(t); }

/* Optional metadata bitmaps are MSB first. */
static int bit_msb(const uint8_t *p, size_t i) { return (p[i / 8] >> (7 - i % 8)) & 1; }

static int parse_strlist(bd_cur *c, bd_column *col)
{
    uint64_t cnt = bd_cur_packed(c);
    if (c->err || cnt > bd_cur_left(c)) return -1;
    free(col->enum_vals); /* a repeated field replaces the earlier one */
    col->enum_vals = calloc(cnt ? cnt : 1, sizeof *col->enum_vals);
    if (!col->enum_vals) return -1;
    col->n_enum = (uint32_t)cnt;
    for (uint64_t k = 0; k < cnt; k++) {
        size_t l = bd_cur_packed_len(c);
        col->enum_vals[k].p = (const char *)bd_cur_bytes(c, l);
        col->enum_vals[k].n = l;
        if (c->err) return -1;
    }
    return 0;
}

static int parse_optional(bd_table *t, bd_cur *c, enum bd_flavor flavor, bd_err *err)
{
    uint32_t n = t->ncols;
    while (bd_cur_left(c)) {
        size_t at = c->off;
        uint8_t type = bd_cur_u8(c);
        size_t len = bd_cur_packed_len(c);
        const uint8_t *v = bd_cur_bytes(c, len);
        if (c->err)
            return bd_err_set(err, BD_ERR_CORRUPT, "optional metadata field at %zu truncated", at);
        bd_cur f = bd_cur_make(v, len);
        switch (type) {
        case 1: { /* SIGNEDNESS: one bit per numeric column */
            size_t k = 0;
            for (uint32_t i = 0; i < n; i++) {
                if (!is_numeric(t->cols[i].type)) continue;
                if (k / 8 >= len) return bd_err_set(err, BD_ERR_CORRUPT, "SIGNEDNESS bitmap short");
                t->cols[i].is_unsigned = (int8_t)bit_msb(v, k++);
            }
            break;
        }
        case 2:
        case 10: { /* DEFAULT_CHARSET / ENUM_AND_SET_DEFAULT_CHARSET */
            int es = type == 10;
            uint64_t dflt = bd_cur_packed(&f);
            for (uint32_t i = 0; i < n; i++)
                if (es ? is_enum_or_set(&t->cols[i]) : is_character(&t->cols[i], flavor))
                    t->cols[i].collation = (uint32_t)dflt;
            while (bd_cur_left(&f) && !f.err) {
                uint64_t idx = bd_cur_packed(&f), coll = bd_cur_packed(&f);
                uint64_t k = 0;
                int found = 0;
                for (uint32_t i = 0; i < n; i++) {
                    if (!(es ? is_enum_or_set(&t->cols[i]) : is_character(&t->cols[i], flavor)))
                        continue;
                    if (k++ == idx) {
                        t->cols[i].collation = (uint32_t)coll;
                        found = 1;
                        break;
                    }
                }
                if (!found) f.err = 1;
            }
            break;
        }
        case 3:
        case 11: { /* COLUMN_CHARSET / ENUM_AND_SET_COLUMN_CHARSET */
            int es = type == 11;
            for (uint32_t i = 0; i < n && !f.err; i++)
                if (es ? is_enum_or_set(&t->cols[i]) : is_character(&t->cols[i], flavor))
                    t->cols[i].collation = (uint32_t)bd_cur_packed(&f);
            break;
        }
        case 4: /* COLUMN_NAME */
            for (uint32_t i = 0; i < n && !f.err; i++) {
                size_t l = bd_cur_packed_len(&f);
                t->cols[i].name.p = (const char *)bd_cur_bytes(&f, l);
                t->cols[i].name.n = l;
                /* a row object with two equal keys would be ambiguous */
                for (uint32_t k = 0; k < i && !f.err; k++)
                    if (t->cols[k].name.n == l && !memcmp(t->cols[k].name.p, t->cols[i].name.p, l))
                        f.err = 1;
            }
            if (!f.err) t->has_names = 1;
            break;
        case 5:
        case 6: { /* SET_STR_VALUE / ENUM_STR_VALUE */
            unsigned want = type == 5 ? BD_T_SET : BD_T_ENUM;
            for (uint32_t i = 0; i < n && !f.err; i++) {
                if (t->cols[i].real_type != want) continue;
                if (parse_strlist(&f, &t->cols[i]) < 0) f.err = 1;
            }
            break;
        }
        case 7: /* GEOMETRY_TYPE */
            for (uint32_t i = 0; i < n && !f.err; i++)
                if (t->cols[i].type == BD_T_GEOMETRY)
                    t->cols[i].geometry_type = (uint32_t)bd_cur_packed(&f);
            break;
        case 8:
        case 9: { /* SIMPLE_PRIMARY_KEY / PRIMARY_KEY_WITH_PREFIX */
            uint32_t *pk = calloc(n ? n : 1, sizeof *pk);
            uint32_t cnt = 0;
            if (!pk) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
            while (bd_cur_left(&f) && !f.err) {
                uint64_t idx = bd_cur_packed(&f);
                if (type == 9) (void)bd_cur_packed(&f); /* prefix length */
                if (idx >= n || cnt >= n) {
                    f.err = 1;
                    break;
                }
                pk[cnt++] = (uint32_t)idx;
                t->cols[idx].is_pk = 1;
            }
            free(t->pk);
            t->pk = pk;
            t->npk = cnt;
            break;
        }
        case 12: /* COLUMN_VISIBILITY: one bit per column */
            if ((n + 7) / 8 > len) f.err = 1;
            for (uint32_t i = 0; i < n && !f.err; i++)
                t->cols[i].visible = (uint8_t)bit_msb(v, i);
            break;
        case 13: /* VECTOR_DIMENSIONALITY */
            for (uint32_t i = 0; i < n && !f.err; i++)
                if (t->cols[i].type == BD_T_VECTOR)
                    t->cols[i].vector_dim = (uint32_t)bd_cur_packed(&f);
            break;
        default:
            /* Unknown optional fields are self-describing (type, length) and
             * do not affect how rows decode, so they are safe to pass over. */
            break;
        }
        if (f.err)
            return bd_err_set(err, BD_ERR_CORRUPT, "optional metadata field %u at %zu malformed",
                              type, at);
    }
    return 0;
}

static int build_keys(bd_table *t)
{
    t->key_off = calloc((size_t)t->ncols + 1, sizeof *t->key_off);
    if (!t->key_off) return -1;
    for (uint32_t i = 0; i < t->ncols; i++) {
        t->key_off[i] = (uint32_t)t->keys.len;
        const bd_column *c = &t->cols[i];
        if (c->name.p) {
            bd_buf_add_json_str(&t->keys, c->name.p, c->name.n);
        } else {
            bd_buf_adds(&t->keys, "\"@");
            bd_buf_add_u64(&t->keys, i + 1);
            bd_buf_addc(&t->keys, '"');
        }
        bd_buf_addc(&t->keys, ':');
    }
    t->key_off[t->ncols] = (uint32_t)t->keys.len;
    /* ENUM members are printed for every row: escape them once here when
     * they are UTF-8 (other charsets are converted row by row). */
    for (uint32_t i = 0; i < t->ncols; i++) {
        bd_column *c = &t->cols[i];
        if (c->real_type != BD_T_ENUM || !c->n_enum) continue;
        enum bd_cs_kind k = c->collation ? bd_charset_kind(c->collation) : BD_CS_UNKNOWN;
        if (!c->members_utf8 && !(k == BD_CS_UTF8 || k == BD_CS_ASCII || c->collation == 0))
            continue;
        int ok = 1;
        for (uint32_t m = 0; m < c->n_enum && ok; m++)
            ok = bd_utf8_valid((const uint8_t *)c->enum_vals[m].p, c->enum_vals[m].n);
        if (!ok) continue;
        c->enum_json_off = calloc((size_t)c->n_enum + 1, sizeof *c->enum_json_off);
        if (!c->enum_json_off) return -1;
        for (uint32_t m = 0; m < c->n_enum; m++) {
            c->enum_json_off[m] = (uint32_t)t->enum_json.len;
            bd_buf_add_json_str(&t->enum_json, c->enum_vals[m].p, c->enum_vals[m].n);
        }
        c->enum_json_off[c->n_enum] = (uint32_t)t->enum_json.len;
    }
    if (bd_buf_failed(&t->enum_json)) return -1;
    for (uint32_t i = 0; i < t->ncols; i++)
        if (t->cols[i].enum_json_off) t->cols[i].enum_json = t->enum_json.ptr;
    bd_buf_adds(&t->dbtable, "\"db\":");
    bd_buf_add_json_str(&t->dbtable, t->db.p, t->db.n);
    bd_buf_adds(&t->dbtable, ",\"table\":");
    bd_buf_add_json_str(&t->dbtable, t->name.p, t->name.n);
    return bd_buf_failed(&t->keys) || bd_buf_failed(&t->dbtable) ? -1 : 0;
}

int bd_table_finish(bd_table *t)
{
    /* rebuilt from scratch: a schema source may have filled columns in */
    free(t->key_off);
    t->key_off = NULL;
    bd_buf_release(&t->keys);
    bd_buf_release(&t->dbtable);
    bd_buf_release(&t->enum_json);
    t->signedness_unknown = t->has_json = 0;
    t->has_names = 1;
    for (uint32_t i = 0; i < t->ncols; i++) {
        bd_column *c = &t->cols[i];
        free(c->enum_json_off);
        c->enum_json_off = NULL;
        c->enum_json = NULL;
        if (!c->name.p) t->has_names = 0;
        switch (c->type) {
        case BD_T_TINY:
        case BD_T_SHORT:
        case BD_T_INT24:
        case BD_T_LONG:
        case BD_T_LONGLONG:
            if (c->is_unsigned < 0) t->signedness_unknown = 1;
            break;
        case BD_T_JSON: t->has_json = 1; break;
        default: break;
        }
    }
    return build_keys(t);
}

int bd_table_set_name(bd_table *t, uint32_t col, const char *name, size_t n)
{
    if (col >= t->ncols) return -1;
    char *p = malloc(n + 1);
    if (!p) return -1;
    memcpy(p, name, n);
    p[n] = '\0';
    free(t->cols[col].owned_name);
    t->cols[col].owned_name = p;
    t->cols[col].name.p = p;
    t->cols[col].name.n = n;
    return 0;
}

int bd_table_set_pk(bd_table *t, const uint32_t *cols, uint32_t n)
{
    if (n > t->ncols) return -1;
    for (uint32_t k = 0; k < n; k++) {
        if (cols[k] >= t->ncols) return -1;
        for (uint32_t j = 0; j < k; j++)
            if (cols[j] == cols[k]) return -1;
    }
    uint32_t *pk = calloc(n ? n : 1, sizeof *pk);
    if (!pk) return -1;
    if (n) memcpy(pk, cols, n * sizeof *pk);
    free(t->pk);
    t->pk = pk;
    t->npk = n;
    for (uint32_t i = 0; i < t->ncols; i++)
        t->cols[i].is_pk = 0;
    for (uint32_t k = 0; k < n; k++)
        t->cols[pk[k]].is_pk = 1;
    return 0;
}

int bd_table_set_members(bd_table *t, uint32_t col, const bd_str *m, uint32_t n, int utf8)
{
    if (col >= t->ncols || !n) return -1;
    bd_column *c = &t->cols[col];
    if (c->real_type != BD_T_ENUM && c->real_type != BD_T_SET) return -1;
    /* one block for the bytes, one for the bd_str array (bd_table_free
     * frees enum_vals as it does for a map's own members) */
    size_t total = 0;
    for (uint32_t k = 0; k < n; k++)
        total += m[k].n;
    char *bytes = malloc(total ? total : 1);
    bd_str *vals = calloc(n, sizeof *vals);
    if (!bytes || !vals) {
        free(bytes);
        free(vals);
        return -1;
    }
    size_t off = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (m[k].n) memcpy(bytes + off, m[k].p, m[k].n);
        vals[k].p = bytes + off;
        vals[k].n = m[k].n;
        off += m[k].n;
    }
    free(c->enum_vals);
    free(c->owned_members);
    c->enum_vals = vals;
    c->owned_members = bytes;
    c->n_enum = n;
    c->members_utf8 = utf8 ? 1 : 0;
    return 0;
}

int bd_table_parse(bd_table **out, const uint8_t *body, size_t len, unsigned post_len,
                   enum bd_flavor flavor, bd_err *err)
{
    bd_table *t = calloc(1, sizeof *t);
    if (!t) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    t->raw = malloc(len ? len : 1);
    if (!t->raw) {
        free(t);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    memcpy(t->raw, body, len);
    t->raw_len = len;
    bd_cur c = bd_cur_make(t->raw, len);
    t->table_id = post_len == 6 ? bd_cur_u32(&c) : bd_cur_u48(&c);
    t->flags = bd_cur_u16(&c);
    if (post_len > 8) bd_cur_skip(&c, post_len - 8);
    uint8_t l = bd_cur_u8(&c);
    t->db.p = (const char *)bd_cur_bytes(&c, l);
    t->db.n = l;
    bd_cur_skip(&c, 1);
    l = bd_cur_u8(&c);
    t->name.p = (const char *)bd_cur_bytes(&c, l);
    t->name.n = l;
    bd_cur_skip(&c, 1);
    uint64_t ncols = bd_cur_packed(&c);
    if (c.err || ncols == 0 || ncols > 4096 || ncols > bd_cur_left(&c)) {
        bd_err_set(err, BD_ERR_CORRUPT, "TABLE_MAP names or column count (%llu) malformed at %zu",
                   (unsigned long long)ncols, c.off);
        goto fail;
    }
    t->ncols = (uint32_t)ncols;
    t->cols = calloc(ncols, sizeof *t->cols);
    if (!t->cols) {
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        goto fail;
    }
    const uint8_t *types = bd_cur_bytes(&c, ncols);
    size_t mlen = bd_cur_packed_len(&c);
    const uint8_t *meta = bd_cur_bytes(&c, mlen);
    const uint8_t *nulls = bd_cur_bytes(&c, (ncols + 7) / 8);
    if (c.err) {
        bd_err_set(err, BD_ERR_CORRUPT, "TABLE_MAP `%.*s`.`%.*s` truncated in column data",
                   (int)t->db.n, t->db.p, (int)t->name.n, t->name.p);
        goto fail;
    }
    size_t mo = 0;
    for (uint32_t i = 0; i < t->ncols; i++) {
        bd_column *col = &t->cols[i];
        col->type = types[i];
        col->real_type = types[i];
        col->is_unsigned = -1;
        col->visible = 1;
        col->nullable = (nulls[i / 8] >> (i % 8)) & 1;
        int ml = meta_len(col->type);
        if (ml < 0 || mo + (size_t)ml > mlen) {
            bd_err_set(err, BD_ERR_CORRUPT, "TABLE_MAP `%.*s`.`%.*s` column %u type %s: %s",
                       (int)t->db.n, t->db.p, (int)t->name.n, t->name.p, i + 1,
                       bd_coltype_name(col->type),
                       ml < 0 ? "type cannot appear in a row image" : "metadata truncated");
            goto fail;
        }
        col->meta = (uint16_t)bd_le(meta + mo, (unsigned)ml);
        mo += (size_t)ml;
        switch (col->type) {
        case BD_T_STRING: {
            /* The real type hides in the first byte; a length over 255 steals
             * two bits of it (they are inverted). */
            uint8_t b0 = (uint8_t)(col->meta & 0xff), b1 = (uint8_t)(col->meta >> 8);
            if ((b0 & 0x30) != 0x30) {
                col->real_type = (uint8_t)(b0 | 0x30);
                col->length = b1 | (((uint32_t)(b0 & 0x30) ^ 0x30) << 4);
            } else {
                col->real_type = b0;
                col->length = b1;
            }
            break;
        }
        case BD_T_VARCHAR:
        case BD_T_VAR_STRING: col->length = col->meta; break;
        case BD_T_ENUM:
        case BD_T_SET:
            col->real_type = col->type;
            col->length = col->meta >> 8;
            break;
        case BD_T_BLOB:
        case BD_T_TINY_BLOB:
        case BD_T_MEDIUM_BLOB:
        case BD_T_LONG_BLOB:
        case BD_T_GEOMETRY:
        case BD_T_JSON:
        case BD_T_VECTOR: col->length = col->meta; break;
        default: break;
        }
    }
    if (mo != mlen) {
        bd_err_set(err, BD_ERR_CORRUPT,
                   "TABLE_MAP `%.*s`.`%.*s`: %zu metadata bytes, columns use %zu", (int)t->db.n,
                   t->db.p, (int)t->name.n, t->name.p, mlen, mo);
        goto fail;
    }
    if (parse_optional(t, &c, flavor, err) < 0) {
        bd_err_prefix(err, "TABLE_MAP `%.*s`.`%.*s`: ", (int)t->db.n, t->db.p, (int)t->name.n,
                      t->name.p);
        goto fail;
    }
    if (bd_table_finish(t) < 0) {
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        goto fail;
    }
    *out = t;
    return 0;
fail:
    bd_table_free(t);
    return -1;
}
