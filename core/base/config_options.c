/* SPDX-License-Identifier: GPL-2.0-only */
/* This build's devices and backends, by option (keel/config_options.h). */
#include <keel/config_options.h>
#include <keel/kconfig.h>
#include <string.h>

static const struct config_option config_option_entries[] = {
#define CONFIG_OPTION(kind, key, option, menu)                              \
	{ CONFIG_OPTION_##kind, key, "CONFIG_" #option, menu,               \
	  IS_ENABLED(CONFIG_##option) },
#include <keel/config_options.def>
#undef CONFIG_OPTION
};

const struct config_option_table config_options_built = {
	.entries = config_option_entries,
	.count = ARRAY_SIZE(config_option_entries),
};

const struct config_option *config_option_left_out(const struct config_option_table *table,
						   enum config_option_kind kind,
						   const char *key, size_t len)
{
	unsigned int i;

	for (i = 0; table && i < table->count; i++) {
		const struct config_option *entry = &table->entries[i];

		if (entry->kind == kind && strlen(entry->key) == len &&
		    !memcmp(entry->key, key, len))
			return entry->enabled ? NULL : entry;
	}
	return NULL;
}
