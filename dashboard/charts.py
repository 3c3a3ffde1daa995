"""Plotly figures and their text alternatives (one caption per chart).

Okabe-Ito colours, safe for the common colour-vision deficiencies; the meaning is always
also in text (signs, symbols, labels, annotations), never carried by colour alone.

Each figure is built in one ``go.Figure(data, layout)`` call from plain dicts, without a
named template: plotly's ``add_vline``/``add_annotation`` helpers and template resolution
cost 30-100 ms per figure, which a relationship manager would feel on every client.
"""

from __future__ import annotations

import html
import math

import plotly.graph_objects as go

BLUE, ORANGE, VERMILLION, SKY, GREY = "#0072B2", "#E69F00", "#D55E00", "#56B4E9", "#999999"
LOWERS, RAISES = BLUE, VERMILLION
INK = "#222222"
GRID = "#E5E5E5"


def _pct(p: float) -> str:
    return f"{100 * p:.1f} %"


def _axis(**kwargs) -> dict:
    return {"gridcolor": GRID, "zerolinecolor": GRID, "linecolor": GRID, **kwargs}


def _layout(height: int, *, shapes=(), annotations=(), showlegend: bool = False,
            **kwargs) -> dict:
    """White background, 15 px dark text, no toolbar clutter."""
    return {"height": height, "font": {"size": 15, "color": INK},
            "paper_bgcolor": "white", "plot_bgcolor": "white",
            "margin": {"l": 10, "r": 10, "t": 40, "b": 40}, "showlegend": showlegend,
            "hoverlabel": {"font": {"size": 15}},
            "shapes": list(shapes), "annotations": list(annotations), **kwargs}


def _text(x, y, text: str, *, size: int = 14, yref: str = "paper", **kwargs) -> dict:
    return {"x": x, "y": y, "xref": "x", "yref": yref, "text": text, "showarrow": False,
            "font": {"size": size, "color": INK}, **kwargs}


def _vline(x: float, *, width: int = 3, dash: str = "solid") -> dict:
    return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
            "line": {"color": "black", "width": width, "dash": dash}}


def wrap(text: str, width: int = 45) -> str:
    """Long labels on several lines (plotly breaks on <br>)."""
    lines, line = [], ""
    for word in str(text).split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


def format_value(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.2f}"


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

def _signed(x: float) -> str:
    return f"{x:+.2f}".replace("-", "−")


def factors_chart(factors: list[dict]) -> go.Figure:
    """Each factor's push on the risk (SHAP, log-odds): right raises it, left lowers it.

    Direction is told three ways: the side of the bar, ▲/▼ before the label, and the colour
    (orange hatched up, blue plain down).
    """
    ordered = sorted(factors, key=lambda f: f["contribution"])
    values = [f["contribution"] for f in ordered]
    labels = [("▲ " if v > 0 else "▼ ") + wrap(f["label"])
              for f, v in zip(ordered, values, strict=True)]
    lines = max([label.count("<br>") + 1 for label in labels] or [1])
    bar = go.Bar(
        x=values, y=labels, orientation="h",
        marker={"color": [RAISES if v > 0 else LOWERS for v in values],
                "pattern": {"shape": ["/" if v > 0 else "" for v in values],
                            "fgcolor": "white", "fgopacity": 0.5}},
        text=[_signed(v) for v in values], textposition="outside", cliponaxis=False,
        textfont={"size": 14, "color": INK}, hovertemplate="%{y}: %{x:+.3f}<extra></extra>")
    low, high = min([*values, 0.0]), max([*values, 0.0])
    pad = 0.25 * max(high - low, 1e-6)
    layout = _layout(
        110 + (20 * lines + 22) * max(len(ordered), 1), shapes=[_vline(0, width=1)],
        xaxis=_axis(title={"text": "◀ lowers the risk · raises the risk ▶"}, zeroline=False,
                    range=[low - (pad if low < 0 else 0), high + (pad if high > 0 else 0)]),
        yaxis={"automargin": True})
    return go.Figure(data=[bar], layout=layout)


def factors_caption(factors: list[dict]) -> str:
    up = [f["label"] for f in factors if f["contribution"] > 0]
    down = [f["label"] for f in factors if f["contribution"] < 0]
    return ("Chart: the factors that weigh most in this client's score, as bars. "
            f"Raising the risk (▲, to the right, orange): {', '.join(up) or 'none'}. "
            f"Lowering the risk (▼, to the left, blue): {', '.join(down) or 'none'}.")


# ---- global importance ----

def importance_chart(rows: list[dict], value_key: str, label_key: str) -> go.Figure:
    ordered = sorted(rows, key=lambda r: r[value_key])
    labels = [wrap(r[label_key]) for r in ordered]
    lines = max([label.count("<br>") + 1 for label in labels] or [1])
    bar = go.Bar(
        x=[r[value_key] for r in ordered], y=labels, orientation="h", marker_color=BLUE,
        text=[f"{r[value_key]:.3f}" for r in ordered], textposition="outside",
        cliponaxis=False, textfont={"size": 14, "color": INK},
        hovertemplate="%{y}: %{x:.3f}<extra></extra>")
    layout = _layout(
        110 + (18 * lines + 14) * max(len(ordered), 1),
        xaxis=_axis(title={"text": "average effect on the risk (mean |SHAP|, log-odds)"}),
        yaxis={"automargin": True})
    return go.Figure(data=[bar], layout=layout)


def importance_caption(rows: list[dict], label_key: str) -> str:
    names = [r[label_key] for r in rows[:5]]
    return ("Chart: the features that weigh most on the model's scores across all clients, "
            f"largest first: {', '.join(names)}.")


# ---- comparison ----

GROUP_STYLES = {"all clients": (BLUE, ""), "similar clients": (ORANGE, "/"),
                "clients who had difficulties": (VERMILLION, "x"),
                "clients who repaid": (SKY, ".")}


def population_chart(edges: list[float], groups: dict[str, list[float]],
                     client_value: float | None, client_text: str, axis_title: str) -> go.Figure:
    """Each group's distribution over shared bins, with the client's value marked.

    The bins are quantiles of all clients, so they have unequal widths: the bar height is
    the group's share in the bin divided by its width (a density), which keeps the shapes
    honest; the hover gives the share itself.
    """
    lows, highs = edges[:-1], edges[1:]
    widths = [max(b - a, 1e-12) for a, b in zip(lows, highs, strict=True)]
    centres = [(a + b) / 2 for a, b in zip(lows, highs, strict=True)]
    ranges = [f"{format_value(a)} to {format_value(b)}" for a, b in zip(lows, highs, strict=True)]
    bars = []
    for name, shares in groups.items():
        if len(shares) != len(widths):
            continue
        colour, shape = GROUP_STYLES.get(name, (GREY, "-"))
        bars.append(go.Bar(
            x=centres, y=[s / w for s, w in zip(shares, widths, strict=True)], width=widths,
            name=name, opacity=0.6, customdata=[list(c) for c in zip(shares, ranges,
                                                                     strict=True)],
            marker={"color": colour, "pattern": {"shape": shape},
                    "line": {"color": colour, "width": 1}},
            hovertemplate=f"{name}: %{{customdata[0]:.1%}} between "
                          "%{customdata[1]}<extra></extra>"))
    shapes, annotations = [], []
    if client_value is not None and math.isfinite(client_value):
        shapes.append(_vline(client_value))
        annotations.append(_text(client_value, 1.0, f"▼ This client: {client_text}",
                                 yanchor="bottom", bgcolor="white"))
    layout = _layout(
        400, shapes=shapes, annotations=annotations, showlegend=True, barmode="overlay",
        legend={"orientation": "h", "y": -0.3},
        xaxis=_axis(title={"text": axis_title}),
        yaxis=_axis(title={"text": "how common (higher = more clients)"},
                    showticklabels=False, automargin=True))
    return go.Figure(data=bars, layout=layout)


def population_caption(label: str, client_text: str, population: dict) -> str:
    def shown(value: float) -> str:
        return (f"{value:.1f} years" if population.get("unit") == "years"
                else format_value(value))

    parts = [f"Chart: how '{label}' is spread among all clients (blue, plain) and among "
             f"the clients most like this one (orange, hatched); this client: {client_text}."]
    if population.get("client_percentile") is not None:
        parts.append(f"About {population['client_percentile']:.0f} % of clients have a lower "
                     "value.")
    if population.get("all_median") is not None:
        parts.append(f"Median of all clients: {shown(population['all_median'])}.")
    if population.get("similar_median") is not None:
        parts.append(f"Median of similar clients: {shown(population['similar_median'])}.")
    return " ".join(parts)
