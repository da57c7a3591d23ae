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
        # kernel's first boot line, and the tty of its console, where the
        # busybox shell runs.
        'linux_test_nodes': '/tests/nodes/linux-test.dtb',
        'linux_boot_line': r'Booting Linux on physical CPU',
        'linux_console_tty': 'ttyAMA0',
        # The test guest nodes of tests/guests/nodes, as the image fs
        # holds them: format with the file's arch-neutral name ("loop").
        'test_node_file': '/tests/nodes/{}.dtb',
        # What a guest node names its interrupt controller by, in the
        # message refusing RAM placed over it.
        'intc_name': 'GICv3',
        # The exits every basic guest run makes (`stats`).
        'guest_exits': ('mmio', 'hypercall', 'wfi', 'sysreg'),
        # misbehave.dts: each guest and what `guest list` gives as the
        # reason it was stopped: the exception vector's fetch from 0x200,
        # a load pair (no syndrome) from nowhere, an SGI storm over the
        # node's max-irq-rate.
        'misbehave_reasons': [('undef0', 'instruction fetch at 0x200'),
                              ('wild0', 'read of unknown size'),
                              ('storm0', 'interrupt storm')],
        # The fault report of undef0: its first line, and registers
        # (regular expressions) the dump that follows must show.
        'misbehave_report': ('guest undef0: vCPU 0: instruction fetch', [r'\bx0\b', r'\bpc\b']),
        # guests-cpu-max: QEMU's most-featured CPU, and the basic guest's
        # checks that pass only there (they SKIP on the default CPU).
        'cpu_max': ['-cpu', 'max'],
        'cpu_max_checks': ['pointer-auth', 'ras-records'],
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
        'basic_checks': ['sbi-version', 'ram', 'timer-interrupt', 'sstc', 'wfi-wakes',
                         'ipi-hart-start', 'sbi-errors', 'isolation', 'sbi-debug-console',
                         'fp-registers', 'vector-undefined',
                         'virtio-rng', 'virtio-blk', 'virtio-console', 'virtio-vsock'],
        'linux_test_nodes': '/tests/nodes/riscv64-linux-test.dtb',
        'linux_boot_line': r'Linux version \S+ .*riscv64',
        'linux_console_tty': 'ttyS0',
        'test_node_file': '/tests/nodes/riscv64-{}.dtb',
        'intc_name': 'PLIC',
        # No system-register exits: the basic guest's CSRs are its own.
        'guest_exits': ('mmio', 'hypercall', 'wfi'),
        # undef0's trap (stvec 0) fetches from 0x0; wild0's atomic, which
        # no device could take, cannot be emulated; storm0 sends itself
        # SBI IPIs over its max-irq-rate.
        'misbehave_reasons': [('undef0', 'instruction fetch at 0x0'),
                              ('wild0', 'undecodable instruction 0x0005302f (atomic (LR/SC/AMO))'),
                              ('storm0', 'interrupt storm')],
        'misbehave_report': ('guest undef0: vCPU 0: instruction fetch',
                             [r'\ba0\b', r'\bpc\b', r'\bvscause\b']),
        # QEMU 7.2 has no "max" for riscv64: rv64 (H and Sstc on by default)
        # with every ratified extension it offers that a guest could reach
        # beyond the guest's ISA string: vectors, bit manipulation, scalar
        # crypto, half-precision FP, Svinval/Svnapot/Svpbmt, Zihintpause.
        'cpu_max': ['-cpu', 'rv64,v=true,vext_spec=v1.0,vlen=256,elen=64,zba=true,zbb=true,'
                    'zbc=true,zbs=true,zk=true,Zfh=true,Zfhmin=true,svinval=true,'
                    'svnapot=true,svpbmt=true,Zihintpause=true'],
        'cpu_max_checks': [],
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
