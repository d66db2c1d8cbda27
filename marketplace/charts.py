"""The dashboard's charts, drawn server-side with matplotlib (Agg) as PNG bytes.

Pure drawing: each chart takes the plain figures of ``marketplace.dashboard`` and knows
nothing of the database. Every title and label is in Chinese and English; money is in yuan.
Chinese needs a CJK font (README "Dependencies": `make fonts` installs WenQuanYi Micro
Hei); without one, the charts are drawn with the English half only and a warning is logged.
"""

import io
import logging
from functools import cache

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402 - after choosing the backend
from matplotlib.figure import Figure  # noqa: E402

logger = logging.getLogger(__name__)

CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)
CJK_FILE_HINTS = ("wqy", "notosanscjk", "noto-cjk", "sourcehansans", "droidsansfallback", "uming")
SIZE = (7.2, 3.6)  # inches at 100 dpi: 720 x 360 px
DPI = 100
COLOURS = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5")
LAST_DAYS = 30


@cache
def cjk_font() -> str | None:
    """The family of a CJK font matplotlib can draw with, or None (logged once)."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    # A font installed after matplotlib built its cache: add it by file.
    for path in font_manager.findSystemFonts():
        if any(hint in path.lower().replace("_", "") for hint in CJK_FILE_HINTS):
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
    logger.warning("No CJK font found (install fonts-wqy-microhei: make fonts); charts show English labels only")
    return None


def label(zh: str, en: str) -> str:
    """'每日发布与撮合 Jobs posted and matched per day', or the English alone with no CJK font."""
    return f"{zh} {en}" if cjk_font() else en


def _figure(title_zh: str, title_en: str):
    family = cjk_font()
    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    figure.suptitle(label(title_zh, title_en), fontsize=12, fontfamily=family or "sans-serif")
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _font(figure) -> None:
    family = cjk_font()
    if family:
        for text in figure.findobj(matplotlib.text.Text):
            text.set_fontfamily([family, "DejaVu Sans"])


def _png(figure) -> bytes:
    _font(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _empty(axes) -> None:
    axes.text(0.5, 0.5, label("暂无数据", "No data yet"), ha="center", va="center", transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])


def _days(rows):
    rows = rows[-LAST_DAYS:]
    return rows, [row["day"].strftime("%m-%d") for row in rows]


def _xticks(axes, labels) -> list[int]:
    """Positions 0..n-1 for the day labels (numbers, not matplotlib's categorical strings)."""
    positions = list(range(len(labels)))
    axes.set_xticks(positions, labels, rotation=45 if len(labels) > 10 else 0)
    return positions


def _bars(axes, labels, series, *, horizontal=False):
    """Grouped bars: ``series`` is [(legend, values)]."""
    width = 0.8 / len(series)
    positions = range(len(labels))
    for i, (name, values) in enumerate(series):
        shifted = [p - 0.4 + width * (i + 0.5) for p in positions]
        if horizontal:
            axes.barh(shifted, values, height=width, label=name, color=COLOURS[i])
        else:
            axes.bar(shifted, values, width=width, label=name, color=COLOURS[i])
    if horizontal:
        axes.set_yticks(list(positions), labels)
        axes.invert_yaxis()
    else:
        axes.set_xticks(list(positions), labels, rotation=45 if len(labels) > 10 else 0)
    if len(series) > 1:
        axes.legend(fontsize=8)


def _percent(axes, *, vertical=True) -> None:
    formatter = matplotlib.ticker.PercentFormatter(xmax=1, decimals=0)
    (axes.yaxis if vertical else axes.xaxis).set_major_formatter(formatter)


def jobs_chart(rows) -> bytes:
    figure, axes = _figure("每日发布与撮合", "Jobs posted and matched per day")
    rows, labels = _days(rows)
    if not rows:
        _empty(axes)
        return _png(figure)
    posted = [row["posted"] for row in rows]
    matched = [row["matched"] for row in rows]
    _bars(axes, labels, [(label("发布", "posted"), posted), (label("撮合", "matched"), matched)])
    axes.set_ylabel(label("订单数", "jobs"))
    axes.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    return _png(figure)


# A unit for time to match: (seconds in it, Chinese, English).
SIMULATED_HOURS = (3600, "模拟小时", "simulated h")


def _time_unit(seconds: float, unit=None) -> tuple[float, str, str]:
    """``unit`` when given; otherwise the one that suits ``seconds`` (the largest p95)."""
    if unit:
        return unit
    if seconds >= 2 * 3600:
        return 3600, "小时", "h"
    if seconds >= 120:
        return 60, "分钟", "min"
    return 1, "秒", "s"


def time_to_match_chart(rows, *, unit=None) -> bytes:
    figure, axes = _figure("撮合用时（中位数 / 95%）", "Time to match (p50 / p95)")
    rows, labels = _days(rows)
    if not rows:
        _empty(axes)
        return _png(figure)
    divisor, unit_zh, unit_en = _time_unit(max(row["p95_s"] for row in rows), unit)
    for i, (key, zh, en) in enumerate((("p50_s", "中位数", "p50"), ("p95_s", "95% 分位", "p95"))):
        values = [row[key] / divisor for row in rows]
        axes.plot(_xticks(axes, labels), values, marker="o", color=COLOURS[i], label=label(zh, en))
    axes.set_ylabel(label(unit_zh, unit_en))
    axes.set_ylim(bottom=0)
    axes.legend(fontsize=8)
    return _png(figure)


def channels_chart(rows) -> bytes:
    figure, axes = _figure("撮合渠道：派单与抢单", "Matched by dispatch vs board")
    rows, labels = _days(rows)
    if not rows:
        _empty(axes)
        return _png(figure)
    totals = [max(1, row["dispatch"] + row["board"]) for row in rows]
    dispatch = [row["dispatch"] / t for row, t in zip(rows, totals, strict=True)]
    board = [row["board"] / t for row, t in zip(rows, totals, strict=True)]
    positions = _xticks(axes, labels)
    axes.bar(positions, dispatch, color=COLOURS[0], label=label("派单", "dispatch"))
    axes.bar(positions, board, bottom=dispatch, color=COLOURS[1], label=label("抢单大厅", "board"))
    axes.set_ylim(0, 1)
    _percent(axes)
    axes.legend(fontsize=8)
    return _png(figure)


def utilisation_chart(rows, *, top: int = 15) -> bytes:
    figure, axes = _figure("工厂产能利用率", "Factory utilisation")
    rows = rows[:top]
    if not rows:
        _empty(axes)
        return _png(figure)
    _bars(axes, [row["factory"] for row in rows], [("", [row["utilisation"] for row in rows])], horizontal=True)
    axes.grid(axis="x", alpha=0.3)
    axes.set_xlim(0, max(1.0, max(row["utilisation"] for row in rows)))
    _percent(axes, vertical=False)
    axes.set_xlabel(label("已排产件数 / 截止前产能", "booked pieces / capacity to their deadlines"))
    return _png(figure)


def _rate_chart(rows, key, title_zh, title_en, colour) -> bytes:
    figure, axes = _figure(title_zh, title_en)
    rows, labels = _days(rows)
    if not rows:
        _empty(axes)
        return _png(figure)
    axes.plot(_xticks(axes, labels), [row[key] for row in rows], marker="o", color=colour)
    axes.set_ylim(0, 1.05 if key == "on_time_rate" else max(0.1, max(row[key] for row in rows) * 1.2))
    _percent(axes)
    return _png(figure)


def on_time_chart(rows) -> bytes:
    return _rate_chart(rows, "on_time_rate", "准时交付率", "On-time rate", COLOURS[2])


def reject_chart(rows) -> bytes:
    return _rate_chart(rows, "reject_rate", "次品拒收率", "Reject rate", COLOURS[1])


def money_chart(rows) -> bytes:
    figure, axes = _figure("交易额、佣金与退款（元）", "GMV, commission and refunds (yuan)")
    rows, labels = _days(rows)
    if not rows:
        _empty(axes)
        return _png(figure)
    series = [
        (label(zh, en), [row[key] / 100 for row in rows])
        for key, zh, en in (("gmv_fen", "交易额", "GMV"), ("commission_fen", "佣金", "commission"))
        + (("refunds_fen", "退款", "refunds"),)
    ]
    _bars(axes, labels, series)
    axes.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("¥{x:,.0f}"))
    return _png(figure)


def paid_per_piece_chart(rows) -> bytes:
    figure, axes = _figure("每件实付与目录参考价（元）", "Paid per piece vs the catalogue's reference (yuan)")
    if not rows:
        _empty(axes)
        return _png(figure)
    names = [label(row["name_zh"], row["code"]) for row in rows]
    paid = [row["paid_per_piece_fen"] / 100 for row in rows]
    reference = [row["reference_fen"] / 100 for row in rows]
    _bars(axes, names, [(label("平台实付", "paid"), paid), (label("参考价", "reference"), reference)], horizontal=True)
    for i, row in enumerate(rows):
        axes.annotate(f"{row['ratio']:.0%}", (max(paid[i], reference[i]), i), xytext=(4, 0), textcoords="offset points")
    axes.grid(axis="x", alpha=0.3)
    axes.xaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("¥{x:,.2f}"))
    axes.set_xlabel(label("百分比 = 实付 / 参考价（已验收件）", "% = paid / reference (accepted pieces)"))
    return _png(figure)


# name -> (Chinese title, English title, drawer); ``marketplace.dashboard.FIGURES`` has the reads.
CHARTS = {
    "jobs": ("每日发布与撮合", "Jobs posted and matched per day", jobs_chart),
    "time_to_match": ("撮合用时", "Time to match (p50 / p95)", time_to_match_chart),
    "channels": ("派单与抢单", "Matched by dispatch vs board", channels_chart),
    "utilisation": ("工厂产能利用率", "Factory utilisation", utilisation_chart),
    "on_time": ("准时交付率", "On-time rate", on_time_chart),
    "rejects": ("次品拒收率", "Reject rate", reject_chart),
    "money": ("交易额、佣金与退款", "GMV, commission and refunds", money_chart),
    "paid_per_piece": ("每件实付与参考价", "Paid per piece vs reference", paid_per_piece_chart),
}


def render(name: str, rows, *, unit=None) -> bytes:
    """Chart ``name`` of ``rows``; ``unit`` fixes time to match's unit (``SIMULATED_HOURS``)."""
    if name == "time_to_match":
        return time_to_match_chart(rows, unit=unit)
    return CHARTS[name][2](rows)


# The figures each chart draws, as text (the dashboard shows them beside the chart, the
# simulation's report under it): name -> [(Chinese, English, key, kind)]; the rows are the
# ones the chart draws (its last days, its busiest factories).
_DAY = ("日期", "day", "day", "day")
COLUMNS = {
    "jobs": [_DAY, ("发布", "posted", "posted", "count"), ("撮合", "matched", "matched", "count")],
    "time_to_match": [
        _DAY,
        ("中位数", "p50", "p50_s", "duration"),
        ("95% 分位", "p95", "p95_s", "duration"),
        ("订单数", "jobs", "jobs", "count"),
    ],
    "channels": [_DAY, ("派单", "dispatch", "dispatch", "count"), ("抢单大厅", "board", "board", "count")],
    "utilisation": [
        ("工厂", "factory", "factory", "text"),
        ("已排产件数", "booked pieces", "booked", "count"),
        ("截止前产能", "capacity to their deadlines", "capacity", "count"),
        ("利用率", "utilisation", "utilisation", "percent"),
    ],
    "on_time": [
        _DAY,
        ("完成的分单", "shares completed", "shares", "count"),
        ("准时", "on time", "on_time_rate", "percent"),
    ],
    "rejects": [
        _DAY,
        ("完成的分单", "shares completed", "shares", "count"),
        ("拒收", "rejected", "reject_rate", "percent"),
    ],
    "money": [
        _DAY,
        ("交易额", "GMV", "gmv_fen", "yuan"),
        ("佣金", "commission", "commission_fen", "yuan"),
        ("退款", "refunds", "refunds_fen", "yuan"),
    ],
    "paid_per_piece": [
        ("工序", "process", "name_zh", "text"),
        ("代码", "code", "code", "text"),
        ("已验收件数", "accepted pieces", "pieces", "count"),
        ("每件实付", "paid per piece", "paid_per_piece_fen", "yuan_fine"),
        ("参考价", "reference", "reference_fen", "yuan_fine"),
        ("实付 / 参考价", "paid / reference", "ratio", "percent"),
    ],
}


def _drawn_rows(name: str, rows) -> list:
    if name == "utilisation":
        return rows[:15]
    return rows if name == "paid_per_piece" else rows[-LAST_DAYS:]


def _cell(value, kind: str, divisor: float) -> str:
    if kind == "day":
        return value.strftime("%m-%d")
    if kind == "count":
        return f"{value:,}"
    if kind == "percent":
        return f"{value:.1%}"
    if kind == "duration":
        return f"{value / divisor:,.1f}"
    if kind == "yuan":
        return f"¥{value / 100:,.2f}"
    if kind == "yuan_fine":
        return f"¥{value / 100:,.3f}"
    return str(value)


def table(name: str, rows, *, unit=None) -> dict:
    """``{"headings": ["中文 English", ...], "rows": [[text, ...], ...]}``: what chart ``name``
    draws from ``rows``, in the chart's units (time to match in the unit its axis uses)."""
    rows = _drawn_rows(name, rows)
    divisor, unit_zh, unit_en = _time_unit(max((row.get("p95_s", 0) for row in rows), default=0), unit)
    # text needs no font of ours: the headings are always in both languages
    headings = [
        f"{zh}（{unit_zh}） {en} ({unit_en})" if kind == "duration" else f"{zh} {en}"
        for zh, en, _key, kind in COLUMNS[name]
    ]
    cells = [[_cell(row[key], kind, divisor) for _zh, _en, key, kind in COLUMNS[name]] for row in rows]
    return {"headings": headings, "rows": cells}
