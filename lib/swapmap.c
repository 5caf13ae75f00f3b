/*
 * Swap-area headers and slot maps (include/lib/swapmap.h): the format that
 * mkswap(8) writes and swapon(2) checks, and the reference counts of the
 * slots. Pure logic; the kernel's swap areas (mm/swapfile.c) lock around it.
 */
#include "kernel.h"
#include "uapi/errno.h"
#include "lib/swapmap.h"

static u32 get32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static void put32(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
	p[2] = (u8)(v >> 16);
	p[3] = (u8)(v >> 24);
}

/* swap_header_parse - see include/lib/swapmap.h. */
int swap_header_parse(const void *page, u64 dev_pages, struct swap_header *h)
{
	const u8 *p = page;
	const u8 *info = p + SWAP_HDR_INFO_OFF;

	if (memcmp(p + SWAP_PAGE_SIZE - SWAP_MAGIC_LEN, SWAP_MAGIC, SWAP_MAGIC_LEN))
		return -EINVAL;
	h->version = get32(info);
	h->last_page = get32(info + 4);
	h->nr_badpages = get32(info + 8);
	memcpy(h->uuid, info + 12, 16);
	memcpy(h->label, info + 28, 16);
	h->label[16] = '\0';
	if (h->version != 1 || h->last_page == 0 || h->nr_badpages > SWAP_MAX_BADPAGES)
		return -EINVAL;
	if (dev_pages < 2)
		return -EINVAL;
	if (h->last_page > dev_pages - 1)
		h->last_page = (u32)MIN(dev_pages - 1, (u64)0xffffffffu);
	for (u32 i = 0; i < h->nr_badpages; i++) {
		u32 bad = get32(p + SWAP_HDR_BADPAGES_OFF + 4 * i);

		if (bad == 0 || bad > h->last_page)
			return -EINVAL;
	}
	return 0;
}

/* swap_header_format - see include/lib/swapmap.h. */
int swap_header_format(void *page, u64 pages, const u8 *uuid, const char *label)
{
	u8 *p = page;
	u8 *info = p + SWAP_HDR_INFO_OFF;

	if (pages < 2)
		return -EINVAL;
	memset(info, 0, SWAP_PAGE_SIZE - SWAP_HDR_INFO_OFF);
	put32(info, 1);
	put32(info + 4, (u32)MIN(pages - 1, (u64)0xffffffffu));
	put32(info + 8, 0);
	memcpy(info + 12, uuid, 16);
	for (int i = 0; i < 16 && label[i]; i++)
		info[28 + i] = (u8)label[i];
	memcpy(p + SWAP_PAGE_SIZE - SWAP_MAGIC_LEN, SWAP_MAGIC, SWAP_MAGIC_LEN);
	return 0;
}

/* swapmap_init - see include/lib/swapmap.h. */
void swapmap_init(struct swapmap *m, u16 *count, const struct swap_header *h,
		  const u32 *badpages)
{
	m->count = count;
	m->nslots = h->last_page + 1;
	m->cursor = 1;
	for (u32 i = 0; i < m->nslots; i++)
		count[i] = 0;
	count[0] = SWAPMAP_BAD;
	for (u32 i = 0; i < h->nr_badpages; i++)
		count[badpages[i]] = SWAPMAP_BAD;
	m->nfree = 0;
	for (u32 i = 0; i < m->nslots; i++)
		if (count[i] == 0)
			m->nfree++;
}

/* swapmap_usable - see include/lib/swapmap.h. */
u32 swapmap_usable(const struct swapmap *m)
{
	u32 n = 0;

	for (u32 i = 0; i < m->nslots; i++)
		if (m->count[i] != SWAPMAP_BAD)
			n++;
	return n;
}

/* swapmap_alloc - see include/lib/swapmap.h. */
u32 swapmap_alloc(struct swapmap *m)
{
	if (!m->nfree)
		return 0;
	for (u32 n = 0; n < m->nslots; n++) {
		u32 slot = m->cursor;

		m->cursor = m->cursor + 1 < m->nslots ? m->cursor + 1 : 1;
		if (m->count[slot] == 0) {
			m->count[slot] = 1;
			m->nfree--;
			return slot;
		}
	}
	return 0;
}

/* swapmap_dup - see include/lib/swapmap.h. */
int swapmap_dup(struct swapmap *m, u32 slot)
{
	if (m->count[slot] >= SWAPMAP_MAX)
		return -ENOMEM;
	m->count[slot]++;
	return 0;
}

/* swapmap_put - see include/lib/swapmap.h. */
u32 swapmap_put(struct swapmap *m, u32 slot)
{
	if (--m->count[slot] == 0)
		m->nfree++;
	return m->count[slot];
}
