/* event.c - common header, FORMAT_DESCRIPTION, checksums and the non-row
 * events; see include/binlogd/event.h. */
#include "binlogd/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "binlogd/cursor.h"

static const char *const type_names[] = {
    [0] = "UNKNOWN",
    [1] = "START_V3",
    [2] = "QUERY",
    [3] = "STOP",
    [4] = "ROTATE",
    [5] = "INTVAR",
    [6] = "LOAD",
    [7] = "SLAVE",
    [8] = "CREATE_FILE",
    [9] = "APPEND_BLOCK",
    [10] = "EXEC_LOAD",
    [11] = "DELETE_FILE",
    [12] = "NEW_LOAD",
    [13] = "RAND",
    [14] = "USER_VAR",
    [15] = "FORMAT_DESCRIPTION",
    [16] = "XID",
    [17] = "BEGIN_LOAD_QUERY",
    [18] = "EXECUTE_LOAD_QUERY",
    [19] = "TABLE_MAP",
    [20] = "PRE_GA_WRITE_ROWS",
    [21] = "PRE_GA_UPDATE_ROWS",
    [22] = "PRE_GA_DELETE_ROWS",
    [23] = "WRITE_ROWS_V1",
    [24] = "UPDATE_ROWS_V1",
    [25] = "DELETE_ROWS_V1",
    [26] = "INCIDENT",
    [27] = "HEARTBEAT",
    [28] = "IGNORABLE",
    [29] = "ROWS_QUERY",
    [30] = "WRITE_ROWS_V2",
    [31] = "UPDATE_ROWS_V2",
    [32] = "DELETE_ROWS_V2",
    [33] = "GTID",
    [34] = "ANONYMOUS_GTID",
    [35] = "PREVIOUS_GTIDS",
    [36] = "TRANSACTION_CONTEXT",
    [37] = "VIEW_CHANGE",
    [38] = "XA_PREPARE",
    [39] = "PARTIAL_UPDATE_ROWS",
    [40] = "TRANSACTION_PAYLOAD",
    [41] = "HEARTBEAT_V2",
    [42] = "GTID_TAGGED",
    [160] = "ANNOTATE_ROWS",
    [161] = "BINLOG_CHECKPOINT",
    [162] = "MARIADB_GTID",
    [163] = "GTID_LIST",
    [164] = "START_ENCRYPTION",
    [165] = "QUERY_COMPRESSED",
    [166] = "WRITE_ROWS_COMPRESSED_V1",
    [167] = "UPDATE_ROWS_COMPRESSED_V1",
    [168] = "DELETE_ROWS_COMPRESSED_V1",
    [169] = "WRITE_ROWS_COMPRESSED",
    [170] = "UPDATE_ROWS_COMPRESSED",
    [171] = "DELETE_ROWS_COMPRESSED",
};

const char *bd_event_type_name(unsigned type)
{
    if (type < sizeof type_names / sizeof type_names[0] && type_names[type])
        return type_names[type];
    return NULL;
}

/* Post-header lengths of binlog v4 as MySQL 5.0 wrote them, used until an
 * FDE says otherwise (and for v3 files, which have no per-type table). */
void bd_format_default(bd_format *f, unsigned binlog_version)
{
    memset(f, 0, sizeof *f);
    f->binlog_version = binlog_version;
    f->header_len = binlog_version == 1 ? 13 : BD_EVENT_HEADER_LEN;
    f->checksum = BD_CHECKSUM_OFF;
    f->post_header_len[BD_EV_QUERY] = binlog_version == 4 ? 13 : 11;
    f->post_header_len[BD_EV_ROTATE] = binlog_version == 1 ? 0 : 8;
    f->post_header_len[BD_EV_INTVAR] = 0;
    f->post_header_len[BD_EV_LOAD] = 18;
    f->post_header_len[BD_EV_CREATE_FILE] = 4;
    f->post_header_len[BD_EV_APPEND_BLOCK] = 4;
    f->post_header_len[BD_EV_EXEC_LOAD] = 4;
    f->post_header_len[BD_EV_DELETE_FILE] = 4;
    f->post_header_len[BD_EV_NEW_LOAD] = 18;
    f->post_header_len[BD_EV_START_V3] = 56;
}

int bd_header_parse(bd_header *h, const uint8_t *p, size_t len, const bd_format *f, bd_err *err)
{
    unsigned hl = f ? f->header_len : BD_EVENT_HEADER_LEN;
    if (len < hl)
        return bd_err_set(err, BD_ERR_TRUNCATED, "event header needs %u bytes, %zu present", hl,
                          len);
    h->timestamp = (uint32_t)bd_le(p, 4);
    h->type = p[4];
    h->server_id = (uint32_t)bd_le(p + 5, 4);
    h->event_size = (uint32_t)bd_le(p + 9, 4);
    if (hl >= 19) {
        h->log_pos = (uint32_t)bd_le(p + 13, 4);
        h->flags = (uint16_t)bd_le(p + 17, 2);
    } else {
        h->log_pos = 0;
        h->flags = 0;
    }
    if (h->event_size < hl)
        return bd_err_set(err, BD_ERR_CORRUPT, "event size %u is smaller than its %u-byte header",
                          h->event_size, hl);
    return 0;
}

int bd_event_crc_ok(const uint8_t *ev, size_t len)
{
    if (len < BD_EVENT_HEADER_LEN + 4) return 0;
    uint32_t want = (uint32_t)bd_le(ev + len - 4, 4);
    uLong c = crc32(0L, Z_NULL, 0);
    if (ev[4] == BD_EV_FORMAT_DESCRIPTION && (ev[17] & BD_LOG_EVENT_BINLOG_IN_USE_F)) {
        /* The server sets the in-use flag after computing the CRC (and clears
         * it on close), so the CRC covers the header with the flag clear. */
        uint8_t hdr[BD_EVENT_HEADER_LEN];
        memcpy(hdr, ev, sizeof hdr);
        hdr[17] &= (uint8_t)~BD_LOG_EVENT_BINLOG_IN_USE_F;
        c = crc32(c, hdr, sizeof hdr);
        c = crc32(c, ev + sizeof hdr, (uInt)(len - 4 - sizeof hdr));
    } else {
        c = crc32(c, ev, (uInt)(len - 4));
    }
    return (uint32_t)c == want;
}

unsigned bd_version_number(const char *v)
{
    unsigned part[3] = {0, 0, 0};
    int i = 0;
    const char *s = v;
    while (i < 3 && *s >= '0' && *s <= '9') {
        unsigned x = 0;
        while (*s >= '0' && *s <= '9')
            x = x * 10 + (unsigned)(*s++ - '0');
        part[i++] = x > 99 ? 99 : x;
        if (*s != '.') break;
        s++;
    }
    return part[0] * 10000 + part[1] * 100 + part[2];
}

int bd_format_parse(bd_format *f, const uint8_t *ev, size_t len, int verify, bd_err *err)
{
    bd_header h = {0};
    if (bd_header_parse(&h, ev, len, NULL, err) < 0) return -1;
    if (h.event_size != len)
        return bd_err_set(err, BD_ERR_CORRUPT, "FORMAT_DESCRIPTION size %u but %zu bytes given",
                          h.event_size, len);
    /* Binlog v1 (MySQL 3.23) has a 13-byte header; its START event is
     * 13 + 2 + 50 + 4 = 69 bytes and says version 1 right after the header. */
    unsigned hl = BD_EVENT_HEADER_LEN;
    if (h.type == BD_EV_START_V3 && len == 69 && bd_le(ev + 13, 2) == 1) hl = 13;
    bd_cur c = bd_cur_make(ev + hl, len - hl);
    unsigned bv = bd_cur_u16(&c);
    const uint8_t *sv = bd_cur_bytes(&c, 50);
    uint32_t created = bd_cur_u32(&c);
    if (c.err) return bd_err_set(err, BD_ERR_CORRUPT, "FORMAT_DESCRIPTION body too short");
    if (h.type == BD_EV_START_V3) {
        if ((hl == 13) != (bv == 1) || (bv != 1 && bv != 3))
            return bd_err_set(err, BD_ERR_CORRUPT, "START_V3 with binlog version %u", bv);
        bd_format_default(f, bv);
        memcpy(f->server_version, sv, 50);
        f->server_version[50] = '\0';
        f->version_num = bd_version_number(f->server_version);
        f->flavor = strstr(f->server_version, "MariaDB") ? BD_FLAVOR_MARIADB : BD_FLAVOR_MYSQL;
        f->created = created;
        return 0;
    }
    if (h.type != BD_EV_FORMAT_DESCRIPTION)
        return bd_err_set(err, BD_ERR_CORRUPT, "expected FORMAT_DESCRIPTION, got type %u", h.type);
    if (bv != 4)
        return bd_err_set(err, BD_ERR_UNSUPPORTED, "FORMAT_DESCRIPTION binlog version %u", bv);
    bd_format nf;
    memset(&nf, 0, sizeof nf);
    nf.binlog_version = 4;
    memcpy(nf.server_version, sv, 50);
    nf.server_version[50] = '\0';
    nf.version_num = bd_version_number(nf.server_version);
    nf.flavor = strstr(nf.server_version, "MariaDB") ? BD_FLAVOR_MARIADB : BD_FLAVOR_MYSQL;
    nf.created = created;
    nf.header_len = bd_cur_u8(&c);
    if (c.err || nf.header_len < BD_EVENT_HEADER_LEN)
        return bd_err_set(err, BD_ERR_CORRUPT, "FORMAT_DESCRIPTION header length %u",
                          nf.header_len);
    /* Servers that know checksums (MySQL 5.6.1+, MariaDB 5.3+) end the FDE
     * with the algorithm byte and a 4-byte checksum slot, whatever the
     * algorithm: the table of post-header lengths is what lies between. */
    int has_alg =
        nf.flavor == BD_FLAVOR_MARIADB ? nf.version_num >= 50300 : nf.version_num >= 50601;
    size_t rest = bd_cur_left(&c);
    size_t ntypes = rest;
    if (has_alg) {
        if (rest < 5) return bd_err_set(err, BD_ERR_CORRUPT, "FORMAT_DESCRIPTION lacks checksum");
        ntypes = rest - 5;
        nf.checksum = (enum bd_checksum)ev[len - 5];
        if (nf.checksum != BD_CHECKSUM_OFF && nf.checksum != BD_CHECKSUM_CRC32 &&
            nf.checksum != BD_CHECKSUM_UNDEF)
            return bd_err_set(err, BD_ERR_UNSUPPORTED, "unknown checksum algorithm %u",
                              (unsigned)nf.checksum);
        if (nf.checksum == BD_CHECKSUM_UNDEF) nf.checksum = BD_CHECKSUM_OFF;
    } else {
        nf.checksum = BD_CHECKSUM_OFF;
    }
    if (ntypes > 255) ntypes = 255;
    const uint8_t *ph = bd_cur_bytes(&c, ntypes);
    if (!ph) return bd_err_set(err, BD_ERR_CORRUPT, "FORMAT_DESCRIPTION post-header table short");
    /* the table starts at type 1 */
    for (size_t i = 0; i < ntypes; i++)
        nf.post_header_len[i + 1] = ph[i];
    if (verify && nf.checksum == BD_CHECKSUM_CRC32 && !bd_event_crc_ok(ev, len))
        return bd_err_set(err, BD_ERR_CHECKSUM, "FORMAT_DESCRIPTION CRC32 mismatch");
    *f = nf;
    return 0;
}

int bd_maria_gtid_list_text(bd_buf *out, const uint8_t *body, size_t n, bd_err *err)
{
    bd_cur c = bd_cur_make(body, n);
    uint32_t cnt = bd_cur_u32(&c) & 0x0fffffff; /* top 4 bits are flags */
    if (c.err || cnt > bd_cur_left(&c) / 16)
        return bd_err_set(err, BD_ERR_CORRUPT, "GTID_LIST count %u does not fit its %zu bytes", cnt,
                          n);
    for (uint32_t i = 0; i < cnt; i++) {
        uint32_t dom = bd_cur_u32(&c), sid = bd_cur_u32(&c);
        uint64_t seq = bd_cur_u64(&c);
        if (i) bd_buf_addc(out, ',');
        bd_buf_addf(out, "%u-%u-%llu", dom, sid, (unsigned long long)seq);
    }
    return 0;
}

int bd_gtid_maria_parse(bd_gtid_maria *g, uint32_t server_id, const uint8_t *body, size_t n,
                        bd_err *err)
{
    bd_cur c = bd_cur_make(body, n);
    memset(g, 0, sizeof *g);
    g->seq_no = bd_cur_u64(&c);
    g->domain_id = bd_cur_u32(&c);
    g->flags = bd_cur_u8(&c);
    g->server_id = server_id;
    if (g->flags & 2) { /* FL_GROUP_COMMIT_ID */
        g->commit_id = bd_cur_u64(&c);
        g->has_commit_id = 1;
    }
    if (c.err)
        return bd_err_set(err, BD_ERR_CORRUPT, "MariaDB GTID event truncated (%zu bytes)", n);
    return 0;
}

/* MySQL 7-byte commit timestamps: the top bit of the first says whether
 * the original timestamp follows. */
int bd_gtid_mysql_parse(bd_gtid_mysql *g, const uint8_t *body, size_t n, bd_err *err)
{
    bd_cur c = bd_cur_make(body, n);
    memset(g, 0, sizeof *g);
    g->flags = bd_cur_u8(&c);
    const uint8_t *u = bd_cur_bytes(&c, 16);
    g->gno = (int64_t)bd_cur_u64(&c);
    if (c.err) return bd_err_set(err, BD_ERR_CORRUPT, "GTID event shorter than 25 bytes");
    memcpy(g->uuid, u, 16);
    if (bd_cur_left(&c) >= 17) {
        uint8_t tcode = bd_cur_u8(&c);
        if (tcode == 2) {
            g->last_committed = (int64_t)bd_cur_u64(&c);
            g->sequence_number = (int64_t)bd_cur_u64(&c);
            g->has_logical_ts = 1;
        } else {
            c.off--; /* 5.6 servers: no logical timestamps */
        }
    }
    if (g->has_logical_ts && bd_cur_left(&c) >= 7) {
        uint64_t ts = bd_cur_le(&c, 7);
        g->has_commit_ts = 1;
        if (ts >> 55) {
            g->immediate_commit_us = ts & ~(1ULL << 55);
            g->original_commit_us = bd_cur_le(&c, 7);
        } else {
            g->immediate_commit_us = g->original_commit_us = ts;
        }
        if (bd_cur_left(&c) >= 1) {
            g->trx_length = bd_cur_packed(&c);
            g->has_trx_length = 1;
        }
        if (bd_cur_left(&c) >= 4) {
            uint32_t v = bd_cur_u32(&c);
            g->has_server_version = 1;
            if (v >> 31) {
                g->immediate_server_version = v & 0x7fffffff;
                g->original_server_version = bd_cur_u32(&c);
            } else {
                g->immediate_server_version = g->original_server_version = v;
            }
        }
    }
    if (c.err) return bd_err_set(err, BD_ERR_CORRUPT, "GTID event truncated at offset %zu", c.off);
    return 0;
}

/* Status variables of a QUERY event.  Each code implies its length; an
 * unknown code cannot be skipped, so parsing stops there (the query text
 * is still found through status_vars_len). */
static void parse_status(bd_query *q, const uint8_t *p, size_t n)
{
    bd_cur c = bd_cur_make(p, n);
    while (bd_cur_left(&c) && !c.err) {
        uint8_t code = bd_cur_u8(&c);
        switch (code) {
        case 0: q->flags2 = bd_cur_u32(&c), q->has_flags2 = 1; break;
        case 1: q->sql_mode = bd_cur_u64(&c), q->has_sql_mode = 1; break;
        case 2: { /* old catalog: length, bytes, NUL */
            uint8_t l = bd_cur_u8(&c);
            q->catalog.p = (const char *)bd_cur_bytes(&c, l);
            q->catalog.n = l;
            bd_cur_skip(&c, 1);
            break;
        }
        case 3: bd_cur_skip(&c, 4); break;
        case 4:
            q->charset_client = bd_cur_u16(&c);
            q->collation_connection = bd_cur_u16(&c);
            q->collation_server = bd_cur_u16(&c);
            q->has_charset = 1;
            break;
        case 5: {
            uint8_t l = bd_cur_u8(&c);
            q->time_zone.p = (const char *)bd_cur_bytes(&c, l);
            q->time_zone.n = l;
            q->has_time_zone = 1;
            break;
        }
        case 6: {
            uint8_t l = bd_cur_u8(&c);
            q->catalog.p = (const char *)bd_cur_bytes(&c, l);
            q->catalog.n = l;
            break;
        }
        case 7:
        case 8: bd_cur_skip(&c, 2); break;
        case 9: bd_cur_skip(&c, 8); break;
        case 10: bd_cur_skip(&c, 4); break;
        case 11: { /* invoker: user, host */
            uint8_t l = bd_cur_u8(&c);
            bd_cur_skip(&c, l);
            l = bd_cur_u8(&c);
            bd_cur_skip(&c, l);
            break;
        }
        case 12: { /* updated db names */
            uint8_t cnt = bd_cur_u8(&c);
            if (cnt == 254) break; /* OVER_MAX_DBS_IN_EVENT_MTS: no names */
            for (unsigned i = 0; i < cnt && !c.err; i++) {
                while (bd_cur_left(&c) && bd_cur_u8(&c) != 0) {
                }
            }
            break;
        }
        case 13: bd_cur_skip(&c, 3); break;
        case 16: bd_cur_skip(&c, 1); break;
        case 17: q->ddl_xid = bd_cur_u64(&c), q->has_xid = 1; break;
        case 18: bd_cur_skip(&c, 2); break;
        case 19:
        case 20: bd_cur_skip(&c, 1); break;
        case 128: q->hrnow_us = bd_cur_u24(&c), q->has_hrnow = 1; break;
        case 129: q->ddl_xid = bd_cur_u64(&c), q->has_xid = 1; break;
        case 130: bd_cur_skip(&c, 1); break;
        default: q->status_truncated = 1; return;
        }
    }
    if (c.err) q->status_truncated = 1;
}

int bd_query_parse(bd_query *q, const uint8_t *post, size_t n, const bd_format *f, bd_err *err)
{
    return bd_query_parse_as(q, BD_EV_QUERY, post, n, f, err);
}

int bd_query_parse_as(bd_query *q, uint8_t type, const uint8_t *post, size_t n, const bd_format *f,
                      bd_err *err)
{
    memset(q, 0, sizeof *q);
    /* EXECUTE_LOAD_QUERY's post-header is QUERY's plus file id, start and
     * end of the file name in the text, and the duplicate handling */
    unsigned phl = f->post_header_len[type];
    unsigned min = type == BD_EV_EXECUTE_LOAD_QUERY ? 26 : 11;
    if (phl < min) phl = min;
    bd_cur c = bd_cur_make(post, n);
    q->thread_id = bd_cur_u32(&c);
    q->exec_time = bd_cur_u32(&c);
    uint8_t dblen = bd_cur_u8(&c);
    q->error_code = bd_cur_u16(&c);
    size_t svlen = 0;
    if (phl >= 13) svlen = bd_cur_u16(&c);
    if (phl > c.off) bd_cur_skip(&c, phl - c.off);
    const uint8_t *sv = bd_cur_bytes(&c, svlen);
    const uint8_t *db = bd_cur_bytes(&c, dblen);
    bd_cur_skip(&c, 1); /* NUL after db */
    if (c.err)
        return bd_err_set(err, BD_ERR_CORRUPT,
                          "QUERY event too short for status (%zu) and db (%u) at offset %zu", svlen,
                          dblen, c.off);
    if (svlen) parse_status(q, sv, svlen);
    q->db.p = (const char *)db;
    q->db.n = dblen;
    q->query.p = (const char *)(post + c.off);
    q->query.n = bd_cur_left(&c);
    return 0;
}
