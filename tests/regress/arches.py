# SPDX-License-Identifier: GPL-2.0-only
"""What the regression scenarios expect that differs between arches, in
one table: a scenario asks self.for_arch('key') and gets its arch's
value, so that one check serves every arch it applies to.

Which arches exist, and how QEMU starts them, is tools/keelarch.py's.
"""

EXPECTED = {
    'arm64': {
        # The host UART: its compatible string in `dt`, and a word that
        # appears only in its node.
        'uart_compatible': 'arm,pl011',
        'uart_word': 'pl011',
        # Boot log lines of the interrupt controller, timer and firmware.
        'driver_log_lines': ['gicv3: distributor at', 'timer: ', 'psci: version'],
        # The fault report: the syndrome's and the faulting PC's labels,
        # and what each `crash` kind must be reported as.
        'fault_syndrome': 'ESR_EL2 0x',
        'fault_pc': 'elr 0x',
        'crash_read': ['data abort', 'read: translation fault at address 0x8'],
        'crash_exec': ['instruction abort', 'fetch: permission fault'],
        'crash_trap': ['BRK instruction'],
        # The Linux-style Image header: the magic at byte 56.
        'image_magic': b'ARM\x64',
        # Why a guest that powered itself off stopped (`guest list`).
        'poweroff_reason': 'powered off (PSCI SYSTEM_OFF',
        # What the basic test guest passes when it runs alone.
        'basic_checks': ['psci-version', 'ram', 'timer-interrupt', 'wfi-wakes',
                         'physical-timer', 'timer-level', 'sgi-cpu-on', 'sgi-burst',
                         'psci-errors', 'pmu-hidden', 'isolation', 'fetch-abort',
                         'walk-abort', 'debug-registers', 'debug-breakpoint',
                         'id-registers', 'sve-undefined', 'hvc-unknown', 'smccc-version',
                         'virtio-rng', 'virtio-blk', 'virtio-console', 'virtio-vsock'],
        # The Linux test guest: its nodes (ltest0, ltest1, lsolo0), the
        # kernel's first boot line, and whether its initramfs has the
        # busybox shell (arm64's Debian busybox-static; none for riscv64).
        'linux_test_nodes': '/tests/nodes/linux-test.dtb',
        'linux_boot_line': r'Booting Linux on physical CPU',
        'linux_shell': True,
        # linux-traffic's pair: started from their shells (the demo
        # guests), or from a node file in traffic mode.
        'traffic_guests': ('linux0', 'linux1'),
        'traffic_nodes': None,
        # The hostile-guest suite's node files (neighbours, attackers,
        # escape-output last) and the storms' (neighbour, attackers), with
        # each storm attacker and the budget that must throttle it.
        'hostile_nodes': ('neighbours', 'attacks-devices', 'attacks-cpu', 'attack-escape'),
        'storm_nodes': ('loop', 'storms'),
        'storm_attackers': [('resetloop0', 'reset'), ('sgistorm0', 'ipi'),
                            ('timerstorm0', 'timer'), ('psciloop0', 'firmware')],
    },
    'riscv64': {
        'uart_compatible': 'ns16550a',
        'uart_word': 'serial@10000000',
        'driver_log_lines': ['plic: ', 'timer: ', 'sbi: SBI v'],
        'fault_syndrome': 'scause 0x',
        'fault_pc': 'sepc 0x',
        'crash_read': ['load page fault', 'stval 0x8 (faulting address)'],
        'crash_exec': ['instruction page fault'],
        'crash_trap': ['breakpoint (3)'],
        'image_magic': b'RSC\x05',
        'poweroff_reason': 'powered off (SBI system reset: shutdown',
        'basic_checks': ['sbi-version', 'ram', 'timer-interrupt', 'wfi-wakes',
                         'ipi-hart-start', 'sbi-errors', 'isolation', 'sbi-debug-console',
                         'virtio-rng', 'virtio-blk', 'virtio-console', 'virtio-vsock'],
        'linux_test_nodes': '/tests/nodes/riscv64-linux-test.dtb',
        'linux_boot_line': r'Linux version \S+ .*riscv64',
        'linux_shell': False,
        'traffic_guests': ('ltraffic0', 'ltraffic1'),
        'traffic_nodes': '/tests/nodes/riscv64-linux-traffic.dtb',
        'hostile_nodes': ('riscv64-neighbours', 'riscv64-attacks-devices',
                          'riscv64-attacks-cpu', 'riscv64-attack-escape'),
        'storm_nodes': ('riscv64-storms',),
        'storm_attackers': [('resetloop0', 'reset'), ('ipistorm0', 'ipi'),
                            ('timerstorm0', 'timer'), ('sbiloop0', 'firmware')],
    },
}


def expected(arch, key):
    try:
        return EXPECTED[arch][key]
    except KeyError:
        raise KeyError(f'tests/regress/arches.py has no "{key}" for {arch}')
