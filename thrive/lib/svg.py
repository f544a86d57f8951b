"""Small server-side SVG charts: no JavaScript, no library, nothing fetched.

Every chart is an `<svg role="img">` whose `<title>` names it and whose `<desc>` says in words
what it shows, so a screen reader (or a printout in black and white) loses nothing; series are
told apart by dash pattern, marker shape and a written legend, never by colour alone. Lines
use `currentColor`, so the chart takes the page's text colour. Charts are sized by their
viewBox and scale to the width of their container.

Every piece of text passes through `escape`; the functions return a `SafeString` to put in a
template as it is. The data a caller passes is aggregate: these functions draw, they do not
decide what may be shown.
"""

import itertools

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

# Told apart without colour: each series gets a dash pattern and a marker shape.
DASHES = ("", "6 3", "2 3", "9 3 2 3", "12 4")
MARKERS = ("circle", "square", "triangle", "diamond", "cross")

_ids = itertools.count(1)

MARGIN_LEFT = 110
MARGIN_RIGHT = 16
MARGIN_TOP = 12
MARGIN_BOTTOM = 34
FONT = 'font-family="inherit" font-size="12"'


def _number(value):
    """Coordinates with at most one decimal, so the markup stays short."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(title, desc, width, height, body):
    uid = f"svg{next(_ids)}"
    return mark_safe(  # noqa: S308 - every piece of text in `body` went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{uid}-title {uid}-desc">'
        f'<title id="{uid}-title">{escape(title)}</title>'
        f'<desc id="{uid}-desc">{escape(desc)}</desc>'
        f"{''.join(body)}</svg>"
    )


def _text(x, y, content, *, anchor="start", extra=""):
    return (
        f'<text x="{_number(x)}" y="{_number(y)}" text-anchor="{anchor}" {FONT}{extra}>'
        f"{escape(content)}</text>"
    )


def _marker(shape, x, y, label, size=3.5):
    """A point marker with its own tooltip (`<title>`) giving the value in words."""
    x, y, s = _number(x), _number(y), size
    tip = f"<title>{escape(label)}</title>"
    if shape == "square":
        return (
            f'<rect x="{_number(float(x) - s)}" y="{_number(float(y) - s)}" '
            f'width="{_number(2 * s)}" height="{_number(2 * s)}" fill="currentColor">{tip}</rect>'
        )
    if shape in ("triangle", "diamond", "cross"):
        fx, fy = float(x), float(y)
        if shape == "triangle":
            pts = [(fx, fy - s - 1), (fx + s + 1, fy + s), (fx - s - 1, fy + s)]
        elif shape == "diamond":
            pts = [(fx, fy - s - 1), (fx + s + 1, fy), (fx, fy + s + 1), (fx - s - 1, fy)]
        else:
            return (
                f'<path d="M{_number(fx - s)} {_number(fy - s)}L{_number(fx + s)} '
                f"{_number(fy + s)}M{_number(fx - s)} {_number(fy + s)}L{_number(fx + s)} "
                f'{_number(fy - s)}" stroke="currentColor" stroke-width="2">{tip}</path>'
            )
        coords = " ".join(f"{_number(px)},{_number(py)}" for px, py in pts)
        return f'<polygon points="{coords}" fill="currentColor">{tip}</polygon>'
    return f'<circle cx="{x}" cy="{y}" r="{s}" fill="currentColor">{tip}</circle>'


def _format_value(value):
    return _number(value) if value is not None else "—"


def line_chart(points, *, title, y_min=1, y_max=5, y_labels=None, width=640, height=220):
    """One series over time: `points` is a list of `(datetime.date, value or None)`.

    A polyline with a dot per point (each dot's tooltip gives the date and value); x labels
    by date, placed by elapsed time; a gridline at each integer from `y_min` to `y_max`,
    labelled with `y_labels[i]` when given (`{int: str}`). A `None` value leaves a gap in the
    line and no dot.
    """
    y_labels = y_labels or {}
    points = sorted(points, key=lambda point: point[0])
    left, right = MARGIN_LEFT, width - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, height - MARGIN_BOTTOM
    span = max(y_max - y_min, 1)

    def ypos(value):
        return bottom - (min(max(value, y_min), y_max) - y_min) / span * (bottom - top)

    if points:
        first, last = points[0][0], points[-1][0]
        days = max((last - first).days, 1)

        def xpos(day):
            if first == last:
                return (left + right) / 2
            return left + (day - first).days / days * (right - left)

    body = []
    for level in range(int(y_min), int(y_max) + 1):
        y = ypos(level)
        body.append(
            f'<line x1="{left}" x2="{right}" y1="{_number(y)}" y2="{_number(y)}" '
            f'stroke="currentColor" stroke-opacity="0.2"/>'
        )
        label = y_labels.get(level, str(level))
        body.append(_text(left - 6, y + 4, label, anchor="end"))

    segments, current = [], []
    for day, value in points:
        if value is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append((xpos(day), ypos(value)))
    if current:
        segments.append(current)
    for segment in segments:
        if len(segment) > 1:
            coords = " ".join(f"{_number(x)},{_number(y)}" for x, y in segment)
            body.append(
                f'<polyline points="{coords}" fill="none" stroke="currentColor" stroke-width="2"/>'
            )
    for day, value in points:
        if value is not None:
            label = f"{date_format(day)}: {y_labels.get(value, _number(value))}"
            body.append(_marker("circle", xpos(day), ypos(value), label))

    for index in _label_indexes(len(points), max(2, (right - left) // 90)):
        day = points[index][0]
        # The last date ends at the right edge rather than running past it.
        anchor = "end" if index == len(points) - 1 and first != last else "middle"
        body.append(
            _text(xpos(day), bottom + 18, date_format(day, "SHORT_DATE_FORMAT"), anchor=anchor)
        )

    known = [(day, value) for day, value in points if value is not None]
    if known:
        desc = ", ".join(
            f"{date_format(day)}: {y_labels.get(value, _number(value))}" for day, value in known
        )
    else:
        desc = "—"
    return _svg(title, desc, width, height, body)


def _label_indexes(count, most):
    """Up to `most` evenly spread indexes out of `count`, always the first and the last."""
    if count <= most:
        return list(range(count))
    step = (count - 1) / (most - 1)
    return sorted({round(i * step) for i in range(most)})


def step_chart(
    series,
    *,
    title,
    x_label,
    y_label,
    x_max=None,
    y_max=1.0,
    percent=True,
    width=640,
    height=260,
):
    """Step functions on shared axes, such as Kaplan–Meier curves.

    `series` is a list of `(name, [(x, y), ...])`, each list sorted by x; the value holds
    from one x to the next. Every series has its own dash pattern and marker, named in the
    legend. `percent` writes the y axis (0 to `y_max`) as percentages.
    """
    legend_height = 18 * len(series)
    left, right = 56, width - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, height - MARGIN_BOTTOM - 14 - legend_height
    if x_max is None:
        x_max = max((x for _, steps in series for x, _ in steps), default=0) or 1

    def xpos(x):
        return left + min(x, x_max) / x_max * (right - left)

    def ypos(y):
        return bottom - y / y_max * (bottom - top)

    def y_text(y):
        return f"{round(y * 100)}%" if percent else _number(y)

    body = []
    for tick in range(5):
        y = y_max * tick / 4
        body.append(
            f'<line x1="{left}" x2="{right}" y1="{_number(ypos(y))}" y2="{_number(ypos(y))}" '
            f'stroke="currentColor" stroke-opacity="0.2"/>'
        )
        body.append(_text(left - 6, ypos(y) + 4, y_text(y), anchor="end"))
    for tick in _ticks(x_max):
        body.append(_text(xpos(tick), bottom + 16, _number(tick), anchor="middle"))
    body.append(_text((left + right) / 2, bottom + 30, x_label, anchor="middle"))
    body.append(
        _text(
            12,
            (top + bottom) / 2,
            y_label,
            anchor="middle",
            extra=f' transform="rotate(-90 12 {_number((top + bottom) / 2)})"',
        )
    )

    descs = []
    for index, (name, steps) in enumerate(series):
        dash, shape = DASHES[index % len(DASHES)], MARKERS[index % len(MARKERS)]
        path, previous_y = [], None
        for x, y in steps:
            if x > x_max:
                break
            if previous_y is None:
                path.append(f"M{_number(xpos(x))} {_number(ypos(y))}")
            else:
                path.append(f"H{_number(xpos(x))}V{_number(ypos(y))}")
            previous_y = y
        if previous_y is not None:
            path.append(f"H{_number(xpos(x_max))}")
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            body.append(
                f'<path d="{"".join(path)}" fill="none" stroke="currentColor" '
                f'stroke-width="2"{dash_attr}/>'
            )
            end_x, end_y = steps[-1] if steps[-1][0] <= x_max else (x_max, previous_y)
            body.append(
                _marker(shape, xpos(end_x), ypos(end_y), f"{name}: {y_text(end_y)}", size=3)
            )
        legend_y = height - legend_height + 18 * index + 4
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<line x1="{left}" x2="{left + 36}" y1="{legend_y}" y2="{legend_y}" '
            f'stroke="currentColor" stroke-width="2"{dash_attr}/>'
        )
        body.append(_marker(shape, left + 18, legend_y, name, size=3))
        body.append(_text(left + 44, legend_y + 4, name))
        if steps:
            descs.append(f"{name}: {y_text(steps[0][1])} to {y_text(steps[-1][1])}")
        else:
            descs.append(f"{name}: —")
    return _svg(title, "; ".join(descs) or "—", width, height, body)


def _ticks(x_max):
    """A handful of round tick values from 0 to `x_max`."""
    for step in (1, 2, 3, 6, 12, 24, 60, 120):
        if x_max / step <= 8:
            break
    count = int(x_max // step)
    return [step * i for i in range(count + 1)]


def bar_chart(bars, *, title, max_value=None, label_width=200, width=640, bar_height=22):
    """Horizontal bars: `bars` is a list of `(label, value or None, text)`.

    `text` is written at the end of each bar, so the figure is read, not estimated from
    the length; a `None` value draws no bar and only its text (say, "—" for a suppressed
    figure). Bars are measured against `max_value` (the largest value when not given).
    """
    values = [value for _, value, _ in bars if value is not None]
    if max_value is None:
        max_value = max(values, default=0) or 1
    gap = 6
    height = MARGIN_TOP + len(bars) * (bar_height + gap) + 8
    left, right = label_width, width - 70
    body, descs = [], []
    for index, (label, value, text) in enumerate(bars):
        y = MARGIN_TOP + index * (bar_height + gap)
        middle = y + bar_height / 2 + 4
        body.append(_text(left - 8, middle, label, anchor="end"))
        end = left
        if value is not None:
            length = max(min(value, max_value), 0) / max_value * (right - left)
            end = left + length
            body.append(
                f'<rect x="{left}" y="{y}" width="{_number(length)}" height="{bar_height}" '
                f'fill="currentColor" fill-opacity="0.35" stroke="currentColor">'
                f"<title>{escape(label)}: {escape(text)}</title></rect>"
            )
        body.append(_text(end + 6, middle, text))
        descs.append(f"{label}: {text}")
    body.append(
        f'<line x1="{left}" x2="{left}" y1="{MARGIN_TOP - 4}" y2="{height - 6}" '
        f'stroke="currentColor"/>'
    )
    return _svg(title, "; ".join(descs) or "—", width, height, body)
