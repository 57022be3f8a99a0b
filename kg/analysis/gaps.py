"""Where the European chain breaks: coverage, continuity, chain breaks, capability and material
gaps, geography and unaddressed challenges — each gap with a severity and its evidence."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from kg.analysis.network import Activity, Ecosystem

SEVERITY_SCORE = {"high": 3, "medium": 2, "low": 1}
EVIDENCE_MAX_AGE_MONTHS = 12  # how far back an event still shows that an undated project is active
COVERED, EVIDENCE_ONLY, NOT_COVERED = "covered", "evidence only", "not covered"


@dataclass(frozen=True)
class Gap:
    kind: str  # coverage, continuity, chain-break, capability, material, geography, challenge
    subject: str  # IRI of the stage, concept or challenge the gap is about
    label: str
    severity: str  # high, medium, low
    evidence: str
    since: str = ""  # the day the gap opens, where it is a date

    @property
    def score(self) -> int:
        return SEVERITY_SCORE[self.severity]


@dataclass(frozen=True)
class StageCoverage:
    stage: str
    label: str
    projects: tuple[str, ...]
    organisations: int
    countries: tuple[str, ...]
    eu_contribution: float
    trl_range: str


@dataclass(frozen=True)
class StageState:
    """A stage on a day: covered by a project active by its recorded dates, covered only by evidence
    of activity (an event an undated project organised or took part in), or not covered."""

    stage: str
    label: str
    state: str  # covered, evidence only, not covered
    projects: tuple[str, ...]  # active by recorded dates
    evidence: tuple[str, ...]  # for undated projects: which event, when, how old


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return dt.date(year, month, min(day.day, last))


def projects_on_stage(eco: Ecosystem, stage: str, day: dt.date) -> list[str]:
    """Projects active on `day` covering the top-level stage (or anything narrower), in IRI order.
    Only the stage's own projects are looked at: continuity asks this for every end date in the horizon."""
    return [p for p in eco.stage_projects.get(stage, ()) if eco.projects[p].active_on(day)]


def coverage(eco: Ecosystem, day: dt.date) -> list[StageCoverage]:
    """Per top-level stage and theme on a day: active projects, organisations, countries, EU money, TRL."""
    rows = []
    for stage in eco.top_level_stages():
        active = projects_on_stage(eco, stage, day)
        orgs = {o for p in active for o in eco.partners(p)}
        countries = sorted({eco.organisations[o].country for o in orgs if eco.organisations[o].country})
        money = sum(float(eco.projects[p].eu_contribution or 0) for p in active)
        trls = [t for p in active for t in (eco.projects[p].trl_start, eco.projects[p].trl_target) if t]
        rows.append(StageCoverage(stage, eco.label(stage), tuple(eco.label(p) for p in active), len(orgs),
                                  tuple(countries), money, f"{min(trls)}–{max(trls)}" if trls else "not recorded"))
    return rows


def evidence_active(eco: Ecosystem, day: dt.date, max_age_months: int = EVIDENCE_MAX_AGE_MONTHS) -> dict[str, Activity]:
    """Projects without recorded dates that an event shows active on or before `day`, within the
    age limit: each with its latest evidence."""
    since = add_months(day, -max_age_months)
    latest = {}
    for project, activities in sorted(eco.activity.items()):
        if project not in eco.projects or eco.projects[project].start is not None:
            continue
        recent = [a for a in activities if since <= a.day <= day]
        if recent:
            latest[project] = max(recent, key=lambda a: (a.day, a.role == "organised", a.event))
    return latest


def describe_evidence(eco: Ecosystem, activity: Activity, day: dt.date) -> str:
    return (f"{eco.label(activity.project)} {activity.role} {activity.event_label} on {activity.day} "
            f"({(day - activity.day).days} days before; {activity.source.rsplit('/', 1)[-1]})")


def coverage_states(eco: Ecosystem, day: dt.date, max_age_months: int = EVIDENCE_MAX_AGE_MONTHS) -> list[StageState]:
    """The three coverage states of every top-level stage and theme on a day."""
    evidenced = evidence_active(eco, day, max_age_months)
    states = []
    for stage in eco.top_level_stages():
        active = tuple(eco.label(p) for p in projects_on_stage(eco, stage, day))
        evidence = tuple(describe_evidence(eco, a, day) for p, a in sorted(evidenced.items(), key=lambda item: eco.label(item[0]))
                         if stage in eco.top_stages.get(p, set()))
        state = COVERED if active else (EVIDENCE_ONLY if evidence else NOT_COVERED)
        states.append(StageState(stage, eco.label(stage), state, active, evidence))
    return states


def coverage_gaps(eco: Ecosystem, day: dt.date, evidence: bool = False, max_age_months: int = EVIDENCE_MAX_AGE_MONTHS) -> list[Gap]:
    """Stages with no project active by recorded dates. A stage covered only by evidence of activity
    is a low gap when `evidence` counts, and stays a high one (with the evidence shown) when it does not."""
    gaps = []
    for row in coverage_states(eco, day, max_age_months):
        if row.state == COVERED:
            continue
        if row.state == EVIDENCE_ONLY:
            shown = "; ".join(row.evidence)
            if evidence:
                gaps.append(Gap("coverage", row.stage, row.label, "low", f"covered only by evidence of activity: {shown}", day.isoformat()))
            else:
                gaps.append(Gap("coverage", row.stage, row.label, "high", f"no project active on {day} by recorded dates; "
                                f"evidence of activity, not counted (--evidence counts it): {shown}", day.isoformat()))
            continue
        undated = [eco.label(p) for p, stages in eco.top_stages.items() if row.stage in stages and eco.projects[p].start is None]
        note = f"; projects without recorded dates also cover it: {', '.join(sorted(undated))}" if undated else ""
        gaps.append(Gap("coverage", row.stage, row.label, "high", f"no project active on {day}{note}", day.isoformat()))
    return gaps


def continuity_gaps(eco: Ecosystem, day: dt.date, horizon_months: int = 24) -> list[Gap]:
    """Stages whose active coverage falls to zero, or by more than half, within the horizon."""
    until = add_months(day, horizon_months)
    ends = sorted({p.end for p in eco.projects.values() if p.end and day <= p.end < until})
    gaps = []
    for stage in eco.top_level_stages():
        now = projects_on_stage(eco, stage, day)
        if not now:
            continue
        for end in ends:
            after = end + dt.timedelta(days=1)
            remaining = projects_on_stage(eco, stage, after)
            if not remaining:
                ending = ", ".join(eco.label(p) for p in now if eco.projects[p].end and eco.projects[p].end <= end)
                gaps.append(Gap("continuity", stage, eco.label(stage), "high",
                                f"coverage falls from {len(now)} project(s) to none on {after} when {ending} end(s)", after.isoformat()))
                break
        else:
            later = projects_on_stage(eco, stage, until)
            if len(later) * 2 < len(now):
                gaps.append(Gap("continuity", stage, eco.label(stage), "medium",
                                f"coverage falls from {len(now)} to {len(later)} project(s) by {until}", until.isoformat()))
    return gaps


def _stage_bridges(eco: Ecosystem, day: dt.date) -> dict[str, set[frozenset]]:
    """Who spans which pair of stages on a day: projects and organisations (through their active projects)."""
    spans: dict[str, set[str]] = {}
    for project in eco.active_projects(day):
        spans[eco.label(project)] = set(eco.top_stages.get(project, set()))
        for org in eco.partners(project):
            spans.setdefault(eco.label(org), set()).update(eco.top_stages.get(project, set()))
    return spans


def chain_breaks(eco: Ecosystem, day: dt.date) -> list[Gap]:
    """Adjacent stages, and a material's producer and consumer stages, that nobody active bridges."""
    spans = _stage_bridges(eco, day)
    pairs: dict[tuple[str, str], str] = {}
    for stage in eco.chain_stages():
        for _, target, data in eco.chain.out_edges(stage, data=True):
            if data["relation"] in ("next", "loops-back-to") and target in eco.concepts:
                pairs.setdefault((stage, target), f"{eco.label(stage)} → {eco.label(target)} ({data['relation']})")
            if data["relation"] == "produces":
                for _, consumer, consumed in eco.chain.out_edges(target, data=True):
                    if consumed["relation"] == "consumes" and consumer != stage and consumer in eco.chain_stages():
                        pairs.setdefault((stage, consumer), f"{eco.label(stage)} → {eco.label(consumer)} (via {eco.label(target)})")
    gaps = []
    for (a, b), description in sorted(pairs.items(), key=lambda item: item[1]):
        bridging = sorted(name for name, stages in spans.items() if a in stages and b in stages)
        if bridging:
            continue
        either = [name for name, stages in spans.items() if a in stages or b in stages]
        severity = "high" if not either else "medium"
        gaps.append(Gap("chain-break", a, description, severity,
                        f"no active project or organisation works on both on {day}"
                        + (f"; active on one side only: {', '.join(sorted(either)[:6])}" if either else "; neither side is covered"),
                        day.isoformat()))
    return gaps


def concept_gaps(eco: Ecosystem, day: dt.date) -> list[Gap]:
    """Capabilities and materials (counting narrower ones) with no active project."""
    active = eco.active_projects(day)
    used = {c for p in active for facet in ("capability", "material") for c in eco.facets.get(p, {}).get(facet, set())}
    gaps = []
    for concept in sorted(eco.concepts.values(), key=lambda c: c.label):
        kind = {"https://w3id.org/remkg/ontology#Capabilities": "capability",
                "https://w3id.org/remkg/ontology#Materials": "material"}.get(concept.scheme)
        if kind is None or eco.narrower_closure(concept.iri) & used:
            continue
        severity = "high" if concept.heavy or concept.iri.endswith("/heavy-rare-earths") else ("medium" if kind == "material" else "low")
        gaps.append(Gap(kind, concept.iri, concept.label, severity, f"no project active on {day} works on it", day.isoformat()))
    return gaps


def geography_gaps(eco: Ecosystem, day: dt.date) -> list[Gap]:
    """EU member states with no organisation active in a chain stage."""
    members = sorted(iso for iso, (_, eu) in eco.countries.items() if eu)
    gaps = []
    for stage in eco.chain_stages():
        present = {eco.organisations[o].country for p in projects_on_stage(eco, stage, day) for o in eco.partners(p)}
        absent = [iso for iso in members if iso not in present]
        if members and absent:
            severity = "medium" if len(absent) == len(members) else "low"
            gaps.append(Gap("geography", stage, eco.label(stage), severity,
                            f"{len(absent)} of {len(members)} EU member states have no organisation active on {day}: {', '.join(absent)}",
                            day.isoformat()))
    return gaps


def challenge_gaps(eco: Ecosystem) -> list[Gap]:
    addressed = Counter(c for p in eco.projects for c in eco.facets.get(p, {}).get("challenge", set()))
    return [Gap("challenge", c.iri, c.label, "medium", "no project in the graph addresses it")
            for c in sorted(eco.concepts.values(), key=lambda c: c.label)
            if c.scheme == "https://w3id.org/remkg/ontology#Challenges" and not addressed[c.iri]]


def all_gaps(eco: Ecosystem, day: dt.date, horizon_months: int = 24, evidence: bool = False,
             evidence_max_age: int = EVIDENCE_MAX_AGE_MONTHS) -> list[Gap]:
    """Every gap, most severe first. `evidence`: stages covered only by evidence of activity count as covered (a low gap)."""
    gaps = (coverage_gaps(eco, day, evidence, evidence_max_age) + continuity_gaps(eco, day, horizon_months) + chain_breaks(eco, day)
            + concept_gaps(eco, day) + geography_gaps(eco, day) + challenge_gaps(eco))
    return sorted(gaps, key=lambda g: (-g.score, g.kind, g.label))
