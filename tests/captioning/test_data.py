"""Captioning data layer: synthetic scenes and their captions, Flickr8k text files, vocabulary.

No TensorFlow: everything here is Pillow, numpy and plain Python, so these tests run in seconds.
"""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from showcase.captioning import flickr8k
from showcase.captioning.scenes import (
    BACKGROUND,
    COLOURS,
    HELD_OUT_SEEDS,
    LOCATIONS,
    RELATION_THRESHOLD,
    SHAPES,
    SIZES,
    TRAIN_SEEDS,
    VALIDATION_SEEDS,
    VOCABULARY,
    Scene,
    SceneObject,
    grounded,
    location_of,
    make_scene,
    make_scenes,
    parse_caption,
)
from showcase.captioning.vocabulary import (
    END_ID,
    PAD_ID,
    SPECIAL_TOKENS,
    START_ID,
    UNK_ID,
    Vocabulary,
    tokenize,
)
from showcase.errors import DataError, InputError
from tests.support import shared_dataset

OPPOSITE = {"left of": "right of", "right of": "left of", "above": "below", "below": "above"}


@pytest.fixture(scope="module")
def scenes() -> list[Scene]:
    return make_scenes(range(300))


def alone(scene: Scene, obj: SceneObject) -> np.ndarray:
    """Mask of the pixels ``obj`` covers when drawn on its own."""
    pixels = np.asarray(Scene(scene.seed, scene.canvas, [obj]).render())
    return np.any(pixels != BACKGROUND, axis=-1)


# --- Scenes -----------------------------------------------------------------------------------


def test_same_seed_gives_same_objects_and_pixels():
    for seed in (0, 7, 123_456, HELD_OUT_SEEDS[0]):
        first, second = make_scene(seed), make_scene(seed)
        assert first == second
        assert first.render().tobytes() == second.render().tobytes()
        assert first.render(antialias=True).tobytes() == second.render(antialias=True).tobytes()
        assert first.captions() == second.captions()


def test_different_seeds_give_different_scenes(scenes):
    renders = {scene.render().tobytes() for scene in scenes[:100]}
    assert len(renders) == 100
    assert scenes[0].objects != scenes[1].objects


def test_object_counts_attributes_and_canvas(scenes):
    counts = {len(scene.objects) for scene in scenes}
    assert counts == {1, 2, 3, 4}
    for scene in scenes:
        colours = [obj.colour for obj in scene.objects]
        assert len(set(colours)) == len(colours), "colours name objects, so they must be unique"
        for obj in scene.objects:
            assert obj.shape in SHAPES and obj.colour in COLOURS and obj.size in SIZES
            left, top, right, bottom = obj.box
            assert 0 < left and 0 < top and right < scene.canvas - 1 and bottom < scene.canvas - 1
    big = make_scene(5, canvas=128, min_objects=4)
    assert big.render().size == (128, 128) and len(big.objects) == 4
    assert max(obj.radius for obj in big.objects) > max(obj.radius for obj in scenes[5].objects)


def test_ground_truth_matches_the_rendering(scenes):
    for scene in scenes:
        plain = np.asarray(scene.render())
        smooth = np.asarray(scene.render(antialias=True))
        assert plain.shape == (scene.canvas, scene.canvas, 3)
        masks = []
        for obj in scene.objects:
            assert tuple(plain[obj.y, obj.x]) == obj.rgb
            assert tuple(smooth[obj.y, obj.x]) == obj.rgb
            mask = alone(scene, obj)
            left, top, right, bottom = obj.box
            inside = np.zeros_like(mask)
            inside[top : bottom + 1, left : right + 1] = True
            assert mask.any() and not (mask & ~inside).any(), "shape leaks out of its box"
            masks.append(mask)
        for first, second in combinations(masks, 2):
            assert not (first & second).any(), f"objects overlap in seed {scene.seed}"
        drawn = np.any(plain != BACKGROUND, axis=-1)
        assert (drawn == np.logical_or.reduce(masks)).all()


def test_shapes_and_sizes_draw_differently():
    scene = make_scene(0)
    masks = {}
    for shape in SHAPES:
        for size, radius in (("small", 5), ("large", 10)):
            masks[shape, size] = alone(scene, SceneObject(shape, "red", size, 32, 32, radius))
    for first, second in combinations(masks.values(), 2):
        assert (first != second).any()
    for shape in SHAPES:
        assert masks[shape, "large"].sum() > 3 * masks[shape, "small"].sum()


@pytest.mark.parametrize(
    "options",
    [
        {"seed": -1},
        {"seed": 1.5},
        {"seed": 0, "canvas": 16},
        {"seed": 0, "max_objects": 5},
        {"seed": 0, "min_objects": 3, "max_objects": 2},
        {"seed": 0, "min_objects": 0},
    ],
)
def test_bad_scene_options_are_input_errors(options):
    with pytest.raises(InputError):
        make_scene(**options)


def test_object_count_range_is_respected():
    assert {len(s.objects) for s in make_scenes(range(40), min_objects=2, max_objects=3)} == {2, 3}
    assert all(len(s.objects) == 1 for s in make_scenes(range(20), max_objects=1))


def test_seed_ranges_are_disjoint():
    ranges = [TRAIN_SEEDS, VALIDATION_SEEDS, HELD_OUT_SEEDS]
    for first, second in combinations(ranges, 2):
        assert first.stop <= second.start or second.stop <= first.start


# --- Captions and grounding -------------------------------------------------------------------


def test_reference_captions_are_grounded_and_mention_every_object(scenes):
    used_words = set()
    for scene in scenes:
        captions = scene.captions()
        assert (2 if len(scene.objects) == 1 else 3) <= len(captions) <= 4
        assert len(set(captions)) == len(captions)
        for caption in captions:
            assert grounded(caption, scene), (scene.seed, caption)
            assert caption == caption.lower().strip() and "  " not in caption
            words = caption.split()
            assert set(words) <= set(VOCABULARY), caption
            used_words.update(words)
            clauses = parse_caption(caption)
            named = {c.subject.colour for c in clauses} | {
                c.other.colour for c in clauses if c.other
            }
            assert named == {obj.colour for obj in scene.objects}, caption
    assert used_words == set(VOCABULARY), "every vocabulary word should occur in some caption"


def two_object_scene(red_x=10, red_y=20, blue_x=40, blue_y=50, canvas=64) -> Scene:
    return Scene(
        seed=-1,
        canvas=canvas,
        objects=[
            SceneObject("circle", "red", "small", red_x, red_y, 5),
            SceneObject("square", "blue", "large", blue_x, blue_y, 10),
        ],
    )


def test_relations_follow_their_definition():
    scene = two_object_scene()
    assert grounded("a small red circle left of a large blue square", scene)
    assert grounded("a small red circle above a large blue square", scene)
    assert grounded("a large blue square right of a small red circle", scene)
    assert grounded("a large blue square below the small red circle", scene)
    assert grounded("A small red circle, left of a large blue square.", scene)
    assert grounded("a small red circle and a large blue square", scene)
    # Centres closer than the threshold are neither left nor right of each other.
    threshold = RELATION_THRESHOLD * 64
    near = two_object_scene(blue_x=10 + int(threshold), blue_y=50)
    assert not grounded("a small red circle left of a large blue square", near)
    assert not grounded("a large blue square right of a small red circle", near)
    assert grounded("a small red circle above a large blue square", near)
    just_past = two_object_scene(blue_x=10 + int(threshold) + 1)
    assert grounded("a small red circle left of a large blue square", just_past)


def test_locations_follow_thirds_of_the_canvas():
    corners = {(5, 5): "in the top left", (32, 5): "at the top", (58, 58): "in the bottom right"}
    for (x, y), phrase in corners.items():
        obj = SceneObject("circle", "red", "small", x, y, 5)
        assert location_of(obj, 64) == phrase
        assert grounded(f"a small red circle {phrase}", Scene(0, 64, [obj]))
        for other in set(LOCATIONS.values()) - {phrase}:
            assert not grounded(f"a small red circle {other}", Scene(0, 64, [obj]))
    centre = SceneObject("circle", "red", "small", 32, 32, 5)
    assert location_of(centre, 64) == "in the centre"


def corruptions(caption: str, scene: Scene) -> list[str]:
    """Captions that differ from a true one in exactly one fact, so all must be false."""
    absent_colour = next(c for c in COLOURS if c not in {o.colour for o in scene.objects})
    first = scene.objects[0]
    other_shape = next(s for s in SHAPES if s != first.shape)
    other_size = next(s for s in SIZES if s != first.size)
    phrase = first.description
    changed = [
        caption.replace(f" {first.colour} ", f" {absent_colour} "),
        caption.replace(phrase, f"{first.size} {first.colour} {other_shape}"),
        caption.replace(phrase, f"{other_size} {first.colour} {first.shape}"),
    ]
    second = scene.objects[1] if len(scene.objects) > 1 else None
    if second and (second.size, second.shape) != (first.size, first.shape):
        # Give the first object the second one's colour: a real colour on the wrong object.
        changed.append(caption.replace(phrase, f"{first.size} {second.colour} {first.shape}"))
    for relation, opposite in OPPOSITE.items():
        if f" {relation} " in caption:
            changed.append(caption.replace(f" {relation} ", f" {opposite} ", 1))
    for location in LOCATIONS.values():
        if caption.endswith(location):
            wrong = next(p for p in LOCATIONS.values() if p != location)
            changed.append(caption[: -len(location)] + wrong)
    return [c for c in changed if c != caption]


def test_corrupted_captions_are_not_grounded(scenes):
    checked = 0
    for scene in scenes:
        for caption in scene.captions():
            for corrupted in corruptions(caption, scene):
                assert not grounded(corrupted, scene), (scene.seed, caption, corrupted)
                checked += 1
    assert checked > 2000


@pytest.mark.parametrize(
    "caption",
    [
        "",
        "and",
        "banana",
        "colourless green ideas sleep furiously",
        "a small red",
        "small red circle",
        "a small red circle left of",
        "a small red circle and",
        "and a small red circle",
        "a small red circle left a large blue square",
        "a small red circle left of a large blue square in the top left",
        "a red small circle",
        "a small red circle in the top",
        "a small red circle left of a small red circle",
        "a small red circle a small red circle",
        "a small red circl",
    ],
)
def test_gibberish_and_malformed_captions_are_not_grounded(caption):
    scene = two_object_scene()
    assert not grounded(caption, scene)
    if caption != "a small red circle left of a small red circle":
        assert parse_caption(caption) is None


def test_grounding_checks_every_clause():
    scene = two_object_scene()
    true = "a small red circle left of a large blue square"
    assert grounded(f"{true} and a large blue square below a small red circle", scene)
    assert not grounded(f"{true} and a large green triangle", scene)
    assert not grounded(f"{true} and a large blue square above a small red circle", scene)


# --- Flickr8k ---------------------------------------------------------------------------------

TOKEN_LINES = [
    "1000268201_693b08cb0e.jpg#0\tA child in a pink dress is climbing up a set of stairs .",
    "1000268201_693b08cb0e.jpg#1\tA girl going into a wooden building .",
    "2258277193_586949ec62.jpg.1#0\tpeople waiting for the subway",
    '2258277193_586949ec62.jpg.1#1\tThree  people , at a " station " .',
    "101654506_8eb26cfb60.jpg#0\tA dog is running in the snow",
    "101654506_8eb26cfb60.jpg#1\tA man 's dog runs .",
]


def write_flickr_text(folder: Path, token_lines=TOKEN_LINES, train=None, dev=None, test=None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / flickr8k.TOKEN_FILE).write_text("\n".join(token_lines) + "\n")
    lists = {
        "train": train or ["1000268201_693b08cb0e.jpg", "2258277193_586949ec62.jpg"],
        "dev": dev or ["101654506_8eb26cfb60.jpg"],
        "test": test or ["101654506_8eb26cfb60.jpg"],
    }
    for split, names in lists.items():
        (folder / flickr8k.SPLIT_FILES[split]).write_text("\n".join(names) + "\n\n")
    return folder


def test_flickr8k_parses_captions_splits_and_the_stray_suffix(tmp_path):
    splits = flickr8k.load_splits(write_flickr_text(tmp_path / "text"))
    assert set(splits) == {"train", "dev", "test"}
    assert list(splits["train"]) == ["1000268201_693b08cb0e.jpg", "2258277193_586949ec62.jpg"]
    assert splits["train"]["2258277193_586949ec62.jpg"] == [
        "people waiting for the subway",
        "three people at a station",
    ]
    assert splits["train"]["1000268201_693b08cb0e.jpg"][1] == "a girl going into a wooden building"
    assert splits["dev"]["101654506_8eb26cfb60.jpg"] == [
        "a dog is running in the snow",
        "a man 's dog runs",
    ]
    assert flickr8k.load_split(tmp_path / "text", "dev") == splits["dev"]


def test_flickr8k_orders_captions_by_number(tmp_path):
    lines = ["a.jpg#2\tthird .", "a.jpg#0\tfirst .", "a.jpg#1\tsecond ."]
    assert flickr8k.parse_token_lines("\n".join(lines)) == {"a.jpg": ["first", "second", "third"]}


@pytest.mark.parametrize(
    "bad_line",
    [
        "1000268201_693b08cb0e.jpg#2 no tab between id and caption",
        "1000268201_693b08cb0e.png#2\twrong extension",
        "1000268201_693b08cb0e.jpg\tno caption number",
        "1000268201_693b08cb0e.jpg#2\t . ",
        "1000268201_693b08cb0e.jpg#1\ta duplicate caption number",
    ],
)
def test_flickr8k_malformed_line_names_its_line_number(tmp_path, bad_line):
    lines = [*TOKEN_LINES[:2], bad_line, *TOKEN_LINES[2:]]
    folder = write_flickr_text(tmp_path / "text", token_lines=lines)
    with pytest.raises(DataError, match=r"line 3\b"):
        flickr8k.load_splits(folder)


def test_flickr8k_missing_files_are_data_errors(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        flickr8k.load_splits(tmp_path / "nowhere")
    folder = write_flickr_text(tmp_path / "text")
    (folder / flickr8k.TOKEN_FILE).unlink()
    with pytest.raises(DataError, match="Flickr8k.token.txt does not exist"):
        flickr8k.load_splits(folder)
    folder = write_flickr_text(tmp_path / "text2")
    (folder / flickr8k.SPLIT_FILES["test"]).unlink()
    with pytest.raises(DataError, match="testImages.txt does not exist"):
        flickr8k.load_splits(folder)
    folder = write_flickr_text(tmp_path / "text3", train=["404_nope.jpg"])
    with pytest.raises(DataError, match="no captions.*404_nope.jpg"):
        flickr8k.load_splits(folder)
    with pytest.raises(DataError, match="unknown Flickr8k split"):
        flickr8k.load_split(folder, "validation")


def test_flickr8k_images_folder(tmp_path):
    names = ["a.jpg", "b.jpg", "c.jpg"]
    with pytest.raises(DataError, match="does not exist"):
        flickr8k.available_images(tmp_path / "missing", names)
    images = tmp_path / "images"
    images.mkdir()
    with pytest.raises(DataError, match="no .jpg files"):
        flickr8k.available_images(images, names)
    for name in ("c.jpg", "a.jpg"):
        (images / name).write_bytes(b"\xff\xd8")
    assert flickr8k.available_images(images, names) == ["a.jpg", "c.jpg"]
    assert flickr8k.image_path(images, "a.jpg") == images / "a.jpg"
    for unsafe in ("../a.jpg", "sub/a.jpg", ".."):
        with pytest.raises(DataError):
            flickr8k.image_path(images, unsafe)


def test_real_flickr8k_text_files(shared_data):
    text = shared_dataset(shared_data, "flickr8k_text")
    splits = flickr8k.load_splits(text)
    assert {split: len(images) for split, images in splits.items()} == {
        "train": 6000,
        "dev": 1000,
        "test": 1000,
    }
    assert all(len(captions) == 5 for captions in splits["train"].values())
    assert not set(splits["train"]) & (set(splits["dev"]) | set(splits["test"]))
    everything = flickr8k.read_captions(text / flickr8k.TOKEN_FILE)
    assert len(everything) == 8092 and "2258277193_586949ec62.jpg" in everything
    for captions in splits["train"].values():
        for caption in captions:
            assert caption == caption.lower() and " ." not in caption and "  " not in caption


# --- Vocabulary -------------------------------------------------------------------------------


def test_tokenize():
    assert tokenize("A tri-colored dog 's toy , don't  STOP .") == [
        "a",
        "tri",
        "colored",
        "dog",
        "'s",
        "toy",
        "don't",
        "stop",
    ]
    assert tokenize(" . , ") == []


def test_vocabulary_build_is_deterministic_and_frequency_ordered():
    captions = ["a dog runs", "a cat runs", "a dog sits", "the bird"]
    vocabulary = Vocabulary.build(captions)
    assert vocabulary.tokens[: len(SPECIAL_TOKENS)] == list(SPECIAL_TOKENS)
    assert (PAD_ID, START_ID, END_ID, UNK_ID) == (0, 1, 2, 3)
    assert vocabulary.tokens[4:] == ["a", "dog", "runs", "bird", "cat", "sits", "the"]
    assert Vocabulary.build(reversed(captions)) == vocabulary
    assert Vocabulary.build(captions, min_count=2).tokens[4:] == ["a", "dog", "runs"]
    assert len(Vocabulary.build(captions, max_size=6)) == 6
    with pytest.raises(InputError):
        Vocabulary.build(captions, max_size=4)
    with pytest.raises(InputError):
        Vocabulary.build(captions, min_count=0)


def test_vocabulary_covers_scene_captions_and_round_trips_them(scenes):
    captions = [caption for scene in scenes for caption in scene.captions()]
    vocabulary = Vocabulary.build(captions)
    assert len(vocabulary) == len(SPECIAL_TOKENS) + len(VOCABULARY)
    assert all(word in vocabulary for word in VOCABULARY)
    longest = max(len(caption.split()) for caption in captions) + 2
    for caption in captions:
        ids = vocabulary.encode(caption, longest)
        assert len(ids) == longest and ids[0] == START_ID and UNK_ID not in ids
        assert vocabulary.decode(ids) == caption


def test_encode_decode_specials_unknown_words_and_truncation():
    vocabulary = Vocabulary.build(["a dog runs"])
    ids = vocabulary.encode("A dog flies", max_length=7)
    assert ids == [START_ID, vocabulary.id_of("a"), vocabulary.id_of("dog"), UNK_ID, END_ID, 0, 0]
    assert vocabulary.decode(ids) == "a dog"
    assert vocabulary.encode(["dog", "runs"], 4) == [START_ID, 5, 6, END_ID]
    truncated = vocabulary.encode("a dog runs a dog runs", max_length=4)
    assert truncated == [START_ID, 4, 5, END_ID]
    assert vocabulary.decode([START_ID, 4, END_ID, 5, 6]) == "a"
    assert vocabulary.decode(np.array([4, 5, PAD_ID, 6])) == "a dog runs"
    with pytest.raises(InputError):
        vocabulary.decode([99])
    with pytest.raises(InputError):
        vocabulary.encode("a dog", max_length=1)


def test_vocabulary_json_round_trip(tmp_path):
    vocabulary = Vocabulary.build(["a small red circle", "a man 's dog"])
    restored = Vocabulary.from_json(vocabulary.to_json())
    assert restored == vocabulary and restored.tokens == vocabulary.tokens
    vocabulary.save(tmp_path / "vocabulary.json")
    assert Vocabulary.load(tmp_path / "vocabulary.json") == vocabulary
    with pytest.raises(DataError, match="does not exist"):
        Vocabulary.load(tmp_path / "missing.json")
    bad = [
        "not json",
        json.dumps({"tokens": ["<pad>"]}),
        json.dumps({"format": "showcase.captioning.vocabulary", "version": 99, "tokens": []}),
        json.dumps({"format": "showcase.captioning.vocabulary", "version": 1, "tokens": ["a"]}),
        json.dumps(
            {
                "format": "showcase.captioning.vocabulary",
                "version": 1,
                "tokens": [*SPECIAL_TOKENS, "a", "a"],
            }
        ),
    ]
    for text in bad:
        with pytest.raises(DataError):
            Vocabulary.from_json(text)
