"""Re-exports rumbo.core's real migration, so that this package is core's history plus one."""

import importlib

Migration = importlib.import_module("rumbo.core.migrations.0002_job_worker_and_scheduled_runs").Migration
