# SPDX-License-Identifier: GPL-2.0-only
"""What tools/ and tests/regress need to know about each arch Keel runs
on: how QEMU starts the machine (directly, and through U-Boot), where
U-Boot keeps its environment, the arch names of mkimage and Debian.

The build settings (toolchain, flags, relocations) are in
arch/<arch>/arch.mk; this is the run-time side. Which arch a build is
for comes from its configuration (BUILD-DIR/.config, CONFIG_ARCH_NAME).
"""

import os
import re

MIB = 1024 * 1024

ARCHES = {
    'arm64': {
        'qemu': 'qemu-system-aarch64',
        'machine': ['-M', 'virt,virtualization=on,gic-version=3',
                    '-cpu', 'cortex-a57'],
        # QEMU starts -kernel at EL2 itself.
        'direct_firmware': [],
        'u_boot': '/usr/lib/u-boot/qemu_arm64/u-boot.bin',
        # U-Boot is the machine's firmware.
        'u_boot_args': lambda u_boot: ['-bios', u_boot],
        'mkimage_arch': 'arm64',
        # Where U-Boot's environment says the DTB is.
        'u_boot_fdt': '${fdt_addr}',
        # qemu_arm64 keeps its environment at the start of pflash unit 1,
        # CONFIG_ENV_SIZE bytes, not redundant; QEMU's virt machine wants
        # the flash image exactly 64 MiB.
        'env_flash': {'unit': 1, 'size': 0x40000, 'flash_size': 64 * MIB},
        # The device tree lists virtio-mmio transports from the lowest
        # address (QEMU gives the first -device the highest).
        'virtio_tree_order': 'ascending',
        'debian': 'arm64',
        'gdb_arch': 'aarch64',
        # A guest image on bare QEMU (tools/run-bare-guest, bench-linux):
        # virtualization off, so QEMU starts it at EL1 and answers PSCI.
        'bare_machine': ['-M', 'virt,gic-version=3', '-cpu', 'max'],
        # The Linux guest on bare QEMU (tools/bench-linux): the CPU Keel's
        # own machine has, for a like-for-like ratio.
        'bare_linux_machine': ['-M', 'virt,gic-version=3', '-cpu', 'cortex-a57'],
        # The Linux guest's console on Keel's guest platform and on bare
        # QEMU virt alike, and its early console.
        'linux_console': 'ttyAMA0',
        'linux_earlycon': 'pl011,0x09000000',
        # tools/bench-linux's guest nodes (in the image fs).
        'linux_bench_nodes': '/tests/nodes/linux-bench.dtb',
        # tools/bench's basic-guest nodes, and what its null hypercall is.
        'bench_nodes': '/tests/nodes/bench.dtb',
        'null_hypercall': 'HVC (SMCCC_VERSION)',
    },
    'riscv64': {
        'qemu': 'qemu-system-riscv64',
        # The H extension is on by default for rv64.
        'machine': ['-M', 'virt', '-cpu', 'rv64'],
        # OpenSBI (QEMU's own copy) starts -kernel in HS-mode.
        'direct_firmware': ['-bios', 'default'],
        'u_boot': '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin',
        # OpenSBI in M-mode, then S-mode U-Boot as its payload.
        'u_boot_args': lambda u_boot: ['-bios', 'default', '-kernel', u_boot],
        'mkimage_arch': 'riscv',
        # S-mode U-Boot runs on the DTB OpenSBI passed it.
        'u_boot_fdt': '${fdtcontroladdr}',
        # qemu-riscv64_smode keeps no environment in flash.
        'env_flash': None,
        # ... and from the highest on riscv64.
        'virtio_tree_order': 'descending',
        'debian': 'riscv64',
        'gdb_arch': 'riscv:rv64',
        # OpenSBI starts the guest image in S-mode and answers its SBI calls.
        'bare_machine': ['-M', 'virt', '-cpu', 'rv64', '-bios', 'default'],
        'bare_linux_machine': ['-M', 'virt', '-cpu', 'rv64', '-bios', 'default'],
        'linux_console': 'ttyS0',
        'linux_earlycon': 'uart8250,mmio,0x10000000',
        'linux_bench_nodes': '/tests/nodes/riscv64-linux-bench.dtb',
        'bench_nodes': '/tests/nodes/riscv64-bench.dtb',
        'null_hypercall': 'SBI call (BASE get_spec_version)',
    },
}

DEFAULT_ARCH = 'arm64'


def config_arch(build_dir):
    """The arch BUILD-DIR/.config was made for, or None without one."""
    try:
        with open(os.path.join(build_dir, '.config')) as f:
            for line in f:
                found = re.match(r'CONFIG_ARCH_NAME="([^"]*)"', line)
                if found:
                    return found.group(1)
    except OSError:
        pass
    return None


def build_arch(build_dir, default=DEFAULT_ARCH):
    """The arch of a build directory (its configuration), else default."""
    return config_arch(build_dir) or default
