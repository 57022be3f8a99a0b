"""IRI minting: stable, lower-case ASCII slugs."""

import pytest

from kg.vocab import is_slug, mint, slugify


@pytest.mark.parametrize("text, slug", [
    ("REEsilience", "reesilience"),
    ("Jožef Stefan Institute", "jozef-stefan-institute"),
    ("Università degli Studi di Padova", "universita-degli-studi-di-padova"),
    ("  CRMs4EU  ", "crms4eu"),
    ("Re-X: reuse & repair", "re-x-reuse-repair"),
])
def test_slugify(text, slug):
    assert slugify(text) == slug
    assert is_slug(slug)


def test_mint_is_stable_and_checks_kind():
    assert str(mint("project", "SUSMAGPRO")) == "https://w3id.org/remkg/id/project/susmagpro"
    assert mint("org", "Pforzheim University") == mint("org", "pforzheim university")
    with pytest.raises(ValueError, match="unknown kind"):
        mint("person", "x")
    with pytest.raises(ValueError, match="slug"):
        slugify("東京")
