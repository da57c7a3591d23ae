/* SPDX-License-Identifier: GPL-2.0-only */
/* `vcpu list` and `stats`: where vCPUs run and why they leave the guest. */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/kconfig.h>
#include <keel/log.h>
#include <keel/shell.h>
#include <keel/time.h>
#include <string.h>

#include "virtio/blk_cow.h"

static const char *vcpu_state(const struct vcpu *v)
{
	enum guest_state gs = v->guest->state;

	if (gs == GUEST_PAUSED)
		return "paused";
	if (gs != GUEST_RUNNING)
		return guest_state_name(gs);
	if (v->power == VCPU_POWER_OFF)
		return "off";
	if (READ_ONCE(v->on_cpu))
		return "running";
	return READ_ONCE(v->blocked) ? "wfi" : "runnable";
}

static uint64_t vcpu_total_exits(const struct vcpu *v)
{
	uint64_t total = 0;

	for (unsigned int r = 0; r < VM_EXIT_REASON_COUNT; r++)
		total += v->exits[r];
	return total;
}

static void vcpu_list_guest(struct guest *g, void *ctx)
{
	const char *only = ctx;

	if (only && strcmp(only, g->name))
		return;
	for (unsigned int i = 0; i < g->vcpu_count; i++) {
		const struct vcpu *v = g->vcpus[i];

		kprintf("%-16s  %4u  %-9s  %4u  %12llu  %12llu  %8llu.%03llu\n", g->name, v->id,
			vcpu_state(v), v->pcpu, (unsigned long long)v->entries,
			(unsigned long long)vcpu_total_exits(v),
			(unsigned long long)(v->run_ns / NSEC_PER_SEC),
			(unsigned long long)(v->run_ns / NSEC_PER_MSEC % 1000));
	}
}

static int vcpu_run(int argc, char **argv)
{
	/* "vcpu" alone lists, like "guest" alone. */
	if (argc >= 2 && strcmp(argv[1], "list")) {
		kprintf("vcpu: unknown action \"%s\"; the only one is \"list\"\n", argv[1]);
		return -KEEL_EINVAL;
	}
	if (argc > 3) {
		kprintf("vcpu list: give at most one guest name\n");
		return -KEEL_EINVAL;
	}
	if (argc == 3 && !guest_find(argv[2])) {
		kprintf("vcpu list: no guest named \"%s\" (see `guest list`)\n", argv[2]);
		return -KEEL_ENOENT;
	}
	kprintf("%-16s  %4s  %-9s  %4s  %12s  %12s  %12s\n", "guest", "vcpu", "state", "cpu",
		"entries", "exits", "guest time s");
	guest_for_each(vcpu_list_guest, argc == 3 ? argv[2] : NULL);
	return 0;
}

SHELL_COMMAND(vcpu,
	.name = "vcpu",
	.usage = "vcpu [list [guest]]",
	.summary = "list vCPUs: state, host CPU, entries and exits",
	.help = "state is running (in the guest now), runnable (waiting for its\n"
		"host CPU), wfi (waiting for an interrupt), off (not started or\n"
		"turned off with PSCI), or its guest's state. cpu is the host CPU\n"
		"it is pinned to; guest time is the time spent in guest mode.",
	.run = vcpu_run);

/* What the guest holds of resources with limits, and what they refused
 * (docs/virtualization.md, "Limits"). */
static void stats_print_limits(const struct guest *g)
{
	uint64_t bytes, refused;

	if (IS_ENABLED(CONFIG_BACKEND_FILE) && blk_cow_usage(g, &bytes, &refused))
		kprintf("copy-on-write disk blocks: %llu KiB (at most %llu KiB a guest, %llu KiB all guests), %llu writes refused\n",
			(unsigned long long)(bytes >> 10),
			(unsigned long long)(BLK_COW_GUEST_MAX >> 10),
			(unsigned long long)(BLK_COW_GLOBAL_MAX >> 10),
			(unsigned long long)refused);
}

static int stats_run(int argc, char **argv)
{
	struct guest *g;
	uint64_t sums[VM_EXIT_REASON_COUNT] = { 0 };

	if (argc != 2) {
		kprintf("stats: give a guest name (see `guest list`)\n");
		return -KEEL_EINVAL;
	}
	g = guest_find(argv[1]);
	if (!g) {
		kprintf("stats: no guest named \"%s\" (see `guest list`)\n", argv[1]);
		return -KEEL_ENOENT;
	}
	kprintf("guest %s: %s\n", g->name, guest_state_name(g->state));
	kprintf("%-10s", "exits");
	for (unsigned int i = 0; i < g->vcpu_count; i++)
		kprintf("  %10s%u", "vcpu", i);
	kprintf("  %12s\n", "total");
	for (unsigned int r = 0; r < VM_EXIT_REASON_COUNT; r++) {
		kprintf("%-10s", vm_exit_reason_name(r));
		for (unsigned int i = 0; i < g->vcpu_count; i++) {
			kprintf("  %11llu", (unsigned long long)g->vcpus[i]->exits[r]);
			sums[r] += g->vcpus[i]->exits[r];
		}
		kprintf("  %12llu\n", (unsigned long long)sums[r]);
	}
	kprintf("unhandled MMIO accesses: %llu\n", (unsigned long long)g->unhandled_mmio);
	for (unsigned int i = 0; g->state != GUEST_LOADED && i < g->console_count; i++) {
		struct console_endpoint *ep = guest_console_at(g, i);

		if (ep)
			kprintf("console %s: %llu bytes dropped (terminal too slow)\n", ep->name,
				(unsigned long long)console_endpoint_dropped(ep));
	}
	stats_print_limits(g);
	/* What the guest's budgets slowed down (keel/guest_throttle.h). */
	for (unsigned int c = 0; c < GUEST_THROTTLE_COUNT; c++) {
		const struct guest_throttle_limit *l = &guest_throttle_limits[c];
		char rate[24];

		kprintf("throttle %-11s %8s burst %4llu: %llu charged, %llu throttled\n",
			l->name, guest_throttle_rate(c, rate, sizeof(rate)),
			(unsigned long long)l->burst,
			(unsigned long long)READ_ONCE(g->throttle.charged[c]),
			(unsigned long long)READ_ONCE(g->throttle.throttled[c]));
	}
	return 0;
}

SHELL_COMMAND(stats,
	.name = "stats",
	.usage = "stats <guest>",
	.summary = "a guest's exits by reason, per vCPU",
	.help = "irq: a host interrupt (timer, IPI, console) took the CPU; mmio: a\n"
		"device access; hypercall: PSCI/SMCCC; wfi: the guest waited for an\n"
		"interrupt; sysreg: a trapped system register (SGIs); abort: a fault\n"
		"that stopped the guest; in-arch: served by the CPU code itself\n"
		"(timer registers, WFE); retry: the instruction behind an exit\n"
		"could not be read (its page went away) or had changed, and the\n"
		"guest resumed on it.\n"
		"throttle lines: per budget (ipi, timer, firmware, maintenance, reset),\n"
		"its rate and burst, the operations charged and how many of them\n"
		"were over budget and slowed the guest down.",
	.run = stats_run);
