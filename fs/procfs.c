/*
 * procfs: the tree of /proc. Every lookup makes a fresh inode describing one
 * node (a node kind, a pid, a tid or descriptor number, packed into
 * inode->priv), so what a walk finds is always the state of the moment and
 * nothing has to be invalidated when processes come and go. Opening a file
 * renders its whole text once (fs/procfs_show.c); reads serve that snapshot,
 * as Linux's seq_file does for a single read.
 *
 * Semantics and formats: proc(5). The tree:
 *   /proc/{self,thread-self,meminfo,stat,uptime,loadavg,cpuinfo,mounts,
 *          filesystems,sys/kernel/pid_max}
 *   /proc/<pid>/{stat,status,cmdline,comm,environ,maps,statm,mounts,fd/,exe,
 *                cwd,root,task/<tid>/...}
 */
#include "internal.h"
#include "procfs.h"
#include "kmalloc.h"
#include "task.h"
#include "uaccess.h"

#define PROC_INO_BASE	0x40000000ULL	/* procfs inode numbers live above tmpfs's */
#define GETDENTS_BUF_MAX	(64 * 1024)	/* bytes of records built per call */

struct proc_entry {
	const char *name;
	u8 kind;
	u32 mode;
};

static const struct proc_entry root_entries[] = {
	{ "cpuinfo", PN_CPUINFO, S_IFREG | 0444 },
	{ "filesystems", PN_FILESYSTEMS, S_IFREG | 0444 },
	{ "loadavg", PN_LOADAVG, S_IFREG | 0444 },
	{ "meminfo", PN_MEMINFO, S_IFREG | 0444 },
	{ "mounts", PN_MOUNTS, S_IFREG | 0444 },
	{ "self", PN_SELF, S_IFLNK | 0777 },
	{ "stat", PN_STAT, S_IFREG | 0444 },
	{ "sys", PN_SYS, S_IFDIR | 0555 },
	{ "thread-self", PN_THREAD_SELF, S_IFLNK | 0777 },
	{ "uptime", PN_UPTIME, S_IFREG | 0444 },
	{ "version", PN_VERSION, S_IFREG | 0444 },
};

static const struct proc_entry sys_entries[] = {
	{ "kernel", PN_SYS_KERNEL, S_IFDIR | 0555 },
};

static const struct proc_entry sys_kernel_entries[] = {
	{ "pid_max", PN_PID_MAX, S_IFREG | 0444 },
};

/* Entries of /proc/<pid> and of /proc/<pid>/task/<tid> (no "task" there). */
static const struct proc_entry pid_entries[] = {
	{ "cmdline", PN_CMDLINE, S_IFREG | 0444 },
	{ "comm", PN_COMM, S_IFREG | 0444 },
	{ "cwd", PN_CWD, S_IFLNK | 0777 },
	{ "environ", PN_ENVIRON, S_IFREG | 0400 },
	{ "exe", PN_EXE, S_IFLNK | 0777 },
	{ "fd", PN_FD, S_IFDIR | 0500 },
	{ "maps", PN_MAPS, S_IFREG | 0444 },
	{ "mounts", PN_PID_MOUNTS, S_IFREG | 0444 },
	{ "root", PN_ROOT_LINK, S_IFLNK | 0777 },
	{ "stat", PN_PID_STAT, S_IFREG | 0444 },
	{ "statm", PN_STATM, S_IFREG | 0444 },
	{ "status", PN_STATUS, S_IFREG | 0444 },
	{ "task", PN_TASK, S_IFDIR | 0555 },
};

static const struct inode_ops proc_iops;

u64 procfs_priv(u8 kind, pid_t pid, u32 sub)
{
	return (u64)(u32)pid << 32 | (u64)(sub & 0xffffff) << 8 | kind;
}

/* A new inode for node (@kind, @pid, @sub) below @parent (counted by it). */
static struct inode *node_new(struct inode *parent, u8 kind, u32 mode, pid_t pid, u32 sub)
{
	struct proc_owner own = { 0, 0 };
	struct inode *ino;

	if (pid > 0 && procfs_owner(pid, &own))
		return NULL;
	ino = inode_alloc(mode, own.uid, own.gid);
	if (!ino)
		return NULL;
	ino->iops = &proc_iops;
	ino->dev_minor = PROC_DEV_MINOR;
	ino->priv = procfs_priv(kind, pid, sub);
	ino->ino = PROC_INO_BASE + ((u64)(u32)pid << 12 | (u64)(sub & 0x3ff) << 7 | kind);
	ino->nlink = S_ISDIR(mode) ? 2 : 1;
	if (parent) {
		inode_get(parent);
		ino->parent = parent;
	}
	return ino;
}

/* Fill a symlink node's target; 0 or a negative errno (the process is gone). */
static int link_fill(struct inode *ino)
{
	char *buf = kmalloc(PATH_MAX);
	int len;

	if (!buf)
		return -ENOMEM;
	len = procfs_link_target(PN_KIND(ino->priv), PN_PID(ino->priv), PN_SUB(ino->priv),
				 buf, PATH_MAX);
	if (len < 0) {
		kfree(buf);
		return len;
	}
	ino->target = buf;
	ino->size = (u64)len;
	return 0;
}

static int make_node(struct inode *dir, const struct proc_entry *e, pid_t pid, u32 sub,
		     struct inode **out)
{
	struct inode *ino = node_new(dir, e->kind, e->mode, pid, sub);
	int err;

	if (!ino)
		return pid > 0 ? -ENOENT : -ENOMEM;
	if (S_ISLNK(e->mode)) {
		err = link_fill(ino);
		if (err) {
			inode_put(ino);
			return err == -ENOMEM ? err : -ENOENT;
		}
	}
	*out = ino;
	return 0;
}

static bool name_is(const char *name, size_t len, const char *s)
{
	return strlen(s) == len && !memcmp(name, s, len);
}

/* A decimal number made only of digits, without leading zeros; -1 if not. */
static long parse_num(const char *name, size_t len)
{
	long v = 0;

	if (!len || len > 9 || (name[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return v;
}

static int lookup_table(struct inode *dir, const struct proc_entry *tab, size_t n,
			const char *name, size_t len, pid_t pid, u32 sub, struct inode **out)
{
	for (size_t i = 0; i < n; i++) {
		/* A thread's directory has no task/ of its own. */
		if (tab[i].kind == PN_TASK && sub)
			continue;
		if (name_is(name, len, tab[i].name))
			return make_node(dir, &tab[i], pid, sub, out);
	}
	return -ENOENT;
}

static int proc_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	u8 kind = PN_KIND(dir->priv);
	pid_t pid = PN_PID(dir->priv);
	u32 sub = PN_SUB(dir->priv);
	long n;

	switch (kind) {
	case PN_ROOT:
		n = parse_num(name, len);
		if (n > 0) {
			struct proc_entry e = { "", PN_PID_DIR, S_IFDIR | 0555 };

			if (!procfs_task_exists((pid_t)n, 0))
				return -ENOENT;
			return make_node(dir, &e, (pid_t)n, 0, out);
		}
		return lookup_table(dir, root_entries, ARRAY_SIZE(root_entries), name, len, 0, 0,
				    out);
	case PN_SYS:
		return lookup_table(dir, sys_entries, ARRAY_SIZE(sys_entries), name, len, 0, 0, out);
	case PN_SYS_KERNEL:
		return lookup_table(dir, sys_kernel_entries, ARRAY_SIZE(sys_kernel_entries), name,
				    len, 0, 0, out);
	case PN_PID_DIR:
	case PN_TID_DIR:
		return lookup_table(dir, pid_entries, ARRAY_SIZE(pid_entries), name, len, pid, sub,
				    out);
	case PN_TASK:
		n = parse_num(name, len);
		if (n > 0 && procfs_task_exists(pid, (pid_t)n)) {
			struct proc_entry e = { "", PN_TID_DIR, S_IFDIR | 0555 };

			return make_node(dir, &e, pid, (u32)n, out);
		}
		return -ENOENT;
	case PN_FD:
		n = parse_num(name, len);
		if (n >= 0 && n < (long)nr_open_get() && procfs_fd_exists(pid, (int)n)) {
			struct proc_entry e = { "", PN_FD_LINK, S_IFLNK | 0700 };

			return make_node(dir, &e, pid, (u32)n, out);
		}
		return -ENOENT;
	default:
		return -ENOTDIR;
	}
}

int procfs_name_of(struct inode *ino, char *buf, size_t size)
{
	u8 kind = PN_KIND(ino->priv);
	const struct proc_entry *tabs[] = { root_entries, sys_entries, sys_kernel_entries,
					    pid_entries };
	const size_t lens[] = { ARRAY_SIZE(root_entries), ARRAY_SIZE(sys_entries),
				ARRAY_SIZE(sys_kernel_entries), ARRAY_SIZE(pid_entries) };
	int n;

	switch (kind) {
	case PN_PID_DIR:
		n = snprintf(buf, size, "%d", PN_PID(ino->priv));
		return n < (int)size ? n : -ENAMETOOLONG;
	case PN_TID_DIR:
	case PN_FD_LINK:
		n = snprintf(buf, size, "%u", PN_SUB(ino->priv));
		return n < (int)size ? n : -ENAMETOOLONG;
	}
	for (size_t t = 0; t < ARRAY_SIZE(tabs); t++) {
		for (size_t i = 0; i < lens[t]; i++) {
			if (tabs[t][i].kind != kind)
				continue;
			n = (int)strlen(tabs[t][i].name);
			if ((size_t)n + 1 > size)
				return -ENAMETOOLONG;
			memcpy(buf, tabs[t][i].name, (size_t)n + 1);
			return n;
		}
	}
	return -ENOENT;
}

/*
 * getdents over a generated list: @names(i) gives the i-th entry (false past
 * the end). Cookies: 0 ".", 1 "..", 2 + i the i-th entry.
 */
struct gen_dirent {
	char name[16];
	u64 ino;
	u8 type;
};

static bool gen_table(const struct proc_entry *tab, size_t n, u64 i, pid_t pid, u32 sub,
		      struct gen_dirent *out)
{
	size_t k = 0;

	for (size_t j = 0; j < n; j++) {
		if (tab[j].kind == PN_TASK && sub)
			continue;
		if (k++ != i)
			continue;
		strlcpy(out->name, tab[j].name, sizeof(out->name));
		out->type = S_ISDIR(tab[j].mode) ? DT_DIR : S_ISLNK(tab[j].mode) ? DT_LNK : DT_REG;
		out->ino = PROC_INO_BASE + ((u64)(u32)pid << 12 | (u64)(sub & 0x3ff) << 7 |
					    tab[j].kind);
		return true;
	}
	return false;
}

/* The i-th entry of @dir, or false at the end. */
static bool gen_entry(struct inode *dir, u64 i, struct gen_dirent *out)
{
	u8 kind = PN_KIND(dir->priv);
	pid_t pid = PN_PID(dir->priv);
	u32 sub = PN_SUB(dir->priv);
	size_t nroot = ARRAY_SIZE(root_entries);
	int id;

	switch (kind) {
	case PN_ROOT:
		if (i < nroot)
			return gen_table(root_entries, nroot, i, 0, 0, out);
		/* Then one directory per process, in pid order: cookie = 2 + nroot + pid. */
		id = procfs_next_pid((pid_t)(i - nroot));
		if (id <= 0)
			return false;
		out->type = DT_DIR;
		out->ino = PROC_INO_BASE + ((u64)(u32)id << 12 | PN_PID_DIR);
		snprintf(out->name, sizeof(out->name), "%d", id);
		return true;
	case PN_SYS:
		return gen_table(sys_entries, ARRAY_SIZE(sys_entries), i, 0, 0, out);
	case PN_SYS_KERNEL:
		return gen_table(sys_kernel_entries, ARRAY_SIZE(sys_kernel_entries), i, 0, 0, out);
	case PN_PID_DIR:
	case PN_TID_DIR:
		return gen_table(pid_entries, ARRAY_SIZE(pid_entries), i, pid, sub, out);
	case PN_TASK:
		id = procfs_next_tid(pid, (pid_t)i);
		if (id <= 0)
			return false;
		out->type = DT_DIR;
		out->ino = PROC_INO_BASE + ((u64)(u32)pid << 12 | (u64)(id & 0x3ff) << 7 | PN_TID_DIR);
		snprintf(out->name, sizeof(out->name), "%d", id);
		return true;
	case PN_FD:
		id = procfs_next_fd(pid, (int)i);
		if (id < 0)
			return false;
		out->type = DT_LNK;
		out->ino = PROC_INO_BASE + ((u64)(u32)pid << 12 | (u64)(id & 0x3ff) << 7 | PN_FD_LINK);
		snprintf(out->name, sizeof(out->name), "%d", id);
		return true;
	default:
		return false;
	}
}

/*
 * The index after entry @i: the tables are dense, while processes, threads
 * and descriptors are sparse, so for those the entry's own number decides.
 */
static u64 gen_next(struct inode *dir, u64 i, const struct gen_dirent *e)
{
	u8 kind = PN_KIND(dir->priv);
	size_t nroot = ARRAY_SIZE(root_entries);
	long n = parse_num(e->name, strlen(e->name));

	if (kind == PN_ROOT && i >= nroot)
		return nroot + (u64)n + 1;
	if (kind == PN_TASK || kind == PN_FD)
		return (u64)n + 1;
	return i + 1;
}

static long proc_getdents(struct inode *dir, u64 *pos, void __user *buf, size_t count)
{
	size_t cap = MIN(count, (size_t)GETDENTS_BUF_MAX), used = 0;
	struct gen_dirent e;
	struct inode *parent;
	bool full = false;
	u64 p = *pos, i;
	char *kbuf;
	long ret;

	kbuf = kmalloc(cap ? cap : 1);
	if (!kbuf)
		return -ENOMEM;
	if (p == 0) {
		full = !dirent_emit(kbuf, cap, &used, ".", 1, dir->ino, DT_DIR, 1);
		if (!full)
			p = 1;
	}
	if (p == 1 && !full) {
		parent = vfs_parent_get(dir);
		full = !dirent_emit(kbuf, cap, &used, "..", 2, parent ? parent->ino : dir->ino,
				    DT_DIR, 2);
		if (parent)
			inode_put(parent);
		if (!full)
			p = 2;
	}
	while (!full && gen_entry(dir, p - 2, &e)) {
		/* Sparse lists: the generator may skip ahead to the next live entry. */
		i = gen_next(dir, p - 2, &e);
		full = !dirent_emit(kbuf, cap, &used, e.name, strlen(e.name), e.ino, e.type, i + 2);
		if (!full)
			p = i + 2;
	}
	ret = (full && used == 0) ? -EINVAL : (long)used;
	if (ret > 0) {
		if (copy_to_user(buf, kbuf, used))
			ret = -EFAULT;
		else
			*pos = p;
	}
	kfree(kbuf);
	return ret;
}

/* ---- Open files: a rendered snapshot ---- */

struct proc_buf {
	char *data;
	size_t len;
};

static ssize_t pbuf_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	struct proc_buf *b = f->priv;
	size_t chunk;

	if (*pos >= b->len)
		return 0;
	chunk = MIN(n, b->len - (size_t)*pos);
	if (copy_to_user(buf, b->data + *pos, chunk))
		return -EFAULT;
	*pos += chunk;
	return (ssize_t)chunk;
}

static ssize_t pbuf_write(struct file *f, const void __user *buf, size_t n, u64 *pos)
{
	return -EIO;
}

static void pbuf_release(struct file *f)
{
	struct proc_buf *b = f->priv;

	kfree(b->data);
	kfree(b);
}

static const struct file_ops pbuf_ops = {
	.read = pbuf_read,
	.write = pbuf_write,
	.release = pbuf_release,
	.seekable = true,
};

static int proc_open(struct inode *ino, u32 flags, struct file **out)
{
	struct proc_buf *b;
	struct file *f;
	long len;

	/* Opening for writing passes the permission check (root may); writes fail EIO. */
	b = kzalloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	len = procfs_render(PN_KIND(ino->priv), PN_PID(ino->priv), PN_SUB(ino->priv), &b->data);
	if (len < 0) {
		kfree(b);
		return (int)len;
	}
	b->len = (size_t)len;
	f = file_alloc(ino, &pbuf_ops, (flags & (O_ACCMODE | O_NONBLOCK)) | LINUX_O_LARGEFILE, b);
	if (!f) {
		kfree(b->data);
		kfree(b);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

static const struct inode_ops proc_iops = {
	.lookup = proc_lookup,
	.getdents = proc_getdents,
	.open = proc_open,
};

struct inode *procfs_new_root(void)
{
	return node_new(NULL, PN_ROOT, S_IFDIR | 0555, 0, 0);
}
