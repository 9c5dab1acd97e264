"""Evasion matrices, Wilson intervals, the WeChat fidelity table and probing validation."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from censorsim.errors import InputError, ParameterError, RuleError, UnknownNameError
from censorsim.models import Rule
from censorsim.research import (
    WECHAT_2018,
    EvasionMatrix,
    Rate,
    filler_alphabet,
    image_files,
    image_matrix,
    load_matrix_json,
    load_texts,
    make_articles,
    plot_matrix,
    plot_validation,
    text_matrix,
    validate_probing,
    validation_table,
    wechat_fidelity,
    wechat_reference,
    wechat_sliding_outcomes,
    wilson_interval,
)
from censorsim.text.wordlists import load_citizenlab

RULES = [Rule.combination("六四+学生"), Rule.keyword("法轮功"), Rule.combination("习近平+三连任")]
TEXTS = ["还记得六四那年的学生吗", "法轮功的消息", "习近平要三连任？", "今天吃饭了"]


def _citizenlab() -> Path | None:
    env = os.environ.get("CENSORSIM_CITIZENLAB")
    root = Path(env) if env else (
        Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "citizenlab")
    return root if root.is_dir() else None


def test_wilson_interval() -> None:
    lo, hi = wilson_interval(0, 15)
    assert lo == 0.0 and hi == pytest.approx(0.2039, abs=1e-3)
    lo, hi = wilson_interval(11, 15)
    assert lo == pytest.approx(0.4804, abs=1e-3) and hi == pytest.approx(0.8910, abs=1e-3)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ParameterError):
        wilson_interval(3, 2)
    r = Rate.of(3, 4)
    assert r.rate == 0.75 and r.low < 0.75 < r.high


def test_text_matrix() -> None:
    m = text_matrix(TEXTS, RULES, transforms=["noop", "spaces", "traditional", "drop-component"],
                    profiles=["identity", "default"], seed=1)
    assert m.items == 3  # the benign text is left out
    assert m.rate("noop", "identity").detected == 3
    assert m.rate("spaces", "identity").detected == 0
    assert m.rate("spaces", "default").detected == 3
    assert m.rate("traditional", "default").detected == 3
    assert m.rate("drop-component", "default").detected == 0  # one rule each: all evade
    assert m == text_matrix(TEXTS, RULES, transforms=["noop", "spaces", "traditional",
                                                      "drop-component"],
                            profiles=["identity", "default"], seed=1)
    assert load_matrix_json(json.loads(json.dumps(m.to_json()))) == m
    assert m.to_markdown().splitlines()[2].startswith("| noop | 3/3 (100%)")
    with pytest.raises(ParameterError, match="none of the"):
        text_matrix(["今天吃饭了"], RULES)


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("imgs")
    rng = np.random.default_rng(1)
    out = []
    for i in range(3):
        a = np.zeros((60, 90, 3), dtype=np.uint8)
        a[:, :, i] = np.linspace(0, 255, 90, dtype=np.uint8)[None, :]
        a[rng.integers(0, 40):, rng.integers(0, 60):][:20, :30] = 255
        p = folder / f"{i}.jpg"
        Image.fromarray(a).save(p, quality=90)
        out.append(p)
    return out


def test_image_matrix(images: list[Path], tmp_path: Path) -> None:
    m = image_matrix(images, detectors=["md5=0", "phash=4,12"],
                     transforms=["noop", "mirror", "jpeg-90"], seed=0)
    assert m.columns == ("md5<=0", "phash<=4", "phash<=12")
    assert all(r.detected == 3 for r in m.cells[0])
    assert m.rate("mirror", "md5<=0").detected == 0
    assert m.rate("jpeg-90", "phash<=12").detected == 3
    plot_matrix(m, tmp_path / "m.png")
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ParameterError, match="HASHER=T1"):
        image_matrix(images, detectors=["phash"])
    with pytest.raises(ParameterError, match="no images"):
        image_matrix([])


def _matrix(rates: dict[str, float], n: int = 10) -> EvasionMatrix:
    names = tuple(rates)
    cells = tuple((Rate.of(round(v * n), n), Rate.of(n, n)) for v in rates.values())
    return EvasionMatrix("image", names, ("good", "always"), cells, 0, n)


def test_wechat_fidelity_scores_agreement() -> None:
    wechat_like = {r.transform: (1.0 if r.filtered_majority else 0.0) for r in WECHAT_2018}
    fid = wechat_fidelity(_matrix(wechat_like))
    assert fid.best == "good"
    assert fid.agreement[0] == 1.0
    assert fid.agreement[1] == pytest.approx(
        sum(r.filtered_majority for r in WECHAT_2018) / len(WECHAT_2018))
    table = fid.to_markdown()
    assert "| mirror | evaded 15/15 | 0% ✓ | 100% ✗ |" in table
    assert json.loads(json.dumps(fid.to_json()))["best"] == "good"
    with pytest.raises(ParameterError, match="lacks"):
        wechat_fidelity(_matrix({"noop": 1.0}))


def test_wechat_sliding_outcomes_parses_the_result_format(tmp_path: Path) -> None:
    # Synthetic lines in the published layout (not the data itself).
    head = "name filtered (evaded) [evaded due to compression artifacts]\n\n"
    (tmp_path / "filtered-duplicates.txt").write_text(
        head + "w1 1,2 (3,4,5)\nt1 1,2,3,4,5\n", encoding="utf-8")
    (tmp_path / "filtered-blank.txt").write_text(
        head + "w1 1,4 [2,3,5]\nt1 1,2,3 (4,5)\n", encoding="utf-8")
    tile3, tile5, tile7, border = wechat_sliding_outcomes(tmp_path)
    # i image-lengths on each side: i = 1, 2, 3 are 3, 5 and 7 copies.
    assert (tile3.transform, tile3.filtered, tile3.tested) == ("tile-3", 2, 2)
    assert (tile5.transform, tile5.filtered, tile5.filtered_majority) == ("tile-5", 2, True)
    assert (tile7.transform, tile7.filtered, tile7.filtered_majority) == ("tile-7", 1, False)
    assert (border.transform, border.filtered) == ("border-long-200", 2)


def test_sliding_outcomes_from_citizenlab() -> None:
    root = _citizenlab()
    if root is None:
        pytest.skip("Citizen Lab data not present")
    out = wechat_sliding_outcomes(root / "wechat/image-filtering/tests-visual-sliding")
    assert [o.tested for o in out] == [10, 10, 10, 10]


def test_make_articles_and_validation(tmp_path: Path) -> None:
    arts = make_articles(RULES, 10, seed=3, length=200)
    assert arts == make_articles(RULES, 10, seed=3, length=200)
    alphabet = set(filler_alphabet(RULES))
    assert "六" not in alphabet and "学" not in alphabet
    for a in arts:
        assert a.firing and set(a.planted) & set(a.firing)
    v = validate_probing(RULES, articles=20, seed=0, length=300, name="toy")
    binary = next(s for s in v.scores if s.method == "binary-split")
    assert binary.correct == binary.articles == 20
    assert binary.mean_queries < 60
    table = validation_table([v])
    assert "| toy | 3 | binary-split | 20 | 100.0%" in table
    assert json.loads(json.dumps(v.to_json()))["name"] == "toy"
    adj = validate_probing(RULES, articles=20, seed=0, length=300, adjacent=1.0, name="adj")
    old = next(s for s in adj.scores if s.method == "recursive-halving")
    assert old.correct < old.articles  # side-by-side components merge
    plot_validation([v, adj], tmp_path / "v.png")
    assert (tmp_path / "v.png").stat().st_size > 0


def test_validation_on_citizenlab_lists() -> None:
    root = _citizenlab()
    if root is None:
        pytest.skip("Citizen Lab data not present")
    for ds in ("wechat/709crackdown", "coronavirus/wechat", "qqmail"):
        v = validate_probing(load_citizenlab(root, ds), articles=5, seed=1, name=ds,
                             methods=["binary-split"])
        assert v.scores[0].correct == 5, ds


def test_errors_name_the_problem() -> None:
    m = _matrix({"noop": 1.0})
    with pytest.raises(UnknownNameError, match="matrix row 'nope'"):
        m.rate("nope", "good")
    with pytest.raises(UnknownNameError, match="expected one of: good, always"):
        m.rate("noop", "bad")
    with pytest.raises(UnknownNameError, match="unknown text transform"):
        text_matrix(TEXTS, RULES, transforms=["nope"])
    with pytest.raises(ParameterError, match="image matrix"):
        wechat_fidelity(EvasionMatrix("text", ("noop",), ("x",), ((Rate.of(1, 1),),), 0, 1))
    with pytest.raises(RuleError, match="no rule to plant"):
        make_articles([Rule.ordered(["六四", "学生"])], 1)
    with pytest.raises(UnknownNameError, match="isolation method"):
        validate_probing(RULES, articles=1, methods=["nope"])
    with pytest.raises(ParameterError, match="articles"):
        validate_probing(RULES, articles=0)


def test_wechat_reference(tmp_path: Path) -> None:
    ref = wechat_reference(["mirror", "noop", "jpeg-50", "tile-2"])
    assert [r.transform for r in ref] == ["noop", "mirror"]
    with pytest.raises(InputError, match="sliding-window"):
        wechat_reference(["tile-2"], citizenlab=tmp_path)


def test_inputs(tmp_path: Path) -> None:
    assert load_texts() and all(p.suffix == ".jpg" for p in image_files())
    corpus = tmp_path / "c.txt"
    corpus.write_text("# comment\n\n  六四的学生 \nhello\n", encoding="utf-8")
    assert load_texts([corpus]) == ["六四的学生", "hello"]
    with pytest.raises(InputError, match="cannot read"):
        load_texts([tmp_path / "missing.txt"])
    (tmp_path / "sub").mkdir()
    Image.new("RGB", (2, 2)).save(tmp_path / "sub" / "a.PNG")
    (tmp_path / "sub" / "notes.txt").write_text("x", encoding="utf-8")
    assert image_files([tmp_path]) == [tmp_path / "sub" / "a.PNG"]
