#!/usr/bin/env python3
"""Writes fuzz_virtio_net's seeds for send segmentation (HOST_TSO4) into
tests/fuzz/corpus/fuzz_virtio_net: the driver's set-up with HOST_TSO4
(and HOST_ECN), one transmit chain (a virtio_net_hdr asking for
GSO_TCPV4, then a TCP/IPv4 frame over one or more descriptors) notified,
and the backend taking what comes; well-formed frames (whole segments,
an odd last one, options, a tiny gso_size) and hostile ones (an IPv4
length that lies, gso_size 0, csum_start off, UDP). Input layout: the
comment at the top of tests/fuzz/fuzz_virtio_net.c.
    python3 tests/fuzz/tools/net_seeds.py tests/fuzz/corpus/fuzz_virtio_net"""
import os
import struct
import sys

RAM_AT = 0x1000
TXQ = 0x400  # queue 1's descriptors (RAM offset), driver area + 0x100
HDR_AT, FRAME_AT = 0x2000, 0x2100


def frame(pay, ipopt=0, tcpopt=0, lie=0, proto=6):
    ihl, doff = 20 + ipopt, 20 + tcpopt
    ip = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl // 4, 0, ihl + doff + pay + lie, 0x1234,
                     0x4000, 64, proto, 0, bytes([10, 0, 2, 15]), bytes([10, 0, 2, 2]))
    tcp = struct.pack(">HHIIBBHHH", 50000, 4000, 0xFFFFF000, 77, doff // 4 << 4, 0x99,
                      29200, 0, 0)
    eth = bytes.fromhex("525500020202525400123456") + b"\x08\x00"
    return eth + ip + b"\x01" * ipopt + tcp + b"\x01" * tcpopt + bytes(
        (i * 7) & 0xFF for i in range(pay))


def vhdr(f, mss, ecn=False, start=None, gso=1):
    ihl = (f[14] & 15) * 4
    return struct.pack("<BBHHHHH", 1, gso | (0x80 if ecn else 0), 54, mss,
                       14 + ihl if start is None else start, 16, 0)


def seed(h, f, pieces=1, more=0x18):
    ops = [(3, 1 | 2 << 2 | 3 << 5, more, 0), (1, 1, 0, 0), (4, 0, 0, 0)]
    ram = bytearray(HDR_AT - RAM_AT + 0x100 + len(f))
    desc = struct.pack("<QIHH", HDR_AT, len(h), 1, 1)
    step = len(f) // pieces
    for i in range(pieces):
        n = len(f) - i * step if i == pieces - 1 else step
        desc += struct.pack("<QIHH", FRAME_AT + i * step, n, 0 if i == pieces - 1 else 1, 2 + i)
    ram[TXQ:TXQ + len(desc)] = desc
    ram[TXQ + 0x100:TXQ + 0x106] = struct.pack("<HHH", 0, 1, 0)  # avail: idx 1, head 0
    ram[HDR_AT - RAM_AT:HDR_AT - RAM_AT + len(h)] = h
    ram[FRAME_AT - RAM_AT:FRAME_AT - RAM_AT + len(f)] = f
    return bytes([len(ops)]) + b"".join(bytes(o) for o in ops) + bytes(ram)


def main(out):
    f3 = frame(3000)
    cases = {
        "tso_whole_segments": seed(vhdr(f3, 1000), f3),
        "tso_odd_last_over_7_descriptors": seed(vhdr(frame(3333), 1000), frame(3333), 7),
        "tso_options_ecn": seed(vhdr(frame(2500, 8, 12), 700, True), frame(2500, 8, 12)),
        "tso_tiny_gso_size": seed(vhdr(frame(600), 8), frame(600)),
        "tso_ip_length_lies": seed(vhdr(f3, 1000), frame(3000, lie=1)),
        "tso_gso_size_0": seed(vhdr(f3, 0), f3),
        "tso_csum_start_off": seed(vhdr(f3, 1000, start=40), f3),
        "tso_udp": seed(vhdr(f3, 1000), frame(3000, proto=17)),
        "tso_not_negotiated": seed(vhdr(f3, 1000), f3, more=0),
    }
    for name, data in cases.items():
        with open(os.path.join(out, name), "wb") as fh:
            fh.write(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus/fuzz_virtio_net")
