/*
 * Copy-on-write made visible: /proc/PID/smaps, /proc/PID/smaps_rollup,
 * /proc/PID/pagemap and /proc/kpagecount, in Linux's formats (proc(5),
 * Documentation/admin-guide/mm/pagemap.rst). The per-page facts (present,
 * dirty, how many address spaces share the frame) come from the page walk
 * of mm/pagewalk.c.
 *
 * smaps figures, per mapping: Rss (pages mapped), Pss (each page divided by
 * the address spaces mapping it, kept in 1/4096 bytes as Linux does so the
 * sum rounds the same way), Shared_* (mapped by more than one address
 * space) and Private_* split by the PTE's dirty bit, Anonymous (pages that
 * are not a file's cached page), Swap and SwapPss (swapped-out pages, and
 * each divided by the address spaces whose PTEs hold its slot), Locked (Pss
 * of an mlock'd VMA).
 *
 * Locks: the mm lock of the process looked at, taken here; mm -> inode.
 */
#include "internal.h"
#include "procfs.h"
#include "cpu.h"
#include "kmalloc.h"
#include "mm.h"
#include "page.h"
#include "pagewalk.h"
#include "swap.h"
#include "task.h"
#include "uaccess.h"

#define PSS_SHIFT	12	/* Pss is accumulated in bytes << PSS_SHIFT */
#define SMAPS_VMA_BYTES	1024	/* room for one mapping's smaps text */
#define PM_CHUNK	512	/* pagemap/kpagecount entries built per step */

/* pagemap entry bits (pagemap.rst) */
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PM_EXCLUSIVE	(1ULL << 56)
#define PM_FILE		(1ULL << 61)
#define PM_SWAP		(1ULL << 62)
#define PM_PRESENT	(1ULL << 63)

/* procfs_mm_of - see fs/procfs.h. */
struct mm *procfs_mm_of(pid_t pid, pid_t tid)
{
	struct process *p;
	struct task *t;
	struct mm *mm = NULL;

	spin_lock(&tasklist_lock);
	p = process_find(pid);
	if (p && p->state == PROC_ALIVE) {
		spin_lock(&p->lock);
		list_for_each_entry(t, &p->threads, thread_link) {
			if (tid && t->tid != tid)
				continue;
			if (t->mm) {
				mm_get(t->mm);
				mm = t->mm;
			}
			break;
		}
		spin_unlock(&p->lock);
	}
	spin_unlock(&tasklist_lock);
	return mm;
}

/* ---- smaps ---- */

struct mem_acc {
	u64 rss, pss, pss_dirty, pss_anon, pss_file;	/* bytes; pss* << PSS_SHIFT */
	u64 shared_clean, shared_dirty, private_clean, private_dirty;	/* bytes */
	u64 referenced, anonymous, swap, swap_pss, locked;
};

struct acc_ctx {
	struct mem_acc *acc;
	bool locked;
};

static int acc_page(const struct mm_page_info *pi, void *arg)
{
	struct acc_ctx *c = arg;
	struct mem_acc *a = c->acc;
	u64 pss;

	if (pi->swapped) {
		a->swap += PAGE_SIZE;
		a->swap_pss += (PAGE_SIZE << PSS_SHIFT) / MAX(pi->mapcount, 1u);
		return 0;
	}
	pss = (PAGE_SIZE << PSS_SHIFT) / pi->mapcount;
	a->rss += PAGE_SIZE;
	a->pss += pss;
	if (pi->dirty)
		a->pss_dirty += pss;
	if (pi->anon) {
		a->pss_anon += pss;
		a->anonymous += PAGE_SIZE;
	} else {
		a->pss_file += pss;
	}
	if (pi->young)
		a->referenced += PAGE_SIZE;
	if (pi->mapcount > 1) {
		if (pi->dirty)
			a->shared_dirty += PAGE_SIZE;
		else
			a->shared_clean += PAGE_SIZE;
	} else {
		if (pi->dirty)
			a->private_dirty += PAGE_SIZE;
		else
			a->private_clean += PAGE_SIZE;
	}
	if (c->locked)
		a->locked += pss;
	return 0;
}

struct text {
	char *buf;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void tput(struct text *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len = MIN(o->len + (size_t)n, o->cap - 1);
}

/* One "Name:   value kB" line: the name padded to 16 columns, the value to 8. */
static void kb_line(struct text *o, const char *name, u64 bytes)
{
	tput(o, "%-16s%8lu kB\n", name, (unsigned long)(bytes >> 10));
}

/* The mapping's line as /proc/PID/maps prints it. */
static void vma_header(struct text *o, struct vma *v, char *path)
{
	size_t before = o->len;
	const char *name = "";

	tput(o, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ", (unsigned long)v->start,
	     (unsigned long)v->end, (v->prot & MMU_READ) ? 'r' : '-',
	     (v->prot & MMU_WRITE) ? 'w' : '-', (v->prot & MMU_EXEC) ? 'x' : '-',
	     (v->flags & VMA_SHARED) ? 's' : 'p', (unsigned long)v->file_off,
	     v->file ? TMPFS_DEV_MAJOR : 0, v->file ? v->file->dev_minor : 0,
	     v->file ? (unsigned long)v->file->ino : 0UL);
	if (v->file) {
		struct inode *root, *cwd;
		int n;

		fs_current_root_cwd(&root, &cwd);
		n = vfs_inode_path(root, v->file, path, PATH_MAX);
		inode_put(cwd);
		inode_put(root);
		if (n == -ENOENT)
			snprintf(path, PATH_MAX, "/ (deleted)");
		if (n > 0 || n == -ENOENT)
			name = path;
	} else if (v->flags & VMA_HEAP) {
		name = "[heap]";
	} else if (v->flags & VMA_STACK) {
		name = "[stack]";
	}
	if (*name)
		tput(o, "%*s%s", (int)MAX(0, 73 - (long)(o->len - before)), "", name);
	tput(o, "\n");
}

/* VmFlags: the two-letter codes of proc(5) for what Sprout records. */
static void vma_flags(struct text *o, struct vma *v)
{
	tput(o, "VmFlags:");
	if (v->prot & MMU_READ)
		tput(o, " rd");
	if (v->prot & MMU_WRITE)
		tput(o, " wr");
	if (v->prot & MMU_EXEC)
		tput(o, " ex");
	if (v->flags & VMA_SHARED)
		tput(o, " sh");
	if (v->flags & VMA_MAYREAD)
		tput(o, " mr");
	if (v->flags & VMA_MAYWRITE)
		tput(o, " mw");
	if (v->flags & VMA_MAYEXEC)
		tput(o, " me");
	if (v->flags & VMA_MAYSHARE)
		tput(o, " ms");
	if (v->flags & (VMA_GROWSDOWN | VMA_STACK))
		tput(o, " gd");
	if (v->flags & VMA_LOCKED)
		tput(o, " lo");
	tput(o, " \n");
}

static void acc_vma(struct mm *mm, struct vma *v, struct mem_acc *a)
{
	struct acc_ctx c = { a, v->flags & VMA_LOCKED };

	mm_walk_vma_pages(mm, v, v->start, v->end, acc_page, &c);
}

static void show_smaps(struct text *o, struct mm *mm, char *path)
{
	struct vma *v;

	list_for_each_entry(v, &mm->vmas, link) {
		struct mem_acc a;

		memset(&a, 0, sizeof(a));
		acc_vma(mm, v, &a);
		vma_header(o, v, path);
		kb_line(o, "Size:", v->end - v->start);
		kb_line(o, "KernelPageSize:", PAGE_SIZE);
		kb_line(o, "MMUPageSize:", PAGE_SIZE);
		kb_line(o, "Rss:", a.rss);
		kb_line(o, "Pss:", a.pss >> PSS_SHIFT);
		kb_line(o, "Pss_Dirty:", a.pss_dirty >> PSS_SHIFT);
		kb_line(o, "Shared_Clean:", a.shared_clean);
		kb_line(o, "Shared_Dirty:", a.shared_dirty);
		kb_line(o, "Private_Clean:", a.private_clean);
		kb_line(o, "Private_Dirty:", a.private_dirty);
		kb_line(o, "Referenced:", a.referenced);
		kb_line(o, "Anonymous:", a.anonymous);
		kb_line(o, "Swap:", a.swap);
		kb_line(o, "SwapPss:", a.swap_pss >> PSS_SHIFT);
		kb_line(o, "Locked:", a.locked >> PSS_SHIFT);
		vma_flags(o, v);
	}
}

static void show_rollup(struct text *o, struct mm *mm)
{
	struct mem_acc a;
	struct vma *v;
	u64 start = 0, end = 0;

	memset(&a, 0, sizeof(a));
	list_for_each_entry(v, &mm->vmas, link) {
		if (!end)
			start = v->start;
		end = v->end;
		acc_vma(mm, v, &a);
	}
	tput(o, "%08lx-%08lx ---p 00000000 00:00 0", (unsigned long)start, (unsigned long)end);
	tput(o, "%*s[rollup]\n", 73 - (int)(o->len), "");
	kb_line(o, "Rss:", a.rss);
	kb_line(o, "Pss:", a.pss >> PSS_SHIFT);
	kb_line(o, "Pss_Dirty:", a.pss_dirty >> PSS_SHIFT);
	kb_line(o, "Pss_Anon:", a.pss_anon >> PSS_SHIFT);
	kb_line(o, "Pss_File:", a.pss_file >> PSS_SHIFT);
	kb_line(o, "Shared_Clean:", a.shared_clean);
	kb_line(o, "Shared_Dirty:", a.shared_dirty);
	kb_line(o, "Private_Clean:", a.private_clean);
	kb_line(o, "Private_Dirty:", a.private_dirty);
	kb_line(o, "Referenced:", a.referenced);
	kb_line(o, "Anonymous:", a.anonymous);
	kb_line(o, "Swap:", a.swap);
	kb_line(o, "SwapPss:", a.swap_pss >> PSS_SHIFT);
	kb_line(o, "Locked:", a.locked >> PSS_SHIFT);
}

/* procfs_render_smaps - see fs/procfs.h. */
long procfs_render_smaps(u8 kind, pid_t pid, u32 sub, char **out)
{
	struct text o = { 0 };
	struct mm *mm = procfs_mm_of(pid, (pid_t)sub);
	char *path = NULL;

	if (!mm) {
		/* Zombies and kernel threads: empty, as on Linux. */
		if (!procfs_task_exists(pid, (pid_t)sub))
			return -ESRCH;
		*out = kzalloc(1);
		return *out ? 0 : -ENOMEM;
	}
	mutex_lock(&mm->lock);
	o.cap = kind == PN_SMAPS ? (size_t)(mm->map_count + 1) * SMAPS_VMA_BYTES : 4096;
	mutex_unlock(&mm->lock);
	o.buf = kvmalloc(o.cap);
	path = kmalloc(PATH_MAX);
	if (!o.buf || !path) {
		kfree(o.buf);
		kfree(path);
		mm_put(mm);
		return -ENOMEM;
	}
	o.buf[0] = '\0';
	/* Lock order mm->lock -> inode locks allows naming files under it. */
	mutex_lock(&mm->lock);
	if (kind == PN_SMAPS)
		show_smaps(&o, mm, path);
	else
		show_rollup(&o, mm);
	mutex_unlock(&mm->lock);
	kfree(path);
	mm_put(mm);
	*out = o.buf;
	return (long)o.len;
}

/* ---- pagemap and kpagecount: binary files read in place ---- */

struct pm_file {
	u8 kind;		/* PN_PAGEMAP or PN_KPAGECOUNT */
	struct mm *mm;		/* pagemap: a counted reference; NULL for a zombie */
	bool show_pfn;		/* pagemap: the opener was root (Linux: CAP_SYS_ADMIN) */
	u64 ents[PM_CHUNK];
};

struct pm_fill {
	u64 *ents;
	u64 first_va;
	bool show_pfn;
};

static int pm_page(const struct mm_page_info *pi, void *arg)
{
	struct pm_fill *f = arg;
	u64 e = 0;

	if (pi->present) {
		e = PM_PRESENT | (f->show_pfn ? (pi->pfn & PM_PFN_MASK) : 0);
		if (!pi->anon)
			e |= PM_FILE;
	} else if (pi->swapped) {
		/* Linux's format: the area in bits 0-4, the slot from bit 5; for root only,
		 * as the frame numbers of present pages. */
		e = PM_SWAP | (f->show_pfn ? (((u64)swp_slot(pi->swap_entry) << 5 |
					      (swp_type(pi->swap_entry) & 31)) & PM_PFN_MASK) : 0);
	}
	if (pi->present && pi->mapcount == 1)
		e |= PM_EXCLUSIVE;
	f->ents[(pi->va - f->first_va) >> PAGE_SHIFT] = e;
	return 0;
}

/* Entries for the @n pages from @va of @mm into @ents. */
static void pagemap_fill(struct pm_file *pf, u64 va, size_t n)
{
	u64 end = va + (u64)n * PAGE_SIZE;
	struct pm_fill f = { pf->ents, va, pf->show_pfn };
	struct vma *v;

	memset(pf->ents, 0, n * sizeof(u64));
	mutex_lock(&pf->mm->lock);
	list_for_each_entry(v, &pf->mm->vmas, link) {
		if (v->end <= va)
			continue;
		if (v->start >= end)
			break;
		mm_walk_vma_pages(pf->mm, v, MAX(va, v->start), MIN(end, v->end), pm_page, &f);
	}
	mutex_unlock(&pf->mm->lock);
}

/* Entries for the @n frames from @pfn; returns how many exist (short at the end of RAM). */
static size_t kpagecount_fill(struct pm_file *pf, u64 pfn, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		long c = page_map_estimate(pfn + i);

		if (c < 0)
			return i;
		pf->ents[i] = (u64)c;
	}
	return n;
}

/* read(2) of pagemap or kpagecount: whole 8-byte entries at 8-byte offsets
 * (else EINVAL), one per page from offset / 8. */
static ssize_t pm_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	struct pm_file *pf = f->priv;
	size_t done = 0;

	if ((*pos & 7) || (n & 7))
		return -EINVAL;
	while (done < n) {
		u64 idx = *pos / 8;
		size_t want = MIN((n - done) / 8, (size_t)PM_CHUNK), got = want;

		if (pf->kind == PN_PAGEMAP) {
			/* Linux: nothing to read without an address space. */
			if (!pf->mm || idx >= USER_TOP / PAGE_SIZE)
				break;
			got = MIN((u64)want, USER_TOP / PAGE_SIZE - idx);
			pagemap_fill(pf, idx * PAGE_SIZE, got);
		} else {
			got = kpagecount_fill(pf, idx, want);
		}
		if (!got)
			break;
		if (copy_to_user((char __user *)buf + done, pf->ents, got * 8))
			return done ? (ssize_t)done : -EFAULT;
		done += got * 8;
		*pos += got * 8;
		if (got < want)
			break;
	}
	return (ssize_t)done;
}

static void pm_release(struct file *f)
{
	struct pm_file *pf = f->priv;

	if (pf->mm)
		mm_put(pf->mm);
	kfree(pf);
}

static const struct file_ops pm_ops = {
	.read = pm_read,
	.release = pm_release,
	.seekable = true,
};

/* procfs_open_pagemap - see fs/procfs.h. */
int procfs_open_pagemap(struct inode *ino, u32 flags, struct file **out)
{
	u8 kind = PN_KIND(ino->priv);
	struct pm_file *pf;
	struct file *f;

	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	pf = kzalloc(sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	pf->kind = kind;
	if (kind == PN_PAGEMAP) {
		pf->mm = procfs_mm_of(PN_PID(ino->priv), (pid_t)PN_SUB(ino->priv));
		if (!pf->mm && !procfs_task_exists(PN_PID(ino->priv), (pid_t)PN_SUB(ino->priv))) {
			kfree(pf);
			return -ENOENT;
		}
		pf->show_pfn = current->proc->euid == 0;
	} else if (current->proc->euid != 0) {
		kfree(pf);
		return -EPERM;
	}
	f = file_alloc(ino, &pm_ops, (flags & O_ACCMODE) | LINUX_O_LARGEFILE, pf);
	if (!f) {
		if (pf->mm)
			mm_put(pf->mm);
		kfree(pf);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}
