/* test_acks.c - the ack tracker: the acknowledged position moves only over
 * a contiguous prefix of transactions that ended and whose every message
 * was delivered; a failed delivery holds it for good; GTID sets of both
 * flavours; file rotation; the ring's capacity and the in-flight limit as
 * backpressure; stop; many transactions through two threads; and the
 * transactional mode of exactly once (prospect, commit_through, pending). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "binlogd/acks.h"
#include "testutil.h"

#define U1 "396e294c-1ca4-11f1-9ae7-00155da79c6b"
#define U2 "55778904-0299-11f1-b1b8-4ef0c4956feb"

/* The position as a whole: file, pos, GTID text and the counters. */
typedef struct snap {
    bd_acks_pos p;
    char file[256];
    uint64_t pos;
    char gtid[512];
} snap;

static snap at(bd_acks *a)
{
    snap s;
    bd_buf g = BD_BUF_INIT;
    bd_acks_position(a, &s.p, s.file, sizeof s.file, &s.pos, &g);
    snprintf(s.gtid, sizeof s.gtid, "%s", g.ptr);
    bd_buf_release(&g);
    return s;
}

static bd_acks *new_ok(size_t cap, const char *file, uint64_t pos, enum bd_flavor fl,
                       const char *gtid)
{
    bd_err err = {0};
    bd_acks *a = bd_acks_new(cap, file, pos, fl, gtid, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    return a;
}

static bd_acks_txn *open_ok(bd_acks *a)
{
    bd_acks_txn *t = bd_acks_open(a);
    ck_assert_ptr_nonnull(t);
    return t;
}

static void close_ok(bd_acks *a, bd_acks_txn *t, const char *file, uint64_t pos, const char *gtid,
                     uint64_t commit_us)
{
    bd_err err = {0};
    ck_assert_msg(bd_acks_close(a, t, file, pos, gtid, commit_us, &err) == 0, "%s", err.msg);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Wait up to ms for *flag to become non-zero; its value. */
static int wait_flag(atomic_int *flag, long ms)
{
    for (long i = 0; i < ms && !atomic_load(flag); i++)
        sleep_ms(1);
    return atomic_load(flag);
}

/* Join th, failing the test rather than hanging when it does not end. */
static void join_within(pthread_t th, int seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += seconds;
    int r = pthread_timedjoin_np(th, NULL, &ts);
    ck_assert_msg(r == 0, "thread did not end within %d s", seconds);
}

START_TEST(acks_start_position)
{
    bd_acks *a = new_ok(4, "binlog.000007", 1234, BD_FLAVOR_MYSQL, U1 ":1-5");
    snap s = at(a);
    ck_assert_str_eq(s.file, "binlog.000007");
    ck_assert_uint_eq(s.pos, 1234);
    ck_assert_str_eq(s.gtid, U1 ":1-5");
    ck_assert_uint_eq(s.p.seq, 0);
    ck_assert_uint_eq(s.p.in_flight, 0);
    ck_assert_uint_eq(s.p.in_flight_bytes, 0);
    ck_assert_uint_eq(s.p.open_txns, 0);
    ck_assert_uint_eq(s.p.delivered, 0);
    ck_assert_uint_eq(s.p.failed, 0);
    ck_assert_uint_eq(s.p.commit_us, 0);
    ck_assert_int_eq(s.p.stuck, 0);
    /* gtid may be NULL: the rest is still filled */
    bd_acks_pos p;
    char f[8];
    uint64_t pos = 0;
    bd_acks_position(a, &p, f, sizeof f, &pos, NULL);
    ck_assert_str_eq(f, "binlog."); /* cut to the buffer, NUL-terminated */
    ck_assert_uint_eq(pos, 1234);
    bd_acks_free(a);

    /* no GTID known: an empty set */
    a = new_ok(1, "mysql-bin.000001", 4, BD_FLAVOR_MARIADB, "");
    s = at(a);
    ck_assert_str_eq(s.file, "mysql-bin.000001");
    ck_assert_uint_eq(s.pos, 4);
    ck_assert_str_eq(s.gtid, "");
    bd_acks_free(a);
    a = new_ok(1, "mysql-bin.000001", 4, BD_FLAVOR_MARIADB, NULL);
    ck_assert_str_eq(at(a).gtid, "");
    bd_acks_free(a);

    /* a start set that is not a GTID set is refused, saying so */
    bd_err err = {0};
    ck_assert_ptr_null(bd_acks_new(4, "b.000001", 4, BD_FLAVOR_MYSQL, "not-a-gtid", &err));
    ck_assert_msg(strstr(err.msg, "the checkpoint's GTID set: ") == err.msg, "%s", err.msg);
    ck_assert_ptr_null(bd_acks_new(4, "b.000001", 4, BD_FLAVOR_MARIADB, U1 ":1-5", &err));
    ck_assert_msg(strstr(err.msg, "the checkpoint's GTID set: ") == err.msg, "%s", err.msg);
}
END_TEST

START_TEST(acks_set_start_and_restart_at)
{
    bd_acks_pos p;
    char f[64];
    uint64_t pos;
    /* a fresh start: no position until the source says where it starts */
    bd_acks *a = new_ok(4, "", 0, BD_FLAVOR_MARIADB, "");
    bd_acks_position(a, &p, f, sizeof f, &pos, NULL);
    ck_assert_str_eq(f, "");
    ck_assert_uint_eq(p.seq, 0);
    bd_acks_set_start(a, "binlog.000003", 339, BD_FLAVOR_MARIADB, "0-1-77");
    bd_buf g = BD_BUF_INIT;
    bd_acks_position(a, &p, f, sizeof f, &pos, &g);
    ck_assert_str_eq(f, "binlog.000003");
    ck_assert_uint_eq(pos, 339);
    ck_assert_str_eq(g.ptr, "0-1-77"); /* the set before the start is known */
    ck_assert_uint_eq(p.seq, 1);       /* moved: a checkpoint is due */
    bd_buf_release(&g);
    /* once set (or moved), later calls (a reconnect) change nothing */
    bd_acks_set_start(a, "binlog.000004", 4, BD_FLAVOR_MARIADB, "0-1-99");
    bd_acks_position(a, &p, f, sizeof f, &pos, &g);
    ck_assert_str_eq(g.ptr, "0-1-77");
    bd_buf_release(&g);
    ck_assert_str_eq(f, "binlog.000003");
    ck_assert_uint_eq(pos, 339);
    /* a failover: the position moves to the new server's, or to "" */
    bd_acks_restart_at(a, "mariadb-bin.000001", 4);
    bd_acks_position(a, &p, f, sizeof f, &pos, NULL);
    ck_assert_str_eq(f, "mariadb-bin.000001");
    ck_assert_uint_eq(pos, 4);
    ck_assert_uint_eq(p.seq, 2);
    bd_acks_restart_at(a, "", 0);
    bd_acks_position(a, &p, f, sizeof f, &pos, NULL);
    ck_assert_str_eq(f, "");
    /* ... but not with transactions in flight */
    bd_acks_txn *t = open_ok(a);
    bd_acks_restart_at(a, "other.000001", 4);
    bd_acks_position(a, &p, f, sizeof f, &pos, NULL);
    ck_assert_str_eq(f, "");
    close_ok(a, t, "mariadb-bin.000001", 500, "0-2-9", 1);
    bd_acks_position(a, &p, f, sizeof f, &pos, NULL);
    ck_assert_str_eq(f, "mariadb-bin.000001");
    ck_assert_uint_eq(pos, 500);
    bd_acks_free(a);
    /* a start with a checkpoint ignores set_start */
    a = new_ok(4, "binlog.000009", 1000, BD_FLAVOR_MARIADB, "");
    bd_acks_set_start(a, "binlog.000010", 4, BD_FLAVOR_MARIADB, NULL);
    bd_acks_position(a, &p, f, sizeof f, &pos, NULL);
    ck_assert_str_eq(f, "binlog.000009");
    ck_assert_uint_eq(pos, 1000);
    ck_assert_uint_eq(p.seq, 0);
    bd_acks_free(a);
}
END_TEST

START_TEST(acks_wait_add_one_lock)
{
    bd_acks *a = new_ok(4, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-0");
    bd_acks_txn *t = open_ok(a);
    bd_acks_pos p;
    char f[64];
    uint64_t pos;
    /* below the limits: added at once */
    ck_assert_int_eq(bd_acks_wait_add(a, t, 100, 2, 1000), 0);
    ck_assert_int_eq(bd_acks_wait_add(a, t, 100, 2, 1000), 0);
    bd_acks_position(a, &p, f, sizeof f, &pos, NULL);
    ck_assert_uint_eq(p.in_flight, 2);
    ck_assert_uint_eq(p.in_flight_bytes, 200);
    /* at the limit it would wait; a stop makes it return 1 and add nothing */
    bd_acks_stop(a);
    ck_assert_int_eq(bd_acks_wait_add(a, t, 100, 2, 1000), 1);
    bd_acks_position(a, &p, f, sizeof f, &pos, NULL);
    ck_assert_uint_eq(p.in_flight, 2);
    ck_assert_uint_eq(p.in_flight_bytes, 200);
    /* the two added are delivered; the transaction retires as usual */
    bd_acks_delivered(a, t, 100, 1);
    bd_acks_delivered(a, t, 100, 1);
    close_ok(a, t, "binlog.000001", 900, NULL, 0);
    bd_acks_position(a, &p, f, sizeof f, &pos, NULL);
    ck_assert_uint_eq(pos, 900);
    ck_assert_uint_eq(p.in_flight, 0);
    ck_assert_uint_eq(p.delivered, 2);
    bd_acks_free(a);
}
END_TEST

START_TEST(acks_empty_txn_retires_at_close)
{
    bd_acks *a = new_ok(4, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-5");
    bd_acks_txn *t = open_ok(a);
    snap s = at(a);
    ck_assert_uint_eq(s.p.open_txns, 1);
    ck_assert_uint_eq(s.pos, 4);
    ck_assert_uint_eq(s.p.seq, 0);
    /* the file name given is copied: the caller's buffer may change */
    char name[32] = "binlog.000001";
    close_ok(a, t, name, 500, "0-1-6", 1700000000000001ull);
    memset(name, 'x', sizeof name - 1);
    s = at(a);
    ck_assert_str_eq(s.file, "binlog.000001");
    ck_assert_uint_eq(s.pos, 500);
    ck_assert_str_eq(s.gtid, "0-1-6");
    ck_assert_uint_eq(s.p.seq, 1);
    ck_assert_uint_eq(s.p.open_txns, 0);
    ck_assert_uint_eq(s.p.commit_us, 1700000000000001ull);
    ck_assert_uint_eq(s.p.delivered, 0);

    /* another one: seq grows again; no gtid (NULL or "") leaves the set */
    t = open_ok(a);
    close_ok(a, t, "binlog.000001", 800, NULL, 1700000000000002ull);
    s = at(a);
    ck_assert_uint_eq(s.pos, 800);
    ck_assert_uint_eq(s.p.seq, 2);
    ck_assert_str_eq(s.gtid, "0-1-6");
    ck_assert_uint_eq(s.p.commit_us, 1700000000000002ull);
    t = open_ok(a);
    close_ok(a, t, "binlog.000001", 900, "", 1700000000000003ull);
    s = at(a);
    ck_assert_uint_eq(s.pos, 900);
    ck_assert_uint_eq(s.p.seq, 3);
    ck_assert_str_eq(s.gtid, "0-1-6");
    bd_acks_free(a);
}
END_TEST

START_TEST(acks_out_of_order_prefix)
{
    bd_acks *a = new_ok(8, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-10");
    bd_acks_txn *t1 = open_ok(a);
    bd_acks_add(a, t1, 100);
    bd_acks_add(a, t1, 200);
    close_ok(a, t1, "binlog.000001", 1000, "0-1-11", 11);
    bd_acks_txn *t2 = open_ok(a);
    bd_acks_add(a, t2, 50);
    close_ok(a, t2, "binlog.000001", 2000, "0-1-12", 12);

    snap s = at(a);
    ck_assert_uint_eq(s.pos, 4);
    ck_assert_uint_eq(s.p.seq, 0);
    ck_assert_uint_eq(s.p.in_flight, 3);
    ck_assert_uint_eq(s.p.in_flight_bytes, 350);
    ck_assert_uint_eq(s.p.open_txns, 2);

    /* txn2 done first: txn1 still holds the position */
    bd_acks_delivered(a, t2, 50, 1);
    s = at(a);
    ck_assert_uint_eq(s.pos, 4);
    ck_assert_str_eq(s.gtid, "0-1-10");
    ck_assert_uint_eq(s.p.seq, 0);
    ck_assert_uint_eq(s.p.in_flight, 2);
    ck_assert_uint_eq(s.p.in_flight_bytes, 300);
    ck_assert_uint_eq(s.p.delivered, 1);
    ck_assert_uint_eq(s.p.open_txns, 2);

    /* half of txn1: still nothing */
    bd_acks_delivered(a, t1, 200, 1);
    s = at(a);
    ck_assert_uint_eq(s.pos, 4);
    ck_assert_uint_eq(s.p.seq, 0);
    ck_assert_uint_eq(s.p.in_flight, 1);
    ck_assert_uint_eq(s.p.in_flight_bytes, 100);

    /* the rest of txn1: both retire at once, to txn2's end */
    bd_acks_delivered(a, t1, 100, 1);
    s = at(a);
    ck_assert_str_eq(s.file, "binlog.000001");
    ck_assert_uint_eq(s.pos, 2000);
    ck_assert_str_eq(s.gtid, "0-1-12");
    ck_assert_uint_eq(s.p.commit_us, 12);
    ck_assert_uint_gt(s.p.seq, 0);
    ck_assert_uint_eq(s.p.in_flight, 0);
    ck_assert_uint_eq(s.p.in_flight_bytes, 0);
    ck_assert_uint_eq(s.p.open_txns, 0);
    ck_assert_uint_eq(s.p.delivered, 3);
    ck_assert_uint_eq(s.p.failed, 0);
    ck_assert_int_eq(s.p.stuck, 0);
    bd_acks_free(a);
}
END_TEST

START_TEST(acks_delivered_before_close)
{
    /* every message delivered while the transaction is still open: it
     * must not retire before its end is known */
    bd_acks *a = new_ok(4, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-0");
    bd_acks_txn *t = open_ok(a);
    bd_acks_add(a, t, 10);
    bd_acks_delivered(a, t, 10, 1);
    snap s = at(a);
    ck_assert_uint_eq(s.pos, 4);
    ck_assert_uint_eq(s.p.seq, 0);
    ck_assert_uint_eq(s.p.open_txns, 1);
    ck_assert_uint_eq(s.p.delivered, 1);
    ck_assert_uint_eq(s.p.in_flight, 0);
    bd_acks_add(a, t, 20);
    bd_acks_delivered(a, t, 20, 1);
    close_ok(a, t, "binlog.000001", 300, "0-1-1", 5);
    s = at(a);
    ck_assert_uint_eq(s.pos, 300);
    ck_assert_str_eq(s.gtid, "0-1-1");
    ck_assert_uint_eq(s.p.seq, 1);
    ck_assert_uint_eq(s.p.open_txns, 0);
    ck_assert_uint_eq(s.p.delivered, 2);
    bd_acks_free(a);
}
END_TEST

START_TEST(acks_failure_sticks)
{
    bd_acks *a = new_ok(3, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-1");
    bd_acks_txn *t1 = open_ok(a);
    bd_acks_add(a, t1, 10);
    bd_acks_add(a, t1, 20);
    close_ok(a, t1, "binlog.000001", 100, "0-1-2", 2);
    bd_acks_delivered(a, t1, 10, 1);
    bd_acks_delivered(a, t1, 20, 0); /* given up on */
    snap s = at(a);
    ck_assert_uint_eq(s.pos, 4);
    ck_assert_str_eq(s.gtid, "0-1-1");
    ck_assert_int_eq(s.p.stuck, 1);
    ck_assert_uint_eq(s.p.failed, 1);
    ck_assert_uint_eq(s.p.delivered, 1);
    ck_assert_uint_eq(s.p.in_flight, 0);
    ck_assert_uint_eq(s.p.in_flight_bytes, 0);
    ck_assert_uint_eq(s.p.open_txns, 1);
    uint64_t seq = s.p.seq;

    /* later transactions complete: the position never passes txn1 */
    bd_acks_txn *t2 = open_ok(a);
    bd_acks_add(a, t2, 5);
    close_ok(a, t2, "binlog.000001", 200, "0-1-3", 3);
    bd_acks_delivered(a, t2, 5, 1);
    bd_acks_txn *t3 = open_ok(a);
    close_ok(a, t3, "binlog.000001", 300, "0-1-4", 4); /* empty */
    s = at(a);
    ck_assert_uint_eq(s.pos, 4);
    ck_assert_str_eq(s.file, "binlog.000001");
    ck_assert_str_eq(s.gtid, "0-1-1");
    ck_assert_uint_eq(s.p.seq, seq);
    ck_assert_int_eq(s.p.stuck, 1);
    ck_assert_uint_eq(s.p.failed, 1);
    ck_assert_uint_eq(s.p.delivered, 2);
    ck_assert_uint_eq(s.p.open_txns, 3);
    ck_assert_uint_eq(s.p.commit_us, 0);

    /* the ring is full of records that never retire: open returns NULL
     * only once stopped */
    bd_acks_stop(a);
    ck_assert_ptr_null(bd_acks_open(a));
    bd_acks_free(a);
}
END_TEST

START_TEST(acks_failure_after_done_prefix)
{
    /* txn2 fails while txn1 is still pending: txn1 may still retire, the
     * position stops right before txn2 */
    bd_acks *a = new_ok(4, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-0");
    bd_acks_txn *t1 = open_ok(a);
    bd_acks_add(a, t1, 1);
    close_ok(a, t1, "binlog.000001", 100, "0-1-1", 1);
    bd_acks_txn *t2 = open_ok(a);
    bd_acks_add(a, t2, 2);
    close_ok(a, t2, "binlog.000001", 200, "0-1-2", 2);
    bd_acks_txn *t3 = open_ok(a);
    bd_acks_add(a, t3, 3);
    close_ok(a, t3, "binlog.000001", 300, "0-1-3", 3);
    bd_acks_delivered(a, t2, 2, 0);
    bd_acks_delivered(a, t3, 3, 1);
    snap s = at(a);
    ck_assert_uint_eq(s.pos, 4);
    ck_assert_uint_eq(s.p.failed, 1);
    bd_acks_delivered(a, t1, 1, 1);
    s = at(a);
    ck_assert_uint_eq(s.pos, 100);
    ck_assert_str_eq(s.gtid, "0-1-1");
    ck_assert_int_eq(s.p.stuck, 1);
    ck_assert_uint_eq(s.p.open_txns, 2);
    ck_assert_uint_eq(s.p.delivered, 2);
    ck_assert_uint_eq(s.p.failed, 1);
    ck_assert_uint_eq(s.p.in_flight, 0);
    bd_acks_free(a);
}
END_TEST

START_TEST(acks_unadd)
{
    bd_acks *a = new_ok(4, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-0");
    /* two messages, the second skipped before sending */
    bd_acks_txn *t = open_ok(a);
    bd_acks_add(a, t, 100);
    bd_acks_add(a, t, 5000);
    bd_acks_unadd(a, t, 5000);
    snap s = at(a);
    ck_assert_uint_eq(s.p.in_flight, 1);
    ck_assert_uint_eq(s.p.in_flight_bytes, 100);
    close_ok(a, t, "binlog.000001", 100, "0-1-1", 1);
    ck_assert_uint_eq(at(a).pos, 4);
    bd_acks_delivered(a, t, 100, 1);
    s = at(a);
    ck_assert_uint_eq(s.pos, 100);
    ck_assert_uint_eq(s.p.delivered, 1);
    ck_assert_uint_eq(s.p.failed, 0);
    ck_assert_uint_eq(s.p.in_flight, 0);
    ck_assert_uint_eq(s.p.in_flight_bytes, 0);
    ck_assert_uint_eq(s.p.open_txns, 0);

    /* the only message skipped: the transaction retires at close */
    t = open_ok(a);
    bd_acks_add(a, t, 7000);
    bd_acks_unadd(a, t, 7000);
    close_ok(a, t, "binlog.000001", 200, "0-1-2", 2);
    s = at(a);
    ck_assert_uint_eq(s.pos, 200);
    ck_assert_str_eq(s.gtid, "0-1-2");
    ck_assert_uint_eq(s.p.in_flight, 0);
    ck_assert_uint_eq(s.p.in_flight_bytes, 0);
    ck_assert_uint_eq(s.p.delivered, 1);
    ck_assert_uint_eq(s.p.open_txns, 0);

    /* a later transaction waiting on an earlier one with a skipped
     * message: the unadd of the earlier one retires both */
    bd_acks_txn *t1 = open_ok(a);
    bd_acks_add(a, t1, 10);
    close_ok(a, t1, "binlog.000001", 300, "0-1-3", 3);
    bd_acks_txn *t2 = open_ok(a);
    close_ok(a, t2, "binlog.000001", 400, "0-1-4", 4);
    ck_assert_uint_eq(at(a).pos, 200);
    bd_acks_unadd(a, t1, 10);
    s = at(a);
    ck_assert_uint_eq(s.pos, 400);
    ck_assert_str_eq(s.gtid, "0-1-4");
    ck_assert_uint_eq(s.p.open_txns, 0);
    ck_assert_uint_eq(s.p.delivered, 1);
    bd_acks_free(a);
}
END_TEST

/* One transaction closed at file:pos with gtid, no messages. */
static void one(bd_acks *a, const char *file, uint64_t pos, const char *gtid)
{
    bd_acks_txn *t = open_ok(a);
    close_ok(a, t, file, pos, gtid, 0);
}

START_TEST(acks_gtid_mysql)
{
    bd_acks *a = new_ok(4, "binlog.000001", 4, BD_FLAVOR_MYSQL, U1 ":1-5");
    one(a, "binlog.000001", 100, U1 ":6");
    ck_assert_str_eq(at(a).gtid, U1 ":1-6");
    one(a, "binlog.000001", 200, U1 ":7");
    snap s = at(a);
    ck_assert_str_eq(s.gtid, U1 ":1-7");
    ck_assert_uint_eq(s.pos, 200);
    /* another flavour's GTID: the set stays, file:pos moves */
    one(a, "binlog.000001", 300, "0-1-8");
    s = at(a);
    ck_assert_str_eq(s.gtid, U1 ":1-7");
    ck_assert_uint_eq(s.pos, 300);
    /* garbage likewise */
    one(a, "binlog.000001", 350, "junk");
    s = at(a);
    ck_assert_str_eq(s.gtid, U1 ":1-7");
    ck_assert_uint_eq(s.pos, 350);
    /* a tagged GTID (MySQL 8.3+) goes into the set */
    one(a, "binlog.000001", 400, U1 ":mytag:1");
    s = at(a);
    ck_assert_str_eq(s.gtid, U1 ":1-7:mytag:1");
    ck_assert_uint_eq(s.pos, 400);
    bd_acks_free(a);

    /* no start set: what came before is unknown, so no set is reported
     * (a set of only the transactions seen would mislead a failover) */
    a = new_ok(4, "binlog.000001", 4, BD_FLAVOR_MYSQL, "");
    one(a, "binlog.000001", 100, U1 ":9");
    ck_assert_str_eq(at(a).gtid, "");
    ck_assert_uint_eq(at(a).pos, 100);
    /* ... until a file's PREVIOUS_GTIDS passes: complete from there on */
    bd_err err = {0};
    bd_acks_txn *b = open_ok(a);
    const char *prev = U1 ":1-9";
    ck_assert_int_eq(
        bd_acks_close_base(a, b, "binlog.000002", 155, BD_FLAVOR_MYSQL, prev, strlen(prev), &err),
        0);
    ck_assert_str_eq(at(a).gtid, U1 ":1-9");
    ck_assert_str_eq(at(a).file, "binlog.000002");
    ck_assert_uint_eq(at(a).pos, 155);
    one(a, "binlog.000002", 400, U1 ":10");
    ck_assert_str_eq(at(a).gtid, U1 ":1-10");
    /* a later file start does not replace a known set */
    b = open_ok(a);
    const char *later = U1 ":1-10," U2 ":1-3";
    ck_assert_int_eq(
        bd_acks_close_base(a, b, "binlog.000003", 155, BD_FLAVOR_MYSQL, later, strlen(later), &err),
        0);
    ck_assert_str_eq(at(a).gtid, U1 ":1-10");
    bd_acks_free(a);
    /* a base that is not delivered yet waits its turn like any record */
    a = new_ok(4, "binlog.000001", 4, BD_FLAVOR_MARIADB, "");
    bd_acks_txn *t = open_ok(a);
    bd_acks_add(a, t, 5);
    close_ok(a, t, "binlog.000001", 500, "0-1-7", 1);
    b = open_ok(a);
    ck_assert_int_eq(
        bd_acks_close_base(a, b, "binlog.000002", 300, BD_FLAVOR_MARIADB, "0-1-7", 5, &err), 0);
    ck_assert_str_eq(at(a).gtid, "");
    ck_assert_uint_eq(at(a).pos, 4);
    bd_acks_delivered(a, t, 5, 1);
    ck_assert_str_eq(at(a).gtid, "0-1-7");
    ck_assert_str_eq(at(a).file, "binlog.000002");
    bd_acks_free(a);
}
END_TEST

START_TEST(acks_gtid_mariadb)
{
    bd_acks *a = new_ok(4, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-5");
    one(a, "binlog.000001", 100, "0-1-6");
    snap s = at(a);
    ck_assert_str_eq(s.gtid, "0-1-6");
    ck_assert_uint_eq(s.pos, 100);
    /* another domain joins; domains in ascending order */
    one(a, "binlog.000001", 200, "3-2-40");
    ck_assert_str_eq(at(a).gtid, "0-1-6,3-2-40");
    one(a, "binlog.000001", 300, "0-2-7");
    ck_assert_str_eq(at(a).gtid, "0-2-7,3-2-40");
    /* another flavour's GTID: the set stays, file:pos moves */
    one(a, "binlog.000001", 400, U1 ":8");
    s = at(a);
    ck_assert_str_eq(s.gtid, "0-2-7,3-2-40");
    ck_assert_uint_eq(s.pos, 400);
    bd_acks_free(a);

    /* a start set with several domains */
    a = new_ok(4, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-5,1-2-3");
    one(a, "binlog.000001", 100, "1-2-4");
    ck_assert_str_eq(at(a).gtid, "0-1-5,1-2-4");
    bd_acks_free(a);
}
END_TEST

START_TEST(acks_rotate)
{
    bd_acks *a = new_ok(8, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-0");
    bd_acks_txn *t1 = open_ok(a);
    bd_acks_add(a, t1, 1);
    close_ok(a, t1, "binlog.000001", 900, "0-1-1", 1);
    bd_acks_txn *t2 = open_ok(a);
    bd_acks_add(a, t2, 1);
    close_ok(a, t2, "binlog.000002", 120, "0-1-2", 2);
    bd_acks_txn *t3 = open_ok(a);
    bd_acks_add(a, t3, 1);
    close_ok(a, t3, "binlog.000003", 80, "0-1-3", 3);

    bd_acks_delivered(a, t1, 1, 1);
    snap s = at(a);
    ck_assert_str_eq(s.file, "binlog.000001");
    ck_assert_uint_eq(s.pos, 900);
    bd_acks_delivered(a, t2, 1, 1);
    s = at(a);
    ck_assert_str_eq(s.file, "binlog.000002");
    ck_assert_uint_eq(s.pos, 120); /* smaller than before: a new file */
    bd_acks_delivered(a, t3, 1, 1);
    s = at(a);
    ck_assert_str_eq(s.file, "binlog.000003");
    ck_assert_uint_eq(s.pos, 80);
    ck_assert_str_eq(s.gtid, "0-1-3");

    /* many names: each one kept exact */
    char name[32];
    for (int i = 4; i < 200; i++) {
        snprintf(name, sizeof name, "binlog.%06d", i);
        one(a, name, (uint64_t)i * 10, NULL);
        s = at(a);
        ck_assert_str_eq(s.file, name);
        ck_assert_uint_eq(s.pos, (uint64_t)i * 10);
    }
    bd_acks_free(a);
}
END_TEST

START_TEST(acks_in_flight_counters)
{
    bd_acks *a = new_ok(8, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-0");
    bd_acks_txn *t1 = open_ok(a), *t2 = open_ok(a);
    bd_acks_add(a, t1, 10);
    bd_acks_add(a, t2, 20);
    bd_acks_add(a, t1, 30);
    bd_acks_add(a, t2, 0); /* an empty message counts as one */
    snap s = at(a);
    ck_assert_uint_eq(s.p.in_flight, 4);
    ck_assert_uint_eq(s.p.in_flight_bytes, 60);
    ck_assert_uint_eq(s.p.open_txns, 2);
    bd_acks_delivered(a, t2, 20, 1);
    s = at(a);
    ck_assert_uint_eq(s.p.in_flight, 3);
    ck_assert_uint_eq(s.p.in_flight_bytes, 40);
    bd_acks_delivered(a, t1, 30, 0);
    s = at(a);
    ck_assert_uint_eq(s.p.in_flight, 2);
    ck_assert_uint_eq(s.p.in_flight_bytes, 10);
    ck_assert_uint_eq(s.p.delivered, 1);
    ck_assert_uint_eq(s.p.failed, 1);
    bd_acks_delivered(a, t2, 0, 1);
    bd_acks_delivered(a, t1, 10, 1);
    s = at(a);
    ck_assert_uint_eq(s.p.in_flight, 0);
    ck_assert_uint_eq(s.p.in_flight_bytes, 0);
    ck_assert_uint_eq(s.p.delivered, 3);
    ck_assert_uint_eq(s.p.failed, 1);
    ck_assert_uint_eq(s.p.open_txns, 2); /* neither closed */
    /* large messages: 64-bit byte counts */
    bd_acks_txn *t3 = open_ok(a);
    bd_acks_add(a, t3, (size_t)3 << 30);
    bd_acks_add(a, t3, (size_t)3 << 30);
    s = at(a);
    ck_assert_uint_eq(s.p.in_flight_bytes, (uint64_t)6 << 30);
    ck_assert_uint_eq(s.p.open_txns, 3);
    bd_acks_free(a);
}
END_TEST

/* A helper thread: opens a record, or waits for room in flight. */
typedef struct helper {
    bd_acks *a;
    uint64_t max_msgs, max_bytes;
    atomic_int done;
    bd_acks_txn *t;
    int rc;
    uint64_t pos_seen; /* the acknowledged position right when it returned */
} helper;

static void *opener(void *arg)
{
    helper *h = arg;
    h->t = bd_acks_open(h->a);
    bd_acks_pos p;
    char f[64];
    bd_acks_position(h->a, &p, f, sizeof f, &h->pos_seen, NULL);
    atomic_store(&h->done, 1);
    return NULL;
}

static void *waiter(void *arg)
{
    helper *h = arg;
    h->rc = bd_acks_wait(h->a, h->max_msgs, h->max_bytes);
    bd_acks_pos p;
    char f[64];
    bd_acks_position(h->a, &p, f, sizeof f, &h->pos_seen, NULL);
    h->pos_seen = p.in_flight; /* for a waiter: in flight when it returned */
    atomic_store(&h->done, 1);
    return NULL;
}

START_TEST(acks_ring_full_blocks_open)
{
    bd_acks *a = new_ok(2, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-0");
    bd_acks_txn *t1 = open_ok(a);
    bd_acks_add(a, t1, 1);
    close_ok(a, t1, "binlog.000001", 100, "0-1-1", 1);
    bd_acks_txn *t2 = open_ok(a);
    bd_acks_add(a, t2, 1);
    close_ok(a, t2, "binlog.000001", 200, "0-1-2", 2);
    ck_assert_uint_eq(at(a).p.open_txns, 2);

    helper h = {.a = a};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, opener, &h), 0);
    sleep_ms(100);
    ck_assert_msg(!atomic_load(&h.done), "open did not wait for room");
    /* txn2 done: still no room, txn1 holds both */
    bd_acks_delivered(a, t2, 1, 1);
    sleep_ms(50);
    ck_assert_msg(!atomic_load(&h.done), "open got a record while the ring was full");
    /* txn1 done: both retire, the opener goes on */
    bd_acks_delivered(a, t1, 1, 1);
    ck_assert_msg(wait_flag(&h.done, 5000), "open still blocked after a record retired");
    join_within(th, 5);
    ck_assert_ptr_nonnull(h.t);
    ck_assert_uint_eq(h.pos_seen, 200); /* it returned after the retirement */
    snap s = at(a);
    ck_assert_uint_eq(s.p.open_txns, 1);
    ck_assert_uint_eq(s.pos, 200);
    /* the record it got works */
    bd_acks_add(a, h.t, 9);
    close_ok(a, h.t, "binlog.000001", 300, "0-1-3", 3);
    bd_acks_delivered(a, h.t, 9, 1);
    s = at(a);
    ck_assert_uint_eq(s.pos, 300);
    ck_assert_str_eq(s.gtid, "0-1-3");
    ck_assert_uint_eq(s.p.open_txns, 0);
    ck_assert_uint_eq(s.p.delivered, 3);
    bd_acks_free(a);
}
END_TEST

START_TEST(acks_ring_one_record)
{
    /* capacity 1 (and 0, taken as 1): one transaction at a time */
    for (size_t cap = 0; cap < 2; cap++) {
        bd_acks *a = new_ok(cap, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-0");
        for (uint64_t i = 1; i <= 5; i++) {
            bd_acks_txn *t = open_ok(a);
            bd_acks_add(a, t, 3);
            close_ok(a, t, "binlog.000001", 100 * i, NULL, i);
            bd_acks_delivered(a, t, 3, 1);
            ck_assert_uint_eq(at(a).pos, 100 * i);
        }
        bd_acks_txn *t = open_ok(a);
        helper h = {.a = a};
        pthread_t th;
        ck_assert_int_eq(pthread_create(&th, NULL, opener, &h), 0);
        sleep_ms(50);
        ck_assert_msg(!atomic_load(&h.done), "open did not wait (capacity %zu)", cap);
        close_ok(a, t, "binlog.000001", 600, NULL, 6);
        ck_assert(wait_flag(&h.done, 5000));
        join_within(th, 5);
        ck_assert_ptr_nonnull(h.t);
        ck_assert_uint_eq(h.pos_seen, 600);
        bd_acks_free(a);
    }
}
END_TEST

START_TEST(acks_wait_backpressure)
{
    bd_acks *a = new_ok(8, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-0");
    bd_acks_txn *t = open_ok(a);
    /* below the limits: at once */
    ck_assert_int_eq(bd_acks_wait(a, 1, 1), 0);
    bd_acks_add(a, t, 10);
    bd_acks_add(a, t, 10);
    ck_assert_int_eq(bd_acks_wait(a, 3, 1000), 0);
    bd_acks_add(a, t, 10);

    /* three in flight, limit three: blocks until one is delivered */
    helper h = {.a = a, .max_msgs = 3, .max_bytes = 1000};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, waiter, &h), 0);
    sleep_ms(100);
    ck_assert_msg(!atomic_load(&h.done), "wait returned with 3 in flight, max 3");
    bd_acks_delivered(a, t, 10, 1);
    ck_assert_msg(wait_flag(&h.done, 5000), "wait still blocked with 2 in flight, max 3");
    join_within(th, 5);
    ck_assert_int_eq(h.rc, 0);
    ck_assert_uint_eq(h.pos_seen, 2);

    /* bytes: 20 in flight, limit 15: blocks until below */
    bd_acks_txn *t2 = open_ok(a);
    bd_acks_add(a, t2, 5); /* 25 bytes now */
    helper hb = {.a = a, .max_msgs = 100, .max_bytes = 15};
    ck_assert_int_eq(pthread_create(&th, NULL, waiter, &hb), 0);
    sleep_ms(50);
    ck_assert(!atomic_load(&hb.done));
    bd_acks_delivered(a, t, 10, 1); /* 15: still not below */
    sleep_ms(50);
    ck_assert_msg(!atomic_load(&hb.done), "wait returned with 15 bytes in flight, max 15");
    bd_acks_delivered(a, t2, 5, 0); /* 10, even a failure counts down */
    ck_assert(wait_flag(&hb.done, 5000));
    join_within(th, 5);
    ck_assert_int_eq(hb.rc, 0);
    snap s = at(a);
    ck_assert_uint_eq(s.p.in_flight, 1);
    ck_assert_uint_eq(s.p.in_flight_bytes, 10);
    bd_acks_free(a);
}
END_TEST

START_TEST(acks_stop)
{
    /* a blocked open returns NULL */
    bd_acks *a = new_ok(1, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-0");
    bd_acks_txn *t = open_ok(a);
    bd_acks_add(a, t, 10);
    helper ho = {.a = a};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, opener, &ho), 0);
    sleep_ms(50);
    ck_assert(!atomic_load(&ho.done));
    bd_acks_stop(a);
    ck_assert_msg(wait_flag(&ho.done, 5000), "stop did not wake open");
    join_within(th, 5);
    ck_assert_ptr_null(ho.t);
    /* from now on at once */
    ck_assert_ptr_null(bd_acks_open(a));
    ck_assert_int_eq(bd_acks_wait(a, 1, 1), 1);
    ck_assert_int_eq(bd_acks_wait(a, 100, 1000), 1);
    /* the position stays readable and deliveries still count */
    bd_acks_delivered(a, t, 10, 1);
    snap s = at(a);
    ck_assert_uint_eq(s.p.delivered, 1);
    ck_assert_uint_eq(s.p.in_flight, 0);
    ck_assert_uint_eq(s.pos, 4);
    bd_acks_free(a);

    /* a blocked wait returns 1 */
    a = new_ok(4, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-0");
    t = open_ok(a);
    bd_acks_add(a, t, 10);
    helper hw = {.a = a, .max_msgs = 1, .max_bytes = 1000};
    ck_assert_int_eq(pthread_create(&th, NULL, waiter, &hw), 0);
    sleep_ms(50);
    ck_assert(!atomic_load(&hw.done));
    bd_acks_stop(a);
    ck_assert_msg(wait_flag(&hw.done, 5000), "stop did not wake wait");
    join_within(th, 5);
    ck_assert_int_eq(hw.rc, 1);
    ck_assert_uint_eq(hw.pos_seen, 1);
    bd_acks_free(a);
}
END_TEST

START_TEST(acks_hold)
{
    bd_acks *a = new_ok(8, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-0");
    bd_acks_txn *t = open_ok(a);
    close_ok(a, t, "binlog.000001", 100, NULL, 1);
    /* held: open waits although the ring has room */
    bd_acks_hold(a, 1);
    helper h = {.a = a};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, opener, &h), 0);
    sleep_ms(100);
    ck_assert_msg(!atomic_load(&h.done), "open did not wait while held");
    /* wait is not held */
    ck_assert_int_eq(bd_acks_wait(a, 10, 10), 0);
    ck_assert_uint_eq(at(a).p.open_txns, 0);
    bd_acks_hold(a, 0);
    ck_assert_msg(wait_flag(&h.done, 5000), "open still blocked after release");
    join_within(th, 5);
    ck_assert_ptr_nonnull(h.t);
    close_ok(a, h.t, "binlog.000001", 200, NULL, 2);
    ck_assert_uint_eq(at(a).pos, 200);
    /* held then stopped: open returns NULL */
    bd_acks_hold(a, 1);
    helper h2 = {.a = a};
    ck_assert_int_eq(pthread_create(&th, NULL, opener, &h2), 0);
    sleep_ms(50);
    ck_assert(!atomic_load(&h2.done));
    bd_acks_stop(a);
    ck_assert_msg(wait_flag(&h2.done, 5000), "stop did not wake a held open");
    join_within(th, 5);
    ck_assert_ptr_null(h2.t);
    bd_acks_free(a);
}
END_TEST

/* Many transactions: a data thread opens, adds and closes through a ring
 * of 1024; a delivery thread delivers in batches, each in reverse order
 * (so across transactions out of order); the main thread watches the
 * position never pass an undelivered message. */
#define NTXN 100000
#define QCAP 8192

typedef struct msg {
    bd_acks_txn *t;
    uint32_t txn; /* 1..NTXN, 0 the end */
    uint32_t len;
} msg;

typedef struct stress {
    bd_acks *a;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    msg q[QCAP];
    size_t qhead, qcount;
    atomic_uint *remaining; /* per transaction: messages not yet delivered */
    uint64_t msgs;          /* produced */
    atomic_int errors;
    atomic_int producer_done;
} stress;

static void push(stress *s, msg m)
{
    pthread_mutex_lock(&s->mu);
    while (s->qcount == QCAP)
        pthread_cond_wait(&s->cv, &s->mu);
    s->q[(s->qhead + s->qcount) % QCAP] = m;
    if (s->qcount++ == 0) pthread_cond_broadcast(&s->cv); /* the deliverer waits on empty */
    pthread_mutex_unlock(&s->mu);
}

static void *producer(void *arg)
{
    stress *s = arg;
    char file[32], gtid[32];
    for (uint32_t i = 1; i <= NTXN; i++) {
        bd_acks_txn *t = bd_acks_open(s->a);
        if (!t) {
            atomic_fetch_add(&s->errors, 1);
            break;
        }
        unsigned n = i % 4; /* 0..3 messages; some transactions have none */
        atomic_store(&s->remaining[i], n);
        for (unsigned k = 0; k < n; k++) {
            if (bd_acks_wait(s->a, 2048, (uint64_t)1 << 40) != 0) atomic_fetch_add(&s->errors, 1);
            uint32_t len = 10 + (i + k) % 7;
            bd_acks_add(s->a, t, len);
            s->msgs++;
            push(s, (msg){t, i, len});
        }
        snprintf(file, sizeof file, "binlog.%06u", 1 + (i - 1) / 25000);
        snprintf(gtid, sizeof gtid, "0-1-%u", i);
        bd_err err;
        if (bd_acks_close(s->a, t, file, 100 + (uint64_t)i, gtid, i, &err) != 0)
            atomic_fetch_add(&s->errors, 1);
    }
    push(s, (msg){NULL, 0, 0});
    atomic_store(&s->producer_done, 1);
    return NULL;
}

static void *deliverer(void *arg)
{
    stress *s = arg;
    static msg batch[QCAP];
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->qcount)
            pthread_cond_wait(&s->cv, &s->mu);
        size_t n = s->qcount;
        for (size_t i = 0; i < n; i++)
            batch[i] = s->q[(s->qhead + i) % QCAP];
        s->qhead = (s->qhead + n) % QCAP;
        s->qcount = 0;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        int end = 0;
        for (size_t i = n; i-- > 0;) {
            if (!batch[i].t) {
                end = 1;
                continue;
            }
            /* counted down before the tracker hears of it: a position past
             * txn i then proves every message of i was delivered */
            atomic_fetch_sub(&s->remaining[batch[i].txn], 1);
            bd_acks_delivered(s->a, batch[i].t, batch[i].len, 1);
        }
        if (end) return NULL;
    }
}

START_TEST(acks_many_transactions)
{
    static stress s;
    memset(&s, 0, sizeof s);
    s.a = new_ok(1024, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-0");
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);
    s.remaining = calloc(NTXN + 1, sizeof *s.remaining);
    ck_assert_ptr_nonnull(s.remaining);

    pthread_t pt, dt;
    ck_assert_int_eq(pthread_create(&dt, NULL, deliverer, &s), 0);
    ck_assert_int_eq(pthread_create(&pt, NULL, producer, &s), 0);

    /* watch: the position only grows and never passes a transaction with
     * a message still undelivered */
    uint64_t last_pos = 4, last_seq = 0, checked = 0, samples = 0, max_open = 0;
    uint64_t passed_undelivered = 0; /* the first transaction passed too early */
    for (;;) {
        int finished = atomic_load(&s.producer_done);
        snap x = at(s.a);
        ck_assert_uint_ge(x.pos, last_pos);
        ck_assert_uint_ge(x.p.seq, last_seq);
        ck_assert_uint_le(x.p.open_txns, 1024);
        if (x.p.open_txns > max_open) max_open = x.p.open_txns;
        last_pos = x.pos;
        last_seq = x.p.seq;
        /* counted, asserted once: an assertion per transaction is slow
         * under valgrind */
        for (uint64_t j = checked + 1; j + 100 <= x.pos; j++)
            if (atomic_load(&s.remaining[j]) && !passed_undelivered) passed_undelivered = j;
        if (x.pos >= 100) checked = x.pos - 100;
        samples++;
        if (finished) break;
        sleep_ms(2);
    }
    ck_assert_msg(!passed_undelivered, "the position passed txn %llu with messages undelivered",
                  (unsigned long long)passed_undelivered);
    join_within(pt, 20);
    join_within(dt, 20);
    ck_assert_int_eq(atomic_load(&s.errors), 0);

    snap x = at(s.a);
    ck_assert_str_eq(x.file, "binlog.000004");
    ck_assert_uint_eq(x.pos, 100 + NTXN);
    ck_assert_str_eq(x.gtid, "0-1-100000");
    ck_assert_uint_eq(x.p.commit_us, NTXN);
    ck_assert_uint_eq(x.p.delivered, s.msgs);
    ck_assert_uint_eq(s.msgs, 150000); /* (0+1+2+3) per 4 transactions */
    ck_assert_uint_eq(x.p.failed, 0);
    ck_assert_uint_eq(x.p.in_flight, 0);
    ck_assert_uint_eq(x.p.in_flight_bytes, 0);
    ck_assert_uint_eq(x.p.open_txns, 0);
    ck_assert_int_eq(x.p.stuck, 0);
    ck_assert_uint_gt(x.p.seq, 0);
    ck_assert_uint_le(x.p.seq, NTXN);
    uint64_t left = 0;
    for (uint32_t j = 1; j <= NTXN; j++)
        left += atomic_load(&s.remaining[j]);
    ck_assert_uint_eq(left, 0);
    ck_assert_uint_gt(samples, 0);
    ck_assert_uint_gt(max_open, 0);

    free(s.remaining);
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.cv);
    bd_acks_free(s.a);
}
END_TEST

/* ---- exactly once: records retire only through a committed mark */

/* bd_acks_prospect that must succeed: its position, set and mark. */
typedef struct pros {
    uint64_t mark;
    char file[256];
    uint64_t pos, commit_us;
    char gtid[512];
} pros;

static pros prospect_ok(bd_acks *a)
{
    pros r;
    memset(&r, 0, sizeof r);
    bd_buf g = BD_BUF_INIT;
    bd_err err = {0};
    ck_assert_msg(
        bd_acks_prospect(a, &r.mark, r.file, sizeof r.file, &r.pos, &r.commit_us, &g, &err) == 0,
        "%s", err.msg);
    snprintf(r.gtid, sizeof r.gtid, "%s", g.ptr ? g.ptr : "");
    bd_buf_release(&g);
    return r;
}

/* bd_acks_prospect that must fail: -1, err set, nothing appended to the
 * GTID buffer. */
static void prospect_fails(bd_acks *a)
{
    uint64_t mark = 0, pos = 0, cu = 0;
    char file[64] = "";
    bd_buf g = BD_BUF_INIT;
    bd_err err = {0};
    ck_assert_int_eq(bd_acks_prospect(a, &mark, file, sizeof file, &pos, &cu, &g, &err), -1);
    ck_assert_str_ne(err.msg, "");
    ck_assert_uint_eq(g.len, 0);
    bd_buf_release(&g);
}

START_TEST(acks_txn_delivered_is_not_enough)
{
    bd_acks *a = new_ok(8, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-5");
    bd_acks_set_transactional(a);
    ck_assert_uint_eq(bd_acks_pending(a), 0);
    bd_acks_txn *t1 = open_ok(a);
    ck_assert_uint_eq(bd_acks_pending(a), 1);
    bd_acks_add(a, t1, 10);
    bd_acks_add(a, t1, 20);
    close_ok(a, t1, "binlog.000001", 100, "0-1-6", 1001);
    bd_acks_delivered(a, t1, 10, 1);
    bd_acks_delivered(a, t1, 20, 1);
    bd_acks_txn *t2 = open_ok(a);
    close_ok(a, t2, "binlog.000001", 200, "0-1-7", 1002); /* no messages at all */
    /* closed and delivered, yet not committed: the position stays */
    snap s = at(a);
    ck_assert_str_eq(s.file, "binlog.000001");
    ck_assert_uint_eq(s.pos, 4);
    ck_assert_str_eq(s.gtid, "0-1-5");
    ck_assert_uint_eq(s.p.seq, 0);
    ck_assert_uint_eq(s.p.retired, 0);
    ck_assert_uint_eq(s.p.open_txns, 2);
    ck_assert_uint_eq(s.p.delivered, 2);
    ck_assert_uint_eq(s.p.in_flight, 0);
    ck_assert_uint_eq(s.p.commit_us, 0);
    ck_assert_int_eq(s.p.stuck, 0);
    ck_assert_uint_eq(bd_acks_pending(a), 2);

    /* the prospect: where the position goes once both retire */
    pros r = prospect_ok(a);
    ck_assert_str_eq(r.file, "binlog.000001");
    ck_assert_uint_eq(r.pos, 200);
    ck_assert_uint_eq(r.commit_us, 1002);
    ck_assert_str_eq(r.gtid, "0-1-7");
    /* ... without moving the real one */
    s = at(a);
    ck_assert_uint_eq(s.pos, 4);
    ck_assert_str_eq(s.gtid, "0-1-5");
    ck_assert_uint_eq(s.p.seq, 0);
    ck_assert_uint_eq(bd_acks_pending(a), 2);
    /* asked again: the same */
    pros r2 = prospect_ok(a);
    ck_assert_uint_eq(r2.mark, r.mark);
    ck_assert_uint_eq(r2.pos, 200);
    ck_assert_str_eq(r2.gtid, "0-1-7");

    /* a record opened after the mark (the next Kafka transaction) */
    bd_acks_txn *t3 = open_ok(a);
    bd_acks_add(a, t3, 5);
    close_ok(a, t3, "binlog.000002", 300, "0-1-8", 1003);
    bd_acks_delivered(a, t3, 5, 1);
    ck_assert_uint_eq(bd_acks_pending(a), 3);

    /* the commit of the mark: exactly the prospect, t3 stays */
    bd_acks_commit_through(a, r.mark);
    s = at(a);
    ck_assert_str_eq(s.file, r.file);
    ck_assert_uint_eq(s.pos, r.pos);
    ck_assert_str_eq(s.gtid, r.gtid);
    ck_assert_uint_eq(s.p.commit_us, r.commit_us);
    ck_assert_uint_eq(s.p.retired, 2);
    ck_assert_uint_eq(s.p.open_txns, 1);
    ck_assert_uint_gt(s.p.seq, 0);
    ck_assert_uint_eq(bd_acks_pending(a), 1);
    uint64_t seq = s.p.seq;
    /* an older mark again changes nothing */
    bd_acks_commit_through(a, r.mark);
    bd_acks_commit_through(a, 0);
    s = at(a);
    ck_assert_uint_eq(s.pos, 200);
    ck_assert_uint_eq(s.p.seq, seq);
    ck_assert_uint_eq(bd_acks_pending(a), 1);

    /* the next prospect reaches t3; its commit retires it */
    r = prospect_ok(a);
    ck_assert_str_eq(r.file, "binlog.000002");
    ck_assert_uint_eq(r.pos, 300);
    ck_assert_uint_eq(r.commit_us, 1003);
    ck_assert_str_eq(r.gtid, "0-1-8");
    ck_assert_uint_eq(at(a).pos, 200);
    bd_acks_commit_through(a, r.mark);
    s = at(a);
    ck_assert_str_eq(s.file, "binlog.000002");
    ck_assert_uint_eq(s.pos, 300);
    ck_assert_str_eq(s.gtid, "0-1-8");
    ck_assert_uint_eq(s.p.retired, 3);
    ck_assert_uint_eq(s.p.open_txns, 0);
    ck_assert_uint_eq(bd_acks_pending(a), 0);

    /* nothing pending: the prospect is the position itself */
    r = prospect_ok(a);
    ck_assert_str_eq(r.file, "binlog.000002");
    ck_assert_uint_eq(r.pos, 300);
    ck_assert_str_eq(r.gtid, "0-1-8");
    ck_assert_uint_eq(r.commit_us, 1003);
    bd_acks_commit_through(a, r.mark);
    ck_assert_uint_eq(at(a).pos, 300);
    ck_assert_uint_eq(at(a).p.retired, 3);
    bd_acks_free(a);
}
END_TEST

/* A record whose messages are not all delivered at the commit (a commit
 * implies delivery, but the reports may come later) retires with its
 * last report. */
START_TEST(acks_txn_commit_before_reports)
{
    bd_acks *a = new_ok(4, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-5");
    bd_acks_set_transactional(a);
    bd_acks_txn *t = open_ok(a);
    bd_acks_add(a, t, 10);
    close_ok(a, t, "binlog.000001", 100, "0-1-6", 7);
    pros r = prospect_ok(a);
    ck_assert_uint_eq(r.pos, 100);
    bd_acks_commit_through(a, r.mark);
    ck_assert_uint_eq(at(a).pos, 4);
    ck_assert_uint_eq(bd_acks_pending(a), 1);
    bd_acks_delivered(a, t, 10, 1);
    snap s = at(a);
    ck_assert_uint_eq(s.pos, 100);
    ck_assert_str_eq(s.gtid, "0-1-6");
    ck_assert_uint_eq(bd_acks_pending(a), 0);
    bd_acks_free(a);
}
END_TEST

/* prospect fails while a record is open, or failed. */
START_TEST(acks_txn_prospect_fails)
{
    bd_acks *a = new_ok(4, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-5");
    bd_acks_set_transactional(a);
    bd_acks_txn *t1 = open_ok(a);
    bd_acks_add(a, t1, 10);
    bd_acks_delivered(a, t1, 10, 1);
    prospect_fails(a); /* open (inside a database transaction) */
    close_ok(a, t1, "binlog.000001", 100, "0-1-6", 1);
    pros r = prospect_ok(a);
    ck_assert_uint_eq(r.pos, 100);
    bd_acks_txn *t2 = open_ok(a);
    prospect_fails(a); /* the first is closed, the second open */
    close_ok(a, t2, "binlog.000001", 200, "0-1-7", 2);
    ck_assert_uint_eq(prospect_ok(a).pos, 200);
    /* a third whose message was given up on */
    bd_acks_txn *t3 = open_ok(a);
    bd_acks_add(a, t3, 10);
    close_ok(a, t3, "binlog.000001", 300, "0-1-8", 3);
    bd_acks_delivered(a, t3, 10, 0);
    prospect_fails(a);
    snap s = at(a);
    ck_assert_uint_eq(s.pos, 4);
    ck_assert_int_eq(s.p.stuck, 0); /* t1 heads the ring, and is fine */
    /* the earlier mark still commits what it covered, never past t3 */
    bd_acks_commit_through(a, r.mark);
    s = at(a);
    ck_assert_uint_eq(s.pos, 100);
    ck_assert_uint_eq(bd_acks_pending(a), 2);
    bd_acks_commit_through(a, UINT64_MAX - 1);
    s = at(a);
    ck_assert_uint_eq(s.pos, 200);
    ck_assert_int_eq(s.p.stuck, 1);
    ck_assert_uint_eq(bd_acks_pending(a), 1);
    prospect_fails(a);
    bd_acks_free(a);
}
END_TEST

/* The GTID set of a prospect: MariaDB and MySQL, from a start set or
 * from a file start (bd_acks_close_base) that makes it known. */
START_TEST(acks_txn_prospect_gtids)
{
    /* MariaDB: positions per domain */
    bd_acks *a = new_ok(8, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-5");
    bd_acks_set_transactional(a);
    one(a, "binlog.000001", 100, "0-1-6");
    one(a, "binlog.000001", 200, "2-3-9");
    pros r = prospect_ok(a);
    ck_assert_str_eq(r.gtid, "0-1-6,2-3-9");
    ck_assert_uint_eq(r.pos, 200);
    ck_assert_str_eq(at(a).gtid, "0-1-5");
    bd_acks_commit_through(a, r.mark);
    ck_assert_str_eq(at(a).gtid, "0-1-6,2-3-9");
    /* appended to what the buffer holds */
    bd_buf g = BD_BUF_INIT;
    bd_buf_adds(&g, "set=");
    uint64_t mark, pos, cu;
    char f[64];
    bd_err err = {0};
    ck_assert_int_eq(bd_acks_prospect(a, &mark, f, sizeof f, &pos, &cu, &g, &err), 0);
    ck_assert_str_eq(g.ptr, "set=0-1-6,2-3-9");
    bd_buf_release(&g);
    /* gtid may be NULL */
    ck_assert_int_eq(bd_acks_prospect(a, &mark, f, sizeof f, &pos, &cu, NULL, &err), 0);
    ck_assert_uint_eq(pos, 200);
    bd_acks_free(a);

    /* MySQL: a start set, then GTIDs of two servers */
    a = new_ok(8, "binlog.000001", 4, BD_FLAVOR_MYSQL, U1 ":1-5");
    bd_acks_set_transactional(a);
    one(a, "binlog.000001", 100, U1 ":6");
    one(a, "binlog.000001", 200, U2 ":1");
    one(a, "binlog.000001", 300, U1 ":7");
    r = prospect_ok(a);
    ck_assert_str_eq(r.gtid, U1 ":1-7," U2 ":1");
    ck_assert_uint_eq(r.pos, 300);
    ck_assert_str_eq(at(a).gtid, U1 ":1-5");
    ck_assert_uint_eq(at(a).pos, 4);
    bd_acks_commit_through(a, r.mark);
    ck_assert_str_eq(at(a).gtid, U1 ":1-7," U2 ":1");
    ck_assert_uint_eq(at(a).pos, 300);
    bd_acks_free(a);

    /* MySQL without a start set: unknown ("") until a file start's
     * PREVIOUS_GTIDS, complete from there on */
    a = new_ok(8, "binlog.000001", 4, BD_FLAVOR_MYSQL, "");
    bd_acks_set_transactional(a);
    one(a, "binlog.000001", 100, U1 ":9");
    r = prospect_ok(a);
    ck_assert_uint_eq(r.pos, 100);
    ck_assert_str_eq(r.gtid, "");
    bd_acks_txn *b = open_ok(a);
    const char *prev = U1 ":1-9";
    ck_assert_int_eq(
        bd_acks_close_base(a, b, "binlog.000002", 155, BD_FLAVOR_MYSQL, prev, strlen(prev), &err),
        0);
    one(a, "binlog.000002", 400, U1 ":10");
    r = prospect_ok(a);
    ck_assert_str_eq(r.file, "binlog.000002");
    ck_assert_uint_eq(r.pos, 400);
    ck_assert_str_eq(r.gtid, U1 ":1-10");
    /* the real position: neither moved nor known */
    snap s = at(a);
    ck_assert_str_eq(s.file, "binlog.000001");
    ck_assert_uint_eq(s.pos, 4);
    ck_assert_str_eq(s.gtid, "");
    ck_assert_uint_eq(bd_acks_pending(a), 3);
    bd_acks_commit_through(a, r.mark);
    s = at(a);
    ck_assert_str_eq(s.file, "binlog.000002");
    ck_assert_uint_eq(s.pos, 400);
    ck_assert_str_eq(s.gtid, U1 ":1-10");
    ck_assert_uint_eq(bd_acks_pending(a), 0);
    bd_acks_free(a);

    /* MariaDB without a start set: a GTID_LIST makes it known; a prospect
     * that ends on the base record itself */
    a = new_ok(8, "binlog.000001", 4, BD_FLAVOR_MARIADB, NULL);
    bd_acks_set_transactional(a);
    one(a, "binlog.000001", 100, "0-1-7");
    b = open_ok(a);
    ck_assert_int_eq(
        bd_acks_close_base(a, b, "binlog.000002", 300, BD_FLAVOR_MARIADB, "0-1-7,1-1-2", 11, &err),
        0);
    r = prospect_ok(a);
    ck_assert_str_eq(r.file, "binlog.000002");
    ck_assert_uint_eq(r.pos, 300);
    ck_assert_str_eq(r.gtid, "0-1-7,1-1-2");
    ck_assert_str_eq(at(a).gtid, "");
    bd_acks_commit_through(a, r.mark);
    s = at(a);
    ck_assert_str_eq(s.gtid, "0-1-7,1-1-2");
    ck_assert_str_eq(s.file, "binlog.000002");
    ck_assert_uint_eq(s.pos, 300);
    bd_acks_free(a);
}
END_TEST

/* Transactional mode turned on with records already in the ring: those
 * retire as before; only the ones opened after it wait for a commit. */
START_TEST(acks_txn_set_later)
{
    bd_acks *a = new_ok(8, "binlog.000001", 4, BD_FLAVOR_MARIADB, "0-1-5");
    bd_acks_txn *t1 = open_ok(a);
    bd_acks_add(a, t1, 1);
    bd_acks_set_transactional(a);
    bd_acks_txn *t2 = open_ok(a);
    bd_acks_add(a, t2, 1);
    close_ok(a, t1, "binlog.000001", 100, "0-1-6", 1);
    close_ok(a, t2, "binlog.000001", 200, "0-1-7", 2);
    bd_acks_delivered(a, t1, 1, 1);
    bd_acks_delivered(a, t2, 1, 1);
    snap s = at(a);
    ck_assert_uint_eq(s.pos, 100);
    ck_assert_str_eq(s.gtid, "0-1-6");
    ck_assert_uint_eq(bd_acks_pending(a), 1);
    pros r = prospect_ok(a);
    ck_assert_uint_eq(r.pos, 200);
    bd_acks_commit_through(a, r.mark);
    ck_assert_uint_eq(at(a).pos, 200);
    ck_assert_uint_eq(bd_acks_pending(a), 0);
    bd_acks_free(a);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("acks");
    TCase *t = tcase_create("acks");
    tcase_add_test(t, acks_start_position);
    tcase_add_test(t, acks_set_start_and_restart_at);
    tcase_add_test(t, acks_wait_add_one_lock);
    tcase_add_test(t, acks_empty_txn_retires_at_close);
    tcase_add_test(t, acks_out_of_order_prefix);
    tcase_add_test(t, acks_delivered_before_close);
    tcase_add_test(t, acks_failure_sticks);
    tcase_add_test(t, acks_failure_after_done_prefix);
    tcase_add_test(t, acks_unadd);
    tcase_add_test(t, acks_gtid_mysql);
    tcase_add_test(t, acks_gtid_mariadb);
    tcase_add_test(t, acks_rotate);
    tcase_add_test(t, acks_in_flight_counters);
    suite_add_tcase(s, t);
    TCase *x = tcase_create("transactional");
    tcase_add_test(x, acks_txn_delivered_is_not_enough);
    tcase_add_test(x, acks_txn_commit_before_reports);
    tcase_add_test(x, acks_txn_prospect_fails);
    tcase_add_test(x, acks_txn_prospect_gtids);
    tcase_add_test(x, acks_txn_set_later);
    suite_add_tcase(s, x);
    TCase *b = tcase_create("blocking");
    tcase_add_test(b, acks_ring_full_blocks_open);
    tcase_add_test(b, acks_ring_one_record);
    tcase_add_test(b, acks_wait_backpressure);
    tcase_add_test(b, acks_stop);
    tcase_add_test(b, acks_hold);
    suite_add_tcase(s, b);
    TCase *m = tcase_create("many");
    /* valgrind runs the two threads one at a time: room for that */
    tcase_set_timeout(m, 60);
    tcase_add_test(m, acks_many_transactions);
    suite_add_tcase(s, m);
    return s;
}

int main(void) { return tu_run(suite()) ? 1 : 0; }
