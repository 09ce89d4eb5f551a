# A stand-in for a Cisco IOS image on the PowerPC platforms (c2600, c1700), written for patchbay's tests: Dynamips'
# ROM jumps here (linked at 0x80008000); it prints a banner on the console through the remote control device, then
# idles.
        .text
        .globl  _start
_start:
        lis     %r4, 0xf600             # remote control device
        lis     %r3, banner@ha
        addi    %r3, %r3, banner@l
1:      lbz     %r5, 0(%r3)
        cmpwi   %r5, 0
        beq     idle
        stw     %r5, 0x40(%r4)          # register 0x40: console output, one character per write
        addi    %r3, %r3, 1
        b       1b
banner: .asciz  "\r\npatchbay test image\r\nRouter>"
# The idle loop bounces between two pages: a loop that stays in one page never leaves Dynamips' JIT.
        .balign 4096
        .globl  idle
idle:   lis     %r6, idle_b@ha
        addi    %r6, %r6, idle_b@l
        mtlr    %r6
        blr
        .balign 4096
idle_b: lis     %r6, idle@ha
        addi    %r6, %r6, idle@l
        mtlr    %r6
        blr
