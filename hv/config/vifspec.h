/* One entry of `vif = [ ... ]` in xl's network syntax
 * (xl-network-configuration), for hv's user-mode network:
 *
 *   ''                                   a virtio-net NIC with the defaults
 *   'model=virtio,mac=52:54:00:12:34:56'
 *   'hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp::5353-10.0.2.15:53'
 *
 * hostfwd= is QEMU's syntax ([tcp|udp]:[hostaddr]:hostport-[guestaddr]:
 * guestport; an empty host address is every interface, an empty guest
 * address the guest's DHCP address) and may be given several times.
 * model= takes virtio (virtio-net, the only NIC hv has); type= takes
 * ioemu. mtu= (576..65520, default 1500) is the network's MTU: libslirp's
 * and the one the NIC tells the guest (VIRTIO_NET_F_MTU); 65520 lets
 * every frame carry ~64 KiB, which is what libslirp can do in place of
 * segmentation offload. offload=0 (default 1) offers the guest no
 * checksum or TCP segmentation offload, as QEMU's virtio-net on its user
 * network: the guest then sends frames of the MTU with their checksums
 * computed. Xen's backend options (bridge=, script=, backend=, vifname=,
 * ip=, rate=, ...) are refused with what hv offers instead: the network
 * is libslirp's NAT inside the domain process, with no host interface. */
#ifndef HV_VIFSPEC_H
#define HV_VIFSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIF_FWD_MAX  16	  /* hostfwd= per vif */
#define VIF_SPEC_MAX 1024 /* characters of one written-out spec */
#define VIF_MTU_MIN  576
#define VIF_MTU_MAX  65520

struct vif_fwd {
	bool udp;
	uint32_t host_addr; /* host byte order; 0: every interface */
	uint16_t host_port;
	uint32_t guest_addr; /* host byte order; 0: the guest's DHCP address */
	uint16_t guest_port;
};

struct vif_config {
	bool mac_set; /* false: the domain derives one (vifspec_default_mac) */
	uint8_t mac[6];
	uint16_t mtu;	 /* 0: 1500 */
	bool no_offload; /* offload=0: no checksum or segmentation offload */
	unsigned nfwd;
	struct vif_fwd fwd[VIF_FWD_MAX];
};

/* Parses spec into out. Returns 0, or -1 with a message (no file or line:
 * the caller adds them) in msg. */
int vifspec_parse(const char *spec, struct vif_config *out, char *msg, size_t msglen);

/* Writes c back in the syntax above (what vifspec_parse reads to c). */
void vifspec_format(const struct vif_config *c, char *buf, size_t len);

/* A MAC stable for a domain: 52:54:00 (locally administered, as QEMU's)
 * then three bytes hashed from seed (the domain's uuid or name) and the
 * vif's index. */
void vifspec_default_mac(const char *seed, unsigned index, uint8_t mac[6]);

#endif
