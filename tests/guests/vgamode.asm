; Programs the VGA for mode 12h (640x480, 16 colours, planar) through its
; ports alone, draws a line through the planes, says so on the debug
; console and parks in HLT: `hv screen NAME --text` must report the mode.
%include "lib.inc"

GUEST_ENTRY
	mov si, regs
.next:
	lodsw				; DX = port
	test ax, ax
	jz .drawn
	mov dx, ax
	lodsw				; AX = data << 8 | index
	out dx, ax
	jmp .next
.drawn:
	mov ax, 0xA000
	mov es, ax
	xor di, di
	mov al, 0xFF
	mov cx, 80
	rep stosb			; the top scan line, white through set/reset off
	PRINT_E9 "vgamode set", 10
.park:
	cli
	hlt
	jmp .park

; port, index | data << 8; ends with port 0.
regs:
	dw 0x3C4, 0x0F02		; map mask: all planes
	dw 0x3C4, 0x0604		; memory mode: sequential, no chain-4
	dw 0x3CE, 0x0005		; write mode 0, read mode 0, no odd/even
	dw 0x3CE, 0x0506		; graphics, A0000h 64 KiB
	dw 0x3D4, 0x0C11		; unprotect CRTC 00h-07h
	dw 0x3D4, 0x4F01		; 80 character clocks
	dw 0x3D4, 0xDF12		; vertical display end 1DFh (with 07h)
	dw 0x3D4, 0x3E07
	dw 0x3D4, 0x4009		; one scan line per row
	dw 0x3D4, 0xE317		; byte mode, no CGA addressing
	dw 0x3D4, 0x2813		; 80 bytes a line
	dw 0
ROM_END
