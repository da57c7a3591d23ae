/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest node's guest-physical layout: its memory regions and its
 * devices, each checked against the platform's ranges and one another.
 */
#include <keel/config_options.h>
#include <keel/emu.h>
#include <lib/format.h>
#include <libfdt.h>
#include <string.h>

#include "guest_config_internal.h"

/* Bytes of one "reg" entry: 2 address cells and 2 size cells. */
#define GUEST_CONFIG_REG_ENTRY 16

int guest_config_parse_memory(struct guest_parse *p, int node)
{
	static const char *const known[] = { "reg" };
	struct guest_config *cfg = p->cfg;
	const fdt32_t *reg;
	int len, count, i, err;

	err = guest_config_check_props(p, node, known, ARRAY_SIZE(known), false);
	if (!err)
		err = guest_config_no_subnodes(p, node);
	if (err)
		return err;
	reg = fdt_getprop(p->fdt, node, "reg", &len);
	if (!reg)
		return guest_config_error(p, node,
					  "\"reg\" is required: 1 to %d (base, size) entries",
					  GUEST_MAX_MEM);
	if (len == 0 || len % GUEST_CONFIG_REG_ENTRY)
		return guest_config_error(p, node,
					  "\"reg\" needs (2 address + 2 size cells) per entry; found %d bytes",
					  len);
	count = len / GUEST_CONFIG_REG_ENTRY;
	if (count > GUEST_MAX_MEM)
		return guest_config_error(p, node,
					  "\"reg\" has %d entries; at most %d allowed",
					  count, GUEST_MAX_MEM);

	for (i = 0; i < count; i++) {
		uint64_t base = devtree_cells_to_u64(reg + 4 * i, 2);
		uint64_t size = devtree_cells_to_u64(reg + 4 * i + 2, 2);
		int j;

		if (!IS_ALIGNED(base, GUEST_CONFIG_PAGE_SIZE) ||
		    !IS_ALIGNED(size, GUEST_CONFIG_PAGE_SIZE))
			return guest_config_error(p, node,
						  "\"reg\" entry %d: base 0x%llx and size 0x%llx must be multiples of 4 KiB",
						  i, (unsigned long long)base,
						  (unsigned long long)size);
		err = guest_config_check_range(p, node, i, base, size);
		if (err)
			return err;
		for (j = 0; j < i; j++) {
			if (guest_config_ranges_overlap(base, size, cfg->mem[j].base,
							cfg->mem[j].size))
				return guest_config_error(p, node,
							  "\"reg\" entry %d overlaps entry %d",
							  i, j);
		}
		cfg->mem[i].base = base;
		cfg->mem[i].size = size;
	}
	cfg->mem_count = (unsigned int)count;
	return 0;
}

/* ---- devices ---- */

/* The first entry of a "compatible" list that an emulator serves. */
static int guest_config_device_emulator(struct guest_parse *p, int node,
					struct guest_device_config *dev,
					const struct emulator **emulator)
{
	const struct config_option *left_out = NULL;
	char list[160], shown[GUEST_COMPATIBLE_MAX];
	const char *value, *entry;
	unsigned int i, used = 0;
	int len;

	value = fdt_getprop(p->fdt, node, "compatible", &len);
	if (!value)
		return guest_config_error(p, node,
					  "\"compatible\" is required: the device to emulate");
	if (!devtree_value_is_stringlist(value, len))
		return guest_config_error(p, node,
					  "\"compatible\" must be NUL-terminated non-empty strings; found %d bytes that are not",
					  len);
	for (i = 0; (entry = devtree_stringlist_at(value, len, i)); i++) {
		const struct config_option *off;

		/* A device the configuration leaves out is not served even
		 * when its code is there (the host unit build has it all). */
		off = config_option_left_out(p->options, CONFIG_OPTION_DEVICE,
					     entry, strlen(entry));
		if (off) {
			left_out = left_out ? left_out : off;
			continue;
		}
		*emulator = emulator_find(entry);
		if (!*emulator)
			continue;
		if (strlen(entry) >= sizeof(dev->compatible))
			return guest_config_error(p, node,
						  "\"compatible\" entry %u is longer than %zu characters",
						  i, sizeof(dev->compatible) - 1);
		strcpy(dev->compatible, entry);
		return 0;
	}

	if (left_out)
		return guest_config_error(p, node,
					  "\"%s\" needs %s (make menuconfig -> %s)",
					  left_out->key, left_out->option,
					  left_out->menu);
	list[0] = '\0';
	for (i = 0; i < emulator_count() && used < sizeof(list); i++) {
		int n = fmt_snprintf(list + used, sizeof(list) - used, "%s%s",
				     i ? ", " : "", emulator_at(i)->compatible);

		if (n < 0)
			break;
		used += (unsigned int)n;
	}
	devtree_copy_printable(shown, sizeof(shown), value, len);
	return guest_config_error(p, node,
				  "\"compatible\" = \"%s\"%s has no emulator; known: %s",
				  shown, devtree_stringlist_at(value, len, 1) ? ", ..." : "",
				  list[0] ? list : "none");
}

static int guest_config_device_irq(struct guest_parse *p, int node,
				   struct guest_device_config *dev)
{
	const struct guest_config *cfg = p->cfg;
	bool present;
	unsigned int i;
	int err;

	err = guest_config_read_u32(p, node, "interrupts", &present, &dev->irq);
	if (err || !present)
		return err;
	if (dev->irq < p->platform->irq_first ||
	    dev->irq - p->platform->irq_first >= p->platform->irq_count)
		return guest_config_error(p, node,
					  "\"interrupts\" must be a device interrupt %u..%u (%s); found %u",
					  p->platform->irq_first,
					  p->platform->irq_first + p->platform->irq_count - 1,
					  p->platform->intc_name, dev->irq);
	for (i = 0; i < cfg->device_count; i++) {
		if (cfg->devices[i].has_irq && cfg->devices[i].irq == dev->irq)
			return guest_config_error(p, node,
						  "\"interrupts\" %u is already used by device %s",
						  dev->irq, cfg->devices[i].name);
	}
	dev->has_irq = true;
	return 0;
}

static int guest_config_device_reg(struct guest_parse *p, int node,
				   struct guest_device_config *dev)
{
	const struct guest_config *cfg = p->cfg;
	const fdt32_t *reg;
	unsigned int i;
	int len, err;

	reg = fdt_getprop(p->fdt, node, "reg", &len);
	if (!reg)
		return guest_config_error(p, node,
					  "\"reg\" is required: one (base, size) entry");
	if (len != GUEST_CONFIG_REG_ENTRY)
		return guest_config_error(p, node,
					  "\"reg\" needs exactly one entry of (2 address + 2 size cells); found %d bytes",
					  len);
	dev->base = devtree_cells_to_u64(reg, 2);
	dev->size = devtree_cells_to_u64(reg + 2, 2);
	err = guest_config_check_range(p, node, -1, dev->base, dev->size);
	if (err)
		return err;
	for (i = 0; i < cfg->mem_count; i++) {
		if (guest_config_ranges_overlap(dev->base, dev->size,
						cfg->mem[i].base, cfg->mem[i].size))
			return guest_config_error(p, node,
						  "\"reg\": [0x%llx, 0x%llx) overlaps memory region %u",
						  (unsigned long long)dev->base,
						  (unsigned long long)(dev->base + dev->size), i);
	}
	for (i = 0; i < cfg->device_count; i++) {
		if (guest_config_ranges_overlap(dev->base, dev->size,
						cfg->devices[i].base,
						cfg->devices[i].size))
			return guest_config_error(p, node,
						  "\"reg\": [0x%llx, 0x%llx) overlaps device %s",
						  (unsigned long long)dev->base,
						  (unsigned long long)(dev->base + dev->size),
						  cfg->devices[i].name);
	}
	return 0;
}

/* A backend whose kind the configuration left out; the device's own
 * validate() checks the rest of the URL. */
static int guest_config_device_backend(struct guest_parse *p, int node,
				       const struct guest_device_config *dev)
{
	const struct config_option *left_out;
	const char *colon = strchr(dev->backend, ':');
	char shown[GUEST_DEVICE_PROP_MAX];

	if (!colon)
		return 0;
	left_out = config_option_left_out(p->options, CONFIG_OPTION_BACKEND,
					  dev->backend,
					  (size_t)(colon - dev->backend));
	if (!left_out)
		return 0;
	devtree_copy_printable(shown, sizeof(shown), dev->backend,
			       (int)strlen(dev->backend));
	return guest_config_error(p, node,
				  "backend \"%s\" needs %s (make menuconfig -> %s)",
				  shown, left_out->option, left_out->menu);
}

static int guest_config_parse_device(struct guest_parse *p, int node,
				     struct guest_device_config *dev)
{
	static const char *const known[] = { "compatible", "reg", "interrupts",
					     "backend" };
	const struct emulator *emulator = NULL;
	char message[GUEST_ERROR_MAX];
	const char *name;
	bool present;
	unsigned int i;
	int len, err;

	name = fdt_get_name(p->fdt, node, &len);
	if (!name || !guest_config_name_valid(name, len))
		return guest_config_error(p, node,
					  "device node name must be 1..%d characters of [a-z0-9_-] starting with a letter",
					  GUEST_NAME_MAX - 1);
	for (i = 0; i < p->cfg->device_count; i++) {
		if (!strcmp(p->cfg->devices[i].name, name))
			return guest_config_error(p, node, "device name is used twice");
	}
	memcpy(dev->name, name, (size_t)len + 1);

	err = guest_config_device_emulator(p, node, dev, &emulator);
	if (err)
		return err;
	/* Without a validate hook the emulator takes no properties of its
	 * own, so anything else is a typo. */
	err = guest_config_check_props(p, node, known, ARRAY_SIZE(known),
				       emulator->validate != NULL);
	if (!err)
		err = guest_config_no_subnodes(p, node);
	if (!err)
		err = guest_config_device_reg(p, node, dev);
	if (!err)
		err = guest_config_device_irq(p, node, dev);
	if (!err)
		err = guest_config_read_string(p, node, "backend", &present,
					       dev->backend, sizeof(dev->backend));
	if (!err && present)
		err = guest_config_device_backend(p, node, dev);
	if (err || !emulator->validate)
		return err;

	message[0] = '\0';
	err = emulator->validate(p->fdt, node, dev, message, sizeof(message));
	if (!err)
		return 0;
	message[sizeof(message) - 1] = '\0';
	guest_config_error(p, node, "%s", message[0] ? message :
			   "refused by the device's emulator");
	return err < 0 ? err : -KEEL_EINVAL;
}

int guest_config_parse_devices(struct guest_parse *p, int node)
{
	static const char *const known[] = { "#address-cells", "#size-cells" };
	struct guest_config *cfg = p->cfg;
	int sub, err;

	err = guest_config_check_props(p, node, known, ARRAY_SIZE(known), false);
	if (!err)
		err = guest_config_check_cells(p, node);
	if (err)
		return err;

	fdt_for_each_subnode(sub, p->fdt, node) {
		if (cfg->device_count == GUEST_MAX_DEVICES)
			return guest_config_error(p, node,
						  "more than %d device nodes",
						  GUEST_MAX_DEVICES);
		err = guest_config_parse_device(p, sub,
						&cfg->devices[cfg->device_count]);
		if (err)
			return err;
		cfg->device_count++;
	}
	if (sub != -FDT_ERR_NOTFOUND)
		return guest_config_error(p, node, "subnodes cannot be read");
	return 0;
}
