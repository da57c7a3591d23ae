/* SPDX-License-Identifier: GPL-2.0-only */
/* The backend URL parser: every scheme, sizes, and the messages. */
#include <keel/backend.h>
#include <keel/errno.h>
#include <string.h>
#include "unit.h"

static char err[256];

static int parse(const char *url, struct backend *b)
{
	return backend_parse(url, b, err, sizeof(err));
}

TEST(backend_parses_every_scheme)
{
	struct backend b;

	CHECK_EQ(parse("file:/images/disk.img", &b), 0);
	CHECK_EQ(b.type, BACKEND_FILE);
	CHECK_STR_EQ(b.name, "/images/disk.img");
	CHECK_STR_EQ(err, "");

	CHECK_EQ(parse("ram:64M", &b), 0);
	CHECK_EQ(b.type, BACKEND_RAM);
	CHECK_EQ(b.size, 64ULL << 20);
	CHECK_STR_EQ(b.name, "");

	CHECK_EQ(parse("hostdisk:vda", &b), 0);
	CHECK_EQ(b.type, BACKEND_HOSTDISK);
	CHECK_STR_EQ(b.name, "vda");
	CHECK(!b.has_window);
	CHECK_EQ(parse("hostdisk:nvme0-p1@1M+64M", &b), 0);
	CHECK_STR_EQ(b.name, "nvme0-p1");
	CHECK(b.has_window);
	CHECK_EQ(b.offset, 1ULL << 20);
	CHECK_EQ(b.size, 64ULL << 20);

	CHECK_EQ(parse("switch:br0", &b), 0);
	CHECK_EQ(b.type, BACKEND_SWITCH);
	CHECK_STR_EQ(b.name, "br0");

	CHECK_EQ(parse("console:hvc0", &b), 0);
	CHECK_EQ(b.type, BACKEND_CONSOLE);
	CHECK_STR_EQ(b.name, "hvc0");

	CHECK_EQ(parse("entropy:", &b), 0);
	CHECK_EQ(b.type, BACKEND_ENTROPY);

	CHECK_STR_EQ(backend_type_name(BACKEND_HOSTDISK), "hostdisk");
	CHECK_STR_EQ(backend_type_name(BACKEND_TYPE_COUNT), "?");
}

TEST(backend_sizes)
{
	uint64_t v;

	CHECK_EQ(backend_parse_size("512", 3, &v), 0);
	CHECK_EQ(v, 512);
	CHECK_EQ(backend_parse_size("4k", 2, &v), 0);
	CHECK_EQ(v, 4096);
	CHECK_EQ(backend_parse_size("2G", 2, &v), 0);
	CHECK_EQ(v, 2ULL << 30);
	CHECK_EQ(backend_parse_size("0x1000", 6, &v), 0);
	CHECK_EQ(v, 0x1000);
	CHECK_EQ(backend_parse_size("0x10M", 5, &v), 0);
	CHECK_EQ(v, 16ULL << 20);
	CHECK_EQ(backend_parse_size("18446744073709551615", 20, &v), 0);
	CHECK_EQ(v, UINT64_MAX);
	/* Only the given length is read: "64" of "64M". */
	CHECK_EQ(backend_parse_size("64M", 2, &v), 0);
	CHECK_EQ(v, 64);

	CHECK_EQ(backend_parse_size("18446744073709551616", 20, &v), -KEEL_ERANGE);
	CHECK_EQ(backend_parse_size("17179869184G", 12, &v), -KEEL_ERANGE);
	CHECK_EQ(backend_parse_size("", 0, &v), -KEEL_EINVAL);
	CHECK_EQ(backend_parse_size("M", 1, &v), -KEEL_EINVAL);
	CHECK_EQ(backend_parse_size("0x", 2, &v), -KEEL_EINVAL);
	CHECK_EQ(backend_parse_size("12Q", 3, &v), -KEEL_EINVAL);
	CHECK_EQ(backend_parse_size("1 M", 3, &v), -KEEL_EINVAL);
	CHECK_EQ(backend_parse_size("-1", 2, &v), -KEEL_EINVAL);
	CHECK_EQ(backend_parse_size("1MM", 3, &v), -KEEL_EINVAL);
	CHECK_EQ(backend_parse_size("12a", 3, &v), -KEEL_EINVAL);
}

TEST(backend_refuses_bad_urls_with_a_message)
{
	static const struct {
		const char *url;
		const char *message;
	} cases[] = {
		{ "ram:12Q", "\"ram:12Q\": size must be a number with an optional K, M or G suffix" },
		{ "ram:", "\"ram:\": give a size: ram:64M" },
		{ "ram:0", "\"ram:0\": size must not be 0" },
		{ "ram:99999999999999999999", "\"ram:99999999999999999999\": size does not fit in 64 bits" },
		{ "ram:16777216T", "\"ram:16777216T\": size must be a number with an optional K, M or G suffix" },
		{ "disk.img", "\"disk.img\": a backend is <scheme>:<value>, with scheme file, ram, hostdisk, switch, console or entropy" },
		{ "", "\"\": a backend is <scheme>:<value>, with scheme file, ram, hostdisk, switch, console or entropy" },
		{ "nfs:/x", "\"nfs:/x\": unknown scheme \"nfs\"; known: file, ram, hostdisk, switch, console, entropy" },
		{ "FILE:/x", "\"FILE:/x\": unknown scheme \"FILE\"; known: file, ram, hostdisk, switch, console, entropy" },
		{ "file:", "\"file:\": give a path: file:/images/disk.img" },
		{ "file:disk.img", "\"file:disk.img\": the path must be absolute (start with \"/\")" },
		{ "file:/a b", "\"file:/a b\": the path must be printable characters without spaces" },
		{ "file:/a\tb", "\"file:/a\\tb\": the path must be printable characters without spaces" },
		{ "hostdisk:", "\"hostdisk:\": give a disk name: hostdisk:vda or hostdisk:vda@1M+64M" },
		{ "hostdisk:VDA", "\"hostdisk:VDA\": disk name must be 1..31 characters of [a-z0-9_-] starting with a letter" },
		{ "hostdisk:@1M+1M", "\"hostdisk:@1M+1M\": give a disk name: hostdisk:vda or hostdisk:vda@1M+64M" },
		{ "hostdisk:vda@1M", "\"hostdisk:vda@1M\": a window on the disk is @<offset>+<length>, e.g. hostdisk:vda or hostdisk:vda@1M+64M" },
		{ "hostdisk:vda@x+1M", "\"hostdisk:vda@x+1M\": offset must be a number with an optional K, M or G suffix" },
		{ "hostdisk:vda@1M+", "\"hostdisk:vda@1M+\": length must be a number with an optional K, M or G suffix" },
		{ "hostdisk:vda@1M+0", "\"hostdisk:vda@1M+0\": length must not be 0" },
		{ "hostdisk:vda@18446744073709551615+1", "\"hostdisk:vda@18446744073709551615+1\": offset + length wraps past 2^64" },
		{ "switch:", "\"switch:\": give a switch name: switch:br0" },
		{ "switch:0br", "\"switch:0br\": switch name must be 1..31 characters of [a-z0-9_-] starting with a letter" },
		{ "switch:abcdefghijabcdefghijabcdefghijab", "\"switch:abcdefghijabcdefghijabcdefghijab\": switch name must be 1..31 characters of [a-z0-9_-] starting with a letter" },
		{ "console:hvc/0", "\"console:hvc/0\": console name must be 1..31 characters of [a-z0-9_-] starting with a letter" },
		{ "entropy:yes", "\"entropy:yes\": entropy takes no value: write \"entropy:\"" },
	};
	struct backend b;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_EQ(parse(cases[i].url, &b), -KEEL_EINVAL);
		CHECK_STR_EQ(err, cases[i].message);
	}
	CHECK_EQ(backend_parse(NULL, &b, err, sizeof(err)), -KEEL_EINVAL);
	CHECK(strstr(err, "a backend is <scheme>:<value>") != NULL);
	/* No message buffer: still refused, nothing written anywhere. */
	CHECK_EQ(backend_parse("ram:12Q", &b, NULL, 0), -KEEL_EINVAL);
}

TEST(backend_refuses_overlong_urls_and_truncates_messages)
{
	char url[200], small[16];
	struct backend b;

	memset(url, 'a', sizeof(url));
	memcpy(url, "file:/", 6);
	url[sizeof(url) - 1] = '\0';
	CHECK_EQ(parse(url, &b), -KEEL_EINVAL);
	CHECK(strstr(err, "\": longer than 127 characters") != NULL);
	/* 127 characters is the limit of the property. */
	url[127] = '\0';
	CHECK_EQ(parse(url, &b), 0);
	CHECK_EQ(strlen(b.name), 122);

	CHECK_EQ(backend_parse("ram:12Q", &b, small, sizeof(small)), -KEEL_EINVAL);
	CHECK_STR_EQ(small, "\"ram:12Q\": size");
}

TEST(backend_allowed_types_name_what_the_device_takes)
{
	unsigned int disk = BACKEND_BIT(BACKEND_FILE) | BACKEND_BIT(BACKEND_RAM) |
			    BACKEND_BIT(BACKEND_HOSTDISK);
	struct backend b;

	CHECK_EQ(backend_parse_allowed("ram:1M", disk, &b, err, sizeof(err)), 0);
	CHECK_EQ(backend_parse_allowed("switch:br0", disk, &b, err, sizeof(err)), -KEEL_EINVAL);
	CHECK_STR_EQ(err, "\"switch:br0\": this device's backend must be file:, ram: or hostdisk:; found switch:");
	CHECK_EQ(backend_parse_allowed("ram:1M", BACKEND_BIT(BACKEND_ENTROPY), &b, err,
				       sizeof(err)), -KEEL_EINVAL);
	CHECK_STR_EQ(err, "\"ram:1M\": this device's backend must be entropy:; found ram:");
	CHECK_EQ(backend_parse_allowed("console:x", BACKEND_BIT(BACKEND_CONSOLE) |
				       BACKEND_BIT(BACKEND_SWITCH), &b, err, sizeof(err)), 0);
	CHECK_EQ(backend_parse_allowed("file:/x", BACKEND_BIT(BACKEND_CONSOLE) |
				       BACKEND_BIT(BACKEND_SWITCH), &b, err, sizeof(err)),
		 -KEEL_EINVAL);
	CHECK_STR_EQ(err, "\"file:/x\": this device's backend must be switch: or console:; found file:");
	/* A URL that does not parse says why, not which schemes. */
	CHECK_EQ(backend_parse_allowed("ram:x", disk, &b, err, sizeof(err)), -KEEL_EINVAL);
	CHECK(strstr(err, "size must be a number") != NULL);
}
