# spec/: the Promela model checked by spin, and the JSON Schemas checked against the program.
# Label model. A test exits 77 (skipped) when its tool (spin, python3-jsonschema) is missing.
add_test(NAME spin_model
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/model/run_spin.sh ${PROJECT_SOURCE_DIR}/spec/bank.pml)
set_tests_properties(spin_model PROPERTIES LABELS model TIMEOUT 300 SKIP_RETURN_CODE 77)

# The schemas against the golden files and against bank run's own verdicts on tests/bad/.
# Debian's python3, whose python3-jsonschema tools/deps.sh installs.
find_program(DEBIAN_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(DEBIAN_PYTHON3)
  add_test(NAME schemas
    COMMAND ${DEBIAN_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/model/validate_schemas.py
            $<TARGET_FILE:bank> ${PROJECT_SOURCE_DIR}/golden ${CMAKE_CURRENT_SOURCE_DIR}/bad
            ${PROJECT_SOURCE_DIR}/spec)
  set_tests_properties(schemas PROPERTIES LABELS model TIMEOUT 300 SKIP_RETURN_CODE 77)
endif()
