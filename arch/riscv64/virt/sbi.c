// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI 2.0 for guests: the call dispatcher and the BASE, TIME, IPI and
 * RFENCE extensions (HSM and SRST: sbi_hsm.c; DBCN: sbi_console.c).
 * Anything else, including the legacy v0.1 calls (extension ids 0x00 to
 * 0x0f) and the RFENCE hfence calls of a guest that has no hypervisor
 * extension, is answered SBI_ERR_NOT_SUPPORTED, as the specification
 * asks.
 *
 * The extension and function ids are 32-bit values (a 64-bit register
 * holds them sign-extended): only the low 32 bits are looked at. Hart
 * masks name guest hart ids, which are vCPU ids.
 *
 * Every call is charged to the guest's budgets like PSCI on arm64
 * (keel/guest_throttle.h): IPI and RFENCE as "ipi", set_timer as
 * "timer", the rest as "firmware";
 * over budget the call is still served and the vCPU then waits. Each IPI
 * delivered also counts against the node's max-irq-rate
 * (guest_count_self_irq()), whose storm stops the guest. No lock is held
 * here.
 */
#include <keel/guest.h>
#include <keel/guest_throttle.h>
#include <keel/vcpu.h>
#include "../include/arch/vsbi.h"
#include "sbi_defs.h"

static bool vsbi_extension_offered(uint64_t eid)
{
	switch (eid) {
	case SBI_EXT_BASE: case SBI_EXT_TIME: case SBI_EXT_IPI:
	case SBI_EXT_RFENCE: case SBI_EXT_HSM: case SBI_EXT_SRST:
	case SBI_EXT_DBCN:
		return true;
	default:
		return false;
	}
}

static void vsbi_base_call(unsigned long fid, const uint64_t *a, struct sbiret *ret)
{
	switch (fid) {
	case SBI_BASE_GET_SPEC_VERSION:
		ret->value = SBI_SPEC_VERSION;
		break;
	case SBI_BASE_GET_IMPL_ID:
		ret->value = SBI_IMPL_ID_KEEL;
		break;
	case SBI_BASE_GET_IMPL_VERSION:
		ret->value = SBI_IMPL_VERSION_KEEL;
		break;
	case SBI_BASE_PROBE_EXTENSION:
		ret->value = vsbi_extension_offered(a[0]);
		break;
	case SBI_BASE_GET_MVENDORID:
	case SBI_BASE_GET_MARCHID:
	case SBI_BASE_GET_MIMPID:
		/* A virtual hart of no vendor: 0 is a legal value of these
		 * CSRs, the one the privileged spec gives a hart that has no
		 * vendor, architecture or implementation id to report. */
		ret->value = 0;
		break;
	default:
		ret->error = SBI_ERR_NOT_SUPPORTED;
		break;
	}
}

/* Is the vCPU t one of the harts (mask, base) names? */
static bool vsbi_hart_in_set(struct vcpu *t, uint64_t mask, uint64_t base)
{
	uint64_t hart = arch_vcpu_hwid(t);

	if (base == SBI_HART_MASK_ALL)
		return true;
	return hart >= base && hart - base < 64 && (mask >> (hart - base) & 1);
}

/* Every hart (mask, base) names must be one of g's: else the whole call
 * is refused before anything is sent. */
static bool vsbi_hart_set_valid(struct guest *g, uint64_t mask, uint64_t base)
{
	if (base == SBI_HART_MASK_ALL)
		return true;
	for (unsigned int bit = 0; bit < 64; bit++) {
		if (!(mask >> bit & 1))
			continue;
		if (base + bit < base || !vcpu_find_by_hwid(g, base + bit))
			return false;
	}
	return true;
}

static void vsbi_ipi_call(struct vcpu *v, unsigned long fid, const uint64_t *a,
			  struct sbiret *ret)
{
	struct guest *g = v->guest;

	if (fid != SBI_IPI_SEND_IPI) {
		ret->error = SBI_ERR_NOT_SUPPORTED;
		return;
	}
	if (!vsbi_hart_set_valid(g, a[0], a[1])) {
		ret->error = SBI_ERR_INVALID_PARAM;
		return;
	}
	for (unsigned int i = 0; i < g->vcpu_count; i++) {
		if (!vsbi_hart_in_set(g->vcpus[i], a[0], a[1]))
			continue;
		riscv_vcpu_send_ipi(g->vcpus[i]);
		/* An interrupt the guest raised for itself, as an SGI is on
		 * arm64: counted against the node's max-irq-rate. */
		guest_count_self_irq(g);
	}
}

static void vsbi_rfence_call(struct vcpu *v, unsigned long fid, const uint64_t *a,
			     struct sbiret *ret)
{
	struct guest *g = v->guest;
	unsigned int what;

	switch (fid) {
	case SBI_RFENCE_FENCE_I:
		what = VSBI_FENCE_I;
		break;
	case SBI_RFENCE_SFENCE_VMA:
	case SBI_RFENCE_SFENCE_VMA_ASID:
		/* The whole VS-stage TLB of the target, whatever the range and
		 * ASID: more than asked, never less. */
		what = VSBI_FENCE_VVMA;
		break;
	default:
		/* The hfence calls are for guests with the hypervisor
		 * extension, which Keel's guests do not have. */
		ret->error = SBI_ERR_NOT_SUPPORTED;
		return;
	}
	if (!vsbi_hart_set_valid(g, a[0], a[1])) {
		ret->error = SBI_ERR_INVALID_PARAM;
		return;
	}
	for (unsigned int i = 0; i < g->vcpu_count; i++)
		if (vsbi_hart_in_set(g->vcpus[i], a[0], a[1]))
			riscv_vcpu_fence_request(g->vcpus[i], what);
	/* Done when the call returns: the caller may then free what the
	 * fenced translations pointed to. */
	for (unsigned int i = 0; i < g->vcpu_count; i++)
		if (g->vcpus[i] != v && vsbi_hart_in_set(g->vcpus[i], a[0], a[1]))
			riscv_vcpu_fence_wait(g->vcpus[i]);
}

static enum guest_throttle_class vsbi_throttle_class(uint64_t eid)
{
	switch (eid) {
	case SBI_EXT_IPI:
	case SBI_EXT_RFENCE:
		return GUEST_THROTTLE_IPI;
	case SBI_EXT_TIME:
		return GUEST_THROTTLE_TIMER;
	default:
		return GUEST_THROTTLE_FIRMWARE;
	}
}

void vsbi_handle_call(struct vcpu *v, const struct vm_exit *exit)
{
	const uint64_t *a = exit->hypercall.args;
	uint64_t eid = (uint32_t)a[7];
	unsigned long fid = (uint32_t)a[6];
	struct sbiret ret = { SBI_SUCCESS, 0 };
	bool delay = !guest_throttle_charge(v, vsbi_throttle_class(eid));
	bool completed = true;

	switch (eid) {
	case SBI_EXT_BASE:
		vsbi_base_call(fid, a, &ret);
		break;
	case SBI_EXT_TIME:
		if (fid == SBI_TIME_SET_TIMER)
			riscv_vcpu_set_timer(v, a[0]);
		else
			ret.error = SBI_ERR_NOT_SUPPORTED;
		break;
	case SBI_EXT_IPI:
		vsbi_ipi_call(v, fid, a, &ret);
		break;
	case SBI_EXT_RFENCE:
		vsbi_rfence_call(v, fid, a, &ret);
		break;
	case SBI_EXT_HSM:
		completed = vsbi_hsm_call(v, fid, a, &ret);
		break;
	case SBI_EXT_SRST:
		completed = vsbi_srst_call(v, fid, a, &ret);
		break;
	case SBI_EXT_DBCN:
		vsbi_dbcn_call(v, fid, a, &ret);
		break;
	default:
		ret.error = SBI_ERR_NOT_SUPPORTED;
		break;
	}
	if (completed) {
		uint64_t regs[4] = { (uint64_t)ret.error, (uint64_t)ret.value, 0, 0 };

		arch_vcpu_complete_hypercall(v, regs);
	}
	/* A call that blocked or stopped v has its wait already. */
	if (delay && completed)
		guest_throttle_delay(v);
}
