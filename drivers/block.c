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

/* blk_request_done - see include/blkdev.h. */
void blk_request_done(struct blk_request *rq, int status)
{
	struct blkdev *dev = rq->dev;
	spin_lock(&dev->lock);
	dev->in_flight--;
	if (rq->write) {
		dev->writes++;
		dev->write_sectors += rq->nsect;
	} else {
		dev->reads++;
		dev->read_sectors += rq->nsect;
	}
	spin_unlock(&dev->lock);
	if (status)
		printk("blk: %s: %s of %u sectors at %llu failed (%d)\n", dev->name,
		       rq->write ? "write" : "read", rq->nsect,
		       (unsigned long long)rq->sector, status);
	rq->status = status;
	__atomic_store_n(&rq->done, true, __ATOMIC_RELEASE);
	if (rq->end_io)
		rq->end_io(rq);
	wake_up(&rq->wait);
}

/* blkdev_submit - see include/blkdev.h. */
void blkdev_submit(struct blk_request *rq)
{
	struct blkdev *dev = rq->dev;

	rq->done = false;
	rq->status = 0;
	spin_lock(&dev->lock);
	dev->in_flight++;
	spin_unlock(&dev->lock);
	if (rq->nsect == 0 || rq->sector > dev->nr_sectors ||
	    rq->nsect > dev->nr_sectors - rq->sector || (rq->write && dev->read_only)) {
		blk_request_done(rq, -EIO);
		return;
	}
	dev->ops->submit(dev, rq);
}

/* blkdev_rw - see include/blkdev.h. */
int blkdev_rw(struct blkdev *dev, u64 sector, void *buf, u32 nsect, bool write)
{
	struct blk_request rq = {
		.dev = dev, .sector = sector, .nsect = nsect, .write = write, .buf = buf,
	};

	struct wait_entry we;

	wait_queue_init(&rq.wait, "blk_request");
	blkdev_submit(&rq);
	/* Disk I/O is not interrupted by signals: sleep until the device answers. */
	for (;;) {
		prepare_to_wait(&rq.wait, &we);
		if (__atomic_load_n(&rq.done, __ATOMIC_ACQUIRE))
			break;
		schedule();
		finish_wait(&rq.wait, &we);
	}
	finish_wait(&rq.wait, &we);
	return rq.status;
}
