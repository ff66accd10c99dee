from pathlib import Path

import pytest

from unspin import EncodingError, InputError, load
from unspin.document import Document

from .conftest import DATA, need


def test_utf8_bom_is_not_part_of_the_text(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfCaf\xc3\xa9 opens.")
    doc = load(path)
    assert doc.text == "Café opens."
    assert doc.encoding == "utf-8-sig"


def test_cp1252_files_of_clough_stevenson_decode() -> None:
    folder = need(DATA / "clough-stevenson")
    encodings = {load(p).encoding for p in folder.glob("g*.txt")}
    assert encodings == {"utf-8", "cp1252"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"\x00\x01\x02PK\x03\x04" * 50, "binary"),
        (b"caf\x81\x8d\x8f\x90\x9d here", "neither UTF-8 nor cp1252"),
    ],
)
def test_bad_files_raise_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        load(path)
    assert str(path) in str(caught.value)


def test_undecodable_is_an_encoding_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"caf\x81\x8d\x8f\x90\x9d here")
    with pytest.raises(EncodingError):
        load(path)


def test_missing_path_is_not_compared_as_text() -> None:
    with pytest.raises(InputError, match="no such file"):
        load("does/not/exist.txt")


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50_000_000)
    with pytest.raises(InputError, match="over the 20 MB limit"):
        load(path)


def test_html_goes_through_trafilatura(tmp_path: Path) -> None:
    article = " ".join(["The harbour council approved the tram line after a long debate."] * 8)
    page = (
        "<!doctype html><html><head><title>t</title></head><body><nav><a href='/'>Home</a> | <a>Sports</a></nav>"
        f"<article><h1>Tram vote</h1><p>{article}</p><p>{article}</p></article>"
        "<footer>Copyright 2024 Example Media. All rights reserved.</footer></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    doc = load(path)
    assert doc.format == "html"
    assert "harbour council approved" in doc.text
    assert "Sports" not in doc.text


def test_strings_are_texts_and_round_trip() -> None:
    doc = load("A short text.\nWith two lines.")
    assert doc.name == "<text>"
    assert Document.from_dict(doc.to_dict()) == doc
