; Exit round trips, for tests/bench/kvm.sh: LOOPS writes to port 80h (the
; POST-code latch, the cheapest device), each one a VM exit on KVM, then
; exit code 0x10. The build's copy runs 1000; the benchmark assembles its
; own with -DLOOPS=... .
%include "lib.inc"

%ifndef LOOPS
%define LOOPS 1000
%endif

GUEST_ENTRY
	mov ecx, LOOPS
	xor al, al
.loop:
	out 0x80, al
	dec ecx
	jnz .loop
	EXIT 0x10
ROM_END
