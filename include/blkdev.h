/*
 * Block devices: the contract between a disk driver (drivers/virtio/blk.c) and the kernel
 * users of a disk (swap in mm/swap*.c, /dev/vdX in fs/, /proc/partitions and /proc/diskstats).
 *
 * A driver registers a struct blkdev with blkdev_register(); users find it by name
 * (blkdev_find("vda")) or by device number and submit requests. A request reads or writes whole
 * sectors of 512 bytes to or from kernel memory; the driver completes it from its interrupt
 * handler by calling blk_request_done(), which wakes the submitter (blk_request_wait()) or
 * calls its end_io. Several requests may be in flight on one device at once (the driver queues
 * what the device cannot take yet).
 *
 * Locks:
 *   [d] blkdev->lock, a spinlock: the device's queue of pending requests and its counters.
 *   [g] blkdev_list_lock (drivers/block.c): the list of registered devices.
 *   Lock order: blkdev->lock -> wait-queue lock. Never held across a sleep.
 */
#ifndef SPROUT_BLKDEV_H
#define SPROUT_BLKDEV_H

#include "types.h"
#include "list.h"
#include "spinlock.h"
#include "sched.h"

#define BLK_SECTOR_SIZE		512
#define BLK_SECTOR_SHIFT	9
#define BLKDEV_NAME_MAX		16
#define BLK_REQUEST_MAX_SECTORS	65536	/* 32 MiB: the most one request may move */

struct blkdev;

/* One transfer: @nsect sectors from sector @sector, to or from the kernel buffer @buf. */
struct blk_request {
	struct blkdev *dev;
	u64 sector;			/* first sector, in 512-byte units */
	u32 nsect;			/* sectors */
	bool write;
	void *buf;			/* kernel address, nsect * 512 bytes */
	int status;			/* 0 or a negative errno (-EIO), valid once done */
	bool done;			/* set by blk_request_done() */
	struct wait_queue wait;		/* the submitter sleeps here (blk_request_wait) */
	struct list_head link;		/* the driver's queue, under the driver's lock */
	/* end_io: optional, called at completion (any context, often the interrupt handler)
	 * as the block layer's last access to the request, which its owner may then free. A
	 * request with end_io is not waited for with blk_request_wait(): completion then wakes
	 * nobody. */
	void (*end_io)(struct blk_request *rq);
	void *priv;			/* the submitter's */
	u64 start_ns;			/* set by blkdev_submit(): for the time counters */
};

/* What a driver implements. */
struct blkdev_ops {
	/* submit: start @rq or queue it; never sleeps; completion through blk_request_done(). */
	void (*submit)(struct blkdev *dev, struct blk_request *rq);
	/* flush: make completed writes durable (may sleep); 0 or -EIO. NULL: nothing to do. */
	int (*flush)(struct blkdev *dev);
};

/* A registered disk. */
struct blkdev {
	char name[BLKDEV_NAME_MAX];	/* "vda" */
	u32 major, minor;		/* device number of /dev/<name> (Linux: virtio-blk 254:0) */
	u64 nr_sectors;			/* capacity in 512-byte sectors */
	bool read_only;
	const struct blkdev_ops *ops;
	void *priv;			/* the driver's */
	struct spinlock lock;
	/* /proc/diskstats counters [d]: completed requests, sectors, time in ms */
	u64 reads, read_sectors, read_ms, writes, write_sectors, write_ms;
	u64 flushes, flush_ms;		/* [d] completed blkdev_flush() calls and their time */
	u64 io_ns;			/* [d] time with at least one request in flight */
	u64 queue_ns;			/* [d] time-weighted requests in flight (sum of waits) */
	u64 stamp_ns;			/* [d] when io_ns/queue_ns were last brought up to date */
	u32 in_flight;			/* [d] */
	struct list_head link;		/* [g] */
};

/*
 * blkdev_register - add @dev (filled in by the driver) to the list of disks, so that it can be
 * found by name and shows in /proc/partitions and /proc/diskstats. Returns 0 or -EEXIST.
 * Sleeps: no.
 */
int blkdev_register(struct blkdev *dev);

/* blkdev_find - the disk named @name ("vda"), or NULL. blkdev_find_devt - by device number. */
struct blkdev *blkdev_find(const char *name);
struct blkdev *blkdev_find_devt(u32 major, u32 minor);

/*
 * blkdev_submit - start @rq (dev, sector, nsect, write, buf and optionally end_io/priv set by the
 * caller) without waiting. @buf must be physically contiguous (kmalloc, the page allocator, a
 * kernel stack). A request past the end of the device, of no sectors or more than
 * BLK_REQUEST_MAX_SECTORS, or a write to a read-only disk, completes at once with -EIO and a
 * kernel log line. Sleeps: no.
 */
void blkdev_submit(struct blk_request *rq);

/*
 * blkdev_rw - read or write @nsect sectors at @sector of @dev to or from kernel buffer @buf and
 * wait for the device. Returns 0 or -EIO (logged). May sleep (uninterruptibly, as disk I/O
 * does on Linux).
 */
int blkdev_rw(struct blkdev *dev, u64 sector, void *buf, u32 nsect, bool write);

/*
 * blk_request_wait - sleep until @rq (submitted with blkdev_submit(), end_io NULL and rq->wait
 * initialised) is done, uninterruptibly:
 * signals do not end the wait, as disk I/O on Linux (the task shows state D). Returns
 * rq->status. May sleep.
 */
int blk_request_wait(struct blk_request *rq);

/*
 * blkdev_flush - make every completed write of @dev durable (the driver's flush; fsync(2) on
 * the device). Returns 0 or -EIO (logged). Counted in /proc/diskstats. May sleep.
 */
int blkdev_flush(struct blkdev *dev);

/*
 * blkdev_partitions_show, blkdev_diskstats_show - the text of /proc/partitions and
 * /proc/diskstats (Linux's formats, proc(5), Documentation/admin-guide/iostats.rst) into
 * @buf of @size bytes; returns the length (truncated at @size - 1). Takes [g] and each [d].
 * Sleeps: no.
 */
size_t blkdev_partitions_show(char *buf, size_t size);
size_t blkdev_diskstats_show(char *buf, size_t size);

/* blk_request_done - the driver finished @rq with @status (0 or -EIO): account it, log a
 * failure, then call end_io or else wake the submitter. Any context, including the interrupt
 * handler; the caller holds no driver lock (end_io may submit again). Takes [d], then the
 * request's wait-queue lock. */
void blk_request_done(struct blk_request *rq, int status);

/* blkdev_for_each - call @fn for every registered disk, in registration order ([g] held). */
void blkdev_for_each(void (*fn)(struct blkdev *dev, void *arg), void *arg);

/*
 * blkdev_selftest_start - the self-check asked for with "blkcheck" on the kernel command line
 * (drivers/blkcheck.c): a kernel thread puts many one-sector reads of vda in flight at once and
 * logs "blkcheck: vda: N requests, M in flight, data matches" or what failed. Sleeps: no.
 */
void blkdev_selftest_start(void);

#endif
