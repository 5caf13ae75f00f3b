/*
 * execve(2): replace the calling process's program with an ELF image, static
 * or dynamic (PT_INTERP: the interpreter named there, glibc's ld.so, is
 * mapped as well and started with the program described in the aux vector;
 * docs/dynamic-linking.md).
 *
 * Phases. exec_prepare() does every fallible step while the old image is
 * intact: look the file up, check the ELF headers (kernel/elf.c), copy
 * argv/envp into the kernel, build the complete new address space (PT_LOAD
 * VMAs filled lazily from the file, the stack with argc, argv, envp and
 * auxv). Any error there returns to the caller, which keeps running.
 * exec_commit() is the point of no return: it swaps the address space,
 * closes close-on-exec descriptors, resets caught signals and sets the
 * registers. The pid, the parent and the open descriptors stay.
 */
#include "kernel.h"
#include "task.h"
#include "ptrace.h"
#include "futex.h"
#include "uapi/resource.h"
#include "cpu.h"
#include "mm.h"
#include "fs.h"
#include "elf.h"
#include "kmalloc.h"
#include "uaccess.h"
#include "trace.h"
#include "uapi/errno.h"
#include "uapi/stat.h"
#include "uapi/mount.h"
#include "uapi/personality.h"

#define ARG_MAX_BYTES	(2UL << 20)	/* argv + envp strings: 1/4 of the 8 MiB stack */
#define MAX_ARG_STRLEN	(32 * PAGE_SIZE)	/* one string (Linux's limit) */
#define PATH_MAX	4096

/* argv and envp strings packed back to back, each NUL-terminated. */
struct exec_strings {
	char *buf;
	size_t used, cap;
	int argc, envc;
};

static int strings_reserve(struct exec_strings *s, size_t more)
{
	if (s->used + more <= s->cap)
		return 0;
	if (s->used + more > ARG_MAX_BYTES)
		return -E2BIG;

	size_t cap = s->cap ? s->cap : 4096;

	while (cap < s->used + more)
		cap *= 2;
	char *nb = kvmalloc(cap);

	if (!nb)
		return -ENOMEM;
	if (s->buf) {
		memcpy(nb, s->buf, s->used);
		kfree(s->buf);
	}
	s->buf = nb;
	s->cap = cap;
	return 0;
}

/* Copy a NULL-terminated user array of strings; returns the count or -errno. */
static int copy_strings(struct exec_strings *s, const char __user *const __user *uvec)
{
	int n = 0;

	if (!uvec)	/* Linux accepts NULL as an empty vector */
		return 0;
	for (;;) {
		u64 uptr;

		if (get_user_u64(&uptr, &uvec[n]))
			return -EFAULT;
		if (!uptr)
			return n;
		if (n >= 0x7fffffff / 2)
			return -E2BIG;

		int err = strings_reserve(s, MIN(MAX_ARG_STRLEN, ARG_MAX_BYTES - s->used));

		if (err && s->used + 1 > ARG_MAX_BYTES)
			return -E2BIG;
		if (err)
			err = strings_reserve(s, 4096);
		if (err)
			return err;

		size_t room = MIN(s->cap - s->used, MAX_ARG_STRLEN);
		long len = strncpy_from_user(s->buf + s->used, (const char __user *)uptr, room);

		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return (int)len;
		s->used += len + 1;
		n++;
	}
}

struct exec_image {
	struct inode *inode;
	struct elf_info elf;
	struct inode *interp;	/* PT_INTERP's file, referenced, or NULL */
	struct elf_info interp_elf;	/* its image, placed at its base */
	u64 interp_base;	/* AT_BASE: where the interpreter starts, or 0 */
	u64 mmap_base;		/* the new mm's mmap_base: USER_MMAP_TOP lowered at random */
	struct mm *mm;
	u64 sp;			/* initial user stack pointer */
	uid_t euid;		/* credentials after the exec (set-user-ID/-group-ID) */
	gid_t egid;
	bool secure;		/* AT_SECURE */
	bool randomize;		/* place the program and mmap area at random (personality) */
	struct sighand *sighand;	/* private copy when the actions were shared */
	struct files *files;	/* private copy when the table was shared */
	char path[PATH_MAX];	/* absolute path of the executable */
	const char *name;	/* the path as execve(2) got it: comm is its basename */
	const char *execfn;	/* AT_EXECFN: the filename the caller passed (a script's own) */
	u64 auxv[PROC_AUXV_WORDS];	/* the auxv given, zero-padded (for core files) */
};

/*
 * Read the ELF header of @ino into @eh and check it, then its program
 * header table into *@ph (kmalloc'ed; the caller frees it). Returns 0,
 * -ENOEXEC (not a loadable ELF), -ENOMEM or a read error.
 */
static int exec_read_headers(struct inode *ino, Elf64_Ehdr *eh, Elf64_Phdr **ph)
{
	u64 size = inode_size(ino);
	ssize_t n;
	int err;

	*ph = NULL;
	if (size < sizeof(*eh))
		return -ENOEXEC;
	n = inode_read(ino, 0, eh, sizeof(*eh));
	if (n != sizeof(*eh))
		return n < 0 ? (int)n : -ENOEXEC;
	err = elf_check_ehdr(eh, size);
	if (err)
		return err;

	size_t phbytes = (size_t)eh->e_phnum * sizeof(Elf64_Phdr);

	*ph = kvmalloc(phbytes);
	if (!*ph)
		return -ENOMEM;
	n = inode_read(ino, eh->e_phoff, *ph, phbytes);
	if (n != (ssize_t)phbytes) {
		kfree(*ph);
		*ph = NULL;
		return n < 0 ? (int)n : -ENOEXEC;
	}
	return 0;
}

/* A random page-aligned offset below 1 TiB (ELF_RND_PAGES pages); 0 when the
 * caller's personality(2) has ADDR_NO_RANDOMIZE. */
static u64 exec_random_pages(const struct exec_image *img)
{
	if (!img->randomize)
		return 0;
	return (arch_random_u64() % ELF_RND_PAGES) * PAGE_SIZE;
}

/*
 * Read and check the program's headers (@img->inode). An ET_DYN program
 * gets a random base above ELF_ET_DYN_BASE, as Linux randomises its load
 * bias; ET_EXEC stays at its link addresses.
 */
static int exec_read_elf(struct exec_image *img)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	int err = exec_read_headers(img->inode, &eh, &ph);

	if (err)
		return err;
	err = elf_check_phdrs_at(&eh, ph, inode_size(img->inode),
				 ELF_ET_DYN_BASE + exec_random_pages(img), &img->elf);
	kfree(ph);
	return err;
}

/*
 * The program has a PT_INTERP: read the name, open that file and check it
 * as an interpreter, placed right below img->mmap_base (where Linux maps it,
 * at the top of the mmap area), above the program. Returns 0 with img->interp
 * referenced, or: -ENOEXEC (the name has no NUL at its end), -ENOENT,
 * -EACCES, ... (the file cannot be opened for exec), -ELIBBAD (it is not
 * an ELF interpreter we can load: not ELF, not x86-64, not ET_DYN, bad
 * program headers, or itself asking for an interpreter), -ENOMEM.
 * Semantics: Linux load_elf_binary() and load_elf_interp().
 */
static int exec_open_interp(struct exec_image *img)
{
	u64 len = img->elf.interp_len;
	char *name = kmalloc(len + PATH_MAX);
	char *abs = name + len;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph = NULL;
	ssize_t n;
	u64 size, span, base;
	int err;

	if (!name)
		return -ENOMEM;
	n = inode_read(img->inode, img->elf.interp_off, name, len);
	if (n != (ssize_t)len) {
		err = n < 0 ? (int)n : -ENOEXEC;
		goto out;
	}
	err = elf_check_interp_name(name, len);
	if (err)
		goto out;
	err = vfs_open_exec(name, &img->interp, abs, PATH_MAX);
	if (err) {
		img->interp = NULL;
		goto out;
	}
	err = exec_read_headers(img->interp, &eh, &ph);
	if (err == -ENOEXEC || (!err && eh.e_type != ET_DYN))
		err = -ELIBBAD;
	if (err)
		goto out_put;
	size = inode_size(img->interp);
	/* A first pass at the fixed base gives the span; then the real base. */
	err = elf_check_phdrs_at(&eh, ph, size, ELF_ET_DYN_BASE, &img->interp_elf);
	/* Bad program headers, or an interpreter that needs one itself. */
	if (err || img->interp_elf.interp_len) {
		err = -ELIBBAD;
		goto out_put;
	}
	span = img->interp_elf.hi - ELF_ET_DYN_BASE;
	base = elf_random_base(img->mmap_base, span, 0, PAGE_ALIGN_UP(img->elf.hi));
	if (!base) {
		err = -ENOMEM;
		goto out_put;
	}
	err = elf_check_phdrs_at(&eh, ph, size, base, &img->interp_elf);
	if (err) {
		err = -ELIBBAD;
		goto out_put;
	}
	img->interp_base = base;
	goto out;

out_put:
	inode_put(img->interp);
	img->interp = NULL;
out:
	kfree(ph);
	kfree(name);
	return err;
}

/* Map every PT_LOAD segment of @info (the file @ino) into @mm, no page read. */
static int exec_map_segments(struct mm *mm, struct inode *ino, const struct elf_info *info)
{
	u64 prev_end = 0;

	for (int i = 0; i < info->nseg; i++) {
		const struct elf_segment *sg = &info->seg[i];
		u64 start = PAGE_ALIGN_DOWN(sg->vaddr);
		u64 end = PAGE_ALIGN_UP(sg->vaddr + sg->memsz);
		u64 file_off = sg->offset - (sg->vaddr - start);
		int err;

		/* A segment that begins in the page where the previous one ends
		 * shares that page: the previous VMA keeps it and this
		 * segment's bytes in it are copied in below. */
		u64 map_start = MAX(start, prev_end);

		if (map_start < end) {
			err = mm_map_locked(mm, map_start, end - map_start, sg->prot, VMA_MAY_RWX,
					    sg->filesz ? ino : NULL,
					    file_off + (map_start - start), sg->vaddr + sg->filesz);
			if (err)
				return err;
		}
		if (start < prev_end && sg->filesz) {
			u64 shared_end = MIN(prev_end, sg->vaddr + sg->filesz);

			for (u64 va = sg->vaddr; va < shared_end;) {
				char buf[256];
				size_t chunk = MIN((u64)sizeof(buf), shared_end - va);

				if (inode_read(ino, sg->offset + (va - sg->vaddr), buf,
					       chunk) != (ssize_t)chunk)
					return -ENOEXEC;
				err = mm_populate_write(mm, va, buf, chunk);
				if (err)
					return err;
				va += chunk;
			}
		}
		prev_end = MAX(prev_end, end);
	}
	return 0;
}

/* The program, then its interpreter; the heap starts after the program. */
static int exec_map_images(struct exec_image *img)
{
	int err = exec_map_segments(img->mm, img->inode, &img->elf);

	if (!err && img->interp)
		err = exec_map_segments(img->mm, img->interp, &img->interp_elf);
	if (err)
		return err;
	img->mm->brk_start = img->mm->brk = PAGE_ALIGN_UP(img->elf.hi);
	img->mm->mmap_base = img->mmap_base;
	return 0;
}

/* Push @len bytes at the top of the stack being built (grows down). */
static int stack_push(struct exec_image *img, u64 *sp, const void *data, size_t len)
{
	*sp -= len;
	return mm_populate_write(img->mm, *sp, data, len);
}

/*
 * Build the initial stack, System V x86-64 psABI 3.4.1 layout, from the top:
 * strings (execfn, envp, argv), 16 random bytes, padding, then from rsp up:
 * argc, argv[] NULL, envp[] NULL, auxv pairs ending with AT_NULL.
 */
static int exec_build_stack(struct exec_image *img, struct exec_strings *s)
{
	struct mm *mm = img->mm;
	u64 sp = USER_STACK_TOP;
	int err;

	/* RLIMIT_STACK bounds the stack (past it: SIGSEGV); the mmap area
	 * starts below USER_STACK_SIZE, so larger limits get that much. */
	u64 stack = PAGE_ALIGN_UP(MAX(MIN(rlimit_cur(RLIMIT_STACK), USER_STACK_SIZE),
				      64UL << 10));
	/* The mapping starts with room for the strings, the pointer block
	 * (at most one pointer per string byte) and 128 KiB, as Linux's
	 * setup_arg_pages(), and grows down on faults (mm/growsdown.c) up to
	 * RLIMIT_STACK: VmStk and mlockall(MCL_CURRENT) see the stack in use. */
	u64 initial = MIN(stack, PAGE_ALIGN_UP(9 * s->used + (8UL << 10)) + (128UL << 10));

	err = mm_map_locked(mm, USER_STACK_TOP - initial, initial, MMU_READ | MMU_WRITE,
			    VMA_STACK | VMA_GROWSDOWN | VMA_MAY_RWX, NULL, 0, 0);
	if (err)
		return err;

	/* Strings: execfn at the very top, then the argv+envp block. */
	const char *fn = img->execfn ? img->execfn : img->path;
	size_t pathlen = strlen(fn) + 1;

	if ((err = stack_push(img, &sp, fn, pathlen)))
		return err;
	u64 execfn = sp;

	if ((err = stack_push(img, &sp, s->buf, s->used)))
		return err;
	u64 strings = sp;

	mm->arg_start = strings;
	const char *platform = arch_elf_platform();

	if ((err = stack_push(img, &sp, platform, strlen(platform) + 1)))
		return err;
	u64 at_platform = sp;
	u64 random[2] = { arch_random_u64(), arch_random_u64() };

	sp &= ~15UL;
	if ((err = stack_push(img, &sp, random, sizeof(random))))
		return err;
	u64 at_random = sp;

	/* Pointer block: argc + argv + NULL + envp + NULL + auxv. */
	struct task *t = current;
	/* Linux's order (create_elf_tables()); no AT_SYSINFO_EHDR: no vDSO. */
	u64 auxv[] = {
		AT_MINSIGSTKSZ, arch_signal_frame_max(),
		AT_HWCAP, arch_elf_hwcap(),
		AT_PAGESZ, PAGE_SIZE,
		AT_CLKTCK, HZ,
		AT_PHDR, img->elf.phdr_vaddr,
		AT_PHENT, img->elf.phentsize,
		AT_PHNUM, img->elf.phnum,
		AT_BASE, img->interp_base,
		AT_FLAGS, 0,
		AT_ENTRY, img->elf.entry,
		AT_UID, t->proc->uid,
		AT_EUID, img->euid,
		AT_GID, t->proc->gid,
		AT_EGID, img->egid,
		AT_SECURE, img->secure,
		AT_RANDOM, at_random,
		AT_HWCAP2, arch_elf_hwcap2(),
		AT_EXECFN, execfn,
		AT_PLATFORM, at_platform,
		AT_NULL, 0,
	};
	size_t nptr = 1 + (size_t)s->argc + 1 + (size_t)s->envc + 1;
	size_t block = nptr * 8 + sizeof(auxv);
	u64 *vec = kvmalloc(block);

	if (!vec)
		return -ENOMEM;
	size_t k = 0;
	u64 str = strings;

	vec[k++] = (u64)s->argc;
	for (int i = 0; i < s->argc; i++) {
		vec[k++] = str;
		str += strlen(s->buf + (str - strings)) + 1;
	}
	vec[k++] = 0;
	mm->arg_end = mm->env_start = str;
	for (int i = 0; i < s->envc; i++) {
		vec[k++] = str;
		str += strlen(s->buf + (str - strings)) + 1;
	}
	vec[k++] = 0;
	mm->env_end = str;
	memcpy(&vec[k], auxv, sizeof(auxv));
	_Static_assert(sizeof(auxv) <= sizeof(img->auxv), "PROC_AUXV_WORDS holds the auxv");
	memcpy(img->auxv, auxv, sizeof(auxv));

	/* rsp must be 16-byte aligned at entry (psABI): pad below the block. */
	sp -= block;
	sp &= ~15UL;
	err = mm_populate_write(mm, sp, vec, block);
	kfree(vec);
	if (err)
		return err;
	img->sp = sp;
	return 0;
}

/*
 * Credentials after the exec (execve(2), credentials(7)): a set-user-ID
 * file makes its owner the effective user, a set-group-ID file its group
 * the effective group; the saved IDs become the effective ones. AT_SECURE
 * tells the program (and libc) that its effective IDs differ from the real
 * ones of the caller.
 */
static void exec_credentials(struct exec_image *img)
{
	struct process *p = current->proc;
	bool nosuid = inode_mount_flags(img->inode) & MS_NOSUID;

	spin_lock(&p->lock);
	img->euid = p->euid;
	img->egid = p->egid;
	/* mount(2) MS_NOSUID: the set-ID bits of the mount's files are ignored. */
	if ((img->inode->mode & S_ISUID) && !nosuid)
		img->euid = img->inode->uid;
	if ((img->inode->mode & S_ISGID) && (img->inode->mode & 0010) && !nosuid)
		img->egid = img->inode->gid;
	spin_unlock(&p->lock);
	/* Under a tracer without privilege the set-ID bits are ignored
	 * (execve(2), ptrace(2)): the tracer could take the privilege over. */
	if (unlikely(current->ptrace) && ptrace_exec_unsafe()) {
		spin_lock(&p->lock);
		img->euid = p->euid;
		img->egid = p->egid;
		spin_unlock(&p->lock);
	}
	spin_lock(&p->lock);
	img->secure = img->euid != p->uid || img->egid != p->gid;
	spin_unlock(&p->lock);
}

/* Signal actions or a descriptor table shared with another process (clone
 * without CLONE_THREAD) are copied: the exec must not change the other's. */
static int exec_unshare(struct exec_image *img)
{
	struct task *t = current;
	struct process *p = t->proc;

	if (__atomic_load_n(&p->sighand->refcount, __ATOMIC_ACQUIRE) > 1) {
		img->sighand = sighand_alloc();
		if (!img->sighand)
			return -ENOMEM;
		spin_lock(&p->sighand->lock);
		memcpy(img->sighand->action, p->sighand->action, sizeof(img->sighand->action));
		spin_unlock(&p->sighand->lock);
	}
	if (__atomic_load_n(&t->files->refcount, __ATOMIC_ACQUIRE) > 1) {
		img->files = files_dup(t->files);
		if (!img->files)
			return -ENOMEM;
	}
	return 0;
}

static void exec_unshare_undo(struct exec_image *img)
{
	if (img->sighand)
		sighand_put(img->sighand);
	if (img->files)
		files_put(img->files);
	img->sighand = NULL;
	img->files = NULL;
}

/*
 * End every other thread of the process before the new image starts
 * (execve(2): "All threads other than the calling thread are destroyed").
 * They are told through exec_task, woken, and end on their way to user
 * mode; the last one wakes us. Returns 0, or -EAGAIN when an exit_group or
 * another execve got there first (the caller then ends too).
 */
static int exec_end_other_threads(void)
{
	struct task *t = current, *o;
	struct process *p = t->proc;
	struct wait_entry we;
	bool done, dying;

	spin_lock(&p->lock);
	if (p->group_exiting || p->exec_task) {
		spin_unlock(&p->lock);
		return -EAGAIN;
	}
	if (p->nr_threads == 1) {
		spin_unlock(&p->lock);
		return 0;
	}
	__atomic_store_n(&p->exec_task, t, __ATOMIC_RELEASE);
	list_for_each_entry(o, &p->threads, thread_link) {
		if (o != t)
			sched_wake_task(o);
	}
	spin_unlock(&p->lock);
	for (;;) {
		prepare_to_wait(&p->thread_exit, &we);
		spin_lock(&p->lock);
		done = p->nr_threads == 1;
		dying = p->group_exiting;
		spin_unlock(&p->lock);
		if (done || dying)
			break;
		schedule();
		finish_wait(&p->thread_exit, &we);
	}
	finish_wait(&p->thread_exit, &we);
	if (dying) {
		spin_lock(&p->lock);
		p->exec_task = NULL;
		spin_unlock(&p->lock);
		return -EAGAIN;
	}
	return 0;
}

/*
 * The exec'ing thread becomes the process's only thread; if it was not the
 * leader it takes over the leader's tid, which is the pid (execve(2)), and
 * its own tid is freed.
 */
static void exec_become_leader(struct task *t)
{
	struct process *p = t->proc;
	pid_t old = t->tid;

	spin_lock(&p->lock);
	p->exec_task = NULL;
	t->tid = p->pid;
	spin_unlock(&p->lock);
	if (old != p->pid) {
		spin_lock(&tasklist_lock);
		pid_free_locked(old);
		spin_unlock(&tasklist_lock);
	}
}

/* Everything that can fail, with the old image untouched. */
static int exec_prepare(struct exec_image *img, const char *path, struct exec_strings *s)
{
	int err;

	err = vfs_open_exec(path, &img->inode, img->path, sizeof(img->path));
	if (err)
		return err;
	/* execve(2) ETXTBSY: not while open for writing; then no writer until
	 * the new address space goes (it holds the denial). */
	err = inode_deny_write_access(img->inode);
	if (err) {
		inode_put(img->inode);
		return err;
	}
	img->name = path;
	exec_credentials(img);
	/* A set-ID program is laid out at random whatever the caller's personality
	 * says (Linux clears PER_CLEAR_ON_SETID first). */
	img->randomize = !(current->personality & ADDR_NO_RANDOMIZE) || img->secure;
	err = exec_read_elf(img);
	/* Linux's mmap_base(): the mmap area's top moves down by up to 1 TiB, so
	 * the interpreter and every library land at new addresses each run. */
	img->mmap_base = PAGE_ALIGN_DOWN(USER_MMAP_TOP - exec_random_pages(img));
	if (!err && img->elf.interp_len)
		err = exec_open_interp(img);
	if (err)
		goto out_put_inode;
	err = exec_unshare(img);
	if (err)
		goto out_put_inode;
	img->mm = mm_create();
	if (!img->mm) {
		err = -ENOMEM;
		goto out_put_inode;
	}
	img->mm->exe_inode = inode_exe_get(img->inode);
	mutex_lock(&img->mm->lock);
	err = exec_map_images(img);
	if (!err)
		err = exec_build_stack(img, s);
	mutex_unlock(&img->mm->lock);
	if (err)
		goto out_put_mm;
	return 0;

out_put_mm:
	mm_put(img->mm);
out_put_inode:
	exec_unshare_undo(img);
	if (img->interp)
		inode_put(img->interp);
	inode_allow_write_access(img->inode);
	inode_put(img->inode);
	return err;
}

/* Point of no return: nothing below can fail. */
static void exec_commit(struct exec_image *img)
{
	struct task *t = current;
	struct process *p = t->proc;
	struct mm *old = t->mm;

	/* Robust futexes held in the old address space die with it. */
	futex_exit_robust_list();
	exec_become_leader(t);
	/* Under p->lock (interrupts off): /proc readers take a reference on
	 * t->mm there, and this CPU must not run on the old tables meanwhile. */
	spin_lock(&p->lock);
	t->mm = img->mm;
	mm_activate(t->mm);
	spin_unlock(&p->lock);
	/* A vfork child gives the parent's address space back here. */
	fork_vfork_release(t);
	if (old)
		mm_put(old);

	if (img->files) {
		struct files *shared = t->files;

		t->files = img->files;
		files_put(shared);
	}
	if (img->sighand) {
		struct sighand *shared;

		spin_lock(&p->lock);
		shared = p->sighand;
		p->sighand = img->sighand;
		spin_unlock(&p->lock);
		sighand_put(shared);
	}
	files_close_on_exec(t->files);
	signal_reset_on_exec(p);
	posix_timers_exit(p);	/* execve(2): timer_create's timers are not kept */
	spin_lock(&p->lock);
	p->euid = p->suid = p->fsuid = img->euid;
	p->egid = p->sgid = p->fsgid = img->egid;
	/* Linux's begin_new_exec: a set-id program is not dumpable. */
	p->dumpable = p->euid == p->uid && p->egid == p->gid;
	spin_unlock(&p->lock);
	if (img->secure)
		t->personality &= ~PER_CLEAR_ON_SETID;
	t->clear_child_tid = 0;
	rseq_exec(t);
	t->set_child_tid = 0;
	task_set_comm(t, img->name);
	spin_lock(&p->lock);
	strlcpy(p->exe_path, img->path, sizeof(p->exe_path));
	memcpy(p->saved_auxv, img->auxv, sizeof(p->saved_auxv));
	spin_unlock(&p->lock);
	/* A dynamic program starts in its interpreter, which finds the
	 * program through AT_PHDR and AT_ENTRY. */
	arch_exec_regs(arch_task_trapframe(t),
		       img->interp ? img->interp_elf.entry : img->elf.entry, img->sp);
	inode_allow_write_access(img->inode);	/* the new mm holds its own denial */
	inode_put(img->inode);
	if (img->interp)
		inode_put(img->interp);	/* its VMAs hold their own references */
	trace_exec(p, img->path);
}

#define BINPRM_BUF_SIZE	256	/* bytes of a file examined for "#!" (Linux) */
#define SCRIPT_DEPTH_MAX	5	/* interpreters of interpreters: -ELOOP beyond */

static bool spacetab(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Parse a "#!" line in @buf (BINPRM_BUF_SIZE bytes, zero-padded past the end
 * of the file) as Linux's binfmt_script does: the interpreter is the first
 * word, and everything after it up to the end of the line, trimmed of
 * surrounding blanks, is one optional argument. Cuts @buf into the two
 * strings. Returns 0, or -ENOEXEC (no interpreter, or a line too long to
 * hold the whole interpreter name).
 */
static int script_parse(char *buf, char **interp, char **arg)
{
	char *buf_end = buf + BINPRM_BUF_SIZE - 1;
	char *end = NULL, *p;

	for (p = buf; p < buf + BINPRM_BUF_SIZE && !end; p++) {
		if (*p == '\n')
			end = p;
	}

	if (!end) {
		for (p = buf + 2; p < buf_end && spacetab(*p); p++)
			;
		if (p >= buf_end)
			return -ENOEXEC;
		while (p < buf_end && !spacetab(*p) && *p)
			p++;
		if (p >= buf_end)
			return -ENOEXEC;	/* the interpreter name is cut off */
		end = buf_end;
	}
	while (end > buf + 2 && spacetab(end[-1]))
		end--;
	*end = '\0';
	for (p = buf + 2; p < end && spacetab(*p); p++)
		;
	if (p >= end || !*p)
		return -ENOEXEC;
	*interp = p;
	while (p < end && !spacetab(*p) && *p)
		p++;
	*arg = NULL;
	if (p < end && *p) {
		*p++ = '\0';
		while (p < end && spacetab(*p))
			p++;
		if (p < end && *p)
			*arg = p;
	}
	return 0;
}

/*
 * Rewrite the argument strings for an interpreter: argv becomes
 * interp [arg] filename argv[1..] (execve(2), "Interpreter scripts");
 * envp is unchanged. Returns 0, -E2BIG or -ENOMEM.
 */
static int script_rewrite_args(struct exec_strings *s, const char *interp, const char *arg,
			       const char *filename)
{
	size_t skip = s->argc ? strlen(s->buf) + 1 : 0;
	size_t head = strlen(interp) + 1 + (arg ? strlen(arg) + 1 : 0) + strlen(filename) + 1;
	size_t used = head + s->used - skip;
	char *nb, *p;

	if (used > ARG_MAX_BYTES)
		return -E2BIG;
	nb = kvmalloc(used);
	if (!nb)
		return -ENOMEM;
	p = nb;
	for (const char *w = interp; w; w = (w == interp) ? arg : NULL) {
		size_t len = strlen(w) + 1;

		memcpy(p, w, len);
		p += len;
	}
	memcpy(p, filename, strlen(filename) + 1);
	p += strlen(filename) + 1;
	memcpy(p, s->buf + skip, s->used - skip);
	kfree(s->buf);
	s->buf = nb;
	s->used = s->cap = used;
	s->argc = (s->argc ? s->argc - 1 : 0) + 2 + (arg ? 1 : 0);
	return 0;
}

/*
 * Follow "#!" lines from @path until a file that is not a script, rewriting
 * the arguments at each step. On return *@path points at @pathbuf (PATH_MAX
 * bytes) when an interpreter replaced it. Returns 0, or -ENOENT/-EACCES/...
 * from opening a file, -ENOEXEC (bad "#!" line), -ELOOP (too deep), -E2BIG.
 */
static int exec_follow_scripts(const char **path, char *pathbuf, struct exec_strings *s)
{
	char *buf = kmalloc(BINPRM_BUF_SIZE + PATH_MAX);
	char *abs = buf + BINPRM_BUF_SIZE;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	for (int depth = 0;; depth++) {
		struct inode *ino;
		char *interp, *arg;
		ssize_t n;

		err = vfs_open_exec(*path, &ino, abs, PATH_MAX);
		if (err)
			break;
		memset(buf, 0, BINPRM_BUF_SIZE);
		n = inode_read(ino, 0, buf, BINPRM_BUF_SIZE);
		inode_put(ino);
		if (n < 0) {
			err = (int)n;
			break;
		}
		if (n < 2 || buf[0] != '#' || buf[1] != '!')
			break;	/* not a script: the ELF loader decides */
		if (depth >= SCRIPT_DEPTH_MAX) {
			err = -ELOOP;
			break;
		}
		err = script_parse(buf, &interp, &arg);
		if (!err)
			err = script_rewrite_args(s, interp, arg, *path);
		if (err)
			break;
		strlcpy(pathbuf, interp, PATH_MAX);
		*path = pathbuf;
	}
	kfree(buf);
	return err;
}

/* Build and commit the new image for @path and the copied strings @s. */
static int exec_strings_commit(const char *path, struct exec_strings *s)
{
	const char *execfn = path;
	struct exec_image *img;
	char *pathbuf;
	int err;

	if (s->used == 0 && (err = strings_reserve(s, 1)))
		return err;
	/* Each string's pointer counts against the limit too (execve(2)). */
	if (s->used + 8 * ((size_t)MAX(s->argc, 1) + s->envc) > ARG_MAX_BYTES)
		return -E2BIG;
	pathbuf = kmalloc(PATH_MAX);
	if (!pathbuf)
		return -ENOMEM;
	err = exec_follow_scripts(&path, pathbuf, s);
	if (err) {
		kfree(pathbuf);
		return err;
	}
	img = kzalloc(sizeof(*img));
	if (!img) {
		kfree(pathbuf);
		return -ENOMEM;
	}
	img->execfn = execfn;
	err = exec_prepare(img, path, s);
	if (!err) {
		err = exec_end_other_threads();
		if (err) {
			exec_unshare_undo(img);
			mm_put(img->mm);
			if (img->interp)
				inode_put(img->interp);
			inode_allow_write_access(img->inode);
			inode_put(img->inode);
		} else {
			pid_t old_tid = current->tid;

			exec_commit(img);
			/* ptrace(2): PTRACE_EVENT_EXEC, or the traditional SIGTRAP. */
			if (unlikely(current->ptrace))
				ptrace_exec(old_tid);
		}
	}
	kfree(img);
	kfree(pathbuf);
	return err;
}

/*
 * do_execve - execve(2) with a kernel @path and user @argv/@envp vectors.
 * Returns 0 (the caller returns to the new program) or a negative errno with
 * the calling program intact: -ENOENT, -ENOTDIR, -EACCES, -ENOEXEC, -E2BIG,
 * -EFAULT, -ENOMEM, -ENAMETOOLONG, -ELIBBAD (a PT_INTERP interpreter that
 * cannot be loaded; a missing one is -ENOENT). May sleep. POSIX.1-2017 exec, Linux
 * execve(2) for the details (auxv; a NULL or empty argv runs with argc 1 and argv[0] "").
 */
int do_execve(const char *path, const char __user *const __user *argv,
	      const char __user *const __user *envp)
{
	struct exec_strings s = { 0 };
	int n, err;

	n = copy_strings(&s, argv);
	if (n < 0) {
		err = n;
		goto out_free_strings;
	}
	if (n == 0) {
		/*
		 * Linux 5.18 on: an empty argv becomes { "" } so that argc is 1 and a program that
		 * trusts argv[0] (or walks argv + 1) never reads envp in its place.
		 */
		err = strings_reserve(&s, 1);
		if (err)
			goto out_free_strings;
		s.buf[s.used++] = '\0';
		n = 1;
	}
	s.argc = n;
	n = copy_strings(&s, envp);
	if (n < 0) {
		err = n;
		goto out_free_strings;
	}
	s.envc = n;
	err = exec_strings_commit(path, &s);
out_free_strings:
	kfree(s.buf);
	return err;
}

/*
 * do_execve_kernel - exec with kernel-space @argv and @envp (NULL-terminated
 * arrays of kernel strings); used to start init. Same returns as do_execve().
 */
int do_execve_kernel(const char *path, const char *const *argv, const char *const *envp)
{
	struct exec_strings s = { 0 };
	int err = 0;

	for (int pass = 0; pass < 2 && !err; pass++) {
		const char *const *vec = pass ? envp : argv;

		for (int i = 0; vec && vec[i]; i++) {
			size_t len = strlen(vec[i]) + 1;

			err = strings_reserve(&s, len);
			if (err)
				break;
			memcpy(s.buf + s.used, vec[i], len);
			s.used += len;
			if (pass)
				s.envc++;
			else
				s.argc++;
		}
	}
	if (!err)
		err = exec_strings_commit(path, &s);
	kfree(s.buf);
	return err;
}

/* sys_execve - execve(2). See do_execve(). */
long sys_execve(const char __user *upath, const char __user *const __user *argv,
		const char __user *const __user *envp)
{
	char *path = kmalloc(PATH_MAX);
	long len, err;

	if (!path)
		return -ENOMEM;
	len = strncpy_from_user(path, upath, PATH_MAX);
	if (len < 0) {
		err = len;
		goto out;
	}
	if (len == 0) {
		err = -ENOENT;
		goto out;
	}
	err = do_execve(path, argv, envp);
out:
	kfree(path);
	return err;
}

/*
 * sys_execveat - execveat(2): the program named by @upath relative to
 * @dirfd (AT_FDCWD: the cwd), or the file open on @dirfd itself with
 * AT_EMPTY_PATH; AT_SYMLINK_NOFOLLOW refuses a final symlink (-ELOOP).
 * Then as execve(2). Other flags: -EINVAL. May sleep.
 */
long sys_execveat(int dirfd, const char __user *upath, const char __user *const __user *argv,
		  const char __user *const __user *envp, int flags)
{
	char *path = kmalloc(PATH_MAX);
	long err;

	if (!path)
		return -ENOMEM;
	err = vfs_exec_path_at(dirfd, upath, flags, path, PATH_MAX);
	if (!err)
		err = do_execve(path, argv, envp);
	kfree(path);
	return err;
}
