// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow control on the switch with sender and receiver on two CPUs at
 * once: the receiver makes room one frame at a time and says so
 * (l2switch_port_rx_ready()) while the sender sends and, when told to
 * wait, waits for its resume(). Whatever the interleaving, no wake-up is
 * lost: every frame arrives without the sender having to give up. The
 * fake clock stands still, so no wait budget runs out.
 */
#include <keel/l2switch.h>
#include <sched.h>
#include <string.h>
#include "unit.h"

#define LT_FRAMES 3000
#define LT_PATIENCE 200000       /* yields before a wait counts as lost */

static struct {
	struct l2switch_port tx, rx;
	int room;                    /* frames the receiver can take */
	int taken;
	int resumed;
	int lost;
	int done;
} lt;

static enum l2switch_delivery lt_deliver(struct l2switch_port *port, const void *frame,
					 size_t len)
{
	if (__atomic_load_n(&lt.room, __ATOMIC_SEQ_CST) <= 0)
		return L2SWITCH_FULL;
	__atomic_fetch_sub(&lt.room, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&lt.taken, 1, __ATOMIC_SEQ_CST);
	return L2SWITCH_TAKEN;
}

static void lt_resume(struct l2switch_port *port)
{
	__atomic_store_n(&lt.resumed, 1, __ATOMIC_SEQ_CST);
}

static void lt_cpu(unsigned int cpu, void *arg)
{
	uint8_t frame[64];

	if (cpu == 1) {
		memset(frame, 0, sizeof(frame));
		memcpy(frame, lt.rx.mac, L2SWITCH_MAC_LEN);
		memcpy(frame + L2SWITCH_MAC_LEN, lt.tx.mac, L2SWITCH_MAC_LEN);
		for (int i = 0; i < LT_FRAMES; i++) {
			while (l2switch_forward_wait(&lt.tx, frame, sizeof(frame)) == L2SWITCH_WAIT) {
				long spins = 0;

				while (!__atomic_exchange_n(&lt.resumed, 0, __ATOMIC_SEQ_CST) &&
				       ++spins < LT_PATIENCE)
					sched_yield();   /* not arch_cpu_relax(): time stands still */
				if (spins >= LT_PATIENCE) {
					lt.lost++;
					l2switch_port_stop_waiting(&lt.tx, false);
				}
			}
		}
		__atomic_store_n(&lt.done, 1, __ATOMIC_SEQ_CST);
		return;
	}
	/* The receiver: a buffer at a time, and a notify for it. */
	while (!__atomic_load_n(&lt.done, __ATOMIC_SEQ_CST)) {
		if (__atomic_load_n(&lt.room, __ATOMIC_SEQ_CST) == 0) {
			__atomic_fetch_add(&lt.room, 1, __ATOMIC_SEQ_CST);
			l2switch_port_rx_ready(&lt.rx);
		}
	}
}

TEST(l2switch_a_waiting_sender_is_always_resumed_by_a_receiver_on_another_cpu)
{
	memset(&lt, 0, sizeof(lt));
	lt.tx.mac[0] = lt.rx.mac[0] = 0x02;
	lt.tx.mac[5] = 1;
	lt.rx.mac[5] = 2;
	lt.tx.deliver = lt.rx.deliver = lt_deliver;
	lt.tx.resume = lt_resume;
	REQUIRE(l2switch_port_attach("lt0", &lt.tx) == 0);
	REQUIRE(l2switch_port_attach("lt0", &lt.rx) == 0);
	unit_run_cpus(2, lt_cpu, NULL);
	CHECK_EQ(lt.taken, LT_FRAMES);
	CHECK_EQ(lt.lost, 0);
	CHECK_EQ(lt.tx.stats.tx_frames, LT_FRAMES);
	CHECK_EQ(lt.rx.stats.rx_full, 0);
	l2switch_port_detach(&lt.tx);
	l2switch_port_detach(&lt.rx);
}
