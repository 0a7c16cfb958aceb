/* The virtio suites' descriptor writer: one split-ring descriptor (virtio
 * 1.x 2.7.5) at p, in the guest's little-endian layout. */
#ifndef HV_TEST_VIRTQ_DESC_H
#define HV_TEST_VIRTQ_DESC_H

#include <stdint.h>

#include "hv/core/le.h"

static inline void unit_put_desc(uint8_t *p, uint64_t addr, uint32_t len, uint16_t flags,
				 uint16_t next)
{
	le_put64(p, addr);
	le_put32(p + 8, len);
	le_put16(p + 12, flags);
	le_put16(p + 14, next);
}

#endif
