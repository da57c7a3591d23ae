/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The L2 learning switch (lib/l2switch.h). Switches live in a fixed table
 * so that the library needs no allocator; the MAC table is searched
 * linearly, which at L2SWITCH_MAC_ENTRIES entries costs less than the copy
 * of the frame it decides about.
 */
#include <keel/errno.h>
#include <keel/spinlock.h>
#include <lib/l2switch.h>
#include <string.h>

struct l2switch_mac {
	uint8_t mac[L2SWITCH_MAC_LEN];
	bool valid;
	struct l2switch_port *port;
	uint64_t last_seen;              /* the switch's clock when seen */
};

struct l2switch {
	bool used;                       /* registry lock */
	char name[L2SWITCH_NAME_MAX];
	spinlock_t lock;
	struct list_head ports;
	unsigned int port_count;
	uint64_t clock;                  /* counts learned frames */
	struct l2switch_mac macs[L2SWITCH_MAC_ENTRIES];
};

static spinlock_t l2switch_registry_lock = SPINLOCK_INIT;
static struct l2switch l2switches[L2SWITCH_MAX];

bool l2switch_name_valid(const char *name)
{
	size_t len = strnlen(name, L2SWITCH_NAME_MAX);

	return len > 0 && len < L2SWITCH_NAME_MAX;
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

int l2switch_port_attach(const char *name, struct l2switch_port *port)
{
	struct l2switch *sw;
	unsigned long flags, sw_flags;
	int ret = 0;

	if (!l2switch_name_valid(name) || !port->deliver || port->sw)
		return -KEEL_EINVAL;
	flags = spin_lock_irqsave(&l2switch_registry_lock);
	sw = l2switch_find_or_make(name);
	if (!sw) {
		ret = -KEEL_ENOSPC;
		goto out;
	}
	sw_flags = spin_lock_irqsave(&sw->lock);
	if (sw->port_count >= L2SWITCH_MAX_PORTS) {
		ret = -KEEL_ENOSPC;
	} else {
		list_add_tail(&port->node, &sw->ports);
		sw->port_count++;
		port->sw = sw;
	}
	spin_unlock_irqrestore(&sw->lock, sw_flags);
	if (!sw->port_count)
		sw->used = false;   /* no switch without ports */
out:
	spin_unlock_irqrestore(&l2switch_registry_lock, flags);
	return ret;
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
	for (unsigned int i = 0; i < L2SWITCH_MAC_ENTRIES; i++)
		if (sw->macs[i].valid && sw->macs[i].port == port)
			sw->macs[i].valid = false;
	spin_unlock_irqrestore(&sw->lock, sw_flags);
	if (!sw->port_count)
		sw->used = false;
	spin_unlock_irqrestore(&l2switch_registry_lock, flags);
}

/* Switch lock held. The entry for mac, or NULL. */
static struct l2switch_mac *l2switch_lookup(struct l2switch *sw, const uint8_t *mac)
{
	for (unsigned int i = 0; i < L2SWITCH_MAC_ENTRIES; i++)
		if (sw->macs[i].valid && !memcmp(sw->macs[i].mac, mac, L2SWITCH_MAC_LEN))
			return &sw->macs[i];
	return NULL;
}

/* Switch lock held. Remembers that mac is behind port; a full table
 * gives up its least recently seen entry. */
static void l2switch_learn(struct l2switch *sw, const uint8_t *mac, struct l2switch_port *port)
{
	struct l2switch_mac *entry = l2switch_lookup(sw, mac);

	if (!entry) {
		entry = &sw->macs[0];
		for (unsigned int i = 0; i < L2SWITCH_MAC_ENTRIES; i++) {
			struct l2switch_mac *m = &sw->macs[i];

			if (!m->valid) {
				entry = m;
				break;
			}
			if (m->last_seen < entry->last_seen)
				entry = m;
		}
		memcpy(entry->mac, mac, L2SWITCH_MAC_LEN);
		entry->valid = true;
	}
	entry->port = port;   /* an address may move to another port */
	entry->last_seen = ++sw->clock;
}

/* Switch lock held. */
static void l2switch_deliver(struct l2switch_port *to, const void *frame, size_t len)
{
	if (to->deliver(to, frame, len)) {
		to->stats.rx_frames++;
		to->stats.rx_bytes += len;
	} else {
		to->stats.rx_drops++;
	}
}

bool l2switch_send(struct l2switch_port *port, const void *frame, size_t len)
{
	struct l2switch *sw = port->sw;
	const uint8_t *bytes = frame;
	struct l2switch_mac *dst;
	struct l2switch_port *to;
	unsigned long flags;

	if (!sw)
		return false;
	flags = spin_lock_irqsave(&sw->lock);
	if (len < L2SWITCH_FRAME_MIN || len > L2SWITCH_FRAME_MAX) {
		port->stats.tx_drops++;
		spin_unlock_irqrestore(&sw->lock, flags);
		return false;
	}
	port->stats.tx_frames++;
	port->stats.tx_bytes += len;
	/* A group address as source is bogus: never learned. */
	if (!(bytes[L2SWITCH_MAC_LEN] & 1))
		l2switch_learn(sw, bytes + L2SWITCH_MAC_LEN, port);
	dst = (bytes[0] & 1) ? NULL : l2switch_lookup(sw, bytes);
	if (dst) {
		/* To a station on the sender's own segment: nothing to do. */
		if (dst->port != port)
			l2switch_deliver(dst->port, frame, len);
	} else {
		list_for_each_entry(to, &sw->ports, node)
			if (to != port)
				l2switch_deliver(to, frame, len);
	}
	spin_unlock_irqrestore(&sw->lock, flags);
	return true;
}

void l2switch_port_count_drop(struct l2switch_port *port)
{
	struct l2switch *sw = port->sw;
	unsigned long flags;

	if (!sw)
		return;
	flags = spin_lock_irqsave(&sw->lock);
	port->stats.tx_drops++;
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
		for (unsigned int m = 0; m < L2SWITCH_MAC_ENTRIES; m++)
			info->mac_count += sw->macs[m].valid;
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
