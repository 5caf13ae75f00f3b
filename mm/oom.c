/*
 * Out of memory in a page fault. Until reclaim and swap exist there is
 * nothing to free, so the process whose fault found no page is the one
 * that goes: it is killed with SIGKILL, as Linux's OOM killer kills, and the
 * kernel log says which process and how much it held. A fault that cannot
 * get memory never becomes SIGSEGV, which a program could catch and misread
 * as its own bug.
 */
#include "kernel.h"
#include "mm.h"
#include "task.h"
#include "cpu.h"
#include "uapi/signal.h"
#include "trace.h"

/* mm_oom_kill_current - see include/mm.h. */
void mm_oom_kill_current(u64 addr)
{
	struct task *t = current;
	struct process *p = t->proc;
	struct mm *mm = t->mm;
	u64 total_kb = 0, rss_kb = 0;

	if (mm) {
		mutex_lock(&mm->lock);
		total_kb = mm_total_vm(mm) / 1024;
		rss_kb = mm->rss_pages * (PAGE_SIZE / 1024);
		mutex_unlock(&mm->lock);
	}
	printk("Out of memory: Killed process %d (%s) total-vm:%lukB rss:%lukB "
	       "(page fault at 0x%lx)\n", p->pid, t->comm, (unsigned long)total_kb,
	       (unsigned long)rss_kb, (unsigned long)addr);
	/* The process, not the thread: every thread goes, as with any SIGKILL.
	 * @p is current's own process, alive while we run: no lock needed. */
	trace_oom_kill(addr, rss_kb);
	send_signal_process(p, SIGKILL);
}
