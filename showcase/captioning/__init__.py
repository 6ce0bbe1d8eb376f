"""Image captioning (Show and Tell, Vinyals et al. 2014).

In progress: the synthetic scene generator (``scenes``), the Flickr8k caption loader
(``flickr8k``) and the caption vocabulary (``vocabulary``). Model, training and demo come later.
"""
