/* SPDX-License-Identifier: GPL-2.0-only */
/* The host fake has no hardware random number generator. */
#include <keel/entropy.h>

bool arch_random_u64(uint64_t *value)
{
	(void)value;
	return false;
}
