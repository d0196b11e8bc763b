/* parse.c - see include/binlogd/parse.h. */
#include "binlogd/parse.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int bd_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    if (!s || !*s) return -1;
    unsigned long long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        unsigned d = (unsigned)(*p - '0');
        /* by hand rather than strtoull: it takes " 5", "+5" and "-1" */
        if (v > (ULLONG_MAX - d) / 10) return -1;
        v = v * 10 + d;
    }
    if (v > max) return -1;
    *out = v;
    return 0;
}

/* The number at the start of s in the forms a person writes (digits, a
 * fraction, an exponent), in *d, with *end after it.  strtod alone would
 * also take " 5", "+5", "0x10", "inf" and "nan": the first character must
 * be a digit or '.', and no 'x' may appear anywhere (no unit has one). */
static int leading_number(const char *s, double *d, const char **end)
{
    if (!s || !((*s >= '0' && *s <= '9') || *s == '.') || strpbrk(s, "xX")) return -1;
    char *e;
    errno = 0;
    double v = strtod(s, &e);
    if (e == s || errno || !isfinite(v) || v < 0) return -1;
    *d = v;
    *end = e;
    return 0;
}

int bd_parse_secs(const char *s, double *secs)
{
    double d;
    const char *end;
    if (leading_number(s, &d, &end) < 0) return -1;
    if (!*end || !strcmp(end, "s"))
        ;
    else if (!strcmp(end, "ms"))
        d /= 1000;
    else if (!strcmp(end, "m"))
        d *= 60;
    else if (!strcmp(end, "h"))
        d *= 3600;
    else
        return -1;
    if (!isfinite(d)) return -1;
    *secs = d;
    return 0;
}

int bd_parse_size(const char *s, uint64_t *bytes)
{
    double d;
    const char *end;
    if (leading_number(s, &d, &end) < 0) return -1;
    switch (*end) {
    case 'K':
    case 'k': d *= 1024, end++; break;
    case 'M':
    case 'm': d *= 1024.0 * 1024, end++; break;
    case 'G':
    case 'g': d *= 1024.0 * 1024 * 1024, end++; break;
    default: break;
    }
    if (*end == 'B' || *end == 'b') end++;
    /* 2^64 is exact as a double; anything from there on does not fit */
    if (*end || !isfinite(d) || d >= 18446744073709551616.0) return -1;
    *bytes = (uint64_t)floor(d);
    return 0;
}

static int is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A host name or IPv4 address of n bytes at h: letters, digits, '.', '-'
 * and '_' (not the first: "-h" reads as an option, ".x" is no name). */
static int name_ok(const char *h, size_t n)
{
    if (!n || h[0] == '.' || h[0] == '-') return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(h[i]) && h[i] != '.' && h[i] != '-' && h[i] != '_') return 0;
    return 1;
}

/* An IPv6 address of n bytes at h: hex digits, ':' and '.' (an embedded
 * IPv4), at least one ':', then optionally '%' and a zone (an interface
 * name).  That it is a valid address is left to inet_pton/getaddrinfo. */
static int v6_ok(const char *h, size_t n)
{
    const char *pct = memchr(h, '%', n);
    size_t an = pct ? (size_t)(pct - h) : n;
    if (!an || !memchr(h, ':', an)) return 0;
    for (size_t i = 0; i < an; i++) {
        char c = h[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
              c == ':' || c == '.'))
            return 0;
    }
    return !pct || name_ok(pct + 1, n - an - 1);
}

int bd_parse_hostport(const char *s, char *host, size_t hostn, unsigned *port,
                      unsigned default_port, unsigned flags)
{
    if (!s) return BD_HOSTPORT_BAD_HOST;
    const char *h = s, *he, *p = NULL;
    int v6 = 0;
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (!rb) return BD_HOSTPORT_MALFORMED;
        h = s + 1;
        he = rb;
        if (rb[1] == ':')
            p = rb + 2;
        else if (rb[1])
            return BD_HOSTPORT_MALFORMED;
        v6 = 1;
    } else {
        const char *c = strchr(s, ':');
        if (c && strchr(c + 1, ':')) {
            /* "::1:9000": is 9000 the port or the last group?  Only
             * brackets say, unless the caller takes no port there */
            if (!(flags & BD_HOSTPORT_BARE_V6)) return BD_HOSTPORT_MALFORMED;
            he = s + strlen(s);
            v6 = 1;
        } else {
            he = c ? c : s + strlen(s);
            p = c ? c + 1 : NULL;
        }
    }
    size_t hl = (size_t)(he - h);
    if (!(v6 ? v6_ok(h, hl) : name_ok(h, hl)) || hl >= hostn) return BD_HOSTPORT_BAD_HOST;
    unsigned long long v = default_port;
    if (p) {
        if (bd_parse_uint(p, 65535, &v) < 0 || (v == 0 && !(flags & BD_HOSTPORT_ANY_PORT)))
            return BD_HOSTPORT_BAD_PORT;
    } else if (flags & BD_HOSTPORT_NEED_PORT) {
        return BD_HOSTPORT_NO_PORT;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (unsigned)v;
    return 0;
}

const char *bd_hostport_strerror(int rc)
{
    switch (rc) {
    case 0: return "fine";
    case BD_HOSTPORT_BAD_HOST: return "not a host name or IP address";
    case BD_HOSTPORT_BAD_PORT: return "the port is not a number in 1..65535";
    case BD_HOSTPORT_NO_PORT: return "no port (write HOST:PORT)";
    case BD_HOSTPORT_MALFORMED: return "malformed address (IPv6 is written [ADDRESS]:PORT)";
    }
    return "not HOST:PORT";
}

/* Edits from a to b (optimal string alignment: Levenshtein plus the swap
 * of two neighbours), case ignored; stops counting past limit + 1. */
static size_t edits(const char *a, const char *b, size_t limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return limit + 1;
    if ((la > lb ? la - lb : lb - la) > limit) return limit + 1;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int ne = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t v = d[i - 1][j - 1] + (size_t)ne;
            if (d[i - 1][j] + 1 < v) v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 &&
                tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

const char *bd_closest(const char *word, const char *const *cand, size_t n)
{
    size_t wl = strlen(word);
    size_t limit = wl <= 4 ? 1 : wl <= 8 ? 2 : 3, best = limit + 1;
    const char *found = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!cand[i]) continue;
        if (!strcmp(word, cand[i])) return NULL;
        size_t e = edits(word, cand[i], limit);
        if (e < best) {
            best = e;
            found = cand[i];
        }
    }
    return found;
}
