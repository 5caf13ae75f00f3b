/*
 * Descriptor tables (struct files): the map from descriptor numbers to
 * open file descriptions plus the close-on-exec bits, shared by CLONE_FILES
 * threads and copied by fork. The table is a directory of chunks of
 * FD_CHUNK descriptors; it grows when a descriptor past its end is wanted,
 * up to RLIMIT_NOFILE and fs.nr_open, so a process may hold a million
 * descriptors while a small one costs one page. The spinlock guards the
 * directory, the chunks and the bits; files are put (which may sleep) after
 * it is released. Memory is allocated under it: kmalloc never sleeps.
 * Semantics: open(2) "lowest-numbered descriptor not currently open", dup(2),
 * fcntl(2) F_GETFD/F_SETFD, execve(2) close-on-exec, getrlimit(2)
 * RLIMIT_NOFILE, proc(5) /proc/sys/fs/nr_open.
 */
#include "internal.h"
#include "cpu.h"
#include "kmalloc.h"
#include "task.h"
#include "uapi/resource.h"

static u32 nr_open = NR_OPEN_DEFAULT;	/* [a] fs.nr_open */

/* nr_open_get - see include/fs.h. */
u32 nr_open_get(void)
{
	return __atomic_load_n(&nr_open, __ATOMIC_RELAXED);
}

/* nr_open_set - see include/fs.h. */
int nr_open_set(u64 v)
{
	if (v < NR_OPEN_MIN || v > NR_OPEN_MAX)
		return -EINVAL;
	__atomic_store_n(&nr_open, (u32)v, __ATOMIC_RELAXED);
	return 0;
}

static struct files *cur_files(void)
{
	return current->files;
}

/* The chunk holding @fd, or NULL past the table's end. Caller holds [f]. */
static struct fd_chunk *chunk_of(struct files *t, int fd)
{
	u32 c = (u32)fd / FD_CHUNK;

	return fd >= 0 && c < t->nchunks ? &t->chunks[c] : NULL;
}

/* The file at @fd, or NULL. Caller holds [f]. */
static struct file *slot_get(struct files *t, int fd)
{
	struct fd_chunk *c = chunk_of(t, fd);

	return c && c->fd ? c->fd[fd % FD_CHUNK] : NULL;
}

static bool cloexec_test(struct fd_chunk *c, int fd)
{
	return c->cloexec[(fd % FD_CHUNK) / 64] & (1UL << (fd % 64));
}

static void cloexec_assign(struct fd_chunk *c, int fd, bool on)
{
	if (on)
		c->cloexec[(fd % FD_CHUNK) / 64] |= 1UL << (fd % 64);
	else
		c->cloexec[(fd % FD_CHUNK) / 64] &= ~(1UL << (fd % 64));
}

/*
 * Make room for descriptor @fd (below the caller's limit): grow the
 * directory and give the chunk its page. Returns the chunk or NULL when
 * memory ran out. Caller holds [f].
 */
static struct fd_chunk *chunk_make(struct files *t, int fd)
{
	u32 want = (u32)fd / FD_CHUNK + 1;

	if (want > t->nchunks) {
		u32 n = MAX(want, t->nchunks * 2);
		u32 cap = (u32)(((u64)nr_open_get() + FD_CHUNK - 1) / FD_CHUNK);
		struct fd_chunk *dir;

		n = MAX(MIN(n, cap), want);
		dir = kzalloc(sizeof(*dir) * n);
		if (!dir)
			return NULL;
		memcpy(dir, t->chunks, sizeof(*dir) * t->nchunks);
		if (t->chunks != t->chunk_init)
			kfree(t->chunks);
		t->chunks = dir;
		t->nchunks = n;
	}
	struct fd_chunk *c = &t->chunks[want - 1];

	if (!c->fd) {
		c->fd = kzalloc(sizeof(*c->fd) * FD_CHUNK);
		if (!c->fd)
			return NULL;
	}
	return c;
}

/* Store @f (not NULL) at free slot @fd of chunk @c. Caller holds [f]. */
static void slot_set(struct fd_chunk *c, int fd, struct file *f, bool cloexec)
{
	c->fd[fd % FD_CHUNK] = f;
	c->used++;
	cloexec_assign(c, fd, cloexec);
}

/* Take the file out of @fd (which holds one). Caller holds [f]. */
static struct file *slot_clear(struct fd_chunk *c, int fd)
{
	struct file *f = c->fd[fd % FD_CHUNK];

	c->fd[fd % FD_CHUNK] = NULL;
	c->used--;
	cloexec_assign(c, fd, false);
	return f;
}

/* The most descriptors current may have: RLIMIT_NOFILE within fs.nr_open. */
static int fd_limit(void)
{
	return (int)MIN(MIN(rlimit_cur(RLIMIT_NOFILE), (u64)nr_open_get()), (u64)0x7fffffff);
}

struct files *files_new(void)
{
	struct files *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	t->refcount = 1;
	spin_init(&t->lock, "files");
	t->chunks = t->chunk_init;
	t->nchunks = FD_MAX / FD_CHUNK;
	return t;
}

/* Free @t's memory; its files are already put. */
static void files_free(struct files *t)
{
	for (u32 i = 0; i < t->nchunks; i++)
		kfree(t->chunks[i].fd);
	if (t->chunks != t->chunk_init)
		kfree(t->chunks);
	kfree(t);
}

struct files *files_dup(struct files *f)
{
	struct files *t = files_new();
	bool ok = true;

	if (!t)
		return NULL;
	spin_lock(&f->lock);
	/* Copy up to the last chunk in use: the copy grows again on demand. */
	u32 last = 0;

	for (u32 i = 0; i < f->nchunks; i++)
		if (f->chunks[i].used)
			last = i + 1;
	for (u32 i = 0; i < last && ok; i++) {
		struct fd_chunk *src = &f->chunks[i];

		if (!src->used)
			continue;
		struct fd_chunk *dst = chunk_make(t, (int)(i * FD_CHUNK));

		if (!dst) {
			ok = false;
			break;
		}
		/* Up to the last descriptor in use: the rest of dst is NULL already. */
		for (u32 k = 0, seen = 0; seen < src->used; k++) {
			dst->fd[k] = src->fd[k];
			if (dst->fd[k]) {
				file_get(dst->fd[k]);
				seen++;
			}
		}
		dst->used = src->used;
		memcpy(dst->cloexec, src->cloexec, sizeof(dst->cloexec));
	}
	spin_unlock(&f->lock);
	if (!ok) {
		files_put(t);
		return NULL;
	}
	return t;
}

void files_get(struct files *f)
{
	__atomic_add_fetch(&f->refcount, 1, __ATOMIC_RELAXED);
}

void files_put(struct files *f)
{
	u32 left = __atomic_sub_fetch(&f->refcount, 1, __ATOMIC_ACQ_REL);

	if (left + 1 == 0)
		panic("files_put: refcount underflow");
	if (left)
		return;
	/* Last user: nobody else can reach the table, so no lock. */
	for (u32 i = 0; i < f->nchunks; i++) {
		struct fd_chunk *c = &f->chunks[i];

		/* Stop at the last descriptor in use, not at the end of the chunk. */
		for (u32 k = 0, seen = 0; c->fd && seen < c->used; k++)
			if (c->fd[k]) {
				locks_remove_posix(c->fd[k], f);
				file_put(c->fd[k]);
				seen++;
			}
	}
	files_free(f);
}

void files_close_on_exec(struct files *f)
{
	struct file *batch[64];
	int n;

	/* One word of bits at a time: take the files out, then put them unlocked. */
	for (u32 w = 0;; w++) {
		n = 0;
		spin_lock(&f->lock);
		if (w >= f->nchunks * (FD_CHUNK / 64)) {
			spin_unlock(&f->lock);
			break;
		}
		struct fd_chunk *c = &f->chunks[w / (FD_CHUNK / 64)];
		u64 bits = c->cloexec[w % (FD_CHUNK / 64)];

		for (int b = 0; bits && b < 64; b++) {
			int fd = (int)(w * 64) + b;

			if ((bits & (1UL << b)) && c->fd && c->fd[fd % FD_CHUNK])
				batch[n++] = slot_clear(c, fd);
		}
		c->cloexec[w % (FD_CHUNK / 64)] = 0;
		spin_unlock(&f->lock);
		while (n) {
			locks_remove_posix(batch[--n], f);
			file_put(batch[n]);
		}
	}
}

int files_open_console(struct files *t)
{
	struct file *f, *old[3] = { NULL, NULL, NULL };
	struct fd_chunk *c;
	int err, i;

	err = vfs_open_inode(console_inode, O_RDWR, &f);
	if (err)
		return err;
	spin_lock(&t->lock);
	c = chunk_make(t, 0);
	if (!c) {
		spin_unlock(&t->lock);
		file_put(f);
		return -ENOMEM;
	}
	/* One open file description for all three, as init's dup(0) would give. */
	file_get(f);
	file_get(f);
	for (i = 0; i < 3; i++) {
		if (c->fd[i])
			old[i] = slot_clear(c, i);
		slot_set(c, i, f, false);
	}
	spin_unlock(&t->lock);
	for (i = 0; i < 3; i++)
		if (old[i])
			file_put(old[i]);
	return 0;
}

/* The lowest free descriptor in [@min, @limit) of @t, or -1. Caller holds [f]. */
static int find_free(struct files *t, int min, int limit)
{
	for (int fd = min; fd < limit;) {
		struct fd_chunk *c = chunk_of(t, fd);

		if (!c || !c->fd)
			return fd;		/* past the end, or a chunk never used */
		if (c->used == FD_CHUNK) {
			fd = (fd / FD_CHUNK + 1) * FD_CHUNK;
			continue;
		}
		for (; fd < limit && fd / FD_CHUNK == (int)(c - t->chunks); fd++)
			if (!c->fd[fd % FD_CHUNK])
				return fd;
	}
	return -1;
}

int fd_install(struct file *f, int min, bool cloexec)
{
	struct files *t = cur_files();
	int limit = fd_limit(), fd;

	if (min < 0)
		return -EINVAL;
	spin_lock(&t->lock);
	fd = find_free(t, min, limit);
	if (fd < 0) {
		fd = -EMFILE;
	} else {
		struct fd_chunk *c = chunk_make(t, fd);

		if (c)
			slot_set(c, fd, f, cloexec);
		else
			fd = -ENOMEM;
	}
	spin_unlock(&t->lock);
	return fd;
}

/* files_lookup - see include/fs.h. */
struct file *files_lookup(struct files *t, int fd)
{
	struct file *f;

	spin_lock(&t->lock);
	f = slot_get(t, fd);
	if (f)
		file_get(f);
	spin_unlock(&t->lock);
	return f;
}

/* files_next_fd - see include/fs.h. */
int files_next_fd(struct files *t, int from)
{
	int found = -1;

	spin_lock(&t->lock);
	for (u32 fd = (u32)MAX(from, 0); fd / FD_CHUNK < t->nchunks;) {
		struct fd_chunk *c = &t->chunks[fd / FD_CHUNK];

		if (!c->fd || !c->used) {
			fd = (fd / FD_CHUNK + 1) * FD_CHUNK;
			continue;
		}
		if (c->fd[fd % FD_CHUNK]) {
			found = (int)fd;
			break;
		}
		fd++;
	}
	spin_unlock(&t->lock);
	return found;
}

/* files_size - see include/fs.h. */
u32 files_size(struct files *t)
{
	spin_lock(&t->lock);
	u32 n = t->nchunks * FD_CHUNK;

	spin_unlock(&t->lock);
	return n;
}

struct file *fd_get(int fd)
{
	return files_lookup(cur_files(), fd);
}

int fd_close(int fd)
{
	struct files *t = cur_files();
	struct file *f = NULL;

	spin_lock(&t->lock);
	struct fd_chunk *c = chunk_of(t, fd);

	if (c && c->fd && c->fd[fd % FD_CHUNK])
		f = slot_clear(c, fd);
	spin_unlock(&t->lock);
	if (!f)
		return -EBADF;
	locks_remove_posix(f, t);
	file_put(f);
	return 0;
}

int fd_dup_to(int oldfd, int newfd, bool cloexec)
{
	struct files *t = cur_files();
	struct file *f, *old = NULL;

	if (oldfd < 0 || newfd < 0 || newfd >= fd_limit())
		return -EBADF;
	spin_lock(&t->lock);
	f = slot_get(t, oldfd);
	if (!f) {
		spin_unlock(&t->lock);
		return -EBADF;
	}
	struct fd_chunk *c = chunk_make(t, newfd);

	if (!c) {
		spin_unlock(&t->lock);
		return -ENOMEM;
	}
	file_get(f);
	if (c->fd[newfd % FD_CHUNK])
		old = slot_clear(c, newfd);
	slot_set(c, newfd, f, cloexec);
	spin_unlock(&t->lock);
	if (old) {
		locks_remove_posix(old, t);
		file_put(old);
	}
	return newfd;
}

int fd_cloexec_get(int fd)
{
	struct files *t = cur_files();
	int ret = -EBADF;

	spin_lock(&t->lock);
	if (slot_get(t, fd))
		ret = cloexec_test(chunk_of(t, fd), fd) ? 1 : 0;
	spin_unlock(&t->lock);
	return ret;
}

int fd_cloexec_set(int fd, bool on)
{
	struct files *t = cur_files();
	int ret = -EBADF;

	spin_lock(&t->lock);
	if (slot_get(t, fd)) {
		cloexec_assign(chunk_of(t, fd), fd, on);
		ret = 0;
	}
	spin_unlock(&t->lock);
	return ret;
}
