#!/usr/bin/env python3
"""bank grade's HTML report, as a browser shows it (headless Chromium).

A class folder (two correct files, one wrong with a long verdict, one missing most events under
a path with no place to break, one unusable) is graded with --report r.html --diagram. Chromium
then:
- dumps the DOM: every file's row is there with its score, class and first wrong verdict, the
  verdict lists are there, and the summary counts files, all correct, some wrong, unusable and
  the mean score;
- lays the page out at 1024 and at 600 pixels (a script added to a copy of the page measures
  it): nothing runs past the window, no cell's text overflows its cell, the first-wrong column
  keeps room for its verdicts, and a diagram wider than the window scrolls in its own box;
- takes a screenshot wide enough for the whole diagram: not blank, the rows' colours are there,
  and the diagram is drawn to its right edge.
Skipped (exit 77) when chromium is absent. Usage: report_browser.py BANK GOLDEN_DIR
"""
import html.parser
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from checks import check, finish  # noqa: E402
from png_decode import decode as png_rgb  # noqa: E402

bank, golden = sys.argv[1], sys.argv[2]


chromium = shutil.which("chromium")
if not chromium:
    print("SKIP: chromium is not installed (tools/deps.sh test installs Debian's chromium)")
    sys.exit(77)


def browse(tmp, url, *args):
    """Runs headless Chromium on url with a fresh profile; returns its standard output."""
    profile = tempfile.mkdtemp(dir=tmp)
    r = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                        "--hide-scrollbars", "--user-data-dir=" + profile, *args, url],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        print(r.stderr[-2000:])
    return r.stdout


class Dom(html.parser.HTMLParser):
    """The rows of the report's tables, as (table class, row class, [cell texts])."""

    def __init__(self):
        super().__init__()
        self.rows, self.table, self.row, self.cell = [], None, None, None
        self.verdicts = []
        self.in_li = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.table = a.get("class")
        elif tag == "tr":
            self.row = (self.table, a.get("class"), [])
            self.rows.append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
            self.row[2].append(self.cell)
        elif tag == "li":
            self.in_li = True
            self.verdicts.append("")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.cell = None
        elif tag == "li":
            self.in_li = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        if self.in_li:
            self.verdicts[-1] += data


# Measures the layout once the page is drawn and writes it into the page as JSON.
MEASURE = """<script>
addEventListener('load', () => {
  const d = document.documentElement, r = e => e.getBoundingClientRect();
  const svg = r(document.querySelector('.diagram svg')), box = r(document.querySelector('.diagram'));
  const over = [...document.querySelectorAll('td')].filter(td => td.scrollWidth > td.clientWidth + 1)
      .map(td => td.textContent.slice(0, 40));
  const first = r(document.querySelector('table.files tr.wrong td.first')).width;
  const pre = document.createElement('pre');
  pre.id = 'layout';
  pre.textContent = JSON.stringify({window: innerWidth, page: d.scrollWidth, height: d.scrollHeight,
      table: r(document.querySelector('table.files')).right, svg: [svg.left, svg.top, svg.width, svg.height],
      box: box.right, over: over, first: first});
  document.body.appendChild(pre);
});
</script>"""


def layout(tmp, page, width, height=1000):
    out = browse(tmp, "file://" + page, "--dump-dom", "--window-size=%d,%d" % (width, height))
    start = out.find('<pre id="layout">')
    if start < 0:
        return None
    text = out[start + len('<pre id="layout">'):out.find("</pre>", start)]
    return json.loads(html.unescape(text))


with tempfile.TemporaryDirectory() as tmp:
    sample = os.path.join(golden, "sample")
    cls = os.path.join(tmp, "class")
    longdir = os.path.join(cls, "a_student_folder_named_at_length_with_no_place_to_break_it_" + "x" * 40)
    os.makedirs(os.path.join(cls, "alice"))
    os.makedirs(longdir)
    shutil.copy(os.path.join(sample, "expected.sequential.json"), os.path.join(cls, "alice", "output.json"))
    shutil.copy(os.path.join(sample, "expected.rounds.json"), os.path.join(cls, "bob.json"))
    # c2 reads 400 after its own deposit: impossible, and the verdict says why at length
    carol = [{"id": 1, "recv": [{"interface": "query", "balance": 400}]},
             {"id": 2, "recv": [{"interface": "deposit", "result": "success"},
                                {"interface": "query", "balance": 400}]},
             {"id": 3, "recv": [{"interface": "withdraw", "result": "fail"},
                                {"interface": "query", "balance": 190}]}]
    json.dump(carol, open(os.path.join(cls, "carol.json"), "w"))
    json.dump(carol[:1], open(os.path.join(longdir, "output_" + "y" * 40 + ".json"), "w"))
    open(os.path.join(cls, "dave.txt"), "w").write(
        "{'id': 1, 'recv': [{'interface': 'query', result: 'success', 'money': 400}]}\n")
    report = os.path.join(tmp, "r.html")
    r = subprocess.run([bank, "grade", "--input", os.path.join(sample, "input.json"), "--batch", cls,
                        "--report", report, "--diagram"], capture_output=True, text=True, timeout=300)
    check(r.returncode == 1 and os.path.exists(report), "bank grade --batch --report r.html --diagram (exit %d)" % r.returncode)

    # rule: G13, G39; the DOM Chromium builds holds every row, verdict and the summary
    dom = Dom()
    dom.feed(browse(tmp, "file://" + report, "--dump-dom", "--window-size=1024,1000"))
    cells = lambda row: ["".join(c).strip() for c in row[2]]
    files = [(r[1], cells(r)) for r in dom.rows if "files" in (r[0] or "").split() and r[1]]
    check(len(files) == 5, "the DOM has a row per student: %d" % len(files))
    # a row: student, file, score, first wrong event, format and notes (G33)
    want = [("wrong", "1/5", "customer 2 event 2 deposit: missing"),
            ("ok", "5/5", ""), ("ok", "5/5", ""),
            ("wrong", "2/5", "customer 2 event 3 query: wrong value: got 400"),
            ("bad", "0/5", "unusable: ")]
    for (klass, score, first), (got_class, got) in zip(want, files):
        check(got_class == klass and got[2] == score and got[3].startswith(first) and
              (first or got[3] == ""), "row %s: %s %s %r" % (got[0][-30:], got_class, got[2], got[3][:60]))
    check(any("wrong value: got 400" in v for v in dom.verdicts) and
          sum(v.endswith(": ok") for v in dom.verdicts) >= 2,
          "the verdict lists are in the DOM (%d verdicts)" % len(dom.verdicts))
    summary = [cells(r) for r in dom.rows if r[0] == "summary"]
    check(len(summary) == 2 and summary[0] == ["students", "all correct", "some wrong", "unusable", "mean score"]
          and summary[1][:4] == ["5", "2", "2", "1"] and summary[1][4].startswith("65.0%"),
          "summary: students 5, all correct 2, some wrong 2, unusable 1, mean score 65.0%%: %s" % summary)

    # rule: G39; the layout at a laptop's width and at a narrow one
    page = os.path.join(tmp, "layout.html")
    text = open(report).read()
    open(page, "w").write(text.replace("</body>", MEASURE + "</body>"))
    for width in (1024, 600):
        m = layout(tmp, page, width)
        if not m:
            check(False, "layout at %d px: the page did not report its layout" % width)
            continue
        check(m["page"] <= m["window"] and m["table"] <= m["window"] and m["box"] <= m["window"],
              "%d px: nothing runs past the window (page %d, table %d, diagram box %d, window %d)"
              % (width, m["page"], m["table"], m["box"], m["window"]))
        check(not m["over"], "%d px: no cell's text overflows it: %s" % (width, m["over"]))
        check(m["first"] >= min(300, width / 3), "%d px: the first-wrong column is %d px wide" % (width, m["first"]))

    # rule: G39; a screenshot wide enough for the whole diagram
    m = layout(tmp, page, 1024)
    if m:
        left, top, w, h = m["svg"]
        width = max(1024, int(left * 2 + w + 1))
        m = layout(tmp, page, width)
        left, top, w, h = m["svg"]
        height = int(m["height"]) + 1
        shot = os.path.join(tmp, "shot.png")
        browse(tmp, "file://" + page, "--screenshot=" + shot, "--window-size=%d,%d" % (width, height))
        if not os.path.exists(shot):
            check(False, "chromium wrote no screenshot")
        else:
            pw, ph, px = png_rgb(shot)
            check(pw == width and pw >= left + w, "the screenshot is %d px wide; the diagram ends at %d" % (pw, left + w))
            colours = {c for row in px[::4] for c in row[::4]}
            inked = sum(c != (255, 255, 255) for row in px[::4] for c in row[::4])
            check(len(colours) > 20 and inked > len(px[::4]) * len(px[0][::4]) // 50,
                  "the screenshot is not blank: %d colours, %d of %d sampled pixels not white"
                  % (len(colours), inked, len(px[::4]) * len(px[0][::4])))
            check((221, 255, 221) in colours and (255, 221, 221) in colours and (221, 221, 221) in colours,
                  "the rows' colours are drawn (correct, wrong, unusable)")
            # the diagram's right quarter has ink: its last lifeline and arrows are inside the shot
            x0, x1, y0, y1 = int(left + w * 3 / 4), int(min(left + w, pw)), int(top), int(min(top + h, ph))
            ink = sum(px[y][x] != (255, 255, 255) for y in range(y0, y1, 2) for x in range(x0, x1, 2))
            check(ink > 200, "the diagram is drawn to its right edge (%d inked pixels in its right quarter)" % ink)

finish("report_browser")
