"""Text-to-speech: a Tacotron-style synthesiser (Wang et al. 2017) with Griffin-Lim."""
