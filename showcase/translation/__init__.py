"""Machine translation: an LSTM encoder-decoder with attention (Sutskever et al. 2014; Luong et
al. 2015), English -> French and English -> German.

``Translator.from_pretrained("en-fr").translate(["..."], beam_size=4)`` -> translations.
"""


def __getattr__(name):
    # The readers and the tokenizer are usable without importing TensorFlow.
    if name == "Translator":
        from showcase.translation.api import Translator

        return Translator
    raise AttributeError(name)


__all__ = ["Translator"]
