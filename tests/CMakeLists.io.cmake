bank_test(char_name unit LIBS bank_io)
add_executable(test_io test_io.c)
target_link_libraries(test_io PRIVATE bank_io criterion)
add_test(NAME io COMMAND test_io)
# Real course inputs, when the shared corpus is beside the project.
set_tests_properties(io PROPERTIES LABELS unit
  ENVIRONMENT "BANK_CORPUS_P1=${PROJECT_SOURCE_DIR}/../shared/corpus/p1")

# Every allocation of the readers of src/io made to fail in turn (cJSON's through counting hooks).
bank_oom_test(io_oom bank_io)
