"""Every reference to the documents in docs/ names a document and a section that exist."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
HEADING = re.compile(r"^#+\s+(\d+(?:\.\d+)*|Appendix [A-Z])\b", re.MULTILINE)
# A document, then (possibly across a line break and a comment marker) a section.
CITED = re.compile(r"docs/([\w-]+\.md)`?(?:[\s#,]*(?:§\s*(\d+(?:\.\d+)*)|(Appendix [A-Z])))?")
BARE = re.compile(r"(?<![\w.`/])§\s*(\d+(?:\.\d+)*)")


def sections(document: pathlib.Path) -> set[str]:
    return set(HEADING.findall(document.read_text(encoding="utf-8")))


def sources() -> list[pathlib.Path]:
    found = [ROOT / "README.md"]
    for folder in ("pelican_dagster", "tests", "benchmarks"):
        found += sorted((ROOT / folder).rglob("*.py"))
    return found


def references() -> list[tuple[str, str, str | None]]:
    refs = []
    for path in sources():
        text = path.read_text(encoding="utf-8")
        for match in CITED.finditer(text):
            refs.append((str(path.relative_to(ROOT)), match.group(1), match.group(2) or match.group(3)))
    return refs


def test_the_four_documents_exist_with_their_sections():
    assert {"0.6", "1.4", "2.3", "3.8", "4", "Appendix A", "Appendix B"} <= sections(DOCS / "checks.md")
    assert {"4.4", "6.2", "9"} <= sections(DOCS / "pipeline.md")
    assert {"1", "5.1", "6.2", "8"} <= sections(DOCS / "report-shapes.md")
    assert (DOCS / "export-format.md").is_file()


def test_there_are_many_references():
    assert len(references()) > 150


@pytest.mark.parametrize(("source", "document", "section"), references())
def test_reference_resolves(source, document, section):
    target = DOCS / document
    assert target.is_file(), f"{source} cites docs/{document}, which does not exist"
    if section:
        assert section in sections(target), f"{source} cites docs/{document} {section}: no such section"


def test_bare_section_signs_name_a_section_of_some_document():
    known = set().union(*(sections(doc) for doc in DOCS.glob("*.md")))
    for path in sources():
        text = CITED.sub("", path.read_text(encoding="utf-8"))
        for number in BARE.findall(text):
            assert number in known, f"{path.relative_to(ROOT)} cites §{number}: no document has it"


def test_no_reference_to_the_old_spec_folder():
    for path in sources():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<![/\w\x22-])(checks|pipeline|report-shapes|export-format)\.md", text), path
