/*
 * Access to user memory. The only way the kernel reads or writes user
 * addresses: each function checks the range lies in user space and recovers
 * from faults, returning -EFAULT instead of crashing. All may sleep (a
 * fault may allocate a page or copy a COW page).
 */
#ifndef SPROUT_UACCESS_H
#define SPROUT_UACCESS_H

#include "types.h"

/* uaccess_ok - [uaddr, uaddr + n) lies inside user space without overflow. */
bool uaccess_ok(u64 uaddr, size_t n);

/* copy_from_user - copy @n bytes from user @src into kernel @dst.
 * Returns 0 or -EFAULT (then @dst may be partly written). Only user
 * addresses: a kernel address always gives -EFAULT. */
int copy_from_user(void *dst, const void __user *src, size_t n);

/* copy_to_user - copy @n bytes of kernel @src to user @dst; 0 or -EFAULT. */
int copy_to_user(void __user *dst, const void *src, size_t n);

/* clear_user - zero @n bytes of user memory; 0 or -EFAULT. */
int clear_user(void __user *dst, size_t n);

/*
 * strncpy_from_user - copy a NUL-terminated user string into @dst of @size
 * bytes. Returns its length (without the NUL), -ENAMETOOLONG when it does not
 * fit in @size - 1 bytes, or -EFAULT.
 */
long strncpy_from_user(char *dst, const char __user *src, size_t size);

/* get_user_u64 / put_user_u64 etc.: single values, 0 or -EFAULT. */
int get_user_u64(u64 *val, const void __user *uaddr);
int put_user_u64(void __user *uaddr, u64 val);
int put_user_u32(void __user *uaddr, u32 val);
int get_user_u32(u32 *val, const void __user *uaddr);

/*
 * The bytes a file's write operation consumes: user memory (write(2),
 * pwrite(2), writev(2)) or a kernel buffer (sendfile(2) and other in-kernel
 * writers). Only kernel code builds one, with io_src_user() or
 * io_src_kernel(), so no value from user space can make the kernel read its
 * own memory as if it were the user's.
 */
struct io_src {
	const void *base;	/* user address, or kernel address when @kernel */
	bool kernel;
};

static inline struct io_src io_src_user(const void __user *p)
{
	return (struct io_src){ .base = (const void __force *)p, .kernel = false };
}

static inline struct io_src io_src_kernel(const void *p)
{
	return (struct io_src){ .base = p, .kernel = true };
}

/*
 * io_src_copy - copy @n bytes at byte offset @off of @src into kernel @dst.
 * Returns 0 or -EFAULT (a user source that is not mapped readable or not in
 * user space). May sleep for a user source.
 */
int io_src_copy(void *dst, struct io_src src, size_t off, size_t n);

/* cmpxchg_user_u32 - atomically set the 4-byte-aligned user word @uaddr to
 * @new if it equals @old; *@cur gets the value found there. Returns 0,
 * -EINVAL (misaligned) or -EFAULT. May sleep (a fault). */
int cmpxchg_user_u32(void __user *uaddr, u32 old, u32 new, u32 *cur);

#endif
