/* http.c - see http.h.  libmicrohttpd in external epoll mode: MHD keeps
 * its sockets in an epoll fd of its own, the loop watches that one fd,
 * and MHD_run() does the work whenever it is readable or MHD's own
 * timeout (idle connections) is due. */
#include "http.h"

#include "binlogd/parse.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

/* Seconds an idle or stuck connection is kept: a client that stops
 * reading cannot hold a slot for long. */
#define HTTP_CONN_TIMEOUT_S 10

struct bd_http {
    struct ev_loop *loop;
    struct MHD_Daemon *mhd;
    ev_io io;       /* MHD's epoll fd */
    ev_timer timer; /* MHD_get_timeout() */
    bd_http_handler handler;
    void *ctx;
    char *listen;
    bd_buf body;   /* the handler's, reused between requests */
    char log[256]; /* MHD's last message, for start-up errors */
    int log_errno; /* errno when MHD logged it */
    struct sockaddr_storage addr;
    char *cert, *key;            /* PEM text, kept while MHD runs (the key wiped) */
    char *auth_user, *auth_hash; /* basic authentication, or NULL */
    char *auth_ok;               /* the last password that matched the hash */
    struct crypt_data *cd;       /* crypt_r's work area */
};

struct bd_http_req {
    struct MHD_Connection *conn;
    const char *path;
    int post;
};

int bd_http_post(const bd_http_req *r) { return r->post; }

const char *bd_http_arg(const bd_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *bd_http_path(const bd_http_req *r) { return r->path; }

int bd_http_port(const bd_http *s)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    return i ? i->port : -1;
}

static void on_log(void *cls, const char *fmt, va_list ap)
{
    bd_http *s = cls;
    /* errno first: it is why a bind failed, and vsnprintf may change it */
    s->log_errno = errno;
    vsnprintf(s->log, sizeof s->log, fmt, ap);
    size_t n = strlen(s->log);
    while (n && (s->log[n - 1] == '\n' || s->log[n - 1] == '\r'))
        s->log[--n] = '\0';
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body,
                             size_t len, const char *type, int allow)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO; /* out of memory: MHD closes the connection */
    enum MHD_Result q = MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (q == MHD_YES && allow)
        q = MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, POST");
    if (q == MHD_YES) q = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return q;
}

/* Strings equal, in a time that does not tell where they differ. */
static int same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char d = (unsigned char)(la != lb);
    for (size_t i = 0; i < la; i++)
        d |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
    return d == 0;
}

/* The request's basic authentication against the user and hash.  A
 * bcrypt check takes tens of milliseconds of the loop's time: the last
 * password that matched is kept (in memory only) and compared first, so
 * a scraper pays it once. */
static int authorized(bd_http *s, struct MHD_Connection *conn)
{
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(conn, &pass);
    int ok = 0;
    if (user && pass && same_secret(user, s->auth_user)) {
        if (s->auth_ok && same_secret(pass, s->auth_ok)) {
            ok = 1;
        } else {
            const char *h = crypt_r(pass, s->auth_hash, s->cd);
            ok = h && h[0] != '*' && same_secret(h, s->auth_hash);
            if (ok) {
                if (s->auth_ok) explicit_bzero(s->auth_ok, strlen(s->auth_ok));
                free(s->auth_ok);
                s->auth_ok = strdup(pass);
            }
        }
    }
    if (pass) explicit_bzero(pass, strlen(pass));
    MHD_free(user);
    MHD_free(pass);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    bd_http *s = cls;
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)req_cls;
    static const char text[] = "text/plain; charset=utf-8";
    /* Answered at the first call, before any body is read: MHD then closes
     * the connection instead of reading an upload nobody wants (a POST's
     * arguments are in its query string). */
    int post = !strcmp(method, MHD_HTTP_METHOD_POST);
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0 &&
        !post) {
        static const char msg[] = "method not allowed: only GET, HEAD and POST\n";
        return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, msg, sizeof msg - 1, text, 1);
    }
    if (s->auth_user && !authorized(s, conn)) {
        static const char msg[] = "authentication required\n";
        struct MHD_Response *rsp =
            MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
        if (!rsp) return MHD_NO;
        enum MHD_Result q = MHD_queue_basic_auth_fail_response(conn, "binlogd", rsp);
        MHD_destroy_response(rsp);
        return q;
    }
    bd_http_req r = {conn, url, post};
    const char *type = text;
    bd_buf_reset(&s->body);
    int status = s->handler(s->ctx, &r, &s->body, &type);
    if (bd_buf_failed(&s->body)) {
        bd_buf_release(&s->body);
        static const char msg[] = "out of memory\n";
        return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, msg, sizeof msg - 1, text, 0);
    }
    if (status < 100 || status > 599) {
        char msg[64];
        int n = snprintf(msg, sizeof msg, "handler gave HTTP status %d\n", status);
        return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, msg, (size_t)n, text, 0);
    }
    return reply(conn, (unsigned)status, s->body.ptr, s->body.len, type ? type : text, 0);
}

/* Let MHD work, then arm the timer for its next deadline, and for a second
 * from now at the latest.  At its connection limit MHD takes the listening
 * socket out of its epoll set, and puts it back only inside a later
 * MHD_run(): when the last connections close and MHD has no deadline left,
 * nothing would call it again and the endpoint would stay deaf for good
 * (seen with 64 slow clients that then went away). */
static void run_mhd(bd_http *s)
{
    MHD_run(s->mhd);
    ev_timer_stop(s->loop, &s->timer);
    double next = 1.0;
    MHD_UNSIGNED_LONG_LONG ms;
    if (MHD_get_timeout(s->mhd, &ms) == MHD_YES && (double)ms / 1000.0 < next)
        next = (double)ms / 1000.0;
    ev_timer_set(&s->timer, next, 0.);
    ev_timer_start(s->loop, &s->timer);
}

static void on_io(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    run_mhd(w->data);
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    run_mhd(w->data);
}

/* listen ("HOST:PORT", "[V6]:PORT", bd_parse_hostport) into s->addr; 0,
 * or -1 with err. */
static int parse_listen(bd_http *s, const char *listen, bd_err *err)
{
    char host[128], port[8];
    unsigned pv;
    int rc = bd_parse_hostport(listen, host, sizeof host, &pv, 0,
                               BD_HOSTPORT_NEED_PORT | BD_HOSTPORT_ANY_PORT);
    if (rc == BD_HOSTPORT_NO_PORT)
        return bd_err_set(err, BD_ERR_UNSUPPORTED, "%s: no port (write HOST:PORT)", listen);
    if (rc == BD_HOSTPORT_MALFORMED)
        return bd_err_set(err, BD_ERR_UNSUPPORTED,
                          "%s: malformed address (IPv6 is written [ADDRESS]:PORT)", listen);
    if (rc == BD_HOSTPORT_BAD_PORT) {
        /* the port is what follows the last ':' (there is one, or no port) */
        const char *pc = strrchr(listen, ':');
        return bd_err_set(err, BD_ERR_UNSUPPORTED, "%s: port '%s' is not a number in 0..65535",
                          listen, pc ? pc + 1 : "");
    }
    if (rc < 0) goto bad_host;
    snprintf(port, sizeof port, "%u", pv);
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    /* numeric only: a name would need DNS, which may block the loop or
     * change under us; the config names the interface exactly */
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    hints.ai_family = strchr(host, ':') ? AF_INET6 : AF_INET; /* only IPv6 has a ':' */
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai) goto bad_host;
    if (ai->ai_addrlen > sizeof s->addr) {
        freeaddrinfo(ai);
        goto bad_host;
    }
    memcpy(&s->addr, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    return 0;
bad_host:
    return bd_err_set(err, BD_ERR_UNSUPPORTED,
                      "%s: not a numeric IP address and port (names are not resolved; write "
                      "e.g. 127.0.0.1:9175 or [::1]:9175)",
                      listen);
}

/* The whole file at path into a fresh string; NULL with err. */
static char *slurp(const char *path, const char *what, bd_err *err)
{
    FILE *f = fopen(path, "r");
    bd_buf b = BD_BUF_INIT;
    char chunk[4096];
    size_t n;
    if (!f) {
        bd_err_set(err, BD_ERR_IO, "[http] %s %s: %s", what, path, strerror(errno));
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (1 << 20))
        bd_buf_add(&b, chunk, n);
    fclose(f);
    bd_buf_addc(&b, '\0');
    if (bd_buf_failed(&b)) {
        bd_buf_release(&b);
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return b.ptr; /* the buffer's memory, handed over */
}

bd_http *bd_http_start(struct ev_loop *loop, const char *listen, const bd_http_opts *o,
                       bd_http_handler h, void *ctx, bd_err *err)
{
    bd_http *s = calloc(1, sizeof *s);
    if (!s || !(s->listen = strdup(listen))) {
        free(s);
        bd_err_set(err, BD_ERR_NOMEM, "%s: out of memory", listen);
        return NULL;
    }
    s->loop = loop;
    s->handler = h;
    s->ctx = ctx;
    bd_buf_init(&s->body);
    if (parse_listen(s, listen, err) < 0) {
        bd_http_stop(s);
        return NULL;
    }
    unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (s->addr.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    if (o && o->tls_cert && o->tls_key) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            bd_err_set(err, BD_ERR_UNSUPPORTED,
                       "%s: this libmicrohttpd has no TLS: [http] tls_cert cannot be served",
                       listen);
            bd_http_stop(s);
            return NULL;
        }
        if (!(s->cert = slurp(o->tls_cert, "tls_cert", err)) ||
            !(s->key = slurp(o->tls_key, "tls_key", err))) {
            bd_http_stop(s);
            return NULL;
        }
        flags |= MHD_USE_TLS;
    }
    if (o && o->auth_user && o->auth_hash) {
        s->auth_user = strdup(o->auth_user);
        s->auth_hash = strdup(o->auth_hash);
        s->cd = calloc(1, sizeof *s->cd);
        if (!s->auth_user || !s->auth_hash || !s->cd) {
            bd_err_set(err, BD_ERR_NOMEM, "%s: out of memory", listen);
            bd_http_stop(s);
            return NULL;
        }
    }
    errno = 0;
    /* TLS options only with TLS: MHD refuses them otherwise */
    s->mhd = s->cert ? MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                                        (struct sockaddr *)&s->addr, MHD_OPTION_CONNECTION_LIMIT,
                                        (unsigned)BD_HTTP_CONN_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
                                        (unsigned)HTTP_CONN_TIMEOUT_S, MHD_OPTION_EXTERNAL_LOGGER,
                                        on_log, s, MHD_OPTION_HTTPS_MEM_CERT, s->cert,
                                        MHD_OPTION_HTTPS_MEM_KEY, s->key, MHD_OPTION_END)
                     : MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                                        (struct sockaddr *)&s->addr, MHD_OPTION_CONNECTION_LIMIT,
                                        (unsigned)BD_HTTP_CONN_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
                                        (unsigned)HTTP_CONN_TIMEOUT_S, MHD_OPTION_EXTERNAL_LOGGER,
                                        on_log, s, MHD_OPTION_END);
    if (!s->mhd) {
        int e = s->log_errno ? s->log_errno : errno;
        if (e == EADDRINUSE)
            bd_err_set(err, BD_ERR_IO, "%s: address already in use", listen);
        else if (e == EACCES)
            bd_err_set(err, BD_ERR_IO,
                       "%s: permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)",
                       listen);
        else if (e == EADDRNOTAVAIL)
            bd_err_set(err, BD_ERR_IO, "%s: address not available on this host", listen);
        else
            bd_err_set(err, BD_ERR_IO, "%s: cannot listen: %s", listen,
                       s->log[0] ? s->log
                       : e       ? strerror(e)
                                 : "libmicrohttpd refused to start");
        bd_http_stop(s);
        return NULL;
    }
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    if (!i || i->epoll_fd < 0) {
        bd_err_set(err, BD_ERR_IO, "%s: libmicrohttpd gave no epoll fd", listen);
        bd_http_stop(s);
        return NULL;
    }
    ev_io_init(&s->io, on_io, i->epoll_fd, EV_READ);
    s->io.data = s;
    ev_io_start(loop, &s->io);
    ev_timer_init(&s->timer, on_timer, 0., 0.);
    s->timer.data = s;
    run_mhd(s);
    return s;
}

void bd_http_stop(bd_http *s)
{
    if (!s) return;
    if (s->mhd) {
        /* the watchers go before MHD closes the fd they watch */
        ev_io_stop(s->loop, &s->io);
        ev_timer_stop(s->loop, &s->timer);
        MHD_stop_daemon(s->mhd);
    }
    bd_buf_release(&s->body);
    free(s->listen);
    if (s->key) explicit_bzero(s->key, strlen(s->key));
    if (s->auth_ok) explicit_bzero(s->auth_ok, strlen(s->auth_ok));
    if (s->cd) explicit_bzero(s->cd, sizeof *s->cd);
    free(s->cert);
    free(s->key);
    free(s->auth_user);
    free(s->auth_hash);
    free(s->auth_ok);
    free(s->cd);
    free(s);
}
