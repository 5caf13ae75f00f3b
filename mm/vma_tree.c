/*
 * The VMA index of an address space: an AVL tree of the VMAs ordered by
 * start address, beside the sorted list (mm->vmas) that walks use.
 *
 * Each node also records the largest free gap "below" any VMA of its
 * subtree (the gap below a VMA runs from its list predecessor's end, or
 * USER_BASE, up to its start), as Linux augments its VMA tree, so that
 * mmap's top-down search for a free range is a descent, not a scan. With
 * the tree, looking up, inserting and removing a VMA and finding room for a
 * new one cost O(log n): a process may hold vm_max_map_count (65530)
 * mappings, and mapping them one by one must not be quadratic.
 *
 * Every function here requires mm->lock (the [m] fields of include/mm.h).
 * The list must already reflect the change when the tree is updated: the
 * gap of a node is read from its list predecessor.
 */
#include "kernel.h"
#include "mm.h"

static int height(const struct vma *n)
{
	return n ? n->tree_height : 0;
}

static u64 subtree_gap(const struct vma *n)
{
	return n ? n->subtree_gap : 0;
}

/* The free bytes between @v and the VMA before it (or the lowest user address). */
static u64 gap_below(struct mm *mm, const struct vma *v)
{
	u64 prev_end = USER_BASE;

	if (v->link.prev != &mm->vmas)
		prev_end = list_entry(v->link.prev, struct vma, link)->end;
	return v->start > prev_end ? v->start - prev_end : 0;
}

static void update(struct mm *mm, struct vma *n)
{
	n->tree_height = 1 + MAX(height(n->tree_left), height(n->tree_right));
	n->subtree_gap = MAX(gap_below(mm, n),
			     MAX(subtree_gap(n->tree_left), subtree_gap(n->tree_right)));
}

static struct vma *rotate_right(struct mm *mm, struct vma *n)
{
	struct vma *l = n->tree_left;

	n->tree_left = l->tree_right;
	l->tree_right = n;
	update(mm, n);
	update(mm, l);
	return l;
}

static struct vma *rotate_left(struct mm *mm, struct vma *n)
{
	struct vma *r = n->tree_right;

	n->tree_right = r->tree_left;
	r->tree_left = n;
	update(mm, n);
	update(mm, r);
	return r;
}

/* Restore the AVL balance of @n (its subtrees are balanced) and its augmentation. */
static struct vma *rebalance(struct mm *mm, struct vma *n)
{
	int bal;

	update(mm, n);
	bal = height(n->tree_left) - height(n->tree_right);
	if (bal > 1) {
		if (height(n->tree_left->tree_left) < height(n->tree_left->tree_right))
			n->tree_left = rotate_left(mm, n->tree_left);
		return rotate_right(mm, n);
	}
	if (bal < -1) {
		if (height(n->tree_right->tree_right) < height(n->tree_right->tree_left))
			n->tree_right = rotate_right(mm, n->tree_right);
		return rotate_left(mm, n);
	}
	return n;
}

static struct vma *insert(struct mm *mm, struct vma *n, struct vma *v)
{
	if (!n) {
		v->tree_left = v->tree_right = NULL;
		update(mm, v);
		return v;
	}
	if (v->start < n->start)
		n->tree_left = insert(mm, n->tree_left, v);
	else
		n->tree_right = insert(mm, n->tree_right, v);
	return rebalance(mm, n);
}

static struct vma *remove_min(struct mm *mm, struct vma *n, struct vma **min)
{
	if (!n->tree_left) {
		*min = n;
		return n->tree_right;
	}
	n->tree_left = remove_min(mm, n->tree_left, min);
	return rebalance(mm, n);
}

static struct vma *remove(struct mm *mm, struct vma *n, struct vma *v)
{
	if (!n)
		return NULL;
	if (v->start < n->start) {
		n->tree_left = remove(mm, n->tree_left, v);
	} else if (v->start > n->start) {
		n->tree_right = remove(mm, n->tree_right, v);
	} else {
		struct vma *l = n->tree_left, *r = n->tree_right, *m;

		KASSERT(n == v);
		if (!r)
			return l;
		r = remove_min(mm, r, &m);
		m->tree_left = l;
		m->tree_right = r;
		return rebalance(mm, m);
	}
	return rebalance(mm, n);
}

/* Recompute the augmentation on the path from the root down to @v. */
static void refresh(struct mm *mm, struct vma *n, struct vma *v)
{
	if (!n)
		return;
	if (v->start < n->start)
		refresh(mm, n->tree_left, v);
	else if (v->start > n->start)
		refresh(mm, n->tree_right, v);
	update(mm, n);
}

static struct vma *list_next_vma(struct mm *mm, struct vma *v)
{
	return v->link.next == &mm->vmas ? NULL : list_entry(v->link.next, struct vma, link);
}

/* vma_tree_insert - see include/mm.h. */
void vma_tree_insert(struct mm *mm, struct vma *v)
{
	struct vma *next = list_next_vma(mm, v);

	mm->vma_root = insert(mm, mm->vma_root, v);
	if (next)
		refresh(mm, mm->vma_root, next);	/* its gap shrank */
}

/* vma_tree_remove - see include/mm.h. @next: @v's list successor before removal. */
void vma_tree_remove(struct mm *mm, struct vma *v, struct vma *next)
{
	mm->vma_root = remove(mm, mm->vma_root, v);
	v->tree_left = v->tree_right = NULL;
	if (mm->vma_cache == v)
		mm->vma_cache = NULL;
	if (next)
		refresh(mm, mm->vma_root, next);	/* its gap grew */
}

/* vma_tree_changed - see include/mm.h. */
void vma_tree_changed(struct mm *mm, struct vma *v)
{
	struct vma *next = list_next_vma(mm, v);

	refresh(mm, mm->vma_root, v);
	if (next)
		refresh(mm, mm->vma_root, next);
}

/* vma_lower_bound - see include/mm.h. */
struct vma *vma_lower_bound(struct mm *mm, u64 addr)
{
	struct vma *n = mm->vma_root, *best = NULL;

	while (n) {
		if (n->end > addr) {
			best = n;
			n = n->tree_left;
		} else {
			n = n->tree_right;
		}
	}
	return best;
}

/*
 * The highest start of @len free bytes ending at or below @top inside the
 * gaps below the VMAs of subtree @n; 0 if none. A subtree is entered only
 * when its largest gap could hold @len, and the part of the tree whose gaps
 * all lie above @top is skipped, so this is a descent of O(log n) nodes.
 */
static u64 gap_search(struct mm *mm, struct vma *n, u64 len, u64 top)
{
	u64 lo, hi, r;

	if (!n || n->subtree_gap < len)
		return 0;
	lo = n->start - gap_below(mm, n);
	if (lo < top) {
		r = gap_search(mm, n->tree_right, len, top);
		if (r)
			return r;
		hi = MIN(n->start, top);
		lo = MAX(lo, USER_BASE);
		if (hi > lo && hi - lo >= len)
			return hi - len;
	}
	return gap_search(mm, n->tree_left, len, top);
}

/* vma_tree_find_gap - see include/mm.h. */
u64 vma_tree_find_gap(struct mm *mm, u64 len, u64 top)
{
	struct vma *last;
	u64 lo = USER_BASE;

	if (top < USER_BASE || len > top - USER_BASE)
		return 0;
	if (!list_empty(&mm->vmas)) {
		last = list_entry(mm->vmas.prev, struct vma, link);
		lo = MAX(lo, last->end);
	}
	if (lo <= top - len)
		return top - len;	/* above every VMA */
	return gap_search(mm, mm->vma_root, len, top);
}
