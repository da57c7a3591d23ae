/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CPU feature ID registers as guests see them. HCR_EL2.TID3 traps
 * their reads; a guest gets the host CPU's value less the features whose
 * state Keel does not give each guest of its own, so that a guest kernel
 * never turns them on (docs/virtualization.md has the whole table):
 *   SVE, SME, FP8     CPTR_EL2 traps them (register files not switched)
 *   MTE               tag storage is not part of guest memory
 *   PMU, SPE, trace, BRBE, AMU, MPAM   trapped, undefined (sysregs.c)
 *   SCXTNUM (CSV2_2)  HCR_EL2.EnSCXT clear: SCXTNUM_ELx are trapped
 *   NMI, GCS, THE, PFAR, LS64, MOPS, TCR2, S1PIE, S1POE, 128-bit system
 *   registers, WFxT, TME: need HCRX_EL2 enables or registers Keel does not
 *   switch, or the vGIC has no NMIs
 *   ECV               CNTPCTSS_EL0 would trap with CNTPCT_EL0 and is not
 *                     emulated
 * Breakpoints and watchpoints stay (every v8 CPU has them): they are
 * trapped and kept per vCPU (sysregs.c); DebugVer is capped at v8.8, the
 * last version whose registers Keel serves. AArch32 ID registers (for EL0)
 * hide the same features.
 * Without this a kernel built with SVE support, on a CPU that has it
 * (QEMU's "max"), finds SVE, uses it and is stopped on the trap.
 */
#include <keel/vm_exit.h>
#include <arch/sysreg.h>
#include <arch/virt.h>

#define ID_FIELD(shift) (0xfULL << (shift))

/* ID_AA64PFR0_EL1 */
#define PFR0_SVE ID_FIELD(32)
#define PFR0_MPAM ID_FIELD(40)
#define PFR0_AMU ID_FIELD(44)
#define PFR0_CSV2_SHIFT 56
/* ID_AA64PFR1_EL1 */
#define PFR1_MTE ID_FIELD(8)
#define PFR1_MPAM_FRAC ID_FIELD(16)
#define PFR1_SME ID_FIELD(24)
#define PFR1_NMI ID_FIELD(36)
#define PFR1_CSV2_FRAC_SHIFT 32
#define PFR1_MTE_FRAC ID_FIELD(40)
#define PFR1_GCS ID_FIELD(44)
#define PFR1_THE ID_FIELD(48)
#define PFR1_MTEX ID_FIELD(52)
#define PFR1_DF2 ID_FIELD(56)
#define PFR1_PFAR ID_FIELD(60)
/* ID_AA64DFR0_EL1 */
#define DFR0_DEBUGVER_SHIFT 0
#define DFR0_DEBUGVER_V8P8 0xaULL
#define DFR0_TRACEVER ID_FIELD(4)
#define DFR0_PMUVER ID_FIELD(8)
#define DFR0_PMSS ID_FIELD(16)
#define DFR0_SEBEP ID_FIELD(24)
#define DFR0_PMSVER ID_FIELD(32)
#define DFR0_TRACEFILT ID_FIELD(40)
#define DFR0_TRACEBUFFER ID_FIELD(44)
#define DFR0_MTPMU ID_FIELD(48)
#define DFR0_BRBE ID_FIELD(52)
#define DFR0_EXTTRCBUFF ID_FIELD(56)
#define DFR0_HPMN0 ID_FIELD(60)
/* ID_AA64ISAR0_EL1 */
#define ISAR0_TME ID_FIELD(24)
/* ID_AA64ISAR1_EL1 */
#define ISAR1_LS64 ID_FIELD(60)
/* ID_AA64ISAR2_EL1 */
#define ISAR2_WFXT ID_FIELD(0)
#define ISAR2_MOPS ID_FIELD(16)
#define ISAR2_SYSREG_128 ID_FIELD(32)
#define ISAR2_SYSINSTR_128 ID_FIELD(36)
/* ID_AA64MMFR0_EL1 */
#define MMFR0_ECV ID_FIELD(60)
/* AArch32: ID_PFR0_EL1, ID_DFR0_EL1, ID_DFR1_EL1 */
#define PFR0_A32_CSV2_SHIFT 16
#define PFR0_A32_AMU ID_FIELD(20)
#define DFR0_A32_COPTRC ID_FIELD(12)
#define DFR0_A32_MMAPTRC ID_FIELD(16)
#define DFR0_A32_PERFMON ID_FIELD(24)
#define DFR0_A32_TRACEFILT ID_FIELD(28)

#define IDREG(crm, op2) ARM64_SYSREG_ISS(3, 0, 0, crm, op2)

/* Op0 3, Op1 0, CRn 0, CRm 1-7: the ID register space TID3 covers
 * (unallocated encodings in it read as zero). */
static bool is_id_register(uint32_t encoding)
{
	for (unsigned int crm = 1; crm <= 7; crm++)
		if ((encoding & ~ARM64_SYSREG_ISS(0, 0, 0, 0, 7)) == IDREG(crm, 0))
			return true;
	return false;
}

#define READ_CASE(crm, op2)                                                \
	case IDREG(crm, op2):                                              \
		return read_sysreg(S3_0_C0_C##crm##_##op2)
#define READ_ROW(crm)                                                      \
	READ_CASE(crm, 0); READ_CASE(crm, 1); READ_CASE(crm, 2);           \
	READ_CASE(crm, 3); READ_CASE(crm, 4); READ_CASE(crm, 5);           \
	READ_CASE(crm, 6); READ_CASE(crm, 7)

/* MRS needs the register in the instruction: one case per encoding. */
static uint64_t read_host_id_register(uint32_t encoding)
{
	switch (encoding) {
	READ_ROW(1);
	READ_ROW(2);
	READ_ROW(3);
	READ_ROW(4);
	READ_ROW(5);
	READ_ROW(6);
	READ_ROW(7);
	default:
		return 0;
	}
}

/* Field at shift of value, lowered to at most limit (an unsigned field). */
static uint64_t field_cap(uint64_t value, unsigned int shift, uint64_t limit)
{
	if (((value >> shift) & 0xf) <= limit)
		return value;
	return (value & ~ID_FIELD(shift)) | (limit << shift);
}

uint64_t arm64_guest_id_register(uint32_t encoding, uint64_t host_value)
{
	switch (encoding) {
	case IDREG(1, 0):       /* ID_PFR0_EL1 */
		return field_cap(host_value & ~PFR0_A32_AMU, PFR0_A32_CSV2_SHIFT, 1);
	case IDREG(1, 2):       /* ID_DFR0_EL1 */
		return host_value & ~(DFR0_A32_COPTRC | DFR0_A32_MMAPTRC | DFR0_A32_PERFMON |
				      DFR0_A32_TRACEFILT);
	case IDREG(3, 5):       /* ID_DFR1_EL1: MTPMU, HPMN0 */
		return 0;
	case IDREG(4, 0):       /* ID_AA64PFR0_EL1 */
		return field_cap(host_value & ~(PFR0_SVE | PFR0_MPAM | PFR0_AMU),
				 PFR0_CSV2_SHIFT, 1);
	case IDREG(4, 1):       /* ID_AA64PFR1_EL1 */
		return field_cap(host_value & ~(PFR1_MTE | PFR1_MPAM_FRAC | PFR1_SME |
						PFR1_NMI | PFR1_MTE_FRAC | PFR1_GCS | PFR1_THE |
						PFR1_MTEX | PFR1_DF2 | PFR1_PFAR),
				 PFR1_CSV2_FRAC_SHIFT, 1);
	case IDREG(4, 2):       /* ID_AA64PFR2_EL1: MTE extensions, FPMR */
	case IDREG(4, 4):       /* ID_AA64ZFR0_EL1: SVE features */
	case IDREG(4, 5):       /* ID_AA64SMFR0_EL1: SME features */
	case IDREG(4, 7):       /* ID_AA64FPFR0_EL1: FP8 (FPMR) */
	case IDREG(5, 1):       /* ID_AA64DFR1_EL1: v8.9 debug and PMU */
	case IDREG(5, 2):       /* ID_AA64DFR2_EL1 */
	case IDREG(6, 3):       /* ID_AA64ISAR3_EL1 */
	case IDREG(7, 3):       /* ID_AA64MMFR3_EL1: TCR2, SCTLR2, S1PIE, S1POE... */
	case IDREG(7, 4):       /* ID_AA64MMFR4_EL1 */
		return 0;
	case IDREG(5, 0):       /* ID_AA64DFR0_EL1 */
		return field_cap(host_value & ~(DFR0_TRACEVER | DFR0_PMUVER | DFR0_PMSS |
						DFR0_SEBEP | DFR0_PMSVER |
						DFR0_TRACEFILT | DFR0_TRACEBUFFER | DFR0_MTPMU |
						DFR0_BRBE | DFR0_EXTTRCBUFF | DFR0_HPMN0),
				 DFR0_DEBUGVER_SHIFT, DFR0_DEBUGVER_V8P8);
	case IDREG(6, 0):       /* ID_AA64ISAR0_EL1 */
		return host_value & ~ISAR0_TME;
	case IDREG(6, 1):       /* ID_AA64ISAR1_EL1 */
		return host_value & ~ISAR1_LS64;
	case IDREG(6, 2):       /* ID_AA64ISAR2_EL1 */
		return host_value & ~(ISAR2_WFXT | ISAR2_MOPS | ISAR2_SYSREG_128 |
				      ISAR2_SYSINSTR_128);
	case IDREG(7, 0):       /* ID_AA64MMFR0_EL1 */
		return host_value & ~MMFR0_ECV;
	default:
		return host_value;
	}
}

bool arm64_id_register_read(const struct vm_exit_sysreg *access, uint64_t *value)
{
	if (access->write || !is_id_register(access->encoding))
		return false;
	*value = arm64_guest_id_register(access->encoding,
					 read_host_id_register(access->encoding));
	return true;
}
