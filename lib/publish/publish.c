/* publish.c - see include/binlogd/publish.h. */
#include "binlogd/publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binlogd/buf.h"
#include "binlogd/charset.h"
#include "binlogd/encode.h"
#include "binlogd/event.h"
#include "binlogd/stmt.h"

/* Routes are cached by table name, direct-mapped: tables that interleave
 * in one transaction (flows and counterparties) keep their entries. */
#define ROUTES 64
#define KEY_COLS_MAX 64

typedef struct route_slot {
    int used;
    uint64_t gen; /* bumped each time the slot is filled: copies of it know when they are stale */
    uint8_t dbn, tbn;
    char db[65], tb[65];
    char name[132]; /* "db.table" */
    size_t name_len;
    bd_pub_route r;
    /* [keys] rule of the table, found once; its columns resolved per map:
     * the indexes are checked against the names before each use, so a map
     * that changed under the same address is never keyed by old indexes */
    const bd_key_rule *rule;
    int rule_looked;
    uint32_t key[KEY_COLS_MAX];
    uint32_t nkey;
    int key_valid;
    int cols_touch; /* a [columns] rule's table part matches it (-1: not looked yet) */
} route_slot;

/* The column plan of a slot's table map (beside the slot, which is wiped
 * when refilled: the plan keeps its arrays); valid for the map it was
 * built for while the slot keeps its gen. */
typedef struct plan_slot {
    bd_col_plan plan;
    uint64_t gen;      /* the route slot's gen it was built under */
    const bd_table *t; /* the map */
    uint64_t serial;   /* its serial (0: rebuilt for every row) */
} plan_slot;

/* The message waiting to learn whether it is the last of its transaction. */
typedef struct held_msg {
    int on;
    bd_pub_msg m;                  /* ready but for the value, its length and last */
    const struct route_slot *slot; /* topic and table copied from this slot at slot_gen */
    uint64_t slot_gen;
    size_t file_len;
    uint32_t file_serial; /* of the file name copied (0: compare) */
    size_t at;            /* direct: where the held value starts in the caller's buffer */
    bd_buf val;           /* without its tail (direct: unused) */
    bd_buf key;
    int has_key;
    int tomb; /* a tombstone follows it */
    char topic[256];
    char table[132];
    char file[512];
} held_msg;

struct bd_pub {
    bd_pub_opts o;
    bd_pub_ops ops;
    route_slot routes[ROUTES];
    plan_slot plans[ROUTES];
    uint64_t gen;
    /* [columns]: the images after the rules, and the text they made */
    bd_value *cimg[2];
    uint32_t cimg_cap;
    bd_buf arena;
    /* the slot of the last row's table map: rows of one map come in runs,
     * and a map's names compare faster than they hash */
    const bd_table *last_t;
    uint64_t last_serial; /* last_t's serial (0: compare names) */
    uint64_t last_gen;    /* last_s's gen then */
    route_slot *last_s;
    held_msg held;
    bd_enc_cache cache;
    bd_buf scratch; /* TRUNCATE messages */
    bd_buf rkey;    /* a read's key, to ask whether the stream changed it */
    bd_value *img;  /* the after image of a key change's create, key columns filled in */
    uint32_t img_cap;
    bd_pub_counts counts;
    int fold_case; /* lower_case_table_names: statements' names in lower case */
    /* transaction framing */
    int in_txn, skip_txn;
    uint64_t txn_no;
};

bd_pub *bd_pub_new(const bd_pub_opts *o, const bd_pub_ops *ops)
{
    bd_pub *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->o = *o;
    p->ops = *ops;
    p->held.m.direct = o->direct != NULL;
    bd_buf_init(&p->held.val);
    bd_buf_init(&p->held.key);
    bd_buf_init(&p->scratch);
    bd_buf_init(&p->rkey);
    bd_buf_init(&p->arena);
    bd_enc_cache_init(&p->cache);
    for (size_t i = 0; i < ROUTES; i++)
        bd_col_plan_init(&p->plans[i].plan);
    return p;
}

void bd_pub_free(bd_pub *p)
{
    if (!p) return;
    bd_buf_release(&p->held.val);
    bd_buf_release(&p->held.key);
    bd_buf_release(&p->scratch);
    bd_buf_release(&p->rkey);
    bd_buf_release(&p->arena);
    bd_enc_cache_release(&p->cache);
    for (size_t i = 0; i < ROUTES; i++)
        bd_col_plan_release(&p->plans[i].plan);
    free(p->cimg[0]);
    free(p->cimg[1]);
    free(p->img);
    free(p);
}

void bd_pub_set_keys(bd_pub *p, const bd_key_rule *keys, size_t nkeys)
{
    p->o.keys = keys;
    p->o.nkeys = nkeys;
    bd_pub_reroute(p);
}

void bd_pub_set_columns(bd_pub *p, const bd_col_rules *rs)
{
    p->o.columns = rs;
    /* plans and the keys chosen for them follow the routes */
    bd_pub_reroute(p);
}

void bd_pub_reroute(bd_pub *p)
{
    for (size_t i = 0; i < ROUTES; i++)
        p->routes[i].used = 0;
    p->last_t = NULL;
}

int bd_pub_holding(const bd_pub *p) { return p->held.on; }

int bd_pub_in_txn(const bd_pub *p) { return p->in_txn; }
int bd_pub_skipping(const bd_pub *p) { return p->in_txn && p->skip_txn; }

uint64_t bd_pub_pos_after(const bd_pos *pos, const bd_header *h)
{
    return pos->inner == 0 && h->log_pos > pos->pos ? h->log_pos : pos->pos;
}

/* A transaction begins at pos (outside one): ask the caller.  0 or -1. */
static int txn_begin(bd_pub *p, const bd_pos *pos, const bd_txn *txn, bd_err *err)
{
    p->in_txn = 1;
    p->skip_txn = 0;
    p->txn_no++;
    if (!p->ops.begin) return 0;
    bd_pub_txn t = {pos->file ? pos->file : "", pos->pos, txn, p->txn_no};
    int r = p->ops.begin(p->ops.ctx, &t, err);
    if (r < 0) {
        p->in_txn = 0;
        return -1;
    }
    p->skip_txn = r > 0;
    return 0;
}

/* The transaction ended at the event at pos (its messages are out). */
static int txn_end(bd_pub *p, const bd_pos *pos, const bd_header *h, const bd_txn *txn, bd_err *err)
{
    int skipped = p->skip_txn;
    p->in_txn = p->skip_txn = 0;
    if (!p->ops.end) return 0;
    bd_pub_txn t = {pos->file ? pos->file : "", bd_pub_pos_after(pos, h), txn, p->txn_no};
    return p->ops.end(p->ops.ctx, &t, skipped, err);
}

void bd_pub_set_fold_case(bd_pub *p, int fold) { p->fold_case = fold; }

/* A table a statement names, as the table maps name it: in lower case
 * where the server keeps names so (ASCII only: the server folds with its
 * own charset rules, beyond which a name stays as typed). */
static void stmt_name(const bd_pub *p, const char *in, char out[65])
{
    size_t i = 0;
    for (; in[i] && i < 64; i++)
        out[i] = p->fold_case && in[i] >= 'A' && in[i] <= 'Z' ? (char)(in[i] + 32) : in[i];
    out[i] = '\0';
}

void bd_pub_drop_held(bd_pub *p)
{
    if (!p->held.on) return;
    p->held.on = 0;
    if (p->o.direct) p->o.direct->len = p->held.at;
}

void bd_pub_counts_get(const bd_pub *p, bd_pub_counts *c) { *c = p->counts; }

/* ---- routes ---------------------------------------------------------------- */

static uint32_t name_hash(const char *db, size_t dbn, const char *tb, size_t tbn)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < dbn; i++)
        h = (h ^ (uint8_t)db[i]) * 16777619u;
    h = (h ^ '.') * 16777619u;
    for (size_t i = 0; i < tbn; i++)
        h = (h ^ (uint8_t)tb[i]) * 16777619u;
    return h;
}

static route_slot *route_find(bd_pub *p, const char *db, size_t dbn, const char *tb, size_t tbn,
                              bd_err *err)
{
    if (dbn > 64 || tbn > 64) {
        bd_err_set(err, BD_ERR_SCHEMA, "a table name longer than 64 bytes: `%.*s`.`%.*s`",
                   (int)(dbn > 64 ? 64 : dbn), db, (int)(tbn > 64 ? 64 : tbn), tb);
        return NULL;
    }
    route_slot *s = &p->routes[name_hash(db, dbn, tb, tbn) % ROUTES];
    if (s->used && s->dbn == dbn && s->tbn == tbn && !memcmp(s->db, db, dbn) &&
        !memcmp(s->tb, tb, tbn))
        return s;
    memset(s, 0, sizeof *s);
    memcpy(s->db, db, dbn);
    memcpy(s->tb, tb, tbn);
    s->dbn = (uint8_t)dbn;
    s->tbn = (uint8_t)tbn;
    memcpy(s->name, db, dbn);
    s->name[dbn] = '.';
    memcpy(s->name + dbn + 1, tb, tbn);
    s->name_len = dbn + 1 + tbn;
    s->name[s->name_len] = '\0';
    if (p->ops.route(p->ops.ctx, db, dbn, tb, tbn, &s->r, err) < 0) return NULL;
    s->used = 1;
    s->gen = ++p->gen;
    s->cols_touch = -1;
    p->last_t = NULL; /* it may have been this slot */
    return s;
}

/* The route of a map: the last one's when it is the same map of the same
 * table (a map freed after a DDL may come back at its address), else by
 * name. */
static route_slot *route_of_map(bd_pub *p, const bd_table *t, bd_err *err)
{
    route_slot *s = p->last_s;
    if (t == p->last_t && s->used && s->gen == p->last_gen &&
        (t->serial ? t->serial == p->last_serial
                   : s->dbn == t->db.n && s->tbn == t->name.n && !memcmp(s->db, t->db.p, t->db.n) &&
                         !memcmp(s->tb, t->name.p, t->name.n)))
        return s;
    s = route_find(p, t->db.p, t->db.n, t->name.p, t->name.n, err);
    if (s) {
        p->last_t = t;
        p->last_serial = t->serial;
        p->last_gen = s->gen;
        p->last_s = s;
    }
    return s;
}

const bd_pub_route *bd_pub_route_of(bd_pub *p, const bd_table *t, bd_err *err)
{
    route_slot *s = route_of_map(p, t, err);
    return s ? &s->r : NULL;
}

/* The column plan of map t (slot s): *out NULL when no rule touches the
 * table.  0, or -1 with err (rules but no column names). */
static int plan_of(bd_pub *p, route_slot *s, const bd_table *t, const bd_col_plan **out,
                   bd_err *err)
{
    *out = NULL;
    const bd_col_rules *rs = p->o.columns;
    if (!rs || !rs->n) return 0;
    if (s->cols_touch < 0) s->cols_touch = bd_col_rules_touch(rs, s->db, s->dbn, s->tb, s->tbn);
    if (!s->cols_touch) return 0;
    plan_slot *ps = &p->plans[s - p->routes];
    if (ps->gen != s->gen || ps->t != t || !t->serial || ps->serial != t->serial ||
        ps->plan.ncols != t->ncols) {
        ps->gen = 0;
        if (bd_col_plan_build(&ps->plan, rs, t, err) < 0) return -1;
        ps->gen = s->gen;
        ps->t = t;
        ps->serial = t->serial;
    }
    if (ps->plan.any) *out = &ps->plan;
    return 0;
}

/* The first of the key columns cols[0..n) that cp leaves out or masks
 * (a hashed one still tells rows apart), or -1. */
static int64_t key_hidden(const bd_col_plan *cp, const uint32_t *cols, uint32_t n)
{
    for (uint32_t k = 0; cp && k < n; k++) {
        const bd_col_rule *r = cols[k] < cp->ncols ? cp->rule[cols[k]] : NULL;
        if (r && r->act != BD_COL_HASH) return cols[k];
    }
    return -1;
}

static int key_hidden_err(const route_slot *s, const bd_table *t, const bd_col_plan *cp, int64_t c,
                          const char *which, bd_err *err)
{
    const bd_col_rule *r = cp->rule[c];
    return bd_err_set(err, BD_ERR_COLUMNS,
                      "[columns] %s = %s %s `%s`.`%s`.`%.*s`, a column of its %s: its messages "
                      "would lose their key (or, masked, share one); give the table a [keys] "
                      "line of columns no rule excludes or masks, or hash the column instead",
                      r->pattern, r->action, r->act == BD_COL_EXCLUDE ? "excludes" : "masks", s->db,
                      s->tb, (int)t->cols[c].name.n, t->cols[c].name.p, which);
}

/* The key columns of t: its primary key, else its [keys] rule's columns
 * (also when the column rules cp leave out or mask a primary key column).
 * 0 with the columns in *cols and their count in *n (0: no key), or -1
 * with err. */
static int key_of(bd_pub *p, route_slot *s, const bd_table *t, const bd_col_plan *cp,
                  const uint32_t **cols, uint32_t *n, bd_err *err)
{
    int64_t pk_hidden = -1;
    if (t->npk) {
        pk_hidden = key_hidden(cp, t->pk, t->npk);
        if (pk_hidden < 0) {
            *cols = t->pk;
            *n = t->npk;
            return 0;
        }
    }
    if (!s->rule_looked) {
        s->rule_looked = 1;
        s->rule = bd_key_rule_match(p->o.keys, p->o.nkeys, s->db, s->dbn, s->tb, s->tbn);
    }
    const bd_key_rule *kr = s->rule;
    if (!kr) {
        if (pk_hidden >= 0) return key_hidden_err(s, t, cp, pk_hidden, "primary key", err);
        *n = 0;
        return 0;
    }
    int ok = s->key_valid && s->nkey == kr->ncols;
    for (uint32_t k = 0; ok && k < s->nkey; k++) {
        const bd_column *c = s->key[k] < t->ncols ? &t->cols[s->key[k]] : NULL;
        ok = c && c->name.p && c->name.n == strlen(kr->cols[k]) &&
             !memcmp(c->name.p, kr->cols[k], c->name.n);
    }
    if (!ok) {
        if (kr->ncols > KEY_COLS_MAX)
            return bd_err_set(err, BD_ERR_SCHEMA, "[keys] %s names more than %d columns",
                              kr->pattern, KEY_COLS_MAX);
        if (!t->has_names)
            return bd_err_set(err, BD_ERR_SCHEMA,
                              "[keys] %s gives `%s`.`%s` key columns by name, but its rows "
                              "carry no column names here (binlog_row_metadata below FULL and "
                              "no schema source)",
                              kr->pattern, s->db, s->tb);
        for (size_t k = 0; k < kr->ncols; k++) {
            uint32_t i = 0;
            size_t l = strlen(kr->cols[k]);
            while (i < t->ncols &&
                   !(t->cols[i].name.n == l && !memcmp(t->cols[i].name.p, kr->cols[k], l)))
                i++;
            if (i == t->ncols)
                return bd_err_set(err, BD_ERR_SCHEMA,
                                  "[keys] %s = ...: `%s`.`%s` has no column %s; fix the rule "
                                  "(the key must be columns of the table)",
                                  kr->pattern, s->db, s->tb, kr->cols[k]);
            s->key[k] = i;
        }
        s->nkey = (uint32_t)kr->ncols;
        s->key_valid = 1;
    }
    int64_t h = key_hidden(cp, s->key, s->nkey);
    if (h >= 0) return key_hidden_err(s, t, cp, h, "[keys] key", err);
    *cols = s->key;
    *n = s->nkey;
    return 0;
}

/* ---- messages -------------------------------------------------------------- */

static int emit(bd_pub *p, bd_pub_msg *m, bd_err *err)
{
    p->counts.messages++;
    return p->ops.emit(p->ops.ctx, m, err);
}

/* Send the held message, with its transaction fields. */
static int flush_held(bd_pub *p, int has_xid, uint64_t xid, int last, bd_err *err)
{
    held_msg *h = &p->held;
    if (!h->on) return 0;
    h->on = 0;
    bd_pub_msg *m = &h->m;
    if (p->o.direct) {
        /* the line of a values-only sink, finished in place */
        bd_buf *d = p->o.direct;
        bd_encode_row_tail(d, has_xid, xid, last);
        bd_buf_addc(d, '\n');
        if (bd_buf_failed(d))
            return bd_err_set(err, BD_ERR_NOMEM, "out of memory encoding a row change");
        m->value = d->ptr + h->at;
        m->value_len = d->len - h->at - 1;
        m->last = last;
        return emit(p, m, err);
    }
    bd_buf *v = &h->val;
    bd_encode_row_tail(v, has_xid, xid, last);
    if (bd_buf_failed(v) || bd_buf_failed(&h->key))
        return bd_err_set(err, BD_ERR_NOMEM, "out of memory encoding a row change");
    m->value = v->ptr;
    m->value_len = v->len;
    m->key = h->has_key ? h->key.ptr : NULL;
    m->key_len = h->has_key ? h->key.len : 0;
    m->last = last;
    if (emit(p, m, err) < 0) return -1;
    if (!h->tomb) return 0;
    bd_pub_msg t = *m;
    t.value = NULL;
    t.value_len = 0;
    t.op = 0;
    t.direct = 0;
    return emit(p, &t, err);
}

/* Hold one message for row r (op and images as r says) under the key
 * columns cols[0..n) of the images of kr (none: by the table's name). */
static int hold(bd_pub *p, route_slot *s, const bd_col_plan *cp, const bd_row *r, const bd_row *kr,
                const uint32_t *cols, uint32_t n, const bd_pub_read *rd, bd_err *err)
{
    if (flush_held(p, 0, 0, 0, err) < 0) return -1;
    held_msg *h = &p->held;
    bd_pub_msg *m = &h->m;
    m->op = r->op;
    if (p->o.direct) {
        /* a values-only sink: encoded in place, the caller's buffer ends
         * with it until it goes out; its message carries nothing else */
        h->at = p->o.direct->len;
        bd_encode_row_cached(p->o.direct, r, &p->cache);
        if (cp) bd_buf_add(p->o.direct, cp->src.ptr, cp->src.len);
        if (rd) bd_buf_add(p->o.direct, rd->block, rd->block_len);
        h->on = 1;
        return 0;
    }
    bd_buf_reset(&h->val);
    bd_encode_row_cached(&h->val, r, &p->cache);
    if (cp) bd_buf_add(&h->val, cp->src.ptr, cp->src.len);
    if (rd) bd_buf_add(&h->val, rd->block, rd->block_len);
    bd_buf_reset(&h->key);
    h->has_key = n > 0 && !p->o.no_keys;
    if (h->has_key) bd_encode_key_cols(&h->key, kr, cols, n);
    m->part = n ? BD_PUB_BY_KEY : BD_PUB_BY_TABLE;
    h->tomb = p->o.tombstones && n && r->op == BD_OP_DELETE;
    /* copies only when they change: once per table or file, not per row
     * (the slot may be refilled for another table before this goes out) */
    if (h->slot != s || h->slot_gen != s->gen) {
        snprintf(h->topic, sizeof h->topic, "%s", s->r.topic);
        memcpy(h->table, s->name, s->name_len + 1);
        m->topic = h->topic;
        m->table = h->table;
        m->table_len = s->name_len;
        m->user = s->r.user;
        h->slot = s;
        h->slot_gen = s->gen;
    }
    if (!r->pos.file_serial || r->pos.file_serial != h->file_serial) {
        const char *f = r->pos.file ? r->pos.file : "";
        size_t fl = strlen(f);
        if (fl != h->file_len || memcmp(h->file, f, fl) != 0) {
            snprintf(h->file, sizeof h->file, "%s", f);
            h->file_len = strlen(h->file);
        }
        m->file = h->file;
        h->file_serial = r->pos.file_serial;
    }
    m->pos = r->pos.pos;
    m->row = r->row_index;
    h->on = 1;
    return 0;
}

/* Two values of one column, as the encoder would print them: the same? */
static int same_value(const bd_value *a, const bd_value *b)
{
    if (a->kind != b->kind) return 0;
    switch (a->kind) {
    case BD_V_ABSENT:
    case BD_V_NULL: return 1;
    case BD_V_INT: return a->i == b->i;
    case BD_V_UINT: return a->u == b->u;
    default: return a->n == b->n && (a->n == 0 || memcmp(a->s, b->s, a->n) == 0);
    }
}

/* Does the update change the key?  A column the after image lacks
 * (binlog_row_image=MINIMAL) did not change. */
static int key_changes(const bd_row *row, const uint32_t *cols, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        const bd_value *a = &row->after[cols[k]];
        if (a->kind != BD_V_ABSENT && !same_value(&row->before[cols[k]], a)) return 1;
    }
    return 0;
}

/* A row change (rd NULL), or a snapshot's read of a row (rd). */
static int publish_row(bd_pub *p, const bd_row *row, const bd_pub_read *rd, bd_err *err)
{
    const bd_table *t = row->table;
    /* a statement that commits on its own, without BEGIN */
    if (!p->in_txn && txn_begin(p, &row->pos, row->txn, err) < 0) return -1;
    if (p->skip_txn)
        return row->ends_txn && txn_end(p, &row->pos, row->header, row->txn, err) < 0 ? -1 : 0;
    route_slot *s = route_of_map(p, t, err);
    if (!s) return -1;
    /* a read is no change: nothing for the caller's accounting of them */
    if (!rd && p->ops.row && p->ops.row(p->ops.ctx, row, &s->r, err) < 0) return -1;
    bd_row xr; /* the row as the column rules leave it; row points here then */
    int published = 0;
    if (!s->r.wanted) {
        p->counts.filtered++;
    } else if (t->schema_deferred) {
        /* its map was passed over as unpublished (its names not looked up) */
        return bd_err_set(err, BD_ERR_SCHEMA,
                          "rows of `%.*s`.`%.*s` at %s:%llu without their column names: its "
                          "table map was passed over as not published",
                          (int)t->db.n, t->db.p, (int)t->name.n, t->name.p,
                          row->pos.file ? row->pos.file : "", (unsigned long long)row->pos.pos);
    } else {
        const uint32_t *cols = NULL;
        uint32_t n = 0;
        const bd_col_plan *cp;
        if (plan_of(p, s, t, &cp, err) < 0) return -1;
        /* a values-only sink needs the key only to split a key change (the
         * column rules check it all the same: dump -c refuses a hidden key as
         * run does, for the keys it knows: files give no unique key standing in
         * for a missing primary key) */
        if ((!p->o.direct || row->op == BD_OP_UPDATE || cp) &&
            key_of(p, s, t, cp, &cols, &n, err) < 0)
            return -1;
        /* a key change is a change of the values, whatever the rules make
         * of them */
        int moved =
            row->op == BD_OP_UPDATE && n && row->before && row->after && key_changes(row, cols, n);
        if (cp) {
            /* from here on the images are what the rules leave */
            if (t->ncols > p->cimg_cap) {
                for (int i = 0; i < 2; i++) {
                    bd_value *v = realloc(p->cimg[i], t->ncols * sizeof *v);
                    if (!v) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
                    p->cimg[i] = v;
                }
                p->cimg_cap = t->ncols;
            }
            bd_buf_reset(&p->arena);
            xr = *row;
            const bd_value *const in[2] = {row->before, row->after};
            if (bd_col_apply(cp, p->o.columns, t, in, p->cimg, &p->arena) < 0)
                return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
            if (row->before) xr.before = p->cimg[0];
            if (row->after) xr.after = p->cimg[1];
            row = &xr;
        }
        if (rd && rd->dropped) {
            /* the stream changed this key inside the read's window: its
             * message is newer than what was read */
            bd_buf_reset(&p->rkey);
            bd_encode_key_cols(&p->rkey, row, cols, n);
            if (bd_buf_failed(&p->rkey))
                return bd_err_set(err, BD_ERR_NOMEM, "out of memory encoding a key");
            if (rd->dropped(rd->ctx, p->rkey.ptr, p->rkey.len)) return 0;
        }
        if (moved) {
            /* the row leaves its old key and arrives under the new one:
             * each key's partition sees its own side, in commit order */
            bd_row gone = *row, came = *row;
            gone.op = BD_OP_DELETE;
            gone.after = NULL;
            came.op = BD_OP_INSERT;
            came.before = NULL;
            /* the create carries its whole key: key columns the after
             * image lacks (binlog_row_image=MINIMAL logs only what
             * changed) did not change, so the before image has them */
            if (t->ncols > p->img_cap) {
                bd_value *v = realloc(p->img, t->ncols * sizeof *v);
                if (!v) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
                p->img = v;
                p->img_cap = t->ncols;
            }
            memcpy(p->img, row->after, t->ncols * sizeof *p->img);
            for (uint32_t k = 0; k < n; k++)
                if (p->img[cols[k]].kind == BD_V_ABSENT) p->img[cols[k]] = row->before[cols[k]];
            came.after = p->img;
            /* the new key: the after image, columns it lacks (unchanged)
             * from the before image */
            if (hold(p, s, cp, &gone, &gone, cols, n, NULL, err) < 0 ||
                hold(p, s, cp, &came, row, cols, n, NULL, err) < 0)
                return -1;
            p->counts.key_changes++;
        } else if (hold(p, s, cp, row, row, cols, n, rd, err) < 0) {
            return -1;
        }
        if (rd)
            p->counts.reads++;
        else
            p->counts.rows++;
        published = 1;
    }
    /* a statement that commits on its own (no BEGIN, e.g. MyISAM) */
    if (row->ends_txn &&
        (flush_held(p, 0, 0, 1, err) < 0 || txn_end(p, &row->pos, row->header, row->txn, err) < 0))
        return -1;
    return published;
}

int bd_pub_row(bd_pub *p, const bd_row *row, bd_err *err) { return publish_row(p, row, NULL, err); }

int bd_pub_read_row(bd_pub *p, const bd_row *row, const bd_pub_read *rd, bd_err *err)
{
    /* not BD_ERR_CALLBACK, which callers take for a stop they asked for */
    if (!p->in_txn)
        return bd_err_set(err, BD_ERR_UNSUPPORTED,
                          "a snapshot's read outside a transaction (is the signal table "
                          "transactional, InnoDB?)");
    if (row->op != BD_OP_READ || row->before || !row->after)
        return bd_err_set(err, BD_ERR_UNSUPPORTED, "a snapshot's read must be op r, after only");
    return publish_row(p, row, rd, err);
}

int bd_pub_finish(bd_pub *p, int last, bd_err *err) { return flush_held(p, 0, 0, last, err); }

/* ---- statements ------------------------------------------------------------ */

void bd_pub_statement_text(const bd_pub_statement *s, char *buf, size_t n)
{
    char q[260];
    size_t qn = 0;
    if (s->query) {
        /* one line, cut to 200 bytes (not inside a UTF-8 sequence) */
        size_t l = s->query_len > 200 ? 200 : s->query_len;
        while (l < s->query_len && l > 0 && ((uint8_t)s->query[l] & 0xc0) == 0x80)
            l--;
        for (size_t i = 0; i < l && qn + 4 < sizeof q; i++) {
            char c = s->query[i];
            q[qn++] = c == '\n' || c == '\r' || c == '\t' ? ' ' : c;
        }
        if (l < s->query_len) q[qn++] = '.', q[qn++] = '.', q[qn++] = '.';
    }
    q[qn] = '\0';
    if (s->table[0])
        snprintf(buf, n, "%s of `%s`.`%s` logged as a statement at %s:%llu%s%s%s", s->verb, s->db,
                 s->table, s->file, (unsigned long long)s->pos, qn ? ": \"" : "", q,
                 qn ? "\"" : "");
    else
        snprintf(buf, n,
                 "%s logged as a statement at %s:%llu, changing tables that cannot be named "
                 "from it%s%s%s",
                 s->verb, s->file, (unsigned long long)s->pos, qn ? ": \"" : "", q, qn ? "\"" : "");
}

/* A statement that changes rows: stop or skip when it touches a published
 * table.  0 to go on, -1 with err. */
static int statement(bd_pub *p, const bd_event *ev, const bd_stmt *st, const char *query, size_t qn,
                     bd_err *err)
{
    const char *db = "", *tb = "";
    int hit = 0;
    for (size_t i = 0; i < st->ntables && !hit; i++) {
        char xdb[65], xtb[65];
        stmt_name(p, st->tables[i].db, xdb);
        stmt_name(p, st->tables[i].table, xtb);
        route_slot *s = route_find(p, xdb, strlen(xdb), xtb, strlen(xtb), err);
        if (!s) return -1;
        if (s->r.wanted) {
            hit = 1;
            db = s->db;
            tb = s->tb;
        }
    }
    /* tables it cannot name count as every table */
    if (!hit && !st->tables_unknown) return 0;
    /* the SQL may hold values of columns the rules hide: not repeated in
     * messages, logs or alerts when they could concern the table */
    if (p->o.columns && p->o.columns->n &&
        (!hit || bd_col_rules_touch(p->o.columns, db, strlen(db), tb, strlen(tb)))) {
        query = NULL;
        qn = 0;
    }
    bd_pub_statement s = {st->verb ? st->verb : "statement",
                          db,
                          tb,
                          ev->pos.file ? ev->pos.file : "",
                          ev->pos.pos,
                          query,
                          qn};
    if (p->ops.on_statement && p->ops.on_statement(p->ops.ctx, &s)) {
        p->counts.statements++;
        return 0;
    }
    char what[400];
    bd_pub_statement_text(&s, what, sizeof what);
    /* what may be long (the statement comes last in it): the fix first */
    return bd_err_set(err, BD_ERR_STATEMENT,
                      "row change logged as a statement, without its rows: stopped before it "
                      "(fix: binlog_format=ROW for every session): %s",
                      what);
}

/* TRUNCATE of a published table: one op "t" message for every partition.
 * One whose table cannot be read from its text (a name longer than the
 * classifier keeps) is a statement on every table: stop or skip. */
static int truncate_table(bd_pub *p, const bd_event *ev, const bd_stmt *st, bd_err *err)
{
    if (st->tables_unknown) return statement(p, ev, st, ev->query.p, ev->query.n, err);
    for (size_t i = 0; i < st->ntables; i++) {
        char xdb[65], xtb[65];
        stmt_name(p, st->tables[i].db, xdb);
        stmt_name(p, st->tables[i].table, xtb);
        route_slot *s = route_find(p, xdb, strlen(xdb), xtb, strlen(xtb), err);
        if (!s) return -1;
        if (!s->r.wanted) continue;
        /* a TRUNCATE commits what came before it */
        if (flush_held(p, 0, 0, 1, err) < 0) return -1;
        bd_buf *b = &p->scratch;
        bd_buf_reset(b);
        bd_encode_truncate(b, ev, s->db, s->dbn, s->tb, s->tbn);
        bd_encode_row_tail(b, ev->has_xid, ev->xid, 1);
        if (bd_buf_failed(b)) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        bd_pub_msg m = {s->r.topic,
                        BD_PUB_ALL,
                        s->name,
                        s->name_len,
                        NULL,
                        0,
                        b->ptr,
                        b->len,
                        't',
                        1,
                        ev->pos.file ? ev->pos.file : "",
                        ev->pos.pos,
                        0,
                        s->r.user,
                        0};
        if (emit(p, &m, err) < 0) return -1;
        p->counts.truncates++;
    }
    return 0;
}

/* The statement kinds of binlog events that carry SQL. */
static int is_query(uint8_t type)
{
    return type == BD_EV_QUERY || type == BD_EV_MARIA_QUERY_COMPRESSED ||
           type == BD_EV_EXECUTE_LOAD_QUERY;
}

/* LOAD DATA as the oldest servers logged it (before 5.0.3's
 * EXECUTE_LOAD_QUERY): the rows are in a file the event names. */
static int is_old_load(uint8_t type)
{
    return type == BD_EV_LOAD || type == BD_EV_NEW_LOAD || type == BD_EV_CREATE_FILE ||
           type == BD_EV_EXEC_LOAD;
}

int bd_pub_event(bd_pub *p, const bd_event *ev, bd_err *err)
{
    /* a transaction that starts means the one before ended unseen (a
     * file cut inside it): what is held was not known to be last; that
     * one goes on (its end is where a resume may start) */
    if (ev->begins_txn && flush_held(p, 0, 0, 0, err) < 0) return -1;
    /* a statement that is a transaction of its own (a DDL or TRUNCATE
     * without a GTID before it) begins at itself */
    if ((ev->begins_txn || ev->ends_txn) && !p->in_txn && txn_begin(p, &ev->pos, ev->txn, err) < 0)
        return -1;
    if (p->skip_txn)
        return ev->ends_txn && p->in_txn ? txn_end(p, &ev->pos, ev->header, ev->txn, err) : 0;
    uint8_t type = ev->header->type;
    if (is_query(type) && ev->query.p) {
        /* lexed as the server did: quotes by sql_mode, and the client's
         * charset (a GBK or SJIS character may end in a backslash byte) */
        unsigned fl = bd_stmt_flags_from_sql_mode(ev->sql_mode);
        if (ev->charset_client)
            fl |= bd_stmt_flags_from_charset(bd_charset_name(ev->charset_client));
        bd_stmt st;
        bd_stmt_classify(&st, ev->query.p, ev->query.n, ev->db.p, ev->db.n, fl);
        if (st.kind == BD_STMT_DML && statement(p, ev, &st, ev->query.p, ev->query.n, err) < 0)
            return -1;
        if (st.kind == BD_STMT_TRUNCATE && truncate_table(p, ev, &st, err) < 0) return -1;
    } else if (is_old_load(type) && type != BD_EV_CREATE_FILE) {
        bd_stmt st;
        memset(&st, 0, sizeof st);
        st.kind = BD_STMT_DML;
        st.verb = "LOAD DATA";
        st.tables_unknown = 1;
        if (statement(p, ev, &st, NULL, 0, err) < 0) return -1;
    }
    if (ev->ends_txn && (flush_held(p, ev->has_xid, ev->xid, 1, err) < 0 ||
                         txn_end(p, &ev->pos, ev->header, ev->txn, err) < 0))
        return -1;
    return 0;
}
