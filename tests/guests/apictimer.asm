; The local APIC's timer from a bare guest (the KVM engine with its
; APICs): enables the APIC in software, runs its timer periodic at vector
; 40h (10^7 bus clocks, 100 Hz at KVM's 1 GHz), counts its interrupts in
; EBX in STI+HLT, an EOI to the APIC after each, and says "apic ready" on
; the debug console after 10 of them. The nested apicsave check saves it
; with the APIC in use, sees the soft engine refuse the file, restores it
; on KVM and reads EBX grow.
%include "lib.inc"

%include "pm.inc"

APIC equ 0xfee00000

bits 16
	ENTER_PM
	mov eax, 0x40
	mov ebx, apic_tick
	mov ecx, 0x8e00
	call set_gate
	mov dword [es:APIC + 0xf0], 0x1ff     ; SVR: enabled, spurious vector FFh
	mov dword [es:APIC + 0x3e0], 0xb      ; divide by 1
	mov dword [es:APIC + 0x320], 0x20040  ; LVT timer: periodic, vector 40h
	mov dword [es:APIC + 0x380], 10000000 ; initial count
	xor ebx, ebx
	sti
wait_ten:
	hlt
	cmp ebx, 10
	jb wait_ten
	PRINT32 "apic ready", 10
idle:
	hlt
	jmp idle

apic_tick:
	inc ebx
	mov dword [es:APIC + 0xb0], 0 ; EOI
	iret

gate_target: ; pm.inc's call gate points here; unused
	retf 4

bits 16
ROM_END
