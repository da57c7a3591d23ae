# SPDX-License-Identifier: GPL-2.0-only
"""A host disk for guests: Keel's host virtio-blk driver and the
hostdisk: backend. QEMU gets a fresh raw image with `tools/run --disk`
(serial keel-data0, Keel's vda); guest hd0 (tests/guests/nodes/hostdisk.dts)
uses bytes 1M..5M of it. What the guest writes must survive a guest reset,
a Keel reboot and QEMU itself: the image file is read back at the end."""

import os
import re
import struct

from keel import Scenario, check, indent

IMAGE_NAME = 'hostdisk.img'
IMAGE_SIZE = 8 << 20
FILL = 0x5a                     # every byte of the fresh image
WINDOW_OFFSET = 1 << 20         # hostdisk:vda@1M+4M
WINDOW_SIZE = 4 << 20
GUEST_TIMEOUT = 120

# The basic guest's virtio-blk check (tests/guests/basic/virtio_checks.c):
# 4 KiB of a pattern at the sector in the middle of its disk.
PATTERN_SEED = 0x6b65656c2d626c6b
PATTERN_BYTES = 4096
GUEST_SECTOR = WINDOW_SIZE // 512 // 2
MASK = (1 << 64) - 1

LOG_LINE = re.compile(r'^\[\s*\d+\.\d+\] .*$\n?', re.M)


def pattern(sector):
    """The bytes the basic guest writes at sector (little-endian words)."""
    words = []
    for word in range(PATTERN_BYTES // 8):
        x = (PATTERN_SEED + sector * 0x9e3779b97f4a7c15 + word) & MASK
        x ^= x >> 29
        x = (x * 0xbf58476d1ce4e5b9) & MASK
        x ^= x >> 32
        words.append(x)
    return struct.pack(f'<{len(words)}Q', *words)


class HostDisk(Scenario):
    name = 'hostdisk'

    @property
    def image(self):
        return os.path.join(self.log_dir, IMAGE_NAME)

    def prepare(self):
        with open(self.image, 'wb') as f:
            f.write(bytes([FILL]) * IMAGE_SIZE)

    def boot_args(self):
        return ['--direct', '--disk', self.image]

    def run_guest(self, command, name='hd0'):
        """Runs command (which starts guest name) and stays on the guest's
        console until it powers off; returns the console text."""
        keel = self.keel
        out = LOG_LINE.sub('', keel.run(command)).strip('\n')
        self.expect_output(command, out, out == '', 'nothing (success)')
        text = keel.run(f'console {name}', timeout=GUEST_TIMEOUT)
        if f'[console {name}: guest stopped: powered off' not in text:
            self.fail(f'expected guest {name} to run its checks and power off; '
                      'its console:\n' + indent(text[-2000:]))
        return text

    def expect_blk(self, text, present):
        want = 'already present' if present else 'not present'
        if f'basic: virtio-blk: pattern {want}' not in text:
            self.fail(f'expected hd0 to print "basic: virtio-blk: pattern {want}"; '
                      'its console:\n' + indent(text[-2000:]))
        if not re.search(r'basic: PASS virtio-blk\b', text):
            self.fail('expected "basic: PASS virtio-blk" from hd0; its console:\n'
                      + indent(text[-2000:]))

    def load_nodes(self):
        out = self.keel.run('guest load /tests/nodes/hostdisk.dtb')
        self.expect_output('guest load /tests/nodes/hostdisk.dtb', out,
                           '2 guest nodes loaded' in out, '"2 guest nodes loaded"')

    @check('the boot log names vda with its size and serial keel-data0')
    def boot_log(self):
        keel = self.keel
        found = re.search(r'vda: virtio-mmio@0x[0-9a-f]+, 16384 sectors \(8 MiB\), '
                          r'serial "keel-data0"', keel.boot_output)
        if not found:
            self.fail('expected a boot line "vda: virtio-mmio@0x..., 16384 sectors '
                      '(8 MiB), serial "keel-data0" ..."; ' + keel.boot_tail())

    @check('disk list shows vda with its capacity and serial')
    def disk_list(self):
        out = self.keel.run('disk list')
        self.expect_output('disk list', out,
                           re.search(r'^vda\s+8 MiB\s+16384\s+keel-data0\s+virtio-mmio@',
                                     out, re.M),
                           'a row "vda  8 MiB  16384  keel-data0  virtio-mmio@..."')

    @check('a guest on hostdisk:vda@1M+4M passes virtio-blk on a fresh disk')
    def first_run(self):
        self.load_nodes()
        self.expect_blk(self.run_guest('guest start hd0'), present=False)

    @check('disk list shows the range guest hd0 uses')
    def disk_list_user(self):
        out = self.keel.run('disk list')
        self.expect_output('disk list', out,
                           'used by guest hd0 device vblk0: 1 MiB+4 MiB' in out,
                           '"used by guest hd0 device vblk0: 1 MiB+4 MiB"')

    @check('a second guest asking for an overlapping range is refused at create')
    def overlap_refused(self):
        keel = self.keel
        out = keel.run('guest create hdclash')
        self.expect_output('guest create hdclash', out,
                           'hostdisk:vda@4M+2M' in out and 'overlap' in out
                           and 'guest hd0 device vblk0' in out,
                           'an error naming the backend, "overlap" and the '
                           'user of the range (guest hd0 device vblk0)')
        out = keel.run('guest list')
        self.expect_output('guest list', out,
                           re.search(r'^hdclash\s+loaded\b', out, re.M),
                           'hdclash still "loaded"')

    @check('after guest reset hd0 finds the pattern it wrote')
    def after_reset(self):
        self.expect_blk(self.run_guest('guest reset hd0'), present=True)

    @check('after a Keel reboot hd0 finds the pattern again')
    def after_reboot(self):
        keel = self.keel
        keel.send_keys(b'reboot\r')
        keel.wait_for_prompt()
        if 'serial "keel-data0"' not in keel.boot_output:
            self.fail('expected vda (serial "keel-data0") again after the reboot; '
                      + keel.boot_tail())
        self.load_nodes()
        self.expect_blk(self.run_guest('guest start hd0'), present=True)

    @check('after poweroff the image file holds the pattern at 3 MiB, and only there')
    def image_file(self):
        keel = self.keel
        keel.send_keys(b'poweroff\r')
        status = keel.wait_exit()
        self.session = None
        if status != 0:
            self.fail(f'expected QEMU to exit with status 0, got {status}; '
                      + keel.tail())
        with open(self.image, 'rb') as f:
            data = f.read()
        at = WINDOW_OFFSET + GUEST_SECTOR * 512
        if len(data) != IMAGE_SIZE:
            self.fail(f'expected {self.image} to stay {IMAGE_SIZE} bytes; '
                      f'it is {len(data)}')
        if data[at:at + PATTERN_BYTES] != pattern(GUEST_SECTOR):
            self.fail(f'expected the guest\'s 4 KiB pattern at byte {at} of '
                      f'{self.image} (sector {GUEST_SECTOR} of the window at '
                      f'1 MiB); found {data[at:at + 16].hex()}...')
        rest = data[:at] + data[at + PATTERN_BYTES:]
        if rest.count(FILL) != len(rest):
            first = next(i for i, b in enumerate(rest) if b != FILL)
            where = first if first < at else first + PATTERN_BYTES
            self.fail(f'expected every byte outside the pattern to be 0x{FILL:02x} '
                      f'still; byte {where} is 0x{data[where]:02x}')


class HostDiskThroughUBoot(Scenario):
    """The same disk next to U-Boot's boot disk, which is a virtio disk
    too: U-Boot must still boot from its own, and Keel names both."""
    name = 'hostdisk-u-boot'
    arches = ('arm64', 'riscv64')

    @property
    def image(self):
        return os.path.join(self.log_dir, 'hostdisk-u-boot.img')

    def prepare(self):
        with open(self.image, 'wb') as f:
            f.write(bytes([FILL]) * IMAGE_SIZE)

    def boot_args(self):
        return ['--disk', self.image]

    @check('U-Boot boots Keel from its disk with a data disk attached')
    def boots(self):
        keel = self.keel
        if 'Starting kernel' not in keel.boot_output:
            self.fail('expected U-Boot to start Keel ("Starting kernel"); '
                      + keel.boot_tail())

    @check('disk list shows the boot disk (no serial) as vda and keel-data0 as vdb')
    def disk_list(self):
        out = self.keel.run('disk list')
        self.expect_output('disk list', out,
                           re.search(r'^vda\s+.*\s-\s+virtio-mmio@', out, re.M)
                           and re.search(r'^vdb\s+8 MiB\s+16384\s+keel-data0\s', out, re.M),
                           'rows "vda ... - virtio-mmio@..." (the boot disk) and '
                           '"vdb  8 MiB  16384  keel-data0 ..."')
