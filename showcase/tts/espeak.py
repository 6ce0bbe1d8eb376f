"""Finding and running espeak-ng: the system's ``espeak-ng`` program, else the bundled library.

The text-to-speech demo needs espeak-ng twice: the shipped voice reads its IPA phonemes
(:mod:`showcase.tts.phonemes`), and ``showcase train tts --make-corpus`` has it speak the training
sentences (:mod:`showcase.tts.corpus`). Both go through this module, which picks an engine:

system
    The ``espeak-ng`` executable on PATH (``apt-get install espeak-ng``), run as a separate
    program, exactly as the shipped voice's corpus and phonemes were made (espeak-ng 1.51).
bundled
    The ``libespeak-ng`` shared library and its data that the ``espeakng-loader`` wheel ships
    (espeak-ng 1.52), loaded with ctypes, so ``pip install showcase`` is enough on a machine
    without the Debian package (a Hugging Face Space, macOS, a container).

The system program is used when there is one; the environment variable ``SHOWCASE_ESPEAK``
(``system``, ``bundled`` or ``auto``, the default) forces a choice.

The bundled engine does what the espeak-ng program does with the same library calls, so it
writes the same phonemes and audio: ``espeak_SetPhonemeTrace`` with IPA output and
``espeak_Synth`` for ``-q --ipa`` (one string per clause, the lines the program prints), and a
synthesis callback for ``-w``. ``espeak_TextToPhonemes`` would skip the synthesis but gives other
stress marks on some lone words than the program, so it is not used. espeakng-loader provides only
the library's and the data's paths; the calls are written here because no maintained Python
package binds them: phonemizer (the usual binding) covers phonemes only, through
``espeak_TextToPhonemes``, and rewrites their separators, and there is none for the audio.

espeak-ng keeps its voice, parameters and callbacks in process-wide globals, so every use of the
library holds one lock: the Gradio server calls in from several threads, and a short sentence
takes a few milliseconds.

espeak-ng is GPL-3.0-or-later software; the system program is a separate process, while the
bundled engine loads the wheel's library into the Python process.
"""

from __future__ import annotations

import ctypes
import io
import os
import shutil
import subprocess
import tempfile
import threading
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from showcase.errors import DataError

PROGRAM = "espeak-ng"
ENV = "SHOWCASE_ESPEAK"  # "system", "bundled" or "auto" (the default)
ENGINES = ("system", "bundled")
NOT_INSTALLED = (
    "espeak-ng is not installed; pip install espeakng-loader (or on Debian/Ubuntu: "
    "sudo apt-get install espeak-ng, macOS: brew install espeak-ng)"
)
NO_PROGRAM = (  # with SHOWCASE_ESPEAK=system
    "espeak-ng is not installed; on Debian/Ubuntu: sudo apt-get install espeak-ng "
    "(macOS: brew install espeak-ng)"
)
NO_LIBRARY = (
    f"espeak-ng is not installed: {ENV}=bundled asks for the library of the espeakng-loader "
    "package, which is missing or cannot be loaded; pip install espeakng-loader"
)
DEFAULT_WORDS_PER_MINUTE = 175  # espeak-ng's own default speed
SECONDS_PER_SENTENCE = 60  # a generous timeout for speaking one sentence with the program
_SECONDS_PER_LINE = 0.05  # the program phonemises about a thousand short lines a second
_MIN_TIMEOUT = 30.0


def engine() -> str:
    """Which espeak-ng the next call uses, "system" or "bundled"; DataError when there is none."""
    choice = os.environ.get(ENV, "").strip().lower() or "auto"
    if choice not in (*ENGINES, "auto"):
        raise DataError(f"{ENV} must be 'system', 'bundled' or 'auto', not {choice!r}")
    if choice != "bundled" and shutil.which(PROGRAM) is not None:
        return "system"
    if choice == "system":
        raise DataError(NO_PROGRAM)
    if _Library.get() is not None:
        return "bundled"
    raise DataError(NO_LIBRARY if choice == "bundled" else NOT_INSTALLED)


def available() -> bool:
    """Whether espeak-ng can run here (the program on PATH or the bundled library)."""
    try:
        engine()
    except DataError:
        return False
    return True


def version() -> str | None:
    """The version of the espeak-ng that runs ("1.51"), or None when there is none that answers."""
    try:
        chosen = engine()
    except DataError:
        return None
    if chosen == "bundled":
        return _Library.get().version
    try:
        out = subprocess.run(
            [shutil.which(PROGRAM) or PROGRAM, "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    # "eSpeak NG text-to-speech: 1.51  Data at: /usr/lib/x86_64-linux-gnu/espeak-ng-data"
    words = out.split("text-to-speech:", 1)[-1].split()
    return words[0] if words else None


def ipa_lines(lines: Sequence[str], voice: str) -> list[str]:
    """What ``espeak-ng -q --ipa -v VOICE`` prints for ``lines`` read together: one line of IPA
    per clause (a line that ends a sentence ends a clause; espeak-ng may split a long one)."""
    if not lines:
        return []
    text = "\n".join(lines)
    if engine() == "bundled":
        return _Library.get().ipa(text, voice)
    timeout = max(_MIN_TIMEOUT, _SECONDS_PER_LINE * len(lines))
    command = [_program(), "-q", "--ipa", "-v", voice, "--stdin"]
    try:
        result = subprocess.run(
            command, input=text.encode("utf-8"), capture_output=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise DataError(f"espeak-ng took over {timeout:.0f} s to phonemise the text") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise DataError(f"espeak-ng could not phonemise with voice {voice!r}: {message}")
    return result.stdout.decode("utf-8", "replace").splitlines()


def speak(
    text: str, voice: str, words_per_minute: int = DEFAULT_WORDS_PER_MINUTE
) -> tuple[np.ndarray, int]:
    """espeak-ng's audio of ``text``: int16 mono samples and their rate (22,050 Hz).

    Like ``espeak-ng -v VOICE -s WPM -w out.wav``. DataError when nothing is said.
    """
    if not text.strip():
        raise DataError(f"espeak-ng wrote no audio for {text!r}")
    if engine() == "bundled":
        samples, rate = _Library.get().speak(text, voice, words_per_minute)
    else:
        samples, rate = _program_speak(text, voice, words_per_minute)
    if samples.size == 0:
        raise DataError(f"espeak-ng wrote no audio for {text!r}")
    return samples, rate


def _program() -> str:
    exe = shutil.which(PROGRAM)
    if exe is None:
        raise DataError(NOT_INSTALLED)
    return exe


def _program_speak(text: str, voice: str, words_per_minute: int) -> tuple[np.ndarray, int]:
    # The text goes in on stdin, so a sentence starting with "-" is never read as an option; the
    # wav comes back on stdout, whose header cannot give the length (it is read to the end).
    command = [_program(), "-v", voice, "-s", str(words_per_minute), "--stdout", "--stdin"]
    try:
        result = subprocess.run(
            command, input=text.encode("utf-8"), capture_output=True, timeout=SECONDS_PER_SENTENCE
        )
    except FileNotFoundError:
        raise DataError(NOT_INSTALLED) from None
    except subprocess.TimeoutExpired:
        raise DataError(f"espeak-ng took over {SECONDS_PER_SENTENCE} s on {text!r}") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        detail = message.splitlines()[0] if message else f"exit status {result.returncode}"
        raise DataError(f"espeak-ng failed (voice {voice!r}) on {text!r}: {detail}")
    if not result.stdout:
        return np.zeros(0, np.int16), 22050
    try:
        with wave.open(io.BytesIO(result.stdout), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            data = wav.readframes(wav.getnframes())
    except (EOFError, wave.Error) as err:
        raise DataError(f"espeak-ng wrote no readable audio for {text!r}: {err}") from None
    if channels != 1 or width != 2:
        raise DataError(
            f"espeak-ng wrote {channels}-channel {8 * width}-bit audio, not 16-bit mono"
        )
    return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").copy(), rate


# ---------------------------------------------------------------------------------------------
# The bundled library (espeak-ng's speak_lib.h and espeak-ng.h)

_ENOUTPUT_MODE_SYNCHRONOUS = 0x0001
_POS_CHARACTER = 1
# The program's flags: espeakCHARS_AUTO | espeakPHONEMES ([[...]] read as phonemes) | espeakENDPAUSE
_SYNTH_FLAGS = 0x0000 | 0x0100 | 0x1000
_PHONEMES_IPA = 0x02  # espeak_SetPhonemeTrace: IPA phoneme names, as ``--ipa``
_ESPEAK_RATE = 1  # espeak_PARAMETER espeakRATE
_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)
_PHONEME_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p)
# espeak-ng copies its data path into a 160-byte buffer without a check (1.52), so a longer path
# (a deep virtualenv) is reached through a short link in the temporary folder instead.
_MAX_DATA_PATH = 120


class _Library:
    """The bundled libespeak-ng, initialised once; every call holds ``_lock``."""

    _lock = threading.Lock()
    _loaded: _Library | None = None
    _failed = False

    @classmethod
    def get(cls) -> _Library | None:
        """The library, or None when espeakng-loader is missing or its library does not load."""
        with cls._lock:
            if cls._loaded is None and not cls._failed:
                try:
                    cls._loaded = cls()
                except (ImportError, OSError, RuntimeError, AttributeError):
                    cls._failed = True
            return cls._loaded

    def __init__(self) -> None:
        # Optional (a system espeak-ng program can stand in): missing, get() returns None and
        # the caller says NOT_INSTALLED or NO_LIBRARY.
        import espeakng_loader

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data = espeakng_loader.get_data_path()
        if len(data) > _MAX_DATA_PATH:
            link = Path(tempfile.mkdtemp(prefix="espeak")) / "espeak-ng-data"
            link.symlink_to(data, target_is_directory=True)
            data = str(link)
        lib.espeak_ng_InitializePath.argtypes = [ctypes.c_char_p]
        lib.espeak_ng_Initialize.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
        lib.espeak_ng_ClearErrorContext.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
        lib.espeak_ng_GetStatusCodeMessage.argtypes = [
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_size_t,
        ]
        lib.espeak_ng_InitializeOutput.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p]
        lib.espeak_ng_GetSampleRate.restype = ctypes.c_int
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK]
        lib.espeak_SetPhonemeCallback.argtypes = [_PHONEME_CALLBACK]
        lib.espeak_SetPhonemeTrace.argtypes = [ctypes.c_int, ctypes.c_void_p]
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        # espeak_Initialize would exit the whole process when the data is missing; these two
        # calls report it instead (as the espeak-ng program does).
        lib.espeak_ng_InitializePath(data.encode())
        context = ctypes.c_void_p()
        status = lib.espeak_ng_Initialize(ctypes.byref(context))
        if status != 0:
            message = ctypes.create_string_buffer(512)
            lib.espeak_ng_GetStatusCodeMessage(status, message, len(message))
            lib.espeak_ng_ClearErrorContext(ctypes.byref(context))
            raise RuntimeError(message.value.decode("utf-8", "replace"))
        if lib.espeak_ng_InitializeOutput(_ENOUTPUT_MODE_SYNCHRONOUS, 0, None) != 0:
            raise RuntimeError("espeak-ng's synchronous output did not start")
        self._lib = lib
        self.version = lib.espeak_Info(None).decode()  # "1.52.0"
        self.rate = lib.espeak_ng_GetSampleRate()
        # The phoneme trace must go to a stream; each clause's IPA comes back through the phoneme
        # callback, so the stream is the null device.
        libc = ctypes.CDLL(None)
        libc.fopen.restype = ctypes.c_void_p
        libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        self._null = libc.fopen(os.devnull.encode(), b"w")
        if not self._null:
            raise RuntimeError(f"cannot open {os.devnull}")
        self._chunks: list[np.ndarray] = []
        self._clauses: list[str] = []
        self._keep_audio = False
        # ctypes frees a callback whose Python object is gone, so both stay on the instance.
        self._synth_callback = _SYNTH_CALLBACK(self._on_audio)
        self._phoneme_callback = _PHONEME_CALLBACK(self._on_phonemes)
        lib.espeak_SetSynthCallback(self._synth_callback)
        lib.espeak_SetPhonemeCallback(self._phoneme_callback)

    def _on_audio(self, wav, count: int, events) -> int:
        if self._keep_audio and wav and count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0  # go on

    def _on_phonemes(self, phonemes: bytes | None) -> int:
        if self._keep_audio is False and phonemes is not None:
            self._clauses.append(phonemes.decode("utf-8", "replace"))
        return 0

    def _set_voice(self, voice: str) -> bool:
        # By name only: the program's fallback (the closest voice for a language) picks some
        # voice for any name in 1.52, and a misspelt voice should be an error, not a surprise.
        return self._lib.espeak_SetVoiceByName(voice.encode()) == 0

    def _synth(self, text: str) -> None:
        data = text.replace("\0", " ").encode("utf-8") + b"\0"
        # A fixed seed for espeak-ng's random numbers (1.52) at each call. The phase of its pitch
        # flutter is a static in the library that no call resets, though, so in one process the
        # audio of a text varies from call to call by a few samples of length (the program
        # starts afresh each time); the phonemes never do.
        self._lib.espeak_ng_SetRandSeed(1)
        self._lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _SYNTH_FLAGS, None, None)
        self._lib.espeak_Synchronize()

    def ipa(self, text: str, voice: str) -> list[str]:
        with self._lock:
            if not self._set_voice(voice):
                raise DataError(
                    f"espeak-ng could not phonemise with voice {voice!r}: no such voice"
                )
            self._lib.espeak_SetParameter(_ESPEAK_RATE, DEFAULT_WORDS_PER_MINUTE, 0)
            self._lib.espeak_SetPhonemeTrace(_PHONEMES_IPA, self._null)
            self._clauses, self._keep_audio = [], False
            try:
                self._synth(text)
                return self._clauses
            finally:
                self._lib.espeak_SetPhonemeTrace(0, self._null)
                self._clauses = []

    def speak(self, text: str, voice: str, words_per_minute: int) -> tuple[np.ndarray, int]:
        with self._lock:
            if not self._set_voice(voice):
                message = f"espeak-ng failed (voice {voice!r}) on {text!r}: no such voice"
                raise DataError(message)
            self._lib.espeak_SetParameter(_ESPEAK_RATE, int(words_per_minute), 0)
            self._lib.espeak_SetPhonemeTrace(0, self._null)
            self._chunks, self._keep_audio = [], True
            try:
                self._synth(text)
                chunks = self._chunks
            finally:
                self._chunks, self._keep_audio = [], False
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
        return samples.astype(np.int16, copy=False), self.rate
