"""unspin.inspect.expressions: how expected a word pair is."""

from __future__ import annotations


def test_language_model_knows_expressions_the_bigram_table_lacks() -> None:
    from unspin.inspect import expressions

    assert not expressions.known("arch", "rivals") and not expressions.known("soviet", "era")
    assert expressions.lm_pmi("arch", "rivals") > 5 > expressions.lm_pmi("curve", "enemies")
    assert expressions.lm_pmi("soviet", "era") > expressions.lm_pmi("soviet", "period")
    assert expressions.lm_pmi("xqzvw", "era") == 0.0  # a word the model does not know
