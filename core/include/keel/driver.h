/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host drivers: devices Keel itself uses. Each driver registers a const
 * descriptor in the keel_host_drivers linker section with HOST_DRIVER();
 * boot code probes them class by class against the host device tree.
 */
#ifndef KEEL_DRIVER_H
#define KEEL_DRIVER_H

#include <keel/types.h>

enum host_driver_class {
	DRIVER_CLASS_CONSOLE,  /* probed for /chosen/stdout-path only */
	DRIVER_CLASS_IRQCHIP,
	DRIVER_CLASS_TIMER,
	DRIVER_CLASS_FIRMWARE,
	/* Buses of many devices (virtio-mmio): probe() gets the first
	 * matching node and brings up every matching node from there. */
	DRIVER_CLASS_VIRTIO,
};

struct host_driver {
	const char *name;
	enum host_driver_class class;
	/* NULL-terminated; NULL itself for a device that no device-tree
	 * node describes (SBI firmware): probe() gets node -1 and finds
	 * out whether the device is there. */
	const char *const *compatible;
	/* Returns 0 when the device is ready for use. */
	int (*probe)(const void *fdt, int node);
	/* Optional: runs once the interrupt controller and timer are up, for
	 * drivers probed before then (the console's receive interrupt). */
	int (*start)(const void *fdt, int node);
	/* Optional: runs on every secondary CPU as it comes online (per-CPU
	 * interrupts, per-CPU timers). The boot CPU does this in start(). */
	void (*cpu_start)(void);
};

#define HOST_DRIVER(ident, ...)                                            \
	static const struct host_driver host_driver_##ident                 \
		__attribute__((used, section("keel_host_drivers"),          \
			       aligned(sizeof(void *)))) = { __VA_ARGS__ }

/* Probes the first enabled node that a driver of `class` matches; returns
 * the driver's result or -KEEL_ENOENT when nothing matched. */
int driver_probe_class(const void *fdt, enum host_driver_class class);
/* Probes `node` with the first driver of `class` that matches it; a
 * negative node probes the first driver with no compatible list. */
int driver_probe_node(const void *fdt, int node, enum host_driver_class class);

/* Calls start() of every driver probed so far, in probe order. */
void driver_start_all(const void *fdt);
/* Calls cpu_start() of every probed driver on the calling CPU. */
void driver_cpu_start_all(void);

#endif
