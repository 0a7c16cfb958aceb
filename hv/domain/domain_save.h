/* A domain's state in a save file (hv/core/savefile.h), for `hv save` and
 * `hv restore`: the resolved config (so a restore builds the same
 * machine), the virtual clock, the vCPU, RAM, every device of the
 * registry, each vif's user network (libslirp's state), the consoles'
 * scrollback and the disks' sizes. */
#ifndef HV_DOMAIN_SAVE_H
#define HV_DOMAIN_SAVE_H

#include <stdbool.h>
#include <stddef.h>

struct domain;
struct domain_config;
struct savefile_reader;
struct savefile_writer;

/* The section holding the config's text, and its largest size. */
#define DOMAIN_SAVE_CONFIG     "config"
#define DOMAIN_SAVE_CONFIG_MAX (1u << 20)

/* Writes the domain's state into fd (a regular file, empty, opened for
 * writing by the client: the domain's sandbox opens no files) with the
 * vCPU held and the virtual clock stopped meanwhile, then fsyncs it. The
 * domain goes on as before. Refused before anything is written when a
 * device cannot be saved (naming it). From the event loop. Returns 0, or
 * -1 with err set. */
int domain_save(struct domain *d, int fd, char *err, size_t errlen);

/* The config section of a verified save file, parsed into cfg (from
 * config_defaults; file is the save file's name, for relative paths and
 * messages): its text must be one line or more, without NULs, of at most
 * DOMAIN_SAVE_CONFIG_MAX bytes. The caller validates and resolves it.
 * Returns 0, or -1 with err set. */
int domain_saved_config(const struct savefile_reader *r, const char *file,
			struct domain_config *cfg, char *err, size_t errlen);
/* domain_save, then (once the file is complete and synced) then(d, arg),
 * still with the vCPU held, the clock stopped and the domain lock held:
 * nothing the guest does falls between the two (hv snapshot-create
 * switches the disks there). A failure of then fails the call. */
typedef int domain_save_then_fn(struct domain *d, void *arg, char *err, size_t errlen);
int domain_save_then(struct domain *d, int fd, domain_save_then_fn *then, void *arg, char *err,
		     size_t errlen);
/* A config sent as text (a save file's, a migration's): text (len bytes,
 * ending in a newline, changed in place) parsed into cfg from
 * config_defaults, origin naming it. Returns 0, or -1 with err set. */
int domain_config_from_text(char *text, size_t len, const char *origin, struct domain_config *cfg,
			    char *err, size_t errlen);
/* What domain_save and a migration's last step (hv/domain/migrate.h)
 * share. The check: -1 with err when the domain is over or a device has
 * no save/load ops. The sections: the config, the clock, the vCPU, RAM
 * (with_ram), the devices, the disks and the consoles, written with the
 * domain lock held, the vCPU held and the clock stopped. */
/* The domain's config as config_write puts it (free it), or NULL. */
char *domain_config_text(struct domain *d, size_t *len);
int domain_check_saveable(struct domain *d, char *err, size_t errlen);
int domain_save_sections(struct domain *d, struct savefile_writer *w, bool with_ram, char *err,
			 size_t errlen);

/* Loads a verified save file into a domain that domain_create built from
 * the file's config and whose vCPU has not run: the clock first, then RAM,
 * the vCPU, the devices (their timers against the restored clock) and the
 * consoles. Every section is checked before use; on failure the domain is
 * half-loaded and must be freed, never run. Returns 0, or -1 with err. */
int domain_restore(struct domain *d, const struct savefile_reader *r, char *err, size_t errlen);
/* As domain_restore; without with_ram, RAM is left as it is (a migration
 * wrote it already). */
int domain_load_sections(struct domain *d, const struct savefile_reader *r, bool with_ram,
			 char *err, size_t errlen);

#endif
