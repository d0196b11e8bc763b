/* jsonbin.h - MySQL's binary JSON (the storage format of JSON columns in a
 * MySQL binlog) to JSON text, and application of partial-update diffs.
 *
 * MariaDB stores JSON as text and never reaches this module.
 *
 * Text form: compact (no spaces), object members in stored order, strings
 * escaped as JSON requires, numbers exact (int64/uint64 as integers, double
 * in the shortest round-trip form, DECIMAL from its exact digits).  OPAQUE
 * values with a temporal type (DATE, TIME, DATETIME, TIMESTAMP) become the
 * string form of that value ("2024-01-02", "12:00:00.500000", "2024-01-02
 * 03:04:05.000000"), DECIMAL becomes a number, and any other opaque value
 * becomes a "base64:type<N>:<base64>" string, as MySQL's JSON_UNQUOTE does
 * for binary data.
 *
 * Both functions append to out and return 0, or return -1 with a message
 * in err naming the offset inside the document and what was wrong.  They
 * never read outside [p, p+len) and never recurse deeper than
 * BD_JSONBIN_MAX_DEPTH (MySQL's own limit is 100).
 */
#ifndef BINLOGD_JSONBIN_H
#define BINLOGD_JSONBIN_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/buf.h"
#include "binlogd/error.h"

#define BD_JSONBIN_MAX_DEPTH 150

/* A whole binary JSON document (type byte + value).  An empty document
 * (len 0) is the JSON null that MySQL writes for a JSON column set to ''. */
int bd_jsonbin_to_text(bd_buf *out, const uint8_t *p, size_t len, bd_err *err);

/* PARTIAL_UPDATE_ROWS: apply the diff vector 'diff' (the bytes of the JSON
 * column in the after image, after its length prefix: a sequence of
 * operation, path, value entries) to the binary document 'before', and
 * append the full resulting document as JSON text.  A diff that cannot be
 * applied (path missing, wrong container type, malformed) is an error:
 * callers fail closed, they never emit the before document instead. */
int bd_jsonbin_apply_diff(bd_buf *out, const uint8_t *before, size_t before_len,
                          const uint8_t *diff, size_t diff_len, bd_err *err);

#endif
