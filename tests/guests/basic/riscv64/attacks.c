/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The riscv64 side of the attack mode: vCPU 1 started with SBI HSM,
 * probing accesses of every width, and the attacks with a RISC-V meaning
 * (IPI, timer and SBI storms, reset storm, counters Keel does not offer). Attacks on arm64-only machinery (the
 * vGIC, the generic timer's level, debug registers) have no riscv64
 * counterpart and say so as a failure, so a scenario that asks for one on
 * riscv64 cannot pass by accident.
 */
#include "riscv64.h"
#include "../arch.h"
#include "../attacks.h"

uint64_t attack_read8(uintptr_t addr);
uint64_t attack_read16(uintptr_t addr);
uint64_t attack_read32(uintptr_t addr);
uint64_t attack_read64(uintptr_t addr);
void attack_write8(uintptr_t addr, uint8_t value);
void attack_write16(uintptr_t addr, uint16_t value);
void attack_write32(uintptr_t addr, uint32_t value);
void attack_write64(uintptr_t addr, uint64_t value);
uint64_t attack_read_cycle(void);
uint64_t attack_read_instret(void);
uint64_t attack_read_hpmcounter3(void);
void attack_secondary_entry(void);
void attack_secondary_main(unsigned int cpu);

static bool probe_end_taken(uint64_t *syndrome)
{
	struct cpu_state *cpu = this_cpu();

	fence_all();
	cpu->expect_abort = false;
	if (cpu->abort_taken && syndrome)
		*syndrome = cpu->abort_cause;
	return cpu->abort_taken;
}

static void probe_start(void)
{
	struct cpu_state *cpu = this_cpu();

	cpu->abort_taken = false;
	cpu->expect_abort = true;
	fence_all();
}

bool arch_attack_read(uintptr_t addr, unsigned int bytes, uint64_t *value,
		      uint64_t *syndrome)
{
	uint64_t v;

	probe_start();
	switch (bytes) {
	case 1:
		v = attack_read8(addr);
		break;
	case 2:
		v = attack_read16(addr);
		break;
	case 4:
		v = attack_read32(addr);
		break;
	default:
		v = attack_read64(addr);
		break;
	}
	if (probe_end_taken(syndrome)) {
		*value = 0;
		return true;
	}
	*value = v;
	return false;
}

bool arch_attack_write(uintptr_t addr, unsigned int bytes, uint64_t value,
		       uint64_t *syndrome)
{
	probe_start();
	switch (bytes) {
	case 1:
		attack_write8(addr, (uint8_t)value);
		break;
	case 2:
		attack_write16(addr, (uint16_t)value);
		break;
	case 4:
		attack_write32(addr, (uint32_t)value);
		break;
	default:
		attack_write64(addr, value);
		break;
	}
	return probe_end_taken(syndrome);
}

/* ------------------------------------------------------------ vCPU 1 --- */

static void (*volatile cpu1_fn)(void *);
static void *volatile cpu1_arg;

const char *arch_attack_cpu_on(void (*fn)(void *), void *arg)
{
	struct sbiret ret;

	cpu1_fn = fn;
	cpu1_arg = arg;
	cpu_state_of(1)->expect_abort = false;
	fence_all();
	ret = sbi_call(SBI_EXT_HSM, 0, 1, (uintptr_t)attack_secondary_entry, 1, 0);
	if (ret.error) {
		static char why[64];

		format_string(why, sizeof(why), "SBI HSM hart_start of hart 1 returned %ld",
			      ret.error);
		return why;
	}
	return NULL;
}

void attack_secondary_main(unsigned int cpu)
{
	(void)cpu;
	cpu1_fn(cpu1_arg);
	sbi_call(SBI_EXT_HSM, 1, 0, 0, 0, 0);
	arch_halt();
}

/* ------------------------------------------------------------ storms --- */

void arch_attack_sgi_storm(void)
{
	uint64_t last = arch_counter_read(), sent = 0;

	arch_irq_init();
	csr_set(sstatus, SSTATUS_SIE);
	for (;;) {
		sbi_call(SBI_EXT_IPI, 0, 0, ~0UL, 0, 0);    /* every hart */
		sent++;
		if (attack_second_passed(&last))
			attack_note("%lu IPIs sent, %lu taken", sent, this_cpu()->ipi_count);
	}
}

void arch_attack_timer_storm(void)
{
	uint64_t last = arch_counter_read(), n = 0;

	for (;;) {
		sbi_set_timer(arch_counter_read() + 1 + (n & 0xf));
		n++;
		if (attack_second_passed(&last))
			attack_note("%lu timer writes", n);
	}
}

void arch_attack_psci_storm(void)
{
	uint64_t last = arch_counter_read(), n = 0;

	for (;;) {
		sbi_call(SBI_EXT_HSM, 2, 1, 0, 0, 0);
		n++;
		if (attack_second_passed(&last))
			attack_note("%lu SBI calls", n);
	}
}

void arch_attack_reset_storm(void)
{
	attack_note("SBI system reset (cold reboot)");
	arch_reset();
	attack_fail("SBI system reset returned");
	arch_halt();
}

void arch_attack_timer_reset_race(void)
{
	attack_fail("timer-reset-race races the arm64 generic timer; riscv64 has no counterpart");
	arch_halt();
}

/* ----------------------------------------------------- probes, faults --- */

/* cycle, instret and the hardware performance counters are not offered
 * to guests: reading each must raise an illegal-instruction exception in
 * the guest (which the probe skips), never return a host count. */
void arch_attack_pmu_probe(void)
{
	static const struct {
		const char *name;
		uint64_t (*read)(void);
	} counters[] = {
		{ "cycle", attack_read_cycle },
		{ "instret", attack_read_instret },
		{ "hpmcounter3", attack_read_hpmcounter3 },
	};
	uint64_t cause = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(counters); i++) {
		uint64_t value;

		probe_start();
		value = counters[i].read();
		if (!probe_end_taken(&cause)) {
			attack_fail("reading %s returned 0x%lx; expected an illegal-instruction exception",
				    counters[i].name, value);
			return;
		}
		if (cause != 2) {
			attack_fail("reading %s raised exception %lu; expected an illegal instruction (2)",
				    counters[i].name, cause);
			return;
		}
	}
	attack_pass("cycle, instret and hpmcounter3 are illegal instructions in the guest");
}

void arch_attack_debug_probe(void)
{
	attack_fail("debug-probe probes arm64 debug registers; riscv64 has no counterpart");
}

void arch_attack_mmio_sweep(void)
{
	attack_fail("mmio-sweep has no riscv64 port yet");
}

void arch_attack_fetch_unmapped(void)
{
	attack_fail("fetch-unmapped has no riscv64 port yet");
}

void arch_attack_vgic_abuse(void)
{
	attack_fail("vgic-abuse attacks the arm64 vGIC; riscv64 has no counterpart");
}

void arch_attack_timer_level(void)
{
	attack_fail("timer-level checks the arm64 generic timer's level; riscv64 has no counterpart");
}
