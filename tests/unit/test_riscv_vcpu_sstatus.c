/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sstatus a riscv64 guest is entered with
 * (arch/riscv64/include/arch/vcpu_sstatus.h): whatever Keel's own sstatus
 * holds, the guest runs with the vector unit off (its vector
 * instructions are illegal: Keel does not switch the vector registers)
 * and FP clean, in the mode it was in.
 */
#include "../../arch/riscv64/include/arch/vcpu_sstatus.h"
#include "unit.h"

#define SSTATUS_VS_DIRTY 0x600UL
#define SSTATUS_VS_INITIAL 0x200UL
#define SSTATUS_UXL_64 (2UL << 32)

TEST(riscv_vcpu_entry_turns_the_vector_unit_off_whatever_the_host_left)
{
	const uint64_t hosts[] = {
		0, SSTATUS_VS_INITIAL, SSTATUS_VS_DIRTY,
		SSTATUS_VS_DIRTY | SSTATUS_FS_DIRTY | SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP,
	};

	for (unsigned int i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		CHECK_EQ(riscv_vcpu_entry_sstatus(hosts[i], SSTATUS_SPP) & SSTATUS_VS, 0);
		CHECK_EQ(riscv_vcpu_entry_sstatus(hosts[i], 0) & SSTATUS_VS, 0);
	}
}

TEST(riscv_vcpu_entry_sstatus_keeps_the_mode_and_makes_fp_clean)
{
	uint64_t host = SSTATUS_UXL_64 | SSTATUS_SUM | SSTATUS_FS_DIRTY | SSTATUS_SIE |
			SSTATUS_SPIE;

	CHECK_EQ(riscv_vcpu_entry_sstatus(host, SSTATUS_SPP),
		 SSTATUS_UXL_64 | SSTATUS_SUM | SSTATUS_FS_CLEAN | SSTATUS_SPP);
	CHECK_EQ(riscv_vcpu_entry_sstatus(host | SSTATUS_SPP, 0),
		 SSTATUS_UXL_64 | SSTATUS_SUM | SSTATUS_FS_CLEAN);
}
