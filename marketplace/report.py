"""``simulate --report DIR``: the dashboard's charts as PNG files and a short bilingual HTML
summary (index.html) of the simulated day. The figures are the dashboard's
(``marketplace.dashboard``) counted from the simulation's start; the drawing is
``marketplace.charts``."""

from html import escape
from pathlib import Path

from django.utils import timezone

from marketplace import charts, dashboard


def _yuan(fen: int) -> str:
    return f"¥{fen / 100:,.2f}"


def summary_rows(report, totals: dict) -> list[tuple[str, str, str]]:
    """(Chinese, English, value) for the summary table."""
    waits = sorted(report.hours_to_match)
    median = dashboard.percentile(waits, 0.5)
    p95 = dashboard.percentile(waits, 0.95)
    return [
        ("发布并付款的订单", "Jobs posted and paid", str(report.posted)),
        ("撮合率", "Match rate", f"{report.matched / max(1, report.posted):.1%}"),
        ("撮合用时（模拟小时）", "Time to match (simulated hours)", f"p50 {median:.0f} h · p95 {p95:.0f} h"),
        ("工厂产能利用率", "Factory utilisation", f"{report.utilisation:.1%}"),
        ("完成的分单", "Shares completed", str(report.completed)),
        ("取消的订单", "Jobs cancelled", str(report.cancelled)),
        ("结算批次", "Settlement batches", str(report.batches)),
        ("付款（交易额）", "Paid in (GMV)", _yuan(totals["paid_in"])),
        ("付给工厂", "To factories", _yuan(totals["to_factories"])),
        ("平台佣金", "Commission", _yuan(totals["commission"])),
        ("应退款", "Refunds owed", _yuan(totals["refunds_owed"])),
    ]


def _html(rows, names, *, hours: int, ok: bool) -> str:
    table = "\n".join(f"<tr><th>{escape(zh)} {escape(en)}</th><td>{escape(value)}</td></tr>" for zh, en, value in rows)
    figures = "\n".join(
        f'<figure><img src="{name}.png" alt="{escape(zh)} {escape(en)}" width="720" height="360"></figure>'
        for name, (zh, en, _draw) in names
    )
    money = "账目平衡，对账一致 Ledger balanced, reconciliation ties out" if ok else "账目检查失败 Money checks FAILED"
    return f"""<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8">
<title>模拟的一天 A simulated day</title>
<style>body{{font-family:sans-serif;margin:24px}} th{{text-align:left;padding-right:24px}}
figure{{display:inline-block;margin:8px}}</style></head>
<body>
<h1>胶州共享工厂：模拟的一天 Jiaozhou shared factories: a simulated day</h1>
<p>{hours} 个模拟小时，于 {timezone.localtime():%Y-%m-%d %H:%M} 运行；时间被压缩，每日图表只有一天。
{hours} simulated hours, run at {timezone.localtime():%Y-%m-%d %H:%M}; time is compressed, so the per-day
charts show a single day.</p>
<table>
{table}
</table>
<p><strong>{money}</strong></p>
{figures}
</body></html>
"""


def write_report(directory, *, report, totals: dict, ok: bool, hours: int, since) -> list[Path]:
    """Writes ``<chart>.png`` for every dashboard chart and ``index.html``; returns the paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    # the simulated factories' capacity over the period plus the longest deadline (as simulate)
    days = hours / 24 + 6
    written = []
    for name in charts.CHARTS:
        path = out / f"{name}.png"
        path.write_bytes(charts.render(name, dashboard.figures(name, since=since, utilisation_days=days)))
        written.append(path)
    index = out / "index.html"
    index.write_text(_html(summary_rows(report, totals), charts.CHARTS.items(), hours=hours, ok=ok), encoding="utf-8")
    return [*written, index]
