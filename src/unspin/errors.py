"""Every error unspin raises on purpose.

    UnspinError                  base: one line saying what, where and what to do next
    ├── InputError               a file or text we cannot use (missing, empty, binary, too large)
    │   └── EncodingError        bytes that decode in none of the encodings we try
    ├── StoreError               a collection store that is corrupt, foreign or locked
    └── ModelNotInstalledError   a model package is missing from site-packages

The CLI turns any of them into one line on stderr and exit code 2 (see ``cli.main``).
"""

from __future__ import annotations


class UnspinError(Exception):
    """Base class; ``str(err)`` is the one line shown to the user."""


class InputError(UnspinError):
    """A document that cannot be read or used."""


class EncodingError(InputError):
    """A document whose bytes decode in none of the supported encodings."""


class StoreError(UnspinError):
    """A collection store that cannot be opened or written safely."""


class ModelNotInstalledError(UnspinError):
    """A model that should ship inside an installed package is missing."""
