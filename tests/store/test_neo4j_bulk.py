"""Neo4jStore.write_chunked: a large batch as several transactions, equal to one write when it succeeds."""

from __future__ import annotations

import dataclasses

import pytest

from graph.errors import InvalidInput
from graph.model import Link, LinkKind, Provenance
from graph.store.protocol import Batch
from graph.store.transfer import batch_of
from tests.conftest import _neo4j_store
from tests.store.test_contract import small_world

pytestmark = pytest.mark.neo4j


@pytest.fixture
def neo():
    store = _neo4j_store()
    yield store
    store.close()


def test_chunked_equals_one_write_and_reports_progress(neo):
    world = small_world()
    seen = []
    result = neo.write_chunked(world, chunk=2, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(world), len(world)) and len(seen) > 3
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert result.inserted["organisations"] == len(world.organisations)
    assert result.inserted["links"] == len(world.links) and result.version == neo.version()
    chunked = batch_of(neo)
    neo.wipe()
    neo.write(world)
    assert batch_of(neo) == chunked
    # writing the same batch again changes nothing, not even the version
    again = neo.write_chunked(world, chunk=3)
    assert again.changed == 0 and again.version == neo.version()


def test_links_follow_organisations_merged_by_an_earlier_chunk(neo):
    world = small_world()
    neo.write(world)
    firm = world.organisations[0]
    twin = dataclasses.replace(firm, id="org:twin", name_zh="孪生公司")  # same USCC: merged onto org:firm
    link = Link("link:twin", LinkKind.SUPPLIES, "org:twin", "org:firm2", Provenance("t"), weight=0.3)
    result = neo.write_chunked(Batch(organisations=[twin], links=[link]), chunk=1)
    assert result.merged == {"org:twin": "org:firm"}
    stored = {x.id: x for x in neo.links(org="org:firm")}
    assert stored["link:twin"].src == "org:firm"


def test_a_failing_chunk_keeps_the_chunks_before_it(neo):
    world = small_world()
    bad = Link("link:bad", LinkKind.SUPPLIES, "org:firm", "org:nowhere", Provenance("t"))
    with pytest.raises(InvalidInput):
        neo.write_chunked(Batch(segments=world.segments, organisations=world.organisations, links=[bad]), chunk=100)
    assert neo.counts()["organisations"] == len(world.organisations)  # not all-or-nothing, as documented
    with pytest.raises(InvalidInput):
        neo.write_chunked(world, chunk=0)
