; The PC speaker: programs PIT counter 2 for a 1000 Hz square wave (mode
; 3, count 1193), connects it to the speaker through port 61h (GATE2 and
; the data bit), keeps it playing for 500 periods of counter 2's OUT as
; port 61h bit 5 shows them (about 0.5 s of virtual time; a slow vCPU
; that misses an edge plays longer), turns the speaker off, waits 50 more
; periods of silence and exits with 10h.
%include "lib.inc"

TONE_COUNT equ 1193          ; 1193182 / 1193 = 1000.15 Hz

GUEST_ENTRY
	mov al, 0xB6             ; counter 2, LSB then MSB, mode 3, binary
	out 0x43, al
	mov al, TONE_COUNT & 0xFF
	out 0x42, al
	mov al, TONE_COUNT >> 8
	out 0x42, al
	mov al, 0x03             ; GATE2 and speaker data
	out 0x61, al
	mov cx, 500
	call wait_periods
	mov al, 0x01             ; counting on, speaker off
	out 0x61, al
	mov cx, 50
	call wait_periods
	EXIT 0x10

; wait_periods: CX rising edges of counter 2's OUT (port 61h bit 5).
wait_periods:
.low:
	in al, 0x61
	test al, 0x20
	jnz .low
.high:
	in al, 0x61
	test al, 0x20
	jz .high
	loop .low
	ret
ROM_END
