/*
 * cpio "newc" (SVR4, magic 070701) archive reader. Pure logic: no allocation,
 * no kernel state. Used by fs/initramfs.c and by the host unit tests.
 *
 * Concatenated archives (as the kernel receives several -initrd parts) are
 * read as one stream: each archive ends with a "TRAILER!!!" entry, NUL
 * padding between archives is skipped.
 */
#ifndef SPROUT_LIB_CPIO_H
#define SPROUT_LIB_CPIO_H

#include "../types.h"

struct cpio_entry {
	const char *name;	/* points into the archive; NOT NUL-terminated */
	size_t namelen;		/* without the trailing NUL */
	u32 ino, mode, uid, gid, nlink;	/* mode: file type and permission bits */
	u64 mtime;
	u32 devmajor, devminor, rdevmajor, rdevminor;
	const void *data;	/* file data (or symlink target), inside the archive */
	size_t size;		/* bytes of data */
	bool trailer;		/* this is a TRAILER!!! entry */
};

/*
 * cpio_next - read the entry at *@off of the @len-byte archive @buf.
 * Returns 1 and fills @e (advancing *@off past the entry and its padding),
 * 0 at the end of the data (only NUL padding or nothing left), or -EINVAL for
 * a malformed header (bad magic, non-hex field, name or data past the end,
 * zero-length name). Never reads outside [buf, buf + len).
 */
int cpio_next(const void *buf, size_t len, size_t *off, struct cpio_entry *e);

#define CPIO_HDR_LEN	110	/* bytes of a newc header, magic included */

/*
 * cpio_header - parse one CPIO_HDR_LEN-byte header at @hdr, for a reader that sees the
 * archive in pieces (a decompressed stream): fills @e's numeric fields and size (not name,
 * data or trailer) and *@namesize (name bytes with the NUL, >= 2). Returns 0 or -EINVAL
 * (bad magic, a non-hex field, a name size below 2). The name starts right after the header,
 * the data at the next multiple of 4 bytes after the name, counted from the archive's start.
 */
int cpio_header(const void *hdr, struct cpio_entry *e, u32 *namesize);

#endif
