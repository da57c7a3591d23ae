# Device emulators (paths relative to the repository root). The
# arch-neutral ones are always built; each architecture's own follow the
# configuration (emulators/Kconfig). The host unit and fuzz builds take
# every file under emulators/.
obj-y += $(sort $(wildcard emulators/virtio/*.c))
obj-y += emulators/serial/uart.c
obj-$(CONFIG_EMU_PL011) += emulators/serial/pl011.c
obj-$(CONFIG_EMU_NS16550) += emulators/serial/ns16550.c
obj-$(CONFIG_EMU_VGICV3) += $(sort $(wildcard emulators/irqchip/vgicv3*.c))
obj-$(CONFIG_EMU_PLIC) += emulators/irqchip/plic.c
obj-$(CONFIG_EMU_ARM_GTIMER) += emulators/timer/arm_gtimer.c
