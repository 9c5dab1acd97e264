"""Heat maps, query traces and the simulated day: their data, not their pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from censorsim.models import Rule
from censorsim.probe import isolate
from censorsim.research import Rate, text_matrix
from censorsim.research._matrix import EvasionMatrix
from censorsim.text import RuleSet
from censorsim.viz import (
    Query,
    TracingOracle,
    censored_share,
    collateral_damage,
    deletion_delays,
    draw_day,
    draw_image_outcomes,
    draw_matrix,
    draw_query_trace,
    image_outcomes,
    matrix_rates,
    query_masks,
    share_over_time,
)

ARTICLE = "昨天我们讨论了六四那年的学生和他们的民主运动，还有别的事"


def test_matrix_rates_are_the_cells() -> None:
    rules = [Rule.combination("六四+学生"), Rule.keyword("六四")]
    m = text_matrix(["六四的学生", "今天六四"], rules, transforms=["noop", "spaces"],
                    profiles=["identity", "default"])
    rates = matrix_rates(m)
    assert rates.shape == (2, 2)
    for i, t in enumerate(m.transforms):
        for j, c in enumerate(m.columns):
            assert rates[i, j] == m.rate(t, c).rate
    ax = draw_matrix(m)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(m.transforms)
    assert len(ax.texts) == 4


def test_a_forty_row_matrix_stays_legible() -> None:
    rows = tuple(f"transform-{i}" for i in range(40))
    cols = ("phash<=8", "dhash<=8", "md5<=0")
    cells = tuple(tuple(Rate.of(i % 5, 4 + (j > 0)) for j in range(3)) for i in range(40))
    ax = draw_matrix(EvasionMatrix("image", rows, cols, cells, 0, 16))
    fig = ax.figure
    row_inches = fig.get_size_inches()[1] * ax.get_position().height / 40
    assert row_inches >= 0.2  # a row is taller than its 8-point label
    assert all(t.get_fontsize() >= 8 for t in ax.get_yticklabels())


@pytest.mark.parametrize("method", ["binary-split", "recursive-halving"])
def test_tracing_oracle_records_every_query(method: str) -> None:
    rules = RuleSet([Rule.combination("六四+学生+民主运动")])
    oracle = TracingOracle(rules, separator="吧")
    iso = isolate(oracle, ARTICLE, method)
    assert iso.confirmed and iso.components == ("六四", "学生", "民主运动")
    assert len(oracle.log) == oracle.queries == iso.queries
    for q in oracle.log:
        assert q.censored == rules.check("吧".join(q.fragments)).censored
    masks = query_masks(ARTICLE, oracle.log)
    assert masks.shape == (len(oracle.log), len(ARTICLE))
    assert masks[0].all()  # the first query is the whole article
    for q, row in zip(oracle.log, masks, strict=True):  # every fragment sent is marked
        for frag in q.fragments:
            assert any(ARTICLE.startswith(frag, i) and row[i:i + len(frag)].all()
                       for i in range(len(ARTICLE))) or method == "recursive-halving"
        if method == "recursive-halving" and len(q.fragments) == 1:  # the characters left
            assert "".join(ARTICLE[i] for i in np.flatnonzero(row)) == q.fragments[0]
    ax = draw_query_trace(ARTICLE, oracle.log, found=iso.spans)
    assert len(ax.get_yticklabels()) == len(oracle.log)


def test_query_masks_place_repeated_fragments_in_order() -> None:
    masks = query_masks("ab-ab", [Query(1, ("ab", "ab"), True), Query(2, ("bb",), False)])
    assert masks.tolist() == [[True, True, False, True, True], [False, True, False, False, True]]


@pytest.fixture(scope="module")
def weibo_log(tmp_path_factory: pytest.TempPathFactory) -> object:
    pytest.importorskip("pandas")
    from dataclasses import replace

    from censorsim._data import data_dir
    from censorsim.simulate import Simulation, load_config, read_log

    cfg = load_config(data_dir("samples") / "configs" / "weibo-posts.toml")
    cfg = replace(cfg, messages=3000, batch_size=1000)
    db = Path(tmp_path_factory.mktemp("day")) / "weibo.db"
    Simulation(cfg).run(db)
    return read_log(db)


def test_day_tables_agree_with_the_log(weibo_log: object) -> None:
    log = weibo_log
    share = censored_share(log, "surface")
    assert int(share["messages"].sum()) == len(log)  # type: ignore[arg-type]
    for surface, row in share.iterrows():
        part = log[log["surface"] == surface]  # type: ignore[index]
        assert row["censored"] == part["censored"].sum()
        assert row["share"] == pytest.approx(part["censored"].mean())
    hourly = share_over_time(log)
    assert int(hourly["messages"].sum()) == len(log)  # type: ignore[arg-type]
    delays = deletion_delays(log)
    assert len(delays) == int((log["action"] == "delete_later").sum())  # type: ignore[index]
    assert np.all(np.diff(delays.to_numpy()) >= 0)
    coll = collateral_damage(log)
    benign = log[(log["kind"] == "benign") & (log["censored"] == 1)]  # type: ignore[index]
    for rule, row in coll.iterrows():
        assert row["messages"] == benign["rule_ids"].str.split(";").apply(
            lambda ids, r=rule: r in ids).sum()
    fig = draw_day(log)
    assert len(fig.axes) >= 4


def test_image_outcomes_count_the_blacklisted_images_by_variant(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    pytest.importorskip("pandas")
    from dataclasses import replace

    from censorsim._data import data_dir
    from censorsim.simulate import Simulation, load_config, read_log

    cfg = load_config(data_dir("samples") / "configs" / "wechat-day.toml")
    cfg = replace(cfg, messages=4000, batch_size=2000, image_share=0.3)
    db = Path(tmp_path_factory.mktemp("images")) / "wechat.db"
    Simulation(cfg).run(db)
    log = read_log(db)
    table = image_outcomes(log, cfg.banned_images)
    names = log["image"].str.split(":").str[0]
    assert int(table.to_numpy().sum()) == int(names.isin(cfg.banned_images).sum())
    assert list(table.index) == ["original", "resized", "mirrored"]
    mirrored = log[log["image"].str.endswith(":mirrored") & names.isin(cfg.banned_images)]
    assert table.loc["mirrored"].get("deliver", 0) == int((mirrored["action"] == "deliver").sum())
    ax = draw_image_outcomes(log, cfg.banned_images)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["original", "resized", "mirrored"]
