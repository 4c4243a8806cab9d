"""Where a DSL gets imagery taken down and finds help (issue 13 item 4; UKCCIS Annex C and D;
UKCIS 2024), and the advice to give when sextortion is recorded. Data, in the services' words.

Each route can become an action on the incident (incidents' `Action`, with its outcome).
"""

from dataclasses import dataclass

from incidents.rules import ActionKind


@dataclass(frozen=True)
class Route:
    key: str
    name: str
    what: str
    how: str
    action_kind: str
    under_18_only: bool = False


ROUTES = [
    Route(
        "report_remove",
        "Report Remove (Childline and the Internet Watch Foundation)",
        "A young person under 18 reports a nude or semi-nude of themselves so that it can be "
        "removed from the internet; Childline supports them through it.",
        "childline.org.uk/remove",
        ActionKind.REPORT_CHILDLINE,
        under_18_only=True,
    ),
    Route(
        "iwf",
        "Internet Watch Foundation",
        "Report sexual imagery of under-18s found online, to have it taken down.",
        "report.iwf.org.uk",
        ActionKind.REPORT_IWF,
    ),
    Route(
        "ceop",
        "CEOP (National Crime Agency)",
        "Report online sexual abuse or grooming of a child, or an adult trying to contact a "
        "child for sexual purposes.",
        "ceop.police.uk/safety-centre",
        ActionKind.REPORT_CEOP,
    ),
    Route(
        "take_it_down",
        "Take It Down (NCMEC)",
        "Helps remove nude or sexual images taken before 18 from participating platforms, "
        "without the image leaving the young person's device.",
        "takeitdown.ncmec.org",
        ActionKind.OTHER,
    ),
    Route(
        "platform",
        "The platform's own reporting",
        "Report the content or the account to the app, game or site where it was shared.",
        "the platform's report button or safety centre",
        ActionKind.REPORT_PLATFORM,
    ),
    Route(
        "posh",
        "Professionals Online Safety Helpline (UK Safer Internet Centre)",
        "Advice for staff on online safety issues, including getting content removed.",
        "0344 381 4772, helpline@saferinternet.org.uk",
        ActionKind.OTHER,
    ),
    Route(
        "nspcc",
        "NSPCC Helpline",
        "Advice for adults worried about a child.",
        "0808 800 5000, help@nspcc.org.uk",
        ActionKind.OTHER,
    ),
]
ROUTES_BY_KEY = {r.key: r for r in ROUTES}


# UKCIS 2024 and the NCA's sextortion alert: what to tell a young person being blackmailed.
SEXTORTION_ADVICE = [
    ("do_not_pay", "Do not pay or send anything more: paying rarely ends it."),
    ("keep_evidence", "Do not delete the messages or the account: they are evidence."),
    ("stop_contact", "Stop all contact, and block the account once the evidence is kept."),
    (
        "report",
        "Report it: to the police, to CEOP, and through Report Remove to get images taken down.",
    ),
]
SEXTORTION_POINTS = dict(SEXTORTION_ADVICE)
