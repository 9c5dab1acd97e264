"""Fidelity of the network layer: each test encodes one sourced observation.

Sources (full citations in docs/network.md, which says what was read of each):
[clayton2006] Clayton, Murdoch & Watson, "Ignoring the Great Firewall of China", 2006.
[park2010] Park & Crandall, ICDCS 2010: HTML response filtering.
[xu2011] Xu, Mao & Halderman, PAM 2011: where the filtering occurs.
[rambert2021] Rambert, Weinberg, Barradas & Christin, WWW 2021: keyword filtering.
[gfwatch2021] Hoang et al., USENIX Security 2021: GFWatch, DNS censorship.
[esni2020] GFW Report, iYouPort & U. Maryland (Geneva), August 2020: China's censorship
    of ESNI.
[ooni] OONI Web Connectivity specification (ts-017).

"Primary" marks a figure read in the source itself, "secondary" one read only in a
summary of it (for Rambert et al. and GFWatch's section 4.1: corpus.lantern.io).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from censorsim.errors import ParameterError
from censorsim.network import (
    DEFAULT_TIME,
    Client,
    Firewall,
    FirewallConfig,
    Mechanism,
    Outcome,
)

T0 = datetime(2020, 7, 31, 12, 0)


def client(**config: object) -> Client:
    return Client(Firewall(FirewallConfig(**config)))  # type: ignore[arg-type]


def test_dns_forges_an_answer_for_a_blocked_name_and_its_subdomains() -> None:
    """[gfwatch2021] Queries for censored names get forged answers (wrong addresses);
    OONI records the answers as inconsistent with its control [ooni]."""
    c = client()
    o = c.fetch("https://www.twitter.com/home")
    assert (o.outcome, o.mechanism, o.trigger) == (Outcome.WRONG_ADDRESS, Mechanism.DNS,
                                                   "twitter.com")
    assert o.addresses != o.control_addresses
    assert (o.dns_consistency, o.blocking) == ("inconsistent", "dns")


def test_a_name_is_never_blocked_as_a_substring() -> None:
    """The issue's rule: ``notgoogle.com`` is not ``google.com`` (by label only)."""
    c = client()
    for url in ("https://notgoogle.com/", "https://google.com.example/",
                "https://google.community/"):
        assert c.fetch(url).outcome is Outcome.OK, url


def test_overbroad_rules_overblock_innocent_names_as_a_documented_effect() -> None:
    """[gfwatch2021] Primary (abstract): 41K innocuous names among the 311K censored
    ones match the GFW's reverse-engineered DNS rules. Secondary (summary of section
    4.1): the rules match names that end with a censored one, 919.com among the worst.
    The observation marks such a match ``overbroad``."""
    c = client(dns_overbroad=("919.com",))
    o = c.fetch("http://5919.com/")
    assert (o.outcome, o.trigger, o.overbroad) == (Outcome.WRONG_ADDRESS, "919.com", True)
    assert c.fetch("http://www.919.com/").overbroad is False
    assert c.fetch("http://919.com.example/").outcome is Outcome.OK


def test_a_single_keyword_in_the_request_resets_the_connection() -> None:
    """[clayton2006] Primary (abstract): a keyword makes the firewall send resets to
    both endpoints; ``falun`` is their example. [rambert2021] The path is read
    percent-decoded (secondary; the abstract: only certain locations are read)."""
    c = client()
    o = c.fetch("http://example.com/?falun", at=T0)
    assert (o.outcome, o.mechanism, o.trigger) == (Outcome.RESET, Mechanism.HTTP_REQUEST,
                                                   "falun")
    assert (o.failure, o.blocking) == ("connection_reset", "http-failure")
    o = client().fetch("http://example.com/search?q=%E5%85%AD%E5%9B%9B", at=T0)
    assert (o.outcome, o.trigger) == (Outcome.RESET, "六四")


def test_the_residual_block_resets_innocuous_fetches_for_the_window() -> None:
    """[rambert2021] After a censored request, connections from the same client to the
    same server IP and port are blocked for 90 seconds, the default window (secondary;
    the abstract says traffic between the two hosts is blocked "for a few minutes")."""
    c = client()
    c.fetch("http://example.com/?q=falun", at=T0)
    o = c.fetch("http://example.com/", at=T0 + timedelta(seconds=89))
    assert (o.outcome, o.mechanism, o.trigger) == (Outcome.RESET, Mechanism.RESIDUAL, "falun")
    assert o.blocking == "tcp_ip"
    assert c.fetch("http://example.com/", at=T0 + timedelta(seconds=91)).outcome is Outcome.OK


def test_the_residual_block_is_scoped_to_client_server_and_port() -> None:
    """[rambert2021] The penalty box covers (client IP, server IP, server port) only:
    other ports and other servers are unaffected; so are other clients (secondary; the
    same triple is primary for the ESNI block [esni2020])."""
    fw = Firewall()
    c = Client(fw)
    c.fetch("http://example.com/?q=falun", at=T0)
    soon = T0 + timedelta(seconds=10)
    assert c.fetch("http://example.com:8080/", at=soon).outcome is Outcome.OK
    assert c.fetch("http://example.org/", at=soon).outcome is Outcome.OK
    assert Client(fw, address="10.9.9.9").fetch("http://example.com/", at=soon).outcome \
        is Outcome.OK


@pytest.mark.parametrize(("seconds", "source"), [
    (90, "Rambert et al. 2021: 90 s (secondary)"),
    (180, "GFW Report 2020 (ESNI): 120 or 180 s (primary)"),
    (1200, "Clayton et al. 2006: about 20 minutes on average, up to nearly an hour "
           "(secondary: CIO / IDG News Service, 2006)"),
])
def test_the_residual_window_is_a_parameter(seconds: int, source: str) -> None:
    """The sources measured different windows (see RESIDUAL_SOURCES); each is a setting."""
    c = client(residual_seconds=seconds)
    c.fetch("http://example.com/?q=falun", at=T0)
    assert c.fetch("http://example.com/", at=T0 + timedelta(seconds=seconds - 1)).mechanism \
        is Mechanism.RESIDUAL, source
    assert c.fetch("http://example.com/", at=T0 + timedelta(seconds=seconds + 1)).outcome \
        is Outcome.OK, source


def test_an_unreliable_firewall_resets_the_measured_share() -> None:
    """[rambert2021] Only about 75% of requests carrying a keyword were reset
    (secondary: a summary of the paper's body): ``reset_rate`` draws, seeded per
    client. [park2010] (primary) saw response resets succeed less than 51% of the
    time."""
    c = Client(Firewall(FirewallConfig(reset_rate=0.75, residual_seconds=0)), seed=5)
    outcomes = [c.fetch("http://example.com/?q=falun", at=T0).outcome for _ in range(2000)]
    share = outcomes.count(Outcome.RESET) / len(outcomes)
    assert 0.72 < share < 0.78
    again = Client(Firewall(FirewallConfig(reset_rate=0.75, residual_seconds=0)), seed=5)
    assert [again.fetch("http://example.com/?q=falun", at=T0).outcome
            for _ in range(2000)] == outcomes


def test_the_residual_rate_blocks_a_share_of_the_window() -> None:
    """[rambert2021] 50-75% of connections in the penalty box were blocked
    (secondary: a summary of the paper's body)."""
    c = Client(Firewall(FirewallConfig(residual_rate=0.5, residual_seconds=10**4)), seed=1)
    c.fetch("http://example.com/?q=falun", at=T0)
    later = [c.fetch("http://example.com/", at=T0 + timedelta(seconds=i)).mechanism
             for i in range(1, 2001)]
    assert 0.46 < later.count(Mechanism.RESIDUAL) / 2000 < 0.54


def test_responses_were_filtered_until_early_2009() -> None:
    """[park2010] Primary (abstract): HTML responses carrying a keyword were reset,
    until the filtering was discontinued on most routes between August 2008 and January
    2009."""
    body = "<html>falun</html>"
    o = client().fetch("http://example.com/", at=datetime(2008, 6, 1), body=body)
    assert (o.outcome, o.mechanism) == (Outcome.RESET, Mechanism.HTTP_RESPONSE)
    assert client().fetch("http://example.com/", at=datetime(2010, 6, 1), body=body).outcome \
        is Outcome.OK


def test_filtering_works_in_both_directions() -> None:
    """[xu2011] Primary (abstract): "China filters Internet traffic in and out of the
    country", mostly in border ASes. [esni2020] Primary: the ESNI block is triggered
    from both sides. Traffic crossing the border is filtered whichever side starts it."""
    fw = Firewall(FirewallConfig(domestic_domains=("cn",)))
    outside = Client(fw, inside=False)
    assert outside.fetch("http://www.example.cn/?q=falun", at=T0).outcome is Outcome.RESET
    assert outside.fetch("http://example.com/?q=falun", at=T0).outcome is Outcome.OK


def test_a_client_in_hong_kong_is_outside_the_firewall() -> None:
    """Bloomberg (The Straits Times, 22 May 2020): Hong Kong kept an open Internet;
    Twitter and WhatsApp, banned on the mainland, were legal there."""
    fw = Firewall()
    assert Client(fw, inside=False).fetch("https://twitter.com/", at=T0).outcome is Outcome.OK
    assert Client(fw).fetch("https://twitter.com/", at=T0).outcome is Outcome.WRONG_ADDRESS


def test_traffic_that_does_not_cross_the_border_is_not_inspected() -> None:
    """Assumption (docs/network.md): the border firewall sees only crossing traffic;
    domestic platforms filter their own content (the rest of censorsim)."""
    c = client()
    assert c.fetch("http://www.example.cn/?q=falun", at=T0).outcome is Outcome.OK


def test_sni_naming_a_blocked_server_is_reset_on_any_port() -> None:
    """[rambert2021] SNI filtering resets a ClientHello naming a censored host (primary:
    the abstract reports SNI-based censorship); on every TCP port, with the penalty box
    (secondary)."""
    c = client(dns_domains=(), sni_domains=("facebook.com",))
    o = c.fetch("https://www.facebook.com:8443/", at=T0)
    assert (o.outcome, o.mechanism, o.failure) == (Outcome.RESET, Mechanism.SNI,
                                                   "connection_reset")
    assert c.fetch("https://www.facebook.com:8443/", at=T0 + timedelta(seconds=5)).mechanism \
        is Mechanism.RESIDUAL


def test_https_content_is_not_inspected() -> None:
    """[rambert2021] Primary (abstract): "no evidence for bulk decryption of HTTPS": a
    keyword inside an HTTPS URL passes."""
    assert client().fetch("https://example.com/?q=falun", at=T0).outcome is Outcome.OK


def test_esni_is_dropped_from_2020_07_29_with_a_residual_block() -> None:
    """[esni2020] Primary: first seen 29 July 2020 (iYouPort), ClientHellos with the
    ESNI extension are dropped (no answer) whatever the server; the triple is then
    blocked for 120 or 180 s (the default window: 180)."""
    o = client().fetch("https://example.com/", esni=True, at=datetime(2020, 7, 28))
    assert o.outcome is Outcome.OK
    c = client()
    o = c.fetch("https://example.com/", esni=True, at=T0)
    assert (o.outcome, o.mechanism, o.failure) == (Outcome.NO_ANSWER, Mechanism.ESNI,
                                                   "generic_timeout_error")
    o = c.fetch("https://example.com/", at=T0 + timedelta(seconds=170))
    assert (o.outcome, o.mechanism) == (Outcome.TIMEOUT, Mechanism.RESIDUAL)
    assert c.fetch("https://example.com/", at=T0 + timedelta(seconds=181)).outcome is Outcome.OK


def test_esni_is_dropped_on_any_port_and_a_retry_does_not_restart_the_window() -> None:
    """[esni2020] Primary: the ESNI block happens on ports 1 to 65535, and further ESNI
    handshakes during the residual window do not restart its timer."""
    c = client()
    assert c.fetch("https://example.com:2/", esni=True, at=T0).mechanism is Mechanism.ESNI
    retry = c.fetch("https://example.com:2/", esni=True, at=T0 + timedelta(seconds=100))
    assert retry.mechanism is Mechanism.RESIDUAL
    assert c.fetch("https://example.com:2/", at=T0 + timedelta(seconds=181)).outcome \
        is Outcome.OK
    assert client(esni_blocked_since=None).fetch(
        "https://example.com/", esni=True, at=T0).outcome is Outcome.OK


def test_blocked_addresses_time_out() -> None:
    """IP blocking drops packets: the TCP handshake never completes (OONI: tcp_ip)."""
    c = client(blocked_ips=("198.51.100.0/24",), hosts={"blocked.example": "198.51.100.7"})
    for url in ("https://blocked.example/", "http://198.51.100.9/"):
        o = c.fetch(url, at=T0)
        assert (o.outcome, o.mechanism, o.blocking) == (Outcome.TIMEOUT, Mechanism.IP,
                                                        "tcp_ip"), url


def test_a_vpn_bypasses_dns_keyword_and_sni_filtering_unless_its_server_is_blocked() -> None:
    """A VPN tunnels everything: the firewall sees only the tunnel. A VPN server whose
    address the firewall blocks times out (the firewall blocks proxy servers it has
    identified, "How China Detects and Blocks Shadowsocks", IMC 2020)."""
    fw = Firewall()
    vpn = Client(fw, vpn=True)
    for url in ("https://www.google.com/", "http://example.com/?q=falun"):
        assert vpn.fetch(url, at=T0).outcome is Outcome.OK
    blocked = Firewall(replace(FirewallConfig(), blocked_ips=("203.0.113.10",)))
    o = Client(blocked, vpn=True).fetch("https://example.com/", at=T0)
    assert (o.outcome, o.mechanism) == (Outcome.TIMEOUT, Mechanism.IP)


def test_each_mechanism_leaves_its_own_signature() -> None:
    """A measurement tool tells the mechanisms apart from what it observes alone
    (outcome, failure, OONI blocking), as the issue asks."""
    fw = Firewall(FirewallConfig(blocked_ips=("198.51.100.0/24",)))
    cases = {
        Mechanism.DNS: ("https://www.google.com/", False),
        Mechanism.IP: ("http://198.51.100.1/", False),
        Mechanism.HTTP_REQUEST: ("http://example.com/?q=falun", False),
        Mechanism.ESNI: ("https://example.org/", True),
        Mechanism.NONE: ("https://example.net/", False),
    }
    seen = {}
    for mech, (url, esni) in cases.items():
        o = Client(fw).fetch(url, at=T0, esni=esni)
        assert o.mechanism is mech, url
        seen[mech] = (o.outcome, o.failure, o.blocking, o.dns_consistency)
    assert len(set(seen.values())) == len(seen)


def test_observations_are_json_ready() -> None:
    import json

    o = client().fetch("https://www.google.com/")
    data = json.loads(json.dumps(o.to_json()))
    assert data["outcome"] == "wrong-address" and data["accessible"] is False
    assert o.at == DEFAULT_TIME


@pytest.mark.parametrize("bad", ["ftp://example.com/", "http://", "example.com",
                                 "http://exa mple.com/", "http://example.com:99999/",
                                 "http://" + "a" * 9000 + ".com/"])
def test_bad_urls_are_named(bad: str) -> None:
    with pytest.raises(ParameterError, match="url"):
        client().fetch(bad)


def test_bad_times_and_bodies_are_named() -> None:
    with pytest.raises(ParameterError, match="at"):
        client().fetch("http://example.com/", at=date(2020, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="body"):
        client().fetch("http://example.com/", body="x" * (2 << 20))
