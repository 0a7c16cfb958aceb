/* Host CPU the sound devices cost, without a guest: the SB16 playing
 * 44100 Hz 16-bit stereo by auto-init DMA (paced, decoded, resampled to
 * 48 kHz) and the OPL3 holding one note (Nuked OPL3), each rendered for
 * 10 s of virtual time in 10 ms rounds as a sink pulls them. Prints ms of
 * CPU per second of sound; asserts nothing.
 *   make -C build bench_sound_cpu && build/bench_sound_cpu */
#include <stdio.h>
#include <time.h>

#include "hv/core/memory.h"
#include "legacy/dma8237.h"
#include "legacy/opl3.h"
#include "legacy/sb16.h"

#define ROUNDS 1000
#define ROUND  480 /* frames: 10 ms */

static struct vclock clk;

static double cpu_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void at_ns(int64_t ns)
{
	while (vclock_next_deadline(&clk) <= ns) {
		clk.base_virt = vclock_next_deadline(&clk);
		vclock_run_expired(&clk);
	}
	clk.base_virt = ns;
}

/* Channel 5: auto-init read of 32768 words at 20000h. */
static void program_dma(struct dma8237 *d)
{
	static const uint8_t seq[][2] = {{0x14, 5}, {0x16, 0x59}, {0x18, 0},   {0x04, 0},
					 {0x04, 0}, {0x06, 0xFF}, {0x06, 0x7F}};

	for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++)
		dma8237_dma2_io_ops.write(d, seq[i][0], 1, seq[i][1]);
	dma8237_page_io_ops.write(d, 0x8B - DMA8237_PAGE_FIRST, 1, 2);
	dma8237_dma2_io_ops.write(d, 0x14, 1, 1);
}

static double run(struct audio_source *src, void (*ack)(void *), void *opaque)
{
	static float out[ROUND];
	int64_t base = clk.base_virt;
	uint64_t f0 = audio_frame_at(base);
	double t0 = cpu_s();

	for (int i = 0; i < ROUNDS; i++) {
		at_ns(base + (int64_t)(i + 1) * 10000000);
		if (ack)
			ack(opaque);
		src->render(src->opaque, f0 + (uint64_t)i * ROUND, ROUND, out);
	}
	return (cpu_s() - t0) * 1000 / (ROUNDS / 100.0);
}

static void ack16(void *opaque)
{
	sb16_io_ops.read(opaque, SB16_ACK16, 1);
}

int main(void)
{
	static const uint8_t play[] = {0x41, 44100 >> 8, 44100 & 0xFF, 0xB6, 0x30, 0xFF, 0x3F};
	static const uint8_t note[][2] = {{0x20, 0x21}, {0x23, 0x21}, {0x40, 0x3F},
					  {0x43, 0x00}, {0x60, 0xF0}, {0x63, 0xF0},
					  {0xC0, 0x01}, {0xA0, 0x44}, {0xB0, 0x32}};
	struct irq_line irq[SB16_IRQ_CHOICES] = {{0}};
	struct guest_mem mem;
	struct dma8237 *d;
	struct sb16 *s;
	struct opl3 *o;
	struct audio_source src;
	char err[128];

	vclock_init(&clk);
	if (mem_init(&mem, 1 << 20, err, sizeof err) < 0 || !(d = dma8237_create(&mem)) ||
	    !(s = sb16_create(&clk, d, irq, 5, 1, 5)) || !(o = opl3_create(&clk))) {
		fprintf(stderr, "bench_sound_cpu: set-up failed\n");
		return 1;
	}
	src = sb16_audio_source(s);
	program_dma(d);
	for (size_t i = 0; i < sizeof play; i++)
		sb16_io_ops.write(s, SB16_WRITE, 1, play[i]);
	printf(
	    "sb16, 44100 Hz 16-bit stereo auto-init DMA resampled to 48 kHz: %.2f ms CPU per s\n",
	    run(&src, ack16, s));
	src = opl3_audio_source(o);
	for (size_t i = 0; i < sizeof note / sizeof note[0]; i++) {
		opl3_write(o, 0, note[i][0]);
		opl3_write(o, 1, note[i][1]);
	}
	printf("opl3, one note (Nuked OPL3 at 48 kHz): %.2f ms CPU per s\n", run(&src, NULL, NULL));
	return 0;
}
