#ifndef BANK_CLI_COMMANDS_H
#define BANK_CLI_COMMANDS_H

/* Each takes the arguments after "bank" (argv[0] is the command name) and returns the exit status. */
int bank_cmd_run(int argc, char **argv);
int bank_cmd_branch(int argc, char **argv);
int bank_cmd_bench(int argc, char **argv);
int bank_cmd_soak(int argc, char **argv);
int bank_cmd_grade(int argc, char **argv);
int bank_cmd_diagram(int argc, char **argv);
int bank_cmd_drive(int argc, char **argv);
int bank_cmd_version(int argc, char **argv);

/* bank grade --project 2 (cmd_grade_p2.c). bank_grade_project reads --project from argv: 2, or 1
 * with a "--project 1" taken out of argv (the default), or -1 after a usage error. */
int bank_grade_project(int *argc, char **argv);
int bank_cmd_grade_p2(int argc, char **argv);

#endif
