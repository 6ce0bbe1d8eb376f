"""Text-to-speech: a Tacotron-style synthesiser (Wang et al. 2017) with Griffin-Lim.

``Synthesizer.from_pretrained().synthesize("text")`` -> (sample rate, float32 waveform).
"""


def __getattr__(name):
    # The text front end and the corpus tools work without importing TensorFlow.
    if name == "Synthesizer":
        from showcase.tts.api import Synthesizer

        return Synthesizer
    raise AttributeError(name)


__all__ = ["Synthesizer"]
