/* test_lag.c - the lag tracker with an injected clock: the read stage is 0
 * only while a fresh head poll or heartbeat confirms the head, and grows
 * from the last confirmation or transaction when behind; acked and durable
 * lag follow the oldest transaction not past them, per source and per
 * table; a consumer group's lag comes from offsets and delivery samples;
 * distance to head, retention headroom; gate states (ready, not ready,
 * at risk, skewed, unknown before the first poll); MariaDB commit-time
 * refinement. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "binlogd/lag.h"
#include "testutil.h"

#define S 1000000LL /* µs in a second */
#define T0 (1795000000LL * S)

static bd_binlog_file files[] = {{"bin.000001", 1000}, {"bin.000002", 500}};

static bd_lag_report rep(bd_lag *l, int64_t now)
{
    bd_lag_report r;
    bd_lag_report_make(l, now, &r);
    return r;
}

START_TEST(read_stage_needs_a_fresh_head)
{
    bd_lag *l = bd_lag_new(T0 - 100 * S, 2 * S);
    /* no poll yet: the checkpoint's time bounds the watermark */
    bd_lag_report r = rep(l, T0);
    ck_assert_double_eq_tol(r.stage[BD_STAGE_READ].lag_s, 100, 1e-9);
    ck_assert(isinf(r.head_poll_age_s));
    bd_lag_report_release(&r);

    /* the reader is at the head the poll saw: 0 */
    bd_lag_read_pos(l, "bin.000002", 300, 0);
    bd_lag_head(l, "bin.000002", 300, files, 2, 0, T0);
    r = rep(l, T0 + S / 2);
    ck_assert_double_eq(r.stage[BD_STAGE_READ].lag_s, 0);
    ck_assert_double_eq(r.stage[BD_STAGE_ACKED].lag_s, 0);
    ck_assert_double_eq(r.distance_bytes[BD_STAGE_READ], 0);
    bd_lag_report_release(&r);

    /* no poll for longer than 'fresh': the lag grows from the confirmation */
    r = rep(l, T0 + 5 * S);
    ck_assert_double_eq_tol(r.stage[BD_STAGE_READ].lag_s, 5, 1e-9);
    bd_lag_report_release(&r);

    /* a poll sees the head beyond the reader: behind; the watermark is the
     * later of the last confirmation and the last transaction read */
    bd_lag_read_txn(l, 1, T0 + 1 * S);
    bd_lag_head(l, "bin.000002", 400, files, 2, 0, T0 + 5 * S);
    r = rep(l, T0 + 5 * S + S / 10);
    ck_assert_double_eq_tol(r.stage[BD_STAGE_READ].lag_s, 4.1, 1e-9);
    ck_assert_double_eq(r.distance_bytes[BD_STAGE_READ], 100);
    ck_assert_double_eq(r.distance_files[BD_STAGE_READ], 0);
    bd_lag_report_release(&r);

    /* the reader passes that head: confirmed as of the poll's time */
    bd_lag_read_pos(l, "bin.000002", 400, 0);
    r = rep(l, T0 + 6 * S);
    ck_assert_double_eq(r.stage[BD_STAGE_READ].lag_s, 0);
    bd_lag_report_release(&r);

    /* a server heartbeat confirms the head too */
    r = rep(l, T0 + 20 * S);
    ck_assert(r.stage[BD_STAGE_READ].lag_s > 10);
    bd_lag_report_release(&r);
    bd_lag_heartbeat(l, T0 + 20 * S);
    r = rep(l, T0 + 20 * S + 1);
    ck_assert_double_eq(r.stage[BD_STAGE_READ].lag_s, 0);
    bd_lag_report_release(&r);
    bd_lag_free(l);
}
END_TEST

/* a lag tracker at the head at T0 */
static bd_lag *at_head(void)
{
    bd_lag *l = bd_lag_new(T0, 3600 * S);
    bd_lag_read_pos(l, "bin.000002", 100, 0);
    bd_lag_head(l, "bin.000002", 100, files, 2, 0, T0);
    return l;
}

START_TEST(acked_and_durable_per_table)
{
    bd_lag *l = at_head();
    bd_lag_table *a = bd_lag_table_get(l, "pay", "flow", "s.pay.flow");
    bd_lag_table *b = bd_lag_table_get(l, "pay", "cp", "s.pay.cp");
    ck_assert_ptr_eq(bd_lag_table_get(l, "pay", "flow", NULL), a);
    ck_assert_ptr_eq(bd_lag_table_by_topic(l, "s.pay.cp"), b);
    /* txn 1 (flow) at T0+1, txn 2 (cp) at T0+2, both read */
    bd_lag_read_txn(l, 1, T0 + 1 * S);
    bd_lag_read_table(l, a, 1, T0 + 1 * S);
    bd_lag_read_txn(l, 2, T0 + 2 * S);
    bd_lag_read_table(l, b, 2, T0 + 2 * S);
    bd_lag_read_pos(l, "bin.000002", 300, 0);
    bd_lag_head(l, "bin.000002", 300, files, 2, 0, T0 + 2 * S);
    bd_lag_report r = rep(l, T0 + 10 * S);
    ck_assert_double_eq(r.stage[BD_STAGE_READ].lag_s, 0);
    ck_assert_double_eq_tol(r.stage[BD_STAGE_ACKED].lag_s, 9, 1e-9);
    ck_assert_double_eq_tol(r.stage[BD_STAGE_DURABLE].lag_s, 9, 1e-9);
    ck_assert_uint_eq(r.ntables, 2);
    ck_assert_str_eq(r.tables[0].table, "flow");
    ck_assert_double_eq_tol(r.tables[0].stage[BD_STAGE_ACKED].lag_s, 9, 1e-9);
    ck_assert_double_eq_tol(r.tables[1].stage[BD_STAGE_ACKED].lag_s, 8, 1e-9);
    bd_lag_report_release(&r);

    /* txn 1 acknowledged: flow is done, cp still waits */
    bd_lag_acked(l, 1, "bin.000002", 200);
    r = rep(l, T0 + 10 * S);
    ck_assert_double_eq(r.tables[0].stage[BD_STAGE_ACKED].lag_s, 0);
    ck_assert_double_eq_tol(r.tables[1].stage[BD_STAGE_ACKED].lag_s, 8, 1e-9);
    ck_assert_double_eq_tol(r.stage[BD_STAGE_ACKED].lag_s, 8, 1e-9);
    /* not durable yet */
    ck_assert_double_eq_tol(r.tables[0].stage[BD_STAGE_DURABLE].lag_s, 9, 1e-9);
    ck_assert_double_eq(r.distance_bytes[BD_STAGE_ACKED], 100);
    bd_lag_report_release(&r);

    bd_lag_acked(l, 2, "bin.000002", 300);
    bd_lag_durable(l, 2, "bin.000002", 300);
    r = rep(l, T0 + 10 * S);
    for (int s = 0; s < BD_NSTAGES; s++) {
        ck_assert_double_eq(r.stage[s].lag_s, 0);
        ck_assert_double_eq(r.tables[0].stage[s].lag_s, 0);
        ck_assert_double_eq(r.tables[1].stage[s].lag_s, 0);
    }
    bd_lag_report_release(&r);
    bd_lag_free(l);
}
END_TEST

START_TEST(merged_runs_keep_the_oldest_time)
{
    bd_lag *l = at_head();
    /* 1000 transactions 100 µs apart merge into few runs; acking half of
     * them leaves the lag of the oldest unacknowledged one, never younger */
    for (uint64_t i = 1; i <= 1000; i++)
        bd_lag_read_txn(l, i, T0 + (int64_t)i * 100);
    bd_lag_acked(l, 500, "bin.000002", 100);
    bd_lag_report r = rep(l, T0 + S);
    double truth = (double)(S - 501 * 100) / 1e6;
    ck_assert(r.stage[BD_STAGE_ACKED].lag_s >= truth);
    ck_assert(r.stage[BD_STAGE_ACKED].lag_s <= truth + 0.001 + 1e-9);
    bd_lag_report_release(&r);
    bd_lag_free(l);
}
END_TEST

START_TEST(consumer_lag_from_offsets)
{
    bd_lag *l = at_head();
    bd_lag_table *t = bd_lag_table_get(l, "pay", "cp", "s.pay.cp");
    for (int i = 0; i < 10; i++) {
        bd_lag_read_txn(l, (uint64_t)i + 1, T0 + i * S);
        bd_lag_read_table(l, t, (uint64_t)i + 1, T0 + i * S);
        bd_lag_delivered(l, t, 0, i, T0 + i * S);
    }
    bd_lag_acked(l, 10, "bin.000002", 100);
    int64_t at = 0;
    ck_assert_int_eq(bd_lag_offset_time(l, t, 0, 4, &at), 0);
    ck_assert_int_eq(at, T0 + 4 * S);
    ck_assert_int_eq(bd_lag_offset_time(l, t, 1, 4, &at), -1);

    bd_lag_consumer_report cr[4];
    ck_assert_uint_eq(bd_lag_consumer_report_make(l, "g", T0 + 20 * S, cr, 4), 0);
    /* the group read offsets 0..3: the oldest it has not is offset 4 */
    bd_lag_consumer(l, "g", t, 0, 4, 10, 0, T0 + 20 * S);
    ck_assert_uint_eq(bd_lag_consumer_report_make(l, "g", T0 + 20 * S, cr, 4), 1);
    ck_assert_str_eq(cr[0].table, "cp");
    ck_assert_double_eq_tol(cr[0].consumed.lag_s, 16, 1e-9);
    /* all consumed: the acked watermark (0 lag at head) */
    bd_lag_consumer(l, "g", t, 0, 10, 10, 0, T0 + 20 * S);
    bd_lag_read_pos(l, "bin.000002", 100, 0);
    bd_lag_head(l, "bin.000002", 100, files, 2, 0, T0 + 20 * S);
    ck_assert_uint_eq(bd_lag_consumer_report_make(l, "g", T0 + 20 * S, cr, 4), 1);
    ck_assert_double_eq(cr[0].consumed.lag_s, 0);
    /* an offset from before this process: the time the caller read */
    bd_lag_consumer(l, "g", t, 1, 0, 5, T0 - 30 * S, T0 + 20 * S);
    ck_assert_uint_eq(bd_lag_consumer_report_make(l, "g", T0 + 20 * S, cr, 4), 1);
    ck_assert_double_eq_tol(cr[0].consumed.lag_s, 50, 1e-9);
    bd_lag_free(l);
}
END_TEST

START_TEST(retention_headroom)
{
    bd_lag *l = at_head();
    bd_lag_report r = rep(l, T0);
    ck_assert(isinf(r.retention_headroom_s)); /* no expiry */
    bd_lag_report_release(&r);
    bd_lag_durable(l, 0, "bin.000001", 900);
    bd_lag_file_start(l, "bin.000001", T0 - 100 * S);
    bd_lag_file_start(l, "bin.000002", T0 - 10 * S);
    bd_lag_head(l, "bin.000002", 100, files, 2, 60, T0);
    /* bin.000001 ended when bin.000002 began, 10 s ago: 50 s left */
    r = rep(l, T0);
    ck_assert_double_eq_tol(r.retention_headroom_s, 50, 1e-9);
    ck_assert_double_eq(r.distance_files[BD_STAGE_DURABLE], 1);
    ck_assert_double_eq(r.distance_bytes[BD_STAGE_DURABLE], 200);
    bd_lag_report_release(&r);
    r = rep(l, T0 + 20 * S);
    ck_assert_double_eq_tol(r.retention_headroom_s, 30, 1e-9);
    bd_lag_report_release(&r);
    /* the checkpoint in the current file: at least the whole expiry */
    bd_lag_durable(l, 0, "bin.000002", 50);
    r = rep(l, T0 + 20 * S);
    ck_assert_double_eq(r.retention_headroom_s, 60);
    bd_lag_report_release(&r);
    bd_lag_free(l);
}
END_TEST

START_TEST(gate_states)
{
    bd_lag *l = at_head();
    bd_lag_table *f = bd_lag_table_get(l, "pay", "flow", "s.pay.flow");
    bd_lag_table *c = bd_lag_table_get(l, "pay", "cp", "s.pay.cp");
    char *tl[] = {"pay.flow", "pay.cp"};
    bd_gate_config g = {0};
    g.name = "statement";
    g.table_list = tl;
    g.ntables = 2;
    g.stage = BD_STAGE_OPT_ACKED;
    g.margin_s = 600;
    g.max_skew_s = 3;
    bd_err err = {0};
    bd_tz *utc = bd_tz_load("UTC", &err);
    ck_assert_ptr_nonnull(utc);
    /* cut-off 10 s after T0's time of day, the job 40 s after it */
    int64_t tod = (T0 / S) % 86400;
    g.cutoff_s = (int)((tod + 10) % 86400);
    g.job_start_s = (int)((tod + 40) % 86400);
    int64_t cut = T0 + 10 * S;

    /* cp has a change at T0+5 not acknowledged; flow is acknowledged */
    bd_lag_read_txn(l, 1, T0 + 5 * S);
    bd_lag_read_table(l, c, 1, T0 + 5 * S);
    bd_lag_read_txn(l, 2, T0 + 6 * S);
    bd_lag_read_table(l, f, 2, T0 + 6 * S);
    bd_lag_head(l, "bin.000002", 100, files, 2, 0, T0 + 15 * S);
    bd_gate_report gr;
    ck_assert_int_eq(bd_lag_gate(l, &g, utc, 0, T0 + 15 * S, &gr), 0);
    ck_assert_int_eq(gr.cutoff_us, cut);
    ck_assert_int_eq(gr.job_us, T0 + 40 * S);
    ck_assert(!gr.ready);
    ck_assert(gr.at_risk); /* job within the 10 min margin */
    ck_assert_str_eq(gr.state, "at_risk");
    ck_assert(!gr.tables[0].complete);
    ck_assert(!gr.tables[1].complete);
    ck_assert_int_eq(gr.tables[1].watermark_us, T0 + 5 * S);
    bd_gate_report_release(&gr);

    /* flow acknowledged (txn 2 is after 1: acked in order means both) */
    bd_lag_acked(l, 2, "bin.000002", 100);
    ck_assert_int_eq(bd_lag_gate(l, &g, utc, 0, T0 + 15 * S, &gr), 0);
    ck_assert(gr.ready);
    ck_assert_str_eq(gr.state, "ready");
    ck_assert(!gr.skewed);
    bd_gate_report_release(&gr);

    /* a consumer group that read flow but not cp: skewed and at risk */
    g.consumer_group = "stmt";
    ck_assert_int_eq(bd_lag_gate(l, &g, utc, 0, T0 + 15 * S, &gr), 0);
    ck_assert(gr.unknown); /* never polled: not ready, no alert */
    ck_assert(!gr.ready && !gr.at_risk && !gr.skewed);
    bd_gate_report_release(&gr);
    bd_lag_delivered(l, c, 0, 0, T0 + 5 * S);
    bd_lag_delivered(l, f, 0, 0, T0 + 6 * S);
    bd_lag_consumer(l, "stmt", f, 0, 1, 1, 0, T0 + 15 * S);
    bd_lag_consumer(l, "stmt", c, 0, 0, 1, 0, T0 + 15 * S);
    ck_assert_int_eq(bd_lag_gate(l, &g, utc, 0, T0 + 15 * S, &gr), 0);
    ck_assert(!gr.ready && gr.at_risk && gr.skewed);
    ck_assert_double_eq_tol(gr.skew_s, 10, 1e-9);
    bd_gate_report_release(&gr);
    /* an earlier cut-off asked for is complete */
    ck_assert_int_eq(bd_lag_gate(l, &g, utc, T0 + 4 * S, T0 + 15 * S, &gr), 0);
    ck_assert(gr.ready);
    bd_gate_report_release(&gr);
    /* caught up */
    bd_lag_consumer(l, "stmt", c, 0, 1, 1, 0, T0 + 16 * S);
    ck_assert_int_eq(bd_lag_gate(l, &g, utc, 0, T0 + 16 * S, &gr), 0);
    ck_assert(gr.ready && !gr.skewed && !gr.at_risk);
    bd_gate_report_release(&gr);
    bd_tz_free(utc);
    bd_lag_free(l);
}
END_TEST

START_TEST(commit_estimate)
{
    /* a whole second refined by the read time, never out of its second */
    ck_assert_int_eq(bd_lag_commit_estimate(T0, 0, T0 + 300000), T0 + 300000);
    ck_assert_int_eq(bd_lag_commit_estimate(T0, 0, T0 + 5 * S), T0 + 999999);
    ck_assert_int_eq(bd_lag_commit_estimate(T0, 0, T0 - 5), T0);
    ck_assert_int_eq(bd_lag_commit_estimate(T0 + 123, 1, T0 + 5 * S), T0 + 123);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("lag");
    TCase *t = tcase_create("lag");
    tcase_add_test(t, read_stage_needs_a_fresh_head);
    tcase_add_test(t, acked_and_durable_per_table);
    tcase_add_test(t, merged_runs_keep_the_oldest_time);
    tcase_add_test(t, consumer_lag_from_offsets);
    tcase_add_test(t, retention_headroom);
    tcase_add_test(t, gate_states);
    tcase_add_test(t, commit_estimate);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return tu_run(suite()) ? 1 : 0; }
