/* QEMU's firmware configuration interface (fw_cfg), the channel SeaBIOS
 * and OVMF read the machine's description from: RAM size, CPU count, the
 * e820 map, boot order and named files.
 *
 * Port interface: a 16-bit selector write at 510h picks an item and rewinds it;
 * each read of the data port (511h) returns the item's next byte, zero
 * past its end. DMA interface (514h, 8 bytes): the guest writes the
 * big-endian guest-physical address of a 16-byte FWCfgDmaAccess
 * { be32 control; be32 length; be64 address; }, high dword first; the
 * write of the low dword (514h+4..7) runs it at once. control bits: 0
 * error, 1 read, 2 skip, 3 select (item in bits 31:16), 4 write. On
 * return the device has stored control back as 0, or with the error bit
 * when an address is not RAM or the item is not writable. Reading 514h
 * gives "QEMU CFG", which is how firmware probes for DMA. */
#ifndef HV_LEGACY_FW_CFG_H
#define HV_LEGACY_FW_CFG_H

#include <stddef.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/device.h"
#include "hv/core/memory.h"

#define FW_CFG_PORT	0x510 /* len 2: selector (word at +0), data (byte at +1) */
#define FW_CFG_PORT_DMA 0x514 /* len 8 */

/* Fixed item keys. */
#define FW_CFG_SIGNATURE  0x00
#define FW_CFG_ID	  0x01
#define FW_CFG_UUID	  0x02
#define FW_CFG_RAM_SIZE	  0x03
#define FW_CFG_NOGRAPHIC  0x04
#define FW_CFG_NB_CPUS	  0x05
#define FW_CFG_MACHINE_ID 0x06
#define FW_CFG_BOOT_MENU  0x0e /* SeaBIOS's etc/show-boot-menu: 0 hides its prompt */
#define FW_CFG_MAX_CPUS	  0x0f
#define FW_CFG_FILE_DIR	  0x19
#define FW_CFG_FILE_FIRST 0x20
#define FW_CFG_ITEMS	  0x40 /* keys 0..FW_CFG_ITEMS-1 exist */

#define FW_CFG_ID_TRADITIONAL 0x01
#define FW_CFG_ID_DMA	      0x02

#define FW_CFG_DMA_ERROR  0x01
#define FW_CFG_DMA_READ	  0x02
#define FW_CFG_DMA_SKIP	  0x04
#define FW_CFG_DMA_SELECT 0x08
#define FW_CFG_DMA_WRITE  0x10

#define FW_CFG_NAME_MAX 56 /* file name field, NUL included */

struct fw_cfg_item {
	uint8_t *data; /* owned copy; NULL when len is 0 */
	uint32_t len;
	bool writable; /* guest DMA writes land in data */
};

struct fw_cfg {
	struct guest_mem *mem; /* where DMA transfers go */
	struct fw_cfg_item items[FW_CFG_ITEMS];
	unsigned files;	     /* file items, keys FW_CFG_FILE_FIRST.. */
	uint16_t select;     /* selector as last written */
	uint32_t offset;     /* data offset within the selected item */
	uint8_t dma_addr[8]; /* the DMA address register, as the guest wrote its bytes */
};

/* Creates the device with the signature, the ID (DMA supported) and an
 * empty file directory. Returns NULL when out of memory. */
struct fw_cfg *fw_cfg_create(struct guest_mem *mem);
void fw_cfg_destroy(struct fw_cfg *c);

/* Sets fixed item key to a copy of len bytes. Returns 0 or -1. */
int fw_cfg_set(struct fw_cfg *c, uint16_t key, const void *data, uint32_t len);
int fw_cfg_set_u16(struct fw_cfg *c, uint16_t key, uint16_t v); /* little-endian */
int fw_cfg_set_u32(struct fw_cfg *c, uint16_t key, uint32_t v);
int fw_cfg_set_u64(struct fw_cfg *c, uint16_t key, uint64_t v);

/* Adds a named file (a copy of data) and lists it in the directory.
 * Returns its key, or -1 (no room, name too long or already there). */
int fw_cfg_add_file(struct fw_cfg *c, const char *name, const void *data, uint32_t len,
		    bool writable);

/* Selector 0, offset 0 (items keep their contents). */
void fw_cfg_reset(struct fw_cfg *c);

extern const struct io_ops fw_cfg_io_ops;     /* at 510h, len 2 */
extern const struct io_ops fw_cfg_dma_io_ops; /* at 514h, len 8 */

/* The registry's view (hv/core/device.h) of a struct fw_cfg. */
extern const struct device_ops fw_cfg_device_ops;

#endif
