/*
 * Host tests for lib/fmt.c: exact expected strings for each conversion, C99
 * truncation and return values, and a differential sweep that compares the
 * kernel's output with the C library's for thousands of flag/width/precision/
 * length combinations whose result the C standard defines.
 *
 * unit.mk renames the kernel's functions (-Dvsnprintf=kfmt_vsnprintf,
 * -Dsnprintf=kfmt_snprintf); the C library is reached as __builtin_vsnprintf,
 * which GCC lowers to a call of the library's vsnprintf.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <limits.h>
#include <string.h>
#include <cmocka.h>

#include "kernel.h"

__attribute__((format(printf, 2, 3)))
static void check(const char *expect, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	memset(buf, 'Z', sizeof(buf));
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (strcmp(buf, expect) != 0)
		fail_msg("format \"%s\": got \"%s\", want \"%s\"", fmt, buf, expect);
	assert_int_equal(n, strlen(expect));
}

/* For formats the compiler would reject: unknown or truncated conversions. */
static void check_raw(const char *expect, const char *fmt)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), fmt, 0);

	assert_string_equal(buf, expect);
	assert_int_equal(n, strlen(expect));
}

static int host_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = __builtin_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_integers(void **state)
{
	check("0", "%d", 0);
	check("-42 42", "%d %i", -42, 42);
	check("-2147483648", "%d", INT_MIN);
	check("4294967295", "%u", UINT_MAX);
	check("ff FF 377", "%x %X %o", 255, 255, 255);
	check("-9223372036854775808", "%ld", LONG_MIN);
	check("18446744073709551615", "%lu", ULONG_MAX);
	check("ffffffffffffffff", "%llx", ULLONG_MAX);
	check("-1 65535 255", "%hd %hu %hhu", 65535, 65535, 511);
	check("-1", "%hhd", 255);
	check("12345678901", "%zu", (size_t)12345678901ULL);
	check("-5", "%zd", (ssize_t)-5);
}

static void test_width_flags(void **state)
{
	check("   42", "%5d", 42);
	check("42   |", "%-5d|", 42);
	check("00042", "%05d", 42);
	check("-0042", "%05d", -42);
	check("  -42", "%5d", -42);
	check("+42", "%+d", 42);
	check(" 42", "% d", 42);
	check("0x1f", "%#x", 31);
	check("0X1F", "%#X", 31);
	check("0", "%#x", 0);
	check("017", "%#o", 15);
	check("0x0000001f", "%#010x", 31);
	check("  007", "%5.3d", 7);
	check("", "%.0d", 0);
	check("   ", "%3.0d", 0);
	check("    ab", "%*x", 6, 0xab);
	check("ab    |", "%*x|", -6, 0xab);
	check("00ab", "%.*x", 4, 0xab);
	check("0000000000000001", "%016lx", 1UL);
}

static void test_strings_chars(void **state)
{
	check("hello", "%s", "hello");
	const char *volatile null_str = NULL;	/* hidden from the format checker */

	check("(null)", "%s", null_str);
	check("  abc", "%5s", "abc");
	check("abc  |", "%-5s|", "abc");
	check("ab", "%.2s", "abc");
	check("   ab", "%5.2s", "abcdef");
	check("abc", "%.10s", "abc");
	check("x", "%c", 'x');
	check("  x", "%3c", 'x');
	check("x  |", "%-3c|", 'x');
	check("100%", "%d%%", 100);
	check_raw("a%qb", "a%qb");
	check_raw("tail%", "tail%");
}

static void test_pointer(void **state)
{
	check("0x0000000000001234", "%p", (void *)0x1234);
	check("0x0000000000000000", "%p", NULL);
	check("0xffff800000000000", "%p", (void *)0xffff800000000000UL);
	check("  0x00007fffffffe000", "%20p", (void *)0x7fffffffe000UL);
	check("0x00007fffffffe000  |", "%-20p|", (void *)0x7fffffffe000UL);
}

static void test_truncation(void **state)
{
	char buf[8];

	assert_int_equal(snprintf(NULL, 0, "hello %d", 12345), 11);
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(snprintf(buf, 1, "hello"), 5);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'Z');
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(snprintf(buf, 5, "hello world"), 11);
	assert_string_equal(buf, "hell");
	assert_int_equal(buf[5], 'Z');
	assert_int_equal(snprintf(buf, sizeof(buf), "%s", "1234567"), 7);
	assert_string_equal(buf, "1234567");
	assert_int_equal(snprintf(buf, sizeof(buf), "%s", "12345678"), 8);
	assert_string_equal(buf, "1234567");
	assert_int_equal(snprintf(buf, 0, "%x", 0xabc), 3);
	assert_string_equal(buf, "1234567");
}

/* Differential sweep: every combination C defines must match the C library. */
static void test_against_libc(void **state)
{
	static const char *const flags[] = { "", "-", "0", "+", " ", "#", "-0", "+0", " -", "#0" };
	static const char *const widths[] = { "", "1", "5", "22" };
	static const char *const precs[] = { "", ".0", ".3", ".21" };
	static const char *const lens[] = { "hh", "h", "", "l", "ll", "z" };
	static const char convs[] = "diuxXo";
	static const long long values[] = {
		0, 1, -1, 7, -8, 42, 255, 256, -129, 32767, -32768, 65535, INT_MAX, INT_MIN,
		(long long)UINT_MAX, LLONG_MAX, LLONG_MIN, 0x123456789abcdefLL,
	};
	char fmt[32], want[128], got[128];
	int checked = 0;

	for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
	for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
	for (size_t p = 0; p < sizeof(precs) / sizeof(precs[0]); p++)
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
	for (size_t c = 0; convs[c]; c++) {
		bool is_signed = convs[c] == 'd' || convs[c] == 'i';

		/* '#' is undefined for d, i and u. */
		if (strchr(flags[f], '#') && (is_signed || convs[c] == 'u'))
			continue;
		snprintf(fmt, sizeof(fmt), "[%s%s%s%s%c]", flags[f], widths[w], precs[p],
			 lens[l], convs[c]);
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			int nw, ng;

			if (!strcmp(lens[l], "ll") || !strcmp(lens[l], "l") ||
			    !strcmp(lens[l], "z")) {
				nw = host_snprintf(want, sizeof(want), fmt, values[v]);
				ng = snprintf(got, sizeof(got), fmt, values[v]);
			} else {
				nw = host_snprintf(want, sizeof(want), fmt, (int)values[v]);
				ng = snprintf(got, sizeof(got), fmt, (int)values[v]);
			}
			if (strcmp(want, got) != 0 || nw != ng)
				fail_msg("%s of %lld: libc \"%s\" (%d), kernel \"%s\" (%d)",
					 fmt, values[v], want, nw, got, ng);
			checked++;
		}
	}

	static const char *const strs[] = { "", "a", "sprout", "a longer string here" };
	static const char *const sfmts[] = {
		"%s", "%10s", "%-10s|", "%.3s", "%8.2s", "%-8.0s|", "%.30s", "%1s",
		"%c", "%5c", "%-5c|",
	};
	for (size_t s = 0; s < sizeof(strs) / sizeof(strs[0]); s++) {
		for (size_t f = 0; f < sizeof(sfmts) / sizeof(sfmts[0]); f++) {
			int nw, ng;

			if (strchr(sfmts[f], 'c')) {
				nw = host_snprintf(want, sizeof(want), sfmts[f], strs[s][0] | 'A');
				ng = snprintf(got, sizeof(got), sfmts[f], strs[s][0] | 'A');
			} else {
				nw = host_snprintf(want, sizeof(want), sfmts[f], strs[s]);
				ng = snprintf(got, sizeof(got), sfmts[f], strs[s]);
			}
			if (strcmp(want, got) != 0 || nw != ng)
				fail_msg("%s of \"%s\": libc \"%s\", kernel \"%s\"", sfmts[f],
					 strs[s], want, got);
			checked++;
		}
	}
	assert_true(checked > 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_width_flags),
		cmocka_unit_test(test_strings_chars),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_against_libc),
	};

	return cmocka_run_group_tests_name("lib/fmt", tests, NULL, NULL);
}
