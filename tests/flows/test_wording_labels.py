"""The engine's words for the register's choices say what the pages' labels say: the engine
cannot import the choices (it is pure), so this holds the two copies together."""

from flows.choices import LawfulBasis
from flows.engine.wording import LAWFUL_BASIS_WORDS


def test_every_lawful_basis_has_its_words_and_they_match_the_label():
    assert set(LAWFUL_BASIS_WORDS) == set(LawfulBasis.values)
    for basis in LawfulBasis:
        words = LAWFUL_BASIS_WORDS[basis.value].removeprefix("a ")
        assert words.casefold() == str(basis.label).casefold(), basis
