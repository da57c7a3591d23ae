/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lock-order checker (CONFIG_DEBUG_LOCK_ORDER). Each host CPU keeps the
 * spinlocks it holds; one global graph records, for each pair of lock
 * classes, that B was taken while A was held (A -> B). Taking B while
 * holding A when B already leads to A (B -> ... -> A) means two paths take
 * the same locks in opposite orders and can deadlock: that is reported once
 * per pair, with both names. A lock's class is where it was initialised
 * (SPINLOCK_INIT's "file:line"), so every guest's lock of one kind is one
 * class.
 *
 * Everything is in fixed tables: nothing is allocated, and the checker's
 * own lock is an arch lock, which the checker does not track. Reports are
 * printed when the CPU holds no lock any more: printing takes the log and
 * console locks, which the CPU may hold at the time it finds the problem.
 */
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/spinlock.h>
#include <lib/format.h>
#include <arch/cpu.h>

#ifdef CONFIG_DEBUG_LOCK_ORDER

#define LOCK_ORDER_MAX_CLASSES 256
#define LOCK_ORDER_HASH_SIZE (2 * LOCK_ORDER_MAX_CLASSES)
#define LOCK_ORDER_MAX_HELD 16
#define LOCK_ORDER_WORDS (LOCK_ORDER_MAX_CLASSES / 64)

struct lock_order_class {
	const void *key;                /* class_name, or the lock's address */
	const char *name;               /* NULL: unnamed (shown by key) */
};

struct lock_order_held {
	const spinlock_t *lock;
	uint16_t cls;
};

struct lock_order_cpu {
	struct lock_order_held held[LOCK_ORDER_MAX_HELD];
	unsigned int depth;             /* entries in held */
	unsigned int untracked;         /* taken beyond LOCK_ORDER_MAX_HELD */
	bool reporting;                 /* printing: take no notes */
	bool pending;                   /* a report waits for depth 0 */
	uint16_t pending_held, pending_taken;
	unsigned int pending_more;      /* further reports not printed */
};

/* The checker's own state: its lock is an arch lock, never checked. */
static struct arch_spinlock lock_order_lock = ARCH_SPINLOCK_INIT;
static struct lock_order_class lock_order_classes[LOCK_ORDER_MAX_CLASSES];
static unsigned int lock_order_class_count;
/* Slot + 1 of each class by its key's hash; 0: free. */
static uint16_t lock_order_hash[LOCK_ORDER_HASH_SIZE];
/* after[a] has bit b: b was taken while a was held. */
static uint64_t lock_order_after[LOCK_ORDER_MAX_CLASSES][LOCK_ORDER_WORDS];
/* Pairs (held, taken) already reported: reported once. */
static uint64_t lock_order_reported[LOCK_ORDER_MAX_CLASSES][LOCK_ORDER_WORDS];
static bool lock_order_full_logged;
static unsigned long lock_order_report_count;

static struct lock_order_cpu lock_order_cpus[KEEL_MAX_CPUS];

static bool bit_test(const uint64_t *words, unsigned int bit)
{
	return __atomic_load_n(&words[bit / 64], __ATOMIC_RELAXED) & (1ULL << (bit % 64));
}

static void bit_set(uint64_t *words, unsigned int bit)
{
	__atomic_fetch_or(&words[bit / 64], 1ULL << (bit % 64), __ATOMIC_RELAXED);
}

static unsigned int lock_order_key_hash(const void *key)
{
	uint64_t x = (uint64_t)(uintptr_t)key;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 32;
	return (unsigned int)(x % LOCK_ORDER_HASH_SIZE);
}

/* The class of l, made on first sight; -1 when the table is full. Checker
 * lock held. */
static int lock_order_class_of(const spinlock_t *l)
{
	const void *key = l->class_name ? (const void *)l->class_name : (const void *)l;
	unsigned int h = lock_order_key_hash(key);

	for (unsigned int probe = 0; probe < LOCK_ORDER_HASH_SIZE; probe++) {
		unsigned int slot = (h + probe) % LOCK_ORDER_HASH_SIZE;
		unsigned int entry = lock_order_hash[slot];

		if (entry && lock_order_classes[entry - 1].key == key)
			return (int)entry - 1;
		if (entry)
			continue;
		if (lock_order_class_count == LOCK_ORDER_MAX_CLASSES)
			return -1;
		lock_order_classes[lock_order_class_count] =
			(struct lock_order_class){ .key = key, .name = l->class_name };
		lock_order_hash[slot] = (uint16_t)(++lock_order_class_count);
		return (int)lock_order_class_count - 1;
	}
	return -1;
}

/* True when from leads to to through the recorded orders. Checker lock
 * held. */
static bool lock_order_reaches(unsigned int from, unsigned int to)
{
	uint64_t seen[LOCK_ORDER_WORDS] = { 0 };
	uint16_t queue[LOCK_ORDER_MAX_CLASSES];
	unsigned int head = 0, tail = 0;

	queue[tail++] = (uint16_t)from;
	bit_set(seen, from);
	while (head < tail) {
		unsigned int c = queue[head++];

		if (c == to)
			return true;
		for (unsigned int w = 0; w < LOCK_ORDER_WORDS; w++) {
			uint64_t next = lock_order_after[c][w] & ~seen[w];

			while (next) {
				unsigned int b = w * 64 + (unsigned int)__builtin_ctzll(next);

				next &= next - 1;
				bit_set(seen, b);
				queue[tail++] = (uint16_t)b;
			}
		}
	}
	return false;
}

static void lock_order_print_name(char *buf, size_t len, unsigned int cls)
{
	const struct lock_order_class *c = &lock_order_classes[cls];

	if (c->name)
		fmt_snprintf(buf, len, "%s", c->name);
	else
		fmt_snprintf(buf, len, "the lock at %p (no SPINLOCK_INIT)", c->key);
}

/* Records held -> taken, or notes an inversion for cpu to print. Checker
 * lock held. */
static void lock_order_note(struct lock_order_cpu *cpu, unsigned int held,
			    unsigned int taken)
{
	if (bit_test(lock_order_after[held], taken))
		return;
	if (!lock_order_reaches(taken, held)) {
		bit_set(lock_order_after[held], taken);
		return;
	}
	if (bit_test(lock_order_reported[held], taken))
		return;
	bit_set(lock_order_reported[held], taken);
	__atomic_fetch_add(&lock_order_report_count, 1, __ATOMIC_SEQ_CST);
	if (cpu->pending) {
		cpu->pending_more++;
		return;
	}
	cpu->pending = true;
	cpu->pending_held = (uint16_t)held;
	cpu->pending_taken = (uint16_t)taken;
}

static void lock_order_flush(struct lock_order_cpu *cpu)
{
	char held[96], taken[96];
	unsigned int more = cpu->pending_more;

	lock_order_print_name(held, sizeof(held), cpu->pending_held);
	lock_order_print_name(taken, sizeof(taken), cpu->pending_taken);
	cpu->pending = false;
	cpu->pending_more = 0;
	cpu->reporting = true;
	log_error("lock order: CPU %u took %s while holding %s, but before, %s was taken while %s was held (directly or through other locks): the two paths can deadlock (docs/locking.md)%s",
		  arch_cpu_id(), taken, held, held, taken,
		  more ? "; more inversions were found on this CPU" : "");
	cpu->reporting = false;
}

static struct lock_order_cpu *lock_order_this_cpu(void)
{
	unsigned int id = arch_cpu_id();

	if (id >= KEEL_MAX_CPUS || lock_order_cpus[id].reporting)
		return NULL;
	return &lock_order_cpus[id];
}

void lock_order_acquire(const spinlock_t *l)
{
	unsigned long flags = arch_irq_save();
	struct lock_order_cpu *cpu = lock_order_this_cpu();
	bool full_first = false;
	int cls;

	if (!cpu)
		goto out;
	for (unsigned int i = 0; i < cpu->depth; i++) {
		if (cpu->held[i].lock == l) {
			char name[96];

			/* A certain deadlock: say which lock rather than hang. */
			arch_spin_lock(&lock_order_lock);
			lock_order_print_name(name, sizeof(name), cpu->held[i].cls);
			arch_spin_unlock(&lock_order_lock);
			cpu->reporting = true;
			panic("lock order: CPU %u takes %s again while it holds it: deadlock",
			      arch_cpu_id(), name);
		}
	}
	arch_spin_lock(&lock_order_lock);
	cls = lock_order_class_of(l);
	if (cls < 0) {
		full_first = !lock_order_full_logged;
		lock_order_full_logged = true;
	} else {
		for (unsigned int i = 0; i < cpu->depth; i++)
			if (cpu->held[i].cls != (unsigned int)cls)
				lock_order_note(cpu, cpu->held[i].cls, (unsigned int)cls);
	}
	arch_spin_unlock(&lock_order_lock);
	if (cls < 0 || cpu->depth == LOCK_ORDER_MAX_HELD)
		cpu->untracked++;
	else
		cpu->held[cpu->depth++] = (struct lock_order_held){ .lock = l, .cls = (uint16_t)cls };
	if (full_first) {
		/* Not a failure of the code checked: the checker's tables. */
		cpu->reporting = true;
		log_warn("lock order: more than %d lock classes; new ones are not checked",
			 LOCK_ORDER_MAX_CLASSES);
		cpu->reporting = false;
	}
out:
	arch_irq_restore(flags);
}

void lock_order_release(const spinlock_t *l)
{
	unsigned long flags = arch_irq_save();
	struct lock_order_cpu *cpu = lock_order_this_cpu();

	if (!cpu)
		goto out;
	/* Usually the last one taken, but not always. */
	for (unsigned int i = cpu->depth; i-- > 0;) {
		if (cpu->held[i].lock != l)
			continue;
		for (unsigned int j = i; j + 1 < cpu->depth; j++)
			cpu->held[j] = cpu->held[j + 1];
		cpu->depth--;
		goto flush;
	}
	if (cpu->untracked)
		cpu->untracked--;
flush:
	if (cpu->pending && cpu->depth == 0 && cpu->untracked == 0)
		lock_order_flush(cpu);
out:
	arch_irq_restore(flags);
}

unsigned long lock_order_reports(void)
{
	return __atomic_load_n(&lock_order_report_count, __ATOMIC_SEQ_CST);
}

#endif
