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

/* statx(2): the timestamp and record of Linux's include/uapi/linux/stat.h. */
struct linux_statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t __reserved;
};

struct linux_statx {
	uint32_t stx_mask;		/* STATX_* fields filled in */
	uint32_t stx_blksize;		/* preferred I/O size, bytes */
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t __spare0;
	uint64_t stx_ino;
	uint64_t stx_size;		/* bytes */
	uint64_t stx_blocks;		/* 512-byte units allocated */
	uint64_t stx_attributes_mask;
	struct linux_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align, stx_dio_offset_align;
	uint64_t __spare3[12];
};

_Static_assert(sizeof(struct linux_statx) == 256, "struct statx is 256 bytes");

#ifndef STATX_BASIC_STATS
#define STATX_TYPE		0x0001U
#define STATX_MODE		0x0002U
#define STATX_NLINK		0x0004U
#define STATX_UID		0x0008U
#define STATX_GID		0x0010U
#define STATX_ATIME		0x0020U
#define STATX_MTIME		0x0040U
#define STATX_CTIME		0x0080U
#define STATX_INO		0x0100U
#define STATX_SIZE		0x0200U
#define STATX_BLOCKS		0x0400U
#define STATX_BASIC_STATS	0x07ffU
#endif
#ifndef STATX__RESERVED
#define STATX__RESERVED		0x80000000U
#endif
#ifndef AT_STATX_SYNC_TYPE
#define AT_STATX_SYNC_TYPE	0x6000	/* AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC */
#endif

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
