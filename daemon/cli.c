/* cli.c - see cli.h. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_read_first_line(const char *path, char *out, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    if (!fgets(out, (int)n, f)) out[0] = '\0';
    int e = ferror(f);
    fclose(f);
    if (e) return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

int cli_parse_uint(const char *s, unsigned long long max, unsigned long long *v)
{
    if (!s || !*s || *s == '-') return -1;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end || x > max) return -1;
    *v = x;
    return 0;
}
