/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parsing and validation of a guest node (docs/guest-binding.md): the
 * guest node's own properties, its boot node, and the order of it all.
 * Memory and devices are in guest_config_layout.c, the checked readers in
 * guest_config_read.c.
 *
 * The tree is hostile input that has only passed the structural check:
 * every length is checked before a value is read, every string is checked
 * for its terminator, and every value is copied into struct guest_config
 * before it is compared with anything. Each refusal writes exactly one
 * message naming the guest, the node's path and the property.
 */
#include <keel/config_options.h>
#include <keel/errno.h>
#include <keel/platform.h>
#include <lib/format.h>
#include <libfdt.h>
#include <string.h>

#include "guest_config_internal.h"

/* ---- the boot node ---- */

static int guest_config_boot_path(struct guest_parse *p, int node,
				  const char *prop, bool *present, char *dst)
{
	int err;

	err = guest_config_read_string(p, node, prop, present, dst,
				       GUEST_PATH_MAX);
	if (!err && *present && dst[0] != '/')
		return guest_config_error(p, node,
					  "\"%s\" must be an absolute path in the image file system; found \"%pE\"",
					  prop, dst);
	return err;
}

static int guest_config_boot_addr(struct guest_parse *p, int node,
				  const char *prop, bool *present, gpa_t *addr)
{
	const struct guest_config *cfg = p->cfg;
	unsigned int i;
	int err;

	err = guest_config_read_addr(p, node, prop, present, addr);
	if (err || !*present)
		return err;
	for (i = 0; i < cfg->mem_count; i++) {
		if (*addr >= cfg->mem[i].base &&
		    *addr - cfg->mem[i].base < cfg->mem[i].size)
			return 0;
	}
	return guest_config_error(p, node,
				  "\"%s\" 0x%llx is not inside any memory region",
				  prop, (unsigned long long)*addr);
}

static int guest_config_parse_boot(struct guest_parse *p, int node)
{
	static const char *const known[] = { "kernel", "kernel-addr", "initrd",
					     "initrd-addr", "bootargs", "dtb-addr" };
	struct guest_boot_config *boot = &p->cfg->boot;
	bool present, has_initrd;
	int err;

	err = guest_config_check_props(p, node, known, ARRAY_SIZE(known), false);
	if (!err)
		err = guest_config_no_subnodes(p, node);
	if (!err)
		err = guest_config_boot_path(p, node, "kernel", &present,
					     boot->kernel);
	if (!err && !present)
		return guest_config_error(p, node,
					  "\"kernel\" is required: the kernel's path in the image file system");
	if (!err)
		err = guest_config_boot_path(p, node, "initrd", &has_initrd,
					     boot->initrd);
	if (!err)
		err = guest_config_read_string(p, node, "bootargs", &present,
					       boot->bootargs,
					       sizeof(boot->bootargs));
	if (!err)
		err = guest_config_boot_addr(p, node, "kernel-addr",
					     &boot->has_kernel_addr,
					     &boot->kernel_addr);
	if (!err)
		err = guest_config_boot_addr(p, node, "initrd-addr",
					     &boot->has_initrd_addr,
					     &boot->initrd_addr);
	if (!err && boot->has_initrd_addr && !has_initrd)
		return guest_config_error(p, node,
					  "\"initrd-addr\" is given but \"initrd\" is not");
	if (!err)
		err = guest_config_boot_addr(p, node, "dtb-addr",
					     &boot->has_dtb_addr, &boot->dtb_addr);
	if (!err && boot->has_dtb_addr && !IS_ALIGNED(boot->dtb_addr, 8))
		return guest_config_error(p, node,
					  "\"dtb-addr\" 0x%llx must be a multiple of 8",
					  (unsigned long long)boot->dtb_addr);
	return err;
}

/* ---- the guest node itself ---- */

/* ---- the guest node itself ---- */

static int guest_config_parse_policy(struct guest_parse *p, int node)
{
	static const char *const names[] = {
		[GUEST_MMIO_ABORT] = "abort",
		[GUEST_MMIO_IGNORE] = "ignore",
		[GUEST_MMIO_STOP] = "stop",
	};
	const char *value;
	char shown[32];
	unsigned int i;
	int len;

	value = fdt_getprop(p->fdt, node, "unhandled-mmio", &len);
	if (!value)
		return len == -FDT_ERR_NOTFOUND ? 0 :
		       guest_config_error(p, node, "\"unhandled-mmio\" cannot be read");
	for (i = 0; devtree_value_is_string(value, len) && i < ARRAY_SIZE(names); i++) {
		if (!strcmp(value, names[i])) {
			p->cfg->mmio_policy = (enum guest_mmio_policy)i;
			return 0;
		}
	}
	devtree_copy_printable(shown, sizeof(shown), value, len);
	return guest_config_error(p, node,
				  "\"unhandled-mmio\" must be \"abort\", \"ignore\" or \"stop\"; found \"%s\" (%d bytes)",
				  shown, len);
}

static int guest_config_parse_affinity(struct guest_parse *p, int node)
{
	struct guest_config *cfg = p->cfg;
	const fdt32_t *cells;
	unsigned int i;
	int len;

	cells = fdt_getprop(p->fdt, node, "cpu-affinity", &len);
	if (!cells)
		return len == -FDT_ERR_NOTFOUND ? 0 :
		       guest_config_error(p, node, "\"cpu-affinity\" cannot be read");
	if (len != (int)(cfg->vcpus * sizeof(*cells)))
		return guest_config_error(p, node,
					  "\"cpu-affinity\" needs one cell per vCPU (%u cells); found %d bytes",
					  cfg->vcpus, len);
	for (i = 0; i < cfg->vcpus; i++) {
		cfg->affinity[i] = fdt32_ld(&cells[i]);
		if (cfg->affinity[i] >= KEEL_MAX_CPUS)
			return guest_config_error(p, node,
						  "\"cpu-affinity\" entry %u: host CPU %u is not below %d",
						  i, cfg->affinity[i], KEEL_MAX_CPUS);
	}
	cfg->has_affinity = true;
	return 0;
}

static int guest_config_parse_properties(struct guest_parse *p, int node)
{
	static const char *const known[] = {
		"compatible", "#address-cells", "#size-cells", "vcpus",
		"cpu-affinity", "autostart", "unhandled-mmio", "max-irq-rate",
	};
	struct guest_config *cfg = p->cfg;
	const char *compatible;
	uint32_t value;
	bool present;
	int len, err;

	/* The compatible first: a node that is no guest node at all gets
	 * told so, not that its properties are unknown. */
	compatible = fdt_getprop(p->fdt, node, "compatible", &len);
	if (!compatible)
		return guest_config_error(p, node,
					  "\"compatible\" is required and must be \"keel,guest\"");
	if (len != sizeof("keel,guest") || memcmp(compatible, "keel,guest", (size_t)len)) {
		char shown[32];

		devtree_copy_printable(shown, sizeof(shown), compatible, len);
		return guest_config_error(p, node,
					  "\"compatible\" must be \"keel,guest\"; found \"%s\" (%d bytes)",
					  shown, len);
	}
	err = guest_config_check_props(p, node, known, ARRAY_SIZE(known), false);
	/* Every reg in a guest node is (2 address, 2 size) cells. */
	if (!err)
		err = guest_config_check_cells(p, node);
	if (err)
		return err;

	err = guest_config_read_u32(p, node, "vcpus", &present, &value);
	if (err)
		return err;
	if (present && (value < 1 || value > p->platform->max_vcpus ||
			value > GUEST_MAX_VCPUS))
		return guest_config_error(p, node,
					  "\"vcpus\" must be 1..%u; found %u",
					  MIN(p->platform->max_vcpus, GUEST_MAX_VCPUS),
					  value);
	cfg->vcpus = present ? value : 1;

	err = guest_config_parse_affinity(p, node);
	if (err)
		return err;

	if (fdt_getprop(p->fdt, node, "autostart", &len)) {
		if (len != 0)
			return guest_config_error(p, node,
						  "\"autostart\" is a flag and takes no value; found %d bytes",
						  len);
		cfg->autostart = true;
	}

	err = guest_config_parse_policy(p, node);
	if (err)
		return err;

	err = guest_config_read_u32(p, node, "max-irq-rate", &present, &value);
	if (err)
		return err;
	cfg->max_irq_rate = present ? value : GUEST_DEFAULT_MAX_IRQ_RATE;
	return 0;
}

/* Finds the memory, devices and boot subnodes; anything else is refused. */
static int guest_config_find_subnodes(struct guest_parse *p, int node,
				      int found[3])
{
	static const char *const known[] = { "memory", "devices", "boot" };
	int sub;

	found[0] = found[1] = found[2] = -1;
	fdt_for_each_subnode(sub, p->fdt, node) {
		const char *name = fdt_get_name(p->fdt, sub, NULL);
		int index;

		index = name ? guest_config_known_index(name, known,
							ARRAY_SIZE(known)) : -1;
		if (index < 0)
			return guest_config_error(p, sub,
						  "unknown node; a guest node holds only memory, devices and boot");
		if (found[index] >= 0)
			return guest_config_error(p, sub, "node appears twice");
		found[index] = sub;
	}
	if (sub != -FDT_ERR_NOTFOUND)
		return guest_config_error(p, node, "subnodes cannot be read");
	if (found[0] < 0)
		return guest_config_error(p, node,
					  "a \"memory\" subnode is required");
	if (found[2] < 0)
		return guest_config_error(p, node,
					  "a \"boot\" subnode is required");
	return 0;
}

int guest_config_parse(const void *fdt, int node, struct guest_config *cfg,
		       char *err, size_t err_len)
{
	return guest_config_parse_for(&config_options_built, fdt, node, cfg,
				      err, err_len);
}

int guest_config_parse_for(const struct config_option_table *options,
			   const void *fdt, int node, struct guest_config *cfg,
			   char *err, size_t err_len)
{
	struct guest_parse p = {
		.fdt = fdt, .options = options, .cfg = cfg, .err = err,
		.err_len = err_len,
	};
	const char *name;
	int sub[3], len, ret;

	if (err && err_len)
		err[0] = '\0';
	if (!cfg)
		return -KEEL_EINVAL;
	memset(cfg, 0, sizeof(*cfg));
	p.platform = arch_guest_platform();
	if (!fdt || node < 0 || !p.platform) {
		if (err && err_len)
			fmt_snprintf(err, err_len, "guest ?: no guest node to parse");
		return -KEEL_EINVAL;
	}
	p.ipa_limit = p.platform->ipa_bits >= 64 ? UINT64_MAX :
		      (1ULL << p.platform->ipa_bits);

	name = fdt_get_name(fdt, node, &len);
	devtree_copy_printable(p.name, sizeof(p.name), name, name ? len : 0);
	if (!p.name[0])
		strcpy(p.name, "?");
	if (!name || !guest_config_name_valid(name, len))
		return guest_config_error(&p, node,
					  "guest node name must be 1..%d characters of [a-z0-9_-] starting with a letter",
					  GUEST_NAME_MAX - 1);
	memcpy(cfg->name, name, (size_t)len + 1);

	ret = guest_config_parse_properties(&p, node);
	if (!ret)
		ret = guest_config_find_subnodes(&p, node, sub);
	if (!ret)
		ret = guest_config_parse_memory(&p, sub[0]);
	if (!ret && sub[1] >= 0)
		ret = guest_config_parse_devices(&p, sub[1]);
	if (!ret)
		ret = guest_config_parse_boot(&p, sub[2]);
	return ret;
}
