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
 * with libcurl, retried with exponential backoff (0.5 s doubling, never
 * more than 60 s apart; at most 'retries' times) on a transport error or a
 * status other than 2xx.
 * Firing alerts are also re-sent every 'repeat_s' seconds, as Alertmanager
 * expects (it resolves an alert it has not heard of for resolve_timeout).
 * A resolved alert is sent once with endsAt set.
 *
 * Sending never blocks the caller: the queue is bounded (oldest updates
 * of the same alert are merged; beyond 1024 distinct alerts the new one
 * is counted as failed and logged).  The 1024 count firing alerts too:
 * they stay queued for their repeats until they resolve.
 *
 * Each notification (one alert's state) is one POST; it counts as sent
 * once the webhook accepts it, or as failed once the retries are spent.
 * A state replaced by a newer one before it went out counts as neither.
 *
 * Messages name the URL without its userinfo, query and fragment (they
 * may hold a password or a token), the alert, and the HTTP status (with
 * the start of the response body) or libcurl's error.
 *
 * Threads: bd_alerter_update() and bd_alerter_counts() may be called from
 * any thread.  opts.log is called from the sending thread, and from the
 * caller of bd_alerter_update() for an alert it cannot queue; never with a
 * lock of this module held.
 * Ownership: every string is copied.
 */
#ifndef BINLOGD_ALERT_H
#define BINLOGD_ALERT_H

#include <stdint.h>

#include "binlogd/error.h"

typedef struct bd_alerter bd_alerter;

typedef struct bd_alerter_opts {
    const char *url;           /* the full URL to POST to; http:// or https:// */
    unsigned timeout_ms;       /* per request, connecting included; 0: 10 s */
    unsigned retries;          /* after the first attempt; 0: one attempt */
    double repeat_s;           /* firing alerts are sent again this often; <= 0: never */
    const char *generator_url; /* e.g. http://127.0.0.1:9175/status; NULL: none */
    /* messages about sending (level: syslog levels) */
    void (*log)(void *ctx, int level, const char *msg);
    void *ctx;
} bd_alerter_opts;

/* One alert.  labels: nlabels name/value pairs (labels[2*i], labels[2*i+1]);
 * alertname is required among them (an alert without one, or with text
 * that is not UTF-8, is counted as failed and logged).  Times are Unix µs,
 * sent as RFC 3339 UTC with microseconds.  starts_us <= 0: no startsAt
 * (Alertmanager takes the time it receives it); ends_us <= 0 on a resolved
 * alert: now.  summary, description: NULL leaves the annotation out. */
typedef struct bd_alert {
    const char *const *labels;
    unsigned nlabels;
    const char *summary, *description;
    int firing;        /* 1 firing, 0 resolved */
    int64_t starts_us; /* when it began firing */
    int64_t ends_us;   /* when it resolved (resolved only) */
} bd_alert;

/* Starts the sending thread.  NULL with err set when the URL is not
 * http(s) or the thread cannot start. */
bd_alerter *bd_alerter_new(const bd_alerter_opts *o, bd_err *err);
/* Tries to send what is queued and not yet delivered (no repeats) for up
 * to timeout_ms, retries included, then stops the thread and frees
 * everything.  A request still running at the deadline is abandoned; what
 * is left undelivered is counted as failed and logged.  NULL: nothing. */
void bd_alerter_free(bd_alerter *a, unsigned timeout_ms);

/* Queue the alert's new state (identified by its label set, in any
 * order); it replaces a state of the same alert not yet sent. */
void bd_alerter_update(bd_alerter *a, const bd_alert *al);

/* Notifications accepted by the webhook, and given up on. */
void bd_alerter_counts(bd_alerter *a, uint64_t *sent, uint64_t *failed);

#endif
