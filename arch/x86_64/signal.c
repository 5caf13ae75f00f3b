/*
 * Signal frames of the x86-64 Linux ABI: the rt_sigframe a handler is entered
 * with (return address = sa_restorer, ucontext with the full register set in
 * uc_mcontext, the FXSAVE image the mcontext's fpstate points to, siginfo)
 * and rt_sigreturn's restore of all of it. x86-64 has no kernel trampoline:
 * the C library's restorer calls rt_sigreturn. Also the syscall-restart
 * rewind (rip back over the 2-byte syscall instruction).
 */
#include "x86.h"
#include "cpu.h"
#include "task.h"
#include "kernel.h"
#include "uaccess.h"
#include "uapi/errno.h"
#include "uapi/signal.h"

/* struct sigcontext of the x86-64 ABI: what uc_mcontext holds. */
struct x86_sigcontext {
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	u16 cs, gs, fs, ss;
	u64 err, trapno, oldmask, cr2;
	u64 fpstate;		/* user address of the FXSAVE image, 0 = none */
	u64 reserved1[8];
};

struct x86_ucontext {
	u64 uc_flags;
	u64 uc_link;
	struct linux_stack uc_stack;
	struct x86_sigcontext uc_mcontext;
	sigset_t uc_sigmask;
};

struct x86_rt_sigframe {
	u64 pretcode;		/* the handler's return address: sa_restorer */
	struct x86_ucontext uc;
	struct linux_siginfo info;
};

_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo is 128 bytes");
_Static_assert(sizeof(struct x86_sigcontext) == 256, "sigcontext layout");
_Static_assert(offsetof(struct x86_ucontext, uc_mcontext) == 40, "ucontext layout");
_Static_assert(offsetof(struct x86_ucontext, uc_sigmask) == 296, "ucontext layout");

#define FXSAVE_SIZE		512
#define FXSAVE_MXCSR		24
#define FXSAVE_MXCSR_MASK	28
#define REDZONE			128	/* System V AMD64 ABI 3.2.2: below rsp is the callee's */
#define UC_SIGCONTEXT_SS	0x2
#define UC_STRICT_RESTORE_SS	0x4

/* Flags a signal frame may carry back (Linux's FIX_EFLAGS: AC OF DF TF SF ZF AF PF CF RF). */
#define RFLAGS_RESTORABLE	0x50dd5UL
#define RFLAGS_DF		0x400UL

static inline void fxsave_to(u8 *area)
{
	__asm__ volatile("fxsave64 %0" : "=m"(*(u8 (*)[FXSAVE_SIZE])area));
}

static inline void fxrstor_from(const u8 *area)
{
	__asm__ volatile("fxrstor64 %0" : : "m"(*(const u8 (*)[FXSAVE_SIZE])area));
}

/*
 * With AVX on (x86_cpu.xcr0) the frame carries the whole XSAVE image, as Linux's does: the
 * FXSAVE part first, whose software-reserved bytes (464..511, struct _fpx_sw_bytes) say so
 * with FP_XSTATE_MAGIC1 and the sizes, and FP_XSTATE_MAGIC2 right after the image. A frame
 * without them (one a program built itself) restores x87 and SSE only, AVX's upper halves
 * going to their initial state. Source: Linux's arch/x86 sigcontext ABI (uapi sigcontext.h).
 */
#define FP_XSTATE_MAGIC1	0x46505853u
#define FP_XSTATE_MAGIC2	0x46505845u
#define FPX_SW_BYTES		464
#define UC_FP_XSTATE		0x1
#define XSAVE_AREA_MAX		ARCH_FPU_AREA_SIZE

struct fpx_sw_bytes {
	u32 magic1;
	u32 extended_size;	/* the image and MAGIC2 */
	u64 xfeatures;
	u32 xstate_size;
	u32 padding[7];
};

static inline void xsave_to(u8 *area)
{
	u64 m = x86_cpu.xcr0;

	__asm__ volatile("xsave64 %0" : "=m"(*(u8 (*)[XSAVE_AREA_MAX])area)
			 : "a"((u32)m), "d"((u32)(m >> 32)));
}

static inline void xrstor_from(const u8 *area)
{
	u64 m = x86_cpu.xcr0;

	__asm__ volatile("xrstor64 %0" : : "m"(*(const u8 (*)[XSAVE_AREA_MAX])area),
			 "a"((u32)m), "d"((u32)(m >> 32)));
}

/* Bytes of the frame's FPU part: the XSAVE image and MAGIC2, or the FXSAVE image. */
static u64 fpu_frame_size(void)
{
	return x86_cpu.xcr0 ? x86_cpu.xsave_size + 4 : FXSAVE_SIZE;
}

/* MXCSR bits this CPU accepts: fxrstor with any other set raises #GP. */
static u32 mxcsr_mask(void)
{
	static u32 mask;
	u8 area[FXSAVE_SIZE] __aligned(16);

	if (!mask) {
		memset(area, 0, sizeof(area));
		fxsave_to(area);
		u32 m = *(u32 *)(area + FXSAVE_MXCSR_MASK);

		mask = m ? m : 0xffbf;	/* 0 means the architectural default */
	}
	return mask;
}

/* A clean FPU/SSE/AVX state (as after exec) in the registers of this CPU. */
static void fpu_load_clean(void)
{
	u8 area[XSAVE_AREA_MAX] __aligned(64);

	memset(area, 0, sizeof(area));
	*(u16 *)area = 0x037f;
	*(u32 *)(area + FXSAVE_MXCSR) = 0x1f80;
	if (x86_cpu.xcr0)
		xrstor_from(area);	/* header 0: every component initial, MXCSR as above */
	else
		fxrstor_from(area);
}

/* arch_signal_frame_max - see include/arch.h: the FXSAVE image with its
 * 64-byte alignment, the rt_sigframe with its 16-byte alignment and the
 * return-address slot, as arch_signal_push_frame() lays them out. */
u64 arch_signal_frame_max(void)
{
	return fpu_frame_size() + 63 + sizeof(struct x86_rt_sigframe) + 15 + 8;
}

/*
 * arch_signal_push_frame - see include/arch.h. Layout as Linux builds it:
 * the FXSAVE image 64-byte aligned at the top, the rt_sigframe below it so
 * that the handler starts with (rsp + 8) 16-byte aligned, as after a call.
 */
int arch_signal_push_frame(struct trapframe *tf, const struct signal_frame *sf)
{
	u8 fpu[XSAVE_AREA_MAX + 4] __aligned(64);
	struct x86_rt_sigframe f;
	u64 fsize = fpu_frame_size();
	u64 sp = sf->sp ? sf->sp : tf->rsp - REDZONE;
	u64 fp = (sp - fsize) & ~63UL;
	u64 frame = ((fp - sizeof(f)) & ~15UL) - 8;

	if (frame < USER_BASE || sp > USER_TOP)
		return -EFAULT;
	memset(&f, 0, sizeof(f));
	f.pretcode = sf->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	if (x86_cpu.xcr0) {
		struct fpx_sw_bytes sw = {
			.magic1 = FP_XSTATE_MAGIC1, .extended_size = (u32)fsize,
			.xfeatures = x86_cpu.xcr0, .xstate_size = x86_cpu.xsave_size,
		};
		u32 magic2 = FP_XSTATE_MAGIC2;

		/* XSAVE writes only XSTATE_BV of the header: the rest must read 0. */
		memset(fpu + XSAVE_HEADER, 0, 64);
		xsave_to(fpu);
		memcpy(fpu + FPX_SW_BYTES, &sw, sizeof(sw));
		memcpy(fpu + x86_cpu.xsave_size, &magic2, 4);
		f.uc.uc_flags |= UC_FP_XSTATE;
	} else {
		fxsave_to(fpu);
	}
	f.uc.uc_stack = sf->uc_stack;
	struct x86_sigcontext *sc = &f.uc.uc_mcontext;

	sc->r8 = tf->r8, sc->r9 = tf->r9, sc->r10 = tf->r10, sc->r11 = tf->r11;
	sc->r12 = tf->r12, sc->r13 = tf->r13, sc->r14 = tf->r14, sc->r15 = tf->r15;
	sc->rdi = tf->rdi, sc->rsi = tf->rsi, sc->rbp = tf->rbp, sc->rbx = tf->rbx;
	sc->rdx = tf->rdx, sc->rax = tf->rax, sc->rcx = tf->rcx, sc->rsp = tf->rsp;
	sc->rip = tf->rip, sc->eflags = tf->rflags;
	sc->cs = GDT_UCODE, sc->ss = GDT_UDATA;
	sc->err = tf->vector < 32 ? tf->error : 0;
	sc->trapno = tf->vector < 32 ? tf->vector : 0;
	sc->oldmask = sf->saved_mask;
	sc->cr2 = sf->fault_addr;
	sc->fpstate = fp;
	f.uc.uc_sigmask = sf->saved_mask;
	f.info = sf->info;

	if (copy_to_user((void __user *)fp, fpu, fsize) ||
	    copy_to_user((void __user *)frame, &f, sizeof(f)))
		return -EFAULT;

	tf->rdi = (u64)sf->info.si_signo;
	tf->rsi = frame + offsetof(struct x86_rt_sigframe, info);
	tf->rdx = frame + offsetof(struct x86_rt_sigframe, uc);
	tf->rax = 0;
	tf->rsp = frame;
	tf->rip = sf->handler;
	tf->rflags &= ~(RFLAGS_TF | RFLAGS_DF);
	/* The handler starts with a clean FPU, as on Linux. */
	fpu_load_clean();
	return 0;
}

/*
 * The rest of a frame's XSAVE image, into @fpu (64-byte aligned, its first 512 bytes read
 * from user address @ufp already, the rest zero): when the software-reserved bytes and
 * MAGIC2 say the frame has one, the image, else a header that restores x87 and SSE from
 * the FXSAVE part and the rest to their initial state. *@xstate says which. A header XRSTOR
 * would fault on is a bad frame (-EINVAL), as Linux's restore fails on it; -EFAULT.
 */
static int xstate_from_frame(u8 *fpu, u64 ufp, bool *xstate)
{
	struct fpx_sw_bytes sw;
	u64 bv, hdr[8];
	u32 magic2;

	memcpy(&sw, fpu + FPX_SW_BYTES, sizeof(sw));
	*xstate = sw.magic1 == FP_XSTATE_MAGIC1 && sw.xstate_size == x86_cpu.xsave_size &&
		  sw.extended_size == sw.xstate_size + 4 &&
		  !copy_from_user(&magic2, (const void __user *)(ufp + sw.xstate_size), 4) &&
		  magic2 == FP_XSTATE_MAGIC2;
	if (!*xstate) {
		memset(fpu + XSAVE_HEADER, 0, XSAVE_AREA_MAX - XSAVE_HEADER);
		bv = 3;		/* x87 and SSE from the image */
		memcpy(fpu + XSAVE_HEADER, &bv, 8);
		return 0;
	}
	if (copy_from_user(fpu + FXSAVE_SIZE, (const void __user *)(ufp + FXSAVE_SIZE),
			   sw.xstate_size - FXSAVE_SIZE))
		return -EFAULT;
	memcpy(hdr, fpu + XSAVE_HEADER, sizeof(hdr));
	/* XSTATE_BV limited to what the frame says it holds; XCOMP_BV and the reserved
	 * bytes must be 0 (the standard form), or XRSTOR raises #GP. */
	hdr[0] &= sw.xfeatures & x86_cpu.xcr0;
	for (int i = 1; i < 8; i++)
		if (hdr[i])
			return -EINVAL;
	memcpy(fpu + XSAVE_HEADER, hdr, sizeof(hdr));
	return 0;
}

/*
 * arch_signal_restore - see include/arch.h. Every general register, rip,
 * the restorable flags and the FXSAVE image come back from the frame; the
 * return path forces user segments and a canonical rip. A frame with kernel
 * selectors or an MXCSR with bits the CPU rejects is refused (-EINVAL), as
 * Linux's iret or fxrstor would fault on it.
 */
int arch_signal_restore(struct trapframe *tf, sigset_t *mask, struct linux_stack *uc_stack)
{
	u8 fpu[XSAVE_AREA_MAX] __aligned(64);
	struct x86_ucontext uc;
	u64 frame = tf->rsp - 8;	/* the restorer's ret popped pretcode */
	bool xstate = false;

	if (copy_from_user(&uc, (const void __user *)(frame + offsetof(struct x86_rt_sigframe, uc)),
			   sizeof(uc)))
		return -EFAULT;
	const struct x86_sigcontext *sc = &uc.uc_mcontext;

	/* Linux returns with cs|3 and ss|3 as the frame says, so a kernel or
	 * otherwise wrong selector makes its iret fault: SIGSEGV. Here the
	 * return path always loads the user selectors, so refuse such a frame
	 * instead. Without UC_STRICT_RESTORE_SS any ss is replaced, as Linux's
	 * force_valid_ss. */
	if ((sc->cs | 3) != GDT_UCODE)
		return -EINVAL;
	if ((uc.uc_flags & UC_STRICT_RESTORE_SS) && (sc->ss | 3) != GDT_UDATA)
		return -EINVAL;
	if (sc->fpstate) {
		memset(fpu, 0, sizeof(fpu));
		if ((sc->fpstate & 15) ||
		    copy_from_user(fpu, (const void __user *)sc->fpstate, FXSAVE_SIZE))
			return -EFAULT;
		/* fxrstor would #GP on them: Linux counts that a bad frame. */
		if (*(u32 *)(fpu + FXSAVE_MXCSR) & ~mxcsr_mask())
			return -EINVAL;
		if (x86_cpu.xcr0) {
			int err = xstate_from_frame(fpu, sc->fpstate, &xstate);

			if (err)
				return err;
		}
	}
	tf->r8 = sc->r8, tf->r9 = sc->r9, tf->r10 = sc->r10, tf->r11 = sc->r11;
	tf->r12 = sc->r12, tf->r13 = sc->r13, tf->r14 = sc->r14, tf->r15 = sc->r15;
	tf->rdi = sc->rdi, tf->rsi = sc->rsi, tf->rbp = sc->rbp, tf->rbx = sc->rbx;
	tf->rdx = sc->rdx, tf->rax = sc->rax, tf->rcx = sc->rcx, tf->rsp = sc->rsp;
	tf->rip = sc->rip;
	tf->rflags = (tf->rflags & ~RFLAGS_RESTORABLE) | (sc->eflags & RFLAGS_RESTORABLE);
	if (sc->fpstate && x86_cpu.xcr0)
		xrstor_from(fpu);	/* a plain FXSAVE frame: AVX parts initial */
	else if (sc->fpstate)
		fxrstor_from(fpu);
	else
		fpu_load_clean();
	*mask = uc.uc_sigmask;
	*uc_stack = uc.uc_stack;
	return 0;
}

/* arch_syscall_restart - see include/arch.h. */
void arch_syscall_restart(struct trapframe *tf, long nr)
{
	tf->rip -= 2;		/* back over "syscall" (0f 05) */
	tf->rax = (u64)nr;
}
