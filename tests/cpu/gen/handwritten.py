#!/usr/bin/env python3
"""Hand-written CPU vectors: the cases a user-mode host process cannot run
natively (segment loads through a GDT of our own, segment-limit faults, paging
with page tables in the vector's memory, interrupt delivery through the IVT
and the IDT, far transfers). Every expected value is worked out from the
Intel SDM (vol. 2 instruction pseudo-code, vol. 3 chapters 3-6) and written
here literally; nothing is copied from hv's CPU. Usage:
    handwritten.py OUTDIR      (writes seg_load.json, seg_fault.json,
                                paging.json, interrupt.json, far.json)
"""
import json
import os
import sys

CODE = 0x10000
GDT = 0x800
IDT = 0x1000
TSS = 0x1800


def desc(base, limit, attr):
    """A segment descriptor; attr as in the vector format (bits 40-55 >> 8)."""
    d = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | (attr & 0xFF) << 40
    d |= ((limit >> 16) & 0xF) << 48 | ((attr >> 12) & 0xF) << 52 | ((base >> 24) & 0xFF) << 56
    return d.to_bytes(8, "little")


def gate(offset, sel, typ):
    d = (offset & 0xFFFF) | sel << 16 | typ << 40 | (offset >> 16) << 48
    return d.to_bytes(8, "little")


# The GDT of the protected-mode vectors: selector -> (base, raw limit, attr).
SEGS = {
    0x08: (0, 0xFFFFF, 0xC09B),  # code, DPL 0, flat
    0x10: (0, 0xFFFFF, 0xC093),  # data, DPL 0, flat
    0x18: (0, 0xFFFFF, 0xC0FB),  # code, DPL 3
    0x20: (0, 0xFFFFF, 0xC0F3),  # data, DPL 3
    0x28: (0, 0xFFFFF, 0xC013),  # data, not present
    0x30: (0x20000, 0xFFF, 0x4093),  # data, byte limit 0xfff
    0x38: (0x10000, 0xFFFF, 0x009B),  # 16-bit code at 0x10000
    0x40: (0, 0xFFFFF, 0xC091),  # read-only data
    0x48: (0, 0xFFF, 0x4097),  # expand-down data, B=1, limit 0xfff
    0x50: (0, 0xFFFFF, 0xC099),  # execute-only code
    0x58: (0x30000, 0xFF, 0x4093),  # small stack segment
    0x60: (0, 0xFFFFF, 0xC092),  # data, accessed bit clear
    0x68: (TSS, 0x67, 0x0089),  # 32-bit TSS
    0x70: (0, 0xFFFFF, 0xC01B),  # code, not present
}
GDT_LIMIT = 0x77


def cache(sel):
    """A segment register's cache as loading `sel` leaves it."""
    base, limit, attr = SEGS[sel & ~3]
    if attr & 0x8000:
        limit = limit << 12 | 0xFFF
    return {"sel": hx(sel), "base": hx(base), "limit": hx(limit), "attr": hx(attr | 1)}


def hx(v):
    return "0x%x" % v


def hexb(b):
    return " ".join("%02x" % x for x in b)


def gdt_bytes():
    out = bytearray(GDT_LIMIT + 1)
    for sel, (base, limit, attr) in SEGS.items():
        out[sel : sel + 8] = desc(base, limit, attr)
    return bytes(out)


USER = {
    "cs": {"sel": "0x1b", "attr": "0xc0fb"},
    "ss": {"sel": "0x23", "attr": "0xc0f3"},
    "ds": {"sel": "0x23", "attr": "0xc0f3"},
    "es": {"sel": "0x23", "attr": "0xc0f3"},
}


class File:
    def __init__(self, name, description):
        self.name, self.description, self.tests = name, description, []

    def add(self, name, code, init=None, final=None, mem=None, fmem=None, mode="pm", undef=0):
        init = dict(init or {})
        final = dict(final or {})
        m = {}
        if mode == "pm":
            init.setdefault("cr0", "0x11")
            init.setdefault("gdtr", {"base": hx(GDT), "limit": hx(GDT_LIMIT)})
            m[hx(GDT)] = hexb(gdt_bytes())
            init.setdefault("eip", hx(CODE))
            m[hx(CODE if int(init["eip"], 16) == CODE else int(init["eip"], 16))] = hexb(code)
        else:
            init.setdefault("cs", {"sel": hx(CODE >> 4)})
            init.setdefault("eip", "0x0")
            m[hx(CODE)] = hexb(code)
        for k, v in (mem or {}).items():
            m[hx(k)] = hexb(v)
        init["mem"] = m
        if fmem:
            final["mem"] = {hx(k): hexb(v) for k, v in fmem.items()}
        if "exception" not in final and "eip" not in final:
            final["eip"] = hx(int(init["eip"], 16) + len(code))
        t = {"name": name, "initial": init, "final": final}
        if undef:
            t["undefined_flags"] = hx(undef)
        self.tests.append(t)

    def write(self, outdir):
        doc = {"description": self.description + " (hand-written from the Intel SDM: "
               "tests/cpu/gen/handwritten.py)", "tests": self.tests}
        with open(os.path.join(outdir, self.name + ".json"), "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print("%-14s %5d vectors" % (self.name, len(self.tests)), file=sys.stderr)


def d32(v):
    return (v & 0xFFFFFFFF).to_bytes(4, "little")


def d16(v):
    return (v & 0xFFFF).to_bytes(2, "little")


def fault(vec, err=None):
    f = {"exception": vec}
    if err is not None:
        f["error"] = hx(err)
    return f


def seg_load(out):
    f = File("seg_load", "MOV/POP/LES to segment registers in protected mode")
    small = {"ds": cache(0x30)}
    f.add("mov ds,ax: flat data", b"\x8e\xd8", dict(small, eax="0x10"), {"ds": cache(0x10)})
    f.add("mov es,ax: sets the accessed bit", b"\x8e\xc0", {"eax": "0x60"}, {"es": cache(0x60)},
          fmem={GDT + 0x60 + 5: b"\x93"})
    f.add("mov ds,ax: not present", b"\x8e\xd8", {"eax": "0x28"}, fault(11, 0x28))
    f.add("mov ds,ax: execute-only code", b"\x8e\xd8", {"eax": "0x50"}, fault(13, 0x50))
    f.add("mov ds,ax: readable code", b"\x8e\xd8", {"eax": "0x8"}, {"ds": cache(0x08)})
    f.add("mov ds,ax: beyond the GDT limit", b"\x8e\xd8", {"eax": "0x78"}, fault(13, 0x78))
    f.add("mov ds,ax: RPL 3 DPL 3 at CPL 0", b"\x8e\xd8", {"eax": "0x23"}, {"ds": cache(0x23)})
    f.add("mov ds,ax: RPL 3 DPL 0 at CPL 0", b"\x8e\xd8", {"eax": "0x13"}, fault(13, 0x10))
    f.add("mov ds,ax: DPL 0 at CPL 3", b"\x8e\xd8", dict(USER, eax="0x10"), fault(13, 0x10))
    f.add("mov ds,ax: LDT selector, no LDT", b"\x8e\xd8", {"eax": "0xc"}, fault(13, 0xC))
    f.add("mov ss,ax: read-only data", b"\x8e\xd0", {"eax": "0x40"}, fault(13, 0x40))
    f.add("mov ss,ax: null", b"\x8e\xd0", {"eax": "0x0"}, fault(13, 0))
    f.add("mov ss,ax: DPL 3 at CPL 0", b"\x8e\xd0", {"eax": "0x20"}, fault(13, 0x20))
    f.add("mov ss,ax: code", b"\x8e\xd0", {"eax": "0x8"}, fault(13, 0x8))
    f.add("mov ss,ax: not present", b"\x8e\xd0", {"eax": "0x28"}, fault(12, 0x28))
    f.add("mov ss,ax: small stack", b"\x8e\xd0", {"eax": "0x58"}, {"ss": cache(0x58)})
    f.add("mov ss,ax at CPL 3: DPL 3", b"\x8e\xd0", dict(USER, eax="0x23"), {"ss": cache(0x23)})
    f.add("pop ds", b"\x1f", dict(small, esp="0x3f000"), {"ds": cache(0x10), "esp": "0x3f004"},
          mem={0x3F000: d32(0x10)})
    f.add("les eax,[ebx]", b"\xc4\x03", {"ebx": "0x20000"},
          {"eax": "0x12345678", "es": cache(0x30)}, mem={0x20000: d32(0x12345678) + d16(0x30)})
    f.add("lds eax,[ebx]: not present", b"\xc5\x03", {"ebx": "0x20000"}, fault(11, 0x28),
          mem={0x20000: d32(0x12345678) + d16(0x28)})
    f.add("mov ax,ds", b"\x66\x8c\xd8", dict(small, eax="0xffffffff"), {"eax": "0xffff0030"})
    f.add("mov eax,ds (zero-extends)", b"\x8c\xd8", dict(small, eax="0xffffffff"),
          {"eax": "0x30"})
    f.add("mov cs,ax", b"\x8e\xc8", {"eax": "0x8"}, fault(6))
    f.write(out)


def seg_fault(out):
    f = File("seg_fault", "segment limit, type and null-selector faults")
    small = {"ds": cache(0x30)}
    f.add("mov eax,[ebx]: crosses the DS limit", b"\x8b\x03", dict(small, ebx="0xffe"),
          fault(13, 0))
    f.add("mov eax,[ebx]: ends at the DS limit", b"\x8b\x03", dict(small, ebx="0xffc"),
          {"eax": "0xdeadbeef"}, mem={0x20FFC: d32(0xDEADBEEF)})
    f.add("mov al,[ebx]: at the DS limit", b"\x8a\x03", dict(small, ebx="0xfff", eax="0x0"),
          {"eax": "0x5a"}, mem={0x20FFF: b"\x5a"})
    f.add("mov [ebx],al: read-only DS", b"\x88\x03", {"ds": cache(0x40), "ebx": "0x20000"},
          fault(13, 0))
    f.add("mov eax,[ebx]: below an expand-down floor", b"\x8b\x03",
          {"ds": cache(0x48), "ebx": "0x800"}, fault(13, 0))
    f.add("mov eax,[ebx]: above an expand-down floor", b"\x8b\x03",
          {"ds": cache(0x48), "ebx": "0x20000"}, {"eax": "0x1020304"},
          mem={0x20000: d32(0x01020304)})
    f.add("mov eax,[ebx]: null DS", b"\x8b\x03", {"ds": {"sel": "0x0"}, "ebx": "0x20000"},
          fault(13, 0))
    f.add("mov eax,fs:[ebx]: null FS", b"\x64\x8b\x03", {"fs": {"sel": "0x0"}, "ebx": "0x20000"},
          fault(13, 0))
    ss = {"ss": cache(0x58)}
    f.add("push eax: below the SS limit", b"\x50", dict(ss, esp="0x2"), fault(12, 0))
    f.add("push eax: within SS", b"\x50", dict(ss, esp="0x100", eax="0x11223344"),
          {"esp": "0xfc"}, fmem={0x300FC: d32(0x11223344)})
    f.add("mov eax,[ebp]: beyond the SS limit", b"\x8b\x45\x00", dict(ss, ebp="0x100"),
          fault(12, 0))
    f.add("mov eax,cs:[ebx]: execute-only CS", b"\x2e\x8b\x03",
          {"cs": cache(0x50), "ebx": "0x20000"}, fault(13, 0))
    f.add("mov eax,cs:[ebx]: readable CS", b"\x2e\x8b\x03", {"ebx": "0x20000"},
          {"eax": "0xcafe"}, mem={0x20000: d32(0xCAFE)})
    f.add("mov cs:[ebx],eax: code is not writable", b"\x2e\x89\x03", {"ebx": "0x20000"},
          fault(13, 0))
    cs = {"cs": {"sel": "0x8", "base": "0x0", "limit": "0x1ffff", "attr": "0x409b"}}
    f.add("jmp rel32: beyond the CS limit", b"\xe9" + d32(0x30000 - 0x10005), cs, fault(13, 0))
    f.add("jmp rel32: within the CS limit", b"\xe9" + d32(0x1F000 - 0x10005), cs,
          {"eip": "0x1f000"})
    f.add("mov ax,[0xffff]: real mode, past 64 KiB", b"\xa1\xff\xff",
          {"ds": {"sel": "0x2000"}}, fault(13), mode="real")
    f.add("mov al,[0xffff]: real mode, last byte", b"\xa0\xff\xff",
          {"ds": {"sel": "0x2000"}, "eax": "0x0"}, {"eax": "0x77"}, mem={0x2FFFF: b"\x77"},
          mode="real")
    f.write(out)


# Page tables: directory at 0x4000, one table at 0x5000 for 0-4 MiB.
PD, PT = 0x4000, 0x5000
PTES = {
    0x00: 0x00000 | 0x63,  # GDT/IDT page, supervisor
    0x10: 0x10000 | 0x65,  # code: user, read-only
    0x20: 0x20000 | 0x67,  # data: user, writable
    0x21: 0,  # not present
    0x22: 0x22000 | 0x65,  # user, read-only
    0x23: 0x23000 | 0x63,  # supervisor, writable
    0x24: 0x24000 | 0x07,  # user, writable, accessed and dirty clear
    0x3F: 0x3F000 | 0x67,  # stack
}


def paging(out):
    f = File("paging", "two-level 32-bit paging: #PF error codes, CR2, A/D bits, 4 MiB pages")
    pt = bytearray(4096)
    for page, pte in PTES.items():
        pt[page * 4 : page * 4 + 4] = d32(pte)
    mem = {PD: d32(PT | 0x27), PT: bytes(pt)}
    base = {"cr0": "0x80000011", "cr3": hx(PD)}
    wp = dict(base, cr0="0x80010011")
    user = dict(base, **USER)

    def pf(err, cr2):
        return dict(fault(14, err), cr2=hx(cr2))

    f.add("read: not present", b"\xa1" + d32(0x21000), base, pf(0, 0x21000), mem=mem)
    f.add("write: not present", b"\xa3" + d32(0x21004), base, pf(2, 0x21004), mem=mem)
    f.add("user write: read-only page", b"\xa3" + d32(0x22000), user, pf(7, 0x22000), mem=mem)
    f.add("user read: supervisor page", b"\xa1" + d32(0x23000), user, pf(5, 0x23000), mem=mem)
    f.add("user read: read-only page", b"\xa1" + d32(0x22010), user, {"eax": "0x4030201"},
          mem={**mem, 0x22010: d32(0x04030201)})
    f.add("supervisor write: read-only page, WP=0", b"\xa3" + d32(0x22000),
          dict(base, eax="0x11223344"), {}, mem=mem, fmem={0x22000: d32(0x11223344)})
    f.add("supervisor write: read-only page, WP=1", b"\xa3" + d32(0x22000), wp, pf(3, 0x22000),
          mem=mem)
    f.add("read: present", b"\xa1" + d32(0x20010), base, {"eax": "0x55aa55aa"},
          mem={**mem, 0x20010: d32(0x55AA55AA)})
    f.add("write: sets accessed and dirty", b"\xa3" + d32(0x24000), dict(base, eax="0x99"), {},
          mem=mem, fmem={0x24000: d32(0x99), PT + 0x24 * 4: d32(0x24067)})
    f.add("read: sets accessed only", b"\xa1" + d32(0x24004), dict(base, eax="0x99"),
          {"eax": "0x0"}, mem=mem, fmem={PT + 0x24 * 4: d32(0x24027)})
    f.add("read: directory entry not present", b"\xa1" + d32(0x400000), base, pf(0, 0x400000),
          mem=mem)
    f.add("fetch: not present", b"", dict(base, eip="0x21000"), pf(0, 0x21000), mem=mem)
    f.add("fetch: instruction crossing into a not-present page", b"\xb8\x01\x02",
          dict(base, eip="0x20ffd"), pf(0, 0x21000), mem=mem)
    f.add("user fetch: supervisor page", b"", dict(user, eip="0x23000"), pf(5, 0x23000),
          mem=mem)
    pse = {**mem, PD + 4: d32(0x000000E7), 0x20010: d32(0x600DF00D)}
    f.add("read: 4 MiB page (CR4.PSE)", b"\xa1" + d32(0x420010), dict(base, cr4="0x10"),
          {"eax": "0x600df00d"}, mem=pse)
    f.write(out)


def interrupt(out):
    f = File("interrupt", "INT n, INT3, INTO and IRET in real and protected mode")
    rstack = {"ss": {"sel": "0x0"}, "esp": "0x8000", "eflags": "0xa83"}

    def real_int(name, code, vec, target_cs, target_ip, ret_ip, init=None):
        i = dict(rstack, **(init or {}))
        fl = int(i["eflags"], 16)
        f.add(name, code, i, {"cs": {"sel": hx(target_cs)}, "eip": hx(target_ip),
                              "esp": "0x7ffa", "eflags": hx(fl & ~0x40300)},
              mem={vec * 4: d16(target_ip) + d16(target_cs)},
              fmem={0x7FFA: d16(ret_ip) + d16(CODE >> 4) + d16(fl)}, mode="real")

    real_int("int 21h: real mode", b"\xcd\x21", 0x21, 0x2000, 0x1234, 2)
    real_int("int3: real mode", b"\xcc", 3, 0x3000, 0x5678, 1)
    real_int("into, OF=1: real mode", b"\xce", 4, 0x4000, 0x100, 1)
    f.add("into, OF=0: real mode", b"\xce", dict(rstack, eflags="0x283"), {}, mode="real")
    f.add("int 21h: real mode, beyond the IVT limit", b"\xcd\x21", dict(rstack,
          idtr={"base": "0x0", "limit": "0x83"}), fault(13), mode="real")
    f.add("iret: real mode", b"\xcf", dict(rstack, esp="0x7ffa"),
          {"cs": {"sel": "0x2000"}, "eip": "0x1234", "esp": "0x8000", "eflags": "0x8d7"},
          mem={0x7FFA: d16(0x1234) + d16(0x2000) + d16(0x08D7)}, mode="real")
    f.add("iret o32: real mode", b"\x66\xcf", dict(rstack, esp="0x7ff4"),
          {"cs": {"sel": "0x2000"}, "eip": "0x1234", "esp": "0x8000", "eflags": "0x8d7"},
          mem={0x7FF4: d32(0x1234) + d32(0x2000) + d32(0x08D7)}, mode="real")

    idtr = {"base": hx(IDT), "limit": "0x7ff"}
    pm = {"idtr": idtr, "esp": "0x3f000", "eflags": "0xa83"}

    def pm_int(name, code, vec, typ, init, final, fmem=None, extra=None):
        mem = {IDT + vec * 8: gate(0x12345, 0x08, typ)}
        mem.update(extra or {})
        f.add(name, code, dict(pm, **init), final, mem=mem, fmem=fmem)

    frame = {0x3EFF4: d32(0x10002) + d32(0x08) + d32(0xA83)}
    pm_int("int 21h: 32-bit interrupt gate", b"\xcd\x21", 0x21, 0x8E, {},
           {"eip": "0x12345", "esp": "0x3eff4", "eflags": "0x883"}, frame)
    pm_int("int 21h: 32-bit trap gate", b"\xcd\x21", 0x21, 0x8F, {},
           {"eip": "0x12345", "esp": "0x3eff4", "eflags": "0xa83"}, frame)
    pm_int("int3: 32-bit interrupt gate", b"\xcc", 3, 0x8E, {},
           {"eip": "0x12345", "esp": "0x3eff4", "eflags": "0x883"},
           {0x3EFF4: d32(0x10001) + d32(0x08) + d32(0xA83)})
    pm_int("into, OF=1: 32-bit interrupt gate", b"\xce", 4, 0x8E, {},
           {"eip": "0x12345", "esp": "0x3eff4", "eflags": "0x883"},
           {0x3EFF4: d32(0x10001) + d32(0x08) + d32(0xA83)})
    pm_int("int 21h: CPL 3 through a DPL 0 gate", b"\xcd\x21", 0x21, 0x8E, dict(USER),
           fault(13, 0x21 * 8 + 2))
    f.add("int 21h: beyond the IDT limit", b"\xcd\x21",
          dict(pm, idtr={"base": hx(IDT), "limit": "0xff"}), fault(13, 0x21 * 8 + 2))
    pm_int("int 21h: gate not present", b"\xcd\x21", 0x21, 0x0E, {}, fault(11, 0x21 * 8 + 2))
    pm_int("int 21h: gate to a data segment", b"\xcd\x21", 0x21, 0x8E, {}, fault(13, 0x10),
           extra={IDT + 0x21 * 8: gate(0x12345, 0x10, 0x8E)})
    tss = {TSS + 4: d32(0x3F000) + d32(0x10)}
    tr = {"sel": "0x68", "base": hx(TSS), "limit": "0x67", "attr": "0x8b"}
    pm_int("int 80h: CPL 3 to 0 through a DPL 3 gate, stack switch", b"\xcd\x80", 0x80, 0xEE,
           dict(USER, tr=tr, esp="0x3e000"),
           {"cs": cache(0x08), "ss": cache(0x10), "eip": "0x12345", "esp": "0x3efec",
            "eflags": "0x883"},
           {0x3EFEC: d32(0x10002) + d32(0x1B) + d32(0xA83) + d32(0x3E000) + d32(0x23)}, tss)
    f.add("iret: same privilege", b"\xcf", dict(pm, esp="0x3eff4"),
          {"eip": "0x12000", "esp": "0x3f000", "eflags": "0x3a83"},
          mem={0x3EFF4: d32(0x12000) + d32(0x08) + d32(0x3A83)})
    f.add("iret: to CPL 3", b"\xcf", dict(pm, esp="0x3efec", ds=cache(0x23), es=cache(0x23),
                                fs=cache(0x23), gs=cache(0x23)),
          {"eip": "0x12000", "esp": "0x3e000", "eflags": "0x283", "cs": cache(0x1B),
           "ss": cache(0x23)},
          mem={0x3EFEC: d32(0x12000) + d32(0x1B) + d32(0x283) + d32(0x3E000) + d32(0x23)})
    f.write(out)


def far(out):
    f = File("far", "far JMP, CALL, RETF in real and protected mode")
    rs = {"ss": {"sel": "0x0"}, "esp": "0x8000"}
    f.add("jmp far ptr16:16: real mode", b"\xea\x34\x12\x00\x20", {},
          {"cs": {"sel": "0x2000"}, "eip": "0x1234"}, mode="real")
    f.add("call far ptr16:16: real mode", b"\x9a\x34\x12\x00\x20", rs,
          {"cs": {"sel": "0x2000"}, "eip": "0x1234", "esp": "0x7ffc"},
          fmem={0x7FFC: d16(5) + d16(0x1000)}, mode="real")
    f.add("call far ptr16:32: real mode", b"\x66\x9a\x34\x12\x00\x00\x00\x20", rs,
          {"cs": {"sel": "0x2000"}, "eip": "0x1234", "esp": "0x7ff8"},
          fmem={0x7FF8: d32(8) + d16(0x1000)}, mode="real")
    f.add("jmp far ptr16:32 beyond 64 KiB: real mode", b"\x66\xea\x00\x00\x01\x00\x00\x20", {},
          fault(13), mode="real")
    f.add("retf: real mode", b"\xcb", dict(rs, esp="0x7ffc"),
          {"cs": {"sel": "0x3000"}, "eip": "0x5678", "esp": "0x8000"},
          mem={0x7FFC: d16(0x5678) + d16(0x3000)}, mode="real")
    f.add("retf 4: real mode", b"\xca\x04\x00", dict(rs, esp="0x7ffc"),
          {"cs": {"sel": "0x3000"}, "eip": "0x5678", "esp": "0x8004"},
          mem={0x7FFC: d16(0x5678) + d16(0x3000)}, mode="real")
    f.add("jmp far [bx]: real mode", b"\xff\x2f", {"ds": {"sel": "0x2000"}, "ebx": "0x10"},
          {"cs": {"sel": "0x5000"}, "eip": "0xabcd"}, mem={0x20010: d16(0xABCD) + d16(0x5000)},
          mode="real")
    f.add("call far [bx]: real mode", b"\xff\x1f", dict(rs, ds={"sel": "0x2000"}, ebx="0x10"),
          {"cs": {"sel": "0x5000"}, "eip": "0xabcd", "esp": "0x7ffc"},
          mem={0x20010: d16(0xABCD) + d16(0x5000)}, fmem={0x7FFC: d16(2) + d16(0x1000)},
          mode="real")

    ps = {"esp": "0x3f000"}
    f.add("jmp far 08:12345h", b"\xea\x45\x23\x01\x00\x08\x00", {}, {"eip": "0x12345"})
    f.add("jmp far to 16-bit code", b"\xea\x00\x01\x00\x00\x38\x00", {},
          {"cs": cache(0x38), "eip": "0x100"})
    f.add("jmp far to a data segment", b"\xea\x00\x01\x00\x00\x10\x00", {}, fault(13, 0x10))
    f.add("jmp far to a not-present segment", b"\xea\x00\x01\x00\x00\x70\x00", {},
          fault(11, 0x70))
    f.add("jmp far to a null selector", b"\xea\x00\x01\x00\x00\x00\x00", {}, fault(13, 0))
    f.add("jmp far to DPL 3 code at CPL 0", b"\xea\x00\x01\x00\x00\x18\x00", {},
          fault(13, 0x18))
    f.add("jmp far past the 16-bit code limit", b"\xea\x00\x00\x01\x00\x38\x00", {},
          fault(13, 0))
    f.add("call far 08:12345h", b"\x9a\x45\x23\x01\x00\x08\x00", ps,
          {"eip": "0x12345", "esp": "0x3eff8"}, fmem={0x3EFF8: d32(0x10007) + d16(0x08)})
    f.add("retf: same privilege", b"\xcb", dict(ps, esp="0x3eff8"),
          {"eip": "0x12000", "esp": "0x3f000"}, mem={0x3EFF8: d32(0x12000) + d32(0x08)})
    f.add("retf: to CPL 3", b"\xcb", dict(ps, esp="0x3eff0", ds=cache(0x23), es=cache(0x23),
                                          fs=cache(0x23), gs=cache(0x23)),
          {"eip": "0x12000", "esp": "0x3e000", "cs": cache(0x1B), "ss": cache(0x23)},
          mem={0x3EFF0: d32(0x12000) + d32(0x1B) + d32(0x3E000) + d32(0x23)})
    f.add("retf: to CPL 3 with SS RPL 0", b"\xcb", dict(ps, esp="0x3eff0"), fault(13, 0x20),
          mem={0x3EFF0: d32(0x12000) + d32(0x1B) + d32(0x3E000) + d32(0x20)})
    f.add("retf: to CPL 0 from CPL 3", b"\xcb", dict(USER, esp="0x3eff8"), fault(13, 0x08),
          mem={0x3EFF8: d32(0x12000) + d32(0x08)})
    f.write(out)


def system(out):
    f = File("system", "system instructions at CPL 0: flags, control and table registers, "
             "segment pushes and loads, LAR LSL VERR VERW LTR")
    st = {"esp": "0x3f000"}
    f.add("cli", b"\xfa", {"eflags": "0x202"}, {"eflags": "0x2"})
    f.add("sti", b"\xfb", {"eflags": "0x2"}, {"eflags": "0x202"})
    f.add("cli: CPL 3 with IOPL 3", b"\xfa", dict(USER, eflags="0x3202"), {"eflags": "0x3002"})
    f.add("popfd: CPL 0 sets IOPL, IF, NT", b"\x9d", st, {"eflags": "0x7ad7", "esp": "0x3f004"},
          mem={0x3F000: d32(0x7AD7)})
    f.add("mov eax,cr0", b"\x0f\x20\xc0", {}, {"eax": "0x11"})
    f.add("mov eax,cr2", b"\x0f\x20\xd0", {"cr2": "0x1234"}, {"eax": "0x1234"})
    f.add("mov cr3,eax", b"\x0f\x22\xd8", {"eax": "0x5000"}, {"cr3": "0x5000"})
    f.add("mov cr4,eax", b"\x0f\x22\xe0", {"eax": "0x10"}, {"cr4": "0x10"})
    f.add("clts", b"\x0f\x06", {"cr0": "0x19"}, {"cr0": "0x11"})
    f.add("lmsw ax: sets MP EM TS, cannot clear PE", b"\x0f\x01\xf0", {"eax": "0xfffe"},
          {"cr0": "0x1f"})
    f.add("lmsw ax: real mode, sets PE", b"\x0f\x01\xf0", {"eax": "0x1"}, {"cr0": "0x11"},
          mode="real")
    table = d16(0xFF) + d32(0x12345678)
    f.add("lgdt [ebx]", b"\x0f\x01\x13", {"ebx": "0x20000"},
          {"gdtr": {"base": "0x12345678", "limit": "0xff"}}, mem={0x20000: table})
    f.add("lgdt o16 [ebx]: 24-bit base", b"\x66\x0f\x01\x13", {"ebx": "0x20000"},
          {"gdtr": {"base": "0x345678", "limit": "0xff"}}, mem={0x20000: table})
    f.add("lidt [ebx]", b"\x0f\x01\x1b", {"ebx": "0x20000"},
          {"idtr": {"base": "0x12345678", "limit": "0xff"}}, mem={0x20000: table})
    f.add("sgdt [ebx]", b"\x0f\x01\x03", {"ebx": "0x20000"}, {},
          fmem={0x20000: d16(GDT_LIMIT) + d32(GDT)})
    f.add("sidt [ebx]", b"\x0f\x01\x0b", {"ebx": "0x20000", "idtr": {"base": "0x1000",
          "limit": "0x7ff"}}, {}, fmem={0x20000: d16(0x7FF) + d32(0x1000)})
    f.add("push ds", b"\x1e", dict(st, ds=cache(0x30)), {"esp": "0x3effc"},
          fmem={0x3EFFC: d16(0x30)})
    f.add("push fs", b"\x0f\xa0", st, {"esp": "0x3effc"}, fmem={0x3EFFC: d16(0x10)})
    f.add("push cs o16", b"\x66\x0e", st, {"esp": "0x3effe"}, fmem={0x3EFFE: d16(0x08)})
    f.add("pop es", b"\x07", st, {"es": cache(0x30), "esp": "0x3f004"},
          mem={0x3F000: d32(0x30)})
    f.add("pop ss", b"\x17", st, {"ss": cache(0x58), "esp": "0x3f004"},
          mem={0x3F000: d32(0x58)})
    f.add("pop gs", b"\x0f\xa9", st, {"gs": cache(0x30), "esp": "0x3f004"},
          mem={0x3F000: d32(0x30)})
    f.add("pop fs: not present", b"\x0f\xa1", st, fault(11, 0x28), mem={0x3F000: d32(0x28)})
    f.add("lss esp,[ebx]", b"\x0f\xb2\x23", {"ebx": "0x20000"},
          {"esp": "0x80", "ss": cache(0x58)}, mem={0x20000: d32(0x80) + d16(0x58)})
    f.add("lfs eax,[ebx]", b"\x0f\xb4\x03", {"ebx": "0x20000"},
          {"eax": "0xabcdef01", "fs": cache(0x30)}, mem={0x20000: d32(0xABCDEF01) + d16(0x30)})
    f.add("lgs ax,[ebx]", b"\x66\x0f\xb5\x03", {"ebx": "0x20000", "eax": "0x11112222"},
          {"eax": "0x1111ef01", "gs": cache(0x30)}, mem={0x20000: d16(0xEF01) + d16(0x30)})
    zf = 0x42
    f.add("lar eax,ecx: data", b"\x0f\x02\xc1", {"ecx": "0x10"},
          {"eax": "0xc09300", "eflags": hx(zf)})
    f.add("lar ax,cx: data", b"\x66\x0f\x02\xc1", {"ecx": "0x10", "eax": "0x12345678"},
          {"eax": "0x12349300", "eflags": hx(zf)})
    f.add("lar eax,ecx: TSS", b"\x0f\x02\xc1", {"ecx": "0x68"},
          {"eax": "0x8900", "eflags": hx(zf)})
    f.add("lar eax,ecx: null", b"\x0f\x02\xc1", {"ecx": "0x0", "eflags": "0x42", "eax": "0x5"},
          {"eflags": "0x2"})
    f.add("lar eax,ecx: beyond the GDT limit", b"\x0f\x02\xc1", {"ecx": "0x78",
          "eflags": "0x42"}, {"eflags": "0x2"})
    f.add("lar eax,ecx: DPL 0 data at CPL 3", b"\x0f\x02\xc1", dict(USER, ecx="0x10",
          eflags="0x42"), {"eflags": "0x2"})
    f.add("lsl eax,ecx: byte limit", b"\x0f\x03\xc1", {"ecx": "0x30"},
          {"eax": "0xfff", "eflags": hx(zf)})
    f.add("lsl eax,ecx: page-granular", b"\x0f\x03\xc1", {"ecx": "0x10"},
          {"eax": "0xffffffff", "eflags": hx(zf)})
    f.add("lsl eax,ecx: TSS", b"\x0f\x03\xc1", {"ecx": "0x68"},
          {"eax": "0x67", "eflags": hx(zf)})
    f.add("lsl eax,ecx: null", b"\x0f\x03\xc1", {"ecx": "0x0", "eflags": "0x42"},
          {"eflags": "0x2"})
    for sel, r, w in ((0x10, 1, 1), (0x40, 1, 0), (0x50, 0, 0), (0x08, 1, 0), (0x28, 1, 1)):
        f.add("verr cx: %#x" % sel, b"\x0f\x00\xe1", {"ecx": hx(sel), "eflags": "0x2"},
              {"eflags": hx(0x42 if r else 0x2)})
        f.add("verw cx: %#x" % sel, b"\x0f\x00\xe9", {"ecx": hx(sel), "eflags": "0x2"},
              {"eflags": hx(0x42 if w else 0x2)})
    f.add("ltr ax: marks the TSS busy", b"\x0f\x00\xd8", {"eax": "0x68"},
          {"tr": {"sel": "0x68", "base": hx(TSS), "limit": "0x67", "attr": "0x8b"}},
          fmem={GDT + 0x68 + 5: b"\x8b"})
    f.add("ltr ax: not a TSS", b"\x0f\x00\xd8", {"eax": "0x10"}, fault(13, 0x10))
    f.add("wbinvd at CPL 0", b"\x0f\x09", {}, {})
    f.add("invlpg [ebx] at CPL 0", b"\x0f\x01\x3b", {"ebx": "0x20000"}, {})
    f.write(out)


def v86(out):
    f = File("v86", "virtual-8086 mode: addressing, segment loads, IOPL-sensitive and "
             "protected-mode-only instructions")
    vm = 0x20000

    def v(init, **kw):
        i = {"cr0": "0x11", "eflags": hx(vm | 0x202), "cs": {"sel": "0x1000"},
             "ds": {"sel": "0x2000"}, "ss": {"sel": "0x3000"}, "esp": "0x100"}
        i.update(init)
        i.update(kw)
        return i

    iopl3 = hx(vm | 0x3202)
    f.add("mov ax,[bx]: DS base = selector * 16", b"\x8b\x07", v({}, ebx="0x10", eax="0x0"),
          {"eax": "0xbeef"}, mem={0x20010: d16(0xBEEF)}, mode="real")
    f.add("mov ds,ax: no descriptor, base = selector * 16", b"\x8e\xd8",
          v({}, eax="0x4321"), {"ds": {"sel": "0x4321"}}, mode="real")
    f.add("push ax: 16-bit stack at SS * 16", b"\x50", v({}, eax="0x1234"),
          {"esp": "0xfe"}, fmem={0x300FE: d16(0x1234)}, mode="real")
    f.add("cli: IOPL 0", b"\xfa", v({}), fault(13, 0), mode="real")
    f.add("cli: IOPL 3", b"\xfa", v({}, eflags=iopl3), {"eflags": hx(vm | 0x3002)},
          mode="real")
    f.add("sti: IOPL 0", b"\xfb", v({}), fault(13, 0), mode="real")
    f.add("pushf: IOPL 0", b"\x9c", v({}), fault(13, 0), mode="real")
    f.add("pushf: IOPL 3", b"\x9c", v({}, eflags=iopl3), {"esp": "0xfe"},
          fmem={0x300FE: d16(0x3202)}, mode="real")
    f.add("pushfd: IOPL 3, VM and RF read as 0", b"\x66\x9c", v({}, eflags=iopl3),
          {"esp": "0xfc"}, fmem={0x300FC: d32(0x3202)}, mode="real")
    f.add("popf: IOPL 3 keeps IOPL, changes IF", b"\x9d", v({}, eflags=iopl3),
          {"esp": "0x102", "eflags": hx(vm | 0x30d7)}, mem={0x30100: d16(0x00D7)},
          mode="real")
    f.add("int 21h: IOPL 0", b"\xcd\x21", v({}), fault(13, 0), mode="real")
    f.add("into, OF=0: IOPL 0 is no fault", b"\xce", v({}), {}, mode="real")
    f.add("in al,dx: no TSS", b"\xec", v({}, edx="0x60", eflags=iopl3), fault(13, 0),
          mode="real")
    f.add("hlt", b"\xf4", v({}, eflags=iopl3), fault(13, 0), mode="real")
    f.add("mov eax,cr0", b"\x0f\x20\xc0", v({}, eflags=iopl3), fault(13, 0), mode="real")
    f.add("lgdt [bx]", b"\x0f\x01\x17", v({}, eflags=iopl3), fault(13, 0), mode="real")
    f.add("arpl: #UD outside protected mode", b"\x63\xd1", v({}), fault(6), mode="real")
    f.add("lar: #UD outside protected mode", b"\x0f\x02\xc1", v({}), fault(6), mode="real")
    f.add("verr: #UD outside protected mode", b"\x0f\x00\xe1", v({}), fault(6), mode="real")
    f.add("arpl: #UD in real mode", b"\x63\xd1", {}, fault(6), mode="real")

    # To a ring-0 handler: a DPL 3 interrupt gate, the ring-0 stack from the
    # TSS, a frame of GS FS DS ES SS ESP EFLAGS CS EIP, VM cleared. The data
    # segments start null so that their nulling changes no hidden part.
    tr = {"sel": "0x68", "base": hx(TSS), "limit": "0x67", "attr": "0x8b"}
    null = {"sel": "0x0"}
    ring0 = {"gdtr": {"base": hx(GDT), "limit": hx(GDT_LIMIT)},
             "idtr": {"base": hx(IDT), "limit": "0x7ff"}, "tr": tr,
             "ds": null, "es": null, "fs": null, "gs": null}
    mem = {GDT: gdt_bytes(), TSS + 4: d32(0x3F000) + d32(0x10),
           IDT + 3 * 8: gate(0x12345, 0x08, 0xEE), IDT + 0x21 * 8: gate(0x12345, 0x08, 0xEE)}

    def to_ring0(name, code, eflags):
        frame = d32(len(code)) + d32(0x1000) + d32(eflags) + d32(0x100) + d32(0x3000)
        f.add(name, code, v(ring0, eflags=hx(eflags)),
              {"cs": cache(0x08), "ss": cache(0x10), "eip": "0x12345", "esp": "0x3efdc",
               "eflags": hx(eflags & ~(vm | 0x200))}, mem=mem, fmem={0x3EFDC: frame},
              mode="real")

    to_ring0("int3: not IOPL-sensitive, to ring 0", b"\xcc", vm | 0x202)
    to_ring0("int 21h: IOPL 3, to ring 0", b"\xcd\x21", vm | 0x3202)
    f.add("int 21h: IOPL 0 with a valid gate", b"\xcd\x21", v(ring0), fault(13, 0), mem=mem,
          mode="real")
    f.write(out)


def stack_fault(out):
    f = File("stack_fault", "stack instructions that fault part-way leave (E)SP and the "
             "registers as they were; a 16-bit stack segment (B=0) in protected mode uses SP, "
             "wraps at 64 KiB and keeps the upper half of ESP")
    ds_small = {"ds": cache(0x30)}  # base 0x20000, limit 0xfff
    val = 0x11223344
    st = {0x3F000: d32(val)}
    f.add("pop dword [ebx]: write past the DS limit, ESP unchanged", b"\x8f\x03",
          dict(ds_small, esp="0x3f000", ebx="0xffe"), fault(13, 0), mem=st)
    f.add("pop word [ebx]: write past the DS limit, ESP unchanged", b"\x66\x8f\x03",
          dict(ds_small, esp="0x3f000", ebx="0xfff"), fault(13, 0), mem=st)
    f.add("pop dword [ebx]: within the limit", b"\x8f\x03",
          dict(ds_small, esp="0x3f000", ebx="0xffc"), {"esp": "0x3f004"}, mem=st,
          fmem={0x20FFC: d32(val)})
    f.add("pop dword [esp]: the address uses the incremented ESP", b"\x8f\x04\x24",
          {"esp": "0x3f000"}, {"esp": "0x3f004"}, mem=st, fmem={0x3F004: d32(val)})
    f.add("pop word [0xffff]: real mode, past the limit, SP unchanged", b"\x8f\x06\xff\xff",
          {"esp": "0x100"}, fault(13), mem={0x100: d16(0x5566)}, mode="real")
    small_ss = {"ss": cache(0x58)}  # base 0x30000, limit 0xff, B=1
    regs = {"eax": "0x1", "ecx": "0x2", "edx": "0x3", "ebx": "0x4", "ebp": "0x6", "esi": "0x7",
            "edi": "0x8"}
    f.add("pushad: the last push is past the SS limit, nothing written", b"\x60",
          dict(small_ss, esp="0x10", **regs), fault(12, 0))
    f.add("popad: the last pop is past the SS limit, registers and ESP unchanged", b"\x61",
          dict(small_ss, esp="0xf0", **regs), fault(12, 0), mem={0x300F0: bytes(range(16))})
    f.add("popa: real mode, past the 64 KiB limit, registers and SP unchanged", b"\x61",
          dict(regs, esp="0xfff3"), fault(12), mode="real")
    ss16 = {"ss": {"sel": "0x10", "base": "0x30000", "limit": "0xffff", "attr": "0x93"}}
    words = b"".join(d16(v) for v in (0x8, 0x7, 0x6, 0x10, 0x4, 0x3, 0x2, 0x1))
    f.add("pushaw: 16-bit stack, SP wraps to 0, ESP's upper half kept", b"\x66\x60",
          dict(ss16, esp="0x12340010", **regs), {"esp": "0x12340000"}, fmem={0x30000: words})
    f.add("push eax: 16-bit stack, SP wraps below 0", b"\x50",
          dict(ss16, esp="0xabcd0000", eax="0xdeadbeef"), {"esp": "0xabcdfffc"},
          fmem={0x3FFFC: d32(0xDEADBEEF)})
    f.add("pop ax: 16-bit stack, SP wraps to 0", b"\x66\x58",
          dict(ss16, esp="0xabcdfffe"), {"esp": "0xabcd0000", "eax": "0x1234"},
          mem={0x3FFFE: d16(0x1234)})
    f.add("call rel32: 16-bit stack, pushes at SP - 4 below the wrap",
          b"\xe8\x00\x00\x00\x00", dict(ss16, esp="0x55550000"), {"esp": "0x5555fffc"},
          fmem={0x3FFFC: d32(0x10005)})
    f.add("pop ss: from a 16-bit stack into a 32-bit SS, SP wraps by the old B", b"\x17",
          dict(ss16, esp="0xabcdfffc"), {"esp": "0xabcd0000", "ss": cache(0x10)},
          mem={0x3FFFC: d32(0x10)})
    f.add("enter 4,0 (o32): 16-bit stack, the frame pointer is the whole ESP", b"\xc8\x04\x00\x00",
          dict(ss16, esp="0x10000", ebp="0x12345678"), {"esp": "0x1fff8", "ebp": "0x1fffc"},
          fmem={0x3FFFC: d32(0x12345678)})
    f.add("enter 0x20,0: the final ESP is past the SS limit, nothing pushed", b"\xc8\x20\x00\x00",
          dict(small_ss, esp="0x10", ebp="0x12345678"), fault(12, 0))
    f.write(out)


def lock_alias(out):
    f = File("lock_alias", "LOCK on 82h, the alias of 80h: a memory destination executes "
             "like 80h; CMP or a register destination is #UD")
    f.add("lock add byte [ebx], 5 (82 /0)", b"\xf0\x82\x03\x05", {"ebx": "0x20000"}, {},
          mem={0x20000: b"\x10"}, fmem={0x20000: b"\x15"})
    f.add("lock sub byte [ebx], 0x20 (82 /5)", b"\xf0\x82\x2b\x20",
          {"ebx": "0x20000"}, {"eflags": "0x87"}, mem={0x20000: b"\x10"},
          fmem={0x20000: b"\xf0"})
    f.add("lock cmp byte [ebx], 5 (82 /7): #UD", b"\xf0\x82\x3b\x05", {"ebx": "0x20000"},
          fault(6), mem={0x20000: b"\x10"})
    f.add("lock add bl, 5 (82 /0, register): #UD", b"\xf0\x82\xc3\x05", {}, fault(6))
    f.write(out)


def rotate_of(out):
    f = File("rotate_of", "RCR by more than 1: OF is the XOR of the result's two top bits, as "
             "on the 386 (the SDM leaves it undefined; test386.asm's reference output, taken "
             "from hardware, has it)")
    f.add("rcr al, 7: 0 with CF=1 gives 2, OF clear", b"\xc0\xd8\x07",
          {"eflags": "0x3"}, {"eax": "0x2", "eflags": "0x2"})
    f.add("rcr al, 7: 7Fh with CF=1 gives FEh, CF set, OF clear", b"\xc0\xd8\x07",
          {"eax": "0x7f", "eflags": "0x3"}, {"eax": "0xfe", "eflags": "0x3"})
    f.add("rcr ax, 7: 8000h with CF=0 gives 100h, OF clear", b"\x66\xc1\xd8\x07",
          {"eax": "0x8000", "eflags": "0x2"}, {"eax": "0x100", "eflags": "0x2"})
    f.add("rcr eax, 7: 1 with CF=0 gives 4000000h, OF clear", b"\xc1\xd8\x07",
          {"eax": "0x1", "eflags": "0x2"}, {"eax": "0x4000000", "eflags": "0x2"})
    f.add("rcr eax, 2: 2 with CF=1 gives 40000000h, CF and OF set", b"\xc1\xd8\x02",
          {"eax": "0x2", "eflags": "0x3"}, {"eax": "0x40000000", "eflags": "0x803"})
    f.write(out)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/cpu"
    seg_load(out)
    seg_fault(out)
    paging(out)
    interrupt(out)
    far(out)
    system(out)
    v86(out)
    stack_fault(out)
    lock_alias(out)
    rotate_of(out)


if __name__ == "__main__":
    main()
