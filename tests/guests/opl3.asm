; The Sound Blaster 16's OPL3 at the AdLib ports 388h/389h: the classic
; AdLib detection (timer 1 started at FFh must overflow after 80 us and
; set status bits 7 and 6, none set before), master and FM volumes to
; 0 dB through the SB16's mixer at 224h/225h, then channel 0 as a pure
; tone: modulator silent (total level 3Fh), carrier at full level with a
; sustained envelope, additive connection, F-number 580 in block 4
; (580 * 49716 / 2^16 = 439.99 Hz), keyed on for 6 overflows of timer 2
; (counted from 00h: 6 * 81.92 ms of virtual time), keyed off, and exit
; with 10h. No AdLib found: exit 11h.
%include "lib.inc"

ADLIB equ 0x388
SB equ 0x220
FNUM equ 580
BLOCK equ 4

GUEST_ENTRY
	mov ax, 0x0460           ; mask both timers
	call opl
	mov ax, 0x0480           ; reset the flags
	call opl
	mov dx, ADLIB
	in al, dx
	and al, 0xE0
	jnz .none
	mov ax, 0x02FF           ; timer 1 at FFh: one 80 us tick
	call opl
	mov ax, 0x0421           ; start timer 1, timer 2 masked
	call opl
	mov cx, 0xFFFF
.t1:
	in al, dx
	and al, 0xE0
	cmp al, 0xC0
	je .found
	loop .t1
.none:
	EXIT 0x11
.found:
	mov ax, 0x0460
	call opl
	mov ax, 0x0480
	call opl

	mov bl, 0x30             ; master L/R 0 dB, voice L/R, FM L/R
.vol:
	mov dx, SB + 4
	mov al, bl
	out dx, al
	inc dx
	mov al, 0xF8
	out dx, al
	inc bl
	cmp bl, 0x36
	jne .vol

	mov ax, 0x2021           ; modulator: sustained, multiple 1
	call opl
	mov ax, 0x2321           ; carrier: the same
	call opl
	mov ax, 0x403F           ; modulator silent
	call opl
	mov ax, 0x4300           ; carrier at full level
	call opl
	mov ax, 0x60F0           ; attack 15, decay 0
	call opl
	mov ax, 0x63F0
	call opl
	mov ax, 0x8000           ; sustain level 0, release 0
	call opl
	mov ax, 0x8300
	call opl
	mov ax, 0xC001           ; additive: the carrier sounds alone
	call opl
	mov ax, 0xA000 | (FNUM & 0xFF)
	call opl
	mov ax, 0xB000 | 0x20 | (BLOCK << 2) | (FNUM >> 8)
	call opl

	mov ax, 0x0300           ; timer 2 from 00h: 81.92 ms
	call opl
	mov ax, 0x0442           ; start timer 2, timer 1 masked
	call opl
	mov cx, 6
.wait:
	mov dx, ADLIB
.poll:
	in al, dx
	test al, 0x20
	jz .poll
	push cx
	mov ax, 0x0480           ; reset the flags, the timer runs on
	call opl
	pop cx
	loop .wait
	mov ax, 0xB000 | (BLOCK << 2) | (FNUM >> 8) ; key off
	call opl
	EXIT 0x10

; opl: register AH = AL, with the AdLib's waits (status reads).
opl:
	push dx
	push cx
	mov dx, ADLIB
	xchg al, ah
	out dx, al
	mov cx, 6
.w1:
	in al, dx
	loop .w1
	inc dx
	mov al, ah
	out dx, al
	dec dx
	mov cx, 35
.w2:
	in al, dx
	loop .w2
	pop cx
	pop dx
	ret
ROM_END
