"""User-facing errors: the CLI prints their message on one line (exit 2); the UI shows gr.Error."""


class ShowcaseError(Exception):
    """An error whose message is written for the person using showcase, not for a developer."""


class DataError(ShowcaseError):
    """A dataset or input file is missing, unreadable or malformed."""


class CheckpointError(ShowcaseError):
    """A checkpoint is missing, corrupt or unsafe to load."""


class DownloadError(ShowcaseError):
    """A remote file could not be fetched or failed its hash check."""


class InputError(ShowcaseError):
    """A value given to a model (text, image, slider) cannot be used."""
