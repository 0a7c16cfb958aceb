/* dma8237: programming through the flip-flop, page registers, transfers to
 * and from memory, terminal count and auto-init, the 16-bit channels' word
 * addressing, decrement, the 64 KiB wrap, verify, every mask register and
 * the cascade, DREQ service when a channel is unmasked, and a seeded fuzz
 * of all ports after which a transfer still works. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/memory.h"
#include "hv/core/state.h"
#include "legacy/dma8237.h"

#include "unit.h"

#define MIB (1024ull * 1024)

static struct guest_mem m;
static struct dma8237 *d;

static void setup(void)
{
	char err[128];

	ck_assert_int_eq(mem_init(&m, 1 * MIB, err, sizeof err), 0);
	d = dma8237_create(&m);
	ck_assert_ptr_nonnull(d);
}

static void teardown(void)
{
	dma8237_destroy(d);
	mem_destroy(&m);
}

/* Ports as the PC has them. */
static void out(unsigned port, uint8_t v)
{
	if (port < 0x10)
		dma8237_dma1_io_ops.write(d, port, 1, v);
	else if (port >= 0xC0 && port < 0xE0)
		dma8237_dma2_io_ops.write(d, port - 0xC0, 1, v);
	else
		dma8237_page_io_ops.write(d, port - DMA8237_PAGE_FIRST, 1, v);
}

static uint8_t in(unsigned port)
{
	if (port < 0x10)
		return (uint8_t)dma8237_dma1_io_ops.read(d, port, 1);
	if (port >= 0xC0 && port < 0xE0)
		return (uint8_t)dma8237_dma2_io_ops.read(d, port - 0xC0, 1);
	return (uint8_t)dma8237_page_io_ops.read(d, port - DMA8237_PAGE_FIRST, 1);
}

static const unsigned page_port[8] = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};

/* Programs channel ch as a BIOS does: mask, flip-flop, address, count,
 * mode, page, unmask (and the cascade channel for DMA1). */
static void program(unsigned ch, uint8_t mode, uint16_t addr, uint16_t count, uint8_t page)
{
	unsigned chip = ch / 4, n = ch % 4;
	unsigned reg_base = chip ? 0xC0 : 0, step = chip ? 2 : 1;

	out(reg_base + DMA_REG_MASK * step, (uint8_t)(4 | n));
	out(reg_base + DMA_REG_FLIPFLOP * step, 0);
	out(reg_base + DMA_REG_ADDR(n) * step, (uint8_t)addr);
	out(reg_base + DMA_REG_ADDR(n) * step, (uint8_t)(addr >> 8));
	out(reg_base + DMA_REG_COUNT(n) * step, (uint8_t)count);
	out(reg_base + DMA_REG_COUNT(n) * step, (uint8_t)(count >> 8));
	out(reg_base + DMA_REG_MODE * step, (uint8_t)(mode | n));
	out(page_port[ch], page);
	out(reg_base + DMA_REG_MASK * step, (uint8_t)n);
	out(0xC0 + 2 * DMA_REG_MODE, DMA_MODE_CASCADE); /* channel 4 */
	out(0xC0 + 2 * DMA_REG_MASK, 0);
}

static uint16_t read_reg16(unsigned port)
{
	unsigned lo = in(port);

	return (uint16_t)(lo | in(port) << 8);
}

START_TEST(test_address_count_and_pages_read_back_through_the_flip_flop)
{
	program(1, DMA_MODE_WRITE | 0x40, 0xBEEF, 0x1234, 0x0A);
	out(DMA_REG_FLIPFLOP, 0);
	ck_assert_uint_eq(read_reg16(DMA_REG_ADDR(1)), 0xBEEF);
	ck_assert_uint_eq(read_reg16(DMA_REG_COUNT(1)), 0x1234);
	ck_assert_uint_eq(in(0x83), 0x0A);
	/* the flip-flop toggles across registers until cleared */
	ck_assert_uint_eq(in(DMA_REG_ADDR(1)), 0xEF);
	ck_assert_uint_eq(in(DMA_REG_COUNT(1)), 0x12);
	out(0x84, 0x55); /* a page latch no channel uses */
	ck_assert_uint_eq(in(0x84), 0x55);
	out(0xC0 + 2 * DMA_REG_FLIPFLOP, 0);
	out(0xC0 + 2 * DMA_REG_ADDR(2), 0x34);
	out(0xC0 + 2 * DMA_REG_ADDR(2), 0x12);
	out(0xC0 + 2 * DMA_REG_FLIPFLOP, 0);
	ck_assert_uint_eq(read_reg16(0xC0 + 2 * DMA_REG_ADDR(2)), 0x1234);
	ck_assert_uint_eq(d->ch[6].addr, 0x1234);
}
END_TEST

START_TEST(test_write_transfer_fills_memory_and_ends_at_terminal_count)
{
	uint8_t src[200], got[100];
	bool tc;

	for (unsigned i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)(i * 3 + 1);
	program(2, DMA_MODE_WRITE | 0x40, 0x1234, 99, 0x05);
	ck_assert_uint_eq(dma8237_write_mem(d, 2, src, 60, &tc), 60);
	ck_assert(!tc);
	ck_assert_uint_eq(dma8237_write_mem(d, 2, src + 60, 140, &tc), 40); /* stops at TC */
	ck_assert(tc);
	mem_read(&m, 0x51234, got, sizeof got);
	ck_assert_int_eq(memcmp(got, src, sizeof got), 0);
	ck_assert_uint_eq(in(DMA_REG_STATUS)&0x0F, 0x04);
	ck_assert_uint_eq(in(DMA_REG_STATUS)&0x0F, 0);	    /* reading cleared it */
	ck_assert_uint_eq(in(DMA_REG_ALL_MASK)&0x04, 0x04); /* masked itself */
	ck_assert_uint_eq(dma8237_write_mem(d, 2, src, 10, &tc), 0);
	ck_assert(!tc);
}
END_TEST

START_TEST(test_read_transfer_takes_memory)
{
	uint8_t want[64], got[64];
	bool tc;

	for (unsigned i = 0; i < sizeof want; i++)
		want[i] = (uint8_t)(0xA0 ^ i);
	mem_write(&m, 0x20100, want, sizeof want);
	program(1, DMA_MODE_READ | 0x40, 0x0100, 63, 0x02);
	ck_assert_uint_eq(dma8237_read_mem(d, 1, got, sizeof got, &tc), 64);
	ck_assert(tc);
	ck_assert_int_eq(memcmp(got, want, sizeof got), 0);
}
END_TEST

START_TEST(test_auto_init_reloads_and_stays_unmasked)
{
	uint8_t a[4] = {1, 2, 3, 4}, b[8] = {5, 6, 7, 8, 9, 10, 11, 12}, got[4];
	bool tc;

	program(3, DMA_MODE_WRITE | DMA_MODE_AUTOINIT, 0x0400, 3, 0x01);
	ck_assert_uint_eq(dma8237_write_mem(d, 3, a, 4, &tc), 4);
	ck_assert(tc);
	ck_assert_uint_eq(d->ch[3].addr, 0x0400);
	ck_assert_uint_eq(d->ch[3].count, 3);
	ck_assert_uint_eq(dma8237_write_mem(d, 3, b, 8, &tc), 4); /* the buffer again */
	ck_assert(tc);
	mem_read(&m, 0x10400, got, 4);
	ck_assert_int_eq(memcmp(got, b, 4), 0);
	ck_assert_uint_eq(in(DMA_REG_ALL_MASK)&0x08, 0);
}
END_TEST

START_TEST(test_16_bit_channels_address_words_in_128k_pages)
{
	uint8_t src[20], got[20];
	bool tc;

	for (unsigned i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)(0x40 + i);
	/* page bit 0 is not an address bit: 02h:8000h words is 30000h */
	program(5, DMA_MODE_WRITE | 0x40, 0x8000, 9, 0x03);
	ck_assert_uint_eq(dma8237_write_mem(d, 5, src, 40, &tc), 20); /* 10 words */
	ck_assert(tc);
	mem_read(&m, 0x30000, got, sizeof got);
	ck_assert_int_eq(memcmp(got, src, sizeof got), 0);
	ck_assert_uint_eq(d->ch[5].addr, 0x800A);
	ck_assert_uint_eq(in(0xC0 + 2 * DMA_REG_STATUS) & 0x0F, 0x02);
}
END_TEST

START_TEST(test_decrement_and_wrap_inside_the_page)
{
	uint8_t src[4] = {0x11, 0x22, 0x33, 0x44}, got[4];
	bool tc;

	program(2, DMA_MODE_WRITE | DMA_MODE_DECREMENT, 0x2003, 3, 0x00);
	ck_assert_uint_eq(dma8237_write_mem(d, 2, src, 4, &tc), 4);
	mem_read(&m, 0x2000, got, 4);
	ck_assert_uint_eq(got[0], 0x44);
	ck_assert_uint_eq(got[3], 0x11);
	/* an 8-bit channel's address wraps without carrying into the page */
	program(2, DMA_MODE_WRITE, 0xFFFE, 3, 0x04);
	ck_assert_uint_eq(dma8237_write_mem(d, 2, src, 4, &tc), 4);
	mem_read(&m, 0x4FFFE, got, 2);
	ck_assert_uint_eq(got[0], 0x11);
	ck_assert_uint_eq(got[1], 0x22);
	mem_read(&m, 0x40000, got, 2);
	ck_assert_uint_eq(got[0], 0x33);
	ck_assert_uint_eq(got[1], 0x44);
}
END_TEST

START_TEST(test_verify_and_wrong_direction_move_no_data)
{
	uint8_t src[8] = {1, 2, 3, 4, 5, 6, 7, 8}, got[8], zero[8] = {0};
	bool tc;

	program(1, DMA_MODE_VERIFY, 0x3000, 7, 0x00);
	ck_assert_uint_eq(dma8237_write_mem(d, 1, src, 8, &tc), 8);
	ck_assert(tc);
	mem_read(&m, 0x3000, got, 8);
	ck_assert_int_eq(memcmp(got, zero, 8), 0);
	program(1, DMA_MODE_WRITE, 0x3000, 7, 0x00);
	ck_assert_uint_eq(dma8237_read_mem(d, 1, got, 8, &tc), 8);
	ck_assert_uint_eq(got[0], 0xFF); /* nothing came from memory */
}
END_TEST

START_TEST(test_masks_single_all_clear_cascade_and_master_clear)
{
	uint8_t b = 0;

	program(0, DMA_MODE_WRITE, 0, 100, 0);
	program(1, DMA_MODE_WRITE, 0, 100, 0);
	ck_assert(dma8237_enabled(d, 0) && dma8237_enabled(d, 1));
	out(DMA_REG_MASK, 4 | 1);
	ck_assert(dma8237_enabled(d, 0) && !dma8237_enabled(d, 1));
	ck_assert_uint_eq(dma8237_write_mem(d, 1, &b, 1, NULL), 0);
	out(DMA_REG_ALL_MASK, 0x0F);
	ck_assert(!dma8237_enabled(d, 0));
	out(DMA_REG_CLEAR_MASK, 0);
	ck_assert(dma8237_enabled(d, 0) && dma8237_enabled(d, 3));
	out(0xC0 + 2 * DMA_REG_MASK, 4 | 0); /* the cascade channel */
	ck_assert(!dma8237_enabled(d, 0));
	out(0xC0 + 2 * DMA_REG_MASK, 0);
	out(DMA_REG_COMMAND, 0x04); /* controller disabled */
	ck_assert(!dma8237_enabled(d, 0));
	out(DMA_REG_COMMAND, 0);
	ck_assert(dma8237_enabled(d, 0));
	out(DMA_REG_CLEAR, 0);
	ck_assert_uint_eq(in(DMA_REG_ALL_MASK)&0x0F, 0x0F);
	ck_assert(!dma8237_enabled(d, 0));
	ck_assert(!dma8237_enabled(d, 4)); /* the cascade is never a device's */
}
END_TEST

static unsigned served;

static void service(void *opaque)
{
	uint8_t data[16];
	bool tc;

	(void)opaque;
	memset(data, 0x5A, sizeof data);
	served++;
	dma8237_write_mem(d, 2, data, sizeof data, &tc);
	if (tc)
		dma8237_set_dreq(d, 2, false);
}

START_TEST(test_dreq_is_served_once_the_channel_is_unmasked)
{
	uint8_t got;

	served = 0;
	dma8237_attach(d, 2, service, NULL);
	program(2, DMA_MODE_WRITE | 0x40, 0x5000, 15, 0);
	out(DMA_REG_MASK, 4 | 2);
	dma8237_set_dreq(d, 2, true);
	ck_assert_uint_eq(served, 0);
	ck_assert_uint_eq(in(DMA_REG_STATUS)&0x40, 0x40); /* request pending */
	out(DMA_REG_MASK, 2);
	ck_assert_uint_eq(served, 1);
	mem_read(&m, 0x500F, &got, 1);
	ck_assert_uint_eq(got, 0x5A);
	ck_assert_uint_eq(in(DMA_REG_STATUS), 0x04); /* TC, no request */
	out(DMA_REG_CLEAR_MASK, 0);
	ck_assert_uint_eq(served, 1);
}
END_TEST

/* Random traffic on every port and random transfers on every channel;
 * then a master clear and a plain transfer must work. */
START_TEST(test_fuzz_all_ports)
{
	uint8_t buf[300], got[16];

	unit_seed(0xD3A8237u + (uint32_t)_i);
	for (unsigned i = 0; i < 100000; i++) {
		unsigned which = unit_rand() % 3, size = 1u << (unit_rand() % 2);
		const struct io_ops *ops[3] = {&dma8237_dma1_io_ops, &dma8237_dma2_io_ops,
					       &dma8237_page_io_ops};
		const unsigned len[3] = {16, 32, 15};
		unsigned off = unit_rand() % len[which];
		unsigned ch = unit_rand() % 8;

		if (off + size > len[which])
			size = 1;
		if (unit_rand() & 1)
			ops[which]->read(d, off, size);
		else
			ops[which]->write(d, off, size, unit_rand());
		if (unit_rand() % 16 == 0)
			dma8237_write_mem(d, ch, buf, unit_rand() % sizeof buf, NULL);
		if (unit_rand() % 16 == 0)
			dma8237_read_mem(d, ch, buf, unit_rand() % sizeof buf, NULL);
	}
	out(DMA_REG_CLEAR, 0);
	out(0xC0 + 2 * DMA_REG_CLEAR, 0);
	memset(buf, 0x77, 16);
	program(2, DMA_MODE_WRITE | 0x40, 0x6000, 15, 0x01);
	ck_assert_uint_eq(dma8237_write_mem(d, 2, buf, 16, NULL), 16);
	mem_read(&m, 0x16000, got, 16);
	ck_assert_int_eq(memcmp(got, buf, 16), 0);
}
END_TEST

/* Save and load (device ops): a controller with an auto-init channel
 * part-way through its count, another at terminal count, a software
 * request, a flip-flop on its high byte and a page latch comes back in a
 * fresh controller that reads and transfers the same; a state with a bit
 * set outside a chip's four channels, a mode with channel-select bits or
 * cut short is refused with the controller unchanged. */
START_TEST(test_saveLoad_bringsBackChannelsFlipFlopAndPages)
{
	/* offset, value: chip 0's tc, DMA2's mask, channel 2's mode (12 + 2 *
	 * 10 + 8) */
	static const size_t bad[][2] = {{1, 0x10}, {9, 0x1F}, {40, 0x55}};
	struct dma8237 *saved = d;
	struct state_out o = {0};
	struct state_in st;
	uint8_t src[32], got[32];
	bool tc;

	for (unsigned i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)(0x40 + i);
	program(1, DMA_MODE_WRITE | 0x40, 0x0000, 3, 0x03);
	ck_assert_uint_eq(dma8237_write_mem(d, 1, src, 4, &tc), 4);
	ck_assert(tc); /* channel 1: TC, masked itself */
	program(2, DMA_MODE_WRITE | DMA_MODE_AUTOINIT | 0x40, 0x1000, 31, 0x02);
	ck_assert_uint_eq(dma8237_write_mem(d, 2, src, 16, &tc), 16);
	out(DMA_REG_REQUEST, 4 | 0);
	out(0x84, 0x55);
	out(DMA_REG_FLIPFLOP, 0);
	ck_assert_uint_eq(in(DMA_REG_ADDR(2)), 0x10); /* low byte; high next */
	dma8237_device_ops.save(d, &o);
	ck_assert(!o.failed);
	ck_assert_uint_eq(o.len, 12 + 8 * 10 + 16);
	ck_assert_uint_eq(o.p[40], DMA_MODE_WRITE | DMA_MODE_AUTOINIT | 0x40);

	d = dma8237_create(&m);
	ck_assert_ptr_nonnull(d);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t keep = o.p[bad[i][0]];

		o.p[bad[i][0]] = (uint8_t)bad[i][1];
		st = state_in_make(o.p, o.len);
		ck_assert_int_eq(dma8237_device_ops.load(d, &st, 1), -1);
		o.p[bad[i][0]] = keep;
	}
	st = state_in_make(o.p, o.len - 1);
	ck_assert_int_eq(dma8237_device_ops.load(d, &st, 1), -1);
	ck_assert_uint_eq(in(DMA_REG_ALL_MASK), 0xFF); /* unchanged: all masked */
	ck_assert_uint_eq(in(0x84), 0);

	st = state_in_make(o.p, o.len);
	ck_assert_int_eq(dma8237_device_ops.load(d, &st, 1), 0);
	ck_assert_uint_eq(in(DMA_REG_ADDR(2)), 0x10); /* the high byte of 1010h */
	ck_assert_uint_eq(read_reg16(DMA_REG_COUNT(2)), 15);
	ck_assert_uint_eq(in(DMA_REG_STATUS)&0x3F, 0x12); /* TC on 1, request on 0 */
	ck_assert_uint_eq(in(DMA_REG_ALL_MASK), 0xFB);	  /* 0, 1 (TC) and 3 */
	ck_assert_uint_eq(in(0x84), 0x55);
	ck_assert_uint_eq(in(0x81), 0x02);
	ck_assert_uint_eq(dma8237_write_mem(d, 2, src + 16, 16, &tc), 16);
	ck_assert(tc);
	mem_read(&m, 0x21000, got, sizeof got);
	ck_assert_int_eq(memcmp(got, src, sizeof got), 0);
	out(DMA_REG_FLIPFLOP, 0);
	ck_assert_uint_eq(read_reg16(DMA_REG_ADDR(2)), 0x1000); /* auto-init reloaded */
	dma8237_destroy(d);
	d = saved;
	state_out_free(&o);
}
END_TEST

static Suite *dma_suite(void)
{
	Suite *s = suite_create("dma8237");
	TCase *t = tcase_create("core");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_address_count_and_pages_read_back_through_the_flip_flop);
	tcase_add_test(t, test_write_transfer_fills_memory_and_ends_at_terminal_count);
	tcase_add_test(t, test_read_transfer_takes_memory);
	tcase_add_test(t, test_auto_init_reloads_and_stays_unmasked);
	tcase_add_test(t, test_16_bit_channels_address_words_in_128k_pages);
	tcase_add_test(t, test_decrement_and_wrap_inside_the_page);
	tcase_add_test(t, test_verify_and_wrong_direction_move_no_data);
	tcase_add_test(t, test_masks_single_all_clear_cascade_and_master_clear);
	tcase_add_test(t, test_dreq_is_served_once_the_channel_is_unmasked);
	tcase_add_loop_test(t, test_fuzz_all_ports, 0, 3);
	tcase_add_test(t, test_saveLoad_bringsBackChannelsFlipFlopAndPages);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(dma_suite());
}
