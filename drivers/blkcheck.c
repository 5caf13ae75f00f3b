/*
 * The block layer's self-check ("blkcheck" on the kernel command line): a kernel thread submits
 * BLKCHECK_REQUESTS one-sector reads of vda at once, without waiting -- more than the
 * virtqueue holds, so the driver must keep some on its waiting list and start them from its
 * interrupt handler -- then reads the same sectors again in one request and compares. It only
 * reads, so the disk is left as it was. Logs "blkcheck: vda: N requests, M in flight, data
 * matches" or what went wrong.
 */
#include "blkdev.h"
#include "kernel.h"
#include "page.h"
#include "sched.h"
#include "task.h"
#include "kmalloc.h"

#define BLKCHECK_REQUESTS	200
#define BLKCHECK_ORDER		5	/* 128 KiB: room for 200 sectors */

static struct wait_queue all_done;
static int remaining;	/* [a] requests not yet completed */

static void one_done(struct blk_request *rq)
{
	if (__atomic_sub_fetch(&remaining, 1, __ATOMIC_ACQ_REL) == 0)
		wake_up(&all_done);
}

static void blkcheck_main(void *arg)
{
	struct blkdev *dev = blkdev_find("vda");
	struct blk_request *rqs;
	struct page *a, *b;
	u8 *bufa, *bufb;
	u32 n = BLKCHECK_REQUESTS, inflight;
	int failed = 0;
	struct wait_entry we;

	if (!dev) {
		printk("blkcheck: no vda\n");
		return;
	}
	if (dev->nr_sectors < n)
		n = (u32)dev->nr_sectors;
	rqs = kzalloc(sizeof(*rqs) * n);
	a = page_alloc(BLKCHECK_ORDER, true);
	b = page_alloc(BLKCHECK_ORDER, true);
	if (!rqs || !a || !b) {
		printk("blkcheck: out of memory\n");
		goto out;
	}
	bufa = page_address(a);
	bufb = page_address(b);
	wait_queue_init(&all_done, "blkcheck");
	__atomic_store_n(&remaining, (int)n, __ATOMIC_RELEASE);
	for (u32 i = 0; i < n; i++) {
		rqs[i].dev = dev;
		rqs[i].sector = i;
		rqs[i].nsect = 1;
		rqs[i].buf = bufa + (size_t)i * BLK_SECTOR_SIZE;
		rqs[i].end_io = one_done;
		wait_queue_init(&rqs[i].wait, "blk_request");
		blkdev_submit(&rqs[i]);
	}
	spin_lock(&dev->lock);
	inflight = dev->in_flight;
	spin_unlock(&dev->lock);
	/* Disk I/O: the wait is not interrupted. */
	for (;;) {
		prepare_to_wait_uninterruptible(&all_done, &we);
		if (!__atomic_load_n(&remaining, __ATOMIC_ACQUIRE))
			break;
		schedule();
		finish_wait(&all_done, &we);
	}
	finish_wait(&all_done, &we);
	for (u32 i = 0; i < n; i++)
		if (rqs[i].status)
			failed++;
	if (failed || blkdev_rw(dev, 0, bufb, n, false)) {
		printk("blkcheck: %s: %d of %u requests failed\n", dev->name, failed, n);
		goto out;
	}
	if (memcmp(bufa, bufb, (size_t)n * BLK_SECTOR_SIZE))
		printk("blkcheck: %s: %u requests, %u in flight, data differs\n", dev->name, n,
		       inflight);
	else
		printk("blkcheck: %s: %u requests, %u in flight, data matches\n", dev->name, n,
		       inflight);
out:
	if (a)
		page_put_order(a, BLKCHECK_ORDER);
	if (b)
		page_put_order(b, BLKCHECK_ORDER);
	kfree(rqs);
}

/* blkdev_selftest_start - see include/blkdev.h. */
void blkdev_selftest_start(void)
{
	if (!task_create_kernel("blkcheck", blkcheck_main, NULL))
		printk("blkcheck: cannot start its thread\n");
}
