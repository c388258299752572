"""An IO manager that keeps step outputs in the results database.

Only small values travel between the pipeline's steps (a chunk's id range and counts, a summary),
never item data. Keeping them in the results database, which every worker already reaches, lets the same
graph run on the multiprocess executor on one machine or on the Celery or Kubernetes executor across
machines, with no shared file system and no code change.
"""

import pickle
from typing import Any

import dagster as dg
import sqlalchemy as sa

from pelican_dagster.resources.results_database import ResultsDatabaseResource


def _key(context: dg.OutputContext) -> tuple[str, str, str]:
    # A mapped step's key carries its mapping key (``check_item_chunk[items_1_500]``), but the outputs of
    # a DynamicOut share one step and one name: their mapping key tells them apart.
    name = f"{context.name}[{context.mapping_key}]" if context.mapping_key else context.name
    return context.run_id, context.step_key, name


class ResultsDatabaseIOManager(dg.ConfigurableIOManager):
    """Stores each step output in ``step_output`` (results database), pickled as Dagster's file-system
    IO manager pickles it, keyed by run, step and output; a re-executed step replaces its row."""

    results: ResultsDatabaseResource

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        """Store ``obj``."""
        run_id, step_key, name = _key(context)
        with self.results.get_engine().begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO step_output (run_id, step_key, output_name, value) "
                    "VALUES (:run_id, :step_key, :name, :value) "
                    "ON CONFLICT (run_id, step_key, output_name) DO UPDATE SET value = EXCLUDED.value"
                ),
                {"run_id": run_id, "step_key": step_key, "name": name, "value": pickle.dumps(obj)},
            )

    def load_input(self, context: dg.InputContext) -> Any:
        """The upstream output this input reads."""
        upstream = context.upstream_output
        if upstream is None:
            raise dg.DagsterInvariantViolationError(f"input {context.name!r} has no upstream output")
        run_id, step_key, name = _key(upstream)
        with self.results.get_engine().connect() as conn:
            row = conn.execute(
                sa.text(
                    "SELECT value FROM step_output "
                    "WHERE run_id = :run_id AND step_key = :step_key AND output_name = :name"
                ),
                {"run_id": run_id, "step_key": step_key, "name": name},
            ).first()
        if row is None:
            raise dg.DagsterInvariantViolationError(
                f"no stored output {name!r} of step {step_key!r} in run {run_id}"
            )
        # The results database is the project's own, written only by its runs: unpickling is safe here.
        return pickle.loads(bytes(row[0]))
