"""A colour curriculum: the position questions about one colour, then two, ... then all six;
then every non-relational question (shape too) about all six.

Why: in random Sort-of-CLEVR scenes every question type has an answer that ignores the colour
asked about (the side most objects are on, the commoner shape, the size of the larger shape
group). Networks learn those first, and while they do the image encoder loses the objects'
colours (docs/demos/vqa.md measures it), after which nothing rewards picking out the object the
question names. On left / right and top / bottom questions about a single colour the Relation
Network finds that colour's object within a few hundred steps; adding the colours one at a time
keeps the colours in the encoder and extends the same binding to each. Shape questions join only
once the binding holds for every colour: in the stages before, the commoner shape's guess
competes with it (docs/demos/vqa.md). The paper trains on the whole task from the start; this is
a change to the order of the training questions only, not to the network or the data it is
tested on (curriculum learning, Bengio et al. 2009).
"""

from __future__ import annotations

import numpy as np

from showcase.vqa.sort_of_clevr import COLOUR_NAMES, NON_RELATIONAL, QUESTION_TYPES, QuestionSet

# Position questions: the only kinds whose colour-blind guess (the side most objects are on) is
# weak enough that answering well needs the named object.
CURRICULUM_KINDS = ("horizontal", "vertical")


def stage_questions(
    data: QuestionSet, colours: int, kinds: tuple[str, ...] = CURRICULUM_KINDS
) -> QuestionSet:
    """The questions of ``data`` of ``kinds`` about the first ``colours`` colours of the palette
    (every scene shows all six, so the others are still in the pictures)."""
    if not 1 <= colours <= len(COLOUR_NAMES):
        raise ValueError(f"a stage asks about 1 to {len(COLOUR_NAMES)} colours, not {colours}")
    asked_colour = np.argmax(data.questions[:, : len(COLOUR_NAMES)], axis=1)
    asked_kinds = np.asarray(QUESTION_TYPES)[data.kinds]
    return data.subset((asked_colour < colours) & np.isin(asked_kinds, kinds))


def stages(data: QuestionSet) -> list[tuple[int, tuple[str, ...], QuestionSet]]:
    """``(colours, kinds, questions)`` for each stage: the position questions about one colour,
    then two, ... up to all six; then every non-relational question about all six."""
    every = len(COLOUR_NAMES)
    plan = [(colours, CURRICULUM_KINDS) for colours in range(1, every + 1)]
    plan.append((every, NON_RELATIONAL))
    return [(colours, kinds, stage_questions(data, colours, kinds)) for colours, kinds in plan]
