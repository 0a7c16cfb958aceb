; smc: self-modifying code on a bare machine, for the software CPU's
; decoded-instruction cache. Copies code from the ROM to RAM, runs it,
; patches it (a store to its immediate, a loop that rewrites its own next
; instruction, REP STOSB and REP MOVSB over it) and runs it again each
; time, checking that the new bytes run. Real mode throughout.
; Prints PASS/FAIL lines on port E9h; exits with 10h when all pass.
%include "lib.inc"

RAM_A equ 0x1000              ; 0000:1000, a far subroutine
RAM_B equ 0x2000              ; 0000:2000, the self-patching loop

; CHECK reg, value, "name": PASS, or FAIL and exit 1.
%macro CHECK 3
	cmp %1, %2
	je %%ok
	PRINT_E9 "FAIL ", %3, 10
	jmp fail
%%ok:
	PRINT_E9 "PASS ", %3, 10
%endmacro

; COPY template, length, to: template bytes from the ROM to 0000:to.
%macro COPY 3
	mov si, %1
	mov di, %3
	mov cx, %2
	rep movsb
%endmacro

GUEST_ENTRY
	xor ax, ax
	mov es, ax                ; ES: RAM; DS: the ROM
	cld

	COPY sub_a, sub_a_len, RAM_A
	call 0:RAM_A
	CHECK ax, 0x1111, "code copied to RAM runs"

	mov word [es:RAM_A + 1], 0x2222
	call 0:RAM_A
	CHECK ax, 0x2222, "a store to the immediate is seen"

	COPY sub_b, sub_b_len, RAM_A
	call 0:RAM_A
	CHECK ax, 0x3333, "code copied over code runs"

	mov di, RAM_A
	mov al, 0x40              ; inc ax
	mov cx, 3
	rep stosb                 ; mov ax, 0x3333 -> inc ax x3
	mov ax, 5
	call 0:RAM_A
	CHECK ax, 8, "rep stosb over code is seen"

	COPY loop_c, loop_c_len, RAM_B
	call 0:RAM_B
	CHECK bx, 1 + 2 + 3 + 4, "a loop patching its own immediate"
	CHECK dl, 4 + 3 + 2 + 1, "a loop patching its next instruction"
	call 0:RAM_B              ; the patched bytes, run again
	CHECK bx, 5 + 6 + 7 + 8, "the patched loop runs again"

	PRINT_E9 "PASS smc done", 10
	EXIT 0x10

fail:
	EXIT 0x01

; Far subroutines, copied to RAM_A.
sub_a:
	mov ax, 0x1111
	retf
sub_a_len equ $ - sub_a

sub_b:
	mov ax, 0x3333
	retf
sub_b_len equ $ - sub_b

; Copied to RAM_B: BX = sum of the ADD immediates of four passes, each
; pass incrementing its own immediate; DL = sum of CL values a store put
; into the very next instruction.
loop_c:
	xor bx, bx
	xor dx, dx
	mov cx, 4
.top:
	add bx, strict byte 1
.imm equ RAM_B + ($ - loop_c) - 1
	inc byte [es:.imm]
	mov [es:.next + 1], cl
.next equ RAM_B + ($ - loop_c)
	mov al, 0
	add dl, al
	loop .top
	retf
loop_c_len equ $ - loop_c

ROM_END
