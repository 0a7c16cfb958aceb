/* Every legacy device through its port interface: the whole PC (PIC, PIT,
 * RTC, keyboard controller, VGA, IDE, floppy, DMA, UARTs, PIIX, fw_cfg,
 * a Sound Blaster 16 at 220h...) built once, then each input is a
 * sequence of accesses, 4 bytes each: port (16 bits), value, and a
 * control byte (bit 0: write, bits 1-2: size 1, 2 or 4, bit 3: run the
 * timers that are due (the clock runs on host time) and render the
 * SB16's sound, bit 4: the port is the SB16's, 220h + port % 16, bit
 * 5: the access is to the HPET's registers instead, at offset port % 400h
 * (MMIO, of 1, 2, 4 or 8 bytes). The machine is reset between inputs. */
#include "fuzz.h"
#include "hv/core/machine.h"
#include "legacy/pc.h"

static struct machine m;
static struct pc *pc;
static struct audio_source sb16;
static uint64_t frame;

static void tx(void *opaque, uint8_t byte)
{
	(void)opaque, (void)byte;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pc_hooks hooks = {.serial = {{.tx = tx}, {.tx = tx}}, .debugcon = {.tx = tx}};
	char err[256];

	(void)argc, (void)argv;
	if (machine_init(&m, 16u << 20, err, sizeof err) < 0 ||
	    !(pc = pc_create(&m, &hooks, err, sizeof err)) ||
	    pc_add_sb16(pc, &(struct pc_sb16_config){0x220, 5, 1, 5}, err, sizeof err) < 0 ||
	    pc_sb16_source(pc, &sb16) < 0)
		abort();
	vclock_start(&m.clock);
	return 0;
}

/* One access to the HPET's MMIO registers (the value repeated in each
 * byte). */
static void hpet(uint32_t offset, unsigned size, uint8_t value, bool write)
{
	uint64_t gpa = pc_hpet_base(pc) + offset;

	if (write)
		mem_write_sized(&m.mem, gpa, size, value * 0x0101010101010101ull);
	else
		mem_read_sized(&m.mem, gpa, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned sizes[] = {1, 2, 4, 1}, mmio_sizes[] = {1, 2, 4, 8};

	pthread_mutex_lock(&m.lock);
	device_reset_all(&m.devices);
	m.request = MACHINE_REQ_NONE;
	for (size_t i = 0; i + 4 <= size; i += 4) {
		uint16_t port = (uint16_t)(data[i] | data[i + 1] << 8);
		uint8_t value = data[i + 2], ctl = data[i + 3];
		unsigned len = sizes[(ctl >> 1) & 3];

		if (ctl & 16)
			port = (uint16_t)(0x220 + port % 16);
		if (ctl & 32)
			hpet(port % 0x400, mmio_sizes[(ctl >> 1) & 3], value, ctl & 1);
		else if (ctl & 1)
			bus_write(&m.pio, port, len, value * 0x01010101u);
		else
			bus_read(&m.pio, port, len);
		if (ctl & 8) {
			float out[512];

			vclock_run_expired(&m.clock);
			if (audio_frame_at(vclock_now(&m.clock)) > frame + 512)
				frame = audio_frame_at(vclock_now(&m.clock)) - 512;
			sb16.render(sb16.opaque, frame, 512, out);
			frame += 512;
		}
	}
	pthread_mutex_unlock(&m.lock);
	return 0;
}
