/* state_topic.c - see include/binlogd/state_topic.h. */
#include "binlogd/state_topic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bd_state_checkpoint_key(const char *source, bd_buf *b)
{
    bd_buf_adds(b, "{\"source\":");
    bd_buf_add_json_str(b, source, strlen(source));
    bd_buf_adds(b, ",\"kind\":\"checkpoint\"}");
}

void bd_state_schema_key(const char *source, const char *line, size_t n, bd_buf *b)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a, 64 bits */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)line[i];
        h *= 1099511628211ULL;
    }
    bd_buf_adds(b, "{\"source\":");
    bd_buf_add_json_str(b, source, strlen(source));
    bd_buf_addf(b, ",\"kind\":\"schema\",\"id\":\"%016llx\"}", (unsigned long long)h);
}

void bd_state_lines_release(bd_state_lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->line[i]);
    free(l->line);
    free(l->len);
    memset(l, 0, sizeof *l);
}

int bd_state_topic_ensure(bd_kafka_admin *k, const char *topic, int *created, int timeout_ms,
                          bd_err *err)
{
    /* compaction keeps each key's last record; small segments let it run
     * (the broker's default segment lives a week), so a start reads little */
    static const char *const conf[] = {
        "cleanup.policy", "compact", "segment.ms", "3600000", "min.cleanable.dirty.ratio", "0.1",
    };
    *created = 0;
    /* there already (created by hand: a principal without CREATE is
     * refused a create even of a topic that exists) */
    int n = bd_kafka_admin_partitions(k, topic, timeout_ms, err);
    if (n > 0) return 0;
    int r = n < 0 ? -1
                  : bd_kafka_admin_create_topic(k, topic, 1, conf, sizeof conf / sizeof conf[0] / 2,
                                                timeout_ms, err);
    /* another instance may have created it meanwhile */
    if (r < 0 && bd_kafka_admin_partitions(k, topic, timeout_ms, &(bd_err){0}) > 0) return 0;
    if (r < 0) {
        char why[BD_ERRLEN];
        snprintf(why, sizeof why, "%s", err->msg);
        return bd_err_set(err, BD_ERR_IO,
                          "the state topic %s does not exist and was not created (%s): create "
                          "it with cleanup.policy=compact and one partition (kafka-topics.sh "
                          "--create --topic %s --partitions 1 --config cleanup.policy=compact), "
                          "or let binlogd's principal CREATE it",
                          topic, why, topic);
    }
    *created = r == 0;
    return 0;
}

/* A schema record as read: its key (to keep the last of each) and value. */
typedef struct srec {
    char *key, *val;
    size_t klen, vlen;
    size_t seq; /* order read */
} srec;

typedef struct reader {
    bd_buf key, schema_prefix;
    const char *topic;
    bd_checkpoint *c;
    int found;
    srec *recs; /* schema records, when wanted */
    size_t nrecs, crecs;
    int want_lines;
} reader;

static char *dupn(const void *p, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, p, n);
        d[n] = '\0';
    }
    return d;
}

static int on_record(void *ctx, const void *key, size_t key_len, const void *value,
                     size_t value_len, int64_t offset, bd_err *err)
{
    reader *r = ctx;
    if (!key) return 0;
    if (r->want_lines && key_len > r->schema_prefix.len &&
        !memcmp(key, r->schema_prefix.ptr, r->schema_prefix.len)) {
        if (r->nrecs == r->crecs) {
            size_t nc = r->crecs ? 2 * r->crecs : 64;
            srec *n = realloc(r->recs, nc * sizeof *n);
            if (!n) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
            r->recs = n;
            r->crecs = nc;
        }
        srec *s = &r->recs[r->nrecs];
        s->key = dupn(key, key_len);
        s->val = value ? dupn(value, value_len) : NULL; /* NULL: a tombstone */
        s->klen = key_len;
        s->vlen = value_len;
        s->seq = r->nrecs;
        if (!s->key || (value && !s->val)) {
            free(s->key);
            free(s->val);
            return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        }
        r->nrecs++;
        return 0;
    }
    if (key_len != r->key.len || memcmp(key, r->key.ptr, key_len) != 0) return 0;
    char where[400];
    snprintf(where, sizeof where, "in topic %s at offset %lld", r->topic, (long long)offset);
    if (!value) { /* a tombstone: the position was deleted on purpose */
        r->found = 0;
        return 0;
    }
    if (bd_checkpoint_parse(value, value_len, where, r->c, err) < 0) return -1;
    r->found = 1;
    return 0;
}

static int by_key_then_seq(const void *a, const void *b)
{
    const srec *x = a, *y = b;
    size_t m = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, m);
    if (c) return c;
    if (x->klen != y->klen) return x->klen < y->klen ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int by_seq(const void *a, const void *b)
{
    const srec *x = a, *y = b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The last value of each schema key, in the order read, into l. */
static int keep_lines(reader *r, bd_state_lines *l, bd_err *err)
{
    qsort(r->recs, r->nrecs, sizeof *r->recs, by_key_then_seq);
    size_t k = 0;
    for (size_t i = 0; i < r->nrecs; i++) {
        /* the last of a run of one key (sorted by key, then as read) */
        int last = i + 1 == r->nrecs || r->recs[i].klen != r->recs[i + 1].klen ||
                   memcmp(r->recs[i].key, r->recs[i + 1].key, r->recs[i].klen) != 0;
        if (last && r->recs[i].val) {
            r->recs[k++] = r->recs[i];
        } else {
            free(r->recs[i].key);
            free(r->recs[i].val);
        }
    }
    r->nrecs = k;
    qsort(r->recs, k, sizeof *r->recs, by_seq);
    l->line = calloc(k ? k : 1, sizeof *l->line);
    l->len = calloc(k ? k : 1, sizeof *l->len);
    if (!l->line || !l->len) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < k; i++) {
        l->line[i] = r->recs[i].val; /* moved */
        l->len[i] = r->recs[i].vlen;
        r->recs[i].val = NULL;
        free(r->recs[i].key);
    }
    l->n = k;
    r->nrecs = 0;
    return 0;
}

int bd_state_read(bd_kafka_admin *k, const char *topic, const char *source, bd_checkpoint *c,
                  bd_state_lines *lines, int timeout_ms, bd_err *err)
{
    reader r = {BD_BUF_INIT, BD_BUF_INIT, topic, c, 0, NULL, 0, 0, lines != NULL};
    bd_state_checkpoint_key(source, &r.key);
    /* the schema keys' common beginning */
    bd_buf_adds(&r.schema_prefix, "{\"source\":");
    bd_buf_add_json_str(&r.schema_prefix, source, strlen(source));
    bd_buf_adds(&r.schema_prefix, ",\"kind\":\"schema\",");
    int rc = 0;
    if (bd_buf_failed(&r.key) || bd_buf_failed(&r.schema_prefix))
        rc = bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    memset(c, 0, sizeof *c);
    if (rc == 0)
        rc = bd_kafka_admin_read_partition(k, topic, BD_STATE_PARTITION, on_record, &r, timeout_ms,
                                           err);
    if (rc == 0 && lines) rc = keep_lines(&r, lines, err);
    for (size_t i = 0; i < r.nrecs; i++) {
        free(r.recs[i].key);
        free(r.recs[i].val);
    }
    free(r.recs);
    bd_buf_release(&r.key);
    bd_buf_release(&r.schema_prefix);
    if (rc < 0) return -1;
    if (!r.found) memset(c, 0, sizeof *c);
    return r.found ? 0 : 1;
}

int bd_state_read_checkpoint(bd_kafka_admin *k, const char *topic, const char *source,
                             bd_checkpoint *c, int timeout_ms, bd_err *err)
{
    return bd_state_read(k, topic, source, c, NULL, timeout_ms, err);
}

int bd_state_follow(bd_kafka_admin *k, const char *topic, const char *source, int64_t *next,
                    bd_checkpoint *c, int timeout_ms, int budget_ms, bd_err *err)
{
    bd_checkpoint *t = calloc(1, sizeof *t);
    reader r = {BD_BUF_INIT, BD_BUF_INIT, topic, t, 0, NULL, 0, 0, 0};
    int tomb = 0;
    bd_state_checkpoint_key(source, &r.key);
    int rc = !t || bd_buf_failed(&r.key) ? bd_err_set(err, BD_ERR_NOMEM, "out of memory") : 0;
    if (rc == 0) {
        /* a tombstone read now: found drops back to 0 after a record */
        r.found = -1;
        rc = bd_kafka_admin_read_partition_from(k, topic, BD_STATE_PARTITION, next, on_record, &r,
                                                timeout_ms, budget_ms, err);
        tomb = r.found == 0;
    }
    if (rc == 0 && r.found == 1) *c = *t;
    if (rc == 0 && tomb) memset(c, 0, sizeof *c);
    bd_buf_release(&r.key);
    free(t);
    if (rc < 0) return -1;
    return r.found == 1 || tomb ? 0 : 1;
}
