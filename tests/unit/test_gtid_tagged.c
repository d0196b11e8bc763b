/* test_gtid_tagged.c - GTID_TAGGED_LOG_EVENT and tagged PREVIOUS_GTIDS, against
 * a real MySQL 9.6.0 binlog plus hand-built messages for the corners. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "binlogd/buf.h"
#include "binlogd/error.h"
#include "binlogd/event.h"
#include "testutil.h"

#define DIR "binlog/rust_mysql_common/"
#define TAGGED_FILE DIR "binlog_transaction_with_GTID_TAG.000001"
#define UNTAGGED_FILE DIR "binlog_transaction_previous_GTID_no_tag.000001"
#define UUID_TAGGED "55778904-0299-11f1-b1b8-4ef0c4956feb"

/* ---- a throwaway binlog walker: magic, then 19-byte headers with the
 * event size at offset 9; CRC32 is on in these files, so the body is the
 * bytes between the header and the last 4. */
typedef struct ev_body {
    uint8_t *p; /* malloc'd copy of exactly n bytes, so tools see over-reads */
    size_t n;
    uint32_t when;
} ev_body;

static ev_body find_event(const char *rel, unsigned type)
{
    size_t len;
    uint8_t *f = tu_read_fixture(rel, &len);
    ev_body r = {NULL, 0, 0};
    ck_assert(len >= 4 && memcmp(f, BD_BINLOG_MAGIC, 4) == 0);
    size_t pos = 4;
    while (pos + 19 <= len) {
        uint32_t sz = (uint32_t)f[pos + 9] | (uint32_t)f[pos + 10] << 8 |
                      (uint32_t)f[pos + 11] << 16 | (uint32_t)f[pos + 12] << 24;
        ck_assert(sz >= 19 + 4 && sz <= len - pos);
        if (f[pos + 4] == type) {
            r.n = sz - 19 - 4;
            r.p = malloc(r.n ? r.n : 1);
            ck_assert(r.p != NULL);
            memcpy(r.p, f + pos + 19, r.n);
            r.when = (uint32_t)f[pos] | (uint32_t)f[pos + 1] << 8 | (uint32_t)f[pos + 2] << 16 |
                     (uint32_t)f[pos + 3] << 24;
            break;
        }
        pos += sz;
    }
    free(f);
    ck_assert_msg(r.p != NULL, "no event of type %u in %s", type, rel);
    return r;
}

static const uint8_t uuid_tagged[16] = {0x55, 0x77, 0x89, 0x04, 0x02, 0x99, 0x11, 0xf1,
                                        0xb1, 0xb8, 0x4e, 0xf0, 0xc4, 0x95, 0x6f, 0xeb};

/* ---- a small encoder for hand-built messages (the inverse of the format
 * described in lib/binlog/gtid_tagged.c) */
typedef struct msg {
    uint8_t b[512];
    size_t n;
} msg;

static void put_u(msg *m, uint64_t v)
{
    unsigned len = 1;
    while (len < 9 && v >> (7 * len))
        len++;
    if (len == 9) {
        m->b[m->n++] = 0xff;
        for (int i = 0; i < 8; i++)
            m->b[m->n++] = (uint8_t)(v >> (8 * i));
        return;
    }
    uint64_t x = v << len | ((1u << (len - 1)) - 1);
    for (unsigned i = 0; i < len; i++)
        m->b[m->n++] = (uint8_t)(x >> (8 * i));
}
static void put_i(msg *m, int64_t v)
{
    put_u(m, v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1 : (uint64_t)v << 1);
}
static void put_raw(msg *m, const void *p, size_t n)
{
    memcpy(m->b + m->n, p, n);
    m->n += n;
}
static void put_le64(msg *m, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        m->b[m->n++] = (uint8_t)(v >> (8 * i));
}

/* Wrap fields (already encoded) into a message: version, size, last
 * non-ignorable id.  Size is 1 byte for the short bodies used here. */
static msg wrap(const msg *fields, uint64_t version, uint64_t last_nonign)
{
    msg m = {{0}, 0};
    put_u(&m, version);
    size_t hdr = m.n;
    msg t = {{0}, 0};
    put_u(&t, last_nonign);
    size_t total = hdr + 1 + t.n + fields->n;
    ck_assert(total < 128);
    put_u(&m, total);
    put_raw(&m, t.b, t.n);
    put_raw(&m, fields->b, fields->n);
    return m;
}

static void put_uuid_field(msg *f, const uint8_t u[16])
{
    put_u(f, 1);
    for (int i = 0; i < 16; i++)
        put_u(f, u[i]);
}
static void put_tag_field(msg *f, const char *tag)
{
    put_u(f, 3);
    put_u(f, strlen(tag));
    put_raw(f, tag, strlen(tag));
}
/* The mandatory part: flags, uuid, gno, tag. */
static void put_base(msg *f, uint64_t flags, int64_t gno, const char *tag)
{
    put_u(f, 0);
    put_u(f, flags);
    put_uuid_field(f, uuid_tagged);
    put_u(f, 2);
    put_i(f, gno);
    put_tag_field(f, tag);
}

/* Parse an exact-size heap copy so over-reads are caught.  g->tag points
 * into that copy: a caller that reads it passes keep and frees *keep. */
static int parse_msg_keep(const msg *m, bd_gtid_mysql *g, bd_err *err, uint8_t **keep)
{
    uint8_t *p = malloc(m->n ? m->n : 1);
    ck_assert(p != NULL);
    memcpy(p, m->b, m->n);
    int rc = bd_gtid_tagged_parse(g, p, m->n, err);
    if (keep)
        *keep = p;
    else
        free(p);
    return rc;
}
static int parse_msg(const msg *m, bd_gtid_mysql *g, bd_err *err)
{
    return parse_msg_keep(m, g, err, NULL);
}

/* ---- GTID_TAGGED_LOG_EVENT from the real file ---- */
START_TEST(gtid_tagged_real)
{
    ev_body e = find_event(TAGGED_FILE, BD_EV_GTID_TAGGED);
    bd_gtid_mysql g;
    bd_err err = {0};
    ck_assert_int_eq(bd_gtid_tagged_parse(&g, e.p, e.n, &err), 0);
    ck_assert_mem_eq(g.uuid, uuid_tagged, 16);
    ck_assert_int_eq(g.gno, 3);
    ck_assert_uint_eq(g.tag.n, 5);
    ck_assert_mem_eq(g.tag.p, "mytag", 5);
    /* the tag points into the body, not into a copy */
    ck_assert((const uint8_t *)g.tag.p > e.p && (const uint8_t *)g.tag.p < e.p + e.n);
    ck_assert_uint_eq(g.flags, 0);
    ck_assert_int_eq(g.has_logical_ts, 1);
    ck_assert_int_eq(g.last_committed, 0);
    ck_assert_int_eq(g.sequence_number, 1);
    ck_assert_int_eq(g.has_commit_ts, 1);
    ck_assert_uint_eq(g.immediate_commit_us, 1770368687207196ULL);
    ck_assert_uint_eq(g.original_commit_us, g.immediate_commit_us);
    /* microseconds: the same second as the event header's timestamp */
    ck_assert_uint_eq(g.immediate_commit_us / 1000000, e.when);
    ck_assert_int_eq(g.has_trx_length, 1);
    ck_assert_uint_eq(g.trx_length, 296);
    ck_assert_int_eq(g.has_server_version, 1);
    ck_assert_uint_eq(g.immediate_server_version, 90600);
    ck_assert_uint_eq(g.original_server_version, 90600);
    free(e.p);
}
END_TEST

/* Every proper prefix is an error (the message size no longer fits), never
 * a crash or an over-read. */
START_TEST(gtid_tagged_truncated)
{
    ev_body e = find_event(TAGGED_FILE, BD_EV_GTID_TAGGED);
    for (size_t len = 0; len < e.n; len++) {
        uint8_t *p = malloc(len ? len : 1);
        ck_assert(p != NULL);
        memcpy(p, e.p, len);
        bd_gtid_mysql g;
        bd_err err = {0};
        ck_assert_msg(bd_gtid_tagged_parse(&g, p, len, &err) == -1, "len %zu accepted", len);
        ck_assert_int_eq(err.code, BD_ERR_CORRUPT);
        ck_assert(strstr(err.msg, "GTID_TAGGED") != NULL);
        free(p);
    }
    free(e.p);
}
END_TEST

/* The size byte cut down: fields end early or run past the message end. */
START_TEST(gtid_tagged_size_shrunk)
{
    ev_body e = find_event(TAGGED_FILE, BD_EV_GTID_TAGGED);
    ck_assert_uint_eq(e.p[1], 60 << 1); /* one-byte varlen 60 */
    for (unsigned s = 0; s < 60; s++) {
        e.p[1] = (uint8_t)(s << 1);
        bd_gtid_mysql g;
        bd_err err = {0};
        int rc = bd_gtid_tagged_parse(&g, e.p, e.n, &err);
        /* a prefix that ends after the gno is a valid message without the
         * optional fields; anything shorter must fail */
        if (rc == 0) {
            ck_assert_int_eq(g.gno, 3);
            ck_assert_uint_ge(s, 33);
        } else {
            ck_assert_int_eq(err.code, BD_ERR_CORRUPT);
        }
    }
    free(e.p);
}
END_TEST

/* Varlen integers of every length, through the transaction_length field. */
START_TEST(gtid_tagged_varlen_lengths)
{
    static const uint64_t vals[] = {0,
                                    1,
                                    127,
                                    128,
                                    (1ULL << 14) - 1,
                                    1ULL << 14,
                                    (1ULL << 21) + 5,
                                    (1ULL << 28) + 7,
                                    (1ULL << 35) + 9,
                                    (1ULL << 42) + 11,
                                    (1ULL << 49) + 13,
                                    (1ULL << 56) - 1,
                                    1ULL << 56,
                                    0x8000000000000000ULL,
                                    UINT64_MAX};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        msg f = {{0}, 0};
        put_base(&f, 1, 7, "t");
        put_u(&f, 4);
        put_i(&f, -5);
        put_u(&f, 5);
        put_i(&f, INT64_MIN);
        put_u(&f, 8);
        put_u(&f, vals[i]);
        put_u(&f, 11); /* commit_group_ticket: read and dropped */
        put_u(&f, vals[i]);
        msg m = wrap(&f, 1, 0);
        bd_gtid_mysql g;
        bd_err err = {0};
        ck_assert_msg(parse_msg(&m, &g, &err) == 0, "%s", err.msg);
        ck_assert_uint_eq(g.trx_length, vals[i]);
        ck_assert_int_eq(g.last_committed, -5);
        ck_assert_int_eq(g.sequence_number, INT64_MIN);
        ck_assert_uint_eq(g.flags, 1);
        ck_assert_int_eq(g.gno, 7);
    }
}
END_TEST

/* Optional fields absent, present with different originals, and absent
 * flags (the server's default is FLAG_MAY_HAVE_SBR). */
START_TEST(gtid_tagged_optional)
{
    bd_gtid_mysql g;
    bd_err err = {0};

    msg f = {{0}, 0};
    put_uuid_field(&f, uuid_tagged);
    put_u(&f, 2);
    put_i(&f, 9);
    msg m = wrap(&f, 1, 0);
    ck_assert_int_eq(parse_msg(&m, &g, &err), 0);
    ck_assert_uint_eq(g.flags, 1);
    ck_assert_uint_eq(g.tag.n, 0);
    ck_assert_int_eq(g.has_logical_ts, 0);
    ck_assert_int_eq(g.has_commit_ts, 0);
    ck_assert_int_eq(g.has_trx_length, 0);
    ck_assert_int_eq(g.has_server_version, 0);

    f.n = 0;
    put_base(&f, 0, 10, "Ab_9");
    put_u(&f, 6);
    put_u(&f, 1000);
    put_u(&f, 7);
    put_u(&f, 999);
    put_u(&f, 9);
    put_u(&f, 80400);
    put_u(&f, 10);
    put_u(&f, 80036);
    m = wrap(&f, 1, 0);
    ck_assert_int_eq(parse_msg(&m, &g, &err), 0);
    ck_assert_uint_eq(g.immediate_commit_us, 1000);
    ck_assert_uint_eq(g.original_commit_us, 999);
    ck_assert_uint_eq(g.immediate_server_version, 80400);
    ck_assert_uint_eq(g.original_server_version, 80036);
    ck_assert_uint_eq(g.tag.n, 4); /* "Ab_9": reported as stored */

    /* unknown ignorable fields after ours, and bytes after the message */
    f.n = 0;
    put_base(&f, 0, 11, "x");
    put_u(&f, 12);
    put_u(&f, 5);
    put_u(&f, 40);
    put_raw(&f,
            "\x0a"
            "abcde",
            6);
    m = wrap(&f, 1, 12);
    put_raw(&m, "\xff\xff", 2);
    ck_assert_msg(parse_msg(&m, &g, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(g.gno, 11);

    /* an empty tag and a tag surrounded by blanks, as the server accepts */
    f.n = 0;
    put_base(&f, 0, 12, "");
    m = wrap(&f, 1, 0);
    ck_assert_int_eq(parse_msg(&m, &g, &err), 0);
    ck_assert_uint_eq(g.tag.n, 0);
    f.n = 0;
    put_base(&f, 0, 12, " ab ");
    m = wrap(&f, 1, 0);
    uint8_t *copy;
    ck_assert_int_eq(parse_msg_keep(&m, &g, &err, &copy), 0);
    ck_assert_uint_eq(g.tag.n, 2);
    ck_assert_mem_eq(g.tag.p, "ab", 2);
    ck_assert((const uint8_t *)g.tag.p > copy && (const uint8_t *)g.tag.p < copy + m.n);
    free(copy);
}
END_TEST

static void expect_bad(const msg *m, enum bd_errcode code, const char *what)
{
    bd_gtid_mysql g;
    bd_err err = {0};
    ck_assert_msg(parse_msg(m, &g, &err) == -1, "accepted: %s", what);
    ck_assert_msg(err.code == code, "%s: code %d (%s)", what, err.code, err.msg);
}

START_TEST(gtid_tagged_malformed)
{
    msg f = {{0}, 0}, m;

    put_base(&f, 0, 3, "mytag");
    m = wrap(&f, 2, 0);
    expect_bad(&m, BD_ERR_UNSUPPORTED, "version 2");
    m = wrap(&f, 1, 13);
    expect_bad(&m, BD_ERR_UNSUPPORTED, "unknown non-ignorable field");
    m = wrap(&f, 1, 0);
    m.b[1] = (uint8_t)((m.n + 1) << 1);
    expect_bad(&m, BD_ERR_CORRUPT, "size past the body");
    m.b[1] = 2 << 1;
    expect_bad(&m, BD_ERR_CORRUPT, "size inside the header");
    m.n = 0;
    expect_bad(&m, BD_ERR_CORRUPT, "empty");

    f.n = 0;
    put_base(&f, 256, 3, "mytag");
    m = wrap(&f, 1, 0);
    expect_bad(&m, BD_ERR_CORRUPT, "flags out of range");

    f.n = 0;
    put_u(&f, 1);
    for (int i = 0; i < 16; i++)
        put_u(&f, i == 7 ? 300 : 1);
    put_u(&f, 2);
    put_i(&f, 3);
    m = wrap(&f, 1, 0);
    expect_bad(&m, BD_ERR_CORRUPT, "uuid byte out of range");

    f.n = 0;
    put_base(&f, 0, 3, "mytag");
    put_u(&f, 9);
    put_u(&f, 1ULL << 32);
    m = wrap(&f, 1, 0);
    expect_bad(&m, BD_ERR_CORRUPT, "server version out of range");

    f.n = 0;
    put_base(&f, 0, 3, "mytag");
    put_u(&f, 2);
    put_i(&f, 4);
    m = wrap(&f, 1, 0);
    expect_bad(&m, BD_ERR_CORRUPT, "field id repeated");

    f.n = 0;
    put_u(&f, 0);
    put_u(&f, 0);
    put_uuid_field(&f, uuid_tagged);
    put_tag_field(&f, "a");
    m = wrap(&f, 1, 0);
    expect_bad(&m, BD_ERR_CORRUPT, "no gno");

    f.n = 0;
    put_u(&f, 2);
    put_i(&f, 3);
    m = wrap(&f, 1, 0);
    expect_bad(&m, BD_ERR_CORRUPT, "no uuid");

    static const int64_t bad_gno[] = {0, -1, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < 4; i++) {
        f.n = 0;
        put_base(&f, 0, bad_gno[i], "a");
        m = wrap(&f, 1, 0);
        expect_bad(&m, BD_ERR_CORRUPT, "gno out of range");
    }

    static const char *const bad_tag[] = {"9abc", "a-b", "a b", "a\xc3\xa9",
                                          "abcdefghijabcdefghijabcdefghijabc"};
    for (size_t i = 0; i < sizeof bad_tag / sizeof bad_tag[0]; i++) {
        f.n = 0;
        put_base(&f, 0, 3, bad_tag[i]);
        m = wrap(&f, 1, 0);
        expect_bad(&m, BD_ERR_CORRUPT, bad_tag[i]);
    }
    f.n = 0;
    put_base(&f, 0, 3, "");
    f.b[f.n - 1] = 3 << 1;  /* tag length 3 ... */
    put_raw(&f, "a\0b", 3); /* ... with an embedded NUL */
    m = wrap(&f, 1, 0);
    expect_bad(&m, BD_ERR_CORRUPT, "NUL in tag");

    /* a 9-byte varlen cut short inside the message */
    f.n = 0;
    put_base(&f, 0, 3, "a");
    put_u(&f, 8);
    put_raw(&f, "\xff\x01\x02", 3);
    m = wrap(&f, 1, 0);
    expect_bad(&m, BD_ERR_CORRUPT, "varlen past message end");
}
END_TEST

/* Random bytes after a valid header: any result, but no crash or over-read. */
START_TEST(gtid_tagged_noise)
{
    ev_body e = find_event(TAGGED_FILE, BD_EV_GTID_TAGGED);
    uint32_t s = 12345;
    for (int round = 0; round < 20000; round++) {
        uint8_t *p = malloc(e.n);
        ck_assert(p != NULL);
        memcpy(p, e.p, e.n);
        for (int k = 0; k < 3; k++) {
            s = s * 1103515245u + 12345u;
            p[3 + (s >> 8) % (e.n - 3)] = (uint8_t)(s >> 20);
        }
        bd_gtid_mysql g;
        bd_err err = {0};
        if (bd_gtid_tagged_parse(&g, p, e.n, &err) == 0) {
            ck_assert(g.tag.n <= 32);
            ck_assert(g.gno >= 1);
        } else {
            ck_assert(err.msg[0] != '\0');
        }
        free(p);
    }
    free(e.p);
}
END_TEST

/* ---- PREVIOUS_GTIDS ---- */
static int prev_text(const uint8_t *body, size_t n, bd_buf *out, bd_err *err)
{
    uint8_t *p = malloc(n ? n : 1);
    ck_assert(p != NULL);
    memcpy(p, body, n);
    int rc = bd_previous_gtids_tagged_text(out, p, n, err);
    free(p);
    return rc;
}

START_TEST(prev_gtids_real_tagged)
{
    ev_body e = find_event(TAGGED_FILE, BD_EV_PREVIOUS_GTIDS);
    bd_buf out = BD_BUF_INIT;
    bd_err err = {0};
    ck_assert_uint_eq(e.p[7], 1); /* format byte: tagged */
    ck_assert_int_eq(bd_previous_gtids_tagged_text(&out, e.p, e.n, &err), 0);
    ck_assert_str_eq(out.ptr, UUID_TAGGED ":1-13:mytag:1-2");
    /* the generic entry point dispatches to us on the format byte */
    bd_buf_reset(&out);
    ck_assert_int_eq(bd_previous_gtids_text(&out, e.p, e.n, &err), 0);
    ck_assert_str_eq(out.ptr, UUID_TAGGED ":1-13:mytag:1-2");
    /* appends after what is there */
    bd_buf_reset(&out);
    bd_buf_adds(&out, "x=");
    ck_assert_int_eq(bd_previous_gtids_tagged_text(&out, e.p, e.n, &err), 0);
    ck_assert_str_eq(out.ptr, "x=" UUID_TAGGED ":1-13:mytag:1-2");
    bd_buf_release(&out);
    free(e.p);
}
END_TEST

START_TEST(prev_gtids_real_untagged)
{
    ev_body e = find_event(UNTAGGED_FILE, BD_EV_PREVIOUS_GTIDS);
    bd_buf out = BD_BUF_INIT;
    bd_err err = {0};
    ck_assert_uint_eq(e.p[7], 0);
    ck_assert_int_eq(bd_previous_gtids_tagged_text(&out, e.p, e.n, &err), 0);
    ck_assert_str_eq(out.ptr, "b9b88c66-0755-11f1-9899-4a9da94c4d71:1-2");
    bd_buf_release(&out);
    free(e.p);
}
END_TEST

START_TEST(prev_gtids_truncated)
{
    const char *files[] = {TAGGED_FILE, UNTAGGED_FILE};
    for (int fi = 0; fi < 2; fi++) {
        ev_body e = find_event(files[fi], BD_EV_PREVIOUS_GTIDS);
        for (size_t len = 0; len < e.n; len++) {
            bd_buf out = BD_BUF_INIT;
            bd_err err = {0};
            bd_buf_adds(&out, "keep");
            ck_assert_msg(prev_text(e.p, len, &out, &err) == -1, "len %zu accepted", len);
            ck_assert_int_eq(err.code, BD_ERR_CORRUPT);
            ck_assert_str_eq(out.ptr, "keep"); /* rolled back */
            bd_buf_release(&out);
        }
        /* and one byte too many */
        uint8_t *p = malloc(e.n + 1);
        ck_assert(p != NULL);
        memcpy(p, e.p, e.n);
        p[e.n] = 0;
        bd_buf out = BD_BUF_INIT;
        bd_err err = {0};
        ck_assert_int_eq(prev_text(p, e.n + 1, &out, &err), -1);
        ck_assert(strstr(err.msg, "trailing") != NULL);
        bd_buf_release(&out);
        free(p);
        free(e.p);
    }
}
END_TEST

static void put_word(msg *m, unsigned fmt, uint64_t nsids)
{
    put_le64(m, fmt == 1 ? (1ULL << 56 | nsids << 8 | 1) : nsids);
}
static void put_tsid(msg *m, uint8_t first, const char *tag, uint64_t nint)
{
    uint8_t u[16];
    memcpy(u, uuid_tagged, 16);
    u[0] = first;
    put_raw(m, u, 16);
    if (tag) {
        put_u(m, strlen(tag));
        put_raw(m, tag, strlen(tag));
    }
    put_le64(m, nint);
}
static void put_iv(msg *m, uint64_t a, uint64_t b)
{
    put_le64(m, a);
    put_le64(m, b);
}

static void expect_text(const msg *m, const char *want)
{
    bd_buf out = BD_BUF_INIT;
    bd_err err = {0};
    ck_assert_msg(prev_text(m->b, m->n, &out, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(out.ptr, want);
    bd_buf_release(&out);
}
static void expect_prev_bad(const msg *m, const char *what)
{
    bd_buf out = BD_BUF_INIT;
    bd_err err = {0};
    ck_assert_msg(prev_text(m->b, m->n, &out, &err) == -1, "accepted: %s", what);
    ck_assert_int_eq(err.code, BD_ERR_CORRUPT);
    ck_assert_str_eq(out.ptr, "");
    ck_assert(strstr(err.msg, "offset") != NULL);
    bd_buf_release(&out);
}

START_TEST(prev_gtids_built)
{
    msg m = {{0}, 0};
    /* several UUIDs, several tags, single values, an empty entry */
    put_word(&m, 1, 5);
    put_tsid(&m, 0x11, "", 2);
    put_iv(&m, 1, 2);
    put_iv(&m, 5, 10);
    put_tsid(&m, 0x11, "Alpha", 1); /* stored as given, printed lowercased */
    put_iv(&m, 7, 8);
    put_tsid(&m, 0x11, "beta_2", 1);
    put_iv(&m, 1, 4);
    put_tsid(&m, 0x22, "zz", 0); /* no intervals: not in the text */
    put_tsid(&m, 0x33, " gamma ", 1);
    put_iv(&m, 9223372036854775806LL, 9223372036854775807LL);
    expect_text(&m, "11778904-0299-11f1-b1b8-4ef0c4956feb:1:5-9:alpha:7:beta_2:1-3,"
                    "33778904-0299-11f1-b1b8-4ef0c4956feb:gamma:9223372036854775806");

    /* a tagged entry before an untagged one of the same UUID: the UUID is
     * repeated so the untagged intervals do not read as the tag's */
    m.n = 0;
    put_word(&m, 1, 2);
    put_tsid(&m, 0x11, "t", 1);
    put_iv(&m, 1, 3);
    put_tsid(&m, 0x11, "", 1);
    put_iv(&m, 4, 5);
    expect_text(&m, "11778904-0299-11f1-b1b8-4ef0c4956feb:t:1-2,"
                    "11778904-0299-11f1-b1b8-4ef0c4956feb:4");

    /* empty set */
    m.n = 0;
    put_word(&m, 1, 0);
    expect_text(&m, "");
    m.n = 0;
    put_word(&m, 0, 0);
    expect_text(&m, "");
}
END_TEST

START_TEST(prev_gtids_malformed)
{
    msg m = {{0}, 0};
    put_le64(&m, 2ULL << 56 | 1);
    expect_prev_bad(&m, "format 2");

    static const uint64_t bad_iv[][4] = {
        {0, 2, 0, 0},                     /* start 0 */
        {3, 3, 0, 0},                     /* empty */
        {5, 4, 0, 0},                     /* end before start */
        {1, 3, 3, 5},                     /* adjacent: the server keeps these merged */
        {4, 6, 1, 2},                     /* descending */
        {1, 0x8000000000000000ULL, 0, 0}, /* end past 2^63-1 */
    };
    for (size_t i = 0; i < sizeof bad_iv / sizeof bad_iv[0]; i++) {
        m.n = 0;
        put_word(&m, 1, 1);
        unsigned nint = bad_iv[i][2] || bad_iv[i][3] ? 2 : 1;
        put_tsid(&m, 0x11, "", nint);
        put_iv(&m, bad_iv[i][0], bad_iv[i][1]);
        if (nint == 2) put_iv(&m, bad_iv[i][2], bad_iv[i][3]);
        expect_prev_bad(&m, "bad interval");
    }

    m.n = 0;
    put_word(&m, 1, 1);
    put_tsid(&m, 0x11, "", 0x1000000000000000ULL); /* count * 16 would overflow */
    put_iv(&m, 1, 2);
    expect_prev_bad(&m, "huge interval count");

    m.n = 0;
    put_word(&m, 1, 0xffffffffffffULL); /* more entries than bytes */
    put_tsid(&m, 0x11, "", 1);
    put_iv(&m, 1, 2);
    expect_prev_bad(&m, "too many entries");

    static const char *const bad_tag[] = {"1a", "a:b", "a,b", "abcdefghijabcdefghijabcdefghijabc"};
    for (size_t i = 0; i < sizeof bad_tag / sizeof bad_tag[0]; i++) {
        m.n = 0;
        put_word(&m, 1, 1);
        put_tsid(&m, 0x11, bad_tag[i], 1);
        put_iv(&m, 1, 2);
        expect_prev_bad(&m, bad_tag[i]);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("gtid_tagged");
    TCase *t = tcase_create("gtid_tagged");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, gtid_tagged_real);
    tcase_add_test(t, gtid_tagged_truncated);
    tcase_add_test(t, gtid_tagged_size_shrunk);
    tcase_add_test(t, gtid_tagged_varlen_lengths);
    tcase_add_test(t, gtid_tagged_optional);
    tcase_add_test(t, gtid_tagged_malformed);
    tcase_add_test(t, gtid_tagged_noise);
    tcase_add_test(t, prev_gtids_real_tagged);
    tcase_add_test(t, prev_gtids_real_untagged);
    tcase_add_test(t, prev_gtids_truncated);
    tcase_add_test(t, prev_gtids_built);
    tcase_add_test(t, prev_gtids_malformed);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return tu_run(suite()) ? 1 : 0; }
