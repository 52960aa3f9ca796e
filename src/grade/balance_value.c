#include "balance_value.h"

#include <math.h>
#include <stdio.h>

void bank_unusable_balance_detail(char *buf, size_t n, const bank_reply *rp)
{
    double d = rp->value_real;
    if (isfinite(d) && d == floor(d)) {
        if (fabs(d) < 1e24) snprintf(buf, n, "got %.0f: no balance is that large (a 64-bit whole number)", d);
        else snprintf(buf, n, "got %g: no balance is that large (a 64-bit whole number)", d);
    } else {
        snprintf(buf, n, "got %g: a balance is a whole number", d);
    }
}
