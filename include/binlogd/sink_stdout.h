/* sink_stdout.h - JSON lines to a FILE: the decoder callbacks of `dump`.
 *
 * Holds the last row of the current transaction back until the next event
 * says whether the transaction ended (then it gets "last":true and the
 * xid).  Call bd_sink_stdout_finish() at the end of input to flush it.
 *
 * Ownership: the sink borrows 'out'; bd_sink_stdout_release() frees only
 * its own buffers.
 */
#ifndef BINLOGD_SINK_STDOUT_H
#define BINLOGD_SINK_STDOUT_H

#include <stdio.h>

#include "binlogd/buf.h"
#include "binlogd/decoder.h"
#include "binlogd/encode.h"

typedef struct bd_sink_stdout {
    FILE *out;
    int events; /* also print non-row events */
    int pending;
    bd_buf io; /* output batched to cut write calls; a pending row (without
                         its tail) is always at its end */
    bd_buf held;
    bd_enc_cache cache; /* --events lines that arrived while a row was pending */
    uint64_t rows, nevents;
    int io_error;
} bd_sink_stdout;

void bd_sink_stdout_init(bd_sink_stdout *s, FILE *out, int events);
void bd_sink_stdout_release(bd_sink_stdout *s);
/* callbacks for bd_callbacks (ctx = the sink) */
int bd_sink_stdout_on_event(void *ctx, const bd_event *ev);
int bd_sink_stdout_on_row(void *ctx, const bd_row *row);
/* Flush the pending row (as not known to be last) and buffered output.
 * Returns 0, or -1 if writing failed. */
int bd_sink_stdout_finish(bd_sink_stdout *s);

#endif
