/* tables.c - see lib/binlog/tables.h. */
#include "tables.h"

#include <stdlib.h>
#include <string.h>

#include "tablemap.h"

static size_t slot_of(uint64_t id, size_t cap)
{
    uint64_t h = id * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h >> 32) & (cap - 1);
}

bd_table *bd_tables_get(const bd_tables *m, uint64_t id)
{
    if (!m->cap) return NULL;
    for (size_t i = slot_of(id, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (!m->slot[i]) return NULL;
        if (m->slot[i]->table_id == id) return m->slot[i];
    }
}

static int tables_grow(bd_tables *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    bd_table **s = calloc(cap, sizeof *s);
    if (!s) return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slot[i]) continue;
        size_t j = slot_of(m->slot[i]->table_id, cap);
        while (s[j])
            j = (j + 1) & (cap - 1);
        s[j] = m->slot[i];
    }
    free(m->slot);
    m->slot = s;
    m->cap = cap;
    return 0;
}

int bd_tables_put(bd_tables *m, bd_table *t)
{
    if ((m->count + 1) * 2 > m->cap && tables_grow(m) < 0) return -1;
    size_t i = slot_of(t->table_id, m->cap);
    while (m->slot[i] && m->slot[i]->table_id != t->table_id)
        i = (i + 1) & (m->cap - 1);
    if (m->slot[i])
        bd_table_free(m->slot[i]);
    else
        m->count++;
    m->slot[i] = t;
    return 0;
}

void bd_tables_clear(bd_tables *m)
{
    for (size_t i = 0; i < m->cap; i++)
        bd_table_free(m->slot[i]);
    free(m->slot);
    memset(m, 0, sizeof *m);
}
