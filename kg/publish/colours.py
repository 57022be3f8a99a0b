"""Colours and shapes shared by every output, so a stage looks the same in the report and the explorer."""

STAGE_COLOURS = {
    "exploration-mining": "#8c564b",
    "beneficiation": "#bc8a5f",
    "separation-refining": "#d62728",
    "metal-alloy-production": "#ff7f0e",
    "magnet-manufacturing": "#1f77b4",
    "component-motor-integration": "#17becf",
    "use": "#7f7f7f",
    "collection-sorting-dismantling": "#9467bd",
    "recycling": "#2ca02c",
    "substitution": "#e377c2",
    "digital-traceability": "#bcbd22",
    "sustainability-assessment": "#98df8a",
    "policy-market": "#c5b0d5",
    "skills": "#f7b6d2",
}

KIND_STYLE = {  # kind -> (shape, colour)
    "project": ("dot", "#4c78a8"),
    "organisation": ("square", "#f2cf5b"),
    "cluster": ("hexagon", "#54a24b"),
    "stage": ("box", "#dddddd"),
    "capability": ("triangle", "#b279a2"),
    "material": ("diamond", "#9d755d"),
    "event": ("star", "#e45756"),
    "challenge": ("triangleDown", "#ff9da6"),
    "sector": ("ellipse", "#72b7b2"),
}

GAP_COLOUR = "#c0392b"


def stage_colour(stage_iri: str) -> str:
    return STAGE_COLOURS.get(stage_iri.rsplit("/", 1)[-1], KIND_STYLE["stage"][1])
