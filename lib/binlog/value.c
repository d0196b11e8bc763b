/* value.c - see include/binlogd/value.h.
 *
 * Sources for the layouts: MySQL's decimal2bin/bin2decimal description in
 * strings/decimal.c, and the "date and time data type representation"
 * chapter of the MySQL internals manual (TIME2/DATETIME2/TIMESTAMP2).
 */
#include "binlogd/value.h"
#include "binlogd/cursor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes that hold a group of n < 9 decimal digits; a full group takes 4. */
static const uint8_t dig2bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
static const uint32_t pow10_u32[10] = {1,      10,      100,      1000,      10000,
                                       100000, 1000000, 10000000, 100000000, 1000000000};

enum {
    DIG_PER_GROUP = 9,
    /* MySQL allows precision 65 and scale 30; MariaDB allows scale up to 38. */
    DEC_MAX_PREC = 65,
    DEC_MAX_SCALE = 38,
    /* Enough for 65 digits however they are split, plus padding groups. */
    DEC_MAX_BYTES = 40,
    DEC_MAX_DIGITS = 90,
};

static inline uint32_t be_n(const uint8_t *p, unsigned n) { return (uint32_t)bd_be(p, n); }

static size_t dec_part_size(unsigned digits)
{
    return (size_t)(digits / DIG_PER_GROUP) * 4 + dig2bytes[digits % DIG_PER_GROUP];
}

size_t bd_newdecimal_size(unsigned prec, unsigned scale)
{
    if (prec == 0 || prec > DEC_MAX_PREC || scale > prec || scale > DEC_MAX_SCALE) return 0;
    return dec_part_size(prec - scale) + dec_part_size(scale);
}

/* Nine digits of v (< 10^9), zero padded, two per division. */
static char *put9(char *o, uint32_t v)
{
    for (int i = 8; i > 0; i -= 2) {
        uint32_t r = v % 100;
        v /= 100;
        o[i] = (char)('0' + r % 10);
        o[i - 1] = (char)('0' + r / 10);
    }
    o[0] = (char)('0' + v);
    return o + 9;
}

/* ndig digits of v, zero padded. */
static char *put_digits(char *o, uint32_t v, unsigned ndig)
{
    for (unsigned i = ndig; i-- > 0;) {
        o[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return o + ndig;
}

/* Digits of v without leading zeros (v > 0). */
static char *put_plain(char *o, uint32_t v)
{
    unsigned n = 1;
    while (n < 10 && v >= pow10_u32[n])
        n++;
    return put_digits(o, v, n);
}

int bd_fmt_newdecimal(bd_buf *out, const uint8_t *p, size_t avail, unsigned prec, unsigned scale,
                      size_t *used, bd_err *err)
{
    size_t size = bd_newdecimal_size(prec, scale);
    if (size == 0)
        return bd_err_set(err, BD_ERR_CORRUPT, "NEWDECIMAL: invalid precision %u / scale %u", prec,
                          scale);
    if (avail < size)
        return bd_err_set(err, BD_ERR_CORRUPT,
                          "NEWDECIMAL(%u,%u): needs %zu bytes at value byte 0, only %zu left", prec,
                          scale, size, avail);

    /* Storage: big-endian groups of 9 digits in 4 bytes (a short group in
     * dig2bytes[] bytes) - a short leading integer group, whole integer
     * groups, whole fraction groups, a short trailing fraction group.  A
     * negative number has every byte inverted, and the top bit of the
     * first byte is flipped so that the bytes compare like the numbers. */
    int neg = !(p[0] & 0x80);
    uint32_t mask = neg ? 0xffffffffu : 0;
    unsigned intg = prec - scale;
    unsigned lead = intg % DIG_PER_GROUP, nfi = intg / DIG_PER_GROUP;
    unsigned nff = scale / DIG_PER_GROUP, trail = scale % DIG_PER_GROUP;
    char t[DEC_MAX_DIGITS + 4], *o = t + 1; /* t[0]: room for the sign */
    size_t off = 0;
    uint32_t any = 0;
    int started = 0;
#define DEC_GROUP(ndig, v)                                                                         \
    do {                                                                                           \
        unsigned nb_ = (ndig) == DIG_PER_GROUP ? 4 : dig2bytes[(ndig)];                            \
        uint32_t x_ = (uint32_t)bd_be(p + off, nb_);                                               \
        if (off == 0) x_ ^= 0x80u << (8 * (nb_ - 1));                                              \
        x_ = (x_ ^ mask) & (nb_ == 4 ? 0xffffffffu : ((1u << (8 * nb_)) - 1));                     \
        if (x_ >= pow10_u32[(ndig)])                                                               \
            return bd_err_set(err, BD_ERR_CORRUPT,                                                 \
                              "NEWDECIMAL(%u,%u): group at value byte %zu holds %lu, more than "   \
                              "%u digits",                                                         \
                              prec, scale, off, (unsigned long)x_, (unsigned)(ndig));              \
        off += nb_;                                                                                \
        (v) = x_;                                                                                  \
    } while (0)
    uint32_t g;
    if (lead) {
        DEC_GROUP(lead, g);
        any |= g;
        if (g) {
            o = put_plain(o, g);
            started = 1;
        }
    }
    for (unsigned k = 0; k < nfi; k++) {
        DEC_GROUP(DIG_PER_GROUP, g);
        any |= g;
        if (started) {
            o = put9(o, g);
        } else if (g) {
            o = put_plain(o, g);
            started = 1;
        }
    }
    if (!started) *o++ = '0';
    if (scale) {
        *o++ = '.';
        for (unsigned k = 0; k < nff; k++) {
            DEC_GROUP(DIG_PER_GROUP, g);
            any |= g;
            o = put9(o, g);
        }
        if (trail) {
            DEC_GROUP(trail, g);
            any |= g;
            o = put_digits(o, g, trail);
        }
    }
#undef DEC_GROUP
    /* An all-zero value with the sign bit saying negative would print as
     * "-0.00"; the server never means that, so the sign is dropped. */
    char *start = t + 1;
    if (neg && any) *--start = '-';
    bd_buf_add(out, start, (size_t)(o - start));
    *used = size;
    return 0;
}

int bd_fmt_olddecimal(bd_buf *out, const uint8_t *p, size_t n, bd_err *err)
{
    size_t i = 0;
    while (i < n && p[i] == ' ')
        i++;
    if (i == n) return bd_err_set(err, BD_ERR_CORRUPT, "DECIMAL (old): %zu bytes of blanks", n);

    int neg = 0;
    if (p[i] == '-' || p[i] == '+') {
        neg = p[i] == '-';
        i++;
    }
    size_t int_start = i;
    while (i < n && p[i] >= '0' && p[i] <= '9')
        i++;
    size_t int_end = i, frac_start = i, frac_end = i;
    if (i < n && p[i] == '.') {
        frac_start = ++i;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
        frac_end = i;
    }
    if (i < n)
        return bd_err_set(err, BD_ERR_CORRUPT,
                          "DECIMAL (old): unexpected byte 0x%02x at value byte %zu", p[i], i);
    if (int_end == int_start && frac_end == frac_start)
        return bd_err_set(err, BD_ERR_CORRUPT, "DECIMAL (old): no digits in %zu bytes", n);

    /* Same canonical form as NEWDECIMAL: ZEROFILL zeros go, one "0" stays
     * before the point, and a zero value carries no sign. */
    while (int_start < int_end && p[int_start] == '0')
        int_start++;
    int zero = int_start == int_end;
    for (size_t k = frac_start; zero && k < frac_end; k++)
        if (p[k] != '0') zero = 0;

    if (neg && !zero) bd_buf_addc(out, '-');
    if (int_start == int_end)
        bd_buf_addc(out, '0');
    else
        bd_buf_add(out, p + int_start, int_end - int_start);
    if (frac_end > frac_start) {
        bd_buf_addc(out, '.');
        bd_buf_add(out, p + frac_start, frac_end - frac_start);
    }
    return 0;
}

/* The digits are the fewest that read back to the same binary value; they
 * are laid out the way ECMAScript's Number::toString does (and so
 * JSON.stringify): plain notation for 1e-7 <= |v| < 1e21, "1e+21" / "1.5e-7"
 * beyond.  That keeps integers such as 100 looking like integers, where %g
 * with the shortest precision would give "1e+02". */
static void add_shortest(bd_buf *out, double v, int is_float)
{
    if (!isfinite(v)) {
        bd_buf_adds(out, "null");
        return;
    }
    if (v == 0) {
        bd_buf_adds(out, signbit(v) ? "-0" : "0");
        return;
    }
    /* 9 significant digits always identify a float, 17 a double. */
    int maxprec = is_float ? 9 : 17;
    char e[48];
    for (int prec = 1; prec <= maxprec; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, v);
        if (is_float ? strtof(e, NULL) == (float)v : strtod(e, NULL) == v) break;
    }

    /* Take the digits and the exponent back out of "-d.ddde+XX".  Anything
     * that is not a digit before the 'e' is the locale's decimal point. */
    char digs[24];
    int k = 0;
    const char *c = e;
    int neg = *c == '-';
    if (neg) c++;
    for (; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9' && k < (int)sizeof digs) digs[k++] = *c;
    int n = (*c == 'e' ? atoi(c + 1) : 0) + 1; /* digits before the point */
    while (k > 1 && digs[k - 1] == '0')
        k--;

    if (neg) bd_buf_addc(out, '-');
    if (k <= n && n <= 21) {
        bd_buf_add(out, digs, (size_t)k);
        for (int i = k; i < n; i++)
            bd_buf_addc(out, '0');
    } else if (0 < n && n <= 21) {
        bd_buf_add(out, digs, (size_t)n);
        bd_buf_addc(out, '.');
        bd_buf_add(out, digs + n, (size_t)(k - n));
    } else if (-6 < n && n <= 0) {
        bd_buf_adds(out, "0.");
        for (int i = n; i < 0; i++)
            bd_buf_addc(out, '0');
        bd_buf_add(out, digs, (size_t)k);
    } else {
        bd_buf_addc(out, digs[0]);
        if (k > 1) {
            bd_buf_addc(out, '.');
            bd_buf_add(out, digs + 1, (size_t)(k - 1));
        }
        bd_buf_addc(out, 'e');
        bd_buf_addc(out, n - 1 < 0 ? '-' : '+');
        bd_buf_add_u64(out, (uint64_t)(n - 1 < 0 ? 1 - n : n - 1));
    }
}

void bd_fmt_float(bd_buf *out, float v) { add_shortest(out, v, 1); }

void bd_fmt_double(bd_buf *out, double v) { add_shortest(out, v, 0); }

/* ---- temporal ---- */

/* Temporal text is written into a small array, then appended once: these
 * run for every temporal column of every row. */
static inline char *put2(char *o, unsigned v)
{
    o[0] = (char)('0' + v / 10 % 10);
    o[1] = (char)('0' + v % 10);
    return o + 2;
}

static char *put_ymd(char *o, unsigned y, unsigned m, unsigned d)
{
    o = put2(o, y / 100);
    o = put2(o, y % 100);
    *o++ = '-';
    o = put2(o, m);
    *o++ = '-';
    return put2(o, d);
}

static char *put_hms(char *o, unsigned h, unsigned mi, unsigned s)
{
    if (h >= 100) *o++ = (char)('0' + h / 100 % 10);
    o = put2(o, h % 100);
    *o++ = ':';
    o = put2(o, mi);
    *o++ = ':';
    return put2(o, s);
}

/* The column's fsp decides the digits, not the stored value: MySQL prints
 * TIME(3) 1.5 s as "00:00:01.500" and truncates (never rounds) extra digits. */
static char *put_frac(char *o, uint32_t usec, unsigned fsp)
{
    if (fsp == 0) return o;
    char t[6];
    uint32_t v = usec % 1000000;
    for (unsigned i = 6; i > 0; i--) {
        t[i - 1] = (char)('0' + v % 10);
        v /= 10;
    }
    *o++ = '.';
    memcpy(o, t, fsp);
    return o + fsp;
}

void bd_fmt_temporal(bd_buf *out, int with_date, unsigned y, unsigned m, unsigned d, int with_time,
                     int neg, unsigned h, unsigned mi, unsigned s, uint32_t usec, unsigned fsp)
{
    char t[40], *o = t;
    if (with_date) o = put_ymd(o, y, m, d);
    if (with_date && with_time) *o++ = ' ';
    if (with_time) {
        if (neg) *o++ = '-';
        o = put_hms(o, h, mi, s);
        o = put_frac(o, usec, fsp > 6 ? 6 : fsp);
    }
    bd_buf_add(out, t, (size_t)(o - t));
}

static size_t frac_bytes(unsigned fsp) { return (fsp + 1) / 2; }

/* Fraction of DATETIME2/TIMESTAMP2, stored unsigned big-endian in units of
 * 1/100 s (1 byte), 1/10000 s (2 bytes) or 1 us (3 bytes). */
static int read_frac(const uint8_t *p, unsigned fsp, uint32_t *usec, const char *type, size_t at,
                     bd_err *err)
{
    unsigned nb = (unsigned)frac_bytes(fsp);
    uint32_t v = nb ? be_n(p, nb) : 0;
    static const uint32_t limit[4] = {1, 100, 10000, 1000000};
    static const uint32_t unit[4] = {0, 10000, 100, 1};
    if (v >= limit[nb])
        return bd_err_set(err, BD_ERR_CORRUPT,
                          "%s(%u): fraction %lu at value byte %zu is out of range", type, fsp,
                          (unsigned long)v, at);
    *usec = v * unit[nb];
    return 0;
}

static int check_fsp(unsigned fsp, const char *type, bd_err *err)
{
    if (fsp > 6)
        return bd_err_set(err, BD_ERR_CORRUPT, "%s: fractional precision %u is above 6", type, fsp);
    return 0;
}

static int check_avail(size_t need, size_t avail, unsigned fsp, const char *type, bd_err *err)
{
    if (avail < need)
        return bd_err_set(err, BD_ERR_CORRUPT,
                          "%s(%u): needs %zu bytes at value byte 0, only %zu left", type, fsp, need,
                          avail);
    return 0;
}

int bd_fmt_date(bd_buf *out, uint32_t packed, bd_err *err)
{
    unsigned d = packed & 31, m = (packed >> 5) & 15, y = packed >> 9;
    if (packed > 0xffffff || m > 12 || y > 9999)
        return bd_err_set(err, BD_ERR_CORRUPT, "DATE: 0x%06lx is not a date (month %u year %u)",
                          (unsigned long)packed, m, y);
    char t[32];
    bd_buf_add(out, t, (size_t)(put_ymd(t, y, m, d) - t));
    return 0;
}

unsigned bd_year_value(uint8_t v) { return v ? 1900u + v : 0u; }

int bd_fmt_time(bd_buf *out, int32_t v, bd_err *err)
{
    /* Widen first: the magnitude of INT32_MIN does not fit an int32_t. */
    int64_t w = v;
    int neg = w < 0;
    uint64_t a = (uint64_t)(neg ? -w : w);
    unsigned h = (unsigned)(a / 10000), mi = (unsigned)(a / 100 % 100), s = (unsigned)(a % 100);
    if (h > 838 || mi > 59 || s > 59)
        return bd_err_set(err, BD_ERR_CORRUPT, "TIME: %ld is not a time of day", (long)v);
    char t[32], *o = t;
    if (neg) *o++ = '-';
    o = put_hms(o, h, mi, s);
    bd_buf_add(out, t, (size_t)(o - t));
    return 0;
}

int bd_fmt_time2(bd_buf *out, const uint8_t *p, size_t avail, unsigned fsp, size_t *used,
                 bd_err *err)
{
    if (check_fsp(fsp, "TIME2", err) < 0) return -1;
    size_t n = 3 + frac_bytes(fsp);
    if (check_avail(n, avail, fsp, "TIME2", err) < 0) return -1;

    /* The stored bytes are (seconds-part << 24 | microseconds) + 2^47 packed
     * into 6 bytes; shorter fsp keep fewer fraction bytes.  With 1 or 2
     * fraction bytes the fraction is a two's complement borrow against the
     * integer part, so -0.01 s is stored as int part -1, fraction 0xff. */
    int64_t intpart = (int64_t)be_n(p, 3) - 0x800000;
    int64_t packed;
    switch (frac_bytes(fsp)) {
    case 0: packed = intpart * (1 << 24); break;
    case 1: {
        int64_t frac = p[3];
        if (intpart < 0 && frac) {
            intpart++;
            frac -= 0x100;
        }
        packed = intpart * (1 << 24) + frac * 10000;
        break;
    }
    case 2: {
        int64_t frac = be_n(p + 3, 2);
        if (intpart < 0 && frac) {
            intpart++;
            frac -= 0x10000;
        }
        packed = intpart * (1 << 24) + frac * 100;
        break;
    }
    default:
        packed = (int64_t)(((uint64_t)be_n(p, 3) << 24) | be_n(p + 3, 3)) - ((int64_t)1 << 47);
        break;
    }

    int neg = packed < 0;
    uint64_t a = (uint64_t)(neg ? -packed : packed);
    uint64_t hms = a >> 24;
    uint32_t usec = (uint32_t)(a & 0xffffff);
    unsigned h = (unsigned)(hms >> 12), mi = (unsigned)(hms >> 6) & 63, s = (unsigned)hms & 63;
    if (h > 838 || mi > 59 || s > 59 || usec > 999999)
        return bd_err_set(err, BD_ERR_CORRUPT,
                          "TIME2(%u): bytes at value byte 0 decode to %u:%u:%u.%lu, not a time",
                          fsp, h, mi, s, (unsigned long)usec);
    char t[32], *o = t;
    if (neg) *o++ = '-';
    o = put_hms(o, h, mi, s);
    o = put_frac(o, usec, fsp);
    bd_buf_add(out, t, (size_t)(o - t));
    *used = n;
    return 0;
}

int bd_fmt_datetime(bd_buf *out, uint64_t v, bd_err *err)
{
    uint64_t date = v / 1000000, time = v % 1000000;
    if (date / 10000 > 9999)
        return bd_err_set(err, BD_ERR_CORRUPT, "DATETIME: %llu is not YYYYMMDDhhmmss",
                          (unsigned long long)v);
    unsigned y = (unsigned)(date / 10000), m = (unsigned)(date / 100 % 100),
             d = (unsigned)(date % 100);
    unsigned h = (unsigned)(time / 10000), mi = (unsigned)(time / 100 % 100),
             s = (unsigned)(time % 100);
    if (m > 12 || d > 31 || h > 23 || mi > 59 || s > 59)
        return bd_err_set(err, BD_ERR_CORRUPT, "DATETIME: %llu is not YYYYMMDDhhmmss",
                          (unsigned long long)v);
    char t[32], *o = t;
    o = put_ymd(o, y, m, d);
    *o++ = ' ';
    o = put_hms(o, h, mi, s);
    bd_buf_add(out, t, (size_t)(o - t));
    return 0;
}

int bd_fmt_datetime2(bd_buf *out, const uint8_t *p, size_t avail, unsigned fsp, size_t *used,
                     bd_err *err)
{
    if (check_fsp(fsp, "DATETIME2", err) < 0) return -1;
    size_t n = 5 + frac_bytes(fsp);
    if (check_avail(n, avail, fsp, "DATETIME2", err) < 0) return -1;

    /* 40 bits: sign (set for every value a DATETIME can hold), 17 bits of
     * year*13+month, 5 day, 5 hour, 6 minute, 6 second. */
    uint64_t raw = ((uint64_t)p[0] << 32) | be_n(p + 1, 4);
    if (!(raw & 0x8000000000ULL))
        return bd_err_set(err, BD_ERR_CORRUPT,
                          "DATETIME2(%u): sign bit clear at value byte 0 (negative datetime)", fsp);
    uint64_t ip = raw & 0x7fffffffffULL;
    uint64_t ymd = ip >> 17, hms = ip & 0x1ffff;
    unsigned ym = (unsigned)(ymd >> 5), d = (unsigned)(ymd & 31);
    unsigned y = ym / 13, m = ym % 13;
    unsigned h = (unsigned)(hms >> 12), mi = (unsigned)(hms >> 6) & 63, s = (unsigned)hms & 63;
    if (y > 9999 || h > 23 || mi > 59 || s > 59)
        return bd_err_set(err, BD_ERR_CORRUPT,
                          "DATETIME2(%u): bytes at value byte 0 decode to %u-%u-%u %u:%u:%u, not "
                          "a datetime",
                          fsp, y, m, d, h, mi, s);
    uint32_t usec = 0;
    if (read_frac(p + 5, fsp, &usec, "DATETIME2", 5, err) < 0) return -1;
    char t[32], *o = t;
    o = put_ymd(o, y, m, d);
    *o++ = ' ';
    o = put_hms(o, h, mi, s);
    o = put_frac(o, usec, fsp);
    bd_buf_add(out, t, (size_t)(o - t));
    *used = n;
    return 0;
}

/* Proleptic Gregorian date of a day count from 1970-01-01, done by hand so
 * that neither the process time zone nor gmtime's locking is involved.
 * Days are shifted to an era starting 0000-03-01, so that the leap day is
 * the last day of the (March-based) year and months have fixed offsets. */
static void date_from_epoch_days(uint32_t days, unsigned *y, unsigned *m, unsigned *d)
{
    uint32_t z = days + 719468;
    uint32_t era = z / 146097;
    uint32_t doe = z - era * 146097;                                      /* 0..146096 */
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* 0..365 */
    uint32_t mp = (5 * doy + 2) / 153;                                    /* 0 = March */
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

/* Seconds 0 is the zero timestamp whatever the fraction says: the server
 * treats tv_sec 0 as "0000-00-00 00:00:00" before it looks at tv_usec. */
static void add_timestamp(bd_buf *out, uint32_t secs, uint32_t usec, unsigned fsp)
{
    char t[32], *o = t;
    if (secs == 0) {
        memcpy(o, "0000-00-00 00:00:00", 19);
        o = put_frac(o + 19, 0, fsp);
    } else {
        unsigned y, m, d;
        date_from_epoch_days(secs / 86400, &y, &m, &d);
        uint32_t tod = secs % 86400;
        o = put_ymd(o, y, m, d);
        *o++ = ' ';
        o = put_hms(o, tod / 3600, tod / 60 % 60, tod % 60);
        o = put_frac(o, usec, fsp);
    }
    bd_buf_add(out, t, (size_t)(o - t));
}

int bd_fmt_timestamp(bd_buf *out, uint32_t secs, bd_err *err)
{
    (void)err; /* every 32-bit count of seconds is a valid instant */
    add_timestamp(out, secs, 0, 0);
    return 0;
}

int bd_fmt_timestamp2(bd_buf *out, const uint8_t *p, size_t avail, unsigned fsp, size_t *used,
                      bd_err *err)
{
    if (check_fsp(fsp, "TIMESTAMP2", err) < 0) return -1;
    size_t n = 4 + frac_bytes(fsp);
    if (check_avail(n, avail, fsp, "TIMESTAMP2", err) < 0) return -1;
    uint32_t usec = 0;
    if (read_frac(p + 4, fsp, &usec, "TIMESTAMP2", 4, err) < 0) return -1;
    add_timestamp(out, be_n(p, 4), usec, fsp);
    *used = n;
    return 0;
}
