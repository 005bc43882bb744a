"""Gathers what `supportbot train` learns from: the scripts' example utterances, optional
labelled files (CSV/JSONL of text,label), out-of-scope messages, and the corrections leads made
in the review console."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from strategies.script_model import OUT_OF_SCOPE, DatasetError, LabelledExample, load_labelled_file
from strategies.scripts import ScriptSet
from strategies.scripts.loader import normalised_example

OUT_OF_SCOPE_FILE = "out_of_scope.txt"


class TrainingDataError(ValueError):
    pass


@dataclass
class TrainingData:
    examples: list[LabelledExample] = field(default_factory=list)
    out_of_scope: list[str] = field(default_factory=list)
    # A lead's verdicts on real questions (labelled OUT_OF_SCOPE or with the script they needed):
    # the trainer never holds these out for calibration.
    corrections: list[LabelledExample] = field(default_factory=list)
    script_examples: dict[str, str] | None = None  # trained on scripts: each one's examples fingerprint

    @property
    def labels(self) -> list[str]:
        return sorted({e.label for e in self.examples})


def gather_training_data(
    scripts: ScriptSet | None,
    data_files: list[Path],
    out_of_scope_files: list[Path],
    scripts_dir: Path | None = None,
    judged_examples: list[LabelledExample] | None = None,
    judged_out_of_scope: Path | None = None,
) -> TrainingData:
    """With scripts, every label in the data files must be a script id (or out_of_scope);
    without them (a dataset trained directly), the files' labels are taken as they are.
    `judged_examples` and the lines of `judged_out_of_scope` become corrections."""
    data = TrainingData()
    if scripts is not None:
        data.script_examples = scripts.examples_fingerprints()
        for script in scripts.scripts.values():
            data.examples += [LabelledExample(text=text, label=script.id) for text in script.examples]
        bundled = (scripts_dir / OUT_OF_SCOPE_FILE) if scripts_dir else None
        if bundled is not None and bundled.is_file() and bundled not in out_of_scope_files:
            out_of_scope_files = [bundled, *out_of_scope_files]
    for path in data_files:
        try:
            rows = load_labelled_file(path)
        except (DatasetError, OSError) as exc:
            raise TrainingDataError(str(exc)) from exc
        if scripts is not None:
            _check_labels(path, rows, set(scripts.scripts))
        data.examples += rows
    data.corrections += judged_examples or []
    script_examples = {
        normalised_example(e.text): e.label for e in data.examples + data.corrections if e.label != OUT_OF_SCOPE
    }
    for path in out_of_scope_files:
        numbered = read_out_of_scope(path)
        _check_not_a_script_example(path, numbered, script_examples)
        data.out_of_scope += [text for _, text in numbered]
    if judged_out_of_scope is not None:
        numbered = read_out_of_scope(judged_out_of_scope)
        _check_not_a_script_example(judged_out_of_scope, numbered, script_examples)
        data.corrections += [LabelledExample(text=text, label=OUT_OF_SCOPE) for _, text in numbered]
    if not data.examples:
        raise TrainingDataError("nothing to train on: no scripts with examples and no data file")
    return data


def read_judged_examples(path: Path, scripts: ScriptSet) -> tuple[list[LabelledExample], list[str]]:
    """The examples leads added in the review console (a dispute's "script that should have run"),
    and the labels left out because no script has them now: a script removed since makes its
    examples obsolete, not the training impossible."""
    if not path.is_file():
        return [], []
    try:
        rows = load_labelled_file(path)
    except (DatasetError, OSError) as exc:
        raise TrainingDataError(str(exc)) from exc
    kept = [row for row in rows if row.label in scripts.scripts]
    return kept, sorted({row.label for row in rows} - set(scripts.scripts))


def read_out_of_scope(path: Path) -> list[tuple[int, str]]:
    """(line number, message): one message per line; blank lines and # comments are skipped."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise TrainingDataError(f"{path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise TrainingDataError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    lines = ((n, line.strip()) for n, line in enumerate(text.splitlines(), start=1))
    return [(n, line) for n, line in lines if line and not line.startswith("#")]


def _check_not_a_script_example(path: Path, numbered: list[tuple[int, str]], script_examples: dict[str, str]) -> None:
    """An out-of-scope message that is also a script's example would teach the model both answers."""
    clashes = [(n, text, script_examples[key]) for n, text in numbered if (key := normalised_example(text)) in script_examples]
    if clashes:
        shown = "; ".join(f"line {n} {text!r} is an example of script {label!r}" for n, text, label in clashes[:5])
        more = f" and {len(clashes) - 5} more" if len(clashes) > 5 else ""
        raise TrainingDataError(f"{path}: out-of-scope messages that are also script examples: {shown}{more}")


def _check_labels(path: Path, rows: list[LabelledExample], script_ids: set[str]) -> None:
    unknown = [(n, e.label) for n, e in enumerate(rows, start=1) if e.label not in script_ids | {OUT_OF_SCOPE}]
    if unknown:
        shown = ", ".join(f"{label!r} (row {n})" for n, label in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise TrainingDataError(f"{path}: labels that no script defines: {shown}{more}")
