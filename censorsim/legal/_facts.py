"""Legal facts: the laws a takedown or data request rests on, dated and cited.

Every date, addressee and penalty here comes from a named source (:data:`SOURCES`);
what no source gives is marked as an assumption in the fact's ``note``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "ART43_ASSISTANCE",
    "ART43_REMOVAL",
    "ART43_SCHEDULE5",
    "LEGAL_BASES",
    "NSL_IN_FORCE",
    "ORDINARY_LAW",
    "RULES_IN_FORCE",
    "SOURCES",
    "Addressee",
    "LegalBasis",
    "Penalty",
    "RequestKind",
    "TargetKind",
]

SOURCES: dict[str, str] = {
    "art43-sch4": "https://en.wikisource.org/wiki/Implementation_Rules_for_Article_43_of_the_"
                  "Law_of_the_People%E2%80%99s_Republic_of_China_on_Safeguarding_National_"
                  "Security_in_the_Hong_Kong_Special_Administrative_Region/Schedule_4",
    "infocus-2020-07-06": "https://www.infocushongkong.com/breaking-news/"
                          "new-police-powers-to-enforce-national-security-law",
    "taiwannews-2020-07-07": "https://www.taiwannews.com.tw/en/news/3961592",
    "reuters-2020-07-06": "https://nationalpost.com/pmn/news-pmn/crime-pmn/"
                          "facebook-google-suspend-processing-hong-kong-government-data-requests",
    "verge-2020-07-06": "https://www.onenewspage.com/n/Technology/1zlssdp1rb/"
                        "Google-Facebook-and-Twitter-halt-government-data-requests.htm",
    "latimes-2020-07-06": "https://www.latimes.com/business/story/2020-07-06/"
                          "google-facebook-twitter-hong-kong-data-requests",
    "ap-2020-07-06": "https://sanfrancisco.cbslocal.com/2020/07/06/"
                     "facebook-google-twitter-others-will-deny-chinas-requests-for-subversive-"
                     "user-data-in-hong-kong/",
    "reuters-tiktok-2020-07-06": "https://globalnews.ca/news/7146265/tiktok-app-hong-kong/",
    "scmp-2020-07-07": "https://scmp.com/news/world/united-states-canada/article/3092244/"
                       "national-security-law-microsoft-and-zoom-join-pause",
    "cityam-2020-07-07": "https://cityam.com/zoom-and-linkedin-join-tech-giants-in-pausing-"
                         "requests-from-hong-kong",
    "ians-2020-07-08": "https://savedelete.com/news/facebook-zoom-pause-hong-kongs-requests-"
                       "for-users-data/338084/",
    "businesstoday-2020-07-08": "https://www.businesstoday.in/technology/microsoft-and-zoom-"
                                "will-pause-data-requests-from-hong-kong-authorities/story/"
                                "409267.html",
    "pigeon-2020-07-07": "https://www.thepigeonexpress.com/chinese-app-tiktok-to-exit-hong-"
                         "kong-market-amid-controversial-security-law/",
    "verge-2019-11-25": "https://www.theverge.com/2019/11/25/20976964/chinese-americans-"
                        "censorship-wechat-hong-kong-elections-tiktok",
    "oats": "https://citizenlab.ca/2016/11/wechat-china-censorship-one-app-two-systems/",
}
"""Citation URLs by short key (news reports are cited through the copy read)."""


class RequestKind(enum.Enum):
    """What an authority requires of a provider."""

    REMOVE_CONTENT = "remove_content"
    """Remove an electronic message (Schedule 4: a disabling action)."""
    RESTRICT_ACCESS = "restrict_access"
    """Restrict or stop access to a message or an account (Schedule 4)."""
    PROVIDE_USER_DATA = "provide_user_data"
    """Hand over identification records of a user (Schedule 4, on a magistrate's warrant)."""


class TargetKind(enum.Enum):
    """What a request names."""

    MESSAGE = "message"
    ACCOUNT = "account"
    URL = "url"


class Addressee(enum.Enum):
    """Whom a legal basis lets the police address (Schedule 4, section 1: service provider
    means a platform, hosting or network service provider; publishers too)."""

    PUBLISHER = "publisher"
    PLATFORM = "platform_service_provider"
    HOSTING = "hosting_service_provider"
    NETWORK = "network_service_provider"
    POLITICAL_ORGANISATION = "political_organisation"


@dataclass(frozen=True, slots=True)
class Penalty:
    """The maximum penalty on conviction for failing to comply.

    Attributes:
        fine_hkd: the fine, Hong Kong dollars.
        imprisonment_months: the term of imprisonment.
        who: who is liable (a service provider, a publisher).
        sources: keys of :data:`SOURCES`.
        note: what is assumed, if anything.
    """

    fine_hkd: int
    imprisonment_months: int
    who: str
    sources: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """A named legal basis for requests, with the dates it applies from.

    Attributes:
        id: a short id (what requests and logs name).
        title: the instrument and provision.
        gazetted: when it was published.
        in_force: when it took effect (Hong Kong time, naive).
        addressees: whom it lets the authority address.
        kinds: the request kinds it provides for.
        penalty: the penalty for a service provider that fails to comply, or None.
        sources: keys of :data:`SOURCES`.
        note: what is assumed.
    """

    id: str
    title: str
    gazetted: date | None
    in_force: datetime
    addressees: frozenset[Addressee]
    kinds: frozenset[RequestKind]
    penalty: Penalty | None
    sources: tuple[str, ...]
    note: str = ""

    def applies(self, at: datetime, kind: RequestKind) -> bool:
        """Whether a request of ``kind`` at ``at`` can rest on this basis.

        Example:
            >>> ART43_REMOVAL.applies(datetime(2020, 7, 8), RequestKind.REMOVE_CONTENT)
            True
            >>> ART43_REMOVAL.applies(datetime(2020, 7, 2), RequestKind.REMOVE_CONTENT)
            False
        """
        return kind in self.kinds and at.replace(tzinfo=None) >= self.in_force


NSL_IN_FORCE = datetime(2020, 6, 30, 23, 0)
"""The national security law took effect at 23:00 on 2020-06-30, Hong Kong time
(Pigeon Express, 2020-07-07; Google paused data requests "when the law took effect",
The Verge, 2020-07-06)."""

RULES_IN_FORCE = datetime(2020, 7, 7, 0, 0)
"""The Article 43 implementation rules, published on 2020-07-06, took effect on 2020-07-07
(Taiwan News, 2020-07-07; "go into effect on Tuesday", In Focus Hong Kong, 2020-07-06).
The hour is an assumption (midnight)."""

_PROVIDER_PENALTY = Penalty(
    100_000, 6, "service provider",
    ("infocus-2020-07-06", "taiwannews-2020-07-07"),
)

ORDINARY_LAW = LegalBasis(
    id="hk-ordinary",
    title="Hong Kong's ordinary law and the platforms' own processes (before the rules)",
    gazetted=None,
    in_force=datetime(1997, 7, 1),
    addressees=frozenset({Addressee.PLATFORM, Addressee.HOSTING}),
    kinds=frozenset(RequestKind),
    penalty=None,
    sources=("latimes-2020-07-06", "reuters-2020-07-06"),
    note="requests the platforms received before the national security law (Google: "
         "105 user-data requests from the Hong Kong government in 2019, LA Times; "
         "Facebook restricted 394 items in Hong Kong in the second half of 2019, "
         "Reuters); no penalty for declining is modelled (assumption)",
)
"""Requests before the Article 43 rules: platforms reviewed them under their own policies."""

ART43_REMOVAL = LegalBasis(
    id="art43-sch4-removal",
    title="Implementation Rules for Article 43 of the national security law (L.N. 139 of "
          "2020), Schedule 4: removing messages endangering national security",
    gazetted=date(2020, 7, 6),
    in_force=RULES_IN_FORCE,
    addressees=frozenset({Addressee.PUBLISHER, Addressee.PLATFORM, Addressee.HOSTING,
                          Addressee.NETWORK}),
    kinds=frozenset({RequestKind.REMOVE_CONTENT, RequestKind.RESTRICT_ACCESS}),
    penalty=_PROVIDER_PENALTY,
    sources=("art43-sch4", "infocus-2020-07-06", "taiwannews-2020-07-07"),
    note="a service provider that fails to comply: fine HK$100,000 and 6 months' "
         "imprisonment (a publisher: HK$100,000 and one year)",
)
"""Schedule 4: the police may require a publisher, or a platform, hosting or network service
provider, to remove, restrict or stop access to an electronic message."""

ART43_ASSISTANCE = LegalBasis(
    id="art43-sch4-assistance",
    title="Implementation Rules for Article 43 (L.N. 139 of 2020), Schedule 4: requiring a "
          "service provider's assistance (identification records, decryption) on a "
          "magistrate's warrant",
    gazetted=date(2020, 7, 6),
    in_force=RULES_IN_FORCE,
    addressees=frozenset({Addressee.PLATFORM, Addressee.HOSTING, Addressee.NETWORK}),
    kinds=frozenset({RequestKind.PROVIDE_USER_DATA}),
    penalty=Penalty(
        100_000, 6, "service provider", ("infocus-2020-07-06",),
        note="assumption: the same penalty as for a removal requirement (reports differ; "
             "one gives a one-year term)",
    ),
    sources=("art43-sch4", "infocus-2020-07-06"),
)
"""Schedule 4's assistance requirement: user identification records on a warrant."""

ART43_SCHEDULE5 = LegalBasis(
    id="art43-sch5",
    title="Implementation Rules for Article 43 (L.N. 139 of 2020), Schedule 5: requiring "
          "foreign and Taiwan political organisations and their agents to provide "
          "information",
    gazetted=date(2020, 7, 6),
    in_force=RULES_IN_FORCE,
    addressees=frozenset({Addressee.POLITICAL_ORGANISATION}),
    kinds=frozenset(),
    penalty=Penalty(100_000, 6, "political organisation or agent", ("infocus-2020-07-06",)),
    sources=("infocus-2020-07-06",),
    note="not addressed to platforms: recorded for completeness, no scenario request uses it",
)
"""Schedule 5: information from political organisations (not from platforms)."""

LEGAL_BASES: dict[str, LegalBasis] = {
    b.id: b for b in (ORDINARY_LAW, ART43_REMOVAL, ART43_ASSISTANCE, ART43_SCHEDULE5)
}
"""Every legal basis by id."""
