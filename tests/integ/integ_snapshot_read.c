/* integ_snapshot_read.c - lib/source/snapshot_read.c against a real server,
 * for tests/integ/snapshot_read.sh, which compares its answers with the
 * binlog's (binlogd dump) and the server's own (ORDER BY).
 *
 *   integ_snapshot_read [--host H] --port N [--user U] COMMAND ARGS...
 *
 *   rows DB TB LIMIT [--keys] [--where W] [--keycols A,B]
 *        the whole table, chunk after chunk of LIMIT rows up to its greatest
 *        key (as a snapshot reads it): per row the "after" object that
 *        bd_encode_row writes for it (--keys: the Kafka key), one per line;
 *        "chunks N" on stderr
 *   shape DB TB [KEYCOL...]           "KEYNAME col,col..." (the chunking key)
 *   max DB TB [WHERE]                 the greatest key's cursor, or "none"
 *   chunk DB TB AFTER UPTO LIMIT [WHERE]  one chunk: a key per row, then
 *                                     "last CURSOR"
 *   sql DB TB AFTER UPTO LIMIT [WHERE]    the chunk's SELECT
 *   list PATTERNS                     the tables, one per line
 *   signal DB TB                      prepare the signal table: "ok"
 *   watermark DB TB ID low|high       write a watermark: "ok"
 *   ddl DB TB SQL                     load the shape, run SQL on another
 *                                     connection (a DDL), then read a chunk:
 *                                     "ok N" or the error
 *
 * A failure prints "error CODE: MESSAGE" (CODE: the bd_errcode number, then
 * the server's error number) on stdout and exits 1; bad usage exits 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "binlogd/encode.h"
#include "binlogd/snapshot_read.h"

static int usage(void)
{
    fprintf(stderr, "usage: integ_snapshot_read [--host H] --port N [--user U] "
                    "rows|shape|max|chunk|sql|list|signal|watermark ARGS...\n");
    return 2;
}

static int fail(bd_snap_reader *r, const bd_err *e)
{
    printf("error %d/%u: %s\n", (int)e->code, bd_snap_reader_errno(r), e->msg);
    return 1;
}

/* The "after" object of row i of c as bd_encode_row writes it, or its key. */
static void print_row(const bd_snap_shape *s, const bd_snap_chunk *c, size_t i, int keys, bd_buf *b)
{
    bd_header h;
    bd_format f;
    memset(&h, 0, sizeof h);
    memset(&f, 0, sizeof f);
    f.flavor = BD_FLAVOR_MARIADB;
    bd_row row;
    memset(&row, 0, sizeof row);
    row.op = 'c';
    row.table = s->t;
    row.after = c->vals + i * c->ncols;
    row.pos.file = "snapshot";
    row.header = &h;
    row.format = &f;
    bd_buf_reset(b);
    if (keys) {
        bd_encode_key(b, &row);
        printf("%s\n", b->ptr);
        return;
    }
    bd_encode_row(b, &row);
    /* {"op":"c","db":...,"table":...,"before":null,"after":{...},"source":{"flavor":... */
    const char *a = strstr(b->ptr, ",\"before\":null,\"after\":");
    const char *z = NULL;
    for (const char *p = b->ptr; (p = strstr(p, ",\"source\":{\"flavor\":")) != NULL; p++)
        z = p;
    if (!a || !z || z < a) {
        printf("unexpected encoding: %s\n", b->ptr);
        return;
    }
    a += strlen(",\"before\":null,\"after\":");
    printf("%.*s\n", (int)(z - a), a);
}

/* Split "a,b" into at most 16 names (in place). */
static size_t split(char *s, const char **out)
{
    size_t n = 0;
    for (char *p = strtok(s, ","); p && n < BD_SNAP_KEY_MAX; p = strtok(NULL, ","))
        out[n++] = p;
    return n;
}

static int cmd_rows(bd_snap_reader *r, int argc, char **argv)
{
    if (argc < 3) return usage();
    const char *db = argv[0], *tb = argv[1], *where = NULL;
    size_t limit = strtoul(argv[2], NULL, 10);
    int keys = 0;
    const char *kc[BD_SNAP_KEY_MAX];
    size_t nk = 0;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--keys"))
            keys = 1;
        else if (!strcmp(argv[i], "--where") && i + 1 < argc)
            where = argv[++i];
        else if (!strcmp(argv[i], "--keycols") && i + 1 < argc)
            nk = split(argv[++i], kc);
        else
            return usage();
    }
    bd_err e = {0};
    bd_snap_shape s;
    if (bd_snap_shape_load(r, db, tb, kc, nk, &s, &e) < 0) return fail(r, &e);
    bd_buf max = BD_BUF_INIT, after = BD_BUF_INIT, b = BD_BUF_INIT;
    bd_snap_chunk c;
    bd_snap_chunk_init(&c);
    int rc = 0, m = bd_snap_max_key(r, &s, where, &max, &e);
    size_t chunks = 0;
    if (m < 0) rc = fail(r, &e);
    while (m > 0 && rc == 0) {
        if (bd_snap_read_chunk(r, &s, where, after.ptr, max.ptr, limit, &c, &e) < 0) {
            rc = fail(r, &e);
            break;
        }
        chunks++;
        for (size_t i = 0; i < c.nrows; i++)
            print_row(&s, &c, i, keys, &b);
        if (c.nrows < limit || !strcmp(c.last.ptr, max.ptr)) break;
        bd_buf_reset(&after);
        bd_buf_add(&after, c.last.ptr, c.last.len);
    }
    fprintf(stderr, "chunks %zu\n", chunks);
    bd_snap_chunk_release(&c);
    bd_buf_release(&max);
    bd_buf_release(&after);
    bd_buf_release(&b);
    bd_snap_shape_release(&s);
    return rc;
}

int main(int argc, char **argv)
{
    bd_server_opts o;
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    o.user = "root";
    o.ssl_mode = BD_SSL_DISABLED;
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (!strcmp(argv[i], "--host"))
            o.host = argv[i + 1];
        else if (!strcmp(argv[i], "--port"))
            o.port = (unsigned)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--user"))
            o.user = argv[i + 1];
        else
            return usage();
    }
    if (i >= argc) return usage();
    const char *cmd = argv[i++];
    int n = argc - i;
    char **a = argv + i;
    bd_err e = {0};
    bd_snap_reader *r = bd_snap_reader_open(&o, &e);
    if (!r) return fail(NULL, &e);
    int rc = 0;
    bd_buf out = BD_BUF_INIT;
    bd_snap_shape s;
    memset(&s, 0, sizeof s);
    if (!strcmp(cmd, "rows")) {
        rc = cmd_rows(r, n, a);
    } else if (!strcmp(cmd, "shape") && n >= 2) {
        const char *kc[BD_SNAP_KEY_MAX];
        size_t nk = 0;
        for (int k = 2; k < n && nk < BD_SNAP_KEY_MAX; k++)
            kc[nk++] = a[k];
        if (bd_snap_shape_load(r, a[0], a[1], kc, nk, &s, &e) < 0) {
            rc = fail(r, &e);
        } else {
            printf("%s ", s.key_name);
            for (uint32_t k = 0; k < s.t->npk; k++) {
                const bd_column *c = &s.t->cols[s.t->pk[k]];
                printf("%s%.*s", k ? "," : "", (int)c->name.n, c->name.p);
            }
            printf("\n");
        }
    } else if (!strcmp(cmd, "max") && n >= 2) {
        if (bd_snap_shape_load(r, a[0], a[1], NULL, 0, &s, &e) < 0) {
            rc = fail(r, &e);
        } else {
            int m = bd_snap_max_key(r, &s, n > 2 ? a[2] : NULL, &out, &e);
            if (m < 0)
                rc = fail(r, &e);
            else
                printf("%s\n", m ? out.ptr : "none");
        }
    } else if ((!strcmp(cmd, "chunk") || !strcmp(cmd, "sql")) && n >= 5) {
        size_t limit = strtoul(a[4], NULL, 10);
        const char *where = n > 5 ? a[5] : NULL;
        if (bd_snap_shape_load(r, a[0], a[1], NULL, 0, &s, &e) < 0) {
            rc = fail(r, &e);
        } else if (!strcmp(cmd, "sql")) {
            if (bd_snap_chunk_sql(&out, &s, where, a[2], a[3], limit, &e) < 0)
                rc = fail(r, &e);
            else
                printf("%s\n", out.ptr);
        } else {
            bd_snap_chunk c;
            bd_snap_chunk_init(&c);
            if (bd_snap_read_chunk(r, &s, where, a[2], a[3], limit, &c, &e) < 0) {
                rc = fail(r, &e);
            } else {
                for (size_t k = 0; k < c.nrows; k++)
                    print_row(&s, &c, k, 1, &out);
                printf("last %s\n", c.last.ptr);
            }
            bd_snap_chunk_release(&c);
        }
    } else if (!strcmp(cmd, "list") && n >= 1) {
        if (bd_snap_list_tables(r, a[0], &out, &e) < 0)
            rc = fail(r, &e);
        else
            printf("%s", out.ptr);
    } else if (!strcmp(cmd, "signal") && n >= 2) {
        if (bd_snap_signal_prepare(r, a[0], a[1], &e) < 0)
            rc = fail(r, &e);
        else
            printf("ok\n");
    } else if (!strcmp(cmd, "watermark") && n >= 4) {
        if (bd_snap_watermark(r, a[0], a[1], a[2], !strcmp(a[3], "high"), &e) < 0)
            rc = fail(r, &e);
        else
            printf("ok\n");
    } else if (!strcmp(cmd, "ddl") && n >= 3) {
        MYSQL *m = NULL;
        if (bd_snap_shape_load(r, a[0], a[1], NULL, 0, &s, &e) < 0 ||
            bd_server_connect(&o, &m, &e) != 0) {
            rc = fail(r, &e);
        } else if (mysql_select_db(m, a[0]) != 0 || mysql_query(m, a[2]) != 0) {
            printf("error: %s: %s\n", a[2], mysql_error(m));
            rc = 1;
        } else {
            bd_snap_chunk c;
            bd_snap_chunk_init(&c);
            if (bd_snap_read_chunk(r, &s, NULL, NULL, NULL, 100, &c, &e) < 0)
                rc = fail(r, &e);
            else
                printf("ok %zu\n", c.nrows);
            bd_snap_chunk_release(&c);
        }
        if (m) mysql_close(m);
    } else {
        rc = usage();
    }
    bd_snap_shape_release(&s);
    bd_buf_release(&out);
    bd_snap_reader_close(r);
    return rc;
}
