/*
 * DEFLATE decoder with gzip framing (see include/lib/inflate.h).
 *
 * Decoding follows RFC 1951 directly: blocks are stored, or compressed with the fixed or a
 * dynamic pair of canonical Huffman codes; a code is decoded a bit at a time by walking the
 * code lengths (for each length the codes are consecutive numbers, so a code of length n is
 * known once its value minus the first code of that length is below the count of length n).
 * That is slower than table lookup and plenty fast for an initramfs, read once at boot.
 * Output goes to a 32 KiB circular window, which also serves the back-references; the window
 * is handed to the sink each time it fills. Input comes from memory and every read is bounds
 * checked: running off the end sets a flag and yields zeros, and the flag fails the call.
 */
#include "kernel.h"
#include "uapi/errno.h"
#include "lib/inflate.h"

#define GZIP_FTEXT	0x01
#define GZIP_FHCRC	0x02
#define GZIP_FEXTRA	0x04
#define GZIP_FNAME	0x08
#define GZIP_FCOMMENT	0x10
#define GZIP_FRESERVED	0xe0

/* Lengths 257..285 and distances 0..29: base values and extra bits (RFC 1951 3.2.5). */
static const u16 len_base[29] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
};
static const u8 len_extra[29] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
};
static const u16 dist_base[30] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
	1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
};
static const u8 dist_extra[30] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
	13, 13,
};
/* The order in which a dynamic block sends the code-length code's lengths (3.2.7). */
static const u8 clen_order[19] = {
	16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
};

/* CRC-32 as gzip uses it: reflected polynomial 0xedb88320 (RFC 1952 8). */
static void crc_init(struct inflate_state *st)
{
	for (u32 n = 0; n < 256; n++) {
		u32 c = n;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		st->crc_table[n] = c;
	}
	st->crc = 0xffffffffu;
}

static void crc_update(struct inflate_state *st, const u8 *p, size_t n)
{
	u32 c = st->crc;

	for (size_t i = 0; i < n; i++)
		c = st->crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	st->crc = c;
}

/* Hand the filled part of the window to the sink. Returns 0 or the sink's error. */
static int flush(struct inflate_state *st)
{
	if (!st->wpos)
		return 0;
	crc_update(st, st->window, st->wpos);
	st->sink_err = st->write(st->ctx, st->window, st->wpos);
	st->wpos = 0;
	return st->sink_err;
}

static int put_byte(struct inflate_state *st, u8 b)
{
	st->window[st->wpos++] = b;
	st->total++;
	return st->wpos == INFLATE_WINDOW ? flush(st) : 0;
}

/* The next @n (<= 32) bits, least significant first; zeros and in_short past the end. */
static u32 bits(struct inflate_state *st, unsigned n)
{
	u32 v;

	while (st->bitcnt < n) {
		if (st->in_pos >= st->in_len) {
			st->in_short = true;
			st->bitcnt += 8;	/* pretend zeros: the caller checks in_short */
			continue;
		}
		st->bitbuf |= (u64)st->in[st->in_pos++] << st->bitcnt;
		st->bitcnt += 8;
	}
	v = (u32)(st->bitbuf & ((1ull << n) - 1));
	st->bitbuf >>= n;
	st->bitcnt -= n;
	return v;
}

/*
 * Build a canonical code from @n code lengths. An incomplete code is allowed (a single
 * distance code is legal; a missing code simply never decodes); an over-subscribed one is
 * not. Returns 0 or -EINVAL.
 */
static int build(struct inflate_huffman *h, const u8 *lengths, unsigned n)
{
	u16 offs[INFLATE_MAX_BITS + 2];
	int left = 1;

	memset(h->count, 0, sizeof(h->count));
	for (unsigned s = 0; s < n; s++)
		h->count[lengths[s]]++;
	for (unsigned len = 1; len <= INFLATE_MAX_BITS; len++) {
		left = left * 2 - h->count[len];
		if (left < 0)
			return -EINVAL;
	}
	offs[1] = 0;
	for (unsigned len = 1; len <= INFLATE_MAX_BITS; len++)
		offs[len + 1] = offs[len] + h->count[len];
	for (unsigned s = 0; s < n; s++)
		if (lengths[s])
			h->symbol[offs[lengths[s]]++] = (u16)s;
	return 0;
}

/* Decode one symbol with @h; -EINVAL for a code that is not in the table. */
static int decode(struct inflate_state *st, const struct inflate_huffman *h)
{
	int code = 0, first = 0, index = 0;

	for (unsigned len = 1; len <= INFLATE_MAX_BITS; len++) {
		code |= (int)bits(st, 1);
		int count = h->count[len];

		if (code - first < count)
			return h->symbol[index + code - first];
		index += count;
		first = (first + count) << 1;
		code <<= 1;
		if (st->in_short)
			return -EINVAL;
	}
	return -EINVAL;
}

static int block_stored(struct inflate_state *st)
{
	u32 len, nlen;

	/* Drop the rest of the current byte; bitcnt < 8 here, so no whole byte is lost. */
	st->bitbuf = 0;
	st->bitcnt = 0;
	if (st->in_len - st->in_pos < 4)
		return -EINVAL;
	len = st->in[st->in_pos] | (u32)st->in[st->in_pos + 1] << 8;
	nlen = st->in[st->in_pos + 2] | (u32)st->in[st->in_pos + 3] << 8;
	st->in_pos += 4;
	if (len != (~nlen & 0xffff) || len > st->in_len - st->in_pos)
		return -EINVAL;
	for (u32 i = 0; i < len; i++)
		if (put_byte(st, st->in[st->in_pos + i]))
			return st->sink_err;
	st->in_pos += len;
	return 0;
}

/* Decode literals and back-references with st->lit and st->dist until end of block. */
static int block_codes(struct inflate_state *st)
{
	for (;;) {
		int sym = decode(st, &st->lit);

		if (sym < 0 || st->in_short)
			return -EINVAL;
		if (sym < 256) {
			if (put_byte(st, (u8)sym))
				return st->sink_err;
			continue;
		}
		if (sym == 256)
			return 0;
		sym -= 257;
		if (sym >= 29)
			return -EINVAL;
		u32 len = len_base[sym] + bits(st, len_extra[sym]);
		int dsym = decode(st, &st->dist);

		if (dsym < 0 || dsym >= 30 || st->in_short)
			return -EINVAL;
		u32 dist = dist_base[dsym] + bits(st, dist_extra[dsym]);

		if (st->in_short || dist > st->total)
			return -EINVAL;
		/* dist <= 32768 = the window, so the source byte is still there. */
		size_t from = (st->wpos + INFLATE_WINDOW - dist) % INFLATE_WINDOW;

		while (len--) {
			u8 b = st->window[from];

			from = (from + 1) % INFLATE_WINDOW;
			if (put_byte(st, b))
				return st->sink_err;
		}
	}
}

static int block_fixed(struct inflate_state *st)
{
	u8 lengths[INFLATE_NLITLEN];
	unsigned s = 0;

	while (s < 144)
		lengths[s++] = 8;
	while (s < 256)
		lengths[s++] = 9;
	while (s < 280)
		lengths[s++] = 7;
	while (s < INFLATE_NLITLEN)
		lengths[s++] = 8;
	build(&st->lit, lengths, INFLATE_NLITLEN);
	for (s = 0; s < INFLATE_NDIST; s++)
		lengths[s] = 5;
	build(&st->dist, lengths, INFLATE_NDIST);
	return block_codes(st);
}

static int block_dynamic(struct inflate_state *st)
{
	u8 lengths[INFLATE_NLITLEN + INFLATE_NDIST];
	unsigned nlit = bits(st, 5) + 257, ndist = bits(st, 5) + 1, nclen = bits(st, 4) + 4;
	unsigned i = 0;

	if (nlit > 286 || ndist > 30)
		return -EINVAL;
	memset(lengths, 0, 19);
	for (unsigned k = 0; k < nclen; k++)
		lengths[clen_order[k]] = (u8)bits(st, 3);
	if (st->in_short || build(&st->lit, lengths, 19))
		return -EINVAL;
	while (i < nlit + ndist) {
		int sym = decode(st, &st->lit);
		unsigned rep;
		u8 val = 0;

		if (sym < 0 || st->in_short)
			return -EINVAL;
		if (sym < 16) {
			lengths[i++] = (u8)sym;
			continue;
		}
		if (sym == 16) {
			if (i == 0)
				return -EINVAL;
			val = lengths[i - 1];
			rep = 3 + bits(st, 2);
		} else if (sym == 17) {
			rep = 3 + bits(st, 3);
		} else {
			rep = 11 + bits(st, 7);
		}
		if (i + rep > nlit + ndist)
			return -EINVAL;
		while (rep--)
			lengths[i++] = val;
	}
	if (lengths[256] == 0)	/* no end-of-block code: the block could never end */
		return -EINVAL;
	if (build(&st->lit, lengths, nlit) || build(&st->dist, lengths + nlit, ndist))
		return -EINVAL;
	return block_codes(st);
}

/* Decode DEFLATE blocks until the one marked final. Returns 0 or a negative errno. */
static int inflate_blocks(struct inflate_state *st)
{
	unsigned final;

	do {
		int err;

		final = bits(st, 1);
		switch (bits(st, 2)) {
		case 0:
			err = block_stored(st);
			break;
		case 1:
			err = block_fixed(st);
			break;
		case 2:
			err = block_dynamic(st);
			break;
		default:
			err = -EINVAL;
		}
		if (!err && st->in_short)
			err = -EINVAL;
		if (err)
			return err;
	} while (!final);
	return 0;
}

/* gzip_magic - see include/lib/inflate.h. */
bool gzip_magic(const void *p, size_t len)
{
	const u8 *b = p;

	return len >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8;
}

/* Skip a NUL-terminated header field; false if the input ends first. */
static bool skip_string(struct inflate_state *st)
{
	while (st->in_pos < st->in_len)
		if (st->in[st->in_pos++] == 0)
			return true;
	return false;
}

static u32 le32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

/* gunzip - see include/lib/inflate.h. */
int gunzip(const void *in, size_t len, size_t *consumed, struct inflate_state *st,
	   inflate_write_fn write, void *ctx)
{
	const u8 *b = in;
	u8 flags;
	int err;

	if (len < 10 || !gzip_magic(in, len))
		return -EINVAL;
	flags = b[3];
	if (flags & GZIP_FRESERVED)
		return -EINVAL;
	st->in = b;
	st->in_len = len;
	st->in_pos = 10;	/* magic, method, flags, mtime, extra flags, OS */
	st->bitbuf = 0;
	st->bitcnt = 0;
	st->in_short = false;
	st->wpos = 0;
	st->total = 0;
	st->write = write;
	st->ctx = ctx;
	st->sink_err = 0;
	crc_init(st);
	if (flags & GZIP_FEXTRA) {
		if (len - st->in_pos < 2)
			return -EINVAL;
		size_t xlen = b[st->in_pos] | (size_t)b[st->in_pos + 1] << 8;

		st->in_pos += 2;
		if (xlen > len - st->in_pos)
			return -EINVAL;
		st->in_pos += xlen;
	}
	if ((flags & GZIP_FNAME) && !skip_string(st))
		return -EINVAL;
	if ((flags & GZIP_FCOMMENT) && !skip_string(st))
		return -EINVAL;
	if (flags & GZIP_FHCRC) {
		if (len - st->in_pos < 2)
			return -EINVAL;
		st->in_pos += 2;
	}
	err = inflate_blocks(st);
	if (!err)
		err = flush(st);
	if (err)
		return err;
	/* The trailer starts at the next whole byte: CRC-32, then the length mod 2^32. */
	if (len - st->in_pos < 8)
		return -EINVAL;
	if (le32(b + st->in_pos) != ~st->crc || le32(b + st->in_pos + 4) != (u32)st->total)
		return -EINVAL;
	*consumed = st->in_pos + 8;
	return 0;
}
