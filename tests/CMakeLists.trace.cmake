# spec/semantics.md defines the semantics; tests name the rules they check with `rule:` tags.
# `trace` fails when a rule has no test or a tag names no rule (tools/trace.sh).
add_test(NAME trace COMMAND ${PROJECT_SOURCE_DIR}/tools/trace.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(trace PROPERTIES LABELS unit TIMEOUT 60)

# Tests written for rules of spec/semantics.md that no other test checked: through the command
# line (rules_cli), and on the wire with a Python gRPC client and `bank run --cluster`
# (rules_wire; skipped, 77, without python3-grpcio).
add_test(NAME rules_cli
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/rules_cli.sh $<TARGET_FILE:bank> ${PROJECT_SOURCE_DIR}/golden)
set_tests_properties(rules_cli PROPERTIES LABELS integration TIMEOUT 300)
find_program(DEBIAN_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(DEBIAN_PYTHON3)
  add_test(NAME rules_wire
    COMMAND ${DEBIAN_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/integration/rules_wire.py $<TARGET_FILE:bank>
            ${PROJECT_SOURCE_DIR}/proto)
  set_tests_properties(rules_wire PROPERTIES LABELS integration TIMEOUT 300 SKIP_RETURN_CODE 77)
endif()
