bank_test(grade unit LIBS bank_grade)

# Output forms beyond the corpus, and what a student's file may cost (issue 19).
bank_test(grade_forms unit LIBS bank_grade)

# Every real student output of the shared corpus, read and graded (skipped without the corpus).
add_test(NAME grade_corpus
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/grade_corpus.sh $<TARGET_FILE:bank>
          ${PROJECT_SOURCE_DIR}/../shared/corpus/p1 ${CMAKE_CURRENT_SOURCE_DIR}/grade/corpus_p1.txt
          ${PROJECT_SOURCE_DIR}/golden)
set_tests_properties(grade_corpus PROPERTIES LABELS integration TIMEOUT 600 SKIP_RETURN_CODE 77)

# bank grade from the command line: exit statuses, --json, --batch and --report.
add_test(NAME grade_cli
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/grade_cli.sh $<TARGET_FILE:bank> ${PROJECT_SOURCE_DIR}/golden)
set_tests_properties(grade_cli PROPERTIES LABELS integration TIMEOUT 300)

# The grading benchmark on 20 submissions, so the script cannot rot (the figure is not asserted).
add_test(NAME grade_bench_smoke COMMAND ${PROJECT_SOURCE_DIR}/tools/bench_grade.sh 20 $<TARGET_FILE:bank>)
add_test(NAME grade_consistent_bench_smoke COMMAND ${PROJECT_SOURCE_DIR}/tools/bench_consistent.sh --quick $<TARGET_FILE:bank>)
set_tests_properties(grade_bench_smoke grade_consistent_bench_smoke PROPERTIES LABELS integration TIMEOUT 120)

# The --consistent search on hand-made cases, and its whole result pinned on fixed cases.
bank_test(consistency unit LIBS bank_core)

# The --consistent search against brute-force enumeration of every interleaving, and its
# properties on live runs too large for it (seeded; BANK_SEED=N reruns from seed N).
bank_test(consistency_property property LIBS bank_core)

# A class graded a row per student, from a folder and from Canvas's zip; refused archives;
# Gradescope's results.json against its schema; GitHub's annotations and action.yml's script.
find_program(GRADE_CLASS_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(GRADE_CLASS_PYTHON3)
  add_test(NAME grade_class
    COMMAND ${GRADE_CLASS_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/integration/grade_class.py
            $<TARGET_FILE:bank> ${PROJECT_SOURCE_DIR}/golden ${PROJECT_SOURCE_DIR})
  set_tests_properties(grade_class PROPERTIES LABELS integration TIMEOUT 300 SKIP_RETURN_CODE 77)
  # The same, and Gradescope's setup.sh (which builds the grade-only bank) and run_autograder.
  add_test(NAME grade_autograder
    COMMAND ${GRADE_CLASS_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/integration/grade_class.py
            $<TARGET_FILE:bank> ${PROJECT_SOURCE_DIR}/golden ${PROJECT_SOURCE_DIR} --autograder)
  set_tests_properties(grade_autograder PROPERTIES LABELS integration TIMEOUT 900 SKIP_RETURN_CODE 77)
endif()

# A class's parts: Canvas names, archive member paths, escaping, Gradescope's results.
bank_test(class unit LIBS bank_grade)

# One student: which of their files is their output, which their input, and their grade.
add_executable(test_class_student test_class_student.c)
# --wrap=realloc: a test makes a student's note fail to be allocated.
target_link_libraries(test_class_student PRIVATE bank_grade criterion -Wl,--wrap=realloc)
add_test(NAME class_student COMMAND test_class_student)
set_tests_properties(class_student PROPERTIES LABELS unit)

# A class loaded from the disk: folders, Canvas's loose files, the limits, folders that cannot be read.
bank_test(class_load unit LIBS bank_grade)
# --wrap=bank_class_add_file: a test makes a student's file fail to be added.
target_link_options(test_class_load PRIVATE -Wl,--wrap=bank_class_add_file)

# The class benchmark on 20 students, folder and Canvas zip, so the script cannot rot.
add_test(NAME grade_class_bench_smoke COMMAND ${PROJECT_SOURCE_DIR}/tools/bench_class.sh 20 $<TARGET_FILE:bank>)
set_tests_properties(grade_class_bench_smoke PROPERTIES LABELS integration TIMEOUT 120)

# Every allocation of bank_grade and bank_grade_p2 made to fail in turn.
bank_oom_test(grade_oom bank_grade)

# Every allocation made reading a class (folders, Canvas's zip, archives in memory), choosing a
# student's output and input, and grading a student, made to fail in turn.
bank_oom_test(class_oom bank_grade)
# bank_grade_batch and bank_grade_folder are the command line's: their file is compiled in.
target_sources(test_class_oom PRIVATE ${PROJECT_SOURCE_DIR}/src/cli/grade_class.c)
# libarchive's reader itself (a shared library's allocation) is failed where it is made.
target_link_options(test_class_oom PRIVATE -Wl,--wrap=archive_read_new)

# bank grade's one-file paths and bank grade --project 2's one submission, every allocation made
# to fail in turn: the command line's files are compiled in, without the reference diagram (the
# grade-only build's cmd_grade.c and args.c).
bank_oom_test(cli_oom bank_grade)
target_sources(test_cli_oom PRIVATE ${PROJECT_SOURCE_DIR}/src/cli/cmd_grade.c ${PROJECT_SOURCE_DIR}/src/cli/cmd_grade_p2.c
  ${PROJECT_SOURCE_DIR}/src/cli/grade_class.c ${PROJECT_SOURCE_DIR}/src/cli/args.c)
target_compile_definitions(test_cli_oom PRIVATE BANK_GRADE_ONLY GOLDEN="${PROJECT_SOURCE_DIR}/golden"
  P2_WRONG="${CMAKE_CURRENT_SOURCE_DIR}/p2")
# An exit status a path forgets to set reads as 0xFEFEFEFE, never a status the test accepts.
include(CheckCCompilerFlag)
check_c_compiler_flag(-ftrivial-auto-var-init=pattern BANK_HAS_AUTO_VAR_INIT)
if(BANK_HAS_AUTO_VAR_INIT)
  target_compile_options(test_cli_oom PRIVATE -ftrivial-auto-var-init=pattern)
endif()
