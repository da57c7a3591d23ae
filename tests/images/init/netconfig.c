/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interface configuration with the classic socket ioctls (SIOCSIFADDR,
 * SIOCSIFNETMASK, SIOCSIFFLAGS): they need no netlink code and no busybox,
 * and bringing an interface up with an address also gives it the route to
 * its /24. Bringing "lo" up makes the kernel add 127.0.0.1 by itself.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "init.h"

#define NETCONFIG_NETMASK 0xffffff00U	/* /24: guests share one switch */

static void netconfig_set_name(struct ifreq *req, const char *ifname)
{
	memset(req, 0, sizeof(*req));
	strncpy(req->ifr_name, ifname, IFNAMSIZ - 1);
}

static int netconfig_set_inet(int fd, const char *ifname, unsigned long request,
			      struct in_addr value)
{
	struct ifreq req;
	struct sockaddr_in *sin = (struct sockaddr_in *)&req.ifr_addr;

	netconfig_set_name(&req, ifname);
	sin->sin_family = AF_INET;
	sin->sin_addr = value;
	return ioctl(fd, request, &req) ? -errno : 0;
}

int netconfig_up(const char *ifname, const struct in_addr *addr)
{
	struct in_addr mask = { .s_addr = htonl(NETCONFIG_NETMASK) };
	struct ifreq req;
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The mask after the address: setting an address resets the mask. */
	if (addr) {
		err = netconfig_set_inet(fd, ifname, SIOCSIFADDR, *addr);
		if (!err)
			err = netconfig_set_inet(fd, ifname, SIOCSIFNETMASK, mask);
	}
	netconfig_set_name(&req, ifname);
	if (!err && ioctl(fd, SIOCGIFFLAGS, &req))
		err = -errno;
	if (!err) {
		req.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(fd, SIOCSIFFLAGS, &req))
			err = -errno;
	}
	close(fd);
	return err;
}

int netconfig_get_address(const char *ifname, struct in_addr *addr)
{
	struct ifreq req;
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	netconfig_set_name(&req, ifname);
	if (ioctl(fd, SIOCGIFADDR, &req))
		err = -errno;
	else
		*addr = ((struct sockaddr_in *)&req.ifr_addr)->sin_addr;
	close(fd);
	return err;
}
