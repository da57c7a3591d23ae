/* SPDX-License-Identifier: GPL-2.0-only */
/* The table of device emulators, placed by EMULATOR_DEFINE(). */
#include <keel/emu.h>
#include <string.h>

extern const struct emulator __start_keel_emulators[];
extern const struct emulator __stop_keel_emulators[];

/* The bounds are two symbols as far as C knows: compare addresses. */
unsigned int emulator_count(void)
{
	return (unsigned int)(((uintptr_t)__stop_keel_emulators -
			       (uintptr_t)__start_keel_emulators) /
			      sizeof(struct emulator));
}

const struct emulator *emulator_at(unsigned int index)
{
	if (index >= emulator_count())
		return NULL;
	return &__start_keel_emulators[index];
}

const struct emulator *emulator_find(const char *compatible)
{
	for (unsigned int i = 0; i < emulator_count(); i++)
		if (strcmp(__start_keel_emulators[i].compatible, compatible) == 0)
			return &__start_keel_emulators[i];
	return NULL;
}
