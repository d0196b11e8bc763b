/* kmock.h - librdkafka's in-process mock cluster on a handle of its own,
 * for the unit suites that test the producer and the Kafka sink: the test
 * keeps the handle, so it can break the cluster (request errors, brokers
 * down) under the code it tests. */
#ifndef BINLOGD_TESTS_KMOCK_H
#define BINLOGD_TESTS_KMOCK_H

#include <check.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

typedef struct mock {
    rd_kafka_t *rk;
    rd_kafka_mock_cluster_t *mc;
    const char *bootstraps;
} mock;

static inline void mock_quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk, (void)level, (void)fac, (void)buf;
}

static inline void mock_start(mock *m, int brokers)
{
    char es[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(c, mock_quiet);
    m->rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, es, sizeof es);
    ck_assert_msg(m->rk != NULL, "%s", es);
    m->mc = rd_kafka_mock_cluster_new(m->rk, brokers);
    ck_assert(m->mc != NULL);
    m->bootstraps = rd_kafka_mock_cluster_bootstraps(m->mc);
}

static inline void mock_stop(mock *m)
{
    rd_kafka_mock_cluster_destroy(m->mc);
    rd_kafka_destroy(m->rk);
}

#endif
