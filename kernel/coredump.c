/*
 * Core dumps (core(5)): the ELF core file a process leaves when a signal
 * whose default action is "core" kills it and RLIMIT_CORE allows one.
 *
 * Layout (System V gABI ET_CORE, as Linux's fs/binfmt_elf.c writes it):
 *   ELF header | program headers: PT_NOTE, then one PT_LOAD per VMA |
 *   notes: NT_PRSTATUS (the dumping thread's registers), NT_PRPSINFO,
 *   NT_SIGINFO, NT_AUXV, NT_FILE (the file-backed mappings), NT_PRFPREG
 *   (its FPU/SSE registers), then NT_PRSTATUS and NT_PRFPREG per other thread |
 *   the VMAs' contents, each from a page boundary.
 * Which contents: anonymous memory, shared anonymous memory (SysV shm and
 * MAP_SHARED|MAP_ANONYMOUS) and writable private file mappings (.data);
 * read-only file mappings are described with p_filesz 0, since the file
 * itself has them (Linux's default coredump_filter 0x33). Pages never
 * touched are holes that read as zeros.
 *
 * The dumping thread writes the file in its own context, before its exit
 * releases anything. It first starts the group's exit and waits (up to a
 * second) for the other threads to stop in coredump_park() on their way
 * out, as Linux's zap_threads() does: their registers are recorded after
 * the dumping thread's (one NT_PRSTATUS each) and the memory holds still.
 * A thread that does not stop in time (one in a long uninterruptible
 * sleep) is left out of the notes.
 *
 * Locks: core_pattern_lock guards core_pattern; process->lock is taken to
 * read credentials, claim the dump and count stopped threads (who sleep on
 * process->thread_exit, which execve cannot be using meanwhile); mm->lock while VMAs are copied and
 * while a page is copied out of the direct map (never across a file write,
 * which takes the inode lock: the order is mm->lock -> inode lock).
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "mm.h"
#include "fs.h"
#include "arch.h"
#include "kmalloc.h"
#include "sched.h"
#include "uaccess.h"
#include "coredump.h"
#include "lib/corename.h"
#include "uapi/elf.h"
#include "uapi/errno.h"
#include "uapi/signal.h"
#include "uapi/resource.h"
#include "uapi/wait.h"

#define ET_CORE		4
#define NT_PRSTATUS	1
#define NT_PRFPREG	2
#define NT_PRPSINFO	3
#define NT_AUXV		6
#define NT_SIGINFO	0x53494749	/* "SIGI" */
#define NT_FILE		0x46494c45	/* "FILE" */
#define CORE_NOTE_NAME	"CORE"
#define USEC_PER_TICK	(1000000UL / HZ)

static struct spinlock core_pattern_lock = SPINLOCK_INIT("core_pattern");
static char core_pattern[CORE_PATTERN_MAX] = "core";	/* [core_pattern_lock] */

/* core_pattern_set - see include/coredump.h. */
int core_pattern_set(const char *s, size_t len)
{
	if (len && s[len - 1] == '\n')
		len--;
	int err = corename_check(s, len, CORE_PATTERN_MAX);

	if (err)
		return err;
	spin_lock(&core_pattern_lock);
	memcpy(core_pattern, s, len);
	core_pattern[len] = '\0';
	spin_unlock(&core_pattern_lock);
	return 0;
}

/* core_pattern_get - see include/coredump.h. */
size_t core_pattern_get(char *buf, size_t size)
{
	spin_lock(&core_pattern_lock);
	size_t n = strlcpy(buf, core_pattern, size);

	spin_unlock(&core_pattern_lock);
	return MIN(n, size ? size - 1 : 0);
}

/* The fields of Linux's x86-64 struct elf_prstatus (336 bytes). */
struct core_timeval {
	s64 tv_sec, tv_usec;
};

struct core_prstatus {
	s32 si_signo, si_code, si_errno;	/* struct elf_siginfo */
	s16 pr_cursig;
	u16 pad0;
	u64 pr_sigpend, pr_sighold;
	s32 pr_pid, pr_ppid, pr_pgrp, pr_sid;
	struct core_timeval pr_utime, pr_stime, pr_cutime, pr_cstime;
	u64 pr_reg[ARCH_CORE_NREGS];
	s32 pr_fpvalid;
	u32 pad1;
};

/* Linux's x86-64 struct elf_prpsinfo (136 bytes). */
struct core_prpsinfo {
	char pr_state, pr_sname, pr_zomb, pr_nice;
	u32 pad0;
	u64 pr_flag;
	u32 pr_uid, pr_gid;
	s32 pr_pid, pr_ppid, pr_pgrp, pr_sid;
	char pr_fname[16];
	char pr_psargs[80];
};

_Static_assert(sizeof(struct core_prstatus) == 112 + ARCH_CORE_NREGS * 8 + 8, "elf_prstatus");
_Static_assert(sizeof(struct core_prpsinfo) == 136, "elf_prpsinfo");

/* One VMA as the dump sees it, copied out under mm->lock. */
struct core_vma {
	u64 start, end;
	u32 prot;
	bool dump;		/* contents written (else p_filesz 0) */
	struct inode *file;	/* counted, or NULL */
	u64 file_off, file_vend;
};

/* One thread's part of NT_PRSTATUS. */
struct core_thread {
	pid_t tid;
	u64 blocked, pending;
	u64 utime_ticks, stime_ticks;
	u64 regs[ARCH_CORE_NREGS];
	u8 fpregs[ARCH_CORE_FPREGS_SIZE];
};

/* Everything the dump needs, gathered before the file is opened. */
struct core_state {
	struct core_thread *threads;	/* the dumping thread first */
	int nthreads;
	struct core_vma *vmas;
	int nvma;
	char *notes;		/* the PT_NOTE contents */
	size_t notes_len;
	u64 limit;		/* RLIMIT_CORE, bytes */
	struct file *file;
};

static struct core_timeval ticks_tv(u64 ticks)
{
	return (struct core_timeval){ (s64)(ticks / HZ), (s64)((ticks % HZ) * USEC_PER_TICK) };
}

/* The core file's name: core_pattern expanded for current and @sig. */
static int core_name(char *out, size_t size, int sig)
{
	struct task *t = current;
	struct process *p = t->proc;
	char pat[CORE_PATTERN_MAX], comm[TASK_COMM_LEN];

	core_pattern_get(pat, sizeof(pat));
	memcpy(comm, t->comm, TASK_COMM_LEN);
	comm[TASK_COMM_LEN - 1] = '\0';
	struct corename_vars v = {
		.pid = (u64)p->pid, .tid = (u64)t->tid, .uid = p->uid, .gid = p->gid,
		.sig = (u64)sig, .time = arch_rtc_seconds(),
		.core_limit = rlimit_cur(RLIMIT_CORE),
		.host = "sprout",	/* uname(2)'s nodename */
		.comm = comm, .exe = p->exe_path,
	};

	return corename_expand(out, size, pat, &v);
}

/* Is this VMA's memory written to the core (coredump_filter 0x33)? */
static bool vma_dumped(const struct vma *v)
{
	if (!(v->prot & MMU_READ))
		return false;
	if (!v->file)
		return true;				/* anonymous private */
	if (v->flags & VMA_SHARED)			/* shm, or a shared anonymous object */
		return v->ops || __atomic_load_n(&v->file->nlink, __ATOMIC_RELAXED) == 0;
	return v->prot & MMU_WRITE;			/* .data and friends */
}

/* Copy @mm's VMAs into @cs. Returns 0 or -ENOMEM. */
static int core_collect_vmas(struct mm *mm, struct core_state *cs)
{
	struct vma *v;
	int n = 0;

	mutex_lock(&mm->lock);
	list_for_each_entry(v, &mm->vmas, link)
		n++;
	cs->vmas = kzalloc(sizeof(*cs->vmas) * (size_t)(n ? n : 1));
	if (!cs->vmas) {
		mutex_unlock(&mm->lock);
		return -ENOMEM;
	}
	list_for_each_entry(v, &mm->vmas, link) {
		struct core_vma *c = &cs->vmas[cs->nvma++];

		c->start = v->start;
		c->end = v->end;
		c->prot = v->prot;
		c->dump = vma_dumped(v);
		c->file = v->file;
		if (c->file)
			inode_get(c->file);
		c->file_off = v->file_off;
		c->file_vend = v->file_vend;
	}
	mutex_unlock(&mm->lock);
	return 0;
}

/* Append one note (name "CORE") to @buf at *@off; with @buf NULL only count. */
static void note_put(char *buf, size_t *off, u32 type, const void *desc, size_t len)
{
	u32 hdr[3] = { sizeof(CORE_NOTE_NAME), (u32)len, type };
	size_t name_len = ALIGN_UP(sizeof(CORE_NOTE_NAME), 4);

	if (buf) {
		memcpy(buf + *off, hdr, sizeof(hdr));
		memset(buf + *off + sizeof(hdr), 0, name_len);
		memcpy(buf + *off + sizeof(hdr), CORE_NOTE_NAME, sizeof(CORE_NOTE_NAME));
		memcpy(buf + *off + sizeof(hdr) + name_len, desc, len);
		memset(buf + *off + sizeof(hdr) + name_len + len, 0, ALIGN_UP(len, 4) - len);
	}
	*off += sizeof(hdr) + name_len + ALIGN_UP(len, 4);
}

/* NT_FILE's descriptor: count, page size, {start, end, page offset}[count],
 * then the count path names. kmalloc'd into *@out; returns its length. */
static long nt_file_build(const struct core_state *cs, char **out)
{
	char *path = kmalloc(PATH_MAX);
	size_t count = 0, len, pos;
	char *d;

	if (!path)
		return -ENOMEM;
	for (int i = 0; i < cs->nvma; i++)
		count += cs->vmas[i].file != NULL;
	/* Names are at most PATH_MAX each, but measure them first. */
	len = 16 + count * 24;
	for (int i = 0; i < cs->nvma; i++) {
		if (!cs->vmas[i].file)
			continue;
		int n = vfs_core_path(cs->vmas[i].file, path, PATH_MAX);

		len += (n > 0 ? (size_t)n : 0) + 1;
	}
	d = kzalloc(len);
	if (!d) {
		kfree(path);
		return -ENOMEM;
	}
	u64 *words = (u64 *)d;
	size_t k = 0;

	words[0] = count;
	words[1] = PAGE_SIZE;
	pos = 16 + count * 24;
	for (int i = 0; i < cs->nvma; i++) {
		const struct core_vma *v = &cs->vmas[i];

		if (!v->file)
			continue;
		words[2 + k * 3] = v->start;
		words[3 + k * 3] = v->end;
		words[4 + k * 3] = v->file_off / PAGE_SIZE;
		k++;
		int n = vfs_core_path(v->file, path, PATH_MAX);

		/* The name may have changed since it was measured: never overrun. */
		if (n > 0 && pos + (size_t)n < len) {
			memcpy(d + pos, path, (size_t)n);
			pos += (size_t)n;
		}
		d[pos++] = '\0';
		if (pos >= len)
			pos = len - 1;
	}
	kfree(path);
	*out = d;
	return (long)len;
}

/* psargs: the command line, NULs as spaces, at most @size - 1 bytes. */
static void psargs_fill(char *buf, size_t size)
{
	struct mm *mm = current->mm;
	u64 start, end;

	mutex_lock(&mm->lock);
	start = mm->arg_start;
	end = mm->arg_end;
	mutex_unlock(&mm->lock);
	size_t n = MIN(end - start, size - 1);

	if (end <= start || copy_from_user(buf, (const void __user *)start, n))
		n = 0;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
}

#define CORE_PARK_WAIT_NS	1000000000UL	/* how long the other threads get to stop */

/* coredump_park - see include/coredump.h. */
void coredump_park(void)
{
	struct task *t = current;
	struct process *p = t->proc;
	struct wait_entry we;
	bool park, done;

	if (!p)
		return;
	spin_lock(&p->lock);
	park = p->core_dumping && !p->core_done && p->core_dumper != t;
	if (park) {
		t->core_parked = true;
		p->core_parked++;
	}
	spin_unlock(&p->lock);
	if (!park)
		return;
	wake_up(&p->thread_exit);
	/* Signals cannot end this wait: the process is dying anyway. */
	for (;;) {
		prepare_to_wait(&p->thread_exit, &we);
		spin_lock(&p->lock);
		done = p->core_done;
		spin_unlock(&p->lock);
		if (done)
			break;
		schedule();
		finish_wait(&p->thread_exit, &we);
	}
	finish_wait(&p->thread_exit, &we);
	spin_lock(&p->lock);
	t->core_parked = false;
	p->core_parked--;
	spin_unlock(&p->lock);
}

/* Wait (a second at most) until every other thread of @p is parked. */
static void core_wait_threads(struct process *p)
{
	u64 deadline = arch_clock_ns() + CORE_PARK_WAIT_NS;
	struct wait_entry we;
	bool all;

	for (;;) {
		prepare_to_wait(&p->thread_exit, &we);
		spin_lock(&p->lock);
		all = p->core_parked + 1 >= (u32)p->nr_threads;
		spin_unlock(&p->lock);
		if (all || schedule_deadline(deadline))
			break;
		finish_wait(&p->thread_exit, &we);
	}
	finish_wait(&p->thread_exit, &we);
}

/* The registers and masks of current and of the parked threads. */
static int core_collect_threads(struct core_state *cs, struct trapframe *tf)
{
	struct task *t = current, *o;
	struct process *p = t->proc;
	int max;

	spin_lock(&p->lock);
	max = MAX(p->nr_threads, 1);
	spin_unlock(&p->lock);
	cs->threads = kzalloc(sizeof(*cs->threads) * (size_t)max);
	if (!cs->threads)
		return -ENOMEM;
	spin_lock(&p->lock);
	struct core_thread *c = &cs->threads[cs->nthreads++];

	c->tid = t->tid;
	c->blocked = t->blocked;
	c->pending = t->pending | p->shared_pending;
	c->utime_ticks = p->self.utime_ticks + t->utime_ticks;
	c->stime_ticks = p->self.stime_ticks + t->stime_ticks;
	arch_core_regs(t, tf, t->syscall_nr, c->regs);
	arch_core_fpregs(t, c->fpregs);
	list_for_each_entry(o, &p->threads, thread_link) {
		if (o == t || !o->core_parked || cs->nthreads >= max)
			continue;
		c = &cs->threads[cs->nthreads++];
		c->tid = o->tid;
		c->blocked = o->blocked;
		c->pending = o->pending | p->shared_pending;
		c->utime_ticks = o->utime_ticks;
		c->stime_ticks = o->stime_ticks;
		arch_core_regs(o, arch_task_trapframe(o), o->syscall_nr, c->regs);
		arch_core_fpregs(o, c->fpregs);
	}
	spin_unlock(&p->lock);
	return 0;
}

/* The NT_PRSTATUS of thread @c. */
static void prstatus_fill(struct core_prstatus *st, const struct core_thread *c,
			  const struct linux_siginfo *info, const struct core_prstatus *proc)
{
	memcpy(st, proc, sizeof(*st));
	st->si_signo = info->si_signo;
	st->si_code = info->si_code;
	st->si_errno = info->si_errno;
	st->pr_cursig = (s16)info->si_signo;
	st->pr_sigpend = c->pending;
	st->pr_sighold = c->blocked;
	st->pr_pid = c->tid;
	st->pr_utime = ticks_tv(c->utime_ticks);
	st->pr_stime = ticks_tv(c->stime_ticks);
	memcpy(st->pr_reg, c->regs, sizeof(st->pr_reg));
}

/* Build the PT_NOTE contents for the death by @info. */
static int core_build_notes(struct core_state *cs, const struct linux_siginfo *info)
{
	struct task *t = current;
	struct process *p = t->proc;
	struct core_prstatus *st = kzalloc(sizeof(*st)), *proc = kzalloc(sizeof(*proc));
	struct core_prpsinfo *ps = kzalloc(sizeof(*ps));
	u64 auxv[PROC_AUXV_WORDS];
	size_t auxv_len = 0, off = 0;
	char *files = NULL;
	long files_len;
	int err = -ENOMEM;

	if (!st || !ps || !proc)
		goto out;
	files_len = nt_file_build(cs, &files);
	if (files_len < 0) {
		err = (int)files_len;
		goto out;
	}
	/* What every thread's NT_PRSTATUS shares: the process's ids and times. */
	spin_lock(&tasklist_lock);
	proc->pr_ppid = p->parent ? p->parent->pid : 0;
	proc->pr_pgrp = p->pgid;
	proc->pr_sid = p->sid;
	proc->pr_cutime = ticks_tv(p->children_ru.utime_ticks);
	proc->pr_cstime = ticks_tv(p->children_ru.stime_ticks);
	spin_unlock(&tasklist_lock);
	spin_lock(&p->lock);
	ps->pr_uid = p->uid;
	ps->pr_gid = p->gid;
	memcpy(auxv, p->saved_auxv, sizeof(auxv));
	spin_unlock(&p->lock);

	ps->pr_state = 0;
	ps->pr_sname = 'R';
	ps->pr_pid = p->pid;
	ps->pr_ppid = proc->pr_ppid;
	ps->pr_pgrp = proc->pr_pgrp;
	ps->pr_sid = proc->pr_sid;
	memcpy(ps->pr_fname, t->comm, sizeof(ps->pr_fname));
	ps->pr_fname[sizeof(ps->pr_fname) - 1] = '\0';
	psargs_fill(ps->pr_psargs, sizeof(ps->pr_psargs));

	/* The auxv up to and including AT_NULL. */
	while (auxv_len + 2 <= PROC_AUXV_WORDS) {
		auxv_len += 2;
		if (auxv[auxv_len - 2] == AT_NULL)
			break;
	}

	/* Linux's order: the dumping thread's notes with the process's, then
	 * one NT_PRSTATUS per other thread. */
	for (int pass = 0; pass < 2; pass++) {
		char *buf = pass ? cs->notes : NULL;

		off = 0;
		prstatus_fill(st, &cs->threads[0], info, proc);
		note_put(buf, &off, NT_PRSTATUS, st, sizeof(*st));
		note_put(buf, &off, NT_PRPSINFO, ps, sizeof(*ps));
		note_put(buf, &off, NT_SIGINFO, info, sizeof(*info));
		note_put(buf, &off, NT_AUXV, auxv, auxv_len * 8);
		note_put(buf, &off, NT_FILE, files, (size_t)files_len);
		note_put(buf, &off, NT_PRFPREG, cs->threads[0].fpregs, ARCH_CORE_FPREGS_SIZE);
		for (int i = 1; i < cs->nthreads; i++) {
			prstatus_fill(st, &cs->threads[i], info, proc);
			note_put(buf, &off, NT_PRSTATUS, st, sizeof(*st));
			note_put(buf, &off, NT_PRFPREG, cs->threads[i].fpregs,
				 ARCH_CORE_FPREGS_SIZE);
		}
		if (!pass) {
			cs->notes = kmalloc(off);
			if (!cs->notes)
				goto out;
		}
	}
	cs->notes_len = off;
	err = 0;
out:
	kfree(files);
	kfree(ps);
	kfree(proc);
	kfree(st);
	return err;
}

/* Write @n bytes at @off unless that passes RLIMIT_CORE. */
static int core_write(struct core_state *cs, u64 off, const void *buf, size_t n)
{
	if (off > cs->limit || n > cs->limit - off)
		return -EFBIG;
	return vfs_core_write(cs->file, off, buf, n);
}

/*
 * One page of a dumped VMA into @page: the page mapped there, else the
 * file's data, else nothing (returns false: a hole of zeros).
 */
static bool core_page(struct mm *mm, const struct core_vma *v, u64 addr, void *page)
{
	bool have = false;

	mutex_lock(&mm->lock);
	pte_t *pte = arch_pt_walk(mm->pt_root, addr, false);

	if (pte && pte_present(*pte)) {
		memcpy(page, phys_to_virt(pte_phys(*pte)), PAGE_SIZE);
		have = true;
	}
	mutex_unlock(&mm->lock);
	if (have || !v->file || addr >= v->file_vend)
		return have;
	/* Not touched yet: the file's bytes up to file_vend (a virtual
	 * address), zeros past it. */
	size_t n = MIN(PAGE_SIZE, v->file_vend - addr);

	memset(page, 0, PAGE_SIZE);
	return inode_read(v->file, v->file_off + (addr - v->start), page, n) > 0;
}

/* Headers, notes and memory into cs->file. Returns the file size or -errno. */
static long core_write_all(struct core_state *cs, struct mm *mm)
{
	size_t phnum = 1 + (size_t)cs->nvma;
	size_t head_len = sizeof(Elf64_Ehdr) + phnum * sizeof(Elf64_Phdr);
	char *head = kzalloc(head_len);
	void *page = kmalloc(PAGE_SIZE);
	u64 data = ALIGN_UP(head_len + cs->notes_len, PAGE_SIZE), end = data;
	long err = -ENOMEM;

	if (!head || !page || phnum > 0xffff)
		goto out;
	Elf64_Ehdr *eh = (Elf64_Ehdr *)head;
	Elf64_Phdr *ph = (Elf64_Phdr *)(head + sizeof(*eh));

	memcpy(eh->e_ident, "\177ELF", 4);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_CORE;
	eh->e_machine = ARCH_ELF_MACHINE;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = (u16)phnum;
	ph[0].p_type = PT_NOTE;
	ph[0].p_offset = head_len;
	ph[0].p_filesz = cs->notes_len;
	ph[0].p_align = 4;
	for (int i = 0; i < cs->nvma; i++) {
		const struct core_vma *v = &cs->vmas[i];
		Elf64_Phdr *q = &ph[1 + i];

		q->p_type = PT_LOAD;
		q->p_flags = ((v->prot & MMU_READ) ? PF_R : 0) | ((v->prot & MMU_WRITE) ? PF_W : 0) |
			     ((v->prot & MMU_EXEC) ? PF_X : 0);
		q->p_offset = end;
		q->p_vaddr = v->start;
		q->p_memsz = v->end - v->start;
		q->p_filesz = v->dump ? q->p_memsz : 0;
		q->p_align = PAGE_SIZE;
		end += q->p_filesz;
	}
	if ((err = core_write(cs, 0, head, head_len)) ||
	    (err = core_write(cs, head_len, cs->notes, cs->notes_len)))
		goto out;
	for (int i = 0; i < cs->nvma; i++) {
		const struct core_vma *v = &cs->vmas[i];
		u64 off = ph[1 + i].p_offset;

		if (!v->dump)
			continue;
		for (u64 a = v->start; a < v->end; a += PAGE_SIZE, off += PAGE_SIZE) {
			if (off + PAGE_SIZE > cs->limit) {
				err = -EFBIG;
				goto out;
			}
			if (core_page(mm, v, a, page) && (err = core_write(cs, off, page, PAGE_SIZE)))
				goto out;
		}
	}
	if (end > cs->limit) {
		err = -EFBIG;
		goto out;
	}
	err = vfs_core_set_size(cs->file, end);
	if (!err)
		err = (long)end;
out:
	kfree(page);
	kfree(head);
	return err;
}

/*
 * Claim the dump for this thread and start the group's exit: false when
 * the process is already ending or exec'ing, or its ids differ (a
 * set-user-ID exec: suid_dumpable 0). The other threads are woken so that
 * they stop in coredump_park().
 */
static bool core_claim(struct process *p, int sig)
{
	struct task *t = current, *o;
	bool ok;

	spin_lock(&p->lock);
	ok = !p->group_exiting && !p->core_dumping && !p->exec_task && p->uid == p->euid &&
	     p->gid == p->egid && p->euid == p->suid && p->egid == p->sgid;
	if (ok) {
		p->core_dumping = true;
		p->core_dumper = t;
		p->group_exiting = true;
		p->exit_code = wait_status_signaled(sig, false);
		list_for_each_entry(o, &p->threads, thread_link)
			if (o != t)
				sched_wake_task(o);
	}
	spin_unlock(&p->lock);
	return ok;
}

/* The dump is over (@dumped: completely): the status gets its core flag,
 * the parked threads go on exiting. */
static void core_finish(struct process *p, int sig, bool dumped)
{
	spin_lock(&p->lock);
	p->exit_code = wait_status_signaled(sig, dumped);
	p->core_done = true;
	spin_unlock(&p->lock);
	wake_up(&p->thread_exit);
}

/* coredump - see include/coredump.h. */
bool coredump(const struct linux_siginfo *info, struct trapframe *tf)
{
	struct task *t = current;
	struct process *p = t->proc;
	struct mm *mm = t->mm;
	struct core_state cs = { .limit = rlimit_cur(RLIMIT_CORE) };
	char *name = NULL;
	long r = -ENOMEM;

	if (!mm || !t->fs || cs.limit < PAGE_SIZE || !core_claim(p, info->si_signo))
		return false;
	core_wait_threads(p);
	name = kmalloc(PATH_MAX);
	if (!name)
		goto out;
	if ((r = core_name(name, PATH_MAX, info->si_signo)) ||
	    (r = core_collect_threads(&cs, tf)) ||
	    (r = core_collect_vmas(mm, &cs)) ||
	    (r = core_build_notes(&cs, info)) ||
	    (r = vfs_core_open(name, &cs.file)))
		goto out;
	r = core_write_all(&cs, mm);
	file_put(cs.file);
out:
	core_finish(p, info->si_signo, r >= 0);
	for (int i = 0; i < cs.nvma; i++)
		if (cs.vmas[i].file)
			inode_put(cs.vmas[i].file);
	kfree(cs.vmas);
	kfree(cs.threads);
	kfree(cs.notes);
	kfree(name);
	return r >= 0;
}
