/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzzes guest-node parsing (core/guest/guest_config*.c and the device
 * emulators' validate hooks) with arbitrary device-tree blobs, the way
 * `guest load` meets a file from the image fs: the whole tree is checked
 * with devtree_check_full() first, then every node under /guests is parsed.
 * The input is copied to a buffer of exactly its size, so ASan sees any
 * read past the blob. A parse must leave a terminated message on failure.
 */
#include <keel/devtree.h>
#include <keel/guest_config.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#define BLOB_MAX (256u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guest_config cfg;
	char err[GUEST_ERROR_MAX];
	int guests, node;
	void *fdt;

	if (!size || size > BLOB_MAX)
		return 0;
	fdt = malloc(size);
	if (!fdt)
		return 0;
	memcpy(fdt, data, size);
	if (devtree_check_full(fdt, size) != 0)
		goto out;
	guests = fdt_path_offset(fdt, "/guests");
	if (guests < 0)
		goto out;
	fdt_for_each_subnode(node, fdt, guests) {
		int ret;

		memset(&cfg, 0xa5, sizeof(cfg));
		memset(err, 0x5a, sizeof(err));
		ret = guest_config_parse(fdt, node, &cfg, err, sizeof(err));
		if (ret) {
			if (ret > 0 || !memchr(err, '\0', sizeof(err)) || !err[0])
				__builtin_trap();
			continue;
		}
		if (!memchr(cfg.name, '\0', sizeof(cfg.name)) ||
		    cfg.mem_count > GUEST_MAX_MEM || cfg.device_count > GUEST_MAX_DEVICES ||
		    cfg.vcpus > GUEST_MAX_VCPUS)
			__builtin_trap();
		for (unsigned int i = 0; i < cfg.device_count; i++) {
			const struct guest_device_config *dev = &cfg.devices[i];

			if (!memchr(dev->name, '\0', sizeof(dev->name)) ||
			    !memchr(dev->compatible, '\0', sizeof(dev->compatible)) ||
			    !memchr(dev->backend, '\0', sizeof(dev->backend)))
				__builtin_trap();
		}
	}
out:
	free(fdt);
	return 0;
}
