/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IS_ENABLED(CONFIG_X): 1 when the configuration sets bool option X, else
 * 0, as an integer constant expression. Code that calls into an optional
 * part tests it in a plain `if`, so that both branches are compiled (and
 * checked) in every configuration, and the compiler drops the call, and
 * with it the reference to the left-out part, when the option is off.
 *
 * The generated config.h defines CONFIG_X as 1 or not at all. Pasting the
 * option's expansion onto KCONFIG_ARG_ gives KCONFIG_ARG_1, which expands
 * to "0," and shifts a 1 into the second argument of KCONFIG_SECOND();
 * any other expansion leaves the 0 there.
 */
#ifndef KEEL_KCONFIG_H
#define KEEL_KCONFIG_H

#define KCONFIG_ARG_1 0,
#define KCONFIG_SECOND(ignored, value, ...) value
#define KCONFIG_PICK(arg_or_junk) KCONFIG_SECOND(arg_or_junk 1, 0, 0)
#define KCONFIG_PASTE(value) KCONFIG_PICK(KCONFIG_ARG_##value)
#define IS_ENABLED(option) KCONFIG_PASTE(option)

#endif
