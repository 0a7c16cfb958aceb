/* The user network's state in a save file (usernet_state_put/get, hv/net
 * /usernet.h) with live libslirp instances: a guest's DHCP lease taken on
 * one network is still held after its state is loaded into a new one (a
 * second guest MAC is offered the next address, as on the first network,
 * not the lease's), the state reads back byte for byte, and hostile
 * states (cut short, longer, another version, holding sockets, over the
 * size cap) are refused with a clear error. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/evloop.h"
#include "hv/core/le.h"
#include "hv/core/state.h"
#include "hv/net/usernet.h"
#include "unit.h"

#define BOOTP_LEN 548 /* the fixed BOOTP header and 312 bytes of options */
#define FRAME_LEN (14 + 20 + 8 + BOOTP_LEN)

static struct evloop *loop;
static uint32_t offered; /* the last DHCP offer's address, host order */

static void receive(void *opaque, const uint8_t *frame, size_t len)
{
	(void)opaque;
	/* Ethernet, IPv4 (no options), UDP to port 68: yiaddr at BOOTP + 16. */
	if (len >= FRAME_LEN - 312 && frame[12] == 0x08 && frame[13] == 0 && frame[23] == 17 &&
	    frame[36] == 0 && frame[37] == 68)
		offered = (uint32_t)frame[58] << 24 | frame[59] << 16 | frame[60] << 8 | frame[61];
}

static struct usernet *net(void)
{
	struct usernet_ops ops = {.receive = receive};
	char err[256] = "";
	struct usernet *u = usernet_create(loop, "statetest", 1500, &ops, err, sizeof err);

	ck_assert_msg(u != NULL, "%s", err);
	return u;
}

static uint16_t ip_checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A DHCPDISCOVER from mac, broadcast; returns the address offered. */
static uint32_t discover(struct usernet *u, uint8_t mac_last)
{
	static uint8_t f[FRAME_LEN];
	const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, mac_last};
	uint8_t *ip = f + 14, *udp = ip + 20, *bootp = udp + 8;

	memset(f, 0, sizeof f);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (20 + 8 + BOOTP_LEN) >> 8;
	ip[3] = (uint8_t)(20 + 8 + BOOTP_LEN);
	ip[8] = 64;
	ip[9] = 17;
	memset(ip + 16, 0xff, 4);
	ip[10] = (uint8_t)(ip_checksum(ip, 20) >> 8);
	ip[11] = (uint8_t)ip_checksum(ip, 20);
	udp[1] = 68;
	udp[3] = 67;
	udp[4] = (8 + BOOTP_LEN) >> 8;
	udp[5] = (uint8_t)(8 + BOOTP_LEN);
	bootp[0] = 1; /* BOOTREQUEST */
	bootp[1] = 1; /* Ethernet */
	bootp[2] = 6;
	bootp[4] = mac_last; /* xid */
	memcpy(bootp + 28, mac, 6);
	memcpy(bootp + 236, "\x63\x82\x53\x63\x35\x01\x01\xff", 8); /* cookie, DISCOVER, end */
	offered = 0;
	usernet_input(u, f, sizeof f);
	return offered;
}

static struct state_out save(struct usernet *u)
{
	struct state_out o = {0};
	char err[256] = "";

	ck_assert_msg(usernet_state_put(u, &o, err, sizeof err) == 0, "%s", err);
	ck_assert(!o.failed);
	return o;
}

static int load(struct usernet *u, const void *p, size_t len, char *err, size_t errlen)
{
	struct state_in in = state_in_make(p, len);
	int rc = usernet_state_get(u, &in, err, errlen);

	return rc == 0 && !state_in_done(&in) ? -2 : rc;
}

static void setup(void)
{
	loop = evloop_create();
	ck_assert_ptr_nonnull(loop);
}

static void teardown(void)
{
	evloop_free(loop);
}

START_TEST(test_a_dhcp_lease_survives_a_save_and_load)
{
	struct usernet *a = net(), *b = net(), *fresh = net();
	struct state_out sa, sb, sfresh;
	char err[256] = "";

	ck_assert_uint_eq(discover(a, 0x56), 0x0A00020F); /* 10.0.2.15 */
	sa = save(a);
	sfresh = save(fresh);
	ck_assert(sa.len != sfresh.len || memcmp(sa.p, sfresh.p, sa.len) != 0);
	ck_assert_msg(load(b, sa.p, sa.len, err, sizeof err) == 0, "%s", err);
	sb = save(b);
	ck_assert_uint_eq(sb.len, sa.len);
	ck_assert_mem_eq(sb.p, sa.p, sa.len);
	/* Another guest NIC: the next address where the lease is held. */
	ck_assert_uint_eq(discover(b, 0x57), 0x0A000210);     /* 10.0.2.16 */
	ck_assert_uint_eq(discover(fresh, 0x57), 0x0A00020F); /* no lease: .15 */
	state_out_free(&sa);
	state_out_free(&sb);
	state_out_free(&sfresh);
	usernet_free(a);
	usernet_free(b);
	usernet_free(fresh);
}
END_TEST

static void refused(const uint8_t *p, size_t len, const char *why)
{
	struct usernet *u = net();
	char err[256] = "";

	ck_assert_msg(load(u, p, len, err, sizeof err) == -1, "loaded: %s", why);
	ck_assert_msg(strstr(err, why) != NULL, "'%s' does not say '%s'", err, why);
	usernet_free(u);
}

START_TEST(test_hostile_states_are_refused)
{
	struct usernet *a = net();
	struct state_out s;
	uint8_t *p;
	uint32_t n;

	discover(a, 0x56);
	s = save(a);
	n = le_get32(s.p + 4);
	ck_assert_uint_eq(s.len, 8 + n);
	p = malloc(s.len + 1);
	memcpy(p, s.p, s.len);
	refused(p, s.len - 1, "cut short");
	le_put32(p + 4, n - 1); /* libslirp wants one more byte than given */
	refused(p, s.len - 1, "cut short");
	le_put32(p + 4, n + 1);
	p[s.len] = 0;
	refused(p, s.len + 1, "bytes left over");
	le_put32(p + 4, USERNET_STATE_MAX + 1);
	refused(p, s.len, "over 4096 bytes");
	le_put32(p + 4, n);
	le_put32(p, 0);
	refused(p, s.len, "libslirp state version 0");
	le_put32(p, 99);
	refused(p, s.len, "libslirp state version 99");
	memcpy(p, s.p, 8);
	p[8] = 42; /* a guest forward's socket follows */
	refused(p, s.len, "holds sockets");
	p[8] = 0;
	le_put32(p + 4, 0);
	refused(p, 8, "holds sockets");
	free(p);
	state_out_free(&s);
	usernet_free(a);
}
END_TEST

static Suite *s(void)
{
	Suite *suite = suite_create("usernet_state");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_a_dhcp_lease_survives_a_save_and_load);
	tcase_add_test(tc, test_hostile_states_are_refused);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return unit_run(s());
}
