/* http.h - the daemon's HTTP endpoint (/metrics, /status, /gates/NAME,
 * /lag): libmicrohttpd driven by the daemon's libev loop.
 *
 * libmicrohttpd runs in "external select" mode with its epoll fd: one
 * ev_io on that fd and one timer call MHD_run(), so requests are served
 * on the loop thread, between the loop's other work; a handler must not
 * block (it formats what the daemon already knows).
 *
 * GET, HEAD and POST are served (405 otherwise); a POST is answered
 * before its body is read (its arguments are in the query string), and a
 * handler answers 405 to a POST of a path that changes nothing.  The listen address is
 * "HOST:PORT" or "[IPv6]:PORT" with a numeric address (names are not
 * resolved); the default in the config is loopback.  At most
 * BD_HTTP_CONN_LIMIT connections; one idle for 10 s is closed.  Beyond
 * loopback it may speak HTTPS only and ask for basic authentication
 * (bd_http_opts).
 *
 * Ownership: bd_http_start() copies listen; the handler's body buffer is
 * owned by the server and valid during the call.
 */
#ifndef BINLOGD_HTTP_H
#define BINLOGD_HTTP_H

#include <ev.h>

#include "binlogd/buf.h"
#include "binlogd/error.h"

typedef struct bd_http bd_http;
typedef struct bd_http_req bd_http_req;

/* The value of a query-string argument (?name=value), or NULL. */
const char *bd_http_arg(const bd_http_req *r, const char *name);
/* A POST (1), or GET or HEAD (0). */
int bd_http_post(const bd_http_req *r);
/* The path of the request, without the query string ("/gates/statement"). */
const char *bd_http_path(const bd_http_req *r);

/* Fill body (and *content_type, default "text/plain; charset=utf-8") and
 * return the HTTP status. */
typedef int (*bd_http_handler)(void *ctx, const bd_http_req *r, bd_buf *body,
                               const char **content_type);

/* Connections served at once.  Far more than scrapes and gate questions
 * need, so that clients that open a connection and then stall or vanish
 * (300 half requests closed at once, 64 that send a byte at a time) do
 * not lock the others out while MHD's idle timeout runs; each costs a
 * file descriptor and MHD's per-connection memory (32 KB at most: a
 * request larger than that is refused with a 4xx answer). */
#define BD_HTTP_CONN_LIMIT 1024

/* HTTPS and basic authentication; a NULL field (or NULL opts): off. */
typedef struct bd_http_opts {
    const char *tls_cert, *tls_key; /* PEM files, read at start */
    const char *auth_user;          /* every request must give this user ... */
    const char *auth_hash;          /* ... and a password of this crypt(3) hash */
} bd_http_opts;

/* Listen and serve on loop.  NULL with err naming the address and why
 * (malformed, in use, not permitted, a TLS file that cannot be read). */
bd_http *bd_http_start(struct ev_loop *loop, const char *listen, const bd_http_opts *o,
                       bd_http_handler h, void *ctx, bd_err *err);
/* The port listened on: the one asked for, or the one the system chose
 * for port 0 (tests use that). */
int bd_http_port(const bd_http *s);
/* Stop listening, end the connections, free. */
void bd_http_stop(bd_http *s);

#endif
