"""An answer's Sources list: one line per section of a page, whatever number of chunks it cites."""

from bot.messages import Citation, Source, sources_of

PAGE = "https://help.tallyo.example/password-reset"


def _citation(number: int, section: str, document_key: str = "password.md", title: str = "Password reset") -> Citation:
    return Citation(number, title, section, PAGE if document_key == "password.md" else None, document_key)


def test_two_chunks_of_one_section_are_one_line_with_both_numbers():
    sources = sources_of([_citation(1, "Reset your password"), _citation(2, "Reset your password")])
    assert sources == [Source((1, 2), "Password reset", "Reset your password", PAGE)]


def test_other_sections_and_other_pages_keep_their_own_lines_in_citation_order():
    sources = sources_of([
        _citation(3, "Reset your password"),
        _citation(1, "Two-factor authentication"),
        _citation(2, "", document_key="faq", title="Billing FAQ"),
        _citation(4, "Two-factor authentication"),
    ])
    assert [(s.numbers, s.title, s.section) for s in sources] == [
        ((1, 4), "Password reset", "Two-factor authentication"),
        ((2,), "Billing FAQ", ""),
        ((3,), "Password reset", "Reset your password"),
    ]


def test_a_section_that_only_repeats_the_title_is_not_shown():
    [source] = sources_of([_citation(1, "Password reset")])
    assert (source.title, source.section) == ("Password reset", "")


def test_no_citations_no_sources():
    assert sources_of([]) == []
