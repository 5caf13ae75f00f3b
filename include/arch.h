/*
 * The contract between the portable core and the architecture layer.
 *
 * This is the only header through which kernel/, mm/, fs/ and ipc/ reach
 * machine-specific code. Everything below is implemented in arch/<arch>/;
 * the inline parts come from <arch_impl.h>, found in arch/<arch>/include/.
 *
 * Naming: functions the arch provides start with arch_; functions the arch
 * calls back into the core are declared at the end ("core entry points").
 */
#ifndef SPROUT_ARCH_H
#define SPROUT_ARCH_H

#include "types.h"
#include "uapi/signal.h"

struct task;
struct cpu;
struct trapframe;

#include <arch_impl.h>	/* struct trapframe, struct arch_thread, struct arch_cpu, inline ops */

/* ---- Boot ---------------------------------------------------------------- */

#define BOOT_MAX_MEM_REGIONS	64
#define BOOT_CMDLINE_MAX	1024

struct boot_mem_region {
	u64 base;	/* physical address, bytes */
	u64 len;	/* bytes */
};

/* What the boot protocol told us, in physical addresses. */
struct boot_info {
	struct boot_mem_region mem[BOOT_MAX_MEM_REGIONS];	/* usable RAM only */
	int nmem;
	u64 kernel_phys_start;	/* first byte of the loaded kernel image */
	u64 kernel_phys_end;	/* first byte after the image, its .bss and boot tables */
	u64 initrd_phys;	/* the initramfs (all -initrd archives, concatenated) */
	u64 initrd_len;		/* bytes; 0 when there is none */
	char cmdline[BOOT_CMDLINE_MAX];	/* NUL-terminated kernel command line */
};

/*
 * kernel_main - the core's entry point, called once on the boot CPU in long
 * mode, on the boot stack, with interrupts disabled, after the arch's boot
 * code (x86-64: x86_boot_main() in arch/x86_64/pvh.c) has set up the
 * console/log ports, GDT, IDT, per-CPU area and timer of CPU 0.
 * @bi: boot information (kernel memory, valid until the core copies it).
 */
__noreturn void kernel_main(struct boot_info *bi);

/* ---- Addresses ----------------------------------------------------------- */

/*
 * All physical memory is mapped at DIRECT_MAP_BASE (kernel-only, NX, RW).
 * phys_to_virt()/virt_to_phys() convert for direct-map addresses only.
 * User space is [USER_BASE, USER_TOP): the low canonical half.
 * (DIRECT_MAP_BASE, USER_TOP, USER_BASE come from <arch_impl.h>.)
 */
static inline void *phys_to_virt(u64 phys) { return (void *)(phys + DIRECT_MAP_BASE); }
static inline u64 virt_to_phys(const void *v) { return (u64)v - DIRECT_MAP_BASE; }

/*
 * arch_map_all_ram - extend the direct map so it covers every usable region
 * of @bi (boot tables cover only the first 4 GiB). Called once by the core
 * before the page allocator takes over memory; may use memory past
 * kernel_phys_end and then advances bi->kernel_phys_end past what it used.
 */
void arch_map_all_ram(struct boot_info *bi);

/*
 * The kernel mapped area [KMAP_BASE, KMAP_BASE + KMAP_SIZE) (from <arch_impl.h>): kernel
 * virtual addresses mapped a 4 KiB page at a time, the same in every address space, for
 * mm/vmalloc.c. Its upper tables are made by arch_map_all_ram().
 *
 * arch_kmap_set - map the page at kernel virtual address @va (page-aligned, in the area) to
 * the frame at physical address @phys, read-write and not executable, or unmap it when @phys
 * is 0. Allocates a missing page table (false if none could be had). Does not flush any
 * TLB: the caller flushes after an unmap. Callers serialise per page. Sleeps: no.
 */
bool arch_kmap_set(u64 va, u64 phys);
/* arch_kmap_phys - the physical address mapped at page @va of the area, or 0. Sleeps: no. */
u64 arch_kmap_phys(u64 va);

/* ---- CPU ----------------------------------------------------------------- */

/*
 * arch_cpu_init - load this CPU's GDT, TSS and IDT, program the syscall
 * MSRs, enable NX/SMEP/SMAP/SSE when present and set GS base to @c.
 * Called on the CPU being initialised, interrupts disabled.
 */
void arch_cpu_init(struct cpu *c);

/* arch_irq_save/restore/enable/disable/enabled, arch_cpu_relax,
 * this_cpu() and arch_running_task() (this_cpu()->running in one load,
 * for current) are inline in <arch_impl.h>. */

/* arch_idle - enable interrupts and halt until the next one; returns with
 * interrupts enabled. Used by the idle task. */
void arch_idle(void);

/* ---- Multiprocessor ------------------------------------------------------ */

/*
 * arch_smp_boot - find the other CPUs (ACPI MADT on x86) and start them one
 * by one; each runs kernel_ap_main() on its own idle stack. Returns when
 * every CPU is online or has been given up on (logged); ncpus counts the
 * CPUs online. Boot CPU, once, interrupts disabled, after the page
 * allocator and CPU 0's run queue exist. Sleeps: no (busy-waits).
 */
void arch_smp_boot(void);

/* arch_send_resched - interrupt CPU @cpu so it looks at its need_resched
 * flag (no-op for the calling CPU). Any context. Sleeps: no. */
void arch_send_resched(int cpu);

/*
 * arch_tlb_shootdown - make every CPU in @cpumask (bit i = CPU i; the
 * caller's own bit is ignored) drop its non-global TLB entries, and return
 * only when all have done so. The caller has already changed the PTEs.
 * Interrupts may be on or off. Sleeps: no (spins).
 */
void arch_tlb_shootdown(u64 cpumask);

/* arch_stop_other_cpus - halt every other CPU for good (panic, power-off).
 * Does not wait for them. Sleeps: no. */
void arch_stop_other_cpus(void);

/* ---- Console, log, power ------------------------------------------------- */

/* arch_console_putc - write one byte to the console port (serial 0).
 * Busy-waits for the UART; safe in any context. */
void arch_console_putc(char c);

/* arch_log_putc - write one byte to the kernel log port (serial 1). */
void arch_log_putc(char c);

/* arch_trace_write - write @n bytes of @buf to the trace port (QEMU's
 * isa-debugcon at 0xe9 on PCs; ignored when the machine has none).
 * Caller serialises. Sleeps: no. */
void arch_trace_write(const void *buf, size_t n);

/*
 * arch_poweroff - stop the machine and make QEMU exit. @status is written
 * to the isa-debug-exit port (QEMU then exits with (status << 1) | 1).
 * Never returns; interrupts are disabled first.
 */
__noreturn void arch_poweroff(int status);

/* arch_backtrace - print the call chain starting at frame pointer @rbp
 * (0: the caller's) to the kernel log, symbolised when possible. */
void arch_backtrace(u64 rbp);

/*
 * arch_task_stack - the kernel return addresses of task @t, which is not
 * running (it called arch_switch()), innermost first, into @pcs (at most
 * @max); stops at the user/kernel boundary or at a frame outside @t's
 * kernel stack. Returns how many. The caller keeps @t alive; if @t runs
 * meanwhile the answer is stale but every read stays inside its stack.
 * Sleeps: no.
 */
int arch_task_stack(struct task *t, u64 *pcs, int max);

/* ---- Time ---------------------------------------------------------------- */

/* arch_timer_init - start the periodic tick at @hz on this CPU; each tick
 * calls sched_timer_tick(). Calibrates the clock on the boot CPU. */
void arch_timer_init(unsigned hz);

/* arch_clock_ns - monotonic nanoseconds since boot (never goes back). */
u64 arch_clock_ns(void);

/* arch_rtc_seconds - wall-clock seconds since the Unix epoch, read from the
 * RTC at boot and advanced with arch_clock_ns(). */
u64 arch_rtc_seconds(void);

/* arch_random_u64 - 64 bits of hardware randomness (RDRAND/RDSEED when the
 * CPU has them, else a TSC-based mix). Not cryptographic on old CPUs. */
u64 arch_random_u64(void);

/* ---- Threads and traps --------------------------------------------------- */

/*
 * Each task owns a kernel stack of KSTACK_SIZE bytes (task->kstack points to
 * its lowest byte). A user task's trapframe sits at the top of that stack.
 */
struct trapframe *arch_task_trapframe(struct task *t);

/*
 * arch_thread_init_kernel - prepare @t (kstack allocated, arch zeroed) so that
 * the first arch_switch() to it calls sched_tail(), enables interrupts and
 * runs fn(arg) in kernel mode. If fn returns, the task calls task_exit_kernel().
 */
void arch_thread_init_kernel(struct task *t, void (*fn)(void *), void *arg);

/*
 * arch_thread_init_user - prepare @t so that the first arch_switch() to it
 * calls sched_tail() and then returns to user mode through the trapframe at
 * the top of its kernel stack (which the caller has filled, e.g. with
 * arch_fork_frame() or arch_exec_regs()).
 */
void arch_thread_init_user(struct task *t);

/*
 * arch_fork_frame - set @child's trapframe to a copy of @parent_tf with the
 * syscall return value 0; when @new_sp is non-zero the child's user stack
 * pointer becomes @new_sp (clone with a child stack). Also copies the
 * parent's FPU/SSE state and FS base into the child.
 * "copy_thread" in Linux, "forkchild" in Plan 9.
 */
void arch_fork_frame(struct task *child, const struct task *parent,
		     const struct trapframe *parent_tf, u64 new_sp);

/*
 * arch_exec_regs - reset @tf for a fresh program image: every general
 * register zero (glibc reads rdx as an exit handler), rip = @entry,
 * rsp = @sp, user segments, interrupts enabled, DF clear; reset the FPU/SSE
 * state and FS base of the current task. The return to user mode after an
 * exec always goes through iret, so rcx and r11 stay zero.
 */
void arch_exec_regs(struct trapframe *tf, u64 entry, u64 sp);

/* arch_set_fs_base - set the current task's FS base (arch_prctl). */
void arch_set_fs_base(u64 base);
u64 arch_get_fs_base(void);
/* arch_set_gs_base - set the current task's user GS base (arch_prctl
 * ARCH_SET_GS); the caller refuses addresses outside user space. */
void arch_set_gs_base(u64 base);
u64 arch_get_gs_base(void);

/*
 * arch_core_regs - the user registers of @t (its trapframe @tf) as an ELF
 * core file's NT_PRSTATUS stores them (pr_reg: Linux's user_regs_struct,
 * ARCH_CORE_NREGS words, from <arch_impl.h>), with @orig_syscall the
 * number of the system call the frame returns from (ignored for a trap
 * frame). Sleeps: no.
 */
void arch_core_regs(const struct task *t, const struct trapframe *tf, long orig_syscall,
		    u64 *regs);

/* arch_core_fpregs - the user FPU/SSE state of @t (current: the registers
 * now; another thread: as saved when it last switched out) as NT_PRFPREG
 * stores it, ARCH_CORE_FPREGS_SIZE bytes into @area. Sleeps: no. */
void arch_core_fpregs(const struct task *t, u8 *area);
/* arch_core_fpregs_xstate - the same as the whole XSAVE image (64-byte aligned @area of
 * ARCH_XSTATE_MAX bytes); only where XSAVE is on (arch_ptrace_xstate_size()). */
void arch_core_fpregs_xstate(const struct task *t, u8 *area);

/*
 * arch_switch - save the callee-saved registers, FPU state and FS base of
 * @prev, switch to @next's kernel stack and address-space-independent state
 * (TSS rsp0, this_cpu()->kstack_top) and resume @next where it last called
 * arch_switch() (or at its start). Called with interrupts disabled and the
 * run-queue lock held; returns in @prev when it is scheduled again.
 */
void arch_switch(struct task *prev, struct task *next);

/* Trapframe accessors (inline in <arch_impl.h>):
 *   tf_syscall_nr(tf), tf_syscall_arg(tf, i) for i in 0..5,
 *   tf_set_return(tf, v), tf_get_return(tf), tf_user_mode(tf), tf_ip(tf), tf_set_ip(tf, ip),
 *   tf_sp(tf). */

/* ---- MMU ----------------------------------------------------------------- */

/*
 * Page tables are named by the physical address of their root. Leaf PTEs use
 * the arch format through the inline helpers in <arch_impl.h>:
 *   pte_present, pte_write, pte_user, pte_cow, pte_phys, pte_dirty, pte_young,
 *   pte_mk(phys, prot) with prot from PROT_* style flags below,
 *   pte_wrprotect_cow(pte), pte_mkwrite(pte), pte_wrprotect(pte),
 *   pte_young(pte), pte_mkold(pte), pte_test_and_clear_young(ptep) (the
 *   accessed bit), and the swap entries
 *   of non-present PTEs: pte_none, pte_is_swap, pte_mk_swap(entry),
 *   pte_swap_entry(pte).
 * PTE_SW_COW is a software bit marking a COW-shared page.
 */
#define MMU_READ	0x1u
#define MMU_WRITE	0x2u
#define MMU_EXEC	0x4u
#define MMU_USER	0x8u

/* arch_pt_create - a new root with the kernel half shared and the user half
 * empty. Returns its physical address, or 0 on out-of-memory. Sleeps: no. */
u64 arch_pt_create(void);

/* arch_pt_kernel_root - physical address of the kernel-only root. */
u64 arch_pt_kernel_root(void);

/*
 * arch_pt_walk - find the leaf PTE for user address @va under @root.
 * With @alloc, missing intermediate tables are allocated (zeroed).
 * Returns a pointer into the table, or NULL (absent and !alloc, or OOM).
 * Caller holds the address space's lock.
 */
pte_t *arch_pt_walk(u64 root, u64 va, bool alloc);

/*
 * arch_pt_walk_pde - the entry of the level just above the leaf tables (on
 * x86-64 the page-directory entry; one covers PT_REGION_SIZE bytes) for user
 * address @va, allocating the upper levels when @alloc. NULL when absent and
 * !alloc, or on out-of-memory. The entry names a leaf table through the
 * pde_* helpers of <arch_impl.h>. Caller holds the address space's lock.
 */
pte_t *arch_pt_walk_pde(u64 root, u64 va, bool alloc);

/*
 * arch_pt_next_populated - the first page address above @va (at least the
 * next page) whose leaf table exists under @root, stepping over whole absent
 * upper-level entries; used to skip unpopulated ranges quickly. Returns @end
 * (at most the top of the user half) when there is none below @end. Caller
 * holds the address space's lock. Sleeps: no.
 */
u64 arch_pt_next_populated(u64 root, u64 va, u64 end);

/*
 * arch_pt_free_user - free every page-table page of the user half of @root
 * (not the pages they map: the caller has released those) and, when
 * @free_root, the root itself.
 */
void arch_pt_free_user(u64 root, bool free_root);

/*
 * arch_pt_count_user - the page-table pages below @root in the user half
 * (every level but the root; a leaf table shared with other roots counts
 * here too), for VmPTE and the OOM killer's badness. Caller holds the
 * address space's lock. Sleeps: no.
 */
u64 arch_pt_count_user(u64 root);

/* arch_pt_activate - load @root into the MMU of this CPU. */
void arch_pt_activate(u64 root);

/* arch_clear_page - zero the page (PAGE_SIZE bytes, page-aligned) at kernel
 * virtual address @va as fast as the CPU allows; no register of the running
 * task changes (x86-64: SSE stores, xmm0 saved and restored). Any context.
 * Sleeps: no. */
void arch_clear_page(void *va);

/* arch_tlb_flush_page - drop this CPU's TLB entry for @va. */
void arch_tlb_flush_page(u64 va);
/* arch_tlb_flush_all - drop this CPU's non-global TLB entries. */
void arch_tlb_flush_all(void);

/* ---- User memory access -------------------------------------------------- */

/*
 * arch_copy_user - copy @n bytes between kernel and user memory (either
 * direction; the core has checked the user range lies below USER_TOP).
 * A fault that mm_handle_fault() cannot resolve stops the copy.
 * Returns the number of bytes NOT copied (0 on success). Sleeps: may fault.
 */
size_t arch_copy_user(void *dst, const void *src, size_t n);

/*
 * arch_strncpy_from_user - copy a NUL-terminated string of at most @n bytes
 * (including the NUL) from user @src. Returns its length without the NUL,
 * @n if no NUL was found within @n bytes, or -EFAULT.
 */
long arch_strncpy_from_user(char *dst, const char *src, size_t n);

/* arch_clear_user - zero @n bytes of user memory; returns bytes not zeroed. */
size_t arch_clear_user(void *dst, size_t n);

/* arch_cmpxchg_user_u32 - atomically replace the aligned user word @uaddr
 * by @new if it holds @old; *@cur gets the value found. 0 or -EFAULT. */
int arch_cmpxchg_user_u32(u32 *uaddr, u32 old, u32 new, u32 *cur);

/* ---- Signal frames ------------------------------------------------------- */

/* What the core hands the arch to enter a signal handler. */
struct signal_frame {
	u64 handler;		/* user address of the handler */
	u64 restorer;		/* sa_restorer: the handler's return address */
	u64 sp;			/* top of the alternate stack, or 0: below the user's sp */
	u64 saved_mask;		/* signal mask to restore at rt_sigreturn (uc_sigmask) */
	u64 fault_addr;		/* cr2 for fault signals, else 0 */
	struct linux_stack uc_stack;	/* sigaltstack state saved in uc_stack */
	struct linux_siginfo info;	/* si_signo is the signal number */
};

/*
 * arch_signal_push_frame - build the Linux rt_sigframe (return address,
 * ucontext with every register of @tf and a pointer to the saved FPU/SSE
 * state, siginfo) on the user stack of the current task and point @tf at the
 * handler: handler(signo, &info, &uc) with the FPU reset. Returns 0, or
 * -EFAULT when the frame cannot be written (the caller then forces SIGSEGV).
 * Interrupts enabled; may sleep (user-memory faults). Source: the x86-64
 * Linux signal ABI (struct rt_sigframe, struct sigcontext).
 */
int arch_signal_push_frame(struct trapframe *tf, const struct signal_frame *sf);

/* arch_signal_frame_max - the most bytes of user stack arch_signal_push_frame()
 * uses for one frame, alignment included: AT_MINSIGSTKSZ for the aux vector. */
u64 arch_signal_frame_max(void);

/*
 * What execve(2) tells a new program about the CPU in its aux vector
 * (getauxval(3)): arch_elf_hwcap - AT_HWCAP, the CPU's feature word (x86:
 * CPUID leaf 1 EDX, as Linux's ELF_HWCAP); arch_elf_hwcap2 - AT_HWCAP2 (x86:
 * bit 1 when user mode may use FSGSBASE, which Sprout leaves off); and
 * arch_elf_platform - AT_PLATFORM's string ("x86_64"). Sleeps: no.
 */
u64 arch_elf_hwcap(void);
u64 arch_elf_hwcap2(void);
const char *arch_elf_platform(void);

/*
 * arch_signal_restore - rt_sigreturn(2): restore every register of @tf and
 * the FPU/SSE state from the frame at the user's stack pointer; the saved
 * signal mask goes to *@mask and the saved uc_stack to *@uc_stack.
 * Returns 0, or -EFAULT for an unreadable frame (@tf then untouched).
 * Interrupts enabled; may sleep.
 */
int arch_signal_restore(struct trapframe *tf, u64 *mask, struct linux_stack *uc_stack);

/* arch_syscall_restart - make @tf re-execute its system call instruction
 * with number @nr on return to user mode (arguments are still in place). */
void arch_syscall_restart(struct trapframe *tf, long nr);

/* ---- Core entry points (implemented by the core, called by the arch) ------ */

/* Handle one system call: read number and arguments from @tf, store the
 * result. Called with interrupts enabled, in the calling task. */
void syscall_dispatch(struct trapframe *tf);

/* Fault flags for mm_handle_fault(). */
#define FAULT_WRITE	0x1u	/* the access was a write */
#define FAULT_USER	0x2u	/* the access came from user mode */
#define FAULT_EXEC	0x4u	/* instruction fetch */
#define FAULT_PRESENT	0x8u	/* the page was present (protection fault) */

/*
 * mm_handle_fault - resolve a page fault at @addr in the current task's
 * address space (demand-zero, file fill, copy-on-write). Returns 0 when the
 * access can be retried, -EFAULT when it is a real error (SIGSEGV), -EIO
 * for a page of a file mapping past the end of the file (SIGBUS with
 * BUS_ADRERR). Out of memory, the task's process is killed (SIGKILL,
 * mm/oom.c): a user-mode fault then gets 0 so the kill is taken on return,
 * a kernel access -ENOMEM. Interrupts enabled; may sleep (takes the mm lock).
 */
int mm_handle_fault(u64 addr, unsigned flags);

/*
 * trap_user_fault - a user-mode exception the core must turn into a signal
 * (@signo with si_code @code and si_addr @addr): SIGSEGV for bad faults,
 * SIGFPE, SIGILL, SIGBUS, SIGTRAP. Called with interrupts enabled.
 */
void trap_user_fault(struct trapframe *tf, int signo, int code, u64 addr);

/* sched_timer_tick - called from the timer interrupt on every CPU,
 * interrupts disabled; @user: the tick interrupted user mode. */
void sched_timer_tick(bool user);

/* console_rx - a byte arrived on the console port (interrupt context). */
void console_rx(char c);

/*
 * console_rx_room - may the console driver hand over another byte now? When not, the core
 * has called arch_console_rx_stop() and will call arch_console_rx_resume() once a reader
 * made room; the byte stays in the device meanwhile, so piped input is never lost.
 * Interrupt context. Sleeps: no.
 */
bool console_rx_room(void);

/* arch_console_rx_stop/resume - turn the console's receive interrupt off / back on (on:
 * bytes already waiting raise it at once). Called by the core under its tty lock. */
void arch_console_rx_stop(void);
void arch_console_rx_resume(void);

/*
 * user_work_pending - with interrupts disabled, just before returning to user
 * mode: is there work (reschedule, pending kill) for the current task?
 * If so the arch enables interrupts, calls user_return_work(tf) and checks
 * again.
 */
bool user_work_pending(void);
void user_return_work(struct trapframe *tf);

/* sched_tail - first thing a new task runs after its first arch_switch():
 * releases the run-queue lock taken by the switching CPU. */
void sched_tail(void);

/*
 * kernel_ap_main - the core's entry on an application processor, after
 * arch_cpu_init(@c), on @idle_stack (KSTACK_SIZE bytes, lowest address),
 * interrupts disabled. Sets up the CPU's run queue and idle task, starts its
 * tick, marks it online and becomes its idle loop. Never returns.
 */
__noreturn void kernel_ap_main(struct cpu *c, void *idle_stack);

/* task_exit_kernel - end a kernel thread whose function returned. */
__noreturn void task_exit_kernel(void);

#endif
