/*
 * Host tests for drivers/virtio/virtq.c, the split virtqueue: the memory layout, chains on the
 * descriptor table with the right flags, the available ring, -ENOSPC when descriptors run out,
 * collection from the used ring in the device's order (not the order of adding), notification
 * only when something was added, a panic on a device naming a descriptor that does not exist,
 * and a long random run past the 16-bit wrap of both ring indices, played against a simulated
 * device that checks every chain it is given.
 *
 * panic() reports through cmocka's mock_assert(), so a test can expect it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "virtio.h"
#include "kernel.h"
#include "uapi/errno.h"

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

void spin_init(struct spinlock *l, const char *name) {}

struct fixture {
	struct virtq vq;
	void *mem;
	void **cookie;
	u16 notified;
};

static struct fixture *fx_new(u16 size)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->mem = aligned_alloc(4096, virtq_ring_bytes(size));
	memset(f->mem, 0, virtq_ring_bytes(size));
	f->cookie = calloc(size, sizeof(void *));
	virtq_init(&f->vq, 3, size, f->mem, f->cookie);
	f->notified = 0xffff;
	f->vq.notify = &f->notified;
	return f;
}

static void fx_free(struct fixture *f)
{
	free(f->mem);
	free(f->cookie);
	free(f);
}

/* The device finishes the chain with head @head, writing @len bytes. */
static void device_use(struct virtq *vq, u16 head, u32 len)
{
	struct virtq_used_elem *e = &vq->used->ring[vq->used->idx & (vq->size - 1)];

	e->id = head;
	e->len = len;
	vq->used->idx++;
}

static void test_layout(void **state)
{
	struct fixture *f = fx_new(128);
	u8 *base = f->mem;

	/* 2 KiB of descriptors + 262 bytes of avail ring: the used ring on the next page. */
	assert_int_equal(virtq_ring_bytes(128), 8192);
	assert_ptr_equal(f->vq.desc, base);
	assert_ptr_equal(f->vq.avail, base + 2048);
	assert_ptr_equal(f->vq.used, base + 4096);
	assert_int_equal(virtq_ring_bytes(256), 12288);
	assert_int_equal(f->vq.num_free, 128);
	assert_int_equal(f->vq.index, 3);
	fx_free(f);
}

static void test_chain_flags(void **state)
{
	struct fixture *f = fx_new(8);
	struct virtq_buf bufs[3] = {
		{ 0x1000, 16, false }, { 0x2000, 512, true }, { 0x3000, 1, true },
	};
	int cookie;
	u32 len = 0;
	u16 head = 99;

	assert_int_equal(virtq_add(&f->vq, bufs, 3, &cookie), 0);
	assert_int_equal(f->vq.num_free, 5);
	assert_int_equal(f->vq.avail->idx, 1);
	assert_int_equal(f->vq.avail->ring[0], 0);
	struct virtq_desc *d = f->vq.desc;

	assert_int_equal(d[0].addr, 0x1000);
	assert_int_equal(d[0].len, 16);
	assert_int_equal(d[0].flags, VIRTQ_DESC_F_NEXT);
	assert_int_equal(d[d[0].next].flags, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE);
	assert_int_equal(d[d[0].next].addr, 0x2000);
	u16 last = d[d[0].next].next;

	assert_int_equal(d[last].flags, VIRTQ_DESC_F_WRITE);
	assert_int_equal(d[last].len, 1);
	/* Nothing used yet. */
	assert_null(virtq_get(&f->vq, &len, &head));
	device_use(&f->vq, 0, 513);
	assert_ptr_equal(virtq_get(&f->vq, &len, &head), &cookie);
	assert_int_equal(len, 513);
	assert_int_equal(head, 0);
	assert_int_equal(f->vq.num_free, 8);
	assert_null(virtq_get(&f->vq, NULL, NULL));
	fx_free(f);
}

static void test_full(void **state)
{
	struct fixture *f = fx_new(4);
	struct virtq_buf b[3] = { { 1, 1, false }, { 2, 1, false }, { 3, 1, false } };
	int c;

	assert_int_equal(virtq_add(&f->vq, b, 3, &c), 0);
	assert_int_equal(virtq_add(&f->vq, b, 3, &c), -ENOSPC);
	assert_int_equal(virtq_add(&f->vq, b, 0, &c), -ENOSPC);
	assert_int_equal(virtq_add(&f->vq, b, 1, &c), 3);
	assert_int_equal(f->vq.num_free, 0);
	assert_int_equal(virtq_add(&f->vq, b, 1, &c), -ENOSPC);
	fx_free(f);
}

static void test_out_of_order(void **state)
{
	struct fixture *f = fx_new(8);
	struct virtq_buf b = { 0x5000, 64, true };
	int c[4];
	int heads[4];

	for (int i = 0; i < 4; i++)
		heads[i] = virtq_add(&f->vq, &b, 1, &c[i]);
	/* The device finishes them 2, 0, 3, 1. */
	device_use(&f->vq, (u16)heads[2], 2);
	device_use(&f->vq, (u16)heads[0], 0);
	device_use(&f->vq, (u16)heads[3], 3);
	device_use(&f->vq, (u16)heads[1], 1);
	assert_ptr_equal(virtq_get(&f->vq, NULL, NULL), &c[2]);
	assert_ptr_equal(virtq_get(&f->vq, NULL, NULL), &c[0]);
	assert_ptr_equal(virtq_get(&f->vq, NULL, NULL), &c[3]);
	assert_ptr_equal(virtq_get(&f->vq, NULL, NULL), &c[1]);
	assert_null(virtq_get(&f->vq, NULL, NULL));
	assert_int_equal(f->vq.num_free, 8);
	fx_free(f);
}

static void test_kick(void **state)
{
	struct fixture *f = fx_new(8);
	struct virtq_buf b = { 0x5000, 64, true };
	int c;

	virtq_kick(NULL, &f->vq);
	assert_int_equal(f->notified, 0xffff);	/* nothing added: no notification */
	virtq_add(&f->vq, &b, 1, &c);
	virtq_kick(NULL, &f->vq);
	assert_int_equal(f->notified, 3);	/* the queue's index */
	f->notified = 0xffff;
	virtq_kick(NULL, &f->vq);
	assert_int_equal(f->notified, 0xffff);
	fx_free(f);
}

static void test_bad_head_panics(void **state)
{
	struct fixture *f = fx_new(8);

	device_use(&f->vq, 8, 0);
	expect_assert_failure(virtq_get(&f->vq, NULL, NULL));
	fx_free(f);
}

/*
 * 200000 chains of 1 to 3 descriptors against a device that finishes a random outstanding
 * chain at each step: every chain it takes from the avail ring is walked and its descriptors
 * must belong to no other outstanding chain; every cookie comes back exactly once.
 */
static void test_random_run(void **state)
{
	enum { SIZE = 16, STEPS = 200000 };
	struct fixture *f = fx_new(SIZE);
	int owner[SIZE];		/* descriptor -> outstanding chain id, or -1 */
	int pending[SIZE], npending = 0;	/* heads the device holds */
	u16 avail_seen = 0;
	long ids[SIZE];			/* head -> cookie value */
	long next_id = 1, returned = 0, added = 0;

	srand(12345);
	for (int i = 0; i < SIZE; i++)
		owner[i] = -1;
	for (int step = 0; step < STEPS; step++) {
		int n = 1 + rand() % 3;
		struct virtq_buf b[3];

		for (int k = 0; k < n; k++)
			b[k] = (struct virtq_buf){ (u64)step << 12 | k, 100 + k, k > 0 };
		int head = virtq_add(&f->vq, b, n, (void *)next_id);

		if (head >= 0) {
			ids[head] = next_id++;
			added++;
		} else {
			assert_int_equal(head, -ENOSPC);
			assert_true(f->vq.num_free < n);
		}
		/* The device picks up what is newly available. */
		while (avail_seen != f->vq.avail->idx) {
			u16 h = f->vq.avail->ring[avail_seen & (SIZE - 1)];
			u16 i = h;
			int k = 0;

			for (;;) {
				assert_int_equal(owner[i], -1);
				owner[i] = h;
				k++;
				if (!(f->vq.desc[i].flags & VIRTQ_DESC_F_NEXT))
					break;
				i = f->vq.desc[i].next;
				assert_true(k < 3);
			}
			pending[npending++] = h;
			avail_seen++;
		}
		/* ... and finishes some, in any order. */
		while (npending && rand() % 2) {
			int j = rand() % npending;
			u16 h = (u16)pending[j];

			pending[j] = pending[--npending];
			for (int i = 0; i < SIZE; i++)
				if (owner[i] == h)
					owner[i] = -1;
			device_use(&f->vq, h, 7);
		}
		void *cookie;
		u16 head_out;

		while ((cookie = virtq_get(&f->vq, NULL, &head_out))) {
			assert_int_equal((long)cookie, ids[head_out]);
			returned++;
		}
	}
	assert_true(added > STEPS / 2);
	assert_true(added > 65536 + SIZE);	/* both ring indices wrapped */
	assert_int_equal(added - returned, npending);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_chain_flags),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_kick),
		cmocka_unit_test(test_bad_head_panics),
		cmocka_unit_test(test_random_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
