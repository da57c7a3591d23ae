/* SPDX-License-Identifier: GPL-2.0-only */
/* Host CPU discovery and bring-up of the secondary CPUs. */
#include <keel/boot.h>
#include <keel/console.h>
#include <keel/devtree.h>
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/sched.h>
#include <keel/time.h>
#include <keel/work.h>
#include <arch/cpu.h>
#include <libfdt.h>

#define CPU_START_TIMEOUT_NS (2 * NSEC_PER_SEC)

static const char *const cpu_state_names[] = {
	[CPU_ABSENT] = "absent", [CPU_OFFLINE] = "offline",
	[CPU_STARTING] = "starting", [CPU_ONLINE] = "online",
	[CPU_FAILED] = "failed",
};

const char *cpu_state_name(enum cpu_state state)
{
	return state < ARRAY_SIZE(cpu_state_names) ? cpu_state_names[state] : "?";
}

int smp_discover_cpus(const void *fdt, uint64_t boot_hwid)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	unsigned int next = 1;
	int node;

	cpu_info[0].hwid = boot_hwid;
	cpu_info[0].state = CPU_ONLINE;
	cpu_count = 1;
	if (cpus < 0)
		return -KEEL_ENOENT;
	fdt_for_each_subnode(node, fdt, cpus) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		uint64_t hwid, size;

		if (!type || strcmp(type, "cpu") != 0 || !devtree_node_enabled(fdt, node))
			continue;
		if (devtree_read_reg(fdt, node, 0, &hwid, &size)) {
			log_warn("cpus: %s has no usable \"reg\"; ignored",
				 fdt_get_name(fdt, node, NULL));
			continue;
		}
		if (hwid == boot_hwid)
			continue;
		if (next >= KEEL_MAX_CPUS || next >= CONFIG_MAX_CPUS) {
			log_warn("cpus: %s (hwid 0x%llx) left offline: Keel is built for %d CPUs (CONFIG_MAX_CPUS)",
				 fdt_get_name(fdt, node, NULL), (unsigned long long)hwid,
				 CONFIG_MAX_CPUS);
			continue;
		}
		cpu_info[next].hwid = hwid;
		cpu_info[next].state = CPU_OFFLINE;
		next++;
	}
	cpu_count = next;
	return 0;
}

void smp_cpu_online(unsigned int cpu)
{
	cpu_info[cpu].boot_ns = time_now_ns();
	__atomic_store_n(&cpu_info[cpu].state, CPU_ONLINE, __ATOMIC_RELEASE);
}

void smp_start_secondaries(hpa_t entry)
{
	const struct platform_power_ops *ops = platform_power_ops();

	for (unsigned int cpu = 1; cpu < cpu_count; cpu++) {
		uint64_t deadline;
		int err;

		if (!ops || !ops->cpu_on) {
			cpu_info[cpu].state = CPU_OFFLINE;
			continue;
		}
		cpu_info[cpu].state = CPU_STARTING;
		err = ops->cpu_on(cpu_info[cpu].hwid, entry, cpu);
		if (err) {
			log_error("cpus: CPU %u (hwid 0x%llx) did not start: %s",
				  cpu, (unsigned long long)cpu_info[cpu].hwid,
				  keel_strerror(err));
			cpu_info[cpu].state = CPU_FAILED;
			continue;
		}
		deadline = time_now_ns() + CPU_START_TIMEOUT_NS;
		while (__atomic_load_n(&cpu_info[cpu].state, __ATOMIC_ACQUIRE) != CPU_ONLINE) {
			if (time_now_ns() > deadline) {
				log_error("cpus: CPU %u (hwid 0x%llx) started but never came online",
					  cpu, (unsigned long long)cpu_info[cpu].hwid);
				cpu_info[cpu].state = CPU_FAILED;
				break;
			}
			arch_cpu_relax();
		}
	}
	log_info("cpus: %u of %u online", cpu_online_count(), cpu_count);
}

/*
 * Time a CPU would idle goes to guests: run one vCPU of this CPU's queue
 * to its next exit, or wait for an interrupt when there is none. The
 * management CPU also does the guest work exit handlers asked it for.
 */
void cpu_idle_once(void)
{
	struct cpu_info *info = &cpu_info[arch_cpu_id()];
	unsigned long flags = arch_irq_save();
	uint64_t start;

	/* Console output whose transmit interrupt went astray goes out
	 * from here (keel/console.h); normally there is nothing to do. */
	if (arch_cpu_id() == 0)
		console_poll();
	/*
	 * Both run with interrupts enabled for a while, and an interrupt
	 * taken then may be what the caller waits for (a key): after either,
	 * return so that the caller looks again instead of sleeping.
	 */
	if (arch_cpu_id() == 0 && sched_service_requested()) {
		arch_irq_enable();
		sched_service();
		arch_irq_disable();
	} else if (!sched_run_once()) {
		start = time_now_ns();
		/* Idle first, then a last look for work: a CPU that queued
		 * some and goes into a guest either sees this CPU idle and
		 * kicks it (sched.c), or its work is seen here. */
		__atomic_store_n(&info->idle_since_ns, start ? start : 1, __ATOMIC_SEQ_CST);
		if (!work_pending())
			arch_cpu_idle();
		__atomic_store_n(&info->idle_since_ns, 0, __ATOMIC_SEQ_CST);
		WRITE_ONCE(info->idle_ns, info->idle_ns + (time_now_ns() - start));
	}
	arch_irq_restore(flags);
}

uint64_t cpu_idle_ns(unsigned int cpu, uint64_t now_ns)
{
	uint64_t since = READ_ONCE(cpu_info[cpu].idle_since_ns);
	uint64_t idle = READ_ONCE(cpu_info[cpu].idle_ns);

	/* A wait that just ended may be counted in neither or both; the
	 * error is one wait, which is fine for a percentage. */
	if (since && now_ns > since)
		idle += now_ns - since;
	return idle;
}

__noreturn void cpu_idle_loop(void)
{
	for (;;)
		cpu_idle_once();
}
