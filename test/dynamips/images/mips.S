# A stand-in for a Cisco IOS image on the MIPS platforms (c7200, c3600, c2691, c3725, c3745), written for patchbay's
# tests: Dynamips' ROM jumps here (linked at 0x80008000); it prints a banner on the console through the remote
# control device, then idles. Assembled with ECHO=1 for the c7200 it also echoes what the console client types,
# read from the SCN2681 DUART of the c7200 I/O FPGA.
        .set    noreorder
        .text
        .globl  _start
_start:
        lui     $s0, 0xb600             # remote control device (physical 0x16000000, KSEG1)
        la      $a0, banner
1:      lbu     $t0, 0($a0)
        beqz    $t0, idle
        nop
        sw      $t0, 0x40($s0)          # register 0x40: console output, one character per write
        b       1b
        addiu   $a0, $a0, 1
        .globl  idle
idle:
.if ECHO
        lui     $s1, 0xbe84             # c7200 DUART channel A
        lw      $t0, 0x40c($s1)         # status: bit 0 = a character is waiting
        andi    $t0, $t0, 1
        beqz    $t0, 2f
        nop
        lw      $t0, 0x41c($s1)         # receive holding register
        sw      $t0, 0x40($s0)
2:
.endif
        la      $t9, idle
        jr      $t9                     # through a register: a same-page branch never leaves Dynamips' JIT
        nop
banner: .asciz  "\r\npatchbay test image\r\nRouter>"
