/* SPDX-License-Identifier: GPL-2.0-only */
/* Limits on copy-on-write disk blocks (blk_cow.h). */
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/spinlock.h>

#include "blk_cow.h"

struct blk_cow_account {
	struct blk_cow_account *next;    /* blk_cow_accounts */
	const struct guest *guest;
	unsigned int disks;              /* gets not yet put */
	uint64_t bytes;                  /* charged */
	uint64_t refused;                /* charges over a limit */
};

static spinlock_t blk_cow_lock = SPINLOCK_INIT;
static struct blk_cow_account *blk_cow_accounts;
static uint64_t blk_cow_global_bytes;

/* blk_cow_lock held. */
static struct blk_cow_account *blk_cow_account_find(const struct guest *g)
{
	for (struct blk_cow_account *a = blk_cow_accounts; a; a = a->next)
		if (a->guest == g)
			return a;
	return NULL;
}

struct blk_cow_account *blk_cow_account_get(struct guest *g)
{
	/* Allocated before the lock is taken; unused when one exists. */
	struct blk_cow_account *fresh = kzalloc(sizeof(*fresh)), *a;
	unsigned long flags;

	flags = spin_lock_irqsave(&blk_cow_lock);
	a = blk_cow_account_find(g);
	if (!a && fresh) {
		a = fresh;
		fresh = NULL;
		a->guest = g;
		a->next = blk_cow_accounts;
		blk_cow_accounts = a;
	}
	if (a)
		a->disks++;
	spin_unlock_irqrestore(&blk_cow_lock, flags);
	kfree(fresh);
	return a;
}

void blk_cow_account_put(struct blk_cow_account *a, uint64_t blocks, uint64_t block_size)
{
	struct blk_cow_account **link;
	unsigned long flags;
	bool last;

	if (!a)
		return;
	flags = spin_lock_irqsave(&blk_cow_lock);
	a->bytes -= blocks * block_size;
	blk_cow_global_bytes -= blocks * block_size;
	last = !--a->disks;
	if (last) {
		for (link = &blk_cow_accounts; *link != a; link = &(*link)->next)
			;
		*link = a->next;
	}
	spin_unlock_irqrestore(&blk_cow_lock, flags);
	if (last)
		kfree(a);
}

enum blk_cow_verdict blk_cow_charge(struct blk_cow_account *a, uint64_t block_size)
{
	enum blk_cow_verdict verdict = BLK_COW_CHARGED;
	unsigned long flags;

	flags = spin_lock_irqsave(&blk_cow_lock);
	if (a->bytes + block_size > BLK_COW_GUEST_MAX)
		verdict = BLK_COW_OVER_GUEST;
	else if (blk_cow_global_bytes + block_size > BLK_COW_GLOBAL_MAX)
		verdict = BLK_COW_OVER_GLOBAL;
	if (verdict == BLK_COW_CHARGED) {
		a->bytes += block_size;
		blk_cow_global_bytes += block_size;
	} else {
		a->refused++;
	}
	spin_unlock_irqrestore(&blk_cow_lock, flags);
	return verdict;
}

void blk_cow_uncharge(struct blk_cow_account *a, uint64_t block_size)
{
	unsigned long flags = spin_lock_irqsave(&blk_cow_lock);

	a->bytes -= block_size;
	blk_cow_global_bytes -= block_size;
	spin_unlock_irqrestore(&blk_cow_lock, flags);
}

bool blk_cow_usage(const struct guest *g, uint64_t *bytes, uint64_t *refused)
{
	struct blk_cow_account *a;
	unsigned long flags;

	flags = spin_lock_irqsave(&blk_cow_lock);
	a = blk_cow_account_find(g);
	if (a) {
		*bytes = a->bytes;
		*refused = a->refused;
	}
	spin_unlock_irqrestore(&blk_cow_lock, flags);
	return a != NULL;
}
