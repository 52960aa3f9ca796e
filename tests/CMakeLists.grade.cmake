add_executable(test_grade test_grade.c)
target_link_libraries(test_grade PRIVATE bank_grade criterion)
add_test(NAME grade COMMAND test_grade)
set_tests_properties(grade PROPERTIES LABELS unit)

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
set_tests_properties(grade_bench_smoke PROPERTIES LABELS integration TIMEOUT 120)

# The --consistent search against brute-force enumeration of every interleaving (seeded).
add_executable(test_consistency test_consistency.c)
target_link_libraries(test_consistency PRIVATE bank_core criterion)
add_test(NAME consistency COMMAND test_consistency)
set_tests_properties(consistency PROPERTIES LABELS property)
