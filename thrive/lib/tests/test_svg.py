import datetime
import xml.etree.ElementTree as ET

from django.utils.safestring import SafeString

from thrive.lib.svg import bar_chart, line_chart, step_chart

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(markup):
    return ET.fromstring(str(markup))  # noqa: S314 (our own output, parsed to check it)


def day(month):
    return datetime.date(2026, month, 1)


def test_a_line_chart_is_an_image_with_a_title_and_a_description():
    svg = line_chart([(day(1), 2), (day(3), 4)], title="Housing over time")
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 640 220"
    assert root.find("svg:title", NS).text == "Housing over time"
    assert root.find("svg:desc", NS).text


def test_a_title_with_markup_stays_inert_text():
    hostile = '<script>alert("x")</script>'
    for svg in (
        line_chart([(day(1), 2)], title=hostile, y_labels={2: hostile}),
        step_chart([(hostile, [(0, 1.0), (2, 0.5)])], title=hostile, x_label="m", y_label="s"),
        bar_chart([(hostile, 0.5, hostile)], title=hostile),
    ):
        assert "<script>" not in svg
        root = parse(svg)
        assert root.find("svg:title", NS).text == hostile
        assert not root.findall(".//svg:script", NS)


def test_a_missing_value_leaves_a_gap_in_the_line():
    points = [(day(1), 1), (day(2), 2), (day(3), None), (day(4), 3), (day(5), 4)]
    root = parse(line_chart(points, title="t"))
    lines = root.findall("svg:polyline", NS)
    assert [len(line.get("points").split()) for line in lines] == [2, 2]
    assert len(root.findall("svg:circle", NS)) == 4


def test_gridlines_are_labelled_in_words_when_labels_are_given():
    labels = {1: "In crisis", 2: "Vulnerable", 3: "Stable", 4: "Safe", 5: "Thriving"}
    root = parse(line_chart([(day(1), 3)], title="t", y_labels=labels))
    texts = [text.text for text in root.findall("svg:text", NS)]
    assert all(label in texts for label in labels.values())
    assert "Stable" in root.find("svg:desc", NS).text


def test_an_empty_line_chart_still_draws_its_axes():
    root = parse(line_chart([], title="Nothing yet", y_min=0, y_max=2))
    assert [text.text for text in root.findall("svg:text", NS)] == ["0", "1", "2"]


def test_step_chart_series_differ_by_dash_and_are_named_in_the_legend():
    series = [("Sex", [(0, 1.0), (3, 0.5)]), ("Labor", [(0, 1.0), (6, 0.25)])]
    root = parse(step_chart(series, title="KM", x_label="Months", y_label="Not yet"))
    paths = [p for p in root.findall("svg:path", NS) if p.get("fill") == "none"]
    assert len(paths) == 2
    assert paths[0].get("stroke-dasharray") != paths[1].get("stroke-dasharray")
    texts = [text.text for text in root.findall("svg:text", NS)]
    assert "Sex" in texts and "Labor" in texts
    assert "50%" in root.find("svg:desc", NS).text


def test_bar_chart_writes_each_value_and_draws_no_bar_for_a_missing_one():
    root = parse(bar_chart([("Housing", 0.5, "50%"), ("Safety", None, "—")], title="b"))
    texts = [text.text for text in root.findall("svg:text", NS)]
    assert "50%" in texts and "—" in texts
    assert len(root.findall("svg:rect", NS)) == 1
    assert root.find("svg:desc", NS).text == "Housing: 50%; Safety: —"
