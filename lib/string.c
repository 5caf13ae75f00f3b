/*
 * Memory and string primitives for a freestanding kernel (the ones declared
 * in include/kernel.h). The compiler emits calls to memcpy/memset/memmove/
 * memcmp on its own (struct copies, zero-initialisers), so these must exist
 * even in code that never names them.
 *
 * Semantics follow ISO C11 7.24 (and OpenBSD's strlcpy(3) for strlcpy).
 * Page-sized copies and clears dominate (fork, COW, demand-zero), so on
 * x86-64 memcpy and memset move eight bytes per step with the string
 * instructions; everything else is plain portable C.
 *
 * No function here takes a lock or sleeps; all are safe in any context.
 */
#include "kernel.h"

/*
 * GCC recognises byte loops as memcpy/memset idioms and replaces them with a
 * call to the very function being defined, which would recurse forever.
 */
#define STRING_NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

/*
 * memcpy - copy @n bytes from @src to @dst; the ranges must not overlap.
 * Returns @dst. Sleeps: no. Semantics: C11 7.24.2.1.
 */
STRING_NO_LIBCALL void *memcpy(void *dst, const void *src, size_t n)
{
#if defined(__x86_64__)
	void *d = dst;
	size_t words = n >> 3;
	size_t tail = n & 7;

	/* DF is clear in kernel code (the ABI requires it at every call). */
	__asm__ volatile("rep movsq\n\t"
			 "movq %[tail], %%rcx\n\t"
			 "rep movsb"
			 : "+D"(d), "+S"(src), "+c"(words)
			 : [tail] "r"(tail)
			 : "memory");
	return dst;
#else
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
#endif
}

/*
 * memmove - copy @n bytes from @src to @dst; the ranges may overlap.
 * Returns @dst. Sleeps: no. Semantics: C11 7.24.2.2.
 */
STRING_NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* A forward copy is safe unless @dst starts inside the source range. */
	if ((uintptr_t)d - (uintptr_t)s >= n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

/*
 * memset - fill @n bytes at @dst with the byte value of @c.
 * Returns @dst. Sleeps: no. Semantics: C11 7.24.6.1.
 */
STRING_NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
#if defined(__x86_64__)
	void *d = dst;
	size_t words = n >> 3;
	size_t tail = n & 7;
	u64 pattern = (u64)(unsigned char)c * 0x0101010101010101ULL;

	__asm__ volatile("rep stosq\n\t"
			 "movq %[tail], %%rcx\n\t"
			 "rep stosb"
			 : "+D"(d), "+c"(words)
			 : "a"(pattern), [tail] "r"(tail)
			 : "memory");
	return dst;
#else
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
#endif
}

/*
 * memcmp - compare @n bytes as unsigned char. Returns <0, 0 or >0.
 * Sleeps: no. Semantics: C11 7.24.4.1.
 */
STRING_NO_LIBCALL int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

/* strlen - bytes before the first NUL of @s. Semantics: C11 7.24.6.3. */
STRING_NO_LIBCALL size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

/*
 * strnlen - like strlen() but looks at no more than @max bytes, returning
 * @max when no NUL is among them. Semantics: POSIX.1-2017 strnlen().
 */
STRING_NO_LIBCALL size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/*
 * strcmp - compare NUL-terminated strings as unsigned char.
 * Returns <0, 0 or >0. Semantics: C11 7.24.4.2.
 */
STRING_NO_LIBCALL int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return *x - *y;
}

/*
 * strncmp - strcmp() over at most @n bytes. Returns <0, 0 or >0.
 * Semantics: C11 7.24.4.4.
 */
STRING_NO_LIBCALL int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
		if (!*x)
			return 0;
	}
	return 0;
}

/*
 * strchr - first occurrence of (char)@c in @s; the terminating NUL counts,
 * so strchr(s, 0) finds the end. Returns NULL when absent.
 * Semantics: C11 7.24.5.2.
 */
STRING_NO_LIBCALL char *strchr(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

/*
 * strrchr - last occurrence of (char)@c in @s (the NUL included).
 * Returns NULL when absent. Semantics: C11 7.24.5.5.
 */
STRING_NO_LIBCALL char *strrchr(const char *s, int c)
{
	char ch = (char)c;
	const char *found = NULL;

	for (;; s++) {
		if (*s == ch)
			found = s;
		if (!*s)
			return (char *)found;
	}
}

/*
 * strlcpy - copy NUL-terminated @src into the @size-byte buffer @dst,
 * truncating and always NUL-terminating when @size > 0.
 * Returns strlen(@src), so truncation happened when the result >= @size.
 * Semantics: OpenBSD strlcpy(3).
 */
STRING_NO_LIBCALL size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
