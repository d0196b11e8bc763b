/* gtid_tagged.c - MySQL 8.3+ tagged GTIDs: the GTID_TAGGED_LOG_EVENT body and
 * the tagged encoding of PREVIOUS_GTIDS; with them the MySQL GTID text that
 * both encodings share: PREVIOUS_GTIDS as a GTID set (either encoding) and
 * server uuids.  Declared in include/binlogd/event.h, whose types it fills;
 * event.c does not call it.
 *
 * GTID_TAGGED_LOG_EVENT (type 42) is not laid out at fixed offsets like
 * GTID_LOG_EVENT: it is one message of MySQL's serialization library
 * (libs/mysql/serialization).  Its wire format, as far as this file needs it:
 *
 *   varlen integer: 1..9 bytes, little endian.  The number of trailing one
 *     bits of the first byte, plus one, is the total length L.  For L <= 8
 *     the value is the remaining 8*L-L bits (first byte shifted right by L,
 *     then the following L-1 bytes); L = 9 (first byte 0xff) means the next
 *     8 bytes hold the full 64-bit value.  Signed integers are zigzag coded
 *     first (x >= 0 -> 2x, x < 0 -> -2x-1).
 *   message: varlen format version (1), varlen message size (counted from
 *     the first byte of the version, so it is the whole message), varlen
 *     "last non-ignorable field id" (id+1 of the last field an old reader must
 *     not skip; 0 if all may be skipped), then fields in ascending id order,
 *     each a varlen field id followed by the value.  A field whose id is
 *     absent was not written (optional field with its default value).
 *   string: varlen length, then the bytes.  Fixed array: the elements, each
 *     encoded as its own type (so a UUID is 16 varlen bytes, 1 or 2 each).
 *
 * Fields of the GTID event (Gtid_event::define_fields in control_events.h):
 *   0 gtid_flags u8, 1 uuid u8[16], 2 gno i64, 3 tag string(<=32),
 *   4 last_committed i64, 5 sequence_number i64,
 *   6 immediate_commit_timestamp u64 (microseconds), 7 original_commit_timestamp
 *   u64 (absent when equal to 6), 8 transaction_length u64,
 *   9 immediate_server_version u32, 10 original_server_version u32 (absent when
 *   equal to 9), 11 commit_group_ticket u64 (absent when unset).
 *
 * The tagged PREVIOUS_GTIDS encoding (Gtid_set::encode / add_gtid_encoding in
 * sql/rpl_gtid_set.cc) is the classic one with two changes: the leading 8-byte
 * word is format<<56 | n_sids<<8 | format with format 1, and every UUID is
 * followed by its tag as a serialization string (length 0 = untagged).
 */
#include <stdint.h>
#include <string.h>

#include "binlogd/cursor.h"
#include "binlogd/event.h"

#define TAG_MAX 32    /* mysql::gtid::tag_max_length */
#define SER_VERSION 1 /* mysql::serialization::serialization_format_version */
#define GT_NFIELDS 12 /* fields 0..11 of the GTID message */
#define GT_FLAG_MAY_HAVE_SBR 1

/* One varlen unsigned integer; sets c->err when the bytes run out. */
static uint64_t ser_u(bd_cur *c)
{
    uint8_t b = bd_cur_u8(c);
    if (c->err) return 0;
    unsigned ones = 0;
    while (ones < 8 && (b >> ones) & 1)
        ones++;
    unsigned len = ones + 1;
    if (len == 1) return b >> 1;
    const uint8_t *p = bd_cur_bytes(c, len - 1);
    if (!p) return 0;
    uint64_t rest = bd_le(p, len - 1);
    /* 9 bytes: the first byte is all length marker, the rest is the value */
    if (len == 9) return rest;
    return (uint64_t)(b >> len) | rest << (8 - len);
}

/* One varlen signed integer (zigzag).  Written without signed overflow: the
 * magnitude m is at most 2^63-1, so both branches are in range. */
static int64_t ser_i(bd_cur *c)
{
    uint64_t u = ser_u(c);
    uint64_t m = u >> 1;
    return (u & 1) ? -(int64_t)m - 1 : (int64_t)m;
}

static int tag_blank(uint8_t ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r';
}
static int tag_alpha(uint8_t ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }

/* Check an encoded tag the way the server does when it decodes one (Tag::
 * from_cstring): optional blanks, a letter or '_', then letters, digits or
 * '_', optional blanks, and nothing else (an embedded NUL ends the C string
 * the server checks, so it makes the tag invalid).  Only blanks is a valid,
 * empty tag.  Gives the tag without the blanks. */
static int tag_span(const uint8_t *p, size_t n, size_t *start, size_t *len)
{
    size_t i = 0;
    while (i < n && tag_blank(p[i]))
        i++;
    size_t s = i;
    while (i < n && (tag_alpha(p[i]) || p[i] == '_' || (i > s && p[i] >= '0' && p[i] <= '9')))
        i++;
    size_t e = i;
    while (i < n && tag_blank(p[i]))
        i++;
    if (i != n) return -1;
    *start = s;
    *len = e - s;
    return 0;
}

static const char *const gt_field_name[GT_NFIELDS] = {
    "gtid_flags",
    "uuid",
    "gno",
    "tag",
    "last_committed",
    "sequence_number",
    "immediate_commit_ts",
    "original_commit_ts",
    "transaction_length",
    "immediate_server_version",
    "original_server_version",
    "commit_group_ticket",
};

int bd_gtid_tagged_parse(bd_gtid_mysql *g, const uint8_t *body, size_t n, bd_err *err)
{
    memset(g, 0, sizeof *g);
    /* The server's default when gtid_flags is absent (Gtid_event ctor). */
    g->flags = GT_FLAG_MAY_HAVE_SBR;

    bd_cur c = bd_cur_make(body, n);
    uint64_t ver = ser_u(&c);
    if (c.err) return bd_err_set(err, BD_ERR_CORRUPT, "GTID_TAGGED: empty body");
    if (ver != SER_VERSION)
        return bd_err_set(err, BD_ERR_UNSUPPORTED,
                          "GTID_TAGGED: serialization format version %llu, only %d is known",
                          (unsigned long long)ver, SER_VERSION);
    size_t at = c.off;
    uint64_t size = ser_u(&c);
    if (c.err)
        return bd_err_set(err, BD_ERR_CORRUPT, "GTID_TAGGED: message size truncated at offset %zu",
                          at);
    if (size > n)
        return bd_err_set(err, BD_ERR_CORRUPT,
                          "GTID_TAGGED: message size %llu exceeds the %zu-byte body, at offset %zu",
                          (unsigned long long)size, n, at);
    at = c.off;
    uint64_t last_nonign = ser_u(&c);
    if (c.err || c.off > size)
        return bd_err_set(err, BD_ERR_CORRUPT,
                          "GTID_TAGGED: message header does not fit its size %llu, at offset %zu",
                          (unsigned long long)size, at);
    /* The server refuses a message whose non-skippable fields it does not
     * know; so do we rather than print a GTID that may mean something else. */
    if (last_nonign > GT_NFIELDS)
        return bd_err_set(err, BD_ERR_UNSUPPORTED,
                          "GTID_TAGGED: unknown non-ignorable field %llu (newer server), at offset "
                          "%zu",
                          (unsigned long long)last_nonign - 1, at);

    /* Fields may not run past the declared message end; bytes after it (the
     * server ignores them) are not ours to read. */
    c.len = (size_t)size;

    unsigned next = 0, seen = 0;
    int have_orig_ts = 0, have_orig_ver = 0;
    while (bd_cur_left(&c)) {
        size_t fat = c.off;
        uint64_t id = ser_u(&c);
        if (c.err)
            return bd_err_set(err, BD_ERR_CORRUPT, "GTID_TAGGED: field id truncated at offset %zu",
                              fat);
        /* Ids past ours are ignorable fields of a newer server (checked
         * above); the server skips to the message end, and so do we. */
        if (id >= GT_NFIELDS) break;
        if (id < next)
            return bd_err_set(err, BD_ERR_CORRUPT,
                              "GTID_TAGGED: field id %llu out of order, at offset %zu",
                              (unsigned long long)id, fat);
        next = (unsigned)id + 1;
        seen |= 1u << id;
        size_t vat = c.off;
        int range = 0; /* value does not fit its declared type */
        uint64_t v;
        switch (id) {
        case 0:
            v = ser_u(&c);
            range = v > 0xff;
            g->flags = (uint8_t)v;
            break;
        case 1:
            for (int i = 0; i < 16 && !c.err; i++) {
                v = ser_u(&c);
                range |= v > 0xff;
                g->uuid[i] = (uint8_t)v;
            }
            break;
        case 2: g->gno = ser_i(&c); break;
        case 3: {
            uint64_t tl = ser_u(&c);
            if (c.err) break;
            if (tl > TAG_MAX)
                return bd_err_set(err, BD_ERR_CORRUPT,
                                  "GTID_TAGGED: tag of %llu bytes (max %d), at offset %zu",
                                  (unsigned long long)tl, TAG_MAX, vat);
            const uint8_t *tp = bd_cur_bytes(&c, (size_t)tl);
            size_t ts, tn;
            if (!tp) break;
            if (tag_span(tp, (size_t)tl, &ts, &tn) < 0)
                return bd_err_set(err, BD_ERR_CORRUPT, "GTID_TAGGED: invalid tag at offset %zu",
                                  vat);
            g->tag.p = (const char *)tp + ts;
            g->tag.n = tn;
            break;
        }
        case 4:
            g->last_committed = ser_i(&c);
            g->has_logical_ts = 1;
            break;
        case 5:
            g->sequence_number = ser_i(&c);
            g->has_logical_ts = 1;
            break;
        case 6:
            g->immediate_commit_us = ser_u(&c);
            g->has_commit_ts = 1;
            break;
        case 7:
            g->original_commit_us = ser_u(&c);
            g->has_commit_ts = 1;
            have_orig_ts = 1;
            break;
        case 8:
            g->trx_length = ser_u(&c);
            g->has_trx_length = 1;
            break;
        case 9:
            v = ser_u(&c);
            range = v > UINT32_MAX;
            g->immediate_server_version = (uint32_t)v;
            g->has_server_version = 1;
            break;
        case 10:
            v = ser_u(&c);
            range = v > UINT32_MAX;
            g->original_server_version = (uint32_t)v;
            g->has_server_version = 1;
            have_orig_ver = 1;
            break;
        default: /* 11: commit_group_ticket, an in-server grouping aid we do not report */
            (void)ser_u(&c);
            break;
        }
        if (c.err)
            return bd_err_set(err, BD_ERR_CORRUPT,
                              "GTID_TAGGED: field %s truncated (message size %llu), at offset %zu",
                              gt_field_name[id], (unsigned long long)size, vat);
        if (range)
            return bd_err_set(err, BD_ERR_CORRUPT,
                              "GTID_TAGGED: field %s value out of range, at offset %zu",
                              gt_field_name[id], vat);
    }

    /* Without these there is no GTID to report; the server never omits them. */
    if (!(seen & 1u << 1) || !(seen & 1u << 2))
        return bd_err_set(err, BD_ERR_CORRUPT, "GTID_TAGGED: message has no %s",
                          (seen & 1u << 1) ? "gno" : "uuid");
    if (g->gno < 1 || g->gno == INT64_MAX)
        return bd_err_set(err, BD_ERR_CORRUPT, "GTID_TAGGED: invalid GNO %lld", (long long)g->gno);
    /* The encoder leaves the "original" values out when they equal the
     * immediate ones; the server's decoder fills them in the same way. */
    if (!have_orig_ts) g->original_commit_us = g->immediate_commit_us;
    if (!have_orig_ver) g->original_server_version = g->immediate_server_version;
    return 0;
}

/* ---- MySQL GTID text: server uuids, PREVIOUS_GTIDS --------------------- */

void bd_uuid_text(bd_buf *out, const uint8_t u[16])
{
    static const char hx[] = "0123456789abcdef";
    char t[36];
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) t[o++] = '-';
        t[o++] = hx[u[i] >> 4];
        t[o++] = hx[u[i] & 15];
    }
    bd_buf_add(out, t, sizeof t);
}

/* Append the tag in the form the server keeps it: lowercased (Tag::replace). */
static void add_tag_lower(bd_buf *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = p[i];
        bd_buf_addc(out, (char)(ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch));
    }
}

/* Append the interval [a, b) of a set (1 <= a < b): ":a", or ":a-last". */
static void add_interval(bd_buf *out, uint64_t a, uint64_t b)
{
    bd_buf_addc(out, ':');
    bd_buf_add_u64(out, a);
    if (b - 1 > a) {
        bd_buf_addc(out, '-');
        bd_buf_add_u64(out, b - 1);
    }
}

/* Errors roll the output back to where it was, so a caller never prints half
 * a GTID set. */
static int pg_fail(bd_buf *out, size_t len0, bd_err *err, const char *what, size_t off)
{
    bd_buf_truncate(out, len0);
    return bd_err_set(err, BD_ERR_CORRUPT, "PREVIOUS_GTIDS: %s, at offset %zu", what, off);
}

int bd_previous_gtids_tagged_text(bd_buf *out, const uint8_t *body, size_t n, bd_err *err)
{
    size_t len0 = out->len;
    bd_cur c = bd_cur_make(body, n);
    uint64_t w = bd_cur_u64(&c);
    if (c.err) return pg_fail(out, len0, err, "body shorter than 8 bytes", 0);
    unsigned fmt = (unsigned)(w >> 56);
    uint64_t nsids;
    /* Format 0 (untagged) is accepted too so that a caller holding either
     * encoding gets the same text; the server decodes both this way. */
    if (fmt == 1)
        nsids = (w >> 8) & 0xffffffffffffULL;
    else if (fmt == 0)
        nsids = w;
    else {
        bd_buf_truncate(out, len0);
        return bd_err_set(err, BD_ERR_CORRUPT,
                          "PREVIOUS_GTIDS: unknown GTID set format %u, at offset 0", fmt);
    }

    /* Text form of Gtid_set::to_string: the UUID once, then its untagged
     * intervals, then ":tag:intervals" for each of its tags; sets of
     * different UUIDs joined by ','.  The server writes the entries sorted
     * by (UUID, tag), untagged first, so printing them in stored order is
     * its text.  Should an entry break that order, the UUID is printed again
     * rather than letting its intervals read as part of the wrong tag. */
    const uint8_t *prev_uuid = NULL;
    int prev_tagged = 0;
    for (uint64_t i = 0; i < nsids; i++) {
        size_t at = c.off;
        const uint8_t *u = bd_cur_bytes(&c, 16);
        if (!u) return pg_fail(out, len0, err, "UUID truncated", at);
        const uint8_t *tp = NULL;
        size_t ts = 0, tn = 0;
        if (fmt == 1) {
            at = c.off;
            uint64_t tl = ser_u(&c);
            if (c.err) return pg_fail(out, len0, err, "tag length truncated", at);
            if (tl > TAG_MAX) return pg_fail(out, len0, err, "tag longer than 32 bytes", at);
            tp = bd_cur_bytes(&c, (size_t)tl);
            if (!tp) return pg_fail(out, len0, err, "tag truncated", at);
            if (tag_span(tp, (size_t)tl, &ts, &tn) < 0)
                return pg_fail(out, len0, err, "invalid tag", at);
        }
        at = c.off;
        uint64_t nint = bd_cur_u64(&c);
        if (c.err || nint > bd_cur_left(&c) / 16)
            return pg_fail(out, len0, err, "interval count does not fit the body", at);
        /* A TSID without intervals is not part of the set's text. */
        if (nint == 0) continue;

        int tagged = tn > 0;
        if (!prev_uuid || memcmp(prev_uuid, u, 16) != 0 || (prev_tagged && !tagged)) {
            if (prev_uuid) bd_buf_addc(out, ',');
            bd_uuid_text(out, u);
        }
        prev_uuid = u;
        prev_tagged = tagged;
        if (tagged) {
            bd_buf_addc(out, ':');
            add_tag_lower(out, tp + ts, tn);
        }
        /* Intervals are [start,end) and must ascend with gaps between them,
         * start >= 1 and end <= 2^63-1 (the server's add_gtid_encoding). */
        uint64_t last = 0;
        for (uint64_t k = 0; k < nint; k++) {
            at = c.off;
            uint64_t a = bd_cur_u64(&c), b = bd_cur_u64(&c);
            if (a <= last || b <= a || b > INT64_MAX)
                return pg_fail(out, len0, err, "interval not ascending, empty or out of range", at);
            last = b;
            add_interval(out, a, b);
        }
    }
    if (bd_cur_left(&c))
        return pg_fail(out, len0, err, "trailing bytes after the last entry", c.off);
    if (bd_buf_failed(out)) return bd_err_set(err, BD_ERR_NOMEM, "PREVIOUS_GTIDS: out of memory");
    return 0;
}

int bd_previous_gtids_text(bd_buf *out, const uint8_t *body, size_t n, bd_err *err)
{
    bd_cur c = bd_cur_make(body, n);
    uint64_t nsids = bd_cur_u64(&c);
    if (c.err) return bd_err_set(err, BD_ERR_CORRUPT, "PREVIOUS_GTIDS shorter than 8 bytes");
    if (nsids >> 56) return bd_previous_gtids_tagged_text(out, body, n, err);
    for (uint64_t i = 0; i < nsids; i++) {
        const uint8_t *u = bd_cur_bytes(&c, 16);
        uint64_t nint = bd_cur_u64(&c);
        if (c.err || nint > bd_cur_left(&c) / 16)
            return bd_err_set(err, BD_ERR_CORRUPT, "PREVIOUS_GTIDS entry %llu truncated at %zu",
                              (unsigned long long)i, c.off);
        if (i) bd_buf_addc(out, ',');
        bd_uuid_text(out, u);
        for (uint64_t k = 0; k < nint; k++) {
            int64_t a = (int64_t)bd_cur_u64(&c), b = (int64_t)bd_cur_u64(&c);
            if (a < 1 || b <= a)
                return bd_err_set(err, BD_ERR_CORRUPT, "PREVIOUS_GTIDS bad interval [%lld,%lld)",
                                  (long long)a, (long long)b);
            add_interval(out, (uint64_t)a, (uint64_t)b);
        }
    }
    if (bd_cur_left(&c))
        return bd_err_set(err, BD_ERR_CORRUPT, "PREVIOUS_GTIDS has %zu trailing bytes",
                          bd_cur_left(&c));
    return 0;
}
