"""Django finds the app's models here; each area keeps its own in its subpackage."""

from rumbo.lifecycle.inventory.models import *  # noqa: F403
from rumbo.lifecycle.routes.models import *  # noqa: F403
from rumbo.lifecycle.validity.models import *  # noqa: F403
