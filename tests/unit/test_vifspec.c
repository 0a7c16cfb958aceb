/* vifspec and the vif= key: xl's network syntax for hv's user-mode
 * network (model=, mac=, type=, hostfwd= in QEMU's syntax), what is
 * refused and how the message reads (with FILE:LINE from the config
 * parser), the config written back, and the default MAC. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/config/config.h"
#include "hv/config/vifspec.h"

#include "unit.h"

static struct vif_config v;
static char msg[512];

static void rejects_exactly(const char *spec, const char *want)
{
	ck_assert_msg(vifspec_parse(spec, &v, msg, sizeof msg) == -1, "'%s' accepted", spec);
	ck_assert_str_eq(msg, want);
}

START_TEST(empty_spec_is_the_defaults)
{
	ck_assert_int_eq(vifspec_parse("", &v, msg, sizeof msg), 0);
	ck_assert(!v.mac_set);
	ck_assert_uint_eq(v.nfwd, 0);
	ck_assert_int_eq(vifspec_parse(" model=virtio , type=ioemu", &v, msg, sizeof msg), 0);
	ck_assert(!v.mac_set);
}
END_TEST

START_TEST(mac_and_forwards)
{
	ck_assert_int_eq(vifspec_parse("model=virtio,mac=52:54:00:AB:cd:0f,hostfwd=tcp:127.0.0.1:"
				       "2222-:22,hostfwd=udp::5353-10.0.2.15:53,hostfwd=::8080-:80",
				       &v, msg, sizeof msg),
			 0);
	ck_assert(v.mac_set);
	ck_assert_mem_eq(v.mac, ((uint8_t[]){0x52, 0x54, 0x00, 0xab, 0xcd, 0x0f}), 6);
	ck_assert_uint_eq(v.nfwd, 3);
	ck_assert(!v.fwd[0].udp);
	ck_assert_uint_eq(v.fwd[0].host_addr, 0x7F000001u);
	ck_assert_uint_eq(v.fwd[0].host_port, 2222);
	ck_assert_uint_eq(v.fwd[0].guest_addr, 0);
	ck_assert_uint_eq(v.fwd[0].guest_port, 22);
	ck_assert(v.fwd[1].udp);
	ck_assert_uint_eq(v.fwd[1].host_addr, 0);
	ck_assert_uint_eq(v.fwd[1].guest_addr, 0x0A00020Fu);
	ck_assert_uint_eq(v.fwd[1].guest_port, 53);
	ck_assert(!v.fwd[2].udp); /* an empty protocol is tcp, as in QEMU */
	ck_assert_uint_eq(v.fwd[2].host_port, 8080);
	ck_assert_int_eq(vifspec_parse("mac=00-16-3e-01-02-03", &v, msg, sizeof msg), 0);
	ck_assert_uint_eq(v.mac[2], 0x3e);
}
END_TEST

START_TEST(bad_values)
{
	rejects_exactly("mac=52:54:00:12:34",
			"mac=52:54:00:12:34: expected six hex bytes such as 52:54:00:12:34:56");
	rejects_exactly("mac=52:54:00:12:34:567",
			"mac=52:54:00:12:34:567: expected six hex bytes such as 52:54:00:12:34:56");
	rejects_exactly(
	    "mac=53:54:00:12:34:56",
	    "mac=53:54:00:12:34:56: expected six hex bytes such as 52:54:00:12:34:56 (a "
	    "unicast address: the first byte even)");
	rejects_exactly("mac=00:00:00:00:00:00",
			"mac=00:00:00:00:00:00: expected six hex bytes such as 52:54:00:12:34:56 "
			"(not all zero)");
	rejects_exactly("model=e1000", "model=e1000: hv's only NIC is virtio-net (model=virtio)");
	rejects_exactly("type=vif", "type=vif: hv has no Xen netfront; every vif is an emulated "
				    "virtio-net NIC (type=ioemu or no type=)");
	rejects_exactly("hostfwd=tcp:127.0.0.1:2222",
			"hostfwd=tcp:127.0.0.1:2222: expected "
			"[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport");
	rejects_exactly("hostfwd=sctp::1-:2",
			"hostfwd=sctp::1-:2: expected [tcp|udp]:[hostaddr]:hostport-[guestaddr]:"
			"guestport (the protocol is tcp or udp)");
	rejects_exactly("hostfwd=tcp::0-:22",
			"hostfwd=tcp::0-:22: expected [tcp|udp]:[hostaddr]:hostport-[guestaddr]:"
			"guestport (addresses are dotted IPv4, ports 1-65535)");
	rejects_exactly(
	    "hostfwd=tcp::65536-:22",
	    "hostfwd=tcp::65536-:22: expected [tcp|udp]:[hostaddr]:hostport-[guestaddr]:"
	    "guestport (addresses are dotted IPv4, ports 1-65535)");
	rejects_exactly("hostfwd=tcp:localhost:2222-:22",
			"hostfwd=tcp:localhost:2222-:22: expected [tcp|udp]:[hostaddr]:hostport-"
			"[guestaddr]:guestport (addresses are dotted IPv4, ports 1-65535)");
	rejects_exactly("hostfwd=tcp::2222-:22,hostfwd=tcp::2222-:23",
			"hostfwd=tcp::2222-:23: this host port is forwarded twice");
	rejects_exactly(
	    "virtio",
	    "'virtio': expected key=value (mac=, mtu=, offload=, model=, type= or hostfwd=)");
	rejects_exactly(
	    "colour=red",
	    "unknown key 'colour' (hv takes mac=, mtu=, offload=, model=, type= and hostfwd=)");
	rejects_exactly("offload=2", "offload=2: expected 0 or 1");
	rejects_exactly("offload=", "offload=: expected 0 or 1");
	rejects_exactly("mtu=575", "mtu=575: expected a number from 576 to 65520");
	rejects_exactly("mtu=65521", "mtu=65521: expected a number from 576 to 65520");
	rejects_exactly("mtu=-1500", "mtu=-1500: expected a number from 576 to 65520");
	rejects_exactly("mtu=1500x", "mtu=1500x: expected a number from 576 to 65520");
	rejects_exactly("mtu=99999999999999999999",
			"mtu=99999999999999999999: expected a number from 576 to 65520");
	rejects_exactly("ip=10.0.0.5",
			"ip=: not supported; hv's network is user-mode (libslirp NAT inside the "
			"domain process, no host interface, bridge or script); the guest reaches "
			"out through NAT, the host reaches in with "
			"hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport");
}
END_TEST

START_TEST(too_many_forwards_or_too_long)
{
	char spec[2048] = "model=virtio";
	char big[300];

	for (unsigned i = 0; i < VIF_FWD_MAX; i++)
		snprintf(spec + strlen(spec), sizeof spec - strlen(spec), ",hostfwd=tcp::%u-:22",
			 1000 + i);
	ck_assert_int_eq(vifspec_parse(spec, &v, msg, sizeof msg), 0);
	ck_assert_uint_eq(v.nfwd, VIF_FWD_MAX);
	strcat(spec, ",hostfwd=tcp::999-:22");
	rejects_exactly(spec, "hostfwd=tcp::999-:22: at most 16 hostfwd= per vif");
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	rejects_exactly(big, "an option of 299 characters (at most 127)");
}
END_TEST

START_TEST(written_back_reads_the_same)
{
	char spec[VIF_SPEC_MAX];
	struct vif_config again;

	ck_assert_int_eq(
	    vifspec_parse("mac=00:16:3e:01:02:03,hostfwd=udp:10.1.2.3:53-10.0.2.9:5353,"
			  "hostfwd=tcp::2222-:22,mtu=65520,offload=0",
			  &v, msg, sizeof msg),
	    0);
	ck_assert_uint_eq(v.mtu, 65520);
	ck_assert(v.no_offload);
	vifspec_format(&v, spec, sizeof spec);
	ck_assert_str_eq(spec, "model=virtio,mac=00:16:3e:01:02:03,mtu=65520,offload=0,"
			       "hostfwd=udp:10.1.2.3:"
			       "53-10.0.2.9:5353,hostfwd=tcp::2222-:22");
	ck_assert_int_eq(vifspec_parse(spec, &again, msg, sizeof msg), 0);
	ck_assert_mem_eq(&again, &v, sizeof v);
}
END_TEST

START_TEST(default_mac_is_stable_and_local)
{
	uint8_t a[6], b[6], c[6];

	vifspec_default_mac("web1", 0, a);
	vifspec_default_mac("web1", 0, b);
	vifspec_default_mac("web2", 0, c);
	ck_assert_mem_eq(a, b, 6);
	ck_assert_mem_ne(a, c, 6);
	ck_assert_mem_eq(a, ((uint8_t[]){0x52, 0x54, 0x00}), 3);
	vifspec_default_mac("web1", 1, c);
	ck_assert_mem_ne(a, c, 6);
}
END_TEST

/* The config key: FILE:LINE on errors, several vifs, vif = [] for none. */
START_TEST(config_key)
{
	char dir[] = "/tmp/hv-test-vifspec-XXXXXX", path[64], err[1024];
	struct domain_config cfg;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/a.cfg", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("name = 'a'\nvif = [ '',\n  'mac=52:54:00:00:00:01,hostfwd=tcp:127.0.0.1:2222-:22' "
	      "]\n",
	      f);
	fclose(f);
	ck_assert_int_eq(config_load(path, &cfg, err, sizeof err), 0);
	ck_assert_uint_eq(cfg.nvifs, 2);
	ck_assert(!cfg.vifs[0].mac_set);
	ck_assert(cfg.vifs[1].mac_set);
	ck_assert_int_eq(cfg.line.vifs[1], 3);
	f = fopen(path, "w");
	fputs("name = 'a'\nvif = [ '',\n  'bridge=xenbr0' ]\n", f);
	fclose(f);
	ck_assert_int_eq(config_load(path, &cfg, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "a.cfg:3: vif: bridge=: not supported; hv's network is "
				  "user-mode"),
		      "%s", err);
	f = fopen(path, "w");
	fputs("name = 'a'\nvif = [ '', '', '', '', '' ]\n", f);
	fclose(f);
	ck_assert_int_eq(config_load(path, &cfg, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "a.cfg:2: vif: at most 4 network interfaces, got 5"), "%s", err);
	f = fopen(path, "w");
	fputs("name = 'a'\nvif = []\n", f);
	fclose(f);
	ck_assert_int_eq(config_load(path, &cfg, err, sizeof err), 0);
	ck_assert_uint_eq(cfg.nvifs, 0);
	unlink(path);
	rmdir(dir);
}
END_TEST

static Suite *vifspec_suite(void)
{
	Suite *s = suite_create("vifspec");
	TCase *t = tcase_create("vifspec");

	tcase_add_test(t, empty_spec_is_the_defaults);
	tcase_add_test(t, mac_and_forwards);
	tcase_add_test(t, bad_values);
	tcase_add_test(t, too_many_forwards_or_too_long);
	tcase_add_test(t, written_back_reads_the_same);
	tcase_add_test(t, default_mac_is_stable_and_local);
	tcase_add_test(t, config_key);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(vifspec_suite());
}
