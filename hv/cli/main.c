/* hv: one binary, subcommands in the manner of Xen's xl. */
#include <stdio.h>
#include <string.h>

#include "hv/cli/cmd.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *help;
};

static const struct command commands[] = {
    {"run", cmd_run, "[--dry-run] [--timeout SECONDS] CFG [KEY=VALUE...]",
     "run a domain in the foreground until it powers off (--dry-run: as for create)"},
    {"create", cmd_create, "[-c] [--dry-run] CFG [KEY=VALUE...]",
     "start a detached domain and print its name (-c: attach its console; --dry-run: only "
     "check it and print the resolved config)"},
    {"list", cmd_list, "[-l] [NAME...]", "list domains (-l: every detail)"},
    {"console", cmd_console, "[--live] [--port 1|2 | -t serial|pv] NAME",
     "attach to a domain's console, the primary one unless told (Ctrl-] detaches; --live: no "
     "scrollback; --port 2: COM2; -t serial: COM1, -t pv: the virtio-console hvc0)"},
    {"vcpu-list", cmd_vcpu_list, "[NAME...]",
     "list the vCPUs (one per domain): host CPU, state, time, affinity, as xl vcpu-list"},
    {"pause", cmd_pause, "NAME", "pause a domain: its vCPU and its clock stop"},
    {"unpause", cmd_unpause, "NAME", "resume a paused domain"},
    {"reboot", cmd_reboot, "NAME", "reset a domain's machine"},
    {"shutdown", cmd_shutdown, "[-w [--timeout SECONDS]] NAME",
     "press the domain's ACPI power button so the guest shuts down cleanly (-w: wait for the "
     "end, at most --timeout seconds, 300 unless told, 0: forever)"},
    {"destroy", cmd_destroy, "NAME", "end a domain at once"},
    {"save", cmd_save, "[-c] NAME FILE",
     "save a domain's state to FILE and end it (-c: checkpoint, it goes on)"},
    {"restore", cmd_restore, "[-p] FILE [KEY=VALUE...]",
     "start a domain from a save file where it was saved (-p: paused)"},
    {"snapshot-create", cmd_snapshot_create, "NAME SNAP",
     "snapshot a running domain: its state, and a qcow2 overlay on each writable disk that it "
     "goes on writing to"},
    {"snapshot-list", cmd_snapshot_list, "NAME",
     "list a domain's snapshots: name, time, size, disks"},
    {"snapshot-revert", cmd_snapshot_revert, "NAME SNAP",
     "bring a domain back to a snapshot (state and disks; what it did since is discarded)"},
    {"snapshot-delete", cmd_snapshot_delete, "NAME SNAP",
     "delete a snapshot that no later snapshot or the running domain builds on"},
    {"migrate", cmd_migrate, "[--downtime MS] [--rounds N] NAME HOST|tcp:HOST:PORT",
     "live-migrate a domain to hv migrate-receive on HOST (through ssh; $HV_MIGRATE_SSH "
     "replaces ssh) or listening at tcp:HOST:PORT: it runs meanwhile, then ends here"},
    {"migrate-receive", cmd_migrate_receive, "[--listen tcp:[ADDR:]PORT] [KEY=VALUE...]",
     "receive a migrating domain on stdin/stdout (as ssh runs it) or one TCP connection, "
     "and start it"},
    {"trigger", cmd_trigger, "NAME power|sleep|reset|nmi",
     "press the power button, reset the machine or raise an NMI (sleep: refused, no sleep "
     "button)"},
    {"demo", cmd_demo, "", "start a legacy and a modern domain side by side in hv top"},
    {"cd-insert", cmd_cd_insert, "NAME VDEV FILE",
     "put the image FILE in the domain's CD-ROM drive VDEV (hdc...): the guest sees the medium "
     "change"},
    {"cd-eject", cmd_cd_eject, "NAME VDEV", "take the medium out of a CD-ROM drive"},
    {"floppy-insert", cmd_floppy_insert, "[--rw] NAME VDEV FILE",
     "swap the disk in the domain's floppy drive VDEV (fda, fdb) for the image FILE, of the "
     "same size (write-protected unless --rw): the guest sees the disk change"},
    {"sysrq", cmd_sysrq, "NAME KEY",
     "press Alt+SysRq+KEY on the domain's keyboard (Linux's magic SysRq; h: its help)"},
    {"send-keys", cmd_send_keys, "NAME [--text TEXT] [KEY...]",
     "type into a domain's keyboard: keys such as ret, f2, ctrl-alt-delete, in order"},
    {"view", cmd_view, "[--single] [--integer|--unscaled] [--wait] [NAME...]",
     "show domains' screens in SDL windows (--help lists the hotkeys)"},
    {"screenshot", cmd_screenshot, "NAME FILE.png", "save what a viewer of the domain shows"},
    {"screen", cmd_screen, "NAME --text",
     "print the VGA text screen as UTF-8 (in a graphics mode: the mode, on stderr)"},
    {"regs", cmd_regs, "NAME", "print the vCPU's registers (read with the vCPU held still)"},
    {"top", cmd_top, "[--plain] [--delay SECONDS] [--batch|--csv] [--iterations N]",
     "manage the domains in a live terminal UI (press ? in it for help); -b/--csv: print "
     "frames for scripts"},
    {"info", cmd_info, "", "describe the host: CPU, memory, engines available and why, hv's files"},
    {"dmesg", cmd_dmesg, "[NAME...]",
     "print hv's log: every domain's log (or the NAMEd ones'), merged in time order"},
    {"cpu-test", cmd_cpu_test, "[-v] FILE...",
     "run CPU conformance vectors (docs/cpu-test.md); -v: list passes too"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
	fprintf(out, "usage: hv COMMAND [ARGS...]\n\n"
		     "hv runs legacy and modern operating systems side by side, each in a\n"
		     "domain of its own (a process with a control socket).\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n'hv help COMMAND' shows a command's arguments.\n"
		     "Config files use xl.cfg syntax; see hv.cfg(5). The manual: hv(1).\n");
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int help(const char *name)
{
	const struct command *c = name ? find(name) : NULL;

	if (!name) {
		usage(stdout);
		return 0;
	}
	if (!c) {
		cmd_error("unknown command '%s' (see 'hv --help')", name);
		return 1;
	}
	if (c->fn == cmd_view) {
		/* Its help lists the hotkeys too. */
		char *av[] = {"view", "--help", NULL};
		return cmd_view(2, av);
	}
	printf("usage: hv %s %s\n%s\n", c->name, c->usage, c->help);
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2)
		return cmd_welcome();
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return help(NULL);
	if (strcmp(argv[1], "help") == 0)
		return help(argc > 2 ? argv[2] : NULL);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("hv %s\n", HV_VERSION);
		return 0;
	}
	c = find(argv[1]);
	if (!c) {
		cmd_error("unknown command '%s' (see 'hv --help')", argv[1]);
		return 1;
	}
	if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0))
		return help(c->name);
	return c->fn(argc - 1, argv + 1);
}
