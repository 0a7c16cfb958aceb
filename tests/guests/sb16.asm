; Sound Blaster 16 at 220h (IRQ 5, DMA 1, HDMA 5): resets the DSP (0AAh),
; checks version 4.05 and the mixer's IRQ/DMA selects (80h: 02h, 81h:
; 22h), sets master and voice to 0 dB, fills 4400 16-bit signed mono
; samples at 20000h with a square wave of 22 samples a period (11 at
; +16384, 11 at -16384: 1002.27 Hz at 22050 Hz) and plays them by 16-bit
; auto-init DMA on channel 5 at 22050 Hz (41h), an IRQ every 2200
; samples. It polls mixer 82h for the 16-bit IRQ, acknowledges it at 22Fh,
; and checks meanwhile that channel 5's count register moves. After 10
; blocks it leaves auto-init (D9h), waits for the last block's IRQ and
; exits with 10h. Failures exit with 11h (no reset answer), 12h (version),
; 13h (IRQ/DMA select), 14h (the DMA count never moved).
%include "lib.inc"

SB equ 0x220
SAMPLES equ 4400
BLOCK equ SAMPLES / 2
HALF_PERIOD equ 11
BLOCKS equ 10

GUEST_ENTRY
	; DSP reset: 1 then 0 at 226h, then 0AAh to read.
	mov dx, SB + 6
	mov al, 1
	out dx, al
	mov cx, 100
.delay:
	in al, 0x80
	loop .delay
	xor al, al
	out dx, al
	call dsp_read
	cmp al, 0xAA
	je .reset_ok
	EXIT 0x11
.reset_ok:
	mov al, 0xE1
	call dsp_write
	call dsp_read
	mov bl, al
	call dsp_read
	cmp bl, 4
	jne .bad_version
	cmp al, 5
	je .version_ok
.bad_version:
	EXIT 0x12
.version_ok:
	mov ah, 0x80
	call mixer_read
	cmp al, 0x02
	jne .bad_select
	mov ah, 0x81
	call mixer_read
	cmp al, 0x22
	je .select_ok
.bad_select:
	EXIT 0x13
.select_ok:
	mov bl, 0x30             ; master L/R, voice L/R: 0 dB
.volumes:
	mov ah, bl
	mov al, 0xF8
	call mixer_write
	inc bl
	cmp bl, 0x34
	jne .volumes

	; The square wave at 2000:0000.
	mov ax, 0x2000
	mov es, ax
	xor di, di
	mov cx, SAMPLES / (2 * HALF_PERIOD)
.period:
	push cx
	mov cx, HALF_PERIOD
	mov ax, 16384
	rep stosw
	mov cx, HALF_PERIOD
	mov ax, -16384
	rep stosw
	pop cx
	loop .period

	; 8237 channel 5: single, auto-init, read, 4400 words at 20000h.
	mov al, 0x05             ; mask channel 5
	out 0xD4, al
	mov al, 0x59
	out 0xD6, al
	out 0xD8, al             ; clear the flip-flop
	xor al, al               ; word address 0 (20000h / 2 in page 2)
	out 0xC4, al
	out 0xC4, al
	mov al, (SAMPLES - 1) & 0xFF
	out 0xC6, al
	mov al, (SAMPLES - 1) >> 8
	out 0xC6, al
	mov al, 0x02
	out 0x8B, al             ; channel 5's page
	mov al, 0x01             ; unmask channel 5
	out 0xD4, al

	; 22050 Hz, 16-bit signed mono auto-init, blocks of 2200 samples.
	mov al, 0x41
	call dsp_write
	mov al, 22050 >> 8
	call dsp_write
	mov al, 22050 & 0xFF
	call dsp_write
	mov al, 0xB6
	call dsp_write
	mov al, 0x10
	call dsp_write
	mov al, (BLOCK - 1) & 0xFF
	call dsp_write
	mov al, (BLOCK - 1) >> 8
	call dsp_write

	xor bp, bp               ; times the count was seen to move
	mov cx, BLOCKS
.block:
	call wait_irq16
	loop .block
	test bp, bp
	jnz .moved
	EXIT 0x14
.moved:
	mov al, 0xD9             ; leave auto-init: this block is the last
	call dsp_write
	call wait_irq16
	EXIT 0x10

; wait_irq16: polls mixer 82h for the 16-bit IRQ, reading channel 5's
; count meanwhile (BP counts changes), then acknowledges it at 22Fh.
wait_irq16:
	push cx
	call dma5_count
	mov si, ax
.poll:
	call dma5_count
	cmp ax, si
	je .same
	inc bp
	mov si, ax
.same:
	mov ah, 0x82
	call mixer_read
	test al, 0x02
	jz .poll
	mov dx, SB + 0xF
	in al, dx
	pop cx
	ret

; dma5_count: AX = channel 5's current count.
dma5_count:
	out 0xD8, al
	in al, 0xC6
	mov ah, al
	in al, 0xC6
	xchg al, ah
	ret

dsp_write:
	push ax
	mov dx, SB + 0xC
.busy:
	in al, dx
	test al, 0x80
	jnz .busy
	pop ax
	out dx, al
	ret

dsp_read:
	mov dx, SB + 0xE
.empty:
	in al, dx
	test al, 0x80
	jz .empty
	mov dx, SB + 0xA
	in al, dx
	ret

; mixer_read: AL = register AH; mixer_write: register AH = AL.
mixer_read:
	mov dx, SB + 4
	xchg al, ah
	out dx, al
	inc dx
	in al, dx
	ret

mixer_write:
	mov dx, SB + 4
	xchg al, ah
	out dx, al
	inc dx
	xchg al, ah
	out dx, al
	ret
ROM_END
