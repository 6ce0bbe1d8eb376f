"""Video style transfer: clip reading and writing, optical flow, the flicker metric, and the
temporally consistent Gatys and fast paths on tiny clips (random loss network, no downloads)."""

import numpy as np
import pytest
from PIL import Image

from showcase.errors import InputError
from showcase.style_transfer import gatys, video


def _texture(shape, seed):
    """Smooth random texture (height, width, 3) uint8 that optical flow can follow."""
    noise = np.random.default_rng(seed).integers(0, 255, (shape[0] // 4, shape[1] // 4, 3))
    image = Image.fromarray(noise.astype(np.uint8)).resize((shape[1], shape[0]), Image.BICUBIC)
    return np.asarray(image)


def _moving_square(shift=4, size=(96, 72), square=24):
    """Two frames: a textured square moves right by ``shift`` over a still textured background."""
    width, height = size
    background = _texture((height, width), 0)
    patch = _texture((square, square), 1)
    frames = []
    for x in (30, 30 + shift):
        frame = background.copy()
        frame[24 : 24 + square, x : x + square] = patch
        frames.append(frame)
    return np.stack(frames)


@pytest.fixture(scope="module")
def random_network():
    from showcase.style_transfer.loss_networks import LossNetwork

    return LossNetwork("random")


def test_flicker_is_zero_for_a_still_clip_and_counts_only_still_pixels():
    clip = np.repeat(_texture((40, 48), 0)[None], 4, axis=0)
    assert video.flicker(clip, clip) == 0.0
    noisy = np.clip(clip + np.random.default_rng(0).normal(0, 10, clip.shape), 0, 255)
    assert video.flicker(noisy.astype(np.uint8), clip) > 3.0

    # The left half of the input changes every frame, the right half stands still.
    inputs = clip.copy()
    inputs[:, :, :24] = (inputs[:, :, :24] + np.arange(4)[:, None, None, None] * 40) % 256
    stylised = clip.copy()
    stylised[:, :, :24] = inputs[:, :, :24]  # changes only where the input moves
    assert video.flicker(stylised, inputs) == 0.0
    stylised[1, :, 24:] = 255 - stylised[1, :, 24:]  # one still frame flips: that counts
    assert video.flicker(stylised, inputs) > 10.0


def test_flicker_refuses_mismatched_clips():
    with pytest.raises(InputError, match="shape"):
        video.flicker(np.zeros((3, 16, 16, 3)), np.zeros((3, 16, 20, 3)))


def test_warping_a_shifted_image_by_its_flow_reproduces_it():
    image = _texture((72, 96), 3)
    shifted = np.roll(image, (2, 3), axis=(0, 1))  # shifted[y, x] = image[y - 2, x - 3]
    flow = video.optical_flow(shifted, image)
    inner = (slice(8, -8), slice(8, -8))
    np.testing.assert_allclose(np.median(flow[inner], axis=(0, 1)), [-3, -2], atol=0.2)
    warped = video.warp(image, flow)
    error = np.abs(warped[inner].astype(float) - shifted[inner]).mean()
    assert error < 2.0 < np.abs(image[inner].astype(float) - shifted[inner]).mean()


def test_the_mask_flags_disoccluded_pixels_and_trusts_the_still_background():
    previous, frame = _moving_square(shift=6)
    _, mask = video.flow_to_previous(frame, previous)
    # x 30..35 was covered by the square in the previous frame and is background now.
    assert mask[28:44, 30:36].mean() < 0.5
    assert mask[56:, :].mean() > 0.95 and mask[:16, :].mean() > 0.95
    # A pan: pixels whose flow leads outside the previous frame came into view.
    image = _texture((72, 96), 4)
    panned = np.roll(image, -5, axis=1)
    flow = video.optical_flow(panned, image)
    mask = video.reliable_mask(flow, video.optical_flow(image, panned), motion_boundaries=False)
    assert mask[8:-8, -3:].mean() < 0.1 and mask[8:-8, 8:-12].mean() > 0.95


@pytest.mark.parametrize("suffix", [".mp4", ".gif"])
def test_clips_made_with_imageio_read_back_and_write_round_trips(tmp_path, suffix):
    import imageio.v3 as iio

    clip = video.synthetic_clip(frames=5, size=(64, 48))
    path = tmp_path / f"made{suffix}"
    if suffix == ".mp4":
        iio.imwrite(path, clip, plugin="pyav", codec="libx264", fps=10)
    else:
        iio.imwrite(path, clip, duration=100, loop=0)
    read = video.read_clip(path)
    assert read.frames.shape == clip.shape and read.frames.dtype == np.uint8
    assert read.fps == pytest.approx(10.0) and read.notice == ""
    assert np.abs(read.frames.astype(float) - clip).mean() < 12

    written = video.write_clip(read.frames, tmp_path / f"again{suffix}", fps=read.fps)
    again = video.read_clip(written.read_bytes())
    assert again.frames.shape == clip.shape
    assert np.abs(again.frames.astype(float) - read.frames).mean() < 12


def test_odd_sized_frames_are_padded_for_mp4(tmp_path):
    clip = video.synthetic_clip(frames=3, size=(49, 35))
    read = video.read_clip(video.write_clip(clip, tmp_path / "odd.mp4"))
    assert read.frames.shape == (3, 36, 50, 3)


def test_long_and_large_clips_are_capped_with_a_notice():
    clip = video.synthetic_clip(frames=6, size=(120, 80))
    read = video.read_clip(clip, max_frames=4, max_side=60)
    assert read.frames.shape == (4, 40, 60, 3)
    assert "first 4 frames" in read.notice and "scaled down to 60x40" in read.notice


@pytest.mark.parametrize(
    "source, message",
    [
        (b"", "empty"),
        (b"\x00\x01 not a video " * 50, "could not be read"),
        (b"GIF89a" + b"broken" * 50, "could not be read"),
        (None, "No video"),
    ],
)
def test_unreadable_input_is_refused_clearly(tmp_path, source, message):
    if isinstance(source, bytes):
        path = tmp_path / "clip.mp4"
        path.write_bytes(source)
        source = path
    with pytest.raises(InputError, match=message):
        video.read_clip(source)


def test_a_tiny_frame_is_refused():
    with pytest.raises(InputError, match="at least"):
        video.read_clip(np.zeros((3, 8, 40, 3), np.uint8))


def test_the_synthetic_clip_has_still_and_moving_parts():
    clip = video.synthetic_clip(frames=4, size=(80, 60))
    assert clip.shape == (4, 60, 80, 3) and clip.dtype == np.uint8
    changed = np.abs(np.diff(clip.astype(int), axis=0)).max(axis=-1) > video.STILL_THRESHOLD
    assert 0.02 < changed.mean() < 0.5


def test_the_fast_path_filter_damps_flicker():
    clip = video.synthetic_clip(frames=5, size=(64, 48))
    rng = np.random.default_rng(0)

    def noisy_network(frame):  # a stand-in "style network" that flickers on purpose
        return np.clip(frame + rng.normal(0, 12, frame.shape), 0, 255).astype(np.uint8)

    reports = list(video.stylize_video_fast(clip, noisy_network, consistent=False))
    assert [r.frame for r in reports] == [0, 1, 2, 3, 4] and reports[-1].fraction == 1.0
    naive = reports[-1].frames
    consistent = list(video.stylize_video_fast(clip, noisy_network, blend=0.6))[-1].frames
    assert consistent.shape == clip.shape
    assert video.flicker(consistent, clip) < 0.7 * video.flicker(naive, clip)


def test_gatys_starts_from_the_initial_picture_with_the_temporal_term(random_network):
    content = video.synthetic_clip(frames=2, size=(64, 48))[0]
    start = _texture((48, 64), 5)
    settings = gatys.GatysSettings(size=64, iterations=2, stages=1, learning_rate=0.01)
    term = gatys.TemporalTerm(start, np.ones((48, 64), np.float32), 1000.0)
    reports = list(
        gatys.optimise(
            content,
            [_texture((48, 64), 6)],
            settings,
            random_network,
            1,
            initial=start,
            temporal=term,
        )
    )
    assert reports[0].losses["temporal"] == pytest.approx(0.0, abs=1e-6)
    assert np.abs(np.asarray(reports[-1].image, float) - start).mean() < 1.5

    # Two stages: every stage starts from ``initial`` where the mask is 1 (left half) and from
    # the content / the coarse result where it is 0 (right half).
    content = video.synthetic_clip(frames=2, size=(192, 144))[0]
    start = _texture((144, 192), 8)
    mask = np.zeros((144, 192), np.float32)
    mask[:, :96] = 1.0
    settings = gatys.GatysSettings(size=192, iterations=2, stages=2, learning_rate=0.01)
    term = gatys.TemporalTerm(start, mask, 100.0)
    final = list(
        gatys.optimise(
            content,
            [start],
            settings,
            random_network,
            10,
            initial=start,
            initial_mask=mask,
            temporal=term,
        )
    )[-1]
    assert final.image.size == (192, 144) and "temporal" in final.losses
    result = np.asarray(final.image, float)
    assert np.abs(result[:, :90] - start[:, :90]).mean() < 1.5
    right_to_content = np.abs(result[:, 102:] - content[:, 102:]).mean()
    assert right_to_content < 0.5 * np.abs(result[:, 102:] - start[:, 102:]).mean()


def test_consistent_gatys_flickers_less_than_naive(random_network):
    clip = video.synthetic_clip(frames=3, size=(64, 48))
    style = _texture((48, 64), 7)
    settings = gatys.GatysSettings(iterations=12, stages=1)
    results = {}
    traces = gatys._temporal_loss_and_gradient(random_network).experimental_get_tracing_count()
    for consistent in (False, True):
        reports = list(
            video.stylize_video_gatys(
                clip, style, settings, random_network, consistent=consistent, report_every=4
            )
        )
        assert reports[-1].frames.shape == clip.shape
        assert {r.frame for r in reports} == {0, 1, 2}
        results[consistent] = video.flicker(reports[-1].frames, clip)
    assert results[True] < 0.8 * results[False]
    # Frames 1 and 2 share one trace of the temporal loss: no retracing per frame.
    traced = gatys._temporal_loss_and_gradient(random_network).experimental_get_tracing_count()
    assert traced - traces <= 1
