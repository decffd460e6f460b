"""Placeholder: explain is being written."""


def explain(*args, **kwargs):
    raise NotImplementedError("explain is not written yet")
