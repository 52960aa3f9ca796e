# A branch's store on disk and its journal (--data-dir): SQLite in a temporary directory, one test
# program a subject, their helpers in store_fixture.h.

# Commits read back, the pending mark, --sync's levels, descriptors. Built with the allocation
# wrappers (oom_wrap.h) so that a test can fail each allocation of reading a store back in turn.
bank_oom_test(store bank_store)
set_tests_properties(store PROPERTIES TIMEOUT 300)

# Damage found, nothing of it believed, and set aside.
add_executable(test_store_damage test_store_damage.c)
target_link_libraries(test_store_damage PRIVATE bank_store criterion)
add_test(NAME store_damage COMMAND test_store_damage)
set_tests_properties(store_damage PROPERTIES LABELS unit TIMEOUT 300)

# Refusals (another branch's or format's store, a full disk, a lock, a refused BEGIN) that leave
# the store as it was.
add_executable(test_store_refusals test_store_refusals.c)
target_link_libraries(test_store_refusals PRIVATE bank_store criterion)
add_test(NAME store_refusals COMMAND test_store_refusals)
set_tests_properties(store_refusals PROPERTIES LABELS unit TIMEOUT 300)

# The journal: with the allocation wrappers, so that a test can make one of the journal's
# allocations fail (unarmed, they only count) ...
bank_oom_test(store_journal bank_store)
# ... and with pthread_create wrapped, so that a test can refuse the journal its thread.
target_link_options(test_store_journal PRIVATE -Wl,--wrap=pthread_create)
set_tests_properties(store_journal PROPERTIES TIMEOUT 300)
