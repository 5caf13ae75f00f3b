/*
 * The kernel log as records, for user space: syslog(2) (klogctl(3), which
 * busybox's dmesg uses) and /dev/kmsg (char device 1:11, which util-linux's
 * dmesg reads). printk's bytes (kernel/printk.c) are cut into records at
 * each newline; a record keeps its sequence number, its time since boot and
 * its priority (facility << 3 | level; a message of the kernel's own has
 * level 4, Linux's default message log level, unless it starts "<N>").
 * Records live in a ring of KMSG_RECORDS slots of up to KMSG_TEXT bytes of
 * text (longer lines are cut); the oldest are overwritten.
 *
 * Permissions (syslog(2)): with dmesg_restrict off (Linux's default, and
 * Sprout's), anyone may read the whole log (SYSLOG_ACTION_READ_ALL,
 * SIZE_BUFFER, and reading /dev/kmsg); every other action needs privilege
 * (euid 0, standing for CAP_SYSLOG): EPERM.
 *
 * Locks: the records and the read positions are guarded by printk's
 * log_lock (records are added with it held: kmsg_feed()); kmsg_wait wakes
 * readers, only from printk calls made where sleeping locks could be taken
 * (no spinlock held, interrupts on) -- a reader woken late finds the record
 * at its next wake-up or poll.
 */
#include "kernel.h"
#include "arch.h"
#include "cpu.h"
#include "fs.h"
#include "kmalloc.h"
#include "sched.h"
#include "spinlock.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/poll.h"

#define KMSG_RECORDS		1024
#define KMSG_TEXT		200
#define KMSG_DEFAULT_LEVEL	4	/* Linux's MESSAGE_LOGLEVEL_DEFAULT */
#define LOG_USER_FACILITY	1

#define SYSLOG_ACTION_CLOSE		0
#define SYSLOG_ACTION_OPEN		1
#define SYSLOG_ACTION_READ		2
#define SYSLOG_ACTION_READ_ALL		3
#define SYSLOG_ACTION_READ_CLEAR	4
#define SYSLOG_ACTION_CLEAR		5
#define SYSLOG_ACTION_CONSOLE_OFF	6
#define SYSLOG_ACTION_CONSOLE_ON	7
#define SYSLOG_ACTION_CONSOLE_LEVEL	8
#define SYSLOG_ACTION_SIZE_UNREAD	9
#define SYSLOG_ACTION_SIZE_BUFFER	10

struct kmsg_record {
	u64 seq;
	u64 ts_ns;		/* arch_clock_ns() when the line began */
	u8 prio;		/* facility << 3 | level */
	u16 len;
	char text[KMSG_TEXT];
};

extern struct spinlock log_lock;	/* kernel/printk.c */

static struct kmsg_record records[KMSG_RECORDS];	/* [log_lock] slot seq % KMSG_RECORDS */
static u64 next_seq;		/* [log_lock] records ever committed */
static u64 clear_seq;		/* [log_lock] SYSLOG_ACTION_CLEAR: older ones are not shown */
static u64 syslog_seq;		/* [log_lock] SYSLOG_ACTION_READ's position */
static struct kmsg_record partial;	/* [log_lock] the line being built */
static bool partial_open;	/* [log_lock] */
static int console_loglevel = 7;	/* [log_lock] SYSLOG_ACTION_CONSOLE_LEVEL (kept only:
					 * the console never shows kernel messages) */
static struct wait_queue kmsg_wait = WAIT_QUEUE_INIT(kmsg_wait, "kmsg");

static u64 first_seq(void)
{
	return next_seq > KMSG_RECORDS ? next_seq - KMSG_RECORDS : 0;
}

static struct kmsg_record *record_of(u64 seq)
{
	return &records[seq % KMSG_RECORDS];
}

/* Commit the line being built as the next record. [log_lock] */
static void commit_partial(void)
{
	struct kmsg_record *r = record_of(next_seq);
	const char *t = partial.text;
	size_t len = partial.len;
	u8 prio = partial.prio;

	/* A leading "<N>" sets the level (and, from /dev/kmsg, the facility). */
	if (len >= 3 && t[0] == '<' && t[1] >= '0' && t[1] <= '9') {
		size_t i = 1;
		u32 v = 0;

		while (i < len && i < 5 && t[i] >= '0' && t[i] <= '9')
			v = v * 10 + (u32)(t[i++] - '0');
		if (i < len && t[i] == '>') {
			prio = (u8)((prio & ~7u) | (v & 7));
			if (v >> 3)
				prio = (u8)v;
			t += i + 1;
			len -= i + 1;
		}
	}
	r->seq = next_seq;
	r->ts_ns = partial.ts_ns;
	r->prio = prio;
	r->len = (u16)len;
	memmove(r->text, t, len);
	next_seq++;
	partial_open = false;
}

/* Append @n bytes to the record being built, committing at each newline.
 * @prio: the priority of a new line. [log_lock] */
static void feed(const char *s, size_t n, u8 prio)
{
	for (size_t i = 0; i < n; i++) {
		if (!partial_open) {
			partial.len = 0;
			partial.ts_ns = arch_clock_ns();
			partial.prio = prio;
			partial_open = true;
		}
		if (s[i] == '\n') {
			commit_partial();
			continue;
		}
		if (partial.len < KMSG_TEXT)
			partial.text[partial.len++] = s[i];
	}
}

/* kmsg_feed - see include/kernel.h. */
void kmsg_feed(const char *s, size_t n)
{
	feed(s, n, KMSG_DEFAULT_LEVEL);
}

/* kmsg_wake - see include/kernel.h. */
void kmsg_wake(void)
{
	if (spin_held_count() == 0 && arch_irq_enabled() && current)
		wake_up(&kmsg_wait);
}

static bool privileged(void)
{
	return current->proc->euid == 0;
}

/* Record @r in syslog(2)'s text form, "<prio>[secs.usecs] text\n", into
 * @buf (@size bytes, may be 0 to measure). Returns the full length. */
static size_t syslog_format(const struct kmsg_record *r, char *buf, size_t size)
{
	u64 us = r->ts_ns / 1000;

	return (size_t)snprintf(buf, size, "<%u>[%5lu.%06lu] %.*s\n", r->prio,
				(unsigned long)(us / 1000000), (unsigned long)(us % 1000000),
				(int)r->len, r->text);
}

/* Bytes of syslog text of the records from @seq on. [log_lock] */
static size_t syslog_bytes_from(u64 seq)
{
	size_t total = 0;

	for (u64 s = MAX(seq, first_seq()); s < next_seq; s++)
		total += syslog_format(record_of(s), NULL, 0);
	return total;
}

#define KMSG_CHUNK	4096	/* bytes formatted under the lock per copy-out */

/*
 * Copy the records [@from, next_seq) that fit in @len bytes, the newest ones
 * when @newest (READ_ALL: what fits of the end), else the oldest (READ).
 * Records go out in order; *@from moves past what was copied. Returns the
 * byte count or -EFAULT. Takes log_lock per chunk, never across a copy.
 */
static long copy_records(char __user *ubuf, size_t len, u64 *from, bool newest)
{
	char *kbuf = kmalloc(KMSG_CHUNK + 1);	/* + snprintf's NUL */
	size_t done = 0;
	u64 seq;

	if (!kbuf)
		return -ENOMEM;
	spin_lock(&log_lock);
	seq = MAX(*from, first_seq());
	if (newest) {
		size_t total = syslog_bytes_from(seq);

		while (seq < next_seq && total > len)
			total -= syslog_format(record_of(seq++), NULL, 0);
	}
	spin_unlock(&log_lock);
	for (;;) {
		size_t n = 0;

		spin_lock(&log_lock);
		seq = MAX(seq, first_seq());
		while (seq < next_seq) {
			size_t l = syslog_format(record_of(seq), NULL, 0);

			if (done + n + l > len) {
				/* READ hands out the head of a record too long for
				 * the whole buffer, as Linux does; then stop. */
				if (!newest && !done && !n && len) {
					char *tmp = kmalloc(l + 1);

					if (tmp) {
						syslog_format(record_of(seq), tmp, l + 1);
						n = MIN(len, (size_t)KMSG_CHUNK);
						memcpy(kbuf, tmp, n);
						kfree(tmp);
						seq++;
					}
				}
				len = done + n;	/* nothing more fits */
				break;
			}
			if (n + l > KMSG_CHUNK)
				break;
			syslog_format(record_of(seq), kbuf + n, l + 1);
			n += l;
			seq++;
		}
		spin_unlock(&log_lock);
		if (n && copy_to_user(ubuf + done, kbuf, n)) {
			kfree(kbuf);
			return -EFAULT;
		}
		done += n;
		if (!n || done >= len)
			break;
	}
	kfree(kbuf);
	*from = seq;
	return (long)done;
}

/* Linux's access_ok(): the buffer lies in user space (checked before
 * anything is read, whether or not a byte would be copied). */
static bool user_range_ok(const void __user *buf, u64 len)
{
	u64 a = (u64)(uintptr_t)buf;

	return a < USER_TOP && len <= USER_TOP - a;
}

static bool syslog_unread(void)
{
	spin_lock(&log_lock);
	bool any = MAX(syslog_seq, first_seq()) < next_seq;

	spin_unlock(&log_lock);
	return any;
}

/*
 * sys_syslog - syslog(2), the system call behind klogctl(3): @type one of
 * the SYSLOG_ACTION_* above, @buf/@len as each action says. Returns bytes
 * read (READ, READ_ALL, READ_CLEAR), a size (SIZE_UNREAD, SIZE_BUFFER) or
 * 0; -EINVAL (unknown @type, NULL @buf or negative @len for a read, a
 * console level outside 1..8), -EPERM (unprivileged, for every action but
 * READ_ALL and SIZE_BUFFER), -EFAULT, -ERESTARTSYS (READ waits for a
 * record and a signal came). Takes log_lock. May sleep (READ).
 */
long sys_syslog(int type, char __user *buf, int len)
{
	u64 from;
	long r;

	if (type < SYSLOG_ACTION_CLOSE || type > SYSLOG_ACTION_SIZE_BUFFER)
		return -EINVAL;
	if (type != SYSLOG_ACTION_READ_ALL && type != SYSLOG_ACTION_SIZE_BUFFER && !privileged())
		return -EPERM;
	switch (type) {
	case SYSLOG_ACTION_CLOSE:
	case SYSLOG_ACTION_OPEN:
		return 0;
	case SYSLOG_ACTION_READ:
		if (!buf || len < 0)
			return -EINVAL;
		if (!len)
			return 0;
		if (!user_range_ok(buf, (u64)len))
			return -EFAULT;
		r = wait_event_interruptible(&kmsg_wait, syslog_unread());
		if (r)
			return r;
		spin_lock(&log_lock);
		from = syslog_seq;
		spin_unlock(&log_lock);
		r = copy_records(buf, (size_t)len, &from, false);
		if (r >= 0) {
			spin_lock(&log_lock);
			syslog_seq = MAX(syslog_seq, from);
			spin_unlock(&log_lock);
		}
		return r;
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		if (!buf || len < 0)
			return -EINVAL;
		if (!len)
			return 0;
		if (!user_range_ok(buf, (u64)len))
			return -EFAULT;
		spin_lock(&log_lock);
		from = clear_seq;
		spin_unlock(&log_lock);
		r = copy_records(buf, (size_t)len, &from, true);
		if (r >= 0 && type == SYSLOG_ACTION_READ_CLEAR) {
			spin_lock(&log_lock);
			clear_seq = next_seq;
			spin_unlock(&log_lock);
		}
		return r;
	case SYSLOG_ACTION_CLEAR:
		spin_lock(&log_lock);
		clear_seq = next_seq;
		spin_unlock(&log_lock);
		return 0;
	case SYSLOG_ACTION_CONSOLE_OFF:
	case SYSLOG_ACTION_CONSOLE_ON:
		return 0;
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		if (len < 1 || len > 8)
			return -EINVAL;
		spin_lock(&log_lock);
		console_loglevel = len;
		spin_unlock(&log_lock);
		return 0;
	case SYSLOG_ACTION_SIZE_UNREAD:
		spin_lock(&log_lock);
		r = (long)syslog_bytes_from(syslog_seq);
		spin_unlock(&log_lock);
		return r;
	default:	/* SYSLOG_ACTION_SIZE_BUFFER */
		return (long)KMSG_RECORDS * KMSG_TEXT;
	}
}

/* ---- /dev/kmsg ---- */

struct kmsg_reader {
	u64 seq;		/* [log_lock] the next record this open file reads */
};

/* Record @r in /dev/kmsg's form "prio,seq,usec,-;text\n" (bytes outside
 * printable ASCII as \xNN) into @buf of @size. Returns the length, or 0 if
 * it does not fit. */
static size_t kmsg_format(const struct kmsg_record *r, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "%u,%lu,%lu,-;", r->prio, (unsigned long)r->seq,
				    (unsigned long)(r->ts_ns / 1000));

	for (u16 i = 0; i < r->len && n < size; i++) {
		unsigned char c = (unsigned char)r->text[i];

		if (c < ' ' || c >= 127 || c == '\\')
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	if (n + 1 >= size)
		return 0;
	buf[n++] = '\n';
	return n;
}

static bool kmsg_ready(struct kmsg_reader *rd)
{
	spin_lock(&log_lock);
	bool ready = rd->seq < next_seq;

	spin_unlock(&log_lock);
	return ready;
}

/* read(2) of /dev/kmsg: one record per call; -EINVAL if @n is too small for
 * it, -EPIPE once if records were overwritten before being read (the
 * position then moves to the oldest kept), -EAGAIN when non-blocking and
 * up to date; otherwise waits for the next record. */
static ssize_t kmsg_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	struct kmsg_reader *rd = f->priv;
	char *kbuf = kmalloc(KMSG_TEXT * 4 + 64);
	size_t len;
	int err;

	(void)pos;
	if (!kbuf)
		return -ENOMEM;
	for (;;) {
		spin_lock(&log_lock);
		if (rd->seq < first_seq()) {
			rd->seq = first_seq();
			spin_unlock(&log_lock);
			kfree(kbuf);
			return -EPIPE;
		}
		if (rd->seq < next_seq)
			break;		/* with the lock */
		spin_unlock(&log_lock);
		if (file_flags(f) & O_NONBLOCK) {
			kfree(kbuf);
			return -EAGAIN;
		}
		err = wait_event_interruptible(&kmsg_wait, kmsg_ready(rd));
		if (err) {
			kfree(kbuf);
			return err;
		}
	}
	len = kmsg_format(record_of(rd->seq), kbuf, KMSG_TEXT * 4 + 64);
	if (len && len <= n)
		rd->seq++;
	spin_unlock(&log_lock);
	if (!len || len > n) {
		kfree(kbuf);
		return -EINVAL;
	}
	err = copy_to_user(buf, kbuf, len);
	kfree(kbuf);
	return err ? -EFAULT : (ssize_t)len;
}

/* write(2) of /dev/kmsg: one record (per line) of facility LOG_USER and the
 * default level unless it starts "<N>"; also copied to the log port. */
static ssize_t kmsg_write(struct file *f, struct io_src src, size_t n, u64 *pos)
{
	char kbuf[KMSG_TEXT + 8];
	size_t len = MIN(n, sizeof(kbuf) - 1);

	(void)f; (void)pos;
	if (io_src_copy(kbuf, src, 0, len))
		return -EFAULT;
	if (!len)
		return 0;
	spin_lock(&log_lock);
	if (partial_open)
		commit_partial();	/* a kernel line in progress stays whole */
	feed(kbuf, len, LOG_USER_FACILITY << 3 | KMSG_DEFAULT_LEVEL);
	if (partial_open)
		commit_partial();
	spin_unlock(&log_lock);
	kmsg_wake();
	return (ssize_t)n;
}

static unsigned kmsg_poll(struct file *f, struct poll_table *pt)
{
	struct kmsg_reader *rd = f->priv;

	poll_wait(pt, &kmsg_wait);
	return kmsg_ready(rd) ? POLLIN | POLLRDNORM : 0;
}

static void kmsg_release(struct file *f)
{
	kfree(f->priv);
}

/* lseek(2) of /dev/kmsg (Linux's devkmsg_llseek): only offset 0; SEEK_SET goes to the
 * oldest record kept, SEEK_DATA to the first after the last SYSLOG_ACTION_CLEAR (where
 * dmesg starts, so that dmesg -c is honoured), SEEK_END past the newest. Returns 0,
 * -ESPIPE (another offset) or -EINVAL (another whence). */
static s64 kmsg_llseek(struct file *f, s64 off, unsigned whence)
{
	struct kmsg_reader *rd = f->priv;
	s64 r = 0;

	if (off)
		return -ESPIPE;
	spin_lock(&log_lock);
	switch (whence) {
	case 0:		/* SEEK_SET */
		rd->seq = first_seq();
		break;
	case 3:		/* SEEK_DATA */
		rd->seq = MAX(clear_seq, first_seq());
		break;
	case 2:		/* SEEK_END */
		rd->seq = next_seq;
		break;
	default:
		r = -EINVAL;
	}
	spin_unlock(&log_lock);
	return r;
}

static const struct file_ops kmsg_ops = {
	.read = kmsg_read,
	.write = kmsg_write,
	.release = kmsg_release,
	.poll = kmsg_poll,
	.llseek = kmsg_llseek,
};

/* kmsg_open - see include/fs.h. */
int kmsg_open(struct inode *ino, u32 flags, struct file **out)
{
	struct kmsg_reader *rd = kzalloc(sizeof(*rd));
	struct file *f;

	if (!rd)
		return -ENOMEM;
	spin_lock(&log_lock);
	rd->seq = first_seq();
	spin_unlock(&log_lock);
	f = file_alloc(ino, &kmsg_ops, flags & (O_ACCMODE | O_NONBLOCK), rd);
	if (!f) {
		kfree(rd);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}
