/*
 * memfd_create(2): an anonymous tmpfs file behind a descriptor, and file
 * sealing (fcntl(2) F_ADD_SEALS/F_GET_SEALS), which only memfds support.
 * A seal is a promise about the file that nobody, not even its owner, can
 * break once made: F_SEAL_SHRINK and F_SEAL_GROW fix the size (truncate and
 * extending writes give EPERM, fs/tmpfs.c), F_SEAL_WRITE forbids changing
 * the contents (write: EPERM; a writable shared mapping: EPERM in mmap,
 * and the seal cannot be added while one exists: EBUSY), F_SEAL_FUTURE_WRITE
 * the same for new writers only, F_SEAL_EXEC fixes the execute bits (chmod:
 * EPERM, fs/sys_stat.c), F_SEAL_SEAL forbids further seals.
 * A memfd made without MFD_ALLOW_SEALING starts sealed with F_SEAL_SEAL.
 *
 * Locks: the inode lock around the seals ([i] of include/fs.h).
 */
#include "internal.h"
#include "mm.h"

#define MFD_CLOEXEC		0x0001U
#define MFD_ALLOW_SEALING	0x0002U
#define MFD_HUGETLB		0x0004U
#define MFD_NOEXEC_SEAL		0x0008U
#define MFD_EXEC		0x0010U
#define MFD_NAME_MAX		249	/* NAME_MAX - strlen("memfd:") */

#define F_ADD_SEALS	1033
#define F_GET_SEALS	1034
#define SEALS_ALL	(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | \
			 F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)

/*
 * sys_memfd_create - memfd_create(2): a new, empty, unlinked tmpfs file
 * open O_RDWR, named @uname for the caller's information (at most 249
 * bytes). @flags: MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_NOEXEC_SEAL (not
 * executable, sealed so: F_SEAL_EXEC, sealing allowed) or MFD_EXEC.
 * Returns the descriptor or -EINVAL (unknown flags, MFD_HUGETLB: no huge
 * pages here, both NOEXEC_SEAL and EXEC, a name too long), -EFAULT,
 * -EMFILE, -ENOMEM. May sleep.
 */
long sys_memfd_create(const char __user *uname, unsigned flags)
{
	char name[MFD_NAME_MAX + 1];
	struct inode *ino;
	struct file *f;
	long r;

	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC))
		return -EINVAL;
	if (flags & MFD_HUGETLB)
		return -EINVAL;
	if ((flags & MFD_NOEXEC_SEAL) && (flags & MFD_EXEC))
		return -EINVAL;
	r = strncpy_from_user(name, uname, sizeof(name));
	if (r == -ENAMETOOLONG)
		return -EINVAL;
	if (r < 0)
		return r;
	r = tmpfs_anon_create(0, (flags & MFD_NOEXEC_SEAL) ? 0666 : 0777, &ino);
	if (r)
		return r;
	ino->memfd = true;
	ino->seals = F_SEAL_SEAL;
	if (flags & (MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL))
		ino->seals = (flags & MFD_NOEXEC_SEAL) ? F_SEAL_EXEC : 0;
	r = vfs_open_inode(ino, O_RDWR, &f);
	inode_put(ino);		/* the file holds its own reference */
	if (r)
		return r;
	r = fd_install(f, 0, flags & MFD_CLOEXEC);
	if (r < 0)
		file_put(f);
	return r;
}

/* memfd_fcntl - see include/fs.h. */
long memfd_fcntl(struct file *f, unsigned cmd, u64 arg)
{
	struct inode *ino = f->inode;
	u32 seals = (u32)arg;
	long r = 0;

	if (!ino || !ino->memfd || (file_flags(f) & O_PATH))
		return -EINVAL;
	if (cmd == F_GET_SEALS) {
		mutex_lock(&ino->lock);
		r = ino->seals;
		mutex_unlock(&ino->lock);
		return r;
	}
	if (arg & ~(u64)SEALS_ALL)
		return -EINVAL;
	if ((file_flags(f) & O_ACCMODE) == O_RDONLY)
		return -EPERM;
	mutex_lock(&ino->lock);
	if (ino->seals & F_SEAL_SEAL)
		r = -EPERM;
	else if ((seals & F_SEAL_WRITE) && !(ino->seals & F_SEAL_WRITE) &&
		 mm_file_writably_mapped(ino))
		r = -EBUSY;
	else
		ino->seals |= seals;
	mutex_unlock(&ino->lock);
	return r;
}
