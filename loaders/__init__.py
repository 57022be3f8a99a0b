"""Loaders: each turns one kind of source into quads in named graphs, with PROV-O about the source."""
