/* SPDX-License-Identifier: GPL-2.0-only */
/* SMCCC and PSCI calls over HVC, the conduit the platform's DTB names. */
#include "arm64.h"
#include "../arch.h"

#define PSCI_NOT_SUPPORTED (-1)
#define SMCCC_64BIT (1U << 30)

struct smccc_result smccc_call(uint32_t function, uint64_t a1, uint64_t a2,
			       uint64_t a3)
{
	struct cpu_state *cpu = this_cpu();
	struct smccc_result result = { 0 };

	cpu->hvc_refused = false;
	result.x0 = smccc_hvc(function, a1, a2, a3);
	if (cpu->hvc_refused) {
		result.refused = true;
		result.syndrome = cpu->hvc_syndrome;
	}
	return result;
}

int64_t psci_call(uint32_t function, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct smccc_result result = smccc_call(function, a1, a2, a3);

	if (result.refused)
		return PSCI_NOT_SUPPORTED;
	/* SMC32 calls return a 32-bit value in w0. */
	if (!(function & SMCCC_64BIT))
		return (int32_t)(uint32_t)result.x0;
	return (int64_t)result.x0;
}

void arch_power_off(void)
{
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
}

void arch_reset(void)
{
	psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
}
