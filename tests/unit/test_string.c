/*
 * Host tests for lib/string.c.
 *
 * unit.mk builds this file and lib/string.c with -Dmemcpy=kstr_memcpy (and
 * likewise for every function of the file), so the calls below reach the
 * kernel's versions while cmocka and the sanitizers keep the C library's.
 * Reference results are computed with plain loops, never with libc.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kernel.h"

#define BUF 512

static unsigned char src_buf[BUF], dst_buf[BUF], ref_buf[BUF];

static void fill_pattern(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 131 + seed * 7 + 1);
}

static void assert_bytes(const unsigned char *a, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			fail_msg("byte %zu differs: %u != %u", i, a[i], b[i]);
	}
}

/* Every size 0..300 at every alignment 0..8 of both ends; guards stay put. */
static void test_memcpy_sizes_alignments(void **state)
{
	for (size_t so = 0; so < 9; so++) {
		for (size_t dof = 0; dof < 9; dof++) {
			for (size_t n = 0; n <= 300; n++) {
				fill_pattern(src_buf, BUF, (unsigned)(so + n));
				fill_pattern(dst_buf, BUF, 99);
				fill_pattern(ref_buf, BUF, 99);
				for (size_t i = 0; i < n; i++)
					ref_buf[dof + i] = src_buf[so + i];
				assert_ptr_equal(memcpy(dst_buf + dof, src_buf + so, n),
						 dst_buf + dof);
				assert_bytes(dst_buf, ref_buf, BUF);
			}
		}
	}
}

static void test_memcpy_page(void **state)
{
	static unsigned char a[8192] __attribute__((aligned(4096)));
	static unsigned char b[8192] __attribute__((aligned(4096)));

	fill_pattern(a, sizeof(a), 5);
	memcpy(b, a, 4096);
	assert_bytes(b, a, 4096);
	for (size_t i = 4096; i < sizeof(b); i++)
		assert_int_equal(b[i], 0);
}

static void test_memmove_overlap(void **state)
{
	for (size_t n = 0; n <= 100; n++) {
		for (size_t d = 0; d < 20; d++) {
			/* Forward overlap: dst above src. */
			fill_pattern(dst_buf, BUF, (unsigned)n);
			fill_pattern(ref_buf, BUF, (unsigned)n);
			for (size_t i = n; i-- > 0;)
				ref_buf[100 + d + i] = ref_buf[100 + i];
			assert_ptr_equal(memmove(dst_buf + 100 + d, dst_buf + 100, n),
					 dst_buf + 100 + d);
			assert_bytes(dst_buf, ref_buf, BUF);

			/* Backward overlap: dst below src. */
			fill_pattern(dst_buf, BUF, (unsigned)n + 1);
			fill_pattern(ref_buf, BUF, (unsigned)n + 1);
			for (size_t i = 0; i < n; i++)
				ref_buf[100 - d + i] = ref_buf[100 + i];
			memmove(dst_buf + 100 - d, dst_buf + 100, n);
			assert_bytes(dst_buf, ref_buf, BUF);
		}
	}
}

static void test_memset(void **state)
{
	for (size_t off = 0; off < 9; off++) {
		for (size_t n = 0; n <= 300; n++) {
			fill_pattern(dst_buf, BUF, 3);
			fill_pattern(ref_buf, BUF, 3);
			for (size_t i = 0; i < n; i++)
				ref_buf[off + i] = 0xa5;
			/* Only the low byte of c counts. */
			assert_ptr_equal(memset(dst_buf + off, 0x12a5, n), dst_buf + off);
			assert_bytes(dst_buf, ref_buf, BUF);
		}
	}
	memset(dst_buf, 0, BUF);
	for (size_t i = 0; i < BUF; i++)
		assert_int_equal(dst_buf[i], 0);
}

static void test_memcmp(void **state)
{
	assert_int_equal(memcmp("abc", "abd", 0), 0);
	assert_int_equal(memcmp("abc", "abc", 3), 0);
	assert_true(memcmp("abc", "abd", 3) < 0);
	assert_true(memcmp("abd", "abc", 3) > 0);
	/* Bytes compare as unsigned char. */
	assert_true(memcmp("\x80", "\x7f", 1) > 0);
	assert_true(memcmp("a\0b", "a\0c", 3) < 0);
}

static void test_strlen_strnlen(void **state)
{
	assert_int_equal(strlen(""), 0);
	assert_int_equal(strlen("sprout"), 6);
	assert_int_equal(strnlen("sprout", 3), 3);
	assert_int_equal(strnlen("sprout", 6), 6);
	assert_int_equal(strnlen("sprout", 100), 6);
	assert_int_equal(strnlen("", 0), 0);
	/* strnlen must not look past max: no NUL inside the array. */
	char raw[4] = { 'a', 'b', 'c', 'd' };
	assert_int_equal(strnlen(raw, sizeof(raw)), 4);
}

static void test_strcmp_strncmp(void **state)
{
	assert_int_equal(strcmp("", ""), 0);
	assert_int_equal(strcmp("init", "init"), 0);
	assert_true(strcmp("init", "inits") < 0);
	assert_true(strcmp("inits", "init") > 0);
	assert_true(strcmp("a", "b") < 0);
	assert_true(strcmp("\xff", "a") > 0);

	assert_int_equal(strncmp("abcdef", "abcxyz", 3), 0);
	assert_true(strncmp("abcdef", "abcxyz", 4) < 0);
	assert_int_equal(strncmp("abc", "abd", 0), 0);
	assert_int_equal(strncmp("ab", "ab", 10), 0);
	assert_true(strncmp("ab", "abc", 10) < 0);
	assert_true(strncmp("\x80", "\x01", 1) > 0);
}

static void test_strchr_strrchr(void **state)
{
	const char *s = "/usr/bin/env";

	assert_ptr_equal(strchr(s, '/'), s);
	assert_ptr_equal(strchr(s, 'b'), s + 5);
	assert_ptr_equal(strchr(s, 'x'), NULL);
	assert_ptr_equal(strchr(s, '\0'), s + 12);
	assert_ptr_equal(strchr(s, 'b' + 256), s + 5);	/* converted to char */
	assert_ptr_equal(strrchr(s, '/'), s + 8);
	assert_ptr_equal(strrchr(s, 'x'), NULL);
	assert_ptr_equal(strrchr(s, '\0'), s + 12);
	assert_ptr_equal(strrchr("", 'a'), NULL);
}

static void test_strlcpy(void **state)
{
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(strlcpy(buf, "abc", sizeof(buf)), 3);
	assert_int_equal(memcmp(buf, "abc\0XXXX", 8), 0);

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(strlcpy(buf, "abcdefghij", sizeof(buf)), 10);
	assert_int_equal(memcmp(buf, "abcdefg\0", 8), 0);

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(strlcpy(buf, "abcdefg", sizeof(buf)), 7);
	assert_int_equal(memcmp(buf, "abcdefg\0", 8), 0);

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(strlcpy(buf, "abc", 0), 3);
	assert_int_equal(buf[0], 'X');

	assert_int_equal(strlcpy(buf, "abc", 1), 3);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'X');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy_sizes_alignments),
		cmocka_unit_test(test_memcpy_page),
		cmocka_unit_test(test_memmove_overlap),
		cmocka_unit_test(test_memset),
		cmocka_unit_test(test_memcmp),
		cmocka_unit_test(test_strlen_strnlen),
		cmocka_unit_test(test_strcmp_strncmp),
		cmocka_unit_test(test_strchr_strrchr),
		cmocka_unit_test(test_strlcpy),
	};

	return cmocka_run_group_tests_name("lib/string", tests, NULL, NULL);
}
