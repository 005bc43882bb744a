"""`supportbot eval SET` and its subcommands: calibrate, thresholds, shadow, build-set."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

from bot.cli.context import console, container, errors
from bot.cli.progress import progress_bar
from strategies.evaluation.cases import ROUTES



class _RunByDefault(TyperGroup):
    """`supportbot eval SET ...` runs the set; `supportbot eval calibrate ...` etc. are subcommands."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


eval_app = typer.Typer(
    cls=_RunByDefault,
    help="Measure the strategies on a labelled question set: `supportbot eval SET [--json] [--html F] [--compare B]`.",
    no_args_is_help=True,
)


@contextmanager
def _progress(description: str, quiet: bool) -> Iterator:
    """The project's bar on the terminal; on stderr when stdout carries JSON."""
    if not quiet:
        with progress_bar(description) as update:
            yield update
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=errors, transient=True) as progress:
        task = progress.add_task(description, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


def _fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[red]{escape(message)}[/red]", highlight=False)
    return typer.Exit(code)


def _load(c, path: Path):
    from strategies.evaluation import EvalSetError

    from bot.evaluation.runs import load_set_for

    try:
        return load_set_for(c, path)
    except EvalSetError as exc:
        raise _fail(str(exc)) from None


@eval_app.command("run", hidden=True)
def run(
    eval_set: Annotated[Path, typer.Argument(metavar="SET", help="Evaluation set (JSONL; format: examples/eval/README.md)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as one JSON object on the last line")] = False,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write an HTML report with charts")] = None,
    compare: Annotated[Path | None, typer.Option("--compare", help="Fail when a metric regressed against this baseline JSON")] = None,
    tolerance: Annotated[float, typer.Option(help="Allowed drop of a metric (absolute)")] = 0.02,
    latency_tolerance: Annotated[float, typer.Option(help="Allowed latency rise, as a share of the baseline")] = 0.25,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the JSON figures to this file (a baseline)")] = None,
    mistakes: Annotated[int, typer.Option(help="Router mistakes to list")] = 10,
    details: Annotated[Path | None, typer.Option("--details", help="Write every judged answer (JSONL) here")] = None,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads for the models")] = 1,
) -> None:
    """Run every question through the script strategy, retrieval, and the router, side by side."""
    from strategies.evaluation import BaselineError, load_baseline, regressions, with_format

    from bot.evaluation.runs import evaluation_for

    baseline = None
    if compare is not None:
        try:
            baseline = load_baseline(compare)
        except BaselineError as exc:
            raise _fail(str(exc), 2) from None
    with container() as c:
        cases = _load(c, eval_set).cases
        evaluation = evaluation_for(c, threads)
        with _progress(f"evaluating {len(cases)} questions", as_json) as update:
            report = evaluation.run(cases, progress=update)
    summary = with_format(report.summary())
    if out is not None:
        out.write_text(json.dumps(summary, ensure_ascii=False) + "\n", encoding="utf-8")
    if details is not None:
        with details.open("w", encoding="utf-8") as handle:
            for judged in report.judged.values():
                handle.writelines(json.dumps(j.to_dict(), ensure_ascii=False) + "\n" for j in judged)
    if html_out is not None:
        from bot.evaluation.html_report import render_report

        html_out.write_text(render_report(report, eval_set.name), encoding="utf-8")
    if not as_json:
        _print_report(report, mistakes)
        if html_out is not None:
            console.print(f"HTML report: {html_out}")
    found = regressions(baseline, summary, tolerance, latency_tolerance) if baseline is not None else []
    for regression in found:
        errors.print(f"[red]regression:[/red] {escape(str(regression))}", highlight=False)
    if baseline is not None and not found:
        (errors if as_json else console).print(f"No metric regressed against {compare} (tolerance {tolerance}).")
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
    if found:
        raise typer.Exit(1)


@eval_app.command("calibrate")
def calibrate_cmd(
    eval_set: Annotated[Path, typer.Argument(metavar="SET")],
    max_wrong_rate: Annotated[float, typer.Option(help="Largest share of questions allowed a wrong answer")] = 0.05,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the choice without saving it")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Save the trade-off curve as a PNG")] = None,
    by: Annotated[str, typer.Option("--by", help="Who makes the change (recorded)")] = "cli",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Choose the router thresholds that answer most questions right within a wrong-answer budget, and apply them."""
    from strategies.evaluation import CalibrationError, calibrate

    from bot.evaluation.runs import evaluation_for, file_sha256

    with container() as c:
        cases = _load(c, eval_set).cases
        evaluation = evaluation_for(c)
        try:
            with _progress(f"calibrating on {len(cases)} questions", as_json) as update:
                result = calibrate(evaluation, cases, max_wrong_rate, progress=update)
        except CalibrationError as exc:
            raise _fail(str(exc)) from None
        chosen = result.chosen
        metrics = {"calibration": result.to_dict(), "n": len(cases)}
        saved = None
        if not dry_run:
            model = c.script_strategy.model if c.script_strategy else None
            saved = c.threshold_settings.save(
                created_by=by,
                min_confidence=chosen.min_confidence,
                min_similarity=chosen.min_similarity,
                model_version=model.version if model is not None else None,
                eval_set=str(eval_set),
                eval_set_sha256=file_sha256(eval_set),
                max_wrong_rate=max_wrong_rate,
                metrics=metrics,
            )
    if plot is not None:
        from bot.evaluation.html_report import calibration_chart

        plot.write_bytes(calibration_chart(result))
    if as_json:
        print(json.dumps({**result.to_dict(), "saved_setting": saved.id if saved else None}))
        return
    table = Table("min confidence", "min similarity", "correct", "wrong", title="trade-off (best accuracy per wrong rate)")
    for point in result.frontier:
        mark = " ← chosen" if point == chosen else ""
        table.add_row(_num(point.min_confidence), _num(point.min_similarity), f"{point.answer_accuracy:.1%}",
                      f"{point.wrong_rate:.1%}{mark}")
    console.print(table)
    current = result.current
    console.print(
        f"current: min_confidence {_num(current.min_confidence)}, min_similarity {_num(current.min_similarity)} → "
        f"{current.answer_accuracy:.1%} correct, {current.wrong_rate:.1%} wrong"
    )
    console.print(
        f"chosen:  min_confidence {_num(chosen.min_confidence)}, min_similarity {_num(chosen.min_similarity)} → "
        f"{chosen.answer_accuracy:.1%} correct, {chosen.wrong_rate:.1%} wrong (limit {max_wrong_rate:.1%})"
    )
    if saved is not None:
        console.print(f"Saved as threshold setting {saved.id}; it applies from the next start. Undo: `supportbot eval thresholds --revert`.")
    else:
        console.print("Dry run: nothing saved.")
    if plot is not None:
        console.print(f"Trade-off curve: {plot}")


@eval_app.command("thresholds")
def thresholds_cmd(
    revert: Annotated[bool, typer.Option("--revert", help="Go back to the thresholds in force before the current ones")] = False,
    by: Annotated[str, typer.Option("--by", help="Who makes the change (recorded)")] = "cli",
) -> None:
    """The router threshold settings, newest last (the last one is in force)."""
    from bot.evaluation.thresholds import ThresholdSettingError

    with container() as c:
        if revert:
            try:
                row = c.threshold_settings.revert(by)
            except ThresholdSettingError as exc:
                raise _fail(str(exc)) from None
            restored = f"setting {row.restores_id}" if row.restores_id else "the defaults"
            console.print(f"Reverted to {restored} (recorded as setting {row.id}); it applies from the next start.")
        rows = c.threshold_settings.history()
    if not rows:
        console.print("No threshold settings: the router uses the model's calibration and SUPPORTBOT_MIN_EVIDENCE_SIMILARITY.")
        return
    table = Table("id", "when", "by", "action", "min confidence", "min similarity", "model", "set", "max wrong", "correct / wrong")
    for row in rows:
        chosen = (row.metrics or {}).get("calibration", {}).get("chosen", {})
        figures = f"{chosen['answer_accuracy']:.1%} / {chosen['wrong_rate']:.1%}" if chosen else ""
        action = row.action + (f" → {row.restores_id}" if row.restores_id else "")
        table.add_row(
            str(row.id) + (" *" if row is rows[-1] else ""), f"{row.created_at:%Y-%m-%d %H:%M}", escape(row.created_by),
            action, _num(row.min_confidence), _num(row.min_similarity), row.model_version or "", escape(row.eval_set or ""),
            _num(row.max_wrong_rate), figures,
        )
    console.print(table)


@eval_app.command("shadow")
def shadow_cmd(
    last: Annotated[int, typer.Option("--last", min=1, max=100_000, help="How many of the latest traces to replay")] = 100,
    model_version: Annotated[str | None, typer.Option("--model-version", help="A candidate script model version")] = None,
    policy: Annotated[str | None, typer.Option("--policy", help="Answer every question under this policy")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="List unchanged answers too")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Replay recent questions against a candidate configuration; nothing is written."""
    from bot.channel_policies import ChannelPolicyError, parse_policy
    from bot.evaluation.shadow import shadow_run
    from bot.script_models import ScriptModelError

    try:
        forced = parse_policy(policy) if policy else None
    except ChannelPolicyError as exc:
        raise _fail(str(exc), 2) from None
    import torch

    torch.set_num_threads(1)  # one question at a time (see bot/evaluation/runs.py)
    with container() as c:
        try:
            with _progress(f"replaying up to {last} questions", as_json) as update:
                changes, version = shadow_run(c, last, model_version, forced, progress=update)
        except ScriptModelError as exc:
            raise _fail(str(exc)) from None
    changed = [ch for ch in changes if ch.changed]
    if as_json:
        print(json.dumps({"model_version": version, "replayed": len(changes), "changed": len(changed),
                          "changes": [ch.to_dict() for ch in (changes if show_all else changed)]}, ensure_ascii=False))
        return
    if not changes:
        console.print("No traces to replay yet.")
        return
    table = Table("trace", "question", "route", "script", "outcome", "sources", "answer")
    for ch in changes if show_all else changed:
        table.add_row(
            ch.trace_id[:12], escape(ch.question[:60]) + (f" [dim](mid-script {ch.was_in_script})[/dim]" if ch.was_in_script else ""),
            _arrow(ch.before_route, ch.after_route), _arrow(ch.before_script, ch.after_script),
            _arrow(ch.before_outcome, ch.after_outcome), _arrow(",".join(ch.before_sources), ",".join(ch.after_sources)),
            "changed" if ch.answer_changed else "same",
        )
    console.print(table)
    console.print(f"{len(changed)} of {len(changes)} answers would change with model {version or 'none'}"
                  + (f" and policy {forced.value}" if forced else "") + ". Nothing was written.")


@eval_app.command("build-set")
def build_set(
    out: Annotated[Path, typer.Option("-o", "--out", help="The set file to write")],
    reviews: Annotated[bool, typer.Option("--reviews/--no-reviews", help="Cases from reviewed traces and judged disputes")] = True,
    doc2dial: Annotated[Path | None, typer.Option(help="A doc2dial folder (documents.jsonl, questions_dev.jsonl)")] = None,
    doc2dial_first: Annotated[int, typer.Option(help="doc2dial first-turn questions")] = 300,
    doc2dial_followups: Annotated[int, typer.Option(help="doc2dial follow-up questions (with history)")] = 100,
    pages_out: Annotated[Path | None, typer.Option(help="Write doc2dial's documents here as a folder source")] = None,
    clinc150: Annotated[Path | None, typer.Option(help="CLINC150's data_full_trainval.json")] = None,
    clinc_in_scope: Annotated[int, typer.Option(help="CLINC150 in-scope questions (from val)")] = 450,
    clinc_oos: Annotated[int, typer.Option(help="CLINC150 out-of-scope questions (from oos_val)")] = 100,
    append: Annotated[bool, typer.Option("--append", help="Add to an existing set instead of replacing it")] = False,
) -> None:
    """Build an evaluation set from reviewed traces, judged disputes and public data formats."""
    from strategies.evaluation import EvalSetError, dump_case, load_eval_set
    from strategies.evaluation.public_sets import clinc150_cases, doc2dial_cases, doc2dial_pages, write_pages

    cases = []
    try:
        if doc2dial is not None:
            documents, questions = doc2dial / "documents.jsonl", doc2dial / "questions_dev.jsonl"
            cases += doc2dial_cases(documents, questions, doc2dial_first, doc2dial_followups)
            if pages_out is not None:
                write_pages(doc2dial_pages(documents), pages_out)
        if clinc150 is not None:
            cases += clinc150_cases(clinc150, clinc_in_scope, clinc_oos)
    except (EvalSetError, OSError, KeyError) as exc:
        raise _fail(f"cannot read the public data: {exc}") from None
    if reviews:
        from bot.evaluation.set_builder import cases_from_reviews_and_disputes

        with container() as c, c.sessions() as session:
            cases += cases_from_reviews_and_disputes(session)
    existing = set()
    if append and out.exists():
        try:
            existing = {case.id for case in load_eval_set(out).cases}
        except EvalSetError as exc:
            raise _fail(str(exc)) from None
    new = [case for case in cases if case.id not in existing]
    if not new and not existing:
        raise _fail("no cases: no reviewed traces or judged disputes yet, and no public data given")
    with out.open("a" if append else "w", encoding="utf-8") as handle:
        for case in new:
            handle.write(dump_case(case) + "\n")
    console.print(f"Wrote {len(new)} cases to {out}" + (f" ({len(existing)} were there already)" if existing else "") + ".")
    if pages_out is not None and doc2dial is not None:
        console.print(f"doc2dial pages in {pages_out}: `supportbot sources add doc2dial {pages_out}` and `supportbot sync`.")


def _print_report(report, mistakes: int) -> None:
    from strategies.evaluation.metrics import SHOWN_METRICS

    present = [s for s in ("script", "retrieval", "router") if report.metrics.get(s)]
    table = Table("metric", *present, title=f"{report.n} questions")
    for key, label in SHOWN_METRICS:
        table.add_row(label, *[_metric(key, report.metrics[s].get(key)) for s in present])
    console.print(table)
    for note in report.notes:
        console.print(f"[yellow]{escape(note)}[/yellow]")
    confusion = Table("expected \\ router chose", *ROUTES, title="routes")
    for expected in ROUTES:
        row = report.route_confusion.get(expected, {})
        confusion.add_row(expected, *[str(row.get(r, 0)) for r in ROUTES])
    console.print(confusion)
    if report.router_mistakes and mistakes:
        shown = Table("case", "question", "expected", "chose", "confidence", "similarity",
                      title=f"router mistakes ({len(report.router_mistakes)}, first {min(mistakes, len(report.router_mistakes))})")
        for m in report.router_mistakes[:mistakes]:
            shown.add_row(
                escape(m["id"]), escape(m["question"][:60]),
                m["expected_route"] + (f" {m['expected_script']}" if m.get("expected_script") else ""),
                m["route"] + (f" {m['script']}" if m.get("script") else ""), _num(m.get("confidence")), _num(m.get("top_similarity")),
            )
        console.print(shown)
    console.print(f"thresholds: {escape(str(report.thresholds))}")


def _metric(key: str, value) -> str:
    if value is None:
        return "n/a"
    if key.endswith("_ms"):
        return f"{value:.1f}"
    return f"{value:.1%}"


def _num(value) -> str:
    return "default" if value is None else f"{value:.4g}"


def _arrow(before, after) -> str:
    before, after = before or "-", after or "-"
    return escape(before) if before == after else f"{escape(before)} → [bold]{escape(after)}[/bold]"
