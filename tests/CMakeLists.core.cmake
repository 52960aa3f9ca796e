add_executable(test_core test_core.c)
target_link_libraries(test_core PRIVATE bank_core criterion)
add_test(NAME core COMMAND test_core)
set_tests_properties(core PROPERTIES LABELS unit)
