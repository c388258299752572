"""The jobs: the ``pelican`` pipeline and its time-based re-run (:mod:`.pipeline`), and the dataset
jobs that filter and wipe (:mod:`.datasets`). Each is a Dagster definition gathered by
:mod:`pelican_dagster.definitions`."""
