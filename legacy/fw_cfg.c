#include "legacy/fw_cfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"
#include "hv/core/state.h"

#define DIR_ENTRY_SIZE 64 /* be32 size, be16 select, be16 reserved, name[56] */

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

int fw_cfg_set(struct fw_cfg *c, uint16_t key, const void *data, uint32_t len)
{
	uint8_t *copy = NULL;

	if (key >= FW_CFG_ITEMS)
		return -1;
	if (len) {
		copy = malloc(len);
		if (!copy)
			return -1;
		memcpy(copy, data, len);
	}
	free(c->items[key].data);
	c->items[key] = (struct fw_cfg_item){.data = copy, .len = len};
	return 0;
}

static int set_le(struct fw_cfg *c, uint16_t key, uint64_t v, unsigned n)
{
	uint8_t b[8];

	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return fw_cfg_set(c, key, b, n);
}

int fw_cfg_set_u16(struct fw_cfg *c, uint16_t key, uint16_t v)
{
	return set_le(c, key, v, 2);
}

int fw_cfg_set_u32(struct fw_cfg *c, uint16_t key, uint32_t v)
{
	return set_le(c, key, v, 4);
}

int fw_cfg_set_u64(struct fw_cfg *c, uint16_t key, uint64_t v)
{
	return set_le(c, key, v, 8);
}

static const char *file_name(const struct fw_cfg *c, unsigned i)
{
	return (const char *)c->items[FW_CFG_FILE_DIR].data + 4 + DIR_ENTRY_SIZE * i + 8;
}

/* Rewrites the directory with one more entry for key. */
static int add_dir_entry(struct fw_cfg *c, const char *name, uint16_t key, uint32_t len)
{
	struct fw_cfg_item *dir = &c->items[FW_CFG_FILE_DIR];
	uint32_t size = 4 + DIR_ENTRY_SIZE * (c->files + 1);
	uint8_t *d = realloc(dir->data, size);
	uint8_t *e;

	if (!d)
		return -1;
	e = d + 4 + DIR_ENTRY_SIZE * c->files;
	memset(e, 0, DIR_ENTRY_SIZE);
	put_be(e, len, 4);
	put_be(e + 4, key, 2);
	memcpy(e + 8, name, strlen(name));
	put_be(d, c->files + 1, 4);
	dir->data = d;
	dir->len = size;
	c->files++;
	return 0;
}

int fw_cfg_add_file(struct fw_cfg *c, const char *name, const void *data, uint32_t len,
		    bool writable)
{
	uint16_t key = (uint16_t)(FW_CFG_FILE_FIRST + c->files);

	if (key >= FW_CFG_ITEMS || strlen(name) >= FW_CFG_NAME_MAX)
		return -1;
	for (unsigned i = 0; i < c->files; i++)
		if (strcmp(file_name(c, i), name) == 0)
			return -1;
	if (fw_cfg_set(c, key, data, len) < 0)
		return -1;
	if (add_dir_entry(c, name, key, len) < 0) {
		fw_cfg_set(c, key, NULL, 0);
		return -1;
	}
	c->items[key].writable = writable;
	return key;
}

void fw_cfg_reset(struct fw_cfg *c)
{
	c->select = 0;
	c->offset = 0;
	memset(c->dma_addr, 0, sizeof c->dma_addr);
}

struct fw_cfg *fw_cfg_create(struct guest_mem *mem)
{
	struct fw_cfg *c = calloc(1, sizeof *c);
	uint8_t empty_dir[4] = {0};

	if (!c)
		return NULL;
	c->mem = mem;
	if (fw_cfg_set(c, FW_CFG_SIGNATURE, "QEMU", 4) < 0 ||
	    fw_cfg_set_u32(c, FW_CFG_ID, FW_CFG_ID_TRADITIONAL | FW_CFG_ID_DMA) < 0 ||
	    fw_cfg_set(c, FW_CFG_FILE_DIR, empty_dir, 4) < 0) {
		fw_cfg_destroy(c);
		return NULL;
	}
	return c;
}

void fw_cfg_destroy(struct fw_cfg *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < FW_CFG_ITEMS; i++)
		free(c->items[i].data);
	free(c);
}

/* The selected item; an unknown key reads as an empty one. */
static struct fw_cfg_item *selected(struct fw_cfg *c)
{
	static struct fw_cfg_item none;
	unsigned key = c->select & 0x3fff; /* bit 14: write mode, 15: arch-specific */

	if (c->select & 0x8000 || key >= FW_CFG_ITEMS)
		return &none;
	return &c->items[key];
}

static void do_select(struct fw_cfg *c, uint16_t key)
{
	c->select = key;
	c->offset = 0;
}

/* 510h-511h: a word write at 510h selects; byte reads of 511h (and, as on
 * QEMU, of 510h) return data. */
static uint64_t port_read(void *opaque, uint64_t offset, unsigned size)
{
	struct fw_cfg *c = opaque;
	struct fw_cfg_item *it = selected(c);
	uint64_t v = 0;

	(void)offset;
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = c->offset < it->len ? it->data[c->offset] : 0;

		if (c->offset < it->len)
			c->offset++;
		v |= (uint64_t)b << (8 * i);
	}
	return v;
}

static void port_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	if (offset == 0 && size == 2)
		do_select(opaque, (uint16_t)value);
	else if (offset == 1)
		log_guest("fw_cfg: data port write ignored (writes go through DMA)");
	else
		log_guest("fw_cfg: %u-byte write at 510h+%u ignored", size, (unsigned)offset);
}

/* True when [gpa, gpa+len) is all plain RAM (writable when write). */
static bool ram_range(struct guest_mem *mem, uint64_t gpa, uint64_t len, bool write)
{
	if (len == 0)
		return true;
	if (gpa + len < gpa)
		return false;
	for (uint64_t p = gpa & ~(uint64_t)(MEM_PAGE_SIZE - 1); p < gpa + len; p += MEM_PAGE_SIZE)
		if (!mem_page_ptr(mem, p, write))
			return false;
	return true;
}

/* Runs one transfer of len bytes at the data offset; false on error. */
static bool transfer(struct fw_cfg *c, uint32_t control, uint64_t addr, uint32_t len)
{
	struct fw_cfg_item *it = selected(c);
	uint32_t avail = c->offset < it->len ? it->len - c->offset : 0;
	uint32_t n = len < avail ? len : avail;

	if (control & FW_CFG_DMA_READ) {
		if (!ram_range(c->mem, addr, len, true))
			return false;
		if (n)
			mem_write(c->mem, addr, it->data + c->offset, n);
		for (uint32_t i = n; i < len;) { /* past the end reads zero */
			static const uint8_t zero[256];
			uint32_t k = len - i < sizeof zero ? len - i : (uint32_t)sizeof zero;

			mem_write(c->mem, addr + i, zero, k);
			i += k;
		}
	} else if (control & FW_CFG_DMA_WRITE) {
		if (!it->writable || !ram_range(c->mem, addr, len, false))
			return false;
		if (n)
			mem_read(c->mem, addr, it->data + c->offset, n);
	}
	c->offset += n;
	return true;
}

static void run_dma(struct fw_cfg *c, uint64_t desc)
{
	uint8_t d[16];
	uint32_t control, len;
	uint64_t addr;
	bool ok = true;

	if (!ram_range(c->mem, desc, sizeof d, true)) {
		log_guest("fw_cfg: DMA descriptor at %#llx is not RAM", (unsigned long long)desc);
		return;
	}
	mem_read(c->mem, desc, d, sizeof d);
	control = (uint32_t)get_be(d, 4);
	len = (uint32_t)get_be(d + 4, 4);
	addr = get_be(d + 8, 8);
	if (control & FW_CFG_DMA_SELECT)
		do_select(c, (uint16_t)(control >> 16));
	if (control & (FW_CFG_DMA_READ | FW_CFG_DMA_WRITE | FW_CFG_DMA_SKIP))
		ok = transfer(c, control, addr, len);
	if (!ok)
		log_guest("fw_cfg: DMA control %#x length %u to %#llx failed", control, len,
			  (unsigned long long)addr);
	put_be(d, ok ? 0 : FW_CFG_DMA_ERROR, 4);
	mem_write(c->mem, desc, d, 4);
}

static uint64_t dma_read(void *opaque, uint64_t offset, unsigned size)
{
	static const char sig[8] = "QEMU CFG";
	uint64_t v = 0;

	(void)opaque;
	for (unsigned i = 0; i < size && offset + i < 8; i++)
		v |= (uint64_t)(uint8_t)sig[offset + i] << (8 * i);
	return v;
}

static void dma_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct fw_cfg *c = opaque;

	for (unsigned i = 0; i < size && offset + i < 8; i++)
		c->dma_addr[offset + i] = (uint8_t)(value >> (8 * i));
	if (offset + size == 8) {
		run_dma(c, get_be(c->dma_addr, 8));
		memset(c->dma_addr, 0, sizeof c->dma_addr);
	}
}

const struct io_ops fw_cfg_io_ops = {port_read, port_write};
const struct io_ops fw_cfg_dma_io_ops = {dma_read, dma_write};

static void fw_cfg_dev_reset(void *dev)
{
	fw_cfg_reset(dev);
}

static void fw_cfg_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct fw_cfg *c = dev;

	snprintf(buf, len, "select=%04x offset=%u files=%u", c->select, c->offset, c->files);
}

/* Save/restore, version 1: the selector, the data offset and the DMA
 * address register (its high half may be written and the low half not
 * yet). The items are the machine's (none is guest-writable on the PC), so
 * an offset past the end of the item this machine has under the selector
 * is refused: the state of another machine. */
static void fw_cfg_dev_save(const void *dev, struct state_out *o)
{
	const struct fw_cfg *c = dev;

	state_put_u16(o, c->select);
	state_put_u32(o, c->offset);
	state_put_bytes(o, c->dma_addr, sizeof c->dma_addr);
}

static int fw_cfg_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct fw_cfg *c = dev;
	struct fw_cfg copy = *c;

	(void)from;
	copy.select = state_get_u16(in);
	copy.offset = state_get_u32(in);
	state_get_bytes(in, copy.dma_addr, sizeof copy.dma_addr);
	if (!state_in_done(in) || copy.offset > selected(&copy)->len)
		return -1;
	c->select = copy.select;
	c->offset = copy.offset;
	memcpy(c->dma_addr, copy.dma_addr, sizeof c->dma_addr);
	return 0;
}

const struct device_ops fw_cfg_device_ops = {.reset = fw_cfg_dev_reset,
					     .describe = fw_cfg_dev_describe,
					     .version = 1,
					     .save = fw_cfg_dev_save,
					     .load = fw_cfg_dev_load};
