from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self) -> None:
        # The incident's own section sits among the others' in the hub, so the page and the
        # PDF keep one order: agencies, managing in school, imagery.
        from . import hub
        from .casefile import managing_section
        from .services.notifications import alerts_panel

        hub.add_section("incidents/_managing.html", managing_section, order=20)
        # First on the dashboard: alerts that are not reaching people (issue 19).
        hub.add_panel("incidents/_alerts.html", alerts_panel, order=0)
