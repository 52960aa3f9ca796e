/* Checks a Project 3 run's answers against the rules (spec C9-C11): exactly the expected ones
 * when entries ran one after another or when one customer ran alone; otherwise answers that some
 * execution keeping the session guarantees gives. */
#ifndef BANK_RUN_SESSION_VERIFY_H
#define BANK_RUN_SESSION_VERIFY_H

#include <stddef.h>

#include "core/schedule.h"
#include "core/session.h"
#include "core/workload.h"

/* 0 when the answers in got are allowed, else -1 with one line in err naming the first answer
 * that is not (or why the check could not run). */
int bank_session_verify(const bank_workload *w, const bank_routes *routes, bank_schedule schedule,
                        const bank_outcome *got, char *err, size_t errlen);

#endif
