/*
 * The block layer: the list of disks and the life of one request, between the kernel users of
 * a disk and its driver (include/blkdev.h). Drivers know their device; this file knows neither
 * the device nor what the sectors hold.
 */
#include "blkdev.h"
#include "kernel.h"
#include "arch.h"
#include "uapi/errno.h"

static struct spinlock blkdev_list_lock = SPINLOCK_INIT("blkdev_list");
static struct list_head blkdev_list = LIST_HEAD_INIT(blkdev_list);	/* [g] by registration */

/* blkdev_register - see include/blkdev.h. */
int blkdev_register(struct blkdev *dev)
{
	struct blkdev *d;
	int err = 0;

	spin_lock(&blkdev_list_lock);
	list_for_each_entry(d, &blkdev_list, link) {
		if (!strcmp(d->name, dev->name)) {
			err = -EEXIST;
			break;
		}
	}
	if (!err)
		list_add_tail(&dev->link, &blkdev_list);
	spin_unlock(&blkdev_list_lock);
	if (!err)
		printk("blk: %s: %llu sectors (%llu MiB)%s\n", dev->name,
		       (unsigned long long)dev->nr_sectors,
		       (unsigned long long)(dev->nr_sectors >> (20 - BLK_SECTOR_SHIFT)),
		       dev->read_only ? ", read-only" : "");
	return err;
}

/* blkdev_find - see include/blkdev.h. */
struct blkdev *blkdev_find(const char *name)
{
	struct blkdev *d, *found = NULL;

	spin_lock(&blkdev_list_lock);
	list_for_each_entry(d, &blkdev_list, link) {
		if (!strcmp(d->name, name)) {
			found = d;
			break;
		}
	}
	spin_unlock(&blkdev_list_lock);
	return found;
}

/* blkdev_find_devt - see include/blkdev.h. */
struct blkdev *blkdev_find_devt(u32 major, u32 minor)
{
	struct blkdev *d, *found = NULL;

	spin_lock(&blkdev_list_lock);
	list_for_each_entry(d, &blkdev_list, link) {
		if (d->major == major && d->minor == minor) {
			found = d;
			break;
		}
	}
	spin_unlock(&blkdev_list_lock);
	return found;
}

/* blkdev_for_each - see include/blkdev.h. */
void blkdev_for_each(void (*fn)(struct blkdev *dev, void *arg), void *arg)
{
	struct blkdev *d;

	spin_lock(&blkdev_list_lock);
	list_for_each_entry(d, &blkdev_list, link)
		fn(d, arg);
	spin_unlock(&blkdev_list_lock);
}

/*
 * Bring the busy-time counters up to @now before in_flight changes: io_ns grows while anything
 * is in flight, queue_ns by the number in flight (iostats.rst fields 10 and 11). Caller holds
 * [d].
 */
static void stamp(struct blkdev *dev, u64 now)
{
	if (dev->in_flight && now > dev->stamp_ns) {
		dev->io_ns += now - dev->stamp_ns;
		dev->queue_ns += (now - dev->stamp_ns) * dev->in_flight;
	}
	dev->stamp_ns = now;
}

/* blk_request_done - see include/blkdev.h. */
void blk_request_done(struct blk_request *rq, int status)
{
	struct blkdev *dev = rq->dev;
	u64 now = arch_clock_ns(), ms = (now - rq->start_ns) / 1000000;

	spin_lock(&dev->lock);
	stamp(dev, now);
	dev->in_flight--;
	if (rq->write) {
		dev->writes++;
		dev->write_sectors += rq->nsect;
		dev->write_ms += ms;
	} else {
		dev->reads++;
		dev->read_sectors += rq->nsect;
		dev->read_ms += ms;
	}
	spin_unlock(&dev->lock);
	if (status)
		printk("blk: %s: %s of %u sectors at %llu failed (%d)\n", dev->name,
		       rq->write ? "write" : "read", rq->nsect,
		       (unsigned long long)rq->sector, status);
	if (rq->end_io) {
		/* An asynchronous request: end_io is the last look at it, so its owner may
		 * free it there. */
		rq->status = status;
		__atomic_store_n(&rq->done, true, __ATOMIC_RELEASE);
		rq->end_io(rq);
		return;
	}
	/* A waited-for request often lives on the waiter's stack: mark it done and wake the
	 * waiter in one hold of the queue's lock, which the waiter's finish_wait() needs before
	 * it can return and end the request's life. */
	spin_lock(&rq->wait.lock);
	rq->status = status;
	__atomic_store_n(&rq->done, true, __ATOMIC_RELEASE);
	wake_up_locked(&rq->wait);
	spin_unlock(&rq->wait.lock);
}

/* blkdev_submit - see include/blkdev.h. */
void blkdev_submit(struct blk_request *rq)
{
	struct blkdev *dev = rq->dev;

	rq->done = false;
	rq->status = 0;
	rq->start_ns = arch_clock_ns();
	spin_lock(&dev->lock);
	stamp(dev, rq->start_ns);
	dev->in_flight++;
	spin_unlock(&dev->lock);
	if (rq->nsect == 0 || rq->nsect > BLK_REQUEST_MAX_SECTORS ||
	    rq->sector > dev->nr_sectors || rq->nsect > dev->nr_sectors - rq->sector ||
	    (rq->write && dev->read_only)) {
		blk_request_done(rq, -EIO);
		return;
	}
	dev->ops->submit(dev, rq);
}

/* blk_request_wait - see include/blkdev.h. */
int blk_request_wait(struct blk_request *rq)
{
	struct wait_entry we;

	/* Disk I/O is not interrupted by signals: sleep until the device answers. */
	for (;;) {
		prepare_to_wait_uninterruptible(&rq->wait, &we);
		if (__atomic_load_n(&rq->done, __ATOMIC_ACQUIRE))
			break;
		schedule();
		finish_wait(&rq->wait, &we);
	}
	finish_wait(&rq->wait, &we);
	return rq->status;
}

/* blkdev_rw - see include/blkdev.h. */
int blkdev_rw(struct blkdev *dev, u64 sector, void *buf, u32 nsect, bool write)
{
	struct blk_request rq = {
		.dev = dev, .sector = sector, .nsect = nsect, .write = write, .buf = buf,
	};

	wait_queue_init(&rq.wait, "blk_request");
	blkdev_submit(&rq);
	return blk_request_wait(&rq);
}

/* blkdev_flush - see include/blkdev.h. */
int blkdev_flush(struct blkdev *dev)
{
	u64 start = arch_clock_ns();
	int err = dev->ops->flush ? dev->ops->flush(dev) : 0;

	spin_lock(&dev->lock);
	dev->flushes++;
	dev->flush_ms += (arch_clock_ns() - start) / 1000000;
	spin_unlock(&dev->lock);
	if (err)
		printk("blk: %s: flush failed (%d)\n", dev->name, err);
	return err;
}

static void partitions_one(struct blkdev *dev, void *arg)
{
	/* #blocks: 1 KiB blocks, as Linux's show_partition() prints them. */
	textbuf_printf(arg, "%4u  %7u %10llu %s\n", dev->major, dev->minor,
		 (unsigned long long)(dev->nr_sectors >> 1), dev->name);
}

/* blkdev_partitions_show - see include/blkdev.h. */
size_t blkdev_partitions_show(char *buf, size_t size)
{
	struct textbuf b = { buf, size, 0 };

	if (!size)
		return 0;
	buf[0] = '\0';
	textbuf_printf(&b, "major minor  #blocks  name\n\n");
	blkdev_for_each(partitions_one, &b);
	return b.len;
}

static void diskstats_one(struct blkdev *dev, void *arg)
{
	u64 r, rs, rms, w, ws, wms, fl, flms, io, q;
	u32 inflight;

	spin_lock(&dev->lock);
	stamp(dev, arch_clock_ns());
	r = dev->reads, rs = dev->read_sectors, rms = dev->read_ms;
	w = dev->writes, ws = dev->write_sectors, wms = dev->write_ms;
	fl = dev->flushes, flms = dev->flush_ms;
	io = dev->io_ns / 1000000, q = dev->queue_ns / 1000000;
	inflight = dev->in_flight;
	spin_unlock(&dev->lock);
	/* The 17 fields after the name (Linux 5.5+): reads, merged, sectors, ms; writes, ...;
	 * in flight, io ms, weighted ms; discards (none), ...; flushes, flush ms. Requests are
	 * never merged. */
	textbuf_printf(arg, "%4u %7u %s %llu 0 %llu %llu %llu 0 %llu %llu %u %llu %llu 0 0 0 0 "
		 "%llu %llu\n",
		 dev->major, dev->minor, dev->name, (unsigned long long)r,
		 (unsigned long long)rs, (unsigned long long)rms, (unsigned long long)w,
		 (unsigned long long)ws, (unsigned long long)wms, inflight,
		 (unsigned long long)io, (unsigned long long)q, (unsigned long long)fl,
		 (unsigned long long)flms);
}

/* blkdev_diskstats_show - see include/blkdev.h. */
size_t blkdev_diskstats_show(char *buf, size_t size)
{
	struct textbuf b = { buf, size, 0 };

	if (!size)
		return 0;
	buf[0] = '\0';
	blkdev_for_each(diskstats_one, &b);
	return b.len;
}
