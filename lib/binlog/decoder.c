/* decoder.c - event dispatch, transaction tracking, compressed events;
 * see include/binlogd/decoder.h.  Row images are in rows.c, TABLE_MAP in
 * tablemap.c, the maps by table id in tables.c, the non-row event layouts
 * in event.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "binlogd/cursor.h"
#include "internal.h"

/* An uncompressed TRANSACTION_PAYLOAD or MariaDB compressed event larger
 * than this is refused rather than allocated: MySQL caps events at 1 GiB. */
#define MAX_INFLATED ((size_t)1 << 30)

/* ---- life cycle --------------------------------------------------------- */

bd_decoder *bd_decoder_new(const bd_callbacks *cb)
{
    bd_decoder *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    if (cb) d->cb = *cb;
    d->verify = 1;
    bd_crc32_init(&d->crc);
    bd_buf_init(&d->scratch);
    bd_buf_init(&d->detail_buf);
    bd_buf_init(&d->gtid_set);
    bd_buf_init(&d->inflate);
    bd_buf_init(&d->payload);
    bd_buf_init(&d->file_json);
    bd_format_default(&d->fmt, 4);
    d->conv = bd_conv_new();
    if (!d->conv) {
        free(d);
        return NULL;
    }
    return d;
}

void bd_decoder_free(bd_decoder *d)
{
    if (!d) return;
    bd_tables_clear(&d->tables);
    bd_buf_release(&d->scratch);
    bd_buf_release(&d->detail_buf);
    bd_buf_release(&d->gtid_set);
    bd_buf_release(&d->inflate);
    bd_buf_release(&d->payload);
    bd_buf_release(&d->file_json);
    free(d->vals);
    free(d->jraw);
    free(d->file);
    bd_conv_free(d->conv);
    free(d);
}

void bd_decoder_set_detail(bd_decoder *d, int on) { d->detail = on; }
void bd_decoder_set_verify(bd_decoder *d, int on) { d->verify = on; }
const bd_format *bd_decoder_format(const bd_decoder *d) { return &d->fmt; }

int bd_decoder_begin_file(bd_decoder *d, const char *file, bd_err *err)
{
    char *f = strdup(file ? file : "");
    if (!f) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    free(d->file);
    d->file = f;
    d->file_serial++;
    bd_buf_reset(&d->file_json);
    bd_buf_add_json_str(&d->file_json, f, strlen(f));
    if (bd_buf_failed(&d->file_json)) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    d->have_fde = 0;
    bd_format_default(&d->fmt, 4);
    /* Table ids are only meaningful within the server run that wrote them. */
    bd_tables_clear(&d->tables);
    return 0;
}

/* ---- detail text for `dump --events` ------------------------------------ */

static void det_key(bd_buf *b, const char *k)
{
    if (b->len) bd_buf_addc(b, ',');
    bd_buf_addc(b, '"');
    bd_buf_adds(b, k);
    bd_buf_adds(b, "\":");
}
static void det_str(bd_buf *b, const char *k, const char *p, size_t n)
{
    det_key(b, k);
    bd_buf_add_json_str(b, p ? p : "", p ? n : 0);
}
#define det_lit(b, k, lit) det_str((b), (k), (lit), sizeof(lit) - 1)

static void det_u64(bd_buf *b, const char *k, uint64_t v)
{
    det_key(b, k);
    bd_buf_add_u64(b, v);
}
static void det_i64(bd_buf *b, const char *k, int64_t v)
{
    det_key(b, k);
    bd_buf_add_i64(b, v);
}

/* ---- transaction helpers ------------------------------------------------ */

static void txn_begin(bd_decoder *d, const char *gtid, uint64_t commit_us, int exact)
{
    d->txn.commit_exact = exact;
    d->txn.in_txn = 1;
    d->txn.explicit_begin = 0;
    d->txn.rows = 0;
    d->txn.has_gtid = gtid != NULL;
    snprintf(d->txn.gtid, sizeof d->txn.gtid, "%s", gtid ? gtid : "");
    d->txn.commit_us = commit_us;
}

static int ieq_prefix(const char *p, size_t n, const char *word)
{
    size_t w = strlen(word);
    if (n < w) return 0;
    for (size_t i = 0; i < w; i++) {
        char c = p[i];
        if (c >= 'a' && c <= 'z') c = (char)(c - 32);
        if (c != word[i]) return 0;
    }
    return n == w || p[w] == ' ' || p[w] == '\t' || p[w] == '\n' || p[w] == ';' || p[w] == '\r';
}

/* Skip leading blanks and SQL comments of a query to find its verb. */
static void query_verb(const char **p, size_t *n)
{
    for (;;) {
        while (*n && (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r'))
            (*p)++, (*n)--;
        if (*n >= 2 && (*p)[0] == '/' && (*p)[1] == '*') {
            const char *e = memmem(*p + 2, *n - 2, "*/", 2);
            if (!e) return;
            *n -= (size_t)(e + 2 - *p);
            *p = e + 2;
            continue;
        }
        return;
    }
}

/* ---- decompression ------------------------------------------------------ */

/* MariaDB's compressed record: one byte 0x80|L (L = bytes of length), the
 * uncompressed length big-endian in L bytes, then a zlib stream. */
static int maria_inflate(bd_decoder *d, const uint8_t *p, size_t n, bd_err *err)
{
    if (n < 1 || (p[0] & 0x80) == 0 || (p[0] & 7) < 1 || (p[0] & 7) > 4)
        return bd_err_set(err, BD_ERR_CORRUPT, "compressed event: bad header byte");
    unsigned lb = p[0] & 7;
    if (n < 1 + lb) return bd_err_set(err, BD_ERR_CORRUPT, "compressed event: length truncated");
    size_t want = (size_t)bd_be(p + 1, lb);
    if (want > MAX_INFLATED)
        return bd_err_set(err, BD_ERR_UNSUPPORTED, "compressed event claims %zu bytes", want);
    bd_buf_reset(&d->inflate);
    if (bd_buf_grow(&d->inflate, want + 1) < 0)
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    uLongf got = (uLongf)want;
    int zr = uncompress((Bytef *)d->inflate.ptr, &got, p + 1 + lb, (uLong)(n - 1 - lb));
    if (zr != Z_OK || got != want)
        return bd_err_set(err, BD_ERR_CORRUPT, "compressed event: zlib error %d (%lu of %zu bytes)",
                          zr, (unsigned long)got, want);
    d->inflate.len = want;
    return 0;
}

static int feed_inner(bd_decoder *d, const uint8_t *ev, size_t len, uint64_t pos, uint32_t inner,
                      bd_err *err);

typedef struct payload_hdr {
    uint64_t size, ctype, usize;
    int have_size;
    size_t data_off;
} payload_hdr;

/* The TRANSACTION_PAYLOAD header: type-length-value fields whose values
 * are packed integers, ended by field 0. */
static int payload_header(payload_hdr *ph, const uint8_t *body, size_t blen, bd_err *err)
{
    bd_cur c = bd_cur_make(body, blen);
    uint64_t size = 0, ctype = 0, usize = 0;
    int have_size = 0;
    for (;;) {
        uint64_t ft = bd_cur_packed(&c);
        if (c.err) return bd_err_set(err, BD_ERR_CORRUPT, "TRANSACTION_PAYLOAD header truncated");
        if (ft == 0) break; /* end of header */
        size_t fl = bd_cur_packed_len(&c);
        const uint8_t *fv = bd_cur_bytes(&c, fl);
        if (c.err)
            return bd_err_set(err, BD_ERR_CORRUPT, "TRANSACTION_PAYLOAD field %llu truncated",
                              (unsigned long long)ft);
        bd_cur f = bd_cur_make(fv, fl);
        uint64_t v = bd_cur_packed(&f);
        if (f.err)
            return bd_err_set(err, BD_ERR_CORRUPT, "TRANSACTION_PAYLOAD field %llu malformed",
                              (unsigned long long)ft);
        if (ft == 1)
            size = v, have_size = 1;
        else if (ft == 2)
            ctype = v;
        else if (ft == 3)
            usize = v;
    }
    ph->size = size;
    ph->ctype = ctype;
    ph->usize = usize;
    ph->have_size = have_size;
    ph->data_off = c.off;
    return 0;
}

static int payload_event(bd_decoder *d, const payload_hdr *ph, const uint8_t *body, size_t blen,
                         uint64_t pos, bd_err *err)
{
    uint64_t size = ph->size, ctype = ph->ctype, usize = ph->usize;
    int have_size = ph->have_size;
    const uint8_t *data = body + ph->data_off;
    size_t dlen = blen - ph->data_off;
    if (have_size && size != dlen)
        return bd_err_set(err, BD_ERR_CORRUPT, "TRANSACTION_PAYLOAD says %llu bytes, has %zu",
                          (unsigned long long)size, dlen);
    const uint8_t *inner;
    size_t ilen;
    if (ctype == 0) { /* zstd */
        unsigned long long fsz = ZSTD_getFrameContentSize(data, dlen);
        if (fsz == ZSTD_CONTENTSIZE_ERROR)
            return bd_err_set(err, BD_ERR_CORRUPT, "TRANSACTION_PAYLOAD is not a zstd frame");
        if (fsz == ZSTD_CONTENTSIZE_UNKNOWN) fsz = usize;
        if (fsz > MAX_INFLATED || (usize && fsz != usize))
            return bd_err_set(err, BD_ERR_CORRUPT,
                              "TRANSACTION_PAYLOAD uncompressed size %llu (header says %llu)", fsz,
                              (unsigned long long)usize);
        bd_buf_reset(&d->payload);
        if (bd_buf_grow(&d->payload, (size_t)fsz + 1) < 0)
            return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        size_t r = ZSTD_decompress(d->payload.ptr, (size_t)fsz + 1, data, dlen);
        if (ZSTD_isError(r) || r != fsz)
            return bd_err_set(err, BD_ERR_CORRUPT, "TRANSACTION_PAYLOAD zstd: %s",
                              ZSTD_isError(r) ? ZSTD_getErrorName(r) : "size mismatch");
        d->payload.len = r;
        inner = (const uint8_t *)d->payload.ptr;
        ilen = r;
    } else if (ctype == 255) { /* NONE */
        inner = data;
        ilen = dlen;
    } else {
        return bd_err_set(err, BD_ERR_UNSUPPORTED, "TRANSACTION_PAYLOAD compression type %llu",
                          (unsigned long long)ctype);
    }
    /* The inner events are whole events without checksums; decode them as
     * if they stood in the file at the payload's position. */
    size_t off = 0;
    uint32_t idx = 0;
    while (off < ilen) {
        if (ilen - off < BD_EVENT_HEADER_LEN)
            return bd_err_set(err, BD_ERR_CORRUPT, "TRANSACTION_PAYLOAD inner event %u truncated",
                              idx + 1);
        size_t esz = (size_t)bd_le(inner + off + 9, 4);
        if (esz < BD_EVENT_HEADER_LEN || esz > ilen - off)
            return bd_err_set(err, BD_ERR_CORRUPT,
                              "TRANSACTION_PAYLOAD inner event %u size %zu out of range", idx + 1,
                              esz);
        if (inner[off + 4] == BD_EV_TRANSACTION_PAYLOAD)
            return bd_err_set(err, BD_ERR_CORRUPT, "TRANSACTION_PAYLOAD nested in another");
        if (feed_inner(d, inner + off, esz, pos, ++idx, err) < 0) return -1;
        off += esz;
    }
    return 0;
}

/* ---- dispatch ----------------------------------------------------------- */

/* One event on its way through feed_inner: what its handler reads (the
 * header, the body without the CRC) and fills in (the event reported, the
 * detail text in d->detail_buf, whether it was a DDL). */
typedef struct evctx {
    bd_decoder *d;
    bd_header h;
    bd_event e;
    bd_buf *det;         /* &d->detail_buf */
    const uint8_t *body; /* after the common header, without the CRC32 */
    size_t blen;
    unsigned post; /* the post-header length of this type, from the FDE */
    uint64_t pos;
    uint32_t inner;
    int ddl; /* forget the table maps once the event is reported */
    bd_err *err;
} evctx;

/* What a handler tells feed_inner to do next.  On EV_FAIL the handler has
 * set err and feed_inner names the event and its position in it. */
enum {
    EV_EMIT = 0,     /* report the event (the epilogue of feed_inner) */
    EV_DONE = 1,     /* the handler reported it, with what it holds */
    EV_FAIL = -1,    /* err is set; feed_inner adds file:pos and the type */
    EV_STOPPED = -2, /* the consumer said stop: err is set, returned as is */
};

static int is_rows_type(unsigned t)
{
    return (t >= BD_EV_PRE_GA_WRITE_ROWS && t <= BD_EV_DELETE_ROWS_V1) ||
           (t >= BD_EV_WRITE_ROWS_V2 && t <= BD_EV_DELETE_ROWS_V2) ||
           t == BD_EV_PARTIAL_UPDATE_ROWS ||
           (t >= BD_EV_MARIA_WRITE_ROWS_COMPRESSED_V1 && t <= BD_EV_MARIA_DELETE_ROWS_COMPRESSED);
}

/* Hand the event to the consumer. */
static int ev_report(evctx *x)
{
    bd_decoder *d = x->d;
    if (d->cb.on_event && d->cb.on_event(d->cb.ctx, &x->e)) {
        bd_err_set(x->err, BD_ERR_CALLBACK, "stopped by the event consumer");
        return EV_STOPPED;
    }
    return EV_EMIT;
}

/* ---- format, rotate, stop, heartbeat, checkpoint ------------------------ */

static int ev_format(evctx *x)
{
    bd_decoder *d = x->d;
    bd_buf *det = x->det;
    if (x->inner)
        return bd_err_set(x->err, BD_ERR_CORRUPT,
                          "FORMAT_DESCRIPTION inside a TRANSACTION_PAYLOAD");
    if (bd_format_parse(&d->fmt, x->e.raw, x->e.raw_len, d->verify, x->err) < 0) return EV_FAIL;
    d->have_fde = 1;
    if (d->detail) {
        det_u64(det, "binlog_version", d->fmt.binlog_version);
        det_str(det, "server_version", d->fmt.server_version, strlen(d->fmt.server_version));
        const char *fl = d->fmt.flavor == BD_FLAVOR_MARIADB ? "mariadb" : "mysql";
        const char *ck = d->fmt.checksum == BD_CHECKSUM_CRC32 ? "CRC32" : "NONE";
        det_str(det, "flavor", fl, strlen(fl));
        det_str(det, "checksum", ck, strlen(ck));
        det_u64(det, "created", d->fmt.created);
        det_key(det, "in_use");
        bd_buf_adds(det, (x->h.flags & BD_LOG_EVENT_BINLOG_IN_USE_F) ? "true" : "false");
    }
    return EV_EMIT;
}

/* The body after the common header; the CRC32 (outer events of a file with
 * checksums) is verified and cut off. */
static int ev_body(evctx *x)
{
    bd_decoder *d = x->d;
    const bd_format *f = &d->fmt;
    const uint8_t *ev = x->e.raw;
    size_t len = x->e.raw_len;
    size_t blen = len - f->header_len;
    if (!x->inner && f->checksum == BD_CHECKSUM_CRC32) {
        if (blen < 4) return bd_err_set(x->err, BD_ERR_CORRUPT, "event too short for its CRC32");
        if (d->verify &&
            bd_crc32_update(&d->crc, 0, ev, len - 4) != (uint32_t)bd_le(ev + len - 4, 4))
            return bd_err_set(x->err, BD_ERR_CHECKSUM, "CRC32 mismatch (stored %08x)",
                              (unsigned)bd_le(ev + len - 4, 4));
        blen -= 4;
    }
    x->body = ev + f->header_len;
    x->blen = blen;
    x->post = f->post_header_len[x->h.type];
    return EV_EMIT;
}

/* HEARTBEAT_V2: type-length-value fields, types and lengths packed: 0 ends
 * the header, 1 is the file name, 2 the position (a packed integer);
 * unknown fields are skipped by their length */
static int heartbeat_v2(evctx *x)
{
    bd_buf *det = x->det;
    bd_cur c = bd_cur_make(x->body, x->blen);
    unsigned seen = 0;
    while (bd_cur_left(&c) && !c.err) {
        uint64_t ft = bd_cur_packed(&c);
        if (c.err || ft == 0) break;
        size_t fl = bd_cur_packed_len(&c);
        const uint8_t *fv = bd_cur_bytes(&c, fl);
        if (c.err) break;
        if (!x->d->detail || ft > 2 || (seen & (1u << ft))) continue;
        seen |= 1u << ft;
        if (ft == 1) {
            det_str(det, "log_file", (const char *)fv, fl);
        } else {
            bd_cur f2 = bd_cur_make(fv, fl);
            uint64_t lp = bd_cur_packed(&f2);
            if (f2.err)
                c.err = 1;
            else
                det_u64(det, "log_pos", lp);
        }
    }
    if (c.err) return bd_err_set(x->err, BD_ERR_CORRUPT, "HEARTBEAT_V2 malformed");
    return EV_EMIT;
}

/* ROTATE, STOP, HEARTBEAT (_V2) and BINLOG_CHECKPOINT: notes on the log
 * files themselves */
static int ev_log_note(evctx *x)
{
    bd_buf *det = x->det;
    int detail = x->d->detail;
    bd_cur c = bd_cur_make(x->body, x->blen);
    switch (x->h.type) {
    case BD_EV_ROTATE:
        x->e.next_pos = x->post >= 8 || x->d->fmt.binlog_version > 1 ? bd_cur_u64(&c) : 4;
        if (c.err) return bd_err_set(x->err, BD_ERR_CORRUPT, "ROTATE shorter than its position");
        x->e.is_rotate = 1;
        x->e.next_file.p = (const char *)x->body + c.off;
        x->e.next_file.n = bd_cur_left(&c);
        if (detail) {
            det_str(det, "next_file", x->e.next_file.p, x->e.next_file.n);
            det_u64(det, "next_pos", x->e.next_pos);
        }
        break;
    case BD_EV_STOP:
        if (detail) det_lit(det, "note", "server stopped");
        break;
    case BD_EV_HEARTBEAT:
        if (detail) det_str(det, "log_file", (const char *)x->body, x->blen);
        break;
    case BD_EV_HEARTBEAT_V2: return heartbeat_v2(x);
    case BD_EV_MARIA_BINLOG_CHECKPOINT: {
        uint32_t nl = bd_cur_u32(&c);
        const uint8_t *nm = bd_cur_bytes(&c, nl);
        if (c.err) return bd_err_set(x->err, BD_ERR_CORRUPT, "BINLOG_CHECKPOINT truncated");
        if (detail) det_str(det, "checkpoint_file", (const char *)nm, nl);
        break;
    }
    }
    return EV_EMIT;
}

/* ---- QUERY: transaction begin/commit, DDL ------------------------------- */

static void query_detail(bd_buf *det, const bd_query *q)
{
    det_u64(det, "thread_id", q->thread_id);
    det_u64(det, "exec_time", q->exec_time);
    det_u64(det, "error_code", q->error_code);
    det_str(det, "db", q->db.p, q->db.n);
    det_str(det, "query", q->query.p, q->query.n);
    if (q->has_sql_mode) det_u64(det, "sql_mode", q->sql_mode);
    if (q->has_flags2) det_u64(det, "flags2", q->flags2);
    if (q->has_charset) {
        det_u64(det, "charset_client", q->charset_client);
        det_u64(det, "collation_connection", q->collation_connection);
        det_u64(det, "collation_server", q->collation_server);
    }
    if (q->has_time_zone) det_str(det, "time_zone", q->time_zone.p, q->time_zone.n);
    if (q->has_xid) det_u64(det, "xid", q->ddl_xid);
    if (q->has_hrnow) det_u64(det, "hrnow_us", q->hrnow_us);
    if (q->status_truncated) det_lit(det, "status_vars", "partly unknown");
}

/* QUERY and MariaDB's QUERY_COMPRESSED */
static int ev_query(evctx *x)
{
    bd_decoder *d = x->d;
    bd_event *e = &x->e;
    bd_query q;
    if (bd_query_parse(&q, x->body, x->blen, &d->fmt, x->err) < 0) return EV_FAIL;
    if (x->h.type == BD_EV_MARIA_QUERY_COMPRESSED) {
        if (maria_inflate(d, (const uint8_t *)q.query.p, q.query.n, x->err) < 0) return EV_FAIL;
        q.query.p = d->inflate.ptr;
        q.query.n = d->inflate.len;
    }
    const char *qp = q.query.p;
    size_t qn = q.query.n;
    query_verb(&qp, &qn);
    if (ieq_prefix(qp, qn, "BEGIN") || ieq_prefix(qp, qn, "XA START")) {
        if (!d->txn.in_txn) txn_begin(d, NULL, (uint64_t)x->h.timestamp * 1000000u, 0);
        d->txn.explicit_begin = 1;
        e->begins_txn = 1;
    } else if (ieq_prefix(qp, qn, "COMMIT") || ieq_prefix(qp, qn, "ROLLBACK") ||
               ieq_prefix(qp, qn, "XA END") || ieq_prefix(qp, qn, "XA PREPARE") ||
               ieq_prefix(qp, qn, "XA COMMIT") || ieq_prefix(qp, qn, "XA ROLLBACK")) {
        /* XA END comes before XA PREPARE within the same group: only the
         * latter ends it. */
        if (!ieq_prefix(qp, qn, "XA END")) e->ends_txn = 1;
    } else if (!d->txn.explicit_begin) {
        /* DDL and other statements outside BEGIN commit on their own */
        e->ends_txn = 1;
        /* A DDL may change a table without changing its map's bytes (a
         * renamed column): forget the maps, so the next ones are parsed
         * again and a schema source is asked again. */
        x->ddl = 1;
        e->is_ddl = 1;
    }
    e->query.p = q.query.p;
    e->query.n = q.query.n;
    e->db.p = q.db.p;
    e->db.n = q.db.n;
    if (q.has_sql_mode) e->sql_mode = q.sql_mode;
    if (q.has_charset) e->charset_client = q.charset_client;
    if (q.has_xid) {
        e->has_xid = 1;
        e->xid = q.ddl_xid;
    }
    if (d->detail) query_detail(x->det, &q);
    return EV_EMIT;
}

/* ---- statement context: INTVAR, RAND, USER_VAR, ROWS_QUERY -------------- */

static int user_var(evctx *x, bd_cur *c)
{
    bd_buf *det = x->det;
    uint32_t nl = bd_cur_u32(c);
    const uint8_t *name = bd_cur_bytes(c, nl);
    uint8_t is_null = bd_cur_u8(c);
    if (c->err) return bd_err_set(x->err, BD_ERR_CORRUPT, "USER_VAR truncated");
    if (!x->d->detail) return EV_EMIT;
    det_str(det, "name", (const char *)name, nl);
    det_key(det, "is_null");
    bd_buf_adds(det, is_null ? "true" : "false");
    if (!is_null) {
        uint8_t vt = bd_cur_u8(c);
        uint32_t cs = bd_cur_u32(c), vl = bd_cur_u32(c);
        const uint8_t *val = bd_cur_bytes(c, vl);
        if (c->err) return bd_err_set(x->err, BD_ERR_CORRUPT, "USER_VAR value truncated");
        det_u64(det, "value_type", vt);
        det_u64(det, "charset", cs);
        det_key(det, "value_hex");
        bd_buf_addc(det, '"');
        bd_buf_add_hex(det, val, vl);
        bd_buf_addc(det, '"');
    }
    return EV_EMIT;
}

/* What a statement depends on (INTVAR, RAND, USER_VAR) and the statement
 * behind a rows event (ROWS_QUERY, MariaDB's ANNOTATE_ROWS): checked, and
 * shown only as detail */
static int ev_statement_context(evctx *x)
{
    bd_cur c = bd_cur_make(x->body, x->blen);
    bd_buf *det = x->det;
    switch (x->h.type) {
    case BD_EV_INTVAR: {
        uint8_t t = bd_cur_u8(&c);
        uint64_t v = bd_cur_u64(&c);
        if (c.err) return bd_err_set(x->err, BD_ERR_CORRUPT, "INTVAR truncated");
        if (x->d->detail) {
            const char *vn = t == 1 ? "LAST_INSERT_ID" : t == 2 ? "INSERT_ID" : "INVALID";
            det_str(det, "var", vn, strlen(vn));
            det_u64(det, "value", v);
        }
        break;
    }
    case BD_EV_RAND: {
        uint64_t s1 = bd_cur_u64(&c), s2 = bd_cur_u64(&c);
        if (c.err) return bd_err_set(x->err, BD_ERR_CORRUPT, "RAND truncated");
        if (x->d->detail) det_u64(det, "seed1", s1), det_u64(det, "seed2", s2);
        break;
    }
    case BD_EV_USER_VAR: return user_var(x, &c);
    case BD_EV_ROWS_QUERY:
        /* one length byte (truncated at 255, so unused), then the text */
        if (x->blen < 1) return bd_err_set(x->err, BD_ERR_CORRUPT, "ROWS_QUERY empty");
        if (x->d->detail) det_str(det, "query", (const char *)x->body + 1, x->blen - 1);
        break;
    case BD_EV_MARIA_ANNOTATE_ROWS:
        if (x->d->detail) det_str(det, "query", (const char *)x->body, x->blen);
        break;
    }
    return EV_EMIT;
}

/* ---- XID, XA_PREPARE, INCIDENT ------------------------------------------ */

/* XID and XA_PREPARE: the end of a transaction */
static int ev_xid(evctx *x)
{
    bd_buf *det = x->det;
    bd_cur c = bd_cur_make(x->body, x->blen);
    if (x->h.type == BD_EV_XID) {
        x->e.xid = bd_cur_u64(&c);
        if (c.err || x->blen != 8)
            return bd_err_set(x->err, BD_ERR_CORRUPT, "XID event body is %zu bytes, must be 8",
                              x->blen);
        x->e.has_xid = 1;
        x->e.ends_txn = 1;
        if (x->d->detail) det_u64(det, "xid", x->e.xid);
        return EV_EMIT;
    }
    uint8_t one = bd_cur_u8(&c);
    uint32_t fmt = bd_cur_u32(&c), gl = bd_cur_u32(&c), bl = bd_cur_u32(&c);
    const uint8_t *xb = (gl <= 64 && bl <= 64) ? bd_cur_bytes(&c, (size_t)gl + bl) : NULL;
    if (c.err || !xb) return bd_err_set(x->err, BD_ERR_CORRUPT, "XA_PREPARE malformed");
    x->e.ends_txn = 1;
    if (x->d->detail) {
        det_key(det, "one_phase");
        bd_buf_adds(det, one ? "true" : "false");
        det_u64(det, "format_id", fmt);
        det_key(det, "gtrid_hex");
        bd_buf_addc(det, '"');
        bd_buf_add_hex(det, xb, gl);
        bd_buf_adds(det, "\",\"bqual_hex\":\"");
        bd_buf_add_hex(det, xb + gl, bl);
        bd_buf_addc(det, '"');
    }
    return EV_EMIT;
}

static int ev_incident(evctx *x)
{
    bd_cur c = bd_cur_make(x->body, x->blen);
    uint16_t it = bd_cur_u16(&c);
    uint8_t ml = bd_cur_u8(&c);
    const uint8_t *m = bd_cur_bytes(&c, ml);
    if (c.err) return bd_err_set(x->err, BD_ERR_CORRUPT, "INCIDENT truncated");
    if (x->d->detail)
        det_u64(x->det, "incident", it), det_str(x->det, "message", (const char *)m, ml);
    return EV_EMIT;
}

/* ---- GTIDs -------------------------------------------------------------- */

/* MySQL's GTID, ANONYMOUS_GTID and GTID_TAGGED */
static int ev_gtid_mysql(evctx *x)
{
    bd_decoder *d = x->d;
    bd_buf *det = x->det;
    unsigned type = x->h.type;
    bd_gtid_mysql g;
    int r = type == BD_EV_GTID_TAGGED ? bd_gtid_tagged_parse(&g, x->body, x->blen, x->err)
                                      : bd_gtid_mysql_parse(&g, x->body, x->blen, x->err);
    if (r < 0) return EV_FAIL;
    char gt[160] = "";
    if (type != BD_EV_ANONYMOUS_GTID) {
        bd_buf t = BD_BUF_INIT;
        bd_uuid_text(&t, g.uuid);
        if (g.tag.n) {
            bd_buf_addc(&t, ':');
            bd_buf_add(&t, g.tag.p, g.tag.n);
        }
        bd_buf_addc(&t, ':');
        bd_buf_add_i64(&t, g.gno);
        snprintf(gt, sizeof gt, "%s", t.ptr);
        bd_buf_release(&t);
    }
    txn_begin(d, type == BD_EV_ANONYMOUS_GTID ? NULL : gt,
              g.has_commit_ts ? g.immediate_commit_us : (uint64_t)x->h.timestamp * 1000000u,
              g.has_commit_ts);
    x->e.begins_txn = 1;
    if (d->detail) {
        if (gt[0]) det_str(det, "gtid", gt, strlen(gt));
        det_u64(det, "gtid_flags", g.flags);
        if (g.has_logical_ts) {
            det_i64(det, "last_committed", g.last_committed);
            det_i64(det, "sequence_number", g.sequence_number);
        }
        if (g.has_commit_ts) {
            det_u64(det, "immediate_commit_us", g.immediate_commit_us);
            det_u64(det, "original_commit_us", g.original_commit_us);
        }
        if (g.has_trx_length) det_u64(det, "transaction_length", g.trx_length);
        if (g.has_server_version) {
            det_u64(det, "immediate_server_version", g.immediate_server_version);
            det_u64(det, "original_server_version", g.original_server_version);
        }
    }
    return EV_EMIT;
}

static int ev_gtid_maria(evctx *x)
{
    bd_decoder *d = x->d;
    bd_buf *det = x->det;
    bd_gtid_maria g;
    if (bd_gtid_maria_parse(&g, x->h.server_id, x->body, x->blen, x->err) < 0) return EV_FAIL;
    char gt[80];
    snprintf(gt, sizeof gt, "%u-%u-%llu", g.domain_id, g.server_id, (unsigned long long)g.seq_no);
    txn_begin(d, gt, (uint64_t)x->h.timestamp * 1000000u, 0);
    /* a MariaDB GTID stands for BEGIN unless it is a standalone DDL */
    d->txn.explicit_begin = !(g.flags & 1);
    x->e.begins_txn = 1;
    if (d->detail) {
        det_str(det, "gtid", gt, strlen(gt));
        det_u64(det, "gtid_flags", g.flags);
        det_key(det, "standalone");
        bd_buf_adds(det, (g.flags & 1) ? "true" : "false");
        if (g.has_commit_id) det_u64(det, "commit_id", g.commit_id);
    }
    return EV_EMIT;
}

/* MySQL's PREVIOUS_GTIDS and MariaDB's GTID_LIST: what came before this file */
static int ev_gtid_set(evctx *x)
{
    bd_buf *t = &x->d->gtid_set;
    int maria = x->h.type == BD_EV_MARIA_GTID_LIST;
    bd_buf_reset(t);
    if ((maria ? bd_maria_gtid_list_text(t, x->body, x->blen, x->err)
               : bd_previous_gtids_text(t, x->body, x->blen, x->err)) < 0)
        return EV_FAIL;
    x->e.gtid_set = t->ptr;
    x->e.gtid_set_len = t->len;
    if (x->d->detail) det_str(x->det, maria ? "gtid_list" : "gtid_set", t->ptr, t->len);
    return EV_EMIT;
}

/* ---- TABLE_MAP ---------------------------------------------------------- */

static void table_map_detail(bd_buf *det, const bd_table *t)
{
    det_u64(det, "table_id", t->table_id);
    det_str(det, "db", t->db.p, t->db.n);
    det_str(det, "table", t->name.p, t->name.n);
    det_key(det, "columns");
    bd_buf_addc(det, '[');
    for (uint32_t i = 0; i < t->ncols; i++) {
        const bd_column *col = &t->cols[i];
        if (i) bd_buf_addc(det, ',');
        bd_buf_adds(det, "{\"type\":");
        const char *ctn = bd_coltype_name(col->real_type);
        bd_buf_add_json_str(det, ctn, strlen(ctn));
        if (col->name.p) {
            bd_buf_adds(det, ",\"name\":");
            bd_buf_add_json_str(det, col->name.p, col->name.n);
        }
        bd_buf_addf(det, ",\"meta\":%u,\"nullable\":%s", col->meta,
                    col->nullable ? "true" : "false");
        if (col->is_unsigned >= 0)
            bd_buf_addf(det, ",\"unsigned\":%s", col->is_unsigned ? "true" : "false");
        if (col->collation) bd_buf_addf(det, ",\"collation\":%u", col->collation);
        if (col->is_pk) bd_buf_adds(det, ",\"pk\":true");
        if (!col->visible) bd_buf_adds(det, ",\"visible\":false");
        if (col->type == BD_T_GEOMETRY && col->geometry_type)
            bd_buf_addf(det, ",\"geometry_type\":%u", col->geometry_type);
        if (col->vector_dim) bd_buf_addf(det, ",\"dimensions\":%u", col->vector_dim);
        if (col->n_enum) {
            bd_buf_adds(det, ",\"members\":[");
            for (uint32_t k = 0; k < col->n_enum; k++) {
                if (k) bd_buf_addc(det, ',');
                bd_buf_add_json_str(det, col->enum_vals[k].p, col->enum_vals[k].n);
            }
            bd_buf_addc(det, ']');
        }
        bd_buf_addc(det, '}');
    }
    bd_buf_addc(det, ']');
    /* the key in key order (column indexes), from the map or the schema
     * source: "pk" per column does not tell the order */
    if (t->npk) {
        det_key(det, "primary_key");
        bd_buf_addc(det, '[');
        for (uint32_t k = 0; k < t->npk; k++)
            bd_buf_addf(det, k ? ",%u" : "%u", t->pk[k]);
        bd_buf_addc(det, ']');
    }
}

static int ev_table_map(evctx *x)
{
    bd_decoder *d = x->d;
    const uint8_t *body = x->body;
    size_t blen = x->blen;
    bd_err *err = x->err;
    bd_cur c = bd_cur_make(body, blen);
    uint64_t id = x->post == 6 ? bd_cur_u32(&c) : bd_cur_u48(&c);
    bd_table *old = bd_tables_get(&d->tables, id);
    const bd_table *t = old;
    if (!old || old->raw_len != blen || memcmp(old->raw, body, blen) != 0) {
        bd_table *nt;
        if (bd_table_parse(&nt, body, blen, x->post ? x->post : 8, d->fmt.flavor, err) < 0)
            return EV_FAIL;
        nt->serial = ++d->map_serial;
        if (d->cb.on_table) {
            if (d->cb.on_table(d->cb.ctx, nt, err) != 0) {
                bd_table_free(nt);
                return EV_FAIL;
            }
            if (bd_table_finish(nt) < 0) {
                bd_table_free(nt);
                return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
            }
        }
        if (bd_tables_put(&d->tables, nt) < 0) {
            bd_table_free(nt);
            return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        }
        t = nt;
    } else if (old->schema_deferred && d->cb.on_table) {
        /* the same map, whose names the schema source put off: now? */
        if (d->cb.on_table(d->cb.ctx, old, err) != 0) return EV_FAIL;
        if (!old->schema_deferred && bd_table_finish(old) < 0)
            return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    if (d->detail) table_map_detail(x->det, t);
    return EV_EMIT;
}

/* ---- rows events -------------------------------------------------------- */

/* MariaDB compresses only the row images: the post-header (with v2 extra
 * data), the column count and the column bitmaps stay as they are.
 * Rebuild an uncompressed body in d->inflate. */
static int maria_rows_body(evctx *x, const uint8_t **rb, size_t *rl)
{
    bd_decoder *d = x->d;
    const uint8_t *body = x->body;
    size_t blen = x->blen;
    unsigned type = x->h.type;
    int v2 = type >= BD_EV_MARIA_WRITE_ROWS_COMPRESSED;
    size_t keep = x->post ? x->post : (v2 ? 10 : 8);
    bd_cur kc = bd_cur_make(body, blen);
    if (v2) {
        /* table id and flags, then the extra-data length (itself included) */
        if (keep < 10) kc.err = 1;
        bd_cur_skip(&kc, keep - 2);
        uint16_t xl = bd_cur_u16(&kc);
        if (!kc.err && xl >= 2)
            bd_cur_skip(&kc, xl - 2u);
        else
            kc.err = 1;
    } else {
        bd_cur_skip(&kc, keep);
    }
    uint64_t nc = bd_cur_packed(&kc);
    int upd =
        type == BD_EV_MARIA_UPDATE_ROWS_COMPRESSED_V1 || type == BD_EV_MARIA_UPDATE_ROWS_COMPRESSED;
    if (!kc.err && nc <= 4096) bd_cur_skip(&kc, (size_t)((nc + 7) / 8) * (upd ? 2 : 1));
    if (kc.err || nc > 4096)
        return bd_err_set(x->err, BD_ERR_CORRUPT, "compressed rows event header malformed");
    keep = kc.off;
    if (maria_inflate(d, body + keep, blen - keep, x->err) < 0) return EV_FAIL;
    bd_buf tmp = BD_BUF_INIT;
    bd_buf_add(&tmp, body, keep);
    bd_buf_add(&tmp, d->inflate.ptr, d->inflate.len);
    if (bd_buf_failed(&tmp)) {
        bd_buf_release(&tmp);
        return bd_err_set(x->err, BD_ERR_NOMEM, "out of memory");
    }
    /* swap: the inflate buffer now holds the rebuilt body */
    bd_buf_release(&d->inflate);
    d->inflate = tmp;
    *rb = (const uint8_t *)d->inflate.ptr;
    *rl = d->inflate.len;
    return 0;
}

/* Report the rows event, then its rows. */
static int ev_rows(evctx *x)
{
    if (ev_report(x) < 0) return EV_STOPPED;
    const uint8_t *rb = x->body;
    size_t rl = x->blen;
    if (x->h.type >= BD_EV_MARIA_WRITE_ROWS_COMPRESSED_V1 && maria_rows_body(x, &rb, &rl) < 0)
        return EV_FAIL;
    if (bd_rows_decode(x->d, &x->h, rb, rl, &x->e.pos, x->err) < 0) return EV_FAIL;
    return EV_DONE;
}

/* ---- TRANSACTION_PAYLOAD ------------------------------------------------ */

/* Report the payload first, then its inner events in order. */
static int ev_payload(evctx *x)
{
    bd_buf *det = x->det;
    if (x->inner)
        return bd_err_set(x->err, BD_ERR_CORRUPT, "TRANSACTION_PAYLOAD nested in another");
    payload_hdr ph = {0, 0, 0, 0, 0};
    if (payload_header(&ph, x->body, x->blen, x->err) < 0) return EV_FAIL;
    if (x->d->detail) {
        const char *cn = ph.ctype == 0 ? "ZSTD" : ph.ctype == 255 ? "NONE" : "UNKNOWN";
        det_str(det, "compression_type", cn, strlen(cn));
        det_u64(det, "payload_size", x->blen - ph.data_off);
        det_u64(det, "uncompressed_size", ph.usize);
    }
    x->e.detail = det->ptr;
    x->e.detail_len = det->len;
    if (ev_report(x) < 0) return EV_STOPPED;
    if (payload_event(x->d, &ph, x->body, x->blen, x->pos, x->err) < 0) return EV_FAIL;
    return EV_DONE;
}

/* ---- LOAD DATA, encrypted and unknown events ---------------------------- */

/* statement-based LOAD DATA: reported, not turned into rows (the publish
 * stage stops or skips it on a published table) */
static int ev_load(evctx *x)
{
    bd_decoder *d = x->d;
    bd_event *e = &x->e;
    if (x->h.type == BD_EV_EXECUTE_LOAD_QUERY) {
        e->ends_txn = !d->txn.in_txn;
        bd_query q;
        if (bd_query_parse_as(&q, x->h.type, x->body, x->blen, &d->fmt, x->err) < 0) return EV_FAIL;
        e->query = q.query;
        e->db = q.db;
        if (q.has_sql_mode) e->sql_mode = q.sql_mode;
        if (q.has_charset) e->charset_client = q.charset_client;
        if (d->detail) det_str(x->det, "query", q.query.p, q.query.n);
    }
    if (d->detail) det_lit(x->det, "note", "statement-based LOAD DATA, not decoded into rows");
    return EV_EMIT;
}

/* Events that cannot be read here fail closed: an encrypted binlog, and an
 * unknown type without the IGNORABLE flag (it may hold row changes we would
 * lose).  An unknown type with the flag is skipped. */
static int ev_unreadable(evctx *x)
{
    if (x->h.type == BD_EV_MARIA_START_ENCRYPTION)
        return bd_err_set(x->err, BD_ERR_UNSUPPORTED,
                          "binlog is encrypted (START_ENCRYPTION): the events that follow need "
                          "the server's key; read them through the server instead of from the "
                          "file");
    if (x->h.flags & BD_LOG_EVENT_IGNORABLE_F) {
        if (x->d->detail) det_lit(x->det, "note", "unknown type with the IGNORABLE flag: skipped");
        return EV_EMIT;
    }
    return bd_err_set(x->err, BD_ERR_UNSUPPORTED,
                      "unknown event type %u without the IGNORABLE flag: cannot skip it safely",
                      x->h.type);
}

/* ---- feed --------------------------------------------------------------- */

static int feed_inner(bd_decoder *d, const uint8_t *ev, size_t len, uint64_t pos, uint32_t inner,
                      bd_err *err)
{
    evctx x;
    const char *tn = NULL;
    int r, fde;
    memset(&x, 0, sizeof x);
    x.d = d;
    x.det = &d->detail_buf;
    x.pos = pos;
    x.inner = inner;
    x.err = err;
    if (bd_header_parse(&x.h, ev, len, &d->fmt, err) < 0) goto fail_noname;
    if (x.h.event_size != len) {
        bd_err_set(err, BD_ERR_CORRUPT, "event size %u but %zu bytes framed", x.h.event_size, len);
        goto fail_noname;
    }
    tn = bd_event_type_name(x.h.type);
    x.e.header = &x.h;
    x.e.pos.file = d->file;
    x.e.pos.file_json = d->file_json.ptr;
    x.e.pos.file_json_len = d->file_json.len;
    x.e.pos.file_serial = d->file_serial;
    x.e.pos.pos = pos;
    x.e.pos.inner = inner;
    x.e.format = &d->fmt;
    x.e.txn = &d->txn;
    x.e.raw = ev;
    x.e.raw_len = len;
    bd_buf_reset(x.det);

    /* The FDE defines the checksum setting, so it is handled first. */
    fde = x.h.type == BD_EV_FORMAT_DESCRIPTION || (x.h.type == BD_EV_START_V3 && !d->have_fde);
    r = fde ? ev_format(&x) : ev_body(&x);
    if (r == EV_EMIT && !fde) {
        switch (x.h.type) {
        case BD_EV_QUERY:
        case BD_EV_MARIA_QUERY_COMPRESSED: r = ev_query(&x); break;
        case BD_EV_XID:
        case BD_EV_XA_PREPARE: r = ev_xid(&x); break;
        case BD_EV_ROTATE:
        case BD_EV_STOP:
        case BD_EV_HEARTBEAT:
        case BD_EV_HEARTBEAT_V2:
        case BD_EV_MARIA_BINLOG_CHECKPOINT: r = ev_log_note(&x); break;
        case BD_EV_INTVAR:
        case BD_EV_RAND:
        case BD_EV_USER_VAR:
        case BD_EV_ROWS_QUERY:
        case BD_EV_MARIA_ANNOTATE_ROWS: r = ev_statement_context(&x); break;
        case BD_EV_GTID:
        case BD_EV_ANONYMOUS_GTID:
        case BD_EV_GTID_TAGGED: r = ev_gtid_mysql(&x); break;
        case BD_EV_MARIA_GTID: r = ev_gtid_maria(&x); break;
        case BD_EV_PREVIOUS_GTIDS:
        case BD_EV_MARIA_GTID_LIST: r = ev_gtid_set(&x); break;
        case BD_EV_TABLE_MAP: r = ev_table_map(&x); break;
        case BD_EV_TRANSACTION_PAYLOAD: r = ev_payload(&x); break;
        case BD_EV_BEGIN_LOAD_QUERY:
        case BD_EV_EXECUTE_LOAD_QUERY:
        case BD_EV_LOAD:
        case BD_EV_NEW_LOAD:
        case BD_EV_CREATE_FILE:
        case BD_EV_APPEND_BLOCK:
        case BD_EV_EXEC_LOAD:
        case BD_EV_DELETE_FILE: r = ev_load(&x); break;
        case BD_EV_INCIDENT: r = ev_incident(&x); break;
        case BD_EV_TRANSACTION_CONTEXT:
        case BD_EV_VIEW_CHANGE:
        case BD_EV_SLAVE:
        case BD_EV_IGNORABLE: break;
        default: r = is_rows_type(x.h.type) ? ev_rows(&x) : ev_unreadable(&x); break;
        }
    }
    if (r == EV_DONE) return 0;
    if (r == EV_STOPPED) return -1;
    if (r < 0) goto fail;

    if (x.e.ends_txn) x.e.begins_txn = 0;
    if (bd_buf_failed(x.det)) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    x.e.detail = x.det->ptr;
    x.e.detail_len = x.det->len;
    if (ev_report(&x) < 0) return -1;
    if (x.e.ends_txn) {
        d->txn.in_txn = 0;
        d->txn.explicit_begin = 0;
        /* Keep the map cache bounded over months of running: maps are
         * re-sent by every transaction that needs them. */
        if (d->tables.count > 4096 || x.ddl) bd_tables_clear(&d->tables);
    }
    return 0;
fail:
    if (inner)
        return bd_err_prefix(err, "%s:%llu (inner event %u, %s): ", d->file ? d->file : "?",
                             (unsigned long long)pos, inner, tn ? tn : "UNKNOWN");
    return bd_err_prefix(err, "%s:%llu (%s): ", d->file ? d->file : "?", (unsigned long long)pos,
                         tn ? tn : "UNKNOWN");
fail_noname:
    return bd_err_prefix(err, "%s:%llu: ", d->file ? d->file : "?", (unsigned long long)pos);
}

int bd_decoder_feed(bd_decoder *d, const uint8_t *ev, size_t len, uint64_t pos, bd_err *err)
{
    return feed_inner(d, ev, len, pos, 0, err);
}
