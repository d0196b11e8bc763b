/* tz.h - time zones for gates: the UTC offset of a zone at an instant,
 * and the instants at which a daily wall-clock time (e.g. 00:00 in
 * Asia/Shanghai) occurs.
 *
 * A zone is "UTC", a fixed offset ("+08:00", "-05:30", "+0800") or an IANA
 * name read once from the system's TZif files (/usr/share/zoneinfo, or
 * the directory in TZDIR); no process-wide TZ is touched, so several
 * zones work side by side in threads.  Times are Unix seconds.
 *
 * Ownership: bd_tz_load() returns a zone the caller frees with
 * bd_tz_free(); the other functions are pure.
 */
#ifndef BINLOGD_TZ_H
#define BINLOGD_TZ_H

#include <stdint.h>

#include "binlogd/error.h"

typedef struct bd_tz bd_tz;

/* NULL with err naming the zone and why (unknown name, unreadable or
 * malformed TZif file). */
bd_tz *bd_tz_load(const char *name, bd_err *err);
void bd_tz_free(bd_tz *tz);

/* Seconds to add to UTC to get the local time at instant t. */
long bd_tz_offset(const bd_tz *tz, int64_t t);

/* "HH:MM" or "HH:MM:SS" (00:00 .. 23:59:59) into seconds after midnight;
 * -1 when malformed. */
int bd_clock_parse(const char *s);

/* The latest instant <= t at which the local clock of tz reads the time
 * of day secs (a time skipped by a DST change counts at the moment the
 * clock jumps past it; a repeated time counts at its first occurrence). */
int64_t bd_tz_daily_before(const bd_tz *tz, int secs, int64_t t);
/* The earliest instant >= t at which the local clock reads secs. */
int64_t bd_tz_daily_after(const bd_tz *tz, int secs, int64_t t);

/* A time given by a user, into Unix µs: RFC 3339 ("2026-11-27T00:00:00Z",
 * "2026-11-27T00:00:00.5+08:00", a space may replace the T), a date and
 * time without offset ("2026-11-27 00:00[:00]", read in tz), "HH:MM[:SS]"
 * (the latest such time of day <= now in tz) or "@SECONDS" (Unix time,
 * fraction allowed).  A NULL tz is UTC.  Fractions beyond µs are cut.
 * -1 when malformed (*out_us untouched). */
int bd_time_parse(const char *s, const bd_tz *tz, int64_t now_us, int64_t *out_us);

/* RFC 3339 UTC text of a Unix µs time ("2026-11-27T00:00:00.000000Z")
 * into buf (at least 32 bytes). */
void bd_time_format(char *buf, int64_t us);

#endif
