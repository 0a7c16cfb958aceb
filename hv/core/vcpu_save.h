/* A vCPU's architectural state (struct vcpu_state, hv/core/engine.h) in a
 * save file's "cpu0" section: engine-neutral, so a domain saved on one
 * engine restores on the other where the CPU features allow. */
#ifndef HV_CORE_VCPU_SAVE_H
#define HV_CORE_VCPU_SAVE_H

#include "hv/core/engine.h"
#include "hv/core/state.h"

/* Version 2 added nmi_blocked (after the x87 state), version 3 the
 * paravirtual clock's MSRs and reading (after it), version 4 the APICs
 * (after that: present, and the rest only if it is true), version 5 the
 * XMM registers and the KVM CPU's MSRs (after those: the XMM bytes, msrs,
 * and the MSRs only if it is true), version 6 the paravirtual EOI's MSR
 * (last); an older section reads with them false or 0. */
#define VCPU_SAVE_VERSION 6

void vcpu_state_put(struct state_out *o, const struct vcpu_state *st);
/* Reads what vcpu_state_put of version `from` (1 to VCPU_SAVE_VERSION)
 * wrote; -1 for another version, or when the bytes are short, long or
 * hold a bad flag. The engine's vcpu_set_state judges the values. */
int vcpu_state_get(struct state_in *in, uint32_t from, struct vcpu_state *st);

/* Whether the guest depends on its APICs (a present): the local APIC
 * globally enabled and past the virtual-wire setup a PC/AT's firmware
 * leaves (x2APIC mode, LINT0 not an unmasked ExtINT, its timer unmasked,
 * a vector requested or in service), or an I/O APIC pin unmasked. If not,
 * the machine behaves as one with the 8259 alone, which an engine without
 * APICs (the soft one) can take. */
bool vcpu_apic_in_use(const struct vcpu_apic *a);

#endif
