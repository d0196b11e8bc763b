/* parse.h - the one parser of the values a person writes: whole numbers,
 * durations, sizes, HOST[:PORT] and (position.h) FILE[:POS].  Config
 * values, command-line options and HTTP query arguments all go through
 * it, so "5M" or "2s" means the same everywhere and is refused the same
 * everywhere.
 *
 * Why not strtoull/strtod: they skip leading spaces and take a sign
 * (strtoull("-1") is 2^64-1), hexadecimal ("0x10"), "inf" and "nan", and
 * stop quietly at the first character they do not want ("5x").  A typo in
 * a config then becomes a different value instead of an error at load.
 * Here the whole string is the value: no space around it, no sign, no
 * hexadecimal, nothing after it.
 *
 * Every function returns 0 with *out set, or a negative number and leaves
 * *out (and host, port) untouched.  No allocation, no state: they may be
 * called from any thread.  The input is user input, never trusted: NULL
 * and the empty string are refused, not asserted.
 *
 * The values read back from a server (SHOW BINARY LOGS, variables) are not
 * parsed here: the server's own format, not a person's, decides them.
 */
#ifndef BINLOGD_PARSE_H
#define BINLOGD_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* The binlog position "FILE[:POS]" is a value of this module too; its type
 * and parser live in position.h, which callers get from here. */
#include "binlogd/position.h"

/* A whole number 0..max in decimal digits and nothing else (leading zeros
 * allowed: "007" is 7).  Refused: "", a sign, spaces, "0x..", a value
 * beyond max or beyond 2^64-1 ("18446744073709551616"). */
int bd_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

/* A duration: a number of seconds ("1.5"; a fraction and an exponent
 * allowed) with an optional unit "s", "ms", "m" or "h" right after it
 * ("500ms", "2m").  Refused: "", a sign, spaces, hexadecimal, "inf",
 * "nan", an unknown unit ("5d"), a value that is not finite after scaling
 * ("1e308h").  The one syntax of config durations, /lag?max=, binlogd gate
 * --wait and dump --heartbeat. */
int bd_parse_secs(const char *s, double *secs);

/* A size in bytes: a number as for bd_parse_secs with an optional unit K,
 * M or G (powers of 1024, either case) and an optional B after it ("16M",
 * "64KB", "1.5G", "4096").  A fraction of a byte is dropped (floor).
 * Refused as durations are, plus an unknown unit ("5T") and a size of
 * 2^64 bytes or more.  Exact for sizes below 2^53 bytes. */
int bd_parse_size(const char *s, uint64_t *bytes);

/* bd_parse_hostport flags */
#define BD_HOSTPORT_NEED_PORT 0x1u /* "HOST" alone is refused (else: default_port) */
#define BD_HOSTPORT_ANY_PORT 0x2u  /* port 0 accepted: a listen address, the system picks */
#define BD_HOSTPORT_BARE_V6                                                                        \
    0x4u /* an IPv6 address without brackets is a HOST without \
                                      a port, as librdkafka's bootstrap.servers takes it */

/* bd_parse_hostport errors (all negative) */
enum {
    BD_HOSTPORT_BAD_HOST = -1,  /* empty, too long for host[hostn], or a character no host has */
    BD_HOSTPORT_BAD_PORT = -2,  /* not decimal digits in 1..65535 (0..65535 with ANY_PORT) */
    BD_HOSTPORT_NO_PORT = -3,   /* no ":PORT" and BD_HOSTPORT_NEED_PORT */
    BD_HOSTPORT_MALFORMED = -4, /* an IPv6 address without [], a '[' without ']', text after ']' */
};

/* "HOST:PORT", "HOST", "[IPV6]:PORT" or "[IPV6]" into host[hostn] (IPv6
 * without its brackets: a host with a ':' in it is IPv6) and *port
 * (default_port when s names none).  HOST is a name or an IPv4 address:
 * letters, digits, '.', '-' and '_', not starting with '.' or '-'; IPV6
 * is hex digits, ':', '.' and a zone after '%', with at least one ':'.
 * Whether HOST resolves is not checked here.  0, or a BD_HOSTPORT_ error
 * (bd_hostport_strerror says it in words). */
int bd_parse_hostport(const char *s, char *host, size_t hostn, unsigned *port,
                      unsigned default_port, unsigned flags);

/* A BD_HOSTPORT_ error in words ("no port (write HOST:PORT)"); a static
 * string. */
const char *bd_hostport_strerror(int rc);

/* For a "did you mean": the candidate (of n; NULL ones skipped) nearest
 * to word in edits (insert, delete, replace, swap of two neighbours,
 * case ignored), if it is near enough to be a slip: at most 1 edit for
 * words up to 4 letters, 2 up to 8, 3 beyond; the first of equals).  NULL
 * when none is, or when word is one of them. */
const char *bd_closest(const char *word, const char *const *cand, size_t n);

#endif
