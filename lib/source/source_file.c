/* source_file.c - see include/binlogd/source_file.h. */
#include "binlogd/source_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binlogd/cursor.h"

enum bd_file_result bd_source_file_run(bd_decoder *d, const char *path, const char *name,
                                       bd_err *err)
{
    /* O_NONBLOCK: a FIFO without a writer would block the open */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        bd_err_set(err, BD_ERR_IO, "%s: %s", path, strerror(errno));
        return BD_FILE_ERROR;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        bd_err_set(err, BD_ERR_IO, "%s: %s", path, strerror(errno));
        close(fd);
        return BD_FILE_ERROR;
    }
    if (!S_ISREG(st.st_mode)) {
        /* the file is mapped whole: a pipe or a device cannot be */
        bd_err_set(err, BD_ERR_IO, "%s: %s", path,
                   S_ISDIR(st.st_mode) ? "is a directory"
                                       : "not a regular file (binlogd reads binlog files whole, "
                                         "mapped: copy a stream to a file first)");
        close(fd);
        return BD_FILE_ERROR;
    }
    size_t len = (size_t)st.st_size;
    if (len < 4) {
        close(fd);
        bd_err_set(err, BD_ERR_CORRUPT, "%s: %zu bytes: too short to be a binlog file", path, len);
        return BD_FILE_ERROR;
    }
    const uint8_t *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        bd_err_set(err, BD_ERR_IO, "%s: mmap: %s", path, strerror(errno));
        return BD_FILE_ERROR;
    }
    enum bd_file_result res = BD_FILE_OK;
    if (memcmp(map, BD_BINLOG_MAGIC, 4) != 0) {
        bd_err_set(err, BD_ERR_CORRUPT,
                   "%s:0: bad magic %02x %02x %02x %02x: not a binlog file (want fe 62 69 6e)",
                   name, map[0], map[1], map[2], map[3]);
        res = BD_FILE_ERROR;
        goto out;
    }
    if (bd_decoder_begin_file(d, name, err) < 0) {
        res = BD_FILE_ERROR;
        goto out;
    }
    size_t off = 4;
    while (off < len) {
        size_t left = len - off;
        /* 19 bytes, or 13 in a binlog v1 file once its START event is read */
        size_t hl = bd_decoder_format(d)->header_len;
        if (left < hl) {
            bd_err_set(err, BD_ERR_TRUNCATED,
                       "%s:%zu: incomplete event at end of file: %zu of the %zu header bytes "
                       "(the file may still be being written)",
                       name, off, left, hl);
            res = BD_FILE_INCOMPLETE;
            break;
        }
        size_t esz = (size_t)bd_le(map + off + 9, 4);
        if (esz < hl) {
            bd_err_set(err, BD_ERR_CORRUPT, "%s:%zu: event type %u claims size %zu (< %zu)", name,
                       off, map[off + 4], esz, hl);
            res = BD_FILE_ERROR;
            break;
        }
        if (esz > left) {
            const char *tn = bd_event_type_name(map[off + 4]);
            bd_err_set(err, BD_ERR_TRUNCATED,
                       "%s:%zu (%s): incomplete event at end of file: %zu of %zu bytes "
                       "(the file may still be being written)",
                       name, off, tn ? tn : "UNKNOWN", left, esz);
            res = BD_FILE_INCOMPLETE;
            break;
        }
        if (bd_decoder_feed(d, map + off, esz, off, err) < 0) {
            res = BD_FILE_ERROR;
            break;
        }
        off += esz;
    }
out:
    munmap((void *)map, len);
    return res;
}

typedef struct before_ctx {
    bd_buf *out;
    enum bd_flavor flavor;
    int found, ended;
} before_ctx;

/* Stop (return 1) at the 'before' event, or at the first event that is
 * part of a transaction: the 'before' event is not coming then. */
static int before_on_event(void *ctx, const bd_event *ev)
{
    before_ctx *b = ctx;
    unsigned t = ev->header->type;
    if (ev->gtid_set) {
        bd_buf_add(b->out, ev->gtid_set, ev->gtid_set_len);
        b->flavor = t == BD_EV_PREVIOUS_GTIDS ? BD_FLAVOR_MYSQL : BD_FLAVOR_MARIADB;
        b->found = 1;
        return 1;
    }
    if (ev->begins_txn || ev->ends_txn || t == BD_EV_TABLE_MAP) {
        b->ended = 1;
        return 1;
    }
    return 0;
}

static int before_on_row(void *ctx, const bd_row *row)
{
    (void)row;
    ((before_ctx *)ctx)->ended = 1;
    return 1;
}

int bd_source_file_before(const char *path, const char *name, bd_buf *out, enum bd_flavor *flavor,
                          bd_err *err)
{
    before_ctx b = {out, BD_FLAVOR_UNKNOWN, 0, 0};
    bd_callbacks cb = {&b, before_on_event, before_on_row, NULL};
    bd_decoder *d = bd_decoder_new(&cb);
    if (!d) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    bd_buf_reset(out);
    enum bd_file_result r = bd_source_file_run(d, path, name, err);
    bd_decoder_free(d);
    if (b.found) {
        *flavor = b.flavor;
        return bd_buf_failed(out) ? bd_err_set(err, BD_ERR_NOMEM, "out of memory") : 0;
    }
    if (r == BD_FILE_ERROR && !b.ended) return -1;
    return bd_err_set(err, BD_ERR_UNSUPPORTED,
                      "%s has no PREVIOUS_GTIDS or GTID_LIST event before its first transaction "
                      "(written by a server without GTIDs): it cannot be placed in a GTID start",
                      name);
}
