/* replay_locate.c - where a replay starts: the file a start datetime or
 * --gtid falls in, found from the binlog files' first events (a binary
 * search: log2(n) files opened), and the range's size for the ETA. */
#include "binlogd/replay.h"

#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "binlogd/decoder.h"
#include "binlogd/source_file.h"
#include "binlogd/tz.h"

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static int before(const char *fa, uint64_t pa, const char *fb, uint64_t pb)
{
    return bd_binlog_pos_cmp(fa, pa, fb, pb) < 0;
}

/* ---- where a datetime starts ------------------------------------------------- */

/* The time of a file's first event (its FORMAT_DESCRIPTION), µs. */
static int file_first_time(const char *path, int64_t *us)
{
    unsigned char b[8];
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    if (n != sizeof b) return -1;
    *us = (int64_t)((uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 |
                    (uint32_t)b[7] << 24) *
          1000000;
    return 0;
}

typedef struct first_ev {
    int64_t us;
    int got;
} first_ev;

static int first_event(void *ctx, const bd_event *ev)
{
    first_ev *fe = ctx;
    fe->us = (int64_t)ev->header->timestamp * 1000000;
    fe->got = 1;
    return 1;
}

static int first_row(void *ctx, const bd_row *row)
{
    (void)ctx;
    (void)row;
    return 1;
}

/* The time of a server binlog's first event: a stream opened at FILE:4 for
 * one event. */
static int server_first_time(bd_replay *r, const bd_server_opts *so, const char *file, int64_t *us)
{
    first_ev fe = {0, 0};
    bd_callbacks cb = {&fe, first_event, first_row, NULL};
    if (bd_replay_stream_server(r, so, file, 4, &cb) < 0) return -1;
    if (!fe.got) {
        snprintf(r->err, sizeof r->err, "%s holds no event", file);
        return -1;
    }
    *us = fe.us;
    return 0;
}

/* The binlog files of the server, oldest first: n names in *names. */
static int server_files(bd_replay *r, const bd_server_opts *so, char ***names, size_t *n)
{
    struct st_mysql *my = NULL;
    bd_err err = {0};
    if (bd_server_connect(so, &my, &err) != 0) {
        snprintf(r->err, sizeof r->err, "%s", err.msg);
        return -1;
    }
    int rc = -1;
    *names = NULL;
    *n = 0;
    if (mysql_query(my, "SHOW BINARY LOGS") == 0) {
        MYSQL_RES *res = mysql_store_result(my);
        MYSQL_ROW row;
        while (res && (row = mysql_fetch_row(res))) {
            char **v = realloc(*names, (*n + 1) * sizeof *v);
            if (!v) break;
            *names = v;
            v[*n] = strdup(row[0] ? row[0] : "");
            if (v[*n]) (*n)++;
        }
        if (res) mysql_free_result(res);
        rc = *n ? 0 : -1;
    }
    if (rc < 0)
        snprintf(r->err, sizeof r->err, "SHOW BINARY LOGS on %s:%u: %s", so->host, so->port,
                 mysql_error(my));
    mysql_close(my);
    return rc;
}

/* Does binlog file 'name' (a path for --files) fit a start?  1 yes, 0 no,
 * -1 with r->err. */
typedef int (*file_fits)(bd_replay *r, const bd_server_opts *so, const char *name, int is_path);

/* The newest binlog that fits, into out, when whether one fits only
 * changes once along the files (fits, ..., fits, no, ..., no): a binary
 * search opens log2(n) files, reading only their first events.  1 found,
 * 0 when not even the oldest fits (its name in out), -1 with r->err. */
static int newest_fitting(bd_replay *r, const bd_server_opts *so, char **files, int nfiles,
                          file_fits fits, char *out, size_t outn)
{
    char **names = NULL;
    size_t n = 0;
    if (files) {
        names = files;
        n = (size_t)nfiles;
    } else if (server_files(r, so, &names, &n) < 0) {
        return -1;
    }
    int rc = fits(r, so, names[0], files != NULL);
    size_t lo = 0, hi = n; /* the answer is in [lo, hi) once the oldest fits */
    while (rc == 1 && hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        int f = fits(r, so, names[mid], files != NULL);
        if (f < 0) rc = -1;
        if (f == 1)
            lo = mid;
        else
            hi = mid;
    }
    if (rc >= 0) snprintf(out, outn, "%s", files ? base_name(names[lo]) : names[lo]);
    if (!files) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
    }
    return rc;
}

static int first_time_fits(bd_replay *r, const bd_server_opts *so, const char *name, int is_path)
{
    int64_t t;
    if ((is_path ? file_first_time(name, &t) : server_first_time(r, so, name, &t)) < 0) {
        if (!r->err[0]) snprintf(r->err, sizeof r->err, "cannot read %s", name);
        return -1;
    }
    if (t > r->start_us && !r->oldest_us) r->oldest_us = t; /* for the message */
    return t <= r->start_us;
}

/* The file a --start-datetime falls in.  A start before the oldest file is
 * refused when older files were purged (its number is not 1). */
static int datetime_start(bd_replay *r, const bd_server_opts *so, char **files, int nfiles,
                          char *out, size_t outn)
{
    int rc = newest_fitting(r, so, files, nfiles, first_time_fits, out, outn);
    if (rc != 0) return rc < 0 ? -1 : 0;
    const char *dot = strrchr(out, '.');
    if (dot && strtoull(dot + 1, NULL, 10) > 1) {
        char when[40];
        bd_time_format(when, r->oldest_us);
        snprintf(r->err, sizeof r->err,
                 "--start-datetime is before the oldest binlog %.100s (it begins %s): the "
                 "changes before were purged; start at %.100s:4 or later%s",
                 out, when, out,
                 files ? ", or give the older archived files too"
                       : ", or replay archived files (--files)");
        return -1;
    }
    return 0; /* the first binlog ever: nothing came before it */
}

/* The 'before' set of a server's binlog: a stream of it from 4 stopped at
 * its PREVIOUS_GTIDS or GTID_LIST. */
typedef struct before_ev {
    bd_buf *text;
    enum bd_flavor flavor;
    int got;
} before_ev;

static int before_event(void *ctx, const bd_event *ev)
{
    before_ev *b = ctx;
    if (ev->gtid_set) {
        bd_buf_add(b->text, ev->gtid_set, ev->gtid_set_len);
        b->flavor = ev->header->type == BD_EV_PREVIOUS_GTIDS ? BD_FLAVOR_MYSQL : BD_FLAVOR_MARIADB;
        b->got = 1;
        return 1;
    }
    return ev->begins_txn; /* a transaction first: the file has no such event */
}

/* Does a binlog come after none of --gtid's transactions?  (Its 'before'
 * set holds neither end of any stretch.) */
static int gtid_fits(bd_replay *r, const bd_server_opts *so, const char *name, int is_path)
{
    bd_buf text;
    bd_buf_init(&text);
    bd_gtid_set before = BD_GTID_SET_INIT;
    bd_err err = {0};
    before_ev b = {&text, BD_FLAVOR_UNKNOWN, 0};
    int rc = -1;
    if (is_path) {
        if (bd_source_file_before(name, base_name(name), &text, &b.flavor, &err) < 0) {
            snprintf(r->err, sizeof r->err, "--gtid: %.400s", err.msg);
            goto out;
        }
    } else {
        bd_callbacks cb = {&b, before_event, first_row, NULL};
        if (bd_replay_stream_server(r, so, name, 4, &cb) < 0) goto out;
        if (!b.got) {
            snprintf(r->err, sizeof r->err,
                     "--gtid: %s has no PREVIOUS_GTIDS or GTID_LIST event (written without "
                     "GTIDs?)",
                     name);
            goto out;
        }
    }
    if (bd_gtid_set_parse_before(&before, b.flavor, text.ptr, text.len, &err) < 0) {
        snprintf(r->err, sizeof r->err, "--gtid: %.100s: %.380s", is_path ? base_name(name) : name,
                 err.msg);
        goto out;
    }
    rc = 1;
    for (size_t i = 0; i < r->nonly && rc == 1; i++) {
        const bd_gtid_span *sp = &r->only[i];
        for (int end = 0; end < 2 && rc == 1; end++) {
            char g[160];
            uint64_t seq = end ? sp->hi : sp->lo;
            if (r->only_mysql)
                snprintf(g, sizeof g, "%s:%llu", sp->key, (unsigned long long)seq);
            else
                snprintf(g, sizeof g, "%s-%s-%llu", sp->key, sp->server[0] ? sp->server : "0",
                         (unsigned long long)seq);
            int h = bd_gtid_set_has(&before, g);
            if (h < 0) {
                snprintf(r->err, sizeof r->err, "--gtid is a %s set but %s was written by %s",
                         r->only_mysql ? "MySQL" : "MariaDB", name,
                         r->only_mysql ? "MariaDB" : "MySQL");
                rc = -1;
            } else if (h) {
                rc = 0;
                snprintf(r->before_gtids, sizeof r->before_gtids, "%.*s", (int)text.len, text.ptr);
            }
        }
    }
out:
    bd_gtid_set_release(&before);
    bd_buf_release(&text);
    return rc;
}

/* The file --gtid starts at; -1 with r->err naming the oldest binlog when
 * some of the set comes before it (purged, or never in this server). */
static int gtid_start(bd_replay *r, const bd_server_opts *so, char **files, int nfiles, char *out,
                      size_t outn)
{
    int rc = newest_fitting(r, so, files, nfiles, gtid_fits, out, outn);
    if (rc != 0) return rc < 0 ? -1 : 0;
    snprintf(r->err, sizeof r->err,
             "--gtid: some of the set comes before the oldest binlog %.100s, which follows "
             "%.200s: those transactions were purged%s",
             out, r->before_gtids, files ? "" : "; replay archived files (--files) for them");
    return -1;
}

/* The binlog files' sizes (stat, or SHOW BINARY LOGS) and the range's
 * size from the start to --to or the last file's end: for the ETA only,
 * so a failure leaves them unknown. */
void bd_replay_load_sizes(bd_replay *r, const bd_server_opts *so, char **files, int nfiles)
{
    size_t cap = files ? (size_t)nfiles : 0;
    struct st_mysql *my = NULL;
    MYSQL_RES *res = NULL;
    if (!files) {
        bd_err err = {0};
        if (bd_server_connect(so, &my, &err) != 0) return;
        if (mysql_query(my, "SHOW BINARY LOGS") == 0) res = mysql_store_result(my);
        cap = res ? (size_t)mysql_num_rows(res) : 0;
    }
    r->sizes = cap ? calloc(cap, sizeof *r->sizes) : NULL;
    for (size_t i = 0; r->sizes && i < cap; i++) {
        struct bd_replay_fsize *f = &r->sizes[r->nsizes];
        if (files) {
            struct stat st;
            if (stat(files[i], &st) < 0) continue;
            snprintf(f->name, sizeof f->name, "%s", base_name(files[i]));
            f->size = (uint64_t)st.st_size;
        } else {
            MYSQL_ROW row = mysql_fetch_row(res);
            if (!row || !row[0]) break;
            snprintf(f->name, sizeof f->name, "%s", row[0]);
            f->size = row[1] ? strtoull(row[1], NULL, 10) : 0;
        }
        r->nsizes++;
    }
    if (res) mysql_free_result(res);
    if (my) mysql_close(my);
    uint64_t total = 0;
    for (size_t i = 0; i < r->nsizes; i++) {
        const struct bd_replay_fsize *f = &r->sizes[i];
        if (before(f->name, 0, r->start_file, 0)) continue;
        if (r->has_to && !strcmp(f->name, r->to_file)) {
            total += r->to_pos;
            break;
        }
        if (r->has_to && before(r->to_file, 0, f->name, 0)) break;
        total += f->size;
    }
    r->total_bytes = total > r->start_pos ? total - r->start_pos : 0;
}

int bd_replay_locate(bd_replay *r, const bd_server_opts *so, char **files, int nfiles)
{
    snprintf(r->start_file, sizeof r->start_file, "%s", r->from_file);
    r->start_pos = r->from_pos;
    if (r->has_start_us) {
        /* a datetime: the file it falls in, from its start */
        r->start_pos = 4;
        return datetime_start(r, so, files, nfiles, r->start_file, sizeof r->start_file);
    }
    if (r->nonly) {
        /* the newest file that no transaction of the set comes before */
        r->start_pos = 4;
        return gtid_start(r, so, files, nfiles, r->start_file, sizeof r->start_file);
    }
    return 0;
}
