"""Partners for the planted start-ups: the expected partner in the top 3."""

from __future__ import annotations

import pytest

from matching.documents import lexical_text
from matching.recommend.partners import partners, phrase_fit, search_similarity
from tests.recommend.conftest import LOCAL


@pytest.fixture(scope="module")
def engine(world_store):
    from matching.embedder import HashingEmbedder
    from matching.search import SearchEngine

    return SearchEngine.build(world_store, HashingEmbedder(dim=256))


def _run(world_index, engine, startup: dict, profile: str):
    def texts(ids):
        return {k: lexical_text(o) for k, o in world_index.details(ids).items()}

    sim = search_similarity(engine, profile, LOCAL, exclude=[startup["startup"]], texts=texts)
    return partners(world_index, LOCAL, [startup["segment"]], similarity=sim, startup=startup["startup"], k=10)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_expected_partner_in_top3_from_the_niche(world_index, engine, answers, lang):
    for s in answers["startups"]:
        top = _run(world_index, engine, s, s[f"niche_{lang}"])
        ids = [p.org for p in top]
        assert s["expected_partner"] in ids[:3], (s["startup"], ids[:5])
        hit = top[ids.index(s["expected_partner"])]
        assert hit.role == "customer" and s["expected_partner_segment"] in hit.segments


def test_full_descriptions_mostly_work(world, world_index, engine, answers):
    """A whole description is noisier than a niche phrase: ≥ 60 % top 3 over zh + en (measured 70 %)."""
    orgs = {o.id: o for o in world[0].organisations}
    hits = []
    for s in answers["startups"]:
        o = orgs[s["startup"]]
        for profile in (o.description_zh, o.description_en):
            hits.append(s["expected_partner"] in [p.org for p in _run(world_index, engine, s, profile)[:3]])
    assert sum(hits) / len(hits) >= 0.6, hits


def test_partners_are_local_not_self_and_explained(world, world_index, engine, answers):
    s = answers["startups"][0]
    top = _run(world_index, engine, s, s["niche_zh"])
    region = {o.id: o.region or "" for o in world[0].organisations}
    assert all(region[p.org].startswith(LOCAL) for p in top)
    assert s["startup"] not in {p.org for p in top}
    for p in top:
        assert abs(p.total - sum(x.value for x in p.parts)) < 1e-9 and p.reason_zh and p.reason_en


def test_known_partners_are_penalised(world_index, engine, answers):
    s = answers["startups"][0]
    top = partners(world_index, LOCAL, [s["segment"]], similarity={}, startup=s["startup"], k=1000)
    known = [p for p in top if p.parts[-1].figure == 1.0]
    assert known and all(p.parts[-1].value < 0 for p in known)


def test_phrase_fit_ignores_template_wording():
    texts = {"a": "公司正在寻找VR消防安全培训方面的合作伙伴"} | {f"t{i}": "公司正在寻找合作伙伴" for i in range(9)}
    fit = phrase_fit("VR消防安全培训，公司正在寻找合作伙伴", texts)
    assert fit["a"] == 1.0 and not any(v for k, v in fit.items() if k != "a")


def test_profile_segments_without_a_segment(world_store, world_index, answers):
    """No segment given: the start-up's own, else the 挂链 classifier's guess for the text."""
    from matching.classify import fit_store_classifier
    from matching.recommend.partners import profile_segments

    s = answers["startups"][3]
    clf = fit_store_classifier(world_store)
    assert profile_segments(world_index, s["niche_zh"], s["startup"], {}, classifier=clf) == [s["segment"]]
    guess = profile_segments(world_index, "非遗微短剧，短视频与微短剧制作，竖屏短剧拍摄", None, {},
                             classifier=lambda: clf)
    assert guess == [s["segment"]]
