"""Read an HTML report back: balanced tags, every URL-bearing attribute, section headings and section text."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
URL_ATTRIBUTES = {"src", "href", "srcset", "action", "formaction", "poster", "data", "background", "xlink:href"}


@dataclass
class Page:
    problems: list[str] = field(default_factory=list)
    urls: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, value)
    headings: dict[str, str] = field(default_factory=dict)  # section id → its h2 text
    text: dict[str, str] = field(default_factory=dict)  # section id → its visible text
    ids: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)
    styles: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[str] = []
        self.section: str | None = None
        self.in_h2 = False
        self.in_style = False

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags.add(tag)
        for name, value in attrs:
            if name in URL_ATTRIBUTES:
                self.page.urls.append((tag, name, value or ""))
            if name == "id" and value:
                if value in self.page.ids:
                    self.page.problems.append(f"duplicate id {value!r}")
                self.page.ids.add(value)
            if name == "style" and value:
                self.page.styles.append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)
        if tag == "section":
            self.section = dict(attrs).get("id") or "?"
            self.page.text[self.section] = ""
        if tag == "h2":
            self.in_h2 = True
        if tag == "style":
            self.in_style = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.page.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            return
        self.stack.pop()
        if tag == "section":
            self.section = None
        if tag == "h2":
            self.in_h2 = False
        if tag == "style":
            self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style:
            self.page.styles.append(data)
            return
        if self.section is None:
            return
        self.page.text[self.section] += data + " "
        if self.in_h2:
            self.page.headings[self.section] = self.page.headings.get(self.section, "") + data


def read_page(text: str) -> Page:
    reader = _Reader()
    reader.feed(text)
    reader.close()
    if reader.stack:
        reader.page.problems.append(f"unclosed: {reader.stack}")
    return reader.page
