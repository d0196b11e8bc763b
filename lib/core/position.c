/* position.c - see include/binlogd/position.h. */
#include "binlogd/position.h"

#include <stdio.h>
#include <string.h>

#include "binlogd/parse.h"
#include "binlogd/schema_history.h" /* bd_binlog_pos_cmp: the one file order */

/* The name rule on n bytes at s. */
static int name_ok(const char *s, size_t n)
{
    if (!n || n >= BD_BINPOS_FILE_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        /* '/': a path is not a name the server knows; ':' ends FILE;
         * space and control characters are a paste error, not a name */
        if (c <= ' ' || c == 0x7f || c == '/' || c == ':') return 0;
    }
    return 1;
}

int bd_binlog_name_ok(const char *name) { return name && name_ok(name, strlen(name)); }

int bd_binpos_parse(const char *s, bd_binpos *out)
{
    if (!s) return -1;
    const char *colon = strchr(s, ':');
    size_t fl = colon ? (size_t)(colon - s) : strlen(s);
    unsigned long long pos = BD_BINPOS_MIN;
    if (!name_ok(s, fl)) return -1;
    if (colon && (bd_parse_uint(colon + 1, BD_BINPOS_MAX, &pos) < 0 || pos < BD_BINPOS_MIN))
        return -1;
    memcpy(out->file, s, fl);
    out->file[fl] = '\0';
    out->pos = pos;
    out->inner = 0;
    return 0;
}

int bd_binpos_format(const bd_binpos *p, char *buf, size_t n)
{
    /* a file[] filled by hand may lack its NUL: never read past it */
    int w = snprintf(buf, n, "%.*s:%llu", (int)strnlen(p->file, sizeof p->file), p->file,
                     (unsigned long long)p->pos);
    if (w < 0 || (size_t)w >= n) {
        if (n) buf[0] = '\0';
        return -1;
    }
    return 0;
}

int bd_binpos_cmp(const bd_binpos *a, const bd_binpos *b)
{
    int c = bd_binlog_pos_cmp(a->file, a->pos, b->file, b->pos);
    if (c) return c;
    return (a->inner > b->inner) - (a->inner < b->inner);
}
