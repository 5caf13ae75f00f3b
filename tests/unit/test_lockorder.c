/*
 * Host tests for lib/lockorder.c, the graph behind the spinlock order check:
 * classes by name, direct and transitive inversions caught, consistent
 * orders (including diamonds) never reported, and a full class table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>

#include "lib/lockorder.h"

static struct lock_order g;

static void test_classes_by_name(void **state)
{
	char copy[] = "runqueue";

	lock_order_init(&g);
	int a = lock_order_class(&g, "runqueue");
	int b = lock_order_class(&g, "tasklist");

	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	/* The same name from another string is the same class. */
	assert_int_equal(lock_order_class(&g, copy), a);
	assert_int_equal(g.nr, 2);
}

static void test_direct_inversion(void **state)
{
	lock_order_init(&g);
	int a = lock_order_class(&g, "a"), b = lock_order_class(&g, "b");

	assert_false(lock_order_inverts(&g, a, b));
	lock_order_add(&g, a, b);
	assert_true(lock_order_known(&g, a, b));
	assert_false(lock_order_inverts(&g, a, b));	/* a then b again: fine */
	assert_true(lock_order_inverts(&g, b, a));	/* b held, a taken: inverted */
}

static void test_transitive_inversion(void **state)
{
	lock_order_init(&g);
	int a = lock_order_class(&g, "tasklist");
	int b = lock_order_class(&g, "wait");
	int c = lock_order_class(&g, "runqueue");
	int d = lock_order_class(&g, "zone");

	lock_order_add(&g, a, b);
	lock_order_add(&g, c, d);
	lock_order_add(&g, b, c);	/* joins the chains: a -> b -> c -> d */
	assert_true(lock_order_known(&g, a, d));
	assert_true(lock_order_inverts(&g, d, a));
	assert_true(lock_order_inverts(&g, c, a));
	assert_true(lock_order_inverts(&g, d, b));
	assert_false(lock_order_inverts(&g, a, d));
	assert_false(lock_order_inverts(&g, b, d));
}

static void test_diamond_is_consistent(void **state)
{
	lock_order_init(&g);
	int top = lock_order_class(&g, "top"), l = lock_order_class(&g, "left");
	int r = lock_order_class(&g, "right"), bot = lock_order_class(&g, "bottom");

	lock_order_add(&g, top, l);
	lock_order_add(&g, top, r);
	lock_order_add(&g, l, bot);
	lock_order_add(&g, r, bot);
	assert_false(lock_order_inverts(&g, top, bot));
	assert_false(lock_order_inverts(&g, l, bot));
	/* left and right were never ordered against each other. */
	assert_false(lock_order_inverts(&g, l, r));
	assert_false(lock_order_inverts(&g, r, l));
	assert_true(lock_order_inverts(&g, bot, top));
}

static void test_full_table(void **state)
{
	static char names[LOCK_ORDER_MAX_CLASSES + 1][16];

	lock_order_init(&g);
	for (int i = 0; i < LOCK_ORDER_MAX_CLASSES; i++) {
		snprintf(names[i], sizeof(names[i]), "c%d", i);
		assert_int_equal(lock_order_class(&g, names[i]), i);
	}
	snprintf(names[LOCK_ORDER_MAX_CLASSES], 16, "extra");
	assert_int_equal(lock_order_class(&g, names[LOCK_ORDER_MAX_CLASSES]), -1);
	/* The last class still has its bit. */
	lock_order_add(&g, 0, LOCK_ORDER_MAX_CLASSES - 1);
	assert_true(lock_order_inverts(&g, LOCK_ORDER_MAX_CLASSES - 1, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes_by_name),
		cmocka_unit_test(test_direct_inversion),
		cmocka_unit_test(test_transitive_inversion),
		cmocka_unit_test(test_diamond_is_consistent),
		cmocka_unit_test(test_full_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
