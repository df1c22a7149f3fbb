"""Small wording helpers shared by the engine's sentences and the presenters."""

from __future__ import annotations


def in_sentence(label: str) -> str:
    """A label as it reads mid-sentence: first letter lowered unless the word is an
    acronym ("Muscle twitching" -> "muscle twitching", "COPD inhaler" stays)."""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return label
    return label[:1].lower() + label[1:]
