/* The `hv` subcommands, one function each: argc/argv start at the
 * subcommand's name; the return value is the process's exit status. */
#ifndef HV_CMD_H
#define HV_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "hv/config/config.h"

int cmd_run(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_console(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_unpause(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_reboot(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_send_keys(int argc, char **argv);
int cmd_top(int argc, char **argv); /* tui/top.c */
int cmd_screenshot(int argc, char **argv);
int cmd_screen(int argc, char **argv);
int cmd_regs(int argc, char **argv);
int cmd_view(int argc, char **argv); /* display/sdl_*.c */
int cmd_cpu_test(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_dmesg(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_migrate_receive(int argc, char **argv);
int cmd_shutdown(int argc, char **argv);
int cmd_trigger(int argc, char **argv);
int cmd_sysrq(int argc, char **argv);
int cmd_vcpu_list(int argc, char **argv);
int cmd_cd_insert(int argc, char **argv);
int cmd_cd_eject(int argc, char **argv);
int cmd_floppy_insert(int argc, char **argv);
/* For each domain of names[0..n) (every running one when n is 0), its
 * `info` reply to row(name, info, opaque), after header; a domain that
 * does not answer is reported (cmd_list.c). Returns 0, or 1 on any
 * failure. */
typedef void cmd_row_fn(const char *name, const char *info, void *opaque);
int cmd_each_domain(char **names, int n, const char *header, cmd_row_fn *row, void *opaque);
int cmd_snapshot_create(int argc, char **argv); /* cmd_snapshot.c */
int cmd_snapshot_revert(int argc, char **argv);
int cmd_snapshot_list(int argc, char **argv); /* cmd_snapshot_list.c */
int cmd_snapshot_delete(int argc, char **argv);
/* `hv` alone: the first-run orientation (cmd_welcome.c). */
int cmd_welcome(void);

/* Loads CFG and applies "key=value" overrides; prints the error. Returns
 * 0 or -1. */
int cmd_load_config(const char *path, int noverrides, char **overrides, struct domain_config *cfg);

/* The rest of cmd_load_config for a config already parsed: overrides,
 * validation, resolution. Returns 0 or -1. */
int cmd_finish_config(int noverrides, char **overrides, struct domain_config *cfg);

/* Starts a detached domain process for cfg; prints errors. Returns 0 or -1. */
int cmd_spawn_domain(const struct domain_config *cfg);

/* As cmd_spawn_domain, loading the save file restore (verified) into the
 * domain before its vCPU runs; a file it cannot load leaves no domain. */
struct savefile_reader;
int cmd_spawn_restored(const struct domain_config *cfg, const struct savefile_reader *restore,
		       bool paused);

/* The config a save file holds, parsed into cfg (not yet finished:
 * cmd_finish_config); prints errors. Returns 0 or -1. */
int cmd_saved_config(const struct savefile_reader *r, const char *file, struct domain_config *cfg);
/* As cmd_spawn_domain, loading a migration stream (its header and config
 * read already from in->fd) into the domain before its vCPU runs and
 * answering the sender on out; a stream it cannot load leaves no domain.
 * Both descriptors stay the caller's too. */
struct migstream_in;
struct cmd_incoming {
	struct migstream_in *in;
	int out;
};
int cmd_spawn_incoming(const struct domain_config *cfg, const struct cmd_incoming *inc);

/* A config sent as text (a save file's, a migration's): text (len bytes,
 * ending in a newline, changed in place) parsed as the config of origin,
 * then the n overrides. Prints the error. Returns 0 or -1. */
int cmd_config_from_text(char *text, size_t len, const char *origin, int n, char **over,
			 struct domain_config *cfg);

/* Attaches this terminal to a domain's console until Ctrl-] or the
 * domain's end. history: replay the scrollback first. Returns 0 or 1. */
int cmd_attach_console(const char *name, bool history);
/* Starts `hv view NAME` in the background (cmd_viewer.c); without a
 * display says so on stderr unless quiet. Returns 0 once it is started. */
int cmd_open_viewer(const char *name, bool quiet);

/* "hv: " + message on stderr. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Sends one request to domain name (with descriptor fd, or -1 for none)
 * and leaves the reply's text in reply. Returns 0, or 1 after printing
 * what went wrong (cmd_simple.c). */
int cmd_request(const char *name, const char *req, int fd, char *reply, size_t len);

#endif
