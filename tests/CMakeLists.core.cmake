add_executable(test_core test_core.c)
target_link_libraries(test_core PRIVATE bank_core criterion)
add_test(NAME core COMMAND test_core)
set_tests_properties(core PROPERTIES LABELS unit)

# Every allocation of the core made to fail in turn.
bank_oom_test(core_oom bank_core)

# Seeded random properties of the core (BANK_SEED=N reruns from seed N).
add_executable(test_core_property test_core_property.c)
target_link_libraries(test_core_property PRIVATE bank_core criterion)
add_test(NAME core_property COMMAND test_core_property)
set_tests_properties(core_property PROPERTIES LABELS property)
