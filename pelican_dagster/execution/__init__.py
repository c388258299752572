"""How runs execute: the executor chosen by configuration (in-process, multiprocess, Celery), the
multiprocess executor's warm fork server (:mod:`.preload`), the Celery app that workers load,
re-execution from failure, and the guard against temporary Dagster instances."""
