/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Keel's boot sequence, in one place. The arch's entry code calls
 * keel_main() on the boot CPU with the MMU on (a coarse 1:1 map), and
 * secondary_main() on every other CPU it starts.
 */
#include <keel/boot.h>
#include <keel/console.h>
#include <keel/devtree.h>
#include <keel/driver.h>
#include <keel/errno.h>
#include <keel/guest_boot.h>
#include <keel/irq.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/platform.h>
#include <keel/sched.h>
#include <keel/shell.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <arch/cpu.h>
#include <arch/boot.h>
#include <libfdt.h>

extern char __image_start[], __image_end[];

void keel_main(hpa_t fdt_pa, uint64_t entry_counter, hpa_t load_base);
void secondary_main(unsigned int cpu);

static void print_banner(void)
{
	keel_boot_ms = time_now_ns() / NSEC_PER_MSEC;
	log_info("Keel v%s (%s), %u CPUs online, %llu MiB RAM, booted in %llu ms",
		 keel_version(), keel_config_name(), cpu_online_count(),
		 (unsigned long long)(memmap_ram_total() >> 20),
		 (unsigned long long)keel_boot_ms);
}

void keel_main(hpa_t fdt_pa, uint64_t entry_counter, hpa_t load_base)
{
	const void *fdt = hpa_to_ptr(fdt_pa);
	int stdout_node;
	int err;

	time_init(entry_counter);
	if (fdt_pa == 0 || fdt_check_header(fdt) != 0)
		arch_cpu_park(); /* No device tree: no console to say so on. */
	devtree_set_host(fdt);

	/* Console first, so that everything after can be reported; without
	 * a driver for stdout-path's device, the firmware's console if the
	 * arch has one (a driver no device-tree node describes). */
	stdout_node = devtree_stdout_node(fdt);
	err = stdout_node >= 0 ? driver_probe_node(fdt, stdout_node, DRIVER_CLASS_CONSOLE) :
				 -KEEL_ENOENT;
	if (err && driver_probe_node(fdt, -1, DRIVER_CLASS_CONSOLE) == 0)
		log_info("keel: loaded at 0x%llx, device tree at 0x%llx (no console driver for /chosen/stdout-path: output only, through the firmware)",
			 (unsigned long long)load_base, (unsigned long long)fdt_pa);
	else
		log_info("keel: loaded at 0x%llx, device tree at 0x%llx%s",
			 (unsigned long long)load_base, (unsigned long long)fdt_pa,
			 err ? " (no console driver for /chosen/stdout-path)" : "");

	if (host_memory_init(fdt, ptr_to_hpa(__image_start), ptr_to_hpa(__image_end)))
		panic("no usable RAM found in the device tree's /memory nodes");
	if (arch_mmu_init())
		panic("cannot build Keel's page tables");
	if (smp_discover_cpus(fdt, arch_cpu_hwid()))
		panic("no usable /cpus node in the device tree");
	sched_init();

	if (driver_probe_class(fdt, DRIVER_CLASS_IRQCHIP))
		panic("no supported interrupt controller in the device tree");
	if (driver_probe_class(fdt, DRIVER_CLASS_TIMER))
		log_error("timer: no supported timer in the device tree; timer events disabled");
	if (driver_probe_class(fdt, DRIVER_CLASS_FIRMWARE))
		log_warn("firmware: no firmware interface (PSCI, SBI) found; secondary CPUs, reboot and poweroff unavailable");
	/* Host virtio devices (disks); none is fine. Needs the timer for
	 * request timeouts. */
	driver_probe_class(fdt, DRIVER_CLASS_VIRTIO);
	driver_start_all(fdt);
	irq_ipi_cpu_init();
	arch_virt_cpu_init();
	arch_irq_enable();

	smp_start_secondaries(arch_secondary_entry());
	initrd_mount(fdt);
	print_banner();
	guest_boot_builtin(fdt);
	boot_scripts_run(fdt);
	shell_main();
}

void secondary_main(unsigned int cpu)
{
	irq_cpu_init();
	driver_cpu_start_all();
	irq_ipi_cpu_init();
	arch_virt_cpu_init();
	smp_cpu_online(cpu);
	arch_irq_enable();
	cpu_idle_loop();
}
