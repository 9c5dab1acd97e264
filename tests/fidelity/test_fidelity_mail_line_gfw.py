"""QQMail, LINE and the Great Firewall: one test per published observation."""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.errors import PolicyError
from censorsim.models import Action, Direction, Outcome, Rule
from censorsim.platforms import LINE_NOTICE, great_firewall, line, qqmail
from censorsim.policy import Censor, Message, Region, Surface
from tests.fidelity.conftest import AT


def test_qqmail_combination_and_extenuating_keyword() -> None:
    """Knockel and Ruan, "Measuring QQMail's automated email censorship in China" (FOCI
    2021): 习近平 alone and 复辟 alone pass, together the mail is refused with "550 Mail
    content denied", and adding the extenuating keyword 群发机 lets it through."""
    c = Censor(qqmail())
    for text in ("习近平", "复辟"):
        assert c.check(Message(text, Surface.MAIL), at=AT).action is Action.DELIVER
    refused = c.check(Message("习近平 复辟", Surface.MAIL), at=AT)
    assert refused.action is Action.REFUSE and refused.error == "550 Mail content denied"
    assert c.check(Message("习近平 复辟 群发机", Surface.MAIL), at=AT).action is Action.DELIVER


def test_qqmail_published_counts(citizenlab: Path) -> None:
    """QQMail paper (FOCI 2021) and its data: 173 censored combinations; 43 extenuating
    combinations, each switching off the censored combinations it names."""
    policy = qqmail(citizenlab=citizenlab)
    rules = policy.rulesets["mail"].rules
    assert len(rules) == 173
    assert len({u for r in rules for u in r.unless}) == 43


def test_line_refuses_with_notice_for_china_numbers_only() -> None:
    """Asia Chats: LINE (Citizen Lab, 2013): with a China-registered number the app
    refuses to send a message holding a listed word, telling the sender "This message
    contains forbidden words and cannot be sent."; other accounts send it (their own
    client does not filter: see the masking test for what a China number receives)."""
    c = Censor(line([Rule.keyword("六四")]))
    d = c.check(Message("六四", Surface.CHAT, Region.MAINLAND), at=AT)
    assert d.action is Action.REFUSE and d.error == LINE_NOTICE and not d.sender_sees_sent
    assert d.outcome is Outcome.REFUSED and d.delivered_text is None
    intl = c.check(Message("六四", Surface.CHAT, Region.INTERNATIONAL), at=AT)
    assert intl.sender_sees_sent and intl.error is None


def test_line_masks_received_words_with_asterisks() -> None:
    """Asia Chats: LINE (Citizen Lab, 2013), from the reverse-engineered client: with a
    China number the app will "disallow sending any messages that contain any of those
    words, as well as replace those words with asterisks when received". A message from
    an international account reaches a China number with each listed word as asterisks,
    one per character (code points of the original text, whatever the matching folded);
    other recipients see it whole. The sender's own refusal stays the notice above."""
    c = Censor(line([Rule.keyword("六四"), Rule.keyword("falun")]))
    d = c.check(Message("他说六四和Falun的事", Surface.GROUP_CHAT, Region.INTERNATIONAL),
                at=AT)
    assert d.outcome is Outcome.MASKED and d.action is Action.HIDE
    assert d.hidden_from == frozenset({Region.MAINLAND}) and d.sender_sees_sent
    assert d.delivered_text == "他说**和Falun的事"  # literal matching: Falun is not falun
    folded = Censor(line([Rule.keyword("falun")], normalizer="default"))
    d2 = folded.check(Message("ｆａｌｕｎ!", Surface.CHAT, Region.INTERNATIONAL), at=AT)
    assert d2.delivered_text == "*****!" and len(d2.delivered_text) == len("ｆａｌｕｎ!")
    plain = c.check(Message("今天天气很好", Surface.CHAT, Region.INTERNATIONAL), at=AT)
    assert plain.action is Action.DELIVER and plain.delivered_text is None


def test_line_downloaded_list_versions(citizenlab: Path) -> None:
    """LINE keyword filtering upgraded to include regular expressions (Citizen Lab, 2014):
    list v24 added regular expressions; with the data the profile reads the downloaded
    list of the version asked for, regex lines as ordered rules."""
    import warnings

    from censorsim.models import RuleMode
    from censorsim.policy import RuleIdentityWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuleIdentityWarning)  # v24 repeats one line
        v24 = line(citizenlab=citizenlab, version="line-v24").rulesets["client"].rules
        v22 = line(citizenlab=citizenlab, version="line-v22").rulesets["client"].rules
    assert any(r.mode is RuleMode.ORDERED for r in v24)
    assert not any(r.mode is RuleMode.ORDERED for r in v22)


def test_gfw_single_keyword_resets() -> None:
    """Clayton, Murdoch and Watson, "Ignoring the Great Firewall of China" (2006): an
    HTTP request carrying the single keyword "falun" is answered with forged resets."""
    d = Censor(great_firewall()).check(Message("GET /?falun HTTP/1.0", Surface.WEB), at=AT)
    assert d.action is Action.BLOCK and d.error == "connection reset"


def test_gfw_keyword_filter_is_not_combinations() -> None:
    """Clayton et al. (2006): the HTTP filter matches single keywords, not WeChat-style
    combinations; a combination rule is refused with a PolicyError."""
    with pytest.raises(PolicyError, match="single keywords"):
        great_firewall([Rule.combination("六四+学生")])


def test_gfw_domain_matches_domain_and_subdomains_only() -> None:
    """Issue 11 item 7 (the intended rule, the default ``domain_match="domain"``): a
    blocked name matches as that domain or a subdomain (www.google.com), never as a
    substring (notgoogle.com, google.community). Hoang et al. (2021) measured overbroad
    filters too: see the next test."""
    c = Censor(great_firewall(keywords=[]))
    blocked = ["https://google.com/", "https://www.Google.com/search?q=x", "google.com:443"]
    for url in blocked:
        assert c.check(Message(f"GET {url}", Surface.WEB), at=AT).rule_ids == (
            "domain:google.com",)
    for url in ("https://notgoogle.com/", "https://google.community/"):
        assert c.check(Message(f"GET {url}", Surface.WEB), at=AT).action is Action.DELIVER


def test_gfw_overbroad_domain_filters_are_a_parameter() -> None:
    """Hoang et al., "How Great is the Great Firewall?" (USENIX Security 2021): the DNS
    filter's regular expressions blocked 41K innocuous domains that merely contain a
    censored name. The sources differ from the issue's domain-or-subdomain rule, so it is
    a parameter: ``domain_match="substring"`` blocks notgoogle.com too."""
    wide = Censor(great_firewall(keywords=[], domain_match="substring"))
    d = wide.check(Message("GET https://notgoogle.com/", Surface.WEB), at=AT)
    assert d.rule_ids == ("domain:google.com",)
    from censorsim.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match="domain match"):
        great_firewall(domain_match="prefix")


def test_gfw_filters_requests_and_responses() -> None:
    """Keyword filtering is bidirectional. Clayton, Murdoch and Watson (PET 2006) reset
    a request carrying "falun" (the request direction); Park and Crandall (ICDCS 2010)
    measured the filtering of HTML responses and found it discontinued on most routes
    between August 2008 and January 2009 while request filtering went on. So on the
    `gfw` profile a response holding the keyword is reset before 2009 and delivered
    after; a request is reset in both periods; blocked domains apply to requests."""

    c = Censor(great_firewall())
    before, after = datetime(2006, 6, 1), datetime(2017, 7, 20)
    response = Message("<p>falun</p>", Surface.WEB, direction=Direction.RESPONSE)
    request = Message("GET /?falun HTTP/1.0", Surface.WEB)
    d = c.check(response, at=before)
    assert d.action is Action.BLOCK and d.error == "connection reset"
    assert c.check(response, at=after).action is Action.DELIVER
    for at in (before, after):
        assert c.check(request, at=at).action is Action.BLOCK
    page = Message("see https://twitter.com/", Surface.WEB, direction=Direction.RESPONSE)
    assert c.check(page, at=before).action is Action.DELIVER
    always = Censor(great_firewall(response_until=None))
    assert always.check(response, at=after).action is Action.BLOCK


_TEXT = st.text(alphabet=st.sampled_from(list("六四学生刘晓波劉曉波 falunFALUN，。!ab12")),
                max_size=30)


@functools.cache
def _line_and_reference(keywords: tuple[str, ...], normalizer: str) -> tuple[Censor, Any]:
    from censorsim.text.rules import RuleSet

    rules = [Rule.keyword(k) for k in keywords]
    return Censor(line(rules, normalizer=normalizer)), RuleSet(rules, normalizer=normalizer)


@settings(max_examples=100, deadline=None)
@given(text=_TEXT, keywords=st.sampled_from([("六四", "晓波", "falun", "学生", "ab"), ("ab",)]),
       normalizer=st.sampled_from(["identity", "default"]))
def test_line_masking_agrees_with_the_reference(
    text: str, keywords: tuple[str, ...], normalizer: str
) -> None:
    """Asia Chats (2013): masked words become asterisks, one per character. The censor's
    masked text (its fast path over ``check_many``) equals the plain reference, the rule
    set's own ``ScanResult.masked()`` of the text, for Chinese and mixed-script text,
    folded or literal; it keeps the text's length in code points."""
    censor, reference = _line_and_reference(keywords, normalizer)
    d = censor.check(Message(text, Surface.CHAT, Region.INTERNATIONAL), at=AT)
    ref = reference.check(text)
    if ref.hits:
        assert d.outcome is Outcome.MASKED and d.delivered_text == ref.masked()
        assert len(d.delivered_text) == len(text)
    else:
        assert d.action is Action.DELIVER and d.delivered_text is None


def test_policy_files_state_masking_responses_and_deletion_share(tmp_path: Path) -> None:
    """The behaviours above are parameters a policy file can set too: LINE's masking of
    received words (Asia Chats 2013), the Great Firewall's response filtering (Park and
    Crandall 2010), Weibo's deletion share (Zhu et al. 2013) and the error of one
    outcome ("data error", Citizen Lab 2014)."""
    from censorsim.policy import load_policy

    path = tmp_path / "p.toml"
    path.write_text(
        '[policy]\nname = "p"\n[rulesets.main]\nrules = ["六四"]\ndefault_action = "refuse"\n'
        '[surfaces.chat]\nrulesets = ["main"]\nregions = ["mainland"]\nmask_received = true\n'
        '[surfaces.web]\nrulesets = ["main"]\nresponse_rulesets = ["main"]\n'
        '[surfaces.post]\nrulesets = ["main"]\nerrors = { refused = "data error" }\n'
        '[deletion]\nshare = 0.25\nshares = { "六四" = 0.5 }\n', encoding="utf-8")
    p = load_policy(path)
    assert p.deletion_share == 0.25 and p.deletion_share_of(("六四",)) == 0.5
    c = Censor(p)
    d = c.check(Message("说六四", Surface.CHAT, Region.INTERNATIONAL), at=AT)
    assert d.delivered_text == "说**"
    resp = c.check(Message("六四", Surface.WEB, direction=Direction.RESPONSE), at=AT)
    assert resp.action is Action.REFUSE
    assert c.check(Message("六四", Surface.POST), at=AT).error == "data error"
    bad = tmp_path / "bad.toml"
    bad.write_text("[deletion]\nshare = 1.5\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="share"):
        load_policy(bad)


def test_scan_platform_line_shows_the_masked_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Asia Chats (2013), on the command line: ``censorsim scan --platform line`` shows
    LINE's decision per message: from an international account the listed word reaches
    China numbers as asterisks (``delivered_text``); from a China number it is refused
    with the notice."""
    import json

    from censorsim.cli import main

    msgs = tmp_path / "m.txt"
    msgs.write_text("他说藏人自焚的事\n", encoding="utf-8")
    assert main(["scan", "--platform", "line", "--region", "international", str(msgs)]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["outcome"] == "masked" and rec["delivered_text"] == "他说****的事"
    assert main(["scan", "--platform", "line", "--fail-on-hit", str(msgs)]) == 1
    rec = json.loads(capsys.readouterr().out)
    assert rec["outcome"] == "refused" and rec["error"] == LINE_NOTICE
    assert main(["scan", "--platform", "line", "--surface", "post", str(msgs)]) == 2
    assert "no surface 'post'" in capsys.readouterr().err


_WEB = st.tuples(st.sampled_from(["GET /?falun", "<p>falun</p>", "GET https://twitter.com/",
                                  "六四 falun", "ok"]),
                 st.sampled_from(list(Direction)), st.sampled_from(list(Region)),
                 st.sampled_from([datetime(2006, 6, 1), datetime(2017, 7, 20)]))


@functools.cache
def _gfw_and_line() -> tuple[Censor, Censor]:
    return Censor(great_firewall()), Censor(line([Rule.keyword("六四")]))


@settings(max_examples=60, deadline=None)
@given(items=st.lists(_WEB, max_size=12))
def test_batch_decisions_equal_one_by_one(
    items: list[tuple[str, Direction, Region, datetime]]
) -> None:
    """The censor's batch path groups messages by surface, day and direction (Park and
    Crandall 2010: the two directions are filtered by different rule sets); its
    decisions equal those of the messages checked one at a time, on the Great Firewall
    and on LINE (Asia Chats 2013: masked text included)."""
    gfw, ln = _gfw_and_line()
    web = [Message(t, Surface.WEB, r, direction=d) for t, d, r, _ in items]
    chat = [Message(t, Surface.CHAT, r) for t, _, r, _ in items]
    times = [at for *_, at in items]
    for censor, msgs in ((gfw, web), (ln, chat)):
        batch = censor.check_many(msgs, at=times)
        assert batch == [censor.check(m, at=at) for m, at in zip(msgs, times, strict=True)]
