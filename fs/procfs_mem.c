/*
 * /proc/PID/mem: the process's address space as a file, read and written at
 * offset = virtual address (proc(5)). Debuggers use it instead of one
 * PTRACE_PEEKDATA per word: gdb reads and writes its tracees' memory here.
 *
 * The open takes a counted reference on the address space (after the access
 * check of the guarded /proc files in fs/procfs.c), so the file keeps naming
 * that address space after the process execs, never the new one, as on Linux.
 * Unlike Linux, which lets go of the memory when the process exits and reads
 * 0 bytes from then on, the reference keeps the old address space and its
 * pages until the file is closed (pagemap holds its address space the same way).
 * Reads and writes go through mm_access_remote() (mm/remote.c) with force,
 * Linux's FOLL_FORCE: a debugger may write a breakpoint into read-only text,
 * which lands in a private copy of the page.
 *
 * Locks: none of its own; mm_access_remote() takes the mm lock.
 */
#include "kernel.h"
#include "fs.h"
#include "mm.h"
#include "kmalloc.h"
#include "page.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/fcntl.h"
#include "procfs.h"

struct mem_file {
	struct mm *mm;		/* [I] a counted reference; NULL: no address space */
};

/*
 * Copy @n bytes between the file at *@pos and @ubuf (read) or @src (write),
 * a page at a time. Returns the bytes moved, 0 without an address space,
 * -EIO when the first byte is not mapped (or not accessible), -EFAULT for a
 * bad user buffer, -ENOMEM. A bounce page per call: readers of one open file
 * may run at once (pread). Semantics: Linux's mem_rw().
 */
static ssize_t mem_rw(struct file *f, void __user *ubuf, struct io_src src, size_t n,
		      u64 *pos, bool write)
{
	struct mem_file *mf = f->priv;
	size_t done = 0;
	ssize_t ret;
	char *page;

	if (!mf->mm)
		return 0;
	page = kmalloc(PAGE_SIZE);
	if (!page)
		return -ENOMEM;
	while (done < n) {
		size_t chunk = MIN(n - done, (size_t)PAGE_SIZE);
		long got;

		if (write && io_src_copy(page, src, done, chunk)) {
			ret = done ? (ssize_t)done : -EFAULT;
			goto out;
		}
		got = mm_access_remote(mf->mm, *pos, page, chunk, write, true);
		if (got <= 0)
			break;
		if (!write && copy_to_user((char __user *)ubuf + done, page, (size_t)got)) {
			ret = done ? (ssize_t)done : -EFAULT;
			goto out;
		}
		done += (size_t)got;
		*pos += (u64)got;
		if ((size_t)got < chunk)
			break;
	}
	ret = done ? (ssize_t)done : -EIO;
out:
	kfree(page);
	return ret;
}

static ssize_t mem_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	return mem_rw(f, buf, io_src_kernel(NULL), n, pos, false);
}

static ssize_t mem_write(struct file *f, struct io_src src, size_t n, u64 *pos)
{
	return mem_rw(f, NULL, src, n, pos, true);
}

static void mem_release(struct file *f)
{
	struct mem_file *mf = f->priv;

	if (mf->mm)
		mm_put(mf->mm);
	kfree(mf);
}

static const struct file_ops mem_ops = {
	.read = mem_read,
	.write = mem_write,
	.release = mem_release,
	.seekable = true,
};

/* procfs_open_mem - see fs/procfs.h. */
int procfs_open_mem(struct inode *ino, u32 flags, struct file **out)
{
	pid_t pid = PN_PID(ino->priv), tid = (pid_t)PN_SUB(ino->priv);
	struct mem_file *mf = kzalloc(sizeof(*mf));
	struct file *f;

	if (!mf)
		return -ENOMEM;
	mf->mm = procfs_mm_of(pid, tid);
	if (!mf->mm && !procfs_task_exists(pid, tid)) {
		kfree(mf);
		return -ENOENT;
	}
	f = file_alloc(ino, &mem_ops, (flags & O_ACCMODE) | LINUX_O_LARGEFILE, mf);
	if (!f) {
		if (mf->mm)
			mm_put(mf->mm);
		kfree(mf);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}
