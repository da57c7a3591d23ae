/* SPDX-License-Identifier: GPL-2.0-only */
/* Machine-wide services that a firmware driver provides (PSCI on arm64). */
#ifndef KEEL_PLATFORM_H
#define KEEL_PLATFORM_H

#include <keel/types.h>

struct platform_power_ops {
	const char *name;
	void (*reboot)(void);
	void (*poweroff)(void);
	/* Starts a CPU at the physical entry point; returns 0 or -KEEL_E*. */
	int (*cpu_on)(uint64_t hwid, hpa_t entry, uint64_t context);
};

void platform_set_power_ops(const struct platform_power_ops *ops);
const struct platform_power_ops *platform_power_ops(void);
/* Reboot / power off the machine; never return (park if the firmware does). */
__noreturn void platform_reboot(void);
__noreturn void platform_poweroff(void);

/* Boot information shown by the banner and `version` / `cpus`. */
#define KEEL_MAX_CPUS 8

enum cpu_state { CPU_ABSENT, CPU_OFFLINE, CPU_STARTING, CPU_ONLINE, CPU_FAILED };

struct cpu_info {
	uint64_t hwid;           /* MPIDR affinity on arm64 */
	enum cpu_state state;
	uint64_t boot_ns;        /* when it came online */
	uint64_t irqs;           /* interrupts taken */
	uint64_t idle_ns;        /* time spent waiting for interrupts */
	uint64_t idle_since_ns;  /* when the current wait began, 0 if busy */
};

extern struct cpu_info cpu_info[KEEL_MAX_CPUS];
extern unsigned int cpu_count; /* CPUs found in the device tree */
unsigned int cpu_online_count(void);
/* Waits for an interrupt on the calling CPU, counting the time as idle. */
void cpu_idle_once(void);
/* Idle time of cpu so far, the wait in progress included. */
uint64_t cpu_idle_ns(unsigned int cpu, uint64_t now_ns);
/* "online", "offline", ... */
const char *cpu_state_name(enum cpu_state state);

const char *keel_version(void);
const char *keel_config_name(void);
/* Set when Keel stops on a panic: CPUs that notice park themselves. */
extern bool keel_halting;
/* For arch_halt_all(): sets keel_halting, then sends every other CPU the
 * kick IPI, whose handler parks it (a CPU in a guest leaves it first). */
void platform_halt_others(void);
/* Milliseconds from Keel's entry to the boot banner. */
extern uint64_t keel_boot_ms;

#endif
