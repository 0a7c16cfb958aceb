/* The SB16's DSP: a command byte and its arguments through port 2xCh,
 * answers through the read buffer at 2xAh. Commands it does not know
 * (ADPCM, ASP/CSP, DMA identification) are a bounded log line and
 * nothing else, arguments included. */
#include <string.h>

#include "hv/core/log.h"
#include "legacy/sb16.h"

#define RATE_DEFAULT  11025
#define BLOCK_DEFAULT 0x800
#define SBPRO_STEREO  0x02 /* mixer 0Eh: the SB Pro's stereo switch for 8-bit commands */

static const char copyright[] = "COPYRIGHT (C) CREATIVE TECHNOLOGY LTD, 1992.";

void sb16_push(struct sb16 *s, uint8_t v)
{
	if (s->out_len == SB16_OUT_MAX) {
		log_guest("sb16: DSP read buffer full, answer byte dropped");
		return;
	}
	s->out[(s->out_head + s->out_len++) % SB16_OUT_MAX] = v;
}

void sb16_dsp_reset(struct sb16 *s)
{
	sb16_stop_run(s);
	memset(&s->run, 0, sizeof s->run);
	s->out_head = s->out_len = 0;
	s->in_cmd = false;
	s->nargs = s->need = 0;
	s->speaker = false;
	s->out_rate = RATE_DEFAULT;
	s->block_size = BLOCK_DEFAULT;
	s->direct = false;
	s->pending = 0;
	sb16_update_irq(s);
	sb16_push(s, 0xAA);
}

/* Argument bytes a command takes. */
static unsigned args_of(uint8_t c)
{
	if (c >= 0xB0 && c <= 0xCF)
		return 3;
	switch (c) {
	case 0x10:
	case 0x40:
	case 0xE0:
	case 0xE2:
	case 0xE4: return 1;
	case 0x14:
	case 0x16:
	case 0x17:
	case 0x24:
	case 0x41:
	case 0x42:
	case 0x48:
	case 0x74:
	case 0x75:
	case 0x76:
	case 0x77:
	case 0x80: return 2;
	default: return 0;
	}
}

/* The SB-compatible 8-bit transfers: rate from 40h/41h, stereo from the
 * SB Pro's mixer switch (the rate then counts bytes of both channels). */
static void start8(struct sb16 *s, uint32_t bytes, bool autoinit, bool input)
{
	struct sb16_run r = {.autoinit = autoinit, .input = input, .block = bytes};

	r.stereo = (s->mix[0x0E] & SBPRO_STEREO) != 0;
	r.rate = r.stereo ? s->out_rate / 2 : s->out_rate;
	sb16_start_run(s, &r);
}

/* Bxh (16-bit) and Cxh (8-bit): bit 3 input, bit 2 auto-init; the mode
 * byte's bit 4 signed, bit 5 stereo; the length counts bytes or words. */
static void start16(struct sb16 *s)
{
	struct sb16_run r = {0};

	if (s->cmd & 1) {
		log_guest("sb16: DSP command %#x is not one (bit 0 set)", s->cmd);
		s->bad_cmds++;
		return;
	}
	r.sixteen = s->cmd < 0xC0;
	r.input = (s->cmd & 0x08) != 0;
	r.autoinit = (s->cmd & 0x04) != 0;
	r.is_signed = (s->args[0] & 0x10) != 0;
	r.stereo = (s->args[0] & 0x20) != 0;
	r.block = (uint32_t)(s->args[1] | s->args[2] << 8) + 1;
	r.rate = s->out_rate;
	sb16_start_run(s, &r);
}

static void pause_width(struct sb16 *s, bool sixteen, bool paused)
{
	if (s->run.active && s->run.sixteen == sixteen)
		sb16_pause(s, paused);
}

static void exit_autoinit(struct sb16 *s, bool sixteen, bool keep)
{
	sb16_sync(s, vclock_now(s->clock));
	if (s->run.active && s->run.sixteen == sixteen)
		s->run.autoinit = keep;
}

static uint32_t arg16(const struct sb16 *s)
{
	return (uint32_t)(s->args[0] | s->args[1] << 8);
}

/* Commands that start, stop or shape a transfer; false if c is none. */
static bool exec_transfer(struct sb16 *s, uint8_t c)
{
	switch (c) {
	case 0x14: start8(s, arg16(s) + 1, false, false); break;
	case 0x1C:
	case 0x90: start8(s, s->block_size, true, false); break;
	case 0x91: start8(s, s->block_size, false, false); break;
	case 0x24: start8(s, arg16(s) + 1, false, true); break;
	case 0x2C:
	case 0x98: start8(s, s->block_size, true, true); break;
	case 0x99: start8(s, s->block_size, false, true); break;
	case 0x80:
		sb16_start_run(s, &(struct sb16_run){
				      .silence = true, .block = arg16(s) + 1, .rate = s->out_rate});
		break;
	case 0xD0: pause_width(s, false, true); break;
	case 0xD4: pause_width(s, false, false); break;
	case 0xD5: pause_width(s, true, true); break;
	case 0xD6: pause_width(s, true, false); break;
	case 0xD9: exit_autoinit(s, true, false); break;
	case 0xDA: exit_autoinit(s, false, false); break;
	case 0x45: exit_autoinit(s, false, true); break;
	case 0x47: exit_autoinit(s, true, true); break;
	default:
		if (c < 0xB0 || c > 0xCF)
			return false;
		start16(s);
	}
	return true;
}

static void exec(struct sb16 *s)
{
	uint8_t c = s->cmd;

	if (exec_transfer(s, c))
		return;
	switch (c) {
	case 0x10: sb16_direct(s, s->args[0]); break;
	case 0x20: sb16_push(s, 0x80); break; /* direct ADC: silence */
	case 0x40:
		sb16_sync(s, vclock_now(s->clock));
		s->out_rate = 1000000u / (256u - s->args[0]);
		break;
	case 0x41:
	case 0x42:
		sb16_sync(s, vclock_now(s->clock));
		s->out_rate = (uint32_t)(s->args[0] << 8 | s->args[1]);
		break;
	case 0x48: s->block_size = arg16(s) + 1; break;
	case 0xD1: s->speaker = true; break;
	case 0xD3: s->speaker = false; break;
	case 0xD8: sb16_push(s, s->speaker ? 0xFF : 0x00); break;
	case 0xE0: sb16_push(s, (uint8_t)~s->args[0]); break;
	case 0xE1:
		sb16_push(s, SB16_VERSION_MAJOR);
		sb16_push(s, SB16_VERSION_MINOR);
		break;
	case 0xE3:
		for (size_t i = 0; i < sizeof copyright; i++)
			sb16_push(s, (uint8_t)copyright[i]);
		break;
	case 0xE4: s->test_reg = s->args[0]; break;
	case 0xE8: sb16_push(s, s->test_reg); break;
	case 0xF2: sb16_raise(s, SB16_IRQ_8BIT); break;
	case 0xF3: sb16_raise(s, SB16_IRQ_16BIT); break;
	default: s->bad_cmds++; log_guest("sb16: DSP command %#x is not emulated (ignored)", c);
	}
}

void sb16_dsp_write(struct sb16 *s, uint8_t v)
{
	if (!s->in_cmd) {
		s->cmd = v;
		s->need = args_of(v);
		s->nargs = 0;
		s->in_cmd = s->need > 0;
		if (!s->in_cmd)
			exec(s);
		return;
	}
	s->args[s->nargs++] = v;
	if (s->nargs == s->need) {
		s->in_cmd = false;
		exec(s);
	}
}
