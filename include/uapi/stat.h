/*
 * File status of the Linux x86-64 ABI: the file-type and permission bits
 * of st_mode, and struct linux_stat, the 144-byte record that stat(2),
 * fstat(2), lstat(2) and newfstatat(2) fill in (Linux
 * arch/x86/include/uapi/asm/stat.h layout). Device numbers use Linux's
 * 32-bit-compatible encoding (see linux_makedev()).
 *
 * Shared with user programs and tests: only <stdint.h> types; the S_*
 * names are guarded so they coexist with a libc's <sys/stat.h>.
 */
#ifndef SPROUT_UAPI_STAT_H
#define SPROUT_UAPI_STAT_H

#include <stdint.h>

#ifndef S_IFMT
#define S_IFMT		0170000
#define S_IFSOCK	0140000
#define S_IFLNK		0120000
#define S_IFREG		0100000
#define S_IFBLK		0060000
#define S_IFDIR		0040000
#define S_IFCHR		0020000
#define S_IFIFO		0010000
#define S_ISUID		0004000
#define S_ISGID		0002000
#define S_ISVTX		0001000
#define S_IRWXU		00700
#define S_IRUSR		00400
#define S_IWUSR		00200
#define S_IXUSR		00100
#define S_IRWXG		00070
#define S_IRGRP		00040
#define S_IWGRP		00020
#define S_IXGRP		00010
#define S_IRWXO		00007
#define S_IROTH		00004
#define S_IWOTH		00002
#define S_IXOTH		00001
#endif

#ifndef S_ISREG
#define S_ISLNK(m)	(((m) & S_IFMT) == S_IFLNK)
#define S_ISREG(m)	(((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m)	(((m) & S_IFMT) == S_IFDIR)
#define S_ISCHR(m)	(((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m)	(((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m)	(((m) & S_IFMT) == S_IFIFO)
#define S_ISSOCK(m)	(((m) & S_IFMT) == S_IFSOCK)
#endif

struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t __pad0;
	uint64_t st_rdev;
	int64_t st_size;	/* bytes */
	int64_t st_blksize;	/* preferred I/O size, bytes */
	int64_t st_blocks;	/* 512-byte units allocated */
	struct linux_timespec st_atim;
	struct linux_timespec st_mtim;
	struct linux_timespec st_ctim;
	int64_t __unused[3];
};

_Static_assert(sizeof(struct linux_stat) == 144, "x86-64 struct stat is 144 bytes");

/* Linux's dev_t encoding (new_encode_dev in the kernel, makedev() in glibc). */
static inline uint64_t linux_makedev(uint32_t major, uint32_t minor)
{
	return (uint64_t)(minor & 0xff) | ((uint64_t)(major & 0xfff) << 8) |
	       ((uint64_t)(minor & ~0xffu) << 12) | ((uint64_t)(major & ~0xfffu) << 32);
}

static inline uint32_t linux_major(uint64_t dev)
{
	return (uint32_t)(((dev >> 32) & 0xfffff000u) | ((dev >> 8) & 0xfff));
}

static inline uint32_t linux_minor(uint64_t dev)
{
	return (uint32_t)(((dev >> 12) & 0xffffff00u) | (dev & 0xff));
}

#endif
