#!/usr/bin/env python3
"""Another Kafka client for the toolkit's topic: Python's confluent-kafka with fastavro.

The seed project's stack, used to check that the toolkit's records interoperate and to measure
what a Python consumer does in the same time. Four commands:

  produce HISTORY.avro --bootstrap B --topic T --schema-id N
      Reads an Avro history with fastavro and sends every event to the partition of its
      continent (Africa 0, Asia 1, Europe 2, North America 3, South America 4, Oceania and
      Antarctica 5, anything else 6); key = the user id as decimal text; value = Confluent
      framing (byte 0, 4-byte big-endian schema id) + fastavro's schemaless encoding with the
      toolkit's schema. Prints {"produced": n, "per_partition": [...]} on standard output.

  read --bootstrap B --topic T --schema-id N --out EVENTS.jsonl
      Reads every record of every partition from the beginning to the end (assign, partition
      EOF, no group), checks the framing, decodes with fastavro's schemaless reader and writes
      one JSON object per record: {"partition", "offset", "key", "value"}.

  dump HISTORY.avro --out EVENTS.jsonl
      What fastavro reads from an Avro history (resolved to the toolkit's schema), one JSON
      value per line, in file order: the reference `read`'s values are compared with.

  aggregate --bootstrap B --topic T --group G [--full OUT]
      A consumer-group member doing the Wrapped aggregation a Python user would write: per
      event-time UTC day and continent, streams (end - start >= 30 s), minutes, distinct
      listeners, streams per song, artist and genre for the top 10s. Exits when every assigned
      partition is at its end and prints, as JSON, the events consumed and the events per
      second from the first record to the end (and including the group join). With --full, the
      same windows as `forecast consume` writes instead: per day and partition, and per day
      world-wide, every Wrapped CSV file (scripts/wrapped_reference.py's computation) under
      OUT/<day>/<partition>/ and OUT/<day>/world/, written after the last record.

Floats of the Avro records (float32) are written to JSON as Python floats, which hold them
exactly. Exit status 1 with a message on standard error for any failure.
"""

import argparse
import io
import json
import os
import struct
import sys
import time
import uuid
from collections import Counter, defaultdict

try:
    import fastavro
    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition
except ImportError as error:  # pragma: no cover - reported, not raised
    sys.exit(
        f"kafka_peer.py: {error}. Please install the packages: "
        "python3 -m pip install confluent-kafka fastavro"
    )

SCHEMA_PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "Sources", "Events", "Schemas", "ListeningEvent.avsc",
)

# The toolkit's topic layout: one partition per continent, unknown last.
PARTITIONS = {
    "africa": 0,
    "asia": 1,
    "europe": 2,
    "northamerica": 3,
    "southamerica": 4,
    "oceania": 5,
    "antarctica": 5,
}
UNKNOWN_PARTITION = 6
PARTITION_COUNT = 7
STREAM_MS = 30_000
DAY_MS = 86_400_000


class PeerError(Exception):
    """A failure to report in one line, then exit 1."""


def load_schema(path):
    try:
        with open(path, "rb") as f:
            return fastavro.parse_schema(json.load(f))
    except (OSError, ValueError) as error:
        raise PeerError(f"{path}: cannot read the event schema ({error}). Pass --schema FILE.")


def partition_of(continent):
    """The partition of a continent name: any case, spaces, '_' or '-' ignored."""
    key = "".join(c for c in str(continent).lower() if c.isalpha())
    return PARTITIONS.get(key, UNKNOWN_PARTITION)


def frame(schema_id):
    return b"\x00" + struct.pack(">I", schema_id)


def check_schema_id(value):
    n = int(value)
    if not 0 <= n <= 0x7FFFFFFF:
        raise argparse.ArgumentTypeError(f"schema id {n} is not in 0...2147483647")
    return n


def client_config(args, **extra):
    config = {"bootstrap.servers": args.bootstrap}
    for item in args.property or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise PeerError(f"-X {item}: please pass librdkafka properties as key=value.")
        config[key] = value
    config.update(extra)
    return config


def history_records(path, schema):
    try:
        f = open(path, "rb")
    except OSError as error:
        raise PeerError(f"{path}: cannot open the history ({error.strerror}).")
    with f:
        try:
            yield from fastavro.reader(f, reader_schema=schema)
        except (ValueError, EOFError, fastavro.read.SchemaResolutionError) as error:
            raise PeerError(f"{path}: not a readable Avro history ({error}).")


def topic_partitions(client, topic, timeout=10):
    """The partition ids of `topic`, or a PeerError naming the broker and topic."""
    try:
        metadata = client.list_topics(topic, timeout=timeout)
    except Exception as error:  # KafkaException: broker unreachable within the timeout
        raise PeerError(f"cannot reach the brokers ({error}). Check --bootstrap.")
    t = metadata.topics.get(topic)
    if t is None or t.error is not None:
        reason = t.error if t is not None else "absent"
        raise PeerError(f"topic {topic}: {reason}. Check --topic.")
    return sorted(t.partitions)


def produce(args):
    schema = load_schema(args.schema)
    failures = []

    def delivered(error, _message):
        if error is not None:
            failures.append(error)

    producer = Producer(
        client_config(args, **{"enable.idempotence": True, "linger.ms": 5})
    )
    partitions = topic_partitions(producer, args.topic)
    if len(partitions) != PARTITION_COUNT:
        raise PeerError(
            f"topic {args.topic} has {len(partitions)} partitions; the continents need "
            f"{PARTITION_COUNT}. Create it with {PARTITION_COUNT} partitions."
        )
    header = frame(args.schema_id)
    per_partition = [0] * PARTITION_COUNT
    produced = 0
    for record in history_records(args.history, schema):
        buffer = io.BytesIO()
        buffer.write(header)
        fastavro.schemaless_writer(buffer, schema, record)
        partition = partition_of(record.get("continent", ""))
        key = str(record["user_id"]).encode()
        while True:
            try:
                producer.produce(
                    args.topic, value=buffer.getvalue(), key=key, partition=partition,
                    on_delivery=delivered,
                )
                break
            except BufferError:  # the local queue is full: let deliveries drain it
                producer.poll(0.1)
        producer.poll(0)
        per_partition[partition] += 1
        produced += 1
    left = producer.flush(60)
    if failures or left:
        first = failures[0] if failures else "not acknowledged within 60 s"
        raise PeerError(
            f"{len(failures) + left} of {produced} events not delivered to {args.topic}: {first}."
        )
    print(json.dumps({"produced": produced, "per_partition": per_partition}))


def read_to_end(args, on_record):
    """Calls on_record(message) for every record of every partition, from the beginning to the
    end of each (partition EOF). No group membership: partitions are assigned directly."""
    consumer = Consumer(
        client_config(
            args,
            **{
                "group.id": "kafka-peer-read-" + uuid.uuid4().hex,
                "enable.auto.commit": False,
                "enable.partition.eof": True,
            },
        )
    )
    try:
        partitions = topic_partitions(consumer, args.topic)
        consumer.assign(
            [TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in partitions]
        )
        remaining = set(partitions)
        deadline = time.monotonic() + args.timeout
        while remaining:
            if time.monotonic() > deadline:
                raise PeerError(
                    f"partitions {sorted(remaining)} of {args.topic} not at their end after "
                    f"{args.timeout} s. Check the brokers, or raise --timeout."
                )
            for message in consumer.consume(1000, 0.5):
                error = message.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        remaining.discard(message.partition())
                        continue
                    if error.fatal() or not error.retriable():
                        raise PeerError(f"consume from {args.topic}: {error}.")
                    continue
                on_record(message)
    finally:
        consumer.close()


def decode(message, schema, schema_id):
    """The event of a Confluent-framed value, or a PeerError naming partition and offset."""
    value = message.value() or b""
    where = f"partition {message.partition()} offset {message.offset()}"
    if len(value) < 5 or value[0] != 0:
        raise PeerError(f"{where}: not Confluent-framed (magic byte {value[:1].hex() or 'none'}).")
    found = struct.unpack(">I", value[1:5])[0]
    if found != schema_id:
        raise PeerError(f"{where}: schema id {found}, expected {schema_id}.")
    body = io.BytesIO(value[5:])
    try:
        event = fastavro.schemaless_reader(body, schema, None)
    except (ValueError, EOFError, IndexError, UnicodeDecodeError) as error:
        raise PeerError(f"{where}: the Avro body does not decode ({error}).")
    if body.tell() != len(value) - 5:
        raise PeerError(f"{where}: {len(value) - 5 - body.tell()} bytes after the Avro record.")
    return event


def read(args):
    schema = load_schema(args.schema)
    temporary = args.out + ".tmp"
    count = 0
    with open(temporary, "w", encoding="utf-8") as out:

        def write(message):
            nonlocal count
            event = decode(message, schema, args.schema_id)
            key = message.key()
            line = {
                "partition": message.partition(),
                "offset": message.offset(),
                "key": None if key is None else key.decode("utf-8", "replace"),
                "value": event,
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1

        read_to_end(args, write)
    os.replace(temporary, args.out)
    print(json.dumps({"records": count}))


def dump(args):
    schema = load_schema(args.schema)
    temporary = args.out + ".tmp"
    count = 0
    with open(temporary, "w", encoding="utf-8") as out:
        for record in history_records(args.history, schema):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    os.replace(temporary, args.out)
    print(json.dumps({"events": count}))


class Window:
    """One (UTC day, continent) cell: what the Wrapped top lists are made of."""

    __slots__ = ("streams", "milliseconds", "listeners", "songs", "artists", "genres")

    def __init__(self):
        self.streams = 0
        self.milliseconds = 0
        self.listeners = set()
        self.songs = Counter()
        self.artists = Counter()
        self.genres = Counter()


def aggregate(args):
    schema = load_schema(args.schema)
    windows = defaultdict(Window)
    full = None
    if args.full:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from wrapped_reference import Accumulator

        full = defaultdict(Accumulator)
    assigned = set()
    at_end = set()

    def on_assign(consumer, partitions):
        for p in partitions:
            assigned.add(p.partition)
            at_end.discard(p.partition)
        consumer.incremental_assign(partitions)

    def on_revoke(consumer, partitions):
        for p in partitions:
            assigned.discard(p.partition)
            at_end.discard(p.partition)
        consumer.incremental_unassign(partitions)

    consumer = Consumer(
        client_config(
            args,
            **{
                "group.id": args.group,
                "enable.auto.commit": True,
                "auto.offset.reset": "earliest",
                "enable.partition.eof": True,
                "partition.assignment.strategy": "cooperative-sticky",
            },
        )
    )
    began = time.monotonic()
    first = None
    events = 0
    try:
        topic_partitions(consumer, args.topic)
        consumer.subscribe([args.topic], on_assign=on_assign, on_revoke=on_revoke)
        deadline = began + args.timeout
        while not assigned or not assigned <= at_end:
            if time.monotonic() > deadline:
                raise PeerError(
                    f"not at the end of {args.topic} after {args.timeout} s "
                    f"(assigned {sorted(assigned)}, at end {sorted(at_end)}). Check the brokers."
                )
            for message in consumer.consume(1000, 0.5):
                error = message.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        at_end.add(message.partition())
                    elif error.fatal() or not error.retriable():
                        raise PeerError(f"consume from {args.topic}: {error}.")
                    continue
                if first is None:
                    first = time.monotonic()
                at_end.discard(message.partition())
                event = decode(message, schema, args.schema_id)
                period = event["listening_time"]
                start, end = period["start_time"], period["end_time"]
                if end < start:
                    continue
                duration = end - start
                if full is not None:
                    day = start // DAY_MS
                    full[(day, str(message.partition()))].add(event)
                    full[(day, "world")].add(event)
                    events += 1
                    continue
                window = windows[(start // DAY_MS, event["continent"])]
                window.milliseconds += duration
                events += 1
                if duration >= STREAM_MS:
                    window.streams += 1
                    window.listeners.add(event["user_id"])
                    window.songs[(event["artist"], event["song_name"])] += 1
                    window.artists[event["artist"]] += 1
                    window.genres[event["genre"]] += 1
        finished = time.monotonic()
    finally:
        consumer.close()
    # The results: per window the totals and the top 10s, as a user would print or store them.
    results = {}
    for (day, continent), w in windows.items():
        results[(day, continent)] = {
            "streams": w.streams,
            "minutes": w.milliseconds / 60_000,
            "listeners": len(w.listeners),
            "top_songs": w.songs.most_common(10),
            "top_artists": w.artists.most_common(10),
            "top_genres": w.genres.most_common(10),
        }
    if full is not None:
        for (day, scope), accumulator in sorted(full.items()):
            name = time.strftime("%Y-%m-%d", time.gmtime(day * 86_400))
            directory = os.path.join(args.full, name, scope)
            os.makedirs(directory, exist_ok=True)
            for file, text in accumulator.tables(10).items():
                with open(os.path.join(directory, file), "w", encoding="utf-8", newline="") as f:
                    f.write(text)
    done = time.monotonic()
    measured = (done - first) if first is not None else 0.0
    print(
        json.dumps(
            {
                "events": events,
                "windows": len(results),
                "streams": sum(r["streams"] for r in results.values()),
                "seconds": round(measured, 4),
                "events_per_s": round(events / measured) if measured > 0 else None,
                "seconds_total": round(done - began, 4),
                "events_per_s_total": round(events / (done - began)) if done > began else None,
                "seconds_top_lists": round(done - finished, 4),
            }
        )
    )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="kafka_peer.py", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def kafka_options(p, group=False):
        p.add_argument("--bootstrap", "-b", required=True, help="bootstrap brokers host:port,...")
        p.add_argument("--topic", "-t", default="SpotifyWrapped", help="the topic")
        p.add_argument("--schema-id", type=check_schema_id, default=1,
                       help="the schema id of the values' framing")
        p.add_argument("-X", dest="property", action="append",
                       help="a librdkafka property key=value (repeatable)")
        p.add_argument("--timeout", type=float, default=120,
                       help="seconds to reach the end of the partitions")
        if group:
            p.add_argument("--group", "-G", required=True, help="the consumer group")

    def schema_option(p):
        p.add_argument("--schema", default=SCHEMA_PATH, help="the toolkit's event schema (.avsc)")

    p = commands.add_parser("produce", help="send a history's events, one partition per continent")
    p.add_argument("history")
    kafka_options(p)
    schema_option(p)
    p.set_defaults(run=produce)

    p = commands.add_parser("read", help="read every record to the end, as JSON lines")
    kafka_options(p)
    schema_option(p)
    p.add_argument("--out", required=True, help="the JSON-lines file to write")
    p.set_defaults(run=read)

    p = commands.add_parser("dump", help="what fastavro reads from a history, as JSON lines")
    p.add_argument("history")
    schema_option(p)
    p.add_argument("--out", required=True, help="the JSON-lines file to write")
    p.set_defaults(run=dump)

    p = commands.add_parser("aggregate", help="consume as a group member and aggregate per day")
    kafka_options(p, group=True)
    schema_option(p)
    p.add_argument("--full", metavar="OUT",
                   help="write every window's Wrapped CSV files under OUT, as consume does")
    p.set_defaults(run=aggregate)

    args = parser.parse_args(argv)
    try:
        args.run(args)
    except PeerError as error:
        print(f"kafka_peer.py {args.command}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
