/* cli.c - see cli.h. */
#include "cli.h"

#include "binlogd/config.h"
#include "binlogd/source_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_read_first_line(const char *path, char *out, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    if (!fgets(out, (int)n, f)) out[0] = '\0';
    int e = ferror(f);
    fclose(f);
    if (e) return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

int cli_parse_uint(const char *s, unsigned long long max, unsigned long long *v)
{
    if (!s || !*s || *s == '-') return -1;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end || x > max) return -1;
    *v = x;
    return 0;
}

int cli_server_opts(const bd_config *c, bd_server_opts *o, char *pw, size_t n, char *err,
                    size_t errn)
{
    memset(o, 0, sizeof *o);
    o->host = c->host;
    o->port = c->port;
    o->user = c->user;
    o->server_id = c->server_id;
    o->heartbeat_s = c->heartbeat_s;
    o->read_timeout_s = c->read_timeout_s;
    o->connect_timeout_s = c->connect_timeout_s;
    int m = bd_ssl_mode_parse(c->ssl_mode);
    o->ssl_mode = m < 0 ? BD_SSL_PREFERRED : (enum bd_ssl_mode)m; /* checked at load */
    o->ssl_ca = c->ssl_ca;
    o->ssl_capath = c->ssl_capath;
    o->ssl_cert = c->ssl_cert;
    o->ssl_key = c->ssl_key;
    o->verify = 1;
    bd_err e = {0};
    if (bd_config_source_password(c, pw, n, &e) < 0) {
        snprintf(err, errn, "%s: %s", c->path, e.msg);
        return -1;
    }
    o->password = pw[0] ? pw : NULL;
    return 0;
}

int cli_state_dir_check(const char *dir, char *err, size_t n)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            snprintf(err, n, "state directory %s is not a directory", dir);
            return -1;
        }
        if (access(dir, W_OK | X_OK) != 0) {
            snprintf(err, n, "state directory %s is not writable by this user: %s", dir,
                     strerror(errno));
            return -1;
        }
        return 0;
    }
    if (errno != ENOENT) {
        snprintf(err, n, "state directory %s: %s", dir, strerror(errno));
        return -1;
    }
    /* missing: `binlogd run` creates it if it can */
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash == parent)
        parent[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        snprintf(parent, sizeof parent, ".");
    if (access(parent, W_OK | X_OK) != 0) {
        snprintf(err, n, "state directory %s does not exist and %s is not writable to create it",
                 dir, parent);
        return -1;
    }
    return 0;
}
