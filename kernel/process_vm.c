/*
 * process_vm_readv(2) and process_vm_writev(2): copying between the
 * caller's memory and another process's, without stopping it. The
 * permission is ptrace's attach check (kernel/cred.c cred_may_ptrace());
 * the remote side goes through mm_access_remote() (mm/remote.c).
 */
#include "kernel.h"
#include "task.h"
#include "mm.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/fcntl.h"


#define PVM_IOV_MAX	1024	/* UIO_MAXIOV */
#define PVM_CHUNK	512	/* bytes bounced through the kernel stack at a time */

/*
 * Copy between the caller's @lvec and process @pid's @rvec (@write: into
 * @pid), in order, until either side ends or a remote page is missing.
 * Permission is ptrace's (same ids and dumpable, or root). Returns the
 * bytes copied, or -ESRCH, -EPERM, -EINVAL (flags, counts), -EFAULT.
 */
static long process_vm(pid_t pid, const struct linux_iovec __user *ulvec, u64 liovcnt,
		       const struct linux_iovec __user *urvec, u64 riovcnt, u64 flags, bool write)
{
	struct linux_iovec l = { 0 }, r = { 0 };
	u64 li = 0, ri = 0, done = 0;
	struct process *p;
	struct task *t;
	struct mm *mm = NULL;
	u8 buf[PVM_CHUNK];

	if (flags || liovcnt > PVM_IOV_MAX || riovcnt > PVM_IOV_MAX)
		return -EINVAL;
	spin_lock(&tasklist_lock);
	p = process_find(pid);
	if (!p || p->state != PROC_ALIVE) {
		spin_unlock(&tasklist_lock);
		return -ESRCH;
	}
	if (!cred_may_ptrace(p)) {
		spin_unlock(&tasklist_lock);
		return -EPERM;
	}
	spin_lock(&p->lock);
	list_for_each_entry(t, &p->threads, thread_link)
		if (t->mm) {
			mm = t->mm;
			mm_get(mm);
			break;
		}
	spin_unlock(&p->lock);
	spin_unlock(&tasklist_lock);
	if (!mm)
		return -ESRCH;
	for (;;) {
		while (!l.iov_len && li < liovcnt)
			if (copy_from_user(&l, &ulvec[li++], sizeof(l)))
				goto fault;
		while (!r.iov_len && ri < riovcnt)
			if (copy_from_user(&r, &urvec[ri++], sizeof(r)))
				goto fault;
		if (!l.iov_len || !r.iov_len)
			break;
		size_t n = MIN(MIN(l.iov_len, r.iov_len), sizeof(buf));
		long got;

		if (write) {
			if (copy_from_user(buf, (const void __user *)l.iov_base, n))
				goto fault;
			got = mm_access_remote(mm, r.iov_base, buf, n, true, false);
		} else {
			got = mm_access_remote(mm, r.iov_base, buf, n, false, false);
			if (got > 0 && copy_to_user((void __user *)l.iov_base, buf, (size_t)got))
				goto fault;
		}
		if (got <= 0)
			goto fault;	/* a remote fault ends the transfer (partial count) */
		done += (u64)got;
		l.iov_base += (u64)got, l.iov_len -= (u64)got;
		r.iov_base += (u64)got, r.iov_len -= (u64)got;
		if ((size_t)got < n)
			break;
	}
	mm_put(mm);
	return (long)done;
fault:
	mm_put(mm);
	return done ? (long)done : -EFAULT;
}

/* sys_process_vm_readv - process_vm_readv(2). */
long sys_process_vm_readv(pid_t pid, const struct linux_iovec __user *lvec, u64 liovcnt,
			  const struct linux_iovec __user *rvec, u64 riovcnt, u64 flags)
{
	return process_vm(pid, lvec, liovcnt, rvec, riovcnt, flags, false);
}

/* sys_process_vm_writev - process_vm_writev(2). */
long sys_process_vm_writev(pid_t pid, const struct linux_iovec __user *lvec, u64 liovcnt,
			   const struct linux_iovec __user *rvec, u64 riovcnt, u64 flags)
{
	return process_vm(pid, lvec, liovcnt, rvec, riovcnt, flags, true);
}
