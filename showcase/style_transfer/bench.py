"""What ``showcase bench style_transfer`` loads and times: Gatys optimisation on drawn samples."""

from showcase.style_transfer.samples import landscape, swirls

# Each case is an optimisation of seconds; a few repetitions give a stable median.
MAX_RUNS = 3


def load(checkpoint=None):
    from showcase.style_transfer import StyleTransfer

    StyleTransfer.loss_network()
    return StyleTransfer


def bench_cases(style_transfer):
    content, style = landscape((512, 341)), swirls((512, 341))

    def run(size, iterations):
        return lambda: style_transfer.optimize(content, style, size=size, iterations=iterations)

    return {
        "Gatys 256 px, 100 steps": run(256, 100),
        "Gatys 512 px, 100 steps": run(512, 100),
    }
