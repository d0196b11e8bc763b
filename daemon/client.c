/* client.c - see client.h. */
#include "client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binlogd/config.h"
#include "binlogd/parse.h"
#include "cli.h"

/* An answer of the daemon is a few KB; more is not the daemon. */
#define BODY_MAX (1 << 20)

int client_option(client_args *a, int c, const char *arg)
{
    switch (c) {
    case CLIENT_O_URL: a->url = arg; return 1;
    case CLIENT_O_CACERT: a->cacert = arg; return 1;
    case CLIENT_O_USER: a->user = arg; return 1;
    case CLIENT_O_PWFILE: a->pwfile = arg; return 1;
    default: return 0;
    }
}

int client_url_base(const char *url, char *out, size_t n)
{
    size_t ul = strlen(url);
    while (ul && url[ul - 1] == '/')
        ul--;
    if ((strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) || ul >= n ||
        strpbrk(url, "?# ") != NULL)
        return -1;
    snprintf(out, n, "%.*s", (int)ul, url);
    return 0;
}

/* The URL base "http://HOST:PORT" of the daemon listening on listen
 * ("HOST:PORT" or "[V6]:PORT", as [http] listen takes it); a wildcard
 * address is asked on loopback.  0, or -1 with why. */
static int daemon_base(const char *listen, int tls, char *out, size_t n, const char **why)
{
    char host[128];
    unsigned port;
    /* port 0 passes the syntax so that it gets its own message below */
    int rc = bd_parse_hostport(listen, host, sizeof host, &port, 0,
                               BD_HOSTPORT_NEED_PORT | BD_HOSTPORT_ANY_PORT);
    if (rc < 0) {
        *why = "is not HOST:PORT or [IPV6]:PORT";
        return -1;
    }
    if (port == 0) {
        *why = "has no fixed port to ask";
        return -1;
    }
    int v6 = strchr(host, ':') != NULL;
    /* any address the daemon listens on: ask it where it surely listens */
    unsigned char a[16];
    if (inet_pton(v6 ? AF_INET6 : AF_INET, host, a) == 1 &&
        !memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", v6 ? 16 : 4))
        snprintf(host, sizeof host, "%s", v6 ? "::1" : "127.0.0.1");
    if ((size_t)snprintf(out, n, "%s://%s%s%s:%u", tls ? "https" : "http", v6 ? "[" : "", host,
                         v6 ? "]" : "", port) >= n) {
        *why = "is too long";
        return -1;
    }
    return 0;
}

int client_listen_base(const char *cmd, const char *cfg_path, const bd_config *c,
                       const char *serves, char *out, size_t n)
{
    const char *why;
    if (!c->http_listen || !c->http_listen[0]) {
        fprintf(stderr, "binlogd %s: %s: [http] listen is not set: the daemon serves no %s\n", cmd,
                cfg_path, serves);
        return -1;
    }
    if (daemon_base(c->http_listen, c->http_tls_cert != NULL, out, n, &why) < 0) {
        fprintf(stderr, "binlogd %s: %s: [http] listen '%s' %s\n", cmd, cfg_path, c->http_listen,
                why);
        return -1;
    }
    return 0;
}

int client_init(client *cl, const char *cmd)
{
    cl->cmd = cmd;
    CURLcode gi = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (gi != CURLE_OK) {
        fprintf(stderr, "binlogd %s: cannot start libcurl: %s\n", cmd, curl_easy_strerror(gi));
        return -1;
    }
    cl->global = 1;
    return 0;
}

int client_access(client *cl, const client_args *a, const bd_config *c)
{
    /* TLS: verified by --cacert, else by the config's own certificate
     * (self-signed); authentication: the config's user, the password from
     * --password-file or $BINLOGD_HTTP_PASSWORD (the daemon keeps only its
     * hash) */
    cl->cacert = a->cacert ? a->cacert : c->http_tls_cert;
    const char *user = a->user ? a->user : c->http_auth_user;
    if (a->pwfile && cli_read_first_line(a->pwfile, cl->pw, sizeof cl->pw) < 0) {
        fprintf(stderr, "binlogd %s: --password-file %s: %s\n", cl->cmd, a->pwfile,
                strerror(errno));
        return -1;
    }
    if (!a->pwfile && getenv("BINLOGD_HTTP_PASSWORD"))
        snprintf(cl->pw, sizeof cl->pw, "%s", getenv("BINLOGD_HTTP_PASSWORD"));
    if (user) {
        if (!cl->pw[0]) {
            fprintf(stderr,
                    "binlogd %s: the daemon asks for user %s's password: give it with "
                    "--password-file F or $BINLOGD_HTTP_PASSWORD\n",
                    cl->cmd, user);
            return -1;
        }
        snprintf(cl->up, sizeof cl->up, "%s:%s", user, cl->pw);
        cl->userpwd = cl->up;
    }
    return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    bd_buf *b = ud;
    if (b->len + size * n > BODY_MAX) return 0; /* curl fails the transfer */
    bd_buf_add(b, p, size * n);
    return size * n;
}

int client_open(client *cl, const char *agent)
{
    CURL *e = curl_easy_init();
    if (!e) {
        fprintf(stderr, "binlogd %s: cannot start libcurl\n", cl->cmd);
        return -1;
    }
    if (cl->cacert) curl_easy_setopt(e, CURLOPT_CAINFO, cl->cacert);
    if (cl->userpwd) curl_easy_setopt(e, CURLOPT_USERPWD, cl->userpwd);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    /* the daemon is local: an http_proxy in the environment must not
     * send the question elsewhere */
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_USERAGENT, agent);
    cl->e = e;
    return 0;
}

void client_release(client *cl)
{
    if (cl->e) curl_easy_cleanup(cl->e);
    cl->e = NULL;
    if (cl->global) curl_global_cleanup();
    cl->global = 0;
    explicit_bzero(cl->pw, sizeof cl->pw);
    explicit_bzero(cl->up, sizeof cl->up);
    cl->userpwd = NULL;
}

void client_answer_release(client_answer *a)
{
    json_decref(a->json);
    a->json = NULL;
    bd_buf_release(&a->body);
    a->reached = 0;
    a->status = 0;
    a->err[0] = '\0';
}

void client_ask(client *cl, const char *method, const char *url, long timeout_ms, client_answer *a)
{
    char cerr[CURL_ERROR_SIZE] = "";
    CURL *e = cl->e;
    client_answer_release(a);
    curl_easy_setopt(e, CURLOPT_URL, url);
    if (!strcmp(method, "POST")) {
        /* no body: the question is in the URL */
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
    } else {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &a->body);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, cerr);
    CURLcode rc = curl_easy_perform(e);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, NULL);
    if (rc != CURLE_OK) {
        snprintf(a->err, sizeof a->err,
                 "cannot ask the daemon at %s: %s (is binlogd run with "
                 "this config running?)",
                 url, cerr[0] ? cerr : curl_easy_strerror(rc));
        bd_buf_release(&a->body);
        return;
    }
    a->reached = 1;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &a->status);
    json_error_t je;
    a->json = json_loadb(a->body.ptr, a->body.len, 0, &je);
    if (a->json && !json_is_object(a->json)) {
        json_decref(a->json);
        a->json = NULL;
    }
}

const char *client_answer_line(const client_answer *a, int *len)
{
    size_t l = strcspn(a->body.ptr, "\r\n");
    *len = (int)(l > 200 ? 200 : l);
    return a->body.ptr;
}

int client_parse_duration(const char *s, double *secs)
{
    double v;
    if (bd_parse_secs(s, &v) < 0 || v > 7 * 86400.0) return -1;
    *secs = v;
    return 0;
}

double client_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void client_sleep(double secs)
{
    if (secs <= 0) return;
    struct timespec ts = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}
