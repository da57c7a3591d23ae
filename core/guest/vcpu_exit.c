/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exit handling: the arch decoded why the guest stopped; this decides what
 * happens. Nothing a guest does here may harm Keel: bad accesses get the
 * guest's MMIO policy, faults Keel cannot serve stop that guest only.
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/log.h>
#include <keel/sched.h>
#include <keel/vcpu.h>
#include <keel/vcpu_exit.h>
#include <lib/format.h>

/* Unhandled accesses logged per guest before only the count goes on. */
#define MMIO_WARN_LIMIT 5

static const char *const exit_reason_names[VM_EXIT_REASON_COUNT] = {
	[VM_EXIT_IRQ] = "irq",
	[VM_EXIT_MMIO] = "mmio",
	[VM_EXIT_HYPERCALL] = "hypercall",
	[VM_EXIT_WFI] = "wfi",
	[VM_EXIT_SYSREG] = "sysreg",
	[VM_EXIT_ABORT] = "abort",
	[VM_EXIT_HANDLED] = "in-arch",
	[VM_EXIT_RETRY] = "retry",
};

const char *vm_exit_reason_name(enum vm_exit_reason reason)
{
	return reason < VM_EXIT_REASON_COUNT ? exit_reason_names[reason] : "?";
}

/* "4-byte write", "instruction fetch", ... for messages. */
static void mmio_describe(const struct vm_exit_mmio *m, char *buf, size_t len)
{
	switch (m->kind) {
	case VM_MMIO_FETCH:
		fmt_snprintf(buf, len, "instruction fetch");
		break;
	case VM_MMIO_UNDECODED:
		fmt_snprintf(buf, len, "%s of unknown size", m->write ? "write" : "read");
		break;
	case VM_MMIO_TABLE_WALK:
		fmt_snprintf(buf, len, "page-table walk (for a %s)",
			     m->walk_for_fetch ? "fetch" : "load or store");
		break;
	default:
		fmt_snprintf(buf, len, "%u-byte %s", m->size, m->write ? "write" : "read");
		break;
	}
}

/*
 * The guest's unhandled-mmio policy. A fetch, a page-table walk or an
 * undecodable access has no register to complete: under "ignore" the arch
 * completes a fetch or walk as one that read zeros (an all-zero
 * instruction word, an invalid descriptor), and an undecodable access gets
 * the abort.
 */
static void mmio_unhandled(struct vcpu *v, const struct vm_exit *exit,
			   const char *why)
{
	const struct vm_exit_mmio *m = &exit->mmio;
	struct guest *g = v->guest;
	uint64_t count = __atomic_add_fetch(&g->unhandled_mmio, 1, __ATOMIC_RELAXED);
	bool ignore = g->config.mmio_policy == GUEST_MMIO_IGNORE &&
		      m->kind != VM_MMIO_UNDECODED;
	char what[40];

	mmio_describe(m, what, sizeof(what));
	if (g->config.mmio_policy == GUEST_MMIO_STOP) {
		log_error("guest %s: vCPU %u: %s at 0x%llx: %s (unhandled-mmio = \"stop\"); registers:",
			  g->name, v->id, what, (unsigned long long)m->addr, why);
		arch_vcpu_dump(v);
		guest_stop_async(g, "vCPU %u: %s at 0x%llx: %s (unhandled-mmio = \"stop\")",
				 v->id, what, (unsigned long long)m->addr, why);
		return;
	}
	if (count <= MMIO_WARN_LIMIT)
		log_warn("guest %s: vCPU %u: %s at 0x%llx: %s; %s%s", g->name,
			 v->id, what, (unsigned long long)m->addr, why,
			 !ignore ? "external abort injected" :
			 m->kind == VM_MMIO_FETCH ? "read as zero (an all-zero instruction)" :
			 m->kind == VM_MMIO_TABLE_WALK ? "read as zero (an invalid descriptor)" :
			 "ignored",
			 count == MMIO_WARN_LIMIT ? " (further ones only counted: `stats`)" : "");
	if (ignore)
		arch_vcpu_complete_mmio(v, exit, 0);
	else
		arch_vcpu_inject_abort(v, m->addr, m->kind != VM_MMIO_FETCH && !m->walk_for_fetch);
}

static void vcpu_handle_mmio(struct vcpu *v, struct vm_exit *exit)
{
	struct vm_exit_mmio *m = &exit->mmio;
	const struct mmio_region *r = mmio_table_find(&v->guest->mmio, m->addr);
	uint64_t offset, value = 0;
	int err;

	if (!r) {
		mmio_unhandled(v, exit, "no device there");
		return;
	}
	/* Device registers are not instructions, and an access Keel cannot
	 * decode cannot be emulated. */
	if (m->kind == VM_MMIO_FETCH) {
		mmio_unhandled(v, exit, "instructions cannot be fetched from a device");
		return;
	}
	if (m->kind == VM_MMIO_TABLE_WALK) {
		mmio_unhandled(v, exit, "page tables cannot be read from a device");
		return;
	}
	if (m->kind == VM_MMIO_UNDECODED) {
		mmio_unhandled(v, exit,
			       "no instruction syndrome (load/store pair, writeback or SIMD); devices take single-register loads and stores");
		return;
	}
	offset = m->addr - r->base;
	if (offset + m->size > r->size) {
		mmio_unhandled(v, exit, "access crosses the end of a device");
		return;
	}
	if (m->write)
		err = r->ops->write ? r->ops->write(r->state, v, offset, m->size, m->data)
				    : -KEEL_EINVAL;
	else
		err = r->ops->read ? r->ops->read(r->state, v, offset, m->size, &value)
				   : -KEEL_EINVAL;
	if (err) {
		char why[64];

		fmt_snprintf(why, sizeof(why), "%s refuses this width or offset", r->name);
		mmio_unhandled(v, exit, why);
		return;
	}
	arch_vcpu_complete_mmio(v, exit, value);
}

static void vcpu_handle_wfi(struct vcpu *v)
{
	uint64_t kicks = __atomic_load_n(&v->kicks, __ATOMIC_SEQ_CST);

	arch_vcpu_skip_instruction(v);
	sched_block(v, kicks);
}

static void vcpu_handle_abort(struct vcpu *v, const struct vm_exit_abort *a)
{
	struct guest *g = v->guest;

	log_error("guest %s: vCPU %u: %s (pc 0x%llx, syndrome 0x%llx); registers:",
		  g->name, v->id, a->what, (unsigned long long)a->pc,
		  (unsigned long long)a->syndrome);
	arch_vcpu_dump(v);
	guest_stop_async(g, "vCPU %u: %s at pc 0x%llx", v->id, a->what,
			 (unsigned long long)a->pc);
}

void vcpu_handle_exit(struct vcpu *v, struct vm_exit *exit)
{
	if (exit->reason < VM_EXIT_REASON_COUNT)
		v->exits[exit->reason]++;
	switch (exit->reason) {
	case VM_EXIT_IRQ:
	case VM_EXIT_HANDLED:
	case VM_EXIT_RETRY:
		break;
	case VM_EXIT_MMIO:
		vcpu_handle_mmio(v, exit);
		break;
	case VM_EXIT_HYPERCALL:
		arch_guest_hypercall(v, exit);
		break;
	case VM_EXIT_WFI:
		vcpu_handle_wfi(v);
		break;
	case VM_EXIT_SYSREG:
		arch_guest_sysreg(v, exit);
		break;
	case VM_EXIT_ABORT:
		vcpu_handle_abort(v, &exit->abort);
		break;
	default:
		guest_stop_async(v->guest, "vCPU %u: unknown exit %d", v->id, exit->reason);
		break;
	}
}
