/*
 * Collecting AF_UNIX sockets that only messages in flight keep alive.
 *
 * SCM_RIGHTS lets a socket travel inside a message queued on a socket. When
 * socket A's queue holds A itself (or A holds B and B holds A) and every
 * descriptor is closed, the references in the queues keep the files open
 * for ever although nobody can ever receive them. Like Linux's unix_gc(),
 * the collector counts for each in-flight socket how often its file sits in
 * a queue ("inflight"). A socket whose file has no other reference is a
 * candidate; references from candidates' queues are subtracted; a candidate
 * still referenced from elsewhere is reachable, and so is everything in its
 * queue. The rest is garbage: its queues are emptied, which drops the files
 * and so frees the sockets.
 *
 * Locks: unix_gc_lock [g] guards inflight counts and the in-flight list;
 * each socket's lock [u] is taken under it to look at its queue.
 */
#include "unix.h"
#include "kernel.h"
#include "kmalloc.h"

static struct spinlock unix_gc_lock = SPINLOCK_INIT("unix_gc");
static LIST_HEAD(gc_inflight);		/* [g] unix_sock by gc_link */
static u32 gc_total;			/* [g] sockets in flight */
static bool gc_running;			/* [g] */

struct unix_sock *unix_of_file(struct file *f)
{
	struct socket *s = sock_of_file(f);

	return s && s->family == AF_UNIX ? s->sk : NULL;
}

/* unix_inflight - @f enters (@delta 1) or leaves (-1) a queued message. */
void unix_inflight(struct file *f, int delta)
{
	struct unix_sock *u = unix_of_file(f);

	if (!u)
		return;
	spin_lock(&unix_gc_lock);
	if (delta > 0 && !u->inflight++) {
		list_add_tail(&u->gc_link, &gc_inflight);
		gc_total++;
	} else if (delta < 0 && !--u->inflight) {
		list_del(&u->gc_link);
		gc_total--;
	}
	spin_unlock(&unix_gc_lock);
}

/* unix_gc_pending - is any socket in flight (worth a collection)? */
bool unix_gc_pending(void)
{
	return __atomic_load_n(&gc_total, __ATOMIC_RELAXED) != 0;
}

/* Call @fn on every in-flight unix socket in @u's queue. [g] held. */
static void scan_children(struct unix_sock *u, void (*fn)(struct unix_sock *child))
{
	struct unix_skb *skb;

	spin_lock(&u->lock);
	list_for_each_entry(skb, &u->queue, link)
		for (u32 i = 0; i < skb->nfds; i++) {
			struct unix_sock *c = unix_of_file(skb->fds[i]);

			if (c && c->inflight)
				fn(c);
		}
	spin_unlock(&u->lock);
}

static void dec_ref(struct unix_sock *c)
{
	if (c->gc_candidate)
		c->gc_refs--;
}

static bool gc_changed;

static void mark_reachable(struct unix_sock *c)
{
	if (c->gc_candidate && !c->gc_reachable) {
		c->gc_reachable = true;
		gc_changed = true;
	}
}

/*
 * unix_gc - free the messages of every in-flight socket nobody can reach.
 * Locks: takes unix_gc_lock and socket locks; call with none held.
 * Sleeps: may (freeing files).
 */
void unix_gc(void)
{
	struct unix_sock *u;
	LIST_HEAD(garbage_q);

	spin_lock(&unix_gc_lock);
	if (gc_running) {
		spin_unlock(&unix_gc_lock);
		return;
	}
	gc_running = true;
	list_for_each_entry(u, &gc_inflight, gc_link) {
		struct socket *s = u->sock;
		u32 refs = s ? __atomic_load_n(&s->file->refcount, __ATOMIC_RELAXED) : 0;

		u->gc_candidate = s && refs == u->inflight;
		u->gc_reachable = false;
		u->gc_refs = u->inflight;
	}
	list_for_each_entry(u, &gc_inflight, gc_link)
		if (u->gc_candidate)
			scan_children(u, dec_ref);
	list_for_each_entry(u, &gc_inflight, gc_link)
		if (u->gc_candidate && u->gc_refs)
			u->gc_reachable = true;
	do {
		gc_changed = false;
		list_for_each_entry(u, &gc_inflight, gc_link)
			if (u->gc_candidate && u->gc_reachable)
				scan_children(u, mark_reachable);
	} while (gc_changed);
	/* What is left is garbage: take its messages away. */
	list_for_each_entry(u, &gc_inflight, gc_link) {
		if (!u->gc_candidate || u->gc_reachable)
			continue;
		spin_lock(&u->lock);
		while (!list_empty(&u->queue)) {
			struct unix_skb *skb = list_first_entry(&u->queue, struct unix_skb, link);

			list_del(&skb->link);
			list_add_tail(&skb->link, &garbage_q);
		}
		u->qlen = 0;
		u->qbytes = 0;
		spin_unlock(&u->lock);
	}
	spin_unlock(&unix_gc_lock);
	unix_purge(&garbage_q);
	spin_lock(&unix_gc_lock);
	gc_running = false;
	spin_unlock(&unix_gc_lock);
}
