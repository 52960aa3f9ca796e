/* Names the character at a place in a text, for an error message: a UTF-8 character by its code
 * point ("“ (U+201C), a typographic quote: JSON needs the straight \""), anything else by its byte
 * value. Students paste inputs from word processors, whose curly quotes are the usual culprit. */
#ifndef BANK_IO_CHAR_NAME_H
#define BANK_IO_CHAR_NAME_H

#include <stddef.h>

/* *off may point inside a UTF-8 sequence: it is moved back to the sequence's first byte, so
 * that the column reported is the character's. Writes "unexpected ..." into buf. */
void bank_char_name(const char *text, size_t len, size_t *off, char *buf, size_t n);

/* text with every byte that starts no well-formed UTF-8 character written '?', into out (n bytes,
 * whole characters only): a file name made fit for a drawing's title. */
void bank_utf8_printable(const char *text, char *out, size_t n);

#endif
