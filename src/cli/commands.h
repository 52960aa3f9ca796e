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

/* Project 3 (cmd_run_p3.c). bank_take_project (project_arg.c): the N of "--project N" (or
 * --project=N), taken out of argv; 1 when there is none, -1 when N is not 1, 2 or 3. */
int bank_take_project(int *argc, char **argv);
int bank_cmd_run_p3(int argc, char **argv);

#endif
