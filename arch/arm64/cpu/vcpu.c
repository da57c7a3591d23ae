/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arm64 vCPUs: the EL2 controls for running guests, a vCPU's register
 * state, one run of a vCPU (run-to-exit), and the ways generic code acts
 * on a guest's registers after an exit: completing an access, stepping
 * over an instruction, injecting an exception.
 *
 * Keel's own code never uses the EL1 system registers nor (being built
 * with -mgeneral-regs-only) the FP/SIMD registers, so the world switch
 * only has to protect what Keel's EL2 code needs (vcpu_entry.S); the
 * guest's EL1 and FP state is loaded and saved here.
 */
#include <keel/guest.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <arch/cpu.h>
#include <arch/cpu_context.h>
#include <arch/regs.h>
#include <arch/sysreg.h>
#include <arch/virt.h>
#include <string.h>

/* HCR_EL2 bits beyond the host's (arch/sysreg.h). */
#define HCR_VM (1UL << 0)       /* stage 2 on */
#define HCR_SWIO (1UL << 1)     /* DC ISW is DC CISW */
#define HCR_PTW (1UL << 2)      /* stage-1 walks to device memory fault */
#define HCR_TWI (1UL << 13)     /* trap WFI */
#define HCR_TID3 (1UL << 18)    /* trap ID register reads (idregs.c) */
#define HCR_TSC (1UL << 19)     /* trap SMC */
#define HCR_TIDCP (1UL << 20)   /* trap implementation-defined registers */
#define HCR_TACR (1UL << 21)    /* trap ACTLR_EL1 */
#define HCR_TSW (1UL << 22)     /* trap data cache set/way operations */

/* Keel itself: physical interrupts to EL2, lower ELs AArch64 (head.S). */
#define HCR_APK (1UL << 40)     /* pointer-auth key registers not trapped */
#define HCR_API (1UL << 41)     /* pointer-auth instructions not trapped */
#define HCR_HOST (HCR_FMO | HCR_IMO | HCR_AMO | HCR_RW)
/* A guest: WFE is left to the hardware, WFI traps so its CPU can idle.
 * With pointer authentication the guest's keys are switched (see
 * apkeys_load), so its instructions and key registers need no trap. */
#define HCR_GUEST_BASE (HCR_HOST | HCR_VM | HCR_SWIO | HCR_PTW | HCR_TWI | \
			HCR_TID3 | HCR_TSC | HCR_TIDCP | HCR_TACR | HCR_TSW)
#define HCR_GUEST (HCR_GUEST_BASE | (cpu_has_pauth ? HCR_APK | HCR_API : 0) | hcr_guest_traps)

/* VTCR_EL2: 40-bit IPA (T0SZ 24) walked from level 1 (SL0 1), 4K granule,
 * write-back write-allocate inner-shareable walks; PS from PARange. */
#define VTCR_T0SZ 24UL
#define VTCR_SL0_LEVEL1 (1UL << 6)
#define VTCR_IRGN0_WBWA (1UL << 8)
#define VTCR_ORGN0_WBWA (1UL << 10)
#define VTCR_SH0_INNER (3UL << 12)
#define VTCR_TG0_4K (0UL << 14)
#define VTCR_PS_SHIFT 16
#define VTCR_RES1 (1UL << 31)
#define VTCR_VALUE (VTCR_T0SZ | VTCR_SL0_LEVEL1 | VTCR_IRGN0_WBWA | VTCR_ORGN0_WBWA | \
		    VTCR_SH0_INNER | VTCR_TG0_4K | VTCR_RES1)
#define PARANGE_48BIT 5         /* more needs 52-bit descriptors */

/* CPTR_EL2 (non-VHE): RES1 bits and TZ/TSM set (SVE and SME trap: Keel
 * does not switch their state), TFP clear (FP/SIMD is the guest's). */
#define CPTR_EL2_VALUE 0x33ffUL

/* PSTATE / SPSR. */
#define PSR_MODE_MASK 0xfUL
#define PSR_MODE_EL0T 0x0UL
#define PSR_MODE_EL1T 0x4UL
#define PSR_MODE_EL1H 0x5UL
#define PSR_AARCH32 (1UL << 4)
#define PSR_F (1UL << 6)
#define PSR_I (1UL << 7)
#define PSR_A (1UL << 8)
#define PSR_D (1UL << 9)
#define PSR_DAIF (PSR_D | PSR_A | PSR_I | PSR_F)
#define PSR_BTYPE_MASK (3UL << 10)
#define PSR_SSBS (1UL << 12)
#define PSR_PAN (1UL << 22)

/* SCTLR_EL1: RES1 bits, MMU and caches off. */
#define SCTLR_EL1_RESET 0x30d00800UL
#define SCTLR_EL1_SPAN (1UL << 23)
#define SCTLR_EL1_DSSBS (1UL << 44)

/* VBAR_EL1 offsets of the synchronous vectors. */
#define VECTOR_CURRENT_SP0 0x000
#define VECTOR_CURRENT_SPX 0x200
#define VECTOR_LOWER_A64 0x400
#define VECTOR_LOWER_A32 0x600

#define ESR_ISS_WNR (1UL << 6)
#define ESR_ISS_FNV (1UL << 10)
#define FSC_SYNC_EXTERNAL 0x10
#define FSC_TRANSLATION 0x04            /* + level */
#define FSC_SYNC_EXTERNAL_WALK 0x14     /* + level */
#define ESR_ISS_S1PTW (1UL << 7)

#define MPIDR_RES1 (1UL << 31)

struct arm64_host_context arm64_host_contexts[KEEL_MAX_CPUS];

/* Per host CPU: the vCPU whose FP/SIMD registers the CPU still holds. */
static struct vcpu *fpsimd_owner[KEEL_MAX_CPUS];
/* Per host CPU: the vCPU whose EL1 system registers the CPU still holds
 * (Keel itself never writes them). Reloading them on every entry is what
 * a world switch costs most under QEMU's TCG, which drops its TLB on
 * several of those writes. */
static struct vcpu *el1_owner[KEEL_MAX_CPUS];

static bool cpu_has_pan;
static bool cpu_has_pauth;
static bool cpu_has_ssbs;
/* RAS and LORegion traps, where the CPU has them (sysregs.c). */
static uint64_t hcr_guest_traps;

void arch_virt_cpu_init(void)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	cpu_has_pan = ((read_sysreg(id_aa64mmfr1_el1) >> 20) & 0xf) != 0;
	/* ID_AA64ISAR1_EL1: APA [7:4], API [11:8], GPA [27:24], GPI [31:28]. */
	cpu_has_pauth = (read_sysreg(id_aa64isar1_el1) & 0xff000ff0UL) != 0;
	cpu_has_ssbs = ((read_sysreg(id_aa64pfr1_el1) >> 4) & 0xf) != 0;

	write_sysreg(vtcr_el2, VTCR_VALUE | (MIN(parange, PARANGE_48BIT) << VTCR_PS_SHIFT));
	write_sysreg(hstr_el2, 0);
	/* CPTR_EL2, MDCR_EL2: PMU, debug, trace, AMU and profiling traps.
	 * Every CPU computes the same value (identical CPUs). */
	hcr_guest_traps = arm64_sysregs_cpu_init(CPTR_EL2_VALUE);
	write_sysreg(vttbr_el2, 0);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	isb();
	arm64_virt_cpu_init();
}

/* Makes every host CPU reload v's state kept in owners[] from its
 * context on v's next entry. */
static void owner_forget(struct vcpu **owners, struct vcpu *v)
{
	for (unsigned int cpu = 0; cpu < KEEL_MAX_CPUS; cpu++) {
		struct vcpu *expected = v;

		__atomic_compare_exchange_n(&owners[cpu], &expected, NULL, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
}

static void fpsimd_forget(struct vcpu *v)
{
	owner_forget(fpsimd_owner, v);
}

/* Keel changed v's saved EL1 registers (an injected exception, a reset). */
static void el1_forget(struct vcpu *v)
{
	owner_forget(el1_owner, v);
}

void arch_vcpu_reset(struct vcpu *v, gpa_t entry, uint64_t arg)
{
	struct arm64_cpu_context *ctx = &v->arch.ctx;

	memset(ctx, 0, sizeof(*ctx));
	ctx->pc = entry;
	ctx->x[0] = arg;
	ctx->pstate = PSR_MODE_EL1H | PSR_DAIF;
	ctx->el1.sctlr_el1 = SCTLR_EL1_RESET;
	v->arch.mpidr = MPIDR_RES1 | (v->id & 0xff);
	arm64_debug_reset(v);
	fpsimd_forget(v);
	el1_forget(v);
}

int arch_vcpu_init(struct vcpu *v)
{
	arch_vcpu_reset(v, 0, 0);
	return 0;
}

void arch_vcpu_destroy(struct vcpu *v)
{
	/* Its memory may come back as another vCPU: no CPU may think it
	 * still holds that one's registers. */
	fpsimd_forget(v);
	el1_forget(v);
	arm64_debug_forget(v);
}

/* The pointer-authentication key registers, by encoding (assemblers
 * without ARMv8.3 do not know their names). */
#define APKEY_READ(i, reg) (r->apkeys[i] = read_sysreg(reg))
static void apkeys_store(struct arm64_el1_sysregs *r)
{
	if (!cpu_has_pauth)
		return;
	APKEY_READ(0, S3_0_C2_C1_0); APKEY_READ(1, S3_0_C2_C1_1);
	APKEY_READ(2, S3_0_C2_C1_2); APKEY_READ(3, S3_0_C2_C1_3);
	APKEY_READ(4, S3_0_C2_C2_0); APKEY_READ(5, S3_0_C2_C2_1);
	APKEY_READ(6, S3_0_C2_C2_2); APKEY_READ(7, S3_0_C2_C2_3);
	APKEY_READ(8, S3_0_C2_C3_0); APKEY_READ(9, S3_0_C2_C3_1);
}

static void apkeys_load(const struct arm64_el1_sysregs *r)
{
	if (!cpu_has_pauth)
		return;
	write_sysreg(S3_0_C2_C1_0, r->apkeys[0]); write_sysreg(S3_0_C2_C1_1, r->apkeys[1]);
	write_sysreg(S3_0_C2_C1_2, r->apkeys[2]); write_sysreg(S3_0_C2_C1_3, r->apkeys[3]);
	write_sysreg(S3_0_C2_C2_0, r->apkeys[4]); write_sysreg(S3_0_C2_C2_1, r->apkeys[5]);
	write_sysreg(S3_0_C2_C2_2, r->apkeys[6]); write_sysreg(S3_0_C2_C2_3, r->apkeys[7]);
	write_sysreg(S3_0_C2_C3_0, r->apkeys[8]); write_sysreg(S3_0_C2_C3_1, r->apkeys[9]);
}

static void el1_sysregs_load(const struct arm64_el1_sysregs *r)
{
	apkeys_load(r);
	write_sysreg(sp_el0, r->sp_el0);
	write_sysreg(sp_el1, r->sp_el1);
	write_sysreg(elr_el1, r->elr_el1);
	write_sysreg(spsr_el1, r->spsr_el1);
	write_sysreg(sctlr_el1, r->sctlr_el1);
	write_sysreg(cpacr_el1, r->cpacr_el1);
	write_sysreg(ttbr0_el1, r->ttbr0_el1);
	write_sysreg(ttbr1_el1, r->ttbr1_el1);
	write_sysreg(tcr_el1, r->tcr_el1);
	write_sysreg(mair_el1, r->mair_el1);
	write_sysreg(amair_el1, r->amair_el1);
	write_sysreg(vbar_el1, r->vbar_el1);
	write_sysreg(contextidr_el1, r->contextidr_el1);
	write_sysreg(tpidr_el0, r->tpidr_el0);
	write_sysreg(tpidrro_el0, r->tpidrro_el0);
	write_sysreg(tpidr_el1, r->tpidr_el1);
	write_sysreg(esr_el1, r->esr_el1);
	write_sysreg(far_el1, r->far_el1);
	write_sysreg(afsr0_el1, r->afsr0_el1);
	write_sysreg(afsr1_el1, r->afsr1_el1);
	write_sysreg(par_el1, r->par_el1);
	write_sysreg(csselr_el1, r->csselr_el1);
	write_sysreg(cntkctl_el1, r->cntkctl_el1);
	write_sysreg(mdscr_el1, r->mdscr_el1);
}

static void el1_sysregs_store(struct arm64_el1_sysregs *r)
{
	r->sp_el0 = read_sysreg(sp_el0);
	r->sp_el1 = read_sysreg(sp_el1);
	r->elr_el1 = read_sysreg(elr_el1);
	r->spsr_el1 = read_sysreg(spsr_el1);
	r->sctlr_el1 = read_sysreg(sctlr_el1);
	r->cpacr_el1 = read_sysreg(cpacr_el1);
	r->ttbr0_el1 = read_sysreg(ttbr0_el1);
	r->ttbr1_el1 = read_sysreg(ttbr1_el1);
	r->tcr_el1 = read_sysreg(tcr_el1);
	r->mair_el1 = read_sysreg(mair_el1);
	r->amair_el1 = read_sysreg(amair_el1);
	r->vbar_el1 = read_sysreg(vbar_el1);
	r->contextidr_el1 = read_sysreg(contextidr_el1);
	r->tpidr_el0 = read_sysreg(tpidr_el0);
	r->tpidrro_el0 = read_sysreg(tpidrro_el0);
	r->tpidr_el1 = read_sysreg(tpidr_el1);
	r->esr_el1 = read_sysreg(esr_el1);
	r->far_el1 = read_sysreg(far_el1);
	r->afsr0_el1 = read_sysreg(afsr0_el1);
	r->afsr1_el1 = read_sysreg(afsr1_el1);
	r->par_el1 = read_sysreg(par_el1);
	r->csselr_el1 = read_sysreg(csselr_el1);
	r->cntkctl_el1 = read_sysreg(cntkctl_el1);
	r->mdscr_el1 = read_sysreg(mdscr_el1);
	apkeys_store(r);
}

void arch_vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
	struct arm64_cpu_context *ctx = &v->arch.ctx;
	unsigned int cpu = arch_cpu_id();
	uint64_t start, vector;

	BUG_ON(!v->guest->arch.stage2.root);
	if (el1_owner[cpu] != v) {
		el1_sysregs_load(&ctx->el1);
		__atomic_store_n(&el1_owner[cpu], v, __ATOMIC_SEQ_CST);
	}
	/* The FP/SIMD state is saved on every exit; it only needs loading
	 * when another vCPU used this CPU's registers since. */
	if (fpsimd_owner[cpu] != v) {
		arm64_fpsimd_restore(ctx);
		__atomic_store_n(&fpsimd_owner[cpu], v, __ATOMIC_SEQ_CST);
	}
	/*
	 * Only what changed is written: QEMU's TCG drops its whole TLB on
	 * writes to HCR_EL2 and VTTBR_EL2, which made every exit cost as
	 * much as a context switch. HCR_EL2 keeps its guest value while Keel
	 * runs between guests: its trap and stage-2 bits only act on EL1
	 * and EL0, and its routing bits are the host's anyway.
	 */
	if (read_sysreg(vttbr_el2) != v->guest->arch.stage2.vttbr)
		write_sysreg(vttbr_el2, v->guest->arch.stage2.vttbr);
	/* The guest sees this CPU's model and its own vCPU id. */
	if (read_sysreg(vmpidr_el2) != v->arch.mpidr)
		write_sysreg(vmpidr_el2, v->arch.mpidr);
	if (read_sysreg(hcr_el2) != HCR_GUEST)
		write_sysreg(hcr_el2, HCR_GUEST);
	arm64_debug_enter(v);
	arm64_vtimer_enter(v);
	arm64_vgic_enter(v);

	v->entries++;
	start = time_now_ns();
	vector = arm64_guest_enter(ctx, &arm64_host_contexts[cpu]);
	v->run_ns += time_now_ns() - start;

	arm64_vgic_exit(v);
	arm64_vtimer_exit(v);
	isb();
	el1_sysregs_store(&ctx->el1);
	arm64_fpsimd_save(ctx);
	ctx->exit_vector = (unsigned int)vector;
	arm64_trap_decode(v, exit);
}

uint64_t arm64_vcpu_get_reg(const struct vcpu *v, unsigned int n)
{
	return n < 31 ? v->arch.ctx.x[n] : 0;
}

void arm64_vcpu_set_reg(struct vcpu *v, unsigned int n, uint64_t value)
{
	if (n < 31)
		v->arch.ctx.x[n] = value;
}

void arch_vcpu_skip_instruction(struct vcpu *v)
{
	struct arm64_cpu_context *ctx = &v->arch.ctx;

	/* Every trapped AArch64 instruction is 4 bytes; a 16-bit T32 one
	 * (IL clear) only exists for AArch32 EL0. */
	if ((ctx->pstate & PSR_AARCH32) && !(ctx->esr_el2 & ESR_IL))
		ctx->pc += 2;
	else
		ctx->pc += 4;
	/* The next instruction is not the target of a branch. */
	ctx->pstate &= ~PSR_BTYPE_MASK;
}

static void inject_abort_status(struct vcpu *v, gpa_t addr, bool data, unsigned int fsc);

void arch_vcpu_complete_mmio(struct vcpu *v, const struct vm_exit *exit,
			     uint64_t value)
{
	const struct vm_exit_mmio *m = &exit->mmio;

	/* A fetch that reads as zero fetches UDF #0, permanently undefined;
	 * a walk that reads zero finds an invalid descriptor; an undecoded
	 * access has no register to complete. */
	if (m->kind == VM_MMIO_FETCH) {
		arch_vcpu_inject_undef(v);
		return;
	}
	if (m->kind == VM_MMIO_TABLE_WALK) {
		inject_abort_status(v, m->addr, !m->walk_for_fetch,
				    FSC_TRANSLATION + (v->arch.ctx.walk_level & 3));
		return;
	}
	if (m->kind == VM_MMIO_UNDECODED) {
		arch_vcpu_inject_abort(v, m->addr, true);
		return;
	}
	if (!m->write) {
		unsigned int bits = m->size * 8;

		if (bits < 64) {
			value &= (1ULL << bits) - 1;
			if (m->sign_extend && (value >> (bits - 1)) & 1)
				value |= ~0ULL << bits;
		}
		/* A W register: the upper half reads as zero. */
		if (!m->reg64)
			value &= 0xffffffffULL;
		arm64_vcpu_set_reg(v, m->reg, value);
	}
	arch_vcpu_skip_instruction(v);
}

void arch_vcpu_complete_hypercall(struct vcpu *v, const uint64_t ret[4])
{
	for (unsigned int i = 0; i < 4; i++)
		v->arch.ctx.x[i] = ret[i];
	/* HVC returns past itself; a trapped SMC leaves ELR on the SMC. */
	if (ESR_EC(v->arch.ctx.esr_el2) == ARM64_EC_SMC64)
		arch_vcpu_skip_instruction(v);
}

/* Takes an exception to the guest's EL1, as the hardware would have. */
static void inject_exception(struct vcpu *v, uint64_t esr)
{
	struct arm64_cpu_context *ctx = &v->arch.ctx;
	uint64_t pstate = ctx->pstate;
	uint64_t offset, new_pstate = PSR_MODE_EL1H | PSR_DAIF;

	if (pstate & PSR_AARCH32)
		offset = VECTOR_LOWER_A32;
	else if ((pstate & PSR_MODE_MASK) == PSR_MODE_EL0T)
		offset = VECTOR_LOWER_A64;
	else if (pstate & 1)
		offset = VECTOR_CURRENT_SPX;
	else
		offset = VECTOR_CURRENT_SP0;

	ctx->el1.elr_el1 = ctx->pc;
	ctx->el1.spsr_el1 = pstate;
	ctx->el1.esr_el1 = esr;
	if (cpu_has_pan && !(ctx->el1.sctlr_el1 & SCTLR_EL1_SPAN))
		new_pstate |= PSR_PAN;
	else
		new_pstate |= pstate & PSR_PAN;
	if (cpu_has_ssbs && (ctx->el1.sctlr_el1 & SCTLR_EL1_DSSBS))
		new_pstate |= PSR_SSBS;
	ctx->pstate = new_pstate;
	ctx->pc = ctx->el1.vbar_el1 + offset;
	el1_forget(v);
}

static bool guest_at_el0(const struct arm64_cpu_context *ctx)
{
	return (ctx->pstate & PSR_AARCH32) ||
	       (ctx->pstate & PSR_MODE_MASK) == PSR_MODE_EL0T;
}

/* Whether the last exit was a stage-2 fault on the guest's own stage-1
 * table walk (its level is in ctx->walk_level). */
static bool exit_was_table_walk(const struct arm64_cpu_context *ctx)
{
	unsigned int ec = (unsigned int)ESR_EC(ctx->esr_el2);

	return (ec == ARM64_EC_DABT_LOW || ec == ARM64_EC_IABT_LOW) &&
	       (ctx->esr_el2 & ESR_ISS_S1PTW);
}

/* A data or instruction abort with status fsc, to the guest's EL1. */
static void inject_abort_status(struct vcpu *v, gpa_t addr, bool data, unsigned int fsc)
{
	struct arm64_cpu_context *ctx = &v->arch.ctx;
	unsigned int trap_ec = (unsigned int)ESR_EC(ctx->esr_el2);
	bool el0 = guest_at_el0(ctx);
	uint64_t ec, esr, far = addr;

	if (data)
		ec = el0 ? ARM64_EC_DABT_LOW : ARM64_EC_DABT_CUR;
	else
		ec = el0 ? ARM64_EC_IABT_LOW : ARM64_EC_IABT_CUR;
	esr = (ec << ESR_EC_SHIFT) | ESR_IL | fsc;
	/* After an abort trap, the guest knows the access by its virtual
	 * address (FAR_EL2), not by the IPA. */
	if ((trap_ec == ARM64_EC_DABT_LOW || trap_ec == ARM64_EC_IABT_LOW) &&
	    !(ctx->esr_el2 & ESR_ISS_FNV)) {
		far = ctx->far_el2;
		if (data && trap_ec == ARM64_EC_DABT_LOW)
			esr |= ctx->esr_el2 & ESR_ISS_WNR;
	}
	inject_exception(v, esr);
	ctx->el1.far_el1 = far;
}

void arch_vcpu_inject_abort(struct vcpu *v, gpa_t addr, bool data)
{
	const struct arm64_cpu_context *ctx = &v->arch.ctx;

	/* Nothing answered: a synchronous external abort, on the table walk
	 * at its level when the guest's walk read there. */
	inject_abort_status(v, addr, data, exit_was_table_walk(ctx) ?
			    FSC_SYNC_EXTERNAL_WALK + (ctx->walk_level & 3) : FSC_SYNC_EXTERNAL);
}

void arch_vcpu_inject_undef(struct vcpu *v)
{
	const struct arm64_cpu_context *ctx = &v->arch.ctx;
	/* IL says how long the instruction was: only a 16-bit T32 one, at
	 * AArch32 EL0, is short, and its trap said so. */
	uint64_t il = (ctx->pstate & PSR_AARCH32) ? ctx->esr_el2 & ESR_IL : ESR_IL;

	inject_exception(v, ((uint64_t)ARM64_EC_UNKNOWN << ESR_EC_SHIFT) | il);
}

uint64_t arch_vcpu_hwid(const struct vcpu *v)
{
	return v->arch.mpidr & MPIDR_HWID_MASK;
}

static const char *pstate_mode_name(uint64_t pstate)
{
	if (pstate & PSR_AARCH32)
		return "AArch32 EL0";
	switch (pstate & PSR_MODE_MASK) {
	case PSR_MODE_EL0T: return "EL0t";
	case PSR_MODE_EL1T: return "EL1t";
	case PSR_MODE_EL1H: return "EL1h";
	default: return "illegal mode";
	}
}

static const char *const exit_vector_names[] = {
	"sync (lower EL, AArch64)", "IRQ (lower EL, AArch64)",
	"FIQ (lower EL, AArch64)", "SError (lower EL, AArch64)",
	"sync (lower EL, AArch32)", "IRQ (lower EL, AArch32)",
	"FIQ (lower EL, AArch32)", "SError (lower EL, AArch32)",
};

void arch_vcpu_dump(struct vcpu *v)
{
	const struct arm64_cpu_context *ctx = &v->arch.ctx;
	const struct arm64_el1_sysregs *r = &ctx->el1;
	unsigned int vector = ctx->exit_vector;

	kprintf("  pc  0x%016llx  pstate 0x%08llx (%s, masked: %c%c%c%c)\n",
		(unsigned long long)ctx->pc, (unsigned long long)ctx->pstate,
		pstate_mode_name(ctx->pstate),
		(ctx->pstate & PSR_D) ? 'D' : '-', (ctx->pstate & PSR_A) ? 'A' : '-',
		(ctx->pstate & PSR_I) ? 'I' : '-', (ctx->pstate & PSR_F) ? 'F' : '-');
	for (int i = 0; i < 30; i += 2)
		kprintf("  x%-2d 0x%016llx  x%-2d 0x%016llx\n", i,
			(unsigned long long)ctx->x[i], i + 1,
			(unsigned long long)ctx->x[i + 1]);
	kprintf("  x30 0x%016llx\n", (unsigned long long)ctx->x[30]);
	kprintf("  sp_el0 0x%016llx  sp_el1 0x%016llx\n",
		(unsigned long long)r->sp_el0, (unsigned long long)r->sp_el1);
	kprintf("  elr_el1 0x%016llx  spsr_el1 0x%08llx\n",
		(unsigned long long)r->elr_el1, (unsigned long long)r->spsr_el1);
	kprintf("  esr_el1 0x%08llx  far_el1 0x%016llx\n",
		(unsigned long long)r->esr_el1, (unsigned long long)r->far_el1);
	kprintf("  sctlr_el1 0x%08llx (MMU %s)  vbar_el1 0x%016llx\n",
		(unsigned long long)r->sctlr_el1, (r->sctlr_el1 & SCTLR_M) ? "on" : "off",
		(unsigned long long)r->vbar_el1);
	kprintf("  last exit: %s, esr_el2 0x%08llx far_el2 0x%016llx hpfar_el2 0x%llx\n",
		vector >= VECTOR_LOW64_SYNC && vector <= VECTOR_LOW32_SERROR ?
			exit_vector_names[vector - VECTOR_LOW64_SYNC] : "none yet",
		(unsigned long long)ctx->esr_el2, (unsigned long long)ctx->far_el2,
		(unsigned long long)ctx->hpfar_el2);
}
