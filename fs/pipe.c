/*
 * Pipes: pipe(2) and pipe2(2). A pipe is a byte ring in kernel memory with
 * a read end and a write end, each an open file description over one
 * anonymous S_IFIFO inode (so fstat(2) reports a FIFO).
 *
 * Named pipes (FIFOs, fifo(7)): a S_IFIFO node made by mknod(2)/mkfifo(3)
 * gets a pipe when it is first opened (inode->fifo) and loses it, with any
 * unread bytes, when the last end closes. open(2) of one blocks as POSIX
 * says: O_RDONLY until some writer has opened it, O_WRONLY until some
 * reader has; with O_NONBLOCK a reader returns at once and a writer
 * without a reader fails with ENXIO; O_RDWR never waits (Linux).
 *
 * Semantics (pipe(7)): 64 KiB capacity, changed with fcntl F_SETPIPE_SZ; a
 * write of at most PIPE_BUF (4096) bytes is atomic -- it goes in whole or
 * waits; a larger one may be split and interleaved with other writers; a
 * read returns what is there (at least one byte), 0 once every writer has
 * closed; a write with no reader left raises SIGPIPE and fails with EPIPE;
 * O_NONBLOCK turns waits into EAGAIN. A writer opened with O_DIRECT makes
 * "packets": each write of up to PIPE_BUF bytes is one packet, and a read
 * returns at most one packet, dropping what does not fit in its buffer.
 *
 * User memory is never touched under the spinlock: writes copy into a
 * kernel bounce buffer first, reads take bytes out into one and copy after.
 *
 * Locks:
 *   [p] pipe->lock (spinlock): the ring, the packet queue, the end counts.
 *   pipe->read_mutex serialises readers so that one read(2) returns bytes
 *   that were contiguous in the pipe; it is never held across a sleep.
 *   Order: read_mutex -> pipe->lock -> wait queue lock.
 */
#include "internal.h"
#include "cpu.h"
#include "kmalloc.h"
#include "swap.h"
#include "sched.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/ioctl.h"
#include "uapi/poll.h"
#include "uapi/signal.h"

#define PIPE_BUF		4096		/* bytes written atomically, pipe(7) */
#define PIPE_DEF_SIZE		(16 * PAGE_SIZE)	/* 64 KiB */
#define PIPE_MIN_DEF_SIZE	(2 * PAGE_SIZE)	/* over pipe-user-pages-soft */
#define F_SETPIPE_SZ		1031
#define F_GETPIPE_SZ		1032

struct pipe {
	struct spinlock lock;
	char *buf;			/* [p] ring of cap bytes */
	u32 cap;			/* [p] bytes, a power of two pages */
	u32 head;			/* [p] index of the oldest byte */
	u32 count;			/* [p] bytes buffered */
	u64 rd_seq;			/* [p] bytes ever read (position of buf[head]) */
	/* Packets of O_DIRECT writers: start position and length, oldest first. */
	struct pipe_packet {
		u64 start;
		u32 len;
	} *pkt;				/* [p] ring of cap / PAGE_SIZE entries */
	u32 pkt_head, pkt_count;	/* [p] */
	u32 readers, writers;		/* [p] open descriptions of each end */
	uid_t user;			/* [I] charged for the pages (fs/pipe_acct.c) */
	u32 nr_accounted;		/* [p] pages charged to user */
	struct wait_queue wait;		/* readers and writers waiting for a change */
	struct mutex read_mutex;
	struct inode *fifo_inode;	/* [I] the node opens attach through: a named pipe's,
					 * or an unnamed one's (/proc/PID/fd/N) */
	bool unnamed;			/* [I] made by pipe(2): opens never wait and never
					 * fail with ENXIO (Linux's fifo_open for pipefs) */
	u32 r_counter, w_counter;	/* [p] opens of each end ever (FIFO open waits) */
};

/* Guards every inode's fifo pointer. Order: fifo_lock -> pipe->lock. */
static struct spinlock fifo_lock = SPINLOCK_INIT("fifo");

static const struct file_ops pipe_read_ops, pipe_write_ops, pipe_rdwr_ops;

static u32 pipe_slots(u32 cap)
{
	return cap / PAGE_SIZE;
}

/*
 * A new pipe charged to @user: 16 pages, fewer when pipe-max-size is lower
 * (unprivileged), 2 over pipe-user-pages-soft; NULL with *@err -EPERM over
 * pipe-user-pages-hard (Linux's alloc_pipe_info; pipe(2) then says ENFILE)
 * or -ENOMEM.
 */
static struct pipe *pipe_alloc(uid_t user, int *err, bool may_sleep)
{
	struct pipe *p = kzalloc(sizeof(*p));
	u32 cap = PIPE_DEF_SIZE, max = (u32)pipe_max_size_get();
	bool priv = pipe_acct_privileged();
	u64 total;

	*err = -ENOMEM;
	if (!p)
		return NULL;
	if (cap > max && !priv)
		cap = max;
	total = pipe_acct_change(user, 0, cap / PAGE_SIZE);
	if (pipe_acct_over_soft(total) && !priv) {
		total = pipe_acct_change(user, cap / PAGE_SIZE, PIPE_MIN_DEF_SIZE / PAGE_SIZE);
		cap = PIPE_MIN_DEF_SIZE;
	}
	p->user = user;
	p->nr_accounted = cap / PAGE_SIZE;
	if (pipe_acct_over_hard(total) && !priv) {
		pipe_acct_change(user, p->nr_accounted, 0);
		kfree(p);
		*err = -ENFILE;
		return NULL;
	}
	p->cap = cap;
	/* pipe(2) may sleep: short of memory it reclaims, and takes the buffer from the
	 * kernel mapped area when no contiguous block is free. */
	p->buf = may_sleep ? kvmalloc(p->cap) : kmalloc(p->cap);
	p->pkt = may_sleep ? kvmalloc(pipe_slots(p->cap) * sizeof(*p->pkt)) :
			     kmalloc(pipe_slots(p->cap) * sizeof(*p->pkt));
	if (!p->buf || !p->pkt) {
		kfree(p->buf);
		kfree(p->pkt);
		pipe_acct_change(user, p->nr_accounted, 0);
		kfree(p);
		return NULL;
	}
	spin_init(&p->lock, "pipe");
	wait_queue_init(&p->wait, "pipe_wait");
	mutex_init(&p->read_mutex, "pipe_read");
	return p;
}

static void pipe_free(struct pipe *p)
{
	pipe_acct_change(p->user, p->nr_accounted, 0);
	kfree(p->buf);
	kfree(p->pkt);
	kfree(p);
}

/* Room for @n more bytes (and one more packet when @packet)? [p] held. */
static bool pipe_room(struct pipe *p, u32 n, bool packet)
{
	if (packet && p->pkt_count == pipe_slots(p->cap))
		return false;
	return p->cap - p->count >= n;
}

/* Append @n bytes of @src as one piece (one packet when @packet). [p] held. */
static void pipe_put(struct pipe *p, const char *src, u32 n, bool packet)
{
	u32 tail = (p->head + p->count) & (p->cap - 1);
	u32 first = MIN(n, p->cap - tail);

	if (packet) {
		u32 slot = (p->pkt_head + p->pkt_count) % pipe_slots(p->cap);

		p->pkt[slot].start = p->rd_seq + p->count;
		p->pkt[slot].len = n;
		p->pkt_count++;
	}
	memcpy(p->buf + tail, src, first);
	memcpy(p->buf, src + first, n - first);
	p->count += n;
}

/*
 * Take up to @n bytes into @dst. A packet at the head limits the read to
 * itself and loses what does not fit. Returns the bytes copied. [p] held.
 */
static u32 pipe_take(struct pipe *p, char *dst, u32 n, bool *packet_end)
{
	u32 take = MIN(n, p->count), drop = 0, first;

	*packet_end = false;
	if (p->pkt_count && p->pkt[p->pkt_head].start == p->rd_seq) {
		u32 len = p->pkt[p->pkt_head].len;

		take = MIN(take, len);
		drop = len - take;
		p->pkt_head = (p->pkt_head + 1) % pipe_slots(p->cap);
		p->pkt_count--;
		*packet_end = true;
	}
	first = MIN(take, p->cap - p->head);
	memcpy(dst, p->buf + p->head, first);
	memcpy(dst + first, p->buf, take - first);
	p->head = (p->head + take + drop) & (p->cap - 1);
	p->count -= take + drop;
	p->rd_seq += take + drop;
	/* The next packet, if any, must now start at the head: bytes of plain
	 * writes in between are read as a stream up to it. */
	return take;
}

/* A reader has something to do: data, or no writer left (EOF). */
static bool pipe_readable_now(struct pipe *p)
{
	bool r;

	spin_lock(&p->lock);
	r = p->count || !p->writers;
	spin_unlock(&p->lock);
	return r;
}

/* A writer of @need bytes has something to do: room, or no reader left. */
static bool pipe_writable_now(struct pipe *p, u32 need, bool packet)
{
	bool r;

	spin_lock(&p->lock);
	r = !p->readers || pipe_room(p, need, packet);
	spin_unlock(&p->lock);
	return r;
}

/* How much a stream read may take before the next packet starts. [p] held. */
static u32 pipe_stream_limit(struct pipe *p)
{
	if (!p->pkt_count)
		return p->count;
	return (u32)(p->pkt[p->pkt_head].start - p->rd_seq);
}

/*
 * The bounce buffer of one read or write: @small (on the caller's stack) when
 * the whole transfer fits in it, as the many one-byte and short messages do,
 * else a PIPE_BUF allocation; bounce_put gives it back. Sleeps: no.
 */
#define PIPE_SMALL	256
static char *bounce_get(size_t n, char *small)
{
	return n <= PIPE_SMALL ? small : kmalloc(PIPE_BUF);
}

static void bounce_put(char *kbuf, char *small)
{
	if (kbuf != small)
		kfree(kbuf);
}

static ssize_t pipe_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	struct pipe *p = f->priv;
	char *kbuf, small[PIPE_SMALL];
	size_t done = 0;
	bool packet_end = false;
	int err;

	if (!n)
		return 0;
	kbuf = bounce_get(n, small);
	if (!kbuf)
		return -ENOMEM;
	for (;;) {
		bool nonblock = file_flags(f) & O_NONBLOCK;

		mutex_lock(&p->read_mutex);
		spin_lock(&p->lock);
		if (p->count || !p->writers)
			break;	/* with both locks held */
		spin_unlock(&p->lock);
		mutex_unlock(&p->read_mutex);
		if (nonblock) {
			bounce_put(kbuf, small);
			return -EAGAIN;
		}
		err = wait_event_interruptible(&p->wait, pipe_readable_now(p));
		if (err) {
			bounce_put(kbuf, small);
			return err;
		}
	}
	/* Hand over what is there now, without waiting for more. */
	while (done < n && p->count && !packet_end) {
		u32 want = (u32)MIN(n - done, PIPE_BUF), got, limit = pipe_stream_limit(p);

		/* limit 0: a packet (at most PIPE_BUF bytes) is at the head. */
		if (limit)
			want = MIN(want, limit);
		got = pipe_take(p, kbuf, want, &packet_end);
		spin_unlock(&p->lock);
		wake_up(&p->wait);
		err = copy_to_user((char __user *)buf + done, kbuf, got);
		spin_lock(&p->lock);
		if (err) {
			/* The bytes are gone from the pipe, as on Linux after a fault. */
			if (!done)
				done = (size_t)-EFAULT;
			break;
		}
		done += got;
	}
	spin_unlock(&p->lock);
	mutex_unlock(&p->read_mutex);
	bounce_put(kbuf, small);
	return (ssize_t)done;
}

/* No reader is left: SIGPIPE to the writer, then EPIPE (pipe(7)). */
static ssize_t pipe_broken(void)
{
	if (current->proc)
		send_signal_process(current->proc, SIGPIPE);
	return -EPIPE;
}

/*
 * Write one piece of @n <= PIPE_BUF bytes already in @kbuf: atomically when
 * @atomic (all or wait), else as much as fits. Returns bytes written or a
 * negative errno (-EPIPE, -EAGAIN, -ERESTARTSYS).
 */
static ssize_t pipe_write_piece(struct file *f, struct pipe *p, const char *kbuf, u32 n,
				bool atomic)
{
	bool packet = file_flags(f) & O_DIRECT;
	u32 need = atomic || packet ? n : 1, put;
	int err;

	for (;;) {
		spin_lock(&p->lock);
		if (!p->readers) {
			spin_unlock(&p->lock);
			return pipe_broken();
		}
		if (pipe_room(p, need, packet))
			break;
		spin_unlock(&p->lock);
		if (file_flags(f) & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(&p->wait, pipe_writable_now(p, need, packet));
		if (err)
			return err;
	}
	put = need == n ? n : MIN(n, p->cap - p->count);
	pipe_put(p, kbuf, put, packet);
	spin_unlock(&p->lock);
	wake_up(&p->wait);
	return put;
}

static ssize_t pipe_write(struct file *f, struct io_src src, size_t n, u64 *pos)
{
	struct pipe *p = f->priv;
	bool atomic = n <= PIPE_BUF;
	size_t done = 0;
	char *kbuf, small[PIPE_SMALL];
	ssize_t r = 0;

	if (!n) {
		spin_lock(&p->lock);
		r = p->readers ? 0 : -EPIPE;
		spin_unlock(&p->lock);
		return r ? pipe_broken() : 0;
	}
	kbuf = bounce_get(n, small);
	if (!kbuf)
		return -ENOMEM;
	while (done < n) {
		u32 chunk = (u32)MIN(n - done, PIPE_BUF), off = 0;

		if (io_src_copy(kbuf, src, done, chunk)) {
			r = -EFAULT;
			break;
		}
		while (off < chunk) {
			r = pipe_write_piece(f, p, kbuf + off, chunk - off, atomic);
			if (r < 0)
				break;
			off += (u32)r;
			done += (size_t)r;
		}
		if (r < 0)
			break;
	}
	bounce_put(kbuf, small);
	/* A partial write reports its count; an error only when nothing went. */
	return done ? (ssize_t)done : r;
}

static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->priv;
	unsigned mask = 0;

	poll_wait(pt, &p->wait);
	spin_lock(&p->lock);
	if (f->ops == &pipe_read_ops) {
		if (p->count)
			mask |= POLLIN | POLLRDNORM;
		if (!p->writers)
			mask |= POLLHUP;
	} else {
		if (p->cap - p->count >= PIPE_BUF && pipe_room(p, PIPE_BUF, true))
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	spin_unlock(&p->lock);
	return mask;
}

static long pipe_ioctl(struct file *f, unsigned cmd, u64 arg)
{
	struct pipe *p = f->priv;
	u32 n;

	if (cmd != FIONREAD)
		return -ENOTTY;
	spin_lock(&p->lock);
	n = p->count;
	spin_unlock(&p->lock);
	return put_user_u32((void __user *)arg, n) ? -EFAULT : 0;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	bool last;

	/* A named pipe leaves its node under fifo_lock, so that no open
	 * finds it once its last end is gone. */
	if (p->fifo_inode)
		spin_lock(&fifo_lock);
	spin_lock(&p->lock);
	if (f->ops != &pipe_write_ops)
		p->readers--;
	if (f->ops != &pipe_read_ops)
		p->writers--;
	last = !p->readers && !p->writers;
	if (last && p->fifo_inode)
		p->fifo_inode->fifo = NULL;
	spin_unlock(&p->lock);
	if (p->fifo_inode)
		spin_unlock(&fifo_lock);
	if (last)
		pipe_free(p);
	else
		wake_up(&p->wait);
}

static const struct file_ops pipe_read_ops = {
	.read = pipe_read,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
	.poll = pipe_poll,
	.seekable = false,
};

static const struct file_ops pipe_write_ops = {
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
	.poll = pipe_poll,
	.seekable = false,
};

/* A FIFO opened O_RDWR: both ends in one description (Linux allows it). */
static const struct file_ops pipe_rdwr_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
	.poll = pipe_poll,
	.seekable = false,
};

static bool file_is_pipe(struct file *f)
{
	return f->ops == &pipe_read_ops || f->ops == &pipe_write_ops ||
	       f->ops == &pipe_rdwr_ops;
}

/* The FIFO's pipe, created at the first open, with this open's ends
 * counted; NULL and *@err on failure (-ENXIO: @need_reader and there is
 * none). Takes fifo_lock and pipe->lock. */
static struct pipe *fifo_attach(struct inode *ino, bool rd, bool wr, bool need_reader, int *err)
{
	struct pipe *p;
	uid_t uid;
	gid_t gid;

	fs_cred(&uid, &gid, false);
	spin_lock(&fifo_lock);
	p = ino->fifo;
	if (!p) {
		p = pipe_alloc(uid, err, false);	/* fifo_lock held */
		if (!p) {
			spin_unlock(&fifo_lock);
			return NULL;
		}
		p->fifo_inode = ino;
		ino->fifo = p;
	}
	spin_lock(&p->lock);
	/* O_WRONLY|O_NONBLOCK without a reader: ENXIO, nothing counted. */
	if (need_reader && !p->readers && !p->unnamed) {
		bool fresh = !p->writers;

		*err = -ENXIO;
		spin_unlock(&p->lock);
		if (fresh)
			ino->fifo = NULL;
		spin_unlock(&fifo_lock);
		if (fresh)
			pipe_free(p);
		return NULL;
	}
	if (rd) {
		p->readers++;
		p->r_counter++;
	}
	if (wr) {
		p->writers++;
		p->w_counter++;
	}
	spin_unlock(&p->lock);
	spin_unlock(&fifo_lock);
	return p;
}

static bool fifo_counter_moved(struct pipe *p, u32 *counter, u32 seen)
{
	spin_lock(&p->lock);
	bool moved = *counter != seen;

	spin_unlock(&p->lock);
	return moved;
}

/*
 * fifo_open - see fs/internal.h. Waits (interruptibly) for the other end
 * as fifo(7) describes; a signal gives -ERESTARTSYS with this open undone.
 */
int fifo_open(struct inode *ino, u32 flags, struct file **out)
{
	u32 acc = flags & O_ACCMODE;
	bool rd = acc == O_RDONLY || acc == O_RDWR, wr = acc == O_WRONLY || acc == O_RDWR;
	bool nonblock = flags & O_NONBLOCK;
	const struct file_ops *ops = rd && wr ? &pipe_rdwr_ops : rd ? &pipe_read_ops :
				     &pipe_write_ops;
	int err = -ENOMEM;
	struct pipe *p;
	struct file *f;

	if (acc == 3)
		return -EINVAL;
	p = fifo_attach(ino, rd, wr, wr && !rd && nonblock, &err);
	if (!p)
		return err;
	/* From here the file owns this open's ends: file_put() undoes them. */
	f = file_alloc(ino, ops, (flags & (O_ACCMODE | O_NONBLOCK)) | LINUX_O_LARGEFILE, p);
	if (!f) {
		struct file tmp = { .ops = ops, .priv = p };

		pipe_release(&tmp);
		return -ENOMEM;
	}
	if (p->unnamed) {
		/* No partner to wait for: the pipe already has its ends. */
	} else if (rd && !wr && !nonblock) {
		spin_lock(&p->lock);
		u32 seen = p->w_counter;
		bool wait = !p->writers;

		spin_unlock(&p->lock);
		if (wait) {
			err = wait_event_interruptible(&p->wait,
						       fifo_counter_moved(p, &p->w_counter, seen));
			if (err) {
				file_put(f);
				return err;
			}
		}
	} else if (wr && !rd && !nonblock) {
		spin_lock(&p->lock);
		u32 seen = p->r_counter;
		bool wait = !p->readers;

		spin_unlock(&p->lock);
		if (wait) {
			err = wait_event_interruptible(&p->wait,
						       fifo_counter_moved(p, &p->r_counter, seen));
			if (err) {
				file_put(f);
				return err;
			}
		}
	}
	/* The other side may be waiting for us. */
	wake_up(&p->wait);
	*out = f;
	return 0;
}

/* Move the ring and the packet queue into buffers sized for @cap. [p] held. */
static void pipe_resize_locked(struct pipe *p, char *nbuf, struct pipe_packet *npkt, u32 cap)
{
	u32 first = MIN(p->count, p->cap - p->head);

	memcpy(nbuf, p->buf + p->head, first);
	memcpy(nbuf + first, p->buf, p->count - first);
	for (u32 i = 0; i < p->pkt_count; i++)
		npkt[i] = p->pkt[(p->pkt_head + i) % pipe_slots(p->cap)];
	kfree(p->buf);
	kfree(p->pkt);
	p->buf = nbuf;
	p->pkt = npkt;
	p->head = 0;
	p->pkt_head = 0;
	p->cap = cap;
}

/* pipe_fcntl - see include/fs.h. fcntl(2) "Changing the capacity of a pipe". */
long pipe_fcntl(struct file *f, unsigned cmd, u64 arg)
{
	struct pipe *p = f->priv;
	struct pipe_packet *npkt;
	bool priv = pipe_acct_privileged();
	u32 old_pages, new_pages;
	char *nbuf;
	u64 cap, total;
	long r;

	if (!file_is_pipe(f))
		return -EBADF;
	if (cmd == F_GETPIPE_SZ)
		return __atomic_load_n(&p->cap, __ATOMIC_ACQUIRE);
	if (cmd != F_SETPIPE_SZ)
		return -EINVAL;
	cap = pipe_round_size(arg);
	if (!cap)
		return -EINVAL;
	if (cap > __atomic_load_n(&p->cap, __ATOMIC_ACQUIRE) &&
	    cap > (u64)pipe_max_size_get() && !priv)
		return -EPERM;
	nbuf = kvmalloc(cap);
	npkt = kvmalloc(pipe_slots((u32)cap) * sizeof(*npkt));
	if (!nbuf || !npkt) {
		kfree(nbuf);
		kfree(npkt);
		return -ENOMEM;
	}
	new_pages = (u32)(cap / PAGE_SIZE);
	spin_lock(&p->lock);
	old_pages = p->nr_accounted;
	total = pipe_acct_change(p->user, old_pages, new_pages);
	if (new_pages > old_pages && !priv &&
	    (pipe_acct_over_hard(total) || pipe_acct_over_soft(total))) {
		pipe_acct_change(p->user, new_pages, old_pages);
		r = -EPERM;
	} else if (p->count > cap || p->pkt_count > pipe_slots((u32)cap)) {
		pipe_acct_change(p->user, new_pages, old_pages);
		r = -EBUSY;
	} else {
		pipe_resize_locked(p, nbuf, npkt, (u32)cap);
		p->nr_accounted = new_pages;
		nbuf = NULL;
		npkt = NULL;
		r = (long)cap;
	}
	spin_unlock(&p->lock);
	kfree(nbuf);
	kfree(npkt);
	if (r > 0)
		wake_up(&p->wait);
	return r;
}

/*
 * pipe2 - pipe2(2): a new pipe; its read and write descriptors are stored in
 * user @fds[0] and @fds[1]. @flags: O_CLOEXEC, O_NONBLOCK, O_DIRECT (packet
 * mode). Returns 0, -EINVAL (other flags), -EFAULT, -EMFILE, -ENFILE/-ENOMEM;
 * nothing is left open on failure. Sleeps: no (allocates).
 */
long sys_pipe2(int __user *fds, int flags)
{
	u32 fl = (u32)flags & (O_NONBLOCK | O_DIRECT);
	struct file *rf = NULL, *wf = NULL;
	struct inode *ino;
	struct pipe *p;
	int kfds[2], err;
	long r = -ENOMEM;
	uid_t uid;
	gid_t gid;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	fs_cred(&uid, &gid, false);
	ino = inode_alloc(S_IFIFO | 0600, uid, gid);
	if (!ino)
		return -ENOMEM;
	p = pipe_alloc(uid, &err, true);
	if (!p) {
		r = err;
		goto out_ino;
	}
	/* Each end counts once its file exists, so file_put() unwinds either. */
	rf = file_alloc(ino, &pipe_read_ops, O_RDONLY | fl, p);
	if (!rf) {
		pipe_free(p);
		goto out_ino;
	}
	p->readers = 1;
	wf = file_alloc(ino, &pipe_write_ops, O_WRONLY | fl, p);
	if (!wf) {
		file_put(rf);	/* readers 1 -> 0 with no writer: frees the pipe */
		goto out_ino;
	}
	p->writers = 1;
	/* Reopened through /proc/PID/fd/N like a named pipe (fifo(7)); the last end to
	 * close takes it off the node again. */
	p->fifo_inode = ino;
	p->unnamed = true;
	ino->fifo = p;
	/* Point of no return for the pipe: the files own it from here on. */
	kfds[0] = fd_install(rf, 0, flags & O_CLOEXEC);
	if (kfds[0] < 0) {
		r = kfds[0];
		goto out_files;
	}
	kfds[1] = fd_install(wf, 0, flags & O_CLOEXEC);
	if (kfds[1] < 0) {
		r = kfds[1];
		fd_close(kfds[0]);	/* the read end, now in the table */
		file_put(wf);
		goto out_ino;
	}
	if (copy_to_user(fds, kfds, sizeof(kfds))) {
		/* Linux also leaves nothing open when the copy-out fails. */
		fd_close(kfds[0]);
		fd_close(kfds[1]);
		r = -EFAULT;
		goto out_ino;
	}
	inode_put(ino);
	return 0;
out_files:
	file_put(rf);
	file_put(wf);
out_ino:
	inode_put(ino);
	return r;
}

/* pipe - pipe(2): pipe2(@fds, 0). */
long sys_pipe(int __user *fds)
{
	return sys_pipe2(fds, 0);
}
