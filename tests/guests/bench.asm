; CPU benchmark loops, for tests/bench/cpu.sh (which assembles it with
; -DKIND=... -DLOOPS=...; the build's copy uses the small defaults and
; doubles as a smoke test). Exits with code 0x10 when done.
;   KIND 1: register ALU, 6 instructions an iteration
;   KIND 2: memory operands, 7 instructions an iteration
;   KIND 3: REP MOVSW of 2 KiB, 5 instructions (+1024 moves) an iteration
;   KIND 4: x87 x = sqrt(x * 0.5 + 1) with a single store, 6 instructions
;           (4 of them x87) an iteration
;   KIND 5: 32-bit protected mode, flat 32-bit stack: PUSH, CALL, PUSH,
;           ADD, POP, RET, POP, DEC, JNZ, 9 instructions an iteration
%include "lib.inc"

%ifndef KIND
%define KIND 1
%endif
%ifndef LOOPS
%define LOOPS 1000
%endif

%if KIND == 5
%include "pm.inc"
bits 16
	ENTER_PM
	mov ecx, LOOPS
	xor eax, eax
.loop:
	push ecx
	call .fn
	pop ecx
	dec ecx
	jnz .loop
	EXIT32 0x10
.fn:
	push ebx
	add eax, ebx
	pop ebx
	ret
gate_target:
	retf
bits 16
%else
GUEST_ENTRY
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ecx, LOOPS
	mov ebx, 12345
	xor eax, eax
	xor edx, edx
	xor esi, esi
	cld
%if KIND == 1
.loop:
	add eax, ebx
	xor edx, eax
	sub ebx, 3
	inc esi
	dec ecx
	jnz .loop
%elif KIND == 2
	mov bx, 0x2000
.loop:
	mov ax, [bx+si]
	add ax, [bx+si+2]
	mov [bx+si+4], ax
	add si, 2
	and si, 0x0FFE
	dec ecx
	jnz .loop
%elif KIND == 4
	fninit
	fld1
	fld1
	fld1
	fadd st0, st0
	fdivp st1                 ; 0.5
	fldz                      ; x; ST(1) = 0.5, ST(2) = 1
.loop:
	fmul st0, st1
	fadd st0, st2
	fsqrt
	fst dword [0x2000]
	dec ecx
	jnz .loop
%else
	mov edx, ecx
.loop:
	mov si, 0x1000
	mov di, 0x8000
	mov cx, 1024
	rep movsw
	dec edx
	jnz .loop
%endif
	EXIT 0x10
%endif
ROM_END
