; fpu: the x87 on a bare machine, in real mode. Finds the FPU the way a
; BIOS or DOS program does, computes sqrt(2), the area of a circle, a
; remainder by an FPREM loop and a packed-BCD conversion, compares with
; FCOMI, and takes an unmasked exception the PC/AT way: CR0.NE clear, so
; at the next waiting instruction FERR# raises IRQ13 through the slave PIC
; and the handler clears the latch at port F0h. Prints PASS/FAIL lines (and the numbers) on port
; E9h; exits with 10h when all pass.
%include "lib.inc"

SCRATCH equ 0x0500            ; 0000:0500, results
IRQ13_COUNT equ 0x0540        ; bumped by the IRQ13 handler
IRQ13_VECTOR equ 0x75         ; slave base 70h + IR5

; CHECK a, b, "name": PASS, or FAIL and exit 1.
%macro CHECK 3
	cmp %1, %2
	je %%ok
	PRINT_E9 "FAIL ", %3, 10
	jmp fail
%%ok:
	PRINT_E9 "PASS ", %3, 10
%endmacro

GUEST_ENTRY
	xor ax, ax
	mov es, ax                ; ES: RAM; DS: the ROM

	; The classic probe: FNINIT, then FNSTSW/FNSTCW must read back.
	mov word [es:SCRATCH], 0x5a5a
	mov word [es:SCRATCH + 2], 0x5a5a
	fninit
	fnstsw [es:SCRATCH]
	fnstcw [es:SCRATCH + 2]
	CHECK word [es:SCRATCH], 0, "fnstsw after fninit reads 0"
	CHECK word [es:SCRATCH + 2], 0x037f, "fnstcw after fninit reads 037fh"

	; sqrt(2) rounded to double is the double nearest to sqrt(2).
	fild word [two]
	fsqrt
	fstp qword [es:SCRATCH]
	mov si, sqrt2
	mov di, SCRATCH
	mov cx, 8
	repe cmpsb
	CHECK cx, 0, "sqrt(2) is the nearest double"

	; pi * r^2 for r = 3, times 1000, rounded to an integer: 28274.
	fldpi
	fild word [radius]
	fmul st0, st0
	fmulp st1
	fimul word [thousand]
	fistp word [es:SCRATCH]
	PRINT_E9 "pi*3*3*1000 = "
	mov ax, [es:SCRATCH]
	call e9_putdec
	CHECK word [es:SCRATCH], 28274, "pi r^2"

	; 10^15 mod 7 = 6, by FPREM until C2 (PF after SAHF) clears.
	fild word [seven]
	fild qword [ten15]
.prem:
	fprem
	fnstsw ax
	sahf
	jp .prem
	fistp word [es:SCRATCH]
	fstp st0
	CHECK word [es:SCRATCH], 6, "an fprem loop reduces 10^15 mod 7"

	; FBSTP of 12345678: packed BCD 78 56 34 12 00 ...
	fild dword [bcd_in]
	fbstp [es:SCRATCH]
	mov si, bcd_want
	mov di, SCRATCH
	mov cx, 10
	repe cmpsb
	CHECK cx, 0, "fbstp packs 12345678"

	; FCOMI: 1 < pi sets CF.
	fldpi
	fld1
	fcomi st0, st1
	setb al
	fcompp
	CHECK al, 1, "fcomi orders 1 below pi"

	; An unmasked invalid operation with CR0.NE clear: IRQ13, twice (the
	; handler's write to port F0h re-arms the latch).
	mov word [es:IRQ13_VECTOR * 4], irq13
	mov [es:IRQ13_VECTOR * 4 + 2], cs
	mov word [es:IRQ13_COUNT], 0
	mov bl, 0xfb              ; master: only the cascade
	call pic_init
	mov al, 0xdf              ; slave: only IR5 (IRQ13)
	out 0xa1, al
	fninit
	fldcw [cw_ie_unmasked]
	sti
	fild word [minus_one]
	fsqrt                     ; invalid: pending until the next waiting insn
	fwait                     ; FERR#: IRQ13 comes first, then FWAIT again
	CHECK word [es:IRQ13_COUNT], 1, "an unmasked exception raises irq13"
	fsqrt
	fwait
	cli
	CHECK word [es:IRQ13_COUNT], 2, "port f0h re-arms irq13"
	fnstsw ax
	CHECK ax, 0x3800, "the handler's fnclex left a clean status"

	PRINT_E9 "PASS fpu done", 10
	EXIT 0x10

fail:
	EXIT 1

; IRQ13: clear the board's FERR# latch, then the FPU's exception flags.
irq13:
	push ax
	xor al, al
	out 0xf0, al
	fnclex
	inc word [es:IRQ13_COUNT]
	mov al, 0x20
	out 0xa0, al
	out 0x20, al
	pop ax
	iret

; e9_putdec: AX as an unsigned decimal number and a newline to port E9h.
e9_putdec:
	push bx
	push cx
	push dx
	mov bx, 10
	xor cx, cx
.divide:
	xor dx, dx
	div bx
	push dx
	inc cx
	test ax, ax
	jnz .divide
.emit:
	pop ax
	add al, '0'
	out DEBUGCON, al
	loop .emit
	mov al, 10
	out DEBUGCON, al
	pop dx
	pop cx
	pop bx
	ret

two: dw 2
radius: dw 3
thousand: dw 1000
seven: dw 7
minus_one: dw -1
ten15: dq 1000000000000000
bcd_in: dd 12345678
bcd_want: db 0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0, 0, 0
sqrt2: dq 1.4142135623730951
cw_ie_unmasked: dw 0x037e

ROM_END
