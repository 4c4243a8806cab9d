"""Create demo data: one trust, two schools, a user per role, synthetic pupils.

It lives in the project package because it may know every app. Every name here is invented. Safe to run twice: existing demo rows are left as they are.
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Calendar, Membership, Pupil, Role, School, Term, Trust, TrustLead, User
from incidents.services import Person, report_concern

DEMO_PASSWORD = "ypsi-demo-password"
SCHOOLS = [("Hillside Academy", "HIL"), ("Meadowbank School", "MEA")]
ROLE_USERS = [
    ("staff", Role.STAFF, "Sam", "Staffer"),
    ("dsl", Role.DSL, "Dana", "Lead"),
    ("deputy", Role.DEPUTY_DSL, "Dev", "Deputy"),
    ("head", Role.HEADTEACHER, "Hana", "Head"),
    ("admin", Role.ADMINISTRATOR, "Ari", "Admin"),
]
PUPILS = [
    ("Alex", "Example", "female", 9),
    ("Blake", "Sample", "male", 9),
    ("Casey", "Fictional", "female", 10),
    ("Drew", "Madeup", "male", 10),
    ("Eden", "Placeholder", "female", 8),
    ("Finley", "Testcase", "male", 7),
]


class Command(BaseCommand):
    help = "Load synthetic demo data (no real children's data) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options):
        trust, _ = Trust.objects.get_or_create(name="Riverside Learning Trust (demo)")
        self.term_dates(trust)
        logins = []
        for name, code in SCHOOLS:
            school, _ = School.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "trust": trust,
                    "mash_contact": "Demo MASH duty desk",
                    "mash_phone": "01632 960000",
                    "social_care_phone": "01632 960001",
                    "police_contact": "PC Demo, safer schools officer",
                },
            )
            for suffix, role, first, last in ROLE_USERS:
                username = f"{code.lower()}-{suffix}"
                user = self.user(username, first, f"{last} ({code})")
                Membership.objects.get_or_create(user=user, school=school, role=role)
                logins.append((username, f"{Role(role).label}, {school.name}"))
            self.pupils(school)
        self.example_concern(School.objects.get(code="HIL"))
        lead = self.user("trust-lead", "Tara", "Trustlead")
        TrustLead.objects.get_or_create(user=lead, trust=trust)
        logins.append(("trust-lead", f"Trust safeguarding lead, {trust.name} (read-only)"))

        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for username, what in logins:
            self.stdout.write(f"  {username:<14} {what}")

    def example_concern(self, school: School) -> None:
        """One invented concern awaiting review, so the DSL's dashboard is not empty."""
        if school.incidents.exists():
            return
        pupil = school.pupils.order_by("pk").first()
        report_concern(
            reporter=User.objects.get(username="hil-staff"),
            school=school,
            disclosure_source="friend",
            discloser="A friend in the same form (invented)",
            disclosed_at=timezone.now() - datetime.timedelta(hours=2),
            received_by="Sam Staffer",
            account="She said a photo of her friend was being passed round a group chat. (Demo)",
            devices_and_platforms="A messaging app group chat",
            people=[
                Person(roles=["pictured", "sender"], pupil=pupil),
                Person(roles=["recipient", "sharer"], name="Older boy, another school", age=16),
            ],
        )

    def term_dates(self, trust: Trust) -> None:
        """Invented term dates for this academic year and the next, which the schools inherit
        (issue 20): six terms a year, the half-terms between them."""
        calendar, _ = Calendar.objects.get_or_create(name="Riverside term dates (demo)")
        if not calendar.terms.exists():
            today = timezone.localdate()
            start = today.year if today.month >= 8 else today.year - 1
            for year in (start, start + 1):
                for name, first, last in demo_terms(year):
                    Term.objects.create(
                        calendar=calendar, name=name, first_day=first, last_day=last
                    )
        if trust.calendar_id is None:
            trust.calendar = calendar
            trust._change_reason = "Demo term dates"
            trust.save()

    def user(self, username, first, last) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.invalid",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user

    def pupils(self, school: School) -> None:
        today = timezone.localdate()
        for i, (first, last, sex, year) in enumerate(PUPILS):
            born = datetime.date(today.year - year - 5, 1 + i, 10)
            Pupil.objects.get_or_create(
                school=school,
                first_name=first,
                last_name=f"{last}-{school.code.title()}",
                defaults={
                    "date_of_birth": born,
                    "sex": sex,
                    "year_group": f"Year {year}",
                    "looked_after": i == 3,
                    "sen_or_disability": i == 1,
                },
            )


def demo_terms(year: int) -> list[tuple[str, datetime.date, datetime.date]]:
    """An English school year from September `year`, in six terms with a week's half-term
    between each pair and the Christmas, Easter and summer holidays (invented, but typical)."""
    week = datetime.timedelta(days=7)

    def monday(month, day, y):  # the Monday on or after
        d = datetime.date(y, month, day)
        return d + datetime.timedelta(days=-d.weekday() % 7)

    def friday_before(d):
        return d - datetime.timedelta(days=(d.weekday() - 4) % 7 or 7)

    def weekday(d):  # the weekday on or after
        return d + datetime.timedelta(days=7 - d.weekday() if d.weekday() >= 5 else 0)

    autumn, spring, easter, summer = (
        monday(10, 26, year),
        monday(2, 16, year + 1),
        monday(3, 30, year + 1),
        monday(5, 25, year + 1),
    )
    return [
        ("Autumn term 1", weekday(datetime.date(year, 9, 3)), friday_before(autumn)),
        ("Autumn term 2", autumn + week, friday_before(monday(12, 19, year))),
        ("Spring term 1", weekday(datetime.date(year + 1, 1, 5)), friday_before(spring)),
        ("Spring term 2", spring + week, friday_before(easter)),
        ("Summer term 1", easter + 2 * week, friday_before(summer)),
        ("Summer term 2", summer + week, friday_before(datetime.date(year + 1, 7, 24))),
    ]
