/* diskspec and the disk=/boot= keys: xl's disk syntax in its keyed and
 * positional forms, what is rejected and how the message reads (with
 * FILE:LINE from the config parser), relative targets. */
#include <check.h>
#include <string.h>

#include "hv/config/config.h"
#include "hv/config/diskspec.h"

#include "unit.h"

static struct disk_config d;
static char msg[512];

START_TEST(keyed_form)
{
	ck_assert_int_eq(diskspec_parse("format=raw, vdev=hdb, access=ro, target=/img/a,b.img", &d,
					msg, sizeof msg),
			 0);
	ck_assert_str_eq(d.target, "/img/a,b.img"); /* target= takes the rest, commas too */
	ck_assert_int_eq(d.vdev, DISK_HDB);
	ck_assert(d.readonly);
	ck_assert(!d.cdrom);
	ck_assert_int_eq(diskspec_ide_index(d.vdev), 1);
}
END_TEST

START_TEST(positional_form)
{
	ck_assert_int_eq(diskspec_parse("/img/dos.img,raw,hda,rw", &d, msg, sizeof msg), 0);
	ck_assert_str_eq(d.target, "/img/dos.img");
	ck_assert_int_eq(d.vdev, DISK_HDA);
	ck_assert(!d.readonly);
	ck_assert_int_eq(diskspec_parse("/img/cd.iso,,hdc,,cdrom", &d, msg, sizeof msg), 0);
	ck_assert(d.cdrom && d.readonly);
	ck_assert_int_eq(d.vdev, DISK_HDC);
	ck_assert_int_eq(diskspec_parse(",,hdd:cdrom,r", &d, msg, sizeof msg), 0);
	ck_assert_str_eq(d.target, ""); /* an empty drive */
	ck_assert(d.cdrom);
	ck_assert_int_eq(diskspec_parse("vdev=hdc, devtype=cdrom", &d, msg, sizeof msg), 0);
	ck_assert(d.cdrom && !d.target[0]);
}
END_TEST

START_TEST(floppy_drives)
{
	ck_assert_int_eq(diskspec_parse("/img/dos.img,raw,fda,ro", &d, msg, sizeof msg), 0);
	ck_assert_int_eq(d.vdev, DISK_FDA);
	ck_assert(d.readonly && !d.cdrom);
	ck_assert_int_eq(diskspec_floppy_index(d.vdev), 0);
	ck_assert_int_eq(diskspec_ide_index(d.vdev), -1);
	ck_assert_int_eq(diskspec_parse("vdev=fdb,target=/b.img", &d, msg, sizeof msg), 0);
	ck_assert_int_eq(diskspec_floppy_index(d.vdev), 1);
	ck_assert_int_eq(diskspec_floppy_index(DISK_HDA), -1);
}
END_TEST

START_TEST(xvd_names_select_virtio_blk)
{
	ck_assert_int_eq(diskspec_parse("format=raw,vdev=xvda,access=rw,target=/img/root.img", &d,
					msg, sizeof msg),
			 0);
	ck_assert_int_eq(d.vdev, DISK_XVDA);
	ck_assert_int_eq(diskspec_virtio_index(d.vdev), 0);
	ck_assert_int_eq(diskspec_ide_index(d.vdev), -1);
	ck_assert_int_eq(diskspec_floppy_index(d.vdev), -1);
	ck_assert_int_eq(diskspec_parse("/img/data.img,raw,xvdz,ro", &d, msg, sizeof msg), 0);
	ck_assert_int_eq(diskspec_virtio_index(d.vdev), 25);
	ck_assert(d.readonly);
	ck_assert_str_eq(diskspec_vdev_name(d.vdev), "xvdz");
	ck_assert(!d.qcow2);
	ck_assert_int_eq(diskspec_parse("/img/data.qcow2,qcow2,xvdb", &d, msg, sizeof msg), 0);
	ck_assert(d.qcow2);
	ck_assert_int_eq(
	    diskspec_parse("format=qcow2,vdev=hda,target=/a.qcow2", &d, msg, sizeof msg), 0);
	ck_assert(d.qcow2);
	ck_assert_int_eq(diskspec_virtio_index(DISK_HDA), -1);
	ck_assert_int_eq(diskspec_parse("/a.img,raw,xvdaa", &d, msg, sizeof msg), -1);
	ck_assert_int_eq(
	    diskspec_parse("vdev=xvdb,devtype=cdrom,target=/cd.iso", &d, msg, sizeof msg), -1);
	ck_assert_ptr_nonnull(strstr(msg, "a CD-ROM is IDE here"));
}
END_TEST

static void rejects(const char *spec, const char *want)
{
	ck_assert_int_eq(diskspec_parse(spec, &d, msg, sizeof msg), -1);
	ck_assert_msg(strstr(msg, want) != NULL, "\"%s\" gave \"%s\"", spec, msg);
}

START_TEST(bad_specs)
{
	rejects("target=/a.img", "no vdev=");
	rejects("/a.img,vmdk,hda", "format=vmdk: expected raw or qcow2");
	rejects("/a.img,raw,hde", "unknown vdev \"hde\"");
	rejects("vdev=fda,devtype=cdrom,target=/a", "vdev=fda: a floppy drive cannot be a CD-ROM");
	rejects("vdev=fdb", "no target=");
	rejects("vdev=hda,access=rx,target=/a", "access=rx");
	rejects("vdev=hda,devtype=floppy,target=/a", "devtype=floppy: expected disk or cdrom");
	rejects("vdev=hda", "no target=");
	rejects("vdev=hdc,devtype=cdrom,access=rw,target=/a", "read-only");
	rejects("vdev=hda,vdev=hdb,target=/a", "vdev= given twice");
	rejects("vdev=hda,color=red,target=/a", "unknown parameter \"color\"");
	rejects("/a,raw,hda,rw,extra", "unexpected \"extra\"");
}
END_TEST

START_TEST(config_keys)
{
	struct domain_config cfg;
	char err[1024];
	const char *text = "name = \"x\"\n"
			   "disk = [ 'a.img,raw,hda,rw',\n"
			   "         'vdev=hdc,devtype=cdrom,target=/cd/x.iso' ]\n"
			   "boot = \"dc\"\n";

	config_defaults(&cfg);
	ck_assert_str_eq(cfg.boot, "cd");
	ck_assert_int_eq(config_parse(text, "/etc/hv/x.cfg", &cfg, err, sizeof err), 0);
	ck_assert_uint_eq(cfg.ndisks, 2);
	ck_assert_str_eq(cfg.disks[0].target, "/etc/hv/a.img");
	ck_assert_str_eq(cfg.disks[1].target, "/cd/x.iso");
	ck_assert(cfg.disks[1].cdrom);
	ck_assert_str_eq(cfg.boot, "dc");
}
END_TEST

static void config_rejects(const char *text, const char *want)
{
	struct domain_config cfg;
	char err[1024];

	config_defaults(&cfg);
	ck_assert_int_eq(config_parse(text, "/etc/hv/x.cfg", &cfg, err, sizeof err), -1);
	ck_assert_msg(strstr(err, want) != NULL, "got \"%s\"", err);
}

START_TEST(config_errors_carry_file_and_line)
{
	config_rejects("name='x'\ndisk = [ 'a.img,raw,hda',\n 'b.img,raw,fdb:cdrom' ]\n",
		       "/etc/hv/x.cfg:3: disk: vdev=fdb: a floppy drive cannot be a CD-ROM");
	config_rejects("disk = [ 'a.img,raw,hda', 'b.img,raw,hda' ]\n",
		       "/etc/hv/x.cfg:1: disk: vdev=hda given twice");
	config_rejects("disk = [ 3 ]\n", "/etc/hv/x.cfg:1: disk:");
	config_rejects("boot = \"n\"\n", "/etc/hv/x.cfg:1: boot:");
	config_rejects("boot = \"cc\"\n", "boot:");
	config_rejects("boot = 3\n", "boot:");
}
END_TEST

START_TEST(override_from_command_line)
{
	struct domain_config cfg;
	char err[1024];

	config_defaults(&cfg);
	ck_assert_int_eq(config_override(&cfg, "boot=d", err, sizeof err), 0);
	ck_assert_str_eq(cfg.boot, "d");
	ck_assert_int_eq(config_override(&cfg, "disk=/x.img,raw,hdb", err, sizeof err), 0);
	ck_assert_uint_eq(cfg.ndisks, 1);
	ck_assert_int_eq(cfg.disks[0].vdev, DISK_HDB);
}
END_TEST

/* The forms xl-disk-configuration(5) documents, as a Xen config has them. */
START_TEST(positional_forms_from_xl_configs)
{
	ck_assert_int_eq(diskspec_parse("/dev/vg/guest-volume,raw,hda,rw", &d, msg, sizeof msg), 0);
	ck_assert_str_eq(d.target, "/dev/vg/guest-volume");
	ck_assert_int_eq(d.vdev, DISK_HDA);
	ck_assert(!d.readonly && !d.cdrom);
	ck_assert_int_eq(diskspec_parse("file.iso,,hdc,cdrom", &d, msg, sizeof msg), 0);
	ck_assert_str_eq(d.target, "file.iso");
	ck_assert_int_eq(d.vdev, DISK_HDC);
	ck_assert(d.cdrom && d.readonly);
	ck_assert_int_eq(diskspec_parse("a.img,raw,hdb", &d, msg, sizeof msg), 0);
	ck_assert(!d.readonly); /* access defaults to rw */
	ck_assert_int_eq(diskspec_parse("a.img,,hdb,ro", &d, msg, sizeof msg), 0);
	ck_assert(d.readonly);
	ck_assert_int_eq(diskspec_parse("a.img,raw,hdd,w", &d, msg, sizeof msg), 0);
	ck_assert(!d.readonly);
	ck_assert_int_eq(diskspec_parse("a.img,raw,vdev=hdb,access=r", &d, msg, sizeof msg), 0);
	ck_assert_int_eq(d.vdev, DISK_HDB);
	ck_assert(d.readonly);
}
END_TEST

START_TEST(devtype_disk_is_the_default_spelled_out)
{
	ck_assert_int_eq(diskspec_parse("vdev=hda,devtype=disk,target=/a.img", &d, msg, sizeof msg),
			 0);
	ck_assert(!d.cdrom && !d.readonly);
	ck_assert_str_eq(d.target, "/a.img");
}
END_TEST

static void rejects_exactly(const char *spec, const char *want)
{
	ck_assert_int_eq(diskspec_parse(spec, &d, msg, sizeof msg), -1);
	ck_assert_str_eq(msg, want);
}

START_TEST(xl_parameters_hv_does_not_take)
{
	rejects_exactly("/dev/vg/v,raw,hda,rw,backendtype=phy",
			"backendtype=phy: hv has no Xen disk backends, it opens the target (an "
			"image file or a block device) itself; remove backendtype=");
	rejects_exactly("vdev=hda,script=block,target=/a",
			"script=block: hv has no Xen disk backends, it opens the target (an image "
			"file or a block device) itself; remove script=");
	rejects_exactly(
	    "backend=0,vdev=hda,target=/a",
	    "backend=0: hv has no Xen disk backends, it opens the target (an image file "
	    "or a block device) itself; remove backend=");
	rejects_exactly(
	    "/a.img,raw,hda,rw,discard",
	    "\"discard\" is not supported; hv takes target, format (raw or qcow2), vdev, access "
	    "and devtype");
	rejects_exactly(
	    "/a.img,raw,hda,direct-io-safe",
	    "\"direct-io-safe\" is not supported; hv takes target, format (raw or qcow2), vdev, "
	    "access and devtype");
}
END_TEST

START_TEST(positional_errors)
{
	rejects_exactly("/a.img", "no vdev= given (hda, hdb, hdc, hdd, fda, fdb or xvda-xvdz)");
	rejects_exactly("/a.img,raw", "no vdev= given (hda, hdb, hdc, hdd, fda, fdb or xvda-xvdz)");
	rejects_exactly("/a.img,vhd,hda,rw", "format=vhd: expected raw or qcow2");
	rejects_exactly(
	    "/a.img,raw,sda,rw",
	    "unknown vdev \"sda\" (expected hda, hdb, hdc, hdd, fda, fdb or xvda-xvdz)");
	rejects_exactly("/a.img,raw,hda,rx", "access=rx: expected rw or ro");
	rejects_exactly("/a.img,raw,hda,rw,ro",
			"unexpected \"ro\" after target, format, vdev and access");
	rejects_exactly("/a.iso,,hdc:cdrom,rw", "access=rw: a CD-ROM is read-only");
	rejects_exactly(",raw,hda,rw", "no target= given (only a CD-ROM drive may be empty)");
	rejects_exactly("/a.img,raw,hda,access=ro,access=rw", "access= given twice");
}
END_TEST

static Suite *diskspec_suite(void)
{
	Suite *s = suite_create("diskspec");
	TCase *t = tcase_create("diskspec");

	tcase_add_test(t, keyed_form);
	tcase_add_test(t, positional_form);
	tcase_add_test(t, floppy_drives);
	tcase_add_test(t, bad_specs);
	tcase_add_test(t, xvd_names_select_virtio_blk);
	tcase_add_test(t, config_keys);
	tcase_add_test(t, config_errors_carry_file_and_line);
	tcase_add_test(t, override_from_command_line);
	tcase_add_test(t, positional_forms_from_xl_configs);
	tcase_add_test(t, devtype_disk_is_the_default_spelled_out);
	tcase_add_test(t, xl_parameters_hv_does_not_take);
	tcase_add_test(t, positional_errors);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(diskspec_suite());
}
