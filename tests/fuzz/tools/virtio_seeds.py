#!/usr/bin/env python3
"""Writes fuzz_virtio's seed corpus (tests/fuzz/corpus/fuzz_virtio): for
each device, the driver's handshake, a queue set up in guest RAM and a
request or two notified, in the harness's 8-byte operations (see the
comment at the top of tests/fuzz/fuzz_virtio.c).
    python3 tests/fuzz/tools/virtio_seeds.py tests/fuzz/corpus/fuzz_virtio"""
import struct
import sys

XVDA, XVDB, RNG, CON = 0, 1, 2, 3
SIZES = {1: 0, 2: 1, 4: 2, 8: 3}
DESC, AVAIL, USED, BUF = 0x1000, 0x2000, 0x3000, 0x10000
WRITE, NEXT = 2, 1


def op(kind, size, fn, a=0, b=0, c=0, value=0):
    return bytes([kind | SIZES[size] << 3 | fn << 5, a, b, c]) + struct.pack("<I", value & 0xFFFFFFFF)


def ram(addr, value, size=4):
    return op(0, size, 0, addr & 0xFF, addr >> 8 & 0xFF, addr >> 16 & 0xFF, value)


def ram_bytes(addr, data):
    return b"".join(ram(addr + i, data[i], 1) for i in range(len(data)))


def bar(fn, off, value, size=4):
    return op(2, size, fn, off & 0xFF, off >> 8, 0, value)


def bar_read(fn, off, size=4):
    return op(3, size, fn, off & 0xFF, off >> 8)


def desc(i, addr, length, flags, nxt=0):
    at = DESC + 16 * i
    return ram(at, addr) + ram(at + 4, 0) + ram(at + 8, length) + ram(at + 12, flags | nxt << 16)


def handshake(fn):
    return (bar(fn, 0x14, 1, 1) + bar(fn, 0x14, 3, 1) + bar(fn, 0x00, 0) + bar_read(fn, 0x04) +
            bar(fn, 0x08, 1) + bar(fn, 0x0C, 1) + bar(fn, 0x14, 0x0B, 1) + bar_read(fn, 0x14, 1))


def queue(fn, q, size=8):
    return (bar(fn, 0x16, q, 2) + bar(fn, 0x18, size, 2) + bar(fn, 0x20, DESC) + bar(fn, 0x24, 0) +
            bar(fn, 0x28, AVAIL) + bar(fn, 0x2C, 0) + bar(fn, 0x30, USED) + bar(fn, 0x34, 0) +
            bar(fn, 0x1C, 1, 2))


def submit(fn, q, head=0, idx=1):
    return (ram(AVAIL + 4 + 2 * (idx - 1), head, 2) + ram(AVAIL, idx << 16) +
            bar(fn, 0x3000 + 4 * q, q, 2) + bar_read(fn, 0x1000, 1) + op(7, 1, 0))


def blk(fn, kind):
    out = handshake(fn) + queue(fn, 0) + bar(fn, 0x14, 0x0F, 1)
    out += ram(BUF, kind) + ram(BUF + 4, 0) + ram(BUF + 8, 3) + ram(BUF + 12, 0)
    data_flags = NEXT | (WRITE if kind == 0 else 0)
    out += desc(0, BUF, 16, NEXT, 1) + desc(1, BUF + 0x100, 512, data_flags, 2)
    out += desc(2, BUF + 0x400, 1, WRITE)
    return out + submit(fn, 0) + bar_read(fn, 0x2000) + bar_read(fn, 0x2014, 1)


def cfg(fn, off, value, size=1):
    return op(4, size, fn, off, 0, 0, value)


def entry(fn, v, addr, data, ctrl):
    at = 0x1800 + 16 * v
    return bar(fn, at, addr) + bar(fn, at + 4, 0) + bar(fn, at + 8, data) + bar(fn, at + 12, ctrl)


def blk_msix(target=0xFEE00000):
    """MSI-X as Linux turns it on (enabled with the function masked, the
    table programmed, unmasked), queue 0 on vector 1; a read completes, a
    second while vector 1 is masked (its PBA bit), then unmasked."""
    out = cfg(XVDA, 0x9B, 0xC0) + entry(XVDA, 0, 0xFEE00000, 0x40, 0)
    out += entry(XVDA, 1, target, 0x41, 0) + cfg(XVDA, 0x9B, 0x80)
    out += handshake(XVDA) + bar(XVDA, 0x10, 0, 2) + bar_read(XVDA, 0x10, 2)
    out += bar(XVDA, 0x16, 0, 2) + bar(XVDA, 0x1A, 1, 2) + bar_read(XVDA, 0x1A, 2)
    out += queue(XVDA, 0) + bar(XVDA, 0x14, 0x0F, 1)
    out += ram(BUF, 0) + ram(BUF + 4, 0) + ram(BUF + 8, 3) + ram(BUF + 12, 0)
    out += desc(0, BUF, 16, NEXT, 1) + desc(1, BUF + 0x100, 512, NEXT | WRITE, 2)
    out += desc(2, BUF + 0x400, 1, WRITE)
    out += submit(XVDA, 0) + bar(XVDA, 0x1800 + 16 + 12, 1) + submit(XVDA, 0, idx=2)
    return out + bar_read(XVDA, 0x1C00, 8) + bar(XVDA, 0x1800 + 16 + 12, 0, 1)


def rng():
    out = handshake(RNG) + queue(RNG, 0) + bar(RNG, 0x14, 0x0F, 1)
    return out + desc(0, BUF, 64, WRITE) + submit(RNG, 0)


def console():
    out = handshake(CON) + queue(CON, 0) + bar(CON, 0x14, 0x0F, 1)
    out += desc(0, BUF, 32, WRITE) + submit(CON, 0)
    out += op(6, 1, 0, ord("h"), 5, ord("l"), 0x0A6F6C)
    out += queue(CON, 1) + ram_bytes(BUF + 0x200, b"hello\n")
    out += ram(DESC + 16, BUF + 0x200) + ram(DESC + 20, 0) + ram(DESC + 24, 6) + ram(DESC + 28, 0)
    return out + submit(CON, 1, head=1, idx=2) + bar_read(CON, 0x2000)


def main():
    outdir = sys.argv[1]
    seeds = {"blk_read": blk(XVDA, 0), "blk_write": blk(XVDA, 1), "blk_ro_write": blk(XVDB, 1),
             "blk_flush": blk(XVDA, 4), "rng": rng(), "console": console(),
             "blk_msix": blk_msix(), "blk_msix_no_apic": blk_msix(0x1000)}
    for name, data in seeds.items():
        with open(f"{outdir}/{name}", "wb") as f:
            f.write(data)


main()
