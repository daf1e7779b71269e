"""The pages a person opens, checked as a person sees them: headless Chromium
loads each page from disk, the page's own description of what it drew
(body[data-drawn]) is compared with what the history and the run hold, the
browser console must stay silent, and a PNG screenshot is kept: the dashboard
and a failed case's history page; each report as it opens (at its first failed
case, or at the case list) and its case list.

  python3 ci/pages.py --history artifacts/history.sqlite --dashboard artifacts/dashboard.html \
      --report artifacts/<run>/REPORT.html ... --screenshots artifacts/screenshots
"""
import argparse, html, json, os, re, sqlite3, subprocess, sys

CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]


def url(page, fragment=""):
    return "file://" + os.path.abspath(page) + (f"#{fragment}" if fragment else "")


def anchor(prefix, case):
    return prefix + re.sub(r"[^A-Za-z0-9_]", "-", case)


def load(page, fragment=""):
    """The DOM after the page ran, and what the browser console said."""
    done = subprocess.run(CHROMIUM + ["--dump-dom", url(page, fragment)],
                          capture_output=True, text=True, timeout=120)
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    match = re.search(r'<body[^>]*data-drawn="([^"]*)"', done.stdout)
    drawn = json.loads(html.unescape(match.group(1))) if match else None
    return drawn, console


def screenshot(page, png, fragment=""):
    subprocess.run(CHROMIUM + ["--window-size=1400,2200", "--screenshot=" + os.path.abspath(png), url(page, fragment)],
                   capture_output=True, text=True, timeout=120, check=True)
    if not os.path.getsize(png) > 10_000:
        raise SystemExit(f"{png}: the screenshot is empty")


def check_report(report, run_dir, drawn, failed):
    """A report opens at a failed case's page, red, when a case failed, else at the list; it has its
    filters; each stream's timeline has one mark per line of the transcript it draws."""
    problems = []
    opened = drawn.get("opened") or {}
    if failed:
        if opened.get("verdict") != "failed" or not opened.get("red"):
            problems.append(f"{report}: expected it to open at a failed case's page, red; opened {opened}")
    elif opened.get("id") != "cases":
        problems.append(f"{report}: nothing failed, expected it to open at the case list; opened {opened}")
    if drawn.get("filters", 0) < 4:
        problems.append(f"{report}: expected the case list's filters (status, suite, tag, text); found {drawn.get('filters')}")
    for timeline in drawn.get("timelines", []):
        path = os.path.join(run_dir, timeline["file"])
        try:
            with open(path, encoding="utf-8") as transcript:
                lines = sum(1 for line in transcript if line.startswith("+"))
        except OSError:
            problems.append(f"{report}: a timeline draws {timeline['file']}, which is not in the run's folder")
            continue
        if not timeline["marks"] == timeline["frames"] == lines:
            problems.append(f"{report}: {timeline['file']} on {timeline['view']}: {lines} frames in the file, "
                            f"{timeline['marks']} marks drawn ({timeline['frames']} declared)")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", required=True)
    parser.add_argument("--dashboard", required=True)
    parser.add_argument("--report", action="append", default=[])
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    problems = []

    db = sqlite3.connect(args.history)
    runs = db.execute("SELECT id, run_id FROM (SELECT id, run_id, started FROM runs ORDER BY started DESC, id DESC LIMIT 60)").fetchall()
    ids = ",".join(str(r[0]) for r in runs) or "0"
    failed_cases = {row[0] for row in db.execute(f"SELECT case_id FROM cases WHERE verdict = 'failed' AND run IN ({ids})")}
    red_runs = {"run " + row[0] for row in db.execute(f"SELECT run_id FROM runs WHERE NOT green AND id IN ({ids})")}

    drawn, console = load(args.dashboard)
    if drawn is None:
        problems.append(f"{args.dashboard}: the page did not describe what it drew (its script did not run)")
    else:
        if drawn["runs"] != len(runs):
            problems.append(f"{args.dashboard}: expected {len(runs)} runs plotted (the history's), drawn {drawn['runs']}")
        red = set(drawn["red"])
        for case in sorted(failed_cases - red):
            problems.append(f"{args.dashboard}: expected the failed case {case} shown in red; red: {sorted(red)[:10]}")
        for run in sorted(red_runs - red):
            problems.append(f"{args.dashboard}: expected the failed {run} shown in red")
        shown_red_cases = {c.removeprefix("history ") for c in red if "/" in c and not c.startswith("run ")}
        for case in sorted(shown_red_cases - failed_cases):
            problems.append(f"{args.dashboard}: {case} is red but did not fail")
        # The last run against the ones before it: each of its failures drawn with a failing transition and a category.
        last = db.execute(f"SELECT id, run_id FROM runs WHERE id IN ({ids}) ORDER BY started DESC, id DESC LIMIT 1").fetchone()
        last_failed = db.execute("SELECT COUNT(*) FROM cases WHERE run = ? AND verdict = 'failed'", (last[0],)).fetchone()[0] if last else 0
        failing = sum(drawn["transitions"].get(t, 0) for t in ("new failure", "regressed", "still failing"))
        if failing != last_failed or sum(drawn["categories"].values()) != last_failed:
            problems.append(f"{args.dashboard}: the last run {last[1] if last else '-'} failed {last_failed} cases; drawn: "
                            f"transitions {drawn['transitions']}, categories {drawn['categories']}")
        print(f"dashboard: {drawn['runs']} runs plotted, {drawn['points']} points, red: {sorted(red) or 'none'}; "
              f"the last run's transitions {drawn['transitions'] or 'none'}, categories {drawn['categories'] or 'none'}")
    problems += [f"{args.dashboard}: console: {line}" for line in console]
    screenshot(args.dashboard, os.path.join(args.screenshots, "dashboard.png"))
    # A case's history page: the last failed case's (any case's when none failed), opened by its fragment.
    last_failed = db.execute(f"SELECT case_id FROM cases WHERE verdict = 'failed' AND run IN ({ids}) ORDER BY run DESC LIMIT 1").fetchone() \
        or db.execute(f"SELECT case_id FROM cases WHERE run IN ({ids}) LIMIT 1").fetchone()
    if last_failed:
        page = anchor("history-", last_failed[0])
        drawn, console = load(args.dashboard, page)
        if drawn is None or (drawn.get("opened") or {}).get("id") != page:
            problems.append(f"{args.dashboard}#{page}: the case's history page did not open")
        elif last_failed[0] in failed_cases and f"history {last_failed[0]}" not in drawn["red"]:
            problems.append(f"{args.dashboard}#{page}: a failed run of {last_failed[0]} is not drawn red on its history page")
        else:
            print(f"dashboard#{page}: the case's history page opens")
        problems += [f"{args.dashboard}#{page}: console: {line}" for line in console]
        screenshot(args.dashboard, os.path.join(args.screenshots, "dashboard-case-history.png"), page)

    timelines = 0
    for report in args.report:
        run_dir = os.path.dirname(os.path.realpath(report))
        name = os.path.basename(run_dir)
        row = db.execute("SELECT id FROM runs WHERE run_id = ?", (name,)).fetchone()
        failed = {r[0] for r in db.execute("SELECT case_id FROM cases WHERE run = ? AND verdict = 'failed'", (row[0],))} if row else None
        drawn, console = load(report)
        if drawn is None:
            problems.append(f"{report}: the page did not describe what it drew")
        else:
            red = {c for c in drawn["red"] if "/" in c and " " not in c}
            if failed is not None and red != failed:
                problems.append(f"{report}: expected the failed cases {sorted(failed)} in red, drawn red {sorted(red)}")
            problems += check_report(report, run_dir, drawn, failed or set())
            timelines += len(drawn.get("timelines", []))
            print(f"{name}/REPORT.html: opens at {drawn['opened']['id'] if drawn.get('opened') else 'nothing'}, "
                  f"{len(drawn['timelines'])} stream timelines, {drawn['points']} marks, red cases: {sorted(red) or 'none'}")
        problems += [f"{report}: console: {line}" for line in console]
        screenshot(report, os.path.join(args.screenshots, f"{name}.png"))
        screenshot(report, os.path.join(args.screenshots, f"{name}-cases.png"), "cases")

    if args.report and not timelines:
        problems.append("no report drew a stream's timeline: the runs' transcripts are missing from the case pages")
    for problem in problems:
        print("FAIL " + problem)
    print(f"pages: {'FAILED' if problems else 'passed'} ({1 + len(args.report)} pages, screenshots in {args.screenshots})")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
