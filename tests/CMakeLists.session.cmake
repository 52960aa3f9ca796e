# Project 3, client-centric consistency (issue 16): the write-set rule, the input's branches, what
# a branch decides, the session search against brute force, the grader; the held requests on real
# servers; bank run --project 3 end to end; every p3 output of the shared corpus graded.
add_executable(test_session test_session.c)
target_link_libraries(test_session PRIVATE bank_grade bank_branch_logic criterion)
target_sources(test_session PRIVATE ${PROJECT_SOURCE_DIR}/src/run/session_verify.c) # bank_run would bring gRPC
target_compile_definitions(test_session PRIVATE PROJECT_DIR="${PROJECT_SOURCE_DIR}")
add_test(NAME session COMMAND test_session)
set_tests_properties(session PROPERTIES LABELS unit)

bank_test(session_check property LIBS bank_grade)
bank_test(grade_p3 unit LIBS bank_grade)

bank_test(session_rpc integration TIMEOUT 300 LIBS bank_rpc)

# Debian's python3 (see tests/CMakeLists.txt): bank run --project 3 end to end.
find_program(DEBIAN_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(DEBIAN_PYTHON3)
  add_test(NAME session_run
    COMMAND ${DEBIAN_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/integration/session_run.py $<TARGET_FILE:bank>
            ${PROJECT_SOURCE_DIR}/golden/p3)
  set_tests_properties(session_run PROPERTIES LABELS integration TIMEOUT 600)
endif()

# Every real Project 3 output of the shared corpus, read and graded (skipped without the corpus).
add_test(NAME grade_corpus_p3
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/grade_corpus.sh $<TARGET_FILE:bank>
          ${PROJECT_SOURCE_DIR}/../shared/corpus/p3 ${CMAKE_CURRENT_SOURCE_DIR}/grade/corpus_p3.txt
          ${PROJECT_SOURCE_DIR}/golden 3)
set_tests_properties(grade_corpus_p3 PROPERTIES LABELS integration TIMEOUT 600 SKIP_RETURN_CODE 77)
