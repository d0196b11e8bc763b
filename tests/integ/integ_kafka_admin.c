/* integ_kafka_admin.c - the questions of lib/sink/kafka_admin.c asked of a real
 * broker, one per run, for tests/integ/kafka_admin.sh, which compares the
 * answers with what kcat produced and consumed.
 *
 *   integ_kafka_admin SERVERS partitions TOPIC
 *   integ_kafka_admin SERVERS watermarks TOPIC PARTITION      -> "LOW HIGH"
 *   integ_kafka_admin SERVERS offsets GROUP TOPIC...          -> "TOPIC PARTITION COMMITTED" lines
 *   integ_kafka_admin SERVERS commit-time TOPIC PARTITION OFFSET -> ts_us, or "none"
 *   integ_kafka_admin SERVERS groups                          -> the groups the broker knows
 *
 * SERVERS is kafka.bootstrap.servers.  A failure prints the error on
 * stdout as "error: MSG" and exits 1.  Every run prints "elapsed MS" (the
 * call alone) on stderr, and TIMEOUT_MS in the environment sets the
 * timeout of the call (default 10000). */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binlogd/kafka_admin.h"

static long long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int usage(void)
{
    fprintf(stderr, "usage: integ_kafka_admin SERVERS partitions|watermarks|offsets|commit-time|"
                    "groups ARGS...\n");
    return 2;
}

/* Every consumer group the broker knows, with librdkafka's own admin API
 * (not the code under test): the throwaway group of the commit-time fetch
 * must not be among them. */
static int list_groups(const char *servers, int timeout_ms)
{
    char es[512];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    if (rd_kafka_conf_set(c, "bootstrap.servers", servers, es, sizeof es) != RD_KAFKA_CONF_OK) {
        printf("error: %s\n", es);
        rd_kafka_conf_destroy(c);
        return 1;
    }
    rd_kafka_conf_set(c, "log_level", "0", es, sizeof es);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, es, sizeof es);
    if (!rk) {
        printf("error: %s\n", es);
        return 1;
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_ListConsumerGroups(rk, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms);
    int rc = 1;
    if (!ev) {
        printf("error: ListConsumerGroups: no answer\n");
    } else if (rd_kafka_event_error(ev)) {
        printf("error: ListConsumerGroups: %s\n", rd_kafka_event_error_string(ev));
    } else {
        const rd_kafka_ListConsumerGroups_result_t *r =
            rd_kafka_event_ListConsumerGroups_result(ev);
        size_t n = 0;
        const rd_kafka_ConsumerGroupListing_t **g = rd_kafka_ListConsumerGroups_result_valid(r, &n);
        for (size_t i = 0; i < n; i++)
            printf("%s\n", rd_kafka_ConsumerGroupListing_group_id(g[i]));
        rc = 0;
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3) return usage();
    const char *servers = argv[1], *cmd = argv[2];
    int timeout_ms = getenv("TIMEOUT_MS") ? atoi(getenv("TIMEOUT_MS")) : 10000;
    if (strcmp(cmd, "groups") == 0) return list_groups(servers, timeout_ms);

    const char *conf[] = {"bootstrap.servers", servers,
                          /* what the daemon's [kafka] section holds:
                           * producer settings, left out by the admin */
                          "acks", "all", "enable.idempotence", "true", "linger.ms", "5",
                          "compression.type", "lz4"};
    bd_err err = {0};
    bd_kafka_admin *k = bd_kafka_admin_new(conf, sizeof conf / sizeof conf[0] / 2, &err);
    if (!k) {
        printf("error: %s\n", err.msg);
        return 1;
    }
    long long t0 = ms_now();
    int rc = -1;
    if (strcmp(cmd, "partitions") == 0 && argc == 4) {
        rc = bd_kafka_admin_partitions(k, argv[3], timeout_ms, &err);
        if (rc >= 0) printf("%d\n", rc);
    } else if (strcmp(cmd, "watermarks") == 0 && argc == 5) {
        int64_t low = -2, high = -2;
        rc = bd_kafka_admin_watermarks(k, argv[3], atoi(argv[4]), &low, &high, timeout_ms, &err);
        if (rc == 0) printf("%lld %lld\n", (long long)low, (long long)high);
    } else if (strcmp(cmd, "offsets") == 0 && argc >= 5) {
        bd_group_offset out[64];
        rc = bd_kafka_admin_group_offsets(k, argv[3], (const char *const *)argv + 4,
                                          (size_t)argc - 4, out, 64, timeout_ms, &err);
        for (int i = 0; i < rc; i++)
            printf("%s %d %lld\n", out[i].topic, (int)out[i].partition,
                   (long long)out[i].committed);
    } else if (strcmp(cmd, "commit-time") == 0 && argc == 6) {
        uint64_t us = 0;
        rc = bd_kafka_admin_commit_time(k, argv[3], atoi(argv[4]), atoll(argv[5]), &us, timeout_ms,
                                        &err);
        if (rc == 0) printf("%llu\n", (unsigned long long)us);
        if (rc == 1) printf("none\n");
    } else {
        bd_kafka_admin_free(k);
        return usage();
    }
    fprintf(stderr, "elapsed %lld\n", ms_now() - t0);
    if (rc < 0) printf("error: %s\n", err.msg);
    bd_kafka_admin_free(k);
    return rc < 0 ? 1 : 0;
}
