from pathlib import Path

from footprints import engine

DOC = Path(__file__).resolve().parents[3] / "docs" / "methodology.md"


def test_methodology_lists_every_factor_with_its_source_and_the_ember_attribution():
    markdown = engine.methodology_markdown()
    for row in engine.factor_rows():
        assert row.url in markdown
    assert "CC BY-SA 4.0" in markdown and "Ember" in markdown


def test_methodology_is_deterministic():
    assert engine.methodology_markdown() == engine.methodology_markdown()


def test_committed_methodology_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == engine.methodology_markdown()


def test_every_factor_row_names_source_year_and_url():
    for row in engine.factor_rows():
        assert row.source and row.url.startswith("https://") and row.year >= 2014
