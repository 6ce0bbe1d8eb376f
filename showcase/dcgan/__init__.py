"""Class-conditional DCGAN for digits (Radford et al. 2015; Mirza & Osindero 2014).

In progress: the data loaders and the Keras model exist; training, evaluation, the import API
(``DigitGenerator``) and the UI do not yet (see the README).
"""
