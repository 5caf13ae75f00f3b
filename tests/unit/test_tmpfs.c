/*
 * Host tests for the file-system layer (fs/): the file syscalls driven the
 * way user programs call them, against the tmpfs root, with the kernel
 * services below fs/ replaced by small stubs (heap, pages, locks, user
 * copies are plain memcpy). The stubs also check lock rules: no spinlock
 * and no inode lock may be held across a user copy, and a mutex is never
 * taken twice. `current` is a fake task reached through GS, as in the kernel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

/* The kernel's sigset_t is not the C library's; only the name clashes here. */
#define sigset_t kernel_sigset_t
#include "fs.h"
#include "../../fs/internal.h"
#include "cpu.h"
#include "task.h"
#undef sigset_t
#undef current	/* the test reaches the fake task through fake_cpu directly */
#include "page.h"
#include "kmalloc.h"
#include "uaccess.h"
#include "lib/cpio.h"
#include "uapi/errno.h"
#include "uapi/fcntl.h"
#include "uapi/stat.h"
#include "uapi/ioctl.h"

/* ---- stubs of the kernel services fs/ uses ---- */

static int spin_depth, inode_locks_held;
static long pages_live;

void *kmalloc(size_t size) { return malloc(size ? size : 1); }
void *kzalloc(size_t size) { return calloc(1, size ? size : 1); }
void *kvmalloc(size_t size) { return kmalloc(size); }
void *kvzalloc(size_t size) { return kzalloc(size); }
void kfree(void *p) { free(p); }

struct page *page_alloc(unsigned order, bool zero)
{
	struct page *p = calloc(1, sizeof(*p));

	p->refcount = 1;
	p->priv = calloc(1, PAGE_SIZE << order);
	pages_live++;
	return p;
}

void page_put_order(struct page *p, unsigned order)
{
	assert_true(p->refcount > 0);
	if (--p->refcount == 0) {
		free(p->priv);
		free(p);
		pages_live--;
	}
}

void *page_address(const struct page *p) { return p->priv; }

/* mm/reclaim.c, mm/lru.c, mm/shmem_swap.c: no swap in these tests, so no page of a file is
 * ever in swap and a page that cannot be had is an error at once. */
struct page *user_page_alloc(bool zero) { return page_alloc(0, zero); }
bool swap_active(void) { return false; }
u64 mm_reclaim(u64 target) { return 0; }
bool reclaim_below_min(void) { return false; }
void lru_add_file(struct page *pg, struct inode *ino, u64 index) { pg->mapping = ino; }
void lru_forget_file(struct page *pg) { pg->mapping = NULL; }
int shmem_swap_in(struct inode *ino, u64 pgoff) { fail_msg("no page is in swap here"); return -EIO; }
void shmem_swap_free(struct inode *ino, u64 entry) { fail_msg("no page is in swap here"); }

void mutex_init(struct mutex *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->name = name;
}

void mutex_init_nestable(struct mutex *m, const char *name)
{
	mutex_init(m, name);
	m->nestable = true;
}

void mutex_lock(struct mutex *m)
{
	assert_int_equal(m->state, 0);	/* single-threaded: a second lock would deadlock */
	assert_int_equal(spin_depth, 0);
	m->state = 1;
	if (m->name && !strcmp(m->name, "inode"))
		inode_locks_held++;
}

void mutex_unlock(struct mutex *m)
{
	assert_int_equal(m->state, 1);
	m->state = 0;
	if (m->name && !strcmp(m->name, "inode"))
		inode_locks_held--;
}

bool mutex_held(struct mutex *m) { return m->state != 0; }
void spin_init(struct spinlock *l, const char *name) { l->locked = 0; l->name = name; }
void spin_lock(struct spinlock *l) { assert_int_equal(l->locked, 0); l->locked = 1; spin_depth++; }
void spin_unlock(struct spinlock *l)
{
	assert_int_equal(l->locked, 1);
	l->locked = 0;
	spin_depth--;
}
int spin_held_count(void) { return spin_depth; }
void prepare_to_wait(struct wait_queue *wq, struct wait_entry *e) {}
void finish_wait(struct wait_queue *wq, struct wait_entry *e) {}
void wake_up(struct wait_queue *wq) {}
void schedule(void) { fail_msg("a test read would block"); }
bool signal_pending_current(void) { return false; }
/* fs/pipe.c and fs/poll.c are linked in with the rest of fs/. */
void wait_queue_init(struct wait_queue *wq, const char *name) {}
void sched_timer_arm(u64 deadline_ns) {}
void sched_timer_disarm(void) {}
bool sched_deadline_passed(u64 deadline_ns) { return deadline_ns != 0; }
void send_signal_process(struct process *p, int sig) {}
u64 rlimit_cur(int resource) { return ~0UL; }	/* no limits in these tests */

static void user_copy_check(void)
{
	assert_int_equal(spin_depth, 0);
	assert_int_equal(inode_locks_held, 0);
}

/* mm/rmap.c: a truncation unmaps the pages past the end with no lock held. */
void mm_file_shrunk(struct inode *ino, u64 size)
{
	assert_int_equal(spin_depth, 0);
	assert_int_equal(inode_locks_held, 0);
	assert_true(inode_size(ino) == size);
}

/* fs/memfd.c and kernel/kmsg.c stay outside this test: no memfd or /dev/kmsg here. */
long memfd_fcntl(struct file *f, unsigned cmd, u64 arg) { return -EINVAL; }
int kmsg_open(struct inode *ino, u32 flags, struct file **out) { return -ENXIO; }

bool uaccess_ok(u64 uaddr, size_t n) { return uaddr != 0 && uaddr + n >= uaddr; }

int copy_from_user(void *dst, const void *src, size_t n)
{
	user_copy_check();
	if (!src)
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}

int io_src_copy(void *dst, struct io_src src, size_t off, size_t n)
{
	if (src.kernel) {
		memcpy(dst, (const char *)src.base + off, n);
		return 0;
	}
	return copy_from_user(dst, (const char *)src.base + off, n);
}

int copy_to_user(void *dst, const void *src, size_t n)
{
	user_copy_check();
	if (!dst)
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}

int clear_user(void *dst, size_t n)
{
	user_copy_check();
	memset(dst, 0, n);
	return 0;
}

long strncpy_from_user(char *dst, const char *src, size_t size)
{
	size_t len;

	user_copy_check();
	if (!src)
		return -EFAULT;
	len = strnlen(src, size);
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(dst, src, len + 1);
	return (long)len;
}

int get_user_u32(u32 *val, const void *uaddr) { memcpy(val, uaddr, 4); return 0; }
int put_user_u32(void *uaddr, u32 val) { memcpy(uaddr, &val, 4); return 0; }
int put_user_u64(void *uaddr, u64 val) { memcpy(uaddr, &val, 8); return 0; }

static char console_out[4096];
static size_t console_len;
void arch_console_putc(char c)
{
	if (console_len < sizeof(console_out))
		console_out[console_len++] = c;
}
void arch_console_rx_stop(void) { }
void arch_console_rx_resume(void) { }
u64 arch_rtc_seconds(void) { return 1700000000; }
u64 arch_random_u64(void) { return 0x0123456789abcdefULL; }

/* Processes, signals and procfs as the tty and mount code see them. */
struct spinlock tasklist_lock;
static int signals_sent[65];
static pid_t signal_pgrp;
int signal_send_pgrp(pid_t pgid, int sig)
{
	signal_pgrp = pgid;
	signals_sent[sig]++;
	return 1;
}
static struct process fake_proc;
struct process *process_find(pid_t pid) { return pid == fake_proc.pid ? &fake_proc : NULL; }
/* kernel/pgrp.c, as tcsetpgrp asks it: the fake process's group, in its session. */
bool pgrp_in_session(pid_t pgid, pid_t sid)
{
	return pgid == fake_proc.pgid && sid == fake_proc.sid;
}
int sleep_ns(u64 ns, u64 *left_ns) { return 0; }
struct inode *procfs_new_root(void) { return NULL; }
int procfs_name_of(struct inode *ino, char *buf, size_t size) { return -ENOENT; }
int procfs_magic_link(struct inode *link, struct inode **out) { return 1; }
int procfs_times_set(struct inode *ino) { return 0; }
/* RAM as tmpfs's default limits see it: 4 GiB, more than any test writes. */
u64 page_total_count(void) { return 1UL << 20; }
/* No disks in these tests (fs/blkdev_file.c is not linked): block nodes open as no device. */
void blkdev_populate(struct inode *dir) {}
bool blkdev_file_is(const struct file *f) { return false; }
u64 blkdev_file_size(struct file *f) { return 0; }
int blkdev_file_open(struct inode *ino, u32 flags, u32 kept, struct file **out) { return -ENXIO; }
u64 arch_clock_ns(void) { static u64 t; return t += 1000; }
/* No file here is ever watched by epoll (fs/epoll.c is not linked). */
void epoll_file_release(struct file *f) { fail_msg("epoll_file_release without epoll"); }

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/* ---- syscalls under test ---- */

long sys_read(int fd, void *buf, size_t n);
long sys_write(int fd, const void *buf, size_t n);
long sys_pread64(int fd, void *buf, size_t n, s64 off);
long sys_pwrite64(int fd, const void *buf, size_t n, s64 off);
long sys_readv(int fd, const struct linux_iovec *iov, int cnt);
long sys_writev(int fd, const struct linux_iovec *iov, int cnt);
long sys_lseek(int fd, s64 off, unsigned whence);
long sys_ioctl(int fd, unsigned cmd, u64 arg);
long sys_open(const char *path, int flags, mode_t mode);
long sys_openat(int dirfd, const char *path, int flags, mode_t mode);
long sys_close(int fd);
long sys_dup(int fd);
long sys_dup2(int a, int b);
long sys_dup3(int a, int b, int flags);
long sys_fcntl(int fd, unsigned cmd, u64 arg);
long sys_stat(const char *path, struct linux_stat *st);
long sys_lstat(const char *path, struct linux_stat *st);
long sys_fstat(int fd, struct linux_stat *st);
long sys_newfstatat(int dirfd, const char *path, struct linux_stat *st, int flags);
long sys_access(const char *path, int mode);
long sys_readlink(const char *path, char *buf, int size);
long sys_chmod(const char *path, mode_t mode);
long sys_umask(mode_t mask);
long sys_getdents64(int fd, void *dirp, unsigned count);
long sys_getcwd(char *buf, unsigned long size);
long sys_chdir(const char *path);
long sys_fchdir(int fd);
long sys_mkdir(const char *path, mode_t mode);
long sys_rmdir(const char *path);
long sys_unlink(const char *path);
long sys_unlinkat(int dirfd, const char *path, int flags);
long sys_rename(const char *a, const char *b);
long sys_symlink(const char *target, const char *path);
long sys_link(const char *a, const char *b);
long sys_linkat(int olddirfd, const char *a, int newdirfd, const char *b, int flags);
long sys_renameat2(int olddirfd, const char *a, int newdirfd, const char *b, unsigned flags);
long sys_truncate(const char *path, s64 length);
long sys_ftruncate(int fd, s64 length);
long sys_sendfile(int out_fd, int in_fd, s64 *offset, size_t count);
long sys_utimensat(int dirfd, const char *path, const struct linux_timespec *ts, int flags);
long sys_fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags);
long sys_chown(const char *path, uid_t uid, gid_t gid);
long sys_statx(int dirfd, const char *path, int flags, unsigned mask, struct linux_statx *b);

/* ---- fixture: a fake CPU, task and process, a root from an initramfs ---- */

static struct cpu fake_cpu;
static struct task fake_task;
static struct sighand fake_sighand;

static size_t cpio_add(unsigned char *a, size_t len, const char *name, unsigned mode,
		       const char *data)
{
	size_t namesize = strlen(name) + 1, size = data ? strlen(data) : 0;
	char hdr[111];

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 1u, mode, 0u, 0u, 1u, 0u, (unsigned)size, 0u, 0u, 0u, 0u, (unsigned)namesize, 0u);
	memcpy(a + len, hdr, 110);
	len += 110;
	memcpy(a + len, name, namesize);
	len = (len + namesize + 3) & ~3UL;
	if (size)
		memcpy(a + len, data, size);
	return (len + size + 3) & ~3UL;
}

static int setup(void **state)
{
	static unsigned char arch[4096];
	static struct boot_info bi;
	size_t len = 0;

	memset(arch, 0, sizeof(arch));
	len = cpio_add(arch, len, ".", 040755, NULL);
	len = cpio_add(arch, len, "./sbin/init", 0100755, "ELF-ish");
	len = cpio_add(arch, len, "bin", 040755, NULL);
	len = cpio_add(arch, len, "bin/sh", 0120777, "/sbin/init");
	len = cpio_add(arch, len, "/etc/motd", 0100644, "old");
	len = cpio_add(arch, len, "TRAILER!!!", 0, NULL);
	len = (len + 511) & ~511UL;	/* a second archive after NUL padding */
	len = cpio_add(arch, len, "etc/motd", 0100644, "new text");
	len = cpio_add(arch, len, "TRAILER!!!", 0, NULL);

	fake_cpu.self = &fake_cpu;
	fake_cpu.running = &fake_task;
	fake_task.proc = &fake_proc;
	fake_proc.pid = fake_proc.pgid = fake_proc.sid = 1;
	fake_proc.state = PROC_ALIVE;
	fake_proc.sighand = &fake_sighand;
	assert_int_equal(syscall(SYS_arch_prctl, ARCH_SET_GS, &fake_cpu), 0);

	bi.initrd_phys = (u64)(uintptr_t)arch - DIRECT_MAP_BASE;
	bi.initrd_len = len;
	fs_init(&bi);
	fake_task.files = files_new();
	fake_task.fs = fs_context_new();
	assert_int_equal(files_open_console(fake_task.files), 0);
	return 0;
}

static void test_initramfs(void **state)
{
	char buf[64] = { 0 };
	struct linux_stat st;
	long fd;

	fd = sys_open("/etc/motd", O_RDONLY, 0);
	assert_true(fd >= 3);
	assert_int_equal(sys_read(fd, buf, sizeof(buf)), 8);
	assert_string_equal(buf, "new text");
	sys_close(fd);
	assert_int_equal(sys_stat("/bin/sh", &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(sys_lstat("/bin/sh", &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(sys_stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(linux_major(st.st_rdev), 1);
	assert_int_equal(linux_minor(st.st_rdev), 3);
}

static void test_exec_lookup(void **state)
{
	struct inode *ino;
	char abspath[256];

	assert_int_equal(vfs_open_exec("/bin/sh", &ino, abspath, sizeof(abspath)), 0);
	assert_string_equal(abspath, "/sbin/init");
	inode_put(ino);
	assert_int_equal(vfs_open_exec("/etc/motd", &ino, abspath, sizeof(abspath)), -EACCES);
	assert_int_equal(vfs_open_exec("/etc", &ino, abspath, sizeof(abspath)), -EACCES);
	assert_int_equal(vfs_open_exec("/nope", &ino, abspath, sizeof(abspath)), -ENOENT);
	assert_int_equal(vfs_open_exec("/etc/motd/x", &ino, abspath, sizeof(abspath)), -ENOTDIR);
}

static void test_read_write_seek(void **state)
{
	char big[10000], back[10000];
	long fd, fd2, pages_before = pages_live;
	size_t i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	fd = sys_open("/f1", O_RDWR | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(sys_open("/f1", O_RDWR | O_CREAT | O_EXCL, 0644), -EEXIST);
	assert_int_equal(sys_write(fd, big, sizeof(big)), sizeof(big));
	assert_int_equal(sys_lseek(fd, 0, SEEK_CUR), sizeof(big));
	assert_int_equal(sys_lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(sys_read(fd, back, sizeof(back)), sizeof(back));
	assert_memory_equal(big, back, sizeof(big));
	assert_int_equal(sys_read(fd, back, 10), 0);
	assert_int_equal(sys_lseek(fd, -1, SEEK_SET), -EINVAL);
	assert_int_equal(sys_lseek(fd, 0, 7), -EINVAL);
	/* A hole reads as zeroes. */
	assert_int_equal(sys_pwrite64(fd, "Z", 1, 20000), 1);
	assert_int_equal(sys_pread64(fd, back, 4, 15000), 4);
	assert_memory_equal(back, "\0\0\0\0", 4);
	assert_int_equal(sys_lseek(fd, 0, SEEK_END), 20001);
	/* O_APPEND and O_TRUNC. */
	fd2 = sys_open("/f1", O_WRONLY | O_APPEND, 0);
	assert_int_equal(sys_write(fd2, "AB", 2), 2);
	assert_int_equal(sys_lseek(fd, 0, SEEK_END), 20003);
	assert_int_equal(sys_read(fd2, back, 1), -EBADF);
	sys_close(fd2);
	fd2 = sys_open("/f1", O_WRONLY | O_TRUNC, 0);
	assert_int_equal(sys_lseek(fd2, 0, SEEK_END), 0);
	sys_close(fd2);
	sys_close(fd);
	/* Writing a read-only descriptor, a directory. */
	fd = sys_open("/f1", O_RDONLY, 0);
	assert_int_equal(sys_write(fd, "x", 1), -EBADF);
	sys_close(fd);
	assert_int_equal(sys_open("/etc", O_WRONLY, 0), -EISDIR);
	fd = sys_open("/etc", O_RDONLY | O_DIRECTORY, 0);
	assert_int_equal(sys_read(fd, back, 1), -EISDIR);
	sys_close(fd);
	assert_int_equal(sys_open("/f1", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	assert_int_equal(sys_unlink("/f1"), 0);
	assert_int_equal(pages_live, pages_before);	/* the last close freed the data */
}

static void test_vectors(void **state)
{
	struct linux_iovec iov[3];
	char a[3], b[5];
	long fd = sys_open("/v", O_RDWR | O_CREAT | O_TRUNC, 0600);

	iov[0] = (struct linux_iovec){ (u64)(uintptr_t)"abc", 3 };
	iov[1] = (struct linux_iovec){ 0, 0 };
	iov[2] = (struct linux_iovec){ (u64)(uintptr_t)"defgh", 5 };
	assert_int_equal(sys_writev(fd, iov, 3), 8);
	assert_int_equal(sys_writev(fd, iov, -1), -EINVAL);
	assert_int_equal(sys_writev(fd, iov, 1025), -EINVAL);
	sys_lseek(fd, 0, SEEK_SET);
	iov[0] = (struct linux_iovec){ (u64)(uintptr_t)a, 3 };
	iov[1] = (struct linux_iovec){ (u64)(uintptr_t)b, 5 };
	assert_int_equal(sys_readv(fd, iov, 2), 8);
	assert_memory_equal(a, "abc", 3);
	assert_memory_equal(b, "defgh", 5);
	sys_close(fd);
	sys_unlink("/v");
}

static void test_descriptors(void **state)
{
	long fd = sys_open("/etc/motd", O_RDONLY | O_CLOEXEC, 0), d;

	assert_int_equal(fd, 3);
	assert_int_equal(sys_fcntl(fd, F_GETFD, 0), FD_CLOEXEC);
	d = sys_dup(fd);
	assert_int_equal(d, 4);
	assert_int_equal(sys_fcntl(d, F_GETFD, 0), 0);
	assert_int_equal(sys_fcntl(fd, F_GETFL, 0), O_RDONLY | LINUX_O_LARGEFILE);
	assert_int_equal(sys_fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK | O_WRONLY), 0);
	assert_int_equal(sys_fcntl(d, F_GETFL, 0),
			 O_RDONLY | O_APPEND | O_NONBLOCK | LINUX_O_LARGEFILE);
	assert_int_equal(sys_fcntl(fd, F_DUPFD, 10), 10);
	assert_int_equal(sys_fcntl(fd, F_DUPFD_CLOEXEC, 10), 11);
	assert_int_equal(sys_fcntl(11, F_GETFD, 0), FD_CLOEXEC);
	assert_int_equal(sys_fcntl(fd, F_DUPFD, NR_OPEN_DEFAULT), -EMFILE);
	assert_int_equal(sys_dup2(fd, fd), fd);
	assert_int_equal(sys_dup3(fd, fd, 0), -EINVAL);
	assert_int_equal(sys_dup2(fd, 7), 7);
	assert_int_equal(sys_dup2(99, 7), -EBADF);
	assert_int_equal(sys_dup3(fd, 8, O_CLOEXEC), 8);
	files_close_on_exec(fake_task.files);
	assert_int_equal(sys_close(fd), -EBADF);
	assert_int_equal(sys_close(8), -EBADF);
	assert_int_equal(sys_close(11), -EBADF);
	assert_int_equal(sys_close(10), 0);
	assert_int_equal(sys_close(7), 0);
	assert_int_equal(sys_close(d), 0);
	assert_int_equal(sys_close(d), -EBADF);
}

static void test_dirs(void **state)
{
	char buf[512], cwd[64];
	long fd, n, pos;
	int seen = 0;

	assert_int_equal(sys_mkdir("/d", 0755), 0);
	assert_int_equal(sys_mkdir("/d", 0755), -EEXIST);
	assert_int_equal(sys_mkdir("/d/e/", 0755), 0);
	assert_int_equal(sys_mkdir("/nope/x", 0755), -ENOENT);
	assert_int_equal(sys_mkdir("/etc/motd/x", 0755), -ENOTDIR);
	fd = sys_open("/d/file", O_CREAT | O_WRONLY, 0644);
	sys_close(fd);
	fd = sys_open("/d", O_RDONLY | O_DIRECTORY, 0);
	n = sys_getdents64(fd, buf, sizeof(buf));
	assert_true(n > 0);
	for (pos = 0; pos < n;) {
		struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + pos);

		assert_int_equal(de->d_reclen % 8, 0);
		if (!strcmp(de->d_name, "e"))
			assert_int_equal(de->d_type, DT_DIR), seen |= 1;
		if (!strcmp(de->d_name, "file"))
			assert_int_equal(de->d_type, DT_REG), seen |= 2;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			seen |= 4;
		pos += de->d_reclen;
	}
	assert_int_equal(seen, 7);
	assert_int_equal(sys_getdents64(fd, buf, sizeof(buf)), 0);
	sys_lseek(fd, 0, SEEK_SET);
	assert_int_equal(sys_getdents64(fd, buf, 10), -EINVAL);
	sys_close(fd);

	assert_int_equal(sys_chdir("/d/e"), 0);
	assert_int_equal(sys_getcwd(cwd, sizeof(cwd)), 5);
	assert_string_equal(cwd, "/d/e");
	assert_int_equal(sys_getcwd(cwd, 4), -ERANGE);
	assert_int_equal(sys_chdir("../../d/./e/.."), 0);
	assert_int_equal(sys_getcwd(cwd, sizeof(cwd)), 3);
	fd = sys_open("file", O_RDONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(sys_chdir("file"), -ENOTDIR);
	sys_close(fd);
	assert_int_equal(sys_rmdir("/d"), -ENOTEMPTY);
	assert_int_equal(sys_rmdir("/d/file"), -ENOTDIR);
	assert_int_equal(sys_unlink("/d/e"), -EISDIR);
	assert_int_equal(sys_rmdir("/d/e/."), -EINVAL);
	assert_int_equal(sys_rmdir("/d/e"), 0);
	assert_int_equal(sys_unlink("/d/file"), 0);
	/* Removing the cwd: getcwd then fails with ENOENT. */
	assert_int_equal(sys_rmdir("/d"), 0);
	assert_int_equal(sys_getcwd(cwd, sizeof(cwd)), -ENOENT);
	assert_int_equal(sys_open("x", O_CREAT | O_RDWR, 0600), -ENOENT);
	assert_int_equal(sys_chdir("/"), 0);
	assert_int_equal(sys_getcwd(cwd, sizeof(cwd)), 2);
	assert_string_equal(cwd, "/");
}

static void test_symlinks(void **state)
{
	char buf[64];
	long fd;
	int i;

	assert_int_equal(sys_symlink("loop", "/loop"), 0);
	assert_int_equal(sys_open("/loop", O_RDONLY, 0), -ELOOP);
	assert_int_equal(sys_symlink("", "/empty"), -ENOENT);
	assert_int_equal(sys_readlink("/bin/sh", buf, sizeof(buf)), 10);
	assert_memory_equal(buf, "/sbin/init", 10);
	assert_int_equal(sys_readlink("/bin/sh", buf, 3), 3);
	assert_int_equal(sys_readlink("/etc", buf, 3), -EINVAL);
	assert_int_equal(sys_open("/loop", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	/* O_CREAT through a dangling symlink creates its target. */
	assert_int_equal(sys_symlink("/etc/created", "/dangling"), 0);
	fd = sys_open("/dangling", O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	sys_close(fd);
	assert_int_equal(sys_access("/etc/created", F_OK), 0);
	/* A chain of 40 links resolves, 41 do not. */
	assert_int_equal(sys_symlink("/etc/motd", "/l0"), 0);
	for (i = 1; i <= 40; i++) {
		char t[16], l[16];

		snprintf(t, sizeof(t), "/l%d", i - 1);
		snprintf(l, sizeof(l), "/l%d", i);
		assert_int_equal(sys_symlink(t, l), 0);
	}
	fd = sys_open("/l39", O_RDONLY, 0);
	assert_true(fd >= 0);
	sys_close(fd);
	assert_int_equal(sys_open("/l40", O_RDONLY, 0), -ELOOP);
	/* Directory symlinks in the middle of a path. */
	assert_int_equal(sys_symlink("/etc", "/etclink"), 0);
	fd = sys_open("/etclink/motd", O_RDONLY, 0);
	assert_true(fd >= 0);
	sys_close(fd);
	assert_int_equal(sys_open("/etclink/", O_RDONLY, 0) >= 0, 1);
}

static void test_names(void **state)
{
	char name[300], path[5000];
	struct linux_stat st;

	memset(name, 'a', 256);
	name[0] = '/';
	name[257] = '\0';
	assert_int_equal(sys_open(name, O_CREAT | O_RDWR, 0600), -ENAMETOOLONG);
	memset(path, 'b', sizeof(path));
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(sys_stat(path, &st), -ENAMETOOLONG);
	assert_int_equal(sys_stat("", &st), -ENOENT);
	assert_int_equal(sys_stat(NULL, &st), -EFAULT);
	assert_int_equal(sys_newfstatat(0, "", &st, AT_EMPTY_PATH), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(sys_newfstatat(AT_FDCWD, "/etc", &st, 0x4), -EINVAL);
}

static void test_rename_unlink_open(void **state)
{
	char buf[16] = { 0 };
	struct linux_stat st;
	long fd, fd2;

	sys_mkdir("/r", 0755);
	sys_mkdir("/r/sub", 0755);
	fd = sys_open("/r/a", O_CREAT | O_RDWR, 0644);
	sys_write(fd, "hello", 5);
	assert_int_equal(sys_rename("/r/a", "/r/sub/b"), 0);
	assert_int_equal(sys_stat("/r/a", &st), -ENOENT);
	assert_int_equal(sys_stat("/r/sub/b", &st), 0);
	assert_int_equal(st.st_size, 5);
	assert_int_equal(sys_rename("/r", "/r/sub/x"), -EINVAL);
	assert_int_equal(sys_rename("/r/sub", "/r/sub/b"), -EINVAL);	/* below itself */
	assert_int_equal(sys_rename("/r/sub", "/etc/motd"), -ENOTDIR);
	fd2 = sys_open("/r/c", O_CREAT | O_RDWR, 0644);
	sys_close(fd2);
	assert_int_equal(sys_rename("/r/c", "/r/sub"), -EISDIR);
	assert_int_equal(sys_rename("/r/c", "/r/sub/b"), 0);	/* replaces b */
	assert_int_equal(sys_stat("/r/sub/b", &st), 0);
	assert_int_equal(st.st_size, 0);
	/* The replaced file is still open and readable. */
	assert_int_equal(sys_fstat(fd, &st), 0);
	assert_int_equal(st.st_nlink, 0);
	assert_int_equal(sys_pread64(fd, buf, 5, 0), 5);
	assert_string_equal(buf, "hello");
	sys_close(fd);
	assert_int_equal(sys_rename("/r/sub", "/r2"), 0);
	assert_int_equal(sys_stat("/r2/b", &st), 0);
	assert_int_equal(sys_stat("/r", &st), 0);
	assert_int_equal(st.st_nlink, 2);
	assert_int_equal(sys_mkdir("/r/full", 0755), 0);
	sys_open("/r/full/x", O_CREAT | O_RDWR, 0644);
	assert_int_equal(sys_rename("/r2", "/r/full"), -ENOTEMPTY);
	assert_int_equal(sys_unlink("/r/full/x"), 0);
	assert_int_equal(sys_rename("/r2", "/r/full"), 0);
	assert_int_equal(sys_stat("/r/full/b", &st), 0);
	assert_int_equal(sys_chdir("/r/full"), 0);
	assert_int_equal(sys_getcwd(buf, sizeof(buf)), 8);
	assert_string_equal(buf, "/r/full");
	sys_chdir("/");
}

static void test_console(void **state)
{
	struct linux_termios t;
	struct linux_winsize ws;
	char buf[16];

	/* At boot the line is raw: output untranslated, input CR -> NL only. */
	console_len = 0;
	assert_int_equal(sys_write(1, "a\nb\r", 4), 4);
	assert_int_equal(console_len, 4);
	assert_memory_equal(console_out, "a\nb\r", 4);
	console_rx('h');
	console_rx('i');
	console_rx('\r');
	assert_int_equal(sys_read(0, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "hi\n", 3);
	assert_int_equal(sys_lseek(0, 0, SEEK_SET), -ESPIPE);
	assert_int_equal(sys_ioctl(0, TCGETS, (u64)(uintptr_t)&t), 0);
	assert_false(t.c_lflag & ICANON);
	assert_false(t.c_oflag & OPOST);
	assert_int_equal(sys_ioctl(1, TIOCGWINSZ, (u64)(uintptr_t)&ws), 0);
	assert_int_equal(ws.ws_row, 24);
	assert_int_equal(ws.ws_col, 80);
	assert_int_equal(sys_ioctl(1, 0x1234, 0), -ENOTTY);
	assert_int_equal(sys_fcntl(0, F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(sys_read(0, buf, 1), -EAGAIN);
	assert_int_equal(sys_fcntl(0, F_SETFL, 0), 0);
}

/* Cooked mode: ONLCR, echo, erase, kill, ^D, and ^C to the foreground group. */
static void test_tty_canonical(void **state)
{
	struct linux_termios raw, t;
	char buf[16];
	pid_t pg;
	int i;

	assert_int_equal(sys_ioctl(0, TCGETS, (u64)(uintptr_t)&raw), 0);
	t = raw;
	t.c_oflag = OPOST | ONLCR;
	t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	assert_int_equal(sys_ioctl(0, TCSETS, (u64)(uintptr_t)&t), 0);
	console_len = 0;
	assert_int_equal(sys_write(1, "x\n", 2), 2);
	assert_int_equal(console_len, 3);
	assert_memory_equal(console_out, "x\r\n", 3);

	console_len = 0;
	console_rx('a');
	console_rx('x');
	console_rx(0177);	/* erase x */
	console_rx('b');
	console_rx('\r');
	assert_memory_equal(console_out, "ax\b \bb\r\n", 9);
	assert_int_equal(sys_read(0, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "ab\n", 3);

	/* A partial line is not readable; kill erases it; ^D ends a line or the file. */
	console_rx('z');
	console_rx(025);
	console_rx('q');
	console_rx(4);
	assert_int_equal(sys_read(0, buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'q');
	console_rx(4);
	assert_int_equal(sys_read(0, buf, sizeof(buf)), 0);

	/* The controlling terminal: TIOCSCTTY by the session leader, then ^C. */
	assert_int_equal(sys_ioctl(0, TIOCGPGRP, (u64)(uintptr_t)&pg), -ENOTTY);
	assert_int_equal(sys_ioctl(0, TIOCSCTTY, 0), 0);
	assert_int_equal(sys_ioctl(0, TIOCGPGRP, (u64)(uintptr_t)&pg), 0);
	assert_int_equal(pg, 1);
	for (i = 0; i < 65; i++)
		signals_sent[i] = 0;
	console_rx('k');
	console_rx(3);
	assert_int_equal(signals_sent[2], 1);	/* SIGINT */
	assert_int_equal(signal_pgrp, 1);
	console_rx('\r');
	assert_int_equal(sys_read(0, buf, sizeof(buf)), 1);	/* ^C flushed the "k" */
	console_rx(032);
	assert_int_equal(signals_sent[20], 1);	/* SIGTSTP */
	tty_session_leader_exit(1);
	assert_int_equal(signals_sent[1], 1);	/* SIGHUP */
	assert_int_equal(sys_ioctl(0, TIOCGPGRP, (u64)(uintptr_t)&pg), -ENOTTY);
	assert_int_equal(sys_ioctl(0, TCSETSF, (u64)(uintptr_t)&raw), 0);
}

/* Raw reads: VMIN = 0 and VTIME = 0 return at once. */
static void test_tty_raw(void **state)
{
	struct linux_termios raw, t;
	char buf[4];

	assert_int_equal(sys_ioctl(0, TCGETS, (u64)(uintptr_t)&raw), 0);
	t = raw;
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	assert_int_equal(sys_ioctl(0, TCSETS, (u64)(uintptr_t)&t), 0);
	assert_int_equal(sys_read(0, buf, sizeof(buf)), 0);
	console_rx('r');
	console_rx(3);	/* no ISIG: an ordinary byte */
	assert_int_equal(sys_read(0, buf, sizeof(buf)), 2);
	assert_int_equal(buf[1], 3);
	assert_int_equal(sys_ioctl(0, TCSETS, (u64)(uintptr_t)&raw), 0);
}

static void test_modes(void **state)
{
	struct linux_stat st;
	long fd;

	assert_int_equal(sys_umask(077), 022);
	fd = sys_open("/m", O_CREAT | O_RDWR, 0666);
	assert_int_equal(sys_fstat(fd, &st), 0);
	assert_int_equal(st.st_mode, S_IFREG | 0600);
	sys_close(fd);
	assert_int_equal(sys_umask(022), 077);
	assert_int_equal(sys_access("/m", X_OK), -EACCES);
	assert_int_equal(sys_chmod("/m", 0755), 0);
	assert_int_equal(sys_access("/m", X_OK), 0);
	assert_int_equal(sys_access("/m", 8), -EINVAL);
	assert_int_equal(sys_unlinkat(AT_FDCWD, "/m", 0x1), -EINVAL);
	assert_int_equal(sys_unlinkat(AT_FDCWD, "/m", 0), 0);
}

static void test_links(void **state)
{
	struct linux_stat st;
	char buf[8] = { 0 };
	long fd;

	sys_mkdir("/l", 0755);
	fd = sys_open("/l/a", O_CREAT | O_RDWR, 0644);
	sys_write(fd, "abc", 3);
	sys_close(fd);
	assert_int_equal(sys_link("/l/a", "/l/b"), 0);
	assert_int_equal(sys_stat("/l/b", &st), 0);
	assert_int_equal(st.st_nlink, 2);
	assert_int_equal(sys_link("/l/a", "/l/b"), -EEXIST);
	assert_int_equal(sys_link("/l", "/l/d"), -EPERM);
	assert_int_equal(sys_link("/l/none", "/l/d"), -ENOENT);
	assert_int_equal(sys_unlink("/l/a"), 0);
	fd = sys_open("/l/b", O_RDONLY, 0);
	assert_int_equal(sys_read(fd, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "abc");
	assert_int_equal(sys_fstat(fd, &st), 0);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(sys_unlink("/l/b"), 0);
	/* An unlinked file cannot come back, but an O_TMPFILE one can. */
	assert_int_equal(sys_linkat(fd, "", AT_FDCWD, "/l/c", AT_EMPTY_PATH), -ENOENT);
	sys_close(fd);
	assert_int_equal(sys_open("/l", O_TMPFILE | O_RDONLY, 0600), -EINVAL);
	assert_int_equal(sys_open("/l/x", O_TMPFILE | O_RDWR, 0600), -ENOENT);
	fd = sys_open("/l", O_TMPFILE | O_RDWR, 0600);
	assert_true(fd >= 0);
	assert_int_equal(sys_fstat(fd, &st), 0);
	assert_int_equal(st.st_nlink, 0);
	assert_int_equal(st.st_mode, S_IFREG | 0600);
	assert_int_equal(sys_write(fd, "tmp", 3), 3);
	assert_int_equal(sys_linkat(fd, "", AT_FDCWD, "/l/c", AT_EMPTY_PATH), 0);
	assert_int_equal(sys_stat("/l/c", &st), 0);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(st.st_nlink, 1);
	sys_close(fd);
	assert_int_equal(sys_unlink("/l/c"), 0);
	assert_int_equal(sys_rmdir("/l"), 0);
}

static void test_rename_flags(void **state)
{
	struct linux_stat st;
	long fd;

	sys_mkdir("/x", 0755);
	sys_mkdir("/x/d", 0755);
	fd = sys_open("/x/f", O_CREAT | O_RDWR, 0644);
	sys_write(fd, "12345", 5);
	sys_close(fd);
	assert_int_equal(sys_renameat2(AT_FDCWD, "/x/f", AT_FDCWD, "/x/d", RENAME_NOREPLACE),
			 -EEXIST);
	assert_int_equal(sys_renameat2(AT_FDCWD, "/x/f", AT_FDCWD, "/x/g", 3), -EINVAL);
	assert_int_equal(sys_renameat2(AT_FDCWD, "/x/f", AT_FDCWD, "/x/g", RENAME_EXCHANGE),
			 -ENOENT);
	/* Exchange a file and a directory: each keeps the other's name. */
	assert_int_equal(sys_renameat2(AT_FDCWD, "/x/f", AT_FDCWD, "/x/d", RENAME_EXCHANGE), 0);
	assert_int_equal(sys_stat("/x/f", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(sys_stat("/x/d", &st), 0);
	assert_int_equal(st.st_size, 5);
	/* Across directories the parent link counts follow the directory. */
	assert_int_equal(sys_mkdir("/x/f/in", 0755), 0);
	assert_int_equal(sys_renameat2(AT_FDCWD, "/x/d", AT_FDCWD, "/x/f/in", RENAME_EXCHANGE), 0);
	assert_int_equal(sys_stat("/x", &st), 0);
	assert_int_equal(st.st_nlink, 4);	/* d and f are directories now */
	assert_int_equal(sys_stat("/x/f", &st), 0);
	assert_int_equal(st.st_nlink, 2);	/* in is the file */
	assert_int_equal(sys_renameat2(AT_FDCWD, "/x/f", AT_FDCWD, "/x/f/in", RENAME_EXCHANGE),
			 -EINVAL);
	assert_int_equal(sys_renameat2(AT_FDCWD, "/x/d", AT_FDCWD, "/x/f/d2", RENAME_NOREPLACE),
			 0);
	assert_int_equal(sys_stat("/x", &st), 0);
	assert_int_equal(st.st_nlink, 3);
	assert_int_equal(sys_unlink("/x/f/d2"), -EISDIR);
	assert_int_equal(sys_rmdir("/x/f/d2"), 0);
	assert_int_equal(sys_unlink("/x/f/in"), 0);
	assert_int_equal(sys_rmdir("/x/f"), 0);
	assert_int_equal(sys_rmdir("/x"), 0);
}

static void test_attrs(void **state)
{
	struct linux_timespec ts[2] = { { 1000, 5 }, { 2000, UTIME_OMIT } };
	struct linux_statx stx;
	struct linux_stat st;
	char buf[16];
	s64 off = 2;
	long fd, rd, out;

	fd = sys_open("/t", O_CREAT | O_RDWR, 0644);
	assert_int_equal(sys_write(fd, "hello world", 11), 11);
	assert_int_equal(sys_ftruncate(fd, 5), 0);
	assert_int_equal(sys_truncate("/t", 8192), 0);
	assert_int_equal(sys_pread64(fd, buf, sizeof(buf), 0), sizeof(buf));
	assert_memory_equal(buf, "hello\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(sys_truncate("/t", -1), -EINVAL);
	assert_int_equal(sys_truncate("/etc", 0), -EISDIR);
	rd = sys_open("/t", O_RDONLY, 0);
	assert_int_equal(sys_ftruncate(rd, 0), -EINVAL);
	assert_int_equal(sys_ftruncate(fd, 5), 0);
	/* sendfile with an offset pointer leaves the position alone. */
	out = sys_open("/t2", O_CREAT | O_RDWR | O_TRUNC, 0644);
	assert_int_equal(sys_sendfile(out, rd, &off, 100), 3);
	assert_int_equal(off, 5);
	assert_int_equal(sys_lseek(rd, 0, SEEK_CUR), 0);
	assert_int_equal(sys_sendfile(out, rd, NULL, 2), 2);
	assert_int_equal(sys_lseek(rd, 0, SEEK_CUR), 2);
	assert_int_equal(sys_sendfile(out, rd, NULL, 100), 3);
	assert_int_equal(sys_sendfile(out, rd, NULL, 100), 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(sys_pread64(out, buf, sizeof(buf), 0), 8);
	assert_string_equal(buf, "llohello");
	assert_int_equal(sys_sendfile(rd, fd, NULL, 2), -EBADF);
	assert_int_equal(sys_sendfile(fd, 0, NULL, 2), -EINVAL);
	sys_close(rd);
	sys_close(out);
	assert_int_equal(sys_unlink("/t2"), 0);
	/* Timestamps: explicit, omitted, invalid. */
	assert_int_equal(sys_fstat(fd, &st), 0);
	assert_int_equal(sys_utimensat(AT_FDCWD, "/t", ts, 0), 0);
	assert_int_equal(sys_stat("/t", &st), 0);
	assert_int_equal(st.st_atim.tv_sec, 1000);
	assert_int_equal(st.st_atim.tv_nsec, 5);
	assert_true(st.st_mtim.tv_sec != 2000);
	ts[1].tv_nsec = 1000000000;
	assert_int_equal(sys_utimensat(AT_FDCWD, "/t", ts, 0), -EINVAL);
	assert_int_equal(sys_utimensat(AT_FDCWD, NULL, NULL, 0), -EFAULT);
	assert_int_equal(sys_utimensat(fd, NULL, NULL, 0), 0);
	/* statx agrees with stat. */
	assert_int_equal(sys_statx(AT_FDCWD, "/t", 0, STATX_BASIC_STATS, &stx), 0);
	assert_int_equal(sys_stat("/t", &st), 0);
	assert_int_equal(stx.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS);
	assert_int_equal(stx.stx_size, st.st_size);
	assert_int_equal(stx.stx_ino, st.st_ino);
	assert_int_equal(stx.stx_mode, st.st_mode);
	assert_int_equal(stx.stx_mtime.tv_sec, st.st_mtim.tv_sec);
	assert_int_equal(stx.stx_dev_minor, linux_minor(st.st_dev));
	assert_int_equal(sys_statx(AT_FDCWD, "/t", 0x6000, 0, &stx), -EINVAL);
	/* Ownership and permissions as an ordinary user. */
	assert_int_equal(sys_chown("/t", 1000, 1000), 0);
	assert_int_equal(sys_chmod("/t", 04755), 0);
	fake_proc.uid = fake_proc.euid = fake_proc.fsuid = 1000;
	fake_proc.gid = fake_proc.egid = fake_proc.fsgid = 1000;
	assert_int_equal(sys_chown("/t", 0, -1), -EPERM);
	assert_int_equal(sys_chown("/t", -1, 5), -EPERM);
	assert_int_equal(sys_chown("/t", -1, 1000), 0);
	assert_int_equal(sys_stat("/t", &st), 0);
	assert_int_equal(st.st_mode, S_IFREG | 0755);	/* S_ISUID cleared */
	assert_int_equal(sys_fchownat(AT_FDCWD, "/t", -1, -1, 0x4), -EINVAL);
	assert_int_equal(sys_utimensat(AT_FDCWD, "/etc", NULL, 0), -EACCES);
	assert_int_equal(sys_utimensat(AT_FDCWD, "/etc", ts, 0), -EINVAL);
	ts[1].tv_nsec = 0;
	assert_int_equal(sys_utimensat(AT_FDCWD, "/etc", ts, 0), -EPERM);
	assert_int_equal(sys_truncate("/etc/motd", 0), -EACCES);
	assert_int_equal(sys_unlink("/etc/motd"), -EACCES);
	assert_int_equal(sys_open("/etc/motd", O_RDWR, 0), -EACCES);
	fake_proc.uid = fake_proc.euid = fake_proc.fsuid = 0;
	fake_proc.gid = fake_proc.egid = fake_proc.fsgid = 0;
	sys_close(fd);
	assert_int_equal(sys_unlink("/t"), 0);
}

/* tmpfs(5) options: numbers, suffixes, percentages, and what is refused. */
static void test_tmpfs_options(void **state)
{
	struct tmpfs_opts o;
	char buf[128];

	strcpy(buf, "size=1m,nr_inodes=2k,mode=0700,uid=5,gid=6");
	assert_int_equal(tmpfs_opts_parse(buf, &o), 0);
	assert_true(o.has_size && o.has_inodes && o.has_mode && o.has_uid && o.has_gid);
	assert_int_equal(o.pages, 256);
	assert_int_equal(o.inodes, 2048);
	assert_int_equal(o.mode, 0700);
	assert_int_equal(o.uid, 5);
	assert_int_equal(o.gid, 6);
	strcpy(buf, "size=4097");	/* rounded up to whole pages */
	assert_int_equal(tmpfs_opts_parse(buf, &o), 0);
	assert_int_equal(o.pages, 2);
	strcpy(buf, "size=50%");	/* of the 4 GiB the stub reports */
	assert_int_equal(tmpfs_opts_parse(buf, &o), 0);
	assert_int_equal(o.pages, 1UL << 19);
	strcpy(buf, "inode64,noswap,huge=never");
	assert_int_equal(tmpfs_opts_parse(buf, &o), 0);
	strcpy(buf, "rw,nosuid,,size=0");
	assert_int_equal(tmpfs_opts_parse(buf, &o), 0);
	assert_true(o.has_size);
	assert_int_equal(o.pages, 0);
	const char *bad[] = { "size=", "size=1x", "size=k", "nr_inodes=5%", "mode=8",
			      "uid=-1", "bogus=1", "size", "size=99999999999999999999",
			      "huge=always", "inode32" };

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(buf, bad[i]);
		assert_int_equal(tmpfs_opts_parse(buf, &o), -EINVAL);
	}
}

/* Writers and executors exclude each other (i_writecount). */
static void test_write_access(void **state)
{
	struct inode *ino = inode_alloc(S_IFREG | 0755, 0, 0);

	assert_int_equal(inode_get_write_access(ino), 0);
	assert_int_equal(inode_get_write_access(ino), 0);
	assert_int_equal(inode_deny_write_access(ino), -ETXTBSY);
	inode_put_write_access(ino);
	inode_put_write_access(ino);
	assert_int_equal(inode_deny_write_access(ino), 0);
	assert_ptr_equal(inode_exe_get(ino), ino);
	assert_int_equal(inode_get_write_access(ino), -ETXTBSY);
	inode_exe_put(ino);
	inode_allow_write_access(ino);
	assert_int_equal(inode_get_write_access(ino), 0);
	inode_put_write_access(ino);
	inode_put(ino);
}

/* A superblock's limits: all or nothing per charge. */
static void test_sb_limits(void **state)
{
	struct superblock *sb = sb_new(TMPFS_MAGIC_NR, 99, false);

	sb->max_pages = 10;
	sb->max_inodes = 2;
	assert_int_equal(sb_charge(sb, 10, 1), 0);
	assert_int_equal(sb_charge(sb, 1, 0), -ENOSPC);
	assert_int_equal(sb_charge(sb, 0, 2), -ENOSPC);
	assert_int_equal(sb->used_pages, 10);
	assert_int_equal(sb->used_inodes, 1);
	sb_uncharge(sb, 4, 1);
	assert_int_equal(sb_charge(sb, 4, 2), 0);
	assert_int_equal(sb_charge(NULL, 1000, 1000), 0);
	sb_put(sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initramfs),
		cmocka_unit_test(test_exec_lookup),
		cmocka_unit_test(test_read_write_seek),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_descriptors),
		cmocka_unit_test(test_dirs),
		cmocka_unit_test(test_symlinks),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_rename_unlink_open),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_tty_canonical),
		cmocka_unit_test(test_tty_raw),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_rename_flags),
		cmocka_unit_test(test_attrs),
		cmocka_unit_test(test_tmpfs_options),
		cmocka_unit_test(test_write_access),
		cmocka_unit_test(test_sb_limits),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
