"""Pure-Python layered layout of a graph, shared by the drawings and the step-through page.

Nodes go into ranks (columns, for left to right) by their longest path from the leaves; each leaf sits
just before its first user. An edge that spans several ranks gets a bend point in each rank it crosses,
so it runs between the boxes instead of through them. The order inside each rank comes from barycentre
sweeps (each node moves towards the mean position of its neighbours), and the sweep with the fewest
crossings wins. Groups (the boxes around a neuron) are kept as solid blocks, in one order in every rank
they span, so two groups never overlap. Coordinates come from two packings, one pulling down and one
pulling up towards the neighbours, averaged. Everything is ordered by the input order, so the same graph
always gets the same layout. No Graphviz, no randomness.
"""
DIRECTIONS = ("LR", "TB", "RL", "BT")


class Route:
    """One edge, drawn: the SVG path, its arrowhead and where its label goes (all in picture coordinates)."""

    __slots__ = ("path", "arrow", "label_x", "label_y", "label_anchor")

    def __init__(self, path, arrow, label_x, label_y, label_anchor):
        self.path, self.arrow = path, arrow
        self.label_x, self.label_y, self.label_anchor = label_x, label_y, label_anchor


class Layout:
    """Where everything goes: `boxes` {node: (x, y, width, height)}, `routes` {edge key: Route},
    `groups` [(title, (x, y, width, height))], the picture's `width` and `height`, the `ranks`
    (the nodes of each rank, in order) and the number of edge `crossings` left."""

    def __init__(self, boxes, routes, groups, width, height, ranks, crossings):
        self.boxes, self.routes, self.groups = boxes, routes, groups
        self.width, self.height, self.ranks, self.crossings = width, height, ranks, crossings


class _Bend:
    """A bend point of a long edge in a rank it crosses."""

    __slots__ = ("edge", "rank")

    def __init__(self, edge, rank):
        self.edge, self.rank = edge, rank


def layered(nodes, edges, sizes, groups=(), direction="LR", *, rank_gap=None, node_gap=16, bend_gap=8,
            port_gap=10, approach=0, margin=12, group_pad=8, group_title=18, sweeps=10):
    """Lay out a graph whose `nodes` come parents first (as `naming.graph_values` gives them).

    `edges` is a list of (parent, child, key), one per use; `sizes` {node: (width, height)} on the
    picture; `groups` a list of (title, member nodes) drawn as boxes; `direction` is 'LR' (left to
    right), 'TB', 'RL' or 'BT'. A node with k incoming edges is made tall enough (wide enough, top to
    bottom) for k ports `port_gap` apart; each edge ends with a straight run of `approach` before its
    port, the place for its label. The work is done in five phases, one function each: `_ranks`,
    `_bends`, `_order` (with the sizes across the ranks from `_across_sizes`), `_coordinates` and
    `_routes`.
    >>> a, b, c = "a", "b", "c"
    >>> lay = layered([a, b, c], [(a, c, 0), (b, c, 1)], {a: (40, 20), b: (40, 20), c: (40, 20)})
    >>> [lay.boxes[n][0] for n in (a, b, c)], lay.crossings
    ([12.0, 12.0, 92.0], 0)
    >>> layered([a, b, c], [(a, c, 0), (b, c, 1)], {a: (40, 20), b: (40, 20), c: (40, 20)}).boxes == lay.boxes
    True
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"layout: direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
    across_is_y = direction in ("LR", "RL")
    if rank_gap is None:
        rank_gap = approach + 40
    index = {node: i for i, node in enumerate(nodes)}
    edges = [(p, c, key) for p, c, key in edges if p in index and c in index]
    graph = _ranks(nodes, edges, groups, index)
    _bends(graph, edges, index)
    graph.across = _across_sizes(graph, sizes, across_is_y, port_gap)
    graph.along = {e: _along_size(e, sizes, across_is_y) for e in graph.elements}
    ordering = _Ordering(graph, node_gap, bend_gap, group_pad, group_title if across_is_y else 0.0)
    count, arrangement, tops, top = _order(graph, ordering, index, sweeps)
    place = _coordinates(graph, arrangement, tops, top, direction, rank_gap, margin, group_title)
    routes = _routes(graph, top, place, approach)
    group_boxes = _group_boxes(graph, arrangement, place, group_pad, group_title)
    width, height = (place.along_total, place.across_total) if across_is_y else (place.across_total,
                                                                                 place.along_total)
    ranks = [[e for e in order if type(e) is not _Bend] for order in arrangement.orders]
    return Layout(place.boxes, routes, group_boxes, width, height, ranks, count)


class _Graph:
    """What the phases learn about the graph, phase by phase: the nodes' `rank`s, `incoming` and
    `outgoing` neighbours, the group of each node (`group_of`, into `group_list`), and after `_bends`
    the `chains` of the edges, every node and bend (`elements`, `order_of` a fixed tiebreak) with its
    neighbours `up` and `down` one rank away, and their sizes `across` and `along` the ranks."""

    def __init__(self, nodes, incoming, outgoing, rank, group_of, group_list, rank_count):
        self.nodes, self.incoming, self.outgoing, self.rank = nodes, incoming, outgoing, rank
        self.group_of, self.group_list, self.rank_count = group_of, group_list, rank_count
        self.chains = self.order_of = self.elements = self.up = self.down = self.across = self.along = None


# ---- phase 1: ranks ----------------------------------------------------------------------------
def _ranks(nodes, edges, groups, index):
    """Each node's rank (column, left to right): one after its latest non-leaf parent, a leaf just before
    its first user; groups that feed each other in ranks of their own; the lowest rank 0."""
    incoming = {node: [] for node in nodes}
    outgoing = {node: [] for node in nodes}
    for p, c, key in edges:
        incoming[c].append(p)
        outgoing[p].append(c)
    rank = {}
    for node in nodes:                                         # parents come first
        inner = [rank[p] for p in incoming[node] if incoming[p]]
        rank[node] = 1 + max(inner, default=0) if incoming[node] else 0
    for node in nodes:
        if not incoming[node] and outgoing[node]:
            rank[node] = min(rank[c] for c in outgoing[node]) - 1
    group_of = {}
    group_list = []
    for title, members in groups:
        members = [m for m in members if m in index and m not in group_of]
        if members:
            for m in members:
                group_of[m] = len(group_list)
            group_list.append((title, members))
    if group_list:
        _separate_groups(nodes, rank, group_of, incoming, outgoing)
    low = min(rank.values(), default=0)
    for node in nodes:
        rank[node] -= low
    rank_count = max(rank.values(), default=0) + 1
    return _Graph(nodes, incoming, outgoing, rank, group_of, group_list, rank_count)


# ---- phase 2: bends, the chain of points of each edge ---------------------------------------------
def _bends(graph, edges, index):
    """Give an edge that spans several ranks a bend in each rank between (inside a group where the edge
    leaves or enters one); sets graph.chains, .order_of, .elements, .up and .down."""
    rank, group_of = graph.rank, graph.group_of
    spans = {}
    for node, g in group_of.items():
        low_rank, high_rank = spans.get(g, (rank[node], rank[node]))
        spans[g] = (min(low_rank, rank[node]), max(high_rank, rank[node]))
    order_of = dict(index)                                     # a fixed tiebreak for every element
    chains = []
    for p, c, key in edges:
        chain = [p]
        for r in range(rank[p] + 1, rank[c]):
            bend = _Bend(key, r)
            order_of[bend] = len(order_of)
            rank[bend] = r
            if p in group_of and r <= spans[group_of[p]][1]:    # inside the group it leaves or enters
                group_of[bend] = group_of[p]
            elif c in group_of and r >= spans[group_of[c]][0]:
                group_of[bend] = group_of[c]
            chain.append(bend)
        chain.append(c)
        chains.append((p, c, key, chain))
    elements = list(order_of)
    up = {e: [] for e in elements}                             # neighbours in the rank before / after
    down = {e: [] for e in elements}
    for _, _, _, chain in chains:
        for u, v in zip(chain, chain[1:]):
            down[u].append(v)
            up[v].append(u)
    graph.chains, graph.order_of, graph.elements, graph.up, graph.down = chains, order_of, elements, up, down


def _along_size(e, sizes, across_is_y):
    """How much room a node (or bend: none) takes along the rank axis."""
    if type(e) is _Bend:
        return 0.0
    w, h = sizes[e]
    return float(w if across_is_y else h)


def _across_sizes(graph, sizes, across_is_y, port_gap):
    """{element: its size across the ranks}: a bend is thin; a node has room for a port per incoming edge."""
    across = {}
    for e in graph.elements:
        if type(e) is _Bend:
            across[e] = 2.0
        else:
            w, h = sizes[e]
            base = float(h if across_is_y else w)
            across[e] = max(base, (len(graph.incoming[e]) + 1) * port_gap)
    return across


# ---- phase 3: the order inside each rank ---------------------------------------------------------
def _order(graph, ordering, index, sweeps):
    """(crossings, arrangement, unit tops, element tops) of the best of `sweeps` barycentre sweeps: each
    sweep orders the ranks by keys, places the units, pulls them towards their neighbours, counts the
    crossings, and takes new keys from the neighbours' centres (parents, children, both in turn)."""
    elements, across, up, down = graph.elements, graph.across, graph.up, graph.down
    child_index = {key: index[c] for _, c, key, _ in graph.chains}
    keys = {e: (float(graph.order_of[e]) if type(e) is not _Bend else child_index[e.edge] - 0.5)
            for e in elements}
    best = None
    for sweep in range(sweeps):
        arrangement = ordering.arrange(keys)
        tops = ordering.tops_for(arrangement, {})
        top = ordering.element_tops(arrangement, tops)
        for _ in range(3):                                     # pull each unit towards its neighbours
            tops = ordering.tops_for(arrangement, ordering.wanted_tops(arrangement, top))
            top = ordering.element_tops(arrangement, tops)
        count = ordering.crossings(arrangement, top)
        if best is None or count < best[0]:
            best = (count, arrangement, tops, top)
        if count == 0:
            break
        neighbours_of = (up, down, None)[sweep % 3]            # sweep by parents, by children, by both
        centre = {e: top[e] + across[e] / 2 for e in elements}
        keys = {}
        for e in elements:
            around = up[e] + down[e] if neighbours_of is None else neighbours_of[e]
            keys[e] = sum(centre[n] for n in around) / len(around) if around else centre[e]
    return best


class _Ordering:
    """Orders and places the units of the ranks: a node or bend alone, or a group as one solid block."""

    def __init__(self, graph, node_gap, bend_gap, group_pad, title_room):
        self.graph, self.node_gap, self.bend_gap = graph, node_gap, bend_gap
        self.group_pad, self.title_room = group_pad, title_room
        elements, group_of = graph.elements, graph.group_of
        # A unit is ("g", group number) or ("e", the element's tiebreak number): numbers, never nodes, so
        # comparing units never compares Values (whose == compares data).
        self.unit_of = {e: ("g", group_of[e]) if e in group_of else ("e", graph.order_of[e]) for e in elements}
        self.element_of = {unit: e for e, unit in self.unit_of.items() if unit[0] == "e"}
        self.first_order = {}
        for e in elements:
            self.first_order.setdefault(self.unit_of[e], graph.order_of[e])
        self.group_ranks = {}
        for e, gi in group_of.items():
            self.group_ranks.setdefault(gi, set()).add(graph.rank[e])
        self.by_rank = [[] for _ in range(graph.rank_count)]
        for e in elements:
            self.by_rank[graph.rank[e]].append(e)

    def gap(self, a, b):
        return self.bend_gap if type(a) is _Bend and type(b) is _Bend else self.node_gap

    def arrange(self, keys):
        """Order each rank by the keys (a group as one block) and stack each group's members."""
        graph, unit_of = self.graph, self.unit_of
        sums = {}
        for e in graph.elements:
            total, count = sums.get(unit_of[e], (0.0, 0))
            sums[unit_of[e]] = (total + keys[e], count + 1)
        unit_key = {u: (total / count, self.first_order[u]) for u, (total, count) in sums.items()}
        orders = [sorted(members, key=lambda e: (unit_key[unit_of[e]], keys[e], graph.order_of[e]))
                  for members in self.by_rank]
        offset, band = self._stack_groups(orders)
        above = {}                                             # unit -> [(unit just above it, space)]
        for r, order in enumerate(orders):
            units = []
            for e in order:
                if not units or units[-1][0] != unit_of[e]:
                    units.append((unit_of[e], e))
            present = {u for u, _ in units}
            for gi, spanned in self.group_ranks.items():       # a group also spans the ranks in between
                if ("g", gi) not in present and min(spanned) < r < max(spanned):
                    units.append((("g", gi), None))
            units.sort(key=lambda item: unit_key[item[0]])
            for (u, e), (v, f) in zip(units, units[1:]):
                space = self.gap(e, f) if u[0] == "e" and v[0] == "e" else self.node_gap
                above.setdefault(v, []).append((u, space))
        below = {}
        for v, items in above.items():
            for u, space in items:
                below.setdefault(u, []).append((v, space))
        return _Arrangement(orders, offset, band, sorted(unit_key, key=unit_key.get), above, below)

    def _stack_groups(self, orders):
        """({member: its place inside its group's band}, {group: the band's size across the ranks})."""
        across, group_of = self.graph.across, self.graph.group_of
        offset, band = {}, {}
        for gi in range(len(self.graph.group_list)):
            stacks = []
            for r in sorted(self.group_ranks[gi]):
                height, previous = 0.0, None
                members = [e for e in orders[r] if group_of.get(e) == gi]
                for e in members:
                    height += self.gap(previous, e) if previous is not None else 0.0
                    offset[e] = height
                    height += across[e]
                    previous = e
                stacks.append((members, height))
            inner = max(height for _, height in stacks)
            band[gi] = inner + 2 * self.group_pad + self.title_room
            for members, height in stacks:                     # each rank centred in the band
                for e in members:
                    offset[e] += self.title_room + self.group_pad + (inner - height) / 2
        return offset, band

    def extent(self, arrangement, u):
        return arrangement.band[u[1]] if u[0] == "g" else self.graph.across[self.element_of[u]]

    def tops_for(self, arrangement, desired):
        """Tops of the units: packed downwards and upwards towards `desired`, then averaged."""
        down_tops = {}
        for u in arrangement.units:
            lower = max((down_tops[a] + self.extent(arrangement, a) + space
                         for a, space in arrangement.above.get(u, [])), default=None)
            wanted = [x for x in (lower, desired.get(u)) if x is not None]
            down_tops[u] = max(wanted) if wanted else 0.0
        up_tops = {}
        for u in reversed(arrangement.units):
            upper = min((up_tops[b] - space - self.extent(arrangement, u)
                         for b, space in arrangement.below.get(u, [])), default=None)
            want = desired.get(u, down_tops[u])
            up_tops[u] = want if upper is None else min(want, upper)
        return {u: (down_tops[u] + up_tops[u]) / 2 for u in arrangement.units}

    def element_tops(self, arrangement, tops):
        return {e: tops[self.unit_of[e]] + arrangement.offset.get(e, 0.0) for e in self.graph.elements}

    def wanted_tops(self, arrangement, top):
        """Each unit's top if its elements sat level with the mean of their neighbours outside it."""
        graph, unit_of, across = self.graph, self.unit_of, self.graph.across
        wants = {}
        for e in graph.elements:
            neighbours = [top[n] + across[n] / 2 for n in graph.up[e] + graph.down[e] if unit_of[n] != unit_of[e]]
            if neighbours:
                centre = sum(neighbours) / len(neighbours)
                wants.setdefault(unit_of[e], []).append(centre - across[e] / 2 - arrangement.offset.get(e, 0.0))
        return {u: sum(t) / len(t) for u, t in wants.items()}

    def crossings(self, arrangement, top):
        graph, across = self.graph, self.graph.across
        total = 0
        for r in range(graph.rank_count - 1):
            pairs = sorted((top[u] + across[u] / 2, top[v] + across[v] / 2)
                           for u in arrangement.orders[r] for v in graph.down[u])
            total += _inversions([b for _, b in pairs])
        return total


class _Arrangement:
    """One ordering of the ranks: the orders, members' offsets in their groups, the group bands, and
    the units in key order with the unit just above / below each in some rank."""

    __slots__ = ("orders", "offset", "band", "units", "above", "below")

    def __init__(self, orders, offset, band, units, above, below):
        self.orders, self.offset, self.band, self.units = orders, offset, band, units
        self.above, self.below = above, below


# ---- phase 4: coordinates ------------------------------------------------------------------------
class _Place:
    """Where the ranks start along the rank axis (`rank_start`, `rank_size`), the `shift` that puts the
    top at the margin, the picture's `along_total` and `across_total`, `to_xy` (rank axis, across axis ->
    picture x, y), each node's `boxes` rectangle and `start_of` along the rank axis, and `group_top`."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def _coordinates(graph, arrangement, tops, top, direction, rank_gap, margin, group_title):
    """Picture coordinates: ranks one after another along the rank axis, the across axis starting at the
    margin (with room for group titles above, top to bottom), turned to the direction."""
    across_is_y = direction in ("LR", "RL")
    along, across = graph.along, graph.across
    by_rank = [[] for _ in range(graph.rank_count)]
    for e in graph.elements:
        by_rank[graph.rank[e]].append(e)
    rank_size = [max([along[e] for e in by_rank[r]] + [0.0]) for r in range(graph.rank_count)]
    rank_start, position = [], float(margin)
    for r in range(graph.rank_count):
        rank_start.append(position)
        position += rank_size[r] + rank_gap
    along_total = position - rank_gap + margin
    group_top = {gi: tops[("g", gi)] for gi in range(len(graph.group_list))}
    lowest = min([top[e] for e in graph.elements] + list(group_top.values()), default=0.0)
    shift = margin - lowest
    highest = max([top[e] + across[e] for e in graph.elements]
                  + [group_top[gi] + arrangement.band[gi] for gi in group_top], default=0.0)
    across_total = highest + shift + margin
    lead = 0.0 if across_is_y or not graph.group_list else group_title  # TB/BT: titles need room along the ranks
    if lead:
        rank_start = [start + lead for start in rank_start]
        along_total += lead

    def to_xy(along_position, across_position):
        if direction == "LR":
            return along_position, across_position
        if direction == "RL":
            return along_total - along_position, across_position
        if direction == "TB":
            return across_position, along_position
        return across_position, along_total - along_position

    place = _Place(rank_start=rank_start, rank_size=rank_size, shift=shift, along_total=along_total,
                   across_total=across_total, to_xy=to_xy, group_top=group_top, boxes={}, start_of={},
                   direction=direction)
    for node in graph.nodes:
        r = graph.rank[node]
        place.start_of[node] = rank_start[r] + (rank_size[r] - along[node]) / 2
        c0 = top[node] + shift
        place.boxes[node] = _rectangle(to_xy, place.start_of[node], c0, place.start_of[node] + along[node],
                                       c0 + across[node])
    return place


def _rectangle(to_xy, a0, c0, a1, c1):
    """(x, y, width, height) of the rectangle between two corners given on the rank and across axes."""
    x0, y0 = to_xy(a0, c0)
    x1, y1 = to_xy(a1, c1)
    return min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)


# ---- phase 5: ports and routes -------------------------------------------------------------------
def _routes(graph, top, place, approach):
    """{edge key: Route}: each edge from its parent's side through its bends to a port on its child,
    the ports of a node sorted by where their edges come from, so they do not cross."""
    across, along, shift, to_xy = graph.across, graph.along, place.shift, place.to_xy
    start_of, rank_start, rank_size = place.start_of, place.rank_start, place.rank_size
    entering = {}
    for p, c, key, chain in graph.chains:
        entering.setdefault(c, []).append((top[chain[-2]] + across[chain[-2]] / 2, graph.order_of[chain[-2]], key))
    ports = {}
    for c, items in entering.items():
        items.sort(key=lambda item: (item[0], item[1]))
        for i, (_, _, key) in enumerate(items):
            ports[key] = top[c] + shift + across[c] * (i + 1) / (len(items) + 1)
    routes = {}
    for p, c, key, chain in graph.chains:
        points = [(start_of[p] + along[p], top[p] + across[p] / 2 + shift)]
        for bend in chain[1:-1]:
            level = top[bend] + across[bend] / 2 + shift
            points += [(rank_start[bend.rank], level), (rank_start[bend.rank] + rank_size[bend.rank], level)]
        port, tip = ports[key], start_of[c] - 1
        base = tip - 7
        if approach:
            points.append((start_of[c] - approach, port))
        points.append((base, port))
        arrow = " ".join(f"{x:.1f},{y:.1f}" for x, y in (to_xy(tip, port), to_xy(base, port - 3.5),
                                                           to_xy(base, port + 3.5)))
        routes[key] = Route(_path(points, to_xy), arrow, *_label_place(place.direction, to_xy(start_of[c], port)))
    return routes


def _group_boxes(graph, arrangement, place, group_pad, group_title):
    """[(title, (x, y, width, height))] of the groups: around the ranks they span, titled above."""
    boxes = []
    group_ranks = {}
    for e, gi in graph.group_of.items():
        group_ranks.setdefault(gi, set()).add(graph.rank[e])
    for gi, (title, _) in enumerate(graph.group_list):
        spanned = group_ranks[gi]
        a0 = place.rank_start[min(spanned)] - group_pad
        a1 = place.rank_start[max(spanned)] + place.rank_size[max(spanned)] + group_pad
        c0 = place.group_top[gi] + place.shift
        x, y, w, h = _rectangle(place.to_xy, a0, c0, a1, c0 + arrangement.band[gi])
        if place.direction in ("TB", "BT"):                    # top to bottom: the title sits above
            y, h = y - group_title, h + group_title
        boxes.append((title, (x, y, w, h)))
    return boxes


def _separate_groups(nodes, rank, group_of, incoming, outgoing):
    """Move groups that feed each other into ranks of their own (one layer of neurons after another).

    When a member of group H has an edge into group G, every rank of G must come after every rank of
    H; where it does not, G's non-leaf members and everything downstream of them move right, and the
    leaves then sit again just before their first user.
    """
    for _ in range(len(nodes)):
        spans = {}
        for node, g in group_of.items():
            low, high = spans.get(g, (rank[node], rank[node]))
            spans[g] = (min(low, rank[node]), max(high, rank[node]))
        needed = None
        for node in nodes:
            g = group_of.get(node)
            for parent in incoming[node]:
                h = group_of.get(parent)
                if g is not None and h is not None and g != h and spans[g][0] <= spans[h][1]:
                    shift = spans[h][1] + 1 - spans[g][0]
                    if needed is None or shift > needed[1]:
                        needed = (g, shift)
            if needed:
                break
        if needed is None:
            return
        g, shift = needed
        moving = [node for node in nodes if group_of.get(node) == g and incoming[node]]
        seen = set(moving)
        while moving:
            node = moving.pop()
            rank[node] += shift
            for child in outgoing[node]:
                if child not in seen:
                    seen.add(child)
                    moving.append(child)
        for node in nodes:                                     # keep every edge pointing forwards
            if incoming[node]:
                inner = [rank[p] for p in incoming[node] if incoming[p]]
                rank[node] = max([rank[node]] + [r + 1 for r in inner])
        for node in nodes:
            if not incoming[node] and outgoing[node]:
                rank[node] = min(rank[c] for c in outgoing[node]) - 1


def _path(points, to_xy):
    """An SVG path through the points: curves across the gaps between ranks, straight lines inside."""
    a, c = points[0]
    x, y = to_xy(a, c)
    parts = [f"M{x:.1f},{y:.1f}"]
    previous = (a, c)
    for a, c in points[1:]:
        pa, pc = previous
        if abs(c - pc) < 0.05:                                  # level: a straight line
            x, y = to_xy(a, c)
            parts.append(f"L{x:.1f},{y:.1f}")
        else:                                                  # a curve that leaves and arrives level
            middle = (pa + a) / 2
            x1, y1 = to_xy(middle, pc)
            x2, y2 = to_xy(middle, c)
            x, y = to_xy(a, c)
            parts.append(f"C{x1:.1f},{y1:.1f} {x2:.1f},{y2:.1f} {x:.1f},{y:.1f}")
        previous = (a, c)
    return " ".join(parts)


def _label_place(direction, port):
    """Where an edge's label goes: just before the port, beside the straight run into it."""
    x, y = port
    if direction == "LR":
        return x - 9, y - 4, "end"
    if direction == "RL":
        return x + 9, y - 4, "start"
    if direction == "TB":
        return x + 4, y - 9, "start"
    return x + 4, y + 17, "start"


def _inversions(sequence):
    """Pairs i < j with sequence[i] > sequence[j], by merge sort: the crossings between two ranks."""
    if len(sequence) < 2:
        return 0
    middle = len(sequence) // 2
    left, right = sequence[:middle], sequence[middle:]
    count = _inversions(left) + _inversions(right)
    left.sort()
    right.sort()
    j = 0
    for value in left:
        while j < len(right) and right[j] < value:
            j += 1
        count += j
    return count
