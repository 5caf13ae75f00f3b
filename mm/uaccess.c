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

/* copy_from_user - see include/uaccess.h. */
int copy_from_user(void *dst, const void __user *src, size_t n)
{
	if (!uaccess_ok((u64)src, n))
		return -EFAULT;
	return arch_copy_user(dst, (const void __force *)src, n) ? -EFAULT : 0;
}

/* io_src_copy - see include/uaccess.h. */
int io_src_copy(void *dst, struct io_src src, size_t off, size_t n)
{
	if (src.kernel) {
		memcpy(dst, (const char *)src.base + off, n);
		return 0;
	}
	if ((u64)src.base > USER_TOP || off > USER_TOP - (u64)src.base)
		return -EFAULT;
	return copy_from_user(dst, (const char __force __user *)src.base + off, n);
}

/* copy_to_user - see include/uaccess.h. */
int copy_to_user(void __user *dst, const void *src, size_t n)
{
	if (!uaccess_ok((u64)dst, n))
		return -EFAULT;
	return arch_copy_user((void __force *)dst, src, n) ? -EFAULT : 0;
}

/* clear_user - see include/uaccess.h. */
int clear_user(void __user *dst, size_t n)
{
	if (!uaccess_ok((u64)dst, n))
		return -EFAULT;
	return arch_clear_user((void __force *)dst, n) ? -EFAULT : 0;
}

/* strncpy_from_user - see include/uaccess.h. */
long strncpy_from_user(char *dst, const char __user *src, size_t size)
{
	u64 a = (u64)src;

	if (a >= USER_TOP || size == 0)
		return -EFAULT;
	/* Never read past the end of user space. */
	size_t n = MIN(size, USER_TOP - a);
	long len = arch_strncpy_from_user(dst, (const char __force *)src, n);

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
	return arch_cmpxchg_user_u32((u32 __force *)uaddr, old, new, cur);
}
