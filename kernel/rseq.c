/*
 * Restartable sequences (rseq(2)): a thread registers a struct rseq in its
 * memory; the kernel keeps its cpu_id fields current -- refreshed on the way
 * back to user mode whenever the thread was switched out (it may have moved
 * to another CPU) -- and, when the thread was preempted or gets a signal
 * inside a critical section that struct rseq's rseq_cs field describes,
 * sends it to the section's abort handler instead of letting it resume in
 * the middle. glibc registers one for every thread and reads cpu_id for
 * sched_getcpu(); per-CPU data structures use the critical sections.
 *
 * Layout (Linux's uapi): struct rseq { u32 cpu_id_start, cpu_id; u64
 * rseq_cs; u32 flags, node_id, mm_cid; } of 32 bytes (aligned to 32);
 * struct rseq_cs { u32 version, flags; u64 start_ip, post_commit_offset,
 * abort_ip; }. The abort handler is preceded by the 4-byte signature given
 * at registration, which the kernel checks before jumping there.
 *
 * Locks: none; every field is the thread's own ([c] in include/task.h).
 */
#include "kernel.h"
#include "arch.h"
#include "cpu.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/signal.h"

#define RSEQ_FLAG_UNREGISTER	1
#define RSEQ_ORIG_SIZE		32
#define RSEQ_OFF_CPU_ID_START	0
#define RSEQ_OFF_CPU_ID		4
#define RSEQ_OFF_CS		8
#define RSEQ_OFF_NODE_ID	20
#define RSEQ_OFF_MM_CID		24
#define RSEQ_CPU_ID_UNINITIALIZED	((u32)-1)

struct rseq_cs_user {
	u32 version, flags;
	u64 start_ip, post_commit_offset, abort_ip;
};

static void rseq_kill(struct trapframe *tf)
{
	(void)tf;
	signal_force_fault(SIGSEGV, SI_KERNEL, 0);	/* Linux: force_sig(SIGSEGV) */
}

/* Abort the critical section the thread stands in, if any. 0 or -EFAULT/-EINVAL. */
static int rseq_fixup(struct task *t, struct trapframe *tf)
{
	u64 cs_ptr, ip = tf_ip(tf);
	struct rseq_cs_user cs;
	u32 sig;

	if (get_user_u64(&cs_ptr, (void __user *)(t->rseq_addr + RSEQ_OFF_CS)))
		return -EFAULT;
	if (!cs_ptr)
		return 0;
	if (copy_from_user(&cs, (const void __user *)cs_ptr, sizeof(cs)))
		return -EFAULT;
	if (cs.version != 0 || cs.start_ip + cs.post_commit_offset < cs.start_ip)
		return -EINVAL;
	if (ip < cs.start_ip || ip - cs.start_ip >= cs.post_commit_offset) {
		/* Outside: the descriptor is stale; clear it as Linux does. */
		return put_user_u64((void __user *)(t->rseq_addr + RSEQ_OFF_CS), 0) ? -EFAULT : 0;
	}
	/* The abort handler may not lie inside the section it aborts. */
	if (cs.abort_ip - cs.start_ip < cs.post_commit_offset)
		return -EINVAL;
	if (get_user_u32(&sig, (const void __user *)(cs.abort_ip - sizeof(u32))))
		return -EFAULT;
	if (sig != t->rseq_sig)
		return -EINVAL;
	if (put_user_u64((void __user *)(t->rseq_addr + RSEQ_OFF_CS), 0))
		return -EFAULT;
	tf_set_ip(tf, cs.abort_ip);
	return 0;
}

/* Write the CPU fields: @cpu, or "not registered yet" for RSEQ_CPU_ID_UNINITIALIZED. */
static int rseq_write_cpu(struct task *t, u32 cpu, u32 cpu_start)
{
	void __user *a = (void __user *)t->rseq_addr;

	if (put_user_u32((u8 __user *)a + RSEQ_OFF_CPU_ID_START, cpu_start) ||
	    put_user_u32((u8 __user *)a + RSEQ_OFF_CPU_ID, cpu) ||
	    put_user_u32((u8 __user *)a + RSEQ_OFF_NODE_ID, 0) ||
	    put_user_u32((u8 __user *)a + RSEQ_OFF_MM_CID, cpu_start))
		return -EFAULT;
	return 0;
}

/* rseq_user_return - see include/task.h. */
void rseq_user_return(struct trapframe *tf)
{
	struct task *t = current;
	u32 cpu = (u32)this_cpu()->id;

	t->rseq_resume = false;
	if (!t->rseq_addr || !tf_user_mode(tf))
		return;
	if (rseq_fixup(t, tf) || rseq_write_cpu(t, cpu, cpu))
		rseq_kill(tf);
}

/* rseq_fork - see include/task.h. */
void rseq_fork(struct task *child, u64 flags)
{
	struct task *parent = current;

	if (flags & 0x100 /* CLONE_VM */) {
		child->rseq_addr = 0;
		child->rseq_len = child->rseq_sig = 0;
		return;
	}
	child->rseq_addr = parent->rseq_addr;
	child->rseq_len = parent->rseq_len;
	child->rseq_sig = parent->rseq_sig;
	child->rseq_resume = parent->rseq_addr != 0;
}

/* rseq_exec - see include/task.h. */
void rseq_exec(struct task *t)
{
	t->rseq_addr = 0;
	t->rseq_len = t->rseq_sig = 0;
	t->rseq_resume = false;
}

/*
 * sys_rseq - rseq(2): register @urseq (@len bytes, at least 32, aligned to
 * 32) for the calling thread with abort signature @sig, or with
 * RSEQ_FLAG_UNREGISTER drop the registration (same area, length and
 * signature). Returns 0, or -EINVAL (other flags, a bad length or
 * alignment, unregistering another area, registering a second one),
 * -EBUSY (this area is already registered), -EPERM (unregistering with
 * another signature), -EFAULT. The cpu fields are written at once on
 * registration, and kept current from then on. Sleeps: may fault.
 */
long sys_rseq(void __user *urseq, u32 len, int flags, u32 sig)
{
	struct task *t = current;
	u64 addr = (u64)(uintptr_t)urseq;

	if (flags & RSEQ_FLAG_UNREGISTER) {
		if (flags & ~RSEQ_FLAG_UNREGISTER)
			return -EINVAL;
		if (t->rseq_addr != addr || !addr || t->rseq_len != len)
			return -EINVAL;
		if (t->rseq_sig != sig)
			return -EPERM;
		if (rseq_write_cpu(t, RSEQ_CPU_ID_UNINITIALIZED, 0))
			return -EFAULT;
		rseq_exec(t);
		return 0;
	}
	if (flags)
		return -EINVAL;
	if (t->rseq_addr) {
		if (t->rseq_addr != addr || t->rseq_len != len)
			return -EINVAL;
		if (t->rseq_sig != sig)
			return -EPERM;
		return -EBUSY;
	}
	if (len < RSEQ_ORIG_SIZE || (addr & (RSEQ_ORIG_SIZE - 1)))
		return -EINVAL;
	if (addr >= USER_TOP || len > USER_TOP - addr)
		return -EFAULT;
	t->rseq_addr = addr;
	t->rseq_len = len;
	t->rseq_sig = sig;
	if (rseq_write_cpu(t, (u32)this_cpu()->id, (u32)this_cpu()->id)) {
		rseq_exec(t);
		return -EFAULT;
	}
	t->rseq_resume = true;
	return 0;
}
