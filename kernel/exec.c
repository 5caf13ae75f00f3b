/*
 * execve(2): replace the calling process's program with a static ELF image.
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
#include "uapi/resource.h"
#include "cpu.h"
#include "mm.h"
#include "fs.h"
#include "elf.h"
#include "kmalloc.h"
#include "uaccess.h"
#include "trace.h"
#include "uapi/errno.h"

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
	char *nb = kmalloc(cap);

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
		long len = strncpy_from_user(s->buf + s->used, (const char *)uptr, room);

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
	struct mm *mm;
	u64 sp;			/* initial user stack pointer */
	char path[PATH_MAX];	/* absolute path of the executable */
};

/* Read and check the ELF header and program headers of @img->inode. */
static int exec_read_elf(struct exec_image *img)
{
	Elf64_Ehdr eh;
	u64 size = inode_size(img->inode);
	ssize_t n;

	if (size < sizeof(eh))
		return -ENOEXEC;
	n = inode_read(img->inode, 0, &eh, sizeof(eh));
	if (n != sizeof(eh))
		return n < 0 ? (int)n : -ENOEXEC;
	int err = elf_check_ehdr(&eh, size);

	if (err)
		return err;

	size_t phbytes = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
	Elf64_Phdr *ph = kmalloc(phbytes);

	if (!ph)
		return -ENOMEM;
	n = inode_read(img->inode, eh.e_phoff, ph, phbytes);
	if (n != (ssize_t)phbytes)
		err = n < 0 ? (int)n : -ENOEXEC;
	else
		err = elf_check_phdrs(&eh, ph, size, &img->elf);
	kfree(ph);
	return err;
}

/* Map every PT_LOAD segment into the new mm (no page is read yet). */
static int exec_map_segments(struct exec_image *img)
{
	struct mm *mm = img->mm;
	u64 prev_end = 0;

	for (int i = 0; i < img->elf.nseg; i++) {
		struct elf_segment *sg = &img->elf.seg[i];
		u64 start = PAGE_ALIGN_DOWN(sg->vaddr);
		u64 end = PAGE_ALIGN_UP(sg->vaddr + sg->memsz);
		u64 file_off = sg->offset - (sg->vaddr - start);
		int err;

		/* A segment that begins in the page where the previous one ends
		 * shares that page: the previous VMA keeps it and this
		 * segment's bytes in it are copied in below. */
		u64 map_start = MAX(start, prev_end);

		if (map_start < end) {
			err = mm_map_locked(mm, map_start, end - map_start, sg->prot, 0,
					    sg->filesz ? img->inode : NULL,
					    file_off + (map_start - start), sg->vaddr + sg->filesz);
			if (err)
				return err;
		}
		if (start < prev_end && sg->filesz) {
			u64 shared_end = MIN(prev_end, sg->vaddr + sg->filesz);

			for (u64 va = sg->vaddr; va < shared_end;) {
				char buf[256];
				size_t chunk = MIN((u64)sizeof(buf), shared_end - va);

				if (inode_read(img->inode, sg->offset + (va - sg->vaddr), buf,
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
	mm->brk_start = mm->brk = PAGE_ALIGN_UP(img->elf.hi);
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

	err = mm_map_locked(mm, USER_STACK_TOP - stack, stack,
			    MMU_READ | MMU_WRITE, VMA_STACK, NULL, 0, 0);
	if (err)
		return err;

	/* Strings: execfn at the very top, then the argv+envp block. */
	size_t pathlen = strlen(img->path) + 1;

	if ((err = stack_push(img, &sp, img->path, pathlen)))
		return err;
	u64 execfn = sp;

	if ((err = stack_push(img, &sp, s->buf, s->used)))
		return err;
	u64 strings = sp;

	mm->arg_start = strings;
	u64 random[2] = { arch_random_u64(), arch_random_u64() };

	sp &= ~15UL;
	if ((err = stack_push(img, &sp, random, sizeof(random))))
		return err;
	u64 at_random = sp;

	/* Pointer block: argc + argv + NULL + envp + NULL + auxv. */
	struct task *t = current;
	u64 auxv[] = {
		AT_PHDR, img->elf.phdr_vaddr,
		AT_PHENT, img->elf.phentsize,
		AT_PHNUM, img->elf.phnum,
		AT_PAGESZ, PAGE_SIZE,
		AT_BASE, 0,
		AT_FLAGS, 0,
		AT_ENTRY, img->elf.entry,
		AT_UID, t->proc->uid,
		AT_EUID, t->proc->euid,
		AT_GID, t->proc->gid,
		AT_EGID, t->proc->egid,
		AT_SECURE, 0,
		AT_CLKTCK, HZ,
		AT_HWCAP, 0,
		AT_RANDOM, at_random,
		AT_EXECFN, execfn,
		AT_NULL, 0,
	};
	size_t nptr = 1 + (size_t)s->argc + 1 + (size_t)s->envc + 1;
	size_t block = nptr * 8 + sizeof(auxv);
	u64 *vec = kmalloc(block);

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

/* Everything that can fail, with the old image untouched. */
static int exec_prepare(struct exec_image *img, const char *path, struct exec_strings *s)
{
	int err;

	err = vfs_open_exec(path, &img->inode, img->path, sizeof(img->path));
	if (err)
		return err;
	err = exec_read_elf(img);
	if (err)
		goto out_put_inode;
	img->mm = mm_create();
	if (!img->mm) {
		err = -ENOMEM;
		goto out_put_inode;
	}
	mutex_lock(&img->mm->lock);
	err = exec_map_segments(img);
	if (!err)
		err = exec_build_stack(img, s);
	mutex_unlock(&img->mm->lock);
	if (err)
		goto out_put_mm;
	return 0;

out_put_mm:
	mm_put(img->mm);
out_put_inode:
	inode_put(img->inode);
	return err;
}

/* Point of no return: nothing below can fail. */
static void exec_commit(struct exec_image *img)
{
	struct task *t = current;
	struct process *p = t->proc;
	struct mm *old = t->mm;

	arch_irq_disable();
	t->mm = img->mm;
	mm_activate(t->mm);
	arch_irq_enable();
	if (old)
		mm_put(old);

	files_close_on_exec(t->files);
	signal_reset_on_exec(p);
	t->clear_child_tid = 0;
	t->set_child_tid = 0;
	task_set_comm(t, img->path);
	spin_lock(&p->lock);
	strlcpy(p->exe_path, img->path, sizeof(p->exe_path));
	spin_unlock(&p->lock);
	arch_exec_regs(arch_task_trapframe(t), img->elf.entry, img->sp);
	inode_put(img->inode);
	trace_exec(p, img->path);
}

/* Build and commit the new image for @path and the copied strings @s. */
static int exec_strings_commit(const char *path, struct exec_strings *s)
{
	struct exec_image *img;
	int err;

	if (s->used == 0 && (err = strings_reserve(s, 1)))
		return err;
	img = kzalloc(sizeof(*img));
	if (!img)
		return -ENOMEM;
	err = exec_prepare(img, path, s);
	if (!err)
		exec_commit(img);
	kfree(img);
	return err;
}

/*
 * do_execve - execve(2) with a kernel @path and user @argv/@envp vectors.
 * Returns 0 (the caller returns to the new program) or a negative errno with
 * the calling program intact: -ENOENT, -ENOTDIR, -EACCES, -ENOEXEC, -E2BIG,
 * -EFAULT, -ENOMEM, -ENAMETOOLONG. May sleep. POSIX.1-2017 exec, Linux
 * execve(2) for the details (auxv, NULL argv).
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
