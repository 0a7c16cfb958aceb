#include "legacy/piix4_pm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"
#include "hv/core/state.h"

uint32_t piix4_pm_timer(const struct piix4_pm *pm)
{
	int64_t ns = vclock_now(pm->clock);
	uint64_t s = (uint64_t)ns / 1000000000u, rem = (uint64_t)ns % 1000000000u;
	uint64_t ticks = s * PM_TMR_FREQUENCY + rem * PM_TMR_FREQUENCY / 1000000000u;

	return (uint32_t)ticks & 0xffffff;
}

static uint64_t io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct piix4_pm *pm = opaque;
	uint64_t regs; /* PM1a block as bytes 0-7, little-endian */

	if (offset >= PM_TMR && offset < PM_TMR + 4)
		return (piix4_pm_timer(pm) >> (8 * (offset - PM_TMR))) &
		       (size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1);
	if (offset >= 8)
		return 0;
	regs = pm->pm1_sts | (uint64_t)pm->pm1_en << 16 | (uint64_t)pm->pm1_cnt << 32;
	return (regs >> (8 * offset)) & (size >= 8 ? ~0ull : (1ull << (8 * size)) - 1);
}

/* The SCI follows the enabled status bits while the guest is in ACPI
 * mode (SCI_EN). */
static void update_sci(struct piix4_pm *pm)
{
	bool on = (pm->pm1_cnt & PM1_CNT_SCI_EN) &&
		  (pm->pm1_sts & pm->pm1_en & (PM1_STS_PWRBTN | PM1_STS_SLPBTN));

	irq_set(&pm->sci, on);
}

bool piix4_pm_power_button(struct piix4_pm *pm)
{
	pm->pm1_sts |= PM1_STS_PWRBTN;
	update_sci(pm);
	return (pm->pm1_cnt & PM1_CNT_SCI_EN) && (pm->pm1_en & PM1_STS_PWRBTN);
}

static void write_cnt(struct piix4_pm *pm, uint16_t v)
{
	pm->pm1_cnt = v & (PM1_CNT_SCI_EN | PM1_CNT_SLP_TYP);
	if (!(v & PM1_CNT_SLP_EN))
		return;
	if ((v & PM1_CNT_SLP_TYP) == 0 && pm->poweroff) {
		pm->poweroff(pm->opaque, 0);
		return;
	}
	log_guest("piix4_pm: sleep type %u requested, not emulated", (v & PM1_CNT_SLP_TYP) >> 10);
}

static void io_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct piix4_pm *pm = opaque;

	/* The PM1 registers are 16 bits wide; firmware and kernels use word
	 * accesses, so narrower or straddling ones are only logged. */
	if (offset == PM1A_STS && size >= 2) {
		pm->pm1_sts &= (uint16_t)~value; /* write one to clear */
		if (size == 4)
			pm->pm1_en = (uint16_t)(value >> 16);
	} else if (offset == PM1A_EN && size == 2) {
		pm->pm1_en = (uint16_t)value;
	} else if (offset == PM1A_CNT && size >= 2) {
		write_cnt(pm, (uint16_t)value);
	} else {
		log_guest("piix4_pm: %u-byte write of %#llx at PMBASE+%#x ignored", size,
			  (unsigned long long)value, (unsigned)offset);
	}
	update_sci(pm);
}

static const struct io_ops pm_io_ops = {io_read, io_write};

static uint64_t apm_read(void *opaque, uint64_t offset, unsigned size)
{
	struct piix4_pm *pm = opaque;
	uint64_t v = pm->apm_cnt | (uint64_t)pm->apm_sts << 8;

	return (v >> (8 * offset)) & (size >= 2 ? 0xffff : 0xff);
}

/* A write to APMC raises an SMI on the real chipset; with no SMM, what
 * firmware's SMI handler does for the ACPI enable and disable commands
 * happens here, as in QEMU: SCI_EN follows, which is how an ACPI kernel
 * sees the machine enter ACPI mode. Other commands are only stored. */
static void apm_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct piix4_pm *pm = opaque;

	for (unsigned i = 0; i < size && offset + i < 2; i++) {
		uint8_t b = (uint8_t)(value >> (8 * i));

		if (offset + i == 1) {
			pm->apm_sts = b;
			continue;
		}
		pm->apm_cnt = b;
		if (b == PIIX4_APM_ENABLE)
			pm->pm1_cnt |= PM1_CNT_SCI_EN;
		else if (b == PIIX4_APM_DISABLE)
			pm->pm1_cnt &= (uint16_t)~PM1_CNT_SCI_EN;
	}
	update_sci(pm);
}

static const struct io_ops apm_io_ops = {apm_read, apm_write};

/* Places or removes the I/O window after PMBASE or PMREGMISC changed. */
static void update_window(struct piix4_pm *pm)
{
	uint16_t base = (uint16_t)(pci_get(&pm->dev, PIIX4_PM_PMBASE, 4) & 0xffc0);
	bool on = pm->dev.config[PIIX4_PM_PMREGMISC] & 1;

	if (!on || base == 0)
		base = 0;
	if (base == pm->io_base)
		return;
	if (pm->io_base)
		bus_unregister(pm->pio, pm->io_base);
	pm->io_base = 0;
	if (!base)
		return;
	if (bus_register(pm->pio, base, PIIX4_PM_IO_LEN, &pm_io_ops, pm, "ACPI PM") < 0) {
		log_guest("piix4_pm: PMBASE %#x overlaps other ports, window left off", base);
		return;
	}
	pm->io_base = base;
}

static void written(struct pci_device *d, unsigned offset, unsigned size)
{
	if ((offset < PIIX4_PM_PMBASE + 4 && offset + size > PIIX4_PM_PMBASE) ||
	    offset == PIIX4_PM_PMREGMISC)
		update_window(d->opaque);
}

static const struct pci_ops piix4_pm_pci_ops = {.written = written};

void piix4_pm_reset(struct piix4_pm *pm)
{
	struct pci_device *d = &pm->dev;

	pci_device_init(d, PIIX4_PM_VENDOR, PIIX4_PM_DEVICE, 0x06, 0x80, 0x03, "PIIX4 PM");
	d->ops = &piix4_pm_pci_ops;
	d->opaque = pm;
	pci_set_byte(d, PCI_INTERRUPT_PIN, 1);
	/* Chipset registers firmware programs (SMBus base, SMI enables):
	 * stored, without effect. */
	for (unsigned r = 0x40; r < 0x100; r++)
		d->wmask[r] = 0xff;
	pci_set_long(d, PIIX4_PM_PMBASE, 1); /* bit 0: I/O space indicator */
	d->wmask[PIIX4_PM_PMBASE] = 0xc0;
	d->wmask[PIIX4_PM_PMBASE + 2] = 0;
	d->wmask[PIIX4_PM_PMBASE + 3] = 0;
	d->wmask[PIIX4_PM_PMREGMISC] = 0x01;
	/* SMM is not emulated: APMC_EN in DEVACTB reads as already set, the
	 * sign (QEMU's too, with SMM off) that firmware must not relocate
	 * SMBASE and wait for an SMI handler that will never run. */
	pci_set_byte(d, PIIX4_PM_DEVACTB + 3, PIIX4_PM_DEVACTB_APMC_EN >> 24);
	d->wmask[PIIX4_PM_DEVACTB + 3] = (uint8_t) ~(PIIX4_PM_DEVACTB_APMC_EN >> 24);
	pm->pm1_sts = pm->pm1_en = pm->pm1_cnt = 0;
	pm->apm_cnt = pm->apm_sts = 0;
	piix4_gpe_reset(&pm->gpe);
	update_window(pm);
	update_sci(pm);
}

struct piix4_pm *piix4_pm_create(struct bus *pio, struct vclock *clock, unsigned cpus,
				 struct irq_line sci, void (*poweroff)(void *opaque, int status),
				 void *opaque)
{
	struct piix4_pm *pm = calloc(1, sizeof *pm);

	if (!pm)
		return NULL;
	pm->pio = pio;
	pm->clock = clock;
	pm->sci = sci;
	pm->poweroff = poweroff;
	pm->opaque = opaque;
	/* Without the APM ports only ACPI mode from the start works (hv's
	 * own tables); the machine still runs, so a clash is only logged. */
	pm->apm_on = bus_register(pio, PIIX4_APM_PORT, 2, &apm_io_ops, pm, "APM") == 0;
	if (!pm->apm_on)
		log_guest("piix4_pm: ports %#x-%#x taken, no APM control", PIIX4_APM_PORT,
			  PIIX4_APM_PORT + 1);
	piix4_gpe_init(&pm->gpe, pio, cpus);
	piix4_pm_reset(pm);
	return pm;
}

void piix4_pm_destroy(struct piix4_pm *pm)
{
	if (!pm)
		return;
	if (pm->io_base)
		bus_unregister(pm->pio, pm->io_base);
	if (pm->apm_on)
		bus_unregister(pm->pio, PIIX4_APM_PORT);
	piix4_gpe_fini(&pm->gpe);
	free(pm);
}

static void piix4_pm_dev_reset(void *dev)
{
	piix4_pm_reset(dev);
}

/* The ACPI registers and the GPE block: an SCI that no one clears, a
 * sleep that did not happen. */
static void piix4_pm_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct piix4_pm *pm = dev;
	const struct piix4_gpe *g = &pm->gpe;

	snprintf(buf, len,
		 "pmbase=%04x pm1_sts=%04x pm1_en=%04x pm1_cnt=%04x apm=%02x/%02x "
		 "gpe_sts=%02x%02x gpe_en=%02x%02x",
		 pm->io_base, pm->pm1_sts, pm->pm1_en, pm->pm1_cnt, pm->apm_cnt, pm->apm_sts,
		 g->sts[1], g->sts[0], g->en[1], g->en[0]);
}

/* Save/restore, version 1: the configuration space (PMBASE, PMREGMISC:
 * the window is placed again from them), the PM1 and APM registers and
 * the GPE0 block. The PM timer is the virtual clock's, which a restore
 * brings back first, so it goes on counting from where it was. */
static void piix4_pm_dev_save(const void *dev, struct state_out *o)
{
	const struct piix4_pm *pm = dev;

	pci_config_save(&pm->dev, o);
	state_put_u16(o, pm->pm1_sts);
	state_put_u16(o, pm->pm1_en);
	state_put_u16(o, pm->pm1_cnt);
	state_put_u8(o, pm->apm_cnt);
	state_put_u8(o, pm->apm_sts);
	state_put_bytes(o, pm->gpe.sts, sizeof pm->gpe.sts);
	state_put_bytes(o, pm->gpe.en, sizeof pm->gpe.en);
}

static int piix4_pm_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct piix4_pm *pm = dev;
	uint8_t config[256], sts[2], en[2];
	uint16_t pm1[3];
	uint8_t apm[2];

	(void)from;
	pci_config_load(&pm->dev, in, config);
	for (int i = 0; i < 3; i++)
		pm1[i] = state_get_u16(in);
	apm[0] = state_get_u8(in);
	apm[1] = state_get_u8(in);
	state_get_bytes(in, sts, sizeof sts);
	state_get_bytes(in, en, sizeof en);
	if (!state_in_done(in) || (pm1[2] & ~(PM1_CNT_SCI_EN | PM1_CNT_SLP_TYP)))
		return -1;
	memcpy(pm->dev.config, config, sizeof config);
	pm->pm1_sts = pm1[0];
	pm->pm1_en = pm1[1];
	pm->pm1_cnt = pm1[2];
	pm->apm_cnt = apm[0];
	pm->apm_sts = apm[1];
	memcpy(pm->gpe.sts, sts, sizeof sts);
	memcpy(pm->gpe.en, en, sizeof en);
	update_window(pm);
	return 0;
}

const struct device_ops piix4_pm_device_ops = {.reset = piix4_pm_dev_reset,
					       .describe = piix4_pm_dev_describe,
					       .version = 1,
					       .save = piix4_pm_dev_save,
					       .load = piix4_pm_dev_load};
