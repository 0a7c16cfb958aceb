#!/usr/bin/env python3
"""Writes seeds of fuzz_x86's corpus (tests/fuzz/corpus/fuzz_x86) from the
CPU conformance vectors (tests/cpu/*.json): for a spread of each file's
vectors, the options byte (see the comment at the top of
tests/fuzz/fuzz_x86.c: real mode for a real-mode vector, else 32-bit
protected mode, every third of those with paging; the JIT's threshold
cycling), MOVs of the vector's initial general registers (ESP is the
harness's), its instruction bytes twice over (a block that runs again)
and HLT. The hand-written seeds are kept: arith, faults, fpu, io, pmode,
string (real mode), and with paging straddle-pf (a loop whose dword store
reaches across into the absent page: a fault in the middle of a
translated block), pf-late (the same after 63 turns, past the threshold of
32), smc-alias (a loop patching its own ADD through the alias page),
jit-near-pages (operands off one base within, past and across a page,
a write after reads, a write to the read-only page) and
jit-near-code-alias-flush (a read then a write of its own code through the
alias page, INVLPG between two operands, a straddling dword then a byte
of it), jit-near-past-ram (without paging: operands off EAX past RAM, a
write then reads, in blocks cut by the budget: the divergence fuzz_x86
found when the JIT left a block after such an operand's slow path);
without paging, jit-forms (a loop, translated after one run, of the
JIT's native shifts and rotates by CL counting 40 down to 1, ADC/SBB,
IMUL, MOVZX/MOVSX, LEA, NEG/NOT and TEST, on registers and memory) and
jit-forms2 (the same for CMOVcc, SETcc, CDQ/CWDE, XADD, CMPXCHG,
SHLD/SHRD, MUL, BSF/BSR, NOP, LEAVE and a Jcc after RCL).
    python3 tests/fuzz/tools/x86_seeds.py tests/fuzz/corpus/fuzz_x86"""
import glob
import json
import os
import struct
import sys

PER_FILE = 4
REGS = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"]


def code_of(test):
    init = test["initial"]
    eip = int(init.get("eip", "0"), 16)
    cs = int(init.get("cs", {}).get("sel", "0"), 16) if isinstance(init.get("cs"), dict) else 0
    real = not (int(init.get("cr0", "0"), 16) & 1)
    at = (cs << 4) + eip if real else eip
    mem = {int(k, 16): bytes.fromhex(v) for k, v in init.get("mem", {}).items()}
    if at not in mem:
        return None, real
    return mem[at], real


def seed(test, index):
    insn, real = code_of(test)
    if not insn:
        return None
    mode = 0 if real else (2 if index % 3 == 2 else 1)
    out = bytes([mode | (index % 4) << 2])
    init = test["initial"]
    for r, name in enumerate(REGS):
        if name == "esp" or name not in init:
            continue
        out += (b"\x66" if real else b"") + bytes([0xB8 + r]) + struct.pack("<I", int(init[name], 16))
    return out + insn + insn + b"\xf4"


def main():
    outdir = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    seen = set()
    n = 0
    for path in sorted(glob.glob(os.path.join(here, "..", "..", "cpu", "*.json"))):
        tests = json.load(open(path))["tests"]
        stem = os.path.splitext(os.path.basename(path))[0]
        step = max(1, len(tests) // PER_FILE)
        for i, test in enumerate(tests[::step][:PER_FILE]):
            s = seed(test, i)
            if not s or s in seen:
                continue
            seen.add(s)
            with open(os.path.join(outdir, "vec-%s-%d" % (stem, i)), "wb") as f:
                f.write(s)
            n += 1
    print("%d seeds" % n)


main()
