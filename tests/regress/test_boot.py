# SPDX-License-Identifier: GPL-2.0-only
"""Ways of booting Keel other than the board-like default: QEMU loading it
directly, commands on the kernel command line, no initrd and a broken one."""

import os
import re
import subprocess

from keel import Scenario, check, lines

INITRD_MAGIC = b'070701'


class BootCommands(Scenario):
    name = 'bootcmd'
    arches = ('arm64', 'riscv64')
    run_args = ['--direct', '--bootcmd', 'echo first; version']

    @check('direct boot (no U-Boot) reaches the keel# prompt')
    def direct_boot(self):
        keel = self.keel
        if 'U-Boot' in keel.boot_output:
            self.fail('expected QEMU to start Keel itself, without U-Boot; '
                      + keel.boot_tail())

    @check('keel.bootcmd runs each of its commands at boot, in order')
    def bootcmd_runs(self):
        after = self.expect_boot_lines(['[keel.bootcmd] keel# echo first',
                                        'first',
                                        '[keel.bootcmd] keel# version'])
        if not self.keel.shows_version('\n'.join(after)):
            self.fail('expected what `version` prints after "[keel.bootcmd] '
                      'keel# version"; ' + self.keel.boot_tail())


class NoInitrd(Scenario):
    name = 'no-initrd'
    arches = ('arm64', 'riscv64')
    run_args = ['--direct', '--initrd', 'none']

    @check('without an initrd Keel logs "initrd: none"')
    def initrd_none(self):
        keel = self.keel
        if 'initrd: none' not in keel.boot_output:
            self.fail('expected a log line containing "initrd: none"; '
                      + keel.boot_tail())

    @check('without an initrd the shell still runs commands')
    def shell_runs(self):
        out = self.keel.run('echo still here')
        self.expect_output('echo still here', out,
                           lines(out) == ['still here'], '"still here"')


class CorruptInitrd(Scenario):
    name = 'corrupt-initrd'
    arches = ('arm64', 'riscv64')

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
                      'image fs left empty"; ' + keel.boot_tail())

    @check('with a corrupt initrd the shell runs and / shows nothing of it')
    def shell_runs(self):
        out = self.keel.run('ls /')
        self.expect_output('ls /', out, 'README' not in out,
                           'none of the archive\'s files (the image fs is '
                           'left empty)')
