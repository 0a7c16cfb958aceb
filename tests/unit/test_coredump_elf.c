/* hv/core/coredump.c: the ELF32 core's headers, notes and sparse RAM,
 * read back field by field. */
#include <check.h>
#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/core/coredump.h"
#include "unit.h"

#define LOW (64u << 10)

static uint8_t low[LOW], high[8192];

static int new_file(void)
{
	char path[] = "/tmp/hv-coredump-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	return fd;
}

static void state(struct vcpu_state *st)
{
	memset(st, 0, sizeof *st);
	for (unsigned i = 0; i < 8; i++)
		st->regs[i] = 0x1000u * (i + 1) + i; /* EAX 1000h, ECX 2001h, ... */
	st->rip = 0xc0101234;
	st->rflags = 0x202;
	st->seg[VCPU_CS].selector = 0x10;
	st->seg[VCPU_SS].selector = 0x18;
	st->seg[VCPU_DS].selector = 0x1b;
	st->cr3 = 0x123000;
}

static uint32_t u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The descriptor of note (name, type) in the PT_NOTE at [off, off+len). */
static const uint8_t *find_note(const uint8_t *f, size_t off, size_t len, const char *name,
				uint32_t type, uint32_t *size)
{
	size_t end = off + len;

	while (off + 12 <= end) {
		uint32_t namesz = u32(f + off), descsz = u32(f + off + 4);
		const uint8_t *desc = f + off + 12 + ((namesz + 3) & ~3u);

		if (u32(f + off + 8) == type && strcmp((const char *)f + off + 12, name) == 0) {
			*size = descsz;
			return desc;
		}
		off += 12 + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u);
	}
	return NULL;
}

START_TEST(test_core_has_headers_registers_and_sparse_ram)
{
	struct coredump_ram ram[2] = {{0, LOW, low, -1, 0}, {1ull << 32, sizeof high, high, -1, 0}};
	struct coredump_hv_cpu cpu;
	struct vcpu_state st;
	uint64_t skipped = 0;
	char err[128];
	Elf32_Ehdr eh;
	Elf32_Phdr ph[2];
	const uint8_t *pr;
	uint8_t *f;
	uint32_t size;
	struct stat sb;
	int fd = new_file();

	memset(low + 0x3000, 0xa5, 4096);
	memcpy(low + 0x3000, "bytes", 5);
	memset(high, 0x5a, sizeof high);
	state(&st);
	ck_assert_int_eq(coredump_write(fd, ram, 2, &st, &skipped, err, sizeof err), 0);
	ck_assert_uint_eq(skipped, sizeof high); /* above 4 GiB: not in ELF32 */
	ck_assert_int_eq(fstat(fd, &sb), 0);
	f = malloc((size_t)sb.st_size);
	ck_assert_int_eq(pread(fd, f, (size_t)sb.st_size, 0), sb.st_size);
	memcpy(&eh, f, sizeof eh);
	ck_assert_mem_eq(eh.e_ident, ELFMAG, SELFMAG);
	ck_assert_int_eq(eh.e_ident[EI_CLASS], ELFCLASS32);
	ck_assert_int_eq(eh.e_type, ET_CORE);
	ck_assert_int_eq(eh.e_machine, EM_386);
	ck_assert_int_eq(eh.e_phnum, 2);
	memcpy(ph, f + eh.e_phoff, sizeof ph);
	ck_assert_int_eq(ph[0].p_type, PT_NOTE);
	ck_assert_int_eq(ph[1].p_type, PT_LOAD);
	ck_assert_uint_eq(ph[1].p_paddr, 0);
	ck_assert_uint_eq(ph[1].p_filesz, LOW);
	ck_assert_uint_eq(ph[1].p_offset % 4096, 0);
	ck_assert_int_eq(sb.st_size, ph[1].p_offset + LOW);
	ck_assert_mem_eq(f + ph[1].p_offset, low, LOW); /* holes read back as zeros */
	pr = find_note(f, ph[0].p_offset, ph[0].p_filesz, "CORE", NT_PRSTATUS, &size);
	ck_assert_ptr_nonnull(pr);
	ck_assert_uint_eq(size, 144);
	ck_assert_uint_eq(u32(pr + 72 + 0 * 4), 0x4003);      /* EBX */
	ck_assert_uint_eq(u32(pr + 72 + 1 * 4), 0x2001);      /* ECX */
	ck_assert_uint_eq(u32(pr + 72 + 3 * 4), 0x7006);      /* ESI */
	ck_assert_uint_eq(u32(pr + 72 + 6 * 4), 0x1000);      /* EAX */
	ck_assert_uint_eq(u32(pr + 72 + 7 * 4), 0x1b);	      /* DS */
	ck_assert_uint_eq(u32(pr + 72 + 11 * 4), 0xffffffff); /* ORIG_EAX */
	ck_assert_uint_eq(u32(pr + 72 + 12 * 4), 0xc0101234); /* EIP */
	ck_assert_uint_eq(u32(pr + 72 + 13 * 4), 0x10);	      /* CS */
	ck_assert_uint_eq(u32(pr + 72 + 14 * 4), 0x202);      /* EFLAGS */
	ck_assert_uint_eq(u32(pr + 72 + 15 * 4), 0x5004);     /* ESP */
	ck_assert_uint_eq(u32(pr + 72 + 16 * 4), 0x18);	      /* SS */
	pr = find_note(f, ph[0].p_offset, ph[0].p_filesz, "HV", COREDUMP_NT_HV_CPU, &size);
	ck_assert_ptr_nonnull(pr);
	ck_assert_uint_eq(size, sizeof cpu);
	memcpy(&cpu, pr, sizeof cpu);
	ck_assert_uint_eq(cpu.cr3, 0x123000);
	free(f);
	close(fd);
}
END_TEST

/* RAM in a memfd, as the domain has it: the pages never touched are
 * skipped by SEEK_DATA, not read (which would allocate them). */
START_TEST(test_memfd_holes_are_skipped_without_allocating)
{
	int mfd = memfd_create("ram", 0), fd = new_file();
	struct coredump_ram ram = {0, 16u << 20, NULL, mfd, 0};
	struct vcpu_state st;
	struct stat sb;
	char err[128], got[8];
	uint8_t *p;
	Elf32_Ehdr eh;
	Elf32_Phdr ph[2];

	ck_assert_int_ge(mfd, 0);
	ck_assert_int_eq(ftruncate(mfd, 16 << 20), 0);
	p = mmap(NULL, 16u << 20, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	memcpy(p + 0x3000, "first", 6);
	memcpy(p + (9u << 20) + 0x10, "second", 7);
	p[(10u << 20) + 5] = 0; /* touched, still zero: no data written */
	ram.host = p;
	state(&st);
	ck_assert_int_eq(coredump_write(fd, &ram, 1, &st, NULL, err, sizeof err), 0);
	ck_assert_int_eq(fstat(mfd, &sb), 0);
	ck_assert_int_le(sb.st_blocks * 512, 3 * 4096); /* the scan allocated nothing */
	ck_assert_int_eq(pread(fd, &eh, sizeof eh, 0), sizeof eh);
	ck_assert_int_eq(pread(fd, ph, sizeof ph, eh.e_phoff), sizeof ph);
	ck_assert_int_eq(pread(fd, got, 6, ph[1].p_offset + 0x3000), 6);
	ck_assert_str_eq(got, "first");
	ck_assert_int_eq(pread(fd, got, 7, ph[1].p_offset + (9u << 20) + 0x10), 7);
	ck_assert_str_eq(got, "second");
	ck_assert_int_eq(fstat(fd, &sb), 0);
	ck_assert_int_eq(sb.st_size, ph[1].p_offset + (16 << 20));
	ck_assert_int_le(sb.st_blocks * 512, 64 * 1024); /* two pages and headers */
	munmap(p, 16u << 20);
	close(mfd);
	close(fd);
}
END_TEST

START_TEST(test_a_range_of_part_pages_is_refused)
{
	struct coredump_ram ram = {0, 100, low, -1, 0};
	struct vcpu_state st;
	char err[128];
	int fd = new_file();

	state(&st);
	ck_assert_int_eq(coredump_write(fd, &ram, 1, &st, NULL, err, sizeof err), -1);
	ck_assert_str_eq(err, "RAM range at 0 is not whole pages");
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("coredump");
	TCase *tc = tcase_create("coredump");

	tcase_add_test(tc, test_core_has_headers_registers_and_sparse_ram);
	tcase_add_test(tc, test_memfd_holes_are_skipped_without_allocating);
	tcase_add_test(tc, test_a_range_of_part_pages_is_refused);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
