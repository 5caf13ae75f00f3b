/*
 * Credentials: real, effective and saved user and group ids and the
 * supplementary groups of a process, with the rules of setuid(2),
 * setreuid(2), setresuid(2) (and the gid twins) for privileged (effective
 * uid 0) and unprivileged callers, and the kill(2) permission check.
 * Sprout has no capabilities: euid 0 stands for CAP_SETUID, CAP_SETGID,
 * CAP_KILL. The filesystem ids (setfsuid(2)) follow the effective ids at
 * every change of those and may be set on their own in between.
 *
 * Locks: the id fields are [P] process->lock: written by the process itself,
 * read by others (kill) under it or under tasklist_lock with stable values.
 */
#include "kernel.h"
#include "task.h"
#include "cpu.h"
#include "kmalloc.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/signal.h"

#define NGROUPS_MAX	65536
#define ID_KEEP		((u32)-1)	/* "-1: leave this id unchanged" */

static bool privileged(const struct process *p) { return p->euid == 0; }

/* cred_may_signal - see include/task.h. */
bool cred_may_signal(struct process *sender, struct process *target, int sig)
{
	if (!sender || privileged(sender) || sender == target)
		return true;
	/* SIGCONT within a session is always allowed (kill(2)). */
	if (sig == SIGCONT && sender->sid == target->sid)
		return true;
	return sender->euid == target->uid || sender->euid == target->suid ||
	       sender->uid == target->uid || sender->uid == target->suid;
}

/*
 * One rule for both families: set (real, effective, saved) to the new values
 * (ID_KEEP = unchanged). Unprivileged callers may only use values among
 * their current three ids. @is_uid picks uid or gid fields.
 */
static long set_ids(bool is_uid, u32 r, u32 e, u32 s, bool saved_follows)
{
	struct process *p = current->proc;
	long ret = 0;

	spin_lock(&p->lock);
	u32 *rp = is_uid ? &p->uid : &p->gid;
	u32 *ep = is_uid ? &p->euid : &p->egid;
	u32 *sp = is_uid ? &p->suid : &p->sgid;
	u32 vals[3] = { r, e, s };

	if (!privileged(p)) {
		for (int i = 0; i < 3; i++)
			if (vals[i] != ID_KEEP && vals[i] != *rp && vals[i] != *ep && vals[i] != *sp)
				ret = -EPERM;
	}
	if (!ret) {
		u32 old_r = *rp, old_e = *ep;

		if (r != ID_KEEP)
			*rp = r;
		/* RLIMIT_NPROC counts the process for its new real user. */
		if (is_uid && r != ID_KEEP && r != old_r)
			rlimit_nproc_move(p, r);
		if (e != ID_KEEP)
			*ep = e;
		if (s != ID_KEEP)
			*sp = s;
		/* setreuid: the saved id follows the new effective id when the
		 * real id was set or the effective differs from the old real. */
		else if (saved_follows && (r != ID_KEEP || (e != ID_KEEP && e != old_r)))
			*sp = *ep;
		/* Linux's commit_creds: a new effective id makes the process
		 * non-dumpable (suid_dumpable 0) until exec or PR_SET_DUMPABLE. */
		if (*ep != old_e)
			p->dumpable = false;
		/* Every set*id call makes the filesystem id the effective one. */
		if (is_uid)
			p->fsuid = *ep;
		else
			p->fsgid = *ep;
	}
	spin_unlock(&p->lock);
	return ret;
}

/* cred_may_inspect - see include/task.h. */
bool cred_may_inspect(struct process *target)
{
	struct process *me = current->proc;
	uid_t fsuid, euid;
	gid_t fsgid;
	bool ok;

	if (!me || me == target)
		return true;
	spin_lock(&me->lock);
	euid = me->euid;
	fsuid = me->euid;	/* filesystem ids follow the effective ids */
	fsgid = me->egid;
	spin_unlock(&me->lock);
	if (euid == 0)
		return true;	/* CAP_SYS_PTRACE */
	spin_lock(&target->lock);
	ok = fsuid == target->uid && fsuid == target->euid && fsuid == target->suid &&
	     fsgid == target->gid && fsgid == target->egid && fsgid == target->sgid &&
	     target->dumpable;
	spin_unlock(&target->lock);
	return ok;
}

/* cred_may_ptrace - see include/task.h. */
bool cred_may_ptrace(struct process *target)
{
	struct process *me = current->proc;
	uid_t uid, euid;
	gid_t gid;
	bool ok;

	if (!me || me == target)
		return true;
	spin_lock(&me->lock);
	uid = me->uid;
	gid = me->gid;
	euid = me->euid;
	spin_unlock(&me->lock);
	if (euid == 0)
		return true;	/* CAP_SYS_PTRACE */
	spin_lock(&target->lock);
	ok = uid == target->uid && uid == target->euid && uid == target->suid &&
	     gid == target->gid && gid == target->egid && gid == target->sgid &&
	     target->dumpable;
	spin_unlock(&target->lock);
	return ok;
}

/* sys_setuid - setuid(2): privileged: all three ids; otherwise the
 * effective id only, to the real or saved id. 0 or -EPERM / -EINVAL. */
long sys_setuid(u32 uid)
{
	if (uid == ID_KEEP)
		return -EINVAL;
	if (privileged(current->proc))
		return set_ids(true, uid, uid, uid, false);
	struct process *p = current->proc;

	if (uid != p->uid && uid != p->suid)
		return -EPERM;
	return set_ids(true, ID_KEEP, uid, ID_KEEP, false);
}

/* sys_setgid - setgid(2), the same for group ids. */
long sys_setgid(u32 gid)
{
	if (gid == ID_KEEP)
		return -EINVAL;
	if (privileged(current->proc))
		return set_ids(false, gid, gid, gid, false);
	struct process *p = current->proc;

	if (gid != p->gid && gid != p->sgid)
		return -EPERM;
	return set_ids(false, ID_KEEP, gid, ID_KEEP, false);
}

/* sys_setreuid - setreuid(2): unprivileged, the real id may become the
 * effective one and the effective any of real/effective/saved. */
long sys_setreuid(u32 ruid, u32 euid)
{
	struct process *p = current->proc;

	if (!privileged(p)) {
		if (ruid != ID_KEEP && ruid != p->uid && ruid != p->euid)
			return -EPERM;
		if (euid != ID_KEEP && euid != p->uid && euid != p->euid && euid != p->suid)
			return -EPERM;
	}
	return set_ids(true, ruid, euid, ID_KEEP, true);
}

/* sys_setregid - setregid(2). */
long sys_setregid(u32 rgid, u32 egid)
{
	struct process *p = current->proc;

	if (!privileged(p)) {
		if (rgid != ID_KEEP && rgid != p->gid && rgid != p->egid)
			return -EPERM;
		if (egid != ID_KEEP && egid != p->gid && egid != p->egid && egid != p->sgid)
			return -EPERM;
	}
	return set_ids(false, rgid, egid, ID_KEEP, true);
}

/* sys_setresuid - setresuid(2). 0 or -EPERM. */
long sys_setresuid(u32 r, u32 e, u32 s) { return set_ids(true, r, e, s, false); }
/* sys_setresgid - setresgid(2). 0 or -EPERM. */
long sys_setresgid(u32 r, u32 e, u32 s) { return set_ids(false, r, e, s, false); }

static long put_three(u32 __user *a, u32 __user *b, u32 __user *c, u32 x, u32 y, u32 z)
{
	if (put_user_u32(a, x) || put_user_u32(b, y) || put_user_u32(c, z))
		return -EFAULT;
	return 0;
}

/* sys_getresuid - getresuid(2). 0 or -EFAULT. */
long sys_getresuid(u32 __user *r, u32 __user *e, u32 __user *s)
{
	struct process *p = current->proc;

	return put_three(r, e, s, p->uid, p->euid, p->suid);
}

/* sys_getresgid - getresgid(2). 0 or -EFAULT. */
long sys_getresgid(u32 __user *r, u32 __user *e, u32 __user *s)
{
	struct process *p = current->proc;

	return put_three(r, e, s, p->gid, p->egid, p->sgid);
}

/*
 * One rule for setfsuid(2) and setfsgid(2): the filesystem id becomes @id
 * when the caller is privileged or @id is one of its real, effective, saved
 * or current filesystem ids; -1 (or any refused value) changes nothing.
 * Returns the previous filesystem id either way (the calls report no error).
 * Takes process->lock.
 */
static long set_fsid(bool is_uid, u32 id)
{
	struct process *p = current->proc;

	spin_lock(&p->lock);
	u32 *fp = is_uid ? &p->fsuid : &p->fsgid;
	u32 old = *fp;
	u32 r = is_uid ? p->uid : p->gid;
	u32 e = is_uid ? p->euid : p->egid;
	u32 s = is_uid ? p->suid : p->sgid;

	if (id != ID_KEEP && (privileged(p) || id == r || id == e || id == s || id == old))
		*fp = id;
	spin_unlock(&p->lock);
	return old;
}

/* sys_setfsuid - setfsuid(2): the uid of file permission checks and of new
 * files' owners. Returns the previous filesystem uid. */
long sys_setfsuid(u32 uid)
{
	return set_fsid(true, uid);
}

/* sys_setfsgid - setfsgid(2): the group twin of setfsuid. */
long sys_setfsgid(u32 gid)
{
	return set_fsid(false, gid);
}

/*
 * sys_getgroups - getgroups(2): with @size 0 the count, else the list.
 * Returns the count, -EINVAL (@size too small or negative) or -EFAULT.
 */
long sys_getgroups(int size, u32 __user *list)
{
	struct process *p = current->proc;

	if (size < 0)
		return -EINVAL;
	spin_lock(&p->lock);
	u32 n = p->ngroups;
	u32 *copy = NULL;

	if (size && n && (u32)size >= n) {
		spin_unlock(&p->lock);
		copy = kmalloc(n * sizeof(u32));
		if (!copy)
			return -ENOMEM;
		spin_lock(&p->lock);
		n = MIN(n, p->ngroups);
		memcpy(copy, p->groups, n * sizeof(u32));
	}
	spin_unlock(&p->lock);
	if (size == 0)
		return n;
	if ((u32)size < n) {
		kfree(copy);
		return -EINVAL;
	}
	long ret = copy && copy_to_user(list, copy, n * sizeof(u32)) ? -EFAULT : (long)n;

	kfree(copy);
	return ret;
}

/* sys_setgroups - setgroups(2): privileged only (-EPERM); at most
 * NGROUPS_MAX (-EINVAL); -ENOMEM, -EFAULT. */
long sys_setgroups(int size, const u32 __user *list)
{
	struct process *p = current->proc;
	u32 *g = NULL;

	if (!privileged(p))
		return -EPERM;
	if (size < 0 || size > NGROUPS_MAX)
		return -EINVAL;
	if (size) {
		g = kmalloc((size_t)size * sizeof(u32));
		if (!g)
			return -ENOMEM;
		if (copy_from_user(g, list, (size_t)size * sizeof(u32))) {
			kfree(g);
			return -EFAULT;
		}
	}
	spin_lock(&p->lock);
	u32 *old = p->groups;

	p->groups = g;
	p->ngroups = (u32)size;
	spin_unlock(&p->lock);
	kfree(old);
	return 0;
}

/* cred_fork - see include/task.h. */
int cred_fork(struct process *child, struct process *parent)
{
	spin_lock(&parent->lock);
	u32 n = parent->ngroups;

	spin_unlock(&parent->lock);
	if (!n)
		return 0;
	u32 *g = kmalloc(n * sizeof(u32));

	if (!g)
		return -ENOMEM;
	spin_lock(&parent->lock);
	n = MIN(n, parent->ngroups);	/* only the parent's own thread changes it */
	memcpy(g, parent->groups, n * sizeof(u32));
	spin_unlock(&parent->lock);
	child->groups = g;
	child->ngroups = n;
	return 0;
}
