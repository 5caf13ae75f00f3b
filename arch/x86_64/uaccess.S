/*
 * User-memory primitives. Each instruction that touches user memory has an
 * entry in __ex_table: when a page fault there cannot be resolved by
 * mm_handle_fault(), trap.c resumes at the entry's fixup instead of
 * panicking. With SMAP on, the accesses are bracketed by stac/clac
 * (Intel SDM vol. 3A 4.6.1).
 */
#include "x86_asm.h"

#define EFAULT	14

/* Record that a fault at label \insn continues at label \fixup. */
.macro EX_ENTRY insn, fixup
	.pushsection __ex_table, "a"
	.p2align 3
	.quad \insn, \fixup
	.popsection
.endm

.macro STAC_IF_SMAP
	testb $1, x86_smap_enabled(%rip)
	jz 9f
	stac
9:
.endm

.macro CLAC_IF_SMAP
	testb $1, x86_smap_enabled(%rip)
	jz 9f
	clac
9:
.endm

	.text

/*
 * size_t arch_copy_user(void *dst, const void *src, size_t n)
 * Quadwords first, then the tail; returns the bytes not copied (at most 7
 * too many after a fault in the quadword part, which callers treat as
 * failure anyway).
 */
	.p2align 4
	.globl arch_copy_user
arch_copy_user:
	STAC_IF_SMAP
	movq %rdx, %rcx
	shrq $3, %rcx
	andl $7, %edx
1:	rep movsq
	movq %rdx, %rcx
2:	rep movsb
	CLAC_IF_SMAP
	xorl %eax, %eax
	ret
3:	CLAC_IF_SMAP
	leaq (%rdx, %rcx, 8), %rax
	ret
4:	CLAC_IF_SMAP
	movq %rcx, %rax
	ret
	EX_ENTRY 1b, 3b
	EX_ENTRY 2b, 4b

/*
 * long arch_strncpy_from_user(char *dst, const char *src, size_t n)
 * Returns the string length, n when no NUL came within n bytes, or -EFAULT.
 */
	.p2align 4
	.globl arch_strncpy_from_user
arch_strncpy_from_user:
	STAC_IF_SMAP
	xorl %eax, %eax
1:	cmpq %rdx, %rax
	jae 3f
2:	movb (%rsi, %rax), %cl
	movb %cl, (%rdi, %rax)
	testb %cl, %cl
	jz 3f
	incq %rax
	jmp 1b
3:	CLAC_IF_SMAP
	ret
4:	CLAC_IF_SMAP
	movq $-EFAULT, %rax
	ret
	EX_ENTRY 2b, 4b

/* size_t arch_clear_user(void *dst, size_t n): returns bytes not zeroed. */
	.p2align 4
	.globl arch_clear_user
arch_clear_user:
	STAC_IF_SMAP
	movq %rsi, %rcx
	xorl %eax, %eax
1:	rep stosb
	CLAC_IF_SMAP
	xorl %eax, %eax
	ret
2:	CLAC_IF_SMAP
	movq %rcx, %rax
	ret
	EX_ENTRY 1b, 2b

/*
 * int arch_cmpxchg_user_u32(u32 *uaddr, u32 old, u32 new, u32 *cur)
 * lock cmpxchg on a user word (futex robust lists): *cur receives the
 * value found there (equal to old when the exchange happened).
 * Returns 0, or -EFAULT when the word cannot be read or written.
 */
	.p2align 4
	.globl arch_cmpxchg_user_u32
arch_cmpxchg_user_u32:
	STAC_IF_SMAP
	movl %esi, %eax
1:	lock cmpxchgl %edx, (%rdi)
	CLAC_IF_SMAP
	movl %eax, (%rcx)
	xorl %eax, %eax
	ret
2:	CLAC_IF_SMAP
	movq $-EFAULT, %rax
	ret
	EX_ENTRY 1b, 2b

	.section .note.GNU-stack, "", @progbits
