/* tables.h - the decoder's table maps by table id (lib/binlog/tables.c); internal
 * to the decoder, not part of the public headers.
 *
 * Open addressing, power-of-two capacity.  A zeroed bd_tables is empty.
 * Ownership: the map owns the tables put into it and frees them with
 * bd_table_free() when they are replaced or cleared.
 * Threads: one map is used by one thread (its decoder's). */
#ifndef BINLOGD_TABLES_H
#define BINLOGD_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/decoder.h"

typedef struct bd_tables {
    bd_table **slot;
    size_t cap, count;
} bd_tables;

/* The map of table id 'id', or NULL; it stays the map's. */
bd_table *bd_tables_get(const bd_tables *m, uint64_t id);
/* Insert or replace (frees the old map of the same id).  -1 on OOM. */
int bd_tables_put(bd_tables *m, bd_table *t);
/* Free every map and the slots; m is empty again. */
void bd_tables_clear(bd_tables *m);

#endif
