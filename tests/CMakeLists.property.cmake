# Seeded properties: the simulated network, the overdraft, live runs over real servers.
# BANK_SEED and BANK_PROPERTY_SEEDS choose the seeds; tools/property.sh runs many.
bank_test(property property TIMEOUT 900 LIBS bank_run)
