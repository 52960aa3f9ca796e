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

/* bank grade --project 2 (cmd_grade_p2.c). bank_grade_project reads --project from argv: 2 or 3 (left
 * in argv for that project's parser), or 1 with a "--project 1" taken out of argv (the default),
 * or -1 after a usage error. */
int bank_grade_project(int *argc, char **argv);
int bank_cmd_grade_p2(int argc, char **argv);

/* bank run --project 3 (cmd_run_p3.c). bank_argv_project: the N of "--project N" (or
 * --project=N) in argv, left there; 1 when there is none, -1 when N is not a whole number. */
int bank_argv_project(int argc, char **argv);
int bank_cmd_run_p3(int argc, char **argv);

#endif
