"""The shipped normalisation tables: identical to the step builders, ignored when stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from censorsim.text import normalize
from censorsim.text.normalize import STEPS, Normalizer


def _shipped_applies() -> bool:
    normalize._shipped_tables.cache_clear()
    return normalize._shipped_tables() is not None


def test_shipped_tables_apply_here() -> None:
    # The project's own environment (Python 3.11, Unicode 14, OpenCC 1.4.2) uses them;
    # on another Unicode or OpenCC version they are ignored (tested below).
    data = json.loads(
        (Path(normalize.__file__).with_name(normalize._TABLES_FILE)).read_text("utf-8")
    )
    if data["versions"] != normalize._versions():
        pytest.skip(f"tables made for {data['versions']}, here {normalize._versions()}")
    assert _shipped_applies()


@pytest.mark.parametrize("step", list(STEPS))
def test_shipped_map_equals_its_builder(step: str) -> None:
    if not _shipped_applies():
        pytest.skip("the shipped tables do not apply to this Unicode/OpenCC version")
    shipped = normalize._shipped_tables()
    assert shipped is not None
    assert shipped[step] == normalize._COMPUTE[step](), (
        f"censorsim/text/{normalize._TABLES_FILE} is stale for {step!r}: regenerate it "
        "with normalize._write_tables()"
    )


def test_write_tables_round_trips(tmp_path: Path) -> None:
    path = Path(normalize._write_tables(str(tmp_path / "t.json")))
    data = json.loads(path.read_text("utf-8"))
    assert data["versions"] == normalize._versions()
    assert set(data["steps"]) == set(STEPS)


def test_stale_tables_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    other = {**normalize._versions(), "unicode": "0.0.0"}
    monkeypatch.setattr(normalize, "_versions", lambda: other)
    normalize._shipped_tables.cache_clear()
    try:
        assert normalize._shipped_tables() is None
    finally:
        monkeypatch.undo()
        normalize._shipped_tables.cache_clear()


def test_composed_table_equals_plain_composition_of_builders() -> None:
    # The default profile's table (shipped maps, composed with str.translate) equals the
    # builders' maps composed character by character.
    composed = Normalizer.from_profile("default")._map
    maps = [normalize._COMPUTE[s]() for s in ("width", "casefold", "digits", "t2s",
                                              "ignorable")]
    domain = set().union(*maps)
    plain: dict[int, str] = {}
    for cp in domain:
        out = chr(cp)
        for m in maps:
            out = "".join(m.get(ord(c), c) for c in out)
        if out != chr(cp):
            plain[cp] = out
    assert composed == plain
