/*
 * Host tests for mm/buddy.c and the page reference count helpers of
 * include/page.h: block alignment by physical pfn, splitting and merging,
 * exact free counts, reserved holes never handed out, merging stopped at the
 * edges of the range, double-free detection, and a long random run checked
 * against a shadow ownership map and a full invariant scan after every step.
 *
 * panic() is provided here: it reports through cmocka's mock_assert(), so a
 * test can expect it with expect_assert_failure().
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
#include "page.h"

void panic(const char *fmt, ...)
{
	static char msg[256];	/* cmocka keeps the pointer after the longjmp */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mock_assert(0, msg, __FILE__, __LINE__);
	abort();
}

#define NPAGES 5000

static struct page pages[NPAGES];
static struct buddy b;

/* Free frames of each order, counted from the lists. */
static u64 count_blocks(unsigned order)
{
	struct list_head *pos;
	u64 n = 0;

	list_for_each(pos, &b.free[order])
		n++;
	return n;
}

/*
 * Every free block: head flagged PG_FREE with its list's order, naturally
 * aligned by pfn, inside the range, not overlapping another free block; the
 * sizes add up to nfree; no two free buddies of one order are left unmerged.
 */
static void check_invariants(void)
{
	static unsigned char owner[NPAGES];
	u64 total = 0;

	memset(owner, 0, b.npages);
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
		struct page *p;

		list_for_each_entry(p, &b.free[k], list) {
			u64 pfn = buddy_pfn(&b, p);

			assert_true(p->flags & PG_FREE);
			assert_int_equal(p->order, k);
			assert_int_equal(pfn & ((1ULL << k) - 1), 0);
			assert_true(pfn >= b.base_pfn);
			assert_true(pfn - b.base_pfn + (1ULL << k) <= b.npages);
			for (u64 i = 0; i < (1ULL << k); i++) {
				assert_int_equal(owner[pfn - b.base_pfn + i], 0);
				owner[pfn - b.base_pfn + i] = 1;
				if (i)
					assert_int_equal(pages[pfn - b.base_pfn + i].flags, 0);
			}
			total += 1ULL << k;
			if (k < BUDDY_MAX_ORDER) {
				u64 bud = pfn ^ (1ULL << k);

				if (bud >= b.base_pfn && bud - b.base_pfn < b.npages) {
					struct page *bp = &pages[bud - b.base_pfn];

					assert_false((bp->flags & PG_FREE) && bp->order == k);
				}
			}
		}
	}
	assert_int_equal(total, b.nfree);
	/* Only block heads carry PG_FREE. */
	for (u64 i = 0; i < b.npages; i++) {
		if (pages[i].flags & PG_FREE)
			assert_int_equal(owner[i], 1);
	}
}

static void test_init_all_reserved(void **state)
{
	buddy_init(&b, pages, 0x100, 64);
	assert_int_equal(b.nfree, 0);
	for (int i = 0; i < 64; i++) {
		assert_int_equal(pages[i].flags, PG_RESERVED);
		assert_int_equal(pages[i].refcount, 0);
	}
	assert_null(buddy_alloc(&b, 0));
	check_invariants();
}

static void test_split_and_merge(void **state)
{
	struct page *p;

	/* pfn 0x400 is 2^10-aligned: 4096 frames make four order-10 blocks. */
	buddy_init(&b, pages, 0x400, 4096);
	buddy_free_range(&b, 0x400, 4096);
	assert_int_equal(b.nfree, 4096);
	assert_int_equal(count_blocks(BUDDY_MAX_ORDER), 4);
	check_invariants();

	p = buddy_alloc(&b, 0);
	assert_non_null(p);
	assert_int_equal(p->flags, 0);
	assert_int_equal(p->refcount, 0);
	assert_int_equal(b.nfree, 4095);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		assert_int_equal(count_blocks(k), 1);
	assert_int_equal(count_blocks(BUDDY_MAX_ORDER), 3);
	check_invariants();

	buddy_free(&b, p, 0);
	assert_int_equal(b.nfree, 4096);
	assert_int_equal(count_blocks(BUDDY_MAX_ORDER), 4);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		assert_int_equal(count_blocks(k), 0);
	check_invariants();

	assert_null(buddy_alloc(&b, BUDDY_MAX_ORDER + 1));
	p = buddy_alloc(&b, BUDDY_MAX_ORDER);
	assert_non_null(p);
	assert_int_equal(buddy_pfn(&b, p) % 1024, 0);
	buddy_free(&b, p, BUDDY_MAX_ORDER);
	check_invariants();
}

/* Blocks align to physical pfn 0, not to the start of the range. */
static void test_unaligned_base(void **state)
{
	buddy_init(&b, pages, 3, 1000);
	buddy_free_range(&b, 3, 1000);
	assert_int_equal(b.nfree, 1000);
	check_invariants();
	/*
	 * 3 | 4..7 | 8..15 | ... | 256..511 | 512..767 | 768..895 | ... | 1002:
	 * 256..511 and 512..767 are not buddies (those are 0..255 and 768..1023),
	 * so no order-9 block exists although 512 free frames are contiguous.
	 */
	assert_int_equal(count_blocks(0), 2);	/* pfn 3 and pfn 1002 */
	assert_int_equal(count_blocks(8), 2);
	assert_int_equal(count_blocks(9), 0);

	for (unsigned order = 0; order <= 8; order++) {
		struct page *p = buddy_alloc(&b, order);

		assert_non_null(p);
		assert_int_equal(buddy_pfn(&b, p) & ((1ULL << order) - 1), 0);
		buddy_free(&b, p, order);
		check_invariants();
	}
	assert_null(buddy_alloc(&b, 9));
}

/* Frames 1 and 2 have buddies 0 and 3 outside the range: no merge happens. */
static void test_merge_stops_at_range_edge(void **state)
{
	struct page *x, *y;

	buddy_init(&b, pages, 1, 2);
	buddy_free_range(&b, 1, 2);
	assert_int_equal(b.nfree, 2);
	assert_int_equal(count_blocks(0), 2);
	assert_int_equal(count_blocks(1), 0);
	x = buddy_alloc(&b, 0);
	y = buddy_alloc(&b, 0);
	assert_non_null(x);
	assert_non_null(y);
	assert_null(buddy_alloc(&b, 0));
	assert_int_equal(b.nfree, 0);
	buddy_free(&b, x, 0);
	buddy_free(&b, y, 0);
	assert_int_equal(count_blocks(0), 2);
	check_invariants();
}

/* Only the freed ranges are ever handed out; reserved holes stay reserved. */
static void test_reserved_holes(void **state)
{
	u64 got = 0;
	struct page *p;

	buddy_init(&b, pages, 0, 2048);
	buddy_free_range(&b, 10, 90);		/* 10..99 */
	buddy_free_range(&b, 1024, 1024);	/* 1024..2047 */
	buddy_free_range(&b, 100, 20);		/* 100..119, merges with 10..99 */
	assert_int_equal(b.nfree, 90 + 1024 + 20);
	check_invariants();
	while ((p = buddy_alloc(&b, 0)) != NULL) {
		u64 pfn = buddy_pfn(&b, p);

		assert_true((pfn >= 10 && pfn < 120) || pfn >= 1024);
		assert_int_equal(p->flags, 0);
		got++;
	}
	assert_int_equal(got, 90 + 1024 + 20);
	assert_int_equal(b.nfree, 0);
	assert_int_equal(pages[0].flags, PG_RESERVED);
	assert_int_equal(pages[500].flags, PG_RESERVED);
}

/* Every order-0 frame out, then back in shuffled order: fully merged again. */
static void test_drain_and_refill(void **state)
{
	static struct page *all[NPAGES];
	u64 n = 0;

	buddy_init(&b, pages, 0x1000, 4096);
	buddy_free_range(&b, 0x1000, 4096);
	while ((all[n] = buddy_alloc(&b, 0)) != NULL)
		n++;
	assert_int_equal(n, 4096);
	srand(7);
	for (u64 i = n - 1; i > 0; i--) {
		u64 j = (u64)rand() % (i + 1);
		struct page *t = all[i];

		all[i] = all[j];
		all[j] = t;
	}
	for (u64 i = 0; i < n; i++)
		buddy_free(&b, all[i], 0);
	assert_int_equal(b.nfree, 4096);
	assert_int_equal(count_blocks(BUDDY_MAX_ORDER), 4);
	check_invariants();
}

static void test_random_mixed_orders(void **state)
{
	struct held { struct page *p; unsigned order; } held[512];
	static unsigned char owned[NPAGES];
	int nheld = 0;
	u64 used = 0;

	memset(owned, 0, sizeof(owned));
	buddy_init(&b, pages, 77, NPAGES - 77);
	buddy_free_range(&b, 77, 2000);
	buddy_free_range(&b, 2200, NPAGES - 77 - 2123);
	u64 total = b.nfree;

	srand(2024);
	for (int step = 0; step < 20000; step++) {
		if (nheld < 512 && rand() % 100 < 55) {
			unsigned order = (unsigned)(rand() % 100 < 80 ? rand() % 3 : rand() % 11);
			struct page *p = buddy_alloc(&b, order);

			if (!p)
				continue;
			u64 idx = (u64)(p - pages);

			assert_int_equal((idx + 77) & ((1ULL << order) - 1), 0);
			for (u64 i = 0; i < (1ULL << order); i++) {
				assert_int_equal(owned[idx + i], 0);
				owned[idx + i] = 1;
			}
			held[nheld++] = (struct held){ p, order };
			used += 1ULL << order;
		} else if (nheld) {
			int i = rand() % nheld;
			u64 idx = (u64)(held[i].p - pages);

			for (u64 k = 0; k < (1ULL << held[i].order); k++)
				owned[idx + k] = 0;
			buddy_free(&b, held[i].p, held[i].order);
			used -= 1ULL << held[i].order;
			held[i] = held[--nheld];
		}
		assert_int_equal(b.nfree + used, total);
		if (step % 97 == 0)
			check_invariants();
	}
	while (nheld) {
		nheld--;
		buddy_free(&b, held[nheld].p, held[nheld].order);
	}
	assert_int_equal(b.nfree, total);
	check_invariants();
}

static void test_double_free_panics(void **state)
{
	struct page *p;

	buddy_init(&b, pages, 0, 64);
	buddy_free_range(&b, 0, 64);
	p = buddy_alloc(&b, 2);
	assert_non_null(p);
	buddy_free(&b, p, 2);
	expect_assert_failure(buddy_free(&b, p, 2));
}

static void test_page_refcount_helpers(void **state)
{
	struct page pg = { 0 };

	assert_int_equal(page_refcount(&pg), 0);
	pg.refcount = 1;
	page_get(&pg);
	page_get(&pg);
	assert_int_equal(page_refcount(&pg), 3);
	assert_int_equal(pg.refcount, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_all_reserved),
		cmocka_unit_test(test_split_and_merge),
		cmocka_unit_test(test_unaligned_base),
		cmocka_unit_test(test_merge_stops_at_range_edge),
		cmocka_unit_test(test_reserved_holes),
		cmocka_unit_test(test_drain_and_refill),
		cmocka_unit_test(test_random_mixed_orders),
		cmocka_unit_test(test_double_free_panics),
		cmocka_unit_test(test_page_refcount_helpers),
	};

	return cmocka_run_group_tests_name("mm/buddy", tests, NULL, NULL);
}
