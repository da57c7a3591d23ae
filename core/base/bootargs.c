/* SPDX-License-Identifier: GPL-2.0-only */
/* Finds Keel's key=value options in the boot command line. */
#include <keel/bootargs.h>
#include <keel/errno.h>
#include <string.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Start of the word that is `key=` exactly, or NULL. */
static const char *find_key(const char *cmdline, const char *key)
{
	size_t key_len = strlen(key);
	const char *p = cmdline;
	bool quoted = false;

	while (*p) {
		while (is_space(*p))
			p++;
		if (strncmp(p, key, key_len) == 0 && p[key_len] == '=')
			return p + key_len + 1;
		/* Skip this word, quotes included. */
		for (; *p && (quoted || !is_space(*p)); p++) {
			if (*p == '\\' && quoted && p[1])
				p++;
			else if (*p == '"')
				quoted = !quoted;
		}
	}
	return NULL;
}

int bootargs_get(const char *cmdline, const char *key, char *out, size_t size)
{
	const char *p;
	size_t n = 0;
	bool quoted = false;

	if (!cmdline || !(p = find_key(cmdline, key)))
		return -KEEL_ENOENT;
	for (; *p && (quoted || !is_space(*p)); p++) {
		char c = *p;

		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (c == '\\' && quoted && (p[1] == '"' || p[1] == '\\'))
			c = *++p;
		if (n + 1 >= size)
			return -KEEL_E2BIG;
		out[n++] = c;
	}
	if (quoted)
		return -KEEL_EINVAL;
	if (size)
		out[n] = '\0';
	return (int)n;
}
