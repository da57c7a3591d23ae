# SPDX-License-Identifier: GPL-2.0-only
"""The minimal configuration of each arch (configs/<arch>_minimal_defconfig):
Keel with the shell, one built-in guest node, the arch's UART emulator and
virtio-console, nothing else. Booted through U-Boot like the full one; its
guest runs, and a guest node that asks for a device the configuration
leaves out is refused with the option to enable.

The minimal image is built (tools/check-configs) in BUILD/configs/; the
image file system is the full build's: what it holds does not depend on
the configuration."""

import os
import re
import subprocess

from keel import Scenario, check, indent
from test_guests import GUEST_TIMEOUT, SUMMARY, guest_text, without_log

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# What each arch's minimal configuration has: its guest, that guest's
# devices as `version` lists them, and a built-in node of the full
# configuration with the first device the minimal one leaves out.
MINIMAL = {
    'arm64': {
        'guest': 'mini0',
        'devices': 'devices: arm,pl011 virtio,console',
        'refused_node': '/guests/basic0.dtb',
        'refused': ('guest basic0: node /guests/basic0/devices/rng0: '
                    '"virtio,rng" needs CONFIG_VIRTIO_RNG '
                    '(make menuconfig -> Emulators)'),
    },
    'riscv64': {
        'guest': 'rvmini0',
        'devices': 'devices: ns16550a virtio,console',
        'refused_node': '/tests/nodes/riscv64-basic.dtb',
        'refused': ('guest rvbasic0: node /guests/rvbasic0/devices/rng0: '
                    '"virtio,rng" needs CONFIG_VIRTIO_RNG '
                    '(make menuconfig -> Emulators)'),
    },
}
# Shell commands of options the minimal configurations leave out.
LEFT_OUT_COMMANDS = ('crash', 'disk', 'dt', 'mem', 'switch', 'vsock')


class Minimal(Scenario):
    name = 'minimal'
    arches = tuple(MINIMAL)
    run_args = []          # through U-Boot, as `make run`

    def __init__(self, build_dir):
        super().__init__(build_dir)
        self.full_build = build_dir
        self.defconfig = f'{self.arch}_minimal_defconfig'
        self.build_dir = os.path.join(build_dir, 'configs', self.defconfig)
        self.expect = MINIMAL.get(self.arch, {})

    def prepare(self):
        done = subprocess.run(
            ['/usr/bin/python3', os.path.join(REPO, 'tools', 'check-configs'),
             '--build-dir', self.full_build, '--only', self.defconfig],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, errors='replace')
        if done.returncode:
            self.fail(f'the minimal configuration did not build:\n'
                      + indent(done.stdout[-3000:]))

    def boot_args(self):
        return ['--initrd', os.path.join(self.full_build, 'initrd.cpio')] + \
            list(self.run_args)

    @check('the minimal configuration boots through U-Boot and names itself')
    def boots(self):
        keel = self.keel
        if 'U-Boot' not in keel.boot_output:
            self.fail('expected U-Boot to start Keel; ' + keel.boot_tail())
        if keel.banner().group('config') != self.defconfig:
            self.fail(f'expected the banner to name {self.defconfig}; '
                      + keel.boot_tail())

    @check('version lists the UART and virtio-console as its only devices, and no backends')
    def version(self):
        out = self.keel.run('version')
        wanted = [self.expect['devices'], 'backends: none']
        self.expect_output('version', out,
                           all(re.search(rf'^{re.escape(w)}\s*$', out, re.M)
                               for w in wanted),
                           'the lines ' + ' and '.join(f'"{w}"' for w in wanted))

    @check('the commands of left-out options are not built')
    def commands_left_out(self):
        out = self.keel.run('help')
        present = [c for c in LEFT_OUT_COMMANDS
                   if re.search(rf'^\s*{c}\b', out, re.M)]
        self.expect_output('help', out, not present and 'guest' in out,
                           'the guest command, and none of '
                           + ', '.join(LEFT_OUT_COMMANDS))

    @check('its built-in guest runs, passes its checks and powers off')
    def guest_runs(self):
        keel = self.keel
        name = self.expect['guest']
        out = without_log(keel.run(f'guest start {name}'))
        self.expect_output(f'guest start {name}', out, out == '', 'nothing (success)')
        text = guest_text(keel.run(f'console {name}', timeout=GUEST_TIMEOUT))
        summary = SUMMARY.search(text)
        failed = [line for line in text.split('\n') if 'basic: FAIL' in line]
        if (failed or not summary or summary.group(2) != '0' or
                'basic: PASS virtio-console' not in text or
                f'[console {name}: guest stopped: powered off' not in text):
            self.fail(f'expected guest {name} to pass its checks (virtio-console '
                      'among them), print "basic: N passed, 0 failed" and power '
                      f'off; failed: {failed or "none"}; its console:\n'
                      + indent(text[-3000:]))

    @check('a guest node asking for a left-out device is refused, naming the option')
    def refused(self):
        keel = self.keel
        before = keel.run('guest list')
        node = self.expect['refused_node']
        out = keel.run(f'guest load {node}')
        self.expect_output(f'guest load {node}', out,
                           self.expect['refused'] in out and 'loaded' not in out,
                           f'"{self.expect["refused"]}"')
        after = keel.run('guest list')
        self.expect_output('guest list', after, after == before,
                           'the same list as before the refused load:\n' + indent(before))
