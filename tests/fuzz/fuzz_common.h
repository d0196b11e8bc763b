/* fuzz_common.h - checks shared by the libFuzzer harnesses.
 *
 * A failed check prints what was wrong (and the offending text, clipped)
 * to stderr and aborts, which libFuzzer reports as a crash and saves the
 * input.  Header-only: each harness is one translation unit.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binlogd/buf.h"
#include "binlogd/error.h"
#include "json_check.h"

static void fz_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fz_die(const char *fmt, ...)
{
    va_list ap;
    fputs("\n*** fuzz check failed: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* Print up to 400 bytes around offset 'at' of p[0..n), escaped. */
static void fz_show(const char *p, size_t n, size_t at)
{
    size_t from = at > 200 ? at - 200 : 0, to = n - at > 200 ? at + 200 : n;
    fprintf(stderr, "text (%zu bytes, bytes %zu..%zu shown, problem at %zu):\n  ", n, from, to, at);
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)p[i];
        if (i == at) fputs("<<HERE>>", stderr);
        if (c >= 0x20 && c < 0x7f)
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02x", c);
    }
    fputc('\n', stderr);
}

/* p[0..n) must be one well-formed JSON value, with no key twice in the
 * same object down to nesting depth dup_depth (0: not checked). */
static __attribute__((unused)) void fz_expect_json_dups(const char *what, const char *p, size_t n,
                                                      size_t dup_depth)
{
    size_t at = 0;
    const char *e = json_check_dups(p, n, &at, dup_depth);
    if (!e) return;
    fz_show(p, n, at);
    fz_die("%s is not valid JSON: %s (offset %zu)", what, e, at);
}

/* p[0..n) must be one well-formed JSON value. */
static void fz_expect_json(const char *what, const char *p, size_t n)
{
    size_t at = 0;
    const char *e = json_check(p, n, &at);
    if (!e) return;
    fz_show(p, n, at);
    fz_die("%s is not valid JSON: %s (offset %zu)", what, e, at);
}

/* A buffer must not have latched an allocation failure, and its string
 * must be NUL-terminated at len (buf.h's promise). */
static void fz_expect_buf(const char *what, const bd_buf *b)
{
    if (bd_buf_failed(b)) fz_die("%s: buffer failed (out of memory?)", what);
    if (b->ptr[b->len] != '\0') fz_die("%s: buffer not NUL-terminated at len %zu", what, b->len);
}

/* A function that returned -1 must have said why. */
static void fz_expect_err(const char *what, const bd_err *err)
{
    size_t l = strnlen(err->msg, sizeof err->msg);
    if (l == sizeof err->msg) fz_die("%s: error message not NUL-terminated", what);
    if (l == 0) fz_die("%s: returned -1 with an empty error message (code %d)", what, err->code);
    if (err->code == BD_OK) fz_die("%s: returned -1 with code BD_OK: %s", what, err->msg);
}

/* A copy of p[0..n) in its own exact-size heap block, so that ASan sees a
 * read one byte past the end (ASan's malloc(0) is a block no byte of which
 * may be read). */
static uint8_t *fz_dup(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n);
    if (!c && n) abort();
    if (n) memcpy(c, p, n);
    return c;
}

#endif
