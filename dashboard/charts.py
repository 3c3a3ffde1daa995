"""The dashboard's charts, as plain HTML and CSS, and their text alternatives.

Okabe-Ito colours, safe for the common colour-vision deficiencies; the meaning is always
also in text (signs, symbols, labels, counts), never carried by colour alone.

No plotly: its script (3-4 MB) took 1-2.5 s to load and draw in chromium on the 2-core
machine the first time a page showed a chart ("Why this score" at 2.5-3.1 s although the
API answered in 10 ms), and 100-300 ms each time after. These bars are ``<div>``s sized in
per cent, drawn in the same frame as the page's text; each chart carries its numbers in
``data-*`` attributes (tests and the benchmark read them) and an ``aria-label``.
"""

from __future__ import annotations

import html

BLUE, ORANGE, VERMILLION, SKY, GREY = "#0072B2", "#E69F00", "#D55E00", "#56B4E9", "#999999"
LOWERS, RAISES = BLUE, VERMILLION
INK = "#222222"
GRID = "#E5E5E5"


def _pct(p: float) -> str:
    return f"{100 * p:.1f} %"


# ---- score card ----

def probability_bar_html(probability: float, threshold: float, caption: str) -> str:
    """The probability of payment difficulties as a bar, with the refusal threshold marked.

    Plain HTML and CSS: the score card is the page people wait for; a plotly figure took 60-100 ms of the
    time from "Open client" to a painted card (chromium, 2 cores), this takes none. The axis
    stops at a bit more than the larger of the two (never below 25 %), so a probability of a
    few per cent stays visible; the refused side is hatched and the zones are named in words;
    ``caption`` is its text alternative (``role="img"``) and is also shown below it.
    """
    top = min(1.0, max(0.25, 1.4 * max(probability, threshold)))
    at = min(probability, top) / top * 100
    cut = threshold / top * 100
    refused = probability >= threshold
    colour = VERMILLION if refused else BLUE
    hatch = ("repeating-linear-gradient(45deg, rgba(255,255,255,.45) 0 4px, transparent 4px 9px),"
             if refused else "")
    return (
        f'<div class="probability-bar" role="img" aria-label="{html.escape(caption)}" '
        f'data-probability="{probability:.6f}" data-threshold="{threshold:.6f}" '
        f'style="font-size:15px;color:{INK};margin:6px 0 2px 0">'
        f'<div style="position:relative;height:56px;border-radius:4px;overflow:hidden">'
        f'<div style="position:absolute;left:0;top:0;bottom:0;width:{cut:.2f}%;'
        f'background:{SKY}33"></div>'
        f'<div style="position:absolute;left:{cut:.2f}%;right:0;top:0;bottom:0;background:'
        f'repeating-linear-gradient(45deg, {ORANGE}40 0 3px, {ORANGE}1f 3px 8px)"></div>'
        f'<div style="position:absolute;left:0;top:14px;height:28px;width:{at:.2f}%;'
        f'background:{hatch}{colour};border-radius:0 3px 3px 0"></div>'
        f'<div style="position:absolute;left:{cut:.2f}%;top:0;bottom:0;'
        f'border-left:3px dashed {INK}"></div>'
        f'<div style="position:absolute;left:calc({at:.2f}% + 8px);top:16px;font-size:18px;'
        f'font-weight:600">{_pct(probability)}</div></div>'
        f'<div style="position:relative;height:22px">'
        f'<span style="position:absolute;left:0">◀ granted below</span>'
        f'<span style="position:absolute;left:{cut:.2f}%;transform:translateX(-50%);'
        f'white-space:nowrap;font-weight:600">Threshold {_pct(threshold)}</span>'
        f'<span style="position:absolute;right:0">refused above ▶</span></div></div>')


def probability_caption(probability: float, threshold: float, decision_words: str) -> str:
    side = "above" if probability >= threshold else "below"
    return (f"Chart: the client's probability of payment difficulties, {_pct(probability)}, "
            f"is {side} the refusal threshold of {_pct(threshold)}: {decision_words.lower()}.")


# ---- local explanation ----

def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


HATCH = "repeating-linear-gradient(45deg, rgba(255,255,255,.45) 0 4px, transparent 4px 9px)"


def factors_html(factors: list[dict], caption: str) -> str:
    """Each factor's push on this client's risk, as a bar from a middle line.

    Right (vermillion, hatched, ▲) raises the risk, left (blue, plain, ▼) lowers it; the
    bar's length is the factor's weight relative to the heaviest one. Each row names the
    factor and the client's value in the client's units ("31 out of 100").
    """
    ordered = sorted(factors, key=lambda f: -f["contribution"])
    largest = max([abs(f["contribution"]) for f in ordered] or [1.0]) or 1.0
    rows = []
    for factor in ordered:
        value = factor["contribution"]
        raises = value > 0
        width = 100 * abs(value) / largest
        bar = (f'<div style="position:absolute;top:5px;bottom:5px;width:{width:.1f}%;'
               + (f'left:0;background:{HATCH},{RAISES};border-radius:0 3px 3px 0'
                  if raises else f'right:0;background:{LOWERS};border-radius:3px 0 0 3px')
               + '"></div>')
        shown = factor.get("display")
        rows.append(
            f'<div class="factor" data-feature="{_esc(factor["feature"])}" '
            f'data-contribution="{value:.6f}" style="text-align:right;padding-right:12px">'
            f'{"▲" if raises else "▼"} {_esc(factor["label"])}'
            + (f'<br><span style="color:#555;font-size:14px">{_esc(shown)}</span>'
               if shown else "") + '</div>'
            f'<div style="position:relative;min-height:34px;border-right:2px solid {INK}">'
            f'{"" if raises else bar}</div>'
            f'<div style="position:relative;min-height:34px">{bar if raises else ""}</div>')
    return (f'<div class="factor-chart" role="img" aria-label="{_esc(caption)}" '
            f'style="font-size:15px;color:{INK};margin:8px 0">'
            '<div style="display:grid;grid-template-columns:minmax(0,1.3fr) minmax(0,1fr) '
            'minmax(0,1fr);row-gap:8px;align-items:center">'
            '<div></div><div style="text-align:right;padding-right:8px;font-weight:600">'
            '◀ lowers the risk</div><div style="padding-left:8px;font-weight:600">'
            'raises the risk ▶</div>' + "".join(rows) + '</div></div>')


def factors_caption(factors: list[dict]) -> str:
    up = [f["label"] for f in factors if f["contribution"] > 0]
    down = [f["label"] for f in factors if f["contribution"] < 0]
    return ("Chart: the factors that weigh most in this client's score; the longer the bar, "
            "the more it weighs. "
            f"Raising the risk (▲, to the right, vermillion): {', '.join(up) or 'none'}. "
            f"Lowering the risk (▼, to the left, blue): {', '.join(down) or 'none'}.")


# ---- global importance ----

def importance_html(rows: list[dict], caption: str) -> str:
    """Each feature's share of the model's weight over all clients, largest first.

    ``rows``: ``label`` and ``share`` (of the summed mean absolute contributions, 0-1).
    """
    largest = max([r["share"] for r in rows] or [1.0]) or 1.0
    body = "".join(
        f'<div class="importance" data-share="{r["share"]:.6f}" '
        f'style="text-align:right;padding-right:12px">{_esc(r["label"])}</div>'
        f'<div style="position:relative;height:26px"><div style="position:absolute;left:0;'
        f'top:3px;bottom:3px;width:{100 * r["share"] / largest:.1f}%;background:{BLUE};'
        'border-radius:0 3px 3px 0"></div></div>'
        f'<div style="padding-left:8px;white-space:nowrap">{100 * r["share"]:.1f} %</div>'
        for r in rows)
    return (f'<div class="importance-chart" role="img" aria-label="{_esc(caption)}" '
            f'style="font-size:15px;color:{INK};margin:8px 0"><div style="display:grid;'
            'grid-template-columns:minmax(0,1.2fr) minmax(0,1fr) auto;row-gap:6px;'
            f'align-items:center">{body}</div></div>')


def importance_caption(rows: list[dict]) -> str:
    names = [f'{r["label"]} ({100 * r["share"]:.0f} %)' for r in rows[:5]]
    return ("Chart: how much each feature weighs in the model's scores over all clients, as a "
            f"share of the total weight, largest first: {', '.join(names)}.")


# ---- comparison ----

PLOT_PX = 200    # height of the tallest bar of the distribution chart


def group_chart_html(distribution: dict, group: str, caption: str) -> str:
    """The group's values in bins, repaid (blue) and difficulties (vermillion, hatched) side by side.

    Counts above every bar and the share of difficulties under each bin; the client's bin
    is shaded and marked "▼ This client". Bars share one scale, so a small count stays
    small, but its number is always written.
    """
    repaid, defaulted = distribution["repaid"], distribution["defaulted"]
    largest = max([*repaid, *defaulted, 1])
    mine = distribution.get("client_bin")
    cells, names, marks = [], [], []
    for i, (name, good, bad) in enumerate(zip(distribution["bins"], repaid, defaulted,
                                              strict=True)):
        here = i == mine
        shade = "background:#FFF1CC;" if here else ""
        bars = "".join(
            f'<div style="width:42%;display:flex;flex-direction:column;justify-content:flex-end;'
            f'align-items:center;height:100%"><div style="font-size:13px;line-height:16px">'
            f'{count:,}</div><div style="width:100%;height:{max(PLOT_PX * count / largest, 2 if count else 0):.0f}px;'
            f'background:{fill};border-radius:2px 2px 0 0"></div></div>'
            for count, fill in ((good, BLUE), (bad, f"{HATCH},{RAISES}")))
        total = good + bad
        rate = f"{100 * bad / total:.0f} %" if total else "—"
        cells.append(f'<div class="bin" data-bin="{i}" data-repaid="{good}" '
                     f'data-defaulted="{bad}" style="flex:1;display:flex;gap:3px;'
                     f'justify-content:center;align-items:flex-end;height:{PLOT_PX + 20}px;'
                     f'{shade}">{bars}</div>')
        names.append(f'<div style="flex:1;text-align:center;font-size:13px;padding:4px 2px;'
                     f'{shade}">{_esc(name)}<br><span style="color:#555">{rate}</span></div>')
        marks.append(f'<div style="flex:1;text-align:center;font-size:14px;font-weight:600">'
                     f'{"▼ This client" if here else ""}</div>')
    legend = (f'<div style="display:flex;gap:18px;font-size:14px;margin-bottom:4px">'
              f'<span><span style="display:inline-block;width:14px;height:14px;'
              f'background:{BLUE};vertical-align:-2px"></span> repaid</span>'
              f'<span><span style="display:inline-block;width:14px;height:14px;'
              f'background:{HATCH},{RAISES};vertical-align:-2px"></span> had payment '
              'difficulties</span><span style="color:#555">under each bin: share with '
              'difficulties</span></div>')
    return (f'<div class="group-chart" role="img" aria-label="{_esc(caption)}" '
            f'data-group="{_esc(group)}" data-feature="{_esc(distribution["feature"])}" '
            f'data-client-bin="{"" if mine is None else mine}" '
            f'style="font-size:15px;color:{INK};margin:8px 0">{legend}'
            f'<div style="display:flex;gap:4px">{"".join(marks)}</div>'
            f'<div style="display:flex;gap:4px;border-bottom:1px solid {INK}">{"".join(cells)}</div>'
            f'<div style="display:flex;gap:4px">{"".join(names)}</div>'
            f'<div style="text-align:center;font-weight:600;margin-top:4px">'
            f'{_esc(distribution["axis_title"])}</div></div>')


def group_caption(distribution: dict, group_name: str) -> str:
    repaid, defaulted = sum(distribution["repaid"]), sum(distribution["defaulted"])
    parts = [f"Chart: {distribution['label'].lower()} among {group_name.lower()}, "
             f"{repaid + defaulted:,} past clients in bins of equal width: {repaid:,} repaid "
             f"(blue) and {defaulted:,} had payment difficulties (vermillion, hatched), side by "
             "side, with their counts."]
    mine = distribution.get("client_bin")
    if mine is not None:
        good, bad = distribution["repaid"][mine], distribution["defaulted"][mine]
        parts.append(f"This client ({distribution['client_display']}) is in the bin "
                     f"“{distribution['bins'][mine]}”: {good:,} repaid, {bad:,} had "
                     "difficulties.")
    else:
        parts.append("This client's value is not known.")
    if distribution.get("unknown"):
        unknown = distribution["unknown"]
        parts.append(f"{unknown:,} past client{' of the group has' if unknown == 1 else 's of the group have'} "
                     "no value.")
    return " ".join(parts)
