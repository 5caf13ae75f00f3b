/*
 * Core file names (see include/lib/corename.h): core_pattern's checks and
 * its % expansion, as core(5) describes them.
 */
#include "kernel.h"
#include "uapi/errno.h"
#include "lib/corename.h"

/* corename_check - see include/lib/corename.h. */
int corename_check(const char *s, size_t len, size_t size)
{
	if (len >= size || (len && s[0] == '|'))
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (!s[i])
			return -EINVAL;
	return 0;
}

/* Append one character; false when @out is full (room kept for the NUL). */
static bool put_char(char *out, size_t *n, size_t size, char c)
{
	if (*n + 1 >= size)
		return false;
	out[(*n)++] = c;
	return true;
}

static bool put_str(char *out, size_t *n, size_t size, const char *s, bool noslash)
{
	for (; s && *s; s++)
		if (!put_char(out, n, size, (noslash && *s == '/') ? '!' : *s))
			return false;
	return true;
}

static bool put_num(char *out, size_t *n, size_t size, u64 v)
{
	char digits[20];
	int k = 0;

	do {
		digits[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		if (!put_char(out, n, size, digits[--k]))
			return false;
	return true;
}

/* corename_expand - see include/lib/corename.h. */
int corename_expand(char *out, size_t size, const char *pattern, const struct corename_vars *v)
{
	size_t n = 0;
	bool ok = true;

	if (!size)
		return -ENAMETOOLONG;
	if (!pattern[0])
		return -ENOENT;
	for (const char *c = pattern; *c && ok; c++) {
		if (*c != '%') {
			ok = put_char(out, &n, size, *c);
			continue;
		}
		switch (*++c) {
		case '\0': c--; break;			/* a lone '%' at the end */
		case '%': ok = put_char(out, &n, size, '%'); break;
		case 'p': case 'P': ok = put_num(out, &n, size, v->pid); break;
		case 'i': case 'I': ok = put_num(out, &n, size, v->tid); break;
		case 'u': ok = put_num(out, &n, size, v->uid); break;
		case 'g': ok = put_num(out, &n, size, v->gid); break;
		case 's': ok = put_num(out, &n, size, v->sig); break;
		case 't': ok = put_num(out, &n, size, v->time); break;
		case 'c': ok = put_num(out, &n, size, v->core_limit); break;
		case 'd': ok = put_char(out, &n, size, '1'); break;
		case 'h': ok = put_str(out, &n, size, v->host, false); break;
		case 'e': ok = put_str(out, &n, size, v->comm, true); break;
		case 'E': ok = put_str(out, &n, size, v->exe, true); break;
		default: break;				/* unknown: dropped */
		}
	}
	out[n] = '\0';
	return ok ? 0 : -ENAMETOOLONG;
}
