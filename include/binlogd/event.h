/* event.h - binlog event types, the common header, FORMAT_DESCRIPTION, and
 * the decoded forms of the non-row events.
 *
 * Pure parsing: functions take bytes and return typed structs whose string
 * fields point into the caller's bytes (or into a scratch buffer named in
 * the comment); nothing here allocates except where a bd_buf is passed.
 */
#ifndef BINLOGD_EVENT_H
#define BINLOGD_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/buf.h"
#include "binlogd/error.h"

enum bd_event_type {
    BD_EV_UNKNOWN = 0,
    BD_EV_START_V3 = 1,
    BD_EV_QUERY = 2,
    BD_EV_STOP = 3,
    BD_EV_ROTATE = 4,
    BD_EV_INTVAR = 5,
    BD_EV_LOAD = 6,
    BD_EV_SLAVE = 7,
    BD_EV_CREATE_FILE = 8,
    BD_EV_APPEND_BLOCK = 9,
    BD_EV_EXEC_LOAD = 10,
    BD_EV_DELETE_FILE = 11,
    BD_EV_NEW_LOAD = 12,
    BD_EV_RAND = 13,
    BD_EV_USER_VAR = 14,
    BD_EV_FORMAT_DESCRIPTION = 15,
    BD_EV_XID = 16,
    BD_EV_BEGIN_LOAD_QUERY = 17,
    BD_EV_EXECUTE_LOAD_QUERY = 18,
    BD_EV_TABLE_MAP = 19,
    BD_EV_PRE_GA_WRITE_ROWS = 20,
    BD_EV_PRE_GA_UPDATE_ROWS = 21,
    BD_EV_PRE_GA_DELETE_ROWS = 22,
    BD_EV_WRITE_ROWS_V1 = 23,
    BD_EV_UPDATE_ROWS_V1 = 24,
    BD_EV_DELETE_ROWS_V1 = 25,
    BD_EV_INCIDENT = 26,
    BD_EV_HEARTBEAT = 27,
    BD_EV_IGNORABLE = 28,
    BD_EV_ROWS_QUERY = 29,
    BD_EV_WRITE_ROWS_V2 = 30,
    BD_EV_UPDATE_ROWS_V2 = 31,
    BD_EV_DELETE_ROWS_V2 = 32,
    BD_EV_GTID = 33,
    BD_EV_ANONYMOUS_GTID = 34,
    BD_EV_PREVIOUS_GTIDS = 35,
    BD_EV_TRANSACTION_CONTEXT = 36,
    BD_EV_VIEW_CHANGE = 37,
    BD_EV_XA_PREPARE = 38,
    BD_EV_PARTIAL_UPDATE_ROWS = 39,
    BD_EV_TRANSACTION_PAYLOAD = 40,
    BD_EV_HEARTBEAT_V2 = 41,
    BD_EV_GTID_TAGGED = 42,
    /* MariaDB */
    BD_EV_MARIA_ANNOTATE_ROWS = 160,
    BD_EV_MARIA_BINLOG_CHECKPOINT = 161,
    BD_EV_MARIA_GTID = 162,
    BD_EV_MARIA_GTID_LIST = 163,
    BD_EV_MARIA_START_ENCRYPTION = 164,
    BD_EV_MARIA_QUERY_COMPRESSED = 165,
    BD_EV_MARIA_WRITE_ROWS_COMPRESSED_V1 = 166,
    BD_EV_MARIA_UPDATE_ROWS_COMPRESSED_V1 = 167,
    BD_EV_MARIA_DELETE_ROWS_COMPRESSED_V1 = 168,
    BD_EV_MARIA_WRITE_ROWS_COMPRESSED = 169,
    BD_EV_MARIA_UPDATE_ROWS_COMPRESSED = 170,
    BD_EV_MARIA_DELETE_ROWS_COMPRESSED = 171,
};

#define BD_LOG_EVENT_BINLOG_IN_USE_F 0x1
#define BD_LOG_EVENT_IGNORABLE_F 0x80
#define BD_EVENT_HEADER_LEN 19
#define BD_BINLOG_MAGIC "\xfe\x62\x69\x6e"

/* Name of an event type ("WRITE_ROWS_V2"), or NULL for an unknown type. */
const char *bd_event_type_name(unsigned type);

enum bd_flavor { BD_FLAVOR_UNKNOWN = 0, BD_FLAVOR_MYSQL, BD_FLAVOR_MARIADB };
enum bd_checksum { BD_CHECKSUM_OFF = 0, BD_CHECKSUM_CRC32 = 1, BD_CHECKSUM_UNDEF = 255 };

/* What the FORMAT_DESCRIPTION event tells about the events that follow. */
typedef struct bd_format {
    unsigned binlog_version; /* 1, 3 or 4 */
    unsigned header_len;     /* 13 (v1) or 19 */
    char server_version[51];
    unsigned version_num; /* major*10000 + minor*100 + patch */
    enum bd_flavor flavor;
    enum bd_checksum checksum;
    uint32_t created;
    uint8_t post_header_len[256]; /* indexed by event type; 0 when not given */
} bd_format;

/* A server version string ("10.11.6-MariaDB-log", "8.4.2") as a number
 * major*10000 + minor*100 + patch (parts above 99 count as 99); 0 when it
 * does not start with a number.  Shared by the FDE and the live source. */
unsigned bd_version_number(const char *v);

/* A format for a file whose FDE has not been seen (or for v1/v3 files). */
void bd_format_default(bd_format *f, unsigned binlog_version);

typedef struct bd_header {
    uint32_t timestamp;
    uint8_t type;
    uint32_t server_id;
    uint32_t event_size;
    uint32_t log_pos; /* end position of the event; 0 inside TRANSACTION_PAYLOAD */
    uint16_t flags;
} bd_header;

/* Parse the common header (f->header_len bytes; f may be NULL for v4). */
int bd_header_parse(bd_header *h, const uint8_t *p, size_t len, const bd_format *f, bd_err *err);

/* Parse a FORMAT_DESCRIPTION event (whole event, header included) into f,
 * verifying its own CRC when it has one and verify is set.  A
 * START_EVENT_V3 (binlog v1 or v3) is accepted too. */
int bd_format_parse(bd_format *f, const uint8_t *ev, size_t len, int verify, bd_err *err);

/* Verify the CRC32 trailer of a whole event (as written by the server; the
 * FDE's CRC is computed with the in-use flag cleared). */
int bd_event_crc_ok(const uint8_t *ev, size_t len);

/* ---- decoded non-row events --------------------------------------------
 * String fields (ptr,len) point into the event bytes unless noted. */
typedef struct bd_str {
    const char *p;
    size_t n;
} bd_str;

typedef struct bd_query {
    uint32_t thread_id, exec_time;
    uint16_t error_code;
    bd_str db, query;
    /* selected status variables; has_* say whether present */
    int has_flags2, has_sql_mode, has_charset, has_time_zone, has_xid, has_hrnow;
    uint32_t flags2;
    uint64_t sql_mode;
    uint16_t charset_client, collation_connection, collation_server;
    bd_str time_zone, catalog;
    uint64_t ddl_xid; /* MySQL Q_DDL_LOGGED_WITH_XID or MariaDB Q_XID */
    uint32_t hrnow_us;
    int status_truncated; /* an unknown status variable stopped their parsing */
} bd_query;

typedef struct bd_gtid_mysql {
    uint8_t flags;
    uint8_t uuid[16];
    int64_t gno;
    bd_str tag; /* GTID_TAGGED only */
    int has_logical_ts;
    int64_t last_committed, sequence_number;
    int has_commit_ts;
    uint64_t immediate_commit_us, original_commit_us;
    int has_trx_length;
    uint64_t trx_length;
    int has_server_version;
    uint32_t immediate_server_version, original_server_version;
} bd_gtid_mysql;

typedef struct bd_gtid_maria {
    uint64_t seq_no;
    uint32_t domain_id;
    uint32_t server_id;
    uint8_t flags;
    int has_commit_id;
    uint64_t commit_id;
} bd_gtid_maria;

/* Append a MySQL GTID set (PREVIOUS_GTIDS, either encoding) / MariaDB GTID
 * list, as text, to out.  The MySQL ones, like bd_uuid_text() and the
 * tagged forms, are in gtid_tagged.c; event.c calls none of them. */
int bd_previous_gtids_text(bd_buf *out, const uint8_t *body, size_t n, bd_err *err);
/* The tagged encoding of PREVIOUS_GTIDS (MySQL 8.3+; format byte 1 in the
 * top byte of the leading n_sids word).  bd_previous_gtids_text() calls it
 * when it sees that format. */
int bd_previous_gtids_tagged_text(bd_buf *out, const uint8_t *body, size_t n, bd_err *err);
int bd_maria_gtid_list_text(bd_buf *out, const uint8_t *body, size_t n, bd_err *err);
/* A server uuid as text, 8-4-4-4-12 lower-case hex digits. */
void bd_uuid_text(bd_buf *out, const uint8_t uuid[16]);

int bd_query_parse(bd_query *q, const uint8_t *post, size_t n, const bd_format *f, bd_err *err);
/* The same for the QUERY-like event type 'type' (BD_EV_EXECUTE_LOAD_QUERY:
 * the LOAD DATA statement of a statement-logged LOAD, whose post-header
 * is longer). */
int bd_query_parse_as(bd_query *q, uint8_t type, const uint8_t *post, size_t n, const bd_format *f,
                      bd_err *err);
int bd_gtid_mysql_parse(bd_gtid_mysql *g, const uint8_t *body, size_t n, bd_err *err);
int bd_gtid_tagged_parse(bd_gtid_mysql *g, const uint8_t *body, size_t n, bd_err *err);
int bd_gtid_maria_parse(bd_gtid_maria *g, uint32_t server_id, const uint8_t *body, size_t n,
                        bd_err *err);

#endif
