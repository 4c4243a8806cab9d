"""The response to a subject access request (R41): the young person's own file, with what is
withheld taken out.

Every other person involved is withheld (their name, identifiers and part), and so is every
account given at disclosure and a friend who disclosed, unless the DSL decides otherwise; in
every passage released, the names of the other people withheld and of every other pupil on the
roll, and any UPN not the young person's, are replaced by "[withheld: another young person]".
Each withholding carries its exemption and reason, the DSL's or the default's.
"""

import re

from django.utils import timezone

from accounts.models import Pupil
from incidents.rules import AgeBand, PersonRole

from .models import SubjectAccessRequest
from .sar_models import Exemption
from .transfers import incidents_of

WITHHELD_CHILD = "[withheld: another young person]"
WITHHELD_PERSON = "[withheld: another person]"
# How a withheld passage reads in the response, by the exemption applied.
WITHHELD_AS = {
    Exemption.THIRD_PARTY: WITHHELD_CHILD,
    Exemption.SERIOUS_HARM: "[withheld: serious harm]",
    Exemption.CHILD_ABUSE: "[withheld: child abuse data]",
    Exemption.CRIME: "[withheld: crime]",
}
UPN = re.compile(r"\b[A-Z]\d{11}[0-9A-Z]\b")


def _is_child(person, day) -> bool:
    age = person.age_at(day)
    return age < 18 if age is not None else person.age_band != AgeBand.ADULT


def _person_default(incident, person) -> tuple[str, str, str]:
    """Another person involved is withheld unless the DSL decides otherwise: (what, exemption,
    reason)."""
    who = "another young person" if _is_child(person, incident.incident_date) else "another person"
    return (
        f"The name, identifiers and part of {who} involved in {incident.reference}",
        Exemption.THIRD_PARTY,
        f"This is {who}'s personal data; they have not agreed to its release and it is not "
        "reasonable to release it without their agreement.",
    )


ACCOUNT_DEFAULT = (
    "The account given when {reference} was disclosed",
    Exemption.THIRD_PARTY,
    "The account is in the words of the person who disclosed it and tells of other young people.",
)
DISCLOSER_DEFAULT = (
    "Who disclosed {reference}",
    Exemption.THIRD_PARTY,
    "A friend of the young person disclosed it: who they are is another young person's data.",
)


def _passage_default(default, incident) -> tuple[str, str, str]:
    what, exemption, reason = default
    return what.format(reference=incident.reference), exemption, reason


def _names(sar, incidents, withheld_people) -> re.Pattern | None:
    """Every name that is not the young person's to see: the other people involved (unless
    released) and every other pupil on the roll by full name."""
    own = {sar.pupil.first_name.casefold(), sar.pupil.last_name.casefold()}
    names = set()
    for incident in incidents:
        for person in incident.people.all():
            if person.pupil_id == sar.pupil_id or person.pk not in withheld_people:
                continue
            full = str(person.pupil) if person.pupil_id else person.name
            names.add(full)
            names |= {w for w in re.findall(r"[\w'-]+", full) if w[:1].isupper() and len(w) > 1}
    released = {
        person.pupil_id
        for incident in incidents
        for person in incident.people.all()
        if person.pupil_id and person.pk not in withheld_people
    }
    names |= {
        f"{first} {last}"
        for first, last in Pupil.objects.filter(school=sar.school)
        .exclude(pk__in={sar.pupil_id, *released})
        .values_list("first_name", "last_name")
    }
    names = sorted(
        (n for n in names if n.strip() and n.casefold() not in own), key=len, reverse=True
    )
    if not names:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(map(re.escape, names)) + r")(?!\w)", re.IGNORECASE)


def _redact(text: str, names, own_upn: str) -> str:
    if names is not None:
        text = names.sub(WITHHELD_CHILD, text)
    return UPN.sub(lambda m: m.group(0) if m.group(0) == own_upn else WITHHELD_CHILD, text)


def _passages(sar, incident):
    """(key, label, text, default) for each passage of one incident's record about them."""
    me = {p.pk for p in incident.people.all() if p.pupil_id == sar.pupil_id}
    yield (
        f"account-{incident.pk}",
        "What was said when it was disclosed",
        incident.account,
        _passage_default(ACCOUNT_DEFAULT, incident),
    )
    if incident.discloser:
        friend = incident.disclosure_source == "friend"
        yield (
            f"discloser-{incident.pk}",
            "Who told the school",
            incident.discloser,
            _passage_default(DISCLOSER_DEFAULT, incident) if friend else None,
        )
    for d in incident.decisions.all():
        yield (
            f"decision-{d.pk}",
            f"Decision: {d.get_kind_display()} ({d.made_at:%d %B %Y})",
            d.reason,
            None,
        )
    for r in incident.referrals.all():
        text = r.reason + (f" Their response: {r.response}" if r.response else "")
        yield (
            f"referral-{r.pk}",
            f"Referral to {r.get_agency_display()} ({r.made_at:%d %B %Y})",
            text,
            None,
        )
    for c in incident.conversations.all():
        if c.young_person_id in me:
            text = " ".join(t for t in (c.note, c.seen_or_shared_by, c.preventing_sharing) if t)
            yield (
                f"conversation-{c.pk}",
                f"Conversation with you ({c.held_at:%d %B %Y})",
                text,
                None,
            )
    for a in incident.actions.all():
        # Only what concerns them (R17): an action naming another young person is not theirs.
        if a.young_person_id is None or a.young_person_id in me:
            text = a.description + (f" Outcome: {a.outcome}" if a.outcome else "")
            yield f"action-{a.pk}", f"Action: {a.get_kind_display()}", text, None
    if incident.closure_reason:
        yield f"closure-{incident.pk}", "Why the case was closed", incident.closure_reason, None


def build(sar: SubjectAccessRequest) -> dict:
    """The response as it stands: every part of the file, with what is withheld taken out, and
    the list of withholdings (the DSL's decisions, or the defaults where there are none)."""
    decided = {w.key: w for w in sar.withholdings.all()}
    incidents = list(incidents_of(sar.pupil).prefetch_related("people__pupil", "conversations"))
    parts, withholdings = [], []

    def decide(key, default):
        """The withholding for `key`: the DSL's, else the default (None: released)."""
        if key in decided:
            w = decided[key]
            entry = {"key": key, "what": w.what, "exemption": w.exemption, "reason": w.reason}
            return entry | {"withheld": w.withheld}
        if default is None:
            return None
        what, exemption, reason = default
        return {
            "key": key,
            "what": what,
            "exemption": exemption,
            "reason": reason,
            "withheld": True,
        }

    withheld_people = set()
    for incident in incidents:
        for person in incident.people.all():
            if person.pupil_id != sar.pupil_id:
                w = decide(f"person-{person.pk}", _person_default(incident, person))
                withholdings.append(w)
                if w["withheld"]:
                    withheld_people.add(person.pk)
    names = _names(sar, incidents, withheld_people)
    for incident in incidents:
        me = [p for p in incident.people.all() if p.pupil_id == sar.pupil_id]
        entries = []
        for person in incident.people.all():
            if person.pupil_id == sar.pupil_id:
                continue
            child = _is_child(person, incident.incident_date)
            shown = WITHHELD_CHILD if child else WITHHELD_PERSON
            if person.pk not in withheld_people:
                shown = f"{person.display_name} ({', '.join(person.role_labels()) or 'part not recorded'})"
            entries.append(
                {
                    "key": f"person-{person.pk}",
                    "label": "Also involved",
                    "text": shown,
                    "withheld": person.pk in withheld_people,
                }
            )
        for key, label, text, default in _passages(sar, incident):
            w = decide(key, default)
            if w is not None:
                withholdings.append(w)
            if w is not None and w["withheld"]:
                text = WITHHELD_AS[w["exemption"]]
            else:
                text = _redact(text, names, sar.pupil.upn)
            withheld = w is not None and w["withheld"]
            entries.append({"key": key, "label": label, "text": text, "withheld": withheld})
        parts.append(
            {
                "reference": incident.reference,
                "disclosed_on": timezone.localtime(incident.disclosed_at).date().isoformat(),
                "how": incident.get_disclosure_source_display(),
                "type": incident.get_incident_type_display(),
                "stage": incident.get_stage_display(),
                "roles": [
                    PersonRole(r).label for p in me for r in p.roles if r in PersonRole.values
                ],
                "entries": entries,
            }
        )
    for w in withholdings:
        if w is not None:
            w["exemption_label"] = Exemption(w["exemption"]).label
            # A reason may name the person it protects.
            w["reason"] = _redact(w["reason"], names, sar.pupil.upn)
    pupil = sar.pupil
    return {
        "school": sar.school.name,
        "pupil": {
            "name": f"{pupil.first_name} {pupil.last_name}",
            "date_of_birth": pupil.date_of_birth.isoformat(),
            "upn": pupil.upn,
            "year_group": pupil.year_group,
            "flags": [
                pupil._meta.get_field(f).verbose_name
                for f in ("sen_or_disability", "looked_after", "known_to_social_care")
                if getattr(pupil, f)
            ],
        },
        "incidents": parts,
        "withholdings": [w for w in withholdings if w is not None],
    }


def keys(sar: SubjectAccessRequest) -> dict[str, str]:
    """The parts of the file a withholding may be decided for, and what each is."""
    response = build(sar)
    found = {w["key"]: w["what"] for w in response["withholdings"]}
    for incident in response["incidents"]:
        for e in incident["entries"]:
            found.setdefault(e["key"], f"{e['label']} ({incident['reference']})")
    return found
