/*
 * /proc/sys: the kernel's tunables as text files (proc_sys_kernel(5),
 * proc_sys_fs(5), proc_sys_vm(5)). Each file is one row of sysctl_table:
 * its directory, name, mode and a show/store pair. The value itself lives
 * with the code that honours it (the pid map, the IPC code, pipes, mm);
 * this file only formats, parses and checks as Linux's proc_dointvec,
 * proc_dointvec_minmax and proc_doulongvec_minmax do:
 *   - a read gives the value and a newline (several values: tab-separated);
 *   - a write is parsed at write(2) time: anything but an optional sign,
 *     digits and trailing white space, or a value out of range, is -EINVAL
 *     and changes nothing; a write at a non-zero offset is ignored (Linux's
 *     default sysctl_writes_strict);
 *   - write permission is the mode's, for root too (a 0444 file is read-only
 *     for everyone).
 *
 * Adding a file is one row: for an integer owned elsewhere, point .get/.set
 * at its accessors (the setter validates and returns 0 or -EINVAL) and give
 * .min/.max; for a string, .sget/.sset with sysctl_str_show/store.
 */
#include "internal.h"
#include "procfs.h"
#include "ipc.h"
#include "kmalloc.h"
#include "task.h"
#include "mm.h"
#include "swap.h"
#include "uapi/ipc.h"
#include "coredump.h"
#include "net.h"
#include "fsnotify.h"

#define SYSCTL_WRITE_MAX	256	/* bytes of one write that are parsed */
#define INT_MAX_		0x7fffffffL

struct sysctl_entry;

typedef int (*sysctl_show_fn)(const struct sysctl_entry *e, char *buf, size_t size);
typedef int (*sysctl_store_fn)(const struct sysctl_entry *e, const char *buf);

struct sysctl_entry {
	u8 dir;			/* index in sysctl_dirs */
	const char *name;
	u16 mode;		/* permission bits */
	sysctl_show_fn show;	/* text into buf; its length */
	sysctl_store_fn store;	/* parse the NUL-terminated text; 0 or -EINVAL */
	int *ival;		/* sysctl_int_*: the variable, or NULL with get/set */
	u64 *uval;		/* sysctl_ulong_*: the variable */
	long (*get)(void);	/* sysctl_int_*: read the owner's value */
	int (*set)(long v);	/* sysctl_int_*: the owner's validating setter */
	int (*sget)(char *buf, size_t size);	/* sysctl_str_*: owner's string */
	int (*sset)(const char *s);		/* sysctl_str_*: 0 or -EINVAL */
	long min, max;		/* sysctl_int_store bounds, inclusive */
};

/* Top-level directories first (SD_COUNT of them), then subdirectories. */
enum { SD_FS, SD_KERNEL, SD_VM, SD_NET, SD_COUNT, SD_FS_INOTIFY = SD_COUNT, SD_ALL };
static const char *const sysctl_dirs[SD_ALL] = { "fs", "kernel", "vm", "net", "inotify" };
/* The directory each subdirectory is in (top-level ones: -1). */
static const s8 sysctl_dir_parent[SD_ALL] = { -1, -1, -1, -1, SD_FS };

/* /proc/sys/kernel/tainted: the taint flags (proc_sys_kernel(5)); nothing in
 * the kernel taints it yet, root may set bits (never clear them). [a] */
static u64 kernel_tainted;

/* ---- Parsing, as Linux's proc_get_long() ---- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * One decimal integer at *@s (leading white space skipped); *@s moves past
 * it. 0, or -EINVAL when there is no number, it overflows, or it is not
 * followed by white space or the end.
 */
static int parse_long(const char **s, bool *neg, u64 *val)
{
	const char *p = *s;
	u64 v = 0;
	bool any = false;

	while (is_space(*p))
		p++;
	*neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	while (*p >= '0' && *p <= '9') {
		u64 d = (u64)(*p - '0');

		if (v > (~0ULL - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
		any = true;
		p++;
	}
	if (!any || (*p && !is_space(*p)))
		return -EINVAL;
	*s = p;
	*val = v;
	return 0;
}

/* Nothing but white space left at @s? */
static bool only_space(const char *s)
{
	while (is_space(*s))
		s++;
	return !*s;
}

/* A signed value in [@min, @max] from @s (the whole text). */
static int parse_int_range(const char **s, long min, long max, long *out)
{
	bool neg;
	u64 v;

	if (parse_long(s, &neg, &v))
		return -EINVAL;
	if (v > (u64)INT_MAX_ + (neg ? 1 : 0))
		return -EINVAL;
	*out = neg ? -(long)v : (long)v;
	if (*out < min || *out > max)
		return -EINVAL;
	return 0;
}

/* ---- Handlers ---- */

static long int_value(const struct sysctl_entry *e)
{
	return e->get ? e->get() : __atomic_load_n(e->ival, __ATOMIC_RELAXED);
}

static int sysctl_int_show(const struct sysctl_entry *e, char *buf, size_t size)
{
	return snprintf(buf, size, "%ld\n", int_value(e));
}

static int sysctl_int_store(const struct sysctl_entry *e, const char *buf)
{
	long v;

	if (parse_int_range(&buf, e->min, e->max, &v) || !only_space(buf))
		return -EINVAL;
	if (e->set)
		return e->set(v);
	__atomic_store_n(e->ival, (int)v, __ATOMIC_RELAXED);
	return 0;
}

static int sysctl_ulong_show(const struct sysctl_entry *e, char *buf, size_t size)
{
	return snprintf(buf, size, "%lu\n", (unsigned long)__atomic_load_n(e->uval,
									  __ATOMIC_RELAXED));
}

/* proc_doulongvec_minmax: a negative value is skipped, not refused. */
static int sysctl_ulong_store(const struct sysctl_entry *e, const char *buf)
{
	bool neg;
	u64 v;

	if (parse_long(&buf, &neg, &v) || !only_space(buf))
		return -EINVAL;
	if (!neg)
		__atomic_store_n(e->uval, v, __ATOMIC_RELAXED);
	return 0;
}

static int sysctl_str_show(const struct sysctl_entry *e, char *buf, size_t size)
{
	int n = e->sget(buf, size > 1 ? size - 1 : size);

	if (n < 0)
		return n;
	buf[n++] = '\n';
	return n;
}

/* A string value: the text up to the first newline (proc_dostring). */
static int sysctl_str_store(const struct sysctl_entry *e, const char *buf)
{
	char tmp[SYSCTL_WRITE_MAX + 1];
	size_t n = strlen(buf);

	if (n > SYSCTL_WRITE_MAX)
		n = SYSCTL_WRITE_MAX;
	memcpy(tmp, buf, n);
	tmp[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (tmp[i] == '\n')
			tmp[i] = '\0';
	return e->sset(tmp);
}

/* kernel/sem: SEMMSL SEMMNS SEMOPM SEMMNI, tab-separated; SEMMNI <= IPCMNI. */
static int sem_show(const struct sysctl_entry *e, char *buf, size_t size)
{
	return snprintf(buf, size, "%d\t%d\t%d\t%d\n",
			__atomic_load_n(&ipc_sem[0], __ATOMIC_RELAXED),
			__atomic_load_n(&ipc_sem[1], __ATOMIC_RELAXED),
			__atomic_load_n(&ipc_sem[2], __ATOMIC_RELAXED),
			__atomic_load_n(&ipc_sem[3], __ATOMIC_RELAXED));
}

/* Like Linux, fewer than four values change only the first ones. */
static int sem_store(const struct sysctl_entry *e, const char *buf)
{
	long v[4];
	int n = 0;

	while (n < 4 && !only_space(buf)) {
		if (parse_int_range(&buf, -INT_MAX_ - 1, INT_MAX_, &v[n]))
			return -EINVAL;
		n++;
	}
	if (!n || !only_space(buf))
		return -EINVAL;
	if (n == 4 && (v[3] < 0 || v[3] > LINUX_IPCMNI))
		return -EINVAL;
	for (int i = 0; i < n; i++)
		__atomic_store_n(&ipc_sem[i], (int)v[i], __ATOMIC_RELAXED);
	return 0;
}

static int tainted_show(const struct sysctl_entry *e, char *buf, size_t size)
{
	return snprintf(buf, size, "%lu\n",
			(unsigned long)__atomic_load_n(&kernel_tainted, __ATOMIC_RELAXED));
}

/* proc_taint: the bits written are added; none is ever cleared. */
static int tainted_store(const struct sysctl_entry *e, const char *buf)
{
	bool neg;
	u64 v;

	if (parse_long(&buf, &neg, &v) || neg || !only_space(buf))
		return -EINVAL;
	__atomic_or_fetch(&kernel_tainted, v, __ATOMIC_RELAXED);
	return 0;
}

/* fs/pipe-max-size: stored as pipe_set_max_size() rounds it. */
static int pipe_max_store(const struct sysctl_entry *e, const char *buf)
{
	bool neg;
	u64 v;

	if (parse_long(&buf, &neg, &v) || neg || !only_space(buf) || v > 0xffffffffULL)
		return -EINVAL;
	return pipe_max_size_set((u32)v);
}

/*
 * The files. Writable integers carry Linux's bounds; a setter (pid_max,
 * threads-max, overcommit) applies the value where it is honoured.
 */
/* The owners' values behind kernel/core_pattern, fs/nr_open and vm/max_map_count. */
static int core_pattern_sget(char *buf, size_t size)
{
	return (int)core_pattern_get(buf, size);
}

static int core_pattern_sset(const char *s)
{
	return core_pattern_set(s, strlen(s));
}

static long nr_open_lget(void)
{
	return (long)nr_open_get();
}

static int nr_open_lset(long v)
{
	return nr_open_set((u64)v);
}

static long max_map_count_get(void)
{
	return __atomic_load_n(&vm_max_map_count, __ATOMIC_RELAXED);
}

static const struct sysctl_entry sysctl_table[] = {
	{ SD_FS, "nr_open", 0644, sysctl_int_show, sysctl_int_store,
	  .get = nr_open_lget, .set = nr_open_lset, .min = 64, .max = 2147483584L },
	{ SD_FS, "pipe-max-size", 0644, sysctl_int_show, pipe_max_store,
	  .get = pipe_max_size_get },
	{ SD_FS, "pipe-user-pages-hard", 0644, sysctl_int_show, sysctl_int_store,
	  .get = pipe_user_pages_hard_get, .set = pipe_user_pages_hard_set,
	  .min = 0, .max = INT_MAX_ },
	{ SD_FS, "pipe-user-pages-soft", 0644, sysctl_int_show, sysctl_int_store,
	  .get = pipe_user_pages_soft_get, .set = pipe_user_pages_soft_set,
	  .min = 0, .max = INT_MAX_ },
	{ SD_FS_INOTIFY, "max_queued_events", 0644, sysctl_int_show, sysctl_int_store,
	  .get = inotify_max_queued_events_get, .set = inotify_max_queued_events_set,
	  .min = 0, .max = INT_MAX_ },
	{ SD_FS_INOTIFY, "max_user_instances", 0644, sysctl_int_show, sysctl_int_store,
	  .get = inotify_max_user_instances_get, .set = inotify_max_user_instances_set,
	  .min = 0, .max = INT_MAX_ },
	{ SD_FS_INOTIFY, "max_user_watches", 0644, sysctl_int_show, sysctl_int_store,
	  .get = inotify_max_user_watches_get, .set = inotify_max_user_watches_set,
	  .min = 0, .max = INT_MAX_ },
	{ SD_KERNEL, "core_pattern", 0644, sysctl_str_show, sysctl_str_store,
	  .sget = core_pattern_sget, .sset = core_pattern_sset },
	{ SD_KERNEL, "msgmax", 0644, sysctl_int_show, sysctl_int_store, .ival = &ipc_msgmax,
	  .min = 0, .max = INT_MAX_ },
	{ SD_KERNEL, "msgmnb", 0644, sysctl_int_show, sysctl_int_store, .ival = &ipc_msgmnb,
	  .min = 0, .max = INT_MAX_ },
	{ SD_KERNEL, "msgmni", 0644, sysctl_int_show, sysctl_int_store, .ival = &ipc_msgmni,
	  .min = 0, .max = LINUX_IPCMNI },
	{ SD_KERNEL, "pid_max", 0644, sysctl_int_show, sysctl_int_store,
	  .get = pid_max_get, .set = pid_max_set, .min = 301, .max = 4194304 },
	{ SD_KERNEL, "sem", 0644, sem_show, sem_store },
	{ SD_KERNEL, "shmall", 0644, sysctl_ulong_show, sysctl_ulong_store, .uval = &ipc_shmall },
	{ SD_KERNEL, "shmmax", 0644, sysctl_ulong_show, sysctl_ulong_store, .uval = &ipc_shmmax },
	{ SD_KERNEL, "shmmni", 0644, sysctl_int_show, sysctl_int_store, .ival = &ipc_shmmni,
	  .min = 0, .max = LINUX_IPCMNI },
	{ SD_KERNEL, "tainted", 0644, tainted_show, tainted_store },
	{ SD_KERNEL, "threads-max", 0644, sysctl_int_show, sysctl_int_store,
	  .get = threads_max_get, .set = threads_max_set, .min = 1, .max = 0x3fffffff },
	/* Sprout's own: the lossy loopback that tests TCP's retransmission (net/lwip/port.c). */
	{ SD_NET, "sprout_lo_drop_every", 0644, sysctl_int_show, sysctl_int_store,
	  .get = net_lo_drop_every, .set = net_lo_set_drop_every, .min = 0, .max = 1000000 },
	/* Sprout's own: TCP's maximum segment lifetime, TIME_WAIT's half (net/lwip/port.c). */
	{ SD_NET, "sprout_tcp_msl_ms", 0644, sysctl_int_show, sysctl_int_store,
	  .get = net_tcp_msl_ms, .set = net_set_tcp_msl_ms, .min = 1, .max = 600000 },
	{ SD_VM, "max_map_count", 0644, sysctl_int_show, sysctl_int_store,
	  .get = max_map_count_get, .set = vm_set_max_map_count, .min = 0, .max = INT_MAX_ },
	{ SD_VM, "overcommit_memory", 0644, sysctl_int_show, sysctl_int_store,
	  .get = vm_overcommit_get, .set = vm_overcommit_set, .min = 0, .max = 2 },
	{ SD_VM, "page-cluster", 0644, sysctl_int_show, sysctl_int_store,
	  .get = swap_page_cluster_get, .set = swap_page_cluster_set, .min = 0, .max = 31 },
	/* Sprout's own: 0 makes large kernel buffers and kernel stacks come from the kernel
	 * mapped area even when a contiguous block is free, to test it (mm/vmalloc.c). */
	{ SD_VM, "sprout_kvmalloc_contig", 0644, sysctl_int_show, sysctl_int_store,
	  .ival = &kvmalloc_contig, .min = 0, .max = 1 },
};

u32 procfs_sys_dir_count(void)
{
	return SD_COUNT;
}

const char *procfs_sys_dir_name(u32 dir)
{
	return dir < SD_ALL ? sysctl_dirs[dir] : NULL;
}

int procfs_sys_subdir(u32 dir, u32 i)
{
	u32 k = 0;

	for (u32 j = 0; j < ARRAY_SIZE(sysctl_table); j++)
		k += sysctl_table[j].dir == dir;
	if (i < k)
		return -ENOENT;
	i -= k;
	for (u32 d = SD_COUNT; d < SD_ALL; d++)
		if (sysctl_dir_parent[d] == (s8)dir && !i--)
			return (int)d;
	return -ENOENT;
}

int procfs_sys_subdir_find(u32 dir, const char *name, size_t len)
{
	for (u32 d = SD_COUNT; d < SD_ALL; d++)
		if (sysctl_dir_parent[d] == (s8)dir && strlen(sysctl_dirs[d]) == len &&
		    !memcmp(sysctl_dirs[d], name, len))
			return (int)d;
	return -ENOENT;
}

int procfs_sys_entry(u32 dir, u32 i, const char **name, u32 *mode)
{
	u32 k = 0;

	for (u32 j = 0; j < ARRAY_SIZE(sysctl_table); j++) {
		if (sysctl_table[j].dir != dir || k++ != i)
			continue;
		*name = sysctl_table[j].name;
		*mode = sysctl_table[j].mode;
		return (int)j;
	}
	return -ENOENT;
}

int procfs_sys_find(u32 dir, const char *name, size_t len)
{
	for (u32 j = 0; j < ARRAY_SIZE(sysctl_table); j++) {
		const struct sysctl_entry *e = &sysctl_table[j];

		if (e->dir == dir && strlen(e->name) == len && !memcmp(e->name, name, len))
			return (int)j;
	}
	return -ENOENT;
}

const char *procfs_sys_name(u32 index, u32 *mode)
{
	if (index >= ARRAY_SIZE(sysctl_table))
		return NULL;
	if (mode)
		*mode = sysctl_table[index].mode;
	return sysctl_table[index].name;
}

long procfs_sys_show(u32 index, char *buf, size_t size)
{
	const struct sysctl_entry *e;
	int n;

	if (index >= ARRAY_SIZE(sysctl_table))
		return -ENOENT;
	e = &sysctl_table[index];
	n = e->show(e, buf, size);
	return n < 0 ? n : MIN((long)n, (long)size - 1);
}

int procfs_sys_store(u32 index, const char *text)
{
	const struct sysctl_entry *e;

	if (index >= ARRAY_SIZE(sysctl_table))
		return -ENOENT;
	e = &sysctl_table[index];
	if (!(e->mode & 0222) || !e->store)
		return -EACCES;
	return e->store(e, text);
}
