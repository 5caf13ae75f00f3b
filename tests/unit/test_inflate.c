/*
 * Host tests for lib/inflate.c against data made by the system's gzip(1): text, runs of one
 * byte, incompressible random bytes (stored blocks), an empty file, a file name in the header,
 * every compression level, output far larger than the 32 KiB window, two members back to
 * back; then every malformed case refused with -EINVAL (truncation at every length, a bad
 * CRC-32 or length, reserved flags, a reserved block type) and a mutation fuzz run under
 * AddressSanitizer with exact-size buffers to prove no read leaves the input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "uapi/errno.h"
#include "lib/inflate.h"

static struct inflate_state st;

struct sink {
	unsigned char *buf;
	size_t len, cap;
	int fail_after;		/* > 0: return -ENOSPC on that call */
	int calls;
};

static int sink_write(void *ctx, const u8 *data, size_t len)
{
	struct sink *s = ctx;

	assert_true(len > 0 && len <= INFLATE_WINDOW);
	if (s->fail_after && ++s->calls == s->fail_after)
		return -ENOSPC;
	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2;
		s->buf = realloc(s->buf, s->cap);
		assert_non_null(s->buf);
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	return 0;
}

/* Compress @data with `gzip ARGS`; returns a malloc'd buffer and its length in *@out_len. */
static unsigned char *gzip_bytes(const void *data, size_t len, const char *args, size_t *out_len,
				 const char *name)
{
	char dir[] = "/tmp/sprout-inflate-XXXXXX";
	char path[256], cmd[600];
	unsigned char *out = NULL;
	size_t cap = 0, n = 0;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, name ? name : "data");
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	/* From a file, gzip stores the name (FNAME); from a pipe it does not. */
	if (name)
		snprintf(cmd, sizeof(cmd), "gzip -c %s '%s'", args, path);
	else
		snprintf(cmd, sizeof(cmd), "gzip -c %s < '%s'", args, path);
	f = popen(cmd, "r");
	assert_non_null(f);
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		size_t r = fread(out + n, 1, cap - n, f);

		if (r == 0)
			break;
		n += r;
	}
	assert_int_equal(pclose(f), 0);
	unlink(path);
	rmdir(dir);
	*out_len = n;
	return out;
}

/* Decompress @gz (copied to an exact-size buffer) and expect exactly @want. */
static void expect_roundtrip(const unsigned char *gz, size_t gzlen, const void *want,
			     size_t wantlen)
{
	unsigned char *exact = malloc(gzlen ? gzlen : 1);
	struct sink s = { 0 };
	size_t used = 0;

	memcpy(exact, gz, gzlen);
	assert_int_equal(gunzip(exact, gzlen, &used, &st, sink_write, &s), 0);
	assert_int_equal(used, gzlen);
	assert_int_equal(s.len, wantlen);
	if (wantlen)
		assert_memory_equal(s.buf, want, wantlen);
	free(s.buf);
	free(exact);
}

static unsigned char *make_text(size_t len)
{
	static const char *words[] = { "fork ", "exec ", "wait ", "zombie ", "reparent\n",
				       "copy-on-write ", "signal ", "init " };
	unsigned char *p = malloc(len);
	size_t i = 0;
	unsigned r = 1;

	while (i < len) {
		r = r * 1103515245u + 12345u;
		const char *w = words[(r >> 16) % 8];

		for (size_t k = 0; w[k] && i < len; k++)
			p[i++] = (unsigned char)w[k];
	}
	return p;
}

static unsigned char *make_random(size_t len, unsigned seed)
{
	unsigned char *p = malloc(len);

	for (size_t i = 0; i < len; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (unsigned char)(seed >> 24);
	}
	return p;
}

static void check(const void *data, size_t len, const char *args, const char *name)
{
	size_t gzlen;
	unsigned char *gz = gzip_bytes(data, len, args, &gzlen, name);

	expect_roundtrip(gz, gzlen, data, len);
	free(gz);
}

static void test_text_every_level(void **state)
{
	size_t len = 300000;	/* many windows: back-references across the wrap */
	unsigned char *p = make_text(len);
	char args[16];

	for (int level = 1; level <= 9; level++) {
		snprintf(args, sizeof(args), "-%d", level);
		check(p, len, args, NULL);
	}
	free(p);
}

static void test_random_stored(void **state)
{
	size_t len = 200000;
	unsigned char *p = make_random(len, 7);

	check(p, len, "-9", NULL);
	check(p, 1, "-6", NULL);
	free(p);
}

static void test_runs_and_empty(void **state)
{
	size_t len = 1 << 20;
	unsigned char *p = calloc(1, len);

	check(p, len, "-9", NULL);	/* long runs: length 258 at distance 1 */
	memset(p, 'x', 1000);
	check(p, 1000, "-1", NULL);
	check(p, 0, "-6", NULL);
	free(p);
}

static void test_name_in_header(void **state)
{
	unsigned char *p = make_text(5000);

	check(p, 5000, "-N", "initramfs.cpio");
	free(p);
}

static void test_two_members(void **state)
{
	unsigned char *a = make_text(70000), *b = make_random(40000, 3);
	size_t la, lb, used = 0;
	unsigned char *ga = gzip_bytes(a, 70000, "-6", &la, NULL);
	unsigned char *gb = gzip_bytes(b, 40000, "-6", &lb, "second");
	unsigned char *both = malloc(la + lb);
	struct sink s = { 0 };

	memcpy(both, ga, la);
	memcpy(both + la, gb, lb);
	assert_int_equal(gunzip(both, la + lb, &used, &st, sink_write, &s), 0);
	assert_int_equal(used, la);
	assert_int_equal(s.len, 70000);
	assert_memory_equal(s.buf, a, 70000);
	assert_true(gzip_magic(both + used, la + lb - used));
	expect_roundtrip(both + used, lb, b, 40000);
	free(s.buf);
	free(both);
	free(ga);
	free(gb);
	free(a);
	free(b);
}

static void test_truncated_every_length(void **state)
{
	unsigned char *p = make_text(20000);
	size_t gzlen;
	unsigned char *gz = gzip_bytes(p, 20000, "-9", &gzlen, NULL);

	for (size_t n = 0; n < gzlen; n++) {
		unsigned char *exact = malloc(n ? n : 1);
		struct sink s = { 0 };
		size_t used = 0;

		memcpy(exact, gz, n);
		assert_int_equal(gunzip(exact, n, &used, &st, sink_write, &s), -EINVAL);
		free(s.buf);
		free(exact);
	}
	free(gz);
	free(p);
}

static void expect_einval(unsigned char *gz, size_t len)
{
	struct sink s = { 0 };
	size_t used = 0;

	assert_int_equal(gunzip(gz, len, &used, &st, sink_write, &s), -EINVAL);
	free(s.buf);
}

static void test_bad_fields(void **state)
{
	unsigned char *p = make_text(10000);
	size_t gzlen;
	unsigned char *gz = gzip_bytes(p, 10000, "-6", &gzlen, NULL);

	gz[gzlen - 8] ^= 1;		/* CRC-32 */
	expect_einval(gz, gzlen);
	gz[gzlen - 8] ^= 1;
	gz[gzlen - 4] ^= 1;		/* ISIZE */
	expect_einval(gz, gzlen);
	gz[gzlen - 4] ^= 1;
	gz[3] |= 0x20;			/* reserved flag */
	expect_einval(gz, gzlen);
	gz[3] &= ~0x20;
	gz[2] = 7;			/* not deflate */
	expect_einval(gz, gzlen);
	gz[2] = 8;
	gz[10] |= 6;			/* block type 3 (reserved) in the first block header */
	expect_einval(gz, gzlen);
	free(gz);
	free(p);
	assert_false(gzip_magic("\x1f\x8b", 2));
	assert_false(gzip_magic("070701", 6));
}

static void test_sink_error_stops(void **state)
{
	unsigned char *p = make_text(200000);
	size_t gzlen, used = 0;
	unsigned char *gz = gzip_bytes(p, 200000, "-6", &gzlen, NULL);
	struct sink s = { .fail_after = 2 };

	assert_int_equal(gunzip(gz, gzlen, &used, &st, sink_write, &s), -ENOSPC);
	assert_int_equal(s.len, INFLATE_WINDOW);
	free(s.buf);
	free(gz);
	free(p);
}

/* Random bit flips: any result is fine except reading out of bounds (ASan) or a hang. */
static void test_mutation_fuzz(void **state)
{
	unsigned char *p = make_text(4000);
	size_t gzlen;
	unsigned char *gz = gzip_bytes(p, 4000, "-9", &gzlen, NULL);
	unsigned seed = 12345;

	for (int round = 0; round < 3000; round++) {
		unsigned char *m = malloc(gzlen);
		struct sink s = { 0 };
		size_t used = 0;
		int flips = 1 + round % 4;

		memcpy(m, gz, gzlen);
		for (int k = 0; k < flips; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = 10 + (seed >> 8) % (gzlen - 10);

			m[at] ^= (unsigned char)(1u << ((seed >> 4) % 8));
		}
		int r = gunzip(m, gzlen, &used, &st, sink_write, &s);

		assert_true(r == 0 || r == -EINVAL);
		if (r == 0)
			assert_true(used <= gzlen);
		free(s.buf);
		free(m);
	}
	free(gz);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_every_level),
		cmocka_unit_test(test_random_stored),
		cmocka_unit_test(test_runs_and_empty),
		cmocka_unit_test(test_name_in_header),
		cmocka_unit_test(test_two_members),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_sink_error_stops),
		cmocka_unit_test(test_mutation_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
