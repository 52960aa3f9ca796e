add_executable(test_io test_io.c)
target_link_libraries(test_io PRIVATE bank_io criterion)
add_test(NAME io COMMAND test_io)
# Real course inputs, when the shared corpus is beside the project.
set_tests_properties(io PROPERTIES LABELS unit
  ENVIRONMENT "BANK_CORPUS_P1=${PROJECT_SOURCE_DIR}/../shared/corpus/p1")

# Every allocation of the readers of src/io made to fail in turn (oom_wrap.h): their malloc,
# calloc, realloc and free go through the test's wrappers, and cJSON's through counting hooks.
add_executable(test_io_oom test_io_oom.c)
target_link_libraries(test_io_oom PRIVATE bank_io criterion)
target_compile_options(test_io_oom PRIVATE -fno-builtin)
target_link_options(test_io_oom PRIVATE -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free)
add_test(NAME io_oom COMMAND test_io_oom)
set_tests_properties(io_oom PROPERTIES LABELS unit)
