/* The guest's local APIC and I/O APIC on the KVM engine: the ones KVM's
 * in-kernel irqchip emulates (irqchip.c turns them on, vm->apic), so the
 * guest's timer tick, EOIs and interrupt masking stay in the kernel instead
 * of going through hv's PIT and the 8259's ports. KVM resets neither with
 * a machine reset, so hv keeps their power-on state and puts it back; a
 * save carries both as struct vcpu_apic (the I/O APIC with the only vCPU).
 * The values of a restore come from a file: the base MSR is checked here,
 * the rest KVM takes as a guest could write it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hv/kvm/kvm.h"
#include "hv/boot/acpi.h"
#include "hv/core/log.h"

#define BASE_BSP    (1u << 8)
#define BASE_X2APIC (1u << 10)
#define BASE_ENABLE (1u << 11)
#define BASE_RESET  (ACPI_LAPIC_BASE | BASE_ENABLE | BASE_BSP)
#define APIC_ISR    0x100 /* eight 32-bit words 10h apart */
#define APIC_IRR    0x200

_Static_assert(sizeof(struct kvm_lapic_state) == VCPU_APIC_BYTES, "KVM's APIC page");
_Static_assert(sizeof(((struct kvm_ioapic_state *)0)->redirtbl) / sizeof(uint64_t) ==
		   VCPU_IOAPIC_PINS,
	       "KVM's I/O APIC pins");

int kvm_apic_created(struct kvm_vcpu *v, char *err, size_t len)
{
	if (v->vm->apic && ioctl(v->fd, KVM_GET_LAPIC, &v->lapic_reset) < 0)
		return kvm_fail(err, len, "KVM_GET_LAPIC");
	return 0;
}

static int put_ioapic(struct kvm_vm *vm, const struct kvm_ioapic_state *s)
{
	struct kvm_irqchip c = {.chip_id = KVM_IRQCHIP_IOAPIC};

	c.chip.ioapic = *s;
	return ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &c);
}

int kvm_apic_reset(struct kvm_vcpu *v)
{
	if (!v->vm->apic)
		return 0;
	if (ioctl(v->fd, KVM_SET_LAPIC, &v->lapic_reset) < 0 ||
	    put_ioapic(v->vm, &v->vm->ioapic_reset) < 0) {
		log_error("kvm: cannot reset the APICs: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int kvm_apic_get(struct kvm_vcpu *v, uint64_t base, struct vcpu_state *st, char *err, size_t len)
{
	struct vcpu_apic *a = &st->apic;
	struct kvm_irqchip c = {.chip_id = KVM_IRQCHIP_IOAPIC};

	memset(a, 0, sizeof *a);
	if (!v->vm->apic)
		return 0;
	if (ioctl(v->fd, KVM_GET_LAPIC, a->page) < 0)
		return kvm_fail(err, len, "KVM_GET_LAPIC");
	if (ioctl(v->vm->vm_fd, KVM_GET_IRQCHIP, &c) < 0)
		return kvm_fail(err, len, "KVM_GET_IRQCHIP (I/O APIC)");
	a->present = true;
	a->base = base;
	a->ioapic_id = c.chip.ioapic.id;
	a->ioapic_sel = c.chip.ioapic.ioregsel;
	a->ioapic_irr = c.chip.ioapic.irr;
	for (unsigned i = 0; i < VCPU_IOAPIC_PINS; i++)
		a->redir[i] = c.chip.ioapic.redirtbl[i].bits;
	return 0;
}

/* At the one address hv's MADT gives, enabled or not, x2APIC only when
 * enabled, and no reserved bit. */
int kvm_apic_check(const struct vcpu_apic *a, char *err, size_t len)
{
	uint64_t flags = a->base & ~(uint64_t)ACPI_LAPIC_BASE;

	if (!a->present)
		return 0;
	if ((a->base & ~0xfffull) != ACPI_LAPIC_BASE ||
	    (flags & ~(uint64_t)(BASE_BSP | BASE_X2APIC | BASE_ENABLE)) ||
	    ((flags & BASE_X2APIC) && !(flags & BASE_ENABLE)) || a->ioapic_sel > 0xff ||
	    a->ioapic_id > 0xff) {
		snprintf(err, len, "the saved APIC state is not valid (base MSR %#llx)",
			 (unsigned long long)a->base);
		return -1;
	}
	return 0;
}

uint64_t kvm_apic_base(const struct kvm_vcpu *v, const struct vcpu_state *st)
{
	if (!v->vm->apic)
		return 0;
	return st->apic.present ? st->apic.base : BASE_RESET;
}

int kvm_apic_set(struct kvm_vcpu *v, const struct vcpu_state *st, char *err, size_t len)
{
	const struct vcpu_apic *a = &st->apic;
	struct kvm_irqchip c = {.chip_id = KVM_IRQCHIP_IOAPIC};

	if (!v->vm->apic)
		return 0; /* restore_cpu refused a state that needs one */
	if (!a->present)  /* saved without APICs: a PC/AT's, as at power-on */
		return kvm_apic_reset(v) < 0 ? kvm_fail(err, len, "KVM_SET_LAPIC") : 0;
	if (ioctl(v->fd, KVM_SET_LAPIC, a->page) < 0)
		return kvm_fail(err, len, "KVM_SET_LAPIC");
	if (ioctl(v->vm->vm_fd, KVM_GET_IRQCHIP, &c) < 0)
		return kvm_fail(err, len, "KVM_GET_IRQCHIP (I/O APIC)");
	c.chip.ioapic.id = a->ioapic_id;
	c.chip.ioapic.ioregsel = a->ioapic_sel;
	c.chip.ioapic.irr = a->ioapic_irr;
	for (unsigned i = 0; i < VCPU_IOAPIC_PINS; i++)
		c.chip.ioapic.redirtbl[i].bits = a->redir[i];
	if (ioctl(v->vm->vm_fd, KVM_SET_IRQCHIP, &c) < 0)
		return kvm_fail(err, len, "KVM_SET_IRQCHIP (I/O APIC)");
	return 0;
}

/* Undoes KVM's acknowledge of vector (IRR to ISR) for an interrupt the
 * vCPU has not entered yet, as kvm_irqchip_unack does for the PIC's. */
bool kvm_apic_unack(struct kvm_vcpu *v, unsigned vector)
{
	struct kvm_lapic_state s;
	unsigned word = (vector & 0xe0) >> 1, bit = vector & 31;
	uint32_t isr, irr;

	if (!v->vm->apic || vector > 0xff || ioctl(v->fd, KVM_GET_LAPIC, &s) < 0)
		return false;
	memcpy(&isr, s.regs + APIC_ISR + word, 4);
	memcpy(&irr, s.regs + APIC_IRR + word, 4);
	if (!(isr & 1u << bit))
		return false;
	isr &= ~(1u << bit);
	irr |= 1u << bit;
	memcpy(s.regs + APIC_ISR + word, &isr, 4);
	memcpy(s.regs + APIC_IRR + word, &irr, 4);
	if (ioctl(v->fd, KVM_SET_LAPIC, &s) < 0) {
		log_error("kvm: KVM_SET_LAPIC: %s", strerror(errno));
		return false;
	}
	return true;
}
