# The Debian package built from this tree with CPack, unpacked and run (skipped without
# dpkg-dev's dpkg-shlibdeps).
add_test(NAME package
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/package.sh ${PROJECT_BINARY_DIR}
          ${PROJECT_SOURCE_DIR}/golden ${PROJECT_SOURCE_DIR})
set_tests_properties(package PROPERTIES LABELS integration TIMEOUT 300 SKIP_RETURN_CODE 77)
