"""Bytes to text: UTF-8 first, then a real detector; binary files are refused, never guessed."""

from __future__ import annotations

import codecs

from charset_normalizer import CharsetMatch, from_bytes

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


# How much messier (charset-normalizer's mess ratio) Windows-1252 may read than the detector's
# pick and still be preferred. Western text with a few accents, a euro sign or curly quotes reads
# cleanly in several code pages and the detector's pick among them is close to a coin toss (cp775,
# mac_iceland); Cyrillic, Greek or Polish bytes read as Windows-1252 score far above this.
WESTERN_MESS_MARGIN = 0.1


def decode_bytes(data: bytes, encoding: str | None = None) -> str:
    """Decode ``data`` as text, or raise :class:`InputError` for binary input.

    ``encoding`` (the user's ``--encoding``) is used as given. Otherwise: a byte-order mark,
    then UTF-8, then Windows-1252 when it reads the bytes about as cleanly as the detector's
    own pick (it is by far the most common legacy encoding of English and Western European
    news; HTML5 reads latin-1 as it too), else the detector's pick."""
    if not data.strip():
        raise InputError("empty file", "nothing to read; remove it or check how it was saved")
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"binary file ({what}), not text", "convert it to text or HTML first")
    if encoding:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            raise InputError(f"not {encoding} text (byte {error.start} cannot be decoded)",
                             "give the file's encoding with --encoding, or leave it out to detect it") from None
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name, errors="replace")
    if b"\x00" in data[:8192]:
        raise InputError("binary file (contains NUL bytes), not text",
                         "convert it to text or HTML first")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    sample = data[:1_000_000]
    best = from_bytes(sample).best()
    if best is None or best.encoding is None:
        raise InputError("binary file or unknown text encoding",
                         "re-save it as UTF-8, or give its encoding with --encoding")
    if _western_reads_as_well(sample, best):
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass  # a byte Windows-1252 leaves undefined past the sample
    return data.decode(best.encoding, errors="replace")


def _western_reads_as_well(sample: bytes, best: CharsetMatch) -> bool:
    if best.encoding == "cp1252" or "cp1252" in best.could_be_from_charset:
        return True  # the same text either way
    western = from_bytes(sample, cp_isolation=["cp1252"]).best()
    return western is not None and western.chaos <= best.chaos + WESTERN_MESS_MARGIN
