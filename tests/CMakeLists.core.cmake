add_executable(test_core test_core.c)
target_link_libraries(test_core PRIVATE bank_core criterion)
add_test(NAME core COMMAND test_core)
set_tests_properties(core PROPERTIES LABELS unit)

# Every allocation of the core made to fail in turn: the core's malloc, calloc, realloc and free (and
# this test's own, not Criterion's) go through the test's wrappers. -fno-builtin keeps the
# compiler from folding away the allocations the test makes to check its wrappers.
add_executable(test_core_oom test_core_oom.c)
target_link_libraries(test_core_oom PRIVATE bank_core criterion)
target_compile_options(test_core_oom PRIVATE -fno-builtin)
target_link_options(test_core_oom PRIVATE -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free)
add_test(NAME core_oom COMMAND test_core_oom)
set_tests_properties(core_oom PROPERTIES LABELS unit)

# Seeded random properties of the core (BANK_SEED=N reruns from seed N).
add_executable(test_core_property test_core_property.c)
target_link_libraries(test_core_property PRIVATE bank_core criterion)
add_test(NAME core_property COMMAND test_core_property)
set_tests_properties(core_property PROPERTIES LABELS property)
