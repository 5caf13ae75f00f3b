/*
 * Host tests for lib/swapmap.c: the swap-area header as Linux's mkswap(8)
 * writes it (the bytes of a header made by util-linux's mkswap for a 1 MiB
 * file, rebuilt here by offset) is accepted and read right; bad signatures,
 * versions and bad-page lists are refused; our own format round-trips; the
 * slot map hands out slots next-fit, skips the header and bad pages, counts
 * references and frees a slot at its last put.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "uapi/errno.h"
#include "lib/swapmap.h"

static unsigned char page[SWAP_PAGE_SIZE];

/* The header util-linux's mkswap -L lbl wrote for a 1 MiB file (256 pages). */
static void linux_made_header(void)
{
	static const unsigned char info[] = {
		0x01, 0x00, 0x00, 0x00,	/* version 1 */
		0xff, 0x00, 0x00, 0x00,	/* last_page 255 */
		0x00, 0x00, 0x00, 0x00,	/* nr_badpages 0 */
		0xe5, 0x54, 0x30, 0x44, 0x05, 0xf0, 0x46, 0x07,	/* uuid */
		0xb6, 0x46, 0x6f, 0xe3, 0x51, 0x13, 0xb2, 0x13,
		'l', 'b', 'l', 0,	/* volume label */
	};

	memset(page, 0, sizeof(page));
	memcpy(page + 1024, info, sizeof(info));
	memcpy(page + 4086, "SWAPSPACE2", 10);
}

static void test_linux_header(void **state)
{
	struct swap_header h;

	linux_made_header();
	assert_int_equal(swap_header_parse(page, 256, &h), 0);
	assert_int_equal(h.version, 1);
	assert_int_equal(h.last_page, 255);
	assert_int_equal(h.nr_badpages, 0);
	assert_string_equal(h.label, "lbl");
	assert_int_equal(h.uuid[0], 0xe5);
	/* A device smaller than the header claims: cut to the device. */
	assert_int_equal(swap_header_parse(page, 100, &h), 0);
	assert_int_equal(h.last_page, 99);
}

static void test_bad_headers(void **state)
{
	struct swap_header h;

	linux_made_header();
	memcpy(page + 4086, "SWAP-SPACE", 10);	/* the old version-0 signature */
	assert_int_equal(swap_header_parse(page, 256, &h), -EINVAL);
	linux_made_header();
	page[1024] = 2;				/* version 2 */
	assert_int_equal(swap_header_parse(page, 256, &h), -EINVAL);
	linux_made_header();
	page[1028] = 0;				/* last_page 0 */
	assert_int_equal(swap_header_parse(page, 256, &h), -EINVAL);
	linux_made_header();
	page[1032] = 1;				/* one bad page: 0, not allowed */
	assert_int_equal(swap_header_parse(page, 256, &h), -EINVAL);
	page[1536] = 7;				/* bad page 7: fine */
	assert_int_equal(swap_header_parse(page, 256, &h), 0);
	assert_int_equal(h.nr_badpages, 1);
	page[1032] = 0xff;			/* 255 bad pages: a list of zeros */
	assert_int_equal(swap_header_parse(page, 256, &h), -EINVAL);
	page[1033] = 0x10;			/* more than fit in the page */
	assert_int_equal(swap_header_parse(page, 256, &h), -EINVAL);
	linux_made_header();
	assert_int_equal(swap_header_parse(page, 1, &h), -EINVAL);
}

static void test_format_roundtrip(void **state)
{
	static const u8 uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct swap_header h;

	memset(page, 0xaa, sizeof(page));
	assert_int_equal(swap_header_format(page, 1, uuid, ""), -EINVAL);
	assert_int_equal(swap_header_format(page, 131072, uuid, "a-very-long-label-indeed"), 0);
	assert_int_equal(page[0], 0xaa);	/* boot sectors kept */
	assert_int_equal(swap_header_parse(page, 131072, &h), 0);
	assert_int_equal(h.last_page, 131071);
	assert_memory_equal(h.uuid, uuid, 16);
	assert_string_equal(h.label, "a-very-long-labe");
	/* Byte for byte where Linux puts things. */
	assert_int_equal(page[1024], 1);
	assert_int_equal(page[1028] | page[1029] << 8 | page[1030] << 16, 131071);
	assert_memory_equal(page + 4086, "SWAPSPACE2", 10);
}

static void test_slots(void **state)
{
	static u16 count[10];
	struct swap_header h = { .version = 1, .last_page = 9, .nr_badpages = 2 };
	const u32 bad[2] = { 3, 9 };
	struct swapmap m;

	swapmap_init(&m, count, &h, bad);
	assert_int_equal(m.nslots, 10);
	assert_int_equal(swapmap_usable(&m), 7);	/* 1 2 4 5 6 7 8 */
	assert_int_equal(m.nfree, 7);
	assert_int_equal(swapmap_alloc(&m), 1);
	assert_int_equal(swapmap_alloc(&m), 2);
	assert_int_equal(swapmap_alloc(&m), 4);		/* 3 is bad */
	assert_int_equal(swapmap_count(&m, 3), SWAPMAP_BAD);
	assert_int_equal(swapmap_count(&m, 0), SWAPMAP_BAD);
	/* A shared slot (fork): freed only at its last put. */
	assert_int_equal(swapmap_dup(&m, 2), 0);
	assert_int_equal(swapmap_count(&m, 2), 2);
	assert_int_equal(swapmap_put(&m, 2), 1);
	assert_int_equal(m.nfree, 4);
	assert_int_equal(swapmap_put(&m, 2), 0);
	assert_int_equal(m.nfree, 5);
	/* Next-fit: the freed slot 2 waits until the cursor wraps. */
	assert_int_equal(swapmap_alloc(&m), 5);
	assert_int_equal(swapmap_alloc(&m), 6);
	assert_int_equal(swapmap_alloc(&m), 7);
	assert_int_equal(swapmap_alloc(&m), 8);
	assert_int_equal(swapmap_alloc(&m), 2);
	assert_int_equal(m.nfree, 0);
	assert_int_equal(swapmap_alloc(&m), 0);		/* full */
	assert_int_equal(swapmap_put(&m, 6), 0);
	assert_int_equal(swapmap_alloc(&m), 6);
	/* The reference count saturates rather than wraps. */
	count[1] = SWAPMAP_MAX;
	assert_int_equal(swapmap_dup(&m, 1), -ENOMEM);
	assert_int_equal(swapmap_count(&m, 1), SWAPMAP_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_header),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
