/* testutil.h - helpers shared by the Check suites. */
#ifndef BINLOGD_TESTUTIL_H
#define BINLOGD_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/* Read a whole file under tests/fixtures (path relative to it); aborts the test if missing.
 * Caller frees. */
uint8_t *tu_read_fixture(const char *rel, size_t *len);
/* Decode hex (spaces allowed) into a malloc'd buffer; caller frees. */
uint8_t *tu_unhex(const char *hex, size_t *len);
/* Run one suite, print Check's summary, return number of failures. */
int tu_run(Suite *s);

#endif
