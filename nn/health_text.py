"""How a health report reads: its numbers as text, its table, and the same as HTML for a notebook."""
import html

from autograd import shown


def number(x):
    """A number as every view shows it (autograd's `shown`: 4 significant digits), '–' for None.

    >>> number(0.000123456), number(1234.5), number(None)
    ('0.0001235', '1234', '–')
    """
    return "–" if x is None else shown(x)


def percent(x):
    """A fraction as a percentage, its number written by `shown` ('–' for None).

    >>> percent(0.7125), percent(0.0), percent(1.0), percent(None)
    ('71.25%', '0%', '100.0%', '–')
    """
    return "–" if x is None else f"{shown(100.0 * x)}%"


LETTERS_SOUNDING_A_VOWEL = set("AEFHILMNORSX")     # said ay, ee, ef, aitch, eye, el, em, en, oh, ar, es, ex


def with_article(name):
    """The name with 'a' or 'an' as it sounds: a letter at a time for an acronym (MLP: em-el-pee), else by its
    first letter.

    >>> with_article("MLP"), with_article("GPT"), with_article("Mixed"), with_article("Encoder"), with_article("RNN")
    ('an MLP', 'a GPT', 'a Mixed', 'an Encoder', 'an RNN')
    """
    acronym = len(name) > 1 and name[:2].isupper() or len(name) == 1
    vowel = name[:1].upper() in LETTERS_SOUNDING_A_VOWEL if acronym else name[:1].lower() in "aeiou"
    return f"{'an' if vowel else 'a'} {name}"


def table_rows(report):
    """A report's table as rows of text: a header, then one row per layer.

    >>> import random, nn; random.seed(0)
    >>> model = nn.MLP(2, [4, 4, 3], activation="tanh")
    >>> report = nn.health(model, [[0.5, -1.0], [1.0, 0.2]], [0, 2], loss=nn.cross_entropy)
    >>> rows = table_rows(report)
    >>> len(rows), rows[0][:5], rows[1][:5]
    (4, ['layer', 'activation', 'units', 'mean', 'std'], ['layers[0]', 'tanh', '4', '0.2669', '0.3780'])
    """
    header = ["layer", "activation", "units", "mean", "std", "saturated", "dead", "near 0"]
    if report.loss is not None:
        header += ["grad mean", "grad std", "grad:data"]
    rows = [header]
    for layer in report.layers:
        dead = f"{len(layer.dead)}/{layer.units}" if layer.activation == "relu" else "–"
        row = [layer.name, layer.activation, str(layer.units), number(layer.mean), number(layer.std),
               percent(layer.saturated), dead, percent(layer.near_zero)]
        if report.loss is not None:
            row += [number(layer.grad_mean), number(layer.grad_std), number(layer.grad_to_data)]
        rows.append(row)
    return rows


def loss_line(report):
    """A report's loss against chance in one line, or None without a loss.

    >>> import random, nn; random.seed(0)
    >>> model = nn.MLP(2, [4, 4, 3], activation="tanh")
    >>> report = nn.health(model, [[0.5, -1.0], [1.0, 0.2]], [0, 2], loss=nn.cross_entropy)
    >>> loss_line(report)[:60]
    'loss 1.141 (cross_entropy) on this batch of 2; chance 1.099 '
    >>> loss_line(nn.health(model, [[0.5, -1.0]])) is None
    True
    """
    if report.loss is None:
        return None
    line = f"loss {number(report.loss)} ({report.loss_name}) on this batch of {report.samples}"
    if report.chance_loss is None:
        return f"{line}; {report.chance_rule}"
    return f"{line}; chance {number(report.chance_loss)} = {report.chance_rule}"


def as_text(report):
    """A report as text: the title, the table, the loss line and the findings.

    >>> import random, nn; random.seed(0)
    >>> model = nn.MLP(2, [4, 4, 3], activation="tanh")
    >>> report = nn.health(model, [[0.5, -1.0], [1.0, 0.2]], [0, 2], loss=nn.cross_entropy)
    >>> lines = as_text(report).splitlines()
    >>> lines[0], lines[5].startswith("loss 1.141"), lines[6]
    ('Training health of an MLP on 2 samples', True, 'Findings:')
    """
    rows = table_rows(report)
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [f"Training health of {with_article(report.model_name)} on {report.samples} samples"]
    for row in rows:
        cells = [cell.ljust(width) if column < 2 else cell.rjust(width)
                 for column, (cell, width) in enumerate(zip(row, widths))]
        lines.append("  " + "  ".join(cells))
    if loss_line(report):
        lines.append(loss_line(report))
    lines.append("Findings:")
    lines += [f"  - {finding}" for finding in report.findings]
    return "\n".join(lines)


def as_html(report):
    """A report as HTML for a notebook: the same table and findings.

    >>> import random, nn; random.seed(0)
    >>> model = nn.MLP(2, [4, 4, 3], activation="tanh")
    >>> report = nn.health(model, [[0.5, -1.0], [1.0, 0.2]], [0, 2], loss=nn.cross_entropy)
    >>> page = as_html(report)
    >>> page.count("<tr>"), page.count("<li>"), "<b>Training health of an MLP on 2 samples</b>" in page
    (4, 2, True)
    """
    rows = table_rows(report)
    head = "".join(f'<th style="padding:2px 8px;text-align:{"left" if i < 2 else "right"}">{html.escape(c)}</th>'
                   for i, c in enumerate(rows[0]))
    body = "".join("<tr>" + "".join(f'<td style="padding:2px 8px;text-align:{"left" if i < 2 else "right"};'
                                    f'font-family:monospace">{html.escape(c)}</td>' for i, c in enumerate(row))
                   + "</tr>" for row in rows[1:])
    loss = f"<p>{html.escape(loss_line(report))}</p>" if loss_line(report) else ""
    findings = "".join(f"<li>{html.escape(finding)}</li>" for finding in report.findings)
    return (f'<div style="font:14px/1.45 system-ui,sans-serif;max-width:100%">'
            f"<b>Training health of {html.escape(with_article(report.model_name))} on {report.samples} samples</b>"
            f'<table style="border-collapse:collapse;margin:6px 0"><tr>{head}</tr>{body}</table>'
            f"{loss}<b>Findings</b><ul style=\"margin:4px 0\">{findings}</ul></div>")
