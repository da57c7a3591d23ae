// SPDX-License-Identifier: GPL-2.0-only
/*
 * A guest stopping itself on one CPU while the shell's console watches it
 * from CPU 0: the moment the console sees the guest no longer live, the
 * reason the guest stopped is there to print (run under TSan by `make
 * unit-tsan`, which also reports the reason written after the state).
 */
#include <keel/guest.h>
#include <keel/sched.h>
#include <lib/format.h>
#include <string.h>
#include "unit.h"

#define GS_ROUNDS 300

static struct guest gs_guest;
static struct {
	int round;
	char seen[GS_ROUNDS][sizeof(gs_guest.stop_reason)];
	bool reset_seen_stopped;
} gs;

static void gs_cpu(unsigned int cpu, void *arg)
{
	struct guest *g = &gs_guest;
	bool reset = arg != NULL;

	if (cpu == 1) {
		if (reset)
			guest_reset_async(g);
		else
			guest_stop_async(g, "powered off (round %d)", gs.round);
		return;
	}
	while (guest_is_live(g)) {
		if (reset && __atomic_load_n(&g->state, __ATOMIC_ACQUIRE) == GUEST_STOPPED)
			break;
		arch_cpu_relax();
	}
	if (reset && !guest_is_live(g))
		gs.reset_seen_stopped = true;
	memcpy(gs.seen[gs.round], g->stop_reason, sizeof(g->stop_reason));
}

static void gs_prepare(void)
{
	gs_guest.state = GUEST_RUNNING;
	gs_guest.reset_pending = false;
	gs_guest.stop_reason[0] = '\0';
}

TEST(guest_stopping_itself_shows_its_reason_to_a_console_on_another_cpu)
{
	char want[sizeof(gs_guest.stop_reason)];

	sched_init();
	memset(&gs, 0, sizeof(gs));
	memset(&gs_guest, 0, sizeof(gs_guest));
	gs_guest.name = "stopper";
	for (gs.round = 0; gs.round < GS_ROUNDS; gs.round++) {
		gs_prepare();
		unit_run_cpus(2, gs_cpu, NULL);
		fmt_snprintf(want, sizeof(want), "powered off (round %d)", gs.round);
		if (!CHECK_STR_EQ(gs.seen[gs.round], want))
			break;
	}
}

TEST(guest_resetting_itself_stays_live_for_a_console_on_another_cpu)
{
	sched_init();
	memset(&gs, 0, sizeof(gs));
	memset(&gs_guest, 0, sizeof(gs_guest));
	gs_guest.name = "resetter";
	for (gs.round = 0; gs.round < GS_ROUNDS; gs.round++) {
		gs_prepare();
		unit_run_cpus(2, gs_cpu, (void *)1);
		if (!CHECK(!gs.reset_seen_stopped) ||
		    !CHECK_STR_EQ(gs.seen[gs.round], "restarting (guest reset)"))
			break;
	}
}
