// SPDX-License-Identifier: GPL-2.0-only
/*
 * Deferred work and the scheduler: a CPU runs a few work items before it
 * enters a vCPU; what it leaves queued must not wait for that vCPU to
 * come back while another CPU idles in WFI.
 */
#include <keel/guest.h>
#include <keel/platform.h>
#include <keel/sched.h>
#include <keel/vcpu.h>
#include <keel/vcpu_exit.h>
#include <keel/work.h>
#include <arch/cpu.h>
#include <arch/vcpu.h>
#include <string.h>
#include "unit.h"

#define SW_ITEMS 12                     /* more than one scheduler pass runs */

void host_vcpu_next_exit(const struct vm_exit *exit);
unsigned int host_kick_count(unsigned int cpu);

static struct guest sw_guest;
static struct vcpu sw_vcpu;
static struct work sw_items[SW_ITEMS];
static unsigned int sw_runs;
static struct {
	bool entered;
	bool work_left;
	unsigned int kicks;
} sw_seen;

static void sw_fn(struct work *w)
{
	(void)w;
	sw_runs++;
}

/* "Guest mode": what the CPU left behind as it entered. */
static void sw_run_hook(struct vcpu *v)
{
	(void)v;
	sw_seen.entered = true;
	sw_seen.work_left = work_pending();
	sw_seen.kicks = host_kick_count(1);
}

TEST(sched_work_left_over_as_a_cpu_enters_a_guest_wakes_an_idle_cpu)
{
	struct vm_exit wfi = { .reason = VM_EXIT_WFI };
	struct cpu_info saved_info[KEEL_MAX_CPUS];
	unsigned int saved_count = cpu_count, kicks;

	memcpy(saved_info, cpu_info, sizeof(saved_info));
	host_set_cpu_id(0);
	sched_init();
	memset(&sw_seen, 0, sizeof(sw_seen));
	memset(&sw_guest, 0, sizeof(sw_guest));
	sw_guest.name = "sched-work";
	sw_guest.state = GUEST_RUNNING;
	sw_guest.vcpu_count = 1;
	memset(&sw_vcpu, 0, sizeof(sw_vcpu));
	sw_vcpu.guest = &sw_guest;
	sw_vcpu.power = VCPU_POWER_ON;
	list_init(&sw_vcpu.run_node);
	sw_guest.vcpus[0] = &sw_vcpu;
	sched_enqueue(&sw_vcpu);
	/* CPU 1 waits for an interrupt in its idle loop. */
	cpu_count = 2;
	cpu_info[0].state = CPU_ONLINE;
	cpu_info[1].state = CPU_ONLINE;
	cpu_info[0].idle_since_ns = 0;
	cpu_info[1].idle_since_ns = 1;
	sw_runs = 0;
	for (unsigned int i = 0; i < SW_ITEMS; i++) {
		work_init(&sw_items[i], sw_fn);
		work_queue(&sw_items[i]);
	}
	kicks = host_kick_count(1);
	host_vcpu_next_exit(&wfi);
	host_vcpu_set_run_hook(sw_run_hook);
	CHECK(sched_run_once());
	host_vcpu_set_run_hook(NULL);

	REQUIRE(sw_seen.entered);
	CHECK(sw_runs > 0 && sw_runs < SW_ITEMS);
	CHECK(sw_seen.work_left);
	/* The idle CPU was woken to take the rest before the guest ran. */
	CHECK(sw_seen.kicks > kicks);
	/* Nothing left for the next test. */
	CHECK_EQ(work_run(SW_ITEMS), SW_ITEMS - sw_runs);
	sched_dequeue(&sw_vcpu);
	timer_event_cancel(&sw_vcpu.wake_event);
	memcpy(cpu_info, saved_info, sizeof(saved_info));
	cpu_count = saved_count;
}
