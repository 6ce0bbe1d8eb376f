"""Synthetic scenes of coloured shapes, with exact ground truth and captions that are true of them.

Why synthetic: a caption generated for one of these scenes can be *checked* against the scene that
produced it (:func:`grounded`), so the captioning demo can report "how many generated captions are
true" instead of only n-gram overlap with references. A later relational-reasoning / VQA demo
(Sort-of-CLEVR style) builds on the same generator, so nothing here is captioning-specific except
the caption grammar.

Scenes
    1 to 4 objects (configurable) on a plain ``canvas`` x ``canvas`` image (default 64). Each object
    has a shape (:data:`SHAPES`), a colour (:data:`COLOURS`) and a size (:data:`SIZES`); colours are
    unique within a scene, so every object has a unique name and "the red object" is never
    ambiguous. Objects are placed by rejection sampling so their bounding boxes stay at least
    ``spacing`` pixels apart and inside the canvas. ``make_scene(seed)`` draws everything from
    ``numpy.random.default_rng(seed)``: the same seed gives the same objects and the same pixels.

Coordinates
    ``x``, ``y`` are the pixel column and row of an object's centre; ``y`` grows downwards, so
    "above" means a smaller ``y``. ``radius`` is half the object's extent: every shape lies inside
    the square of pixels ``[x - radius, x + radius] x [y - radius, y + radius]``.

Relations and locations (defined once, in :func:`relation_holds` and :func:`location_of`)
    ``A left of B``  when ``B.x - A.x > RELATION_THRESHOLD * canvas``; ``right of`` mirrors it.
    ``A above B``    when ``B.y - A.y > RELATION_THRESHOLD * canvas``; ``below`` mirrors it.
    Locations split the canvas into thirds each way: "in the top left", "at the top",
    "in the top right", "on the left", "in the centre", "on the right", "in the bottom left",
    "at the bottom", "in the bottom right". Placement guarantees at least one relation holds
    between every pair of objects.

Caption grammar (lowercase words from :data:`VOCABULARY`, no punctuation)::

    caption  := clause ( "and" clause )*
    clause   := object [ location ]  |  object relation object
    object   := ( "a" | "the" ) size colour shape
    relation := "left of" | "right of" | "above" | "below"
    location := one of the nine phrases above

For example "a small red circle left of a large blue square and a large green triangle right of
the large blue square". :meth:`Scene.captions` writes two references for a one-object scene and
three or four for larger ones, mentioning every object; :func:`grounded` accepts any caption in the
grammar that is true of the scene, not only the references.

Seeds
    Training draws scenes from :data:`TRAIN_SEEDS` (0 .. 999,999), model selection from
    :data:`VALIDATION_SEEDS` (1,000,000 .. 1,009,999) and held-out evaluation from
    :data:`HELD_OUT_SEEDS` (10,000,000 .. 10,009,999). The ranges are disjoint, but disjoint seeds
    do not guarantee unseen scenes: a 64-pixel canvas has only about 107,000 distinct one-object
    scenes, and the quarter of TRAIN_SEEDS that draw one object cover about 90% of them. Report
    held-out results by object count; scenes with two or more objects are, in practice, all new.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

import numpy as np
from PIL import Image, ImageDraw

from showcase.errors import InputError

SHAPES = ("circle", "square", "triangle", "diamond")
COLOURS = {
    "red": (220, 40, 40),
    "green": (40, 160, 60),
    "blue": (40, 90, 220),
    "yellow": (235, 200, 30),
    "purple": (140, 60, 190),
    "orange": (245, 135, 20),
}
SIZES = ("small", "large")
# Half an object's extent as a share of the canvas side: 5 and 10 pixels on a 64-pixel canvas,
# a factor of two apart so "small" and "large" are never a judgement call.
SIZE_RADIUS = {"small": 0.08, "large": 0.15}
BACKGROUND = (255, 255, 255)

RELATIONS = ("left of", "right of", "above", "below")
# Centres closer than this share of the canvas (6.4 pixels at 64) are neither left/right nor
# above/below of each other: near-ties would make a "true" caption depend on a single pixel.
RELATION_THRESHOLD = 0.1
# Third of the canvas (row, column) -> phrase. Row 0 is the top, column 0 the left.
LOCATIONS = {
    (0, 0): "in the top left",
    (0, 1): "at the top",
    (0, 2): "in the top right",
    (1, 0): "on the left",
    (1, 1): "in the centre",
    (1, 2): "on the right",
    (2, 0): "in the bottom left",
    (2, 1): "at the bottom",
    (2, 2): "in the bottom right",
}
DETERMINERS = ("a", "the")
CONJUNCTION = "and"

VOCABULARY = tuple(
    dict.fromkeys(
        [
            *DETERMINERS,
            CONJUNCTION,
            *SIZES,
            *COLOURS,
            *SHAPES,
            *(word for relation in RELATIONS for word in relation.split()),
            *(word for phrase in LOCATIONS.values() for word in phrase.split()),
        ]
    )
)

TRAIN_SEEDS = range(0, 1_000_000)
VALIDATION_SEEDS = range(1_000_000, 1_010_000)
HELD_OUT_SEED_START = 10_000_000
HELD_OUT_SEEDS = range(HELD_OUT_SEED_START, HELD_OUT_SEED_START + 10_000)

MIN_CANVAS, MAX_CANVAS = 32, 1024
# Object sizes scale with the canvas, so how many fit does not depend on it: a random layout of
# four large objects succeeds at least a quarter of the time (canvases 32-256), while five or six
# large ones often cannot be placed at all.
MAX_OBJECTS = 4
# Supersampling factor for anti-aliased rendering.
_SUPERSAMPLE = 4
# Rejection sampling budget; a 64-pixel canvas with four large objects needs a few restarts at most.
_TRIES_PER_OBJECT = 200
_LAYOUT_TRIES = 200


@dataclasses.dataclass(frozen=True)
class SceneObject:
    """One shape: what it is, and where (centre pixel ``x``, ``y``; half-extent ``radius``)."""

    shape: str
    colour: str
    size: str
    x: int
    y: int
    radius: int

    @property
    def description(self) -> str:
        """``"small red circle"``: the object's name in captions (without a determiner)."""
        return f"{self.size} {self.colour} {self.shape}"

    @property
    def rgb(self) -> tuple[int, int, int]:
        return COLOURS[self.colour]

    @property
    def box(self) -> tuple[int, int, int, int]:
        """Inclusive pixel bounds ``(left, top, right, bottom)`` that contain the whole shape."""
        return (
            self.x - self.radius,
            self.y - self.radius,
            self.x + self.radius,
            self.y + self.radius,
        )


@dataclasses.dataclass
class Scene:
    """Objects on a plain square canvas, as drawn by :func:`make_scene` from ``seed``."""

    seed: int
    canvas: int
    objects: list[SceneObject]

    def render(self, antialias: bool = False) -> Image.Image:
        """Draw the scene as an RGB image of ``canvas`` x ``canvas`` pixels.

        Without anti-aliasing every pixel is either the background or exactly an object's colour,
        which keeps ground truth checkable pixel by pixel; with it, edges are blended but the
        interior of each shape keeps its exact colour.
        """
        scale = _SUPERSAMPLE if antialias else 1
        image = Image.new("RGB", (self.canvas * scale, self.canvas * scale), BACKGROUND)
        draw = ImageDraw.Draw(image)
        for obj in self.objects:
            _draw_object(draw, obj, scale)
        if scale > 1:
            image = image.resize((self.canvas, self.canvas), Image.Resampling.BOX)
        return image

    def captions(self) -> list[str]:
        """Reference captions, all true of this scene and all mentioning every object.

        One object: its name, then its name with its location. Two or more: objects are ordered
        left to right and paired up; the captions state each pair's horizontal relation from
        either side, the vertical relation where it differs, and every object's location.
        """
        ordered = sorted(self.objects, key=lambda obj: (obj.x, obj.y))
        if len(ordered) == 1:
            only = ordered[0]
            return [f"a {only.description}", f"a {only.description} {self.location_of(only)}"]
        pairs = _pair_up(len(ordered))
        horizontal_first = ("left of", "right of", "above", "below")
        vertical_first = ("above", "below", "left of", "right of")
        candidates = [
            self._relation_caption(ordered, pairs, horizontal_first),
            self._relation_caption(ordered, [(b, a) for a, b in pairs], horizontal_first),
            self._relation_caption(ordered, pairs, vertical_first),
            f" {CONJUNCTION} ".join(
                f"a {obj.description} {self.location_of(obj)}" for obj in ordered
            ),
        ]
        return list(dict.fromkeys(candidates))

    def location_of(self, obj: SceneObject) -> str:
        return location_of(obj, self.canvas)

    def _relation_caption(
        self, ordered: list[SceneObject], pairs: list[tuple[int, int]], preference: tuple[str, ...]
    ) -> str:
        mentioned: set[int] = set()
        clauses = []
        for subject, other in pairs:
            relation = next(
                r
                for r in preference
                if relation_holds(r, ordered[subject], ordered[other], self.canvas)
            )
            words = []
            for index in (subject, other):
                determiner = "the" if index in mentioned else "a"
                mentioned.add(index)
                words.append(f"{determiner} {ordered[index].description}")
            clauses.append(f"{words[0]} {relation} {words[1]}")
        return f" {CONJUNCTION} ".join(clauses)


def _pair_up(count: int) -> list[tuple[int, int]]:
    """Index pairs (0, 1), (2, 3), ... that mention every object; an odd last one joins its
    predecessor, which captions then call "the ..." since it was already introduced."""
    pairs = [(i, i + 1) for i in range(0, count - 1, 2)]
    if count % 2:
        pairs.append((count - 1, count - 2))
    return pairs


def relation_holds(relation: str, subject: SceneObject, other: SceneObject, canvas: int) -> bool:
    """Whether "``subject`` ``relation`` ``other``" is true (see the module docstring)."""
    threshold = RELATION_THRESHOLD * canvas
    if relation == "left of":
        return other.x - subject.x > threshold
    if relation == "right of":
        return subject.x - other.x > threshold
    if relation == "above":
        return other.y - subject.y > threshold
    if relation == "below":
        return subject.y - other.y > threshold
    raise ValueError(f"unknown relation {relation!r}; expected one of {RELATIONS}")


def location_cell(obj: SceneObject, canvas: int) -> tuple[int, int]:
    """``(row, column)`` of the third of the canvas that holds the object's centre."""
    return min(2, 3 * obj.y // canvas), min(2, 3 * obj.x // canvas)


def location_of(obj: SceneObject, canvas: int) -> str:
    return LOCATIONS[location_cell(obj, canvas)]


def _radius(size: str, canvas: int) -> int:
    return max(2, round(SIZE_RADIUS[size] * canvas))


def _spacing(canvas: int) -> int:
    """Minimum empty pixels between two objects' bounding boxes."""
    return max(2, round(0.04 * canvas))


def _apart(a: tuple[int, int, int], b: tuple[int, int, int], canvas: int) -> bool:
    (ax, ay, ar), (bx, by, br) = a, b
    gap = ar + br + 1 + _spacing(canvas)
    separated = abs(ax - bx) >= gap or abs(ay - by) >= gap
    # Also demand a relation between every pair, so relation captions always exist.
    related = max(abs(ax - bx), abs(ay - by)) > RELATION_THRESHOLD * canvas
    return separated and related


def _place(rng: np.random.Generator, radii: list[int], canvas: int) -> list[tuple[int, int]] | None:
    placed: list[tuple[int, int, int]] = []
    for radius in radii:
        # Centres keep a one-pixel border so no shape touches the canvas edge.
        low, high = radius + 1, canvas - 1 - radius
        for _ in range(_TRIES_PER_OBJECT):
            x, y = (int(value) for value in rng.integers(low, high, size=2))
            if all(_apart((x, y, radius), other, canvas) for other in placed):
                placed.append((x, y, radius))
                break
        else:
            return None
    return [(x, y) for x, y, _ in placed]


def _check_int(name: str, value, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputError(f"{name} must be a whole number, not {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"at least {low}" if high is None else f"between {low} and {high}"
        raise InputError(f"{name} must be {bounds}, not {value}")
    return int(value)


def make_scene(seed: int, canvas: int = 64, min_objects: int = 1, max_objects: int = 4) -> Scene:
    """Draw a scene from ``seed``: same arguments, same objects and same pixels."""
    seed = _check_int("seed", seed, 0)
    canvas = _check_int("canvas", canvas, MIN_CANVAS, MAX_CANVAS)
    max_objects = _check_int("max_objects", max_objects, 1, MAX_OBJECTS)
    min_objects = _check_int("min_objects", min_objects, 1, max_objects)

    rng = np.random.default_rng(seed)
    count = int(rng.integers(min_objects, max_objects + 1))
    colours = [list(COLOURS)[i] for i in rng.choice(len(COLOURS), size=count, replace=False)]
    shapes = [SHAPES[i] for i in rng.integers(len(SHAPES), size=count)]
    sizes = [SIZES[i] for i in rng.integers(len(SIZES), size=count)]
    # Large objects first: they are the hard ones to fit, so fewer layouts are thrown away.
    order = sorted(range(count), key=lambda i: -_radius(sizes[i], canvas))
    radii = [_radius(sizes[i], canvas) for i in order]
    for _ in range(_LAYOUT_TRIES):
        centres = _place(rng, radii, canvas)
        if centres is not None:
            break
    else:
        # Not seen with up to MAX_OBJECTS objects; kept so a future larger limit fails loudly.
        raise InputError(f"could not lay out {count} objects for seed {seed}; use fewer objects")
    objects = [
        SceneObject(shapes[i], colours[i], sizes[i], x, y, radius)
        for i, (x, y), radius in zip(order, centres, radii, strict=True)
    ]
    return Scene(seed=seed, canvas=canvas, objects=objects)


def make_scenes(seeds: Iterable[int], **options) -> list[Scene]:
    """:func:`make_scene` for each seed; ``options`` (canvas, min/max_objects) apply to all."""
    return [make_scene(seed, **options) for seed in seeds]


def _draw_object(draw: ImageDraw.ImageDraw, obj: SceneObject, scale: int) -> None:
    # In supersampled coordinates the shape covers exactly the pixels its box covers at scale 1.
    cx, cy = (obj.x + 0.5) * scale - 0.5, (obj.y + 0.5) * scale - 0.5
    half = (obj.radius + 0.5) * scale - 0.5
    left, top, right, bottom = cx - half, cy - half, cx + half, cy + half
    if obj.shape == "circle":
        draw.ellipse((left, top, right, bottom), fill=obj.rgb)
    elif obj.shape == "square":
        draw.rectangle((left, top, right, bottom), fill=obj.rgb)
    elif obj.shape == "triangle":
        draw.polygon([(cx, top), (right, bottom), (left, bottom)], fill=obj.rgb)
    elif obj.shape == "diamond":
        draw.polygon([(cx, top), (right, cy), (cx, bottom), (left, cy)], fill=obj.rgb)
    else:
        raise ValueError(f"unknown shape {obj.shape!r}")


# --- Reading captions back --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ObjectPhrase:
    """``size colour shape`` as written in a caption."""

    size: str
    colour: str
    shape: str

    def matches(self, obj: SceneObject) -> bool:
        return (obj.size, obj.colour, obj.shape) == (self.size, self.colour, self.shape)


@dataclasses.dataclass(frozen=True)
class Clause:
    """One ``and``-separated part of a caption: an object, maybe placed or related to another."""

    subject: ObjectPhrase
    location: tuple[int, int] | None = None
    relation: str | None = None
    other: ObjectPhrase | None = None


_LOCATION_WORDS = {tuple(phrase.split()): cell for cell, phrase in LOCATIONS.items()}
_RELATION_WORDS = {tuple(relation.split()): relation for relation in RELATIONS}


def _parse_object(words: list[str]) -> ObjectPhrase | None:
    if len(words) != 4:
        return None
    determiner, size, colour, shape = words
    if determiner in DETERMINERS and size in SIZES and colour in COLOURS and shape in SHAPES:
        return ObjectPhrase(size, colour, shape)
    return None


def _parse_clause(words: list[str]) -> Clause | None:
    subject = _parse_object(words[:4])
    if subject is None:
        return None
    rest = tuple(words[4:])
    if not rest:
        return Clause(subject)
    if rest in _LOCATION_WORDS:
        return Clause(subject, location=_LOCATION_WORDS[rest])
    for relation_words, relation in _RELATION_WORDS.items():
        if rest[: len(relation_words)] == relation_words:
            other = _parse_object(list(rest[len(relation_words) :]))
            return None if other is None else Clause(subject, relation=relation, other=other)
    return None


def parse_caption(caption: str) -> list[Clause] | None:
    """The clauses of a caption in the grammar above, or None when it is not in the grammar.

    Case, punctuation and spacing are ignored, so a model's "A small red circle." still parses.
    """
    words = re.findall(r"[a-z]+", caption.lower())
    clauses: list[Clause] = []
    current: list[str] = []
    for word in [*words, CONJUNCTION]:
        if word != CONJUNCTION:
            current.append(word)
            continue
        clause = _parse_clause(current)
        if clause is None:
            return None
        clauses.append(clause)
        current = []
    return clauses


def grounded(caption: str, scene: Scene) -> bool:
    """True when ``caption`` is in the grammar and true of ``scene``.

    Every object phrase must name an object in the scene (size, colour and shape all right), every
    location must be that object's location, and every relation must hold between two distinct
    objects that the phrases it connects name.
    """
    clauses = parse_caption(caption)
    if not clauses:
        return False
    for clause in clauses:
        subjects = [obj for obj in scene.objects if clause.subject.matches(obj)]
        if not subjects:
            return False
        if clause.location is not None and not any(
            location_cell(obj, scene.canvas) == clause.location for obj in subjects
        ):
            return False
        if clause.relation is not None:
            others = [obj for obj in scene.objects if clause.other.matches(obj)]
            if not any(
                subject is not other
                and relation_holds(clause.relation, subject, other, scene.canvas)
                for subject in subjects
                for other in others
            ):
                return False
    return True
