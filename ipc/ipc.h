/*
 * What the System V IPC files of ipc/ share: a registry of objects of one
 * kind (message queues, semaphore sets, shared memory segments) found by key
 * or by id, the ipc_perm ownership and permission rules, and time stamps.
 *
 * Locks:
 *   [r] ipc_ids->lock, a mutex: the registry and every field of every
 *       object of that kind (one lock per kind keeps the rules simple).
 *       Never held across a sleep on a wait queue; user memory may be
 *       copied under it (a fault takes mm->lock, never an ipc lock).
 *       Order: mm->lock -> ipc_ids->lock -> inode lock -> spinlocks.
 *   [a] atomic
 */
#ifndef SPROUT_IPC_INTERNAL_H
#define SPROUT_IPC_INTERNAL_H

#include "kernel.h"
#include "mutex.h"
#include "../include/ipc.h"	/* the limits (this file's name hides it) */
#include "uapi/errno.h"
#include "uapi/ipc.h"

#define IPC_ID_SLOTS	32768	/* id = seq * IPC_ID_SLOTS + slot, as Linux builds them */

struct ipc_obj {
	int id;				/* [I] */
	s32 key;			/* [r] LINUX_IPC_PRIVATE once removed */
	uid_t uid, cuid;		/* [r] owner and creator */
	gid_t gid, cgid;		/* [r] */
	u32 mode;			/* [r] permission bits (and SHM_DEST) */
	bool removed;			/* [r] IPC_RMID done: no new users */
	u32 refcount;			/* [a] the registry plus users in progress */
	void (*free)(struct ipc_obj *o);	/* [I] called on the last put */
};

struct ipc_ids {
	struct mutex lock;
	struct ipc_obj **slots;		/* [r] nslots entries, NULL when free */
	u32 nslots;			/* [r] */
	const int *max;			/* [I] -> [a] objects allowed (msgmni, semmni, shmmni) */
	u32 in_use;			/* [r] */
	u16 seq;			/* [r] bumps on each creation: stale ids fail */
};

/* ipc_find_id - the live object of @ids with @id, or NULL. [r] held. */
struct ipc_obj *ipc_find_id(struct ipc_ids *ids, int id);
/* ipc_find_index - the live object in slot @idx (the *_STAT commands' index
 * into the kernel's array), or NULL. [r] held. */
struct ipc_obj *ipc_find_index(struct ipc_ids *ids, int idx);
/* ipc_max_index - the highest slot in use, or 0 when none (what IPC_INFO and
 * the *_INFO commands return). [r] held. */
int ipc_max_index(struct ipc_ids *ids);
/* ipc_find_key - the live object of @ids with @key (not IPC_PRIVATE) or NULL. [r] held. */
struct ipc_obj *ipc_find_key(struct ipc_ids *ids, s32 key);
/*
 * ipc_add - register @o (refcount set to 1 for the registry) with @key and
 * permission bits @mode for the caller; assigns o->id. 0, -ENOSPC (limit
 * reached) or -ENOMEM. [r] held. Sleeps: no.
 */
int ipc_add(struct ipc_ids *ids, struct ipc_obj *o, s32 key, u32 mode);
/* ipc_remove - IPC_RMID: unlist @o, mark it removed and drop the registry's
 * reference (the caller keeps its own if it took one). [r] held. */
void ipc_remove(struct ipc_ids *ids, struct ipc_obj *o);
/* ipc_obj_get/put - references; the last put calls o->free. */
void ipc_obj_get(struct ipc_obj *o);
void ipc_obj_put(struct ipc_obj *o);
/* ipc_permitted - may the caller access @o for @want (4 read, 2 write)? ipc(5) */
bool ipc_permitted(struct ipc_obj *o, u32 want);
/* ipc_owner_or_root - IPC_SET/IPC_RMID rights: euid is uid, cuid or root. */
bool ipc_owner_or_root(struct ipc_obj *o);
/* ipc_fill_perm - @o's ipc64_perm for IPC_STAT. [r] held. */
void ipc_fill_perm(struct ipc_obj *o, struct linux_ipc64_perm *p);
/* ipc_set_perm - IPC_SET of uid, gid and the 0777 mode bits from @p. [r] held. */
void ipc_set_perm(struct ipc_obj *o, const struct linux_ipc64_perm *p);
/*
 * ipc_get_common - the lookup half of msgget/semget/shmget: with a key that
 * exists, -EEXIST under IPC_CREAT|IPC_EXCL, -EACCES without the permission
 * @flg asks for, else the object in *@out; -ENOENT without IPC_CREAT. Returns
 * 1 when the caller must create a new object. [r] held.
 */
int ipc_get_common(struct ipc_ids *ids, s32 key, int flg, struct ipc_obj **out);
/* ipc_now - seconds since the Unix epoch, for the *_time fields. */
s64 ipc_now(void);
/* ipc_cmd - the command of a *ctl call without the IPC_64 version bit. */
static inline int ipc_cmd(int cmd) { return cmd & ~LINUX_IPC_64; }

#endif
