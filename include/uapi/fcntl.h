/*
 * File-control constants of the Linux x86-64 ABI: open(2) flags, fcntl(2)
 * commands, the *at() conventions, access(2) modes, lseek(2) whence values
 * and struct linux_dirent64 (getdents64(2)). Values follow the Linux
 * asm-generic/fcntl.h numbering used by x86-64.
 *
 * Shared with user programs and tests: only <stdint.h> types, and each group
 * of names is guarded so that it coexists with a libc's <fcntl.h>/<unistd.h>,
 * which define the same values.
 */
#ifndef SPROUT_UAPI_FCNTL_H
#define SPROUT_UAPI_FCNTL_H

#include <stdint.h>

/* open(2) flags (octal, as the ABI documents them). */
#ifndef O_CREAT
#define O_RDONLY	00000000
#define O_WRONLY	00000001
#define O_RDWR		00000002
#define O_CREAT		00000100
#define O_EXCL		00000200
#define O_NOCTTY	00000400
#define O_TRUNC		00001000
#define O_APPEND	00002000
#define O_NONBLOCK	00004000
#define O_DSYNC		00010000
#define O_ASYNC		00020000
#define O_DIRECT	00040000
#define O_DIRECTORY	00200000
#define O_NOFOLLOW	00400000
#define O_NOATIME	01000000
#define O_CLOEXEC	02000000
#define O_SYNC		04010000
#define O_PATH		010000000
#define O_TMPFILE	020200000
#endif
#ifndef O_ACCMODE
#define O_ACCMODE	00000003
#endif
/* The kernel's value; 64-bit libcs define O_LARGEFILE as 0 for programs. */
#define LINUX_O_LARGEFILE	00100000
#ifndef O_NDELAY
#define O_NDELAY	O_NONBLOCK
#endif

/* fcntl(2) commands and descriptor flags. */
#ifndef F_DUPFD
#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_GETLK		5
#define F_SETLK		6
#define F_SETLKW	7
#endif
#ifndef F_DUPFD_CLOEXEC
#define F_DUPFD_CLOEXEC	1030
#endif
#ifndef FD_CLOEXEC
#define FD_CLOEXEC	1
#endif

/* The *at() calls: dirfd meaning "the current directory", and their flags. */
#ifndef AT_FDCWD
#define AT_FDCWD		(-100)
#define AT_SYMLINK_NOFOLLOW	0x100
#define AT_REMOVEDIR		0x200
#define AT_SYMLINK_FOLLOW	0x400
#define AT_NO_AUTOMOUNT		0x800
#define AT_EMPTY_PATH		0x1000
#endif
#ifndef AT_EACCESS
#define AT_EACCESS		0x200	/* faccessat: same value as AT_REMOVEDIR */
#endif

/* renameat2(2) flags. */
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	(1 << 0)
#define RENAME_EXCHANGE		(1 << 1)
#define RENAME_WHITEOUT		(1 << 2)
#endif

/* utimensat(2): tv_nsec values meaning "now" and "leave unchanged". */
#ifndef UTIME_NOW
#define UTIME_NOW	((1L << 30) - 1L)
#define UTIME_OMIT	((1L << 30) - 2L)
#endif

/* access(2) modes. */
#ifndef F_OK
#define F_OK	0
#define X_OK	1
#define W_OK	2
#define R_OK	4
#endif

/* lseek(2) whence. */
#ifndef SEEK_SET
#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2
#endif
#ifndef SEEK_DATA
#define SEEK_DATA	3
#define SEEK_HOLE	4
#endif

/* Limits of path names (bytes, including the terminating NUL for PATH_MAX). */
#ifndef PATH_MAX
#define PATH_MAX	4096
#endif
#ifndef NAME_MAX
#define NAME_MAX	255
#endif
#ifndef IOV_MAX
#define IOV_MAX		1024
#endif

/* The vector element of readv(2)/writev(2), x86-64 layout. */
struct linux_iovec {
	uint64_t iov_base;	/* user address */
	uint64_t iov_len;	/* bytes */
};

/*
 * One record of getdents64(2). d_reclen is the record's size in bytes,
 * rounded up to a multiple of 8; d_name is NUL-terminated inside it.
 */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;		/* position of the next record */
	uint16_t d_reclen;
	uint8_t d_type;		/* DT_* */
	char d_name[];
};

#ifndef DT_UNKNOWN
#define DT_UNKNOWN	0
#define DT_FIFO		1
#define DT_CHR		2
#define DT_DIR		4
#define DT_BLK		6
#define DT_REG		8
#define DT_LNK		10
#define DT_SOCK		12
#endif

#endif
