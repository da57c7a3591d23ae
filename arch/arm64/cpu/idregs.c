/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CPU feature ID registers as guests see them. HCR_EL2.TID3 traps
 * their reads; a guest gets the host CPU's value less the features whose
 * state Keel does not give each guest of its own, so that a guest kernel
 * never turns them on:
 *   SVE, SME   CPTR_EL2 traps them (their register files are not switched)
 *   MTE        tag storage is not part of guest memory
 *   AMU, MPAM  their registers are not virtualized
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
/* ID_AA64PFR1_EL1 */
#define PFR1_MTE ID_FIELD(8)
#define PFR1_MPAM_FRAC ID_FIELD(16)
#define PFR1_SME ID_FIELD(24)

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

uint64_t arm64_guest_id_register(uint32_t encoding, uint64_t host_value)
{
	switch (encoding) {
	case IDREG(4, 0):       /* ID_AA64PFR0_EL1 */
		return host_value & ~(PFR0_SVE | PFR0_MPAM | PFR0_AMU);
	case IDREG(4, 1):       /* ID_AA64PFR1_EL1 */
		return host_value & ~(PFR1_MTE | PFR1_MPAM_FRAC | PFR1_SME);
	case IDREG(4, 4):       /* ID_AA64ZFR0_EL1: SVE features */
	case IDREG(4, 5):       /* ID_AA64SMFR0_EL1: SME features */
		return 0;
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
