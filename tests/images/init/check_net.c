/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-net: eth0 carries keel.ip, and keel.peer answers ICMP echo
 * requests. The peer guest boots at the same time as this one, so requests
 * go out once a second for up to PEER_WAIT_SECONDS before the check FAILs.
 * A raw socket is used because Linux's unprivileged ICMP sockets are off
 * by default (net.ipv4.ping_group_range).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "init.h"

#define PING_INTERVAL_S 1.0
#define PING_PAYLOAD "keel virtio-net check"

/* The Internet checksum (RFC 1071) over an even number of bytes. */
static uint16_t icmp_checksum(const void *data, size_t len)
{
	const uint16_t *words = data;
	uint32_t sum = 0;

	for (size_t i = 0; i < len / 2; i++)
		sum += words[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

struct ping_packet {
	struct icmphdr header;
	char payload[sizeof(PING_PAYLOAD) + 1];	/* even length for the checksum */
};

static int ping_send(int fd, const struct in_addr *to, uint16_t id, uint16_t seq)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr = *to };
	struct ping_packet pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.header.type = ICMP_ECHO;
	pkt.header.un.echo.id = htons(id);
	pkt.header.un.echo.sequence = htons(seq);
	memcpy(pkt.payload, PING_PAYLOAD, sizeof(PING_PAYLOAD));
	pkt.header.checksum = icmp_checksum(&pkt, sizeof(pkt));
	if (sendto(fd, &pkt, sizeof(pkt), 0, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return -errno;
	return 0;
}

/* True if the datagram (IP header included) is the peer's reply to us. */
static bool ping_is_reply(const unsigned char *buf, ssize_t len, const struct in_addr *from,
			  uint16_t id, uint16_t *seq)
{
	const struct iphdr *ip = (const struct iphdr *)buf;
	const struct icmphdr *icmp;
	size_t ip_len;

	if (len < (ssize_t)sizeof(*ip))
		return false;
	ip_len = (size_t)ip->ihl * 4;
	if ((size_t)len < ip_len + sizeof(*icmp) || ip->saddr != from->s_addr)
		return false;
	icmp = (const struct icmphdr *)(buf + ip_len);
	if (icmp->type != ICMP_ECHOREPLY || ntohs(icmp->un.echo.id) != id)
		return false;
	*seq = ntohs(icmp->un.echo.sequence);
	return true;
}

enum check_result check_virtio_net(const struct params *p, char *detail, size_t size)
{
	char ip[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN];
	double start = time_now(), deadline = start + PEER_WAIT_SECONDS, next_send = start;
	uint16_t id = (uint16_t)getpid(), sent = 0, seq;
	struct in_addr addr;
	int fd, err, last_send_err = 0;

	if (!p->has_peer)
		return check_skip(detail, size, "no keel.peer on the kernel command line");
	if (!p->has_ip)
		return check_fail(detail, size, "no keel.ip on the kernel command line");
	inet_ntop(AF_INET, &p->ip, ip, sizeof(ip));
	inet_ntop(AF_INET, &p->peer, peer, sizeof(peer));
	err = netconfig_get_address("eth0", &addr);
	if (err)
		return check_fail(detail, size, "eth0 has no IPv4 address: %s", strerror(-err));
	if (addr.s_addr != p->ip.s_addr) {
		char have[INET_ADDRSTRLEN];

		return check_fail(detail, size, "eth0 has %s, keel.ip is %s",
				  inet_ntop(AF_INET, &addr, have, sizeof(have)), ip);
	}

	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0)
		return check_fail(detail, size, "raw ICMP socket: %m");
	while (time_now() < deadline) {
		unsigned char buf[512];
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double wait_until;
		ssize_t n;

		if (time_now() >= next_send) {
			/* Errors (no ARP answer yet) just mean "try again". */
			err = ping_send(fd, &p->peer, id, ++sent);
			if (err)
				last_send_err = -err;
			next_send = time_now() + PING_INTERVAL_S;
		}
		wait_until = next_send < deadline ? next_send : deadline;
		if (poll(&pfd, 1, time_left_ms(wait_until)) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (ping_is_reply(buf, n, &p->peer, id, &seq)) {
			close(fd);
			return check_pass(detail, size,
					  "eth0 %s/24; %s answered echo request %u, %.1f s after the first",
					  ip, peer, seq, time_now() - start);
		}
	}
	close(fd);
	if (last_send_err)
		return check_fail(detail, size, "no echo reply from %s in %d s (%u sent from %s; last send error: %s)",
				  peer, PEER_WAIT_SECONDS, sent, ip, strerror(last_send_err));
	return check_fail(detail, size, "no echo reply from %s in %d s (%u sent from %s)", peer,
			  PEER_WAIT_SECONDS, sent, ip);
}
