/*
 * arch_clear_page(va): zero the 4 KiB page at va (page-aligned, mapped
 * writable), in 16-byte SSE stores.
 *
 * Why SSE and not rep stosq as memset() does: a page clear is the bulk of
 * a demand-zero fault, and sixteen bytes per store halve the stores made
 * (256 instead of 512). Under QEMU's instruction counting, where each
 * repetition of a string instruction counts as one instruction, that is the
 * difference the count shows; under plain TCG the stores run inline, where
 * a rep stosq takes a trip through its translated block per repetition.
 * AVX would halve them again; these legacy SSE instructions leave the upper
 * half of ymm0 alone (with XCR0's AVX state on), so xmm0 is all there is to
 * save.
 *
 * The FPU state belongs to the task that runs (arch_switch() saves it with
 * xsave or fxsave when the task is switched out; CR0.TS is never set): while the
 * kernel runs, xmm0 holds the user's value. It is saved on the stack and
 * restored before returning, so no user register changes. An interrupt
 * handler that clears a page meanwhile saves and restores it in turn, and
 * nothing here can switch tasks. pxor and movaps raise no SIMD exception,
 * so MXCSR is neither read nor changed.
 */
	.text
	.p2align 4
	.globl arch_clear_page
arch_clear_page:
	subq $16, %rsp
	movdqu %xmm0, (%rsp)
	pxor %xmm0, %xmm0
	addq $4096, %rdi
	movq $-4096, %rax
1:
	.set off, 0
	.rept 32
	movaps %xmm0, off(%rdi,%rax)
	.set off, off + 16
	.endr
	addq $512, %rax
	jnz 1b
	movdqu (%rsp), %xmm0
	addq $16, %rsp
	ret

	.section .note.GNU-stack, "", @progbits
