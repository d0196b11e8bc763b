/* position.h - a binlog position as a person writes it: "FILE:POS" or
 * "FILE", e.g. "binlog.000042:1234".  The one syntax of [source] start,
 * dump --from and replay --from / --to.
 *
 * FILE is a binlog name as SHOW BINARY LOGS lists it (a base name, not a
 * path): 1 to 255 bytes (a file name on Linux is at most 255), without
 * '/', ':' (so the first ':' ends it), spaces or control characters.
 * POS is the start of an event: decimal digits (bd_parse_uint) in
 * 4..4294967295.  Below 4 is refused, not rounded up: the first event of
 * every binlog starts at 4, after the magic bytes, so 0..3 is a typo or a
 * misunderstanding and starting elsewhere than asked would hide it; above
 * 2^32-1 is refused because event headers and COM_BINLOG_DUMP carry 32-bit
 * positions.  "FILE" alone means FILE:4.
 *
 * inner is the 1-based index of an event inside a MySQL
 * TRANSACTION_PAYLOAD at pos (0 outside one), as in bd_pos of decoder.h.
 * It is never written: a reader can only be sent to the payload's start,
 * so bd_binpos_parse sets it to 0 and bd_binpos_format leaves it out
 * (what format writes, parse reads back).
 *
 * Ownership: a plain value type, no pointers; copy it freely.
 */
#ifndef BINLOGD_POSITION_H
#define BINLOGD_POSITION_H

#include <stddef.h>
#include <stdint.h>

#define BD_BINPOS_FILE_MAX 256 /* a name of 255 bytes and its NUL */
#define BD_BINPOS_MIN 4ULL
#define BD_BINPOS_MAX 4294967295ULL

typedef struct bd_binpos {
    char file[BD_BINPOS_FILE_MAX];
    uint64_t pos;
    uint32_t inner;
} bd_binpos;

/* Is name (NUL-terminated) a binlog name by the rule above?  1 or 0. */
int bd_binlog_name_ok(const char *name);

/* "FILE:POS" or "FILE" into *out (inner 0).  0, or -1 with *out untouched:
 * a bad FILE, a ':' with no POS after it ("binlog.000003:"), a POS that
 * is not digits ("binlog.000003:12x", "binlog.000003:+5") or out of 4..2^32-1. */
int bd_binpos_parse(const char *s, bd_binpos *out);

/* "FILE:POS" into buf[n].  0, or -1 when it does not fit (buf then holds
 * "" when n > 0). */
int bd_binpos_format(const bd_binpos *p, char *buf, size_t n);

/* Order of two positions: files by the number after their last '.'
 * (binlog.999999 < binlog.1000000; bd_binlog_pos_cmp of
 * schema_history.h), then pos, then inner.  -1, 0 or 1. */
int bd_binpos_cmp(const bd_binpos *a, const bd_binpos *b);

#endif
