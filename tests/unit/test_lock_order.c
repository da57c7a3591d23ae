// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lock-order checker (CONFIG_DEBUG_LOCK_ORDER, on in the unit build):
 * inversions between two classes, directly, through a third lock and from
 * two CPUs; a recursive take; what is not an inversion. The locks here are
 * the test's own classes, so the orders Keel's code records are unaffected.
 */
#include <keel/spinlock.h>
#include <arch/cpu.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"

#ifdef CONFIG_DEBUG_LOCK_ORDER

static void take_in_order(spinlock_t *first, spinlock_t *second)
{
	unsigned long flags = spin_lock_irqsave(first);

	spin_lock(second);
	spin_unlock(second);
	spin_unlock_irqrestore(first, flags);
}

/* The message for "took taken while holding held". */
static bool reported(const spinlock_t *taken, const spinlock_t *held)
{
	char text[256];

	snprintf(text, sizeof(text), "error: lock order: CPU %u took %s while holding %s, but before, %s was taken while %s was held",
		 arch_cpu_id(), taken->class_name, held->class_name, held->class_name,
		 taken->class_name);
	return strstr(unit_console_text(), text) != NULL;
}

TEST(lock_order_reports_an_inversion_once_with_both_names)
{
	static spinlock_t a = SPINLOCK_INIT;
	static spinlock_t b = SPINLOCK_INIT;
	unsigned long before = lock_order_reports();

	unit_expect_lock_order_reports(1);
	take_in_order(&a, &b);
	take_in_order(&a, &b);
	CHECK_EQ(lock_order_reports(), before);
	take_in_order(&b, &a);
	CHECK_EQ(lock_order_reports(), before + 1);
	CHECK(reported(&a, &b));
	CHECK(strstr(a.class_name, "tests/unit/test_lock_order.c:") == a.class_name);
	/* Once per pair. */
	unit_console_clear();
	take_in_order(&b, &a);
	take_in_order(&a, &b);
	CHECK_EQ(lock_order_reports(), before + 1);
	CHECK_STR_EQ(unit_console_text(), "");
}

TEST(lock_order_reports_an_inversion_through_a_third_lock)
{
	static spinlock_t a = SPINLOCK_INIT;
	static spinlock_t b = SPINLOCK_INIT;
	static spinlock_t c = SPINLOCK_INIT;
	unsigned long before = lock_order_reports();

	unit_expect_lock_order_reports(1);
	take_in_order(&a, &b);
	take_in_order(&b, &c);
	CHECK_EQ(lock_order_reports(), before);
	/* c then a closes a -> b -> c -> a. */
	take_in_order(&c, &a);
	CHECK_EQ(lock_order_reports(), before + 1);
	CHECK(reported(&a, &c));
}

struct two_cpus {
	spinlock_t x, y;
	int turn;
};

/* CPU 1 takes x then y; after it, CPU 2 takes y then x: never at the same
 * time (no real deadlock here), but the two paths could deadlock. */
static void inverse_on_two_cpus(unsigned int cpu, void *arg)
{
	struct two_cpus *t = arg;

	if (cpu == 1) {
		take_in_order(&t->x, &t->y);
		__atomic_store_n(&t->turn, 2, __ATOMIC_RELEASE);
	} else if (cpu == 2) {
		while (__atomic_load_n(&t->turn, __ATOMIC_ACQUIRE) != 2)
			arch_cpu_relax();
		take_in_order(&t->y, &t->x);
	}
}

TEST(lock_order_reports_an_inversion_between_two_cpus)
{
	/* Two lines: a class is the line of its SPINLOCK_INIT. */
	static struct two_cpus t = {
		.x = SPINLOCK_INIT,
		.y = SPINLOCK_INIT,
	};
	char text[256];
	unsigned long before = lock_order_reports();

	unit_expect_lock_order_reports(1);
	unit_run_cpus(3, inverse_on_two_cpus, &t);
	CHECK_EQ(lock_order_reports(), before + 1);
	snprintf(text, sizeof(text), "lock order: CPU 2 took %s while holding %s",
		 t.x.class_name, t.y.class_name);
	CHECK(strstr(unit_console_text(), text) != NULL);
}

TEST(lock_order_accepts_consistent_orders_and_any_release_order)
{
	static spinlock_t a = SPINLOCK_INIT;
	static spinlock_t b = SPINLOCK_INIT;
	static spinlock_t c = SPINLOCK_INIT;
	/* Two locks of one class (as two guests' locks): one class, and
	 * nesting them is not an order between classes. */
	spinlock_t pair[2] = { SPINLOCK_INIT, SPINLOCK_INIT };
	unsigned long before = lock_order_reports();

	for (int round = 0; round < 3; round++) {
		spin_lock(&a);
		spin_lock(&b);
		spin_lock(&c);
		/* Released out of order: the checker follows. */
		spin_unlock(&a);
		spin_unlock(&c);
		spin_unlock(&b);
		take_in_order(&a, &c);
		take_in_order(&pair[0], &pair[1]);
		take_in_order(&pair[1], &pair[0]);
	}
	CHECK_EQ(lock_order_reports(), before);
	CHECK_STR_EQ(unit_console_text(), "");
}

static void take_twice(void *arg)
{
	spinlock_t *l = arg;

	spin_lock(l);
	spin_lock(l);
}

TEST(lock_order_stops_on_a_recursive_take_naming_the_lock)
{
	static spinlock_t l = SPINLOCK_INIT;
	char text[200];

	snprintf(text, sizeof(text),
		 "lock order: CPU 0 takes %s again while it holds it: deadlock", l.class_name);
	CHECK(unit_expect_abort_saying(take_twice, &l, text));
}

#endif
