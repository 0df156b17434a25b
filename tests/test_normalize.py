"""Name normalisation: the keys catalog dedup and spoken-name lookup compare."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommender.normalize import normalize_name


@pytest.mark.parametrize(("display", "key"), [
    ("The Beatles", "beatles"),
    ("the  beatles ", "beatles"),
    ("Beyoncé feat. Jay-Z", "beyonce"),
    ("Crazy in Love (feat. Jay-Z)", "crazy in love"),
    ("Song [ft. Someone] (Remix)", "song remix"),
    ("Artist featuring Guest", "artist"),
    ("Simon & Garfunkel", "simon and garfunkel"),
    ("Simon and Garfunkel", "simon and garfunkel"),
    ("R.E.M.", "rem"),
    ("Guns N' Roses", "guns n roses"),
    ("Guns N’ Roses", "guns n roses"),
    ("AC/DC", "ac dc"),
    ("Motörhead", "motorhead"),
    ("Sigur Rós", "sigur ros"),
    ("Straße", "strasse"),
    ("The The", "the"),
    ("The", "the"),
    ("Feat", "feat"),
    ("", ""),
    ("  --  ", ""),
])
def test_examples_match_their_spoken_forms(display: str, key: str) -> None:
    assert normalize_name(display) == key


def test_variants_of_one_name_share_a_key() -> None:
    variants = ["The Beatles", "BEATLES", "beatles", "The Beatles feat. Billy Preston",
                "Beatles, The", "the beatles (featuring Billy Preston)"]
    assert {normalize_name(v) for v in variants} == {"beatles"}


@given(st.text())
def test_normalising_a_key_is_idempotent(text: str) -> None:
    key = normalize_name(text)
    assert normalize_name(key) == key


@given(st.text())
def test_keys_are_single_spaced_lowercase_words(text: str) -> None:
    key = normalize_name(text)
    assert key == " ".join(key.split())
    assert key == key.casefold()
    assert not any(ch in string.punctuation for ch in key)


@given(st.text(alphabet=string.ascii_letters + string.punctuation + " "))
def test_case_does_not_matter(text: str) -> None:
    assert normalize_name(text.upper()) == normalize_name(text.lower())
