"""remkg: a knowledge graph of the European rare-earth and permanent-magnet ecosystem."""

__version__ = "0.1.0"
