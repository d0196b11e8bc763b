/* encode.h - the JSON envelope of docs/format.md.
 *
 * A row message is written in two parts so a sink can hold the last row
 * of a transaction until it knows it is the last: bd_encode_row() writes
 * everything up to the transaction fields, bd_encode_row_tail() closes it.
 * Appends to out; check bd_buf_failed(out) once at the end.
 */
#ifndef BINLOGD_ENCODE_H
#define BINLOGD_ENCODE_H

#include "binlogd/buf.h"
#include "binlogd/decoder.h"

void bd_encode_row(bd_buf *out, const bd_row *row);

/* The same with a cache of the "source" text shared by the rows of one
 * event (a sink keeps one per stream; init/release pair). */
typedef struct bd_enc_cache {
    bd_buf source;
    int valid;
    uint64_t pos;
    uint32_t inner;
    size_t file_json_len;
    char file_json[256];
} bd_enc_cache;
void bd_enc_cache_init(bd_enc_cache *c);
void bd_enc_cache_release(bd_enc_cache *c);
void bd_encode_row_cached(bd_buf *out, const bd_row *row, bd_enc_cache *cache);
void bd_encode_row_tail(bd_buf *out, int has_xid, uint64_t xid, int last);
/* One value as JSON (not for BD_V_ABSENT). */
void bd_encode_value(bd_buf *out, const bd_value *v);
/* The Kafka key: the primary key columns as a JSON object ({"id":42});
 * all columns present in the image when the table has no known key. */
void bd_encode_key(bd_buf *out, const bd_row *row);
/* The key of the columns cols[0..n) in that order (a primary key or the
 * configured key columns): each from the after image, or from the before
 * image where the after image lacks it (binlog_row_image=MINIMAL) or
 * there is none (a delete). */
void bd_encode_key_cols(bd_buf *out, const bd_row *row, const uint32_t *cols, uint32_t n);
/* A TRUNCATE of db.table (docs/format.md, op "t"): everything up to the
 * transaction fields, as bd_encode_row(); close it with
 * bd_encode_row_tail(). */
void bd_encode_truncate(bd_buf *out, const bd_event *ev, const char *db, size_t dbn,
                        const char *table, size_t tn);
/* `dump --events` line for a non-row event (no trailing newline). */
void bd_encode_event(bd_buf *out, const bd_event *ev);

#endif
