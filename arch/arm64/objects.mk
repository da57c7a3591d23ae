# arm64 objects (paths relative to the repository root).
obj-y += arch/arm64/boot/head.S
obj-y += arch/arm64/cpu/vectors.S
obj-y += arch/arm64/cpu/exception.c
obj-y += arch/arm64/cpu/cpu.c
obj-y += arch/arm64/mmu/hyp_mmu.c
