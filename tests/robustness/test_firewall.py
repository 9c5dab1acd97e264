"""Bad input to ``censorsim firewall``: one named error, exit 2, inputs unchanged.

Each row is one bad input, with the reproducer in its id and the error the command must
print (file and line, option or URL, and the problem).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.robustness.conftest import BadInput, RunCli

# name -> (file content, the error expected for it)
BAD_CONFIGS: dict[str, tuple[bytes, str]] = {
    "unknown-key.toml": (b"[firewall]\nname = 'x'\nwindow = 3\n",
                         r"unknown-key\.toml:3: \[firewall\] unknown key 'window'"),
    "bad-domain.toml": (b"[dns]\ndomains = [\n  'ok.com',\n  'not ok.com',\n]\n",
                        r"bad-domain\.toml:4: \[dns\] domains: domain name 'not ok\.com'"),
    "bad-window.toml": (b"[firewall]\nresidual_seconds = 1e9\n",
                        r"bad-window\.toml:2: .*residual_seconds"),
    "bad-toml.toml": (b"[dns\n", r"bad-toml\.toml:1: malformed TOML"),
    "quoted-date.toml": (b"[firewall]\nesni_blocked_since = '2020-07-29'\n",
                         r"quoted-date\.toml:2: .*must be a date"),
    "nul.toml": (b"[dns]\ndomains = ['a\x00.com']\n", r"nul\.toml:2: malformed TOML"),
    "utf16.toml": ("[dns]\n".encode("utf-16"), r"utf16\.toml: cannot read firewall file"),
    "bad-network.toml": (b"[ip]\nblocked = ['10.0.0.1/8']\n",
                         r"bad-network\.toml:2: \[ip\] blocked: '10\.0\.0\.1/8'"),
}


@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
@pytest.mark.parametrize("sub", ["probe", "campaign"])
def test_bad_config_files(tmp_path: Path, bad_input: BadInput, name: str, sub: str) -> None:
    content, expect = BAD_CONFIGS[name]
    path = tmp_path / name
    path.write_bytes(content)
    bad_input(["firewall", sub, "--config", str(path), "http://example.com/"], expect, [path])


@pytest.mark.parametrize(("argv", "expect"), [
    (["probe", "ftp://example.com/"], r"url 'ftp://example\.com/': expected an http"),
    (["probe", "http://"], r"url 'http://': no host"),
    (["probe", "http://example.com:70000/"], r"url .*70000"),
    (["probe", "http://ex ample.com/"], r"url .*ex ample"),
    (["probe", "--at", "yesterday", "http://example.com/"], r"--at: expected a date"),
    (["probe", "--interval", "-1", "http://example.com/"], r"--interval"),
    (["probe", "--config", "missing.toml", "http://example.com/"],
     r"missing\.toml: firewall file not found"),
    (["probe"], r"required: URL"),
    (["campaign", "--vpn-share", "2", "http://example.com/"], r"--vpn-share"),
    (["campaign", "--probes", "0", "http://example.com/"], r"--probes"),
    (["campaign", "--esni-share", "nan", "http://example.com/"], r"--esni-share"),
    (["campaign", "http://example.com/", "gopher://x/"], r"url 'gopher://x/'"),
    (["campaign", "--probes", "2000000", "http://example.com/"], r"probes must be"),
])
def test_bad_arguments(bad_input: BadInput, argv: list[str], expect: str) -> None:
    bad_input(["firewall", *argv], expect)


def test_a_config_folder_is_refused(tmp_path: Path, bad_input: BadInput) -> None:
    bad_input(["firewall", "probe", "--config", str(tmp_path), "http://example.com/"],
              r"not a file")


def test_probe_prints_one_json_line_per_url(run_cli: RunCli) -> None:
    out = run_cli(["firewall", "probe", "https://www.google.com/",
                   "http://example.com/?q=falun", "http://example.com/",
                   "https://www.google.com/?x=1"])
    assert out.code == 0, out.err
    rows = [json.loads(line) for line in out.out.splitlines()]
    assert [r["mechanism"] for r in rows] == ["dns", "http-request", "residual", "dns"]
    out = run_cli(["firewall", "probe", "--vpn", "https://www.google.com/"])
    assert json.loads(out.out)["outcome"] == "ok"


def test_campaign_prints_a_table(run_cli: RunCli) -> None:
    out = run_cli(["firewall", "campaign", "--probes", "50", "--json",
                   "https://www.google.com/", "https://example.com/"])
    assert out.code == 0, out.err
    rows = json.loads(out.out)
    assert sum(r["fetches"] for r in rows) == 50
