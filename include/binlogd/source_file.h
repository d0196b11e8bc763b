/* source_file.h - read local binlog / relay-log files and frame their
 * events for the decoder.
 *
 * The whole file is mapped read-only; each event is handed to the decoder
 * as it lies in the file, with its start position.
 */
#ifndef BINLOGD_SOURCE_FILE_H
#define BINLOGD_SOURCE_FILE_H

#include "binlogd/buf.h"
#include "binlogd/decoder.h"
#include "binlogd/error.h"

enum bd_file_result {
    BD_FILE_OK = 0,         /* every event decoded */
    BD_FILE_ERROR = -1,     /* corrupt or undecodable: err says where */
    BD_FILE_INCOMPLETE = 1, /* the last event is cut short: err says where; everything
                               before it was decoded */
};

/* Decode one file from its magic to its end through d.  'name' is what
 * positions report (usually the basename). */
enum bd_file_result bd_source_file_run(bd_decoder *d, const char *path, const char *name,
                                       bd_err *err);

/* The 'before' set of a file: the text of its PREVIOUS_GTIDS (MySQL) or
 * GTID_LIST (MariaDB), the event that follows the FORMAT_DESCRIPTION.
 * Only the file's first events are read.  Returns 0 with the text in out
 * and *flavor set, -1 with err when the file has no such event before its
 * first transaction (written without GTIDs) or cannot be read. */
int bd_source_file_before(const char *path, const char *name, bd_buf *out, enum bd_flavor *flavor,
                          bd_err *err);

#endif
