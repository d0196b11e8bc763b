/* cmd_check.c - `binlogd check-config --host H ...`: connect to a source
 * server, run the pre-flight checks (lib/source/preflight.c) and print one line
 * per finding, or one JSON object with --json (docs/source.md, "Pre-flight
 * checks"). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <mysql.h>

#include "binlogd/config.h"
#include "binlogd/kafka.h"
#include "binlogd/sink_kafka.h"
#include "binlogd/metrics.h"
#include "binlogd/parse.h"
#include "binlogd/preflight.h"
#include "binlogd/source_server.h"
#include "cli.h"
#include "commands.h"

enum { EXIT_CLEAN = 0, EXIT_ERRORS = 1, EXIT_USAGE = 2 };

static void check_usage(FILE *f)
{
    fprintf(f, "usage: binlogd check-config -c FILE [--print] [--json] [--offline]\n"
               "       binlogd check-config --host HOST [--port N] [--user NAME]\n"
               "                            [--password-file F] [--ssl-* ...] [--json]\n"
               "\n"
               "With -c, check the config FILE (errors name FILE:LINE; see docs/config.md),\n"
               "its Kafka settings (as librdkafka takes them; no broker is asked), that its\n"
               "state directory can be written, and then the source server it names.\n"
               "--print also prints the effective configuration (secrets hidden).\n"
               "--offline stops before the server: the file, its Kafka settings, its\n"
               "secrets and password file readable, the state directory (for systemd's\n"
               "ExecStartPre: a database down at boot is run's to wait for, not a\n"
               "configuration error).\n"
               "\n"
               "Check that a MySQL or MariaDB server is set up for binlogd: binary log on,\n"
               "binlog_format=ROW, row image and metadata, partial JSON, compression,\n"
               "checksums, GTIDs, binlog retention and the account's grants; with -c also\n"
               "the published tables that have no primary key, and their [keys], and the\n"
               "columns each [columns] rule matches (a rule matching none is a warning; one\n"
               "that leaves a table without its key, an error).  Read-only.\n"
               "Prints one line per finding (ERROR / WARNING / INFO / OK, the variable and\n"
               "its value, what is wrong, why it matters, and the fix) and a summary.\n"
               "\n"
               "      --host HOST       server to check\n"
               "      --port N          TCP port (3306)\n"
               "      --user NAME       account binlogd will use (default: $USER)\n"
               "      --password-file F read the password from the first line of F; else\n"
               "                        from the environment variable BINLOGD_PASSWORD\n"
               "      --connect-timeout SECS  (10)\n"
               "      --ssl-mode MODE   DISABLED, PREFERRED (default), REQUIRED, VERIFY_CA,\n"
               "                        VERIFY_IDENTITY\n"
               "      --ssl-ca FILE, --ssl-capath DIR, --ssl-cert FILE, --ssl-key FILE\n"
               "      --min-retention SECS  binlog retention below this is a warning (86400)\n"
               "      --json            one JSON object {server, findings[], errors, ...}\n"
               "  -c, --config FILE     the daemon's config file\n"
               "      --print           print the effective configuration (with -c)\n"
               "      --offline         check the configuration only, ask no server (with -c)\n"
               "  -h, --help            show this help\n"
               "\n"
               "Exit status: 0 no errors (warnings allowed); 1 at least one error (binlogd\n"
               "cannot work with this server as it is); 2 usage error or cannot connect.\n"
               "With --offline: 0 the configuration is valid, 2 it is not (never 1).\n");
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "binlogd check-config: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    return EXIT_USAGE;
}

static const char *flavor_name(enum bd_flavor f)
{
    return f == BD_FLAVOR_MARIADB ? "MariaDB" : f == BD_FLAVOR_MYSQL ? "MySQL" : "unknown";
}

/* What the [columns] rules do on the server (with -c). */
typedef struct col_findings {
    bd_pf_colrule *cr; /* one per rule */
    size_t n;
    char *problems; /* lines, NULL: none */
    size_t nproblems;
    unsigned char *keys_used; /* per [keys] rule: keys a table whose primary key a rule hides */
} col_findings;

/* Does a table of kt[0..nk) match rule (as its first matching [keys]
 * line)?  If that table is keyed by a unique key, its INFO says that the
 * rule is not used. */
static int keys_rule_seen(const bd_key_rule *rule, const bd_pf_table *kt, size_t nk)
{
    for (size_t i = 0; i < nk; i++)
        if (kt[i].rule == rule) return 1;
    return 0;
}

/* [keys] rule j of c is used: by a table without a primary key, or in
 * place of a primary key that a [columns] rule hides. */
static int keys_rule_used(const bd_config *c, size_t j, const bd_pf_table *kt, size_t nk,
                          const col_findings *cf)
{
    return keys_rule_seen(&c->keys[j], kt, nk) || (cf->keys_used && cf->keys_used[j]);
}

/* Published tables without a primary key nor a unique key in its place. */
static size_t keys_keyless(const bd_pf_table *kt, size_t nk)
{
    size_t n = 0;
    for (size_t i = 0; i < nk; i++)
        n += !kt[i].ukey;
    return n;
}

/* The keys of the published tables without a primary key (with -c):
 * what each gets, counted into r.  kt[0..nk).  A table keyed by a unique
 * key (kt[i].ukey) is one INFO, which also says that its [keys] rule, if
 * any, is not used. */
static void keys_count(const bd_config *c, const bd_pf_table *kt, size_t nk, const col_findings *cf,
                       bd_preflight_report *r)
{
    for (size_t i = 0; i < nk; i++) {
        if (kt[i].ukey)
            r->infos++;
        else if (kt[i].missing[0])
            r->errors++;
        else if (kt[i].rule)
            r->infos++;
        else
            r->warnings++;
    }
    for (size_t j = 0; j < c->nkeys; j++) {
        if (!keys_rule_used(c, j, kt, nk, cf)) r->warnings++;
    }
    if (!keys_keyless(kt, nk) && !c->nkeys) r->oks++;
}

static void keys_text(const bd_config *c, const bd_pf_table *kt, size_t nk, const col_findings *cf)
{
    for (size_t i = 0; i < nk; i++) {
        const bd_pf_table *t = &kt[i];
        if (t->ukey) {
            if (t->rule)
                printf("INFO keys `%s`.`%s`: [keys] %s is not used: the table has no primary "
                       "key but is keyed by its unique key %s (",
                       t->db, t->table, t->rule->pattern, t->ukey);
            else
                printf("INFO keys `%s`.`%s`: no primary key; keyed by its unique key %s (", t->db,
                       t->table, t->ukey);
            for (size_t k = 0; k < t->nukey_cols; k++)
                printf("%s%s", k ? ", " : "", t->ukey_cols[k]);
            printf("), whole NOT NULL columns: the server takes it for the primary key\n");
        } else if (t->missing[0])
            printf("ERROR keys `%s`.`%s`: [keys] %s names column %s, which the table does not "
                   "have (names are compared exactly, case included): binlogd stops at its "
                   "first change. Fix: name the table's columns\n",
                   t->db, t->table, t->rule->pattern, t->missing);
        else if (t->rule) {
            printf("INFO keys `%s`.`%s`: no primary key; keyed by [keys] %s =", t->db, t->table,
                   t->rule->pattern);
            for (size_t k = 0; k < t->rule->ncols; k++)
                printf("%s %s", k ? "," : "", t->rule->cols[k]);
            printf("\n");
        } else {
            printf("WARNING keys `%s`.`%s`: no primary key and no [keys] line: its messages have "
                   "a null key and all go to one partition (chosen by the table's name), so "
                   "its changes keep their order but consumers cannot upsert or compact them. "
                   "Fix: a primary key, or [keys] %s.%s = column, ...\n",
                   t->db, t->table, t->db, t->table);
        }
    }
    for (size_t j = 0; j < c->nkeys; j++) {
        if (!keys_rule_used(c, j, kt, nk, cf))
            printf("WARNING keys [keys] %s: matches no published table without a primary key "
                   "(a typo? a table with a primary key is keyed by it)\n",
                   c->keys[j].pattern);
    }
    if (!keys_keyless(kt, nk) && !c->nkeys)
        printf("OK keys: every published table has a primary key%s\n",
               nk ? " or a unique key that stands in for one" : "");
}

static void columns_count(const col_findings *cf, bd_preflight_report *r)
{
    for (size_t i = 0; i < cf->n; i++) {
        if (cf->cr[i].nmatch)
            r->infos++;
        else
            r->warnings++;
    }
    r->errors += (unsigned)cf->nproblems;
}

static void columns_text(const bd_config *c, const col_findings *cf)
{
    for (size_t i = 0; i < cf->n; i++) {
        const bd_col_rule *rule = cf->cr[i].rule;
        if (cf->cr[i].nmatch)
            printf("INFO columns [columns] %s = %s: %s\n", rule->pattern, rule->action,
                   cf->cr[i].matches);
        else
            printf("WARNING columns [columns] %s = %s (%s:%u) matches no column of a published "
                   "table: a typo leaves the column it meant in clear. Fix: the pattern, as "
                   "db.table.column (names compared exactly, case included)\n",
                   rule->pattern, rule->action, c->path, rule->line);
    }
    for (const char *p = cf->problems; p && *p;) {
        size_t l = strcspn(p, "\n");
        printf("ERROR columns %.*s\n", (int)l, p);
        p += l + (p[l] == '\n');
    }
}

static void print_text(const bd_server_opts *o, const char *version, const bd_preflight_report *r,
                       const bd_config *cfg, const bd_pf_table *kt, size_t nk,
                       const col_findings *cf)
{
    for (size_t i = 0; i < r->n; i++) {
        const bd_pf_finding *f = &r->f[i];
        printf("%s %s=%s: %s", bd_pf_severity_name(f->severity), f->variable, f->value, f->problem);
        if (f->severity != BD_PF_OK && f->why[0]) printf(". %s", f->why);
        if (f->severity != BD_PF_OK && f->fix[0]) printf(". Fix: %s", f->fix);
        printf("\n");
    }
    if (cfg) keys_text(cfg, kt, nk, cf);
    if (cfg) columns_text(cfg, cf);
    printf("%s:%u (%s): %u error%s, %u warning%s, %u info, %u ok: %s\n", o->host,
           o->port ? o->port : 3306, version, r->errors, r->errors == 1 ? "" : "s", r->warnings,
           r->warnings == 1 ? "" : "s", r->infos, r->oks,
           r->errors     ? "binlogd cannot work with this server until the errors are fixed"
           : r->warnings ? "binlogd can work with this server (see the warnings)"
                         : "binlogd can work with this server");
}

static int print_json(const bd_server_opts *o, enum bd_flavor fl, const char *version,
                      const bd_preflight_report *r, const bd_pf_table *kt, size_t nk, int with_keys,
                      const col_findings *cf)
{
    json_t *root = json_object(), *arr = json_array(), *srv = json_object();
    if (!root || !arr || !srv) return -1;
    json_object_set_new(srv, "host", json_string(o->host));
    json_object_set_new(srv, "port", json_integer(o->port ? o->port : 3306));
    json_object_set_new(srv, "flavor", json_string(flavor_name(fl)));
    json_object_set_new(srv, "version", json_string(version));
    json_object_set_new(root, "server", srv);
    for (size_t i = 0; i < r->n; i++) {
        const bd_pf_finding *f = &r->f[i];
        char sev[16];
        snprintf(sev, sizeof sev, "%s", bd_pf_severity_name(f->severity));
        for (char *p = sev; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "severity", sev,
                                             "variable", f->variable, "value", f->value, "problem",
                                             f->problem, "why", f->why, "fix", f->fix));
    }
    json_object_set_new(root, "findings", arr);
    if (with_keys) {
        /* the published tables without a primary key, and their keys: the
         * unique key that stands in for it (then "unique_key" names it and
         * "rule", if any, is not used), or the [keys] rule's columns, or
         * null */
        json_t *ka = json_array();
        for (size_t i = 0; ka && i < nk; i++) {
            const bd_pf_table *t = &kt[i];
            json_t *cols = json_null();
            if (t->ukey) {
                cols = json_array();
                for (size_t k = 0; k < t->nukey_cols; k++)
                    json_array_append_new(cols, json_string(t->ukey_cols[k]));
            } else if (t->rule) {
                cols = json_array();
                for (size_t k = 0; k < t->rule->ncols; k++)
                    json_array_append_new(cols, json_string(t->rule->cols[k]));
            }
            json_array_append_new(ka,
                                  json_pack("{s:s, s:s, s:o, s:s?, s:s?, s:s?}", "db", t->db,
                                            "table", t->table, "key", cols, "unique_key", t->ukey,
                                            "rule", t->rule ? t->rule->pattern : NULL,
                                            "missing_column", t->missing[0] ? t->missing : NULL));
        }
        json_object_set_new(root, "tables_without_primary_key", ka);
        /* each [columns] rule with the published columns it matches (none:
         * a warning), and the tables a rule leaves without a key (errors) */
        json_t *ca = json_array(), *pa = json_array();
        for (size_t i = 0; ca && i < cf->n; i++) {
            json_t *m = json_array();
            for (const char *p = cf->cr[i].matches; m && p && *p;) {
                size_t l = strcspn(p, ",");
                json_array_append_new(m, json_stringn(p, l));
                p += l;
                p += strspn(p, ", ");
            }
            json_array_append_new(ca, json_pack("{s:s, s:s, s:i, s:o}", "pattern",
                                                cf->cr[i].rule->pattern, "action",
                                                cf->cr[i].rule->action, "line",
                                                (int)cf->cr[i].rule->line, "matches", m));
        }
        for (const char *p = cf->problems; pa && p && *p;) {
            size_t l = strcspn(p, "\n");
            json_array_append_new(pa, json_stringn(p, l));
            p += l + (p[l] == '\n');
        }
        json_object_set_new(root, "columns", ca);
        json_object_set_new(root, "column_errors", pa);
    }
    json_object_set_new(root, "errors", json_integer(r->errors));
    json_object_set_new(root, "warnings", json_integer(r->warnings));
    json_object_set_new(root, "infos", json_integer(r->infos));
    json_object_set_new(root, "oks", json_integer(r->oks));
    json_object_set_new(root, "ok", json_boolean(r->errors == 0));
    int rc = json_dumpf(root, stdout, JSON_COMPACT) < 0 ? -1 : 0;
    if (rc == 0) fputc('\n', stdout);
    json_decref(root);
    return rc;
}

enum {
    O_HOST = 0x100,
    O_PORT,
    O_USER,
    O_PWFILE,
    O_CONNECT_TIMEOUT,
    O_SSL_MODE,
    O_SSL_CA,
    O_SSL_CAPATH,
    O_SSL_CERT,
    O_SSL_KEY,
    O_JSON,
    O_MIN_RET,
    O_PRINT,
    O_OFFLINE,
};

/* Connect with o, run the checks (with cfg: also the keys of its
 * published tables), print them; the exit status. */
static int check_server(const bd_server_opts *o, bd_preflight_opts *po, int json,
                        const bd_config *cfg)
{
    MYSQL *m = NULL;
    enum bd_flavor fl = BD_FLAVOR_UNKNOWN;
    char version[128] = "";
    unsigned vnum = 0;
    bd_err err = {0};
    int r = bd_preflight_connect(o, &m, &fl, version, sizeof version, &vnum, &err);
    if (r < 0) {
        fprintf(stderr, "binlogd check-config: %s\n", err.msg);
        return EXIT_USAGE;
    }
    bd_preflight_report *rep = malloc(sizeof *rep);
    if (!rep) {
        mysql_close(m);
        fprintf(stderr, "binlogd check-config: out of memory\n");
        return EXIT_USAGE;
    }
    r = bd_preflight_run(m, fl, vnum, po, rep, &err);
    bd_pf_table *kt = NULL;
    size_t nk = 0;
    if (r == 0 && cfg) r = bd_preflight_keyless(m, cfg, &kt, &nk, &err);
    col_findings cf = {0};
    if (r == 0 && cfg) {
        cf.n = cfg->columns.n;
        r = bd_preflight_columns(m, cfg, kt, nk, &cf.cr, &cf.problems, &cf.nproblems, &cf.keys_used,
                                 &err);
        if (r < 0) cf.n = 0;
    }
    mysql_close(m);
    if (r < 0) {
        fprintf(stderr, "binlogd check-config: %s\n", err.msg);
        free(rep);
        return EXIT_USAGE;
    }
    if (cfg) keys_count(cfg, kt, nk, &cf, rep);
    if (cfg) columns_count(&cf, rep);
    int rc = rep->errors ? EXIT_ERRORS : EXIT_CLEAN;
    if (json) {
        if (print_json(o, fl, version, rep, kt, nk, cfg != NULL, &cf) < 0) {
            fprintf(stderr, "binlogd check-config: out of memory\n");
            rc = EXIT_USAGE;
        }
    } else {
        print_text(o, version, rep, cfg, kt, nk, &cf);
    }
    bd_preflight_columns_free(cf.cr, cf.n, cf.problems, cf.keys_used);
    free(rep);
    free(kt);
    if (rc == EXIT_USAGE) return rc;
    if (fflush(stdout) != 0) {
        fprintf(stderr, "binlogd check-config: writing to stdout failed\n");
        return EXIT_USAGE;
    }
    return rc;
}
int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"config", required_argument, NULL, 'c'},
        {"print", no_argument, NULL, O_PRINT},
        {"host", required_argument, NULL, O_HOST},
        {"port", required_argument, NULL, O_PORT},
        {"user", required_argument, NULL, O_USER},
        {"password-file", required_argument, NULL, O_PWFILE},
        {"connect-timeout", required_argument, NULL, O_CONNECT_TIMEOUT},
        {"ssl-mode", required_argument, NULL, O_SSL_MODE},
        {"ssl-ca", required_argument, NULL, O_SSL_CA},
        {"ssl-capath", required_argument, NULL, O_SSL_CAPATH},
        {"ssl-cert", required_argument, NULL, O_SSL_CERT},
        {"ssl-key", required_argument, NULL, O_SSL_KEY},
        {"json", no_argument, NULL, O_JSON},
        {"min-retention", required_argument, NULL, O_MIN_RET},
        {"offline", no_argument, NULL, O_OFFLINE},
        {NULL, 0, NULL, 0},
    };
    bd_server_opts o;
    memset(&o, 0, sizeof o);
    bd_preflight_opts po;
    memset(&po, 0, sizeof po);
    const char *pwfile = NULL, *cfg_path = NULL;
    int json = 0, print = 0, offline = 0, c;
    unsigned long long v;
    optind = 1;
    while ((c = cli_getopt("check-config", argc, argv, "hc:", opts)) != -1) {
        switch (c) {
        case 'h': check_usage(stdout); return EXIT_CLEAN;
        case 'c': cfg_path = optarg; break;
        case O_PRINT: print = 1; break;
        case O_HOST: o.host = optarg; break;
        case O_PORT:
            if (bd_parse_uint(optarg, 65535, &v) < 0 || v == 0)
                return usage_error("--port wants a number in 1..65535, not '%s'", optarg);
            o.port = (unsigned)v;
            break;
        case O_USER: o.user = optarg; break;
        case O_PWFILE: pwfile = optarg; break;
        case O_CONNECT_TIMEOUT:
            if (bd_parse_uint(optarg, 3600, &v) < 0 || v == 0)
                return usage_error("--connect-timeout wants whole seconds (1 .. 3600), not '%s'",
                                   optarg);
            o.connect_timeout_s = (unsigned)v;
            break;
        case O_SSL_MODE: {
            int m = bd_ssl_mode_parse(optarg);
            if (m < 0)
                return usage_error("--ssl-mode wants DISABLED, PREFERRED, REQUIRED, VERIFY_CA or "
                                   "VERIFY_IDENTITY, not '%s'",
                                   optarg);
            o.ssl_mode = (enum bd_ssl_mode)m;
            break;
        }
        case O_SSL_CA: o.ssl_ca = optarg; break;
        case O_SSL_CAPATH: o.ssl_capath = optarg; break;
        case O_SSL_CERT: o.ssl_cert = optarg; break;
        case O_SSL_KEY: o.ssl_key = optarg; break;
        case O_JSON: json = 1; break;
        case O_OFFLINE: offline = 1; break;
        case O_MIN_RET:
            if (bd_parse_uint(optarg, 100UL * 365 * 86400, &v) < 0 || v == 0)
                return usage_error("--min-retention wants seconds (1 or more), not '%s'", optarg);
            po.min_retention_s = v;
            break;
        default: return EXIT_USAGE; /* cli_getopt said why */
        }
    }
    if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
    if (cfg_path && (o.host || pwfile))
        return usage_error("give either -c FILE or --host and its options, not both%s", "");
    if (!cfg_path && !o.host) return usage_error("give -c FILE or --host HOST%s", "");
    if (print && !cfg_path) return usage_error("--print needs -c FILE%s", "");
    if (offline && !cfg_path) return usage_error("--offline needs -c FILE%s", "");

    char pw[1024];
    bd_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (cfg_path) {
        bd_err cerr = {0};
        char msg[BD_ERRLEN + 64];
        if (bd_config_load(&cfg, cfg_path, &cerr) < 0) {
            fprintf(stderr, "binlogd check-config: %s\n", cerr.msg);
            return EXIT_USAGE;
        }
        if (print) bd_config_print(&cfg, stdout);
        if (cli_state_dir_check(cfg.state_dir, msg, sizeof msg) < 0) {
            fprintf(stderr, "binlogd check-config: %s: %s\n", cfg_path, msg);
            bd_config_release(&cfg);
            return EXIT_USAGE;
        }
        /* what `run` would refuse when it creates its producer (an unknown
         * librdkafka property, a bad value, unsafe acks), without a broker */
        bd_kafka_opts ko;
        bd_ksink_kafka_opts(&cfg, &ko);
        if (bd_kafka_check_settings(&ko, &cerr) < 0) {
            fprintf(stderr, "binlogd check-config: %s: %s\n", cfg_path, cerr.msg);
            bd_config_release(&cfg);
            return EXIT_USAGE;
        }
        uint64_t min_ret = po.min_retention_s;
        if (cli_server_opts(&cfg, &o, pw, sizeof pw, msg, sizeof msg) < 0) {
            fprintf(stderr, "binlogd check-config: %s\n", msg);
            bd_config_release(&cfg);
            return EXIT_USAGE;
        }
        po.min_retention_s = min_ret;
        if (offline) {
            /* the password file read above: readable; the server is run's */
            memset(pw, 0, sizeof pw);
            if (json) {
                json_t *j =
                    json_pack("{s:s,s:b,s:b}", "config", cfg_path, "valid", 1, "offline", 1);
                if (j) json_dumpf(j, stdout, JSON_COMPACT);
                printf("\n");
                json_decref(j);
            } else
                printf("OK config %s: valid, Kafka settings accepted, secrets readable, state "
                       "directory %s writable (offline: no server asked)\n",
                       cfg_path, cfg.state_dir);
            bd_config_release(&cfg);
            return fflush(stdout) == 0 ? EXIT_CLEAN : EXIT_USAGE;
        }
        if (!json)
            printf("OK config %s: valid, Kafka settings accepted, state directory %s writable\n",
                   cfg_path, cfg.state_dir);
    } else if (pwfile) {
        if (cli_read_first_line(pwfile, pw, sizeof pw) < 0) {
            fprintf(stderr, "binlogd check-config: cannot read --password-file %s: %s\n", pwfile,
                    strerror(errno));
            return EXIT_USAGE;
        }
        o.password = pw;
    } else {
        o.password = getenv("BINLOGD_PASSWORD");
    }
    if (!o.user) o.user = getenv("USER");
    /* o's strings point into cfg: released at the end */

    int rc = check_server(&o, &po, json, cfg_path ? &cfg : NULL);
    memset(pw, 0, sizeof pw);
    bd_config_release(&cfg);
    return rc;
}

/* `binlogd config-doc`: docs/config.md from the option table. */
int cmd_config_doc(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: binlogd config-doc > docs/config.md\n");
        return EXIT_CLEAN;
    }
    if (argc > 1) {
        fprintf(stderr, "usage: binlogd config-doc > docs/config.md\n");
        return EXIT_USAGE;
    }
    bd_config_doc(stdout);
    return fflush(stdout) == 0 ? EXIT_CLEAN : EXIT_USAGE;
}

int cmd_metrics_doc(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: binlogd metrics-doc > docs/metrics.md\n");
        return EXIT_CLEAN;
    }
    if (argc > 1) {
        fprintf(stderr, "usage: binlogd metrics-doc > docs/metrics.md\n");
        return EXIT_USAGE;
    }
    bd_metrics_doc(stdout);
    return fflush(stdout) == 0 ? EXIT_CLEAN : EXIT_USAGE;
}
