"""Bytes to text: UTF-8 first, then a real detector; binary files are refused, never guessed."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from ..errors import InputError

# Magic numbers of binary formats people drop into a corpus folder by accident.
_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or an Office document)",
    b"\x7fELF": "an executable",
    b"SQLite format 3": "an SQLite database",
}


_SINGLE_BYTE_LATIN = {"cp1250", "cp1252", "latin1", "iso88591", "iso885915", "iso88592", "cp1257",
                      "iso885913", "cp850", "maclatin2", "macroman"}


def decode_bytes(data: bytes) -> str:
    """Decode ``data`` as text, or raise :class:`InputError` for binary input."""
    if not data.strip():
        raise InputError("empty file", "nothing to read; remove it or check how it was saved")
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"binary file ({what}), not text", "convert it to text or HTML first")
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if b"\x00" in data[:8192]:
        raise InputError("binary file (contains NUL bytes), not text",
                         "convert it to text or HTML first")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        raise InputError("binary file or unknown text encoding",
                         "re-save it as UTF-8 and build again")
    if best.encoding.replace("_", "").lower() in _SINGLE_BYTE_LATIN:
        # Short texts cannot tell these apart statistically; Windows-1252 is by far the most
        # common legacy encoding of English news pages (HTML5 even reads latin-1 as it).
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return data.decode(best.encoding, errors="replace")
