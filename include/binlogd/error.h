/* error.h - run-time errors: a code plus a message in the caller's buffer.
 *
 * Run-time functions never exit and never print; they return -1 and fill a
 * bd_err that the caller owns.  The message names what and where (event
 * type, file:pos, field offset) so that the command line can print it as is.
 */
#ifndef BINLOGD_ERROR_H
#define BINLOGD_ERROR_H

#include <stdarg.h>
#include <stddef.h>

enum bd_errcode {
    BD_OK = 0,
    BD_ERR_CORRUPT,     /* bytes that cannot be what they claim (bad length, bad field) */
    BD_ERR_CHECKSUM,    /* CRC32 mismatch */
    BD_ERR_TRUNCATED,   /* input ended inside an event */
    BD_ERR_UNSUPPORTED, /* a valid event or value that we refuse to skip silently */
    BD_ERR_SCHEMA,      /* a row that disagrees with its TABLE_MAP or schema */
    BD_ERR_NOMEM,
    BD_ERR_IO,
    BD_ERR_CALLBACK,       /* a callback asked to stop */
    BD_ERR_STATEMENT,      /* a row change the binlog holds only as a statement (publish.h) */
    BD_ERR_UNKNOWN_SCHEMA, /* a table's columns at a binlog position cannot be known here */
    BD_ERR_FENCED,         /* another producer with our transactional.id took over */
    BD_ERR_COLUMNS,        /* [columns] rules that cannot be applied to a table exactly */
};

#define BD_ERRLEN 512

typedef struct bd_err {
    enum bd_errcode code;
    char msg[BD_ERRLEN];
} bd_err;

/* Set code and message; returns -1 so that "return bd_err_set(...)" reads well. */
int bd_err_set(bd_err *e, enum bd_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix an existing message with more context ("file:pos: " etc.). */
int bd_err_prefix(bd_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A module's log callback (level: syslog levels 0..7), as the daemon gives
 * its modules: they never print themselves. */
typedef void (*bd_log_fn)(void *ctx, int level, const char *msg);
/* Format a message (1 KiB at most) and hand it to log; nothing when log is
 * NULL. */
void bd_logf(bd_log_fn log, void *ctx, int level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
