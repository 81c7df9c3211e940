"""A report written once and rendered twice: Markdown (report.md) and HTML (report.html).

The analysis reports (sensitivity, discovery, robustness) are built as a :class:`Doc` of
headings, paragraphs, bullet lists, tables and figures; :meth:`Doc.markdown` and
:meth:`Doc.html` render the same content, with the comparison report's table style.
"""

from __future__ import annotations

import html
from pathlib import Path

from .compare import REPORT_STYLE, _html_table, _md_table, html_inline


class Doc:
    def __init__(self, title: str) -> None:
        self.title = title
        self._md: list[str] = [f"# {title}", ""]
        self._html: list[str] = [f"<h1>{html.escape(title)}</h1>"]

    def heading(self, text: str, level: int = 2) -> None:
        self._md += ["#" * level + " " + text, ""]
        self._html.append(f"<h{level}>{html_inline(text)}</h{level}>")

    def paragraph(self, text: str) -> None:
        self._md += [text, ""]
        self._html.append(f"<p>{html_inline(text)}</p>")

    def bullets(self, items: list[str]) -> None:
        self._md += [f"- {item}" for item in items] + [""]
        self._html.append("<ul>" + "".join(f"<li>{html_inline(item)}</li>" for item in items) + "</ul>")

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        self._md += [_md_table(header, rows), ""]
        self._html.append(_html_table(header, rows))

    def figure(self, stem: str, caption: str) -> None:
        """A chart written as ``stem.png`` and ``stem.svg`` next to the report."""
        self._md += [f"![{stem}]({stem}.png)", "", f"*{caption}* ([SVG]({stem}.svg))", ""]
        self._html.append(f"<figure><img src='{html.escape(stem)}.svg' alt='{html.escape(stem)}'>"
                          f"<figcaption>{html_inline(caption)} (<a href='{html.escape(stem)}.png'>PNG</a>)"
                          "</figcaption></figure>")

    def markdown(self) -> str:
        return "\n".join(self._md)

    def html(self) -> str:
        return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(self.title)}"
                f"</title><style>{REPORT_STYLE}</style></head><body>\n" + "\n".join(self._html) + "\n</body></html>")

    def write(self, folder: Path) -> list[Path]:
        paths = [folder / "report.md", folder / "report.html"]
        paths[0].write_text(self.markdown(), encoding="utf-8")
        paths[1].write_text(self.html(), encoding="utf-8")
        return paths
