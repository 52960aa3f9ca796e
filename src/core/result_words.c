/* The result words real submissions use, matched without regard to case. */
#include "result_words.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

bank_word bank_result_word(const char *text)
{
    while (isspace((unsigned char)*text)) text++;
    static const char *const good[] = {"success", "successful", "succeeded", "succeed", "ok", "true"};
    static const char *const bad[] = {"fail", "failed", "failure", "error", "false"};
    size_t n = strlen(text);
    while (n > 0 && isspace((unsigned char)text[n - 1])) n--;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (strlen(good[i]) == n && strncasecmp(text, good[i], n) == 0) return BANK_WORD_SUCCESS;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (strlen(bad[i]) == n && strncasecmp(text, bad[i], n) == 0) return BANK_WORD_FAIL;
    if (strncasecmp(text, "insufficient", 12) == 0) return BANK_WORD_FAIL;
    if (n == 7 && strncasecmp(text, "pending", 7) == 0) return BANK_WORD_PENDING;
    return BANK_WORD_OTHER;
}
