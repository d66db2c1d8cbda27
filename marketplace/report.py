"""``simulate --report DIR``: the dashboard's charts as PNG files and a short bilingual HTML
summary (index.html) of the simulated day, each chart with its figures as text under it.

One set of figures serves the command's text, the summary and the charts
(``run_figures``): the dashboard's reads (``marketplace.dashboard``) counted from the run's
start, so matched can never exceed posted; utilisation by the dashboard's capacity-calendar
formula over the run's own factories; and time to match in simulated hours, the run's one
unit of time (its clock is compressed: a real second means nothing), in the text and on the
chart alike. The drawing is ``marketplace.charts``."""

from bisect import bisect_right
from html import escape
from pathlib import Path

from django.utils import timezone

from marketplace import charts, dashboard


def _yuan(fen: int) -> str:
    return f"¥{fen / 100:,.2f}"


def simulated_waits(report) -> list[int]:
    """Per job of the run that was matched: the simulated hours from the hour it was posted
    (and paid) to the hour its first share was taken (0: the same hour)."""
    waits = []
    for job_id, (at, _via) in dashboard.first_shares(report.started_at).items():
        if job_id in report.posted_hour:
            hour = max(0, bisect_right(report.hour_started, at) - 1)
            waits.append(max(0, hour - report.posted_hour[job_id]))
    return sorted(waits)


def run_figures(report, *, hours: int) -> dict:
    """The run's figures: ``posted``, ``matched``, ``match_rate``, ``waits`` with their
    ``p50_h`` and ``p95_h``, ``utilisation`` (booked over capacity, all the run's factories
    together) and ``charts``: name -> the rows each chart draws."""
    since = report.started_at
    rows = {name: dashboard.figures(name, since=since) for name in charts.CHARTS if name != "utilisation"}
    posted = sum(row["posted"] for row in rows["jobs"])
    matched = sum(row["matched"] for row in rows["jobs"])
    waits = simulated_waits(report)
    p50, p95 = dashboard.percentile(waits, 0.5), dashboard.percentile(waits, 0.95)
    hour = charts.SIMULATED_HOURS[0]
    rows["time_to_match"] = (
        [{"day": timezone.localdate(since), "p50_s": p50 * hour, "p95_s": p95 * hour, "jobs": len(waits)}]
        if waits
        else []
    )
    # the run's factories' capacity over the period plus the longest deadline (6 days)
    rows["utilisation"] = [
        row
        for row in dashboard.figures("utilisation", since=since, utilisation_days=hours / 24 + 6)
        if row["factory_id"] in report.factory_ids
    ]
    booked = sum(row["booked"] for row in rows["utilisation"])
    capacity = sum(row["capacity"] for row in rows["utilisation"])
    return {
        "posted": posted,
        "matched": matched,
        "match_rate": matched / posted if posted else 0.0,
        "waits": waits,
        "p50_h": p50,
        "p95_h": p95,
        "utilisation": booked / capacity if capacity else 0.0,
        "booked": booked,
        "capacity": capacity,
        "charts": rows,
    }


def summary_rows(report, figures: dict, totals: dict) -> list[tuple[str, str, str]]:
    """(Chinese, English, value) for the summary table."""
    return [
        ("发布并付款的订单", "Jobs posted and paid", str(figures["posted"])),
        ("已撮合的订单", "Jobs matched", str(figures["matched"])),
        ("撮合率", "Match rate", f"{figures['match_rate']:.1%}"),
        (
            "撮合用时（模拟小时）",
            "Time to match (simulated hours)",
            f"p50 {figures['p50_h']:.1f} h · p95 {figures['p95_h']:.1f} h",
        ),
        (
            "工厂产能利用率",
            "Factory utilisation",
            f"{figures['utilisation']:.1%} ({figures['booked']:,} / {figures['capacity']:,})",
        ),
        ("完成的分单", "Shares completed", str(report.completed)),
        ("取消的订单", "Jobs cancelled", str(report.cancelled)),
        ("结算批次", "Settlement batches", str(report.batches)),
        ("付款（交易额）", "Paid in (GMV)", _yuan(totals["paid_in"])),
        ("付给工厂", "To factories", _yuan(totals["to_factories"])),
        ("平台佣金", "Commission", _yuan(totals["commission"])),
        ("应退款", "Refunds owed", _yuan(totals["refunds_owed"])),
    ]


def _table_html(table: dict) -> str:
    head = "".join(f"<th>{escape(heading)}</th>" for heading in table["headings"])
    body = (
        "\n".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in table["rows"])
        or f'<tr><td colspan="{len(table["headings"])}">暂无数据 No data yet</td></tr>'
    )
    return f'<table class="figures"><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>'


def _html(rows, figures: dict, *, hours: int, ok: bool) -> str:
    table = "\n".join(f"<tr><th>{escape(zh)} {escape(en)}</th><td>{escape(value)}</td></tr>" for zh, en, value in rows)
    drawn = "\n".join(
        f'<figure id="{name}"><img src="{name}.png" alt="{escape(zh)} {escape(en)}" width="720" height="360">'
        f"<figcaption>{_table_html(charts.table(name, figures['charts'][name], unit=charts.SIMULATED_HOURS))}"
        "</figcaption></figure>"
        for name, (zh, en, _draw) in charts.CHARTS.items()
    )
    money = "账目平衡，对账一致 Ledger balanced, reconciliation ties out" if ok else "账目检查失败 Money checks FAILED"
    return f"""<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>模拟的一天 A simulated day</title>
<style>body{{font-family:sans-serif;margin:24px}} th{{text-align:left;padding-right:24px}}
figure{{display:inline-block;margin:8px;max-width:100%;vertical-align:top}} img{{max-width:100%;height:auto}}
.figures td{{text-align:right;padding:0 8px}} .figures th{{padding:0 8px}}</style></head>
<body>
<h1>胶州共享工厂：模拟的一天 Jiaozhou shared factories: a simulated day</h1>
<p>{hours} 个模拟小时，于 {timezone.localtime():%Y-%m-%d %H:%M} 运行；时间被压缩，每日图表只有一天，
撮合用时以模拟小时计。
{hours} simulated hours, run at {timezone.localtime():%Y-%m-%d %H:%M}; time is compressed, so the per-day
charts show a single day and time to match is in simulated hours.</p>
<table>
{table}
</table>
<p><strong>{money}</strong></p>
{drawn}
</body></html>
"""


def write_report(directory, *, report, figures: dict, totals: dict, ok: bool, hours: int) -> list[Path]:
    """Writes ``<chart>.png`` for every dashboard chart and ``index.html``; returns the paths.
    ``figures`` is ``run_figures``'s: the text and the charts show the same numbers."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in charts.CHARTS:
        path = out / f"{name}.png"
        path.write_bytes(charts.render(name, figures["charts"][name], unit=charts.SIMULATED_HOURS))
        written.append(path)
    index = out / "index.html"
    index.write_text(_html(summary_rows(report, figures, totals), figures, hours=hours, ok=ok), encoding="utf-8")
    return [*written, index]
