/* Decompressing a bzImage's kernel on the host (linuxboot_unpack, see
 * linuxboot.h): the payload of boot protocol 2.08 (payload_offset and
 * payload_length in the setup header, counted from the protected-mode
 * code) is an xz stream of the kernel's ELF file, its uncompressed size
 * in the last four bytes. liblzma decodes it (the x86 BCJ filter
 * included); the ELF's PT_LOAD segments then make the kernel's memory
 * image, as the kernel's own decompressor would leave it at
 * pref_address without relocating it (no KASLR). Every field is checked:
 * the file is the user's, and a bad one must fail the domain's creation
 * with a message, not write outside the image. */
#include "hv/boot/linuxboot.h"

#include <lzma.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/le.h"

#define BP_PAYLOAD_OFFSET 0x248
#define BP_PAYLOAD_LENGTH 0x24c
#define XZ_MAGIC                                                                                   \
	"\xfd"                                                                                     \
	"7zXZ"
#define XZ_MEMLIMIT (256u << 20) /* the kernel's streams use a 32 MiB dictionary */
#define ELF_MAGIC                                                                                  \
	"\x7f"                                                                                     \
	"ELF"
#define ELF_PHNUM_MAX 64
#define PT_LOAD	      1

/* The ELF header fields used (32-bit, little endian). */
#define E_ENTRY	    0x18
#define E_PHOFF	    0x1c
#define E_PHENTSIZE 0x2a
#define E_PHNUM	    0x2c
#define E_HDR_SIZE  0x34
#define PH_SIZE	    0x20

/* Sets the reason for the kernel to decompress itself; returns 0. */
static int why(char *buf, size_t len, const char *text)
{
	snprintf(buf, len, "%s", text);
	return 0;
}

static const uint8_t *no_payload(char *buf, size_t len, const char *text)
{
	why(buf, len, text);
	return NULL;
}

/* The xz payload (its length in *n), or NULL with the reason when the
 * kernel must decompress itself. */
static const uint8_t *find_payload(const struct linux_image *img, size_t *n, char *buf, size_t len)
{
	const uint8_t *k = img->kernel;
	size_t pm = img->kernel_size - img->setup_size, off;

	if (img->version < 0x020a)
		return no_payload(buf, len, "boot protocol before 2.10 (no payload or init_size)");
	off = le_get32(k + BP_PAYLOAD_OFFSET);
	*n = le_get32(k + BP_PAYLOAD_LENGTH);
	if (off > pm || *n > pm - off || *n < 16)
		return no_payload(buf, len, "its payload lies outside the file");
	if (memcmp(k + img->setup_size + off, XZ_MAGIC, 6) != 0)
		return no_payload(buf, len, "its payload is not xz");
	return k + img->setup_size + off;
}

/* Decodes the xz stream into a buffer of its stated size (at most
 * LINUXBOOT_UNPACKED_MAX). Returns it, or NULL with err set. */
static uint8_t *decode_xz(const uint8_t *p, size_t n, size_t *out_len, char *err, size_t errlen)
{
	size_t want = le_get32(p + n - 4), in_pos = 0, out_pos = 0;
	uint64_t memlimit = XZ_MEMLIMIT;
	uint8_t *out;
	lzma_ret r;

	if (want == 0 || want > LINUXBOOT_UNPACKED_MAX) {
		snprintf(err, errlen, "its payload claims %zu bytes uncompressed (at most %u)",
			 want, LINUXBOOT_UNPACKED_MAX);
		return NULL;
	}
	out = malloc(want);
	if (!out) {
		snprintf(err, errlen, "out of memory for the %zu bytes of the kernel", want);
		return NULL;
	}
	r = lzma_stream_buffer_decode(&memlimit, 0, NULL, p, &in_pos, n - 4, out, &out_pos, want);
	if (r != LZMA_OK || out_pos != want) {
		snprintf(err, errlen,
			 "its xz payload does not decode (liblzma error %d after %zu of %zu bytes)",
			 (int)r, out_pos, want);
		free(out);
		return NULL;
	}
	*out_len = want;
	return out;
}

/* The ELF header: true when it is a 32-bit x86 executable whose program
 * headers lie in the file; false with a reason otherwise. */
static bool check_elf(const uint8_t *e, size_t n, char *buf, size_t len)
{
	size_t phoff, phnum;

	if (n < E_HDR_SIZE || memcmp(e, ELF_MAGIC, 4) != 0)
		return why(buf, len, "its payload is not an ELF file");
	if (e[4] != 1)
		return why(buf, len, "a 64-bit kernel (it enters long mode itself)");
	if (e[5] != 1 || le_get16(e + 0x10) != 2 || le_get16(e + 0x12) != 3)
		return why(buf, len, "its payload is not a little-endian i386 executable");
	phoff = le_get32(e + E_PHOFF);
	phnum = le_get16(e + E_PHNUM);
	if (le_get16(e + E_PHENTSIZE) != PH_SIZE || phnum == 0 || phnum > ELF_PHNUM_MAX ||
	    phoff > n || phnum * PH_SIZE > n - phoff)
		return why(buf, len, "its ELF program headers are malformed");
	return true;
}

/* Copies the PT_LOAD segments into a zeroed image of [base, base +
 * room). Returns its size (the highest segment end), or 0 with a reason
 * when a segment lies outside the file or the room. */
static size_t place_segments(const uint8_t *e, size_t n, uint32_t base, size_t room, uint8_t *image,
			     char *buf, size_t len)
{
	size_t phoff = le_get32(e + E_PHOFF), phnum = le_get16(e + E_PHNUM), end = 0;

	for (size_t i = 0; i < phnum; i++) {
		const uint8_t *ph = e + phoff + i * PH_SIZE;
		size_t off = le_get32(ph + 4), paddr = le_get32(ph + 12);
		size_t filesz = le_get32(ph + 16), memsz = le_get32(ph + 20);

		if (le_get32(ph) != PT_LOAD)
			continue;
		if (off > n || filesz > n - off || filesz > memsz || paddr < base ||
		    paddr - base > room || memsz > room - (paddr - base)) {
			why(buf, len, "an ELF segment lies outside the file or init_size");
			return 0;
		}
		memcpy(image + (paddr - base), e + off, filesz);
		if (paddr - base + memsz > end)
			end = paddr - base + memsz;
	}
	if (!end)
		why(buf, len, "its ELF file has nothing to load");
	return end;
}

int linuxboot_load_elf(struct linux_image *img, const uint8_t *e, size_t n, char *buf, size_t len)
{
	const uint8_t *k = img->kernel;
	uint32_t base = le_get32(k + BP_PREF_ADDRESS), entry;
	size_t room = le_get32(k + BP_INIT_SIZE), size;

	if (!check_elf(e, n, buf, len))
		return 0;
	entry = le_get32(e + E_ENTRY);
	free(img->image);
	img->image = NULL;
	if (le_get32(k + BP_PREF_ADDRESS + 4) || room == 0 || room > LINUXBOOT_UNPACKED_MAX)
		return why(buf, len, "its pref_address or init_size is out of range");
	img->image = calloc(1, room);
	if (!img->image)
		return why(buf, len, "out of memory for its image");
	size = place_segments(e, n, base, room, img->image, buf, len);
	if (size && (entry < base || entry - base >= size)) {
		why(buf, len, "its ELF entry point is outside the image");
		size = 0;
	}
	if (!size) {
		free(img->image);
		img->image = NULL;
		return 0;
	}
	img->image_size = size;
	img->image_base = base;
	img->image_entry = entry;
	return 1;
}

int linuxboot_unpack(struct linux_image *img, char *err, size_t errlen)
{
	size_t n, elf_len;
	const uint8_t *p = find_payload(img, &n, err, errlen);
	uint8_t *elf;
	int r;

	if (!p)
		return 0;
	elf = decode_xz(p, n, &elf_len, err, errlen);
	if (!elf)
		return -1;
	r = linuxboot_load_elf(img, elf, elf_len, err, errlen);
	free(elf);
	return r;
}
