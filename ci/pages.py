"""The pages a person opens, checked as a person sees them: headless Chromium
loads each page from disk, the page's own description of what it drew
(body[data-drawn]) is compared with what the history and the run hold, the
browser console must stay silent, and a PNG screenshot is kept.

  python3 ci/pages.py --history artifacts/history.sqlite --dashboard artifacts/dashboard.html \
      --report artifacts/<run>/REPORT.html ... --screenshots artifacts/screenshots
"""
import argparse, html, json, os, re, sqlite3, subprocess, sys

CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]


def load(page):
    """The DOM after the page ran, and what the browser console said."""
    done = subprocess.run(CHROMIUM + ["--dump-dom", "file://" + os.path.abspath(page)],
                          capture_output=True, text=True, timeout=120)
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    match = re.search(r'<body[^>]*data-drawn="([^"]*)"', done.stdout)
    drawn = json.loads(html.unescape(match.group(1))) if match else None
    return drawn, console


def screenshot(page, png):
    subprocess.run(CHROMIUM + ["--window-size=1400,2200", "--screenshot=" + os.path.abspath(png), "file://" + os.path.abspath(page)],
                   capture_output=True, text=True, timeout=120, check=True)
    if not os.path.getsize(png) > 10_000:
        raise SystemExit(f"{png}: the screenshot is empty")


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
        shown_red_cases = {c for c in red if "/" in c and not c.startswith("run ")}
        for case in sorted(shown_red_cases - failed_cases):
            problems.append(f"{args.dashboard}: {case} is red but did not fail")
        print(f"dashboard: {drawn['runs']} runs plotted, {drawn['points']} points, red: {sorted(red) or 'none'}")
    problems += [f"{args.dashboard}: console: {line}" for line in console]
    screenshot(args.dashboard, os.path.join(args.screenshots, "dashboard.png"))

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
            print(f"{name}/REPORT.html: {drawn['points']} marks, red cases: {sorted(red) or 'none'}")
        problems += [f"{report}: console: {line}" for line in console]
        screenshot(report, os.path.join(args.screenshots, f"{name}.png"))

    for problem in problems:
        print("FAIL " + problem)
    print(f"pages: {'FAILED' if problems else 'passed'} ({1 + len(args.report)} pages, screenshots in {args.screenshots})")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
