/* internal.h - declarations shared by the decoder's own files (decoder.c,
 * rows.c): the decoder's state and the row images; not part of the public
 * headers. */
#ifndef BINLOGD_INTERNAL_H
#define BINLOGD_INTERNAL_H

#include "binlogd/charset.h"
#include "binlogd/crc32.h"
#include "binlogd/decoder.h"
#include "tablemap.h" /* bd_table_parse, bd_table_free, bd_table_finish */
#include "tables.h"

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

#endif
