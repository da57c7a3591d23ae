# SPDX-License-Identifier: GPL-2.0-only
"""Ways of booting Keel other than the board-like default: QEMU loading it
directly, commands on the kernel command line, no initrd and a broken one."""

import os
import re
import struct
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


# The Image header's fields (arm64 and RISC-V Images share these offsets).
HEADER_TEXT_OFFSET = 8
HEADER_IMAGE_SIZE = 16
HEADER_MAGIC = 56
# Not a multiple of 2 MiB, so the load address shows it whatever base
# U-Boot starts from; a multiple of the 4 KiB Keel needs.
MOVED_TEXT_OFFSET = 0x1e3000


class Relocated(Scenario):
    """Keel runs wherever the boot loader puts it: a copy of keel.bin whose
    header asks for another text_offset makes U-Boot's booti place it
    elsewhere, and Keel, its secondary CPUs and the shell still work."""
    name = 'relocated'
    arches = ('arm64', 'riscv64')

    def prepare(self):
        with open(os.path.join(self.build_dir, 'keel.bin'), 'rb') as f:
            self.image = f.read()
        self.moved = os.path.join(self.log_dir, 'keel-moved.bin')
        with open(self.moved, 'wb') as f:
            f.write(self.image[:HEADER_TEXT_OFFSET]
                    + struct.pack('<Q', MOVED_TEXT_OFFSET)
                    + self.image[HEADER_TEXT_OFFSET + 8:])

    def boot_args(self):
        return ['--kernel', self.moved, '--smp', '4']

    @check('keel.bin has the Image header booti needs: magic, and the size it occupies')
    def header(self):
        # Read before any boot, so a bad header is named as such.
        with open(os.path.join(self.build_dir, 'keel.bin'), 'rb') as f:
            image = f.read()
        magic = self.for_arch('image_magic')
        found = image[HEADER_MAGIC:HEADER_MAGIC + len(magic)]
        if found != magic:
            self.fail(f'expected the magic {magic!r} at byte {HEADER_MAGIC} '
                      f'of keel.bin, found {found!r}')
        size, = struct.unpack_from('<Q', image, HEADER_IMAGE_SIZE)
        if size < len(image) or size % 4096:
            self.fail(f'expected image_size (byte {HEADER_IMAGE_SIZE}) to be '
                      f'at least the file\'s {len(image)} bytes (it '
                      f'counts .bss too) and page aligned; it is {size}')

    @check('booted at another address, Keel logs it and brings up all CPUs')
    def moved(self):
        keel = self.keel
        found = re.search(r'keel: loaded at 0x([0-9a-f]+)', keel.boot_output)
        if not found:
            self.fail('expected "keel: loaded at 0x..."; ' + keel.boot_tail())
        address = int(found.group(1), 16)
        if address % (2 << 20) != MOVED_TEXT_OFFSET % (2 << 20):
            self.fail(f'expected U-Boot to place the image {MOVED_TEXT_OFFSET:#x} '
                      f'above a 2 MiB boundary (its text_offset); it is at '
                      f'{address:#x}; ' + keel.boot_tail())
        banner = keel.banner()
        if banner.group('cpus') != '4':
            self.fail('expected 4 CPUs online at the moved address; the '
                      f'banner says: {banner.group(0)}')
        out = keel.run('echo moved')
        self.expect_output('echo moved', out, lines(out) == ['moved'],
                           '"moved"')
