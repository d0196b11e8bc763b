/* fuzz_value.c - libFuzzer harness: the bd_fmt_* value formatters.
 *
 * Input: byte 0 picks the function (mod 12), bytes 1 and 2 are its
 * parameters (precision, scale, fsp, or the YEAR byte), the rest is the
 * stored value (copied to an exact-size heap block so that ASan sees a
 * read past the end).  Fixed-width arguments (DATE, TIME, DATETIME,
 * TIMESTAMP, FLOAT, DOUBLE) are read little-endian from the rest, zero
 * padded when it is short.
 *
 * Besides sanitizer findings, each success is checked against what
 * value.h promises:
 *   NEWDECIMAL  text is -?(0|[1-9]d*)(.d{scale})?, *used equals
 *               bd_newdecimal_size(), and encoding the text back with
 *               MySQL's decimal2bin gives the input bytes (a zero may have
 *               lost its sign);
 *   old DECIMAL a JSON number;
 *   FLOAT/DOUBLE "null" exactly for non-finite values, otherwise a JSON
 *               number that reads back (strtof/strtod) to the same value;
 *   temporals   the exact shape (YYYY-MM-DD, [-]HH[H]:MM:SS[.f{fsp}] ...),
 *               fields in range, *used as the layout says; TIMESTAMP and
 *               TIMESTAMP2 dates agree with gmtime_r().
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binlogd/value.h"
#include "fuzz_common.h"

static bd_buf out = BD_BUF_INIT;

static uint64_t le_pad(const uint8_t *p, size_t n, unsigned w)
{
    uint64_t v = 0;
    for (unsigned i = w; i-- > 0;)
        v = (v << 8) | (i < n ? p[i] : 0);
    return v;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* n digits at s[*i], value in *v; 0 if not digits */
static int digits(const char *s, size_t len, size_t *i, unsigned n, unsigned *v)
{
    unsigned r = 0;
    if (*i + n > len) return 0;
    for (unsigned k = 0; k < n; k++) {
        if (!is_digit(s[*i + k])) return 0;
        r = r * 10 + (unsigned)(s[*i + k] - '0');
    }
    *i += n;
    *v = r;
    return 1;
}

static int lit(const char *s, size_t len, size_t *i, char c)
{
    if (*i >= len || s[*i] != c) return 0;
    (*i)++;
    return 1;
}

static void bad_shape(const char *what)
{
    fz_show(out.ptr, out.len, 0);
    fz_die("%s: output has the wrong shape", what);
}

/* YYYY-MM-DD at s[*i] */
static void check_ymd(const char *what, size_t *i, unsigned *y, unsigned *m, unsigned *d)
{
    const char *s = out.ptr;
    size_t n = out.len;
    if (!digits(s, n, i, 4, y) || !lit(s, n, i, '-') || !digits(s, n, i, 2, m) ||
        !lit(s, n, i, '-') || !digits(s, n, i, 2, d))
        bad_shape(what);
    if (*m > 12 || *d > 31) bad_shape(what);
}

/* HH:MM:SS (hour 2 digits, or 3 when allowed and >= 100) and the fraction */
static void check_hms(const char *what, size_t *i, int long_hours, unsigned fsp, unsigned *h,
                      unsigned *mi, unsigned *sec)
{
    const char *s = out.ptr;
    size_t n = out.len;
    size_t st = *i;
    while (*i < n && is_digit(s[*i]))
        (*i)++;
    size_t hd = *i - st;
    *i = st;
    if (hd != 2 && !(long_hours && hd == 3)) bad_shape(what);
    if (!digits(s, n, i, (unsigned)hd, h) || !lit(s, n, i, ':') || !digits(s, n, i, 2, mi) ||
        !lit(s, n, i, ':') || !digits(s, n, i, 2, sec))
        bad_shape(what);
    if ((hd == 3 && *h < 100) || *h > (long_hours ? 838u : 23u) || *mi > 59 || *sec > 59)
        bad_shape(what);
    if (fsp) {
        unsigned f;
        if (!lit(s, n, i, '.') || !digits(s, n, i, fsp, &f)) bad_shape(what);
    }
}

static void check_end(const char *what, size_t i)
{
    if (i != out.len) bad_shape(what);
}

/* MySQL's decimal2bin of a text -?D+(.D+)? with intg/scale digits. */
static const uint8_t dig2bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
static size_t dec_encode(uint8_t *b, int neg, const char *ip, size_t in, const char *fp, size_t fn,
                         unsigned prec, unsigned scale)
{
    unsigned intg = prec - scale;
    char id[80], fd[80];
    /* left-pad the integer digits, right-pad the fraction */
    memset(id, '0', intg);
    memcpy(id + intg - in, ip, in);
    memset(fd, '0', scale);
    memcpy(fd, fp, fn);
    size_t o = 0;
    unsigned k = 0;
    unsigned lead = intg % 9;
    if (lead) {
        uint32_t v = 0;
        for (unsigned j = 0; j < lead; j++)
            v = v * 10 + (unsigned)(id[k++] - '0');
        for (unsigned j = dig2bytes[lead]; j-- > 0;)
            b[o++] = (uint8_t)(v >> (8 * j));
    }
    for (unsigned g = 0; g < intg / 9; g++) {
        uint32_t v = 0;
        for (unsigned j = 0; j < 9; j++)
            v = v * 10 + (unsigned)(id[k++] - '0');
        for (unsigned j = 4; j-- > 0;)
            b[o++] = (uint8_t)(v >> (8 * j));
    }
    k = 0;
    for (unsigned g = 0; g < scale / 9; g++) {
        uint32_t v = 0;
        for (unsigned j = 0; j < 9; j++)
            v = v * 10 + (unsigned)(fd[k++] - '0');
        for (unsigned j = 4; j-- > 0;)
            b[o++] = (uint8_t)(v >> (8 * j));
    }
    unsigned tail = scale % 9;
    if (tail) {
        uint32_t v = 0;
        for (unsigned j = 0; j < tail; j++)
            v = v * 10 + (unsigned)(fd[k++] - '0');
        for (unsigned j = dig2bytes[tail]; j-- > 0;)
            b[o++] = (uint8_t)(v >> (8 * j));
    }
    b[0] ^= 0x80;
    if (neg)
        for (size_t j = 0; j < o; j++)
            b[j] ^= 0xff;
    return o;
}

static void check_newdecimal(const uint8_t *p, size_t n, unsigned prec, unsigned scale, size_t used)
{
    const char *what = "bd_fmt_newdecimal";
    size_t want = bd_newdecimal_size(prec, scale);
    if (!want || used != want || used > n)
        fz_die("%s(%u,%u): used %zu, size %zu, avail %zu", what, prec, scale, used, want, n);
    const char *s = out.ptr;
    size_t len = out.len, i = 0;
    int neg = lit(s, len, &i, '-');
    size_t is = i;
    while (i < len && is_digit(s[i]))
        i++;
    size_t in = i - is;
    if (in == 0 || (in > 1 && s[is] == '0')) bad_shape(what);
    size_t fs = i, fn = 0;
    if (scale) {
        if (!lit(s, len, &i, '.')) bad_shape(what);
        fs = i;
        while (i < len && is_digit(s[i]))
            i++;
        fn = i - fs;
        if (fn != scale) bad_shape(what);
    }
    check_end(what, i);
    if (in > prec - scale && !(in == 1 && s[is] == '0')) bad_shape(what);
    int zero = 1;
    for (size_t k = 0; k < len; k++)
        if (is_digit(s[k]) && s[k] != '0') zero = 0;
    if (neg && zero) bad_shape(what); /* "-0.00" is never printed */
    /* "0" before the point stands for no integer digits */
    size_t ilen = (in == 1 && s[is] == '0') ? 0 : in;
    uint8_t b[64];
    size_t bl = dec_encode(b, neg, s + is, ilen, s + fs, fn, prec, scale);
    if (bl != want) fz_die("%s: harness encoder made %zu bytes, want %zu", what, bl, want);
    if (memcmp(b, p, bl) != 0) {
        int ok = 0;
        if (zero) { /* a negative zero prints without its sign */
            dec_encode(b, 1, s + is, ilen, s + fs, fn, prec, scale);
            ok = memcmp(b, p, bl) == 0;
        }
        if (!ok) {
            fz_show(out.ptr, out.len, 0);
            fz_die("%s(%u,%u): the text does not encode back to the input bytes", what, prec,
                   scale);
        }
    }
}

static void check_float(const char *what, double v, int is_float)
{
    if (!isfinite(v)) {
        if (strcmp(out.ptr, "null") != 0) bad_shape(what);
        return;
    }
    fz_expect_json(what, out.ptr, out.len);
    if (out.ptr[0] != '-' && !is_digit(out.ptr[0])) bad_shape(what);
    char *end;
    int same;
    if (is_float) {
        float r = strtof(out.ptr, &end);
        same = r == (float)v && signbit(r) == signbit((float)v);
    } else {
        double r = strtod(out.ptr, &end);
        same = r == v && signbit(r) == signbit(v);
    }
    if (*end) bad_shape(what);
    if (!same) {
        fz_show(out.ptr, out.len, 0);
        fz_die("%s: %.17g does not read back from its text", what, v);
    }
    /* significant digits: at most 9 (float) or 17 (double) */
    unsigned sig = 0;
    int started = 0;
    for (size_t i = 0; i < out.len && out.ptr[i] != 'e'; i++) {
        char c = out.ptr[i];
        if (!is_digit(c)) continue;
        if (c != '0') started = 1;
        if (started) sig++;
    }
    /* trailing zeros of an integer are not significant: count them out */
    if (sig > (is_float ? 9u : 17u) && !strchr(out.ptr, '.') && !strchr(out.ptr, 'e')) {
        size_t k = out.len;
        while (k > 0 && out.ptr[k - 1] == '0')
            k--, sig--;
    }
    if (sig > (is_float ? 9u : 17u)) {
        fz_show(out.ptr, out.len, 0);
        fz_die("%s: %u significant digits", what, sig);
    }
}

static void check_epoch(const char *what, uint32_t secs, size_t *i, unsigned fsp)
{
    unsigned y, m, d, h, mi, s;
    check_ymd(what, i, &y, &m, &d);
    if (!lit(out.ptr, out.len, i, ' ')) bad_shape(what);
    check_hms(what, i, 0, fsp, &h, &mi, &s);
    check_end(what, *i);
    if (secs == 0) {
        if (y || m || d || h || mi || s) bad_shape(what);
        if (fsp && strspn(out.ptr + 20, "0") != fsp) bad_shape(what);
        return;
    }
    time_t t = (time_t)secs;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) fz_die("gmtime_r failed");
    if ((int)y != tm.tm_year + 1900 || (int)m != tm.tm_mon + 1 || (int)d != tm.tm_mday ||
        (int)h != tm.tm_hour || (int)mi != tm.tm_min || (int)s != tm.tm_sec) {
        fz_show(out.ptr, out.len, 0);
        fz_die("%s: %u seconds; gmtime says %04d-%02d-%02d %02d:%02d:%02d", what, secs,
               tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    unsigned sel = data[0] % 12, a = data[1], b = data[2];
    size_t n = size - 3;
    uint8_t *p = fz_dup(data + 3, n);
    bd_err err;
    memset(&err, 0, sizeof err);
    bd_buf_reset(&out);
    size_t used = (size_t)-1, i = 0;
    unsigned fsp = a % 8; /* 7 is invalid on purpose */
    unsigned y, m, d, h, mi, s;
    int rc = 0;
    const char *what = "?";
    switch (sel) {
    case 0: {
        what = "bd_fmt_newdecimal";
        unsigned prec = a % 72, scale = b % 72; /* past 65 / 38 on purpose */
        rc = bd_fmt_newdecimal(&out, p, n, prec, scale, &used, &err);
        if (rc == 0) check_newdecimal(p, n, prec, scale, used);
        break;
    }
    case 1:
        what = "bd_fmt_olddecimal";
        rc = bd_fmt_olddecimal(&out, p, n, &err);
        if (rc == 0) {
            fz_expect_json(what, out.ptr, out.len);
            if (out.ptr[0] != '-' && !is_digit(out.ptr[0])) bad_shape(what);
        }
        break;
    case 2: {
        what = "bd_fmt_float";
        uint32_t bits = (uint32_t)le_pad(p, n, 4);
        float f;
        memcpy(&f, &bits, 4);
        bd_fmt_float(&out, f);
        check_float(what, f, 1);
        break;
    }
    case 3: {
        what = "bd_fmt_double";
        uint64_t bits = le_pad(p, n, 8);
        double v;
        memcpy(&v, &bits, 8);
        bd_fmt_double(&out, v);
        check_float(what, v, 0);
        break;
    }
    case 4:
        what = "bd_fmt_date";
        rc = bd_fmt_date(&out, (uint32_t)le_pad(p, n, 4), &err);
        if (rc == 0) {
            check_ymd(what, &i, &y, &m, &d);
            check_end(what, i);
        }
        break;
    case 5: {
        unsigned yv = bd_year_value((uint8_t)a);
        if (a == 0 ? yv != 0 : yv != 1900u + a) fz_die("bd_year_value(%u) = %u", a, yv);
        break;
    }
    case 6: {
        what = "bd_fmt_time";
        int32_t v = (int32_t)(uint32_t)le_pad(p, n, 4);
        rc = bd_fmt_time(&out, v, &err);
        if (rc == 0) {
            lit(out.ptr, out.len, &i, '-');
            check_hms(what, &i, 1, 0, &h, &mi, &s);
            check_end(what, i);
        }
        break;
    }
    case 7:
        what = "bd_fmt_time2";
        rc = bd_fmt_time2(&out, p, n, fsp, &used, &err);
        if (rc == 0) {
            if (used != 3 + (fsp + 1) / 2 || used > n) fz_die("%s: used %zu", what, used);
            lit(out.ptr, out.len, &i, '-');
            check_hms(what, &i, 1, fsp, &h, &mi, &s);
            check_end(what, i);
        }
        break;
    case 8:
        what = "bd_fmt_datetime";
        rc = bd_fmt_datetime(&out, le_pad(p, n, 8), &err);
        if (rc == 0) {
            check_ymd(what, &i, &y, &m, &d);
            if (!lit(out.ptr, out.len, &i, ' ')) bad_shape(what);
            check_hms(what, &i, 0, 0, &h, &mi, &s);
            check_end(what, i);
        }
        break;
    case 9:
        what = "bd_fmt_datetime2";
        rc = bd_fmt_datetime2(&out, p, n, fsp, &used, &err);
        if (rc == 0) {
            if (used != 5 + (fsp + 1) / 2 || used > n) fz_die("%s: used %zu", what, used);
            check_ymd(what, &i, &y, &m, &d);
            if (!lit(out.ptr, out.len, &i, ' ')) bad_shape(what);
            check_hms(what, &i, 0, fsp, &h, &mi, &s);
            check_end(what, i);
        }
        break;
    case 10: {
        what = "bd_fmt_timestamp";
        uint32_t secs = (uint32_t)le_pad(p, n, 4);
        rc = bd_fmt_timestamp(&out, secs, &err);
        if (rc == 0) check_epoch(what, secs, &i, 0);
        break;
    }
    case 11:
        what = "bd_fmt_timestamp2";
        rc = bd_fmt_timestamp2(&out, p, n, fsp, &used, &err);
        if (rc == 0) {
            if (used != 4 + (fsp + 1) / 2 || used > n) fz_die("%s: used %zu", what, used);
            uint32_t secs =
                (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
            check_epoch(what, secs, &i, fsp);
        }
        break;
    }
    if ((sel == 7 || sel == 9 || sel == 11) && fsp > 6 && rc == 0)
        fz_die("%s accepted fsp %u", what, fsp);
    fz_expect_buf(what, &out);
    if (rc < 0)
        fz_expect_err(what, &err);
    else if (rc != 0)
        fz_die("%s returned %d", what, rc);
    free(p);
    /* keep the buffer warm but bounded */
    if (out.cap > 1 << 16) bd_buf_release(&out);
    return 0;
}
