"""Outputs for people: the coordinator report."""
