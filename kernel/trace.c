/*
 * The trace buffers behind include/trace.h: one array of fixed-size records
 * per CPU, filled from the start and never overwritten, and the dump that
 * writes them to the trace port at power-off.
 *
 * Dump format (little-endian), read by tools/trace2json.py:
 *   header  "SPRTRACE", u32 version (1), u32 ncpus, u32 record size (64),
 *           u32 reserved
 *   per CPU u32 cpu, u32 count, u64 dropped, then count records
 *   trailer "SPRTEND\0"
 *
 * Locks: a CPU appends to its own buffer with interrupts disabled, so no
 * lock is needed; the count is published with release ordering after the
 * record is complete, and trace_dump() reads it with acquire ordering.
 */
#include "kernel.h"
#include "trace.h"
#include "cpu.h"
#include "page.h"
#include "arch.h"

bool trace_enabled;

#define TRACE_BUF_ORDER		8	/* 2^8 pages = 1 MiB per CPU */
#define TRACE_BUF_EVENTS	((PAGE_SIZE << TRACE_BUF_ORDER) / sizeof(struct trace_event))
#define TRACE_VERSION		1

_Static_assert(sizeof(struct trace_event) == 64, "trace record is 64 bytes");

struct trace_buf {
	struct trace_event *ev;	/* [I] NULL: no memory, every event is dropped */
	u32 count;		/* [c] records written (release-published) */
	u64 dropped;		/* [c] records refused because the buffer was full */
};

static struct trace_buf bufs[MAX_CPUS];
static bool recording;		/* [a] cleared for good by trace_dump() */

/* trace_init - see include/trace.h. */
void trace_init(void)
{
	if (!trace_enabled)
		return;
	for (int i = 0; i < MAX_CPUS; i++) {
		struct page *pg = page_alloc(TRACE_BUF_ORDER, false);

		bufs[i].ev = pg ? page_address(pg) : NULL;
	}
	__atomic_store_n(&recording, true, __ATOMIC_RELEASE);
	printk("trace: %lu events per CPU\n", (unsigned long)TRACE_BUF_EVENTS);
}

/* trace_record - see include/trace.h. */
void trace_record(int type, u32 pid, u32 tid, u64 a, u64 b, u64 c, const char *name)
{
	unsigned long flags = arch_irq_save();

	if (!__atomic_load_n(&recording, __ATOMIC_ACQUIRE))
		goto out;
	struct cpu *cpu = this_cpu();
	struct trace_buf *tb = &bufs[cpu->id];

	if (!tb->ev || tb->count >= TRACE_BUF_EVENTS) {
		tb->dropped++;
		goto out;
	}
	struct trace_event *e = &tb->ev[tb->count];

	e->ts_ns = arch_clock_ns();
	e->type = (u16)type;
	e->cpu = (u16)cpu->id;
	e->pid = pid;
	e->tid = tid;
	e->a32 = 0;
	e->a = a;
	e->b = b;
	e->c = c;
	memset(e->name, 0, sizeof(e->name));
	if (name)
		strlcpy(e->name, name, sizeof(e->name));
	__atomic_store_n(&tb->count, tb->count + 1, __ATOMIC_RELEASE);
out:
	arch_irq_restore(flags);
}

static void put_u32(u32 v)
{
	arch_trace_write(&v, sizeof(v));
}

/* trace_dump - see include/trace.h. */
void trace_dump(void)
{
	if (!trace_enabled || !__atomic_exchange_n(&recording, false, __ATOMIC_ACQ_REL))
		return;
	int n = __atomic_load_n(&ncpus, __ATOMIC_ACQUIRE);
	u64 total = 0, dropped = 0;

	arch_trace_write("SPRTRACE", 8);
	put_u32(TRACE_VERSION);
	put_u32((u32)n);
	put_u32(sizeof(struct trace_event));
	put_u32(0);
	for (int i = 0; i < n; i++) {
		struct trace_buf *tb = &bufs[i];
		u32 count = __atomic_load_n(&tb->count, __ATOMIC_ACQUIRE);
		u64 drop = __atomic_load_n(&tb->dropped, __ATOMIC_RELAXED);

		put_u32((u32)i);
		put_u32(count);
		arch_trace_write(&drop, sizeof(drop));
		if (count)
			arch_trace_write(tb->ev, (size_t)count * sizeof(struct trace_event));
		total += count;
		dropped += drop;
	}
	arch_trace_write("SPRTEND", 8);
	printk("trace: %lu events written, %lu dropped\n", (unsigned long)total,
	       (unsigned long)dropped);
}
