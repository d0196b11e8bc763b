/* kafka_admin.c - see include/binlogd/kafka_admin.h.
 *
 * One librdkafka consumer handle serves every question: metadata,
 * watermarks and the admin API work on any client type, and fetching the
 * message at an offset needs a consumer.  It never joins a group and never
 * commits: rd_kafka_assign() needs a group.id in librdkafka 2.0.2 (it
 * answers _UNKNOWN_GROUP without one), so the handle carries a throwaway
 * one that no broker ever sees a join or a commit for. */
#include "binlogd/kafka_admin.h"

#include <assert.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "binlogd/kafka.h"
#include "binlogd/parse.h"

/* How recent librdkafka's last logged error must be to be quoted in a
 * failure: older lines are more likely to describe something else. */
#define LAST_LOG_MAX_AGE_MS 60000

struct bd_kafka_admin {
    rd_kafka_t *rk;
    char *servers; /* bootstrap.servers as configured: every message names it */
    /* librdkafka logs from its own threads; the last error it logged
     * explains many failures (a refused connection, a TLS or SASL
     * problem) better than the error code the call returns */
    pthread_mutex_t lock;
    char last[400];
    int64_t last_ms; /* monotonic; 0: none */
    /* the first one: where rd_kafka_new() fails, OpenSSL's errors come
     * root cause first ("No such file or directory", then "system lib") */
    char first[400];
    /* a group member (bd_kafka_admin_member): its topic, and whether it
     * holds partition 0 of it (set by the rebalance callback, which runs
     * in bd_kafka_admin_member_poll) */
    char *member_topic;
    int active;
};

/* Properties that only a producer uses (librdkafka 2.0.2's CONFIGURATION.md
 * marks them "P", plus aliases).  Left out: a consumer would warn about
 * each, and some (transactional.id, enable.idempotence) change what the
 * client does at start.  retry.backoff.ms is marked "P" too but librdkafka
 * applies it to every request it retries, so it is kept. */
static const char *const producer_only[] = {
    "acks",
    "compression.codec",
    "compression.level",
    "compression.type",
    "delivery.report.only.error",
    "delivery.timeout.ms",
    "enable.gapless.guarantee",
    "enable.idempotence",
    "linger.ms",
    "message.send.max.retries",
    "message.timeout.ms",
    "partitioner",
    "produce.offset.report",
    "queuing.strategy",
    "request.required.acks",
    "request.timeout.ms",
    "retries",
    "sticky.partitioning.linger.ms",
    "transaction.timeout.ms",
    "transactional.id",
};
static const char *const producer_only_prefix[] = {"queue.buffering.", "batch.", "max.in.flight"};

/* Defaults for fetching one message at an offset, set before the caller's
 * properties (which may override them): answer "nothing there" after
 * 100 ms at the end of a partition instead of librdkafka's 500 ms, and do
 * not prefetch beyond the message asked for. */
static const char *const fetch_defaults[][2] = {
    {"fetch.wait.max.ms", "100"},
    {"queued.min.messages", "1"},
};

/* Set after the caller's properties: what this handle must be whatever
 * the configuration says.  No commit of any kind; end of partition and an
 * offset out of range reported rather than papered over (the default
 * auto.offset.reset would jump to the end and wait); metadata requests
 * that never create a topic (the monitor asks about topics that may not
 * exist yet); logs to our callback, not to the main queue nobody polls. */
static const char *const forced[][2] = {
    {"enable.auto.commit", "false"},
    {"enable.auto.offset.store", "false"},
    {"enable.partition.eof", "true"},
    {"auto.offset.reset", "error"},
    {"allow.auto.create.topics", "false"},
    {"log.queue", "false"},
    /* what a consumer of binlogd's topics sees: committed transactions only */
    {"isolation.level", "read_committed"},
};

static int producer_only_property(const char *name)
{
    for (size_t i = 0; i < sizeof producer_only / sizeof producer_only[0]; i++)
        if (strcmp(name, producer_only[i]) == 0) return 1;
    for (size_t i = 0; i < sizeof producer_only_prefix / sizeof producer_only_prefix[0]; i++)
        if (strncmp(name, producer_only_prefix[i], strlen(producer_only_prefix[i])) == 0) return 1;
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until deadline, never negative. */
static int left_ms(int64_t deadline)
{
    int64_t l = deadline - now_ms();
    return l < 0 ? 0 : l > INT32_MAX ? INT32_MAX : (int)l;
}

/* Replace every occurrence of a secret value in s (size bytes) by
 * "(secret)": librdkafka's reasons may quote what they refuse. */
static void scrub(char *s, size_t size, const char *const *secrets, size_t nsecrets)
{
    static const char mask[] = "(secret)";
    for (size_t i = 0; i < nsecrets; i++) {
        const char *v = secrets[i];
        size_t vl = strlen(v);
        if (!vl) continue;
        /* search on after each mask: the value may occur in the mask */
        for (char *p = s; (p = strstr(p, v)) != NULL;) {
            char tail[BD_ERRLEN];
            snprintf(tail, sizeof tail, "%s", p + vl);
            snprintf(p, size - (size_t)(p - s), "%s%s", mask, tail);
            p += strlen(p) < sizeof mask - 1 ? strlen(p) : sizeof mask - 1;
        }
    }
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    /* Debug and informational lines are dropped: the daemon logs its own
     * messages, and librdkafka must not write to stderr behind its back.
     * "ERROR" lines are error events that librdkafka logs because no
     * error callback is set ("1/1 brokers are down"); they restate what
     * the line before them said with its cause, so that one is kept. */
    if (level > LOG_ERR || strcmp(fac, "ERROR") == 0) return;
    bd_kafka_admin *k = rd_kafka_opaque(rk);
    if (!k) return;
    /* "[thrd:127.0.0.1:1/bootstrap]: " names a librdkafka thread */
    if (strncmp(buf, "[thrd:", 6) == 0 && strstr(buf, "]: ")) buf = strstr(buf, "]: ") + 3;
    pthread_mutex_lock(&k->lock);
    snprintf(k->last, sizeof k->last, "%s: %s", fac, buf);
    bd_kafka_chomp(k->last);
    k->last_ms = now_ms();
    if (!k->first[0]) memcpy(k->first, k->last, sizeof k->first);
    pthread_mutex_unlock(&k->lock);
}

/* Set err to "kafka SERVERS: <what>", followed by librdkafka's last logged
 * error when there is a recent one.  Returns -1. */
static int fail(bd_kafka_admin *k, bd_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(bd_kafka_admin *k, bd_err *err, const char *fmt, ...)
{
    char what[BD_ERRLEN], detail[sizeof k->last + 64] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&k->lock);
    int64_t age = now_ms() - k->last_ms;
    if (k->last_ms && age <= LAST_LOG_MAX_AGE_MS)
        snprintf(detail, sizeof detail, " (last client error, %.1f s ago: %s)", age / 1000.0,
                 k->last);
    pthread_mutex_unlock(&k->lock);
    return bd_err_set(err, BD_ERR_IO, "kafka %s: %s%s", k->servers, what, detail);
}

/* Serve what librdkafka queued for the application (nothing is expected:
 * no callbacks are set; this keeps the queue from growing if something
 * arrives anyway). */
static void serve(bd_kafka_admin *k) { rd_kafka_poll(k->rk, 0); }

/* ---- configuration */

static int conf_refused(bd_err *err, const char *name, const char *value, const char *why,
                        const char *const *secrets, size_t nsecrets)
{
    char es[BD_ERRLEN];
    snprintf(es, sizeof es, "%s", why);
    bd_kafka_chomp(es);
    scrub(es, sizeof es, secrets, nsecrets);
    if (bd_kafka_secret_property(name))
        return bd_err_set(err, BD_ERR_UNSUPPORTED, "kafka.%s=(secret): %s", name, es);
    char v[BD_ERRLEN];
    snprintf(v, sizeof v, "%s", value);
    scrub(v, sizeof v, secrets, nsecrets);
    return bd_err_set(err, BD_ERR_UNSUPPORTED, "kafka.%s=%s: %s", name, v, es);
}

/* One broker of bootstrap.servers: [PROTOCOL://]HOST[:PORT], HOST a name,
 * an IPv4 address or [IPv6].  librdkafka accepts much that cannot work and
 * only says so in a log line (a port "bar" becomes 0, 99999 wraps around
 * to 34463, a protocol that differs from security.protocol leaves no
 * broker at all), so it is checked here.  NULL if fine, else why. */
static const char *bad_broker(const char *b, size_t n, const char *proto, char *why, size_t size)
{
    const char *sep = memmem(b, n, "://", 3);
    if (sep) {
        size_t pl = (size_t)(sep - b);
        if (strlen(proto) != pl || strncasecmp(b, proto, pl) != 0) {
            snprintf(why, size, "protocol \"%.*s\" of \"%.*s\" is not security.protocol (%s)",
                     (int)pl, b, (int)n, b, proto);
            return why;
        }
        n -= pl + 3;
        b = sep + 3;
    }
    /* bd_parse_hostport's syntax, with librdkafka's bare IPv6 address (no
     * port then): one rule for every HOST:PORT a user writes */
    char one[300], host[256];
    unsigned port;
    if (n >= sizeof one) {
        snprintf(why, size, "bad host in \"%.*s\"", (int)n, b);
        return why;
    }
    memcpy(one, b, n);
    one[n] = '\0';
    int rc = bd_parse_hostport(one, host, sizeof host, &port, 9092, BD_HOSTPORT_BARE_V6);
    if (rc == BD_HOSTPORT_BAD_PORT) {
        const char *pc = strrchr(one, ':');
        snprintf(why, size, "bad port \"%s\" in \"%s\" (expected HOST:PORT, PORT 1..65535)",
                 pc ? pc + 1 : "", one);
        return why;
    }
    if (rc < 0 && one[0] == '[') {
        const char *close = strchr(one, ']');
        if (close && close > one + 1 && close[1] && close[1] != ':')
            snprintf(why, size, "\"%s\": expected :PORT after ]", one);
        else
            snprintf(why, size, "bad IPv6 address in \"%s\"", one);
        return why;
    }
    if (rc < 0) {
        snprintf(why, size, "%s host in \"%s\"", one[0] == ':' ? "no" : "bad", one);
        return why;
    }
    return NULL;
}

/* Check every broker of the list; NULL if fine, else why. */
static const char *bad_servers(const char *list, const char *proto, char *why, size_t size)
{
    int n = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        const char *b = p, *e = p + len;
        while (b < e && (*b == ' ' || *b == '\t'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        /* an empty entry is skipped by librdkafka as well */
        if (e > b) {
            if (bad_broker(b, (size_t)(e - b), proto, why, size)) return why;
            n++;
        }
        p += len;
        if (*p == ',') p++;
    }
    if (n == 0) {
        snprintf(why, size, "no broker given");
        return why;
    }
    return NULL;
}

/* rd_kafka_new() refused the configuration with es.  Its reasons mostly
 * start with the property at fault ("ssl.ca.location failed: ...") or
 * quote its value ("Unsupported SASL mechanism: FOO"): name the caller's
 * setting found that way (the longest name, then the longest value), and
 * add the first error librdkafka logged, which often holds the cause
 * ("No such file or directory" behind OpenSSL's "system lib"). */
static void new_refused(bd_kafka_admin *k, const char *const *conf, size_t nconf, char *es,
                        const char *const *secrets, size_t nsecrets, bd_err *err)
{
    bd_kafka_chomp(es);
    const size_t none = (size_t)-1;
    size_t found = none, foundlen = 0;
    for (size_t i = 0; i < nconf; i++) {
        size_t l = strlen(conf[2 * i]);
        if (l > foundlen && strstr(es, conf[2 * i])) found = i, foundlen = l;
    }
    for (size_t i = 0; found == none && i < nconf; i++) {
        const char *v = conf[2 * i + 1];
        size_t l = strlen(v);
        /* short values ("1", "ssl") match too much by chance; a secret's
         * value is never a reason to name it */
        if (l >= 3 && l > foundlen && !bd_kafka_secret_property(conf[2 * i]) && strstr(es, v))
            found = i, foundlen = l;
    }
    char why[BD_ERRLEN + sizeof k->first + 4]; /* es, then the log line */
    pthread_mutex_lock(&k->lock);
    if (k->first[0])
        snprintf(why, sizeof why, "%s (%s)", es, k->first);
    else
        snprintf(why, sizeof why, "%s", es);
    pthread_mutex_unlock(&k->lock);
    if (found != none) {
        conf_refused(err, conf[2 * found], conf[2 * found + 1], why, secrets, nsecrets);
        return;
    }
    scrub(why, sizeof why, secrets, nsecrets);
    bd_err_set(err, BD_ERR_UNSUPPORTED, "kafka: %s", why);
}

/* Defaults of a handle that reads whole partitions (the state topic):
 * librdkafka's own prefetch, an answer within 100 ms at the end. */
static const char *const read_defaults[][2] = {
    {"fetch.wait.max.ms", "100"},
};

/* A group member's: its group and session timeout (NULL: a handle that
 * joins no group). */
typedef struct member_opts {
    const char *group, *topic;
    unsigned session_ms;
} member_opts;

static bd_kafka_admin *admin_new(const char *const *conf, size_t nconf,
                                 const char *const (*defs)[2], size_t ndefs, const member_opts *mo,
                                 bd_err *err);

bd_kafka_admin *bd_kafka_admin_new(const char *const *conf, size_t nconf, bd_err *err)
{
    return admin_new(conf, nconf, fetch_defaults, sizeof fetch_defaults / sizeof fetch_defaults[0],
                     NULL, err);
}

bd_kafka_admin *bd_kafka_admin_new_reader(const char *const *conf, size_t nconf, bd_err *err)
{
    return admin_new(conf, nconf, read_defaults, sizeof read_defaults / sizeof read_defaults[0],
                     NULL, err);
}

/* The group's assignment changed.  The cooperative protocol (set below)
 * moves only the partitions that change owner, so an active member keeps
 * partition 0 while others join or leave; take what is given (at the
 * partitions' ends: the member reads nothing) and note whether partition 0
 * of the topic is held.  Served by bd_kafka_admin_member_poll. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    bd_kafka_admin *k = opaque;
    int has = 0;
    for (int i = 0; i < parts->cnt; i++) {
        parts->elems[i].offset = RD_KAFKA_OFFSET_END;
        if (!strcmp(parts->elems[i].topic, k->member_topic) && parts->elems[i].partition == 0)
            has = 1;
    }
    rd_kafka_error_t *e = NULL;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        e = rd_kafka_incremental_assign(rk, parts);
        if (has) k->active = 1;
    } else {
        /* revoked, or lost (the session timed out): at once */
        e = rd_kafka_incremental_unassign(rk, parts);
        if (has || err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) k->active = 0;
    }
    if (e) rd_kafka_error_destroy(e);
}

bd_kafka_admin *bd_kafka_admin_member(const char *const *conf, size_t nconf, const char *group,
                                      const char *topic, unsigned session_ms, bd_err *err)
{
    member_opts mo = {group, topic, session_ms};
    bd_kafka_admin *k = admin_new(conf, nconf, read_defaults,
                                  sizeof read_defaults / sizeof read_defaults[0], &mo, err);
    if (!k) return NULL;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(k->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e) {
        fail(k, err, "joining group %s on topic %s: %s", group, topic, rd_kafka_err2str(e));
        bd_kafka_admin_free(k);
        return NULL;
    }
    return k;
}

int bd_kafka_admin_member_poll(bd_kafka_admin *k)
{
    /* rebalances are served here; the messages (the state topic's new
     * records) are of no use to a member */
    rd_kafka_message_t *m;
    while ((m = rd_kafka_consumer_poll(k->rk, 0)) != NULL)
        rd_kafka_message_destroy(m);
    return k->active;
}

static bd_kafka_admin *admin_new(const char *const *conf, size_t nconf,
                                 const char *const (*defs)[2], size_t ndefs, const member_opts *mo,
                                 bd_err *err)
{
    bd_kafka_admin *k = calloc(1, sizeof *k);
    const char **secrets = calloc(nconf + 1, sizeof *secrets);
    if (!k || !secrets) {
        free(k);
        free(secrets);
        bd_err_set(err, BD_ERR_NOMEM, "kafka admin: out of memory");
        return NULL;
    }
    pthread_mutex_init(&k->lock, NULL);
    size_t nsecrets = 0;
    for (size_t i = 0; i < nconf; i++) {
        assert(conf[2 * i] && conf[2 * i + 1]);
        if (bd_kafka_secret_property(conf[2 * i])) secrets[nsecrets++] = conf[2 * i + 1];
    }

    char es[BD_ERRLEN];
    rd_kafka_conf_t *rc = rd_kafka_conf_new();
    for (size_t i = 0; i < ndefs; i++) {
        if (rd_kafka_conf_set(rc, defs[i][0], defs[i][1], es, sizeof es) != RD_KAFKA_CONF_OK) {
            conf_refused(err, defs[i][0], defs[i][1], es, NULL, 0);
            goto fail;
        }
    }
    for (size_t i = 0; i < nconf; i++) {
        const char *name = conf[2 * i], *value = conf[2 * i + 1];
        if (producer_only_property(name)) continue;
        rd_kafka_conf_res_t r = rd_kafka_conf_set(rc, name, value, es, sizeof es);
        /* Unknown here need not be wrong: the producer, which gets the
         * same properties, refuses what is really unknown.  A value that
         * librdkafka refuses is wrong for any client, and a security or
         * connection setting left out would leave this handle unable to
         * talk to the cluster, so those stop here. */
        if (r == RD_KAFKA_CONF_UNKNOWN) continue;
        if (r != RD_KAFKA_CONF_OK) {
            conf_refused(err, name, value, es, secrets, nsecrets);
            goto fail;
        }
    }
    for (size_t i = 0; i < sizeof forced / sizeof forced[0]; i++) {
        if (rd_kafka_conf_set(rc, forced[i][0], forced[i][1], es, sizeof es) != RD_KAFKA_CONF_OK) {
            conf_refused(err, forced[i][0], forced[i][1], es, NULL, 0);
            goto fail;
        }
    }

    /* bootstrap.servers: required (except for librdkafka's mock cluster,
     * which the unit tests use) and checked, see bad_broker() */
    char proto[64], why[BD_ERRLEN];
    size_t sz = sizeof proto;
    if (rd_kafka_conf_get(rc, "security.protocol", proto, &sz) != RD_KAFKA_CONF_OK)
        snprintf(proto, sizeof proto, "plaintext");
    const char *spelling = "bootstrap.servers";
    const char *given =
        bd_kafka_user_setting(conf, nconf, "bootstrap.servers", "metadata.broker.list", &spelling);
    if (!given || !*given) {
        sz = sizeof es;
        if (rd_kafka_conf_get(rc, "test.mock.num.brokers", es, &sz) != RD_KAFKA_CONF_OK ||
            atoi(es) <= 0) {
            bd_err_set(err, BD_ERR_UNSUPPORTED, "kafka.bootstrap.servers is required");
            goto fail;
        }
        k->servers = strdup("(mock cluster)");
    } else {
        if (bad_servers(given, proto, why, sizeof why)) {
            bd_err_set(err, BD_ERR_UNSUPPORTED, "kafka.%s=%s: %s", spelling, given, why);
            goto fail;
        }
        k->servers = strdup(given);
    }
    if (!k->servers) {
        bd_err_set(err, BD_ERR_NOMEM, "kafka admin: out of memory");
        goto fail;
    }

    /* unique per handle, so that no two handles (or daemons) ever share
     * one; nothing is committed under it.  A member: its group, and a
     * session that ends soon after it stops heartbeating (a dead host) */
    char group[300], num[32];
    snprintf(group, sizeof group, "binlogd-admin-%ld-%lld-%p", (long)getpid(), (long long)now_ms(),
             (void *)k);
    if (mo) snprintf(group, sizeof group, "%s", mo->group);
    if (rd_kafka_conf_set(rc, "group.id", group, es, sizeof es) != RD_KAFKA_CONF_OK) {
        conf_refused(err, "group.id", group, es, NULL, 0);
        goto fail;
    }
    if (mo) {
        if (!(k->member_topic = strdup(mo->topic))) {
            bd_err_set(err, BD_ERR_NOMEM, "kafka admin: out of memory");
            goto fail;
        }
        snprintf(num, sizeof num, "%u", mo->session_ms);
        if (rd_kafka_conf_set(rc, "session.timeout.ms", num, es, sizeof es) != RD_KAFKA_CONF_OK) {
            conf_refused(err, "session.timeout.ms", num, es, NULL, 0);
            goto fail;
        }
        snprintf(num, sizeof num, "%u", mo->session_ms / 5 < 3000 ? mo->session_ms / 5 : 3000);
        if (rd_kafka_conf_set(rc, "heartbeat.interval.ms", num, es, sizeof es) !=
            RD_KAFKA_CONF_OK) {
            conf_refused(err, "heartbeat.interval.ms", num, es, NULL, 0);
            goto fail;
        }
        if (rd_kafka_conf_set(rc, "partition.assignment.strategy", "cooperative-sticky", es,
                              sizeof es) != RD_KAFKA_CONF_OK) {
            conf_refused(err, "partition.assignment.strategy", "cooperative-sticky", es, NULL, 0);
            goto fail;
        }
        rd_kafka_conf_set_rebalance_cb(rc, on_rebalance);
    }
    rd_kafka_conf_set_opaque(rc, k);
    rd_kafka_conf_set_log_cb(rc, on_log);

    k->rk = rd_kafka_new(RD_KAFKA_CONSUMER, rc, es, sizeof es);
    if (!k->rk) {
        new_refused(k, conf, nconf, es, secrets, nsecrets, err);
        goto fail;
    }
    rc = NULL; /* owned by rk now */
    /* Where a SASL mechanism needs callbacks (OAUTHBEARER token refresh),
     * run them on librdkafka's background thread: this handle is polled
     * only when asked something.  Refused (and harmless) otherwise. */
    rd_kafka_error_t *e = rd_kafka_sasl_background_callbacks_enable(k->rk);
    if (e) rd_kafka_error_destroy(e);
    free(secrets);
    return k;
fail:
    if (rc) rd_kafka_conf_destroy(rc);
    free(secrets);
    bd_kafka_admin_free(k);
    return NULL;
}

void bd_kafka_admin_free(bd_kafka_admin *k)
{
    if (!k) return;
    /* a member leaves its group now (another takes over at once, not after
     * the session timeout); others joined none; auto-commit is off */
    if (k->rk && k->member_topic) rd_kafka_consumer_close(k->rk);
    if (k->rk) rd_kafka_destroy(k->rk);
    free(k->member_topic);
    /* after rd_kafka_destroy: its threads may log until then */
    pthread_mutex_destroy(&k->lock);
    free(k->servers);
    free(k);
}

/* ---- questions */

/* The number of partitions of topic, 0 if it does not exist; -1 with err
 * ("kafka SERVERS: CTX...").  ctx says what the caller was doing. */
static int partitions(bd_kafka_admin *k, const char *topic, int64_t deadline, const char *ctx,
                      bd_err *err)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(k->rk, topic, NULL);
    if (!rkt)
        return fail(k, err, "%stopic %s: %s", ctx, topic, rd_kafka_err2str(rd_kafka_last_error()));
    const struct rd_kafka_metadata *md = NULL;
    /* asks the brokers every time: librdkafka's cache may be minutes old */
    rd_kafka_resp_err_t e = rd_kafka_metadata(k->rk, 0, rkt, &md, left_ms(deadline));
    rd_kafka_topic_destroy(rkt);
    if (e) return fail(k, err, "%smetadata of topic %s: %s", ctx, topic, rd_kafka_err2str(e));
    /* a broker may also leave an unknown topic out of the answer */
    int n = 0;
    for (int i = 0; i < md->topic_cnt; i++) {
        const rd_kafka_metadata_topic_t *t = &md->topics[i];
        if (strcmp(t->topic, topic) != 0 || t->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            continue;
        if (t->err)
            n = fail(k, err, "%smetadata of topic %s: %s", ctx, topic, rd_kafka_err2str(t->err));
        else
            n = t->partition_cnt;
        break;
    }
    rd_kafka_metadata_destroy(md);
    return n;
}

int bd_kafka_admin_partitions(bd_kafka_admin *k, const char *topic, int timeout_ms, bd_err *err)
{
    serve(k);
    return partitions(k, topic, now_ms() + timeout_ms, "", err);
}

int bd_kafka_admin_watermarks(bd_kafka_admin *k, const char *topic, int32_t partition, int64_t *low,
                              int64_t *high, int timeout_ms, bd_err *err)
{
    serve(k);
    rd_kafka_resp_err_t e =
        rd_kafka_query_watermark_offsets(k->rk, topic, partition, low, high, timeout_ms);
    if (e)
        return fail(k, err, "watermarks of topic %s partition %d: %s", topic, (int)partition,
                    rd_kafka_err2str(e));
    return 0;
}

/* Wait for the ListConsumerGroupOffsets result of group on q and copy the
 * offsets of want's partitions into out. */
static int collect_offsets(bd_kafka_admin *k, const char *group, rd_kafka_queue_t *q,
                           const rd_kafka_topic_partition_list_t *want, bd_group_offset *out,
                           int64_t deadline, int timeout_ms, bd_err *err)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, left_ms(deadline));
    if (!ev)
        return fail(k, err, "committed offsets of group %s: no answer within %d ms", group,
                    timeout_ms);
    int rc = -1;
    const rd_kafka_ListConsumerGroupOffsets_result_t *res =
        rd_kafka_event_ListConsumerGroupOffsets_result(ev);
    size_t ng = 0;
    const rd_kafka_group_result_t **groups =
        res ? rd_kafka_ListConsumerGroupOffsets_result_groups(res, &ng) : NULL;
    const rd_kafka_error_t *ge = ng == 1 ? rd_kafka_group_result_error(groups[0]) : NULL;
    const rd_kafka_topic_partition_list_t *got =
        ng == 1 && !ge ? rd_kafka_group_result_partitions(groups[0]) : NULL;
    if (rd_kafka_event_error(ev)) {
        fail(k, err, "committed offsets of group %s: %s", group, rd_kafka_event_error_string(ev));
    } else if (!res || ng != 1) {
        fail(k, err, "committed offsets of group %s: unexpected answer (%s, %zu groups)", group,
             rd_kafka_event_name(ev), ng);
    } else if (ge) {
        fail(k, err, "committed offsets of group %s: %s", group, rd_kafka_error_string(ge));
    } else if (!got) {
        fail(k, err, "committed offsets of group %s: no partitions in the answer", group);
    } else {
        rc = want->cnt;
        for (int i = 0; i < want->cnt; i++) {
            const rd_kafka_topic_partition_t *w = &want->elems[i];
            const rd_kafka_topic_partition_t *p =
                rd_kafka_topic_partition_list_find(got, w->topic, w->partition);
            if (!p || p->err) {
                rc = fail(k, err, "committed offset of group %s, topic %s partition %d: %s", group,
                          w->topic, (int)w->partition,
                          p ? rd_kafka_err2str(p->err) : "not in the answer");
                break;
            }
            snprintf(out[i].topic, sizeof out[i].topic, "%s", w->topic);
            out[i].partition = w->partition;
            /* RD_KAFKA_OFFSET_INVALID (-1001): the group never committed one */
            out[i].committed = p->offset < 0 ? -1 : p->offset;
        }
    }
    rd_kafka_event_destroy(ev);
    return rc;
}

int bd_kafka_admin_group_offsets(bd_kafka_admin *k, const char *group, const char *const *topics,
                                 size_t ntopics, bd_group_offset *out, size_t max, int timeout_ms,
                                 bd_err *err)
{
    int64_t deadline = now_ms() + timeout_ms;
    serve(k);
    rd_kafka_topic_partition_list_t *want = rd_kafka_topic_partition_list_new((int)ntopics * 4 + 1);
    char ctx[300];
    snprintf(ctx, sizeof ctx, "committed offsets of group %s: ", group);
    int rc = -1;
    for (size_t t = 0; t < ntopics; t++) {
        int dup = 0;
        for (size_t u = 0; u < t && !dup; u++)
            dup = strcmp(topics[u], topics[t]) == 0;
        if (dup) continue;
        if (strlen(topics[t]) >= sizeof out->topic) {
            bd_err_set(err, BD_ERR_UNSUPPORTED, "kafka %s: group %s: topic name too long: %.64s...",
                       k->servers, group, topics[t]);
            goto done;
        }
        int n = partitions(k, topics[t], deadline, ctx, err);
        if (n < 0) goto done;
        for (int p = 0; p < n; p++)
            rd_kafka_topic_partition_list_add(want, topics[t], p);
    }
    if ((size_t)want->cnt > max) {
        bd_err_set(err, BD_ERR_UNSUPPORTED,
                   "kafka %s: group %s: the topics have %d partitions, room for %zu", k->servers,
                   group, want->cnt, max);
        goto done;
    }
    /* an empty list would ask for every partition the group knows */
    if (want->cnt == 0) {
        rc = 0;
        goto done;
    }

    char es[256];
    rd_kafka_AdminOptions_t *opt =
        rd_kafka_AdminOptions_new(k->rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
    int ms = left_ms(deadline);
    if (ms == 0) {
        rd_kafka_AdminOptions_destroy(opt);
        fail(k, err, "committed offsets of group %s: no answer within %d ms", group, timeout_ms);
        goto done;
    }
    if (rd_kafka_AdminOptions_set_request_timeout(opt, ms, es, sizeof es)) {
        rd_kafka_AdminOptions_destroy(opt);
        fail(k, err, "committed offsets of group %s: timeout %d ms: %s", group, ms, es);
        goto done;
    }
    rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(group, want);
    /* a queue of this call's own: an answer that comes after we gave up
     * is dropped with it instead of being taken for the next call's */
    rd_kafka_queue_t *q = rd_kafka_queue_new(k->rk);
    rd_kafka_ListConsumerGroupOffsets(k->rk, &req, 1, opt, q);
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    rd_kafka_AdminOptions_destroy(opt);
    rc = collect_offsets(k, group, q, want, out, deadline, timeout_ms, err);
    rd_kafka_queue_destroy(q);
done:
    rd_kafka_topic_partition_list_destroy(want);
    return rc;
}

/* source.ts_us of a message value (docs/format.md). */
static int value_commit_us(bd_kafka_admin *k, const rd_kafka_message_t *m, const char *where,
                           uint64_t *commit_us, bd_err *err)
{
    if (!m->payload) return fail(k, err, "%s: the message has no value", where);
    json_error_t je;
    json_t *j = json_loadb(m->payload, m->len, 0, &je);
    if (!j)
        return fail(k, err, "%s: the value is not JSON: column %d: %s", where, je.column, je.text);
    json_t *ts = json_object_get(json_object_get(j, "source"), "ts_us");
    int rc = 0;
    if (!json_is_integer(ts) || json_integer_value(ts) < 0)
        rc = fail(k, err, "%s: the value has no source.ts_us", where);
    else
        *commit_us = (uint64_t)json_integer_value(ts);
    json_decref(j);
    return rc;
}

/* Fetch and read the first message at or after offset; see
 * bd_kafka_admin_commit_time.  Called with the partition assigned. */
static int fetch_commit_time(bd_kafka_admin *k, const char *topic, int32_t partition,
                             int64_t offset, const char *where, uint64_t *commit_us,
                             int64_t deadline, int timeout_ms, bd_err *err)
{
    char seen[256] = ""; /* the last client-wide error, for a timeout message */
    for (;;) {
        int ms = left_ms(deadline);
        if (ms == 0) break;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(k->rk, ms);
        if (!m) continue;
        int ours =
            m->rkt && m->partition == partition && strcmp(rd_kafka_topic_name(m->rkt), topic) == 0;
        int rc = 2; /* keep polling */
        if (!m->err) {
            /* Not the message at offset itself when offset held none (a
             * transaction marker, a record removed by compaction): the
             * next one is then the oldest that was not consumed yet.
             * Older offsets can only be left from an earlier call's
             * assignment. */
            if (ours && m->offset >= offset) rc = value_commit_us(k, m, where, commit_us, err);
        } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF ||
                   m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
                   m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
            /* auto.offset.reset=error turns an out-of-range offset
             * (beyond the end, or removed by retention) into
             * _AUTO_OFFSET_RESET */
            if (ours) rc = 1;
        } else if (ours) {
            rc = fail(k, err, "%s: %s", where, rd_kafka_message_errstr(m));
        } else {
            /* client-wide ("all brokers down"): librdkafka keeps trying */
            snprintf(seen, sizeof seen, "%s", rd_kafka_message_errstr(m));
        }
        rd_kafka_message_destroy(m);
        if (rc != 2) return rc;
    }
    return fail(k, err, "%s: no message or end of partition within %d ms%s%s", where, timeout_ms,
                seen[0] ? ": " : "", seen);
}

int bd_kafka_admin_commit_time(bd_kafka_admin *k, const char *topic, int32_t partition,
                               int64_t offset, uint64_t *commit_us, int timeout_ms, bd_err *err)
{
    int64_t deadline = now_ms() + timeout_ms;
    char where[400];
    snprintf(where, sizeof where, "commit time at topic %s partition %d offset %lld", topic,
             (int)partition, (long long)offset);
    if (offset < 0) return fail(k, err, "%s: not an offset", where);
    serve(k);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition)->offset = offset;
    rd_kafka_resp_err_t e = rd_kafka_assign(k->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e) return fail(k, err, "%s: assign: %s", where, rd_kafka_err2str(e));
    int rc =
        fetch_commit_time(k, topic, partition, offset, where, commit_us, deadline, timeout_ms, err);
    /* Stops the fetcher; messages it already queued are dropped with the
     * assignment (librdkafka versions them), so the next call starts
     * clean.  Failing to unassign changes nothing for the next call,
     * whose assign replaces this one. */
    rd_kafka_assign(k->rk, NULL);
    return rc;
}

int bd_kafka_admin_read_partition(bd_kafka_admin *k, const char *topic, int32_t partition,
                                  bd_kafka_admin_record_cb cb, void *ctx, int timeout_ms,
                                  bd_err *err)
{
    int64_t next = -1;
    return bd_kafka_admin_read_partition_from(k, topic, partition, &next, cb, ctx, timeout_ms, 0,
                                              err);
}

int bd_kafka_admin_read_partition_from(bd_kafka_admin *k, const char *topic, int32_t partition,
                                       int64_t *next, bd_kafka_admin_record_cb cb, void *ctx,
                                       int timeout_ms, int budget_ms, bd_err *err)
{
    int64_t deadline = now_ms() + timeout_ms;
    int64_t enough = budget_ms > 0 ? now_ms() + budget_ms : INT64_MAX;
    serve(k);
    int n = partitions(k, topic, deadline, "reading ", err);
    if (n < 0) return -1;
    if (partition >= n) return 0; /* no such partition (yet): nothing in it */
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition)->offset =
        *next >= 0 ? *next : RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_resp_err_t e = rd_kafka_assign(k->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e) return fail(k, err, "reading topic %s: assign: %s", topic, rd_kafka_err2str(e));
    int rc = 2;
    char seen[256] = "";
    while (rc == 2) {
        int ms = left_ms(deadline);
        if (now_ms() >= enough && *next >= 0) {
            rc = 0; /* a busy partition: what came will do, the rest next time */
            break;
        }
        if (ms == 0) {
            rc = fail(k, err, "reading topic %s partition %d: its end not reached within %d ms%s%s",
                      topic, (int)partition, timeout_ms, seen[0] ? ": " : "", seen);
            break;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(k->rk, ms);
        if (!m) continue;
        int ours =
            m->rkt && m->partition == partition && strcmp(rd_kafka_topic_name(m->rkt), topic) == 0;
        if (!m->err) {
            if (ours) *next = m->offset + 1;
            if (ours && cb(ctx, m->key, m->key_len, m->payload, m->len, m->offset, err) < 0)
                rc = -1;
        } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            /* read_committed: the end is the last stable offset, before
             * any transaction still open */
            if (ours) rc = 0;
        } else if (ours) {
            rc = fail(k, err, "reading topic %s partition %d: %s", topic, (int)partition,
                      rd_kafka_message_errstr(m));
        } else {
            snprintf(seen, sizeof seen, "%s", rd_kafka_message_errstr(m));
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_assign(k->rk, NULL);
    return rc;
}

int bd_kafka_admin_create_topic(bd_kafka_admin *k, const char *topic, int partitions_n,
                                const char *const *conf, size_t nconf, int timeout_ms, bd_err *err)
{
    char es[512];
    serve(k);
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions_n, -1, es, sizeof es);
    if (!nt) return fail(k, err, "creating topic %s: %s", topic, es);
    for (size_t i = 0; i < nconf; i++) {
        rd_kafka_resp_err_t ce = rd_kafka_NewTopic_set_config(nt, conf[2 * i], conf[2 * i + 1]);
        if (ce) {
            rd_kafka_NewTopic_destroy(nt);
            return fail(k, err, "creating topic %s: %s=%s: %s", topic, conf[2 * i], conf[2 * i + 1],
                        rd_kafka_err2str(ce));
        }
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(k->rk);
    rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(k->rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(ao, timeout_ms, es, sizeof es);
    rd_kafka_AdminOptions_set_operation_timeout(ao, timeout_ms, es, sizeof es);
    rd_kafka_CreateTopics(k->rk, &nt, 1, ao, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 2000);
    int rc;
    if (!ev) {
        rc = fail(k, err, "creating topic %s: no answer within %d ms", topic, timeout_ms);
    } else if (rd_kafka_event_error(ev)) {
        rc = fail(k, err, "creating topic %s: %s", topic, rd_kafka_event_error_string(ev));
    } else {
        size_t cnt = 0;
        const rd_kafka_topic_result_t **tr =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
        rd_kafka_resp_err_t te =
            cnt ? rd_kafka_topic_result_error(tr[0]) : RD_KAFKA_RESP_ERR_NO_ERROR;
        if (!te)
            rc = 0;
        else if (te == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            rc = 1;
        else
            rc = fail(k, err, "creating topic %s: %s", topic,
                      rd_kafka_topic_result_error_string(tr[0])
                          ? rd_kafka_topic_result_error_string(tr[0])
                          : rd_kafka_err2str(te));
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    return rc;
}

int bd_kafka_admin_used_topics(bd_kafka_admin *k, int (*want)(void *ctx, const char *topic),
                               void *ctx, char *first, size_t n, int timeout_ms, bd_err *err)
{
    int64_t deadline = now_ms() + timeout_ms;
    serve(k);
    if (n) first[0] = '\0';
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(k->rk, 1, NULL, &md, left_ms(deadline));
    if (e) return fail(k, err, "listing topics: %s", rd_kafka_err2str(e));
    int used = 0, rc = 0;
    for (int i = 0; i < md->topic_cnt && rc == 0; i++) {
        const rd_kafka_metadata_topic_t *t = &md->topics[i];
        if (t->err || !want(ctx, t->topic)) continue;
        for (int p = 0; p < t->partition_cnt; p++) {
            int64_t lo = 0, hi = 0;
            e = rd_kafka_query_watermark_offsets(k->rk, t->topic, t->partitions[p].id, &lo, &hi,
                                                 left_ms(deadline));
            if (e) {
                rc = fail(k, err, "watermarks of topic %s partition %d: %s", t->topic,
                          (int)t->partitions[p].id, rd_kafka_err2str(e));
                break;
            }
            if (hi > lo) {
                if (!used++ && n) snprintf(first, n, "%s", t->topic);
                break;
            }
        }
    }
    rd_kafka_metadata_destroy(md);
    return rc < 0 ? -1 : used;
}
