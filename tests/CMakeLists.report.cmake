# bank grade's HTML report: in headless Chromium (the DOM, the layout, a screenshot; skipped,
# exit 77, without chromium). Debian's python3, as the other Python tests.
find_program(DEBIAN_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(DEBIAN_PYTHON3)
  add_test(NAME report_browser
    COMMAND ${DEBIAN_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/integration/report_browser.py
            $<TARGET_FILE:bank> ${PROJECT_SOURCE_DIR}/golden)
  set_tests_properties(report_browser PROPERTIES LABELS integration TIMEOUT 300 SKIP_RETURN_CODE 77)
endif()

# The report's summary on hand-made grading results.
bank_test(report_summary unit LIBS bank_grade)
