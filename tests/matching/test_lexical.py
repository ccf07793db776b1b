"""Tokenizer and BM25 index: Chinese phrases stay whole, English is normalised, filters hold."""

from __future__ import annotations

import numpy as np

from matching.lexical import LexicalIndex, Tokenizer, top_k


def test_domain_phrases_stay_tokens_without_touching_jiebas_dictionary():
    tok = Tokenizer(["动作捕捉", "游戏引擎", "虚拟制片"])
    assert "动作捕捉" in tok("专业动作捕捉设备") and "游戏引擎" in tok("自研游戏引擎")
    plain = Tokenizer()
    assert "动作捕捉" not in plain("专业动作捕捉设备")  # no leak between tokenizers


def test_english_is_lowercased_depluralised_and_stopworded():
    assert Tokenizer()("The Motion Capture Suits of Shenzhen Co., Ltd.") == [
        "motion", "capture", "suit", "shenzhen"]


def test_mixed_text_and_legal_suffixes():
    toks = Tokenizer()("深圳市光影互动科技有限公司 LED虚拟拍摄")
    assert "led" in toks and "有限公司" not in toks and "公司" not in toks and "虚拟" in toks


def test_index_search_mask_and_round_trip(tmp_path):
    docs = ["光学动作捕捉系统 optical motion capture", "游戏引擎 game engine", "舞台灯光 stage lighting", ""]
    idx = LexicalIndex.build(docs, ["a", "b", "c", "d"], tokenizer=Tokenizer(["动作捕捉"]))
    s, r = idx.search("动作捕捉", k=2)
    assert idx.ids[r[0]] == "a" and r[1] == -1
    s, r = idx.search("game engine", k=3, mask=np.array([True, False, True, True]))
    assert (r == -1).all()
    idx.save(tmp_path / "lex")
    back = LexicalIndex.load(tmp_path / "lex")
    assert back.ids == idx.ids and np.allclose(back.scores("stage lighting"), idx.scores("stage lighting"))
    assert back.tokenizer.vocabulary == idx.tokenizer.vocabulary


def test_unknown_terms_and_empty_index(tmp_path):
    idx = LexicalIndex.build(["abc"], ["a"])
    assert not idx.scores("zzz 不存在").any()
    empty = LexicalIndex.build([], [])
    assert empty.size == 0 and empty.scores("x").shape == (0,)
    empty.save(tmp_path / "e")
    assert LexicalIndex.load(tmp_path / "e").size == 0


def test_top_k_is_deterministic_on_ties():
    s, r = top_k(np.array([1.0, 2.0, 2.0, 0.5]), 3)
    assert r.tolist() == [1, 2, 0]
