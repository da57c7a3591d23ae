/* SPDX-License-Identifier: GPL-2.0-only */
/* The checks every virtio device node gets (device_node.h). */
#include <keel/devtree_props.h>
#include <keel/errno.h>
#include <lib/format.h>
#include <libfdt.h>
#include <string.h>

#include "device_node.h"
#include "virtio.h"

/* What the guest node parser already read and checked. */
static const char *const virtio_node_common_props[] = {
	"compatible", "reg", "interrupts", "backend",
};

static bool virtio_node_prop_known(const char *name,
				   const struct virtio_node_rules *rules,
				   unsigned int *index)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(virtio_node_common_props); i++) {
		if (!strcmp(name, virtio_node_common_props[i])) {
			*index = VIRTIO_NODE_MAX_PROPS;  /* not tracked */
			return true;
		}
	}
	for (i = 0; i < rules->prop_count && i < VIRTIO_NODE_MAX_PROPS; i++) {
		if (!strcmp(name, rules->props[i])) {
			*index = i;
			return true;
		}
	}
	return false;
}

/* "backend" or "backend and read-only": what the device takes. */
static void virtio_node_list_props(const struct virtio_node_rules *rules,
				   char *buf, size_t len)
{
	unsigned int i;

	fmt_snprintf(buf, len, "backend");
	for (i = 0; i < rules->prop_count; i++) {
		size_t used = strlen(buf);

		fmt_snprintf(buf + used, len - used, "%s%s",
			     i + 1 == rules->prop_count ? " and " : ", ",
			     rules->props[i]);
	}
}

static int virtio_node_check_props(const void *fdt, int node,
				   const struct virtio_node_rules *rules,
				   char *err, size_t err_len)
{
	uint32_t seen = 0;
	int prop;

	fdt_for_each_property_offset(prop, fdt, node) {
		char shown[GUEST_NAME_MAX], takes[96];
		const char *name;
		unsigned int index;
		int len;

		if (!fdt_getprop_by_offset(fdt, prop, &name, &len) || !name) {
			fmt_snprintf(err, err_len, "a property cannot be read");
			return -KEEL_EINVAL;
		}
		devtree_copy_printable(shown, sizeof(shown), name,
				       (int)strnlen(name, sizeof(shown)));
		if (!virtio_node_prop_known(name, rules, &index)) {
			virtio_node_list_props(rules, takes, sizeof(takes));
			fmt_snprintf(err, err_len,
				     "unknown property \"%s\": a %s node takes %s besides compatible, reg and interrupts (see docs/guest-binding.md)",
				     shown, rules->device, takes);
			return -KEEL_EINVAL;
		}
		if (index == VIRTIO_NODE_MAX_PROPS)
			continue;
		if (seen & (1U << index)) {
			fmt_snprintf(err, err_len, "property \"%s\" appears twice", shown);
			return -KEEL_EINVAL;
		}
		seen |= 1U << index;
	}
	if (prop != -FDT_ERR_NOTFOUND) {
		fmt_snprintf(err, err_len, "properties cannot be read");
		return -KEEL_EINVAL;
	}
	return 0;
}

int virtio_device_node_check(const void *fdt, int node,
			     struct guest_device_config *dev,
			     const struct virtio_node_rules *rules,
			     struct backend *backend, char *err, size_t err_len)
{
	char message[GUEST_ERROR_MAX];
	int ret;

	ret = virtio_node_check_props(fdt, node, rules, err, err_len);
	if (ret)
		return ret;
	if (dev->size < VIRTIO_MMIO_SIZE) {
		fmt_snprintf(err, err_len,
			     "\"reg\" size 0x%llx is too small: a virtio-mmio device needs 0x%x bytes",
			     (unsigned long long)dev->size, VIRTIO_MMIO_SIZE);
		return -KEEL_EINVAL;
	}
	if (!dev->has_irq) {
		fmt_snprintf(err, err_len,
			     "\"interrupts\" is required: a virtio device signals its driver by interrupt");
		return -KEEL_EINVAL;
	}
	if (!dev->backend[0]) {
		if (!rules->default_backend) {
			fmt_snprintf(err, err_len,
				     "\"backend\" is required: where the %s's data comes from, e.g. %s",
				     rules->device, rules->backend_example);
			return -KEEL_EINVAL;
		}
		fmt_snprintf(dev->backend, sizeof(dev->backend), "%s", rules->default_backend);
	}
	ret = backend_parse_allowed(dev->backend, rules->backends, backend, message,
				    sizeof(message));
	if (ret) {
		fmt_snprintf(err, err_len, "backend %s", message);
		return ret;
	}
	return 0;
}
