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
#include "mm.h"
#include "mutex.h"
#include "trace.h"
#include "pci.h"

bool trace_enabled;

static bool cmdline_has(const char *cmdline, const char *word)
{
	size_t n = strlen(word);

	for (const char *s = cmdline; *s;) {
		while (*s == ' ')
			s++;
		const char *e = s;

		while (*e && *e != ' ')
			e++;
		if ((size_t)(e - s) == n && !strncmp(s, word, n))
			return true;
		s = e;
	}
	return false;
}

/* The value of option @key ("swap=") on @cmdline into @buf (@size bytes),
 * or false when the option is absent. */
static bool cmdline_value(const char *cmdline, const char *key, char *buf, size_t size)
{
	size_t n = strlen(key);

	for (const char *s = cmdline; *s;) {
		while (*s == ' ')
			s++;
		const char *e = s;

		while (*e && *e != ' ')
			e++;
		if ((size_t)(e - s) > n && !strncmp(s, key, n)) {
			size_t len = MIN((size_t)(e - s) - n, size - 1);

			memcpy(buf, s + n, len);
			buf[len] = '\0';
			return true;
		}
		s = e;
	}
	return false;
}

/*
 * Create pid 1 and load /sbin/init into it. exec runs here, on the boot CPU,
 * on behalf of the new task (made current for the duration): init's first
 * instruction is then reached through the ordinary return-to-user path.
 * Returns the task, runnable unless @hold (then the caller starts it).
 */
static struct task *start_init(bool hold)
{
	static const char *const argv[] = { "/sbin/init", NULL };
	static const char *const envp[] = { "HOME=/", "TERM=linux", NULL };
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
	int err = do_execve_kernel("/sbin/init", argv, envp);

	c->running = boot;
	mm_activate(NULL);
	if (err)
		panic("start_init: cannot run /sbin/init: error %d", err);
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
	/* swap=/dev/vda: kswapd0 formats and enables it as it starts, and only
	 * then lets init run, so that every program finds the swap on. */
	{
		static char swap_dev[32];
		bool boot_swap = cmdline_value(bi->cmdline, "swap=", swap_dev, sizeof(swap_dev));
		struct task *init = start_init(boot_swap);

		kthreadd_start();
		drivers_late_init();
		kswapd_start(boot_swap ? swap_dev : NULL, boot_swap ? init : NULL);
	}
	arch_timer_init(HZ);
	printk("sprout: boot complete, %lu pages free\n", page_free_count());
	arch_irq_enable();
	sched_idle();
}
