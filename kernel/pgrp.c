/*
 * Process groups and sessions: setpgid, getpgid, getpgrp, setsid, getsid
 * with Linux's rules, and orphaned process groups (POSIX.1-2017 3.269: a
 * group none of whose members has a parent in another group of the same
 * session). When an exit orphans a group that has stopped members, the
 * group gets SIGHUP then SIGCONT so it is not left stopped for ever.
 *
 * Groups and sessions are objects (struct pgrp, struct session in
 * include/task.h) found by hash and holding their members on lists, so
 * nothing here walks the process tree: a group signal, setpgid's "does the
 * group exist in my session", setsid's "do I name a group" touch only the
 * group. Each group counts its links -- alive members whose parent, not
 * init, is in another group of the same session -- so "is it orphaned" is
 * one comparison. The count follows every change of a member's state,
 * parent, group or session, or of its parent's group or session
 * (pgrp_link_update, called by exit.c and here). In builds with
 * SPROUT_SELFCHECK (make test) every orphaned-group decision, setpgid and
 * setsid also recounts the group by walking the whole tree and panics when
 * the counts disagree.
 *
 * Locks: pgid, sid and every field of the objects are [T] tasklist_lock
 * fields (include/task.h); every function here takes it or expects it held.
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "kmalloc.h"
#include "uapi/errno.h"
#include "uapi/signal.h"

#define PGRP_HASH_SIZE	1024	/* buckets of each of the two hashes (pid_max is 32768) */

static struct list_head pgrp_hash[PGRP_HASH_SIZE];	/* [T] struct pgrp by pgid */
static struct list_head session_hash[PGRP_HASH_SIZE];	/* [T] struct session by sid */
static bool hashes_ready;				/* [T] */
/* init's group and session: made before any allocation is possible, never freed. */
static struct pgrp init_pgrp;
static struct session init_session;

static void hashes_init(void)
{
	for (int i = 0; i < PGRP_HASH_SIZE; i++) {
		list_init(&pgrp_hash[i]);
		list_init(&session_hash[i]);
	}
	hashes_ready = true;
}

/* pgrp_find - see include/task.h. */
struct pgrp *pgrp_find(pid_t pgid)
{
	struct pgrp *g;

	if (pgid <= 0 || !hashes_ready)
		return NULL;
	list_for_each_entry(g, &pgrp_hash[pgid % PGRP_HASH_SIZE], hash_link)
		if (g->pgid == pgid)
			return g;
	return NULL;
}

/* session_find - see include/task.h. */
struct session *session_find(pid_t sid)
{
	struct session *s;

	if (sid <= 0 || !hashes_ready)
		return NULL;
	list_for_each_entry(s, &session_hash[sid % PGRP_HASH_SIZE], hash_link)
		if (s->sid == sid)
			return s;
	return NULL;
}

/* A new, empty group @pgid of session @sid, hashed; NULL when out of memory. */
static struct pgrp *pgrp_new(pid_t pgid, pid_t sid, struct pgrp *mem)
{
	struct pgrp *g = mem ? mem : kzalloc(sizeof(*g));

	if (!g)
		return NULL;
	g->pgid = pgid;
	g->sid = sid;
	list_init(&g->members);
	list_add(&g->hash_link, &pgrp_hash[pgid % PGRP_HASH_SIZE]);
	return g;
}

static struct session *session_new(pid_t sid, struct session *mem)
{
	struct session *s = mem ? mem : kzalloc(sizeof(*s));

	if (!s)
		return NULL;
	s->sid = sid;
	list_init(&s->members);
	list_add(&s->hash_link, &session_hash[sid % PGRP_HASH_SIZE]);
	return s;
}

/* Does @p link its group to the rest of its session? */
static bool link_of(const struct process *p)
{
	const struct process *q = p->parent;

	return p->state == PROC_ALIVE && q && q != init_process && q->pgid != p->pgid &&
	       q->sid == p->sid;
}

/* pgrp_link_update - see include/task.h. */
void pgrp_link_update(struct process *p)
{
	if (!p->pgrp)
		return;
	bool linked = link_of(p);

	if (linked != p->pgrp_linked) {
		p->pgrp->nr_linked += linked ? 1 : -1;
		p->pgrp_linked = linked;
	}
}

static void children_link_update(struct process *p)
{
	struct process *c;

	list_for_each_entry(c, &p->children, sibling)
		pgrp_link_update(c);
}

static void group_leave(struct process *p)
{
	struct pgrp *g = p->pgrp;

	if (p->pgrp_linked)
		g->nr_linked--;
	p->pgrp_linked = false;
	list_del(&p->pgrp_link);
	p->pgrp = NULL;
	if (--g->nr_members == 0) {
		list_del(&g->hash_link);
		if (g != &init_pgrp)
			kfree(g);
	}
}

static void group_join(struct process *p, struct pgrp *g)
{
	list_add_tail(&p->pgrp_link, &g->members);
	g->nr_members++;
	p->pgrp = g;
	p->pgid = g->pgid;
	pgrp_link_update(p);
}

static void session_leave(struct process *p)
{
	struct session *s = p->session;

	list_del(&p->session_link);
	p->session = NULL;
	if (--s->nr_members == 0) {
		list_del(&s->hash_link);
		if (s != &init_session)
			kfree(s);
	}
}

static void session_join(struct process *p, struct session *s)
{
	list_add_tail(&p->session_link, &s->members);
	s->nr_members++;
	p->session = s;
	p->sid = s->sid;
}

/* pgrp_attach - see include/task.h. */
void pgrp_attach(struct process *p)
{
	if (p->pgid <= 0)
		return;		/* kernel threads belong to no group */
	if (!hashes_ready)
		hashes_init();
	struct session *s = session_find(p->sid);
	struct pgrp *g = pgrp_find(p->pgid);

	/* A new process joins its parent's group and session; only init makes
	 * its own (setpgid and setsid make the others). */
	if (!s && p->pid == 1)
		s = session_new(p->sid, &init_session);
	if (!g && p->pid == 1)
		g = pgrp_new(p->pgid, p->sid, &init_pgrp);
	if (!s || !g)
		panic("pgrp_attach: pid %d joins a group %d or session %d that does not exist",
		      p->pid, p->pgid, p->sid);
	session_join(p, s);
	group_join(p, g);
}

/* pgrp_detach - see include/task.h. */
void pgrp_detach(struct process *p)
{
	if (p->pgrp)
		group_leave(p);
	if (p->session)
		session_leave(p);
}

#ifdef SPROUT_SELFCHECK
/* Recount group @g (members, links) and its session's members by walking the
 * whole tree; panic when the kept counts disagree. Debug builds only. */
static void pgrp_selfcheck(const struct pgrp *g)
{
	int members = 0, linked = 0, smembers = 0;
	const struct session *s = session_find(g->sid);

	for (struct process *p = init_process; p; p = process_tree_next(init_process, p)) {
		if (p->state == PROC_DEAD)
			continue;
		if (p->sid == g->sid)
			smembers++;
		if (p->pgid != g->pgid)
			continue;
		members++;
		if (p->pgrp != g || p->sid != g->sid)
			panic("pgrp: pid %d of group %d has the wrong group or session", p->pid,
			      g->pgid);
		if (link_of(p))
			linked++;
		if (link_of(p) != p->pgrp_linked)
			panic("pgrp: pid %d's link to group %d is stale", p->pid, g->pgid);
	}
	if (members != g->nr_members || linked != g->nr_linked || !s ||
	    smembers != s->nr_members)
		panic("pgrp: group %d counts %d members, %d links, session %d %d members; "
		      "the tree has %d, %d, %d", g->pgid, g->nr_members, g->nr_linked, g->sid,
		      s ? s->nr_members : -1, members, linked, smembers);
}
#else
static inline void pgrp_selfcheck(const struct pgrp *g) { }
#endif

/* Is group @g orphaned, not counting member @ignore? O(1). */
static bool pgrp_orphaned(struct pgrp *g, struct process *ignore)
{
	int links = g->nr_linked;

	pgrp_selfcheck(g);
	if (ignore && ignore->pgrp == g && ignore->pgrp_linked)
		links--;
	return links == 0;
}

static bool pgrp_has_stopped(struct pgrp *g)
{
	struct process *p;

	list_for_each_entry(p, &g->members, pgrp_link)
		if (p->state == PROC_ALIVE && p->stopped)
			return true;
	return false;
}

/* pgrp_hangup_if_orphaned - see include/task.h. */
void pgrp_hangup_if_orphaned(pid_t pgid, struct process *ignore)
{
	struct pgrp *g = pgrp_find(pgid);

	if (!g || !pgrp_orphaned(g, ignore) || !pgrp_has_stopped(g))
		return;
	signal_send_pgrp(pgid, SIGHUP);
	signal_send_pgrp(pgid, SIGCONT);
}

/* pgrp_orphaned_current - see include/task.h. */
bool pgrp_orphaned_current(void)
{
	spin_lock(&tasklist_lock);
	struct pgrp *g = current->proc->pgrp;
	bool orphaned = g ? pgrp_orphaned(g, NULL) : true;

	spin_unlock(&tasklist_lock);
	return orphaned;
}

/* pgrp_in_session - see include/task.h. */
bool pgrp_in_session(pid_t pgid, pid_t sid)
{
	spin_lock(&tasklist_lock);
	struct pgrp *g = pgrp_find(pgid);
	bool in = g && g->sid == sid;

	spin_unlock(&tasklist_lock);
	return in;
}

/* sys_getpgid - getpgid(2): process group of @pid (0: the caller); -ESRCH. */
long sys_getpgid(pid_t pid)
{
	long ret;

	spin_lock(&tasklist_lock);
	struct process *p = pid ? process_find(pid) : current->proc;

	ret = p && p->state != PROC_DEAD ? p->pgid : -ESRCH;
	spin_unlock(&tasklist_lock);
	return ret;
}

/* sys_getpgrp - getpgrp(2): the caller's process group. */
long sys_getpgrp(void) { return sys_getpgid(0); }

/* sys_getsid - getsid(2): session of @pid (0: the caller); -ESRCH. */
long sys_getsid(pid_t pid)
{
	long ret;

	spin_lock(&tasklist_lock);
	struct process *p = pid ? process_find(pid) : current->proc;

	ret = p && p->state != PROC_DEAD ? p->sid : -ESRCH;
	spin_unlock(&tasklist_lock);
	return ret;
}

/*
 * sys_setpgid - setpgid(2), Linux's rules: @pid (0: the caller) must be the
 * caller or one of its children (-ESRCH); a child must not have exec'd
 * (-EACCES) and must share the caller's session (-EPERM); a session leader
 * cannot move (-EPERM); @pgid (0: @pid) must be @pid itself or an existing
 * group of the caller's session (-EPERM); negative @pgid is -EINVAL.
 * -ENOMEM when a new group cannot be allocated. Takes tasklist_lock; the
 * new group's memory is allocated before it. O(children of @pid).
 */
long sys_setpgid(pid_t pid, pid_t pgid)
{
	struct process *self = current->proc;
	struct pgrp *spare = kzalloc(sizeof(*spare)), *g;
	long ret = 0;

	if (pid < 0 || pgid < 0) {
		kfree(spare);
		return -EINVAL;
	}
	spin_lock(&tasklist_lock);
	struct process *p = pid ? process_find(pid) : self;

	if (!p || p->state == PROC_DEAD || (p != self && p->parent != self)) {
		ret = -ESRCH;
		goto out;
	}
	if (p != self) {
		if (p->sid != self->sid) {
			ret = -EPERM;
			goto out;
		}
		if (p->did_exec) {
			ret = -EACCES;
			goto out;
		}
	}
	if (p->pid == p->sid) {
		ret = -EPERM;
		goto out;
	}
	if (!pgid)
		pgid = p->pid;
	g = pgrp_find(pgid);
	if (pgid != p->pid && (!g || g->sid != self->sid)) {
		ret = -EPERM;
		goto out;
	}
	if (g == p->pgrp)
		goto out;
	if (!g) {
		if (!spare) {
			ret = -ENOMEM;
			goto out;
		}
		g = pgrp_new(pgid, p->sid, spare);
		spare = NULL;
	}
	group_leave(p);
	group_join(p, g);
	/* Our children's links go through our group. */
	children_link_update(p);
	pgrp_selfcheck(g);
out:
	spin_unlock(&tasklist_lock);
	kfree(spare);
	return ret;
}

/*
 * sys_setsid - setsid(2): the caller becomes leader of a new session and of
 * a new process group, both named by its pid. Returns the new sid, -EPERM
 * when the caller already leads a group or its pid names one, or -ENOMEM.
 * Takes tasklist_lock (the objects are allocated before it). O(children).
 */
long sys_setsid(void)
{
	struct process *self = current->proc;
	struct pgrp *gmem = kzalloc(sizeof(*gmem));
	struct session *smem = kzalloc(sizeof(*smem));
	long ret;

	spin_lock(&tasklist_lock);
	ret = self->pid;
	if (pgrp_find(self->pid)) {
		ret = -EPERM;
	} else if (!gmem || !smem) {
		ret = -ENOMEM;
	} else {
		struct session *s = session_new(self->pid, smem);
		struct pgrp *g = pgrp_new(self->pid, self->pid, gmem);

		gmem = NULL;
		smem = NULL;
		group_leave(self);
		session_leave(self);
		session_join(self, s);
		group_join(self, g);
		children_link_update(self);
		pgrp_selfcheck(g);
	}
	spin_unlock(&tasklist_lock);
	kfree(gmem);
	kfree(smem);
	return ret;
}
