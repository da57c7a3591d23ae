/* SPDX-License-Identifier: GPL-2.0-only */
/* `cpus`: the host CPUs, their state and how busy they are. */
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/shell.h>
#include <keel/time.h>

/* Idle share since the CPU came online, in percent, without overflow. */
static unsigned int cpus_idle_percent(unsigned int index, const struct cpu_info *cpu,
				      uint64_t now_ns)
{
	uint64_t elapsed, percent;

	if (now_ns <= cpu->boot_ns)
		return 0;
	elapsed = now_ns - cpu->boot_ns;
	if (elapsed < 100)
		return 0;
	percent = cpu_idle_ns(index, now_ns) / (elapsed / 100);
	return (unsigned int)MIN(percent, (uint64_t)100);
}

static int cpus_run(int argc, char **argv __unused)
{
	uint64_t now = time_now_ns();
	unsigned int i;

	if (argc > 1) {
		kprintf("cpus: takes no arguments\n");
		return -KEEL_EINVAL;
	}
	kprintf("%3s  %-10s  %-8s  %12s  %s\n", "cpu", "hwid", "state", "irqs",
		"idle");
	for (i = 0; i < cpu_count && i < KEEL_MAX_CPUS; i++) {
		const struct cpu_info *cpu = &cpu_info[i];

		kprintf("%3u  0x%-8llx  %-8s  %12llu", i,
			(unsigned long long)cpu->hwid,
			cpu_state_name(cpu->state),
			(unsigned long long)cpu->irqs);
		if (cpu->state == CPU_ONLINE)
			kprintf("  %3u%%\n", cpus_idle_percent(i, cpu, now));
		else
			kprintf("     -\n");
	}
	kprintf("%u of %u CPUs online\n", cpu_online_count(), cpu_count);
	return 0;
}

SHELL_COMMAND(cpus,
	.name = "cpus",
	.usage = "cpus",
	.summary = "list the host CPUs and their state",
	.help = "hwid is the CPU's hardware id (MPIDR affinity on arm64); irqs\n"
		"counts interrupts taken; idle is the share of time spent waiting\n"
		"for interrupts since the CPU came online.",
	.run = cpus_run);
