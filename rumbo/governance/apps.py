from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "rumbo.governance"
    label = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        # The plan dashboard (monitoring) shows the plan's overdue agreements; monitoring sits
        # below governance, so governance registers its panel there (as investments does).
        from rumbo.governance.views import agreements_dashboard_panel
        from rumbo.indicators.dashboard.panels import dashboard_panel_register

        dashboard_panel_register(key="governance.agreements", panel=agreements_dashboard_panel)
