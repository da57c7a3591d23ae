/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The L2 switch (keel/l2switch.h). Switches live in a fixed table so that
 * the switch needs no allocator; the address table is the list of ports
 * (at most L2SWITCH_MAX_PORTS), searched linearly, which costs less than
 * the copy of the frame it decides about.
 */
#include <keel/errno.h>
#include <keel/l2switch.h>
#include <keel/log.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <lib/format.h>
#include <string.h>

struct l2switch {
	bool used;                       /* registry lock */
	char name[L2SWITCH_NAME_MAX];
	spinlock_t lock;
	struct list_head ports;
	unsigned int port_count;
};

static spinlock_t l2switch_registry_lock = SPINLOCK_INIT;
static struct l2switch l2switches[L2SWITCH_MAX];

#define MAC_FMT "%02x:%02x:%02x:%02x:%02x:%02x"
#define MAC_ARGS(m) (m)[0], (m)[1], (m)[2], (m)[3], (m)[4], (m)[5]

bool l2switch_name_valid(const char *name)
{
	size_t len = strnlen(name, L2SWITCH_NAME_MAX);

	return len > 0 && len < L2SWITCH_NAME_MAX;
}

static bool l2switch_mac_is_group(const uint8_t *mac)
{
	return mac[0] & 1;
}

static bool l2switch_mac_is_zero(const uint8_t *mac)
{
	return !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

/* Registry lock held. */
static struct l2switch *l2switch_find_or_make(const char *name)
{
	struct l2switch *free_slot = NULL;

	for (unsigned int i = 0; i < L2SWITCH_MAX; i++) {
		struct l2switch *sw = &l2switches[i];

		if (sw->used && !strcmp(sw->name, name))
			return sw;
		if (!sw->used && !free_slot)
			free_slot = sw;
	}
	if (!free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	memcpy(free_slot->name, name, strlen(name) + 1);
	free_slot->lock = (spinlock_t)SPINLOCK_INIT;
	list_init(&free_slot->ports);
	return free_slot;
}

/* Switch lock held. The attached port whose address is mac, or NULL. */
static struct l2switch_port *l2switch_port_by_mac(struct l2switch *sw, const uint8_t *mac)
{
	struct l2switch_port *port;

	list_for_each_entry(port, &sw->ports, node)
		if (!memcmp(port->mac, mac, L2SWITCH_MAC_LEN))
			return port;
	return NULL;
}

/* Switch lock held. Whether port may join sw: 0 or the error. */
static int l2switch_check_room(struct l2switch *sw, const struct l2switch_port *port)
{
	const struct l2switch_port *other;
	unsigned int same_group = 0;

	if (sw->port_count >= L2SWITCH_MAX_PORTS)
		return -KEEL_ENOSPC;
	if (l2switch_port_by_mac(sw, port->mac))
		return -KEEL_EEXIST;
	list_for_each_entry(other, &sw->ports, node)
		same_group += port->group && other->group == port->group;
	return same_group >= L2SWITCH_GROUP_PORTS ? -KEEL_ENOSPC : 0;
}

int l2switch_port_attach(const char *name, struct l2switch_port *port)
{
	struct l2switch *sw;
	unsigned long flags, sw_flags;
	int ret;

	if (!l2switch_name_valid(name) || !port->deliver || port->sw ||
	    l2switch_mac_is_group(port->mac) || l2switch_mac_is_zero(port->mac))
		return -KEEL_EINVAL;
	flags = spin_lock_irqsave(&l2switch_registry_lock);
	sw = l2switch_find_or_make(name);
	if (!sw) {
		ret = -KEEL_ENOSPC;
		goto out;
	}
	sw_flags = spin_lock_irqsave(&sw->lock);
	ret = l2switch_check_room(sw, port);
	if (!ret) {
		list_add_tail(&port->node, &sw->ports);
		sw->port_count++;
		port->sw = sw;
		port->waiting_for = NULL;
		WRITE_ONCE(port->awaited, false);
	}
	spin_unlock_irqrestore(&sw->lock, sw_flags);
	if (!sw->port_count)
		sw->used = false;   /* no switch without ports */
out:
	spin_unlock_irqrestore(&l2switch_registry_lock, flags);
	return ret;
}

/* Switch lock held. port waits for no one; the port it waited for is
 * awaited only while someone else still waits for it. */
/* Switch lock held. port stops waiting: the time it waited is charged to
 * the port it waited for, which no sender waits for again for a while once
 * senders spent L2SWITCH_WAIT_BUDGET_NS on it within a window of
 * L2SWITCH_WAIT_QUIET_NS: a receiver that drains slowly on purpose cannot
 * hold its senders' traffic back for more than that. */
static void l2switch_charge_wait(struct l2switch_port *port)
{
	struct l2switch_port *to = port->waiting_for;
	uint64_t now = time_now_ns();

	if (now - to->wait_window_ns >= L2SWITCH_WAIT_QUIET_NS) {
		to->wait_window_ns = now;
		to->wait_spent_ns = 0;
	}
	to->wait_spent_ns += now - port->wait_since_ns;
	if (to->wait_spent_ns >= L2SWITCH_WAIT_BUDGET_NS)
		to->quiet_until_ns = now + L2SWITCH_WAIT_QUIET_NS;
	port->waiting_for = NULL;
}

static void l2switch_unwait(struct l2switch *sw, struct l2switch_port *port)
{
	struct l2switch_port *to = port->waiting_for, *p;
	bool awaited = false;

	if (!to)
		return;
	l2switch_charge_wait(port);
	list_for_each_entry(p, &sw->ports, node)
		awaited |= p->waiting_for == to;
	WRITE_ONCE(to->awaited, awaited);
}

/* Switch lock held. Every sender waiting for port resumes. */
static void l2switch_resume_waiting_for(struct l2switch *sw, struct l2switch_port *port)
{
	struct l2switch_port *p;

	WRITE_ONCE(port->awaited, false);
	list_for_each_entry(p, &sw->ports, node) {
		if (p->waiting_for == port) {
			l2switch_charge_wait(p);
			p->resume(p);
		}
	}
}

void l2switch_port_detach(struct l2switch_port *port)
{
	struct l2switch *sw = port->sw;
	unsigned long flags, sw_flags;

	if (!sw)
		return;
	flags = spin_lock_irqsave(&l2switch_registry_lock);
	sw_flags = spin_lock_irqsave(&sw->lock);
	list_del(&port->node);
	sw->port_count--;
	port->sw = NULL;
	/* Whoever waits for it sends again (and finds no destination). */
	l2switch_resume_waiting_for(sw, port);
	l2switch_unwait(sw, port);
	port->quiet_until_ns = 0;
	spin_unlock_irqrestore(&sw->lock, sw_flags);
	if (!sw->port_count)
		sw->used = false;
	spin_unlock_irqrestore(&l2switch_registry_lock, flags);
}

/* Switch lock held. Counts what deliver() did with a frame for to. */
static void l2switch_count_delivery(struct l2switch_port *to, enum l2switch_delivery d,
				    size_t len)
{
	if (d == L2SWITCH_TAKEN) {
		to->stats.rx_frames++;
		to->stats.rx_bytes += len;
	} else {
		to->stats.rx_full++;
	}
}

/* Switch lock held. Whether port may wait for to now. */
static bool l2switch_may_wait(const struct l2switch_port *port, const struct l2switch_port *to)
{
	return port->resume && (!port->waiting_for || port->waiting_for == to) &&
	       (!to->quiet_until_ns || time_now_ns() >= to->quiet_until_ns);
}

/* Switch lock held. Forwards a well-formed frame from port by its
 * destination; a unicast one to a FULL port waits when wait allows. */
static enum l2switch_verdict l2switch_switch(struct l2switch *sw, struct l2switch_port *port,
					     const uint8_t *frame, size_t len, bool wait)
{
	struct l2switch_port *to;
	enum l2switch_delivery d;

	if (l2switch_mac_is_group(frame)) {
		list_for_each_entry(to, &sw->ports, node)
			if (to != port)
				l2switch_count_delivery(to, to->deliver(to, frame, len), len);
		return L2SWITCH_FORWARDED;
	}
	to = l2switch_port_by_mac(sw, frame);
	if (!to || to == port) {
		port->stats.tx_no_dest++;
		return L2SWITCH_NO_DEST;
	}
	d = to->deliver(to, frame, len);
	if (d == L2SWITCH_FULL && wait && l2switch_may_wait(port, to)) {
		if (!port->waiting_for)
			port->wait_since_ns = time_now_ns();
		port->waiting_for = to;
		WRITE_ONCE(to->awaited, true);
		return L2SWITCH_WAIT;
	}
	l2switch_count_delivery(to, d, len);
	return L2SWITCH_FORWARDED;
}

/* What a rate-limited message about a sender's drop says, gathered under
 * the switch lock and logged after it. */
struct l2switch_drop_report {
	char switch_name[L2SWITCH_NAME_MAX];
	char label[L2SWITCH_LABEL_MAX];
	uint8_t source[L2SWITCH_MAC_LEN];
	uint8_t own[L2SWITCH_MAC_LEN];
	size_t len;
	uint64_t count;
	uint64_t suppressed;
};

static void l2switch_log_drop(enum l2switch_verdict verdict, const struct l2switch_drop_report *r)
{
	char more[48] = "";

	if (r->suppressed)
		fmt_snprintf(more, sizeof(more), " (%llu more drops not logged)",
			     (unsigned long long)r->suppressed);
	if (verdict == L2SWITCH_SPOOFED)
		log_warn("switch %pE: port %pE sent a frame from " MAC_FMT
			 ", not its own address " MAC_FMT "; dropped (spoofed: %llu so far)%s",
			 r->switch_name, r->label, MAC_ARGS(r->source), MAC_ARGS(r->own),
			 (unsigned long long)r->count, more);
	else
		log_warn("switch %pE: port %pE sent a frame of %zu bytes, outside %u..%u; dropped (malformed: %llu so far)%s",
			 r->switch_name, r->label, r->len, L2SWITCH_FRAME_MIN, L2SWITCH_FRAME_MAX,
			 (unsigned long long)r->count, more);
}

static enum l2switch_verdict l2switch_forward_how(struct l2switch_port *port, const void *frame,
						  size_t len, bool wait)
{
	struct l2switch *sw = port->sw;
	const uint8_t *bytes = frame;
	struct l2switch_drop_report report;
	enum l2switch_verdict verdict;
	bool log = false;
	unsigned long flags;

	if (!sw)
		return L2SWITCH_DETACHED;
	flags = spin_lock_irqsave(&sw->lock);
	if (len < L2SWITCH_FRAME_MIN || len > L2SWITCH_FRAME_MAX) {
		verdict = L2SWITCH_MALFORMED;
		report.count = ++port->stats.tx_malformed;
	} else if (memcmp(bytes + L2SWITCH_MAC_LEN, port->mac, L2SWITCH_MAC_LEN)) {
		/* Only the port's own address: a guest takes over no
		 * neighbour's traffic and teaches the switch nothing. */
		verdict = L2SWITCH_SPOOFED;
		report.count = ++port->stats.tx_spoofed;
		memcpy(report.source, bytes + L2SWITCH_MAC_LEN, L2SWITCH_MAC_LEN);
	} else {
		verdict = l2switch_switch(sw, port, bytes, len, wait);
		if (verdict != L2SWITCH_WAIT) {
			port->stats.tx_frames++;
			port->stats.tx_bytes += len;
		}
	}
	if (verdict == L2SWITCH_MALFORMED || verdict == L2SWITCH_SPOOFED) {
		log = log_ratelimit_allow(&port->drop_log, time_now_ns(), &report.suppressed);
		if (log) {
			memcpy(report.switch_name, sw->name, sizeof(report.switch_name));
			memcpy(report.label, port->label, sizeof(report.label));
			report.label[L2SWITCH_LABEL_MAX - 1] = '\0';
			memcpy(report.own, port->mac, L2SWITCH_MAC_LEN);
			report.len = len;
		}
	}
	spin_unlock_irqrestore(&sw->lock, flags);
	if (log)
		l2switch_log_drop(verdict, &report);
	return verdict;
}

enum l2switch_verdict l2switch_forward(struct l2switch_port *port, const void *frame, size_t len)
{
	return l2switch_forward_how(port, frame, len, false);
}

enum l2switch_verdict l2switch_forward_wait(struct l2switch_port *port, const void *frame,
					    size_t len)
{
	return l2switch_forward_how(port, frame, len, true);
}

void l2switch_port_rx_ready(struct l2switch_port *port)
{
	struct l2switch *sw = READ_ONCE(port->sw);
	unsigned long flags;

	/* Under the lock even when no one seems to wait: a sender that found
	 * port FULL just before its owner posted buffers marks itself
	 * waiting under the lock, and must be seen here, or it waits for a
	 * notify that already came. */
	if (!sw)
		return;
	flags = spin_lock_irqsave(&sw->lock);
	if (port->sw == sw && port->awaited)
		l2switch_resume_waiting_for(sw, port);
	spin_unlock_irqrestore(&sw->lock, flags);
}

void l2switch_port_stop_waiting(struct l2switch_port *port, bool gave_up)
{
	struct l2switch *sw = port->sw;
	unsigned long flags;

	if (!sw)
		return;
	flags = spin_lock_irqsave(&sw->lock);
	if (port->waiting_for && gave_up)
		port->waiting_for->quiet_until_ns = time_now_ns() + L2SWITCH_WAIT_QUIET_NS;
	l2switch_unwait(sw, port);
	spin_unlock_irqrestore(&sw->lock, flags);
}

bool l2switch_send(struct l2switch_port *port, const void *frame, size_t len)
{
	return l2switch_forward(port, frame, len) != L2SWITCH_DETACHED;
}

void l2switch_port_count_drop(struct l2switch_port *port)
{
	struct l2switch *sw = port->sw;
	unsigned long flags;

	if (!sw)
		return;
	flags = spin_lock_irqsave(&sw->lock);
	port->stats.tx_malformed++;
	spin_unlock_irqrestore(&sw->lock, flags);
}

bool l2switch_info_at(unsigned int index, struct l2switch_info *info)
{
	unsigned long flags, sw_flags;
	unsigned int seen = 0;
	bool found = false;

	flags = spin_lock_irqsave(&l2switch_registry_lock);
	for (unsigned int i = 0; i < L2SWITCH_MAX && !found; i++) {
		struct l2switch *sw = &l2switches[i];
		struct l2switch_port *port;
		unsigned int p = 0;

		if (!sw->used || seen++ != index)
			continue;
		found = true;
		memset(info, 0, sizeof(*info));
		memcpy(info->name, sw->name, sizeof(info->name));
		sw_flags = spin_lock_irqsave(&sw->lock);
		list_for_each_entry(port, &sw->ports, node) {
			if (p >= L2SWITCH_MAX_PORTS)
				break;
			memcpy(info->ports[p].label, port->label, sizeof(port->label));
			info->ports[p].label[L2SWITCH_LABEL_MAX - 1] = '\0';
			memcpy(info->ports[p].mac, port->mac, L2SWITCH_MAC_LEN);
			info->ports[p].stats = port->stats;
			p++;
		}
		info->port_count = p;
		spin_unlock_irqrestore(&sw->lock, sw_flags);
	}
	spin_unlock_irqrestore(&l2switch_registry_lock, flags);
	return found;
}
