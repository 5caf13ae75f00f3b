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
 *          filesystems,version,kpagecount,partitions,diskstats,vmstat,swaps}
 *   /proc/net/{dev,unix} (unix: net/af_unix.c renders it)
 *   /proc/sys/{fs,kernel,vm}/... (fs/procfs_sys.c)
 *   /proc/<pid>/{stat,status,cmdline,comm,environ,maps,statm,mounts,fd/,exe,
 *                cwd,root,smaps,smaps_rollup,pagemap,wchan,stack,oom_score,
 *                oom_score_adj,task/<tid>/...}
 *   (smaps & co.: fs/procfs_smaps.c; wchan and stack: fs/procfs_wchan.c)
 */
#include "internal.h"
#include "procfs.h"
#include "cpu.h"
#include "kmalloc.h"
#include "task.h"
#include "uaccess.h"
#include "mm.h"

#define PROC_INO_BASE	0x40000000ULL	/* procfs inode numbers live above tmpfs's */
#define GETDENTS_BUF_MAX	(64 * 1024)	/* bytes of records built per call */

struct proc_entry {
	const char *name;
	u8 kind;
	u32 mode;
	bool guarded;	/* behind the ptrace access check (procfs_may_inspect()) */
};

static const struct proc_entry root_entries[] = {
	{ "cpuinfo", PN_CPUINFO, S_IFREG | 0444 },
	{ "diskstats", PN_DISKSTATS, S_IFREG | 0444 },
	{ "filesystems", PN_FILESYSTEMS, S_IFREG | 0444 },
	{ "kpagecount", PN_KPAGECOUNT, S_IFREG | 0400 },
	{ "loadavg", PN_LOADAVG, S_IFREG | 0444 },
	{ "locks", PN_LOCKS, S_IFREG | 0444 },
	{ "meminfo", PN_MEMINFO, S_IFREG | 0444 },
	{ "mounts", PN_MOUNTS, S_IFREG | 0444 },
	{ "net", PN_NET, S_IFDIR | 0555 },
	{ "partitions", PN_PARTITIONS, S_IFREG | 0444 },
	{ "self", PN_SELF, S_IFLNK | 0777 },
	{ "slabinfo", PN_SLABINFO, S_IFREG | 0400 },
	{ "stat", PN_STAT, S_IFREG | 0444 },
	{ "swaps", PN_SWAPS, S_IFREG | 0444 },
	{ "sys", PN_SYS, S_IFDIR | 0555 },
	{ "thread-self", PN_THREAD_SELF, S_IFLNK | 0777 },
	{ "uptime", PN_UPTIME, S_IFREG | 0444 },
	{ "version", PN_VERSION, S_IFREG | 0444 },
	{ "vmstat", PN_VMSTAT, S_IFREG | 0444 },
};

/* Entries of /proc/net: the network interfaces and the sockets of each family (net/). */
static const struct proc_entry net_entries[] = {
	{ "dev", PN_NET_DEV, S_IFREG | 0444 },
	{ "tcp", PN_NET_TCP, S_IFREG | 0444 },
	{ "tcp6", PN_NET_TCP6, S_IFREG | 0444 },
	{ "udp", PN_NET_UDP, S_IFREG | 0444 },
	{ "udp6", PN_NET_UDP6, S_IFREG | 0444 },
	{ "unix", PN_NET_UNIX, S_IFREG | 0444 },
};

/*
 * Entries of /proc/<pid> and of /proc/<pid>/task/<tid> (no "task" there).
 * Guarded ones, as on Linux, need the ptrace access check: a symlink at
 * lookup (so readlink and following it fail with EACCES), a file or the fd/
 * directory at open.
 */
static const struct proc_entry pid_entries[] = {
	{ "cmdline", PN_CMDLINE, S_IFREG | 0444 },
	{ "comm", PN_COMM, S_IFREG | 0444 },
	{ "cwd", PN_CWD, S_IFLNK | 0777, true },
	{ "environ", PN_ENVIRON, S_IFREG | 0400, true },
	{ "exe", PN_EXE, S_IFLNK | 0777, true },
	{ "fd", PN_FD, S_IFDIR | 0500, true },
	{ "maps", PN_MAPS, S_IFREG | 0444, true },
	{ "mem", PN_MEM, S_IFREG | 0600, true },
	{ "mounts", PN_PID_MOUNTS, S_IFREG | 0444 },
	{ "oom_score", PN_OOM_SCORE, S_IFREG | 0444 },
	{ "oom_score_adj", PN_OOM_SCORE_ADJ, S_IFREG | 0644 },
	{ "pagemap", PN_PAGEMAP, S_IFREG | 0400, true },
	{ "root", PN_ROOT_LINK, S_IFLNK | 0777, true },
	{ "smaps", PN_SMAPS, S_IFREG | 0444, true },
	{ "smaps_rollup", PN_SMAPS_ROLLUP, S_IFREG | 0444, true },
	{ "stack", PN_STACK, S_IFREG | 0400, true },
	{ "stat", PN_PID_STAT, S_IFREG | 0444 },
	{ "statm", PN_STATM, S_IFREG | 0444 },
	{ "status", PN_STATUS, S_IFREG | 0444 },
	{ "task", PN_TASK, S_IFDIR | 0555 },
	{ "wchan", PN_WCHAN, S_IFREG | 0444 },
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
	/* Linux's proc_fd_permission: a process may always list its own fd/,
	 * even when not dumpable (its files are root's then). */
	if (kind == PN_FD && current->proc && pid == current->proc->pid)
		fs_cred(&own.uid, &own.gid, false);
	ino = inode_alloc(mode, own.uid, own.gid);
	if (!ino)
		return NULL;
	ino->iops = &proc_iops;
	ino->dev_minor = PROC_DEV_MINOR;
	if (parent && parent->sb && inode_attach_sb(ino, parent->sb)) {
		inode_put(ino);
		return NULL;
	}
	ino->priv = procfs_priv(kind, pid, sub);
	ino->ino = PROC_INO_BASE + ((u64)(u32)pid << 12 | (u64)(sub & 0x3ff) << 7 | kind);
	ino->nlink = S_ISDIR(mode) ? 2 : 1;
	procfs_times_apply(ino);
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

/* Is node @kind of a process behind the ptrace access check? */
static bool kind_guarded(u8 kind)
{
	if (kind == PN_FD_LINK)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(pid_entries); i++)
		if (pid_entries[i].kind == kind)
			return pid_entries[i].guarded;
	return false;
}

static int make_node(struct inode *dir, const struct proc_entry *e, pid_t pid, u32 sub,
		     struct inode **out)
{
	struct inode *ino;
	int err;

	if (pid > 0 && S_ISLNK(e->mode) && kind_guarded(e->kind)) {
		err = procfs_may_inspect(pid);
		if (err)
			return err == -ESRCH ? -ENOENT : err;
	}
	ino = node_new(dir, e->kind, e->mode, pid, sub);

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
		for (u32 d = 0; d < procfs_sys_dir_count(); d++) {
			struct proc_entry e = { "", PN_SYS_DIR, S_IFDIR | 0555 };

			if (name_is(name, len, procfs_sys_dir_name(d)))
				return make_node(dir, &e, 0, d, out);
		}
		return -ENOENT;
	case PN_SYS_DIR: {
		int idx = procfs_sys_find(sub, name, len);
		u32 mode = 0;

		if (idx < 0 && (idx = procfs_sys_subdir_find(sub, name, len)) >= 0) {
			struct proc_entry d = { "", PN_SYS_DIR, S_IFDIR | 0555 };

			return make_node(dir, &d, 0, (u32)idx, out);
		}
		if (idx < 0)
			return -ENOENT;
		procfs_sys_name((u32)idx, &mode);
		struct proc_entry e = { "", PN_SYSCTL, S_IFREG | mode };

		return make_node(dir, &e, 0, (u32)idx, out);
	}
	case PN_NET:
		return lookup_table(dir, net_entries, ARRAY_SIZE(net_entries), name, len, 0, 0,
				    out);
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
		n = procfs_may_inspect(pid);
		if (n)
			return n == -ESRCH ? -ENOENT : (int)n;
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
	const struct proc_entry *tabs[] = { root_entries, pid_entries, net_entries };
	const size_t lens[] = { ARRAY_SIZE(root_entries), ARRAY_SIZE(pid_entries),
				ARRAY_SIZE(net_entries) };
	const char *sname;
	int n;

	switch (kind) {
	case PN_SYS_DIR:
	case PN_SYSCTL:
		sname = kind == PN_SYS_DIR ? procfs_sys_dir_name(PN_SUB(ino->priv)) :
					     procfs_sys_name(PN_SUB(ino->priv), NULL);
		if (!sname)
			return -ENOENT;
		n = snprintf(buf, size, "%s", sname);
		return n < (int)size ? n : -ENAMETOOLONG;
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
	char name[32];
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
		if (i >= procfs_sys_dir_count())
			return false;
		strlcpy(out->name, procfs_sys_dir_name((u32)i), sizeof(out->name));
		out->type = DT_DIR;
		out->ino = PROC_INO_BASE + ((u64)(i & 0x3ff) << 7 | PN_SYS_DIR);
		return true;
	case PN_SYS_DIR: {
		const char *name;
		u32 mode;

		id = procfs_sys_entry(sub, (u32)i, &name, &mode);
		if (id < 0 && (id = procfs_sys_subdir(sub, (u32)i)) >= 0) {
			strlcpy(out->name, procfs_sys_dir_name((u32)id), sizeof(out->name));
			out->type = DT_DIR;
			out->ino = PROC_INO_BASE + ((u64)(id & 0x3ff) << 7 | PN_SYS_DIR);
			return true;
		}
		if (id < 0)
			return false;
		strlcpy(out->name, name, sizeof(out->name));
		out->type = DT_REG;
		out->ino = PROC_INO_BASE + ((u64)(id & 0x3ff) << 7 | PN_SYSCTL);
		return true;
	}
	case PN_NET:
		return gen_table(net_entries, ARRAY_SIZE(net_entries), i, 0, 0, out);
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

	if (PN_KIND(dir->priv) == PN_FD) {
		int err = procfs_may_inspect(PN_PID(dir->priv));

		if (err)
			return err == -ESRCH ? -ENOENT : err;
	}
	kbuf = kvmalloc(cap ? cap : 1);
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
	u64 node;		/* the inode's priv: what a write goes to */
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

#define SYSCTL_WRITE_MAX	256	/* bytes: longer values are refused */

/*
 * /proc/PID/oom_score_adj: one decimal integer, white space around it
 * allowed (Linux's kstrtoint after strstrip); -EINVAL otherwise.
 */
static int oom_adj_store(pid_t pid, const char *text)
{
	long v = 0;
	bool neg = false, any = false;
	const char *p = text;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	for (; *p >= '0' && *p <= '9'; p++) {
		any = true;
		if (v > 100000)
			return -EINVAL;
		v = v * 10 + (*p - '0');
	}
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!any || *p)
		return -EINVAL;
	return oom_score_adj_set(pid, neg ? -v : v);
}

/*
 * Writes: /proc/sys files and /proc/PID/oom_score_adj take them, parsed and
 * applied at once so a bad value fails this write(2) with EINVAL. As with
 * Linux's default sysctl_writes_strict, a write at a non-zero offset to a
 * /proc/sys file changes nothing.
 */
static ssize_t pbuf_write(struct file *f, struct io_src src, size_t n, u64 *pos)
{
	struct proc_buf *b = f->priv;
	u8 kind = PN_KIND(b->node);
	char *text;
	int err;

	if (kind != PN_SYSCTL && kind != PN_OOM_SCORE_ADJ)
		return -EIO;
	if (*pos && kind == PN_SYSCTL) {
		*pos += n;
		return (ssize_t)n;
	}
	if (n > SYSCTL_WRITE_MAX)
		return -EINVAL;
	text = kmalloc(n + 1);
	if (!text)
		return -ENOMEM;
	if (io_src_copy(text, src, 0, n)) {
		kfree(text);
		return -EFAULT;
	}
	text[n] = '\0';
	if (strlen(text) != n)
		err = -EINVAL;
	else if (kind == PN_SYSCTL)
		err = procfs_sys_store(PN_SUB(b->node), text);
	else
		err = oom_adj_store(PN_PID(b->node), text);
	kfree(text);
	if (err)
		return err;
	*pos += n;
	return (ssize_t)n;
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

	/* /proc/sys: the mode binds root too (Linux's proc_sys_permission). Other
	 * files: opening for writing passes the permission check (root may);
	 * writes fail EIO. */
	if (PN_KIND(ino->priv) == PN_SYSCTL && (flags & O_ACCMODE) != O_RDONLY &&
	    !(ino->mode & 0200))
		return -EACCES;
	if (PN_PID(ino->priv) > 0 && kind_guarded(PN_KIND(ino->priv))) {
		int err = procfs_may_inspect(PN_PID(ino->priv));

		if (err)
			return err == -ESRCH ? -ENOENT : err;
	}
	if (PN_KIND(ino->priv) == PN_PAGEMAP || PN_KIND(ino->priv) == PN_KPAGECOUNT)
		return procfs_open_pagemap(ino, flags, out);
	if (PN_KIND(ino->priv) == PN_MEM)
		return procfs_open_mem(ino, flags, out);
	b = kzalloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->node = ino->priv;
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
