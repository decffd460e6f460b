"""Placeholder: animate_backward is being written."""


def animate_backward(*args, **kwargs):
    raise NotImplementedError("animate_backward is not written yet")
