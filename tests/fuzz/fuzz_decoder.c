/* fuzz_decoder.c - libFuzzer harness: a binlog file body through bd_decoder.
 *
 * Input: the bytes of a binlog file (the 4-byte magic is optional).  The
 * harness frames events the way source_file.c does, by the size field of
 * each 19-byte header, so that a mutation inside one event leaves the
 * others intact.  A size field that is out of range (< 19 or past the
 * end) makes the rest of the input the last event, with its size field
 * patched to match, so that a mutated size still reaches the parsers
 * instead of ending the run.  Each event is copied into its own
 * exact-size heap block so that ASan catches a read past its end.
 *
 * CRC verification is off (bd_decoder_set_verify(d, 0)) so mutated events
 * are parsed rather than refused, and the FDE's own CRC (always checked)
 * is recomputed by the harness; detail is on so every event's detail
 * text is built.  Callbacks encode every event (bd_encode_event) and every
 * row (bd_encode_row + bd_encode_row_tail, bd_encode_key, each value with
 * bd_encode_value) and check the JSON with json_check.h (strict syntax and
 * UTF-8; no duplicate key in the envelope objects nor in a row image, where
 * a consumer would silently keep one of two values); they also check
 * the invariants decoder.h promises (row images per op, UTF-8 text).
 *
 * The decoder stops at the first event it refuses (decoder.h: its state
 * is then undefined); the harness checks the error message and stops too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "binlogd/decoder.h"
#include "binlogd/encode.h"
#include "binlogd/event.h"
#include "fuzz_common.h"

typedef struct fctx {
    bd_buf out;
    uint64_t events, rows;
    unsigned sum; /* touched bytes, so reads cannot be optimised away */
} fctx;

static void touch(fctx *x, const void *p, size_t n)
{
    const volatile uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        x->sum += b[i];
}

static void check_value(fctx *x, const bd_table *t, uint32_t i, const bd_value *v)
{
    char what[96];
    snprintf(what, sizeof what, "value of column %u (%s)", i + 1, bd_coltype_name(t->cols[i].type));
    switch (v->kind) {
    case BD_V_ABSENT:
    case BD_V_NULL:
    case BD_V_INT:
    case BD_V_UINT: return;
    case BD_V_STRING:
        /* decoder.h: UTF-8 text; buf.h: callers that must fail closed
         * validate first, so invalid bytes here are a decoder bug */
        if (v->n && !v->s) fz_die("%s: STRING with NULL text", what);
        if (!bd_utf8_valid((const uint8_t *)v->s, v->n)) {
            fz_show(v->s, v->n, 0);
            fz_die("%s: STRING is not valid UTF-8", what);
        }
        break;
    case BD_V_ASCII:
        /* decoder.h: quoted, never escaped, so only printable ASCII
         * other than '"' and '\\' may appear */
        if (v->n && !v->s) fz_die("%s: ASCII with NULL text", what);
        for (size_t k = 0; k < v->n; k++) {
            unsigned char ch = (unsigned char)v->s[k];
            if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\') {
                fz_show(v->s, v->n, k);
                fz_die("%s: ASCII value with byte 0x%02x", what, ch);
            }
        }
        break;
    case BD_V_BYTES:
        if (v->n && !v->s) fz_die("%s: BYTES with NULL data", what);
        touch(x, v->s, v->n);
        break;
    case BD_V_DOUBLE:
    case BD_V_NUMBER:
    case BD_V_JSON:
        if (v->n && !v->s) fz_die("%s: text value with NULL text", what);
        break;
    default: fz_die("%s: unknown value kind %u", what, v->kind);
    }
    bd_buf_reset(&x->out);
    bd_encode_value(&x->out, v);
    fz_expect_buf(what, &x->out);
    fz_expect_json(what, x->out.ptr, x->out.len);
    if ((v->kind == BD_V_DOUBLE || v->kind == BD_V_NUMBER) && x->out.ptr[0] != '-' &&
        (x->out.ptr[0] < '0' || x->out.ptr[0] > '9') && strcmp(x->out.ptr, "null") != 0) {
        fz_show(x->out.ptr, x->out.len, 0);
        fz_die("%s: DOUBLE/NUMBER value is not a number", what);
    }
}

static int on_row(void *ctx, const bd_row *row)
{
    fctx *x = ctx;
    const bd_table *t = row->table;
    x->rows++;
    if (!t) fz_die("row without a table");
    if (!row->header || !row->format || !row->txn) fz_die("row without header/format/txn");
    switch (row->op) {
    case BD_OP_INSERT:
        if (row->before || !row->after) fz_die("insert row: before must be NULL, after set");
        break;
    case BD_OP_UPDATE:
        if (!row->before || !row->after) fz_die("update row: both images must be set");
        break;
    case BD_OP_DELETE:
        if (!row->before || row->after) fz_die("delete row: before set, after NULL");
        break;
    default: fz_die("row with op %d", row->op);
    }
    if (t->ncols && !t->cols) fz_die("table with %u columns and no column array", t->ncols);
    for (uint32_t i = 0; i < t->npk; i++)
        if (t->pk[i] >= t->ncols) fz_die("pk column %u of %u columns", t->pk[i], t->ncols);
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (row->before) check_value(x, t, i, &row->before[i]);
        if (row->after) check_value(x, t, i, &row->after[i]);
    }

    bd_buf_reset(&x->out);
    bd_encode_row(&x->out, row);
    bd_encode_row_tail(&x->out, (int)(x->rows & 1), x->rows, (int)(x->rows & 2));
    fz_expect_buf("bd_encode_row", &x->out);
    fz_expect_json_dups("bd_encode_row + bd_encode_row_tail", x->out.ptr, x->out.len, 2);

    bd_buf_reset(&x->out);
    bd_encode_key(&x->out, row);
    fz_expect_buf("bd_encode_key", &x->out);
    fz_expect_json_dups("bd_encode_key", x->out.ptr, x->out.len, 1);
    return 0;
}

static int on_event(void *ctx, const bd_event *ev)
{
    fctx *x = ctx;
    x->events++;
    if (!ev->header || !ev->format || !ev->txn) fz_die("event without header/format/txn");
    if (!ev->raw || ev->raw_len < 13) fz_die("event with raw_len %zu", ev->raw_len);
    touch(x, ev->raw, ev->raw_len);
    if (ev->detail_len && !ev->detail) fz_die("detail_len %zu with NULL detail", ev->detail_len);
    if (ev->is_rotate) touch(x, ev->next_file.p, ev->next_file.n);
    if (ev->begins_txn && ev->ends_txn) fz_die("event both begins and ends a transaction");
    if (strnlen(ev->txn->gtid, sizeof ev->txn->gtid) == sizeof ev->txn->gtid)
        fz_die("txn gtid not NUL-terminated");
    if (ev->detail_len) {
        /* the detail is an object body without its braces */
        bd_buf_reset(&x->out);
        bd_buf_addc(&x->out, '{');
        bd_buf_add(&x->out, ev->detail, ev->detail_len);
        bd_buf_addc(&x->out, '}');
        fz_expect_buf("event detail", &x->out);
        fz_expect_json_dups("event detail (in braces)", x->out.ptr, x->out.len, 1);
    }
    bd_buf_reset(&x->out);
    bd_encode_event(&x->out, ev);
    fz_expect_buf("bd_encode_event", &x->out);
    fz_expect_json_dups("bd_encode_event", x->out.ptr, x->out.len, 1);
    return 0;
}

/* The FDE's own CRC is checked even with verification off (event.h), so a
 * mutated FDE would only ever test the CRC check.  When the FDE says CRC32
 * (algorithm byte 1 before the 4-byte trailer), rewrite the trailer to
 * match, computed as the server does (in-use flag clear). */
static void fix_fde_crc(uint8_t *ev, size_t len)
{
    if (len < BD_EVENT_HEADER_LEN + 5 || ev[len - 5] != BD_CHECKSUM_CRC32) return;
    uint8_t hdr[BD_EVENT_HEADER_LEN];
    memcpy(hdr, ev, sizeof hdr);
    hdr[17] &= (uint8_t)~BD_LOG_EVENT_BINLOG_IN_USE_F;
    uLong c = crc32(0L, Z_NULL, 0);
    c = crc32(c, hdr, sizeof hdr);
    c = crc32(c, ev + sizeof hdr, (uInt)(len - 4 - sizeof hdr));
    for (int i = 0; i < 4; i++)
        ev[len - 4 + (size_t)i] = (uint8_t)(c >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fctx x;
    memset(&x, 0, sizeof x);
    bd_buf_init(&x.out);
    bd_callbacks cb = {&x, on_event, on_row};
    bd_decoder *d = bd_decoder_new(&cb);
    if (!d) abort();
    bd_decoder_set_detail(d, 1);
    bd_decoder_set_verify(d, 0);
    bd_err err;
    memset(&err, 0, sizeof err);
    if (bd_decoder_begin_file(d, "fuzz-bin.000001", &err) < 0) fz_die("begin_file failed");

    size_t off = 0;
    if (size >= 4 && memcmp(data, BD_BINLOG_MAGIC, 4) == 0) off = 4;
    while (size - off >= BD_EVENT_HEADER_LEN) {
        size_t left = size - off;
        size_t esz = (size_t)data[off + 9] | (size_t)data[off + 10] << 8 |
                     (size_t)data[off + 11] << 16 | (size_t)data[off + 12] << 24;
        int patched = 0;
        if (esz < BD_EVENT_HEADER_LEN || esz > left) {
            esz = left;
            patched = 1;
        }
        uint8_t *ev = fz_dup(data + off, esz);
        if (patched) {
            ev[9] = (uint8_t)esz;
            ev[10] = (uint8_t)(esz >> 8);
            ev[11] = (uint8_t)(esz >> 16);
            ev[12] = (uint8_t)(esz >> 24);
        }
        if (ev[4] == BD_EV_FORMAT_DESCRIPTION) fix_fde_crc(ev, esz);
        memset(&err, 0, sizeof err);
        int r = bd_decoder_feed(d, ev, esz, off, &err);
        free(ev);
        if (r < 0) {
            fz_expect_err("bd_decoder_feed", &err);
            break;
        }
        if (r != 0) fz_die("bd_decoder_feed returned %d", r);
        off += esz;
    }
    const bd_format *f = bd_decoder_format(d);
    if (f->header_len != 13 && f->header_len < 19) fz_die("format header_len %u", f->header_len);
    if (strnlen(f->server_version, sizeof f->server_version) == sizeof f->server_version)
        fz_die("server_version not NUL-terminated");
    bd_decoder_free(d);
    bd_buf_release(&x.out);
    return 0;
}
