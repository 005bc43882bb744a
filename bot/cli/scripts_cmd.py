"""`supportbot scripts validate` and `supportbot train`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.cli.context import console, container, errors
from bot.settings import Settings

if TYPE_CHECKING:
    from strategies.script_model import LabelledExample
    from strategies.scripts import ScriptSet

scripts_app = typer.Typer(help="Support scripts (YAML) that the script model is trained on.", no_args_is_help=True)


@scripts_app.command("validate")
def validate(
    folder: Annotated[Path | None, typer.Argument(help="Scripts folder (default: SUPPORTBOT_SCRIPTS_DIR)")] = None,
) -> None:
    """Check every script file; each problem is reported with its file and line."""
    from strategies.scripts import load_scripts

    settings = Settings()
    folder = folder or settings.scripts_dir
    configured = folder.resolve() == settings.scripts_dir.resolve()
    result = load_scripts(folder)
    problems = [str(p) for p in result.problems]
    if result.scripts and not problems:
        problems += _what_train_would_refuse(result, folder, settings if configured else None)
    for problem in problems:
        errors.print(f"[red]{escape(problem)}[/red]", highlight=False)
    table = Table("script", "title", "examples", "steps", "file")
    for script_id, script in sorted(result.scripts.items()):
        table.add_row(script_id, script.title, str(len(script.examples)), str(len(script.steps)), result.files[script_id])
    if result.scripts:
        console.print(table)
    summary = f"{len(result.scripts)} scripts valid, {len(problems)} problem{'' if len(problems) == 1 else 's'}"
    (errors if problems else console).print(summary)
    if result.scripts and configured:
        _say_whether_the_model_knows(result, settings)
    raise typer.Exit(1 if problems else 0)


def _what_train_would_refuse(scripts: ScriptSet, folder: Path, settings: Settings | None) -> list[str]:
    """The out-of-scope messages train reads with these scripts (the folder's out_of_scope.txt and,
    for the configured folder, the review console's marks) checked the way train checks them."""
    from bot.console.promotions import console_files
    from bot.training_data import TrainingDataError, gather_training_data

    marks = console_files(settings).out_of_scope if settings else None
    try:
        gather_training_data(scripts, [], [], folder, judged_out_of_scope=marks if marks and marks.is_file() else None)
    except TrainingDataError as exc:
        return [f"supportbot train would refuse: {exc}"]
    return []


def _say_whether_the_model_knows(scripts: ScriptSet, settings: Settings) -> None:
    """Whether the active model was trained on these scripts; nothing when there is no database yet."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.cli.models_cmd import say_model_freshness

    if settings.database_url is None and not settings.embedded_database.exists():
        return  # not set up yet; opening it would create it
    try:
        with container(migrate=False) as c:
            active = c.script_models.active()
    except SQLAlchemyError:
        return
    if active is None:
        console.print("No script model is trained yet: run `supportbot train`.")
        return
    say_model_freshness(scripts, active)


def train(
    data: Annotated[list[Path] | None, typer.Option("--data", help="Extra labelled examples (CSV/JSONL: text,label)")] = None,
    out_of_scope: Annotated[
        list[Path] | None, typer.Option("--out-of-scope", help="Out-of-scope messages, one per line")
    ] = None,
    scripts: Annotated[bool, typer.Option("--scripts/--no-scripts", help="Train on the scripts' examples")] = True,
    epochs: Annotated[int | None, typer.Option(help="Training epochs (default: the trainer's)")] = None,
    seed: Annotated[int, typer.Option(help="Random seed: same data and seed, same model")] = 13,
    activate: Annotated[bool, typer.Option("--activate/--no-activate", help="Serve the new version")] = True,
) -> None:
    """Fine-tune the script model (MiniLM) on the scripts' examples and any extra data."""
    from bot.script_training import train_script_model
    from bot.training_data import TrainingDataError, gather_training_data
    from strategies.script_model import TrainingConfig

    with container() as c:
        script_set = c.scripts if scripts else None
        if script_set is not None and script_set.problems:
            for problem in script_set.problems:
                errors.print(f"[red]{problem}[/red]", highlight=False)
            errors.print("Fix the scripts first (`supportbot scripts validate`); the active model keeps serving.")
            raise typer.Exit(1)
        out_of_scope, judged_examples, judged_out_of_scope = list(out_of_scope or []), [], None
        try:
            if script_set is not None:
                judged_examples, judged_out_of_scope = _review_console_data(
                    c.settings, script_set, data or [], out_of_scope
                )
            gathered = gather_training_data(
                script_set, data or [], out_of_scope, c.settings.scripts_dir, judged_examples, judged_out_of_scope
            )
        except TrainingDataError as exc:
            errors.print(f"[red]{exc}[/red]", highlight=False)
            raise typer.Exit(1) from None
        corrections = len(gathered.corrections)
        noun = "correction" if corrections == 1 else "corrections"
        corrected = f", plus {corrections} {noun} by leads (none held out for calibration)" if corrections else ""
        console.print(
            f"Training on {len(gathered.examples)} examples of {len(gathered.labels)} labels "
            f"and {len(gathered.out_of_scope)} out-of-scope messages{corrected}"
        )
        config = TrainingConfig(seed=seed, **({"epochs": epochs} if epochs else {}))
        with _stage_progress() as progress:
            row = train_script_model(c.sessions, c.settings.models_dir, gathered, config, progress, activate)
        metrics = row.metrics
        console.print(
            f"Model [bold]{row.version}[/bold] saved to {row.path}"
            + (" and activated" if row.is_active else " (not active; `supportbot models activate`)")
        )
        console.print(f"thresholds {row.thresholds}")
        console.print("metrics " + ", ".join(f"{k} {v}" for k, v in metrics.items()))


def train_examples(c) -> None:
    """Train and activate a model on the configured scripts (used by `supportbot init`)."""
    from bot.script_training import train_script_model
    from bot.training_data import gather_training_data

    if c.scripts.problems:
        errors.print("[yellow]Scripts have problems; not training (see `supportbot scripts validate`).[/yellow]")
        return
    gathered = gather_training_data(c.scripts, [], [], c.settings.scripts_dir)
    with _stage_progress() as progress:
        row = train_script_model(c.sessions, c.settings.models_dir, gathered, progress=progress)
    console.print(f"Script model {row.version} is active.")


class _stage_progress:
    """A progress bar whose description follows the trainer's stage (epoch 1/4, calibrating...)."""

    def __enter__(self):
        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        )
        self._progress.__enter__()
        self._task = self._progress.add_task("preparing", total=None)
        return self.update

    def update(self, stage: str, done: int, total: int) -> None:
        self._progress.update(self._task, description=stage, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        self._progress.__exit__(*exc)


def _review_console_data(
    settings: Settings, script_set: ScriptSet, data: list[Path], out_of_scope: list[Path]
) -> tuple[list[LabelledExample], Path | None]:
    """What leads added in the review console, which every training reads: the scripts that should
    have run for upheld disputes, and the file of "Not a script" questions. A file also given on
    the command line is read as an ordinary data file there instead."""
    from bot.console.promotions import console_files
    from bot.training_data import read_judged_examples

    files = console_files(settings)
    judged_out_of_scope = None
    if files.out_of_scope.is_file() and files.out_of_scope not in out_of_scope:
        judged_out_of_scope = files.out_of_scope
        console.print(f"With the out-of-scope messages leads added in the review console ({files.out_of_scope})")
    if files.script_examples in data:
        return [], judged_out_of_scope
    examples, obsolete = read_judged_examples(files.script_examples, script_set)
    if examples:
        console.print(f"With {len(examples)} script examples leads added in the review console ({files.script_examples})")
    if obsolete:
        errors.print(f"[yellow]Left out the review console's examples of scripts that no longer exist: "
                     f"{', '.join(obsolete)}[/yellow]", highlight=False)
    return examples, judged_out_of_scope
