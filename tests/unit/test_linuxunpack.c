/* linuxboot_unpack on synthetic bzImages whose payload is an xz stream
 * (made here with liblzma's encoder) of a small i386 ELF file: the
 * segments land at their physical addresses with their bss zeroed, the
 * vCPU enters at the ELF entry, and payloads hv must not or cannot take
 * (another compression, a 64-bit kernel, a segment outside init_size, a
 * corrupt stream, an absurd size) are left to the guest or refused. */
#include "hv/boot/linuxboot.h"

#include <check.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/le.h"
#include "bzimage_fixture.h"
#include "unit.h"

#define MIB	    0x100000u
#define PAYLOAD_OFF 0x100u    /* in the protected-mode part */
#define BASE	    (2 * MIB) /* pref_address */
#define INIT_SIZE   0x10000u
#define ELF_SIZE    0x400u
#define RELOCS	    16u /* what follows the ELF file in a kernel's payload */

static struct guest_mem m;
static struct linux_image img;
static uint8_t elf[ELF_SIZE + RELOCS];
static char err[512];

static void put_phdr(unsigned i, uint32_t type, uint32_t off, uint32_t paddr, uint32_t filesz,
		     uint32_t memsz)
{
	uint8_t *ph = elf + 0x34 + 0x20 * i;

	le_put32(ph, type);
	le_put32(ph + 4, off);
	le_put32(ph + 8, paddr + 0xc0000000u); /* p_vaddr, unused */
	le_put32(ph + 12, paddr);
	le_put32(ph + 16, filesz);
	le_put32(ph + 20, memsz);
}

/* Text at BASE (0x200 bytes), a note, data and bss at BASE + 0x1000. */
static void make_elf(void)
{
	memset(elf, 0, sizeof elf);
	memcpy(elf,
	       "\x7f"
	       "ELF\x01\x01\x01",
	       7);
	le_put16(elf + 0x10, 2); /* ET_EXEC */
	le_put16(elf + 0x12, 3); /* EM_386 */
	le_put32(elf + 0x18, BASE + 0x10);
	le_put32(elf + 0x1c, 0x34);
	le_put16(elf + 0x2a, 0x20);
	le_put16(elf + 0x2c, 3);
	put_phdr(0, 1, 0x100, BASE, 0x200, 0x200);
	put_phdr(1, 4, 0x300, BASE + 0x200, 0x10, 0x10); /* PT_NOTE: not loaded */
	put_phdr(2, 1, 0x300, BASE + 0x1000, 0x100, 0x800);
	for (unsigned i = 0x100; i < ELF_SIZE + RELOCS; i++)
		elf[i] = (uint8_t)(i * 5 + 1);
}

/* A bzImage of protocol 2.15 whose payload is xz of len bytes of e. */
static void make_kernel(const uint8_t *e, size_t len)
{
	size_t cap = len + 1024, xz_len = 0, pm;
	uint8_t *xz = malloc(cap), *k;

	ck_assert_ptr_nonnull(xz);
	ck_assert_int_eq(
	    lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, e, len, xz, &xz_len, cap), LZMA_OK);
	pm = PAYLOAD_OFF + xz_len + 4;
	k = calloc(1, BZIMAGE_SETUP_SIZE + pm);
	ck_assert_ptr_nonnull(k);
	bzimage_header(k, BASE, INIT_SIZE, 0x37ffffff);
	le_put32(k + 0x248, PAYLOAD_OFF);
	le_put32(k + 0x24c, (uint32_t)(xz_len + 4));
	memcpy(k + BZIMAGE_SETUP_SIZE + PAYLOAD_OFF, xz, xz_len);
	le_put32(k + BZIMAGE_SETUP_SIZE + PAYLOAD_OFF + xz_len, (uint32_t)len);
	free(xz);
	linuxboot_free(&img);
	img = (struct linux_image){.kernel = k, .kernel_size = BZIMAGE_SETUP_SIZE + pm};
	ck_assert_int_eq(linuxboot_check(&img, err, sizeof err), 0);
}

static void setup(void)
{
	ck_assert_int_eq(mem_init(&m, 32 * MIB, err, sizeof err), 0);
	make_elf();
	err[0] = '\0';
}

static void teardown(void)
{
	linuxboot_free(&img);
	mem_destroy(&m);
}

/* Unpacks, expecting r and (for 0 and -1) a reason containing text. */
static void unpack_gives(int r, const char *text)
{
	ck_assert_int_eq(linuxboot_unpack(&img, err, sizeof err), r);
	if (r <= 0) {
		ck_assert_msg(strstr(err, text), "'%s' lacks '%s'", err, text);
		ck_assert_ptr_null(img.image);
	}
}

START_TEST(segments_land_at_their_addresses_and_the_entry_is_the_elfs)
{
	struct linux_entry e;

	make_kernel(elf, sizeof elf);
	memset(m.ram + BASE + 0x1000, 0xee, 0x1000); /* a reboot's leftovers */
	unpack_gives(1, "");
	ck_assert_uint_eq(img.image_base, BASE);
	ck_assert_uint_eq(img.image_size, 0x1800);
	ck_assert_int_eq(linuxboot_setup(&m, &img, "", 0, NULL, &e, err, sizeof err), 0);
	ck_assert_uint_eq(e.eip, BASE + 0x10);
	ck_assert_uint_eq(e.esi, LINUXBOOT_ZERO_PAGE);
	ck_assert_mem_eq(m.ram + BASE, elf + 0x100, 0x200);
	ck_assert_mem_eq(m.ram + BASE + 0x1000, elf + 0x300, 0x100);
	for (unsigned i = 0x100; i < 0x800; i++) /* bss */
		ck_assert_uint_eq(m.ram[BASE + 0x1000 + i], 0);
	for (unsigned i = 0x200; i < 0x1000; i++) /* the gap, the note not loaded */
		ck_assert_uint_eq(m.ram[BASE + i], 0);
	ck_assert_uint_eq(m.ram[MIB], 0); /* nothing at code32_start */
}
END_TEST

START_TEST(kernels_hv_cannot_take_decompress_themselves)
{
	uint8_t gz[64] = {0x1f, 0x8b, 8};

	elf[4] = 2; /* ELFCLASS64 */
	make_kernel(elf, sizeof elf);
	unpack_gives(0, "64-bit");
	make_elf();
	le_put16(elf + 0x12, 62); /* EM_X86_64 in a 32-bit file */
	make_kernel(elf, sizeof elf);
	unpack_gives(0, "i386");
	make_kernel(gz, sizeof gz);
	unpack_gives(0, "not an ELF");
	make_kernel(elf, 8); /* shorter than an ELF header */
	unpack_gives(0, "not an ELF");
	memcpy(img.kernel + BZIMAGE_SETUP_SIZE + PAYLOAD_OFF, gz, sizeof gz); /* a gzip payload */
	unpack_gives(0, "not xz");
	img.version = 0x0209; /* as linuxboot_check reads it */
	unpack_gives(0, "before 2.10");
	img.version = 0x020f;
	le_put32(img.kernel + 0x248, 0xfffffff0u);
	unpack_gives(0, "outside the file");
}
END_TEST

START_TEST(hostile_elf_files_are_left_to_the_guest)
{
	static const struct {
		unsigned at;
		uint32_t v;
		const char *why;
	} bad[] = {
	    {0x34 + 12, BASE - 0x1000, "outside"},	/* below pref_address */
	    {0x34 + 0x40 + 20, INIT_SIZE, "outside"},	/* bss past init_size */
	    {0x34 + 0x40 + 16, 0x900, "outside"},	/* filesz > memsz */
	    {0x34 + 0x40 + 4, 0xfffffff0u, "outside"},	/* offset past the file */
	    {0x34 + 0x40 + 12, 0xfffff000u, "outside"}, /* paddr wraps */
	    {0x18, BASE + 0x1800, "entry"},		/* entry past the image */
	    {0x1c, 0xfffffff0u, "program headers"},	/* phoff */
	    {0x2c, 65, "program headers"},		/* phnum */
	};

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		make_elf();
		if (bad[i].at == 0x2c)
			le_put16(elf + bad[i].at, (uint16_t)bad[i].v);
		else
			le_put32(elf + bad[i].at, bad[i].v);
		make_kernel(elf, sizeof elf);
		unpack_gives(0, bad[i].why);
	}
	make_elf();
	le_put32(elf + 0x34, 6); /* no PT_LOAD left */
	le_put32(elf + 0x34 + 0x40, 6);
	make_kernel(elf, sizeof elf);
	unpack_gives(0, "nothing to load");
}
END_TEST

START_TEST(a_corrupt_or_oversized_payload_is_an_error)
{
	size_t end;

	make_kernel(elf, sizeof elf);
	end = img.kernel_size;
	img.kernel[BZIMAGE_SETUP_SIZE + PAYLOAD_OFF + 40] ^= 0x55;
	unpack_gives(-1, "does not decode");
	make_kernel(elf, sizeof elf);
	le_put32(img.kernel + end - 4, sizeof elf + 1); /* a size the stream does not make */
	unpack_gives(-1, "does not decode");
	le_put32(img.kernel + end - 4, LINUXBOOT_UNPACKED_MAX + 1);
	unpack_gives(-1, "claims");
	le_put32(img.kernel + end - 4, 0);
	unpack_gives(-1, "claims");
}
END_TEST

static Suite *linuxunpack_suite(void)
{
	Suite *s = suite_create("linuxunpack");
	TCase *tc = tcase_create("unpack");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, segments_land_at_their_addresses_and_the_entry_is_the_elfs);
	tcase_add_test(tc, kernels_hv_cannot_take_decompress_themselves);
	tcase_add_test(tc, hostile_elf_files_are_left_to_the_guest);
	tcase_add_test(tc, a_corrupt_or_oversized_payload_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(linuxunpack_suite());
}
