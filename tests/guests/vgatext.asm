; Writes a message straight into the colour text buffer at B8000h (no
; BIOS: the VGA powers on in mode 03h), says so on the debug console and
; parks in HLT with interrupts off, so `hv screen NAME --text` can read it.
%include "lib.inc"

GUEST_ENTRY
	mov ax, 0xB800
	mov es, ax
	xor di, di
	mov si, msg
	mov ah, 0x1F			; bright white on blue
	call put
	mov di, (2 * 80 + 10) * 2	; row 2, column 10
	mov si, box
	call put
	PRINT_E9 "vgatext written", 10
.park:
	cli
	hlt
	jmp .park

; put: DS:SI NUL-terminated -> ES:DI as character/attribute (AH) pairs.
put:
	lodsb
	test al, al
	jz .done
	stosw
	jmp put
.done:
	ret

msg: db "hv vgatext: hello from B8000h", 0
box: db 0xC9, 0xCD, 0xBB, " code page 437", 0
ROM_END
