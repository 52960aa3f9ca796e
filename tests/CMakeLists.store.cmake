# A branch's store on disk and its journal (--data-dir): SQLite in a temporary directory.
add_executable(test_store test_store.c)
target_link_libraries(test_store PRIVATE bank_store criterion)
add_test(NAME store COMMAND test_store)
set_tests_properties(store PROPERTIES LABELS unit TIMEOUT 300)
