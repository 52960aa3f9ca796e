# Tests written against the mutants of tools/mutate.sh --sample (issue 21): what users see,
# pinned where the sample showed no test looked.

# The workload generator's mix at its boundaries.
bank_test(workload_gen unit LIBS bank_core)

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
bank_test(branch_child unit LIBS bank_run)

# bank run --trace's file: a record as one JSON line, its reply escaped.
bank_test(trace_file unit LIBS bank_run)

# bank bench's and soak's memory figures: this process's VmRSS and VmHWM.
bank_test(rss unit LIBS bank_run)

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
bank_test(branch_processes unit TIMEOUT 120 LIBS bank_run)

# bank soak's summary and verdicts from results made by hand; one-repetition soaks' figures.
bank_test(soak unit TIMEOUT 120 LIBS bank_run)

# bank run --project 2's clocked events from a hand-made run and trace: every clock, each bad trace.
bank_test(clock_events unit LIBS bank_run)

# bank drive's answers judged from a run made by hand: every verdict and why each answer is
# missing; every allocation refused in turn (oom_wrap.h).
bank_oom_test(drive_answers bank_drive)

# An input with no customer, or customers with nothing to do, under every schedule.
bank_test(drive_empty unit LIBS bank_run)

# The replicas' final balances checked against the answered writes: the net, the line.
bank_test(converged unit LIBS bank_run)
