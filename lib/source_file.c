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
    int fd = open(path, O_RDONLY | O_CLOEXEC);
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
