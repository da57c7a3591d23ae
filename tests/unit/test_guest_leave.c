// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pause, stop, reset and destroy of a guest whose vCPU stays on its host CPU
 * (one long exit), with real threads: CPU 1 runs the vCPU and stays in
 * "guest mode" until released, CPU 0 is the management CPU. Each action
 * returns within its bound with a message; destroy frees nothing until the
 * vCPU has left, then CPU 0's service work finishes it.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/platform.h>
#include <keel/sched.h>
#include <keel/vcpu_exit.h>
#include <arch/cpu.h>
#include <arch/vcpu.h>
#include <string.h>
#include "guest_fixture.h"
#include "unit.h"

static struct fixture_archive archive;

struct leave_test {
	struct guest *g;
	int (*action)(struct guest *g);
	int staying;                    /* CPU 1 is in the vCPU's "guest mode" */
	int release;                    /* CPU 0 lets it go */
	int done;                       /* CPU 1 has put the vCPU back */
	int ret;                        /* what the action returned */
	bool on_cpu_after;              /* the vCPU was still held then */
	uint64_t waited_ns;
	uint64_t free_pages_during;
};

static struct leave_test leave;

static int load(int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* The vCPU "in guest mode" on CPU 1, until CPU 0 releases it; time passes
 * meanwhile (1 ms per idle), as it would on hardware. */
static void leave_stay(struct vcpu *v)
{
	store(&leave.staying, 1);
	while (!load(&leave.release))
		arch_cpu_idle();
}

static void leave_cpu(unsigned int cpu, void *arg)
{
	uint64_t start;

	if (cpu == 1) {
		CHECK(sched_run_once());
		store(&leave.done, 1);
		return;
	}
	while (!load(&leave.staying))
		arch_cpu_relax();
	start = time_now_ns();
	leave.ret = leave.action(leave.g);
	leave.waited_ns = time_now_ns() - start;
	leave.on_cpu_after = __atomic_load_n(&leave.g->vcpus[0]->on_cpu, __ATOMIC_SEQ_CST);
	leave.free_pages_during = fixture_free_pages();
	store(&leave.release, 1);
	while (!load(&leave.done))
		arch_cpu_relax();
}

static struct cpu_info saved_info[KEEL_MAX_CPUS];
static unsigned int saved_count;

/* Two online CPUs and leave0 created and running, vCPU 0 queued on CPU 1. */
static bool leave_setup(int (*action)(struct guest *g))
{
	char err[GUEST_ERROR_MAX];

	if (!archive.finished)
		fixture_archive_add_kernel(&archive);
	if (!fixture_archive_mount_guests(&archive, UNIT_DATA_DIR "/leave.dtb", 1))
		return false;
	memcpy(saved_info, cpu_info, sizeof(saved_info));
	saved_count = cpu_count;
	cpu_count = 2;
	cpu_info[0].state = CPU_ONLINE;
	cpu_info[1].state = CPU_ONLINE;
	memset(&leave, 0, sizeof(leave));
	leave.action = action;
	leave.g = guest_find("leave0");
	if (!leave.g || guest_create(leave.g, err, sizeof(err)) || guest_start(leave.g))
		return false;
	return leave.g->vcpus[0]->pcpu == 1 && sched_queue_length(1) == 1;
}

static void leave_teardown(void)
{
	host_vcpu_set_run_hook(NULL);
	memcpy(cpu_info, saved_info, sizeof(saved_info));
	cpu_count = saved_count;
}

/* Runs the action on CPU 0 while CPU 1 stays in the vCPU's exit. */
static void leave_run(void)
{
	host_vcpu_set_run_hook(leave_stay);
	unit_console_clear();
	unit_run_cpus(2, leave_cpu, NULL);
	host_vcpu_set_run_hook(NULL);
}

static int leave_stop(struct guest *g)
{
	return guest_stop(g, "test");
}

TEST(guest_stop_completes_while_a_vcpu_stays_on_its_cpu)
{
	REQUIRE(leave_setup(leave_stop));
	leave_run();
	CHECK_EQ(leave.ret, 0);
	CHECK(leave.on_cpu_after);
	/* It returned before the exit ended (CPU 1 waits for it): bounded
	 * by the 2 s wait. */
	CHECK(leave.waited_ns >= 2 * NSEC_PER_SEC);
	CHECK(strstr(unit_console_text(),
		     "error: guest leave0: stop: vCPU 0 is still on host CPU 1 after 2000 ms (one long exit)\n"));
	CHECK(strstr(unit_console_text(),
		     "warning: guest leave0: stopped; that vCPU finishes its exit and does not enter the guest again\n"));
	CHECK_EQ(leave.g->state, GUEST_STOPPED);
	CHECK(!leave.g->vcpus[0]->on_cpu);
	CHECK_EQ(sched_queue_length(1), 0);
	/* It left: the guest starts again, and destroys at once. */
	CHECK_EQ(guest_start(leave.g), 0);
	CHECK_EQ(guest_destroy(leave.g), 0);
	CHECK_EQ(leave.g->state, GUEST_LOADED);
	sched_service();
	leave_teardown();
}

static int leave_pause(struct guest *g)
{
	return guest_pause(g);
}

TEST(guest_pause_completes_while_a_vcpu_stays_and_resume_waits_for_it)
{
	REQUIRE(leave_setup(leave_pause));
	leave_run();
	CHECK_EQ(leave.ret, 0);
	CHECK(leave.on_cpu_after);
	CHECK(strstr(unit_console_text(),
		     "error: guest leave0: pause: vCPU 0 is still on host CPU 1 after 2000 ms (one long exit)\n"));
	CHECK_EQ(leave.g->state, GUEST_PAUSED);
	CHECK_EQ(sched_queue_length(1), 0);
	/* It has left since: resume runs it again. */
	CHECK_EQ(guest_resume(leave.g), 0);
	CHECK_EQ(sched_queue_length(1), 1);
	CHECK_EQ(guest_destroy(leave.g), 0);
	sched_service();
	leave_teardown();
}

static int leave_destroy(struct guest *g)
{
	return guest_destroy(g);
}

TEST(guest_destroy_completes_while_a_vcpu_stays_and_frees_once_it_left)
{
	uint64_t pages0;

	REQUIRE(leave_setup(leave_destroy));
	pages0 = fixture_free_pages();
	leave_run();
	CHECK_EQ(leave.ret, 0);
	CHECK(leave.on_cpu_after);
	CHECK(strstr(unit_console_text(),
		     "error: guest leave0: destroy: vCPU 0 is still on host CPU 1 after 2000 ms (one long exit)\n"));
	CHECK(strstr(unit_console_text(),
		     "warning: guest leave0: destroy: its memory and devices are freed when that vCPU has left\n"));
	/* Nothing was freed under the vCPU. */
	CHECK_EQ(leave.free_pages_during, pages0);
	CHECK_EQ(leave.g->state, GUEST_STOPPED);
	CHECK(leave.g->destroy_pending);
	/* Meanwhile the guest cannot start again. */
	CHECK_EQ(guest_start(leave.g), -KEEL_EBUSY);
	CHECK_EQ(guest_reset(leave.g), -KEEL_EBUSY);
	/* The vCPU left and asked CPU 0 for service: that finishes it. */
	CHECK(sched_service_requested());
	unit_console_clear();
	sched_service();
	CHECK(strstr(unit_console_text(),
		     "guest leave0: destroyed (its vCPUs have left their host CPUs)\n"));
	CHECK_EQ(leave.g->state, GUEST_LOADED);
	CHECK(!leave.g->destroy_pending);
	CHECK(fixture_free_pages() > pages0);
	leave_teardown();
}

static int leave_reset(struct guest *g)
{
	return guest_reset(g);
}

TEST(guest_reset_completes_while_a_vcpu_stays_and_restarts_once_it_left)
{
	REQUIRE(leave_setup(leave_reset));
	leave_run();
	CHECK_EQ(leave.ret, 0);
	CHECK(strstr(unit_console_text(),
		     "error: guest leave0: reset: vCPU 0 is still on host CPU 1 after 2000 ms (one long exit)\n"));
	CHECK(strstr(unit_console_text(),
		     "warning: guest leave0: reset: the guest restarts when that vCPU has left\n"));
	CHECK_EQ(leave.g->state, GUEST_STOPPED);
	CHECK(sched_service_requested());
	sched_service();
	CHECK_EQ(leave.g->state, GUEST_RUNNING);
	CHECK_EQ(sched_queue_length(1), 1);
	CHECK_EQ(guest_destroy(leave.g), 0);
	CHECK_EQ(leave.g->state, GUEST_LOADED);
	leave_teardown();
}

/* CPU 1 runs vCPU 0 exit after exit (interrupt exits: it stays runnable)
 * while CPU 0 goes through the life cycle: every transition completes
 * without giving up on the vCPU, and it never runs after a pause or stop
 * returned. */
struct cycle_test {
	struct guest *g;
	int stop;
	int quiet;                      /* between a pause/stop and its undoing */
	int ran_while_quiet;
	int runs;
	int failures;
};

static struct cycle_test cycle;

static void cycle_hook(struct vcpu *v)
{
	__atomic_fetch_add(&cycle.runs, 1, __ATOMIC_SEQ_CST);
	if (load(&cycle.quiet))
		__atomic_fetch_add(&cycle.ran_while_quiet, 1, __ATOMIC_SEQ_CST);
}

static void cycle_expect(int ok)
{
	if (!ok)
		__atomic_fetch_add(&cycle.failures, 1, __ATOMIC_SEQ_CST);
}

static void cycle_cpu(unsigned int cpu, void *arg)
{
	struct guest *g = cycle.g;

	if (cpu == 1) {
		while (!load(&cycle.stop)) {
			arch_irq_disable();
			sched_run_once();
			arch_irq_enable();
			arch_cpu_relax();
		}
		return;
	}
	for (int round = 0; round < 20; round++) {
		/* Once pause or stop returned, the vCPU stays out. */
		cycle_expect(guest_pause(g) == 0);
		store(&cycle.quiet, 1);
		for (int i = 0; i < 10; i++)
			arch_cpu_relax();
		store(&cycle.quiet, 0);
		cycle_expect(guest_resume(g) == 0);
		cycle_expect(guest_stop(g, "cycle") == 0);
		store(&cycle.quiet, 1);
		for (int i = 0; i < 10; i++)
			arch_cpu_relax();
		store(&cycle.quiet, 0);
		cycle_expect(guest_start(g) == 0);
		cycle_expect(guest_reset(g) == 0);
		for (int i = 0; i < 10; i++)
			arch_cpu_relax();
	}
	cycle_expect(guest_destroy(g) == 0);
	store(&cycle.stop, 1);
}

TEST(guest_life_cycle_races_a_vcpu_running_on_another_cpu)
{
	struct vm_exit irq_exit = { .reason = VM_EXIT_IRQ };
	void host_vcpu_next_exit(const struct vm_exit *exit);

	REQUIRE(leave_setup(NULL));
	memset(&cycle, 0, sizeof(cycle));
	cycle.g = leave.g;
	host_vcpu_next_exit(&irq_exit);
	host_vcpu_set_run_hook(cycle_hook);
	unit_console_clear();
	unit_run_cpus(2, cycle_cpu, NULL);
	host_vcpu_set_run_hook(NULL);
	CHECK_EQ(cycle.failures, 0);
	CHECK_EQ(cycle.ran_while_quiet, 0);
	/* It did run in between. */
	CHECK(cycle.runs > 0);
	CHECK(strstr(unit_console_text(), "still on host CPU") == NULL);
	CHECK_EQ(cycle.g->state, GUEST_LOADED);
	CHECK(cycle.g->vcpu_count == 0);
	host_vcpu_next_exit(&(struct vm_exit){ .reason = VM_EXIT_WFI });
	sched_service();
	leave_teardown();
}
