/* encode.c - JSON envelope; see include/binlogd/encode.h and docs/format.md. */
#include "binlogd/encode.h"

#include <string.h>

/* Room one value needs in the output, at most. */
static size_t value_room(const bd_value *v)
{
    switch (v->kind) {
    case BD_V_INT:
    case BD_V_UINT: return 21;
    case BD_V_DOUBLE:
    case BD_V_NUMBER:
    case BD_V_JSON: return v->n ? v->n : 4;
    case BD_V_STRING: return v->n * 6 + 2;
    case BD_V_ASCII: return v->n + 2;
    case BD_V_BYTES: return (v->n + 2) / 3 * 4 + 2;
    default: return 4;
    }
}

/* Write one value at o (room reserved by the caller); returns the end. */
static char *put_value(char *o, const bd_value *v)
{
    switch (v->kind) {
    case BD_V_INT: return bd_raw_i64(o, v->i);
    case BD_V_UINT: return bd_raw_u64(o, v->u);
    case BD_V_DOUBLE:
    case BD_V_NUMBER:
    case BD_V_JSON:
        if (!v->n) break;
        bd_copy(o, v->s, v->n);
        return o + v->n;
    /* every STRING value is valid UTF-8 by construction (validated or converted) */
    case BD_V_STRING: return bd_raw_json_str(o, v->s, v->n, 1);
    case BD_V_ASCII:
        *o++ = '"';
        bd_copy(o, v->s, v->n);
        o += v->n;
        *o++ = '"';
        return o;
    case BD_V_BYTES:
        *o++ = '"';
        o = bd_raw_base64(o, (const uint8_t *)v->s, v->n);
        *o++ = '"';
        return o;
    default: break;
    }
    memcpy(o, "null", 4);
    return o + 4;
}

void bd_encode_value(bd_buf *out, const bd_value *v)
{
    if (bd_buf_grow(out, value_room(v)) < 0) return;
    out->len = (size_t)(put_value(out->ptr + out->len, v) - out->ptr);
    out->ptr[out->len] = '\0';
}

/* One image as an object.  The room for the whole object is reserved
 * once, then keys and values are written without further checks. */
static void add_image(bd_buf *out, const bd_table *t, const bd_value *vals)
{
    if (!vals) {
        bd_buf_adds(out, "null");
        return;
    }
    size_t room = 2;
    for (uint32_t i = 0; i < t->ncols; i++)
        if (vals[i].kind != BD_V_ABSENT)
            room += 1 + (t->key_off[i + 1] - t->key_off[i]) + value_room(&vals[i]);
    if (bd_buf_grow(out, room) < 0) return;
    char *o = out->ptr + out->len;
    *o++ = '{';
    int first = 1;
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (vals[i].kind == BD_V_ABSENT) continue;
        if (!first) *o++ = ',';
        first = 0;
        size_t kl = t->key_off[i + 1] - t->key_off[i];
        bd_copy(o, t->keys.ptr + t->key_off[i], kl);
        o += kl;
        o = put_value(o, &vals[i]);
    }
    *o++ = '}';
    out->len = (size_t)(o - out->ptr);
    out->ptr[out->len] = '\0';
}

/* The part of "source" that is the same for every row of one rows event:
 * flavor, server_id, file, pos, inner, gtid, ts_us. */
static void add_source_prefix(bd_buf *out, const bd_format *format, const bd_header *header,
                              const bd_pos *pos, const bd_txn *txn)
{
    bd_buf_adds(out, ",\"source\":{\"flavor\":");
    bd_buf_adds(out, format->flavor == BD_FLAVOR_MARIADB ? "\"mariadb\"" : "\"mysql\"");
    bd_buf_adds(out, ",\"server_id\":");
    bd_buf_add_u64(out, header->server_id);
    bd_buf_adds(out, ",\"file\":");
    if (pos->file_json_len) {
        bd_buf_add(out, pos->file_json, pos->file_json_len);
    } else {
        const char *f = pos->file ? pos->file : "";
        bd_buf_add_json_str(out, f, strlen(f));
    }
    bd_buf_adds(out, ",\"pos\":");
    bd_buf_add_u64(out, pos->pos);
    if (pos->inner) {
        bd_buf_adds(out, ",\"inner\":");
        bd_buf_add_u64(out, pos->inner);
    }
    bd_buf_adds(out, ",\"gtid\":");
    if (txn && txn->has_gtid) {
        /* GTID text is digits, hex, '-', ':' and tag characters [A-Za-z0-9_]:
         * quotes, no escapes */
        bd_value g = {.kind = BD_V_ASCII, .s = txn->gtid, .n = strlen(txn->gtid)};
        bd_encode_value(out, &g);
    } else {
        bd_buf_adds(out, "null");
    }
    bd_buf_adds(out, ",\"ts_us\":");
    bd_buf_add_u64(out,
                   txn && txn->commit_us ? txn->commit_us : (uint64_t)header->timestamp * 1000000u);
    bd_buf_adds(out, ",\"row\":");
}

void bd_enc_cache_init(bd_enc_cache *c)
{
    bd_buf_init(&c->source);
    c->valid = 0;
}

void bd_enc_cache_release(bd_enc_cache *c)
{
    bd_buf_release(&c->source);
    c->valid = 0;
}

/* Is the cached prefix the one of this row's event?  A new event always
 * starts at row 0; file and position guard against anything else. */
static int cache_holds(const bd_enc_cache *c, const bd_row *row)
{
    return c->valid && row->row_index != 0 && c->pos == row->pos.pos &&
           c->inner == row->pos.inner && c->file_json_len == row->pos.file_json_len &&
           row->pos.file_json && memcmp(c->file_json, row->pos.file_json, c->file_json_len) == 0;
}

void bd_encode_row_cached(bd_buf *out, const bd_row *row, bd_enc_cache *cache)
{
    const bd_table *t = row->table;
    bd_buf_adds(out, "{\"op\":\"");
    bd_buf_addc(out, row->op);
    bd_buf_adds(out, "\",");
    bd_buf_add(out, t->dbtable.ptr, t->dbtable.len);
    bd_buf_adds(out, ",\"before\":");
    add_image(out, t, row->before);
    bd_buf_adds(out, ",\"after\":");
    add_image(out, t, row->after);
    if (!t->has_names) bd_buf_adds(out, ",\"positional\":true");
    if (t->signedness_unknown) bd_buf_adds(out, ",\"signedness_unknown\":true");
    if (!cache) {
        add_source_prefix(out, row->format, row->header, &row->pos, row->txn);
    } else {
        /* rows of one event share the prefix: rebuild it only when the
         * event (file and position) changes */
        if (!cache_holds(cache, row)) {
            bd_buf_reset(&cache->source);
            add_source_prefix(&cache->source, row->format, row->header, &row->pos, row->txn);
            cache->valid = !bd_buf_failed(&cache->source);
            cache->pos = row->pos.pos;
            cache->inner = row->pos.inner;
            cache->file_json_len = row->pos.file_json_len;
            if (row->pos.file_json && row->pos.file_json_len < sizeof cache->file_json)
                memcpy(cache->file_json, row->pos.file_json, row->pos.file_json_len);
            else
                cache->valid = 0; /* a name too long to remember: no reuse */
        }
        bd_buf_add(out, cache->source.ptr, cache->source.len);
    }
    bd_buf_add_u64(out, row->row_index);
}

void bd_encode_row(bd_buf *out, const bd_row *row) { bd_encode_row_cached(out, row, NULL); }

void bd_encode_row_tail(bd_buf *out, int has_xid, uint64_t xid, int last)
{
    bd_buf_adds(out, ",\"xid\":");
    if (has_xid)
        bd_buf_add_u64(out, xid);
    else
        bd_buf_adds(out, "null");
    bd_buf_adds(out, last ? ",\"last\":true}}" : ",\"last\":false}}");
}

void bd_encode_truncate(bd_buf *out, const bd_event *ev, const char *db, size_t dbn,
                        const char *table, size_t tn)
{
    bd_buf_adds(out, "{\"op\":\"t\",\"db\":");
    bd_buf_add_json_str(out, db, dbn);
    bd_buf_adds(out, ",\"table\":");
    bd_buf_add_json_str(out, table, tn);
    bd_buf_adds(out, ",\"before\":null,\"after\":null");
    add_source_prefix(out, ev->format, ev->header, &ev->pos, ev->txn);
    bd_buf_addc(out, '0');
}

/* cols NULL: every column, in order */
static void add_key(bd_buf *out, const bd_row *row, const uint32_t *cols, uint32_t n)
{
    const bd_table *t = row->table;
    bd_buf_addc(out, '{');
    int first = 1;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = cols ? cols[k] : k;
        /* an after image without the column (binlog_row_image=MINIMAL: it
         * did not change) takes it from the before image */
        const bd_value *vals = row->after ? row->after : row->before;
        if (vals[i].kind == BD_V_ABSENT && row->before) vals = row->before;
        if (vals[i].kind == BD_V_ABSENT) continue;
        if (!first) bd_buf_addc(out, ',');
        first = 0;
        bd_buf_add(out, t->keys.ptr + t->key_off[i], t->key_off[i + 1] - t->key_off[i]);
        bd_encode_value(out, &vals[i]);
    }
    bd_buf_addc(out, '}');
}

void bd_encode_key(bd_buf *out, const bd_row *row)
{
    const bd_table *t = row->table;
    if (t->npk)
        add_key(out, row, t->pk, t->npk);
    else
        add_key(out, row, NULL, t->ncols);
}

void bd_encode_key_cols(bd_buf *out, const bd_row *row, const uint32_t *cols, uint32_t n)
{
    add_key(out, row, cols, n);
}

void bd_encode_event(bd_buf *out, const bd_event *ev)
{
    const char *tn = bd_event_type_name(ev->header->type);
    bd_buf_adds(out, "{\"event\":");
    if (tn)
        bd_buf_add_json_str(out, tn, strlen(tn));
    else
        bd_buf_addf(out, "\"TYPE_%u\"", ev->header->type);
    bd_buf_adds(out, ",\"file\":");
    const char *f = ev->pos.file ? ev->pos.file : "";
    bd_buf_add_json_str(out, f, strlen(f));
    bd_buf_addf(out, ",\"pos\":%llu", (unsigned long long)ev->pos.pos);
    if (ev->pos.inner) bd_buf_addf(out, ",\"inner\":%u", ev->pos.inner);
    bd_buf_addf(out, ",\"size\":%u,\"server_id\":%u,\"ts\":%u,\"end_pos\":%u,\"flags\":%u",
                ev->header->event_size, ev->header->server_id, ev->header->timestamp,
                ev->header->log_pos, ev->header->flags);
    if (ev->detail_len) {
        bd_buf_addc(out, ',');
        bd_buf_add(out, ev->detail, ev->detail_len);
    }
    bd_buf_addc(out, '}');
}
