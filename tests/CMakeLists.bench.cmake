# The benchmark and the soak on tiny sizes, so they cannot rot (figures are never asserted).
add_test(NAME bench_smoke
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/bench_smoke.sh $<TARGET_FILE:bank> ${PROJECT_SOURCE_DIR}/tools)
# bench --tls makes TLS handshakes on gRPC's threads: openssl_threads.supp says why it is needed
set_tests_properties(bench_smoke PROPERTIES LABELS integration TIMEOUT 300
  ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/openssl_threads.supp")
add_test(NAME soak_smoke
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/soak_smoke.sh $<TARGET_FILE:bank> ${PROJECT_SOURCE_DIR}/tools)
set_tests_properties(soak_smoke PROPERTIES LABELS integration TIMEOUT 120)
