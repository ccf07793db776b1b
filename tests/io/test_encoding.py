"""decode_bytes / detect_file_encoding: UTF-8, GBK/GB18030, clear errors."""

from __future__ import annotations

import pytest

from graph.errors import EncodingError
from graph.io import encoding as enc
from graph.io.encoding import decode_bytes, detect_file_encoding

HEADER = "企业名称,统一社会信用代码,注册地址\n深圳市光影互动科技有限公司,,深圳市南山区\n"


def test_utf8_with_and_without_bom():
    assert decode_bytes(HEADER.encode("utf-8"), "a.csv") == (HEADER, "utf-8")
    assert decode_bytes(HEADER.encode("utf-8-sig"), "a.csv") == (HEADER, "utf-8")


def test_gbk_is_detected_and_reported():
    text, used = decode_bytes(HEADER.encode("gbk"), "a.csv")
    assert (text, used) == (HEADER, "gbk")


def test_gb18030_only_characters():
    data = ("名称\n光影😀科技\n").encode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        "😀".encode("gbk")
    assert decode_bytes(data, "a.csv") == ("名称\n光影😀科技\n", "gb18030")


def test_utf16_with_bom():
    assert decode_bytes("名称\t城市\n".encode("utf-16"), "a.txt") == ("名称\t城市\n", "utf-16")


def test_explicit_utf8_refuses_gbk_with_offset_in_both_languages():
    data = b"name,city\n" + "光影".encode("gbk")
    with pytest.raises(EncodingError) as e:
        decode_bytes(data, "firms.csv", encoding="utf-8")
    err = e.value
    assert "firms.csv" in err.message and "offset 10" in err.message and "line 2" in err.message
    assert "--encoding" in err.message and "UTF-8" in err.message
    assert "firms.csv" in err.message_zh and "字节偏移 10" in err.message_zh and "--encoding" in err.message_zh
    assert err.problems[0].file == "firms.csv"


def test_explicit_gbk_works():
    assert decode_bytes(HEADER.encode("gbk"), "a.csv", encoding="GBK") == (HEADER, "GBK")


def test_neither_utf8_nor_gbk():
    data = "name\nSociété Générale, naïve café\n".encode("cp1252")
    with pytest.raises(EncodingError) as e:
        decode_bytes(data, "latin.csv")
    msg = e.value.message
    assert "latin.csv" in msg and "neither UTF-8 nor GBK" in msg and "offset 9" in msg
    assert "既不是 UTF-8" in e.value.message_zh


def test_binary_garbage():
    with pytest.raises(EncodingError, match="offset 2"):
        decode_bytes(b"ab\xff\xfe\x80\x00" * 3, "x.csv")


def test_unknown_encoding_name():
    with pytest.raises(EncodingError, match="unknown encoding 'klingon'"):
        decode_bytes(b"a", "x.csv", encoding="klingon")


def test_truncated_multibyte_at_end():
    with pytest.raises(EncodingError, match="offset 3"):
        decode_bytes("深圳".encode()[:-1], "x.csv", encoding="utf-8")


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64])
def test_file_detection_offsets_across_chunk_boundaries(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(enc, "CHUNK", chunk)
    good = ("a,b\n" + "深圳,南山\n" * 4).encode()
    p = tmp_path / "x.csv"
    p.write_bytes(good + b"\xff\n")
    with pytest.raises(EncodingError) as e:
        detect_file_encoding(p, "x.csv", "utf-8")
    assert f"offset {len(good)}" in e.value.message and "line 6" in e.value.message
    p.write_bytes(HEADER.encode("gbk") * 3)
    assert detect_file_encoding(p, "x.csv") == "gbk"
    p.write_bytes(HEADER.encode("utf-8-sig"))
    assert detect_file_encoding(p, "x.csv") == "utf-8-sig"


@pytest.mark.parametrize("codec", ["bz2", "zlib", "base64", "hex", "rot13", "uu", "quopri", "undefined",
                                   "zip", "bz2_codec", "unicode_escape", "idna", "punycode"])
def test_non_text_codecs_are_refused_before_any_decoding(codec, tmp_path):
    import bz2

    # a 1.4 KB bz2 file that unpacks to 20 MB: refused by name, never decompressed
    bomb = bz2.compress(b"a" * 20_000_000)
    assert len(bomb) < 2000
    p = tmp_path / "bomb.csv"
    p.write_bytes(bomb)
    for call in (lambda: decode_bytes(bomb, "bomb.csv", encoding=codec),
                 lambda: detect_file_encoding(p, "bomb.csv", encoding=codec)):
        with pytest.raises(EncodingError, match="not a text encoding") as e:
            call()
        assert e.value.problems[0].field == "encoding"


def test_utf16_without_bom_is_bad_input_naming_the_encoding(tmp_path):
    data = "名称\n光影\n".encode("utf-16-le")
    with pytest.raises(EncodingError, match="utf-16-le or utf-16-be") as e:
        decode_bytes(data, "a.csv", encoding="utf-16")
    assert e.value.problems[0].field == "encoding"
    assert decode_bytes(data, "a.csv", encoding="utf-16-le")[0] == "名称\n光影\n"
    p = tmp_path / "a.csv"
    p.write_bytes("name\n".encode("utf-32-le"))
    with pytest.raises(EncodingError, match="utf-32-le or utf-32-be"):
        detect_file_encoding(p, "a.csv", encoding="utf-32")


def test_real_text_encodings_pass_the_allow_list():
    for name, want in [("GB18030", "gb18030"), ("cp936", "gbk"), ("big5", "big5"), ("latin-1", "iso8859-1"),
                       ("utf_16_be", "utf-16-be"), ("shift_jis", "shift_jis")]:
        assert enc.text_codec(name) == want
