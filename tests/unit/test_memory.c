/* memory: RAM in a memfd, ROM and MMIO overlays with priority, the slow
 * paths across region boundaries and the page-pointer rules. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hv/core/log.h"
#include "hv/core/memory.h"

#include "unit.h"

#define MIB	 (1024ull * 1024)
#define FOUR_GIB 0x100000000ull

/* An MMIO device whose bytes read as (0x40 + offset) and which records
 * every access. */
struct fake {
	unsigned reads, writes;
	uint64_t offsets[64];
	unsigned sizes[64];
	uint64_t last_value;
};

static void note(struct fake *f, uint64_t offset, unsigned size)
{
	unsigned n = f->reads + f->writes - 1;

	if (n < 64) {
		f->offsets[n] = offset;
		f->sizes[n] = size;
	}
}

static uint64_t fake_read(void *opaque, uint64_t offset, unsigned size)
{
	struct fake *f = opaque;
	uint64_t v = 0;

	f->reads++;
	note(f, offset, size);
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)((0x40 + offset + i) & 0xff) << (8 * i);
	return v;
}

static void fake_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct fake *f = opaque;

	f->writes++;
	note(f, offset, size);
	f->last_value = value;
}

static const struct io_ops fake_ops = {fake_read, fake_write};

static struct guest_mem m;
static struct fake dev;
static uint8_t rom[0x4000];

static void setup(void)
{
	char err[128];

	ck_assert_int_eq(mem_init(&m, 1 * MIB, err, sizeof err), 0);
	memset(&dev, 0, sizeof dev);
	for (unsigned i = 0; i < sizeof rom; i++)
		rom[i] = 0x80 ^ i;
}

static void teardown(void)
{
	mem_destroy(&m);
}

START_TEST(test_init_rejectsZeroAndPartialPages)
{
	struct guest_mem g;
	char err[128] = "";

	ck_assert_int_eq(mem_init(&g, 0, err, sizeof err), -1);
	ck_assert_str_ne(err, "");
	err[0] = '\0';
	ck_assert_int_eq(mem_init(&g, MIB + 100, err, sizeof err), -1);
	ck_assert_str_ne(err, "");
}
END_TEST

/* RAM starts at a 2 MiB boundary, so that a guest's 2 MiB pages are the
 * host's (hv/core/ram_pages.h), and knows the host's policy. */
START_TEST(test_init_alignsRamForHugePages)
{
	struct ram_pages_policy p = ram_pages_policy_read(RAM_PAGES_SHMEM_KNOB);

	ck_assert_uint_eq((uintptr_t)m.ram % RAM_PAGES_HUGE, 0);
	ck_assert_str_eq(m.ram_pages.mode, p.mode);
	ck_assert_uint_eq(m.ram_pages.page_size, p.page_size);
}
END_TEST

START_TEST(test_ram_readsBackWhatWasWritten)
{
	uint8_t out[5];
	const struct mem_region *r = mem_find(&m, 0x1234);

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->kind, MEM_RAM);
	mem_write(&m, 0xffe, "hello", 5); /* across a page boundary */
	mem_read(&m, 0xffe, out, 5);
	ck_assert_int_eq(memcmp(out, "hello", 5), 0);
	ck_assert_int_eq(memcmp(m.ram + 0xffe, "hello", 5), 0);
}
END_TEST

START_TEST(test_sized_isLittleEndian)
{
	mem_write_sized(&m, 0x100, 4, 0x11223344);
	ck_assert_uint_eq(m.ram[0x100], 0x44);
	ck_assert_uint_eq(m.ram[0x103], 0x11);
	ck_assert_uint_eq(mem_read_sized(&m, 0x101, 2), 0x2233);
	mem_write_sized(&m, 0x200, 8, 0x0102030405060708ull);
	ck_assert_uint_eq(mem_read_sized(&m, 0x200, 8), 0x0102030405060708ull);
	ck_assert_uint_eq(mem_read_sized(&m, 0x200, 3), UINT64_MAX); /* bad size */
}
END_TEST

START_TEST(test_unmapped_readsFFAndDropsWrites)
{
	uint8_t out[4];

	ck_assert_ptr_null(mem_find(&m, 2 * MIB));
	mem_read(&m, 2 * MIB, out, sizeof out);
	ck_assert_uint_eq(out[0] & out[1] & out[2] & out[3], 0xff);
	mem_write_sized(&m, 2 * MIB, 4, 0);
	ck_assert_uint_eq(mem_read_sized(&m, 2 * MIB, 4), 0xffffffffu);
	/* Across the end of RAM: the RAM byte, then the hole. */
	m.ram[MIB - 1] = 0x5a;
	ck_assert_uint_eq(mem_read_sized(&m, MIB - 1, 2), 0xff5a);
	ck_assert_uint_eq(mem_read_sized(&m, UINT64_MAX, 1), 0xff);
}
END_TEST

START_TEST(test_romOverRam_winsAndUnmapRevealsRam)
{
	uint32_t gen = m.generation;

	m.ram[0xf0000] = 0x11;
	ck_assert_int_eq(mem_map_rom(&m, 0xf0000, 0x4000, rom, "bios"), 0);
	ck_assert_uint_gt(m.generation, gen);
	ck_assert_int_eq(mem_find(&m, 0xf0000)->kind, MEM_ROM);
	ck_assert_uint_eq(mem_read_sized(&m, 0xf0000, 1), 0x80);
	ck_assert_uint_eq(mem_read_sized(&m, 0xf0001, 1), 0x81);
	gen = m.generation;
	ck_assert_int_eq(mem_unmap(&m, 0xf0000), 0);
	ck_assert_uint_gt(m.generation, gen);
	ck_assert_int_eq(mem_find(&m, 0xf0000)->kind, MEM_RAM);
	ck_assert_uint_eq(mem_read_sized(&m, 0xf0000, 1), 0x11);
}
END_TEST

START_TEST(test_romWrites_areIgnored)
{
	ck_assert_int_eq(mem_map_rom(&m, 0xf0000, 0x4000, rom, "bios"), 0);
	mem_write_sized(&m, 0xf0000, 4, 0xdeadbeef);
	mem_write(&m, 0xf0010, "xyz", 3);
	ck_assert_uint_eq(rom[0], 0x80);
	ck_assert_uint_eq(rom[0x10], 0x90);
	ck_assert_uint_eq(m.ram[0xf0000], 0); /* nor do they reach RAM below */
}
END_TEST

START_TEST(test_laterOverlay_winsOverEarlierOne)
{
	static uint8_t other[0x1000];

	memset(other, 0x33, sizeof other);
	ck_assert_int_eq(mem_map_rom(&m, 0xe0000, 0x4000, rom, "first"), 0);
	ck_assert_int_eq(mem_map_rom(&m, 0xe1000, 0x1000, other, "second"), 0);
	ck_assert_str_eq(mem_find(&m, 0xe1000)->name, "second");
	ck_assert_uint_eq(mem_read_sized(&m, 0xe0fff, 2), 0x3300 | (0x80 ^ 0xff));
	ck_assert_int_eq(mem_unmap(&m, 0xe1000), 0);
	ck_assert_uint_eq(mem_read_sized(&m, 0xe1000, 1), 0x80);
}
END_TEST

START_TEST(test_mmio_isDispatchedWithOffsets)
{
	ck_assert_int_eq(mem_map_mmio(&m, 0xa0000, 0x2000, &fake_ops, &dev, "vga"), 0);
	ck_assert_uint_eq(mem_read_sized(&m, 0xa0010, 4), 0x53525150);
	ck_assert_uint_eq(dev.offsets[0], 0x10);
	ck_assert_uint_eq(dev.sizes[0], 4);
	mem_write_sized(&m, 0xa1ff8, 8, 0x0123456789abcdefull);
	ck_assert_uint_eq(dev.offsets[1], 0x1ff8);
	ck_assert_uint_eq(dev.sizes[1], 8);
	ck_assert_uint_eq(dev.last_value, 0x0123456789abcdefull);
}
END_TEST

START_TEST(test_mmioSlowPath_splitsIntoAlignedPiecesOfAtMostFour)
{
	uint8_t out[7];

	ck_assert_int_eq(mem_map_mmio(&m, 0xa0000, 0x1000, &fake_ops, &dev, "dev"), 0);
	mem_read(&m, 0xa0001, out, sizeof out);
	ck_assert_uint_eq(dev.reads, 3);
	ck_assert_uint_eq(dev.sizes[0], 1);
	ck_assert_uint_eq(dev.sizes[1], 2);
	ck_assert_uint_eq(dev.sizes[2], 4);
	ck_assert_uint_eq(dev.offsets[2], 4);
	for (unsigned i = 0; i < sizeof out; i++)
		ck_assert_uint_eq(out[i], 0x41 + i);
	mem_write(&m, 0xa0000, "12345678", 8);
	ck_assert_uint_eq(dev.writes, 2);
	ck_assert_uint_eq(dev.last_value, 0x38373635);
}
END_TEST

START_TEST(test_read_crossesRamThenMmioThenRom)
{
	uint8_t out[0x1020];

	ck_assert_int_eq(mem_map_mmio(&m, 0xc0000, 0x1000, &fake_ops, &dev, "dev"), 0);
	ck_assert_int_eq(mem_map_rom(&m, 0xc1000, 0x2000, rom, "optrom"), 0);
	memset(m.ram + 0xbfff0, 0x77, 0x10);
	mem_read(&m, 0xbfff0, out, sizeof out);
	ck_assert_uint_eq(out[0xf], 0x77);
	ck_assert_uint_eq(out[0x10], 0x40);
	ck_assert_uint_eq(out[0x10 + 0xfff], (0x40 + 0xfff) & 0xff);
	ck_assert_uint_eq(out[0x1010], 0x80);
	ck_assert_uint_eq(out[0x101f], 0x80 ^ 0xf);
	ck_assert_uint_eq(dev.reads, 0x400);
}
END_TEST

START_TEST(test_pagePtr_followsRamRomMmioRules)
{
	uint8_t *p;

	ck_assert_int_eq(mem_map_rom(&m, 0xf0000, 0x4000, rom, "bios"), 0);
	ck_assert_int_eq(mem_map_mmio(&m, 0xa0000, 0x1000, &fake_ops, &dev, "vga"), 0);
	p = mem_page_ptr(&m, 0x1234, true);
	ck_assert_ptr_eq(p, m.ram + 0x1234);
	ck_assert_ptr_eq(mem_page_ptr(&m, 0x1234, false), p);
	ck_assert_ptr_eq(mem_page_ptr(&m, 0xf1004, false), rom + 0x1004);
	ck_assert_ptr_null(mem_page_ptr(&m, 0xf1004, true));
	ck_assert_ptr_null(mem_page_ptr(&m, 0xa0000, false));
	ck_assert_ptr_null(mem_page_ptr(&m, 2 * MIB, false));
	ck_assert_ptr_eq(mem_page_ptr(&m, 0xeffff, true), m.ram + 0xeffff);
	ck_assert_ptr_eq(mem_page_ptr(&m, 0xf4000, true), m.ram + 0xf4000);
	ck_assert_ptr_null(mem_page_ptr(&m, MIB, false));
}
END_TEST

START_TEST(test_pagePtr_isNullForPageSplitBetweenRegions)
{
	struct guest_mem g = m;

	/* Overlays are page-aligned, so build a split page by hand, as the
	 * map would look if that rule were ever relaxed. */
	g.regions[g.count++] = (struct mem_region){
	    .base = 0x5800, .size = 0x800, .kind = MEM_ROM, .host = rom, .name = "half"};
	ck_assert_ptr_null(mem_page_ptr(&g, 0x5000, false));
	ck_assert_ptr_null(mem_page_ptr(&g, 0x5900, false));
	ck_assert_ptr_nonnull(mem_page_ptr(&g, 0x6000, false));
}
END_TEST

START_TEST(test_map_rejectsBadSizesAndPlaces)
{
	uint32_t gen = m.generation;

	errno = 0;
	ck_assert_int_eq(mem_map_rom(&m, 0xf0000, 0, rom, "zero"), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(mem_map_rom(&m, 0xf0000, 0x1800, rom, "partial"), -1);
	ck_assert_int_eq(mem_map_rom(&m, 0xf0800, 0x1000, rom, "unaligned"), -1);
	ck_assert_int_eq(mem_map_mmio(&m, 0xfffff000, 0x2000, &fake_ops, &dev, "over4g"), -1);
	ck_assert_int_eq(mem_map_mmio(&m, 0xfffffffffffff000ull, 0x2000, &fake_ops, &dev, "wrap"),
			 -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(m.generation, gen);
	ck_assert_int_eq(mem_map_rom(&m, 0xffff0000, 0x10000, rom, "reset"), 0);
}
END_TEST

START_TEST(test_map_failsWhenRegionsRunOut)
{
	unsigned made = 0;

	while (mem_map_mmio(&m, 0xd0000000ull + made * 0x1000ull, 0x1000, &fake_ops, &dev, "d") ==
	       0)
		made++;
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_uint_eq(m.count, MEM_MAX_REGIONS);
	ck_assert_uint_eq(made, MEM_MAX_REGIONS - 1); /* one slot holds low RAM */
}
END_TEST

START_TEST(test_unmap_refusesRamAndUnknownBases)
{
	errno = 0;
	ck_assert_int_eq(mem_unmap(&m, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(mem_unmap(&m, 0x12345000), -1);
}
END_TEST

START_TEST(test_highRam_startsAtFourGib)
{
	struct guest_mem g;
	char err[128];
	uint8_t out[4];

	ck_assert_int_eq(mem_init(&g, MEM_LOW_RAM_LIMIT + 2 * MEM_PAGE_SIZE, err, sizeof err), 0);
	ck_assert_uint_eq(g.count, 2);
	ck_assert_uint_eq(mem_find(&g, MEM_LOW_RAM_LIMIT - 1)->kind, MEM_RAM);
	ck_assert_ptr_null(mem_find(&g, MEM_LOW_RAM_LIMIT));
	ck_assert_ptr_null(mem_find(&g, FOUR_GIB - 1));
	mem_write(&g, FOUR_GIB, "high", 4);
	ck_assert_int_eq(memcmp(g.ram + MEM_LOW_RAM_LIMIT, "high", 4), 0);
	ck_assert_ptr_eq(mem_page_ptr(&g, FOUR_GIB + 0x1000, true),
			 g.ram + MEM_LOW_RAM_LIMIT + 0x1000);
	ck_assert_ptr_null(mem_find(&g, FOUR_GIB + 2 * MEM_PAGE_SIZE));
	mem_read(&g, MEM_LOW_RAM_LIMIT, out, 4);
	ck_assert_uint_eq(out[0], 0xff);
	mem_destroy(&g);
}
END_TEST

START_TEST(test_ramFd_isReallyShared)
{
	uint8_t *view = mmap(NULL, m.ram_size, PROT_READ | PROT_WRITE, MAP_SHARED, m.ram_fd, 0);

	ck_assert_ptr_ne(view, MAP_FAILED);
	mem_write(&m, 0x7000, "guest", 5);
	ck_assert_int_eq(memcmp(view + 0x7000, "guest", 5), 0);
	memcpy(view + 0x8000, "viewer", 6);
	ck_assert_uint_eq(mem_read_sized(&m, 0x8000, 1), 'v');
	munmap(view, m.ram_size);
}
END_TEST

/* Code-page tracking: a write to a page marked as holding code changes
 * its word (unmarked, a new generation); other pages' words stay. */
START_TEST(test_codeTracking_writeToMarkedPageChangesOnlyItsWord)
{
	atomic_uint *w3, *w4;
	uint32_t seen3, seen4;
	bool fresh;
	uint8_t b = 0x90;

	ck_assert_int_eq(mem_code_enable(&m), 0);
	w3 = mem_code_word(&m, 0x3000);
	w4 = mem_code_word(&m, 0x4000);
	seen3 = mem_code_mark(w3, &fresh);
	ck_assert(fresh);
	seen4 = mem_code_mark(w4, &fresh);
	ck_assert(mem_code_marked(&m, 0x3fff));
	mem_write(&m, 0x3ffe, &b, 1);
	ck_assert_uint_ne(atomic_load(w3), seen3);
	ck_assert(!mem_code_marked(&m, 0x3000));
	ck_assert_uint_eq(atomic_load(w4), seen4);
	/* Marked again: a word the old one never equals. */
	ck_assert_uint_ne(mem_code_mark(w3, &fresh), seen3);
	ck_assert(fresh);
}
END_TEST

/* The paths that hand out or use write access invalidate too: a writable
 * page pointer (a soft TLB fill) and a write spanning two pages. */
START_TEST(test_codeTracking_pagePtrForWriteAndSpanningWritesInvalidate)
{
	static const uint8_t two[2] = {1, 2};
	bool fresh;
	uint32_t seen5, seen6, seen7;

	ck_assert_int_eq(mem_code_enable(&m), 0);
	seen5 = mem_code_mark(mem_code_word(&m, 0x5000), &fresh);
	seen6 = mem_code_mark(mem_code_word(&m, 0x6000), &fresh);
	seen7 = mem_code_mark(mem_code_word(&m, 0x7000), &fresh);
	ck_assert_ptr_nonnull(mem_page_ptr(&m, 0x5000, false));
	ck_assert_uint_eq(atomic_load(mem_code_word(&m, 0x5000)), seen5);
	ck_assert_ptr_nonnull(mem_page_ptr(&m, 0x5000, true));
	ck_assert_uint_ne(atomic_load(mem_code_word(&m, 0x5000)), seen5);
	mem_write(&m, 0x6fff, two, sizeof two);
	ck_assert_uint_ne(atomic_load(mem_code_word(&m, 0x6000)), seen6);
	ck_assert_uint_ne(atomic_load(mem_code_word(&m, 0x7000)), seen7);
	ck_assert_ptr_null(mem_code_word(&m, 1 * MIB));
}
END_TEST

static Suite *memory_suite(void)
{
	Suite *s = suite_create("memory");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_init_rejectsZeroAndPartialPages);
	tcase_add_test(tc, test_init_alignsRamForHugePages);
	tcase_add_test(tc, test_ram_readsBackWhatWasWritten);
	tcase_add_test(tc, test_sized_isLittleEndian);
	tcase_add_test(tc, test_unmapped_readsFFAndDropsWrites);
	tcase_add_test(tc, test_romOverRam_winsAndUnmapRevealsRam);
	tcase_add_test(tc, test_romWrites_areIgnored);
	tcase_add_test(tc, test_laterOverlay_winsOverEarlierOne);
	tcase_add_test(tc, test_mmio_isDispatchedWithOffsets);
	tcase_add_test(tc, test_mmioSlowPath_splitsIntoAlignedPiecesOfAtMostFour);
	tcase_add_test(tc, test_read_crossesRamThenMmioThenRom);
	tcase_add_test(tc, test_pagePtr_followsRamRomMmioRules);
	tcase_add_test(tc, test_pagePtr_isNullForPageSplitBetweenRegions);
	tcase_add_test(tc, test_map_rejectsBadSizesAndPlaces);
	tcase_add_test(tc, test_map_failsWhenRegionsRunOut);
	tcase_add_test(tc, test_unmap_refusesRamAndUnknownBases);
	tcase_add_test(tc, test_highRam_startsAtFourGib);
	tcase_add_test(tc, test_ramFd_isReallyShared);
	tcase_add_test(tc, test_codeTracking_writeToMarkedPageChangesOnlyItsWord);
	tcase_add_test(tc, test_codeTracking_pagePtrForWriteAndSpanningWritesInvalidate);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(memory_suite());
}
