/* The Ethernet, IPv4 and TCP header facts virtio-net's offloads read and
 * write (virtio_net_lro.c, virtio_net_tso.c, virtio_net_tcp4_sums). */
#ifndef HV_VIRTIO_TCP4_H
#define HV_VIRTIO_TCP4_H

#define ETH_LEN	     14	    /* an Ethernet header, no VLAN tag */
#define ETHERTYPE4   0x0800 /* IPv4 */
#define IP_MIN	     20	    /* an IPv4 header without options */
#define IP_PROTO_TCP 6
#define TCP_MIN	     20 /* a TCP header without options */
#define TCP_CSUM     16 /* the TCP checksum's offset in its header */
#define TCP_FIN	     0x01
#define TCP_PSH	     0x08
#define TCP_ACK	     0x10
#define TCP_CWR	     0x80

#endif
