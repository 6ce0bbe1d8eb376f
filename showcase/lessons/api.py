"""The lessons, for the lessons UI (apps/lessons.py) and anyone else importing them.

Each lesson module has ``TITLE``, ``EXPLANATION``, ``compute(...)`` and ``figure(result)`` (see
``showcase.lessons``). Names imported ``as`` themselves below are re-exported: the UI imports from
showcase only this module and showcase.apps.common (tests/platform/test_layering.py).
"""

from __future__ import annotations

from showcase.lessons import LESSONS as LESSONS
from showcase.lessons import convolution as convolution
from showcase.lessons import feature_maps as feature_maps
from showcase.lessons import memory as memory
from showcase.lessons import overfitting as overfitting
from showcase.lessons import running_mean as running_mean
from showcase.lessons import vanishing_gradient as vanishing_gradient
from showcase.lessons import warm_up as warm_up
