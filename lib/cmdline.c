/*
 * Reading the kernel command line (include/lib/cmdline.h): words separated by spaces.
 */
#include "lib/cmdline.h"
#include "kernel.h"

/* The next word of @s at or after *@pos: its start, and its length in *@n; NULL at the end. */
static const char *next_word(const char *s, size_t *pos, size_t *n)
{
	size_t i = *pos, j;

	while (s[i] == ' ')
		i++;
	if (!s[i])
		return NULL;
	for (j = i; s[j] && s[j] != ' '; j++)
		;
	*n = j - i;
	*pos = j;
	return s + i;
}

/* cmdline_has - see include/lib/cmdline.h. */
bool cmdline_has(const char *cmdline, const char *word)
{
	size_t want = strlen(word), pos = 0, n;
	const char *w;

	while ((w = next_word(cmdline, &pos, &n)) != NULL)
		if (n == want && !strncmp(w, word, n))
			return true;
	return false;
}

/* cmdline_value - see include/lib/cmdline.h. */
bool cmdline_value(const char *cmdline, const char *key, char *buf, size_t len)
{
	size_t k = strlen(key), pos = 0, n;
	const char *w;

	while ((w = next_word(cmdline, &pos, &n)) != NULL) {
		if (n > k && !strncmp(w, key, k) && w[k] == '=') {
			size_t vlen = n - k - 1;

			if (vlen == 0 || vlen >= len)
				return false;
			memcpy(buf, w + k + 1, vlen);
			buf[vlen] = '\0';
			return true;
		}
	}
	return false;
}
