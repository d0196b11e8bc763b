/* internal.h - declarations shared by the decoder's own files; not part of
 * the public headers. */
#ifndef BINLOGD_INTERNAL_H
#define BINLOGD_INTERNAL_H

#include "binlogd/decoder.h"

/* Parse a TABLE_MAP body (after the common header, without checksum).
 * post_len is the FDE's post-header length for TABLE_MAP (6 or 8); flavor
 * decides which columns the charset metadata counts.  On
 * success *out is a new table the caller frees with bd_table_free(). */
int bd_table_parse(bd_table **out, const uint8_t *body, size_t len, unsigned post_len,
                   enum bd_flavor flavor, bd_err *err);
void bd_table_free(bd_table *t);
/* Recompute what follows from the columns (flags, pre-encoded keys); after
 * parsing and after a schema source filled columns in.  -1 on OOM. */
int bd_table_finish(bd_table *t);

#endif

#include "binlogd/charset.h"
#include "binlogd/crc32.h"

/* Table maps by table id: open addressing, power-of-two capacity. */
typedef struct bd_tables {
    bd_table **slot;
    size_t cap, count;
} bd_tables;

bd_table *bd_tables_get(const bd_tables *m, uint64_t id);
/* Insert or replace (frees the old map of the same id).  -1 on OOM. */
int bd_tables_put(bd_tables *m, bd_table *t);
void bd_tables_clear(bd_tables *m);

struct bd_decoder {
    bd_callbacks cb;
    char *file;
    bd_buf file_json;
    uint32_t file_serial; /* bd_pos.file_serial */
    uint64_t map_serial;  /* the last bd_table.serial given */
    bd_format fmt;
    int have_fde;
    int detail;
    int verify;
    bd_tables tables;
    bd_txn txn;
    bd_buf scratch; /* text of the values of the row being decoded */
    bd_buf detail_buf;
    bd_buf gtid_set; /* text of the last PREVIOUS_GTIDS / GTID_LIST (bd_event.gtid_set) */
    bd_buf inflate;  /* MariaDB compressed events, uncompressed */
    bd_buf payload;  /* TRANSACTION_PAYLOAD, uncompressed */
    bd_value *vals;  /* 2 * vals_cap: before image then after image */
    size_t vals_cap;
    bd_str *jraw; /* before-image binary JSON per column, for partial updates */
    bd_conv *conv;
    bd_crc32 crc;
};

/* Decode a rows event (any of the WRITE/UPDATE/DELETE/PARTIAL variants,
 * uncompressed).  body is the event after the common header, without CRC. */
int bd_rows_decode(bd_decoder *d, const bd_header *h, const uint8_t *body, size_t blen,
                   const bd_pos *pos, bd_err *err);
