/* tests/bench/peers/latency.c - commit-to-acknowledge latency of
 * tests/bench/peers.sh.
 *
 *   kcat -C ... -f '%T\t%s\n' | latency [SINCE_US]
 *
 * Each input line is a message's Kafka timestamp in milliseconds (the
 * topic's LogAppendTime: when the broker appended it, i.e. acknowledged it
 * with acks=all on a one-broker cluster) and its value.  The value's first
 * "updated_at" field is the row's NOW(6) written by writer.c; binlogd's
 * "YYYY-MM-DD HH:MM:SS.ffffff" (UTC) and Debezium's ZonedTimestamp
 * "YYYY-MM-DDTHH:MM:SS.ffffffZ" are both read as UTC.  Rows committed
 * before SINCE_US (microseconds since the epoch; default 0: none) are left
 * out: the warm-up.
 * A line whose timestamp is "-" is stamped with the time it was read
 * instead: fed by a live consumer (kcat -u ... -f '-\t%s\n'), that is when
 * the row became visible to it (tests/bench/eos.sh, read_committed).
 * Prints: count p50 p99 p999 max, latencies in milliseconds. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cmp(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* "2026-11-27 22:50:01.123456" or with T and Z: microseconds since the epoch */
static int parse_ts(const char *s, long long *us)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int frac_len = 0;
    char sep;
    if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &sep,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 7)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    long long frac = 0;
    const char *p = s + 19;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9' && frac_len < 6; p++, frac_len++)
            frac = frac * 10 + (*p - '0');
    for (; frac_len < 6; frac_len++)
        frac *= 10;
    *us = (long long)timegm(&tm) * 1000000LL + frac;
    return 0;
}

static double pct(const long long *v, size_t n, double q)
{
    size_t i = (size_t)(q * (double)n);
    if (i >= n) i = n - 1;
    return v[i] / 1000.0;
}

int main(int argc, char **argv)
{
    long long since = argc > 1 ? strtoll(argv[1], NULL, 10) : 0;
    size_t n = 0, cap = 1 << 16;
    long long *commit = malloc(cap * sizeof *commit), *lat = malloc(cap * sizeof *lat);
    static char line[1 << 20];
    while (commit && lat && fgets(line, sizeof line, stdin)) {
        long long ms = strtoll(line, NULL, 10), us, seen_us;
        if (line[0] == '-') {
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            seen_us = (long long)now.tv_sec * 1000000LL + now.tv_nsec / 1000;
        } else {
            seen_us = ms * 1000;
        }
        const char *f = strstr(line, "\"updated_at\":\"");
        if (!f || parse_ts(f + 14, &us) != 0) continue;
        if (n == cap) {
            cap *= 2;
            commit = realloc(commit, cap * sizeof *commit);
            lat = realloc(lat, cap * sizeof *lat);
            if (!commit || !lat) break;
        }
        commit[n] = us;
        lat[n++] = seen_us - us;
    }
    if (!commit || !lat) {
        fprintf(stderr, "latency: out of memory\n");
        return 1;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (commit[i] >= since) lat[m++] = lat[i];
    if (m == 0) {
        fprintf(stderr, "latency: no rows with an updated_at\n");
        return 1;
    }
    qsort(lat, m, sizeof *lat, cmp);
    printf("%zu %.1f %.1f %.1f %.1f\n", m, pct(lat, m, 0.50), pct(lat, m, 0.99), pct(lat, m, 0.999),
           lat[m - 1] / 1000.0);
    return 0;
}
