/*
 * procfs internals shared by fs/procfs.c (the tree) and fs/procfs_show.c
 * (what the files say). A node is (kind, pid, sub) packed into inode->priv:
 * sub is a tid for /proc/<pid>/task/<tid> and a descriptor for fd/<n>.
 */
#ifndef SPROUT_FS_PROCFS_H
#define SPROUT_FS_PROCFS_H

#include "types.h"

enum proc_node {
	PN_ROOT = 1, PN_SELF, PN_THREAD_SELF, PN_MEMINFO, PN_STAT, PN_UPTIME, PN_LOADAVG,
	PN_CPUINFO, PN_MOUNTS, PN_FILESYSTEMS, PN_VERSION, PN_SYS, PN_SYS_DIR, PN_SYSCTL,
	PN_PID_DIR, PN_TID_DIR, PN_TASK, PN_FD, PN_FD_LINK,
	PN_PID_STAT, PN_STATUS, PN_CMDLINE, PN_COMM, PN_ENVIRON, PN_MAPS, PN_STATM,
	PN_PID_MOUNTS, PN_EXE, PN_CWD, PN_ROOT_LINK,
	PN_SMAPS, PN_SMAPS_ROLLUP, PN_PAGEMAP, PN_KPAGECOUNT, PN_WCHAN, PN_STACK,
	PN_PARTITIONS, PN_DISKSTATS, PN_NET, PN_NET_DEV, PN_NET_UNIX,
	PN_OOM_SCORE, PN_OOM_SCORE_ADJ, PN_VMSTAT, PN_SWAPS, PN_MEM,
	PN_NET_TCP, PN_NET_TCP6, PN_NET_UDP, PN_NET_UDP6,
	PN_LOCKS, PN_SLABINFO,
};

#define PN_KIND(priv)	((u8)((priv) & 0xff))
#define PN_SUB(priv)	((u32)(((priv) >> 8) & 0xffffff))
#define PN_PID(priv)	((pid_t)((priv) >> 32))

struct proc_owner {
	uid_t uid;
	gid_t gid;
};

/* procfs_priv - pack a node. */
u64 procfs_priv(u8 kind, pid_t pid, u32 sub);
/* procfs_owner - effective ids of process @pid (its /proc files' owner);
 * 0 or -ESRCH. Takes tasklist_lock. */
int procfs_owner(pid_t pid, struct proc_owner *own);
/* procfs_may_inspect - may current see inside process @pid (maps, exe, cwd,
 * root, environ, fd/: Linux's ptrace access check, cred_may_inspect())?
 * 0, -EACCES or -ESRCH. Takes tasklist_lock. */
int procfs_may_inspect(pid_t pid);
/* procfs_task_exists - process @pid exists (alive or zombie) and, when @tid
 * is not 0, has thread @tid. */
bool procfs_task_exists(pid_t pid, pid_t tid);
/* procfs_next_pid/tid/fd - the smallest pid, tid of @pid, or open
 * descriptor of @pid that is >= @from; <= 0 (fd: < 0) when none. */
pid_t procfs_next_pid(pid_t from);
pid_t procfs_next_tid(pid_t pid, pid_t from);
int procfs_next_fd(pid_t pid, int from);
bool procfs_fd_exists(pid_t pid, int fd);
/* procfs_link_target - the target of symlink node (@kind, @pid, @sub) into
 * @buf (@size bytes); its length or -ENOENT/-ESRCH. May sleep. */
int procfs_link_target(u8 kind, pid_t pid, u32 sub, char *buf, size_t size);
/* procfs_render - the text of file node (@kind, @pid, @sub) in a new
 * kmalloc'd buffer *@out; its length or -ESRCH, -ENOMEM. May sleep. */
long procfs_render(u8 kind, pid_t pid, u32 sub, char **out);

/*
 * /proc/sys (fs/procfs_sys.c). Directories are numbered 0..count-1; a file
 * is its index in the table. procfs_sys_entry - the @i-th file of @dir:
 * its index (and name, mode), or -ENOENT past the end. procfs_sys_find -
 * the index of @dir's file @name (@len bytes) or -ENOENT. procfs_sys_name -
 * name and mode of file @index, NULL if none. procfs_sys_show - the text of
 * @index into @buf (@size bytes); its length. procfs_sys_store - parse and
 * apply NUL-terminated @text: 0, -EINVAL (bad value) or -EACCES (read-only).
 * No lock held by callers; the values are atomic. Sleep: no.
 */
u32 procfs_sys_dir_count(void);
const char *procfs_sys_dir_name(u32 dir);
int procfs_sys_entry(u32 dir, u32 i, const char **name, u32 *mode);
int procfs_sys_find(u32 dir, const char *name, size_t len);
const char *procfs_sys_name(u32 index, u32 *mode);
long procfs_sys_show(u32 index, char *buf, size_t size);
int procfs_sys_store(u32 index, const char *text);
/* procfs_sys_subdir - the directory that is entry @i of directory @dir when
 * @i is past its files (subdirectories follow the files, as fs/inotify in
 * fs), or -ENOENT. procfs_sys_subdir_find - @dir's subdirectory @name (@len
 * bytes), or -ENOENT. Directory numbers from procfs_sys_dir_count() on are
 * subdirectories. */
int procfs_sys_subdir(u32 dir, u32 i);
int procfs_sys_subdir_find(u32 dir, const char *name, size_t len);

/*
 * fs/procfs_smaps.c: procfs_mm_of - a counted reference to the address
 * space of @pid (thread @tid, 0 = the first), NULL for a zombie, a kernel
 * thread or no such process; takes tasklist_lock. procfs_render_smaps -
 * the text of smaps or smaps_rollup (node @kind) in a new kmalloc'd *@out;
 * its length or -ESRCH, -ENOMEM; takes the mm lock; may sleep.
 * procfs_open_pagemap - open pagemap or kpagecount (@ino's node), binary
 * files read in place: 0, -EACCES (not read-only), -EPERM (kpagecount
 * without root), -ENOENT, -ENOMEM. proc(5), pagemap.rst.
 */
struct mm;
struct file;
struct inode;
struct mm *procfs_mm_of(pid_t pid, pid_t tid);
long procfs_render_smaps(u8 kind, pid_t pid, u32 sub, char **out);
int procfs_open_pagemap(struct inode *ino, u32 flags, struct file **out);
/* fs/procfs_mem.c: procfs_open_mem - open /proc/PID/mem (@ino's node) for
 * reading and writing at offset = address; the caller has made the access
 * check. 0, -ENOENT, -ENOMEM. proc(5). */
int procfs_open_mem(struct inode *ino, u32 flags, struct file **out);
/* fs/procfs_wchan.c: the text of wchan or stack (node @kind) of @pid (thread
 * @sub, 0 = the first) in a new kmalloc'd *@out; its length, or -ESRCH,
 * -EACCES (stack without root), -ENOMEM. Takes tasklist_lock. proc(5). */
long procfs_render_wchan(u8 kind, pid_t pid, u32 sub, char **out);

#endif
