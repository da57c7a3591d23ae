/* SPDX-License-Identifier: GPL-2.0-only */
/* keel.bootcmd= and friends on the boot command line. */
#include <keel/bootargs.h>
#include <keel/errno.h>
#include "unit.h"

TEST(bootargs_plain_value)
{
	char out[64];

	CHECK_EQ(bootargs_get("console=ttyAMA0 keel.x=42 quiet", "keel.x", out, sizeof(out)), 2);
	CHECK_STR_EQ(out, "42");
}

TEST(bootargs_quoted_value_keeps_spaces_and_semicolons)
{
	char out[64];

	CHECK_EQ(bootargs_get("a=1 keel.bootcmd=\"echo hi; version\" b=2",
			      "keel.bootcmd", out, sizeof(out)), 16);
	CHECK_STR_EQ(out, "echo hi; version");
}

TEST(bootargs_escaped_quote_inside_quotes)
{
	char out[64];

	CHECK(bootargs_get("keel.bootcmd=\"echo \\\"x\\\"\"", "keel.bootcmd", out,
			   sizeof(out)) > 0);
	CHECK_STR_EQ(out, "echo \"x\"");
}

TEST(bootargs_key_must_match_whole_word)
{
	char out[64];

	CHECK_EQ(bootargs_get("xkeel.bootcmd=1 keel.bootcmdx=2", "keel.bootcmd", out,
			      sizeof(out)), -KEEL_ENOENT);
	/* A key inside another option's quoted value is not an option. */
	CHECK_EQ(bootargs_get("a=\"keel.bootcmd=no\"", "keel.bootcmd", out, sizeof(out)),
		 -KEEL_ENOENT);
	CHECK_EQ(bootargs_get(NULL, "keel.bootcmd", out, sizeof(out)), -KEEL_ENOENT);
}

TEST(bootargs_bad_values_are_refused)
{
	char out[8];
	char big[64];

	CHECK_EQ(bootargs_get("keel.bootcmd=\"never closed", "keel.bootcmd", big,
			      sizeof(big)), -KEEL_EINVAL);
	CHECK_EQ(bootargs_get("keel.bootcmd=0123456789", "keel.bootcmd", out, sizeof(out)),
		 -KEEL_E2BIG);
	CHECK_EQ(bootargs_get("keel.bootcmd= next=1", "keel.bootcmd", out, sizeof(out)), 0);
	CHECK_STR_EQ(out, "");
}
