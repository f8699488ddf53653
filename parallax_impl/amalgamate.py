#!/usr/bin/env python3
"""Writes parallax.h from the sections listed in parallax_impl/manifest.txt.

usage: python3 parallax_impl/amalgamate.py [-o parallax.h] [--check]
       python3 parallax_impl/amalgamate.py --lint [CONFIG_FILE]

  -o FILE    output path (default: parallax.h in the repository root)
  --check    do not write; exit 1 with a diff summary when FILE differs from
             a fresh amalgamation (CI runs this)
  --lint     load the Kconfig tree (and CONFIG_FILE when given) and exit 1 on
             any Kconfig warning (the Makefile runs this after config targets)

The output is deterministic: same inputs, same bytes. Config defaults in
the header are copied from the Kconfig files with kconfiglib, so Kconfig stays
the one source of truth.
"""

import argparse
import difflib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANIFEST = os.path.join("parallax_impl", "manifest.txt")
GENERATOR = "parallax_impl/amalgamate.py"

try:
    import kconfiglib
except ImportError:
    sys.exit(
        "amalgamate.py: kconfiglib not found for %s: apt-get install python3-kconfiglib "
        "(or run with an interpreter that has it, e.g. make amalgamate PYTHON=/usr/bin/python3)"
        % sys.executable
    )


class Error(Exception):
    pass


def read(rel):
    path = os.path.join(ROOT, rel)
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        raise Error("%s: no such file (listed in %s)" % (rel, MANIFEST))


# ---- Kconfig ---------------------------------------------------------------


def load_kconfig(config=None):
    os.environ["srctree"] = ROOT
    if config is None:  # generating parallax.h: probes of the build machine find nothing (see probed())
        os.environ["PKG_CONFIG_LIBDIR"] = os.path.join(ROOT, "parallax_impl", ".no-pkg-config")
        os.environ["PKG_CONFIG_PATH"] = ""
    kconf = kconfiglib.Kconfig(os.path.join(ROOT, "Kconfig"), warn_to_stderr=False)
    kconf.warn_assign_undef = True
    kconf.warn_assign_override = True
    if config is not None:
        kconf.load_config(config)
    if kconf.warnings:
        raise Error("Kconfig warnings are errors:\n  " + "\n  ".join(kconf.warnings))
    return kconf


def config_symbols(kconf):
    """(name, type, default text) for every PX_* symbol, in definition order."""
    out = []
    for sym in kconf.unique_defined_syms:
        if not sym.name.startswith("PX_"):
            continue
        if sym.type == kconfiglib.BOOL:
            value = "1" if sym.str_value == "y" or default_y_but_for_deps(sym) else "0"
            kind = "bool"
        elif sym.type in (kconfiglib.INT, kconfiglib.HEX):
            value = sym.str_value or "0"
            kind = "int"
        elif sym.type == kconfiglib.STRING:
            value = '"%s"' % kconfiglib.escape(sym.str_value)
            kind = "string"
        else:
            raise Error(
                "Kconfig symbol %s: type %s is not supported (use bool, int, hex or string)"
                % (sym.name, kconfiglib.TYPE_TO_STR[sym.type])
            )
        out.append((sym.name, kind, value, requirements(sym)))
    return out


def probed(sym):
    """True for an option that depends on a $(success,...) probe of the build
    machine (an optional library found by pkg-config). The header never
    depends on the machine that generated it: such options default to 0 there
    (the probes run with pkg-config pointed at nothing, so they expand to n),
    and the Makefile turns them on with -DCONFIG_PX_...=1 when it finds the library."""
    return sym.type == kconfiglib.BOOL and any(
        item is sym.kconfig.n for item in kconfiglib.split_expr(sym.direct_dep, kconfiglib.AND))


def default_y_but_for_deps(sym):
    """A bool whose first default is y and whose dependencies are PX_* bools
    (some off here, e.g. av1dec's probed PX_CODEC_DAV1D): its header default
    is 1 whenever its requirements are met (see defaults_block)."""
    if probed(sym) or not sym.defaults or sym.defaults[0][0] is not sym.kconfig.y:
        return False
    return all(item is sym.kconfig.y or (isinstance(item, kconfiglib.Symbol) and item.name.startswith("PX_"))
               for item in kconfiglib.split_expr(sym.direct_dep, kconfiglib.AND))


def requirements(sym):
    """PX_* bool symbols that sym needs: its 'depends on' (a conjunction of
    symbols) and what it selects. Without Kconfig, parallax.h turns a missing
    option off when one of them is off (as Kconfig does for a default with
    unmet dependencies) and fails with #error when one is set on without them."""
    if sym.type != kconfiglib.BOOL:
        return []
    need = []
    for item in kconfiglib.split_expr(sym.direct_dep, kconfiglib.AND):
        if item is sym.kconfig.y or item is sym.kconfig.n:  # n: a failed probe (see probed())
            continue
        if not isinstance(item, kconfiglib.Symbol) or not item.name.startswith("PX_") or item.type != kconfiglib.BOOL:
            raise Error(
                "Kconfig symbol %s: 'depends on %s' is not supported by amalgamate.py (write it as "
                "PX_A && PX_B with bool PX_* symbols)" % (sym.name, kconfiglib.expr_str(sym.direct_dep))
            )
        need.append(item.name)
    for target, cond in sym.selects:  # kconfiglib adds the symbol's own dependencies to cond
        extra = [c for c in kconfiglib.split_expr(cond, kconfiglib.AND)
                 if c is not sym.kconfig.y and getattr(c, "name", None) not in need]
        if extra or not target.name.startswith("PX_") or target.type != kconfiglib.BOOL:
            raise Error("Kconfig symbol %s: only unconditional 'select PX_...' is supported" % sym.name)
        need.append(target.name)
    return list(dict.fromkeys(need))


# ---- Sections --------------------------------------------------------------

QUOTED_INCLUDE = re.compile(r'^\s*#\s*include\s*"')


def section_text(rel):
    text = read(rel)
    for n, line in enumerate(text.splitlines(), 1):
        if QUOTED_INCLUDE.match(line):
            raise Error(
                '%s:%d: quoted #include is not allowed in a section (sections are concatenated '
                "into parallax.h in manifest order; include system headers with <...> only): %s"
                % (rel, n, line.strip())
            )
    if text and not text.endswith("\n"):
        text += "\n"
    return text


def banner(rel):
    return "/* ---- %s ---- */\n" % rel


def guarded(guard, body):
    if guard == "1":
        return body
    return "#if %s\n%s#endif /* %s */\n" % (guard, body, guard)


def parse_manifest():
    entries = []
    for n, line in enumerate(read(MANIFEST).splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 2)
        if len(parts) != 3 or parts[0] not in ("decl", "impl"):
            raise Error("%s:%d: expected '<decl|impl> <guard> <path>', got %r" % (MANIFEST, n, line))
        part, guard, path = parts
        if " " in path:  # guard expressions must not contain spaces
            raise Error("%s:%d: write the guard without spaces: %r" % (MANIFEST, n, line))
        entries.append((part, guard, path))
    return entries


def find_elements(kconf):
    """[(name, relpath)] for elements/<family>/<name>.c, sorted by name."""
    found = {}
    edir = os.path.join(ROOT, "elements")
    for family in sorted(os.listdir(edir)):
        fdir = os.path.join(edir, family)
        if not os.path.isdir(fdir):
            continue
        for fn in sorted(os.listdir(fdir)):
            if not fn.endswith(".c"):
                continue
            name = fn[:-2]
            rel = "elements/%s/%s" % (family, fn)
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise Error("%s: element file names must be lower-case C identifiers" % rel)
            if name in found:
                raise Error("%s and %s define the same element name" % (found[name], rel))
            sym = "PX_ELEM_" + name.upper()
            if sym not in kconf.syms or not kconf.syms[sym].nodes:
                raise Error(
                    "%s: no Kconfig symbol %s: add 'config %s' to elements/Kconfig in the menu of its family"
                    % (rel, sym, sym)
                )
            found[name] = rel
    return sorted(found.items())


def elements_block(kconf):
    out = []
    elems = find_elements(kconf)
    for name, rel in elems:
        body = section_text(rel)
        if not re.search(r"PX_ELEMENT_CLASS\(\s*%s\s*\)" % name, body):
            raise Error("%s: must define its class with PX_ELEMENT_CLASS(%s) = { ... };" % (rel, name))
        out.append(banner(rel) + guarded("CONFIG_PX_ELEM_" + name.upper(), body) + "\n")
    out.append("/* ---- built-in element table (generated: one entry per enabled element) ---- */\n")
    out.append("static const px_element_class *const px__builtin_classes[] = {\n")
    for name, _ in elems:
        g = "CONFIG_PX_ELEM_" + name.upper()
        out.append("#if %s\n    &px_elem_%s,\n#endif\n" % (g, name))
    out.append("    NULL /* end */\n};\n\n")
    return "".join(out)


# ---- The header ------------------------------------------------------------

HEAD = """\
/* parallax.h: Parallax, a streaming media pipeline runtime for Linux boards,
 * in one header (src ! filter ! sink pipelines, memfd arenas, Kconfig-selected
 * elements and schedulers). See README.md.
 *
 * Two parts, in the style of the stb headers and miniaudio:
 *
 *     #include "parallax.h"            declarations: any number of files (C99, C++)
 *
 *     #define PARALLAX_IMPLEMENTATION  in exactly one .c file (C11, Linux),
 *     #include "parallax.h"            included before any system header
 *
 * Define before including to override:
 *   PX_STATIC                 make every function static (PX_API) for a single-file program
 *   PX_API                    linkage of the API functions (default: extern)
 *   PX_MALLOC(n) PX_REALLOC(p, n) PX_FREE(p)   allocator (default: libc)
 *   PX_ASSERT(x)              assertion (default: assert)
 *   PX_LOG_HOOK(level, category, message)     route log messages elsewhere
 *   PX_CONFIG_HEADER          a header with CONFIG_PX_* settings, e.g. the px_config.h that
 *                             `make menuconfig` generates: -DPX_CONFIG_HEADER='"px_config.h"'
 *   CONFIG_PX_*               single options without Kconfig, e.g. -DCONFIG_PX_ELEM_TEE=0
 *
 * Generated by parallax_impl/amalgamate.py from parallax_impl/ and elements/;
 * do not edit: change the sections and run `make amalgamate`.
 */

/* The implementation needs _GNU_SOURCE (memfd_create, pipe2, ...), which only
 * takes effect before the first libc header. */
#if defined(PARALLAX_IMPLEMENTATION) && !defined(_GNU_SOURCE)
#if defined(_FEATURES_H) || defined(__GLIBC__) || defined(__UCLIBC__) || defined(_STDIO_H) || \\
    defined(_STDLIB_H) || defined(_STRING_H) || defined(_SYS_TYPES_H) || defined(_UNISTD_H)
#error "parallax.h: the implementation needs _GNU_SOURCE, which only works before the first system header: include parallax.h first in the file that defines PARALLAX_IMPLEMENTATION, or build with -D_GNU_SOURCE"
#else
#define _GNU_SOURCE 1
#endif
#endif

#ifndef PARALLAX_H
#define PARALLAX_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef PX_CONFIG_HEADER
#include PX_CONFIG_HEADER
#endif

"""

SANITY = [
    (
        "!CONFIG_PX_SCHED_COOP && !CONFIG_PX_SCHED_THREADS",
        "parallax.h: no scheduler selected: enable CONFIG_PX_SCHED_COOP or CONFIG_PX_SCHED_THREADS "
        "(menu Scheduling in make menuconfig)",
    ),
    (
        "!CONFIG_PX_ARENA_MEMFD && !CONFIG_PX_ARENA_SHM && !CONFIG_PX_ARENA_HEAP",
        "parallax.h: no arena backing selected: enable CONFIG_PX_ARENA_MEMFD, CONFIG_PX_ARENA_SHM "
        "or CONFIG_PX_ARENA_HEAP (menu Memory in make menuconfig)",
    ),
    (
        "CONFIG_PX_LOG_LEVEL < 0 || CONFIG_PX_LOG_LEVEL > 5",
        "parallax.h: CONFIG_PX_LOG_LEVEL must be 0 (none) to 5 (trace)",
    ),
]
# Generated besides these, from Kconfig's 'depends on' and 'select' (see
# requirements()): e.g. CONFIG_PX_VIDEO without CONFIG_PX_CAPS.


def defaults_block(syms):
    out = [
        "/* ---- configuration defaults (generated from Kconfig) ----\n"
        " * Every CONFIG_PX_* macro is defined, so code tests it with #if and -Wundef\n"
        " * catches typos. A header from Kconfig (CONFIG_PX_KCONFIG set) omits disabled\n"
        " * options, so a missing one means 0 there; otherwise the Kconfig default.\n"
        " * PX__ON is what an option that defaults to y gets when it is missing. */\n"
        "#if defined(CONFIG_PX_KCONFIG) && CONFIG_PX_KCONFIG\n"
        "#define PX__ON 0\n#else\n#define PX__ON 1\n#endif\n"
    ]
    seen = set()
    for name, kind, value, need in syms:
        m = "CONFIG_" + name
        for r in need:
            if r not in seen:
                raise Error(
                    "Kconfig symbol %s needs %s, which is defined after it: define %s first "
                    "(parallax.h evaluates the defaults in definition order)" % (name, r, r)
                )
        seen.add(name)
        if name == "PX_KCONFIG":
            out.append("#ifndef %s\n#define %s 0\n#endif\n" % (m, m))
            continue
        if kind == "bool" and value == "1" and need:  # on unless what it needs is off
            cond = " && ".join(["PX__ON"] + ["CONFIG_" + r for r in need])
            out.append("#ifndef %s\n#if %s\n#define %s 1\n#else\n#define %s 0\n#endif\n#endif\n"
                       % (m, cond, m, m))
        elif kind == "bool":
            out.append("#ifndef %s\n#define %s %s\n#endif\n" % (m, m, "PX__ON" if value == "1" else "0"))
        else:  # Kconfig always writes int/hex/string symbols, visible or not
            out.append("#ifndef %s\n#define %s %s\n#endif\n" % (m, m, value))
    out.append("\n/* Impossible combinations */\n")
    for cond, msg in SANITY:
        out.append('#if %s\n#error "%s"\n#endif\n' % (cond, msg))
    for name, _, _, need in syms:
        for r in need:
            out.append(
                '#if CONFIG_%s && !CONFIG_%s\n#error "parallax.h: CONFIG_%s needs CONFIG_%s: enable '
                'CONFIG_%s or set CONFIG_%s=0"\n#endif\n' % (name, r, name, r, r, name)
            )
    return "".join(out) + "\n"


def key_names(syms):
    return ["CONFIG_" + n for n, kind, _, _ in syms if kind == "bool" and n != "PX_KCONFIG"]


def config_key_decl(syms):
    expr = "px_config_key_"
    for m in key_names(syms):
        expr = "PX__CAT(%s, %s)" % (expr, m)
    return (
        "/* ---- configuration link key ----\n"
        " * Struct layouts depend on the configuration. Every file that includes\n"
        " * parallax.h references a symbol named after its CONFIG_PX_* values\n"
        " * (px_config_key_1101...), and only the implementation defines it, for its\n"
        " * own values: objects built with different configurations fail to link. */\n"
        "#define PX__CAT2(a, b) a##b\n"
        "#define PX__CAT(a, b) PX__CAT2(a, b)\n"
        "#define PX__STR(x) #x\n"
        "#define PX__XSTR(x) PX__STR(x)\n"
        "#define PX__CONFIG_KEY %s\n"
        "#ifndef PX_STATIC\n"
        "extern const int PX__CONFIG_KEY;\n"
        "#if defined(__GNUC__)\n"
        "static const int *const px__config_key_ref __attribute__((used)) = &PX__CONFIG_KEY;\n"
        "#endif\n"
        "#endif\n\n" % expr
    )


IMPL_HEAD = """\
/* ======================================================================== */
/* Implementation                                                           */
/* ======================================================================== */
#if defined(PARALLAX_IMPLEMENTATION) && !defined(PARALLAX_IMPLEMENTATION_DONE)
#define PARALLAX_IMPLEMENTATION_DONE

#ifdef __cplusplus
#error "parallax.h: the implementation part is C11: define PARALLAX_IMPLEMENTATION in a .c file"
#endif
#if !defined(__STDC_VERSION__) || __STDC_VERSION__ < 201112L
#error "parallax.h: the implementation needs C11 (_Atomic, _Static_assert): compile with -std=c11 or later"
#endif
#if !defined(__linux__)
#error "parallax.h: the implementation runs on Linux only (memfd, epoll, pidfd)"
#endif

"""


def impl_tail(syms):
    lines = "".join(
        '        "CONFIG_%s=" PX__XSTR(CONFIG_%s) "\\n"\n' % (n, n) for n, _, _, _ in syms
    )
    return (
        "/* ---- generated: configuration key, version, compile options ---- */\n"
        "#ifndef PX_STATIC\n"
        "const int PX__CONFIG_KEY = 1;\n"
        "#endif\n\n"
        "PX_API const char *px_version(void)\n{\n    return PX_VERSION_STRING;\n}\n\n"
        "PX_API const char *px_compile_options(void)\n{\n    return\n%s        \"\";\n}\n\n"
        "#endif /* PARALLAX_IMPLEMENTATION */\n" % lines
    )


def generate():
    kconf = load_kconfig()
    syms = config_symbols(kconf)
    entries = parse_manifest()
    decl = [e for e in entries if e[0] == "decl"]
    impl = [e for e in entries if e[0] == "impl"]
    if [e for e in entries if e[0] == "decl"] != entries[: len(decl)]:
        raise Error("%s: list every decl section before the impl sections" % MANIFEST)
    if sum(1 for e in impl if e[2] == "@elements") != 1:
        raise Error("%s: needs exactly one 'impl 1 @elements' line" % MANIFEST)

    out = [HEAD, defaults_block(syms), '#ifdef __cplusplus\nextern "C" {\n#endif\n\n']
    for _, guard, path in decl:
        if path.startswith("@"):
            raise Error("%s: %s is only valid in the impl part" % (MANIFEST, path))
        out.append(banner(path) + guarded(guard, section_text(path)) + "\n")
    out.append(config_key_decl(syms))
    out.append('#ifdef __cplusplus\n}\n#endif\n\n#endif /* PARALLAX_H */\n\n')
    out.append(IMPL_HEAD)
    for _, guard, path in impl:
        if path == "@elements":
            out.append(guarded(guard, elements_block(kconf)))
        elif path.startswith("@"):
            raise Error("%s: unknown marker %s" % (MANIFEST, path))
        else:
            out.append(banner(path) + guarded(guard, section_text(path)) + "\n")
    out.append(impl_tail(syms))
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description="Writes parallax.h from the manifest's sections.")
    ap.add_argument("-o", "--output", default=os.path.join(ROOT, "parallax.h"))
    ap.add_argument("--check", action="store_true", help="exit 1 when the output file is stale")
    ap.add_argument("--lint", nargs="?", const="", metavar="CONFIG",
                    help="only check Kconfig (and CONFIG) for warnings")
    args = ap.parse_args()
    try:
        if args.lint is not None:
            load_kconfig(args.lint or None)
            return 0
        text = generate()
    except Error as e:
        print("amalgamate.py: error: %s" % e, file=sys.stderr)
        return 1
    except kconfiglib.KconfigError as e:
        print("amalgamate.py: Kconfig error: %s" % e, file=sys.stderr)
        return 1

    if args.check:
        try:
            with open(args.output, encoding="utf-8") as f:
                old = f.read()
        except FileNotFoundError:
            print("amalgamate.py: %s does not exist: run make amalgamate" % args.output, file=sys.stderr)
            return 1
        if old == text:
            return 0
        diff = list(difflib.unified_diff(old.splitlines(), text.splitlines(),
                                         "%s (on disk)" % args.output, "fresh amalgamation", lineterm="", n=1))
        changed = sum(1 for l in diff if l[:1] in "+-" and l[:3] not in ("+++", "---"))
        print("amalgamate.py: %s is stale (%d lines differ); run make amalgamate and commit it:"
              % (args.output, changed), file=sys.stderr)
        for l in diff[:40]:
            print("  " + l, file=sys.stderr)
        if len(diff) > 40:
            print("  ... (%d more diff lines)" % (len(diff) - 40), file=sys.stderr)
        return 1

    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
