/* System control port B (61h on a PC/AT): the PC speaker's two control
 * bits, GATE of PIT counter 2, and the status bits programs poll for
 * timing (counter 2's OUT and the refresh toggle); and the speaker itself,
 * a sound source (hv/core/audio_source.h) on the virtual clock. The cone
 * follows (data bit AND counter 2's OUT); each output frame is that level
 * averaged over the frame's span of virtual time (a box filter, computed
 * exactly from the counter's mode and count, so square tones do not
 * alias and sub-frame PWM comes out as its average), then AC-coupled as
 * the speaker is, so a level held high fades to silence. */
#ifndef HV_LEGACY_PCSPK_H
#define HV_LEGACY_PCSPK_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/core/audio_source.h"

#include "hv/core/bus.h"
#include "hv/core/clock.h"
#include "hv/core/device.h"
#include "legacy/pit8254.h"

/* Bits of the port. */
#define PCSPK_GATE2	 0x01 /* GATE of PIT counter 2 (read/write) */
#define PCSPK_DATA	 0x02 /* speaker data: counter 2's OUT reaches the speaker */
#define PCSPK_PARITY_OFF 0x04 /* parity check disable (kept, no effect) */
#define PCSPK_IOCHK_OFF	 0x08 /* channel check disable (kept, no effect) */
#define PCSPK_REFRESH	 0x10 /* refresh request toggle (read-only) */
#define PCSPK_OUT2	 0x20 /* PIT counter 2's OUT (read-only) */
#define PCSPK_WRITABLE	 0x0f

/* The refresh toggle's half period: 15.085 us, the AT's DRAM refresh. */
#define PCSPK_REFRESH_NS 15085

/* The speaker's output: frames kept for the mixer to pull (about 340 ms;
 * older ones are dropped, so a source nobody reads stays bounded). */
#define PCSPK_RING  16384
#define PCSPK_LEVEL 0.5f /* a full swing, 0 to 1, after AC coupling: +-0.25 */

struct pcspk {
	struct pit8254 *pit;  /* counter 2: GATE from bit 0, OUT to bit 5 */
	struct vclock *clock; /* time base of the refresh toggle */
	uint8_t ctrl;	      /* bits 0-3 as last written */
	/* Sound, once pcspk_audio_source() was asked for: */
	bool listening;
	int64_t synth_ns;	  /* virtual time synthesized up to */
	uint64_t frame;		  /* the frame being accumulated */
	double acc;		  /* its high ticks so far */
	float dc_in, dc_out;	  /* the AC coupling's last input and output */
	float ring[PCSPK_RING];	  /* frame k at ring[k % PCSPK_RING], k < frame */
	uint64_t frames, toggles; /* for `hv list -l`: frames made, data bit edges */
};

/* Allocates the port in its reset state (all control bits clear), bound
 * to pit's counter 2. Returns NULL if out of memory. */
struct pcspk *pcspk_create(struct pit8254 *pit, struct vclock *clock);
void pcspk_destroy(struct pcspk *s);

/* Reset: control bits clear, counter 2's GATE low. */
void pcspk_reset(struct pcspk *s);

/* The speaker as a sound source; from then on it synthesizes. */
struct audio_source pcspk_audio_source(struct pcspk *s);

/* Synthesizes the sound up to virtual time ns (before a change of the
 * speaker's inputs; render does it too). */
void pcspk_sync(struct pcspk *s, int64_t ns);

/* The port, len 1. */
extern const struct io_ops pcspk_io_ops;

/* The registry's view (hv/core/device.h) of a struct pcspk. */
extern const struct device_ops pcspk_device_ops;

#endif
