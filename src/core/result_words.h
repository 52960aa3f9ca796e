/* What a result word means: the words students' systems and output files answer a write with
 * ("success", "Failed", "insufficient funds", ...). Pure C. */
#ifndef BANK_CORE_RESULT_WORDS_H
#define BANK_CORE_RESULT_WORDS_H

typedef enum {
    BANK_WORD_SUCCESS, /* success, successful, succeeded, succeed, ok, true */
    BANK_WORD_FAIL,    /* fail, failed, failure, error, false, insufficient... */
    BANK_WORD_PENDING, /* pending: applied at its branch, owed to some other (spec P11) */
    BANK_WORD_OTHER
} bank_word;

/* Case and surrounding spaces ignored. */
bank_word bank_result_word(const char *text);

#endif
