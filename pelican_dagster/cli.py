"""``pelican-dagster``: load files into Kingfisher Process tables, check them through Dagster, export.

Commands: ``load``, ``check``, ``export``, ``report``, ``filter``, ``wipe``, ``recheck``, ``list``,
``status``, ``rates import``, ``codelists import|status``, ``reexecute``, ``demo``, ``ui``, ``stop``. With no
database URL set, everything uses the embedded PostgreSQL server under ``PELICAN_HOME`` (README).

Exit statuses: 0 done; 1 a Dagster run failed (its failure is printed); 2 a user error (bad file, unknown
or unchecked dataset, existing output, refused wipe), printed as one line, with nothing changed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import shutil
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pelican_dagster import settings

DEMO = Path(__file__).parent / "data" / "demo"
#: The code location's name wherever the definitions are loaded (workspace.yaml, pyproject, ``ui``).
LOCATION_NAME = "pelican_dagster"


class UserError(Exception):
    """A user error: printed as one line (no traceback), exit status 2, nothing changed."""


@dataclass
class Databases:
    """The engines the CLI works with (configured URLs, else the embedded server)."""

    kingfisher_url: str
    results_url: str

    @classmethod
    def from_env(cls) -> Databases:
        # The names from settings, not the definitions: importing Dagster here (~0.8 s) would delay the
        # load instead of overlapping it (check's warm-up thread imports it meanwhile).
        from pelican_dagster.settings import KINGFISHER_PROCESS_URL, RESULTS_URL
        from pelican_dagster.storage import embedded, engines

        if not os.environ.get(KINGFISHER_PROCESS_URL) or not os.environ.get(RESULTS_URL):
            # Pin the embedded server's home so that Dagster's run workers find the same one, and
            # allow it in them (outside the CLI a missing URL is an error).
            os.environ[settings.HOME] = str(embedded.pelican_home())
            os.environ[engines.EMBEDDED] = "1"
        return cls(
            engines.resolve(
                os.environ.get(KINGFISHER_PROCESS_URL), embedded.KINGFISHER_PROCESS, KINGFISHER_PROCESS_URL
            ),
            engines.resolve(os.environ.get(RESULTS_URL), embedded.RESULTS, RESULTS_URL),
        )

    def kingfisher(self, ensure_tables: bool = False):
        from pelican_dagster.storage import engines

        return engines.kingfisher_engine(self.kingfisher_url, ensure_tables)

    def results(self):
        from pelican_dagster.storage import engines

        return engines.results_engine(self.results_url)


def _dagster_home() -> None:
    """Set ``DAGSTER_HOME`` to the embedded server's instance unless it is set."""
    if not os.environ.get(settings.DAGSTER_HOME):
        from pelican_dagster.storage.embedded import dagster_home

        os.environ[settings.DAGSTER_HOME] = str(dagster_home())


def _instance():
    """The persistent Dagster instance: ``DAGSTER_HOME`` when set, else the embedded server's."""
    import dagster as dg

    _dagster_home()
    return dg.DagsterInstance.get()


def _progress(line: str) -> None:
    """Progress lines of long phases, on stderr (stdout keeps the results)."""
    print(line, file=sys.stderr, flush=True)


def _print_load(path: str, result) -> None:
    print(
        f"{path}: {result.items} compiled releases in collection {result.collection_id} "
        f"(root collection {result.root_collection_id}) in {result.seconds:.2f} s"
    )
    for line, reason in result.skipped:
        print(f"  skipped line {line}: {reason}", file=sys.stderr)


def cmd_load(args: argparse.Namespace) -> int:
    """Load FILE into Kingfisher Process tables as a complete compiled collection."""
    from pelican_dagster.pipeline.loader import load_file

    dbs = Databases.from_env()
    result = load_file(dbs.kingfisher(ensure_tables=True), args.file, source_id=args.source_id)
    _print_load(args.file, result)
    return 0


#: ``dataset.options["registered_by"]`` of a dataset the CLI registered.
REGISTERED_BY = "cli"


def register(
    dbs: Databases, instance, collection_id: int, ancestor_id: int | None, options: dict
) -> tuple[str, int]:
    """Register a loaded collection's dataset with the sensor's code (one naming rule:
    ``<source_id>_<data_version date>_<collection id>``) and add its partition; ``(name, id)``."""
    from pelican_dagster.automation.kingfisher import register_collection
    from pelican_dagster.partitions import datasets
    from pelican_dagster.storage.kingfisher import get_collection

    with dbs.kingfisher().connect() as conn:
        collection = get_collection(conn, collection_id)
    with dbs.results().begin() as conn:
        name, dataset_id, _ = register_collection(
            conn, collection, {**options, "registered_by": REGISTERED_BY}, ancestor_id=ancestor_id
        )
    instance.add_dynamic_partitions(datasets.name, [name])
    return name, dataset_id


def _log_config() -> dict:
    return {"loggers": {"console": {"config": {"log_level": os.environ.get(settings.LOG_LEVEL, "INFO")}}}}


def _report_run(result, key: str) -> bool:
    if not result.success:
        print(f"run {result.run_id} for dataset {key} failed", file=sys.stderr)
        for event in result.all_events:
            if event.is_step_failure or event.is_failure:
                print(f"  {event.message}", file=sys.stderr)
        print(f"re-execute it from failure with: pelican-dagster reexecute {result.run_id}", file=sys.stderr)
    return result.success


def run_partition(instance, key: str, executor: str) -> bool:
    """Materialize the ``pelican`` job for one partition through Dagster on ``executor``
    (``in_process``, ``multiprocess`` or ``celery``); True on success."""
    import dagster as dg

    from pelican_dagster.execution.executors import reconstructable_job
    from pelican_dagster.execution.reexecution import free_slots

    job = reconstructable_job(executor)
    result = dg.execute_job(
        job,
        instance=instance,
        tags={"dagster/partition": key},
        run_config=_log_config(),
        raise_on_error=False,
    )
    # The run is over: a slot still claimed (a step process killed) would be held for ever.
    free_slots(instance, result.run_id)
    return _report_run(result, key)


def _source(path: str) -> str:
    # The loader's default source_id: the file name without its suffixes.
    return Path(path).name.split(".")[0]


#: Up to this many items a dataset has at most two chunks: separate step processes (~2 s of start-up
#: each) would cost more than the parallel chunks save, so ``check`` runs such a dataset in-process.
SMALL_DATASET = 1000


def _executor(args: argparse.Namespace | CheckRequest, items: int | None = None) -> str:
    """The executor of a run: ``--executor``, ``--in-process`` or ``--multiprocess`` when given, else
    ``PELICAN_EXECUTOR`` when set, else in-process for a small dataset and multiprocess otherwise."""
    from pelican_dagster.execution.executors import EXECUTOR, executor_name

    if getattr(args, "executor", None):
        return executor_name(args.executor)
    if getattr(args, "in_process", False):
        return "in_process"
    if getattr(args, "multiprocess", False):
        return "multiprocess"
    if os.environ.get(EXECUTOR):
        return executor_name()
    return "in_process" if items is not None and items <= SMALL_DATASET else "multiprocess"


#: A file of at least this many bytes is expected to run on the multiprocess executor (a gzipped file of
#: compiled releases holds ~1,000 items per MB; ``SMALL_DATASET`` items run in-process).
LARGE_FILE_BYTES = 1 << 20


class _WarmUp(threading.Thread):
    """What the run will wait for, done while the file loads (``check``): the results database's
    migration check (~0.25 s of imports and queries), the Dagster imports of this process, the job and
    the exchange rates, and the Dagster instance (on a new home, opening it creates its tables,
    ~0.5–1 s)."""

    def __init__(self, executor: str, dbs: Databases) -> None:
        super().__init__(name="pelican-warm-up", daemon=True)
        self.executor, self.dbs = executor, dbs
        self.opened = None

    def run(self) -> None:
        # Whatever fails here is reported by the main thread, which does it again.
        with contextlib.suppress(Exception):
            self.dbs.results()
        import pelican_dagster.definitions  # noqa: F401
        from pelican_dagster.execution.executors import reconstructable_job
        from pelican_dagster.execution.instance import import_instance_modules

        # The run opens the instance next (~0.3 s of imports of its storage classes).
        import_instance_modules()
        if self.executor in ("in_process", "multiprocess"):
            # The steps run in this process or in processes forked from it, and build the job and their
            # check context, which needs the ECB rates (~0.6 s): built once, here.
            from pelican_dagster.checks.currency import load_default_rates

            load_default_rates()
            reconstructable_job(self.executor).get_definition()
        with contextlib.suppress(Exception):
            self.opened = _instance()

    def instance(self):
        """The instance, once the warm-up has ended (opened again here if it could not be)."""
        self.join()
        return self.opened or _instance()


def _warm_up(request: CheckRequest, paths: list[str], dbs: Databases) -> _WarmUp:
    """Start the warm-up (:class:`_WarmUp`, a thread: the load runs in another process or mostly waits
    on PostgreSQL). The multiprocess executor forks the steps from this process, which has no other
    thread by then (``pipeline.forking.fork_is_safe``); where it could not, its fork server (a process
    preloading the project) starts now."""
    from pelican_dagster.execution.executors import start_forkserver
    from pelican_dagster.pipeline.forking import fork_is_safe

    _dagster_home()  # the fork server inherits the environment: set it first
    large = sum(os.path.getsize(p) for p in paths if os.path.isfile(p)) >= LARGE_FILE_BYTES
    executor = _executor(request, None if large else SMALL_DATASET)
    if executor == "multiprocess" and not fork_is_safe():
        start_forkserver()
    warming = _WarmUp(executor, dbs)
    warming.start()
    return warming


@dataclass
class CheckRequest:
    """What ``check`` (and ``demo``) do: the file, its ancestor, the export folder and the options."""

    file: str
    out: str
    ancestor: str | None = None
    no_items: bool = False
    max_items: int | None = None
    max_size: int | None = None
    in_process: bool = False
    multiprocess: bool = False
    executor: str | None = None


def _check_out(out: str) -> None:
    if Path(out).exists() and not Path(out).is_dir():
        raise UserError(f"--out {out}: exists and is not a folder")


def check_file(request: CheckRequest) -> tuple[int, str | None]:
    """Load the file (and its ancestor, in one transaction), register, check through Dagster, export;
    returns the exit status and the dataset's name."""
    from pelican_dagster.pipeline.export import export_dataset
    from pelican_dagster.pipeline.loader import LoadAside
    from pelican_dagster.storage.kingfisher import LoadedLines

    start = time.perf_counter()
    _check_out(request.out)
    dbs = Databases.from_env()
    kfp = dbs.kingfisher(ensure_tables=True)
    max_size = settings.max_size() if request.max_size is None else (request.max_size or None)
    options = {"max_items": request.max_items, "max_size": max_size}
    paths = [p for p in (request.ancestor, request.file) if p]
    # The load first (a forked child, while this process has no other thread), then the warm-up here.
    loading = LoadAside(kfp, [(p, _source(p)) for p in paths])
    warming = _warm_up(request, paths, dbs)
    loads = loading.result()
    for path, result in zip(paths, loads, strict=True):
        _print_load(path, result)
    instance = warming.instance()

    ancestor_id = None
    sizes: dict[str, int] = {}
    if request.ancestor:
        older_key, ancestor_id = register(dbs, instance, loads[0].collection_id, None, options)
        sizes[older_key] = loads[0].items
    loaded = loads[-1]
    key, _ = register(dbs, instance, loaded.collection_id, ancestor_id, options)
    sizes[key] = loaded.items

    for partition, items in sizes.items():
        executor = _executor(request, items)
        mode = "in this process" if executor == "in_process" else f"with the {executor} executor"
        print(f"running the pelican job for dataset {partition} ({items} items, {mode}) …")
        if not run_partition(instance, partition, executor):
            return 1, key
    counts = export_dataset(
        dbs.results(),
        key,
        request.out,
        # Looked up a batch at a time, as ``export`` does: the process holds no line per item.
        lines=LoadedLines(kfp, loaded.collection_id).lines_of,
        items=not request.no_items,
        report_progress=_progress,
    )
    summary = ", ".join(f"{n} {k}" for k, n in counts.items())
    print(f"wrote {request.out}: {summary} ({time.perf_counter() - start:.1f} s in all)")
    return 0, key


def cmd_check(args: argparse.Namespace) -> int:
    """Load FILE (and OLDER), check through Dagster and write the export folder."""
    code, _ = check_file(
        CheckRequest(
            file=args.file,
            out=args.out,
            ancestor=args.ancestor,
            no_items=args.no_items,
            max_items=args.max_items,
            max_size=args.max_size,
            in_process=args.in_process,
            multiprocess=args.multiprocess,
            executor=args.executor,
        )
    )
    return code


def checked_dataset(dbs: Databases, name: str):
    """The dataset named ``name`` if it is checked (phase CHECKED); else a :class:`UserError` saying
    what it is instead (missing, wiped, never run, in progress)."""
    from pelican_dagster.storage.results import dataset_by_name, get_progress

    with dbs.results().connect() as conn:
        dataset = dataset_by_name(conn, name)
        progress = get_progress(conn, dataset.id) if dataset else None
    if dataset is None:
        raise UserError(f"no dataset named {name!r}")
    phase = progress["phase"] if progress else None
    if phase == "DELETED":
        raise UserError(f"dataset {name!r} was wiped: `pelican-dagster recheck {name}` checks it again")
    if phase != "CHECKED":
        # Registration writes an "in progress" row with no size: the dataset was never run.
        never_run = progress is None or progress["size"] is None
        state = "never run" if never_run else f"{phase}/{progress['state']}"
        raise UserError(f"dataset {name!r} is not checked yet ({state})")
    return dataset


def cmd_export(args: argparse.Namespace) -> int:
    """Write the export folder of an already checked dataset."""
    from pelican_dagster.pipeline.export import export_dataset
    from pelican_dagster.storage.kingfisher import LoadedLines

    _check_out(args.out)
    dbs = Databases.from_env()
    dataset = checked_dataset(dbs, args.dataset)
    lines = None
    if dataset.collection_id is not None:
        # Looked up a batch at a time: the export's memory does not grow with the dataset.
        lines = LoadedLines(dbs.kingfisher(), dataset.collection_id).lines_of
    counts = export_dataset(
        dbs.results(), args.dataset, args.out, lines=lines, items=not args.no_items, report_progress=_progress
    )
    print(f"wrote {args.out}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0


def _job_failure(result) -> str:
    """The message of a failed in-process job run (a ``dg.Failure`` description, else the error)."""
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            described = data.user_failure_data.description if data.user_failure_data else None
            return described or (data.error.message.strip() if data.error else "the step failed")
    return "the run failed"


def cmd_filter(args: argparse.Namespace) -> int:
    """Create a filtered dataset from a checked one (job ``filter_dataset``), check it, export it."""
    import json

    from pelican_dagster.definitions import defs
    from pelican_dagster.pipeline.export import export_dataset
    from pelican_dagster.pipeline.filters import FilterError, FilterSpec
    from pelican_dagster.storage.kingfisher import LoadedLines
    from pelican_dagster.storage.results import dataset_by_name

    try:
        message = json.loads(args.filter)
        FilterSpec.parse(message)
    except (ValueError, FilterError) as e:  # JSONDecodeError is a ValueError
        print(f"invalid filter: {e}", file=sys.stderr)
        return 2
    if args.out:
        _check_out(args.out)
    dbs = Databases.from_env()
    checked_dataset(dbs, args.original)
    instance = _instance()
    config = {"original": args.original, "filter": message, "name": args.name}
    result = defs.resolve_job_def("filter_dataset").execute_in_process(
        run_config={"ops": {"create_filtered": {"config": config}}}, instance=instance, raise_on_error=False
    )
    if not result.success:
        print(_job_failure(result), file=sys.stderr)
        return 1
    name = result.output_for_node("create_filtered")["dataset"]
    print(f"created dataset {name}; running the pelican job for it …")
    if not run_partition(instance, name, _executor(args)):
        return 1
    if args.out:
        with dbs.results().connect() as conn:
            original = dataset_by_name(conn, args.original)
        lines = None
        if original is not None and original.collection_id is not None:
            lines = LoadedLines(dbs.kingfisher(), original.collection_id).lines_of
        counts = export_dataset(dbs.results(), name, args.out, lines=lines, items=not args.no_items)
        print(f"wrote {args.out}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0


def cmd_wipe(args: argparse.Namespace) -> int:
    """Delete every row of a dataset and its partition (job ``wipe_dataset``)."""
    from pelican_dagster.definitions import defs
    from pelican_dagster.storage.lifecycle import descendants
    from pelican_dagster.storage.results import dataset_by_id, dataset_by_name, get_progress

    dbs = Databases.from_env()
    with dbs.results().connect() as conn:
        dataset = dataset_by_name(conn, args.dataset)
        if dataset is None:
            raise UserError(f"no dataset named {args.dataset!r}")
        if (get_progress(conn, dataset.id) or {}).get("phase") == "DELETED":
            raise UserError(f"dataset {args.dataset!r} is already wiped")
        children = [dataset_by_id(conn, i).name for i in descendants(conn, dataset.id)]
    if children and not args.cascade:
        raise UserError(
            f"datasets were filtered from {args.dataset!r}: {', '.join(map(repr, children))}; "
            "wipe them first, or add --cascade to wipe them too"
        )
    result = defs.resolve_job_def("wipe_dataset").execute_in_process(
        run_config={"ops": {"wipe": {"config": {"dataset": args.dataset, "cascade": args.cascade}}}},
        instance=_instance(),
        raise_on_error=False,
    )
    if not result.success:
        print(_job_failure(result), file=sys.stderr)
        return 1
    wiped = result.output_for_node("wipe")["wiped"]
    print(f"wiped {', '.join(wiped)}")
    return 0


def cmd_reexecute(args: argparse.Namespace) -> int:
    """Re-execute a failed ``pelican`` run from failure, with its partition."""
    from pelican_dagster.execution.reexecution import reexecute_from_failure

    Databases.from_env()
    try:
        result = reexecute_from_failure(
            _instance(), args.run_id, _executor(args) if args.executor else None, _log_config()
        )
    except (LookupError, ValueError) as e:
        print(e, file=sys.stderr)
        return 2
    print(
        f"run {result.run_id} (re-execution of {args.run_id}) {'succeeded' if result.success else 'failed'}"
    )
    return 0 if _report_run(result, result.dagster_run.tags.get("dagster/partition", "")) else 1


def cmd_recheck(args: argparse.Namespace) -> int:
    """Check a dataset's collection again on purpose: a wiped dataset is revived (its row kept by the
    wipe), its partition added back and the pelican job run; any other dataset is simply re-run."""
    from pelican_dagster.partitions import datasets
    from pelican_dagster.storage.lifecycle import revive_wiped
    from pelican_dagster.storage.results import dataset_by_name

    dbs = Databases.from_env()
    with dbs.results().begin() as conn:
        dataset = dataset_by_name(conn, args.dataset)
        if dataset is None:
            raise UserError(f"no dataset named {args.dataset!r}")
        revived = revive_wiped(conn, dataset.id)
    instance = _instance()
    instance.add_dynamic_partitions(datasets.name, [dataset.name])
    what = "revived wiped dataset" if revived else "re-running dataset"
    print(f"{what} {dataset.name}; running the pelican job for it …")
    return 0 if run_partition(instance, dataset.name, _executor(args)) else 1


def cmd_demo(args: argparse.Namespace) -> int:
    """Check the bundled real data (Paraguay, with an earlier snapshot as ancestor)."""
    from pelican_dagster.storage.embedded import pelican_home

    out = Path(args.out) if args.out else pelican_home() / "demo-results"
    if settings.URL_CHECK_OFFLINE not in os.environ:
        # A first run should not wait on the network: URL availability (and extension metadata) is
        # judged offline unless PELICAN_URL_CHECK_OFFLINE says otherwise.
        os.environ[settings.URL_CHECK_OFFLINE] = "1"
        print("URL availability is checked offline in the demo (set PELICAN_URL_CHECK_OFFLINE=0 to fetch)")
    if out.exists():
        shutil.rmtree(out)
    code, name = check_file(
        CheckRequest(
            file=str(DEMO / "paraguay.jsonl.gz"),
            ancestor=str(DEMO / "paraguay.snapshot-a.jsonl.gz"),
            out=str(out),
            in_process=args.in_process,
            executor=args.executor,
        )
    )
    if code == 0:
        from pelican_dagster.reporting.html import render_html
        from pelican_dagster.storage.reports import load_report_data

        html = out / "report.html"
        data = load_report_data(Databases.from_env().results(), name)
        html.write_text(render_html(data), encoding="utf-8")
        print(f"\nResults: {out}")
        print(f"Report:  {html}")
        print("Open the Dagster UI on the same instance with:  pelican-dagster ui")
    return code


def cmd_report(args: argparse.Namespace) -> int:
    """Write a checked dataset's report as one self-contained HTML file (and/or Markdown)."""
    from pelican_dagster.reporting.html import render_html
    from pelican_dagster.reporting.markdown import report_markdown
    from pelican_dagster.storage.reports import load_report_data

    if not args.html and not args.markdown:
        print("give --html FILE and/or --markdown FILE", file=sys.stderr)
        return 2
    dbs = Databases.from_env()
    checked_dataset(dbs, args.dataset)
    data = load_report_data(dbs.results(), args.dataset)
    if args.html:
        Path(args.html).write_text(render_html(data), encoding="utf-8")
        print(f"wrote {args.html}")
    if args.markdown:
        Path(args.markdown).write_text(report_markdown(data), encoding="utf-8")
        print(f"wrote {args.markdown}")
    return 0


def cmd_rates_import(args: argparse.Namespace) -> int:
    """Load daily EUR-based exchange rates into the results database (they win over the ECB default)."""
    from pelican_dagster.checks.currency import read_rates_file
    from pelican_dagster.storage.rates import import_rates

    try:
        daily = read_rates_file(args.file)
    except (OSError, ValueError) as e:
        print(f"cannot import {args.file}: {e}", file=sys.stderr)
        return 2
    with Databases.from_env().results().begin() as conn:
        days = import_rates(conn, daily)
    if days:
        first, last = min(daily), max(daily)
        currencies = sorted({code for rates in daily.values() for code in rates})
        print(f"imported {days} days ({first} to {last}) of {len(currencies)} currencies")
    else:
        print("no rates in the file")
    return 0


def cmd_codelists_import(args: argparse.Namespace) -> int:
    """Store a register file (e.g. the registry's CSV export) as the version in use."""
    from pelican_dagster.checks.codelists import REGISTERS
    from pelican_dagster.storage.codelists import store_version

    if args.name not in REGISTERS:
        print(f"unknown register {args.name!r}: one of {', '.join(REGISTERS)}", file=sys.stderr)
        return 2
    try:
        data = Path(args.file).read_bytes()
        with Databases.from_env().results().begin() as conn:
            version, changed = store_version(conn, args.name, data, "import", str(Path(args.file).resolve()))
    except (OSError, ValueError) as e:
        print(f"cannot import {args.file} as {args.name}: {e}", file=sys.stderr)
        return 2
    news = "now in use" if changed else "unchanged (same content as the version in use)"
    print(f"imported {version.entries} {args.name} entries, sha256 {version.sha256}: {news}")
    configured = settings.codelist_files()[args.name]
    if configured:
        print(f"note: {configured} (configured by environment) still wins over it", file=sys.stderr)
    return 0


def cmd_codelists_status(args: argparse.Namespace) -> int:
    """Print, per codelist, the version check runs use now and where it came from."""
    from pelican_dagster.checks.codelists import REGISTERS

    dbs = Databases.from_env()
    dbs.results()  # migrated, so that a first status does not report a missing table as the snapshot
    lists = settings.load_codelists(dbs.results_url)
    for name, version in lists.versions.items():
        when = version.fetched_at.isoformat(timespec="seconds") if version.fetched_at else "-"
        label = {"download": "fetched", "import": "imported"}.get(version.origin, version.origin)
        if name not in REGISTERS:
            flag = "  (OCDS codelist, bundled as in Pelican)"
        else:
            flag = "  (only the shipped snapshot)" if version.snapshot_only else ""
        print(f"{name}: {version.entries} entries, {label} {when}, sha256 {version.sha256}{flag}")
        print(f"  source: {version.source}")
    if not lists.ocid_register_complete:
        print(
            "ocid_prefix_check: the OCID-prefix register is only the shipped snapshot; well-formed prefixes "
            "missing from it pass unverified (run the codelists asset or 'codelists import')"
        )
    return 0


def workspace_file() -> Path:
    """A workspace file in the instance's folder naming the code location as ``workspace.yaml`` does
    (``dagster dev -m`` would name it after the module, giving its sensors other cursors)."""
    path = Path(os.environ[settings.DAGSTER_HOME]) / "workspace.yaml"
    text = (
        "load_from:\n  - python_module:\n      module_name: pelican_dagster.definitions\n"
        f"      attribute: defs\n      location_name: {LOCATION_NAME}\n"
    )
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


def cmd_ui(args: argparse.Namespace) -> int:
    """Start ``dagster dev`` on the same instance and databases as the CLI."""
    Databases.from_env()
    _instance()
    command = ["dagster", "dev", "-w", str(workspace_file()), *args.dagster_args]
    print(f"DAGSTER_HOME={os.environ[settings.DAGSTER_HOME]} {' '.join(command)}")
    executable = shutil.which("dagster") or str(Path(sys.executable).parent / "dagster")
    os.execv(executable, command)
    return 0  # not reached


def cmd_list(args: argparse.Namespace) -> int:
    """Print every dataset with its phase, size, source, ancestor and pass rates."""
    from pelican_dagster.reporting.inventory import dataset_rows, format_table

    rows = dataset_rows(Databases.from_env().results())
    print(format_table(rows) if rows else "no datasets yet (pelican-dagster check FILE, or the sensor)")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Print one dataset's phase, progress and last run."""
    from pelican_dagster.reporting.inventory import status_lines

    lines = status_lines(Databases.from_env().results(), args.dataset, _last_run)
    if lines is None:
        print(
            f"pelican-dagster: no dataset named {args.dataset!r} (see pelican-dagster list)", file=sys.stderr
        )
        return 2
    print("\n".join(lines))
    return 0


def _last_run(name: str) -> str | None:
    """The last Dagster run of partition ``name``: id, job, status, start and duration."""
    import datetime as dt

    import dagster as dg

    instance = _instance()
    runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/partition": name}), limit=1)
    if not runs:
        return None
    run = runs[0]
    record = instance.get_run_record_by_id(run.run_id)
    when = ""
    if record and record.start_time:
        started = dt.datetime.fromtimestamp(record.start_time, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        when = f" started {started}"
        if record.end_time:
            when += f", took {record.end_time - record.start_time:.1f} s"
    return f"{run.run_id} {run.job_name} {run.status.value}{when}"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pelican-dagster")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown"


def cmd_stop(args: argparse.Namespace) -> int:
    """Stop the embedded PostgreSQL server."""
    from pelican_dagster.storage.embedded import stop

    stop()
    print("stopped the embedded PostgreSQL server")
    return 0


def _positive_or_zero(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be ≥ 0")
    return value


def _executor_option(command: argparse.ArgumentParser, multiprocess: bool = False) -> None:
    """``--executor`` and its shorthands, of which one at most may be given."""
    group = command.add_mutually_exclusive_group()
    group.add_argument(
        "--executor",
        choices=("in_process", "multiprocess", "celery"),
        help="the pelican job's executor (default PELICAN_EXECUTOR, else by the dataset's size); "
        "celery needs PELICAN_CELERY_BROKER_URL and running workers",
    )
    group.add_argument("--in-process", action="store_true", help="run every step in this process")
    if multiprocess:
        group.add_argument(
            "--multiprocess",
            action="store_true",
            help=f"one process per step even for a small file (default only above {SMALL_DATASET} items)",
        )


def parser() -> argparse.ArgumentParser:
    """The argument parser."""
    p = argparse.ArgumentParser(prog="pelican-dagster", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"pelican-dagster {_version()}")
    sub = p.add_subparsers(dest="command", required=True)

    list_ = sub.add_parser("list", help="list the datasets: phase, size, source, ancestor, pass rates")
    list_.set_defaults(func=cmd_list)

    status = sub.add_parser("status", help="one dataset's phase, progress and last run")
    status.add_argument("dataset", help="the dataset name (partition key)")
    status.set_defaults(func=cmd_status)

    load = sub.add_parser("load", help="load an OCDS file into Kingfisher Process tables")
    load.add_argument("file")
    load.add_argument("--source-id", help="collection source_id (default: the file name)")
    load.set_defaults(func=cmd_load)

    check = sub.add_parser("check", help="load, check through Dagster and export one OCDS file")
    check.add_argument("file")
    check.add_argument("--ancestor", help="an older file of the same source (time-based checks)")
    check.add_argument("--out", required=True, help="the export folder to write")
    check.add_argument("--no-items", action="store_true", help="leave out items.jsonl.gz")
    check.add_argument("--max-items", type=_positive_or_zero, help="check only the first N items")
    check.add_argument(
        "--max-size",
        type=_positive_or_zero,
        help="skip items whose stored size is ≥ N bytes; 0 = no limit (default PELICAN_MAX_SIZE or 300000)",
    )
    _executor_option(check, multiprocess=True)
    check.set_defaults(func=cmd_check)

    export = sub.add_parser("export", help="write the export folder of a checked dataset")
    export.add_argument("dataset", help="the dataset name (partition key)")
    export.add_argument("--out", required=True)
    export.add_argument("--no-items", action="store_true")
    export.set_defaults(func=cmd_export)

    report = sub.add_parser("report", help="write a checked dataset's report as HTML and/or Markdown")
    report.add_argument("dataset", help="the dataset name (partition key)")
    report.add_argument("--html", help="a self-contained HTML file to write")
    report.add_argument("--markdown", help="a Markdown file to write")
    report.set_defaults(func=cmd_report)

    rates = sub.add_parser("rates", help="exchange rates")
    rates_sub = rates.add_subparsers(dest="rates_command", required=True)
    rates_import = rates_sub.add_parser(
        "import", help="load a fixer.io-style CSV or JSON file of daily EUR-based rates"
    )
    rates_import.add_argument("file")
    rates_import.set_defaults(func=cmd_rates_import)

    codelists = sub.add_parser("codelists", help="the registers the checks read (OCID prefixes, org-id)")
    codelists_sub = codelists.add_subparsers(dest="codelists_command", required=True)
    codelists_import = codelists_sub.add_parser(
        "import", help="store a register file (CSV: column OCID or code) as the version in use"
    )
    codelists_import.add_argument("name", help="ocid_prefixes or org-id")
    codelists_import.add_argument("file")
    codelists_import.set_defaults(func=cmd_codelists_import)
    codelists_status = codelists_sub.add_parser(
        "status", help="each list's source, fetch time, hash, entries"
    )
    codelists_status.set_defaults(func=cmd_codelists_status)

    filter_ = sub.add_parser("filter", help="create, check and export a filtered dataset of a checked one")
    filter_.add_argument("original", help="the checked dataset's name (partition key)")
    filter_.add_argument(
        "--filter", required=True, help='the filter message as JSON, e.g. \'{"buyer": ["X"]}\''
    )
    filter_.add_argument("--name", help="the new dataset's name (default <original>_filtered_<id>)")
    filter_.add_argument("--out", help="also write the new dataset's export folder")
    filter_.add_argument("--no-items", action="store_true", help="leave out items.jsonl.gz")
    _executor_option(filter_)
    filter_.set_defaults(func=cmd_filter)

    wipe = sub.add_parser("wipe", help="delete every row of a dataset and its partition")
    wipe.add_argument("dataset", help="the dataset name (partition key)")
    wipe.add_argument("--cascade", action="store_true", help="also wipe the datasets filtered from it")
    wipe.set_defaults(func=cmd_wipe)

    recheck = sub.add_parser("recheck", help="check a dataset's collection again (a wiped one included)")
    recheck.add_argument("dataset", help="the dataset name (partition key)")
    recheck.add_argument("--in-process", action="store_true", help="run every step in this process")
    recheck.set_defaults(func=cmd_recheck)

    demo = sub.add_parser("demo", help="check the bundled real data and print where the results are")
    demo.add_argument("--out", help="export folder (default PELICAN_HOME/demo-results)")
    _executor_option(demo)

    reexecute = sub.add_parser(
        "reexecute", help="re-execute a failed pelican run from failure (same dataset)"
    )
    reexecute.add_argument("run_id")
    _executor_option(reexecute)
    reexecute.set_defaults(func=cmd_reexecute)
    demo.set_defaults(func=cmd_demo)

    ui = sub.add_parser("ui", help="start the Dagster UI (dagster dev) on the CLI's instance")
    ui.add_argument("dagster_args", nargs=argparse.REMAINDER, help="extra arguments for dagster dev")
    ui.set_defaults(func=cmd_ui)

    stop = sub.add_parser("stop", help="stop the embedded PostgreSQL server")
    stop.set_defaults(func=cmd_stop)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``pelican-dagster``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["ui"]:
        # Everything after ``ui`` belongs to ``dagster dev`` (argparse would claim options like -p).
        rest = argv[1:]
        return cmd_ui(argparse.Namespace(dagster_args=rest[1:] if rest[:1] == ["--"] else rest))
    args = parser().parse_args(argv)
    from pelican_dagster.pipeline.loader import LoadError

    try:
        return args.func(args)
    except (UserError, LoadError) as e:
        print(f"pelican-dagster {args.command}: {e}", file=sys.stderr)
        return 2


def run() -> None:
    """The ``pelican-dagster`` command: :func:`main`, then exit without the interpreter's final garbage
    collection. After a check the process holds Dagster's and the project's objects, and collecting them
    at exit took 1.2-1.6 s (seen: the prompt came back that long after the last line); the objects die
    with the process anyway. Not in :func:`main`, which tests and other callers keep running after."""
    try:
        code: int | str | None = main()
    except SystemExit as e:  # argparse's --help, --version and usage errors
        code = e.code
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
