/*
 * The System V IPC registry shared by msg.c, sem.c and shm.c: ids, keys,
 * ownership and permissions (ipc(5), svipc(7)). Ids are built as Linux
 * builds them, slot + seq * 32768, so a removed object's id is not reused at
 * once and a stale id fails with EINVAL.
 */
#include "ipc.h"
#include "arch.h"
#include "cpu.h"
#include "kmalloc.h"
#include "task.h"

/* The limits /proc/sys/kernel shows and sets (include/ipc.h). */
int ipc_msgmax = LINUX_MSGMAX;
int ipc_msgmnb = LINUX_MSGMNB;
int ipc_msgmni = LINUX_MSGMNI;
u64 ipc_shmmax = LINUX_SHMMAX;
u64 ipc_shmall = LINUX_SHMALL;
int ipc_shmmni = LINUX_SHMMNI;
int ipc_sem[4] = { LINUX_SEMMSL, LINUX_SEMMNS, LINUX_SEMOPM, LINUX_SEMMNI };

s64 ipc_now(void)
{
	return (s64)arch_rtc_seconds();
}

struct ipc_obj *ipc_find_id(struct ipc_ids *ids, int id)
{
	u32 slot;
	struct ipc_obj *o;

	if (id < 0)
		return NULL;
	slot = (u32)id % IPC_ID_SLOTS;
	if (slot >= ids->nslots)
		return NULL;
	o = ids->slots[slot];
	return o && o->id == id ? o : NULL;
}

struct ipc_obj *ipc_find_index(struct ipc_ids *ids, int idx)
{
	if (idx < 0 || (u32)idx >= ids->nslots)
		return NULL;
	return ids->slots[idx];
}

int ipc_max_index(struct ipc_ids *ids)
{
	for (u32 i = ids->nslots; i > 0; i--)
		if (ids->slots[i - 1])
			return (int)(i - 1);
	return 0;
}

struct ipc_obj *ipc_find_key(struct ipc_ids *ids, s32 key)
{
	for (u32 i = 0; i < ids->nslots; i++)
		if (ids->slots[i] && ids->slots[i]->key == key)
			return ids->slots[i];
	return NULL;
}

static int ipc_grow(struct ipc_ids *ids)
{
	u32 n = ids->nslots ? ids->nslots * 2 : 16;
	struct ipc_obj **s;

	n = MIN(n, (u32)IPC_ID_SLOTS);
	if (n <= ids->nslots)
		return -ENOSPC;
	s = kzalloc(n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (ids->nslots)
		memcpy(s, ids->slots, ids->nslots * sizeof(*s));
	kfree(ids->slots);
	ids->slots = s;
	ids->nslots = n;
	return 0;
}

int ipc_add(struct ipc_ids *ids, struct ipc_obj *o, s32 key, u32 mode)
{
	struct process *p = current->proc;
	u32 slot;
	int err;

	if ((int)ids->in_use >= __atomic_load_n(ids->max, __ATOMIC_RELAXED))
		return -ENOSPC;
	for (slot = 0; slot < ids->nslots && ids->slots[slot]; slot++)
		;
	if (slot == ids->nslots && (err = ipc_grow(ids)))
		return err;
	ids->seq = (u16)((ids->seq + 1) % (0x7fffffff / IPC_ID_SLOTS));
	o->id = (int)(ids->seq * IPC_ID_SLOTS + slot);
	o->key = key;
	o->uid = o->cuid = p ? p->euid : 0;
	o->gid = o->cgid = p ? p->egid : 0;
	o->mode = mode & 0777;
	o->removed = false;
	o->refcount = 1;
	ids->slots[slot] = o;
	ids->in_use++;
	return 0;
}

void ipc_remove(struct ipc_ids *ids, struct ipc_obj *o)
{
	ids->slots[(u32)o->id % IPC_ID_SLOTS] = NULL;
	ids->in_use--;
	o->removed = true;
	o->key = LINUX_IPC_PRIVATE;
	ipc_obj_put(o);
}

void ipc_obj_get(struct ipc_obj *o)
{
	__atomic_add_fetch(&o->refcount, 1, __ATOMIC_RELAXED);
}

void ipc_obj_put(struct ipc_obj *o)
{
	u32 left = __atomic_sub_fetch(&o->refcount, 1, __ATOMIC_ACQ_REL);

	if (left + 1 == 0)
		panic("ipc_obj_put: refcount underflow");
	if (!left)
		o->free(o);
}

bool ipc_permitted(struct ipc_obj *o, u32 want)
{
	struct process *p = current->proc;
	uid_t euid = p ? p->euid : 0;
	gid_t egid = p ? p->egid : 0;
	u32 granted;

	if (!euid)
		return true;
	if (euid == o->uid || euid == o->cuid)
		granted = o->mode >> 6;
	else if (egid == o->gid || egid == o->cgid)
		granted = o->mode >> 3;
	else
		granted = o->mode;
	return (granted & want & 7) == (want & 7);
}

bool ipc_owner_or_root(struct ipc_obj *o)
{
	struct process *p = current->proc;
	uid_t euid = p ? p->euid : 0;

	return !euid || euid == o->uid || euid == o->cuid;
}

void ipc_fill_perm(struct ipc_obj *o, struct linux_ipc64_perm *p)
{
	memset(p, 0, sizeof(*p));
	p->key = o->key;
	p->uid = o->uid;
	p->gid = o->gid;
	p->cuid = o->cuid;
	p->cgid = o->cgid;
	p->mode = o->mode;
	p->seq = (u16)((u32)o->id / IPC_ID_SLOTS);
}

void ipc_set_perm(struct ipc_obj *o, const struct linux_ipc64_perm *p)
{
	o->uid = p->uid;
	o->gid = p->gid;
	o->mode = (o->mode & ~0777U) | (p->mode & 0777);
}

int ipc_get_common(struct ipc_ids *ids, s32 key, int flg, struct ipc_obj **out)
{
	struct ipc_obj *o;

	if (key == LINUX_IPC_PRIVATE)
		return 1;
	o = ipc_find_key(ids, key);
	if (!o)
		return (flg & LINUX_IPC_CREAT) ? 1 : -ENOENT;
	if ((flg & LINUX_IPC_CREAT) && (flg & LINUX_IPC_EXCL))
		return -EEXIST;
	/* The access bits requested in flg must be granted (msgget(2) EACCES). */
	if (!ipc_permitted(o, ((flg >> 6) | (flg >> 3) | flg) & 7))
		return -EACCES;
	*out = o;
	return 0;
}
