import unspin


def test_all_is_sorted_and_importable() -> None:
    assert unspin.__all__ == sorted(unspin.__all__)
    for name in unspin.__all__:
        assert getattr(unspin, name) is not None


def test_every_threshold_has_help() -> None:
    from unspin.settings import SETTINGS

    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    assert all(s.help for s in SETTINGS)
