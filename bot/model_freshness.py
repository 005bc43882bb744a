"""Whether the active script model was trained on the scripts as they are now. A script added
since never starts (the model does not know it), one removed is still picked by the model (and
then answered from the docs), and changed examples are learnt only at the next `supportbot
train`: a team that edits its scripts needs to hear which of these it has."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.db.models import ScriptModelVersion
from strategies.scripts import ScriptSet


@dataclass(frozen=True)
class ModelFreshness:
    model: str
    new: list[str] = field(default_factory=list)  # scripts the model was not trained on
    removed: list[str] = field(default_factory=list)  # the model's labels no script defines now
    changed: list[str] = field(default_factory=list)  # scripts whose examples changed since
    examples_known: bool = True  # False: the model predates examples fingerprints

    @property
    def current(self) -> bool:
        return not (self.new or self.removed or self.changed)

    def describe(self) -> str:
        if self.current:
            checked = "" if self.examples_known else " (it does not record their examples, so edits to them are not checked)"
            return f"The active script model {self.model} was trained on these scripts{checked}."
        return (f"The scripts changed since the active script model {self.model} was trained ({self.changes()}). "
                "Run `supportbot train` to train on them.")

    def changes(self) -> str:
        parts = []
        if self.new:
            parts.append(f"new scripts it does not start yet: {', '.join(self.new)}")
        if self.removed:
            parts.append(f"scripts it knows that are gone: {', '.join(self.removed)}")
        if self.changed:
            parts.append(f"examples changed in: {', '.join(self.changed)}")
        return "; ".join(parts)


def model_freshness(scripts: ScriptSet, active: ScriptModelVersion) -> ModelFreshness:
    from strategies.script_model import ModelArtifactError, read_manifest  # torch: only when asked

    try:
        trained_on = read_manifest(Path(active.path)).get("script_examples")
    except ModelArtifactError:
        trained_on = None  # the bot reports a model that does not load; here only the labels count
    now = scripts.examples_fingerprints()
    labels = set(active.labels)
    changed = [] if trained_on is None else sorted(s for s in now if s in labels and trained_on.get(s) != now[s])
    return ModelFreshness(
        model=active.version,
        new=sorted(set(now) - labels),
        removed=sorted(labels - set(now)),
        changed=changed,
        examples_known=trained_on is not None,
    )
