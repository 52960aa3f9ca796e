# spec/: the Promela model checked by spin, and the JSON Schemas checked against the program.
# Label model. A test exits 77 (skipped) when its tool (spin, python3-jsonschema) is missing.
add_test(NAME spin_model
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/model/run_spin.sh ${PROJECT_SOURCE_DIR}/spec/bank.pml)
set_tests_properties(spin_model PROPERTIES LABELS model TIMEOUT 300 SKIP_RETURN_CODE 77)
