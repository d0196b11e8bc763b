/* json_check.h - a tiny, strict JSON syntax checker for the fuzz harnesses.
 *
 * json_check(p, n) returns NULL when p[0..n) is exactly one JSON value
 * (RFC 8259: no leading/trailing garbage except blanks) written in
 * well-formed UTF-8, or a static message naming what is wrong; *at gets
 * the offset of the problem.  Stricter than RFC 8259 on purpose, because
 * binlogd's encoder must never produce any of these:
 *   - bytes that are not well-formed UTF-8 (overlong, surrogates, > U+10FFFF),
 *   - raw control characters (< 0x20) inside strings,
 *   - \u escapes that form an unpaired UTF-16 surrogate,
 *   - a NUL byte anywhere.
 * json_check_dups() also refuses an object that has the same key twice
 * (byte-for-byte) at nesting depth <= dup_depth (1: the outermost object):
 * a consumer would silently keep only one of the values.
 * Iterative (explicit stack), so deep input cannot overflow the C stack.
 * Header-only: each harness includes it once.
 */
#ifndef FUZZ_JSON_CHECK_H
#define FUZZ_JSON_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define JSON_CHECK_MAX_DEPTH 4096

/* Length of the well-formed UTF-8 sequence at p (lead byte >= 0x80), 0 if bad. */
static size_t jc_utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    if (c >= 0xc2 && c <= 0xdf) {
        if (n < 2 || (p[1] & 0xc0) != 0x80) return 0;
        return 2;
    }
    if (c >= 0xe0 && c <= 0xef) {
        if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80) return 0;
        if (c == 0xe0 && p[1] < 0xa0) return 0;  /* overlong */
        if (c == 0xed && p[1] >= 0xa0) return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
            return 0;
        if (c == 0xf0 && p[1] < 0x90) return 0;  /* overlong */
        if (c == 0xf4 && p[1] >= 0x90) return 0; /* > U+10FFFF */
        return 4;
    }
    return 0;
}

static int jc_hex4(const uint8_t *p, size_t n, size_t i, unsigned *v)
{
    if (i + 4 > n) return 0;
    unsigned r = 0;
    for (int k = 0; k < 4; k++) {
        uint8_t c = p[i + (size_t)k];
        r <<= 4;
        if (c >= '0' && c <= '9')
            r |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            r |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            r |= (unsigned)(c - 'A' + 10);
        else
            return 0;
    }
    *v = r;
    return 1;
}

/* A string starting at p[*i] == '"'; advances *i past the closing quote. */
static const char *jc_string(const uint8_t *p, size_t n, size_t *i)
{
    size_t k = *i + 1;
    for (;;) {
        if (k >= n) {
            *i = k;
            return "unterminated string";
        }
        uint8_t c = p[k];
        if (c == '"') {
            *i = k + 1;
            return NULL;
        }
        if (c < 0x20) {
            *i = k;
            return "raw control character in a string";
        }
        if (c == '\\') {
            if (k + 1 >= n) {
                *i = k;
                return "unterminated escape";
            }
            uint8_t e = p[k + 1];
            if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
                e == 't') {
                k += 2;
                continue;
            }
            if (e != 'u') {
                *i = k;
                return "bad escape";
            }
            unsigned u;
            if (!jc_hex4(p, n, k + 2, &u)) {
                *i = k;
                return "bad \\u escape";
            }
            if (u >= 0xdc00 && u <= 0xdfff) {
                *i = k;
                return "unpaired low surrogate escape";
            }
            if (u >= 0xd800 && u <= 0xdbff) {
                unsigned lo;
                if (k + 12 > n || p[k + 6] != '\\' || p[k + 7] != 'u' ||
                    !jc_hex4(p, n, k + 8, &lo) || lo < 0xdc00 || lo > 0xdfff) {
                    *i = k;
                    return "unpaired high surrogate escape";
                }
                k += 12;
                continue;
            }
            k += 6;
            continue;
        }
        if (c >= 0x80) {
            size_t l = jc_utf8_seq(p + k, n - k);
            if (!l) {
                *i = k;
                return "invalid UTF-8 in a string";
            }
            k += l;
            continue;
        }
        k++;
    }
}

static int jc_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static const char *jc_number(const uint8_t *p, size_t n, size_t *i)
{
    size_t k = *i;
    if (k < n && p[k] == '-') k++;
    if (k >= n || !jc_digit(p[k])) {
        *i = k;
        return "bad number";
    }
    if (p[k] == '0') {
        k++;
        if (k < n && jc_digit(p[k])) {
            *i = k;
            return "number with a leading zero";
        }
    } else {
        while (k < n && jc_digit(p[k]))
            k++;
    }
    if (k < n && p[k] == '.') {
        k++;
        if (k >= n || !jc_digit(p[k])) {
            *i = k;
            return "no digit after the decimal point";
        }
        while (k < n && jc_digit(p[k]))
            k++;
    }
    if (k < n && (p[k] == 'e' || p[k] == 'E')) {
        k++;
        if (k < n && (p[k] == '+' || p[k] == '-')) k++;
        if (k >= n || !jc_digit(p[k])) {
            *i = k;
            return "no digit in the exponent";
        }
        while (k < n && jc_digit(p[k]))
            k++;
    }
    *i = k;
    return NULL;
}

static void jc_ws(const uint8_t *p, size_t n, size_t *i)
{
    while (*i < n && (p[*i] == ' ' || p[*i] == '\t' || p[*i] == '\n' || p[*i] == '\r'))
        (*i)++;
}

static int jc_lit(const uint8_t *p, size_t n, size_t *i, const char *w, size_t wl)
{
    if (n - *i < wl) return 0;
    for (size_t k = 0; k < wl; k++)
        if (p[*i + k] != (uint8_t)w[k]) return 0;
    *i += wl;
    return 1;
}

/* Keys of the objects open at depth <= dup_depth, for the duplicate check. */
typedef struct jc_key {
    const uint8_t *p;
    size_t n;
} jc_key;
static jc_key *jc_keys;
static size_t jc_nkeys, jc_capkeys;

static int jc_key_cmp(const void *a, const void *b)
{
    const jc_key *x = a, *y = b;
    size_t m = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->p, y->p, m);
    if (c) return c;
    return x->n < y->n ? -1 : x->n > y->n;
}

/* At the close of an object whose keys are jc_keys[from..]: any two equal? */
static const uint8_t *jc_dup_key(size_t from)
{
    size_t k = jc_nkeys - from;
    if (k < 2) return NULL;
    qsort(jc_keys + from, k, sizeof *jc_keys, jc_key_cmp);
    for (size_t i = from + 1; i < jc_nkeys; i++)
        if (!jc_key_cmp(&jc_keys[i - 1], &jc_keys[i])) return jc_keys[i].p;
    return NULL;
}

static const char *json_check_dups(const char *text, size_t n, size_t *at, size_t dup_depth)
{
    const uint8_t *p = (const uint8_t *)text;
    /* stack of open containers: '{' or '[', and where each object's keys
     * start in jc_keys */
    static char stack[JSON_CHECK_MAX_DEPTH];
    static size_t kstart[JSON_CHECK_MAX_DEPTH];
    size_t depth = 0, i = 0;
    const char *e = NULL;
    jc_nkeys = 0;
    for (size_t k = 0; k < n; k++)
        if (p[k] == 0) {
            *at = k;
            return "NUL byte";
        }
    jc_ws(p, n, &i);
    /* state: expecting a value */
value:
    jc_ws(p, n, &i);
    if (i >= n) {
        e = "value expected, input ended";
        goto fail;
    }
    switch (p[i]) {
    case '{':
        if (depth >= JSON_CHECK_MAX_DEPTH) {
            e = "nested too deep for the checker";
            goto fail;
        }
        kstart[depth] = jc_nkeys;
        stack[depth++] = '{';
        i++;
        jc_ws(p, n, &i);
        if (i < n && p[i] == '}') {
            i++;
            depth--;
            goto after;
        }
        goto member;
    case '[':
        if (depth >= JSON_CHECK_MAX_DEPTH) {
            e = "nested too deep for the checker";
            goto fail;
        }
        stack[depth++] = '[';
        i++;
        jc_ws(p, n, &i);
        if (i < n && p[i] == ']') {
            i++;
            depth--;
            goto after;
        }
        goto value;
    case '"':
        if ((e = jc_string(p, n, &i))) goto fail;
        goto after;
    case 't':
        if (!jc_lit(p, n, &i, "true", 4)) {
            e = "bad literal";
            goto fail;
        }
        goto after;
    case 'f':
        if (!jc_lit(p, n, &i, "false", 5)) {
            e = "bad literal";
            goto fail;
        }
        goto after;
    case 'n':
        if (!jc_lit(p, n, &i, "null", 4)) {
            e = "bad literal";
            goto fail;
        }
        goto after;
    default:
        if ((e = jc_number(p, n, &i))) goto fail;
        goto after;
    }
member:
    /* inside an object, expecting "key": */
    jc_ws(p, n, &i);
    if (i >= n || p[i] != '"') {
        e = "object key expected";
        goto fail;
    }
    {
        size_t ks = i;
        if ((e = jc_string(p, n, &i))) goto fail;
        if (depth <= dup_depth) {
            if (jc_nkeys == jc_capkeys) {
                size_t cap = jc_capkeys ? jc_capkeys * 2 : 64;
                jc_key *nk = realloc(jc_keys, cap * sizeof *nk);
                if (!nk) abort();
                jc_keys = nk;
                jc_capkeys = cap;
            }
            jc_keys[jc_nkeys].p = p + ks;
            jc_keys[jc_nkeys].n = i - ks;
            jc_nkeys++;
        }
    }
    jc_ws(p, n, &i);
    if (i >= n || p[i] != ':') {
        e = "':' expected after an object key";
        goto fail;
    }
    i++;
    goto value;
after:
    /* a value just ended */
    jc_ws(p, n, &i);
    if (depth == 0) {
        if (i != n) {
            e = "garbage after the value";
            goto fail;
        }
        return NULL;
    }
    if (i >= n) {
        e = "input ended inside a container";
        goto fail;
    }
    if (p[i] == ',') {
        i++;
        if (stack[depth - 1] == '{') goto member;
        goto value;
    }
    if ((stack[depth - 1] == '{' && p[i] == '}') || (stack[depth - 1] == '[' && p[i] == ']')) {
        if (stack[depth - 1] == '{' && depth <= dup_depth) {
            const uint8_t *d = jc_dup_key(kstart[depth - 1]);
            if (d) {
                i = (size_t)(d - p);
                e = "duplicate object key";
                goto fail;
            }
            jc_nkeys = kstart[depth - 1];
        }
        i++;
        depth--;
        goto after;
    }
    e = "',' or a closing bracket expected";
fail:
    *at = i;
    return e;
}

static const char *json_check(const char *text, size_t n, size_t *at)
{
    return json_check_dups(text, n, at, 0);
}

#endif
