# The pure core's unit tests, one program a subject.

# The replica and its log: every replica rule, the write log, the union of logs, checkpoints.
add_executable(test_core test_core.c)
target_link_libraries(test_core PRIVATE bank_core criterion)
add_test(NAME core COMMAND test_core)
set_tests_properties(core PROPERTIES LABELS unit)

# The schedules' plans and the reference model on hand-made workloads.
add_executable(test_schedule_model test_schedule_model.c)
target_link_libraries(test_schedule_model PRIVATE bank_core criterion)
add_test(NAME schedule_model COMMAND test_schedule_model)
set_tests_properties(schedule_model PROPERTIES LABELS unit)

# The seeded workload generator: the same workload per seed, and its random numbers.
add_executable(test_generator test_generator.c)
target_link_libraries(test_generator PRIVATE bank_core criterion)
add_test(NAME generator COMMAND test_generator)
set_tests_properties(generator PROPERTIES LABELS unit)

# Net sets, the sums the "possible alone" test is built from.
add_executable(test_net_set test_net_set.c)
target_link_libraries(test_net_set PRIVATE bank_core criterion)
add_test(NAME net_set COMMAND test_net_set)
set_tests_properties(net_set PROPERTIES LABELS unit)

# Every allocation of the core made to fail in turn.
bank_oom_test(core_oom bank_core)

# Seeded random properties of the core (BANK_SEED=N reruns from seed N).
add_executable(test_core_property test_core_property.c)
target_link_libraries(test_core_property PRIVATE bank_core criterion)
add_test(NAME core_property COMMAND test_core_property)
set_tests_properties(core_property PROPERTIES LABELS property)
