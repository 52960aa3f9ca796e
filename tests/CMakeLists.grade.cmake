add_executable(test_grade test_grade.c)
target_link_libraries(test_grade PRIVATE bank_grade criterion)
add_test(NAME grade COMMAND test_grade)
set_tests_properties(grade PROPERTIES LABELS unit)
