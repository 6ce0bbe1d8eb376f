"""The TTS audio pipeline: spectrograms, Griffin-Lim, wav I/O, resampling, MCD and trimming.

Bounds were set from measured values (in comments) with margin; the signals are generated, except
for one LJSpeech clip that is used when the shared data is present.
"""

from __future__ import annotations

import wave

import numpy as np
import pytest

from showcase.errors import DataError, InputError
from showcase.tts import audio
from tests.support import shared_dataset

CONFIG = audio.AudioConfig()
SR = CONFIG.sample_rate
# Griffin-Lim pins a partial only to within the STFT's resolution
HALF_BIN_HZ = SR / CONFIG.n_fft / 2


def tone(seconds=1.0, rate=SR, parts=((440.0, 0.2), (880.0, 0.1))):
    t = np.arange(int(seconds * rate)) / rate
    return sum(a * np.sin(2 * np.pi * f * t) for f, a in parts).astype(np.float32)


def sawtooth(seconds=1.0, freq=300.0):
    t = np.arange(int(seconds * SR)) / SR
    return (0.3 * ((t * freq) % 1.0 - 0.5)).astype(np.float32)


def peak_hz(x, rate):
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return np.argmax(spectrum) * rate / x.size


def test_config_round_trip_and_validation():
    config = audio.AudioConfig(fmin=55.0, griffin_lim_iters=30)
    assert audio.AudioConfig.from_dict(config.to_dict()) == config
    assert CONFIG.n_bins == 513 and CONFIG.power == 1.0 and CONFIG.griffin_lim_iters == 60
    assert CONFIG.griffin_lim_momentum == 0.99
    # A checkpoint saved before the momentum setting existed still loads, with the default.
    older = {k: v for k, v in CONFIG.to_dict().items() if k != "griffin_lim_momentum"}
    assert audio.AudioConfig.from_dict({**older, "power": 1.5}).power == 1.5
    with pytest.raises(ValueError, match="unknown"):
        audio.AudioConfig.from_dict({**CONFIG.to_dict(), "n_fftt": 512})
    with pytest.raises(ValueError):
        audio.AudioConfig(fmax=20000.0)
    with pytest.raises(ValueError):
        audio.AudioConfig(win_length=2048)


def test_linear_spectrogram_shape_and_range():
    spec = audio.linear_spectrogram(tone(), CONFIG)
    assert spec.shape == (1 + SR // CONFIG.hop_length, CONFIG.n_bins)
    assert spec.dtype == np.float32
    assert spec.min() >= 0.0 and spec.max() <= 1.0
    assert spec.max() < 1.0  # the test tone is not clipped by the normalisation (measured 0.96)
    # the partials sit in bins 20 (440 Hz) and 41 (880 Hz)
    assert int(np.argmax(spec[40, :30])) == round(440 * CONFIG.n_fft / SR)
    assert int(np.argmax(spec[40, 30:])) + 30 == round(880 * CONFIG.n_fft / SR)


def test_griffin_lim_recovers_tone_magnitude():
    magnitude = audio.stft_magnitude(tone(), CONFIG)
    scores = {}
    for iterations in (0, 60):
        y = audio.griffin_lim(magnitude, CONFIG, iterations=iterations)
        assert y.shape == ((magnitude.shape[0] - 1) * CONFIG.hop_length,)
        again = audio.stft_magnitude(y, CONFIG, emphasise=False)
        scores[iterations] = audio.spectral_convergence(magnitude, again)
    # measured: 0.668 from random phase alone, 0.147 after 60 iterations
    assert scores[60] < 0.2
    assert scores[0] > 2 * scores[60]
    fast = audio.griffin_lim(magnitude, CONFIG, iterations=60, momentum=0.99)
    fast_score = audio.spectral_convergence(
        magnitude, audio.stft_magnitude(fast, CONFIG, emphasise=False)
    )
    assert fast_score < scores[60]  # measured 0.112


def test_linear_to_waveform_round_trip():
    x = tone()
    spec = audio.linear_spectrogram(x, CONFIG)
    y = audio.linear_to_waveform(spec, CONFIG)
    assert y.dtype == np.float32 and np.all(np.isfinite(y))
    assert y.size == (spec.shape[0] - 1) * CONFIG.hop_length
    assert np.abs(y).max() < 1.0
    score = audio.spectral_convergence(
        audio.stft_magnitude(x, CONFIG), audio.stft_magnitude(y, CONFIG)
    )
    # measured 0.112 (fast Griffin-Lim, no sharpening; 0.152 with power 1.5 and plain GL)
    assert score < 0.15
    assert abs(peak_hz(y, SR) - 440.0) < HALF_BIN_HZ  # measured 440.7 Hz


def test_mel_spectrogram_shape_and_range():
    mel = audio.mel_spectrogram(tone(), CONFIG)
    assert mel.shape == (1 + SR // CONFIG.hop_length, CONFIG.n_mels)
    assert mel.dtype == np.float32
    assert mel.min() >= 0.0 and mel.max() <= 1.0
    silent = audio.mel_spectrogram(np.zeros(SR // 4, np.float32), CONFIG)
    assert np.all(silent == 0.0)
    with pytest.raises(InputError):
        audio.mel_spectrogram(np.zeros(0, np.float32), CONFIG)


def test_mel_to_linear_roughly_inverts():
    x = tone()
    linear = audio.linear_spectrogram(x, CONFIG)
    mel = audio.mel_spectrogram(x, CONFIG)
    estimate = audio.mel_to_linear(mel, CONFIG)
    assert estimate.shape == linear.shape
    assert estimate.min() >= 0.0 and estimate.max() <= 1.0
    below_fmax = int(CONFIG.fmax * CONFIG.n_fft / SR)
    # measured: mean |difference| 0.025 below fmax; above fmax nothing comes back
    assert np.abs(estimate - linear)[:, :below_fmax].mean() < 0.05
    assert np.all(estimate[:, below_fmax + 2 :] == 0.0)
    # in amplitudes: spectral convergence 0.265 against the true linear spectrogram (below
    # fmax), and 0.082 between the mel input and the estimate passed through the filterbank again
    amplitude = audio.normalised_to_amplitude(estimate, CONFIG)
    true_amplitude = audio.normalised_to_amplitude(linear, CONFIG)
    assert (
        audio.spectral_convergence(true_amplitude[:, :below_fmax], amplitude[:, :below_fmax]) < 0.4
    )
    mel_amplitude = audio.normalised_to_amplitude(mel, CONFIG)
    again = amplitude @ audio._mel_matrix(CONFIG)
    assert audio.spectral_convergence(mel_amplitude, again) < 0.15
    y = audio.mel_to_waveform(mel, CONFIG)
    assert np.all(np.isfinite(y)) and abs(peak_hz(y, SR) - 440.0) < HALF_BIN_HZ


def test_wav_round_trip_16_bit(tmp_path):
    x = tone(0.5)
    path = tmp_path / "sub" / "tone.wav"
    audio.write_wav(path, x, SR)
    with wave.open(str(path)) as f:
        assert (f.getnchannels(), f.getsampwidth(), f.getframerate()) == (1, 2, SR)
    back = audio.read_wav(path, SR)
    assert back.dtype == np.float32 and back.shape == x.shape
    assert np.abs(back - x).max() <= 1.0 / 32767
    audio.write_wav(path, np.array([2.0, -2.0, 0.0]), SR)  # clipped, not wrapped
    assert np.allclose(audio.read_wav(path, SR), [1.0, -1.0, 0.0], atol=1e-4)


def test_resampling_keeps_frequency(tmp_path):
    x = tone(1.0, rate=16000, parts=((1000.0, 0.5),))
    path = tmp_path / "16k.wav"
    audio.write_wav(path, x, 16000)
    y = audio.read_wav(path, SR)
    assert y.size == SR
    assert abs(peak_hz(y, SR) - 1000.0) < 1.5
    expected = tone(1.0, rate=SR, parts=((1000.0, 0.5),))
    # away from the edges the interpolation is exact to ~1e-4 (measured 4e-5)
    assert np.abs(y - expected)[200:-200].max() < 1e-3
    down = audio.resample(y, SR, 16000)
    assert down.size == 16000 and abs(peak_hz(down, 16000) - 1000.0) < 1.5


def _write_raw_wav(path, frames: bytes, width: int, channels: int, rate: int):
    with wave.open(str(path), "wb") as f:
        f.setnchannels(channels)
        f.setsampwidth(width)
        f.setframerate(rate)
        f.writeframes(frames)


def test_read_wav_other_sample_widths_and_stereo(tmp_path):
    x = tone(0.1)
    # 8-bit unsigned
    _write_raw_wav(
        tmp_path / "u8.wav", np.round(x * 127 + 128).astype(np.uint8).tobytes(), 1, 1, SR
    )
    assert np.abs(audio.read_wav(tmp_path / "u8.wav", SR) - x).max() < 1.5 / 128
    # 24-bit little-endian
    ints = np.round(x * (2**23 - 1)).astype(np.int32)
    raw = np.stack([ints & 0xFF, (ints >> 8) & 0xFF, (ints >> 16) & 0xFF], 1).astype(np.uint8)
    _write_raw_wav(tmp_path / "s24.wav", raw.tobytes(), 3, 1, SR)
    assert np.abs(audio.read_wav(tmp_path / "s24.wav", SR) - x).max() < 1e-6
    # stereo 16-bit: left = x, right = 0 -> the mean
    stereo = np.stack([np.round(x * 32767), np.zeros_like(x)], 1).astype("<i2")
    _write_raw_wav(tmp_path / "st.wav", stereo.tobytes(), 2, 2, SR)
    assert np.abs(audio.read_wav(tmp_path / "st.wav", SR) - x / 2).max() < 1e-4


def test_unreadable_wav_raises_data_error(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x10\x00\x00\x00WAVEnot really a wav file")
    with pytest.raises(DataError):
        audio.read_wav(bad, SR)
    with pytest.raises(DataError):
        audio.read_wav(tmp_path / "missing.wav", SR)
    empty = tmp_path / "empty.wav"
    audio.write_wav(empty, np.zeros(0), SR)
    with pytest.raises(DataError, match="no audio"):
        audio.read_wav(empty, SR)


def test_deemphasis_inverts_preemphasis():
    x = np.random.default_rng(0).standard_normal(3000).astype(np.float32)
    y = audio.deemphasis(x, 0.97)
    expected, previous = np.empty(x.size), 0.0
    for n, value in enumerate(x.astype(np.float64)):
        previous = value + 0.97 * previous
        expected[n] = previous
    assert np.abs(y - expected).max() < 1e-4 * np.abs(expected).max()
    assert np.abs(audio.deemphasis(audio.preemphasis(x, 0.97), 0.97) - x).max() < 1e-5


def test_dtw_path_is_optimal():
    cost = np.random.default_rng(1).random((12, 17))
    best = np.full((13, 18), np.inf)
    best[0, 0] = 0.0
    for i in range(12):
        for j in range(17):
            best[i + 1, j + 1] = cost[i, j] + min(best[i, j], best[i, j + 1], best[i + 1, j])
    rows, cols = audio.dtw_path(cost)
    assert (rows[0], cols[0], rows[-1], cols[-1]) == (0, 0, 11, 16)
    assert np.all(np.diff(rows) >= 0) and np.all(np.diff(cols) >= 0)
    assert np.all(np.diff(rows) + np.diff(cols) >= 1)
    assert cost[rows, cols].sum() == pytest.approx(best[-1, -1])


def test_mel_cepstral_distortion():
    x = tone()
    assert audio.mel_cepstral_distortion(x, x, CONFIG) < 1e-4
    # a change of gain only moves c0, which MCD leaves out (noise: no band sits at the log floor)
    noise = (0.1 * np.random.default_rng(2).standard_normal(SR // 2)).astype(np.float32)
    assert audio.mel_cepstral_distortion(noise, 0.5 * noise, CONFIG) < 1e-3
    # measured 40 dB for tone vs sawtooth
    assert audio.mel_cepstral_distortion(x, sawtooth(), CONFIG) > 10.0


def test_trim_silence_removes_leading_and_trailing_zeros():
    x = tone(0.5)
    padded = np.concatenate([np.zeros(SR // 2, np.float32), x, np.zeros(SR // 3, np.float32)])
    trimmed = audio.trim_silence(padded, CONFIG)
    # a contiguous slice that keeps every sample of the tone and at most a few hops of silence
    assert np.count_nonzero(trimmed) == np.count_nonzero(x)
    assert x.size <= trimmed.size <= x.size + 4 * CONFIG.hop_length
    assert audio.trim_silence(np.zeros(SR, np.float32), CONFIG).size == 0
    assert audio.trim_silence(x, CONFIG).size == x.size


def test_ljspeech_clip_round_trip(shared_data):
    clip = shared_dataset(shared_data, "ljspeech_subset", "wavs", "LJ001-0002.wav")
    x = audio.read_wav(clip, SR)
    assert x.ndim == 1 and 0.05 < np.abs(x).max() <= 1.0
    mel = audio.mel_spectrogram(x, CONFIG)
    assert mel.shape == (1 + x.size // CONFIG.hop_length, CONFIG.n_mels)
    assert 0.0 <= mel.min() and mel.max() <= 1.0
    magnitude = audio.stft_magnitude(x, CONFIG)
    y = audio.griffin_lim(magnitude, CONFIG)
    score = audio.spectral_convergence(magnitude, audio.stft_magnitude(y, CONFIG, emphasise=False))
    assert score < 0.15  # measured 0.091 after 60 iterations
    fast = audio.griffin_lim(magnitude, CONFIG, momentum=0.99)
    fast_score = audio.spectral_convergence(
        magnitude, audio.stft_magnitude(fast, CONFIG, emphasise=False)
    )
    assert fast_score < 0.6 * score  # measured 0.039
    synthesised = audio.linear_to_waveform(audio.linear_spectrogram(x, CONFIG), CONFIG)
    # measured 0.42 dB (5.8 dB with the old synthesis: power 1.5, plain Griffin-Lim)
    assert audio.mel_cepstral_distortion(x, synthesised, CONFIG) < 2.0
