"""The Pelican frontend's messages, published to the machine's real RabbitMQ exactly as the frontend
publishes them (yapw: JSON, persistent, direct exchange, routing key ``<exchange>_<suffix>``), carried out
by the sensor ``pelican_frontend_messages`` on real PostgreSQL and a real Dagster instance."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import dagster as dg
import pika
import pytest
import sqlalchemy as sa

from pelican_dagster.assets import PIPELINE_ASSETS
from pelican_dagster.automation.frontend import MessageHandler, pelican_frontend_messages
from pelican_dagster.automation.kingfisher import kingfisher_process_collections
from pelican_dagster.frontend import messages as m
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.resources.rabbitmq import RabbitMQResource
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.results import dataset_by_name, get_progress
from tests.conftest import DATA, REPO

BROKER = os.environ.get("RABBIT_URL") or "amqp://guest:guest@127.0.0.1:5672/%2F"
GACM = DATA / "mexico-gacm.jsonl.gz"
DAGSTER = str(Path(sys.executable).parent / "dagster")

# The frontend's preview statement (pelican-frontend CountDatasetFilterItems), built the same way.
_PREVIEW = {
    "release_date_from": "data->>'date' >= %(release_date_from)s",
    "release_date_to": "data->>'date' <= %(release_date_to)s",
    "buyer": "data->'buyer'->>'name' = ANY(%(buyer)s)",
    "buyer_regex": "data->'buyer'->>'name' ILIKE %(buyer_regex)s",
    "procuring_entity": "data->'tender'->'procuringEntity'->>'name' = ANY(%(procuring_entity)s)",
    "procuring_entity_regex": "data->'tender'->'procuringEntity'->>'name' ILIKE %(procuring_entity_regex)s",
}


def frontend_preview(engine: sa.Engine, dataset_id: int, filter_message: dict) -> int:
    parts = ["SELECT count(*) FROM data_item WHERE dataset_id = %(dataset_id_original)s"]
    parts += [_PREVIEW[key] for key in filter_message]
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute(" AND ".join(parts), {"dataset_id_original": dataset_id, **filter_message})
        return cursor.fetchone()[0]


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("PELICAN_URL_CHECK_OFFLINE", "1")


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


@pytest.fixture
def rabbitmq():
    """A broker resource on a unique exchange (queues declared), removed afterwards."""
    resource = RabbitMQResource(url=BROKER, exchange_name=f"pelican_test_{uuid.uuid4().hex[:12]}")
    with resource.channel():
        pass
    yield resource
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    channel = connection.channel()
    for suffix in m.SUFFIXES:
        channel.queue_delete(resource.queue_name(suffix))
    channel.exchange_delete(resource.exchange_name)
    connection.close()


def publish(rabbitmq: RabbitMQResource, suffix: str, message: object) -> None:
    """As the frontend's ``api.rabbitmq.publish`` does (yapw's Blocking client)."""
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    connection.channel().basic_publish(
        exchange=rabbitmq.exchange_name,
        routing_key=f"{rabbitmq.exchange_name}_{suffix}",
        body=body,
        properties=pika.BasicProperties(content_type="application/json", delivery_mode=2),
    )
    connection.close()


def waiting(rabbitmq: RabbitMQResource) -> int:
    with rabbitmq.channel() as channel:
        return sum(
            channel.queue_declare(rabbitmq.queue_name(x), durable=True, passive=True).method.message_count
            for x in m.SUFFIXES
        )


def evaluate(instance, resources, rabbitmq):
    with dg.build_sensor_context(instance=instance, resources={**resources, "rabbitmq": rabbitmq}) as context:
        return pelican_frontend_messages(context)


def observed(result) -> list[tuple[str, str]]:
    return [(e.metadata["queue"].value, e.metadata["status"].value) for e in result.asset_events]


def datasets_named(engine, prefix: str) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(sa.select(s.dataset.c.name).where(s.dataset.c.name.startswith(prefix))).scalars()
        )


@pytest.mark.broker
def test_create_filter_wipe(kfp_engine, results_engine, instance, resources, rabbitmq):
    loaded = load_file(kfp_engine, GACM, source_id="mexico-gacm")
    # The Kingfisher sensor registered the collection already: the frontend's dataset is a second one.
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        auto = kingfisher_process_collections(context)
    assert len(auto.run_requests) == 1

    create = {"name": "gacm", "collection_id": loaded.collection_id, "ancestor_id": None, "max_items": None}
    publish(rabbitmq, m.CREATE, create)
    result = evaluate(instance, resources, rabbitmq)
    assert observed(result) == [(m.CREATE, "done")]
    assert [r.partition_key for r in result.run_requests] == ["gacm"]
    assert instance.has_dynamic_partition(datasets.name, "gacm")
    with results_engine.connect() as conn:
        dataset = dataset_by_name(conn, "gacm")
        assert dataset.collection_id == loaded.collection_id and dataset.max_items is None
        # Registered, not run: in progress for the frontend, not a null phase.
        assert get_progress(conn, dataset.id)["phase"] == "CONTRACTING_PROCESS"
    assert len(datasets_named(results_engine, "")) == 2

    publish(rabbitmq, m.CREATE, create)  # repeated: nothing changes
    assert observed(evaluate(instance, resources, rabbitmq)) == [(m.CREATE, "repeated")]
    assert len(datasets_named(results_engine, "")) == 2

    assert dg.materialize(
        PIPELINE_ASSETS, partition_key="gacm", instance=instance, resources=resources
    ).success

    previews = {}
    for filter_message, expected in (({"release_date_to": "2017-02-09"}, 159), ({"buyer_regex": "%a%"}, 292)):
        previews[json.dumps(filter_message)] = frontend_preview(results_engine, dataset.id, filter_message)
        assert previews[json.dumps(filter_message)] == expected
        publish(rabbitmq, m.FILTER, {"dataset_id_original": dataset.id, "filter_message": filter_message})
    result = evaluate(instance, resources, rabbitmq)
    assert observed(result) == [(m.FILTER, "done"), (m.FILTER, "done")]
    with results_engine.connect() as conn:
        lineage = dict(
            conn.execute(
                sa.select(s.dataset_filter.c.dataset_id_filtered, s.dataset_filter.c.filter_message)
            ).all()
        )
    for request in result.run_requests:
        key = request.partition_key
        assert dg.materialize(
            PIPELINE_ASSETS, partition_key=key, instance=instance, resources=resources
        ).success
        with results_engine.connect() as conn:
            filtered = dataset_by_name(conn, key)
            progress = get_progress(conn, filtered.id)
        assert progress["phase"] == "CHECKED"
        assert progress["size"] == previews[json.dumps(lineage[filtered.id])]

    publish(rabbitmq, m.WIPE, {"dataset_id": filtered.id})
    assert observed(evaluate(instance, resources, rabbitmq)) == [(m.WIPE, "done")]
    with results_engine.connect() as conn:
        assert dataset_by_name(conn, key) is None
    assert not instance.has_dynamic_partition(datasets.name, key)
    assert waiting(rabbitmq) == 0


@pytest.mark.broker
def test_a_redelivered_message_changes_nothing(kfp_engine, results_engine, instance, resources, rabbitmq):
    loaded = load_file(kfp_engine, DATA / "paraguay.jsonl.gz", source_id="paraguay")
    publish(rabbitmq, m.CREATE, {"name": "py", "collection_id": loaded.collection_id})
    handler = MessageHandler(instance, resources["results"], resources["kingfisher_process"])
    # Carried out and committed, then the process dies before the ack: the broker redelivers it.
    with rabbitmq.channel() as channel:
        _method, _, body = channel.basic_get(rabbitmq.queue_name(m.CREATE), auto_ack=False)
        assert handler.handle(m.CREATE, body).status == "done"
    assert waiting(rabbitmq) == 1
    result = evaluate(instance, resources, rabbitmq)
    assert observed(result) == [(m.CREATE, "repeated")]
    assert [r.run_key for r in result.run_requests] == [f"frontend-{m.message_key(m.CREATE, body)}"]
    assert datasets_named(results_engine, "") == ["py"]
    assert waiting(rabbitmq) == 0


@pytest.mark.broker
def test_poison_messages_are_acked_with_their_reason(
    kfp_engine, results_engine, instance, resources, rabbitmq
):
    loaded = load_file(kfp_engine, DATA / "paraguay.jsonl.gz", source_id="paraguay")
    poison = [
        (m.CREATE, b"{not json"),
        (m.CREATE, {"name": "x", "collection_id": 999999, "ancestor_id": None, "max_items": None}),
        (m.CREATE, {"name": "bad...name", "collection_id": loaded.collection_id}),
        (m.CREATE, {"name": "line\nbreak", "collection_id": loaded.collection_id}),
        (m.CREATE, {"name": "y", "collection_id": loaded.collection_id, "ancestor_id": 424242}),
        (m.CREATE, [1, 2]),
        (m.FILTER, {"dataset_id_original": 424242, "filter_message": {"buyer_regex": "%a%"}}),
        (m.FILTER, {"dataset_id_original": 1, "filter_message": {}}),
        (m.FILTER, {"dataset_id_original": 1, "filter_message": {"buyer": "not a list"}}),
        (m.WIPE, {"dataset_id": 424242}),
        (m.WIPE, {"dataset_id": "one"}),
    ]
    for suffix, body in poison:
        publish(rabbitmq, suffix, body)
    publish(rabbitmq, m.CREATE, {"name": "good", "collection_id": loaded.collection_id})
    result = evaluate(instance, resources, rabbitmq)
    statuses = observed(result)
    assert sorted(statuses) == sorted([(suffix, "rejected") for suffix, _ in poison] + [(m.CREATE, "done")])
    assert all(e.metadata["detail"].value for e in result.asset_events)
    assert datasets_named(results_engine, "") == ["good"]
    assert waiting(rabbitmq) == 0


def test_off_without_rabbit_url(instance, resources):
    no_broker = {**resources, "rabbitmq": RabbitMQResource()}
    with dg.build_sensor_context(instance=instance, resources=no_broker) as context:
        assert isinstance(pelican_frontend_messages(context), dg.SkipReason)


@pytest.mark.broker
@pytest.mark.slow
def test_dagster_sensor_preview_registers_waiting_messages(db_env, kfp_engine, results_engine, rabbitmq):
    loaded = load_file(kfp_engine, DATA / "paraguay.jsonl.gz", source_id="paraguay")
    publish(rabbitmq, m.CREATE, {"name": "previewed", "collection_id": loaded.collection_id})
    env = {**os.environ, **db_env, "RABBIT_URL": BROKER, "RABBIT_EXCHANGE_NAME": rabbitmq.exchange_name}
    completed = subprocess.run(
        [DAGSTER, "sensor", "preview", "pelican_frontend_messages", "-m", "pelican_dagster.definitions"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-3000:]
    with results_engine.connect() as conn:
        dataset = dataset_by_name(conn, "previewed")
        assert get_progress(conn, dataset.id)["phase"] == "CONTRACTING_PROCESS"
    assert dg.DagsterInstance.get().has_dynamic_partition(datasets.name, "previewed")
    assert waiting(rabbitmq) == 0
