# Real servers on loopback, one test program a subject, their helpers in rpc_fixture.h.
# Whole runs against the model and live convergence, and the branches (servers, processes) a run
# starts.
bank_test(rpc integration TIMEOUT 300 LIBS bank_run)
# Propagation between branches: duplicates, batches, a peer that never answers, a stopped sender,
# acknowledgements counted.
bank_test(rpc_propagation integration TIMEOUT 300 LIBS bank_run)
# The wire forms (the course's, the bank's, a student's proto) and the malformed requests and
# replies refused on them.
bank_test(rpc_wire integration TIMEOUT 300 LIBS bank_run)
bank_test(sender_acks unit LIBS bank_rpc)

# Pending writes (still queued for their peer), Snapshot pages, recovery after a crash (issue 8).
bank_test(recovery integration TIMEOUT 300 LIBS bank_run)

# Out of memory on the thread that drives a run, every allocation in turn (its own wrappers:
# oom_wrap.h's one count cannot follow several threads).
add_executable(test_drive_oom test_drive_oom.c)
target_link_libraries(test_drive_oom PRIVATE bank_drive criterion)
target_link_options(test_drive_oom PRIVATE -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup)
add_test(NAME drive_oom COMMAND test_drive_oom)
set_tests_properties(drive_oom PROPERTIES LABELS integration TIMEOUT 300)

# bank drive's wires: a .proto through protoc's descriptor set, the dynamic codec against
# protobuf-c's generated code, the roles found in a student's proto (needs protoc).
add_executable(test_wire test_wire.c)
target_link_libraries(test_wire PRIVATE bank_rpc bank_io criterion)
# mkdtemp wrapped: a test sees that protoc's temporary folder is removed.
target_link_options(test_wire PRIVATE -Wl,--wrap=mkdtemp)
target_compile_definitions(test_wire PRIVATE PROJECT_DIR="${PROJECT_SOURCE_DIR}")
add_test(NAME wire COMMAND test_wire)
set_tests_properties(wire PROPERTIES LABELS unit TIMEOUT 120)
# The roles bank drive finds in a student's proto (written per test), and each wire's bounds.
add_executable(test_wire_roles test_wire_roles.c)
target_link_libraries(test_wire_roles PRIVATE bank_rpc bank_io criterion)
target_compile_definitions(test_wire_roles PRIVATE PROJECT_DIR="${PROJECT_SOURCE_DIR}")
add_test(NAME wire_roles COMMAND test_wire_roles)
set_tests_properties(wire_roles PROPERTIES LABELS unit TIMEOUT 120)
# Mutual TLS and methods authorised by role (issue 24): the certificates are made per run by
# tests/integration/tls_certs.sh (tools/certs.sh and openssl).
add_executable(test_tls test_tls.c)
target_link_libraries(test_tls PRIVATE bank_run criterion)
target_compile_definitions(test_tls PRIVATE BANK_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_test(NAME tls COMMAND test_tls)
set_tests_properties(tls PROPERTIES LABELS unit TIMEOUT 120)
add_executable(test_tls_wire test_tls_wire.c)
target_link_libraries(test_tls_wire PRIVATE bank_run criterion)
target_compile_definitions(test_tls_wire PRIVATE BANK_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_test(NAME tls_wire COMMAND test_tls_wire)
set_tests_properties(tls_wire PROPERTIES LABELS integration TIMEOUT 300
  ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/openssl_threads.supp")

# Out of memory in the gRPC layer's own allocations (oom_wrap.h): a propagate call's start, the
# answers decided without the network, a student's message packed (its .proto compiled first).
bank_oom_test(rpc_oom bank_rpc)
target_link_libraries(test_rpc_oom PRIVATE bank_io)
target_compile_definitions(test_rpc_oom PRIVATE PROJECT_DIR="${PROJECT_SOURCE_DIR}")

# --faults SPEC parsed whole or refused with one line, and the dice a branch rolls them with.
bank_test(faults unit TIMEOUT 60 LIBS bank_rpc)
# The gRPC layer's long-lived parts out of memory (an engine, a sender, a branch, parked calls, a
# customer's calls), each refused cleanly at every allocation, and nothing kept when they stop.
bank_oom_test(rpc_parts_oom bank_rpc)
# What a branch's trace records of each request it answers, in every wire form.
bank_test(rpc_trace unit TIMEOUT 60 LIBS bank_rpc)
# With a data dir, an answer the disk cannot make durable (spec K8): a batch's, a query's and a
# Snapshot's, answered UNAVAILABLE saying why and freed, the journal stood in for by the hooks.
bank_test(rpc_durable unit TIMEOUT 60 LIBS bank_rpc)
