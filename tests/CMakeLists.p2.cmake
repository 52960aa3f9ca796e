# Project 2, logical clocks (spec L1-L14).

# The clock rules in the core: ticks, required events, the model, the TA's run replayed, checks.
bank_test(lamport unit LIBS bank_core)

# bank run --project 2 and bank grade --project 2 from the command line (the TA's files checked
# when ../shared/corpus is there).
add_test(NAME p2_cli
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/p2_cli.sh $<TARGET_FILE:bank> ${PROJECT_SOURCE_DIR}/golden
          ${PROJECT_SOURCE_DIR}/../shared/corpus/p2 ${CMAKE_CURRENT_SOURCE_DIR}/p2)
set_tests_properties(p2_cli PROPERTIES LABELS integration TIMEOUT 600)

# The grader's reader on every form, and verdicts on hand-made files.
bank_test(p2_reader unit LIBS bank_grade)
bank_test(p2_grade unit LIBS bank_grade)

# Seeded random workloads over real servers: every message received after its send (BANK_SEED=N
# reruns).
bank_test(p2_property property TIMEOUT 900 LIBS bank_run)

# Every p2 output of ../shared/corpus read and graded as tests/grade/corpus_p2.txt says (skipped
# without the corpus).
add_test(NAME grade_corpus_p2
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/grade_corpus_p2.sh $<TARGET_FILE:bank>
          ${PROJECT_SOURCE_DIR}/../shared/corpus/p2 ${CMAKE_CURRENT_SOURCE_DIR}/grade/corpus_p2.txt
          ${PROJECT_SOURCE_DIR}/golden)
set_tests_properties(grade_corpus_p2 PROPERTIES LABELS integration TIMEOUT 600 SKIP_RETURN_CODE 77)
