/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The keel.* parameters. They are read from /proc/cmdline rather than from
 * argv or the environment because the kernel keeps parameters with a dot in
 * their name for itself (as module parameters) and does not pass them to
 * init; and keel-check, started from the shell, sees the same values.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"

static void params_copy(char *dst, size_t size, const char *key, const char *value)
{
	if (strlen(value) >= size)
		console_print("%s=%s: longer than %zu characters; cut", key, value, size - 1);
	snprintf(dst, size, "%s", value);
}

static bool params_parse_address(const char *key, const char *value, struct in_addr *addr)
{
	if (inet_pton(AF_INET, value, addr) == 1)
		return true;
	console_print("%s=%s: not an IPv4 address; ignored", key, value);
	return false;
}

static bool params_parse_cid(const char *key, const char *value, unsigned int *cid)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(value, &end, 0);
	/* CIDs 0-2 are the hypervisor's and the host's; -1U means "any". */
	if (errno || *end || end == value || n < 3 || n >= 0xffffffffUL) {
		console_print("%s=%s: not a guest vsock CID (3 or more); ignored", key, value);
		return false;
	}
	*cid = (unsigned int)n;
	return true;
}

static void params_parse_one(struct params *p, char *word)
{
	char *value = strchr(word, '=');

	if (strncmp(word, "keel.", 5) || !value)
		return;
	*value++ = '\0';
	if (!strcmp(word, "keel.name"))
		params_copy(p->name, sizeof(p->name), word, value);
	else if (!strcmp(word, "keel.mode"))
		params_copy(p->mode, sizeof(p->mode), word, value);
	else if (!strcmp(word, "keel.ip"))
		p->has_ip = params_parse_address(word, value, &p->ip);
	else if (!strcmp(word, "keel.peer"))
		p->has_peer = params_parse_address(word, value, &p->peer);
	else if (!strcmp(word, "keel.peer-cid"))
		p->has_peer_cid = params_parse_cid(word, value, &p->peer_cid);
	else
		console_print("%s: unknown parameter; ignored", word);
}

void params_read(struct params *p)
{
	char cmdline[4096], *word, *save;
	FILE *f;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "linux");
	f = fopen("/proc/cmdline", "re");
	if (!f) {
		console_print("/proc/cmdline: %m; using defaults");
		return;
	}
	if (!fgets(cmdline, sizeof(cmdline), f))
		cmdline[0] = '\0';
	fclose(f);
	for (word = strtok_r(cmdline, " \t\n", &save); word;
	     word = strtok_r(NULL, " \t\n", &save))
		params_parse_one(p, word);
}
