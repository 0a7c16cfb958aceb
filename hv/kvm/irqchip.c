/* KVM's in-kernel interrupt controller (KVM_CREATE_IRQCHIP) in place of
 * the board's userspace 8259 pair: the PIC's ports, EOIs, mask writes,
 * INTA and HLT then stay in the kernel, and a device raising its line
 * from a host thread (a virtio completion) reaches the guest through
 * KVM_IRQ_LINE without stopping the vCPU. The board's model remains the
 * register image for save/restore (its format unchanged, so a save moves
 * between engines), `hv list -l` and the PIT, through intc_engine_ops.
 * KVM adds an I/O APIC and a local APIC, which the guest gets too
 * (kvm_apic.c: CPUID's APIC bit, the base MSR enabled, a MADT in a
 * kernel= boot's ACPI tables) unless HV_KVM_APIC=0: then CPUID hides the
 * APIC, the base MSR is cleared and the guest sees a plain PC/AT PIC. With
 * the APICs the machine gets an MSI sink (KVM_SIGNAL_MSI), so virtio
 * offers MSI-X. The
 * BSP's LINT0 is in virtual-wire mode at reset, so the 8259 reaches the
 * CPU in both. The PIT stays hv's. The default since kvm-clock is (the
 * modern guest's boot that once stalled with it ran on the ACPI PM
 * timer); HV_KVM_IRQCHIP=0 keeps the userspace PIC (and no APIC). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hv/kvm/kvm.h"
#include "hv/boot/acpi.h"
#include "hv/core/log.h"
#include "hv/core/machine.h"

static void chip_from_kvm(const struct kvm_pic_state *k, struct intc_chip_regs *r)
{
	*r = (struct intc_chip_regs){
	    .irr = k->irr,
	    .isr = k->isr,
	    .imr = k->imr,
	    .pins = k->last_irr,
	    .elcr = k->elcr,
	    .vector_base = k->irq_base,
	    .top = k->priority_add & 7,
	    .init = k->init_state,
	    .icw4_needed = k->init4,
	    .auto_eoi = k->auto_eoi,
	    .rotate_aeoi = k->rotate_on_auto_eoi,
	    .sfnm = k->special_fully_nested_mode,
	    .special_mask = k->special_mask,
	    .read_isr = k->read_reg_select,
	    .poll = k->poll,
	};
}

static void chip_to_kvm(const struct intc_chip_regs *r, uint8_t elcr_mask, struct kvm_pic_state *k)
{
	*k = (struct kvm_pic_state){
	    .last_irr = r->pins,
	    .irr = r->irr,
	    .imr = r->imr,
	    .isr = r->isr,
	    .priority_add = r->top & 7,
	    .irq_base = r->vector_base,
	    .read_reg_select = r->read_isr,
	    .poll = r->poll,
	    .special_mask = r->special_mask,
	    .init_state = r->init,
	    .auto_eoi = r->auto_eoi,
	    .rotate_on_auto_eoi = r->rotate_aeoi,
	    .special_fully_nested_mode = r->sfnm,
	    .init4 = r->icw4_needed,
	    .elcr = r->elcr & elcr_mask,
	    .elcr_mask = elcr_mask,
	};
}

static void set_irq(void *engine, int n, int level)
{
	struct kvm_vm *vm = engine;
	struct kvm_irq_level l = {.irq = (uint32_t)n, .level = (uint32_t)level};

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0 && vm->irq_errors++ < 10)
		log_error("kvm: KVM_IRQ_LINE %d=%d: %s", n, level, strerror(errno));
}

static int get(void *engine, struct intc_chip_regs regs[2])
{
	struct kvm_vm *vm = engine;

	for (unsigned i = 0; i < 2; i++) {
		struct kvm_irqchip c = {.chip_id =
					    i ? KVM_IRQCHIP_PIC_SLAVE : KVM_IRQCHIP_PIC_MASTER};

		if (ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &c) < 0) {
			log_error("kvm: KVM_GET_IRQCHIP: %s", strerror(errno));
			return -1;
		}
		chip_from_kvm(&c.chip.pic, &regs[i]);
		vm->elcr_mask[i] = c.chip.pic.elcr_mask;
	}
	return 0;
}

static int put(void *engine, const struct intc_chip_regs regs[2])
{
	struct kvm_vm *vm = engine;

	for (unsigned i = 0; i < 2; i++) {
		struct kvm_irqchip c = {.chip_id =
					    i ? KVM_IRQCHIP_PIC_SLAVE : KVM_IRQCHIP_PIC_MASTER};

		chip_to_kvm(&regs[i], vm->elcr_mask[i], &c.chip.pic);
		if (ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &c) < 0) {
			log_error("kvm: KVM_SET_IRQCHIP: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

static const struct intc_engine_ops kvm_pic_ops = {set_irq, get, put};

static bool wanted(const char *var)
{
	const char *v = getenv(var);

	return !v || strcmp(v, "0") != 0;
}

/* The guest gets KVM's APICs (unless HV_KVM_APIC=0): their power-on
 * state kept for a reset, the machine told (its ACPI tables). */
static void apic_setup(struct kvm_vm *vm)
{
	struct kvm_irqchip c = {.chip_id = KVM_IRQCHIP_IOAPIC};

	if (!wanted("HV_KVM_APIC"))
		return;
	if (ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &c) < 0) {
		log_info("kvm: the I/O APIC cannot be read (%s): the guest gets no APIC",
			 strerror(errno));
		return;
	}
	vm->ioapic_reset = c.chip.ioapic;
	vm->apic = true;
}

/* The machine's MSI sink (hv/core/msi.h): KVM_SIGNAL_MSI puts the message
 * in the local APIC from whichever thread completes a request, with no
 * exit of the vCPU to hv (the one KVM's own kick costs aside) and no
 * routing table to keep: the device's table holds the addresses. Only
 * the APIC's window is taken; KVM would read any other address as one. */
static int send_msi(void *opaque, uint64_t addr, uint32_t data)
{
	struct kvm_vm *vm = opaque;
	struct kvm_msi msi = {
	    .address_lo = (uint32_t)addr, .address_hi = (uint32_t)(addr >> 32), .data = data};

	if ((addr & ~0xFFFFFull) != ACPI_LAPIC_BASE)
		return -1;
	if (ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0) {
		if (vm->irq_errors++ < 10)
			log_error("kvm: KVM_SIGNAL_MSI: %s", strerror(errno));
		return -1;
	}
	return 0; /* 0: the APIC is software-disabled and dropped it, as hardware would */
}

static struct msi_sink msi_sink(struct kvm_vm *vm)
{
	if (!vm->apic || ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SIGNAL_MSI) <= 0)
		return (struct msi_sink){0};
	return (struct msi_sink){send_msi, vm};
}

/* Before the vCPU exists (KVM's rule). Without the capability, or with a
 * board whose controller cannot be handed over, the userspace PIC stays.
 * Returns 0, or -1 with a message in err when the VM has an in-kernel
 * controller it cannot use (KVM_INTERRUPT is then refused). */
int kvm_irqchip_setup(struct kvm_vm *vm, char *err, size_t len)
{
	struct machine *m = vm->m;
	struct intc_chip_regs regs[2];

	if (!wanted("HV_KVM_IRQCHIP") || !m->intc || !m->intc->offload ||
	    ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) <= 0)
		return 0;
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		log_info("kvm: no in-kernel interrupt controller (%s): the PIC stays in hv",
			 strerror(errno));
		return 0;
	}
	if (get(vm, regs) < 0) { /* KVM's ELCR masks, which put() keeps */
		snprintf(err, len, "kvm: the in-kernel interrupt controller cannot be read");
		return -1;
	}
	vm->irqchip = true;
	apic_setup(vm);
	pthread_mutex_lock(&m->lock);
	m->intc->offload(m->intc_opaque, &kvm_pic_ops, vm);
	m->intc_in_engine = true;
	m->apic = vm->apic;
	m->msi = msi_sink(vm);
	pthread_mutex_unlock(&m->lock);
	return 0;
}

/* The board's model takes its controller back (the engine goes away). */
void kvm_irqchip_release(struct kvm_vm *vm)
{
	struct machine *m = vm->m;

	if (!vm->irqchip)
		return;
	pthread_mutex_lock(&m->lock);
	if (m->intc && m->intc->offload)
		m->intc->offload(m->intc_opaque, NULL, NULL);
	m->intc_in_engine = false;
	m->apic = false;
	m->msi = (struct msi_sink){0};
	pthread_mutex_unlock(&m->lock);
	vm->irqchip = vm->apic = false;
}

/* Undoes the INTA of vector, which KVM took from the PIC but the vCPU
 * has not entered yet (KVM_GET_VCPU_EVENTS' interrupt.injected): the
 * request goes back to IRR and its ISR bit is cleared, so a save holds it
 * as pending rather than in service with nothing left to end it. Returns
 * true if the vector was one the PIC had put in service. */
static bool unack_chip(struct kvm_pic_state *c, unsigned vector)
{
	uint8_t b = (uint8_t)(1u << (vector & 7));

	if ((vector & 0xf8) != c->irq_base || !(c->isr & b))
		return false;
	c->isr &= (uint8_t)~b;
	if (!(c->elcr & b))
		c->irr |= b; /* an edge request; a level one is still in IRR */
	return true;
}

bool kvm_irqchip_unack(struct kvm_vm *vm, unsigned vector)
{
	struct kvm_irqchip c[2] = {{.chip_id = KVM_IRQCHIP_PIC_MASTER},
				   {.chip_id = KVM_IRQCHIP_PIC_SLAVE}};
	bool slave;

	if (!vm->irqchip || ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &c[0]) < 0 ||
	    ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &c[1]) < 0)
		return false;
	slave = unack_chip(&c[1].chip.pic, vector);
	if (slave) /* the master's IR2 went in service with it */
		c[0].chip.pic.isr &= (uint8_t) ~(1u << 2);
	else if (!unack_chip(&c[0].chip.pic, vector))
		return false;
	if (ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &c[1]) < 0 ||
	    ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &c[0]) < 0) {
		log_error("kvm: KVM_SET_IRQCHIP: %s", strerror(errno));
		return false;
	}
	return true;
}
