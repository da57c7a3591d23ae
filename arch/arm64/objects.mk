# arm64 objects (paths relative to the repository root).
obj-y += arch/arm64/boot/head.S
obj-y += arch/arm64/cpu/vectors.S
obj-y += arch/arm64/cpu/exception.c
obj-y += arch/arm64/cpu/cpu.c
obj-y += arch/arm64/mmu/hyp_mmu.c
obj-y += arch/arm64/cpu/vcpu_entry.S
obj-y += arch/arm64/cpu/vcpu.c
obj-y += arch/arm64/cpu/trap.c
obj-y += arch/arm64/mmu/stage2.c
obj-y += arch/arm64/virt/platform.c
obj-y += arch/arm64/virt/psci.c
obj-y += arch/arm64/virt/vgic.c
obj-y += arch/arm64/virt/vtimer.c
obj-y += arch/arm64/cpu/esr.c
obj-y += arch/arm64/cpu/idregs.c
obj-y += arch/arm64/cpu/random.c
