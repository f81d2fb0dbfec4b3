"""A smaller ICU data library for the Linux bundle: the root and English locales only.

Qt's Linux wheels link ICU, whose data library (``libicudata.so.NN``, 32 MB) holds the locale
data of every language, every legacy character-set converter and the dictionaries of Chinese,
Japanese, Thai, Lao, Khmer and Burmese word breaking. Qt itself keeps its own locale tables (number
and date formats, the Unicode tables of ``QString``); it asks ICU only for collation
(``QCollator``, used by the file dialog to sort file names), locale-aware case mapping, time-zone
display names and converters for legacy encodings by name. The app is English-only and reads and
writes UTF-8 only.

So the bundle keeps every ICU data item except:

* the locale bundles of every locale other than root and English (``de.res``, ``coll/fr.res``…);
  a lookup for another locale falls back to root, as ICU does for any locale it lacks: file
  names are then sorted by Unicode's default collation order;
* the trees of display names, currencies, units, spelled-out numbers and transliterators
  (``curr/``, ``lang/``, ``region/``, ``unit/``, ``rbnf/``, ``translit/``);
* legacy converters (``*.cnv``; UTF-8, UTF-16, UTF-32, ASCII and Latin-1 are built into ICU's
  code), word-break dictionaries (``*.dict``), stringprep profiles (``*.spp``), the spoof
  checker's confusables (``confusables.cfu``) and the character-name table (``unames.icu``).

The items kept are copied byte for byte into a new common data package (ICU's "CmnD" format:
a header, a sorted table of contents, then each item on a 16-byte boundary), which a C compiler
wraps into a shared library with the same soname and data symbol as the original. Without a C
compiler the original library is kept (the bundle is then about 29 MB larger).

Usage: ``python packaging/icu_data.py SRC_LIB OUT_DIR`` prints the path of the new library.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

KEEP_LOCALES = frozenset({"root", "en", "en_US", "en_US_POSIX"})
DROP_TREES = ("curr/", "lang/", "region/", "unit/", "rbnf/", "translit/")
DROP_SUFFIXES = (".cnv", ".dict", ".spp", ".cfu")
DROP_NAMES = frozenset({"unames.icu"})
# A locale bundle: language, then script/region/variant ("sr_Latn_BA", "de__PHONEBOOK").
_LOCALE = re.compile(r"^[a-z]{2,3}(?:_[A-Za-z0-9]*)*\.res$")
_NOT_LOCALES = frozenset({"res_index.res", "pool.res", "root.res"})


def keep(item: str) -> bool:
    """Whether an item (its name inside the package, e.g. ``coll/de.res``) stays."""
    if item.startswith(DROP_TREES) or item.endswith(DROP_SUFFIXES) or item in DROP_NAMES:
        return False
    base = item.rsplit("/", 1)[-1]
    if base in _NOT_LOCALES or not _LOCALE.match(base):
        return True
    return base[: -len(".res")] in KEEP_LOCALES


# -- the shared library ---------------------------------------------------------------------------


def data_symbol(lib: bytes) -> tuple[str, int, int]:
    """The ICU data symbol of an ELF64 little-endian library: (name, file offset, size)."""
    if lib[:4] != b"\x7fELF" or lib[4] != 2 or lib[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF library")
    (shoff,) = struct.unpack_from("<Q", lib, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", lib, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", lib, shoff + i * shentsize) for i in range(shnum)]
    for sh in sections:
        if sh[1] != 11:  # SHT_DYNSYM
            continue
        strtab = sections[sh[6]]
        for pos in range(sh[4], sh[4] + sh[5], 24):
            st_name, _info, _other, shndx, value, size = struct.unpack_from("<IBBHQQ", lib, pos)
            start = strtab[4] + st_name
            name = lib[start : lib.index(b"\0", start)].decode()
            if re.fullmatch(r"icudt\d+_dat", name) and size:
                home = sections[shndx]
                return name, home[4] + (value - home[3]), size
    raise ValueError("no ICU data symbol (icudtNN_dat) in this library")


# -- the common data package ----------------------------------------------------------------------


def read_package(data: bytes) -> list[tuple[bytes, bytes]]:
    """The (name, bytes) items of an ICU common data package, in table-of-contents order."""
    header_size, magic1, magic2 = struct.unpack_from("<HBB", data, 0)
    if (magic1, magic2) != (0xDA, 0x27) or data[12:16] != b"CmnD" or data[16] != 1:
        raise ValueError("not an ICU common data package (CmnD format 1)")
    if data[8] != 0:
        raise ValueError("big-endian ICU data is not supported")
    (count,) = struct.unpack_from("<I", data, header_size)
    entries = [struct.unpack_from("<II", data, header_size + 4 + 8 * i) for i in range(count)]
    items: list[tuple[bytes, bytes]] = []
    for i, (name_off, data_off) in enumerate(entries):
        start = header_size + name_off
        name = data[start : data.index(b"\0", start)]
        end = entries[i + 1][1] if i + 1 < count else len(data) - header_size
        items.append((name, data[header_size + data_off : header_size + end]))
    return items


def reduce_package(data: bytes) -> tuple[bytes, int, int]:
    """A copy of an ICU common data package with only the items :func:`keep` accepts.

    Returns the new package and the number of items before and after.
    """
    (header_size,) = struct.unpack_from("<H", data, 0)
    items = read_package(data)
    count = len(items)
    prefix = items[0][0].split(b"/", 1)[0] + b"/"
    kept = sorted(
        (n, d) for n, d in items if n.startswith(prefix) and keep(n[len(prefix) :].decode())
    )
    # Table of contents: count, (name offset, data offset) pairs, the names; offsets count from
    # the start of the table; every item starts on a 16-byte boundary of the whole package.
    names = b"".join(n + b"\0" for n, _ in kept)
    toc_size = 4 + 8 * len(kept)
    first = header_size + toc_size + len(names)
    first += -first % 16
    body = bytearray()
    offsets = []
    for _n, d in kept:
        offsets.append(first - header_size + len(body))
        body += d
        body += b"\0" * (-len(body) % 16)
    toc = bytearray(struct.pack("<I", len(kept)))
    name_off = toc_size
    for (n, _d), off in zip(kept, offsets, strict=True):
        toc += struct.pack("<II", name_off, off)
        name_off += len(n) + 1
    toc += names
    toc += b"\0" * (first - header_size - len(toc))
    return bytes(data[:header_size]) + bytes(toc) + bytes(body), count, len(kept)


def build_library(src: Path, out_dir: Path) -> Path | None:
    """The reduced library (same file name, soname and symbol) in ``out_dir``; None without cc."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    lib = src.read_bytes()
    symbol, offset, size = data_symbol(lib)
    reduced, _before, after = reduce_package(lib[offset : offset + size])
    out_dir.mkdir(parents=True, exist_ok=True)
    dat = out_dir / f"{symbol.removesuffix('_dat')}l.dat"
    dat.write_bytes(reduced)
    asm = out_dir / "icudata.S"
    asm.write_text(
        "\t.section .rodata\n"
        f"\t.globl {symbol}\n"
        f"\t.type {symbol}, @object\n"
        "\t.balign 16\n"
        f"{symbol}:\n"
        f'\t.incbin "{dat.name}"\n'
        f"\t.size {symbol}, . - {symbol}\n"
        '\t.section .note.GNU-stack,"",@progbits\n'
    )
    out = out_dir / src.name
    subprocess.run(  # noqa: S603 (the compiler found on PATH, fixed arguments)
        [
            compiler,
            "-shared",
            "-nostdlib",
            "-s",
            f"-Wl,-soname,{src.name}",
            "-o",
            out.name,
            asm.name,
        ],
        cwd=out_dir,
        check=True,
    )
    built = out.read_bytes()
    if reduce_package(built[slice(*_span(data_symbol(built)))])[2] != after:
        raise RuntimeError("the rebuilt ICU data library does not read back")
    return out


def _span(sym: tuple[str, int, int]) -> tuple[int, int]:
    return sym[1], sym[1] + sym[2]


if __name__ == "__main__":
    built = build_library(Path(sys.argv[1]), Path(sys.argv[2]))
    print(built or "no C compiler: ICU data left as it is")
