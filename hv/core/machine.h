/* What the engines and device models of one domain share: guest memory,
 * the port-I/O bus, the virtual clock, the interrupt controller seen by the
 * CPU, and the domain lock that serialises device models. A machine knows
 * nothing of sockets, consoles or the command line; the domain builds it. */
#ifndef HV_MACHINE_H
#define HV_MACHINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/clock.h"
#include "hv/core/device.h"
#include "hv/core/irq.h"
#include "hv/core/memory.h"
#include "hv/core/msi.h"

/* What the platform asks of the domain. */
enum machine_request {
	MACHINE_REQ_NONE,
	MACHINE_REQ_POWEROFF, /* the guest turned itself off; code = exit value */
	MACHINE_REQ_RESET,    /* reset button, keyboard-controller reset, CF9h */
	MACHINE_REQ_CRASH,    /* triple fault or an engine error */
};

/* One 8259's registers as an engine's own copy of the chip holds them
 * (KVM's in-kernel PIC); the fields mean what struct pic8259_chip's do. */
struct intc_chip_regs {
	uint8_t irr, isr, imr, pins, elcr, vector_base, top, init;
	bool icw4_needed, auto_eoi, rotate_aeoi, sfnm, special_mask, read_isr, poll;
};

/* An interrupt controller the engine runs itself (KVM's in-kernel 8259
 * pair, so EOIs, mask writes and HLT never leave the kernel): the board's
 * controller forwards its input levels there and reads its registers back
 * for save, `hv list -l` and the PIT, writes them for load and reset.
 * get and put return 0, or -1 (logged). */
struct intc_engine_ops {
	void (*set_irq)(void *engine, int n, int level);
	int (*get)(void *engine, struct intc_chip_regs regs[2]);
	int (*put)(void *engine, const struct intc_chip_regs regs[2]);
};

/* The CPU's view of the platform interrupt controller. */
struct intc_ops {
	bool (*pending)(void *opaque); /* an interrupt is waiting for the CPU */
	int (*ack)(void *opaque);      /* INTA: returns the vector */
	/* Hands the controller to the engine (ops NULL: back to the model);
	 * NULL if the controller cannot be. */
	void (*offload)(void *opaque, const struct intc_engine_ops *ops, void *engine);
};

struct machine {
	struct guest_mem mem;
	struct bus pio;
	struct vclock clock;
	/* Every device model, by name (reset and `hv list -l` go through it). */
	struct device_registry devices;
	/* The domain lock: held while any device model runs. */
	pthread_mutex_t lock;
	/* Host threads waiting for the lock (machine_lock_host): a vCPU that
	 * takes the lock for every MMIO byte of a tight loop would otherwise
	 * starve them, since a mutex does not queue its waiters fairly. */
	atomic_uint lock_waiters;
	/* Wakes a vCPU sleeping in HLT (an interrupt was raised, a timer was
	 * armed earlier, the domain was asked to pause). */
	pthread_cond_t wake;
	const struct intc_ops *intc;
	void *intc_opaque;
	/* The engine runs the interrupt controller (intc_ops.offload): a
	 * raised line reaches the CPU without a kick. */
	bool intc_in_engine;
	/* The engine gives the CPU a local APIC and the board an I/O APIC
	 * (KVM's in-kernel irqchip): a kernel= boot's ACPI tables gain a MADT,
	 * and a save carries their state (struct vcpu_apic). */
	bool apic;
	/* Where devices send MSIs: set by an engine that delivers them to that
	 * APIC (KVM_SIGNAL_MSI), under the domain lock; send NULL otherwise. */
	struct msi_sink msi;
	/* The CPU's FERR# output (x87 error with CR0.NE = 0); a PC wires it
	 * to IRQ13. Raised with the domain lock held. */
	struct irq_line ferr;
	/* A request posted by a device, read by the vCPU loop. */
	enum machine_request request;
	int request_code;
	/* Set by the domain: makes a running vCPU return to its loop so a
	 * request takes effect before the next guest instruction. */
	void (*kick_vcpu)(void *opaque);
	void *kick_opaque;
	/* Set by the domain (NULL: none): the soonest timer deadline moved
	 * earlier, under the domain lock from any thread, so an engine that
	 * stays in the guest until a deadline it set looks again. */
	void (*retime_vcpu)(void *opaque);
	/* Guest output is held until the vCPU's slice ends (the domain's
	 * serial and debug-console buffers); under the domain lock. */
	bool output_waits;
	/* Set by the domain when its engine can catch doorbell writes in the
	 * kernel (hv/core/doorbell.h); NULL otherwise. */
	struct doorbells *doorbells;
	/* Bumped by anything that should end a HLT sleep: an interrupt, a
	 * request, a timer armed earlier than the sleep's deadline. */
	unsigned wake_seq;
	/* The A20 gate: the CPU ANDs every physical address with a20_mask
	 * (bit 20 clear while the gate is off). a20_sources holds one bit per
	 * gate (MACHINE_A20_*); the line is their OR, as on PIIX boards. */
	uint32_t a20_mask;
	unsigned a20_sources;
	/* An NMI waiting for the vCPU (hv trigger nmi): the engine takes it
	 * at its next instruction boundary (clearing it), unless an NMI
	 * handler runs (until its IRET). */
	atomic_bool nmi;
	/* The soft CPU runs without its JIT (config `jit = 0`). */
	bool jit_off;
};

/* Gates that can enable A20. */
#define MACHINE_A20_KBC	   0x01 /* i8042 output port bit 1 */
#define MACHINE_A20_PORT92 0x02 /* System Control Port A bit 1 */

/* Sets up memory with ram_bytes of RAM, an empty bus, a stopped clock.
 * Returns 0 or -1 with a message in err. */
int machine_init(struct machine *m, uint64_t ram_bytes, char *err, size_t errlen);
void machine_destroy(struct machine *m);

/* The domain lock for a thread other than the vCPU's (the event loop):
 * the vCPU hands the lock over at its next device access. */
void machine_lock_host(struct machine *m);
void machine_unlock_host(struct machine *m);

/* Port I/O from an engine: takes the domain lock around the device. */
uint32_t machine_pio_read(struct machine *m, uint16_t port, unsigned size);
void machine_pio_write(struct machine *m, uint16_t port, unsigned size, uint32_t value);

/* MMIO from an engine's slow path: takes the domain lock around the device. */
uint64_t machine_mmio_read(struct machine *m, uint64_t gpa, unsigned size);
void machine_mmio_write(struct machine *m, uint64_t gpa, unsigned size, uint64_t value);

/* Interrupt controller as the CPU sees it (no controller: never pending). */
bool machine_intr_pending(struct machine *m);
int machine_intr_ack(struct machine *m);

/* Posts a request (the first one wins until the domain consumes it) and
 * wakes the vCPU. Called with the domain lock held. */
void machine_request(struct machine *m, enum machine_request req, int code);

/* Sets one A20 gate (MACHINE_A20_*) on or off. When the line changes, the
 * memory map generation is bumped so soft TLBs drop pointers made with
 * the old mask. A machine starts with no gate on and A20 enabled until a
 * gate is first set (a board without one keeps A20 on). With the domain
 * lock held. */
void machine_set_a20(struct machine *m, unsigned source, bool on);

/* Wakes a vCPU sleeping in HLT. Called with the domain lock held. */
void machine_kick(struct machine *m);

/* A device raised its interrupt from a host thread: wakes a vCPU in HLT
 * and kicks it out of the engine to take the interrupt, unless the engine
 * runs the interrupt controller (then the line reached the CPU already).
 * With the domain lock held. */
void machine_irq_kick(struct machine *m);

/* Raises the CPU's NMI input: sets m->nmi and wakes the vCPU (out of HLT
 * too). With the domain lock held. */
void machine_nmi(struct machine *m);

#endif
