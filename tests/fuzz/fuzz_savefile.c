/* The save-file reader (hv/core/savefile.h) and the registry's load
 * (hv/core/device.h). Checksums stop random bytes at the first section,
 * so the input is used two ways: as a file as it stands (the header and
 * section checks), and cut into sections that are written with good
 * checksums (the RAM walk, the CPU state's decoding, the KVM engine's
 * judgement of its paravirtual values and the device loads behind them). */
#include <unistd.h>

#include "fuzz.h"
#include "hv/core/device.h"
#include "hv/core/memory.h"
#include "hv/core/savefile.h"
#include "hv/core/state.h"
#include "hv/core/vcpu_save.h"
#include "hv/kvm/kvm.h"

#define RAM_PAGES 16

static uint8_t ram[RAM_PAGES * SAVEFILE_PAGE];

struct dev {
	uint32_t regs[4];
	uint8_t index;
};

static void dev_save(const void *d, struct state_out *out)
{
	(void)d;
	(void)out;
}

/* A device shaped like the real ones: an index checked against its
 * array, registers, a flag. */
static int dev_load(void *d, struct state_in *in, uint32_t from)
{
	struct dev *v = d;
	uint32_t index = state_get_max(in, 3);

	for (int i = 0; i < 4; i++)
		v->regs[i] = state_get_u32(in);
	if (from > 1)
		state_get_bool(in);
	if (in->failed)
		return -1;
	v->index = (uint8_t)index;
	v->regs[v->index]++;
	return 0;
}

static const struct device_ops dev_ops = {.version = 2, .save = dev_save, .load = dev_load};

/* What a restore on the KVM engine judges before any ioctl, against a
 * guest of 1 MiB. */
static void check_cpu(const struct vcpu_state *st)
{
	static struct guest_mem mem;
	static bool made;
	char err[256];

	if (!made && mem_init(&mem, 1 << 20, err, sizeof err) < 0)
		abort();
	made = true;
	vcpu_apic_in_use(&st->apic);
	kvm_clock_check(st, &mem, err, sizeof err);
	kvm_pveoi_check(st->pv_eoi, &mem, err, sizeof err);
}

static void read_file(int fd)
{
	static struct dev a, b;
	struct device_registry reg = {0};
	struct savefile_reader r;
	const struct savefile_section *s;
	char err[256];
	uint8_t *bytes;

	if (savefile_open(&r, fd, err, sizeof err) < 0)
		return;
	for (size_t i = 0; i < r.n; i++)
		if (savefile_load(&r, &r.s[i], 1 << 16, &bytes, err, sizeof err) == 0)
			free(bytes);
	s = savefile_find(&r, "cpu");
	if (s && savefile_load(&r, s, 1 << 16, &bytes, err, sizeof err) == 0) {
		struct state_in in = state_in_make(bytes, (size_t)s->length);
		struct vcpu_state st;

		if (vcpu_state_get(&in, s->version, &st) == 0)
			check_cpu(&st);
		free(bytes);
	}
	s = savefile_find(&r, "ram");
	if (s && savefile_check_ram(&r, s, sizeof ram, err, sizeof err) == 0)
		savefile_get_ram(&r, s, ram, sizeof ram, err, sizeof err);
	device_register(&reg, "pic0", &dev_ops, &a, err, sizeof err);
	device_register(&reg, "pit0", &dev_ops, &b, err, sizeof err);
	device_load_all(&reg, &r, err, sizeof err);
	device_registry_free(&reg);
	savefile_close(&r);
}

/* Sections from the input: a byte picks the name, two the length. */
static void write_sections(int fd, const uint8_t *data, size_t size)
{
	static const char *const names[] = {"ram", "dev.pic0", "dev.pit0", "dev.vga", "cpu"};
	struct savefile_writer w;
	char err[256];

	if (savefile_start(&w, fd, err, sizeof err) < 0)
		return;
	while (size >= 4) {
		size_t n = (size_t)(data[1] | data[2] << 8);
		uint32_t version = data[3] & 7;
		const char *name = names[data[0] % 5];

		data += 4;
		size -= 4;
		if (n > size)
			n = size;
		if (savefile_put(&w, name, version, data, n, err, sizeof err) < 0)
			return;
		data += n;
		size -= n;
	}
	savefile_finish(&w, err, sizeof err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_file_two_ways(data, size, read_file, write_sections);
	return 0;
}
