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
	uint32_t irq;         /* shared interrupt number (SPI n = INTID 32+n) */
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
 * What the platform (the arch) allows, used by validation: the size of the
 * guest-physical space, the ranges the platform itself occupies (the
 * interrupt controller), and the number of shared interrupts.
 */
struct guest_platform_range {
	const char *name;    /* "GICv3 distributor" */
	gpa_t base;
	uint64_t size;       /* for per-vCPU ranges: the size for the max vCPUs */
};

struct guest_platform {
	unsigned int ipa_bits;           /* guest-physical addresses < 2^bits */
	unsigned int max_vcpus;
	unsigned int spi_count;          /* shared interrupts 0..spi_count-1 */
	unsigned int range_count;
	const struct guest_platform_range *ranges;
};

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

#endif
