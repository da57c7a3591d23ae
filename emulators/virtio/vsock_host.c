/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The connections Keel opens to guests (`vsock send`) and what `vsock
 * list` shows (vsock_core.h): Keel's end of a stream with its own buffer
 * and credit, driven by the shell with vsock_lock taken per call.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <lib/format.h>
#include <string.h>

#include "vsock_core.h"

bool vsock_device_info_at(unsigned int index, struct vsock_device_info *info)
{
	unsigned long flags = spin_lock_irqsave(&vsock_lock);
	struct vsock_device *d = vsock_devices;

	while (d && index--)
		d = d->next;
	if (d) {
		memset(info, 0, sizeof(*info));
		fmt_snprintf(info->guest, sizeof(info->guest), "%s", d->guest->name);
		fmt_snprintf(info->device, sizeof(info->device), "%s", d->name);
		info->cid = d->cid;
		info->refused_device = d->refused_device;
		info->refused_guest = d->refused_guest;
		info->refused_global = d->refused_global;
		for (unsigned int i = 0; i < VSOCK_CONN_MAX; i++) {
			const struct vsock_conn *c = &d->conns[i];
			struct vsock_conn_info *ci = &info->conns[info->conn_count];

			if (c->state == VSOCK_CONN_FREE)
				continue;
			ci->state = c->state;
			ci->kind = c->kind;
			ci->local_port = c->local_port;
			ci->peer_cid = c->peer_cid;
			ci->peer_port = c->peer_port;
			ci->bytes_from_guest = c->bytes_from_guest;
			ci->bytes_to_guest = c->bytes_to_guest;
			info->conn_count++;
		}
	}
	spin_unlock_irqrestore(&vsock_lock, flags);
	return d != NULL;
}

/* Lock held. The shell's connection c names, or NULL when it is gone. */
static struct vsock_conn *vsock_host_find(const struct vsock_host_conn *hc,
					  struct vsock_device **dp)
{
	struct vsock_device *d = vsock_device_find(hc->cid);
	struct vsock_conn *c;

	if (!d)
		return NULL;
	c = vsock_conn_find(d, hc->local_port, VSOCK_CID_HOST, hc->host_port);
	if (!c || c->kind != VSOCK_CONN_SHELL)
		return NULL;
	*dp = d;
	return c;
}

int vsock_host_connect(const char *guest_name, uint32_t port, struct vsock_host_conn *hc)
{
	unsigned long flags = spin_lock_irqsave(&vsock_lock);
	struct vsock_device *d;
	struct vsock_conn *c = NULL;
	int ret = -KEEL_ENOENT;

	for (d = vsock_devices; d; d = d->next)
		if (!strcmp(d->guest->name, guest_name))
			break;
	if (d) {
		uint32_t host_port = VSOCK_HOST_PORT_FIRST + d->next_host_port++ % 16384;

		ret = -KEEL_ENOSPC;
		c = vsock_conn_new(d, VSOCK_CONN_SHELL, port, VSOCK_CID_HOST, host_port);
	}
	if (c) {
		ret = -KEEL_EBUSY;
		if (vsock_send_host(d, c, VSOCK_OP_REQUEST, 0, NULL, 0)) {
			hc->cid = d->cid;
			hc->local_port = port;
			hc->host_port = c->peer_port;
			ret = 0;
		} else {
			c->state = VSOCK_CONN_FREE;
		}
	}
	spin_unlock_irqrestore(&vsock_lock, flags);
	return ret;
}

enum vsock_conn_state vsock_host_state(const struct vsock_host_conn *hc)
{
	unsigned long flags = spin_lock_irqsave(&vsock_lock);
	struct vsock_device *d;
	struct vsock_conn *c = vsock_host_find(hc, &d);
	enum vsock_conn_state state = c ? c->state : VSOCK_CONN_FREE;

	spin_unlock_irqrestore(&vsock_lock, flags);
	return state;
}

long vsock_host_send(const struct vsock_host_conn *hc, const void *buf, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&vsock_lock);
	struct vsock_device *d;
	struct vsock_conn *c = vsock_host_find(hc, &d);
	long sent = -KEEL_ENOENT;

	if (c && c->state == VSOCK_CONN_CONNECTED) {
		uint32_t in_flight = c->tx_cnt - c->peer_fwd_cnt;
		uint32_t credit = c->peer_buf_alloc > in_flight ? c->peer_buf_alloc - in_flight : 0;
		uint32_t n = (uint32_t)MIN(MIN((uint64_t)len, (uint64_t)credit),
					   (uint64_t)VSOCK_PACKET_DATA);

		sent = 0;
		if (n && vsock_send_host(d, c, VSOCK_OP_RW, 0, buf, n)) {
			c->tx_cnt += n;
			c->bytes_to_guest += n;
			sent = n;
		}
	} else if (c) {
		sent = -KEEL_EIO;
	}
	spin_unlock_irqrestore(&vsock_lock, flags);
	return sent;
}

long vsock_host_receive(const struct vsock_host_conn *hc, void *buf, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&vsock_lock);
	struct vsock_device *d;
	struct vsock_conn *c = vsock_host_find(hc, &d);
	long got = -KEEL_ENOENT;

	if (c) {
		uint32_t n = (uint32_t)MIN((uint64_t)len, (uint64_t)c->data_len);

		memcpy(buf, c->data, n);
		c->data_len -= n;
		memmove(c->data, c->data + n, c->data_len);
		c->fwd_cnt += n;
		got = n;
		/* Tell the guest once half of Keel's buffer was freed. */
		if (c->state == VSOCK_CONN_CONNECTED &&
		    c->fwd_cnt - c->fwd_cnt_announced >= VSOCK_HOST_BUF / 2)
			vsock_send_host(d, c, VSOCK_OP_CREDIT_UPDATE, 0, NULL, 0);
	}
	spin_unlock_irqrestore(&vsock_lock, flags);
	return got;
}

void vsock_host_close(const struct vsock_host_conn *hc)
{
	unsigned long flags = spin_lock_irqsave(&vsock_lock);
	struct vsock_device *d;
	struct vsock_conn *c = vsock_host_find(hc, &d);

	if (c) {
		/* SHUTDOWN both ways then RST: Keel does not wait for the
		 * guest's RST, so the connection is gone for both at once. A
		 * connection never made only gets the RST. */
		if (c->state != VSOCK_CONN_CONNECTING)
			vsock_send_host(d, c, VSOCK_OP_SHUTDOWN,
					VSOCK_SHUTDOWN_RECEIVE | VSOCK_SHUTDOWN_SEND, NULL, 0);
		vsock_send_host(d, c, VSOCK_OP_RST, 0, NULL, 0);
		c->state = VSOCK_CONN_FREE;
	}
	spin_unlock_irqrestore(&vsock_lock, flags);
}
