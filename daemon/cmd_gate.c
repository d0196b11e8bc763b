/* cmd_gate.c - `binlogd gate -c FILE NAME` or `binlogd gate --url URL
 * NAME`: ask the running daemon whether gate NAME is ready (GET
 * /gates/NAME on its [http] listen address, or at URL), or wait until it
 * is, and say so in the exit status so that a scheduler can hold a job
 * back (DESIGN.md §4, "Gates").  The config is read without its secrets
 * (bd_config_load_gates): a scheduler's user may not read them. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "binlogd/buf.h"
#include "binlogd/config.h"
#include "binlogd/tz.h"
#include "cli.h"
#include "client.h"
#include "commands.h"

/* The exit statuses; --help lists them. */
enum { EXIT_READY = 0, EXIT_ERROR = 1, EXIT_USAGE = 2, EXIT_NOT_READY = 3, EXIT_TIMEOUT = 4 };

/* One request may take this long; the daemon answers from memory. */
#define ASK_TIMEOUT_MS 5000L

static void gate_usage(FILE *f)
{
    fputs("usage: binlogd gate -c FILE NAME [--cutoff T] [--wait DURATION] [--interval D]\n"
          "                    [--quiet]\n"
          "       binlogd gate --url http://HOST:PORT NAME [options as above]\n"
          "\n"
          "Ask the running daemon whether gate NAME (a [gate NAME] section of FILE) is\n"
          "ready: whether its tables are complete to the cut-off.  The daemon is asked\n"
          "at FILE's [http] listen address (GET /gates/NAME; 0.0.0.0 and [::] are\n"
          "asked at 127.0.0.1 and [::1]), or at URL.  Prints the state, the cut-off\n"
          "and each table's watermark and lag.  FILE needs only [http] and the\n"
          "[gate NAME] sections; its secrets are not read, so a job runner's user\n"
          "that cannot read them can still ask.\n"
          "\n"
          "  -c, --config FILE   the daemon's config file (or a copy of its [http]\n"
          "                      and [gate NAME] sections)\n",
          f);
    fputs(CLIENT_URL_HELP, f);
    fputs("      --cutoff T      the cut-off to ask about instead of the gate's own:\n"
          "                      RFC 3339 (2026-11-27T00:00:00+08:00), a date and time\n"
          "                      in the gate's time zone (2026-11-27 00:00), a time of\n"
          "                      day (00:00: the latest one, now) or @UNIX_SECONDS;\n"
          "                      resolved once, when the command starts (with --url\n"
          "                      and no -c: by the daemon, at its first answer)\n"
          "      --wait D        ask again until the gate is ready, for at most D\n"
          "                      (30s, 5m, 1h, 500ms); an unreachable daemon is asked\n"
          "                      again too\n"
          "      --interval D    time between two questions while waiting (1s)\n"
          "      --quiet         print no summary (errors still go to stderr)\n",
          f);
    fputs(CLIENT_ACCESS_HELP, f);
    fputs("  -h, --help          show this help\n"
          "\n"
          "Exit status:\n"
          "  0  ready: every table is past the cut-off, the job may run (the state may\n"
          "     still say skewed: the tables differ beyond the cut-off)\n"
          "  1  error: the daemon could not be asked or gave an unexpected answer (with\n"
          "     --wait: the last question, at the end of the wait, failed so)\n"
          "  2  usage error: bad arguments, config file, unknown gate, or no [http]\n"
          "     listen address in FILE (nor --url)\n"
          "  3  not ready: a table is behind the cut-off (not_ready, at_risk, or skewed\n"
          "     with a table behind)\n"
          "  4  --wait ran out while the gate was not ready\n",
          f);
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "binlogd gate: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(binlogd gate --help tells more)\n");
    return EXIT_USAGE;
}

enum outcome { OUT_READY, OUT_NOT_READY, OUT_ERROR };

/* What one question gave. */
struct answer {
    enum outcome o;
    client_answer c; /* the HTTP answer; c.err says why for OUT_ERROR */
};

/* Ask url once; the outcome in a. */
static void ask(client *cl, const char *url, long timeout_ms, const char *name, struct answer *a)
{
    client_ask(cl, "GET", url, timeout_ms, &a->c);
    if (!a->c.reached) {
        a->o = OUT_ERROR;
    } else if (a->c.status == 200 || a->c.status == 503) {
        a->o = a->c.status == 200 ? OUT_READY : OUT_NOT_READY;
    } else {
        /* the first line of what came back tells why, usually */
        int l;
        const char *line = client_answer_line(&a->c, &l);
        a->o = OUT_ERROR;
        snprintf(a->c.err, sizeof a->c.err, "%s: the daemon answered HTTP %ld%s%.*s", url,
                 a->c.status, l ? ": " : "", l, line);
        if (a->c.status == 404) {
            size_t el = strlen(a->c.err);
            snprintf(a->c.err + el, sizeof a->c.err - el,
                     " (does the running daemon's config define [gate %s]? reload it)", name);
        }
    }
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The daemon's answer as lines: state, cut-off, each table. */
static void print_summary(const char *name, const struct answer *a)
{
    json_t *j = a->c.json;
    if (!j) {
        printf("gate %s: %s (HTTP %ld; the answer was not JSON)\n", name,
               a->o == OUT_READY ? "ready" : "not_ready", a->c.status);
        return;
    }
    const char *state = jstr(j, "state");
    printf("gate %s: %s", name, state ? state : a->o == OUT_READY ? "ready" : "not_ready");
    int risk = json_is_true(json_object_get(j, "at_risk")),
        skew = json_is_true(json_object_get(j, "skewed"));
    if (risk || skew)
        printf(" (%s%s%s)", risk ? "at risk" : "", risk && skew ? ", " : "", skew ? "skewed" : "");
    printf("\n");
    if (jstr(j, "cutoff")) printf("cutoff: %s\n", jstr(j, "cutoff"));
    if (jstr(j, "stage")) printf("stage: %s\n", jstr(j, "stage"));
    if (jstr(j, "consumer_group")) printf("consumer_group: %s\n", jstr(j, "consumer_group"));
    json_t *sk = json_object_get(j, "skew_s");
    if (json_is_number(sk)) printf("skew: %.3f s\n", json_number_value(sk));
    json_t *tables = json_object_get(j, "tables"), *t;
    size_t i;
    json_array_foreach(tables, i, t)
    {
        const char *tn = jstr(t, "table"), *wm = jstr(t, "watermark");
        json_t *lag = json_object_get(t, "lag_s"), *complete = json_object_get(t, "complete");
        printf("table %s: watermark %s", tn ? tn : "?", wm ? wm : "none");
        if (json_is_number(lag)) printf(", lag %.3f s", json_number_value(lag));
        if (json_is_boolean(complete))
            printf(", %s", json_is_true(complete) ? "complete" : "incomplete");
        if (json_is_true(json_object_get(t, "loading")))
            printf(" (a snapshot still loads its existing rows)");
        printf("\n");
    }
}

/* The gate called name in c, or NULL with the defined gates listed into list. */
static const bd_gate_config *find_gate(const bd_config *c, const char *name, bd_buf *list)
{
    for (size_t i = 0; i < c->ngates; i++)
        if (c->gates[i].name && !strcmp(c->gates[i].name, name)) return &c->gates[i];
    for (size_t i = 0; i < c->ngates; i++)
        bd_buf_addf(list, "%s%s", i ? ", " : "", c->gates[i].name ? c->gates[i].name : "?");
    return NULL;
}

enum { O_CUTOFF = 0x100, O_WAIT, O_INTERVAL, O_QUIET };

/* A cut-off the daemon resolved (pin: the URL of the gate without it):
 * the questions after the first ask about the same instant, as they do
 * when the command resolves it itself.  0, or -1 (left as it was). */
static int pin_cutoff(CURL *e, const char *pin, const struct answer *a, char *url, size_t n)
{
    const char *c = a->c.json ? jstr(a->c.json, "cutoff") : NULL;
    char *esc = c ? curl_easy_escape(e, c, 0) : NULL;
    int rc = -1;
    if (esc && (size_t)snprintf(url, n, "%s?cutoff=%s", pin, esc) < n) rc = 0;
    curl_free(esc);
    return rc;
}

/* Ask (and wait) with everything resolved, or with the cut-off left to the
 * daemon (pin: the URL without it); the exit status.  cl is set up for
 * TLS and authentication. */
static int run_gate(client *cl, const char *name, const char *url_in, const char *pin, int waiting,
                    double wait_s, double interval_s, int quiet)
{
    char url[1024];
    snprintf(url, sizeof url, "%s", url_in);
    if (client_open(cl, "binlogd-gate") < 0) return EXIT_ERROR;

    struct answer a = {OUT_ERROR, CLIENT_ANSWER_INIT};
    double deadline = client_now() + wait_s;
    int told = 0, rc;
    for (;;) {
        long tmo = ASK_TIMEOUT_MS;
        if (waiting) {
            /* a question does not outlast the wait by much */
            double left = deadline - client_now();
            if (left * 1000 < tmo) tmo = left * 1000 < 200 ? 200 : (long)(left * 1000);
        }
        ask(cl, url, tmo, name, &a);
        if (pin && a.o != OUT_ERROR && pin_cutoff(cl->e, pin, &a, url, sizeof url) == 0) pin = NULL;
        if (a.o == OUT_READY || !waiting) break;
        if (!told && !quiet) {
            fprintf(stderr, "binlogd gate: %s: %s; waiting\n", name,
                    a.o == OUT_ERROR          ? a.c.err
                    : jstr(a.c.json, "state") ? jstr(a.c.json, "state")
                                              : "not ready");
            told = 1;
        }
        double left = deadline - client_now();
        if (left <= 0) break;
        client_sleep(left < interval_s ? left : interval_s);
    }
    if (a.o == OUT_READY) {
        if (!quiet) print_summary(name, &a);
        rc = EXIT_READY;
    } else if (a.o == OUT_NOT_READY) {
        if (!quiet) print_summary(name, &a);
        if (waiting) {
            fprintf(stderr, "binlogd gate: %s: still not ready at the end of the wait\n", name);
            rc = EXIT_TIMEOUT;
        } else {
            rc = EXIT_NOT_READY;
        }
    } else {
        fprintf(stderr, "binlogd gate: %s%s\n", a.c.err,
                waiting ? " (the last question, at the end of the wait)" : "");
        rc = EXIT_ERROR;
    }
    if (!quiet && a.o != OUT_ERROR && !a.c.json)
        fprintf(stderr, "binlogd gate: %s: the answer was not JSON; the HTTP status decided\n",
                url);
    client_answer_release(&a.c);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "binlogd gate: writing to stdout failed\n");
        return EXIT_ERROR;
    }
    return rc;
}

int cmd_gate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"config", required_argument, NULL, 'c'},
        {"cutoff", required_argument, NULL, O_CUTOFF},
        {"wait", required_argument, NULL, O_WAIT},
        {"interval", required_argument, NULL, O_INTERVAL},
        {"quiet", no_argument, NULL, O_QUIET},
        CLIENT_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    const char *cfg_path = NULL, *cutoff = NULL;
    client_args ca = {0};
    double wait_s = 0, interval_s = 1;
    int waiting = 0, quiet = 0, c;
    optind = 1;
    while ((c = cli_getopt("gate", argc, argv, "hc:", opts)) != -1) {
        if (client_option(&ca, c, optarg)) continue;
        switch (c) {
        case 'h': gate_usage(stdout); return EXIT_READY;
        case 'c': cfg_path = optarg; break;
        case O_CUTOFF: cutoff = optarg; break;
        case O_WAIT:
            if (client_parse_duration(optarg, &wait_s) < 0 || wait_s <= 0)
                return usage_error("--wait wants a duration such as 30s, 5m, 1h or 500ms (up to "
                                   "a week), not '%s'",
                                   optarg);
            waiting = 1;
            break;
        case O_INTERVAL:
            if (client_parse_duration(optarg, &interval_s) < 0 || interval_s < 0.01)
                return usage_error("--interval wants a duration such as 1s, 5s or 500ms (10ms "
                                   "or more), not '%s'",
                                   optarg);
            break;
        case O_QUIET: quiet = 1; break;
        default: return EXIT_USAGE; /* cli_getopt said why */
        }
    }
    if (!cfg_path && !ca.url)
        return usage_error("give the daemon's config file with -c FILE, or its address with "
                           "--url http://HOST:PORT%s",
                           "");
    if (optind >= argc) return usage_error("give the name of a gate%s", "");
    if (optind + 1 < argc) return usage_error("unexpected argument '%s'", argv[optind + 1]);
    const char *name = argv[optind];
    char base[192], url[1024];
    if (ca.url && client_url_base(ca.url, base, sizeof base) < 0)
        return usage_error("--url wants the daemon's address, http://HOST:PORT (as its "
                           "[http] listen says), not '%s'",
                           ca.url);

    bd_config cfg;
    memset(&cfg, 0, sizeof cfg);
    bd_err err = {0};
    if (cfg_path && bd_config_load_gates(&cfg, cfg_path, &err) < 0) {
        fprintf(stderr, "binlogd gate: %s\n", err.msg);
        return EXIT_USAGE;
    }
    int rc = EXIT_USAGE;
    bd_buf list = BD_BUF_INIT;
    bd_tz *tz = NULL;
    char *esc = NULL, *cesc = NULL;
    client cl;
    memset(&cl, 0, sizeof cl);
    const bd_gate_config *g = cfg_path ? find_gate(&cfg, name, &list) : NULL;
    if (cfg_path && !g) {
        if (cfg.ngates)
            fprintf(stderr, "binlogd gate: %s: no gate '%s' (gates: %s)\n", cfg_path, name,
                    list.ptr);
        else
            fprintf(stderr, "binlogd gate: %s: no gate '%s' (it defines no [gate NAME] sections)\n",
                    cfg_path, name);
        goto out;
    }
    if (!ca.url && client_listen_base("gate", cfg_path, &cfg, "gates", base, sizeof base) < 0)
        goto out;
    if (client_init(&cl, "gate") < 0) {
        rc = EXIT_ERROR;
        goto out;
    }
    if (!(esc = curl_easy_escape(NULL, name, 0))) goto oom;
    int n = snprintf(url, sizeof url, "%s/gates/%s", base, esc);
    char pin[1024] = "";
    if (cutoff && !g) {
        /* no config, so no zone: the daemon resolves it in the gate's */
        snprintf(pin, sizeof pin, "%s", url);
        if (!(cesc = curl_easy_escape(NULL, cutoff, 0))) goto oom;
        n += snprintf(url + n, sizeof url - (size_t)n, "?cutoff=%s", cesc);
    } else if (cutoff) {
        /* Resolved here, once: "00:00" must mean the same midnight on every
         * question of a --wait that runs past the next one. */
        const char *zone = g->timezone && g->timezone[0] ? g->timezone : "UTC";
        if (!(tz = bd_tz_load(zone, &err))) {
            fprintf(stderr, "binlogd gate: %s: [gate %s] %s\n", cfg_path, name, err.msg);
            goto out;
        }
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int64_t us, now_us = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
        if (bd_time_parse(cutoff, tz, now_us, &us) < 0) {
            fprintf(stderr,
                    "binlogd gate: --cutoff '%s' is not a time (RFC 3339 such as "
                    "2026-11-27T00:00:00+08:00, '2026-11-27 00:00' in the gate's zone %s, a "
                    "time of day such as 00:00, or @UNIX_SECONDS)\n",
                    cutoff, zone);
            goto out;
        }
        char t[32];
        bd_time_format(t, us);
        n += snprintf(url + n, sizeof url - (size_t)n, "?cutoff=%s", t);
    }
    if (n < 0 || (size_t)n >= sizeof url) {
        fprintf(stderr, "binlogd gate: the gate's URL is too long\n");
        goto out;
    }
    if (client_access(&cl, &ca, &cfg) < 0) goto out;
    rc = run_gate(&cl, name, url, pin[0] ? pin : NULL, waiting, wait_s, interval_s, quiet);
    goto out;
oom:
    fprintf(stderr, "binlogd gate: out of memory\n");
    rc = EXIT_ERROR;
out:
    curl_free(esc);
    curl_free(cesc);
    client_release(&cl);
    bd_tz_free(tz);
    bd_buf_release(&list);
    bd_config_release(&cfg);
    return rc;
}
