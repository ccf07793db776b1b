"""Text encodings of imported files: UTF-8 first, then GBK/GB18030, else a clear error.

Enterprise-data platforms and Excel on Chinese Windows still hand out GBK
files. We decode UTF-8 (with or without a byte-order mark) by default; a file
that is not valid UTF-8 but decodes strictly as GBK or GB18030 *and* reads as
Chinese text is decoded as such, and the encoding used is reported. Anything
else raises :class:`~graph.errors.EncodingError` naming the file and the byte
offset (and line) of the first undecodable byte, in English and Chinese.

Files are checked in chunks (:func:`detect_file_encoding`) so a large CSV is
never held in memory twice; :func:`decode_bytes` is the in-memory twin.

Examples
--------
>>> decode_bytes("名称\\n".encode("utf-8-sig"), "a.csv")
('名称\\n', 'utf-8')
>>> decode_bytes("企业名称,注册地址\\n".encode("gbk"), "a.csv")
('企业名称,注册地址\\n', 'gbk')
>>> decode_bytes("企业名称".encode("gbk"), "a.csv", encoding="utf-8")
Traceback (most recent call last):
...
graph.errors.EncodingError: a.csv is not valid utf-8 text: byte 0xC6 at offset 0 (line 1) cannot be decoded; convert the file to UTF-8 or pass --encoding
  a.csv: not valid utf-8 text: byte 0xC6 at offset 0 (line 1) cannot be decoded
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from pathlib import Path

from graph.errors import EncodingError, Problem

__all__ = ["decode_bytes", "detect_file_encoding", "display_name", "iter_chunks", "text_codec"]

CHUNK = 1 << 20
_SAMPLE_CHARS = 20_000  # non-ASCII characters sampled for the "reads as Chinese" check
_MIN_GB2312_SHARE = 0.8


def iter_chunks(path: Path, size: int | None = None) -> Iterator[bytes]:
    """The bytes of ``path`` in chunks of ``size`` (default :data:`CHUNK`)."""
    size = size or CHUNK
    with open(path, "rb") as f:
        while chunk := f.read(size):
            yield chunk


# Codecs the registry calls "text" that do not decode a file's characters: escapes,
# host-name transforms, the always-failing "undefined" and the raw byte map.
_NOT_FILE_TEXT = frozenset({"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape",
                            "escape", "charmap"})


def _refused(encoding: str, file: str, reason: str, reason_zh: str) -> EncodingError:
    return EncodingError(f"{file}: {reason}", f"{file}：{reason_zh}",
                         [Problem(file, None, "encoding", reason)])


def text_codec(encoding: str, file: str = "input") -> str:
    """The registry name of ``encoding`` if it is a text encoding a file can be in, else refuse it.

    The one allow-list of ``--encoding`` / ``encoding=``: Python's codec
    registry also holds byte-to-byte transforms (``bz2``, ``zlib``, ``base64``,
    ``hex``, ``uu``, ``quopri``), ``rot13`` and ``undefined``; decoding a
    file with ``bz2`` unpacks a decompression bomb in memory, so only codecs
    the registry marks as text encodings, minus escapes and host-name
    transforms, are accepted.

    >>> text_codec("GB18030"), text_codec("utf_16_le"), text_codec("latin-1")
    ('gb18030', 'utf-16-le', 'iso8859-1')
    >>> text_codec("bz2", "a.csv")
    Traceback (most recent call last):
    ...
    graph.errors.EncodingError: a.csv: 'bz2' is not a text encoding (a compression or transform codec); pass a text encoding such as utf-8 or gb18030
      a.csv [encoding]: 'bz2' is not a text encoding (a compression or transform codec); pass a text encoding such as utf-8 or gb18030
    """
    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError, TypeError) as e:
        raise _refused(encoding, file, f"unknown encoding {encoding!r}", f"未知的编码 {encoding!r}") from e
    if not getattr(info, "_is_text_encoding", False) or info.name in _NOT_FILE_TEXT:
        raise _refused(encoding, file,
                       f"{encoding!r} is not a text encoding (a compression or transform codec); "
                       "pass a text encoding such as utf-8 or gb18030",
                       f"{encoding!r} 不是文本编码（压缩或转换编解码器）；请指定 utf-8、gb18030 等文本编码")
    return info.name


class _Bad(Exception):
    def __init__(self, offset: int, line: int, byte: int | None):
        self.offset, self.line, self.byte = offset, line, byte


def _check(chunks: Iterable[bytes], codec: str, sample: list[str] | None = None) -> None:
    """Decode ``chunks`` strictly; raise :class:`_Bad` at the first bad byte.

    When ``sample`` is given, collect up to ``_SAMPLE_CHARS`` decoded
    non-ASCII characters into it.
    """
    decoder = codecs.getincrementaldecoder(codec)("strict")
    base = 0  # offset of the first byte of the current chunk
    lines = 0  # newlines in the bytes before ``base``
    for chunk in chunks:
        pending = decoder.getstate()[0]
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as e:
            data = pending + chunk
            start = base - len(pending) + e.start
            # pending bytes are an incomplete character: never a newline
            line = lines + chunk[: max(0, e.start - len(pending))].count(b"\n") + 1
            raise _Bad(start, line, data[e.start]) from None
        if sample is not None and len(sample) < _SAMPLE_CHARS and not text.isascii():
            sample.extend(ch for ch in text[: _SAMPLE_CHARS * 4] if ord(ch) > 127)
        lines += chunk.count(b"\n")
        base += len(chunk)
    pending = decoder.getstate()[0]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _Bad(base - len(pending), lines + 1, pending[0] if pending else None) from None
    if decoder.getstate()[0]:  # utf-8-sig keeps a lone BOM prefix (b"\xef") even when final
        raise _Bad(base - len(pending), lines + 1, pending[0])


def _reads_as_chinese(sample: list[str]) -> bool:
    """Most decoded non-ASCII characters are common (GB2312) characters.

    Latin-1 text mis-decoded as GBK gives rare ideographs; real Chinese gives
    common ones.
    """
    if not sample:
        return True
    common = 0
    for ch in sample[:_SAMPLE_CHARS]:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common >= _MIN_GB2312_SHARE * min(len(sample), _SAMPLE_CHARS)


def _guess(sample: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(sample).best()
    except Exception:  # pragma: no cover - a hint only, never fatal
        return None
    return best.encoding if best is not None else None


def _error(file: str, enc: str, bad: _Bad, guess: str | None = None) -> EncodingError:
    byte = f"byte 0x{bad.byte:02X}" if bad.byte is not None else "an incomplete character"
    where = f"{byte} at offset {bad.offset} (line {bad.line})"
    byte_zh = f"字节 0x{bad.byte:02X}" if bad.byte is not None else "不完整的字符"
    where_zh = f"第 {bad.line} 行（字节偏移 {bad.offset}）的{byte_zh} "
    hint = f" (it may be {guess})" if guess else ""
    hint_zh = f"（可能是 {guess}）" if guess else ""
    if enc == "auto":
        reason = f"neither UTF-8 nor GBK/GB18030 text{hint}: {where} is not valid UTF-8"
        reason_zh = f"既不是 UTF-8 也不是 GBK/GB18030 编码{hint_zh}：{where_zh}不是有效的 UTF-8"
    else:
        reason = f"not valid {enc} text: {where} cannot be decoded"
        reason_zh = f"不是有效的 {enc} 编码：{where_zh}无法解码"
    return EncodingError(
        f"{file} is {reason}; convert the file to UTF-8 or pass --encoding",
        f"{file} {reason_zh}；请将文件转换为 UTF-8，或用 --encoding 指定编码",
        [Problem(file, None, None, reason)],
    )


def _detect(chunks: Iterable[bytes], first: bytes, file: str, encoding: str | None) -> str:
    """The codec to open the data with (BOM-stripping for UTF-8/16)."""
    if encoding is not None:
        codec = text_codec(encoding, file)
        if codec == "utf-8":
            codec = "utf-8-sig"
        try:
            _check(chunks(), codec)
        except _Bad as bad:
            raise _error(file, encoding, bad) from None
        except UnicodeError as e:  # utf-16 / utf-32 without a byte-order mark
            raise _refused(encoding, file,
                           f"cannot be read as {encoding!r}: {e}; pass the byte order, e.g. "
                           f"{codec}-le or {codec}-be",
                           f"无法按 {encoding!r} 读取：{e}；请指定字节序，例如 {codec}-le 或 {codec}-be") from None
        return codec
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            _check(chunks(), "utf-16")
            return "utf-16"
        except _Bad as bad:
            raise _error(file, "utf-16", bad) from None
    try:
        _check(chunks(), "utf-8-sig")
        return "utf-8-sig"
    except _Bad as bad:
        utf8_bad = bad
    for codec in ("gbk", "gb18030"):
        sample: list[str] = []
        try:
            _check(chunks(), codec, sample)
        except _Bad:
            continue
        if _reads_as_chinese(sample):
            return codec
        break
    start = max(0, utf8_bad.offset - 2048)
    raise _error(file, "auto", utf8_bad, _guess(first[start : start + 8192] or first))


def detect_file_encoding(path: Path, file: str, encoding: str | None = None) -> str:
    """Check the whole of ``path`` and return the codec to open it with.

    Parameters
    ----------
    path : Path
        The file.
    file : str
        Its name as shown in messages.
    encoding : str, optional
        Use this encoding strictly instead of detecting one.

    Returns
    -------
    str
        A Python codec name: ``utf-8-sig`` (UTF-8, BOM stripped), ``gbk``,
        ``gb18030``, ``utf-16`` or the explicit encoding.

    Raises
    ------
    EncodingError
        The file cannot be decoded; the message names the byte offset and line.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "gbk.csv"
    ...     _ = p.write_bytes("名称\\n深圳市光影科技有限公司\\n".encode("gbk"))
    ...     detect_file_encoding(p, "gbk.csv")
    'gbk'
    """
    with open(path, "rb") as f:
        first = f.read(CHUNK)
    return _detect(lambda: iter_chunks(path), first, file, encoding)


def display_name(codec: str) -> str:
    """The encoding name shown to users (``utf-8-sig`` is just UTF-8).

    >>> display_name("utf-8-sig"), display_name("gbk")
    ('utf-8', 'gbk')
    """
    return "utf-8" if codec == "utf-8-sig" else codec


def decode_bytes(data: bytes, file: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data``: UTF-8 (BOM stripped), else GBK/GB18030, else fail clearly.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    file : str
        The file's name, for messages.
    encoding : str, optional
        Decode strictly with this encoding instead of detecting one.

    Returns
    -------
    tuple of (str, str)
        The text and the encoding used (``utf-8``, ``gbk``, ``gb18030``,
        ``utf-16`` or the explicit one).

    Raises
    ------
    EncodingError
        Naming ``file`` and the byte offset of the first undecodable byte.

    Examples
    --------
    >>> decode_bytes(b"name\\nA", "a.csv")
    ('name\\nA', 'utf-8')
    >>> decode_bytes("深圳".encode("gb18030"), "a.csv")[1]
    'gbk'
    """
    codec = _detect(lambda: iter([data]), data[:CHUNK], file, encoding)
    text = data.decode(codec)
    return text, (encoding if encoding is not None else display_name(codec))
