"""`supportbot`: the command line for admins and for talking to the bot locally."""

from __future__ import annotations

import os

# Offline by design: models ship in packages, never come from a hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import typer  # noqa: E402

from bot.cli import ask_cmd, channels_cmd, escalations_cmd, eval_cmd, export_cmd, models_cmd, scripts_cmd, serve_cmd, setup_cmd, sources_cmd, traces_cmd, users_cmd  # noqa: E402

app = typer.Typer(
    name="supportbot",
    help="A support bot that answers from your docs with citations, and shows its evidence.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("init")(setup_cmd.init)
app.command("migrate")(setup_cmd.migrate_cmd)
app.command("sync")(sources_cmd.sync)
app.command("reindex")(sources_cmd.reindex)
app.add_typer(sources_cmd.sources_app, name="sources")
app.command("ask")(ask_cmd.ask)
app.command("chat")(ask_cmd.chat)
app.command("serve")(serve_cmd.serve)
app.add_typer(traces_cmd.traces_app, name="traces")
app.add_typer(scripts_cmd.scripts_app, name="scripts")
app.command("train")(scripts_cmd.train)
app.add_typer(models_cmd.models_app, name="models")
app.add_typer(channels_cmd.channels_app, name="channels")
app.add_typer(escalations_cmd.escalations_app, name="escalations")
app.add_typer(export_cmd.export_app, name="export")
app.add_typer(users_cmd.users_app, name="users")
app.add_typer(eval_cmd.eval_app, name="eval")

if __name__ == "__main__":
    app()
