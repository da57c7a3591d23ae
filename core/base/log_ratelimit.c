/* SPDX-License-Identifier: GPL-2.0-only */
/* Rate limiting for messages a guest can cause (keel/log_ratelimit.h). */
#include <keel/log_ratelimit.h>

bool log_ratelimit_allow(struct log_ratelimit *rl, uint64_t now_ns, uint64_t *suppressed)
{
	if (!rl->open || now_ns - rl->window_start_ns >= LOG_RATELIMIT_WINDOW_NS) {
		rl->open = true;
		rl->window_start_ns = now_ns;
		rl->printed = 0;
	}
	if (rl->printed >= LOG_RATELIMIT_BURST) {
		rl->suppressed++;
		return false;
	}
	rl->printed++;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}
