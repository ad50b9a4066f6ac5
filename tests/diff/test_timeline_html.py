#!/usr/bin/env python3
"""test_timeline_html.py MALGOPHER PAIRS_DIR [MANIFEST CORPUS] - the family
timelines of `cluster --html`, in headless Chromium: on the diff fixture
pairs (v1/v2, plain and stripped, given out of order) the timeline must
list the members in order and show between neighbours the +N/-M counts
that go tool nm and go version -m give (diff_oracle.py); a step's details
must be absent until it is clicked (the page's #open-step-K hook clicks
it), then list the functions, packages and dependencies; a screenshot is
taken.  With the corpus, the order of lefthook's releases must be the one
`go version -m` gives (main-module semver when every release has one, else Go
version, then vcs.time, else name).  Exits 77 (SKIPPED) without Chromium."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diff_oracle  # noqa: E402

M, D = sys.argv[1], sys.argv[2]
CHROME = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROME:
    print("timeline_html: SKIPPED (no chromium)")
    sys.exit(77)
fails = passes = 0


def check(what, got, want):
    global fails, passes
    if got == want:
        passes += 1
    else:
        fails += 1
        print("FAIL: %s\n  got  %r\n  want %r" % (what, got, want))


def chrome(tmp, tag, *args):
    prof = os.path.join(tmp, "profile-" + tag)
    r = subprocess.run(["timeout", "120", CHROME, "--headless", "--no-sandbox", "--disable-gpu",
                        "--no-first-run", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--user-data-dir=" + prof] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return r.stdout.decode("utf-8", "replace")


def report_data(html):
    m = re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def release_key(paths, rows=()):
    """the oracle of the timeline order, from go version -m: main-module
    semver (numeric fields) when every path has one, else the Go version
    (the manifest's when there is no build info), then vcs.time, then the
    name; a missing key sorts last"""
    def vm(p):
        return subprocess.run(["go", "version", "-m", p], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL).stdout.decode()
    semver = re.compile(r"^\tmod\t\S+\t(v?\d+\.\d+(?:\.\d+)?(?:[-+]\S*)?)(?:\t|$)", re.M)
    all_semver = all(semver.search(vm(p)) for p in paths)

    def num(s):
        return [int(x) for x in re.findall(r"\d+", s)]

    def key(p):
        out = vm(p)
        go = re.search(r": (go\S+)", out.splitlines()[0]) if out else None
        mod = semver.search(out)
        t = re.search(r"^\tbuild\tvcs\.time=(\S+)", out, re.M)
        if go is None:  # no build info: the runtime's version string (manifest)
            gv = next((r["go_version"] for r in rows if p.endswith(r["file"])), "")
            go = re.match(r"(go\S+)", gv) if gv.startswith("go") else None
        return ((0, num(mod.group(1))) if mod and all_semver else (1, []),
                (0, num(go.group(1))) if go else (1, []),
                (0, t.group(1)) if t else (1, ""), p)
    return key


tmp = tempfile.mkdtemp()
try:
    d = os.path.join(D, "linux-amd64")
    files = [os.path.join(d, f) for f in ("v2-stripped", "v1-plain", "v2-plain", "v1-stripped")]
    html = os.path.join(tmp, "report.html")
    r = subprocess.run([M, "cluster", "--measure", "fuzzy", "-t", "50", "--html", html] + files, stdout=subprocess.PIPE)
    check("cluster exit", r.returncode, 0)
    page = open(html, encoding="utf-8").read()
    ext = {u for u in re.findall(r'(?:src|href)=|url\(|@import|https?://[^"\' ]*', page)
           if u != "http://www.w3.org/2000/svg"}
    check("self-contained", ext, set())

    # the oracle: order by name (same Go version, no vcs.time, "(devel)"),
    # counts between neighbours from nm and go version -m
    order = sorted(files)
    steps = []
    for a, b in zip(order, order[1:]):
        e = diff_oracle.expected(diff_oracle.nm_names(a.replace("stripped", "plain")),
                                 diff_oracle.nm_names(b.replace("stripped", "plain")),
                                 diff_oracle.version_m(a), diff_oracle.version_m(b))
        p, dp = e["packages"], e["dependencies"]
        steps.append((("+%d/\u2212%d functions, +%d/\u2212%d packages (%d changed), "
                      "+%d/\u2212%d dependencies (%d changed)") % (
            len(e["functions"]["added"]), len(e["functions"]["removed"]), len(p["added"]),
            len(p["removed"]), len(p["changed"]), len(dp["added"]), len(dp["removed"]),
            len(dp["changed"])), e))

    dom = chrome(tmp, "plain", "--dump-dom", "file://" + html)
    check("timelines drawn", re.findall(r'data-timelines="(\d+)"', dom), ["1"])
    members = re.findall(r'<li class="member"><span>([^<]*)</span>', dom)
    check("member order", members, order)
    check("step summaries", re.findall(r'<details class="step"[^>]*><summary>([^<]*)</summary>', dom),
          [s for s, _ in steps])
    check("details closed before a click", ('<div class="step-detail">' in dom,
                                            bool(re.search(r'<details class="step"[^>]*data-filled', dom))),
          (False, False))

    k = next(i for i, (_, e) in enumerate(steps) if e["functions"]["added"])  # the v1 -> v2 step
    dom = chrome(tmp, "click", "--dump-dom", "file://%s#open-step-%d" % (html, k))
    check("clicked step open", re.findall(r'data-step-open="(\d)"', dom), ["1"])
    opened = re.findall(r'<details class="step"([^>]*)>', dom)
    check("only the clicked step filled", ["data-filled" in x for x in opened], [i == k for i in range(len(steps))])
    detail = re.search(r'<div class="step-detail">(.*?)</div>', dom, re.S)
    items = re.findall(r"<li>([^<]*)</li>", detail.group(1) if detail else "")
    e = steps[k][1]

    def ranked(items, pkg):  # main module first, other modules, the standard library last
        def rank(x):
            p = pkg(x)
            if p == "main" or p == "example.com/difftool" or p.startswith("example.com/difftool/"):
                return 0
            return 1 if "." in p.split("/", 1)[0] else 2
        return sorted(items, key=lambda x: rank(x))  # stable: name order within a rank

    want = ["%s (%d functions)" % (p["path"], p["functions"]) for p in ranked(e["packages"]["added"], lambda x: x["path"])]
    want += ["%s (%d functions)" % (p["path"], p["functions"])
             for p in ranked(e["packages"]["removed"], lambda x: x["path"])]
    want += ["%s %s" % (x["path"], x["version"]) for x in e["dependencies"]["added"]]
    want += ["%s %s" % (x["path"], x["version"]) for x in e["dependencies"]["removed"]]
    want += ["%s %s \u2192 %s" % (x["path"], x["from"], x["to"]) for x in e["dependencies"]["changed"]]
    want += ranked(e["functions"]["added"], diff_oracle.package) + ranked(e["functions"]["removed"], diff_oracle.package)
    check("details listed", [x.replace("&gt;", ">").replace("&amp;", "&") for x in items], want)
    check("keylog in details", "example.com/difftool/keylog (3 functions)" in items, True)

    shot = os.path.join(tmp, "timeline.png")
    chrome(tmp, "shot", "--screenshot=" + shot, "--window-size=1200,2400", "file://%s#open-step-%d" % (html, k))
    check("screenshot", os.path.exists(shot) and open(shot, "rb").read(8) == b"\x89PNG\r\n\x1a\n", True)
    if os.environ.get("MG_KEEP_SCREENSHOT"):
        shutil.copy(shot, os.environ["MG_KEEP_SCREENSHOT"])

    # a side without build info: its steps say the dependencies are unknown
    nb = [os.path.join(D, "nobuildinfo-v1"), os.path.join(D, "linux-amd64", "v2-plain")]
    h4 = os.path.join(tmp, "nobi.html")
    subprocess.run([M, "cluster", "--measure", "fuzzy", "-t", "50", "--html", h4] + nb, stdout=subprocess.PIPE)
    dom = chrome(tmp, "nobi", "--dump-dom", "file://" + h4)
    sums = re.findall(r'<details class="step"[^>]*><summary>([^<]*)</summary>', dom)
    later = "later" if sorted(nb)[1] == nb[0] else "earlier"
    check("no build info step", [x.endswith("dependencies unknown (no build info in the %s)" % later) for x in sums],
          [True])

    # main-module semver decides when every member has one: v1.2.10 before
    # v1.10.0, against both the name and the string order
    sv = [os.path.join(D, "semver-a"), os.path.join(D, "semver-b")]
    h3 = os.path.join(tmp, "semver.html")
    subprocess.run([M, "cluster", "--measure", "fuzzy", "-t", "50", "--html", h3] + sv, stdout=subprocess.PIPE)
    data = report_data(open(h3, encoding="utf-8").read())
    got = [[data["samples"][m[0]][0], m[1]] for t in data["timelines"] for m in t["members"]]
    want = sorted(sv, key=release_key(sv))
    check("semver order", got, [[want[0], "v1.2.10"], [want[1], "v1.10.0"]])
    check("semver oracle", want, sv[::-1])

    # corpus: lefthook's releases in the order go version -m gives
    if len(sys.argv) > 4:
        import csv
        rows = [r for r in csv.DictReader(open(sys.argv[3]), delimiter="\t")
                if r["family"] == "lefthook" and r["variant"].endswith("_linux-amd64")]
        paths = [os.path.join(sys.argv[4], r["file"]) for r in rows]
        missing = [p for p in paths if not os.path.exists(p)]
        if missing or len(paths) < 3:
            print("SKIPPED: lefthook order (missing %s)" % " ".join(missing))
        else:
            order_key = release_key(paths, rows)
            h2 = os.path.join(tmp, "lefthook.html")
            subprocess.run([M, "cluster", "--measure", "fuzzy", "-t", "1", "--html", h2] + paths, stdout=subprocess.PIPE)
            data = report_data(open(h2, encoding="utf-8").read())
            S = data["samples"]
            for t in data["timelines"]:
                got = [S[m[0]][0] for m in t["members"]]
                check("lefthook order (family %d)" % t["family"], got, sorted(got, key=order_key))
                print("lefthook family %d: %s" % (t["family"] + 1, " ".join(
                    "%s[%s]" % (S[m[0]][0].split("/")[-2], m[1] or m[2]) for m in t["members"])))
                check("lefthook steps", len(t["steps"]), len(got) - 1)
                # capped lists: the main module's packages first, the standard library last
                mods = [re.search(r"^\tmod\t(\S+)", subprocess.run(["go", "version", "-m", S[m[0]][0]],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode(), re.M)
                        for m in t["members"]]
                mods = {x.group(1) for x in mods if x}

                def rank(p):
                    if p == "main" or any(p == x or p.startswith(x + "/") for x in mods):
                        return 0
                    return 1 if "." in p.split("/", 1)[0] else 2
                for st in t["steps"]:
                    ranks = [rank(p[0]) for p in st.get("P+", [])]
                    check("lefthook P+ ranked", ranks, sorted(ranks))
                    ranks = [rank(diff_oracle.package(f)) for f in st.get("F+", [])]
                    check("lefthook F+ ranked", ranks, sorted(ranks))
finally:
    shutil.rmtree(tmp)
print("timeline_html: %d passed, %d failed" % (passes, fails))
sys.exit(1 if fails else 0)
