/*
 * gzip (RFC 1952) and DEFLATE (RFC 1951) decompression, for the initramfs. Pure logic: no
 * allocation, no kernel state; the caller provides the working state (about 36 KiB, too large
 * for a kernel stack) and a sink that takes the output in pieces of up to 32 KiB, so output of
 * any size streams through a fixed window. Used by fs/initramfs.c and the host unit tests.
 */
#ifndef SPROUT_LIB_INFLATE_H
#define SPROUT_LIB_INFLATE_H

#include "../types.h"

#define INFLATE_WINDOW		32768	/* DEFLATE's largest back-reference distance */
#define INFLATE_MAX_BITS	15	/* longest Huffman code */
#define INFLATE_NLITLEN		288	/* literal/length alphabet, with 2 unused codes */
#define INFLATE_NDIST		32	/* distance alphabet, with the two unused codes */

/* A canonical Huffman code: how many codes of each length, and the symbols in code order. */
struct inflate_huffman {
	u16 count[INFLATE_MAX_BITS + 1];
	u16 symbol[INFLATE_NLITLEN];
};

/*
 * The output sink: called with each full window and with the rest at the end. Returns 0 to
 * go on or a negative errno, which stops the decompression and is returned by gunzip().
 */
typedef int (*inflate_write_fn)(void *ctx, const u8 *data, size_t len);

/* Working state of one decompression; the fields are private to lib/inflate.c. */
struct inflate_state {
	const u8 *in;
	size_t in_len, in_pos;
	u64 bitbuf;
	unsigned bitcnt;
	bool in_short;			/* tried to read past the input */
	u8 window[INFLATE_WINDOW];	/* the last 32 KiB of output, circular */
	size_t wpos;			/* next byte of window[] to fill */
	u64 total;			/* bytes produced */
	u32 crc;			/* CRC-32 of the flushed output */
	u32 crc_table[256];
	struct inflate_huffman lit, dist;
	inflate_write_fn write;
	void *ctx;
	int sink_err;
};

/*
 * gunzip - decompress the gzip member at the start of @in (@len bytes).
 * @st: working state, any contents; @write/@ctx: the output sink (see inflate_write_fn).
 * On success returns 0 with *@consumed = the member's length in bytes (header, DEFLATE data
 * and the CRC-32/ISIZE trailer), so that a following member or other data can be found.
 * Returns -EINVAL for anything malformed: not gzip, a reserved flag or block type, a bad
 * Huffman table or back-reference, input ending early, a CRC-32 or length mismatch; or the
 * sink's negative errno. Never reads outside [in, in + len). Sleeps: no (the sink may).
 */
int gunzip(const void *in, size_t len, size_t *consumed, struct inflate_state *st,
	   inflate_write_fn write, void *ctx);

/* gzip_magic - true when the @len bytes at @p start with gzip's magic (1f 8b, method 8). */
bool gzip_magic(const void *p, size_t len);

#endif
