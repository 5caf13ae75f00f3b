/*
 * Host tests for lib/corename.c: core_pattern's checks and the expansion
 * of every % specifier core(5) lists, including '/' in names, unknown
 * specifiers, a trailing '%', and names that do not fit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "uapi/errno.h"
#include "lib/corename.h"

static const struct corename_vars vars = {
	.pid = 1234, .tid = 1236, .uid = 1000, .gid = 100, .sig = 6, .time = 1700000000,
	.core_limit = 0, .host = "sprout", .comm = "a/b", .exe = "/bin/prog",
};

static void expect(const char *pattern, const char *want)
{
	char out[128];

	assert_int_equal(corename_expand(out, sizeof(out), pattern, &vars), 0);
	assert_string_equal(out, want);
}

static void test_specifiers(void **state)
{
	expect("core", "core");
	expect("core.%p", "core.1234");
	expect("%P-%i-%I", "1234-1236-1236");
	expect("/tmp/core-%e-%u-%g-%s-%t", "/tmp/core-a!b-1000-100-6-1700000000");
	expect("%h%%%c%d", "sprout%01");
	expect("x%E", "x!bin!prog");
	expect("a%zb%", "ab");		/* unknown and trailing: dropped */
}

static void test_errors(void **state)
{
	char out[8];

	assert_int_equal(corename_expand(out, sizeof(out), "", &vars), -ENOENT);
	assert_int_equal(corename_expand(out, sizeof(out), "1234567", &vars), 0);
	assert_int_equal(corename_expand(out, sizeof(out), "12345678", &vars), -ENAMETOOLONG);
	assert_int_equal(corename_expand(out, sizeof(out), "core%p", &vars), -ENAMETOOLONG);
	assert_int_equal(corename_expand(out, 0, "c", &vars), -ENAMETOOLONG);
	assert_int_equal(corename_check("core", 4, 128), 0);
	assert_int_equal(corename_check("", 0, 128), 0);
	assert_int_equal(corename_check("|/bin/x", 7, 128), -EINVAL);
	assert_int_equal(corename_check("a\0b", 3, 128), -EINVAL);
	assert_int_equal(corename_check("12345678", 8, 8), -EINVAL);
	assert_int_equal(corename_check("1234567", 7, 8), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_specifiers),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
