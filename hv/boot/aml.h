/* A small encoder of ACPI Machine Language (ACPI 6.x, chapter 20 "ACPI
 * Machine Language Specification") and of the resource descriptors a
 * ResourceTemplate holds (chapter 6.4), enough for hv's DSDT.
 *
 * AML is prefix notation: an operator byte, then its operands, each of
 * which may itself be an expression. The caller writes the opcode
 * (AML_STORE ...) and then the operands in order with the functions
 * below. Objects with a body (Scope, Device, Method, If, Package, Field)
 * carry a PkgLength that counts the body: *_begin reserves it and returns
 * a mark, aml_end(mark) fills it in once the body is written (moving the
 * body when the length needs more than one byte).
 *
 * Writes past the buffer set `overflow` and are dropped; the table built
 * from an overflowed encoder must not be used. */
#ifndef HV_BOOT_AML_H
#define HV_BOOT_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One-byte opcodes. */
#define AML_ZERO	   0x00
#define AML_ONE		   0x01
#define AML_NAME	   0x08
#define AML_BYTE_PREFIX	   0x0A
#define AML_WORD_PREFIX	   0x0B
#define AML_DWORD_PREFIX   0x0C
#define AML_QWORD_PREFIX   0x0E
#define AML_SCOPE	   0x10
#define AML_BUFFER	   0x11
#define AML_PACKAGE	   0x12
#define AML_METHOD	   0x14
#define AML_DUAL_NAME	   0x2E
#define AML_MULTI_NAME	   0x2F
#define AML_EXT_PREFIX	   0x5B
#define AML_ROOT_CHAR	   0x5C
#define AML_PARENT_PREFIX  0x5E
#define AML_LOCAL0	   0x60
#define AML_ARG0	   0x68
#define AML_STORE	   0x70
#define AML_SUBTRACT	   0x74
#define AML_SHIFT_LEFT	   0x79
#define AML_AND		   0x7B
#define AML_FIND_SET_RIGHT 0x82
#define AML_CREATE_WORD	   0x8B
#define AML_LLESS	   0x95
#define AML_IF		   0xA0
#define AML_ELSE	   0xA1
#define AML_RETURN	   0xA4
#define AML_ONES	   0xFF

/* After AML_EXT_PREFIX. */
#define AML_EXT_OP_REGION 0x80
#define AML_EXT_FIELD	  0x81
#define AML_EXT_DEVICE	  0x82

/* Operation region spaces. */
#define AML_SPACE_SYSTEM_IO  0x01
#define AML_SPACE_PCI_CONFIG 0x02

/* Field flags: access type in bits 3:0, update rule in bits 6:5. */
#define AML_FIELD_BYTE_ACC 0x01
#define AML_FIELD_PRESERVE 0x00

struct aml {
	uint8_t *p;
	size_t cap, len;
	bool overflow;
};

void aml_init(struct aml *a, uint8_t *buf, size_t cap);
void aml_byte(struct aml *a, uint8_t b);
void aml_bytes(struct aml *a, const void *b, size_t n);

/* An integer constant in its shortest form (Zero, One, Ones, or a Byte,
 * Word, DWord or QWord constant). */
void aml_int(struct aml *a, uint64_t v);

/* A NameString: an optional root "\" or parent "^" prefixes, then
 * dot-separated segments of 1-4 characters padded with '_' ("\_SB.PCI0",
 * "LNKA"). A malformed path (a segment of 0 or more than 4 characters,
 * or a character outside A-Z 0-9 _ where it stands) sets overflow. */
void aml_name_string(struct aml *a, const char *path);

/* Reserves a PkgLength and returns the mark aml_end takes. */
size_t aml_pkg_begin(struct aml *a);
void aml_end(struct aml *a, size_t mark);

/* Name (name, ...): the value follows. */
void aml_name(struct aml *a, const char *name);

/* The objects with a body; each returns the mark for aml_end. */
size_t aml_scope(struct aml *a, const char *name);
size_t aml_device(struct aml *a, const char *name);
size_t aml_method(struct aml *a, const char *name, unsigned nargs, bool serialized);
size_t aml_if(struct aml *a); /* the predicate follows, then the body */
size_t aml_else(struct aml *a);
size_t aml_package(struct aml *a, uint8_t count);

/* Buffer (n) { bytes } */
void aml_buffer(struct aml *a, const uint8_t *bytes, size_t n);

/* EISAID ("PNP0A03"): the compressed 32-bit EISA identifier as a DWord. */
void aml_eisaid(struct aml *a, const char *id);
uint32_t aml_eisaid_value(const char *id);

/* OperationRegion (name, space, offset, len) */
void aml_op_region(struct aml *a, const char *name, uint8_t space, uint32_t offset, uint32_t len);

/* Field (region, flags) { ... }: entries with aml_field_unit, then aml_end. */
size_t aml_field(struct aml *a, const char *region, uint8_t flags);
void aml_field_unit(struct aml *a, const char *name, unsigned bits);

/* Resource descriptors (ResourceTemplate contents), appended to a. */
void aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len);
/* IRQ (Level, ActiveLow, Shared) { irqs in mask } */
void aml_res_irq_level_low_shared(struct aml *a, uint16_t mask);
/* IRQNoFlags () { irqs in mask }: edge, active high, exclusive (ISA) */
void aml_res_irq(struct aml *a, uint16_t mask);
/* Bridge windows (producer, fixed min and max, positive decode). */
void aml_res_word_bus(struct aml *a, uint16_t min, uint16_t max);
void aml_res_word_io(struct aml *a, uint16_t min, uint16_t max);
void aml_res_dword_mem(struct aml *a, uint32_t min, uint32_t max);
void aml_res_end(struct aml *a);

#endif
