/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of IS_ENABLED() (keel/kconfig.h) and this build's table of
 * devices and backends by option (core/base/config_options.c). */
#include <string.h>

#include <keel/config_options.h>
#include <keel/kconfig.h>

#include "unit.h"

/* A value only a constant expression can give an array size. */
static char enabled_size[IS_ENABLED(CONFIG_DEBUG_LOCK_ORDER) ? 2 : 1];

TEST(kconfig_is_enabled_follows_the_configuration)
{
	CHECK_EQ(sizeof(enabled_size), 2u);   /* the unit build sets it */
	CHECK_EQ(IS_ENABLED(CONFIG_VIRTIO_NET), 1);
	CHECK_EQ(IS_ENABLED(CONFIG_NO_SUCH_OPTION), 0);
}

TEST(config_options_built_has_each_option_as_configured)
{
	const struct config_option_table *t = &config_options_built;
	bool found_net = false;
	unsigned int i;

	CHECK(t->count > 0);
	for (i = 0; i < t->count; i++) {
		const struct config_option *o = &t->entries[i];

		CHECK(!strncmp(o->option, "CONFIG_", 7));
		CHECK(o->key[0] != '\0');
		CHECK(!strcmp(o->menu, "Emulators") || !strcmp(o->menu, "Backends"));
		if (!strcmp(o->key, "virtio,net")) {
			found_net = true;
			CHECK_STR_EQ(o->option, "CONFIG_VIRTIO_NET");
			CHECK_EQ(o->enabled, (bool)IS_ENABLED(CONFIG_VIRTIO_NET));
		}
		/* The unit build has every emulator and backend. */
		CHECK(o->enabled);
	}
	CHECK(found_net);
}
