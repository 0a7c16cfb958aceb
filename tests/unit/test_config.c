/* Config parsing: the xl.cfg syntax, every key, and the exact one-line
 * message of every error. Each test runs in a fresh temporary directory
 * that is also the working directory, so files are named "dos.cfg". */
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
	return load_file("dos.cfg", text);
}

#define ck_override_error(assignment, msg)                                                         \
	do {                                                                                       \
		ck_assert_int_eq(config_override(&cfg, assignment, err, sizeof err), -1);          \
		ck_assert_str_eq(err, msg);                                                        \
	} while (0)

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* ---- happy paths ---- */

START_TEST(test_defaults_fill_every_field)
{
	memset(&cfg, 0xff, sizeof cfg);
	config_defaults(&cfg);
	ck_assert_str_eq(cfg.file, "");
	ck_assert_str_eq(cfg.name, "");
	ck_assert_uint_eq(cfg.memory_mib, 32);
	ck_assert_uint_eq(cfg.vcpus, 1);
	ck_assert_int_eq(cfg.engine, CONFIG_ENGINE_AUTO);
	ck_assert_str_eq(cfg.firmware, "");
	ck_assert_int_eq(cfg.serial[0].kind, CHARDEV_STDIO);
	ck_assert_int_eq(cfg.debugcon.kind, CHARDEV_NONE);
	ck_assert_int_eq(cfg.on_poweroff, CONFIG_ACTION_DESTROY);
}
END_TEST

START_TEST(test_minimal_file_gets_defaults_for_other_keys)
{
	ck_assert_int_eq(load("name = \"dos\"\n"), 0);
	ck_assert_str_eq(cfg.file, "dos.cfg");
	ck_assert_str_eq(cfg.name, "dos");
	ck_assert_uint_eq(cfg.memory_mib, 32);
	ck_assert_uint_eq(cfg.vcpus, 1);
	ck_assert_int_eq(cfg.serial[0].kind, CHARDEV_STDIO);
	ck_assert_int_eq(cfg.debugcon.kind, CHARDEV_NONE);
}
END_TEST

START_TEST(test_every_key_is_stored)
{
	ck_assert_int_eq(load("name = \"dos-6.22_a.b\"\n"
			      "memory = 64\n"
			      "vcpus = 1\n"
			      "engine = \"soft\"\n"
			      "firmware = \"/usr/share/seabios/bios.bin\"\n"
			      "serial = \"pty\"\n"
			      "debugcon = \"file:/var/log/e9.log\"\n"
			      "on_poweroff = \"preserve\"\n"),
			 0);
	ck_assert_str_eq(cfg.name, "dos-6.22_a.b");
	ck_assert_uint_eq(cfg.memory_mib, 64);
	ck_assert_uint_eq(cfg.vcpus, 1);
	ck_assert_int_eq(cfg.engine, CONFIG_ENGINE_SOFT);
	ck_assert_str_eq(cfg.firmware, "/usr/share/seabios/bios.bin");
	ck_assert_int_eq(cfg.serial[0].kind, CHARDEV_PTY);
	ck_assert_int_eq(cfg.debugcon.kind, CHARDEV_FILE);
	ck_assert_str_eq(cfg.debugcon.path, "/var/log/e9.log");
	ck_assert_int_eq(cfg.on_poweroff, CONFIG_ACTION_PRESERVE);
}
END_TEST

START_TEST(test_single_and_double_quotes_both_make_strings)
{
	ck_assert_int_eq(load("name = 'dos'\nengine = \"kvm\"\nserial='none'\n"), 0);
	ck_assert_str_eq(cfg.name, "dos");
	ck_assert_int_eq(cfg.engine, CONFIG_ENGINE_KVM);
	ck_assert_int_eq(cfg.serial[0].kind, CHARDEV_NONE);
}
END_TEST

START_TEST(test_backslash_escapes_are_decoded_in_both_quotes)
{
	ck_assert_int_eq(load("name = 'dos'\n"
			      "firmware = \"/a\\\"b\\\\c\\'d\\x41\\te\\n\"\n"
			      "debugcon = 'file:/x\\'y\\\"z'\n"),
			 0);
	ck_assert_str_eq(cfg.firmware, "/a\"b\\c'dA\te\n");
	ck_assert_str_eq(cfg.debugcon.path, "/x'y\"z");
}
END_TEST

START_TEST(test_integers_may_be_hex)
{
	ck_assert_int_eq(load("name='dos'\nmemory = 0x40\nvcpus = 0X1\n"), 0);
	ck_assert_uint_eq(cfg.memory_mib, 64);
	ck_assert_uint_eq(cfg.vcpus, 1);
}
END_TEST

START_TEST(test_comments_run_to_end_of_line_but_not_inside_strings)
{
	ck_assert_int_eq(load("# a DOS machine\n"
			      "name = 'dos' # the name\n"
			      "firmware = \"/roms/#1.bin\"#trailing\n"
			      "   # indented comment\n"),
			 0);
	ck_assert_str_eq(cfg.name, "dos");
	ck_assert_str_eq(cfg.firmware, "/roms/#1.bin");
}
END_TEST

START_TEST(test_semicolons_separate_statements_on_one_line)
{
	ck_assert_int_eq(load("name = 'dos'; memory = 8;boot_menu=0;\n;;\n"), 0);
	ck_assert_uint_eq(cfg.memory_mib, 8);
	ck_assert_uint_eq(cfg.boot_menu, 0);
}
END_TEST

START_TEST(test_blank_lines_and_whitespace_are_ignored)
{
	ck_assert_int_eq(load("\n\n\t  name\t=\t'dos'   \n\n  memory=16"), 0);
	ck_assert_uint_eq(cfg.memory_mib, 16);
}
END_TEST

START_TEST(test_list_may_span_lines_with_comments_and_trailing_comma)
{
	ck_assert_int_eq(load("name = 'dos'\n"
			      "serial = [\n"
			      "    'file:/tmp/com1.log',   # COM1\n"
			      "\n"
			      "]\n"
			      "memory = 8\n"),
			 0);
	ck_assert_int_eq(cfg.serial[0].kind, CHARDEV_FILE);
	ck_assert_str_eq(cfg.serial[0].path, "/tmp/com1.log");
	ck_assert_uint_eq(cfg.memory_mib, 8);
}
END_TEST

START_TEST(test_one_line_list_without_trailing_comma)
{
	ck_assert_int_eq(load("name = 'dos'\nserial = [ \"pty\" ]\n"), 0);
	ck_assert_int_eq(cfg.serial[0].kind, CHARDEV_PTY);
}
END_TEST

START_TEST(test_crlf_line_endings_are_accepted)
{
	ck_assert_int_eq(load("name = 'dos'\r\nmemory = 12\r\nserial = [\r\n 'none',\r\n]\r\n"), 0);
	ck_assert_str_eq(cfg.name, "dos");
	ck_assert_uint_eq(cfg.memory_mib, 12);
	ck_assert_int_eq(cfg.serial[0].kind, CHARDEV_NONE);
}
END_TEST

/* The soft engine's JIT: on by default, `jit = 0` turns it off, and
 * nothing but 0 or 1 is taken. */
START_TEST(test_jit_key_turns_the_jit_off)
{
	ck_assert_int_eq(load("name = 'dos'\n"), 0);
	ck_assert_uint_eq(cfg.jit, 1);
	ck_assert_int_eq(load("name = 'dos'\nengine = 'soft'\njit = 0\n"), 0);
	ck_assert_uint_eq(cfg.jit, 0);
	ck_load_error("name = 'dos'\njit = 2\n",
		      "dos.cfg:2: jit: expected 0 (the soft CPU interprets) or 1 (translates hot "
		      "code), got 2");
}
END_TEST

/* kernel_decompress: on by default, 0 has the kernel decompress itself,
 * kept when the config is written back (a restored or migrated domain's
 * reboot boots the same way). */
START_TEST(test_kernel_decompress_key)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_int_eq(load("name = 'l'\n"), 0);
	ck_assert_uint_eq(cfg.kernel_decompress, 1);
	ck_assert_int_eq(load("name = 'l'\nkernel_decompress = 0\n"), 0);
	ck_assert_uint_eq(cfg.kernel_decompress, 0);
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	config_write(&cfg, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_nonnull(strstr(text, "\nkernel_decompress = 0\n"));
	free(text);
	ck_load_error(
	    "name = 'l'\nkernel_decompress = 'yes'\n",
	    "dos.cfg:2: kernel_decompress: expected 0 (the kernel decompresses itself) or 1 "
	    "(hv decompresses an xz kernel), got \"yes\"");
}
END_TEST

START_TEST(test_crlf_file_errors_count_lines_right)
{
	ck_load_error("name = 'dos'\r\n\r\nmemory = 0\r\n",
		      "dos.cfg:3: memory: expected an integer from 1 to 65536 (MiB), got 0");
}
END_TEST

START_TEST(test_utf8_byte_order_mark_is_skipped)
{
	ck_assert_int_eq(load("\xef\xbb\xbfname = 'dos'\n"), 0);
	ck_assert_str_eq(cfg.name, "dos");
}
END_TEST

START_TEST(test_memory_and_vcpus_accept_their_bounds)
{
	ck_assert_int_eq(load("name='a'\nmemory = 1\nvcpus = 1\n"), 0);
	ck_assert_uint_eq(cfg.memory_mib, 1);
	ck_assert_uint_eq(cfg.vcpus, 1);
	ck_assert_int_eq(load("name='a'\nmemory = 65536\nvcpus = 1\n"), 0);
	ck_assert_uint_eq(cfg.memory_mib, 65536);
}
END_TEST

START_TEST(test_name_of_63_characters_is_accepted)
{
	char text[128], *name = repeat('n', 63);

	snprintf(text, sizeof text, "name = '%s'\n", name);
	ck_assert_int_eq(load(text), 0);
	ck_assert_str_eq(cfg.name, name);
	free(name);
}
END_TEST

START_TEST(test_engine_and_on_poweroff_take_every_value)
{
	static const char *const engines[] = {"auto", "soft", "kvm"};
	static const char *const actions[] = {"destroy", "restart", "preserve"};
	char text[128];

	for (int i = 0; i < 3; i++) {
		snprintf(text, sizeof text, "name='a'\nengine='%s'\non_poweroff='%s'\n", engines[i],
			 actions[i]);
		ck_assert_int_eq(load(text), 0);
		ck_assert_int_eq(cfg.engine, i);
		ck_assert_int_eq(cfg.on_poweroff, i);
		ck_assert_str_eq(config_engine_name(cfg.engine), engines[i]);
		ck_assert_str_eq(config_action_name(cfg.on_poweroff), actions[i]);
	}
}
END_TEST

START_TEST(test_chardevs_take_stdio_pty_none_and_file)
{
	ck_assert_int_eq(load("name='a'\nserial='stdio'\ndebugcon='pty'\n"), 0);
	ck_assert_int_eq(cfg.serial[0].kind, CHARDEV_STDIO);
	ck_assert_int_eq(cfg.debugcon.kind, CHARDEV_PTY);
	ck_assert_int_eq(load("name='a'\nserial='none'\ndebugcon='stdio'\n"), 0);
	ck_assert_int_eq(cfg.serial[0].kind, CHARDEV_NONE);
	ck_assert_int_eq(cfg.debugcon.kind, CHARDEV_STDIO);
}
END_TEST

START_TEST(test_relative_firmware_is_resolved_against_the_config_directory)
{
	ck_assert_int_eq(mkdir("vms", 0755), 0);
	ck_assert_int_eq(load_file("vms/dos.cfg", "name='a'\nfirmware='roms/bios.bin'\n"), 0);
	ck_assert_str_eq(cfg.firmware, in_dir("vms/roms/bios.bin"));
}
END_TEST

START_TEST(test_config_in_working_directory_resolves_against_it)
{
	ck_assert_int_eq(load("name='a'\nfirmware='./bios.bin'\n"), 0);
	ck_assert_str_eq(cfg.firmware, in_dir("bios.bin"));
}
END_TEST

START_TEST(test_absolute_config_path_resolves_against_its_directory)
{
	char path[PATH_MAX * 2];

	write_bytes("dos.cfg", "name='a'\nfirmware='bios.bin'\n", 29);
	snprintf(path, sizeof path, "%s/dos.cfg", cwd);
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(config_load(path, &cfg, err, sizeof err), 0);
	ck_assert_str_eq(cfg.firmware, in_dir("bios.bin"));
}
END_TEST

START_TEST(test_absolute_firmware_path_is_kept)
{
	ck_assert_int_eq(load("name='a'\nfirmware='/opt/bios.bin'\n"), 0);
	ck_assert_str_eq(cfg.firmware, "/opt/bios.bin");
}
END_TEST

START_TEST(test_relative_chardev_file_is_resolved_like_firmware)
{
	ck_assert_int_eq(mkdir("vms", 0755), 0);
	ck_assert_int_eq(load_file("vms/dos.cfg", "name='a'\nserial='file:com1.log'\n"
						  "debugcon='file:logs/e9.log'\n"),
			 0);
	ck_assert_str_eq(cfg.serial[0].path, in_dir("vms/com1.log"));
	ck_assert_str_eq(cfg.debugcon.path, in_dir("vms/logs/e9.log"));
}
END_TEST

START_TEST(test_empty_firmware_leaves_it_unset)
{
	ck_assert_int_eq(load("name='a'\nfirmware=''\n"), 0);
	ck_assert_str_eq(cfg.firmware, "");
}
END_TEST

START_TEST(test_parse_applies_on_top_of_existing_config)
{
	config_defaults(&cfg);
	ck_assert_int_eq(config_parse("name='a'\nmemory=8\n", "a.cfg", &cfg, err, sizeof err), 0);
	ck_assert_int_eq(config_parse("boot_menu=0\n", "b.cfg", &cfg, err, sizeof err), 0);
	ck_assert_str_eq(cfg.name, "a");
	ck_assert_uint_eq(cfg.memory_mib, 8);
	ck_assert_uint_eq(cfg.boot_menu, 0);
}
END_TEST

START_TEST(test_parse_does_not_require_name)
{
	config_defaults(&cfg);
	ck_assert_int_eq(config_parse("memory=8\n", "a.cfg", &cfg, err, sizeof err), 0);
	ck_assert_int_eq(config_parse("", "a.cfg", &cfg, err, sizeof err), 0);
}
END_TEST

START_TEST(test_parse_names_its_file_in_errors)
{
	config_defaults(&cfg);
	ck_assert_int_eq(config_parse("\nvcpus=0\n", "inline.cfg", &cfg, err, sizeof err), -1);
	ck_assert_str_eq(err, "inline.cfg:2: vcpus: expected an integer from 1 to 64, got 0");
}
END_TEST

START_TEST(test_override_replaces_a_value_the_file_set)
{
	ck_assert_int_eq(load("name='dos'\nmemory=16\n"), 0);
	ck_assert_int_eq(config_override(&cfg, "memory=64", err, sizeof err), 0);
	ck_assert_uint_eq(cfg.memory_mib, 64);
	ck_assert_int_eq(config_override(&cfg, "memory = 0x10", err, sizeof err), 0);
	ck_assert_uint_eq(cfg.memory_mib, 16);
}
END_TEST

START_TEST(test_override_takes_quoted_strings)
{
	config_defaults(&cfg);
	ck_assert_int_eq(config_override(&cfg, "name=\"x\"", err, sizeof err), 0);
	ck_assert_str_eq(cfg.name, "x");
	ck_assert_int_eq(config_override(&cfg, "name='y'", err, sizeof err), 0);
	ck_assert_str_eq(cfg.name, "y");
}
END_TEST

START_TEST(test_override_takes_bare_words_for_string_keys)
{
	config_defaults(&cfg);
	ck_assert_int_eq(config_override(&cfg, "serial=none", err, sizeof err), 0);
	ck_assert_int_eq(cfg.serial[0].kind, CHARDEV_NONE);
	ck_assert_int_eq(config_override(&cfg, "name=foo", err, sizeof err), 0);
	ck_assert_str_eq(cfg.name, "foo");
	ck_assert_int_eq(config_override(&cfg, "name=12", err, sizeof err), 0);
	ck_assert_str_eq(cfg.name, "12");
	ck_assert_int_eq(config_override(&cfg, "engine=kvm", err, sizeof err), 0);
	ck_assert_int_eq(cfg.engine, CONFIG_ENGINE_KVM);
}
END_TEST

START_TEST(test_override_bare_file_path_keeps_spaces)
{
	config_defaults(&cfg);
	ck_assert_int_eq(config_override(&cfg, "serial=file:/tmp/my log ", err, sizeof err), 0);
	ck_assert_str_eq(cfg.serial[0].path, "/tmp/my log");
}
END_TEST

START_TEST(test_override_relative_path_uses_working_directory)
{
	config_defaults(&cfg);
	ck_assert_int_eq(config_override(&cfg, "firmware=roms/bios.bin", err, sizeof err), 0);
	ck_assert_str_eq(cfg.firmware, in_dir("roms/bios.bin"));
	ck_assert_int_eq(config_override(&cfg, "debugcon='file:e9.log'", err, sizeof err), 0);
	ck_assert_str_eq(cfg.debugcon.path, in_dir("e9.log"));
}
END_TEST

START_TEST(test_override_takes_a_list)
{
	config_defaults(&cfg);
	ck_assert_int_eq(config_override(&cfg, "serial=[ 'pty', ]", err, sizeof err), 0);
	ck_assert_int_eq(cfg.serial[0].kind, CHARDEV_PTY);
}
END_TEST

START_TEST(test_override_may_supply_the_required_name)
{
	ck_assert_int_eq(load("memory=8\n"), -1);
	ck_assert_int_eq(config_override(&cfg, "name=dos", err, sizeof err), 0);
	ck_assert_int_eq(config_validate(&cfg, err, sizeof err), 0);
}
END_TEST

START_TEST(test_names_of_unknown_enum_values_are_question_marks)
{
	ck_assert_str_eq(config_engine_name((enum config_engine)7), "?");
	ck_assert_str_eq(config_action_name((enum config_action)7), "?");
}
END_TEST

/* ---- file errors ---- */

START_TEST(test_missing_file_names_it_and_errno)
{
	ck_assert_int_eq(config_load("dos.cfg", &cfg, err, sizeof err), -1);
	ck_assert_str_eq(err, "dos.cfg: No such file or directory");
}
END_TEST

START_TEST(test_directory_instead_of_file_is_an_error)
{
	ck_assert_int_eq(mkdir("dir.cfg", 0755), 0);
	ck_assert_int_eq(config_load("dir.cfg", &cfg, err, sizeof err), -1);
	ck_assert_str_eq(err, "dir.cfg: Is a directory");
}
END_TEST

START_TEST(test_missing_name_is_reported_against_the_file)
{
	ck_load_error("memory = 16\n", "dos.cfg: missing required key 'name'");
	ck_load_error("", "dos.cfg: missing required key 'name'");
}
END_TEST

START_TEST(test_validate_without_file_says_configuration)
{
	config_defaults(&cfg);
	ck_assert_int_eq(config_validate(&cfg, err, sizeof err), -1);
	ck_assert_str_eq(err, "configuration: missing required key 'name'");
}
END_TEST

START_TEST(test_nul_byte_names_its_line)
{
	write_bytes("dos.cfg", "name='a'\nmemory=\0\n", 18);
	ck_assert_int_eq(config_load("dos.cfg", &cfg, err, sizeof err), -1);
	ck_assert_str_eq(err, "dos.cfg:2: NUL byte in the file");
}
END_TEST

START_TEST(test_overlong_line_is_refused)
{
	char *text = repeat('#', 9000);

	text[0] = '\n';
	ck_load_error(text, "dos.cfg:2: line is longer than 8192 characters");
	free(text);
}
END_TEST

START_TEST(test_file_larger_than_a_mebibyte_is_refused)
{
	char *text = repeat('\n', (1 << 20) + 1);

	ck_load_error(text, "dos.cfg: file is larger than 1048576 bytes");
	free(text);
}
END_TEST

/* ---- syntax errors ---- */

START_TEST(test_unknown_key_names_file_line_and_suggestion)
{
	ck_load_error("name='a'\n\n\n\n\n\nmemroy = 16\n",
		      "dos.cfg:7: unknown key 'memroy' (did you mean 'memory'?)");
	ck_load_error("nmae='a'\n", "dos.cfg:1: unknown key 'nmae' (did you mean 'name'?)");
	ck_load_error("vcpu=1\n", "dos.cfg:1: unknown key 'vcpu' (did you mean 'vcpus'?)");
}
END_TEST

START_TEST(test_unknown_key_far_from_any_has_no_suggestion)
{
	ck_load_error("kernal_args = 'hvm'\n", "dos.cfg:1: unknown key 'kernal_args'");
	ck_load_error("x = 1\n", "dos.cfg:1: unknown key 'x'");
}
END_TEST

START_TEST(test_very_long_key_is_unknown)
{
	char text[128], *key = repeat('k', 80);

	snprintf(text, sizeof text, "%s = 1\n", key);
	ck_load_error(text, "dos.cfg:1: unknown key 'kkkkkkkkkkkkkkkkkkkk...'");
	free(key);
}
END_TEST

START_TEST(test_missing_equals_names_the_key)
{
	ck_load_error("\nname \"dos\"\n", "dos.cfg:2: expected '=' after 'name'");
	ck_load_error("name\n", "dos.cfg:1: expected '=' after 'name'");
}
END_TEST

START_TEST(test_statement_must_start_with_a_key)
{
	ck_load_error("'dos' = name\n", "dos.cfg:1: expected a key name, got a string");
	ck_load_error("= 3\n", "dos.cfg:1: expected a key name, got '='");
	ck_load_error("9lives = 3\n", "dos.cfg:1: expected a key name, got '9lives'");
	ck_load_error("\x01\n", "dos.cfg:1: expected a key name, got byte 0x01");
}
END_TEST

START_TEST(test_missing_value_is_an_error)
{
	ck_load_error("name =\n",
		      "dos.cfg:1: expected a value after 'name =', got the end of the line");
	ck_load_error("memory = ;", "dos.cfg:1: expected a value after 'memory =', got ';'");
	ck_load_error("memory =",
		      "dos.cfg:1: expected a value after 'memory =', got the end of the file");
}
END_TEST

START_TEST(test_garbage_after_value_is_an_error)
{
	ck_load_error(
	    "name = 'dos' 'x'\n",
	    "dos.cfg:1: expected a newline or ';' after the value of 'name', got a string");
	ck_load_error(
	    "memory = 16 MiB\n",
	    "dos.cfg:1: expected a newline or ';' after the value of 'memory', got 'MiB'");
}
END_TEST

START_TEST(test_unterminated_string_names_its_line)
{
	ck_load_error("name='a'\n\n\nfirmware = \"bios.bin\n", "dos.cfg:4: unterminated string");
	ck_load_error("name='a", "dos.cfg:1: unterminated string");
	ck_load_error("name=\"a'\n", "dos.cfg:1: unterminated string");
	ck_load_error("name='a\\", "dos.cfg:1: unterminated string");
}
END_TEST

START_TEST(test_unknown_escape_is_an_error)
{
	ck_load_error("name='a\\qb'\n", "dos.cfg:1: unknown escape '\\q' in a string");
	ck_load_error("name='a\\\x01'\n",
		      "dos.cfg:1: unknown escape: backslash followed by byte 0x01");
}
END_TEST

START_TEST(test_hex_escape_needs_two_digits_and_no_nul)
{
	ck_load_error("name='\\x4'\n", "dos.cfg:1: expected two hex digits after '\\x'");
	ck_load_error("name='\\x00'\n", "dos.cfg:1: strings cannot hold a NUL byte ('\\x00')");
}
END_TEST

START_TEST(test_unterminated_list_names_the_opening_line)
{
	ck_load_error("name='a'\n\nserial = [\n 'pty',\n",
		      "dos.cfg:4: unterminated list (opened on line 3)");
	ck_load_error("name='a'\nserial = [ 'pty'",
		      "dos.cfg:2: unterminated list (opened on line 2)");
}
END_TEST

START_TEST(test_list_cut_short_by_the_next_statement_is_unterminated)
{
	ck_load_error("serial = [ 'pty'\n\nmemory = 16\n",
		      "dos.cfg:3: unterminated list (opened on line 1)");
	ck_load_error("serial = [ 'pty',\nmemory = 16\n",
		      "dos.cfg:2: unterminated list (opened on line 1)");
	ck_load_error("serial = [ 'pty'; name='a'\n",
		      "dos.cfg:1: unterminated list (opened on line 1)");
}
END_TEST

START_TEST(test_list_items_need_commas_between_them)
{
	ck_load_error("serial = [ 'pty'\n 'none' ]\n",
		      "dos.cfg:2: expected ',' or ']' in the list opened on line 1, got a string");
	ck_load_error(
	    "serial = [ , ]\n",
	    "dos.cfg:1: expected a string or an integer in the list opened on line 1, got ','");
}
END_TEST

START_TEST(test_nested_lists_are_refused)
{
	ck_load_error("serial = [ ['pty'] ]\n", "dos.cfg:1: lists cannot be nested");
}
END_TEST

START_TEST(test_integer_overflow_is_an_error)
{
	ck_load_error("memory = 99999999999999999999\n",
		      "dos.cfg:1: integer 99999999999999999999 is too large");
	ck_load_error("memory = 0x10000000000000000\n",
		      "dos.cfg:1: integer 0x10000000000000000 is too large");
}
END_TEST

START_TEST(test_large_integer_is_out_of_range_not_truncated)
{
	ck_load_error(
	    "memory = 4294967297\n",
	    "dos.cfg:1: memory: expected an integer from 1 to 65536 (MiB), got 4294967297");
}
END_TEST

START_TEST(test_leading_zero_is_refused_as_xl_reads_octal)
{
	ck_load_error("memory = 010\n",
		      "dos.cfg:1: 010: leading zeros are not allowed (xl reads them as octal)");
}
END_TEST

START_TEST(test_duplicate_key_names_the_first_line)
{
	ck_load_error("name='a'\nmemory = 16\n\n# more\n\n\n\n\nmemory = 32\n",
		      "dos.cfg:9: 'memory' is already set on line 2");
	ck_load_error("name='a'; name='b'\n", "dos.cfg:1: 'name' is already set on line 1");
}
END_TEST

/* ---- value errors ---- */

START_TEST(test_string_where_integer_expected_shows_the_string)
{
	ck_load_error("name='a'\n\nmemory = \"lots\"\n",
		      "dos.cfg:3: memory: expected an integer from 1 to 65536 (MiB), got \"lots\"");
	ck_load_error("vcpus = '2'\n",
		      "dos.cfg:1: vcpus: expected an integer from 1 to 64, got \"2\"");
}
END_TEST

START_TEST(test_bare_word_where_integer_expected)
{
	ck_load_error("memory = lots\n",
		      "dos.cfg:1: memory: expected an integer from 1 to 65536 (MiB), got lots");
	ck_load_error("memory = -1\n",
		      "dos.cfg:1: memory: expected an integer from 1 to 65536 (MiB), got -1");
	ck_load_error("memory = 0x\n",
		      "dos.cfg:1: memory: expected an integer from 1 to 65536 (MiB), got 0x");
}
END_TEST

START_TEST(test_integer_where_string_expected)
{
	ck_load_error("name = 12\n",
		      "dos.cfg:1: name: expected 1 to 63 letters, digits, '_', '.' or '-', "
		      "not starting with '.' or '-', got 12");
	ck_load_error("engine = 1\n",
		      "dos.cfg:1: engine: expected \"auto\", \"soft\" or \"kvm\", got 1");
	ck_load_error("firmware = 0x10\n", "dos.cfg:1: firmware: expected a path, got 0x10");
}
END_TEST

START_TEST(test_bare_word_where_string_expected_asks_for_quotes)
{
	ck_load_error("name = dos\n", "dos.cfg:1: name: expected a string in quotes, got dos");
	ck_load_error("serial = file:/tmp/x\n",
		      "dos.cfg:1: serial: expected a string in quotes, got file:/tmp/x");
}
END_TEST

START_TEST(test_list_where_scalar_expected)
{
	ck_load_error("memory = [ 16 ]\n",
		      "dos.cfg:1: memory: expected an integer from 1 to 65536 (MiB), got a list");
	ck_load_error("name = [\n'a' ]\n",
		      "dos.cfg:1: name: expected 1 to 63 letters, digits, '_', '.' or '-', "
		      "not starting with '.' or '-', got a list");
}
END_TEST

START_TEST(test_memory_and_vcpus_out_of_range)
{
	ck_load_error("memory = 0\n",
		      "dos.cfg:1: memory: expected an integer from 1 to 65536 (MiB), got 0");
	ck_load_error("memory = 65537\n",
		      "dos.cfg:1: memory: expected an integer from 1 to 65536 (MiB), got 65537");
	ck_load_error("vcpus = 65\n", "dos.cfg:1: vcpus: expected an integer from 1 to 64, got 65");
	ck_load_error("vcpus = 0x0\n",
		      "dos.cfg:1: vcpus: expected an integer from 1 to 64, got 0x0");
	ck_load_error("vcpus = 64\n", "dos.cfg:1: vcpus: hv runs one vCPU per domain until SMP "
				      "exists (the limit is 1), got 64");
}
END_TEST

START_TEST(test_name_too_long_is_refused)
{
	char text[256], expected[512], *name = repeat('n', 64);

	snprintf(text, sizeof text, "name = '%s'\n", name);
	snprintf(expected, sizeof expected,
		 "dos.cfg:1: name: expected 1 to 63 letters, digits, '_', '.' or '-', not starting "
		 "with '.' or '-', got \"%.48s\"...",
		 name);
	ck_load_error(text, expected);
	free(name);
}
END_TEST

START_TEST(test_name_with_bad_characters_is_refused)
{
	static const char *const bad[] = {"my dos", ".hidden", "-opt", "", "dos/6", "d\xc3\xb6s"};
	static const char *const shown[] = {"\"my dos\"", "\".hidden\"", "\"-opt\"",
					    "\"\"",	  "\"dos/6\"",	 "\"d\xc3\xb6s\""};
	char text[128], expected[512];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, "name = '%s'\n", bad[i]);
		snprintf(expected, sizeof expected,
			 "dos.cfg:1: name: expected 1 to 63 letters, digits, '_', '.' or '-', not "
			 "starting with '.' or '-', got %s",
			 shown[i]);
		ck_load_error(text, expected);
	}
}
END_TEST

START_TEST(test_control_characters_in_values_keep_the_message_on_one_line)
{
	ck_load_error("engine = 'k\\nv\\x01\\\\\"'\n",
		      "dos.cfg:1: engine: expected \"auto\", \"soft\" or \"kvm\", "
		      "got \"k\\nv\\x01\\\\\\\"\"");
}
END_TEST

START_TEST(test_unknown_engine_suggests_the_closest)
{
	ck_load_error("engine = 'kmv'\n",
		      "dos.cfg:1: engine: expected \"auto\", \"soft\" or \"kvm\", got \"kmv\" "
		      "(did you mean \"kvm\"?)");
	ck_load_error("engine = 'xen'\n",
		      "dos.cfg:1: engine: expected \"auto\", \"soft\" or \"kvm\", got \"xen\"");
}
END_TEST

START_TEST(test_unknown_on_poweroff_is_refused)
{
	ck_load_error("on_poweroff = 'reboot'\n",
		      "dos.cfg:1: on_poweroff: expected \"destroy\", \"restart\" or \"preserve\", "
		      "got \"reboot\"");
	ck_load_error("on_poweroff = 'destory'\n",
		      "dos.cfg:1: on_poweroff: expected \"destroy\", \"restart\" or \"preserve\", "
		      "got \"destory\" (did you mean \"destroy\"?)");
}
END_TEST

START_TEST(test_bad_chardev_is_refused)
{
	ck_load_error("serial = 'tty'\n",
		      "dos.cfg:1: serial: expected \"stdio\", \"pty\", \"none\" or \"file:PATH\", "
		      "got \"tty\" (did you mean \"pty\"?)");
	ck_load_error(
	    "debugcon = 'vc'\n",
	    "dos.cfg:1: debugcon: expected \"stdio\", \"pty\", \"none\" or \"file:PATH\", "
	    "got \"vc\"");
}
END_TEST

START_TEST(test_chardev_file_needs_a_path)
{
	ck_load_error("serial = 'file:'\n", "dos.cfg:1: serial: expected a path after \"file:\"");
}
END_TEST

START_TEST(test_serial_list_must_hold_one_string)
{
	ck_load_error(
	    "serial = [ 'pty', 'none', 'pty' ]\n",
	    "dos.cfg:1: serial: expected a list of one or two devices (COM1, COM2), got 3");
	ck_load_error(
	    "serial = []\n",
	    "dos.cfg:1: serial: expected a list of one or two devices (COM1, COM2), got 0");
	ck_load_error(
	    "serial = [\n 1 ]\n",
	    "dos.cfg:2: serial: expected \"stdio\", \"pty\", \"none\" or \"file:PATH\", got 1");
	ck_load_error(
	    "debugcon = [ 'pty' ]\n",
	    "dos.cfg:1: debugcon: expected \"stdio\", \"pty\", \"none\" or \"file:PATH\", "
	    "got a list");
}
END_TEST

START_TEST(test_firmware_path_too_long_for_its_buffer)
{
	char *path = repeat('a', PATH_MAX + 10), *text = malloc(PATH_MAX + 64);

	snprintf(text, PATH_MAX + 64, "firmware = '/%s'\n", path);
	ck_load_error(text, "dos.cfg:1: firmware: path is too long (the limit is 4095 characters)");
	snprintf(text, PATH_MAX + 64, "serial = 'file:%s'\n", path + 20);
	ck_load_error(text, "dos.cfg:1: serial: path is too long (the limit is 4095 characters)");
	free(path);
	free(text);
}
END_TEST

START_TEST(test_failed_setter_leaves_the_old_value)
{
	char *assignment = malloc(PATH_MAX + 32), *path = repeat('a', PATH_MAX);

	config_defaults(&cfg);
	ck_assert_int_eq(config_override(&cfg, "firmware=/bios.bin", err, sizeof err), 0);
	snprintf(assignment, PATH_MAX + 32, "firmware=%s", path);
	ck_assert_int_eq(config_override(&cfg, assignment, err, sizeof err), -1);
	ck_assert_str_eq(cfg.firmware, "/bios.bin");
	ck_assert_int_eq(config_override(&cfg, "name=.x", err, sizeof err), -1);
	ck_assert_str_eq(cfg.name, "");
	free(assignment);
	free(path);
}
END_TEST

/* ---- override errors ---- */

START_TEST(test_override_unknown_key_says_command_line)
{
	config_defaults(&cfg);
	ck_override_error("memroy=64",
			  "command line: unknown key 'memroy' (did you mean 'memory'?)");
}
END_TEST

START_TEST(test_override_bad_value_says_command_line)
{
	config_defaults(&cfg);
	ck_override_error(
	    "memory=lots",
	    "command line: memory: expected an integer from 1 to 65536 (MiB), got lots");
	ck_override_error(
	    "memory=\"64\"",
	    "command line: memory: expected an integer from 1 to 65536 (MiB), got \"64\"");
	ck_override_error("name=my dos",
			  "command line: name: expected 1 to 63 letters, digits, '_', '.' or '-', "
			  "not starting with '.' or '-', got \"my dos\"");
	ck_override_error(
	    "serial=[ 'pty', 'pty', 'pty' ]",
	    "command line: serial: expected a list of one or two devices (COM1, COM2), got 3");
}
END_TEST

START_TEST(test_override_needs_key_equals_value)
{
	config_defaults(&cfg);
	ck_override_error("memory", "command line: expected '=' after 'memory'");
	ck_override_error("=64", "command line: expected a key name, got '='");
	ck_override_error("", "command line: expected a key name, got nothing");
	ck_override_error("memory=",
			  "command line: expected a value after 'memory =', got nothing");
}
END_TEST

START_TEST(test_override_refuses_trailing_text)
{
	config_defaults(&cfg);
	ck_override_error("memory=64;vcpus=2",
			  "command line: expected nothing after the value of 'memory', got ';'");
	ck_override_error("name='a' b",
			  "command line: expected nothing after the value of 'name', got 'b'");
}
END_TEST

START_TEST(test_override_syntax_errors_say_command_line)
{
	config_defaults(&cfg);
	ck_override_error("name='abc", "command line: unterminated string");
	ck_override_error("serial=[ 'pty'", "command line: unterminated list (opened on line 1)");
	ck_override_error("memory=99999999999999999999",
			  "command line: integer 99999999999999999999 is too large");
}
END_TEST

/* ---- Linux boot: kernel=, ramdisk=, extra= ---- */

START_TEST(test_kernel_and_ramdisk_resolve_like_firmware)
{
	ck_assert_int_eq(mkdir("vms", 0755), 0);
	ck_assert_int_eq(load_file("vms/linux.cfg", "name='a'\nkernel='boot/vmlinuz'\n"
						    "ramdisk='/srv/initrd.gz'\n"
						    "extra=\"console=ttyS0 quiet\"\n"),
			 0);
	ck_assert_str_eq(cfg.kernel, in_dir("vms/boot/vmlinuz"));
	ck_assert_str_eq(cfg.ramdisk, "/srv/initrd.gz");
	ck_assert_str_eq(cfg.extra, "console=ttyS0 quiet");
}
END_TEST

START_TEST(test_kernel_keys_default_to_unset_and_empty_unsets)
{
	ck_assert_int_eq(load("name='a'\n"), 0);
	ck_assert_str_eq(cfg.kernel, "");
	ck_assert_str_eq(cfg.ramdisk, "");
	ck_assert_str_eq(cfg.extra, "");
	ck_assert_int_eq(load("name='a'\nkernel='k'\nramdisk='r'\n"), 0);
	ck_assert_int_eq(config_override(&cfg, "kernel=''", err, sizeof err), 0);
	ck_assert_int_eq(config_override(&cfg, "ramdisk=''", err, sizeof err), 0);
	ck_assert_str_eq(cfg.kernel, "");
	ck_assert_str_eq(cfg.ramdisk, "");
}
END_TEST

START_TEST(test_extra_override_takes_the_rest_of_the_line)
{
	ck_assert_int_eq(load("name='a'\nextra='quiet'\n"), 0);
	ck_assert_int_eq(config_override(&cfg, "extra=console=ttyS0 panic=-1", err, sizeof err), 0);
	ck_assert_str_eq(cfg.extra, "console=ttyS0 panic=-1");
}
END_TEST

START_TEST(test_extra_too_long_is_refused)
{
	char *arg = repeat('x', CONFIG_EXTRA_MAX);
	char *text = malloc(CONFIG_EXTRA_MAX + 32);

	ck_assert_ptr_nonnull(text);
	snprintf(text, CONFIG_EXTRA_MAX + 32, "extra = '%s'\n", arg);
	ck_load_error(text,
		      "dos.cfg:1: extra: command line is 2048 characters (the limit is 2047)");
	free(text);
	free(arg);
}
END_TEST

START_TEST(test_extra_with_control_characters_is_refused)
{
	ck_load_error("name='a'\nextra = 'a\\nb'\n",
		      "dos.cfg:2: extra: expected a kernel command line of printable characters, "
		      "got \"a\\nb\"");
}
END_TEST

START_TEST(test_kernel_must_be_a_string)
{
	ck_load_error("kernel = 12\n", "dos.cfg:1: kernel: expected a path, got 12");
}
END_TEST

START_TEST(test_serial2_defaults_to_none_and_takes_what_serial_takes)
{
	ck_assert_int_eq(load("name='a'\n"), 0);
	ck_assert_int_eq(cfg.serial[1].kind, CHARDEV_NONE);
	ck_assert_int_eq(load("name='a'\nserial2 = 'pty'\n"), 0);
	ck_assert_int_eq(cfg.serial[1].kind, CHARDEV_PTY);
	ck_assert_int_eq(cfg.serial[0].kind, CHARDEV_STDIO);
	ck_assert_int_eq(load("name='a'\nserial2 = [ 'file:com2.log' ]\n"), 0);
	ck_assert_int_eq(cfg.serial[1].kind, CHARDEV_FILE);
	ck_assert_str_eq(cfg.serial[1].path, in_dir("com2.log"));
}
END_TEST

START_TEST(test_serial2_list_must_hold_one_string)
{
	ck_load_error("serial2 = [ 'pty', 'none' ]\n",
		      "dos.cfg:1: serial2: expected a list of one device (COM2), got 2");
	ck_load_error(
	    "serial2 = 'tty'\n",
	    "dos.cfg:1: serial2: expected \"stdio\", \"pty\", \"none\" or \"file:PATH\", got "
	    "\"tty\" (did you mean \"pty\"?)");
}
END_TEST

START_TEST(test_boot_menu_defaults_to_on_and_takes_0_and_1)
{
	ck_assert_int_eq(load("name='a'\n"), 0);
	ck_assert_uint_eq(cfg.boot_menu, 1);
	ck_assert_int_eq(load("name='a'\nboot_menu = 0\n"), 0);
	ck_assert_uint_eq(cfg.boot_menu, 0);
	ck_assert_int_eq(load("name='a'\nboot_menu = 1\n"), 0);
	ck_assert_uint_eq(cfg.boot_menu, 1);
}
END_TEST

START_TEST(test_boot_menu_wait_takes_1_to_65535_ms)
{
	ck_assert_int_eq(load("name='a'\n"), 0);
	ck_assert_uint_eq(cfg.boot_menu_wait, 0);
	ck_assert_int_eq(load("name='a'\nboot_menu_wait = 10000\n"), 0);
	ck_assert_uint_eq(cfg.boot_menu_wait, 10000);
	ck_assert_int_eq(load("name='a'\nboot_menu_wait = 65535\n"), 0);
	ck_assert_int_eq(load("name='a'\nboot_menu_wait = 0\n"), -1);
	ck_assert_int_eq(load("name='a'\nboot_menu_wait = 65536\n"), -1);
	ck_assert_int_eq(load("name='a'\nboot_menu_wait = -5\n"), -1);
}
END_TEST

START_TEST(test_virtio_rng_is_off_by_default_and_takes_0_and_1)
{
	ck_assert_int_eq(load("name='a'\n"), 0);
	ck_assert_uint_eq(cfg.virtio_rng, 0);
	ck_assert_int_eq(load("name='a'\nvirtio_rng = 1\n"), 0);
	ck_assert_uint_eq(cfg.virtio_rng, 1);
	ck_assert_int_eq(load("name='a'\nvirtio_rng = 2\n"), -1);
}
END_TEST

START_TEST(test_console_keys_pick_hvc0_and_refuse_others)
{
	ck_assert_int_eq(load("name='a'\n"), 0);
	ck_assert_uint_eq(cfg.virtio_console, 0);
	ck_assert_uint_eq(cfg.console_hvc0, 0);
	ck_assert_int_eq(load("name='a'\nvirtio_console = 1\nconsole = \"ttyS0\"\n"), 0);
	ck_assert_uint_eq(cfg.virtio_console, 1);
	ck_assert_uint_eq(cfg.console_hvc0, 0);
	ck_assert_int_eq(load("name='a'\nconsole = \"hvc0\"\n"), 0);
	ck_assert_uint_eq(cfg.console_hvc0, 1);
	ck_assert_int_eq(load("name='a'\nconsole = \"hvc1\"\n"), -1);
	ck_assert_int_eq(load("name='a'\nvirtio_console = 2\n"), -1);
}
END_TEST

START_TEST(test_boot_menu_refuses_other_values)
{
	ck_load_error(
	    "name='a'\nboot_menu = 2\n",
	    "dos.cfg:2: boot_menu: expected 0 (no boot menu) or 1 (SeaBIOS's ESC prompt), "
	    "got 2");
	ck_load_error(
	    "name='a'\n\nboot_menu = \"off\"\n",
	    "dos.cfg:3: boot_menu: expected 0 (no boot menu) or 1 (SeaBIOS's ESC prompt), "
	    "got \"off\"");
}
END_TEST

START_TEST(test_audio_defaults_to_pulse_at_30ms_and_takes_none_and_a_wav_path)
{
	ck_assert_int_eq(load("name = \"d\"\n"), 0);
	ck_assert_str_eq(cfg.audio, "pulse");
	ck_assert_uint_eq(cfg.audio_latency_ms, 30);
	ck_assert_int_eq(load("name = \"d\"\naudio = \"none\"\naudio_latency_ms = 80\n"), 0);
	ck_assert_str_eq(cfg.audio, "none");
	ck_assert_uint_eq(cfg.audio_latency_ms, 80);
	ck_assert_int_eq(load("name = \"d\"\naudio = \"wav:out/tone.wav\"\n"), 0);
	ck_assert_str_eq(cfg.audio + 4, in_dir("out/tone.wav"));
	ck_assert_int_eq(strncmp(cfg.audio, "wav:", 4), 0);
}
END_TEST

START_TEST(test_audio_refuses_other_sinks_an_empty_path_and_latency_out_of_range)
{
	ck_assert_int_eq(load("name = \"d\"\naudio = \"alsa\"\n"), -1);
	ck_assert_ptr_nonnull(strstr(err, "\"pulse\", \"none\" or \"wav:PATH\""));
	ck_load_error("name = \"d\"\naudio = \"wav:\"\n",
		      "dos.cfg:2: audio: expected a path after \"wav:\"");
	ck_assert_int_eq(load("name = \"d\"\naudio_latency_ms = 5\n"), -1);
	ck_assert_ptr_nonnull(strstr(err, "10 to 1000"));
}
END_TEST

START_TEST(test_same_image_twice_in_one_domain_is_refused_with_its_line)
{
	ck_assert_int_eq(load("name = \"d\"\n"
			      "disk = [ 'a.img,raw,hda,rw',\n"
			      "         'a.img,raw,hdb,rw' ]\n"),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "dos.cfg:3: disk: "));
	ck_assert_ptr_nonnull(strstr(err, "/a.img is already vdev=hda in this domain"));
}
END_TEST

START_TEST(test_log_max_kb_and_sandbox_default_and_range)
{
	ck_assert_int_eq(load("name = \"d\"\n"), 0);
	ck_assert_uint_eq(cfg.log_max_kb, 1024);
	ck_assert_uint_eq(cfg.sandbox, 1);
	ck_assert_int_eq(load("name = \"d\"\nlog_max_kb = 64\nsandbox = 0\n"), 0);
	ck_assert_uint_eq(cfg.log_max_kb, 64);
	ck_assert_uint_eq(cfg.sandbox, 0);
	ck_assert_int_eq(load("name = \"d\"\nlog_max_kb = 8\n"), -1);
	ck_assert_ptr_nonnull(strstr(err, "dos.cfg:2: log_max_kb: expected an integer from 16"));
	ck_assert_int_eq(load("name = \"d\"\nsandbox = 2\n"), -1);
}
END_TEST

START_TEST(test_file_keys_remember_their_line_for_later_messages)
{
	char where[PATH_MAX + 16];

	ck_assert_int_eq(load("name = \"d\"\n\nfirmware = \"rom\"\nserial = \"file:x\"\n"
			      "disk = [ 'a.img,raw,hda,rw' ]\n"),
			 0);
	ck_assert_int_eq(cfg.line.firmware, 3);
	ck_assert_int_eq(cfg.line.serial, 4);
	ck_assert_int_eq(cfg.line.disks[0], 5);
	ck_assert_str_eq(config_where(&cfg, cfg.line.firmware, where, sizeof where), "dos.cfg:3");
	ck_assert_int_eq(config_override(&cfg, "firmware=other", err, sizeof err), 0);
	ck_assert_str_eq(config_where(&cfg, cfg.line.firmware, where, sizeof where),
			 "command line");
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *ok = tcase_create("accepts"), *bad = tcase_create("refuses");
	TCase *kernel_keys = tcase_create("linux boot keys");

	config_fixture(ok);
	config_fixture(bad);
	config_fixture(kernel_keys);
	tcase_add_test(ok, test_defaults_fill_every_field);
	tcase_add_test(ok, test_minimal_file_gets_defaults_for_other_keys);
	tcase_add_test(ok, test_every_key_is_stored);
	tcase_add_test(ok, test_jit_key_turns_the_jit_off);
	tcase_add_test(ok, test_kernel_decompress_key);
	tcase_add_test(ok, test_single_and_double_quotes_both_make_strings);
	tcase_add_test(ok, test_backslash_escapes_are_decoded_in_both_quotes);
	tcase_add_test(ok, test_integers_may_be_hex);
	tcase_add_test(ok, test_comments_run_to_end_of_line_but_not_inside_strings);
	tcase_add_test(ok, test_semicolons_separate_statements_on_one_line);
	tcase_add_test(ok, test_blank_lines_and_whitespace_are_ignored);
	tcase_add_test(ok, test_list_may_span_lines_with_comments_and_trailing_comma);
	tcase_add_test(ok, test_one_line_list_without_trailing_comma);
	tcase_add_test(ok, test_crlf_line_endings_are_accepted);
	tcase_add_test(ok, test_crlf_file_errors_count_lines_right);
	tcase_add_test(ok, test_utf8_byte_order_mark_is_skipped);
	tcase_add_test(ok, test_memory_and_vcpus_accept_their_bounds);
	tcase_add_test(ok, test_name_of_63_characters_is_accepted);
	tcase_add_test(ok, test_engine_and_on_poweroff_take_every_value);
	tcase_add_test(ok, test_chardevs_take_stdio_pty_none_and_file);
	tcase_add_test(ok, test_relative_firmware_is_resolved_against_the_config_directory);
	tcase_add_test(ok, test_config_in_working_directory_resolves_against_it);
	tcase_add_test(ok, test_absolute_config_path_resolves_against_its_directory);
	tcase_add_test(ok, test_absolute_firmware_path_is_kept);
	tcase_add_test(ok, test_relative_chardev_file_is_resolved_like_firmware);
	tcase_add_test(ok, test_empty_firmware_leaves_it_unset);
	tcase_add_test(ok, test_parse_applies_on_top_of_existing_config);
	tcase_add_test(ok, test_parse_does_not_require_name);
	tcase_add_test(ok, test_parse_names_its_file_in_errors);
	tcase_add_test(ok, test_override_replaces_a_value_the_file_set);
	tcase_add_test(ok, test_override_takes_quoted_strings);
	tcase_add_test(ok, test_override_takes_bare_words_for_string_keys);
	tcase_add_test(ok, test_override_bare_file_path_keeps_spaces);
	tcase_add_test(ok, test_override_relative_path_uses_working_directory);
	tcase_add_test(ok, test_override_takes_a_list);
	tcase_add_test(ok, test_override_may_supply_the_required_name);
	tcase_add_test(ok, test_names_of_unknown_enum_values_are_question_marks);
	tcase_add_test(bad, test_missing_file_names_it_and_errno);
	tcase_add_test(bad, test_directory_instead_of_file_is_an_error);
	tcase_add_test(bad, test_missing_name_is_reported_against_the_file);
	tcase_add_test(bad, test_validate_without_file_says_configuration);
	tcase_add_test(bad, test_nul_byte_names_its_line);
	tcase_add_test(bad, test_overlong_line_is_refused);
	tcase_add_test(bad, test_file_larger_than_a_mebibyte_is_refused);
	tcase_add_test(bad, test_unknown_key_names_file_line_and_suggestion);
	tcase_add_test(bad, test_unknown_key_far_from_any_has_no_suggestion);
	tcase_add_test(bad, test_very_long_key_is_unknown);
	tcase_add_test(bad, test_missing_equals_names_the_key);
	tcase_add_test(bad, test_statement_must_start_with_a_key);
	tcase_add_test(bad, test_missing_value_is_an_error);
	tcase_add_test(bad, test_garbage_after_value_is_an_error);
	tcase_add_test(bad, test_unterminated_string_names_its_line);
	tcase_add_test(bad, test_unknown_escape_is_an_error);
	tcase_add_test(bad, test_hex_escape_needs_two_digits_and_no_nul);
	tcase_add_test(bad, test_unterminated_list_names_the_opening_line);
	tcase_add_test(bad, test_list_cut_short_by_the_next_statement_is_unterminated);
	tcase_add_test(bad, test_list_items_need_commas_between_them);
	tcase_add_test(bad, test_nested_lists_are_refused);
	tcase_add_test(bad, test_integer_overflow_is_an_error);
	tcase_add_test(bad, test_large_integer_is_out_of_range_not_truncated);
	tcase_add_test(bad, test_leading_zero_is_refused_as_xl_reads_octal);
	tcase_add_test(bad, test_duplicate_key_names_the_first_line);
	tcase_add_test(bad, test_string_where_integer_expected_shows_the_string);
	tcase_add_test(bad, test_bare_word_where_integer_expected);
	tcase_add_test(bad, test_integer_where_string_expected);
	tcase_add_test(bad, test_bare_word_where_string_expected_asks_for_quotes);
	tcase_add_test(bad, test_list_where_scalar_expected);
	tcase_add_test(bad, test_memory_and_vcpus_out_of_range);
	tcase_add_test(bad, test_name_too_long_is_refused);
	tcase_add_test(bad, test_name_with_bad_characters_is_refused);
	tcase_add_test(bad, test_control_characters_in_values_keep_the_message_on_one_line);
	tcase_add_test(bad, test_unknown_engine_suggests_the_closest);
	tcase_add_test(bad, test_unknown_on_poweroff_is_refused);
	tcase_add_test(bad, test_bad_chardev_is_refused);
	tcase_add_test(bad, test_chardev_file_needs_a_path);
	tcase_add_test(bad, test_serial_list_must_hold_one_string);
	tcase_add_test(ok, test_boot_menu_defaults_to_on_and_takes_0_and_1);
	tcase_add_test(ok, test_boot_menu_wait_takes_1_to_65535_ms);
	tcase_add_test(ok, test_virtio_rng_is_off_by_default_and_takes_0_and_1);
	tcase_add_test(ok, test_console_keys_pick_hvc0_and_refuse_others);
	tcase_add_test(ok, test_serial2_defaults_to_none_and_takes_what_serial_takes);
	tcase_add_test(bad, test_serial2_list_must_hold_one_string);
	tcase_add_test(bad, test_boot_menu_refuses_other_values);
	tcase_add_test(bad, test_firmware_path_too_long_for_its_buffer);
	tcase_add_test(bad, test_failed_setter_leaves_the_old_value);
	tcase_add_test(bad, test_override_unknown_key_says_command_line);
	tcase_add_test(bad, test_override_bad_value_says_command_line);
	tcase_add_test(bad, test_override_needs_key_equals_value);
	tcase_add_test(bad, test_override_refuses_trailing_text);
	tcase_add_test(bad, test_override_syntax_errors_say_command_line);
	tcase_add_test(kernel_keys, test_kernel_and_ramdisk_resolve_like_firmware);
	tcase_add_test(kernel_keys, test_kernel_keys_default_to_unset_and_empty_unsets);
	tcase_add_test(kernel_keys, test_extra_override_takes_the_rest_of_the_line);
	tcase_add_test(kernel_keys, test_extra_too_long_is_refused);
	tcase_add_test(kernel_keys, test_extra_with_control_characters_is_refused);
	tcase_add_test(kernel_keys, test_kernel_must_be_a_string);
	tcase_add_test(ok, test_audio_defaults_to_pulse_at_30ms_and_takes_none_and_a_wav_path);
	tcase_add_test(bad, test_audio_refuses_other_sinks_an_empty_path_and_latency_out_of_range);
	tcase_add_test(bad, test_same_image_twice_in_one_domain_is_refused_with_its_line);
	tcase_add_test(ok, test_log_max_kb_and_sandbox_default_and_range);
	tcase_add_test(ok, test_file_keys_remember_their_line_for_later_messages);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, kernel_keys);
	return s;
}

int main(void)
{
	return unit_run(config_suite());
}
