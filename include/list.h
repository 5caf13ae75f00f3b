/*
 * Intrusive circular doubly linked lists (the node lives inside the object).
 * No locking: the owner of a list documents the lock that protects it.
 */
#ifndef SPROUT_LIST_H
#define SPROUT_LIST_H

#include "types.h"

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name)	{ &(name), &(name) }
/* LIST_HEAD - define an empty list head @name. */
#define LIST_HEAD(name)	struct list_head name = LIST_HEAD_INIT(name)

static inline void list_init(struct list_head *h) { h->next = h->prev = h; }
static inline bool list_empty(const struct list_head *h) { return h->next == h; }

static inline void list_insert_between(struct list_head *n, struct list_head *prev,
				       struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

/* Add @n right after @h (at the front). */
static inline void list_add(struct list_head *n, struct list_head *h)
{
	list_insert_between(n, h, h->next);
}

/* Add @n right before @h (at the tail). */
static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	list_insert_between(n, h->prev, h);
}

/* Unlink @n and leave it pointing to itself (so list_empty(n) is true). */
static inline void list_del(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

#define list_entry(ptr, type, member)	container_of(ptr, type, member)
#define list_first_entry(h, type, member)	list_entry((h)->next, type, member)

#define list_for_each(pos, h)	for (pos = (h)->next; pos != (h); pos = pos->next)

#define list_for_each_entry(pos, h, member)                                        \
	for (pos = list_entry((h)->next, __typeof__(*pos), member); &pos->member != (h); \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

#define list_for_each_entry_safe(pos, tmp, h, member)                              \
	for (pos = list_entry((h)->next, __typeof__(*pos), member),                \
	    tmp = list_entry(pos->member.next, __typeof__(*pos), member);          \
	     &pos->member != (h);                                                  \
	     pos = tmp, tmp = list_entry(tmp->member.next, __typeof__(*tmp), member))

#endif
