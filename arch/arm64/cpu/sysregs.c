/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * System registers whose hardware copy would be shared by every guest on a
 * CPU, and what each guest gets instead (docs/virtualization.md has the
 * table for the whole register space):
 *
 *   PMU          trapped (MDCR_EL2.TPM), undefined for the guest, hidden in
 *                ID_AA64DFR0_EL1.PMUVer and ID_DFR0_EL1.PerfMon (idregs.c);
 *                the counters are stopped and EL2 excluded from counting.
 *   debug        trapped (MDCR_EL2.TDA/TDOSA/TDRA) and kept per vCPU in
 *                struct arm64_debug_regs; the CPU's breakpoint and
 *                watchpoint registers hold the running vCPU's values while
 *                it has one enabled and its OS lock is clear, and nothing
 *                enabled otherwise. The debug communications channel has no
 *                external debugger behind it: it reads as empty.
 *   RAS records  trapped (HCR_EL2.TERR): ERRIDR_EL1 says no records, the
 *                record registers are RAZ/WI.
 *   LORegions    trapped (HCR_EL2.TLOR): LORID_EL1 says none, the others
 *                are RAZ/WI.
 *   ACTLR_EL1    trapped (HCR_EL2.TACR): RAZ/WI, no implementation
 *                defined controls.
 *   AMU, trace, statistical profiling, trace buffer: trapped (CPTR_EL2.TAM,
 *                TTA, MDCR_EL2.TPMS/E2PB, TTRF/E2TB) and hidden; accesses
 *                are undefined for the guest (arch_guest_sysreg).
 *
 * Breakpoints are not hidden because the architecture has no CPU without
 * them (DebugVer >= v8, at least two breakpoints and watchpoints).
 */
#include <keel/platform.h>
#include <keel/vcpu.h>
#include <arch/cpu.h>
#include <arch/cpu_context.h>
#include <arch/sysreg.h>
#include <arch/virt.h>

/* MDCR_EL2 */
#define MDCR_HPMN_MASK 0x1fUL
#define MDCR_TPMCR (1UL << 5)
#define MDCR_TPM (1UL << 6)
#define MDCR_TDA (1UL << 9)
#define MDCR_TDOSA (1UL << 10)
#define MDCR_TDRA (1UL << 11)
#define MDCR_TPMS (1UL << 14)   /* E2PB (13:12) = 0: buffer owned by EL2 */
#define MDCR_HPMD (1UL << 17)
#define MDCR_TTRF (1UL << 19)   /* E2TB (25:24) = 0: trace buffer EL2's */

/* CPTR_EL2 (non-VHE) */
#define CPTR_TTA (1UL << 20)
#define CPTR_TAM (1UL << 30)

/* HCR_EL2 */
#define HCR_TLOR (1UL << 35)
#define HCR_TERR (1UL << 36)

/* MDSCR_EL1 bits a guest keeps: software step, DCC trap, kernel debug,
 * monitor debug events. */
#define MDSCR_SS (1UL << 0)
#define MDSCR_TDCC (1UL << 12)
#define MDSCR_KDE (1UL << 13)
#define MDSCR_MDE (1UL << 15)
#define MDSCR_GUEST (MDSCR_SS | MDSCR_TDCC | MDSCR_KDE | MDSCR_MDE)

/* DBGBCR/DBGWCR: enable bit and the fields that exist in v8.0-v8.8. */
#define DBG_CR_E 1UL
#define DBGBCR_MASK 0x00ffe1e7UL
#define DBGWCR_MASK 0x1f1fffffUL
#define DBG_VR_MASK (~3UL)
#define MDCCINT_MASK (3UL << 29)
#define OSLSR_OSLM_V8 (1UL << 3)        /* OSLM = 0b10: OS lock implemented */
#define OSLSR_OSLK (1UL << 1)

#define ID_FIELD_GET(value, shift) (((value) >> (shift)) & 0xf)

static unsigned int debug_breakpoints;
static unsigned int debug_watchpoints;
static bool debug_has_double_lock;

/* Per host CPU: the vCPU whose debug state the CPU holds (NULL: the CPU's
 * breakpoints and watchpoints may hold anything, disable them), and
 * whether any of them may be enabled. */
static struct vcpu *debug_owner[KEEL_MAX_CPUS];
static bool debug_armed[KEEL_MAX_CPUS];

#define SYSREG(op0, op1, crn, crm, op2) ARM64_SYSREG_ISS(op0, op1, crn, crm, op2)

/* ---- the CPU's breakpoint and watchpoint registers ---- */

#define BP_CASE(n)                                                       \
	case n:                                                          \
		write_sysreg(dbgbvr##n##_el1, bvr);                      \
		write_sysreg(dbgbcr##n##_el1, bcr);                      \
		break
#define WP_CASE(n)                                                       \
	case n:                                                          \
		write_sysreg(dbgwvr##n##_el1, wvr);                      \
		write_sysreg(dbgwcr##n##_el1, wcr);                      \
		break
#define CASES_0_15(m)                                                    \
	m(0); m(1); m(2); m(3); m(4); m(5); m(6); m(7);                  \
	m(8); m(9); m(10); m(11); m(12); m(13); m(14); m(15)

/* MSR needs the register in the instruction: one case per number. */
static void hw_breakpoint_write(unsigned int n, uint64_t bvr, uint64_t bcr)
{
	switch (n) {
	CASES_0_15(BP_CASE);
	default:
		break;
	}
}

static void hw_watchpoint_write(unsigned int n, uint64_t wvr, uint64_t wcr)
{
	switch (n) {
	CASES_0_15(WP_CASE);
	default:
		break;
	}
}

static bool debug_locked(const struct arm64_debug_regs *d)
{
	/* The OS double lock only holds while no power-down request is
	 * pending (DBGPRCR_EL1.CORENPDRQ clear). */
	return d->os_lock || (d->os_double_lock && !(d->dbgprcr & 1));
}

/* Whether d, loaded, could take a breakpoint or watchpoint exception. */
static bool debug_wants_hardware(const struct arm64_debug_regs *d)
{
	if (debug_locked(d))
		return false;
	for (unsigned int n = 0; n < debug_breakpoints; n++)
		if (d->bcr[n] & DBG_CR_E)
			return true;
	for (unsigned int n = 0; n < debug_watchpoints; n++)
		if (d->wcr[n] & DBG_CR_E)
			return true;
	return false;
}

/* What the CPU's MDSCR_EL1 holds for d: the OS locks turn off software
 * step and the debug events along with breakpoints. */
static uint64_t mdscr_effective(const struct arm64_debug_regs *d)
{
	return debug_locked(d) ? d->mdscr & MDSCR_TDCC : d->mdscr;
}

void arm64_debug_enter(struct vcpu *v)
{
	const struct arm64_debug_regs *d = &v->arch.ctx.debug;
	unsigned int cpu = arch_cpu_id();

	if (debug_owner[cpu] == v)
		return;
	if (debug_wants_hardware(d)) {
		for (unsigned int n = 0; n < debug_breakpoints; n++)
			hw_breakpoint_write(n, d->bvr[n], d->bcr[n]);
		for (unsigned int n = 0; n < debug_watchpoints; n++)
			hw_watchpoint_write(n, d->wvr[n], d->wcr[n]);
		debug_armed[cpu] = true;
	} else if (debug_armed[cpu]) {
		/* Another guest's breakpoints must not fire in this one. */
		for (unsigned int n = 0; n < debug_breakpoints; n++)
			hw_breakpoint_write(n, 0, 0);
		for (unsigned int n = 0; n < debug_watchpoints; n++)
			hw_watchpoint_write(n, 0, 0);
		debug_armed[cpu] = false;
	}
	isb();
	__atomic_store_n(&debug_owner[cpu], v, __ATOMIC_SEQ_CST);
}

void arm64_debug_forget(struct vcpu *v)
{
	for (unsigned int cpu = 0; cpu < KEEL_MAX_CPUS; cpu++) {
		struct vcpu *expected = v;

		__atomic_compare_exchange_n(&debug_owner[cpu], &expected, NULL, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
}

void arm64_debug_reset(struct vcpu *v)
{
	struct arm64_debug_regs *d = &v->arch.ctx.debug;

	*d = (struct arm64_debug_regs){ .os_lock = true };
	v->arch.ctx.el1.mdscr_el1 = mdscr_effective(d);
	arm64_debug_forget(v);
}

/* ---- per-CPU set-up ---- */

/* Stops the PMU counters and keeps EL0 accesses coming to EL2 (which
 * makes them undefined for the guest, as on a CPU without a PMU). */
static uint64_t pmu_cpu_init(uint64_t dfr0)
{
	uint64_t pmuver = ID_FIELD_GET(dfr0, 8);
	uint64_t mdcr;

	if (pmuver == 0 || pmuver == 0xf)
		return 0;
	mdcr = ((read_sysreg(pmcr_el0) >> 11) & MDCR_HPMN_MASK) | MDCR_TPM | MDCR_TPMCR;
	/* PMUv3p1: nothing counts at EL2 even if a counter were enabled. */
	if (pmuver >= 4)
		mdcr |= MDCR_HPMD;
	write_sysreg(pmcr_el0, read_sysreg(pmcr_el0) & ~1UL);
	write_sysreg(pmcntenclr_el0, ~0UL);
	write_sysreg(pmintenclr_el1, ~0UL);
	write_sysreg(pmovsclr_el0, ~0UL);
	write_sysreg(pmuserenr_el0, 0xfUL);
	return mdcr;
}

uint64_t arm64_sysregs_cpu_init(uint64_t cptr)
{
	uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
	uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1);
	uint64_t pfr1 = read_sysreg(id_aa64pfr1_el1);
	uint64_t mmfr1 = read_sysreg(id_aa64mmfr1_el1);
	uint64_t mdcr = MDCR_TDA | MDCR_TDOSA | MDCR_TDRA | pmu_cpu_init(dfr0);
	uint64_t hcr = 0;

	if (ID_FIELD_GET(dfr0, 32))             /* PMSVer: SPE */
		mdcr |= MDCR_TPMS;
	if (ID_FIELD_GET(dfr0, 40))             /* TraceFilt */
		mdcr |= MDCR_TTRF;
	write_sysreg(mdcr_el2, mdcr);
	if (ID_FIELD_GET(dfr0, 4))              /* TraceVer: trace registers */
		cptr |= CPTR_TTA;
	if (ID_FIELD_GET(pfr0, 44))             /* AMU */
		cptr |= CPTR_TAM;
	write_sysreg(cptr_el2, cptr);
	if (ID_FIELD_GET(pfr0, 28))             /* RAS */
		hcr |= HCR_TERR;
	if (ID_FIELD_GET(mmfr1, 16))            /* LO */
		hcr |= HCR_TLOR;
	/* MPAM: MPAM2_EL2.TRAPMPAM1EL1 and TRAPMPAM0EL1, TIDR. */
	if (ID_FIELD_GET(pfr0, 40) || ID_FIELD_GET(pfr1, 16))
		write_sysreg(S3_4_C10_C5_0, (1UL << 48) | (1UL << 49) | (1UL << 58));
	/* FEAT_HCX: none of the features HCRX_EL2 enables for EL1 (MOPS,
	 * TCR2, GCS, ...) is given to guests; idregs.c hides them. */
	if (ID_FIELD_GET(mmfr1, 40))
		write_sysreg(S3_4_C1_C2_2, 0);

	debug_breakpoints = MIN((unsigned int)ID_FIELD_GET(dfr0, 12) + 1, ARM64_DEBUG_MAX_POINTS);
	debug_watchpoints = MIN((unsigned int)ID_FIELD_GET(dfr0, 20) + 1, ARM64_DEBUG_MAX_POINTS);
	debug_has_double_lock = ID_FIELD_GET(dfr0, 36) == 0;
	/* The CPU's own OS lock stays open: each guest's is emulated. */
	write_sysreg(oslar_el1, 0);
	if (debug_has_double_lock)
		write_sysreg(osdlr_el1, 0);
	debug_armed[arch_cpu_id()] = true;      /* clear them on first entry */
	debug_owner[arch_cpu_id()] = NULL;
	isb();
	return hcr;
}

/* ---- trapped accesses ---- */

static enum arm64_sysreg_result debug_point_access(struct arm64_debug_regs *d,
						   const struct vm_exit_sysreg *s,
						   uint64_t *value, bool *changed)
{
	unsigned int n = (s->encoding >> 1) & 0xf, op2 = (s->encoding >> 17) & 7;
	bool breakpoint = op2 == 4 || op2 == 5;
	uint64_t *reg;
	uint64_t mask;

	if (n >= (breakpoint ? debug_breakpoints : debug_watchpoints))
		return ARM64_SYSREG_UNDEFINED;
	switch (op2) {
	case 4: reg = &d->bvr[n]; mask = DBG_VR_MASK; break;
	case 5: reg = &d->bcr[n]; mask = DBGBCR_MASK; break;
	case 6: reg = &d->wvr[n]; mask = DBG_VR_MASK; break;
	default: reg = &d->wcr[n]; mask = DBGWCR_MASK; break;
	}
	if (s->write) {
		*reg = s->data & mask;
		*changed = true;
	} else {
		*value = *reg;
	}
	return ARM64_SYSREG_DONE;
}

/* A register with guest state: *reg is read, or written with mask. */
static void rw(const struct vm_exit_sysreg *s, uint64_t *reg, uint64_t mask,
	       uint64_t *value)
{
	if (s->write)
		*reg = s->data & mask;
	else
		*value = *reg;
}

static enum arm64_sysreg_result debug_access(struct vcpu *v, const struct vm_exit_sysreg *s,
					     uint64_t *value)
{
	struct arm64_debug_regs *d = &v->arch.ctx.debug;
	bool was_wanted = debug_wants_hardware(d), changed = false;
	uint64_t lock_bits;

	/* DBGBVR<n>, DBGBCR<n>, DBGWVR<n>, DBGWCR<n>: Op2 4 to 7, CRm n. */
	if ((s->encoding & ~SYSREG(0, 0, 0, 0xf, 7)) == SYSREG(2, 0, 0, 0, 0) &&
	    ((s->encoding >> 17) & 7) >= 4) {
		enum arm64_sysreg_result result = debug_point_access(d, s, value, &changed);

		if (changed)
			arm64_debug_forget(v);
		return result;
	}

	switch (s->encoding) {
	case SYSREG(2, 0, 0, 2, 2):             /* MDSCR_EL1 */
		rw(s, &d->mdscr, MDSCR_GUEST, value);
		break;
	case SYSREG(2, 0, 0, 2, 0):             /* MDCCINT_EL1 */
		rw(s, &d->mdccint, MDCCINT_MASK, value);
		return ARM64_SYSREG_DONE;
	case SYSREG(2, 0, 0, 6, 2):             /* OSECCR_EL1 */
		rw(s, &d->oseccr, ~0UL, value);
		return ARM64_SYSREG_DONE;
	case SYSREG(2, 0, 0, 0, 2):             /* OSDTRRX_EL1 */
		rw(s, &d->osdtrrx, 0xffffffffUL, value);
		return ARM64_SYSREG_DONE;
	case SYSREG(2, 0, 0, 3, 2):             /* OSDTRTX_EL1 */
		rw(s, &d->osdtrtx, 0xffffffffUL, value);
		return ARM64_SYSREG_DONE;
	case SYSREG(2, 0, 1, 0, 0):             /* MDRAR_EL1: no ROM table */
		if (s->write)
			return ARM64_SYSREG_UNDEFINED;
		*value = 0;
		return ARM64_SYSREG_DONE;
	case SYSREG(2, 0, 1, 0, 4):             /* OSLAR_EL1, write-only */
		if (!s->write)
			return ARM64_SYSREG_UNDEFINED;
		d->os_lock = s->data & 1;
		break;
	case SYSREG(2, 0, 1, 1, 4):             /* OSLSR_EL1, read-only */
		if (s->write)
			return ARM64_SYSREG_UNDEFINED;
		*value = OSLSR_OSLM_V8 | (d->os_lock ? OSLSR_OSLK : 0);
		return ARM64_SYSREG_DONE;
	case SYSREG(2, 0, 1, 3, 4):             /* OSDLR_EL1 */
		lock_bits = d->os_double_lock;
		rw(s, &lock_bits, debug_has_double_lock ? 1 : 0, value);
		d->os_double_lock = lock_bits & 1;
		break;
	case SYSREG(2, 0, 1, 4, 4):             /* DBGPRCR_EL1: CORENPDRQ */
		rw(s, &d->dbgprcr, 1, value);
		break;
	case SYSREG(2, 0, 7, 8, 6):             /* DBGCLAIMSET_EL1 */
		if (s->write)
			d->claim |= (uint8_t)s->data;
		else
			*value = 0xff;          /* eight claim tags implemented */
		return ARM64_SYSREG_DONE;
	case SYSREG(2, 0, 7, 9, 6):             /* DBGCLAIMCLR_EL1 */
		if (s->write)
			d->claim &= (uint8_t)~s->data;
		else
			*value = d->claim;
		return ARM64_SYSREG_DONE;
	case SYSREG(2, 0, 7, 14, 6):            /* DBGAUTHSTATUS_EL1 */
		if (s->write)
			return ARM64_SYSREG_UNDEFINED;
		*value = read_sysreg(dbgauthstatus_el1);
		return ARM64_SYSREG_DONE;
	case SYSREG(2, 3, 0, 1, 0):             /* MDCCSR_EL0: channel empty */
		if (s->write)
			return ARM64_SYSREG_UNDEFINED;
		*value = 0;
		return ARM64_SYSREG_DONE;
	case SYSREG(2, 3, 0, 4, 0):             /* DBGDTR_EL0 */
	case SYSREG(2, 3, 0, 5, 0):             /* DBGDTRRX_EL0 / DBGDTRTX_EL0 */
		/* No external debugger: what is sent goes nowhere, nothing
		 * ever arrives. */
		if (!s->write)
			*value = 0;
		return ARM64_SYSREG_DONE;
	default:
		return ARM64_SYSREG_UNKNOWN;
	}
	/* MDSCR_EL1, the OS locks or DBGPRCR_EL1 changed: the CPU's MDSCR_EL1
	 * (this vCPU's, as it just exited here) and maybe its breakpoints. */
	v->arch.ctx.el1.mdscr_el1 = mdscr_effective(d);
	write_sysreg(mdscr_el1, v->arch.ctx.el1.mdscr_el1);
	if (was_wanted || debug_wants_hardware(d))
		arm64_debug_forget(v);
	return ARM64_SYSREG_DONE;
}

/* Registers that read as zero and ignore writes, or are read-only zero. */
static enum arm64_sysreg_result raz_wi(const struct vm_exit_sysreg *s, uint64_t *value,
				       bool read_only)
{
	if (s->write)
		return read_only ? ARM64_SYSREG_UNDEFINED : ARM64_SYSREG_DONE;
	*value = 0;
	return ARM64_SYSREG_DONE;
}

enum arm64_sysreg_result arm64_cpu_sysreg(struct vcpu *v, const struct vm_exit_sysreg *s,
					  uint64_t *value)
{
	uint32_t op0 = (s->encoding >> 20) & 3, crn = (s->encoding >> 10) & 0xf;
	uint32_t crm = (s->encoding >> 1) & 0xf;
	uint32_t op1 = (s->encoding >> 14) & 7, op2 = (s->encoding >> 17) & 7;

	if (op0 == 2)
		return debug_access(v, s, value);
	if (op0 != 3)
		return ARM64_SYSREG_UNKNOWN;
	/* RAS: ERRIDR_EL1 (no records), ERRSELR_EL1, ERXGSR_EL1 (CRm 3);
	 * ERXFR, ERXCTLR, ERXSTATUS, ERXADDR, ERXPFG* (CRm 4); ERXMISC0-3
	 * (CRm 5). */
	if (op1 == 0 && crn == 5 && ((crm == 3 && op2 <= 2) || (crm == 4 && op2 <= 6) ||
				     (crm == 5 && op2 <= 3)))
		return raz_wi(s, value, s->encoding == SYSREG(3, 0, 5, 3, 0) ||
				       s->encoding == SYSREG(3, 0, 5, 3, 2) ||
				       s->encoding == SYSREG(3, 0, 5, 4, 0) ||
				       s->encoding == SYSREG(3, 0, 5, 4, 4));
	/* LORegions: LORSA/LOREA/LORN/LORC_EL1 and LORID_EL1 (none). */
	if (op1 == 0 && crn == 10 && crm == 4 && (op2 <= 3 || op2 == 7))
		return raz_wi(s, value, op2 == 7);
	if (s->encoding == SYSREG(3, 0, 1, 0, 1))       /* ACTLR_EL1 */
		return raz_wi(s, value, false);
	return ARM64_SYSREG_UNKNOWN;
}
