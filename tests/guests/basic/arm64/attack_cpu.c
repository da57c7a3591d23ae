// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arm64 attacks of the attack mode (../attacks.h): the CPU state a
 * hypervisor must keep per vCPU (PMU, debug registers), storms of SGIs,
 * timer writes, PSCI calls and resets, and the exception an attack expects
 * (an access that faults, an undefined register, a fetch from nowhere),
 * which the attack's own handler takes instead of the checks' one.
 */
#include "arm64.h"
#include "../attacks.h"

#define EC_UNKNOWN 0x00
#define EC_INSTRUCTION_ABORT_SAME_EL 0x21
#define EC_DATA_ABORT_SAME_EL 0x25
#define CNT_CTL_ENABLE 1U
#define CNT_CTL_IMASK 2U
#define CNT_CTL_ISTATUS 4U
#define SMCCC_VERSION_ID 0x80000000U
#define GICR_SGI_FRAME 0x10000UL

/* ----------------------------------------------------- expected traps --- */

/* The exception an attack expects is recorded by exception.c's
 * trap_expect()/trap_taken(). This ends the expectation: true when the instruction raised an exception,
 * with its syndrome in *esr and fault address in *far (either may be
 * NULL). */
static bool attack_trap_taken(uint64_t *esr, uint64_t *far)
{
	struct trap_record t = { 0 };
	bool taken = trap_taken(&t);

	if (esr)
		*esr = t.esr;
	if (far)
		*far = t.far;
	return taken;
}

/* A system register access that may be undefined: *undef says whether it
 * was (the register's value then reads as 0). */
#define TRY_MRS(reg, value, undef) do {					\
	uint64_t v__ = 0;						\
	trap_expect(0);							\
	asm volatile("mrs %0, " #reg : "+r"(v__) :: "memory");		\
	(undef) = attack_trap_taken(NULL, NULL);			\
	(value) = v__;							\
} while (0)
#define TRY_MSR(reg, value, undef) do {					\
	trap_expect(0);							\
	asm volatile("msr " #reg ", %0" :: "r"((uint64_t)(value)) : "memory"); \
	isb();								\
	(undef) = attack_trap_taken(NULL, NULL);			\
} while (0)

uint8_t attack_read8(uintptr_t addr);
uint16_t attack_read16(uintptr_t addr);
uint32_t attack_read32(uintptr_t addr);
uint64_t attack_read64(uintptr_t addr);
void attack_write8(uintptr_t addr, uint8_t value);
void attack_write16(uintptr_t addr, uint16_t value);
void attack_write32(uintptr_t addr, uint32_t value);
void attack_write64(uintptr_t addr, uint64_t value);
void attack_secondary_entry(void);
void attack_secondary_main(unsigned int cpu);

bool arch_attack_read(uintptr_t addr, unsigned int bytes, uint64_t *value,
		      uint64_t *syndrome)
{
	uint64_t v = 0;

	trap_expect(0);
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
	if (attack_trap_taken(syndrome, NULL)) {
		*value = 0;
		return true;
	}
	*value = v;
	return false;
}

bool arch_attack_write(uintptr_t addr, unsigned int bytes, uint64_t value,
		       uint64_t *syndrome)
{
	trap_expect(0);
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
	return attack_trap_taken(syndrome, NULL);
}

void arch_mmio_write8(uintptr_t addr, uint8_t value)
{
	asm volatile("strb %w0, [%1]" :: "rZ"(value), "r"(addr) : "memory");
}

void arch_mmio_write16(uintptr_t addr, uint16_t value)
{
	asm volatile("strh %w0, [%1]" :: "rZ"(value), "r"(addr) : "memory");
}

/* ------------------------------------------------------------ vCPU 1 --- */

static void (*volatile cpu1_fn)(void *);
static void *volatile cpu1_arg;

static uint64_t cpu1_mpidr(void)
{
	return board.have_cpu1_reg ? board.cpu1_reg : 1;
}

const char *arch_attack_cpu_on(void (*fn)(void *), void *arg)
{
	int64_t ret;

	cpu1_fn = fn;
	cpu1_arg = arg;
	cpu_state_of(1)->irq_ready = false;
	cpu_state_of(1)->expect_trap = false;
	dsb_sy();
	ret = psci_call(PSCI_CPU_ON, cpu1_mpidr(), (uintptr_t)attack_secondary_entry, 1);
	if (ret) {
		static char why[64];

		format_string(why, sizeof(why), "PSCI CPU_ON of vCPU 1 returned %ld", ret);
		return why;
	}
	return NULL;
}

void attack_secondary_main(unsigned int cpu)
{
	(void)cpu;
	cpu1_fn(cpu1_arg);
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
	arch_halt();
}

/* Sleeps ms in WFI on the virtual timer (other vCPUs run meanwhile). */
static void sleep_ms(uint64_t ms)
{
	uint64_t at, end = arch_counter_read() + attack_ms(ms);

	arch_timer_start(end);
	while (!arch_timer_fired(&at) && arch_counter_read() < end + counter_hz)
		arch_wait_for_interrupt();
	arch_timer_stop();
}

/* ------------------------------------------------ per-vCPU registers --- */

/*
 * Both vCPUs of the attacker, pinned to one host CPU (cpu-affinity), write
 * their own values into registers and sleep, so that the other runs on
 * that CPU in between; each must read back its own values. Registers a
 * hypervisor does not switch show the other vCPU's.
 */
struct per_vcpu {
	const char *what;
	void (*write)(unsigned int cpu);
	/* NULL, or which register read back what (into why). */
	bool (*check)(unsigned int cpu, char *why, size_t size);
};

static volatile uint32_t per_vcpu_done[BASIC_MAX_CPUS];
static char per_vcpu_why[BASIC_MAX_CPUS][192];

static void per_vcpu_loop(void *arg)
{
	const struct per_vcpu *p = arg;
	unsigned int cpu = arch_cpu_index();

	per_vcpu_why[cpu][0] = '\0';
	if (arch_irq_init()) {
		format_string(per_vcpu_why[cpu], sizeof(per_vcpu_why[cpu]),
			      "vCPU %u: no interrupt controller", cpu);
	} else {
		for (unsigned int i = 0; i < 40; i++) {
			p->write(cpu);
			sleep_ms(2);
			if (!p->check(cpu, per_vcpu_why[cpu], sizeof(per_vcpu_why[cpu])))
				break;
		}
	}
	dsb_sy();
	per_vcpu_done[cpu] = 1;
	dsb_sy();
}

static void per_vcpu_run(const struct per_vcpu *p)
{
	uint64_t end;
	const char *why;

	per_vcpu_done[0] = per_vcpu_done[1] = 0;
	per_vcpu_why[1][0] = '\0';
	dsb_sy();
	why = arch_attack_cpu_on(per_vcpu_loop, (void *)p);
	if (why) {
		attack_fail("%s", why);
		return;
	}
	per_vcpu_loop((void *)p);
	/* Asleep, not spinning: vCPU 1 shares this vCPU's host CPU. */
	end = arch_counter_read() + 5 * counter_hz;
	while (!per_vcpu_done[1] && arch_counter_read() < end)
		sleep_ms(5);
	if (!per_vcpu_done[1])
		attack_fail("%s: vCPU 1 did not finish within 5 s", p->what);
	else if (per_vcpu_why[0][0] || per_vcpu_why[1][0])
		attack_fail("%s: %s%s%s", p->what, per_vcpu_why[0],
			    per_vcpu_why[0][0] && per_vcpu_why[1][0] ? "; " : "",
			    per_vcpu_why[1]);
	else
		attack_pass("%s: each of two vCPUs sharing a host CPU read back its own values, 40 times over",
			    p->what);
}

/* ------------------------------------------------------------- pmu-probe --- */

static const uint64_t pmu_selr[2] = { 3, 5 };
static const uint64_t pmu_userenr[2] = { 0x5, 0xa };
static const uint64_t pmu_evtyper[2] = { 0x11, 0x08 };
static bool pmu_has_counter0;

static void pmu_write(unsigned int cpu)
{
	write_sysreg(pmselr_el0, pmu_selr[cpu]);
	write_sysreg(pmuserenr_el0, pmu_userenr[cpu]);
	if (pmu_has_counter0)
		write_sysreg(pmevtyper0_el0, pmu_evtyper[cpu]);
	isb();
}

static bool pmu_check(unsigned int cpu, char *why, size_t size)
{
	uint64_t selr = read_sysreg(pmselr_el0) & 0x1f;
	uint64_t userenr = read_sysreg(pmuserenr_el0) & 0xf;
	uint64_t evtyper = pmu_has_counter0 ? read_sysreg(pmevtyper0_el0) & 0x3ff :
					      pmu_evtyper[cpu];

	if (selr == pmu_selr[cpu] && userenr == pmu_userenr[cpu] &&
	    evtyper == pmu_evtyper[cpu])
		return true;
	format_string(why, size,
		      "vCPU %u wrote PMSELR_EL0 %lu, PMUSERENR_EL0 0x%lx, PMEVTYPER0_EL0 0x%lx and read back %lu, 0x%lx, 0x%lx after sleeping: not kept per vCPU",
		      cpu, pmu_selr[cpu], pmu_userenr[cpu], pmu_evtyper[cpu], selr,
		      userenr, evtyper);
	return false;
}

void arch_attack_pmu_probe(void)
{
	static const struct per_vcpu pmu_per_vcpu = {
		"PMU registers", pmu_write, pmu_check,
	};
	static const char *const names[] = {
		"PMCR_EL0", "PMCCNTR_EL0", "PMCNTENSET_EL0", "PMUSERENR_EL0",
		"PMSELR_EL0", "PMCCFILTR_EL0", "PMOVSSET_EL0",
	};
	uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
	unsigned int pmuver = (unsigned int)(dfr0 >> 8 & 0xf);
	bool advertised = pmuver != 0 && pmuver != 0xf;
	bool undef[ARRAY_SIZE(names)];
	uint64_t value[ARRAY_SIZE(names)], before, after;
	unsigned int undefs = 0, first_read = ~0U, first_undef = ~0U;

	TRY_MRS(pmcr_el0, value[0], undef[0]);
	TRY_MRS(pmccntr_el0, value[1], undef[1]);
	TRY_MRS(pmcntenset_el0, value[2], undef[2]);
	TRY_MRS(pmuserenr_el0, value[3], undef[3]);
	TRY_MRS(pmselr_el0, value[4], undef[4]);
	TRY_MRS(pmccfiltr_el0, value[5], undef[5]);
	TRY_MRS(pmovsset_el0, value[6], undef[6]);
	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		if (undef[i]) {
			undefs++;
			if (first_undef == ~0U)
				first_undef = i;
		} else if (first_read == ~0U) {
			first_read = i;
		}
	}
	attack_note("ID_AA64DFR0_EL1 0x%lx (PMUVer %u); %u of %u PMU registers UNDEF; PMCR_EL0 0x%lx, PMCCNTR_EL0 0x%lx",
		    dfr0, pmuver, undefs, (unsigned int)ARRAY_SIZE(names), value[0],
		    value[1]);
	if (!advertised) {
		if (undefs == ARRAY_SIZE(names))
			attack_pass("no PMU advertised (PMUVer %u) and every PMU register is undefined",
				    pmuver);
		else
			attack_fail("ID_AA64DFR0_EL1.PMUVer %u says there is no PMU, yet %s reads 0x%lx instead of being undefined",
				    pmuver, names[first_read], value[first_read]);
		return;
	}
	if (undefs) {
		attack_fail("ID_AA64DFR0_EL1.PMUVer %u advertises a PMU, yet %s is undefined",
			    pmuver, names[first_undef]);
		return;
	}
	/*
	 * Count cycles at EL2 only (PMCCFILTR_EL0 P and U filter out EL1 and
	 * EL0, NSH asks for EL2): a PMU that is the guest's own must not count
	 * Keel's execution while serving 200 hypercalls.
	 */
	write_sysreg(pmcntenclr_el0, ~0UL);
	write_sysreg(pmccfiltr_el0, (1UL << 31) | (1UL << 30) | (1UL << 27));
	write_sysreg(pmcr_el0, (value[0] & ~0xffUL) | 1UL | 4UL);	/* E, C */
	write_sysreg(pmcntenset_el0, 1UL << 31);
	isb();
	before = read_sysreg(pmccntr_el0);
	for (unsigned int i = 0; i < 200; i++)
		psci_call(SMCCC_VERSION_ID, 0, 0, 0);
	isb();
	after = read_sysreg(pmccntr_el0);
	write_sysreg(pmcntenclr_el0, 1UL << 31);
	write_sysreg(pmcr_el0, value[0] & ~1UL);
	write_sysreg(pmccfiltr_el0, 0);
	isb();
	if (after != before)
		attack_fail("with EL0 and EL1 filtered out (PMCCFILTR_EL0 P, U; NSH set) the cycle counter went from %lu to %lu over 200 hypercalls: it counts Keel's own EL2 execution",
			    before, after);
	else
		attack_pass("the cycle counter counts none of Keel's EL2 execution over 200 hypercalls");
	pmu_has_counter0 = ((read_sysreg(pmcr_el0) >> 11) & 0x1f) > 0;
	per_vcpu_run(&pmu_per_vcpu);
}

/* ----------------------------------------------------------- debug-probe --- */

static const uint64_t dbg_bvr[2] = { 0x40001000, 0x40001100 };
static const uint64_t dbg_bcr[2] = { 0x1e6, 0x1e2 };	/* E = 0: never fires */
static const uint64_t dbg_wvr[2] = { 0x40002000, 0x40002008 };
static const uint64_t dbg_wcr[2] = { 0x1fde, 0x1ea };	/* E = 0 */
static volatile bool dbg_undef;

static void dbg_write(unsigned int cpu)
{
	bool u0, u1, u2, u3;

	TRY_MSR(dbgbvr0_el1, dbg_bvr[cpu], u0);
	TRY_MSR(dbgbcr0_el1, dbg_bcr[cpu], u1);
	TRY_MSR(dbgwvr0_el1, dbg_wvr[cpu], u2);
	TRY_MSR(dbgwcr0_el1, dbg_wcr[cpu], u3);
	if (u0 || u1 || u2 || u3)
		dbg_undef = true;
}

/* Its own value, or 0 (a hypervisor may make them RAZ/WI): anything else
 * is the other vCPU's. */
static bool dbg_check(unsigned int cpu, char *why, size_t size)
{
	uint64_t bvr, bcr, wvr, wcr;
	bool u0, u1, u2, u3;

	TRY_MRS(dbgbvr0_el1, bvr, u0);
	TRY_MRS(dbgbcr0_el1, bcr, u1);
	TRY_MRS(dbgwvr0_el1, wvr, u2);
	TRY_MRS(dbgwcr0_el1, wcr, u3);
	if (u0 || u1 || u2 || u3) {
		dbg_undef = true;
		return true;
	}
	bcr &= 0x1fe;
	wcr &= 0x1ffe;
	if ((bvr == dbg_bvr[cpu] || !bvr) && (bcr == dbg_bcr[cpu] || !bcr) &&
	    (wvr == dbg_wvr[cpu] || !wvr) && (wcr == dbg_wcr[cpu] || !wcr))
		return true;
	format_string(why, size,
		      "vCPU %u wrote DBGBVR0 0x%lx DBGBCR0 0x%lx DBGWVR0 0x%lx DBGWCR0 0x%lx and read back 0x%lx 0x%lx 0x%lx 0x%lx after sleeping: the other vCPU's (not switched)",
		      cpu, dbg_bvr[cpu], dbg_bcr[cpu], dbg_wvr[cpu], dbg_wcr[cpu], bvr,
		      bcr, wvr, wcr);
	return false;
}

void arch_attack_debug_probe(void)
{
	static const struct per_vcpu dbg_per_vcpu = {
		"breakpoint and watchpoint registers", dbg_write, dbg_check,
	};
	uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);

	attack_note("ID_AA64DFR0_EL1 0x%lx: %lu breakpoints, %lu watchpoints", dfr0,
		    (dfr0 >> 12 & 0xf) + 1, (dfr0 >> 20 & 0xf) + 1);
	dbg_undef = false;
	per_vcpu_run(&dbg_per_vcpu);
	if (dbg_undef)
		attack_fail("the debug registers DBGBVR0/DBGBCR0/DBGWVR0/DBGWCR0_EL1 are undefined; the architecture always has at least two of each, so a guest must be able to use them");
}

/* --------------------------------------------------------------- storms --- */

static volatile uint64_t storm_taken[BASIC_MAX_CPUS];
static volatile uint64_t storm_done[BASIC_MAX_CPUS];

static void storm_irq(unsigned int intid)
{
	unsigned int cpu = arch_cpu_index();

	if (intid == PPI_VIRTUAL_TIMER)
		write_sysreg(cntv_cval_el0, 0);
	else if (intid == PPI_PHYSICAL_TIMER)
		write_sysreg(cntp_cval_el0, 0);
	storm_taken[cpu < BASIC_MAX_CPUS ? cpu : 0]++;
}

static void storm_progress(uint64_t *last, const char *what)
{
	if (arch_cpu_index() || !attack_second_passed(last))
		return;
	attack_note("running, %lu + %lu %s, %lu + %lu interrupts taken",
		    storm_done[0], storm_done[1], what, storm_taken[0], storm_taken[1]);
}

static void sgi_storm_loop(void *arg)
{
	unsigned int cpu = arch_cpu_index();
	uint64_t last = arch_counter_read();

	(void)arg;
	if (arch_irq_init())
		return;
	for (unsigned int i = 0; i < 16; i++) {
		gic_set_handler(i, storm_irq);
		gic_enable_private(i);
	}
	asm volatile("msr daifclr, #2" ::: "memory");
	for (uint64_t n = 0;; n++) {
		gic_send_sgi((unsigned int)(n % 16), n & 1 ? cpu1_mpidr() : 0);
		storm_done[cpu]++;
		if (!(n & 0x3ff))
			storm_progress(&last, "SGIs sent");
	}
}

void arch_attack_sgi_storm(void)
{
	arch_attack_cpu_on(sgi_storm_loop, NULL);
	sgi_storm_loop(NULL);
	arch_halt();
}

static void timer_storm_loop(void *arg)
{
	unsigned int cpu = arch_cpu_index();
	uint64_t last = arch_counter_read();

	(void)arg;
	if (arch_irq_init())
		return;
	gic_set_handler(PPI_VIRTUAL_TIMER, storm_irq);
	gic_set_handler(PPI_PHYSICAL_TIMER, storm_irq);
	gic_enable_private(PPI_VIRTUAL_TIMER);
	gic_enable_private(PPI_PHYSICAL_TIMER);
	asm volatile("msr daifclr, #2" ::: "memory");
	for (uint64_t n = 0;; n++) {
		/* Deadlines of 0, now and just ahead, over and over. */
		write_sysreg(cntv_cval_el0, n % 3 ? 0 : arch_counter_read());
		write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
		write_sysreg(cntp_cval_el0, n % 2 ? 0 : read_sysreg(cntpct_el0) + n % 7);
		write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE);
		if (!(n & 7))
			write_sysreg(cntp_tval_el0, 0);
		storm_done[cpu]++;
		if (!(n & 0x3ff))
			storm_progress(&last, "timer writes");
	}
}

void arch_attack_timer_storm(void)
{
	arch_attack_cpu_on(timer_storm_loop, NULL);
	timer_storm_loop(NULL);
	arch_halt();
}

static void psci_nothing(void *arg)
{
	(void)arg;
}

void arch_attack_psci_storm(void)
{
	uint64_t last = arch_counter_read();

	for (uint64_t n = 0;; n++) {
		cpu1_fn = psci_nothing;
		dsb_sy();
		psci_call(PSCI_CPU_ON, cpu1_mpidr(), (uintptr_t)attack_secondary_entry, 1);
		for (unsigned int i = 0; i < 64; i++)
			if (psci_call(PSCI_AFFINITY_INFO, cpu1_mpidr(), 0, 0) == PSCI_AFFINITY_OFF)
				break;
		psci_call(PSCI_VERSION, 0, 0, 0);
		psci_call(PSCI_CPU_ON, cpu_mpidr(), (uintptr_t)attack_secondary_entry, 0);
		storm_done[0]++;
		if (attack_second_passed(&last))
			attack_note("running, %lu rounds of CPU_ON/AFFINITY_INFO/CPU_OFF",
				    storm_done[0]);
	}
}

void arch_attack_reset_storm(void)
{
	for (;;) {
		arch_reset();
		attack_note("PSCI SYSTEM_RESET returned; again");
	}
}

/* vCPU 1: the physical timer, emulated by Keel, due again and again. */
static void reset_race_timer(void *arg)
{
	(void)arg;
	if (arch_irq_init())
		return;
	gic_set_handler(PPI_PHYSICAL_TIMER, storm_irq);
	gic_enable_private(PPI_PHYSICAL_TIMER);
	asm volatile("msr daifclr, #2" ::: "memory");
	for (uint64_t n = 0;; n++) {
		write_sysreg(cntp_cval_el0, read_sysreg(cntpct_el0) + n % 64);
		write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE);
	}
}

/* vCPU 0 asks for a reset while vCPU 1's emulated timer fires; after the
 * reset the guest does it again, forever. */
void arch_attack_timer_reset_race(void)
{
	uint64_t wait = arch_counter_read() % attack_ms(3);

	arch_attack_cpu_on(reset_race_timer, NULL);
	for (uint64_t end = arch_counter_read() + wait; arch_counter_read() < end;)
		;
	arch_reset();
	for (;;) {
		attack_note("PSCI SYSTEM_RESET returned; again");
		arch_reset();
	}
}

/* ------------------------------------------------------------ mmio-sweep --- */

bool arch_attack_refused(uint64_t esr, bool write)
{
	(void)write;    /* a load's and a store's abort have one class */
	return esr >> 26 == EC_DATA_ABORT_SAME_EL;
}

const char arch_attack_refusal[] = "a data abort";

void arch_attack_mmio_sweep(void)
{
	const unsigned int all = 0xf;
	struct sweep_range ranges[24 + BASIC_MAX_VIRTIO_MMIO];
	unsigned int n = 0;

	/* The GIC frames: every width over their first 2 KiB (one register of
	 * each kind), words over the rest of the first 4 KiB, IROUTER's
	 * doublewords; all of the other windows. */
	ranges[n++] = (struct sweep_range){ "uart", PL011_BASE, 0x1000, all };
	ranges[n++] = (struct sweep_range){ "gicd", GICD_BASE, 0x800, all };
	ranges[n++] = (struct sweep_range){ "gicd", GICD_BASE + 0x800, 0x800, 0x4 };
	ranges[n++] = (struct sweep_range){ "gicd-irouter", GICD_BASE + 0x6000, 0x2000, 0x8 };
	ranges[n++] = (struct sweep_range){ "gicd-id", GICD_BASE + 0xff00, 0x100, all };
	for (unsigned int c = 0; c < 3; c++) {
		uintptr_t rd = GICR_BASE + c * GICR_STRIDE;

		ranges[n++] = (struct sweep_range){ c < 2 ? "gicr" : "gicr-of-nobody", rd,
						    c < 2 ? 0x800 : 0x100, all };
		ranges[n++] = (struct sweep_range){ c < 2 ? "gicr-sgi" : "gicr-sgi-of-nobody",
						    rd + GICR_SGI_FRAME,
						    c < 2 ? 0x800 : 0x100, all };
		if (c < 2) {
			ranges[n++] = (struct sweep_range){ "gicr", rd + 0x800, 0x800, 0x4 };
			ranges[n++] = (struct sweep_range){ "gicr-sgi", rd + GICR_SGI_FRAME + 0x800,
							    0x800, 0x4 };
		}
	}
	for (unsigned int i = 0; i < board.virtio_mmio_count; i++)
		ranges[n++] = (struct sweep_range){ "virtio-mmio", board.virtio_mmio[i].base,
						    board.virtio_mmio[i].size, all };
	ranges[n++] = (struct sweep_range){ "unmapped", 0x0a100000, 0x200, all };
	ranges[n++] = (struct sweep_range){ "unmapped", 0x00001000, 0x200, all };
	ranges[n++] = (struct sweep_range){ "unmapped", 0x3f000000, 0x200, all };

	attack_mmio_sweep(ranges, n);
}

/* -------------------------------------------------------- fetch-unmapped --- */

void arch_attack_fetch_unmapped(void)
{
	const uintptr_t targets[] = {
		0x30000000, (uintptr_t)board_ram_end() + 0x100000, 0x0a100000,
	};
	unsigned int good = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(targets); i++) {
		void (*fn)(void) = (void (*)(void))targets[i];
		uint64_t esr = 0, far = 0;
		bool taken;

		trap_expect(targets[i]);
		fn();
		taken = attack_trap_taken(&esr, &far);
		if (!taken)
			attack_fail("a branch to 0x%lx (no RAM, no device) returned without an exception",
				    targets[i]);
		else if (esr >> 26 != EC_INSTRUCTION_ABORT_SAME_EL || far != targets[i])
			attack_fail("a branch to 0x%lx: expected a prefetch abort (EC 0x21) with FAR 0x%lx; got ESR 0x%lx FAR 0x%lx",
				    targets[i], targets[i], esr, far);
		else
			good++;
	}
	if (good == ARRAY_SIZE(targets))
		attack_pass("instruction fetches from %u addresses with no RAM and no device each gave the guest a prefetch abort",
			    good);
}

/* ------------------------------------------------------------ vgic-abuse --- */

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICR_WAKER 0x0014

static uint64_t vgic_writes, vgic_aborts;

static void vgic_w(uintptr_t addr, unsigned int bytes, uint64_t value)
{
	uint64_t esr;

	vgic_writes++;
	if (arch_attack_write(addr, bytes, value, &esr))
		vgic_aborts++;
}

/* Every distributor register bank over every SPI, with the values given. */
static void vgic_bank(unsigned int lines, uint32_t set, uint32_t prio, uint32_t cfg,
		      uint64_t route)
{
	for (unsigned int i = 1; i < lines / 32; i++) {
		vgic_w(GICD_BASE + 0x080 + 4 * i, 4, set);	/* IGROUPR */
		vgic_w(GICD_BASE + 0x100 + 4 * i, 4, set);	/* ISENABLER */
		vgic_w(GICD_BASE + 0x200 + 4 * i, 4, set);	/* ISPENDR */
		vgic_w(GICD_BASE + 0x300 + 4 * i, 4, set);	/* ISACTIVER */
		vgic_w(GICD_BASE + 0xc00 + 8 * i, 4, cfg);	/* ICFGR */
		vgic_w(GICD_BASE + 0xc04 + 8 * i, 4, cfg);
		vgic_w(GICD_BASE + 0x180 + 4 * i, 4, ~set);	/* ICENABLER */
		vgic_w(GICD_BASE + 0x280 + 4 * i, 4, ~set);	/* ICPENDR */
		vgic_w(GICD_BASE + 0x380 + 4 * i, 4, ~set);	/* ICACTIVER */
	}
	for (unsigned int intid = 32; intid < lines; intid++) {
		vgic_w(GICD_BASE + 0x400 + intid, 1, prio);	/* IPRIORITYR */
		vgic_w(GICD_BASE + 0x6000 + 8 * intid, 8, route);	/* IROUTER */
	}
	for (unsigned int c = 0; c < 2; c++) {
		uintptr_t sgi = GICR_BASE + c * GICR_STRIDE + GICR_SGI_FRAME;

		vgic_w(sgi + 0x100, 4, set);
		vgic_w(sgi + 0x200, 4, set);
		vgic_w(sgi + 0x300, 4, set);
		vgic_w(sgi + 0xc00, 4, cfg);
		vgic_w(sgi + 0xc04, 4, cfg);
		for (unsigned int i = 0; i < 32; i += 4)
			vgic_w(sgi + 0x400 + i, 4, prio * 0x01010101U);
		vgic_w(sgi + 0x180, 4, ~set);
		vgic_w(sgi + 0x280, 4, ~set);
		vgic_w(sgi + 0x380, 4, ~set);
	}
}

void arch_attack_vgic_abuse(void)
{
	uint32_t typer = mmio_read32(GICD_BASE + GICD_TYPER);
	unsigned int lines = 32 * ((typer & 0x1f) + 1);
	uint64_t end, at;
	bool fired = false;

	if (lines > 1020)
		lines = 1020;
	if (arch_irq_init()) {
		attack_fail("no interrupt controller to abuse");
		return;
	}
	vgic_writes = vgic_aborts = 0;
	/* Interrupts masked at the CPU throughout. */
	for (unsigned int round = 0; round < 4; round++) {
		vgic_w(GICD_BASE + GICD_CTLR, 4, round & 1 ? 0 : 0x12);
		vgic_bank(lines, round & 1 ? 0 : ~0U, round & 1 ? 0xff : 0,
			  round & 1 ? 0x55555555 : 0xaaaaaaaa,
			  round == 0 ? 0xff00ffffffUL : round == 1 ? 1UL << 31 : round == 2 ? 1 : 0);
		write_sysreg(S3_0_C4_C6_0, round & 1 ? 0xff : 0);	/* ICC_PMR_EL1 */
		write_sysreg(S3_0_C12_C12_3, round & 7);		/* ICC_BPR1_EL1 */
		write_sysreg(S3_0_C12_C12_7, round & 1);		/* ICC_IGRPEN1_EL1 */
		write_sysreg(S3_0_C12_C12_4, round & 1 ? 2 : 0);	/* ICC_CTLR_EL1 EOImode */
		/* SGI 5 to every other vCPU of the guest (IRM). */
		write_sysreg(S3_0_C12_C11_5, 1UL << 40 | 5UL << 24);
		isb();
	}
	attack_note("%lu register writes over %u interrupts, %lu aborted", vgic_writes, lines,
		    vgic_aborts);
	/* Clean up, set the GIC up again, and see the timer still work. */
	vgic_bank(lines, 0, 0x80, 0, 0);
	vgic_w(GICD_BASE + GICD_CTLR, 4, 0x12);
	for (unsigned int c = 0; c < BASIC_MAX_CPUS; c++)
		cpu_state_of(c)->irq_ready = false;
	write_sysreg(S3_0_C12_C12_4, 0);
	isb();
	if (arch_irq_init()) {
		attack_fail("setting the GIC up again failed");
		return;
	}
	end = arch_counter_read() + counter_hz;
	arch_timer_start(arch_counter_read() + attack_ms(5));
	while (!(fired = arch_timer_fired(&at)) && arch_counter_read() < end)
		arch_wait_for_interrupt();
	arch_timer_stop();
	if (fired)
		attack_pass("after %lu hostile GIC writes and a clean set-up, the guest's own timer interrupt still arrives",
			    vgic_writes);
	else
		attack_fail("after the GIC writes and a clean set-up, the virtual timer interrupt did not arrive within 1 s");
}

/* ----------------------------------------------------------- timer-level --- */

static volatile uint64_t level_taken;

static void level_irq(unsigned int intid)
{
	/* Silence it the way a driver does: switch the timer off. */
	if (intid == PPI_VIRTUAL_TIMER)
		write_sysreg(cntv_ctl_el0, 0);
	else
		write_sysreg(cntp_ctl_el0, 0);
	isb();
	level_taken++;
}

static void irqs_open_ms(uint64_t ms)
{
	uint64_t end = arch_counter_read() + attack_ms(ms);

	asm volatile("msr daifclr, #2" ::: "memory");
	while (arch_counter_read() < end)
		;
	asm volatile("msr daifset, #2" ::: "memory");
}

static void busy_ms(uint64_t ms)
{
	uint64_t end = arch_counter_read() + attack_ms(ms);

	while (arch_counter_read() < end)
		;
}

static void timer_write_ctl(bool phys, uint64_t v)
{
	if (phys)
		write_sysreg(cntp_ctl_el0, v);
	else
		write_sysreg(cntv_ctl_el0, v);
	isb();
}

static void timer_write_cval(bool phys, uint64_t v)
{
	if (phys)
		write_sysreg(cntp_cval_el0, v);
	else
		write_sysreg(cntv_cval_el0, v);
	isb();
}

#define TIMER_CTL(phys) ((phys) ? read_sysreg(cntp_ctl_el0) : read_sysreg(cntv_ctl_el0))
#define TIMER_NOW(phys) ((phys) ? read_sysreg(cntpct_el0) : read_sysreg(cntvct_el0))

/*
 * The virtual timer's registers do not trap on a CPU without FEAT_ECV
 * (CNTHCTL_EL2.EL1TVT), so no hypervisor sees a CNTV_CTL write before the
 * vCPU's next exit: a virtual timer interrupt already delivered to the
 * vCPU interface may still be taken until then (docs/virtualization.md,
 * "Timers"). An HVC is that exit; the trapped physical timer needs none.
 */
static void timer_settle(bool phys)
{
	if (!phys)
		(void)psci_call(PSCI_VERSION, 0, 0, 0);
}

static bool timer_level(bool phys)
{
	const char *name = phys ? "physical" : "virtual";
	unsigned int ppi = phys ? PPI_PHYSICAL_TIMER : PPI_VIRTUAL_TIMER;
	uint64_t ctl, taken;

	gic_set_handler(ppi, level_irq);
	gic_enable_private(ppi);
	/* Due now, interrupts masked: pending. Then ENABLE = 0. */
	timer_write_cval(phys, 0);
	timer_write_ctl(phys, CNT_CTL_ENABLE);
	busy_ms(1);
	timer_write_ctl(phys, 0);
	timer_settle(phys);
	taken = level_taken;
	irqs_open_ms(2);
	if (level_taken != taken) {
		attack_fail("the %s timer's interrupt (PPI %u) was taken after the timer was switched off (ENABLE = 0): its pending state must go with its level",
			    name, ppi);
		return false;
	}
	/* Due, then masked with IMASK: no interrupt, and IMASK reads 1. */
	timer_write_ctl(phys, CNT_CTL_ENABLE);
	busy_ms(1);
	timer_write_ctl(phys, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	timer_settle(phys);
	taken = level_taken;
	irqs_open_ms(2);
	ctl = TIMER_CTL(phys);
	if (level_taken != taken) {
		attack_fail("the %s timer's interrupt was taken after IMASK = 1: its pending state must go when it is masked",
			    name);
		return false;
	}
	if (!(ctl & CNT_CTL_IMASK) || !(ctl & CNT_CTL_ISTATUS)) {
		attack_fail("the %s timer, due and written ENABLE | IMASK, reads CTL 0x%lx (expected IMASK and ISTATUS set)",
			    name, ctl);
		return false;
	}
	/* Due in 2 ms, IMASK 0, a WFI with interrupts masked (the vCPU
	 * leaves its CPU): IMASK must still read 0. */
	timer_write_cval(phys, TIMER_NOW(phys) + attack_ms(2));
	timer_write_ctl(phys, CNT_CTL_ENABLE);
	dsb_sy();
	asm volatile("wfi" ::: "memory");
	busy_ms(3);
	ctl = TIMER_CTL(phys);
	timer_write_ctl(phys, 0);
	if (ctl & CNT_CTL_IMASK) {
		attack_fail("the %s timer reads IMASK = 1 (CTL 0x%lx) after the guest wrote ENABLE only and waited in WFI: it must never read back an IMASK it did not write",
			    name, ctl);
		return false;
	}
	/* And the interrupt, now unmasked, is taken (within 100 ms). */
	taken = level_taken;
	timer_write_ctl(phys, CNT_CTL_ENABLE);
	for (unsigned int i = 0; i < 50 && level_taken == taken; i++)
		irqs_open_ms(2);
	if (level_taken == taken) {
		attack_fail("the %s timer, due and enabled, gave no interrupt within 100 ms", name);
		return false;
	}
	return true;
}

void arch_attack_timer_level(void)
{
	if (arch_irq_init()) {
		attack_fail("no interrupt controller");
		return;
	}
	if (timer_level(false) && timer_level(true))
		attack_pass("both timers: ENABLE = 0 and IMASK = 1 take the pending interrupt away, IMASK reads back as written");
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	isb();
}

/* arm64 has no attacks beyond the shared table's. */
const struct attack_entry *arch_attacks(unsigned int *count)
{
	*count = 0;
	return NULL;
}
