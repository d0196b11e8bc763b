/* tests/bench/peers/writer.c - the steady-state load of tests/bench/peers.sh.
 *
 *   writer HOST PORT USER PASSWORD DB TABLE RATE SECONDS FIRST_ID
 *
 * Commits RATE transactions a second for SECONDS seconds on one connection,
 * each a single autocommitted INSERT of 1 to 5 rows into TABLE (the shape
 * of tests/bench/decode.sh's account-flow table) with ids from FIRST_ID up.
 * Every row's updated_at is NOW(6), the commit-ish time in microseconds the
 * latency is measured from.  Transactions are due on a fixed schedule
 * (t0 + i / RATE), not paced by the previous one, so a slow commit does not
 * lower the rate (it is caught up at once; the summary says how many were
 * late by more than a millisecond).  Prints one line: transactions, rows,
 * seconds, achieved rate, late count.  Exit 1 on any error. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double ts(const struct timespec *t) { return (double)t->tv_sec + t->tv_nsec / 1e9; }

int main(int argc, char **argv)
{
    if (argc != 10) {
        fprintf(stderr, "usage: writer HOST PORT USER PASSWORD DB TABLE RATE SECONDS FIRST_ID\n");
        return 2;
    }
    const char *table = argv[6];
    long rate = atol(argv[7]), secs = atol(argv[8]);
    unsigned long long id = strtoull(argv[9], NULL, 10);
    if (rate <= 0 || secs <= 0) {
        fprintf(stderr, "writer: RATE and SECONDS must be positive\n");
        return 2;
    }
    MYSQL *db = mysql_init(NULL);
    if (!db || !mysql_real_connect(db, argv[1], argv[3], argv[4], argv[5], (unsigned)atoi(argv[2]), NULL, 0)) {
        fprintf(stderr, "writer: connect: %s\n", db ? mysql_error(db) : "out of memory");
        return 1;
    }
    /* a fixed seed: every run writes the same sizes */
    unsigned seed = 7;
    long total = rate * secs, late = 0, rows = 0;
    char sql[4096];
    struct timespec t0, due, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < total; i++) {
        long long ns = (long long)t0.tv_nsec + i * 1000000000LL / rate;
        due.tv_sec = t0.tv_sec + (time_t)(ns / 1000000000LL);
        due.tv_nsec = (long)(ns % 1000000000LL);
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
            ;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (ts(&t) - ts(&due) > 0.001)
            late++;
        int n = 1 + (int)(rand_r(&seed) % 5), len;
        len = snprintf(sql, sizeof sql,
                       "INSERT INTO %s (id, merchant_id, counterparty_id, amount, fee, currency, status,"
                       " memo, created_at, updated_at, ext) VALUES ", table);
        for (int k = 0; k < n; k++, id++) {
            len += snprintf(sql + len, sizeof sql - (size_t)len,
                            "%s(%llu, %llu, %llu, %llu.%02llu, 0.%02llu, 'CNY', 'PENDING', '分账流水 %llu 对手方',"
                            " NOW(3), NOW(6), '{\"channel\": \"alipay\", \"live\": true}')",
                            k ? ", " : "", id, 100000 + id % 4347, 900000 + id % 97952,
                            id * 7919 % 1000000 / 100, id % 100, id % 50, id);
        }
        if (mysql_real_query(db, sql, (unsigned long)len) != 0) {
            fprintf(stderr, "writer: insert: %s\n", mysql_error(db));
            return 1;
        }
        rows += n;
    }
    clock_gettime(CLOCK_MONOTONIC, &t);
    double el = ts(&t) - ts(&t0);
    printf("%ld %ld %.3f %.1f %ld\n", total, rows, el, total / el, late);
    mysql_close(db);
    return 0;
}
