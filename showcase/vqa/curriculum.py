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

Distance stages (``distance=True``): then the closest and furthest questions about one colour,
then two, ... then all six, each asked of every training scene (not only the questions drawn for
it). Why: trained on the whole task, the network answers those two by the commoner shape among the
other five objects, which is right about 68% of the time and follows from what the count
questions already need; it then stays there (docs/demos/vqa.md measures it). Asked about one
colour alone, at the curriculum's step size, the same network learns to compare distances within
1,500 steps. Every scene is asked because the drawn questions hold only about 5,400 closest
questions per colour.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from showcase.vqa.sort_of_clevr import (
    ANSWERS,
    COLOUR_NAMES,
    NON_RELATIONAL,
    QUESTION_TYPES,
    Question,
    QuestionSet,
    make_scene,
)

# Position questions: the only kinds whose colour-blind guess (the side most objects are on) is
# weak enough that answering well needs the named object.
CURRICULUM_KINDS = ("horizontal", "vertical")
# The questions only a comparison of distances answers well.
DISTANCE_KINDS = ("closest", "furthest")


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


def asked_of_every_scene(data: QuestionSet, kinds: tuple[str, ...]) -> QuestionSet:
    """Each question of ``kinds`` about every colour, asked of every scene of ``data`` (the same
    images; answers from the scenes themselves). :func:`stage_questions` picks a stage's colours."""
    asked = [Question(kind, colour) for colour in COLOUR_NAMES for kind in kinds]
    scenes_drawn = (make_scene(int(seed)) for seed in data.seeds)
    answers = [
        ANSWERS.index(scene.answer(question)) for scene in scenes_drawn for question in asked
    ]
    scenes = len(data.seeds)
    return dataclasses.replace(
        data,
        image_index=np.repeat(np.arange(scenes, dtype="int32"), len(asked)),
        questions=np.tile(np.stack([question.encode() for question in asked]), (scenes, 1)),
        texts=[question.english(position) for position in range(scenes) for question in asked],
        kinds=np.tile(np.asarray([QUESTION_TYPES.index(q.kind) for q in asked], "int32"), scenes),
        answers=np.asarray(answers, dtype="int32"),
    )


def stages(
    data: QuestionSet, distance: bool = False
) -> list[tuple[int, tuple[str, ...], QuestionSet]]:
    """``(colours, kinds, questions)`` for each stage: the position questions about one colour,
    then two, ... up to all six; then every non-relational question about all six; then, with
    ``distance``, the closest and furthest questions about one colour, then two, ... then six,
    asked of every scene."""
    every = len(COLOUR_NAMES)
    plan = [(colours, CURRICULUM_KINDS) for colours in range(1, every + 1)]
    plan.append((every, NON_RELATIONAL))
    planned = [(colours, kinds, stage_questions(data, colours, kinds)) for colours, kinds in plan]
    if distance:
        asked = asked_of_every_scene(data, DISTANCE_KINDS)
        planned += [
            (colours, DISTANCE_KINDS, stage_questions(asked, colours, DISTANCE_KINDS))
            for colours in range(1, every + 1)
        ]
    return planned
