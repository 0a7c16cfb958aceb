/* virtio-input (virtio 1.x section 5.8): a keyboard, a relative mouse with
 * a wheel, or an absolute tablet (0..32767 on both axes), described to the
 * driver through the configuration's select/subsel queries (ID_NAME,
 * ID_SERIAL, ID_DEVIDS, PROP_BITS, EV_BITS, ABS_INFO) and speaking evdev
 * events: the event queue takes the host's events (each batch ends with
 * SYN_REPORT), the status queue brings the driver's (the keyboard's LEDs).
 *
 * Events wait in a bounded ring while the driver has posted no buffer; a
 * full ring drops whole new batches (counted), never grows. Runs under
 * the domain lock. */
#ifndef HV_VIRTIO_INPUT_H
#define HV_VIRTIO_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/device.h"
#include "hv/virtio/virtio_pci.h"

#define VIRTIO_INPUT_RING      256 /* events waiting for buffers */
#define VIRTIO_INPUT_CFG_SIZE  136 /* select, subsel, size, reserved[5], u[128] */
#define VIRTIO_INPUT_ABS_MAX   32767
#define VIRTIO_INPUT_EVENT_LEN 8 /* le16 type, le16 code, le32 value */

/* Configuration selects. */
#define VIRTIO_INPUT_CFG_UNSET	   0x00
#define VIRTIO_INPUT_CFG_ID_NAME   0x01
#define VIRTIO_INPUT_CFG_ID_SERIAL 0x02
#define VIRTIO_INPUT_CFG_ID_DEVIDS 0x03
#define VIRTIO_INPUT_CFG_PROP_BITS 0x10
#define VIRTIO_INPUT_CFG_EV_BITS   0x11
#define VIRTIO_INPUT_CFG_ABS_INFO  0x12

/* evdev event types and the codes used here (linux/input-event-codes.h). */
#define EVDEV_SYN	 0x00
#define EVDEV_KEY	 0x01
#define EVDEV_REL	 0x02
#define EVDEV_ABS	 0x03
#define EVDEV_LED	 0x11
#define EVDEV_REP	 0x14
#define EVDEV_REL_X	 0x00
#define EVDEV_REL_Y	 0x01
#define EVDEV_REL_WHEEL	 0x08
#define EVDEV_ABS_X	 0x00
#define EVDEV_ABS_Y	 0x01
#define EVDEV_BTN_LEFT	 0x110
#define EVDEV_BTN_RIGHT	 0x111
#define EVDEV_BTN_MIDDLE 0x112
#define EVDEV_LED_NUML	 0x00
#define EVDEV_LED_CAPSL	 0x01
#define EVDEV_LED_SCROLL 0x02

enum virtio_input_kind { VIRTIO_INPUT_KEYBOARD, VIRTIO_INPUT_MOUSE, VIRTIO_INPUT_TABLET };

struct virtio_input_event {
	uint16_t type, code;
	uint32_t value;
};

struct virtio_input {
	struct virtio_pci vp;
	enum virtio_input_kind kind;
	uint8_t select, subsel;
	struct virtio_input_event ring[VIRTIO_INPUT_RING];
	unsigned head, count; /* events waiting: ring[head .. head+count) */
	unsigned buttons;     /* mouse/tablet buttons held (bit 0 left, 1 right, 2 middle) */
	uint32_t leds;	      /* LED bits the driver set (bit n: LED code n) */
	uint64_t events, dropped, status; /* counters for `hv list -l` */
};

void virtio_input_init(struct virtio_input *in, struct guest_mem *mem, struct irq_line irq,
		       enum virtio_input_kind kind, const char *name);
void virtio_input_destroy(struct virtio_input *in);

/* Whether the driver is up (the event queue is live): input may go here
 * rather than to PS/2. */
bool virtio_input_ready(struct virtio_input *in);

/* A key (Linux KEY_* code, 1..255) went down or up. False when the device
 * is not a keyboard or the code is not one it has. */
bool virtio_input_key(struct virtio_input *in, unsigned code, bool down);

/* Mouse motion, wheel and the buttons now held (bit 0 left, 1 right,
 * 2 middle). False unless the device is a mouse. */
bool virtio_input_rel(struct virtio_input *in, int dx, int dy, int dz, unsigned buttons);

/* The tablet's pointer at (x, y) in 0..VIRTIO_INPUT_ABS_MAX (clamped) and
 * the buttons held. False unless the device is a tablet. */
bool virtio_input_abs(struct virtio_input *in, int x, int y, unsigned buttons);

/* Registry ops (opaque = the virtio_input). */
extern const struct device_ops virtio_input_device_ops;

#endif
