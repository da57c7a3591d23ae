/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every virtio device node has in common, checked for the devices'
 * validate() hooks: the register window and interrupt the transport
 * needs, no properties but the ones the device defines, and a backend URL
 * of a scheme the device takes (its default written into dev->backend
 * when the node gives none).
 */
#ifndef EMULATORS_VIRTIO_DEVICE_NODE_H
#define EMULATORS_VIRTIO_DEVICE_NODE_H

#include <keel/backend.h>
#include <keel/guest_config.h>

#define VIRTIO_NODE_MAX_PROPS 8

struct virtio_node_rules {
	const char *device;              /* "virtio-blk", for messages */
	unsigned int backends;           /* BACKEND_BIT()s the device takes */
	/* Used when the node has no "backend"; NULL makes it required. */
	const char *default_backend;
	const char *backend_example;     /* for "required" messages */
	/* Device-specific properties (at most VIRTIO_NODE_MAX_PROPS). */
	const char *const *props;
	unsigned int prop_count;
};

/* Checks node against rules and parses its backend into *backend. On
 * failure writes the message (without the "guest X: node Y: " prefix)
 * into err and returns -KEEL_EINVAL. */
int virtio_device_node_check(const void *fdt, int node,
			     struct guest_device_config *dev,
			     const struct virtio_node_rules *rules,
			     struct backend *backend, char *err, size_t err_len);

#endif
