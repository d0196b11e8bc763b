/* monitor.h - the daemon's control-side thread: everything the lag monitor
 * must ask other systems, with blocking client calls kept off the event
 * loop and off the data path.
 *
 * On a control connection of its own to the source it polls the head
 * (SHOW MASTER STATUS, or SHOW BINARY LOG STATUS on MySQL 8.4+), the binlog
 * files and their sizes (SHOW BINARY LOGS) and the expiry setting, measures
 * the clock offset between the source and this host (SELECT NOW(6), halfway
 * through the round trip), and writes the heartbeat probe's row.  On a Kafka
 * client of its own it reads the gates' consumer groups' committed offsets
 * and the partitions' high watermarks.  Results go into the lag tracker.
 *
 * A failed poll is logged once (and once more when it works again) and
 * retried at the next interval; lag then grows by itself, since nothing
 * confirms the head.
 *
 * Ownership: the monitor copies the connection options (the password
 * included, wiped at the end); cfg, the lag tracker and the gate tables
 * must outlive it.
 */
#ifndef BINLOGD_MONITOR_H
#define BINLOGD_MONITOR_H

#include <stdint.h>

#include "binlogd/config.h"
#include "binlogd/error.h"
#include "binlogd/lag.h"
#include "binlogd/source_server.h"

typedef struct bd_monitor bd_monitor;

typedef struct bd_monitor_opts {
    const bd_config *cfg;
    const bd_server_opts *server; /* connection options of the source */
    bd_lag *lag;
    /* the tables the gates' consumer groups read (with their topics) */
    bd_lag_table *const *tables;
    size_t ntables;
    void (*log)(void *ctx, int level, const char *msg);
    void *ctx;
    /* a standby's: it only watches (no heartbeat probe row: the active
     * instance writes it) */
    int passive;
} bd_monitor_opts;

/* Start the thread; NULL with err set when it cannot start. */
bd_monitor *bd_monitor_start(const bd_monitor_opts *o, bd_err *err);
void bd_monitor_stop(bd_monitor *m);

/* The source's clock minus this host's, µs (0 until measured). */
int64_t bd_monitor_clock_offset(const bd_monitor *m);
/* This host's clock plus the offset: now on the source's clock, µs. */
int64_t bd_monitor_now(const bd_monitor *m);
/* Wall clock of this host, µs. */
int64_t bd_now_us(void);

#endif
