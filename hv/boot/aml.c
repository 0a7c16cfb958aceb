/* AML encoder; see aml.h. Encodings from the ACPI specification, 6.x:
 * 20.2 (AML grammar), 5.4 (definition block), 6.4 (resource data types). */
#include "hv/boot/aml.h"

#include <string.h>

#define PKG_MAX 0x0FFFFFFFu /* 28 bits */

void aml_init(struct aml *a, uint8_t *buf, size_t cap)
{
	*a = (struct aml){.p = buf, .cap = cap};
}

void aml_byte(struct aml *a, uint8_t b)
{
	if (a->len >= a->cap) {
		a->overflow = true;
		return;
	}
	a->p[a->len++] = b;
}

void aml_bytes(struct aml *a, const void *b, size_t n)
{
	if (n > a->cap - a->len) {
		a->overflow = true;
		return;
	}
	memcpy(a->p + a->len, b, n);
	a->len += n;
}

static void put_le(struct aml *a, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		aml_byte(a, (uint8_t)(v >> (8 * i)));
}

void aml_int(struct aml *a, uint64_t v)
{
	if (v == 0) {
		aml_byte(a, AML_ZERO);
	} else if (v == 1) {
		aml_byte(a, AML_ONE);
	} else if (v == UINT64_MAX) {
		aml_byte(a, AML_ONES);
	} else if (v <= 0xff) {
		aml_byte(a, AML_BYTE_PREFIX);
		put_le(a, v, 1);
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD_PREFIX);
		put_le(a, v, 2);
	} else if (v <= 0xffffffff) {
		aml_byte(a, AML_DWORD_PREFIX);
		put_le(a, v, 4);
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		put_le(a, v, 8);
	}
}

static bool seg_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

/* One NameSeg from s (up to '.' or the end); returns its length or 0. */
static size_t name_seg(struct aml *a, const char *s)
{
	size_t n = 0;
	char seg[4] = {'_', '_', '_', '_'};

	while (s[n] && s[n] != '.') {
		if (n == 4 || !seg_char(s[n], n == 0)) {
			a->overflow = true;
			return 0;
		}
		seg[n] = s[n];
		n++;
	}
	if (n == 0) {
		a->overflow = true;
		return 0;
	}
	aml_bytes(a, seg, 4);
	return n;
}

void aml_name_string(struct aml *a, const char *path)
{
	size_t segs = 1;

	if (*path == '\\') {
		aml_byte(a, AML_ROOT_CHAR);
		path++;
	}
	while (*path == '^') {
		aml_byte(a, AML_PARENT_PREFIX);
		path++;
	}
	for (const char *s = path; *s; s++)
		segs += *s == '.';
	if (segs > 255) {
		a->overflow = true;
		return;
	}
	if (segs == 2) {
		aml_byte(a, AML_DUAL_NAME);
	} else if (segs > 2) {
		aml_byte(a, AML_MULTI_NAME);
		aml_byte(a, (uint8_t)segs);
	}
	for (size_t i = 0; i < segs; i++) {
		size_t n = name_seg(a, path);

		if (!n)
			return;
		path += n + (i + 1 < segs);
	}
}

size_t aml_pkg_begin(struct aml *a)
{
	size_t mark = a->len;

	aml_byte(a, 0);
	return mark;
}

/* The PkgLength encoding: one byte up to 63; otherwise bits 7:6 of the
 * lead byte count the bytes that follow, its bits 3:0 are the length's
 * low nibble and the following bytes the rest, low first. The length
 * counts the PkgLength bytes themselves. */
void aml_end(struct aml *a, size_t mark)
{
	size_t body, extra, total = 0;

	if (a->overflow || mark >= a->len)
		return;
	body = a->len - mark - 1;
	for (extra = 0; extra < 4; extra++) {
		total = body + 1 + extra;
		if ((extra == 0 && total <= 0x3F) || (extra > 0 && total < (1u << (4 + 8 * extra))))
			break;
	}
	if (extra == 4 || total > PKG_MAX || extra > a->cap - a->len) {
		a->overflow = true;
		return;
	}
	memmove(a->p + mark + 1 + extra, a->p + mark + 1, body);
	a->len += extra;
	if (extra == 0) {
		a->p[mark] = (uint8_t)total;
		return;
	}
	a->p[mark] = (uint8_t)(extra << 6 | (total & 0x0F));
	for (size_t i = 0; i < extra; i++)
		a->p[mark + 1 + i] = (uint8_t)(total >> (4 + 8 * i));
}

void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME);
	aml_name_string(a, name);
}

size_t aml_scope(struct aml *a, const char *name)
{
	size_t mark;

	aml_byte(a, AML_SCOPE);
	mark = aml_pkg_begin(a);
	aml_name_string(a, name);
	return mark;
}

size_t aml_device(struct aml *a, const char *name)
{
	size_t mark;

	aml_byte(a, AML_EXT_PREFIX);
	aml_byte(a, AML_EXT_DEVICE);
	mark = aml_pkg_begin(a);
	aml_name_string(a, name);
	return mark;
}

/* MethodFlags: bits 2:0 the argument count, bit 3 serialized, bits 7:4
 * the sync level (0). */
size_t aml_method(struct aml *a, const char *name, unsigned nargs, bool serialized)
{
	size_t mark;

	if (nargs > 7)
		a->overflow = true;
	aml_byte(a, AML_METHOD);
	mark = aml_pkg_begin(a);
	aml_name_string(a, name);
	aml_byte(a, (uint8_t)((nargs & 7) | (serialized ? 8 : 0)));
	return mark;
}

size_t aml_if(struct aml *a)
{
	aml_byte(a, AML_IF);
	return aml_pkg_begin(a);
}

size_t aml_else(struct aml *a)
{
	aml_byte(a, AML_ELSE);
	return aml_pkg_begin(a);
}

size_t aml_package(struct aml *a, uint8_t count)
{
	size_t mark;

	aml_byte(a, AML_PACKAGE);
	mark = aml_pkg_begin(a);
	aml_byte(a, count);
	return mark;
}

void aml_buffer(struct aml *a, const uint8_t *bytes, size_t n)
{
	size_t mark;

	aml_byte(a, AML_BUFFER);
	mark = aml_pkg_begin(a);
	aml_int(a, n);
	aml_bytes(a, bytes, n);
	aml_end(a, mark);
}

/* Three letters of 5 bits each ('A' = 1) and four hex digits, stored
 * most significant byte first. Returns 0 for a malformed identifier. */
uint32_t aml_eisaid_value(const char *id)
{
	uint32_t v = 0;

	if (strlen(id) != 7)
		return 0;
	for (int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			return 0;
		v = v << 5 | (uint32_t)(id[i] - 'A' + 1);
	}
	for (int i = 3; i < 7; i++) {
		char c = id[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return 0;
		v = v << 4 | d;
	}
	/* 31 bits: bit 31 is zero; byte-swap into the stored order. */
	return (v >> 24 & 0xff) | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t v = aml_eisaid_value(id);

	if (!v)
		a->overflow = true;
	aml_byte(a, AML_DWORD_PREFIX);
	put_le(a, v, 4);
}

void aml_op_region(struct aml *a, const char *name, uint8_t space, uint32_t offset, uint32_t len)
{
	aml_byte(a, AML_EXT_PREFIX);
	aml_byte(a, AML_EXT_OP_REGION);
	aml_name_string(a, name);
	aml_byte(a, space);
	aml_int(a, offset);
	aml_int(a, len);
}

size_t aml_field(struct aml *a, const char *region, uint8_t flags)
{
	size_t mark;

	aml_byte(a, AML_EXT_PREFIX);
	aml_byte(a, AML_EXT_FIELD);
	mark = aml_pkg_begin(a);
	aml_name_string(a, region);
	aml_byte(a, flags);
	return mark;
}

/* NamedField: a NameSeg, then its width in bits as a PkgLength-style
 * number (not counting itself). */
void aml_field_unit(struct aml *a, const char *name, unsigned bits)
{
	if (strchr(name, '.') || name[0] == '\\' || name[0] == '^' || bits == 0 || bits > 0x3F) {
		a->overflow = true;
		return;
	}
	aml_name_string(a, name);
	aml_byte(a, (uint8_t)bits);
}

/* Small descriptors: tag = type << 3 | length. */
void aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
	aml_byte(a, 0x08 << 3 | 7);
	aml_byte(a, 0x01); /* decodes 16 address bits */
	put_le(a, min, 2);
	put_le(a, max, 2);
	aml_byte(a, align);
	aml_byte(a, len);
}

/* IRQ descriptor, 3-byte form: the mask, then flags: bit 0 edge (_HE),
 * bit 3 active low (_LL), bit 4 shared (_SHR). */
void aml_res_irq_level_low_shared(struct aml *a, uint16_t mask)
{
	aml_byte(a, 0x04 << 3 | 3);
	put_le(a, mask, 2);
	aml_byte(a, 0x18);
}

/* IRQ descriptor, 2-byte form: ISA's edge-triggered, active-high default. */
void aml_res_irq(struct aml *a, uint16_t mask)
{
	aml_byte(a, 0x04 << 3 | 2);
	put_le(a, mask, 2);
}

void aml_res_end(struct aml *a)
{
	aml_byte(a, 0x0F << 3 | 1);
	aml_byte(a, 0); /* checksum 0: treated as correct */
}

/* Large address space descriptors: general flags 0x0C = fixed maximum
 * and minimum, positive decode, producer (a bridge's window). */
#define RES_MEM	 0
#define RES_IO	 1
#define RES_BUS	 2
#define GEN_FLAG 0x0C

static void word_space(struct aml *a, uint8_t type, uint8_t tflags, uint16_t min, uint16_t max)
{
	aml_byte(a, 0x88); /* Word Address Space Descriptor */
	put_le(a, 13, 2);
	aml_byte(a, type);
	aml_byte(a, GEN_FLAG);
	aml_byte(a, tflags);
	put_le(a, 0, 2); /* granularity */
	put_le(a, min, 2);
	put_le(a, max, 2);
	put_le(a, 0, 2); /* translation offset */
	put_le(a, (uint32_t)max - min + 1, 2);
}

void aml_res_word_bus(struct aml *a, uint16_t min, uint16_t max)
{
	word_space(a, RES_BUS, 0, min, max);
}

/* I/O flags: _RNG = 3, ISA and non-ISA ranges. */
void aml_res_word_io(struct aml *a, uint16_t min, uint16_t max)
{
	word_space(a, RES_IO, 0x03, min, max);
}

/* Memory flags: read-write, cacheable. */
void aml_res_dword_mem(struct aml *a, uint32_t min, uint32_t max)
{
	aml_byte(a, 0x87); /* DWord Address Space Descriptor */
	put_le(a, 23, 2);
	aml_byte(a, RES_MEM);
	aml_byte(a, GEN_FLAG);
	aml_byte(a, 0x03);
	put_le(a, 0, 4); /* granularity */
	put_le(a, min, 4);
	put_le(a, max, 4);
	put_le(a, 0, 4); /* translation offset */
	put_le(a, (uint64_t)max - min + 1, 4);
}
