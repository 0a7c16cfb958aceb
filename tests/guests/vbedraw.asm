; vbedraw: draws into the Bochs VBE linear framebuffer the way a guest
; driver does, for the dirty-page logging checks (a viewer must see writes
; that reach the LFB as plain RAM, past the device). From protected mode:
; maps the VGA's BAR 0 at E0000000h (PCI 00:02.0), sets 640x480x32 through
; ports 1CEh/1CFh, fills the screen navy with a red box at rows 100-149,
; columns 100-199, says "vbedraw A" on the debug console, waits for a key
; (polling the i8042), draws a green 10x10 square at (300, 300), says
; "vbedraw B" and parks in HLT.
%include "lib.inc"

%include "pm.inc"

LFB	equ 0xE0000000
PITCH	equ 640 * 4

bits 16
	ENTER_PM
	mov eax, 0x80000000 | (2 << 11) | 0x10	; 00:02.0 BAR 0
	mov dx, 0xCF8
	out dx, eax
	mov eax, LFB
	mov dx, 0xCFC
	out dx, eax
	mov eax, 0x80000000 | (2 << 11) | 0x04	; command: I/O and memory
	mov dx, 0xCF8
	out dx, eax
	mov eax, 3
	mov dx, 0xCFC
	out dx, eax
	mov esi, vbe_regs
.vbe:
	lodsw
	cmp ax, 0xFFFF
	je .mode_set
	mov dx, 0x1CE
	out dx, ax
	lodsw
	mov dx, 0x1CF
	out dx, ax
	jmp .vbe
.mode_set:
	mov edi, LFB
	mov eax, 0x000080
	mov ecx, 640 * 480
	rep stosd			; ES is flat
	mov edi, LFB + 100 * PITCH + 100 * 4
	mov eax, 0xFF0000
	mov edx, 50
	call box
	PRINT32 "vbedraw A", 10
.key:
	in al, 0x64
	test al, 1
	jz .key
	in al, 0x60
	mov edi, LFB + 300 * PITCH + 300 * 4
	mov eax, 0x00FF00
	mov edx, 10
	mov ebx, 10
	call box_w
	PRINT32 "vbedraw B", 10
.park:
	cli
	hlt
	jmp .park

; box: EDX rows of 100 pixels of colour EAX from ES:EDI.
box:
	mov ebx, 100
; box_w: EDX rows of EBX pixels.
box_w:
	push edi
	mov ecx, ebx
	rep stosd
	pop edi
	add edi, PITCH
	dec edx
	jnz box_w
	ret

gate_target: ; pm.inc's call gate points here; unused
	retf

; index, value; ends with FFFFh.
vbe_regs:
	dw 4, 0				; disable while programming
	dw 1, 640
	dw 2, 480
	dw 3, 32
	dw 4, 0x41			; enabled, LFB
	dw 0xFFFF

bits 16
	ROM_END
