// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI HSM (hart state management) and SRST (system reset) for guests,
 * mapped onto the neutral vCPU power and guest life-cycle calls that PSCI
 * uses on arm64 (keel/vcpu.h, keel/guest.h):
 *
 *   hart_start     vcpu_power_on: the hart starts at start_addr with
 *                  a0 = its hart id, a1 = opaque (arch_vcpu_reset)
 *   hart_stop      vcpu_power_off of the calling vCPU
 *   hart_suspend   retentive: a WFI that returns SBI_SUCCESS when it ends;
 *                  non-retentive: the same wait, then the hart resumes at
 *                  resume_addr as if started there
 *   shutdown       guest_stop_async; cold and warm reboot guest_reset_async
 *
 * The HSM states a guest sees: STARTED / STOPPED from the vCPU's power,
 * START_PENDING between hart_start and the hart's first guest
 * instruction, STOP_PENDING while a hart that stopped is still finishing
 * that exit on its host CPU, SUSPENDED while it waits in hart_suspend.
 *
 * suspend_type, reset_type and reset_reason are 32-bit values, passed
 * sign-extended in 64-bit registers: only the low 32 bits count.
 */
#include <keel/guest.h>
#include <keel/sched.h>
#include <keel/vcpu.h>
#include "../include/arch/vsbi.h"
#include "sbi_defs.h"

static long vsbi_hart_start(struct vcpu *v, uint64_t hartid, uint64_t addr,
			    uint64_t opaque)
{
	struct vcpu *t = vcpu_find_by_hwid(v->guest, hartid);

	if (!t)
		return SBI_ERR_INVALID_PARAM;
	/* The hart starts with translation off: addr is guest-physical. */
	if (!guest_range_is_ram(v->guest, addr, 2))
		return SBI_ERR_INVALID_ADDRESS;
	return vcpu_power_on(t, addr, opaque) ? SBI_ERR_ALREADY_AVAILABLE : SBI_SUCCESS;
}

static long vsbi_hart_status(struct vcpu *t)
{
	if (READ_ONCE(t->power) == VCPU_POWER_OFF)
		return __atomic_load_n(&t->on_cpu, __ATOMIC_SEQ_CST) ? SBI_HSM_STOP_PENDING
									: SBI_HSM_STOPPED;
	if (READ_ONCE(riscv_vcpu_sbi(t)->suspended))
		return SBI_HSM_SUSPENDED;
	return riscv_vcpu_started(t) ? SBI_HSM_STARTED : SBI_HSM_START_PENDING;
}

/* Returns false when v is now suspended (its call completed already). */
static bool vsbi_hart_suspend(struct vcpu *v, uint32_t type, uint64_t resume_addr,
			      uint64_t opaque, struct sbiret *ret)
{
	uint64_t kicks = __atomic_load_n(&v->kicks, __ATOMIC_SEQ_CST);
	uint64_t done[4] = { SBI_SUCCESS, 0, 0, 0 };

	switch (type) {
	case SBI_HSM_SUSPEND_RETENTIVE:
		/* Returns from the call, successfully, when the wait ends. */
		arch_vcpu_complete_hypercall(v, done);
		break;
	case SBI_HSM_SUSPEND_NON_RETENTIVE:
		if (!guest_range_is_ram(v->guest, resume_addr, 2)) {
			ret->error = SBI_ERR_INVALID_ADDRESS;
			return true;
		}
		riscv_vcpu_resume_at(v, resume_addr, opaque);
		break;
	default:
		/* Reserved, or platform-specific types: Keel defines none. */
		ret->error = SBI_ERR_INVALID_PARAM;
		return true;
	}
	WRITE_ONCE(riscv_vcpu_sbi(v)->suspended, true);
	sched_block(v, kicks);
	return false;
}

bool vsbi_hsm_call(struct vcpu *v, unsigned long fid, const uint64_t *a,
		   struct sbiret *ret)
{
	struct vcpu *t;

	switch (fid) {
	case SBI_HSM_HART_START:
		ret->error = vsbi_hart_start(v, a[0], a[1], a[2]);
		return true;
	case SBI_HSM_HART_STOP:
		vcpu_power_off(v);
		return false;
	case SBI_HSM_HART_GET_STATUS:
		t = vcpu_find_by_hwid(v->guest, a[0]);
		if (!t)
			ret->error = SBI_ERR_INVALID_PARAM;
		else
			ret->value = vsbi_hart_status(t);
		return true;
	case SBI_HSM_HART_SUSPEND:
		return vsbi_hart_suspend(v, (uint32_t)a[0], a[1], a[2], ret);
	default:
		ret->error = SBI_ERR_NOT_SUPPORTED;
		return true;
	}
}

bool vsbi_srst_call(struct vcpu *v, unsigned long fid, const uint64_t *a,
		    struct sbiret *ret)
{
	uint32_t type = (uint32_t)a[0], reason = (uint32_t)a[1];

	if (fid != SBI_SRST_SYSTEM_RESET) {
		ret->error = SBI_ERR_NOT_SUPPORTED;
		return true;
	}
	/* Reserved types and reasons, and the implementation- and vendor-
	 * specific ones Keel defines none of, are invalid parameters. */
	if (type > SBI_SRST_WARM_REBOOT ||
	    (reason != SBI_SRST_REASON_NONE && reason != SBI_SRST_REASON_FAILURE)) {
		ret->error = SBI_ERR_INVALID_PARAM;
		return true;
	}
	if (type == SBI_SRST_SHUTDOWN) {
		guest_stop_async(v->guest, "powered off (SBI system reset: shutdown%s, from vCPU %u)",
				 reason == SBI_SRST_REASON_FAILURE ? " for a system failure" : "",
				 v->id);
		return false;
	}
	/* Cold and warm reboot alike restart the guest from its payload;
	 * rate-limited where the restart happens (core/guest). */
	guest_reset_async(v->guest);
	return false;
}
