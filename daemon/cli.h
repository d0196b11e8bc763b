/* cli.h - small command-line helpers shared by the subcommands. */
#ifndef BINLOGD_CLI_H
#define BINLOGD_CLI_H

#include <stddef.h>

/* The exit status of run, replay and dump when they stop before a change
 * they cannot publish exactly (sysexits' EX_DATAERR): a row change the
 * binlog holds only as a statement, or rows of a table whose columns at
 * that position cannot be known ([source] ddl_ahead).  Restarting meets
 * the same place, so the systemd unit does not restart on it. */
#define CLI_EXIT_NOT_EXACT 65

/* The first line of the file at path, without its line end, into out[n].
 * Returns 0, or -1 (errno says why) when the file cannot be read. */
int cli_read_first_line(const char *path, char *out, size_t n);

struct bd_config;
struct bd_server_opts;
/* The source connection of a config as options for the live source; the
 * strings point into c.  The password is read into pw[n] (which the caller
 * wipes after use).  0, or -1 with a message in err[errn]. */
int cli_server_opts(const struct bd_config *c, struct bd_server_opts *o, char *pw, size_t n,
                    char *err, size_t errn);

/* A state directory that exists and is writable, or that is missing with
 * a writable parent (binlogd run creates it).  0, or -1 with err. */
int cli_state_dir_check(const char *dir, char *err, size_t n);

struct option;
/* getopt_long for command cmd ("run", "gate", ...), which prints its own
 * complaint: one line, "binlogd CMD: unknown option '--x' (did you mean
 * '--y'?); see binlogd CMD --help" or "... option '--wait' needs a
 * value; ...", and returns '?' for both (the caller exits 2 without
 * printing its usage).  shortopts as getopt_long takes them. */
int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts);

/* The last component of a path. */
const char *cli_base_name(const char *path);

struct bd_gtid_set;
/* A GTID start over the files argv[first..argc): the index of the file to
 * start at (the newest whose PREVIOUS_GTIDS / GTID_LIST is inside set), or
 * -1 after printing why there is none ("PROG: ..."). */
int cli_gtid_start_file(const char *prog, const struct bd_gtid_set *set, int argc, char **argv,
                        int first);

#endif
