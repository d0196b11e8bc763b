/* tablemap.h - TABLE_MAP bodies to bd_table (lib/binlog/tablemap.c); internal to
 * the decoder, not part of the public headers.
 *
 * Ownership: a table from bd_table_parse() is the caller's, freed with
 * bd_table_free() (the decoder's table-id map, tables.h, frees those it
 * holds). */
#ifndef BINLOGD_TABLEMAP_H
#define BINLOGD_TABLEMAP_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/decoder.h"

/* Parse a TABLE_MAP body (after the common header, without checksum).
 * post_len is the FDE's post-header length for TABLE_MAP (6 or 8); flavor
 * decides which columns the charset metadata counts.  On
 * success *out is a new table the caller frees with bd_table_free(). */
int bd_table_parse(bd_table **out, const uint8_t *body, size_t len, unsigned post_len,
                   enum bd_flavor flavor, bd_err *err);
void bd_table_free(bd_table *t);
/* bd_table_finish() (decoder.h) recomputes what follows from the columns
 * (flags, pre-encoded keys): after parsing and after a schema source
 * filled columns in. */

#endif
