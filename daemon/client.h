/* client.h - asking the running daemon over its HTTP endpoint, for the
 * commands that do (`binlogd gate`, `binlogd snapshot`): where it listens
 * (the config's [http] listen, or --url), how it is reached (HTTPS
 * verified by a CA, basic authentication: --cacert, --user,
 * --password-file or $BINLOGD_HTTP_PASSWORD), and one question with
 * libcurl.  The config is read by the caller without its secrets
 * (bd_config_load_gates): the user asking may not read them.
 *
 * Messages go to stderr as "binlogd CMD: ..."; the functions that print
 * say so.  Ownership: a client owns its curl handle and its copy of the
 * password (wiped by client_release); an answer owns its body and JSON. */
#ifndef BINLOGD_CLIENT_H
#define BINLOGD_CLIENT_H

#include <stddef.h>

#include <curl/curl.h>
#include <jansson.h>

#include "binlogd/buf.h"

struct bd_config;

/* The options every such command takes, as getopt_long entries (ids above
 * the commands' own), and their lines of --help. */
enum { CLIENT_O_URL = 0x200, CLIENT_O_CACERT, CLIENT_O_USER, CLIENT_O_PWFILE };
#define CLIENT_LONGOPTS                                                                            \
    {"url", required_argument, NULL, CLIENT_O_URL},                                                \
        {"cacert", required_argument, NULL, CLIENT_O_CACERT},                                      \
        {"user", required_argument, NULL, CLIENT_O_USER},                                          \
    {                                                                                              \
        "password-file", required_argument, NULL, CLIENT_O_PWFILE                                  \
    }
#define CLIENT_URL_HELP                                                                            \
    "      --url URL       ask the daemon at URL (http://HOST:PORT, as its\n"                      \
    "                      [http] listen says); no config needed, and with -c\n"                   \
    "                      it replaces FILE's [http] listen\n"
#define CLIENT_ACCESS_HELP                                                                         \
    "      --cacert FILE   with HTTPS ([http] tls_cert, or an https:// --url): the\n"              \
    "                      CA to verify the daemon by (default: FILE's tls_cert)\n"                \
    "      --user NAME     basic authentication (default: FILE's [http] auth_user)\n"              \
    "      --password-file F  its password, the first line of F (default: the\n"                   \
    "                      environment variable BINLOGD_HTTP_PASSWORD)\n"

/* Those options as given (pointers into argv). */
typedef struct client_args {
    const char *url, *cacert, *user, *pwfile;
} client_args;

/* Option c of getopt with its optarg: 1 when it is one of CLIENT_LONGOPTS
 * (kept in a), else 0. */
int client_option(client_args *a, int c, const char *arg);

/* --url's value as the base of the daemon's URLs ("https://HOST:PORT",
 * trailing slashes dropped) into out[n].  0, or -1 when it is not
 * http(s)://HOST:PORT (the caller says so: a usage error). */
int client_url_base(const char *url, char *out, size_t n);

/* The base URL of the daemon that c (read from cfg_path) describes: its
 * [http] listen, a wildcard address asked on loopback, https with
 * tls_cert.  0, or -1 after printing why ("binlogd CMD: FILE: [http]
 * listen is not set: the daemon serves no SERVES", or the listen value
 * and what is wrong with it). */
int client_listen_base(const char *cmd, const char *cfg_path, const struct bd_config *c,
                       const char *serves, char *out, size_t n);

/* One daemon to ask. */
typedef struct client {
    const char *cmd;     /* "gate": messages say "binlogd gate: " */
    const char *cacert;  /* the CA (or self-signed certificate) to verify it by */
    const char *userpwd; /* "user:password" for basic authentication, or NULL */
    CURL *e;             /* client_open's handle */
    int global;          /* curl_global_init done */
    char pw[512], up[700];
} client;

/* Start libcurl for command cmd (cl zeroed by the caller; before the
 * others).  0, or -1 after printing why (an error, not a usage error). */
int client_init(client *cl, const char *cmd);

/* TLS and authentication from a, else from c's [http] (c may be zeroed):
 * --cacert or tls_cert; --user or auth_user, with the password from
 * --password-file or $BINLOGD_HTTP_PASSWORD.  0, or -1 after printing why
 * (a usage error: an unreadable password file, a user without password). */
int client_access(client *cl, const client_args *a, const struct bd_config *c);

/* The curl handle for the questions, agent its User-Agent.  0, or -1 after
 * printing "binlogd CMD: cannot start libcurl". */
int client_open(client *cl, const char *agent);

/* Everything of cl released, the password wiped; cl may be zeroed. */
void client_release(client *cl);

/* What one question gave. */
typedef struct client_answer {
    int reached;    /* an HTTP answer came back: status and body are set */
    long status;    /* its HTTP status */
    bd_buf body;    /* what came back (at most 1 MB) */
    json_t *json;   /* the body when it is a JSON object, else NULL */
    char err[2048]; /* when not reached: "cannot ask the daemon at URL: WHY
                     * (is binlogd run with this config running?)" */
} client_answer;
#define CLIENT_ANSWER_INIT                                                                         \
    {                                                                                              \
        0, 0, BD_BUF_INIT, NULL, ""                                                                \
    }

/* Ask method ("GET", or "POST" without a body) at url, for at most
 * timeout_ms; a's previous answer released first. */
void client_ask(client *cl, const char *method, const char *url, long timeout_ms, client_answer *a);
void client_answer_release(client_answer *a);

/* The first line of a's body (at most 200 bytes), and its length. */
const char *client_answer_line(const client_answer *a, int *len);

/* A duration as the config writes them (bd_parse_secs: 30s, 5m, 1h,
 * 500ms), at most a week.  0, or -1. */
int client_parse_duration(const char *s, double *secs);

/* Seconds on the monotonic clock; sleeping secs (signals do not cut it
 * short). */
double client_now(void);
void client_sleep(double secs);

#endif
