"""Analysis of the ecosystem for coordinators: networks, gaps, synergies, matchmaking, pilots."""
