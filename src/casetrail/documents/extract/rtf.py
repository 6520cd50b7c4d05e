"""Rich Text Format: the visible text, decoded with the document's ANSI code page.

A small reader of the RTF 1.9 syntax: control words, ``\\'hh`` bytes in the ``\\ansicpg``
code page, ``\\uN`` Unicode characters with their ``\\ucN`` fallback bytes, and groups.
Destinations that hold no body text (font and colour tables, pictures, ``{\\*...}`` groups)
are skipped. Unpaired UTF-16 surrogates become U+FFFD. Formatting is dropped.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from casetrail.documents.extract._common import check_input
from casetrail.documents.extract.base import ExtractedPage, Extraction, ExtractionFailed, Limits

_TOKEN = re.compile(
    rb"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}\r\n]+)|[\r\n]+", re.DOTALL
)
_SKIPPED_DESTINATIONS = {
    b"fonttbl", b"colortbl", b"stylesheet", b"info", b"pict", b"object", b"themedata",
    b"datastore", b"latentstyles", b"listtable", b"listoverridetable", b"rsidtbl", b"xmlnstbl",
    b"generator", b"header", b"footer", b"filetbl", b"revtbl",
}  # fmt: skip
_BREAKS = {
    b"par": "\n",
    b"line": "\n",
    b"sect": "\n",
    b"page": "\n",
    b"row": "\n",
    b"cell": "\t",
    b"tab": "\t",
}
_CHARACTER_WORDS = {
    b"lquote": "\u2018", b"rquote": "\u2019", b"ldblquote": "\u201c", b"rdblquote": "\u201d",
    b"endash": "\u2013", b"emdash": "\u2014", b"bullet": "\u2022", b"emspace": "\u2003", b"enspace": "\u2002",
}  # fmt: skip
_SYMBOLS = {b"~": "\u00a0", b"-": "", b"_": "\u2011", b"{": "{", b"}": "}", b"\\": "\\"}


@dataclass
class _Group:
    skip: bool = False
    unicode_skip: int = 1


def extract_rtf(path: Path, limits: Limits, workdir: Path) -> Extraction:
    check_input(path, limits)
    data = path.read_bytes()
    if not data.lstrip().startswith(b"{\\rtf"):
        raise ExtractionFailed("The file does not start with {\\rtf, so it is not a Rich Text Format file.")
    return Extraction(media_type="text/rtf", pages=[ExtractedPage(1, rtf_to_text(data).strip())])


def rtf_to_text(data: bytes) -> str:
    """Return the visible text of an RTF document."""
    match = re.search(rb"\\ansicpg(\d+)", data[:4096])
    encoding = _codec(f"cp{int(match.group(1))}" if match else "cp1252")
    stack = [_Group()]
    out: list[str] = []
    pending_skip = 0
    for token in _TOKEN.finditer(data):
        word, number, hex_byte, symbol, brace, text = token.groups()
        group = stack[-1]
        if brace == b"{":
            stack.append(_Group(skip=group.skip, unicode_skip=group.unicode_skip))
            continue
        if brace == b"}":
            if len(stack) > 1:
                stack.pop()
            continue
        if word is not None:
            pending_skip = _control_word(word, number, group, out, pending_skip)
        elif symbol == b"*":
            group.skip = True
        elif group.skip:
            continue
        elif hex_byte is not None:
            if pending_skip:
                pending_skip -= 1
                continue
            out.append(bytes([int(hex_byte, 16)]).decode(encoding, "replace"))
        elif symbol is not None:
            out.append(_SYMBOLS.get(symbol, ""))
        elif text:
            if pending_skip:
                skipped = min(pending_skip, len(text))
                text, pending_skip = text[skipped:], pending_skip - skipped
            out.append(text.decode(encoding, "replace"))
    return _repair_surrogates("".join(out))


def _control_word(word: bytes, number: bytes | None, group: _Group, out: list[str], pending_skip: int) -> int:
    if word in _SKIPPED_DESTINATIONS:
        group.skip = True
        return pending_skip
    if word == b"uc" and number is not None:
        group.unicode_skip = max(int(number), 0)
        return pending_skip
    if group.skip:
        return pending_skip
    if word == b"u" and number is not None:
        code = int(number)
        out.append(chr(code + 0x10000 if code < 0 else code))
        return group.unicode_skip
    if word in _BREAKS:
        out.append(_BREAKS[word])
        return 0
    if word in _CHARACTER_WORDS:
        out.append(_CHARACTER_WORDS[word])
    return pending_skip


def _repair_surrogates(text: str) -> str:
    """Join UTF-16 surrogate pairs and replace unpaired surrogates with U+FFFD."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "cp1252"
