/* Dirty-page logs (hv/core/dirty.h): the soft CPU's writes mark their pages and
 * its reads do not, a fetch returns and clears, ranges end exactly at
 * their edges, nothing is marked without a log, devices' DMA marks, a
 * write through a soft-TLB pointer cached before a fetch is still
 * reported, and an engine's own log joins through its hooks. Real-mode
 * code runs at 0000:7C00 with SS:SP = 0000:7000 (bytes from nasm, bits
 * 16; keep each comment in step with its bytes). */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "hv/core/machine.h"
#include "hv/x86/cpu_state.h"
#include "legacy/fw_cfg.h"

#include "unit.h"

#define CODE	 0x7c00
#define LOG_SIZE (64u * MEM_PAGE_SIZE) /* pages 0-63 */

static struct machine m;
static struct x86_cpu *cpu;
static uint64_t bits[MEM_DIRTY_MAX_LOGS][1];

static void setup(void)
{
	char err[256];

	ck_assert_int_eq(machine_init(&m, 8u << 20, err, sizeof err), 0);
	cpu = x86_cpu_create(&m);
	ck_assert_ptr_nonnull(cpu);
}

static void teardown(void)
{
	x86_cpu_destroy(cpu);
	machine_destroy(&m);
}

/* Runs code from 0000:7C00 until HLT. */
static void run(const uint8_t *code, size_t len)
{
	memcpy(m.mem.ram + CODE, code, len);
	x86_cpu_set_ip(cpu, 0, CODE);
	cpu->regs[X86_ESP] = 0x7000;
	ck_assert_int_eq(x86_cpu_run(cpu, 1000), VCPU_EXIT_HALT);
}

/* Starts a log over pages 0-63 and takes its first fetch (everything). */
static int start_clean(void)
{
	int id = mem_dirty_start(&m.mem, 0, LOG_SIZE);

	ck_assert_int_ge(id, 0);
	ck_assert_int_eq(mem_dirty_fetch(&m.mem, id, bits[id]), 64);
	ck_assert_uint_eq(bits[id][0], UINT64_MAX);
	return id;
}

static uint64_t fetch(int id)
{
	ck_assert_int_ge(mem_dirty_fetch(&m.mem, id, bits[id]), 0);
	return bits[id][0];
}

static uint64_t page(unsigned n)
{
	return 1ull << n;
}

/* mov byte [2000h], 1 / mov al, [3000h] / mov [4FFFh], ax (pages 4 and
 * 5) / hlt */
static const uint8_t writes_and_reads[] = {
    0xc6, 0x06, 0x00, 0x20, 0x01, 0xa0, 0x00, 0x30, 0xa3, 0xff, 0x4f, 0xf4,
};

START_TEST(test_start_reportsEveryPageOnceThenNothing)
{
	int id = start_clean();

	ck_assert_uint_eq(fetch(id), 0);
	ck_assert_int_eq(mem_dirty_fetch(&m.mem, id, bits[id]), 0);
}
END_TEST

START_TEST(test_cpuWritesMarkTheirPages_readsAndFetchesDoNot)
{
	int id = start_clean();

	run(writes_and_reads, sizeof writes_and_reads);
	/* Page 7 holds the code (fetched, not written), 3 was only read. */
	ck_assert_uint_eq(fetch(id), page(2) | page(4) | page(5));
	ck_assert_uint_eq(fetch(id), 0);
}
END_TEST

/* The second run writes through the same linear page: the TLB entry from
 * the first run must not carry the write past the fetch unmarked. */
START_TEST(test_pageWrittenAgainAfterAFetchIsReportedAgain)
{
	static const uint8_t code[] = {0xc6, 0x06, 0x00,
				       0x20, 0x01, 0xf4}; /* mov byte [2000h], 1 */
	int id = start_clean();

	run(code, sizeof code);
	ck_assert_uint_eq(fetch(id), page(2));
	run(code, sizeof code);
	ck_assert_uint_eq(fetch(id), page(2));
	ck_assert_uint_eq(fetch(id), 0);
}
END_TEST

/* A CPU running across a fetch writes through a pointer it cached
 * before: the page counts as written until the CPU has flushed, and once
 * more for what it wrote before the flush. x86_write goes through the
 * TLB without a sync, as the middle of a run does. */
START_TEST(test_writeThroughAPointerCachedBeforeTheFetchIsNotLost)
{
	int id = start_clean();

	mem_dirty_cpu_enter(&m.mem.dirty);
	x86_tlb_sync(cpu);
	x86_write(cpu, X86_DS, 0x2000, 1, 1);
	ck_assert_uint_eq(fetch(id), page(2));
	x86_write(cpu, X86_DS, 0x2000, 1, 2); /* cached pointer: unmarked */
	ck_assert_uint_eq(fetch(id), page(2));
	ck_assert_uint_eq(fetch(id), page(2)); /* not flushed yet */
	x86_tlb_sync(cpu);
	ck_assert_uint_eq(fetch(id), page(2)); /* written before the flush */
	ck_assert_uint_eq(fetch(id), 0);
	mem_dirty_cpu_leave(&m.mem.dirty);
}
END_TEST

/* A log of pages 16-18: writes that end just before it, start just after
 * it, or straddle its edges. */
START_TEST(test_rangeEdges)
{
	static const uint8_t zeros[32 * MEM_PAGE_SIZE];
	int id = mem_dirty_start(&m.mem, 16 * MEM_PAGE_SIZE, 3 * MEM_PAGE_SIZE);
	uint8_t two[2] = {1, 2};

	ck_assert_int_ge(id, 0);
	ck_assert_int_eq(mem_dirty_fetch(&m.mem, id, bits[id]), 3);
	ck_assert_uint_eq(bits[id][0], 7);
	mem_write(&m.mem, 16 * MEM_PAGE_SIZE - 1, two, 1);
	mem_write(&m.mem, 19 * MEM_PAGE_SIZE, two, 2);
	ck_assert_uint_eq(fetch(id), 0);
	mem_write(&m.mem, 16 * MEM_PAGE_SIZE - 1, two, 2);
	ck_assert_uint_eq(fetch(id), 1);
	mem_write(&m.mem, 19 * MEM_PAGE_SIZE - 1, two, 2);
	ck_assert_uint_eq(fetch(id), 4);
	mem_write(&m.mem, 0, zeros, sizeof zeros);
	ck_assert_uint_eq(fetch(id), 7);
}
END_TEST

START_TEST(test_badRangesAndTooManyLogsAreRefused)
{
	errno = 0;
	ck_assert_int_eq(mem_dirty_start(&m.mem, 0, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(mem_dirty_start(&m.mem, 100, MEM_PAGE_SIZE), -1);
	ck_assert_int_eq(mem_dirty_start(&m.mem, 0, 100), -1);
	ck_assert_int_eq(mem_dirty_start(&m.mem, UINT64_MAX & ~0xfffull, 2 * MEM_PAGE_SIZE), -1);
	for (int i = 0; i < MEM_DIRTY_MAX_LOGS; i++)
		ck_assert_int_eq(mem_dirty_start(&m.mem, 0, MEM_PAGE_SIZE), i);
	ck_assert_int_eq(mem_dirty_start(&m.mem, 0, MEM_PAGE_SIZE), -1);
	ck_assert_int_eq(errno, ENOSPC);
	mem_dirty_stop(&m.mem, 1);
	ck_assert_int_eq(mem_dirty_start(&m.mem, 0, MEM_PAGE_SIZE), 1);
	ck_assert_int_eq(mem_dirty_fetch(&m.mem, MEM_DIRTY_MAX_LOGS, bits[0]), -1);
	ck_assert_int_eq(mem_dirty_fetch(&m.mem, -1, bits[0]), -1);
}
END_TEST

/* Two logs over the same page both see a write; a stopped one sees
 * nothing, and with no log left nothing is marked anywhere. */
START_TEST(test_stoppedLogsMarkNothing)
{
	int a = start_clean(), b = start_clean();

	run(writes_and_reads, sizeof writes_and_reads);
	ck_assert_uint_eq(fetch(a), page(2) | page(4) | page(5));
	ck_assert_uint_eq(fetch(b), page(2) | page(4) | page(5));
	mem_dirty_stop(&m.mem, b);
	ck_assert_int_eq(mem_dirty_fetch(&m.mem, b, bits[b]), -1);
	run(writes_and_reads, sizeof writes_and_reads);
	ck_assert_uint_eq(fetch(a), page(2) | page(4) | page(5));
	mem_dirty_stop(&m.mem, a);
	ck_assert_uint_eq(atomic_load(&m.mem.dirty.active), 0);
	run(writes_and_reads, sizeof writes_and_reads);
	mem_write(&m.mem, 0x6000, "x", 1);
	ck_assert_uint_eq(atomic_load(&m.mem.dirty.logs[a].bits[0]), 0);
	ck_assert_uint_eq(atomic_load(&m.mem.dirty.logs[b].bits[0]), 0);
}
END_TEST

/* fw_cfg's DMA writes the data and the descriptor's status as a device
 * would: both pages are marked; a writable page pointer handed to a
 * device marks its page too. */
START_TEST(test_deviceDmaMarksPages)
{
	struct fw_cfg *c = fw_cfg_create(&m.mem);
	uint8_t d[16] = {0};
	int id;

	ck_assert_ptr_nonnull(c);
	d[0] = FW_CFG_SIGNATURE >> 8; /* control, big-endian: select, read */
	d[1] = FW_CFG_SIGNATURE & 0xff;
	d[3] = FW_CFG_DMA_SELECT | FW_CFG_DMA_READ;
	d[7] = 4;     /* length */
	d[14] = 0x30; /* address 3000h */
	mem_write(&m.mem, 0x1000, d, sizeof d);
	id = start_clean();
	fw_cfg_dma_io_ops.write(c, 0, 4, 0);
	fw_cfg_dma_io_ops.write(c, 4, 4, __builtin_bswap32(0x1000));
	ck_assert_uint_eq(m.mem.ram[0x3000], 'Q');
	ck_assert_uint_eq(fetch(id), page(1) | page(3));
	ck_assert_ptr_nonnull(mem_page_ptr(&m.mem, 0x9123, false));
	ck_assert_uint_eq(fetch(id), 0);
	ck_assert_ptr_nonnull(mem_page_ptr(&m.mem, 0x9123, true));
	ck_assert_uint_eq(fetch(id), page(9));
	fw_cfg_destroy(c);
}
END_TEST

/* An engine with its own log (as KVM's): told when logging starts and
 * stops, asked to add its pages at every fetch. */
struct fake_engine {
	unsigned updates, collects;
	uint64_t written; /* a gpa the engine saw written, 0 for none */
};

static void fake_update(void *opaque)
{
	((struct fake_engine *)opaque)->updates++;
}

static void fake_collect(void *opaque)
{
	struct fake_engine *e = opaque;

	e->collects++;
	if (e->written)
		mem_mark_written(&m.mem, e->written, 1);
	e->written = 0;
}

static const struct mem_dirty_engine fake_ops = {fake_update, fake_collect};

START_TEST(test_engineLogJoinsAtEveryFetch)
{
	struct fake_engine e = {0};
	int id;

	mem_dirty_set_engine(&m.mem, &fake_ops, &e);
	id = start_clean();
	ck_assert_uint_eq(e.updates, 1);
	e.written = 0xa123;
	ck_assert_uint_eq(fetch(id), page(10));
	ck_assert_uint_eq(fetch(id), 0);
	ck_assert_uint_eq(e.collects, 3);
	mem_dirty_stop(&m.mem, id);
	ck_assert_uint_eq(e.updates, 2);
	ck_assert(!mem_dirty_covers(&m.mem, 0, LOG_SIZE));
	mem_dirty_set_engine(&m.mem, NULL, NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dirty");
	TCase *t = tcase_create("log");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_start_reportsEveryPageOnceThenNothing);
	tcase_add_test(t, test_cpuWritesMarkTheirPages_readsAndFetchesDoNot);
	tcase_add_test(t, test_pageWrittenAgainAfterAFetchIsReportedAgain);
	tcase_add_test(t, test_writeThroughAPointerCachedBeforeTheFetchIsNotLost);
	tcase_add_test(t, test_rangeEdges);
	tcase_add_test(t, test_badRangesAndTooManyLogsAreRefused);
	tcase_add_test(t, test_stoppedLogsMarkNothing);
	tcase_add_test(t, test_deviceDmaMarksPages);
	tcase_add_test(t, test_engineLogJoinsAtEveryFetch);
	suite_add_tcase(s, t);
	return unit_run(s);
}
