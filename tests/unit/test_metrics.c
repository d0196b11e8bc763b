/* test_metrics.c - the exposition of one metric table: HELP/TYPE lines,
 * labels in the table's order with \, " and newline escaped, values as
 * Prometheus spells them (integers plain, NaN, +Inf, Unix times to the µs),
 * and docs/metrics.md with every metric once. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "binlogd/metrics.h"
#include "testutil.h"

static char *text(void (*fill)(bd_buf *))
{
    bd_buf b = BD_BUF_INIT;
    fill(&b);
    ck_assert(!bd_buf_failed(&b));
    return bd_buf_detach(&b, NULL);
}

static void header(bd_buf *b) { bd_metrics_header(b, BD_M_LAG); }

START_TEST(metrics_header)
{
    char *t = text(header);
    ck_assert_str_eq(t, "# HELP binlogd_lag_seconds Age of the oldest change that has not passed "
                        "the stage (read, acked, durable); 0 at head\n"
                        "# TYPE binlogd_lag_seconds gauge\n");
    free(t);
    ck_assert_str_eq(bd_metric_name(BD_M_EVENTS), "binlogd_events_total");
}
END_TEST

static void samples(bd_buf *b)
{
    const char *stage[] = {"acked"};
    bd_metrics_sample(b, BD_M_LAG, stage, 0);
    bd_metrics_sample(b, BD_M_LAG, stage, 0.25);
    bd_metrics_sample(b, BD_M_LAG, stage, NAN);
    bd_metrics_sample(b, BD_M_RETENTION_HEADROOM, NULL, INFINITY);
    bd_metrics_sample(b, BD_M_WATERMARK, stage, 1795000000.123456);
    const char *tl[] = {"p\"ay", "a\\b\nc", "read"};
    bd_metrics_sample(b, BD_M_TABLE_LAG, tl, 12);
    bd_metrics_sample(b, BD_M_EVENTS, NULL, 18446744073.0);
}

START_TEST(metrics_samples)
{
    char *t = text(samples);
    ck_assert_str_eq(t, "binlogd_lag_seconds{stage=\"acked\"} 0\n"
                        "binlogd_lag_seconds{stage=\"acked\"} 0.25\n"
                        "binlogd_lag_seconds{stage=\"acked\"} NaN\n"
                        "binlogd_retention_headroom_seconds +Inf\n"
                        "binlogd_watermark_seconds{stage=\"acked\"} 1795000000.123456\n"
                        "binlogd_table_lag_seconds{db=\"p\\\"ay\",table=\"a\\\\b\\nc\","
                        "stage=\"read\"} 12\n"
                        "binlogd_events_total 18446744073\n");
    free(t);
}
END_TEST

/* The process_* figures of this very process, read from /proc. */
START_TEST(metrics_process_stats)
{
    /* burn a little CPU and hold one more descriptor, to see both move */
    bd_process_stats a, b;
    bd_process_stats_get(&a);
    volatile double x = 0;
    for (long i = 0; i < 30000000; i++)
        x += (double)i * 0.5;
    FILE *f = fopen("/proc/self/stat", "r");
    ck_assert_ptr_nonnull(f);
    bd_process_stats_get(&b);
    fclose(f);
    double now = (double)time(NULL);
    /* started before now, and not before this machine booted a year ago */
    ck_assert_msg(b.start_time_s <= now + 1 && b.start_time_s > now - 365 * 86400.0,
                  "start %f, now %f", b.start_time_s, now);
    ck_assert_msg(fabs(a.start_time_s - b.start_time_s) < 0.02, "start moved: %f %f",
                  a.start_time_s, b.start_time_s);
    ck_assert_msg(b.cpu_s > a.cpu_s && b.cpu_s > 0, "cpu %f -> %f", a.cpu_s, b.cpu_s);
    ck_assert_msg(b.rss_bytes > 100000 && b.rss_bytes < 1e11, "rss %f", b.rss_bytes);
    ck_assert_msg(b.open_fds >= 3 && b.open_fds == a.open_fds + 1, "fds %f -> %f", a.open_fds,
                  b.open_fds);
    struct rlimit rl;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur != RLIM_INFINITY) ck_assert(b.max_fds == (double)rl.rlim_cur);
    /* the exposition names them as Prometheus clients do */
    ck_assert_str_eq(bd_metric_name(BD_M_PROCESS_START), "process_start_time_seconds");
    ck_assert_str_eq(bd_metric_name(BD_M_PROCESS_CPU), "process_cpu_seconds_total");
    (void)x;
}
END_TEST

START_TEST(metrics_doc_lists_each_once)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    bd_metrics_doc(f);
    fclose(f);
    for (int m = 0; m < BD_M_COUNT; m++) {
        char row[128];
        snprintf(row, sizeof row, "| `%s` |", bd_metric_name((enum bd_metric)m));
        const char *at = strstr(buf, row);
        ck_assert_msg(at != NULL, "%s missing from the doc", row);
        ck_assert_msg(strstr(at + 1, row) == NULL, "%s twice in the doc", row);
    }
    free(buf);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *t = tcase_create("metrics");
    tcase_add_test(t, metrics_header);
    tcase_add_test(t, metrics_samples);
    tcase_add_test(t, metrics_doc_lists_each_once);
    tcase_add_test(t, metrics_process_stats);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return tu_run(suite()) ? 1 : 0; }
