from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentsConfig(AppConfig):
    name = "rumbo.investments"
    label = "investments"
    verbose_name = _("Investments")

    def ready(self) -> None:
        # The plan dashboard (monitoring) shows the execution of the plan's projects; monitoring
        # sits below investments, so investments registers its panel there.
        from rumbo.indicators.dashboard.panels import dashboard_panel_register
        from rumbo.investments.execution.views import execution_dashboard_panel

        dashboard_panel_register(key="investments.execution", panel=execution_dashboard_panel)
