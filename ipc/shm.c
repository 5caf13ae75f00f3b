/*
 * System V shared memory: shmget(2), shmat(2), shmdt(2), shmctl(2).
 *
 * A segment's memory is an unlinked tmpfs file; shmat maps it MAP_SHARED,
 * so every attachment maps the same frames (mm/fault.c) and fork keeps them
 * shared. Each attaching VMA holds a reference on the segment and counts in
 * shm_nattch through its vma_ops (fork and splits add one, unmap, exec and
 * exit drop one). IPC_RMID with attachments left only marks the segment
 * SHM_DEST and makes its key private (Linux); it goes away at the last
 * detach.
 *
 * Locks: shm_ids.lock [r] (ipc/ipc.h) guards every segment field; the mm
 * lock is taken before it (vma_ops run under mm->lock), never after.
 */
#include "ipc.h"
#include "cpu.h"
#include "fs.h"
#include "kmalloc.h"
#include "mm.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/resource.h"

#define SHMLBA		PAGE_SIZE
#define SHM_MAX_BYTES	(1UL << 30)	/* tmpfs file size limit */

struct shm_seg {
	struct ipc_obj obj;
	struct inode *ino;		/* [I] the memory */
	u64 size;			/* [I] bytes asked for */
	s64 atime, dtime, ctime;	/* [r] */
	pid_t cpid, lpid;		/* [r] */
	u64 nattch;			/* [r] attaching VMAs */
	uid_t lock_uid;			/* [r] SHM_LOCK: whose RLIMIT_MEMLOCK it counts in */
};

static struct ipc_ids shm_ids = {
	.lock = MUTEX_INIT(shm_ids.lock, "shm_ids"),
	.max = &ipc_shmmni,
};
static u64 shm_tot;	/* [a] pages of all segments not yet destroyed (SHMALL) */

static struct shm_seg *seg_of(struct ipc_obj *o)
{
	return container_of(o, struct shm_seg, obj);
}

static void shm_free(struct ipc_obj *o)
{
	struct shm_seg *s = seg_of(o);

	/* The last reference may be dropped with or without the registry lock. */
	__atomic_sub_fetch(&shm_tot, PAGE_ALIGN_UP(s->size) / PAGE_SIZE, __ATOMIC_RELAXED);
	inode_put(s->ino);
	kfree(s);
}

static pid_t cur_pid(void)
{
	return current->proc ? current->proc->pid : 0;
}

static void shm_vma_open(struct vma *v)
{
	struct shm_seg *s = v->priv;

	ipc_obj_get(&s->obj);
	mutex_lock(&shm_ids.lock);
	s->nattch++;
	mutex_unlock(&shm_ids.lock);
}

static void shm_vma_close(struct vma *v)
{
	struct shm_seg *s = v->priv;

	mutex_lock(&shm_ids.lock);
	s->nattch--;
	s->dtime = ipc_now();
	s->lpid = cur_pid();
	/* The last detach of a removed segment destroys it. */
	if (!s->nattch && (s->obj.mode & LINUX_SHM_DEST) && !s->obj.removed)
		ipc_remove(&shm_ids, &s->obj);
	mutex_unlock(&shm_ids.lock);
	ipc_obj_put(&s->obj);
}

static const struct vma_ops shm_vma_ops = {
	.open = shm_vma_open,
	.close = shm_vma_close,
};

/*
 * shmget - shmget(2): the segment of @key (IPC_PRIVATE: a new one) of at
 * least @size bytes, created with IPC_CREAT and permission bits of @flg.
 * Returns its id, or -EINVAL (size out of range, or larger than an existing
 * segment), -EEXIST, -ENOENT, -EACCES, -ENOSPC, -ENOMEM. May sleep.
 */
long sys_shmget(s32 key, u64 size, int flg)
{
	struct ipc_obj *o = NULL;
	struct shm_seg *s;
	long r;

	mutex_lock(&shm_ids.lock);
	r = ipc_get_common(&shm_ids, key, flg, &o);
	if (r == 0) {
		r = size > seg_of(o)->size ? -EINVAL : o->id;
		goto out;
	}
	if (r < 0)
		goto out;
	if (size < LINUX_SHMMIN || size > SHM_MAX_BYTES ||
	    size > __atomic_load_n(&ipc_shmmax, __ATOMIC_RELAXED)) {
		r = -EINVAL;
		goto out;
	}
	if (__atomic_load_n(&shm_tot, __ATOMIC_RELAXED) + PAGE_ALIGN_UP(size) / PAGE_SIZE >
	    __atomic_load_n(&ipc_shmall, __ATOMIC_RELAXED)) {
		r = -ENOSPC;	/* shmget(2): SHMALL would be exceeded */
		goto out;
	}
	s = kzalloc(sizeof(*s));
	if (!s) {
		r = -ENOMEM;
		goto out;
	}
	r = tmpfs_anon_create(PAGE_ALIGN_UP(size), flg & 0777, &s->ino);
	if (r) {
		kfree(s);
		goto out;
	}
	s->obj.free = shm_free;
	s->size = size;
	s->ctime = ipc_now();
	s->cpid = cur_pid();
	r = ipc_add(&shm_ids, &s->obj, key, (u32)flg);
	if (r) {
		inode_put(s->ino);
		kfree(s);
		goto out;
	}
	__atomic_add_fetch(&shm_tot, PAGE_ALIGN_UP(size) / PAGE_SIZE, __ATOMIC_RELAXED);
	r = s->obj.id;
out:
	mutex_unlock(&shm_ids.lock);
	return r;
}

/* Is [addr, addr + len) free of mappings? Caller holds the mm lock. */
static bool range_free(struct mm *mm, u64 addr, u64 len)
{
	struct vma *v;

	list_for_each_entry(v, &mm->vmas, link)
		if (v->start < addr + len && addr < v->end)
			return false;
	return true;
}

/* Map segment @s (referenced for the new VMA) at @addr or anywhere (0). */
static long shm_map(struct shm_seg *s, u64 addr, bool rdonly, bool remap, bool exec)
{
	struct mm *mm = current->mm;
	u64 len = PAGE_ALIGN_UP(s->size);
	u32 prot = MMU_READ | (rdonly ? 0 : MMU_WRITE) | (exec ? MMU_EXEC : 0);
	struct vma *v;
	long r;

	mutex_lock(&mm->lock);
	if (!addr) {
		addr = mm_find_free(mm, len);
		if (!addr) {
			r = -ENOMEM;
			goto out;
		}
	} else if (addr < USER_BASE || addr > USER_TOP || len > USER_TOP - addr ||
		   (!remap && !range_free(mm, addr, len))) {
		r = -EINVAL;
		goto out;
	}
	/* SHM_RDONLY is for good: mprotect(2) may not add the write right. */
	r = mm_map_locked(mm, addr, len, prot,
			  VMA_SHARED | VMA_MAYSHARE | VMA_MAYREAD | VMA_MAYEXEC |
			  (rdonly ? 0 : VMA_MAYWRITE), s->ino, 0, addr + len);
	if (r)
		goto out;
	v = mm_find_vma(mm, addr);
	v->ops = &shm_vma_ops;
	v->priv = s;
	shm_vma_open(v);
	r = (long)addr;
out:
	mutex_unlock(&mm->lock);
	return r;
}

/*
 * shmat - shmat(2): attach segment @id at @addr (0: the kernel chooses;
 * SHM_RND rounds down to SHMLBA, otherwise it must be aligned), read-only
 * with SHM_RDONLY. Returns the address, or -EINVAL (bad id or address, range
 * in use without SHM_REMAP), -EACCES, -ENOMEM. May sleep.
 */
long sys_shmat(int id, u64 addr, int flg)
{
	bool rdonly = flg & LINUX_SHM_RDONLY;
	struct shm_seg *s;
	struct ipc_obj *o;
	long r;

	if (addr & (SHMLBA - 1)) {
		if (!(flg & LINUX_SHM_RND))
			return -EINVAL;
		addr &= ~(SHMLBA - 1);
		if (!addr)
			return -EINVAL;	/* rounded down to 0 is refused (Linux) */
	}
	mutex_lock(&shm_ids.lock);
	o = ipc_find_id(&shm_ids, id);
	if (!o) {
		mutex_unlock(&shm_ids.lock);
		return -EINVAL;
	}
	if (!ipc_permitted(o, rdonly ? 4 : 6)) {
		mutex_unlock(&shm_ids.lock);
		return -EACCES;
	}
	s = seg_of(o);
	ipc_obj_get(o);	/* kept alive across the unlocked mapping */
	mutex_unlock(&shm_ids.lock);
	r = shm_map(s, addr, rdonly, flg & LINUX_SHM_REMAP, flg & LINUX_SHM_EXEC);
	if (r >= 0) {
		mutex_lock(&shm_ids.lock);
		s->atime = ipc_now();
		s->lpid = cur_pid();
		mutex_unlock(&shm_ids.lock);
	}
	ipc_obj_put(o);
	return r;
}

/*
 * shmdt - shmdt(2): detach the segment attached at @addr (every VMA of it
 * from there). Returns 0 or -EINVAL (no segment attached there). May sleep.
 */
long sys_shmdt(u64 addr)
{
	struct mm *mm = current->mm;
	struct vma *v;
	long r = -EINVAL;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	mutex_lock(&mm->lock);
	v = mm_find_vma(mm, addr);
	if (v && v->ops == &shm_vma_ops && v->start == addr && v->file_off == 0) {
		struct shm_seg *s = v->priv;
		u64 end = v->end, limit = addr + PAGE_ALIGN_UP(s->size);
		struct vma *w = list_entry(v->link.next, struct vma, link);

		/* The attachment may have been split (mprotect): take the
		 * adjacent pieces of the same segment too. */
		while (&w->link != &mm->vmas && w->ops == &shm_vma_ops && w->priv == s &&
		       w->start == end && end < limit) {
			end = w->end;
			w = list_entry(w->link.next, struct vma, link);
		}
		r = mm_unmap_locked(mm, addr, end - addr);
	}
	mutex_unlock(&mm->lock);
	return r;
}

static void shm_fill_stat(struct shm_seg *s, struct linux_shmid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_fill_perm(&s->obj, &ds->shm_perm);
	ds->shm_segsz = s->size;
	ds->shm_atime = s->atime;
	ds->shm_dtime = s->dtime;
	ds->shm_ctime = s->ctime;
	ds->shm_cpid = s->cpid;
	ds->shm_lpid = s->lpid;
	ds->shm_nattch = s->nattch;
}

/* Resident pages of @s's memory (SHM_INFO's shm_rss). [r] held; takes the
 * inode lock (order: ipc_ids lock -> inode lock). */
static u64 seg_resident(struct shm_seg *s)
{
	u64 n = 0;

	mutex_lock(&s->ino->lock);
	for (u64 i = 0; i < s->ino->npages; i++)
		n += s->ino->pages[i] != NULL;
	/* Pages in swap hold their slot, not a frame (mm/shmem_swap.c). */
	n -= s->ino->swapped;
	mutex_unlock(&s->ino->lock);
	return n;
}

/* IPC_INFO (the limits, struct shminfo64) and SHM_INFO (what is in use). */
static long shmctl_info(int cmd, void __user *buf)
{
	struct linux_shminfo64 si;
	struct linux_shm_info in;
	long r;

	memset(&si, 0, sizeof(si));
	memset(&in, 0, sizeof(in));
	mutex_lock(&shm_ids.lock);
	if (cmd == LINUX_IPC_INFO) {
		si.shmmax = __atomic_load_n(&ipc_shmmax, __ATOMIC_RELAXED);
		si.shmmin = LINUX_SHMMIN;
		si.shmmni = (u64)__atomic_load_n(&ipc_shmmni, __ATOMIC_RELAXED);
		si.shmseg = si.shmmni;
		si.shmall = __atomic_load_n(&ipc_shmall, __ATOMIC_RELAXED);
	} else {
		in.used_ids = (s32)shm_ids.in_use;
		in.shm_tot = __atomic_load_n(&shm_tot, __ATOMIC_RELAXED);
		for (u32 i = 0; i < shm_ids.nslots; i++) {
			struct shm_seg *seg;

			if (!shm_ids.slots[i])
				continue;
			seg = seg_of(shm_ids.slots[i]);
			in.shm_rss += seg_resident(seg);
			/* Pages of the segment in swap (mm/shmem_swap.c). */
			in.shm_swp += __atomic_load_n(&seg->ino->swapped, __ATOMIC_RELAXED);
		}
	}
	r = ipc_max_index(&shm_ids);
	mutex_unlock(&shm_ids.lock);
	if (cmd == LINUX_IPC_INFO ? copy_to_user(buf, &si, sizeof(si)) :
				    copy_to_user(buf, &in, sizeof(in)))
		return -EFAULT;
	return r;
}

/*
 * SHM_LOCK/SHM_UNLOCK (shmctl(2)): a locked segment carries SHM_LOCKED in
 * its mode and counts, until it is unlocked or destroyed, against the
 * RLIMIT_MEMLOCK of the user who locked it (Linux's user_shm_lock()), summed
 * over that user's locked segments. Unprivileged callers must own or have
 * created the segment, and SHM_LOCK needs a non-zero RLIMIT_MEMLOCK; euid 0
 * stands for CAP_IPC_LOCK. Returns 0, -EPERM or -ENOMEM. [r] held.
 */
static long shm_lock_cmd(struct shm_seg *s, bool lock)
{
	u64 lim = rlimit_cur(RLIMIT_MEMLOCK), pages = 0;
	uid_t euid = current->proc->euid;

	if (euid != 0) {
		if (euid != s->obj.uid && euid != s->obj.cuid)
			return -EPERM;
		if (lock && lim == 0)
			return -EPERM;
	}
	if (!lock) {
		s->obj.mode &= ~LINUX_SHM_LOCKED;
		return 0;
	}
	if (s->obj.mode & LINUX_SHM_LOCKED)
		return 0;
	if (euid != 0 && lim != RLIM_INFINITY) {
		for (u32 i = 0; i < shm_ids.nslots; i++) {
			struct shm_seg *t = shm_ids.slots[i] ? seg_of(shm_ids.slots[i]) : NULL;

			if (t && (t->obj.mode & LINUX_SHM_LOCKED) && t->lock_uid == euid)
				pages += PAGE_ALIGN_UP(t->size) / PAGE_SIZE;
		}
		if (pages + PAGE_ALIGN_UP(s->size) / PAGE_SIZE > lim / PAGE_SIZE)
			return -ENOMEM;
	}
	s->obj.mode |= LINUX_SHM_LOCKED;
	s->lock_uid = euid;
	return 0;
}

/*
 * shmctl - shmctl(2): IPC_STAT (into user @buf), IPC_SET (uid, gid, mode from
 * @buf), IPC_RMID (destroy now, or at the last detach), SHM_LOCK and
 * SHM_UNLOCK (shm_lock_cmd()); IPC_INFO (struct
 * shminfo64) and SHM_INFO (struct shm_info), both returning the highest
 * index in use; SHM_STAT and SHM_STAT_ANY (IPC_STAT of the segment at index
 * @id, returning its id; SHM_STAT_ANY without the read-permission check).
 * Errors in shmctl(2)'s order: -EINVAL (negative id or command, no such id
 * or index, bad command), then -EACCES (IPC_STAT/SHM_STAT without read
 * permission) or -EPERM (IPC_SET/IPC_RMID by other than owner or creator),
 * -EFAULT. May sleep.
 */
long sys_shmctl(int id, int cmd, void __user *buf)
{
	struct linux_shmid64_ds ds;
	struct ipc_obj *o;
	struct shm_seg *s;
	bool stat;
	long r = 0;

	if (id < 0 || cmd < 0)
		return -EINVAL;
	cmd = ipc_cmd(cmd);
	if (cmd == LINUX_IPC_INFO || cmd == LINUX_SHM_INFO)
		return shmctl_info(cmd, buf);
	stat = cmd == LINUX_IPC_STAT || cmd == LINUX_SHM_STAT || cmd == LINUX_SHM_STAT_ANY;
	if (cmd == LINUX_IPC_SET && copy_from_user(&ds, buf, sizeof(ds)))
		return -EFAULT;
	mutex_lock(&shm_ids.lock);
	if (cmd == LINUX_SHM_STAT || cmd == LINUX_SHM_STAT_ANY)
		o = ipc_find_index(&shm_ids, id);
	else
		o = ipc_find_id(&shm_ids, id);
	if (!o) {
		r = -EINVAL;
		goto out;
	}
	s = seg_of(o);
	switch (cmd) {
	case LINUX_IPC_STAT:
	case LINUX_SHM_STAT:
	case LINUX_SHM_STAT_ANY:
		if (cmd != LINUX_SHM_STAT_ANY && !ipc_permitted(o, 4)) {
			r = -EACCES;
			break;
		}
		shm_fill_stat(s, &ds);
		r = cmd == LINUX_IPC_STAT ? 0 : o->id;
		break;
	case LINUX_IPC_SET:
		if (!ipc_owner_or_root(o)) {
			r = -EPERM;
			break;
		}
		ipc_set_perm(o, &ds.shm_perm);
		s->ctime = ipc_now();
		break;
	case LINUX_IPC_RMID:
		if (!ipc_owner_or_root(o)) {
			r = -EPERM;
			break;
		}
		if (s->nattch) {
			o->mode |= LINUX_SHM_DEST;
			o->key = LINUX_IPC_PRIVATE;
		} else {
			ipc_remove(&shm_ids, o);
		}
		break;
	case LINUX_SHM_LOCK:
	case LINUX_SHM_UNLOCK:
		r = shm_lock_cmd(s, cmd == LINUX_SHM_LOCK);
		break;
	default:
		r = -EINVAL;
		break;
	}
out:
	mutex_unlock(&shm_ids.lock);
	if (r >= 0 && stat && copy_to_user(buf, &ds, sizeof(ds)))
		r = -EFAULT;
	return r;
}
