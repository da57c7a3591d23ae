# riscv64 objects (paths relative to the repository root).
# Host side (HS-mode): entry, traps, page tables, SBI calls.
obj-y += arch/riscv64/boot/head.S
obj-y += arch/riscv64/boot/early.c
obj-y += arch/riscv64/cpu/trap_entry.S
obj-y += arch/riscv64/cpu/exception.c
obj-y += arch/riscv64/cpu/cpu.c
obj-y += arch/riscv64/cpu/sbi.c
obj-y += arch/riscv64/cpu/random.c
obj-y += arch/riscv64/mmu/mmu.c
obj-y += arch/riscv64/mmu/cache.c
# Guest side (VS-mode).
obj-y += arch/riscv64/cpu/vcpu.c
obj-y += arch/riscv64/cpu/vcpu_entry.S
obj-y += arch/riscv64/cpu/guest_exit.c
obj-y += arch/riscv64/mmu/gstage.c
obj-y += arch/riscv64/mmu/gstage_mode.c
obj-y += arch/riscv64/virt/insn_decode.c
obj-y += arch/riscv64/virt/sbi.c
obj-y += arch/riscv64/virt/sbi_hsm.c
obj-y += arch/riscv64/virt/sbi_console.c
obj-y += arch/riscv64/virt/vinterrupt.c
obj-y += arch/riscv64/virt/hypercall.c
obj-y += arch/riscv64/virt/vplic.c
obj-y += arch/riscv64/virt/guest_isa.c
# The guest platform (QEMU virt's layout), or a refusal while there is none.
obj-y += $(or $(wildcard arch/riscv64/virt/platform.c),arch/riscv64/virt/no_platform.c)
# What GCC calls where the ISA has no instruction (no libgcc, no libatomic).
obj-y += arch/riscv64/lib/atomic.S
obj-y += arch/riscv64/lib/bswap.c
obj-y += arch/riscv64/lib/bitcount.c
