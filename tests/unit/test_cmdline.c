/*
 * Host tests for lib/cmdline.c: whole words only, key=value with empty, missing and too long
 * values, extra spaces, and the first of two values winning.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "lib/cmdline.h"

static void test_has(void **state)
{
	assert_true(cmdline_has("trace", "trace"));
	assert_true(cmdline_has("  a  trace  b ", "trace"));
	assert_false(cmdline_has("tracer", "trace"));
	assert_false(cmdline_has("xtrace", "trace"));
	assert_false(cmdline_has("", "trace"));
	assert_true(cmdline_has("poweroff=acpi netcheck", "poweroff=acpi"));
	assert_false(cmdline_has("poweroff=acpi2", "poweroff=acpi"));
}

static void test_value(void **state)
{
	char buf[9], small[8];

	assert_true(cmdline_value("a swap=/dev/vda b", "swap", buf, sizeof(buf)));
	assert_string_equal(buf, "/dev/vda");
	/* "/dev/vda" and its NUL need 9 bytes: not in 8. */
	assert_false(cmdline_value("a swap=/dev/vda b", "swap", small, sizeof(small)));
	assert_true(cmdline_value("init=/bin/sh init=/x", "init", buf, sizeof(buf)));
	assert_string_equal(buf, "/bin/sh");
	assert_false(cmdline_value("init= x", "init", buf, sizeof(buf)));
	assert_false(cmdline_value("rdinit=/init", "init", buf, sizeof(buf)));
	assert_false(cmdline_value("init", "init", buf, sizeof(buf)));
	assert_true(cmdline_value("  rdinit=/init  ", "rdinit", buf, sizeof(buf)));
	assert_string_equal(buf, "/init");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_has),
		cmocka_unit_test(test_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
