/*
 * Checked access to user memory: range checks here, fault recovery in the
 * arch primitives (an exception table turns an unresolvable fault into a
 * short copy). Every function may sleep: a fault can allocate or copy a page.
 */
#include "kernel.h"
#include "uaccess.h"
#include "arch.h"
#include "cpu.h"
#include "task.h"
#include "uapi/errno.h"

/* uaccess_ok - see include/uaccess.h. */
bool uaccess_ok(u64 uaddr, size_t n)
{
	return uaddr <= USER_TOP && n <= USER_TOP - uaddr;
}

/*
 * The kernel buffer sendfile(2) lent to this task's copy_from_user(): only
 * the task itself sets it, for the length of one write operation, so a user
 * address can never reach it.
 */
static bool in_ksrc_window(const void *src, size_t n)
{
	struct task *t = current;
	u64 base, a = (u64)src;

	if (!t || !t->uaccess_ksrc)
		return false;
	base = (u64)t->uaccess_ksrc;
	return a >= base && n <= t->uaccess_ksrc_len && a - base <= t->uaccess_ksrc_len - n;
}

/* copy_from_user - see include/uaccess.h; also the sendfile(2) window above. */
int copy_from_user(void *dst, const void __user *src, size_t n)
{
	if (!uaccess_ok((u64)src, n)) {
		if (in_ksrc_window(src, n)) {
			memcpy(dst, src, n);
			return 0;
		}
		return -EFAULT;
	}
	return arch_copy_user(dst, src, n) ? -EFAULT : 0;
}

/* copy_to_user - see include/uaccess.h. */
int copy_to_user(void __user *dst, const void *src, size_t n)
{
	if (!uaccess_ok((u64)dst, n))
		return -EFAULT;
	return arch_copy_user(dst, src, n) ? -EFAULT : 0;
}

/* clear_user - see include/uaccess.h. */
int clear_user(void __user *dst, size_t n)
{
	if (!uaccess_ok((u64)dst, n))
		return -EFAULT;
	return arch_clear_user(dst, n) ? -EFAULT : 0;
}

/* strncpy_from_user - see include/uaccess.h. */
long strncpy_from_user(char *dst, const char __user *src, size_t size)
{
	u64 a = (u64)src;

	if (a >= USER_TOP || size == 0)
		return -EFAULT;
	/* Never read past the end of user space. */
	size_t n = MIN(size, USER_TOP - a);
	long len = arch_strncpy_from_user(dst, src, n);

	if (len < 0)
		return -EFAULT;
	if ((size_t)len >= size)
		return -ENAMETOOLONG;
	if ((size_t)len == n)	/* no NUL before the end of user space */
		return -EFAULT;
	return len;
}

int get_user_u64(u64 *val, const void __user *uaddr)
{
	return copy_from_user(val, uaddr, sizeof(*val));
}

int put_user_u64(void __user *uaddr, u64 val)
{
	return copy_to_user(uaddr, &val, sizeof(val));
}

int get_user_u32(u32 *val, const void __user *uaddr)
{
	return copy_from_user(val, uaddr, sizeof(*val));
}

int put_user_u32(void __user *uaddr, u32 val)
{
	return copy_to_user(uaddr, &val, sizeof(val));
}

/* cmpxchg_user_u32 - see include/uaccess.h. */
int cmpxchg_user_u32(void __user *uaddr, u32 old, u32 new, u32 *cur)
{
	if ((u64)uaddr & 3)
		return -EINVAL;
	if (!uaccess_ok((u64)uaddr, sizeof(u32)))
		return -EFAULT;
	return arch_cmpxchg_user_u32(uaddr, old, new, cur);
}
