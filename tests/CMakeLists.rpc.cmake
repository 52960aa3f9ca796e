add_executable(test_rpc test_rpc.c)
target_link_libraries(test_rpc PRIVATE bank_run criterion)
add_test(NAME rpc COMMAND test_rpc)
set_tests_properties(rpc PROPERTIES LABELS integration TIMEOUT 300)

# Pending writes (still queued for their peer), Snapshot pages, recovery after a crash (issue 8).
add_executable(test_recovery test_recovery.c)
target_link_libraries(test_recovery PRIVATE bank_run criterion)
add_test(NAME recovery COMMAND test_recovery)
set_tests_properties(recovery PROPERTIES LABELS integration TIMEOUT 300)
