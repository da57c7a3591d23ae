# Device emulators (paths relative to the repository root), each by its
# option (emulators/Kconfig). The host unit and fuzz builds take every
# file under emulators/.
obj-$(CONFIG_VIRTIO) += emulators/virtio/device_node.c emulators/virtio/mmio.c \
	emulators/virtio/virtqueue.c
obj-$(CONFIG_VIRTIO_BLK) += emulators/virtio/blk.c
obj-$(CONFIG_BACKEND_FILE) += emulators/virtio/blk_cow.c
obj-$(CONFIG_VIRTIO_CONSOLE) += emulators/virtio/console.c
obj-$(CONFIG_VIRTIO_NET) += emulators/virtio/net.c
obj-$(CONFIG_VIRTIO_RNG) += emulators/virtio/rng.c
obj-$(CONFIG_VIRTIO_VSOCK) += emulators/virtio/vsock.c emulators/virtio/vsock_core.c
obj-$(CONFIG_VSOCK_HOST) += emulators/virtio/vsock_host.c
obj-$(CONFIG_EMU_PL011) += emulators/serial/uart.c emulators/serial/pl011.c
obj-$(CONFIG_EMU_NS16550) += emulators/serial/uart.c emulators/serial/ns16550.c
obj-$(CONFIG_EMU_VGICV3) += $(sort $(wildcard emulators/irqchip/vgicv3*.c))
obj-$(CONFIG_EMU_PLIC) += emulators/irqchip/plic.c
obj-$(CONFIG_EMU_ARM_GTIMER) += emulators/timer/arm_gtimer.c
