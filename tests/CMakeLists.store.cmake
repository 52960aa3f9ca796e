# A branch's store on disk and its journal (--data-dir): SQLite in a temporary directory. Built
# with the allocation wrappers (oom_wrap.h) so that a test can make one of the journal's
# allocations fail; unarmed, they only count.
bank_oom_test(store bank_store)
# ... and with pthread_create wrapped, so that a test can refuse the journal its thread.
target_link_options(test_store PRIVATE -Wl,--wrap=pthread_create)
set_tests_properties(store PROPERTIES TIMEOUT 300)
