/*
 * Reader for cpio "newc" archives (the initramfs format), as described in
 * cpio(5) and the Linux initramfs buffer format document: a 110-byte ASCII
 * header of thirteen 8-digit hex fields after the magic, the path name with
 * its NUL, padding to a multiple of four, the data, padding again.
 *
 * The archive comes from outside the kernel, so every length is checked
 * before it is used and nothing outside [buf, buf + len) is ever read.
 */
#include "kernel.h"
#include "uapi/errno.h"
#include "lib/cpio.h"

#define CPIO_MAGIC_LEN	6
#define CPIO_FIELD_LEN	8

/* Field order after the magic (cpio(5), "New ASCII Format"). */
enum cpio_field {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK,
	F_COUNT
};

_Static_assert(CPIO_MAGIC_LEN + F_COUNT * CPIO_FIELD_LEN == CPIO_HDR_LEN,
	       "newc header layout");

static int cpio_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse the 8 hex digits at @p into *@out; -EINVAL on any other character. */
static int cpio_hex_field(const char *p, u32 *out)
{
	u32 v = 0;

	for (int i = 0; i < CPIO_FIELD_LEN; i++) {
		int d = cpio_hex_digit(p[i]);

		if (d < 0)
			return -EINVAL;
		v = (v << 4) | (u32)d;
	}
	*out = v;
	return 0;
}

/* Round @n up to a multiple of 4; callers keep @n far below SIZE_MAX. */
static size_t cpio_pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/*
 * cpio_header - parse the CPIO_HDR_LEN-byte newc header at @hdr into @e (every field but
 * name, data and trailer) and *@namesize (the name's length with its NUL, at least 2).
 * Returns 0, or -EINVAL for a bad magic, a non-hex field or a name size below 2.
 * Locks: none. Sleeps: no. Semantics: cpio(5) newc format.
 */
int cpio_header(const void *hdr, struct cpio_entry *e, u32 *namesize)
{
	const char *h = hdr;
	u32 f[F_COUNT];

	if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
		return -EINVAL;
	for (int i = 0; i < F_COUNT; i++) {
		if (cpio_hex_field(h + CPIO_MAGIC_LEN + i * CPIO_FIELD_LEN, &f[i]) < 0)
			return -EINVAL;
	}
	if (f[F_NAMESIZE] < 2)
		return -EINVAL;
	*namesize = f[F_NAMESIZE];
	e->namelen = f[F_NAMESIZE] - 1;
	e->ino = f[F_INO];
	e->mode = f[F_MODE];
	e->uid = f[F_UID];
	e->gid = f[F_GID];
	e->nlink = f[F_NLINK];
	e->mtime = f[F_MTIME];
	e->devmajor = f[F_DEVMAJOR];
	e->devminor = f[F_DEVMINOR];
	e->rdevmajor = f[F_RDEVMAJOR];
	e->rdevminor = f[F_RDEVMINOR];
	e->size = f[F_FILESIZE];
	return 0;
}

/*
 * cpio_next - read the entry at *@off of the @len-byte archive @buf.
 * @buf: the archive in kernel memory; @len: its size, bytes; @off: byte
 * offset of the next header, advanced past the entry and its padding.
 * Returns 1 with @e filled, 0 when only NUL padding (or nothing) is left, or
 * -EINVAL for a malformed header (bad magic, non-hex field, zero-length or
 * unterminated name, name or data past the end). Both "070701" and the
 * checksummed "070702" are accepted; the checksum is not verified (as in
 * Linux's initramfs unpacker). Offsets for padding are counted from each
 * header, which is where a well-formed archive puts them anyway.
 * Locks: none. Sleeps: no. Semantics: cpio(5) newc format.
 */
int cpio_next(const void *buf, size_t len, size_t *off, struct cpio_entry *e)
{
	const char *base = buf;
	const char *hdr;
	u32 namesize;
	size_t pos = *off, data_off, data_end;

	/* NUL padding separates concatenated archives and ends the last one. */
	while (pos < len && base[pos] == '\0')
		pos++;
	if (pos >= len) {
		*off = len;
		return 0;
	}
	if (len - pos < CPIO_HDR_LEN)
		return -EINVAL;
	hdr = base + pos;
	if (cpio_header(hdr, e, &namesize) < 0)
		return -EINVAL;

	/* namesize counts the NUL; a name of length zero is malformed. */
	if (namesize > len - pos - CPIO_HDR_LEN)
		return -EINVAL;
	if (hdr[CPIO_HDR_LEN + namesize - 1] != '\0')
		return -EINVAL;
	data_off = pos + cpio_pad4(CPIO_HDR_LEN + (size_t)namesize);
	/* The padding after the last name or file may be cut off by the end. */
	if (data_off > len)
		data_off = len;
	if (e->size > len - data_off)
		return -EINVAL;
	data_end = cpio_pad4(e->size) > len - data_off ? len : data_off + cpio_pad4(e->size);

	e->name = hdr + CPIO_HDR_LEN;
	e->data = base + data_off;
	e->trailer = e->namelen == 10 && memcmp(e->name, "TRAILER!!!", 10) == 0;
	*off = data_end;
	return 1;
}
