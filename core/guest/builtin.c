/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Built-in guest nodes: the build compiles the configs/guests/<arch>/<name>.dts
 * files a defconfig names (CONFIG_GUEST_NODES) and links them into the image one
 * after the other, each 8-byte aligned.
 */
#include <keel/bootargs.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_boot.h>
#include <keel/log.h>
#include <libfdt.h>
#include <string.h>

/* From the generated guest_nodes.S (an empty blob when none are built in). */
extern const uint8_t keel_builtin_guests[];
extern const uint64_t keel_builtin_guests_size;

static void guest_autostart(struct guest *g, void *ctx)
{
	char err[GUEST_ERROR_MAX];
	int ret;

	if (!g->config.autostart || g->state != GUEST_LOADED)
		return;
	ret = guest_create(g, err, sizeof(err));
	if (ret) {
		log_error("%s", err);
		return;
	}
	ret = guest_start(g);
	if (ret)
		log_error("guest %s: cannot start: %s", g->name, keel_strerror(ret));
	else
		log_info("guest %s: started (autostart)", g->name);
}

/*
 * keel.autostart=0 on the boot loader's command line leaves every guest
 * loaded but stopped: a way in when a built-in guest misbehaves at boot,
 * and what the regression tests use to start guests themselves.
 */
static bool autostart_enabled(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *cmdline = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;
	char value[8];

	if (!cmdline || bootargs_get(cmdline, "keel.autostart", value, sizeof(value)) < 0)
		return true;
	if (strcmp(value, "0") == 0 || strcmp(value, "off") == 0)
		return false;
	if (strcmp(value, "1") != 0 && strcmp(value, "on") != 0)
		log_warn("keel.autostart=%s: expected 0/off or 1/on; guests autostart", value);
	return true;
}

void guest_boot_builtin(const void *host_fdt)
{
	uint64_t offset = 0, size = keel_builtin_guests_size;
	unsigned int loaded = 0;

	while (offset + sizeof(struct fdt_header) <= size) {
		const void *fdt = keel_builtin_guests + offset;
		uint64_t total = fdt_totalsize(fdt);
		char err[GUEST_ERROR_MAX];
		int ret;

		if (fdt_magic(fdt) != FDT_MAGIC || total > size - offset) {
			log_error("guests: built-in guest nodes corrupt at offset %llu",
				  (unsigned long long)offset);
			break;
		}
		ret = guest_load_tree(fdt, (size_t)total, err, sizeof(err));
		if (ret < 0)
			log_error("guests: built-in node: %s", err);
		else
			loaded += (unsigned int)ret;
		offset = ALIGN_UP(offset + total, 8);
	}
	if (loaded)
		log_info("guests: %u built-in guest nodes loaded (`guest list`)", loaded);
	if (autostart_enabled(host_fdt))
		guest_for_each(guest_autostart, NULL);
	else
		log_info("guests: autostart off (keel.autostart=0); `guest start <name>` starts one");
}
