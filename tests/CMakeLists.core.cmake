# The pure core's unit tests, one program a subject.

# The replica and its log: every replica rule, the write log, the union of logs, checkpoints.
bank_test(core unit LIBS bank_core)

# The schedules' plans and the reference model on hand-made workloads.
bank_test(schedule_model unit LIBS bank_core)

# The seeded workload generator: the same workload per seed, and its random numbers.
bank_test(generator unit LIBS bank_core)

# Net sets, the sums the "possible alone" test is built from.
bank_test(net_set unit LIBS bank_core)

# Every allocation of the core made to fail in turn: the model, replicas and logs; the judges.
bank_oom_test(core_oom bank_core)
bank_oom_test(judge_oom bank_core)

# Seeded random properties of the core (BANK_SEED=N reruns from seed N).
bank_test(core_property property LIBS bank_core)
