/* sink_stdout.c - see include/binlogd/sink_stdout.h. */
#include "binlogd/sink_stdout.h"

#include <string.h>

#include "binlogd/encode.h"

#define FLUSH_AT (256 * 1024)

static int flush_io(bd_sink_stdout *s)
{
    if (bd_buf_failed(&s->io)) s->io_error = 1;
    if (s->io.len && fwrite(s->io.ptr, 1, s->io.len, s->out) != s->io.len) s->io_error = 1;
    bd_buf_reset(&s->io);
    return s->io_error ? -1 : 0;
}

/* Every table is printed, under no topic. */
static int route_all(void *ctx, const char *db, size_t dbn, const char *table, size_t tn,
                     bd_pub_route *r, bd_err *err)
{
    (void)ctx, (void)db, (void)dbn, (void)table, (void)tn, (void)err;
    r->wanted = 1;
    return 0;
}

/* A message of the stage: its value is the line.  A TRUNCATE is printed
 * once (not per partition), a tombstone not at all. */
static int emit_line(void *ctx, const bd_pub_msg *m, bd_err *err)
{
    bd_sink_stdout *s = ctx;
    if (m->direct) {
        s->rows++;
    } else if (m->value) {
        bd_buf_add(&s->io, m->value, m->value_len);
        bd_buf_addc(&s->io, '\n');
    } else {
        return 0;
    }
    /* --events lines that waited behind the held row */
    if (s->held.len && !bd_pub_holding(s->pub)) {
        bd_buf_add(&s->io, s->held.ptr, s->held.len);
        bd_buf_reset(&s->held);
    }
    if (s->io.len >= FLUSH_AT && flush_io(s) < 0)
        return bd_err_set(err, BD_ERR_IO, "writing the output failed");
    return 0;
}

static int skip_statement(void *ctx, const bd_pub_statement *st)
{
    bd_sink_stdout *s = ctx;
    if (!s->skip_statements) return 0;
    char what[400], msg[512];
    bd_pub_statement_text(st, what, sizeof what);
    snprintf(msg, sizeof msg, "skipped (its row changes are not in the binlog): %s", what);
    s->statements_skipped++;
    if (s->warn)
        s->warn(s->warn_ctx, msg);
    else
        fprintf(stderr, "binlogd: warning: %s\n", msg);
    return 1;
}

int bd_sink_stdout_init(bd_sink_stdout *s, FILE *out, int events)
{
    memset(s, 0, sizeof *s);
    s->out = out;
    s->events = events;
    bd_buf_init(&s->io);
    bd_buf_init(&s->held);
    bd_pub_opts o = {0};
    o.no_keys = 1; /* values only, encoded straight into io */
    o.direct = &s->io;
    bd_pub_ops ops = {s, route_all, emit_line, skip_statement};
    s->pub = bd_pub_new(&o, &ops);
    return s->pub ? 0 : -1;
}

void bd_sink_stdout_release(bd_sink_stdout *s)
{
    bd_pub_free(s->pub);
    s->pub = NULL;
    bd_buf_release(&s->io);
    bd_buf_release(&s->held);
}

void bd_sink_stdout_skip_statements(bd_sink_stdout *s, int skip) { s->skip_statements = skip; }

void bd_sink_stdout_set_config(bd_sink_stdout *s, const bd_config *c)
{
    if (!c) return;
    bd_pub_set_keys(s->pub, c->keys, c->nkeys);
    bd_pub_set_columns(s->pub, &c->columns);
}

int bd_sink_stdout_pending(const bd_sink_stdout *s) { return bd_pub_holding(s->pub); }

int bd_sink_stdout_on_event(void *ctx, const bd_event *ev)
{
    bd_sink_stdout *s = ctx;
    if (bd_pub_event(s->pub, ev, &s->err) < 0) return -1;
    s->nevents++;
    if (!s->events) return 0;
    /* While a row waits for its tail, event lines wait behind it. */
    bd_buf *to = bd_pub_holding(s->pub) ? &s->held : &s->io;
    bd_encode_event(to, ev);
    bd_buf_addc(to, '\n');
    if (to == &s->io && s->io.len >= FLUSH_AT && flush_io(s) < 0) {
        bd_err_set(&s->err, BD_ERR_IO, "writing the output failed");
        return -1;
    }
    return 0;
}

int bd_sink_stdout_on_row(void *ctx, const bd_row *row)
{
    bd_sink_stdout *s = ctx;
    return bd_pub_row(s->pub, row, &s->err) < 0 ? -1 : 0;
}

int bd_sink_stdout_finish(bd_sink_stdout *s)
{
    if (bd_pub_finish(s->pub, 0, &s->err) < 0) return -1;
    if (s->held.len) {
        bd_buf_add(&s->io, s->held.ptr, s->held.len);
        bd_buf_reset(&s->held);
    }
    if (flush_io(s) < 0) return -1;
    return fflush(s->out) == 0 ? 0 : -1;
}
