// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scheduler on real threads acting as CPUs: three vCPUs pinned to
 * CPUs 1..3 run and block in WFI on their CPUs while CPU 0 kicks them,
 * pauses and resumes their guest (dequeue, wait off CPU, enqueue). A vCPU
 * never runs on two CPUs at once or on a CPU it is not pinned to, never
 * runs while its guest is paused, and no wake-up is lost.
 */
#include <keel/guest.h>
#include <keel/sched.h>
#include <keel/vcpu.h>
#include <keel/vcpu_exit.h>
#include <arch/cpu.h>
#include <arch/vcpu.h>
#include <string.h>
#include "unit.h"

#define ST_VCPUS 3
#define ST_ROUNDS 400

void host_vcpu_next_exit(const struct vm_exit *exit);

static struct guest st_guest;
static struct vcpu st_vcpus[ST_VCPUS];

static struct {
	int stop;
	int in_guest[ST_VCPUS];
	int overlaps;
	int wrong_cpu;
	int ran_while_paused;
	int paused;
	int wait_failures;
} st;

static int load(const int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void st_wake_event(struct timer_event *e, void *arg)
{
	vcpu_kick(arg);
}

/* "Guest mode" of the host fake: checks who runs what, where. */
static void st_run_hook(struct vcpu *v)
{
	if (__atomic_fetch_add(&st.in_guest[v->id], 1, __ATOMIC_SEQ_CST))
		__atomic_fetch_add(&st.overlaps, 1, __ATOMIC_SEQ_CST);
	if (arch_cpu_id() != v->pcpu)
		__atomic_fetch_add(&st.wrong_cpu, 1, __ATOMIC_SEQ_CST);
	if (load(&st.paused))
		__atomic_fetch_add(&st.ran_while_paused, 1, __ATOMIC_SEQ_CST);
	arch_cpu_relax();
	__atomic_fetch_sub(&st.in_guest[v->id], 1, __ATOMIC_SEQ_CST);
}

static uint64_t st_entries(unsigned int i)
{
	return __atomic_load_n(&st_vcpus[i].entries, __ATOMIC_SEQ_CST);
}

static void st_pause(void)
{
	__atomic_store_n(&st_guest.state, GUEST_PAUSED, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < ST_VCPUS; i++)
		sched_dequeue(&st_vcpus[i]);
	for (unsigned int i = 0; i < ST_VCPUS; i++) {
		if (sched_wait_off_cpu(&st_vcpus[i], time_now_ns() + NSEC_PER_SEC))
			__atomic_fetch_add(&st.wait_failures, 1, __ATOMIC_SEQ_CST);
		timer_event_cancel(&st_vcpus[i].wake_event);
	}
	/* From here on, no vCPU may enter the guest. */
	__atomic_store_n(&st.paused, 1, __ATOMIC_SEQ_CST);
}

static void st_resume(void)
{
	__atomic_store_n(&st.paused, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&st_guest.state, GUEST_RUNNING, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < ST_VCPUS; i++)
		sched_wake(&st_vcpus[i]);
	for (unsigned int i = 0; i < ST_VCPUS; i++)
		sched_enqueue(&st_vcpus[i]);
}

static void st_cpu(unsigned int cpu, void *arg)
{
	uint32_t seed = 99;

	if (cpu != 0) {
		while (!load(&st.stop)) {
			arch_irq_disable();
			sched_run_once();
			arch_irq_enable();
			arch_cpu_relax();
		}
		return;
	}
	for (unsigned int round = 0; round < ST_ROUNDS; round++) {
		seed = seed * 1103515245 + 12345;
		vcpu_kick(&st_vcpus[(seed >> 16) % ST_VCPUS]);
		if (round % 50 == 25) {
			st_pause();
			for (int i = 0; i < 20; i++)
				arch_cpu_relax();
			st_resume();
		}
		arch_cpu_relax();
	}
	/*
	 * No lost wake-up: an interrupt made pending and a kick (what an
	 * injection does) bring every vCPU back. A bare kick would not: one
	 * that lands while the vCPU runs is rightly absorbed by its next WFI,
	 * which finds nothing pending.
	 */
	for (unsigned int i = 0; i < ST_VCPUS; i++) {
		uint64_t before = st_entries(i);
		unsigned int spins = 0;

		__atomic_store_n(&st_vcpus[i].arch.irq_pending, true, __ATOMIC_SEQ_CST);
		vcpu_kick(&st_vcpus[i]);
		while (st_entries(i) == before && spins++ < 1000000)
			arch_cpu_relax();
		CHECK(st_entries(i) > before);
	}
	__atomic_store_n(&st.stop, 1, __ATOMIC_RELEASE);
}

TEST(sched_vcpus_on_four_cpus_block_wake_pause_and_resume)
{
	struct vm_exit wfi = { .reason = VM_EXIT_WFI };
	uint64_t total = 0;

	sched_init();
	memset(&st, 0, sizeof(st));
	memset(&st_guest, 0, sizeof(st_guest));
	st_guest.name = "sched-threads";
	st_guest.state = GUEST_RUNNING;
	st_guest.vcpu_count = ST_VCPUS;
	for (unsigned int i = 0; i < ST_VCPUS; i++) {
		struct vcpu *v = &st_vcpus[i];

		memset(v, 0, sizeof(*v));
		v->guest = &st_guest;
		v->id = i;
		v->pcpu = i + 1;
		v->power = VCPU_POWER_ON;
		list_init(&v->run_node);
		v->wake_event.fn = st_wake_event;
		v->wake_event.arg = v;
		st_guest.vcpus[i] = v;
		sched_enqueue(v);
	}
	host_vcpu_next_exit(&wfi);
	host_vcpu_set_run_hook(st_run_hook);
	unit_run_cpus(ST_VCPUS + 1, st_cpu, NULL);
	host_vcpu_set_run_hook(NULL);

	CHECK_EQ(st.overlaps, 0);
	CHECK_EQ(st.wrong_cpu, 0);
	CHECK_EQ(st.ran_while_paused, 0);
	CHECK_EQ(st.wait_failures, 0);
	for (unsigned int i = 0; i < ST_VCPUS; i++) {
		CHECK(!st_vcpus[i].on_cpu);
		total += st_vcpus[i].entries;
	}
	CHECK(total > ST_VCPUS);
	/* Leave nothing queued for the next test. */
	for (unsigned int i = 0; i < ST_VCPUS; i++) {
		sched_dequeue(&st_vcpus[i]);
		timer_event_cancel(&st_vcpus[i].wake_event);
	}
}

/*
 * A WFI that blocks while an interrupt is injected and kicked on another
 * CPU: whichever order the two take, the vCPU ends up not blocked (it saw
 * the interrupt, saw the kick, or was woken by it). Round after round the
 * two CPUs start together, so the kick lands at every point of the block.
 */
#define BW_ROUNDS 20000

static struct {
	struct vcpu v;
	int arrived[2];
	int round_done[2];
	int lost;
} bw;

/* Both CPUs reach round r before either goes on. */
static void bw_sync(int *counter, int round)
{
	unsigned int spins = 0;

	__atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST);
	/* Spin (both CPUs then leave within nanoseconds of each other),
	 * yielding only when the other thread is not running. */
	while (__atomic_load_n(counter, __ATOMIC_SEQ_CST) < 2 * (round + 1))
		if (++spins % 65536 == 0)
			arch_cpu_relax();
}

static void bw_cpu(unsigned int cpu, void *arg)
{
	struct vcpu *v = &bw.v;

	for (int r = 0; r < BW_ROUNDS; r++) {
		if (cpu == 1) {
			/* The WFI exit: what the exit handler reads, then block. */
			uint64_t seen;

			bw_sync(&bw.arrived[0], r);
			seen = __atomic_load_n(&v->kicks, __ATOMIC_SEQ_CST);
			for (int i = 0; i < (r & 7); i++)
				__atomic_signal_fence(__ATOMIC_SEQ_CST);
			sched_block(v, seen);
		} else {
			bw_sync(&bw.arrived[0], r);
			for (int i = 0; i < (r % 13); i++)
				__atomic_signal_fence(__ATOMIC_SEQ_CST);
			__atomic_store_n(&v->arch.irq_pending, true, __ATOMIC_SEQ_CST);
			vcpu_kick(v);
		}
		bw_sync(&bw.round_done[0], r);
		if (cpu == 0) {
			if (__atomic_load_n(&v->blocked, __ATOMIC_SEQ_CST))
				bw.lost++;
			/* Back to a running vCPU with nothing pending. */
			sched_wake(v);
			__atomic_store_n(&v->arch.irq_pending, false, __ATOMIC_SEQ_CST);
		}
		bw_sync(&bw.round_done[1], r);
	}
}

TEST(sched_block_never_sleeps_through_an_interrupt_kicked_from_another_cpu)
{
	struct guest g = { .name = "block-wake", .state = GUEST_RUNNING, .vcpu_count = 1 };

	sched_init();
	memset(&bw, 0, sizeof(bw));
	bw.v.guest = &g;
	bw.v.pcpu = 1;
	bw.v.power = VCPU_POWER_ON;
	list_init(&bw.v.run_node);
	g.vcpus[0] = &bw.v;
	unit_run_cpus(2, bw_cpu, NULL);
	CHECK_EQ(bw.lost, 0);
	sched_dequeue(&bw.v);
}
