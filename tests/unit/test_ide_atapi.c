/* ide (ATAPI): the CD-ROM drive behind PACKET: signature, IDENTIFY PACKET
 * DEVICE, the MMC commands, sense data for no medium, a medium change and
 * reads past the end, byte-count-limited blocks, the locked tray, and a
 * seeded fuzz of its ports. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/block/disk.h"
#include "hv/core/memory.h"
#include "legacy/ide.h"

#include "unit.h"

#define CD_SECTORS 10

static struct guest_mem m;
static struct ide *ide;
static struct ide_channel *c;
static struct disk *iso;
static char path[64];

/* Sector n of the image is filled with byte 0xC0 + n. */
static void setup(void)
{
	char err[256];
	uint8_t s[2048];
	int fd;

	ck_assert_int_eq(mem_init(&m, 1 << 20, err, sizeof err), 0);
	ide = ide_create((struct irq_line[2]){{0}, {0}}, &m);
	c = &ide->ch[1];
	strcpy(path, "/tmp/hv-test-cd-XXXXXX");
	fd = mkstemp(path);
	for (unsigned n = 0; n < CD_SECTORS; n++) {
		memset(s, 0xC0 + n, sizeof s);
		ck_assert_int_eq(write(fd, s, sizeof s), (int)sizeof s);
	}
	close(fd);
	iso = disk_open(path, true, err, sizeof err);
	ck_assert_msg(iso != NULL, "%s", err);
	ide_attach_atapi(ide, 1, 0, iso);
	ide_attach_atapi(ide, 1, 1, NULL);
}

static void teardown(void)
{
	ide_destroy(ide);
	disk_close(iso);
	unlink(path);
	mem_destroy(&m);
}

static void outb(unsigned reg, uint8_t v)
{
	ide_cmd_io_ops.write(c, reg, 1, v);
}

static uint8_t inb(unsigned reg)
{
	return (uint8_t)ide_cmd_io_ops.read(c, reg, 1);
}

/* Sends a packet to unit with byte count limit bcl; returns the status. */
static uint8_t packet(unsigned unit, const uint8_t p[12], uint16_t bcl)
{
	outb(IDE_SELECT, unit ? 0xB0 : 0xA0);
	outb(IDE_ERROR, 0);
	outb(IDE_LCYL, (uint8_t)bcl);
	outb(IDE_HCYL, (uint8_t)(bcl >> 8));
	outb(IDE_STATUS, 0xA0);
	ck_assert_int_eq(inb(IDE_STATUS) & IDE_ST_DRQ, IDE_ST_DRQ);
	ck_assert_int_eq(inb(IDE_NSECTOR), 1); /* command packet wanted */
	for (unsigned i = 0; i < 12; i += 2)
		ide_cmd_io_ops.write(c, IDE_DATA, 2, p[i] | p[i + 1] << 8);
	return inb(IDE_STATUS);
}

/* Reads one DRQ block into buf; returns its length. */
static unsigned block(uint8_t *buf)
{
	unsigned n = inb(IDE_LCYL) | inb(IDE_HCYL) << 8;

	ck_assert_int_eq(inb(IDE_NSECTOR), 2); /* data to the host */
	for (unsigned i = 0; i < n; i += 2) {
		uint16_t w = (uint16_t)ide_cmd_io_ops.read(c, IDE_DATA, 2);

		buf[i] = (uint8_t)w;
		buf[i + 1] = (uint8_t)(w >> 8);
	}
	return n;
}

static uint8_t sense_key(void)
{
	return inb(IDE_ERROR) >> 4;
}

static const uint8_t tur[12] = {0x00};

/* REQUEST SENSE: returns key << 8 | ASC. */
static unsigned request_sense(unsigned unit)
{
	const uint8_t p[12] = {0x03, 0, 0, 0, 18};
	uint8_t b[18];

	ck_assert_int_eq(packet(unit, p, 18) & IDE_ST_ERR, 0);
	ck_assert_uint_eq(block(b), 18);
	ck_assert_uint_eq(b[0], 0x70);
	return (unsigned)b[2] << 8 | b[12];
}

START_TEST(signature_and_identify_packet)
{
	uint16_t w[256];

	outb(IDE_SELECT, 0xA0);
	ck_assert_int_eq(inb(IDE_LCYL), 0x14);
	ck_assert_int_eq(inb(IDE_HCYL), 0xEB);
	outb(IDE_STATUS, 0xEC); /* IDENTIFY DEVICE aborts, the signature stays */
	ck_assert_int_eq(inb(IDE_STATUS) & IDE_ST_ERR, IDE_ST_ERR);
	ck_assert_int_eq(inb(IDE_HCYL), 0xEB);
	outb(IDE_STATUS, 0xA1);
	for (unsigned i = 0; i < 256; i++)
		w[i] = (uint16_t)ide_cmd_io_ops.read(c, IDE_DATA, 2);
	ck_assert_uint_eq(w[0], 0x8580);
	ck_assert_uint_eq(w[27], 'H' << 8 | 'V');
	ck_assert_int_eq(inb(IDE_STATUS) & IDE_ST_DRQ, 0);
}
END_TEST

START_TEST(unit_attention_after_insert_then_ready)
{
	ck_assert_int_eq(packet(0, tur, 0) & IDE_ST_ERR, IDE_ST_ERR);
	ck_assert_int_eq(sense_key(), 6);
	ck_assert_uint_eq(request_sense(0), 0x0628);
	ck_assert_int_eq(packet(0, tur, 0) & IDE_ST_ERR, 0);
	ck_assert_int_eq(inb(IDE_NSECTOR), 3); /* command complete */
	ck_assert_uint_eq(request_sense(0), 0);
}
END_TEST

START_TEST(no_medium_is_not_ready)
{
	const uint8_t cap[12] = {0x25};

	ck_assert_int_eq(packet(1, tur, 0) & IDE_ST_ERR, IDE_ST_ERR);
	ck_assert_int_eq(sense_key(), 2);
	ck_assert_uint_eq(request_sense(1), 0x023A);
	ck_assert_int_eq(packet(1, cap, 8) & IDE_ST_ERR, IDE_ST_ERR);
	/* inserting a medium: one UNIT ATTENTION, then ready */
	ck_assert_ptr_null(ide_change_medium(ide, 1, 1, iso));
	ck_assert_int_eq(packet(1, tur, 0) & IDE_ST_ERR, IDE_ST_ERR);
	ck_assert_int_eq(sense_key(), 6);
	ck_assert_int_eq(packet(1, tur, 0) & IDE_ST_ERR, 0);
	ck_assert_ptr_eq(ide_change_medium(ide, 1, 1, NULL), iso);
	ck_assert_int_eq(packet(1, tur, 0) & IDE_ST_ERR, IDE_ST_ERR);
	ck_assert_int_eq(sense_key(), 2);
}
END_TEST

START_TEST(inquiry_and_capacity)
{
	const uint8_t inq[12] = {0x12, 0, 0, 0, 36};
	const uint8_t cap[12] = {0x25};
	uint8_t b[64];

	ck_assert_int_eq(packet(0, inq, 0xFFFE) & IDE_ST_ERR, 0);
	ck_assert_uint_eq(block(b), 36);
	ck_assert_uint_eq(b[0], 0x05);
	ck_assert_uint_eq(b[1], 0x80);
	ck_assert_int_eq(memcmp(b + 16, "HV DVD-ROM", 10), 0);
	ck_assert_int_eq(inb(IDE_STATUS) & IDE_ST_DRQ, 0);
	packet(0, tur, 0); /* the UNIT ATTENTION */
	ck_assert_int_eq(packet(0, cap, 8) & IDE_ST_ERR, 0);
	ck_assert_uint_eq(block(b), 8);
	ck_assert_uint_eq(b[3], CD_SECTORS - 1);
	ck_assert_uint_eq(b[6] << 8 | b[7], 2048);
}
END_TEST

START_TEST(read10_in_limited_blocks)
{
	const uint8_t rd[12] = {0x28, 0, 0, 0, 0, 2, 0, 0, 3};
	static uint8_t b[2048];

	packet(0, tur, 0);
	ck_assert_int_eq(packet(0, rd, 2048) & IDE_ST_ERR, 0);
	for (unsigned n = 0; n < 3; n++) {
		ck_assert_int_eq(inb(IDE_STATUS) & IDE_ST_DRQ, IDE_ST_DRQ);
		ck_assert_uint_eq(block(b), 2048);
		ck_assert_uint_eq(b[0], 0xC2 + n);
		ck_assert_uint_eq(b[2047], 0xC2 + n);
	}
	ck_assert_int_eq(inb(IDE_STATUS) & (IDE_ST_DRQ | IDE_ST_ERR), 0);
	ck_assert_int_eq(inb(IDE_NSECTOR), 3);
}
END_TEST

START_TEST(read_past_end_is_illegal_request)
{
	const uint8_t rd[12] = {0xA8, 0, 0, 0, 0, CD_SECTORS - 1, 0, 0, 0, 2};

	packet(0, tur, 0);
	ck_assert_int_eq(packet(0, rd, 0xFFFE) & (IDE_ST_ERR | IDE_ST_DRQ), IDE_ST_ERR);
	ck_assert_int_eq(sense_key(), 5);
	ck_assert_uint_eq(request_sense(0), 0x0521);
}
END_TEST

START_TEST(toc_and_small_commands)
{
	const uint8_t toc[12] = {0x43, 0, 0, 0, 0, 0, 0, 0, 100};
	const uint8_t session[12] = {0x43, 0, 1, 0, 0, 0, 0, 0, 12};
	const uint8_t lock[12] = {0x1E, 0, 0, 0, 1};
	const uint8_t eject[12] = {0x1B, 0, 0, 0, 2};
	const uint8_t event[12] = {0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8};
	const uint8_t conf[12] = {0x46, 0, 0, 0, 0, 0, 0, 0, 8};
	const uint8_t mode[12] = {0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 28};
	const uint8_t bogus[12] = {0xFF};
	uint8_t b[64];

	packet(0, tur, 0);
	ck_assert_int_eq(packet(0, toc, 0xFFFE) & IDE_ST_ERR, 0);
	ck_assert_uint_eq(block(b), 20);
	ck_assert_uint_eq(b[2], 1);
	ck_assert_uint_eq(b[14], 0xAA);
	ck_assert_uint_eq(b[19], CD_SECTORS);
	ck_assert_int_eq(packet(0, session, 0xFFFE) & IDE_ST_ERR, 0);
	ck_assert_uint_eq(block(b), 12);
	ck_assert_int_eq(packet(0, event, 0xFFFE) & IDE_ST_ERR, 0);
	ck_assert_uint_eq(block(b), 8);
	ck_assert_uint_eq(b[5], 0x02); /* medium present */
	ck_assert_int_eq(packet(0, conf, 0xFFFE) & IDE_ST_ERR, 0);
	ck_assert_uint_eq(block(b), 8);
	ck_assert_uint_eq(b[7], 0x08); /* CD-ROM profile */
	ck_assert_int_eq(packet(0, mode, 0xFFFE) & IDE_ST_ERR, 0);
	ck_assert_uint_eq(block(b), 28);
	ck_assert_uint_eq(b[8], 0x2A);
	ck_assert_uint_eq(b[3], 0x80); /* the medium is write-protected */
	ck_assert_int_eq(packet(0, bogus, 0xFFFE) & IDE_ST_ERR, IDE_ST_ERR);
	ck_assert_uint_eq(request_sense(0), 0x0520);
	/* a locked tray refuses to eject, and the host cannot change it */
	ck_assert_int_eq(packet(0, lock, 0) & IDE_ST_ERR, 0);
	ck_assert_int_eq(packet(0, eject, 0) & IDE_ST_ERR, IDE_ST_ERR);
	ck_assert_ptr_null(ide_change_medium(ide, 1, 0, NULL));
	ck_assert_int_eq(packet(0, tur, 0) & IDE_ST_ERR, 0);
}
END_TEST

/* A write to the disc is refused as a write-protected medium's is (DATA
 * PROTECT, WRITE PROTECTED), and MODE SENSE says WP only with a medium. */
START_TEST(writes_are_refused_as_write_protected)
{
	const uint8_t write10[12] = {0x2A, 0, 0, 0, 0, 1, 0, 0, 1};
	const uint8_t write12[12] = {0xAA, 0, 0, 0, 0, 1, 0, 0, 0, 1};
	const uint8_t mode[12] = {0x5A, 0, 0x3F, 0, 0, 0, 0, 0, 28};
	uint8_t b[64];

	packet(0, tur, 0);
	ck_assert_int_eq(packet(0, write10, 0xFFFE) & IDE_ST_ERR, IDE_ST_ERR);
	ck_assert_uint_eq(request_sense(0), 0x0727);
	ck_assert_int_eq(packet(0, write12, 0xFFFE) & IDE_ST_ERR, IDE_ST_ERR);
	ck_assert_uint_eq(request_sense(0), 0x0727);
	/* no medium: not ready, and no WP bit */
	ck_assert_int_eq(packet(1, write10, 0xFFFE) & IDE_ST_ERR, IDE_ST_ERR);
	ck_assert_uint_eq(request_sense(1), 0x023A);
	ck_assert_int_eq(packet(1, mode, 0xFFFE) & IDE_ST_ERR, 0);
	ck_assert_uint_eq(block(b), 28);
	ck_assert_uint_eq(b[3], 0);
}
END_TEST

START_TEST(fuzz_then_identify_packet)
{
	uint8_t s[2048];
	uint16_t w0;

	unit_seed(0xCDC0DE + (uint32_t)_i);
	for (unsigned i = 0; i < 200000; i++) {
		unsigned which = unit_rand() % 3, size = 1u << (unit_rand() % 3),
			 off = unit_rand() % 8;
		uint32_t v = unit_rand();

		if (unit_rand() % 6 == 0)
			v = (unit_rand() & 1) ? 0xA0 : 0x28; /* PACKET, and a READ opcode as data */
		if (which == 0 && (unit_rand() & 1))
			ide_cmd_io_ops.write(c, off, size, v);
		else if (which == 0)
			ide_cmd_io_ops.read(c, off, size);
		else if (which == 1)
			ide_ctl_io_ops.write(c, 0, 1, v & ~IDE_CTL_SRST);
		else
			ide_bm_io_ops.write(c, off, size, v);
	}
	ide_ctl_io_ops.write(c, 0, 1, IDE_CTL_SRST);
	ide_ctl_io_ops.write(c, 0, 1, 0);
	outb(IDE_SELECT, 0xA0);
	outb(IDE_STATUS, 0xA1);
	w0 = (uint16_t)ide_cmd_io_ops.read(c, IDE_DATA, 2);
	ck_assert_uint_eq(w0, 0x8580);
	ck_assert_int_eq((int)pread(iso->fd, s, sizeof s, 0), (int)sizeof s);
	ck_assert_uint_eq(s[100], 0xC0); /* read-only medium unchanged */
}
END_TEST

static Suite *atapi_suite(void)
{
	Suite *s = suite_create("ide_atapi");
	TCase *t = tcase_create("atapi");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, signature_and_identify_packet);
	tcase_add_test(t, unit_attention_after_insert_then_ready);
	tcase_add_test(t, no_medium_is_not_ready);
	tcase_add_test(t, inquiry_and_capacity);
	tcase_add_test(t, read10_in_limited_blocks);
	tcase_add_test(t, read_past_end_is_illegal_request);
	tcase_add_test(t, toc_and_small_commands);
	tcase_add_test(t, writes_are_refused_as_write_protected);
	tcase_add_loop_test(t, fuzz_then_identify_packet, 0, 3);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(atapi_suite());
}
