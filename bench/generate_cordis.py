"""Synthetic CORDIS exports at any scale, in the format the EU open data portal distributes.

    python bench/generate_cordis.py OUT_FOLDER --scale 0.1 [--seed 1]

writes OUT_FOLDER/project.csv and OUT_FOLDER/organization.csv (semicolon-separated, every field
quoted, the real column names, UTF-8 with a BOM). Scale 1.0 is about all of Horizon 2020 and
Horizon Europe: 50,000 projects, 300,000 participation rows, ~100,000 organisations.

The data is synthetic (bench input only, never curated data) but skewed as real exports are:
- organisations join projects by preferential attachment (a new organisation with probability 1/3,
  otherwise one picked in proportion to the projects it already has), so a few take part in
  thousands of projects and most in one or two;
- consortia: about a third are single-beneficiary grants, the rest lognormal around 7 partners,
  up to 60;
- total cost lognormal (median ~1.5 M EUR for consortia), EU contribution 70-100 % of it, split
  among partners with the coordinator's share largest; a few amounts with decimal commas;
- start dates 2014-2025, durations 12-60 months, H2020 before 2021 and HORIZON after;
- countries and activity types (PRC, HES, REC, PUB, OTH) in roughly the proportions of H2020,
  with CORDIS's EL and UK codes; about 2 % of projects name rare-earth terms in their titles.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
from dataclasses import dataclass
from pathlib import Path

FULL_PROJECTS = 50_000
PROJECT_COLUMNS = ("id", "acronym", "status", "title", "startDate", "endDate", "totalCost", "ecMaxContribution",
                   "legalBasis", "topics", "ecSignatureDate", "frameworkProgramme", "masterCall", "subCall",
                   "fundingScheme", "nature", "objective", "contentUpdateDate", "rcn", "grantDoi")
ORGANISATION_COLUMNS = ("projectID", "projectAcronym", "organisationID", "vatNumber", "name", "shortName", "SME",
                        "activityType", "street", "postCode", "city", "country", "nutsCode", "geolocation",
                        "organizationURL", "contactForm", "contentUpdateDate", "rcn", "order", "role", "ecContribution",
                        "netEcContribution", "totalCost", "endOfParticipation", "active")
COUNTRIES = {"DE": 13, "ES": 11, "IT": 11, "FR": 10, "UK": 7, "NL": 6, "BE": 5, "EL": 3, "PT": 3, "AT": 3, "SE": 3,
             "DK": 2, "FI": 2, "IE": 2, "PL": 2, "CH": 2, "NO": 2, "CZ": 1, "SI": 1, "HU": 1, "RO": 1, "IL": 1,
             "EE": 1, "CY": 1, "BG": 1, "SK": 1, "HR": 1, "LT": 1, "LV": 1, "LU": 1, "TR": 1, "US": 1}
ACTIVITY_TYPES = {"PRC": 40, "HES": 25, "REC": 22, "PUB": 6, "OTH": 7}
WORDS = ("advanced", "sustainable", "materials", "energy", "digital", "health", "climate", "water", "urban", "quantum",
         "battery", "hydrogen", "circular", "soil", "ocean", "network", "sensor", "catalyst", "vaccine", "robotics",
         "photonics", "food", "mobility", "textile", "cement", "polymer", "graphene", "membrane", "biomass", "data")
RARE_EARTH_TITLES = ("Recycling of NdFeB permanent magnets", "Rare earth separation by solvent extraction",
                     "Dysprosium-free permanent magnets for motors", "Samarium-cobalt magnets from secondary sources")
SINGLE_SCHEMES = ("ERC-STG", "ERC-COG", "MSCA-IF-EF-ST", "SME-1")
CONSORTIUM_SCHEMES = ("RIA", "IA", "CSA", "HORIZON-RIA", "HORIZON-IA")


@dataclass
class Organisation:
    pic: str
    name: str
    short: str
    country: str
    activity: str
    sme: bool


def _weighted(rng: random.Random, table: dict[str, int]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def _consortium_size(rng: random.Random) -> int:
    if rng.random() < 0.35:
        return 1
    return max(2, min(60, round(rng.lognormvariate(math.log(7), 0.65))))


def _amount(value: float, rng: random.Random) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if rng.random() < 0.02 else text


class Generator:
    """Projects and participations, drawn once from a seeded random source: same seed, same files."""

    def __init__(self, scale: float, seed: int = 1):
        self.rng = random.Random(seed)
        self.projects = max(1, round(FULL_PROJECTS * scale))
        self.organisations: list[Organisation] = []
        self.slots: list[int] = []  # one entry per participation: picking uniformly is preferential attachment

    def _new_organisation(self) -> int:
        index = len(self.organisations)
        activity = _weighted(self.rng, ACTIVITY_TYPES)
        word = self.rng.choice(WORDS).upper()
        suffix = {"PRC": "GMBH", "HES": "UNIVERSITY", "REC": "RESEARCH INSTITUTE", "PUB": "AGENCY", "OTH": "ASSOCIATION"}[activity]
        self.organisations.append(Organisation(str(900_000_000 + index), f"{word} {suffix} {index:06d}", f"ORG{index}",
                                               _weighted(self.rng, COUNTRIES), activity,
                                               activity == "PRC" and self.rng.random() < 0.6))
        return index

    def _pick(self, taken: set[int]) -> int:
        while True:
            if not self.slots or self.rng.random() < 1 / 3:
                index = self._new_organisation()
            else:
                index = self.slots[self.rng.randrange(len(self.slots))]
            if index not in taken:
                return index

    def write(self, folder: Path) -> tuple[int, int, int]:
        """Write project.csv and organization.csv; return (projects, participations, organisations)."""
        folder.mkdir(parents=True, exist_ok=True)
        rows = 0
        with (folder / "project.csv").open("w", encoding="utf-8-sig", newline="") as p_file, \
                (folder / "organization.csv").open("w", encoding="utf-8-sig", newline="") as o_file:
            projects, participations = (csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n") for f in (p_file, o_file))
            projects.writerow(PROJECT_COLUMNS)
            participations.writerow(ORGANISATION_COLUMNS)
            for number in range(self.projects):
                rows += self._project(number, projects, participations)
        return self.projects, rows, len(self.organisations)

    def _project(self, number: int, projects, participations) -> int:
        rng = self.rng
        grant, acronym = str(100_000 + number), f"P{number:06d}"
        size = _consortium_size(rng)
        start = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(12 * 365))
        end = start + dt.timedelta(days=30 * rng.randint(12, 60))
        total = rng.lognormvariate(math.log(1.5e6 if size > 1 else 1.5e5), 0.8)
        contribution = total * rng.uniform(0.7, 1.0)
        programme = "H2020" if start.year < 2021 else "HORIZON"
        scheme = rng.choice(SINGLE_SCHEMES if size == 1 else CONSORTIUM_SCHEMES)
        words = " ".join(rng.sample(WORDS, 4))
        title = rng.choice(RARE_EARTH_TITLES) if rng.random() < 0.02 else f"{words.capitalize()} for Europe"
        projects.writerow((grant, acronym, "SIGNED", title, f"{start} 00:00:00", f"{end} 00:00:00", _amount(total, rng),
                           _amount(contribution, rng), f"{programme}-EU.3", f"{programme}-TOPIC-{number % 900:03d}",
                           str(start), programme, f"{programme}-CALL", f"{programme}-CALL-{number % 40}", scheme, "",
                           f"Objective of {acronym}: {words}; synthetic bench data.", "2026-01-05 10:11:12",
                           str(500_000 + number), ""))
        taken: set[int] = set()
        shares = [rng.random() + (2.0 if i == 0 else 0.0) for i in range(size)]
        for order in range(size):
            index = self._pick(taken)
            taken.add(index)
            self.slots.append(index)
            org = self.organisations[index]
            role = "coordinator" if order == 0 else rng.choices(("participant", "associatedPartner", "thirdParty"), (90, 7, 3))[0]
            share = _amount(contribution * shares[order] / sum(shares), rng)
            participations.writerow((grant, acronym, org.pic, "", org.name, org.short, str(org.sme).lower(), org.activity,
                                     "Street 1", "1000", "City", org.country, "", "", "", "", "2026-01-05 10:11:12",
                                     str(index), str(order + 1), role, share, share, share, "false", "true"))
        return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="where to write project.csv and organization.csv")
    parser.add_argument("--scale", type=float, default=0.01, help="1.0 = 50,000 projects (default 0.01)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same files)")
    args = parser.parse_args()
    projects, participations, organisations = Generator(args.scale, args.seed).write(args.folder)
    print(f"{args.folder}: {projects} projects, {participations} participations, {organisations} organisations")


if __name__ == "__main__":
    main()
