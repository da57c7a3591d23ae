/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest as its device-tree guest node describes it (docs/guest-binding.md).
 * Parsing copies everything Keel needs out of the tree into this structure
 * and validates it, so the tree can go away and nothing later re-reads it.
 */
#ifndef KEEL_GUEST_CONFIG_H
#define KEEL_GUEST_CONFIG_H

#include <keel/types.h>

#define GUEST_NAME_MAX 32          /* including the terminating NUL */
#define GUEST_MAX_VCPUS 8
#define GUEST_MAX_MEM 4
#define GUEST_MAX_DEVICES 32
#define GUEST_PATH_MAX 128
#define GUEST_BOOTARGS_MAX 512
#define GUEST_COMPATIBLE_MAX 48
#define GUEST_DEVICE_PROP_MAX 128
#define GUEST_ERROR_MAX 256        /* size of the error message buffer */

/* What Keel does when a guest touches guest-physical space that is neither
 * its RAM nor one of its devices, or a device with a width it refuses. */
enum guest_mmio_policy {
	GUEST_MMIO_ABORT,   /* inject an external abort (default) */
	GUEST_MMIO_IGNORE,  /* reads as zero, writes ignored */
	GUEST_MMIO_STOP,    /* stop the guest with a message */
};

struct guest_mem_config {
	gpa_t base;
	uint64_t size;
};

struct guest_device_config {
	char name[GUEST_NAME_MAX];                 /* node name: "uart0" */
	char compatible[GUEST_COMPATIBLE_MAX];     /* "arm,pl011" */
	gpa_t base;
	uint64_t size;
	bool has_irq;
	uint32_t irq;         /* device interrupt number (the platform's meaning) */
	/* Register layout of devices whose binding has "reg-shift" and
	 * "reg-io-width" (ns16550a): registers 1 << reg_shift bytes apart,
	 * reg_io_width bytes wide; 0 and 0 (meaning 1) unless the node says. */
	uint8_t reg_shift;
	uint8_t reg_io_width;
	/* Device-specific: a backend URL for virtio devices, "" if none. */
	char backend[GUEST_DEVICE_PROP_MAX];
};

struct guest_boot_config {
	char kernel[GUEST_PATH_MAX];     /* image fs path, required */
	bool has_kernel_addr;            /* raw binary at this address */
	gpa_t kernel_addr;
	char initrd[GUEST_PATH_MAX];     /* "" when none */
	bool has_initrd_addr;
	gpa_t initrd_addr;
	char bootargs[GUEST_BOOTARGS_MAX];
	bool has_dtb_addr;
	gpa_t dtb_addr;
};

struct guest_config {
	char name[GUEST_NAME_MAX];
	unsigned int vcpus;
	/* Host CPU of each vCPU; without "cpu-affinity" Keel picks. */
	bool has_affinity;
	uint32_t affinity[GUEST_MAX_VCPUS];
	bool autostart;                  /* created and started at boot */
	enum guest_mmio_policy mmio_policy;
	/* Interrupts a guest may raise for itself per second before Keel
	 * stops it as an interrupt storm; 0 means no limit. */
	uint32_t max_irq_rate;
	unsigned int mem_count;
	struct guest_mem_config mem[GUEST_MAX_MEM];
	unsigned int device_count;
	struct guest_device_config devices[GUEST_MAX_DEVICES];
	struct guest_boot_config boot;
};

#define GUEST_DEFAULT_MAX_IRQ_RATE 200000

/*
 * The guest platform of an arch (arch/<arch>/virt/platform.c): what
 * validation allows (the size of the guest-physical space, the ranges the
 * platform itself occupies, the device interrupt numbers) and how the
 * generated device tree describes the machine. Core code knows no arch's
 * values: everything arch-shaped about a guest's machine is here.
 */
struct guest_platform_range {
	const char *name;    /* "GICv3 distributor" */
	gpa_t base;
	uint64_t size;       /* for per-vCPU ranges: the size for the max vCPUs */
};

/* How a device drives its interrupt line, for its interrupt specifier. */
enum guest_irq_trigger {
	GUEST_IRQ_LEVEL,
	GUEST_IRQ_EDGE,
};

#define GUEST_IRQ_CELLS_MAX 3

struct guest_platform {
	const char *name;                /* "arm64 virt": messages, tests */
	unsigned int ipa_bits;           /* guest-physical addresses < 2^bits */
	unsigned int max_vcpus;
	/* Device interrupts ("interrupts" of a device node) are irq_first ..
	 * irq_first + irq_count - 1: arm64's GIC SPI n (INTID 32 + n) from 0,
	 * riscv64's PLIC source n from 1 (source 0 does not exist). */
	unsigned int irq_first;
	unsigned int irq_count;
	unsigned int range_count;
	const struct guest_platform_range *ranges;
	const char *intc_name;           /* the interrupt controller: "GICv3" */
	const char *uart_compatible;     /* the platform's UART: "arm,pl011" */
	const char *console_name;        /* endpoint 0's name: "ttyAMA0" */
	/* The root "compatible" after "keel,guest": "linux,dummy-virt". */
	const char *root_compatible;
	/* Writes the interrupt specifier of device interrupt irq (valid for
	 * this platform) into cells; returns the cell count (the interrupt
	 * controller's #interrupt-cells, at most GUEST_IRQ_CELLS_MAX). */
	unsigned int (*irq_cells)(uint32_t irq, enum guest_irq_trigger trigger,
				  uint32_t *cells);
	/* Writes the platform nodes (cpus, interrupt controller, timer,
	 * firmware) into the guest device tree being written with libfdt's
	 * sequential-write API, at the root level; returns the interrupt
	 * controller's phandle or a negative error. */
	int (*dt_nodes)(void *fdt, const struct guest_config *cfg);
	/* Where a kernel image goes: parses the arch's kernel header (Linux
	 * Image: text_offset, image_size). 0 with *offset (from RAM base) and
	 * *size (bytes to reserve) when image is such a kernel, -KEEL_ENOENT
	 * when it is not (a raw binary), -KEEL_EINVAL for a corrupt header. */
	int (*image_layout)(const void *image, size_t len, uint64_t *offset,
			    uint64_t *size);
	/* Where the device tree (room for size bytes) goes when the guest
	 * node does not say (boot/dtb-addr): a guest-physical address in
	 * cfg's RAM. The initrd goes right below it. */
	gpa_t (*dtb_default_gpa)(const struct guest_config *cfg, uint64_t size);
};

/*
 * For the platforms' image_layout(): the header Linux Images share on
 * arm64 and riscv (text_offset at 8 and image_size at 16, little-endian;
 * a 4-byte magic at 56), and what each arch allows in it.
 */
struct guest_linux_image {
	const char *magic;               /* 4 bytes at offset 56 */
	uint64_t text_offset_max;        /* exclusive */
	uint64_t size_max;               /* inclusive */
	/* image_size 0 (arm64 before Linux 3.17): the image is the file and
	 * goes at this text_offset; 0 here: such a header is corrupt. */
	uint64_t legacy_text_offset;
};

/* image_layout() for the Image kind: 0 with *offset and *size (either may
 * be NULL), -KEEL_ENOENT when image has no such header, -KEEL_EINVAL for
 * values out of range (nothing written then). */
int guest_linux_image_layout(const struct guest_linux_image *kind, const void *image,
			     size_t len, uint64_t *offset, uint64_t *size);

/* dtb_default_gpa() for platforms whose kernels take the tree anywhere
 * in RAM: the top of the first memory region. */
gpa_t guest_dtb_top_of_ram(const struct guest_config *cfg, uint64_t size);

/* The running arch's guest platform (arch/<arch>/virt/platform.c). */
const struct guest_platform *arch_guest_platform(void);

/*
 * Parses and validates the guest node at `node` of fdt into cfg. Nothing is
 * allocated. On failure returns -KEEL_EINVAL (or -KEEL_ENOENT, -KEEL_E2BIG)
 * and writes one message naming the guest, the node path and the property
 * into err ("guest basic0: node /guests/basic0/memory: \"reg\" needs 4
 * cells (2 address, 2 size), found 3").
 */
int guest_config_parse(const void *fdt, int node, struct guest_config *cfg,
		       char *err, size_t err_len);

struct config_option_table;
/*
 * As guest_config_parse(), for the configuration `options` describes
 * instead of this build's (keel/config_options.h): a device or backend
 * that configuration leaves out is refused, naming the option to enable
 * ("\"virtio,net\" needs CONFIG_VIRTIO_NET (make menuconfig -> Emulators)").
 */
int guest_config_parse_for(const struct config_option_table *options,
			   const void *fdt, int node, struct guest_config *cfg,
			   char *err, size_t err_len);

#endif
