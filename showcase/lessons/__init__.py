"""The lecture companion: the ideas the applications rest on, each computed live.

One module per lesson; each has ``TITLE``, ``EXPLANATION`` (markdown), ``compute(...)`` returning a
result dataclass of plain numbers, and ``figure(result)`` drawing it (matplotlib, no pyplot), so a
notebook can use the numbers or the picture and the UI is a thin layer over both:

    from showcase.lessons import running_mean
    result = running_mean.compute(forgetting=0.9)
    running_mean.figure(result)
"""

LESSONS = (
    "running_mean",
    "overfitting",
    "vanishing_gradient",
    "convolution",
    "feature_maps",
    "memory",
)


def warm_up() -> bool:
    """Compile each training lesson's network once, on the default settings, so a first request
    is as quick as later ones (the hub runs this in the background when it starts)."""
    # Imported here: these lessons import Keras (4.5 s), which importing this package, e.g.
    # `from showcase.lessons import running_mean` (numpy only), should not cost.
    from showcase.lessons import feature_maps, memory, overfitting, vanishing_gradient

    feature_maps.compute()
    overfitting.compute_dropout()
    vanishing_gradient.compute()
    memory.compute()
    return True
