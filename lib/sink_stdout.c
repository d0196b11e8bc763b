/* sink_stdout.c - see include/binlogd/sink_stdout.h. */
#include "binlogd/sink_stdout.h"

#include "binlogd/encode.h"

#define FLUSH_AT (256 * 1024)

void bd_sink_stdout_init(bd_sink_stdout *s, FILE *out, int events)
{
    s->out = out;
    s->events = events;
    bd_buf_init(&s->io);
    bd_buf_init(&s->held);
    bd_enc_cache_init(&s->cache);
    s->pending = 0;
    s->rows = s->nevents = 0;
    s->io_error = 0;
}

void bd_sink_stdout_release(bd_sink_stdout *s)
{
    bd_buf_release(&s->io);
    bd_buf_release(&s->held);
    bd_enc_cache_release(&s->cache);
}

static int flush_io(bd_sink_stdout *s)
{
    if (bd_buf_failed(&s->io)) s->io_error = 1;
    if (s->io.len && fwrite(s->io.ptr, 1, s->io.len, s->out) != s->io.len) s->io_error = 1;
    bd_buf_reset(&s->io);
    return s->io_error ? -1 : 0;
}

/* The pending row is always the last thing in the output buffer (nothing
 * else is written while a row waits), so finishing it is appending its tail. */
static int emit_pending(bd_sink_stdout *s, int has_xid, uint64_t xid, int last)
{
    if (!s->pending) return 0;
    bd_encode_row_tail(&s->io, has_xid, xid, last);
    bd_buf_addc(&s->io, '\n');
    s->pending = 0;
    if (s->held.len) {
        bd_buf_add(&s->io, s->held.ptr, s->held.len);
        bd_buf_reset(&s->held);
    }
    if (s->io.len >= FLUSH_AT) return flush_io(s);
    return 0;
}

int bd_sink_stdout_on_event(void *ctx, const bd_event *ev)
{
    bd_sink_stdout *s = ctx;
    if (ev->ends_txn && emit_pending(s, ev->has_xid, ev->xid, 1) < 0) return -1;
    /* A new transaction starting means the previous one ended without a
     * commit we could see (e.g. a file cut mid-transaction). */
    if (ev->begins_txn && emit_pending(s, 0, 0, 0) < 0) return -1;
    s->nevents++;
    if (!s->events) return 0;
    /* While a row waits for its tail, event lines wait behind it. */
    bd_buf *to = s->pending ? &s->held : &s->io;
    bd_encode_event(to, ev);
    bd_buf_addc(to, '\n');
    if (!s->pending && s->io.len >= FLUSH_AT) return flush_io(s);
    return 0;
}

int bd_sink_stdout_on_row(void *ctx, const bd_row *row)
{
    bd_sink_stdout *s = ctx;
    if (emit_pending(s, 0, 0, 0) < 0) return -1;
    bd_encode_row_cached(&s->io, row, &s->cache);
    if (bd_buf_failed(&s->io)) return -1;
    s->pending = 1;
    s->rows++;
    if (row->ends_txn) return emit_pending(s, 0, 0, 1);
    return 0;
}

int bd_sink_stdout_finish(bd_sink_stdout *s)
{
    if (emit_pending(s, 0, 0, 0) < 0) return -1;
    if (flush_io(s) < 0) return -1;
    return fflush(s->out) == 0 ? 0 : -1;
}
