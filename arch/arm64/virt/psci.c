/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PSCI 1.1 and the SMCCC discovery calls for guests, over HVC (and SMC,
 * which is trapped and answered the same way). Anything else a guest
 * calls gets NOT_SUPPORTED, as the SMC Calling Convention asks.
 *
 * A guest calling in a loop is slowed by its PSCI budget (1000 calls a
 * second, bursts of 200), never refused. No lock is held here: CPU_ON and
 * power-off go through keel/vcpu.h, resets through the service CPU.
 */
#include <keel/guest.h>
#include <keel/guest_throttle.h>
#include <keel/log.h>
#include <keel/sched.h>
#include <keel/vcpu.h>

#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define SMC64_BIT 0x40000000u

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_ALREADY_ON (-4)
#define PSCI_INVALID_ADDRESS (-9)
#define AFFINITY_ON 0
#define AFFINITY_OFF 1
#define MIGRATE_NOT_PRESENT 2

#define SMCCC_VERSION_1_1 0x10001
#define PSCI_VERSION_1_1 0x10001
#define MPIDR_AFFINITY_MASK 0xff00ffffffULL

/* PSCI calls with an SMC64 form take the same number without the bit. */
static uint32_t psci_function(uint64_t x0)
{
	uint32_t fn = (uint32_t)x0;

	switch (fn & ~SMC64_BIT) {
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_ON:
	case PSCI_AFFINITY_INFO:
		return fn & ~SMC64_BIT;
	default:
		return fn;
	}
}

static bool psci_implemented(uint32_t fn)
{
	switch (psci_function(fn)) {
	case PSCI_VERSION: case PSCI_CPU_SUSPEND: case PSCI_CPU_OFF:
	case PSCI_CPU_ON: case PSCI_AFFINITY_INFO: case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF: case PSCI_SYSTEM_RESET: case PSCI_FEATURES:
	case SMCCC_VERSION:
		return true;
	default:
		return false;
	}
}

static int64_t psci_cpu_on(struct vcpu *v, uint64_t target, uint64_t entry,
			   uint64_t context)
{
	struct vcpu *t = vcpu_find_by_hwid(v->guest, target & MPIDR_AFFINITY_MASK);

	if (!t)
		return PSCI_INVALID_PARAMETERS;
	if (!guest_range_is_ram(v->guest, entry, 4))
		return PSCI_INVALID_ADDRESS;
	return vcpu_power_on(t, entry, context) ? PSCI_ALREADY_ON : PSCI_SUCCESS;
}

static int64_t psci_affinity_info(struct vcpu *v, uint64_t target, uint64_t level)
{
	struct vcpu *t;

	if (level != 0)
		return PSCI_INVALID_PARAMETERS;
	t = vcpu_find_by_hwid(v->guest, target & MPIDR_AFFINITY_MASK);
	if (!t)
		return PSCI_INVALID_PARAMETERS;
	return READ_ONCE(t->power) == VCPU_POWER_ON ? AFFINITY_ON : AFFINITY_OFF;
}

static void complete(struct vcpu *v, int64_t result)
{
	uint64_t ret[4] = { (uint64_t)result, 0, 0, 0 };

	arch_vcpu_complete_hypercall(v, ret);
}

void arch_guest_hypercall(struct vcpu *v, const struct vm_exit *exit)
{
	/* Every call counts against the guest's PSCI budget: over it, the
	 * call is still served and the vCPU then waits (keel/guest_throttle.h). */
	bool delay = !guest_throttle_charge(v, GUEST_THROTTLE_FIRMWARE);
	uint64_t x[4];

	/* SMC32 calls pass 32-bit arguments: the upper halves are not the
	 * caller's to mean anything by. */
	for (unsigned int i = 0; i < 4; i++)
		x[i] = (exit->hypercall.args[0] & SMC64_BIT) ? exit->hypercall.args[i]
							     : (uint32_t)exit->hypercall.args[i];

	switch (psci_function(x[0])) {
	case SMCCC_VERSION:
		complete(v, SMCCC_VERSION_1_1);
		break;
	case SMCCC_ARCH_FEATURES:
		/* Only the discovery calls themselves; no CPU workarounds are
		 * offered (the guest then assumes none are needed here). */
		complete(v, (uint32_t)x[1] == SMCCC_VERSION ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED);
		break;
	case PSCI_VERSION:
		complete(v, PSCI_VERSION_1_1);
		break;
	case PSCI_FEATURES:
		complete(v, psci_implemented((uint32_t)x[1]) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED);
		break;
	case PSCI_CPU_SUSPEND:
		/* Standby: a WFI that reports success when it ends. */
		complete(v, PSCI_SUCCESS);
		sched_block(v, __atomic_load_n(&v->kicks, __ATOMIC_SEQ_CST));
		return;     /* its wait is the delay too */
	case PSCI_CPU_OFF:
		vcpu_power_off(v);
		return;
	case PSCI_CPU_ON:
		complete(v, psci_cpu_on(v, x[1], x[2], x[3]));
		break;
	case PSCI_AFFINITY_INFO:
		complete(v, psci_affinity_info(v, x[1], x[2]));
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		complete(v, MIGRATE_NOT_PRESENT);
		break;
	case PSCI_SYSTEM_OFF:
		guest_stop_async(v->guest, "powered off (PSCI SYSTEM_OFF from vCPU %u)", v->id);
		return;
	case PSCI_SYSTEM_RESET:
		/* Rate-limited where the restart happens (core/guest). */
		guest_reset_async(v->guest);
		return;
	default:
		complete(v, PSCI_NOT_SUPPORTED);
		break;
	}
	if (delay)
		guest_throttle_delay(v);
}
