"""The evidence links of an escalation notice: what the answer cited, each page once."""

from __future__ import annotations

from bot.escalations import EscalationNotices, EvidenceLink
from tests.console import seed

PAGE = "https://help.tallyo.example/password-reset"


def test_a_notice_links_each_cited_page_once_in_citation_order(container):
    with container.sessions.begin() as session:
        conversation = seed.conversation(session, "slack:T1/C1")
        trace = seed.trace(session, "how long is the reset link valid?", conv=conversation, evidence=[
            {"key": "faq", "title": "Billing FAQ", "citation": 3},
            {"key": "password.md", "title": "Password reset", "url": PAGE, "citation": 1},
            {"key": "password.md", "title": "Password reset", "url": PAGE, "citation": 2},
            {"key": "other.md", "title": "Not cited", "citation": None},
        ])
        escalation_id = seed.escalation(session, conversation, trace).id
    notice = EscalationNotices(container.sessions).build(escalation_id)
    assert notice.evidence == [EvidenceLink("Password reset", PAGE), EvidenceLink("Billing FAQ", None)]
