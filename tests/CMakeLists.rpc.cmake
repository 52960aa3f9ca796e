add_executable(test_rpc test_rpc.c)
target_link_libraries(test_rpc PRIVATE bank_run criterion)
add_test(NAME rpc COMMAND test_rpc)
set_tests_properties(rpc PROPERTIES LABELS integration TIMEOUT 300)
