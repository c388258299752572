"""The Celery app of pelican-dagster's workers (extra ``celery``), configured from the same environment as
the ``celery`` executor (``pelican_dagster.execution.executors``)::

    celery -A pelican_dagster.execution.celery_app worker -Q "${PELICAN_CELERY_QUEUE:-pelican}" -c 2 \
        -n worker1@%h

It is ``dagster_celery``'s app (the same ``execute_plan`` task) with this project's broker, queue and
safe settings (late acknowledgement; one task reserved at a time), so that no configuration file is
needed on a worker.
"""

from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

from pelican_dagster.execution.executors import celery_app_args

app = make_app(celery_app_args())

execute_plan = create_task(app)
