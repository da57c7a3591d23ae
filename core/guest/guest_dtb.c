/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest device tree, written with libfdt's sequential-write API in one
 * pass: root properties, /chosen, memory, the platform's nodes, then each
 * device's nodes from its emulator. What is arch-shaped (the root
 * compatible, the platform nodes, interrupt specifiers) comes from the
 * running arch's struct guest_platform.
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_dtb.h>
#include <lib/format.h>
#include <libfdt.h>
#include <string.h>

/* libfdt (-FDT_ERR_*) and Keel errors both reach here from callbacks; the
 * only one the caller can act on is running out of space. */
static int guest_dtb_error(int err)
{
	if (err == -FDT_ERR_NOSPACE || err == -KEEL_ENOSPC)
		return -KEEL_ENOSPC;
	return -KEEL_EINVAL;
}

static int guest_dtb_chosen(void *fdt, const struct guest_config *cfg,
			    const struct emulator *const *emulators,
			    const struct guest_dtb_extra *extra)
{
	char path[GUEST_NAME_MAX + 24];
	unsigned int i;
	int err;

	err = fdt_begin_node(fdt, "chosen");
	if (!err && cfg->boot.bootargs[0])
		err = fdt_property_string(fdt, "bootargs", cfg->boot.bootargs);
	for (i = 0; !err && i < cfg->device_count; i++) {
		const struct guest_device_config *dev = &cfg->devices[i];

		if (!emulators[i]->uart)
			continue;
		fmt_snprintf(path, sizeof(path), "/%s@%llx", emulators[i]->name,
			     (unsigned long long)dev->base);
		err = fdt_property_string(fdt, "stdout-path", path);
		break;
	}
	if (!err && extra && extra->initrd_end != extra->initrd_start) {
		err = fdt_property_u64(fdt, "linux,initrd-start",
				       extra->initrd_start);
		if (!err)
			err = fdt_property_u64(fdt, "linux,initrd-end",
					       extra->initrd_end);
	}
	if (!err)
		err = fdt_end_node(fdt);
	return err;
}

static int guest_dtb_memory(void *fdt, const struct guest_config *cfg)
{
	char name[32];
	unsigned int i;
	int err = 0;

	for (i = 0; !err && i < cfg->mem_count; i++) {
		const fdt64_t reg[2] = { cpu_to_fdt64(cfg->mem[i].base),
					 cpu_to_fdt64(cfg->mem[i].size) };

		fmt_snprintf(name, sizeof(name), "memory@%llx",
			     (unsigned long long)cfg->mem[i].base);
		err = fdt_begin_node(fdt, name);
		if (!err)
			err = fdt_property_string(fdt, "device_type", "memory");
		if (!err)
			err = fdt_property(fdt, "reg", reg, sizeof(reg));
		if (!err)
			err = fdt_end_node(fdt);
	}
	return err;
}

/* Root properties; *intc_value is where the interrupt controller's
 * phandle goes once the arch has written that controller. */
static int guest_dtb_root(void *fdt, const struct guest_platform *platform,
			  const struct guest_config *cfg, void **intc_value)
{
	static const char keel[] = "keel,guest";
	char compatible[sizeof(keel) + 64];
	char model[GUEST_NAME_MAX + 16];
	size_t root_len = strlen(platform->root_compatible) + 1;
	int err;

	if (root_len > sizeof(compatible) - sizeof(keel))
		return -KEEL_EINVAL;
	memcpy(compatible, keel, sizeof(keel));
	memcpy(compatible + sizeof(keel), platform->root_compatible, root_len);

	fmt_snprintf(model, sizeof(model), "Keel guest %s", cfg->name);
	err = fdt_begin_node(fdt, "");
	if (!err)
		err = fdt_property_u32(fdt, "#address-cells", 2);
	if (!err)
		err = fdt_property_u32(fdt, "#size-cells", 2);
	if (!err)
		err = fdt_property(fdt, "compatible", compatible,
				   (int)(sizeof(keel) + root_len));
	if (!err)
		err = fdt_property_string(fdt, "model", model);
	if (!err)
		err = fdt_property_placeholder(fdt, "interrupt-parent",
					       sizeof(fdt32_t), intc_value);
	return err;
}

int guest_dtb_build(const struct guest_config *cfg,
		    const struct guest_dtb_extra *extra, void *buf, size_t size)
{
	const struct guest_platform *platform = arch_guest_platform();
	const struct emulator *emulators[GUEST_MAX_DEVICES];
	void *intc_value = NULL;
	unsigned int i;
	int err, phandle;

	if (!platform || !cfg || !buf || size > (size_t)__INT_MAX__ ||
	    !IS_ALIGNED((uintptr_t)buf, 8) || cfg->vcpus < 1 ||
	    cfg->vcpus > GUEST_MAX_VCPUS || cfg->mem_count < 1 ||
	    cfg->mem_count > GUEST_MAX_MEM ||
	    cfg->device_count > GUEST_MAX_DEVICES ||
	    (extra && extra->initrd_end < extra->initrd_start))
		return -KEEL_EINVAL;
	for (i = 0; i < cfg->device_count; i++) {
		emulators[i] = emulator_find(cfg->devices[i].compatible);
		if (!emulators[i])
			return -KEEL_EINVAL;
	}

	err = fdt_create(buf, (int)size);
	if (!err)
		err = fdt_finish_reservemap(buf);
	if (!err)
		err = guest_dtb_root(buf, platform, cfg, &intc_value);
	if (!err)
		err = guest_dtb_chosen(buf, cfg, emulators, extra);
	if (!err)
		err = guest_dtb_memory(buf, cfg);
	if (err)
		return guest_dtb_error(err);

	phandle = platform->dt_nodes(buf, cfg);
	if (phandle < 0)
		return guest_dtb_error(phandle);
	if (phandle == 0)
		return -KEEL_EINVAL;
	/* The placeholder lies in the structure block, which stays put
	 * until fdt_finish() moves the strings after it. */
	fdt32_st(intc_value, (uint32_t)phandle);

	for (i = 0; i < cfg->device_count; i++) {
		if (!emulators[i]->dt_emit)
			continue;
		err = emulators[i]->dt_emit(buf, &cfg->devices[i],
					    (uint32_t)phandle);
		if (err)
			return guest_dtb_error(err);
	}
	err = fdt_end_node(buf);
	if (!err)
		err = fdt_finish(buf);
	return err ? guest_dtb_error(err) : 0;
}

int guest_dt_interrupts(void *fdt, const struct guest_device_config *dev,
			enum guest_irq_trigger trigger, uint32_t intc_phandle)
{
	const struct guest_platform *platform = arch_guest_platform();
	uint32_t cells[GUEST_IRQ_CELLS_MAX];
	fdt32_t value[GUEST_IRQ_CELLS_MAX];
	unsigned int count, i;
	int err;

	if (!dev->has_irq)
		return 0;
	if (!platform || dev->irq < platform->irq_first ||
	    dev->irq - platform->irq_first >= platform->irq_count)
		return -KEEL_EINVAL;
	count = platform->irq_cells(dev->irq, trigger, cells);
	if (count < 1 || count > GUEST_IRQ_CELLS_MAX)
		return -KEEL_EINVAL;
	for (i = 0; i < count; i++)
		value[i] = cpu_to_fdt32(cells[i]);
	err = fdt_property(fdt, "interrupts", value, (int)(count * sizeof(value[0])));
	if (!err)
		err = fdt_property_u32(fdt, "interrupt-parent", intc_phandle);
	return err;
}
