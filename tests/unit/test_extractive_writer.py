from knowledge.documents import Chunk
from strategies.base import Evidence
from strategies.generators.extractive import ExtractiveWriter


def _evidence(rank: int, text: str) -> Evidence:
    chunk = Chunk(id=f"c{rank}", document_key="tv.md", content_hash="h", ordinal=rank, title="TV", section="", text=text)
    return Evidence(rank=rank, chunk=chunk, fused_score=1.0, bm25_score=None, embedding_score=None, similarity=0.8)


def test_sentences_shared_by_overlapping_chunks_are_quoted_once():
    writer = ExtractiveWriter(embed=lambda texts: [[1.0] for _ in texts])
    draft = writer.write(
        "how do I pair the remote?",
        [
            _evidence(1, "Point the remote at the TV. Hold both buttons."),
            _evidence(2, "Hold both buttons. The light blinks when it is paired."),
        ],
    )
    assert draft.text.count("Hold both buttons.") == 1
    assert "The light blinks when it is paired. [2]" in draft.text


def test_numbered_steps_are_quoted_without_their_numbers():
    writer = ExtractiveWriter(embed=lambda texts: [[1.0] for _ in texts], max_sentences=2)
    steps = "1. Open Settings and click Export.\n2. Choose CSV.\n3. Click Download."
    draft = writer.write("how do I export?", [_evidence(1, steps)])
    assert "Open Settings and click Export. Choose CSV. [1]" in draft.text
    assert "2." not in draft.text


def test_a_list_item_already_quoted_with_its_introduction_is_not_quoted_again():
    writer = ExtractiveWriter(embed=lambda texts: [[1.0] for _ in texts])
    draft = writer.write(
        "when are reminders sent?",
        [
            _evidence(1, "Reminders go out:\n- 3 days before the due date\n- on the due date"),
            _evidence(2, "- on the due date\nReminders are sent at 09:00."),
        ],
    )
    assert draft.text.count("on the due date") == 1
    assert "> Reminders are sent at 09:00. [2]" in draft.text
