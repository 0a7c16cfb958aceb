/* PCI configuration mechanism #1 and one bus of devices.
 *
 * The guest writes an address to CF8h (bit 31 enable, bus 23:16, device
 * 15:11, function 10:8, register 7:2) and then reads or writes CFCh-CFFh;
 * a byte or word access at CFDh-CFFh reaches the matching byte of the
 * register. Each function has 256 bytes of configuration space with a
 * writable mask per byte; a BAR's mask makes the "write all ones, read the
 * size back" probe work without code. Only bus 0 exists. */
#ifndef HV_CORE_PCI_H
#define HV_CORE_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/device.h"

#define PCI_CONFIG_ADDRESS 0xCF8 /* len 4 */
#define PCI_CONFIG_DATA	   0xCFC /* len 4 */

#define PCI_SLOTS 32
#define PCI_FUNCS 8

/* Standard configuration header offsets. */
#define PCI_VENDOR_ID	   0x00
#define PCI_DEVICE_ID	   0x02
#define PCI_COMMAND	   0x04
#define PCI_STATUS	   0x06
#define PCI_REVISION	   0x08
#define PCI_CLASS_PROG	   0x09
#define PCI_CLASS_DEVICE   0x0A /* sub-class, then base class */
#define PCI_HEADER_TYPE	   0x0E
#define PCI_BAR0	   0x10
#define PCI_SUBSYS_VENDOR  0x2C
#define PCI_SUBSYS_ID	   0x2E
#define PCI_INTERRUPT_LINE 0x3C
#define PCI_INTERRUPT_PIN  0x3D

#define PCI_HEADER_MULTIFUNCTION 0x80
#define PCI_BAR_IO		 0x1 /* BAR bit 0: I/O space */

struct pci_device;

/* Optional hooks of a function. `written` runs after the masked bytes have
 * been stored (the device reacts to its new register values); `read` may
 * replace the value taken from config[] (registers that are live state). */
struct pci_ops {
	void (*written)(struct pci_device *d, unsigned offset, unsigned size);
	uint32_t (*read)(struct pci_device *d, unsigned offset, unsigned size, uint32_t value);
};

struct pci_device {
	uint8_t config[256]; /* configuration space as the guest reads it */
	uint8_t wmask[256];  /* bits the guest may change; the rest are read-only */
	const struct pci_ops *ops;
	void *opaque; /* the device model owning this function */
	const char *name;
};

struct pci_bus {
	uint32_t address; /* CF8h as last written */
	struct pci_device *devs[PCI_SLOTS * PCI_FUNCS];
};

/* Fills the identity fields of d and clears the rest (hooks too); the command register
 * (I/O, memory, bus master, interrupt disable) is made writable. */
void pci_device_init(struct pci_device *d, uint16_t vendor, uint16_t device, uint8_t class_base,
		     uint8_t class_sub, uint8_t revision, const char *name);

/* Declares BAR n (0-5) of size bytes (a power of two, at least 16 for
 * memory and 4 for I/O); flags is the low bits the BAR reads with
 * (PCI_BAR_IO, or memory type/prefetch bits). */
void pci_set_bar(struct pci_device *d, unsigned n, uint32_t size, uint32_t flags);

/* The address BAR n holds (flag bits masked off). */
uint32_t pci_bar_address(const struct pci_device *d, unsigned n);

/* Little-endian helpers on configuration space. */
void pci_set_byte(struct pci_device *d, unsigned offset, uint8_t v);
void pci_set_word(struct pci_device *d, unsigned offset, uint16_t v);
void pci_set_long(struct pci_device *d, unsigned offset, uint32_t v);
uint32_t pci_get(const struct pci_device *d, unsigned offset, unsigned size);

void pci_bus_init(struct pci_bus *bus);

/* Places d at slot.func on bus 0. Returns 0, or -1 if that place is taken
 * or out of range. */
int pci_bus_add(struct pci_bus *bus, unsigned slot, unsigned func, struct pci_device *d);

/* A configuration access as if through CF8h/CFCh (also what tests and
 * firmware-side code use). size is 1, 2 or 4; offset need not be aligned
 * but must not cross a dword (bytes past it are dropped / read as ones). */
uint32_t pci_config_read(struct pci_bus *bus, unsigned slot, unsigned func, unsigned offset,
			 unsigned size);
void pci_config_write(struct pci_bus *bus, unsigned slot, unsigned func, unsigned offset,
		      unsigned size, uint32_t value);

struct state_in;
struct state_out;

/* Save/restore of a function's configuration space, for the device models
 * that own one (each saves its own, as part of its state): the 256 bytes
 * as the guest reads them. pci_config_load reads them into config (256
 * bytes, for the caller to commit) keeping the instance's own bits where
 * the guest cannot write (identity, BAR sizes, hard-wired bits: the
 * machine's, like any guest write through CFCh), and fails the reader for
 * a vendor and device ID other than the instance's: another device's
 * state. */
void pci_config_save(const struct pci_device *d, struct state_out *out);
void pci_config_load(const struct pci_device *d, struct state_in *in, uint8_t config[256]);

extern const struct io_ops pci_address_io_ops; /* at CF8h, len 4 */
extern const struct io_ops pci_data_io_ops;    /* at CFCh, len 4 */

/* The registry's view (hv/core/device.h) of a struct pci_bus. */
extern const struct device_ops pci_bus_device_ops;

#endif
