/* The domains hv top shows: the runtime directory's registry polled with
 * `info` over one control connection per domain, rates computed from the
 * deltas of successive replies, and each domain's console kept attached. A
 * domain whose socket disappears stays listed as "gone" (its console lines
 * still readable) until the user forgets it. */
#ifndef TUI_DOMAIN_H
#define TUI_DOMAIN_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "hv/config/config.h"
#include "hv/core/ctl.h"
#include "tui/top_console.h"

#define TOP_MAX_DOMAINS 64

struct top_domain {
	char name[RUNTIME_NAME_MAX];
	int id, pid, mem, vcpus;
	char state[16]; /* from info, or "gone" / "no reply" */
	char engine[8];
	char log[PATH_MAX];
	double cpu_time; /* host CPU seconds of the vCPU */
	double uptime;	 /* seconds */
	uint64_t insns, exits;
	double cpu_pct;	  /* over the last refresh interval */
	double insn_rate; /* instructions per second (soft engine) */
	double exit_rate; /* exits per second (kvm engine) */
	int audio_volume; /* 0-100, -1: the domain has no audio */
	bool audio_muted;
	uint64_t audio_underruns; /* times the sound server ran out of frames */
	bool gone;		  /* its socket is no longer in the registry */
	bool listed;		  /* seen in the last scan */
	bool sampled;		  /* the fields above hold a reply */
	long sample_ms;		  /* when they were taken */
	struct ctl ctl;		  /* fd -1 when not connected */
	long retry_ms;		  /* no reconnection before this time */
	struct top_console console;

	/* Disk bytes read and written so far (info's disk_read_bytes,
	 * disk_written_bytes), and per second over the last interval. */
	uint64_t disk_rd, disk_wr;
	double disk_rd_rate, disk_wr_rate;

	/* Network (info's net_* keys; has_net false without a vif): bytes
	 * the guest received and sent, and their rates per second. */
	bool has_net;
	uint64_t net_rx, net_tx;
	double net_rx_rate, net_tx_rate;

	/* The soft CPU's JIT (info's jit_* keys; has_jit false when it is off
	 * or the engine is kvm): blocks translated, their rate per second,
	 * and the share of the code buffer in use (0-100). */
	bool has_jit;
	uint64_t jit_blocks;
	double jit_rate, jit_fill;
};

struct top_domains {
	struct top_domain *v[TOP_MAX_DOMAINS];
	int n;
	bool no_console; /* do not attach the domains' consoles (batch mode) */
};

/* Scans the registry and asks every live domain for `info`; each request
 * is bounded by a timeout, so a hung domain costs at most that. Returns 0,
 * or -1 with err set (the list is then left as it was). */
int top_domains_refresh(struct top_domains *ds, char *err, size_t errlen);

/* The domain called name, or NULL. */
struct top_domain *top_domains_find(const struct top_domains *ds, const char *name);

/* Sends a one-line request (pause, unpause, reboot, destroy) to d. Returns
 * 0, or -1 with the reason in err. */
int top_domain_request(struct top_domain *d, const char *request, char *err, size_t errlen);

/* Drops d from the list, closing its connections. */
void top_domains_forget(struct top_domains *ds, struct top_domain *d);

/* Closes and frees everything. */
void top_domains_free(struct top_domains *ds);

/* Monotonic milliseconds. */
long top_now_ms(void);

#endif
