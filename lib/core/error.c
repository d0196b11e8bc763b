/* error.c - see include/binlogd/error.h. */
#include "binlogd/error.h"

#include <stdio.h>
#include <string.h>

int bd_err_set(bd_err *e, enum bd_errcode code, const char *fmt, ...)
{
    if (!e) return -1;
    va_list ap;
    va_start(ap, fmt);
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int bd_err_prefix(bd_err *e, const char *fmt, ...)
{
    if (!e) return -1;
    char pre[BD_ERRLEN], old[BD_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    /* both parts are bounded by BD_ERRLEN; the result is cut to fit */
    size_t pl = strnlen(pre, sizeof pre - 1);
    memcpy(e->msg, pre, pl);
    size_t ol = strnlen(old, sizeof old - 1);
    if (ol > sizeof e->msg - 1 - pl) ol = sizeof e->msg - 1 - pl;
    memcpy(e->msg + pl, old, ol);
    e->msg[pl + ol] = '\0';
    return -1;
}

void bd_logf(bd_log_fn log, void *ctx, int level, const char *fmt, ...)
{
    if (!log) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log(ctx, level, msg);
}
