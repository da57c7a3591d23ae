/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer harness for the L2 switch (core/net/l2switch.c): frames of any
 * length and content from any of several ports of two switches, spoofed
 * sources (a neighbour's address, made-up ones, group ones), floods of
 * addresses, ports attached and detached in any order (sharing an address,
 * beyond the limits), ports whose receiver is full, and senders that wait
 * for a full receiver (flow control): resumed by its rx_ready(), by its
 * detach, giving up, time passing.
 *
 * A reference model of what the switch promises decides, for every frame,
 * which ports must get it and what it counts; the harness traps when:
 * - a port receives a frame it should not: from itself, from another
 *   switch, from a source that is not its sender's own address, to a
 *   unicast address not its own, or one that was not sent;
 * - a port that should have been offered a frame was not;
 * - a verdict, an attach result or a counter differs from the model;
 * - a switch lists more ports than L2SWITCH_MAX_PORTS, more than
 *   L2SWITCH_GROUP_PORTS of one guest, or two ports with one address;
 * - a port waits, or is resumed, or is awaited, otherwise than the model
 *   says (only ports with a resume() hook, the odd ones, ever wait).
 *
 * Input: commands of 4 bytes, op port a b, then for a send the frame's
 * bytes (length from a and b).
 *   op % 4 == 0  send from port: b selects the source (own, a neighbour's,
 *                made-up, group) and destination (broadcast, multicast, a
 *                port's, made-up), a the length's low byte; op bit 2: may
 *                wait (l2switch_forward_wait())
 *   op % 4 == 1  attach port to switch a % 2, its address its own or
 *                (b & 1) port b/2's
 *   op % 4 == 2  detach port
 *   op % 4 == 3  port's receiver full or not (a & 1); a bit 1: its
 *                rx_ready(); a bit 2: it stops waiting (a bit 3: gave up);
 *                a bit 4: two seconds pass
 */
#include <keel/errno.h>
#include <keel/l2switch.h>
#include <keel/time.h>
#include <arch/cpu.h>
#include <stdio.h>
#include <string.h>

#include "virtio_driver.h"

#define PORTS 10
#define GROUPS 2                         /* port i is guest i % GROUPS */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const switch_names[2] = { "fz0", "fz1" };

struct fuzz_port {
	struct l2switch_port port;
	int sw;                          /* model: switch index, -1 detached */
	bool full;
	bool offered;                    /* deliver() called for this frame */
	struct l2switch_port_stats model;
	int waiting_for;                 /* model: port index, -1 none */
	uint64_t quiet_until_ns;         /* model */
	uint64_t wait_since_ns, wait_window_ns, wait_spent_ns;   /* model */
	unsigned int resumes, resumes_model;
};

static struct fuzz_port ports[PORTS];
static int group_tags[GROUPS];
static struct fuzz_port *sender;
static const uint8_t *sent_frame;
static size_t sent_len;
static struct l2switch_info info;

static bool mac_equal(const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a, b, L2SWITCH_MAC_LEN);
}

static void fuzz_resume(struct l2switch_port *port)
{
	struct fuzz_port *p = port->owner;

	fuzz_promise(p->port.resume != NULL);
	p->resumes++;
}

/* Model: p stops waiting; what it waited counts against the receiver's
 * budget. */
static void model_stop_waiting(struct fuzz_port *p)
{
	struct fuzz_port *to = &ports[p->waiting_for];
	uint64_t now = time_now_ns();

	if (now - to->wait_window_ns >= L2SWITCH_WAIT_QUIET_NS) {
		to->wait_window_ns = now;
		to->wait_spent_ns = 0;
	}
	to->wait_spent_ns += now - p->wait_since_ns;
	if (to->wait_spent_ns >= L2SWITCH_WAIT_BUDGET_NS)
		to->quiet_until_ns = now + L2SWITCH_WAIT_QUIET_NS;
	p->waiting_for = -1;
}

/* Model: everyone waiting for ports[i] resumes. */
static void model_resume_waiting_for(unsigned int i)
{
	for (unsigned int j = 0; j < PORTS; j++) {
		if (ports[j].waiting_for == (int)i) {
			model_stop_waiting(&ports[j]);
			ports[j].resumes_model++;
		}
	}
}

static enum l2switch_delivery fuzz_deliver(struct l2switch_port *port, const void *frame,
					   size_t len)
{
	struct fuzz_port *to = port->owner;
	const uint8_t *f = frame;

	/* Only during a send, to another attached port of the same switch,
	 * once, the very frame, from the sender's own address, to a group
	 * address or to this port's. */
	fuzz_promise(sender != NULL && to != sender && !to->offered);
	fuzz_promise(to->sw >= 0 && to->sw == sender->sw);
	fuzz_promise(len == sent_len && !memcmp(frame, sent_frame, len));
	fuzz_promise(len >= L2SWITCH_FRAME_MIN && len <= L2SWITCH_FRAME_MAX);
	fuzz_promise(mac_equal(f + L2SWITCH_MAC_LEN, sender->port.mac));
	fuzz_promise((f[0] & 1) || mac_equal(f, to->port.mac));
	to->offered = true;
	return to->full ? L2SWITCH_FULL : L2SWITCH_TAKEN;
}

/* The model's port on switch sw with address mac, or NULL. */
static struct fuzz_port *model_port_by_mac(int sw, const uint8_t *mac)
{
	for (unsigned int i = 0; i < PORTS; i++)
		if (ports[i].sw == sw && mac_equal(ports[i].port.mac, mac))
			return &ports[i];
	return NULL;
}

static void fuzz_send(struct fuzz_port *from, const uint8_t *frame, size_t len, bool wait)
{
	enum l2switch_verdict expect, got;
	struct fuzz_port *dest = NULL;

	for (unsigned int i = 0; i < PORTS; i++)
		ports[i].offered = false;
	if (from->sw < 0)
		expect = L2SWITCH_DETACHED;
	else if (len < L2SWITCH_FRAME_MIN || len > L2SWITCH_FRAME_MAX)
		expect = L2SWITCH_MALFORMED;
	else if (!mac_equal(frame + L2SWITCH_MAC_LEN, from->port.mac))
		expect = L2SWITCH_SPOOFED;
	else if (!(frame[0] & 1) &&
		 (!(dest = model_port_by_mac(from->sw, frame)) || dest == from))
		expect = L2SWITCH_NO_DEST;
	else
		expect = L2SWITCH_FORWARDED;
	if (expect == L2SWITCH_FORWARDED && wait && dest && dest->full && from->port.resume &&
	    (from->waiting_for < 0 || &ports[from->waiting_for] == dest) &&
	    (!dest->quiet_until_ns || time_now_ns() >= dest->quiet_until_ns))
		expect = L2SWITCH_WAIT;

	sender = from;
	sent_frame = frame;
	sent_len = len;
	got = wait ? l2switch_forward_wait(&from->port, frame, len) :
		     l2switch_forward(&from->port, frame, len);
	sender = NULL;
	fuzz_promise(got == expect);

	switch (expect) {
	case L2SWITCH_DETACHED:
		break;
	case L2SWITCH_MALFORMED:
		from->model.tx_malformed++;
		break;
	case L2SWITCH_SPOOFED:
		from->model.tx_spoofed++;
		break;
	case L2SWITCH_NO_DEST:
		from->model.tx_frames++;
		from->model.tx_bytes += len;
		from->model.tx_no_dest++;
		break;
	case L2SWITCH_FORWARDED:
		from->model.tx_frames++;
		from->model.tx_bytes += len;
		break;
	case L2SWITCH_WAIT:
		/* Not sent, nothing counted: it is sent again later. */
		fuzz_promise(dest->offered);
		if (from->waiting_for < 0)
			from->wait_since_ns = time_now_ns();
		from->waiting_for = (int)(dest - ports);
		return;
	}
	/* Every port that should have been offered the frame was. */
	for (unsigned int i = 0; i < PORTS; i++) {
		struct fuzz_port *p = &ports[i];
		bool should = expect == L2SWITCH_FORWARDED && p != from && p->sw == from->sw &&
			      ((frame[0] & 1) || p == dest);

		fuzz_promise(p->offered == should);
		if (!should)
			continue;
		if (p->full) {
			p->model.rx_full++;
		} else {
			p->model.rx_frames++;
			p->model.rx_bytes += len;
		}
	}
}

/* What attaching p (its address set) to switch sw must give. */
static int model_attach(struct fuzz_port *p, int sw)
{
	unsigned int count = 0, same_group = 0;

	if (p->sw >= 0)
		return -KEEL_EINVAL;
	for (unsigned int i = 0; i < PORTS; i++) {
		if (ports[i].sw != sw)
			continue;
		count++;
		same_group += ports[i].port.group == p->port.group;
	}
	if (count >= L2SWITCH_MAX_PORTS)
		return -KEEL_ENOSPC;
	if (model_port_by_mac(sw, p->port.mac))
		return -KEEL_EEXIST;
	return same_group >= L2SWITCH_GROUP_PORTS ? -KEEL_ENOSPC : 0;
}

static void fuzz_attach(struct fuzz_port *p, int sw, const uint8_t *mac)
{
	int expect, got;

	if (p->sw < 0)
		memcpy(p->port.mac, mac, L2SWITCH_MAC_LEN);
	expect = model_attach(p, sw);
	got = l2switch_port_attach(switch_names[sw], &p->port);
	fuzz_promise(got == expect);
	if (!got)
		p->sw = sw;
}

/* Every switch's listing agrees with the model and keeps its bounds. */
static void fuzz_check_listing(void)
{
	unsigned int listed = 0;

	for (unsigned int s = 0; l2switch_info_at(s, &info); s++) {
		unsigned int groups[GROUPS] = { 0 };
		int sw = !strcmp(info.name, switch_names[0]) ? 0 : 1;

		fuzz_promise(!strcmp(info.name, switch_names[sw]));
		fuzz_promise(info.port_count >= 1 && info.port_count <= L2SWITCH_MAX_PORTS);
		for (unsigned int i = 0; i < info.port_count; i++) {
			const struct l2switch_port_info *pi = &info.ports[i];
			struct fuzz_port *p = model_port_by_mac(sw, pi->mac);

			for (unsigned int j = 0; j < i; j++)
				fuzz_promise(!mac_equal(info.ports[j].mac, pi->mac));
			fuzz_promise(p != NULL && !strcmp(p->port.label, pi->label));
			fuzz_promise(!memcmp(&p->model, &pi->stats, sizeof(pi->stats)));
			groups[(p - ports) % GROUPS]++;
			listed++;
		}
		for (unsigned int g = 0; g < GROUPS; g++)
			fuzz_promise(groups[g] <= L2SWITCH_GROUP_PORTS);
	}
	for (unsigned int i = 0; i < PORTS; i++)
		listed -= ports[i].sw >= 0;
	fuzz_promise(listed == 0);
}

/* Who waits for whom, who was resumed and who is awaited: as modelled. */
static void fuzz_check_waiting(void)
{
	for (unsigned int i = 0; i < PORTS; i++) {
		const struct fuzz_port *p = &ports[i];
		bool awaited = false;

		fuzz_promise(p->port.waiting_for ==
			     (p->waiting_for < 0 ? NULL : &ports[p->waiting_for].port));
		fuzz_promise(p->resumes == p->resumes_model);
		for (unsigned int j = 0; j < PORTS; j++)
			awaited |= ports[j].waiting_for == (int)i;
		fuzz_promise(p->sw < 0 || p->port.awaited == awaited);
	}
}

/* The frame a send command asks for, in frame; its length. */
static size_t fuzz_make_frame(uint8_t *frame, const uint8_t *cmd, const uint8_t **data,
			      size_t *size)
{
	size_t len = (size_t)cmd[2] | ((size_t)(cmd[3] >> 4) << 8);
	size_t have = len < *size ? len : *size;
	const struct fuzz_port *from = &ports[cmd[1] % PORTS];
	const struct fuzz_port *other = &ports[(cmd[1] + 1u + (cmd[3] & 3u)) % PORTS];

	/* Lengths around the limits are worth more than the rest. */
	if (len > L2SWITCH_FRAME_MAX + 8)
		len = L2SWITCH_FRAME_MIN - 2 + len % 16;
	have = len < *size ? len : *size;
	memset(frame, 0, len);
	memcpy(frame, *data, have);
	*data += have;
	*size -= have;
	if (len < 2 * L2SWITCH_MAC_LEN)
		return len;
	switch ((cmd[3] >> 2) & 3) {
	case 0:
		memcpy(frame + L2SWITCH_MAC_LEN, from->port.mac, L2SWITCH_MAC_LEN);
		break;
	case 1:
		memcpy(frame + L2SWITCH_MAC_LEN, other->port.mac, L2SWITCH_MAC_LEN);
		break;
	default:
		break;   /* made up by the input */
	}
	switch (cmd[0] >> 6) {
	case 0:
		memset(frame, 0xff, L2SWITCH_MAC_LEN);
		break;
	case 1:
		memcpy(frame, other->port.mac, L2SWITCH_MAC_LEN);
		break;
	default:
		break;
	}
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[L2SWITCH_FRAME_MAX + 8];

	fuzz_platform_init();
	for (unsigned int i = 0; i < PORTS; i++)
		l2switch_port_detach(&ports[i].port);
	memset(ports, 0, sizeof(ports));
	for (unsigned int i = 0; i < PORTS; i++) {
		struct fuzz_port *p = &ports[i];

		/* Labels are guest data: the log escapes them. */
		snprintf(p->port.label, sizeof(p->port.label), "g%u\x1b]0;x\a/net%u", i % GROUPS, i);
		p->port.mac[0] = 0x02;
		p->port.mac[5] = (uint8_t)(i + 1);
		p->port.group = &group_tags[i % GROUPS];
		p->port.deliver = fuzz_deliver;
		p->port.resume = (i & 1) ? fuzz_resume : NULL;
		p->port.owner = p;
		p->sw = -1;
		p->waiting_for = -1;
	}
	while (size >= 4) {
		const uint8_t *cmd = data;
		struct fuzz_port *p = &ports[cmd[1] % PORTS];
		uint8_t mac[L2SWITCH_MAC_LEN];
		size_t len;

		data += 4;
		size -= 4;
		switch (cmd[0] & 3) {
		case 0:
			len = fuzz_make_frame(frame, cmd, &data, &size);
			fuzz_send(p, frame, len, cmd[0] & 4);
			break;
		case 1:
			memcpy(mac, (cmd[3] & 1) ? ports[(cmd[3] >> 1) % PORTS].port.mac :
				    p->port.mac, L2SWITCH_MAC_LEN);
			fuzz_attach(p, cmd[2] % 2, mac);
			break;
		case 2:
			l2switch_port_detach(&p->port);
			fuzz_promise(p->port.sw == NULL);
			if (p->sw >= 0) {
				model_resume_waiting_for((unsigned int)(p - ports));
				p->quiet_until_ns = 0;
				if (p->waiting_for >= 0)
					model_stop_waiting(p);
			}
			p->waiting_for = -1;
			p->sw = -1;
			break;
		default:
			p->full = cmd[2] & 1;
			if (cmd[2] & 2) {
				l2switch_port_rx_ready(&p->port);
				if (p->sw >= 0)
					model_resume_waiting_for((unsigned int)(p - ports));
			}
			if (cmd[2] & 4) {
				bool gave_up = cmd[2] & 8;

				l2switch_port_stop_waiting(&p->port, gave_up);
				if (p->sw >= 0 && p->waiting_for >= 0) {
					if (gave_up)
						ports[p->waiting_for].quiet_until_ns =
							time_now_ns() + L2SWITCH_WAIT_QUIET_NS;
					model_stop_waiting(p);
				}
			}
			if (cmd[2] & 16)
				host_counter_set(arch_counter_read() + 2 * arch_counter_freq());
			break;
		}
		fuzz_check_listing();
		fuzz_check_waiting();
	}
	return 0;
}
