/* checkpoint.c - see include/binlogd/checkpoint.h. */
#include "binlogd/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "binlogd/buf.h"

int bd_checkpoint_parse(const char *text, size_t n, const char *where, bd_checkpoint *c,
                        bd_err *err)
{
    memset(c, 0, sizeof *c);
    json_error_t je;
    json_t *j = json_loadb(text, n, 0, &je);
    if (!j)
        return bd_err_set(err, BD_ERR_CORRUPT, "checkpoint %s: line %d: %s", where, je.line,
                          je.text);
    json_t *v = json_object_get(j, "binlogd_checkpoint"), *srv = json_object_get(j, "server"),
           *f = json_object_get(j, "file"), *p = json_object_get(j, "pos"),
           *g = json_object_get(j, "gtid"), *cu = json_object_get(j, "commit_us"),
           *sn = json_object_get(j, "snapshot");
    const char *bad = NULL;
    if (!json_is_integer(v) || json_integer_value(v) != 1)
        bad = "not a binlogd checkpoint (version 1)";
    else if (!json_is_string(srv) || json_string_length(srv) >= sizeof c->server)
        bad = "bad \"server\"";
    else if (!json_is_string(f) || !json_string_length(f) ||
             json_string_length(f) >= sizeof c->file)
        bad = "bad \"file\"";
    else if (!json_is_integer(p) || json_integer_value(p) < 4)
        bad = "bad \"pos\" (an integer of at least 4)";
    else if (!json_is_string(g) || json_string_length(g) >= sizeof c->gtid)
        bad = "bad \"gtid\"";
    else if (cu && (!json_is_integer(cu) || json_integer_value(cu) < 0))
        bad = "bad \"commit_us\"";
    else if (sn && !json_is_object(sn))
        bad = "bad \"snapshot\" (an object)";
    if (bad) {
        json_decref(j);
        return bd_err_set(err, BD_ERR_CORRUPT, "checkpoint %s: %s", where, bad);
    }
    snprintf(c->server, sizeof c->server, "%s", json_string_value(srv));
    snprintf(c->file, sizeof c->file, "%s", json_string_value(f));
    c->pos = (uint64_t)json_integer_value(p);
    snprintf(c->gtid, sizeof c->gtid, "%s", json_string_value(g));
    c->commit_us = cu ? (uint64_t)json_integer_value(cu) : 0;
    if (sn) {
        char *t = json_dumps(sn, JSON_COMPACT | JSON_PRESERVE_ORDER);
        int fits = t && strlen(t) < sizeof c->snapshot;
        if (fits) memcpy(c->snapshot, t, strlen(t) + 1);
        free(t);
        if (!fits) {
            json_decref(j);
            return bd_err_set(err, BD_ERR_CORRUPT, "checkpoint %s: \"snapshot\" too long", where);
        }
    }
    json_decref(j);
    return 0;
}

int bd_checkpoint_read(const char *path, bd_checkpoint *c, bd_err *err)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "re");
    if (!f) {
        if (errno == ENOENT) return 1;
        return bd_err_set(err, BD_ERR_IO, "checkpoint %s: %s", path, strerror(errno));
    }
    /* the whole file, however long its escapes make it */
    bd_buf b = BD_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        bd_buf_add(&b, chunk, n);
    int rerr = ferror(f);
    fclose(f);
    int rc = 0;
    if (rerr)
        rc = bd_err_set(err, BD_ERR_IO, "checkpoint %s: read error", path);
    else if (bd_buf_failed(&b))
        rc = bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    else if (bd_checkpoint_parse(b.ptr ? b.ptr : "", b.len, path, c, err) < 0) {
        size_t l = strlen(err->msg);
        snprintf(err->msg + l, sizeof err->msg - l, "%s",
                 "; fix or remove it (removing it starts over at source.start)");
        rc = -1;
    }
    bd_buf_release(&b);
    return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

void bd_checkpoint_json(const bd_checkpoint *c, bd_buf *b)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    bd_buf_adds(b, "{\"binlogd_checkpoint\":1,\"server\":");
    bd_buf_add_json_str(b, c->server, strlen(c->server));
    bd_buf_adds(b, ",\"file\":");
    bd_buf_add_json_str(b, c->file, strlen(c->file));
    bd_buf_addf(b, ",\"pos\":%llu,\"gtid\":", (unsigned long long)c->pos);
    bd_buf_add_json_str(b, c->gtid, strlen(c->gtid));
    bd_buf_addf(b, ",\"commit_us\":%llu,\"written\":\"%s\"", (unsigned long long)c->commit_us,
                when);
    if (c->snapshot[0]) {
        bd_buf_adds(b, ",\"snapshot\":");
        bd_buf_adds(b, c->snapshot);
    }
    bd_buf_adds(b, "}\n");
}

int bd_checkpoint_write(const char *path, const bd_checkpoint *c, bd_err *err)
{
    bd_buf b = BD_BUF_INIT;
    bd_checkpoint_json(c, &b);
    if (bd_buf_failed(&b)) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");

    char tmp[4096], dir[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        bd_buf_release(&b);
        return bd_err_set(err, BD_ERR_IO, "checkpoint path too long: %s", path);
    }
    snprintf(dir, sizeof dir, "%s", path);
    const char *d = dirname(dir);
    /* a stale FILE.tmp (a crash between write and rename) would keep its
     * own mode through O_TRUNC: start from a fresh file */
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    const char *step = "open";
    int ok = fd >= 0;
    if (ok && (step = "write", write_all(fd, b.ptr, b.len) < 0)) ok = 0;
    if (ok && (step = "fsync", fsync(fd) < 0)) ok = 0;
    int e = errno;
    if (fd >= 0 && close(fd) < 0 && ok) {
        e = errno;
        step = "close";
        ok = 0;
    }
    bd_buf_release(&b);
    if (!ok) {
        unlink(tmp);
        return bd_err_set(err, BD_ERR_IO, "writing the checkpoint %s (%s): %s", tmp, step,
                          strerror(e));
    }
    if (rename(tmp, path) < 0) {
        e = errno;
        unlink(tmp);
        return bd_err_set(err, BD_ERR_IO, "renaming %s to %s: %s", tmp, path, strerror(e));
    }
    /* the rename itself must survive a power loss: sync the directory */
    int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) < 0) {
        e = errno;
        if (dfd >= 0) close(dfd);
        return bd_err_set(err, BD_ERR_IO, "fsync of the directory %s: %s", d, strerror(e));
    }
    close(dfd);
    return 0;
}
