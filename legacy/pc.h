/* The PC as its domain sees it: an opaque machine built from host-side
 * hooks, and the few calls a domain makes on it (host input, the screen,
 * the state `hv list -l` shows, direct Linux boot). No chip is visible
 * here: the wiring (legacy/pc_int.h) is the PC's own. Reset and per-device
 * descriptions go through the machine's device registry, where pc_create
 * registers every device it makes. */
#ifndef HV_LEGACY_PC_H
#define HV_LEGACY_PC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/audio_source.h"
#include "hv/core/byte_sink.h"
#include "hv/core/input.h"
#include "hv/core/machine.h"

/* Serial ports: COM1 at 3F8h on IRQ 4, COM2 at 2F8h on IRQ 3
 * (legacy/pc_serial.c). */
#define PC_SERIAL_PORTS	   2
#define PC_SERIAL_ROOM_MAX 16 /* the most pc_serial_room() returns (a 16550's FIFO) */
#define PC_IDE_DRIVES	   4  /* hda, hdb (primary), hdc, hdd (secondary) */
#define PC_FLOPPY_DRIVES   2  /* A: and B: */

struct disk;
struct pc;
struct vga;

/* Host-side hooks the domain supplies. */
struct pc_hooks {
	struct byte_sink serial[PC_SERIAL_PORTS]; /* COM1, COM2; tx == NULL: absent */
	struct byte_sink debugcon;		  /* tx == NULL: no debug console */
	void (*post)(void *opaque, uint8_t code);
	void (*poweroff)(void *opaque, int status);
	void *opaque;
	bool rtc_localtime; /* RTC starts at the host's local time, not UTC */
	unsigned cpus;	    /* for fw_cfg; 0 means 1 */
	/* IDE drives hda..hdd: a hard disk where ide[i] is set, a CD-ROM drive
	 * (empty if ide[i] is NULL) where ide_cdrom[i]. The disks stay the
	 * caller's and must outlive the PC. */
	struct disk *ide[PC_IDE_DRIVES];
	bool ide_cdrom[PC_IDE_DRIVES];
	/* Floppy drives A: and B: (fda, fdb): a drive where floppy[i] is set,
	 * whose size must be a floppy's (pc_floppy_size_ok). Also the
	 * caller's. */
	struct disk *floppy[PC_FLOPPY_DRIVES];
	const char *boot;  /* firmware boot order, "c", "d", "a" or e.g. "dc"; NULL: "cd" */
	bool no_boot_menu; /* fw_cfg's boot menu flag (0Eh) off: SeaBIOS shows no ESC prompt */
	uint16_t boot_menu_wait; /* etc/boot-menu-wait in ms; 0: none (SeaBIOS's 2.5 s) */
	/* VGA BIOS image for fw_cfg: NULL is SeaBIOS's stdvga image if
	 * installed, "" none. */
	const char *vga_bios;
	bool no_vga;  /* no emulated VGA at all (vga = "none"), nor its BIOS */
	bool no_hpet; /* no HPET (hpet = 0): nothing at HPET_BASE */
};

/* Creates the devices, places them on m's buses and registers them in
 * m->devices (the names docs/protocol.md lists under `info`). The
 * firmware must already be mapped: the host bridge takes over its alias
 * below 1 MiB (for shadowing) and fw_cfg describes m's memory. Returns
 * NULL with err set. */
struct pc *pc_create(struct machine *m, const struct pc_hooks *hooks, char *err, size_t errlen);

/* Frees the devices and empties m->devices. */
void pc_free(struct pc *pc);

/* Moves host input into serial port i's receive FIFO (i 0-based: 0 is
 * COM1); with the domain lock held. Returns the bytes moved: 0 for an
 * absent port. */
size_t pc_serial_receive(struct pc *pc, unsigned i, const uint8_t *data, size_t len);

/* Bytes serial port i's receive FIFO takes now; 0 for an absent port. */
size_t pc_serial_room(struct pc *pc, unsigned i);

/* Host key events into the PS/2 keyboard, all of them or none: returns 0,
 * or -1 with err set when a key is unknown or the keyboard's queue lacks
 * room (the guest has not read what is queued yet). With the domain lock
 * held. */
int pc_input_keys(struct pc *pc, const struct input_key *keys, size_t n, char *err, size_t errlen);

/* Host mouse motion and buttons into the PS/2 mouse; with the lock held. */
void pc_input_mouse(struct pc *pc, const struct input_mouse *ev);

/* Queues host key events to be typed at a typist's pace in guest time
 * (hv/core/typist.h), all of them or none: returns 0, or -1 with err set
 * when a key is unknown or the queue lacks room ("keyboard buffer full:
 * ..."). With the domain lock held. */
int pc_type_keys(struct pc *pc, const struct input_key *keys, size_t n, char *err, size_t errlen);

/* The VGA, for a renderer (legacy/vga_access.h), or NULL when the PC has
 * none. */
struct vga *pc_vga(struct pc *pc);

/* The screen's shape as the VGA's registers describe it. */
struct pc_screen {
	bool text;		     /* a text mode (cols, rows); else graphics */
	unsigned width, height, bpp; /* pixels; text: cell size times cols and rows */
	unsigned cols, rows;	     /* text only */
	bool blank;		     /* the screen is off */
	char describe[64];	     /* "text mode 80x25 (mode 03h)", ... */
};

/* Fills s (virtio-gpu's scanout, graphical, while its driver has one
 * set; else the VGA's mode); returns 0, or -1 when the PC has no VGA. With
 * the domain lock held. */
int pc_screen(struct pc *pc, struct pc_screen *s);

/* The text screen as UTF-8 (code page 437), one row per line ending in
 * '\n', trailing blanks trimmed, truncated to fit len and NUL-terminated.
 * Returns the bytes written, or -1 when the screen is graphical or there
 * is no VGA. With the domain lock held. */
int pc_text_screen(struct pc *pc, char *buf, size_t len);

/* What `hv list -l` shows of the PC beside its devices. */
struct pc_status {
	uint8_t post;		/* last POST code written to port 80h */
	uint64_t post_count;	/* POST codes written */
	char kbd_leds[32];	/* "num,caps,scroll", "none", ... */
	char kbd_typematic[32]; /* "10.9cps/500ms", ... */
	size_t keys_queued;	/* pc_type_keys events not typed yet */
};

/* With the domain lock held. */
void pc_status(struct pc *pc, struct pc_status *st);

/* The PC speaker as a sound source for the domain's mixer; from the first
 * call on it synthesizes what the guest plays. */
struct audio_source pc_speaker_source(struct pc *pc);

/* A Sound Blaster 16 (legacy/pc_sb16.c): base port 220h-280h, IRQ 5, 7,
 * 9 (2) or 10, 8-bit DMA 0, 1 or 3, 16-bit DMA 5, 6 or 7. */
struct pc_sb16_config {
	unsigned port, irq, dma, hdma;
};

/* Adds the card, "sb16" in the device registry. Returns 0 or -1 with
 * err set (a value the card does not offer, a port taken). */
int pc_add_sb16(struct pc *pc, const struct pc_sb16_config *cfg, char *err, size_t errlen);

/* The card's digital audio as a sound source: returns 0, or -1 when the
 * PC has no SB16. With the domain lock held. */
int pc_sb16_source(struct pc *pc, struct audio_source *src);

/* The SB16's OPL3 (FM) as a sound source: 0, or -1 without an SB16. */
int pc_opl3_source(struct pc *pc, struct audio_source *src);

/* What firmware does before an OS runs, for a kernel started directly:
 * the power-management function's I/O window at pm_base, enabled. */
void pc_prepare_linux_boot(struct pc *pc, uint16_t pm_base);

/* The HPET (legacy/hpet.h) as ACPI's HPET table describes it: where its
 * registers are (0 when the PC has none) and its capabilities register's
 * low half. */
uint32_t pc_hpet_base(const struct pc *pc);
uint32_t pc_hpet_id(void);

/* Presses the ACPI power button (a fixed-feature event of the PIIX4 PM).
 * Returns whether the guest listens for it (ACPI mode, event enabled).
 * With the domain lock held. */
bool pc_power_button(struct pc *pc);

/* Puts disk (NULL: none) in the CD-ROM drive IDE index (0-3 for hda-hdd):
 * the guest sees UNIT ATTENTION (medium changed) at its next command.
 * *old is the disk taken out, the caller's to close. Refused (-1, err)
 * for a drive that is not a CD-ROM or whose tray the guest locked. With
 * the domain lock held. */
int pc_change_cd(struct pc *pc, unsigned index, struct disk *disk, struct disk **old, char *err,
		 size_t errlen);

/* Swaps the disk in floppy drive index (0 = A:) for disk, of the same
 * size; the guest sees the disk-change line up (fdc_change_disk). With
 * the domain lock held. */
int pc_change_floppy(struct pc *pc, unsigned index, struct disk *disk, struct disk **old, char *err,
		     size_t errlen);

/* Whether an image of size bytes fits a floppy drive, and the sizes that
 * do, for a message ("360K, 720K, 1.2M, ..."). */
bool pc_floppy_size_ok(uint64_t size);
const char *pc_floppy_sizes_accepted(void);

/* Paravirtual devices (legacy/pc_virtio.c): virtio functions as PCI
 * functions, set up as firmware would leave them. */
struct disk;
struct virtio_console_backend;

/* The engine gave the machine an MSI sink (m->msi, hv/core/msi.h) after
 * the PC was built: the virtio functions so far get their power-on state
 * again, now offering MSI-X (before the guest first runs). */
void pc_msi_ready(struct pc *pc);

/* Adds a virtio-blk disk as xvd(a + index) on disk (the caller's, which
 * must outlive the PC), registered as "vd(a + index)" in the machine's
 * device registry. Returns 0 or -1 with err set. */
int pc_add_virtio_blk(struct pc *pc, unsigned index, struct disk *disk, char *err, size_t errlen);

/* Adds a virtio-rng function (slot 30, "rng0" in the registry). Returns
 * 0 or -1 with err set. */
int pc_add_virtio_rng(struct pc *pc, char *err, size_t errlen);

/* Adds a virtio-console function (slot 31, "hvc0" in the registry)
 * whose output goes to out (a struct virtio_console_backend, copied).
 * Returns 0 or -1 with err set. */
int pc_add_virtio_console(struct pc *pc, const struct virtio_console_backend *out, char *err,
			  size_t errlen);

/* Adds a virtio-gpu function (slot 3, "gpu0" in the registry) offering a
 * width x height mode. Returns 0 or -1 with err set. */
struct virtio_gpu;
int pc_add_virtio_gpu(struct pc *pc, unsigned width, unsigned height, char *err, size_t errlen);

/* Adds a virtio-input keyboard and mouse beside the virtio-gpu (00:03.1
 * "kbd0", 00:03.2 "mouse0"). Returns 0 or -1 with err set. */
int pc_add_virtio_input(struct pc *pc, char *err, size_t errlen);

/* A viewer's key or mouse event into virtio-input, with the domain lock
 * held: true when the guest's driver is up and took it (else it is the
 * caller's to send to PS/2). */
bool pc_virtio_input_key(struct pc *pc, unsigned code, bool down);
bool pc_virtio_input_mouse(struct pc *pc, const struct input_mouse *ev);
/* The virtio tablet: whether the guest's driver has it up, and the pointer
 * at (x, y) in 0..32767 with buttons held (false when it is not up). */
bool pc_virtio_tablet_ready(struct pc *pc);
bool pc_virtio_input_abs(struct pc *pc, int x, int y, unsigned buttons);

/* The virtio-gpu, for the display hook-up (hv/virtio/virtio_gpu.h), or
 * NULL when the PC has none. */
struct virtio_gpu *pc_virtio_gpu(struct pc *pc);

/* Host input for hvc0, with the domain lock held: returns the bytes the
 * guest's posted buffers took (0 without a console). */
size_t pc_virtio_console_receive(struct pc *pc, const uint8_t *data, size_t len);

/* The PCI interrupt wiring, for the ACPI tables of a firmware-less boot
 * (hv/boot/acpi.h): the PIIX3 ISA bridge's slot on bus 0, its PIRQA route
 * register (B-D follow), and the ISA IRQs the PIRQs may be routed to (the
 * ones the PC leaves to PCI: 10 and 11, level-triggered in the ELCR). */
#define PC_ISA_BRIDGE_SLOT 1
#define PC_PIRQ_ROUTE_REG  0x60
#define PC_PCI_IRQ_MASK	   (1u << 10 | 1u << 11)

/* virtio-net NICs (hv/virtio/virtio_net.h): NIC index (0 .. PC_NICS_MAX-1)
 * takes the PCI slot (and BAR) of xvd(w + index), so a domain has either
 * that disk or that NIC; "net(index)" in the registry. tx_ready is told
 * (with the domain lock held) when the guest has frames to send. Returns
 * 0 or -1 with err set. */
#define PC_NICS_MAX 4
struct virtio_net_backend;
struct virtio_net_stats;
int pc_add_virtio_net(struct pc *pc, unsigned index, const uint8_t mac[6],
		      const struct virtio_net_backend *be, char *err, size_t errlen);

/* With the domain lock held: a frame for NIC index's guest (returns true
 * when a running vCPU needs a kick to see the interrupt); up to max
 * frames the guest sent (virtio_net_take_tx_many; *irq as for receive);
 * the NIC's counters. */
bool pc_virtio_net_receive(struct pc *pc, unsigned index, const uint8_t *frame, size_t len);
bool pc_virtio_net_receive_many(struct pc *pc, unsigned index, const uint8_t *buf,
				const uint32_t *lens, unsigned count);
unsigned pc_virtio_net_take_tx_many(struct pc *pc, unsigned index, uint8_t *buf, size_t cap,
				    uint32_t *lens, unsigned max, bool *irq);
void pc_virtio_net_stats(struct pc *pc, unsigned index, struct virtio_net_stats *out);

#endif
