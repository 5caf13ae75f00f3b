/*
 * A QEMU TCG plugin that counts the guest instructions executed in each translated block
 * (TB) between two marks, for `make profile` (tools/profile.py, docs/profile.md).
 *
 * Every TB gets an inline counter that QEMU bumps by the TB's instruction count each time
 * the TB starts; nothing else runs per block, so the guest slows down little. The marks are
 * the user-mode instruction `xchg %bx, %bx` (66 87 db), which changes nothing and which
 * the benchmark programs execute around each figure's measured loop (bench/bench.h,
 * bench_mark()): the first mark opens a window, the next closes it, and so on. Only the
 * instructions executed inside the windows are reported.
 *
 * Output (the file named by the argument out=PATH, at exit): one line per TB start address
 * with instructions counted, "<hex vaddr> <instructions>", then "# total <instructions>
 * windows <n>". A TB is counted whole when it starts, so a fault in its middle overcounts
 * by the rest of it; TBs are short (they end at every branch), so the error is small.
 * Counters are not atomic: profile a one-CPU machine.
 *
 * QEMU's plugin header (qemu-plugin.h) is not packaged by Debian, so the few declarations of
 * the plugin API used here are written out below from QEMU's documentation of its stable
 * API, version 1 (QEMU 4.2 to 8.x); qemu_plugin_install checks that the QEMU loading us
 * speaks it.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the plugin API, version 1 (QEMU's include/qemu/qemu-plugin.h) ---- */
#define PLUGIN_API_VERSION	1
#define PLUGIN_EXPORT		__attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;

typedef struct {
	const char *target_name;
	struct {
		int min;
		int cur;
	} version;
	bool system_emulation;
	union {
		struct {
			int smp_vcpus;
			int max_vcpus;
		} system;
	};
} qemu_info_t;

struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS,
			    QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb,
				    void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_outs(const char *string);

PLUGIN_EXPORT int qemu_plugin_version = PLUGIN_API_VERSION;

/* ---- the profile ---- */

/* One translation of a TB. Kept for the whole run (QEMU may still run the code). */
struct tb_rec {
	uint64_t vaddr;
	uint64_t count;		/* instructions executed, bumped inline by QEMU */
	uint64_t at_open;	/* count when the current window opened */
	uint64_t in_windows;	/* instructions inside closed windows */
};

#define CHUNK	4096
struct chunk {
	struct tb_rec rec[CHUNK];
	size_t used;
	struct chunk *next;
};

static struct chunk *chunks;
static bool window_open;
static unsigned windows;
static char out_path[4096] = "insn-profile.out";
static const unsigned char MARK[] = { 0x66, 0x87, 0xdb };	/* xchg %bx, %bx */

static struct tb_rec *rec_new(uint64_t vaddr)
{
	if (!chunks || chunks->used == CHUNK) {
		struct chunk *c = calloc(1, sizeof(*c));

		if (!c)
			abort();
		c->next = chunks;
		chunks = c;
	}
	struct tb_rec *r = &chunks->rec[chunks->used++];

	r->vaddr = vaddr;
	return r;
}

/* A mark: open or close the window, moving every TB's count into its window total. */
static void on_mark(unsigned int vcpu, void *udata)
{
	for (struct chunk *c = chunks; c; c = c->next) {
		for (size_t i = 0; i < c->used; i++) {
			struct tb_rec *r = &c->rec[i];

			if (window_open)
				r->in_windows += r->count - r->at_open;
			else
				r->at_open = r->count;
		}
	}
	if (!window_open)
		windows++;
	window_open = !window_open;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);
	struct tb_rec *r = rec_new(qemu_plugin_tb_vaddr(tb));

	/* A TB made while a window is open starts counting inside it (at_open 0). */
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &r->count, n);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		/* Marks come from user mode only (the lower half of the address space). */
		if (qemu_plugin_insn_size(insn) == sizeof(MARK) &&
		    (int64_t)qemu_plugin_insn_vaddr(insn) >= 0 &&
		    !memcmp(qemu_plugin_insn_data(insn), MARK, sizeof(MARK)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark,
							       QEMU_PLUGIN_CB_NO_REGS, NULL);
	}
}

static void on_qemu_exit(qemu_plugin_id_t id, void *udata)
{
	FILE *f = fopen(out_path, "w");
	uint64_t total = 0;

	if (window_open)
		on_mark(0, NULL);	/* an unclosed window ends here */
	if (!f) {
		qemu_plugin_outs("insn-profile: cannot write the output file\n");
		return;
	}
	for (struct chunk *c = chunks; c; c = c->next) {
		for (size_t i = 0; i < c->used; i++) {
			if (!c->rec[i].in_windows)
				continue;
			fprintf(f, "%" PRIx64 " %" PRIu64 "\n", c->rec[i].vaddr,
				c->rec[i].in_windows);
			total += c->rec[i].in_windows;
		}
	}
	fprintf(f, "# total %" PRIu64 " windows %u\n", total, windows);
	fclose(f);
}

PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
				      int argc, char **argv)
{
	if (info->version.min > PLUGIN_API_VERSION || info->version.cur < PLUGIN_API_VERSION) {
		fprintf(stderr, "insn-profile: QEMU's plugin API is versions %d..%d, not %d\n",
			info->version.min, info->version.cur, PLUGIN_API_VERSION);
		return -1;
	}
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4)) {
			snprintf(out_path, sizeof(out_path), "%s", argv[i] + 4);
		} else {
			fprintf(stderr, "insn-profile: unknown argument %s\n", argv[i]);
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
	return 0;
}
