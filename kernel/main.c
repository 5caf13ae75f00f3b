/*
 * Kernel start-up: the order in which subsystems come alive, and the birth
 * of init (pid 1).
 */
#include "kernel.h"
#include "swap.h"
#include "arch.h"
#include "cpu.h"
#include "page.h"
#include "kmalloc.h"
#include "task.h"
#include "fs.h"
#include "net.h"
#include "mm.h"
#include "mutex.h"
#include "trace.h"
#include "uapi/errno.h"
#include "pci.h"
#include "lib/cmdline.h"



#define INIT_PATH_MAX	256

/*
 * Exec the first init program that exists, as Linux's kernel_init() chooses it: "init=" from
 * the command line if given (and nothing else: a named init that fails is fatal); else the
 * initramfs's own "/init" (or "rdinit="), then /sbin/init, /etc/init, /bin/init, /bin/sh.
 * Runs as pid 1 (current). Panics when nothing can run.
 */
static void exec_init(const char *cmdline)
{
	static const char *const envp[] = { "HOME=/", "TERM=linux", NULL };
	static const char *const fallback[] = { "/sbin/init", "/etc/init", "/bin/init", "/bin/sh" };
	static char init[INIT_PATH_MAX], rdinit[INIT_PATH_MAX];
	const char *argv[2] = { NULL, NULL };
	int err;

	if (cmdline_value(cmdline, "init", init, sizeof(init))) {
		argv[0] = init;
		err = do_execve_kernel(init, argv, envp);
		if (err)
			panic("start_init: requested init %s failed: error %d", init, err);
		printk("init: running %s (init=)\n", init);
		return;
	}
	if (!cmdline_value(cmdline, "rdinit", rdinit, sizeof(rdinit)))
		strlcpy(rdinit, "/init", sizeof(rdinit));
	argv[0] = rdinit;
	err = do_execve_kernel(rdinit, argv, envp);
	if (!err) {
		printk("init: running %s\n", rdinit);
		return;
	}
	if (err != -ENOENT)
		printk("init: cannot run %s: error %d\n", rdinit, err);
	for (size_t i = 0; i < ARRAY_SIZE(fallback); i++) {
		argv[0] = fallback[i];
		err = do_execve_kernel(fallback[i], argv, envp);
		if (!err) {
			printk("init: running %s\n", fallback[i]);
			return;
		}
		if (err != -ENOENT)
			printk("init: cannot run %s: error %d\n", fallback[i], err);
	}
	panic("start_init: no init found (tried init=, %s, /sbin/init, /etc/init, /bin/init, "
	      "/bin/sh)", rdinit);
}

/*
 * Create pid 1 and load its program into it (see exec_init()). exec runs here, on the boot
 * CPU, on behalf of the new task (made current for the duration): init's first
 * instruction is then reached through the ordinary return-to-user path.
 * Returns the task, runnable unless @hold (then the caller starts it).
 */
static struct task *start_init(const char *cmdline, bool hold)
{
	struct process *p = process_alloc();
	struct task *t = task_alloc();
	struct process *kproc = kernel_process_get();

	if (!p || !t)
		panic("start_init: out of memory");
	pid_t pid = pid_alloc();

	if (pid != 1)
		panic("start_init: init got pid %d", pid);
	p->pid = 1;
	p->pgid = p->sid = 1;
	p->nr_threads = 1;
	p->state = PROC_ALIVE;
	p->sighand = sighand_alloc();
	t->tid = 1;
	t->proc = p;
	process_get_task_ref(p);
	list_add_tail(&t->thread_link, &p->threads);
	t->files = files_new();
	t->fs = fs_context_new();
	if (!p->sighand || !t->files || !t->fs || files_open_console(t->files))
		panic("start_init: out of memory");

	spin_lock(&tasklist_lock);
	p->parent = kproc;
	list_add_tail(&p->sibling, &kproc->children);
	process_hash_add(p);
	init_process = p;
	spin_unlock(&tasklist_lock);

	struct cpu *c = this_cpu();
	struct task *boot = c->running;

	c->running = t;
	exec_init(cmdline);
	c->running = boot;
	mm_activate(NULL);
	arch_thread_init_user(t);
	if (!hold)
		sched_add_new(t);
	return t;
}

/* kernel_ap_main - see include/arch.h. */
void kernel_ap_main(struct cpu *c, void *idle_stack)
{
	sched_init_cpu(c->id);
	idle_task_init(c, idle_stack);
	arch_timer_init(HZ);
	/* The boot CPU counts us in ncpus once it sees this. */
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	printk("smp: cpu %d online\n", c->id);
	arch_irq_enable();
	sched_idle();
}

/* kernel_main - see include/arch.h. */
void kernel_main(struct boot_info *bi)
{
	struct cpu *c = this_cpu();

	printk("Sprout kernel starting; command line: \"%s\"\n", bi->cmdline);
	trace_enabled = cmdline_has(bi->cmdline, "trace");
	if (cmdline_has(bi->cmdline, "lockorder-selftest"))
		spin_order_selftest();
	arch_map_all_ram(bi);
	mm_page_init(bi);
	kmalloc_init();
	vmalloc_init();
	trace_init();
	sched_init_cpu(c->id);

	/* The boot stack becomes swapper/0's; give the idle task a stack of
	 * its own for the TSS in case it ever takes an interrupt from user. */
	struct page *idle_stack = page_alloc(KSTACK_ORDER, false);

	if (!idle_stack)
		panic("kernel_main: no idle stack");
	idle_task_init(c, page_address(idle_stack));
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	/* Mutexes need a current task: the idle task is this CPU's from here on. */
	if (cmdline_has(bi->cmdline, "lockorder-mutex-selftest"))
		mutex_order_selftest(false);
	if (cmdline_has(bi->cmdline, "lockorder-mutex-documented"))
		mutex_order_selftest(true);
	/* Devices before the other CPUs (drivers map their registers into the kernel half) and
	 * before the file system (which makes /dev/vda for the disks found). */
	drivers_init(bi->cmdline);
	/* The other CPUs idle until start_init() gives them something to do. */
	arch_smp_boot();
	pid_init();
	fs_init(bi);
	if (cmdline_has(bi->cmdline, "console_input=escaped"))
		tty_console_input_escaped();
	net_init();
	/* swap=/dev/vda: kswapd0 formats and enables it as it starts, and only
	 * then lets init run, so that every program finds the swap on. */
	{
		static char swap_dev[32];
		bool boot_swap = cmdline_value(bi->cmdline, "swap", swap_dev, sizeof(swap_dev));
		struct task *init = start_init(bi->cmdline, boot_swap);

		kthreadd_start();
		drivers_late_init();
		kswapd_start(boot_swap ? swap_dev : NULL, boot_swap ? init : NULL);
	}
	arch_timer_init(HZ);
	printk("sprout: boot complete, %lu pages free\n", page_free_count());
	arch_irq_enable();
	sched_idle();
}
