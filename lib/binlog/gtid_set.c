/* gtid_set.c - MySQL GTID sets and MariaDB GTID positions (gtid_set.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binlogd/gtid_set.h"

#define UUID_LEN 36
#define TAG_MAX 32 /* MySQL's longest tag */

typedef struct ival {
    uint64_t a, b; /* inclusive */
} ival;

struct bd_gtid_sid {
    /* MySQL */
    char uuid[UUID_LEN + 1]; /* lower case */
    char tag[TAG_MAX + 1];   /* lower case, "" untagged */
    ival *iv;                /* sorted, disjoint, not adjacent */
    size_t niv, civ;
    /* MariaDB */
    uint32_t domain, server;
    uint64_t seq;
};

void bd_gtid_set_release(bd_gtid_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->sids[i].iv);
    free(s->sids);
    s->sids = NULL;
    s->n = s->cap = 0;
}

static int sid_cmp(const bd_gtid_sid *x, const char *uuid, const char *tag)
{
    int c = strcmp(x->uuid, uuid);
    return c ? c : strcmp(x->tag, tag);
}

/* Binary search: 1 and *at = its index if the sid is there, else 0 and
 * *at = where it belongs. */
static int sid_search(const bd_gtid_set *s, const char *uuid, const char *tag, uint32_t domain,
                      size_t *at)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = s->flavor == BD_FLAVOR_MARIADB
                    ? (s->sids[mid].domain > domain) - (s->sids[mid].domain < domain)
                    : sid_cmp(&s->sids[mid], uuid, tag);
        if (c == 0) {
            *at = mid;
            return 1;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *at = lo;
    return 0;
}

static const bd_gtid_sid *sid_find(const bd_gtid_set *s, const char *uuid, const char *tag,
                                   uint32_t domain)
{
    size_t at;
    return sid_search(s, uuid, tag, domain, &at) ? &s->sids[at] : NULL;
}

/* The sid for uuid/tag (MySQL) or domain (MariaDB), created in order when
 * missing.  NULL when memory ran out. */
static bd_gtid_sid *sid_get(bd_gtid_set *s, const char *uuid, const char *tag, uint32_t domain,
                            int *created)
{
    size_t lo;
    if (sid_search(s, uuid, tag, domain, &lo)) {
        if (created) *created = 0;
        return &s->sids[lo];
    }
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 4;
        bd_gtid_sid *p = realloc(s->sids, nc * sizeof *p);
        if (!p) return NULL;
        s->sids = p;
        s->cap = nc;
    }
    memmove(&s->sids[lo + 1], &s->sids[lo], (s->n - lo) * sizeof *s->sids);
    s->n++;
    bd_gtid_sid *x = &s->sids[lo];
    memset(x, 0, sizeof *x);
    snprintf(x->uuid, sizeof x->uuid, "%s", uuid);
    snprintf(x->tag, sizeof x->tag, "%s", tag);
    x->domain = domain;
    if (created) *created = 1;
    return x;
}

/* Add [a,b] to x's intervals, merging with overlapping and adjacent ones. */
static int ival_add(bd_gtid_sid *x, uint64_t a, uint64_t b)
{
    size_t i = 0;
    while (i < x->niv && x->iv[i].b + 1 < a)
        i++;
    /* i: first interval that ends at or after a-1 */
    size_t j = i;
    while (j < x->niv && x->iv[j].a <= b + 1) {
        if (x->iv[j].a < a) a = x->iv[j].a;
        if (x->iv[j].b > b) b = x->iv[j].b;
        j++;
    }
    if (j > i) { /* [i, j) merge into one */
        x->iv[i].a = a;
        x->iv[i].b = b;
        memmove(&x->iv[i + 1], &x->iv[j], (x->niv - j) * sizeof *x->iv);
        x->niv -= j - i - 1;
        return 0;
    }
    if (x->niv == x->civ) {
        size_t nc = x->civ ? x->civ * 2 : 2;
        ival *p = realloc(x->iv, nc * sizeof *p);
        if (!p) return -1;
        x->iv = p;
        x->civ = nc;
    }
    memmove(&x->iv[i + 1], &x->iv[i], (x->niv - i) * sizeof *x->iv);
    x->iv[i].a = a;
    x->iv[i].b = b;
    x->niv++;
    return 0;
}

static int ival_has(const bd_gtid_sid *x, uint64_t g)
{
    size_t lo = 0, hi = x->niv;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g < x->iv[mid].a)
            hi = mid;
        else if (g > x->iv[mid].b)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

/* A decimal number of at most 19 digits (GNOs and seqs are below 2^63). */
static int num(const char *p, size_t n, uint64_t *v)
{
    if (n == 0 || n > 19) return -1;
    uint64_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        r = r * 10 + (uint64_t)(p[i] - '0');
    }
    *v = r;
    return 0;
}

static int is_uuid(const char *p, size_t n)
{
    if (n != UUID_LEN) return 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (p[i] != '-') return 0;
        } else if (!isxdigit((unsigned char)p[i])) {
            return 0;
        }
    }
    return 1;
}

/* MySQL's tag syntax: a letter or '_', then letters, digits or '_'. */
static int is_tag(const char *p, size_t n)
{
    if (n == 0 || n > TAG_MAX) return 0;
    if (!isalpha((unsigned char)p[0]) && p[0] != '_') return 0;
    for (size_t i = 1; i < n; i++)
        if (!isalnum((unsigned char)p[i]) && p[i] != '_') return 0;
    return 1;
}

static void lower_copy(char *dst, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (char)tolower((unsigned char)p[i]);
    dst[n] = '\0';
}

/* One MySQL element: uuid(:interval)*(:tag(:interval)*)* */
static int parse_mysql_elem(bd_gtid_set *s, const char *p, size_t n, bd_err *err)
{
    char uuid[UUID_LEN + 1], tag[TAG_MAX + 1] = "";
    size_t k = 0;
    while (k < n && p[k] != ':')
        k++;
    if (!is_uuid(p, k))
        return bd_err_set(err, BD_ERR_CORRUPT, "'%.*s' does not start with a server uuid", (int)n,
                          p);
    lower_copy(uuid, p, k);
    if (k == n)
        return bd_err_set(err, BD_ERR_CORRUPT, "'%.*s' has no transaction numbers", (int)n, p);
    int any = 0;
    while (k < n) {
        size_t st = ++k; /* past ':' */
        while (k < n && p[k] != ':')
            k++;
        const char *t = p + st;
        size_t tl = k - st;
        if (tl && (isalpha((unsigned char)t[0]) || t[0] == '_')) {
            if (!is_tag(t, tl))
                return bd_err_set(err, BD_ERR_CORRUPT, "'%.*s': bad tag '%.*s'", (int)n, p, (int)tl,
                                  t);
            lower_copy(tag, t, tl);
            continue;
        }
        const char *dash = memchr(t, '-', tl);
        uint64_t a, b;
        if (dash ? num(t, (size_t)(dash - t), &a) < 0 ||
                       num(dash + 1, tl - (size_t)(dash - t) - 1, &b) < 0
                 : num(t, tl, &a) < 0)
            return bd_err_set(err, BD_ERR_CORRUPT, "'%.*s': bad interval '%.*s'", (int)n, p,
                              (int)tl, t);
        if (!dash) b = a;
        if (a < 1 || b < a)
            return bd_err_set(err, BD_ERR_CORRUPT,
                              "'%.*s': interval '%.*s' is empty or starts at 0", (int)n, p, (int)tl,
                              t);
        bd_gtid_sid *x = sid_get(s, uuid, tag, 0, NULL);
        if (!x || ival_add(x, a, b) < 0) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        any = 1;
    }
    if (!any)
        return bd_err_set(err, BD_ERR_CORRUPT, "'%.*s' has no transaction numbers", (int)n, p);
    return 0;
}

/* d-s-n into its numbers. */
static int maria_triplet(const char *p, size_t n, uint64_t v[3])
{
    size_t k = 0;
    for (int i = 0; i < 3; i++) {
        size_t st = k;
        while (k < n && p[k] != '-')
            k++;
        if (num(p + st, k - st, &v[i]) < 0) return -1;
        if (i < 2) {
            if (k == n) return -1;
            k++;
        }
    }
    if (k != n || v[0] > UINT32_MAX || v[1] > UINT32_MAX) return -1;
    return 0;
}

/* Move the domain's position to d-s-n if that is further (a GTID_LIST may
 * name a domain once per server). */
static int maria_put(bd_gtid_set *s, const uint64_t v[3], int force)
{
    int created;
    bd_gtid_sid *x = sid_get(s, "", "", (uint32_t)v[0], &created);
    if (!x) return -1;
    if (created || force || v[2] > x->seq) {
        x->server = (uint32_t)v[1];
        x->seq = v[2];
    }
    return 0;
}

static int parse(bd_gtid_set *s, enum bd_flavor flavor, const char *text, size_t n, int before,
                 bd_err *err)
{
    bd_gtid_set_release(s);
    s->flavor = flavor;
    size_t k = 0;
    while (k < n) {
        while (k < n && (isspace((unsigned char)text[k]) || text[k] == ','))
            k++;
        size_t st = k;
        while (k < n && text[k] != ',')
            k++;
        size_t en = k;
        while (en > st && isspace((unsigned char)text[en - 1]))
            en--;
        if (en == st) continue;
        const char *p = text + st;
        size_t l = en - st;
        if (s->flavor == BD_FLAVOR_UNKNOWN)
            s->flavor = memchr(p, ':', l) ? BD_FLAVOR_MYSQL : BD_FLAVOR_MARIADB;
        if (s->flavor == BD_FLAVOR_MYSQL) {
            if (parse_mysql_elem(s, p, l, err) < 0) return -1;
        } else {
            uint64_t v[3];
            if (maria_triplet(p, l, v) < 0)
                return bd_err_set(err, BD_ERR_CORRUPT,
                                  "'%.*s' is not a MariaDB GTID (domain-server-seq)", (int)l, p);
            if (!before && sid_find(s, "", "", (uint32_t)v[0]))
                return bd_err_set(err, BD_ERR_CORRUPT,
                                  "domain %llu appears twice in the GTID position",
                                  (unsigned long long)v[0]);
            if (maria_put(s, v, 0) < 0) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        }
    }
    return 0;
}

int bd_gtid_set_parse(bd_gtid_set *s, enum bd_flavor flavor, const char *text, size_t n,
                      bd_err *err)
{
    return parse(s, flavor, text, n, 0, err);
}

int bd_gtid_set_parse_before(bd_gtid_set *s, enum bd_flavor flavor, const char *text, size_t n,
                             bd_err *err)
{
    return parse(s, flavor, text, n, 1, err);
}

/* Split a MySQL gtid "uuid[:tag]:N". */
static int mysql_gtid(const char *g, char *uuid, char *tag, uint64_t *gno)
{
    size_t n = strlen(g);
    const char *last = memchr(g, ':', n) ? strrchr(g, ':') : NULL;
    if (!last || !is_uuid(g, UUID_LEN) || g[UUID_LEN] != ':') return -1;
    if (num(last + 1, n - (size_t)(last + 1 - g), gno) < 0 || *gno < 1) return -1;
    lower_copy(uuid, g, UUID_LEN);
    const char *t = g + UUID_LEN + 1;
    size_t tl = (size_t)(last - t);
    if (last == g + UUID_LEN) {
        tag[0] = '\0';
    } else {
        if (!is_tag(t, tl)) return -1;
        lower_copy(tag, t, tl);
    }
    return 0;
}

int bd_gtid_set_add(bd_gtid_set *s, const char *gtid, bd_err *err)
{
    if (s->flavor == BD_FLAVOR_UNKNOWN)
        s->flavor = strchr(gtid, ':') ? BD_FLAVOR_MYSQL : BD_FLAVOR_MARIADB;
    if (s->flavor == BD_FLAVOR_MYSQL) {
        char uuid[UUID_LEN + 1], tag[TAG_MAX + 1];
        uint64_t g;
        if (mysql_gtid(gtid, uuid, tag, &g) < 0)
            return bd_err_set(err, BD_ERR_CORRUPT, "'%s' is not a MySQL GTID", gtid);
        bd_gtid_sid *x = sid_get(s, uuid, tag, 0, NULL);
        if (!x || ival_add(x, g, g) < 0) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        return 0;
    }
    uint64_t v[3];
    if (maria_triplet(gtid, strlen(gtid), v) < 0)
        return bd_err_set(err, BD_ERR_CORRUPT, "'%s' is not a MariaDB GTID", gtid);
    if (maria_put(s, v, 1) < 0) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    return 0;
}

int bd_gtid_set_has(const bd_gtid_set *s, const char *gtid)
{
    if (s->flavor == BD_FLAVOR_UNKNOWN) return 0;
    if (s->flavor == BD_FLAVOR_MYSQL) {
        char uuid[UUID_LEN + 1], tag[TAG_MAX + 1];
        uint64_t g;
        if (mysql_gtid(gtid, uuid, tag, &g) < 0) return -1;
        const bd_gtid_sid *x = sid_find(s, uuid, tag, 0);
        return x && ival_has(x, g);
    }
    uint64_t v[3];
    if (maria_triplet(gtid, strlen(gtid), v) < 0) return -1;
    const bd_gtid_sid *x = sid_find(s, "", "", (uint32_t)v[0]);
    return x && v[2] <= x->seq;
}

int bd_gtid_set_covers(const bd_gtid_set *s, const bd_gtid_set *before)
{
    if (before->n == 0) return 1;
    if (s->flavor != before->flavor) return 0;
    for (size_t i = 0; i < before->n; i++) {
        const bd_gtid_sid *b = &before->sids[i];
        const bd_gtid_sid *x = sid_find(s, b->uuid, b->tag, b->domain);
        if (!x) return 0;
        if (s->flavor == BD_FLAVOR_MARIADB) {
            if (x->seq < b->seq) return 0;
            continue;
        }
        /* every interval of b inside one of x (both merged) */
        size_t j = 0;
        for (size_t k = 0; k < b->niv; k++) {
            while (j < x->niv && x->iv[j].b < b->iv[k].a)
                j++;
            if (j == x->niv || x->iv[j].a > b->iv[k].a || x->iv[j].b < b->iv[k].b) return 0;
        }
    }
    return 1;
}

void bd_gtid_set_text(const bd_gtid_set *s, bd_buf *out)
{
    for (size_t i = 0; i < s->n; i++) {
        const bd_gtid_sid *x = &s->sids[i];
        if (s->flavor == BD_FLAVOR_MARIADB) {
            if (i) bd_buf_addc(out, ',');
            bd_buf_addf(out, "%u-%u-%llu", x->domain, x->server, (unsigned long long)x->seq);
            continue;
        }
        /* sids are sorted by uuid, then tag with "" first: one element per uuid */
        if (i == 0 || strcmp(s->sids[i - 1].uuid, x->uuid) != 0) {
            if (i) bd_buf_addc(out, ',');
            bd_buf_adds(out, x->uuid);
        }
        if (x->tag[0]) {
            bd_buf_addc(out, ':');
            bd_buf_adds(out, x->tag);
        }
        for (size_t k = 0; k < x->niv; k++) {
            if (x->iv[k].a == x->iv[k].b)
                bd_buf_addf(out, ":%llu", (unsigned long long)x->iv[k].a);
            else
                bd_buf_addf(out, ":%llu-%llu", (unsigned long long)x->iv[k].a,
                            (unsigned long long)x->iv[k].b);
        }
    }
}

void bd_gtid_set_missing(const bd_gtid_set *s, const bd_gtid_set *before, bd_buf *out)
{
    for (size_t i = 0; i < before->n; i++) {
        const bd_gtid_sid *b = &before->sids[i];
        const bd_gtid_sid *x = sid_find(s, b->uuid, b->tag, b->domain);
        if (before->flavor == BD_FLAVOR_MARIADB) {
            if (x && x->seq >= b->seq) continue;
            if (out->len) bd_buf_addc(out, ',');
            bd_buf_addf(out, "%u-%u-%llu", b->domain, b->server, (unsigned long long)b->seq);
            continue;
        }
        for (size_t k = 0; k < b->niv; k++) {
            for (uint64_t g = b->iv[k].a;; g++) { /* the first missing one of each interval */
                if (!x || !ival_has(x, g)) {
                    if (out->len) bd_buf_addc(out, ',');
                    bd_buf_addf(out, "%s%s%s:%llu", b->uuid, b->tag[0] ? ":" : "", b->tag,
                                (unsigned long long)g);
                    break;
                }
                if (g == b->iv[k].b) break;
            }
        }
    }
}

int bd_gtid_pick_file(const bd_gtid_set *s, const bd_gtid_set *before, size_t nfiles,
                      const char *const *names, bd_err *err)
{
    for (size_t i = nfiles; i-- > 0;)
        if (bd_gtid_set_covers(s, &before[i])) return (int)i;
    if (nfiles == 0) return bd_err_set(err, BD_ERR_IO, "there are no binlog files to start from");
    bd_buf m = BD_BUF_INIT;
    bd_gtid_set_missing(s, &before[0], &m);
    if (m.len > 200) {
        bd_buf_truncate(&m, 200);
        bd_buf_adds(&m, "...");
    }
    bd_err_set(err, BD_ERR_IO,
               "the GTID set does not contain transactions that are before the oldest binlog "
               "%s (e.g. %s): they were purged, so a start there would lose them",
               names[0], m.ptr);
    bd_buf_release(&m);
    return -1;
}

static int f_on_event(void *ctx, const bd_event *ev)
{
    bd_gtid_filter *f = ctx;
    const char *g = ev->txn && ev->txn->has_gtid ? ev->txn->gtid : NULL;
    if (bd_gtid_skip_event(&f->k, ev->begins_txn, g, ev->ends_txn)) return 0;
    return f->inner.on_event ? f->inner.on_event(f->inner.ctx, ev) : 0;
}

static int f_on_row(void *ctx, const bd_row *row)
{
    bd_gtid_filter *f = ctx;
    if (f->k.skipping) {
        if (row->ends_txn) f->k.skipping = 0;
        return 0;
    }
    return f->inner.on_row ? f->inner.on_row(f->inner.ctx, row) : 0;
}

static int f_on_table(void *ctx, bd_table *t, bd_err *err)
{
    bd_gtid_filter *f = ctx;
    return f->inner.on_table ? f->inner.on_table(f->inner.ctx, t, err) : 0;
}

bd_callbacks bd_gtid_filter_wrap(bd_gtid_filter *f, const bd_gtid_set *set,
                                 const bd_callbacks *inner)
{
    memset(f, 0, sizeof *f);
    f->k.set = set;
    f->inner = *inner;
    bd_callbacks cb = {f, f_on_event, f_on_row, inner->on_table ? f_on_table : NULL};
    return cb;
}

int bd_gtid_skip_event(bd_gtid_skip *k, int begins, const char *gtid, int ends)
{
    if (begins && gtid && gtid[0]) {
        k->skipping = bd_gtid_set_has(k->set, gtid) == 1;
        if (k->skipping) k->skipped++;
    }
    int drop = k->skipping;
    if (ends) k->skipping = 0;
    return drop;
}
