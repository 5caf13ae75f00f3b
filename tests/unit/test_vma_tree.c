/*
 * Host tests for mm/vma_tree.c, the AVL index of an address space's VMAs:
 * a long random run of inserts, removals and downward growth, driven the way
 * mm/mm.c drives it (list first, then the tree), checked after every step
 * against the sorted list: in-order sequence, AVL heights and balance, the
 * largest-gap augmentation, vma_lower_bound() for random addresses and
 * vma_tree_find_gap() against a top-down scan of the list.
 *
 * panic() is provided here: it reports through cmocka's mock_assert().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel.h"
#include "mm.h"

void panic(const char *fmt, ...)
{
	static char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mock_assert(0, msg, __FILE__, __LINE__);
	abort();
}

#define NVMAS	600
#define SPAN	(4096UL * PAGE_SIZE)	/* the random VMAs live in [USER_BASE, USER_BASE + SPAN) */

static struct mm mm;
static struct vma vmas[NVMAS];
static bool used[NVMAS];

static struct vma *next_of(struct vma *v)
{
	return v->link.next == &mm.vmas ? NULL : list_entry(v->link.next, struct vma, link);
}

static void link_vma(struct vma *v)
{
	struct vma *next = vma_lower_bound(&mm, v->start);

	list_add_tail(&v->link, next ? &next->link : &mm.vmas);
	vma_tree_insert(&mm, v);
}

static void unlink_vma(struct vma *v)
{
	struct vma *next = next_of(v);

	list_del(&v->link);
	vma_tree_remove(&mm, v, next);
}

static u64 gap_below(struct vma *v)
{
	u64 prev_end = v->link.prev == &mm.vmas ? USER_BASE :
		       list_entry(v->link.prev, struct vma, link)->end;

	return v->start > prev_end ? v->start - prev_end : 0;
}

/* Checks the subtree at @n; returns its height; *@cursor walks the list in order. */
static int check_subtree(struct vma *n, struct vma **cursor, u64 *max_gap)
{
	u64 lgap = 0, rgap = 0;
	int lh, rh;

	if (!n) {
		*max_gap = 0;
		return 0;
	}
	lh = check_subtree(n->tree_left, cursor, &lgap);
	assert_ptr_equal(n, *cursor);		/* in-order == list order */
	*cursor = next_of(n);
	rh = check_subtree(n->tree_right, cursor, &rgap);
	assert_true(lh - rh <= 1 && rh - lh <= 1);
	assert_int_equal(n->tree_height, 1 + MAX(lh, rh));
	*max_gap = MAX(gap_below(n), MAX(lgap, rgap));
	assert_int_equal(n->subtree_gap, *max_gap);
	return n->tree_height;
}

/* The answer vma_tree_find_gap() must give, by a top-down scan of the list. */
static u64 scan_gap(u64 len, u64 top)
{
	u64 hi = top;
	struct vma *v;

	if (top < USER_BASE || len > top - USER_BASE)
		return 0;
	for (v = list_entry(mm.vmas.prev, struct vma, link); &v->link != &mm.vmas;
	     v = list_entry(v->link.prev, struct vma, link)) {
		if (v->start >= hi)
			continue;
		if (v->end <= hi - len)
			return hi - len;
		hi = v->start;
		if (hi < USER_BASE + len)
			return 0;
	}
	return hi - len >= USER_BASE ? hi - len : 0;
}

static void check_all(void)
{
	struct vma *cursor = list_empty(&mm.vmas) ? NULL :
			     list_entry(mm.vmas.next, struct vma, link);
	u64 gap;

	check_subtree(mm.vma_root, &cursor, &gap);
	assert_null(cursor);
	for (int i = 0; i < 20; i++) {
		u64 addr = USER_BASE + (u64)rand() % (SPAN + PAGE_SIZE);
		struct vma *want = NULL, *v;

		list_for_each_entry(v, &mm.vmas, link) {
			if (v->end > addr) {
				want = v;
				break;
			}
		}
		assert_ptr_equal(vma_lower_bound(&mm, addr), want);
	}
	for (int i = 0; i < 10; i++) {
		u64 len = (1 + (u64)rand() % 64) * PAGE_SIZE;
		u64 top = USER_BASE + ((u64)rand() % (SPAN / PAGE_SIZE + 2)) * PAGE_SIZE;

		assert_int_equal(vma_tree_find_gap(&mm, len, top), scan_gap(len, top));
	}
}

/* Is [start, end) free of every VMA in use? */
static bool range_free(u64 start, u64 end)
{
	struct vma *v = vma_lower_bound(&mm, start);

	return !v || v->start >= end;
}

static void random_run(void **state)
{
	int live = 0, max_live = 0;

	(void)state;
	srand(15);
	list_init(&mm.vmas);
	mm.vma_root = NULL;
	check_all();
	for (int step = 0; step < 20000; step++) {
		int i = rand() % NVMAS, op = rand() % 10;
		struct vma *v = &vmas[i];

		if (!used[i]) {
			u64 len = (1 + (u64)rand() % 8) * PAGE_SIZE, start;

			/* Half the inserts go where mmap would put them. */
			if (op < 5)
				start = vma_tree_find_gap(&mm, len, USER_BASE + SPAN);
			else
				start = USER_BASE + ((u64)rand() % (SPAN / PAGE_SIZE)) * PAGE_SIZE;
			if (!start || start + len > USER_BASE + SPAN || !range_free(start, start + len))
				continue;
			memset(v, 0, sizeof(*v));
			v->start = start;
			v->end = start + len;
			link_vma(v);
			used[i] = true;
			max_live = MAX(max_live, ++live);
		} else if (op < 7) {
			unlink_vma(v);
			used[i] = false;
			live--;
		} else {
			/* Grow down into the gap below, as a MAP_GROWSDOWN fault does. */
			u64 gap = gap_below(v);

			if (gap >= PAGE_SIZE && v->start - PAGE_SIZE >= USER_BASE) {
				v->start -= PAGE_SIZE * (1 + (u64)rand() % (gap / PAGE_SIZE));
				vma_tree_changed(&mm, v);
			}
		}
		check_all();
	}
	assert_true(max_live >= 200);	/* the tree was deep enough to rotate a lot */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
