# SPDX-License-Identifier: GPL-2.0-only
"""Ways of booting Keel other than the board-like default: QEMU loading it
directly, commands on the kernel command line, no initrd and a broken one."""

import os
import re
import subprocess

from keel import Scenario, check

INITRD_MAGIC = b'070701'


def lines(text):
    return [line.rstrip() for line in text.split('\n')]


class BootCommands(Scenario):
    name = 'bootcmd'
    run_args = ['--direct', '--bootcmd', 'echo first; version']

    @check('direct boot (no U-Boot) reaches the keel# prompt')
    def direct_boot(self):
        keel = self.keel
        if 'U-Boot' in keel.transcript():
            self.fail('expected QEMU to start Keel itself, without U-Boot; '
                      + keel.tail())

    @check('keel.bootcmd runs each of its commands at boot, in order')
    def bootcmd_runs(self):
        keel = self.keel
        seen = lines(keel.boot_output)
        expected = ['[keel.bootcmd] keel# echo first', 'first',
                    '[keel.bootcmd] keel# version']
        try:
            at = [seen.index(line) for line in expected]
        except ValueError:
            at = []
        in_order = at == sorted(at) and len(at) == len(expected)
        after = '\n'.join(seen[at[-1] + 1:]) if in_order else ''
        if not in_order or not keel.shows_version(after):
            self.fail('expected, in this order, the lines '
                      + ', '.join(f'"{line}"' for line in expected)
                      + ', then what `version` prints; ' + keel.tail())


class NoInitrd(Scenario):
    name = 'no-initrd'
    run_args = ['--direct', '--initrd', 'none']

    @check('without an initrd Keel logs "initrd: none"')
    def initrd_none(self):
        keel = self.keel
        if 'initrd: none' not in keel.boot_output:
            self.fail('expected a log line containing "initrd: none"; '
                      + keel.tail())

    @check('without an initrd the shell still runs commands')
    def shell_runs(self):
        out = self.keel.run('echo still here')
        self.expect_output('echo still here', out,
                           lines(out) == ['still here'], '"still here"')


class CorruptInitrd(Scenario):
    name = 'corrupt-initrd'

    def prepare(self):
        # A valid archive of configs/rootfs whose first header has lost its
        # "070701" magic.
        self.corrupt = os.path.join(self.log_dir, 'corrupt-initrd.cpio')
        result = subprocess.run(
            [self.source_path('tools', 'mkinitrd'), self.corrupt,
             self.source_path('configs', 'rootfs')],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            self.fail(f'tools/mkinitrd failed:\n{result.stdout}')
        with open(self.corrupt, 'r+b') as f:
            if f.read(len(INITRD_MAGIC)) != INITRD_MAGIC:
                self.fail(f'{self.corrupt} does not start with the cpio '
                          'newc magic')
            f.seek(0)
            f.write(b'KEEL!!')

    def boot_args(self):
        return ['--direct', '--initrd', self.corrupt]

    @check('a corrupt initrd is reported and the image fs left empty')
    def initrd_reported(self):
        keel = self.keel
        if not re.search(r'initrd: [^\n]*image fs left empty', keel.boot_output):
            self.fail('expected a log line "initrd: <what is wrong> ... '
                      'image fs left empty"; ' + keel.tail())

    @check('with a corrupt initrd the shell still runs commands')
    def shell_runs(self):
        out = self.keel.run('echo still here')
        self.expect_output('echo still here', out,
                           lines(out) == ['still here'], '"still here"')
