"""README's performance table from bench/run.py results: one or more runs side by side (ours / floor, ratio).

python bench/readme_table.py bench/results/run-A.json bench/results/run-B.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OURS, FLOOR, OLD = "ours", "floor", "old floor"


def rows(r: dict[str, Any]) -> list[tuple[str, float, float, float | None, str, str]]:
    """(measure, ours, floor, old floor or None, unit, target) for one run."""
    out = []
    for t, v in r["typing"].items():
        long = int(t) > 50
        old = v.get(OLD, {})
        out.append((f"keystroke -> every view, T={t}, median", v[OURS]["median"], v[FLOOR]["median"],
                    old.get("median"), "ms", "2x" if long else "1.5x"))  # fmt: skip
        out.append((f"T={t}, p95", v[OURS]["p95"], v[FLOOR]["p95"], old.get("p95"), "ms", "" if long else "2x"))
    t20 = r["typing"]["20"]
    out.append(("server time per run of the script, T=20", t20[OURS]["server_ms"], t20[FLOOR]["server_ms"],
                t20.get(OLD, {}).get("server_ms"), "ms", "3x"))  # fmt: skip
    old_bytes = t20.get(OLD, {}).get("bytes_median", 0) / 1000 or None
    out.append(("bytes per keystroke (websocket payload), T=20", t20[OURS]["bytes_median"] / 1000,
                t20[FLOOR]["bytes_median"] / 1000, old_bytes, "kB", "3x"))  # fmt: skip
    wire = {app: kinds.get("wire (TCP)") for app, kinds in r.get("bytes_by_kind", {}).items()}
    if wire.get(OURS) and wire.get(FLOOR):
        old_wire = wire.get(OLD) / 1000 if wire.get(OLD) else None
        out.append(("bytes per keystroke over TCP (what the network carries), T=20", wire[OURS] / 1000,
                    wire[FLOOR] / 1000, old_wire, "kB", ""))  # fmt: skip
    b = r.get("burst")
    if b:
        gap = r["meta"].get("burst_gap_ms", 60)
        out.append((f"burst of 5 keys {gap} ms apart, T=20: last key -> every view, median", b[OURS]["median"],
                    b[FLOOR]["median"], b.get(OLD, {}).get("median"), "ms", ""))  # fmt: skip
    f = r["first_visit"]
    out.append(("first visit (fresh browser, warm server) -> every view", f[OURS]["median"], f[FLOOR]["median"],
                f.get(OLD, {}).get("median"), "ms", "1.3x"))  # fmt: skip
    c = r["cold_start"]
    out.append(("server RSS after the first render", c[OURS]["rss_mb"], c[FLOOR]["rss_mb"],
                c.get(OLD, {}).get("rss_mb"), "MB", ""))  # fmt: skip
    return out


def main() -> None:
    runs = [json.loads(Path(p).read_text()) for p in sys.argv[1:]]
    table = [rows(r) for r in runs]
    head = "| measure | " + " | ".join(f"run {k + 1}: ours / floor (ratio)" for k in range(len(runs)))
    head += " | old floor (run 1) | target |"
    print(head)
    print("|---" + "|---:" * (len(runs) + 2) + "|")
    for i, (name, *_rest) in enumerate(table[0]):
        unit, target = table[0][i][4], table[0][i][5]
        cells = []
        for t in table:
            _, ours, floor, _, _, _ = t[i]
            fmt = "{:.0f}" if unit != "kB" else "{:.1f}"
            cells.append(f"{fmt.format(ours)} / {fmt.format(floor)} {unit} ({ours / floor:.1f}x)")
        old = table[0][i][3]
        old_cell = f"{old:.0f} {unit}" if old and unit != "kB" else f"{old:.1f} {unit}" if old else ""
        print(f"| {name} | " + " | ".join(cells) + f" | {old_cell} | {'<= ' + target if target else ''} |")
    p = runs[0].get("play")
    if p:
        print()
        print(
            f"Play: {p['fps']:.0f} frames per second, {p['ws_messages_during_play']} websocket messages during "
            f"{p['seconds']:.1f} s of play; arrow key -> every view {sorted(p['arrow_key_ms'])[1]:.0f} ms."
        )


if __name__ == "__main__":
    main()
