/* value.h - text forms of MySQL column values that need arithmetic to print.
 *
 * Each function appends the canonical text of one stored value to out and
 * returns 0, or returns -1 with a message in err if the stored bytes cannot
 * be a valid value of that type.  No function goes through a double for
 * DECIMAL.  Temporal text follows what the server's SELECT prints (see
 * docs/format.md): zero dates are kept ("0000-00-00"), TIME may be negative
 * and above 24 hours, fractional digits are printed to the column's
 * precision (fsp), never trimmed.
 *
 * "p, avail" is the rest of the row image; *used receives the bytes the
 * value occupies.  Pure functions: no allocation except growing out.
 */
#ifndef BINLOGD_VALUE_H
#define BINLOGD_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/buf.h"
#include "binlogd/error.h"

/* Bytes a NEWDECIMAL(prec, scale) occupies, or 0 if prec/scale are invalid. */
size_t bd_newdecimal_size(unsigned prec, unsigned scale);
/* NEWDECIMAL (type 246): binary, big-endian groups of 9 digits, sign in the top bit. */
int bd_fmt_newdecimal(bd_buf *out, const uint8_t *p, size_t avail, unsigned prec, unsigned scale,
                      size_t *used, bd_err *err);
/* Old DECIMAL (type 0, before MySQL 5.0.3): the digits are stored as ASCII text
 * of n bytes, space padded on the left.  Output is the trimmed number. */
int bd_fmt_olddecimal(bd_buf *out, const uint8_t *p, size_t n, bd_err *err);

/* FLOAT and DOUBLE: the shortest text that reads back to the same value
 * (e.g. 0.1 not 0.10000000149011612 for a FLOAT 0.1).  Non-finite values
 * (which MySQL never stores) are written as null. */
void bd_fmt_float(bd_buf *out, float v);
void bd_fmt_double(bd_buf *out, double v);

/* DATE (type 10): 3 bytes LE, day 5 bits | month 4 bits | year 15 bits -> "YYYY-MM-DD". */
int bd_fmt_date(bd_buf *out, uint32_t packed, bd_err *err);
/* YEAR (type 13): 1 byte, 0 -> 0, else 1900 + v.  Returns the year number. */
unsigned bd_year_value(uint8_t v);
/* Old TIME (type 11): 3 bytes LE signed, value = sign * (HH*10000 + MM*100 + SS). */
int bd_fmt_time(bd_buf *out, int32_t v, bd_err *err);
/* TIME2 (type 19) with fsp 0..6: 3 bytes + (fsp+1)/2 bytes, big-endian, offset encoded. */
int bd_fmt_time2(bd_buf *out, const uint8_t *p, size_t avail, unsigned fsp, size_t *used,
                 bd_err *err);
/* Old DATETIME (type 12): 8 bytes LE unsigned YYYYMMDDhhmmss. */
int bd_fmt_datetime(bd_buf *out, uint64_t v, bd_err *err);
/* DATETIME2 (type 18) with fsp 0..6: 5 bytes + (fsp+1)/2 bytes, big-endian. */
int bd_fmt_datetime2(bd_buf *out, const uint8_t *p, size_t avail, unsigned fsp, size_t *used,
                     bd_err *err);
/* TIMESTAMP (type 7): 4 bytes LE seconds since the epoch, printed in UTC as
 * "YYYY-MM-DD HH:MM:SS"; 0 is the zero timestamp "0000-00-00 00:00:00". */
int bd_fmt_timestamp(bd_buf *out, uint32_t secs, bd_err *err);
/* TIMESTAMP2 (type 17) with fsp 0..6: 4 bytes big-endian seconds + (fsp+1)/2 bytes. */
int bd_fmt_timestamp2(bd_buf *out, const uint8_t *p, size_t avail, unsigned fsp, size_t *used,
                      bd_err *err);

/* The text of broken-down temporal parts, shared by the column formats
 * above and MySQL's JSON temporal values: "YYYY-MM-DD" when with_date,
 * then (after a space when both) "[-]HH:MM:SS" when with_time, then fsp
 * fraction digits of usec.  No range checks: callers check first. */
void bd_fmt_temporal(bd_buf *out, int with_date, unsigned y, unsigned m, unsigned d, int with_time,
                     int neg, unsigned h, unsigned mi, unsigned s, uint32_t usec, unsigned fsp);

#endif
