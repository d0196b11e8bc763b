/* commands.h - the subcommands of binlogd (git style). */
#ifndef BINLOGD_COMMANDS_H
#define BINLOGD_COMMANDS_H

int cmd_run(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_config_doc(int argc, char **argv);
int cmd_metrics_doc(int argc, char **argv);

#endif
