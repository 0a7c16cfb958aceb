#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_virtio_load: one valid saved state per
virtio device (first byte: the device, as the harness picks it, plus 5 for
format 2), in the format of hv/virtio/virtio_pci_save.c and each device's
save op, with queues enabled in the harness's 2 MiB of RAM; format 1
(before MSI-X) for each, format 2 with MSI-X on and masked vectors
pending for two.
    tests/fuzz/tools/virtio_load_seeds.py tests/fuzz/corpus/fuzz_virtio_load"""
import os
import struct
import sys

u8 = lambda v: struct.pack("<B", v)
u16 = lambda v: struct.pack("<H", v)
u32 = lambda v: struct.pack("<I", v)
u64 = lambda v: struct.pack("<Q", v)


def msix(queues):
    """Format 2's MSI-X part: on, configuration on vector 0, queue q on
    q + 1 (masked, pending), the others unmasked at the APIC's window."""
    n = queues + 1
    out = u8(1) + u16(0x8000) + u16(0) + u32(1 << 1)
    for v in range(n):
        out += u32(0xFEE00000) + u32(0) + u32(0x40 + v) + u32(1 if v == 1 else 0)
    return out + b"".join(u16(q + 1) for q in range(queues))


def transport(dev_type, queues, qsize, features=1 << 32, fmt2=False):
    cfg = bytearray(256)
    cfg[0:4] = u16(0x1AF4) + u16(0x1040 + dev_type)
    cfg[4:6] = u16(0x0006)  # memory decoding, bus master
    cfg[0x10:0x14] = u32(0xFEB00000)  # BAR 0
    if fmt2:
        cfg[0x9B] = 0x80  # MSI-X message control: enabled
    out = u8(queues) + bytes(cfg)
    out += u32(0) + u32(0) + u64(features)  # selects, VERSION_1 (and more)
    out += u8(0x0F) + u8(0) + u8(0) + u16(0) + u64(0) + u64(0)
    for q in range(queues):
        desc = 0x1000 + 0x4000 * q
        out += u16(qsize) + u8(1) + u64(desc) + u64(desc + 0x1000) + u64(desc + 0x2000)
        out += u16(0) + u16(0) + u16(0) + u8(0)
    return out + msix(queues) if fmt2 else out


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    seeds = {
        "console": u8(0) + transport(3, 2, 8) + u64(6) + u64(2),
        "rng": u8(1) + transport(4, 1, 8) + u64(100) + u8(1) + u64(1) + u64(2) + u64(3),
        "input": u8(2) + transport(18, 2, 8) + u8(0) + u8(1) + u8(0) + u32(2)
        + u16(1) + u16(30) + u32(1) + u16(0) + u16(0) + u32(0) + u8(0) + u32(2)
        + u64(0) * 3,
        "net": u8(3) + transport(1, 2, 8) + u16(1) + u32(1) + u32(60) + bytes(range(60))
        + u64(0) * 6,
        # virtio-net with CSUM, GUEST_CSUM, MAC, MRG_RXBUF, STATUS, EVENT_IDX:
        # a frame waiting goes over mergeable buffers after the load.
        "net-mrg": u8(3) + transport(1, 2, 8, 1 << 32 | 1 << 29 | 1 << 16 | 1 << 15
                                     | 1 << 5 | 1 << 1 | 1 << 0)
        + u16(1) + u32(1) + u32(1514) + bytes(i & 255 for i in range(1514)) + u64(0) * 6,
        "gpu": u8(4) + transport(16, 2, 8) + u32(1024) + u32(768) + u32(0) + u32(1)
        + u32(1) + u32(2) + u32(4) + u32(4) + u32(1) + u64(0x100000) + u32(64)
        + b"".join(u32(0xFF000000 | i * 0x10101) for i in range(16))
        + u32(1) + u32(0) + u32(0) + u32(4) + u32(4) + u32(1)
        + u8(0) + u32(0) * 6 + u32(0) * 4096 + u64(0) * 5,
        "console-msix": u8(5) + transport(3, 2, 8, fmt2=True) + u64(6) + u64(2),
        "net-msix": u8(8) + transport(1, 2, 8, fmt2=True) + u16(1) + u32(1) + u32(60)
        + bytes(range(60)) + u64(0) * 6,
    }
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


main()
