"""How runs execute: the executor chosen by configuration (in-process, multiprocess, Celery), the Celery
app that workers load, re-execution from failure, and the guard against temporary Dagster instances."""
