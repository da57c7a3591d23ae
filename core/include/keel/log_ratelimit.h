/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rate limiting for messages a guest can cause: at most
 * LOG_RATELIMIT_BURST messages a LOG_RATELIMIT_WINDOW_NS per state, the
 * others only counted, and the count reported with the next message let
 * through. The state belongs to whatever is being reported (a port, a
 * device, a guest), so a noisy guest cannot silence reports about another.
 * Not locked: the caller serialises a state's use (a lock it holds
 * anyway); racing callers only make a message more or less.
 */
#ifndef KEEL_LOG_RATELIMIT_H
#define KEEL_LOG_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define LOG_RATELIMIT_WINDOW_NS 1000000000ULL   /* 1 s */
#define LOG_RATELIMIT_BURST 2

struct log_ratelimit {
	bool open;                       /* a window has started */
	uint64_t window_start_ns;
	unsigned int printed;            /* in this window */
	uint64_t suppressed;             /* since the last one let through */
};

/*
 * Whether a message may be logged now (now_ns: time_now_ns()). When it
 * may, *suppressed is how many were held back since the last one let
 * through (to be said in the message) and is reset.
 */
bool log_ratelimit_allow(struct log_ratelimit *rl, uint64_t now_ns, uint64_t *suppressed);

#endif
