/* schema_history.c - see include/binlogd/schema_history.h. */
#include "binlogd/schema_history.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binlogd/buf.h"
#include "binlogd/charset.h"

typedef struct hpos {
    char *file;
    uint64_t pos;
} hpos;

typedef struct snap {
    hpos at;
    char *db, *table;
    bd_schema_col *cols;
    size_t n;
} snap;

/* A stretch of binlog some reader read whole, every DDL in it recorded. */
typedef struct seen {
    hpos from, to;
} seen;

struct bd_schema_history {
    char *path;
    int fd; /* open for appending */
    char *server;
    hpos *ddl; /* sorted by position */
    size_t nddl, cddl;
    snap *snaps; /* in the order added */
    size_t nsnap, csnap;
    seen *seen; /* as the lines say, in no order, overlapping */
    size_t nseen, cseen;
    hpos session; /* this reader's start (file NULL: none) */
    /* each line appended, after it is durable (bd_schema_history_set_tee) */
    void (*tee)(void *ctx, const char *line, size_t n);
    void *tee_ctx;
};

/* ---- positions ---------------------------------------------------------- */

/* The number after the last '.', or -1 when there is none. */
static long long file_seq(const char *f)
{
    const char *dot = strrchr(f, '.');
    if (!dot || !dot[1] || strspn(dot + 1, "0123456789") != strlen(dot + 1) || strlen(dot + 1) > 18)
        return -1;
    return strtoll(dot + 1, NULL, 10);
}

int bd_binlog_pos_cmp(const char *fa, uint64_t pa, const char *fb, uint64_t pb)
{
    if (strcmp(fa, fb) != 0) {
        long long a = file_seq(fa), b = file_seq(fb);
        if (a >= 0 && b >= 0 && a != b) return a < b ? -1 : 1;
        int c = strcmp(fa, fb);
        return c < 0 ? -1 : 1;
    }
    return (pa > pb) - (pa < pb);
}

static int hpos_cmp(const hpos *a, const char *f, uint64_t p)
{
    return bd_binlog_pos_cmp(a->file, a->pos, f, p);
}

/* Index of the first DDL after file:pos. */
static size_t ddl_after(const bd_schema_history *h, const char *f, uint64_t p)
{
    size_t lo = 0, hi = h->nddl;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (hpos_cmp(&h->ddl[mid], f, p) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- memory ------------------------------------------------------------- */

void bd_schema_cols_free(bd_schema_col *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].name);
        free(c[i].type);
    }
    free(c);
}

void bd_schema_history_close(bd_schema_history *h)
{
    if (!h) return;
    if (h->fd >= 0) close(h->fd);
    for (size_t i = 0; i < h->nddl; i++)
        free(h->ddl[i].file);
    free(h->ddl);
    for (size_t i = 0; i < h->nsnap; i++) {
        snap *s = &h->snaps[i];
        free(s->at.file);
        free(s->db);
        free(s->table);
        bd_schema_cols_free(s->cols, s->n);
    }
    free(h->snaps);
    for (size_t i = 0; i < h->nseen; i++) {
        free(h->seen[i].from.file);
        free(h->seen[i].to.file);
    }
    free(h->seen);
    free(h->session.file);
    free(h->server);
    free(h->path);
    free(h);
}

/* Record that from..to was read whole. */
static int seen_add(bd_schema_history *h, const char *ff, uint64_t fp, const char *tf, uint64_t tp)
{
    if (h->nseen == h->cseen) {
        size_t nc = h->cseen ? h->cseen * 2 : 16;
        seen *p = realloc(h->seen, nc * sizeof *p);
        if (!p) return -1;
        h->seen = p;
        h->cseen = nc;
    }
    seen *s = &h->seen[h->nseen];
    s->from.file = strdup(ff);
    s->to.file = strdup(tf);
    s->from.pos = fp;
    s->to.pos = tp;
    if (!s->from.file || !s->to.file) {
        free(s->from.file);
        free(s->to.file);
        return -1;
    }
    h->nseen++;
    return 0;
}

/* Is there a stretch read whole (the lines', or this reader's up to its
 * position pf:pp) that holds the point hf:hp and reaches past it?  Then
 * the point moves to the stretch's end: 1, else 0. */
static int seen_extend(const bd_schema_history *h, const char *pf, uint64_t pp, const char **hf,
                       uint64_t *hp)
{
    int grew = 0;
    for (size_t i = 0; i <= h->nseen; i++) {
        const char *ff, *tf;
        uint64_t fp, tp;
        if (i < h->nseen) {
            ff = h->seen[i].from.file, fp = h->seen[i].from.pos;
            tf = h->seen[i].to.file, tp = h->seen[i].to.pos;
        } else if (h->session.file) { /* this reader: from its start to where it is */
            ff = h->session.file, fp = h->session.pos;
            tf = pf, tp = pp;
        } else {
            break;
        }
        if (bd_binlog_pos_cmp(ff, fp, *hf, *hp) <= 0 && bd_binlog_pos_cmp(tf, tp, *hf, *hp) > 0) {
            *hf = tf, *hp = tp;
            grew = 1;
        }
    }
    return grew;
}

/* Was every DDL between a snapshot at x and the reader's position p
 * recorded: is the binlog between them covered by stretches that readers
 * read whole (those the lines say, and this reader's: from its start up
 * to p, where it is now), joined where they overlap?  A history knows
 * only the DDLs of what was read: a snapshot is not stretched over binlog
 * nobody read. */
static int seen_between(const bd_schema_history *h, const char *xf, uint64_t xp, const char *pf,
                        uint64_t pp)
{
    const char *af = xf, *bf = pf;
    uint64_t ap = xp, bp = pp;
    if (bd_binlog_pos_cmp(af, ap, bf, bp) > 0) {
        af = pf, ap = pp;
        bf = xf, bp = xp;
    }
    /* from a, as far as the stretches reach; each round joins more */
    const char *hf = af;
    uint64_t hp = ap;
    int held = 0;
    for (size_t i = 0; i <= h->nseen && !held; i++) {
        if (i < h->nseen)
            held = bd_binlog_pos_cmp(h->seen[i].from.file, h->seen[i].from.pos, af, ap) <= 0 &&
                   bd_binlog_pos_cmp(af, ap, h->seen[i].to.file, h->seen[i].to.pos) <= 0;
        else
            held = h->session.file &&
                   bd_binlog_pos_cmp(h->session.file, h->session.pos, af, ap) <= 0 &&
                   bd_binlog_pos_cmp(af, ap, pf, pp) <= 0;
    }
    if (!held) return 0;
    while (bd_binlog_pos_cmp(hf, hp, bf, bp) < 0)
        if (!seen_extend(h, pf, pp, &hf, &hp)) return 0;
    return 1;
}

/* Insert a DDL position in order; 0 also when it is there already. */
static int ddl_insert(bd_schema_history *h, const char *file, uint64_t pos, int *added)
{
    size_t at = ddl_after(h, file, pos);
    *added = 0;
    if (at > 0 && hpos_cmp(&h->ddl[at - 1], file, pos) == 0) return 0;
    if (h->nddl == h->cddl) {
        size_t nc = h->cddl ? h->cddl * 2 : 16;
        hpos *p = realloc(h->ddl, nc * sizeof *p);
        if (!p) return -1;
        h->ddl = p;
        h->cddl = nc;
    }
    char *f = strdup(file);
    if (!f) return -1;
    memmove(&h->ddl[at + 1], &h->ddl[at], (h->nddl - at) * sizeof *h->ddl);
    h->ddl[at].file = f;
    h->ddl[at].pos = pos;
    h->nddl++;
    *added = 1;
    return 0;
}

/* Append a snapshot; takes ownership of cols (freed on failure too). */
static int snap_add(bd_schema_history *h, const char *file, uint64_t pos, const char *db,
                    const char *table, bd_schema_col *cols, size_t n)
{
    if (h->nsnap == h->csnap) {
        size_t nc = h->csnap ? h->csnap * 2 : 16;
        snap *p = realloc(h->snaps, nc * sizeof *p);
        if (!p) {
            bd_schema_cols_free(cols, n);
            return -1;
        }
        h->snaps = p;
        h->csnap = nc;
    }
    snap *s = &h->snaps[h->nsnap];
    s->at.file = strdup(file);
    s->at.pos = pos;
    s->db = strdup(db);
    s->table = strdup(table);
    s->cols = cols;
    s->n = n;
    if (!s->at.file || !s->db || !s->table) {
        free(s->at.file);
        free(s->db);
        free(s->table);
        bd_schema_cols_free(cols, n);
        return -1;
    }
    h->nsnap++;
    return 0;
}

/* The primary key of cols in key order: order[0..*k) are column indexes.
 * -1 when the positions are not 1..k each once.  order has room for n. */
static int pk_order(const bd_schema_col *cols, size_t n, uint32_t *order, uint32_t *k)
{
    uint32_t cnt = 0;
    for (size_t i = 0; i < n; i++)
        if (cols[i].pk) cnt++;
    for (uint32_t p = 0; p < cnt; p++)
        order[p] = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        uint32_t p = cols[i].pk;
        if (!p) continue;
        if (p > cnt || order[p - 1] != UINT32_MAX) return -1;
        order[p - 1] = (uint32_t)i;
    }
    *k = cnt;
    return 0;
}

/* ---- the file ----------------------------------------------------------- */

static int append_line(bd_schema_history *h, bd_buf *b, bd_err *err)
{
    bd_buf_addc(b, '\n');
    if (bd_buf_failed(b)) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    size_t off = 0;
    while (off < b->len) {
        ssize_t w = write(h->fd, b->ptr + off, b->len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
            return bd_err_set(err, BD_ERR_IO, "writing the schema history %s: %s", h->path,
                              strerror(errno));
        off += (size_t)w;
    }
    /* rows decoded with this schema may be published right after: the
     * record must outlive a crash first */
    if (fdatasync(h->fd) < 0)
        return bd_err_set(err, BD_ERR_IO, "fsync of the schema history %s: %s", h->path,
                          strerror(errno));
    if (h->tee) h->tee(h->tee_ctx, b->ptr, b->len - 1);
    return 0;
}

void bd_schema_history_set_tee(bd_schema_history *h,
                               void (*tee)(void *ctx, const char *line, size_t n), void *ctx)
{
    h->tee = tee;
    h->tee_ctx = ctx;
}

/* The first line of a history of server. */
static void header_line(const char *server, bd_buf *b)
{
    bd_buf_adds(b, "{\"binlogd_schema_history\":1,\"server\":");
    bd_buf_add_json_str(b, server, strlen(server));
    bd_buf_addc(b, '}');
}

/* Is line (n bytes, no newline) one of the file's f? */
static int has_line(char **have, size_t nhave, const char *line, size_t n)
{
    for (size_t i = 0; i < nhave; i++)
        if (strlen(have[i]) == n && !memcmp(have[i], line, n)) return 1;
    return 0;
}

int bd_schema_history_merge(const char *path, const char *server, const char *const *lines,
                            const size_t *lens, size_t n, size_t *added, bd_err *err)
{
    *added = 0;
    /* opening checks the file and drops a torn last line */
    bd_schema_history *h = bd_schema_history_open(path, err);
    if (!h) return -1;
    char **have = NULL;
    size_t nhave = 0, cap = 0;
    int rc = 0;
    FILE *f = fopen(path, "re");
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while (f && (len = getline(&line, &lcap, f)) > 0) {
        if (line[len - 1] == '\n') line[--len] = '\0';
        if (nhave == cap) {
            cap = cap ? 2 * cap : 64;
            char **nh = realloc(have, cap * sizeof *nh);
            if (!nh) {
                rc = bd_err_set(err, BD_ERR_NOMEM, "out of memory");
                break;
            }
            have = nh;
        }
        if (!(have[nhave] = strdup(line))) {
            rc = bd_err_set(err, BD_ERR_NOMEM, "out of memory");
            break;
        }
        nhave++;
    }
    free(line);
    if (f) fclose(f);
    /* a new file starts with the server's line (the lines', else server's:
     * their first copy of it may have been lost); a file of another server
     * takes none of these lines (the positions are not its) */
    int fresh = nhave == 0;
    int with_header = 0;
    for (size_t i = 0; i < n; i++)
        if (lens[i] > 25 && !memcmp(lines[i], "{\"binlogd_schema_history\"", 25)) with_header = 1;
    if (rc == 0 && fresh && !with_header) {
        if (!server || !*server) {
            n = 0; /* whose they are is not known */
        } else {
            bd_buf b = BD_BUF_INIT;
            header_line(server, &b);
            rc = append_line(h, &b, err);
            bd_buf_release(&b);
            fresh = 0;
        }
    }
    for (size_t i = 0; rc == 0 && !fresh && i < n; i++)
        if (lens[i] > 25 && !memcmp(lines[i], "{\"binlogd_schema_history\"", 25) &&
            !has_line(have, nhave, lines[i], lens[i]))
            n = 0;
    for (int pass = fresh ? 0 : 1; rc == 0 && pass < 2; pass++) {
        for (size_t i = 0; rc == 0 && i < n; i++) {
            int header = lens[i] > 25 && !memcmp(lines[i], "{\"binlogd_schema_history\"", 25);
            if ((pass == 0) != header) continue;
            if (header && !fresh) continue; /* the file names its server already */
            if (has_line(have, nhave, lines[i], lens[i])) continue;
            bd_buf b = BD_BUF_INIT;
            bd_buf_add(&b, lines[i], lens[i]);
            rc = append_line(h, &b, err);
            bd_buf_release(&b);
            if (rc == 0) (*added)++;
            if (header) fresh = 0;
        }
    }
    for (size_t i = 0; i < nhave; i++)
        free(have[i]);
    free(have);
    bd_schema_history_close(h);
    return rc;
}

static void add_at(bd_buf *b, const char *key, const char *file, uint64_t pos)
{
    bd_buf_addf(b, "\"%s\":{\"file\":", key);
    bd_buf_add_json_str(b, file, strlen(file));
    bd_buf_adds(b, ",\"pos\":");
    bd_buf_add_u64(b, pos);
    bd_buf_addc(b, '}');
}

/* The reader's start, on every line it writes: the lines say what was read
 * whole (seen_from .. the line's position). */
static int add_seen(bd_schema_history *h, bd_buf *b, const char *file, uint64_t pos)
{
    if (!h->session.file) return 0;
    bd_buf_addc(b, ',');
    add_at(b, "seen_from", h->session.file, h->session.pos);
    return seen_add(h, h->session.file, h->session.pos, file, pos);
}

/* A position object {"file":..,"pos":..}. */
static int get_at(json_t *o, const char **file, uint64_t *pos)
{
    json_t *f = json_object_get(o, "file"), *p = json_object_get(o, "pos");
    if (!json_is_string(f) || !json_is_integer(p) || json_integer_value(p) < 4) return -1;
    *file = json_string_value(f);
    *pos = (uint64_t)json_integer_value(p);
    return 0;
}

static int load_line(bd_schema_history *h, json_t *j, unsigned line, bd_err *err)
{
    const char *file;
    uint64_t pos;
    json_t *v;
    if ((v = json_object_get(j, "binlogd_schema_history"))) {
        json_t *srv = json_object_get(j, "server");
        if (line != 1 || !json_is_integer(v) || json_integer_value(v) != 1 || !json_is_string(srv))
            return -1;
        h->server = strdup(json_string_value(srv));
        return h->server ? 0 : bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    /* what the reader that wrote the line had read whole (older lines do
     * not say: they add no stretch, and their snapshots are not used) */
    json_t *sf = json_object_get(j, "seen_from");
    json_t *at = json_object_get(j, "ddl");
    if (!at) at = json_object_get(j, "table");
    if (!at) at = json_object_get(j, "seen_to");
    if (json_object_get(j, "seen_to")) {
        if (!sf) return -1;
        /* a reader's stop: what it read whole, nothing else */
    } else if (!json_object_get(j, "ddl") && !json_object_get(j, "table")) {
        at = NULL;
    }
    if (sf && at) {
        const char *sff, *af;
        uint64_t sfp, ap;
        if (get_at(sf, &sff, &sfp) < 0 || get_at(at, &af, &ap) < 0 ||
            bd_binlog_pos_cmp(sff, sfp, af, ap) > 0)
            return -1;
        if (seen_add(h, sff, sfp, af, ap) < 0)
            return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    if (json_object_get(j, "seen_to")) return 0;
    if ((v = json_object_get(j, "ddl"))) {
        int added;
        if (get_at(v, &file, &pos) < 0) return -1;
        return ddl_insert(h, file, pos, &added) < 0 ? bd_err_set(err, BD_ERR_NOMEM, "out of memory")
                                                    : 0;
    }
    if ((v = json_object_get(j, "table"))) {
        json_t *db = json_object_get(j, "db"), *nm = json_object_get(j, "name"),
               *cols = json_object_get(j, "columns"), *pk = json_object_get(j, "primary_key");
        if (get_at(v, &file, &pos) < 0 || !json_is_string(db) || !json_is_string(nm) ||
            !json_is_array(cols) || json_array_size(cols) == 0)
            return -1;
        /* Written by a binlogd that did not keep keys: without it the table
         * would be taken for one without a primary key (every column in the
         * message key).  Passed over, so the reader asks information_schema
         * again and appends a complete line. */
        if (!pk) return 0;
        if (!json_is_array(pk) || json_array_size(pk) > json_array_size(cols)) return -1;
        size_t n = json_array_size(cols);
        bd_schema_col *c = calloc(n, sizeof *c);
        if (!c) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_array_get(cols, i);
            json_t *cn = json_object_get(o, "name"), *ct = json_object_get(o, "type"),
                   *cc = json_object_get(o, "collation");
            if (!json_is_string(cn) || !json_is_string(ct) || !json_is_integer(cc) ||
                json_integer_value(cc) < 0 || json_integer_value(cc) > UINT32_MAX) {
                bd_schema_cols_free(c, n);
                return -1;
            }
            c[i].name = strdup(json_string_value(cn));
            c[i].type = strdup(json_string_value(ct));
            c[i].collation = (uint32_t)json_integer_value(cc);
            if (!c[i].name || !c[i].type) {
                bd_schema_cols_free(c, n);
                return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
            }
        }
        /* key columns by name, each a column of the line, each once */
        for (size_t k = 0; k < json_array_size(pk); k++) {
            json_t *kn = json_array_get(pk, k);
            size_t i = 0;
            while (json_is_string(kn) && i < n && strcmp(c[i].name, json_string_value(kn)) != 0)
                i++;
            if (!json_is_string(kn) || i == n || c[i].pk) {
                bd_schema_cols_free(c, n);
                return -1;
            }
            c[i].pk = (uint32_t)k + 1;
        }
        if (snap_add(h, file, pos, json_string_value(db), json_string_value(nm), c, n) < 0)
            return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        return 0;
    }
    return -1;
}

bd_schema_history *bd_schema_history_open(const char *path, bd_err *err)
{
    bd_schema_history *h = calloc(1, sizeof *h);
    if (!h || !(h->path = strdup(path))) {
        free(h);
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    h->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (h->fd < 0) {
        bd_err_set(err, BD_ERR_IO, "schema history %s: %s", path, strerror(errno));
        bd_schema_history_close(h);
        return NULL;
    }
    FILE *f = fdopen(dup(h->fd), "r");
    if (!f) {
        bd_err_set(err, BD_ERR_IO, "schema history %s: %s", path, strerror(errno));
        bd_schema_history_close(h);
        return NULL;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned no = 0;
    off_t good = 0; /* the end of the last whole line */
    int rc = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        no++;
        if (line[len - 1] != '\n') break; /* cut short by a crash: dropped below */
        json_error_t je;
        json_t *j = json_loadb(line, (size_t)len, 0, &je);
        if (!j || !json_is_object(j) || load_line(h, j, no, err) < 0) {
            if (err->code != BD_ERR_NOMEM)
                bd_err_set(err, BD_ERR_CORRUPT,
                           "schema history %s:%u: not a line this file holds (%s); it was "
                           "edited or belongs to something else",
                           path, no, j ? "unknown or incomplete record" : je.text);
            json_decref(j);
            rc = -1;
            break;
        }
        json_decref(j);
        good += len;
    }
    free(line);
    fclose(f);
    if (rc == 0 && no > 0 && !h->server) {
        bd_err_set(err, BD_ERR_CORRUPT, "schema history %s:1: the first line must name the server",
                   path);
        rc = -1;
    }
    struct stat st;
    if (rc == 0 && fstat(h->fd, &st) == 0 && st.st_size > good && ftruncate(h->fd, good) < 0) {
        bd_err_set(err, BD_ERR_IO, "schema history %s: dropping a torn last line: %s", path,
                   strerror(errno));
        rc = -1;
    }
    if (rc < 0) {
        bd_schema_history_close(h);
        return NULL;
    }
    return h;
}

const char *bd_schema_history_server(const bd_schema_history *h) { return h->server; }

int bd_schema_history_bind(bd_schema_history *h, const char *server, bd_err *err)
{
    if (h->server) {
        if (strcmp(h->server, server) != 0)
            return bd_err_set(err, BD_ERR_IO,
                              "schema history %s belongs to %s, not to this server (%s): its "
                              "positions mean nothing here; give another file",
                              h->path, h->server, server);
        /* the copy elsewhere may lack it (its first copy lost): again */
        if (h->tee) {
            bd_buf b = BD_BUF_INIT;
            header_line(server, &b);
            if (!bd_buf_failed(&b)) h->tee(h->tee_ctx, b.ptr, b.len);
            bd_buf_release(&b);
        }
        return 0;
    }
    if (!(h->server = strdup(server))) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    bd_buf b = BD_BUF_INIT;
    header_line(server, &b);
    int r = append_line(h, &b, err);
    bd_buf_release(&b);
    return r;
}

int bd_schema_history_add_ddl(bd_schema_history *h, const char *file, uint64_t pos, const char *db,
                              size_t dbn, const char *query, size_t qn, bd_err *err)
{
    int added;
    if (ddl_insert(h, file, pos, &added) < 0) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    if (!added) return 0;
    bd_buf b = BD_BUF_INIT;
    bd_buf_addc(&b, '{');
    add_at(&b, "ddl", file, pos);
    if (add_seen(h, &b, file, pos) < 0) {
        bd_buf_release(&b);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    bd_buf_adds(&b, ",\"db\":");
    bd_buf_add_json_str(&b, db, dbn);
    /* the statement is for people reading the file; long ones are cut */
    bd_buf_adds(&b, ",\"query\":");
    bd_buf_add_json_str(&b, query, qn > 1000 ? 1000 : qn);
    bd_buf_addc(&b, '}');
    int r = append_line(h, &b, err);
    bd_buf_release(&b);
    return r;
}

int bd_schema_history_add_table(bd_schema_history *h, const char *file, uint64_t pos,
                                const char *db, const char *table, const bd_schema_col *cols,
                                size_t n, bd_err *err)
{
    uint32_t *order = calloc(n ? n : 1, sizeof *order), npk = 0;
    if (!order) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    if (pk_order(cols, n, order, &npk) < 0) {
        free(order);
        return bd_err_set(err, BD_ERR_SCHEMA,
                          "`%s`.`%s`: the primary key positions of its columns are not 1..N "
                          "each once; not recorded in the schema history %s",
                          db, table, h->path);
    }
    bd_schema_col *c = calloc(n ? n : 1, sizeof *c);
    if (!c) {
        free(order);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        c[i].name = strdup(cols[i].name);
        c[i].type = strdup(cols[i].type);
        c[i].collation = cols[i].collation;
        c[i].pk = cols[i].pk;
        if (!c[i].name || !c[i].type) {
            free(order);
            bd_schema_cols_free(c, n);
            return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        }
    }
    if (snap_add(h, file, pos, db, table, c, n) < 0) {
        free(order);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    bd_buf b = BD_BUF_INIT;
    bd_buf_addc(&b, '{');
    add_at(&b, "table", file, pos);
    if (add_seen(h, &b, file, pos) < 0) {
        free(order);
        bd_buf_release(&b);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    bd_buf_adds(&b, ",\"db\":");
    bd_buf_add_json_str(&b, db, strlen(db));
    bd_buf_adds(&b, ",\"name\":");
    bd_buf_add_json_str(&b, table, strlen(table));
    bd_buf_adds(&b, ",\"columns\":[");
    for (size_t i = 0; i < n; i++) {
        bd_buf_adds(&b, i ? ",{\"name\":" : "{\"name\":");
        bd_buf_add_json_str(&b, cols[i].name, strlen(cols[i].name));
        bd_buf_adds(&b, ",\"type\":");
        bd_buf_add_json_str(&b, cols[i].type, strlen(cols[i].type));
        bd_buf_addf(&b, ",\"collation\":%u}", cols[i].collation);
    }
    bd_buf_adds(&b, "],\"primary_key\":[");
    for (uint32_t k = 0; k < npk; k++) {
        if (k) bd_buf_addc(&b, ',');
        bd_buf_add_json_str(&b, cols[order[k]].name, strlen(cols[order[k]].name));
    }
    bd_buf_adds(&b, "]}");
    free(order);
    int r = append_line(h, &b, err);
    bd_buf_release(&b);
    return r;
}

int bd_schema_history_find(const bd_schema_history *h, const char *file, uint64_t pos,
                           const char *db, const char *table, const bd_schema_col **cols, size_t *n,
                           int *ddl_after_pos)
{
    /* the stretch without DDL that holds pos: (ddl[k-1], ddl[k]) */
    size_t k = ddl_after(h, file, pos);
    *ddl_after_pos = k < h->nddl;
    const snap *best = NULL;
    for (size_t i = 0; i < h->nsnap; i++) {
        const snap *s = &h->snaps[i];
        if (strcmp(s->db, db) != 0 || strcmp(s->table, table) != 0) continue;
        if (ddl_after(h, s->at.file, s->at.pos) != k) continue; /* another stretch */
        /* no DDL between them that nobody read */
        if (!seen_between(h, s->at.file, s->at.pos, file, pos)) continue;
        best = s; /* any snapshot of the stretch will do; the latest added is kept */
    }
    if (!best) return 0;
    *cols = best->cols;
    *n = best->n;
    return 1;
}

int bd_schema_history_seen_to(bd_schema_history *h, const char *file, uint64_t pos, bd_err *err)
{
    if (!h->session.file || bd_binlog_pos_cmp(h->session.file, h->session.pos, file, pos) >= 0)
        return 0;
    bd_buf b = BD_BUF_INIT;
    bd_buf_addc(&b, '{');
    add_at(&b, "seen_to", file, pos);
    if (add_seen(h, &b, file, pos) < 0) {
        bd_buf_release(&b);
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    bd_buf_addc(&b, '}');
    int r = append_line(h, &b, err);
    bd_buf_release(&b);
    return r;
}

int bd_schema_history_session(bd_schema_history *h, const char *file, uint64_t pos, bd_err *err)
{
    if (h->session.file) return 0;
    if (!(h->session.file = strdup(file))) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    h->session.pos = pos;
    return 0;
}

size_t bd_schema_history_ddls(const bd_schema_history *h) { return h->nddl; }
size_t bd_schema_history_tables(const bd_schema_history *h) { return h->nsnap; }

/* ---- applying columns to a map ------------------------------------------ */

int bd_schema_names(const bd_table *t, char db[65], char tb[65], bd_err *err)
{
    if (t->db.n > 64 || t->name.n > 64)
        return bd_err_set(err, BD_ERR_SCHEMA, "table name longer than 64 bytes");
    memcpy(db, t->db.p, t->db.n);
    db[t->db.n] = '\0';
    memcpy(tb, t->name.p, t->name.n);
    tb[t->name.n] = '\0';
    return 0;
}

/* Does a COLUMN_TYPE ("bigint(20) unsigned", "varchar(64)") fit a binlog type? */
static int type_fits(const bd_column *c, const char *ct)
{
    static const struct {
        const char *prefix;
        uint8_t types[4];
    } fam[] = {
        {"tinyint", {BD_T_TINY}},
        {"smallint", {BD_T_SHORT}},
        {"mediumint", {BD_T_INT24}},
        {"int", {BD_T_LONG}},
        {"bigint", {BD_T_LONGLONG}},
        {"decimal", {BD_T_NEWDECIMAL, BD_T_DECIMAL}},
        {"float", {BD_T_FLOAT}},
        {"double", {BD_T_DOUBLE}},
        {"bit", {BD_T_BIT}},
        {"year", {BD_T_YEAR}},
        {"date", {BD_T_DATE, BD_T_NEWDATE}},
        {"datetime", {BD_T_DATETIME2, BD_T_DATETIME}},
        {"timestamp", {BD_T_TIMESTAMP2, BD_T_TIMESTAMP}},
        {"time", {BD_T_TIME2, BD_T_TIME}},
        {"enum", {BD_T_STRING, BD_T_ENUM}},
        {"set", {BD_T_STRING, BD_T_SET}},
        {"char", {BD_T_STRING}},
        {"binary", {BD_T_STRING}},
        {"varchar", {BD_T_VARCHAR, BD_T_VAR_STRING}},
        {"varbinary", {BD_T_VARCHAR, BD_T_VAR_STRING}},
        {"json", {BD_T_JSON, BD_T_BLOB}},
        {"vector", {BD_T_VECTOR}},
        {"inet6", {BD_T_STRING}},
        {"inet4", {BD_T_STRING}},
        {"uuid", {BD_T_STRING}},
    };
    /* the family name ends at '(' or ' ' */
    size_t n = strcspn(ct, "( ");
    if (n >= 4 && (!strncmp(ct + n - 4, "blob", 4) || !strncmp(ct + n - 4, "text", 4)))
        return c->type == BD_T_BLOB;
    if (!strncmp(ct, "geometry", 8) || !strncmp(ct, "point", 5) || !strncmp(ct, "linestring", 10) ||
        !strncmp(ct, "polygon", 7) || !strncmp(ct, "multi", 5) ||
        !strncmp(ct, "geometrycollection", 18))
        return c->type == BD_T_GEOMETRY;
    for (size_t i = 0; i < sizeof fam / sizeof fam[0]; i++) {
        if (strlen(fam[i].prefix) != n || strncmp(ct, fam[i].prefix, n)) continue;
        for (int k = 0; k < 4 && fam[i].types[k]; k++)
            if (fam[i].types[k] == c->type) return 1;
        return 0;
    }
    return 1; /* a type we do not know by name: trust the map */
}

/* ---- ENUM and SET members ----------------------------------------------- */

void bd_schema_members_release(bd_schema_members *m)
{
    free(m->m);
    free(m->bytes);
    memset(m, 0, sizeof *m);
}

int bd_schema_parse_members(const char *ct, bd_schema_members *out, bd_err *err)
{
    memset(out, 0, sizeof *out);
    size_t at;
    if (!strncasecmp(ct, "enum(", 5)) {
        at = 5;
    } else if (!strncasecmp(ct, "set(", 4)) {
        at = 4;
        out->is_set = 1;
    } else {
        return bd_err_set(err, BD_ERR_SCHEMA, "COLUMN_TYPE \"%.200s\" is not enum(...) or set(...)",
                          ct);
    }
    bd_buf bytes = BD_BUF_INIT;
    uint32_t *off = NULL; /* member k is bytes[off[k] .. off[k+1]) */
    size_t cap = 0, n = 0;
    const char *what = NULL;
    for (;;) {
        if (ct[at] != '\'') {
            what = "a quote expected";
            break;
        }
        at++;
        if (n + 2 > cap) {
            size_t nc = cap ? cap * 2 : 16;
            uint32_t *no = realloc(off, nc * sizeof *no);
            if (!no) {
                what = "out of memory";
                break;
            }
            off = no;
            cap = nc;
        }
        off[n] = (uint32_t)bytes.len;
        /* one member: up to the quote that is not doubled */
        while (!what) {
            char c = ct[at];
            if (c == '\0') {
                what = "the member does not end";
            } else if (c == '\'' && ct[at + 1] == '\'') {
                bd_buf_addc(&bytes, '\'');
                at += 2;
            } else if (c == '\'') {
                at++;
                break;
            } else if (c == '\\') {
                /* MySQL's and MariaDB's escapes (append_unescaped), and the
                 * other SQL string escapes that could stand for one byte */
                char e = ct[at + 1], b;
                switch (e) {
                case '\\': b = '\\'; break;
                case '\'': b = '\''; break;
                case '"': b = '"'; break;
                case '0': b = '\0'; break;
                case 'n': b = '\n'; break;
                case 'r': b = '\r'; break;
                case 't': b = '\t'; break;
                case 'b': b = '\b'; break;
                case 'Z': b = '\032'; break;
                default:
                    b = 0;
                    what = "an unknown escape";
                    break;
                }
                if (!what) {
                    bd_buf_addc(&bytes, b);
                    at += 2;
                }
            } else {
                bd_buf_addc(&bytes, c);
                at++;
            }
        }
        if (what) break;
        n++;
        if (n > 65535) {
            what = "more than 65535 members";
            break;
        }
        if (ct[at] == ',') {
            at++;
            continue;
        }
        if (ct[at] != ')') {
            what = "',' or ')' expected";
            break;
        }
        at++;
        while (ct[at] == ' ')
            at++;
        if (ct[at] != '\0') what = "text after the members";
        break;
    }
    if (!what && bd_buf_failed(&bytes)) what = "out of memory";
    if (!what) {
        off[n] = (uint32_t)bytes.len;
        out->m = calloc(n, sizeof *out->m);
        if (!out->m) what = "out of memory";
    }
    if (what) {
        int oom = !strcmp(what, "out of memory");
        free(off);
        bd_buf_release(&bytes);
        bd_schema_members_release(out);
        if (oom) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        return bd_err_set(err, BD_ERR_SCHEMA, "COLUMN_TYPE \"%.200s\" at offset %zu: %s", ct, at,
                          what);
    }
    out->n = (uint32_t)n;
    out->bytes = bd_buf_detach(&bytes, NULL);
    for (size_t k = 0; k < n; k++) {
        out->m[k].p = out->bytes + off[k];
        out->m[k].n = off[k + 1] - off[k];
    }
    free(off);
    return 0;
}

/* Bytes of an ENUM or SET value with n members, as the server packs it:
 * ENUM 1 byte up to 255 members, else 2; SET one byte per 8 members, 8
 * bytes beyond 32 members. */
static uint32_t members_pack_length(int is_set, uint32_t n)
{
    if (!is_set) return n < 256 ? 1 : 2;
    uint32_t len = (n + 7) / 8;
    return len > 4 ? 8 : len;
}

/* Put the names, signedness and collations of cols on the map, after
 * checking that they fit it.  'whence' says where cols come from, for the
 * message. */
static int schema_apply(bd_table *t, const char *db, const char *tb, const bd_schema_col *cols,
                        size_t n, const char *whence, bd_schema_members **memp, uint32_t **orderp,
                        bd_err *err);

int bd_schema_apply(bd_table *t, const char *db, const char *tb, const bd_schema_col *cols,
                    size_t n, const char *whence, bd_err *err)
{
    bd_schema_members *mem = NULL;
    uint32_t *order = NULL;
    int r = schema_apply(t, db, tb, cols, n, whence, &mem, &order, err);
    if (mem)
        for (size_t i = 0; i < n; i++)
            bd_schema_members_release(&mem[i]);
    free(mem);
    free(order);
    return r;
}

/* bd_schema_apply, with its scratch (members per column, key order) freed
 * by the caller. */
static int schema_apply(bd_table *t, const char *db, const char *tb, const bd_schema_col *cols,
                        size_t n, const char *whence, bd_schema_members **memp, uint32_t **orderp,
                        bd_err *err)
{
    if (n != t->ncols)
        return bd_err_set(err, BD_ERR_SCHEMA,
                          "TABLE_MAP of `%s`.`%s` has %u columns but %s has %zu: the table "
                          "changed since this binlog position and the column names cannot be "
                          "placed safely; run the server with binlog_row_metadata=FULL",
                          db, tb, t->ncols, whence, n);
    for (uint32_t i = 0; i < n; i++) {
        bd_column *c = &t->cols[i];
        const char *ct = cols[i].type;
        if (!type_fits(c, ct))
            return bd_err_set(err, BD_ERR_SCHEMA,
                              "TABLE_MAP of `%s`.`%s` column %u is %s but %s has %s %s there: "
                              "the table changed since this binlog position; run the server "
                              "with binlog_row_metadata=FULL",
                              db, tb, i + 1, bd_coltype_name(c->real_type), whence, cols[i].name,
                              ct);
    }
    /* the members and the key, checked before the map is changed */
    bd_schema_members *mem = *memp = calloc(n, sizeof *mem);
    uint32_t *order = *orderp = calloc(n, sizeof *order), npk = 0;
    if (!mem || !order) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        bd_column *c = &t->cols[i];
        if ((c->real_type != BD_T_ENUM && c->real_type != BD_T_SET) || c->n_enum) continue;
        const char *ct = cols[i].type;
        if (bd_schema_parse_members(ct, &mem[i], err) < 0) {
            if (err->code == BD_ERR_NOMEM) return -1;
            return bd_err_prefix(err, "TABLE_MAP of `%s`.`%s` column %u (%s), from %s: ", db, tb,
                                 i + 1, cols[i].name, whence);
        }
        /* the pack length follows from the member count: another count
         * means members were added or dropped since this position, and
         * values would land on the wrong member */
        int is_set = c->real_type == BD_T_SET;
        uint32_t want = members_pack_length(is_set, mem[i].n);
        if (mem[i].is_set != is_set || want != c->length)
            return bd_err_set(err, BD_ERR_SCHEMA,
                              "TABLE_MAP of `%s`.`%s` column %u is a %s of %u byte%s but %s has "
                              "%s %s with %u members there (%u byte%s): the table changed since "
                              "this binlog position; run the server with "
                              "binlog_row_metadata=FULL",
                              db, tb, i + 1, is_set ? "SET" : "ENUM", c->length,
                              c->length == 1 ? "" : "s", whence, cols[i].name,
                              mem[i].is_set ? "a SET" : "an ENUM", mem[i].n, want,
                              want == 1 ? "" : "s");
        /* information_schema speaks UTF-8; only binary members are bytes */
        uint32_t coll = c->collation ? c->collation : cols[i].collation;
        for (uint32_t k = 0; coll != 63 && k < mem[i].n; k++)
            if (!bd_utf8_valid((const uint8_t *)mem[i].m[k].p, mem[i].m[k].n))
                return bd_err_set(err, BD_ERR_SCHEMA,
                                  "TABLE_MAP of `%s`.`%s` column %u (%s): member %u in %s is "
                                  "not UTF-8",
                                  db, tb, i + 1, cols[i].name, k + 1, whence);
        /* information_schema builds COLUMN_TYPE in utf8mb3: a character
         * beyond the BMP (an emoji in a utf8mb4 ENUM) became '?'.  Where
         * the charset can hold one, a '?' may not be the member's: the
         * members are not used (the values stay numbers, as without a
         * schema source) rather than print a wrong string. */
        int lossy = 0;
        for (uint32_t k = 0; coll != 63 && bd_charset_mbmaxlen(coll) == 4 && k < mem[i].n; k++)
            if (memchr(mem[i].m[k].p, '?', mem[i].m[k].n)) lossy = 1;
        if (lossy) bd_schema_members_release(&mem[i]);
    }
    if (pk_order(cols, n, order, &npk) < 0)
        return bd_err_set(err, BD_ERR_SCHEMA,
                          "`%s`.`%s`: the primary key positions of its columns in %s are not "
                          "1..N each once",
                          db, tb, whence);

    for (uint32_t i = 0; i < n; i++) {
        bd_column *c = &t->cols[i];
        const char *ct = cols[i].type;
        if (!c->name.p && bd_table_set_name(t, i, cols[i].name, strlen(cols[i].name)) < 0)
            return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        if (c->is_unsigned < 0) c->is_unsigned = strstr(ct, "unsigned") != NULL;
        if (!c->collation) c->collation = cols[i].collation;
        /* binary strings have no collation in information_schema; the
         * type's name decides (an ENUM member may well say "binary") */
        size_t fam = strcspn(ct, "( ");
        if (!c->collation && (memmem(ct, fam, "binary", 6) || memmem(ct, fam, "blob", 4) ||
                              !strncmp(ct, "inet", 4) || !strncmp(ct, "uuid", 4)))
            c->collation = 63;
        if (mem[i].n && bd_table_set_members(t, i, mem[i].m, mem[i].n, c->collation != 63) < 0)
            return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    }
    /* a map's own key (FULL metadata) is the server's word */
    if (!t->npk && npk && bd_table_set_pk(t, order, npk) < 0)
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    return 0;
}
