/* fuzz_jsonbin.c - libFuzzer harness: MySQL binary JSON to text, and
 * partial-update diffs.
 *
 * Input: byte 0 is the split ratio; the rest is cut in two at
 * (size-1) * byte0 / 255: the first part is a binary JSON document, the
 * second a diff vector (operation, path, value entries).  A plain
 * document seed therefore starts with 0xff (all document, empty diff).
 *
 * Checks, on both functions:
 *   - success: the appended text is one well-formed JSON value (strict
 *     UTF-8, json_check.h) and nothing before the start of the append
 *     changed;
 *   - failure: a message and a code are set, and out is exactly as it was
 *     (jsonbin.h: callers never see half a document);
 *   - bd_jsonbin_to_text of the document alone, and of the whole input
 *     after byte 0 (so every byte is also tried as a document);
 *   - apply_diff fails whenever to_text fails on the document (the
 *     whole before image is decoded first, as MySQL does);
 *   - an empty diff applied to a document gives exactly its to_text form
 *     (both succeed with the same text, or both fail).
 * Each part is copied to its own exact-size heap block so ASan sees a read
 * past its end.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "binlogd/jsonbin.h"
#include "fuzz_common.h"

static const char prefix[] = "[prefix]";

/* Run one conversion into a buffer that already holds a prefix, and check
 * the prefix contract.  Returns rc; the text is in out after the prefix. */
static int checked(const char *what, bd_buf *out, int rc, const bd_err *err)
{
    fz_expect_buf(what, out);
    if (out->len < sizeof prefix - 1 || memcmp(out->ptr, prefix, sizeof prefix - 1) != 0)
        fz_die("%s: text before the append was changed", what);
    if (rc < 0) {
        fz_expect_err(what, err);
        if (out->len != sizeof prefix - 1) {
            fz_show(out->ptr, out->len, sizeof prefix - 1);
            fz_die("%s: failed (%s) but left %zu bytes of output", what, err->msg,
                   out->len - (sizeof prefix - 1));
        }
        return rc;
    }
    if (rc != 0) fz_die("%s: returned %d", what, rc);
    fz_expect_json(what, out->ptr + sizeof prefix - 1, out->len - (sizeof prefix - 1));
    return 0;
}

static int to_text(bd_buf *out, const uint8_t *p, size_t n, const char *what)
{
    bd_err err;
    memset(&err, 0, sizeof err);
    bd_buf_reset(out);
    bd_buf_adds(out, prefix);
    uint8_t *c = fz_dup(p, n);
    int rc = bd_jsonbin_to_text(out, c, n, &err);
    free(c);
    return checked(what, out, rc, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t body = size - 1;
    size_t split = (size_t)((uint64_t)body * data[0] / 255);
    const uint8_t *docp = data + 1, *diffp = data + 1 + split;
    size_t docn = split, diffn = body - split;

    bd_buf a = BD_BUF_INIT, b = BD_BUF_INIT;
    int rdoc = to_text(&a, docp, docn, "bd_jsonbin_to_text(document)");
    if (split != body) to_text(&b, docp, body, "bd_jsonbin_to_text(whole input)");

    bd_err err;
    memset(&err, 0, sizeof err);
    bd_buf_reset(&b);
    bd_buf_adds(&b, prefix);
    uint8_t *doc = fz_dup(docp, docn), *diff = fz_dup(diffp, diffn);
    int rdiff = bd_jsonbin_apply_diff(&b, doc, docn, diff, diffn, &err);
    checked("bd_jsonbin_apply_diff", &b, rdiff, &err);
    /* the whole before image is checked before any diff applies */
    if (rdoc < 0 && rdiff == 0) fz_die("apply_diff succeeded on a document to_text refuses");
    if (diffn == 0) {
        if (rdoc != rdiff)
            fz_die("empty diff: to_text returned %d, apply_diff %d (%s)", rdoc, rdiff,
                   rdiff < 0 ? err.msg : "");
        if (rdoc == 0 && (a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0)) {
            fz_show(a.ptr, a.len, 0);
            fz_show(b.ptr, b.len, 0);
            fz_die("empty diff: apply_diff text differs from to_text");
        }
    }
    free(doc);
    free(diff);
    bd_buf_release(&a);
    bd_buf_release(&b);
    return 0;
}
