/* Config parsing of the xl.cfg(5) keys hv maps, notes or refuses, the
 * resolution of what depends on several keys (config_resolve) and the
 * config written back (config_write). Each test runs in a fresh temporary
 * directory that is also the working directory. */
#include "hv/config/config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_fixture.h"
#include "unit.h"

static int load(const char *text)
{
	return load_file("xl.cfg", text);
}

#define ck_resolve_error(msg)                                                                      \
	do {                                                                                       \
		ck_assert_int_eq(config_resolve(&cfg, err, sizeof err), -1);                       \
		ck_assert_str_eq(err, msg);                                                        \
	} while (0)

/* A stand-in SeaBIOS image, named by HV_SEABIOS. */
static const char *fake_seabios(void)
{
	static char path[PATH_MAX * 2];

	write_text("bios.bin", "rom");
	snprintf(path, sizeof path, "%s/bios.bin", cwd);
	setenv("HV_SEABIOS", path, 1);
	return path;
}

/* ---- mapped keys ---- */

START_TEST(test_type_and_builder_choose_hvm_or_pvh)
{
	ck_assert_int_eq(load("name='a'\n"), 0);
	ck_assert_int_eq(cfg.type, CONFIG_TYPE_DEFAULT);
	ck_assert_int_eq(load("name='a'\ntype = \"hvm\"\n"), 0);
	ck_assert_int_eq(cfg.type, CONFIG_TYPE_HVM);
	ck_assert_str_eq(config_type_name(cfg.type), "hvm");
	ck_assert_int_eq(load("name='a'\ntype = \"pvh\"\n"), 0);
	ck_assert_int_eq(cfg.type, CONFIG_TYPE_PVH);
	ck_assert_int_eq(load("name='a'\nbuilder = 'hvm'\n"), 0);
	ck_assert_int_eq(cfg.type, CONFIG_TYPE_HVM);
}
END_TEST

START_TEST(test_firmware_and_bios_name_seabios)
{
	const char *bios = fake_seabios();

	ck_assert_int_eq(load("name='a'\nfirmware = 'seabios'\n"), 0);
	ck_assert_str_eq(cfg.firmware, bios);
	ck_assert_int_eq(load("name='a'\nfirmware = 'bios'\n"), 0);
	ck_assert_str_eq(cfg.firmware, bios);
	ck_assert_int_eq(load("name='a'\nbios = 'seabios'\n"), 0);
	ck_assert_str_eq(cfg.firmware, bios);
	unsetenv("HV_SEABIOS");
	ck_assert_str_eq(config_seabios_path(), CONFIG_SEABIOS_PATH);
}
END_TEST

START_TEST(test_uuid_is_kept_in_lower_case)
{
	ck_assert_int_eq(load("name='a'\nuuid = 'C0FFEE00-1234-4abc-8DEF-0123456789ab'\n"), 0);
	ck_assert_str_eq(cfg.uuid, "c0ffee00-1234-4abc-8def-0123456789ab");
}
END_TEST

START_TEST(test_cmdline_is_extra_by_its_newer_name)
{
	ck_assert_int_eq(load("name='a'\ncmdline = 'console=ttyS0'\n"), 0);
	ck_assert_str_eq(cfg.extra, "console=ttyS0");
}
END_TEST

START_TEST(test_on_reboot_and_on_crash_defaults_and_values)
{
	ck_assert_int_eq(load("name='a'\n"), 0);
	ck_assert_int_eq(cfg.on_reboot, CONFIG_ACTION_RESTART);
	ck_assert_int_eq(cfg.on_crash, CONFIG_ACTION_DESTROY);
	ck_assert_int_eq(load("name='a'\non_reboot='destroy'\non_crash='restart'\n"), 0);
	ck_assert_int_eq(cfg.on_reboot, CONFIG_ACTION_DESTROY);
	ck_assert_int_eq(cfg.on_crash, CONFIG_ACTION_RESTART);
	ck_assert_int_eq(load("name='a'\non_reboot='preserve'\n"), 0);
	ck_assert_int_eq(cfg.on_reboot, CONFIG_ACTION_PRESERVE);
	ck_assert_int_eq(load("name='a'\non_crash='coredump-destroy'\n"), 0);
	ck_assert_int_eq(cfg.on_crash, CONFIG_ACTION_COREDUMP_DESTROY);
	ck_assert_str_eq(config_action_name(cfg.on_crash), "coredump-destroy");
	ck_assert_int_eq(load("name='a'\non_crash='coredump-restart'\n"), 0);
	ck_assert_int_eq(cfg.on_crash, CONFIG_ACTION_COREDUMP_RESTART);
	ck_assert_str_eq(config_action_name(cfg.on_crash), "coredump-restart");
}
END_TEST

START_TEST(test_localtime_and_maxvcpus_are_stored)
{
	ck_assert_int_eq(load("name='a'\n"), 0);
	ck_assert_uint_eq(cfg.localtime, 0);
	ck_assert_uint_eq(cfg.maxvcpus, 0);
	ck_assert_int_eq(load("name='a'\nlocaltime = 1\nmaxvcpus = 1\n"), 0);
	ck_assert_uint_eq(cfg.localtime, 1);
	ck_assert_uint_eq(cfg.maxvcpus, 1);
}
END_TEST

START_TEST(test_serial_list_of_two_sets_com1_and_com2)
{
	ck_assert_int_eq(load("name='a'\nserial = [ 'pty', 'file:com2.log' ]\n"), 0);
	ck_assert_int_eq(cfg.serial[0].kind, CHARDEV_PTY);
	ck_assert_int_eq(cfg.serial[1].kind, CHARDEV_FILE);
	ck_assert_str_eq(cfg.serial[1].path, strcat(strcpy(err, cwd), "/com2.log"));
	ck_assert_int_eq(load("name='a'\nserial = [ 'none' ]\n"), 0);
	ck_assert_int_eq(cfg.serial[0].kind, CHARDEV_NONE);
	ck_assert_int_eq(cfg.serial[1].kind, CHARDEV_NONE);
}
END_TEST

START_TEST(test_off_values_of_missing_devices_are_accepted)
{
	ck_assert_int_eq(load("name='a'\nvif = []\nvfb = []\nvnc = 0\nsdl = 0\nusb = 0\n"
			      "usbdevice = []\nsoundhw = ''\nnestedhvm = 0\ncpuid = []\n"
			      "rtc_timeoffset = 0\nacpi = 1\napic = 0\nvga = 'stdvga'\n"
			      "videoram = 16\nviridian = 0\npci = []\nvkb = []\nchannel = []\n"
			      "hpet = 1\nstdvga = 1\n"),
			 0);
	ck_assert_uint_eq(cfg.nwarnings, 0);
}
END_TEST

/* ---- warnings ---- */

START_TEST(test_cosmetic_keys_warn_once_with_file_and_line)
{
	ck_assert_int_eq(load("name='a'\nsdl = 1\nvga = 'cirrus'\nvideoram = 8\nacpi = 0\n"
			      "apic = 1\npae = 1\nhap = 1\ndevice_model_version = 'qemu-xen'\n"
			      "device_model_override = '/usr/bin/qemu'\n"),
			 0);
	/* sdl = 1 is no warning: hv create opens the window (hv view). */
	ck_assert_uint_eq(cfg.sdl, 1);
	ck_assert_uint_eq(cfg.nwarnings, 8);
	ck_assert_str_eq(cfg.warnings[0], "xl.cfg:3: vga: hv has no Cirrus card; the guest gets a "
					  "standard VGA with VBE (\"stdvga\")");
	ck_assert_str_eq(cfg.warnings[1],
			 "xl.cfg:4: videoram: ignored; hv's VGA always has 16 MiB");
	ck_assert_str_eq(cfg.warnings[2], "xl.cfg:5: acpi: ignored; SeaBIOS and hv's direct kernel "
					  "boot always give the guest ACPI tables");
	ck_assert_str_eq(cfg.warnings[3], "xl.cfg:6: apic: ignored; hv's PC has no I/O APIC yet, "
					  "interrupts go through the 8259 PICs");
	ck_assert_str_eq(cfg.warnings[4], "xl.cfg:7: pae: ignored; the kvm engine gives the guest "
					  "the host CPU's PAE, the soft engine (an i686) has none");
	ck_assert_str_eq(cfg.warnings[5], "xl.cfg:8: hap: ignored; the kvm engine uses the host's "
					  "nested paging when KVM does, the soft engine has none");
	ck_assert_str_eq(cfg.warnings[6],
			 "xl.cfg:9: device_model_version: ignored; hv emulates the PC inside the "
			 "domain process, with no separate device model");
	ck_assert_str_eq(cfg.warnings[7],
			 "xl.cfg:10: device_model_override: ignored; hv emulates the PC inside the "
			 "domain process, with no separate device model");
	/* The same key again from the command line: no second warning. */
	ck_assert_int_eq(config_override(&cfg, "vga='cirrus'", err, sizeof err), 0);
	ck_assert_uint_eq(cfg.nwarnings, 8);
	ck_assert_int_eq(config_override(&cfg, "device_model_user=qemu", err, sizeof err), 0);
	ck_assert_str_eq(cfg.warnings[8],
			 "command line: device_model_user: ignored; hv emulates the PC inside the "
			 "domain process, with no separate device model");
}
END_TEST

START_TEST(test_timing_scheduling_and_platform_keys_are_noted)
{
	const char *sched = "ignored; a domain's vCPU is a host thread the host's scheduler runs "
			    "(taskset and nice apply to the domain process)";
	char want[512];

	ck_assert_int_eq(load("name='a'\napic = 1\nstdvga = 0\nkeymap = 'de'\n"
			      "xen_platform_pci = 1\ncpus = 'all'\ncpu_weight = 256\ncap = 0\n"
			      "pool = 'Pool-0'\nshadow_memory = 8\ntimer_mode = 1\n"
			      "tsc_mode = 'default'\non_watchdog = 'restart'\n"
			      "on_soft_reset = 'soft-reset'\n"),
			 0);
	ck_assert_uint_eq(cfg.nwarnings, 13);
	ck_assert_str_eq(cfg.warnings[11],
			 "xl.cfg:13: on_watchdog: ignored; hv's PC has no watchdog device");
	ck_assert_str_eq(cfg.warnings[12], "xl.cfg:14: on_soft_reset: ignored; hv has no Xen soft "
					   "reset (a guest's kexec needs none)");
	ck_assert_str_eq(cfg.warnings[0],
			 "xl.cfg:2: apic: ignored; hv's PC has no I/O APIC yet, interrupts go "
			 "through the 8259 PICs");
	ck_assert_str_eq(cfg.warnings[1], "xl.cfg:3: stdvga: hv has no Cirrus card; the guest gets "
					  "a standard VGA with VBE (\"stdvga\")");
	ck_assert_str_eq(cfg.warnings[2], "xl.cfg:4: keymap: ignored; `hv view` sends the host "
					  "keyboard's scan codes, the guest chooses its layout");
	ck_assert_str_eq(cfg.warnings[3],
			 "xl.cfg:5: xen_platform_pci: ignored; hv's PC has no Xen platform device");
	snprintf(want, sizeof want, "xl.cfg:6: cpus: %s", sched);
	ck_assert_str_eq(cfg.warnings[4], want);
	snprintf(want, sizeof want, "xl.cfg:9: pool: %s", sched);
	ck_assert_str_eq(cfg.warnings[7], want);
	ck_assert_str_eq(cfg.warnings[8],
			 "xl.cfg:10: shadow_memory: ignored; hv keeps no shadow page tables");
	ck_assert_str_eq(cfg.warnings[9], "xl.cfg:11: timer_mode: ignored; hv's PIT and RTC keep "
					  "the domain's virtual time");
	ck_assert_str_eq(cfg.warnings[10],
			 "xl.cfg:12: tsc_mode: ignored; hv's PIT and RTC keep the "
			 "domain's virtual time");
}
END_TEST

START_TEST(test_maxmem_above_memory_warns_no_ballooning)
{
	fake_seabios();
	ck_assert_int_eq(load("name='a'\nmemory = 64\nmaxmem = 64\n"), 0);
	ck_assert_int_eq(config_resolve(&cfg, err, sizeof err), 0);
	ck_assert_uint_eq(cfg.nwarnings, 0);
	ck_assert_int_eq(load("name='a'\nmemory = 64\nmaxmem = 128\n"), 0);
	ck_assert_int_eq(config_resolve(&cfg, err, sizeof err), 0);
	ck_assert_uint_eq(cfg.nwarnings, 1);
	ck_assert_str_eq(cfg.warnings[0], "xl.cfg: maxmem: hv has no ballooning; the domain has "
					  "memory = 64 MiB throughout");
	ck_assert_int_eq(config_resolve(&cfg, err, sizeof err), 0);
	ck_assert_uint_eq(cfg.nwarnings, 1);
}
END_TEST

/* ---- resolution ---- */

START_TEST(test_without_firmware_or_kernel_seabios_boots)
{
	const char *bios = fake_seabios();

	ck_assert_int_eq(load("name='a'\ntype='hvm'\n"), 0);
	ck_assert_str_eq(cfg.firmware, "");
	ck_assert_int_eq(config_resolve(&cfg, err, sizeof err), 0);
	ck_assert_str_eq(cfg.firmware, bios);
	ck_assert_int_eq(load("name='a'\n"), 0);
	ck_assert_int_eq(config_resolve(&cfg, err, sizeof err), 0);
	ck_assert_str_eq(cfg.firmware, bios);
}
END_TEST

START_TEST(test_kernel_or_firmware_given_is_left_alone)
{
	fake_seabios();
	ck_assert_int_eq(load("name='a'\ntype='pvh'\nkernel='vmlinuz'\n"), 0);
	ck_assert_int_eq(config_resolve(&cfg, err, sizeof err), 0);
	ck_assert_str_eq(cfg.firmware, "");
	ck_assert_int_eq(load("name='a'\nfirmware='rom.bin'\n"), 0);
	ck_assert_int_eq(config_resolve(&cfg, err, sizeof err), 0);
	ck_assert_str_eq(cfg.firmware, strcat(strcpy(err, cwd), "/rom.bin"));
}
END_TEST

START_TEST(test_missing_seabios_names_the_debian_package)
{
	setenv("HV_SEABIOS", "/nonexistent/bios.bin", 1);
	ck_assert_int_eq(load("name='a'\ntype='hvm'\n"), 0);
	ck_resolve_error(
	    "xl.cfg: no firmware= or kernel= given, and SeaBIOS (/nonexistent/bios.bin) "
	    "is missing: No such file or directory; install Debian's seabios package "
	    "(apt-get install seabios)");
}
END_TEST

START_TEST(test_seabios_by_name_when_missing_names_the_debian_package)
{
	setenv("HV_SEABIOS", "/nonexistent/bios.bin", 1);
	ck_load_error("name='a'\nbios = 'seabios'\n",
		      "xl.cfg:2: bios: SeaBIOS (/nonexistent/bios.bin) is missing: No such file or "
		      "directory; install Debian's seabios package (apt-get install seabios)");
	ck_load_error(
	    "firmware = 'seabios'\n",
	    "xl.cfg:1: firmware: SeaBIOS (/nonexistent/bios.bin) is missing: No such file "
	    "or directory; install Debian's seabios package (apt-get install seabios)");
}
END_TEST

/* vga = "none" drops the VGA; with no virtio screen and no serial
 * console the domain could not be seen at all, and is refused. */
START_TEST(test_vga_none_needs_another_screen_or_console)
{
	fake_seabios();
	ck_assert_int_eq(load("name='a'\nvga = 'none'\nvfb = [ 'type=virtio' ]\n"), 0);
	ck_assert_uint_eq(cfg.vga_none, 1);
	ck_assert_int_eq(config_resolve(&cfg, err, sizeof err), 0);
	ck_assert_int_eq(load("name='a'\nvga = 'none'\n"), 0); /* COM1 on stdio */
	ck_assert_int_eq(config_resolve(&cfg, err, sizeof err), 0);
	ck_assert_int_eq(load("name='a'\nvga = 'none'\nserial = 'none'\n"), 0);
	ck_resolve_error("xl.cfg: vga = \"none\" leaves the domain no screen and no console: add "
			 "vfb = [ 'type=virtio' ] or a serial console (serial = ...)");
	ck_assert_int_eq(load("name='a'\nvga = 'stdvga'\nserial = 'none'\n"), 0);
	ck_assert_uint_eq(cfg.vga_none, 0);
	ck_assert_int_eq(config_resolve(&cfg, err, sizeof err), 0);
}
END_TEST

START_TEST(test_pvh_without_kernel_is_refused)
{
	fake_seabios();
	ck_assert_int_eq(load("name='a'\ntype='pvh'\n"), 0);
	ck_resolve_error("xl.cfg: type = \"pvh\" boots a kernel directly: give kernel= (or use "
			 "type = \"hvm\" for SeaBIOS)");
}
END_TEST

START_TEST(test_maxmem_below_memory_is_refused)
{
	ck_assert_int_eq(load("name='a'\nmemory = 64\nmaxmem = 32\nkernel = 'k'\n"), 0);
	ck_resolve_error("xl.cfg: maxmem = 32 is less than memory = 64 (MiB)");
}
END_TEST

/* ---- refusals ---- */

START_TEST(test_pv_guests_are_refused_with_what_hv_runs)
{
	ck_load_error("type = 'pv'\n",
		      "xl.cfg:1: type: \"pv\" (a Xen PV guest) is not supported; hv runs \"hvm\" "
		      "(SeaBIOS and the emulated PC) or \"pvh\" (a Linux kernel booted directly "
		      "with kernel=)");
	ck_load_error("builder = 'generic'\n",
		      "xl.cfg:1: builder: \"generic\" (a Xen PV guest) is not supported; hv runs "
		      "\"hvm\" (SeaBIOS and the emulated PC) or \"pvh\" (a Linux kernel booted "
		      "directly with kernel=)");
	ck_load_error("type = 'hvn'\n",
		      "xl.cfg:1: type: expected \"hvm\" (SeaBIOS and the emulated PC) or \"pvh\" "
		      "(direct kernel boot), got \"hvn\" (did you mean \"hvm\"?)");
	ck_load_error("builder = 'pvh'\n",
		      "xl.cfg:1: builder: expected \"hvm\" (type = \"hvm\" is the current "
		      "spelling), got \"pvh\" (did you mean \"hvm\"?)");
}
END_TEST

START_TEST(test_firmware_hv_has_not_got_is_refused)
{
	ck_load_error("firmware = 'ovmf'\n",
		      "xl.cfg:1: firmware: \"ovmf\" is not supported yet; hv boots SeaBIOS "
		      "(\"seabios\", the default for HVM), a ROM image given by path, or a Linux "
		      "kernel with kernel=");
	ck_load_error("bios = 'rombios'\n",
		      "xl.cfg:1: bios: \"rombios\" is not supported yet; hv boots SeaBIOS "
		      "(\"seabios\", the default for HVM), a ROM image given by path, or a Linux "
		      "kernel with kernel=");
	ck_load_error("bios = '/rom.bin'\n",
		      "xl.cfg:1: bios: expected \"seabios\", got \"/rom.bin\"");
}
END_TEST

START_TEST(test_bad_uuid_is_refused)
{
	ck_load_error("uuid = 'c0ffee00-1234-4abc-8def-0123456789a'\n",
		      "xl.cfg:1: uuid: expected a UUID such as "
		      "\"c0ffee00-1234-4abc-8def-0123456789ab\", got "
		      "\"c0ffee00-1234-4abc-8def-0123456789a\"");
	ck_load_error("uuid = 'c0ffee00-1234-4abc-8def+0123456789ab'\n",
		      "xl.cfg:1: uuid: expected a UUID such as "
		      "\"c0ffee00-1234-4abc-8def-0123456789ab\", got "
		      "\"c0ffee00-1234-4abc-8def+0123456789ab\"");
	ck_load_error("uuid = 'g0ffee00-1234-4abc-8def-0123456789ab'\n",
		      "xl.cfg:1: uuid: expected a UUID such as "
		      "\"c0ffee00-1234-4abc-8def-0123456789ab\", got "
		      "\"g0ffee00-1234-4abc-8def-0123456789ab\"");
}
END_TEST

START_TEST(test_missing_devices_are_refused_with_what_hv_offers)
{
	ck_load_error("vif = [ 'bridge=xenbr0' ]\n",
		      "xl.cfg:1: vif: bridge=: not supported; hv's network is user-mode (libslirp "
		      "NAT inside the domain process, no host interface, bridge or script); the "
		      "guest reaches out through NAT, the host reaches in with "
		      "hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport");
	ck_load_error("vfb = [ 'vnc=1' ]\n",
		      "xl.cfg:1: vfb: 'vnc=1' is not supported; hv's paravirtual screen is vfb = "
		      "[ 'type=virtio' ] (a virtio-gpu beside the VGA) or vfb = []");
	ck_load_error("vnc = 1\n", "xl.cfg:1: vnc: VNC is not supported; `hv view NAME` shows the "
				   "screen in an SDL window");
	ck_load_error("soundhw = 'es1370'\n",
		      "xl.cfg:1: soundhw: \"es1370\": hv emulates \"sb16\" (a Sound Blaster 16), "
		      "optionally \"sb16,port=0x220,irq=5,dma=1,hdma=5\"");
	ck_load_error("usb = 1\n", "xl.cfg:1: usb: USB is not supported yet; hv's PC has a PS/2 "
				   "keyboard and mouse (`hv view`, `hv send-keys`)");
	ck_load_error("usbdevice = 'tablet'\n",
		      "xl.cfg:1: usbdevice: USB is not supported yet; hv's PC has a PS/2 keyboard "
		      "and mouse (`hv view`, `hv send-keys`)");
	ck_load_error(
	    "usbctrl = [ 'version=3' ]\n",
	    "xl.cfg:1: usbctrl: USB is not supported yet; hv's PC has a PS/2 keyboard and "
	    "mouse");
	ck_load_error("usbdev = [ 'hostbus=1' ]\n",
		      "xl.cfg:1: usbdev: USB is not supported yet; hv's PC has a PS/2 keyboard and "
		      "mouse");
	ck_load_error("cpuid = 'host,tm=0'\n",
		      "xl.cfg:1: cpuid: CPUID policies are not supported yet; the soft engine "
		      "reports its own i686, the kvm engine the host CPU");
	ck_load_error(
	    "nestedhvm = 1\n",
	    "xl.cfg:1: nestedhvm: nested virtualisation is not supported; use nestedhvm = 0");
	ck_load_error("vga = 'qxl'\n", "xl.cfg:1: vga: \"qxl\" is not supported yet; hv's PC has "
				       "a standard VGA with VBE (\"stdvga\")");
	ck_load_error("vga = 'stdgva'\n",
		      "xl.cfg:1: vga: expected \"stdvga\", \"cirrus\" or \"none\", got "
		      "\"stdgva\" (did you mean \"stdvga\"?)");
	ck_load_error(
	    "viridian = 1\n",
	    "xl.cfg:1: viridian: Hyper-V enlightenments are not supported; the guest sees "
	    "the emulated PC alone (use viridian = 0)");
	ck_load_error("pci = [ '01:00.0' ]\n",
		      "xl.cfg:1: pci: PCI passthrough is not supported (use pci = [])");
	ck_load_error("vkb = [ '' ]\n", "xl.cfg:1: vkb: not supported yet; every domain has a PS/2 "
					"keyboard and mouse (`hv view`, `hv send-keys`)");
	ck_load_error("channel = [ 'name=org.qemu.guest_agent.0' ]\n",
		      "xl.cfg:1: channel: not supported yet; hv offers two serial ports (serial, "
		      "serial2) and a debug console (debugcon)");
	ck_load_error("rtc_timeoffset = -3600\n",
		      "xl.cfg:1: rtc_timeoffset: not supported yet; the RTC starts at the host's "
		      "UTC time, or its local time with localtime = 1 (use rtc_timeoffset = 0)");
}
END_TEST

START_TEST(test_extra_and_cmdline_are_one_setting)
{
	ck_load_error("extra = 'a'\ncmdline = 'b'\n",
		      "xl.cfg:2: cmdline: the kernel command line is already set on line 1 (extra "
		      "and cmdline are one setting)");
	ck_load_error("cmdline = 'b'\nextra = 'a'\n",
		      "xl.cfg:2: extra: the kernel command line is already set on line 1 (extra "
		      "and cmdline are one setting)");
	/* The command line overrides the file's, by either name. */
	ck_assert_int_eq(load("name='a'\nextra = 'a'\n"), 0);
	ck_assert_int_eq(config_override(&cfg, "cmdline=b", err, sizeof err), 0);
	ck_assert_str_eq(cfg.extra, "b");
}
END_TEST

START_TEST(test_flags_take_only_0_and_1)
{
	ck_load_error("sdl = 2\n", "xl.cfg:1: sdl: expected 0 or 1, got 2");
	ck_load_error("localtime = 'yes'\n", "xl.cfg:1: localtime: expected 0 (the RTC keeps UTC) "
					     "or 1 (the host's local time), got \"yes\"");
	ck_load_error("videoram = 0\n", "xl.cfg:1: videoram: expected an integer from 1 to 1024 "
					"(MiB), got 0");
	ck_load_error("maxmem = 0\n",
		      "xl.cfg:1: maxmem: expected an integer from 1 to 65536 (MiB), got 0");
	ck_load_error("maxvcpus = 65\n",
		      "xl.cfg:1: maxvcpus: expected an integer from 1 to 64, got 65");
}
END_TEST

START_TEST(test_actions_hv_has_not_got_are_refused)
{
	ck_load_error("on_reboot = 'coredump-destroy'\n",
		      "xl.cfg:1: on_reboot: \"coredump-destroy\" is not supported (hv writes core "
		      "dumps for on_crash only); expected \"destroy\", \"restart\" or "
		      "\"preserve\"");
	ck_load_error("on_reboot = 'rename-restart'\n",
		      "xl.cfg:1: on_reboot: \"rename-restart\" is not supported yet; expected "
		      "\"destroy\", \"restart\" or \"preserve\"");
	ck_load_error("on_poweroff = 'soft-reset'\n",
		      "xl.cfg:1: on_poweroff: \"soft-reset\" is not supported yet; expected "
		      "\"destroy\", \"restart\" or \"preserve\"");
	ck_load_error("on_crash = 'preserve'\n",
		      "xl.cfg:1: on_crash: \"preserve\" is not supported yet (a crashed domain is "
		      "not kept); expected \"destroy\", \"restart\", \"coredump-destroy\" or "
		      "\"coredump-restart\"");
	ck_load_error("on_crash = 'restrat'\n",
		      "xl.cfg:1: on_crash: expected \"destroy\", \"restart\", "
		      "\"coredump-destroy\" or \"coredump-restart\", got \"restrat\" (did you "
		      "mean \"restart\"?)");
}
END_TEST

START_TEST(test_serial_list_and_serial2_cannot_both_set_com2)
{
	ck_load_error("serial = [ 'pty', 'pty' ]\nserial2 = 'none'\n",
		      "xl.cfg:2: serial2: COM2 is already set by serial on line 1");
	ck_load_error("serial2 = 'none'\nserial = [ 'pty', 'pty' ]\n",
		      "xl.cfg:2: serial: COM2 is already set by serial2 on line 1");
	ck_load_error(
	    "serial = [ 'pty', 2 ]\n",
	    "xl.cfg:1: serial: expected \"stdio\", \"pty\", \"none\" or \"file:PATH\", got 2");
}
END_TEST

START_TEST(test_every_refused_statement_is_reported_in_one_run)
{
	ck_load_error("type = 'hvm'\nname = 'x'\nvcpus = 2\nvif = [ 'model=e1000' ]\nvideo = 1\n"
		      "sdl = 1\nvnc = 1\n",
		      "xl.cfg:3: vcpus: hv runs one vCPU per domain until SMP exists (the limit is "
		      "1), got 2\n"
		      "xl.cfg:4: vif: model=e1000: hv's only NIC is virtio-net (model=virtio)\n"
		      "xl.cfg:5: unknown key 'video'\n"
		      "xl.cfg:7: vnc: VNC is not supported; `hv view NAME` shows the screen in an "
		      "SDL window");
	/* A syntax error ends the list. */
	ck_load_error("vif = [ 'script=vif-bridge' ]\nmemory = = 3\nvnc = 1\n",
		      "xl.cfg:1: vif: script=: not supported; hv's network is user-mode (libslirp "
		      "NAT inside the domain process, no host interface, bridge or script); the "
		      "guest reaches out through NAT, the host reaches in with "
		      "hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport\n"
		      "xl.cfg:2: expected a value after 'memory =', got '='");
	/* An unknown key whose value does not parse reports the key. */
	ck_load_error("colour = [ 'a'\n", "xl.cfg:1: unknown key 'colour'");
}
END_TEST

START_TEST(test_vfb_virtio_gives_a_virtio_gpu)
{
	ck_assert_int_eq(load("name='a'\nvfb = [ 'type=virtio' ]\n"), 0);
	ck_assert_uint_eq(cfg.vfb_virtio, 1);
	ck_assert_int_eq(load("name='a'\nvfb = []\n"), 0);
	ck_assert_uint_eq(cfg.vfb_virtio, 0);
	ck_load_error("vfb = [ 'type=virtio', 'type=virtio' ]\n",
		      "xl.cfg:1: vfb: vfb = [ 'type=virtio' ] (a virtio-gpu beside the VGA) or vfb "
		      "= []");
	ck_load_error("vfb = 'type=virtio'\n", "xl.cfg:1: vfb: vfb = [ 'type=virtio' ] (a "
					       "virtio-gpu beside the VGA) or vfb = []");
	ck_load_error("vfb = [ 'type=vesa' ]\n",
		      "xl.cfg:1: vfb: 'type=vesa' is not supported; hv's paravirtual screen is vfb "
		      "= [ 'type=virtio' ] (a virtio-gpu beside the VGA) or vfb = []");
}
END_TEST

/* ---- written back ---- */

static char *write_to_string(const struct domain_config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	config_write(c, f);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* hpet = 0 takes the HPET away (no warning) and is written back; the
 * default keeps it and writes nothing. */
START_TEST(test_hpet_0_is_stored_and_written_back)
{
	char *text;

	ck_assert_int_eq(load("name='a'\n"), 0);
	ck_assert_uint_eq(cfg.hpet, 1);
	text = write_to_string(&cfg);
	ck_assert_ptr_null(strstr(text, "hpet"));
	free(text);
	ck_assert_int_eq(load("name='a'\nhpet = 0\n"), 0);
	ck_assert_uint_eq(cfg.hpet, 0);
	ck_assert_uint_eq(cfg.nwarnings, 0);
	text = write_to_string(&cfg);
	ck_assert_ptr_nonnull(strstr(text, "\nhpet = 0\n"));
	free(text);
	ck_load_error("hpet = 2\n", "xl.cfg:1: hpet: expected 0 (no HPET) or 1 (the PC's HPET, a "
				    "clock source), got 2");
}
END_TEST

START_TEST(test_written_config_loads_to_the_same_domain)
{
	struct domain_config first;
	char *text, *again;

	fake_seabios();
	ck_assert_msg(
	    load("name = 'xl'\ntype = 'hvm'\nuuid = '00000000-0000-4000-8000-"
		 "000000000001'\nmemory = 64\nmaxmem = 128\nsdl = 1\n"
		 "disk = [ 'hd.img,raw,hda,rw', 'cd \\\"1\\\".iso,,hdc,cdrom', "
		 "',,hdd,cdrom' ]\nserial = [ 'file:com1.log', 'pty' ]\n"
		 "debugcon = 'file:e9.log'\nextra = 'a=\"b\"\\\\c'\nlocaltime = 1\n"
		 "on_reboot = 'destroy'\non_crash = 'restart'\nboot = 'dc'\n"
		 "boot_menu = 0\nboot_menu_wait = 7000\nengine = 'soft'\nvfb = [ 'type=virtio' ]\n"
		 "soundhw = 'sb16,port=0x240,irq=7,dma=3,hdma=6'\n") == 0,
	    "%s", err);
	ck_assert_int_eq(config_resolve(&cfg, err, sizeof err), 0);
	first = cfg;
	text = write_to_string(&first);
	ck_assert_ptr_nonnull(strstr(text, "# warning: xl.cfg: maxmem: "));
	ck_assert_ptr_nonnull(strstr(text, "\nsdl = 1\n"));
	write_text("again.cfg", text);
	ck_assert_int_eq(config_load("again.cfg", &cfg, err, sizeof err), 0);
	ck_assert_int_eq(config_resolve(&cfg, err, sizeof err), 0);
	ck_assert_str_eq(cfg.firmware, first.firmware);
	ck_assert_str_eq(cfg.uuid, first.uuid);
	ck_assert_uint_eq(cfg.sdl, 1);
	ck_assert_str_eq(cfg.extra, "a=\"b\"\\c");
	ck_assert_mem_eq(&cfg.soundhw, &first.soundhw, sizeof cfg.soundhw);
	ck_assert_uint_eq(cfg.soundhw.irq, 7);
	ck_assert_uint_eq(cfg.ndisks, 3);
	ck_assert_str_eq(cfg.disks[1].target, first.disks[1].target);
	ck_assert(cfg.disks[1].cdrom && cfg.disks[1].readonly);
	ck_assert_str_eq(cfg.disks[2].target, "");
	ck_assert_int_eq(cfg.serial[1].kind, CHARDEV_PTY);
	ck_assert_uint_eq(cfg.localtime, 1);
	ck_assert_int_eq(cfg.on_reboot, CONFIG_ACTION_DESTROY);
	ck_assert_int_eq(cfg.on_crash, CONFIG_ACTION_RESTART);
	ck_assert_uint_eq(cfg.boot_menu, 0);
	ck_assert_uint_eq(cfg.boot_menu_wait, 7000);
	ck_assert_uint_eq(cfg.vfb_virtio, 1);
	/* Written once more, only the warnings (now gone) differ. */
	again = write_to_string(&cfg);
	ck_assert_str_eq(again, strstr(text, "\nname = ") + 1);
	free(text);
	free(again);
}
END_TEST

START_TEST(test_written_config_of_defaults)
{
	char *text;

	fake_seabios();
	ck_assert_int_eq(load("name = 'd'\nkernel = '/k'\n"), 0);
	ck_assert_int_eq(config_resolve(&cfg, err, sizeof err), 0);
	text = write_to_string(&cfg);
	ck_assert_str_eq(text, "name = \"d\"\n"
			       "memory = 32\n"
			       "vcpus = 1\n"
			       "engine = \"auto\"\n"
			       "kernel = \"/k\"\n"
			       "boot = \"cd\"\n"
			       "boot_menu = 1\n"
			       "audio = \"pulse\"\n"
			       "audio_latency_ms = 30\n"
			       "disk = [\n"
			       "]\n"
			       "serial = \"stdio\"\n"
			       "serial2 = \"none\"\n"
			       "debugcon = \"none\"\n"
			       "localtime = 0\n"
			       "on_poweroff = \"destroy\"\n"
			       "on_reboot = \"restart\"\n"
			       "on_crash = \"destroy\"\n");
	free(text);
}

START_TEST(test_soundhw_sb16_with_its_defaults_and_resources)
{
	ck_assert_int_eq(load("name='a'\nsoundhw = 'sb16'\n"), 0);
	ck_assert_uint_eq(cfg.soundhw.sb16, 1);
	ck_assert_uint_eq(cfg.soundhw.port, 0x220);
	ck_assert_uint_eq(cfg.soundhw.irq, 5);
	ck_assert_uint_eq(cfg.soundhw.dma, 1);
	ck_assert_uint_eq(cfg.soundhw.hdma, 5);
	ck_assert_int_eq(load("name='a'\nsoundhw = ['sb16,port=0x260,irq=10,dma=0,hdma=7']\n"), 0);
	ck_assert_uint_eq(cfg.soundhw.port, 0x260);
	ck_assert_uint_eq(cfg.soundhw.irq, 10);
	ck_assert_uint_eq(cfg.soundhw.dma, 0);
	ck_assert_uint_eq(cfg.soundhw.hdma, 7);
	ck_assert_int_eq(load("name='a'\nsoundhw = ''\n"), 0);
	ck_assert_uint_eq(cfg.soundhw.sb16, 0);
	ck_load_error("soundhw = 'sb16,irq=4'\n",
		      "xl.cfg:1: soundhw: \"sb16,irq=4\": a Sound Blaster 16 takes port 0x220, "
		      "0x240, 0x260 or 0x280, irq 2, 5, 7, 9 or 10, dma 0, 1 or 3, hdma 5, 6 or 7");
	ck_load_error("soundhw = 'sb16,hdma=1'\n",
		      "xl.cfg:1: soundhw: hdma: expected a number from 0x5 to 0x7");
	ck_load_error("soundhw = 'sb16,volume=3'\n",
		      "xl.cfg:1: soundhw: \"volume=3\": expected port=, irq=, dma= or hdma= after "
		      "\"sb16,\"");
	ck_load_error(
	    "soundhw = 'sb16,port=0x221'\n",
	    "xl.cfg:1: soundhw: \"sb16,port=0x221\": a Sound Blaster 16 takes port "
	    "0x220, 0x240, 0x260 or 0x280, irq 2, 5, 7, 9 or 10, dma 0, 1 or 3, hdma 5, 6 "
	    "or 7");
}
END_TEST

END_TEST

static Suite *config_xl_suite(void)
{
	Suite *s = suite_create("config_xl");
	TCase *map = tcase_create("mapped"), *warn = tcase_create("warned");
	TCase *resolve = tcase_create("resolved"), *refuse = tcase_create("refused");
	TCase *write = tcase_create("written");
	TCase *all[] = {map, warn, resolve, refuse, write};

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		config_fixture(all[i]);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(map, test_type_and_builder_choose_hvm_or_pvh);
	tcase_add_test(map, test_firmware_and_bios_name_seabios);
	tcase_add_test(map, test_uuid_is_kept_in_lower_case);
	tcase_add_test(map, test_cmdline_is_extra_by_its_newer_name);
	tcase_add_test(map, test_on_reboot_and_on_crash_defaults_and_values);
	tcase_add_test(map, test_localtime_and_maxvcpus_are_stored);
	tcase_add_test(map, test_serial_list_of_two_sets_com1_and_com2);
	tcase_add_test(map, test_off_values_of_missing_devices_are_accepted);
	tcase_add_test(warn, test_cosmetic_keys_warn_once_with_file_and_line);
	tcase_add_test(warn, test_maxmem_above_memory_warns_no_ballooning);
	tcase_add_test(warn, test_timing_scheduling_and_platform_keys_are_noted);
	tcase_add_test(refuse, test_extra_and_cmdline_are_one_setting);
	tcase_add_test(resolve, test_without_firmware_or_kernel_seabios_boots);
	tcase_add_test(resolve, test_kernel_or_firmware_given_is_left_alone);
	tcase_add_test(resolve, test_missing_seabios_names_the_debian_package);
	tcase_add_test(resolve, test_pvh_without_kernel_is_refused);
	tcase_add_test(resolve, test_vga_none_needs_another_screen_or_console);
	tcase_add_test(resolve, test_seabios_by_name_when_missing_names_the_debian_package);
	tcase_add_test(resolve, test_maxmem_below_memory_is_refused);
	tcase_add_test(refuse, test_pv_guests_are_refused_with_what_hv_runs);
	tcase_add_test(refuse, test_firmware_hv_has_not_got_is_refused);
	tcase_add_test(refuse, test_bad_uuid_is_refused);
	tcase_add_test(refuse, test_missing_devices_are_refused_with_what_hv_offers);
	tcase_add_test(refuse, test_flags_take_only_0_and_1);
	tcase_add_test(refuse, test_actions_hv_has_not_got_are_refused);
	tcase_add_test(refuse, test_serial_list_and_serial2_cannot_both_set_com2);
	tcase_add_test(refuse, test_every_refused_statement_is_reported_in_one_run);
	tcase_add_test(map, test_soundhw_sb16_with_its_defaults_and_resources);
	tcase_add_test(write, test_hpet_0_is_stored_and_written_back);
	tcase_add_test(write, test_written_config_loads_to_the_same_domain);
	tcase_add_test(write, test_vfb_virtio_gives_a_virtio_gpu);
	tcase_add_test(write, test_written_config_of_defaults);
	return s;
}

int main(void)
{
	return unit_run(config_xl_suite());
}
