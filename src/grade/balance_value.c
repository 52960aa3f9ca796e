#include "balance_value.h"

#include <math.h>
#include <stdio.h>

void bank_unusable_balance_detail(char *buf, size_t n, const bank_reply *rp)
{
    double d = rp->value_real;
    int whole = isfinite(d) && d == floor(d);
    char got[48];
    if (whole && fabs(d) < 1e24) snprintf(got, sizeof got, "%.0f", d); /* as written, every digit */
    else snprintf(got, sizeof got, "%g", d);
    snprintf(buf, n, "got %s: %s", got,
             whole ? "no balance is that large (a 64-bit whole number)" : "a balance is a whole number");
}
