/* cmd_replay.c - `binlogd replay -c FILE --from FILE:POS [--to FILE:POS]`:
 * re-publish an exact binlog range, whole transactions, without touching
 * the daemon's checkpoint or schema history.  The arguments, the wiring and
 * the summary; the engine is lib/publish/replay.c (replay.h), the messages the
 * daemon's publish stage and Kafka sink.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "binlogd/parse.h"
#include "binlogd/replay.h"
#include "binlogd/tz.h"
#include "cli.h"
#include "commands.h"

enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1,
    EXIT_USAGE = 2,
    EXIT_NOT_EXACT = CLI_EXIT_NOT_EXACT,
    EXIT_STOPPED = 130
};

/* What the signal handler reaches: the flag, and the replay whose stream
 * it interrupts. */
static volatile sig_atomic_t g_stop;
static bd_replay *volatile g_replay;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
    bd_replay *r = g_replay;
    bd_source_server *s = r ? r->source : NULL;
    if (s) bd_source_server_interrupt(s);
}

/* The progress bar's state (the replay's progress_ctx). */
typedef struct progress_state {
    struct timespec t0, last;
    int tty;
} progress_state;

static double elapsed(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static int before(const char *fa, uint64_t pa, const char *fb, uint64_t pb)
{
    return bd_binlog_pos_cmp(fa, pa, fb, pb) < 0;
}

static void progress(bd_replay *r, const char *file, uint64_t pos, int final)
{
    progress_state *ps = r->progress_ctx;
    if (!ps->tty && !final) {
        if (elapsed(&ps->last) < 10) return;
    } else if (!final && elapsed(&ps->last) < 0.2) {
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &ps->last);
    double t = elapsed(&ps->t0);
    double rate = t > 0 ? (double)r->rows / t : 0;
    /* bytes from the start to file:pos, from the files' sizes */
    uint64_t done = 0;
    for (size_t i = 0; i < r->nsizes; i++) {
        if (!before(r->sizes[i].name, 0, r->start_file, 0) && before(r->sizes[i].name, 0, file, 0))
            done += r->sizes[i].size;
    }
    done += pos;
    done = done > r->start_pos ? done - r->start_pos : 0;
    char eta[32] = "";
    if (r->total_bytes && done > 0 && t > 0.5 && done < r->total_bytes)
        snprintf(eta, sizeof eta, ", ETA %.0f s",
                 (double)(r->total_bytes - done) * t / (double)done);
    if (ps->tty) {
        int width = 30, fill = r->total_bytes ? (int)(done * (uint64_t)width / r->total_bytes) : 0;
        if (fill > width) fill = width;
        fprintf(stderr, "\r[%.*s%*s] %s:%llu  %llu rows  %.0f rows/s%s   ", fill,
                "##############################", width - fill, "", file, (unsigned long long)pos,
                (unsigned long long)r->rows, rate, eta);
        if (final) fputc('\n', stderr);
    } else {
        fprintf(stderr, "binlogd replay: at %s:%llu, %llu row changes, %.0f rows/s%s\n", file,
                (unsigned long long)pos, (unsigned long long)r->rows, rate, eta);
    }
}

static void replay_usage(FILE *f)
{
    fputs("usage: binlogd replay -c FILE START [END] [--tables T,...]\n"
          "                      [--topic-suffix S | --topic TEMPLATE | --stdout] [--dry-run]\n"
          "                      [--id ID] [--server-id N] [--schema-history FILE|none]\n"
          "                      [--files BINLOG...]\n"
          "\n"
          "Re-publish the row changes of a binlog range to Kafka (the daemon's topics, or\n"
          "others), or print them (--stdout), whole transactions only: a start inside a\n"
          "transaction replays that transaction from its beginning, and every transaction\n"
          "that starts before the end is replayed whole.  The daemon's checkpoint and\n"
          "schema history are never touched.  Each message carries the headers\n"
          "binlogd.replay.id and binlogd.replay.pos (FILE:POS of its row event).\n"
          "\n"
          "  -c, --config FILE     the daemon's configuration: source, [kafka], [filter],\n"
          "                        [daemon] max_in_flight and max_in_flight_bytes, [keys],\n"
          "                        [columns] with its [hash_key ID] keys (columns left out,\n"
          "                        masked or hashed as the daemon publishes them)\n"
          "START (one of):\n"
          "      --from FILE[:POS] a binlog position (POS 4 when omitted)\n"
          "      --from gtid:SET   after the transactions of a GTID set (MySQL\n"
          "                        uuid:1-100) or MariaDB position (0-1-100)\n"
          "      --start-datetime T  transactions committed at or after T: RFC 3339, or\n"
          "                        YYYY-MM-DD HH:MM[:SS] in --timezone (default UTC); the\n"
          "                        start file is found from the files' first event times\n"
          "      --gtid SET        exactly the transactions of SET (both ends): a MySQL\n"
          "                        GTID set (uuid:1-5:7,uuid2:3) or MariaDB GTIDs with\n"
          "                        optional stretches (0-1-5,0-1-9..12); exit 1 when the\n"
          "                        binlog lacks some of them (they are named)\n"
          "END (default: the server's head, or the end of the last file):\n"
          "      --to FILE[:POS]   transactions that start before it (FILE alone: before\n"
          "                        that file's start)\n"
          "      --to gtid:SET     up to and with the transactions of the set\n"
          "      --stop-datetime T transactions committed before T\n"
          "      --timezone ZONE   of the datetimes (IANA name, UTC or +HH:MM)\n"
          "Options:\n"
          "      --tables T,...    only these tables (db.table patterns with * and ?);\n"
          "                        default: the config's [filter]\n"
          "      --topic-suffix S  publish to the daemon's topic names + S\n"
          "      --topic TEMPLATE  publish to other topics: {source}, {db}, {table}\n"
          "      --stdout          print JSON lines (as binlogd dump) instead of publishing\n"
          "      --dry-run         publish nothing; print \"table DB.TABLE ROWS\" lines\n"
          "      --id ID           the replay id in the headers (default: generated)\n"
          "      --server-id N     replica id on the live server (default: the config's\n"
          "                        server_id + 1; two readers must not share one)\n"
          "      --schema-history FILE  the columns of tables before a DDL in the range,\n"
          "                        for binlogs without column names (binlog_row_metadata\n"
          "                        below FULL); default: the daemon's, in [state] dir, if\n"
          "                        there (a copy is read: the daemon's file is not\n"
          "                        touched); none: no history (the server's columns of\n"
          "                        today; with --files, none at all).  With --files,\n"
          "                        a history of another server is refused (MySQL files\n"
          "                        do not name their server: there only one of a\n"
          "                        MariaDB server)\n"
          "      --files BINLOG... read these archived binlog files instead of the server:\n"
          "                        every remaining argument is a file, in binlog order,\n"
          "                        each once (all are checked before anything is read)\n"
          "  -h, --help            this help\n"
          "\n"
          "Exit status: 0 every message acknowledged (a re-run is safe: consumers see\n"
          "duplicates, marked); 1 an error or a message Kafka did not take; 2 usage;\n"
          "65 a row change in the range is logged as a statement (its rows are not in the\n"
          "binlog; [source] on_statement = skip replays without it), or a table's columns\n"
          "at a position are not known ([source] ddl_ahead), or a [columns] rule\n"
          "cannot apply to a table (no column names, a key column hidden); 130 interrupted\n"
          "(SIGINT/SIGTERM): the summary says how far it got and the command that\n"
          "continues.\n",
          f);
}

/* A return before the replay began: what the arguments allocated. */

/* One word of a command to paste into a shell: quoted when it needs it. */
static void put_word(const char *w)
{
    if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                        "_./:=,+-@%") == strlen(w)) {
        fprintf(stderr, " %s", w);
        return;
    }
    fputs(" '", stderr);
    for (; *w; w++)
        if (*w == '\'')
            fputs("'\\''", stderr);
        else
            fputc(*w, stderr);
    fputc('\'', stderr);
}

static void summary(bd_replay *r, const progress_state *ps, int argc, char **argv, int stopped)
{
    double t = elapsed(&ps->t0);
    if (r->any_txn && !r->last_file[0])
        fprintf(stderr, "replay %s: no transaction ended; the first began at %s:%llu\n", r->id,
                r->first_file, (unsigned long long)r->first_pos);
    else if (r->any_txn)
        fprintf(stderr, "replay %s: covered %s:%llu .. %s:%llu (whole transactions%s)\n", r->id,
                r->first_file, (unsigned long long)r->first_pos, r->last_file,
                (unsigned long long)r->last_pos,
                r->has_from_pos && before(r->first_file, r->first_pos, r->from_file, r->from_pos)
                    ? "; the start was widened back to its transaction's start"
                    : "");
    else
        fprintf(stderr, "replay %s: no transaction in the range\n", r->id);
    fprintf(stderr, "replay %s: %llu transactions, %llu row changes in %.2f s (%.0f rows/s)\n",
            r->id, (unsigned long long)r->txns, (unsigned long long)r->rows, t,
            t > 0 ? (double)r->rows / t : 0.0);
    for (size_t i = 0; i < r->ncounts; i++)
        fprintf(stderr, "replay %s:   %s %llu\n", r->id, r->counts[i].name,
                (unsigned long long)r->counts[i].rows);
    uint64_t sent, acked, failed;
    bd_replay_delivery(r, &sent, &acked, &failed);
    if (!r->dry_run)
        fprintf(stderr, "replay %s: acknowledged %llu of %llu\n", r->id, (unsigned long long)acked,
                (unsigned long long)sent);
    bd_ksink_counts kc = {0};
    if (r->sink) bd_ksink_counts_get(r->sink, &kc);
    if (kc.oversize_skipped)
        fprintf(stderr,
                "replay %s: %llu row changes bigger than Kafka takes skipped (kafka.oversize = "
                "skip)\n",
                r->id, (unsigned long long)kc.oversize_skipped);
    if (stopped && r->next_file[0]) {
        /* the same command with the start moved on: --gtid to what is left,
         * any other start to --from the next transaction (first, because
         * every argument after --files is a file) */
        bd_buf rest;
        bd_buf_init(&rest);
        if (r->nonly) bd_replay_gtid_rest(r, &rest);
        fprintf(stderr,
                "replay %s: stopped; the next transaction starts at %s:%llu. Continue with:\n  "
                "binlogd replay",
                r->id, r->next_file, (unsigned long long)r->next_pos);
        if (!r->nonly)
            fprintf(stderr, " --from %s:%llu", r->next_file, (unsigned long long)r->next_pos);
        for (int i = 1; i < argc; i++) {
            static const char *const starts[] = {"--from", "--start-datetime", "--gtid"};
            size_t k = 0, n = 0;
            for (; k < 3; k++) {
                n = strlen(starts[k]);
                if (!strncmp(argv[i], starts[k], n) && (!argv[i][n] || argv[i][n] == '=')) break;
            }
            if (k == 3) {
                put_word(argv[i]);
                continue;
            }
            if (!argv[i][n]) i++; /* its value is the next argument */
            if (k == 2) {
                fputs(" --gtid", stderr);
                put_word(rest.ptr);
            }
        }
        fputc('\n', stderr);
        bd_buf_release(&rest);
    }
}

static int usage_error(const char *what)
{
    fprintf(stderr, "binlogd replay: %s (binlogd replay --help)\n", what);
    return EXIT_USAGE;
}

/* The arguments as given, before they are checked. */
typedef struct args {
    const char *path, *from, *to, *id, *start_dt, *stop_dt, *zone, *only, *hist;
    unsigned long long sid;
    int files, nfiles;
    char **fileargs;
} args;

/* getopt: -1 with the exit status in *rc (help, or a usage error). */
static int read_args(bd_replay *r, args *a, int argc, char **argv, int *rc)
{
    enum {
        O_FROM = 0x100,
        O_TO,
        O_TABLES,
        O_SUFFIX,
        O_STDOUT,
        O_DRY,
        O_ID,
        O_SID,
        O_FILES,
        O_START_DT,
        O_STOP_DT,
        O_TZ,
        O_TOPIC,
        O_GTID,
        O_HIST
    };
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"from", required_argument, NULL, O_FROM},
        {"to", required_argument, NULL, O_TO},
        {"tables", required_argument, NULL, O_TABLES},
        {"topic-suffix", required_argument, NULL, O_SUFFIX},
        {"stdout", no_argument, NULL, O_STDOUT},
        {"dry-run", no_argument, NULL, O_DRY},
        {"id", required_argument, NULL, O_ID},
        {"server-id", required_argument, NULL, O_SID},
        {"files", no_argument, NULL, O_FILES},
        {"start-datetime", required_argument, NULL, O_START_DT},
        {"stop-datetime", required_argument, NULL, O_STOP_DT},
        {"timezone", required_argument, NULL, O_TZ},
        {"topic", required_argument, NULL, O_TOPIC},
        {"gtid", required_argument, NULL, O_GTID},
        {"schema-history", required_argument, NULL, O_HIST},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    a->zone = "UTC";
    optind = 1;
    *rc = EXIT_USAGE;
    while (!a->files && (c = cli_getopt("replay", argc, argv, "+c:h", opts)) != -1) {
        switch (c) {
        case 'c': a->path = optarg; break;
        case O_FROM: a->from = optarg; break;
        case O_TO: a->to = optarg; break;
        case O_TABLES: r->tables = optarg; break;
        case O_SUFFIX: r->topic_suffix = optarg; break;
        case O_STDOUT: r->to_stdout = 1; break;
        case O_DRY: r->dry_run = 1; break;
        case O_ID: a->id = optarg; break;
        case O_SID:
            if (bd_parse_uint(optarg, 4294967295ULL, &a->sid) < 0 || !a->sid)
                return usage_error("--server-id wants a number 1..4294967295"), -1;
            break;
        case O_FILES: a->files = 1; break;
        case O_START_DT: a->start_dt = optarg; break;
        case O_STOP_DT: a->stop_dt = optarg; break;
        case O_TZ: a->zone = optarg; break;
        case O_TOPIC: r->topic_template = optarg; break;
        case O_GTID: a->only = optarg; break;
        case O_HIST: a->hist = optarg; break;
        case 'h':
            replay_usage(stdout);
            *rc = EXIT_OK;
            return -1;
        default: return -1; /* cli_getopt said why; *rc is EXIT_USAGE */
        }
    }
    a->nfiles = a->files ? argc - optind : 0;
    a->fileargs = argv + optind;
    const char *bad = NULL;
    if (!a->files && optind < argc)
        bad = "unexpected argument (archived files follow --files)";
    else if (a->files && a->nfiles == 0)
        bad = "--files wants at least one binlog file";
    else if (a->only && (a->from || a->start_dt || a->to || a->stop_dt))
        bad = "--gtid gives both ends: no --from, --to or datetimes with it";
    else if (!a->path)
        bad = "-c FILE is required";
    else if (!a->only && !a->from == !a->start_dt)
        bad = "give one start: --from FILE[:POS], --from gtid:SET, --start-datetime T or --gtid "
              "SET";
    else if (a->to && a->stop_dt)
        bad = "give one end: --to or --stop-datetime";
    else if (r->tables && !r->tables[strspn(r->tables, ", \t")])
        bad = "--tables wants db.table patterns; without --tables the config's [filter] decides";
    else if (r->to_stdout && (r->topic_suffix || r->topic_template))
        bad = "--stdout and --topic-suffix / --topic exclude each other";
    else if (r->topic_template && !strstr(r->topic_template, "{table}"))
        bad = "--topic must contain {table}: each table needs its own topic";
    if (bad) return usage_error(bad), -1;
    return 0;
}

/* One end of the range: gtid:SET into set, or FILE[:POS].  -1 after
 * saying why. */
static int read_bound(const char *opt, const char *v, int files, bd_gtid_set *set, int *has_set,
                      char *file, size_t n, uint64_t *pos, int *has_pos)
{
    if (!strncmp(v, "gtid:", 5)) {
        bd_err e = {0};
        if (bd_gtid_set_parse(set, BD_FLAVOR_UNKNOWN, v + 5, strlen(v + 5), &e) < 0) {
            fprintf(stderr, "binlogd replay: %s %s: %s\n", opt, v, e.msg);
            return -1;
        }
        *has_set = 1;
        return 0;
    }
    bd_binpos p;
    /* with --files, FILE may be given as the path of one of them */
    if (bd_binpos_parse(files ? cli_base_name(v) : v, &p) < 0 || strlen(p.file) >= n) {
        fprintf(stderr, "binlogd replay: %s wants FILE[:POS] or gtid:SET, not '%s'\n", opt, v);
        return -1;
    }
    snprintf(file, n, "%s", p.file);
    *pos = p.pos;
    *has_pos = 1;
    return 0;
}

/* The range's bounds from the arguments.  0, or -1 after saying why. */
static int read_range(bd_replay *r, const args *a)
{
    char msg[BD_ERRLEN];
    if (a->only && bd_replay_parse_gtid(r, a->only, msg, sizeof msg) < 0) {
        fprintf(stderr, "binlogd replay: %s\n", msg);
        return -1;
    }
    if ((a->from && read_bound("--from", a->from, a->files, &r->after, &r->has_after, r->from_file,
                               sizeof r->from_file, &r->from_pos, &r->has_from_pos) < 0) ||
        (a->to && read_bound("--to", a->to, a->files, &r->upto, &r->has_upto, r->to_file,
                             sizeof r->to_file, &r->to_pos, &r->has_to) < 0))
        return -1;
    if (a->start_dt || a->stop_dt) {
        bd_err te = {0};
        bd_tz *tz = bd_tz_load(a->zone, &te);
        int64_t now = (int64_t)time(NULL) * 1000000;
        int bad = !tz;
        if (!bad && a->start_dt && bd_time_parse(a->start_dt, tz, now, &r->start_us) < 0) bad = 2;
        if (!bad && a->stop_dt && bd_time_parse(a->stop_dt, tz, now, &r->stop_us) < 0) bad = 3;
        r->has_start_us = a->start_dt != NULL;
        r->has_stop_us = a->stop_dt != NULL;
        bd_tz_free(tz);
        if (bad == 1) fprintf(stderr, "binlogd replay: --timezone: %s\n", te.msg);
        if (bad > 1)
            fprintf(stderr,
                    "binlogd replay: --%s-datetime wants RFC 3339 or YYYY-MM-DD HH:MM[:SS] (in "
                    "--timezone), not '%s'\n",
                    bad == 2 ? "start" : "stop", bad == 2 ? a->start_dt : a->stop_dt);
        if (bad) return -1;
        if (r->has_start_us && r->has_stop_us && r->stop_us <= r->start_us)
            return usage_error("--stop-datetime is not after --start-datetime"), -1;
    }
    if (a->files && (bd_replay_files_check(a->fileargs, a->nfiles, msg, sizeof msg) < 0 ||
                     (r->has_from_pos && bd_replay_among_files(r->from_file, a->fileargs, a->nfiles,
                                                               "--from", msg, sizeof msg) < 0) ||
                     (r->has_to && bd_replay_among_files(r->to_file, a->fileargs, a->nfiles, "--to",
                                                         msg, sizeof msg) < 0))) {
        fprintf(stderr, "binlogd replay: %s\n", msg);
        return -1;
    }
    /* a start past the file's end would replay nothing and say so only as
     * "no transaction in the range" */
    for (int i = 0; a->files && r->has_from_pos && i < a->nfiles; i++) {
        struct stat st;
        if (strcmp(cli_base_name(a->fileargs[i]), r->from_file) || stat(a->fileargs[i], &st) < 0)
            continue;
        if (r->from_pos > (uint64_t)st.st_size) {
            fprintf(stderr, "binlogd replay: --from %s:%llu is past the end of %s (%lld bytes)\n",
                    r->from_file, (unsigned long long)r->from_pos, a->fileargs[i],
                    (long long)st.st_size);
            return -1;
        }
    }
    if (r->has_from_pos && r->has_to && before(r->to_file, r->to_pos, r->from_file, r->from_pos))
        return usage_error("--to is before --from"), -1;
    return 0;
}

/* Config, source, schema history, sink: 0, or the exit status. */
static int wire(bd_replay *r, const args *a, bd_server_opts *so, char *pw, size_t pwn)
{
    bd_err err = {0};
    char msg[BD_ERRLEN + 64];
    if (bd_config_load(&r->cfg, a->path, &err) < 0) {
        fprintf(stderr, "binlogd replay: %s\n", err.msg);
        return EXIT_USAGE;
    }
    if (a->id)
        snprintf(r->id, sizeof r->id, "%s", a->id);
    else
        snprintf(r->id, sizeof r->id, "r%lld-%d", (long long)time(NULL), (int)getpid());
    memset(so, 0, sizeof *so);
    if (!a->files) {
        if (cli_server_opts(&r->cfg, so, pw, pwn, msg, sizeof msg) < 0) {
            fprintf(stderr, "binlogd replay: %s\n", msg);
            return EXIT_USAGE;
        }
        /* a reader of its own, never the daemon's id: the server would
         * drop the daemon's stream for this one */
        if (a->sid && a->sid == r->cfg.server_id) {
            fprintf(stderr,
                    "binlogd replay: --server-id %llu is the daemon's ([source] server_id in "
                    "%s): the server would drop the daemon's stream; give another id (default: "
                    "%u)\n",
                    a->sid, a->path, r->cfg.server_id + 1);
            return EXIT_USAGE;
        }
        so->server_id = a->sid ? (uint32_t)a->sid : r->cfg.server_id + 1;
    }
    int rc = bd_replay_schema_history(r, a->hist, a->files, so);
    if (rc == 0) rc = bd_replay_open(r);
    if (rc) {
        fprintf(stderr, "binlogd replay: %s\n", r->err);
        return rc > 0 ? EXIT_USAGE : EXIT_FAILED;
    }
    return 0;
}

/* Where the range starts; 0, or -1 with r->err (or said). */
static int locate(bd_replay *r, const args *a, bd_server_opts *so)
{
    if (r->has_after && a->files) {
        int i = cli_gtid_start_file("binlogd replay", &r->after, a->nfiles, a->fileargs, 0);
        if (i < 0) return -1;
        snprintf(r->start_file, sizeof r->start_file, "%s", cli_base_name(a->fileargs[i]));
        r->start_pos = 4;
        return 0;
    }
    if (r->has_after) so->gtid = a->from + 5; /* the server starts after the set */
    return bd_replay_locate(r, so, a->files ? a->fileargs : NULL, a->nfiles);
}

int cmd_replay(int argc, char **argv)
{
    bd_replay *r = calloc(1, sizeof *r);
    if (!r || bd_replay_init(r) < 0) {
        free(r);
        return EXIT_FAILED;
    }
    args a = {0};
    int rc = EXIT_FAILED;
    bd_server_opts so;
    char pw[1024];
    progress_state ps = {.tty = isatty(2)};
    if (read_args(r, &a, argc, argv, &rc) < 0) goto out;
    rc = EXIT_USAGE;
    if (read_range(r, &a) < 0) goto out;
    if ((rc = wire(r, &a, &so, pw, sizeof pw)) != 0) goto out;
    r->stop = &g_stop;
    r->progress = progress;
    r->progress_ctx = &ps;
    g_replay = r;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    clock_gettime(CLOCK_MONOTONIC, &ps.t0);
    ps.last = ps.t0;
    int srcrc = locate(r, &a, &so);
    if (srcrc == 0 && !g_stop)
        srcrc = bd_replay_run(r, a.files ? NULL : &so, a.files ? a.fileargs : NULL, a.nfiles);
    memset(pw, 0, sizeof pw);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    g_replay = NULL;
    if (r->last_file[0] || ps.tty) progress(r, r->last_file, r->last_pos, 1);
    if (r->dry_run)
        for (size_t i = 0; i < r->ncounts; i++)
            printf("table %s %llu\n", r->counts[i].name, (unsigned long long)r->counts[i].rows);
    summary(r, &ps, argc, argv, g_stop);
    uint64_t sent, acked, failed;
    bd_replay_delivery(r, &sent, &acked, &failed);
    if (srcrc < 0 || r->err[0]) {
        if (r->err[0]) fprintf(stderr, "binlogd replay: %s\n", r->err);
        if (r->statement_stop)
            fprintf(stderr, "binlogd replay: to replay the range without its rows: [source] "
                            "on_statement = skip in the config\n");
        rc = r->statement_stop || r->schema_stop ? EXIT_NOT_EXACT : EXIT_FAILED;
    } else if (g_stop) {
        rc = EXIT_STOPPED;
    } else if (failed || acked != sent) {
        fprintf(stderr, "binlogd replay: %llu messages not acknowledged\n",
                (unsigned long long)(sent - acked));
        rc = EXIT_FAILED;
    } else {
        rc = EXIT_OK;
    }
out:
    bd_replay_release(r);
    free(r);
    g_stop = 0;
    return rc;
}
