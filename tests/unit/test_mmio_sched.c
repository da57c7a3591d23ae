/* SPDX-License-Identifier: GPL-2.0-only */
/* The MMIO region table and the per-CPU run queues. */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/sched.h>
#include <keel/vcpu.h>
#include <arch/cpu.h>
#include <string.h>
#include "unit.h"

static int dummy_read(void *state, struct vcpu *v, uint64_t off, unsigned int size,
		      uint64_t *value)
{
	*value = (uint64_t)(uintptr_t)state + off;
	return 0;
}

static const struct mmio_ops dummy_ops = { .read = dummy_read };

TEST(mmio_table_keeps_regions_sorted_and_finds_them)
{
	static struct mmio_table t;
	static const gpa_t bases[] = { 0x9000000, 0x8000000, 0xa000200, 0xa000000, 0x80a0000 };

	mmio_table_init(&t);
	for (size_t i = 0; i < ARRAY_SIZE(bases); i++)
		CHECK_EQ(mmio_table_add(&t, bases[i], 0x200, "r", &dummy_ops, (void *)i), 0);
	CHECK_EQ(t.count, ARRAY_SIZE(bases));
	for (unsigned int i = 1; i < t.count; i++)
		CHECK(t.regions[i - 1].base < t.regions[i].base);
	for (size_t i = 0; i < ARRAY_SIZE(bases); i++) {
		const struct mmio_region *r = mmio_table_find(&t, bases[i] + 0x1ff);

		REQUIRE(r != NULL);
		CHECK_EQ(r->base, bases[i]);
		CHECK(mmio_table_find(&t, bases[i] + 0x200) == NULL ||
		      mmio_table_find(&t, bases[i] + 0x200)->base == bases[i] + 0x200);
	}
	CHECK(mmio_table_find(&t, 0) == NULL);
	CHECK(mmio_table_find(&t, 0x7ffffff) == NULL);
	CHECK(mmio_table_find(&t, ~0ULL) == NULL);
}

TEST(mmio_table_refuses_overlaps_wraps_and_overflow)
{
	static struct mmio_table t;

	mmio_table_init(&t);
	CHECK_EQ(mmio_table_add(&t, 0x1000, 0x1000, "a", &dummy_ops, NULL), 0);
	CHECK_EQ(mmio_table_add(&t, 0x1800, 0x1000, "b", &dummy_ops, NULL), -KEEL_EEXIST);
	CHECK_EQ(mmio_table_add(&t, 0x0800, 0x1000, "c", &dummy_ops, NULL), -KEEL_EEXIST);
	CHECK_EQ(mmio_table_add(&t, 0x0, 0x10000, "d", &dummy_ops, NULL), -KEEL_EEXIST);
	CHECK_EQ(mmio_table_add(&t, 0x2000, 0, "e", &dummy_ops, NULL), -KEEL_EINVAL);
	CHECK_EQ(mmio_table_add(&t, ~0ULL - 10, 0x100, "f", &dummy_ops, NULL), -KEEL_EINVAL);
	CHECK_EQ(mmio_table_add(&t, 0x2000, 0x1000, "g", NULL, NULL), -KEEL_EINVAL);
	CHECK_EQ(mmio_table_add(&t, 0x2000, 0x1000, "h", &dummy_ops, NULL), 0);
	CHECK_EQ(t.count, 2);
	mmio_table_init(&t);
	for (unsigned int i = 0; i < MMIO_MAX_REGIONS; i++)
		CHECK_EQ(mmio_table_add(&t, (gpa_t)i * 0x1000, 0x1000, "x", &dummy_ops, NULL), 0);
	CHECK_EQ(mmio_table_add(&t, 0x100000000ULL, 0x1000, "y", &dummy_ops, NULL), -KEEL_ENOSPC);
}

/* A guest shell with vCPUs, enough for the scheduler. */
static struct guest sched_guest;
static struct vcpu sched_vcpus[3];

static void sched_setup(void)
{
	sched_init();
	memset(&sched_guest, 0, sizeof(sched_guest));
	sched_guest.name = "sched";
	sched_guest.state = GUEST_RUNNING;
	sched_guest.vcpu_count = 3;
	for (unsigned int i = 0; i < 3; i++) {
		struct vcpu *v = &sched_vcpus[i];

		memset(v, 0, sizeof(*v));
		v->guest = &sched_guest;
		v->id = i;
		v->pcpu = 0;
		v->power = VCPU_POWER_ON;
		list_init(&v->run_node);
		sched_guest.vcpus[i] = v;
	}
}

void host_vcpu_next_exit(const struct vm_exit *exit);

/* What guest_create() installs as a vCPU's wake event. */
static void unit_vcpu_wake_event(struct timer_event *e, void *arg)
{
	vcpu_kick(arg);
}

TEST(sched_round_robin_and_eligibility)
{
	struct vm_exit irq_exit = { .reason = VM_EXIT_IRQ };

	sched_setup();
	host_vcpu_next_exit(&irq_exit);
	for (unsigned int i = 0; i < 3; i++)
		sched_enqueue(&sched_vcpus[i]);
	sched_enqueue(&sched_vcpus[1]);          /* twice is once */
	CHECK_EQ(sched_queue_length(0), 3);

	/* Each run takes the head and puts it back at the tail. */
	for (unsigned int round = 0; round < 6; round++) {
		CHECK(sched_run_once());
		CHECK_EQ(sched_vcpus[round % 3].entries, round / 3 + 1);
		CHECK(!sched_vcpus[round % 3].on_cpu);
	}
	CHECK_EQ(sched_vcpus[0].exits[VM_EXIT_IRQ], 2);

	/* Powered off and paused vCPUs are not queued. */
	sched_dequeue(&sched_vcpus[2]);
	sched_vcpus[2].power = VCPU_POWER_OFF;
	sched_enqueue(&sched_vcpus[2]);
	CHECK_EQ(sched_queue_length(0), 2);
	sched_guest.state = GUEST_PAUSED;
	CHECK(sched_run_once());                 /* picked, found ineligible */
	CHECK_EQ(sched_queue_length(0), 1);
	CHECK(sched_run_once());
	CHECK_EQ(sched_queue_length(0), 0);
	CHECK(!sched_run_once());
	host_vcpu_next_exit(&(struct vm_exit){ .reason = VM_EXIT_WFI });
}

TEST(sched_wfi_blocks_until_kicked_and_never_loses_a_kick)
{
	struct vcpu *v = &sched_vcpus[0];

	sched_setup();
	host_vcpu_next_exit(&(struct vm_exit){ .reason = VM_EXIT_WFI });
	sched_enqueue(v);
	CHECK(sched_run_once());
	CHECK(v->blocked);
	CHECK_EQ(v->arch.pc, 4);                 /* WFI stepped over */
	CHECK_EQ(sched_queue_length(0), 0);
	vcpu_kick(v);
	CHECK(!v->blocked);
	CHECK_EQ(sched_queue_length(0), 1);

	/* A kick between reading the count and blocking keeps it runnable. */
	sched_block(v, v->kicks - 1);
	CHECK(!v->blocked);
	/* So does a pending interrupt. */
	v->arch.irq_pending = true;
	sched_block(v, v->kicks);
	CHECK(!v->blocked);
	v->arch.irq_pending = false;
	sched_block(v, v->kicks);
	CHECK(v->blocked);
	CHECK_EQ(sched_queue_length(0), 0);
	sched_wake(v);
	CHECK_EQ(sched_queue_length(0), 1);
}

TEST(sched_wfi_wakes_at_the_guest_timer_deadline)
{
	struct vcpu *v = &sched_vcpus[0];

	sched_setup();
	host_counter_set(1000000000ULL);
	v->arch.timer_deadline_ns = time_now_ns() + 5 * NSEC_PER_MSEC;
	sched_guest.vcpus[0] = v;
	v->wake_event.fn = unit_vcpu_wake_event;
	v->wake_event.arg = v;
	sched_block(v, v->kicks);
	CHECK(v->blocked);
	CHECK(v->wake_event.queued);
	CHECK_EQ(host_timer_deadline(0), v->arch.timer_deadline_ns);
	host_counter_set(v->arch.timer_deadline_ns + 1);
	timer_event_expire();
	CHECK(!v->blocked);
	CHECK_EQ(sched_queue_length(0), 1);
	sched_dequeue(v);
}


TEST(mmio_table_remove_takes_out_one_region_and_keeps_order)
{
	static struct mmio_table t;
	static const gpa_t bases[] = { 0x8000000, 0x80a0000, 0x9000000, 0xa000000, 0xa000200 };

	mmio_table_init(&t);
	for (size_t i = 0; i < ARRAY_SIZE(bases); i++)
		CHECK_EQ(mmio_table_add(&t, bases[i], 0x200, "r", &dummy_ops, (void *)i), 0);

	/* A middle one: the rest close up, still sorted, still found. */
	CHECK_EQ(mmio_table_remove(&t, 0x9000000), 0);
	CHECK_EQ(t.count, ARRAY_SIZE(bases) - 1);
	CHECK(mmio_table_find(&t, 0x9000000) == NULL);
	CHECK(mmio_table_find(&t, 0x90001ff) == NULL);
	for (unsigned int i = 1; i < t.count; i++)
		CHECK(t.regions[i - 1].base < t.regions[i].base);
	for (size_t i = 0; i < ARRAY_SIZE(bases); i++) {
		const struct mmio_region *r = mmio_table_find(&t, bases[i] + 0x10);

		if (bases[i] == 0x9000000)
			continue;
		REQUIRE(r != NULL);
		CHECK_EQ(r->base, bases[i]);
		CHECK(r->state == (void *)i);
	}

	/* The first and the last. */
	CHECK_EQ(mmio_table_remove(&t, 0x8000000), 0);
	CHECK_EQ(mmio_table_remove(&t, 0xa000200), 0);
	CHECK_EQ(t.count, 2);
	CHECK_EQ(t.regions[0].base, 0x80a0000);
	CHECK_EQ(t.regions[1].base, 0xa000000);

	/* The freed space can be used again. */
	CHECK_EQ(mmio_table_add(&t, 0x9000000, 0x1000, "again", &dummy_ops, NULL), 0);
	CHECK_EQ(t.count, 3);
	CHECK_EQ(t.regions[1].base, 0x9000000);
	CHECK_STR_EQ(t.regions[1].name, "again");

	CHECK_EQ(mmio_table_remove(&t, 0x80a0000), 0);
	CHECK_EQ(mmio_table_remove(&t, 0x9000000), 0);
	CHECK_EQ(mmio_table_remove(&t, 0xa000000), 0);
	CHECK_EQ(t.count, 0);
	CHECK(mmio_table_find(&t, 0xa000000) == NULL);
}

TEST(mmio_table_remove_needs_the_exact_base)
{
	static struct mmio_table t;

	mmio_table_init(&t);
	CHECK_EQ(mmio_table_remove(&t, 0x1000), -KEEL_ENOENT);   /* empty */
	CHECK_EQ(mmio_table_add(&t, 0x1000, 0x1000, "a", &dummy_ops, NULL), 0);
	CHECK_EQ(mmio_table_add(&t, 0x3000, 0x1000, "b", &dummy_ops, NULL), 0);
	/* Inside a region, just before one, between two: nothing starts there. */
	CHECK_EQ(mmio_table_remove(&t, 0x1800), -KEEL_ENOENT);
	CHECK_EQ(mmio_table_remove(&t, 0x0fff), -KEEL_ENOENT);
	CHECK_EQ(mmio_table_remove(&t, 0x2000), -KEEL_ENOENT);
	CHECK_EQ(mmio_table_remove(&t, ~0ULL), -KEEL_ENOENT);
	CHECK_EQ(t.count, 2);
	CHECK_EQ(mmio_table_remove(&t, 0x3000), 0);
	CHECK_EQ(mmio_table_remove(&t, 0x3000), -KEEL_ENOENT);   /* only once */
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.regions[0].base, 0x1000);
}

TEST(mmio_table_remove_works_on_a_full_table)
{
	static struct mmio_table t;

	mmio_table_init(&t);
	for (unsigned int i = 0; i < MMIO_MAX_REGIONS; i++)
		CHECK_EQ(mmio_table_add(&t, (gpa_t)i * 0x1000, 0x1000, "x", &dummy_ops, NULL), 0);
	CHECK_EQ(mmio_table_add(&t, 0x100000000ULL, 0x1000, "y", &dummy_ops, NULL), -KEEL_ENOSPC);
	CHECK_EQ(mmio_table_remove(&t, 0), 0);
	CHECK_EQ(t.count, MMIO_MAX_REGIONS - 1);
	CHECK_EQ(t.regions[0].base, 0x1000);
	CHECK_EQ(mmio_table_add(&t, 0x100000000ULL, 0x1000, "y", &dummy_ops, NULL), 0);
	CHECK_EQ(t.regions[t.count - 1].base, 0x100000000ULL);
	for (unsigned int i = 1; i < t.count; i++)
		CHECK(t.regions[i - 1].base < t.regions[i].base);
}
