"""Schedule ``codelists_daily``: the registers refreshed once a day."""

import dagster as dg

from pelican_dagster.jobs.codelists import codelists_job

#: Once a day, as Pelican's one-day cache; a run that finds a register downloaded in the last 12 hours
#: (e.g. on demand) leaves it.
codelists_daily = dg.ScheduleDefinition(
    name="codelists_daily",
    job=codelists_job,
    cron_schedule="17 4 * * *",
    run_config={"ops": {"codelists": {"config": {"max_age_hours": 12}}}},
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
