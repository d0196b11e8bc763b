/* cmd_dump.c - `binlogd dump FILE...`: decode local binlog files to JSON
 * lines on stdout (docs/format.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "binlogd/decoder.h"
#include "binlogd/sink_stdout.h"
#include "binlogd/source_file.h"
#include "commands.h"

/* Exit statuses, also in --help and docs. */
enum { EXIT_DONE = 0, EXIT_CORRUPT = 1, EXIT_USAGE = 2, EXIT_INCOMPLETE = 3 };

static void dump_usage(FILE *f)
{
    fprintf(f,
            "usage: binlogd dump [--events] [--no-verify] FILE...\n"
            "\n"
            "Decode MySQL or MariaDB binlog / relay-log files, in the order given, and\n"
            "print one JSON object per row change on stdout (see docs/format.md).\n"
            "\n"
            "  -e, --events      also print every non-row event with its decoded fields\n"
            "      --no-verify   do not verify CRC32 checksums\n"
            "  -h, --help        show this help\n"
            "\n"
            "Exit status: 0 all decoded; 1 corrupt or undecodable input (one line on\n"
            "stderr names file, position, event type and what was wrong; nothing after\n"
            "it is printed); 2 usage error; 3 the last event of the last file is\n"
            "incomplete (a file still being written): everything before it was printed.\n");
}

int cmd_dump(int argc, char **argv)
{
    static const struct option opts[] = {
        {"events", no_argument, NULL, 'e'},
        {"no-verify", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int events = 0, verify = 1, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "eh", opts, NULL)) != -1) {
        switch (c) {
        case 'e': events = 1; break;
        case 'V': verify = 0; break;
        case 'h': dump_usage(stdout); return EXIT_DONE;
        default: dump_usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "binlogd dump: no files given (reading from a server comes with "
                        "--host in a later version)\n");
        dump_usage(stderr);
        return EXIT_USAGE;
    }
    bd_sink_stdout sink;
    bd_sink_stdout_init(&sink, stdout, events);
    bd_callbacks cb = {&sink, bd_sink_stdout_on_event, bd_sink_stdout_on_row};
    bd_decoder *d = bd_decoder_new(&cb);
    if (!d) {
        fprintf(stderr, "binlogd dump: out of memory\n");
        return EXIT_CORRUPT;
    }
    bd_decoder_set_detail(d, events);
    bd_decoder_set_verify(d, verify);
    int rc = EXIT_DONE;
    bd_err err = {0};
    for (int i = optind; i < argc && rc == EXIT_DONE; i++) {
        const char *path = argv[i];
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        enum bd_file_result r = bd_source_file_run(d, path, base, &err);
        if (r == BD_FILE_ERROR) {
            rc = EXIT_CORRUPT;
        } else if (r == BD_FILE_INCOMPLETE) {
            /* Only the last file can be still growing; earlier ones are broken. */
            rc = i == argc - 1 ? EXIT_INCOMPLETE : EXIT_CORRUPT;
        }
    }
    if (bd_sink_stdout_finish(&sink) < 0 && rc == EXIT_DONE) {
        fprintf(stderr, "binlogd dump: writing to stdout failed\n");
        rc = EXIT_CORRUPT;
    }
    if (rc == EXIT_CORRUPT)
        fprintf(stderr, "binlogd dump: %s\n", err.msg);
    else if (rc == EXIT_INCOMPLETE)
        fprintf(stderr, "binlogd dump: warning: %s\n", err.msg);
    bd_sink_stdout_release(&sink);
    bd_decoder_free(d);
    return rc;
}
