/* cmd_dump.c - `binlogd dump FILE...` decodes local binlog files, `binlogd
 * dump --host H ...` streams a live server's binlog as a replica; both
 * print JSON lines on stdout (docs/format.md, docs/source.md). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binlogd/decoder.h"
#include "binlogd/gtid_set.h"
#include "binlogd/parse.h"
#include "binlogd/sink_stdout.h"
#include "binlogd/source_file.h"
#include "binlogd/source_server.h"
#include "cli.h"
#include "commands.h"

/* Exit statuses, also in --help and docs. */
enum {
    EXIT_DONE = 0,
    EXIT_CORRUPT = 1,
    EXIT_USAGE = 2,
    EXIT_INCOMPLETE = 3,
    EXIT_NOT_EXACT = CLI_EXIT_NOT_EXACT
};

static void dump_usage(FILE *f)
{
    fprintf(f,
            "usage: binlogd dump [-c FILE] [--events] [--no-verify] [--on-statement skip]\n"
            "                    [--gtid SET] FILE...\n"
            "       binlogd dump --host HOST [connection options] [start] [--follow]\n"
            "                    [-c FILE] [--events] [--no-verify] [--on-statement skip]\n"
            "\n"
            "Decode MySQL or MariaDB binlog / relay-log files, in the order given, or the\n"
            "binlog of a live server read as a replica, and print one JSON object per row\n"
            "change on stdout (see docs/format.md; the live source: docs/source.md).\n"
            "\n"
            "  -c, --config FILE     apply the [columns] rules of the daemon's config FILE\n"
            "                        (columns left out, masked or hashed as run publishes\n"
            "                        them; only [columns], [hash_key ID] and [keys] used;\n"
            "                        not with --events, whose SQL text they cannot reach).\n"
            "                        Without it every column is printed as it is\n"
            "  -e, --events          also print every non-row event with its decoded fields\n"
            "      --gtid SET        (files) skip the transactions in SET: start at the newest\n"
            "                        FILE whose PREVIOUS_GTIDS / GTID_LIST is inside SET\n"
            "      --no-verify       do not verify CRC32 checksums\n"
            "      --on-statement fail|skip  a row change logged as a statement (INSERT,\n"
            "                        UPDATE, DELETE, LOAD DATA... written as SQL, without\n"
            "                        its rows): fail (default: stop there, exit 65) or skip\n"
            "                        it with a warning on stderr\n"
            "  -h, --help            show this help\n"
            "\n"
            "Live server:\n"
            "      --host HOST       server to read from (with --host, give no FILE)\n"
            "      --port N          TCP port (3306)\n"
            "      --user NAME       account (default: $USER); it needs REPLICATION SLAVE,\n"
            "                        BINLOG MONITOR (MySQL: REPLICATION CLIENT) and SELECT\n"
            "      --password-file F read the password from the first line of F; else\n"
            "                        from the environment variable BINLOGD_PASSWORD\n"
            "      --server-id N     replica id to register with (default %u, not the\n"
            "                        daemon's 424242); every reader of one server needs its\n"
            "                        own: a second one with an id makes the server drop\n"
            "                        the first\n"
            "  start (one of; default: the oldest binlog the server has):\n"
            "      --from FILE[:POS] a binlog file and the position of an event in it (4)\n"
            "      --gtid SET        after this GTID set (MySQL uuid:1-5,...) or MariaDB GTID\n"
            "                        position (domain-server-seq,...)\n"
            "      --from-head       the server's current end of binlog\n"
            "      --follow          keep waiting for new events (else stop at the head);\n"
            "                        reconnects on connection loss and resumes at the last\n"
            "                        complete transaction\n"
            "      --heartbeat SECS  server heartbeat period (5; 0.5 and 500ms also do)\n"
            "      --read-timeout SECS  a silent connection is dead after this (3 x heartbeat)\n"
            "      --batch-wait D    while changes trickle in, wait D (1ms; 0 .. 50ms) to\n"
            "                        read and decode together what arrives meanwhile: one\n"
            "                        wake-up a batch instead of one a transaction\n"
            "      --connect-timeout SECS  (10)\n"
            "      --ssl-mode MODE   DISABLED, PREFERRED (default), REQUIRED, VERIFY_CA,\n"
            "                        VERIFY_IDENTITY\n"
            "      --ssl-ca FILE, --ssl-capath DIR, --ssl-cert FILE, --ssl-key FILE\n"
            "      --schema-history FILE  keep the columns of each table per binlog position\n"
            "                        in FILE (created if missing), so a later run over the\n"
            "                        same positions decodes with the columns of their time;\n"
            "                        needed when binlog_row_metadata is not FULL\n"
            "      --ddl-ahead fail|trust  a table whose columns must come from\n"
            "                        information_schema while a DDL further on, not read\n"
            "                        yet, may have changed them: fail (default: stop before\n"
            "                        its rows, exit 65) or trust (today's columns, a warning)\n"
            "\n"
            "Exit status: 0 all decoded (files), the server's head reached or stopped by\n"
            "SIGINT/SIGTERM (--host); 1 corrupt or undecodable input, or a server error\n"
            "(one line on stderr names file, position, event type and what was wrong, or\n"
            "what the server said and what to do; nothing after it is printed); 2 usage\n"
            "error, or a FILE that cannot be read (nothing is printed); 3 the last event\n"
            "of the last file is incomplete (a file still being written): everything\n"
            "before it was printed; 65 a row change logged as a\n"
            "statement (its rows are not in the binlog), rows of a table whose columns\n"
            "there are not known (--ddl-ahead), or a table the -c rules cannot apply to\n"
            "(no column names, a key column excluded): the message names it, nothing\n"
            "after it is printed.\n",
            BD_DUMP_DEFAULT_REPLICA_ID);
}

/* ---- live server ---------------------------------------------------------- */

/* the source being read: for the signal handler and server_connected */
static bd_source_server *volatile g_source;

static void on_stop_signal(int sig)
{
    (void)sig;
    bd_source_server *s = g_source;
    if (s) bd_source_server_interrupt(s);
}

static void server_log(void *ctx, enum bd_server_level level, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "binlogd dump: %s%s\n", level == BD_SERVER_WARN ? "warning: " : "", msg);
}

/* At a transaction boundary with nothing waiting: write out what the sink
 * buffered, so a follower sees each transaction when it commits. */
/* A connection is open: the server's table name case is known. */
static void server_connected(void *ctx)
{
    bd_sink_stdout *sink = ctx;
    bd_server_identity id;
    bd_source_server_identity(g_source, &id);
    bd_pub_set_fold_case(sink->pub, id.lower_case_names);
}

static int server_idle(void *ctx)
{
    bd_sink_stdout *sink = ctx;
    if (bd_sink_stdout_pending(sink)) return 0;
    return bd_sink_stdout_finish(sink) < 0 ? -1 : 0;
}

typedef struct server_args {
    bd_server_opts o;
    const char *password_file;
    bd_binpos from; /* --from; o.file points into it */
    int any;        /* a server option was given */
    int skip_statements;
    const bd_config *cfg; /* -c: the config whose [columns] (and [keys]) apply */
} server_args;

/* The exit status and message of a decoder stopped by the sink. */
static int sink_failure(const bd_sink_stdout *sink)
{
    fprintf(stderr, "binlogd dump: %s%s\n", sink->err.msg,
            sink->err.code == BD_ERR_STATEMENT ? " (or: --on-statement skip, to go on without it)"
                                               : "");
    return sink->err.code == BD_ERR_STATEMENT || sink->err.code == BD_ERR_COLUMNS ? EXIT_NOT_EXACT
                                                                                  : EXIT_CORRUPT;
}

static int run_server(server_args *a, int events, int verify)
{
    char pw[1024];
    int rc = EXIT_DONE;
    if (a->password_file) {
        if (cli_read_first_line(a->password_file, pw, sizeof pw) < 0) {
            fprintf(stderr, "binlogd dump: cannot read --password-file %s: %s\n", a->password_file,
                    strerror(errno));
            return EXIT_USAGE;
        }
        a->o.password = pw;
    } else {
        a->o.password = getenv("BINLOGD_PASSWORD");
    }
    if (!a->o.user) a->o.user = getenv("USER");
    a->o.detail = events;
    a->o.verify = verify;

    bd_sink_stdout sink;
    if (bd_sink_stdout_init(&sink, stdout, events) < 0) {
        fprintf(stderr, "binlogd dump: out of memory\n");
        return EXIT_CORRUPT;
    }
    bd_sink_stdout_skip_statements(&sink, a->skip_statements);
    bd_sink_stdout_set_config(&sink, a->cfg);
    a->o.log = server_log;
    a->o.on_idle = server_idle;
    a->o.on_connected = server_connected;
    a->o.ctx = &sink;
    bd_callbacks cb = {&sink, bd_sink_stdout_on_event, bd_sink_stdout_on_row};
    bd_err err = {0};
    bd_source_server *s = bd_source_server_new(&a->o, &cb, &err);
    if (a->password_file) memset(pw, 0, sizeof pw);
    if (!s) {
        fprintf(stderr, "binlogd dump: %s\n", err.msg);
        bd_sink_stdout_release(&sink);
        return err.code == BD_ERR_NOMEM ? EXIT_CORRUPT : EXIT_USAGE;
    }

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocked read returns */
    g_source = s;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    enum bd_server_result r = bd_source_server_run(s, &err);

    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    g_source = NULL;

    int stopped_by_sink = r == BD_SERVER_ERROR && err.code == BD_ERR_CALLBACK && sink.err.code;
    int out_failed = (!stopped_by_sink && bd_sink_stdout_finish(&sink) < 0) || sink.io_error;
    if (stopped_by_sink && !sink.io_error) {
        /* what came before the statement is printed, nothing after it
         * (the row of its transaction still held is cut) */
        bd_pub_drop_held(sink.pub);
        bd_buf_reset(&sink.held);
        if (sink.io.len) fwrite(sink.io.ptr, 1, sink.io.len, stdout);
        fflush(stdout);
        rc = sink_failure(&sink);
    } else if (r == BD_SERVER_ERROR) {
        rc = err.code == BD_ERR_UNKNOWN_SCHEMA ? EXIT_NOT_EXACT : EXIT_CORRUPT;
        if (err.code == BD_ERR_CALLBACK && out_failed)
            fprintf(stderr, "binlogd dump: writing to stdout failed\n");
        else
            fprintf(stderr, "binlogd dump: %s\n", err.msg);
    } else if (out_failed) {
        fprintf(stderr, "binlogd dump: writing to stdout failed\n");
        rc = EXIT_CORRUPT;
    }
    bd_source_server_free(s);
    bd_sink_stdout_release(&sink);
    return rc;
}

/* ---- files ------------------------------------------------------------------ */

static int run_files(int argc, char **argv, int first, int events, int verify, const char *gtid,
                     int skip_statements, const bd_config *cfg)
{
    bd_gtid_set set = BD_GTID_SET_INIT;
    bd_gtid_filter filter;
    /* a file that cannot be read is a wrong argument, not corrupt input:
     * said before anything is printed */
    for (int i = first; i < argc; i++) {
        struct stat st;
        int e = stat(argv[i], &st) < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
        if (!e && access(argv[i], R_OK) < 0) e = errno;
        if (e) {
            fprintf(stderr, "binlogd dump: %s: %s\n", argv[i], strerror(e));
            return EXIT_USAGE;
        }
    }
    if (gtid) {
        bd_err perr = {0};
        if (bd_gtid_set_parse(&set, BD_FLAVOR_UNKNOWN, gtid, strlen(gtid), &perr) < 0) {
            fprintf(stderr, "binlogd dump: --gtid %s: %s\n", gtid, perr.msg);
            return EXIT_USAGE;
        }
        first = cli_gtid_start_file("binlogd dump", &set, argc, argv, first);
        if (first < 0) {
            bd_gtid_set_release(&set);
            return EXIT_CORRUPT;
        }
    }
    bd_sink_stdout sink;
    if (bd_sink_stdout_init(&sink, stdout, events) < 0) {
        fprintf(stderr, "binlogd dump: out of memory\n");
        bd_gtid_set_release(&set);
        return EXIT_CORRUPT;
    }
    bd_sink_stdout_skip_statements(&sink, skip_statements);
    bd_sink_stdout_set_config(&sink, cfg);
    bd_callbacks cb = {&sink, bd_sink_stdout_on_event, bd_sink_stdout_on_row};
    if (gtid) cb = bd_gtid_filter_wrap(&filter, &set, &cb);
    bd_decoder *d = bd_decoder_new(&cb);
    if (!d) {
        fprintf(stderr, "binlogd dump: out of memory\n");
        bd_sink_stdout_release(&sink);
        bd_gtid_set_release(&set);
        return EXIT_CORRUPT;
    }
    bd_decoder_set_detail(d, events);
    bd_decoder_set_verify(d, verify);
    int rc = EXIT_DONE;
    bd_err err = {0};
    int stopped_by_sink = 0;
    for (int i = first; i < argc && rc == EXIT_DONE; i++) {
        const char *path = argv[i];
        enum bd_file_result r = bd_source_file_run(d, path, cli_base_name(path), &err);
        if (r == BD_FILE_ERROR && err.code == BD_ERR_CALLBACK && sink.err.code) {
            stopped_by_sink = 1;
            rc = EXIT_CORRUPT;
        } else if (r == BD_FILE_ERROR) {
            rc = EXIT_CORRUPT;
        } else if (r == BD_FILE_INCOMPLETE) {
            /* Only the last file can be still growing; earlier ones are broken. */
            rc = i == argc - 1 ? EXIT_INCOMPLETE : EXIT_CORRUPT;
        }
    }
    if (stopped_by_sink) {
        /* what came before it is printed, nothing after it (the row of
         * its transaction still held is cut) */
        bd_pub_drop_held(sink.pub);
        if (!sink.io_error && sink.io.len) fwrite(sink.io.ptr, 1, sink.io.len, stdout);
        fflush(stdout);
        rc = sink_failure(&sink);
    } else if (bd_sink_stdout_finish(&sink) < 0 && rc == EXIT_DONE) {
        fprintf(stderr, "binlogd dump: writing to stdout failed\n");
        rc = EXIT_CORRUPT;
    }
    if (rc == EXIT_CORRUPT && !stopped_by_sink)
        fprintf(stderr, "binlogd dump: %s\n", err.msg);
    else if (rc == EXIT_INCOMPLETE)
        fprintf(stderr, "binlogd dump: warning: %s\n", err.msg);
    bd_sink_stdout_release(&sink);
    bd_decoder_free(d);
    bd_gtid_set_release(&set);
    return rc;
}

enum {
    O_NOVERIFY = 0x100,
    O_ON_STATEMENT,
    O_HOST,
    O_PORT,
    O_USER,
    O_PWFILE,
    O_SERVER_ID,
    O_FROM,
    O_GTID,
    O_FROM_HEAD,
    O_FOLLOW,
    O_HEARTBEAT,
    O_BATCH_WAIT,
    O_READ_TIMEOUT,
    O_CONNECT_TIMEOUT,
    O_SSL_MODE,
    O_SSL_CA,
    O_SSL_CAPATH,
    O_SSL_CERT,
    O_SSL_KEY,
    O_SCHEMA_HISTORY,
    O_DDL_AHEAD,
};

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "binlogd dump: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    return EXIT_USAGE;
}

int cmd_dump(int argc, char **argv)
{
    static const struct option opts[] = {
        {"events", no_argument, NULL, 'e'},
        {"no-verify", no_argument, NULL, O_NOVERIFY},
        {"on-statement", required_argument, NULL, O_ON_STATEMENT},
        {"help", no_argument, NULL, 'h'},
        {"host", required_argument, NULL, O_HOST},
        {"port", required_argument, NULL, O_PORT},
        {"user", required_argument, NULL, O_USER},
        {"password-file", required_argument, NULL, O_PWFILE},
        {"server-id", required_argument, NULL, O_SERVER_ID},
        {"from", required_argument, NULL, O_FROM},
        {"gtid", required_argument, NULL, O_GTID},
        {"from-head", no_argument, NULL, O_FROM_HEAD},
        {"follow", no_argument, NULL, O_FOLLOW},
        {"heartbeat", required_argument, NULL, O_HEARTBEAT},
        {"batch-wait", required_argument, NULL, O_BATCH_WAIT},
        {"read-timeout", required_argument, NULL, O_READ_TIMEOUT},
        {"connect-timeout", required_argument, NULL, O_CONNECT_TIMEOUT},
        {"ssl-mode", required_argument, NULL, O_SSL_MODE},
        {"ssl-ca", required_argument, NULL, O_SSL_CA},
        {"ssl-capath", required_argument, NULL, O_SSL_CAPATH},
        {"ssl-cert", required_argument, NULL, O_SSL_CERT},
        {"ssl-key", required_argument, NULL, O_SSL_KEY},
        {"schema-history", required_argument, NULL, O_SCHEMA_HISTORY},
        {"ddl-ahead", required_argument, NULL, O_DDL_AHEAD},
        {"config", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    int events = 0, verify = 1, c;
    server_args a;
    memset(&a, 0, sizeof a);
    a.o.batch_wait_ms = 1; /* as [source] batch_wait */
    bd_config cfg = {0};
    int have_cfg = 0;
    unsigned long long v;
    int rc = EXIT_DONE;
    optind = 1;
    while ((c = cli_getopt("dump", argc, argv, "ehc:", opts)) != -1) {
        if (c >= O_HOST && c != O_GTID) a.any = 1;
        switch (c) {
        case 'e': events = 1; break;
        case 'c': {
            bd_err err = {0};
            if (have_cfg) {
                rc = usage_error("-c given twice%s", "");
                goto out;
            }
            /* only the column rules (and their keys) are taken from it */
            if (bd_config_load_columns(&cfg, optarg, &err) < 0) {
                fprintf(stderr, "binlogd dump: %s\n", err.msg);
                rc = EXIT_USAGE;
                goto out;
            }
            have_cfg = 1;
            a.cfg = &cfg;
            break;
        }
        case O_NOVERIFY: verify = 0; break;
        case O_ON_STATEMENT:
            if (strcmp(optarg, "fail") && strcmp(optarg, "skip")) {
                rc = usage_error("--on-statement wants fail or skip, not '%s'", optarg);
                goto out;
            }
            a.skip_statements = !strcmp(optarg, "skip");
            break;
        case 'h':
            dump_usage(stdout);
            rc = EXIT_DONE;
            goto out;
        case O_HOST: a.o.host = optarg; break;
        case O_PORT:
            if (bd_parse_uint(optarg, 65535, &v) < 0 || v == 0) {
                rc = usage_error("--port wants a number in 1..65535, not '%s'", optarg);
                goto out;
            }
            a.o.port = (unsigned)v;
            break;
        case O_USER: a.o.user = optarg; break;
        case O_PWFILE: a.password_file = optarg; break;
        case O_SERVER_ID:
            if (bd_parse_uint(optarg, UINT32_MAX, &v) < 0 || v == 0) {
                rc = usage_error("--server-id wants a number in 1..4294967295, not '%s'", optarg);
                goto out;
            }
            a.o.server_id = (uint32_t)v;
            break;
        case O_FROM:
            if (a.o.file) {
                rc = usage_error("--from given twice%s", "");
                goto out;
            }
            if (bd_binpos_parse(optarg, &a.from) < 0) {
                rc = usage_error("--from wants FILE[:POS]: a binlog name as SHOW BINARY LOGS "
                                 "lists it and the start of an event in it, 4..4294967295 "
                                 "(4 when omitted), not '%s'",
                                 optarg);
                goto out;
            }
            a.o.file = a.from.file;
            a.o.pos = a.from.pos;
            break;
        case O_GTID: a.o.gtid = optarg; break;
        case O_FROM_HEAD: a.o.from_head = 1; break;
        case O_FOLLOW: a.o.follow = 1; break;
        case O_HEARTBEAT: {
            double h;
            if (bd_parse_secs(optarg, &h) < 0 || !(h >= 0.001 && h <= 4294967.0)) {
                rc = usage_error("--heartbeat wants seconds (0.001 .. 4294967; 500ms, 2s, 1m), "
                                 "not '%s'",
                                 optarg);
                goto out;
            }
            a.o.heartbeat_s = h;
            break;
        }
        case O_BATCH_WAIT: {
            double w;
            if (bd_parse_secs(optarg, &w) < 0 || !(w >= 0 && w <= 0.05)) {
                rc = usage_error("--batch-wait wants a duration of 0 .. 50ms, not '%s'", optarg);
                goto out;
            }
            a.o.batch_wait_ms = (unsigned)(w * 1000 + 0.5);
            break;
        }
        case O_READ_TIMEOUT:
            if (bd_parse_uint(optarg, 86400, &v) < 0 || v == 0) {
                rc = usage_error("--read-timeout wants whole seconds (1 .. 86400), not '%s'",
                                 optarg);
                goto out;
            }
            a.o.read_timeout_s = (unsigned)v;
            break;
        case O_CONNECT_TIMEOUT:
            if (bd_parse_uint(optarg, 3600, &v) < 0 || v == 0) {
                rc = usage_error("--connect-timeout wants whole seconds (1 .. 3600), not '%s'",
                                 optarg);
                goto out;
            }
            a.o.connect_timeout_s = (unsigned)v;
            break;
        case O_SSL_MODE: {
            int m = bd_ssl_mode_parse(optarg);
            if (m < 0) {
                rc = usage_error("--ssl-mode wants DISABLED, PREFERRED, REQUIRED, VERIFY_CA or "
                                 "VERIFY_IDENTITY, not '%s'",
                                 optarg);
                goto out;
            }
            a.o.ssl_mode = (enum bd_ssl_mode)m;
            break;
        }
        case O_SSL_CA: a.o.ssl_ca = optarg; break;
        case O_SSL_CAPATH: a.o.ssl_capath = optarg; break;
        case O_SSL_CERT: a.o.ssl_cert = optarg; break;
        case O_SSL_KEY: a.o.ssl_key = optarg; break;
        case O_SCHEMA_HISTORY: a.o.schema_history = optarg; break;
        case O_DDL_AHEAD:
            if (strcmp(optarg, "fail") && strcmp(optarg, "trust")) {
                rc = usage_error("--ddl-ahead wants fail or trust, not '%s'", optarg);
                goto out;
            }
            a.o.trust_ddl_ahead = !strcmp(optarg, "trust");
            break;
        default: /* cli_getopt said why */ rc = EXIT_USAGE; goto out;
        }
    }
    if (have_cfg && events) {
        /* statements, annotations and user variables carry values in the
         * clear, which no rule can reach */
        rc = usage_error("-c and --events do not go together: the events' SQL text (ROWS_QUERY, "
                         "ANNOTATE_ROWS, QUERY, USER_VAR) can hold the values the [columns] "
                         "rules hide%s",
                         "");
        goto out;
    }
    if (a.o.host) {
        if (optind < argc) {
            rc = usage_error("give either FILEs or --host, not both (got '%s' with --host)",
                             argv[optind]);
            goto out;
        }
        /* never the daemon's default id by default */
        if (!a.o.server_id) a.o.server_id = BD_DUMP_DEFAULT_REPLICA_ID;
        int starts = (a.o.file != NULL) + (a.o.gtid != NULL) + a.o.from_head;
        if (starts > 1) {
            rc = usage_error("give only one of --from, --gtid and --from-head%s", "");
            goto out;
        }
        rc = run_server(&a, events, verify);
        goto out;
    }
    if (a.any) {
        rc = usage_error("server options need --host (files are read without them)%s", "");
        goto out;
    }
    if (optind >= argc) {
        fprintf(stderr, "binlogd dump: no files given (and no --host to read a server)\n");
        dump_usage(stderr);
        rc = EXIT_USAGE;
        goto out;
    }
    rc = run_files(argc, argv, optind, events, verify, a.o.gtid, a.skip_statements, a.cfg);
out:
    if (have_cfg) bd_config_release(&cfg);
    return rc;
}
