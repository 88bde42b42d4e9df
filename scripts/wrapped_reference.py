#!/usr/bin/env python3
"""An independent computation of `forecast wrapped`'s CSV files, from the definitions in
Sources/Wrapped/README.md, with fastavro and the standard library only (no code shared with the
Swift implementation). The tests run it on a simulated history and compare the files byte for
byte.

    python3 scripts/wrapped_reference.py HISTORY.avro OUTDIR [--top K]
"""
import argparse
import csv
import io
import math
import os
from collections import defaultdict
from fractions import Fraction

import fastavro

STREAM_MS = 30_000
PERSONALITY_MIN_STREAMS = 50
PERCENTILE_MIN_LISTENERS = 100
CONTINENTS = ["Africa", "Asia", "Europe", "North America", "South America", "Oceania", "Unknown"]


def continent_of(text):
    key = "".join(c for c in text.lower() if c.isalpha())
    for c in CONTINENTS:
        if "".join(x for x in c.lower() if x.isalpha()) == key:
            return c
    return "Unknown"


def six(fraction):
    """Six decimals, half to even, from the exact value."""
    if fraction.denominator == 0:
        return "0.000000"
    scaled = fraction * 1_000_000
    q, r = divmod(scaled.numerator, scaled.denominator)
    if 2 * r > scaled.denominator or (2 * r == scaled.denominator and q % 2 == 1):
        q += 1
    return f"{q // 1_000_000}.{q % 1_000_000:06d}"


def minutes(ms):
    return six(Fraction(ms, 60_000))


def b(s):
    return s.encode("utf-8")


def rank_key(streams, ms, name, artist=""):
    return (-streams, -ms, b(name), b(artist))


def csv_text(header, rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return out.getvalue()


def otsu(values):
    v = sorted(values)
    n = len(v)
    if n < 2 or v[0] == v[-1]:
        return None
    total = sum(v)
    left = 0.0
    best, threshold = -1.0, None
    for k in range(1, n):
        left += v[k - 1]
        if v[k] == v[k - 1]:
            continue
        w0 = k / n
        w1 = 1 - w0
        m0 = left / k
        m1 = (total - left) / (n - k)
        between = w0 * w1 * (m0 - m1) * (m0 - m1)
        if between > best:
            best, threshold = between, (v[k - 1] + v[k]) / 2
    return threshold


class Accumulator:
    """The counts of one history (or one window of a stream): `add` each event record (as
    fastavro reads it), then `tables` renders the CSV files."""

    def __init__(self):
        # (user, artist, title, genre, continent, country, city) -> [streams, ms]
        self.cells = defaultdict(lambda: [0, 0])
        self.year = {}
        self.popularity = {}
        self.user_events = defaultdict(int)
        self.user_ms = defaultdict(int)
        self.user_streams = defaultdict(int)
        self.user_repeats = defaultdict(int)

    def add(self, r):
        start = r["listening_time"]["start_time"]
        end = r["listening_time"]["end_time"]
        d = end - start
        if d < 0:
            return
        loc = r["user_location"]
        u = r["user_id"]
        key = (u, r["artist"], r["song_name"], r["genre"], continent_of(r.get("continent", "Unknown")),
               loc["country"], loc["city"])
        s = 1 if d >= STREAM_MS else 0
        self.cells[key][0] += s
        self.cells[key][1] += d
        track = (r["artist"], r["song_name"], r["genre"])
        if r["year"] > 0:
            self.year[track] = min(self.year.get(track, r["year"]), r["year"])
        self.popularity[track] = max(self.popularity.get(track, 0), r["popularity"])
        self.user_events[u] += 1
        self.user_ms[u] += d
        self.user_streams[u] += s
        if r["interaction"].lower() in ("repeated", "repeat"):
            self.user_repeats[u] += 1

    def tables(self, top):
        """File name -> CSV text."""
        cells, year, popularity = self.cells, self.year, self.popularity
        user_events, user_ms = self.user_events, self.user_ms
        user_streams, user_repeats = self.user_streams, self.user_repeats
        # Scope x item totals with distinct listeners.
        def aggregate(scope_of, item_of):
            totals = defaultdict(lambda: [0, 0, set()])
            for key, (s, ms) in cells.items():
                for scope in scope_of(key):
                    t = totals[(scope, item_of(key))]
                    t[0] += s
                    t[1] += ms
                    if s > 0:
                        t[2].add(key[0])
            return totals

        scopes = lambda k: [("world", "world"), ("continent", k[4]), ("country", k[5])]
        scope_total = defaultdict(int)
        for key, (s, ms) in cells.items():
            for scope in scopes(key):
                scope_total[scope] += s
        order = {"world": 0, "continent": 1, "country": 2}

        def top_file(item_of, is_song):
            totals = aggregate(scopes, item_of)
            groups = defaultdict(list)
            for (scope, item), t in totals.items():
                if t[0] > 0:
                    groups[scope].append((item, t))
            rows = []
            for scope in sorted(groups, key=lambda s: (order[s[0]], b(s[1]))):
                ranked = sorted(groups[scope], key=lambda x: rank_key(
                    x[1][0], x[1][1], x[0][1] if is_song else x[0], x[0][0] if is_song else ""))
                for i, (item, t) in enumerate(ranked[: top]):
                    name, artist = (item[1], item[0]) if is_song else (item, "")
                    rows.append([scope[0], scope[1], i + 1, name, artist, t[0], len(t[2]), minutes(t[1]),
                                 six(Fraction(t[0], scope_total[scope]))])
            return csv_text(["scope_type", "scope", "rank", "item", "artist", "streams", "listeners", "minutes",
                             "share"], rows)

        files = {
            "top_songs.csv": top_file(lambda k: (k[1], k[2]), True),
            "top_artists.csv": top_file(lambda k: k[1], False),
            "top_genres.csv": top_file(lambda k: k[3], False),
        }

        # Per user.
        per_user = defaultdict(lambda: {"song": defaultdict(lambda: [0, 0]), "artist": defaultdict(lambda: [0, 0]),
                                        "genre": defaultdict(lambda: [0, 0]), "year": [0, 0], "common": 0.0})
        song_listeners = defaultdict(set)
        for key, (s, ms) in cells.items():
            if s > 0:
                song_listeners[(key[1], key[2])].add(key[0])
        has_popularity = any(p > 0 for p in popularity.values())
        has_repeats = any(v > 0 for v in user_repeats.values())
        for key, (s, ms) in cells.items():
            p = per_user[key[0]]
            for kind, item in (("song", (key[1], key[2])), ("artist", key[1]), ("genre", key[3])):
                p[kind][item][0] += s
                p[kind][item][1] += ms
        # Stream-weighted sums must be added in the same order as the Swift code to give the same
        # floating-point values: per user, entries in first-seen order. Python dicts keep insertion
        # order, and `cells` was filled in file order, as the Swift accumulator is.
        for key, (s, ms) in cells.items():
            if s == 0:
                continue
            p = per_user[key[0]]
            track = (key[1], key[2], key[3])
            if year.get(track, 0) > 0:
                p["year"][0] += year[track] * s
                p["year"][1] += s
            common = popularity[track] if has_popularity else math.log2(max(1, len(song_listeners[(key[1], key[2])])))
            p["common"] += common * s

        artist_streams = defaultdict(list)
        rows = []
        scores = {}
        for u in sorted(user_events):
            p = per_user[u]
            songs = sorted(((k, v) for k, v in p["song"].items() if v[0] > 0),
                           key=lambda x: rank_key(x[1][0], x[1][1], x[0][1], x[0][0]))
            artists = sorted(((k, v) for k, v in p["artist"].items() if v[0] > 0),
                             key=lambda x: rank_key(x[1][0], x[1][1], x[0]))
            genres = sorted(((k, v) for k, v in p["genre"].items() if v[0] > 0),
                            key=lambda x: rank_key(x[1][0], x[1][1], x[0]))
            for a, v in artists:
                artist_streams[a].append(v[0])
            streams = user_streams[u]
            if streams >= PERSONALITY_MIN_STREAMS:
                top5 = sum(v[0] for _, v in artists[:5])
                loyalty = user_repeats[u] / user_events[u] if has_repeats else 1 - len(songs) / streams
                scores[u] = [top5 / streams, loyalty, p["year"][0] / p["year"][1] if p["year"][1] else 0.0,
                             p["common"] / streams]
            rows.append([u, user_ms[u], streams, len(artists), len(songs), genres[0][0] if genres else "",
                         [a for a, _ in artists[:5]], [f"{k[0]} - {k[1]}" for k, _ in songs[:5]],
                         (artists[0][0], artists[0][1][0]) if artists else None])
        thresholds = [otsu([s[k] for s in scores.values()]) for k in range(4)]
        letters = [("F", "E"), ("L", "V"), ("N", "T"), ("C", "U")]

        def code(s):
            out = ""
            for k in range(4):
                high = thresholds[k] is None or s[k] >= thresholds[k]
                out += letters[k][0] if high else letters[k][1]
            return out

        out_rows = []
        for u, ms, streams, na, ns, genre, top_artists, top_songs, top in rows:
            percentile = ""
            if top is not None:
                lst = artist_streams[top[0]]
                if len(lst) >= PERCENTILE_MIN_LISTENERS:
                    more = sum(1 for x in lst if x > top[1])
                    percentile = six(Fraction(100 * (1 + more), len(lst)))
            out_rows.append([u, minutes(ms), streams, na, ns, genre] + (top_artists + [""] * 5)[:5]
                            + (top_songs + [""] * 5)[:5] + [percentile, code(scores[u]) if u in scores else ""])
        files["users.csv"] = csv_text(
            ["user_id", "minutes", "streams", "distinct_artists", "distinct_songs", "top_genre"]
            + [f"top_artist_{i}" for i in range(1, 6)] + [f"top_song_{i}" for i in range(1, 6)]
            + ["top_artist_percentile", "personality"], out_rows)

        # Artists' geography.
        world = scope_total[("world", "world")]
        totals = aggregate(lambda k: [("world", "world"), ("continent", k[4]), ("country", k[5])], lambda k: k[1])
        rows = []
        for (scope, artist), t in totals.items():
            if scope[0] == "world" or t[0] == 0:
                continue
            artist_total = totals[(("world", "world"), artist)][0]
            rows.append((artist, scope, t))
        rows.sort(key=lambda x: (b(x[0]), order[x[1][0]], -x[2][0], b(x[1][1])))
        files["artists.csv"] = csv_text(
            ["artist", "scope_type", "scope", "streams", "listeners", "share_of_artist", "location_quotient"],
            [[a, sc[0], sc[1], t[0], len(t[2]),
              six(Fraction(t[0], totals[(("world", "world"), a)][0])),
              six(Fraction(t[0] * world, totals[(("world", "world"), a)][0] * scope_total[sc]))]
             for a, sc, t in rows])
        cities = aggregate(lambda k: [(k[5], k[6])], lambda k: k[1])
        by_artist = defaultdict(list)
        for (place, artist), t in cities.items():
            if t[0] > 0:
                by_artist[artist].append((place, t))
        rows = []
        for artist in sorted(by_artist, key=b):
            ranked = sorted(by_artist[artist], key=lambda x: rank_key(x[1][0], x[1][1], x[0][1], x[0][0]))
            total = totals[(("world", "world"), artist)][0]
            for i, (place, t) in enumerate(ranked[:10]):
                rows.append([artist, i + 1, place[1], place[0], t[0], len(t[2]), minutes(t[1]),
                             six(Fraction(t[0], total))])
        files["artist_cities.csv"] = csv_text(
            ["artist", "rank", "city", "country", "streams", "listeners", "minutes", "share_of_artist"], rows)
        return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("history")
    ap.add_argument("out")
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args()

    accumulator = Accumulator()
    with open(args.history, "rb") as f:
        for r in fastavro.reader(f):
            accumulator.add(r)
    files = accumulator.tables(args.top)
    os.makedirs(args.out, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(args.out, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)


if __name__ == "__main__":
    main()
