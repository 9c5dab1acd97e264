"""Firewall configuration files: the shipped sample loads; errors name file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from censorsim.errors import PolicyError
from censorsim.network import (
    ESNI_BLOCKED_SINCE,
    RESIDUAL_SOURCES,
    Firewall,
    FirewallConfig,
    load_firewall_config,
)

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "configs" / "gfw-2020.toml"


def test_the_sample_loads() -> None:
    c = load_firewall_config(SAMPLE)
    assert c.name == "gfw-2020"
    assert c.residual_seconds == 90 and c.esni_residual_seconds == 180
    assert c.esni_blocked_since == date(2020, 7, 29) == ESNI_BLOCKED_SINCE
    assert c.dns_overbroad == ("919.com",)
    assert "六四" in (c.keywords or ())
    assert "Firewall('gfw-2020'" in repr(Firewall(c))


def test_defaults_are_sourced() -> None:
    """Every default window is one of the measured figures (RESIDUAL_SOURCES: 90 s,
    Rambert et al. 2021, secondary; 180 s, the ESNI report of August 2020, primary); the
    response filter's end is Park & Crandall 2010's (abstract, primary)."""
    c = FirewallConfig()
    assert c.residual_seconds == 90 and "90 s" in RESIDUAL_SOURCES
    assert c.esni_residual_seconds == 180 and "120 or 180 s" in RESIDUAL_SOURCES
    assert c.response_filtering_until == date(2009, 1, 1)


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "fw.toml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(("text", "expect"), [
    ("[firewall]\nname = 'x'\nresidual = 3\n", r"fw\.toml:3: \[firewall\] unknown key 'residual'"),
    ("[firewall]\n\nresidual_seconds = -1\n", r"fw\.toml:3: .*residual_seconds.*from 0"),
    ("[firewall]\nresidual_seconds = nan\n", r"fw\.toml:2: .*residual_seconds"),
    ("[firewall]\nesni_blocked_since = '2020-07-29'\n", r"fw\.toml:2: .*must be a date"),
    ("[dns]\ndomains = [\n  'google.com',\n  'bad domain.com',\n]\n",
     r"fw\.toml:4: \[dns\] domains: domain name 'bad domain.com'"),
    ("[ip]\nblocked = ['10.0.0.0/33']\n", r"fw\.toml:2: \[ip\] blocked: '10.0.0.0/33'"),
    ("[dns]\nforged_addresses = []\n", r"fw\.toml:2: .*forged_addresses must not be empty"),
    ("[http]\nkeywords = 'falun'\n", r"fw\.toml:2: \[http\] keywords must be a list"),
    ("[http]\nkeywords = ['falun', ' ']\n", r"fw\.toml:2: \[http\] keywords: empty"),
    ("[hosts]\n'example.com' = '999.1.1.1'\n", r"fw\.toml:2: \[hosts\] '999.1.1.1'"),
    ("[vpn]\nendpoint = 7\n", r"fw\.toml:2: \[vpn\] endpoint"),
    ("[firewall]\nreset_rate = 1.5\n", r"fw\.toml:2: \[firewall\] reset_rate must be a share"),
    ("[firewall]\nresidual_rate = true\n", r"fw\.toml:2: \[firewall\] residual_rate"),
    ("[routers]\nx = 1\n", r"fw\.toml:1: unknown section \[routers\]"),
    ("dns = 3\n", r"fw\.toml:1: \[dns\] must be a table"),
    ("[dns]\ndomains = [\n", r"fw\.toml:\d+: malformed TOML"),
])
def test_malformed_files_name_file_and_line(tmp_path: Path, text: str, expect: str) -> None:
    with pytest.raises(PolicyError, match=expect):
        load_firewall_config(_write(tmp_path, text))


def test_missing_unreadable_and_oversized_files(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not found"):
        load_firewall_config(tmp_path / "nope.toml")
    with pytest.raises(PolicyError, match="not a file"):
        load_firewall_config(tmp_path)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * ((1 << 20) + 1))
    with pytest.raises(PolicyError, match="larger than"):
        load_firewall_config(big)
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(PolicyError, match="cannot read"):
        load_firewall_config(bad)


def test_a_false_date_switches_a_mechanism_off(tmp_path: Path) -> None:
    c = load_firewall_config(_write(tmp_path, "[firewall]\nesni_blocked_since = false\n"
                                              "response_filtering_until = false\n"))
    assert c.esni_blocked_since is None and c.response_filtering_until is None


def test_config_objects_are_checked_too() -> None:
    with pytest.raises(PolicyError, match="residual_seconds"):
        FirewallConfig(residual_seconds=float("inf"))
    with pytest.raises(PolicyError, match="domain name"):
        FirewallConfig(dns_domains=("a..b",))
    with pytest.raises(PolicyError, match="reset_rate"):
        FirewallConfig(reset_rate=-0.1)
