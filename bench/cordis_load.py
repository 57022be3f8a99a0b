"""Wall time of the CORDIS export loader on a synthetic export (made up here, never real data):
rows per second for project.csv and organization.csv, with the rare-earth filter and with none.

    python bench/cordis_load.py [--projects 2000] [--participants 10]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.build import load_curated  # noqa: E402
from loaders.base import InputEntry  # noqa: E402
from loaders.cordis import CordisExportLoader  # noqa: E402
from loaders.cordis_files import REQUIRED_COLUMNS  # noqa: E402

TOPICS = ("Recycling of NdFeB permanent magnets by hydrogen processing", "Perovskite solar cells on glass",
          "Magnetic resonance imaging for rare diseases", "Solvent extraction of rare earth oxides")


def write_export(folder: Path, projects: int, participants: int) -> None:
    with open(folder / "project.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writerow(REQUIRED_COLUMNS["project"])
        for i in range(projects):
            writer.writerow([str(800000 + i), f"BENCH{i}", TOPICS[i % 4], "2021-01-01", "2024-12-31 00:00:00", "1000000,5", "900000",
                             "H2020", "RIA", "BENCH-TOPIC", f"{TOPICS[i % 4]}.\nA second line; with a semicolon."])
    with open(folder / "organization.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writerow(REQUIRED_COLUMNS["organization"])
        for i in range(projects):
            for j in range(participants):
                pic = str(900000000 + (i * 7 + j * 13) % (projects * 3))
                writer.writerow([str(800000 + i), pic, f"BENCH ORGANISATION {pic}", "false", "PRC", "EL" if j % 5 == 0 else "DE",
                                 "coordinator" if j == 0 else "participant", "12345,6"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--participants", type=int, default=10)
    args = parser.parse_args()
    context = load_curated()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "export"
        folder.mkdir()
        write_export(folder, args.projects, args.participants)
        rows = args.projects * (1 + args.participants)
        for filter_value in ("rare-earth", "none"):
            entry = InputEntry("cordis-export", "export", {"filter": filter_value}, "inputs.yaml", 1)
            started = time.perf_counter()
            graphs = CordisExportLoader(Path(tmp), entry, context).load()
            seconds = time.perf_counter() - started
            triples = sum(g.size() for g in graphs)
            print(f"filter {filter_value:10} {rows:8} rows in {seconds:6.2f} s = {rows / seconds:8.0f} rows/s, {triples} triples")


if __name__ == "__main__":
    main()
