/* SPDX-License-Identifier: GPL-2.0-only */
/* CPU bookkeeping, version strings and the machine's power operations. */
#include <keel/console.h>
#include <keel/irq.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <arch/cpu.h>

struct cpu_info cpu_info[KEEL_MAX_CPUS];
unsigned int cpu_count;
uint64_t keel_boot_ms;
bool keel_halting;

static const struct platform_power_ops *power_ops;

unsigned int cpu_online_count(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < KEEL_MAX_CPUS; i++)
		if (READ_ONCE(cpu_info[i].state) == CPU_ONLINE)
			n++;
	return n;
}

const char *keel_version(void)
{
	return KEEL_VERSION;
}

const char *keel_config_name(void)
{
	return CONFIG_CONFIG_NAME;
}

void platform_set_power_ops(const struct platform_power_ops *ops)
{
	power_ops = ops;
}

const struct platform_power_ops *platform_power_ops(void)
{
	return power_ops;
}

void platform_halt_others(void)
{
	WRITE_ONCE(keel_halting, true);
	arch_ipi_barrier();
	for (unsigned int cpu = 0; cpu < cpu_count; cpu++)
		if (cpu != arch_cpu_id())
			irq_send_ipi(cpu, irq_ipi_kick_id());
}

/* What was printed last ("rebooting...") is on the terminal first. */
__noreturn void platform_reboot(void)
{
	console_flush();
	if (power_ops && power_ops->reboot)
		power_ops->reboot();
	log_error("reboot: the firmware did not reset the machine; halting");
	console_flush();
	arch_halt_all();
}

__noreturn void platform_poweroff(void)
{
	console_flush();
	if (power_ops && power_ops->poweroff)
		power_ops->poweroff();
	log_error("poweroff: the firmware did not power off the machine; halting");
	console_flush();
	arch_halt_all();
}
