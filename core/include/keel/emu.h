/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulator framework: devices a guest sees.
 *
 * Each guest has one MMIO region table (sorted, binary search). An emulator
 * registers its regions with read/write callbacks and raises interrupts
 * through virtual IRQ lines (keel/virq.h); it never sees arch registers,
 * only the decoded access.
 *
 * Device emulators named by a guest node's "compatible" register a const
 * descriptor with EMULATOR_DEFINE() in the keel_emulators linker section.
 */
#ifndef KEEL_EMU_H
#define KEEL_EMU_H

#include <keel/guest_config.h>
#include <keel/spinlock.h>
#include <keel/types.h>

struct guest;
struct vcpu;

/*
 * Callbacks of one MMIO region. offset is from the region's base; size is
 * 1, 2, 4 or 8. Return 0, or -KEEL_EINVAL for an access the device refuses
 * (bad width or alignment): the guest's MMIO policy then applies.
 * Callbacks run on the CPU of the vCPU that trapped, with interrupts
 * enabled; an emulator shared by several vCPUs takes its own lock.
 */
struct mmio_ops {
	int (*read)(void *state, struct vcpu *vcpu, uint64_t offset,
		    unsigned int size, uint64_t *value);
	int (*write)(void *state, struct vcpu *vcpu, uint64_t offset,
		     unsigned int size, uint64_t value);
};

struct mmio_region {
	gpa_t base;
	uint64_t size;
	const char *name;          /* shown in `guest info` and in warnings */
	const struct mmio_ops *ops;
	void *state;
};

#define MMIO_MAX_REGIONS (GUEST_MAX_DEVICES + GUEST_MAX_VCPUS + 4)

struct mmio_table {
	unsigned int count;
	struct mmio_region regions[MMIO_MAX_REGIONS]; /* sorted by base */
};

void mmio_table_init(struct mmio_table *table);
/* Adds a region; -KEEL_EEXIST when it overlaps one already there,
 * -KEEL_ENOSPC when full, -KEEL_EINVAL for a zero or wrapping size. */
int mmio_table_add(struct mmio_table *table, gpa_t base, uint64_t size,
		   const char *name, const struct mmio_ops *ops, void *state);
/* Removes the region whose base is exactly base, keeping the others
 * sorted; -KEEL_ENOENT when no region starts there. */
int mmio_table_remove(struct mmio_table *table, gpa_t base);
/* The region that contains addr, or NULL. */
const struct mmio_region *mmio_table_find(const struct mmio_table *table,
					  gpa_t addr);

/* ---- device emulators named by guest nodes ---- */
struct emulator {
	const char *name;          /* "pl011" */
	const char *compatible;    /* what a guest node's device asks for */
	/* A UART: the first one of a guest is its console (endpoint 0) and
	 * its node the guest device tree's /chosen/stdout-path. */
	bool uart;
	/* Optional: checks device-specific properties of the device node and
	 * fills dev->backend etc. Writes a message naming the property into
	 * err (the caller prefixes "guest X: node Y: "). */
	int (*validate)(const void *fdt, int node, struct guest_device_config *dev,
			char *err, size_t err_len);
	/* Creates the device for guest g: allocates state, adds its MMIO
	 * region(s) to g's table, takes its virtual IRQ line. */
	int (*create)(struct guest *g, const struct guest_device_config *dev,
		      void **state);
	/* Puts the device back in its power-on state (guest reset). */
	void (*reset)(void *state);
	void (*destroy)(void *state);
	/* Writes the device's node(s) into the guest device tree being built
	 * with libfdt's sequential-write API, at the root level. intc_phandle
	 * is the guest interrupt controller's phandle; guest_dt_interrupts()
	 * (keel/guest_dtb.h) writes the interrupt as the platform encodes it. */
	int (*dt_emit)(void *fdt, const struct guest_device_config *dev,
		       uint32_t intc_phandle);
};

#define EMULATOR_DEFINE(ident, ...)                                       \
	static const struct emulator emulator_##ident                      \
		__attribute__((used, section("keel_emulators"),            \
			       aligned(sizeof(void *)))) = { __VA_ARGS__ }

/* The emulator for a compatible string, or NULL. */
const struct emulator *emulator_find(const char *compatible);
unsigned int emulator_count(void);
const struct emulator *emulator_at(unsigned int index);

#endif
