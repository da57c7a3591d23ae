/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The arm64 checks: the firmware interface over HVC (PSCI, SMCCC) and a
 * second vCPU started with PSCI CPU_ON that takes an SGI from vCPU 0.
 */
#include "arm64.h"
#include "../arch.h"

#define HVC_UNASSIGNED 0xc6000100U	/* SMCCC vendor-hypervisor range */
#define SMCCC_VERSION_1_1 0x10001
#define SECONDARY_CPU 1U

static void fail_refused(struct check_result *r, const char *call,
			 const struct smccc_result *res)
{
	check_fail(r, "expected %s over HVC to return; the HVC raised an undefined-instruction exception (ESR 0x%lx)",
		   call, res->syndrome);
}

static void check_psci_version(struct check_result *r)
{
	struct smccc_result res = smccc_call(PSCI_VERSION, 0, 0, 0);
	/* An SMC32 call: the version, or a negative error, is in w0. */
	int32_t version = (int32_t)(uint32_t)res.x0;

	if (res.refused)
		fail_refused(r, "PSCI_VERSION", &res);
	else if (version < 0x10000)
		check_fail(r, "expected version 1.0 or later; got %d (0x%x)",
			   version, (uint32_t)version);
	else
		check_pass(r, "version %d.%d", version >> 16, version & 0xffff);
}
CHECK_DEFINE(10, psci_version, "psci-version", check_psci_version, false);

/* ---------------------------------------------------------- physical-timer --- */

/* The EL1 physical timer (PPI 30) on its own: a hypervisor emulates it, so
 * it gets its own check; the virtual timer 1 s later only ends a wait that
 * would otherwise never end. */
static void check_physical_timer(struct check_result *r)
{
	uint64_t wait = counter_hz / 200;
	const char *why = arch_irq_init();
	uint64_t start, end = 0, at;
	bool fired = false;

	if (why) {
		check_fail(r, "%s", why);
		return;
	}
	start = arch_counter_read();
	arch_timer_start(start + wait + counter_hz);
	arch_watchdog_start(start + wait);
	while (!(fired = arch_watchdog_fired()) && !arch_timer_fired(&at))
		arch_wait_for_interrupt();
	end = arch_counter_read();
	arch_watchdog_stop();
	arch_timer_stop();
	if (!fired)
		check_fail(r, "expected the physical timer interrupt (PPI 30) 5 ms after arming it; none came within a further 1 s");
	else if (end - start < wait)
		check_fail(r, "expected the physical timer after 5000 us; it fired after %lu us",
			   ticks_to_us(end - start));
	else
		check_pass(r, "PPI 30 after %lu us", ticks_to_us(end - start));
}
CHECK_DEFINE(45, physical_timer, "physical-timer", check_physical_timer, false);

/* -------------------------------------------------------------- sgi-cpu-on --- */

/* Written by both vCPUs; Device memory, so each store reaches the other. */
static struct {
	volatile uint32_t ready;
	volatile uint32_t sgi_received;
	volatile uint32_t received_on;	/* index of the vCPU that took it */
	const char *volatile failure;
} smp;

static void smp_sgi_irq(unsigned int intid)
{
	(void)intid;
	smp.received_on = arch_cpu_index();
	dsb_sy();
	smp.sgi_received = 1;
	dsb_sy();
}

/* vCPU 1, from secondary_entry: get ready, take the SGI, turn itself off. */
void secondary_main(unsigned int cpu)
{
	const char *why = arch_irq_init();

	(void)cpu;
	if (why) {
		smp.failure = why;
		dsb_sy();
		psci_call(PSCI_CPU_OFF, 0, 0, 0);
		arch_halt();
	}
	gic_enable_private(SGI_CHECK);
	dsb_sy();
	smp.ready = 1;
	dsb_sy();
	while (!smp.sgi_received)
		arch_wait_for_interrupt();
	dsb_sy();
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
	smp.failure = "PSCI CPU_OFF returned on vCPU 1";
	dsb_sy();
	arch_halt();
}

/* Polls *flag for up to ticks; returns whether it became non-zero. */
static bool smp_wait(const volatile uint32_t *flag, uint64_t ticks)
{
	uint64_t end = arch_counter_read() + ticks;

	while (!*flag && !smp.failure)
		if (arch_counter_read() > end)
			break;
	return *flag != 0;
}

static void check_sgi_cpu_on(struct check_result *r)
{
	uint64_t target = board.have_cpu1_reg ? board.cpu1_reg : SECONDARY_CPU;
	const char *why = arch_irq_init();
	uint64_t start, end;
	int64_t ret;

	if (!board.cpu_count) {
		check_skip(r, "no usable /cpus in the DTB");
		return;
	}
	if (board.cpu_count == 1) {
		check_skip(r, "1 vCPU");
		return;
	}
	if (why) {
		check_fail(r, "vCPU 0: %s", why);
		return;
	}
	smp.ready = 0;
	smp.sgi_received = 0;
	smp.received_on = ~0U;
	smp.failure = NULL;
	cpu_state_of(SECONDARY_CPU)->irq_ready = false;
	gic_set_handler(SGI_CHECK, smp_sgi_irq);
	dsb_sy();

	ret = psci_call(PSCI_CPU_ON, target, (uintptr_t)secondary_entry,
			SECONDARY_CPU);
	if (ret) {
		check_fail(r, "expected CPU_ON(MPIDR 0x%lx) to return 0; got %ld",
			   target, ret);
		return;
	}
	if (!smp_wait(&smp.ready, counter_hz)) {
		check_fail(r, "expected vCPU 1 (MPIDR 0x%lx) to signal ready within 1 s; %s",
			   target, smp.failure ? smp.failure : "it did not");
		return;
	}

	start = arch_counter_read();
	gic_send_sgi(SGI_CHECK, target);
	if (!smp_wait(&smp.sgi_received, counter_hz)) {
		check_fail(r, "expected vCPU 1 to receive SGI %u within 1 s; it did not",
			   SGI_CHECK);
		return;
	}
	end = arch_counter_read();
	if (smp.received_on != SECONDARY_CPU) {
		check_fail(r, "expected SGI %u on vCPU 1; vCPU %u took it",
			   SGI_CHECK, smp.received_on);
		return;
	}

	do {
		ret = psci_call(PSCI_AFFINITY_INFO, target, 0, 0);
	} while (ret != PSCI_AFFINITY_OFF &&
		 arch_counter_read() - end < counter_hz);
	if (ret != PSCI_AFFINITY_OFF) {
		check_fail(r, "expected AFFINITY_INFO(0x%lx) to report OFF (1) within 1 s after CPU_OFF; it reports %ld%s%s",
			   target, ret, smp.failure ? ": " : "",
			   smp.failure ? smp.failure : "");
		return;
	}
	check_pass(r, "SGI %u reached MPIDR 0x%lx in %lu us; CPU_OFF confirmed",
		   SGI_CHECK, target, ticks_to_us(end - start));
}
CHECK_DEFINE(50, sgi_cpu_on, "sgi-cpu-on", check_sgi_cpu_on, true);

/* ------------------------------------------------------------ sgi-burst --- */

/* More interrupts pending at once than a GIC has list registers (4 under
 * QEMU): a hypervisor must refill them as the guest completes some. */
#define SGI_BURST_FIRST 3
#define SGI_BURST_COUNT 12

static volatile uint32_t sgi_burst_seen;

static void sgi_burst_irq(unsigned int intid)
{
	sgi_burst_seen |= 1U << intid;
}

static void check_sgi_burst(struct check_result *r)
{
	const uint32_t all = ((1U << SGI_BURST_COUNT) - 1) << SGI_BURST_FIRST;
	const char *why = arch_irq_init();
	uint64_t end;

	if (why) {
		check_fail(r, "%s", why);
		return;
	}
	sgi_burst_seen = 0;
	for (unsigned int i = 0; i < SGI_BURST_COUNT; i++) {
		gic_set_handler(SGI_BURST_FIRST + i, sgi_burst_irq);
		gic_enable_private(SGI_BURST_FIRST + i);
	}
	/* Interrupts are masked here: all of them are pending before the
	 * first is taken. */
	for (unsigned int i = 0; i < SGI_BURST_COUNT; i++)
		gic_send_sgi(SGI_BURST_FIRST + i, cpu_mpidr());
	end = arch_counter_read() + counter_hz;
	while (sgi_burst_seen != all && arch_counter_read() < end)
		arch_wait_for_interrupt();
	if (sgi_burst_seen != all)
		check_fail(r, "expected SGIs %u-%u, all pending at once, to arrive within 1 s; got mask 0x%x of 0x%x",
			   SGI_BURST_FIRST, SGI_BURST_FIRST + SGI_BURST_COUNT - 1,
			   sgi_burst_seen, all);
	else
		check_pass(r, "%u SGIs pending at once, all delivered", SGI_BURST_COUNT);
}
CHECK_DEFINE(52, sgi_burst, "sgi-burst", check_sgi_burst, false);

/* ------------------------------------------------------------- psci-errors --- */

#define PSCI_FEATURES 0x8400000aU
#define PSCI_UNASSIGNED 0x8400001fU
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_ALREADY_ON (-4)
#define MPIDR_NOBODY 0xfeU

/* Firmware calls with wrong arguments get the errors PSCI defines, and
 * nothing happens: no vCPU starts, nothing hangs. */
static void check_psci_errors(struct check_result *r)
{
	static const struct {
		const char *what;
		uint32_t function;
		uint64_t a1, a2, a3;
		int64_t expected;
	} cases[] = {
		{ "CPU_ON of an MPIDR with no vCPU", PSCI_CPU_ON, MPIDR_NOBODY, 0, 0,
		  PSCI_INVALID_PARAMETERS },
		{ "CPU_ON of the calling vCPU", PSCI_CPU_ON, 0, 0, 0, PSCI_ALREADY_ON },
		{ "AFFINITY_INFO of an MPIDR with no vCPU", PSCI_AFFINITY_INFO,
		  MPIDR_NOBODY, 0, 0, PSCI_INVALID_PARAMETERS },
		{ "PSCI_FEATURES of an unassigned function", PSCI_FEATURES,
		  PSCI_UNASSIGNED, 0, 0, -1 },
		{ "PSCI_FEATURES of CPU_ON", PSCI_FEATURES, PSCI_CPU_ON, 0, 0, 0 },
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t a1 = cases[i].a1;
		int64_t ret;

		/* "The calling vCPU": its own MPIDR affinity. */
		if (cases[i].function == PSCI_CPU_ON && a1 == 0)
			a1 = cpu_mpidr();
		ret = psci_call(cases[i].function, a1, (uintptr_t)secondary_entry, 0);
		if (ret != cases[i].expected) {
			check_fail(r, "expected %s to return %ld; got %ld", cases[i].what,
				   cases[i].expected, ret);
			return;
		}
	}
	check_pass(r, "%u calls with bad arguments refused as PSCI says",
		   (unsigned int)(sizeof(cases) / sizeof(cases[0])));
}
CHECK_DEFINE(55, psci_errors, "psci-errors", check_psci_errors, false);

/* ------------------------------------------------------------ pointer-auth --- */

#define SCTLR_EL1_ENIA (1UL << 31)
#define TCR_EL1_T0SZ_39BIT 25UL

/* PACIA x0, x1 and AUTIA x0, x1, by encoding (no ARMv8.3 in -march). */
static uint64_t pac_sign(uint64_t pointer, uint64_t modifier, bool authenticate)
{
	register uint64_t x0 __asm__("x0") = pointer;
	register uint64_t x1 __asm__("x1") = modifier;

	if (authenticate)
		__asm__ volatile(".inst 0xdac11020" : "+r"(x0) : "r"(x1));
	else
		__asm__ volatile(".inst 0xdac10020" : "+r"(x0) : "r"(x1));
	return x0;
}

/*
 * Pointer authentication works for the guest: with its own IA key it signs
 * a pointer (the signature lands in the upper bits) and authenticates it
 * back. A hypervisor that traps PAC, or does not keep the guest's key,
 * fails this (or stops the guest).
 */
static void check_pointer_auth(struct check_result *r)
{
	const uint64_t isar1 = read_sysreg(id_aa64isar1_el1);
	const uint64_t pointer = 0x40080000UL, modifier = 0x1234;
	/* A key of this run's own: another guest on the same CPU has a
	 * different one, and must not leave it behind. */
	const uint64_t key = 0x0123456789abcdefUL ^ (arch_counter_read() * 0x9e3779b97f4a7c15UL);
	const char *why = arch_irq_init();
	uint64_t sctlr, tcr, signed_ptr, back, at;

	if (!(isar1 & 0xff000ff0UL)) {
		check_skip(r, "the CPU has no pointer authentication");
		return;
	}
	if (why) {
		check_fail(r, "%s", why);
		return;
	}
	sctlr = read_sysreg(sctlr_el1);
	tcr = read_sysreg(tcr_el1);
	/* A 39-bit address space leaves the signature bits [54:39]. */
	write_sysreg(tcr_el1, (tcr & ~0x3fUL) | TCR_EL1_T0SZ_39BIT);
	write_sysreg(S3_0_C2_C1_0, key);		/* APIAKeyLo_EL1 */
	write_sysreg(S3_0_C2_C1_1, ~key);		/* APIAKeyHi_EL1 */
	write_sysreg(sctlr_el1, sctlr | SCTLR_EL1_ENIA);
	isb();
	signed_ptr = pac_sign(pointer, modifier, false);
	/* Sleep 2 ms in between, so that other vCPUs run on this CPU. */
	arch_timer_start(arch_counter_read() + counter_hz / 500);
	while (!arch_timer_fired(&at))
		arch_wait_for_interrupt();
	arch_timer_stop();
	back = pac_sign(signed_ptr, modifier, true);
	write_sysreg(sctlr_el1, sctlr);
	write_sysreg(tcr_el1, tcr);
	isb();
	if (signed_ptr == pointer)
		check_fail(r, "expected PACIA to add a signature to 0x%lx; it came back unchanged",
			   pointer);
	else if (back != pointer)
		check_fail(r, "expected AUTIA to give back 0x%lx from 0x%lx; got 0x%lx",
			   pointer, signed_ptr, back);
	else
		check_pass(r, "0x%lx signed as 0x%lx, authenticated 2 ms later", pointer,
			   signed_ptr);
}
CHECK_DEFINE(65, pointer_auth, "pointer-auth", check_pointer_auth, false);

/* ------------------------------------------------------------ id-registers --- */

/* Every encoding of the ID register space (Op0 3, Op1 0, CRn 0, CRm 1-7),
 * the reserved ones too: each is readable, reserved ones as zero. */
#define ID_READ(crm, op2) read_sysreg(S3_0_C0_C##crm##_##op2)
#define ID_ROW(crm)                                                         	ID_READ(crm, 0), ID_READ(crm, 1), ID_READ(crm, 2), ID_READ(crm, 3), 	ID_READ(crm, 4), ID_READ(crm, 5), ID_READ(crm, 6), ID_READ(crm, 7)
#define ID_INDEX(crm, op2) (((crm) - 1) * 8 + (op2))
#define ID_FIELD(value, shift) (((value) >> (shift)) & 0xf)

/*
 * The guest reads all 56 ID register encodings (a hypervisor that traps
 * them must answer each, reserved ones included) and finds no feature
 * whose state Keel does not keep per guest: SVE, SME, MTE. On a CPU that
 * has them (QEMU -cpu max) this checks that they are hidden.
 */
static void check_id_registers(struct check_result *r)
{
	const uint64_t id[56] = { ID_ROW(1), ID_ROW(2), ID_ROW(3), ID_ROW(4),
				  ID_ROW(5), ID_ROW(6), ID_ROW(7) };
	uint64_t pfr0 = id[ID_INDEX(4, 0)], pfr1 = id[ID_INDEX(4, 1)];

	if (ID_FIELD(pfr0, 32))
		check_fail(r, "expected no SVE in ID_AA64PFR0_EL1 (0x%lx)", pfr0);
	else if (ID_FIELD(pfr1, 24) || ID_FIELD(pfr1, 8))
		check_fail(r, "expected no SME or MTE in ID_AA64PFR1_EL1 (0x%lx)", pfr1);
	else if (id[ID_INDEX(4, 4)] || id[ID_INDEX(4, 5)])
		check_fail(r, "expected ID_AA64ZFR0_EL1 and ID_AA64SMFR0_EL1 to be 0; got 0x%lx and 0x%lx",
			   id[ID_INDEX(4, 4)], id[ID_INDEX(4, 5)]);
	else
		check_pass(r, "56 encodings read; no SVE, SME or MTE (ID_AA64PFR0 0x%lx, PFR1 0x%lx)",
			   pfr0, pfr1);
}
CHECK_DEFINE(67, id_registers, "id-registers", check_id_registers, false);

/* ------------------------------------------------------------- hvc-unknown --- */

static void check_hvc_unknown(struct check_result *r)
{
	struct smccc_result res = smccc_call(HVC_UNASSIGNED, 0, 0, 0);

	if (res.refused)
		check_fail(r, "expected NOT_SUPPORTED (-1) from function 0x%x; the HVC raised an undefined-instruction exception instead (ESR 0x%lx)",
			   HVC_UNASSIGNED, res.syndrome);
	else if (res.x0 != ~0ULL)
		check_fail(r, "expected NOT_SUPPORTED (x0 = -1) from function 0x%x; got x0 = 0x%lx",
			   HVC_UNASSIGNED, res.x0);
	else
		check_pass(r, "function 0x%x: NOT_SUPPORTED", HVC_UNASSIGNED);
}
CHECK_DEFINE(70, hvc_unknown, "hvc-unknown", check_hvc_unknown, false);

/* ----------------------------------------------------------- smccc-version --- */

static void check_smccc_version(struct check_result *r)
{
	struct smccc_result res = smccc_call(SMCCC_VERSION, 0, 0, 0);
	int32_t version = (int32_t)(uint32_t)res.x0;	/* SMC32: w0 */

	if (res.refused)
		fail_refused(r, "SMCCC_VERSION", &res);
	else if (version == -1)
		check_fail(r, "expected version 1.1 (0x10001) or later; got NOT_SUPPORTED (-1), which means SMCCC 1.0");
	else if (version < SMCCC_VERSION_1_1)
		check_fail(r, "expected version 1.1 (0x10001) or later; got %d (0x%x)",
			   version, (uint32_t)version);
	else
		check_pass(r, "version %d.%d, 0x%x", version >> 16,
			   version & 0xffff, (uint32_t)version);
}
CHECK_DEFINE(80, smccc_version, "smccc-version", check_smccc_version, false);

/* ------------------------------------------------------------- pmu-hidden --- */

#define EC_OF(esr) ((esr) >> 26)
#define ID_FIELD(value, shift) (((value) >> (shift)) & 0xf)

/* One access a check expects to be undefined: NULL, or what happened. */
static const char *expect_undefined(struct trap_record *t)
{
	if (!trap_taken(t))
		return "it completed";
	if (EC_OF(t->esr) != 0)
		return "another exception came";
	return NULL;
}

#define EXPECT_UNDEF(r, what, access)                                        \
	do {                                                                 \
		struct trap_record t_ = { 0 };                               \
		const char *why_;                                            \
		trap_expect(0);                                              \
		access;                                                      \
		why_ = expect_undefined(&t_);                                \
		if (why_) {                                                  \
			check_fail(r, "expected %s to be undefined (ESR_EL1 EC 0x00); %s (ESR 0x%lx)", \
				   what, why_, t_.esr);                      \
			return;                                              \
		}                                                            \
	} while (0)

/*
 * A guest finds no PMU: ID_AA64DFR0_EL1.PMUVer and ID_DFR0_EL1.PerfMon are
 * 0 and the PMU registers are undefined, so it can neither read the
 * counters of what else runs on its CPU (Keel, other guests) nor enable
 * EL0 access to them for anybody.
 */
static void check_pmu_hidden(struct check_result *r)
{
	uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1), dfr0_32 = read_sysreg(id_dfr0_el1);
	uint64_t sink = 0;

	if (ID_FIELD(dfr0, 8) || ID_FIELD(dfr0_32, 24)) {
		check_fail(r, "expected no PMU in ID_AA64DFR0_EL1 (0x%lx, PMUVer %lu) and ID_DFR0_EL1 (0x%lx, PerfMon %lu)",
			   dfr0, ID_FIELD(dfr0, 8), dfr0_32, ID_FIELD(dfr0_32, 24));
		return;
	}
	EXPECT_UNDEF(r, "reading PMCR_EL0", sink += read_sysreg(pmcr_el0));
	EXPECT_UNDEF(r, "reading PMCCNTR_EL0", sink += read_sysreg(pmccntr_el0));
	EXPECT_UNDEF(r, "reading PMEVCNTR0_EL0", sink += read_sysreg(pmevcntr0_el0));
	EXPECT_UNDEF(r, "writing PMUSERENR_EL0", write_sysreg(pmuserenr_el0, 0xf));
	EXPECT_UNDEF(r, "writing PMCNTENSET_EL0", write_sysreg(pmcntenset_el0, 1UL << 31));
	EXPECT_UNDEF(r, "writing PMCR_EL0", write_sysreg(pmcr_el0, 1));
	(void)sink;
	check_pass(r, "PMUVer 0, PerfMon 0; 6 PMU register accesses undefined");
}
CHECK_DEFINE(56, pmu_hidden, "pmu-hidden", check_pmu_hidden, false);

/* ------------------------------------------------------------ fetch-abort --- */

#define EC_IABT_SAME_EL 0x21
#define FSC_SYNC_EXTERNAL 0x10
#define ESR_IL (1UL << 25)

/*
 * A branch to guest-physical space with nothing there (RAM end + 256 MiB,
 * as the isolation check) takes a prefetch abort, as on hardware with
 * nothing at that address: EC 0x21 (same EL), IFSC 0x10 (synchronous
 * external abort), FAR and ELR the address. The guest is not stopped.
 */
static void check_fetch_abort(struct check_result *r)
{
	uint64_t ram_end = board_ram_end(), addr;
	struct trap_record t = { 0 };
	void (*wild)(void);

	if (!ram_end) {
		check_fail(r, "no RAM known (the DTB was not usable)");
		return;
	}
	addr = ram_end + MiB(256);
	wild = (void (*)(void))(uintptr_t)addr;
	trap_expect(addr);
	wild();
	if (!trap_taken(&t))
		check_fail(r, "expected a prefetch abort branching to 0x%lx; the call returned", addr);
	else if (EC_OF(t.esr) != EC_IABT_SAME_EL || (t.esr & 0x3f) != FSC_SYNC_EXTERNAL ||
		 !(t.esr & ESR_IL))
		check_fail(r, "expected ESR_EL1 EC 0x21, IL 1, IFSC 0x10 for the fetch at 0x%lx; got ESR 0x%lx (EC 0x%lx, IFSC 0x%lx)",
			   addr, t.esr, EC_OF(t.esr), t.esr & 0x3f);
	else if (t.far != addr || t.elr != addr)
		check_fail(r, "expected FAR_EL1 and ELR_EL1 0x%lx; got FAR 0x%lx ELR 0x%lx",
			   addr, t.far, t.elr);
	else
		check_pass(r, "fetch at 0x%lx: prefetch abort, ESR 0x%lx", addr, t.esr);
}
CHECK_DEFINE(62, fetch_abort, "fetch-abort", check_fetch_abort, false);

/* ------------------------------------------------------------ ras-records --- */

/*
 * With RAS, a guest finds no error records of the CPU: ERRIDR_EL1 reads 0,
 * and the record registers read as zero or are undefined (both allowed
 * when there are no records) - never the host's records.
 */
static void check_ras_records(struct check_result *r)
{
	uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1), value = 0;
	struct trap_record t;

	if (!ID_FIELD(pfr0, 28)) {
		check_skip(r, "no RAS in ID_AA64PFR0_EL1 (0x%lx)", pfr0);
		return;
	}
	value = read_sysreg(S3_0_C5_C3_0);		/* ERRIDR_EL1 */
	if (value) {
		check_fail(r, "expected ERRIDR_EL1 to say 0 records; it reads 0x%lx", value);
		return;
	}
	trap_expect(0);
	write_sysreg(S3_0_C5_C3_1, 0);			/* ERRSELR_EL1 */
	(void)trap_taken(&t);
	trap_expect(0);
	value = read_sysreg(S3_0_C5_C4_2);		/* ERXSTATUS_EL1 */
	if (!trap_taken(&t) && value) {
		check_fail(r, "expected ERXSTATUS_EL1 of record 0 to read 0 or be undefined; it reads 0x%lx",
			   value);
		return;
	}
	check_pass(r, "ERRIDR_EL1 0: no error records");
}
CHECK_DEFINE(63, ras_records, "ras-records", check_ras_records, false);

/* -------------------------------------------------------- debug-registers --- */

#define DEBUG_ROUNDS 40
#define VA_BITS_MASK 0x0000fffffffffffcUL	/* VA[48:2]: kept by every CPU */
#define DBGBCR_EL1_ONLY_DISABLED 0x1e2UL	/* BAS 0b1111, PMC EL1, E 0 */
#define DBGWCR_DISABLED(bas) ((((bas) & 0xffUL) << 5) | (3UL << 3) | (1UL << 1))

/*
 * A guest's breakpoint and watchpoint registers are its own: it writes a
 * value of its own (disabled), sleeps 1 ms so that another guest sharing
 * this CPU runs - one that writes different values in the same check -
 * and reads its values back, DEBUG_ROUNDS times. The architecture gives
 * every v8 CPU at least 2 breakpoints and 2 watchpoints.
 */
static void check_debug_registers(struct check_result *r)
{
	uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
	uint64_t seed = arch_counter_read() * 0x9e3779b97f4a7c15UL, at;
	unsigned int brps = ID_FIELD(dfr0, 12) + 1, wrps = ID_FIELD(dfr0, 20) + 1;
	const char *why = arch_irq_init();

	if (ID_FIELD(dfr0, 0) < 6 || brps < 2 || wrps < 2) {
		check_fail(r, "expected DebugVer >= 6 (v8) and at least 2 breakpoints and watchpoints; ID_AA64DFR0_EL1 0x%lx",
			   dfr0);
		return;
	}
	if (why) {
		check_fail(r, "%s", why);
		return;
	}
	for (unsigned int round = 0; round < DEBUG_ROUNDS; round++) {
		uint64_t bvr = (seed + round * 0x1000) & VA_BITS_MASK, wvr = ~bvr & VA_BITS_MASK;
		uint64_t wcr = DBGWCR_DISABLED(seed >> 56 ^ round), got[4];

		write_sysreg(dbgbvr0_el1, bvr);
		write_sysreg(dbgbcr0_el1, DBGBCR_EL1_ONLY_DISABLED);
		write_sysreg(dbgwvr0_el1, wvr);
		write_sysreg(dbgwcr0_el1, wcr);
		isb();
		arch_timer_start(arch_counter_read() + counter_hz / 1000);
		while (!arch_timer_fired(&at))
			arch_wait_for_interrupt();
		arch_timer_stop();
		got[0] = read_sysreg(dbgbvr0_el1);
		got[1] = read_sysreg(dbgbcr0_el1);
		got[2] = read_sysreg(dbgwvr0_el1);
		got[3] = read_sysreg(dbgwcr0_el1);
		if (got[0] != bvr || got[1] != DBGBCR_EL1_ONLY_DISABLED || got[2] != wvr ||
		    got[3] != wcr) {
			check_fail(r, "round %u: expected DBGBVR0/BCR0/WVR0/WCR0_EL1 to keep 0x%lx/0x%lx/0x%lx/0x%lx across 1 ms asleep; read 0x%lx/0x%lx/0x%lx/0x%lx",
				   round, bvr, DBGBCR_EL1_ONLY_DISABLED, wvr, wcr,
				   got[0], got[1], got[2], got[3]);
			write_sysreg(dbgbvr0_el1, 0);
			write_sysreg(dbgwvr0_el1, 0);
			write_sysreg(dbgwcr0_el1, 0);
			return;
		}
	}
	write_sysreg(dbgbvr0_el1, 0);
	write_sysreg(dbgbcr0_el1, 0);
	write_sysreg(dbgwvr0_el1, 0);
	write_sysreg(dbgwcr0_el1, 0);
	check_pass(r, "%u rounds of 1 ms kept this guest's values; %u breakpoints, %u watchpoints",
		   DEBUG_ROUNDS, brps, wrps);
}
CHECK_DEFINE(66, debug_registers, "debug-registers", check_debug_registers, false);

/* ------------------------------------------------------- debug-breakpoint --- */

#define MDSCR_KDE (1UL << 13)
#define MDSCR_MDE (1UL << 15)
#define DBGBCR_EL1_ENABLED 0x1e3UL		/* BAS 0b1111, PMC EL1, E 1 */
#define EC_BREAKPOINT_SAME_EL 0x31
#define OSLSR_OSLK (1UL << 1)

static volatile unsigned int breakpoint_target_calls;

static __attribute__((noinline)) void breakpoint_target(void)
{
	breakpoint_target_calls++;
	asm volatile("" ::: "memory");
}

/*
 * A hardware breakpoint the guest arms fires in the guest: with its OS lock
 * open, kernel debug enabled and PSTATE.D clear, a call to the address
 * takes a breakpoint exception (EC 0x31) before the instruction runs.
 */
static void check_debug_breakpoint(struct check_result *r)
{
	uint64_t target = (uintptr_t)breakpoint_target, mdscr = read_sysreg(mdscr_el1);
	bool locked = read_sysreg(oslsr_el1) & OSLSR_OSLK;
	struct trap_record t = { 0 };
	unsigned int calls = breakpoint_target_calls;
	bool taken;

	write_sysreg(oslar_el1, 0);
	write_sysreg(dbgbvr1_el1, target);
	write_sysreg(dbgbcr1_el1, DBGBCR_EL1_ENABLED);
	write_sysreg(mdscr_el1, mdscr | MDSCR_KDE | MDSCR_MDE);
	isb();
	trap_expect(0);
	asm volatile("msr daifclr, #8" ::: "memory");	/* debug exceptions on */
	breakpoint_target();
	asm volatile("msr daifset, #8" ::: "memory");
	taken = trap_taken(&t);
	write_sysreg(dbgbcr1_el1, 0);
	write_sysreg(dbgbvr1_el1, 0);
	write_sysreg(mdscr_el1, mdscr);
	write_sysreg(oslar_el1, locked ? 1 : 0);
	isb();
	if (!taken)
		check_fail(r, "expected a breakpoint exception calling 0x%lx (DBGBCR1_EL1 0x%lx); none came",
			   target, DBGBCR_EL1_ENABLED);
	else if (EC_OF(t.esr) != EC_BREAKPOINT_SAME_EL || t.elr != target)
		check_fail(r, "expected ESR_EL1 EC 0x31 with ELR 0x%lx; got ESR 0x%lx ELR 0x%lx",
			   target, t.esr, t.elr);
	else if (breakpoint_target_calls != calls + 1)
		check_fail(r, "expected the function to run once after the breakpoint; it ran %u times",
			   breakpoint_target_calls - calls);
	else
		check_pass(r, "breakpoint at 0x%lx taken, ESR 0x%lx", target, t.esr);
}
CHECK_DEFINE(68, debug_breakpoint, "debug-breakpoint", check_debug_breakpoint, false);

/* --------------------------------------------------------- sve-undefined --- */

#define CPACR_EL1_ZEN (3UL << 16)
#define CPACR_EL1_FPEN (3UL << 20)

/*
 * SVE is hidden (id-registers): even with CPACR_EL1.ZEN and FPEN set, so the
 * CPU's own EL1 trap is out of the way, an SVE instruction (RDVL) is an
 * undefined instruction for the guest, as on a CPU without SVE, and the
 * guest runs on. On a CPU that has SVE the hypervisor's trap (CPTR_EL2.TZ)
 * catches it first.
 */
static void check_sve_undefined(struct check_result *r)
{
	uint64_t cpacr = read_sysreg(cpacr_el1);
	struct trap_record t = { 0 };
	const char *why;

	write_sysreg(cpacr_el1, cpacr | CPACR_EL1_ZEN | CPACR_EL1_FPEN);
	isb();
	trap_expect(0);
	asm volatile(".inst 0x04bf5020" ::: "x0", "memory");	/* rdvl x0, #1 */
	why = expect_undefined(&t);
	write_sysreg(cpacr_el1, cpacr);
	isb();
	if (why)
		check_fail(r, "expected RDVL to be undefined (ESR_EL1 EC 0x00) with SVE hidden; %s (ESR 0x%lx)",
			   why, t.esr);
	else
		check_pass(r, "RDVL undefined, ESR 0x%lx", t.esr);
}
CHECK_DEFINE(69, sve_undefined, "sve-undefined", check_sve_undefined, false);

/* ------------------------------------------------------------- walk-abort --- */

#define WALK_VA 0xffffff8000000000UL		/* the first address TTBR1 maps */
#define MAIR_DEVICE_NORMAL_NC 0x4400UL		/* Attr0 Device-nGnRnE, Attr1 Normal NC */
#define BLOCK_DESC(pa, attr) ((pa) | 1UL | ((uint64_t)(attr) << 2) | (1UL << 10))
/* T0SZ = T1SZ = 25 (39-bit, walks from level 1), 4K granules, 40-bit IPS. */
#define TCR_WALK_CHECK (25UL | (25UL << 16) | (2UL << 30) | (2UL << 32))
#define SCTLR_M 1UL
#define FSC_EXTERNAL_WALK_L1 0x15
#define EC_DABT_SAME_EL 0x25

static uint64_t walk_table[512] __attribute__((aligned(4096)));

static void tlb_flush(void)
{
	asm volatile("dsb sy; tlbi vmalle1; dsb sy; isb" ::: "memory");
}

/*
 * With the MMU on, a load whose stage-1 walk reads a table from nothing
 * (TTBR1 pointing at RAM end + 256 MiB) takes a synchronous external abort
 * on the walk, at the level of that lookup: ESR_EL1 EC 0x25, DFSC 0x15
 * (level 1), FAR_EL1 the virtual address. The low 2 GiB stay mapped flat
 * (device, then RAM as Normal non-cacheable) so the guest runs on.
 */
static void check_walk_abort(struct check_result *r)
{
	uint64_t ram_end = board_ram_end();
	uint64_t mair = read_sysreg(mair_el1), tcr = read_sysreg(tcr_el1);
	uint64_t ttbr0 = read_sysreg(ttbr0_el1), ttbr1 = read_sysreg(ttbr1_el1);
	uint64_t sctlr = read_sysreg(sctlr_el1), nothing;
	struct trap_record t = { 0 };
	bool taken;

	if (!ram_end || ram_end > (2UL << 30)) {
		check_skip(r, "RAM (ending at 0x%lx) is not within the low 2 GiB", ram_end);
		return;
	}
	nothing = (ram_end + MiB(256)) & ~0xfffUL;
	walk_table[0] = BLOCK_DESC(0x00000000UL, 0);
	walk_table[1] = BLOCK_DESC(0x40000000UL, 1);
	write_sysreg(mair_el1, MAIR_DEVICE_NORMAL_NC);
	write_sysreg(ttbr0_el1, (uintptr_t)walk_table);
	write_sysreg(ttbr1_el1, nothing);
	write_sysreg(tcr_el1, TCR_WALK_CHECK);
	tlb_flush();
	write_sysreg(sctlr_el1, sctlr | SCTLR_M);
	isb();
	trap_expect(0);
	asm volatile("ldr xzr, [%0]" :: "r"(WALK_VA) : "memory");
	taken = trap_taken(&t);
	write_sysreg(sctlr_el1, sctlr);
	isb();
	write_sysreg(tcr_el1, tcr);
	write_sysreg(ttbr0_el1, ttbr0);
	write_sysreg(ttbr1_el1, ttbr1);
	write_sysreg(mair_el1, mair);
	tlb_flush();
	if (!taken)
		check_fail(r, "expected a data abort loading from 0x%lx (its table at 0x%lx: nothing there); the load completed",
			   WALK_VA, nothing);
	else if (EC_OF(t.esr) != EC_DABT_SAME_EL || (t.esr & 0x3f) != FSC_EXTERNAL_WALK_L1)
		check_fail(r, "expected ESR_EL1 EC 0x25, DFSC 0x15 (external abort on the level 1 walk); got ESR 0x%lx (EC 0x%lx, DFSC 0x%lx)",
			   t.esr, EC_OF(t.esr), t.esr & 0x3f);
	else if (t.far != WALK_VA)
		check_fail(r, "expected FAR_EL1 0x%lx; got 0x%lx", WALK_VA, t.far);
	else
		check_pass(r, "walk of 0x%lx through 0x%lx: ESR 0x%lx", WALK_VA, nothing, t.esr);
}
CHECK_DEFINE(64, walk_abort, "walk-abort", check_walk_abort, false);
