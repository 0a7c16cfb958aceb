; The PC's timer and interrupt chips from a bare guest: programs both PICs
; as a BIOS does (vectors 08h and 70h), hooks IRQ0 in the IVT, runs PIT
; counter 0 at 100 Hz and counts ticks in STI+HLT (the vCPU sleeps between
; them), then reads the RTC and checks its BCD time advances. Reports PASS
; lines on the debug console and exits with 10h.
%include "lib.inc"

TICKS equ 0x0500             ; tick count, a word in RAM (segment 0)
PIT_100HZ equ 11932          ; 1193182 / 100

GUEST_ENTRY
	mov bl, 0xFE             ; only IRQ0
	call pic_init
	call hook_irq0
	call pit_init
	PRINT_E9 "PASS programmed", 10
	sti
	mov cx, 10
	call wait_ticks
	PRINT_E9 "PASS 10 ticks in HLT", 10
	call check_pit_readback
	call check_rtc
	cli
	PRINT_E9 "PASS all", 10
	EXIT 0x10

fail:
	cli
	PRINT_E9 "FAIL", 10
	EXIT 0x01

; hook_irq0: vector 08h -> irq0_handler, tick count cleared.
hook_irq0:
	push es
	xor ax, ax
	mov es, ax
	mov word [es:0x08 * 4], irq0_handler
	mov [es:0x08 * 4 + 2], cs
	mov word [es:TICKS], 0
	pop es
	ret

; pit_init: counter 0, LSB then MSB, mode 2, binary, 100 Hz.
pit_init:
	mov al, 0x34
	out 0x43, al
	mov al, PIT_100HZ & 0xFF
	out 0x40, al
	mov al, PIT_100HZ >> 8
	out 0x40, al
	ret

irq0_handler:
	push ax
	push ds
	xor ax, ax
	mov ds, ax
	inc word [TICKS]
	mov al, 0x20             ; non-specific EOI
	out 0x20, al
	pop ds
	pop ax
	iret

; wait_ticks: halts until CX more ticks have been counted.
wait_ticks:
	push es
	push ax
	xor ax, ax
	mov es, ax
	mov ax, [es:TICKS]
	add cx, ax
.halt:
	hlt
	cmp [es:TICKS], cx
	jb .halt
	pop ax
	pop es
	ret

; check_pit_readback: the latched count of counter 0 lies in 1..11932 and
; the read-back status says mode 2, LSB/MSB.
check_pit_readback:
	mov al, 0x00             ; latch counter 0
	out 0x43, al
	in al, 0x40
	mov ah, al
	in al, 0x40
	xchg al, ah
	test ax, ax
	jz fail
	cmp ax, PIT_100HZ
	ja fail
	mov al, 0xE2             ; read-back: status of counter 0
	out 0x43, al
	in al, 0x40
	and al, 0x3F
	cmp al, 0x34
	jne fail
	PRINT_E9 "PASS pit latch and read-back", 10
	ret

; cmos_read: AL = register index -> AL = its value.
cmos_read:
	out 0x70, al
	in al, 0x71
	ret

; rtc_settled: waits until no update is in progress.
rtc_settled:
	push ax
.uip:
	mov al, 0x0A
	call cmos_read
	test al, 0x80
	jnz .uip
	pop ax
	ret

; rtc_bcd: reads register AL (after UIP) and checks it is BCD no larger
; than AH; returns it in AL.
rtc_bcd:
	call rtc_settled
	call cmos_read
	push ax
	and al, 0x0F
	cmp al, 9
	ja fail
	pop ax
	push ax
	shr al, 4
	cmp al, 9
	ja fail
	pop ax
	cmp al, ah
	ja fail
	ret

; rtc_seconds: the seconds register -> BL.
rtc_seconds:
	mov ax, 0x5900
	call rtc_bcd
	mov bl, al
	ret

; wait_second_change: halts tick by tick (at most 300) until the RTC's
; seconds differ from BL; returns the new value in BL and the ticks it
; took in DX.
wait_second_change:
	xor dx, dx
	mov bh, bl
.tick:
	mov cx, 1
	call wait_ticks
	inc dx
	cmp dx, 300
	ja fail
	call rtc_seconds
	cmp bl, bh
	je .tick
	ret

; check_rtc: register B says 24-hour BCD, every time register is valid
; BCD in range, the seconds advance while ticks are counted, and a whole
; RTC second lasts at most about 100 PIT ticks (both run on the virtual
; clock). A busy host merges missed ticks, so only the upper bound is
; tight; the lower one (2) catches an RTC running far too fast without
; depending on how well the host keeps up.
check_rtc:
	mov al, 0x0B
	call cmos_read
	and al, 0x06
	cmp al, 0x02
	jne fail
	mov ax, 0x5902
	call rtc_bcd
	mov ax, 0x2304
	call rtc_bcd
	mov ax, 0x3107
	call rtc_bcd
	test al, al
	jz fail
	mov ax, 0x1208
	call rtc_bcd
	test al, al
	jz fail
	mov ax, 0x9909
	call rtc_bcd
	PRINT_E9 "PASS rtc bcd", 10
	call rtc_seconds
	call wait_second_change
	PRINT_E9 "PASS rtc seconds advance", 10
	call wait_second_change
	cmp dx, 2
	jb fail
	cmp dx, 120
	ja fail
	PRINT_E9 "PASS rtc second is at most 100 ticks", 10
	ret

ROM_END
