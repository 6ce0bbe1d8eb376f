"""The paintings the shipped fast styles were trained on: title, painter and year for the UI.

Only the names and facts live here; the pictures themselves are not part of the package (they
are read from the training data when a style is trained).
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Painting:
    name: str  # the checkpoint's name
    title: str
    painter: str
    year: str

    @property
    def label(self) -> str:
        return f"{self.title} — {self.painter}, {self.year}"


PAINTINGS = {
    painting.name: painting
    for painting in [
        Painting("starry_night", "The Starry Night", "Vincent van Gogh", "1889"),
        Painting("wave", "The Great Wave off Kanagawa", "Katsushika Hokusai", "c. 1831"),
        Painting("the_scream", "The Scream", "Edvard Munch", "1893"),
        Painting("composition_vii", "Composition VII", "Wassily Kandinsky", "1913"),
        Painting("shipwreck", "The Shipwreck", "J. M. W. Turner", "1805"),
    ]
}


def label_for(name: str) -> str:
    """The dropdown label of a style: the painting's facts, or the name of a user's own style."""
    painting = PAINTINGS.get(name)
    return painting.label if painting else f"{name} (your own style)"
