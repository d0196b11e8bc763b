/* alert.h - sending alerts to a webhook in Alertmanager's API format.
 *
 * The daemon decides which alerts fire (lag.h evaluates them); this
 * module only delivers: each change of an alert (firing, resolved) is
 * queued and POSTed by a thread of its own as a JSON array in the body
 * of Alertmanager's POST /api/v2/alerts:
 *   [{"labels":{"alertname":"...","severity":"...",...},
 *     "annotations":{"summary":"...","description":"..."},
 *     "startsAt":"RFC3339","endsAt":"RFC3339 (resolved only)",
 *     "generatorURL":"..."}]
 * with libcurl, retried with exponential backoff (0.5 s doubling, at most
 * 'retries' times) on a transport error or a status other than 2xx.
 * Firing alerts are also re-sent every 'repeat_s' seconds, as Alertmanager
 * expects (it resolves an alert it has not heard of for resolve_timeout).
 * A resolved alert is sent once with endsAt set.
 *
 * Sending never blocks the caller: the queue is bounded (oldest updates
 * of the same alert are merged; beyond 1024 distinct alerts the new one
 * is counted as failed and logged).
 *
 * Threads: bd_alerter_update() may be called from any thread.
 * Ownership: every string is copied.
 */
#ifndef BINLOGD_ALERT_H
#define BINLOGD_ALERT_H

#include <stdint.h>

#include "binlogd/error.h"

typedef struct bd_alerter bd_alerter;

typedef struct bd_alerter_opts {
    const char *url; /* the full URL to POST to */
    unsigned timeout_ms;
    unsigned retries;
    double repeat_s;
    const char *generator_url; /* e.g. http://127.0.0.1:9175/status; NULL: none */
    /* messages about sending (level: syslog levels) */
    void (*log)(void *ctx, int level, const char *msg);
    void *ctx;
} bd_alerter_opts;

/* One alert.  labels: nlabels name/value pairs (labels[2*i], labels[2*i+1]);
 * alertname is required among them.  Times are Unix µs. */
typedef struct bd_alert {
    const char *const *labels;
    unsigned nlabels;
    const char *summary, *description;
    int firing;         /* 1 firing, 0 resolved */
    int64_t starts_us;  /* when it began firing */
    int64_t ends_us;    /* when it resolved (resolved only) */
} bd_alert;

/* Starts the sending thread.  NULL with err set when the URL is not
 * http(s) or the thread cannot start. */
bd_alerter *bd_alerter_new(const bd_alerter_opts *o, bd_err *err);
/* Tries to send what is queued for up to timeout_ms, then stops the
 * thread and frees everything. */
void bd_alerter_free(bd_alerter *a, unsigned timeout_ms);

/* Queue the alert's new state (identified by its labels). */
void bd_alerter_update(bd_alerter *a, const bd_alert *al);

/* Notifications accepted by the webhook, and given up on. */
void bd_alerter_counts(bd_alerter *a, uint64_t *sent, uint64_t *failed);

#endif
