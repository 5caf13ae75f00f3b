/*
 * What the files of /proc say, in Linux's formats (proc(5)): a snapshot of a
 * process is taken under tasklist_lock and process->lock (with references on
 * its mm, files and fs context), then formatted with no spinlock held.
 * Also the targets of /proc's symlinks and the pid/tid/fd iterators.
 */
#include "internal.h"
#include "net.h"
#include "procfs.h"
#include "arch.h"
#include "cpu.h"
#include "kmalloc.h"
#include "mm.h"
#include "page.h"
#include "swap.h"
#include "task.h"
#include "uapi/resource.h"
#include "uapi/sprout.h"
#include "blkdev.h"
#include "netdev.h"

#define RENDER_MAX	(64 * 1024)	/* bytes: the largest file we render */
#define TICK_NS		(1000000000ULL / HZ)	/* USER_HZ = HZ = 100 */

/* A process (or one of its threads) at one moment. */
struct snap {
	pid_t pid, tid, ppid, pgid, sid;
	char state;
	char comm[TASK_COMM_LEN];
	u64 utime, stime, cutime, cstime;	/* ticks */
	u64 minflt, cminflt, majflt, cmajflt;
	u64 start_ticks;
	int nthreads;
	int processor;
	int nice, policy, rt_priority;	/* of the thread shown */
	int exit_signal;
	u64 nvcsw, nivcsw;		/* the thread's context switches */
	u64 cpus_allowed;		/* the thread's affinity mask */
	u64 sigq, sigq_max;		/* signals queued for the real user / RLIMIT_SIGPENDING */
	u64 rsslim;			/* RLIMIT_RSS, bytes */
	uid_t uid, euid, suid;
	gid_t gid, egid, sgid;
	sigset_t pending, shpending, blocked, ignored, caught;
	int exit_code;
	pid_t tracer_pid;	/* ptrace(2) tracer of the thread, 0 = none */
	bool kthread;
	char exe[256];
	struct mm *mm;			/* counted or NULL */
	struct files *files;		/* counted or NULL */
	struct fs_context *fs;		/* counted or NULL */
};

static char task_state_letter(struct process *p, struct task *t)
{
	if (p->state != PROC_ALIVE)
		return 'Z';
	if (t && t->ptrace_stopped)
		return 't';	/* tracing stop (ptrace(2)) */
	if (p->stopped)
		return 'T';
	if (!t)
		return 'Z';
	if (t->state == TASK_UNINTERRUPTIBLE)
		return 'D';
	return t->state == TASK_RUNNING ? 'R' : 'S';
}

/* A thread of @p (@tid, or the first one when 0), with p->lock held. */
static struct task *find_thread(struct process *p, pid_t tid)
{
	struct task *t;

	list_for_each_entry(t, &p->threads, thread_link)
		if (!tid || t->tid == tid)
			return t;
	return NULL;
}

static void snap_signals(struct snap *s, struct process *p, struct task *t)
{
	if (t) {
		s->pending = t->pending;
		s->blocked = t->blocked;
	}
	s->shpending = p->shared_pending;
	if (!p->sighand)
		return;
	/* sighand->lock is a leaf; reading the handlers racily would also do. */
	spin_lock(&p->sighand->lock);
	for (int sig = 1; sig <= NSIG; sig++) {
		u64 h = p->sighand->action[sig - 1].handler;

		if (h == 1)
			s->ignored |= 1ULL << (sig - 1);
		else if (h > 1)
			s->caught |= 1ULL << (sig - 1);
	}
	spin_unlock(&p->sighand->lock);
}

/* Take a snapshot of process @pid (thread @tid, 0 = the main one). */
static int snap_get(pid_t pid, pid_t tid, struct snap *s)
{
	struct process *p;
	struct task *t;

	memset(s, 0, sizeof(*s));
	spin_lock(&tasklist_lock);
	p = process_find(pid);
	if (!p || p->state == PROC_DEAD) {
		spin_unlock(&tasklist_lock);
		return -ESRCH;
	}
	s->pid = p->pid;
	s->ppid = p->parent ? p->parent->pid : 0;
	s->pgid = p->pgid;
	s->sid = p->sid;
	s->exit_code = p->state == PROC_ALIVE ? 0 : p->exit_code;
	s->cutime = p->children_ru.utime_ticks;
	s->cstime = p->children_ru.stime_ticks;
	s->cminflt = p->children_ru.minflt;
	s->cmajflt = p->children_ru.majflt;
	spin_lock(&p->lock);
	t = find_thread(p, tid);
	if (tid && !t && !(tid == pid && list_empty(&p->threads))) {
		spin_unlock(&p->lock);
		spin_unlock(&tasklist_lock);
		return -ESRCH;
	}
	s->tid = t ? t->tid : pid;
	s->state = task_state_letter(p, t);
	s->tracer_pid = t && t->ptracer ? t->ptracer->pid : 0;	/* [T], held */
	memcpy(s->comm, t ? t->comm : p->comm, TASK_COMM_LEN);
	s->comm[TASK_COMM_LEN - 1] = '\0';
	s->utime = p->self.utime_ticks;
	s->stime = p->self.stime_ticks;
	s->minflt = p->self.minflt;
	s->majflt = p->self.majflt;
	/* A zombie still counts its leader until it is reaped, as Linux's nr_threads. */
	s->nthreads = p->nr_threads || p->state != PROC_ZOMBIE ? p->nr_threads : 1;
	s->uid = p->uid;
	s->euid = p->euid;
	s->suid = p->suid;
	s->gid = p->gid;
	s->egid = p->egid;
	s->sgid = p->sgid;
	s->start_ticks = p->start_ns / TICK_NS;
	s->exit_signal = p->exit_signal;
	s->sigq = sigpending_count(p->uid);
	s->sigq_max = p->rlim[RLIMIT_SIGPENDING].cur;
	s->rsslim = p->rlim[RLIMIT_RSS].cur;
	memcpy(s->exe, p->exe_path, sizeof(s->exe));
	s->exe[sizeof(s->exe) - 1] = '\0';
	snap_signals(s, p, t);
	{
		struct task *u;

		list_for_each_entry(u, &p->threads, thread_link) {
			if (tid && u != t)
				continue;
			s->utime += u->utime_ticks;
			s->stime += u->stime_ticks;
		}
	}
	if (t) {
		s->processor = t->on_cpu;
		s->nice = t->nice;
		s->policy = t->policy;
		s->rt_priority = t->rt_priority;
		s->nvcsw = __atomic_load_n(&t->nvcsw, __ATOMIC_RELAXED);
		s->nivcsw = __atomic_load_n(&t->nivcsw, __ATOMIC_RELAXED);
		s->cpus_allowed = __atomic_load_n(&t->cpus_allowed, __ATOMIC_RELAXED);
		s->kthread = !t->mm;
		if (t->mm) {
			mm_get(t->mm);
			s->mm = t->mm;
			/* Faults are counted per address space (mm/fault.c) and
			 * added to the process when its last thread exits. */
			s->minflt += __atomic_load_n(&t->mm->minflt, __ATOMIC_RELAXED);
		}
		if (t->files) {
			files_get(t->files);
			s->files = t->files;
		}
		if (t->fs) {
			fs_context_get(t->fs);
			s->fs = t->fs;
		}
	}
	spin_unlock(&p->lock);
	spin_unlock(&tasklist_lock);
	return 0;
}

static void snap_put(struct snap *s)
{
	if (s->mm)
		mm_put(s->mm);
	if (s->files)
		files_put(s->files);
	if (s->fs)
		fs_context_put(s->fs);
}

/* The cwd (@kind PN_CWD) or root directory of task @tid of process @pid, referenced, in
 * *@out: 0, -ENOENT (none: a task without a filesystem context) or snap_get()'s error. */
static int fs_dir_of(pid_t pid, pid_t tid, int kind, struct inode **out)
{
	struct inode *ino = NULL;
	struct snap s;
	int err = snap_get(pid, tid, &s);

	if (err)
		return err;
	if (s.fs) {
		spin_lock(&s.fs->lock);
		ino = kind == PN_CWD ? s.fs->cwd : s.fs->root;
		inode_get(ino);
		spin_unlock(&s.fs->lock);
	}
	snap_put(&s);
	if (!ino)
		return -ENOENT;
	*out = ino;
	return 0;
}

int procfs_owner(pid_t pid, struct proc_owner *own)
{
	struct process *p;
	int err = -ESRCH;

	spin_lock(&tasklist_lock);
	p = process_find(pid);
	if (p && p->state != PROC_DEAD) {
		spin_lock(&p->lock);
		/* Linux's task_dump_owner: a non-dumpable process's files are root's. */
		own->uid = p->dumpable ? p->euid : 0;
		own->gid = p->dumpable ? p->egid : 0;
		spin_unlock(&p->lock);
		err = 0;
	}
	spin_unlock(&tasklist_lock);
	return err;
}

int procfs_may_inspect(pid_t pid)
{
	struct process *p;
	int err = -ESRCH;

	spin_lock(&tasklist_lock);
	p = process_find(pid);
	if (p && p->state != PROC_DEAD)
		err = cred_may_inspect(p) ? 0 : -EACCES;
	spin_unlock(&tasklist_lock);
	return err;
}

bool procfs_task_exists(pid_t pid, pid_t tid)
{
	struct process *p;
	bool found = false;

	spin_lock(&tasklist_lock);
	p = process_find(pid);
	if (p && p->state != PROC_DEAD) {
		spin_lock(&p->lock);
		found = !tid || find_thread(p, tid) || (tid == pid && list_empty(&p->threads));
		spin_unlock(&p->lock);
	}
	spin_unlock(&tasklist_lock);
	return found;
}

pid_t procfs_next_pid(pid_t from)
{
	struct process *p;
	pid_t pid, found = 0;

	/* The pid map also holds threads' tids: skip those that name no process. */
	spin_lock(&tasklist_lock);
	for (pid = pid_next_in_use(MAX(from, 1)); pid > 0; pid = pid_next_in_use(pid + 1)) {
		p = process_find(pid);
		if (p && p->state != PROC_DEAD) {
			found = pid;
			break;
		}
	}
	spin_unlock(&tasklist_lock);
	return found;
}

pid_t procfs_next_tid(pid_t pid, pid_t from)
{
	struct process *p;
	struct task *t;
	pid_t best = 0;

	spin_lock(&tasklist_lock);
	p = process_find(pid);
	if (p && p->state != PROC_DEAD) {
		spin_lock(&p->lock);
		list_for_each_entry(t, &p->threads, thread_link)
			if (t->tid >= from && (!best || t->tid < best))
				best = t->tid;
		if (list_empty(&p->threads) && pid >= from)
			best = pid;	/* a zombie keeps its main thread's directory */
		spin_unlock(&p->lock);
	}
	spin_unlock(&tasklist_lock);
	return best;
}

/* The descriptor table of @pid, counted, or NULL. */
static struct files *files_of(pid_t pid)
{
	struct process *p;
	struct task *t;
	struct files *f = NULL;

	spin_lock(&tasklist_lock);
	p = process_find(pid);
	if (p && p->state == PROC_ALIVE) {
		spin_lock(&p->lock);
		t = find_thread(p, 0);
		if (t && t->files) {
			f = t->files;
			files_get(f);
		}
		spin_unlock(&p->lock);
	}
	spin_unlock(&tasklist_lock);
	return f;
}

/* The file at @fd of @pid, counted, or NULL. */
static struct file *file_of(pid_t pid, int fd)
{
	struct files *t = files_of(pid);
	struct file *f = NULL;

	if (!t)
		return NULL;
	f = files_lookup(t, fd);
	files_put(t);
	return f;
}

int procfs_next_fd(pid_t pid, int from)
{
	struct files *t = files_of(pid);
	int found;

	if (!t)
		return -1;
	found = files_next_fd(t, from);
	files_put(t);
	return found;
}

bool procfs_fd_exists(pid_t pid, int fd)
{
	struct file *f = file_of(pid, fd);

	if (f)
		file_put(f);
	return f != NULL;
}

/* The path of @ino seen from the caller's root, or "anon_inode" style names. */
static int path_of(struct inode *ino, char *buf, size_t size)
{
	struct inode *root, *cwd;
	int n;

	fs_current_root_cwd(&root, &cwd);
	n = vfs_inode_path(root, ino, buf, size);
	inode_put(cwd);
	inode_put(root);
	if (n == -ENOENT) {
		/* Unlinked but open: Linux appends " (deleted)" to the last known name. */
		n = snprintf(buf, size, "/ (deleted)");
	}
	return n;
}

struct inode *procfs_fd_inode(pid_t pid, int fd)
{
	struct file *f = file_of(pid, fd);
	struct inode *ino = NULL;

	if (!f)
		return NULL;
	ino = f->inode;
	if (ino)
		inode_get(ino);
	file_put(f);
	return ino;
}

pid_t procfs_tgid_dir(struct inode *ino)
{
	if (!ino || !ino->iops || !inode_is_dir(ino) || PN_KIND(ino->priv) != PN_PID_DIR)
		return 0;
	return PN_PID(ino->priv);
}

int procfs_magic_link(struct inode *link, struct inode **out)
{
	u8 kind = PN_KIND(link->priv);
	pid_t pid = PN_PID(link->priv);
	u32 sub = PN_SUB(link->priv);
	struct inode *ino = NULL;
	struct file *f;
	int err;

	if (!link->iops || !inode_is_lnk(link))
		return 1;
	switch (kind) {
	case PN_FD_LINK:
		f = file_of(pid, (int)sub);
		if (!f)
			return -ENOENT;
		ino = f->inode;
		if (ino)
			inode_get(ino);
		file_put(f);
		if (!ino)
			return 1;	/* an anonymous object: "anon_inode:[...]" */
		*out = ino;
		return 0;
	case PN_CWD:
	case PN_ROOT_LINK:
		err = fs_dir_of(pid, sub, kind, &ino);
		if (err)
			return -ENOENT;
		*out = ino;
		return 0;
	default:
		return 1;
	}
}

int procfs_link_target(u8 kind, pid_t pid, u32 sub, char *buf, size_t size)
{
	struct inode *ino = NULL;
	struct snap s;
	struct file *f;
	int n, err;

	switch (kind) {
	case PN_SELF:
		return snprintf(buf, size, "%d", current->proc->pid);
	case PN_THREAD_SELF:
		return snprintf(buf, size, "%d/task/%d", current->proc->pid, current->tid);
	case PN_EXE:
		err = snap_get(pid, 0, &s);
		if (err)
			return err;
		n = s.exe[0] && s.mm ? (int)strlcpy(buf, s.exe, size) : -ENOENT;
		snap_put(&s);
		return n;
	case PN_FD_LINK:
		f = file_of(pid, (int)sub);
		if (!f)
			return -ENOENT;
		if (f->inode && S_ISSOCK(f->inode->mode) && !f->inode->parent)
			n = snprintf(buf, size, "socket:[%llu]", (unsigned long long)f->inode->ino);
		else if (f->inode && S_ISFIFO(f->inode->mode) && !f->inode->parent)
			n = snprintf(buf, size, "pipe:[%llu]", (unsigned long long)f->inode->ino);
		else if (f->inode)
			n = path_of(f->inode, buf, size);
		else if (f->ops && f->ops->anon_name)
			n = snprintf(buf, size, "anon_inode:%s", f->ops->anon_name);
		else
			n = snprintf(buf, size, "anon_inode:[%s]", "file");
		file_put(f);
		return n;
	case PN_CWD:
	case PN_ROOT_LINK:
		err = fs_dir_of(pid, sub, kind, &ino);
		if (err)
			return err;
		n = path_of(ino, buf, size);
		inode_put(ino);
		return n;
	default:
		return -ENOENT;
	}
}

/* ---- Text output ---- */

struct out {
	char *buf;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len = MIN(o->len + (size_t)n, o->cap - 1);
}

/* Copy @len bytes at user address @addr of @mm into @dst; bytes copied. */
static size_t mm_read(struct mm *mm, u64 addr, char *dst, size_t len)
{
	size_t done = 0;

	mutex_lock(&mm->lock);
	while (done < len) {
		u64 va = addr + done;
		size_t chunk = MIN(len - done, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		pte_t *pte = arch_pt_walk(mm->pt_root, va, false);

		/* The argument area is written at exec, so its pages are present
		 * unless swapped out since: then they come back, as Linux's
		 * access_remote_vm() brings them. */
		if (pte && pte_is_swap(*pte) && !mm_fault_locked(mm, va, 0))
			pte = arch_pt_walk(mm->pt_root, va, false);
		if (!pte || !pte_present(*pte))
			break;
		memcpy(dst + done, (char *)phys_to_virt(pte_phys(*pte)) + (va & (PAGE_SIZE - 1)),
		       chunk);
		done += chunk;
	}
	mutex_unlock(&mm->lock);
	return done;
}

static void show_args(struct out *o, struct snap *s, bool env)
{
	u64 start, end;

	if (!s->mm)
		return;	/* zombies and kernel threads: empty */
	mutex_lock(&s->mm->lock);
	start = env ? s->mm->env_start : s->mm->arg_start;
	end = env ? s->mm->env_end : s->mm->arg_end;
	mutex_unlock(&s->mm->lock);
	if (end <= start)
		return;
	o->len = mm_read(s->mm, start, o->buf, MIN(end - start, o->cap));
}

static const char *state_name(char c)
{
	switch (c) {
	case 'R': return "R (running)";
	case 'S': return "S (sleeping)";
	case 'D': return "D (disk sleep)";
	case 'T': return "T (stopped)";
	case 't': return "t (tracing stop)";
	case 'Z': return "Z (zombie)";
	default: return "I (idle)";
	}
}

struct mm_sizes {
	u64 vm, rss, hwm, data, stk, exe, lck;	/* pages */
	u64 lib;		/* pages: executable mappings of files other than the program */
	u64 pte_bytes;		/* page tables (VmPTE) */
	u64 start_code, end_code;	/* the program's executable mapping (stat fields 26-27) */
	u64 start_data, end_data;	/* its writable file mapping (stat fields 45-46) */
	u64 anon, file, shmem, swap;	/* pages: RssAnon, RssFile, RssShmem, VmSwap */
};

static void mm_sizes(struct mm *mm, struct mm_sizes *z)
{
	struct vma *v;

	memset(z, 0, sizeof(*z));
	if (!mm)
		return;
	mutex_lock(&mm->lock);
	list_for_each_entry(v, &mm->vmas, link) {
		u64 pages = (v->end - v->start) / PAGE_SIZE;

		z->vm += pages;
		if (v->flags & VMA_STACK)
			z->stk += pages;
		else if (v->file && (v->prot & MMU_EXEC) && mm->exe_inode &&
			 v->file != mm->exe_inode)
			z->lib += pages;
		else if (v->file && (v->prot & MMU_EXEC))
			z->exe += pages;
		else if ((v->prot & MMU_WRITE) && !(v->flags & VMA_SHARED))
			z->data += pages;
	}
	z->rss = mm->rss_pages;
	z->hwm = MAX(mm->hiwater_rss, mm->rss_pages);
	z->lck = mm->locked_vm;
	z->pte_bytes = mm_pgtable_bytes(mm);
	/* The program's own segments: text is its executable mapping, data
	 * its writable one (Linux's start_code .. end_data set by exec). */
	list_for_each_entry(v, &mm->vmas, link) {
		if (!v->file || v->file != mm->exe_inode)
			continue;
		if ((v->prot & MMU_EXEC) && !z->start_code) {
			z->start_code = v->start;
			z->end_code = v->end;
		} else if ((v->prot & MMU_WRITE) && !z->start_data) {
			z->start_data = v->start;
			z->end_data = v->end;
		}
	}
	z->anon = mm->rss_anon;
	z->shmem = mm->rss_shmem;
	z->file = z->rss >= z->anon + z->shmem ? z->rss - z->anon - z->shmem : 0;
	z->swap = mm->swap_ents;
	mutex_unlock(&mm->lock);
}

static void show_stat(struct out *o, struct snap *s)
{
	struct mm_sizes z;
	pid_t tpgid = -1;
	u32 tty = tty_session_nr(s->sid, &tpgid);
	u64 astart = 0, aend = 0, estart = 0, eend = 0, brk0 = 0;
	bool inspect = s->mm && procfs_may_inspect(s->pid) == 0;
	/* proc(5) field 18: the kernel's prio - 100: 20 + nice, or -1 - the
	 * real-time priority for SCHED_FIFO/RR. */
	int prio = s->rt_priority ? -1 - s->rt_priority : 20 + s->nice;

	mm_sizes(s->mm, &z);
	/* The address-space layout only for those who may look inside (Linux). */
	if (inspect) {
		mutex_lock(&s->mm->lock);
		astart = s->mm->arg_start;
		aend = s->mm->arg_end;
		estart = s->mm->env_start;
		eend = s->mm->env_end;
		brk0 = s->mm->brk_start;
		mutex_unlock(&s->mm->lock);
	}
	/* proc(5) fields 1-52, in order. */
	put(o, "%d (%s) %c %d %d %d %u %d %u %lu %lu %lu %lu %lu %lu %lu %lu %d %d %d %d %lu ",
	    s->tid, s->comm, s->state, s->ppid, s->pgid, s->sid, tty, tpgid,
	    s->kthread ? 0x00208040u : 0x00400100u, (unsigned long)s->minflt,
	    (unsigned long)s->cminflt, (unsigned long)s->majflt, (unsigned long)s->cmajflt,
	    (unsigned long)s->utime,
	    (unsigned long)s->stime, (unsigned long)s->cutime, (unsigned long)s->cstime,
	    prio, s->nice, s->nthreads, 0, (unsigned long)s->start_ticks);
	/* 23 vsize .. 37 cnswap */
	put(o, "%lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu ",
	    (unsigned long)(z.vm * PAGE_SIZE), (unsigned long)z.rss, (unsigned long)s->rsslim,
	    inspect ? (unsigned long)z.start_code : (s->mm ? 1UL : 0UL),
	    inspect ? (unsigned long)z.end_code : (s->mm ? 1UL : 0UL),
	    inspect ? (unsigned long)astart : 0UL, 0UL, 0UL,
	    (unsigned long)(s->pending | s->shpending), (unsigned long)s->blocked,
	    (unsigned long)s->ignored, (unsigned long)s->caught, 0UL, 0UL, 0UL);
	/* 38 exit_signal .. 52 exit_code */
	put(o, "%d %d %u %u %lu %lu %ld %lu %lu %lu %lu %lu %lu %lu %d\n", s->exit_signal,
	    s->processor, (unsigned)s->rt_priority, (unsigned)s->policy,
	    0UL, 0UL, 0L, (unsigned long)z.start_data, (unsigned long)z.end_data,
	    (unsigned long)brk0, (unsigned long)astart,
	    (unsigned long)aend, (unsigned long)estart, (unsigned long)eend, s->exit_code);
}

/* @mask as Linux's list format ("0-1,3") in @buf; returns @buf. */
static const char *cpu_list(u64 mask, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int c = 0; c < 64 && len < size; c++) {
		int e = c;

		if (!((mask >> c) & 1))
			continue;
		while (e + 1 < 64 && ((mask >> (e + 1)) & 1))
			e++;
		len += snprintf(buf + len, size - len, e > c ? "%s%d-%d" : "%s%d", len ? "," : "",
				c, e);
		c = e;
	}
	return buf;
}

static void show_status(struct out *o, struct snap *s)
{
	struct mm_sizes z;
	mode_t umask = 022;
	char list[64];
	u64 online = ncpus >= 64 ? ~0ULL : (1ULL << ncpus) - 1;
	u64 mask = s->kthread || !s->cpus_allowed ? online : s->cpus_allowed & online;

	if (s->fs) {
		spin_lock(&s->fs->lock);
		umask = s->fs->umask;
		spin_unlock(&s->fs->lock);
	}
	put(o, "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
	    "TracerPid:\t%d\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t\n"
	    "NSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
	    s->comm, umask, state_name(s->state), s->pid, s->tid, s->ppid, s->tracer_pid,
	    s->uid, s->euid, s->suid, s->euid, s->gid, s->egid, s->sgid, s->egid,
	    s->files ? (int)files_size(s->files) : 0, s->pid, s->pgid, s->sid);
	if (s->mm) {
		mm_sizes(s->mm, &z);
		put(o, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t%8lu kB\nVmPin:\t%8lu kB\n"
		    "VmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\nRssAnon:\t%8lu kB\nRssFile:\t%8lu kB\n"
		    "RssShmem:\t%8lu kB\nVmData:\t%8lu kB\nVmStk:\t%8lu kB\nVmExe:\t%8lu kB\n"
		    "VmLib:\t%8lu kB\nVmPTE:\t%8lu kB\nVmSwap:\t%8lu kB\n",
		    (unsigned long)z.vm * 4, (unsigned long)z.vm * 4, (unsigned long)z.lck * 4, 0UL,
		    (unsigned long)z.hwm * 4, (unsigned long)z.rss * 4, (unsigned long)z.anon * 4,
		    (unsigned long)z.file * 4, (unsigned long)z.shmem * 4,
		    (unsigned long)z.data * 4, (unsigned long)z.stk * 4,
		    (unsigned long)z.exe * 4, (unsigned long)z.lib * 4,
		    (unsigned long)(z.pte_bytes / 1024), (unsigned long)z.swap * 4);
	}
	put(o, "Threads:\t%d\nSigQ:\t%lu/%lu\nSigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\n"
	    "SigIgn:\t%016lx\nSigCgt:\t%016lx\nCapInh:\t0000000000000000\n"
	    "CapPrm:\t%016lx\nCapEff:\t%016lx\nCapBnd:\t000001ffffffffff\n"
	    "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
	    "Cpus_allowed:\t%lx\nCpus_allowed_list:\t%s\n"
	    "voluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n",
	    s->nthreads, (unsigned long)s->sigq, (unsigned long)s->sigq_max,
	    (unsigned long)s->pending, (unsigned long)s->shpending,
	    (unsigned long)s->blocked, (unsigned long)s->ignored, (unsigned long)s->caught,
	    s->euid == 0 ? 0x1ffffffffffUL : 0UL, s->euid == 0 ? 0x1ffffffffffUL : 0UL,
	    (unsigned long)mask, cpu_list(mask, list, sizeof(list)),
	    (unsigned long)s->nvcsw, (unsigned long)s->nivcsw);
}

static void show_statm(struct out *o, struct snap *s)
{
	struct mm_sizes z;

	mm_sizes(s->mm, &z);
	/* shared: the resident pages backed by a file or shared memory (Linux's RssFile +
	 * RssShmem), which other processes may map too. */
	put(o, "%lu %lu %lu %lu 0 %lu 0\n", (unsigned long)z.vm, (unsigned long)z.rss,
	    (unsigned long)(z.file + z.shmem), (unsigned long)z.exe,
	    (unsigned long)(z.data + z.stk));
}

static void show_maps(struct out *o, struct snap *s)
{
	char *path = kmalloc(PATH_MAX);
	struct vma *v;

	if (!s->mm || !path) {
		kfree(path);
		return;
	}
	/* Lock order mm->lock -> inode locks allows naming files under it. */
	mutex_lock(&s->mm->lock);
	list_for_each_entry(v, &s->mm->vmas, link) {
		size_t before = o->len;
		const char *name = "";

		put(o, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ", (unsigned long)v->start,
		    (unsigned long)v->end, (v->prot & MMU_READ) ? 'r' : '-',
		    (v->prot & MMU_WRITE) ? 'w' : '-', (v->prot & MMU_EXEC) ? 'x' : '-',
		    (v->flags & VMA_SHARED) ? 's' : 'p', (unsigned long)v->file_off,
		    v->file ? TMPFS_DEV_MAJOR : 0, v->file ? v->file->dev_minor : 0,
		    v->file ? (unsigned long)v->file->ino : 0UL);
		if (v->file && path_of(v->file, path, PATH_MAX) > 0)
			name = path;
		else if (v->flags & VMA_HEAP)
			name = "[heap]";
		else if (v->flags & VMA_STACK)
			name = "[stack]";
		if (*name)
			put(o, "%*s%s", (int)MAX(0, 73 - (long)(o->len - before)), "", name);
		put(o, "\n");
	}
	mutex_unlock(&s->mm->lock);
	kfree(path);
}

static long render_pid(u8 kind, pid_t pid, u32 sub, struct out *o)
{
	struct snap s;
	int err = snap_get(pid, (pid_t)sub, &s);

	if (err)
		return err;
	switch (kind) {
	case PN_PID_STAT: show_stat(o, &s); break;
	case PN_STATUS: show_status(o, &s); break;
	case PN_STATM: show_statm(o, &s); break;
	case PN_MAPS: show_maps(o, &s); break;
	case PN_CMDLINE: show_args(o, &s, false); break;
	case PN_ENVIRON: show_args(o, &s, true); break;
	case PN_COMM: put(o, "%s\n", s.comm); break;
	case PN_PID_MOUNTS: o->len = fs_mounts_show(o->buf, o->cap); break;
	case PN_OOM_SCORE: {
		unsigned long score = 0;

		oom_score_of(pid, &score);	/* a zombie's is 0 */
		put(o, "%lu\n", score);
		break;
	}
	case PN_OOM_SCORE_ADJ: {
		int adj = 0;

		oom_score_adj_get(pid, &adj);
		put(o, "%d\n", adj);
		break;
	}
	}
	snap_put(&s);
	return 0;
}

static void show_meminfo(struct out *o)
{
	unsigned long total = page_total_count() * (PAGE_SIZE / 1024);
	unsigned long freek = page_free_count() * (PAGE_SIZE / 1024);
	/* tmpfs (the root, /dev/shm, SysV and POSIX shared memory, memfds):
	 * Linux counts shmem pages both as Shmem and in the page cache. */
	unsigned long shmem = tmpfs_page_count() * (PAGE_SIZE / 1024);
	unsigned long swapcached = swap_cache_pages() * (PAGE_SIZE / 1024);
	/* The kernel heap (mm/kmalloc.c): Linux counts its kmalloc slabs and large
	 * blocks as Slab. Nothing in it can be shrunk on demand (no dentry or inode
	 * cache to drop), so all of it is SUnreclaim. */
	unsigned long slab = kmalloc_page_count() * (PAGE_SIZE / 1024), sreclaimable = 0;

	/* The same figures sysinfo(2) reports (and its sharedram). Pages in the
	 * swap cache are free for the taking when no one maps them, as Linux
	 * counts them into MemAvailable. */
	put(o, "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n"
	    "Buffers:        %8lu kB\nCached:         %8lu kB\nSwapCached:     %8lu kB\n"
	    "SwapTotal:      %8lu kB\nSwapFree:       %8lu kB\nShmem:          %8lu kB\n"
	    "Slab:           %8lu kB\nSReclaimable:   %8lu kB\nSUnreclaim:     %8lu kB\n",
	    total, freek, freek + swapcached, 0UL, shmem, swapcached,
	    (unsigned long)swap_total_pages() * (PAGE_SIZE / 1024),
	    (unsigned long)swap_free_pages() * (PAGE_SIZE / 1024), shmem, slab, sreclaimable,
	    slab - sreclaimable);
	/* The kernel mapped area (mm/vmalloc.c): its size and the frames mapped in it.
	 * VmallocChunk reads 0, as on Linux since 5.3. */
	put(o, "VmallocTotal:   %8lu kB\nVmallocUsed:    %8lu kB\nVmallocChunk:   %8lu kB\n",
	    KMAP_SIZE / 1024, (unsigned long)vmalloc_used_pages() * (PAGE_SIZE / 1024), 0UL);
}

/*
 * /proc/stat: per-CPU time in USER_HZ ticks, counted by each CPU's timer
 * tick as it finds the CPU (idle, a task in user mode, a task in the
 * kernel), so every column only grows. nice is the user time of tasks
 * with a positive nice value (not also in user, as on Linux); iowait, irq,
 * softirq, steal and guest stay 0: Sprout has no iowait accounting, does not
 * time interrupts apart from the task they interrupt, and runs no guests.
 * procs_blocked counts the tasks waiting for disk I/O (TASK_UNINTERRUPTIBLE,
 * Linux's D state). The "cpu" line sums the
 * CPUs.
 */
static void show_stat_global(struct out *o)
{
	u64 user = 0, nice = 0, sys = 0, idle = 0, intr = 0, ctxt = 0;
	int n = __atomic_load_n(&ncpus, __ATOMIC_ACQUIRE);
	u64 cu[MAX_CPUS], cn[MAX_CPUS], cs[MAX_CPUS], ci[MAX_CPUS];

	for (int c = 0; c < n; c++) {
		cu[c] = __atomic_load_n(&cpus[c].user_ticks, __ATOMIC_RELAXED);
		cn[c] = __atomic_load_n(&cpus[c].nice_ticks, __ATOMIC_RELAXED);
		nice += cn[c];
		cs[c] = __atomic_load_n(&cpus[c].system_ticks, __ATOMIC_RELAXED);
		ci[c] = __atomic_load_n(&cpus[c].idle_ticks, __ATOMIC_RELAXED);
		user += cu[c];
		sys += cs[c];
		idle += ci[c];
		intr += __atomic_load_n(&cpus[c].nr_irqs, __ATOMIC_RELAXED);
		ctxt += __atomic_load_n(&cpus[c].nr_switches, __ATOMIC_RELAXED);
	}
	put(o, "cpu  %lu %lu %lu %lu 0 0 0 0 0 0\n", (unsigned long)user, (unsigned long)nice,
	    (unsigned long)sys, (unsigned long)idle);
	for (int c = 0; c < n; c++)
		put(o, "cpu%d %lu %lu %lu %lu 0 0 0 0 0 0\n", c, (unsigned long)cu[c],
		    (unsigned long)cn[c], (unsigned long)cs[c], (unsigned long)ci[c]);
	put(o, "intr %lu\nctxt %lu\nbtime %lu\nprocesses %lu\nprocs_running %u\n"
	    "procs_blocked %u\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
	    (unsigned long)intr, (unsigned long)ctxt,
	    (unsigned long)(arch_rtc_seconds() - arch_clock_ns() / 1000000000ULL),
	    (unsigned long)pid_alloc_count(), sched_nr_running(), sched_nr_uninterruptible());
}

static void show_uptime(struct out *o)
{
	u64 ns = arch_clock_ns(), idle = 0;

	for (int c = 0; c < ncpus; c++)
		idle += __atomic_load_n(&cpus[c].idle_ticks, __ATOMIC_RELAXED);
	put(o, "%lu.%02lu %lu.%02lu\n", (unsigned long)(ns / 1000000000ULL),
	    (unsigned long)(ns / 10000000ULL % 100), (unsigned long)(idle / HZ),
	    (unsigned long)(idle % HZ));
}

static void show_cpuinfo(struct out *o)
{
	for (int c = 0; c < ncpus; c++)
		put(o, "processor\t: %d\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
		    "model name\t: QEMU Virtual CPU\nphysical id\t: 0\nsiblings\t: %d\n"
		    "core id\t\t: %d\ncpu cores\t: %d\napicid\t\t: %d\nfpu\t\t: yes\n"
		    "flags\t\t: fpu pse tsc msr pae cx8 apic sep pge cmov fxsr sse sse2 syscall lm\n"
		    "\n", c, ncpus, c, ncpus, c);
}

long procfs_render(u8 kind, pid_t pid, u32 sub, char **out)
{
	struct out o = { .cap = RENDER_MAX };
	long err = 0;

	if (kind == PN_SMAPS || kind == PN_SMAPS_ROLLUP)
		return procfs_render_smaps(kind, pid, sub, out);
	if (kind == PN_WCHAN || kind == PN_STACK)
		return procfs_render_wchan(kind, pid, sub, out);

	o.buf = kvmalloc(o.cap);
	if (!o.buf)
		return -ENOMEM;
	o.buf[0] = '\0';
	switch (kind) {
	case PN_MEMINFO: show_meminfo(&o); break;
	case PN_STAT: show_stat_global(&o); break;
	case PN_SWAPS: o.len = (size_t)swaps_show(o.buf, o.cap); break;
	case PN_VMSTAT: o.len = (size_t)MAX(0, MIN(vmstat_show(o.buf, o.cap), (int)o.cap - 1));
		break;
	case PN_UPTIME: show_uptime(&o); break;
	case PN_LOADAVG: o.len = (size_t)MAX(0, loadavg_format(o.buf, o.cap)); break;
	case PN_CPUINFO: show_cpuinfo(&o); break;
	case PN_MOUNTS: o.len = fs_mounts_show(o.buf, o.cap); break;
	case PN_NET_UNIX: o.len = unix_proc_show(o.buf, o.cap); break;
	case PN_NET_TCP: o.len = inet_proc_show(o.buf, o.cap, AF_INET, SOCK_STREAM); break;
	case PN_NET_TCP6: o.len = inet_proc_show(o.buf, o.cap, AF_INET6, SOCK_STREAM); break;
	case PN_NET_UDP: o.len = inet_proc_show(o.buf, o.cap, AF_INET, SOCK_DGRAM); break;
	case PN_NET_UDP6: o.len = inet_proc_show(o.buf, o.cap, AF_INET6, SOCK_DGRAM); break;
	case PN_LOCKS: o.len = procfs_locks_show(o.buf, o.cap); break;
	case PN_SLABINFO: o.len = kmalloc_slabinfo(o.buf, o.cap); break;
	case PN_FILESYSTEMS:
		put(&o, "nodev\tproc\nnodev\ttmpfs\nnodev\tdevtmpfs\n");
		break;
	case PN_VERSION:
		put(&o, "%s version 0.1 (x86_64)\n", SPROUT_SYSNAME);
		break;
	case PN_PARTITIONS: o.len = blkdev_partitions_show(o.buf, o.cap); break;
	case PN_DISKSTATS: o.len = blkdev_diskstats_show(o.buf, o.cap); break;
	case PN_NET_DEV: o.len = netdev_proc_show(o.buf, o.cap); break;
	case PN_SYSCTL:
		err = procfs_sys_show(sub, o.buf, o.cap);
		if (err >= 0) {
			o.len = (size_t)err;
			err = 0;
		}
		break;
	default:
		err = render_pid(kind, pid, sub, &o);
		break;
	}
	if (err) {
		kfree(o.buf);
		return err;
	}
	*out = o.buf;
	return (long)o.len;
}
