#!/usr/bin/env python3
"""Writes a random but valid Parallax configuration, reproducibly.

usage: randconfig.py SEED OUTPUT_CONFIG

Walks the symbols in menu order and gives every visible bool a random y/n
and every visible int a random value in its range (random.seed(SEED)), so
the same seed always gives the same .config. kconfiglib resolves select and
depends, so the result is a configuration menuconfig could have produced.
Run with an interpreter that has kconfiglib (Debian: python3-kconfiglib),
from any directory: the Kconfig tree is found next to this script.
"""

import os
import random
import sys

import kconfiglib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def int_range(sym):
    for lo, hi, cond in sym.ranges:
        if kconfiglib.expr_value(cond):
            return int(lo.str_value, 0), int(hi.str_value, 0)
    return 0, 10


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    seed, out = int(sys.argv[1]), sys.argv[2]
    random.seed(seed)
    os.environ["srctree"] = ROOT
    kconf = kconfiglib.Kconfig(os.path.join(ROOT, "Kconfig"), warn_to_stderr=False)
    for node in kconf.node_iter():
        sym = node.item
        if not isinstance(sym, kconfiglib.Symbol) or not sym.visibility:
            continue
        if sym.type == kconfiglib.BOOL:
            sym.set_value(random.choice((0, 2)))
        elif sym.type == kconfiglib.INT:
            lo, hi = int_range(sym)
            sym.set_value(str(random.randint(lo, hi)))
    if kconf.warnings:
        sys.exit("randconfig.py: Kconfig warnings:\n" + "\n".join(kconf.warnings))
    kconf.write_config(out, header="# randconfig.py seed %d\n" % seed)


if __name__ == "__main__":
    main()
