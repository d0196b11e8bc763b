/* encode.c - JSON envelope; see include/binlogd/encode.h and docs/format.md. */
#include "binlogd/encode.h"

#include <string.h>

static void add_key(bd_buf *out, const bd_table *t, uint32_t i)
{
    bd_buf_add(out, t->keys.ptr + t->key_off[i], t->key_off[i + 1] - t->key_off[i]);
}

void bd_encode_value(bd_buf *out, const bd_value *v)
{
    switch (v->kind) {
    case BD_V_INT: bd_buf_add_i64(out, v->i); break;
    case BD_V_UINT: bd_buf_add_u64(out, v->u); break;
    case BD_V_DOUBLE: case BD_V_NUMBER: case BD_V_JSON:
        if (v->n) bd_buf_add(out, v->s, v->n);
        else bd_buf_adds(out, "null");
        break;
        /* every STRING value is valid UTF-8 by construction (validated or converted) */
    case BD_V_STRING: bd_buf_add_json_utf8(out, v->s, v->n); break;
    case BD_V_ASCII:
        if (bd_buf_grow(out, v->n + 2) < 0) break;
        out->ptr[out->len] = '"';
        memcpy(out->ptr + out->len + 1, v->s, v->n);
        out->ptr[out->len + 1 + v->n] = '"';
        out->len += v->n + 2;
        out->ptr[out->len] = '\0';
        break;
    case BD_V_BYTES:
        bd_buf_addc(out, '"');
        bd_buf_add_base64(out, (const uint8_t *)v->s, v->n);
        bd_buf_addc(out, '"');
        break;
    default: bd_buf_adds(out, "null"); break;
    }
}

static void add_image(bd_buf *out, const bd_table *t, const bd_value *vals)
{
    if (!vals) {
        bd_buf_adds(out, "null");
        return;
    }
    bd_buf_addc(out, '{');
    int first = 1;
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (vals[i].kind == BD_V_ABSENT) continue;
        if (!first) bd_buf_addc(out, ',');
        first = 0;
        add_key(out, t, i);
        bd_encode_value(out, &vals[i]);
    }
    bd_buf_addc(out, '}');
}

static int signedness_unknown(const bd_table *t)
{
    for (uint32_t i = 0; i < t->ncols; i++) {
        switch (t->cols[i].type) {
        case BD_T_TINY: case BD_T_SHORT: case BD_T_INT24: case BD_T_LONG: case BD_T_LONGLONG:
            if (t->cols[i].is_unsigned < 0) return 1;
            break;
        default: break;
        }
    }
    return 0;
}

void bd_encode_row(bd_buf *out, const bd_row *row)
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
    if (signedness_unknown(t)) bd_buf_adds(out, ",\"signedness_unknown\":true");
    bd_buf_adds(out, ",\"source\":{\"flavor\":");
    bd_buf_adds(out, row->format->flavor == BD_FLAVOR_MARIADB ? "\"mariadb\"" : "\"mysql\"");
    bd_buf_adds(out, ",\"server_id\":");
    bd_buf_add_u64(out, row->header->server_id);
    bd_buf_adds(out, ",\"file\":");
    const char *f = row->pos.file ? row->pos.file : "";
    bd_buf_add_json_str(out, f, strlen(f));
    bd_buf_adds(out, ",\"pos\":");
    bd_buf_add_u64(out, row->pos.pos);
    if (row->pos.inner) {
        bd_buf_adds(out, ",\"inner\":");
        bd_buf_add_u64(out, row->pos.inner);
    }
    bd_buf_adds(out, ",\"row\":");
    bd_buf_add_u64(out, row->row_index);
    bd_buf_adds(out, ",\"gtid\":");
    if (row->txn->has_gtid)
        bd_buf_add_json_str(out, row->txn->gtid, strlen(row->txn->gtid));
    else
        bd_buf_adds(out, "null");
    bd_buf_adds(out, ",\"ts_us\":");
    bd_buf_add_u64(out, row->txn->commit_us ? row->txn->commit_us
                                            : (uint64_t)row->header->timestamp * 1000000u);
}

void bd_encode_row_tail(bd_buf *out, int has_xid, uint64_t xid, int last)
{
    bd_buf_adds(out, ",\"xid\":");
    if (has_xid)
        bd_buf_add_u64(out, xid);
    else
        bd_buf_adds(out, "null");
    bd_buf_adds(out, last ? ",\"last\":true}}" : ",\"last\":false}}");
}

void bd_encode_key(bd_buf *out, const bd_row *row)
{
    const bd_table *t = row->table;
    const bd_value *vals = row->after ? row->after : row->before;
    bd_buf_addc(out, '{');
    int first = 1;
    for (uint32_t k = 0; k < (t->npk ? t->npk : t->ncols); k++) {
        uint32_t i = t->npk ? t->pk[k] : k;
        if (vals[i].kind == BD_V_ABSENT && row->before) vals = row->before;
        if (vals[i].kind == BD_V_ABSENT) continue;
        if (!first) bd_buf_addc(out, ',');
        first = 0;
        add_key(out, t, i);
        bd_encode_value(out, &vals[i]);
    }
    bd_buf_addc(out, '}');
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
