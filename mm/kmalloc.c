/*
 * The kernel heap: size classes of 16 bytes to 2 KiB, each a list of slabs
 * (one page each) cut into equal objects; larger requests get whole page
 * blocks. The struct page of a slab records its class, so kfree() needs no
 * size. An empty slab goes back to the page allocator at once, which keeps
 * the free-page count exact for the leak tests.
 *
 * Locks: one spinlock per size class guards its slab list and free lists;
 * the count of pages held is atomic.
 */
#include "kernel.h"
#include "kmalloc.h"
#include "page.h"
#include "arch.h"
#include "spinlock.h"

#define KMALLOC_MIN_SHIFT	4	/* 16 bytes */
#define KMALLOC_MAX_SHIFT	11	/* 2 KiB */
#define NCLASSES		(KMALLOC_MAX_SHIFT - KMALLOC_MIN_SHIFT + 1)

struct free_obj {
	struct free_obj *next;
};

/* Per-slab state lives at the start of the slab page. */
struct slab {
	struct free_obj *free;	/* [class lock] free objects of this slab */
	u32 inuse;		/* [class lock] objects handed out */
	u32 capacity;
	struct list_head link;	/* [class lock] class->partial */
};

struct size_class {
	struct spinlock lock;
	u32 size;			/* [I] object bytes */
	struct list_head partial;	/* [lock] slabs with a free object */
	u64 nr_slabs;			/* [lock] slabs held (/proc/slabinfo) */
	u64 inuse;			/* [lock] objects handed out */
};

static struct size_class classes[NCLASSES];
static u64 heap_pages;	/* [atomic] slab pages and large blocks held */

/* kmalloc_page_count - see include/kmalloc.h. */
u64 kmalloc_page_count(void)
{
	return __atomic_load_n(&heap_pages, __ATOMIC_RELAXED);
}

/* kmalloc_init - set up the size classes; called once at boot. */
void kmalloc_init(void)
{
	for (int i = 0; i < NCLASSES; i++) {
		spin_init(&classes[i].lock, "kmalloc");
		classes[i].size = 1u << (i + KMALLOC_MIN_SHIFT);
		list_init(&classes[i].partial);
	}
}

static size_t slab_header(u32 size)
{
	return ALIGN_UP(sizeof(struct slab), (size_t)MIN(size, 64u));
}

static struct slab *slab_new(struct size_class *c)
{
	struct page *pg = page_alloc(0, false);

	if (!pg)
		return NULL;
	__atomic_add_fetch(&heap_pages, 1, __ATOMIC_RELAXED);
	c->nr_slabs++;
	pg->flags |= PG_KMALLOC;
	pg->priv = c;

	struct slab *s = page_address(pg);
	size_t off = slab_header(c->size);

	s->free = NULL;
	s->inuse = 0;
	s->capacity = 0;
	for (; off + c->size <= PAGE_SIZE; off += c->size) {
		struct free_obj *o = (struct free_obj *)((char *)s + off);

		o->next = s->free;
		s->free = o;
		s->capacity++;
	}
	return s;
}

static unsigned order_for(size_t size)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

/* kmalloc - see include/kmalloc.h. Sleeps: no. */
void *kmalloc(size_t size)
{
	if (size == 0)
		size = 1;
	if (size > (1u << KMALLOC_MAX_SHIFT)) {
		unsigned order = order_for(size);

		if (order > BUDDY_MAX_ORDER)
			return NULL;
		struct page *pg = page_alloc(order, false);

		if (!pg)
			return NULL;
		pg->order = order;	/* remembered for kfree */
		__atomic_add_fetch(&heap_pages, 1ULL << order, __ATOMIC_RELAXED);
		return page_address(pg);
	}

	int ci = 0;

	while ((1u << (ci + KMALLOC_MIN_SHIFT)) < size)
		ci++;
	struct size_class *c = &classes[ci];

	spin_lock(&c->lock);
	if (list_empty(&c->partial)) {
		/* Allocate outside the class lock's critical path is not needed:
		 * page_alloc never sleeps and takes only the zone lock. */
		struct slab *s = slab_new(c);

		if (!s) {
			spin_unlock(&c->lock);
			return NULL;
		}
		list_add(&s->link, &c->partial);
	}
	struct slab *s = list_first_entry(&c->partial, struct slab, link);
	struct free_obj *o = s->free;

	s->free = o->next;
	s->inuse++;
	c->inuse++;
	if (!s->free)
		list_del(&s->link);
	spin_unlock(&c->lock);
	return o;
}

/* kzalloc - kmalloc() then zero-fill. */
void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* kfree - see include/kmalloc.h. */
void kfree(void *ptr)
{
	if (!ptr)
		return;
	if (is_vmalloc_addr(ptr)) {
		vfree(ptr);
		return;
	}

	struct page *pg = phys_to_page(virt_to_phys(ptr));

	if (!(pg->flags & PG_KMALLOC)) {
		__atomic_sub_fetch(&heap_pages, 1ULL << pg->order, __ATOMIC_RELAXED);
		page_put_order(pg, pg->order);
		return;
	}

	struct size_class *c = pg->priv;
	struct slab *s = (struct slab *)PAGE_ALIGN_DOWN((u64)ptr);
	struct free_obj *o = ptr;

	spin_lock(&c->lock);
	bool was_full = s->free == NULL;

	o->next = s->free;
	s->free = o;
	s->inuse--;
	c->inuse--;
	if (s->inuse == 0) {
		if (!was_full)
			list_del(&s->link);
		c->nr_slabs--;
		spin_unlock(&c->lock);
		pg->flags &= ~PG_KMALLOC;
		pg->priv = NULL;
		__atomic_sub_fetch(&heap_pages, 1, __ATOMIC_RELAXED);
		page_put(pg);
		return;
	}
	if (was_full)
		list_add(&s->link, &c->partial);
	spin_unlock(&c->lock);
}

/* kmalloc_slabinfo - see include/kmalloc.h. */
size_t kmalloc_slabinfo(char *buf, size_t cap)
{
	size_t len;
	int n;

	n = snprintf(buf, cap, "slabinfo - version: 2.1\n# name            <active_objs> "
		     "<num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> "
		     "<batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> "
		     "<sharedavail>\n");
	len = n > 0 ? MIN((size_t)n, cap) : 0;
	for (int i = NCLASSES - 1; i >= 0 && len < cap; i--) {
		struct size_class *c = &classes[i];
		u32 per = (u32)((PAGE_SIZE - slab_header(c->size)) / c->size);
		char name[24];
		u64 slabs, inuse;

		spin_lock(&c->lock);
		slabs = c->nr_slabs;
		inuse = c->inuse;
		spin_unlock(&c->lock);
		if (c->size >= 1024)
			snprintf(name, sizeof(name), "kmalloc-%uk", c->size / 1024);
		else
			snprintf(name, sizeof(name), "kmalloc-%u", c->size);
		n = snprintf(buf + len, cap - len, "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u "
			     "%4u : slabdata %6lu %6lu %6lu\n", name, (unsigned long)inuse,
			     (unsigned long)(slabs * per), c->size, per, 1, 0u, 0u, 0u,
			     (unsigned long)slabs, (unsigned long)slabs, 0UL);
		if (n < 0 || (size_t)n >= cap - len)
			break;
		len += (size_t)n;
	}
	return len;
}
