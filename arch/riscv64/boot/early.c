/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the riscv64 arch reads from the host device tree before Keel's
 * generic boot starts: the counter's frequency (riscv has no register for
 * it, only /cpus/timebase-frequency) and whether the harts have the H
 * extension. Runs on the boot hart with the coarse map on, before time
 * and the console exist, so it only records what it finds.
 */
#include <keel/platform.h>
#include <keel/types.h>
#include <arch/boot.h>
#include <arch/cpu.h>
#include <arch/early.h>
#include <libfdt.h>
#include <string.h>

#include "../virt/guest_isa.h"

void riscv_boot_main(hpa_t fdt_pa, uint64_t entry_counter, hpa_t load_base);
void keel_main(hpa_t fdt_pa, uint64_t entry_counter, hpa_t load_base);

uint64_t riscv_timebase_hz;
uint64_t riscv_hartid[KEEL_MAX_CPUS];
struct riscv_isa riscv_isa;

static uint64_t read_cells(const fdt32_t *cells, int len)
{
	if (len == 4)
		return fdt32_to_cpu(cells[0]);
	if (len == 8)
		return ((uint64_t)fdt32_to_cpu(cells[0]) << 32) | fdt32_to_cpu(cells[1]);
	return 0;
}

/* The boot hart's node under /cpus: its "reg" is its hart id. */
static int boot_cpu_node(const void *fdt, int cpus, uint64_t hartid)
{
	int node;

	fdt_for_each_subnode(node, fdt, cpus) {
		int len;
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

		if (reg && read_cells(reg, len) == hartid)
			return node;
	}
	return -FDT_ERR_NOTFOUND;
}

/* The extensions every enabled hart names: vCPUs and Keel's own code run
 * on any of them. A hart without a readable "riscv,isa" is left out. */
static uint64_t harts_common_exts(const void *fdt, int cpus)
{
	uint64_t exts = ~0ULL;
	int node;

	fdt_for_each_subnode(node, fdt, cpus) {
		int len;
		const char *isa = fdt_getprop(fdt, node, "riscv,isa", &len);
		const char *status = fdt_getprop(fdt, node, "status", NULL);

		if (status && strcmp(status, "okay") != 0 && strcmp(status, "ok") != 0)
			continue;
		if (isa && len > 0 && isa[len - 1] == '\0')
			exts &= riscv_isa_parse(isa);
	}
	return exts;
}

static void early_read_devtree(const void *fdt)
{
	int cpus, node, len;
	const fdt32_t *tb;
	const char *isa;

	if (fdt_check_header(fdt) != 0)
		return;
	cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return;
	tb = fdt_getprop(fdt, cpus, "timebase-frequency", &len);
	node = boot_cpu_node(fdt, cpus, riscv_hartid[0]);
	/* Also allowed on each cpu node. */
	if (!tb && node >= 0)
		tb = fdt_getprop(fdt, node, "timebase-frequency", &len);
	if (tb)
		riscv_timebase_hz = read_cells(tb, len);
	if (node < 0)
		return;
	isa = fdt_getprop(fdt, node, "riscv,isa", &len);
	if (!isa || len <= 0 || isa[len - 1] != '\0')
		return;
	riscv_isa.known = true;
	riscv_isa.exts = riscv_isa_parse(isa) & harts_common_exts(fdt, cpus);
	riscv_isa.h = riscv_isa.exts & RISCV_EXT(H);
	riscv_isa.sstc = riscv_isa.exts & RISCV_EXT(SSTC);
	strlcpy(riscv_isa.string, isa, sizeof(riscv_isa.string));
}

void riscv_boot_main(hpa_t fdt_pa, uint64_t entry_counter, hpa_t load_base)
{
	early_read_devtree(hpa_to_ptr(fdt_pa));
	keel_main(fdt_pa, entry_counter, load_base);
}
