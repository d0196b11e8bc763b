/* test_http.c - the daemon's HTTP endpoint on a libev loop, asked by a
 * libcurl client in the same thread: the test steps both (curl_multi and
 * ev_run NOWAIT) until the answer is in.  Bodies, content types, 404,
 * query arguments, HEAD, 405 with Allow for other methods, a handler that
 * gives a bad status, a large body, stopping with a connection open,
 * hostile clients (a limit's worth that vanish, 300 half requests closed at
 * once, 64 slow senders, a 200 KB header, a 100 KB URL), the
 * listen address syntax and the errors of a port in use or an address not
 * on this host. */
#include <crypt.h>
#include <curl/curl.h>
#include <errno.h>
#include <ev.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../daemon/http.h"
#include "testutil.h"

struct ctx {
    int calls;
    int last_post;
    char path[256];
};

static int handler(void *arg, const bd_http_req *r, bd_buf *body, const char **type)
{
    struct ctx *c = arg;
    const char *p = bd_http_path(r);
    c->calls++;
    c->last_post = bd_http_post(r);
    snprintf(c->path, sizeof c->path, "%s", p);
    if (!strcmp(p, "/hello")) {
        bd_buf_adds(body, "hello\n");
        return 200;
    }
    if (!strcmp(p, "/gates/statement")) {
        bd_buf_adds(body, "{\"gate\":\"statement\",\"ready\":false}\n");
        *type = "application/json";
        return 503;
    }
    if (!strcmp(p, "/args")) {
        const char *cut = bd_http_arg(r, "cutoff"), *max = bd_http_arg(r, "max");
        bd_buf_addf(body, "cutoff=%s max=%s none=%s", cut ? cut : "(null)", max ? max : "(null)",
                    bd_http_arg(r, "none") ? "set" : "(null)");
        return 200;
    }
    if (!strcmp(p, "/bad-status")) return 42;
    if (!strcmp(p, "/big")) {
        for (int i = 0; i < 100000; i++)
            bd_buf_addf(body, "line %06d\n", i);
        return 200;
    }
    bd_buf_addf(body, "no such page: %s\n", p);
    return 404;
}

struct answer {
    long status;
    bd_buf body;
    char type[128];
    char allow[64];
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    bd_buf_add(ud, p, size * n);
    return size * n;
}

/* "Name: value\r\n" into out when it is that header. */
static void header_value(const char *line, size_t len, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':') return;
    const char *v = line + nl + 1;
    size_t vl = len - nl - 1;
    while (vl && (*v == ' ')) {
        v++;
        vl--;
    }
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
        vl--;
    snprintf(out, n, "%.*s", (int)vl, v);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct answer *a = ud;
    header_value(p, size * n, "Content-Type", a->type, sizeof a->type);
    header_value(p, size * n, "Allow", a->allow, sizeof a->allow);
    return size * n;
}

/* Ask url with method while stepping loop; the answer into a (body to be
 * released by the caller).  *keep: a multi handle kept open, so that the
 * connection stays (NULL: a fresh one, cleaned up). */
static void ask(struct ev_loop *loop, const char *method, const char *url, struct answer *a,
                CURLM **keep)
{
    memset(a, 0, sizeof *a);
    bd_buf_init(&a->body);
    CURLM *m = keep && *keep ? *keep : curl_multi_init();
    CURL *e = curl_easy_init();
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_nonnull(e);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &a->body);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, a);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    else if (!strcmp(method, "POST"))
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, "x=1");
    else if (strcmp(method, "GET") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    ck_assert_int_eq(curl_multi_add_handle(m, e), CURLM_OK);
    int running = 1;
    while (running) {
        ck_assert_int_eq(curl_multi_perform(m, &running), CURLM_OK);
        ev_run(loop, EVRUN_NOWAIT);
        if (running) curl_multi_poll(m, NULL, 0, 5, NULL);
    }
    int left;
    CURLMsg *msg = curl_multi_info_read(m, &left);
    ck_assert_ptr_nonnull(msg);
    ck_assert_msg(msg->data.result == CURLE_OK, "%s %s: %s", method, url,
                  curl_easy_strerror(msg->data.result));
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &a->status);
    curl_multi_remove_handle(m, e);
    curl_easy_cleanup(e);
    if (keep)
        *keep = m;
    else
        curl_multi_cleanup(m);
}

static bd_http *start(struct ev_loop *loop, const char *listen, struct ctx *c)
{
    bd_err err = {0};
    bd_http *s = bd_http_start(loop, listen, NULL, handler, c, &err);
    ck_assert_msg(s != NULL, "start %s: %s", listen, err.msg);
    ck_assert_int_gt(bd_http_port(s), 0);
    return s;
}

START_TEST(http_get)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct ctx c = {0};
    bd_http *s = start(loop, "127.0.0.1:0", &c);
    char base[64], url[256];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", bd_http_port(s));
    struct answer a;

    snprintf(url, sizeof url, "%s/hello", base);
    ask(loop, "GET", url, &a, NULL);
    ck_assert_int_eq(a.status, 200);
    ck_assert_str_eq(a.body.ptr, "hello\n");
    ck_assert_str_eq(a.type, "text/plain; charset=utf-8");
    bd_buf_release(&a.body);

    snprintf(url, sizeof url, "%s/gates/statement", base);
    ask(loop, "GET", url, &a, NULL);
    ck_assert_int_eq(a.status, 503);
    ck_assert_str_eq(a.body.ptr, "{\"gate\":\"statement\",\"ready\":false}\n");
    ck_assert_str_eq(a.type, "application/json");
    bd_buf_release(&a.body);

    snprintf(url, sizeof url, "%s/nope?x=1", base);
    ask(loop, "GET", url, &a, NULL);
    ck_assert_int_eq(a.status, 404);
    ck_assert_str_eq(a.body.ptr, "no such page: /nope\n"); /* the path without the query */
    bd_buf_release(&a.body);

    /* arguments unescaped: %2B is '+', %3A ':' */
    snprintf(url, sizeof url, "%s/args?cutoff=2026-11-27T00%%3A00%%3A00%%2B08:00&max=5s", base);
    ask(loop, "GET", url, &a, NULL);
    ck_assert_int_eq(a.status, 200);
    ck_assert_str_eq(a.body.ptr, "cutoff=2026-11-27T00:00:00+08:00 max=5s none=(null)");
    bd_buf_release(&a.body);

    /* HEAD: the handler runs, the headers come, no body */
    int calls = c.calls;
    snprintf(url, sizeof url, "%s/hello", base);
    ask(loop, "HEAD", url, &a, NULL);
    ck_assert_int_eq(a.status, 200);
    ck_assert_str_eq(a.body.ptr, "");
    ck_assert_str_eq(a.type, "text/plain; charset=utf-8");
    ck_assert_int_eq(c.calls, calls + 1);
    bd_buf_release(&a.body);

    /* a POST reaches the handler, which knows it is one */
    calls = c.calls;
    ask(loop, "POST", url, &a, NULL);
    ck_assert_int_eq(a.status, 200);
    ck_assert_int_eq(c.calls, calls + 1);
    ck_assert_int_eq(c.last_post, 1);
    bd_buf_release(&a.body);
    ask(loop, "GET", url, &a, NULL);
    ck_assert_int_eq(c.last_post, 0);
    bd_buf_release(&a.body);

    /* other methods: 405 with Allow, the handler never sees them */
    static const char *methods[] = {"PUT", "DELETE", "OPTIONS"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        calls = c.calls;
        ask(loop, methods[i], url, &a, NULL);
        ck_assert_msg(a.status == 405, "%s: %ld", methods[i], a.status);
        ck_assert_str_eq(a.allow, "GET, HEAD, POST");
        ck_assert_int_eq(c.calls, calls);
        bd_buf_release(&a.body);
    }

    snprintf(url, sizeof url, "%s/bad-status", base);
    ask(loop, "GET", url, &a, NULL);
    ck_assert_int_eq(a.status, 500);
    ck_assert_str_eq(a.body.ptr, "handler gave HTTP status 42\n");
    bd_buf_release(&a.body);

    snprintf(url, sizeof url, "%s/big", base);
    ask(loop, "GET", url, &a, NULL);
    ck_assert_int_eq(a.status, 200);
    ck_assert_uint_eq(a.body.len, 100000 * 12);
    ck_assert(!memcmp(a.body.ptr + 99999 * 12, "line 099999\n", 12));
    bd_buf_release(&a.body);

    bd_http_stop(s);
    ev_loop_destroy(loop);
}
END_TEST

/* Two requests on one kept-alive connection, then a stop while the client
 * still holds it: no leak, no crash, and the client then fails cleanly. */
START_TEST(http_keepalive_stop)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct ctx c = {0};
    bd_http *s = start(loop, "127.0.0.1:0", &c);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hello", bd_http_port(s));
    CURLM *m = NULL;
    struct answer a;
    for (int i = 0; i < 2; i++) {
        ask(loop, "GET", url, &a, &m);
        ck_assert_int_eq(a.status, 200);
        bd_buf_release(&a.body);
    }
    bd_http_stop(s);
    ev_loop_destroy(loop);
    curl_multi_cleanup(m);
}
END_TEST

static void start_fails(struct ev_loop *loop, const char *listen, const char *want)
{
    bd_err err = {0};
    struct ctx c = {0};
    bd_http *s = bd_http_start(loop, listen, NULL, handler, &c, &err);
    ck_assert_msg(s == NULL, "%s started", listen);
    ck_assert_msg(strstr(err.msg, want) != NULL, "%s: '%s' lacks '%s'", listen, err.msg, want);
}

START_TEST(http_listen_errors)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    start_fails(loop, "127.0.0.1", "127.0.0.1: no port (write HOST:PORT)");
    start_fails(loop, "localhost:9175", "localhost:9175: not a numeric IP address");
    start_fails(loop, ":9175", ":9175: not a numeric IP address");
    start_fails(loop, "127.0.0.1:99999", "port '99999' is not a number in 0..65535");
    start_fails(loop, "127.0.0.1:", "port '' is not a number");
    start_fails(loop, "127.0.0.1:12a", "port '12a' is not a number");
    start_fails(loop, "127.0.0.1:+80", "port '+80' is not a number");
    start_fails(loop, "::1:9175", "::1:9175: malformed address (IPv6 is written [ADDRESS]:PORT)");
    start_fails(loop, "[::1]9175", "malformed address");
    start_fails(loop, "[::1:9175", "malformed address");
    start_fails(loop, "[127.0.0.1]:9175", "not a numeric IP address");
    start_fails(loop, "[]:9175", "not a numeric IP address");
    /* TEST-NET-1 (RFC 5737) is on no host */
    start_fails(loop, "192.0.2.1:9175", "192.0.2.1:9175: address not available on this host");

    /* the port of a running server */
    struct ctx c = {0};
    bd_http *s = start(loop, "127.0.0.1:0", &c);
    char listen[64], want[96];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", bd_http_port(s));
    snprintf(want, sizeof want, "%s: address already in use", listen);
    bd_err err = {0};
    ck_assert_ptr_null(bd_http_start(loop, listen, NULL, handler, &c, &err));
    ck_assert_str_eq(err.msg, want);
    bd_http_stop(s);
    if (geteuid() != 0) start_fails(loop, "127.0.0.1:1", "permission denied");
    ev_loop_destroy(loop);
}
END_TEST

START_TEST(http_ipv6)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct ctx c = {0};
    bd_err err = {0};
    bd_http *s = bd_http_start(loop, "[::1]:0", NULL, handler, &c, &err);
    if (!s) {
        /* a host without IPv6 loopback: the refusal must say so */
        ck_assert_msg(strstr(err.msg, "[::1]:0: ") == err.msg, "%s", err.msg);
        fprintf(stderr, "http_ipv6: skipped, no ::1 here (%s)\n", err.msg);
        ev_loop_destroy(loop);
        return;
    }
    char url[128];
    snprintf(url, sizeof url, "http://[::1]:%d/hello", bd_http_port(s));
    struct answer a;
    ask(loop, "GET", url, &a, NULL);
    ck_assert_int_eq(a.status, 200);
    ck_assert_str_eq(a.body.ptr, "hello\n");
    bd_buf_release(&a.body);
    bd_http_stop(s);
    ev_loop_destroy(loop);
}
END_TEST

/* Step loop for about ms milliseconds. */
static void step_for(struct ev_loop *loop, int ms)
{
    for (int i = 0; i < ms / 10; i++) {
        ev_run(loop, EVRUN_NOWAIT);
        usleep(10000);
    }
}

/* As many clients as the connection limit send half a request and go
 * away: the endpoint answers again.  MHD stops accepting at its limit and
 * takes up accepting again only inside a later MHD_run(); without the
 * loop's periodic run it stayed deaf for good.  MHD notices some of the
 * closed half-read connections only at its 10 s idle timeout: allow
 * 20 s.  (Client and server ends: two descriptors each; the soft limit is
 * raised to the hard one for it.) */
START_TEST(http_limit_recovers)
{
    struct rlimit rl;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    ck_assert_msg(rl.rlim_cur >= 2 * BD_HTTP_CONN_LIMIT + 64,
                  "this test needs %d open files (ulimit -n), the hard limit is %llu",
                  2 * BD_HTTP_CONN_LIMIT + 64, (unsigned long long)rl.rlim_cur);
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct ctx c = {0};
    bd_http *s = start(loop, "127.0.0.1:0", &c);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)bd_http_port(s));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    static int fds[BD_HTTP_CONN_LIMIT];
    for (int i = 0; i < BD_HTTP_CONN_LIMIT; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        ck_assert_int_ge(fds[i], 0);
        ck_assert_int_eq(connect(fds[i], (struct sockaddr *)&sa, sizeof sa), 0);
        static const char half[] = "GET /hello HTTP/1.1\r\nHost: x\r\n";
        ck_assert_int_eq(write(fds[i], half, sizeof half - 1), (ssize_t)(sizeof half - 1));
        ev_run(loop, EVRUN_NOWAIT);
    }
    step_for(loop, 500);
    for (int i = 0; i < BD_HTTP_CONN_LIMIT; i++) {
        static const char more[] = "X: y\r\n";
        ck_assert_int_eq(write(fds[i], more, sizeof more - 1), (ssize_t)(sizeof more - 1));
    }
    step_for(loop, 500);
    for (int i = 0; i < BD_HTTP_CONN_LIMIT; i++)
        close(fds[i]);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hello", bd_http_port(s));
    int ok = 0;
    for (int t = 0; t < 40 && !ok; t++) {
        CURL *e = curl_easy_init();
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        CURLM *m = curl_multi_init();
        curl_multi_add_handle(m, e);
        int running = 1;
        for (int k = 0; k < 50 && running; k++) { /* 0.5 s an attempt */
            curl_multi_perform(m, &running);
            ev_run(loop, EVRUN_NOWAIT);
            if (running) curl_multi_poll(m, NULL, 0, 10, NULL);
        }
        long status = 0;
        if (!running) curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        ok = status == 200;
        curl_multi_remove_handle(m, e);
        curl_easy_cleanup(e);
        curl_multi_cleanup(m);
    }
    ck_assert_msg(ok, "no answer within 20 s after the %d clients left", BD_HTTP_CONN_LIMIT);
    bd_http_stop(s);
    ev_loop_destroy(loop);
}
END_TEST

/* One GET of url, stepping loop, for at most ms: its status, or 0 when
 * no answer came in time. */
static long try_get(struct ev_loop *loop, const char *url, int ms)
{
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    CURLM *m = curl_multi_init();
    curl_multi_add_handle(m, e);
    int running = 1;
    for (int k = 0; k < ms / 5 && running; k++) {
        curl_multi_perform(m, &running);
        ev_run(loop, EVRUN_NOWAIT);
        if (running) curl_multi_poll(m, NULL, 0, 5, NULL);
    }
    long status = 0;
    if (!running) curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(m, e);
    curl_easy_cleanup(e);
    curl_multi_cleanup(m);
    return status;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_to(int port)
{
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ck_assert_int_ge(fd, 0);
    int r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    ck_assert_msg(r == 0 || errno == EINPROGRESS, "connect: %s", strerror(errno));
    return fd;
}

/* n clients connect to port and each sends text (part of a request). */
static void clients_send(struct ev_loop *loop, int port, int *fds, int n, const char *text)
{
    for (int i = 0; i < n; i++) {
        fds[i] = connect_to(port);
        ev_run(loop, EVRUN_NOWAIT);
    }
    step_for(loop, 200);
    size_t len = strlen(text);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(write(fds[i], text, len), (ssize_t)len);
}

/* 300 clients each send half a request and all close at once: the
 * endpoint answers a normal request within 2 s of their leaving (it was
 * deaf for about 30 s: the closed connections waited for the idle
 * timeout in MHD's queue). */
START_TEST(http_hostile_closers)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct ctx c = {0};
    bd_http *s = start(loop, "127.0.0.1:0", &c);
    int port = bd_http_port(s), fds[300];
    clients_send(loop, port, fds, 300, "GET /hello HTTP/1.1\r\nHost: x\r\n");
    step_for(loop, 300);
    for (int i = 0; i < 300; i++)
        close(fds[i]);
    double t0 = now_s();
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hello", port);
    long st = 0;
    while (st != 200 && now_s() - t0 < 10)
        st = try_get(loop, url, 500);
    double took = now_s() - t0;
    ck_assert_msg(st == 200 && took <= 2.0, "after 300 closers: HTTP %ld after %.2f s", st, took);
    bd_http_stop(s);
    ev_loop_destroy(loop);
}
END_TEST

/* 64 slow clients that keep sending (a header line a byte at a time)
 * hold their connections: normal requests are served meanwhile. */
START_TEST(http_hostile_slow)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct ctx c = {0};
    bd_http *s = start(loop, "127.0.0.1:0", &c);
    int port = bd_http_port(s), fds[64];
    clients_send(loop, port, fds, 64, "GET /hello HTTP/1.1\r\nX-Slow: ");
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hello", port);
    for (int round = 0; round < 6; round++) {
        for (int i = 0; i < 64; i++)
            (void)!write(fds[i], "a", 1); /* still sending */
        double t0 = now_s();
        long st = try_get(loop, url, 1000);
        ck_assert_msg(st == 200, "round %d, 64 slow clients connected: HTTP %ld after %.2f s",
                      round, st, now_s() - t0);
        step_for(loop, 200);
    }
    for (int i = 0; i < 64; i++)
        close(fds[i]);
    bd_http_stop(s);
    ev_loop_destroy(loop);
}
END_TEST

/* A request of n bytes of one part (header value or URL) sent in full
 * (the loop stepped while the socket is full); the status line's code of
 * the answer, 0 for none within 5 s. */
static int send_big(struct ev_loop *loop, int port, int in_url, size_t n)
{
    bd_buf req = BD_BUF_INIT;
    bd_buf_adds(&req, "GET /");
    if (in_url)
        for (size_t i = 0; i < n; i++)
            bd_buf_addc(&req, 'u');
    bd_buf_adds(&req, "hello HTTP/1.1\r\nHost: x\r\n");
    if (!in_url) {
        bd_buf_adds(&req, "X-Big: ");
        for (size_t i = 0; i < n; i++)
            bd_buf_addc(&req, 'h');
        bd_buf_adds(&req, "\r\n");
    }
    bd_buf_adds(&req, "\r\n");
    ck_assert(!bd_buf_failed(&req));
    int fd = connect_to(port);
    size_t off = 0;
    char got[256] = "";
    size_t gl = 0;
    double t0 = now_s();
    while (now_s() - t0 < 5) {
        ev_run(loop, EVRUN_NOWAIT);
        if (off < req.len) {
            ssize_t w = write(fd, req.ptr + off, req.len - off);
            if (w > 0) off += (size_t)w;
        }
        ssize_t r = read(fd, got + gl, sizeof got - 1 - gl);
        if (r > 0) gl += (size_t)r;
        if (r == 0 || gl >= 12) break; /* "HTTP/1.1 431" or closed */
        usleep(1000);
    }
    got[gl] = '\0';
    close(fd);
    bd_buf_release(&req);
    int code = 0;
    if (gl >= 12 && !strncmp(got, "HTTP/1.", 7)) code = atoi(got + 9);
    return code;
}

/* A 200 KB header and a 100 KB URL are refused (4xx) without harm: a
 * normal request is served right after. */
START_TEST(http_hostile_big)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct ctx c = {0};
    bd_http *s = start(loop, "127.0.0.1:0", &c);
    int port = bd_http_port(s);
    int hc = send_big(loop, port, 0, 200 * 1024), uc = send_big(loop, port, 1, 100 * 1024);
    ck_assert_msg(hc >= 400 && hc < 500, "a 200 KB header: HTTP %d", hc);
    ck_assert_msg(uc >= 400 && uc < 500, "a 100 KB URL: HTTP %d", uc);
    ck_assert_int_eq(c.calls, 0); /* the handler never saw them */
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hello", port);
    ck_assert_int_eq(try_get(loop, url, 2000), 200);
    bd_http_stop(s);
    ev_loop_destroy(loop);
}
END_TEST

/* GET url with basic authentication userpwd ("user:password", NULL:
 * none) and the CA file ca (NULL: none), stepping loop for at most 5 s:
 * the status (0: none), and curl's result in *cr. */
static long get_auth(struct ev_loop *loop, const char *url, const char *userpwd, const char *ca,
                     CURLcode *cr)
{
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    bd_buf body = BD_BUF_INIT;
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
    if (userpwd) curl_easy_setopt(e, CURLOPT_USERPWD, userpwd);
    if (ca) curl_easy_setopt(e, CURLOPT_CAINFO, ca);
    CURLM *m = curl_multi_init();
    curl_multi_add_handle(m, e);
    int running = 1;
    for (int k = 0; k < 1000 && running; k++) {
        curl_multi_perform(m, &running);
        ev_run(loop, EVRUN_NOWAIT);
        if (running) curl_multi_poll(m, NULL, 0, 5, NULL);
    }
    long status = 0;
    int left;
    CURLMsg *msg = curl_multi_info_read(m, &left);
    *cr = msg ? msg->data.result : CURLE_OPERATION_TIMEDOUT;
    if (!running) curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(m, e);
    curl_easy_cleanup(e);
    curl_multi_cleanup(m);
    bd_buf_release(&body);
    return status;
}

/* HTTPS with a certificate of 127.0.0.1 and basic authentication with a
 * bcrypt hash: the right user and password 200 (again from the kept
 * match), a wrong password, another user or none 401, plain HTTP gets no
 * answer; a missing key file is an error at start naming it. */
START_TEST(http_tls_auth)
{
    char dir[] = "/tmp/bd_tls_XXXXXX", cmd[600], cert[64], key[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -days 1 "
             "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
             key, cert);
    ck_assert_msg(system(cmd) == 0, "openssl could not make a certificate");
    char salt[64];
    ck_assert_ptr_nonnull(crypt_gensalt_rn("$2b$", 4, NULL, 0, salt, sizeof salt));
    struct crypt_data *cd = calloc(1, sizeof *cd);
    const char *h = crypt_r("s3cret", salt, cd);
    ck_assert_msg(h && !strncmp(h, "$2b$", 4), "no bcrypt here: %s", h ? h : "(null)");
    char hash[128];
    snprintf(hash, sizeof hash, "%s", h);
    free(cd);

    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct ctx c = {0};
    bd_http_opts o = {cert, key, "prometheus", hash};
    bd_err err = {0};
    bd_http *s = bd_http_start(loop, "127.0.0.1:0", &o, handler, &c, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    char url[128], plain[128];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/hello", bd_http_port(s));
    snprintf(plain, sizeof plain, "http://127.0.0.1:%d/hello", bd_http_port(s));
    CURLcode cr;
    ck_assert_int_eq(get_auth(loop, url, "prometheus:s3cret", cert, &cr), 200);
    ck_assert_int_eq(c.calls, 1);
    ck_assert_int_eq(get_auth(loop, url, "prometheus:s3cret", cert, &cr), 200);
    ck_assert_int_eq(get_auth(loop, url, "prometheus:wrong", cert, &cr), 401);
    ck_assert_int_eq(get_auth(loop, url, "other:s3cret", cert, &cr), 401);
    ck_assert_int_eq(get_auth(loop, url, NULL, cert, &cr), 401);
    ck_assert_int_eq(c.calls, 2); /* the handler saw only the authorised */
    long st = get_auth(loop, plain, "prometheus:s3cret", NULL, &cr);
    ck_assert_msg(st == 0 && cr != CURLE_OK, "plain HTTP to the HTTPS endpoint: HTTP %ld (%s)", st,
                  curl_easy_strerror(cr));
    bd_http_stop(s);

    /* a key file that cannot be read: an error naming it */
    bd_http_opts bad = {cert, "/nonexistent/key.pem", NULL, NULL};
    ck_assert_ptr_null(bd_http_start(loop, "127.0.0.1:0", &bad, handler, &c, &err));
    ck_assert_msg(strstr(err.msg, "tls_key /nonexistent/key.pem") != NULL, "%s", err.msg);
    ev_loop_destroy(loop);
    unlink(cert);
    unlink(key);
    rmdir(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("http");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, http_get);
    tcase_add_test(tc, http_keepalive_stop);
    tcase_add_test(tc, http_listen_errors);
    tcase_add_test(tc, http_ipv6);
    tcase_add_test(tc, http_limit_recovers);
    tcase_add_test(tc, http_hostile_closers);
    tcase_add_test(tc, http_hostile_slow);
    tcase_add_test(tc, http_hostile_big);
    tcase_add_test(tc, http_tls_auth);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int nf = tu_run(suite());
    curl_global_cleanup();
    return nf ? 1 : 0;
}
