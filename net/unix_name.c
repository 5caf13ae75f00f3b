/*
 * AF_UNIX names (unix(7) "Address format"): pathnames, which are socket
 * inodes in the file system (fs/sockname.c makes and finds them), abstract
 * names (a leading NUL byte, in no file system), autobind, and the table of
 * every socket and of the bound ones, which /proc/net/unix shows.
 * Locks: unix_table_lock [t] (net/unix.h).
 */
#include "unix.h"
#include "kernel.h"
#include "kmalloc.h"
#include "uapi/errno.h"

#define SUN_PATH_OFF	2	/* offsetof(struct sockaddr_un, sun_path) */

static struct spinlock unix_table_lock = SPINLOCK_INIT("unix_table");
static LIST_HEAD(unix_all);		/* [t] */
static LIST_HEAD(unix_bound);		/* [t] */
static u32 autobind_next;		/* [t] */

void unix_table_add(struct unix_sock *u)
{
	spin_lock(&unix_table_lock);
	list_add_tail(&u->all_link, &unix_all);
	spin_unlock(&unix_table_lock);
}

void unix_table_del(struct unix_sock *u)
{
	spin_lock(&unix_table_lock);
	list_del(&u->all_link);
	if (!list_empty(&u->bound_link))
		list_del(&u->bound_link);
	spin_unlock(&unix_table_lock);
}

void unix_addr_put(struct unix_addr *a)
{
	if (!a || __atomic_sub_fetch(&a->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	if (a->inode)
		inode_put(a->inode);
	kfree(a);
}

struct unix_addr *unix_addr_get(struct unix_sock *u)
{
	struct unix_addr *a;

	spin_lock(&unix_table_lock);
	a = u->addr;
	if (a)
		__atomic_add_fetch(&a->refcount, 1, __ATOMIC_RELAXED);
	spin_unlock(&unix_table_lock);
	return a;
}

/* Check a user sockaddr_un of @len bytes and make it canonical in @a:
 * a pathname ends at its first NUL (the length counts one NUL, as Linux
 * reports it). 0 or -EINVAL. */
static int unix_mkname(const void *addr, int len, struct unix_addr *a)
{
	const struct linux_sockaddr_un *sun = addr;

	if (len < SUN_PATH_OFF || len > (int)sizeof(*sun) || sun->sun_family != AF_UNIX)
		return -EINVAL;
	memset(a->data, 0, sizeof(a->data));
	memcpy(a->data, addr, (size_t)len);
	if (len == SUN_PATH_OFF) {
		a->len = len;
		return 0;
	}
	if (a->data[SUN_PATH_OFF]) {
		a->len = SUN_PATH_OFF + (int)strlen((char *)a->data + SUN_PATH_OFF) + 1;
		if (a->len > (int)sizeof(*sun))
			a->len = (int)sizeof(*sun);
	} else {
		a->len = len;
	}
	return 0;
}

static bool addr_abstract(const struct unix_addr *a)
{
	return a->len > SUN_PATH_OFF && a->data[SUN_PATH_OFF] == 0;
}

/* The bound abstract name @a of @type, or NULL. [t] held. */
static struct unix_sock *abstract_lookup(const struct unix_addr *a, int type)
{
	struct unix_sock *u;

	list_for_each_entry(u, &unix_bound, bound_link) {
		struct unix_addr *b = u->addr;

		if (u->type == type && !b->inode && b->len == a->len &&
		    !memcmp(b->data, a->data, (size_t)a->len))
			return u;
	}
	return NULL;
}

/* Bind @u to @a (consumed). -EINVAL (already bound), -EADDRINUSE. */
static int unix_set_addr(struct unix_sock *u, struct unix_addr *a)
{
	int err = 0;

	spin_lock(&unix_table_lock);
	if (u->addr)
		err = -EINVAL;
	else if (!a->inode && abstract_lookup(a, u->type))
		err = -EADDRINUSE;
	if (!err) {
		u->addr = a;
		list_add_tail(&u->bound_link, &unix_bound);
	}
	spin_unlock(&unix_table_lock);
	if (err)
		unix_addr_put(a);
	return err;
}

int unix_autobind(struct unix_sock *u)
{
	struct unix_addr *a;
	int err;

	for (int tries = 0; tries < 0x100000; tries++) {
		if (__atomic_load_n(&u->addr, __ATOMIC_ACQUIRE))
			return 0;
		a = kzalloc(sizeof(*a));
		if (!a)
			return -ENOMEM;
		a->refcount = 1;
		spin_lock(&unix_table_lock);
		u32 n = autobind_next++ & 0xfffff;
		spin_unlock(&unix_table_lock);
		((struct linux_sockaddr_un *)a->data)->sun_family = AF_UNIX;
		snprintf((char *)a->data + SUN_PATH_OFF + 1, 6, "%05x", n);
		a->len = SUN_PATH_OFF + 1 + 5;
		err = unix_set_addr(u, a);
		if (err != -EADDRINUSE)
			return err == -EINVAL ? 0 : err;
	}
	return -ENOSPC;
}

int unix_bind(struct socket *s, const void *addr, int len)
{
	struct unix_sock *u = s->sk;
	struct unix_addr *a;
	int err;

	if (len >= 2 && ((const struct linux_sockaddr_un *)addr)->sun_family != AF_UNIX)
		return -EINVAL;
	if (len == SUN_PATH_OFF)
		return u->addr ? -EINVAL : unix_autobind(u);
	a = kzalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->refcount = 1;
	err = unix_mkname(addr, len, a);
	if (err)
		goto fail;
	if (__atomic_load_n(&u->addr, __ATOMIC_ACQUIRE)) {
		/* Linux makes the name first: an existing one says EADDRINUSE. */
		struct inode *ino = NULL;

		err = -EINVAL;
		if (!addr_abstract(a) &&
		    vfs_find_sock((char *)a->data + SUN_PATH_OFF, &ino) != -ENOENT)
			err = -EADDRINUSE;
		if (ino)
			inode_put(ino);
		goto fail;
	}
	if (!addr_abstract(a)) {
		err = vfs_mksock((char *)a->data + SUN_PATH_OFF, 0777, &a->inode);
		if (err == -EEXIST)
			err = -EADDRINUSE;
		if (err)
			goto fail;
	}
	return unix_set_addr(u, a);
fail:
	kfree(a);
	return err;
}

int unix_find(const void *addr, int len, int type, struct unix_sock **out)
{
	struct unix_addr *a = kzalloc(sizeof(*a));
	struct inode *ino = NULL;
	struct unix_sock *u, *found = NULL;
	int err;

	if (!a)
		return -ENOMEM;
	err = unix_mkname(addr, len, a);
	if (!err && a->len == SUN_PATH_OFF)
		err = -EINVAL;
	if (!err && !addr_abstract(a))
		err = vfs_find_sock((char *)a->data + SUN_PATH_OFF, &ino);
	if (err)
		goto out;
	err = -ECONNREFUSED;
	spin_lock(&unix_table_lock);
	if (!ino) {
		found = abstract_lookup(a, type);
	} else {
		list_for_each_entry(u, &unix_bound, bound_link) {
			if (u->addr->inode == ino) {
				found = u;
				break;
			}
		}
		if (found && found->type != type) {
			err = -EPROTOTYPE;
			found = NULL;
		}
	}
	if (found) {
		unix_sock_get(found);
		err = 0;
	}
	spin_unlock(&unix_table_lock);
	*out = found;
out:
	if (ino)
		inode_put(ino);
	kfree(a);
	return err;
}

int unix_getname(struct socket *s, void *addr, bool peer)
{
	struct unix_sock *u = s->sk, *p = NULL;
	struct unix_addr *a;
	int len;

	if (peer) {
		spin_lock(&u->lock);
		p = u->peer;
		if (p)
			unix_sock_get(p);
		spin_unlock(&u->lock);
		if (!p)
			return -ENOTCONN;
		u = p;
	}
	spin_lock(&unix_table_lock);
	a = u->addr;
	if (a) {
		memcpy(addr, a->data, (size_t)a->len);
		len = a->len;
	} else {
		((struct linux_sockaddr_un *)addr)->sun_family = AF_UNIX;
		len = SUN_PATH_OFF;
	}
	spin_unlock(&unix_table_lock);
	if (p)
		unix_sock_put(p);
	return len;
}

/* ---- /proc/net/unix ---- */

/*
 * unix_proc_show - /proc/net/unix in Linux's format (one line per socket:
 * kernel address, refcount, protocol, flags, type, state, inode, path)
 * into @buf (@size bytes); returns the length. The address column is a
 * slot number, not a kernel address. Takes unix_table_lock; reads each
 * socket's state as a snapshot. Sleeps: no.
 */
size_t unix_proc_show(char *buf, size_t size)
{
	struct unix_sock *u;
	size_t n = 0;
	u32 slot = 0;

	n += (size_t)snprintf(buf + n, size - n,
			      "Num       RefCount Protocol Flags    Type St Inode Path\n");
	spin_lock(&unix_table_lock);
	list_for_each_entry(u, &unix_all, all_link) {
		struct unix_addr *a = u->addr;
		int st;

		if (n >= size)
			break;
		/* A snapshot without the socket's lock, which comes before ours. */
		enum unix_state state = __atomic_load_n(&u->state, __ATOMIC_RELAXED);

		if (__atomic_load_n(&u->dead, __ATOMIC_RELAXED))
			continue;
		/* SS_UNCONNECTED 1, SS_CONNECTED 3 (Linux's socket_state). */
		st = state == UNIX_CONNECTED ? 3 : 1;
		n += (size_t)snprintf(buf + n, size - n, "%016x: %08X %08X %08X %04X %02X %5llu",
				      ++slot, __atomic_load_n(&u->refcount, __ATOMIC_RELAXED), 0,
				      state == UNIX_LISTEN ? 0x10000 : 0, u->type, st,
				      (unsigned long long)__atomic_load_n(&u->ino,
									  __ATOMIC_RELAXED));
		if (a && n < size) {
			n += (size_t)snprintf(buf + n, size - n, " %c", addr_abstract(a) ? '@'
						       : (char)a->data[SUN_PATH_OFF]);
			for (int i = SUN_PATH_OFF + 1; i < a->len && n + 1 < size; i++) {
				char c = (char)a->data[i];

				if (!addr_abstract(a) && !c)
					break;
				buf[n++] = c ? c : '@';
			}
		}
		if (n + 1 < size)
			buf[n++] = '\n';
	}
	spin_unlock(&unix_table_lock);
	return MIN(n, size);
}
