# A branch's store on disk and its journal (--data-dir): SQLite in a temporary directory, one test
# program a subject, their helpers in store_fixture.h.

# Commits read back, the pending mark, --sync's levels, descriptors. Built with the allocation
# wrappers (oom_wrap.h) so that a test can fail each allocation of reading a store back in turn.
bank_oom_test(store bank_store)
set_tests_properties(store PROPERTIES TIMEOUT 300)

# Damage found, nothing of it believed, and set aside.
bank_test(store_damage unit TIMEOUT 300 LIBS bank_store)

# Refusals (another branch's or format's store, a full disk, a lock, a refused BEGIN) that leave
# the store as it was.
bank_test(store_refusals unit TIMEOUT 300 LIBS bank_store)

# The journal: with the allocation wrappers, so that a test can make one of the journal's
# allocations fail (unarmed, they only count) ...
bank_oom_test(store_journal bank_store)
# ... and with pthread_create wrapped, so that a test can refuse the journal its thread.
target_link_options(test_store_journal PRIVATE -Wl,--wrap=pthread_create)
set_tests_properties(store_journal PROPERTIES TIMEOUT 300)
