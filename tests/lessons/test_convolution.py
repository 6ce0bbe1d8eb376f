"""The convolution lesson: edges from a 3x3 filter, associativity, stacking and two multi-scale
routes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image

from showcase.errors import InputError
from showcase.lessons import convolution as lesson


@pytest.fixture(scope="module")
def default_result():
    return lesson.compute()


def reference_correlation(image, kernel):
    """Valid-mode cross-correlation written the slow, obvious way."""
    windows = sliding_window_view(image, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows, kernel)


def step_image(bright_on_right=True, size=64):
    image = np.zeros((size, size), dtype=np.uint8)
    if bright_on_right:
        image[:, size // 2 :] = 255
    else:
        image[:, : size // 2] = 255
    return image


def test_correlation_matches_the_definition_for_small_and_large_kernels():
    rng = np.random.default_rng(0)
    image = rng.random((40, 33))
    for shape in [(3, 3), (5, 5), (2, 4), (9, 9), (24, 24)]:  # 9x9 and up go through the FFT
        kernel = rng.normal(size=shape)
        expected = reference_correlation(image, kernel)
        np.testing.assert_allclose(
            lesson.correlate2d(image, kernel, "valid"), expected, rtol=0, atol=1e-12
        )
    same = lesson.correlate2d(image, rng.normal(size=(6, 6)), "same")
    assert same.shape == image.shape


def test_convolution_flips_the_kernel_and_correlation_does_not():
    impulse = np.zeros((5, 5))
    impulse[2, 2] = 1.0
    kernel = np.arange(9, dtype=np.float64).reshape(3, 3)
    # The response to a single bright pixel: convolution draws the kernel, correlation its mirror.
    np.testing.assert_array_equal(lesson.convolve2d(impulse, kernel, "valid"), kernel)
    np.testing.assert_array_equal(lesson.correlate2d(impulse, kernel, "valid"), kernel[::-1, ::-1])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_true_convolution_is_associative(seed):
    rng = np.random.default_rng(seed)
    f, g, h = rng.random((30, 25)), rng.normal(size=(3, 3)), rng.normal(size=(4, 2))
    twice = lesson.convolve2d(lesson.convolve2d(f, g, "full"), h, "full")
    once = lesson.convolve2d(f, lesson.convolve2d(g, h, "full"), "full")
    assert np.abs(twice - once).max() < 1e-9


@pytest.mark.parametrize("kernel", lesson.KERNEL_CHOICES)
def test_associativity_and_stacking_hold_in_the_lesson(kernel):
    result = lesson.compute(kernel=kernel, custom="3 -1 0.5; 2 7 -4; 1/3 0 1")
    assert result.associativity_difference < 1e-9
    assert result.stacking_difference < 1e-9
    assert result.combined_kernel.shape == (5, 5)


def test_stacked_correlations_need_the_flipped_combination():
    # Sobel y is not symmetric, so combining the kernels without the flip gives another filter.
    result = lesson.compute(kernel="slide edge", second="sobel y")
    assert result.stacking_difference < 1e-9
    assert result.unflipped_difference > 0.1
    np.testing.assert_allclose(
        result.combined_kernel, lesson.convolve2d(result.kernel, result.second_kernel, "full")
    )


def test_slide_kernel_responds_at_a_vertical_edge_and_is_zero_on_flat_areas():
    result = lesson.compute(image=step_image(bright_on_right=True), kernel="slide edge")
    response = result.filtered
    # Dark on the left, bright on the right: +3 (right column minus left column, 3 rows) in the two
    # columns beside the edge, 0 everywhere else, the picture's frame included.
    np.testing.assert_allclose(response[:, 31:33], 3.0, atol=1e-9)
    flat = np.delete(response, [31, 32], axis=1)
    assert np.abs(flat).max() < 1e-9
    mirrored = lesson.compute(image=step_image(bright_on_right=False), kernel="slide edge")
    np.testing.assert_allclose(mirrored.filtered[:, 31:33], -3.0, atol=1e-9)
    # A horizontal edge is invisible to it.
    horizontal = lesson.compute(image=step_image().T.copy(), kernel="slide edge")
    assert np.abs(horizontal.filtered).max() < 1e-9


def test_stretched_filter_keeps_a_broad_edge_response():
    for factor in (2, 4, 8):
        stretched = lesson.stretch_kernel(lesson.KERNELS["slide edge"], factor)
        assert stretched.shape == (3 * factor, 3 * factor)
        response = lesson.correlate2d(step_image(size=128) / 255, stretched)
        assert response.max() == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 0 -1; 2 0 -2; 1 0 -1", [[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
        ("1,0,-1,2,0,-2,1,0,-1", [[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
        ("1 0 -1\r\n2 0 -2\r\n1 0 -1\n", [[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
        ("1\n0\n-1\n2\n0\n-2\n1\n0\n-1", [[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
        ("[[1, 0, -1], [2, 0, -2], [1, 0, -1]]", [[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
        (" 1/9 " * 9, np.full((3, 3), 1 / 9)),
        ("0 -1 0, -1 +5 -1, 0 -1 .0", [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
        ("1e-1 2.5E0 0; 0 0 0; 0 0 -3", [[0.1, 2.5, 0], [0, 0, 0], [0, 0, -3]]),
    ],
)
def test_parse_kernel_accepts_common_ways_of_writing_nine_numbers(text, expected):
    kernel = lesson.parse_kernel(text)
    assert kernel.shape == (3, 3) and kernel.dtype == np.float64
    np.testing.assert_allclose(kernel, expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "1 2 3",
        "1 2 3 4 5 6 7 8 9 10",
        "a b c d e f g h i",
        "1 2 3 4 5 6 7 8 x",
        "nan 0 0 0 0 0 0 0 0",
        "inf 0 0 0 0 0 0 0 0",
        "1e400 0 0 0 0 0 0 0 0",
        "5000 0 0 0 0 0 0 0 0",
        "1/0 0 0 0 0 0 0 0 0",
        "0x10 0 0 0 0 0 0 0 0",
        "1 2; 3 4 5 6; 7 8 9",
        None,
        9,
    ],
)
def test_parse_kernel_refuses_anything_else(text):
    with pytest.raises(InputError):
        lesson.parse_kernel(text)


def test_custom_kernel_is_used():
    result = lesson.compute(kernel="Custom", custom="1 2 1; 2 4 2; 1 2 1")
    np.testing.assert_array_equal(result.kernel, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    with pytest.raises(InputError):
        lesson.compute(kernel="custom", custom="1 2 3")


def test_max_pooling_halves_the_size_and_keeps_block_maxima():
    image = np.random.default_rng(0).random((65, 51))
    pooled = lesson.max_pool(image)
    assert pooled.shape == (32, 25)
    assert pooled[3, 7] == image[6:8, 14:16].max()


def test_multi_scale_rows(default_result):
    result = default_result
    height, width = result.grayscale.shape
    assert result.filter_sizes == (3, 6, 12, 24)
    assert result.pooled_sizes == tuple((height // s, width // s) for s in result.scales)
    assert [r.shape for r in result.growing_filter] == [(height, width)] * 4
    assert [r.shape for r in result.shrinking_image] == list(result.pooled_sizes)
    # Both routes see the same structures: the 6x6 filter and the pooled 3x3 filter agree well.
    assert result.route_agreement[0] == pytest.approx(1.0)
    assert result.route_agreement[1] > 0.8
    assert all(r > 0.5 for r in result.route_agreement)


def test_builtin_picture_and_default_result(default_result):
    picture = lesson.builtin_picture()
    assert picture.shape == (256, 256, 3) and picture.dtype == np.uint8
    assert default_result.grayscale.shape == (256, 256)
    assert 0 <= default_result.grayscale.min() < default_result.grayscale.max() <= 1
    assert default_result.notice == ""


@pytest.mark.parametrize(
    "image",
    [
        np.full((40, 60), 128, dtype=np.uint8),
        np.random.default_rng(0).random((40, 60)),
        np.zeros((40, 60, 1), dtype=np.uint8),
        np.random.default_rng(1).integers(0, 256, (40, 60, 3), dtype=np.uint8),
        np.random.default_rng(2).integers(0, 256, (40, 60, 4), dtype=np.uint8),
        np.random.default_rng(3).integers(0, 65536, (40, 60), dtype=np.uint16),
        Image.new("L", (60, 40), 80),
        Image.new("RGBA", (60, 40), (255, 0, 0, 0)),
    ],
)
def test_grayscale_rgb_rgba_and_pil_images_are_accepted(image):
    result = lesson.compute(image=image)
    assert result.grayscale.shape == (40, 60)
    assert result.filtered.shape == (40, 60)
    assert result.notice == ""


def test_transparent_pixels_count_as_white():
    clear = np.zeros((32, 32, 4), dtype=np.uint8)
    assert lesson.compute(image=clear).grayscale.min() == pytest.approx(1.0)


def test_large_images_are_scaled_down_with_a_notice():
    large = np.random.default_rng(0).integers(0, 256, (1200, 900, 3), dtype=np.uint8)
    result = lesson.compute(image=large)
    assert result.grayscale.shape == (512, 384)
    assert "scaled down" in result.notice and "900x1200" in result.notice
    smaller = lesson.compute(image=large, max_side=256)
    assert max(smaller.grayscale.shape) == 256


def test_figure_and_summary(default_result):
    from matplotlib.figure import Figure

    figure = lesson.figure(default_result)
    assert isinstance(figure, Figure)
    assert len(figure.axes) >= 12
    text = lesson.summary(default_result)
    assert "associativity" in text and "e-1" in text
    assert lesson.TITLE and lesson.EXPLANATION
    magnitude = lesson.compute(kernel="sobel magnitude")
    assert magnitude.filtered.min() >= 0
    assert isinstance(lesson.figure(magnitude), Figure)


@pytest.mark.parametrize(
    "parameters",
    [
        {"kernel": "laplacian"},
        {"kernel": None},
        {"kernel": 3},
        {"second": "custom"},
        {"second": "sobel magnitude"},
        {"max_side": 10},
        {"max_side": 5000},
        {"max_side": "big"},
        {"max_side": 100.5},
        {"image": np.zeros((8, 8), dtype=np.uint8)},
        {"image": np.zeros((40, 40, 2), dtype=np.uint8)},
        {"image": np.full((40, 40), math.nan)},
        {"image": np.zeros((0, 0))},
        {"image": "/no/such/picture.png"},
        {"image": 42},
    ],
)
def test_bad_parameters_raise_input_error(parameters):
    with pytest.raises(InputError):
        lesson.compute(**parameters)


def test_a_flat_picture_gives_zero_responses_and_no_agreement_number():
    result = lesson.compute(image=np.full((64, 48), 200, dtype=np.uint8))
    assert np.abs(result.filtered).max() < 1e-12
    assert all(math.isnan(r) for r in result.route_agreement[1:])
    assert "n/a" in lesson.summary(result)
    lesson.figure(result)


def test_sobel_y_is_positive_where_the_picture_brightens_downwards():
    result = lesson.compute(image=step_image().T.copy(), kernel="sobel y")
    assert result.filtered[31:33, :].min() == pytest.approx(4.0)
