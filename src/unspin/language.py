"""Which language a text is in: lingua, restricted to the languages unspin expects (fast and stable)."""

from __future__ import annotations

from functools import lru_cache

_EXPECTED = (
    "ENGLISH INDONESIAN MALAY GERMAN FRENCH SPANISH PORTUGUESE ITALIAN DUTCH RUSSIAN UKRAINIAN POLISH "
    "ARABIC TURKISH AZERBAIJANI ARMENIAN CHINESE JAPANESE KOREAN HINDI PERSIAN"
).split()


@lru_cache(maxsize=1)
def _detector():  # type: ignore[no-untyped-def]
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _EXPECTED]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def detect(text: str) -> str:
    """ISO 639-1 code of the text's main language ("en", "id", ...), or "und" when unsure."""
    sample = text[:2000]
    if not sample.strip():
        return "und"
    found = _detector().detect_language_of(sample)
    return found.iso_code_639_1.name.lower() if found else "und"
