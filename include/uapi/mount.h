/*
 * Mounts and file-system status of the Linux x86-64 ABI: the mount(2) flags
 * (MS_*), the statfs(2)/fstatfs(2) record (struct linux_statfs, 120 bytes,
 * Linux's asm-generic layout for 64-bit) with its f_flags bits (ST_*), and
 * the f_type magic numbers of the file systems Sprout has.
 *
 * Shared with user programs and tests: only <stdint.h> types; the MS_* and
 * ST_* names are guarded so they coexist with a libc's <sys/mount.h> and
 * <sys/statvfs.h>.
 */
#ifndef SPROUT_UAPI_MOUNT_H
#define SPROUT_UAPI_MOUNT_H

#include <stdint.h>

#ifndef MS_RDONLY
#define MS_RDONLY	0x1
#define MS_NOSUID	0x2
#define MS_NODEV	0x4
#define MS_NOEXEC	0x8
#define MS_REMOUNT	0x20
#define MS_BIND		0x1000
#define MS_MOVE		0x2000
#define MS_SILENT	0x8000
#define MS_RELATIME	0x200000
#endif
#define MS_MGC_VAL_HI	0xc0ed0000u	/* old magic in the top half: ignored */
#define MS_MGC_MSK_HI	0xffff0000u

#ifndef ST_RDONLY
#define ST_RDONLY	0x0001
#define ST_NOSUID	0x0002
#define ST_NODEV	0x0004
#define ST_NOEXEC	0x0008
#define ST_SYNCHRONOUS	0x0010
#define ST_MANDLOCK	0x0040
#define ST_NOATIME	0x0400
#define ST_NODIRATIME	0x0800
#define ST_RELATIME	0x1000
#endif
#define ST_VALID_BIT	0x0020	/* the kernel's ST_VALID: f_flags is meaningful */

#define TMPFS_MAGIC_NR		0x01021994
#define PROC_SUPER_MAGIC_NR	0x9fa0
#define PIPEFS_MAGIC_NR		0x50495045
#define DEVPTS_MAGIC_NR		0x1cd1

/* statfs(2) on x86-64: every field but f_fsid is 64 bits wide. */
struct linux_statfs {
	int64_t f_type;
	int64_t f_bsize;
	uint64_t f_blocks;
	uint64_t f_bfree;
	uint64_t f_bavail;
	uint64_t f_files;
	uint64_t f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;
	int64_t f_spare[4];
};

#endif
