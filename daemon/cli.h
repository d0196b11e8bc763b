/* cli.h - small command-line helpers shared by the subcommands. */
#ifndef BINLOGD_CLI_H
#define BINLOGD_CLI_H

#include <stddef.h>

/* The first line of the file at path, without its line end, into out[n].
 * Returns 0, or -1 (errno says why) when the file cannot be read. */
int cli_read_first_line(const char *path, char *out, size_t n);

/* A decimal number 0..max with nothing around it (no sign, no spaces).
 * Returns 0 with *v set, or -1. */
int cli_parse_uint(const char *s, unsigned long long max, unsigned long long *v);

#endif
