/* tz.c - see include/binlogd/tz.h.  The TZif format is RFC 8536; the
 * footer's TZ string is POSIX's TZ variable with RFC 8536's extension
 * (rule times from -167 to 167 hours). */
#include "binlogd/tz.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define TZ_NAME_MAX 255
/* The largest file in the tz database is under 10 KB; this bounds a read of
 * something that is not a zone at all. */
#define TZ_FILE_MAX (1 << 20)
/* RFC 8536 asks UT offsets to stay within -89999 .. 93599: under 26 h. */
#define TZ_OFF_MAX (26L * 3600)
/* Instants further than this from 1970 (some 2.2 million years) are
 * clamped, so no date arithmetic below can overflow. */
#define TZ_T_LIMIT ((int64_t)1 << 46)
#define DAY 86400

/* A POSIX TZ rule "Mm.w.d[/time]": day of week wday (0 Sunday) of week
 * week (1..5, 5 the last) of month, at time seconds after local midnight. */
struct tz_mrule {
    int month, week, wday;
    long time;
};

struct bd_tz {
    /* Transitions: from trans[i] on, offset types[ttype[i]] applies;
     * before trans[0], types[0] (RFC 8536 3.2). */
    int64_t *trans;
    uint8_t *ttype;
    size_t ntrans;
    long *types; /* UT offsets, seconds east */
    size_t ntypes;
    /* The footer's rule: from the last transition on, or always when there
     * are none.  Fixed-offset zones are a footer without DST. */
    int has_footer;
    int has_dst;
    long std_off, dst_off;
    struct tz_mrule start, end; /* DST starts (in standard time), ends (in DST) */
};

/* ---- calendar arithmetic (proleptic Gregorian, days since 1970-01-01) ---- */

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int is_leap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

static int month_len(int64_t y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return len[m - 1] + (m == 2 && is_leap(y));
}

/* Leap years among years 1..n (counted backwards through year 0 for n < 0,
 * which keeps the difference of two counts right). */
static int64_t leaps_through(int64_t n)
{
    return floordiv(n, 4) - floordiv(n, 100) + floordiv(n, 400);
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    return 365 * (y - 1970) + leaps_through(y - 1) - leaps_through(1969) + before[m - 1] +
           (m > 2 && is_leap(y)) + d - 1;
}

static void civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    /* 146097 days in 400 years: a first guess off by at most one year */
    int64_t yy = 1970 + floordiv(days * 400, 146097);
    while (days_from_civil(yy, 1, 1) > days)
        yy--;
    while (days_from_civil(yy + 1, 1, 1) <= days)
        yy++;
    int64_t doy = days - days_from_civil(yy, 1, 1);
    int mm = 1;
    while (doy >= month_len(yy, mm)) {
        doy -= month_len(yy, mm);
        mm++;
    }
    *y = yy;
    *m = mm;
    *d = (int)doy + 1;
}

/* 0 Sunday .. 6 Saturday; 1970-01-01 was a Thursday. */
static int weekday(int64_t days) { return (int)(days - floordiv(days + 4, 7) * 7 + 4) % 7; }

static int64_t clamp_t(int64_t t)
{
    return t > TZ_T_LIMIT ? TZ_T_LIMIT : t < -TZ_T_LIMIT ? -TZ_T_LIMIT : t;
}

/* ---- offsets ---- */

/* Local seconds (since 1970 on the wall clock) at which rule r fires in year y. */
static int64_t mrule_local(const struct tz_mrule *r, int64_t y)
{
    int64_t first = days_from_civil(y, r->month, 1);
    int day = 1 + (r->wday - weekday(first) + 7) % 7 + 7 * (r->week - 1);
    /* week 5 means the last such day, which may be the fourth */
    while (day > month_len(y, r->month))
        day -= 7;
    return (first + day - 1) * DAY + r->time;
}

static long footer_offset(const bd_tz *tz, int64_t t)
{
    if (!tz->has_dst) return tz->std_off;
    int64_t y;
    int m, d;
    civil_from_days(floordiv(t + tz->std_off, DAY), &y, &m, &d);
    int64_t s = mrule_local(&tz->start, y) - tz->std_off;
    int64_t e = mrule_local(&tz->end, y) - tz->dst_off;
    /* southern zones have DST across the new year: start after end */
    int dst = s < e ? (t >= s && t < e) : !(t >= e && t < s);
    return dst ? tz->dst_off : tz->std_off;
}

long bd_tz_offset(const bd_tz *tz, int64_t t)
{
    t = clamp_t(t);
    if (tz->ntrans == 0) return tz->has_footer ? footer_offset(tz, t) : tz->types[0];
    if (t < tz->trans[0]) return tz->types[0];
    size_t lo = 0, hi = tz->ntrans; /* trans[lo] <= t; the answer is in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    if (lo == tz->ntrans - 1 && tz->has_footer) return footer_offset(tz, t);
    return tz->types[tz->ttype[lo]];
}

/* The instant at which the local clock of tz reads local (seconds since
 * 1970 as read on the wall clock): its first occurrence when the clock
 * shows it twice, and when a change skips it, the moment the clock jumps
 * past it. */
static int64_t local_to_utc(const bd_tz *tz, int64_t local)
{
    /* Any instant whose local time is `local` lies within TZ_OFF_MAX of it,
     * so the offsets in force around it are the only candidates.  Sampling
     * every half hour finds them all: no zone changes its offset twice
     * within 30 minutes. */
    long offs[2 * TZ_OFF_MAX / 1800 + 3];
    size_t n = 1;
    offs[0] = bd_tz_offset(tz, local);
    for (int64_t x = local - TZ_OFF_MAX; x <= local + TZ_OFF_MAX; x += 1800) {
        long o = bd_tz_offset(tz, x);
        size_t i = 0;
        while (i < n && offs[i] != o)
            i++;
        if (i == n) offs[n++] = o;
    }
    int64_t best = INT64_MAX;
    long omin = offs[0], omax = offs[0];
    for (size_t i = 0; i < n; i++) {
        int64_t u = local - offs[i];
        if (bd_tz_offset(tz, u) == offs[i] && u < best) best = u;
        if (offs[i] < omin) omin = offs[i];
        if (offs[i] > omax) omax = offs[i];
    }
    if (best != INT64_MAX) return best;
    /* Skipped.  At lo the clock reads before `local` (off(lo) <= omax and
     * no instant reads it exactly), at hi after: bisect to the jump. */
    int64_t lo = local - omax, hi = local - omin;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (mid + bd_tz_offset(tz, mid) < local)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

int64_t bd_tz_daily_before(const bd_tz *tz, int secs, int64_t t)
{
    assert(secs >= 0 && secs < DAY);
    t = clamp_t(t);
    int64_t day = floordiv(t + bd_tz_offset(tz, t), DAY);
    /* the next local day first: after a backward change its time may
     * still lie before t (never in the tz database, cheap to rule out) */
    for (int64_t d = day + 1;; d--) {
        int64_t u = local_to_utc(tz, d * DAY + secs);
        if (u <= t) return u;
    }
}

int64_t bd_tz_daily_after(const bd_tz *tz, int secs, int64_t t)
{
    assert(secs >= 0 && secs < DAY);
    t = clamp_t(t);
    int64_t day = floordiv(t + bd_tz_offset(tz, t), DAY);
    for (int64_t d = day - 1;; d++) {
        int64_t u = local_to_utc(tz, d * DAY + secs);
        if (u >= t) return u;
    }
}

/* ---- the footer's TZ string ---- */

/* A zone abbreviation: "<...>" of letters, digits, '+' and '-', or three
 * or more letters.  The end, or NULL. */
static const char *tzs_name(const char *p)
{
    const char *b;
    if (*p == '<') {
        b = ++p;
        while (isalnum((unsigned char)*p) || *p == '+' || *p == '-')
            p++;
        return *p == '>' && p - b >= 3 ? p + 1 : NULL;
    }
    b = p;
    while (isalpha((unsigned char)*p))
        p++;
    return p - b >= 3 ? p : NULL;
}

/* Up to `max` digits as a number <= lim; the end, or NULL. */
static const char *tzs_num(const char *p, int max, long lim, long *v)
{
    long n = 0;
    int k = 0;
    while (k < max && isdigit((unsigned char)p[k]))
        n = n * 10 + (p[k++] - '0');
    if (!k || n > lim) return NULL;
    *v = n;
    return p + k;
}

/* "[+-]hh[:mm[:ss]]" with hh <= maxh, into signed seconds; the end or NULL. */
static const char *tzs_hms(const char *p, long maxh, long *out)
{
    int neg = 0;
    long h, m = 0, s = 0;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    if (!(p = tzs_num(p, 3, maxh, &h))) return NULL;
    if (*p == ':') {
        if (!(p = tzs_num(p + 1, 2, 59, &m))) return NULL;
        if (*p == ':' && !(p = tzs_num(p + 1, 2, 59, &s))) return NULL;
    }
    *out = (neg ? -1 : 1) * (h * 3600 + m * 60 + s);
    return p;
}

/* A rule after ','; the end, or NULL with why. */
static const char *tzs_rule(const char *p, struct tz_mrule *r, char *why, size_t wn)
{
    long v;
    if (*p == 'J' || isdigit((unsigned char)*p)) {
        snprintf(why, wn,
                 "its DST rule '%.16s' counts days of the year (J<n> or <n>); only "
                 "M<month>.<week>.<day> rules are supported",
                 p);
        return NULL;
    }
    if (*p != 'M' || !(p = tzs_num(p + 1, 2, 12, &v)) || v < 1) goto bad;
    r->month = (int)v;
    if (*p != '.' || !(p = tzs_num(p + 1, 1, 5, &v)) || v < 1) goto bad;
    r->week = (int)v;
    if (*p != '.' || !(p = tzs_num(p + 1, 1, 6, &v))) goto bad;
    r->wday = (int)v;
    r->time = 2 * 3600;
    if (*p == '/' && !(p = tzs_hms(p + 1, 167, &r->time))) goto bad;
    return p;
bad:
    snprintf(why, wn, "malformed DST rule in its TZ string");
    return NULL;
}

/* The footer's TZ string s ("" for none) into tz; 0, or -1 with why. */
static int parse_tzstring(bd_tz *tz, const char *s, char *why, size_t wn)
{
    const char *p = s;
    long v;
    if (!*s) return 0;
    /* POSIX offsets count west of Greenwich: "EST5" is UTC-5 */
    if (!(p = tzs_name(p)) || !(p = tzs_hms(p, 24, &v))) goto bad;
    tz->std_off = -v;
    tz->has_footer = 1;
    if (!*p) return 0;
    if (!(p = tzs_name(p))) goto bad;
    tz->dst_off = tz->std_off + 3600;
    if (*p && *p != ',') {
        if (!(p = tzs_hms(p, 24, &v))) goto bad;
        tz->dst_off = -v;
    }
    if (*p != ',') {
        snprintf(why, wn, "its TZ string '%s' has DST but no rules", s);
        return -1;
    }
    if (!(p = tzs_rule(p + 1, &tz->start, why, wn))) return -1;
    if (*p != ',') goto bad;
    if (!(p = tzs_rule(p + 1, &tz->end, why, wn))) return -1;
    if (*p) goto bad;
    tz->has_dst = 1;
    return 0;
bad:
    snprintf(why, wn, "malformed TZ string '%s'", s);
    return -1;
}

/* ---- TZif ---- */

struct tzif_hdr {
    int version; /* 0, or '2', '3', '4' */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int read_hdr(const uint8_t *p, size_t n, struct tzif_hdr *h)
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0) return -1;
    h->version = p[4];
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    return 0;
}

/* Bytes of a data block with time values of tsize bytes. */
static uint64_t block_size(const struct tzif_hdr *h, unsigned tsize)
{
    return (uint64_t)h->timecnt * tsize + h->timecnt + (uint64_t)h->typecnt * 6 + h->charcnt +
           (uint64_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

/* A data block at p (header h, times of tsize bytes) into tz; 0, or -1 with why. */
static int read_block(bd_tz *tz, const struct tzif_hdr *h, const uint8_t *p, unsigned tsize,
                      char *why, size_t wn)
{
    if (h->leapcnt) {
        snprintf(why, wn, "it counts leap seconds (a right/ zone); use the zone without them");
        return -1;
    }
    if (h->typecnt == 0 || h->typecnt > 256 || (h->isutcnt && h->isutcnt != h->typecnt) ||
        (h->isstdcnt && h->isstdcnt != h->typecnt)) {
        snprintf(why, wn, "malformed TZif header (type count %u)", h->typecnt);
        return -1;
    }
    tz->ntrans = h->timecnt;
    tz->ntypes = h->typecnt;
    tz->trans = malloc((h->timecnt ? h->timecnt : 1) * sizeof *tz->trans);
    tz->ttype = malloc(h->timecnt ? h->timecnt : 1);
    tz->types = malloc(h->typecnt * sizeof *tz->types);
    if (!tz->trans || !tz->ttype || !tz->types) {
        snprintf(why, wn, "out of memory");
        return -1;
    }
    for (uint32_t i = 0; i < h->timecnt; i++) {
        const uint8_t *q = p + (size_t)i * tsize;
        int64_t t;
        if (tsize == 8)
            t = (int64_t)((uint64_t)be32(q) << 32 | be32(q + 4));
        else
            t = (int32_t)be32(q);
        if (i && t <= tz->trans[i - 1]) {
            snprintf(why, wn, "transition %u is not after the one before it", i);
            return -1;
        }
        tz->trans[i] = t;
    }
    p += (size_t)h->timecnt * tsize;
    for (uint32_t i = 0; i < h->timecnt; i++) {
        if (p[i] >= h->typecnt) {
            snprintf(why, wn, "transition %u names time type %u of %u", i, p[i], h->typecnt);
            return -1;
        }
        tz->ttype[i] = p[i];
    }
    p += h->timecnt;
    for (uint32_t i = 0; i < h->typecnt; i++) {
        int32_t off = (int32_t)be32(p + 6 * i);
        if (off <= -TZ_OFF_MAX || off >= TZ_OFF_MAX) {
            snprintf(why, wn, "time type %u has offset %ld s (more than 26 h)", i, (long)off);
            return -1;
        }
        tz->types[i] = off;
    }
    return 0;
}

static int parse_tzif(bd_tz *tz, const uint8_t *p, size_t n, char *why, size_t wn)
{
    struct tzif_hdr h;
    if (read_hdr(p, n, &h) < 0) {
        snprintf(why, wn, "not a TZif file");
        return -1;
    }
    uint64_t b1 = block_size(&h, 4);
    if (44 + b1 > n) goto truncated;
    if (h.version == 0) return read_block(tz, &h, p + 44, 4, why, wn);
    if (h.version < '2') {
        snprintf(why, wn, "unknown TZif version 0x%02x", h.version);
        return -1;
    }
    /* version 2 and later: the 64-bit block after the 32-bit one, then the footer */
    size_t off = 44 + (size_t)b1;
    struct tzif_hdr h2;
    if (read_hdr(p + off, n - off, &h2) < 0) {
        snprintf(why, wn, "no second TZif header at byte %zu", off);
        return -1;
    }
    uint64_t b2 = block_size(&h2, 8);
    if (off + 44 + b2 > n) goto truncated;
    if (read_block(tz, &h2, p + off + 44, 8, why, wn) < 0) return -1;
    off += 44 + (size_t)b2;
    const uint8_t *nl = off < n ? memchr(p + off + 1, '\n', n - off - 1) : NULL;
    if (off >= n || p[off] != '\n' || !nl) {
        snprintf(why, wn, "no footer at byte %zu", off);
        return -1;
    }
    char s[128];
    size_t sl = (size_t)(nl - (p + off + 1));
    if (sl >= sizeof s) {
        snprintf(why, wn, "its TZ string is longer than %zu bytes", sizeof s - 1);
        return -1;
    }
    memcpy(s, p + off + 1, sl);
    s[sl] = '\0';
    return parse_tzstring(tz, s, why, wn);
truncated:
    snprintf(why, wn, "truncated TZif file (%zu bytes)", n);
    return -1;
}

/* ---- loading ---- */

/* "+HH", "+HHMM" or "+HH:MM" (or '-') up to 23:59, into seconds east. */
static int fixed_offset(const char *s, long *off)
{
    if (*s != '+' && *s != '-') return -1;
    int neg = *s == '-';
    const char *p = s + 1;
    for (int i = 0; i < 2; i++)
        if (!isdigit((unsigned char)p[i])) return -1;
    long h = (p[0] - '0') * 10 + (p[1] - '0'), m = 0;
    p += 2;
    if (*p == ':') p++;
    if (*p) {
        if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) || p[2]) return -1;
        m = (p[0] - '0') * 10 + (p[1] - '0');
    } else if (p[-1] == ':') {
        return -1;
    }
    if (h > 23 || m > 59) return -1;
    *off = (neg ? -1 : 1) * (h * 3600 + m * 60);
    return 0;
}

/* A name that may be looked up under the zone directory: relative, no
 * "..", only the characters of the tz database's names. */
static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > TZ_NAME_MAX || s[0] == '/' || strstr(s, "..")) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("/_-+.", s[i])) return 0;
    return 1;
}

/* The whole file at path (at most TZ_FILE_MAX bytes) into *out; 0, or -1 with errno. */
static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    uint8_t *p = malloc(TZ_FILE_MAX);
    if (!p) {
        fclose(f);
        errno = ENOMEM;
        return -1;
    }
    size_t n = fread(p, 1, TZ_FILE_MAX, f);
    int e = ferror(f) ? errno : 0; /* a directory reads as EISDIR */
    fclose(f);
    if (e) {
        free(p);
        errno = e;
        return -1;
    }
    if (n == TZ_FILE_MAX) {
        free(p);
        errno = EFBIG;
        return -1;
    }
    *out = p;
    *len = n;
    return 0;
}

void bd_tz_free(bd_tz *tz)
{
    if (!tz) return;
    free(tz->trans);
    free(tz->ttype);
    free(tz->types);
    free(tz);
}

bd_tz *bd_tz_load(const char *name, bd_err *err)
{
    bd_tz *tz = calloc(1, sizeof *tz);
    if (!tz) {
        bd_err_set(err, BD_ERR_NOMEM, "time zone '%s': out of memory", name);
        return NULL;
    }
    long off = 0;
    if (!strcasecmp(name, "UTC") || !strcmp(name, "Z") || fixed_offset(name, &off) == 0) {
        tz->has_footer = 1;
        tz->std_off = off;
        tz->types = malloc(sizeof *tz->types);
        if (!tz->types) {
            bd_tz_free(tz);
            bd_err_set(err, BD_ERR_NOMEM, "time zone '%s': out of memory", name);
            return NULL;
        }
        tz->types[0] = off;
        tz->ntypes = 1;
        return tz;
    }
    if (name[0] == '+' || name[0] == '-') {
        bd_tz_free(tz);
        bd_err_set(err, BD_ERR_UNSUPPORTED,
                   "time zone '%.*s': not an offset (give +HH:MM, +HHMM or +HH, up to 23:59)",
                   TZ_NAME_MAX, name);
        return NULL;
    }
    if (!name_ok(name)) {
        bd_tz_free(tz);
        bd_err_set(err, BD_ERR_UNSUPPORTED,
                   "time zone '%.*s': not a zone name (give an IANA name such as "
                   "Asia/Shanghai, UTC, or an offset such as +08:00)",
                   TZ_NAME_MAX, name);
        return NULL;
    }
    /* TZDIR is read here, not cached: a test or a reload may change it */
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir) dir = TZ_DEFAULT_DIR;
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        bd_tz_free(tz);
        bd_err_set(err, BD_ERR_IO, "time zone '%s': path under %s too long", name, dir);
        return NULL;
    }
    uint8_t *data = NULL;
    size_t len = 0;
    if (read_file(path, &data, &len) < 0) {
        int e = errno;
        bd_tz_free(tz);
        if (e == ENOENT || e == ENOTDIR)
            bd_err_set(err, BD_ERR_IO, "time zone '%s': unknown (no file %s)", name, path);
        else
            bd_err_set(err, BD_ERR_IO, "time zone '%s': cannot read %s: %s", name, path,
                       strerror(e));
        return NULL;
    }
    char why[256] = "";
    int r = parse_tzif(tz, data, len, why, sizeof why);
    free(data);
    if (r < 0) {
        bd_tz_free(tz);
        bd_err_set(err, BD_ERR_CORRUPT, "time zone '%s': %s: %s", name, path, why);
        return NULL;
    }
    return tz;
}

/* ---- text ---- */

/* Exactly n digits at p into *v; the end, or NULL. */
static const char *digits(const char *p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)p[i])) return NULL;
        x = x * 10 + (p[i] - '0');
    }
    *v = x;
    return p + n;
}

/* "H:MM", "HH:MM", optionally ":SS"; seconds after midnight; the end or NULL. */
static const char *clock_at(const char *p, int *secs)
{
    int h, m, s = 0;
    if (!isdigit((unsigned char)p[0])) return NULL;
    const char *q = isdigit((unsigned char)p[1]) ? digits(p, 2, &h) : digits(p, 1, &h);
    if (!q || *q != ':' || !(q = digits(q + 1, 2, &m))) return NULL;
    if (*q == ':' && !(q = digits(q + 1, 2, &s))) return NULL;
    if (h > 23 || m > 59 || s > 59) return NULL;
    *secs = h * 3600 + m * 60 + s;
    return q;
}

int bd_clock_parse(const char *s)
{
    int secs;
    const char *e = clock_at(s, &secs);
    return e && !*e ? secs : -1;
}

/* ".ddd" (1 to 9 digits) into µs, truncated; the end (p itself when no '.'), or NULL. */
static const char *fraction(const char *p, int64_t *us)
{
    *us = 0;
    if (*p != '.') return p;
    p++;
    int k = 0;
    int64_t scale = 100000;
    while (isdigit((unsigned char)p[k])) {
        if (k == 9) return NULL;
        *us += (p[k] - '0') * scale;
        scale /= 10;
        k++;
    }
    return k ? p + k : NULL;
}

int bd_time_parse(const char *s, const bd_tz *tz, int64_t now_us, int64_t *out_us)
{
    /* no zone: UTC (a constant, shared read-only) */
    static const long utc_types[1] = {0};
    static const bd_tz utc = {.types = (long *)utc_types, .ntypes = 1, .has_footer = 1};
    if (!tz) tz = &utc;
    int64_t frac;
    int secs;
    if (s[0] == '@') {
        /* Unix seconds up to the year 9999 */
        int64_t v = 0;
        const char *p = s + 1;
        if (!isdigit((unsigned char)*p)) return -1;
        while (isdigit((unsigned char)*p)) {
            v = v * 10 + (*p++ - '0');
            if (v > 253402300799) return -1;
        }
        if (!(p = fraction(p, &frac)) || *p) return -1;
        *out_us = v * 1000000 + frac;
        return 0;
    }
    if ((secs = bd_clock_parse(s)) >= 0) {
        *out_us = bd_tz_daily_before(tz, secs, floordiv(now_us, 1000000)) * 1000000;
        return 0;
    }
    int y, mo, d;
    const char *p = s;
    if (!(p = digits(p, 4, &y)) || *p != '-' || !(p = digits(p + 1, 2, &mo)) || *p != '-' ||
        !(p = digits(p + 1, 2, &d)))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > month_len(y, mo)) return -1;
    if (*p != 'T' && *p != 't' && *p != ' ') return -1;
    p++;
    /* clock_at also takes "H:MM"; a date and time wants two hour digits */
    if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1])) return -1;
    if (!(p = clock_at(p, &secs)) || !(p = fraction(p, &frac))) return -1;
    int64_t local = days_from_civil(y, mo, d) * DAY + secs;
    if (!*p) {
        *out_us = local_to_utc(tz, local) * 1000000 + frac;
        return 0;
    }
    long off = 0;
    if (*p == 'Z' || *p == 'z') {
        if (p[1]) return -1;
    } else {
        int oh, om;
        if ((*p != '+' && *p != '-') || !digits(p + 1, 2, &oh) || p[3] != ':' ||
            !digits(p + 4, 2, &om) || p[6] || oh > 23 || om > 59)
            return -1;
        off = (*p == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
    }
    *out_us = (local - off) * 1000000 + frac;
    return 0;
}

void bd_time_format(char *buf, int64_t us)
{
    int64_t secs = floordiv(us, 1000000), y;
    int m, d;
    int64_t day = floordiv(secs, DAY), sod = secs - day * DAY;
    civil_from_days(day, &y, &m, &d);
    snprintf(buf, 32, "%04lld-%02d-%02dT%02d:%02d:%02d.%06dZ", (long long)y, m, d,
             (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (int)(us - secs * 1000000));
}
