/* cli.c - see cli.h. */
#include "cli.h"

#include "binlogd/config.h"
#include "binlogd/parse.h"
#include "binlogd/gtid_set.h"
#include "binlogd/source_file.h"
#include "binlogd/source_server.h"

#include <errno.h>
#include <getopt.h>
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
    o->batch_wait_ms = c->batch_wait_ms;
    o->connect_timeout_s = c->connect_timeout_s;
    int m = bd_ssl_mode_parse(c->ssl_mode);
    o->ssl_mode = m < 0 ? BD_SSL_PREFERRED : (enum bd_ssl_mode)m; /* checked at load */
    o->ssl_ca = c->ssl_ca;
    o->ssl_capath = c->ssl_capath;
    o->ssl_cert = c->ssl_cert;
    o->ssl_key = c->ssl_key;
    o->trust_ddl_ahead = c->ddl_ahead == BD_DDL_AHEAD_TRUST;
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
const char *cli_base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

int cli_gtid_start_file(const char *prog, const bd_gtid_set *set, int argc, char **argv, int first)
{
    size_t n = (size_t)(argc - first);
    bd_gtid_set *before = calloc(n, sizeof *before);
    const char **names = calloc(n, sizeof *names);
    bd_buf text = BD_BUF_INIT;
    bd_err err = {0};
    int idx = -1;
    if (!before || !names) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const char *path = argv[first + (int)i];
        enum bd_flavor fl;
        names[i] = cli_base_name(path);
        if (bd_source_file_before(path, names[i], &text, &fl, &err) < 0 ||
            bd_gtid_set_parse_before(&before[i], fl, text.ptr, text.len, &err) < 0) {
            fprintf(stderr, "%s: --gtid: %s\n", prog, err.msg);
            goto out;
        }
        if (set->flavor != BD_FLAVOR_UNKNOWN && before[i].flavor != BD_FLAVOR_UNKNOWN &&
            set->flavor != before[i].flavor) {
            fprintf(stderr, "%s: the GTID is a %s GTID %s but %s was written by %s\n", prog,
                    set->flavor == BD_FLAVOR_MYSQL ? "MySQL" : "MariaDB",
                    set->flavor == BD_FLAVOR_MYSQL ? "set" : "position", names[i],
                    before[i].flavor == BD_FLAVOR_MYSQL ? "MySQL" : "MariaDB");
            goto out;
        }
    }
    idx = bd_gtid_pick_file(set, before, n, names, &err);
    if (idx < 0) fprintf(stderr, "%s: --gtid: %s\n", prog, err.msg);
out:
    for (size_t i = 0; before && i < n; i++)
        bd_gtid_set_release(&before[i]);
    free(before);
    free(names);
    bd_buf_release(&text);
    return idx < 0 ? -1 : first + idx;
}

int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts)
{
    /* ':' first (after a '+'): a missing value is told apart */
    char so[64];
    int plus = shortopts[0] == '+';
    snprintf(so, sizeof so, "%s:%s", plus ? "+" : "", shortopts + plus);
    opterr = 0;
    int c = getopt_long(argc, argv, so, longopts, NULL);
    if (c != '?' && c != ':') return c;
    /* what was given: the argument getopt stopped at */
    const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
    char given[128];
    if (optopt && (optopt < 0x100) && !(arg[0] == '-' && arg[1] == '-'))
        snprintf(given, sizeof given, "-%c", optopt);
    else
        snprintf(given, sizeof given, "%.*s", (int)strcspn(arg, "="), arg);
    if (c == ':') {
        fprintf(stderr, "binlogd %s: option '%s' needs a value; see binlogd %s --help\n", cmd,
                given, cmd);
        return '?';
    }
    const char *names[64];
    size_t n = 0;
    for (const struct option *o = longopts; o && o->name && n < 64; o++)
        names[n++] = o->name;
    const char *near = given[0] == '-' && given[1] == '-' ? bd_closest(given + 2, names, n) : NULL;
    if (near)
        fprintf(stderr,
                "binlogd %s: unknown option '%s' (did you mean '--%s'?); see binlogd %s "
                "--help\n",
                cmd, given, near, cmd);
    else
        fprintf(stderr, "binlogd %s: unknown option '%s'; see binlogd %s --help\n", cmd, given,
                cmd);
    return '?';
}
