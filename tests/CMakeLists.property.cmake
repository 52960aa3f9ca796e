# Seeded properties: the simulated network, the overdraft, live runs over real servers.
# BANK_SEED and BANK_PROPERTY_SEEDS choose the seeds; tools/property.sh runs many.
add_executable(test_property test_property.c)
target_link_libraries(test_property PRIVATE bank_run criterion)
add_test(NAME property COMMAND test_property)
set_tests_properties(property PROPERTIES LABELS property TIMEOUT 900)
