"""A self-contained HTML report of an evaluation (and optionally a calibration): tables and
matplotlib charts embedded as base64 PNG, so one file can be mailed to a support lead."""

from __future__ import annotations

import base64
import html
import io
from datetime import UTC, datetime

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from strategies.evaluation import Calibration, EvalReport  # noqa: E402
from strategies.evaluation.cases import ROUTES  # noqa: E402
from strategies.evaluation.metrics import SHOWN_METRICS  # noqa: E402

CHART_METRICS = ("answer_accuracy", "script_accuracy", "oos_recall", "recall@k", "mrr@10", "groundedness", "escalation_recall")
STRATEGIES = ("script", "retrieval", "router")
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; } td, th { border: 1px solid #ccc; padding: .3rem .6rem; }
th { background: #f3f3f3; text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; } .muted { color: #777; }
"""


def render_report(report: EvalReport, set_name: str, calibration: Calibration | None = None) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>supportbot evaluation</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Strategy evaluation: {html.escape(set_name)}</h1>",
        f"<p class='muted'>{report.n} questions · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · thresholds "
        f"{html.escape(str(report.thresholds))}</p>",
    ]
    parts += [f"<p>{html.escape(note)}</p>" for note in report.notes]
    parts.append(_metrics_table(report))
    parts.append(_image(_metrics_chart(report), "metrics per strategy"))
    parts.append(_image(_latency_chart(report), "latency per strategy"))
    parts.append("<h2>Where the router sent each question</h2>")
    parts.append(_confusion_table(report.route_confusion))
    parts.append(_mistakes_table(report.router_mistakes))
    if calibration is not None:
        parts.append("<h2>Threshold calibration</h2>")
        parts.append(
            f"<p>At most {calibration.max_wrong_rate:.1%} wrong answers. Chosen: "
            f"{html.escape(str(calibration.chosen.to_dict()))}; current: {html.escape(str(calibration.current.to_dict()))}</p>"
        )
        parts.append(_image(calibration_chart(calibration), "trade-off between correct and wrong answers"))
    parts.append("</body></html>")
    return "\n".join(parts)


def calibration_chart(calibration: Calibration) -> bytes:
    fig, ax = plt.subplots(figsize=(7, 4.2))
    frontier = calibration.frontier
    ax.plot([p.wrong_rate for p in frontier], [p.answer_accuracy for p in frontier], marker="o", label="best possible")
    ax.axvline(calibration.max_wrong_rate, color="grey", linestyle="--", label="max wrong rate")
    for point, label, color in ((calibration.current, "current", "tab:orange"), (calibration.chosen, "chosen", "tab:green")):
        ax.scatter([point.wrong_rate], [point.answer_accuracy], s=90, color=color, zorder=3, label=label)
    ax.set_xlabel("wrong answers (share of questions)")
    ax.set_ylabel("correct answers (share of questions)")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    return _png(fig)


def _metrics_table(report: EvalReport) -> str:
    present = [s for s in STRATEGIES if report.metrics.get(s)]
    rows = ["<table><tr><th>metric</th>" + "".join(f"<th>{s}</th>" for s in present) + "</tr>"]
    for key, label in SHOWN_METRICS:
        cells = "".join(f"<td class='num'>{_fmt(key, report.metrics[s].get(key))}</td>" for s in present)
        rows.append(f"<tr><th>{html.escape(label)}</th>{cells}</tr>")
    rows.append("</table>")
    return "".join(rows)


def _confusion_table(confusion: dict[str, dict[str, int]]) -> str:
    routes = ROUTES
    rows = ["<table><tr><th>expected \\ chosen</th>" + "".join(f"<th>{r}</th>" for r in routes) + "</tr>"]
    for expected in routes:
        counts = confusion.get(expected, {})
        rows.append(f"<tr><th>{expected}</th>" + "".join(f"<td class='num'>{counts.get(r, 0)}</td>" for r in routes) + "</tr>")
    rows.append("</table>")
    return "".join(rows)


def _mistakes_table(mistakes: list[dict], limit: int = 50) -> str:
    if not mistakes:
        return "<p>The router chose the expected route for every question.</p>"
    rows = [
        f"<h3>Router choices that differ from the set ({len(mistakes)}, first {min(limit, len(mistakes))})</h3>",
        "<table><tr><th>case</th><th>question</th><th>expected</th><th>chosen</th><th>confidence</th>"
        "<th>similarity</th><th>reason</th></tr>",
    ]
    for m in mistakes[:limit]:
        expected = m["expected_route"] + (f" ({m['expected_script']})" if m.get("expected_script") else "")
        chosen = m["route"] + (f" ({m['script']})" if m.get("script") else "")
        rows.append(
            "<tr>" + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in (m["id"], m["question"], expected, chosen, _fmt("", m.get("confidence")),
                          _fmt("", m.get("top_similarity")), m.get("reason", ""))
            ) + "</tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def _metrics_chart(report: EvalReport) -> bytes:
    present = [s for s in STRATEGIES if report.metrics.get(s)]
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(1, len(present))
    for i, strategy in enumerate(present):
        values = [report.metrics[strategy].get(m) for m in CHART_METRICS]
        ax.bar([x + i * width for x in range(len(CHART_METRICS))], [v or 0.0 for v in values], width, label=strategy)
    ax.set_xticks([x + width * (len(present) - 1) / 2 for x in range(len(CHART_METRICS))])
    ax.set_xticklabels(CHART_METRICS, rotation=20)
    ax.set_ylim(0, 1.05)
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def _latency_chart(report: EvalReport) -> bytes:
    present = [s for s in STRATEGIES if report.metrics.get(s)]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for i, key in enumerate(("p50_ms", "p95_ms")):
        ax.bar([x + i * 0.4 for x in range(len(present))], [report.metrics[s][key] or 0 for s in present], 0.4, label=key)
    ax.set_xticks([x + 0.2 for x in range(len(present))])
    ax.set_xticklabels(present)
    ax.set_ylabel("ms per question")
    ax.legend()
    return _png(fig)


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def _image(png: bytes, alt: str) -> str:
    return f"<p><img alt='{html.escape(alt)}' src='data:image/png;base64,{base64.b64encode(png).decode()}'></p>"


def _fmt(key: str, value) -> str:
    if value is None:
        return "n/a"
    if key.endswith("_ms"):
        return f"{value:.1f}"
    return f"{value:.3f}" if isinstance(value, float) else str(value)
