# Tests written against the mutants of tools/mutate.sh --sample (issue 21): what users see,
# pinned where the sample showed no test looked.

# The workload generator's mix at its boundaries.
add_executable(test_workload_gen test_workload_gen.c)
target_link_libraries(test_workload_gen PRIVATE bank_core criterion)
add_test(NAME workload_gen COMMAND test_workload_gen)
set_tests_properties(workload_gen PROPERTIES LABELS unit)

# Every numeric option of every command at 0, its least and greatest value and one past each.
find_program(MUTATE_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(MUTATE_PYTHON3)
  add_test(NAME options COMMAND ${MUTATE_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/integration/options.py
                                $<TARGET_FILE:bank> ${PROJECT_SOURCE_DIR}/golden)
  set_tests_properties(options PROPERTIES LABELS integration TIMEOUT 300)
  # bank grade's HTML reports parsed strictly: no text outside the cells, every row as wide as
  # its table.
  add_test(NAME report_markup COMMAND ${MUTATE_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/integration/report_markup.py
                                      $<TARGET_FILE:bank> ${PROJECT_SOURCE_DIR}/golden)
  set_tests_properties(report_markup PROPERTIES LABELS integration TIMEOUT 300)
endif()

# bank diagram's SVG, element by element, against the geometry and text a hand-made trace asks for.
if(MUTATE_PYTHON3)
  add_test(NAME diagram_svg COMMAND ${MUTATE_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/integration/diagram_svg.py
                                    $<TARGET_FILE:bank>)
  set_tests_properties(diagram_svg PROPERTIES LABELS integration TIMEOUT 120)
endif()

# bank run --project 2's check of its own clocks (L6), on hand-made runs with wrong clocks.
add_executable(test_run_p2 test_run_p2.c ${PROJECT_SOURCE_DIR}/src/cli/run_p2.c)
# --wrap=calloc: a test makes run_p2.c's allocations fail.
target_link_libraries(test_run_p2 PRIVATE bank_run criterion -Wl,--wrap=calloc)
add_test(NAME run_p2 COMMAND test_run_p2)
set_tests_properties(run_p2 PROPERTIES LABELS unit)

# tools/mutate.py builds a mutant whose only errors are warnings it could not help raising
# (an unused parameter, && within || without parentheses) with just those warnings ignored,
# checked against this compiler's own messages (and clang's build, when clang is there).
if(MUTATE_PYTHON3)
  add_test(NAME mutate_warnings COMMAND ${MUTATE_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/integration/mutate_warnings.py
                                        ${PROJECT_SOURCE_DIR}/tools/mutate.py ${CMAKE_C_COMPILER})
  set_tests_properties(mutate_warnings PROPERTIES LABELS unit TIMEOUT 60)
  # its record of a sample judged over several sittings: the last row of a mutant wins; --table
  add_test(NAME mutate_record COMMAND ${MUTATE_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/integration/mutate_record.py
                                      ${PROJECT_SOURCE_DIR}/tools/mutate.py)
  set_tests_properties(mutate_record PROPERTIES LABELS unit TIMEOUT 60)
  # --uncovered: the mutants on lines no test ran, by tools/coverage.sh's tracefile
  add_test(NAME mutate_uncovered COMMAND ${MUTATE_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/integration/mutate_uncovered.py
                                         ${PROJECT_SOURCE_DIR}/tools/mutate.py)
  set_tests_properties(mutate_uncovered PROPERTIES LABELS unit TIMEOUT 60)
endif()

# A branch process that cannot be started: its spawn's descriptors.
add_executable(test_branch_child test_branch_child.c)
target_link_libraries(test_branch_child PRIVATE bank_run criterion)
add_test(NAME branch_child COMMAND test_branch_child)
set_tests_properties(branch_child PROPERTIES LABELS unit)

# bank run --trace's file: a record as one JSON line, its reply escaped.
add_executable(test_trace_file test_trace_file.c)
target_link_libraries(test_trace_file PRIVATE bank_run criterion)
add_test(NAME trace_file COMMAND test_trace_file)
set_tests_properties(trace_file PROPERTIES LABELS unit)

# bank bench's and soak's memory figures: this process's VmRSS and VmHWM.
add_executable(test_rss test_rss.c)
target_link_libraries(test_rss PRIVATE bank_run criterion)
add_test(NAME rss COMMAND test_rss)
set_tests_properties(rss PROPERTIES LABELS unit)

# Out of memory in the diagram's own allocations (oom_wrap.h): its layout.
bank_oom_test(diagram_oom bank_diagram)

# bench --table's rows byte for byte, from a stand-in for bank; pipe() and fork() refused for a row.
add_executable(test_bench_table test_bench_table.c)
target_link_libraries(test_bench_table PRIVATE bank_run criterion -Wl,--wrap=pipe,--wrap=fork)
add_test(NAME bench_table COMMAND test_bench_table)
set_tests_properties(bench_table PROPERTIES LABELS unit)

# bank drive --start's processes from the library: the template as the processes see it, each
# failure's line, every allocation and posix_spawn refused, and nothing left behind.
add_executable(test_start_processes test_start_processes.c)
target_link_libraries(test_start_processes PRIVATE bank_drive criterion)
target_compile_options(test_start_processes PRIVATE -fno-builtin)
target_link_options(test_start_processes PRIVATE
  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=strdup,--wrap=strndup,--wrap=posix_spawn,--wrap=mkdtemp)
add_test(NAME start_processes COMMAND test_start_processes)
set_tests_properties(start_processes PROPERTIES LABELS unit TIMEOUT 120)

# bank bench's report and figures from a result made by hand; a tiny run's counts; its failures
# by phase (client threads refused: --wrap=pthread_create).
add_executable(test_bench test_bench.c)
target_link_libraries(test_bench PRIVATE bank_run criterion -Wl,--wrap=pthread_create)
add_test(NAME bench COMMAND test_bench)
set_tests_properties(bench PROPERTIES LABELS unit TIMEOUT 120)

# bank run --processes's branch processes against a stand-in for `bank branch`: their arguments,
# peers, each failed start, stop and restart.
add_executable(test_branch_processes test_branch_processes.c)
target_link_libraries(test_branch_processes PRIVATE bank_run criterion)
add_test(NAME branch_processes COMMAND test_branch_processes)
set_tests_properties(branch_processes PROPERTIES LABELS unit TIMEOUT 120)

# bank soak's summary and verdicts from results made by hand; one-repetition soaks' figures.
add_executable(test_soak test_soak.c)
target_link_libraries(test_soak PRIVATE bank_run criterion)
add_test(NAME soak COMMAND test_soak)
set_tests_properties(soak PROPERTIES LABELS unit TIMEOUT 120)

# bank run --project 2's clocked events from a hand-made run and trace: every clock, each bad trace.
add_executable(test_clock_events test_clock_events.c)
target_link_libraries(test_clock_events PRIVATE bank_run criterion)
add_test(NAME clock_events COMMAND test_clock_events)
set_tests_properties(clock_events PROPERTIES LABELS unit)

# bank drive's answers judged from a run made by hand: every verdict and why each answer is
# missing; every allocation refused in turn (oom_wrap.h).
bank_oom_test(drive_answers bank_drive)

# An input with no customer, or customers with nothing to do, under every schedule.
add_executable(test_drive_empty test_drive_empty.c)
target_link_libraries(test_drive_empty PRIVATE bank_run criterion)
add_test(NAME drive_empty COMMAND test_drive_empty)
set_tests_properties(drive_empty PROPERTIES LABELS unit)

# The replicas' final balances checked against the answered writes: the net, the line.
add_executable(test_converged test_converged.c)
target_link_libraries(test_converged PRIVATE bank_run criterion)
add_test(NAME converged COMMAND test_converged)
set_tests_properties(converged PROPERTIES LABELS unit)
