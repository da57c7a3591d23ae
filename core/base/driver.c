/* SPDX-License-Identifier: GPL-2.0-only */
/* Matches host drivers (keel_host_drivers section) with device-tree nodes. */
#include <keel/devtree.h>
#include <keel/driver.h>
#include <keel/errno.h>
#include <keel/log.h>
#include <libfdt.h>

/* Weak: a build with no drivers (unit tests) has no section at all. */
extern const struct host_driver __start_keel_host_drivers[] __attribute__((weak));
extern const struct host_driver __stop_keel_host_drivers[] __attribute__((weak));

#define MAX_PROBED 16

/* Drivers that probed successfully, so that their start() can run later. */
static struct {
	const struct host_driver *driver;
	int node;
} probed[MAX_PROBED];
static unsigned int probed_count;

/* What a message calls node: its name, or that the driver has none. */
static const char *driver_node_name(const void *fdt, int node)
{
	const char *name = node >= 0 ? fdt_get_name(fdt, node, NULL) : NULL;

	return name ? name : "(no device-tree node)";
}

static int driver_probe(const struct host_driver *drv, const void *fdt, int node)
{
	int err = drv->probe(fdt, node);

	if (err) {
		log_error("driver %s: %s: probe failed: %s", drv->name,
			  driver_node_name(fdt, node), keel_strerror(err));
		return err;
	}
	if (probed_count < MAX_PROBED) {
		probed[probed_count].driver = drv;
		probed[probed_count].node = node;
		probed_count++;
	}
	return 0;
}

void driver_start_all(const void *fdt)
{
	for (unsigned int i = 0; i < probed_count; i++) {
		const struct host_driver *drv = probed[i].driver;
		int err;

		if (!drv->start)
			continue;
		err = drv->start(fdt, probed[i].node);
		if (err)
			log_error("driver %s: %s: start failed: %s", drv->name,
				  driver_node_name(fdt, probed[i].node),
				  keel_strerror(err));
	}
}

void driver_cpu_start_all(void)
{
	for (unsigned int i = 0; i < probed_count; i++)
		if (probed[i].driver->cpu_start)
			probed[i].driver->cpu_start();
}

/* A node matches a driver by compatible string; "no node" (a negative
 * offset) matches the drivers of devices no node describes. */
static bool driver_matches(const struct host_driver *drv, const void *fdt,
			   int node)
{
	if (!drv->compatible || node < 0)
		return !drv->compatible && node < 0;
	for (const char *const *c = drv->compatible; *c; c++)
		if (fdt_node_check_compatible(fdt, node, *c) == 0)
			return true;
	return false;
}

int driver_probe_node(const void *fdt, int node, enum host_driver_class class)
{
	const struct host_driver *drv;

	for (drv = __start_keel_host_drivers; drv < __stop_keel_host_drivers; drv++) {
		if (drv->class != class || !driver_matches(drv, fdt, node))
			continue;
		return driver_probe(drv, fdt, node);
	}
	return -KEEL_ENOENT;
}

int driver_probe_class(const void *fdt, enum host_driver_class class)
{
	const struct host_driver *drv;

	for (drv = __start_keel_host_drivers; drv < __stop_keel_host_drivers; drv++) {
		if (drv->class != class)
			continue;
		/* A device no node describes (firmware found by calling it):
		 * the driver's probe decides whether it is there. */
		if (!drv->compatible) {
			if (driver_probe(drv, fdt, -1) == 0)
				return 0;
			continue;
		}
		for (const char *const *c = drv->compatible; *c; c++) {
			int node = fdt_node_offset_by_compatible(fdt, -1, *c);

			while (node >= 0 && !devtree_node_enabled(fdt, node))
				node = fdt_node_offset_by_compatible(fdt, node, *c);
			if (node >= 0)
				return driver_probe(drv, fdt, node);
		}
	}
	return -KEEL_ENOENT;
}
