#!/usr/bin/env python3
"""bank diagram's drawing, element by element, against the geometry the trace asks for.

A hand-made trace (fixed times: customers' queries, a deposit and its two propagations, a
failed withdrawal, Lamport clocks, and bank run's closing read that must not be drawn) is drawn
as SVG. The test computes, from the trace alone, what the diagram must hold, in drawing order:
the white page of its width (640 at least) and height; the title, the two legend lines and a
name over each lane (customers first, then branches, each by id), each in its colour, centred
over its lane; a dashed grey line down each lane; and for each message, the receiver's busy
box, the request's arrow (a line and a filled head) in blue (a customer's) or grey (a
branch's), its label centred above it, the reply's arrow in green (red when it failed) and its
label. Text is compared through cairo's glyph ids, assigned per font in order of first use, so
every label's characters are checked without depending on the font's shapes; and its type (the
title bold 15, the legend 11, the lane names 12, the labels as the row height allows) through the
glyphs' outlines, measured against the legend's on the characters they share.
Usage: diagram_svg.py BANK
"""
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from checks import check, finish  # noqa: E402

bank = sys.argv[1]
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def entry(t0, t1, frm, frm_id, to, rpc, customer, event, money, balance, reply, clocks=(0, 0)):
    return {"t_recv_us": t0, "t_reply_us": t1, "from": frm, "from_id": frm_id, "to_branch": to,
            "rpc": rpc, "customer": customer, "event": event, "money": money, "balance": balance,
            "reply": reply, "clock_sent": clocks[0], "clock": clocks[1]}


TRACE = [
    entry(1000, 1100, "customer", 1, 1, "Query", 1, 1, 0, 400, "success", (1, 2)),
    entry(2000, 2600, "customer", 2, 2, "Deposit", 2, 2, 170, 570, "success", (1, 2)),
    entry(2100, 2200, "branch", 2, 1, "Propagate_Deposit", 2, 2, 170, 570, "applied", (3, 4)),
    entry(2300, 2400, "branch", 2, 3, "Propagate_Deposit", 2, 2, 170, 570, "applied", (4, 5)),
    entry(3000, 3000, "customer", 3, 3, "Withdraw", 3, 3, 900, 570, "fail"),
    entry(3500, 3600, "customer", 1, 1, "Query", 0, 0, 0, 570, "success"),  # the closing read
]

# What diagram.c draws, computed here from the trace.
MARGIN, COL_W, HEADER, FOOTER, BOX_HALF = 40, 120, 100, 40, 40
BLUE, GREY, GREEN, RED = "rgb(10%,25%,80%)", "rgb(45%,45%,45%)", "rgb(10%,55%,20%)", "rgb(85%,10%,10%)"
BLACK, LEGEND, LANE, BUSY = "rgb(0%,0%,0%)", "rgb(35%,35%,35%)", "rgb(70%,70%,70%)", "rgb(20%,30%,80%)"


def expected(trace, title):
    drawn = [e for e in trace if not (e["from"] == "customer" and e["customer"] == 0 and e["event"] == 0)]
    lanes = []
    for e in drawn:
        for lane in ((e["from"] == "branch", e["from_id"]), (True, e["to_branch"])):
            if lane not in lanes:
                lanes.append(lane)
    lanes.sort()
    times = sorted({t for e in drawn for t in (e["t_recv_us"], e["t_reply_us"])})
    row_h = min(30.0, max(8.0, 9000.0 / len(times)))
    w = max(640, 2 * MARGIN + COL_W * len(lanes))
    h = HEADER + row_h * (len(times) + 1) + FOOTER
    lane_x = lambda branch, i: MARGIN + COL_W * (lanes.index((branch, i)) + 0.5)
    time_y = lambda t: HEADER + row_h * (times.index(t) + 0.5)
    label_font = ("normal", min(11, max(7, row_h * 0.55)))
    items = [("text", BLACK, title, MARGIN, 26, "left", ("bold", 15)),
             ("text", LEGEND, "time flows down, one row per event in order; blue: customer requests, "
                              "grey: propagations, green: replies, red: failed", MARGIN, 44, "left", ("normal", 11)),
             ("text", LEGEND, "[a->b]: the message's Lamport clock when sent (a) and when received (b)",
              MARGIN, 58, "left", ("normal", 11))]
    for i, (branch, n) in enumerate(lanes):
        x = MARGIN + COL_W * (i + 0.5)
        items.append(("text", BLACK, f"{'branch' if branch else 'customer'} {n}", x, HEADER - 18, "centre", ("normal", 12)))
        items.append(("stroke", LANE, 1, True, [(x, HEADER - 10), (x, h - FOOTER)]))

    def arrow(colour, x0, y0, x1, y1):
        a, ln = math.atan2(y1 - y0, x1 - x0), 8
        return [("stroke", colour, 1.2, False, [(x0, y0), (x1, y1)]),
                ("fill", colour, [(x1, y1), (x1 - ln * math.cos(a - 0.4), y1 - ln * math.sin(a - 0.4)),
                                  (x1 - ln * math.cos(a + 0.4), y1 - ln * math.sin(a + 0.4))])]

    d = row_h * 0.35
    for e in drawn:
        xs, xr = lane_x(e["from"] == "branch", e["from_id"]), lane_x(True, e["to_branch"])
        y0, y1 = time_y(e["t_recv_us"]), time_y(e["t_reply_us"])
        sign = 1 if xr > xs else -1
        items.append(("fill", BUSY, [(xr - 4, y0), (xr + 4, y0), (xr + 4, y0 + max(y1 - y0, 2)),
                                     (xr - 4, y0 + max(y1 - y0, 2))]))
        op = "deposit" if "deposit" in e["rpc"].lower() else "withdraw" if "withdraw" in e["rpc"].lower() else "query"
        if op == "query" and e["from"] == "customer":
            text = f"c{e['customer']} e{e['event']} query"
        elif e["from"] == "branch":
            text = f"propagate {op} {e['money']}"
        else:
            text = f"c{e['customer']} e{e['event']} {op} {e['money']}"
        if e["clock_sent"] or e["clock"]:
            text += f" [{e['clock_sent']}->{e['clock']}]"
        colour = GREY if e["from"] == "branch" else BLUE
        items += arrow(colour, xs, y0 - d, xr - sign * 4, y0)
        items.append(("text", colour, text, (xs + xr) / 2, y0 - d - 2, "centre", label_font))
        colour = RED if e["reply"] == "fail" or e["reply"].startswith("error") else GREEN
        items += arrow(colour, xr, y1, xs + sign * 4, y1 + d)
        items.append(("text", colour, f"{e['reply'][:40]} {e['balance']}", (xs + xr) / 2, y1 + d / 2 - 3, "centre",
                      label_font))
    return w, h, items


def numbers(d):
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", d)]


def drawn_items(path):
    """The SVG's drawing, in order: ("stroke", colour, width, dashed, points), ("fill", colour,
    points), ("text", colour, [(glyph id, x, y)])."""
    root = ET.parse(path).getroot()
    surface = root.find(f"{SVG}g")
    out = []
    for el in surface:
        style = dict(kv.split(":", 1) for kv in el.get("style", "").replace(" ", "").split(";") if ":" in kv)
        if el.tag == f"{SVG}rect":
            out.append(("page", style.get("fill"), float(el.get("width")), float(el.get("height"))))
        elif el.tag == f"{SVG}path":
            pts = numbers(el.get("d"))
            pts = list(zip(pts[0::2], pts[1::2]))
            if "Z" in el.get("d"):
                pts = pts[:-1]  # cairo closes a path, then moves back to its start
            if style.get("fill") == "none":
                out.append(("stroke", style.get("stroke"), float(style.get("stroke-width", "1")),
                            "stroke-dasharray" in style, pts))
            else:
                out.append(("fill", style.get("fill"), pts))
        elif el.tag == f"{SVG}g":
            glyphs = [(u.get(XLINK), float(u.get("x")), float(u.get("y"))) for u in el.iter(f"{SVG}use")]
            if glyphs:
                out.append(("text", style.get("fill"), glyphs))
    return root, out


def glyph_boxes(root):
    """Each glyph's outline, as its href names it: (width, height) of its points' box."""
    boxes = {}
    for sym in root.iter(f"{SVG}symbol"):
        pts = [n for p in sym.iter(f"{SVG}path") for n in numbers(p.get("d", ""))]
        if pts:
            boxes["#" + sym.get("id")] = (max(pts[0::2]) - min(pts[0::2]), max(pts[1::2]) - min(pts[1::2]))
    return boxes


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else float("nan")


def close(a, b):
    return abs(a - b) < 0.01


with tempfile.TemporaryDirectory() as tmp:
    trace = os.path.join(tmp, "trace.jsonl")
    with open(trace, "w") as f:
        for e in TRACE:
            f.write(json.dumps(e) + "\n")
    svg = os.path.join(tmp, "d.svg")
    r = subprocess.run([bank, "diagram", trace, "-o", svg, "--title", "a hand-made trace"],
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0 and r.stderr == "", f"bank diagram -o d.svg: exit {r.returncode} {r.stderr.strip()}")
    w, h, want = expected(TRACE, "a hand-made trace")
    root, got = drawn_items(svg)
    check(root.get("viewBox") == f"0 0 {w:g} {h:g}", f"the page is {w:g} x {h:g}: {root.get('viewBox')}")
    check(got[:1] == [("page", "rgb(100%,100%,100%)", w, h)], f"a white page first: {got[:1]}")
    got = got[1:]
    check(len(got) == len(want), f"{len(want)} things drawn: {len(got)}")
    glyph_of = {}  # (font, character) -> cairo's glyph id, in order of first use per font
    next_id = {}
    texts = []  # (cairo's font, the face and size diagram.c sets, the text)
    for k, (g, x) in enumerate(zip(got, want)):
        what = f"item {k + 1}, {x[0]} {x[1]}"
        if x[0] != g[0] or x[1] != g[1]:
            check(False, f"{what}: drawn as {g[:2]}")
            continue
        if x[0] == "stroke":
            check(close(g[2], x[2]) and g[3] == x[3] and len(g[4]) == len(x[4]) and
                  all(close(a, b) for p, q in zip(g[4], x[4]) for a, b in zip(p, q)),
                  f"{what}: {g[2:]} (expected {x[2:]})")
        elif x[0] == "fill":
            check(len(g[2]) == len(x[2]) and all(close(a, b) for p, q in zip(g[2], x[2]) for a, b in zip(p, q)),
                  f"{what}: {g[2]} (expected {x[2]})")
        else:
            glyphs, text = g[2], x[2]
            font = glyphs[0][0].split("-")[0] if glyphs else ""
            texts.append((font, x[6], text))
            ids = []
            for c in text:
                if (font, c) not in glyph_of:
                    next_id[font] = next_id.get(font, 0) + 1
                    glyph_of[(font, c)] = f"{font}-{next_id[font]}"
                ids.append(glyph_of[(font, c)])
            xs = [gx for _, gx, _ in glyphs]
            placed = all(close(gy, x[4]) for _, _, gy in glyphs) and (
                close(xs[0], x[3]) if x[5] == "left" else xs[0] < x[3] < xs[-1] and abs((xs[0] + xs[-1]) / 2 - x[3]) < 6)
            check([i for i, _, _ in glyphs] == ids and placed,
                  f"{what}: {text!r} at ({x[3]:g}, {x[4]:g}), {x[5]}: glyphs {[i for i, _, _ in glyphs][:8]}... "
                  f"at x {xs[0]:.1f}..{xs[-1]:.1f}, y {glyphs[0][2]:g}")

    # The type: texts of one face and size share a font and no other text does; measured on the
    # characters it shares with the legend's (normal, 11), each font's glyphs are as much taller
    # as its size asks, and wider for their height only where it is bold.
    asked = {}
    for font, face_size, _ in texts:
        asked.setdefault(font, set()).add(face_size)
    check(len(texts) > 3 and all(len(v) == 1 for v in asked.values()) and
          len(asked) == len({fs for _, fs, _ in texts}),
          f"one font per face and size: {sorted((f, sorted(v)) for f, v in asked.items())}")
    boxes = glyph_boxes(root)
    ref = texts[1][0] if len(texts) > 1 else ""
    for font, fs in sorted((f, next(iter(v))) for f, v in asked.items()):
        if font == ref:
            continue
        shared = [c for c in sorted({c for f, _, t in texts if f == font for c in t}) if c.isalnum() and
                  boxes.get(glyph_of.get((font, c))) and boxes.get(glyph_of.get((ref, c)))]
        b = {c: (boxes[glyph_of[(font, c)]], boxes[glyph_of[(ref, c)]]) for c in shared}
        taller = median(g[1] / r[1] for g, r in b.values())
        wider = median((g[0] / g[1]) / (r[0] / r[1]) for g, r in b.values())
        check(len(shared) >= 3 and abs(taller - fs[1] / 11) < 0.03 * fs[1] / 11 and
              (wider > 1.04 if fs[0] == "bold" else abs(wider - 1) < 0.03),
              f"{font} is {fs[0]} {fs[1]:g}: on {''.join(shared)!r}, {taller:.3f} times the legend's height "
              f"(want {fs[1] / 11:.3f}), {wider:.3f} times its width for its height")

finish("diagram_svg")
