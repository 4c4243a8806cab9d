from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self) -> None:
        # The incident's own section sits among the others' in the hub, so the page and the
        # PDF keep one order: agencies, managing in school, imagery.
        from . import hub
        from .casefile import managing_section
        from .services.notifications import alerts_panel, read_on_opening

        hub.add_section("incidents/_managing.html", managing_section, order=20)
        # First on the dashboard: alerts that are not reaching people (issue 19).
        hub.add_panel("incidents/_alerts.html", alerts_panel, order=0)
        # A notification is read once the incident it is about is opened (issue 12).
        hub.incident_opened.connect(read_on_opening, dispatch_uid="incidents-read-notifications")
        # R37: a referral required and not made is alerted at once and chased until made.
        from .services import urgency

        hub.incident_reported.connect(urgency.on_report, dispatch_uid="incidents-urgency")
        hub.add_sweep("referrals required", urgency.sweep)
        # R43: open safety plans on the dashboard, and their reviews chased.
        from .services.managing import safety_plan_reminders, safety_plans_panel

        hub.add_panel("incidents/_safety_plans.html", safety_plans_panel, order=40)
        hub.add_sweep("safety plan reviews", safety_plan_reminders)
        from accounts.security_log import role_changed

        from .services.roles import tell_of_role_change

        role_changed.connect(tell_of_role_change, dispatch_uid="incidents-role-changed")
