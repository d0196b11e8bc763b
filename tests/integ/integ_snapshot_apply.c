/* integ_snapshot_apply.c - a consumer that applies a topic in order, for
 * tests/integ/snapshot.sh: what a downstream copy built from binlogd's
 * messages holds.
 *
 *   kcat -C ... -f '%k\t%s\n' | integ_snapshot_apply [--chunks FILE] COL [COL...]
 *
 * Each line is a message: its key, a tab, its value (empty: a tombstone).
 * Per key, op c, u and r set the row to "after", d removes it; t empties
 * the copy.  Lines must come in each partition's order (one partition, or
 * kcat per partition): per key, binlogd keeps commit order there.  At the
 * end the copy is printed, one row per line, the columns named on the
 * command line separated by tabs as `mariadb -B -N` prints a SELECT of
 * them (NULL as NULL; strings raw; numbers as their text), in no order
 * (sort both sides).  On stderr: the counts by op, and the snapshot's
 * chunks: how many distinct (table, chunk) were read and how many of them
 * more than once (at two high watermarks): what a kill makes read again.
 * Then a line "reads: ..." that checks every op r message against
 * docs/snapshot.md: before null, a source.snapshot block with id (text),
 * table (text), chunk (a number from 1) and last (true or false), the same
 * "last" on every row of one reading of a chunk (its rows at one high
 * watermark), "last" true on the table's greatest chunk number and on no
 * smaller one, and the table's final read carrying last true: each figure
 * but "r" must be 0.
 * --chunks FILE writes a line per (request, table, chunk):
 * "ID<TAB>TABLE<TAB>CHUNK<TAB>TIMES<TAB>ROWS" (TIMES: at how many high
 * watermarks it was read; ROWS: the rows of its last reading).
 * Exit 0, or 2 for a line that is not a message. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *key;
    json_t *after; /* NULL: deleted */
} entry;

typedef struct map {
    entry *e;
    size_t cap, n;
} map;

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static entry *slot(map *m, const char *key)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        entry *e = calloc(cap, sizeof *e);
        if (!e) exit(3);
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->e[i].key) continue;
            size_t j = hash(m->e[i].key) & (cap - 1);
            while (e[j].key)
                j = (j + 1) & (cap - 1);
            e[j] = m->e[i];
        }
        free(m->e);
        m->e = e;
        m->cap = cap;
    }
    size_t i = hash(key) & (m->cap - 1);
    while (m->e[i].key && strcmp(m->e[i].key, key) != 0)
        i = (i + 1) & (m->cap - 1);
    if (!m->e[i].key) {
        m->e[i].key = strdup(key);
        m->n++;
    }
    return &m->e[i];
}

static void clear(map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->e[i].after) {
            json_decref(m->e[i].after);
            m->e[i].after = NULL;
        }
}

static void print_value(json_t *v)
{
    if (!v || json_is_null(v))
        fputs("NULL", stdout);
    else if (json_is_string(v))
        fwrite(json_string_value(v), 1, json_string_length(v), stdout);
    else if (json_is_integer(v))
        printf("%lld", (long long)json_integer_value(v));
    else {
        char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        fputs(t ? t : "?", stdout);
        free(t);
    }
}

/* per (request, table): the greatest chunk number, the last read's flag */
typedef struct tstat {
    long long max_chunk;
    int final_last; /* the last op r seen: its "last" */
} tstat;

int main(int argc, char **argv)
{
    map copy = {0}, chunks = {0}, tables = {0};
    const char *chunks_file = NULL;
    unsigned long long bad_block = 0, bad_before = 0, mixed = 0;
    if (argc > 2 && !strcmp(argv[1], "--chunks")) {
        chunks_file = argv[2];
        argv += 2;
        argc -= 2;
    }
    unsigned long long ops[128] = {0}, tombstones = 0, lines = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        lines++;
        if (line[n - 1] == '\n') line[--n] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab) {
            fprintf(stderr, "line %llu: no tab: %.80s\n", lines, line);
            return 2;
        }
        *tab = '\0';
        const char *key = line, *val = tab + 1;
        if (!*val) {
            tombstones++;
            continue;
        }
        json_error_t je;
        json_t *j = json_loads(val, 0, &je);
        const char *op = j ? json_string_value(json_object_get(j, "op")) : NULL;
        if (!op) {
            fprintf(stderr, "line %llu: not a message: %s\n", lines, je.text);
            return 2;
        }
        ops[(unsigned char)op[0] & 127]++;
        if (op[0] == 't') {
            clear(&copy);
        } else if (op[0] == 'd') {
            entry *e = slot(&copy, key);
            json_decref(e->after);
            e->after = NULL;
        } else {
            entry *e = slot(&copy, key);
            json_decref(e->after);
            e->after = json_incref(json_object_get(j, "after"));
        }
        json_t *src = json_object_get(j, "source"), *sn = json_object_get(src, "snapshot");
        json_t *sid = json_object_get(sn, "id"), *stb = json_object_get(sn, "table"),
               *sch = json_object_get(sn, "chunk"), *sla = json_object_get(sn, "last");
        if (op[0] == 'r') {
            json_t *before = json_object_get(j, "before");
            if (!before || !json_is_null(before)) bad_before++;
        }
        if (op[0] == 'r' &&
            (!json_is_object(sn) || !json_is_string(sid) || !json_is_string(stb) ||
             !json_is_integer(sch) || json_integer_value(sch) < 1 || !json_is_boolean(sla)))
            bad_block++;
        else if (op[0] == 'r') {
            /* a chunk is where it was published: (table, chunk) -> "file:pos" */
            char ck[512], at[512], tk[512];
            long long cn = (long long)json_integer_value(sch);
            int last = json_is_true(sla);
            snprintf(ck, sizeof ck, "%s\t%s\t%lld", json_string_value(sid), json_string_value(stb),
                     cn);
            snprintf(tk, sizeof tk, "%s\t%s", json_string_value(sid), json_string_value(stb));
            snprintf(at, sizeof at, "%s:%lld", json_string_value(json_object_get(src, "file")),
                     (long long)json_integer_value(json_object_get(src, "pos")));
            entry *e = slot(&chunks, ck);
            if (!e->after) {
                e->after =
                    json_pack("{s:s,s:i,s:i,s:b}", "at", at, "times", 1, "rows", 0, "last", last);
            } else if (strcmp(json_string_value(json_object_get(e->after, "at")), at) != 0) {
                json_object_set_new(e->after, "at", json_string(at));
                json_object_set_new(
                    e->after, "times",
                    json_integer(json_integer_value(json_object_get(e->after, "times")) + 1));
                json_object_set_new(e->after, "rows", json_integer(0));
                json_object_set_new(e->after, "last", json_boolean(last));
            } else if (json_is_true(json_object_get(e->after, "last")) != last) {
                mixed++;
            }
            json_object_set_new(
                e->after, "rows",
                json_integer(json_integer_value(json_object_get(e->after, "rows")) + 1));
            entry *te = slot(&tables, tk);
            if (!te->after) te->after = json_pack("{s:I,s:b}", "max", (json_int_t)0, "final", 0);
            if (cn > json_integer_value(json_object_get(te->after, "max")))
                json_object_set_new(te->after, "max", json_integer(cn));
            json_object_set_new(te->after, "final", json_boolean(last));
        }
        json_decref(j);
    }
    free(line);
    size_t rows = 0, chunk_n = 0, chunk_again = 0;
    for (size_t i = 0; i < copy.cap; i++) {
        json_t *a = copy.e[i].after;
        if (!a) continue;
        rows++;
        for (int c = 1; c < argc; c++) {
            if (c > 1) putchar('\t');
            print_value(json_object_get(a, argv[c]));
        }
        putchar('\n');
    }
    FILE *cf = NULL;
    if (chunks_file && !(cf = fopen(chunks_file, "w"))) {
        perror(chunks_file);
        return 3;
    }
    unsigned long long last_not_max = 0, max_not_last = 0, final_not_last = 0;
    for (size_t i = 0; i < chunks.cap; i++) {
        json_t *c = chunks.e[i].after;
        if (!c) continue;
        chunk_n++;
        long long times = (long long)json_integer_value(json_object_get(c, "times"));
        chunk_again += times > 1;
        if (cf)
            fprintf(cf, "%s\t%lld\t%lld\n", chunks.e[i].key, times,
                    (long long)json_integer_value(json_object_get(c, "rows")));
        /* the table: the key without its last field */
        char tk[512];
        snprintf(tk, sizeof tk, "%s", chunks.e[i].key);
        char *t = strrchr(tk, '\t');
        long long cn = t ? atoll(t + 1) : 0;
        if (t) *t = '\0';
        entry *te = slot(&tables, tk);
        long long max =
            te->after ? (long long)json_integer_value(json_object_get(te->after, "max")) : 0;
        int last = json_is_true(json_object_get(c, "last"));
        if (last && cn < max) last_not_max++;
        if (!last && cn == max) max_not_last++;
    }
    for (size_t i = 0; i < tables.cap; i++)
        if (tables.e[i].after && !json_is_true(json_object_get(tables.e[i].after, "final")))
            final_not_last++;
    if (cf && fclose(cf) != 0) {
        perror(chunks_file);
        return 3;
    }
    fprintf(stderr,
            "messages %llu: c %llu u %llu d %llu r %llu t %llu, tombstones %llu; rows %zu; "
            "chunks %zu, read more than once %zu\n",
            lines, ops['c'], ops['u'], ops['d'], ops['r'], ops['t'], tombstones, rows, chunk_n,
            chunk_again);
    fprintf(stderr,
            "reads: r %llu, before not null %llu, no snapshot block %llu, chunks of mixed last "
            "%llu, last chunk not last %llu, last before the last chunk %llu, final read not last "
            "%llu\n",
            ops['r'], bad_before, bad_block, mixed, max_not_last, last_not_max, final_not_last);
    map *maps[] = {&copy, &chunks, &tables};
    for (size_t m = 0; m < 3; m++) {
        clear(maps[m]);
        for (size_t i = 0; i < maps[m]->cap; i++)
            free(maps[m]->e[i].key);
        free(maps[m]->e);
    }
    return 0;
}
