/* A byte the guest sent, to the host: what a serial port's transmitter or
 * a debug console hands to whoever listens (a console, a file, a test). A
 * platform takes these from its domain without either knowing the other's
 * chips or backends. */
#ifndef HV_CORE_BYTE_SINK_H
#define HV_CORE_BYTE_SINK_H

#include <stdint.h>

struct byte_sink {
	/* A byte the guest transmitted; NULL where nothing listens. */
	void (*tx)(void *opaque, uint8_t byte);
	void *opaque;
	/* A receiver (a UART) the guest just emptied: input the host holds
	 * for it can move in now rather than at its next look. NULL where the
	 * host sends nothing or does not wait. Called from the guest's access,
	 * with the domain lock held; it may hand bytes to the receiver. */
	void (*drained)(void *opaque);
};

#endif
