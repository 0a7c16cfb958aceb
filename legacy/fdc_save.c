/* The floppy controller's save and load ops (device_ops, version 1).
 *
 * Version 1: DOR, TDR, data rate and DSR bits; the phase, the 16-byte
 * command/result FIFO with its position and length, the opcode of the
 * command being received or run (0xFF for none: the table entry is found
 * again from it), the INT output and the SENSE INTERRUPTs owed after a
 * reset; SPECIFY, CONFIGURE, PERPENDICULAR and LOCK; the running data
 * command's next ID, EOT, head and multi-track bit; then per drive whether
 * it holds a disk and the image's size (which must be this machine's: the
 * image is the disk and is not saved), the head's cylinder, the next
 * sector for READ ID, the disk-change line and the pending seek status.
 *
 * The DMA request is the DMA controller's state (dma8237 saves its DREQ
 * lines) and nothing is served on load; the IRQ line is driven again from
 * INT and the DOR's gate, without a new edge. A phase, position, length
 * or drive the next FIFO access or DMA service would use out of range is
 * refused, and nothing changes until the whole state has been checked. */
#include "hv/core/state.h"
#include "legacy/fdc.h"

#define NO_COMMAND 0xFF

static void save(const void *dev, struct state_out *o)
{
	const struct fdc *f = dev;

	state_put_u8(o, f->dor);
	state_put_u8(o, f->tdr);
	state_put_u8(o, (uint8_t)f->rate);
	state_put_u8(o, f->dsr);
	state_put_u8(o, (uint8_t)f->phase);
	state_put_bytes(o, f->buf, sizeof f->buf);
	state_put_u8(o, (uint8_t)f->pos);
	state_put_u8(o, (uint8_t)f->len);
	state_put_u8(o, f->cmd ? f->cmd->opcode : NO_COMMAND);
	state_put_bool(o, f->int_pending);
	state_put_u8(o, (uint8_t)f->reset_senses);
	state_put_bytes(o, f->specify, sizeof f->specify);
	state_put_u8(o, f->config);
	state_put_u8(o, f->pretrk);
	state_put_u8(o, f->perpendicular);
	state_put_bool(o, f->lock);
	state_put_u8(o, f->cur_c);
	state_put_u8(o, f->cur_h);
	state_put_u8(o, f->cur_r);
	state_put_u8(o, f->cur_n);
	state_put_u8(o, f->eot);
	state_put_u8(o, f->head);
	state_put_bool(o, f->multitrack);
	for (unsigned i = 0; i < FDC_DRIVES; i++) {
		const struct fdc_drive *d = &f->drive[i];

		state_put_bool(o, d->disk != NULL);
		state_put_u64(o, d->disk ? d->geo->size : 0);
		state_put_u8(o, d->cyl);
		state_put_u8(o, d->sect);
		state_put_bool(o, d->changed);
		state_put_bool(o, d->seek_irq);
		state_put_u8(o, d->seek_st0);
	}
}

static void load_drive(struct fdc_drive *d, struct state_in *in)
{
	bool disk = state_get_bool(in);
	uint64_t size = state_get_u64(in);

	d->cyl = state_get_u8(in);
	d->sect = state_get_u8(in);
	d->changed = state_get_bool(in);
	d->seek_irq = state_get_bool(in);
	d->seek_st0 = state_get_u8(in);
	if (disk != (d->disk != NULL) || (d->disk && size != d->geo->size) || (!d->disk && size) ||
	    d->sect == 0)
		in->failed = true;
}

/* The phase with its FIFO position, length and command as the port
 * handlers leave them. */
static bool phase_valid(const struct fdc *f)
{
	const struct fdc_drive *d;
	unsigned ds;

	/* Held in reset, the controller takes no command (and entering
	 * reset ended the one it had). */
	if (!(f->dor & FDC_DOR_NRESET) && (f->phase != FDC_COMMAND || f->cmd))
		return false;
	switch (f->phase) {
	case FDC_COMMAND:
		if (!f->cmd)
			return f->pos == 0 && f->len == 0;
		return f->len == 1u + f->cmd->params && f->pos >= 1 && f->pos < f->len;
	case FDC_EXECUTION:
		/* A data command whose drive the DMA service will move
		 * sectors of: the checks its start made. */
		if (!f->cmd ||
		    (f->cmd->opcode != 0x05 && f->cmd->opcode != 0x06 && f->cmd->opcode != 0x0D))
			return false;
		ds = f->buf[1] & 3;
		if (ds >= FDC_DRIVES)
			return false;
		d = &f->drive[ds];
		return f->len == 1u + f->cmd->params && f->pos == 0 && d->disk &&
		       d->cyl < d->geo->cyls;
	case FDC_RESULT: return f->len <= sizeof f->buf && f->pos < f->len;
	default: return false;
	}
}

static void load_regs(struct fdc *f, struct state_in *in)
{
	uint8_t rate, phase, opcode;

	f->dor = state_get_u8(in);
	f->tdr = state_get_u8(in);
	rate = state_get_u8(in);
	f->dsr = state_get_u8(in);
	phase = state_get_u8(in);
	state_get_bytes(in, f->buf, sizeof f->buf);
	f->pos = state_get_u8(in);
	f->len = state_get_u8(in);
	opcode = state_get_u8(in);
	f->int_pending = state_get_bool(in);
	f->reset_senses = state_get_u8(in);
	state_get_bytes(in, f->specify, sizeof f->specify);
	f->config = state_get_u8(in);
	f->pretrk = state_get_u8(in);
	f->perpendicular = state_get_u8(in);
	f->lock = state_get_bool(in);
	f->cur_c = state_get_u8(in);
	f->cur_h = state_get_u8(in);
	f->cur_r = state_get_u8(in);
	f->cur_n = state_get_u8(in);
	f->eot = state_get_u8(in);
	f->head = state_get_u8(in);
	f->multitrack = state_get_bool(in);
	f->cmd = opcode == NO_COMMAND ? NULL : fdc_find_command(opcode);
	if ((opcode != NO_COMMAND && (!f->cmd || f->cmd->opcode != opcode)) || rate > 3 ||
	    phase > FDC_RESULT || (f->tdr & ~3) || (f->dsr & ~0x7C) || f->reset_senses > 4 ||
	    (f->perpendicular & ~0x3F) || f->head > 1)
		in->failed = true;
	f->rate = (enum fdc_rate)(rate & 3);
	f->phase = phase > FDC_RESULT ? FDC_COMMAND : (enum fdc_phase)phase;
}

static int load(void *dev, struct state_in *in, uint32_t from)
{
	struct fdc *f = dev;
	struct fdc c = *f;

	(void)from;
	load_regs(&c, in);
	for (unsigned i = 0; i < FDC_DRIVES; i++)
		load_drive(&c.drive[i], in);
	if (!state_in_done(in) || !phase_valid(&c))
		return -1;
	*f = c;
	irq_set(&f->irq, f->int_pending && (f->dor & FDC_DOR_DMAEN));
	return 0;
}

static void fdc_dev_reset(void *dev)
{
	fdc_reset(dev);
}

const struct device_ops fdc_device_ops = {.reset = fdc_dev_reset,
					  .describe = fdc_describe_state,
					  .version = 1,
					  .save = save,
					  .load = load};
