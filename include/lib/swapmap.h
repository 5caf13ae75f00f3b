/*
 * Swap areas as pure logic (no kernel state; the caller locks), so the host
 * unit tests can drive them:
 *   - the swap-area header, Linux's layout (mkswap(8)): page 0 of the area
 *     holds at byte 1024 the version (1), the last usable page, the number
 *     of bad pages, a UUID, a label and the list of bad pages, and in its
 *     last 10 bytes the signature "SWAPSPACE2"; slots are the 4 KiB pages
 *     after it (slot n is page n of the area, slot 0 the header itself);
 *   - the slot map: one reference count per slot (the page-table entries
 *     and swap-cache pages that name it), SWAPMAP_BAD for slots that never
 *     hold a page (the header, bad pages), with next-fit allocation so that
 *     pages swapped out together land next to each other on the disk.
 */
#ifndef SPROUT_LIB_SWAPMAP_H
#define SPROUT_LIB_SWAPMAP_H

#include "../types.h"

#define SWAP_PAGE_SIZE		4096
#define SWAP_MAGIC		"SWAPSPACE2"
#define SWAP_MAGIC_LEN		10
#define SWAP_HDR_INFO_OFF	1024	/* struct swap_info_hdr in the header page */
#define SWAP_HDR_BADPAGES_OFF	1536	/* u32 bad page numbers */
#define SWAP_MAX_BADPAGES	((SWAP_PAGE_SIZE - SWAP_MAGIC_LEN - SWAP_HDR_BADPAGES_OFF) / 4)

/* What the header says (host byte order: x86 and the disk are both little-endian). */
struct swap_header {
	u32 version;		/* 1 */
	u32 last_page;		/* the last page of the area that may hold a slot */
	u32 nr_badpages;
	u8 uuid[16];
	char label[17];		/* NUL-terminated */
};

/*
 * swap_header_parse - check and read the header page @page (SWAP_PAGE_SIZE
 * bytes) of an area of @dev_pages pages. Returns 0, or -EINVAL: no
 * "SWAPSPACE2" signature, a version other than 1, last_page 0, more bad
 * pages than fit, or a bad page outside 1..last_page (Linux's swapon(2)
 * checks). A last_page beyond the device is cut to the device's end.
 */
int swap_header_parse(const void *page, u64 dev_pages, struct swap_header *h);

/*
 * swap_header_format - write a header for an area of @pages pages (at
 * least 2), no bad pages, into @page (SWAP_PAGE_SIZE bytes, zeroed by it
 * first except the first 1024 bytes, which mkswap(8) keeps for boot
 * sectors), with @uuid (16 bytes) and NUL-terminated @label (up to 16
 * bytes kept). Returns 0 or -EINVAL (too small).
 */
int swap_header_format(void *page, u64 pages, const u8 *uuid, const char *label);

#define SWAPMAP_BAD	0xffffu	/* a slot that is never used */
#define SWAPMAP_MAX	0xfffeu	/* the most references one slot may hold */

struct swapmap {
	u16 *count;		/* nslots counts: 0 free, SWAPMAP_BAD, else references */
	u32 nslots;		/* slots 0 .. nslots-1 (nslots = last_page + 1) */
	u32 nfree;		/* slots with count 0 */
	u32 cursor;		/* next-fit: the search starts here */
};

/*
 * swapmap_init - the map of an area whose header @h says which slots exist:
 * slot 0 and the bad pages are SWAPMAP_BAD, slots 1..last_page free.
 * @count must hold h->last_page + 1 entries.
 */
void swapmap_init(struct swapmap *m, u16 *count, const struct swap_header *h,
		  const u32 *badpages);

/* swapmap_usable - slots that can hold a page (Linux's si->pages). */
u32 swapmap_usable(const struct swapmap *m);

/* swapmap_alloc - a free slot with count 1, next-fit; 0 when full. */
u32 swapmap_alloc(struct swapmap *m);

/* swapmap_dup - one more reference on slot @slot (in use): 0, or -ENOMEM
 * when it already has SWAPMAP_MAX. */
int swapmap_dup(struct swapmap *m, u32 slot);

/* swapmap_put - drop one reference on slot @slot (in use); returns the
 * references left (0: the slot is free again). */
u32 swapmap_put(struct swapmap *m, u32 slot);

/* swapmap_count - the references on @slot (0 free; SWAPMAP_BAD). */
static inline u32 swapmap_count(const struct swapmap *m, u32 slot)
{
	return slot < m->nslots ? m->count[slot] : SWAPMAP_BAD;
}

#endif
