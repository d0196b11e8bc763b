/* sink_stdout.h - JSON lines to a FILE: the decoder callbacks of `dump`
 * (and of `replay --stdout`'s output).
 *
 * Rows and events go through a publish stage of its own (publish.h), so a
 * dump prints exactly the values `run` sends to Kafka: every table, a
 * key-changing UPDATE as a delete and a create, TRUNCATE as an op "t"
 * line, and a row change logged as a statement stops the dump (or, with
 * bd_sink_stdout_skip_statements, is skipped with a warning).  Keys,
 * tombstones and partitions are Kafka's business: not printed.  The
 * stage holds the last row of a transaction until the next event says
 * whether the transaction ended; --events lines that arrive meanwhile wait
 * behind it.  Call bd_sink_stdout_finish() at the end of input to flush.
 *
 * When a callback returns non-zero, err says why (BD_ERR_STATEMENT for a
 * statement; BD_ERR_IO when writing failed).
 *
 * Ownership: the sink borrows 'out'; bd_sink_stdout_release() frees only
 * its own buffers and stage.
 */
#ifndef BINLOGD_SINK_STDOUT_H
#define BINLOGD_SINK_STDOUT_H

#include <stdio.h>

#include "binlogd/buf.h"
#include "binlogd/decoder.h"
#include "binlogd/publish.h"

typedef struct bd_sink_stdout {
    FILE *out;
    int events; /* also print non-row events */
    bd_pub *pub;
    bd_buf io;   /* output batched to cut write calls */
    bd_buf held; /* --events lines that arrived while the stage held a row */
    uint64_t rows, nevents;
    int io_error;
    int skip_statements;
    uint64_t statements_skipped;
    /* called for each statement skipped (NULL: a line on stderr) */
    void (*warn)(void *ctx, const char *msg);
    void *warn_ctx;
    bd_err err; /* why a callback asked to stop */
} bd_sink_stdout;

/* -1 when out of memory. */
int bd_sink_stdout_init(bd_sink_stdout *s, FILE *out, int events);
void bd_sink_stdout_release(bd_sink_stdout *s);
/* Skip row changes logged as statements (with a warning each) instead of
 * stopping. */
void bd_sink_stdout_skip_statements(bd_sink_stdout *s, int skip);
/* Apply the [columns] rules of c, with its [keys] for the tables whose
 * primary key a rule hides (dump -c); c must outlive the sink.  NULL:
 * every column as it is. */
void bd_sink_stdout_set_config(bd_sink_stdout *s, const bd_config *c);
/* callbacks for bd_callbacks (ctx = the sink) */
int bd_sink_stdout_on_event(void *ctx, const bd_event *ev);
int bd_sink_stdout_on_row(void *ctx, const bd_row *row);
/* A row is held back, waiting for its transaction's end. */
int bd_sink_stdout_pending(const bd_sink_stdout *s);
/* Flush the held row (as not known to be last) and buffered output.
 * Returns 0, or -1 if writing failed. */
int bd_sink_stdout_finish(bd_sink_stdout *s);

#endif
