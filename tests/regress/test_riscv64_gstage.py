# SPDX-License-Identifier: GPL-2.0-only
"""riscv64 G-stage translation beyond Sv39x4: a guest with RAM at 3 TiB,
above Sv39x4's 2 TiB, gets Sv48x4 and reaches every page of it. riscv64
only: arm64's stage 2 has one fixed 40-bit space."""

import re

from keel import check, indent
from test_guests import GuestScenario, guest_text

NODES = '/tests/nodes/riscv64-high-ram.dtb'
# 16 MiB at 2 GiB and 2 MiB at 3 TiB, in 4 KiB pages.
LOW_PAGES, TOTAL_PAGES = 4096, 4608


class Riscv64Gstage(GuestScenario):
    name = 'riscv64-gstage'
    arches = ('riscv64',)
    run_args = ['--direct']

    @check('Keel says it offers Sv48x4 for guest RAM above 2 TiB')
    def logged(self):
        out = self.keel.run('log')
        self.expect_output('log', out,
                           'G-stage Sv39x4 (Sv48x4 for guest RAM above 2 TiB)' in out,
                           'the boot line "virt: G-stage Sv39x4 (Sv48x4 for guest RAM '
                           'above 2 TiB), ..."')

    @check('a guest with RAM at 3 TiB writes and reads back every page of it')
    def high_ram(self):
        keel = self.keel
        out = keel.run(f'guest load {NODES}')
        self.expect_output(f'guest load {NODES}', out, '1 guest node loaded' in out,
                           '"1 guest node loaded"')
        text = guest_text(self.run_to_poweroff('rvhigh0'))
        ram = re.search(r'basic: PASS ram \((\d+) of (\d+) pages', text)
        if not ram or int(ram.group(2)) != TOTAL_PAGES or int(ram.group(1)) <= LOW_PAGES:
            self.fail(f'expected "basic: PASS ram (N of {TOTAL_PAGES} pages ...)" with N '
                      f'above the {LOW_PAGES} pages below 2 TiB; its console:\n'
                      + indent(text[-2500:]))
        if re.search(r'basic: FAIL (ram|timer|sstc|wfi|ipi|isolation|sbi)', text):
            self.fail('expected the CPU checks to pass with Sv48x4 too; its console:\n'
                      + indent(text[-2500:]))
