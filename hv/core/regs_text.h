/* struct vcpu_state as text: the control protocol's `regs` reply (one line
 * of key=value pairs, docs/protocol.md) and `hv regs`' layout of it. */
#ifndef HV_REGS_H
#define HV_REGS_H

#include <stddef.h>

#include "hv/core/engine.h"

/* The key=value pairs (each after a space), in the order `hv regs` prints
 * them. Returns the length written (truncated to fit like snprintf). */
size_t regs_format(const struct vcpu_state *st, char *buf, size_t len);

/* Whether `hv regs` starts a new line before key. */
int regs_group_start(const char *key);

#endif
