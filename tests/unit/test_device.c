/* The device registry (hv/core/device.h): names are unique and bounded,
 * reset and describe reach every device in registration order, and a
 * device without a describe op still shows under its name. */
#include <stdio.h>
#include <string.h>

#include "hv/core/device.h"
#include "unit.h"

struct fake {
	int resets;
	int order; /* when it was last reset, from the shared counter */
	const char *text;
};

static int reset_clock;

static void fake_reset(void *dev)
{
	struct fake *f = dev;

	f->resets++;
	f->order = ++reset_clock;
}

static void fake_describe(const void *dev, char *buf, size_t len)
{
	const struct fake *f = dev;

	snprintf(buf, len, "%s", f->text);
}

static const struct device_ops fake_ops = {.reset = fake_reset, .describe = fake_describe};
static const struct device_ops bare_ops = {0};

START_TEST(test_register_finds_each_device_by_name)
{
	struct device_registry r = {0};
	struct fake a = {0}, b = {0};
	char err[128];

	ck_assert_int_eq(device_register(&r, "pic0", &fake_ops, &a, err, sizeof err), 0);
	ck_assert_int_eq(device_register(&r, "pit0", &fake_ops, &b, err, sizeof err), 0);
	ck_assert_ptr_eq(device_find(&r, "pic0"), &a);
	ck_assert_ptr_eq(device_find(&r, "pit0"), &b);
	ck_assert_ptr_null(device_find(&r, "pic"));
	device_registry_free(&r);
	ck_assert_ptr_null(device_find(&r, "pic0"));
}
END_TEST

START_TEST(test_register_refuses_duplicate_empty_and_long_names)
{
	struct device_registry r = {0};
	struct fake a = {0};
	char err[128];

	ck_assert_int_eq(device_register(&r, "com1", &fake_ops, &a, err, sizeof err), 0);
	ck_assert_int_eq(device_register(&r, "com1", &fake_ops, &a, err, sizeof err), -1);
	ck_assert_str_eq(err, "two devices named 'com1'");
	ck_assert_int_eq(device_register(&r, "", &fake_ops, &a, err, sizeof err), -1);
	ck_assert_int_eq(device_register(&r, "a-name-far-too-long", &fake_ops, &a, err, sizeof err),
			 -1);
	ck_assert_uint_eq(r.n, 1);
	device_registry_free(&r);
}
END_TEST

START_TEST(test_reset_all_goes_in_registration_order_and_skips_null_ops)
{
	struct device_registry r = {0};
	struct fake f[40] = {0};
	char err[128], name[16];

	/* More than the first allocation holds, so the table grows. */
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof name, "dev%d", i);
		ck_assert_int_eq(device_register(&r, name, i == 7 ? &bare_ops : &fake_ops, &f[i],
						 err, sizeof err),
				 0);
	}
	reset_clock = 0;
	device_reset_all(&r);
	for (int i = 0, last = 0; i < 40; i++) {
		if (i == 7) {
			ck_assert_int_eq(f[i].resets, 0);
			continue;
		}
		ck_assert_int_eq(f[i].resets, 1);
		ck_assert_int_gt(f[i].order, last);
		last = f[i].order;
	}
	device_registry_free(&r);
}
END_TEST

START_TEST(test_describe_all_quotes_each_device_under_its_name)
{
	struct device_registry r = {0};
	struct fake a = {.text = "irr=00/00 isr=01/00"}, b = {.text = "mode=2"}, c = {0};
	char err[128], buf[256] = "";

	device_register(&r, "pic0", &fake_ops, &a, err, sizeof err);
	device_register(&r, "pit0", &fake_ops, &b, err, sizeof err);
	device_register(&r, "port92", &bare_ops, &c, err, sizeof err);
	device_describe_all(&r, buf, sizeof buf);
	ck_assert_str_eq(buf, " pic0=\"irr=00/00 isr=01/00\" pit0=mode=2 port92=\"\"");
	device_registry_free(&r);
}
END_TEST

START_TEST(test_describe_all_stops_at_the_buffer_end)
{
	struct device_registry r = {0};
	struct fake a = {.text = "a long description of a device that does not fit"};
	char err[128], buf[24];

	memset(buf, 0, sizeof buf);
	device_register(&r, "vga", &fake_ops, &a, err, sizeof err);
	device_register(&r, "ide0", &fake_ops, &a, err, sizeof err);
	device_describe_all(&r, buf, sizeof buf);
	ck_assert_uint_lt(strlen(buf), sizeof buf);
	ck_assert_int_eq(strncmp(buf, " vga=\"a long", 12), 0);
	device_registry_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("device");
	TCase *t = tcase_create("registry");

	tcase_add_test(t, test_register_finds_each_device_by_name);
	tcase_add_test(t, test_register_refuses_duplicate_empty_and_long_names);
	tcase_add_test(t, test_reset_all_goes_in_registration_order_and_skips_null_ops);
	tcase_add_test(t, test_describe_all_quotes_each_device_under_its_name);
	tcase_add_test(t, test_describe_all_stops_at_the_buffer_end);
	suite_add_tcase(s, t);
	return unit_run(s);
}
