"""Rich display in notebooks: compact HTML for a Value, a model and an explanation (plain repr stays as is).

Jupyter, JupyterLab, VS Code and Colab call `_repr_html_`; `Value._repr_html_`, `Explanation._repr_html_`
and `nn.Module._repr_html_` hand over to the functions here. Everything is inline HTML with inline
styles (no scripts, no stylesheets), every piece of text escaped, and readable on light and dark themes.
"""
import html
import math

from .text import op_label, shown

BOX = ("display:inline-block;border:1px solid #c9d1d9;border-radius:6px;padding:4px 10px;"
       "font:13px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif")
MONO = "font-family:ui-monospace,Menlo,Consolas,'DejaVu Sans Mono',monospace"
MUTED = "opacity:.7"


def value_html(value):
    """One line of HTML about a Value: its label, data, grad (coloured by sign) and the op that made it.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x<1>"); y = x * x; y.backward()
    >>> text = value_html(x)
    >>> "x&lt;1&gt;" in text, "4.000" in text, "leaf" in text, "×" in value_html(y)
    (True, True, True, True)
    """
    name = f"<b>{_escape(value.label)}</b> " if value.label else "<b>Value</b> "
    if value.is_leaf():
        made = "leaf"
    else:
        parents = len(set(value.parents))
        made = (f"made by <span style=\"{MONO}\">{_escape(op_label(value))}</span> from {parents} "
                f"Value{'s' if parents != 1 else ''}")
    return (f'<div style="{BOX}" title="{_escape(repr(value))}">{name}'
            f'data <span style="{MONO}">{_escape(shown(value.data))}</span> &nbsp; '
            f'grad <span style="{MONO};{_grad_style(value.grad)}">{_escape(shown(value.grad))}</span>'
            f' &nbsp; <span style="{MUTED}">{made}</span></div>')


def module_html(model):
    """A model's summary as HTML: its repr, its parameter count, and per part the range of the
    parameters' data and the largest |grad| (how big the gradients are after backward()).

    >>> import random; random.seed(0)
    >>> from nn import MLP
    >>> text = module_html(MLP(2, [3, 1]))
    >>> "13 parameters" in text, "layers[0]" in text, "max |grad|" in text
    (True, True, True)
    """
    named = model.named_parameters()
    parts = {}
    for path, value in named:
        pieces = str(path).split(".")
        key = ".".join(pieces[:2]) if len(pieces) > 2 and pieces[1].isdigit() else pieces[0]
        parts.setdefault(key, []).append(value)
    rows = []
    for key, values in parts.items():
        data = [v.data for v in values]
        grads = [abs(v.grad) for v in values if not math.isnan(v.grad)]
        rows.append(f'<tr><td style="{MONO};padding:1px 12px 1px 0">{_escape(_bracketed(key))}</td>'
                    f'<td style="text-align:right;padding:1px 12px">{len(values)}</td>'
                    f'<td style="{MONO};padding:1px 12px">{_escape(shown(min(data)))} … '
                    f'{_escape(shown(max(data)))}</td>'
                    f'<td style="{MONO};text-align:right;padding:1px 0 1px 12px">'
                    f'{_escape(shown(max(grads, default=0.0)))}</td></tr>')
    lines = repr(model).splitlines() or [type(model).__name__]
    head = lines[0] if len(named) else f"{lines[0]} (no parameters)"
    table = ""
    if rows:
        table = (f'<table style="border-collapse:collapse;margin-top:4px;font-size:12px">'
                 f'<tr style="{MUTED}"><th style="text-align:left;font-weight:600">part</th>'
                 f'<th style="font-weight:600;padding:0 12px">params</th>'
                 f'<th style="font-weight:600;padding:0 12px">data</th>'
                 f'<th style="font-weight:600;text-align:right">max |grad|</th></tr>{"".join(rows)}</table>')
    inner = "".join(f"<div style=\"{MONO};font-size:12px;white-space:pre\">{_escape(line)}</div>"
                    for line in lines[1:] if not line.strip().endswith("parameters"))
    return (f'<div style="{BOX}"><b style="{MONO}">{_escape(head)}</b> &nbsp; '
            f'<span style="{MUTED}">{len(named)} parameters</span>{inner}{table}</div>')


def explanation_html(parts):
    """explain()'s text as HTML: prose as paragraphs, the δ rows as a two-column table (the equation,
    then why), the paths, and the answer highlighted.

    >>> page = explanation_html([("table", "Backward pass:", [("δ(y) = 1", "(the output)")]),
    ...                          ("answer", "∂y/∂y = δ(y) = 1.000")])
    >>> page.count("<tr>"), "border-left:4px solid" in page
    (1, True)
    """
    out = [f'<div style="font:14px/1.5 system-ui,-apple-system,\'Segoe UI\',sans-serif;max-width:100%">']
    for kind, *content in parts:
        if kind == "prose":
            out.append(f'<p style="margin:6px 0">{_escape(content[0])}</p>')
        elif kind == "listing":
            heading, lines = content
            out.append(f'<div style="margin:8px 0 2px;font-weight:600">{_escape(heading)}</div>'
                       f'<pre style="margin:0 0 0 1em;{MONO};font-size:13px">{_escape(chr(10).join(lines))}</pre>')
        elif kind == "table":
            heading, rows = content
            cells = "".join(f'<tr><td style="{MONO};font-size:13px;white-space:pre;padding:1px 18px 1px 0;'
                            f'vertical-align:top;text-align:left">{_escape(text)}</td>'
                            f'<td style="font-size:13px;{MUTED};vertical-align:top;text-align:left">'
                            f'{_escape(why)}</td></tr>' for text, why in rows)
            out.append(f'<div style="margin:8px 0 2px;font-weight:600">{_escape(heading)}</div>'
                       f'<table style="border-collapse:collapse;margin-left:1em">{cells}</table>')
        elif kind == "paths":
            header, lines, prose = content
            listing = (f'<pre style="margin:0 0 0 1em;{MONO};font-size:13px">{_escape(chr(10).join(lines))}</pre>'
                       if lines else "")
            out.append(f'<div style="margin:8px 0 2px">{_escape(header)}</div>{listing}'
                       f'<p style="margin:4px 0">{_escape(prose)}</p>')
        elif kind == "answer":
            out.append(f'<div style="margin:10px 0 4px;padding:6px 12px;border-left:4px solid #e8a33d;'
                       f'background:#fff4dc;color:#1f2328;font-weight:700;{MONO};font-size:14px">'
                       f'{_escape(content[0])}</div>')
    out.append("</div>")
    return "".join(out)


def _grad_style(grad):
    """Blue for a positive gradient, red for a negative one (as in the drawings), none for zero."""
    if math.isnan(grad) or grad == 0.0:
        return ""
    colour = "#2166ac" if grad > 0 else "#b2182b"
    return f"color:#fff;background:{colour};border-radius:3px;padding:0 3px"


def _bracketed(path):
    """'layers.0' -> 'layers[0]': a part of a model named as the drawings name it."""
    text = ""
    for piece in path.split("."):
        text += f"[{piece}]" if piece.isdigit() else (("." if text else "") + piece)
    return text


def _escape(text):
    return html.escape(str(text), quote=True)

