# Host drivers, chosen by the configuration.
obj-$(CONFIG_SERIAL_PL011) += drivers/serial/pl011.c
obj-$(CONFIG_GICV3) += drivers/irqchip/gicv3.c
obj-$(CONFIG_ARM_ARCH_TIMER) += drivers/timer/arm_arch_timer.c
obj-$(CONFIG_PSCI) += drivers/firmware/psci.c
obj-$(CONFIG_VIRTIO_MMIO_HOST) += drivers/virtio/virtio_mmio_host.c
obj-$(CONFIG_VIRTIO_BLK_HOST) += drivers/virtio/virtio_blk_host.c
obj-$(CONFIG_SERIAL_NS16550) += drivers/serial/ns16550.c
obj-$(CONFIG_RISCV_PLIC) += drivers/irqchip/plic.c
obj-$(CONFIG_RISCV_TIMER) += drivers/timer/riscv_timer.c
obj-$(CONFIG_RISCV_SBI) += drivers/firmware/sbi.c
