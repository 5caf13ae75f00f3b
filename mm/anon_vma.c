/*
 * anon_vma: the set of VMAs an anonymous page may be mapped in (the reverse
 * map of anonymous memory, include/rmap.h).
 *
 * A VMA gets its anon_vma when its first anonymous page is mapped; fork,
 * split and mremap put the new VMA in the same set, because its pages are
 * the old one's (copy-on-write, or moved). So a set is one family of VMAs,
 * and a page names the set once, when it is first mapped: reclaim looks
 * only at the VMAs of the set, at the one address the page's index gives in
 * each, instead of at every address space. A set lives while a VMA is in it
 * or a page names it.
 *
 * Locks: [A] anon_vma->lock guards the list; a VMA joins and leaves under
 * its mm->lock, so the order is mm->lock -> anon_vma->lock.
 */
#include "kernel.h"
#include "mm.h"
#include "page.h"
#include "rmap.h"
#include "kmalloc.h"
#include "uapi/errno.h"

static void anon_vma_put(struct anon_vma *av)
{
	if (__atomic_sub_fetch(&av->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(av);
}

/* anon_vma_prepare - see include/rmap.h. */
int anon_vma_prepare(struct vma *v)
{
	struct anon_vma *av;

	if (v->anon_vma)
		return 0;
	av = kzalloc(sizeof(*av));
	if (!av)
		return -ENOMEM;
	av->refcount = 1;
	spin_init(&av->lock, "anon_vma");
	list_init(&av->vmas);
	list_add_tail(&v->anon_link, &av->vmas);
	v->anon_vma = av;
	return 0;
}

/* anon_vma_link_copy - see include/rmap.h. */
void anon_vma_link_copy(struct vma *nv)
{
	struct anon_vma *av = nv->anon_vma;

	__atomic_add_fetch(&av->refcount, 1, __ATOMIC_RELAXED);
	spin_lock(&av->lock);
	list_add_tail(&nv->anon_link, &av->vmas);
	spin_unlock(&av->lock);
}

/* anon_vma_unlink - see include/rmap.h. */
void anon_vma_unlink(struct vma *v)
{
	struct anon_vma *av = v->anon_vma;

	spin_lock(&av->lock);
	list_del(&v->anon_link);
	spin_unlock(&av->lock);
	v->anon_vma = NULL;
	anon_vma_put(av);
}

/* vma_page_index - see include/rmap.h. */
u64 vma_page_index(const struct vma *v, u64 va)
{
	return v->pgoff + (va - v->start) / PAGE_SIZE;
}

/* page_anon_set - see include/rmap.h. */
void page_anon_set(struct page *pg, struct vma *v, u64 va)
{
	struct anon_vma *av = v->anon_vma;

	if (pg->mapping || !av)
		return;
	__atomic_add_fetch(&av->refcount, 1, __ATOMIC_RELAXED);
	pg->index = vma_page_index(v, va);
	pg->mapping = av;
	lru_add_anon(pg);
}

/* rmap_page_freed - see include/rmap.h. */
void rmap_page_freed(struct page *pg)
{
	if (pg->on_lru)
		lru_del(pg);
	if ((pg->flags & PG_ANON) && pg->mapping)
		anon_vma_put(pg->mapping);
	pg->mapping = NULL;
}
