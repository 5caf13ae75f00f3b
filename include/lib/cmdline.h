/*
 * The kernel command line: space-separated words, "word" or "key=value" (Linux's
 * kernel-parameters). Pure string logic, no kernel state.
 */
#ifndef SPROUT_LIB_CMDLINE_H
#define SPROUT_LIB_CMDLINE_H

#include "types.h"

/* cmdline_has - @cmdline (NUL-terminated) holds the whole word @word. */
bool cmdline_has(const char *cmdline, const char *word);

/*
 * cmdline_value - copy the value of the first "@key=value" word of @cmdline into @buf (@len
 * bytes, NUL included). Returns true if the key is there with a non-empty value that fits.
 */
bool cmdline_value(const char *cmdline, const char *key, char *buf, size_t len);

#endif
