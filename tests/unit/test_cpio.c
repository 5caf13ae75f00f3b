/*
 * Host tests for lib/cpio.c: well-formed newc archives (files, directories,
 * symlinks, concatenated archives with NUL padding) read back field by field,
 * every malformed-header case refused with -EINVAL, and a mutation fuzz run
 * under AddressSanitizer with exact-size buffers to prove no read leaves the
 * archive.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "uapi/errno.h"
#include "lib/cpio.h"

struct arch_buf {
	unsigned char data[8192];
	size_t len;
};

/* Append one newc entry the way cpio(1) -H newc lays it out. */
static void add_entry(struct arch_buf *a, const char *name, unsigned mode, const void *data,
		      size_t size, unsigned ino)
{
	size_t namesize = strlen(name) + 1;
	char hdr[160];

	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino, mode,
		 1000u, 100u, 1u, 0x5f000000u, (unsigned)size, 8u, 1u, 0u, 0u,
		 (unsigned)namesize, 0u);
	assert_int_equal(strlen(hdr), 110);
	memcpy(a->data + a->len, hdr, 110);
	a->len += 110;
	memcpy(a->data + a->len, name, namesize);
	a->len += namesize;
	while (a->len % 4)
		a->data[a->len++] = 0;
	if (size)
		memcpy(a->data + a->len, data, size);
	a->len += size;
	while (a->len % 4)
		a->data[a->len++] = 0;
}

static void add_trailer(struct arch_buf *a, size_t block)
{
	add_entry(a, "TRAILER!!!", 0, NULL, 0, 0);
	while (a->len % block)
		a->data[a->len++] = 0;
}

static void build_sample(struct arch_buf *a)
{
	memset(a, 0, sizeof(*a));
	add_entry(a, "sbin", 040755, NULL, 0, 1);
	add_entry(a, "sbin/init", 0100755, "\177ELF-not-really", 15, 2);
	add_entry(a, "bin/sh", 0120777, "/bin/busybox", 12, 3);
	add_trailer(a, 512);
}

static bool name_is(const struct cpio_entry *e, const char *s)
{
	return e->namelen == strlen(s) && memcmp(e->name, s, e->namelen) == 0;
}

static void test_read_entries(void **state)
{
	struct arch_buf a;
	struct cpio_entry e;
	size_t off = 0;

	build_sample(&a);
	assert_int_equal(cpio_next(a.data, a.len, &off, &e), 1);
	assert_true(name_is(&e, "sbin"));
	assert_int_equal(e.mode, 040755);
	assert_int_equal(e.ino, 1);
	assert_int_equal(e.uid, 1000);
	assert_int_equal(e.gid, 100);
	assert_int_equal(e.nlink, 1);
	assert_int_equal(e.mtime, 0x5f000000);
	assert_int_equal(e.devmajor, 8);
	assert_int_equal(e.devminor, 1);
	assert_int_equal(e.size, 0);
	assert_false(e.trailer);
	assert_int_equal(off, 116);	/* 110 + "sbin\0" = 115, padded to 116 */

	assert_int_equal(cpio_next(a.data, a.len, &off, &e), 1);
	assert_true(name_is(&e, "sbin/init"));
	assert_int_equal(e.mode, 0100755);
	assert_int_equal(e.size, 15);
	assert_memory_equal(e.data, "\177ELF-not-really", 15);
	assert_int_equal((const unsigned char *)e.data - a.data, 116 + 120);
	assert_int_equal(off % 4, 0);

	assert_int_equal(cpio_next(a.data, a.len, &off, &e), 1);
	assert_true(name_is(&e, "bin/sh"));
	assert_int_equal(e.mode, 0120777);
	assert_memory_equal(e.data, "/bin/busybox", 12);

	assert_int_equal(cpio_next(a.data, a.len, &off, &e), 1);
	assert_true(e.trailer);
	assert_true(name_is(&e, "TRAILER!!!"));

	assert_int_equal(cpio_next(a.data, a.len, &off, &e), 0);
	assert_int_equal(off, a.len);
	assert_int_equal(cpio_next(a.data, a.len, &off, &e), 0);
}

static void test_concatenated(void **state)
{
	struct arch_buf a;
	struct cpio_entry e;
	size_t off = 0;
	int names = 0, trailers = 0, r;

	memset(&a, 0, sizeof(a));
	add_entry(&a, "one", 0100644, "1", 1, 1);
	add_trailer(&a, 512);
	add_entry(&a, "two", 0100644, "22", 2, 1);
	add_trailer(&a, 4);
	a.len += 100;	/* extra NUL padding at the very end */
	while ((r = cpio_next(a.data, a.len, &off, &e)) == 1) {
		if (e.trailer)
			trailers++;
		else
			names++;
	}
	assert_int_equal(r, 0);
	assert_int_equal(names, 2);
	assert_int_equal(trailers, 2);
}

static void test_empty_and_padding(void **state)
{
	unsigned char zeros[64] = { 0 };
	struct cpio_entry e;
	size_t off = 0;

	assert_int_equal(cpio_next(zeros, 0, &off, &e), 0);
	assert_int_equal(cpio_next(zeros, sizeof(zeros), &off, &e), 0);
	assert_int_equal(off, sizeof(zeros));
	off = 1000;	/* past the end: nothing to read */
	assert_int_equal(cpio_next(zeros, sizeof(zeros), &off, &e), 0);
}

static void test_lowercase_hex_and_crc_magic(void **state)
{
	struct arch_buf a;
	struct cpio_entry e;
	size_t off = 0;

	memset(&a, 0, sizeof(a));
	add_entry(&a, "f", 0100644, "abc", 3, 0xabcdef);
	for (int i = 6; i < 110; i++)
		if (a.data[i] >= 'A' && a.data[i] <= 'F')
			a.data[i] += 'a' - 'A';
	a.data[5] = '2';	/* "070702": newc with checksums */
	assert_int_equal(cpio_next(a.data, a.len, &off, &e), 1);
	assert_int_equal(e.ino, 0xabcdef);
	assert_int_equal(e.size, 3);
}

/* An archive cut right after the last data byte, without its padding. */
static void test_unpadded_end(void **state)
{
	struct arch_buf a;
	struct cpio_entry e;
	size_t off = 0;

	memset(&a, 0, sizeof(a));
	add_entry(&a, "f", 0100644, "abcde", 5, 1);
	a.len -= 3;
	assert_int_equal(cpio_next(a.data, a.len, &off, &e), 1);
	assert_int_equal(e.size, 5);
	assert_int_equal(off, a.len);
	assert_int_equal(cpio_next(a.data, a.len, &off, &e), 0);
}

/* Build a one-entry archive, apply @mutate, expect -EINVAL. */
static void expect_einval(void (*mutate)(struct arch_buf *))
{
	struct arch_buf a;
	struct cpio_entry e;
	size_t off = 0;

	memset(&a, 0, sizeof(a));
	add_entry(&a, "file", 0100644, "data", 4, 7);
	mutate(&a);
	assert_int_equal(cpio_next(a.data, a.len, &off, &e), -EINVAL);
	assert_int_equal(off, 0);
}

static void set_field(struct arch_buf *a, int field, unsigned v)
{
	char tmp[9];

	snprintf(tmp, sizeof(tmp), "%08X", v);
	memcpy(a->data + 6 + field * 8, tmp, 8);
}

static void m_magic(struct arch_buf *a) { a->data[0] = '1'; }
static void m_odc_magic(struct arch_buf *a) { memcpy(a->data, "070707", 6); }
static void m_nonhex(struct arch_buf *a) { a->data[6 + 8 + 3] = 'g'; }
static void m_space(struct arch_buf *a) { a->data[6 + 6 * 8] = ' '; }
static void m_namesize0(struct arch_buf *a) { set_field(a, 11, 0); }
static void m_namesize1(struct arch_buf *a) { set_field(a, 11, 1); }
static void m_name_past_end(struct arch_buf *a) { set_field(a, 11, 0x1000); }
static void m_name_unterminated(struct arch_buf *a) { set_field(a, 11, 4); }
static void m_data_past_end(struct arch_buf *a) { set_field(a, 6, 9); }
static void m_huge_size(struct arch_buf *a) { set_field(a, 6, 0xffffffff); }
static void m_truncated_header(struct arch_buf *a) { a->len = 109; }
static void m_truncated_name(struct arch_buf *a) { a->len = 112; }
static void m_truncated_data(struct arch_buf *a) { a->len -= 2; }

static void test_malformed(void **state)
{
	expect_einval(m_magic);
	expect_einval(m_odc_magic);
	expect_einval(m_nonhex);
	expect_einval(m_space);
	expect_einval(m_namesize0);
	expect_einval(m_namesize1);
	expect_einval(m_name_past_end);
	expect_einval(m_name_unterminated);
	expect_einval(m_data_past_end);
	expect_einval(m_huge_size);
	expect_einval(m_truncated_header);
	expect_einval(m_truncated_name);
	expect_einval(m_truncated_data);
}

/*
 * Random byte and length mutations of a valid archive, each parsed from an
 * exact-size heap copy so ASan catches any read past the end.
 */
static void test_fuzz(void **state)
{
	struct arch_buf a;
	uint64_t rng = 0x5eed5eed12345678ULL;

	build_sample(&a);
	for (int iter = 0; iter < 5000; iter++) {
		size_t len = a.len;
		unsigned char *copy = malloc(a.len);
		struct cpio_entry e;
		size_t off = 0;
		int r, steps = 0;

		memcpy(copy, a.data, a.len);
		for (int k = 0; k < 1 + iter % 4; k++) {
			rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
			size_t pos = (rng >> 33) % a.len;
			const char *alphabet = "0123456789abcdefABCDEFg \0\xff";
			copy[pos] = (unsigned char)alphabet[(rng >> 17) % 27];
		}
		if (iter % 3 == 0) {
			rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
			len = (rng >> 33) % (a.len + 1);
			unsigned char *shrunk = malloc(len ? len : 1);

			memcpy(shrunk, copy, len);
			free(copy);
			copy = shrunk;
		}
		while ((r = cpio_next(copy, len, &off, &e)) == 1) {
			size_t start = (size_t)(e.name - (const char *)copy);

			assert_true(start + e.namelen < len);
			assert_true((const unsigned char *)e.data >= copy);
			assert_true((size_t)((const unsigned char *)e.data - copy) + e.size <= len);
			assert_true(off <= len);
			assert_true(++steps < 100);
		}
		assert_true(r == 0 || r == -EINVAL);
		free(copy);
	}
}

/* cpio_header alone, as the streaming reader uses it: fields, name size, refusals. */
static void test_header_alone(void **state)
{
	struct arch_buf a = { .len = 0 };
	struct cpio_entry e;
	u32 namesize = 0;

	add_entry(&a, "bin/sh", 0100755, "xyz", 3, 42);
	assert_int_equal(cpio_header(a.data, &e, &namesize), 0);
	assert_int_equal(namesize, 7);
	assert_int_equal(e.namelen, 6);
	assert_int_equal(e.ino, 42);
	assert_int_equal(e.mode, 0100755);
	assert_int_equal(e.uid, 1000);
	assert_int_equal(e.gid, 100);
	assert_int_equal(e.size, 3);
	assert_int_equal(e.mtime, 0x5f000000u);
	a.data[0] = '1';				/* bad magic */
	assert_int_equal(cpio_header(a.data, &e, &namesize), -EINVAL);
	a.data[0] = '0';
	a.data[6 + 11 * 8 + 7] = 'g';			/* non-hex name size */
	assert_int_equal(cpio_header(a.data, &e, &namesize), -EINVAL);
	memcpy(a.data + 6 + 11 * 8, "00000001", 8);	/* a name of length zero */
	assert_int_equal(cpio_header(a.data, &e, &namesize), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_entries),
		cmocka_unit_test(test_concatenated),
		cmocka_unit_test(test_empty_and_padding),
		cmocka_unit_test(test_lowercase_hex_and_crc_magic),
		cmocka_unit_test(test_unpadded_end),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_header_alone),
	};

	return cmocka_run_group_tests_name("lib/cpio", tests, NULL, NULL);
}
