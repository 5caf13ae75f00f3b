/*
 * Host tests for lib/idmap.c: Linux's pid allocation order (ascending from
 * the last id, skipping ids in use, wrapping to 300 after pid_max - 1 and
 * never handing out ids below 300 again), -EAGAIN when full, reserve/free,
 * word-boundary cases, and a randomized comparison with a naive model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "uapi/errno.h"
#include "lib/idmap.h"

#define PID_MAX 32768
#define RESERVED 300

static u64 bits[(PID_MAX + 63) / 64];

static void test_sequential(void **state)
{
	struct idmap m;

	idmap_init(&m, bits, PID_MAX, PID_MAX, 1, RESERVED);
	assert_int_equal(idmap_reserve(&m, 1), 0);
	assert_int_equal(idmap_reserve(&m, 1), -EEXIST);
	assert_true(idmap_in_use(&m, 1));
	assert_false(idmap_in_use(&m, 0));
	assert_int_equal(idmap_alloc(&m), 2);
	assert_int_equal(idmap_alloc(&m), 3);
	assert_int_equal(m.used, 3);
	/* Freed ids are not reused until the counter wraps. */
	idmap_free(&m, 2);
	assert_false(idmap_in_use(&m, 2));
	assert_int_equal(idmap_alloc(&m), 4);
	assert_int_equal(m.used, 3);
	/* Ids in use ahead of the cursor are skipped. */
	assert_int_equal(idmap_reserve(&m, 5), 0);
	assert_int_equal(idmap_reserve(&m, 6), 0);
	assert_int_equal(idmap_alloc(&m), 7);
	assert_int_equal(idmap_reserve(&m, PID_MAX), -EINVAL);
	assert_false(idmap_in_use(&m, PID_MAX));
}

static void test_wrap(void **state)
{
	struct idmap m;

	idmap_init(&m, bits, PID_MAX, PID_MAX, 1, RESERVED);
	for (int i = 1; i < PID_MAX; i++)
		assert_int_equal(idmap_alloc(&m), i);
	assert_int_equal(idmap_alloc(&m), -EAGAIN);
	assert_int_equal(m.used, PID_MAX - 1);

	/* Below 300 is never reused after the wrap, even when free. */
	idmap_free(&m, 10);
	assert_int_equal(idmap_alloc(&m), -EAGAIN);
	idmap_free(&m, 5000);
	idmap_free(&m, 400);
	idmap_free(&m, 300);
	assert_int_equal(idmap_alloc(&m), 300);
	assert_int_equal(idmap_alloc(&m), 400);
	assert_int_equal(idmap_alloc(&m), 5000);
	assert_int_equal(idmap_alloc(&m), -EAGAIN);
	idmap_free(&m, PID_MAX - 1);
	idmap_free(&m, 301);
	/* The cursor is at 5000: next comes PID_MAX - 1, then wrap to 301. */
	assert_int_equal(idmap_alloc(&m), PID_MAX - 1);
	assert_int_equal(idmap_alloc(&m), 301);
}

static void test_cursor_after_wrap(void **state)
{
	struct idmap m;

	idmap_init(&m, bits, PID_MAX, PID_MAX, 1, RESERVED);
	m.last = PID_MAX - 1;
	assert_int_equal(idmap_alloc(&m), RESERVED);
	assert_int_equal(idmap_alloc(&m), RESERVED + 1);
}

/* A small map whose size is not a multiple of 64: no id >= max ever appears. */
static void test_odd_size(void **state)
{
	u64 small[2];
	struct idmap m;

	idmap_init(&m, small, 70, 70, 0, 0);
	assert_int_equal(idmap_words(70), 2);
	/* "last" starts at 0, so id 0 comes only after the wrap. */
	for (int i = 1; i < 70; i++)
		assert_int_equal(idmap_alloc(&m), i);
	assert_int_equal(idmap_alloc(&m), 0);
	assert_int_equal(idmap_alloc(&m), -EAGAIN);
	idmap_free(&m, 63);
	idmap_free(&m, 64);
	idmap_free(&m, 0);
	/* The cursor sits at 0 (the last id handed out): 63 and 64 come first. */
	assert_int_equal(idmap_alloc(&m), 63);
	assert_int_equal(idmap_alloc(&m), 64);
	assert_int_equal(idmap_alloc(&m), 0);
	assert_int_equal(idmap_alloc(&m), -EAGAIN);
	/* Freeing an id that is not in use changes nothing. */
	idmap_free(&m, 69);
	idmap_free(&m, 69);
	assert_int_equal(m.used, 69);
	idmap_free(&m, 1000);
	assert_int_equal(m.used, 69);
}

static void test_word_boundaries(void **state)
{
	struct idmap m;

	idmap_init(&m, bits, 256, 256, 1, 1);
	for (u32 i = 1; i < 256; i++) {
		if (i != 64 && i != 127 && i != 128 && i != 255)
			assert_int_equal(idmap_reserve(&m, i), 0);
	}
	assert_int_equal(idmap_alloc(&m), 64);
	assert_int_equal(idmap_alloc(&m), 127);
	assert_int_equal(idmap_alloc(&m), 128);
	assert_int_equal(idmap_alloc(&m), 255);
	assert_int_equal(idmap_alloc(&m), -EAGAIN);
}

/* The naive model: Linux's rule spelled out one id at a time. */
static int model_alloc(bool *used, u32 max, u32 min, u32 wrap_to, u32 *last)
{
	u32 lo = *last + 1 > wrap_to ? wrap_to : min;
	u32 start = *last + 1 < lo ? lo : *last + 1;

	if (start >= max)
		start = lo;
	for (u32 id = start; id < max; id++) {
		if (!used[id]) {
			used[id] = true;
			*last = id;
			return (int)id;
		}
	}
	for (u32 id = lo; id < start; id++) {
		if (!used[id]) {
			used[id] = true;
			*last = id;
			return (int)id;
		}
	}
	return -EAGAIN;
}

static void test_random_vs_model(void **state)
{
	enum { MAX = 1000, MIN = 1, WRAP = 30 };
	static bool used[MAX];
	struct idmap m;
	u32 last = 0, nused = 0;

	srand(12345);
	idmap_init(&m, bits, MAX, MAX, MIN, WRAP);
	for (int step = 0; step < 200000; step++) {
		if (rand() % 100 < 55) {
			int want = model_alloc(used, MAX, MIN, WRAP, &last);

			assert_int_equal(idmap_alloc(&m), want);
			if (want >= 0)
				nused++;
		} else {
			u32 id = (u32)rand() % MAX;

			if (used[id]) {
				used[id] = false;
				nused--;
			}
			idmap_free(&m, id);
		}
		assert_int_equal(m.used, nused);
	}
	for (u32 id = 0; id < MAX + 10; id++)
		assert_int_equal(idmap_in_use(&m, id), id < MAX && used[id]);
}

/* pid_max lowered below ids in use: new ids stay below it, old ones still free. */
static void test_set_max(void **state)
{
	struct idmap m;

	(void)state;
	idmap_init(&m, bits, PID_MAX, 1000, 1, RESERVED);
	for (int i = 1; i < 1000; i++)
		assert_int_equal(idmap_alloc(&m), i);
	assert_int_equal(idmap_alloc(&m), -EAGAIN);
	assert_int_equal(idmap_set_max(&m, PID_MAX + 1), -EINVAL);
	assert_int_equal(idmap_set_max(&m, RESERVED), -EINVAL);
	assert_int_equal(idmap_set_max(&m, 2000), 0);
	assert_int_equal(idmap_alloc(&m), 1000);
	assert_int_equal(idmap_set_max(&m, 500), 0);
	/* Every id below 500 is taken: nothing until one is freed. */
	assert_int_equal(idmap_alloc(&m), -EAGAIN);
	idmap_free(&m, 1000);
	assert_false(idmap_in_use(&m, 1000));
	idmap_free(&m, 400);
	assert_int_equal(idmap_alloc(&m), 400);
	assert_int_equal(m.used, 999);
	assert_int_equal(idmap_next_used(&m, 0), 1);
	assert_int_equal(idmap_next_used(&m, 998), 998);
	assert_int_equal(idmap_next_used(&m, 999), 999);
	assert_int_equal(idmap_next_used(&m, 1000), -1);
	assert_int_equal(idmap_next_used(&m, PID_MAX + 5), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequential),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_cursor_after_wrap),
		cmocka_unit_test(test_odd_size),
		cmocka_unit_test(test_word_boundaries),
		cmocka_unit_test(test_random_vs_model),
		cmocka_unit_test(test_set_max),
	};

	return cmocka_run_group_tests_name("lib/idmap", tests, NULL, NULL);
}
