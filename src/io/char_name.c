#include "char_name.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The code point of the well-formed UTF-8 sequence at s (at most len bytes), and its length; 0
 * when it is not one. */
static size_t decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    size_t n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 && s[0] < 0xF0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
    if (n == 0 || n > len) return 0;
    uint32_t v = s[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < least[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return n;
}

void bank_char_name(const char *text, size_t len, size_t *off, char *buf, size_t n)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t at = *off;
    /* back to the sequence's first byte (at most three continuation bytes) */
    for (size_t k = 0; k < 3 && at > 0 && (t[at] & 0xC0) == 0x80; k++) at--;
    uint32_t cp;
    size_t used = at < len ? decode(t + at, len - at, &cp) : 0;
    if (used == 0 || at + used <= *off) {
        snprintf(buf, n, "unexpected byte 0x%02x", *off < len ? t[*off] : 0);
        return;
    }
    *off = at;
    const char *why = cp == 0x201C || cp == 0x201D   ? ", a typographic quote: JSON needs the straight \""
                      : cp == 0x2018 || cp == 0x2019 ? ", a typographic apostrophe: JSON needs the straight \""
                      : cp == 0x00A0                 ? ", a no-break space"
                                                     : "";
    snprintf(buf, n, "unexpected character %.*s (U+%04X)%s", (int)used, text + at, (unsigned)cp, why);
}

void bank_utf8_printable(const char *text, char *out, size_t n)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t len = strlen(text), o = 0;
    for (size_t i = 0; i < len && o + 1 < n;) {
        uint32_t cp;
        size_t used = t[i] < 0x80 ? 1 : decode(t + i, len - i, &cp);
        if (used == 0) {
            out[o++] = '?';
            i++;
        } else if (o + used < n) {
            memcpy(out + o, text + i, used);
            o += used;
            i += used;
        } else {
            break; /* a character that does not fit whole is left out */
        }
    }
    out[o] = '\0';
}
