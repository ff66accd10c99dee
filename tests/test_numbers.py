from unspin.numbers import numbers_agree, numbers_in


def test_separators_do_not_make_different_numbers() -> None:
    assert numbers_in("1,500 and 1.500 and 1 500 and 2.5") == {"15", "25"}


def test_a_translator_rescaling_with_the_unit_keeps_the_number() -> None:
    assert numbers_agree("$200 billion (£150 billion) of goods", "200.000 millones de dólares (150.000 millones)")
    assert numbers_agree("$200 billion of goods", "价值2000亿美元的商品")


def test_same_template_different_event() -> None:
    a = "its net loss was $151 million, or 53 cents a share, compared with $298 million"
    b = "posted a first-quarter profit of $495 million, or $1.62 a share"
    assert not numbers_agree(a, b)


def test_translation_keeps_its_numbers() -> None:
    assert numbers_agree(
        "inventories rose 0.9 percent to $1.45 trillion", "die Lagerbestände stiegen um 0,9 % auf 1,45 Billionen"
    )


def test_digits_of_other_scripts() -> None:
    assert numbers_in("٢٠٠٨ and 2008") == {"2008"}


def test_no_numbers_on_one_side_is_no_evidence() -> None:
    assert numbers_agree("six weeks of fighting", "fighting for 42 days")
