/* charset.h - MySQL/MariaDB collation ids to character sets, and
 * conversion of column text to UTF-8.
 *
 * A bd_conv caches one iconv descriptor per character set it has met, so
 * converting a value allocates nothing once warm.  It is not thread-safe:
 * one per decoder.
 *
 * Ownership: bd_conv_new() returns an object the caller frees with
 * bd_conv_free().  Strings returned by bd_charset_name() are static.
 */
#ifndef BINLOGD_CHARSET_H
#define BINLOGD_CHARSET_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/buf.h"
#include "binlogd/error.h"

enum bd_cs_kind {
    BD_CS_UNKNOWN = 0, /* collation id not in our table */
    BD_CS_BINARY,      /* collation 63: bytes, not text */
    BD_CS_UTF8,        /* utf8mb3 / utf8mb4: bytes are UTF-8 already */
    BD_CS_ASCII,       /* ascii: a subset of UTF-8 */
    BD_CS_CONVERT,     /* any other charset: convert with iconv */
};

/* The MySQL character set name of a collation id ("utf8mb4", "latin1",
 * "gbk", "binary", ...), or NULL when the id is unknown.  Covers every
 * collation id of MySQL 8.0/9.x and MariaDB 10.x/11.x that has a fixed id,
 * including MariaDB's UCA-14 collations. */
const char *bd_charset_name(unsigned collation);
enum bd_cs_kind bd_charset_kind(unsigned collation);
/* Max bytes per character of the collation's charset (1..4), 0 if unknown. */
unsigned bd_charset_mbmaxlen(unsigned collation);

typedef struct bd_conv bd_conv;
bd_conv *bd_conv_new(void);
void bd_conv_free(bd_conv *cv);

/* Append p[0..n), stored in the charset of 'collation', to out as UTF-8.
 * Invalid input for that charset, or an unknown collation, is an error
 * (never a silent replacement): returns -1 with err set. */
int bd_conv_to_utf8(bd_conv *cv, unsigned collation, const uint8_t *p, size_t n, bd_buf *out,
                    bd_err *err);

#endif
