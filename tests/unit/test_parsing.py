import pytest

from knowledge.parsing import ParseError, decode_utf8, parse_html, parse_markdown, parse_plain_text


def test_markdown_sections_follow_heading_paths():
    text = "# Billing\n\nIntro text.\n\n## Refunds\n\nWithin 14 days.\n\n### Annual plans\n\nPro-rated.\n\n## Invoices\n\nMonthly."
    title, sections = parse_markdown(text, fallback_title="x")
    assert title == "Billing"
    assert [(s.headings, s.text) for s in sections] == [
        ((), "Intro text."),
        (("Refunds",), "Within 14 days."),
        (("Refunds", "Annual plans"), "Pro-rated."),
        (("Invoices",), "Monthly."),
    ]


def test_markdown_without_h1_uses_the_fallback_title():
    title, sections = parse_markdown("Just a paragraph with [a link](https://x.example) and **bold**.", "From file")
    assert title == "From file"
    assert sections[0].text == "Just a paragraph with a link and bold."


def test_markdown_tables_keep_header_and_cells_together():
    text = "# Plans\n\n| Plan | Price |\n|---|---|\n| Pro | $15 |\n| Business | $39 |\n"
    _, sections = parse_markdown(text, "x")
    assert "Plan: Pro; Price: $15" in sections[0].text
    assert "Plan: Business; Price: $39" in sections[0].text


def test_html_drops_scripts_and_navigation():
    html = (
        "<html><head><title>T</title><script>alert(1)</script></head><body><nav>Menu</nav>"
        "<main><h1>Delete account</h1><p>Go to Settings.</p><h2>Restore</h2><ul><li>Within 30 days</li></ul></main>"
        "</body></html>"
    )
    title, sections = parse_html(html, "x")
    assert title == "Delete account"
    joined = " ".join(s.text for s in sections)
    assert "alert" not in joined and "Menu" not in joined
    assert sections[-1].headings == ("Restore",) and "- Within 30 days" in sections[-1].text


def test_plain_text_title_is_the_first_line():
    title, sections = parse_plain_text("Sync errors\n\nCode B-101 means expired consent.", "x")
    assert title == "Sync errors" and "B-101" in sections[0].text


@pytest.mark.parametrize("parse", [parse_markdown, parse_html, parse_plain_text])
def test_empty_pages_are_rejected_with_a_reason(parse):
    with pytest.raises(ParseError, match="no text"):
        parse("   \n", "x")


def test_non_utf8_bytes_are_reported_with_their_position():
    with pytest.raises(ParseError, match=r"not valid UTF-8 \(byte 6"):
        decode_utf8("Price:".encode() + b"\xff\xfe 15")


def test_control_characters_are_removed_but_newlines_kept():
    assert decode_utf8(b"a\x00b\r\nc\x07") == "ab\nc"


def test_html_chrome_is_dropped_and_the_article_header_kept():
    from knowledge.parsing import parse_html

    page = """<html><head><title>Refunds | Help</title></head><body>
    <div id="cookie-banner">We use cookies.</div><header><nav><a href="/">Home</a></nav></header>
    <div class="breadcrumbs"><a href="/">Help</a> / Billing</div>
    <div role="navigation"><a href="/x">Menu item</a></div>
    <article><header><h1>Refunds</h1></header><p>Refunds within 14 days.</p></article>
    <aside><p>Related: invoices</p></aside><footer><p>© Tallyo</p></footer></body></html>"""
    title, sections = parse_html(page, fallback_title="x")
    assert title == "Refunds"
    assert [s.text for s in sections] == ["Refunds within 14 days."]
