/* webhook_recv.c - the Alertmanager stand-in of the real-server tests.
 *
 *   webhook_recv PORT FILE
 *
 * Listens on 127.0.0.1:PORT (0: a port of the kernel's choosing), answers
 * 200 to every POST (405 to anything else) and appends each POST's body to
 * FILE as one line: compact JSON when the body is JSON, else the body with
 * its line breaks removed.  Each line is flushed at once, so a test can
 * grep FILE while this runs.  Prints the port it listens on, then runs
 * until SIGTERM or SIGINT (exit 0).  Errors name what failed; exit 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct upload {
    char *p;
    size_t n;
} upload;

/* One line for body: compact JSON, or the raw bytes without line breaks. */
static void append(FILE *out, const char *body, size_t n)
{
    json_error_t je;
    json_t *j = json_loadb(body, n, 0, &je);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (s) {
        fputs(s, out);
    } else {
        for (size_t i = 0; i < n; i++)
            if (body[i] != '\n' && body[i] != '\r') fputc(body[i], out);
    }
    fputc('\n', out);
    /* the test reads FILE while this runs */
    fflush(out);
    free(s);
    json_decref(j);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    (void)url, (void)version;
    FILE *out = cls;
    upload *u = *con_cls;
    if (!u) { /* the headers: the body follows in later calls */
        if (!(u = calloc(1, sizeof *u))) return MHD_NO;
        *con_cls = u;
        return MHD_YES;
    }
    if (*size) {
        char *p = realloc(u->p, u->n + *size);
        if (!p) return MHD_NO;
        memcpy(p + u->n, data, *size);
        u->p = p;
        u->n += *size;
        *size = 0;
        return MHD_YES;
    }
    int post = !strcmp(method, MHD_HTTP_METHOD_POST);
    /* one polling thread calls this: the writes to out never interleave */
    if (post) append(out, u->p ? u->p : "", u->n);
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) return MHD_NO;
    enum MHD_Result ret =
        MHD_queue_response(c, post ? MHD_HTTP_OK : MHD_HTTP_METHOD_NOT_ALLOWED, r);
    MHD_destroy_response(r);
    return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    upload *u = *con_cls;
    if (u) {
        free(u->p);
        free(u);
    }
    *con_cls = NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: webhook_recv PORT FILE\n");
        return 2;
    }
    char *end;
    unsigned long port = strtoul(argv[1], &end, 10);
    if (!*argv[1] || *end || port > 65535) {
        fprintf(stderr, "webhook_recv: bad port '%s'\n", argv[1]);
        return 2;
    }
    FILE *out = fopen(argv[2], "a");
    if (!out) {
        fprintf(stderr, "webhook_recv: %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    /* blocked before the server's thread starts, so that it inherits the
     * mask and sigwait below is the only taker; a shell starts background
     * jobs with SIGINT ignored, which would discard it */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL,
                         NULL, on_request, out, MHD_OPTION_SOCK_ADDR, &sin,
                         MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "webhook_recv: cannot listen on 127.0.0.1:%lu\n", port);
        fclose(out);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("%u\n", info ? (unsigned)info->port : (unsigned)port);
    fflush(stdout);

    int sig;
    while (sigwait(&stop, &sig) != 0) {
    }
    MHD_stop_daemon(d);
    fclose(out);
    return 0;
}
