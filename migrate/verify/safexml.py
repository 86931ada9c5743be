"""Parsing untrusted legacy XML replies: no DTD, no entity expansion, no network, bounded size and depth.

A reply that declares a DTD is refused before parsing (Zoho's XML API never sent one; a DTD in a reply is an
entity-expansion ("billion laughs") or external-entity (XXE) attack, or a broken proxy). The parser is also
configured so that nothing would be expanded or fetched even if the check were bypassed.
"""

from __future__ import annotations

import re

from lxml import etree

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class XMLRefused(ValueError):
    """The reply is not XML we are willing to read; the message says why, in one line."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(body: bytes, *, max_bytes: int, max_depth: int) -> etree._Element:
    """The root element of `body`; raises XMLRefused for DTDs, entities, oversize, depth or bad syntax."""
    if len(body) > max_bytes:
        raise XMLRefused(f"XML reply of {len(body)} bytes exceeds the limit of {max_bytes}")
    found = _DECLARATION.search(body)
    if found:
        kind = found.group(1).decode().upper()
        raise XMLRefused(f"XML reply declares a {kind} (refused: entity expansion / external entity attack; "
                         "nothing was expanded or fetched)")
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as error:
        if "amplification" in str(error.msg) or "entity reference loop" in str(error.msg):
            raise XMLRefused("XML reply uses entities (refused: entity expansion attack; nothing was "
                             "expanded)") from None
        where = "" if "line" in str(error.msg) else f" (line {error.lineno})"
        raise XMLRefused(f"legacy reply is not well-formed XML: {error.msg}{where}") from None
    if root is None:
        raise XMLRefused("legacy reply is empty")
    if root.getroottree().docinfo.internalDTD is not None:
        raise XMLRefused("XML reply declares a DTD (refused)")
    for element in root.iter():
        if isinstance(element, etree._Entity):
            raise XMLRefused("XML reply references an entity (refused; nothing was expanded)")
    _check_depth(root, max_depth)
    return root


def _check_depth(root: etree._Element, max_depth: int) -> None:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > max_depth:
            raise XMLRefused(f"XML reply nests deeper than {max_depth} elements")
        stack.extend((child, depth + 1) for child in element)
